#!/bin/sh
# check-guests.sh: runs the bare-metal test guests (tests/guests/) and
# compares each one's COM1 transcript with NAME.expected and its exit
# status with isa-debug-exit's "success" (value 0 -> status 1):
#   (a) under Debian's qemu-system-x86_64 -accel tcg, the peer that proves
#       the guests themselves;
#   (b) under build/vireo -accel kvm, skipped when /dev/kvm is missing or
#       when QEMU-KVM cannot run a tiny guest here either;
#   (c) under build/vireo -accel tcg, skipped while the software CPU is
#       not built;
#   (d) build/vireo -accel kvm on a scripted fake /dev/kvm (LD_PRELOAD of
#       tests/guests/fake-kvm.c): reset, interrupt injection, kick and
#       shutdown paths, on any host.
# Where QEMU-TCG departs from the SDM, NAME.expected holds the SDM's
# answer and NAME.qemu-diff lists QEMU-TCG's differing lines with the
# reason; they are applied to the expected transcript of the qemu-tcg run
# only (qemu_expected), and every other line must still match. Where a
# runner lacks a whole feature (QEMU 7.2's TCG has no VME), its transcript
# is NAME.RUNNER.expected, e.g. vme.qemu-tcg.expected.
# Prints one line per guest and runner; exits 0 when nothing failed, 77
# when everything was skipped, 1 otherwise. Each run has a 20 s timeout
# (GUEST_TIMEOUT); once the script has taken 100 s (GUEST_BUDGET) the
# remaining runs are skipped, so a hanging emulator cannot stall make
# check. POSIX sh; run from anywhere.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
gdir=$root/build/tests/guests
vireo=$root/build/vireo
tmo=${GUEST_TIMEOUT:-20}
budget=${GUEST_BUDGET:-100}     # seconds; later runs are skipped past it
started=$(date +%s)
guests="hello realmode pmode32 longmode uart-irq pit-pic rtc-pic apic-ioapic reset92 gdbtarget paging segments vme ferr-irq13 segchk tss16 debugreg smep-smap"
[ $# -gt 0 ] && guests="$*"     # e.g. sh tests/check-guests.sh pmode32 longmode
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

# qemu_expected NAME OUT: NAME.expected with the documented QEMU-TCG
# deviations of NAME.qemu-diff applied, into OUT. Each "-LINE" must be
# followed by its "+LINE" and must match the next not yet replaced line of
# NAME.expected, in order; "#" lines are the reasons. Fails (status 1) on a
# malformed entry or one that names no line of NAME.expected (stale).
qemu_expected() {
    awk -v diff="$root/tests/guests/$1.qemu-diff" '
        BEGIN {
            n = 0; want = 0; bad = 0
            while ((getline l < diff) > 0) {
                if (l ~ /^#/ || l == "") continue
                if (l ~ /^-/ && !want) { old[++n] = substr(l, 2); want = 1 }
                else if (l ~ /^[+]/ && want) { new[n] = substr(l, 2); want = 0 }
                else bad = 1
            }
            if (want) bad = 1
            i = 1
        }
        { if (i <= n && $0 == old[i]) { print new[i]; i++ } else print }
        END { if (bad || i <= n) exit 1 }' "$root/tests/guests/$1.expected" > "$2"
}

# verdict NAME TAG: ok when the transcript and the exit status match; sets
# $why, and $exp to the expected transcript it compared with: NAME.TAG.expected
# where a runner lacks a whole feature (the guest says why), NAME.expected
# with NAME.qemu-diff applied for QEMU-TCG's documented deviations, else
# NAME.expected.
verdict() {
    name=$1; tag=$2
    exp=$root/tests/guests/$name.expected
    if [ -f "$root/tests/guests/$name.$tag.expected" ]; then
        exp=$root/tests/guests/$name.$tag.expected
    elif [ "$tag" = qemu-tcg ] && [ -f "$root/tests/guests/$name.qemu-diff" ]; then
        if ! qemu_expected "$name" "$tmp/$name.qemu-expected"; then
            why="$name.qemu-diff does not apply to $name.expected (malformed or stale)"
            return 1
        fi
        exp=$tmp/$name.qemu-expected
    fi
    if [ "$rc" -eq 124 ]; then
        why="timed out after $tmo s"
    elif [ "$rc" -ne 1 ]; then
        why="exit status $rc, expected 1"
    elif ! cmp -s "$exp" "$tmp/$name.$tag.out"; then
        why="transcript differs from $(basename "$exp")"
        [ "$exp" = "$tmp/$name.qemu-expected" ] && why="transcript differs from $name.expected with $name.qemu-diff applied"
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
    diff -u "$exp" "$tmp/$name.$tag.out" | sed 's/^/    /'
    if [ -s "$tmp/$name.$tag.err" ]; then
        sed -n '1,5s/^/    stderr: /p' "$tmp/$name.$tag.err"
    fi
}

# check NAME TAG CMD...: one guest under one runner, reported.
check() {
    name=$1; tag=$2; shift 2
    if [ $(( $(date +%s) - started )) -gt "$budget" ]; then
        report "$name" "$tag" "skipped (the script's $budget s budget is used up)"
        n_skip=$((n_skip + 1))
        return
    fi
    if [ ! -f "$gdir/$name.elf" ]; then
        report "$name" "$tag" "FAILED ($gdir/$name.elf not built: run make)"
        n_fail=$((n_fail + 1))
        return
    fi
    run_guest "$name" "$tag" "$@"
    if verdict "$name" "$tag"; then
        if [ "$exp" = "$root/tests/guests/$name.$tag.expected" ]; then
            report "$name" "$tag" "ok (matches $name.$tag.expected, this runner's documented transcript)"
        elif [ "$exp" != "$root/tests/guests/$name.expected" ]; then
            report "$name" "$tag" "ok (with the $(grep -c '^-' "$root/tests/guests/$name.qemu-diff") documented deviations of $name.qemu-diff)"
        else
            report "$name" "$tag" ok
        fi
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

# qemu_opts NAME: the extra QEMU options of NAME.qemu-opts, if any (a CPU
# model that has the features the guest tests: QEMU's default lacks some).
qemu_opts() {
    [ -f "$root/tests/guests/$1.qemu-opts" ] && cat "$root/tests/guests/$1.qemu-opts"
}

have_qemu=
command -v "$qemu" > /dev/null 2>&1 && have_qemu=yes

# (a) the guests under QEMU's TCG
if [ -n "$have_qemu" ]; then
    for g in $guests; do
        # shellcheck disable=SC2046 # the options are words
        check "$g" qemu-tcg "$qemu" -accel tcg $(qemu_opts "$g")
    done
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

# (d) vireo's KVM accelerator end to end on a scripted fake /dev/kvm
# (tests/guests/fake-kvm.c, preloaded): the board, the vCPU thread, the
# kick signal, a port 0x92 reset, PIC/PIT and local APIC interrupts injected
# after HLT, MMIO, and the shutdown on SIGTERM, on any host.
fake_report() {
    report hello "vireo-kvm on a fake /dev/kvm ($1)" "$2"
    case $2 in
    ok) n_ok=$((n_ok + 1)) ;;
    skipped*) n_skip=$((n_skip + 1)) ;;
    *) n_fail=$((n_fail + 1)) ;;
    esac
}
fake_skip=
if [ ! -x "$vireo" ]; then
    fake_skip="build/vireo not built"
elif ! "${CC:-cc}" -shared -fPIC -O1 -o "$tmp/fake-kvm.so" "$root/tests/guests/fake-kvm.c" \
        -ldl > "$tmp/fake-cc.err" 2>&1; then
    fake_skip="cannot build tests/guests/fake-kvm.c: $(head -n 1 "$tmp/fake-cc.err")"
fi
if [ -n "$fake_skip" ]; then
    for what in "reset script" "PIT interrupts via HLT and KVM_INTERRUPT" \
                "local APIC over MMIO, its timer's interrupts" "SIGTERM while in KVM_RUN"; do
        fake_report "$what" "skipped ($fake_skip)"
    done
else
    for script in reset irq apic; do
        case $script in
        reset) what="reset script"; expect='first\nsecond\n' ;;
        irq) what="PIT interrupts via HLT and KVM_INTERRUPT"; expect='vector 20\n' ;;
        apic) what="local APIC over MMIO, its timer's interrupts"
              expect='apic version 14\nvector 41\n' ;;
        esac
        timeout "$tmo" env LD_PRELOAD="$tmp/fake-kvm.so" FAKE_KVM_SCRIPT=$script \
            ASAN_OPTIONS=verify_asan_link_order=0 "$vireo" -accel kvm -nographic \
            -device isa-debug-exit -kernel "$gdir/hello.elf" < /dev/null \
            > "$tmp/fake.raw" 2> "$tmp/fake.err"
        rc=$?
        # the interrupt scripts print their last line five times
        tr -d '\r' < "$tmp/fake.raw" | uniq > "$tmp/fake.out"
        printf '%b' "$expect" > "$tmp/fake.expected"
        n_lines=$(tr -d '\r' < "$tmp/fake.raw" | grep -c '^vector')
        if [ "$rc" -eq 1 ] && cmp -s "$tmp/fake.expected" "$tmp/fake.out" &&
           { [ "$script" = reset ] || [ "$n_lines" -eq 5 ]; }; then
            fake_report "$what" ok
        else
            fake_report "$what" "FAILED (exit status $rc, expected 1; output and stderr follow)"
            sed 's/^/    /' "$tmp/fake.raw"
            sed -n '1,5s/^/    stderr: /p' "$tmp/fake.err"
        fi
    done
    timeout -k 5 -s TERM 2 env LD_PRELOAD="$tmp/fake-kvm.so" FAKE_KVM_SCRIPT=block \
        ASAN_OPTIONS=verify_asan_link_order=0 "$vireo" -accel kvm -nographic \
        -device isa-debug-exit -kernel "$gdir/hello.elf" < /dev/null > /dev/null 2>&1
    rc=$?
    if [ "$rc" -eq 124 ]; then
        fake_report "SIGTERM while in KVM_RUN" ok
    else
        fake_report "SIGTERM while in KVM_RUN" "FAILED (exit status $rc: vireo did not end within 5 s of SIGTERM)"
    fi
fi

printf 'check-guests: %d ok, %d failed, %d skipped\n' "$n_ok" "$n_fail" "$n_skip"
[ "$n_fail" -gt 0 ] && exit 1
[ "$n_ok" -eq 0 ] && exit 77
exit 0
