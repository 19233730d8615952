/*
 * apic-ioapic.S: the local APIC and the I/O APIC with the i8259s masked.
 * The guest checks IA32_APIC_BASE, enables the local APIC through its
 * spurious-vector register, routes the PIT (I/O APIC pin 2: ISA IRQ0 per
 * the MP/ACPI interrupt-source override) to vector 0x40 and counts five
 * interrupts ended by a local APIC EOI, then runs the local APIC timer in
 * one-shot and in periodic mode (SDM Vol.3 11.5.4; 82093AA datasheet for
 * the I/O APIC registers).
 */
#include "guest.h"

#define MSR_APIC_BASE 0x1b
#define LAPIC       0xfee00000
#define LAPIC_VER   0x030
#define LAPIC_TPR   0x080
#define LAPIC_EOI   0x0b0
#define LAPIC_SVR   0x0f0
#define LAPIC_TIMER 0x320
#define LAPIC_ICR   0x380       /* timer initial count */
#define LAPIC_CCR   0x390       /* timer current count */
#define LAPIC_DCR   0x3e0
#define IOAPIC      0xfec00000
#define IOREGSEL    0x00
#define IOWIN       0x10
#define VEC_PIT     0x40
#define VEC_ONESHOT 0x41
#define VEC_PERIOD  0x42
#define VEC_SPUR    0xff

    .text
    .globl main
main:
    PRINT "apic-ioapic: start\n"
    call pic_init
    mov $MSR_APIC_BASE, %ecx
    rdmsr
    mov %eax, %ebx
    and $0xfffff000, %ebx
    cmp $LAPIC, %ebx
    je 1f
    FAIL "IA32_APIC_BASE is not 0xfee00000"
1:  test $0x800, %eax
    jnz 2f
    FAIL "IA32_APIC_BASE global enable is clear"
2:  PRINT "apic-ioapic: APIC base 0xfee00000, enabled\n"
    mov LAPIC + LAPIC_VER, %eax
    and $0xf0, %eax
    cmp $0x10, %eax
    je 3f
    FAIL "local APIC version is not 0x1X (integrated)"
3:  PRINT "apic-ioapic: integrated local APIC\n"
    mov $VEC_SPUR, %eax
    mov $on_spurious, %edx
    call set_handler
    movl $0x100 | VEC_SPUR, LAPIC + LAPIC_SVR
    movl $0, LAPIC + LAPIC_TPR

    /* I/O APIC: version register, then pin 2 -> VEC_PIT */
    mov $1, %eax
    call ioapic_read
    shr $16, %eax
    and $0xff, %eax
    inc %eax
    PRINT "apic-ioapic: I/O APIC with "
    DECIMAL %eax
    PRINT " pins\n"
    mov $VEC_PIT, %eax
    mov $on_pit, %edx
    call set_handler
    mov $0x10 + 2 * 2 + 1, %eax  /* pin 2, high dword: destination APIC 0 */
    xor %edx, %edx
    call ioapic_write
    mov $0x10 + 2 * 2, %eax      /* fixed, physical, edge, active high, unmasked */
    mov $VEC_PIT, %edx
    call ioapic_write
    call ioapic_read
    and $~0x1000, %eax           /* delivery status */
    PRINT "apic-ioapic: pin 2 entry 0x"
    HEX %eax, 8
    PRINT "\n"
    mov $0x34, %al               /* PIT channel 0, mode 2, 100 Hz */
    out %al, $PIT_CMD
    mov $(11932 & 0xff), %al
    out %al, $PIT_CH0
    mov $(11932 >> 8), %al
    out %al, $PIT_CH0
    mov $pit_ticks, %ebx
    mov $5, %ecx
    call wait_at_least
    cli
    mov $0x10 + 2 * 2, %eax
    mov $0x10000 | VEC_PIT, %edx /* masked */
    call ioapic_write
    PRINT "apic-ioapic: 5 PIT interrupts through I/O APIC pin 2\n"

    /* local APIC timer, one-shot */
    mov $VEC_ONESHOT, %eax
    mov $on_oneshot, %edx
    call set_handler
    movl $0x0b, LAPIC + LAPIC_DCR    /* divide by 1 */
    movl $VEC_ONESHOT, LAPIC + LAPIC_TIMER
    movl $1000000, LAPIC + LAPIC_ICR
    mov $oneshot_ticks, %ebx
    mov $1, %ecx
    call wait_at_least
    cli
    mov LAPIC + LAPIC_CCR, %eax
    test %eax, %eax
    jz 4f
    FAIL "timer current count not 0 after the one-shot"
4:  PRINT "apic-ioapic: one-shot timer fired, current count 0\n"

    /* local APIC timer, periodic (LVT bit 17) */
    mov $VEC_PERIOD, %eax
    mov $on_periodic, %edx
    call set_handler
    movl $0x20000 | VEC_PERIOD, LAPIC + LAPIC_TIMER
    movl $1000000, LAPIC + LAPIC_ICR
    mov $periodic_ticks, %ebx
    mov $5, %ecx
    call wait_at_least
    cli
    mov LAPIC + LAPIC_CCR, %eax
    movl $0x10000 | VEC_PERIOD, LAPIC + LAPIC_TIMER
    movl $0, LAPIC + LAPIC_ICR
    test %eax, %eax
    jnz 5f
    FAIL "timer current count 0 in periodic mode"
5:  PRINT "apic-ioapic: periodic timer fired 5 times\n"
    cmpl $1, oneshot_ticks
    je 6f
    FAIL "the one-shot timer fired more than once"
6:  PRINT "apic-ioapic: ok\n"
    xor %eax, %eax
    ret

on_pit:
    incl pit_ticks
    movl $0, LAPIC + LAPIC_EOI
    ret
on_oneshot:
    incl oneshot_ticks
    movl $0, LAPIC + LAPIC_EOI
    ret
on_periodic:
    incl periodic_ticks
    movl $0, LAPIC + LAPIC_EOI
    ret
on_spurious:                    /* no EOI for the spurious vector (SDM 11.9) */
    ret

/* ioapic_read: %eax = I/O APIC register %eax. */
ioapic_read:
    mov %eax, IOAPIC + IOREGSEL
    mov IOAPIC + IOWIN, %eax
    ret

/* ioapic_write: I/O APIC register %eax = %edx. */
ioapic_write:
    mov %eax, IOAPIC + IOREGSEL
    mov %edx, IOAPIC + IOWIN
    ret

    .bss
pit_ticks:
    .space 4
oneshot_ticks:
    .space 4
periodic_ticks:
    .space 4
