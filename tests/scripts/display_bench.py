"""display_bench.py: what the display costs, vireo beside QEMU.

Each configuration boots Debian's kernel with the cmd initramfs on the
VGA text console (console=ttyS0 console=tty0, and `quiet` so that late
kernel messages do not disturb the static screen) running a guest command
that first leaves the screen static, then scrolls text without end:

  static   the shell waits in `read` on the console; nothing is written to
           the screen (only the hardware cursor blinks)
  scroll   after `sendkey ret` from the monitor: `echo line $i` in a loop
           on tty0 (vgacon scrolls by moving the CRTC start address), with
           a count on the serial port every 200 lines so the guest's speed
           can be measured from outside

Over a window of each phase it measures the emulator's host CPU use
(/proc/PID/stat utime+stime: the whole process, and its main thread,
which runs the display), the X server's (Xvfb draws what the window
shows), frames rendered per second (vireo's "info display" counters) and
the lines the guest printed per second. Configurations: vireo and QEMU
(`qemu-system-x86_64 -accel tcg -vga std`), each with -display none and
-display sdl on a private Xvfb; the ones that cannot run here are listed
as skipped with the reason.

Usage: display_bench.py [--vireo build/vireo] [--images build/images]
                        [--window 5] [--timeout 180]
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

TICK = os.sysconf("SC_CLK_TCK")
GUEST_CMD = ("echo VIREO-BENCH-STATIC > /dev/ttyS0; read x; "
             "echo VIREO-BENCH-SCROLL > /dev/ttyS0; i=0; while :; do i=$((i+1)); "
             "echo line $i; [ $((i%200)) = 0 ] && echo VIREO-BENCH-LINES $i > /dev/ttyS0; done")


class Skip(Exception):
    pass


def cpu_ticks(pid, tid=None):
    """utime + stime of a process (or one of its threads), in clock ticks."""
    path = "/proc/%d/stat" % pid if tid is None else "/proc/%d/task/%d/stat" % (pid, tid)
    with open(path) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def display_counters(guest):
    """vireo's frame counters from `info display`, or None (QEMU)."""
    if not guest.is_vireo:
        return None
    out = guest.monitor().run("info display")
    m = re.search(r"refreshes (\d+) frames (\d+) rects (\d+) pixels (\d+) presents (\d+)", out)
    if not m:
        raise MonitorError("info display: unexpected answer %r" % out)
    return [int(v) for v in m.groups()]


def guest_lines(guest):
    counts = re.findall(r"VIREO-BENCH-LINES (\d+)", guest.serial())
    return int(counts[-1]) if counts else 0


def wait_serial(guest, marker, deadline):
    while time.monotonic() < deadline:
        if marker in guest.serial():
            return
        if not guest.alive():
            raise Skip("exited before %s: %s" % (marker, guest.output().strip()[-300:]))
        time.sleep(0.2)
    raise Skip("no %s on the serial port in time" % marker)


def measure(guest, xvfb, window):
    """Figures over one window of the current phase."""
    pid = guest.proc.pid

    def sample():
        return (time.monotonic(), cpu_ticks(pid), cpu_ticks(pid, pid),
                cpu_ticks(xvfb.pid) if xvfb else 0, display_counters(guest), guest_lines(guest))

    a = sample()
    time.sleep(window)
    b = sample()
    dt = b[0] - a[0]
    res = {
        "cpu": 100.0 * (b[1] - a[1]) / TICK / dt,
        "main": 100.0 * (b[2] - a[2]) / TICK / dt,
        "xvfb": 100.0 * (b[3] - a[3]) / TICK / dt if xvfb else None,
        "lines": (b[5] - a[5]) / dt,
        "fps": None,
    }
    if a[4] is not None:
        res["refresh"] = (b[4][0] - a[4][0]) / dt
        res["fps"] = (b[4][1] - a[4][1]) / dt
        res["mpix"] = (b[4][3] - a[4][3]) / dt / 1e6
        res["presents"] = (b[4][4] - a[4][4]) / dt
    return res


def run_config(name, argv, is_vireo, env, xvfb, args):
    workdir = tempfile.mkdtemp(prefix="vireo-dbench-")
    guest = Guest(argv, workdir, env=env)
    guest.is_vireo = is_vireo
    deadline = time.monotonic() + args.timeout
    try:
        guest.monitor()
        wait_serial(guest, "VIREO-BENCH-STATIC", deadline)
        time.sleep(2.0)       # let the screen settle after the last output
        static = measure(guest, xvfb, args.window)
        guest.monitor().run("sendkey ret")
        wait_serial(guest, "VIREO-BENCH-SCROLL", deadline)
        time.sleep(1.0)
        scroll = measure(guest, xvfb, args.window)
        return static, scroll
    finally:
        guest.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def start_xvfb():
    """A private Xvfb: (process, display), or (None, reason)."""
    if not shutil.which("Xvfb"):
        return None, "Xvfb is not installed (Debian package xvfb)"
    n = 120
    while os.path.exists("/tmp/.X%d-lock" % n) or os.path.exists("/tmp/.X11-unix/X%d" % n):
        n += 1
    proc = subprocess.Popen(["Xvfb", ":%d" % n, "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        if os.path.exists("/tmp/.X11-unix/X%d" % n):
            return proc, ":%d" % n
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    proc.wait()
    return None, "Xvfb did not start"


def fmt(v, spec):
    return "-" if v is None else spec % v


def row(name, ph):
    return "%6s %6s %6s %7s %8s" % (fmt(ph["cpu"], "%.1f"), fmt(ph["main"], "%.1f"),
                                    fmt(ph["xvfb"], "%.1f"), fmt(ph["fps"], "%.1f"),
                                    fmt(ph["lines"] or None, "%.0f"))


def tcg_usable(vireo, images):
    try:
        r = subprocess.run([vireo, "-accel", "tcg", "-S", "-display", "none", "-serial", "null",
                            "-monitor", "none", "-kernel", os.path.join(images, "vmlinuz")],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=5)
    except subprocess.TimeoutExpired:
        return None
    return (r.stderr.strip().split("\n") or ["exited"])[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vireo", default="build/vireo")
    ap.add_argument("--images", default="build/images")
    ap.add_argument("--window", type=float, default=5.0)
    ap.add_argument("--timeout", type=float, default=180)
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))

    append = "console=ttyS0 console=tty0 quiet panic=-1 vireo.cmd=\"%s\"" % GUEST_CMD
    common = ["-m", "512M", "-no-reboot", "-kernel", os.path.join(args.images, "vmlinuz"),
              "-initrd", os.path.join(args.images, "cmd.cpio.gz"), "-append", append]
    load0 = os.getloadavg()[0]
    xvfb, xdisplay = start_xvfb()
    qemu = shutil.which("qemu-system-x86_64")
    why_vireo = tcg_usable(args.vireo, args.images)
    configs = []
    for disp in ("none", "sdl"):
        configs.append(("vireo -display %s" % disp, [args.vireo, "-accel", "tcg", "-display", disp]
                        + common, True, disp))
    for disp in ("none", "sdl"):
        configs.append(("qemu -vga std -display %s" % disp,
                        [qemu or "qemu-system-x86_64", "-accel", "tcg", "-vga", "std",
                         "-display", disp] + common, False, disp))
    results = []
    try:
        for name, argv, is_vireo, disp in configs:
            env = dict(os.environ)
            if is_vireo and why_vireo:
                results.append((name, "skipped: %s" % why_vireo))
                continue
            if not is_vireo and not qemu:
                results.append((name, "skipped: qemu-system-x86_64 is not installed"))
                continue
            if disp == "sdl":
                if not xvfb:
                    results.append((name, "skipped: %s" % xdisplay))
                    continue
                env["DISPLAY"] = xdisplay
            else:
                env.pop("DISPLAY", None)
            try:
                results.append((name, run_config(name, argv, is_vireo, env,
                                                 xvfb if disp == "sdl" else None, args)))
            except (Skip, MonitorError, OSError) as e:
                results.append((name, "skipped: %s" % e))
            print("display bench: %s done" % name, file=sys.stderr, flush=True)
    finally:
        if xvfb:
            xvfb.terminate()
            xvfb.wait()

    print("display bench: Debian kernel on the VGA text console, TCG, %.0f s windows" % args.window)
    print("cpu = emulator process, main = its main thread (display), xvfb = the X server;"
          " % of one host CPU")
    print("host: %d CPUs, load average %.1f before, %.1f after (other load skews the figures)"
          % (os.cpu_count(), load0, os.getloadavg()[0]))
    print("%-28s | %-38s | %s" % ("", "static screen", "scrolling text"))
    hdr = "%6s %6s %6s %7s %8s" % ("cpu%", "main%", "xvfb%", "frame/s", "lines/s")
    print("%-28s | %-38s | %s" % ("configuration", hdr, hdr))
    for name, r in results:
        if isinstance(r, str):
            print("%-28s | %s" % (name, r))
        else:
            print("%-28s | %-38s | %s" % (name, row(name, r[0]), row(name, r[1])))
    for name, r in results:
        if not isinstance(r, str) and r[1]["fps"] is not None:
            print("%s: refreshes/s static %.1f scroll %.1f, redrawn Mpixel/s static %.3f scroll %.2f"
                  % (name, r[0]["refresh"], r[1]["refresh"], r[0]["mpix"], r[1]["mpix"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
