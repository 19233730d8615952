/*
 * arith_helper.c: integer instructions too bulky to inline in translated
 * code: DIV/IDIV of every size with #DE (SDM DIV, IDIV), RCL/RCR (the
 * rotate through CF with the hardware count masking), and the BCD
 * adjustments DAA/DAS/AAA/AAS/AAM/AAD. Each works on env->regs and leaves
 * the flags folded in env->eflags (cc_op = CC_OP_EFLAGS).
 */
#include "vireo/common.h"
#include "tcg/tb.h"
#include "target-x86/helper-internal.h"

static void set_reg_sized(X86CPUState *env, int r, uint64_t v, unsigned size)
{
    switch (size) {
    case 1: env->regs[r] = (env->regs[r] & ~0xffULL) | (v & 0xff); break;
    case 2: env->regs[r] = (env->regs[r] & ~0xffffULL) | (v & 0xffff); break;
    case 4: env->regs[r] = (uint32_t)v; break;
    default: env->regs[r] = v; break;
    }
}

static void div_unsigned(X86CPUState *env, uint64_t d, unsigned size, uintptr_t ra)
{
    unsigned bits = size * 8;
    unsigned __int128 n, q;
    uint64_t mask = bits == 64 ? ~0ULL : (1ULL << bits) - 1;

    d &= mask;
    if (d == 0) {
        x86_raise_exception(env, EXCP_DE, ra);
    }
    if (size == 1) {
        n = env->regs[R_EAX] & 0xffff;
    } else {
        n = ((unsigned __int128)(env->regs[R_EDX] & mask) << bits) |
            (env->regs[R_EAX] & mask);
    }
    q = n / d;
    if (q > mask) {
        x86_raise_exception(env, EXCP_DE, ra);
    }
    if (size == 1) {
        set_reg_sized(env, R_EAX, (uint64_t)q | ((uint64_t)(n % d) << 8), 2);
    } else {
        set_reg_sized(env, R_EAX, (uint64_t)q, size);
        set_reg_sized(env, R_EDX, (uint64_t)(n % d), size);
    }
}

static __int128 sext(uint64_t v, unsigned bits)
{
    return bits == 64 ? (__int128)(int64_t)v
                      : (__int128)((int64_t)(v << (64 - bits)) >> (64 - bits));
}

static void div_signed(X86CPUState *env, uint64_t dv, unsigned size, uintptr_t ra)
{
    unsigned bits = size * 8;
    uint64_t mask = bits == 64 ? ~0ULL : (1ULL << bits) - 1;
    __int128 n, d = sext(dv, bits), q, r;
    __int128 qmax = ((__int128)1 << (bits - 1)) - 1;

    if (d == 0) {
        x86_raise_exception(env, EXCP_DE, ra);
    }
    if (size == 1) {
        n = sext(env->regs[R_EAX] & 0xffff, 16);
    } else {
        unsigned __int128 u = ((unsigned __int128)(env->regs[R_EDX] & mask) << bits) |
                              (env->regs[R_EAX] & mask);
        n = bits == 64 ? (__int128)u : sext((uint64_t)u, bits * 2);
    }
    if (d == -1 && n == (__int128)((unsigned __int128)1 << 127)) {
        x86_raise_exception(env, EXCP_DE, ra);  /* the quotient cannot fit */
    }
    q = n / d;
    r = n % d;
    if (q > qmax || q < -qmax - 1) {
        x86_raise_exception(env, EXCP_DE, ra);
    }
    if (size == 1) {
        set_reg_sized(env, R_EAX, ((uint64_t)q & 0xff) | (((uint64_t)r & 0xff) << 8), 2);
    } else {
        set_reg_sized(env, R_EAX, (uint64_t)q, size);
        set_reg_sized(env, R_EDX, (uint64_t)r, size);
    }
}

/* size_signed: operand size in bytes, plus 0x10 for IDIV. Flags are
 * undefined after DIV; they are left as they were. */
void helper_div(X86CPUState *env, uint64_t divisor, uint64_t size_signed)
{
    unsigned size = size_signed & 0xf;

    if (size_signed & 0x10) {
        div_signed(env, divisor, size, TCG_GETPC());
    } else {
        div_unsigned(env, divisor, size, TCG_GETPC());
    }
}

/*
 * RCL/RCR (SDM RCL/RCR/ROL/ROR): the count is masked to 5 bits (6 with
 * 64-bit operands) and then taken modulo size + 1 for 8/16-bit operands.
 * OF is defined for a count of 1 only; this sets it by the count-1 rule
 * for every nonzero count, as the hardware does.
 */
static uint64_t rotate_carry(X86CPUState *env, uint64_t val, uint64_t count,
                             unsigned size, bool left)
{
    unsigned bits = size * 8, n;
    uint64_t mask = bits == 64 ? ~0ULL : (1ULL << bits) - 1;
    uint32_t f;
    uint64_t cf;

    count &= bits == 64 ? 63 : 31;
    if (bits < 32) {
        count %= bits + 1;
    }
    helper_cc_materialize(env);
    if (count == 0) {
        return val & mask;
    }
    f = env->eflags;
    cf = f & CC_C ? 1 : 0;
    val &= mask;
    for (n = 0; n < count; n++) {
        uint64_t out;
        if (left) {
            out = (val >> (bits - 1)) & 1;
            val = ((val << 1) | cf) & mask;
        } else {
            out = val & 1;
            val = (val >> 1) | (cf << (bits - 1));
        }
        cf = out;
    }
    f &= ~(CC_C | CC_O);
    f |= cf ? CC_C : 0;
    if (left) {
        f |= (((val >> (bits - 1)) & 1) ^ cf) ? CC_O : 0;
    } else {
        f |= (((val >> (bits - 1)) ^ (val >> (bits - 2))) & 1) ? CC_O : 0;
    }
    env->eflags = (env->eflags & ~(uint64_t)CC_MASK) | (f & CC_MASK);
    return val;
}

uint64_t helper_rcl(X86CPUState *env, uint64_t val, uint64_t count, uint64_t size)
{
    return rotate_carry(env, val, count, (unsigned)size, true);
}

uint64_t helper_rcr(X86CPUState *env, uint64_t val, uint64_t count, uint64_t size)
{
    return rotate_carry(env, val, count, (unsigned)size, false);
}

/* Sets SF/ZF/PF of an 8-bit result in f. */
static uint32_t szp8(uint32_t f, uint8_t v)
{
    f &= ~(CC_S | CC_Z | CC_P);
    f |= v == 0 ? CC_Z : 0;
    f |= v & 0x80 ? CC_S : 0;
    f |= (__builtin_popcount(v) & 1) ? 0 : CC_P;
    return f;
}

/* SDM DAA/DAS pseudo-code. */
static void do_daa_das(X86CPUState *env, uint32_t *f, bool sub)
{
    uint8_t al = env->regs[R_EAX], old_al = al;
    bool old_cf = *f & CC_C;

    *f &= ~(CC_C | CC_A);
    if ((old_al & 0xf) > 9 || (env->eflags & CC_A)) {  /* AF before *f is edited */
        al = sub ? al - 6 : al + 6;
        *f |= CC_A;
        if (sub ? old_al < 6 : old_al > 0xf9) {
            *f |= CC_C;
        }
        *f |= old_cf ? CC_C : 0;
    }
    if (old_al > 0x99 || old_cf) {
        al = sub ? al - 0x60 : al + 0x60;
        *f |= CC_C;
    } else {
        *f &= ~CC_C;
    }
    set_reg_sized(env, R_EAX, al, 1);
    *f = szp8(*f, al);
}

/* SDM AAA/AAS pseudo-code. */
static void do_aaa_aas(X86CPUState *env, uint32_t *f, bool sub)
{
    uint16_t ax = env->regs[R_EAX];

    if ((ax & 0xf) > 9 || (*f & CC_A)) {
        ax = sub ? (uint16_t)(ax - 6 - 0x100) : (uint16_t)(ax + 0x106);
        *f |= CC_A | CC_C;
    } else {
        *f &= ~(CC_A | CC_C);
    }
    set_reg_sized(env, R_EAX, ax & 0xff0f, 2);
}

/* op: 0 DAA, 1 DAS, 2 AAA, 3 AAS, 4 AAM imm, 5 AAD imm. */
void helper_bcd(X86CPUState *env, uint64_t op, uint64_t imm)
{
    uint32_t f;
    uint8_t al, ah;

    helper_cc_materialize(env);
    f = env->eflags & CC_MASK;
    al = env->regs[R_EAX];
    ah = env->regs[R_EAX] >> 8;
    switch (op) {
    case 0: case 1:
        do_daa_das(env, &f, op == 1);
        break;
    case 2: case 3:
        do_aaa_aas(env, &f, op == 3);
        break;
    case 4:
        if ((imm & 0xff) == 0) {
            x86_raise_exception(env, EXCP_DE, TCG_GETPC());
        }
        ah = al / (imm & 0xff);
        al = al % (imm & 0xff);
        set_reg_sized(env, R_EAX, al | (ah << 8), 2);
        f = szp8(f & ~(CC_C | CC_O | CC_A), al);
        break;
    default:
        al = (uint8_t)(al + ah * (imm & 0xff));
        set_reg_sized(env, R_EAX, al, 2);
        f = szp8(f & ~(CC_C | CC_O | CC_A), al);
        break;
    }
    env->eflags = (env->eflags & ~(uint64_t)CC_MASK) | f;
}

/* CMPXCHG16B m128 (SDM): compares RDX:RAX with the 16-byte operand at the
 * linear address; equal: stores RCX:RBX and sets ZF, else loads RDX:RAX
 * (and writes the old value back, as the locked cycle does). #GP(0) when
 * the operand is not 16-byte aligned. */
void helper_cmpxchg16b(X86CPUState *env, uint64_t addr)
{
    uintptr_t ra = TCG_GETPC();
    unsigned mmu = x86_mmu_index(env);
    uint64_t lo, hi;
    bool eq;

    if (addr & 15) {
        x86_raise_exception_err(env, EXCP_GP, 0, ra);
    }
    lo = x86_ld(env, addr, 8, mmu, ra);
    hi = x86_ld(env, addr + 8, 8, mmu, ra);
    eq = lo == env->regs[R_EAX] && hi == env->regs[R_EDX];
    x86_st(env, addr + 8, eq ? env->regs[R_ECX] : hi, 8, mmu, ra);
    x86_st(env, addr, eq ? env->regs[R_EBX] : lo, 8, mmu, ra);
    helper_cc_materialize(env);
    if (eq) {
        env->eflags |= CC_Z;
    } else {
        env->eflags &= ~(uint64_t)CC_Z;
        env->regs[R_EAX] = lo;
        env->regs[R_EDX] = hi;
    }
}
