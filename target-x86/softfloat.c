/*
 * softfloat.c: the format-independent core of vireo's floating point:
 * unpacking of the three encodings, the single rounding step, NaN
 * selection, and the exact add/mul/div/sqrt/compare/integer operations
 * on unpacked operands. softfloat-x87.c and softfloat-sse.c wrap these
 * for the floatx80 and float32/float64 entry points of softfloat.h.
 * References: IEEE 754-2008 sections 4, 5 and 7; SDM Vol.1 chapter 4
 * (formats, NaNs, rounding), 8 (x87) and 11 (SSE).
 */
#include "vireo/common.h"
#include "target-x86/softfloat-internal.h"

/*
 * IEEE 754-2008 7.5 leaves tininess detection open; x86 detects it after
 * rounding, for x87 and SSE alike (found on the host).
 */
const SfFormat sf_fmt_f32 = { -126, 127, 127, 24, false, true, 0 };
const SfFormat sf_fmt_f64 = { -1022, 1023, 1023, 53, false, true, 0 };
const SfFormat sf_fmt_f32_x87 = { -126, 127, 127, 24, true, true, 0 };
const SfFormat sf_fmt_f64_x87 = { -1022, 1023, 1023, 53, true, true, 0 };
/* SDM Vol.1 8.5.4: the wrap for unmasked x87 overflow/underflow is 3 * 2^13. */
static const SfFormat fmt_x80[3] = {
    { -16382, 16383, 16383, 24, true, true, 24576 },
    { -16382, 16383, 16383, 53, true, true, 24576 },
    { -16382, 16383, 16383, 64, true, true, 24576 },
};

void softfloat_status_from_fpuc(SoftFloatStatus *st, uint16_t fpuc)
{
    memset(st, 0, sizeof(*st));
    st->rounding = (fpuc >> 10) & 3;
    st->precision = (fpuc >> 8) & 3;
    st->exc_mask = fpuc & SF_FLAG_ALL;
}

void softfloat_status_from_mxcsr(SoftFloatStatus *st, uint32_t mxcsr)
{
    memset(st, 0, sizeof(*st));
    st->rounding = (mxcsr >> 13) & 3;
    st->precision = SF_PREC_64;
    st->ftz = (mxcsr >> 15) & 1;
    st->daz = (mxcsr >> 6) & 1;
    st->exc_mask = (mxcsr >> 7) & SF_FLAG_ALL;
}

const SfFormat *sf_fmt_x80(const SoftFloatStatus *st)
{
    /* PC = 1 is reserved; the host treats it as 64 bits, and so do we. */
    switch (st->precision) {
    case SF_PREC_24:
        return &fmt_x80[0];
    case SF_PREC_53:
        return &fmt_x80[1];
    default:
        return &fmt_x80[2];
    }
}

/* ---- unpacking ---- */

static SfUnpacked unpack_denormal(bool sign, int32_t emin, uint64_t sig)
{
    int lz = __builtin_clzll(sig);
    return (SfUnpacked){ .cls = SF_NORMAL, .sign = sign, .denormal = true,
                         .exp = emin - lz, .sig = sig << lz };
}

static SfUnpacked unpack_nan(bool sign, uint64_t sig)
{
    bool quiet = (sig >> 62) & 1;
    return (SfUnpacked){ .cls = quiet ? SF_QNAN : SF_SNAN, .sign = sign,
                         .sig = sig };
}

SfUnpacked sf_unpack_x80(floatx80 a)
{
    bool sign = a.sexp >> 15;
    int32_t e = a.sexp & 0x7fff;
    bool j = a.mant >> 63;

    if (e == 0) {
        if (a.mant == 0) {
            return (SfUnpacked){ .cls = SF_ZERO, .sign = sign };
        }
        /* Denormals and pseudo-denormals (J = 1) both weigh 2^-16382. */
        return unpack_denormal(sign, -16382, a.mant);
    }
    if (!j) {
        /* Pseudo-NaN, pseudo-infinity, unnormal: SDM Vol.1 8.2.2. */
        return (SfUnpacked){ .cls = SF_UNSUPPORTED, .sign = sign };
    }
    if (e == 0x7fff) {
        if ((a.mant << 1) == 0) {
            return (SfUnpacked){ .cls = SF_INF, .sign = sign };
        }
        return unpack_nan(sign, a.mant);
    }
    return (SfUnpacked){ .cls = SF_NORMAL, .sign = sign, .exp = e - 16383,
                         .sig = a.mant };
}

static SfUnpacked unpack_ieee(const SoftFloatStatus *st, bool sign, int32_t e,
                              uint64_t frac, const SfFormat *f, int fbits)
{
    if (e == 0) {
        if (frac == 0 || st->daz) {
            return (SfUnpacked){ .cls = SF_ZERO, .sign = sign };
        }
        return unpack_denormal(sign, f->emin, frac << (63 - fbits));
    }
    if (e == f->emax + f->bias + 1) {
        if (frac == 0) {
            return (SfUnpacked){ .cls = SF_INF, .sign = sign };
        }
        return unpack_nan(sign, (1ull << 63) | (frac << (63 - fbits)));
    }
    return (SfUnpacked){ .cls = SF_NORMAL, .sign = sign, .exp = e - f->bias,
                         .sig = (1ull << 63) | (frac << (63 - fbits)) };
}

SfUnpacked sf_unpack_f32(const SoftFloatStatus *st, float32 a)
{
    return unpack_ieee(st, a >> 31, (a >> 23) & 0xff, a & 0x7fffff,
                       &sf_fmt_f32, 23);
}

SfUnpacked sf_unpack_f64(const SoftFloatStatus *st, float64 a)
{
    return unpack_ieee(st, a >> 63, (a >> 52) & 0x7ff, a & ((1ull << 52) - 1),
                       &sf_fmt_f64, 52);
}

/* ---- packing ---- */

floatx80 sf_pack_x80(SfPacked p)
{
    return (floatx80){ .mant = p.sig,
                       .sexp = (uint16_t)((p.sign << 15) | p.bexp) };
}

float32 sf_pack_f32(SfPacked p)
{
    return ((uint32_t)p.sign << 31) | ((uint32_t)p.bexp << 23) |
           ((uint32_t)(p.sig >> 40) & 0x7fffff);
}

float64 sf_pack_f64(SfPacked p)
{
    return ((uint64_t)p.sign << 63) | ((uint64_t)p.bexp << 52) |
           ((p.sig >> 11) & ((1ull << 52) - 1));
}

SfPacked sf_make_zero(bool sign)
{
    return (SfPacked){ .sign = sign };
}

SfPacked sf_make_inf(const SfFormat *f, bool sign)
{
    return (SfPacked){ .sign = sign, .bexp = f->emax + f->bias + 1,
                       .sig = 1ull << 63 };
}

SfPacked sf_default_nan(const SfFormat *f)
{
    /* The "real indefinite" QNaN, SDM Vol.1 table 4-3. */
    return (SfPacked){ .sign = true, .bexp = f->emax + f->bias + 1,
                       .sig = 3ull << 62 };
}

SfPacked sf_nan_result(const SfFormat *f, SfUnpacked n)
{
    return (SfPacked){ .sign = n.sign, .bexp = f->emax + f->bias + 1,
                       .sig = n.sig | (3ull << 62) };
}

/* ---- rounding ---- */

static bool round_up(uint8_t mode, bool sign, bool odd, sf_u128 rem,
                     sf_u128 half)
{
    if (rem == 0) {
        return false;
    }
    switch (mode) {
    case SF_ROUND_NEAREST:
        return rem > half || (rem == half && odd);
    case SF_ROUND_DOWN:
        return sign;
    case SF_ROUND_UP:
        return !sign;
    default:
        return false;
    }
}

/* True if a result tiny before rounding stays below 2^emin after it. */
static bool still_tiny(const SoftFloatStatus *st, const SfFormat *f,
                       bool sign, int32_t exp, sf_u128 sig)
{
    int sh = 128 - f->prec;
    sf_u128 mask = ((sf_u128)1 << sh) - 1;
    sf_u128 kept = sig >> sh;

    if (!f->tiny_after || exp != f->emin - 1) {
        return true;
    }
    if (!round_up(st->rounding, sign, kept & 1, sig & mask,
                  (sf_u128)1 << (sh - 1))) {
        return true;
    }
    return ((kept + 1) >> f->prec) == 0;
}

static SfPacked overflow_result(SoftFloatStatus *st, const SfFormat *f,
                                bool sign)
{
    bool to_inf = st->rounding == SF_ROUND_NEAREST ||
                  (st->rounding == SF_ROUND_UP && !sign) ||
                  (st->rounding == SF_ROUND_DOWN && sign);

    st->flags |= SF_FLAG_OVERFLOW | SF_FLAG_INEXACT;
    st->c1 = to_inf;
    if (to_inf) {
        return sf_make_inf(f, sign);
    }
    return (SfPacked){ .sign = sign, .bexp = f->emax + f->bias,
                       .sig = ~0ull << (64 - f->prec) };
}

/*
 * An exponent above emax after rounding. Masked: infinity or the largest
 * finite value by rounding mode. Unmasked x87 register result: the value
 * scaled down by 2^24576 (SDM Vol.1 8.5.4). Unmasked SSE or FST to memory:
 * nothing will be stored; SSE keeps PE for an inexact rounding, FST reports
 * OE alone (both checked against the host).
 */
static SfPacked overflow(SoftFloatStatus *st, const SfFormat *f, bool sign,
                         int32_t exp, uint64_t kept, bool inexact)
{
    if (st->exc_mask & SF_FLAG_OVERFLOW) {
        return overflow_result(st, f, sign);
    }
    st->flags |= SF_FLAG_OVERFLOW;
    if (!f->wrap) {
        if (inexact && !f->x87) {
            st->flags |= SF_FLAG_INEXACT;
        }
        st->c1 = false;
        return sf_make_inf(f, sign);
    }
    if (exp - f->wrap > f->emax) {
        /* Beyond the wrap (only FSCALE gets here): infinity in any RC. */
        st->flags |= SF_FLAG_INEXACT;
        st->c1 = true;
        return sf_make_inf(f, sign);
    }
    if (inexact) {
        st->flags |= SF_FLAG_INEXACT;
    }
    return (SfPacked){ .sign = sign, .bexp = exp - f->wrap + f->bias,
                       .sig = kept << (64 - f->prec) };
}

/*
 * A result below 2^emin before rounding: decides how it is delivered.
 * Returns true with *res when the result is settled here; otherwise
 * *denormalize says whether to shift it down to emin before rounding and
 * *exp may be wrapped.
 */
static bool tiny_path(SoftFloatStatus *st, const SfFormat *f, bool sign,
                      int32_t *exp, bool *tiny, bool *denormalize,
                      SfPacked *res)
{
    bool ue_masked = st->exc_mask & SF_FLAG_UNDERFLOW;

    *denormalize = true;
    if (!*tiny) {
        return false;
    }
    if (ue_masked) {
        if (!f->x87 && st->ftz) {
            /* SDM Vol.1 10.2.3.3: flush-to-zero. */
            st->flags |= SF_FLAG_UNDERFLOW | SF_FLAG_INEXACT;
            *res = sf_make_zero(sign);
            return true;
        }
        return false;
    }
    st->flags |= SF_FLAG_UNDERFLOW;
    if (f->x87 && !f->wrap) {
        /* FST to memory: nothing is stored, only UE is reported. */
        st->c1 = false;
        *res = sf_make_zero(sign);
        return true;
    }
    if (f->wrap && *exp + f->wrap < f->emin) {
        /* Beyond the wrap (only FSCALE gets here): zero in any RC. */
        st->flags |= SF_FLAG_INEXACT;
        st->c1 = false;
        *res = sf_make_zero(sign);
        return true;
    }
    /*
     * x87 register: scaled up by 2^24576 (SDM Vol.1 8.5.5). SSE: nothing
     * is stored; PE follows the unbounded-exponent rounding (host-checked).
     */
    *exp += f->wrap;
    *denormalize = false;
    *tiny = false;
    return false;
}

SfPacked sf_round_pack(SoftFloatStatus *st, const SfFormat *f, bool sign,
                       int32_t exp, sf_u128 sig)
{
    int sh = 128 - f->prec;
    sf_u128 mask = ((sf_u128)1 << sh) - 1;
    bool tiny = false, inexact, inc, denormalize;
    sf_u128 kept;
    SfPacked res;

    if (exp < f->emin) {
        tiny = still_tiny(st, f, sign, exp, sig);
        if (tiny_path(st, f, sign, &exp, &tiny, &denormalize, &res)) {
            return res;
        }
        if (denormalize) {
            sig = sf_shr_jam128(sig, (uint32_t)(f->emin - exp));
            exp = f->emin;
        }
    }
    kept = sig >> sh;
    inexact = (sig & mask) != 0;
    inc = round_up(st->rounding, sign, kept & 1, sig & mask,
                   (sf_u128)1 << (sh - 1));
    if (inc) {
        kept++;
        if (kept >> f->prec) {
            kept >>= 1;
            exp++;
        }
    }
    st->c1 = inc;
    if (exp > f->emax) {
        return overflow(st, f, sign, exp, (uint64_t)kept, inexact);
    }
    if (inexact) {
        st->flags |= SF_FLAG_INEXACT;
        if (tiny) {
            st->flags |= SF_FLAG_UNDERFLOW;
        }
    }
    if (kept == 0) {
        return sf_make_zero(sign);
    }
    return (SfPacked){ .sign = sign,
                       .bexp = (kept >> (f->prec - 1)) ? exp + f->bias : 0,
                       .sig = (uint64_t)kept << (64 - f->prec) };
}

SfPacked sf_normalize_round_pack(SoftFloatStatus *st, const SfFormat *f,
                                 bool sign, int32_t exp, sf_u128 sig)
{
    int lz = sf_clz128(sig);
    return sf_round_pack(st, f, sign, exp + 1 - lz, sig << lz);
}

/* ---- NaNs (SDM Vol.1 4.8.3.5, table 4-7) ---- */

static bool is_nan_like(SfUnpacked a)
{
    return a.cls == SF_QNAN || a.cls == SF_SNAN || a.cls == SF_UNSUPPORTED;
}

bool sf_pick_nan1(SoftFloatStatus *st, const SfFormat *f, SfUnpacked a,
                  SfPacked *res)
{
    if (!is_nan_like(a)) {
        return false;
    }
    if (a.cls == SF_UNSUPPORTED) {
        st->flags |= SF_FLAG_INVALID;
        *res = sf_default_nan(f);
        return true;
    }
    if (a.cls == SF_SNAN) {
        st->flags |= SF_FLAG_INVALID;
    }
    *res = sf_nan_result(f, a);
    return true;
}

/* x87: a QNaN beats an SNaN; between two of a kind the larger significand. */
static SfUnpacked x87_nan_choice(SfUnpacked a, SfUnpacked b)
{
    bool an = a.cls == SF_QNAN || a.cls == SF_SNAN;
    bool bn = b.cls == SF_QNAN || b.cls == SF_SNAN;

    if (!bn) {
        return a;
    }
    if (!an) {
        return b;
    }
    if (a.cls != b.cls) {
        return a.cls == SF_QNAN ? a : b;
    }
    if (a.sig != b.sig) {
        return a.sig > b.sig ? a : b;
    }
    return a.sign ? b : a;
}

bool sf_pick_nan2(SoftFloatStatus *st, const SfFormat *f, SfUnpacked a,
                  SfUnpacked b, SfPacked *res)
{
    if (!is_nan_like(a) && !is_nan_like(b)) {
        return false;
    }
    if (a.cls == SF_UNSUPPORTED || b.cls == SF_UNSUPPORTED) {
        st->flags |= SF_FLAG_INVALID;
        *res = sf_default_nan(f);
        return true;
    }
    if (a.cls == SF_SNAN || b.cls == SF_SNAN) {
        st->flags |= SF_FLAG_INVALID;
    }
    if (f->x87) {
        *res = sf_nan_result(f, x87_nan_choice(a, b));
    } else {
        *res = sf_nan_result(f, is_nan_like(a) ? a : b);
    }
    return true;
}

static void note_denormals(SoftFloatStatus *st, SfUnpacked a, SfUnpacked b)
{
    if (a.denormal || b.denormal) {
        st->flags |= SF_FLAG_DENORMAL;
    }
}

static SfPacked invalid_result(SoftFloatStatus *st, const SfFormat *f)
{
    st->flags |= SF_FLAG_INVALID;
    return sf_default_nan(f);
}

/* ---- arithmetic ---- */

static SfPacked exact_zero_sum(SoftFloatStatus *st, bool sa, bool sb)
{
    if (sa == sb) {
        return sf_make_zero(sa);
    }
    return sf_make_zero(st->rounding == SF_ROUND_DOWN);
}

static SfPacked add_finite(SoftFloatStatus *st, const SfFormat *f,
                           SfUnpacked a, SfUnpacked b)
{
    sf_u128 sa, sb, s;
    bool sign;

    if (a.cls == SF_ZERO) {
        return b.cls == SF_ZERO ? exact_zero_sum(st, a.sign, b.sign)
             : sf_round_pack(st, f, b.sign, b.exp, (sf_u128)b.sig << 64);
    }
    if (b.cls == SF_ZERO) {
        return sf_round_pack(st, f, a.sign, a.exp, (sf_u128)a.sig << 64);
    }
    if (a.exp < b.exp || (a.exp == b.exp && a.sig < b.sig)) {
        SfUnpacked t = a;
        a = b;
        b = t;
    }
    /* |a| >= |b|; both at bit 126, leaving bit 127 for the carry. */
    sa = (sf_u128)a.sig << 63;
    sb = sf_shr_jam128((sf_u128)b.sig << 63, (uint32_t)(a.exp - b.exp));
    sign = a.sign;
    if (a.sign == b.sign) {
        s = sa + sb;
    } else {
        s = sa - sb;
        if (s == 0) {
            return exact_zero_sum(st, a.sign, b.sign);
        }
    }
    return sf_normalize_round_pack(st, f, sign, a.exp, s);
}

SfPacked sf_add(SoftFloatStatus *st, const SfFormat *f, SfUnpacked a,
                SfUnpacked b, bool subtract)
{
    SfPacked r;

    if (sf_pick_nan2(st, f, a, b, &r)) {
        return r;
    }
    b.sign ^= subtract;
    note_denormals(st, a, b);
    if (a.cls == SF_INF || b.cls == SF_INF) {
        if (a.cls == SF_INF && b.cls == SF_INF && a.sign != b.sign) {
            return invalid_result(st, f);
        }
        return sf_make_inf(f, a.cls == SF_INF ? a.sign : b.sign);
    }
    return add_finite(st, f, a, b);
}

SfPacked sf_mul(SoftFloatStatus *st, const SfFormat *f, SfUnpacked a,
                SfUnpacked b)
{
    SfPacked r;
    bool sign = a.sign ^ b.sign;

    if (sf_pick_nan2(st, f, a, b, &r)) {
        return r;
    }
    note_denormals(st, a, b);
    if (a.cls == SF_INF || b.cls == SF_INF) {
        if (a.cls == SF_ZERO || b.cls == SF_ZERO) {
            return invalid_result(st, f);
        }
        return sf_make_inf(f, sign);
    }
    if (a.cls == SF_ZERO || b.cls == SF_ZERO) {
        return sf_make_zero(sign);
    }
    return sf_normalize_round_pack(st, f, sign, a.exp + b.exp,
                                   (sf_u128)a.sig * b.sig);
}

SfPacked sf_div(SoftFloatStatus *st, const SfFormat *f, SfUnpacked a,
                SfUnpacked b)
{
    SfPacked r;
    bool sign = a.sign ^ b.sign;
    sf_u128 n, q1, q2, r1;

    if (sf_pick_nan2(st, f, a, b, &r)) {
        return r;
    }
    if (b.cls == SF_ZERO) {
        /* Divide-by-zero outranks the denormal operand (SDM Vol.1 4.9.2). */
        if (a.cls == SF_ZERO) {
            return invalid_result(st, f);
        }
        if (a.cls != SF_INF) {
            st->flags |= SF_FLAG_DIVBYZERO;
        }
        return sf_make_inf(f, sign);
    }
    note_denormals(st, a, b);
    if (a.cls == SF_INF) {
        return b.cls == SF_INF ? invalid_result(st, f) : sf_make_inf(f, sign);
    }
    if (b.cls == SF_INF) {
        return sf_make_zero(sign);
    }
    if (a.cls == SF_ZERO) {
        return sf_make_zero(sign);
    }
    /* Two long-division steps give a 128-bit quotient A * 2^127 / B. */
    n = (sf_u128)a.sig << 63;
    q1 = n / b.sig;
    r1 = n % b.sig;
    n = r1 << 64;
    q2 = n / b.sig;
    n = ((q1 << 64) | q2) | ((n % b.sig) != 0);
    return sf_normalize_round_pack(st, f, sign, a.exp - b.exp - 1, n);
}

/* floor(sqrt(x)) for x >= 2^62, by Newton's iteration from above. */
static uint64_t isqrt64(uint64_t x)
{
    uint64_t r = 0xFFFFFFFFull, next;

    for (;;) {
        next = (r + x / r) / 2;
        if (next >= r) {
            return r;
        }
        r = next;
    }
}

/*
 * floor(sqrt(x)) for 2^126 <= x < 2^128: a 32-bit root of the top half,
 * one Newton step in 128 bits, then an exact correction.
 */
static uint64_t isqrt128(sf_u128 x, uint64_t *rem_gt_root, bool *exact)
{
    uint64_t r0 = isqrt64((uint64_t)(x >> 64));
    sf_u128 r = (sf_u128)(r0 + 1) << 32, rem;

    r = (r + x / r) / 2;
    if (r > UINT64_MAX) {
        r = UINT64_MAX;
    }
    while (r * r > x) {
        r--;
    }
    while (r < UINT64_MAX && (r + 1) * (r + 1) <= x) {
        r++;
    }
    rem = x - r * r;
    *exact = rem == 0;
    *rem_gt_root = rem > r;     /* the fraction of the root exceeds 1/2 */
    return (uint64_t)r;
}

SfPacked sf_sqrt(SoftFloatStatus *st, const SfFormat *f, SfUnpacked a)
{
    SfPacked r;
    int32_t e;
    int odd;
    bool exact;
    uint64_t root, above_half;
    sf_u128 sig;

    if (sf_pick_nan1(st, f, a, &r)) {
        return r;
    }
    if (a.cls == SF_ZERO) {
        return sf_make_zero(a.sign);
    }
    if (a.sign) {
        return invalid_result(st, f);
    }
    note_denormals(st, a, a);
    if (a.cls == SF_INF) {
        return sf_make_inf(f, false);
    }
    /* value = sig * 2^(exp - 63); make the exponent even. */
    odd = a.exp & 1;
    e = (a.exp - odd) / 2;
    /*
     * root of sig * 2^(63 + odd) = sqrt(sig / 2^63 * 2^odd) * 2^63; below it
     * a half bit ((r + 1/2)^2 < x exactly when x - r^2 > r; a tie cannot
     * happen) and a sticky bit.
     */
    root = isqrt128((sf_u128)a.sig << (63 + odd), &above_half, &exact);
    sig = ((sf_u128)root << 64) | ((sf_u128)above_half << 63) | !exact;
    return sf_round_pack(st, f, false, e, sig);
}

/* Orders magnitudes: -1, 0, 1. */
static int compare_magnitude(SfUnpacked a, SfUnpacked b)
{
    if (a.cls != b.cls) {
        return a.cls < b.cls ? -1 : 1;  /* SF_ZERO < SF_NORMAL < SF_INF */
    }
    if (a.cls != SF_NORMAL) {
        return 0;
    }
    if (a.exp != b.exp) {
        return a.exp < b.exp ? -1 : 1;
    }
    if (a.sig != b.sig) {
        return a.sig < b.sig ? -1 : 1;
    }
    return 0;
}

SfRelation sf_compare(SoftFloatStatus *st, const SfFormat *f, SfUnpacked a,
                      SfUnpacked b, bool signalling)
{
    int m;

    (void)f;
    if (is_nan_like(a) || is_nan_like(b)) {
        if (signalling || a.cls == SF_SNAN || b.cls == SF_SNAN ||
            a.cls == SF_UNSUPPORTED || b.cls == SF_UNSUPPORTED) {
            st->flags |= SF_FLAG_INVALID;
        }
        return SF_UNORDERED;
    }
    note_denormals(st, a, b);
    if (a.cls == SF_ZERO && b.cls == SF_ZERO) {
        return SF_EQUAL;
    }
    if (a.sign != b.sign) {
        return a.sign ? SF_LESS : SF_GREATER;
    }
    m = compare_magnitude(a, b);
    if (m == 0) {
        return SF_EQUAL;
    }
    return (m < 0) != a.sign ? SF_LESS : SF_GREATER;
}

/* ---- integers ---- */

/* Rounds sig / 2^63 * 2^exp (exp < 63) to an integer magnitude. */
static uint64_t round_integer(uint64_t sig, int32_t exp, bool sign,
                              uint8_t mode, bool *inexact, bool *inc)
{
    int32_t shift = 63 - exp;
    uint64_t kept, rem, half;

    if (shift < 64) {
        kept = sig >> shift;
        rem = sig & ((1ull << shift) - 1);
        half = 1ull << (shift - 1);
    } else if (shift == 64) {
        kept = 0;
        rem = sig;
        half = 1ull << 63;
    } else {
        kept = 0;
        rem = 1;    /* nonzero and below one half */
        half = 2;
    }
    *inexact = rem != 0;
    *inc = round_up(mode, sign, kept & 1, rem, half);
    return kept + *inc;
}

SfPacked sf_round_to_int(SoftFloatStatus *st, const SfFormat *f, SfUnpacked a,
                         uint8_t rounding, bool raise_pe)
{
    bool inexact, inc;
    uint64_t mag;

    if (a.cls == SF_ZERO) {
        return sf_make_zero(a.sign);
    }
    if (a.cls == SF_INF) {
        return sf_make_inf(f, a.sign);
    }
    if (a.exp >= 63) {
        return sf_round_pack(st, f, a.sign, a.exp, (sf_u128)a.sig << 64);
    }
    mag = round_integer(a.sig, a.exp, a.sign, rounding, &inexact, &inc);
    if (inexact && raise_pe) {
        st->flags |= SF_FLAG_INEXACT;
    }
    if (mag == 0) {
        st->c1 = false;
        return sf_make_zero(a.sign);
    }
    SfPacked r = sf_normalize_round_pack(st, f, a.sign, 126, mag);
    st->c1 = inc;
    return r;
}

int64_t sf_to_int(SoftFloatStatus *st, SfUnpacked a, int bits,
                  uint8_t rounding)
{
    int64_t indefinite = (int64_t)(~0ull << (bits - 1));
    uint64_t limit = 1ull << (bits - 1), mag;
    bool inexact, inc;

    st->c1 = false;
    if (a.cls == SF_ZERO) {
        return 0;
    }
    if (a.cls != SF_NORMAL) {
        st->flags |= SF_FLAG_INVALID;
        return indefinite;
    }
    /* No DE here: FIST and CVT*2SI do not report denormal sources. */
    if (a.exp >= 63) {
        if (a.sign && a.exp == 63 && a.sig == limit && bits == 64) {
            return indefinite;  /* exactly -2^63 */
        }
        st->flags |= SF_FLAG_INVALID;
        return indefinite;
    }
    mag = round_integer(a.sig, a.exp, a.sign, rounding, &inexact, &inc);
    if (mag > limit || (mag == limit && !a.sign)) {
        st->flags |= SF_FLAG_INVALID;
        return indefinite;
    }
    if (inexact) {
        st->flags |= SF_FLAG_INEXACT;
    }
    st->c1 = inc;
    return a.sign ? (int64_t)(0 - mag) : (int64_t)mag;
}

SfPacked sf_from_int(SoftFloatStatus *st, const SfFormat *f, int64_t v)
{
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

    if (v == 0) {
        return sf_make_zero(false);
    }
    return sf_normalize_round_pack(st, f, v < 0, 126, mag);
}
