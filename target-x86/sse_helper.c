/*
 * sse_helper.c: the SSE/SSE2 integer, logic, shuffle and mask
 * instructions on XMM registers (no floating-point arithmetic yet). The
 * translator (translate-sse.c) passes the mnemonic and the byte offsets
 * of the destination and source XMMReg in the CPU state (a memory source
 * was loaded into env->xmm_t0 first); this file does the lane arithmetic
 * of SDM Vol.2 for each one; the SSSE3 and SSE4.1 lanes are in
 * sse4_helper.c (x86_sse4_lane_op). helper_mmx runs the same lane code on the
 * 64-bit MMX registers (x87 significands), helper_mmx_enter the MMX-mode
 * entry of the x87 (SDM Vol.1 9.5/9.6).
 */
#include "vireo/common.h"
#include <stdlib.h>
#include "tcg/tb.h"
#include "target-x86/helper-internal.h"
#include "target-x86/decode.h"

static XMMReg *xmm_at(X86CPUState *env, uint64_t off)
{
    return (XMMReg *)((uint8_t *)env + off);
}

static uint8_t sat_u8(int v) { return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v; }
static int8_t sat_s8(int v) { return v < -128 ? -128 : v > 127 ? 127 : (int8_t)v; }
static uint16_t sat_u16(int v) { return v < 0 ? 0 : v > 65535 ? 65535 : (uint16_t)v; }
static int16_t sat_s16(int v) { return v < -32768 ? -32768 : v > 32767 ? 32767 : (int16_t)v; }

/* Per-lane byte and word operations. */
static bool lanes8(unsigned m, XMMReg *d, const XMMReg *s)
{
    for (int i = 0; i < 16; i++) {
        uint8_t a = d->b[i], b = s->b[i];
        switch (m) {
        case X86_MN_PADDB: d->b[i] = a + b; break;
        case X86_MN_PSUBB: d->b[i] = a - b; break;
        case X86_MN_PADDUSB: d->b[i] = sat_u8(a + b); break;
        case X86_MN_PSUBUSB: d->b[i] = sat_u8(a - b); break;
        case X86_MN_PADDSB: d->b[i] = (uint8_t)sat_s8((int8_t)a + (int8_t)b); break;
        case X86_MN_PSUBSB: d->b[i] = (uint8_t)sat_s8((int8_t)a - (int8_t)b); break;
        case X86_MN_PMINUB: d->b[i] = a < b ? a : b; break;
        case X86_MN_PMAXUB: d->b[i] = a > b ? a : b; break;
        case X86_MN_PAVGB: d->b[i] = (a + b + 1) >> 1; break;
        case X86_MN_PCMPEQB: d->b[i] = a == b ? 0xff : 0; break;
        case X86_MN_PCMPGTB: d->b[i] = (int8_t)a > (int8_t)b ? 0xff : 0; break;
        default: return false;
        }
    }
    return true;
}

static bool lanes16(unsigned m, XMMReg *d, const XMMReg *s)
{
    for (int i = 0; i < 8; i++) {
        uint16_t a = d->w[i], b = s->w[i];
        switch (m) {
        case X86_MN_PADDW: d->w[i] = a + b; break;
        case X86_MN_PSUBW: d->w[i] = a - b; break;
        case X86_MN_PADDUSW: d->w[i] = sat_u16(a + b); break;
        case X86_MN_PSUBUSW: d->w[i] = sat_u16(a - b); break;
        case X86_MN_PADDSW: d->w[i] = (uint16_t)sat_s16((int16_t)a + (int16_t)b); break;
        case X86_MN_PSUBSW: d->w[i] = (uint16_t)sat_s16((int16_t)a - (int16_t)b); break;
        case X86_MN_PMINSW: d->w[i] = (int16_t)a < (int16_t)b ? a : b; break;
        case X86_MN_PMAXSW: d->w[i] = (int16_t)a > (int16_t)b ? a : b; break;
        case X86_MN_PAVGW: d->w[i] = (a + b + 1) >> 1; break;
        case X86_MN_PCMPEQW: d->w[i] = a == b ? 0xffff : 0; break;
        case X86_MN_PCMPGTW: d->w[i] = (int16_t)a > (int16_t)b ? 0xffff : 0; break;
        case X86_MN_PMULLW: d->w[i] = (uint16_t)(a * b); break;
        case X86_MN_PMULHW: d->w[i] = (uint16_t)(((int16_t)a * (int16_t)b) >> 16); break;
        case X86_MN_PMULHUW: d->w[i] = (uint16_t)(((uint32_t)a * b) >> 16); break;
        default: return false;
        }
    }
    return true;
}

static bool lanes32_64(unsigned m, XMMReg *d, const XMMReg *s)
{
    XMMReg r = *d;

    switch (m) {
    case X86_MN_PADDD: for (int i = 0; i < 4; i++) r.l[i] += s->l[i]; break;
    case X86_MN_PSUBD: for (int i = 0; i < 4; i++) r.l[i] -= s->l[i]; break;
    case X86_MN_PCMPEQD: for (int i = 0; i < 4; i++) r.l[i] = d->l[i] == s->l[i] ? ~0u : 0; break;
    case X86_MN_PCMPGTD:
        for (int i = 0; i < 4; i++) r.l[i] = (int32_t)d->l[i] > (int32_t)s->l[i] ? ~0u : 0;
        break;
    case X86_MN_PADDQ: for (int i = 0; i < 2; i++) r.q[i] += s->q[i]; break;
    case X86_MN_PSUBQ: for (int i = 0; i < 2; i++) r.q[i] -= s->q[i]; break;
    case X86_MN_PMULUDQ:
        for (int i = 0; i < 2; i++) r.q[i] = (uint64_t)d->l[i * 2] * s->l[i * 2];
        break;
    case X86_MN_PMADDWD:
        for (int i = 0; i < 4; i++) {
            r.l[i] = (uint32_t)((int64_t)(int16_t)d->w[2 * i] * (int16_t)s->w[2 * i] +
                                (int64_t)(int16_t)d->w[2 * i + 1] * (int16_t)s->w[2 * i + 1]);
        }
        break;
    case X86_MN_PSADBW:
        for (int h = 0; h < 2; h++) {
            unsigned sum = 0;
            for (int i = 0; i < 8; i++) {
                sum += abs((int)d->b[h * 8 + i] - (int)s->b[h * 8 + i]);
            }
            r.q[h] = sum;
        }
        break;
    case X86_MN_PXOR: case X86_MN_XORPS: case X86_MN_XORPD:
        r.q[0] ^= s->q[0]; r.q[1] ^= s->q[1];
        break;
    case X86_MN_POR: case X86_MN_ORPS: case X86_MN_ORPD:
        r.q[0] |= s->q[0]; r.q[1] |= s->q[1];
        break;
    case X86_MN_PAND: case X86_MN_ANDPS: case X86_MN_ANDPD:
        r.q[0] &= s->q[0]; r.q[1] &= s->q[1];
        break;
    case X86_MN_PANDN: case X86_MN_ANDNPS: case X86_MN_ANDNPD:
        r.q[0] = ~r.q[0] & s->q[0]; r.q[1] = ~r.q[1] & s->q[1];
        break;
    default:
        return false;
    }
    *d = r;
    return true;
}

/* Interleaves the low (high = false) or high halves at element width w. */
static void unpack(XMMReg *d, const XMMReg *s, unsigned w, bool high)
{
    XMMReg r;
    unsigned n = 16 / w / 2, base = high ? 8 : 0;

    for (unsigned i = 0; i < n; i++) {
        memcpy(&r.b[2 * i * w], &d->b[base + i * w], w);
        memcpy(&r.b[(2 * i + 1) * w], &s->b[base + i * w], w);
    }
    *d = r;
}

static bool shuffles(unsigned m, XMMReg *d, const XMMReg *s, unsigned imm)
{
    XMMReg r = *d;

    switch (m) {
    case X86_MN_PUNPCKLBW: unpack(d, s, 1, false); return true;
    case X86_MN_PUNPCKLWD: unpack(d, s, 2, false); return true;
    case X86_MN_PUNPCKLDQ: case X86_MN_UNPCKLPS: unpack(d, s, 4, false); return true;
    case X86_MN_PUNPCKLQDQ: case X86_MN_UNPCKLPD: unpack(d, s, 8, false); return true;
    case X86_MN_PUNPCKHBW: unpack(d, s, 1, true); return true;
    case X86_MN_PUNPCKHWD: unpack(d, s, 2, true); return true;
    case X86_MN_PUNPCKHDQ: case X86_MN_UNPCKHPS: unpack(d, s, 4, true); return true;
    case X86_MN_PUNPCKHQDQ: case X86_MN_UNPCKHPD: unpack(d, s, 8, true); return true;
    case X86_MN_PSHUFD:
        for (int i = 0; i < 4; i++) r.l[i] = s->l[(imm >> (2 * i)) & 3];
        break;
    case X86_MN_PSHUFLW:
        r = *s;
        for (int i = 0; i < 4; i++) r.w[i] = s->w[(imm >> (2 * i)) & 3];
        break;
    case X86_MN_PSHUFHW:
        r = *s;
        for (int i = 0; i < 4; i++) r.w[4 + i] = s->w[4 + ((imm >> (2 * i)) & 3)];
        break;
    case X86_MN_SHUFPS:
        r.l[0] = d->l[imm & 3];
        r.l[1] = d->l[(imm >> 2) & 3];
        r.l[2] = s->l[(imm >> 4) & 3];
        r.l[3] = s->l[(imm >> 6) & 3];
        break;
    case X86_MN_SHUFPD:
        r.q[0] = d->q[imm & 1];
        r.q[1] = s->q[(imm >> 1) & 1];
        break;
    case X86_MN_PACKSSWB:
        for (int i = 0; i < 8; i++) {
            r.b[i] = (uint8_t)sat_s8((int16_t)d->w[i]);
            r.b[8 + i] = (uint8_t)sat_s8((int16_t)s->w[i]);
        }
        break;
    case X86_MN_PACKUSWB:
        for (int i = 0; i < 8; i++) {
            r.b[i] = sat_u8((int16_t)d->w[i]);
            r.b[8 + i] = sat_u8((int16_t)s->w[i]);
        }
        break;
    case X86_MN_PACKSSDW:
        for (int i = 0; i < 4; i++) {
            int32_t a = (int32_t)d->l[i], b = (int32_t)s->l[i];
            r.w[i] = (uint16_t)(a < -32768 ? -32768 : a > 32767 ? 32767 : a);
            r.w[4 + i] = (uint16_t)(b < -32768 ? -32768 : b > 32767 ? 32767 : b);
        }
        break;
    default:
        return false;
    }
    *d = r;
    return true;
}

/* Shifts by count (an immediate, or the low quadword of the source). */
static bool shifts(unsigned m, XMMReg *d, uint64_t count)
{
    XMMReg r = *d;

    switch (m) {
    case X86_MN_PSRLW: for (int i = 0; i < 8; i++) r.w[i] = count > 15 ? 0 : d->w[i] >> count; break;
    case X86_MN_PSRLD: for (int i = 0; i < 4; i++) r.l[i] = count > 31 ? 0 : d->l[i] >> count; break;
    case X86_MN_PSRLQ: for (int i = 0; i < 2; i++) r.q[i] = count > 63 ? 0 : d->q[i] >> count; break;
    case X86_MN_PSLLW: for (int i = 0; i < 8; i++) r.w[i] = count > 15 ? 0 : (uint16_t)(d->w[i] << count); break;
    case X86_MN_PSLLD: for (int i = 0; i < 4; i++) r.l[i] = count > 31 ? 0 : d->l[i] << count; break;
    case X86_MN_PSLLQ: for (int i = 0; i < 2; i++) r.q[i] = count > 63 ? 0 : d->q[i] << count; break;
    case X86_MN_PSRAW:
        for (int i = 0; i < 8; i++) r.w[i] = (uint16_t)((int16_t)d->w[i] >> (count > 15 ? 15 : count));
        break;
    case X86_MN_PSRAD:
        for (int i = 0; i < 4; i++) r.l[i] = (uint32_t)((int32_t)d->l[i] >> (count > 31 ? 31 : count));
        break;
    case X86_MN_PSRLDQ:
        memset(&r, 0, sizeof(r));
        if (count < 16) {
            memcpy(&r.b[0], &d->b[count], 16 - count);
        }
        break;
    case X86_MN_PSLLDQ:
        memset(&r, 0, sizeof(r));
        if (count < 16) {
            memcpy(&r.b[count], &d->b[0], 16 - count);
        }
        break;
    default:
        return false;
    }
    *d = r;
    return true;
}

/* The lane operation m on d and s (n bytes wide for SSSE3 and later); false
 * when m is not one of them. */
static bool sse_op(const XMMReg *xmm0, unsigned m, XMMReg *d, const XMMReg *s,
                   uint64_t imm, unsigned n)
{
    return lanes8(m, d, s) || lanes16(m, d, s) || lanes32_64(m, d, s) ||
           shuffles(m, d, s, imm & 0xff) ||
           shifts(m, d, (imm >> 8) ? imm & 0xff : s->q[0]) ||
           x86_sse4_lane_op(xmm0, m, d, s, imm & 0xff, n);
}

/* imm: bits 0-7 the immediate; bit 8 set when it is a shift count. */
void helper_sse(X86CPUState *env, uint64_t m, uint64_t dst_off, uint64_t src_off,
                uint64_t imm)
{
    XMMReg s = *xmm_at(env, src_off);

    if (!sse_op(&env->xmm[0], m, xmm_at(env, dst_off), &s, imm, 16)) {
        x86_raise_exception(env, EXCP_UD, TCG_GETPC());
    }
}

/*
 * The 64-bit MMX form of an SSE lane operation (SDM Vol.1 9.4): the
 * operands sit in the low quadword of XMM-shaped temporaries. The high
 * unpacks take the high doublewords, so they become low unpacks of the
 * operands shifted right by 32; the packs see destination and source as
 * one 128-bit destination; PSHUFW is PSHUFLW. The destination is an MMX
 * register (x87 significand); its exponent field becomes all ones.
 */
void helper_mmx(X86CPUState *env, uint64_t m, uint64_t dst_off, uint64_t src_off,
                uint64_t imm)
{
    FloatX80 *reg = (FloatX80 *)((uint8_t *)env + dst_off);
    XMMReg d = { .q = { reg->mant, 0 } }, s = { .q = { xmm_at(env, src_off)->q[0], 0 } };

    switch (m) {
    case X86_MN_PUNPCKHBW: case X86_MN_PUNPCKHWD: case X86_MN_PUNPCKHDQ:
        d.q[0] >>= 32;
        s.q[0] >>= 32;
        m = m == X86_MN_PUNPCKHBW ? X86_MN_PUNPCKLBW :
            m == X86_MN_PUNPCKHWD ? X86_MN_PUNPCKLWD : X86_MN_PUNPCKLDQ;
        break;
    case X86_MN_PACKSSWB: case X86_MN_PACKUSWB: case X86_MN_PACKSSDW:
        d.q[1] = s.q[0];
        break;
    case X86_MN_PSHUFW:
        m = X86_MN_PSHUFLW;
        break;
    default:
        break;
    }
    if (!sse_op(&env->xmm[0], m, &d, &s, imm, 8)) {
        x86_raise_exception(env, EXCP_UD, TCG_GETPC());
    }
    reg->mant = d.q[0];
    reg->sexp = 0xffff;
}

/*
 * Entry into MMX mode before an MMX instruction (SDM Vol.1 9.5.1, 9.6):
 * a pending unmasked x87 exception is reported first (#MF, or FERR# with
 * CR0.NE clear: x86_fpu_check_pending); then TOP = 0 and every tag is valid.
 */
void helper_mmx_enter(X86CPUState *env)
{
    x86_fpu_check_pending(env, TCG_GETPC());
    env->fpstt = 0;
    memset(env->fptags, 0, sizeof(env->fptags));
}

uint64_t helper_sse_movmsk(X86CPUState *env, uint64_t m, uint64_t src_off)
{
    const XMMReg *s = xmm_at(env, src_off);
    uint64_t r = 0;

    if (m == X86_MN_PMOVMSKB) {
        for (int i = 0; i < 16; i++) r |= (uint64_t)(s->b[i] >> 7) << i;
    } else if (m == X86_MN_MOVMSKPS) {
        for (int i = 0; i < 4; i++) r |= (uint64_t)(s->l[i] >> 31) << i;
    } else {
        for (int i = 0; i < 2; i++) r |= (s->q[i] >> 63) << i;
    }
    return r;
}
