/*
 * softfloat-x87.c: the floatx80 entry points of softfloat.h, i.e. the
 * arithmetic of the x87 register stack: FADD..FSQRT under precision and
 * rounding control, FCOM/FUCOM, FRNDINT, FILD/FIST/FISTTP, FLD/FST of the
 * memory formats. The shared core is softfloat.c; FPREM, FSCALE, FXTRACT
 * and BCD live in softfloat-x87-misc.c. SDM Vol.1 chapter 8.
 */
#include "vireo/common.h"
#include "target-x86/softfloat-internal.h"

bool floatx80_is_nan(floatx80 a)
{
    SfUnpacked u = sf_unpack_x80(a);
    return u.cls == SF_QNAN || u.cls == SF_SNAN;
}

bool floatx80_is_signaling_nan(floatx80 a)
{
    return sf_unpack_x80(a).cls == SF_SNAN;
}

bool floatx80_is_unsupported(floatx80 a)
{
    return sf_unpack_x80(a).cls == SF_UNSUPPORTED;
}

uint16_t floatx80_examine(floatx80 a, bool empty)
{
    enum { C0 = 0x0100, C1 = 0x0200, C2 = 0x0400, C3 = 0x4000 };
    SfUnpacked u = sf_unpack_x80(a);
    uint16_t sign = (a.sexp & 0x8000) ? C1 : 0;

    if (empty) {
        return sign | C3 | C0;
    }
    switch (u.cls) {
    case SF_UNSUPPORTED:
        return sign;
    case SF_QNAN:
    case SF_SNAN:
        return sign | C0;
    case SF_INF:
        return sign | C2 | C0;
    case SF_ZERO:
        return sign | C3;
    default:
        return sign | (u.denormal ? C3 | C2 : C2);
    }
}

int floatx80_tag(floatx80 a)
{
    /* SDM Vol.1 8.1.7: only a normal finite value is "valid". */
    SfUnpacked u = sf_unpack_x80(a);

    if (u.cls == SF_ZERO) {
        return 1;
    }
    return (u.cls == SF_NORMAL && !u.denormal) ? 0 : 2;
}

floatx80 floatx80_add(SoftFloatStatus *st, floatx80 a, floatx80 b)
{
    return sf_pack_x80(sf_add(st, sf_fmt_x80(st), sf_unpack_x80(a),
                              sf_unpack_x80(b), false));
}

floatx80 floatx80_sub(SoftFloatStatus *st, floatx80 a, floatx80 b)
{
    return sf_pack_x80(sf_add(st, sf_fmt_x80(st), sf_unpack_x80(a),
                              sf_unpack_x80(b), true));
}

floatx80 floatx80_mul(SoftFloatStatus *st, floatx80 a, floatx80 b)
{
    return sf_pack_x80(sf_mul(st, sf_fmt_x80(st), sf_unpack_x80(a),
                              sf_unpack_x80(b)));
}

floatx80 floatx80_div(SoftFloatStatus *st, floatx80 a, floatx80 b)
{
    return sf_pack_x80(sf_div(st, sf_fmt_x80(st), sf_unpack_x80(a),
                              sf_unpack_x80(b)));
}

floatx80 floatx80_sqrt(SoftFloatStatus *st, floatx80 a)
{
    return sf_pack_x80(sf_sqrt(st, sf_fmt_x80(st), sf_unpack_x80(a)));
}

SfRelation floatx80_compare(SoftFloatStatus *st, floatx80 a, floatx80 b)
{
    return sf_compare(st, sf_fmt_x80(st), sf_unpack_x80(a), sf_unpack_x80(b),
                      true);
}

SfRelation floatx80_compare_quiet(SoftFloatStatus *st, floatx80 a, floatx80 b)
{
    return sf_compare(st, sf_fmt_x80(st), sf_unpack_x80(a), sf_unpack_x80(b),
                      false);
}

floatx80 floatx80_round_to_int(SoftFloatStatus *st, floatx80 a)
{
    /* FRNDINT ignores precision control (checked against the host). */
    SoftFloatStatus full = { .precision = SF_PREC_64 };
    const SfFormat *f = sf_fmt_x80(&full);
    SfUnpacked u = sf_unpack_x80(a);
    SfPacked r;

    if (sf_pick_nan1(st, f, u, &r)) {
        return sf_pack_x80(r);
    }
    if (u.denormal) {
        st->flags |= SF_FLAG_DENORMAL;
    }
    return sf_pack_x80(sf_round_to_int(st, f, u, st->rounding, true));
}

floatx80 int16_to_floatx80(int16_t v)
{
    return int64_to_floatx80(v);
}

floatx80 int32_to_floatx80(int32_t v)
{
    return int64_to_floatx80(v);
}

floatx80 int64_to_floatx80(int64_t v)
{
    SoftFloatStatus st = { .precision = SF_PREC_64, .exc_mask = SF_FLAG_ALL };
    return sf_pack_x80(sf_from_int(&st, sf_fmt_x80(&st), v));
}

int16_t floatx80_to_int16(SoftFloatStatus *st, floatx80 a)
{
    return (int16_t)sf_to_int(st, sf_unpack_x80(a), 16, st->rounding);
}

int32_t floatx80_to_int32(SoftFloatStatus *st, floatx80 a)
{
    return (int32_t)sf_to_int(st, sf_unpack_x80(a), 32, st->rounding);
}

int64_t floatx80_to_int64(SoftFloatStatus *st, floatx80 a)
{
    return sf_to_int(st, sf_unpack_x80(a), 64, st->rounding);
}

int16_t floatx80_to_int16_round_to_zero(SoftFloatStatus *st, floatx80 a)
{
    return (int16_t)sf_to_int(st, sf_unpack_x80(a), 16, SF_ROUND_ZERO);
}

int32_t floatx80_to_int32_round_to_zero(SoftFloatStatus *st, floatx80 a)
{
    return (int32_t)sf_to_int(st, sf_unpack_x80(a), 32, SF_ROUND_ZERO);
}

int64_t floatx80_to_int64_round_to_zero(SoftFloatStatus *st, floatx80 a)
{
    return sf_to_int(st, sf_unpack_x80(a), 64, SF_ROUND_ZERO);
}

/* FLD m32/m64: exact, so only the operand checks can raise flags. */
static floatx80 widen_to_x80(SoftFloatStatus *st, SfUnpacked u)
{
    static const SfFormat exact = { -16382, 16383, 16383, 64, true, true, 0 };
    SfPacked r;

    if (sf_pick_nan1(st, &exact, u, &r)) {
        return sf_pack_x80(r);
    }
    if (u.denormal) {
        st->flags |= SF_FLAG_DENORMAL;
    }
    switch (u.cls) {
    case SF_ZERO:
        return sf_pack_x80(sf_make_zero(u.sign));
    case SF_INF:
        return sf_pack_x80(sf_make_inf(&exact, u.sign));
    default:
        return (floatx80){ .mant = u.sig,
                           .sexp = (uint16_t)((u.sign << 15) |
                                              (u.exp + 16383)) };
    }
}

floatx80 float32_to_floatx80(SoftFloatStatus *st, float32 a)
{
    SoftFloatStatus raw = *st;
    raw.daz = false;
    floatx80 r = widen_to_x80(&raw, sf_unpack_f32(&raw, a));
    st->flags |= raw.flags;
    return r;
}

floatx80 float64_to_floatx80(SoftFloatStatus *st, float64 a)
{
    SoftFloatStatus raw = *st;
    raw.daz = false;
    floatx80 r = widen_to_x80(&raw, sf_unpack_f64(&raw, a));
    st->flags |= raw.flags;
    return r;
}

static SfPacked arith(SoftFloatStatus *st, SfArithOp op, SfUnpacked a,
                      SfUnpacked b)
{
    const SfFormat *f = sf_fmt_x80(st);

    switch (op) {
    case SF_OP_ADD:
        return sf_add(st, f, a, b, false);
    case SF_OP_SUB:
        return sf_add(st, f, a, b, true);
    case SF_OP_SUBR:
        return sf_add(st, f, b, a, true);
    case SF_OP_MUL:
        return sf_mul(st, f, a, b);
    case SF_OP_DIV:
        return sf_div(st, f, a, b);
    default:
        return sf_div(st, f, b, a);
    }
}

/* A memory operand as the x87 reads it: DAZ never applies. */
static SfUnpacked unpack_m32(float32 b)
{
    SoftFloatStatus raw = { .precision = SF_PREC_64 };
    return sf_unpack_f32(&raw, b);
}

static SfUnpacked unpack_m64(float64 b)
{
    SoftFloatStatus raw = { .precision = SF_PREC_64 };
    return sf_unpack_f64(&raw, b);
}

floatx80 floatx80_arith_f32(SoftFloatStatus *st, SfArithOp op, floatx80 a,
                            float32 b)
{
    return sf_pack_x80(arith(st, op, sf_unpack_x80(a), unpack_m32(b)));
}

floatx80 floatx80_arith_f64(SoftFloatStatus *st, SfArithOp op, floatx80 a,
                            float64 b)
{
    return sf_pack_x80(arith(st, op, sf_unpack_x80(a), unpack_m64(b)));
}

SfRelation floatx80_compare_f32(SoftFloatStatus *st, floatx80 a, float32 b,
                                bool signalling)
{
    return sf_compare(st, sf_fmt_x80(st), sf_unpack_x80(a), unpack_m32(b),
                      signalling);
}

SfRelation floatx80_compare_f64(SoftFloatStatus *st, floatx80 a, float64 b,
                                bool signalling)
{
    return sf_compare(st, sf_fmt_x80(st), sf_unpack_x80(a), unpack_m64(b),
                      signalling);
}

/* FST m32/m64: one rounding to the memory format, x87 NaN rules. */
static SfPacked narrow_from_x80(SoftFloatStatus *st, const SfFormat *f,
                                floatx80 a)
{
    SfUnpacked u = sf_unpack_x80(a);
    SfPacked r;

    st->c1 = false;
    if (sf_pick_nan1(st, f, u, &r)) {
        return r;
    }
    /* FST does not report a denormal source (checked against the host). */
    switch (u.cls) {
    case SF_ZERO:
        return sf_make_zero(u.sign);
    case SF_INF:
        return sf_make_inf(f, u.sign);
    default:
        return sf_round_pack(st, f, u.sign, u.exp, (sf_u128)u.sig << 64);
    }
}

float32 floatx80_to_float32(SoftFloatStatus *st, floatx80 a)
{
    return sf_pack_f32(narrow_from_x80(st, &sf_fmt_f32_x87, a));
}

float64 floatx80_to_float64(SoftFloatStatus *st, floatx80 a)
{
    return sf_pack_f64(narrow_from_x80(st, &sf_fmt_f64_x87, a));
}
