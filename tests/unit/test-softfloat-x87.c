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
#include "test-util.h"

#if defined(__x86_64__)

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
    /* Half an ulp of 1.0 at 24/53/64 bits, and just above/below it, */
    { 0x8000000000000000ull, 0x3fff - 24 },
    { 0x8000000000000000ull, 0x3fff - 53 },
    { 0x8000000000000000ull, 0x3fff - 64 },
    { 0x8000000200000000ull, 0x3fff - 24 },
    { 0xFFFFFFFFFFFFFFFFull, 0x3fff - 25 },
    { 0x8000000000000800ull, 0xbfff - 53 },
    /* and 1.0 plus one ulp at each precision, so that ties go both ways. */
    { 0x8000010000000000ull, 0x3fff }, { 0x8000000000000800ull, 0x3fff },
    { 0x8000000000000001ull, 0xbfff }, { 0x8000018000000000ull, 0x3fff },
};

/* Exponents where f32/f64 stores and integer stores change behaviour. */
static const int boundaries[] = {
    127, 128, -126, -127, -149, -150, 1023, 1024, -1022, -1023, -1074, -1075,
    14, 15, 16, 30, 31, 32, 62, 63, 64, -1, 0, 59, 60,
};

/* A random operand, biased towards the interesting exponent ranges. */
static floatx80 random_x80(void)
{
    uint64_t r = rnd(), m = rnd();
    uint16_t sign = (r & 1) ? 0x8000 : 0;
    uint16_t e;

    switch ((r >> 1) & 7) {
    case 0: e = (r >> 8) & 0x7fff; break;
    case 4: e = 0x3fff + boundaries[(r >> 8) % ARRAY_SIZE(boundaries)] +
                (int)((r >> 16) % 5) - 2; break;
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

/* Memory operands of FLD m32/m64 and FILD: edge and random bit patterns. */
static const uint64_t mem_edges64[] = {
    0, 1ull << 63, 0x3ff0000000000000ull, 0x7ff0000000000000ull,
    0xfff0000000000000ull, 0x7ff8000000000000ull, 0x7ff0000000000001ull,
    0xfff4000000000123ull, 0x0000000000000001ull, 0x800fffffffffffffull,
    0x0010000000000000ull, 0x7fefffffffffffffull, 0x7fffffffffffffffull,
    0x8000000000000001ull, 0xffffffffffffffffull, 0x7ff7ffffffffffffull,
};
static const uint32_t mem_edges32[] = {
    0, 0x80000000u, 0x3f800000u, 0x7f800000u, 0xff800000u, 0x7fc00000u,
    0x7f800001u, 0xffa00123u, 1, 0x807fffffu, 0x00800000u, 0x7f7fffffu,
    0x7fffffffu, 0x80000001u, 0xffffffffu, 0x7fbfffffu, 0x8000u, 0x7fffu,
};

static floatx80 mem_edge(int bits, size_t i)
{
    uint64_t v = bits == 64 ? mem_edges64[i % ARRAY_SIZE(mem_edges64)]
                            : mem_edges32[i % ARRAY_SIZE(mem_edges32)];
    if (bits == 16) {
        v &= 0xffff;
    }
    return (floatx80){ .mant = v, .sexp = 0 };
}

static floatx80 random_mem(int bits)
{
    uint64_t r = rnd(), v = rnd();
    if (bits == 32 && (r & 3) == 0) {
        v = (v & 0x807fffffu) | ((r & 1) ? 0x7f800000u : 0);
    } else if (bits == 64 && (r & 3) == 0) {
        v = (v & 0x800fffffffffffffull) | ((r & 1) ? 0x7ff0000000000000ull : 0);
    }
    if (bits < 64) {
        v &= (1ull << bits) - 1;
    }
    return (floatx80){ .mant = v, .sexp = 0 };
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
    0x0367, 0x0357, 0x017f, 0x057f,
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
HW_X87_UNARY(ftst, "ftst")
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

static uint16_t lib_ftst(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r)
{
    SoftFloatStatus st;
    uint16_t cc;
    (void)b;
    softfloat_status_from_fpuc(&st, cw);
    *r = a;
    cc = relation_cc(floatx80_compare(&st, a, (floatx80){ 0, 0 }));
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

/*
 * Conversions use the same signature: integer and m32/m64 results come
 * back in r->mant, m32/m64 operands go in a.mant.
 */
#define HW_X87_STORE(name, insn)                                            \
static uint16_t hw_##name(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r) \
{                                                                           \
    uint16_t sw;                                                            \
    uint64_t out = 0;                                                       \
    (void)b;                                                                \
    asm volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\t"                   \
                 insn " %[out]\n\tfnstsw %[sw]\n\tfnclex\n\tfninit"         \
                 : [out] "+m"(out), [sw] "=m"(sw)                           \
                 : [cw] "m"(cw), [a] "m"(a) : X87_CLOBBERS);                 \
    *r = (floatx80){ .mant = out, .sexp = 0 };                              \
    return sw;                                                              \
}

HW_X87_STORE(fist16, "fistps")
HW_X87_STORE(fist32, "fistpl")
HW_X87_STORE(fist64, "fistpll")
HW_X87_STORE(fisttp16, "fisttps")
HW_X87_STORE(fisttp32, "fisttpl")
HW_X87_STORE(fisttp64, "fisttpll")
HW_X87_STORE(fst32, "fstps")
HW_X87_STORE(fst64, "fstpl")

#define HW_X87_LOAD(name, insn)                                             \
static uint16_t hw_##name(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r) \
{                                                                           \
    uint16_t sw;                                                            \
    (void)b;                                                                \
    asm volatile("fninit\n\tfldcw %[cw]\n\t" insn " %[a]\n\t"               \
                 "fnstsw %[sw]\n\tfnclex\n\tfstpt %[r]\n\tfninit"           \
                 : [r] "=m"(*r), [sw] "=m"(sw)                              \
                 : [cw] "m"(cw), [a] "m"(a.mant) : X87_CLOBBERS);            \
    return sw;                                                              \
}

HW_X87_LOAD(fld32, "flds")
HW_X87_LOAD(fld64, "fldl")
HW_X87_LOAD(fild16, "filds")
HW_X87_LOAD(fild32, "fildl")
HW_X87_LOAD(fild64, "fildll")

#define LIB_STORE(name, type, fn)                                           \
static uint16_t lib_##name(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r) \
{                                                                           \
    SoftFloatStatus st;                                                     \
    (void)b;                                                                \
    softfloat_status_from_fpuc(&st, cw);                                    \
    *r = (floatx80){ .mant = (type)fn(&st, a), .sexp = 0 };                 \
    return lib_flags(&st);                                                  \
}

LIB_STORE(fist16, uint16_t, floatx80_to_int16)
LIB_STORE(fist32, uint32_t, floatx80_to_int32)
LIB_STORE(fist64, uint64_t, floatx80_to_int64)
LIB_STORE(fisttp16, uint16_t, floatx80_to_int16_round_to_zero)
LIB_STORE(fisttp32, uint32_t, floatx80_to_int32_round_to_zero)
LIB_STORE(fisttp64, uint64_t, floatx80_to_int64_round_to_zero)
LIB_STORE(fst32, uint32_t, floatx80_to_float32)
LIB_STORE(fst64, uint64_t, floatx80_to_float64)

static uint16_t lib_fld32(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r)
{
    SoftFloatStatus st;
    (void)b;
    softfloat_status_from_fpuc(&st, cw);
    *r = float32_to_floatx80(&st, (float32)a.mant);
    return lib_flags(&st);
}

static uint16_t lib_fld64(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r)
{
    SoftFloatStatus st;
    (void)b;
    softfloat_status_from_fpuc(&st, cw);
    *r = float64_to_floatx80(&st, a.mant);
    return lib_flags(&st);
}

static uint16_t lib_fild16(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r)
{
    (void)cw;
    (void)b;
    *r = int16_to_floatx80((int16_t)a.mant);
    return 0;
}

static uint16_t lib_fild32(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r)
{
    (void)cw;
    (void)b;
    *r = int32_to_floatx80((int32_t)a.mant);
    return 0;
}

static uint16_t lib_fild64(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r)
{
    (void)cw;
    (void)b;
    *r = int64_to_floatx80((int64_t)a.mant);
    return 0;
}

static uint16_t hw_fxtract_sig(uint16_t cw, floatx80 a, floatx80 b,
                               floatx80 *r)
{
    uint16_t sw;
    floatx80 e;
    (void)b;
    asm volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\tfxtract\n\t"
                 "fnstsw %[sw]\n\tfnclex\n\tfstpt %[r]\n\tfstpt %[e]\n\tfninit"
                 : [r] "=m"(*r), [e] "=m"(e), [sw] "=m"(sw)
                 : [cw] "m"(cw), [a] "m"(a) : X87_CLOBBERS);
    return sw;
}

static uint16_t hw_fxtract_exp(uint16_t cw, floatx80 a, floatx80 b,
                               floatx80 *r)
{
    floatx80 sig;
    uint16_t sw = hw_fxtract_sig(cw, a, b, &sig);
    asm volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\tfxtract\n\t"
                 "fnclex\n\tfstpt %[s]\n\tfstpt %[r]\n\tfninit"
                 : [r] "=m"(*r), [s] "=m"(sig)
                 : [cw] "m"(cw), [a] "m"(a) : X87_CLOBBERS);
    return sw;
}

static uint16_t lib_fxtract_sig(uint16_t cw, floatx80 a, floatx80 b,
                                floatx80 *r)
{
    SoftFloatStatus st;
    floatx80 e;
    (void)b;
    softfloat_status_from_fpuc(&st, cw);
    *r = floatx80_extract(&st, a, &e);
    return lib_flags(&st);
}

static uint16_t lib_fxtract_exp(uint16_t cw, floatx80 a, floatx80 b,
                                floatx80 *r)
{
    SoftFloatStatus st;
    (void)b;
    softfloat_status_from_fpuc(&st, cw);
    floatx80_extract(&st, a, r);
    return lib_flags(&st);
}

/* FBSTP writes 10 bytes: exactly the mant and sexp fields of *r. */
static uint16_t hw_fbstp(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r)
{
    uint16_t sw;
    (void)b;
    *r = (floatx80){ 0, 0 };
    asm volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\tfbstp %[r]\n\t"
                 "fnstsw %[sw]\n\tfnclex\n\tfninit"
                 : [r] "+m"(*r), [sw] "=m"(sw)
                 : [cw] "m"(cw), [a] "m"(a) : X87_CLOBBERS);
    return sw;
}

static uint16_t lib_fbstp(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r)
{
    SoftFloatStatus st;
    uint8_t bcd[10];
    (void)b;
    softfloat_status_from_fpuc(&st, cw);
    floatx80_to_bcd(&st, a, bcd);
    memcpy(&r->mant, bcd, 8);
    memcpy(&r->sexp, bcd + 8, 2);
    return lib_flags(&st);
}

static uint16_t hw_fbld(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r)
{
    uint16_t sw;
    (void)b;
    asm volatile("fninit\n\tfldcw %[cw]\n\tfbld %[a]\n\t"
                 "fnstsw %[sw]\n\tfnclex\n\tfstpt %[r]\n\tfninit"
                 : [r] "=m"(*r), [sw] "=m"(sw)
                 : [cw] "m"(cw), [a] "m"(a) : X87_CLOBBERS);
    return sw;
}

static uint16_t lib_fbld(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r)
{
    uint8_t bcd[10];
    (void)cw;
    (void)b;
    memcpy(bcd, &a.mant, 8);
    memcpy(bcd + 8, &a.sexp, 2);
    *r = bcd_to_floatx80(bcd);
    return 0;
}

/* ST(0) op m32/m64: a is ST(0), b.mant the memory operand. */
#define HW_X87_MEMOP(name, insn)                                            \
static uint16_t hw_##name(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r) \
{                                                                           \
    uint16_t sw;                                                            \
    asm volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\t" insn " %[b]\n\t"  \
                 "fnstsw %[sw]\n\tfnclex\n\tfstpt %[r]\n\tfninit"           \
                 : [r] "=m"(*r), [sw] "=m"(sw)                              \
                 : [cw] "m"(cw), [a] "m"(a), [b] "m"(b.mant) : X87_CLOBBERS);\
    return sw;                                                              \
}

HW_X87_MEMOP(fadd_m32, "fadds")
HW_X87_MEMOP(fmul_m64, "fmull")
HW_X87_MEMOP(fdivr_m32, "fdivrs")
HW_X87_MEMOP(fcom_m64, "fcoml")

#define LIB_MEMOP(name, type, expr)                                         \
static uint16_t lib_##name(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r) \
{                                                                           \
    SoftFloatStatus st;                                                     \
    type m = (type)b.mant;                                                  \
    uint16_t cc = 0;                                                        \
    softfloat_status_from_fpuc(&st, cw);                                    \
    *r = a;                                                                 \
    expr;                                                                   \
    return lib_flags(&st) | cc;                                             \
}

LIB_MEMOP(fadd_m32, float32, *r = floatx80_arith_f32(&st, SF_OP_ADD, a, m))
LIB_MEMOP(fmul_m64, float64, *r = floatx80_arith_f64(&st, SF_OP_MUL, a, m))
LIB_MEMOP(fdivr_m32, float32, *r = floatx80_arith_f32(&st, SF_OP_DIVR, a, m))
LIB_MEMOP(fcom_m64, float64,
          cc = relation_cc(floatx80_compare_f64(&st, a, m, true)))

/* FXAM's condition bits, and the tag FNSTENV reports for the register. */
static uint16_t hw_fxam(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r)
{
    uint16_t sw;
    uint8_t env[28];
    (void)b;
    asm volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\tfxam\n\t"
                 "fnstsw %[sw]\n\tfnstenv %[env]\n\tfninit"
                 : [sw] "=m"(sw), [env] "=m"(env)
                 : [cw] "m"(cw), [a] "m"(a) : X87_CLOBBERS);
    /* TOP is 7 after one load: physical register 7, tag bits 15:14. */
    *r = (floatx80){ .mant = (uint64_t)((env[9] >> 6) & 3), .sexp = 0 };
    return sw;
}

static uint16_t lib_fxam(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r)
{
    (void)cw;
    (void)b;
    *r = (floatx80){ .mant = (uint64_t)floatx80_tag(a), .sexp = 0 };
    return floatx80_examine(a, false);
}

/* ---- the comparison driver ---- */

typedef uint16_t (*X87Op)(uint16_t cw, floatx80 a, floatx80 b, floatx80 *r);

typedef struct OpCase {
    const char *name;
    X87Op hw, lib;
    uint16_t sw_mask;       /* status bits that must agree */
    bool unary;
    bool compare_result;
    int mem_bits;           /* 16/32/64: a is a memory value; negative: b */
    bool store;             /* memory destination: unmasked O/U store nothing */
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
    bool stopped;

    if (op->store) {
        pre |= SF_FLAG_OVERFLOW | SF_FLAG_UNDERFLOW;
    }
    stopped = hsw & ~cw & pre;
    bool same_result = !op->compare_result || stopped ||
                       (hr.mant == lr.mant && hr.sexp == lr.sexp);

    if (stopped) {
        /* An unmasked pre-computation exception leaves ST unchanged. */
        uint16_t keep = pre;
        if (op->store && !(hsw & ~cw & SF_FLAG_INVALID)) {
            keep |= SF_FLAG_INEXACT;   /* O/U on a store: PE still told */
        }
        hsw &= keep;
        lsw &= keep;
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
                floatx80 a = op->mem_bits > 0 ? mem_edge(op->mem_bits, i)
                                              : edges[i];
                floatx80 b = op->mem_bits < 0 ? mem_edge(-op->mem_bits, j)
                                              : edges[j];
                check_case(op, edge_cws[c], a, b);
            }
        }
    }
    for (int k = 0; k < random_cases; k++) {
        floatx80 a = op->mem_bits > 0 ? random_mem(op->mem_bits)
                                      : random_x80();
        floatx80 b = op->mem_bits < 0 ? random_mem(-op->mem_bits)
                                      : random_x80();
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

static void test_fcom_fucom_ftst_match_host_x87(void **state)
{
    OpCase op = { "fcom", hw_fcom, lib_fcom, CMP_SW, false, false };
    OpCase opu = { "fucom", hw_fucom, lib_fucom, CMP_SW, false, false };
    OpCase opt = { "ftst", hw_ftst, lib_ftst, CMP_SW, true, false };
    run_op(&op);
    run_op(&opu);
    run_op(&opt);
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

#define CONV_SW (SF_FLAG_ALL | FSW_C1)

static void test_fist_and_fisttp_match_host_x87(void **state)
{
    static const OpCase ops[] = {
        { "fist16", hw_fist16, lib_fist16, CONV_SW, true, true, 0 },
        { "fist32", hw_fist32, lib_fist32, CONV_SW, true, true, 0 },
        { "fist64", hw_fist64, lib_fist64, CONV_SW, true, true, 0 },
        { "fisttp16", hw_fisttp16, lib_fisttp16, CONV_SW, true, true, 0 },
        { "fisttp32", hw_fisttp32, lib_fisttp32, CONV_SW, true, true, 0 },
        { "fisttp64", hw_fisttp64, lib_fisttp64, CONV_SW, true, true, 0 },
    };
    for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
        run_op(&ops[i]);
    }
}

static void test_fst_m32_m64_match_host_x87(void **state)
{
    OpCase op32 = { "fst32", hw_fst32, lib_fst32, CONV_SW, true, true, 0,
                    true };
    OpCase op64 = { "fst64", hw_fst64, lib_fst64, CONV_SW, true, true, 0,
                    true };
    run_op(&op32);
    run_op(&op64);
}

static void test_fld_and_fild_match_host_x87(void **state)
{
    static const OpCase ops[] = {
        { "fld32", hw_fld32, lib_fld32, CONV_SW, true, true, 32 },
        { "fld64", hw_fld64, lib_fld64, CONV_SW, true, true, 64 },
        { "fild16", hw_fild16, lib_fild16, CONV_SW, true, true, 16 },
        { "fild32", hw_fild32, lib_fild32, CONV_SW, true, true, 32 },
        { "fild64", hw_fild64, lib_fild64, CONV_SW, true, true, 64 },
    };
    for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
        run_op(&ops[i]);
    }
}

static void test_fxtract_matches_host_x87(void **state)
{
    OpCase ops = { "fxtract.sig", hw_fxtract_sig, lib_fxtract_sig, ARITH_SW,
                   true, true };
    OpCase ope = { "fxtract.exp", hw_fxtract_exp, lib_fxtract_exp, ARITH_SW,
                   true, true };
    run_op(&ops);
    run_op(&ope);
}

static void test_fbstp_matches_host_x87(void **state)
{
    OpCase op = { "fbstp", hw_fbstp, lib_fbstp, CONV_SW, true, true, 0, true };
    run_op(&op);
}

static void test_fbld_of_any_bcd_bytes_matches_host_x87(void **state)
{
    int n = random_cases / 4;

    mismatches = 0;
    for (int k = 0; k < n; k++) {
        uint64_t r = rnd();
        floatx80 a = { 0, (r & 1) ? 0x8000 : 0 };
        int digits = (int)((r >> 1) % 19);
        for (int d = 0; d < digits; d++) {
            uint64_t digit = (rnd() >> 20) % 10;
            if (d < 16) {
                a.mant |= digit << (4 * d);
            } else {
                a.sexp |= (uint16_t)(digit << (4 * (d - 16)));
            }
        }
        if (r & (1ull << 40)) {
            /* Any bytes: non-decimal nibbles, the unused bits of byte 9. */
            a.mant = rnd();
            a.sexp = (uint16_t)rnd();
        }
        OpCase op = { "fbld", hw_fbld, lib_fbld, CONV_SW, true, true };
        check_case(&op, 0x037f, a, a);
    }
    assert_int_equal(mismatches, 0);
}

static void test_arithmetic_with_m32_m64_operand_matches_host_x87(void **state)
{
    static const OpCase ops[] = {
        { "fadd m32", hw_fadd_m32, lib_fadd_m32, ARITH_SW, false, true, -32 },
        { "fmul m64", hw_fmul_m64, lib_fmul_m64, ARITH_SW, false, true, -64 },
        { "fdivr m32", hw_fdivr_m32, lib_fdivr_m32, ARITH_SW, false, true,
          -32 },
        { "fcom m64", hw_fcom_m64, lib_fcom_m64, CMP_SW | FSW_C1, false,
          false, -64 },
    };
    for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
        run_op(&ops[i]);
    }
}

static void test_fxam_and_tags_match_host_x87(void **state)
{
    OpCase op = { "fxam", hw_fxam, lib_fxam, CMP_SW | FSW_C1, true, true };
    uint16_t sw;

    run_op(&op);
    asm volatile("fninit\n\tfxam\n\tfnstsw %[sw]" : [sw] "=m"(sw)
                 : : X87_CLOBBERS);
    assert_int_equal(sw & FSW_CC, floatx80_examine(edges[0], true));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fadd_matches_host_x87),
        cmocka_unit_test(test_fsub_matches_host_x87),
        cmocka_unit_test(test_fmul_matches_host_x87),
        cmocka_unit_test(test_fdiv_matches_host_x87),
        cmocka_unit_test(test_fsqrt_matches_host_x87),
        cmocka_unit_test(test_fcom_fucom_ftst_match_host_x87),
        cmocka_unit_test(test_frndint_matches_host_x87),
        cmocka_unit_test(test_fprem_and_fprem1_match_host_x87),
        cmocka_unit_test(test_fscale_matches_host_x87),
        cmocka_unit_test(test_fist_and_fisttp_match_host_x87),
        cmocka_unit_test(test_fst_m32_m64_match_host_x87),
        cmocka_unit_test(test_fld_and_fild_match_host_x87),
        cmocka_unit_test(test_fxtract_matches_host_x87),
        cmocka_unit_test(test_fbstp_matches_host_x87),
        cmocka_unit_test(test_fbld_of_any_bcd_bytes_matches_host_x87),
        cmocka_unit_test(test_arithmetic_with_m32_m64_operand_matches_host_x87),
        cmocka_unit_test(test_fxam_and_tags_match_host_x87),
    };
    random_cases = long_run() ? 5000000 : 50000;
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else

int main(void)
{
    printf("test-softfloat-x87: needs an x86-64 host as the oracle\n");
    return 77;
}

#endif
