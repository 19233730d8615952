#!/bin/sh
# check-gdb.sh: Debian's gdb, in batch mode, debugs a bare-metal guest
# (tests/guests/gdbtarget.elf) through the gdbstub: attach to a CPU held
# by -S, break at a symbol, read registers and memory, single-step, set a
# write watchpoint, write a register and memory, detach and let the guest
# finish; and the same guest on a CPU without long mode, where gdb learns
# i386 from the target description. Runs against Debian's QEMU first
# (which proves the script) and then against vireo under each accelerator
# that runs guests here.
set -u
VIREO=${VIREO:-build/vireo}
GUEST=build/tests/guests/gdbtarget.elf
failed=0; ran=0

command -v gdb >/dev/null 2>&1 || { echo "skipped: gdb is not installed (Debian package gdb)"; exit 77; }
[ -f "$GUEST" ] || { echo "skipped: $GUEST is not built"; exit 77; }

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_emu GUEST SERIAL LOG EMULATOR-ARGS...: starts the emulator held by
# -S with a gdb port ($port), its pid in $pid.
start_emu() {
    guest=$1; serial=$2; log=$3; shift 3
    port=$(free_port)
    "$@" -S -gdb "tcp:127.0.0.1:$port" -display none -serial "file:$serial" \
        -no-reboot -device isa-debug-exit -kernel "$guest" </dev/null >"$log" 2>&1 &
    pid=$!
    sleep 1
}

# wait_emu: gives the emulator 10 s to finish after gdb detached; its
# exit status in $rc.
wait_emu() {
    i=0
    while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    kill $pid 2>/dev/null
    wait $pid; rc=$?
}

# run_gdb NAME EMULATOR-ARGS...: the emulator is started with -S and a
# gdb port; gdb's transcript must show each step's expected answer.
run_gdb() {
    name=$1; shift
    dir=$(mktemp -d)
    start_emu "$GUEST" "$dir/serial" "$dir/emu.log" "$@"
    cat > "$dir/cmds" <<GDB
set pagination off
set confirm off
file $GUEST
set architecture i386:x86-64
target remote 127.0.0.1:$port
break step_here
continue
printf "at-step_here=%d\n", \$pc == (long)&step_here
printf "counter=%d\n", {int}&counter
stepi
printf "after-stepi=%d\n", \$pc - (long)&step_here
delete
watch {int}&counter
continue
printf "watch-counter=%d\n", {int}&counter
delete
set var {int}&counter = 4
set var \$rax = 7
printf "rax=%d\n", (int)\$rax
x/2i \$pc
detach
GDB
    timeout 60 gdb -nx -batch -x "$dir/cmds" >"$dir/gdb.log" 2>&1
    wait_emu
    ok=1
    for want in "at-step_here=1" "counter=1" "after-stepi=1" "watch-counter=2" "rax=7"; do
        grep -q "^$want" "$dir/gdb.log" || { echo "FAIL: $name: gdb did not print '$want'"; ok=0; }
    done
    # counter was set to 4 at the second pass, so the guest finishes after
    # one more increment: the transcript is the normal one.
    grep -q "counted to 5" "$dir/serial" || { echo "FAIL: $name: the guest did not finish after detach"; ok=0; }
    if [ $ok -eq 1 ]; then
        echo "ok: gdb on $name: break at a symbol, registers, memory, stepi, watchpoint, writes, detach"
    else
        failed=$((failed + 1))
        sed 's/^/    gdb: /' "$dir/gdb.log" | tail -40
        sed 's/^/    emu: /' "$dir/emu.log" | tail -10
    fi
    rm -rf "$dir"
}

# run_gdb_modes NAME EMULATOR-ARGS...: breakpoints and single steps in real
# mode (realmode.elf's software-interrupt handler, run from a copy at
# 0x8000 with CS = 0x0800, so gdb's pc is the 16-bit offset) and in
# 64-bit mode (longmode.elf's long64).
run_gdb_modes() {
    name=$1; shift
    dir=$(mktemp -d)
    for g in realmode longmode; do
        start_emu build/tests/guests/$g.elf "$dir/$g.serial" "$dir/$g.emu" "$@"
        if [ $g = realmode ]; then
            cmds="-ex 'hbreak *(0x8000 + ((long)&rm_int_handler - (long)&rm_start))' -ex continue
                  -ex 'printf \"rm-stop=%d cs=%x\\n\", \$pc == (long)&rm_int_handler - (long)&rm_start, \$cs'
                  -ex stepi -ex 'printf \"rm-step=%d cx=%x\\n\", \$pc - ((long)&rm_int_handler - (long)&rm_start), \$rcx & 0xffff'"
        else
            cmds="-ex 'hbreak long64' -ex continue
                  -ex 'printf \"lm-stop=%d\\n\", \$pc == (long)&long64'
                  -ex stepi -ex stepi -ex 'printf \"lm-step=%d\\n\", \$pc - (long)&long64'"
        fi
        eval timeout 60 gdb -nx -batch -ex "'file build/tests/guests/$g.elf'" \
            -ex "'set architecture i386:x86-64'" -ex "'target remote 127.0.0.1:$port'" \
            $cmds -ex delete -ex detach >"$dir/$g.gdb" 2>&1
        wait_emu
    done
    # realmode: the handler's first insn is "mov $0x4242, %cx" (3 bytes);
    # longmode: long64 starts "mov $SEL_DATA32, %ax" (4) "mov %ax, %ss" (2).
    if grep -q "^rm-stop=1 cs=800" "$dir/realmode.gdb" &&
       grep -q "^rm-step=3 cx=4242" "$dir/realmode.gdb" &&
       grep -q "^lm-stop=1" "$dir/longmode.gdb" && grep -q "^lm-step=6" "$dir/longmode.gdb" &&
       grep -q "realmode: ok" "$dir/realmode.serial" && grep -q "longmode: ok" "$dir/longmode.serial"; then
        echo "ok: gdb on $name: break and stepi in real mode and in 64-bit mode, guests finish"
    else
        echo "FAIL: $name: gdb across CPU modes"; failed=$((failed + 1))
        for g in realmode longmode; do sed "s/^/    $g gdb: /" "$dir/$g.gdb" | tail -12; done
    fi
    rm -rf "$dir"
}

# run_gdb32 NAME EMULATOR-ARGS...: a CPU without long mode. gdb is not
# told the architecture: the target description must say i386, with eip
# and eax in "info registers"; then break and stepi in 32-bit protected
# mode (step_here: "nop" (1 byte), "mov $0x1234, %eax" (5)).
run_gdb32() {
    name=$1; shift
    dir=$(mktemp -d)
    start_emu "$GUEST" "$dir/serial" "$dir/emu.log" "$@"
    timeout 60 gdb -nx -batch -ex "target remote 127.0.0.1:$port" -ex "file $GUEST" \
        -ex "show architecture" -ex "break step_here" -ex continue \
        -ex "info registers eip eax" -ex stepi -ex stepi \
        -ex 'printf "step32=%d eax=%x\n", $eip - (int)&step_here, $eax' \
        -ex 'printf "regsize=%d\n", sizeof($eax) + sizeof($eip)' \
        -ex delete -ex detach >"$dir/gdb.log" 2>&1
    wait_emu
    if grep -q 'currently "i386"' "$dir/gdb.log" && grep -q "^eip  *0x" "$dir/gdb.log" &&
       grep -q "^eax  *0x" "$dir/gdb.log" && grep -q "^step32=6 eax=1234" "$dir/gdb.log" &&
       grep -q "^regsize=8" "$dir/gdb.log" && grep -q "counted to 5" "$dir/serial"; then
        echo "ok: gdb on $name (32-bit CPU): i386 description, info registers eip/eax, break and stepi"
    else
        echo "FAIL: $name: gdb on a 32-bit CPU"; failed=$((failed + 1))
        sed 's/^/    gdb: /' "$dir/gdb.log" | tail -20
        sed 's/^/    emu: /' "$dir/emu.log" | tail -5
    fi
    rm -rf "$dir"
}

if command -v qemu-system-x86_64 >/dev/null 2>&1; then
    run_gdb qemu-tcg qemu-system-x86_64 -accel tcg
    run_gdb_modes qemu-tcg qemu-system-x86_64 -accel tcg
else
    echo "qemu under gdb: skipped (qemu-system-x86 is not installed)"
fi
# QEMU picks the i386 description by binary (qemu-system-i386), vireo by
# CPU model.
if command -v qemu-system-i386 >/dev/null 2>&1; then
    run_gdb32 qemu-i386-tcg qemu-system-i386 -accel tcg
fi
for accel in tcg kvm; do
    err=$(timeout 3 "$VIREO" -accel $accel -S -display none -serial null -monitor none \
          -kernel "$GUEST" </dev/null 2>&1 >/dev/null)
    if [ $? -ne 124 ]; then
        echo "vireo-$accel under gdb: skipped ($(printf '%s' "$err" | head -1))"; continue
    fi
    ran=$((ran + 1))
    run_gdb vireo-$accel "$VIREO" -accel $accel
    run_gdb_modes vireo-$accel "$VIREO" -accel $accel
    run_gdb32 vireo-$accel "$VIREO" -accel $accel -cpu vireo32
done
# Debian's kernel: break at start_kernel, then continue to the marker.
# Debian's System.map is a stub, so the address is learnt by booting the
# kernel once (nokaslr) and reading /proc/kallsyms inside the guest.
linux_gdb() {
    accel=$1
    img=build/images
    [ -f $img/vmlinuz ] && [ -f $img/cmd.cpio.gz ] || {
        echo "linux under gdb: skipped (guest images missing)"; return; }
    addr=$(timeout 300 "$VIREO" -accel $accel -m 512M -nographic -no-reboot -kernel $img/vmlinuz \
           -initrd $img/cmd.cpio.gz -append 'console=ttyS0 panic=-1 nokaslr vireo.cmd="grep -w start_kernel /proc/kallsyms"' \
           </dev/null 2>/dev/null | tr -d '\r' | awk '$3 == "start_kernel" { print $1 }')
    if [ -z "$addr" ]; then
        echo "FAIL: linux under gdb ($accel): could not learn start_kernel's address"
        failed=$((failed + 1)); return
    fi
    port=$(free_port)
    dir=$(mktemp -d)
    "$VIREO" -accel $accel -m 512M -S -gdb "tcp:127.0.0.1:$port" -display none \
        -serial "file:$dir/serial" -no-reboot -kernel $img/vmlinuz -initrd $img/cmd.cpio.gz \
        -append 'console=ttyS0 panic=-1 nokaslr vireo.cmd=true' </dev/null >"$dir/emu.log" 2>&1 &
    pid=$!
    sleep 1
    timeout 300 gdb -nx -batch -ex "set architecture i386:x86-64" \
        -ex "target remote 127.0.0.1:$port" -ex "hbreak *0x$addr" -ex continue \
        -ex 'printf "at-start_kernel=%d\n", $pc == 0x'"$addr" -ex "info registers cr3" \
        -ex delete -ex detach >"$dir/gdb.log" 2>&1
    i=0
    while kill -0 $pid 2>/dev/null && [ $i -lt 600 ]; do sleep 0.5; i=$((i + 1)); done
    kill $pid 2>/dev/null
    wait $pid; rc=$?
    if grep -q "^at-start_kernel=1" "$dir/gdb.log" && grep -q "VIREO-CMD-EXIT 0" "$dir/serial" &&
        [ $rc -eq 0 ]; then
        echo "ok: gdb on Debian's kernel under vireo-$accel: stopped at start_kernel (0x$addr), continued to the marker"
    else
        echo "FAIL: linux under gdb ($accel): exit $rc"; failed=$((failed + 1))
        sed 's/^/    gdb: /' "$dir/gdb.log" | tail -20
        tail -5 "$dir/serial" | sed 's/^/    serial: /'
    fi
    rm -rf "$dir"
}

for accel in tcg; do
    if timeout 3 "$VIREO" -accel $accel -S -display none -serial null -monitor none \
        -kernel "$GUEST" </dev/null >/dev/null 2>&1; [ $? -eq 124 ]; then
        linux_gdb $accel
    fi
done

[ $failed -eq 0 ] || exit 1
[ $ran -gt 0 ] || exit 77
