#!/bin/sh
# bench-kvm.sh: two figures for the KVM accelerator, vireo beside QEMU in
# the same invocation:
#   - launch-to-exit: wall time of a whole run of the hello guest (start
#     the emulator, boot, print a line, debug-exit), median of 5 runs;
#   - port I/O exits: the bench-pio guest writes port 0x80 1,000,000 times;
#     its run time minus the launch-to-exit time gives the rate of
#     OUT round trips (exit to user space, dispatch, re-entry).
# Without /dev/kvm (or with a KVM that cannot run guests) both KVM columns
# are skipped with the reason, and QEMU's TCG figures are printed for
# reference. Run by `make bench`; POSIX sh plus GNU date (+%s%N).
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
gdir=$root/build/tests/guests
vireo=$root/build/vireo
qemu=qemu-system-x86_64
runs=5
pio_count=1000000

for g in hello bench-pio; do
    if [ ! -f "$gdir/$g.elf" ]; then
        echo "bench-kvm: $gdir/$g.elf not built (run make)" >&2
        exit 1
    fi
done

now_ns() { date +%s%N; }

# one_run GUEST CMD...: runs the guest once; prints its wall time in
# nanoseconds, or nothing if it did not end with debug-exit status 1.
one_run() {
    guest=$1; shift
    t0=$(now_ns)
    timeout 60 "$@" -nographic -no-reboot -device isa-debug-exit \
        -kernel "$gdir/$guest.elf" < /dev/null > /dev/null 2>&1
    rc=$?
    t1=$(now_ns)
    [ "$rc" -eq 1 ] && echo $((t1 - t0))
}

# median GUEST CMD...: median wall time (ns) of $runs runs, or nothing.
median() {
    guest=$1; shift
    list=
    i=0
    while [ "$i" -lt "$runs" ]; do
        t=$(one_run "$guest" "$@")
        [ -n "$t" ] || return 0
        list="$list $t"
        i=$((i + 1))
    done
    printf '%s\n' $list | sort -n | sed -n "$(( (runs + 1) / 2 ))p"
}

ms() { awk -v ns="$1" 'BEGIN { printf "%.1f ms", ns / 1e6 }'; }

# measure LABEL CMD...: sets $launch and $pio (ns), empty on failure.
measure() {
    label=$1; shift
    launch=$(median hello "$@")
    pio=
    if [ -n "$launch" ]; then
        pio=$(median bench-pio "$@")
    fi
    if [ -z "$launch" ] || [ -z "$pio" ]; then
        echo "  $label: FAILED (a guest did not end with debug-exit status 1)"
        launch=; pio=
        return
    fi
    # A difference within 5% of the launch time is run-to-run noise.
    rate=$(awk -v a="$launch" -v b="$pio" -v n="$pio_count" 'BEGIN {
        d = b - a; if (d <= a * 0.05) print "n/a (within launch noise)"
        else printf "%.0f OUTs/s", n / (d / 1e9) }')
    printf '  %-10s launch-to-exit %s, port I/O %s (bench-pio %s)\n' \
        "$label" "$(ms "$launch")" "$rate" "$(ms "$pio")"
}

have_qemu=
command -v "$qemu" > /dev/null 2>&1 && have_qemu=yes

kvm_skip=
if [ ! -e /dev/kvm ]; then
    kvm_skip="no /dev/kvm on this host"
elif [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
    kvm_skip="/dev/kvm is not readable and writable by $(id -un)"
elif [ -n "$have_qemu" ] && [ -z "$(one_run hello timeout 5 "$qemu" -accel kvm)" ]; then
    kvm_skip="QEMU-KVM cannot run the hello guest here"
fi

echo "bench-kvm: hello launch-to-exit and bench-pio port I/O ($pio_count OUTs), median of $runs runs"
if [ -n "$kvm_skip" ]; then
    echo "bench-kvm: vireo-KVM and QEMU-KVM skipped: $kvm_skip"
    if [ -n "$have_qemu" ]; then
        echo "bench-kvm: QEMU-TCG for reference:"
        measure qemu-tcg "$qemu" -accel tcg
    else
        echo "bench-kvm: QEMU-TCG reference skipped: $qemu not installed"
    fi
    exit 0
fi

v_launch=; v_pio=; q_launch=; q_pio=
if [ -x "$vireo" ]; then
    measure vireo-kvm "$vireo" -accel kvm
    v_launch=$launch; v_pio=$pio
else
    echo "  vireo-kvm: skipped (build/vireo not built)"
fi
if [ -n "$have_qemu" ]; then
    measure qemu-kvm "$qemu" -accel kvm
    q_launch=$launch; q_pio=$pio
else
    echo "  qemu-kvm: skipped ($qemu not installed)"
fi
if [ -n "$v_launch" ] && [ -n "$q_launch" ]; then
    awk -v vl="$v_launch" -v ql="$q_launch" -v vp="$v_pio" -v qp="$q_pio" 'BEGIN {
        vd = vp - vl; qd = qp - ql
        printf "  ratio vireo/qemu: launch-to-exit time %.2f", vl / ql
        if (vd > vl * 0.05 && qd > ql * 0.05) printf ", port I/O rate %.2f", qd / vd
        printf "\n" }'
fi
exit 0
