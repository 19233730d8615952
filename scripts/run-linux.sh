#!/bin/sh
# run-linux.sh: boots Debian's kernel (build/images/vmlinuz) with one of
# the initramfs images on the serial console, on KVM when /dev/kvm works
# and on the software CPU otherwise. `make run` uses it.
#   scripts/run-linux.sh [shell|workload|cmd] [extra vireo options...]
# Ctrl-A x leaves; in the shell image, `poweroff -f` too.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
image=${1:-shell}
[ $# -gt 0 ] && shift
vireo="$top/build/vireo"
kernel="$top/build/images/vmlinuz"
initrd="$top/build/images/$image.cpio.gz"

[ -x "$vireo" ] || { echo "run-linux: $vireo is not built (run ./configure && make)" >&2; exit 1; }
[ -f "$kernel" ] && [ -f "$initrd" ] || {
    echo "run-linux: guest images missing (run scripts/build-guest-images.sh)" >&2; exit 1; }

accel=tcg
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
    accel=kvm
fi
echo "run-linux: booting $image on -accel $accel (Ctrl-A x quits)" >&2
exec "$vireo" -accel "$accel" -m 512M -nographic -no-reboot \
    -kernel "$kernel" -initrd "$initrd" -append "console=ttyS0 panic=-1" "$@"
