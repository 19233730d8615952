/*
 * test-softfloat-sse.c: checks the float32/float64 half of
 * target-x86/softfloat against this host's SSE unit. Each case loads the
 * same MXCSR (rounding mode, FTZ, DAZ; exceptions masked) into the
 * hardware with ldmxcsr, runs the scalar instruction (ADDSS, SQRTSD,
 * MINSS, COMISD, CVTSD2SS, CVTTSS2SI, ROUNDSD, ...) and reads the result
 * and MXCSR back, then compares them bit for bit with the library. The
 * operands are edge values crossed with each other and random values;
 * VIREO_CHECK_LONG=1 runs many more. A last group unmasks exceptions and
 * catches the #XM (SIGFPE) to compare which flags the fault leaves.
 */
#include "vireo/common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <signal.h>
#include <ucontext.h>
#include <cmocka.h>

#include "target-x86/softfloat.h"
#include "test-util.h"

#if defined(__x86_64__)

#define MXCSR_DEFAULT 0x1f80u
#define MAX_REPORTS 5

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static int random_cases;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static const uint32_t edges32[] = {
    0, 0x80000000u, 0x3f800000u, 0xbf800000u, 0x3f800001u, 0x3fffffffu,
    0x7f800000u, 0xff800000u, 0x7fc00000u, 0xffc00000u, 0x7fc00001u,
    0xffc12345u, 0x7f812345u, 0xff800001u, 0x7fbfffffu,
    0x00000001u, 0x80000001u, 0x007fffffu, 0x807fffffu, 0x00400000u,
    0x00800000u, 0x80800000u, 0x00800001u, 0x7f7fffffu, 0xff7fffffu,
    0x7f000000u, 0x33800000u, 0x34000000u, 0x4b000000u, 0x4b000001u,
    0x3effffffu, 0x3f000000u, 0x3fc00000u, 0x40200000u, 0xcf000000u,
    0x4f000000u, 0x5f000000u, 0xdf000000u, 0x4effffffu, 0x0c000000u,
};

static const uint64_t edges64[] = {
    0, 1ull << 63, 0x3ff0000000000000ull, 0xbff0000000000000ull,
    0x3ff0000000000001ull, 0x3fffffffffffffffull, 0x7ff0000000000000ull,
    0xfff0000000000000ull, 0x7ff8000000000000ull, 0xfff8000000000000ull,
    0x7ff8000000000001ull, 0xfff8123456789abcull, 0x7ff0123456789abcull,
    0xfff0000000000001ull, 0x7ff7ffffffffffffull, 0x0000000000000001ull,
    0x8000000000000001ull, 0x000fffffffffffffull, 0x800fffffffffffffull,
    0x0008000000000000ull, 0x0010000000000000ull, 0x8010000000000000ull,
    0x0010000000000001ull, 0x7fefffffffffffffull, 0xffefffffffffffffull,
    0x7fe0000000000000ull, 0x3ca0000000000000ull, 0x3cb0000000000000ull,
    0x4330000000000000ull, 0x4330000000000001ull, 0x3fdfffffffffffffull,
    0x3fe0000000000000ull, 0x3ff8000000000000ull, 0x4004000000000000ull,
    0xc1e0000000000000ull, 0x41e0000000000000ull, 0x43e0000000000000ull,
    0xc3e0000000000000ull, 0x41dfffffffc00000ull, 0x36a0000000000000ull,
    0x47efffffe0000000ull, 0x3810000000000000ull, 0x380fffffffffffffull,
    0x36a0000000000001ull, 0x47efffffefffffffull, 0x47effffff0000000ull,
};

static uint64_t random_bits(int bits)
{
    uint64_t r = rnd(), m = rnd();
    int ebits = bits == 32 ? 8 : 11, fbits = bits == 32 ? 23 : 52;
    uint64_t emax = (1ull << ebits) - 1, bias = emax >> 1, e;

    switch ((r >> 1) & 7) {
    case 0: e = (r >> 8) & emax; break;
    case 1: e = (r >> 8) & 31; break;
    case 2: e = emax - 1 - ((r >> 8) & 31); break;
    case 3: e = bias - 32 + ((r >> 8) & 63); break;
    case 4: e = bits == 64 ? 896 + ((r >> 8) & 63) - 32 : (r >> 8) & 3; break;
    default: e = bias - 4 + ((r >> 8) & 7); break;
    }
    if (e > emax) {
        e = emax;
    }
    switch ((r >> 24) & 3) {
    case 0: m &= ~0ull << ((r >> 32) % fbits); break;
    case 1: m |= (1ull << ((r >> 32) % fbits)) - 1; break;
    default: break;
    }
    m &= (1ull << fbits) - 1;
    return ((r & 1) << (bits - 1)) | (e << fbits) | m;
}

static uint32_t random_mxcsr(void)
{
    uint64_t r = rnd();
    return MXCSR_DEFAULT | ((r & 3) << 13) | (((r >> 2) & 1) << 15) |
           (((r >> 3) & 1) << 6);
}

static const uint32_t edge_mxcsrs[] = {
    0x1f80, 0x3f80, 0x5f80, 0x7f80, 0x9f80, 0x1fc0, 0x9fc0, 0xbfc0, 0xdfc0,
};

/* ---- hardware side: a, b and the result as raw bits ---- */

typedef uint32_t (*SseOp)(uint32_t mxcsr, uint64_t a, uint64_t b,
                          uint64_t *r);

#define HW_SSE(name, load_a, load_b, body, store)                           \
static uint32_t hw_##name(uint32_t mxcsr, uint64_t a, uint64_t b,           \
                          uint64_t *r)                                       \
{                                                                           \
    uint32_t out, saved = 0;                                                \
    uint64_t res = 0;                                                       \
    asm volatile("stmxcsr %[saved]\n\tldmxcsr %[mx]\n\t"                    \
                 load_a " %[a], %%xmm0\n\t" load_b " %[b], %%xmm1\n\t"      \
                 body "\n\t" store " %%xmm0, %[res]\n\t"                    \
                 "stmxcsr %[out]\n\tldmxcsr %[saved]"                       \
                 : [res] "+m"(res), [out] "=m"(out), [saved] "+m"(saved)    \
                 : [mx] "m"(mxcsr), [a] "m"(a), [b] "m"(b)                  \
                 : "xmm0", "xmm1", "memory");                               \
    *r = res;                                                               \
    return out;                                                             \
}

HW_SSE(addss, "movss", "movss", "addss %%xmm1, %%xmm0", "movss")
HW_SSE(subss, "movss", "movss", "subss %%xmm1, %%xmm0", "movss")
HW_SSE(mulss, "movss", "movss", "mulss %%xmm1, %%xmm0", "movss")
HW_SSE(divss, "movss", "movss", "divss %%xmm1, %%xmm0", "movss")
HW_SSE(sqrtss, "movss", "movss", "sqrtss %%xmm0, %%xmm0", "movss")
HW_SSE(minss, "movss", "movss", "minss %%xmm1, %%xmm0", "movss")
HW_SSE(maxss, "movss", "movss", "maxss %%xmm1, %%xmm0", "movss")
HW_SSE(addsd, "movsd", "movsd", "addsd %%xmm1, %%xmm0", "movsd")
HW_SSE(subsd, "movsd", "movsd", "subsd %%xmm1, %%xmm0", "movsd")
HW_SSE(mulsd, "movsd", "movsd", "mulsd %%xmm1, %%xmm0", "movsd")
HW_SSE(divsd, "movsd", "movsd", "divsd %%xmm1, %%xmm0", "movsd")
HW_SSE(sqrtsd, "movsd", "movsd", "sqrtsd %%xmm0, %%xmm0", "movsd")
HW_SSE(minsd, "movsd", "movsd", "minsd %%xmm1, %%xmm0", "movsd")
HW_SSE(maxsd, "movsd", "movsd", "maxsd %%xmm1, %%xmm0", "movsd")
HW_SSE(cvtss2sd, "movss", "movss", "cvtss2sd %%xmm0, %%xmm0", "movsd")
HW_SSE(cvtsd2ss, "movsd", "movsd", "cvtsd2ss %%xmm0, %%xmm0", "movss")
HW_SSE(roundss_cur, "movss", "movss", "roundss $4, %%xmm0, %%xmm0", "movss")
HW_SSE(roundss_cur_nope, "movss", "movss", "roundss $12, %%xmm0, %%xmm0",
       "movss")
HW_SSE(roundsd_cur, "movsd", "movsd", "roundsd $4, %%xmm0, %%xmm0", "movsd")
HW_SSE(roundsd_cur_nope, "movsd", "movsd", "roundsd $12, %%xmm0, %%xmm0",
       "movsd")

#define HW_CMP_PRED(n)                                                      \
HW_SSE(cmpss##n, "movss", "movss", "cmpss $" #n ", %%xmm1, %%xmm0", "movss") \
HW_SSE(cmpsd##n, "movsd", "movsd", "cmpsd $" #n ", %%xmm1, %%xmm0", "movsd")
HW_CMP_PRED(0) HW_CMP_PRED(1) HW_CMP_PRED(2) HW_CMP_PRED(3)
HW_CMP_PRED(4) HW_CMP_PRED(5) HW_CMP_PRED(6) HW_CMP_PRED(7)

/* COMISS/UCOMISS and the SD forms: ZF, PF, CF into bits 0, 1, 2 of the result. */
#define HW_SSE_CMP(name, load, insn)                                        \
static uint32_t hw_##name(uint32_t mxcsr, uint64_t a, uint64_t b,           \
                          uint64_t *r)                                       \
{                                                                           \
    uint32_t out, saved = 0;                                                \
    uint8_t z, p, c;                                                        \
    asm volatile("stmxcsr %[saved]\n\tldmxcsr %[mx]\n\t"                    \
                 load " %[a], %%xmm0\n\t" load " %[b], %%xmm1\n\t"          \
                 insn " %%xmm1, %%xmm0\n\tsetz %[z]\n\tsetp %[p]\n\t"       \
                 "setc %[c]\n\tstmxcsr %[out]\n\tldmxcsr %[saved]"          \
                 : [z] "=r"(z), [p] "=r"(p), [c] "=r"(c), [out] "=m"(out),  \
                   [saved] "+m"(saved)                                      \
                 : [mx] "m"(mxcsr), [a] "m"(a), [b] "m"(b)                  \
                 : "xmm0", "xmm1", "memory", "cc");                         \
    *r = z | (p << 1) | (c << 2);                                           \
    return out;                                                             \
}

HW_SSE_CMP(comiss, "movss", "comiss")
HW_SSE_CMP(ucomiss, "movss", "ucomiss")
HW_SSE_CMP(comisd, "movsd", "comisd")
HW_SSE_CMP(ucomisd, "movsd", "ucomisd")

/* Conversions to integers: the result lands in a general register. */
#define HW_SSE_TOINT(name, load, insn, type)                                \
static uint32_t hw_##name(uint32_t mxcsr, uint64_t a, uint64_t b,           \
                          uint64_t *r)                                       \
{                                                                           \
    uint32_t out, saved = 0;                                                \
    type v;                                                                 \
    (void)b;                                                                \
    asm volatile("stmxcsr %[saved]\n\tldmxcsr %[mx]\n\t"                    \
                 load " %[a], %%xmm0\n\t" insn " %%xmm0, %[v]\n\t"          \
                 "stmxcsr %[out]\n\tldmxcsr %[saved]"                       \
                 : [v] "=r"(v), [out] "=m"(out), [saved] "+m"(saved)        \
                 : [mx] "m"(mxcsr), [a] "m"(a) : "xmm0", "memory");          \
    *r = (uint64_t)v;                                                       \
    return out;                                                             \
}

HW_SSE_TOINT(cvtss2si32, "movss", "cvtss2si", uint32_t)
HW_SSE_TOINT(cvtss2si64, "movss", "cvtss2si", uint64_t)
HW_SSE_TOINT(cvttss2si32, "movss", "cvttss2si", uint32_t)
HW_SSE_TOINT(cvttss2si64, "movss", "cvttss2si", uint64_t)
HW_SSE_TOINT(cvtsd2si32, "movsd", "cvtsd2si", uint32_t)
HW_SSE_TOINT(cvtsd2si64, "movsd", "cvtsd2si", uint64_t)
HW_SSE_TOINT(cvttsd2si32, "movsd", "cvttsd2si", uint32_t)
HW_SSE_TOINT(cvttsd2si64, "movsd", "cvttsd2si", uint64_t)

/* Conversions from integers: a is the integer. */
#define HW_SSE_FROMINT(name, insn, type, store)                             \
static uint32_t hw_##name(uint32_t mxcsr, uint64_t a, uint64_t b,           \
                          uint64_t *r)                                       \
{                                                                           \
    uint32_t out, saved = 0;                                                \
    uint64_t res = 0;                                                       \
    type v = (type)a;                                                       \
    (void)b;                                                                \
    asm volatile("stmxcsr %[saved]\n\tldmxcsr %[mx]\n\t"                    \
                 insn " %[v], %%xmm0\n\t" store " %%xmm0, %[res]\n\t"       \
                 "stmxcsr %[out]\n\tldmxcsr %[saved]"                       \
                 : [res] "+m"(res), [out] "=m"(out), [saved] "+m"(saved)    \
                 : [mx] "m"(mxcsr), [v] "r"(v) : "xmm0", "memory");          \
    *r = res;                                                               \
    return out;                                                             \
}

HW_SSE_FROMINT(cvtsi2ss32, "cvtsi2ssl", uint32_t, "movss")
HW_SSE_FROMINT(cvtsi2ss64, "cvtsi2ssq", uint64_t, "movss")
HW_SSE_FROMINT(cvtsi2sd32, "cvtsi2sdl", uint32_t, "movsd")
HW_SSE_FROMINT(cvtsi2sd64, "cvtsi2sdq", uint64_t, "movsd")

/* ---- library side ---- */

#define LIB_SSE2(name, fn, type)                                            \
static uint32_t lib_##name(uint32_t mxcsr, uint64_t a, uint64_t b,          \
                           uint64_t *r)                                      \
{                                                                           \
    SoftFloatStatus st;                                                     \
    softfloat_status_from_mxcsr(&st, mxcsr);                                \
    *r = (type)fn(&st, (type)a, (type)b);                                   \
    return mxcsr | st.flags;                                                \
}

#define LIB_SSE1(name, fn, type, rtype)                                     \
static uint32_t lib_##name(uint32_t mxcsr, uint64_t a, uint64_t b,          \
                           uint64_t *r)                                      \
{                                                                           \
    SoftFloatStatus st;                                                     \
    (void)b;                                                                \
    softfloat_status_from_mxcsr(&st, mxcsr);                                \
    *r = (rtype)fn(&st, (type)a);                                           \
    return mxcsr | st.flags;                                                \
}

LIB_SSE2(addss, float32_add, uint32_t)
LIB_SSE2(subss, float32_sub, uint32_t)
LIB_SSE2(mulss, float32_mul, uint32_t)
LIB_SSE2(divss, float32_div, uint32_t)
LIB_SSE1(sqrtss, float32_sqrt, uint32_t, uint32_t)
LIB_SSE2(minss, float32_min, uint32_t)
LIB_SSE2(maxss, float32_max, uint32_t)
LIB_SSE2(addsd, float64_add, uint64_t)
LIB_SSE2(subsd, float64_sub, uint64_t)
LIB_SSE2(mulsd, float64_mul, uint64_t)
LIB_SSE2(divsd, float64_div, uint64_t)
LIB_SSE1(sqrtsd, float64_sqrt, uint64_t, uint64_t)
LIB_SSE2(minsd, float64_min, uint64_t)
LIB_SSE2(maxsd, float64_max, uint64_t)
LIB_SSE1(cvtss2sd, float32_to_float64, uint32_t, uint64_t)
LIB_SSE1(cvtsd2ss, float64_to_float32, uint64_t, uint32_t)
LIB_SSE1(cvtss2si32, float32_to_int32, uint32_t, uint32_t)
LIB_SSE1(cvtss2si64, float32_to_int64, uint32_t, uint64_t)
LIB_SSE1(cvttss2si32, float32_to_int32_round_to_zero, uint32_t, uint32_t)
LIB_SSE1(cvttss2si64, float32_to_int64_round_to_zero, uint32_t, uint64_t)
LIB_SSE1(cvtsd2si32, float64_to_int32, uint64_t, uint32_t)
LIB_SSE1(cvtsd2si64, float64_to_int64, uint64_t, uint64_t)
LIB_SSE1(cvttsd2si32, float64_to_int32_round_to_zero, uint64_t, uint32_t)
LIB_SSE1(cvttsd2si64, float64_to_int64_round_to_zero, uint64_t, uint64_t)
LIB_SSE1(cvtsi2ss32, int32_to_float32, int32_t, uint32_t)
LIB_SSE1(cvtsi2ss64, int64_to_float32, int64_t, uint32_t)
LIB_SSE1(cvtsi2sd32, int32_to_float64, int32_t, uint64_t)
LIB_SSE1(cvtsi2sd64, int64_to_float64, int64_t, uint64_t)

#define LIB_ROUND(name, fn, type, nope)                                     \
static uint32_t lib_##name(uint32_t mxcsr, uint64_t a, uint64_t b,          \
                           uint64_t *r)                                      \
{                                                                           \
    SoftFloatStatus st;                                                     \
    (void)b;                                                                \
    softfloat_status_from_mxcsr(&st, mxcsr);                                \
    *r = (type)fn(&st, (type)a, nope);                                      \
    return mxcsr | st.flags;                                                \
}

LIB_ROUND(roundss_cur, float32_round_to_int, uint32_t, false)
LIB_ROUND(roundss_cur_nope, float32_round_to_int, uint32_t, true)
LIB_ROUND(roundsd_cur, float64_round_to_int, uint64_t, false)
LIB_ROUND(roundsd_cur_nope, float64_round_to_int, uint64_t, true)

#define LIB_CMP_PRED(n)                                                     \
static uint32_t lib_cmpss##n(uint32_t mxcsr, uint64_t a, uint64_t b,        \
                             uint64_t *r)                                    \
{                                                                           \
    SoftFloatStatus st;                                                     \
    softfloat_status_from_mxcsr(&st, mxcsr);                                \
    *r = float32_compare_predicate(&st, (float32)a, (float32)b, n)          \
         ? 0xffffffffu : 0;                                                 \
    return mxcsr | st.flags;                                                \
}                                                                           \
static uint32_t lib_cmpsd##n(uint32_t mxcsr, uint64_t a, uint64_t b,        \
                             uint64_t *r)                                    \
{                                                                           \
    SoftFloatStatus st;                                                     \
    softfloat_status_from_mxcsr(&st, mxcsr);                                \
    *r = float64_compare_predicate(&st, a, b, n) ? ~0ull : 0;               \
    return mxcsr | st.flags;                                                \
}
LIB_CMP_PRED(0) LIB_CMP_PRED(1) LIB_CMP_PRED(2) LIB_CMP_PRED(3)
LIB_CMP_PRED(4) LIB_CMP_PRED(5) LIB_CMP_PRED(6) LIB_CMP_PRED(7)

static uint64_t relation_flags(SfRelation rel)
{
    switch (rel) {
    case SF_LESS: return 4;
    case SF_EQUAL: return 1;
    case SF_GREATER: return 0;
    default: return 7;
    }
}

#define LIB_CMP(name, fn, type)                                             \
static uint32_t lib_##name(uint32_t mxcsr, uint64_t a, uint64_t b,          \
                           uint64_t *r)                                      \
{                                                                           \
    SoftFloatStatus st;                                                     \
    softfloat_status_from_mxcsr(&st, mxcsr);                                \
    *r = relation_flags(fn(&st, (type)a, (type)b));                         \
    return mxcsr | st.flags;                                                \
}

LIB_CMP(comiss, float32_compare, uint32_t)
LIB_CMP(ucomiss, float32_compare_quiet, uint32_t)
LIB_CMP(comisd, float64_compare, uint64_t)
LIB_CMP(ucomisd, float64_compare_quiet, uint64_t)

/* ---- driver ---- */

typedef struct SseCase {
    const char *name;
    SseOp hw, lib;
    int bits;           /* operand format: 32 or 64 */
    bool unary;
    bool int_source;    /* a is an integer (CVTSI2SS/SD) */
} SseCase;

/* Known, explained differences; NULL when the case must agree. */
static const char *known_mismatch(const SseCase *op, uint32_t mxcsr,
                                  uint64_t a, uint64_t b)
{
    (void)op;
    (void)mxcsr;
    (void)a;
    (void)b;
    return NULL;
}

static int mismatches, known;

static void check_case(const SseCase *op, uint32_t mxcsr, uint64_t a,
                       uint64_t b)
{
    uint64_t hr = 0, lr = 0;
    uint32_t hmx = op->hw(mxcsr, a, b, &hr);
    uint32_t lmx = op->lib(mxcsr, a, b, &lr);

    if (hr == lr && hmx == lmx) {
        return;
    }
    if (known_mismatch(op, mxcsr, a, b)) {
        known++;
        return;
    }
    if (mismatches++ < MAX_REPORTS) {
        printf("%s mxcsr=%04x a=%016" PRIx64 " b=%016" PRIx64 "\n"
               "  hw=%016" PRIx64 " mxcsr=%04x\n lib=%016" PRIx64
               " mxcsr=%04x\n", op->name, mxcsr, a, b, hr, hmx, lr, lmx);
    }
}

static uint64_t edge(int bits, size_t i)
{
    return bits == 32 ? edges32[i] : edges64[i];
}

static uint64_t random_int_source(void)
{
    uint64_t r = rnd(), v = rnd();
    return v >> (r % 64);
}

static void run_op(const SseCase *op)
{
    size_t n = op->bits == 32 ? ARRAY_SIZE(edges32) : ARRAY_SIZE(edges64);

    mismatches = known = 0;
    for (size_t c = 0; c < ARRAY_SIZE(edge_mxcsrs); c++) {
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < (op->unary ? 1 : n); j++) {
                check_case(op, edge_mxcsrs[c], edge(op->bits, i),
                           edge(op->bits, j));
            }
        }
    }
    for (int k = 0; k < random_cases; k++) {
        uint64_t a = op->int_source ? random_int_source()
                                    : random_bits(op->bits);
        uint64_t b = random_bits(op->bits);
        if (!op->int_source && (rnd() & 3) == 0) {
            /* Close exponents: cancellation, ties, equal operands. */
            int fb = op->bits == 32 ? 23 : 52;
            uint64_t emask = (op->bits == 32 ? 0xffull : 0x7ffull) << fb;
            b = (b & ~emask) | (a & emask);
        }
        check_case(op, random_mxcsr(), a, b);
    }
    if (mismatches) {
        printf("%s: %d unexplained mismatches\n", op->name, mismatches);
    }
    assert_int_equal(mismatches, 0);
}

static void run_table(const SseCase *ops, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        run_op(&ops[i]);
    }
}

#define OP(name, bits, unary) { #name, hw_##name, lib_##name, bits, unary, false }

static void test_float32_arithmetic_matches_host_sse(void **state)
{
    static const SseCase ops[] = {
        OP(addss, 32, false), OP(subss, 32, false), OP(mulss, 32, false),
        OP(divss, 32, false), OP(sqrtss, 32, true),
    };
    run_table(ops, ARRAY_SIZE(ops));
}

static void test_float64_arithmetic_matches_host_sse(void **state)
{
    static const SseCase ops[] = {
        OP(addsd, 64, false), OP(subsd, 64, false), OP(mulsd, 64, false),
        OP(divsd, 64, false), OP(sqrtsd, 64, true),
    };
    run_table(ops, ARRAY_SIZE(ops));
}

static void test_min_max_return_second_operand_like_host(void **state)
{
    static const SseCase ops[] = {
        OP(minss, 32, false), OP(maxss, 32, false),
        OP(minsd, 64, false), OP(maxsd, 64, false),
    };
    run_table(ops, ARRAY_SIZE(ops));
}

static void test_comis_and_ucomis_match_host_sse(void **state)
{
    static const SseCase ops[] = {
        OP(comiss, 32, false), OP(ucomiss, 32, false),
        OP(comisd, 64, false), OP(ucomisd, 64, false),
    };
    run_table(ops, ARRAY_SIZE(ops));
}

static void test_cmpss_cmpsd_predicates_match_host_sse(void **state)
{
    static const SseCase ops[] = {
        OP(cmpss0, 32, false), OP(cmpss1, 32, false), OP(cmpss2, 32, false),
        OP(cmpss3, 32, false), OP(cmpss4, 32, false), OP(cmpss5, 32, false),
        OP(cmpss6, 32, false), OP(cmpss7, 32, false),
        OP(cmpsd0, 64, false), OP(cmpsd1, 64, false), OP(cmpsd2, 64, false),
        OP(cmpsd3, 64, false), OP(cmpsd4, 64, false), OP(cmpsd5, 64, false),
        OP(cmpsd6, 64, false), OP(cmpsd7, 64, false),
    };
    run_table(ops, ARRAY_SIZE(ops));
}

static void test_float_conversions_match_host_sse(void **state)
{
    static const SseCase ops[] = {
        OP(cvtss2sd, 32, true), OP(cvtsd2ss, 64, true),
    };
    run_table(ops, ARRAY_SIZE(ops));
}

static void test_integer_conversions_match_host_sse(void **state)
{
    static const SseCase ops[] = {
        OP(cvtss2si32, 32, true), OP(cvtss2si64, 32, true),
        OP(cvttss2si32, 32, true), OP(cvttss2si64, 32, true),
        OP(cvtsd2si32, 64, true), OP(cvtsd2si64, 64, true),
        OP(cvttsd2si32, 64, true), OP(cvttsd2si64, 64, true),
        { "cvtsi2ss32", hw_cvtsi2ss32, lib_cvtsi2ss32, 32, true, true },
        { "cvtsi2ss64", hw_cvtsi2ss64, lib_cvtsi2ss64, 64, true, true },
        { "cvtsi2sd32", hw_cvtsi2sd32, lib_cvtsi2sd32, 32, true, true },
        { "cvtsi2sd64", hw_cvtsi2sd64, lib_cvtsi2sd64, 64, true, true },
    };
    run_table(ops, ARRAY_SIZE(ops));
}

static void test_roundss_roundsd_match_host_sse41(void **state)
{
    static const SseCase ops[] = {
        OP(roundss_cur, 32, true), OP(roundss_cur_nope, 32, true),
        OP(roundsd_cur, 64, true), OP(roundsd_cur_nope, 64, true),
    };
    if (!__builtin_cpu_supports("sse4.1")) {
        skip();
    }
    run_table(ops, ARRAY_SIZE(ops));
}

/* ---- unmasked exceptions: the host faults, SIGFPE brings us back ---- */

static sigjmp_buf fpe_jump;
static volatile uint32_t fpe_mxcsr;

static void on_sigfpe(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    (void)sig;
    (void)si;
    fpe_mxcsr = uc->uc_mcontext.fpregs->mxcsr;
    siglongjmp(fpe_jump, 1);
}

/* Runs hw; *faulted tells whether it raised #XM, then MXCSR at the fault. */
static uint32_t hw_maybe_faulting(SseOp hw, uint32_t mxcsr, uint64_t a,
                                  uint64_t b, uint64_t *r, bool *faulted)
{
    uint32_t saved;

    asm volatile("stmxcsr %0" : "=m"(saved));
    if (sigsetjmp(fpe_jump, 1)) {
        asm volatile("ldmxcsr %0" : : "m"(saved));
        *faulted = true;
        return fpe_mxcsr;
    }
    *faulted = false;
    return hw(mxcsr, a, b, r);
}

/*
 * The model of SDM Vol.1 11.5.2: an unmasked IE/DE/ZE stops the
 * instruction before it computes, so MXCSR gets only those flags;
 * otherwise every flag the operation raised is recorded.
 */
static void check_unmasked(const SseCase *op, uint32_t mxcsr, uint64_t a,
                           uint64_t b)
{
    const uint32_t pre = SF_FLAG_INVALID | SF_FLAG_DENORMAL |
                         SF_FLAG_DIVBYZERO;
    uint64_t hr = 0, lr = 0;
    bool faulted;
    uint32_t hmx = hw_maybe_faulting(op->hw, mxcsr, a, b, &hr, &faulted);
    uint32_t lmx = op->lib(mxcsr, a, b, &lr);
    uint32_t flags = lmx & SF_FLAG_ALL, mask = (mxcsr >> 7) & SF_FLAG_ALL;
    bool lfault = flags & ~mask;

    if (flags & ~mask & pre) {
        flags &= pre;
    }
    if (faulted == lfault &&
        (faulted ? (hmx & SF_FLAG_ALL) == flags : (hr == lr && hmx == lmx))) {
        return;
    }
    if (mismatches++ < MAX_REPORTS) {
        printf("%s unmasked mxcsr=%04x a=%016" PRIx64 " b=%016" PRIx64
               "\n  hw: fault=%d mxcsr=%04x r=%016" PRIx64
               "\n lib: fault=%d flags=%02x r=%016" PRIx64 "\n",
               op->name, mxcsr, a, b, faulted, hmx, hr, lfault, flags, lr);
    }
}

static void test_unmasked_exceptions_fault_like_host_sse(void **state)
{
    static const SseCase ops[] = {
        OP(addss, 32, false), OP(mulss, 32, false), OP(divss, 32, false),
        OP(sqrtss, 32, true), OP(addsd, 64, false), OP(mulsd, 64, false),
        OP(divsd, 64, false), OP(cvtsd2ss, 64, true), OP(minsd, 64, false),
        OP(comiss, 32, false), OP(cvtss2si32, 32, true),
        OP(roundsd_cur, 64, true),
    };
    struct sigaction sa, old;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_sigfpe;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGFPE, &sa, &old);
    for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
        const SseCase *op = &ops[i];
        size_t n = op->bits == 32 ? ARRAY_SIZE(edges32) : ARRAY_SIZE(edges64);
        mismatches = 0;
        for (size_t k = 0; k < n * n; k++) {
            uint32_t mx = (random_mxcsr() & ~0x1f80u) |
                          (uint32_t)((rnd() & 0x3f) << 7);
            check_unmasked(op, mx, edge(op->bits, k % n), edge(op->bits, k / n));
        }
        for (int k = 0; k < random_cases / 4; k++) {
            uint32_t mx = (random_mxcsr() & ~0x1f80u) |
                          (uint32_t)((rnd() & 0x3f) << 7);
            check_unmasked(op, mx, random_bits(op->bits), random_bits(op->bits));
        }
        if (mismatches) {
            printf("%s unmasked: %d unexplained mismatches\n", op->name,
                   mismatches);
        }
        assert_int_equal(mismatches, 0);
    }
    sigaction(SIGFPE, &old, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_float32_arithmetic_matches_host_sse),
        cmocka_unit_test(test_float64_arithmetic_matches_host_sse),
        cmocka_unit_test(test_min_max_return_second_operand_like_host),
        cmocka_unit_test(test_comis_and_ucomis_match_host_sse),
        cmocka_unit_test(test_cmpss_cmpsd_predicates_match_host_sse),
        cmocka_unit_test(test_float_conversions_match_host_sse),
        cmocka_unit_test(test_integer_conversions_match_host_sse),
        cmocka_unit_test(test_roundss_roundsd_match_host_sse41),
        cmocka_unit_test(test_unmasked_exceptions_fault_like_host_sse),
    };
    random_cases = long_run() ? 3000000 : 30000;
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else

int main(void)
{
    printf("test-softfloat-sse: needs an x86-64 host as the oracle\n");
    return 77;
}

#endif
