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
 * Last, a far jump into a code segment whose limit ends inside a MOV
 * (SDM Vol.3 5.3: every instruction byte must lie within the CS limit,
 * else #GP(0) at that instruction); both paths come back to SEL_CODE32.
 *
 * Each outcome is printed with the SDM's answer in segments.expected.
 * QEMU-TCG, the peer, checks neither data segment limits nor the CS limit
 * here and runs the accesses without a fault: segments.qemu-diff lists
 * those lines for the qemu-tcg run (see tests/check-guests.sh).
 */
#include "guest.h"

#define SEL_XD32 0x30
#define SEL_XD16 0x38
#define SEL_SMALLCS 0x40

    .text
    .globl main
main:
    mov $13, %eax
    mov $on_gp, %edx
    call set_handler
    mov $my_gdt, %edi
    call copy_gdt
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
    PRINT "segments: B=1 read at 0xffe (straddles the limit): "
    call report_gp
    movl $resume2, gp_resume
    mov %es:0x10, %eax              /* below the limit */
    jmp resume2                     /* QEMU-TCG: no fault (see above) */
resume2:
    PRINT "segments: B=1 read at 0x10 (below the limit): "
    call report_gp
    mov $SEL_XD16, %ax
    mov %ax, %es
    mov %es:0xfffc, %eax            /* the last valid dword */
    PRINT "segments: B=0 read at 0xfffc is fine\n"
    movl $resume3, gp_resume
    mov %es:0xfffe, %eax            /* runs past 0xFFFF */
    jmp resume3                     /* QEMU-TCG: no fault (see above) */
resume3:
    PRINT "segments: B=0 read at 0xfffe (runs past 0xffff): "
    call report_gp
    movl $resume4, gp_resume
    mov %es:0x100000, %eax          /* beyond 0xFFFF */
    jmp resume4                     /* QEMU-TCG: no fault (see above) */
resume4:
    PRINT "segments: B=0 read at 0x100000 (beyond 0xffff): "
    call report_gp
    mov $SEL_DATA32, %ax
    mov %ax, %es
    PRINT "segments: data reads done\n"

    /* CS limit (SDM Vol.3 5.3): a code segment based at cs_chunk with
     * limit 3 ends inside the MOV there; fetching it must raise #GP(0)
     * with CS:EIP pointing at the MOV (offset 2). */
    mov $cs_chunk, %eax
    mov %eax, %edx
    shl $16, %eax
    or $3, %eax                     /* limit 3 */
    mov %eax, my_gdt + 8 * 8
    mov %edx, %eax
    and $0xff000000, %eax
    shr $16, %edx
    and $0xff, %edx
    or %edx, %eax
    or $0x00409a00, %eax            /* present code, 32-bit, byte granular */
    mov %eax, my_gdt + 8 * 8 + 4
    movl $resume5, gp_resume
    ljmp $SEL_SMALLCS, $0
resume5:
    PRINT "segments: MOV past the CS limit: "
    call report_gp
    PRINT "segments: CS limit run done\n"
    lgdt gdt_desc
    PRINT "segments: ok\n"
    xor %eax, %eax
    ret

/* Prints "#GP(err)" when a #GP came since the last call (with "at
 * cs:eip" when it was not in SEL_CODE32), else "no fault"; keeps
 * registers. */
report_gp:
    pushal
    mov gp_count, %eax
    cmp gp_seen, %eax
    je 1f
    mov %eax, gp_seen
    PRINT "#GP("
    HEX gp_err, 4
    PRINT ")"
    cmpl $SEL_CODE32, gp_cs
    je 2f
    PRINT " at "
    HEX gp_cs, 4
    PRINT ":"
    HEX gp_eip, 8
2:  PRINT "\n"
    popal
    ret
1:  PRINT "no fault\n"
    popal
    ret

/* #GP handler: counts the fault and records where it was, resumes at
 * SEL_CODE32:gp_resume. */
on_gp:
    mov %eax, %ebx
    incl gp_count
    mov F_ERR(%ebx), %eax
    mov %eax, gp_err
    mov F_CS(%ebx), %eax
    mov %eax, gp_cs
    mov F_EIP(%ebx), %eax
    mov %eax, gp_eip
    mov gp_resume, %eax
    mov %eax, F_EIP(%ebx)
    movl $SEL_CODE32, F_CS(%ebx)
    ret

/* Runs through SEL_SMALLCS (base cs_chunk, limit 3): the MOV straddles
 * the limit. If it ever ran, the far jump would come back. */
cs_chunk:
    nop
    nop
    mov $7, %eax
    ljmp $SEL_CODE32, $resume5

    .data
    .align 8
my_gdt:
    .skip 6 * 8
    .quad 0x0040960000000fff        /* 0x30: data, expand-down, B=1, limit 0xfff */
    .quad 0x0000960000000fff        /* 0x38: data, expand-down, B=0, limit 0xfff */
    .quad 0                         /* 0x40: code, base cs_chunk, limit 3 (built) */
my_gdt_end:
my_gdt_desc:
    .word my_gdt_end - my_gdt - 1
    .long my_gdt
gp_resume:
    .long 0
gp_count:
    .long 0
gp_seen:
    .long 0
gp_err:
    .long 0
gp_cs:
    .long 0
gp_eip:
    .long 0
