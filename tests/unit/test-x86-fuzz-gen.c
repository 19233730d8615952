/*
 * test-x86-fuzz-gen.c: tests the instruction generator of the x86
 * differential fuzzer (tests/fuzz/insn-gen.c) and runs the whole pipeline
 * native-against-native: every generated sequence runs twice on the host
 * CPU and both runs must agree on registers, defined flags, scratch memory
 * and the ending (which also proves the harness deterministic). It checks
 * that capstone decodes every sequence into exactly the instructions
 * generated (in all three modes, whether or not the host can run them),
 * that the flag analysis marks the SDM's undefined flags, and that the
 * minimiser shrinks a failing sequence. A few thousand sequences per mode
 * normally, 100,000 per mode with VIREO_CHECK_LONG=1. A mode the host
 * cannot run natively is named in a SKIP line; the rest still counts.
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
#include "../fuzz/fuzz-test.h"

static const NativeMode all_modes[3] = {
    NATIVE_MODE_64, NATIVE_MODE_32, NATIVE_MODE_16
};

static void test_same_seed_gives_the_same_sequence_and_state(void **state)
{
    InsnSeq *a = g_new0(InsnSeq, 1), *b2 = g_new0(InsnSeq, 1);
    uint8_t ba[4096], bb[4096];

    for (int m = 0; m < 3; m++) {
        insn_gen_sequence(a, all_modes[m], insn_gen_host_features(), 42, 30);
        insn_gen_sequence(b2, all_modes[m], insn_gen_host_features(), 42, 30);
        assert_int_equal(a->count, b2->count);
        assert_int_equal(insn_seq_assemble(a, ba, sizeof(ba), NULL),
                         insn_seq_assemble(b2, bb, sizeof(bb), NULL));
        assert_memory_equal(ba, bb, insn_seq_assemble(a, ba, sizeof(ba),
                                                      NULL));
        assert_memory_equal(&a->init, &b2->init, sizeof(a->init));
        insn_gen_sequence(b2, all_modes[m], insn_gen_host_features(), 43, 30);
        assert_memory_not_equal(&a->init, &b2->init, sizeof(a->init));
    }
    g_free(a);
    g_free(b2);
}

static void test_capstone_decodes_every_sequence_into_its_instructions(
    void **state)
{
    InsnSeq *seq = g_new0(InsnSeq, 1);
    int n = long_run() ? 20000 : 2000;

    for (int m = 0; m < 3; m++) {
        for (int i = 0; i < n; i++) {
            g_autoptr(GString) err = g_string_new("");

            insn_gen_sequence(seq, all_modes[m], insn_gen_host_features() |
                              INSN_FEAT_LZCNT, (uint64_t)i, 24);
            assert_false(insn_seq_reads_undefined(seq));
            if (!insn_seq_check_capstone(seq, err)) {
                insn_seq_format(seq, err);
                printf("seed %d: %s", i, err->str);
                fail_msg("capstone disagrees with the generator (above)");
            }
        }
    }
    g_free(seq);
}

static InsnUnit unit(uint16_t rd, uint16_t def, uint16_t undef)
{
    InsnUnit u = { .len = 1, .n_insns = 1, .bytes = { 0x90 } };

    u.flags_read = rd;
    u.flags_def = def;
    u.flags_undef = undef;
    return u;
}

static void test_flag_analysis_masks_undefined_flags_across_branches(
    void **state)
{
    InsnSeq *seq = g_new0(InsnSeq, 1);
    const uint32_t mul_undef = F_S | F_Z | F_A | F_P;

    seq->mode = NATIVE_MODE_64;
    /* MUL, then SETZ: reads a flag MUL left undefined */
    seq->units[0] = unit(0, F_C | F_O, mul_undef);
    seq->units[1] = unit(F_Z, 0, 0);
    seq->count = 2;
    assert_true(insn_seq_reads_undefined(seq));
    assert_int_equal(insn_gen_defined_flags_mask(seq, 0), NATIVE_FLAGS_MASK);
    assert_int_equal(insn_gen_defined_flags_mask(seq, 99),
                     NATIVE_FLAGS_MASK & ~mul_undef);
    /* CMP; JZ over the next unit; MUL; CMP-like definer of CF only:
     * at the end SZAP may still be undefined through the fall-through */
    seq->units[0] = unit(0, F_ALL, 0);
    seq->units[1] = unit(F_Z, 0, 0);
    seq->units[1].branch = true;
    seq->units[1].target = 3;
    seq->units[2] = unit(0, F_C | F_O, mul_undef);
    seq->units[3] = unit(0, F_C, 0);
    seq->count = 4;
    assert_false(insn_seq_reads_undefined(seq));
    assert_int_equal(insn_gen_defined_flags_mask(seq, 4),
                     NATIVE_FLAGS_MASK & ~mul_undef);
    /* a full definer after the join makes everything defined again */
    seq->units[4] = unit(0, F_ALL, 0);
    seq->count = 5;
    assert_int_equal(insn_gen_defined_flags_mask(seq, 5), NATIVE_FLAGS_MASK);
    /* removing the branch target retargets the branch to the next unit */
    insn_seq_remove(seq, 2);
    assert_int_equal(seq->units[1].target, 2);
    g_free(seq);
}

static void test_generator_puts_a_definer_before_undefined_reads(
    void **state)
{
    InsnSeq *seq = g_new0(InsnSeq, 1);
    int definers = 0;

    for (int i = 0; i < 500; i++) {
        insn_gen_sequence(seq, NATIVE_MODE_32, 0, (uint64_t)i, 30);
        assert_false(insn_seq_reads_undefined(seq));
        for (size_t k = 0; k < seq->count; k++) {
            definers += strcmp(seq->units[k].what,
                               "cmp (defines flags)") == 0;
        }
    }
    assert_true(definers > 0);
    g_free(seq);
}

static void test_every_family_appears_in_every_mode(void **state)
{
    static const char *const names[] = {
        "alu", "test", "inc/dec/not/neg", "shift/rotate", "shld/shrd",
        "mul/imul", "div/idiv", "bt/bts/btr/btc",
        "bsf/bsr/tzcnt/lzcnt/popcnt", "bswap", "movzx/movsx/movsxd",
        "xchg/xadd/cmpxchg", "setcc/cmovcc", "misc", "lea", "bcd", "string",
        "push/pop", "mov", "branch",
    };
    InsnSeq *seq = g_new0(InsnSeq, 1);

    for (int m = 0; m < 3; m++) {
        int seen[ARRAY_SIZE(names)] = { 0 };

        for (int i = 0; i < 300; i++) {
            insn_gen_sequence(seq, all_modes[m], INSN_FEAT_POPCNT,
                              (uint64_t)i, 24);
            for (size_t k = 0; k < seq->count; k++) {
                for (size_t n = 0; n < ARRAY_SIZE(names); n++) {
                    seen[n] += strncmp(seq->units[k].what, names[n],
                                       strlen(names[n])) == 0;
                }
            }
        }
        for (size_t n = 0; n < ARRAY_SIZE(names); n++) {
            bool bcd = strcmp(names[n], "bcd") == 0;

            if (bcd && all_modes[m] == NATIVE_MODE_64) {
                assert_int_equal(seen[n], 0);   /* #UD in 64-bit mode */
            } else if (seen[n] < 20) {
                fail_msg("%d-bit: family %s generated only %d times",
                         all_modes[m], names[n], seen[n]);
            }
        }
    }
    g_free(seq);
}

/* Each DIV/IDIV unit alone: the ones set up to avoid #DE run to the end,
 * the ones with a zero divisor raise #DE at the divide. */
static void test_div_units_raise_de_exactly_when_meant_to(void **state)
{
    InsnSeq *seq = g_new0(InsnSeq, 1), *one = g_new0(InsnSeq, 1);
    NativeState *o = g_new0(NativeState, 1);
    uint8_t code[INSN_UNIT_MAX_BYTES];
    int n_ok = 0, n_de = 0;

    for (int m = 0; m < 3; m++) {
        if (!init_mode(all_modes[m])) {
            continue;
        }
        for (int i = 0; i < 400; i++) {
            insn_gen_sequence(seq, all_modes[m], 0, (uint64_t)i, 24);
            for (size_t k = 0; k < seq->count; k++) {
                const InsnUnit *u = &seq->units[k];
                bool by0 = strcmp(u->what, "div/idiv by 0") == 0;
                size_t len;

                if (!by0 && strcmp(u->what, "div/idiv") != 0) {
                    continue;
                }
                *one = *seq;
                one->count = 1;
                one->units[0] = *u;
                len = insn_seq_assemble(one, code, sizeof(code), NULL);
                assert_int_equal(native_exec(all_modes[m], code, len,
                                             &one->init, o), 0);
                assert_int_equal(o->vector, by0 ? 0 : NATIVE_VEC_NONE);
                if (by0) {
                    /* the divide is the unit's last instruction */
                    assert_true(o->fault_offset > 0 && o->fault_offset < len);
                }
                n_ok += !by0;
                n_de += by0;
            }
        }
    }
    if (n_ok + n_de) {
        assert_true(n_ok > 100 && n_de > 10);
    }
    g_free(seq);
    g_free(one);
    g_free(o);
}

typedef struct RunStats {
    int runs, ended, faults[32], timeouts;
} RunStats;

/* Run seq twice natively; the runs must agree. Returns the first run. */
static void run_twice(const InsnSeq *seq, NativeState *o1, NativeState *o2,
                      RunStats *st)
{
    uint8_t code[INSN_SEQ_MAX_UNITS * INSN_UNIT_MAX_BYTES];
    size_t len = insn_seq_assemble(seq, code, sizeof(code), NULL);
    g_autoptr(GString) diff = g_string_new("");
    uint32_t mask;

    assert_int_equal(native_exec(seq->mode, code, len, &seq->init, o1), 0);
    assert_int_equal(native_exec(seq->mode, code, len, &seq->init, o2), 0);
    mask = insn_gen_defined_flags_mask(seq, o1->fault_offset);
    if (!native_state_equal(seq->mode, o1, o2, mask, diff)) {
        insn_seq_format(seq, diff);
        printf("native runs disagree:\n%s", diff->str);
        fail_msg("native runs disagree (above)");
    }
    st->runs++;
    if (o1->vector == NATIVE_VEC_NONE) {
        st->ended++;
    } else if (o1->vector == NATIVE_VEC_TIMEOUT) {
        st->timeouts++;
    } else if (o1->vector >= 0 && o1->vector < 32) {
        st->faults[o1->vector]++;
    }
}

static void test_native_vs_native_agrees_on_every_sequence(void **state)
{
    InsnSeq *seq = g_new0(InsnSeq, 1);
    NativeState *o1 = g_new0(NativeState, 1), *o2 = g_new0(NativeState, 1);
    int n = long_run() ? 100000 : 3000;

    for (int m = 0; m < 3; m++) {
        RunStats st = { 0 };
        gint64 t0 = g_get_monotonic_time();
        double secs;

        if (!init_mode(all_modes[m])) {
            continue;
        }
        for (int i = 0; i < n; i++) {
            insn_gen_sequence(seq, all_modes[m], insn_gen_host_features(),
                              0x5eed0000u + (uint64_t)i, 1 + (size_t)(i % 32));
            run_twice(seq, o1, o2, &st);
        }
        secs = (double)(g_get_monotonic_time() - t0) / 1e6;
        printf("%d-bit: %d sequences (x2) in %.2fs, %.0f runs/s; ran to the"
               " end %d, #DE %d, #UD %d, #GP %d, #SS %d, #PF %d, timeouts"
               " %d\n", all_modes[m], st.runs, secs, 2 * st.runs / secs,
               st.ended, st.faults[0], st.faults[6], st.faults[13],
               st.faults[12], st.faults[14], st.timeouts);
        assert_int_equal(st.timeouts, 0);
        /* every encoding is valid and every access stays in the page */
        assert_int_equal(st.faults[6], 0);
        assert_int_equal(st.faults[13] + st.faults[12] + st.faults[14], 0);
        /* most sequences must run to the end, else the generator is
         * mostly testing exceptions */
        assert_true(st.ended > st.runs / 2);
        assert_true(st.faults[0] > 0);
    }
    g_free(seq);
    g_free(o1);
    g_free(o2);
}

static bool ends_with_de(const InsnSeq *seq, void *opaque)
{
    NativeState *o = opaque;
    uint8_t code[INSN_SEQ_MAX_UNITS * INSN_UNIT_MAX_BYTES];
    size_t len = insn_seq_assemble(seq, code, sizeof(code), NULL);

    return native_exec(seq->mode, code, len, &seq->init, o) == 0 &&
           o->vector == 0;
}

static void test_minimiser_shrinks_a_de_sequence_to_the_divide(void **state)
{
    InsnSeq *seq = g_new0(InsnSeq, 1);
    NativeState *o = g_new0(NativeState, 1);
    g_autoptr(GString) text = g_string_new("");
    uint64_t seed;

    if (!init_mode(NATIVE_MODE_64)) {
        g_free(seq);
        g_free(o);
        return;
    }
    for (seed = 1; seed < 10000; seed++) {
        insn_gen_sequence(seq, NATIVE_MODE_64, insn_gen_host_features(),
                          seed, 30);
        if (seq->count >= 20 && ends_with_de(seq, o)) {
            break;
        }
    }
    assert_true(seed < 10000);
    assert_int_equal(insn_seq_minimise(seq, ends_with_de, o), 1);
    assert_true(ends_with_de(seq, o));
    assert_string_equal(seq->units[0].what, "div/idiv by 0");
    insn_seq_format(seq, text);
    printf("minimised reproducer (seed %" PRIu64 "):\n%s", seed, text->str);
    assert_non_null(strstr(text->str, "div"));
    g_free(seq);
    g_free(o);
}

static bool has_imul_reg(const InsnSeq *seq, void *opaque)
{
    uint8_t code[INSN_SEQ_MAX_UNITS * INSN_UNIT_MAX_BYTES];
    size_t len = insn_seq_assemble(seq, code, sizeof(code), NULL);

    for (size_t i = 0; i + 1 < len; i++) {
        if (code[i] == 0x0f && code[i + 1] == 0xaf) {
            return true;
        }
    }
    return false;
}

static void test_minimiser_keeps_only_what_the_predicate_needs(void **state)
{
    InsnSeq *seq = g_new0(InsnSeq, 1);
    uint64_t seed;

    for (seed = 1; seed < 10000; seed++) {
        insn_gen_sequence(seq, NATIVE_MODE_32, 0, seed, 40);
        if (has_imul_reg(seq, NULL)) {
            break;
        }
    }
    assert_true(seed < 10000);
    assert_true(insn_seq_minimise(seq, has_imul_reg, NULL) <= 2);
    assert_true(has_imul_reg(seq, NULL));
    assert_false(insn_seq_reads_undefined(seq));
    g_free(seq);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_gives_the_same_sequence_and_state),
        cmocka_unit_test(
            test_capstone_decodes_every_sequence_into_its_instructions),
        cmocka_unit_test(
            test_flag_analysis_masks_undefined_flags_across_branches),
        cmocka_unit_test(
            test_generator_puts_a_definer_before_undefined_reads),
        cmocka_unit_test(test_every_family_appears_in_every_mode),
        cmocka_unit_test(test_div_units_raise_de_exactly_when_meant_to),
        cmocka_unit_test(test_native_vs_native_agrees_on_every_sequence),
        cmocka_unit_test(test_minimiser_shrinks_a_de_sequence_to_the_divide),
        cmocka_unit_test(test_minimiser_keeps_only_what_the_predicate_needs),
    };
    int rc;

    missing = g_string_new("");
    rc = cmocka_run_group_tests(tests, NULL, NULL);
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
