/*
 * test-x86-sse41.c: SSE4.1 under the translator, with the host CPU as the
 * oracle (test-x86-simd-native.h): every instruction, register and memory
 * forms, REX.W forms, edge operands and a random MXCSR for ROUND*, DPPS
 * and DPPD (the SDM's multiply-then-add-tree order, compared bit for bit,
 * flags and #XM included). m128 operands are alignment-checked (#GP), as
 * the host and SDM Vol.2 2.4 (exception types 2 and 4) have it, MOVNTDQA
 * included; the narrower memory forms (PMOVSX/ZX, ROUNDSS/SD, INSERTPS,
 * PEXTR/PINSR) are not. Also: a PMOVZXBQ reads only its two bytes, PTEST
 * clears AF/OF/PF/SF, PEXTRD/PINSRD in 32-bit mode, the CPUID bits and
 * the control-register checks. VIREO_CHECK_LONG=1 runs twenty times more
 * cases.
 */
#include "test-x86-simd-native.h"

#define R38(n, o, w, ms) { n, { 0x66, 0x0f, 0x38, o }, 4, SK_XMM, false, w, ms }
#define R3A(n, o, w, ms) { n, { 0x66, 0x0f, 0x3a, o }, 4, SK_XMM, true, w, ms }
#define G3A(n, o, ms) { n, { 0x66, 0x0f, 0x3a, o }, 4, SK_GPR_RM, true, 0, ms }
#define G3AW(n, o, ms) { n, { 0x66, 0x48, 0x0f, 0x3a, o }, 5, SK_GPR_RM, true, 0, ms }

static const SimdInsn sse41_insns[] = {
    R38("pblendvb", 0x10, 0, 16), R38("blendvps", 0x14, 4, 16), R38("blendvpd", 0x15, 8, 16),
    R38("ptest", 0x17, 0, 16),
    R38("pmovsxbw", 0x20, 0, 8), R38("pmovsxbd", 0x21, 0, 4), R38("pmovsxbq", 0x22, 0, 2),
    R38("pmovsxwd", 0x23, 0, 8), R38("pmovsxwq", 0x24, 0, 4), R38("pmovsxdq", 0x25, 0, 8),
    R38("pmuldq", 0x28, 0, 16), R38("pcmpeqq", 0x29, 0, 16),
    { "movntdqa", { 0x66, 0x0f, 0x38, 0x2a }, 4, SK_MEM_ONLY, false, 0, 16 },
    R38("packusdw", 0x2b, 0, 16),
    R38("pmovzxbw", 0x30, 0, 8), R38("pmovzxbd", 0x31, 0, 4), R38("pmovzxbq", 0x32, 0, 2),
    R38("pmovzxwd", 0x33, 0, 8), R38("pmovzxwq", 0x34, 0, 4), R38("pmovzxdq", 0x35, 0, 8),
    R38("pminsb", 0x38, 0, 16), R38("pminsd", 0x39, 0, 16), R38("pminuw", 0x3a, 0, 16),
    R38("pminud", 0x3b, 0, 16), R38("pmaxsb", 0x3c, 0, 16), R38("pmaxsd", 0x3d, 0, 16),
    R38("pmaxuw", 0x3e, 0, 16), R38("pmaxud", 0x3f, 0, 16), R38("pmulld", 0x40, 0, 16),
    R38("phminposuw", 0x41, 0, 16),
    R3A("roundps", 0x08, 4, 16), R3A("roundpd", 0x09, 8, 16), R3A("roundss", 0x0a, 4, 4),
    R3A("roundsd", 0x0b, 8, 8), R3A("blendps", 0x0c, 4, 16), R3A("blendpd", 0x0d, 8, 16),
    R3A("pblendw", 0x0e, 0, 16),
    G3A("pextrb", 0x14, 1), G3AW("pextrb rex.w", 0x14, 1), G3A("pextrw", 0x15, 2),
    G3A("pextrd", 0x16, 4), G3AW("pextrq", 0x16, 8), G3A("extractps", 0x17, 4),
    G3AW("extractps rex.w", 0x17, 4),
    G3A("pinsrb", 0x20, 1), R3A("insertps", 0x21, 4, 4), G3A("pinsrd", 0x22, 4),
    G3AW("pinsrq", 0x22, 8),
    R3A("dpps", 0x40, 4, 16), R3A("dppd", 0x41, 8, 16), R3A("mpsadbw", 0x42, 0, 16),
};

static void test_sse41_ops_match_hardware(void **state)
{
    (void)state;
    simd_check_all(sse41_insns, ARRAY_SIZE(sse41_insns), simd_case_count(300), 0x5e41);
}

/* DPPS/DPPD and ROUND* get many more cases: they carry the FP rules. */
static void test_sse41_fp_ops_match_hardware(void **state)
{
    static const SimdInsn fp[] = {
        R3A("roundps", 0x08, 4, 16), R3A("roundsd", 0x0b, 8, 8),
        R3A("dpps", 0x40, 4, 16), R3A("dppd", 0x41, 8, 16),
    };

    (void)state;
    simd_check_all(fp, ARRAY_SIZE(fp), simd_case_count(2000), 0xd9d9);
}

static void setup_long64(void)
{
    x86_cpuid_restrict_for_tcg(h.env);
    h_mode_long64();
    h_put_stubs();
    h.env->cr[4] |= CR4_OSFXSR;
}

static int run_vector(const uint8_t *code, size_t len)
{
    h.env->regs[R_ESP] = H_STACK;
    assert_int_equal(h_run(code, len), EXCP_HLT);
    return h_stub_vector();
}

/* PMOVZXBQ xmm1, m16 at the last two mapped bytes: no #PF from the next page. */
static void test_pmovzxbq_reads_only_two_bytes(void **state)
{
    static const uint8_t code[] = { 0x66, 0x0f, 0x38, 0x32, 0x0c, 0x25, 0xfe, 0xff, 0x3f, 0x00 };
    X86CPUState *env = h.env;

    (void)state;
    setup_long64();
    h_put(H_RAM_SIZE - 2, (const uint8_t[]){ 0x81, 0xff }, 2);
    assert_int_equal(run_vector(code, sizeof(code)), -1);
    assert_int_equal(env->xmm[1].q[0], 0x81);
    assert_int_equal(env->xmm[1].q[1], 0xff);
}

/* PTEST: ZF from AND, CF from ANDN, AF/OF/PF/SF cleared (SDM Vol.2 PTEST). */
static void test_ptest_sets_zf_cf_and_clears_the_rest(void **state)
{
    static const uint8_t code[] = { 0x66, 0x0f, 0x38, 0x17, 0xca };
    X86CPUState *env = h.env;

    (void)state;
    setup_long64();
    env->xmm[1].q[0] = 0xf0;
    env->xmm[1].q[1] = 0;
    env->xmm[2].q[0] = 0x0f;
    env->xmm[2].q[1] = 0;
    x86_eflags_set(env, 0x2 | CC_MASK);
    assert_int_equal(run_vector(code, sizeof(code)), -1);
    assert_int_equal(x86_eflags_get(env) & CC_MASK, CC_Z);
    env->xmm[2].q[0] = 0x10;
    assert_int_equal(run_vector(code, sizeof(code)), -1);
    assert_int_equal(x86_eflags_get(env) & CC_MASK, CC_C);
}

/* SDM Vol.3 Table 2-2 / 13.1: EM or OSFXSR clear -> #UD, TS -> #NM. */
static void test_sse41_control_register_checks(void **state)
{
    static const uint8_t pmulld[] = { 0x66, 0x0f, 0x38, 0x40, 0xca };
    static const uint8_t roundps[] = { 0x66, 0x0f, 0x3a, 0x08, 0xca, 0x00 };
    static const uint8_t no66[] = { 0x0f, 0x38, 0x40, 0xca };
    X86CPUState *env = h.env;

    (void)state;
    setup_long64();
    assert_int_equal(run_vector(pmulld, sizeof(pmulld)), -1);
    assert_int_equal(run_vector(no66, sizeof(no66)), EXCP_UD);
    env->cr[0] |= CR0_TS;
    assert_int_equal(run_vector(pmulld, sizeof(pmulld)), EXCP_NM);
    assert_int_equal(run_vector(roundps, sizeof(roundps)), EXCP_NM);
    env->cr[0] &= ~(uint64_t)(CR0_TS);
    env->cr[0] |= CR0_EM;
    assert_int_equal(run_vector(pmulld, sizeof(pmulld)), EXCP_UD);
    env->cr[0] &= ~(uint64_t)CR0_EM;
    env->cr[4] &= ~(uint64_t)CR4_OSFXSR;
    assert_int_equal(run_vector(roundps, sizeof(roundps)), EXCP_UD);
}

/* In 32-bit protected mode PEXTRD/PINSRD work on dwords (no REX.W forms). */
static void test_pextrd_pinsrd_in_32bit_mode(void **state)
{
    static const uint8_t code[] = {
        0x66, 0x0f, 0x3a, 0x16, 0xc8, 0x02,     /* pextrd eax, xmm1, 2 */
        0x66, 0x0f, 0x3a, 0x22, 0xd1, 0x03,     /* pinsrd xmm2, ecx, 3 */
        0x66, 0x0f, 0x3a, 0x14, 0xcb, 0x0f,     /* pextrb ebx, xmm1, 15 */
    };
    X86CPUState *env = h.env;

    (void)state;
    x86_cpuid_restrict_for_tcg(env);
    h_mode_flat32();
    h_put_stubs();
    env->cr[4] |= CR4_OSFXSR;
    env->xmm[1].q[0] = 0x1111111122222222ull;
    env->xmm[1].q[1] = 0x8899aabbccddeeffull;
    env->xmm[2].q[0] = 0;
    env->xmm[2].q[1] = 0x4444444455555555ull;
    env->regs[R_ECX] = 0xcafef00d;
    env->regs[R_ESP] = H_STACK;
    assert_int_equal(h_run(code, sizeof(code)), EXCP_HLT);
    assert_int_equal(h_stub_vector(), -1);
    assert_int_equal(env->regs[R_EAX], 0xccddeeff);
    assert_int_equal(env->xmm[2].q[1], 0xcafef00d55555555ull);
    assert_int_equal(env->regs[R_EBX], 0x88);
}

/* The TCG CPU model advertises SSSE3 and SSE4.1 (CPUID.01H:ECX bits 9, 19). */
static void test_tcg_cpuid_advertises_ssse3_and_sse41(void **state)
{
    uint32_t a, b, c, d;

    (void)state;
    x86_cpuid_restrict_for_tcg(h.env);
    x86_cpuid(h.env, 1, 0, &a, &b, &c, &d);
    assert_true(c & CPUID_EXT_SSSE3);
    assert_true(c & CPUID_EXT_SSE41);
}

int main(void)
{
#if !defined(__x86_64__)
    fprintf(stderr, "test-x86-sse41: needs an x86-64 host CPU as the oracle\n");
    return 77;
#endif
    if (!__builtin_cpu_supports("sse4.1")) {
        fprintf(stderr, "test-x86-sse41: the host CPU has no SSE4.1 to compare with\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        BOTH_BACKENDS(test_sse41_ops_match_hardware),
        BOTH_BACKENDS(test_sse41_fp_ops_match_hardware),
        BOTH_BACKENDS(test_pmovzxbq_reads_only_two_bytes),
        BOTH_BACKENDS(test_ptest_sets_zf_cf_and_clears_the_rest),
        BOTH_BACKENDS(test_sse41_control_register_checks),
        BOTH_BACKENDS(test_pextrd_pinsrd_in_32bit_mode),
        BOTH_BACKENDS(test_tcg_cpuid_advertises_ssse3_and_sse41),
    };
    return cmocka_run_group_tests(tests, simd_native_setup, simd_native_teardown);
}
