/*
 * translate-fpu.c: the x87 instructions and the FPU/SSE state ones. The
 * state instructions an operating system uses to probe, initialise, save
 * and restore the FPU (FNINIT, FNCLEX, FNSTSW, FNSTCW, FLDCW, EMMS,
 * LDMXCSR, STMXCSR, FXSAVE, FXRSTOR) call fpu_helper.c, XSAVE, XSAVEOPT
 * and XRSTOR xsave_helper.c; FWAIT and every
 * other x87 instruction (loads, stores, arithmetic, compares, FCMOVcc,
 * stack management, transcendentals, FNSTENV/FLDENV/FNSAVE/FRSTOR) call
 * x87_helper.c, which does the memory access itself.
 */
#include "vireo/common.h"
#include "target-x86/translate.h"

HELPER(fninit, 0, false);
HELPER(fnclex, 0, false);
HELPER(fnstsw, 0, true);
HELPER(fnstcw, 0, true);
HELPER(fldcw, 0, false);
HELPER(emms, 0, false);
HELPER(ldmxcsr, 0, false);
HELPER(stmxcsr, 0, true);
HELPER(fxsave, 0, false);
HELPER(fxrstor, 0, false);
HELPER(xsave, 0, false);
HELPER(xrstor, 0, false);
HELPER(x87, 0, false);
HELPER(fwait, 0, false);

#define OP(n) (&s->insn.ops[n])

/*
 * The linear address of an x87/SSE-state memory operand of size bytes
 * after the segment checks for acc (X86_SEGACC_*). With CR0.TS or CR0.EM
 * the helper raises #NM, which comes first (SDM Vol.3 6.9: decode faults
 * before execution faults), so no check is emitted then.
 */
static TCGv_i64 mem_linear(DisasContext *s, const X86Operand *op, unsigned size, unsigned acc)
{
    TCGv_i64 ea = gen_ea(s, &op->mem);

    if (s->flags & (X86_TB_FLAG_TS | X86_TB_FLAG_EM)) {
        return gen_linear(s, op->mem.seg, ea);
    }
    return gen_linear_acc(s, op->mem.seg, ea, size, acc);
}

/* How an x87 instruction uses its memory operand, and how many bytes. */
static unsigned x87_mem_access(DisasContext *s, const X86Operand *op, unsigned *size)
{
    unsigned m = s->insn.mnemonic;
    bool o16 = s->insn.op_size == 2;

    *size = op->size;
    switch (m) {
    case X86_MN_FNSTENV: case X86_MN_FLDENV:
        *size = o16 ? 14 : 28;
        return m == X86_MN_FNSTENV ? X86_SEGACC_W : X86_SEGACC_R;
    case X86_MN_FNSAVE: case X86_MN_FRSTOR:
        *size = o16 ? 94 : 108;
        return m == X86_MN_FNSAVE ? X86_SEGACC_W : X86_SEGACC_R;
    case X86_MN_FST: case X86_MN_FSTP: case X86_MN_FIST: case X86_MN_FISTP:
    case X86_MN_FISTTP: case X86_MN_FBSTP:
        return X86_SEGACC_W;
    default:
        return X86_SEGACC_R;
    }
}

/* The x87 state mnemonics translate_fpu handles; SSE ones are LDMXCSR,
 * STMXCSR (their CR0/CR4 checks are in fpu_helper.c). */
static bool is_fpu_state_mnemonic(unsigned m)
{
    switch (m) {
    case X86_MN_FNINIT: case X86_MN_FNCLEX: case X86_MN_EMMS: case X86_MN_FNSTSW:
    case X86_MN_FNSTCW: case X86_MN_STMXCSR: case X86_MN_FLDCW: case X86_MN_LDMXCSR:
    case X86_MN_FXSAVE: case X86_MN_FXRSTOR:
    case X86_MN_XSAVE: case X86_MN_XSAVEOPT: case X86_MN_XRSTOR:
        return true;
    default:
        return false;
    }
}

static bool is_fcomi(unsigned m)
{
    return m == X86_MN_FCOMI || m == X86_MN_FUCOMI || m == X86_MN_FCOMIP ||
           m == X86_MN_FUCOMIP;
}

/* The Jcc condition (0..15) of FCMOVcc, or -1 for other mnemonics. */
static int fcmov_cond(unsigned m)
{
    switch (m) {
    case X86_MN_FCMOVB: return 2;
    case X86_MN_FCMOVNB: return 3;
    case X86_MN_FCMOVE: return 4;
    case X86_MN_FCMOVNE: return 5;
    case X86_MN_FCMOVBE: return 6;
    case X86_MN_FCMOVNBE: return 7;
    case X86_MN_FCMOVU: return 10;
    case X86_MN_FCMOVNU: return 11;
    default: return -1;
    }
}

/* Any other x87 instruction: helper_x87 with the operand descriptor. */
static void gen_x87(DisasContext *s)
{
    X86Insn *in = &s->insn;
    unsigned m = in->mnemonic;
    bool rev = in->opcode == 0xdc || in->opcode == 0xde;
    uint64_t desc = (uint64_t)(((in->opcode & 7u) << 8) | in->modrm) << X87_D_FOP_SHIFT;
    TCGv_i64 addr = const64(0), ea = const64(0);
    unsigned sti = 0;

    for (unsigned i = 0; i < in->nops; i++) {
        const X86Operand *op = OP(i);
        if (op->kind == X86_OPK_MEM) {
            unsigned msize, acc = x87_mem_access(s, op, &msize);
            addr = mem_linear(s, op, msize, acc);
            ea = gen_ea(s, &op->mem);
            desc |= (op->size & X87_D_MSIZE) | ((uint64_t)(op->mem.seg & 7) << X87_D_SEG_SHIFT);
        }
    }
    if (in->nops == 2 && OP(0)->kind == X86_OPK_ST && OP(1)->kind == X86_OPK_ST) {
        sti = rev ? OP(0)->reg : OP(1)->reg;
        desc |= rev ? X87_D_REV : 0;
    } else if (in->nops == 1 && OP(0)->kind == X86_OPK_ST) {
        sti = OP(0)->reg;
    }
    desc |= (uint64_t)(sti & 7) << X87_D_STI_SHIFT;
    desc |= in->op_size == 2 ? X87_D_O16 : 0;
    if (fcmov_cond(m) >= 0) {
        ea = gen_cond_value(s, (unsigned)fcmov_cond(m));
    }
    if (is_fcomi(m)) {
        gen_materialize_flags(s);
    }
    gen_update_cc_op(s);
    gen_helper(&hi_x87, NULL, 5, const64(m), const64((int64_t)desc), addr, ea,
               const64((int64_t)s->eip));
    if (is_fcomi(m)) {
        s->cc_op = CC_OP_EFLAGS;
        s->cc_op_dirty = false;
    }
}

bool translate_fpu(DisasContext *s)
{
    TCGv_i64 v;

    if (s->insn.mnemonic == X86_MN_FWAIT) {
        gen_update_cc_op(s);
        gen_helper(&hi_fwait, NULL, 0);
        return true;
    }
    if (!is_fpu_state_mnemonic(s->insn.mnemonic)) {
        if (s->insn.flags & X86_IF_X87) {
            gen_x87(s);
            return true;
        }
        return false;
    }
    gen_update_cc_op(s);
    switch (s->insn.mnemonic) {
    case X86_MN_FNINIT: gen_helper(&hi_fninit, NULL, 0); return true;
    case X86_MN_FNCLEX: gen_helper(&hi_fnclex, NULL, 0); return true;
    case X86_MN_EMMS: gen_helper(&hi_emms, NULL, 0); return true;
    case X86_MN_FNSTSW: case X86_MN_FNSTCW: case X86_MN_STMXCSR:
        v = tmp64();
        gen_helper(s->insn.mnemonic == X86_MN_FNSTSW ? &hi_fnstsw :
                   s->insn.mnemonic == X86_MN_FNSTCW ? &hi_fnstcw : &hi_stmxcsr, v, 0);
        gen_st_op(s, OP(0), v);
        return true;
    case X86_MN_FLDCW:
        gen_helper(&hi_fldcw, NULL, 1, gen_ld_op(s, OP(0)));
        return true;
    case X86_MN_LDMXCSR:
        gen_helper(&hi_ldmxcsr, NULL, 1, gen_ld_op(s, OP(0)));
        return true;
    case X86_MN_FXSAVE: case X86_MN_FXRSTOR:
        gen_helper(s->insn.mnemonic == X86_MN_FXSAVE ? &hi_fxsave : &hi_fxrstor, NULL, 1,
                   mem_linear(s, OP(0), 512, s->insn.mnemonic == X86_MN_FXSAVE ?
                                                 X86_SEGACC_W : X86_SEGACC_R));
        return true;
    case X86_MN_XSAVE: case X86_MN_XSAVEOPT: case X86_MN_XRSTOR:
        gen_helper(s->insn.mnemonic == X86_MN_XRSTOR ? &hi_xrstor : &hi_xsave, NULL, 1,
                   mem_linear(s, OP(0), 576, s->insn.mnemonic == X86_MN_XRSTOR ?
                                                 X86_SEGACC_R : X86_SEGACC_W));
        return true;
    default:
        return false;
    }
}
