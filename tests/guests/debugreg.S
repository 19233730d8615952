/*
 * debugreg.S: the debug registers DR0-DR7 from 32-bit protected mode at
 * CPL 0 (SDM Vol.3 17.2-17.3), each case reported on COM1:
 *   - DR6/DR7 reserved bits (0xFFFF0FF0, bit 10 of DR7) after writes of 0,
 *     DR4/DR5 aliasing DR6/DR7 with CR4.DE = 0 and #UD with CR4.DE = 1;
 *   - an instruction breakpoint: #DB before the instruction (a fault,
 *     pushed RF = 0), B bits also for a matching breakpoint that is not
 *     enabled, and EFLAGS.RF set by the handler letting it run once;
 *   - data breakpoints: a write (R/W 01) traps after the instruction, a
 *     read does not; R/W 11 traps on a read; LEN 4 with DRn not aligned
 *     covers the aligned dword; a PUSH onto a watched stack slot; a REP
 *     MOVSB traps after the iteration that writes the watched byte, with
 *     EIP on the MOVSB, ECX counting what is left and RF = 1 pushed;
 *   - an I/O breakpoint (CR4.DE, R/W 10) on OUT to port 0x80;
 *   - general detect: DR7.GD makes MOV DR a #DB fault with BD, and the
 *     handler finds GD cleared;
 *   - EFLAGS.TF: #DB with BS after the instruction that follows POPF;
 *   - a JMP to a TSS whose T bit is set: #DB with BT before the new
 *     task's first instruction;
 *   - a fault (#UD) pushes RF = 1 (SDM 17.3.1.1).
 * Each #DB line shows DR6, the pushed RF and whether EIP is the expected
 * one. QEMU-TCG's deviations from the SDM are in debugreg.qemu-diff.
 */
#include "guest.h"

#define DR7_L0 0x01
#define DR7_L1 0x04
#define DR7_L2 0x10
#define DR7_L3 0x40
#define DR7_GD 0x2000
#define CR4_DE 0x08
#define EFLAGS_TF 0x100
#define EFLAGS_RF 0x10000

    .text
    .globl main
main:
    mov $1, %eax
    mov $on_db, %edx
    call set_handler
    mov $6, %eax
    mov $on_fault, %edx
    call set_handler

    xor %eax, %eax
    mov %eax, %dr6
    mov %eax, %dr7
    PRINT "debugreg: after writing 0: DR6 0x"
    mov %dr6, %eax
    HEX %eax, 8
    PRINT " DR7 0x"
    mov %dr7, %eax
    HEX %eax, 8
    PRINT "\n"

    /* DR4/DR5 are DR6/DR7 while CR4.DE = 0. */
    mov $0x100, %eax                /* DR7.LE: enables nothing */
    mov %eax, %dr5
    mov $0x3, %eax                  /* B0 and B1 */
    mov %eax, %dr4
    PRINT "debugreg: CR4.DE=0: DR7 via DR5 0x"
    mov %dr7, %eax
    HEX %eax, 8
    PRINT " DR6 via DR4 0x"
    mov %dr4, %eax
    HEX %eax, 8
    PRINT "\n"
    xor %eax, %eax
    mov %eax, %dr6
    mov %eax, %dr7
    mov %cr4, %eax
    or $CR4_DE, %eax
    mov %eax, %cr4
    movl $1f, resume
    mov %dr4, %eax
    FAIL "MOV from DR4 with CR4.DE did not fault"
1:  mov %cr4, %eax
    and $~CR4_DE, %eax
    mov %eax, %cr4

    call insn_breakpoint
    call data_breakpoints
    call string_breakpoint
    call io_breakpoint
    call general_detect
    call single_step
    call task_trap

    movl $1f, resume
    ud2
    FAIL "UD2 did not fault"
1:  PRINT "debugreg: #DB count "
    DECIMAL db_count
    PRINT "\ndebugreg: ok\n"
    xor %eax, %eax
    ret

/* DR0 and DR1 both at bp_target, only DR0 enabled: two #DBs for two calls,
 * each let through by RF. */
insn_breakpoint:
    mov $bp_target, %eax
    mov %eax, %dr0
    mov %eax, %dr1
    mov %eax, want_eip
    mov $DR7_L0, %eax               /* R/W0 = 00, LEN0 = 00 */
    mov %eax, %dr7
    PRINT "debugreg: instruction breakpoint\n"
    call bp_func
    call bp_func
    xor %eax, %eax
    mov %eax, %dr7
    PRINT "debugreg: breakpointed function ran "
    DECIMAL bp_runs
    PRINT " times\n"
    ret

bp_func:
bp_target:
    incl bp_runs
    ret

data_breakpoints:
    PRINT "debugreg: data write breakpoint, LEN 4\n"
    mov $dvar, %eax
    mov %eax, %dr1
    mov $(DR7_L1 | (1 << 20) | (3 << 22)), %eax    /* R/W1 = 01, LEN1 = 11 */
    mov %eax, %dr7
    movl $after_write, want_eip
    movl $1, dvar
after_write:
    mov dvar, %eax                  /* a read: no #DB with R/W 01 */
    PRINT "debugreg: data read/write breakpoint\n"
    mov $(DR7_L1 | (3 << 20) | (3 << 22)), %eax    /* R/W1 = 11 */
    mov %eax, %dr7
    movl $after_read, want_eip
    mov dvar, %eax
after_read:
    PRINT "debugreg: LEN 4 at dvar+2 covers dvar..dvar+3\n"
    mov $(dvar + 2), %eax
    mov %eax, %dr2
    mov $(DR7_L2 | (1 << 24) | (3 << 26)), %eax    /* R/W2 = 01, LEN2 = 11 */
    mov %eax, %dr7
    movl $after_byte, want_eip
    movb $7, dvar
after_byte:
    movb $7, dvar + 4               /* outside: no #DB */
    PRINT "debugreg: PUSH onto a watched stack slot\n"
    lea -4(%esp), %eax
    mov %eax, %dr3
    movl $after_push, want_eip
    mov $(DR7_L3 | (1 << 28) | (3 << 30)), %eax    /* R/W3 = 01, LEN3 = 11 */
    mov %eax, %dr7
    push $5
after_push:
    pop %eax                        /* a read: no #DB */
    xor %eax, %eax
    mov %eax, %dr7
    ret

/* REP MOVSB of 8 bytes with DR0 on the sixth destination byte. */
string_breakpoint:
    PRINT "debugreg: REP MOVSB onto a watched byte\n"
    mov $(dbuf + 5), %eax
    mov %eax, %dr0
    mov $(DR7_L0 | (1 << 16)), %eax /* R/W0 = 01, LEN0 = 00 */
    mov %eax, %dr7
    movl $rep_insn, want_eip
    cld
    mov $sbuf, %esi
    mov $dbuf, %edi
    mov $8, %ecx
rep_insn:
    rep movsb
    xor %eax, %eax
    mov %eax, %dr7
    PRINT "debugreg: REP MOVSB done, ECX "
    DECIMAL %ecx
    PRINT " last byte 0x"
    movzbl dbuf + 7, %eax
    HEX %eax, 2
    PRINT "\n"
    ret

io_breakpoint:
    PRINT "debugreg: I/O breakpoint on port 0x80\n"
    mov %cr4, %eax
    or $CR4_DE, %eax
    mov %eax, %cr4
    mov $0x80, %eax
    mov %eax, %dr3
    mov $(DR7_L3 | (2 << 28)), %eax /* R/W3 = 10, LEN3 = 00 */
    mov %eax, %dr7
    movl $after_out, want_eip
    outb %al, $0x80
after_out:
    xor %eax, %eax
    mov %eax, %dr7
    mov %cr4, %eax
    and $~CR4_DE, %eax
    mov %eax, %cr4
    ret

/* One line: the #DB that on_db recorded quietly, and DR7 afterwards. */
general_detect:
    movl $gd_insn, want_eip
    movl $1, db_quiet
    movl $0, db_count_gd
    mov $DR7_GD, %eax
    mov %eax, %dr7
gd_insn:
    mov %dr0, %eax
    movl $0, db_quiet
    PRINT "debugreg: general detect: "
    cmpl $0, db_count_gd
    je 1f
    PRINT "#DB DR6 0x"
    HEX last_dr6, 8
    PRINT " RF "
    DECIMAL last_rf
    cmpl $0, last_eip_ok
    je 2f
    PRINT " at the MOV"
    jmp 2f
1:  PRINT "no #DB"
2:  PRINT ", DR7 after 0x"
    mov %dr7, %eax
    HEX %eax, 8
    PRINT "\n"
    xor %eax, %eax
    mov %eax, %dr7
    ret

single_step:
    PRINT "debugreg: single step\n"
    movl $after_nop, want_eip
    pushf
    orl $EFLAGS_TF, (%esp)
    popf
    nop
after_nop:
    ret

/* Two 32-bit TSSs in a copy of the runtime's GDT (selectors 0x30 for the
 * running task A, 0x38 for B with T = 1); B jumps back to A. */
task_trap:
    PRINT "debugreg: task switch to a TSS with the T bit\n"
    sgdt saved_gdtr
    movzwl saved_gdtr, %ecx
    inc %ecx
    mov saved_gdtr + 2, %esi
    mov $task_gdt, %edi
    cld
    rep movsb
    mov $tss_a, %eax
    mov $(task_gdt + 0x30), %edi
    call tss_desc
    mov $tss_b, %eax
    mov $(task_gdt + 0x38), %edi
    call tss_desc
    movw $(0x40 - 1), task_gdtr
    movl $task_gdt, task_gdtr + 2
    lgdt task_gdtr
    mov $0x30, %ax
    ltr %ax
    movl $task_b, tss_b + 0x20      /* EIP */
    movl $2, tss_b + 0x24           /* EFLAGS */
    movl $(task_b_stack + 1024), tss_b + 0x38   /* ESP */
    movl $SEL_DATA32, tss_b + 0x48  /* ES */
    movl $SEL_CODE32, tss_b + 0x4c  /* CS */
    movl $SEL_DATA32, tss_b + 0x50  /* SS */
    movl $SEL_DATA32, tss_b + 0x54  /* DS */
    movl $SEL_DATA32, tss_b + 0x58  /* FS */
    movl $SEL_DATA32, tss_b + 0x5c  /* GS */
    movw $1, tss_b + 0x64           /* T */
    movl $task_b, want_eip
    movl $1, db_quiet
    movl $0, db_count_gd
    ljmp $0x38, $0
    PRINT "debugreg: back in task A\n"
    lgdt saved_gdtr
    ret

/* One line: the #DB that on_db recorded quietly on the way in. */
task_b:
    movl $0, db_quiet
    PRINT "debugreg: in task B: "
    cmpl $0, db_count_gd
    je 1f
    PRINT "#DB DR6 0x"
    HEX last_dr6, 8
    cmpl $0, last_eip_ok
    je 2f
    PRINT " before its first instruction"
    jmp 2f
1:  PRINT "no #DB"
2:  PRINT "\n"
    ljmp $0x30, $0

/* tss_desc: a 32-bit available TSS descriptor for the 104 bytes at %eax,
 * written at %edi. */
tss_desc:
    movw $103, (%edi)
    mov %ax, 2(%edi)
    push %eax
    shr $16, %eax
    mov %al, 4(%edi)
    movb $0x89, 5(%edi)             /* present, DPL 0, type 9 */
    movb $0, 6(%edi)
    mov %ah, 7(%edi)
    pop %eax
    ret

/* #DB: prints DR6, the pushed RF and the EIP check, clears DR6 and TF,
 * and sets RF in the frame so that an instruction breakpoint lets the
 * instruction run when the handler returns. */
on_db:
    mov %eax, %ebx
    incl db_count
    incl db_count_gd
    mov %dr6, %eax
    mov %eax, last_dr6
    mov F_EFLAGS(%ebx), %eax
    shr $16, %eax
    and $1, %eax
    mov %eax, last_rf
    mov F_EIP(%ebx), %eax
    cmp want_eip, %eax
    sete %al
    movzbl %al, %eax
    mov %eax, last_eip_ok
    cmpl $0, db_quiet
    jne 3f
    PRINT "debugreg: #DB DR6 0x"
    HEX last_dr6, 8
    PRINT " RF "
    DECIMAL last_rf
    cmpl $0, last_eip_ok
    je 1f
    PRINT " at the expected EIP"
    jmp 2f
1:  PRINT " at the expected EIP + 0x"
    mov F_EIP(%ebx), %eax
    sub want_eip, %eax
    HEX %eax, 2
2:  cmpl $rep_insn, F_EIP(%ebx)
    jne 4f
    PRINT " ECX "
    DECIMAL F_ECX(%ebx)
4:  PRINT "\n"
3:  xor %eax, %eax
    mov %eax, %dr6
    andl $~EFLAGS_TF, F_EFLAGS(%ebx)
    orl $EFLAGS_RF, F_EFLAGS(%ebx)
    ret

/* #UD: prints the pushed RF and resumes at resume. */
on_fault:
    mov %eax, %ebx
    PRINT "debugreg: #UD RF "
    mov F_EFLAGS(%ebx), %eax
    shr $16, %eax
    and $1, %eax
    DECIMAL %eax
    PRINT "\n"
    mov resume, %eax
    mov %eax, F_EIP(%ebx)
    ret

    .data
    .align 8
saved_gdtr:
    .word 0
    .long 0
    .align 8
task_gdtr:
    .word 0
    .long 0
    .align 8
dvar:
    .long 0, 0
sbuf:
    .byte 1, 2, 3, 4, 5, 6, 7, 8
dbuf:
    .byte 0, 0, 0, 0, 0, 0, 0, 0
resume:
    .long 0
want_eip:
    .long 0
db_count:
    .long 0
bp_runs:
    .long 0
db_quiet:
    .long 0
db_count_gd:
    .long 0
last_dr6:
    .long 0
last_rf:
    .long 0
last_eip_ok:
    .long 0

    .bss
    .align 16
task_gdt:
    .skip 0x40
tss_a:
    .skip 104
tss_b:
    .skip 104
task_b_stack:
    .skip 1024
