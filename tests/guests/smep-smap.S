/*
 * smep-smap.S: supervisor-mode execution and access prevention (SDM
 * Vol.3 4.6) from 32-bit protected mode at CPL 0 with PAE paging. The
 * guest itself sits in a 2 MiB supervisor page; two 4 KiB pages above it
 * are user pages (U/S = 1 at every level):
 *   0x200000 user code (a RET) and, at its start, GDT entries 3-5;
 *   0x201000 user data.
 * It checks CPUID.7.0:EBX SMEP (bit 7) and SMAP (bit 20), then:
 *   - with CR4.SMEP a supervisor fetch from the user page is a #PF with
 *     P|I (I/D is set by SMEP even with EFER.NXE = 0), without it a call
 *     there returns;
 *   - with CR4.SMAP and EFLAGS.AC = 0 a read and a write of the user page
 *     fault (P, P|W); after STAC both work; after CLAC the read faults
 *     again;
 *   - an implicit supervisor access (a segment load reading a GDT entry on
 *     the user page) faults with AC = 0 and, at CPL 0, is allowed by
 *     STAC (SDM 4.6.1: implicit accesses honour AC below CPL 3).
 * Each #PF prints its error code and CR2. QEMU-TCG runs this guest with
 * -cpu max (smep-smap.qemu-opts), as its default model has neither.
 */
#include "guest.h"

#define PTE_P   0x001
#define PTE_W   0x002
#define PTE_U   0x004
#define PTE_PS  0x080
#define CR4_PAE  0x20
#define CR4_SMEP 0x100000
#define CR4_SMAP 0x200000
#define GDT_COPY (0x200000 - 0x18)  /* entries 0-2 below the user page */

    .text
    .globl main
main:
    mov $14, %eax
    mov $on_pf, %edx
    call set_handler
    mov $7, %eax
    xor %ecx, %ecx
    cpuid
    PRINT "smep-smap: CPUID SMEP "
    mov %ebx, %eax
    shr $7, %eax
    and $1, %eax
    DECIMAL %eax
    PRINT " SMAP "
    mov %ebx, %eax
    shr $20, %eax
    and $1, %eax
    DECIMAL %eax
    PRINT "\n"
    call build_tables
    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4
    mov $pdpt, %eax
    mov %eax, %cr3
    mov %cr0, %eax
    or $0x80000000, %eax            /* CR0.PG */
    mov %eax, %cr0
    movb $0xc3, 0x200100            /* RET on the user page */

    PRINT "smep-smap: call to a user page without SMEP\n"
    call 0x200100
    mov %cr4, %eax
    or $CR4_SMEP, %eax
    mov %eax, %cr4
    PRINT "smep-smap: call to a user page with SMEP\n"
    movl $1f, pf_resume
    call 0x200100
    FAIL "a supervisor fetch from a user page did not fault"
1:  add $4, %esp                    /* the return address the call pushed */

    mov %cr4, %eax
    or $CR4_SMAP, %eax
    mov %eax, %cr4
    PRINT "smep-smap: CR4 0x"
    mov %cr4, %eax
    HEX %eax, 8
    PRINT "\nsmep-smap: SMAP, AC=0: read, then write\n"
    movl $1f, pf_resume
    mov 0x201000, %eax
    FAIL "a read of a user page with SMAP did not fault"
1:  movl $1f, pf_resume
    movl $3, 0x201000
    FAIL "a write to a user page with SMAP did not fault"
1:  stac
    movl $9, 0x201004
    mov 0x201004, %eax
    clac
    cmp $9, %eax
    je 1f
    FAIL "STAC did not allow the access"
1:  PRINT "smep-smap: STAC: read and write allowed\n"
    PRINT "smep-smap: CLAC: read\n"
    movl $1f, pf_resume
    mov 0x201000, %eax
    FAIL "a read after CLAC did not fault"
1:  PRINT "smep-smap: segment load from a GDT entry on the user page, AC=0\n"
    call gdt_on_user_page
    movl $1f, pf_resume
    mov $SEL_DATA16, %ax
    mov %ax, %fs
    FAIL "an implicit access to a user page did not fault"
1:  stac
    mov $SEL_DATA16, %ax
    mov %ax, %fs
    clac
    PRINT "smep-smap: the same load after STAC works\n"
    xor %eax, %eax
    mov %ax, %fs
    lgdt saved_gdtr
    mov %cr4, %eax
    and $~(CR4_SMEP | CR4_SMAP), %eax
    mov %eax, %cr4
    mov %cr0, %eax
    and $0x7fffffff, %eax
    mov %eax, %cr0
    PRINT "smep-smap: ok\n"
    xor %eax, %eax
    ret

/* Copies the runtime's GDT to GDT_COPY (STAC: it reaches the user page)
 * and loads it. */
gdt_on_user_page:
    sgdt saved_gdtr
    stac
    movzwl saved_gdtr, %ecx
    inc %ecx
    mov saved_gdtr + 2, %esi
    mov $GDT_COPY, %edi
    cld
    rep movsb
    clac
    mov saved_gdtr, %ax
    mov %ax, new_gdtr
    movl $GDT_COPY, new_gdtr + 2
    lgdt new_gdtr
    ret

/* #PF handler: prints the error code and CR2, resumes at pf_resume. */
on_pf:
    mov %eax, %ebx
    PRINT "smep-smap: #PF error code 0x"
    HEX F_ERR(%ebx), 2
    PRINT " CR2 0x"
    mov %cr2, %eax
    HEX %eax, 8
    PRINT "\n"
    mov pf_resume, %eax
    mov %eax, F_EIP(%ebx)
    ret

build_tables:
    mov $pdpt, %edi
    mov $((pt_end - pdpt) / 4), %ecx
    xor %eax, %eax
    rep stosl
    movl $(pd + PTE_P), pdpt
    movl $(0x000000 + PTE_P + PTE_W + PTE_PS), pd          /* supervisor */
    movl $(pt + PTE_P + PTE_W + PTE_U), pd + 8
    movl $(0x200000 + PTE_P + PTE_W + PTE_U), pt            /* user code */
    movl $(0x201000 + PTE_P + PTE_W + PTE_U), pt + 8        /* user data */
    ret

    .data
    .align 4
pf_resume:
    .long 0
    .align 8
saved_gdtr:
    .word 0
    .long 0
    .align 8
new_gdtr:
    .word 0
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
