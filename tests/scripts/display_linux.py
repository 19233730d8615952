"""display_linux.py: Linux on vireo's VGA console, checked from the screen.

Boots the shell initramfs with console=ttyS0 console=tty0 (tty0 last, so
/dev/console and the busybox shell are on the VGA text console and read
the PS/2 keyboard), then:
  1. waits until the screen shows the shell prompt and checks that every
     kernel log row on the screen is a piece of the serial log, that the
     last kernel line of the serial log is on the screen, and that the
     cursor blinks where the shell waits; in sdl mode, that the window's
     pixels equal the screendump's;
  2. types `echo vireo-$((6*7))` + Enter and waits for `vireo-42` on a
     row of its own, then presses Up and Enter (the shell's history: an
     E0-prefixed key) for a second vireo-42;
  3. counts to 300 in a shell loop (vgacon scrolls by moving the CRTC
     start address and wraps around the end of video memory) and checks
     the screen shows exactly 277..300 then the prompt;
  4. (headless) sendkey ctrl-alt-delete: Linux restarts, and vireo exits
     as -no-reboot asks.
How the screen is looked at and how keys are typed depends on the mode:
  headless  -display none; monitor screendump + sendkey
  sdl       -display sdl under an X server ($DISPLAY, e.g. Xvfb): the
            window is captured with ImageMagick's `import`, keys are typed
            with xdotool into the window; screendumps are compared with
            the window's picture.
Exit status: 0 pass, 1 fail, 77 skipped (the reason on stdout).

Usage: display_linux.py headless|sdl [--vireo build/vireo] [--images build/images]
                        [--timeout 180]
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from display_monitor import Guest, MonitorError  # noqa: E402
from display_png import read_image  # noqa: E402
from display_text import load_font, read_screen  # noqa: E402

PROMPT = "vireo:/# "
# Counts to 300 with the shell's own arithmetic (busybox seq uses floating point).
COUNT = "i=0;while [ $i -lt 300 ];do i=$((i+1));echo $i;done"
KERNEL_ROW = re.compile(r"^\[\s*\d+\.\d+\] ")


class Fail(Exception):
    pass


class HeadlessView:
    """Looks through monitor screendumps, types with sendkey."""

    def __init__(self, guest, workdir, glyphs):
        self.guest, self.workdir, self.glyphs = guest, workdir, glyphs
        self.n = 0

    def screendump(self):
        self.n += 1
        path = os.path.join(self.workdir, "screen-%03d.png" % self.n)
        out = self.guest.monitor().run("screendump " + path)
        if out.strip() or not os.path.exists(path):
            raise Fail("screendump: %s" % (out.strip() or "no file written"))
        return path

    def look(self):
        path = self.screendump()
        return read_screen(read_image(path), self.glyphs), path

    def type(self, text):
        self.guest.monitor().type_text(text)

    def key(self, name):
        """One key or chord by QEMU's name (ret, up, ctrl-alt-delete)."""
        out = self.guest.monitor().run("sendkey " + name)
        if out.strip():
            raise Fail("sendkey %s: %s" % (name, out.strip()))


class SdlView(HeadlessView):
    """Looks at the X window (import -window root, cropped), types with xdotool."""

    def __init__(self, guest, workdir, glyphs):
        super().__init__(guest, workdir, glyphs)
        self.win = None

    def find_window(self, deadline):
        while time.monotonic() < deadline:
            r = subprocess.run(["xdotool", "search", "--name", "^vireo"],
                               capture_output=True, text=True)
            ids = r.stdout.split()
            if ids:
                self.win = ids[0]
                subprocess.run(["xdotool", "windowfocus", "--sync", self.win],
                               capture_output=True, timeout=10)
                return
            if not self.guest.alive():
                raise Fail("vireo exited before its window appeared:\n" + self.guest.output())
            time.sleep(0.2)
        raise Fail("no window named vireo appeared")

    def geometry(self):
        r = subprocess.run(["xdotool", "getwindowgeometry", "--shell", self.win],
                           capture_output=True, text=True, timeout=10)
        g = dict(line.split("=", 1) for line in r.stdout.split() if "=" in line)
        return int(g["X"]), int(g["Y"]), int(g["WIDTH"]), int(g["HEIGHT"])

    def look(self):
        self.n += 1
        path = os.path.join(self.workdir, "x-%03d.ppm" % self.n)
        subprocess.run(["import", "-window", "root", "-depth", "8", "ppm:" + path],
                       check=True, capture_output=True, timeout=30)
        x, y, w, h = self.geometry()
        img = read_image(path).crop(x, y, w, h)
        self.last_image = img
        return read_screen(img, self.glyphs), path

    def type(self, text):
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if line:
                subprocess.run(["xdotool", "type", "--delay", "40", "--window", self.win,
                                line], check=True, timeout=60)
            if i < len(lines) - 1:
                subprocess.run(["xdotool", "key", "--window", self.win, "Return"],
                               check=True, timeout=10)

    XKEYS = {"up": "Up", "ret": "Return"}

    def key(self, name):
        subprocess.run(["xdotool", "key", "--window", self.win, self.XKEYS[name]],
                       check=True, timeout=10)


def wait_for(view, guest, what, pred, deadline):
    """Looks at the screen until pred(screen) holds: the screen."""
    screen = None
    while time.monotonic() < deadline:
        if not guest.alive():
            raise Fail("vireo exited while waiting for %s:\n%s" % (what, guest.output()[-2000:]))
        screen, path = view.look()
        if pred(screen):
            return screen
        time.sleep(0.5)
    shown = screen.text() if screen else "(nothing)"
    raise Fail("timed out waiting for %s; the screen shows:\n%s" % (what, shown))


def boot_log_problem(screen, serial):
    """Why the screen does not show the boot log of serial, or None."""
    kernel_rows = [r for r in screen.rows if KERNEL_ROW.match(r)]
    missing = [r for r in kernel_rows if r not in serial]
    if missing:
        return "screen rows not in the serial log:\n  " + "\n  ".join(missing)
    if len(kernel_rows) < 8:
        return "only %d kernel log rows on the screen" % len(kernel_rows)
    serial_kernel = [ln for ln in serial.split("\n") if KERNEL_ROW.match(ln)]
    last = serial_kernel[-1][:80] if serial_kernel else None
    if last is None or last not in screen.rows:
        return "the serial log's last kernel line %r is not on the screen" % last
    if screen.unknown:
        return "%d cells matched no glyph" % screen.unknown
    return None


def check_boot_log(view, guest, deadline):
    """The kernel rows on the screen are pieces of the serial log, and the
    last kernel line the serial port had before the look is on the screen
    (a few looks: a message may arrive between the two)."""
    for _ in range(5):
        serial = guest.serial()
        screen, _ = view.look()
        problem = boot_log_problem(screen, serial)
        if problem is None:
            rows = [r for r in screen.rows if KERNEL_ROW.match(r)]
            print("ok: %d kernel log rows on the screen equal the serial log, last: %s"
                  % (len(rows), rows[-1].strip()))
            return
        time.sleep(0.5)
    raise Fail("%s; the screen shows:\n%s" % (problem, screen.text()))


def last_row(screen):
    return max((i for i, r in enumerate(screen.rows) if r), default=0)


def has_prompt(screen):
    return PROMPT.rstrip() in screen.rows


def wait_for_prompt(view, guest, deadline):
    """Waits for a row holding just the prompt. The kernel may print on the
    prompt's own row (the TSC calibration often lands there); then Enter
    is typed, now and then, so that the shell prints a fresh prompt."""
    nudged = [0.0]

    def pred(screen):
        if has_prompt(screen):
            return True
        if any(r.startswith(PROMPT) for r in screen.rows) and time.monotonic() - nudged[0] > 3:
            view.type("\n")
            nudged[0] = time.monotonic()
        return False
    return wait_for(view, guest, "the shell prompt", pred, deadline)


def prompt_at_bottom(screen):
    return screen.rows[last_row(screen)] == PROMPT.rstrip()


def check_cursor(view, guest, deadline):
    """The cursor blinks: some look within a few tries shows it after the
    prompt (or at the start of the next row if the kernel printed after it)."""
    for _ in range(12):
        screen, _ = view.look()
        last = last_row(screen)
        want = (len(PROMPT), last) if prompt_at_bottom(screen) else (0, last + 1)
        if want in screen.cursor:
            print("ok: the cursor is shown where the shell waits (column %d, row %d)" % want)
            return
        if screen.cursor:
            raise Fail("cursor at %s, expected %s:\n%s" % (screen.cursor, want, screen.text()))
        time.sleep(0.11)
    raise Fail("the cursor never showed after the prompt")


def count_done(screen, want):
    """The count's last rows and the prompt end the screen (kernel rows,
    should the kernel print meanwhile, are left out)."""
    rows = screen.rows[:last_row(screen) + 1]
    others = [r for r in rows if not KERNEL_ROW.match(r)]
    tail = want[len(rows) - len(others):]
    return others[-len(tail):] == tail


def compare_window_and_screendump(view, glyphs):
    """The window's pixels equal the screendump's, but for the cells where
    the (blinking) cursor may be in one and not the other."""
    dump = read_image(HeadlessView.screendump(view))
    win_screen, _ = view.look()
    win = view.last_image
    dscreen = read_screen(dump, glyphs)
    if (win.width, win.height) != (dump.width, dump.height):
        raise Fail("the window is %dx%d, the screendump %dx%d"
                   % (win.width, win.height, dump.width, dump.height))
    cells = set(dscreen.cursor) | set(win_screen.cursor)
    cw = 9 if dump.width == 720 else 8
    bad = [(x, y) for y in range(dump.height) for x in range(dump.width)
           if win.rows[y][x] != dump.rows[y][x] and (x // cw, y // 16) not in cells]
    if bad:
        x, y = bad[0]
        raise Fail("%d pixels of the window differ from the screendump, first (%d,%d): "
                   "%06x, not %06x" % (len(bad), x, y, win.rows[y][x], dump.rows[y][x]))
    colours = {p for row in dump.rows for p in row}
    if not {0x000000, 0xaaaaaa} <= colours:
        raise Fail("the screen's colours %s lack vgacon's grey on black"
                   % sorted("%06x" % c for c in colours))
    print("ok: the window's %dx%d pixels equal the screendump's (grey 0xaaaaaa on black)"
          % (win.width, win.height))


def run(mode, args):
    glyphs = load_font()
    workdir = tempfile.mkdtemp(prefix="vireo-display-")
    argv = [args.vireo, "-accel", "tcg", "-m", "512M", "-display",
            "none" if mode == "headless" else "sdl", "-no-reboot",
            "-kernel", os.path.join(args.images, "vmlinuz"),
            "-initrd", os.path.join(args.images, "shell.cpio.gz"),
            "-append", "console=ttyS0 console=tty0 panic=-1"]
    guest = Guest(argv, workdir)
    view = (HeadlessView if mode == "headless" else SdlView)(guest, workdir, glyphs)
    deadline = time.monotonic() + args.timeout
    ok = False
    try:
        guest.monitor()
        if mode == "sdl":
            view.find_window(deadline)
            print("ok: the SDL window %s is open, %dx%d" % ((view.win,) + view.geometry()[2:]))
        start = time.monotonic()
        wait_for_prompt(view, guest, deadline)
        print("ok: the shell prompt is on the screen after %.1f s" % (time.monotonic() - start))
        check_boot_log(view, guest, deadline)
        check_cursor(view, guest, deadline)
        if mode == "sdl":
            compare_window_and_screendump(view, glyphs)
        view.type("echo vireo-$((6*7))\n")
        screen = wait_for(view, guest, "vireo-42", lambda s: "vireo-42" in s.rows, deadline)
        i = screen.rows.index("vireo-42")
        if PROMPT + "echo vireo-$((6*7))" not in screen.rows[:i]:
            raise Fail("the typed command is not shown above the answer:\n" + screen.text())
        print("ok: typed 'echo vireo-$((6*7))', the screen answers vireo-42")
        view.key("up")
        view.key("ret")
        wait_for(view, guest, "a second vireo-42 (history)",
                 lambda s: s.rows.count("vireo-42") == 2 and has_prompt(s), deadline)
        print("ok: Up (an E0-prefixed key) recalls the command, Enter runs it again")
        view.type(COUNT + "\n")
        want = [str(n) for n in range(277, 301)] + [PROMPT.rstrip()]
        screen = wait_for(view, guest, "the count to 300 to end",
                          lambda s: count_done(s, want), deadline)
        print("ok: after 300 lines of scrolling the screen shows 277..300 and the prompt")
        if mode == "headless":
            # Ctrl-Alt-Del (a chord, Delete E0-prefixed): the kernel restarts
            # the machine, and -no-reboot makes vireo exit.
            view.key("ctrl-alt-delete")
            end = time.monotonic() + 60
            while guest.alive() and time.monotonic() < end:
                time.sleep(0.2)
            if guest.alive():
                raise Fail("vireo still runs 60 s after sendkey ctrl-alt-delete")
            if "reboot" not in guest.serial():
                raise Fail("no reboot message on the serial port after ctrl-alt-delete")
            print("ok: sendkey ctrl-alt-delete restarts Linux (vireo exits with -no-reboot)")
        ok = True
    except (Fail, MonitorError, subprocess.SubprocessError, OSError) as e:
        print("FAIL (%s): %s" % (mode, e))
        print("serial log tail:\n" + "\n".join(guest.serial().split("\n")[-10:]))
    finally:
        guest.stop()
    if ok:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print("pictures kept in " + workdir)
    return 0 if ok else 1


def _terminated(signum, frame):
    raise SystemExit(1)      # runs the finally clauses: the guest is stopped


def main():
    signal.signal(signal.SIGTERM, _terminated)
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["headless", "sdl"])
    ap.add_argument("--vireo", default="build/vireo")
    ap.add_argument("--images", default="build/images")
    ap.add_argument("--timeout", type=float, default=180)
    args = ap.parse_args()
    return run(args.mode, args)


if __name__ == "__main__":
    sys.exit(main())
