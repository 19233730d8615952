/*
 * translate-fpu.c: the x87 and SSE instructions the translator handles so
 * far: the state ones an operating system uses to probe, initialise, save
 * and restore the FPU (FNINIT, FNCLEX, FNSTSW, FNSTCW, FLDCW, FWAIT, EMMS,
 * LDMXCSR, STMXCSR, FXSAVE, FXRSTOR; fpu_helper.c). Floating-point
 * arithmetic is not translated yet: those mnemonics fall through to
 * gen_unimp (#UD, logged under -d unimp).
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

#define OP(n) (&s->insn.ops[n])

static TCGv_i64 mem_linear(DisasContext *s, const X86Operand *op)
{
    return gen_linear(s, op->mem.seg, gen_ea(s, &op->mem));
}

/* The x87 state mnemonics translate_fpu handles; SSE ones are LDMXCSR,
 * STMXCSR (their CR0/CR4 checks are in fpu_helper.c). */
static bool is_fpu_state_mnemonic(unsigned m)
{
    switch (m) {
    case X86_MN_FNINIT: case X86_MN_FNCLEX: case X86_MN_EMMS: case X86_MN_FNSTSW:
    case X86_MN_FNSTCW: case X86_MN_STMXCSR: case X86_MN_FLDCW: case X86_MN_LDMXCSR:
    case X86_MN_FXSAVE: case X86_MN_FXRSTOR:
        return true;
    default:
        return false;
    }
}

bool translate_fpu(DisasContext *s)
{
    TCGv_i64 v;

    if (!is_fpu_state_mnemonic(s->insn.mnemonic)) {
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
                   mem_linear(s, OP(0)));
        return true;
    default:
        return false;
    }
}
