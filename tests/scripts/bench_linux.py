#!/usr/bin/env python3
"""Boot-and-workload benchmark: vireo beside QEMU, and native.

Usage: bench_linux.py VIREO IMAGES_DIR

Boots Debian's kernel with the workload initramfs (a larger buffer and
loop than the test uses, so the guest's 10 ms clock resolves them) under
each accelerator that works here, for vireo and for Debian's QEMU, and
runs the same workload natively with the host's busybox. Prints
launch-to-marker time, each workload figure, and the ratios.
"""
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

KIB, ITERS = 1024, 100000
APPEND = f"console=ttyS0 panic=-1 vireo.kib={KIB} vireo.iters={ITERS}"
STEPS = ["gen-buffer", "sha256", "gzip", "arith"]


def boot(cmd, timeout):
    """Runs one boot; returns {'marker': s, 'total': s, steps...} or an error string."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    out, marker = b"", None
    while True:
        left = timeout - (time.monotonic() - t0)
        if left <= 0:
            p.kill()
            return "timed out"
        r, _, _ = select.select([p.stdout], [], [], min(left, 1.0))
        if not r:
            continue
        chunk = os.read(p.stdout.fileno(), 65536)
        if not chunk:
            break
        out += chunk
        if marker is None and b"VIREO-MARKER: init started" in out:
            marker = time.monotonic() - t0
    rc = p.wait()
    total = time.monotonic() - t0
    if marker is None:
        return f"no marker (exit {rc})"
    res = {"marker": marker, "total": total,
           "results": re.findall(rb"VIREO-RESULT [^\r\n]*", out)}
    for m in re.finditer(rb"VIREO-TIME (\S+) (\d+) ms", out):
        res[m.group(1).decode()] = int(m.group(2)) / 1000.0
    return res


def native():
    here = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "guest")
    bb = shutil.which("busybox")
    if not bb:
        return "busybox not installed"
    res = {}
    with tempfile.TemporaryDirectory() as d:
        buf = os.path.join(d, "buf")
        steps = [
            ("gen-buffer", f"{bb} sh {here}/gen-buffer.sh {KIB} > {buf}"),
            ("sha256", f"{bb} sha256sum {buf} > /dev/null"),
            ("gzip", f"{bb} gzip -c {buf} > {buf}.gz"),
            ("arith", f"{bb} sh {here}/arith-loop.sh {ITERS} > /dev/null"),
        ]
        for name, sh in steps:
            t0 = time.monotonic()
            subprocess.run(["sh", "-c", sh], check=True)
            res[name] = time.monotonic() - t0
    return res


def expected_results():
    """The VIREO-RESULT lines the host computes for the same sizes, or None."""
    here = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "guest")
    p = subprocess.run(["sh", f"{here}/expected-results.sh", str(KIB), str(ITERS)],
                       capture_output=True)
    if p.returncode != 0:
        return None
    return [l for l in p.stdout.splitlines() if l.startswith(b"VIREO-RESULT")]


def usable(vireo, accel, images):
    if accel == "kvm" and not os.path.exists("/dev/kvm"):
        return "no /dev/kvm on this host"
    if vireo is None:
        return None
    try:
        p = subprocess.run([vireo, "-accel", accel, "-S", "-display", "none", "-serial", "null",
                            "-monitor", "none", "-kernel", f"{images}/vmlinuz"],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=3)
        return (p.stderr.decode().splitlines() or ["exited"])[0]
    except subprocess.TimeoutExpired:
        return None


def fmt(v):
    return f"{v:8.2f}" if isinstance(v, float) else f"{'-':>8}"


def main():
    vireo, images = sys.argv[1], sys.argv[2]
    qemu = shutil.which("qemu-system-x86_64")
    cols = {}
    for accel in ("tcg", "kvm"):
        why = usable(vireo, accel, images)
        args = ["-m", "512M", "-nographic", "-no-reboot", "-kernel", f"{images}/vmlinuz",
                "-initrd", f"{images}/workload.cpio.gz", "-append", APPEND]
        limit = 1800 if accel == "tcg" else 300
        cols[f"vireo-{accel}"] = why or boot([vireo, "-accel", accel] + args, limit)
        if not qemu:
            cols[f"qemu-{accel}"] = "qemu-system-x86 not installed"
        elif accel == "kvm" and not os.path.exists("/dev/kvm"):
            cols["qemu-kvm"] = "no /dev/kvm on this host"
        else:
            cols[f"qemu-{accel}"] = boot([qemu, "-accel", accel] + args, limit)
    cols["native"] = native()
    expected = expected_results()

    print(f"Linux boot and workload (buffer {KIB} KiB, loop {ITERS}); seconds")
    names = list(cols)
    print(f"{'':14}" + "".join(f"{n:>12}" for n in names))
    for row in ["marker", "total"] + STEPS:
        label = {"marker": "to marker", "total": "to exit"}.get(row, row)
        cells = [cols[n].get(row) if isinstance(cols[n], dict) else None for n in names]
        print(f"{label:14}" + "".join(f"{fmt(c):>12}" for c in cells))
    for n in names:
        if not isinstance(cols[n], dict):
            print(f"  {n}: not measured: {cols[n]}")
        elif "results" in cols[n] and expected is not None and cols[n]["results"] != expected:
            print(f"  {n}: WRONG workload results (its step times are not comparable)")
    print("Ratios (lower is better for vireo):")
    for accel in ("tcg", "kvm"):
        v, q = cols[f"vireo-{accel}"], cols[f"qemu-{accel}"]
        if isinstance(v, dict) and isinstance(q, dict):
            for row in ["marker"] + STEPS:
                if row in v and row in q and q[row] > 0:
                    print(f"  vireo-{accel} / qemu-{accel} {row}: {v[row] / q[row]:.2f}x")
        nat = cols["native"]
        for src in (v, q):
            if isinstance(src, dict) and isinstance(nat, dict):
                name = f"vireo-{accel}" if src is v else f"qemu-{accel}"
                for row in STEPS:
                    if row in src and nat.get(row):
                        print(f"  {name} / native {row}: {src[row] / nat[row]:.1f}x")


if __name__ == "__main__":
    main()
