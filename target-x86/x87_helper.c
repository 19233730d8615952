/*
 * x87_helper.c: the x87 FPU instructions of the software CPU: the register
 * stack (TOP, tag word, ST(i)), loads and stores in every memory format,
 * arithmetic, compares (including FCOMI into EFLAGS), FCMOVcc, stack
 * management, transcendentals, FNSTENV/FLDENV/FNSAVE/FRSTOR, and the
 * pending-exception check of the waiting instructions (#MF). The values
 * are computed by softfloat.h under the control word; the state rules
 * (stack overflow and underflow, what happens with masked and unmasked
 * exceptions, FOP/FIP/FDP) follow SDM Vol.1 chapter 8. translate-fpu.c
 * calls helper_x87 with the mnemonic, a descriptor of the operands (see
 * X87_D_* below), the linear address and offset of a memory operand and
 * the instruction's offset; the helper does the guest memory access
 * itself, stores before any register state changes, so a fault leaves
 * the instruction undone.
 */
#include "vireo/common.h"
#include "vireo/log.h"
#include "tcg/tb.h"
#include "target-x86/helper-internal.h"
#include "target-x86/decode.h"
#include "target-x86/softfloat.h"

#define FSW_SF 0x0040u
#define FSW_ES 0x0080u
#define FSW_C0 0x0100u
#define FSW_C1 0x0200u
#define FSW_C2 0x0400u
#define FSW_C3 0x4000u
#define FSW_B 0x8000u
#define FSW_CC (FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)
#define PRE_FLAGS (SF_FLAG_INVALID | SF_FLAG_DENORMAL | SF_FLAG_DIVBYZERO)

static const floatx80 fx_zero = { .mant = 0, .sexp = 0 };
static const floatx80 fx_one = { .mant = 0x8000000000000000ull, .sexp = 0x3fff };

/* One instruction's context: status, memory access and bookkeeping. */
typedef struct X87Op {
    X86CPUState *env;
    uintptr_t ra;
    unsigned mmu;
    uint64_t addr;
    unsigned msize;
    unsigned sti;
    SoftFloatStatus st;
} X87Op;

static unsigned phys(X86CPUState *env, unsigned i)
{
    return (env->fpstt + i) & 7;
}

static floatx80 *st_reg(X86CPUState *env, unsigned i)
{
    return &env->fpregs[phys(env, i)];
}

static bool st_empty(X86CPUState *env, unsigned i)
{
    return env->fptags[phys(env, i)] != 0;
}

static void st_set(X86CPUState *env, unsigned i, floatx80 v)
{
    *st_reg(env, i) = v;
    env->fptags[phys(env, i)] = 0;
}

static void fpop_stack(X86CPUState *env)
{
    env->fptags[phys(env, 0)] = 1;
    env->fpstt = (env->fpstt + 1) & 7;
}

static void set_c1(X86CPUState *env, bool on)
{
    env->fpus = (env->fpus & ~FSW_C1) | (on ? FSW_C1 : 0);
}

/* Recomputes ES and B from the flags and the masks (SDM Vol.1 8.1.3.1). */
static void update_es(X86CPUState *env)
{
    if (env->fpus & ~env->fpuc & SF_FLAG_ALL) {
        env->fpus |= FSW_ES | FSW_B;
    } else {
        env->fpus &= ~(FSW_ES | FSW_B);
    }
}

/* Stack fault: IE + SF, C1 = overflow. True when IE is masked (the
 * instruction then goes on with the indefinite value). */
static bool stack_fault(X87Op *o, bool overflow)
{
    X86CPUState *env = o->env;

    env->fpus |= SF_FLAG_INVALID | FSW_SF;
    set_c1(env, overflow);
    update_es(env);
    return (env->fpuc & SF_FLAG_INVALID) != 0;
}

/* ORs the operation's flags into FSW with its C1; false when an unmasked
 * pre-computation exception means no result may be written. */
static bool commit_flags(X87Op *o)
{
    X86CPUState *env = o->env;
    unsigned unmasked = o->st.flags & ~env->fpuc & SF_FLAG_ALL;
    unsigned flags = o->st.flags & SF_FLAG_ALL;
    bool c1 = o->st.c1;

    /* An unmasked IE, DE or ZE is detected before the computation: the
     * later flags are not raised (SDM Vol.1 8.5, 4.9.2). */
    if (unmasked & PRE_FLAGS) {
        flags &= PRE_FLAGS;
        c1 = false;
    }
    env->fpus |= flags;
    set_c1(env, c1);
    update_es(env);
    return !(unmasked & PRE_FLAGS);
}

/* Reads ST(i); on an empty register, a stack underflow: false if the
 * instruction must stop (IE unmasked), else *v = indefinite. */
static bool read_st(X87Op *o, unsigned i, floatx80 *v)
{
    if (!st_empty(o->env, i)) {
        *v = *st_reg(o->env, i);
        return true;
    }
    *v = FLOATX80_INDEFINITE;
    return stack_fault(o, false);
}

/* Pushes v (overflow when ST(7) is in use). */
static void push(X87Op *o, floatx80 v)
{
    X86CPUState *env = o->env;

    if (!st_empty(env, 7)) {
        if (!stack_fault(o, true)) {
            return;
        }
        v = FLOATX80_INDEFINITE;
    }
    env->fpstt = (env->fpstt - 1) & 7;
    st_set(env, 0, v);
}

static uint64_t ld(X87Op *o, uint64_t off, unsigned size)
{
    return x86_ld(o->env, o->addr + off, size, o->mmu, o->ra);
}

static void st(X87Op *o, uint64_t off, uint64_t v, unsigned size)
{
    x86_st(o->env, o->addr + off, v, size, o->mmu, o->ra);
}

static floatx80 ld_f80(X87Op *o, uint64_t off)
{
    floatx80 v;

    v.mant = ld(o, off, 8);
    v.sexp = (uint16_t)ld(o, off + 8, 2);
    return v;
}

/* Stores an 80-bit value; probes the last byte first so a fault on the
 * second part cannot leave the first part written. */
static void st_f80(X87Op *o, uint64_t off, floatx80 v)
{
    st(o, off + 9, ld(o, off + 9, 1), 1);
    st(o, off, v.mant, 8);
    st(o, off + 8, v.sexp, 2);
}

/* ---- loads ---- */

static void do_load(X87Op *o, unsigned m)
{
    floatx80 v;
    uint8_t bcd[10];

    if (m == X86_MN_FLD && !o->msize) {
        if (!read_st(o, o->sti, &v)) {
            return;
        }
        if (st_empty(o->env, o->sti)) {
            /* underflow already reported: the indefinite is pushed without
             * an overflow check (C1 stays 0, as measured) */
            o->env->fpstt = (o->env->fpstt - 1) & 7;
            st_set(o->env, 0, v);
            return;
        }
    } else if (m == X86_MN_FLD) {
        switch (o->msize) {
        case 4: v = float32_to_floatx80(&o->st, (float32)ld(o, 0, 4)); break;
        case 8: v = float64_to_floatx80(&o->st, ld(o, 0, 8)); break;
        default: v = ld_f80(o, 0); break;
        }
        /* Only an unmasked IE (SNaN) stops the load; a denormal operand
         * is loaded even with DE unmasked (as the hardware does). */
        commit_flags(o);
        if (o->st.flags & ~o->env->fpuc & SF_FLAG_INVALID) {
            return;
        }
    } else if (m == X86_MN_FILD) {
        switch (o->msize) {
        case 2: v = int16_to_floatx80((int16_t)ld(o, 0, 2)); break;
        case 4: v = int32_to_floatx80((int32_t)ld(o, 0, 4)); break;
        default: v = int64_to_floatx80((int64_t)ld(o, 0, 8)); break;
        }
    } else if (m == X86_MN_FBLD) {
        for (int i = 0; i < 10; i++) {
            bcd[i] = (uint8_t)ld(o, i, 1);
        }
        v = bcd_to_floatx80(bcd);
    } else if (m == X86_MN_FLDZ) {
        v = fx_zero;
    } else if (m == X86_MN_FLD1) {
        v = fx_one;
    } else {
        static const struct { uint16_t m; uint8_t c; } consts[] = {
            { X86_MN_FLDPI, SF_CONST_PI }, { X86_MN_FLDL2T, SF_CONST_L2T },
            { X86_MN_FLDL2E, SF_CONST_L2E }, { X86_MN_FLDLG2, SF_CONST_LG2 },
            { X86_MN_FLDLN2, SF_CONST_LN2 },
        };
        v = fx_zero;
        for (unsigned i = 0; i < ARRAY_SIZE(consts); i++) {
            if (consts[i].m == m) {
                v = floatx80_constant(&o->st, consts[i].c);
            }
        }
    }
    set_c1(o->env, false);
    push(o, v);
}

/* ---- stores ---- */

/* The memory image of v in the store's format, or false if an unmasked
 * exception suppresses the store (SDM Vol.1 8.5.4/8.5.5: no store, the
 * operand stays on the stack). */
static bool store_value(X87Op *o, unsigned m, floatx80 v, bool empty, uint64_t *out,
                        uint8_t bcd[10])
{
    bool trunc = m == X86_MN_FISTTP;
    unsigned unmasked;

    if (m == X86_MN_FBSTP) {
        if (empty) {
            static const uint8_t ind[10] = { 0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff };
            memcpy(bcd, ind, 10);
        } else {
            floatx80_to_bcd(&o->st, v, bcd);
        }
    } else if (m == X86_MN_FST || m == X86_MN_FSTP) {
        if (o->msize == 4) {
            *out = empty ? FLOAT32_DEFAULT_NAN : floatx80_to_float32(&o->st, v);
        } else if (o->msize == 8) {
            *out = empty ? FLOAT64_DEFAULT_NAN : floatx80_to_float64(&o->st, v);
        }
    } else if (o->msize == 2) {
        *out = (uint16_t)(empty ? SF_INT16_INDEFINITE
                          : trunc ? floatx80_to_int16_round_to_zero(&o->st, v)
                          : floatx80_to_int16(&o->st, v));
    } else if (o->msize == 4) {
        *out = (uint32_t)(empty ? SF_INT32_INDEFINITE
                          : trunc ? floatx80_to_int32_round_to_zero(&o->st, v)
                          : floatx80_to_int32(&o->st, v));
    } else {
        *out = (uint64_t)(empty ? SF_INT64_INDEFINITE
                          : trunc ? floatx80_to_int64_round_to_zero(&o->st, v)
                          : floatx80_to_int64(&o->st, v));
    }
    unmasked = o->st.flags & ~o->env->fpuc & SF_FLAG_ALL;
    return !(unmasked & ~SF_FLAG_INEXACT);
}

static void do_store(X87Op *o, unsigned m)
{
    X86CPUState *env = o->env;
    bool pop = m != X86_MN_FST && m != X86_MN_FIST;
    bool empty = st_empty(env, 0);
    floatx80 v = *st_reg(env, 0);
    uint64_t val = 0;
    uint8_t bcd[10];

    if (!o->msize) {                    /* FST/FSTP ST(i) */
        if (empty && !stack_fault(o, false)) {
            return;
        }
        st_set(env, o->sti, empty ? FLOATX80_INDEFINITE : v);
        set_c1(env, false);
    } else {
        if (empty && !stack_fault(o, false)) {
            return;
        }
        if (!store_value(o, m, v, empty, &val, bcd)) {
            commit_flags(o);
            return;
        }
        if (m == X86_MN_FBSTP) {
            st(o, 9, bcd[9], 1);
            for (int i = 0; i < 9; i++) {
                st(o, i, bcd[i], 1);
            }
        } else if (o->msize == 10) {
            st_f80(o, 0, empty ? FLOATX80_INDEFINITE : v);
        } else {
            st(o, 0, val, o->msize);
        }
        commit_flags(o);
    }
    if (pop) {
        fpop_stack(env);
    }
}

/* ---- arithmetic ---- */

static SfArithOp arith_op(unsigned m)
{
    switch (m) {
    case X86_MN_FADD: case X86_MN_FADDP: case X86_MN_FIADD: return SF_OP_ADD;
    case X86_MN_FSUB: case X86_MN_FSUBP: case X86_MN_FISUB: return SF_OP_SUB;
    case X86_MN_FSUBR: case X86_MN_FSUBRP: case X86_MN_FISUBR: return SF_OP_SUBR;
    case X86_MN_FMUL: case X86_MN_FMULP: case X86_MN_FIMUL: return SF_OP_MUL;
    case X86_MN_FDIV: case X86_MN_FDIVP: case X86_MN_FIDIV: return SF_OP_DIV;
    default: return SF_OP_DIVR;
    }
}

static floatx80 arith80(SoftFloatStatus *st, SfArithOp op, floatx80 a, floatx80 b)
{
    switch (op) {
    case SF_OP_ADD: return floatx80_add(st, a, b);
    case SF_OP_SUB: return floatx80_sub(st, a, b);
    case SF_OP_SUBR: return floatx80_sub(st, b, a);
    case SF_OP_MUL: return floatx80_mul(st, a, b);
    case SF_OP_DIV: return floatx80_div(st, a, b);
    default: return floatx80_div(st, b, a);
    }
}

static bool is_int_arith(unsigned m)
{
    switch (m) {
    case X86_MN_FIADD: case X86_MN_FISUB: case X86_MN_FISUBR: case X86_MN_FIMUL:
    case X86_MN_FIDIV: case X86_MN_FIDIVR:
        return true;
    default:
        return false;
    }
}

static floatx80 int_operand(X87Op *o)
{
    return o->msize == 2 ? int16_to_floatx80((int16_t)ld(o, 0, 2))
                         : int32_to_floatx80((int32_t)ld(o, 0, 4));
}

/* dst op= src: dst is ST(0) and src ST(i) or memory, or with rev (the DC
 * and DE register forms) dst is ST(i) and src ST(0). */
static void do_arith(X87Op *o, unsigned m, bool rev, bool pop)
{
    X86CPUState *env = o->env;
    SfArithOp op = arith_op(m);
    unsigned di = rev ? o->sti : 0, si = rev ? 0 : o->sti;
    floatx80 a, b, r;
    uint64_t mem = 0;

    if (is_int_arith(m)) {
        b = int_operand(o);
    } else if (o->msize) {
        mem = ld(o, 0, o->msize);
    }
    if (st_empty(env, di) || (!o->msize && st_empty(env, si))) {
        if (!stack_fault(o, false)) {
            return;
        }
        r = FLOATX80_INDEFINITE;
    } else {
        a = *st_reg(env, di);
        if (is_int_arith(m)) {
            r = arith80(&o->st, op, a, b);
        } else if (o->msize == 4) {
            r = floatx80_arith_f32(&o->st, op, a, (float32)mem);
        } else if (o->msize == 8) {
            r = floatx80_arith_f64(&o->st, op, a, mem);
        } else {
            b = *st_reg(env, si);
            r = arith80(&o->st, op, a, b);
        }
        if (!commit_flags(o)) {
            return;
        }
    }
    st_set(env, di, r);
    if (pop) {
        fpop_stack(env);
    }
}

/* ---- compares ---- */

static uint16_t relation_cc(SfRelation rel)
{
    switch (rel) {
    case SF_LESS: return FSW_C0;
    case SF_EQUAL: return FSW_C3;
    case SF_GREATER: return 0;
    default: return FSW_C0 | FSW_C2 | FSW_C3;
    }
}

/* FCOM/FUCOM/FICOM/FTST (pops: 0, 1 or 2); FCOMI/FUCOMI into EFLAGS. */
static void do_compare(X87Op *o, unsigned m, unsigned pops)
{
    X86CPUState *env = o->env;
    bool quiet = m == X86_MN_FUCOM || m == X86_MN_FUCOMP || m == X86_MN_FUCOMPP ||
                 m == X86_MN_FUCOMI || m == X86_MN_FUCOMIP;
    bool to_eflags = m == X86_MN_FCOMI || m == X86_MN_FUCOMI || m == X86_MN_FCOMIP ||
                     m == X86_MN_FUCOMIP;
    bool is_int = m == X86_MN_FICOM || m == X86_MN_FICOMP;
    SfRelation rel = SF_UNORDERED;
    uint64_t mem = 0;
    floatx80 b = fx_zero;

    if (o->msize) {
        mem = ld(o, 0, o->msize);
    }
    bool ok = true;

    if (st_empty(env, 0) || (!o->msize && m != X86_MN_FTST && st_empty(env, o->sti))) {
        ok = stack_fault(o, false);
    } else {
        floatx80 a = *st_reg(env, 0);
        if (is_int) {
            b = o->msize == 2 ? int16_to_floatx80((int16_t)mem)
                              : int32_to_floatx80((int32_t)mem);
            rel = floatx80_compare(&o->st, a, b);
        } else if (o->msize == 4) {
            rel = floatx80_compare_f32(&o->st, a, (float32)mem, true);
        } else if (o->msize == 8) {
            rel = floatx80_compare_f64(&o->st, a, mem, true);
        } else {
            if (m != X86_MN_FTST) {
                b = *st_reg(env, o->sti);
            }
            rel = quiet ? floatx80_compare_quiet(&o->st, a, b)
                        : floatx80_compare(&o->st, a, b);
        }
        /* FCOM.. clear C1; FCOMI.. leave it (as measured) */
        o->st.c1 = to_eflags && (env->fpus & FSW_C1);
        ok = commit_flags(o);
    }
    /* The condition codes are written even when an unmasked invalid
     * operation stops the instruction (unordered). */
    if (to_eflags) {
        uint32_t f = rel == SF_UNORDERED ? CC_Z | CC_P | CC_C : rel == SF_LESS ? CC_C
                     : rel == SF_EQUAL ? CC_Z : 0;
        env->eflags = (env->eflags & ~(uint64_t)CC_MASK) | f;
        env->cc_op = CC_OP_EFLAGS;
    } else {
        env->fpus = (env->fpus & ~(FSW_C0 | FSW_C2 | FSW_C3)) | relation_cc(rel);
    }
    while (ok && pops--) {
        fpop_stack(env);
    }
}

/* ---- one-operand and two-operand functions of ST(0) (and ST(1)) ---- */

static void do_unary(X87Op *o, unsigned m)
{
    X86CPUState *env = o->env;
    floatx80 a, r;
    uint16_t cc = 0;

    if (!read_st(o, 0, &a)) {
        return;
    }
    if (st_empty(env, 0)) {
        st_set(env, 0, a);
        return;
    }
    switch (m) {
    case X86_MN_FCHS: r = a; r.sexp ^= 0x8000; set_c1(env, false); st_set(env, 0, r); return;
    case X86_MN_FABS: r = a; r.sexp &= 0x7fff; set_c1(env, false); st_set(env, 0, r); return;
    case X86_MN_FSQRT: r = floatx80_sqrt(&o->st, a); break;
    case X86_MN_FRNDINT: r = floatx80_round_to_int(&o->st, a); break;
    case X86_MN_F2XM1: r = floatx80_f2xm1(&o->st, a); break;
    case X86_MN_FSIN: r = floatx80_sin(&o->st, a, &cc); break;
    case X86_MN_FCOS: r = floatx80_cos(&o->st, a, &cc); break;
    default: return;
    }
    if (!commit_flags(o)) {
        return;
    }
    if (m == X86_MN_FSIN || m == X86_MN_FCOS) {
        env->fpus = (env->fpus & ~FSW_C2) | (cc & FSW_C2);
    }
    if (!(cc & FSW_C2)) {
        st_set(env, 0, r);
    }
}

/* FPTAN, FSINCOS, FXTRACT: ST(0) replaced and one value pushed. */
static void do_push_pair(X87Op *o, unsigned m)
{
    X86CPUState *env = o->env;
    floatx80 a, r, second;
    uint16_t cc = 0;

    if (st_empty(env, 0) || !st_empty(env, 7)) {
        if (!stack_fault(o, !st_empty(env, 0))) {
            return;
        }
        st_set(env, 0, FLOATX80_INDEFINITE);
        env->fpstt = (env->fpstt - 1) & 7;
        st_set(env, 0, FLOATX80_INDEFINITE);
        return;
    }
    a = *st_reg(env, 0);
    if (m == X86_MN_FPTAN) {
        r = floatx80_tan(&o->st, a, &cc);
        second = floatx80_is_nan(r) ? r : fx_one;   /* a NaN is pushed twice */
    } else if (m == X86_MN_FSINCOS) {
        r = floatx80_sincos(&o->st, a, &second, &cc);   /* ST(1) sine, ST(0) cosine */
    } else {
        floatx80 e;
        second = floatx80_extract(&o->st, a, &e);
        r = e;
    }
    if (!commit_flags(o)) {
        return;
    }
    if (m != X86_MN_FXTRACT) {          /* FXTRACT leaves C0, C2, C3 alone */
        env->fpus = (env->fpus & ~FSW_C2) | (cc & FSW_C2);
    }
    if (cc & FSW_C2) {
        return;
    }
    st_set(env, 0, r);
    env->fpstt = (env->fpstt - 1) & 7;
    st_set(env, 0, second);
}

/* FSCALE, FPREM, FPREM1 (ST(0) = f(ST(0), ST(1))); FYL2X, FYL2XP1,
 * FPATAN (ST(1) = f(ST(0), ST(1)), then pop). */
static void do_binary(X87Op *o, unsigned m)
{
    X86CPUState *env = o->env;
    bool to_st1 = m == X86_MN_FYL2X || m == X86_MN_FYL2XP1 || m == X86_MN_FPATAN;
    floatx80 a, b, r;
    uint16_t cc = 0;

    if (st_empty(env, 0) || st_empty(env, 1)) {
        if (!stack_fault(o, false)) {
            return;
        }
        r = FLOATX80_INDEFINITE;
        if (m == X86_MN_FPREM || m == X86_MN_FPREM1) {
            env->fpus &= ~FSW_C2;       /* as measured: C2 (incomplete) clear */
        }
    } else {
        a = *st_reg(env, 0);
        b = *st_reg(env, 1);
        switch (m) {
        case X86_MN_FSCALE: r = floatx80_scale(&o->st, a, b); break;
        case X86_MN_FPREM: r = floatx80_rem(&o->st, a, b, false, &cc); break;
        case X86_MN_FPREM1: r = floatx80_rem(&o->st, a, b, true, &cc); break;
        case X86_MN_FYL2X: r = floatx80_fyl2x(&o->st, a, b); break;
        case X86_MN_FYL2XP1: r = floatx80_fyl2xp1(&o->st, a, b); break;
        default: r = floatx80_fpatan(&o->st, a, b); break;
        }
        if (!commit_flags(o)) {
            return;
        }
        if ((m == X86_MN_FPREM || m == X86_MN_FPREM1) && floatx80_is_nan(r)) {
            env->fpus &= ~FSW_C2;       /* a NaN result: C0, C3 left alone */
        } else if (m == X86_MN_FPREM || m == X86_MN_FPREM1) {
            env->fpus = (env->fpus & ~FSW_CC) | (cc & FSW_CC);
        }
    }
    if (to_st1) {
        st_set(env, 1, r);
        fpop_stack(env);
    } else {
        st_set(env, 0, r);
    }
}

/* ---- stack management ---- */

static void do_stack(X87Op *o, unsigned m, uint64_t cond)
{
    X86CPUState *env = o->env;
    floatx80 a, b;

    switch (m) {
    case X86_MN_FXCH:
        if (st_empty(env, 0) || st_empty(env, o->sti)) {
            if (!stack_fault(o, false)) {
                return;
            }
        }
        a = st_empty(env, 0) ? FLOATX80_INDEFINITE : *st_reg(env, 0);
        b = st_empty(env, o->sti) ? FLOATX80_INDEFINITE : *st_reg(env, o->sti);
        st_set(env, 0, b);
        st_set(env, o->sti, a);
        set_c1(env, false);
        return;
    case X86_MN_FFREE:
        env->fptags[phys(env, o->sti)] = 1;
        set_c1(env, false);             /* as measured */
        return;
    case X86_MN_FFREEP:
        env->fptags[phys(env, o->sti)] = 1;
        fpop_stack(env);
        return;
    case X86_MN_FINCSTP:
        env->fpstt = (env->fpstt + 1) & 7;
        set_c1(env, false);
        return;
    case X86_MN_FDECSTP:
        env->fpstt = (env->fpstt - 1) & 7;
        set_c1(env, false);
        return;
    default:                            /* FCMOVcc: cond is 0 or 1 */
        if (st_empty(env, 0) || st_empty(env, o->sti)) {
            if (stack_fault(o, false)) {
                st_set(env, 0, FLOATX80_INDEFINITE);
            }
            return;
        }
        if (cond) {
            st_set(env, 0, *st_reg(env, o->sti));
        }
        return;                         /* C1 is left alone (as measured) */
    }
}

/* FXAM: the class of ST(0) in C3, C2, C0 and its sign in C1. */
static void do_fxam(X87Op *o)
{
    X86CPUState *env = o->env;
    uint16_t cc = floatx80_examine(*st_reg(env, 0), st_empty(env, 0));

    env->fpus = (env->fpus & ~FSW_CC) | (cc & FSW_CC);
}

/* ---- environment ---- */

static uint16_t fsw_full(const X86CPUState *env)
{
    return (env->fpus & ~0x3800) | ((env->fpstt & 7) << 11);
}

static uint16_t full_tags(X86CPUState *env)
{
    uint16_t t = 0;

    for (int i = 0; i < 8; i++) {
        unsigned tag = env->fptags[i] ? 3 : (unsigned)floatx80_tag(env->fpregs[i]);
        t |= tag << (2 * i);
    }
    return t;
}

/* FNSTENV/FNSAVE image (SDM Vol.1 8.1.10, Figures 8-9 to 8-12). */
static void store_env(X87Op *o, bool o16, bool real)
{
    X86CPUState *env = o->env;
    unsigned w = o16 ? 2 : 4;
    uint32_t fip = (uint32_t)env->fpip, fdp = (uint32_t)env->fpdp;

    if (real) {
        /* Real and V86 mode store 20/32-bit linear pointers (SDM Vol.1 8.1.10). */
        fip += (uint32_t)env->fpcs << 4;
        fdp += (uint32_t)env->fpds << 4;
    }

    st(o, 0, env->fpuc, w);
    st(o, w, fsw_full(env), w);
    st(o, 2 * w, full_tags(env), w);
    if (real) {
        st(o, 3 * w, fip & 0xffff, w);
        st(o, 4 * w, (env->fpop & 0x7ff) | ((fip >> 16) << 12), w);
        st(o, 5 * w, fdp & 0xffff, w);
        st(o, 6 * w, (fdp >> 16) << 12, w);
    } else if (o16) {
        st(o, 6, fip, 2);
        st(o, 8, env->fpcs, 2);
        st(o, 10, fdp, 2);
        st(o, 12, env->fpds, 2);
    } else {
        st(o, 12, fip, 4);
        st(o, 16, env->fpcs | ((uint32_t)(env->fpop & 0x7ff) << 16), 4);
        st(o, 20, fdp, 4);
        st(o, 24, env->fpds, 4);
    }
}

static void load_env(X87Op *o, bool o16, bool real)
{
    X86CPUState *env = o->env;
    unsigned w = o16 ? 2 : 4;
    uint16_t fcw = (uint16_t)ld(o, 0, 2), fsw = (uint16_t)ld(o, w, 2);
    uint16_t ftw = (uint16_t)ld(o, 2 * w, 2);
    uint32_t a = (uint32_t)ld(o, 3 * w, w), b = (uint32_t)ld(o, 4 * w, w);
    uint32_t c = (uint32_t)ld(o, 5 * w, w), d = (uint32_t)ld(o, 6 * w, w);

    env->fpuc = fcw;
    env->fpstt = (fsw >> 11) & 7;
    env->fpus = fsw & ~0x3800;
    for (int i = 0; i < 8; i++) {
        env->fptags[i] = ((ftw >> (2 * i)) & 3) == 3;
    }
    if (real) {
        env->fpip = (a & 0xffff) | ((b >> 12) << 16);
        env->fpop = b & 0x7ff;
        env->fpdp = (c & 0xffff) | ((d >> 12) << 16);
        env->fpcs = env->fpds = 0;
    } else {
        env->fpip = a;
        env->fpcs = (uint16_t)b;
        env->fpop = o16 ? env->fpop : (b >> 16) & 0x7ff;
        env->fpdp = c;
        env->fpds = (uint16_t)d;
    }
    update_es(env);
}

static void do_env(X87Op *o, unsigned m, bool o16)
{
    X86CPUState *env = o->env;
    bool real = !(env->cr[0] & CR0_PE) || (env->eflags & VM_MASK);
    unsigned envsz = o16 ? 14 : 28;

    switch (m) {
    case X86_MN_FNSTENV:
        st(o, envsz - 1, ld(o, envsz - 1, 1), 1);
        store_env(o, o16, real);
        env->fpuc |= 0x3f;
        return;
    case X86_MN_FLDENV:
        load_env(o, o16, real);
        return;
    case X86_MN_FNSAVE:
        st(o, envsz + 79, ld(o, envsz + 79, 1), 1);
        store_env(o, o16, real);
        for (int i = 0; i < 8; i++) {
            st_f80(o, envsz + i * 10, *st_reg(env, i));
        }
        env->fpuc = 0x37f;
        env->fpus = 0;
        env->fpstt = 0;
        memset(env->fptags, 1, sizeof(env->fptags));
        env->fpop = 0;
        env->fpip = env->fpdp = 0;
        env->fpcs = env->fpds = 0;
        return;
    default: {                           /* FRSTOR */
        floatx80 regs[8];
        ld(o, envsz + 79, 1);
        for (int i = 0; i < 8; i++) {
            regs[i] = ld_f80(o, envsz + i * 10);
        }
        load_env(o, o16, real);
        for (int i = 0; i < 8; i++) {
            *st_reg(env, i) = regs[i];
        }
        return;
    }
    }
}

/* ---- entry points ---- */

static bool is_control(unsigned m)
{
    switch (m) {
    case X86_MN_FNSTENV: case X86_MN_FLDENV: case X86_MN_FNSAVE: case X86_MN_FRSTOR:
        return true;
    default:
        return false;
    }
}

void helper_fwait(X86CPUState *env)
{
    uintptr_t ra = TCG_GETPC();

    if ((env->cr[0] & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS)) {
        x86_raise_exception(env, EXCP_NM, ra);
    }
    x86_fpu_check_pending(env, ra);   /* #MF, or FERR# (fpu_helper.c) */
}

void helper_x87(X86CPUState *env, uint64_t m, uint64_t desc, uint64_t addr, uint64_t ea,
                uint64_t eip)
{
    X87Op o = {
        .env = env, .ra = TCG_GETPC(), .mmu = x86_mmu_index(env), .addr = addr,
        .msize = desc & X87_D_MSIZE, .sti = (desc >> X87_D_STI_SHIFT) & 7,
    };
    bool rev = desc & X87_D_REV, waiting = m != X86_MN_FNSTENV && m != X86_MN_FNSAVE;

    if (env->cr[0] & (CR0_EM | CR0_TS)) {
        x86_raise_exception(env, EXCP_NM, o.ra);
    }
    if (waiting) {
        x86_fpu_check_pending(env, o.ra);
    }
    softfloat_status_from_fpuc(&o.st, env->fpuc);
    if (is_control(m)) {
        do_env(&o, m, desc & X87_D_O16);
        x86_fpu_update_ferr(env);       /* FLDENV/FRSTOR may clear ES */
        return;
    }
    /* FOP, FIP, FDP of the last non-control instruction (SDM Vol.1 8.1.8). */
    env->fpop = (desc >> X87_D_FOP_SHIFT) & 0x7ff;
    env->fpip = eip;
    env->fpcs = env->segs[R_CS].selector;
    if (o.msize) {
        env->fpdp = ea;
        env->fpds = env->segs[(desc >> X87_D_SEG_SHIFT) & 7].selector;
    }
    switch (m) {
    case X86_MN_FLD: case X86_MN_FILD: case X86_MN_FBLD: case X86_MN_FLDZ: case X86_MN_FLD1:
    case X86_MN_FLDPI: case X86_MN_FLDL2T: case X86_MN_FLDL2E: case X86_MN_FLDLG2:
    case X86_MN_FLDLN2:
        do_load(&o, m);
        return;
    case X86_MN_FST: case X86_MN_FSTP: case X86_MN_FIST: case X86_MN_FISTP:
    case X86_MN_FISTTP: case X86_MN_FBSTP:
        do_store(&o, m);
        return;
    case X86_MN_FADD: case X86_MN_FSUB: case X86_MN_FSUBR: case X86_MN_FMUL:
    case X86_MN_FDIV: case X86_MN_FDIVR: case X86_MN_FIADD: case X86_MN_FISUB:
    case X86_MN_FISUBR: case X86_MN_FIMUL: case X86_MN_FIDIV: case X86_MN_FIDIVR:
        do_arith(&o, m, rev, false);
        return;
    case X86_MN_FADDP: case X86_MN_FSUBP: case X86_MN_FSUBRP: case X86_MN_FMULP:
    case X86_MN_FDIVP: case X86_MN_FDIVRP:
        do_arith(&o, m, true, true);
        return;
    case X86_MN_FCOM: case X86_MN_FUCOM: case X86_MN_FICOM: case X86_MN_FCOMI:
    case X86_MN_FUCOMI: case X86_MN_FTST:
        do_compare(&o, m, 0);
        return;
    case X86_MN_FCOMP: case X86_MN_FUCOMP: case X86_MN_FICOMP: case X86_MN_FCOMIP:
    case X86_MN_FUCOMIP:
        do_compare(&o, m, 1);
        return;
    case X86_MN_FCOMPP: case X86_MN_FUCOMPP:
        o.sti = 1;
        do_compare(&o, m, 2);
        return;
    case X86_MN_FXAM:
        do_fxam(&o);
        return;
    case X86_MN_FCHS: case X86_MN_FABS: case X86_MN_FSQRT: case X86_MN_FRNDINT:
    case X86_MN_F2XM1: case X86_MN_FSIN: case X86_MN_FCOS:
        do_unary(&o, m);
        return;
    case X86_MN_FPTAN: case X86_MN_FSINCOS: case X86_MN_FXTRACT:
        do_push_pair(&o, m);
        return;
    case X86_MN_FSCALE: case X86_MN_FPREM: case X86_MN_FPREM1: case X86_MN_FYL2X:
    case X86_MN_FYL2XP1: case X86_MN_FPATAN:
        do_binary(&o, m);
        return;
    case X86_MN_FNOP: case X86_MN_FNENI: case X86_MN_FNDISI: case X86_MN_FNSETPM:
        return;     /* FNENI/FNDISI/FNSETPM are no-ops since the 387 */
    case X86_MN_FXCH: case X86_MN_FFREE: case X86_MN_FFREEP: case X86_MN_FINCSTP:
    case X86_MN_FDECSTP: case X86_MN_FCMOVB: case X86_MN_FCMOVE: case X86_MN_FCMOVBE:
    case X86_MN_FCMOVU: case X86_MN_FCMOVNB: case X86_MN_FCMOVNE: case X86_MN_FCMOVNBE:
    case X86_MN_FCMOVNU:
        do_stack(&o, m, ea);
        return;
    default:
        log_mask(LOG_UNIMP, "x87: %s not implemented\n", x86_mnemonic_name(m));
        x86_raise_exception(env, EXCP_UD, o.ra);
    }
}
