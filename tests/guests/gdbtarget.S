/*
 * gdbtarget.S: the guest that tests/check-gdb.sh debugs with real gdb. It
 * counts "counter" up to 5, calling step_here each time, then prints its
 * result and exits. The symbols (main, loop_top, step_here, counter) are
 * what gdb breaks on, steps through and watches.
 */
#include "guest.h"

    .text
    .globl main
main:
    movl $0, counter
    .globl loop_top
loop_top:
    incl counter
    call step_here
    cmpl $5, counter
    jne loop_top
    PRINT "gdbtarget: counted to 5\n"
    xor %eax, %eax
    ret

    .globl step_here
step_here:
    nop
    mov $0x1234, %eax
    add $1, %eax
    ret

    .data
    .globl counter
    .align 4
counter:
    .long 0
