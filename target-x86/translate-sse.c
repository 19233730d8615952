/*
 * translate-sse.c: SSE/SSE2/SSE3/SSSE3/SSE4.1 on XMM registers:
 * floating-point arithmetic, compares and conversions, ROUNDPS and
 * friends, DPPS/DPPD (helper_sse_fp and friends in sse_fp_helper.c, under
 * MXCSR), and all 128/64/32-bit moves between XMM registers, memory and
 * general registers, the logic operations, integer lane arithmetic and
 * compares, unpacks, packs, shuffles, shifts, the SSSE3 and SSE4.1 lanes
 * (sse4_helper.c), PMOVMSKB/MOVMSKPS/PD, PEXTRB/W/D/Q, EXTRACTPS,
 * PINSRB/W/D/Q and PTEST. Moves, extracts and inserts are inline IR on
 * the XMMReg fields; the rest call helper_sse (sse_helper.c) with the
 * offsets of the operands, a memory source being loaded into env->xmm_t0
 * first. 16-byte memory operands of the aligned forms fault with #GP when
 * misaligned (SDM Vol.1 Table 10-1; for SSSE3 and SSE4.1 every m128 form,
 * MOVNTDQA included, per SDM Vol.2 2.4 exception types 2 and 4, which the
 * host CPU confirms), while the narrower forms (PMOVZXBQ m16 ...) read
 * only their own bytes, unchecked. Of the MMX-register forms the
 * conversions (CVTPI2PS, CVTPS2PI.. helper_sse_cvt_mmx) are translated,
 * and translate_mmx does MMX, SSE's MMX extensions and SSSE3's MMX forms
 * on the x87 significands (helper_mmx reuses the lane code). MASKMOVDQU
 * is not translated yet.
 */
#include "vireo/common.h"
#include "target-x86/translate.h"

HELPER(sse, 0, false);
HELPER(sse_movmsk, 0, true);
HELPER(sse_fp, 0, false);
HELPER(sse_comi, 0, false);
HELPER(sse_cvtsi, 0, false);
HELPER(sse_cvt2si, 0, true);
HELPER(sse_cvt_mmx, 0, false);
HELPER(mmx, 0, false);
HELPER(mmx_enter, 0, false);
HELPER(sse_ptest, 0, false);

#define OP(n) (&s->insn.ops[n])
#define XMM_OFF(r) ((intptr_t)offsetof(X86CPUState, xmm[r]))
#define T0_OFF ((intptr_t)offsetof(X86CPUState, xmm_t0))
#define MMX_OFF(r) ((intptr_t)offsetof(X86CPUState, fpregs[r]))

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
    /* SSSE3 (sse4_helper.c; these have MMX forms too) */
    X86_MN_PSHUFB, X86_MN_PHADDW, X86_MN_PHADDD, X86_MN_PHADDSW, X86_MN_PHSUBW,
    X86_MN_PHSUBD, X86_MN_PHSUBSW, X86_MN_PMADDUBSW, X86_MN_PMULHRSW, X86_MN_PSIGNB,
    X86_MN_PSIGNW, X86_MN_PSIGND, X86_MN_PABSB, X86_MN_PABSW, X86_MN_PABSD, X86_MN_PALIGNR,
    /* SSE4.1 integer (sse4_helper.c) */
    X86_MN_PBLENDVB, X86_MN_BLENDVPS, X86_MN_BLENDVPD, X86_MN_PBLENDW, X86_MN_BLENDPS,
    X86_MN_BLENDPD, X86_MN_PMOVSXBW, X86_MN_PMOVSXBD, X86_MN_PMOVSXBQ, X86_MN_PMOVSXWD,
    X86_MN_PMOVSXWQ, X86_MN_PMOVSXDQ, X86_MN_PMOVZXBW, X86_MN_PMOVZXBD, X86_MN_PMOVZXBQ,
    X86_MN_PMOVZXWD, X86_MN_PMOVZXWQ, X86_MN_PMOVZXDQ, X86_MN_PMULDQ, X86_MN_PMULLD,
    X86_MN_PCMPEQQ, X86_MN_PACKUSDW, X86_MN_PMINSB, X86_MN_PMINSD, X86_MN_PMINUW,
    X86_MN_PMINUD, X86_MN_PMAXSB, X86_MN_PMAXSD, X86_MN_PMAXUW, X86_MN_PMAXUD,
    X86_MN_PHMINPOSUW, X86_MN_MPSADBW, X86_MN_INSERTPS,
};

/* Mnemonics helper_sse_fp implements (dst = XMM, src = XMM or memory). */
static const uint16_t fp_ops[] = {
    X86_MN_ADDPS, X86_MN_ADDPD, X86_MN_ADDSS, X86_MN_ADDSD, X86_MN_SUBPS, X86_MN_SUBPD,
    X86_MN_SUBSS, X86_MN_SUBSD, X86_MN_MULPS, X86_MN_MULPD, X86_MN_MULSS, X86_MN_MULSD,
    X86_MN_DIVPS, X86_MN_DIVPD, X86_MN_DIVSS, X86_MN_DIVSD, X86_MN_MINPS, X86_MN_MINPD,
    X86_MN_MINSS, X86_MN_MINSD, X86_MN_MAXPS, X86_MN_MAXPD, X86_MN_MAXSS, X86_MN_MAXSD,
    X86_MN_SQRTPS, X86_MN_SQRTPD, X86_MN_SQRTSS, X86_MN_SQRTSD,
    X86_MN_CMPPS, X86_MN_CMPPD, X86_MN_CMPSS, X86_MN_CMPSD,
    X86_MN_CVTSS2SD, X86_MN_CVTSD2SS, X86_MN_CVTPS2PD, X86_MN_CVTPD2PS,
    X86_MN_CVTDQ2PS, X86_MN_CVTPS2DQ, X86_MN_CVTTPS2DQ, X86_MN_CVTDQ2PD,
    X86_MN_CVTPD2DQ, X86_MN_CVTTPD2DQ,
    X86_MN_RCPSS, X86_MN_RCPPS, X86_MN_RSQRTSS, X86_MN_RSQRTPS,
    X86_MN_ADDSUBPS, X86_MN_ADDSUBPD, X86_MN_HADDPS, X86_MN_HADDPD, X86_MN_HSUBPS,
    X86_MN_HSUBPD, X86_MN_MOVSLDUP, X86_MN_MOVSHDUP, X86_MN_MOVDDUP,
    X86_MN_ROUNDPS, X86_MN_ROUNDPD, X86_MN_ROUNDSS, X86_MN_ROUNDSD, X86_MN_DPPS, X86_MN_DPPD,
};

static bool in_list(const uint16_t *list, unsigned n, unsigned m)
{
    for (unsigned i = 0; i < n; i++) {
        if (list[i] == m) {
            return true;
        }
    }
    return false;
}

static bool is_helper_op(unsigned m)
{
    return in_list(helper_ops, ARRAY_SIZE(helper_ops), m);
}

static bool is_fp_op(unsigned m)
{
    return in_list(fp_ops, ARRAY_SIZE(fp_ops), m);
}

/* The memory operand's linear address, checked for a read. */
static TCGv_i64 mem_addr(DisasContext *s, const X86Operand *op)
{
    return gen_mem_addr(s, op, X86_SEGACC_R);
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
    tcg_gen_qemu_ld_i64(lo, addr, s->mmu_idx, size == 2 ? MO_UW : size == 4 ? MO_UL : MO_UQ);
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
    TCGv_i64 addr = gen_mem_addr(s, op, X86_SEGACC_W), lo = tmp64(), hi = tmp64();
    TCGv_i64 a2 = tmp64();

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

void gen_sse_load_m128(DisasContext *s, const X86Operand *op, intptr_t off, bool aligned)
{
    load_xmm(s, op, off, 16, aligned);
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

/* helper_sse_fp on XMM dst and XMM/memory src (packed m128 aligned). */
static void gen_sse_fp(DisasContext *s, unsigned m)
{
    const X86Operand *d = OP(0), *src = OP(1);
    intptr_t src_off = T0_OFF;
    uint64_t imm = 0;

    if (src->kind == X86_OPK_XMM) {
        src_off = XMM_OFF(src->reg);
    } else {
        load_xmm(s, src, T0_OFF, src->size ? src->size : 16, true);
    }
    if (s->insn.nops > 2 && OP(2)->kind == X86_OPK_IMM) {
        imm = OP(2)->imm & 0xff;
    }
    gen_helper(&hi_sse_fp, NULL, 4, const64(m), const64(XMM_OFF(d->reg)), const64(src_off),
               const64(imm));
}

/* COMISS/COMISD/UCOMISS/UCOMISD: the helper writes all six flags. */
static void gen_comi(DisasContext *s, unsigned m)
{
    const X86Operand *src = OP(1);
    intptr_t src_off = T0_OFF;

    if (src->kind == X86_OPK_XMM) {
        src_off = XMM_OFF(src->reg);
    } else {
        load_xmm(s, src, T0_OFF, src->size, false);
    }
    gen_update_cc_op(s);
    gen_helper(&hi_sse_comi, NULL, 3, const64(m), const64(XMM_OFF(OP(0)->reg)),
               const64(src_off));
    s->cc_op = CC_OP_EFLAGS;
    s->cc_op_dirty = false;
}

/* CVTSI2SS/SD from a 32/64-bit GPR or memory (REX.W selects 64). */
static void gen_cvtsi(DisasContext *s, unsigned m)
{
    const X86Operand *src = OP(1);
    TCGv_i64 v = gen_ld_op(s, src);

    gen_helper(&hi_sse_cvtsi, NULL, 4, const64(m), const64(XMM_OFF(OP(0)->reg)), v,
               const64(src->size == 8 ? 8 : 4));
}

/* CVT(T)SS2SI / CVT(T)SD2SI to a 32/64-bit GPR. */
static void gen_cvt2si(DisasContext *s, unsigned m)
{
    const X86Operand *src = OP(1);
    intptr_t src_off = T0_OFF;
    TCGv_i64 v = tmp64();

    if (src->kind == X86_OPK_XMM) {
        src_off = XMM_OFF(src->reg);
    } else {
        load_xmm(s, src, T0_OFF, src->size, false);
    }
    gen_helper(&hi_sse_cvt2si, v, 3, const64(m), const64(src_off),
               const64(OP(0)->size == 8 ? 8 : 4));
    gen_st_op(s, OP(0), v);
}

static bool is_cvt_mmx(unsigned m)
{
    switch (m) {
    case X86_MN_CVTPI2PS: case X86_MN_CVTPI2PD: case X86_MN_CVTPS2PI: case X86_MN_CVTTPS2PI:
    case X86_MN_CVTPD2PI: case X86_MN_CVTTPD2PI:
        return true;
    default:
        return false;
    }
}

/* The conversions between XMM and MMX registers (or m64/m128). */
static void gen_cvt_mmx(DisasContext *s, unsigned m)
{
    const X86Operand *d = OP(0), *src = OP(1);
    intptr_t src_off = T0_OFF, dst_off;
    bool mmx = d->kind == X86_OPK_MMX || src->kind == X86_OPK_MMX;

    dst_off = d->kind == X86_OPK_MMX ? MMX_OFF(d->reg & 7) : XMM_OFF(d->reg);
    if (src->kind == X86_OPK_MMX) {
        src_off = MMX_OFF(src->reg & 7);
    } else if (src->kind == X86_OPK_XMM) {
        src_off = XMM_OFF(src->reg);
    } else {
        load_xmm(s, src, T0_OFF, src->size ? src->size : 16, true);
    }
    gen_helper(&hi_sse_cvt_mmx, NULL, 4, const64(m), const64(dst_off), const64(src_off),
               const64(mmx));
}

/*
 * A lane operation through helper_sse (XMM registers) or helper_mmx (MMX
 * registers, mmx set); a memory source is loaded into xmm_t0 first.
 */
static void gen_lane_helper(DisasContext *s, unsigned m, bool mmx)
{
    const X86Operand *d = OP(0), *src = OP(1);
    intptr_t src_off = T0_OFF, dst_off = mmx ? MMX_OFF(d->reg & 7) : XMM_OFF(d->reg);
    uint64_t imm = 0;

    if (src->kind == X86_OPK_IMM) {            /* shift groups 0F 71-73 */
        imm = (src->imm & 0xff) | 0x100;
        src_off = dst_off;
    } else if (src->kind == X86_OPK_XMM) {
        src_off = XMM_OFF(src->reg);
    } else if (src->kind == X86_OPK_MMX) {
        src_off = MMX_OFF(src->reg & 7);
    } else if (mmx) {
        load_xmm(s, src, T0_OFF, src->size == 4 ? 4 : 8, false);
    } else {
        load_xmm(s, src, T0_OFF, src->size ? src->size : 16, true);
    }
    if (s->insn.nops > 2 && OP(2)->kind == X86_OPK_IMM) {
        imm = OP(2)->imm & 0xff;
    }
    if (m == X86_MN_PSRLDQ || m == X86_MN_PSLLDQ) {
        imm |= 0x100;
    }
    if (m == X86_MN_INSERTPS && src->kind == X86_OPK_MEM) {
        imm &= 0x3f;    /* the m32 form takes the loaded dword (count_s = 0) */
    }
    gen_helper(mmx ? &hi_mmx : &hi_sse, NULL, 4, const64(m), const64(dst_off),
               const64(src_off), const64(imm));
}

/*
 * PEXTRB/PEXTRW/PEXTRD/PEXTRQ/EXTRACTPS (SDM Vol.2 PEXTRB): the element
 * the immediate selects, zero-extended into a 32/64-bit register or stored
 * with its own size.
 */
static void gen_pextr(DisasContext *s, unsigned m)
{
    const X86Operand *d = OP(0);
    unsigned size = m == X86_MN_PEXTRB ? 1 : m == X86_MN_PEXTRW ? 2 : m == X86_MN_PEXTRQ ? 8 : 4;
    intptr_t off = XMM_OFF(OP(1)->reg) + (OP(2)->imm & (16 / size - 1)) * size;
    TCGv_i64 v = tmp64();

    switch (size) {
    case 1: tcg_gen_ld8u_i64(v, tcg_env, off); break;
    case 2: tcg_gen_ld16u_i64(v, tcg_env, off); break;
    case 4: tcg_gen_ld32u_i64(v, tcg_env, off); break;
    default: tcg_gen_ld_i64(v, tcg_env, off); break;
    }
    if (d->kind == X86_OPK_GPR) {
        gen_st_reg(d->reg, d->size == 8 ? 8 : 4, false, v);
    } else {
        gen_st_op(s, d, v);
    }
}

/* PINSRB/PINSRD/PINSRQ: the low bytes of a register or memory into one element. */
static void gen_pinsr(DisasContext *s, unsigned m)
{
    TCGv_i64 v = gen_ld_op(s, OP(1));
    unsigned size = m == X86_MN_PINSRB ? 1 : m == X86_MN_PINSRD ? 4 : 8;
    intptr_t off = XMM_OFF(OP(0)->reg) + (OP(2)->imm & (16 / size - 1)) * size;

    switch (size) {
    case 1: tcg_gen_st8_i64(v, tcg_env, off); break;
    case 4: tcg_gen_st32_i64(v, tcg_env, off); break;
    default: tcg_gen_st_i64(v, tcg_env, off); break;
    }
}

/* PTEST: the helper writes all six flags (SDM Vol.2 PTEST). */
static void gen_ptest(DisasContext *s)
{
    const X86Operand *src = OP(1);
    intptr_t src_off = T0_OFF;

    if (src->kind == X86_OPK_XMM) {
        src_off = XMM_OFF(src->reg);
    } else {
        load_xmm(s, src, T0_OFF, 16, true);
    }
    gen_update_cc_op(s);
    gen_helper(&hi_sse_ptest, NULL, 2, const64(XMM_OFF(OP(0)->reg)), const64(src_off));
    s->cc_op = CC_OP_EFLAGS;
    s->cc_op_dirty = false;
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
    case X86_MN_LDDQU: case X86_MN_COMISS: case X86_MN_COMISD: case X86_MN_UCOMISS:
    case X86_MN_UCOMISD: case X86_MN_CVTSI2SS: case X86_MN_CVTSI2SD: case X86_MN_CVTSS2SI:
    case X86_MN_CVTSD2SI: case X86_MN_CVTTSS2SI: case X86_MN_CVTTSD2SI:
    case X86_MN_PTEST: case X86_MN_MOVNTDQA: case X86_MN_PEXTRB: case X86_MN_PEXTRD:
    case X86_MN_PEXTRQ: case X86_MN_EXTRACTPS: case X86_MN_PINSRB: case X86_MN_PINSRD:
    case X86_MN_PINSRQ:
        return true;
    default:
        return is_helper_op(m) || is_fp_op(m);
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

/* Stores the 64-bit val into MMX register r: significand, exponent all ones. */
static void st_mmx(unsigned r, TCGv_i64 val)
{
    tcg_gen_st_i64(val, tcg_env, MMX_OFF(r & 7) + offsetof(FloatX80, mant));
    tcg_gen_st16_i64(const64(0xffff), tcg_env, MMX_OFF(r & 7) + offsetof(FloatX80, sexp));
}

static TCGv_i64 ld_mmx(unsigned r)
{
    TCGv_i64 v = tmp64();

    tcg_gen_ld_i64(v, tcg_env, MMX_OFF(r & 7) + offsetof(FloatX80, mant));
    return v;
}

/* MOVD/MOVQ/MOVNTQ with an MMX register on either side (SDM Vol.2 MOVD/MOVQ). */
static void gen_mmx_mov(DisasContext *s, unsigned size)
{
    const X86Operand *d = OP(0), *src = OP(1);
    TCGv_i64 v;

    if (d->kind == X86_OPK_MMX) {
        v = src->kind == X86_OPK_MMX ? ld_mmx(src->reg) : gen_ld_op(s, src);
        if (size == 4) {
            tcg_gen_ext32u_i64(v, v);
        }
        st_mmx(d->reg, v);
        return;
    }
    v = ld_mmx(src->reg);
    if (d->kind == X86_OPK_MMX) {
        st_mmx(d->reg, v);
    } else {
        gen_st_op(s, d, v);
    }
}

/*
 * MASKMOVQ (SDM Vol.2): each byte of the first register whose mask byte
 * in the second has bit 7 set is stored at DS:rDI + i (segment override
 * allowed). The linear address goes through xmm_t0 so that it outlives
 * the per-byte branches.
 */
static void gen_maskmovq(DisasContext *s)
{
    int seg = s->insn.seg_override != X86_SEG_NONE ? s->insn.seg_override : R_DS;
    TCGv_i64 addr = gen_linear_acc(s, seg, gen_extu(cpu_regs[R_EDI], s->insn.addr_size), 8,
                                   X86_SEGACC_W);

    tcg_gen_st_i64(addr, tcg_env, T0_OFF);
    for (int i = 0; i < 8; i++) {
        TCGLabel *skip = gen_new_label();
        TCGv_i64 mask = ld_mmx(OP(1)->reg), v, a = tmp64();

        tcg_gen_shri_i64(mask, mask, 8 * i + 7);
        tcg_gen_andi_i64(mask, mask, 1);
        tcg_gen_brcondi_i64(TCG_COND_EQ, mask, 0, skip);
        v = ld_mmx(OP(0)->reg);
        tcg_gen_shri_i64(v, v, 8 * i);
        tcg_gen_ld_i64(a, tcg_env, T0_OFF);
        tcg_gen_addi_i64(a, a, i);
        tcg_gen_qemu_st_i64(v, a, s->mmu_idx, MO_UB);
        tcg_gen_set_label(skip);
    }
}

/*
 * The MMX-register forms (SDM Vol.1 ch.9, Vol.3 Table 2-2): CR0.EM -> #UD,
 * CR0.TS -> #NM, then MMX mode is entered (helper_mmx_enter) and the
 * operation done on the x87 significands.
 */
static bool translate_mmx(DisasContext *s, unsigned m)
{
    TCGv_i64 v;

    if (!(is_helper_op(m) || m == X86_MN_MASKMOVQ || m == X86_MN_PSHUFW ||
                                  m == X86_MN_MOVD || m == X86_MN_MOVQ ||
                                  m == X86_MN_MOVNTQ || m == X86_MN_PMOVMSKB ||
                                  m == X86_MN_PEXTRW || m == X86_MN_PINSRW)) {
        return false;
    }
    if (s->flags & X86_TB_FLAG_EM) {
        gen_exception(s, EXCP_UD);
        return true;
    }
    if (s->flags & X86_TB_FLAG_TS) {
        gen_exception(s, EXCP_NM);
        return true;
    }
    gen_update_cc_op(s);
    gen_helper(&hi_mmx_enter, NULL, 0);
    switch (m) {
    case X86_MN_MOVD: gen_mmx_mov(s, 4); return true;
    case X86_MN_MOVQ: case X86_MN_MOVNTQ: gen_mmx_mov(s, 8); return true;
    case X86_MN_MASKMOVQ: gen_maskmovq(s); return true;
    case X86_MN_PMOVMSKB:
        v = tmp64();
        gen_helper(&hi_sse_movmsk, v, 2, const64(m), const64(MMX_OFF(OP(1)->reg & 7)));
        tcg_gen_andi_i64(v, v, 0xff);
        gen_st_reg(OP(0)->reg, OP(0)->size == 8 ? 8 : 4, false, v);
        return true;
    case X86_MN_PEXTRW:
        v = tmp64();
        tcg_gen_ld16u_i64(v, tcg_env, MMX_OFF(OP(1)->reg & 7) + (OP(2)->imm & 3) * 2);
        gen_st_reg(OP(0)->reg, OP(0)->size == 8 ? 8 : 4, false, v);
        return true;
    case X86_MN_PINSRW:
        v = gen_ld_op(s, OP(1));
        tcg_gen_st16_i64(v, tcg_env, MMX_OFF(OP(0)->reg & 7) + (OP(2)->imm & 3) * 2);
        tcg_gen_st16_i64(const64(0xffff), tcg_env,
                         MMX_OFF(OP(0)->reg & 7) + offsetof(FloatX80, sexp));
        return true;
    default:
        gen_lane_helper(s, m, true);
        return true;
    }
}

/* SDM Vol.3 Table 2-2 / 13.1: CR0.EM or a clear CR4.OSFXSR make SSE
 * instructions #UD, CR0.TS makes them #NM (decided from the block's
 * flags). Emits the exception and returns true when SSE is unavailable. */
bool gen_sse_unavailable(DisasContext *s)
{
    if ((s->flags & X86_TB_FLAG_EM) || !(s->flags & X86_TB_FLAG_OSFXSR)) {
        gen_exception(s, EXCP_UD);
        return true;
    }
    if (s->flags & X86_TB_FLAG_TS) {
        gen_exception(s, EXCP_NM);
        return true;
    }
    return false;
}

bool translate_sse(DisasContext *s)
{
    unsigned m = s->insn.mnemonic;
    TCGv_i64 v;

    if (uses_mmx(s) && !is_cvt_mmx(m)) {
        return translate_mmx(s, m);
    }
    if (translate_sse42(s)) {
        return true;
    }
    if (!is_sse_mnemonic(m) && !is_cvt_mmx(m)) {
        return false;
    }
    if (gen_sse_unavailable(s)) {
        return true;
    }
    switch (m) {
    case X86_MN_MOVDQA: case X86_MN_MOVAPS: case X86_MN_MOVAPD:
    case X86_MN_MOVNTDQ: case X86_MN_MOVNTPS: case X86_MN_MOVNTPD: case X86_MN_MOVNTDQA:
        gen_mov128(s, true);
        return true;
    case X86_MN_MOVDQU: case X86_MN_MOVUPS: case X86_MN_MOVUPD: case X86_MN_LDDQU:
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
    case X86_MN_PEXTRW: case X86_MN_PEXTRB: case X86_MN_PEXTRD: case X86_MN_PEXTRQ:
    case X86_MN_EXTRACTPS:
        gen_pextr(s, m);
        return true;
    case X86_MN_PINSRB: case X86_MN_PINSRD: case X86_MN_PINSRQ:
        gen_pinsr(s, m);
        return true;
    case X86_MN_PTEST:
        gen_ptest(s);
        return true;
    case X86_MN_PINSRW:
        v = gen_ld_op(s, OP(1));
        tcg_gen_st16_i64(v, tcg_env, XMM_OFF(OP(0)->reg) + (OP(2)->imm & 7) * 2);
        return true;
    case X86_MN_COMISS: case X86_MN_COMISD: case X86_MN_UCOMISS: case X86_MN_UCOMISD:
        gen_comi(s, m);
        return true;
    case X86_MN_CVTPI2PS: case X86_MN_CVTPI2PD: case X86_MN_CVTPS2PI: case X86_MN_CVTTPS2PI:
    case X86_MN_CVTPD2PI: case X86_MN_CVTTPD2PI:
        gen_cvt_mmx(s, m);
        return true;
    case X86_MN_CVTSI2SS: case X86_MN_CVTSI2SD:
        gen_cvtsi(s, m);
        return true;
    case X86_MN_CVTSS2SI: case X86_MN_CVTSD2SI: case X86_MN_CVTTSS2SI: case X86_MN_CVTTSD2SI:
        gen_cvt2si(s, m);
        return true;
    default:
        if (OP(0)->kind == X86_OPK_XMM && is_fp_op(m)) {
            gen_sse_fp(s, m);
            return true;
        }
        if (OP(0)->kind == X86_OPK_XMM) {
            gen_lane_helper(s, m, false);
            return true;
        }
        return false;
    }
}
