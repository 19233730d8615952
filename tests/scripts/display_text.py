"""display_text.py: reads the text back from a picture of vireo's VGA text
screen by matching each character cell against the font vireo installs
for direct kernel boots (hw/display/vga-font.c, vga_set_boot_text_mode),
which Linux's vgacon keeps. The font table is parsed from that source
file, so the check follows the font if it changes.

A cell is 8 or 9 dots wide (9 in mode 0x03: 720 dots for 80 columns) and
16 lines high; the picture may be scaled by a whole factor (an SDL window
twice the mode's size). A cell's background is its top-left dot (the
font's first line and first column are always blank); every dot of
another colour is ink. The cursor (vgacon's underline in the bottom lines
of the cell) is found as ink below a glyph that otherwise matches.

Usage as a tool: python3 display_text.py SCREEN.png|SCREEN.ppm
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from display_png import read_image  # noqa: E402

FONT_C = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      "..", "..", "hw", "display", "vga-font.c")
CELL_H = 16
CURSOR_FROM = 13     # glyph lines 13.. may carry the cursor underline


def load_font(path=FONT_C):
    """Glyph (16 line bytes, bit 7 leftmost) -> character, for ASCII."""
    with open(path) as f:
        src = f.read()
    m = re.search(r"ascii5x7\[95\]\[7\]\s*=\s*\{(.*?)\n\};", src, re.S)
    if not m:
        raise ValueError("%s: the ascii5x7 table was not found" % path)
    body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
    rows = re.findall(r"\{([^{}]*)\}", body)
    if len(rows) != 95:
        raise ValueError("%s: ascii5x7 has %d glyphs, expected 95" % (path, len(rows)))
    glyphs = {}
    for i, r in enumerate(rows):
        vals = [int(v, 0) for v in r.split(",") if v.strip()]
        g = [0] * CELL_H
        for k, v in enumerate(vals):
            g[1 + 2 * k] = g[2 + 2 * k] = (v << 2) & 0xff
        glyphs.setdefault(tuple(g), chr(0x20 + i))
    return glyphs


class Screen:
    """The text read from a picture: rows (strings) and the cursor cells."""

    def __init__(self, rows, cursor, unknown):
        self.rows = rows
        self.cursor = cursor          # [(col, row)] cells showing the cursor
        self.unknown = unknown        # cells that matched no glyph (shown as '?')

    def text(self):
        return "\n".join(self.rows)


def read_screen(img, glyphs, cols=80, x0=0, y0=0, scale=None):
    """Reads a cols-wide text screen whose top-left dot is at (x0, y0)."""
    width = img.width - x0
    if scale is None:
        scale = max(1, width // (cols * 9)) if width % (cols * 9) == 0 else \
            max(1, width // (cols * 8))
    cell_w = 9 if (width // scale) >= cols * 9 else 8
    nrows = (img.height - y0) // (CELL_H * scale)
    prefix = {}
    for g, ch in glyphs.items():
        prefix.setdefault(g[:CURSOR_FROM], ch)
    rows, cursor, unknown = [], [], 0
    for r in range(nrows):
        line = []
        for c in range(cols):
            px = x0 + c * cell_w * scale
            py = y0 + r * CELL_H * scale
            bg = img.rows[py][px]
            g = []
            for y in range(CELL_H):
                row = img.rows[py + y * scale]
                b = 0
                for x in range(8):
                    if row[px + x * scale] != bg:
                        b |= 0x80 >> x
                g.append(b)
            g = tuple(g)
            ch = glyphs.get(g)
            if ch is None:
                ch = prefix.get(g[:CURSOR_FROM])
                if ch is not None:
                    cursor.append((c, r))
                else:
                    ch = "?"
                    unknown += 1
            line.append(ch)
        rows.append("".join(line).rstrip())
    return Screen(rows, cursor, unknown)


def read_file(path, cols=80):
    return read_screen(read_image(path), load_font(), cols=cols)


if __name__ == "__main__":
    s = read_file(sys.argv[1])
    print(s.text())
    print("cursor:", s.cursor, "unknown cells:", s.unknown)
