/*
 * runtime.S: the code every bare-metal test guest links with. It holds
 * the multiboot v1 header, the entry point (flat 32-bit protected mode
 * as multiboot leaves it, interrupts off), a GDT with 32-, 16- and 64-bit
 * code segments, an IDT whose 256 stubs dispatch to per-vector handlers,
 * polled COM1 output, i8259 helpers and the isa-debug-exit ending.
 *
 * Conventions: a guest defines "main"; main returns 0 for success or a
 * failure code in %eax, and the runtime writes it to port 0x501 (QEMU's
 * isa-debug-exit turns value v into exit status (v << 1) | 1, so success
 * is exit status 1). The first line is the marker "--- guest start ---": the
 * check scripts keep only what follows it, so firmware chatter before the
 * guest runs (SeaBIOS under QEMU) does not count. Every routine here keeps all registers unless its
 * comment names an output.
 */
#include "guest.h"

    .section .mbhdr, "a"
    .align 4
mb_header:
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)
    .long mb_header         /* header_addr */
    .long _image_start      /* load_addr */
    .long _load_end         /* load_end_addr */
    .long _bss_end          /* bss_end_addr */
    .long _start            /* entry_addr */

    .text
    .code32
    .globl _start
_start:
    cli
    cld
    lgdt gdt_desc
    ljmp $SEL_CODE32, $1f
1:  mov $SEL_DATA32, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov %eax, %fs
    mov %eax, %gs
    mov $stack_top, %esp
    call uart_init
    PRINT "\n--- guest start ---\n"
    call idt_init
    call main
    /* fall through with main's result */

/* guest_exit: ends the guest with debug-exit value %al. Never returns. */
    .globl guest_exit
guest_exit:
    cli
    mov $DEBUG_EXIT, %dx
    out %al, %dx
1:  hlt
    jmp 1b

/* uart_init: COM1 at 115200 8N1, FIFOs off, interrupts off, DTR and RTS on. */
    .globl uart_init
uart_init:
    push %eax
    push %edx
    mov $COM1 + UART_IER, %dx
    mov $0x00, %al
    out %al, %dx
    mov $COM1 + UART_LCR, %dx
    mov $0x80, %al          /* DLAB */
    out %al, %dx
    mov $COM1 + 0, %dx
    mov $0x01, %al          /* divisor 1: 115200 baud */
    out %al, %dx
    mov $COM1 + 1, %dx
    mov $0x00, %al
    out %al, %dx
    mov $COM1 + UART_LCR, %dx
    mov $0x03, %al          /* 8 data bits, no parity, 1 stop bit */
    out %al, %dx
    mov $COM1 + UART_FCR, %dx
    mov $0x00, %al
    out %al, %dx
    mov $COM1 + UART_MCR, %dx
    mov $0x03, %al
    out %al, %dx
    pop %edx
    pop %eax
    ret

/* putc: writes %al on COM1 once the transmit holding register is empty. */
    .globl putc
putc:
    push %eax
    push %edx
    mov %al, %ah
    mov $COM1 + UART_LSR, %dx
1:  in %dx, %al
    test $0x20, %al         /* LSR.THRE */
    jz 1b
    mov %ah, %al
    mov $COM1 + UART_THR, %dx
    out %al, %dx
    pop %edx
    pop %eax
    ret

/* puts: writes the NUL-terminated string at %esi. */
    .globl puts
puts:
    push %eax
    push %esi
1:  lodsb
    test %al, %al
    jz 2f
    call putc
    jmp 1b
2:  pop %esi
    pop %eax
    ret

/* puthex: writes the low %ecx hex digits (1..8) of %eax. */
    .globl puthex
puthex:
    pushal
    mov %eax, %edx
    mov %ecx, %ebx
    shl $2, %ecx
    ror %cl, %edx           /* the first digit to print is now at the top */
1:  rol $4, %edx
    mov %edx, %eax
    and $0xf, %eax
    mov hexdigits(%eax), %al
    call putc
    dec %ebx
    jnz 1b
    popal
    ret

/* putdec: writes %eax as an unsigned decimal number. */
    .globl putdec
putdec:
    pushal
    mov $10, %ecx
    xor %ebx, %ebx          /* digits pushed */
1:  xor %edx, %edx
    div %ecx
    push %edx
    inc %ebx
    test %eax, %eax
    jnz 1b
2:  pop %eax
    add $'0', %al
    call putc
    dec %ebx
    jnz 2b
    popal
    ret

/* idt_init: points all 256 IDT gates at the stubs and loads the IDT. */
idt_init:
    pushal
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $4, %eax
    add $isr_stubs, %eax    /* stub address: 16 bytes per vector */
    mov %eax, %edx
    and $0xffff, %eax
    or $(SEL_CODE32 << 16), %eax
    and $0xffff0000, %edx
    or $0x8e00, %edx        /* present, DPL 0, 32-bit interrupt gate */
    mov %eax, idt(,%ecx,8)
    mov %edx, idt+4(,%ecx,8)
    inc %ecx
    cmp $256, %ecx
    jne 1b
    lidt idt_desc
    popal
    ret

/* set_handler: makes %edx the handler of vector %eax (0 restores the default). */
    .globl set_handler
set_handler:
    push %eax
    and $0xff, %eax
    mov %edx, handlers(,%eax,4)
    pop %eax
    ret

/*
 * The stubs: one per vector, 16 bytes apart. Vectors whose exceptions push
 * no error code push a zero (SDM Vol.3 6.15 lists the ones that do).
 */
    .align 16
isr_stubs:
    .set vec, 0
    .rept 256
    .align 16
    .if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17)
    .else
    push $0
    .endif
    push $vec
    jmp isr_common
    .set vec, vec + 1
    .endr

isr_common:
    pushal
    mov F_VEC(%esp), %ecx
    and $0xff, %ecx
    mov handlers(,%ecx,4), %edx
    test %edx, %edx
    jz isr_unexpected
    mov %esp, %eax
    call *%edx
    popal
    add $8, %esp
    iret

isr_unexpected:
    mov %esp, %ebx
    PRINT "FAIL: unexpected vector 0x"
    HEX %ecx, 2
    PRINT " error code 0x"
    HEX F_ERR(%ebx), 8
    PRINT " at eip 0x"
    HEX F_EIP(%ebx), 8
    PRINT "\n"
    mov $1, %eax
    jmp guest_exit

/* pic_init: both i8259s initialised with ICW1-ICW4 (8259A datasheet),
 * IRQ 0-7 on vectors 0x20-0x27, IRQ 8-15 on 0x28-0x2f, all masked. */
    .globl pic_init
pic_init:
    push %eax
    mov $0x11, %al          /* ICW1: edge, cascade, ICW4 needed */
    out %al, $PIC1_CMD
    out %al, $PIC2_CMD
    mov $PIC_BASE, %al      /* ICW2: vector base */
    out %al, $PIC1_DATA
    mov $PIC_BASE + 8, %al
    out %al, $PIC2_DATA
    mov $0x04, %al          /* ICW3: slave on IRQ2 */
    out %al, $PIC1_DATA
    mov $0x02, %al          /* ICW3: slave identity 2 */
    out %al, $PIC2_DATA
    mov $0x01, %al          /* ICW4: 8086 mode, normal EOI */
    out %al, $PIC1_DATA
    out %al, $PIC2_DATA
    mov $0xff, %al
    out %al, $PIC1_DATA
    out %al, $PIC2_DATA
    pop %eax
    ret

/* pic_unmask: unmasks IRQ %eax (0-15); an IRQ of the slave also unmasks IRQ2. */
    .globl pic_unmask
pic_unmask:
    pushal
    mov %eax, %ecx
    cmp $8, %ecx
    jb 1f
    sub $8, %ecx
    in $PIC2_DATA, %al
    btr %ecx, %eax
    out %al, $PIC2_DATA
    mov $2, %ecx
1:  in $PIC1_DATA, %al
    btr %ecx, %eax
    out %al, $PIC1_DATA
    popal
    ret

/* pic_eoi: non-specific EOI for IRQ %eax (to the slave too for 8-15). */
    .globl pic_eoi
pic_eoi:
    push %eax
    cmp $8, %eax
    mov $0x20, %al
    jb 1f
    out %al, $PIC2_CMD
1:  out %al, $PIC1_CMD
    pop %eax
    ret

/*
 * wait_at_least: sleeps (sti; hlt) until the dword at %ebx is at least
 * %ecx, then returns with interrupts enabled. STI's one-instruction shadow
 * keeps an interrupt from slipping in between the test and the HLT.
 */
    .globl wait_at_least
wait_at_least:
1:  cli
    cmp %ecx, (%ebx)
    jae 2f
    sti
    hlt
    jmp 1b
2:  sti
    ret

/* copy_gdt: copies the runtime's GDT (the six descriptors of guest.h) to
 * %edi, for a guest that builds a larger one; lgdt gdt_desc goes back. */
    .globl copy_gdt
copy_gdt:
    pushal
    mov $gdt, %esi
    mov $(gdt_end - gdt) / 4, %ecx
    cld
    rep movsl
    popal
    ret

    .section .rodata
hexdigits:
    .ascii "0123456789abcdef"

    .align 8
gdt:
    .quad 0
    .quad 0x00cf9a000000ffff    /* 0x08: code, 32-bit, flat */
    .quad 0x00cf92000000ffff    /* 0x10: data, 32-bit, flat */
    .quad 0x00009a000000ffff    /* 0x18: code, 16-bit, base 0, 64 KiB */
    .quad 0x000092000000ffff    /* 0x20: data, 16-bit, base 0, 64 KiB */
    .quad 0x00af9a000000ffff    /* 0x28: code, 64-bit */
gdt_end:
    .globl gdt_desc
gdt_desc:
    .word gdt_end - gdt - 1
    .long gdt
    .globl idt_desc
idt_desc:
    .word 256 * 8 - 1
    .long idt

    .bss
    .align 16
    .globl idt
idt:
    .space 256 * 8
handlers:
    .space 256 * 4
    .align 16
stack:
    .space 16384
    .globl stack_top
stack_top:
