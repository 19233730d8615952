/*
 * test-x86-debugreg.c: the guest's debug registers and SMEP/SMAP on the
 * software CPU, both backends (target-x86/debug_helper.c, mmu.c): MOV DR
 * checks (CPL, DR4/DR5, reserved bits, general detect, 64-bit upper
 * halves), instruction breakpoints and EFLAGS.RF, data breakpoints on
 * stores, loads, pushes and string iterations (LEN and alignment, B bits
 * of breakpoints that are not enabled), I/O breakpoints with CR4.DE, the
 * single-step trap reported together with a data breakpoint, the TSS T
 * bit, RF pushed by faults, a debugger breakpoint hiding a guest one, block flags when DR7 enables nothing; SMEP
 * and SMAP with STAC/CLAC, the AC-selected MMU index and implicit
 * accesses from CPL 3. Snippets come from the host assembler.
 */
#include "test-x86-translate-harness.h"

#define SNIPPET(name, mode, body) \
    extern const uint8_t name##_start[], name##_end[]; \
    __asm__(".pushsection .rodata\n" mode "\n" #name "_start:\n" body "\n" \
            #name "_end:\n.code64\n.popsection\n")

#define RUN_SNIPPET(name) \
    assert_int_equal(h_run(name##_start, (size_t)(name##_end - name##_start)), EXCP_HLT)

/* Offset of a label inside a snippet, as a guest address at H_CODE. */
#define SNIP_ADDR(name, label) (H_CODE + (uint32_t)((label) - name##_start))

#define DR6_B(n) (1u << (n))

/* Frame of an exception without error code taken at CPL 0 (32-bit): the
 * stub's vector push, then EIP, CS, EFLAGS. */
static uint32_t frame32(unsigned i)
{
    return h_get32(h.env->regs[R_ESP] + 4 + 4 * i);
}

/* A #DB stopped in its stub, raised at eip (the pushed EIP), with B0-B3
 * of DR6 equal to b_bits. */
static void assert_db_at(uint32_t eip, uint32_t b_bits)
{
    assert_int_equal(h_stub_vector(), EXCP_DB);
    assert_int_equal(frame32(0), eip);
    assert_int_equal(h.env->dr[6] & 0xf, b_bits);
}

/* The TCG CPU model (SMEP and SMAP advertised) and a TSS for ring 3. */
static void setup_flat32(void)
{
    X86CPUState *env = h.env;

    x86_cpuid_restrict_for_tcg(env);
    h_mode_flat32();
    h_put32(0x5000 + 4, 0x2f0000);
    h_put32(0x5000 + 8, 0x10);
    h_gdt_entry(5, 0x5000, 103, DESC_P_MASK | (9u << DESC_TYPE_SHIFT));
    env->gdt.limit = 6 * 8 - 1;
    env->tr = (SegmentCache){ 0x28, 0x5000, 103, DESC_P_MASK | (11u << DESC_TYPE_SHIFT) };
}

/* IRET to ring 3 at label 2, then the test's ring-3 instruction. */
#define TO_RING3 \
    "push $0x23\n push $0x2ff000\n push $0x2\n push $0x1b\n call 1f\n" \
    "1: pop %eax\n add $(2f - 1b), %eax\n push %eax\n iret\n 2:\n"

/* ---- MOV DR ---- */

SNIPPET(snip_dr_ring3, ".code32", TO_RING3 "mov %dr7, %eax\n");
SNIPPET(snip_clac_ring3, ".code32", TO_RING3 "clac\n");

static void test_mov_dr_above_cpl0_raises_gp_and_stac_clac_raise_ud(void **state)
{
    setup_flat32();
    RUN_SNIPPET(snip_dr_ring3);
    assert_int_equal(h_stub_vector(), EXCP_GP);
    setup_flat32();
    RUN_SNIPPET(snip_clac_ring3);
    assert_int_equal(h_stub_vector(), EXCP_UD);
}

SNIPPET(snip_dr45, ".code32",
        "mov $0x155, %eax\n mov %eax, %dr5\n mov %dr7, %ebx\n"
        "mov $0xf, %eax\n mov %eax, %dr4\n mov %dr6, %ecx\n"
        "mov %cr4, %eax\n or $8, %eax\n mov %eax, %cr4\n"
        "mov %dr4, %edx\n");

static void test_dr4_dr5_alias_dr6_dr7_without_de_and_raise_ud_with_de(void **state)
{
    X86CPUState *env = h.env;

    setup_flat32();
    RUN_SNIPPET(snip_dr45);
    assert_int_equal(env->regs[R_EBX], 0x555);
    assert_int_equal(env->regs[R_ECX], 0xffff0fff);
    assert_int_equal(h_stub_vector(), EXCP_UD);
}

SNIPPET(snip_dr_reserved, ".code32",
        "mov $0xffffffff, %eax\n mov %eax, %dr6\n mov %dr6, %ebx\n"
        "mov $0xffffdfff, %eax\n mov %eax, %dr7\n mov %dr7, %ecx\n"
        "xor %eax, %eax\n mov %eax, %dr6\n mov %eax, %dr7\n"
        "mov %dr6, %esi\n mov %dr7, %edi\n");

static void test_dr6_dr7_reserved_bits_read_as_fixed_values(void **state)
{
    X86CPUState *env = h.env;

    setup_flat32();
    env->dr[0] = env->dr[1] = env->dr[2] = env->dr[3] = 0x3ff000;   /* away from the code */
    RUN_SNIPPET(snip_dr_reserved);
    assert_int_equal(env->regs[R_EBX], 0xffffefff);   /* bit 12 reads 0 */
    assert_int_equal(env->regs[R_ECX], 0xffff07ff);   /* bits 11, 12, 14, 15 read 0 */
    assert_int_equal(env->regs[R_ESI], 0xffff0ff0);
    assert_int_equal(env->regs[R_EDI], 0x400);
}

SNIPPET(snip_dr64, ".code64",
        "mov $0x123456789a, %rax\n mov %rax, %dr0\n mov %dr0, %rbx\n"
        "mov $0x100000000, %rax\n mov %rax, %dr7\n");

static void test_64bit_dr0_keeps_64_bits_and_dr7_upper_half_raises_gp(void **state)
{
    X86CPUState *env = h.env;

    x86_cpuid_restrict_for_tcg(env);
    h_mode_long64();
    RUN_SNIPPET(snip_dr64);
    assert_int_equal(env->regs[R_EBX], 0x123456789aULL);
    assert_int_equal(h_stub_vector(), EXCP_GP);
    assert_int_equal(env->dr[7], 0x400);
}

SNIPPET(snip_gd, ".code32", "mov $0x2000, %eax\n mov %eax, %dr7\n nop\n gd_mov:\n mov %dr0, %eax\n");
extern const uint8_t gd_mov[];

static void test_general_detect_faults_mov_dr_with_bd_and_clears_gd(void **state)
{
    X86CPUState *env = h.env;

    setup_flat32();
    RUN_SNIPPET(snip_gd);
    assert_int_equal(h_stub_vector(), EXCP_DB);
    assert_int_equal(frame32(0), SNIP_ADDR(snip_gd, gd_mov));   /* a fault */
    assert_true(env->dr[6] & DR6_BD);
    assert_false(env->dr[7] & DR7_GD);
    assert_true(frame32(2) & RF_MASK);                          /* fault-class */
}

/* ---- instruction breakpoints and RF ---- */

SNIPPET(snip_ibp, ".code32", "inc %ebx\n ibp_at:\n inc %ebx\n inc %ebx\n");
extern const uint8_t ibp_at[];

static void test_instruction_breakpoint_faults_before_the_instruction(void **state)
{
    X86CPUState *env = h.env;
    uint32_t at = SNIP_ADDR(snip_ibp, ibp_at);

    setup_flat32();
    env->dr[0] = at;
    env->dr[2] = at;                 /* same address, not enabled */
    env->dr[7] = 0x400 | 0x2;        /* G0, R/W0 = 00, LEN0 = 00 */
    RUN_SNIPPET(snip_ibp);
    assert_int_equal(h_stub_vector(), EXCP_DB);
    assert_int_equal(env->regs[R_EBX], 1);
    assert_int_equal(frame32(0), at);
    assert_false(frame32(2) & RF_MASK);
    assert_int_equal(env->dr[6] & 0xf, DR6_B(0) | DR6_B(2));
}

static void test_rf_lets_one_instruction_past_its_breakpoint_and_is_cleared(void **state)
{
    X86CPUState *env = h.env;
    static const uint8_t code[] = { 0x43, 0x43, 0xeb, 0xfc };   /* l: inc; inc; jmp l */

    setup_flat32();
    env->dr[1] = H_CODE;
    env->dr[7] = 0x400 | 0x4;        /* L1 */
    env->eflags |= RF_MASK;
    assert_int_equal(h_run(code, sizeof(code)), EXCP_HLT);
    /* ran inc, inc, jmp with RF, then stopped at H_CODE on the way round */
    assert_int_equal(h_stub_vector(), EXCP_DB);
    assert_int_equal(env->regs[R_EBX], 2);
    assert_int_equal(frame32(0), H_CODE);
    assert_false(frame32(2) & RF_MASK);
    assert_int_equal(env->dr[6] & 0xf, DR6_B(1));
}

static void test_gdb_breakpoint_takes_priority_over_the_guests_unseen(void **state)
{
    X86CPUState *env = h.env;
    CPUState *cs = &h.cpu->cs;
    uint32_t at = SNIP_ADDR(snip_ibp, ibp_at);
    CPUBreakpoint bp = { BP_SW, at, 1 };

    setup_flat32();
    env->dr[0] = at;
    env->dr[7] = 0x400 | 0x1;
    cs->breakpoints = g_array_new(false, false, sizeof(CPUBreakpoint));
    g_array_append_val(cs->breakpoints, bp);
    assert_int_equal(h_run(snip_ibp_start, (size_t)(snip_ibp_end - snip_ibp_start)),
                     EXCP_DEBUG);
    assert_int_equal(env->rip, at);
    assert_int_equal(env->regs[R_EBX], 1);
    assert_int_equal(env->dr[6], 0xffff0ff0);       /* the guest saw nothing */
    g_array_free(cs->breakpoints, true);
    cs->breakpoints = NULL;
    tb_flush();
    assert_int_equal(h_exec_hlt(), EXCP_HLT);      /* now the guest's own #DB */
    assert_int_equal(h_stub_vector(), EXCP_DB);
    assert_int_equal(frame32(0), at);
}

static void test_block_flags_carry_nothing_of_dr7_when_it_enables_nothing(void **state)
{
    X86CPUState *env = h.env;
    uint64_t pc, cs_base;
    uint32_t plain, with_drs;

    setup_flat32();
    x86_get_tb_cpu_state(env, &pc, &cs_base, &plain);
    env->dr[0] = env->dr[1] = H_CODE;
    env->dr[7] = 0x400 | (1u << 16) | (3u << 20);   /* types set, nothing enabled */
    x86_get_tb_cpu_state(env, &pc, &cs_base, &with_drs);
    assert_int_equal(plain, with_drs);
    assert_false(x86_dr_watches_page(env, H_CODE));
    env->dr[7] |= 0x1;
    x86_get_tb_cpu_state(env, &pc, &cs_base, &with_drs);
    assert_int_not_equal(plain, with_drs);
}

/* ---- data breakpoints ---- */

SNIPPET(snip_dwrite, ".code32",
        "mov 0x200000, %eax\n"        /* a read: no trap with R/W 01 */
        "movl $1, 0x200000\n dw_next:\n inc %ebx\n");
extern const uint8_t dw_next[];

static void test_write_breakpoint_traps_after_the_store_with_b_bits_of_disabled_ones(void **state)
{
    X86CPUState *env = h.env;

    setup_flat32();
    env->dr[0] = 0x200000;
    env->dr[3] = 0x200002;           /* not enabled, LEN 2: also met */
    env->dr[7] = 0x400 | 0x1 | (1u << 16) | (3u << 18) | (1u << 28) | (1u << 30);
    RUN_SNIPPET(snip_dwrite);
    assert_db_at(SNIP_ADDR(snip_dwrite, dw_next), DR6_B(0) | DR6_B(3));
    assert_int_equal(h_get32(0x200000), 1);
    assert_int_equal(env->regs[R_EBX], 0);
}

SNIPPET(snip_len8, ".code64", "movb $1, 0x200010\n movb $2, 0x200008\n l8_next:\n inc %ebx\n");
extern const uint8_t l8_next[];

static void test_len8_breakpoint_is_aligned_down_in_64bit_mode(void **state)
{
    X86CPUState *env = h.env;

    x86_cpuid_restrict_for_tcg(env);
    h_mode_long64();
    env->dr[1] = 0x20000d;           /* LEN 8: watches 0x200008..0x20000f */
    env->dr[7] = 0x400 | 0x4 | (1u << 20) | (2u << 22);
    RUN_SNIPPET(snip_len8);
    assert_int_equal(h_stub_vector(), EXCP_DB);
    assert_int_equal(h_get64(env->regs[R_ESP] + 8), SNIP_ADDR(snip_len8, l8_next));
    assert_int_equal(env->dr[6] & 0xf, DR6_B(1));
}

SNIPPET(snip_push, ".code32", "mov $0x2ff000, %esp\n call push_to\n push_to:\n inc %ebx\n");
extern const uint8_t push_to[];

static void test_read_write_breakpoint_traps_on_the_push_of_a_call(void **state)
{
    X86CPUState *env = h.env;

    setup_flat32();
    env->dr[2] = 0x2feffc;
    env->dr[7] = 0x400 | 0x10 | (3u << 24) | (3u << 26);
    RUN_SNIPPET(snip_push);
    assert_db_at(SNIP_ADDR(snip_push, push_to), DR6_B(2));
    assert_int_equal(env->regs[R_EBX], 0);
}

SNIPPET(snip_rep, ".code32",
        "cld\n mov $0x200100, %esi\n mov $0x200200, %edi\n mov $8, %ecx\n"
        "rep_at:\n rep movsb\n");
extern const uint8_t rep_at[];

static void test_string_breakpoint_traps_after_its_iteration_with_rf_pushed(void **state)
{
    X86CPUState *env = h.env;

    setup_flat32();
    env->dr[0] = 0x200205;
    env->dr[7] = 0x400 | 0x1 | (1u << 16);
    RUN_SNIPPET(snip_rep);
    assert_db_at(SNIP_ADDR(snip_rep, rep_at), DR6_B(0));
    assert_int_equal(env->regs[R_ECX], 2);
    assert_true(frame32(2) & RF_MASK);
}

SNIPPET(snip_step_data, ".code32",
        "pushf\n orl $0x100, (%esp)\n popf\n movl $3, 0x200000\n sd_next:\n inc %ebx\n");
extern const uint8_t sd_next[];

static void test_single_step_and_data_breakpoint_are_one_db(void **state)
{
    X86CPUState *env = h.env;

    setup_flat32();
    env->dr[0] = 0x200000;
    env->dr[7] = 0x400 | 0x1 | (1u << 16) | (3u << 18);
    RUN_SNIPPET(snip_step_data);
    assert_int_equal(h_stub_vector(), EXCP_DB);
    assert_int_equal(frame32(0), SNIP_ADDR(snip_step_data, sd_next));
    assert_int_equal(env->dr[6] & (DR6_BS | 0xf), DR6_BS | DR6_B(0));
}

SNIPPET(snip_io, ".code32", "in $0x80, %al\n io_next:\n inc %ebx\n");
extern const uint8_t io_next[];

static void test_io_breakpoint_traps_only_with_cr4_de(void **state)
{
    X86CPUState *env = h.env;

    setup_flat32();
    env->dr[3] = 0x80;
    env->dr[7] = 0x400 | 0x40 | (2u << 28);
    RUN_SNIPPET(snip_io);
    assert_int_equal(h_stub_vector(), -1);
    assert_int_equal(env->regs[R_EBX], 1);
    setup_flat32();
    env->cr[4] |= CR4_DE;
    env->dr[3] = 0x80;
    env->dr[7] = 0x400 | 0x40 | (2u << 28);
    RUN_SNIPPET(snip_io);
    assert_db_at(SNIP_ADDR(snip_io, io_next), DR6_B(3));
}

SNIPPET(snip_outs, ".code32", "mov $0x80, %dx\n mov $0x200000, %esi\n outsb\n outs_next:\n inc %ebx\n");
extern const uint8_t outs_next[];

static void test_io_breakpoint_traps_on_outs_with_len_covering_the_port(void **state)
{
    X86CPUState *env = h.env;

    setup_flat32();
    env->cr[4] |= CR4_DE;
    env->dr[1] = 0x81;               /* LEN 2: ports 0x80-0x81 */
    env->dr[7] = 0x400 | 0x4 | (2u << 20) | (1u << 22);
    RUN_SNIPPET(snip_outs);
    assert_db_at(SNIP_ADDR(snip_outs, outs_next), DR6_B(1));
}

SNIPPET(snip_int_push, ".code32", "mov $0x2ff000, %esp\n int $0x40\n");

static void test_breakpoint_met_by_interrupt_pushes_traps_before_the_handler(void **state)
{
    X86CPUState *env = h.env;

    setup_flat32();
    env->dr[2] = 0x2feffc;           /* where INT pushes EFLAGS */
    env->dr[7] = 0x400 | 0x10 | (1u << 24) | (3u << 26);
    RUN_SNIPPET(snip_int_push);
    assert_db_at(H_STUBS + 0x40 * 8, DR6_B(2));
    assert_int_equal(h_get32(0x2feff4), SNIP_ADDR(snip_int_push, snip_int_push_end));
}

/* JMP to a TSS whose T bit is set: #DB with BT before its first instruction. */
SNIPPET(snip_task_t, ".code32", "ljmp $0x38, $0\n .globl task_t_b\n task_t_b:\n inc %ebx\n");
extern const uint8_t task_t_b[];

static void test_task_switch_to_a_tss_with_t_bit_raises_db_with_bt(void **state)
{
    X86CPUState *env = h.env;
    uint32_t b_eip = SNIP_ADDR(snip_task_t, task_t_b);

    setup_flat32();
    h_gdt_entry(5, 0x5000, 103, DESC_P_MASK | (11u << DESC_TYPE_SHIFT));
    h_gdt_entry(7, 0x5100, 103, DESC_P_MASK | (9u << DESC_TYPE_SHIFT));
    env->gdt.limit = 8 * 8 - 1;
    h_put32(0x5100 + 0x20, b_eip);
    h_put32(0x5100 + 0x24, 0x2);
    h_put32(0x5100 + 0x28 + R_ESP * 4, 0x2e0000);
    for (int sgi = R_ES; sgi <= R_GS; sgi++) {
        h_put32(0x5100 + 0x48 + sgi * 4, sgi == R_CS ? 8 : 0x10);
    }
    h_put32(0x5100 + 0x64, 1);       /* T */
    RUN_SNIPPET(snip_task_t);
    assert_int_equal(h_stub_vector(), EXCP_DB);
    assert_int_equal(env->tr.selector, 0x38);
    assert_int_equal(frame32(0), b_eip);
    assert_int_equal(env->regs[R_EBX], 0);
    assert_true(env->dr[6] & DR6_BT);
}

static void test_a_fault_pushes_rf_set(void **state)
{
    static const uint8_t ud2[] = { 0x0f, 0x0b };

    setup_flat32();
    assert_int_equal(h_run(ud2, sizeof(ud2)), EXCP_HLT);
    assert_int_equal(h_stub_vector(), EXCP_UD);
    assert_true(frame32(2) & RF_MASK);
    assert_false(h.env->eflags & RF_MASK);   /* cleared on delivery */
}

/* ---- SMEP and SMAP ---- */

/* PAE paging: 0-2 MiB supervisor, 2-4 MiB a user 2 MiB page. */
static void setup_paging(uint64_t cr4_extra)
{
    X86CPUState *env = h.env;

    setup_flat32();
    h_put64(0x10000, 0x11000 | 1);
    h_put64(0x11000, 0x000000 | 0x83);
    h_put64(0x11000 + 8, 0x200000 | 0x87);
    env->cr[3] = 0x10000;
    env->cr[4] = CR4_PAE | cr4_extra;
    env->cr[0] |= CR0_PG;
    env->regs[R_ESP] = 0x1f0000;     /* a supervisor stack */
    x86_update_hflags(env);
    tlb_flush(&env->tlb);
}

SNIPPET(snip_smep, ".code32", "mov $0x200000, %eax\n call *%eax\n");

static void test_smep_faults_a_supervisor_fetch_from_a_user_page(void **state)
{
    X86CPUState *env = h.env;

    setup_paging(CR4_SMEP);
    h.ram[0x200000] = 0xc3;
    RUN_SNIPPET(snip_smep);
    assert_int_equal(h_stub_vector(), EXCP_PF);
    assert_int_equal(h_get32(env->regs[R_ESP] + 4), PF_ERR_P | PF_ERR_I);
    assert_int_equal(env->cr[2], 0x200000);
}

SNIPPET(snip_smap, ".code32",
        "stac\n movl $5, 0x200040\n mov 0x200040, %ebx\n clac\n"
        "mov %ebx, %ecx\n smap_fault:\n mov 0x200040, %edx\n");
extern const uint8_t smap_fault[];

static void test_smap_allows_after_stac_and_faults_after_clac(void **state)
{
    X86CPUState *env = h.env;

    setup_paging(CR4_SMAP);
    RUN_SNIPPET(snip_smap);
    assert_int_equal(env->regs[R_EBX], 5);
    assert_int_equal(env->regs[R_ECX], 5);
    assert_int_equal(h_stub_vector(), EXCP_PF);
    assert_int_equal(h_get32(env->regs[R_ESP] + 4), PF_ERR_P);
    assert_int_equal(h_get32(env->regs[R_ESP] + 8), SNIP_ADDR(snip_smap, smap_fault));
    assert_false(env->eflags & AC_MASK);
}

SNIPPET(snip_smap_popf, ".code32",
        "pushf\n orl $0x40000, (%esp)\n popf\n mov 0x200040, %ebx\n"
        "pushf\n andl $~0x40000, (%esp)\n popf\n popf_fault:\n mov 0x200040, %ecx\n");
extern const uint8_t popf_fault[];

static void test_smap_follows_ac_set_and_cleared_by_popf(void **state)
{
    X86CPUState *env = h.env;

    setup_paging(CR4_SMAP);
    h_put32(0x200040, 0x77);
    RUN_SNIPPET(snip_smap_popf);
    assert_int_equal(env->regs[R_EBX], 0x77);
    assert_int_equal(h_stub_vector(), EXCP_PF);
    assert_int_equal(h_get32(env->regs[R_ESP] + 8), SNIP_ADDR(snip_smap_popf, popf_fault));
}

/* Ring 3 with AC set loads DS from a GDT entry that lies on a user page:
 * an implicit supervisor access, checked whatever AC says (SDM Vol.3
 * 4.6.1). Ring 0 runs with AC set too, its stack being on a user page. */
SNIPPET(snip_smap_implicit, ".code32",
        "push $0x23\n push $0x2ff000\n push $0x40002\n push $0x1b\n call 1f\n"
        "1: pop %eax\n add $(2f - 1b), %eax\n push %eax\n iret\n 2:\n"
        "mov $0x23, %eax\n mov %eax, %ds\n");

static void test_smap_checks_implicit_accesses_from_cpl3_despite_ac(void **state)
{
    X86CPUState *env = h.env;
    uint32_t gdt = 0x1ff000 - 0x20;  /* entries 0-3 supervisor, 4 and 5 user */

    setup_paging(CR4_SMAP);
    h_put64(0x11000, 0x12000 | 7);   /* 0-2 MiB in 4 KiB pages */
    for (uint32_t i = 0; i < 512; i++) {
        bool user = i == 0x100 || i == 0x101 || i == 0x1ff;
        h_put64(0x12000 + i * 8, (i << 12) | 3 | (user ? 4 : 0));
    }
    memcpy(h.ram + gdt, h.ram + H_GDT, 6 * 8);
    env->gdt.base = gdt;
    h_put32(0x5000 + 4, 0x1f0000);   /* ESP0 on a supervisor page */
    env->regs[R_ESP] = H_STACK;
    env->eflags |= AC_MASK;
    x86_update_hflags(env);
    RUN_SNIPPET(snip_smap_implicit);
    assert_int_equal(h_stub_vector(), EXCP_PF);
    assert_int_equal(env->cr[2], 0x1ff000);
    assert_int_equal(h_get32(env->regs[R_ESP] + 4), PF_ERR_P);
}

SNIPPET(snip_cr4_smap, ".code32", "mov %cr4, %eax\n or $0x200000, %eax\n mov %eax, %cr4\n");

static void test_cr4_smap_without_cpuid_smap_raises_gp_and_stac_ud(void **state)
{
    X86CPUState *env = h.env;
    static const uint8_t stac[] = { 0x0f, 0x01, 0xcb };

    h_mode_flat32();                 /* the default model: no leaf-7 bits */
    RUN_SNIPPET(snip_cr4_smap);
    assert_int_equal(h_stub_vector(), EXCP_GP);
    assert_false(env->cr[4] & CR4_SMAP);
    h_mode_flat32();
    assert_int_equal(h_run(stac, sizeof(stac)), EXCP_HLT);
    assert_int_equal(h_stub_vector(), EXCP_UD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH_BACKENDS(test_mov_dr_above_cpl0_raises_gp_and_stac_clac_raise_ud),
        BOTH_BACKENDS(test_dr4_dr5_alias_dr6_dr7_without_de_and_raise_ud_with_de),
        BOTH_BACKENDS(test_dr6_dr7_reserved_bits_read_as_fixed_values),
        BOTH_BACKENDS(test_64bit_dr0_keeps_64_bits_and_dr7_upper_half_raises_gp),
        BOTH_BACKENDS(test_general_detect_faults_mov_dr_with_bd_and_clears_gd),
        BOTH_BACKENDS(test_instruction_breakpoint_faults_before_the_instruction),
        BOTH_BACKENDS(test_rf_lets_one_instruction_past_its_breakpoint_and_is_cleared),
        BOTH_BACKENDS(test_gdb_breakpoint_takes_priority_over_the_guests_unseen),
        BOTH_BACKENDS(test_block_flags_carry_nothing_of_dr7_when_it_enables_nothing),
        BOTH_BACKENDS(test_write_breakpoint_traps_after_the_store_with_b_bits_of_disabled_ones),
        BOTH_BACKENDS(test_len8_breakpoint_is_aligned_down_in_64bit_mode),
        BOTH_BACKENDS(test_read_write_breakpoint_traps_on_the_push_of_a_call),
        BOTH_BACKENDS(test_string_breakpoint_traps_after_its_iteration_with_rf_pushed),
        BOTH_BACKENDS(test_single_step_and_data_breakpoint_are_one_db),
        BOTH_BACKENDS(test_io_breakpoint_traps_only_with_cr4_de),
        BOTH_BACKENDS(test_io_breakpoint_traps_on_outs_with_len_covering_the_port),
        BOTH_BACKENDS(test_breakpoint_met_by_interrupt_pushes_traps_before_the_handler),
        BOTH_BACKENDS(test_task_switch_to_a_tss_with_t_bit_raises_db_with_bt),
        BOTH_BACKENDS(test_a_fault_pushes_rf_set),
        BOTH_BACKENDS(test_smep_faults_a_supervisor_fetch_from_a_user_page),
        BOTH_BACKENDS(test_smap_allows_after_stac_and_faults_after_clac),
        BOTH_BACKENDS(test_smap_follows_ac_set_and_cleared_by_popf),
        BOTH_BACKENDS(test_smap_checks_implicit_accesses_from_cpl3_despite_ac),
        BOTH_BACKENDS(test_cr4_smap_without_cpuid_smap_raises_gp_and_stac_ud),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
