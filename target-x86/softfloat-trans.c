/*
 * softfloat-trans.c: the x87 transcendental instructions (F2XM1, FYL2X,
 * FYL2XP1, FPATAN, FSIN, FCOS, FSINCOS, FPTAN) for softfloat.h. Each one
 * handles the special operands of its SDM Vol.2 table exactly, and
 * otherwise evaluates the function in a private 128-bit binary floating
 * point ("Big", about 120 good bits) with Taylor/atanh series, then rounds
 * once to the 64-bit significand in the caller's rounding mode (precision
 * control does not apply to these instructions, SDM Vol.1 8.1.5.2). FSIN,
 * FCOS and FPTAN reduce their argument with the 66-bit value of pi the
 * hardware documents (SDM Vol.1 8.3.10). The results are correctly
 * rounded values of that model; real CPUs are not always correctly
 * rounded, see docs/softfloat.md for the measured agreement.
 */
#include "vireo/common.h"
#include "target-x86/softfloat-internal.h"

#define CC_C2 0x0400u

/* value = sig * 2^(exp - 127); sig has bit 127 set, or is 0 for zero. */
typedef struct Big {
    bool sign;
    int32_t exp;
    sf_u128 sig;
} Big;

static Big big_make(bool sign, int32_t exp, sf_u128 sig)
{
    int lz;

    if (sig == 0) {
        return (Big){ sign, 0, 0 };
    }
    lz = sf_clz128(sig);
    return (Big){ sign, exp - lz, sig << lz };
}

static Big big_from_int(int64_t v)
{
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    return big_make(v < 0, 127, mag);
}

static Big big_from_unpacked(SfUnpacked u)
{
    return (Big){ u.sign, u.exp, (sf_u128)u.sig << 64 };
}

static Big big_neg(Big a)
{
    a.sign = !a.sign;
    return a;
}

static Big big_one(void)
{
    return big_from_int(1);
}

static Big big_ldexp(Big a, int32_t n)
{
    if (a.sig) {
        a.exp += n;
    }
    return a;
}

/* The high 128 bits of a 256-bit product. */
static sf_u128 mul_hi(sf_u128 a, sf_u128 b)
{
    uint64_t a1 = (uint64_t)(a >> 64), a0 = (uint64_t)a;
    uint64_t b1 = (uint64_t)(b >> 64), b0 = (uint64_t)b;
    sf_u128 p00 = (sf_u128)a0 * b0, p01 = (sf_u128)a0 * b1;
    sf_u128 p10 = (sf_u128)a1 * b0, p11 = (sf_u128)a1 * b1;
    sf_u128 mid = (p00 >> 64) + (uint64_t)p01 + (uint64_t)p10;

    return p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
}

static Big big_mul(Big a, Big b)
{
    if (!a.sig || !b.sig) {
        return (Big){ a.sign ^ b.sign, 0, 0 };
    }
    return big_make(a.sign ^ b.sign, a.exp + b.exp + 1, mul_hi(a.sig, b.sig));
}

static Big big_add(Big a, Big b)
{
    int32_t d;
    sf_u128 sa, sb;

    if (!a.sig) {
        return b;
    }
    if (!b.sig) {
        return a;
    }
    if (a.exp < b.exp || (a.exp == b.exp && a.sig < b.sig)) {
        Big t = a;
        a = b;
        b = t;
    }
    /* The sticky bit keeps "a little less/more than a" visible. */
    d = a.exp - b.exp;
    sa = a.sig >> 1;
    sb = sf_shr_jam128(b.sig, (uint32_t)d + 1);
    return big_make(a.sign, a.exp + 1, a.sign == b.sign ? sa + sb : sa - sb);
}

static Big big_sub(Big a, Big b)
{
    return big_add(a, big_neg(b));
}

static Big big_div(Big a, Big b)
{
    sf_u128 rem = a.sig, q = 0;

    if (!a.sig || !b.sig) {
        return (Big){ a.sign ^ b.sign, 0, 0 };
    }
    for (int i = 0; i < 128; i++) {
        bool bit;
        if (i > 0) {
            bool carry = rem >> 127;
            rem <<= 1;
            bit = carry || rem >= b.sig;
        } else {
            bit = rem >= b.sig;
        }
        if (bit) {
            rem -= b.sig;
        }
        q = (q << 1) | bit;
    }
    return big_make(a.sign ^ b.sign, a.exp - b.exp, q);
}

/* a / n for a small n > 0: two 128/64 divisions and a refill of the bits. */
static Big big_div_int(Big a, int64_t n)
{
    uint64_t d = (uint64_t)n;
    sf_u128 hi = a.sig >> 64, rem = hi % d;
    sf_u128 rest = (rem << 64) | (uint64_t)a.sig;
    sf_u128 q = ((hi / d) << 64) | (rest / d);
    int lz;

    if (!q) {
        return big_div(a, big_from_int(n));
    }
    rem = rest % d;
    lz = sf_clz128(q);
    if (lz) {
        /* rem < d < 2^64 and lz < 64, so the refill cannot overflow. */
        q = (q << lz) | ((rem << lz) / d);
    }
    return (Big){ a.sign, a.exp - lz, q };
}

/* True once a term no longer changes a sum of magnitude 2^sum_exp. */
static bool negligible(Big term, Big sum)
{
    return !term.sig || (sum.sig && term.exp < sum.exp - 130);
}

/*
 * sqrt(a) = a / sqrt(a), with 1 / sqrt(a) from Newton's division-free
 * iteration y = y (3 - a y^2) / 2 started at 2^-floor(e/2) (error < 42%,
 * so nine steps reach 2^-300); a > 0.
 */
static Big big_sqrt(Big a)
{
    int32_t e = a.exp >= 0 ? a.exp / 2 : -((1 - a.exp) / 2);
    Big y = big_make(false, 127 - e, 1), three = big_from_int(3);

    for (int i = 0; i < 9; i++) {
        Big ayy = big_mul(a, big_mul(y, y));
        y = big_ldexp(big_mul(y, big_sub(three, ayy)), -1);
    }
    return big_mul(a, y);
}


/* pi and ln 2 to 128 bits. */
static Big big_pi(void)
{
    return (Big){ false, 1, ((sf_u128)0xC90FDAA22168C234ull << 64) |
                            0xC4C6628B80DC1CD1ull };
}

static Big big_ln2(void)
{
    return (Big){ false, -1, ((sf_u128)0xB17217F7D1CF79ABull << 64) |
                             0xC9E3B39803F2F6AFull };
}

/* e^y - 1 by its Taylor series (|y| < 1). */
static Big big_expm1(Big y)
{
    Big sum = { false, 0, 0 }, term = y;

    for (int n = 2; n < 80 && !negligible(term, sum); n++) {
        sum = big_add(sum, term);
        term = big_div_int(big_mul(term, y), n);
    }
    return sum;
}

/* 2 * atanh(t) = ln((1 + t) / (1 - t)) for small |t|. */
static Big big_2atanh(Big t)
{
    Big t2 = big_mul(t, t), pow = t, sum = { false, 0, 0 };

    for (int k = 1; k < 200; k += 2) {
        Big term = big_div_int(pow, k);
        if (negligible(term, sum)) {
            break;
        }
        sum = big_add(sum, term);
        pow = big_mul(pow, t2);
    }
    return big_ldexp(sum, 1);
}

/* atan(t) for 0 <= t <= 1: two argument halvings, then the series. */
static Big big_atan(Big t)
{
    Big t2, pow, sum = { false, 0, 0 };

    for (int i = 0; i < 2; i++) {
        Big root = big_sqrt(big_add(big_one(), big_mul(t, t)));
        t = big_div(t, big_add(big_one(), root));
    }
    t2 = big_mul(t, t);
    pow = t;
    for (int k = 1; k < 200; k += 2) {
        Big term = big_div_int(pow, k);
        if (negligible(term, sum)) {
            break;
        }
        sum = big_add(sum, (k & 2) ? big_neg(term) : term);
        pow = big_mul(pow, t2);
    }
    return big_ldexp(sum, 2);
}

/* sin(r) (odd = true) or cos(r) by Taylor series, |r| <= pi/4. */
static Big big_sincos(Big r, bool odd)
{
    Big r2 = big_mul(r, r), term = odd ? r : big_one(), sum = { false, 0, 0 };

    for (int n = odd ? 1 : 0; n < 100; n += 2) {
        if (negligible(term, sum)) {
            break;
        }
        sum = big_add(sum, term);
        term = big_neg(big_div_int(big_mul(term, r2),
                                   (int64_t)(n + 1) * (n + 2)));
    }
    return sum;
}

/* Rounds an inexact Big to the full 64-bit significand in st->rounding. */
static floatx80 big_round(SoftFloatStatus *st, Big v)
{
    SoftFloatStatus full = *st;
    SfPacked r;

    full.precision = SF_PREC_64;
    if (!v.sig) {
        return sf_pack_x80(sf_make_zero(v.sign));
    }
    r = sf_round_pack(&full, sf_fmt_x80(&full), v.sign, v.exp, v.sig | 1);
    st->flags = full.flags;
    st->c1 = full.c1;
    return sf_pack_x80(r);
}

static floatx80 x80_zero(bool sign)
{
    return sf_pack_x80(sf_make_zero(sign));
}

static floatx80 x80_inf(bool sign)
{
    return (floatx80){ .mant = 1ull << 63,
                       .sexp = (uint16_t)((sign << 15) | 0x7fff) };
}

static floatx80 x80_invalid(SoftFloatStatus *st)
{
    st->flags |= SF_FLAG_INVALID;
    return FLOATX80_INDEFINITE;
}

static void note_denormal(SoftFloatStatus *st, SfUnpacked a)
{
    if (a.denormal) {
        st->flags |= SF_FLAG_DENORMAL;
    }
}

/* ---- F2XM1 ---- */

floatx80 floatx80_f2xm1(SoftFloatStatus *st, floatx80 a)
{
    SfUnpacked u = sf_unpack_x80(a);
    SfPacked r;

    st->c1 = false;
    if (sf_pick_nan1(st, sf_fmt_x80(st), u, &r)) {
        return sf_pack_x80(r);
    }
    switch (u.cls) {
    case SF_ZERO:
        return a;
    case SF_INF:
        return u.sign ? (floatx80){ 1ull << 63, 0xbfff } : a;
    default:
        break;
    }
    note_denormal(st, u);
    return big_round(st, big_expm1(big_mul(big_from_unpacked(u), big_ln2())));
}

/* ---- FYL2X and FYL2XP1 ---- */

/* log2(x) for a finite x > 0 that is not a power of two. */
static Big big_log2(SfUnpacked x)
{
    int32_t e = x.exp;
    Big m = { false, 0, (sf_u128)x.sig << 64 };    /* in [1, 2) */
    Big t;

    if (x.sig > 0xB504F333F9DE6484ull) {            /* m > sqrt(2) */
        m.exp = -1;
        e++;
    }
    t = big_div(big_sub(m, big_one()), big_add(m, big_one()));
    return big_add(big_from_int(e), big_div(big_2atanh(t), big_ln2()));
}

/* y * log2(x) once x is known finite, positive and not one. */
static floatx80 y_log2_x(SoftFloatStatus *st, SfUnpacked x, SfUnpacked y)
{
    SoftFloatStatus full = *st;
    floatx80 res;

    if (x.sig == 1ull << 63) {
        /* x = 2^k: y * k is one exact product, rounded once. */
        SfUnpacked k = { .cls = SF_NORMAL, .sign = x.exp < 0 };
        uint64_t mag = x.exp < 0 ? -(int64_t)x.exp : x.exp;
        int lz = __builtin_clzll(mag);
        k.exp = 63 - lz;
        k.sig = mag << lz;
        full.precision = SF_PREC_64;
        res = sf_pack_x80(sf_mul(&full, sf_fmt_x80(&full), y, k));
        /*
         * The hardware treats the product as inexact even when it is not:
         * PE always, UE for a tiny result (checked against the host).
         */
        st->flags = full.flags | SF_FLAG_INEXACT;
        if ((res.sexp & 0x7fff) == 0 && res.mant != 0) {
            st->flags |= SF_FLAG_UNDERFLOW;
        }
        st->c1 = full.c1;
        return res;
    }
    return big_round(st, big_mul(big_from_unpacked(y), big_log2(x)));
}

floatx80 floatx80_fyl2x(SoftFloatStatus *st, floatx80 x, floatx80 y)
{
    SfUnpacked ux = sf_unpack_x80(x), uy = sf_unpack_x80(y);
    bool below_one;
    SfPacked r;

    st->c1 = false;
    if (sf_pick_nan2(st, sf_fmt_x80(st), ux, uy, &r)) {
        return sf_pack_x80(r);
    }
    if (ux.sign && ux.cls != SF_ZERO) {
        return x80_invalid(st);
    }
    if (ux.cls == SF_ZERO) {
        if (uy.cls == SF_ZERO) {
            return x80_invalid(st);
        }
        /* log2(0): divide-by-zero, which outranks a denormal y. */
        if (uy.cls != SF_INF) {
            st->flags |= SF_FLAG_DIVBYZERO;
        }
        return x80_inf(!uy.sign);
    }
    if (ux.cls == SF_INF) {
        if (uy.cls == SF_ZERO) {
            return x80_invalid(st);
        }
        note_denormal(st, uy);
        return x80_inf(uy.sign);
    }
    below_one = ux.exp < 0;
    if (ux.exp == 0 && ux.sig == 1ull << 63) {
        if (uy.cls == SF_INF) {
            return x80_invalid(st);
        }
        note_denormal(st, uy);
        return x80_zero(uy.sign);
    }
    note_denormal(st, ux);
    note_denormal(st, uy);
    if (uy.cls == SF_INF) {
        return x80_inf(uy.sign ^ below_one);
    }
    if (uy.cls == SF_ZERO) {
        return x80_zero(uy.sign ^ below_one);
    }
    return y_log2_x(st, ux, uy);
}

floatx80 floatx80_fyl2xp1(SoftFloatStatus *st, floatx80 x, floatx80 y)
{
    SfUnpacked ux = sf_unpack_x80(x), uy = sf_unpack_x80(y);
    SfPacked r;
    Big bx, t;

    st->c1 = false;
    if (sf_pick_nan2(st, sf_fmt_x80(st), ux, uy, &r)) {
        return sf_pack_x80(r);
    }
    if (ux.cls == SF_INF) {
        if (ux.sign || uy.cls == SF_ZERO) {
            return x80_invalid(st);
        }
        note_denormal(st, uy);
        return x80_inf(uy.sign);
    }
    if (ux.cls == SF_ZERO) {
        if (uy.cls == SF_INF) {
            return x80_invalid(st);
        }
        note_denormal(st, uy);
        return x80_zero(ux.sign ^ uy.sign);
    }
    note_denormal(st, ux);
    note_denormal(st, uy);
    if (uy.cls == SF_INF) {
        return x80_inf(ux.sign ^ uy.sign);
    }
    if (uy.cls == SF_ZERO) {
        return x80_zero(ux.sign ^ uy.sign);
    }
    /* ln(1 + x) = 2 atanh(x / (2 + x)); the domain keeps |x| < 0.3. */
    bx = big_from_unpacked(ux);
    t = big_div(bx, big_add(big_from_int(2), bx));
    return big_round(st, big_mul(big_from_unpacked(uy),
                                 big_div(big_2atanh(t), big_ln2())));
}

/* ---- FPATAN ---- */

/* k * pi / 4 rounded, with the sign given. */
static floatx80 pi_quarters(SoftFloatStatus *st, int k, bool sign)
{
    Big v = big_div_int(big_mul(big_pi(), big_from_int(k)), 4);
    v.sign = sign;
    return big_round(st, v);
}

floatx80 floatx80_fpatan(SoftFloatStatus *st, floatx80 x, floatx80 y)
{
    SfUnpacked ux = sf_unpack_x80(x), uy = sf_unpack_x80(y);
    SfPacked r;
    Big bx, by, theta;

    st->c1 = false;
    if (sf_pick_nan2(st, sf_fmt_x80(st), ux, uy, &r)) {
        return sf_pack_x80(r);
    }
    note_denormal(st, ux);
    note_denormal(st, uy);
    if (uy.cls == SF_ZERO) {
        return ux.sign ? pi_quarters(st, 4, uy.sign) : x80_zero(uy.sign);
    }
    if (uy.cls == SF_INF) {
        if (ux.cls == SF_INF) {
            return pi_quarters(st, ux.sign ? 3 : 1, uy.sign);
        }
        return pi_quarters(st, 2, uy.sign);
    }
    if (ux.cls == SF_ZERO) {
        return pi_quarters(st, 2, uy.sign);
    }
    if (ux.cls == SF_INF) {
        return ux.sign ? pi_quarters(st, 4, uy.sign) : x80_zero(uy.sign);
    }
    bx = big_from_unpacked(ux);
    by = big_from_unpacked(uy);
    bx.sign = by.sign = false;
    if (ux.exp < uy.exp || (ux.exp == uy.exp && ux.sig < uy.sig)) {
        theta = big_sub(big_ldexp(big_pi(), -1), big_atan(big_div(bx, by)));
    } else {
        theta = big_atan(big_div(by, bx));
    }
    if (ux.sign) {
        theta = big_sub(big_pi(), theta);
    }
    theta.sign = uy.sign;
    return big_round(st, theta);
}

/* ---- FSIN, FCOS, FSINCOS, FPTAN ---- */

/*
 * Reduces |x| < 2^63 by the 66-bit pi/2 of the hardware: x = q * P + r
 * with |r| <= P / 2, P = 0x3243F6A8885A308D3 * 2^-65. Returns r exactly
 * and the quadrant q mod 4.
 */
static Big reduce(SfUnpacked x, int *quadrant)
{
    static const sf_u128 p66 = ((sf_u128)0x3 << 64) | 0x243F6A8885A308D3ull;
    int32_t shift = x.exp + 2;      /* x / P = (sig << shift) / p66 */
    sf_u128 n, q, rem;
    Big r;

    if (shift < 0) {
        *quadrant = 0;
        return big_from_unpacked(x);
    }
    n = (sf_u128)x.sig << shift;
    q = n / p66;
    rem = n % p66;
    if (2 * rem > p66) {
        q++;
        r = big_make(true, 127 - 65, p66 - rem);
    } else {
        r = big_make(false, 127 - 65, rem);
    }
    if (x.sign) {
        r = big_neg(r);
        q = 0 - q;
    }
    *quadrant = (int)(q & 3);
    return r;
}

/*
 * Common front end. Returns true and sets *out when the result is
 * settled (NaN, infinity, zero, out of range); otherwise *r and *q hold
 * the reduced argument.
 */
static bool trig_prologue(SoftFloatStatus *st, floatx80 a, uint16_t *fsw_cc,
                          floatx80 *out, Big *r, int *q, SfUnpacked *u)
{
    SfPacked p;

    *fsw_cc = 0;
    st->c1 = false;
    *u = sf_unpack_x80(a);
    if (sf_pick_nan1(st, sf_fmt_x80(st), *u, &p)) {
        *out = sf_pack_x80(p);
        return true;
    }
    if (u->cls == SF_INF) {
        *out = x80_invalid(st);
        return true;
    }
    if (u->cls == SF_NORMAL && u->exp >= 63) {
        /* SDM Vol.2 FSIN: out of range, C2 = 1 and ST(0) unchanged. */
        *fsw_cc = CC_C2;
        *out = a;
        return true;
    }
    if (u->cls == SF_ZERO) {
        return false;
    }
    note_denormal(st, *u);
    *r = reduce(*u, q);
    return false;
}

static Big quadrant_sin(Big r, int q)
{
    Big v = big_sincos(r, !(q & 1));
    return (q & 2) ? big_neg(v) : v;
}

static Big quadrant_cos(Big r, int q)
{
    Big v = big_sincos(r, q & 1);
    return ((q + 1) & 2) ? big_neg(v) : v;
}

floatx80 floatx80_sin(SoftFloatStatus *st, floatx80 a, uint16_t *fsw_cc)
{
    floatx80 out;
    Big r;
    int q;
    SfUnpacked u;

    if (trig_prologue(st, a, fsw_cc, &out, &r, &q, &u)) {
        return out;
    }
    if (u.cls == SF_ZERO) {
        return a;
    }
    return big_round(st, quadrant_sin(r, q));
}

floatx80 floatx80_cos(SoftFloatStatus *st, floatx80 a, uint16_t *fsw_cc)
{
    floatx80 out;
    Big r;
    int q;
    SfUnpacked u;

    if (trig_prologue(st, a, fsw_cc, &out, &r, &q, &u)) {
        return out;
    }
    if (u.cls == SF_ZERO) {
        return (floatx80){ 1ull << 63, 0x3fff };
    }
    return big_round(st, quadrant_cos(r, q));
}

floatx80 floatx80_sincos(SoftFloatStatus *st, floatx80 a, floatx80 *cosine,
                         uint16_t *fsw_cc)
{
    floatx80 out;
    Big r;
    int q;
    SfUnpacked u;
    SoftFloatStatus st_cos;

    if (trig_prologue(st, a, fsw_cc, &out, &r, &q, &u)) {
        *cosine = out;
        return out;
    }
    if (u.cls == SF_ZERO) {
        *cosine = (floatx80){ 1ull << 63, 0x3fff };
        return a;
    }
    st_cos = *st;
    *cosine = big_round(&st_cos, quadrant_cos(r, q));
    out = big_round(st, quadrant_sin(r, q));
    /* C1 follows the sine (measured: the cosine's agrees less often). */
    st->flags |= st_cos.flags;
    return out;
}

floatx80 floatx80_tan(SoftFloatStatus *st, floatx80 a, uint16_t *fsw_cc)
{
    floatx80 out;
    Big r, s, c;
    int q;
    SfUnpacked u;

    if (trig_prologue(st, a, fsw_cc, &out, &r, &q, &u)) {
        return out;
    }
    if (u.cls == SF_ZERO) {
        return a;
    }
    s = big_sincos(r, true);
    c = big_sincos(r, false);
    return big_round(st, (q & 1) ? big_neg(big_div(c, s)) : big_div(s, c));
}

/* ---- FLDPI and friends ---- */

/* ln(10) = 3 ln 2 + ln(5/4), and ln(5/4) = 2 atanh(1/9). */
static Big big_ln10(void)
{
    Big t = big_div_int(big_one(), 9);
    return big_add(big_mul(big_from_int(3), big_ln2()), big_2atanh(t));
}

floatx80 floatx80_constant(const SoftFloatStatus *st, SfConstant which)
{
    SoftFloatStatus quiet = *st;
    Big v;

    switch (which) {
    case SF_CONST_PI:
        v = big_pi();
        break;
    case SF_CONST_L2T:
        v = big_div(big_ln10(), big_ln2());
        break;
    case SF_CONST_L2E:
        v = big_div(big_one(), big_ln2());
        break;
    case SF_CONST_LG2:
        v = big_div(big_ln2(), big_ln10());
        break;
    default:
        v = big_ln2();
        break;
    }
    /* The loads report nothing (SDM Vol.2 FLD1/FLDL2T/...: no #P). */
    return big_round(&quiet, v);
}
