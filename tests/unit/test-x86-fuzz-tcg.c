/*
 * test-x86-fuzz-tcg.c: the x86 differential fuzzer proper. Random
 * sequences of user-level integer instructions (tests/fuzz/insn-gen.c)
 * run natively on the host CPU (tests/fuzz/native-exec.c) and under
 * vireo's TCG (tests/fuzz/tcg-exec.c) from the same state, on both
 * backends (JIT and interpreter); the final registers, the flags the SDM
 * defines, the scratch page and the ending (vector, faulting offset) must
 * agree. A mismatch is minimised and reported as hex bytes, capstone
 * disassembly, the initial state and the differing registers. A fixed
 * seed; 1,500 sequences per mode and backend normally, 100,000 with
 * VIREO_CHECK_LONG=1. Modes the host cannot run natively are skipped (one
 * SKIP line each, exit 77 after everything else ran).
 */
#include "vireo/common.h"
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#if defined(__x86_64__) && defined(__linux__)
#include "../fuzz/native-exec.c"
#include "../fuzz/insn-gen.c"
#include "../fuzz/insn-seq.c"
#include "../fuzz/tcg-exec.c"

static GString *missing;

static bool long_run(void)
{
    const char *v = getenv("VIREO_CHECK_LONG");

    return v && *v && strcmp(v, "0") != 0;
}

static bool init_mode(NativeMode mode)
{
    g_autoptr(GError) err = NULL;
    const char *why;

    if (native_exec_init(&err) < 0) {
        fail_msg("%s", err->message);
    }
    if (!native_mode_available(mode, &why)) {
        g_autofree char *line = g_strdup_printf("SKIP %d-bit mode: %s\n",
                                                mode, why);

        if (!strstr(missing->str, line)) {
            g_string_append(missing, line);
        }
        return false;
    }
    return true;
}

static void init_tcg(TCGBackend b)
{
    g_autoptr(GError) err = NULL;

    if (b == TCG_BACKEND_JIT && !tcg_jit_available()) {
        b = TCG_BACKEND_INTERP;
    }
    if (tcg_exec_init(b, &err) < 0) {
        fail_msg("%s", err->message);
    }
}

/* Optional instructions both the host and the TCG guest model have: a
 * feature only one of them has changes what the bytes mean (F3 0F BD is
 * BSR without ABM), so it is left out of the generated code. */
static uint32_t common_features(void)
{
    return insn_gen_host_features() & tcg_exec_guest_features();
}

/* Native and TCG disagree on seq: true, with the differences in diff. */
static bool disagree(const InsnSeq *seq, GString *diff, NativeState *nat,
                     NativeState *emu)
{
    uint8_t code[INSN_SEQ_MAX_UNITS * INSN_UNIT_MAX_BYTES];
    size_t len = insn_seq_assemble(seq, code, sizeof(code), NULL);
    uint32_t mask;

    assert_int_equal(native_exec(seq->mode, code, len, &seq->init, nat), 0);
    assert_int_equal(tcg_exec_snippet(seq->mode, code, len, &seq->init, emu), 0);
    mask = insn_gen_defined_flags_mask(seq, nat->fault_offset);
    return !native_state_equal(seq->mode, nat, emu, mask, diff);
}

typedef struct MinCtx {
    NativeState *nat, *emu;
} MinCtx;

static bool still_disagrees(const InsnSeq *seq, void *opaque)
{
    MinCtx *c = opaque;

    return disagree(seq, NULL, c->nat, c->emu);
}

static const char *backend_name(void)
{
    return tcg_ctx->backend == TCG_BACKEND_JIT ? "jit" : "interp";
}

/* Minimise seq and fail with the reproducer. */
static void report_mismatch(InsnSeq *seq, uint64_t seed, NativeState *nat,
                            NativeState *emu)
{
    g_autoptr(GString) diff = g_string_new("");
    g_autoptr(GString) text = g_string_new("");
    MinCtx c = { nat, emu };

    insn_seq_minimise(seq, still_disagrees, &c);
    disagree(seq, diff, nat, emu);
    insn_seq_format(seq, text);
    printf("TCG (%s) differs from the host, seed %#" PRIx64 ":\n%s"
           "native: vector %d at %u; tcg: vector %d at %u\n%s",
           backend_name(), seed, diff->str, nat->vector, nat->fault_offset,
           emu->vector, emu->fault_offset, text->str);
    fail_msg("TCG differs from the host (above)");
}

static void run_mode(NativeMode mode, TCGBackend b, int n)
{
    InsnSeq *seq = g_new0(InsnSeq, 1);
    NativeState *nat = g_new0(NativeState, 1), *emu = g_new0(NativeState, 1);
    gint64 t0;
    int faults = 0;
    double secs;

    if (!init_mode(mode)) {
        goto out;
    }
    init_tcg(b);
    t0 = g_get_monotonic_time();
    for (int i = 0; i < n; i++) {
        uint64_t seed = 0xf022000u + (uint64_t)i;

        insn_gen_sequence(seq, mode, common_features(), seed,
                          1 + (size_t)(i % 32));
        if (disagree(seq, NULL, nat, emu)) {
            report_mismatch(seq, seed, nat, emu);
        }
        faults += nat->vector >= 0;
    }
    secs = (double)(g_get_monotonic_time() - t0) / 1e6;
    printf("%d-bit %s: %d sequences agree (%d end in an exception) in %.2fs,"
           " %.0f sequences/s (native + TCG)\n", mode, backend_name(), n,
           faults, secs, n / secs);
out:
    g_free(seq);
    g_free(nat);
    g_free(emu);
}

static int count(void)
{
    return long_run() ? 100000 : 1500;
}

static void test_tcg_agrees_with_the_host_in_64bit_mode_jit(void **state)
{
    run_mode(NATIVE_MODE_64, TCG_BACKEND_JIT, count());
}

static void test_tcg_agrees_with_the_host_in_64bit_mode_interp(void **state)
{
    run_mode(NATIVE_MODE_64, TCG_BACKEND_INTERP, count());
}

static void test_tcg_agrees_with_the_host_in_32bit_mode_jit(void **state)
{
    run_mode(NATIVE_MODE_32, TCG_BACKEND_JIT, count());
}

static void test_tcg_agrees_with_the_host_in_32bit_mode_interp(void **state)
{
    run_mode(NATIVE_MODE_32, TCG_BACKEND_INTERP, count());
}

static void test_tcg_agrees_with_the_host_in_16bit_mode_jit(void **state)
{
    run_mode(NATIVE_MODE_16, TCG_BACKEND_JIT, count());
}

static void test_tcg_agrees_with_the_host_in_16bit_mode_interp(void **state)
{
    run_mode(NATIVE_MODE_16, TCG_BACKEND_INTERP, count());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcg_agrees_with_the_host_in_64bit_mode_jit),
        cmocka_unit_test(test_tcg_agrees_with_the_host_in_64bit_mode_interp),
        cmocka_unit_test(test_tcg_agrees_with_the_host_in_32bit_mode_jit),
        cmocka_unit_test(test_tcg_agrees_with_the_host_in_32bit_mode_interp),
        cmocka_unit_test(test_tcg_agrees_with_the_host_in_16bit_mode_jit),
        cmocka_unit_test(test_tcg_agrees_with_the_host_in_16bit_mode_interp),
    };
    int rc;

    missing = g_string_new("");
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    tcg_exec_cleanup();
    if (rc == 0 && missing->len) {
        printf("%s", missing->str);
        rc = 77;
    }
    g_string_free(missing, TRUE);
    return rc;
}

#else
int main(void)
{
    printf("SKIP: the x86 fuzzer needs an x86-64 Linux host\n");
    return 77;
}
#endif
