/*
 * test-x86-translate-ferr.c: the CPU side of x87 error reporting under the
 * translator (target-x86/fpu_helper.c x86_fpu_check_pending): with CR0.NE
 * set a pending unmasked exception raises #MF at the next waiting
 * instruction; with CR0.NE clear it asserts the FERR# line and freezes the
 * CPU before that instruction (halted, rip on it) until an interrupt;
 * IGNNE# lets the instruction run; FNCLEX and FNINIT drop FERR#; a CPU
 * whose FERR# is not wired carries on (SDM Vol.1 8.7, Appendix D). The
 * board's half (IRQ13, port 0xF0) is test-pc-ferr.c; the whole path runs
 * in the ferr-irq13 guest.
 */
#include "test-x86-translate-harness.h"
#include "hw/irq.h"

static int ferr_level, ferr_edges;

static void on_ferr(void *opaque, int n, int level)
{
    (void)opaque;
    (void)n;
    ferr_edges += level && !ferr_level;
    ferr_level = level;
}

/* fninit; fldcw [H_DATA] (ZE unmasked); fld1; fldz; fdivp st1, st0 (1/0) */
static const uint8_t divide_by_zero[] = {
    0xdb, 0xe3,
    0xd9, 0x2c, 0x25, 0x00, 0x00, 0x20, 0x00,
    0xd9, 0xe8,
    0xd9, 0xee,
    0xde, 0xf9,
};

static IrqLine *ferr_line;

/* 64-bit mode, the error set up to be pending; FERR# wired when wire. */
static void setup(bool ne, bool wire)
{
    uint8_t code[sizeof(divide_by_zero) + 1];

    h_mode_long64();
    h_put_stubs();
    h.env->cr[0] |= CR0_MP;
    if (ne) {
        h.env->cr[0] |= CR0_NE;
    }
    h_put32(H_DATA, 0x037b);
    ferr_level = ferr_edges = 0;
    ferr_line = wire ? irq_new(on_ferr, NULL, 0) : NULL;
    h.cpu->ferr = ferr_line;
    memcpy(code, divide_by_zero, sizeof(divide_by_zero));
    code[sizeof(divide_by_zero)] = 0x90;            /* nop */
    assert_int_equal(h_run(code, sizeof(code)), EXCP_HLT);
    assert_int_equal(h_stub_vector(), -1);
    assert_int_equal(h.env->fpus & 0x80, 0x80);     /* ES: pending */
}

static void teardown_line(void)
{
    h.cpu->ferr = NULL;
    irq_free(ferr_line);
    ferr_line = NULL;
}

static const uint8_t fwait_code[] = { 0x9b, 0x90 };  /* fwait; nop (then hlt) */

static void test_cr0_ne_set_gives_mf_and_no_ferr(void **state)
{
    (void)state;
    setup(true, true);
    assert_int_equal(h_run(fwait_code, sizeof(fwait_code)), EXCP_HLT);
    assert_int_equal(h_stub_vector(), EXCP_MF);
    assert_int_equal(ferr_edges, 0);
    teardown_line();
}

/* CR0.NE clear: FERR# up, halted with rip on the FWAIT (no #MF). */
static void test_cr0_ne_clear_asserts_ferr_and_freezes_before_fwait(void **state)
{
    (void)state;
    setup(false, true);
    assert_int_equal(h_run(fwait_code, sizeof(fwait_code)), EXCP_HLT);
    assert_int_equal(h_stub_vector(), -1);
    assert_int_equal(ferr_level, 1);
    assert_int_equal(ferr_edges, 1);
    assert_int_equal(h.env->rip, H_CODE);
    assert_true(h.env->hflags & HF_HALTED_MASK);
    /* woken without IGNNE# (an interrupt returned here): frozen again,
     * FERR# stays up without a second edge */
    assert_int_equal(h_exec_hlt(), EXCP_HLT);
    assert_int_equal(h.env->rip, H_CODE);
    assert_int_equal(ferr_edges, 1);
    teardown_line();
}

/* IGNNE# asserted: the FWAIT and a waiting FLD1 run with ES still set. */
static void test_ignne_lets_waiting_instructions_run(void **state)
{
    static const uint8_t code[] = { 0x9b, 0xd9, 0xe8, 0x9b };  /* fwait; fld1; fwait */

    (void)state;
    setup(false, true);
    x86_cpu_set_ignne(h.cpu, true);
    assert_int_equal(h_run(code, sizeof(code)), EXCP_HLT);
    assert_int_equal(h.env->rip, H_CODE + sizeof(code) + 1);   /* past the HLT */
    assert_int_equal(h.env->fpus & 0x80, 0x80);
    assert_int_equal(ferr_edges, 0);
    x86_cpu_set_ignne(h.cpu, false);
    teardown_line();
}

/* FNCLEX (non-waiting) clears ES and drops FERR#; the FWAIT then runs. */
static void test_fnclex_drops_ferr(void **state)
{
    static const uint8_t clear[] = { 0xdb, 0xe2, 0x9b };       /* fnclex; fwait */

    (void)state;
    setup(false, true);
    assert_int_equal(h_run(fwait_code, sizeof(fwait_code)), EXCP_HLT);
    assert_int_equal(ferr_level, 1);
    assert_int_equal(h_run(clear, sizeof(clear)), EXCP_HLT);
    assert_int_equal(ferr_level, 0);
    assert_int_equal(h.env->rip, H_CODE + sizeof(clear) + 1);
    teardown_line();
}

/* FNINIT drops FERR# too; so does FLDCW masking the pending exception. */
static void test_fninit_and_masking_fldcw_drop_ferr(void **state)
{
    static const uint8_t init[] = { 0xdb, 0xe3 };
    static const uint8_t mask[] = {                            /* fldcw [H_DATA+4] */
        0xd9, 0x2c, 0x25, 0x04, 0x00, 0x20, 0x00,
    };

    (void)state;
    setup(false, true);
    assert_int_equal(h_run(fwait_code, sizeof(fwait_code)), EXCP_HLT);
    assert_int_equal(ferr_level, 1);
    assert_int_equal(h_run(init, sizeof(init)), EXCP_HLT);
    assert_int_equal(ferr_level, 0);
    teardown_line();
    /* FLDCW is itself waiting: it runs under IGNNE#, then ES follows the
     * new masks (all masked: ES clear) and FERR# drops */
    setup(false, true);
    h_put32(H_DATA + 4, 0x037f);
    assert_int_equal(h_run(fwait_code, sizeof(fwait_code)), EXCP_HLT);
    x86_cpu_set_ignne(h.cpu, true);
    assert_int_equal(h_run(mask, sizeof(mask)), EXCP_HLT);
    assert_int_equal(h.env->fpus & 0x80, 0);
    assert_int_equal(ferr_level, 0);
    x86_cpu_set_ignne(h.cpu, false);
    teardown_line();
}

/* An MMX instruction waits like an x87 one (SDM Vol.1 9.5.1). */
static void test_mmx_instruction_freezes_too(void **state)
{
    static const uint8_t movq[] = { 0x0f, 0x6f, 0xc1 };        /* movq mm0, mm1 */

    (void)state;
    setup(false, true);
    assert_int_equal(h_run(movq, sizeof(movq)), EXCP_HLT);
    assert_int_equal(h.env->rip, H_CODE);
    assert_int_equal(ferr_level, 1);
    teardown_line();
}

/* No board wiring (FERR# not connected): the instruction just runs. */
static void test_unwired_ferr_lets_the_instruction_run(void **state)
{
    (void)state;
    setup(false, false);
    assert_int_equal(h_run(fwait_code, sizeof(fwait_code)), EXCP_HLT);
    assert_int_equal(h_stub_vector(), -1);
    assert_int_equal(h.env->rip, H_CODE + sizeof(fwait_code) + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH_BACKENDS(test_cr0_ne_set_gives_mf_and_no_ferr),
        BOTH_BACKENDS(test_cr0_ne_clear_asserts_ferr_and_freezes_before_fwait),
        BOTH_BACKENDS(test_ignne_lets_waiting_instructions_run),
        BOTH_BACKENDS(test_fnclex_drops_ferr),
        BOTH_BACKENDS(test_fninit_and_masking_fldcw_drop_ferr),
        BOTH_BACKENDS(test_mmx_instruction_freezes_too),
        BOTH_BACKENDS(test_unwired_ferr_lets_the_instruction_run),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
