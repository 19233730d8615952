/*
 * softfloat-sse.c: the float32/float64 entry points of softfloat.h, i.e.
 * the scalar arithmetic behind SSE/SSE2 (ADDSS..SQRTSD, MINSS/MAXSS,
 * COMISS/UCOMISS, the CVT* family, SSE4.1 ROUNDSS/ROUNDSD). Packed forms
 * are the same operation per lane. MXCSR rules apply: DAZ reads denormal
 * inputs as zero, FTZ flushes masked underflows to zero, a NaN in the
 * first operand wins, and invalid operations give the default QNaN
 * (SDM Vol.1 10.2.3 and 11.5.2). The core is softfloat.c.
 */
#include "vireo/common.h"
#include "target-x86/softfloat-internal.h"

#define F32 &sf_fmt_f32
#define F64 &sf_fmt_f64

float32 float32_add(SoftFloatStatus *st, float32 a, float32 b)
{
    return sf_pack_f32(sf_add(st, F32, sf_unpack_f32(st, a),
                              sf_unpack_f32(st, b), false));
}

float32 float32_sub(SoftFloatStatus *st, float32 a, float32 b)
{
    return sf_pack_f32(sf_add(st, F32, sf_unpack_f32(st, a),
                              sf_unpack_f32(st, b), true));
}

float32 float32_mul(SoftFloatStatus *st, float32 a, float32 b)
{
    return sf_pack_f32(sf_mul(st, F32, sf_unpack_f32(st, a),
                              sf_unpack_f32(st, b)));
}

float32 float32_div(SoftFloatStatus *st, float32 a, float32 b)
{
    return sf_pack_f32(sf_div(st, F32, sf_unpack_f32(st, a),
                              sf_unpack_f32(st, b)));
}

float32 float32_sqrt(SoftFloatStatus *st, float32 a)
{
    return sf_pack_f32(sf_sqrt(st, F32, sf_unpack_f32(st, a)));
}

float64 float64_add(SoftFloatStatus *st, float64 a, float64 b)
{
    return sf_pack_f64(sf_add(st, F64, sf_unpack_f64(st, a),
                              sf_unpack_f64(st, b), false));
}

float64 float64_sub(SoftFloatStatus *st, float64 a, float64 b)
{
    return sf_pack_f64(sf_add(st, F64, sf_unpack_f64(st, a),
                              sf_unpack_f64(st, b), true));
}

float64 float64_mul(SoftFloatStatus *st, float64 a, float64 b)
{
    return sf_pack_f64(sf_mul(st, F64, sf_unpack_f64(st, a),
                              sf_unpack_f64(st, b)));
}

float64 float64_div(SoftFloatStatus *st, float64 a, float64 b)
{
    return sf_pack_f64(sf_div(st, F64, sf_unpack_f64(st, a),
                              sf_unpack_f64(st, b)));
}

float64 float64_sqrt(SoftFloatStatus *st, float64 a)
{
    return sf_pack_f64(sf_sqrt(st, F64, sf_unpack_f64(st, a)));
}

/*
 * MINSS/MAXSS (SDM Vol.2): any NaN raises IE and gives the second operand
 * unchanged, as does a tie (so min(+0, -0) is -0 and min(-0, +0) is +0).
 * Returns true when a is the result.
 */
static bool pick_first(SoftFloatStatus *st, SfUnpacked a, SfUnpacked b,
                       bool want_less)
{
    SfRelation rel;
    SoftFloatStatus quiet = *st;

    if (a.cls == SF_QNAN || a.cls == SF_SNAN ||
        b.cls == SF_QNAN || b.cls == SF_SNAN) {
        st->flags |= SF_FLAG_INVALID;
        return false;
    }
    rel = sf_compare(&quiet, F32, a, b, false);
    st->flags |= quiet.flags;
    return want_less ? rel == SF_LESS : rel == SF_GREATER;
}

/* The operand as the unit sees it: DAZ turns denormals into signed zero. */
static float32 daz32(const SoftFloatStatus *st, float32 a)
{
    return (st->daz && (a & 0x7f800000u) == 0) ? a & 0x80000000u : a;
}

static float64 daz64(const SoftFloatStatus *st, float64 a)
{
    return (st->daz && (a & 0x7ff0000000000000ull) == 0) ? a & (1ull << 63)
                                                         : a;
}

float32 float32_min(SoftFloatStatus *st, float32 a, float32 b)
{
    return pick_first(st, sf_unpack_f32(st, a), sf_unpack_f32(st, b), true)
           ? daz32(st, a) : daz32(st, b);
}

float32 float32_max(SoftFloatStatus *st, float32 a, float32 b)
{
    return pick_first(st, sf_unpack_f32(st, a), sf_unpack_f32(st, b), false)
           ? daz32(st, a) : daz32(st, b);
}

float64 float64_min(SoftFloatStatus *st, float64 a, float64 b)
{
    return pick_first(st, sf_unpack_f64(st, a), sf_unpack_f64(st, b), true)
           ? daz64(st, a) : daz64(st, b);
}

float64 float64_max(SoftFloatStatus *st, float64 a, float64 b)
{
    return pick_first(st, sf_unpack_f64(st, a), sf_unpack_f64(st, b), false)
           ? daz64(st, a) : daz64(st, b);
}

SfRelation float32_compare(SoftFloatStatus *st, float32 a, float32 b)
{
    return sf_compare(st, F32, sf_unpack_f32(st, a), sf_unpack_f32(st, b),
                      true);
}

SfRelation float32_compare_quiet(SoftFloatStatus *st, float32 a, float32 b)
{
    return sf_compare(st, F32, sf_unpack_f32(st, a), sf_unpack_f32(st, b),
                      false);
}

SfRelation float64_compare(SoftFloatStatus *st, float64 a, float64 b)
{
    return sf_compare(st, F64, sf_unpack_f64(st, a), sf_unpack_f64(st, b),
                      true);
}

SfRelation float64_compare_quiet(SoftFloatStatus *st, float64 a, float64 b)
{
    return sf_compare(st, F64, sf_unpack_f64(st, a), sf_unpack_f64(st, b),
                      false);
}

static bool predicate(SoftFloatStatus *st, SfUnpacked a, SfUnpacked b,
                      int imm)
{
    /* LT, LE and their negations signal on QNaN too. */
    bool signalling = (imm & 3) == 1 || (imm & 3) == 2;
    SfRelation rel = sf_compare(st, F32, a, b, signalling);
    bool holds;

    switch (imm & 3) {
    case 0:
        holds = rel == SF_EQUAL;
        break;
    case 1:
        holds = rel == SF_LESS;
        break;
    case 2:
        holds = rel == SF_LESS || rel == SF_EQUAL;
        break;
    default:
        holds = rel == SF_UNORDERED;
        break;
    }
    return (imm & 4) ? !holds : holds;
}

bool float32_compare_predicate(SoftFloatStatus *st, float32 a, float32 b,
                               int imm)
{
    return predicate(st, sf_unpack_f32(st, a), sf_unpack_f32(st, b), imm);
}

bool float64_compare_predicate(SoftFloatStatus *st, float64 a, float64 b,
                               int imm)
{
    return predicate(st, sf_unpack_f64(st, a), sf_unpack_f64(st, b), imm);
}

/* CVTSS2SD/CVTSD2SS: one rounding to format f. */
static SfPacked convert(SoftFloatStatus *st, const SfFormat *f, SfUnpacked u)
{
    SfPacked r;

    if (sf_pick_nan1(st, f, u, &r)) {
        return r;
    }
    if (u.denormal) {
        st->flags |= SF_FLAG_DENORMAL;
    }
    switch (u.cls) {
    case SF_ZERO:
        return sf_make_zero(u.sign);
    case SF_INF:
        return sf_make_inf(f, u.sign);
    default:
        return sf_round_pack(st, f, u.sign, u.exp, (sf_u128)u.sig << 64);
    }
}

float64 float32_to_float64(SoftFloatStatus *st, float32 a)
{
    return sf_pack_f64(convert(st, F64, sf_unpack_f32(st, a)));
}

float32 float64_to_float32(SoftFloatStatus *st, float64 a)
{
    return sf_pack_f32(convert(st, F32, sf_unpack_f64(st, a)));
}

float32 int32_to_float32(SoftFloatStatus *st, int32_t v)
{
    return sf_pack_f32(sf_from_int(st, F32, v));
}

float32 int64_to_float32(SoftFloatStatus *st, int64_t v)
{
    return sf_pack_f32(sf_from_int(st, F32, v));
}

float64 int32_to_float64(SoftFloatStatus *st, int32_t v)
{
    return sf_pack_f64(sf_from_int(st, F64, v));
}

float64 int64_to_float64(SoftFloatStatus *st, int64_t v)
{
    return sf_pack_f64(sf_from_int(st, F64, v));
}

int32_t float32_to_int32(SoftFloatStatus *st, float32 a)
{
    return (int32_t)sf_to_int(st, sf_unpack_f32(st, a), 32, st->rounding);
}

int64_t float32_to_int64(SoftFloatStatus *st, float32 a)
{
    return sf_to_int(st, sf_unpack_f32(st, a), 64, st->rounding);
}

int32_t float64_to_int32(SoftFloatStatus *st, float64 a)
{
    return (int32_t)sf_to_int(st, sf_unpack_f64(st, a), 32, st->rounding);
}

int64_t float64_to_int64(SoftFloatStatus *st, float64 a)
{
    return sf_to_int(st, sf_unpack_f64(st, a), 64, st->rounding);
}

int32_t float32_to_int32_round_to_zero(SoftFloatStatus *st, float32 a)
{
    return (int32_t)sf_to_int(st, sf_unpack_f32(st, a), 32, SF_ROUND_ZERO);
}

int64_t float32_to_int64_round_to_zero(SoftFloatStatus *st, float32 a)
{
    return sf_to_int(st, sf_unpack_f32(st, a), 64, SF_ROUND_ZERO);
}

int32_t float64_to_int32_round_to_zero(SoftFloatStatus *st, float64 a)
{
    return (int32_t)sf_to_int(st, sf_unpack_f64(st, a), 32, SF_ROUND_ZERO);
}

int64_t float64_to_int64_round_to_zero(SoftFloatStatus *st, float64 a)
{
    return sf_to_int(st, sf_unpack_f64(st, a), 64, SF_ROUND_ZERO);
}

/* ROUNDSS/ROUNDSD: SNaN raises IE; no DE (SDM Vol.2 ROUNDSS exceptions). */
static SfPacked round_int(SoftFloatStatus *st, const SfFormat *f, SfUnpacked u,
                          bool suppress_pe)
{
    SfPacked r;

    if (sf_pick_nan1(st, f, u, &r)) {
        return r;
    }
    return sf_round_to_int(st, f, u, st->rounding, !suppress_pe);
}

float32 float32_round_to_int(SoftFloatStatus *st, float32 a, bool suppress_pe)
{
    return sf_pack_f32(round_int(st, F32, sf_unpack_f32(st, a), suppress_pe));
}

float64 float64_round_to_int(SoftFloatStatus *st, float64 a, bool suppress_pe)
{
    return sf_pack_f64(round_int(st, F64, sf_unpack_f64(st, a), suppress_pe));
}
