#!/bin/sh
# bench-linux.sh (make bench): Debian's kernel and the workload initramfs
# under vireo and QEMU with each accelerator that works here, and the same
# workload natively; figures side by side with ratios.
set -u
if [ ! -f build/images/vmlinuz ]; then
    echo "bench-linux: guest images missing (run scripts/build-guest-images.sh): skipped"; exit 0
fi
command -v python3 >/dev/null 2>&1 || { echo "bench-linux: python3 missing: skipped"; exit 0; }
exec python3 tests/scripts/bench_linux.py "${VIREO:-build/vireo}" build/images
