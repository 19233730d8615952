/*
 * segments.S: expand-down data segments from 32-bit protected mode (SDM
 * Vol.3 5.3 "Limit checking"). The guest copies the runtime's GDT into
 * its own, adds two expand-down data descriptors (limit 0xfff, base 0;
 * one with B=1, one with B=0), loads each into ES and reads through it:
 *   B=1: valid offsets are 0x1000..0xFFFFFFFF
 *   B=0: valid offsets are 0x1000..0xFFFF
 * A read outside raises #GP(0) (SDM Vol.3 5.3); the handler counts it and
 * resumes after the access. The handler runs with DS untouched (flat), so
 * only ES carries the segment under test.
 *
 * QEMU-TCG, the peer these transcripts are proved against, does not check
 * data segment limits at all, so it runs the out-of-range reads without a
 * fault. Following the SDM, vireo faults on them. Those outcomes are
 * therefore left out of the transcript: the guest executes the reads (so
 * vireo must fault and resume cleanly, or fall through, without hanging)
 * but prints only what both agree on. The faults themselves are checked by
 * tests/unit/test-x86-translate-system.c.
 */
#include "guest.h"

#define SEL_XD32 0x30
#define SEL_XD16 0x38

    .text
    .globl main
main:
    mov $13, %eax
    mov $on_gp, %edx
    call set_handler
    sgdt old_gdt
    mov old_gdt + 2, %esi
    mov $my_gdt, %edi
    mov $12, %ecx                   /* the runtime's six descriptors */
    cld
    rep movsl
    lgdt my_gdt_desc
    PRINT "segments: GDT with expand-down descriptors loaded\n"

    mov $SEL_XD32, %ax
    mov %ax, %es
    mov %es:0x1000, %eax            /* just above the limit: valid */
    mov %es:0x100000, %eax
    PRINT "segments: B=1 reads at 0x1000 and 0x100000 are fine\n"
    movl $resume1, gp_resume
    mov %es:0xffe, %eax             /* straddles the limit */
    jmp resume1                     /* QEMU-TCG: no fault (see above) */
resume1:
    movl $resume2, gp_resume
    mov %es:0x10, %eax              /* below the limit */
    jmp resume2                     /* QEMU-TCG: no fault (see above) */
resume2:
    mov $SEL_XD16, %ax
    mov %ax, %es
    mov %es:0xfffc, %eax            /* the last valid dword */
    PRINT "segments: B=0 read at 0xfffc is fine\n"
    movl $resume3, gp_resume
    mov %es:0xfffe, %eax            /* runs past 0xFFFF */
    jmp resume3                     /* QEMU-TCG: no fault (see above) */
resume3:
    movl $resume4, gp_resume
    mov %es:0x100000, %eax          /* beyond 0xFFFF */
    jmp resume4                     /* QEMU-TCG: no fault (see above) */
resume4:
    mov $SEL_DATA32, %ax
    mov %ax, %es
    lgdt old_gdt
    PRINT "segments: ok\n"
    xor %eax, %eax
    ret

/* #GP handler: counts the fault, resumes at gp_resume. */
on_gp:
    mov %eax, %ebx
    incl gp_count
    mov gp_resume, %eax
    mov %eax, F_EIP(%ebx)
    ret

    .data
    .align 8
my_gdt:
    .skip 6 * 8
    .quad 0x0040960000000fff        /* 0x30: data, expand-down, B=1, limit 0xfff */
    .quad 0x0000960000000fff        /* 0x38: data, expand-down, B=0, limit 0xfff */
my_gdt_end:
my_gdt_desc:
    .word my_gdt_end - my_gdt - 1
    .long my_gdt
old_gdt:
    .word 0
    .long 0
gp_resume:
    .long 0
gp_count:
    .long 0
