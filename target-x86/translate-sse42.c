/*
 * translate-sse42.c: the SSE4.2 instructions in the translator: PCMPGTQ,
 * the string compares PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM and CRC32
 * (the decoder rows are in insn-tables-0f38.c, gated on CPUID.SSE4_2).
 * translate_sse hands these mnemonics here first. The XMM forms call the
 * helpers of sse42_helper.c with XMMReg offsets, a memory source being
 * loaded into env->xmm_t0 first (no alignment check: SDM Vol.2 4.1.7,
 * and PCMPGTQ's m128 is an ordinary legacy-SSE operand, aligned); CRC32
 * is a general-register instruction and ignores CR0.EM/TS and CR4.OSFXSR.
 */
#include "vireo/common.h"
#include "target-x86/translate.h"

HELPER(pcmpstr, 0, false);
HELPER(pcmpgtq, 0, false);
HELPER(crc32, 0, true);

#define OP(n) (&s->insn.ops[n])
#define XMM_OFF(r) ((intptr_t)offsetof(X86CPUState, xmm[r]))
#define T0_OFF ((intptr_t)offsetof(X86CPUState, xmm_t0))

/* CRC32 r32/r64, r/m8/16/32/64 (SDM Vol.2 CRC32): the 32-bit result is
 * zero-extended into the destination; no flag changes. */
static void gen_crc32(DisasContext *s)
{
    const X86Operand *d = OP(0), *src = OP(1);
    TCGv_i64 crc = gen_ld_op(s, d), val = gen_ld_op(s, src), r = tmp64();

    gen_helper(&hi_crc32, r, 3, crc, val, const64(src->size));
    gen_st_op(s, d, r);
}

/* The offset of the XMM source operand, loading a memory one into xmm_t0. */
static intptr_t xmm_src(DisasContext *s, const X86Operand *src, bool aligned)
{
    if (src->kind == X86_OPK_XMM) {
        return XMM_OFF(src->reg);
    }
    gen_sse_load_m128(s, src, T0_OFF, aligned);
    return T0_OFF;
}

static void gen_pcmpstr(DisasContext *s, unsigned m)
{
    uint64_t ctl = OP(2)->imm & 0xff;
    intptr_t src2 = xmm_src(s, OP(1), false);

    if (m == X86_MN_PCMPESTRI || m == X86_MN_PCMPESTRM) {
        ctl |= X86_PCMPSTR_EXPLICIT;
        ctl |= (s->insn.rex & X86_REX_W) ? X86_PCMPSTR_REXW : 0;
    }
    if (m == X86_MN_PCMPESTRM || m == X86_MN_PCMPISTRM) {
        ctl |= X86_PCMPSTR_MASK;
    }
    gen_update_cc_op(s);
    gen_helper(&hi_pcmpstr, NULL, 3, const64((int64_t)ctl), const64(XMM_OFF(OP(0)->reg)),
               const64(src2));
    s->cc_op = CC_OP_EFLAGS;
    s->cc_op_dirty = false;
}

bool translate_sse42(DisasContext *s)
{
    unsigned m = s->insn.mnemonic;

    switch (m) {
    case X86_MN_CRC32:
        gen_crc32(s);
        return true;
    case X86_MN_PCMPGTQ: case X86_MN_PCMPESTRI: case X86_MN_PCMPESTRM:
    case X86_MN_PCMPISTRI: case X86_MN_PCMPISTRM:
        break;
    default:
        return false;
    }
    if (gen_sse_unavailable(s)) {
        return true;
    }
    if (m == X86_MN_PCMPGTQ) {
        intptr_t src = xmm_src(s, OP(1), true);
        gen_helper(&hi_pcmpgtq, NULL, 2, const64(XMM_OFF(OP(0)->reg)), const64(src));
        return true;
    }
    gen_pcmpstr(s, m);
    return true;
}
