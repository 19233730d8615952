/*
 * sse_fp_helper.c: the SSE/SSE2/SSE3/SSE4.1 floating-point instructions
 * on XMM registers: scalar and packed arithmetic, MIN/MAX, SQRT, compares
 * (CMPcc, COMIS/UCOMIS), every XMM/GPR conversion, RCP/RSQRT, the SSE3
 * horizontal, alternating and duplicating forms, ROUNDPS/PD/SS/SD and
 * DPPS/DPPD. The arithmetic is
 * softfloat.h under the guest's MXCSR (rounding, DAZ, FTZ, masks); the
 * translator (translate-sse.c) passes the mnemonic and the byte offsets of
 * the destination and source XMMReg in the CPU state, a memory source
 * having been loaded into env->xmm_t0. Results go to a copy first: when
 * an unmasked exception occurs the flags are ORed into MXCSR, the
 * destination is left unchanged and #XM (CR4.OSXMMEXCPT set) or #UD is
 * raised (SDM Vol.1 11.5.2, Vol.3 6.15 "Interrupt 19").
 */
#include "vireo/common.h"
#include "tcg/tb.h"
#include "target-x86/helper-internal.h"
#include "target-x86/decode.h"
#include "target-x86/softfloat.h"

#define PRE_FLAGS (SF_FLAG_INVALID | SF_FLAG_DENORMAL | SF_FLAG_DIVBYZERO)

static XMMReg *xmm_at(X86CPUState *env, uint64_t off)
{
    return (XMMReg *)((uint8_t *)env + off);
}

/*
 * ORs the flags of the operation into MXCSR and raises the SIMD exception
 * when one of them is unmasked. An unmasked pre-computation exception
 * (IE, DE, ZE) suppresses the post-computation ones (SDM Vol.1 11.5.2.1).
 */
static uint32_t pre_filter(uint32_t f, uint32_t masks)
{
    return (f & ~masks & PRE_FLAGS) ? f & PRE_FLAGS : f;
}

/* As above; staged (DPPS/DPPD) flags were filtered stage by stage already. */
static void sse_finish_staged(X86CPUState *env, const SoftFloatStatus *st, uintptr_t ra,
                              bool staged)
{
    uint32_t masks = (env->mxcsr >> 7) & SF_FLAG_ALL;
    uint32_t f = st->flags & SF_FLAG_ALL, unmasked = f & ~masks;

    if (!staged) {
        f = pre_filter(f, masks);
    }
    env->mxcsr |= f;
    if (unmasked) {
        x86_raise_exception(env, (env->cr[4] & CR4_OSXMMEXCPT) ? EXCP_XM : EXCP_UD, ra);
    }
}

static void sse_finish(X86CPUState *env, const SoftFloatStatus *st, uintptr_t ra)
{
    sse_finish_staged(env, st, ra, false);
}

static void sse_status(X86CPUState *env, SoftFloatStatus *st)
{
    softfloat_status_from_mxcsr(st, env->mxcsr);
}

/* The four basic operations and MIN/MAX, by the family of mnemonic m. */
enum { FOP_ADD, FOP_SUB, FOP_MUL, FOP_DIV, FOP_MIN, FOP_MAX, FOP_SQRT, FOP_NONE };

static int arith_kind(unsigned m, unsigned *width, bool *scalar)
{
    static const struct { uint16_t ps, pd, ss, sd; uint8_t op; } rows[] = {
        { X86_MN_ADDPS, X86_MN_ADDPD, X86_MN_ADDSS, X86_MN_ADDSD, FOP_ADD },
        { X86_MN_SUBPS, X86_MN_SUBPD, X86_MN_SUBSS, X86_MN_SUBSD, FOP_SUB },
        { X86_MN_MULPS, X86_MN_MULPD, X86_MN_MULSS, X86_MN_MULSD, FOP_MUL },
        { X86_MN_DIVPS, X86_MN_DIVPD, X86_MN_DIVSS, X86_MN_DIVSD, FOP_DIV },
        { X86_MN_MINPS, X86_MN_MINPD, X86_MN_MINSS, X86_MN_MINSD, FOP_MIN },
        { X86_MN_MAXPS, X86_MN_MAXPD, X86_MN_MAXSS, X86_MN_MAXSD, FOP_MAX },
        { X86_MN_SQRTPS, X86_MN_SQRTPD, X86_MN_SQRTSS, X86_MN_SQRTSD, FOP_SQRT },
    };

    for (unsigned i = 0; i < ARRAY_SIZE(rows); i++) {
        if (m == rows[i].ps || m == rows[i].ss) {
            *width = 4;
            *scalar = m == rows[i].ss;
            return rows[i].op;
        }
        if (m == rows[i].pd || m == rows[i].sd) {
            *width = 8;
            *scalar = m == rows[i].sd;
            return rows[i].op;
        }
    }
    return FOP_NONE;
}

static float32 f32_op(SoftFloatStatus *st, int op, float32 a, float32 b)
{
    switch (op) {
    case FOP_ADD: return float32_add(st, a, b);
    case FOP_SUB: return float32_sub(st, a, b);
    case FOP_MUL: return float32_mul(st, a, b);
    case FOP_DIV: return float32_div(st, a, b);
    case FOP_MIN: return float32_min(st, a, b);
    case FOP_MAX: return float32_max(st, a, b);
    default: return float32_sqrt(st, b);
    }
}

static float64 f64_op(SoftFloatStatus *st, int op, float64 a, float64 b)
{
    switch (op) {
    case FOP_ADD: return float64_add(st, a, b);
    case FOP_SUB: return float64_sub(st, a, b);
    case FOP_MUL: return float64_mul(st, a, b);
    case FOP_DIV: return float64_div(st, a, b);
    case FOP_MIN: return float64_min(st, a, b);
    case FOP_MAX: return float64_max(st, a, b);
    default: return float64_sqrt(st, b);
    }
}

/* ADD/SUB/MUL/DIV/MIN/MAX/SQRT in all four shapes: true if m is one. */
static bool do_arith(SoftFloatStatus *st, unsigned m, XMMReg *r, const XMMReg *d,
                     const XMMReg *s)
{
    unsigned width;
    bool scalar;
    int op = arith_kind(m, &width, &scalar);

    if (op == FOP_NONE) {
        return false;
    }
    if (width == 4) {
        for (unsigned i = 0; i < (scalar ? 1u : 4u); i++) {
            r->l[i] = f32_op(st, op, d->l[i], s->l[i]);
        }
    } else {
        for (unsigned i = 0; i < (scalar ? 1u : 2u); i++) {
            r->q[i] = f64_op(st, op, d->q[i], s->q[i]);
        }
    }
    return true;
}

/* Absolute values and classes for RCP/RSQRT. */
#define F32_SIGN 0x80000000u
#define F32_EXP 0x7f800000u
#define F32_ONE 0x3f800000u
#define F64_ONE 0x3ff0000000000000ull

/*
 * RCPSS/RCPPS: an approximation of 1/x within 1.5 * 2^-12 relative error
 * (SDM Vol.2 RCPSS). vireo returns the exactly rounded (nearest) value,
 * which is within the bound; like the hardware it raises no flag, reads
 * denormal inputs as zero (giving a signed infinity) and flushes results
 * that would be denormal to a signed zero. NaN inputs return the quieted
 * NaN.
 */
static float32 approx_rcp(float32 a)
{
    SoftFloatStatus st = { .rounding = SF_ROUND_NEAREST, .exc_mask = SF_FLAG_ALL };
    uint32_t sign = a & F32_SIGN, mag = a & ~F32_SIGN;
    float32 r;

    if (mag > F32_EXP) {
        return a | 0x00400000u;
    }
    if ((mag & F32_EXP) == 0) {
        return sign | F32_EXP;
    }
    r = float32_div(&st, F32_ONE, a);
    if ((r & F32_EXP) == 0) {
        r &= F32_SIGN;
    }
    return r;
}

/*
 * RSQRTSS/RSQRTPS: 1/sqrt(x) within the same bound; computed in double
 * precision and rounded once to single (error well under one ulp). Negative
 * non-zero inputs give the default NaN, zeros (and denormals, read as zero)
 * a signed infinity, +inf gives +0.
 */
static float32 approx_rsqrt(float32 a)
{
    SoftFloatStatus st = { .rounding = SF_ROUND_NEAREST, .exc_mask = SF_FLAG_ALL };
    uint32_t sign = a & F32_SIGN, mag = a & ~F32_SIGN;
    float64 d;

    if (mag > F32_EXP) {
        return a | 0x00400000u;
    }
    if ((mag & F32_EXP) == 0) {
        return sign | F32_EXP;
    }
    if (sign) {
        return FLOAT32_DEFAULT_NAN;
    }
    if (mag == F32_EXP) {
        return 0;
    }
    d = float64_div(&st, F64_ONE, float64_sqrt(&st, float32_to_float64(&st, a)));
    return float64_to_float32(&st, d);
}

/* Conversions between the packed and scalar formats: true if m is one. */
static bool do_convert(SoftFloatStatus *st, unsigned m, XMMReg *r, const XMMReg *s)
{
    XMMReg t = *r;

    switch (m) {
    case X86_MN_CVTSS2SD: t.q[0] = float32_to_float64(st, s->l[0]); break;
    case X86_MN_CVTSD2SS: t.l[0] = float64_to_float32(st, s->q[0]); break;
    case X86_MN_CVTPS2PD:
        t.q[0] = float32_to_float64(st, s->l[0]);
        t.q[1] = float32_to_float64(st, s->l[1]);
        break;
    case X86_MN_CVTPD2PS:
        t.l[0] = float64_to_float32(st, s->q[0]);
        t.l[1] = float64_to_float32(st, s->q[1]);
        t.q[1] = 0;
        break;
    case X86_MN_CVTDQ2PS:
        for (int i = 0; i < 4; i++) t.l[i] = int32_to_float32(st, (int32_t)s->l[i]);
        break;
    case X86_MN_CVTPS2DQ:
        for (int i = 0; i < 4; i++) t.l[i] = (uint32_t)float32_to_int32(st, s->l[i]);
        break;
    case X86_MN_CVTTPS2DQ:
        for (int i = 0; i < 4; i++) {
            t.l[i] = (uint32_t)float32_to_int32_round_to_zero(st, s->l[i]);
        }
        break;
    case X86_MN_CVTDQ2PD:
        t.q[0] = int32_to_float64(st, (int32_t)s->l[0]);
        t.q[1] = int32_to_float64(st, (int32_t)s->l[1]);
        break;
    case X86_MN_CVTPD2DQ: case X86_MN_CVTTPD2DQ:
        for (int i = 0; i < 2; i++) {
            t.l[i] = (uint32_t)(m == X86_MN_CVTPD2DQ ? float64_to_int32(st, s->q[i])
                                : float64_to_int32_round_to_zero(st, s->q[i]));
        }
        t.q[1] = 0;
        break;
    default:
        return false;
    }
    *r = t;
    return true;
}

/* CMPcc, RCP/RSQRT and the SSE3 forms: true if m is one of them. */
static bool do_other(SoftFloatStatus *st, unsigned m, XMMReg *r, const XMMReg *d,
                     const XMMReg *s, unsigned imm)
{
    XMMReg t = *d;

    switch (m) {
    case X86_MN_CMPSS:
        t.l[0] = float32_compare_predicate(st, d->l[0], s->l[0], imm & 7) ? ~0u : 0;
        break;
    case X86_MN_CMPPS:
        for (int i = 0; i < 4; i++) {
            t.l[i] = float32_compare_predicate(st, d->l[i], s->l[i], imm & 7) ? ~0u : 0;
        }
        break;
    case X86_MN_CMPSD:
        t.q[0] = float64_compare_predicate(st, d->q[0], s->q[0], imm & 7) ? ~0ull : 0;
        break;
    case X86_MN_CMPPD:
        for (int i = 0; i < 2; i++) {
            t.q[i] = float64_compare_predicate(st, d->q[i], s->q[i], imm & 7) ? ~0ull : 0;
        }
        break;
    case X86_MN_RCPSS: t.l[0] = approx_rcp(s->l[0]); break;
    case X86_MN_RSQRTSS: t.l[0] = approx_rsqrt(s->l[0]); break;
    case X86_MN_RCPPS: for (int i = 0; i < 4; i++) t.l[i] = approx_rcp(s->l[i]); break;
    case X86_MN_RSQRTPS: for (int i = 0; i < 4; i++) t.l[i] = approx_rsqrt(s->l[i]); break;
    case X86_MN_ADDSUBPS:
        for (int i = 0; i < 4; i++) {
            t.l[i] = (i & 1) ? float32_add(st, d->l[i], s->l[i])
                             : float32_sub(st, d->l[i], s->l[i]);
        }
        break;
    case X86_MN_ADDSUBPD:
        t.q[0] = float64_sub(st, d->q[0], s->q[0]);
        t.q[1] = float64_add(st, d->q[1], s->q[1]);
        break;
    case X86_MN_HADDPS: case X86_MN_HSUBPS: {
        float32 (*fn)(SoftFloatStatus *, float32, float32) =
            m == X86_MN_HADDPS ? float32_add : float32_sub;
        t.l[0] = fn(st, d->l[0], d->l[1]);
        t.l[1] = fn(st, d->l[2], d->l[3]);
        t.l[2] = fn(st, s->l[0], s->l[1]);
        t.l[3] = fn(st, s->l[2], s->l[3]);
        break;
    }
    case X86_MN_HADDPD: case X86_MN_HSUBPD: {
        float64 (*fn)(SoftFloatStatus *, float64, float64) =
            m == X86_MN_HADDPD ? float64_add : float64_sub;
        t.q[0] = fn(st, d->q[0], d->q[1]);
        t.q[1] = fn(st, s->q[0], s->q[1]);
        break;
    }
    case X86_MN_MOVSLDUP:
        t.l[0] = t.l[1] = s->l[0];
        t.l[2] = t.l[3] = s->l[2];
        break;
    case X86_MN_MOVSHDUP:
        t.l[0] = t.l[1] = s->l[1];
        t.l[2] = t.l[3] = s->l[3];
        break;
    case X86_MN_MOVDDUP:
        t.q[0] = t.q[1] = s->q[0];
        break;
    default:
        return false;
    }
    *r = t;
    return true;
}

/*
 * ROUNDPS/PD/SS/SD (SDM Vol.2 ROUNDPS): imm[2] set takes MXCSR.RC, else
 * imm[1:0] is the rounding mode; imm[3] suppresses the precision
 * exception. An SNaN raises IE; no DE is reported. The scalar forms keep
 * the upper elements of the destination.
 */
static void do_round(SoftFloatStatus *st, unsigned m, XMMReg *r, const XMMReg *s,
                     unsigned imm)
{
    bool no_pe = imm & 8;

    if (!(imm & 4)) {
        st->rounding = imm & 3;
    }
    switch (m) {
    case X86_MN_ROUNDPS:
        for (int i = 0; i < 4; i++) r->l[i] = float32_round_to_int(st, s->l[i], no_pe);
        break;
    case X86_MN_ROUNDSS: r->l[0] = float32_round_to_int(st, s->l[0], no_pe); break;
    case X86_MN_ROUNDPD:
        for (int i = 0; i < 2; i++) r->q[i] = float64_round_to_int(st, s->q[i], no_pe);
        break;
    default: r->q[0] = float64_round_to_int(st, s->q[0], no_pe); break;
    }
}

/*
 * Ends one stage of DPPS/DPPD: the stage's flags (in st since *before was
 * taken) filtered as for a single operation join those of the earlier
 * stages. True if the instruction stops here with an unmasked exception.
 */
static bool end_stage(SoftFloatStatus *st, uint8_t *before)
{
    uint32_t stage = pre_filter(st->flags, st->exc_mask);

    st->flags = *before | stage;
    *before = st->flags;
    st->flags = 0;
    if (stage & ~st->exc_mask & SF_FLAG_ALL) {
        st->flags = *before;
        return true;
    }
    return false;
}

/*
 * DPPS (SDM Vol.2 DPPS, operation DP_primitive): the products of the lanes
 * selected by imm[7:4] (+0.0 for the others, computed without flags), then
 * (p0 + p1) + (p2 + p3), each step rounded under MXCSR; the sum goes to
 * the lanes selected by imm[3:0], +0.0 to the rest. Like the host CPU,
 * vireo stops at the end of the stage (products, pair sums, final sum) in
 * which an unmasked exception occurs, keeping the flags of the earlier
 * stages; within a stage the single-operation rule applies (SDM Vol.1
 * 11.5.2.1: an unmasked IE, DE or ZE suppresses OE, UE and PE).
 */
static void do_dpps(SoftFloatStatus *st, XMMReg *r, const XMMReg *d, const XMMReg *s,
                    unsigned imm)
{
    float32 p[4], lo, hi, sum;
    uint8_t acc = st->flags;

    st->flags = 0;
    for (int i = 0; i < 4; i++) {
        p[i] = (imm >> (4 + i)) & 1 ? float32_mul(st, d->l[i], s->l[i]) : 0;
    }
    if (end_stage(st, &acc)) {
        return;
    }
    lo = float32_add(st, p[0], p[1]);
    hi = float32_add(st, p[2], p[3]);
    if (end_stage(st, &acc)) {
        return;
    }
    sum = float32_add(st, lo, hi);
    if (end_stage(st, &acc)) {
        return;
    }
    st->flags = acc;
    for (int i = 0; i < 4; i++) {
        r->l[i] = (imm >> i) & 1 ? sum : 0;
    }
}

/* DPPD: the same on two float64 lanes, imm[5:4] and imm[1:0]. */
static void do_dppd(SoftFloatStatus *st, XMMReg *r, const XMMReg *d, const XMMReg *s,
                    unsigned imm)
{
    float64 p[2], sum;
    uint8_t acc = st->flags;

    st->flags = 0;
    for (int i = 0; i < 2; i++) {
        p[i] = (imm >> (4 + i)) & 1 ? float64_mul(st, d->q[i], s->q[i]) : 0;
    }
    if (end_stage(st, &acc)) {
        return;
    }
    sum = float64_add(st, p[0], p[1]);
    if (end_stage(st, &acc)) {
        return;
    }
    st->flags = acc;
    for (int i = 0; i < 2; i++) {
        r->q[i] = (imm >> i) & 1 ? sum : 0;
    }
}

/* The SSE4.1 floating-point forms: true if m is one of them. */
static bool do_sse41(SoftFloatStatus *st, unsigned m, XMMReg *r, const XMMReg *d,
                     const XMMReg *s, unsigned imm)
{
    switch (m) {
    case X86_MN_ROUNDPS: case X86_MN_ROUNDPD: case X86_MN_ROUNDSS: case X86_MN_ROUNDSD:
        do_round(st, m, r, s, imm);
        return true;
    case X86_MN_DPPS: do_dpps(st, r, d, s, imm); return true;
    case X86_MN_DPPD: do_dppd(st, r, d, s, imm); return true;
    default:
        return false;
    }
}

void helper_sse_fp(X86CPUState *env, uint64_t m, uint64_t dst_off, uint64_t src_off,
                   uint64_t imm)
{
    uintptr_t ra = TCG_GETPC();
    XMMReg *dst = xmm_at(env, dst_off), d = *dst, s = *xmm_at(env, src_off), r = d;
    SoftFloatStatus st;

    sse_status(env, &st);
    if (!do_arith(&st, m, &r, &d, &s) && !do_convert(&st, m, &r, &s) &&
        !do_other(&st, m, &r, &d, &s, imm & 0xff) &&
        !do_sse41(&st, m, &r, &d, &s, imm & 0xff)) {
        x86_raise_exception(env, EXCP_UD, ra);
    }
    sse_finish_staged(env, &st, ra, m == X86_MN_DPPS || m == X86_MN_DPPD);
    *dst = r;
}

void helper_sse_comi(X86CPUState *env, uint64_t m, uint64_t dst_off, uint64_t src_off)
{
    uintptr_t ra = TCG_GETPC();
    const XMMReg *d = xmm_at(env, dst_off), *s = xmm_at(env, src_off);
    SoftFloatStatus st;
    SfRelation rel;
    uint32_t f;

    sse_status(env, &st);
    switch (m) {
    case X86_MN_COMISS: rel = float32_compare(&st, d->l[0], s->l[0]); break;
    case X86_MN_UCOMISS: rel = float32_compare_quiet(&st, d->l[0], s->l[0]); break;
    case X86_MN_COMISD: rel = float64_compare(&st, d->q[0], s->q[0]); break;
    default: rel = float64_compare_quiet(&st, d->q[0], s->q[0]); break;
    }
    sse_finish(env, &st, ra);
    /* SDM Vol.2 COMISS: ZF,PF,CF = 111 unordered, 000 greater, 001 less,
     * 100 equal; OF, SF and AF are cleared. */
    f = rel == SF_UNORDERED ? CC_Z | CC_P | CC_C : rel == SF_LESS ? CC_C
        : rel == SF_EQUAL ? CC_Z : 0;
    env->eflags = (env->eflags & ~(uint64_t)CC_MASK) | f;
    env->cc_op = CC_OP_EFLAGS;
}

void helper_sse_cvtsi(X86CPUState *env, uint64_t m, uint64_t dst_off, uint64_t val,
                      uint64_t size)
{
    uintptr_t ra = TCG_GETPC();
    XMMReg *dst = xmm_at(env, dst_off), r = *dst;
    SoftFloatStatus st;

    sse_status(env, &st);
    if (m == X86_MN_CVTSI2SS) {
        r.l[0] = size == 8 ? int64_to_float32(&st, (int64_t)val)
                           : int32_to_float32(&st, (int32_t)val);
    } else {
        r.q[0] = size == 8 ? int64_to_float64(&st, (int64_t)val)
                           : int32_to_float64(&st, (int32_t)val);
    }
    sse_finish(env, &st, ra);
    *dst = r;
}

uint64_t helper_sse_cvt2si(X86CPUState *env, uint64_t m, uint64_t src_off, uint64_t size)
{
    uintptr_t ra = TCG_GETPC();
    const XMMReg *s = xmm_at(env, src_off);
    SoftFloatStatus st;
    uint64_t r;
    bool q = size == 8;

    sse_status(env, &st);
    switch (m) {
    case X86_MN_CVTSS2SI:
        r = q ? (uint64_t)float32_to_int64(&st, s->l[0])
              : (uint32_t)float32_to_int32(&st, s->l[0]);
        break;
    case X86_MN_CVTTSS2SI:
        r = q ? (uint64_t)float32_to_int64_round_to_zero(&st, s->l[0])
              : (uint32_t)float32_to_int32_round_to_zero(&st, s->l[0]);
        break;
    case X86_MN_CVTSD2SI:
        r = q ? (uint64_t)float64_to_int64(&st, s->q[0])
              : (uint32_t)float64_to_int32(&st, s->q[0]);
        break;
    default:
        r = q ? (uint64_t)float64_to_int64_round_to_zero(&st, s->q[0])
              : (uint32_t)float64_to_int32_round_to_zero(&st, s->q[0]);
        break;
    }
    sse_finish(env, &st, ra);
    return r;
}

/*
 * CVTPI2PS/CVTPI2PD/CVTPS2PI/CVTTPS2PI/CVTPD2PI/CVTTPD2PI: dst_off and
 * src_off may name an MMX register (the significand of an x87 register,
 * SDM Vol.1 9.2). With mmx set an MMX register takes part: a pending x87
 * exception raises #MF first, and the x87 enters MMX mode (TOP = 0, every
 * tag valid; an MMX register written gets exponent bits all ones).
 */
void helper_sse_cvt_mmx(X86CPUState *env, uint64_t m, uint64_t dst_off, uint64_t src_off,
                        uint64_t mmx)
{
    uintptr_t ra = TCG_GETPC();
    XMMReg s = *xmm_at(env, src_off), r;
    SoftFloatStatus st;
    bool to_mmx = m == X86_MN_CVTPS2PI || m == X86_MN_CVTTPS2PI || m == X86_MN_CVTPD2PI ||
                  m == X86_MN_CVTTPD2PI;

    if (mmx) {
        x86_fpu_check_pending(env, ra);
    }
    memcpy(&r, (uint8_t *)env + dst_off, to_mmx ? 8 : 16);
    sse_status(env, &st);
    for (int i = 0; i < 2; i++) {
        switch (m) {
        case X86_MN_CVTPI2PS: r.l[i] = int32_to_float32(&st, (int32_t)s.l[i]); break;
        case X86_MN_CVTPI2PD: r.q[i] = int32_to_float64(&st, (int32_t)s.l[i]); break;
        case X86_MN_CVTPS2PI: r.l[i] = (uint32_t)float32_to_int32(&st, s.l[i]); break;
        case X86_MN_CVTTPS2PI:
            r.l[i] = (uint32_t)float32_to_int32_round_to_zero(&st, s.l[i]);
            break;
        case X86_MN_CVTPD2PI: r.l[i] = (uint32_t)float64_to_int32(&st, s.q[i]); break;
        default: r.l[i] = (uint32_t)float64_to_int32_round_to_zero(&st, s.q[i]); break;
        }
    }
    sse_finish(env, &st, ra);
    if (mmx) {
        env->fpstt = 0;
        memset(env->fptags, 0, sizeof(env->fptags));
    }
    if (to_mmx) {
        FloatX80 *reg = (FloatX80 *)((uint8_t *)env + dst_off);
        reg->mant = r.q[0];
        reg->sexp = 0xffff;
    } else {
        memcpy((uint8_t *)env + dst_off, &r, 16);
    }
}
