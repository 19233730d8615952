/*
 * paging.S: PAE paging from 32-bit protected mode (SDM Vol.3 4.4): a
 * 2 MiB identity page for the guest itself, and 4 KiB pages above it with
 * the protections the walker must enforce. Each #PF is caught, its error
 * code and CR2 printed, and the guest resumes after the faulting access:
 *   0x200000 read-only   : a write faults with P|W (CR0.WP is set)
 *   0x201000 NX          : a fetch faults with P|I (EFER.NXE is set)
 *   0x202000 not present : a read faults with error code 0
 *   0x203000 writable    : a write succeeds and sets Accessed and Dirty
 * Then two things that must be exact inside a translated block: a REP
 * STOSB that runs into the not-present page stops with ECX/EDI telling
 * how far it got (SDM Vol.1 7.3.9.1: restartable), and a store that
 * rewrites the next instruction's immediate is seen by that instruction
 * (SDM Vol.3 8.1.3, self-modifying code).
 */
#include "guest.h"

#define PTE_P   0x001
#define PTE_W   0x002
#define PTE_A   0x020
#define PTE_D   0x040
#define PTE_PS  0x080
#define MSR_EFER 0xc0000080

    .text
    .globl main
main:
    mov $14, %eax
    mov $on_pf, %edx
    call set_handler
    call build_tables
    mov %cr4, %eax
    or $0x20, %eax                  /* CR4.PAE */
    mov %eax, %cr4
    mov $MSR_EFER, %ecx
    rdmsr
    or $0x800, %eax                 /* EFER.NXE */
    wrmsr
    mov $pdpt, %eax
    mov %eax, %cr3
    mov %cr0, %eax
    or $0x80010000, %eax            /* CR0.PG | CR0.WP */
    mov %eax, %cr0
    PRINT "paging: PAE on\n"

    movl $resume1, pf_resume
    movl $1, 0x200000               /* read-only page */
    FAIL "write to a read-only page did not fault"
resume1:
    movl $resume2, pf_resume
    mov 0x202000, %eax              /* not-present page */
    FAIL "read of a not-present page did not fault"
resume2:
    movl $resume3, pf_resume
    call 0x201000                   /* NX page */
    FAIL "fetch from an NX page did not fault"
resume3:
    add $4, %esp                    /* the return address the call pushed */
    mov 0x200000, %eax              /* reading the read-only page is fine */
    movl $5, 0x203000
    mov pt + 3 * 8, %eax
    and $(PTE_A | PTE_D), %eax
    cmp $(PTE_A | PTE_D), %eax
    je 1f
    FAIL "accessed/dirty bits not set by a write"
1:  PRINT "paging: write to 0x203000 set Accessed and Dirty\n"
    movl $resume4, pf_resume
    cld
    mov $0x201ff8, %edi             /* 8 bytes before the not-present page */
    mov $16, %ecx
    mov $0xab, %al
    rep stosb
    FAIL "REP STOSB into a not-present page did not fault"
resume4:
    PRINT "paging: REP STOSB stopped with ECX 0x"
    HEX fault_ecx, 2
    PRINT " EDI 0x"
    HEX fault_edi, 8
    PRINT "\n"
    mov $smc_insn + 1, %edi
    movl $0x12345678, (%edi)        /* the immediate of the next instruction */
smc_insn:
    mov $0, %eax
    cmp $0x12345678, %eax
    je 2f
    FAIL "a store into the next instruction was not seen"
2:  PRINT "paging: self-modifying code seen by the next instruction\n"
    mov %cr0, %eax
    and $0x7fffffff, %eax
    mov %eax, %cr0
    PRINT "paging: ok\n"
    xor %eax, %eax
    ret

/* #PF handler: prints the error code and CR2, resumes at pf_resume. */
on_pf:
    mov %eax, %ebx
    PRINT "paging: #PF error code 0x"
    HEX F_ERR(%ebx), 2
    PRINT " CR2 0x"
    mov %cr2, %eax
    HEX %eax, 8
    PRINT "\n"
    mov F_ECX(%ebx), %eax
    mov %eax, fault_ecx
    mov F_EDI(%ebx), %eax
    mov %eax, fault_edi
    mov pf_resume, %eax
    mov %eax, F_EIP(%ebx)
    ret

build_tables:
    mov $pdpt, %edi
    mov $((pt_end - pdpt) / 4), %ecx
    xor %eax, %eax
    rep stosl
    movl $(pd + PTE_P), pdpt
    movl $(0x000000 + PTE_P + PTE_W + PTE_PS), pd
    movl $(pt + PTE_P + PTE_W), pd + 8
    movl $(0x200000 + PTE_P), pt                    /* read-only */
    movl $(0x201000 + PTE_P + PTE_W), pt + 8        /* NX: bit 63 */
    movl $0x80000000, pt + 8 + 4
    movl $(0x203000 + PTE_P + PTE_W), pt + 3 * 8    /* writable */
    ret

    .data
    .align 4
pf_resume:
    .long 0
fault_ecx:
    .long 0
fault_edi:
    .long 0

    .bss
    .align 4096
pdpt:
    .skip 4096
pd:
    .skip 4096
pt:
    .skip 4096
pt_end:
