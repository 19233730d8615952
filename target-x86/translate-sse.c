/*
 * translate-sse.c: SSE/SSE2 on XMM registers, the subset that baseline
 * x86-64 code uses without floating-point arithmetic: all 128/64/32-bit
 * moves between XMM registers, memory and general registers, the logic
 * operations, integer lane arithmetic and compares, unpacks, packs,
 * shuffles, shifts, PMOVMSKB/MOVMSKPS/PD, PEXTRW/PINSRW. Moves are inline
 * IR on the XMMReg fields; the rest call helper_sse (sse_helper.c) with
 * the offsets of the operands, a memory source being loaded into
 * env->xmm_t0 first. 16-byte memory operands of the aligned forms fault
 * with #GP when misaligned (SDM Vol.1 Table 10-1...). MMX forms and
 * floating-point arithmetic are not translated yet (gen_unimp).
 */
#include "vireo/common.h"
#include "target-x86/translate.h"

HELPER(sse, 0, false);
HELPER(sse_movmsk, 0, true);

#define OP(n) (&s->insn.ops[n])
#define XMM_OFF(r) ((intptr_t)offsetof(X86CPUState, xmm[r]))
#define T0_OFF ((intptr_t)offsetof(X86CPUState, xmm_t0))

/* Mnemonics helper_sse implements (dst = XMM, src = XMM or memory). */
static const uint16_t helper_ops[] = {
    X86_MN_PADDB, X86_MN_PSUBB, X86_MN_PADDUSB, X86_MN_PSUBUSB, X86_MN_PADDSB,
    X86_MN_PSUBSB, X86_MN_PMINUB, X86_MN_PMAXUB, X86_MN_PAVGB, X86_MN_PCMPEQB,
    X86_MN_PCMPGTB, X86_MN_PADDW, X86_MN_PSUBW, X86_MN_PADDUSW, X86_MN_PSUBUSW,
    X86_MN_PADDSW, X86_MN_PSUBSW, X86_MN_PMINSW, X86_MN_PMAXSW, X86_MN_PAVGW,
    X86_MN_PCMPEQW, X86_MN_PCMPGTW, X86_MN_PMULLW, X86_MN_PMULHW, X86_MN_PMULHUW,
    X86_MN_PADDD, X86_MN_PSUBD, X86_MN_PCMPEQD, X86_MN_PCMPGTD, X86_MN_PADDQ,
    X86_MN_PSUBQ, X86_MN_PMULUDQ, X86_MN_PMADDWD, X86_MN_PSADBW, X86_MN_PXOR,
    X86_MN_XORPS, X86_MN_XORPD, X86_MN_POR, X86_MN_ORPS, X86_MN_ORPD, X86_MN_PAND,
    X86_MN_ANDPS, X86_MN_ANDPD, X86_MN_PANDN, X86_MN_ANDNPS, X86_MN_ANDNPD,
    X86_MN_PUNPCKLBW, X86_MN_PUNPCKLWD, X86_MN_PUNPCKLDQ, X86_MN_PUNPCKLQDQ,
    X86_MN_PUNPCKHBW, X86_MN_PUNPCKHWD, X86_MN_PUNPCKHDQ, X86_MN_PUNPCKHQDQ,
    X86_MN_UNPCKLPS, X86_MN_UNPCKLPD, X86_MN_UNPCKHPS, X86_MN_UNPCKHPD,
    X86_MN_PSHUFD, X86_MN_PSHUFLW, X86_MN_PSHUFHW, X86_MN_SHUFPS, X86_MN_SHUFPD,
    X86_MN_PACKSSWB, X86_MN_PACKUSWB, X86_MN_PACKSSDW,
    X86_MN_PSRLW, X86_MN_PSRLD, X86_MN_PSRLQ, X86_MN_PSLLW, X86_MN_PSLLD,
    X86_MN_PSLLQ, X86_MN_PSRAW, X86_MN_PSRAD, X86_MN_PSRLDQ, X86_MN_PSLLDQ,
};

static bool is_helper_op(unsigned m)
{
    for (unsigned i = 0; i < ARRAY_SIZE(helper_ops); i++) {
        if (helper_ops[i] == m) {
            return true;
        }
    }
    return false;
}

static TCGv_i64 mem_addr(DisasContext *s, const X86Operand *op)
{
    if (!s->A0) {
        s->A0 = gen_linear_sz(s, op->mem.seg, gen_ea(s, &op->mem), op->size);
    }
    return s->A0;
}

/* #GP(0) unless the address is 16-byte aligned (legacy SSE m128 rule). */
static void check_aligned(DisasContext *s, TCGv_i64 addr)
{
    TCGv_i64 t = tmp64();
    TCGLabel *ok = gen_new_label();

    gen_update_cc_op(s);
    tcg_gen_andi_i64(t, addr, 15);
    tcg_gen_brcondi_i64(TCG_COND_EQ, t, 0, ok);
    gen_helper(&hi_raise_exception_err, NULL, 2, const64(EXCP_GP), const64(0));
    tcg_gen_set_label(ok);
}

/* Loads size bytes at the operand into the XMMReg at off, zero-extended. */
static void load_xmm(DisasContext *s, const X86Operand *op, intptr_t off, unsigned size,
                     bool aligned)
{
    TCGv_i64 addr = mem_addr(s, op), lo = tmp64(), hi = tmp64(), a2 = tmp64();

    if (aligned && size == 16) {
        check_aligned(s, addr);
    }
    tcg_gen_qemu_ld_i64(lo, addr, s->mmu_idx, size == 4 ? MO_UL : MO_UQ);
    if (size == 16) {
        tcg_gen_addi_i64(a2, addr, 8);
        tcg_gen_qemu_ld_i64(hi, a2, s->mmu_idx, MO_UQ);
    } else {
        tcg_gen_movi_i64(hi, 0);
    }
    tcg_gen_st_i64(lo, tcg_env, off);
    tcg_gen_st_i64(hi, tcg_env, off + 8);
}

/* Stores size bytes of the XMMReg at off to the memory operand. */
static void store_xmm(DisasContext *s, const X86Operand *op, intptr_t off, unsigned size,
                      bool aligned)
{
    TCGv_i64 addr = mem_addr(s, op), lo = tmp64(), hi = tmp64(), a2 = tmp64();

    if (aligned && size == 16) {
        check_aligned(s, addr);
    }
    tcg_gen_ld_i64(lo, tcg_env, off);
    if (size == 16) {
        tcg_gen_ld_i64(hi, tcg_env, off + 8);
        tcg_gen_addi_i64(a2, addr, 8);
        /* Store the high half first: a fault on it leaves memory unchanged
         * when the operand is aligned (it cannot straddle pages then). */
        tcg_gen_qemu_st_i64(hi, a2, s->mmu_idx, MO_UQ);
    }
    tcg_gen_qemu_st_i64(lo, addr, s->mmu_idx, size == 4 ? MO_UL : MO_UQ);
}

static void copy_q(intptr_t dst, intptr_t src)
{
    TCGv_i64 t = tmp64();
    tcg_gen_ld_i64(t, tcg_env, src);
    tcg_gen_st_i64(t, tcg_env, dst);
}

static void copy_l(intptr_t dst, intptr_t src)
{
    TCGv_i32 t = tcg_temp_new_i32();
    tcg_gen_ld_i32(t, tcg_env, src);
    tcg_gen_st_i32(t, tcg_env, dst);
}

static void zero_q(intptr_t dst)
{
    tcg_gen_st_i64(const64(0), tcg_env, dst);
}

/* Full 128-bit moves (MOVDQA/U, MOVAPS/D, MOVUPS/D, MOVNT*). */
static void gen_mov128(DisasContext *s, bool aligned)
{
    const X86Operand *d = OP(0), *src = OP(1);

    if (d->kind == X86_OPK_MEM) {
        store_xmm(s, d, XMM_OFF(src->reg), 16, aligned);
    } else if (src->kind == X86_OPK_MEM) {
        load_xmm(s, src, XMM_OFF(d->reg), 16, aligned);
    } else {
        copy_q(XMM_OFF(d->reg), XMM_OFF(src->reg));
        copy_q(XMM_OFF(d->reg) + 8, XMM_OFF(src->reg) + 8);
    }
}

/* MOVD/MOVQ between XMM and a general register or memory, MOVQ xmm/m64. */
static void gen_movdq(DisasContext *s, unsigned size)
{
    const X86Operand *d = OP(0), *src = OP(1);
    TCGv_i64 v;

    if (d->kind == X86_OPK_XMM && src->kind == X86_OPK_XMM) {
        copy_q(XMM_OFF(d->reg), XMM_OFF(src->reg));
        zero_q(XMM_OFF(d->reg) + 8);
    } else if (d->kind == X86_OPK_XMM && src->kind == X86_OPK_MEM) {
        load_xmm(s, src, XMM_OFF(d->reg), size, false);
    } else if (d->kind == X86_OPK_XMM) {
        v = gen_extu(gen_ld_op(s, src), size);
        tcg_gen_st_i64(v, tcg_env, XMM_OFF(d->reg));
        zero_q(XMM_OFF(d->reg) + 8);
    } else if (d->kind == X86_OPK_MEM) {
        store_xmm(s, d, XMM_OFF(src->reg), size, false);
    } else {
        v = tmp64();
        tcg_gen_ld_i64(v, tcg_env, XMM_OFF(src->reg));
        gen_st_op(s, d, gen_extu(v, size));
    }
}

/* MOVSS/MOVSD: register forms merge the low element, loads zero the rest. */
static void gen_movs_scalar(DisasContext *s, unsigned size)
{
    const X86Operand *d = OP(0), *src = OP(1);

    if (src->kind == X86_OPK_MEM) {
        load_xmm(s, src, XMM_OFF(d->reg), size, false);
    } else if (d->kind == X86_OPK_MEM) {
        store_xmm(s, d, XMM_OFF(src->reg), size, false);
    } else if (size == 4) {
        copy_l(XMM_OFF(d->reg), XMM_OFF(src->reg));
    } else {
        copy_q(XMM_OFF(d->reg), XMM_OFF(src->reg));
    }
}

/* MOVLPS/PD, MOVHPS/PD and the register forms MOVHLPS/MOVLHPS. */
static void gen_mov_half(DisasContext *s, unsigned m)
{
    const X86Operand *d = OP(0), *src = OP(1);
    bool high = m == X86_MN_MOVHPS || m == X86_MN_MOVHPD;
    TCGv_i64 v;

    if (m == X86_MN_MOVHLPS) {
        copy_q(XMM_OFF(d->reg), XMM_OFF(src->reg) + 8);
    } else if (m == X86_MN_MOVLHPS) {
        copy_q(XMM_OFF(d->reg) + 8, XMM_OFF(src->reg));
    } else if (src->kind == X86_OPK_MEM) {
        v = tmp64();
        tcg_gen_qemu_ld_i64(v, mem_addr(s, src), s->mmu_idx, MO_UQ);
        tcg_gen_st_i64(v, tcg_env, XMM_OFF(d->reg) + (high ? 8 : 0));
    } else {
        store_xmm(s, d, XMM_OFF(src->reg) + (high ? 8 : 0), 8, false);
    }
}

static void gen_sse_helper(DisasContext *s, unsigned m)
{
    const X86Operand *d = OP(0), *src = OP(1);
    intptr_t src_off = T0_OFF;
    uint64_t imm = 0;

    if (src->kind == X86_OPK_IMM) {            /* shift groups 0F 71-73 */
        imm = (src->imm & 0xff) | 0x100;
        src_off = XMM_OFF(d->reg);
    } else if (src->kind == X86_OPK_XMM) {
        src_off = XMM_OFF(src->reg);
    } else {
        load_xmm(s, src, T0_OFF, src->size ? src->size : 16, true);
    }
    if (s->insn.nops > 2 && OP(2)->kind == X86_OPK_IMM) {
        imm = OP(2)->imm & 0xff;
    }
    if (m == X86_MN_PSRLDQ || m == X86_MN_PSLLDQ) {
        imm |= 0x100;
    }
    gen_helper(&hi_sse, NULL, 4, const64(m), const64(XMM_OFF(d->reg)), const64(src_off),
               const64(imm));
}

/* The mnemonics translate_sse handles (moves and helper_ops). */
static bool is_sse_mnemonic(unsigned m)
{
    switch (m) {
    case X86_MN_MOVDQA: case X86_MN_MOVAPS: case X86_MN_MOVAPD: case X86_MN_MOVNTDQ:
    case X86_MN_MOVNTPS: case X86_MN_MOVNTPD: case X86_MN_MOVDQU: case X86_MN_MOVUPS:
    case X86_MN_MOVUPD: case X86_MN_MOVD: case X86_MN_MOVQ: case X86_MN_MOVSS:
    case X86_MN_MOVSD: case X86_MN_MOVLPS: case X86_MN_MOVLPD: case X86_MN_MOVHPS:
    case X86_MN_MOVHPD: case X86_MN_MOVHLPS: case X86_MN_MOVLHPS: case X86_MN_PMOVMSKB:
    case X86_MN_MOVMSKPS: case X86_MN_MOVMSKPD: case X86_MN_PEXTRW: case X86_MN_PINSRW:
        return true;
    default:
        return is_helper_op(m);
    }
}

static bool uses_mmx(DisasContext *s)
{
    for (unsigned i = 0; i < s->insn.nops; i++) {
        if (OP(i)->kind == X86_OPK_MMX) {
            return true;
        }
    }
    return false;
}

bool translate_sse(DisasContext *s)
{
    unsigned m = s->insn.mnemonic;
    TCGv_i64 v;

    if (uses_mmx(s) || !is_sse_mnemonic(m)) {
        return false;
    }
    /* SDM Vol.3 Table 2-2 / 13.1: EM or OSFXSR clear -> #UD, TS -> #NM. */
    if ((s->flags & X86_TB_FLAG_EM) || !(s->flags & X86_TB_FLAG_OSFXSR)) {
        gen_exception(s, EXCP_UD);
        return true;
    }
    if (s->flags & X86_TB_FLAG_TS) {
        gen_exception(s, EXCP_NM);
        return true;
    }
    switch (m) {
    case X86_MN_MOVDQA: case X86_MN_MOVAPS: case X86_MN_MOVAPD:
    case X86_MN_MOVNTDQ: case X86_MN_MOVNTPS: case X86_MN_MOVNTPD:
        gen_mov128(s, true);
        return true;
    case X86_MN_MOVDQU: case X86_MN_MOVUPS: case X86_MN_MOVUPD:
        gen_mov128(s, false);
        return true;
    case X86_MN_MOVD: gen_movdq(s, 4); return true;
    case X86_MN_MOVQ: gen_movdq(s, 8); return true;
    case X86_MN_MOVSS: gen_movs_scalar(s, 4); return true;
    case X86_MN_MOVSD: gen_movs_scalar(s, 8); return true;
    case X86_MN_MOVLPS: case X86_MN_MOVLPD: case X86_MN_MOVHPS: case X86_MN_MOVHPD:
    case X86_MN_MOVHLPS: case X86_MN_MOVLHPS:
        gen_mov_half(s, m);
        return true;
    case X86_MN_PMOVMSKB: case X86_MN_MOVMSKPS: case X86_MN_MOVMSKPD:
        v = tmp64();
        gen_helper(&hi_sse_movmsk, v, 2, const64(m), const64(XMM_OFF(OP(1)->reg)));
        gen_st_reg(OP(0)->reg, OP(0)->size == 8 ? 8 : 4, false, v);
        return true;
    case X86_MN_PEXTRW:
        v = tmp64();
        tcg_gen_ld16u_i64(v, tcg_env, XMM_OFF(OP(1)->reg) + (OP(2)->imm & 7) * 2);
        gen_st_reg(OP(0)->reg, OP(0)->size == 8 ? 8 : 4, false, v);
        return true;
    case X86_MN_PINSRW:
        v = gen_ld_op(s, OP(1));
        tcg_gen_st16_i64(v, tcg_env, XMM_OFF(OP(0)->reg) + (OP(2)->imm & 7) * 2);
        return true;
    default:
        if (OP(0)->kind == X86_OPK_XMM) {
            gen_sse_helper(s, m);
            return true;
        }
        return false;
    }
}
