#!/bin/sh
# check-tcg-linux.sh: boots Debian's kernel (build/images/vmlinuz, made by
# scripts/build-guest-images.sh) with cmd.cpio.gz under build/vireo
# -accel tcg (backends in $TCG_LINUX_BACKENDS, default "jit"; "jit interp"
# adds the interpreter, about two minutes), runs a few busybox commands in user
# space (integer and SSE2 string code, pipes, fork/exec, /proc) and checks
# their output and the "VIREO-CMD-EXIT 0" line. Exits 77 when the images
# or the binary are missing, 0 when every run passed, 1 otherwise.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
vireo=$root/build/vireo
img=$root/build/images
tmo=${LINUX_TIMEOUT:-180}

if [ ! -x "$vireo" ]; then
    echo "check-tcg-linux: $vireo not built (make build/vireo)"
    exit 77
fi
if [ ! -f "$img/vmlinuz" ] || [ ! -f "$img/cmd.cpio.gz" ]; then
    echo "check-tcg-linux: no guest images in $img (run scripts/build-guest-images.sh)"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-tcg-linux.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

cmd="echo sum \$((6 * 7)); ls / | wc -l; grep -c processor /proc/cpuinfo; echo abc | tr a-c x-z"
fail=0
for backend in ${TCG_LINUX_BACKENDS:-jit}; do
    timeout "$tmo" "$vireo" -accel tcg,backend=$backend -nographic -no-reboot -m 256 \
        -kernel "$img/vmlinuz" -initrd "$img/cmd.cpio.gz" \
        -append "console=ttyS0 quiet vireo.cmd=\"$cmd\"" < /dev/null > "$tmp/out" 2>&1
    rc=$?
    tr -d '\r' < "$tmp/out" > "$tmp/log"
    if [ $rc -eq 124 ]; then
        why="timed out after $tmo s"
    elif ! grep -q '^VIREO-CMD-EXIT 0$' "$tmp/log"; then
        why="no VIREO-CMD-EXIT 0"
    elif ! grep -q '^sum 42$' "$tmp/log" || ! grep -q '^xyz$' "$tmp/log" ||
         ! grep -q '^12$' "$tmp/log" || ! grep -q '^1$' "$tmp/log"; then
        why="command output differs"
    else
        echo "linux under vireo-tcg ($backend): ok"
        continue
    fi
    echo "linux under vireo-tcg ($backend): FAILED ($why)"
    tail -20 "$tmp/log" | sed 's/^/    /'
    fail=1
done
exit $fail
