/*
 * vme.S: the virtual-8086 mode extensions and protected-mode virtual
 * interrupts (SDM Vol.3 20.3 and 20.4). A monitor at CPL 0 with its own
 * GDT and a 32-bit TSS (ESP0, the software interrupt redirection bitmap
 * with the bit of INT 0x21 clear and all others set, an empty I/O bitmap)
 * runs a 16-bit program copied to 0x7000 in virtual-8086 mode:
 *   A. CR4.VME = 0, IOPL 0: CLI, INT n and PUSHF fault (#GP(0));
 *   B. CR4.VME = 1, IOPL 0: CLI/STI change VIF and not IF; PUSHF shows VIF
 *      as IF and IOPL as 3; PUSHFD faults; POPF moves IF into VIF and
 *      faults on TF; INT 0x21 goes to the program's own IVT handler
 *      (method 6: VIF pushed as IF, VIF cleared, IRET restores it);
 *      INT 0x41 (redirection bit set) faults (method 3); INT3 is not
 *      IOPL-sensitive and goes through the IDT; with VIP set, STI, POPF
 *      and IRET that would set IF fault, CLI does not; IRETD faults;
 *   C. CR4.VME = 1, IOPL 3: INT 0x21 to the IVT handler clearing IF
 *      (method 5), INT 0x41 through the IDT (method 4), CLI/STI on IF;
 * and then a 32-bit program at CPL 3 with IOPL 0:
 *   D. CR4.PVI = 0: CLI faults; with CR4.PVI = 1: CLI/STI change VIF and
 *      PUSHFD shows it; with VIP set (from the monitor's IRET at CPL 0),
 *      STI faults and CLI does not.
 * The programs ask the monitor for things by faulting: "out %al, $0xe0"
 * sets VIP in the saved EFLAGS, $0xe1 clears it, $0xe2 prints AX (EAX),
 * $0xe3 prints IF, VIF, VIP and IOPL of the saved EFLAGS, $0xe4 sets
 * CR4.PVI; HLT ends the program. Any other #GP is printed with its error
 * code and the faulting bytes, and the instruction is skipped.
 *
 * The peer: QEMU 7.2's TCG implements neither VME nor PVI (CPUID.1:EDX.VME
 * is 0 even with -cpu qemu64,+vme, and every instruction above faults as
 * with CR4.VME = 0), so its transcript is vme.qemu-tcg.expected and
 * vme.expected follows the SDM. Where the SDM is silent: the PUSHF image
 * carries IOPL 3 as the INT n image of method 6 does (Table 20-2); a TSS
 * too short for the redirection bitmap gives #GP(0). Not exercised: the
 * #GP on entering V86 by a task switch with VIF and VIP both set.
 */
#include "guest.h"

#define V86_SEG     0x0700          /* the 16-bit program at 0x7000 */
#define V86_SS      0x0600          /* its stack below, SP 0x0ffe */
#define SEL_TSS     0x30
#define SEL_UCODE   0x3b            /* CPL-3 flat code, RPL 3 */
#define SEL_UDATA   0x43            /* CPL-3 flat data, RPL 3 */
#define EFL_VM      0x00020000
#define EFL_IF      0x00000200
#define EFL_VIF     0x00080000
#define EFL_VIP     0x00100000
#define EFL_IOPL3   0x00003000
#define CR4_VME     1
#define CR4_PVI     2
#define V(x)        ((x) - v86_code)
#define IOMAP       (104 + 32)      /* redirection bitmap at 104..135 */
#define TSS_LIMIT   IOMAP           /* the I/O bitmap's 0xff byte only */

/* The #GP handler's frame: pushal, ES, DS, then what the CPU pushed. */
#define G_EAX  28
#define G_ERR  40
#define G_EIP  44
#define G_CS   48
#define G_EFL  52

    .text
    .globl main
main:
    PRINT "vme: protected mode\n"
    call pic_init
    mov $1, %eax
    cpuid
    shr $1, %edx
    and $1, %edx
    PRINT "vme: CPUID.1:EDX.VME="
    HEX %edx, 1
    PRINT "\n"
    call setup_tss
    call setup_v86

    PRINT "vme: A. VME off, IOPL 0\n"
    mov $V(prog_a), %eax
    mov $(EFL_VM | EFL_IF | 2), %ecx
    call run_v86

    mov %cr4, %eax
    or $CR4_VME, %eax
    mov %eax, %cr4
    PRINT "vme: B. VME on, IOPL 0\n"
    mov $V(prog_b), %eax
    mov $(EFL_VM | EFL_IF | EFL_VIF | 2), %ecx
    call run_v86

    PRINT "vme: C. VME on, IOPL 3\n"
    mov $V(prog_c), %eax
    mov $(EFL_VM | EFL_IF | EFL_IOPL3 | 2), %ecx
    call run_v86

    mov %cr4, %eax
    and $~CR4_VME, %eax
    mov %eax, %cr4
    PRINT "vme: D. CPL 3, IOPL 0\n"
    call run_ring3
    mov %cr4, %eax
    and $~CR4_PVI, %eax
    mov %eax, %cr4

    PRINT "vme: ok\n"
    xor %eax, %eax
    ret

/* The monitor's GDT: the runtime's five descriptors, the TSS, and flat
 * CPL-3 code and data. Then TR, the TSS's ESP0 and its two bitmaps. */
setup_tss:
    mov $tss, %eax
    mov %eax, %edx
    shl $16, %eax
    or $TSS_LIMIT, %eax
    mov %eax, my_gdt + SEL_TSS
    mov %edx, %eax
    shr $16, %eax
    and $0xff, %eax
    mov %edx, %ecx
    and $0xff000000, %ecx
    or %ecx, %eax
    or $0x00008900, %eax            /* present, DPL 0, available 32-bit TSS */
    mov %eax, my_gdt + SEL_TSS + 4
    lgdt my_gdt_desc
    mov $SEL_TSS, %ax
    ltr %ax
    movl $tss_stack_top, tss + 4    /* ESP0 */
    movl $SEL_DATA32, tss + 8       /* SS0 */
    movw $IOMAP, tss + 0x66
    mov $tss + IOMAP - 32, %edi     /* redirection bitmap: all set... */
    mov $32, %ecx
    mov $0xff, %al
    rep stosb
    andb $~(1 << (0x21 & 7)), tss + IOMAP - 32 + 0x21 / 8   /* ...but INT 0x21 */
    movb $0xff, tss + IOMAP         /* empty I/O bitmap: every port faults */
    ret

/* The IDT gates the programs use, the program copied to 0x7000 and the
 * IVT entry of INT 0x21. */
setup_v86:
    mov $13, %eax
    mov $gp_entry, %edx
    mov $0x8e00, %ecx               /* DPL 0 interrupt gate */
    call set_gate
    mov $0x41, %eax
    mov $int41_entry, %edx
    mov $0xee00, %ecx               /* DPL 3: INT n may use it */
    call set_gate
    mov $3, %eax
    mov $int3_entry, %edx
    call set_gate
    mov $v86_code, %esi
    mov $(V86_SEG << 4), %edi
    mov $(v86_code_end - v86_code), %ecx
    rep movsb
    movw $V(v86_int21), 0x21 * 4
    movw $V86_SEG, 0x21 * 4 + 2
    ret

/* set_gate: IDT vector %eax -> %edx in SEL_CODE32, gate type bits %ecx. */
set_gate:
    push %ebx
    mov %edx, %ebx
    and $0xffff, %ebx
    or $(SEL_CODE32 << 16), %ebx
    mov %ebx, idt(,%eax,8)
    and $0xffff0000, %edx
    or %ecx, %edx
    mov %edx, idt+4(,%eax,8)
    pop %ebx
    ret

/* run_v86: runs the program at V86_SEG:%eax with EFLAGS %ecx until its
 * HLT. */
run_v86:
    pushal
    mov %esp, saved_esp
    push $0                         /* GS */
    push $0                         /* FS */
    push $V86_SEG                   /* DS */
    push $V86_SEG                   /* ES */
    push $V86_SS                    /* SS */
    push $0x0ffe                    /* ESP */
    push %ecx                       /* EFLAGS */
    push $V86_SEG                   /* CS */
    push %eax                       /* EIP */
    iret
prog_done:
    mov $SEL_DATA32, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    popal
    ret

/* run_ring3: runs ring3_prog at CPL 3, IOPL 0, IF = VIF = 1, until its HLT. */
run_ring3:
    pushal
    mov %esp, saved_esp
    mov $SEL_UDATA, %ax
    mov %ax, %ds
    mov %ax, %es
    push $SEL_UDATA                 /* SS */
    push $ring3_stack_top           /* ESP */
    push $(EFL_IF | EFL_VIF | 2)    /* EFLAGS */
    push $SEL_UCODE                 /* CS */
    push $ring3_prog                /* EIP */
    iret

/* #GP: the programs' requests, or a fault to report and skip. */
gp_entry:
    push %ds
    push %es
    pushal
    mov $SEL_DATA32, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %esp, %ebp
    mov G_EIP(%ebp), %ebx
    testl $EFL_VM, G_EFL(%ebp)
    jz 1f
    and $0xffff, %ebx
    movzwl G_CS(%ebp), %eax
    shl $4, %eax
    add %eax, %ebx                  /* linear address of the instruction */
1:  movzbl (%ebx), %ecx
    cmp $0xf4, %ecx
    je gp_exit
    cmp $0xe6, %ecx
    jne gp_report
    movzbl 1(%ebx), %ecx
    cmp $0xe0, %ecx
    jne 1f
    orl $EFL_VIP, G_EFL(%ebp)
    jmp gp_skip2
1:  cmp $0xe1, %ecx
    jne 1f
    andl $~EFL_VIP, G_EFL(%ebp)
    jmp gp_skip2
1:  cmp $0xe2, %ecx
    jne 1f
    PRINT "  ax="
    HEX G_EAX(%ebp), 4
    PRINT "\n"
    jmp gp_skip2
1:  cmp $0xe3, %ecx
    jne 1f
    call print_flags
    jmp gp_skip2
1:  cmp $0xe4, %ecx
    jne gp_report
    mov %cr4, %eax
    or $CR4_PVI, %eax
    mov %eax, %cr4
    PRINT "  (monitor: CR4.PVI=1)\n"
    jmp gp_skip2
gp_report:
    movzbl (%ebx), %eax
    shl $8, %eax
    movzbl 1(%ebx), %ecx
    or %ecx, %eax
    PRINT "  #GP("
    HEX G_ERR(%ebp), 4
    PRINT ") on "
    HEX %eax, 4
    PRINT "\n"
    mov $1, %ecx                    /* length: 66 prefix, CD/E6 ib, else 1 */
    movzbl (%ebx), %eax
    cmp $0x66, %eax
    jne 1f
    inc %ecx
    movzbl 1(%ebx), %eax
1:  cmp $0xcd, %eax
    je 2f
    cmp $0xe6, %eax
    jne 3f
2:  inc %ecx
3:  add %ecx, G_EIP(%ebp)
    jmp gp_return
gp_skip2:
    addl $2, G_EIP(%ebp)
gp_return:
    popal
    pop %es
    pop %ds
    add $4, %esp
    iret
gp_exit:
    mov saved_esp, %esp
    jmp prog_done

/* print_flags: "  IF=x VIF=x VIP=x IOPL=x" of the saved EFLAGS. */
print_flags:
    mov G_EFL(%ebp), %edx
    mov %edx, %eax
    shr $9, %eax
    and $1, %eax
    PRINT "  IF="
    HEX %eax, 1
    mov %edx, %eax
    shr $19, %eax
    and $1, %eax
    PRINT " VIF="
    HEX %eax, 1
    mov %edx, %eax
    shr $20, %eax
    and $1, %eax
    PRINT " VIP="
    HEX %eax, 1
    mov %edx, %eax
    shr $12, %eax
    and $3, %eax
    PRINT " IOPL="
    HEX %eax, 1
    PRINT "\n"
    ret

/* INT 0x41 and INT3 through the IDT (DPL 3 gates). From V86 the CPU
 * left DS null: reload it, and put it back for the IRET. */
int41_entry:
    push %ds
    push %eax
    mov $SEL_DATA32, %ax
    mov %ax, %ds
    PRINT "  INT 0x41 through the IDT\n"
    pop %eax
    pop %ds
    iret

int3_entry:
    push %ds
    push %eax
    mov $SEL_DATA32, %ax
    mov %ax, %ds
    PRINT "  INT3 through the IDT\n"
    pop %eax
    pop %ds
    iret

/* D: at CPL 3 with IOPL 0. */
ring3_prog:
    cli                             /* PVI off: #GP */
    out %al, $0xe4                  /* the monitor sets CR4.PVI */
    cli                             /* VIF=0 */
    out %al, $0xe3
    pushfl                          /* PVI leaves PUSHF alone: VIF is bit 19 */
    pop %eax
    and $(EFL_VIF | EFL_VIP | EFL_IF), %eax
    shr $8, %eax
    out %al, $0xe2
    sti                             /* VIF=1 */
    pushfl
    pop %eax
    and $(EFL_VIF | EFL_VIP | EFL_IF), %eax
    shr $8, %eax
    out %al, $0xe2
    out %al, $0xe0                  /* VIP=1 */
    sti                             /* #GP: VIP */
    cli                             /* fine: VIF=0 */
    out %al, $0xe3
    out %al, $0xe1
    sti
    out %al, $0xe3
    hlt

/* The 16-bit programs, copied to V86_SEG:0. */
    .code16
v86_code:
prog_a:
    cli
    int $0x21
    pushf
    hlt

prog_b:
    out %al, $0xe3
    cli
    out %al, $0xe3
    pushf
    pop %ax
    and $0x3200, %ax
    out %al, $0xe2
    sti
    pushf
    pop %ax
    and $0x3200, %ax
    out %al, $0xe2
    pushfl                          /* 32-bit: #GP */
    push $0
    popf                            /* VIF=0 */
    out %al, $0xe3
    push $0x0200
    popf                            /* VIF=1 */
    out %al, $0xe3
    push $0x0100
    popf                            /* TF: #GP */
    pop %ax
    int $0x21                       /* method 6 */
    out %al, $0xe3
    int $0x41                       /* method 3: #GP */
    int3
    out %al, $0xe0                  /* VIP=1 */
    sti                             /* #GP */
    push $0x0200
    popf                            /* #GP */
    pop %ax
    push $0x0200
    push %cs
    push $V(1f)
    iret                            /* #GP */
    add $6, %sp
1:  cli
    out %al, $0xe3
    out %al, $0xe1
    sti
    iretl                           /* #GP */
    out %al, $0xe3
    hlt

prog_c:
    int $0x21                       /* method 5 */
    out %al, $0xe3
    int $0x41                       /* method 4 */
    cli
    out %al, $0xe3
    sti
    out %al, $0xe3
    hlt

/* The program's own INT 0x21 handler: prints the FLAGS image the CPU
 * pushed (IF and IOPL), then the flags inside. */
v86_int21:
    push %bp
    mov %sp, %bp
    mov 6(%bp), %ax
    and $0x3200, %ax
    out %al, $0xe2
    out %al, $0xe3
    pop %bp
    iret
v86_code_end:
    .code32

    .data
    .align 8
my_gdt:
    .quad 0
    .quad 0x00cf9a000000ffff        /* 0x08: code, 32-bit, flat */
    .quad 0x00cf92000000ffff        /* 0x10: data, 32-bit, flat */
    .quad 0x00009a000000ffff        /* 0x18: code, 16-bit */
    .quad 0x000092000000ffff        /* 0x20: data, 16-bit */
    .quad 0x00af9a000000ffff        /* 0x28: code, 64-bit */
    .quad 0                         /* 0x30: the TSS, filled in */
    .quad 0x00cffa000000ffff        /* 0x38: code, 32-bit, flat, DPL 3 */
    .quad 0x00cff2000000ffff        /* 0x40: data, 32-bit, flat, DPL 3 */
my_gdt_end:
my_gdt_desc:
    .word my_gdt_end - my_gdt - 1
    .long my_gdt

    .bss
    .align 16
tss:
    .space IOMAP + 16
saved_esp:
    .long 0
    .align 16
    .space 4096
tss_stack_top:
    .space 4096
ring3_stack_top:
