#!/bin/sh
# build-guest-images.sh: builds the guest images that vireo's integration
# tests and `make run` boot, from Debian packages only, into build/images/:
#   vmlinuz, System.map    the current Debian amd64 kernel (linux-image-*-amd64)
#   workload.cpio.gz       /init runs a timed CPU-bound workload, prints
#                          VIREO-RESULT lines and powers off
#   shell.cpio.gz          /init starts an interactive busybox shell on the console
#   cmd.cpio.gz            /init runs vireo.cmd=... from the kernel command
#                          line, prints VIREO-CMD-EXIT <n> and powers off
# The kernel and busybox come from `apt-get download` + `dpkg -x` (nothing is
# installed); the /init scripts are scripts/guest/*.sh. A second run is
# cheap: the downloaded packages are kept, and the images are rebuilt only
# when the scripts or the packages changed. See docs/guest-images.md.
#
# Usage: scripts/build-guest-images.sh [--force]
# Needs: apt-get and dpkg (Debian), cpio and gzip. As root, a missing cpio
# is installed and a stale apt package list is updated.

set -eu

die() { echo "build-guest-images: $*" >&2; exit 1; }
note() { echo "build-guest-images: $*"; }

top=$(cd "$(dirname "$0")/.." && pwd)
guest=$top/scripts/guest
out=$top/build/images
debs=$out/debs
force=no
[ "${1:-}" = --force ] && force=yes

is_root() { [ "$(id -u)" = 0 ]; }

command -v apt-get >/dev/null 2>&1 || die "apt-get not found: this script needs a Debian host"
command -v dpkg >/dev/null 2>&1 || die "dpkg not found: this script needs a Debian host"
command -v gzip >/dev/null 2>&1 || die "gzip not found: install the Debian package gzip"
if ! command -v cpio >/dev/null 2>&1; then
    if is_root; then
        note "installing cpio"
        apt-get install -y cpio >/dev/null || die "apt-get install cpio failed"
    else
        die "cpio not found: install the Debian package cpio (apt-get install cpio)"
    fi
fi

mkdir -p "$out" "$debs"

apt_updated=no
apt_update_once() {
    if [ $apt_updated = no ] && is_root; then
        note "updating the apt package lists"
        apt-get update >/dev/null 2>&1 || true
        apt_updated=yes
        return 0
    fi
    return 1
}

# The versioned kernel package that linux-image-amd64 points at.
kernel_package() {
    apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: *\(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1
}

kpkg=$(kernel_package)
if [ -z "$kpkg" ] && apt_update_once; then
    kpkg=$(kernel_package)
fi
if [ -z "$kpkg" ]; then
    kpkg=$(apt-cache search --names-only '^linux-image-[0-9].*-amd64$' 2>/dev/null |
           cut -d' ' -f1 | grep -v -e unsigned -e dbg | sort -V | tail -n 1)
fi
[ -n "$kpkg" ] || die "no linux-image-*-amd64 package found (run apt-get update as root)"

# Downloads package $1 into $debs unless a .deb of it is there; prints its path.
fetch_deb() {
    pkg=$1
    ver=$(apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: *//p' | head -n 1)
    [ -n "$ver" ] && [ "$ver" != "(none)" ] || die "package $pkg has no candidate version (apt-get update?)"
    # .deb file names spell the epoch "1:" as "1%3a"; match on the upstream part.
    plain=${ver#*:}
    found=$(ls "$debs/${pkg}_"*"${plain}"_*.deb 2>/dev/null | head -n 1 || true)
    if [ -z "$found" ]; then
        note "downloading $pkg $ver" >&2
        (cd "$debs" && apt-get download -o APT::Sandbox::User=root "$pkg" >/dev/null) ||
            die "apt-get download $pkg failed"
        found=$(ls "$debs/${pkg}_"*"${plain}"_*.deb 2>/dev/null | head -n 1 || true)
        [ -n "$found" ] || die "apt-get download $pkg left no .deb in $debs"
    fi
    echo "$found"
}

kdeb=$(fetch_deb "$kpkg")
bdeb=$(fetch_deb busybox-static)

# Everything the images depend on, so a change rebuilds them.
stamp_now=$( (echo "$kdeb $bdeb"; cat "$0" "$guest"/*.sh) | cksum | cut -d' ' -f1)
stamp_file=$out/.stamp
if [ $force = no ] && [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp_now" ] &&
   [ -f "$out/vmlinuz" ] && [ -f "$out/workload.cpio.gz" ] &&
   [ -f "$out/shell.cpio.gz" ] && [ -f "$out/cmd.cpio.gz" ]; then
    note "images are up to date in build/images"
    exit 0
fi

work=$out/work
rm -rf "$work"
mkdir -p "$work/kernel" "$work/busybox"
trap 'rm -rf "$work"' EXIT

note "unpacking $(basename "$kdeb")"
dpkg -x "$kdeb" "$work/kernel"
vmlinuz=$(ls "$work"/kernel/boot/vmlinuz-* 2>/dev/null | head -n 1 || true)
[ -n "$vmlinuz" ] || die "$(basename "$kdeb") holds no boot/vmlinuz-*"
cp "$vmlinuz" "$out/vmlinuz"
basename "$vmlinuz" | sed 's/^vmlinuz-//' > "$out/vmlinuz.version"
sysmap=$(ls "$work"/kernel/boot/System.map-* 2>/dev/null | head -n 1 || true)
if [ -n "$sysmap" ]; then
    cp "$sysmap" "$out/System.map"
else
    rm -f "$out/System.map"
fi

dpkg -x "$bdeb" "$work/busybox"
[ -x "$work/busybox/bin/busybox" ] || die "$(basename "$bdeb") holds no bin/busybox"

# One newc cpio entry for a character device, written with printf so no
# root rights (mknod) are needed: $1 name, $2 major, $3 minor.
# Format: "070701", then 13 fields of 8 hex digits (ino, mode, uid, gid,
# nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor,
# namesize, check), the NUL-terminated name, NUL padding to 4 bytes.
cpio_chardev() {
    namesize=$(( ${#1} + 1 ))
    printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
        1 $(( 0020000 | 0600 )) 0 0 1 0 0 0 0 "$2" "$3" $namesize 0
    printf '%s\000' "$1"
    pad=$(( (4 - (110 + namesize) % 4) % 4 ))
    while [ $pad -gt 0 ]; do printf '\000'; pad=$(( pad - 1 )); done
}

cpio_trailer() {
    printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
        0 0 0 0 1 0 0 0 0 0 0 11 0
    printf 'TRAILER!!!\000\000\000\000'
}

# Builds build/images/$1.cpio.gz with scripts/guest/init-$1.sh as /init.
build_initramfs() {
    name=$1
    root=$work/root-$name
    mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" \
             "$root/dev" "$root/proc" "$root/sys" "$root/tmp" "$root/root" \
             "$root/etc" "$root/lib/vireo"
    cp "$work/busybox/bin/busybox" "$root/bin/busybox"
    ln -s busybox "$root/bin/sh"
    cp "$guest/init-$name.sh" "$root/init"
    cp "$guest/common.sh" "$guest/gen-buffer.sh" "$guest/arith-loop.sh" "$root/lib/vireo/"
    chmod 755 "$root/init" "$root/bin/busybox"
    echo "root:x:0:0:root:/root:/bin/sh" > "$root/etc/passwd"
    echo "root:x:0:" > "$root/etc/group"
    # Same inputs, same bytes: fixed times, and (cpio >= 2.12) fixed inode
    # and device numbers.
    find "$root" -exec touch -h -d @0 {} +
    {
        # /dev/console must exist before /init runs (it is its stdio).
        cpio_chardev dev/console 5 1
        cpio_chardev dev/ttyS0 4 64
        cpio_chardev dev/null 1 3
        cpio_trailer
        (cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
            cpio -o -H newc -R 0:0 --quiet $cpio_repro)
    } | gzip -9 -n > "$out/$name.cpio.gz.tmp"
    mv "$out/$name.cpio.gz.tmp" "$out/$name.cpio.gz"
    note "built build/images/$name.cpio.gz"
}

cpio_repro=
cpio --help 2>/dev/null | grep -q -e '--reproducible' && cpio_repro=--reproducible
for img in workload shell cmd; do
    build_initramfs $img
done

echo "$stamp_now" > "$stamp_file"
note "kernel $(cat "$out/vmlinuz.version") in build/images/vmlinuz"
