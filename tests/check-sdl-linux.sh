#!/bin/sh
# check-sdl-linux.sh: Debian's kernel on the software CPU in a real SDL
# window on a virtual X server (Xvfb): the window's picture (ImageMagick's
# `import -window root`, cropped to the window) shows the boot log, the
# prompt and the cursor, read back by matching vireo's boot font, and
# equals the monitor's screendump; keys typed with xdotool reach the
# busybox shell on tty0 (echo vireo-$((6*7)) answers vireo-42); 300 lines
# of scrolling end with the right rows. See tests/scripts/display_linux.py.
# Skips (exit 77) without Xvfb, xdotool, ImageMagick, python3, the images,
# an SDL build, or the software CPU.
set -u
VIREO=${VIREO:-build/vireo}
IMG=build/images
TIMEOUT=${DISPLAY_TIMEOUT:-180}

skip() { echo "check-sdl-linux: skipped: $*"; exit 77; }
for f in vmlinuz shell.cpio.gz; do
    [ -f "$IMG/$f" ] || skip "$IMG/$f missing (run scripts/build-guest-images.sh)"
done
[ -x "$VIREO" ] || skip "$VIREO is not built"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
command -v Xvfb >/dev/null 2>&1 || skip "Xvfb is not installed (Debian package xvfb)"
command -v xdotool >/dev/null 2>&1 || skip "xdotool is not installed (Debian package xdotool)"
command -v import >/dev/null 2>&1 || skip "import is not installed (Debian package imagemagick)"
err=$(timeout 5 "$VIREO" -accel tcg -S -display none -serial null -monitor none \
      -kernel "$IMG/vmlinuz" </dev/null 2>&1 >/dev/null)
[ $? -eq 124 ] || skip "vireo -accel tcg cannot run: $(printf '%s' "$err" | head -1)"
grep -q "^#define CONFIG_SDL" config-host.h 2>/dev/null ||
    skip "vireo was built without SDL (install libsdl2-dev and re-run ./configure)"

# A private X server on the first free display number.
n=90
while [ -e /tmp/.X$n-lock ] || [ -e /tmp/.X11-unix/X$n ]; do n=$((n + 1)); done
Xvfb :$n -screen 0 1024x768x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null; wait $xvfb 2>/dev/null' EXIT INT TERM
i=0
while [ ! -e /tmp/.X11-unix/X$n ]; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 $xvfb 2>/dev/null; then
        skip "Xvfb :$n did not start"
    fi
    sleep 0.1
done
DISPLAY=:$n timeout $((TIMEOUT + 30)) python3 tests/scripts/display_linux.py sdl \
    --vireo "$VIREO" --images "$IMG" --timeout "$TIMEOUT"
