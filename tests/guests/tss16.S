/*
 * tss16.S: task switches through a 16-bit (80286) TSS and the 16-bit
 * gates, from 32-bit protected mode at CPL 0 (SDM Vol.3 7.3, 7.6 and
 * Figure 7-10 "16-Bit TSS Format", 5.8.3 call gates, 6.11/6.12 interrupt
 * and trap gates). Task A runs the runtime's code with a 32-bit TSS; task
 * B is 16-bit code with a 16-bit TSS, code and data segments of its own.
 *   1. CALL to B's TSS: B sees the registers and segments of its TSS, FS
 *      null, TR = B, NT set; B calls a 16-bit call gate, takes INTs through
 *      a 16-bit trap gate and a 16-bit interrupt gate, and returns by IRET
 *      (NT). A checks B's TSS as saved in the 16-bit layout.
 *   2. JMP to B: B resumes where its IRET left it, with NT clear, and
 *      JMPs back to A's 32-bit TSS; the busy bits follow.
 *   3. INT through a task gate to B: a nested switch (NT, back link);
 *      B's IRET returns.
 * Only the low 16 bits of B's registers are printed: the SDM leaves the
 * upper halves undefined after a switch to a 16-bit task.
 */
#include "guest.h"

#define SEL_TSSA    0x30    /* task A: 32-bit TSS */
#define SEL_TSSB    0x38    /* task B: 16-bit TSS */
#define SEL_CODE16B 0x40    /* B's code: base t16_code, limit 0xffff, 16-bit */
#define SEL_DATA16B 0x48    /* B's data and stack: base t16_data, limit 0xffff */
#define SEL_CGATE16 0x50    /* 16-bit call gate to SEL_CODE16B:g16 */

/* Offsets of B's code and data in its own segments. */
#define CODE16(l) ((l) - t16_code)
#define DATA16(l) ((l) - t16_data)

/* Prints "text" then the word at addr in hex. */
.macro SHOWW text, addr
    PRINT "\text"
    movzwl \addr, %eax
    HEX %eax, 4
.endm

    .text
    .globl main
main:
    call pic_init                   /* all IRQs masked: B may run with IF set */
    call build_gdt
    call build_tss_b
    call build_idt
    mov $SEL_TSSA, %ax
    ltr %ax
    PRINT "tss16: task A on a 32-bit TSS\n"

    mov $0xa5a5a5a5, %ebx
    lcall $SEL_TSSB, $0
    cmp $0xa5a5a5a5, %ebx
    je 1f
    FAIL "A's EBX was not restored after B's IRET"
1:  SHOWW "tss16: CALL: B sees BX=", b_bx
    SHOWW " FS=", b_fs
    SHOWW " TR=", b_tr
    PRINT " NT="
    movzwl b_flags1, %eax
    shr $14, %eax
    and $1, %eax
    HEX %eax, 1
    PRINT "\n"
    SHOWW "tss16: 16-bit call gate: pushed CS=", g_cs
    PRINT " IP "
    cmpw $CODE16(b_after_call), g_ip
    call print_ok
    PRINT "\n"
    SHOWW "tss16: 16-bit trap gate: pushed CS=", t_cs
    PRINT " IF inside="
    movzwl t_flags, %eax
    shr $9, %eax
    and $1, %eax
    HEX %eax, 1
    PRINT "\n"
    SHOWW "tss16: 16-bit interrupt gate: pushed CS=", i_cs
    PRINT " IF inside="
    movzwl i_flags, %eax
    shr $9, %eax
    and $1, %eax
    HEX %eax, 1
    PRINT "\n"
    SHOWW "tss16: B's 16-bit TSS after IRET: link=", tss_b
    PRINT " IP "
    cmpw $CODE16(b_phase2), tss_b + 0x0e
    call print_ok
    SHOWW " FLAGS=", tss_b + 0x10
    SHOWW " AX=", tss_b + 0x12
    SHOWW " BX=", tss_b + 0x18
    SHOWW " SP=", tss_b + 0x1a
    SHOWW " CS=", tss_b + 0x24
    PRINT "\n"
    call print_types

    ljmp $SEL_TSSB, $0
    cmp $0xa5a5a5a5, %ebx
    je 1f
    FAIL "A's EBX was not restored after B's JMP"
1:  SHOWW "tss16: JMP: B resumed, mark=", b_mark2
    PRINT " NT="
    movzwl b_flags2, %eax
    shr $14, %eax
    and $1, %eax
    HEX %eax, 1
    PRINT "; back in A by JMP, A's saved NT="
    mov tss_a + 0x24, %eax
    shr $14, %eax
    and $1, %eax
    HEX %eax, 1
    PRINT "\n"
    call print_types

    int $0x81
    cmp $0xa5a5a5a5, %ebx
    je 1f
    FAIL "A's EBX was not restored after the task-gate return"
1:  SHOWW "tss16: INT 0x81 through a task gate: B mark=", b_mark3
    PRINT " NT="
    movzwl b_flags3, %eax
    shr $14, %eax
    and $1, %eax
    HEX %eax, 1
    SHOWW " link=", tss_b
    PRINT "; back in A by IRET\n"
    call print_types
    PRINT "tss16: ok\n"
    xor %eax, %eax
    ret

/* Prints "ok" when ZF is set, "wrong" otherwise. */
print_ok:
    jne 1f
    PRINT "ok"
    ret
1:  PRINT "wrong"
    ret

/* Prints the descriptor types of A's and B's TSS (busy or available). */
print_types:
    PRINT "tss16: TSS types: A="
    movzbl my_gdt + SEL_TSSA + 5, %eax
    and $0xf, %eax
    HEX %eax, 1
    PRINT " B="
    movzbl my_gdt + SEL_TSSB + 5, %eax
    and $0xf, %eax
    HEX %eax, 1
    PRINT "\n"
    ret

/* make_desc: descriptor at %edi from base %eax, limit %ebx (20 bits) and
 * the attribute bits %ecx of the high dword (type, S, DPL, P, D, G). */
make_desc:
    pushal
    mov %ebx, %edx
    and $0xffff, %edx
    mov %eax, %esi
    shl $16, %esi
    or %esi, %edx
    mov %edx, (%edi)
    mov %eax, %edx
    shr $16, %edx
    and $0xff, %edx
    and $0xff000000, %eax
    or %eax, %edx
    and $0xf0000, %ebx
    or %ebx, %edx
    or %ecx, %edx
    mov %edx, 4(%edi)
    popal
    ret

/* The runtime's GDT plus A's and B's TSS, B's segments and the call gate. */
build_gdt:
    mov $my_gdt, %edi
    call copy_gdt
    lea my_gdt + SEL_TSSA, %edi
    mov $tss_a, %eax
    mov $103, %ebx
    mov $0x8900, %ecx               /* present 32-bit TSS, available */
    call make_desc
    lea my_gdt + SEL_TSSB, %edi
    mov $tss_b, %eax
    mov $43, %ebx
    mov $0x8100, %ecx               /* present 16-bit TSS, available */
    call make_desc
    lea my_gdt + SEL_CODE16B, %edi
    mov $t16_code, %eax
    mov $0xffff, %ebx
    mov $0x9a00, %ecx               /* present code, readable, 16-bit */
    call make_desc
    lea my_gdt + SEL_DATA16B, %edi
    mov $t16_data, %eax
    mov $0xffff, %ebx
    mov $0x9200, %ecx               /* present data, writable, 16-bit */
    call make_desc
    movl $(SEL_CODE16B << 16) + CODE16(g16), my_gdt + SEL_CGATE16
    movl $0x8400, my_gdt + SEL_CGATE16 + 4    /* present 16-bit call gate */
    lgdt my_gdt_desc
    ret

/* B's first state (SDM Vol.3 Figure 7-10). */
build_tss_b:
    movw $CODE16(b_entry), tss_b + 0x0e
    movw $0x0002, tss_b + 0x10
    movw $0x1234, tss_b + 0x18       /* BX */
    movw $0x0ff0, tss_b + 0x1a       /* SP */
    movw $SEL_DATA16B, tss_b + 0x22  /* ES */
    movw $SEL_CODE16B, tss_b + 0x24  /* CS */
    movw $SEL_DATA16B, tss_b + 0x26  /* SS */
    movw $SEL_DATA16B, tss_b + 0x28  /* DS */
    ret

/* IDT: 0x80 16-bit trap gate, 0x82 16-bit interrupt gate (both to B's
 * code), 0x81 task gate to B. */
build_idt:
    sidt idt_ptr
    mov idt_ptr + 2, %ebx
    movl $(SEL_CODE16B << 16) + CODE16(i16_trap), 0x80 * 8(%ebx)
    movl $0x8700, 0x80 * 8 + 4(%ebx)
    movl $(SEL_TSSB << 16), 0x81 * 8(%ebx)
    movl $0x8500, 0x81 * 8 + 4(%ebx)
    movl $(SEL_CODE16B << 16) + CODE16(i16_int), 0x82 * 8(%ebx)
    movl $0x8600, 0x82 * 8 + 4(%ebx)
    ret

/* ---- task B: 16-bit code, offsets relative to t16_code ---- */
    .code16
t16_code:
b_entry:
    mov %bx, DATA16(b_bx)
    mov %fs, %ax
    mov %ax, DATA16(b_fs)
    str %ax
    mov %ax, DATA16(b_tr)
    pushf
    pop %ax
    mov %ax, DATA16(b_flags1)
    lcall $SEL_CGATE16, $0
b_after_call:
    sti
    int $0x80
    int $0x82
    cli
    iret                            /* NT: back to A */
b_phase2:
    pushf
    pop %ax
    mov %ax, DATA16(b_flags2)
    movw $0x2222, DATA16(b_mark2)
    ljmp $SEL_TSSA, $0
b_phase3:
    pushf
    pop %ax
    mov %ax, DATA16(b_flags3)
    movw $0x3333, DATA16(b_mark3)
    iret
    jmp b_phase3

/* Target of the 16-bit call gate: records the pushed IP and CS. */
g16:
    mov %sp, %bp
    mov (%bp), %ax
    mov %ax, DATA16(g_ip)
    mov 2(%bp), %ax
    mov %ax, DATA16(g_cs)
    lret

/* GATE16_HANDLER flags, cs: a 16-bit gate's handler that records FLAGS
 * inside it and the pushed CS. */
.macro GATE16_HANDLER flags, cs
    pushf
    pop %ax
    mov %ax, DATA16(\flags)
    mov %sp, %bp
    mov 2(%bp), %ax
    mov %ax, DATA16(\cs)
    iret
.endm
i16_trap:
    GATE16_HANDLER t_flags, t_cs
i16_int:
    GATE16_HANDLER i_flags, i_cs
    .code32

    .data
    .align 8
my_gdt:
    .skip 11 * 8
my_gdt_end:
my_gdt_desc:
    .word my_gdt_end - my_gdt - 1
    .long my_gdt
idt_ptr:
    .word 0
    .long 0
    .align 16
tss_a:
    .skip 104
    .align 16
tss_b:
    .skip 44
    .align 16
t16_data:
b_bx:     .word 0
b_fs:     .word 0xffff
b_tr:     .word 0
b_flags1: .word 0
b_flags2: .word 0
b_flags3: .word 0
b_mark2:  .word 0
b_mark3:  .word 0
g_ip:     .word 0
g_cs:     .word 0
t_flags:  .word 0
t_cs:     .word 0
i_flags:  .word 0
i_cs:     .word 0
    .skip 0x1000 - 28
