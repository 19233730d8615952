#!/bin/sh
# check-sdl.sh: runs the SDL window test (build/tests/unit/test-ui-sdl) on
# a virtual X server when xvfb-run (Debian package xvfb) is installed.
# Without Xvfb it runs the test on SDL's invisible offscreen driver
# instead, which covers everything but a real X11 window; if that is not
# available either, it skips (exit 77) saying why.
set -u
bin=build/tests/unit/test-ui-sdl
if [ ! -x "$bin" ]; then
    echo "check-sdl: $bin is not built: skipped"
    exit 77
fi
if command -v xvfb-run >/dev/null 2>&1; then
    exec xvfb-run -a "$bin"
fi
echo "check-sdl: xvfb-run not found (Debian package xvfb): using SDL's offscreen driver"
SDL_VIDEODRIVER=offscreen "$bin"
rc=$?
if [ "$rc" -eq 77 ]; then
    echo "check-sdl: no Xvfb and no offscreen SDL driver: skipped"
fi
exit "$rc"
