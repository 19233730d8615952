#!/bin/sh
# check-guests.sh: runs the bare-metal test guests (tests/guests/) and
# compares each one's COM1 transcript with NAME.expected and its exit
# status with isa-debug-exit's "success" (value 0 -> status 1):
#   (a) under Debian's qemu-system-x86_64 -accel tcg, the peer that proves
#       the guests themselves;
#   (b) under build/vireo -accel kvm, skipped when /dev/kvm is missing or
#       when QEMU-KVM cannot run a tiny guest here either;
#   (c) under build/vireo -accel tcg, skipped while the software CPU is
#       not built.
# Prints one line per guest and runner; exits 0 when nothing failed, 77
# when everything was skipped, 1 otherwise. POSIX sh; run from anywhere.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
gdir=$root/build/tests/guests
vireo=$root/build/vireo
tmo=${GUEST_TIMEOUT:-20}
guests="hello realmode pmode32 longmode uart-irq pit-pic rtc-pic apic-ioapic reset92"
qemu=qemu-system-x86_64

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-guests.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

n_ok=0; n_fail=0; n_skip=0

# transcript RAW: the COM1 text after the start marker, without CRs and
# without what lies between a reset marker and the next start marker.
transcript() {
    tr -d '\r' < "$1" | awk '
        /--- guest start ---/ { on = 1; next }
        /--- guest reset ---/ { on = 0; next }
        on { print }'
}

# run_guest NAME TAG CMD...: runs CMD with the guest's options; leaves the
# exit status in $rc and the transcript in $tmp/NAME.TAG.out.
run_guest() {
    name=$1; tag=$2; shift 2
    reboot=-no-reboot
    [ "$name" = reset92 ] && reboot=
    timeout "$tmo" "$@" -nographic $reboot -device isa-debug-exit \
        -kernel "$gdir/$name.elf" < /dev/null > "$tmp/$name.$tag.raw" 2> "$tmp/$name.$tag.err"
    rc=$?
    transcript "$tmp/$name.$tag.raw" > "$tmp/$name.$tag.out"
}

# verdict NAME TAG: ok when the transcript and the exit status match; sets $why.
verdict() {
    name=$1; tag=$2
    if [ "$rc" -eq 124 ]; then
        why="timed out after $tmo s"
    elif [ "$rc" -ne 1 ]; then
        why="exit status $rc, expected 1"
    elif ! cmp -s "$root/tests/guests/$name.expected" "$tmp/$name.$tag.out"; then
        why="transcript differs from $name.expected"
    else
        return 0
    fi
    return 1
}

report() {
    printf 'guest %s under %s: %s\n' "$1" "$2" "$3"
}

show_failure() {
    name=$1; tag=$2
    diff -u "$root/tests/guests/$name.expected" "$tmp/$name.$tag.out" | sed 's/^/    /'
    if [ -s "$tmp/$name.$tag.err" ]; then
        sed -n '1,5s/^/    stderr: /p' "$tmp/$name.$tag.err"
    fi
}

# check NAME TAG CMD...: one guest under one runner, reported.
check() {
    name=$1; tag=$2; shift 2
    if [ ! -f "$gdir/$name.elf" ]; then
        report "$name" "$tag" "FAILED ($gdir/$name.elf not built: run make)"
        n_fail=$((n_fail + 1))
        return
    fi
    run_guest "$name" "$tag" "$@"
    if verdict "$name" "$tag"; then
        report "$name" "$tag" ok
        n_ok=$((n_ok + 1))
        return
    fi
    # Under KVM a guest QEMU-KVM cannot run either is a limit of this host.
    if [ "$tag" = vireo-kvm ] && [ -n "$have_qemu" ]; then
        first_why=$why
        run_guest "$name" qemu-kvm "$qemu" -accel kvm
        if ! verdict "$name" qemu-kvm; then
            report "$name" "$tag" "skipped (fails under QEMU-KVM on this host too: $why)"
            n_skip=$((n_skip + 1))
            return
        fi
        why=$first_why
    fi
    report "$name" "$tag" "FAILED ($why)"
    show_failure "$name" "$tag"
    n_fail=$((n_fail + 1))
}

skip_all() {
    for g in $guests; do
        report "$g" "$1" "skipped ($2)"
        n_skip=$((n_skip + 1))
    done
}

have_qemu=
command -v "$qemu" > /dev/null 2>&1 && have_qemu=yes

# (a) the guests under QEMU's TCG
if [ -n "$have_qemu" ]; then
    for g in $guests; do check "$g" qemu-tcg "$qemu" -accel tcg; done
else
    skip_all qemu-tcg "$qemu not installed (Debian package qemu-system-x86)"
fi

# (b) vireo with KVM
kvm_skip=
if [ ! -x "$vireo" ]; then
    kvm_skip="build/vireo not built"
elif [ ! -e /dev/kvm ]; then
    kvm_skip="no /dev/kvm on this host"
elif [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
    kvm_skip="/dev/kvm is not readable and writable by $(id -un)"
elif [ -n "$have_qemu" ]; then
    tmo_saved=$tmo; tmo=5
    run_guest hello probe "$qemu" -accel kvm
    tmo=$tmo_saved
    if ! verdict hello probe; then
        kvm_skip="QEMU-KVM cannot run a tiny guest here either: $why"
    fi
fi
if [ -n "$kvm_skip" ]; then
    skip_all vireo-kvm "$kvm_skip"
else
    for g in $guests; do check "$g" vireo-kvm "$vireo" -accel kvm; done
fi

# (c) vireo with its software CPU
tcg_skip=
if [ ! -x "$vireo" ]; then
    tcg_skip="build/vireo not built"
else
    run_guest hello probe-tcg "$vireo" -accel tcg
    # It exits 1 with a message, which is also the guest's success status:
    # the message decides.
    if grep -q "not built" "$tmp/hello.probe-tcg.err" "$tmp/hello.probe-tcg.raw"; then
        tcg_skip="software CPU not built yet"
    fi
fi
if [ -n "$tcg_skip" ]; then
    skip_all vireo-tcg "$tcg_skip"
else
    for g in $guests; do check "$g" vireo-tcg "$vireo" -accel tcg; done
fi

printf 'check-guests: %d ok, %d failed, %d skipped\n' "$n_ok" "$n_fail" "$n_skip"
[ "$n_fail" -gt 0 ] && exit 1
[ "$n_ok" -eq 0 ] && exit 77
exit 0
