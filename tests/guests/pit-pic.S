/*
 * pit-pic.S: the i8254 PIT through the master i8259. Channel 0 runs in
 * mode 2 (rate generator) at about 100 Hz on IRQ0; the guest counts ten
 * ticks, latches the counter and checks it is in range, reads the status
 * byte back with the read-back command, then runs channel 2 in mode 0
 * with its gate on port 0x61 bit 0 and waits for OUT2 (port 0x61 bit 5).
 * (Intel 82C54 datasheet: control word, counter latch, read-back.)
 */
#include "guest.h"

#define DIVISOR 11932           /* 1193182 Hz / 11932 = 100 Hz */

    .text
    .globl main
main:
    PRINT "pit-pic: start\n"
    call pic_init
    mov $PIC_BASE + 0, %eax
    mov $on_tick, %edx
    call set_handler
    mov $0x34, %al              /* channel 0, lobyte/hibyte, mode 2, binary */
    out %al, $PIT_CMD
    mov $DIVISOR & 0xff, %al
    out %al, $PIT_CH0
    mov $DIVISOR >> 8, %al
    out %al, $PIT_CH0
    mov $0, %eax
    call pic_unmask
    mov $ticks, %ebx
    mov $10, %ecx
    call wait_at_least
    cli
    PRINT "pit-pic: 10 ticks on IRQ0\n"

    /* counter latch command, eight times: each value must lie in 1..DIVISOR */
    mov $8, %esi
1:  mov $0x00, %al              /* latch channel 0 */
    out %al, $PIT_CMD
    in $PIT_CH0, %al
    mov %al, %bl
    in $PIT_CH0, %al
    mov %al, %bh
    movzwl %bx, %ebx
    test %ebx, %ebx
    jz 2f
    cmp $DIVISOR, %ebx
    ja 2f
    dec %esi
    jnz 1b
    PRINT "pit-pic: latched counter within 1..11932\n"
    jmp 3f
2:  PRINT "FAIL: latched counter 0x"
    HEX %ebx, 4
    PRINT " out of range\n"
    mov $1, %eax
    ret
3:
    /* read-back: status and count of channel 0 (bits 5/4 clear = latch both) */
    mov $0xc2, %al
    out %al, $PIT_CMD
    in $PIT_CH0, %al
    and $0x3f, %eax             /* drop OUT and NULL COUNT */
    PRINT "pit-pic: read-back status 0x"
    HEX %eax, 2
    PRINT "\n"
    in $PIT_CH0, %al
    in $PIT_CH0, %al

    /* channel 2, mode 0, gate from port 0x61 */
    in $PORT_61, %al
    and $0xfc, %al              /* gate off, speaker off */
    out %al, $PORT_61
    mov $0xb0, %al              /* channel 2, lobyte/hibyte, mode 0, binary */
    out %al, $PIT_CMD
    mov $0xff, %al
    out %al, $PIT_CH2
    out %al, $PIT_CH2
    in $PORT_61, %al
    test $0x20, %al
    jz 4f
    FAIL "OUT2 high right after mode 0 was loaded"
4:  or $0x01, %al               /* gate on: about 55 ms to terminal count */
    out %al, $PORT_61
    movl $0, ticks
    sti
5:  in $PORT_61, %al
    test $0x20, %al
    jnz 6f
    cmpl $50, ticks             /* 500 ms */
    jb 5b
    cli
    FAIL "OUT2 did not go high within 50 ticks"
6:  cli
    PRINT "pit-pic: channel 2 OUT went high\n"
    in $PORT_61, %al
    and $0xfc, %al
    out %al, $PORT_61
    in $PIC1_DATA, %al
    or $0x01, %al
    out %al, $PIC1_DATA
    PRINT "pit-pic: ok\n"
    xor %eax, %eax
    ret

on_tick:
    incl ticks
    push %eax
    mov $0, %eax
    call pic_eoi
    pop %eax
    ret

    .bss
ticks:
    .space 4
