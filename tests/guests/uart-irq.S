/*
 * uart-irq.S: the 16550 UART on COM1 driven by interrupts through the
 * master i8259 (IRQ4). First a line is sent by THRE interrupts (IER bit 1:
 * the UART interrupts whenever its transmit holding register is empty),
 * then, in loopback mode (MCR bit 4), bytes written to THR come back as
 * received data and the UART identifies a "data available" interrupt (IER
 * bit 0) in its IIR. The handler drains every pending cause the IIR
 * reports (16550 datasheet, IIR priority table).
 */
#include "guest.h"

#define IRQ_COM1 4
#define RX_MAX   32

    .text
    .globl main
main:
    PRINT "uart-irq: polled output\n"
    call pic_init
    mov $PIC_BASE + IRQ_COM1, %eax
    mov $on_uart, %edx
    call set_handler
    mov $IRQ_COM1, %eax
    call pic_unmask
    mov $COM1 + UART_MCR, %dx
    mov $0x0b, %al              /* DTR, RTS, OUT2 (the PC's IRQ enable) */
    out %al, %dx

    /* transmit by THRE interrupts */
    movl $msg_thre, tx_ptr
    mov $COM1 + UART_IER, %dx
    mov $0x02, %al
    out %al, %dx
    mov $tx_done, %ebx
    mov $1, %ecx
    call wait_at_least
    cli
    PRINT "uart-irq: THRE interrupts done\n"

    /*
     * Loopback: what is sent comes back as received data. On a PC the
     * UART's interrupt reaches the i8259 only through the OUT2 output,
     * which loopback forces inactive (16550D datasheet, MCR bit 4), so the
     * "received data available" interrupt is checked where the UART
     * reports it, in the IIR, with interrupts off. (QEMU does not model
     * the OUT2 gate; a hardware-faithful UART must not raise IRQ4 here.)
     */
    mov $COM1 + UART_MCR, %dx
    mov $0x1b, %al              /* LOOP, OUT2, RTS, DTR */
    out %al, %dx
    mov $COM1 + 6, %dx          /* MSR: in loopback the outputs read back */
    in %dx, %al
    and $0xf0, %eax
    mov %eax, %esi
    mov $COM1 + UART_IER, %dx
    mov $0x01, %al              /* received-data interrupt enabled */
    out %al, %dx
    mov $msg_loop, %edi
    xor %ecx, %ecx
1:  movzbl (%edi,%ecx), %eax
    test %al, %al
    jz 2f
    call putc                   /* goes to the receiver, not the wire */
    call wait_rx_iir
    jc 4f
    mov $COM1 + UART_RBR, %dx
    in %dx, %al
    mov %al, rx_buf(%ecx)
    inc %ecx
    cmp $RX_MAX - 1, %ecx
    jb 1b
2:  mov $COM1 + UART_IER, %dx
    mov $0x00, %al
    out %al, %dx
    mov $COM1 + UART_MCR, %dx
    mov $0x0b, %al
    out %al, %dx
    PRINT "uart-irq: loopback MSR 0x"
    HEX %esi, 2
    PRINT "\n"
    PRINT "uart-irq: loopback data-available interrupt in IIR, received '"
    push %esi
    mov $rx_buf, %esi
    call puts
    pop %esi
    PRINT "'\n"
    mov $msg_loop, %esi
    mov $rx_buf, %edi
    mov $msg_loop_end - msg_loop, %ecx
    repe cmpsb
    je 3f
    FAIL "loopback data differs"
3:  PRINT "uart-irq: ok\n"
    xor %eax, %eax
    ret
4:  FAIL "IIR never reported received data in loopback"

/* wait_rx_iir: CF clear once the IIR reports "received data available"
 * (IIR = 0x04), CF set if it has not after 1,000,000 reads. */
wait_rx_iir:
    push %eax
    push %ecx
    push %edx
    mov $1000000, %ecx
    mov $COM1 + UART_IIR, %dx
1:  in %dx, %al
    and $0x0f, %al
    cmp $0x04, %al
    je 2f
    dec %ecx
    jnz 1b
    stc
    jmp 3f
2:  clc
3:  pop %edx
    pop %ecx
    pop %eax
    ret

/* on_uart: handles every cause the IIR shows until it reads "none pending". */
on_uart:
    pushal
1:  mov $COM1 + UART_IIR, %dx
    in %dx, %al
    test $1, %al
    jnz 9f
    and $0x0e, %al
    cmp $0x02, %al              /* THR empty */
    je 2f
    cmp $0x04, %al              /* received data available */
    je 3f
    cmp $0x06, %al              /* line status: read LSR */
    je 4f
    mov $COM1 + 6, %dx          /* modem status: read MSR */
    in %dx, %al
    jmp 1b
2:  mov tx_ptr, %esi
    movzbl (%esi), %eax
    test %al, %al
    jz 5f
    incl tx_ptr
    mov $COM1 + UART_THR, %dx
    out %al, %dx
    jmp 1b
5:  mov $COM1 + UART_IER, %dx   /* all sent: THRE interrupts off */
    in %dx, %al
    and $~0x02, %al
    out %al, %dx
    movl $1, tx_done
    jmp 1b
3:  mov $COM1 + UART_RBR, %dx
    in %dx, %al
    mov rx_len, %ecx
    cmp $RX_MAX - 1, %ecx
    jae 1b
    mov %al, rx_buf(%ecx)
    incl rx_len
    jmp 1b
4:  mov $COM1 + UART_LSR, %dx
    in %dx, %al
    jmp 1b
9:  mov $IRQ_COM1, %eax
    call pic_eoi
    popal
    ret

    .section .rodata
msg_thre:
    .asciz "uart-irq: this line was sent by THRE interrupts\n"
msg_loop:
    .ascii "loop-back 0123"
msg_loop_end:
    .byte 0

    .bss
tx_ptr:
    .space 4
tx_done:
    .space 4
rx_len:
    .space 4
rx_buf:
    .space RX_MAX
