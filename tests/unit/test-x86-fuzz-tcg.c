/*
 * test-x86-fuzz-tcg.c: the x86 differential fuzzer proper. Random
 * sequences of user-level integer instructions (tests/fuzz/insn-gen.c)
 * run natively on the host CPU (tests/fuzz/native-exec.c) and under
 * vireo's TCG (tests/fuzz/tcg-exec.c) from the same state, on both
 * backends (JIT and interpreter); the final registers, the flags the SDM
 * defines, the scratch page and the ending (vector, faulting offset) must
 * agree. A mismatch is minimised and reported as hex bytes, capstone
 * disassembly, the initial state and the differing registers. A fixed
 * seed; 5,000 sequences per mode and backend normally, 100,000 with
 * VIREO_CHECK_LONG=1. The tests of modes the host cannot run natively are
 * skipped (cmocka's skip, and one SKIP line each with the reason).
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
#include "../fuzz/fuzz-test.h"


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

/* The first seed: 0xf022000, or VIREO_FUZZ_SEED to explore elsewhere. */
static uint64_t seed_base(void)
{
    const char *v = getenv("VIREO_FUZZ_SEED");

    return v && *v ? g_ascii_strtoull(v, NULL, 0) : 0xf022000u;
}

static void run_mode(NativeMode mode, TCGBackend b, int n)
{
    InsnSeq *seq = g_new0(InsnSeq, 1);
    NativeState *nat = g_new0(NativeState, 1), *emu = g_new0(NativeState, 1);
    gint64 t0;
    int faults = 0;
    double secs;

    if (!init_mode(mode)) {
        g_free(seq);
        g_free(nat);
        g_free(emu);
        skip();      /* cmocka reports the test as skipped; the reason is printed at exit */
    }
    init_tcg(b);
    t0 = g_get_monotonic_time();
    for (int i = 0; i < n; i++) {
        uint64_t seed = seed_base() + (uint64_t)i;

        insn_gen_sequence(seq, mode, common_features(), seed,
                          1 + (size_t)(i % 32));
        if (disagree(seq, NULL, nat, emu)) {
            report_mismatch(seq, seed, nat, emu);
        }
        faults += nat->vector >= 0;
    }
    secs = (double)(g_get_monotonic_time() - t0) / 1e6;
    printf("%d-bit %s: %d sequences agree (%d end in an exception; features"
           " %#x) in %.2fs, %.0f sequences/s (native + TCG)\n", mode,
           backend_name(), n, faults, common_features(), secs, n / secs);
    g_free(seq);
    g_free(nat);
    g_free(emu);
}

static int count(void)
{
    return long_run() ? 100000 : 5000;
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

/* Runs code under TCG (JIT if there is one) from a zero state with the
 * generator's base register at the scratch page: the final state. */
static NativeState *run_tcg(NativeMode mode, const uint8_t *code, size_t len)
{
    NativeState *in = g_new0(NativeState, 1), *out = g_new0(NativeState, 1);

    init_tcg(TCG_BACKEND_JIT);
    in->regs[NATIVE_RSP] = native_scratch_base(mode) + 0xf00;
    in->regs[insn_gen_base_reg(mode)] = native_scratch_base(mode);
    in->scratch[0x10] = 0x5a;
    assert_int_equal(tcg_exec_snippet(mode, code, len, in, out), 0);
    g_free(in);
    return out;
}

static void test_tcg_snippet_environment_matches_the_native_one(void **state)
{
    /* 64-bit: a load from the scratch page, a push onto the snippet stack */
    static const uint8_t load64[] = { 0x41, 0x8a, 0x47, 0x10, 0x50 };
    /* one byte past the scratch page: #PF */
    static const uint8_t past64[] = { 0x41, 0x8a, 0x87, 0x00, 0x10, 0x00, 0x00 };
    static const uint8_t loop64[] = { 0xeb, 0xfe };                 /* jmp $ */
    /* 32-bit: mov al, [ebx+0x10] */
    static const uint8_t load32[] = { 0x8a, 0x43, 0x10 };
    /* 16-bit: mov al, [bx+0x10]; push ax; then a word at 0xfff: #GP */
    static const uint8_t load16[] = { 0x8a, 0x47, 0x10, 0x50, 0x8b, 0x06, 0xff, 0x0f };
    static const uint8_t ud[] = { 0x90, 0x0f, 0x0b };              /* ud2 */
    NativeState *o;

    o = run_tcg(NATIVE_MODE_64, load64, sizeof(load64));
    assert_int_equal(o->vector, NATIVE_VEC_NONE);
    assert_int_equal(o->fault_offset, sizeof(load64));
    assert_int_equal(o->regs[NATIVE_RAX], 0x5a);
    assert_int_equal(o->regs[NATIVE_RSP], NATIVE_SCRATCH_ADDR + 0xef8);
    assert_int_equal(o->scratch[0xef8], 0x5a);
    assert_int_equal(o->rflags & 0x202, 0x202);
    g_free(o);
    o = run_tcg(NATIVE_MODE_64, past64, sizeof(past64));
    assert_int_equal(o->vector, 14);
    assert_int_equal(o->fault_offset, 0);
    assert_int_equal(o->error_code & 5, 4);     /* not present, user */
    g_free(o);
    o = run_tcg(NATIVE_MODE_64, loop64, sizeof(loop64));
    assert_int_equal(o->vector, NATIVE_VEC_TIMEOUT);
    g_free(o);
    o = run_tcg(NATIVE_MODE_32, load32, sizeof(load32));
    assert_int_equal(o->vector, NATIVE_VEC_NONE);
    assert_int_equal((uint32_t)o->regs[NATIVE_RAX], 0x5a);
    g_free(o);
    o = run_tcg(NATIVE_MODE_16, load16, sizeof(load16));
    assert_int_equal(o->vector, 13);
    assert_int_equal(o->fault_offset, 4);
    assert_int_equal((uint16_t)o->regs[NATIVE_RSP], 0xefe);
    assert_int_equal(o->scratch[0xefe], 0x5a);
    g_free(o);
    for (int m = 0; m < 3; m++) {
        NativeMode mode = m == 0 ? NATIVE_MODE_64 : m == 1 ? NATIVE_MODE_32 : NATIVE_MODE_16;

        o = run_tcg(mode, ud, sizeof(ud));
        assert_int_equal(o->vector, 6);
        assert_int_equal(o->fault_offset, 1);
        g_free(o);
    }
}

/*
 * Where the host cannot run a mode natively, TCG still runs the generated
 * code of that mode: the generator only makes #DE, so any other exception
 * means the segment or paging set-up (or the translator) is wrong, and the
 * two backends must agree with each other on everything.
 */
static void test_tcg_backends_agree_in_every_mode(void **state)
{
    int n = long_run() ? 20000 : 1000;
    InsnSeq *seq = g_new0(InsnSeq, 1);
    NativeState *jit = g_new0(NativeState, n), *emu = g_new0(NativeState, 1);
    uint8_t code[INSN_SEQ_MAX_UNITS * INSN_UNIT_MAX_BYTES];
    static const NativeMode modes[3] = { NATIVE_MODE_64, NATIVE_MODE_32, NATIVE_MODE_16 };

    for (int m = 0; m < 3; m++) {
        for (int b = 0; b < 2; b++) {
            gint64 t0;

            init_tcg(b == 0 ? TCG_BACKEND_JIT : TCG_BACKEND_INTERP);
            t0 = g_get_monotonic_time();
            for (int i = 0; i < n; i++) {
                g_autoptr(GString) diff = g_string_new("");
                size_t len;

                insn_gen_sequence(seq, modes[m], tcg_exec_guest_features(),
                                  0xbac0000u + (uint64_t)i, 1 + (size_t)(i % 32));
                len = insn_seq_assemble(seq, code, sizeof(code), NULL);
                assert_int_equal(tcg_exec_snippet(modes[m], code, len, &seq->init,
                                                  b == 0 ? &jit[i] : emu), 0);
                if (b == 0) {
                    if (jit[i].vector != NATIVE_VEC_NONE && jit[i].vector != 0) {
                        insn_seq_format(seq, diff);
                        fail_msg("%d-bit: vector %d at %u\n%s", modes[m], jit[i].vector,
                                 jit[i].fault_offset, diff->str);
                    }
                } else if (!native_state_equal(modes[m], &jit[i], emu, NATIVE_FLAGS_MASK,
                                               diff)) {
                    insn_seq_format(seq, diff);
                    fail_msg("%d-bit: jit and interp differ\n%s", modes[m], diff->str);
                }
            }
            printf("%d-bit %s alone: %d sequences, %.0f sequences/s\n", modes[m],
                   backend_name(), n, n * 1e6 / (double)(g_get_monotonic_time() - t0));
        }
    }
    g_free(seq);
    g_free(jit);
    g_free(emu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcg_snippet_environment_matches_the_native_one),
        cmocka_unit_test(test_tcg_backends_agree_in_every_mode),
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
