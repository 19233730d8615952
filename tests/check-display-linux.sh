#!/bin/sh
# check-display-linux.sh: Debian's kernel on the software CPU with
# -display none, looked at through the monitor: the VGA text console shows
# the boot log (read back from screendumps by matching the cells against
# vireo's boot font and compared with the serial log), the cursor, keys
# typed with `sendkey` reach the busybox shell on tty0 through the i8042
# (echo vireo-$((6*7)) answers vireo-42), and 300 lines of scrolling end
# with the right rows. See tests/scripts/display_linux.py.
# Skips (exit 77) when the images, python3 or the software CPU are missing.
set -u
VIREO=${VIREO:-build/vireo}
IMG=build/images
TIMEOUT=${DISPLAY_TIMEOUT:-180}

for f in vmlinuz shell.cpio.gz; do
    if [ ! -f "$IMG/$f" ]; then
        echo "check-display-linux: skipped: $IMG/$f missing (run scripts/build-guest-images.sh)"
        exit 77
    fi
done
[ -x "$VIREO" ] || { echo "check-display-linux: skipped: $VIREO is not built"; exit 77; }
command -v python3 >/dev/null 2>&1 || {
    echo "check-display-linux: skipped: python3 is not installed"; exit 77; }
# The software CPU may not be built yet: vireo then exits at once saying so.
err=$(timeout 5 "$VIREO" -accel tcg -S -display none -serial null -monitor none \
      -kernel "$IMG/vmlinuz" </dev/null 2>&1 >/dev/null)
if [ $? -ne 124 ]; then
    echo "check-display-linux: skipped: vireo -accel tcg cannot run: $(printf '%s' "$err" | head -1)"
    exit 77
fi
exec timeout $((TIMEOUT + 30)) python3 tests/scripts/display_linux.py headless \
    --vireo "$VIREO" --images "$IMG" --timeout "$TIMEOUT"
