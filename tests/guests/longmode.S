/*
 * longmode.S: enters IA-32e mode the way SDM Vol.3 10.8.5 lists it (PAE,
 * CR3 = a 4-level table, EFER.LME, then CR0.PG), jumps to a 64-bit code
 * segment, does 64-bit arithmetic and a #UD through a 64-bit IDT, far-
 * returns to compatibility mode (32-bit code under long mode) and comes
 * back to 64-bit mode. The page tables map the first 4 GiB with 2 MiB pages.
 */
#include "guest.h"

#define MSR_EFER 0xc0000080

    .text
    .globl main
main:
    PRINT "longmode: protected mode\n"
    call build_page_tables
    call build_idt64
    mov %cr4, %eax
    or $0x20, %eax              /* CR4.PAE */
    mov %eax, %cr4
    mov $pml4, %eax
    mov %eax, %cr3
    mov $MSR_EFER, %ecx
    rdmsr
    or $0x100, %eax             /* EFER.LME */
    wrmsr
    mov %cr0, %eax
    or $0x80000000, %eax        /* CR0.PG: now IA-32e, compatibility mode */
    mov %eax, %cr0
    mov $MSR_EFER, %ecx
    rdmsr
    test $0x400, %eax           /* EFER.LMA */
    jnz 1f
    FAIL "EFER.LMA is clear after CR0.PG"
1:  PRINT "longmode: EFER.LMA set, compatibility mode\n"
    ljmp $SEL_CODE64, $long64

/* 32-bit code run in compatibility mode, reached by a far return from 64-bit code. */
compat32:
    PRINT "longmode: compatibility mode via far return\n"
    ljmp $SEL_CODE64, $long64_again

/* build_page_tables: PML4[0] -> PDPT, PDPT[0..3] -> 4 page directories of 2 MiB pages. */
build_page_tables:
    pushal
    movl $pdpt + 0x3, pml4      /* present, writable */
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $12, %eax
    add $pd + 0x3, %eax
    mov %eax, pdpt(,%ecx,8)
    inc %ecx
    cmp $4, %ecx
    jne 1b
    xor %ecx, %ecx              /* 2048 entries: 4 GiB */
2:  mov %ecx, %eax
    shl $21, %eax
    or $0x83, %eax              /* present, writable, PS */
    mov %eax, pd(,%ecx,8)
    mov %ecx, %eax
    shr $11, %eax               /* bits 32+ of the 2 MiB frame address */
    mov %eax, pd + 4(,%ecx,8)
    inc %ecx
    cmp $2048, %ecx
    jne 2b
    popal
    ret

/* build_idt64: a 64-bit interrupt gate (SDM Vol.3 6.14.1) for #UD only. */
build_idt64:
    pushal
    mov $ud64_handler, %eax
    mov %eax, %edx
    and $0xffff, %eax
    or $(SEL_CODE64 << 16), %eax
    and $0xffff0000, %edx
    or $0x8e00, %edx
    mov %eax, idt64 + 6 * 16
    mov %edx, idt64 + 6 * 16 + 4
    popal
    ret

    .code64
long64:
    mov $SEL_DATA32, %ax
    mov %ax, %ss
    lea msg_64(%rip), %rsi
    call puts64
    /* 64-bit arithmetic: 0x123456789 * 0x10 + 1 = 0x1234567891 */
    mov $0x12345678, %eax
    shl $4, %rax
    or $9, %rax
    shl $4, %rax
    or $1, %rax
    lea msg_arith(%rip), %rsi
    call puts64
    call puthex64
    mov %rax, %rbx
    mov $'\n', %al
    call putc64
    mov $0x1234567891, %rax
    cmp %rbx, %rax
    je 1f
    lea msg_bad_arith(%rip), %rsi
    jmp fail64
1:  lidt idt64_desc(%rip)
    movl $0, ud_hits(%rip)
ud64:
    ud2
    cmpl $1, ud_hits(%rip)
    je 2f
    lea msg_bad_ud(%rip), %rsi
    jmp fail64
2:  /* far return to the 32-bit code segment: compatibility mode */
    push $SEL_CODE32
    mov $compat32, %eax         /* zero-extended: the image is below 4 GiB */
    push %rax
    lretq

long64_again:
    lea msg_back(%rip), %rsi
    call puts64
    lea msg_ok(%rip), %rsi
    call puts64
    mov $DEBUG_EXIT, %dx
    xor %eax, %eax
    out %al, %dx
3:  hlt
    jmp 3b

fail64:
    call puts64
    mov $DEBUG_EXIT, %dx
    mov $1, %eax
    out %al, %dx
    jmp 3b

ud64_handler:
    lea ud64(%rip), %rax
    cmp %rax, (%rsp)            /* the 64-bit frame: RIP, CS, RFLAGS, RSP, SS */
    jne 4f
    addq $2, (%rsp)
    incl ud_hits(%rip)
    lea msg_ud(%rip), %rsi
    call puts64
    iretq
4:  lea msg_bad_ud_rip(%rip), %rsi
    jmp fail64

/* putc64 / puts64 / puthex64: the runtime's polled COM1 output, in 64-bit code. */
putc64:
    push %rax
    push %rdx
    mov %al, %ah
    mov $COM1 + UART_LSR, %dx
1:  in %dx, %al
    test $0x20, %al
    jz 1b
    mov %ah, %al
    mov $COM1 + UART_THR, %dx
    out %al, %dx
    pop %rdx
    pop %rax
    ret

puts64:
    push %rax
    push %rsi
1:  lodsb
    test %al, %al
    jz 2f
    call putc64
    jmp 1b
2:  pop %rsi
    pop %rax
    ret

/* puthex64: writes %rax as 16 hex digits. */
puthex64:
    push %rax
    push %rcx
    push %rdx
    push %rsi
    mov %rax, %rdx
    mov $16, %ecx
1:  rol $4, %rdx
    mov %edx, %eax
    and $0xf, %eax
    lea hexdigits64(%rip), %rsi
    mov (%rsi,%rax), %al
    call putc64
    dec %ecx
    jnz 1b
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rax
    ret
    .code32

    .section .rodata
hexdigits64:
    .ascii "0123456789abcdef"
msg_64:
    .asciz "longmode: 64-bit mode\n"
msg_arith:
    .asciz "longmode: 64-bit result 0x"
msg_bad_arith:
    .asciz "FAIL: wrong 64-bit result\n"
msg_ud:
    .asciz "longmode: #UD through the 64-bit IDT\n"
msg_bad_ud:
    .asciz "FAIL: the 64-bit #UD handler did not run\n"
msg_bad_ud_rip:
    .asciz "FAIL: wrong RIP in the 64-bit #UD frame\n"
msg_back:
    .asciz "longmode: back in 64-bit mode\n"
msg_ok:
    .asciz "longmode: ok\n"
    .align 8
idt64_desc:
    .word 256 * 16 - 1
    .long idt64, 0

    .bss
    .align 4096
pml4:
    .space 4096
pdpt:
    .space 4096
pd:
    .space 4 * 4096
idt64:
    .space 256 * 16
ud_hits:
    .space 4
