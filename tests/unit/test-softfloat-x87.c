/*
 * test-softfloat-x87.c: checks the floatx80 half of target-x86/softfloat
 * against this host's own x87 FPU. Every case loads the same control word
 * and operands into the hardware (fldcw, fldt, the instruction, fnstsw,
 * fstpt) and into the library, then compares the 80-bit result, the six
 * exception flags and C1 bit for bit. Operands are edge values (zeros,
 * infinities, NaNs with payloads, denormals, pseudo-denormals, unsupported
 * encodings, rounding boundaries) crossed with each other, plus random ones
 * under random rounding/precision control; VIREO_CHECK_LONG=1 runs many
 * more. Known, explained differences are listed in known_mismatch().
 */
#include "vireo/common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>

#include "target-x86/softfloat.h"

#define FSW_C0 0x0100u
#define FSW_C1 0x0200u
#define FSW_C2 0x0400u
#define FSW_C3 0x4000u
#define FSW_CC (FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)
#define MAX_REPORTS 5

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static int random_cases;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static floatx80 x80(uint16_t sexp, uint64_t mant)
{
    return (floatx80){ .mant = mant, .sexp = sexp };
}

/* Edge operands: signed zeros, infinities, NaNs, denormals, limits. */
static const floatx80 edges[] = {
    { 0, 0 }, { 0, 0x8000 },
    { 0x8000000000000000ull, 0x3fff }, { 0x8000000000000000ull, 0xbfff },
    { 0xC000000000000000ull, 0x4000 }, { 0xFFFFFFFFFFFFFFFFull, 0x3ffe },
    { 0x8000000000000001ull, 0x3fff }, { 0x8000008000000000ull, 0x3fff },
    { 0x8000000000000400ull, 0x3fff }, { 0x80000000000007ffull, 0xbfff },
    { 0xFFFFFF7FFFFFFFFFull, 0x3fff }, { 0xFFFFFFFFFFFFF800ull, 0x4000 },
    { 0x8000000000000000ull, 0x7fff }, { 0x8000000000000000ull, 0xffff },
    { 0xC000000000000000ull, 0x7fff }, { 0xC000000000000001ull, 0xffff },
    { 0xE123456789ABCDEFull, 0x7fff }, { 0x8000000000000001ull, 0x7fff },
    { 0xA000000000000000ull, 0xffff }, { 0xC000000000000000ull, 0xffff },
    { 0x0000000000000001ull, 0x0000 }, { 0x7FFFFFFFFFFFFFFFull, 0x8000 },
    { 0x4000000000000000ull, 0x0000 }, { 0x8000000000000000ull, 0x0000 },
    { 0x8000000000000001ull, 0x8000 }, { 0x8000000000000000ull, 0x0001 },
    { 0x8000000000000000ull, 0x8001 }, { 0xFFFFFFFFFFFFFFFFull, 0x7ffe },
    { 0xFFFFFFFFFFFFFFFFull, 0xfffe }, { 0x0000000000000000ull, 0x7fff },
    { 0x4000000000000000ull, 0x7fff }, { 0x4000000000000000ull, 0x3fff },
    { 0x0000000000000001ull, 0x4001 }, { 0x8000000000000000ull, 0x403e },
    { 0xFFFFFFFFFFFFFFFFull, 0x403d }, { 0xC000000000000000ull, 0xc03e },
    { 0x8000000000000000ull, 0x3ffe }, { 0xC000000000000000ull, 0x3ffe },
    { 0xA000000000000000ull, 0x3ffd }, { 0x8000000000000000ull, 0x4040 },
};

/* A random operand, biased towards the interesting exponent ranges. */
static floatx80 random_x80(void)
{
    uint64_t r = rnd(), m = rnd();
    uint16_t sign = (r & 1) ? 0x8000 : 0;
    uint16_t e;

    switch ((r >> 1) & 7) {
    case 0: e = (r >> 8) & 0x7fff; break;
    case 1: e = (r >> 8) & 0x3f; break;                         /* tiny */
    case 2: e = 0x7fff - 1 - ((r >> 8) & 0x3f); break;          /* huge */
    case 3: e = 0x3fff - 64 + ((r >> 8) & 0x7f); break;
    default: e = 0x3fff - 8 + ((r >> 8) & 0xf); break;
    }
    switch ((r >> 24) & 7) {
    case 0: m &= ~0ull << ((r >> 32) & 63); break;              /* short */
    case 1: m |= (1ull << ((r >> 32) & 63)) - 1; break;         /* ones */
    case 2: m = (m & 0xFFFFFF0000000000ull) | 0x8000000000ull; break;
    case 3: m = (m & 0xFFFFFFFFFFFFF800ull) | 0x400; break;
    default: break;
    }
    if (e != 0 && (r >> 40) % 64 != 0) {
        m |= 1ull << 63;    /* rarely an unnormal or pseudo encoding */
    }
    if (e == 0 && (r >> 40) % 4 != 0) {
        m &= ~(1ull << 63);
    }
    return x80(sign | e, m);
}

static uint16_t random_cw(bool allow_unmasked)
{
    static const uint16_t pcs[] = { SF_PREC_24, SF_PREC_53, SF_PREC_64,
                                    SF_PREC_64 };
    uint64_t r = rnd();
    uint16_t mask = 0x3f;
    if (allow_unmasked && (r & 15) == 0) {
        mask = (r >> 8) & 0x3f;
    }
    return 0x40 | mask | (pcs[(r >> 4) & 3] << 8) | (((r >> 6) & 3) << 10);
}

static const uint16_t edge_cws[] = {
    0x037f, 0x027f, 0x007f, 0x077f, 0x0b7f, 0x0f7f, 0x047f, 0x087f, 0x0c7f,
    0x0367, 0x0357,
};

/* ---- the hardware side ---- */

#define X87_CLOBBERS "memory", "st", "st(1)", "st(2)", "st(3)", "st(4)", \
                     "st(5)", "st(6)", "st(7)"

#define HW_X87_BINARY(name, insn)                                           \
static uint16_t hw_##name(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r) \
{                                                                           \
    uint16_t sw;                                                            \
    asm volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t"      \
                 insn "\n\tfnstsw %[sw]\n\tfnclex\n\tfstpt %[r]\n\t"        \
                 "fstp %%st(0)\n\tfninit"                                   \
                 : [r] "=m"(*r), [sw] "=m"(sw)                              \
                 : [cw] "m"(cw), [a] "m"(a), [b] "m"(b) : X87_CLOBBERS);     \
    return sw;                                                              \
}

HW_X87_BINARY(fadd, "fadd %%st(1), %%st")
HW_X87_BINARY(fsub, "fsub %%st(1), %%st")
HW_X87_BINARY(fmul, "fmul %%st(1), %%st")
HW_X87_BINARY(fdiv, "fdiv %%st(1), %%st")
HW_X87_BINARY(fcom, "fcom %%st(1)")
HW_X87_BINARY(fucom, "fucom %%st(1)")
HW_X87_BINARY(fprem, "fprem")
HW_X87_BINARY(fprem1, "fprem1")
HW_X87_BINARY(fscale, "fscale")

#define HW_X87_UNARY(name, insn)                                            \
static uint16_t hw_##name(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r) \
{                                                                           \
    uint16_t sw;                                                            \
    (void)b;                                                                \
    asm volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\t"                   \
                 insn "\n\tfnstsw %[sw]\n\tfnclex\n\tfstpt %[r]\n\tfninit"  \
                 : [r] "=m"(*r), [sw] "=m"(sw)                              \
                 : [cw] "m"(cw), [a] "m"(a) : X87_CLOBBERS);                 \
    return sw;                                                              \
}

HW_X87_UNARY(fsqrt, "fsqrt")
HW_X87_UNARY(frndint, "frndint")

/* ---- the library side, with the same signature ---- */

static uint16_t lib_flags(const SoftFloatStatus *st)
{
    return st->flags | (st->c1 ? FSW_C1 : 0);
}

#define LIB_BINARY(name, fn)                                                \
static uint16_t lib_##name(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r) \
{                                                                           \
    SoftFloatStatus st;                                                     \
    softfloat_status_from_fpuc(&st, cw);                                    \
    *r = fn(&st, a, b);                                                     \
    return lib_flags(&st);                                                  \
}

LIB_BINARY(fadd, floatx80_add)
LIB_BINARY(fsub, floatx80_sub)
LIB_BINARY(fmul, floatx80_mul)
LIB_BINARY(fdiv, floatx80_div)

static uint16_t lib_fsqrt(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r)
{
    SoftFloatStatus st;
    (void)b;
    softfloat_status_from_fpuc(&st, cw);
    *r = floatx80_sqrt(&st, a);
    return lib_flags(&st);
}

static uint16_t lib_frndint(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r)
{
    SoftFloatStatus st;
    (void)b;
    softfloat_status_from_fpuc(&st, cw);
    *r = floatx80_round_to_int(&st, a);
    return lib_flags(&st);
}

static uint16_t relation_cc(SfRelation rel)
{
    switch (rel) {
    case SF_LESS: return FSW_C0;
    case SF_EQUAL: return FSW_C3;
    case SF_GREATER: return 0;
    default: return FSW_C0 | FSW_C2 | FSW_C3;
    }
}

static uint16_t lib_fcom(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r)
{
    SoftFloatStatus st;
    softfloat_status_from_fpuc(&st, cw);
    uint16_t cc;
    *r = a;
    cc = relation_cc(floatx80_compare(&st, a, b));
    return st.flags | cc;
}

static uint16_t lib_fucom(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r)
{
    SoftFloatStatus st;
    softfloat_status_from_fpuc(&st, cw);
    uint16_t cc;
    *r = a;
    cc = relation_cc(floatx80_compare_quiet(&st, a, b));
    return st.flags | cc;
}

static uint16_t lib_fprem(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r)
{
    SoftFloatStatus st;
    uint16_t cc;
    softfloat_status_from_fpuc(&st, cw);
    *r = floatx80_rem(&st, a, b, false, &cc);
    return st.flags | cc;
}

static uint16_t lib_fprem1(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r)
{
    SoftFloatStatus st;
    uint16_t cc;
    softfloat_status_from_fpuc(&st, cw);
    *r = floatx80_rem(&st, a, b, true, &cc);
    return st.flags | cc;
}

static uint16_t lib_fscale(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r)
{
    SoftFloatStatus st;
    softfloat_status_from_fpuc(&st, cw);
    *r = floatx80_scale(&st, a, b);
    return lib_flags(&st);
}

/* ---- the comparison driver ---- */

typedef uint16_t (*X87Op)(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r);

typedef struct OpCase {
    const char *name;
    X87Op hw, lib;
    uint16_t sw_mask;       /* status bits that must agree */
    bool unary;
    bool compare_result;
} OpCase;

/*
 * Known, explained differences. Returns the reason, or NULL when the case
 * must agree bit for bit.
 */
static const char *known_mismatch(const OpCase *op, uint16_t cw, floatx80 a,
                                  floatx80 b)
{
    (void)op;
    (void)cw;
    (void)a;
    (void)b;
    return NULL;
}

static int mismatches, known;

static void check_case(const OpCase *op, uint16_t cw, floatx80 a, floatx80 b)
{
    floatx80 hr = { 0, 0 }, lr = { 0, 0 };
    uint16_t hsw = op->hw(cw, a, b, &hr) & op->sw_mask;
    uint16_t lsw = op->lib(cw, a, b, &lr) & op->sw_mask;
    uint16_t pre = SF_FLAG_INVALID | SF_FLAG_DENORMAL | SF_FLAG_DIVBYZERO;
    bool stopped = hsw & ~cw & pre;
    bool same_result = !op->compare_result || stopped ||
                       (hr.mant == lr.mant && hr.sexp == lr.sexp);

    if (stopped) {
        /* An unmasked pre-computation exception leaves ST unchanged. */
        hsw &= pre;
        lsw &= pre;
    }
    if (same_result && hsw == lsw) {
        return;
    }
    if (known_mismatch(op, cw, a, b)) {
        known++;
        return;
    }
    if (mismatches++ < MAX_REPORTS) {
        printf("%s cw=%04x a=%04x:%016" PRIx64 " b=%04x:%016" PRIx64
               "\n  hw=%04x:%016" PRIx64 " sw=%04x\n lib=%04x:%016" PRIx64
               " sw=%04x\n", op->name, cw, a.sexp, a.mant, b.sexp, b.mant,
               hr.sexp, hr.mant, hsw, lr.sexp, lr.mant, lsw);
    }
}

static void run_op(const OpCase *op)
{
    size_t n = ARRAY_SIZE(edges);

    mismatches = known = 0;
    for (size_t c = 0; c < ARRAY_SIZE(edge_cws); c++) {
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < (op->unary ? 1 : n); j++) {
                check_case(op, edge_cws[c], edges[i], edges[j]);
            }
        }
    }
    for (int k = 0; k < random_cases; k++) {
        floatx80 a = random_x80(), b = random_x80();
        if (!op->unary && (rnd() & 3) == 0) {
            /* Close exponents make cancellation and ties likely. */
            b.sexp = (b.sexp & 0x8000) | ((a.sexp + (rnd() % 5) - 2) & 0x7fff);
        }
        check_case(op, random_cw(true), a, b);
    }
    if (mismatches) {
        printf("%s: %d unexplained mismatches\n", op->name, mismatches);
    }
    assert_int_equal(mismatches, 0);
}

#define ARITH_SW (SF_FLAG_ALL | FSW_C1)
#define CMP_SW (SF_FLAG_ALL | FSW_C0 | FSW_C2 | FSW_C3)

static void test_fadd_matches_host_x87(void **state)
{
    OpCase op = { "fadd", hw_fadd, lib_fadd, ARITH_SW, false, true };
    run_op(&op);
}

static void test_fsub_matches_host_x87(void **state)
{
    OpCase op = { "fsub", hw_fsub, lib_fsub, ARITH_SW, false, true };
    run_op(&op);
}

static void test_fmul_matches_host_x87(void **state)
{
    OpCase op = { "fmul", hw_fmul, lib_fmul, ARITH_SW, false, true };
    run_op(&op);
}

static void test_fdiv_matches_host_x87(void **state)
{
    OpCase op = { "fdiv", hw_fdiv, lib_fdiv, ARITH_SW, false, true };
    run_op(&op);
}

static void test_fsqrt_matches_host_x87(void **state)
{
    OpCase op = { "fsqrt", hw_fsqrt, lib_fsqrt, ARITH_SW, true, true };
    run_op(&op);
}

static void test_fcom_and_fucom_match_host_x87(void **state)
{
    OpCase op = { "fcom", hw_fcom, lib_fcom, CMP_SW, false, false };
    OpCase opu = { "fucom", hw_fucom, lib_fucom, CMP_SW, false, false };
    run_op(&op);
    run_op(&opu);
}

static void test_frndint_matches_host_x87(void **state)
{
    OpCase op = { "frndint", hw_frndint, lib_frndint, ARITH_SW, true, true };
    run_op(&op);
}

static void test_fprem_and_fprem1_match_host_x87(void **state)
{
    OpCase op = { "fprem", hw_fprem, lib_fprem, CMP_SW | FSW_C1, false, true };
    OpCase op1 = { "fprem1", hw_fprem1, lib_fprem1, CMP_SW | FSW_C1, false,
                   true };
    run_op(&op);
    run_op(&op1);
}

static void test_fscale_matches_host_x87(void **state)
{
    OpCase op = { "fscale", hw_fscale, lib_fscale, ARITH_SW, false, true };
    run_op(&op);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fadd_matches_host_x87),
        cmocka_unit_test(test_fsub_matches_host_x87),
        cmocka_unit_test(test_fmul_matches_host_x87),
        cmocka_unit_test(test_fdiv_matches_host_x87),
        cmocka_unit_test(test_fsqrt_matches_host_x87),
        cmocka_unit_test(test_fcom_and_fucom_match_host_x87),
        cmocka_unit_test(test_frndint_matches_host_x87),
        cmocka_unit_test(test_fprem_and_fprem1_match_host_x87),
        cmocka_unit_test(test_fscale_matches_host_x87),
    };
    const char *lng = getenv("VIREO_CHECK_LONG");

    random_cases = (lng && *lng == '1') ? 5000000 : 50000;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
