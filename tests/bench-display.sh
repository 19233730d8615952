#!/bin/sh
# bench-display.sh (make bench): what the display costs: host CPU use and
# frames rendered per second while Linux's VGA text console is static and
# while it scrolls, vireo with -display none and -display sdl (on a
# private Xvfb) beside QEMU with the same; see tests/scripts/display_bench.py.
set -u
for f in vmlinuz cmd.cpio.gz; do
    if [ ! -f "build/images/$f" ]; then
        echo "bench-display: build/images/$f missing (run scripts/build-guest-images.sh): skipped"
        exit 0
    fi
done
command -v python3 >/dev/null 2>&1 || { echo "bench-display: python3 missing: skipped"; exit 0; }
exec python3 tests/scripts/display_bench.py --vireo "${VIREO:-build/vireo}" --images build/images
