/*
 * guest.h: constants and macros shared by the bare-metal test guests
 * (tests/guests/NAME.S). The guests are multiboot v1 images that start in
 * 32-bit protected mode, report on COM1 and end through isa-debug-exit;
 * runtime.S holds the code they share (entry, GDT, IDT, UART, PIC).
 * Only C preprocessor lines and GNU as directives may live here.
 */
#ifndef GUEST_H
#define GUEST_H

/* Multiboot v1 (Multiboot Specification 0.6.96, 3.1.1): magic, and the
 * flags "memory info wanted" (bit 1) and "address fields valid" (bit 16,
 * the a.out kludge) so loaders that ignore ELF also find the image. */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00010002

/* Transcript markers (see runtime.S and tests/check-guests.sh):
 * "--- guest start ---" opens every transcript, "--- guest reset ---" closes
 * one before a guest resets the machine. */

/* Selectors of the runtime's GDT. */
#define SEL_CODE32 0x08
#define SEL_DATA32 0x10
#define SEL_CODE16 0x18
#define SEL_DATA16 0x20
#define SEL_CODE64 0x28

/* Ports. */
#define COM1        0x3f8
#define UART_RBR    0   /* receive buffer (read, DLAB=0) */
#define UART_THR    0   /* transmit holding (write, DLAB=0) */
#define UART_IER    1
#define UART_IIR    2   /* interrupt identification (read) */
#define UART_FCR    2   /* FIFO control (write) */
#define UART_LCR    3
#define UART_MCR    4
#define UART_LSR    5
#define DEBUG_EXIT  0x501
#define PIC1_CMD    0x20
#define PIC1_DATA   0x21
#define PIC2_CMD    0xa0
#define PIC2_DATA   0xa1
#define PIT_CH0     0x40
#define PIT_CH2     0x42
#define PIT_CMD     0x43
#define PORT_61     0x61
#define CMOS_INDEX  0x70
#define CMOS_DATA   0x71
#define PORT_92     0x92

/* Vectors the runtime's PIC set-up uses: IRQ n is vector PIC_BASE + n. */
#define PIC_BASE    0x20

/* Interrupt frame as the runtime's stubs build it (pushal, vector, error
 * code, then what the CPU pushed). A handler gets its address in %eax. */
#define F_EDI    0
#define F_ESI    4
#define F_EBP    8
#define F_EBX    16
#define F_EDX    20
#define F_ECX    24
#define F_EAX    28
#define F_VEC    32
#define F_ERR    36
#define F_EIP    40
#define F_CS     44
#define F_EFLAGS 48

/* Macro names are case-insensitive in GNU as: none may match a mnemonic. */

/* PRINT "text": writes a string literal on COM1; keeps every register. */
.macro PRINT str
    .pushsection .rodata
1001:
    .asciz "\str"
    .popsection
    push %esi
    mov $1001b, %esi
    call puts
    pop %esi
.endm

/* HEX reg, digits: writes reg in hex with that many digits; keeps registers. */
.macro HEX reg, digits
    push %eax
    push %ecx
    mov \reg, %eax
    mov $\digits, %ecx
    call puthex
    pop %ecx
    pop %eax
.endm

/* DECIMAL reg: writes reg as an unsigned decimal number; keeps registers. */
.macro DECIMAL reg
    push %eax
    mov \reg, %eax
    call putdec
    pop %eax
.endm

/* FAIL "text": reports a failed check and ends with debug-exit status 1 (exit 3). */
.macro FAIL str
    PRINT "FAIL: \str\n"
    mov $1, %eax
    jmp guest_exit
.endm

#endif
