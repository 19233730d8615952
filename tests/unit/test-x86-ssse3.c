/*
 * test-x86-ssse3.c: SSSE3 under the translator, with the host CPU as the
 * oracle (test-x86-simd-native.h): every instruction in its MMX form (no
 * prefix) and its XMM form (66), register and memory sources, with edge
 * operands; a misaligned m128 raises #GP (SDM Vol.2 2.4, exception type
 * 4), an m64 of the MMX forms never does. Also the control-register
 * checks: CR0.EM or CR4.OSFXSR clear gives #UD for the XMM forms, CR0.EM
 * #UD and CR0.TS #NM for the MMX forms. VIREO_CHECK_LONG=1 runs twenty
 * times more cases.
 */
#include "test-x86-simd-native.h"

#define MX(n, o) { n " mm", { 0x0f, 0x38, o }, 3, SK_MMX, false, 0, 8 }, \
                 { n " xmm", { 0x66, 0x0f, 0x38, o }, 4, SK_XMM, false, 0, 16 }

static const SimdInsn ssse3_insns[] = {
    MX("pshufb", 0x00), MX("phaddw", 0x01), MX("phaddd", 0x02), MX("phaddsw", 0x03),
    MX("pmaddubsw", 0x04), MX("phsubw", 0x05), MX("phsubd", 0x06), MX("phsubsw", 0x07),
    MX("psignb", 0x08), MX("psignw", 0x09), MX("psignd", 0x0a), MX("pmulhrsw", 0x0b),
    MX("pabsb", 0x1c), MX("pabsw", 0x1d), MX("pabsd", 0x1e),
    { "palignr mm", { 0x0f, 0x3a, 0x0f }, 3, SK_MMX, true, 0, 8 },
    { "palignr xmm", { 0x66, 0x0f, 0x3a, 0x0f }, 4, SK_XMM, true, 0, 16 },
};

static void test_ssse3_ops_match_hardware(void **state)
{
    (void)state;
    simd_check_all(ssse3_insns, ARRAY_SIZE(ssse3_insns), simd_case_count(300), 0x55e3);
}

static void setup_long64(void)
{
    x86_cpuid_restrict_for_tcg(h.env);
    h_mode_long64();
    h_put_stubs();
    h.env->cr[4] |= CR4_OSFXSR;
}

/* PALIGNR with shifts past both operands gives zero (imm 32 and up). */
static void test_palignr_shift_past_both_operands_gives_zero(void **state)
{
    static const uint8_t code[] = { 0x66, 0x0f, 0x3a, 0x0f, 0xca, 0x20 };
    X86CPUState *env = h.env;

    (void)state;
    setup_long64();
    env->xmm[1].q[0] = env->xmm[1].q[1] = ~0ull;
    env->xmm[2].q[0] = env->xmm[2].q[1] = ~0ull;
    assert_int_equal(h_run(code, sizeof(code)), EXCP_HLT);
    assert_int_equal(h_stub_vector(), -1);
    assert_true(env->xmm[1].q[0] == 0 && env->xmm[1].q[1] == 0);
}

static int run_vector(const uint8_t *code, size_t len)
{
    h.env->regs[R_ESP] = H_STACK;
    assert_int_equal(h_run(code, len), EXCP_HLT);
    return h_stub_vector();
}

/* SDM Vol.3 Table 2-2 / 13.1 (XMM forms), Vol.1 9.6 (MMX forms). */
static void test_ssse3_control_register_checks(void **state)
{
    static const uint8_t xmm[] = { 0x66, 0x0f, 0x38, 0x00, 0xca };
    static const uint8_t mmx[] = { 0x0f, 0x38, 0x00, 0xca };
    X86CPUState *env = h.env;

    (void)state;
    setup_long64();
    assert_int_equal(run_vector(xmm, sizeof(xmm)), -1);
    assert_int_equal(run_vector(mmx, sizeof(mmx)), -1);
    env->cr[0] |= CR0_TS;
    assert_int_equal(run_vector(xmm, sizeof(xmm)), EXCP_NM);
    assert_int_equal(run_vector(mmx, sizeof(mmx)), EXCP_NM);
    env->cr[0] &= ~(uint64_t)CR0_TS;
    env->cr[0] |= CR0_EM;
    assert_int_equal(run_vector(xmm, sizeof(xmm)), EXCP_UD);
    assert_int_equal(run_vector(mmx, sizeof(mmx)), EXCP_UD);
    env->cr[0] &= ~(uint64_t)CR0_EM;
    env->cr[4] &= ~(uint64_t)CR4_OSFXSR;
    assert_int_equal(run_vector(xmm, sizeof(xmm)), EXCP_UD);
    assert_int_equal(run_vector(mmx, sizeof(mmx)), -1);
}

int main(void)
{
#if !defined(__x86_64__)
    fprintf(stderr, "test-x86-ssse3: needs an x86-64 host CPU as the oracle\n");
    return 77;
#endif
    if (!__builtin_cpu_supports("ssse3")) {
        fprintf(stderr, "test-x86-ssse3: the host CPU has no SSSE3 to compare with\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        BOTH_BACKENDS(test_ssse3_ops_match_hardware),
        BOTH_BACKENDS(test_palignr_shift_past_both_operands_gives_zero),
        BOTH_BACKENDS(test_ssse3_control_register_checks),
    };
    return cmocka_run_group_tests(tests, simd_native_setup, simd_native_teardown);
}
