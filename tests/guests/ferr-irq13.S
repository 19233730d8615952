/*
 * ferr-irq13.S: x87 errors reported the MS-DOS way (SDM Vol.1 8.7.2 and
 * Appendix D). With CR0.NE clear and the zero-divide exception unmasked,
 * FDIVP by zero leaves an unmasked exception pending (and, unmasked, does
 * not pop); at the next FWAIT the CPU asserts FERR#, which the PC routes
 * to IRQ13 (the slave i8259's IR5, vector PIC_BASE + 13), and no #MF is
 * raised. The IRQ13 handler writes port 0xF0 (IRQ13 off, IGNNE# on),
 * prints the status word and EOIs.
 *
 * Rounds 1 and 2: the handler also clears the error (FNCLEX, then an
 * FNSTENV/FLDENV pair: QEMU drops IGNNE# only when a status word with ES
 * clear is loaded, the chipset when FERR# goes away; the pair satisfies
 * both), so the next error interrupts again. Round 3: the handler leaves
 * the error pending; IGNNE# alone lets the FWAIT and a following FLD1 and
 * FWAIT go on, with no further IRQ13 and ES still set.
 *
 * IRQ13 is masked in the 8259 while the FWAIT runs and the next PIT tick
 * (IRQ0, 100 Hz) unmasks it. A real CPU (and vireo) freezes before the
 * FWAIT with FERR# asserted, the tick wakes it, and IRQ13, latched by the
 * 8259, follows as soon as it is unmasked; the handler returns to the
 * FWAIT, which then goes on. QEMU instead completes the FWAIT and takes
 * IRQ13 after the tick. The guest waits for the IRQ13 count either way,
 * so both print the same. (The mask is there for QEMU 7.2, which aborts
 * when FERR# reaches its CPU interrupt line from the FWAIT helper: it
 * does not take its global lock there, a bug fixed in later releases.)
 *
 * TOP is left out of the printed status word: QEMU completes (and pops)
 * an FDIVP whose unmasked zero-divide should leave the destination and
 * TOP unchanged (SDM Vol.1 4.9.2, 8.5.3); vireo and the hardware do not.
 */
#include "guest.h"

#define IRQ_FERR 13
#define CR0_MP 0x02
#define CR0_EM 0x04
#define CR0_TS 0x08
#define CR0_NE 0x20

#define IRQ_FERR 13
#define CR0_MP 0x02
#define CR0_EM 0x04
#define CR0_TS 0x08
#define CR0_NE 0x20
#define DIVISOR 11932           /* 1193182 Hz / 11932 = 100 Hz */

    .text
    .globl main
main:
    PRINT "ferr-irq13: start\n"
    call pic_init
    mov $PIC_BASE + IRQ_FERR, %eax
    mov $on_irq13, %edx
    call set_handler
    mov $PIC_BASE + 0, %eax
    mov $on_tick, %edx
    call set_handler
    mov $0x34, %al              /* PIT channel 0, lobyte/hibyte, mode 2 */
    out %al, $PIT_CMD
    mov $DIVISOR & 0xff, %al
    out %al, $PIT_CH0
    mov $DIVISOR >> 8, %al
    out %al, $PIT_CH0
    mov $0, %eax
    call pic_unmask
    mov %cr0, %eax
    and $~(CR0_NE | CR0_EM | CR0_TS), %eax
    or $CR0_MP, %eax
    mov %eax, %cr0
    PRINT "ferr-irq13: CR0.NE clear, zero divide unmasked\n"
    fninit
    fldcw cw_zm
    sti

    movl $0, keep_error
    mov $1, %ecx
    call round
    PRINT "ferr-irq13: round 1 done after FWAIT\n"
    mov $2, %ecx
    call round
    PRINT "ferr-irq13: round 2 done after FWAIT\n"

    movl $1, keep_error
    mov $3, %ecx
    call round
    PRINT "ferr-irq13: round 3 done after FWAIT\n"
    fld1                        /* waiting, ES set: IGNNE# lets it run */
    fwait
    cmpl $3, irq13_count
    jne 1f
    fnstsw %ax
    test $0x80, %al
    jz 2f
    PRINT "ferr-irq13: ES still set, no IRQ13 while IGNNE# is asserted\n"
    cli
    fninit
    PRINT "ferr-irq13: ok\n"
    xor %eax, %eax
    ret
1:  FAIL "an IRQ13 while IGNNE# was asserted"
2:  FAIL "ES clear after round 3"

/* round: IRQ13 masked and armed for the next tick; 1.0 / 0.0 with ZM
 * clear, then FWAIT; returns once irq13_count reaches %ecx. */
round:
    push %eax
    push %ebx
    in $PIC2_DATA, %al
    or $1 << (IRQ_FERR - 8), %al
    out %al, $PIC2_DATA
    movl $1, arm_irq13
    fld1
    fldz
    .byte 0xde, 0xf9            /* FDIVP ST(1), ST(0): ST(1) = 1 / 0 */
    fwait
    mov $irq13_count, %ebx
    call wait_at_least
    pop %ebx
    pop %eax
    ret

/* IRQ0: the first tick after round armed it unmasks IRQ13. */
on_tick:
    push %eax
    cmpl $0, arm_irq13
    je 1f
    movl $0, arm_irq13
    mov $IRQ_FERR, %eax
    call pic_unmask
1:  mov $0, %eax
    call pic_eoi
    pop %eax
    ret

/* IRQ13: port 0xF0 first, then the status word, then (unless
 * keep_error) the error is cleared; EOI to both PICs. */
on_irq13:
    push %eax
    xor %al, %al
    out %al, $0xf0
    incl irq13_count
    fnstsw %ax
    and $0x00bf, %eax           /* ES, SF and the six flags (see above) */
    PRINT "ferr-irq13: IRQ13, FSW & BFh = "
    HEX %eax, 4
    PRINT "\n"
    cmpl $0, keep_error
    jne 1f
    fnclex
    fnstenv fpu_env
    fldenv fpu_env
1:  mov $IRQ_FERR, %eax
    call pic_eoi
    pop %eax
    ret

    .data
cw_zm:
    .word 0x037b                /* all masked but ZM (bit 2), 64-bit precision */
    .align 4
irq13_count:
    .long 0
keep_error:
    .long 0
arm_irq13:
    .long 0
fpu_env:
    .space 28
