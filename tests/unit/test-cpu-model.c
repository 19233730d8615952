/*
 * test-cpu-model.c: the CPU models -cpu selects (target-x86/cpuid.c): the
 * 32-bit model's CPUID has no long mode (nor what only means something in
 * it) also after the software CPU narrows the table, and a guest on it
 * cannot set EFER.LME, which keeps it out of IA-32e mode; the default
 * model can. Runs guest code with the translator harness.
 */
#include "test-x86-translate-harness.h"
#include "target-x86/cpuid.h"
#include "target-x86/decode.h"

/* mov $0xc0000080, %ecx; mov $VAL, %eax; xor %edx, %edx; wrmsr */
static int write_efer(uint32_t val)
{
    uint8_t code[] = { 0xb9, 0x80, 0x00, 0x00, 0xc0, 0xb8, 0, 0, 0, 0, 0x31, 0xd2, 0x0f, 0x30 };

    memcpy(code + 6, &val, 4);
    h_mode_flat32();
    h_run(code, sizeof(code));
    return h_stub_vector();
}

static void test_32_bit_model_refuses_efer_lme_with_gp(void **state)
{
    x86_cpuid_apply_model(h.env, x86_cpu_model_find("vireo32"));
    assert_int_equal(write_efer(0x100), EXCP_GP);
    assert_int_equal(h.env->efer & 0x100, 0);
}

static void test_32_bit_model_still_allows_efer_nxe(void **state)
{
    x86_cpuid_apply_model(h.env, x86_cpu_model_find("vireo32"));
    assert_int_equal(write_efer(0x800), -1);
    assert_int_equal(h.env->efer & 0x800, 0x800);
}

static void test_64_bit_model_sets_efer_lme(void **state)
{
    x86_cpuid_apply_model(h.env, x86_cpu_model_find("vireo64"));
    assert_int_equal(write_efer(0x100), -1);
    assert_int_equal(h.env->efer & 0x100, 0x100);
}

static void test_tcg_narrowing_keeps_the_32_bit_model_without_long_mode(void **state)
{
    g_autofree X86CPUState *env = g_new0(X86CPUState, 1);
    uint32_t a, b, c, d;

    x86_cpuid_apply_model(env, x86_cpu_model_find("vireo32"));
    x86_cpuid_restrict_for_tcg(env);
    x86_cpuid(env, 0x80000001, 0, &a, &b, &c, &d);
    assert_int_equal(d & (CPUID_EXT2_LM | CPUID_EXT2_SYSCALL | CPUID_EXT2_PDPE1GB), 0);
    assert_int_equal(c & CPUID_EXT3_LAHF_LM, 0);
    assert_true(d & CPUID_EXT2_NX);
    assert_false(x86_tcg_decoder_features(env) & X86_FEATURE_BIT(X86_FEAT_LM));

    x86_cpuid_apply_model(env, x86_cpu_model_find("vireo64"));
    x86_cpuid_restrict_for_tcg(env);
    x86_cpuid(env, 0x80000001, 0, &a, &b, &c, &d);
    assert_int_equal(d & (CPUID_EXT2_LM | CPUID_EXT2_PDPE1GB),
                     CPUID_EXT2_LM | CPUID_EXT2_PDPE1GB);
    assert_true(c & CPUID_EXT3_LAHF_LM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_32_bit_model_refuses_efer_lme_with_gp,
                                        h_setup_interp, h_teardown_cm),
        cmocka_unit_test_setup_teardown(test_32_bit_model_still_allows_efer_nxe,
                                        h_setup_interp, h_teardown_cm),
        cmocka_unit_test_setup_teardown(test_64_bit_model_sets_efer_lme,
                                        h_setup_interp, h_teardown_cm),
        cmocka_unit_test(test_tcg_narrowing_keeps_the_32_bit_model_without_long_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
