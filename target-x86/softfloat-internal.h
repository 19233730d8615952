/*
 * softfloat-internal.h: the shared machinery behind softfloat.h. Every
 * operand of every format is first unpacked into SfUnpacked (a class, a
 * sign, an unbounded exponent and a 64-bit significand with the integer bit
 * at bit 63); the arithmetic works on those exactly, keeping extra bits and
 * a sticky bit in a 128-bit significand; sf_round_pack() then rounds once
 * to the destination format described by an SfFormat. Only the files
 * target-x86/softfloat*.c include this header.
 */
#ifndef TARGET_X86_SOFTFLOAT_INTERNAL_H
#define TARGET_X86_SOFTFLOAT_INTERNAL_H

#include "target-x86/softfloat.h"

typedef unsigned __int128 sf_u128;

typedef enum SfClass {
    SF_ZERO,
    SF_NORMAL,      /* any finite nonzero value, denormals included */
    SF_INF,
    SF_QNAN,
    SF_SNAN,
    SF_UNSUPPORTED, /* x87 pseudo-NaN, pseudo-infinity, unnormal */
} SfClass;

typedef struct SfUnpacked {
    SfClass cls;
    bool sign;
    bool denormal;  /* the encoding was a denormal (DE candidate) */
    int32_t exp;    /* value = sig / 2^63 * 2^exp for SF_NORMAL */
    uint64_t sig;   /* bit 63 set for SF_NORMAL; NaN: bit 62 = quiet bit */
} SfUnpacked;

/* A destination format. */
typedef struct SfFormat {
    int32_t emin, emax;     /* unbiased exponents of the normals */
    int32_t bias;
    uint8_t prec;           /* significand bits including the integer bit */
    bool x87;               /* x87 rules: NaN choice, C1, no FTZ */
    bool tiny_after;        /* tininess detected after rounding */
    int32_t wrap;           /* exponent wrap for unmasked O/U, 0 = none */
} SfFormat;

/* A rounded result: biased exponent field and 64-bit significand. */
typedef struct SfPacked {
    bool sign;
    int32_t bexp;           /* 0 for zero/denormal, emax+bias+1 for inf/NaN */
    uint64_t sig;           /* integer bit at 63 for normals */
} SfPacked;

/* SSE formats, and the same formats as x87 memory destinations (FST). */
extern const SfFormat sf_fmt_f32, sf_fmt_f64, sf_fmt_f32_x87, sf_fmt_f64_x87;

static inline int sf_clz128(sf_u128 v)
{
    uint64_t hi = (uint64_t)(v >> 64);
    return hi ? __builtin_clzll(hi) : 64 + __builtin_clzll((uint64_t)v);
}

/* Shift right keeping a sticky bit in bit 0 ("jamming"). */
static inline sf_u128 sf_shr_jam128(sf_u128 v, uint32_t n)
{
    if (n == 0) {
        return v;
    }
    if (n >= 128) {
        return v != 0;
    }
    return (v >> n) | ((v & (((sf_u128)1 << n) - 1)) != 0);
}

/* The x87 format with the precision chosen by st->precision. */
const SfFormat *sf_fmt_x80(const SoftFloatStatus *st);

/* Unpacks one encoding; daz applies to f32/f64 when st->daz. */
SfUnpacked sf_unpack_x80(floatx80 a);
SfUnpacked sf_unpack_f32(const SoftFloatStatus *st, float32 a);
SfUnpacked sf_unpack_f64(const SoftFloatStatus *st, float64 a);

/* Packs an SfPacked into each encoding. */
floatx80 sf_pack_x80(SfPacked p);
float32 sf_pack_f32(SfPacked p);
float64 sf_pack_f64(SfPacked p);

/*
 * Rounds sign * sig / 2^127 * 2^exp (sig != 0, bit 127 set) to format f
 * in st->rounding, raising OE/UE/PE and setting st->c1.
 */
SfPacked sf_round_pack(SoftFloatStatus *st, const SfFormat *f, bool sign,
                       int32_t exp, sf_u128 sig);
/* Normalizes sig / 2^126 * 2^exp (any nonzero sig) and rounds it. */
SfPacked sf_normalize_round_pack(SoftFloatStatus *st, const SfFormat *f,
                                 bool sign, int32_t exp, sf_u128 sig);

/* Builds special results. */
SfPacked sf_make_zero(bool sign);
SfPacked sf_make_inf(const SfFormat *f, bool sign);
SfPacked sf_default_nan(const SfFormat *f);
/* Exact unpacked NaN to packed quiet NaN of format f. */
SfPacked sf_nan_result(const SfFormat *f, SfUnpacked n);

/*
 * NaN and unsupported-operand handling of a two-operand op. Returns true
 * and *res when a or b is a NaN/unsupported, raising IE as the rules of f
 * say (x87: SDM Vol.1 table 4-7 larger significand; SSE: first operand).
 */
bool sf_pick_nan2(SoftFloatStatus *st, const SfFormat *f, SfUnpacked a,
                  SfUnpacked b, SfPacked *res);
/* The same for one operand. */
bool sf_pick_nan1(SoftFloatStatus *st, const SfFormat *f, SfUnpacked a,
                  SfPacked *res);

/* The core operations on unpacked operands. */
SfPacked sf_add(SoftFloatStatus *st, const SfFormat *f, SfUnpacked a,
                SfUnpacked b, bool subtract);
SfPacked sf_mul(SoftFloatStatus *st, const SfFormat *f, SfUnpacked a,
                SfUnpacked b);
SfPacked sf_div(SoftFloatStatus *st, const SfFormat *f, SfUnpacked a,
                SfUnpacked b);
SfPacked sf_sqrt(SoftFloatStatus *st, const SfFormat *f, SfUnpacked a);
SfRelation sf_compare(SoftFloatStatus *st, const SfFormat *f, SfUnpacked a,
                      SfUnpacked b, bool signalling);
/* Rounds a finite value to an integral value (result in format f). */
SfPacked sf_round_to_int(SoftFloatStatus *st, const SfFormat *f, SfUnpacked a,
                         uint8_t rounding, bool raise_pe);
/*
 * Converts to a signed integer of `bits` bits rounding with `rounding`;
 * returns the integer indefinite with IE for NaN/infinity/overflow.
 */
int64_t sf_to_int(SoftFloatStatus *st, SfUnpacked a, int bits,
                  uint8_t rounding);
/* Rounds a signed 64-bit integer to format f. */
SfPacked sf_from_int(SoftFloatStatus *st, const SfFormat *f, int64_t v);

#endif
