#!/bin/sh
# install-deps.sh: installs, from Debian's archive, what vireo needs to
# build and to run its tests, skipping packages already installed.
#   scripts/install-deps.sh          build and test dependencies
#   scripts/install-deps.sh --build  build dependencies only
set -eu

build_pkgs="gcc make pkg-config libglib2.0-dev libjson-glib-dev libcapstone-dev libsdl2-dev libcmocka-dev"
# Tests: QEMU as the peer, binutils for the bare-metal guests, cpio and
# busybox-static for the initramfs images, SeaBIOS for firmware tests,
# gdb for the gdbstub tests, Xvfb for the window tests.
test_pkgs="binutils python3 qemu-system-x86 cpio busybox-static seabios gdb xvfb xdotool imagemagick x11-utils"

pkgs=$build_pkgs
[ "${1:-}" = "--build" ] || pkgs="$pkgs $test_pkgs"

missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
if [ -z "$missing" ]; then
    echo "install-deps: all dependencies are installed"
    exit 0
fi

echo "install-deps: installing$missing"
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "install-deps: not root and no sudo: run as root: apt-get install -y$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
