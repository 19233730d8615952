/*
 * segchk.S: segment type, null-selector and limit checks on data accesses
 * and instruction fetches from 32-bit protected mode at CPL 0 (SDM Vol.3
 * 5.3 "Limit checking", 5.4.1 "Null segment selector checking", 5.5
 * "Type checking"). Each probe loads a segment register, makes one
 * access and prints what happened: "no fault", or the vector and error
 * code and whether the saved EIP points at the access. #GP, #SS and #PF
 * come through raw IDT gates (not the runtime's stubs, which read through
 * DS) that reload the flat data selectors first and resume at the probe's
 * end label.
 *
 * The transcript holds the SDM's answers. QEMU-TCG does not check segment
 * types, null selectors or FS/GS limits on most data accesses, nor the SS
 * limit in a far RET, nor the CS limit before a fetch faults on the page
 * walk; the lines where it
 * differs are listed, with the reason, in segchk.qemu-diff, which
 * tests/check-guests.sh applies to the QEMU run only.
 */
#include "guest.h"

#define SEL_RODATA  0x30    /* read-only data, flat */
#define SEL_XOCODE  0x38    /* execute-only code, flat, 32-bit */
#define SEL_RXCODE  0x40    /* readable code, flat, 32-bit */
#define SEL_SMALL   0x48    /* writable data, base 0, limit 0xfff */
#define SEL_LIMCS   0x50    /* code, base 0, limit = the hole page - 1 (built) */
#define SEL_SMALLSS 0x58    /* stack, base 0, limit = sstack_top - 1 (built) */

/* PROBE "text", instruction: runs the instruction (the access) with the
 * fault handlers armed, restores flat segments, prints the outcome. The
 * bookkeeping goes through SS, which stays flat (DS may be under test). */
.macro PROBE text, insn:vararg
    movl $8f, %ss:resume
    movl $9f, %ss:access_at
    movl $0, %ss:fault_vec
9:  \insn
8:  call flat_segs
    PRINT "segchk: \text: "
    call report
.endm

/* LOADSEG sreg, sel: loads a segment register. */
.macro LOADSEG sreg, sel
    mov $\sel, %ax
    mov %ax, \sreg
.endm

    .text
    .globl main
main:
    mov $my_gdt, %edi
    call copy_gdt
    lgdt my_gdt_desc
    mov $12, %eax
    mov $raw_ss, %edx
    call set_gate
    mov $13, %eax
    mov $raw_gp, %edx
    call set_gate
    mov $14, %eax
    mov $raw_pf, %edx
    call set_gate
    PRINT "segchk: start\n"

    /* read-only data (SDM Vol.3 5.5: writes are #GP(0)) */
    LOADSEG %es, SEL_RODATA
    PROBE "read through read-only ES", mov %es:scratch, %eax
    LOADSEG %es, SEL_RODATA
    PROBE "write through read-only ES", movl $1, %es:scratch
    LOADSEG %es, SEL_RODATA
    PROBE "ADD to memory through read-only ES", addl $1, %es:scratch
    LOADSEG %es, SEL_RODATA
    mov $scratch, %edi
    PROBE "STOSB through read-only ES", stosb
    LOADSEG %ds, SEL_RODATA
    mov $scratch, %esi
    mov $scratch2, %edi
    PROBE "MOVSB from read-only DS", movsb
    LOADSEG %ds, SEL_RODATA
    PROBE "write through read-only DS", movl $2, scratch
    LOADSEG %es, SEL_RODATA
    PROBE "SGDT through read-only ES", sgdt %es:scratch
    LOADSEG %es, SEL_RODATA
    PROBE "XCHG with read-only ES", xchg %eax, %es:scratch

    /* code segments: never writable; readable only with R set */
    PROBE "read with CS override", mov %cs:scratch, %eax
    PROBE "write with CS override", movl $3, %cs:scratch
    LOADSEG %es, SEL_RXCODE
    PROBE "read through readable code in ES", mov %es:scratch, %eax
    LOADSEG %es, SEL_RXCODE
    PROBE "write through readable code in ES", movl $4, %es:scratch
    mov $SEL_XOCODE, %ax
    PROBE "load of execute-only code into DS", mov %ax, %ds
    movl $xo_back, resume
    movl $xo_access, access_at
    movl $0, fault_vec
    ljmp $SEL_XOCODE, $xo_code
xo_back:
    call flat_segs
    PRINT "segchk: read with CS override in execute-only code: "
    call report

    /* null selectors (SDM Vol.3 5.4.1) */
    LOADSEG %ds, 0
    PROBE "read through null DS", mov scratch, %eax
    LOADSEG %fs, 0
    PROBE "read through null FS", mov %fs:scratch, %eax
    LOADSEG %gs, 0
    PROBE "write through null GS", movl $5, %gs:scratch
    LOADSEG %es, 0
    mov $scratch, %edi
    PROBE "STOSD through null ES", stosl

    /* limits on FS and GS alone (SDM Vol.3 5.3) */
    LOADSEG %fs, SEL_SMALL
    PROBE "FS limit 0xfff: dword read at 0xffc", mov %fs:0xffc, %eax
    LOADSEG %fs, SEL_SMALL
    PROBE "FS limit 0xfff: dword read at 0xffd", mov %fs:0xffd, %eax
    LOADSEG %gs, SEL_SMALL
    PROBE "GS limit 0xfff: byte write at 0x1000", movb $6, %gs:0x1000

    call stack_limit
    call fetch_order
    lgdt gdt_desc
    PRINT "segchk: done\n"
    xor %eax, %eax
    ret

/*
 * The CS limit comes before the page walk (SDM Vol.3 5.3, and Table 6-2
 * lists a code-segment limit violation before a code page fault): a MOV
 * whose bytes run past the CS limit onto a not-present page is #GP(0) at
 * the MOV. The same MOV with a
 * 4 GiB CS limit is #PF on the second page.
 */
fetch_order:
    call build_tables
    mov $pd, %eax
    mov %eax, %cr3
    mov %cr0, %eax
    or $0x80000000, %eax            /* CR0.PG */
    mov %eax, %cr0
    mov $hole - 3, %edi
    movb $0xb8, (%edi)              /* mov eax, imm32: three bytes before the hole */
    movw $0x0201, 1(%edi)
    mov $hole, %eax                 /* SEL_LIMCS: limit = hole - 1, 4K granular */
    shr $12, %eax
    dec %eax
    mov %eax, %edx
    and $0xffff, %eax
    mov %eax, my_gdt + SEL_LIMCS
    and $0xf0000, %edx
    or $0x00c09a00, %edx
    mov %edx, my_gdt + SEL_LIMCS + 4
    movl $fo_back1, resume
    movl $hole - 3, access_at
    movl $0, fault_vec
    ljmp *limcs_ptr
fo_back1:
    call flat_segs
    PRINT "segchk: fetch past the CS limit onto a not-present page: "
    call report
    movl $fo_back2, resume
    movl $0, fault_vec
    jmp *access_at
fo_back2:
    call flat_segs
    PRINT "segchk: the same fetch with a 4 GiB CS limit: "
    call report
    mov %cr0, %eax
    and $0x7fffffff, %eax
    mov %eax, %cr0
    ret

/*
 * The pops of a far RET are checked against the SS limit (SDM Vol.3 5.3,
 * RET: #SS(0)): with ESP 4 bytes below the limit, the EIP fits and the CS
 * does not. (If no fault comes, the RET lands at ss_back anyway.)
 */
stack_limit:
    mov $sstack_top, %eax           /* SEL_SMALLSS: limit sstack_top - 1, 4K granular */
    shr $12, %eax
    dec %eax
    mov %eax, %edx
    and $0xffff, %eax
    mov %eax, my_gdt + SEL_SMALLSS
    and $0xf0000, %edx
    or $0x00c09200, %edx
    mov %edx, my_gdt + SEL_SMALLSS + 4
    movl $ss_back, resume
    movl $ss_access, access_at
    movl $0, fault_vec
    movl $ss_back, sstack_top - 4
    movl $SEL_CODE32, sstack_top
    mov %esp, saved_esp
    mov $SEL_SMALLSS, %ax
    mov %ax, %ss
    mov $sstack_top - 4, %esp
ss_access:
    lret
ss_back:
    mov $SEL_DATA32, %ax
    mov %ax, %ss
    mov saved_esp, %esp
    call flat_segs
    PRINT "segchk: far RET popping CS past the SS limit: "
    call report
    ret

/* Identity-maps the first 4 MiB with 4 KiB pages but leaves hole unmapped. */
build_tables:
    pushal
    mov $pd, %edi
    xor %eax, %eax
    mov $1024, %ecx
    cld
    rep stosl
    mov $pt, %eax
    or $3, %eax
    mov %eax, pd
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $12, %eax
    cmp $hole, %eax
    je 2f
    or $3, %eax
    mov %eax, pt(,%ecx,4)
2:  inc %ecx
    cmp $1024, %ecx
    jne 1b
    popal
    ret

/* Runs in SEL_XOCODE: a read through its own execute-only CS. */
xo_code:
xo_access:
    mov %cs:scratch, %eax
    ljmp $SEL_CODE32, $xo_back

/* Flat data selectors in DS, ES, FS, GS; keeps registers but EAX. */
flat_segs:
    mov $SEL_DATA32, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    ret

/* Prints the outcome recorded by the raw handlers; keeps registers. */
report:
    pushal
    mov fault_vec, %eax
    test %eax, %eax
    jnz 1f
    PRINT "no fault\n"
    jmp 9f
1:  cmp $13, %eax
    jne 2f
    PRINT "#GP("
    jmp 4f
2:  cmp $12, %eax
    jne 3f
    PRINT "#SS("
    jmp 4f
3:  PRINT "#PF("
4:  HEX fault_err, 4
    mov fault_eip, %eax
    cmp access_at, %eax
    jne 5f
    PRINT ") at the access\n"
    jmp 9f
5:  PRINT ") elsewhere\n"
9:  popal
    ret

/* set_gate: IDT vector %eax -> 32-bit interrupt gate to %edx (SEL_CODE32). */
set_gate:
    pushal
    sidt idt_ptr
    mov idt_ptr + 2, %ebx
    lea (%ebx,%eax,8), %ebx
    mov %edx, %eax
    and $0xffff, %eax
    or $(SEL_CODE32 << 16), %eax
    mov %eax, (%ebx)
    and $0xffff0000, %edx
    or $0x8e00, %edx
    mov %edx, 4(%ebx)
    popal
    ret

/* Raw fault entries (all three push an error code): record the vector,
 * the error code and EIP, then resume at SEL_CODE32:resume. */
raw_ss:
    push %eax
    mov $12, %eax
    jmp raw_common
raw_gp:
    push %eax
    mov $13, %eax
    jmp raw_common
raw_pf:
    push %eax
    mov $14, %eax
raw_common:
    push %ebx
    mov $SEL_DATA32, %bx
    mov %bx, %ds
    mov %bx, %es
    mov %eax, fault_vec
    mov 8(%esp), %eax
    mov %eax, fault_err
    mov 12(%esp), %eax
    mov %eax, fault_eip
    mov resume, %eax
    mov %eax, 12(%esp)
    movl $SEL_CODE32, 16(%esp)
    pop %ebx
    pop %eax
    add $4, %esp
    iret

    .data
    .align 8
my_gdt:
    .skip 6 * 8
    .quad 0x00cf91000000ffff        /* 0x30: data, read-only */
    .quad 0x00cf98000000ffff        /* 0x38: code, execute-only */
    .quad 0x00cf9a000000ffff        /* 0x40: code, readable */
    .quad 0x0040930000000fff        /* 0x48: data, limit 0xfff */
    .quad 0                         /* 0x50: code with the hole's limit (built) */
    .quad 0                         /* 0x58: stack ending at sstack_top (built) */
my_gdt_end:
my_gdt_desc:
    .word my_gdt_end - my_gdt - 1
    .long my_gdt
idt_ptr:
    .word 0
    .long 0
limcs_ptr:
    .long hole - 3
    .word SEL_LIMCS
resume:
    .long 0
access_at:
    .long 0
fault_vec:
    .long 0
fault_err:
    .long 0
fault_eip:
    .long 0
scratch:
    .long 0
saved_esp:
    .long 0
scratch2:
    .long 0

    .bss
    .align 4096
sstack:
    .skip 4096
sstack_top:
    .skip 4096
pd:
    .skip 4096
pt:
    .skip 4096
code_page:
    .skip 4096
hole:
    .skip 4096
