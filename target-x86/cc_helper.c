/*
 * cc_helper.c: computing EFLAGS' six arithmetic bits from the lazy-flag
 * state. Translated code does not compute flags: it stores the operands or
 * the result of the last flag-setting instruction in cc_dst / cc_src /
 * cc_src2 and names the operation in cc_op. This file turns that record
 * back into CF, PF, AF, ZF, SF and OF exactly as the hardware sets them;
 * docs/lazy-flags.md is the table of what each CC_OP_* records.
 */
#include "vireo/common.h"
#include "target-x86/cpu.h"
#include "target-x86/helper.h"

/* PF: set when the low byte of the result has an even number of ones. */
static uint32_t parity_flag(uint64_t v)
{
    return (__builtin_popcount((unsigned)(v & 0xff)) & 1) ? 0 : CC_P;
}

/* The ZF, SF and PF bits of a result of 'bits' width. */
static uint32_t zsp_flags(uint64_t res, unsigned bits)
{
    uint64_t mask = bits == 64 ? ~0ULL : (1ULL << bits) - 1;
    uint32_t f = parity_flag(res);

    res &= mask;
    if (res == 0) {
        f |= CC_Z;
    }
    if ((res >> (bits - 1)) & 1) {
        f |= CC_S;
    }
    return f;
}

/* OF of a + b = res: the operands agree in sign and the result does not. */
static uint32_t add_overflow(uint64_t a, uint64_t b, uint64_t res, unsigned bits)
{
    return (((a ^ res) & (b ^ res)) >> (bits - 1)) & 1 ? CC_O : 0;
}

/* OF of a - b = res: the operands differ in sign and res differs from a. */
static uint32_t sub_overflow(uint64_t a, uint64_t b, uint64_t res, unsigned bits)
{
    return (((a ^ b) & (a ^ res)) >> (bits - 1)) & 1 ? CC_O : 0;
}

/* AF: the carry or borrow out of bit 3. */
static uint32_t aux_flag(uint64_t a, uint64_t b, uint64_t res)
{
    return (a ^ b ^ res) & 0x10 ? CC_A : 0;
}

static uint64_t size_mask(unsigned bits)
{
    return bits == 64 ? ~0ULL : (1ULL << bits) - 1;
}

/* ADD/ADC: dst = result, src = second operand, src2 = carry in (ADC). */
static uint32_t flags_add(uint64_t dst, uint64_t src, uint64_t cin, unsigned bits)
{
    uint64_t m = size_mask(bits);
    uint64_t res = dst & m, b = src & m;
    uint64_t a = (res - b - cin) & m;
    uint32_t f = zsp_flags(res, bits) | aux_flag(a, b, res) |
                 add_overflow(a, b, res, bits);

    if (cin ? res <= a : res < a) {
        f |= CC_C;
    }
    return f;
}

/* SUB/SBB/CMP: dst = result, src = subtrahend, src2 = borrow in (SBB). */
static uint32_t flags_sub(uint64_t dst, uint64_t src, uint64_t cin, unsigned bits)
{
    uint64_t m = size_mask(bits);
    uint64_t res = dst & m, b = src & m;
    uint64_t a = (res + b + cin) & m;
    uint32_t f = zsp_flags(res, bits) | aux_flag(a, b, res) |
                 sub_overflow(a, b, res, bits);

    if (cin ? a <= b : a < b) {
        f |= CC_C;
    }
    return f;
}

/* INC/DEC: dst = result, src = the CF from before (INC/DEC keep CF). */
static uint32_t flags_incdec(uint64_t dst, uint64_t src, bool dec, unsigned bits)
{
    uint64_t m = size_mask(bits);
    uint64_t res = dst & m;
    uint64_t sign = 1ULL << (bits - 1);
    uint32_t f = zsp_flags(res, bits) | (src & CC_C);

    if (dec) {
        f |= aux_flag(res + 1, 1, res);
        f |= res == sign - 1 ? CC_O : 0;
    } else {
        f |= aux_flag(res - 1, 1, res);
        f |= res == sign ? CC_O : 0;
    }
    return f;
}

/*
 * SHL: dst = result, src = operand shifted left by count - 1, so CF is its
 * top bit; OF = CF ^ top bit of the result (SDM Vol.2B SAL/SAR/SHL/SHR:
 * defined for count 1, and what the hardware gives for any count).
 */
static uint32_t flags_shl(uint64_t dst, uint64_t src, unsigned bits)
{
    uint32_t f = zsp_flags(dst, bits);
    uint32_t cf = (src >> (bits - 1)) & 1;

    f |= cf ? CC_C : 0;
    f |= (cf ^ ((dst >> (bits - 1)) & 1)) ? CC_O : 0;
    return f;
}

/*
 * SAR/SHR: dst = result, src = operand shifted right by count - 1, so CF
 * is its bit 0. OF is the change of the sign bit between src and dst:
 * the old top bit for SHR by 1, zero for SAR.
 */
static uint32_t flags_sar(uint64_t dst, uint64_t src, unsigned bits)
{
    uint32_t f = zsp_flags(dst, bits);

    f |= (src & 1) ? CC_C : 0;
    f |= (((dst ^ src) >> (bits - 1)) & 1) ? CC_O : 0;
    return f;
}

/* MUL/IMUL: dst = low half, src nonzero when the result did not fit. */
static uint32_t flags_mul(uint64_t dst, uint64_t src, unsigned bits)
{
    uint32_t f = zsp_flags(dst, bits);

    if (src) {
        f |= CC_C | CC_O;
    }
    return f;
}

uint32_t x86_cc_compute_all(const X86CPUState *env)
{
    uint32_t op = env->cc_op;
    unsigned bits;

    if (op < CC_OP_ADDB || op >= CC_OP_NB) {
        return env->eflags & CC_MASK;
    }
    bits = 8u << ((op - CC_OP_ADDB) & 3);
    switch ((op - CC_OP_ADDB) & ~3u) {
    case CC_OP_ADDB - CC_OP_ADDB:
        return flags_add(env->cc_dst, env->cc_src, 0, bits);
    case CC_OP_ADCB - CC_OP_ADDB:
        return flags_add(env->cc_dst, env->cc_src, env->cc_src2 & 1, bits);
    case CC_OP_SUBB - CC_OP_ADDB:
        return flags_sub(env->cc_dst, env->cc_src, 0, bits);
    case CC_OP_SBBB - CC_OP_ADDB:
        return flags_sub(env->cc_dst, env->cc_src, env->cc_src2 & 1, bits);
    case CC_OP_LOGICB - CC_OP_ADDB:
        return zsp_flags(env->cc_dst, bits);
    case CC_OP_INCB - CC_OP_ADDB:
        return flags_incdec(env->cc_dst, env->cc_src, false, bits);
    case CC_OP_DECB - CC_OP_ADDB:
        return flags_incdec(env->cc_dst, env->cc_src, true, bits);
    case CC_OP_SHLB - CC_OP_ADDB:
        return flags_shl(env->cc_dst, env->cc_src, bits);
    case CC_OP_SARB - CC_OP_ADDB:
        return flags_sar(env->cc_dst, env->cc_src, bits);
    default:
        return flags_mul(env->cc_dst, env->cc_src, bits);
    }
}

uint64_t helper_cc_compute_all(X86CPUState *env)
{
    return x86_cc_compute_all(env);
}

uint64_t helper_cc_compute_c(X86CPUState *env)
{
    return x86_cc_compute_all(env) & CC_C;
}

void helper_cc_materialize(X86CPUState *env)
{
    env->eflags = (env->eflags & ~(uint64_t)CC_MASK) | x86_cc_compute_all(env);
    env->cc_op = CC_OP_EFLAGS;
}

/* SDM Vol.2B Jcc table: the condition (0..15) evaluated on eflags bits. */
bool x86_cond_eval(uint32_t f, unsigned cond)
{
    bool r;

    switch (cond >> 1) {
    case 0: r = f & CC_O; break;
    case 1: r = f & CC_C; break;
    case 2: r = f & CC_Z; break;
    case 3: r = f & (CC_C | CC_Z); break;
    case 4: r = f & CC_S; break;
    case 5: r = f & CC_P; break;
    case 6: r = !(f & CC_S) != !(f & CC_O); break;
    default: r = (f & CC_Z) || (!(f & CC_S) != !(f & CC_O)); break;
    }
    return (cond & 1) ? !r : r;
}

/* v sign-extended from 'bits'. */
static int64_t sext(uint64_t v, unsigned bits)
{
    return (int64_t)(v << (64 - bits)) >> (64 - bits);
}

/*
 * A condition after SUB/CMP straight from the operands a - b = res, as
 * the Jcc table reads on CMP (SDM Vol.2A Jcc: B is "below" unsigned, L
 * "less" signed...): the common case of a condition whose cc_op is only
 * known at run time (a Jcc or SETcc at the start of a block). O and P
 * take the full computation.
 */
static bool cond_after_sub(uint64_t dst, uint64_t src, unsigned cond, unsigned bits)
{
    uint64_t m = size_mask(bits);
    uint64_t res = dst & m, b = src & m, a = (res + b) & m;
    bool r;

    switch (cond >> 1) {
    case 1: r = a < b; break;
    case 2: r = res == 0; break;
    case 3: r = a <= b; break;
    case 4: r = (res >> (bits - 1)) & 1; break;
    case 6: r = sext(a, bits) < sext(b, bits); break;
    case 7: r = sext(a, bits) <= sext(b, bits); break;
    default: return x86_cond_eval(flags_sub(dst, src, 0, bits), cond);
    }
    return (cond & 1) ? !r : r;
}

uint64_t helper_cond(X86CPUState *env, uint64_t cond)
{
    uint32_t op = env->cc_op;

    if (op >= CC_OP_SUBB && op <= CC_OP_SUBQ) {
        return cond_after_sub(env->cc_dst, env->cc_src, (unsigned)cond & 15,
                              8u << (op - CC_OP_SUBB));
    }
    return x86_cond_eval(x86_cc_compute_all(env), (unsigned)cond & 15);
}
