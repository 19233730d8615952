/*
 * pmode32.S: 32-bit protected mode with the runtime's GDT and IDT. It
 * provokes #UD, #DE, #BP, #GP (with its error code) and a software
 * interrupt, then turns on 32-bit paging with 4 MiB pages (SDM Vol.3 4.3)
 * and takes a #PF on an unmapped page, checking CR2 and the error code.
 * Each handler checks the saved EIP and moves it past the faulting
 * instruction.
 */
#include "guest.h"

#define UNMAPPED 0x40001234     /* inside the second, not-present 1 GiB */

    .text
    .globl main
main:
    PRINT "pmode32: protected mode, IDT loaded\n"

    mov $6, %eax
    mov $on_ud, %edx
    call set_handler
    movl $0, hits
ud_insn:
    ud2
    cmpl $1, hits
    je 1f
    FAIL "#UD handler did not run"
1:
    mov $0, %eax
    mov $on_de, %edx
    call set_handler
    mov $100, %eax
    xor %edx, %edx
    xor %ecx, %ecx
de_insn:
    div %ecx                    /* 2 bytes: f7 f1 */
    cmpl $2, hits
    je 1f
    FAIL "#DE handler did not run"
1:
    mov $3, %eax
    mov $on_bp, %edx
    call set_handler
bp_insn:
    int3
bp_next:
    cmpl $3, hits
    je 1f
    FAIL "#BP handler did not run"
1:
    mov $13, %eax
    mov $on_gp, %edx
    call set_handler
    mov $0x1230, %ax            /* GDT index 0x246: beyond the GDT limit */
gp_insn:
    mov %ax, %fs                /* 2 bytes: 8e e0 */
    cmpl $4, hits
    je 1f
    FAIL "#GP handler did not run"
1:
    mov $0x40, %eax
    mov $on_soft, %edx
    call set_handler
    mov $0x11111111, %ebx
    int $0x40
    cmp $0x22222222, %ebx
    je 1f
    FAIL "int 0x40 did not update the saved EBX"
1:
    call paging_test
    PRINT "pmode32: ok\n"
    xor %eax, %eax
    ret

/* Handlers: %eax points at the interrupt frame (guest.h F_*). */
on_ud:
    cmpl $ud_insn, F_EIP(%eax)
    jne bad_eip
    PRINT "pmode32: #UD caught at the ud2\n"
    addl $2, F_EIP(%eax)
    incl hits
    ret

on_de:
    cmpl $de_insn, F_EIP(%eax)
    jne bad_eip
    PRINT "pmode32: #DE caught at the div\n"
    addl $2, F_EIP(%eax)
    incl hits
    ret

on_bp:
    cmpl $bp_next, F_EIP(%eax)      /* #BP is a trap: EIP is past int3 */
    jne bad_eip
    PRINT "pmode32: #BP trap, eip after int3\n"
    incl hits
    ret

on_gp:
    cmpl $gp_insn, F_EIP(%eax)
    jne bad_eip
    PRINT "pmode32: #GP caught, error code 0x"
    HEX F_ERR(%eax), 4
    PRINT "\n"
    addl $2, F_EIP(%eax)
    incl hits
    ret

on_soft:
    PRINT "pmode32: int 0x40 handler\n"
    movl $0x22222222, F_EBX(%eax)
    ret

on_pf:
    cmpl $pf_insn, F_EIP(%eax)
    jne bad_eip
    PRINT "pmode32: #PF caught, cr2 0x"
    push %ecx
    mov %cr2, %ecx
    HEX %ecx, 8
    pop %ecx
    PRINT " error code 0x"
    HEX F_ERR(%eax), 1
    PRINT "\n"
    movl $pf_next, F_EIP(%eax)
    incl hits
    ret

bad_eip:
    mov %eax, %ebx
    PRINT "FAIL: wrong saved eip 0x"
    HEX F_EIP(%ebx), 8
    PRINT " for vector "
    DECIMAL F_VEC(%ebx)
    PRINT "\n"
    mov $1, %eax
    jmp guest_exit

/*
 * paging_test: a page directory with one present 4 MiB identity page per
 * 4 MiB of the first GiB (SDM Vol.3 4.3, Table 4-4), PSE on, paging on;
 * a write to UNMAPPED then faults with "not present, write, supervisor".
 */
paging_test:
    pushal
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $22, %eax
    or $0x83, %eax              /* present, writable, PS */
    mov %eax, page_dir(,%ecx,4)
    inc %ecx
    cmp $256, %ecx
    jne 1b
    mov $14, %eax
    mov $on_pf, %edx
    call set_handler
    mov $page_dir, %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $0x10, %eax              /* CR4.PSE */
    mov %eax, %cr4
    mov %cr0, %eax
    or $0x80000000, %eax        /* CR0.PG */
    mov %eax, %cr0
    PRINT "pmode32: paging on\n"
pf_insn:
    movw $0x5a5a, UNMAPPED
pf_next:
    cmpl $5, hits
    je 2f
    FAIL "#PF handler did not run"
2:  mov %cr0, %eax
    and $0x7fffffff, %eax
    mov %eax, %cr0
    PRINT "pmode32: paging off\n"
    popal
    ret

    .bss
    .align 4096
page_dir:
    .space 4096
hits:
    .space 4
