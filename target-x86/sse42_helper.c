/*
 * sse42_helper.c: the SSE4.2 instructions at run time. The translator
 * (translate-sse42.c) calls helper_pcmpstr for PCMPESTRI/PCMPESTRM/
 * PCMPISTRI/PCMPISTRM, helper_pcmpgtq for PCMPGTQ and helper_crc32 for
 * CRC32, passing byte offsets of XMMReg fields in the CPU state (a memory
 * operand was loaded into env->xmm_t0 first). The string compare follows
 * SDM Vol.2 section 4.1 ("Imm8 control byte operation for PCMPESTRI /
 * PCMPESTRM / PCMPISTRI / PCMPISTRM"): source data format, aggregation,
 * polarity and output selection. x86_pcmpstr is the pure core, exported
 * for the unit tests.
 */
#include "vireo/common.h"
#include "target-x86/helper-internal.h"

static XMMReg *xmm_at(X86CPUState *env, uint64_t off)
{
    return (XMMReg *)((uint8_t *)env + off);
}

/* Length of the string in r up to its first zero element (SDM 4.1.1),
 * eight bytes or four words at a time: (v - ones) & ~v & highs sets the
 * top bit of every zero element, and the lowest set bit is exact (the
 * borrows that make false hits only go upwards from a real zero). */
static unsigned implicit_len(const XMMReg *r, unsigned imm, unsigned n)
{
    unsigned bits = (imm & 1) ? 16 : 8;
    uint64_t ones = (imm & 1) ? 0x0001000100010001ull : 0x0101010101010101ull;
    uint64_t highs = ones << (bits - 1);

    for (unsigned q = 0; q < 2; q++) {
        uint64_t v = r->q[q], z = (v - ones) & ~v & highs;

        if (z) {
            return q * (n / 2) + (unsigned)__builtin_ctzll(z) / bits;
        }
    }
    return n;
}

/* |v| saturated to n (SDM 4.1.1: explicit lengths in EAX/EDX, RAX/RDX). */
static unsigned explicit_len(uint64_t v, bool wide, unsigned n)
{
    int64_t s = wide ? (int64_t)v : (int64_t)(int32_t)v;
    uint64_t mag = s < 0 ? -(uint64_t)s : (uint64_t)s;

    return mag > n ? n : (unsigned)mag;
}

/* All n elements of r in the format imm[1:0] (SDM 4.1.2), sign-extended
 * for the signed formats. */
static void unpack(const XMMReg *r, unsigned imm, unsigned n, int32_t *out)
{
    for (unsigned i = 0; i < n; i++) {          /* n is 8 for words */
        switch (imm & 3) {
        case 0: out[i] = r->b[i]; break;
        case 1: out[i] = r->w[i]; break;
        case 2: out[i] = (int8_t)r->b[i]; break;
        default: out[i] = (int16_t)r->w[i]; break;
        }
    }
}

/* Bit j set when the valid byte j of b is in set (256 bits, indexed by the
 * byte, flipped by key: 0x80 for the signed format keeps the order). */
static uint32_t bytes_in_set(const uint64_t *set, const XMMReg *b, unsigned lb, unsigned key)
{
    uint32_t res = 0;

    for (unsigned j = 0; j < lb; j++) {
        unsigned v = b->b[j] ^ key;
        res |= (uint32_t)((set[v >> 6] >> (v & 63)) & 1) << j;
    }
    return res;
}

/* Equal any over byte elements (signed or not: equality is the same):
 * the valid bytes of a as a 256-bit set, then one lookup per valid byte
 * of b, instead of up to 256 compares. */
static uint32_t equal_any_bytes(const XMMReg *a, const XMMReg *b, unsigned la, unsigned lb)
{
    uint64_t set[4] = { 0, 0, 0, 0 };

    for (unsigned i = 0; i < la; i++) {
        set[a->b[i] >> 6] |= 1ull << (a->b[i] & 63);
    }
    return bytes_in_set(set, b, lb, 0);
}

/* Ranges over byte elements: the union of the valid ranges of a as a
 * 256-bit set (an empty range, low above high, adds nothing). */
static uint32_t ranges_bytes(const XMMReg *a, const XMMReg *b, unsigned imm, unsigned la,
                             unsigned lb)
{
    uint64_t set[4] = { 0, 0, 0, 0 };
    unsigned key = (imm & 2) ? 0x80 : 0;

    for (unsigned i = 0; i + 1 < la; i += 2) {
        unsigned lo = a->b[i] ^ key, hi = a->b[i + 1] ^ key;

        for (unsigned w = lo / 64; lo <= hi && w <= hi / 64; w++) {
            unsigned from = w * 64 > lo ? 0 : lo % 64;
            unsigned to = w * 64 + 63 < hi ? 63 : hi % 64;
            set[w] |= (~0ull >> (63 - to)) & (~0ull << from);
        }
    }
    return bytes_in_set(set, b, lb, key);
}

/*
 * IntRes1 of SDM 4.1.3 (aggregation) for n elements, built from bit
 * masks over j (the element of b) instead of one BoolRes at a time:
 * a = xmm1 element i, b = xmm2/m128 element j, agg = imm[3:2]. The
 * invalid-element overrides of SDM Table 4-7 become limits on i and j:
 *   equal any: a pair counts only when both are valid;
 *   ranges:    a range counts only when both bounds and b[j] are valid;
 *   equal each: both valid -> compare, both invalid -> true, else false;
 *   equal ordered: a[i] invalid -> true; a[i] valid, b[j+i] invalid ->
 *              false; positions j+i >= n -> true.
 */
static uint32_t aggregate(const XMMReg *a, const XMMReg *b, unsigned imm, unsigned n,
                          unsigned la, unsigned lb)
{
    unsigned agg = (imm >> 2) & 3;
    uint32_t all = (1u << n) - 1, res = 0;
    int32_t ae[16], be[16];

    unpack(a, imm, n, ae);
    unpack(b, imm, n, be);
    switch (agg) {
    case 0:                              /* equal any */
        if (n == 16) {
            return equal_any_bytes(a, b, la, lb);
        }
        for (unsigned j = 0; j < lb; j++) {
            for (unsigned i = 0; i < la; i++) {
                if (ae[i] == be[j]) {
                    res |= 1u << j;
                    break;
                }
            }
        }
        return res;
    case 1:                              /* ranges: a[i] <= b[j] <= a[i+1] */
        if (n == 16) {
            return ranges_bytes(a, b, imm, la, lb);
        }
        for (unsigned j = 0; j < lb; j++) {
            for (unsigned i = 0; i + 1 < la; i += 2) {
                if (be[j] >= ae[i] && be[j] <= ae[i + 1]) {
                    res |= 1u << j;
                    break;
                }
            }
        }
        return res;
    case 2: {                            /* equal each */
        unsigned both = la < lb ? la : lb;
        for (unsigned j = 0; j < both; j++) {
            res |= (uint32_t)(ae[j] == be[j]) << j;
        }
        /* both invalid: j >= la and j >= lb */
        return res | (all & ~((1u << (la > lb ? la : lb)) - 1));
    }
    default:                             /* equal ordered: a found at b[j] */
        res = all;
        for (unsigned i = 0; i < la && res; i++) {
            uint32_t eq = 0;
            for (unsigned k = i; k < lb; k++) {
                eq |= (uint32_t)(ae[i] == be[k]) << k;
            }
            /* bit j of the term is the pair (a[i], b[j+i]); j+i >= n is true */
            res &= (eq >> i) | (all & ~((1u << (n - i)) - 1));
        }
        return res;
    }
}

void x86_pcmpstr(const XMMReg *a, const XMMReg *b, unsigned imm, unsigned la, unsigned lb,
                 X86PcmpstrResult *out)
{
    unsigned n = (imm & 1) ? 8 : 16;
    uint32_t all = (1u << n) - 1;
    uint32_t r1 = aggregate(a, b, imm, n, la, lb), r2;

    /* SDM 4.1.4 polarity */
    switch ((imm >> 4) & 3) {
    case 1: r2 = ~r1 & all; break;
    case 3: r2 = r1 ^ ((1u << lb) - 1); break;
    default: r2 = r1; break;
    }
    out->intres2 = r2;
    /* SDM 4.1.5 output selection: the index, n when no bit is set */
    if (!r2) {
        out->index = n;
    } else if (imm & 0x40) {
        out->index = 31 - (unsigned)__builtin_clz(r2);
    } else {
        out->index = (unsigned)__builtin_ctz(r2);
    }
    memset(&out->mask, 0, sizeof(out->mask));
    if (!(imm & 0x40)) {
        out->mask.w[0] = (uint16_t)r2;
    } else {
        for (unsigned i = 0; i < n; i++) {
            if (r2 & (1u << i)) {
                if (n == 16) {
                    out->mask.b[i] = 0xff;
                } else {
                    out->mask.w[i] = 0xffff;
                }
            }
        }
    }
    /* SDM 4.1.6: CF = IntRes2 != 0, ZF = xmm2/m128 shorter than n, SF =
     * xmm1 shorter than n, OF = IntRes2[0]; AF and PF are cleared. */
    out->flags = (r2 ? CC_C : 0) | (lb < n ? CC_Z : 0) | (la < n ? CC_S : 0) |
                 ((r2 & 1) ? CC_O : 0);
}

void helper_pcmpstr(X86CPUState *env, uint64_t ctl, uint64_t src1_off, uint64_t src2_off)
{
    const XMMReg *a = xmm_at(env, src1_off), *b = xmm_at(env, src2_off);
    unsigned imm = ctl & 0xff, n = (imm & 1) ? 8 : 16, la, lb;
    X86PcmpstrResult r;

    if (ctl & X86_PCMPSTR_EXPLICIT) {
        bool wide = ctl & X86_PCMPSTR_REXW;
        la = explicit_len(env->regs[R_EAX], wide, n);
        lb = explicit_len(env->regs[R_EDX], wide, n);
    } else {
        la = implicit_len(a, imm, n);
        lb = implicit_len(b, imm, n);
    }
    x86_pcmpstr(a, b, imm, la, lb, &r);
    if (ctl & X86_PCMPSTR_MASK) {
        env->xmm[0] = r.mask;
    } else {
        env->regs[R_ECX] = r.index;      /* a 32-bit write: bits 63:32 cleared */
    }
    env->eflags = (env->eflags & ~(uint64_t)CC_MASK) | r.flags;
    env->cc_op = CC_OP_EFLAGS;
}

void helper_pcmpgtq(X86CPUState *env, uint64_t dst_off, uint64_t src_off)
{
    XMMReg *d = xmm_at(env, dst_off);
    const XMMReg *s = xmm_at(env, src_off);

    for (int i = 0; i < 2; i++) {
        d->q[i] = (int64_t)d->q[i] > (int64_t)s->q[i] ? ~0ull : 0;
    }
}

/* CRC-32C (Castagnoli, iSCSI), bit-reflected: 0x11EDC6F41 reversed. */
#define CRC32C_POLY_REFLECTED 0x82f63b78u

uint64_t helper_crc32(X86CPUState *env, uint64_t crc, uint64_t val, uint64_t bytes)
{
    uint32_t c = (uint32_t)crc;

    (void)env;
    /* SDM Vol.2 CRC32: the source bits are taken lowest first, with no
     * initial or final inversion (the caller does those). */
    for (unsigned i = 0; i < bytes * 8; i++) {
        uint32_t bit = (c ^ (uint32_t)(val >> i)) & 1;
        c = (c >> 1) ^ (bit ? CRC32C_POLY_REFLECTED : 0);
    }
    return c;
}
