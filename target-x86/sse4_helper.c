/*
 * sse4_helper.c: the integer lane operations of SSSE3 and SSE4.1 (SDM
 * Vol.2, one entry per mnemonic): byte shuffles, horizontal adds and
 * subtracts, sign and absolute-value operations, PALIGNR, blends (with
 * the implicit XMM0 mask of the BLENDV forms), sign and zero extensions,
 * the new multiplies, compares, minimum and maximum operations, PACKUSDW,
 * PHMINPOSUW, MPSADBW, INSERTPS and PTEST. helper_sse and helper_mmx
 * (sse_helper.c) call x86_sse4_lane_op after their own SSE2 lanes, with n
 * = 16 for XMM registers or n = 8 for the MMX forms of SSSE3 (operands in
 * the low quadword); the translator (translate-sse.c) calls helper_sse_ptest.
 */
#include "vireo/common.h"
#include "tcg/tb.h"
#include "target-x86/helper-internal.h"
#include "target-x86/decode.h"

static int16_t sat16(int32_t v)
{
    return v < INT16_MIN ? INT16_MIN : v > INT16_MAX ? INT16_MAX : (int16_t)v;
}

/* PSHUFB (SDM Vol.2 PSHUFB): bit 7 of the index zeroes, else picks a byte. */
static void pshufb(XMMReg *r, const XMMReg *d, const XMMReg *s, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        r->b[i] = (s->b[i] & 0x80) ? 0 : d->b[s->b[i] & (n - 1)];
    }
}

/* PHADD/PHSUB on words: adjacent pairs of dst fill the low half, of src the high. */
static void hwords(unsigned m, XMMReg *r, const XMMReg *d, const XMMReg *s, unsigned n)
{
    unsigned half = n / 4;

    for (unsigned i = 0; i < n / 2; i++) {
        const XMMReg *x = i < half ? d : s;
        unsigned k = (i % half) * 2;
        int32_t a = (int16_t)x->w[k], b = (int16_t)x->w[k + 1];
        switch (m) {
        case X86_MN_PHADDW: r->w[i] = (uint16_t)(a + b); break;
        case X86_MN_PHSUBW: r->w[i] = (uint16_t)(a - b); break;
        case X86_MN_PHADDSW: r->w[i] = (uint16_t)sat16(a + b); break;
        default: r->w[i] = (uint16_t)sat16(a - b); break;
        }
    }
}

static void hdwords(unsigned m, XMMReg *r, const XMMReg *d, const XMMReg *s, unsigned n)
{
    unsigned half = n / 8;

    for (unsigned i = 0; i < n / 4; i++) {
        const XMMReg *x = i < half ? d : s;
        unsigned k = (i % half) * 2;
        r->l[i] = m == X86_MN_PHADDD ? x->l[k] + x->l[k + 1] : x->l[k] - x->l[k + 1];
    }
}

/* PSIGNB/W/D: negate, zero or keep each dst element by the sign of src. */
static uint64_t sign_elem(uint64_t dv, int64_t sv, uint64_t mask)
{
    return sv < 0 ? (0 - dv) & mask : sv == 0 ? 0 : dv;
}

/* PALIGNR: (dst:src) >> 8 * imm bytes, the low n bytes (zeros past the end). */
static void palignr(XMMReg *r, const XMMReg *d, const XMMReg *s, unsigned imm, unsigned n)
{
    uint8_t cat[32];

    memcpy(cat, s->b, n);
    memcpy(cat + n, d->b, n);
    for (unsigned i = 0; i < n; i++) {
        r->b[i] = imm + i < 2 * n ? cat[imm + i] : 0;
    }
}

/* The SSSE3 operations on n bytes (8: MMX, 16: XMM); false if m is not one. */
static bool ssse3_op(unsigned m, XMMReg *r, const XMMReg *d, const XMMReg *s,
                     unsigned imm, unsigned n)
{
    switch (m) {
    case X86_MN_PSHUFB: pshufb(r, d, s, n); return true;
    case X86_MN_PHADDW: case X86_MN_PHSUBW: case X86_MN_PHADDSW: case X86_MN_PHSUBSW:
        hwords(m, r, d, s, n);
        return true;
    case X86_MN_PHADDD: case X86_MN_PHSUBD: hdwords(m, r, d, s, n); return true;
    case X86_MN_PMADDUBSW:
        for (unsigned i = 0; i < n / 2; i++) {
            int32_t v = d->b[2 * i] * (int8_t)s->b[2 * i] +
                        d->b[2 * i + 1] * (int8_t)s->b[2 * i + 1];
            r->w[i] = (uint16_t)sat16(v);
        }
        return true;
    case X86_MN_PMULHRSW:
        for (unsigned i = 0; i < n / 2; i++) {
            int32_t v = (((int16_t)d->w[i] * (int16_t)s->w[i]) >> 14) + 1;
            r->w[i] = (uint16_t)(v >> 1);
        }
        return true;
    case X86_MN_PSIGNB:
        for (unsigned i = 0; i < n; i++) r->b[i] = sign_elem(d->b[i], (int8_t)s->b[i], 0xff);
        return true;
    case X86_MN_PSIGNW:
        for (unsigned i = 0; i < n / 2; i++) {
            r->w[i] = sign_elem(d->w[i], (int16_t)s->w[i], 0xffff);
        }
        return true;
    case X86_MN_PSIGND:
        for (unsigned i = 0; i < n / 4; i++) {
            r->l[i] = sign_elem(d->l[i], (int32_t)s->l[i], 0xffffffffu);
        }
        return true;
    case X86_MN_PABSB:
        for (unsigned i = 0; i < n; i++) r->b[i] = sign_elem(s->b[i], (int8_t)s->b[i], 0xff);
        return true;
    case X86_MN_PABSW:
        for (unsigned i = 0; i < n / 2; i++) {
            r->w[i] = sign_elem(s->w[i], (int16_t)s->w[i], 0xffff);
        }
        return true;
    case X86_MN_PABSD:
        for (unsigned i = 0; i < n / 4; i++) {
            r->l[i] = sign_elem(s->l[i], (int32_t)s->l[i], 0xffffffffu);
        }
        return true;
    case X86_MN_PALIGNR: palignr(r, d, s, imm, n); return true;
    default:
        return false;
    }
}

/* The blends: mask bit i set takes element i of src (SDM Vol.2 BLENDPS...). */
static bool blend_op(const XMMReg *xmm0, unsigned m, XMMReg *r, const XMMReg *s,
                     unsigned imm)
{
    switch (m) {
    case X86_MN_PBLENDVB:
        for (int i = 0; i < 16; i++) r->b[i] = (xmm0->b[i] & 0x80) ? s->b[i] : r->b[i];
        return true;
    case X86_MN_BLENDVPS:
        for (int i = 0; i < 4; i++) r->l[i] = (xmm0->l[i] >> 31) ? s->l[i] : r->l[i];
        return true;
    case X86_MN_BLENDVPD:
        for (int i = 0; i < 2; i++) r->q[i] = (xmm0->q[i] >> 63) ? s->q[i] : r->q[i];
        return true;
    case X86_MN_PBLENDW:
        for (int i = 0; i < 8; i++) r->w[i] = (imm >> i) & 1 ? s->w[i] : r->w[i];
        return true;
    case X86_MN_BLENDPS:
        for (int i = 0; i < 4; i++) r->l[i] = (imm >> i) & 1 ? s->l[i] : r->l[i];
        return true;
    case X86_MN_BLENDPD:
        for (int i = 0; i < 2; i++) r->q[i] = (imm >> i) & 1 ? s->q[i] : r->q[i];
        return true;
    default:
        return false;
    }
}

/* PMOVSX / PMOVZX: from the low elements of src, widened (signed or not). */
static bool pmovx_op(unsigned m, XMMReg *r, const XMMReg *s)
{
    static const struct { uint16_t sx, zx; uint8_t from, to; } rows[] = {
        { X86_MN_PMOVSXBW, X86_MN_PMOVZXBW, 1, 2 }, { X86_MN_PMOVSXBD, X86_MN_PMOVZXBD, 1, 4 },
        { X86_MN_PMOVSXBQ, X86_MN_PMOVZXBQ, 1, 8 }, { X86_MN_PMOVSXWD, X86_MN_PMOVZXWD, 2, 4 },
        { X86_MN_PMOVSXWQ, X86_MN_PMOVZXWQ, 2, 8 }, { X86_MN_PMOVSXDQ, X86_MN_PMOVZXDQ, 4, 8 },
    };

    for (unsigned k = 0; k < ARRAY_SIZE(rows); k++) {
        unsigned from = rows[k].from, to = rows[k].to;
        bool sx = m == rows[k].sx;

        if (!sx && m != rows[k].zx) {
            continue;
        }
        for (unsigned i = 0; i < 16 / to; i++) {
            uint64_t v = 0;
            memcpy(&v, &s->b[i * from], from);
            if (sx && (v >> (8 * from - 1))) {
                v |= ~0ull << (8 * from);
            }
            memcpy(&r->b[i * to], &v, to);
        }
        return true;
    }
    return false;
}

/* PMINSB/PMAXSB, PMINUW/PMAXUW, PMINSD/PMAXSD, PMINUD/PMAXUD, PCMPEQQ... */
static bool minmax_op(unsigned m, XMMReg *r, const XMMReg *d, const XMMReg *s)
{
    switch (m) {
    case X86_MN_PMINSB: case X86_MN_PMAXSB:
        for (int i = 0; i < 16; i++) {
            bool lt = (int8_t)d->b[i] < (int8_t)s->b[i];
            r->b[i] = lt == (m == X86_MN_PMINSB) ? d->b[i] : s->b[i];
        }
        return true;
    case X86_MN_PMINUW: case X86_MN_PMAXUW:
        for (int i = 0; i < 8; i++) {
            bool lt = d->w[i] < s->w[i];
            r->w[i] = lt == (m == X86_MN_PMINUW) ? d->w[i] : s->w[i];
        }
        return true;
    case X86_MN_PMINSD: case X86_MN_PMAXSD:
        for (int i = 0; i < 4; i++) {
            bool lt = (int32_t)d->l[i] < (int32_t)s->l[i];
            r->l[i] = lt == (m == X86_MN_PMINSD) ? d->l[i] : s->l[i];
        }
        return true;
    case X86_MN_PMINUD: case X86_MN_PMAXUD:
        for (int i = 0; i < 4; i++) {
            bool lt = d->l[i] < s->l[i];
            r->l[i] = lt == (m == X86_MN_PMINUD) ? d->l[i] : s->l[i];
        }
        return true;
    default:
        return false;
    }
}

/* PHMINPOSUW: the lowest-indexed minimum word of src and its index. */
static void phminposuw(XMMReg *r, const XMMReg *s)
{
    unsigned idx = 0;

    for (unsigned i = 1; i < 8; i++) {
        if (s->w[i] < s->w[idx]) {
            idx = i;
        }
    }
    r->q[0] = s->w[idx] | (uint64_t)idx << 16;
    r->q[1] = 0;
}

/* MPSADBW: eight sums of absolute differences of four bytes (SDM Vol.2). */
static void mpsadbw(XMMReg *r, const XMMReg *d, const XMMReg *s, unsigned imm)
{
    unsigned so = (imm & 3) * 4, dof = (imm & 4) ? 4 : 0;
    XMMReg t;

    for (unsigned i = 0; i < 8; i++) {
        unsigned sum = 0;
        for (unsigned j = 0; j < 4; j++) {
            int diff = (int)d->b[dof + i + j] - (int)s->b[so + j];
            sum += (unsigned)(diff < 0 ? -diff : diff);
        }
        t.w[i] = (uint16_t)sum;
    }
    *r = t;
}

/* INSERTPS: dword imm[7:6] of src into dword imm[5:4], then zero mask imm[3:0]. */
static void insertps(XMMReg *r, const XMMReg *s, unsigned imm)
{
    r->l[(imm >> 4) & 3] = s->l[(imm >> 6) & 3];
    for (int i = 0; i < 4; i++) {
        if ((imm >> i) & 1) {
            r->l[i] = 0;
        }
    }
}

/* The remaining SSE4.1 integer operations on full XMM registers. */
static bool sse41_op(unsigned m, XMMReg *r, const XMMReg *d, const XMMReg *s, unsigned imm)
{
    switch (m) {
    case X86_MN_PMULDQ:
        for (int i = 0; i < 2; i++) {
            r->q[i] = (uint64_t)((int64_t)(int32_t)d->l[2 * i] * (int32_t)s->l[2 * i]);
        }
        return true;
    case X86_MN_PMULLD:
        for (int i = 0; i < 4; i++) r->l[i] = d->l[i] * s->l[i];
        return true;
    case X86_MN_PCMPEQQ:
        for (int i = 0; i < 2; i++) r->q[i] = d->q[i] == s->q[i] ? ~0ull : 0;
        return true;
    case X86_MN_PACKUSDW:
        for (int i = 0; i < 8; i++) {
            int32_t v = (int32_t)(i < 4 ? d->l[i] : s->l[i - 4]);
            r->w[i] = (uint16_t)(v < 0 ? 0 : v > 0xffff ? 0xffff : v);
        }
        return true;
    case X86_MN_PHMINPOSUW: phminposuw(r, s); return true;
    case X86_MN_MPSADBW: mpsadbw(r, d, s, imm); return true;
    case X86_MN_INSERTPS: insertps(r, s, imm); return true;
    default:
        return minmax_op(m, r, d, s) || pmovx_op(m, r, s);
    }
}

bool x86_sse4_lane_op(const XMMReg *xmm0, unsigned m, XMMReg *d, const XMMReg *s,
                      unsigned imm, unsigned n)
{
    XMMReg r = *d;

    if (!ssse3_op(m, &r, d, s, imm, n) &&
        (n != 16 || (!blend_op(xmm0, m, &r, s, imm) && !sse41_op(m, &r, d, s, imm)))) {
        return false;
    }
    *d = r;
    return true;
}

/*
 * PTEST (SDM Vol.2 PTEST): ZF = ((dst AND src) == 0), CF = ((NOT dst AND
 * src) == 0); AF, OF, PF and SF are cleared.
 */
void helper_sse_ptest(X86CPUState *env, uint64_t dst_off, uint64_t src_off)
{
    const XMMReg *d = (const XMMReg *)((uint8_t *)env + dst_off);
    const XMMReg *s = (const XMMReg *)((uint8_t *)env + src_off);
    uint64_t f = 0;

    if (((d->q[0] & s->q[0]) | (d->q[1] & s->q[1])) == 0) {
        f |= CC_Z;
    }
    if (((~d->q[0] & s->q[0]) | (~d->q[1] & s->q[1])) == 0) {
        f |= CC_C;
    }
    env->eflags = (env->eflags & ~(uint64_t)CC_MASK) | f;
    env->cc_op = CC_OP_EFLAGS;
}
