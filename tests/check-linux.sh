#!/bin/sh
# check-linux.sh: Debian's kernel on vireo, under each accelerator that
# can boot it here:
#   - the workload initramfs reaches its marker, prints VIREO-RESULT lines
#     equal to the ones the host computes with the same scripts, and
#     powers off through ACPI with exit status 0;
#   - the shell initramfs answers a command typed on the serial console.
# An accelerator that cannot run here is skipped with the reason: no
# /dev/kvm, a host KVM that cannot boot Linux under QEMU either (a short
# probe), or a software CPU that is not built yet. Exit 77 if all skipped.
set -u
VIREO=${VIREO:-build/vireo}
IMG=build/images
TCG_TIMEOUT=${TCG_TIMEOUT:-900}
KVM_TIMEOUT=${KVM_TIMEOUT:-120}
ran=0; failed=0

for f in vmlinuz workload.cpio.gz shell.cpio.gz cmd.cpio.gz; do
    if [ ! -f "$IMG/$f" ]; then
        echo "skipped: $IMG/$f missing (run scripts/build-guest-images.sh)"; exit 77
    fi
done
command -v python3 >/dev/null 2>&1 || { echo "skipped: python3 is not installed"; exit 77; }
expected=$(scripts/guest/expected-results.sh 2>&1) || {
    echo "skipped: cannot compute the expected results on the host: $expected"; exit 77; }

# Why accelerator $1 cannot boot Linux here, or nothing if it can.
why_not() {
    case $1 in
    kvm)
        if [ ! -e /dev/kvm ]; then echo "no /dev/kvm on this host"; return; fi
        if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
            echo "qemu-system-x86 is not installed, so whether this host's KVM boots Linux is unknown"; return
        fi
        # The host's KVM may run small guests but not Linux (e.g. kvm_pvm):
        # ask QEMU-KVM first, briefly.
        out=$(timeout 25 qemu-system-x86_64 -accel kvm -m 512 -nographic -no-reboot \
              -kernel "$IMG/vmlinuz" -initrd "$IMG/cmd.cpio.gz" \
              -append 'console=ttyS0 panic=-1 vireo.cmd=true' </dev/null 2>&1)
        printf '%s' "$out" | grep -q 'VIREO-CMD-EXIT 0' ||
            echo "this host's KVM cannot boot Linux under QEMU-KVM either (25 s probe)"
        ;;
    tcg)
        err=$(timeout 5 "$VIREO" -accel tcg -S -display none -serial null -monitor none \
              -kernel "$IMG/vmlinuz" </dev/null 2>&1 >/dev/null)
        [ $? -eq 124 ] || echo "$(printf '%s' "$err" | head -1)"
        ;;
    esac
}

run_workload() {
    accel=$1; limit=$2
    log=$(mktemp)
    timeout "$limit" "$VIREO" -accel "$accel" -m 512M -nographic -no-reboot \
        -kernel "$IMG/vmlinuz" -initrd "$IMG/workload.cpio.gz" \
        -append "console=ttyS0 panic=-1" </dev/null >"$log" 2>&1
    rc=$?
    got=$(tr -d '\r' <"$log" | grep '^VIREO-RESULT')
    if ! grep -q 'VIREO-MARKER: init started' "$log"; then
        echo "FAIL: linux workload under $accel: no marker (exit $rc)"; tail -20 "$log"; failed=$((failed + 1))
    elif [ "$got" != "$expected" ]; then
        echo "FAIL: linux workload under $accel: results differ"; echo "got:"; echo "$got"
        echo "expected:"; echo "$expected"; failed=$((failed + 1))
    elif [ $rc -ne 0 ]; then
        echo "FAIL: linux workload under $accel: exit status $rc after poweroff"; failed=$((failed + 1))
    else
        echo "ok: linux workload under $accel: marker, results equal the host's, exit 0"
        tr -d '\r' <"$log" | grep '^VIREO-TIME' | sed 's/^/    /'
    fi
    rm -f "$log"
}

for accel in kvm tcg; do
    reason=$(why_not $accel)
    if [ -n "$reason" ]; then
        echo "linux under $accel: skipped ($reason)"; continue
    fi
    ran=$((ran + 1))
    limit=$TCG_TIMEOUT; [ $accel = kvm ] && limit=$KVM_TIMEOUT
    run_workload $accel $limit
    if python3 tests/scripts/serial_shell_driver.py "$limit" -- "$VIREO" -accel $accel -m 512M \
        -nographic -no-reboot -kernel "$IMG/vmlinuz" -initrd "$IMG/shell.cpio.gz" \
        -append "console=ttyS0 panic=-1"; then
        echo "ok: linux shell under $accel"
    else
        echo "FAIL: linux shell under $accel"; failed=$((failed + 1))
    fi
done
[ $failed -eq 0 ] || exit 1
[ $ran -gt 0 ] || exit 77
exit 0
