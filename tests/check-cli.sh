#!/bin/sh
# check-cli.sh: the command line's error discipline. Every bad option,
# value or file gives exactly one line on stderr naming it, and exit
# status 1; -h, -version and -d help succeed.
set -u
VIREO=${VIREO:-build/vireo}
fail=0

expect_error() {
    # expect_error "what it must mention" args...
    want=$1; shift
    err=$("$VIREO" "$@" 2>&1 >/dev/null </dev/null)
    rc=$?
    lines=$(printf '%s\n' "$err" | grep -c .)
    if [ "$rc" -ne 1 ] || [ "$lines" -ne 1 ] || ! printf '%s' "$err" | grep -q -- "$want"; then
        echo "FAIL: vireo $*: exit $rc, stderr: $err"
        fail=1
    else
        echo "ok: vireo $* -> $err"
    fi
}

expect_ok() {
    want=$1; shift
    out=$("$VIREO" "$@" 2>&1 </dev/null)
    rc=$?
    if [ "$rc" -ne 0 ] || ! printf '%s' "$out" | grep -q -- "$want"; then
        echo "FAIL: vireo $*: exit $rc"
        fail=1
    else
        echo "ok: vireo $* (exit 0)"
    fi
}

expect_error "-bogus" -bogus
expect_error "unknown option" notanoption
expect_error "-m" -m 12Q
expect_error "-m" -m
expect_error "-accel" -accel warp
expect_error "-cpu pentium9" -cpu pentium9
expect_error "-kernel /nonexistent/vmlinuz" -kernel /nonexistent/vmlinuz
expect_error "-bios" -bios /nonexistent.bin
expect_error "-serial" -serial telnet:1
expect_error "-d" -d bogus_item
expect_error "-device" -device isa-debug-exit,iobase
expect_error "/dev/null" -kernel /dev/null
expect_error "-display" -display gtk
expect_error "-monitor" -monitor telnet:x
expect_error "-qmp" -qmp stdio
if [ ! -e /dev/kvm ] && [ -f build/tests/guests/hello.elf ]; then
    expect_error "use -accel tcg" -accel kvm -kernel build/tests/guests/hello.elf
fi
expect_ok "usage" -h
expect_ok "vireo version" -version
expect_ok "guest_errors" -d help
expect_ok "vireo32" -cpu help

tmp=$(mktemp)
printf 'not a kernel at all' > "$tmp"
expect_error "$tmp" -accel kvm -kernel "$tmp"
rm -f "$tmp"
exit $fail
