/*
 * realmode.S: leaves protected mode for real mode and comes back (SDM
 * Vol.3 9.9.2 "Switching Back to Real-Address Mode", 9.9.1 for the way
 * back). The real-mode part is a blob copied to 0x8000 and run with
 * CS = 0x0800; it prints through COM1, checks a far-pointer access, and
 * takes a software interrupt through its own interrupt vector table.
 */
#include "guest.h"

#define RM_BASE   0x8000          /* where the blob runs */
#define RM_SEG    (RM_BASE >> 4)
#define RM_OFF(l) ((l) - rm_start)
#define IVT_VEC   0x80            /* the software interrupt the blob takes */

    .text
    .globl main
main:
    PRINT "realmode: in protected mode\n"
    /* copy the blob below 1 MiB */
    mov $rm_start, %esi
    mov $RM_BASE, %edi
    mov $(rm_end - rm_start), %ecx
    rep movsb
    /* real-mode IVT entry for IVT_VEC: offset, then segment */
    movw $RM_OFF(rm_int_handler), IVT_VEC * 4
    movw $RM_SEG, IVT_VEC * 4 + 2
    /* a word the blob reads through a far pointer: 0x1234:0x0010 = 0x12350 */
    movw $0xbeef, 0x12350
    mov %esp, saved_esp
    ljmp $SEL_CODE16, $(RM_BASE + RM_OFF(rm_entry))

pm_back:
    mov $SEL_DATA32, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov %eax, %fs
    mov %eax, %gs
    mov saved_esp, %esp
    lidt idt_desc
    PRINT "realmode: back in protected mode\n"
    mov %cr0, %eax
    test $1, %eax
    jnz 1f
    FAIL "CR0.PE clear after the return"
1:  movzwl RM_BASE + RM_OFF(rm_result), %eax
    cmp $0x600d, %eax
    je 2f
    FAIL "the real-mode checks did not record success"
2:  PRINT "realmode: ok\n"
    xor %eax, %eax
    ret

/*
 * The blob. Everything in it addresses relative to rm_start, which is
 * offset 0 of segment RM_SEG once copied.
 */
    .code16
rm_start:
rm_entry:
    /* 16-bit protected mode: give every data segment a real-mode-like
     * cache (64 KiB limit, byte granular), then clear PE. */
    mov $SEL_DATA16, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %ax, %fs
    mov %ax, %gs
    lidt RM_BASE + RM_OFF(rm_ivt_desc)
    mov %cr0, %eax
    and $~1, %eax
    mov %eax, %cr0
    ljmp $RM_SEG, $RM_OFF(rm_real)

rm_real:
    mov $RM_SEG, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov $0x7000, %sp
    mov $RM_OFF(rm_msg_hello), %si
    call rm_puts
    /* CS must read back as the segment we jumped to */
    mov %cs, %ax
    cmp $RM_SEG, %ax
    jne rm_fail
    /* far pointer: segment * 16 + offset */
    push %ds
    mov $0x1234, %ax
    mov %ax, %ds
    mov 0x0010, %bx
    pop %ds
    cmp $0xbeef, %bx
    jne rm_fail
    mov $RM_OFF(rm_msg_far), %si
    call rm_puts
    /* software interrupt through the IVT: the handler sets %cx */
    xor %cx, %cx
    int $IVT_VEC
    cmp $0x4242, %cx
    jne rm_fail
    mov $RM_OFF(rm_msg_int), %si
    call rm_puts
    movw $0x600d, RM_OFF(rm_result)
    jmp rm_to_pm

rm_fail:
    mov $RM_OFF(rm_msg_fail), %si
    call rm_puts
    movw $0xbad, RM_OFF(rm_result)

rm_to_pm:
    cli
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmpl $SEL_CODE32, $pm_back

rm_int_handler:
    mov $0x4242, %cx
    iret

/* rm_puts: writes the string at %ds:%si on COM1 (polled). */
rm_puts:
    push %ax
    push %dx
    push %si
1:  lodsb
    test %al, %al
    jz 3f
    mov %al, %ah
    mov $COM1 + UART_LSR, %dx
2:  in %dx, %al
    test $0x20, %al
    jz 2b
    mov %ah, %al
    mov $COM1 + UART_THR, %dx
    out %al, %dx
    jmp 1b
3:  pop %si
    pop %dx
    pop %ax
    ret

rm_ivt_desc:
    .word 0x3ff
    .long 0
rm_result:
    .word 0
rm_msg_hello:
    .asciz "realmode: in real mode\n"
rm_msg_far:
    .asciz "realmode: far pointer read ok\n"
rm_msg_int:
    .asciz "realmode: int 0x80 through the IVT ok\n"
rm_msg_fail:
    .asciz "FAIL: a real-mode check failed\n"
rm_end:
    .code32

    .bss
    .align 4
saved_esp:
    .space 4
