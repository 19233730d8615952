/*
 * softfloat-x87-misc.c: the x87-only operations of softfloat.h that are
 * not plain IEEE arithmetic: FPREM/FPREM1 partial remainders with their
 * quotient bits, FSCALE, FXTRACT, and the packed BCD load/store of FBLD
 * and FBSTP. All results are computed exactly with integer arithmetic on
 * the unpacked significands (softfloat-internal.h) and rounded once.
 */
#include "vireo/common.h"
#include "target-x86/softfloat-internal.h"

#define CC_C0 0x0100u
#define CC_C1 0x0200u
#define CC_C2 0x0400u
#define CC_C3 0x4000u

/* The exact x87 result sign * sig * 2^e: full precision whatever PC says. */
static floatx80 pack_exact(SoftFloatStatus *st, bool sign, int32_t e,
                           sf_u128 sig)
{
    SoftFloatStatus full = *st;
    SfPacked r;

    full.precision = SF_PREC_64;
    if (sig == 0) {
        return sf_pack_x80(sf_make_zero(sign));
    }
    r = sf_normalize_round_pack(&full, sf_fmt_x80(&full), sign, e + 126, sig);
    st->flags = full.flags;
    return sf_pack_x80(r);
}

/* Quotient bits Q2, Q1, Q0 go to C0, C3, C1 (SDM Vol.2 FPREM). */
static uint16_t quotient_cc(uint64_t q)
{
    return ((q & 4) ? CC_C0 : 0) | ((q & 2) ? CC_C3 : 0) |
           ((q & 1) ? CC_C1 : 0);
}

/* The complete remainder for an exponent difference d in [-1, 63]. */
static floatx80 rem_complete(SoftFloatStatus *st, SfUnpacked a, SfUnpacked b,
                             int32_t d, bool ieee, uint16_t *cc)
{
    /* Both in units of 2^(b.exp - 64). */
    sf_u128 num = (sf_u128)a.sig << (d + 1), den = (sf_u128)b.sig << 1;
    sf_u128 q = num / den, r = num % den;
    bool sign = a.sign;

    if (ieee && (2 * r > den || (2 * r == den && (q & 1)))) {
        q++;
        r = den - r;
        sign = !sign;
    }
    *cc = quotient_cc((uint64_t)q);
    return pack_exact(st, r ? sign : a.sign, b.exp - 64, r);
}

floatx80 floatx80_rem(SoftFloatStatus *st, floatx80 a, floatx80 b, bool ieee,
                      uint16_t *fsw_cc)
{
    const SfFormat *f = sf_fmt_x80(st);
    SfUnpacked ua = sf_unpack_x80(a), ub = sf_unpack_x80(b);
    SfPacked r;
    int32_t d, n;

    *fsw_cc = 0;
    if (sf_pick_nan2(st, f, ua, ub, &r)) {
        return sf_pack_x80(r);
    }
    if (ua.cls == SF_INF || ub.cls == SF_ZERO) {
        st->flags |= SF_FLAG_INVALID;
        return sf_pack_x80(sf_default_nan(f));
    }
    if (ua.denormal || ub.denormal) {
        st->flags |= SF_FLAG_DENORMAL;
    }
    if (ua.cls == SF_ZERO) {
        return a;
    }
    d = ua.exp - ub.exp;
    if (ub.cls == SF_INF) {
        d = -2;     /* the quotient is zero: a, normalized */
    }
    if (d < -1 || (d == -1 && !ieee)) {
        return pack_exact(st, ua.sign, ua.exp - 63, ua.sig);
    }
    if (d < 64) {
        return rem_complete(st, ua, ub, d, ieee, fsw_cc);
    }
    /* SDM Vol.2 FPREM: reduce by b * 2^(d - n), n between 32 and 63. */
    n = 32 + (d % 32);
    *fsw_cc = CC_C2;
    return pack_exact(st, ua.sign, ua.exp - 63 - n,
                      ((sf_u128)ua.sig << n) % ub.sig);
}

floatx80 floatx80_scale(SoftFloatStatus *st, floatx80 a, floatx80 b)
{
    /* FSCALE ignores precision control (checked against the host). */
    SoftFloatStatus full = { .precision = SF_PREC_64 };
    const SfFormat *f = sf_fmt_x80(&full);
    SfUnpacked ua = sf_unpack_x80(a), ub = sf_unpack_x80(b);
    SfPacked r;
    int32_t n;

    if (sf_pick_nan2(st, f, ua, ub, &r)) {
        return sf_pack_x80(r);
    }
    if (ua.denormal || ub.denormal) {
        st->flags |= SF_FLAG_DENORMAL;
    }
    if (ub.cls == SF_INF) {
        if ((ua.cls == SF_ZERO && !ub.sign) || (ua.cls == SF_INF && ub.sign)) {
            st->flags |= SF_FLAG_INVALID;
            return sf_pack_x80(sf_default_nan(f));
        }
        if (ua.cls == SF_ZERO || ub.sign) {
            return sf_pack_x80(sf_make_zero(ua.sign));
        }
        return sf_pack_x80(sf_make_inf(f, ua.sign));
    }
    if (ua.cls == SF_ZERO) {
        return sf_pack_x80(sf_make_zero(ua.sign));
    }
    if (ua.cls == SF_INF) {
        return sf_pack_x80(sf_make_inf(f, ua.sign));
    }
    /* trunc(b), clamped well beyond the reach of any finite result. */
    if (ub.cls == SF_ZERO || ub.exp < 0) {
        n = 0;
    } else if (ub.exp >= 17) {
        n = 1 << 17;
    } else {
        n = (int32_t)(ub.sig >> (63 - ub.exp));
    }
    if (ub.sign) {
        n = -n;
    }
    return sf_pack_x80(sf_round_pack(st, f, ua.sign, ua.exp + n,
                                     (sf_u128)ua.sig << 64));
}

floatx80 floatx80_extract(SoftFloatStatus *st, floatx80 a, floatx80 *exp)
{
    const SfFormat *f = sf_fmt_x80(st);
    SfUnpacked u = sf_unpack_x80(a);
    SfPacked r;

    if (sf_pick_nan1(st, f, u, &r)) {
        *exp = sf_pack_x80(r);
        return *exp;
    }
    switch (u.cls) {
    case SF_ZERO:
        /* SDM Vol.2 FXTRACT: zero divides by zero; exponent -infinity. */
        st->flags |= SF_FLAG_DIVBYZERO;
        *exp = sf_pack_x80(sf_make_inf(f, true));
        return a;
    case SF_INF:
        *exp = sf_pack_x80(sf_make_inf(f, false));
        return a;
    default:
        if (u.denormal) {
            st->flags |= SF_FLAG_DENORMAL;
        }
        *exp = int32_to_floatx80(u.exp);
        return (floatx80){ .mant = u.sig,
                           .sexp = (uint16_t)((u.sign << 15) | 0x3fff) };
    }
}

floatx80 bcd_to_floatx80(const uint8_t bcd[10])
{
    /* Non-decimal nibbles are "undefined"; the host weighs them as digits. */
    uint64_t v = 0;

    for (int i = 8; i >= 0; i--) {
        v = v * 10 + (bcd[i] >> 4);
        v = v * 10 + (bcd[i] & 15);
    }
    floatx80 r = int64_to_floatx80((int64_t)v);
    if (bcd[9] & 0x80) {
        r.sexp |= 0x8000;
    }
    return r;
}

void floatx80_to_bcd(SoftFloatStatus *st, floatx80 a, uint8_t bcd[10])
{
    static const uint64_t max = 999999999999999999ull;
    SfUnpacked u = sf_unpack_x80(a);
    SoftFloatStatus tmp = *st;
    int64_t v = 0;
    uint64_t mag = max + 1;

    memset(bcd, 0, 10);
    tmp.flags = 0;
    if (u.cls == SF_ZERO || (u.cls == SF_NORMAL && u.exp < 60)) {
        v = sf_to_int(&tmp, u, 64, st->rounding);
        mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    }
    if (mag > max) {
        /* Packed BCD indefinite, SDM Vol.1 4.7; only IE is reported. */
        st->flags |= SF_FLAG_INVALID;
        st->c1 = false;
        bcd[7] = 0xC0;
        bcd[8] = 0xFF;
        bcd[9] = 0xFF;
        return;
    }
    st->flags |= tmp.flags;
    st->c1 = tmp.c1;
    for (int i = 0; i < 9; i++) {
        bcd[i] = (uint8_t)(mag % 10);
        mag /= 10;
        bcd[i] |= (uint8_t)((mag % 10) << 4);
        mag /= 10;
    }
    bcd[9] = u.sign ? 0x80 : 0;
}
