"""display_png.py: reads the images the display checks look at into a
plain (width, height, rows of 0xRRGGBB ints) form: PNG (vireo's and QEMU's
screendumps, ImageMagick's output: 8-bit palette, grey, RGB or RGBA, no
interlace) and binary PPM (P6, what `import ... ppm:FILE` and xwd
conversions give). Standard library only (zlib), so the checks need no
imaging package on the Python side.
"""

import struct
import zlib


class Image:
    """Pixels as rows of 0xRRGGBB integers."""

    def __init__(self, width, height, rows):
        self.width = width
        self.height = height
        self.rows = rows

    def pixel(self, x, y):
        return self.rows[y][x]

    def crop(self, x, y, w, h):
        return Image(w, h, [row[x:x + w] for row in self.rows[y:y + h]])


def _unfilter(raw, width, height, bpp):
    """Undoes the per-row PNG filters (PNG spec 9.2): the raw pixel bytes."""
    stride = width * bpp
    out = bytearray(stride * height)
    prev = bytearray(stride)
    pos = 0
    for y in range(height):
        ftype = raw[pos]
        line = bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        if ftype == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xff
        elif ftype == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 0xff
        elif ftype == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xff
        elif ftype == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xff
        elif ftype != 0:
            raise ValueError("PNG: bad filter type %d" % ftype)
        out[y * stride:(y + 1) * stride] = line
        prev = line
    return out


def read_png(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos = 8
    idat = b""
    palette = None
    width = height = depth = ctype = None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or interlace:
                raise ValueError("PNG: only 8-bit, non-interlaced images are read")
        elif kind == b"PLTE":
            palette = [(body[i] << 16) | (body[i + 1] << 8) | body[i + 2]
                       for i in range(0, len(body) - 2, 3)]
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    bpp = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(ctype)
    if bpp is None:
        raise ValueError("PNG: colour type %s not supported" % ctype)
    pix = _unfilter(zlib.decompress(idat), width, height, bpp)
    rows = []
    stride = width * bpp
    for y in range(height):
        line = pix[y * stride:(y + 1) * stride]
        if ctype == 3:
            rows.append([palette[v] for v in line])
        elif ctype in (0, 4):
            rows.append([v * 0x010101 for v in line[::bpp]])
        else:
            rows.append([(line[i] << 16) | (line[i + 1] << 8) | line[i + 2]
                         for i in range(0, stride, bpp)])
    return Image(width, height, rows)


def read_ppm(data):
    fields = []
    pos = 2
    while len(fields) < 3:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(int(data[pos:end]))
        pos = end
    pos += 1
    width, height, maxval = fields
    if maxval != 255:
        raise ValueError("PPM: only maxval 255 is read")
    rows = []
    for y in range(height):
        line = data[pos + y * width * 3:pos + (y + 1) * width * 3]
        rows.append([(line[i] << 16) | (line[i + 1] << 8) | line[i + 2]
                     for i in range(0, width * 3, 3)])
    return Image(width, height, rows)


def read_image(path):
    """The image in path (PNG or P6 PPM); raises ValueError otherwise."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"P6":
        return read_ppm(data)
    return read_png(data)
