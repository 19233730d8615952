/*
 * translate-alu.c: the integer instructions of the x86 translator: ALU
 * operations, INC/DEC/NEG/NOT, shifts and rotates, multiplication and
 * division, bit tests and scans, data movement (MOV, MOVZX/MOVSX, LEA,
 * XCHG, XADD, CMPXCHG, BSWAP, MOVBE, CMOVcc, SETcc), the stack (PUSH,
 * POP, PUSHA/POPA, PUSHF/POPF, ENTER/LEAVE) and the flag instructions.
 * Each gen_MNEMONIC works on the operands the decoder found (Intel order:
 * destination first) and records its flags lazily (docs/lazy-flags.md).
 * Memory destinations are written before any register or flag state
 * changes, so a fault leaves the instruction undone.
 */
#include "vireo/common.h"
#include "target-x86/translate.h"

HELPER(div, 0, false);
HELPER(rcl, 0, true);
HELPER(rcr, 0, true);
HELPER(bcd, 0, false);
HELPER(cmpxchg16b, 0, false);
HELPER(read_eflags, 0, true);
HELPER(write_eflags, 0, false);

#define OP(n) (&s->insn.ops[n])

static TCGv_i64 ld_eflags(void)
{
    TCGv_i64 f = tmp64();
    tcg_gen_ld_i64(f, tcg_env, offsetof(X86CPUState, eflags));
    return f;
}

static void st_eflags(TCGv_i64 f)
{
    tcg_gen_st_i64(f, tcg_env, offsetof(X86CPUState, eflags));
}

/* Replaces the eflags bits in mask by bits (a 0/1 value shifted to bit). */
static void set_eflag_bit(DisasContext *s, uint32_t bit, TCGv_i64 v01)
{
    TCGv_i64 f, t = tmp64();

    gen_materialize_flags(s);
    f = ld_eflags();
    tcg_gen_andi_i64(f, f, ~(int64_t)bit);
    tcg_gen_shli_i64(t, v01, __builtin_ctz(bit));
    tcg_gen_or_i64(f, f, t);
    st_eflags(f);
}

/* ADD OR ADC SBB AND SUB XOR CMP TEST. */
static void gen_alu(DisasContext *s, unsigned m)
{
    unsigned size = OP(0)->size;
    TCGv_i64 a = gen_ld_op(s, OP(0)), b = gen_ld_op(s, OP(1)), res = tmp64(), cf = NULL;
    int cc;

    if (m == X86_MN_ADC || m == X86_MN_SBB) {
        cf = gen_get_cf(s);
    }
    switch (m) {
    case X86_MN_ADD: tcg_gen_add_i64(res, a, b); cc = CC_OP_ADDB; break;
    case X86_MN_ADC:
        tcg_gen_add_i64(res, a, b);
        tcg_gen_add_i64(res, res, cf);
        cc = CC_OP_ADCB;
        break;
    case X86_MN_SUB: case X86_MN_CMP: tcg_gen_sub_i64(res, a, b); cc = CC_OP_SUBB; break;
    case X86_MN_SBB:
        tcg_gen_sub_i64(res, a, b);
        tcg_gen_sub_i64(res, res, cf);
        cc = CC_OP_SBBB;
        break;
    case X86_MN_OR: tcg_gen_or_i64(res, a, b); cc = CC_OP_LOGICB; break;
    case X86_MN_XOR: tcg_gen_xor_i64(res, a, b); cc = CC_OP_LOGICB; break;
    default: tcg_gen_and_i64(res, a, b); cc = CC_OP_LOGICB; break;
    }
    if (m != X86_MN_CMP && m != X86_MN_TEST) {
        gen_st_op(s, OP(0), res);
    }
    if (cf) {
        tcg_gen_mov_i64(cpu_cc_src2, cf);
    }
    gen_set_flags(s, cc, size, res, cc == CC_OP_LOGICB ? NULL : b);
}

static void gen_incdec(DisasContext *s, bool dec)
{
    TCGv_i64 cf = gen_get_cf(s), a = gen_ld_op(s, OP(0)), res = tmp64();

    tcg_gen_addi_i64(res, a, dec ? -1 : 1);
    gen_st_op(s, OP(0), res);
    gen_set_flags(s, dec ? CC_OP_DECB : CC_OP_INCB, OP(0)->size, res, cf);
}

static void gen_neg_not(DisasContext *s, bool neg)
{
    TCGv_i64 a = gen_ld_op(s, OP(0)), res = tmp64();

    if (neg) {
        tcg_gen_neg_i64(res, a);
    } else {
        tcg_gen_not_i64(res, a);
    }
    gen_st_op(s, OP(0), res);
    if (neg) {
        gen_set_flags(s, CC_OP_SUBB, OP(0)->size, res, a);
    }
}

/* The shift count masked as the hardware does (SDM SAL/SAR/SHL/SHR). */
static TCGv_i64 shift_count(DisasContext *s, const X86Operand *op, unsigned size)
{
    TCGv_i64 c = tmp64();

    tcg_gen_andi_i64(c, gen_ld_op(s, op), size == 8 ? 63 : 31);
    return c;
}

/*
 * Records flags for a shift whose count may be zero at run time: with a
 * zero count the flags stay as they were (the old state is folded into
 * eflags first, and cc_op is chosen at run time).
 */
static void set_shift_flags(DisasContext *s, int op_base, unsigned size, TCGv_i64 count,
                            TCGv_i64 res, TCGv_i64 src, bool imm_count)
{
    TCGv_i64 nz, t;
    int op = op_base + (size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3);

    if (imm_count) {
        gen_set_flags(s, op_base, size, res, src);
        return;
    }
    nz = tmp64();
    tcg_gen_setcondi_i64(TCG_COND_NE, nz, count, 0);
    tcg_gen_movcond_i64(TCG_COND_NE, cpu_cc_dst, nz, const64(0), res, cpu_cc_dst);
    tcg_gen_movcond_i64(TCG_COND_NE, cpu_cc_src, nz, const64(0), src, cpu_cc_src);
    t = tmp64();
    tcg_gen_movcond_i64(TCG_COND_NE, t, nz, const64(0), const64(op), const64(CC_OP_EFLAGS));
    tcg_gen_st32_i64(t, tcg_env, offsetof(X86CPUState, cc_op));
    s->cc_op = CC_OP_DYNAMIC;
    s->cc_op_dirty = false;
}

/*
 * A shift by an immediate count that masks to 0: the flags stay, a memory
 * destination is only read (it still faults like the hardware), and a
 * register destination is written back unchanged, so that a 32-bit one
 * has its upper half cleared in 64-bit mode (SDM vol. 1 3.4.1.1; what
 * AMD and Intel hardware do for SHL/SHR/SAR/SHLD/SHRD r32, 0).
 */
static void gen_shift_count0(DisasContext *s)
{
    TCGv_i64 v = gen_ld_op(s, OP(0));

    if (OP(0)->kind == X86_OPK_GPR) {
        gen_st_op(s, OP(0), v);
    }
}

/* SHL/SAL/SHR/SAR. */
static void gen_shift(DisasContext *s, unsigned m)
{
    unsigned size = OP(0)->size;
    bool imm = OP(1)->kind == X86_OPK_IMM;
    TCGv_i64 c = shift_count(s, OP(1), size), a, res = tmp64(), src = tmp64();
    TCGv_i64 c1 = tmp64();

    if (imm && (OP(1)->imm & (size == 8 ? 63 : 31)) == 0) {
        gen_shift_count0(s);
        return;
    }
    if (!imm) {
        gen_materialize_flags(s);
    }
    a = m == X86_MN_SAR ? gen_exts(gen_ld_op(s, OP(0)), size) : gen_ld_op(s, OP(0));
    tcg_gen_subi_i64(c1, c, 1);
    tcg_gen_andi_i64(c1, c1, 63);
    if (m == X86_MN_SHL || m == X86_MN_SAL) {
        tcg_gen_shl_i64(res, a, c);
        tcg_gen_shl_i64(src, a, c1);
    } else if (m == X86_MN_SHR) {
        tcg_gen_shr_i64(res, a, c);
        tcg_gen_shr_i64(src, a, c1);
    } else {
        tcg_gen_sar_i64(res, a, c);
        tcg_gen_sar_i64(src, a, c1);
    }
    gen_st_op(s, OP(0), res);
    set_shift_flags(s, (m == X86_MN_SHL || m == X86_MN_SAL) ? CC_OP_SHLB : CC_OP_SARB,
                    size, c, res, src, imm);
}

/* Rotates a size-byte value left by c (any c), in 64 bits. */
static TCGv_i64 rotl_sized(TCGv_i64 a, TCGv_i64 c, unsigned size)
{
    TCGv_i64 t = tmp64();

    switch (size) {
    case 1: tcg_gen_muli_i64(t, a, 0x0101010101010101LL); break;
    case 2: tcg_gen_muli_i64(t, a, 0x0001000100010001LL); break;
    case 4: tcg_gen_muli_i64(t, a, 0x0000000100000001LL); break;
    default: tcg_gen_mov_i64(t, a); break;
    }
    tcg_gen_rotl_i64(t, t, c);
    return gen_extu(t, size);
}

/* ROL/ROR: only CF and OF change, and only for a nonzero masked count. */
static void gen_rotate(DisasContext *s, bool left)
{
    unsigned size = OP(0)->size, bits = size * 8;
    TCGv_i64 c = shift_count(s, OP(1), size), a = gen_ld_op(s, OP(0)), res, cnt = tmp64();
    TCGv_i64 cf = tmp64(), of = tmp64(), f, nf = tmp64();

    if (left) {
        cnt = c;
    } else {
        tcg_gen_neg_i64(cnt, c);
        tcg_gen_andi_i64(cnt, cnt, 63);
    }
    res = rotl_sized(a, cnt, size);
    gen_st_op(s, OP(0), res);
    gen_materialize_flags(s);
    if (left) {
        tcg_gen_andi_i64(cf, res, 1);
        tcg_gen_shri_i64(of, res, bits - 1);
    } else {
        tcg_gen_shri_i64(cf, res, bits - 1);
        tcg_gen_shri_i64(of, res, bits - 2);
    }
    tcg_gen_xor_i64(of, of, cf);
    tcg_gen_andi_i64(of, of, 1);
    f = ld_eflags();
    tcg_gen_andi_i64(nf, f, ~(int64_t)(CC_C | CC_O));
    tcg_gen_or_i64(nf, nf, cf);
    tcg_gen_shli_i64(of, of, 11);
    tcg_gen_or_i64(nf, nf, of);
    tcg_gen_movcond_i64(TCG_COND_NE, f, c, const64(0), nf, f);
    st_eflags(f);
}

static void gen_rcx(DisasContext *s, bool left)
{
    unsigned size = OP(0)->size;
    TCGv_i64 a = gen_ld_op(s, OP(0)), c = gen_ld_op(s, OP(1)), res = tmp64();

    gen_update_cc_op(s);
    gen_helper(left ? &hi_rcl : &hi_rcr, res, 3, a, c, const64(size));
    s->cc_op = CC_OP_EFLAGS;
    s->cc_op_dirty = false;
    gen_st_op(s, OP(0), res);
}

/* SHLD/SHRD (SDM SHLD, SHRD): count masked to 5 bits (6 with REX.W). */
static void gen_shxd(DisasContext *s, bool left)
{
    unsigned size = OP(0)->size, bits = size * 8;
    bool imm = OP(2)->kind == X86_OPK_IMM;
    TCGv_i64 c = shift_count(s, OP(2), size), a, b = gen_ld_op(s, OP(1));
    TCGv_i64 res = tmp64(), src = tmp64(), c1 = tmp64(), t = tmp64();

    if (imm && (OP(2)->imm & (size == 8 ? 63 : 31)) == 0) {
        gen_shift_count0(s);
        return;
    }
    if (!imm) {
        gen_materialize_flags(s);
    }
    a = gen_ld_op(s, OP(0));
    tcg_gen_subi_i64(c1, c, 1);
    tcg_gen_andi_i64(c1, c1, 63);
    if (size == 8) {
        TCGv_i64 rc = tmp64(), o = tmp64();
        tcg_gen_sub_i64(rc, const64(64), c);
        tcg_gen_andi_i64(rc, rc, 63);
        if (left) {
            tcg_gen_shl_i64(res, a, c);
            tcg_gen_shr_i64(o, b, rc);
            tcg_gen_shl_i64(src, a, c1);
        } else {
            tcg_gen_shr_i64(res, a, c);
            tcg_gen_shl_i64(o, b, rc);
            tcg_gen_shr_i64(src, a, c1);
        }
        tcg_gen_movcond_i64(TCG_COND_EQ, o, c, const64(0), const64(0), o);
        tcg_gen_or_i64(res, res, o);
    } else if (left) {
        tcg_gen_shli_i64(t, a, bits);
        tcg_gen_or_i64(t, t, b);            /* a:b */
        tcg_gen_shl_i64(res, t, c);
        tcg_gen_shri_i64(res, res, bits);
        tcg_gen_shl_i64(src, t, c1);
        tcg_gen_shri_i64(src, src, bits);
    } else {
        tcg_gen_shli_i64(t, b, bits);
        tcg_gen_or_i64(t, t, a);            /* b:a */
        tcg_gen_shr_i64(res, t, c);
        tcg_gen_shr_i64(src, t, c1);
    }
    res = gen_extu(res, size);
    gen_st_op(s, OP(0), res);
    set_shift_flags(s, left ? CC_OP_SHLB : CC_OP_SARB, size, c, res,
                    left || size == 8 ? src : gen_extu(src, size), imm);
}

/* MUL/IMUL with one operand: rDX:rAX (AX for bytes) = rAX * src. */
static void gen_mul1(DisasContext *s, bool sign)
{
    unsigned size = OP(0)->size, bits = size * 8;
    TCGv_i64 b = gen_ld_op(s, OP(0)), a = gen_ld_reg(R_EAX, size, false);
    TCGv_i64 lo = tmp64(), hi = tmp64(), ovf = tmp64();

    if (size == 8) {
        if (sign) {
            TCGv_i64 sx = tmp64();
            tcg_gen_muls2_i64(lo, hi, a, b);
            tcg_gen_sari_i64(sx, lo, 63);
            tcg_gen_setcond_i64(TCG_COND_NE, ovf, hi, sx);
        } else {
            tcg_gen_mulu2_i64(lo, hi, a, b);
            tcg_gen_setcondi_i64(TCG_COND_NE, ovf, hi, 0);
        }
    } else {
        TCGv_i64 p = tmp64();
        if (sign) {
            tcg_gen_mul_i64(p, gen_exts(a, size), gen_exts(b, size));
            tcg_gen_setcond_i64(TCG_COND_NE, ovf, p, gen_exts(p, size));
        } else {
            tcg_gen_mul_i64(p, a, b);
            tcg_gen_shri_i64(ovf, p, bits);
            tcg_gen_setcondi_i64(TCG_COND_NE, ovf, ovf, 0);
        }
        tcg_gen_mov_i64(lo, p);
        tcg_gen_shri_i64(hi, p, bits);
    }
    if (size == 1) {
        gen_st_reg(R_EAX, 2, false, lo);
    } else {
        gen_st_reg(R_EAX, size, false, lo);
        gen_st_reg(R_EDX, size, false, hi);
    }
    gen_set_flags(s, CC_OP_MULB, size, lo, ovf);
}

/* IMUL r, r/m and IMUL r, r/m, imm: truncated signed product. */
static void gen_imul_n(DisasContext *s)
{
    unsigned size = OP(0)->size;
    const X86Operand *src2 = s->insn.nops > 2 ? OP(2) : OP(0);
    TCGv_i64 a = gen_ld_op(s, OP(1)), b = gen_ld_op(s, src2);
    TCGv_i64 lo = tmp64(), hi = tmp64(), ovf = tmp64();

    if (size == 8) {
        TCGv_i64 sx = tmp64();
        tcg_gen_muls2_i64(lo, hi, a, b);
        tcg_gen_sari_i64(sx, lo, 63);
        tcg_gen_setcond_i64(TCG_COND_NE, ovf, hi, sx);
    } else {
        tcg_gen_mul_i64(lo, gen_exts(a, size), gen_exts(b, size));
        tcg_gen_setcond_i64(TCG_COND_NE, ovf, lo, gen_exts(lo, size));
    }
    gen_st_op(s, OP(0), lo);
    gen_set_flags(s, CC_OP_MULB, size, lo, ovf);
}

static void gen_div(DisasContext *s, bool sign)
{
    unsigned size = OP(0)->size;
    TCGv_i64 d = gen_ld_op(s, OP(0));

    gen_update_cc_op(s);
    gen_helper(&hi_div, NULL, 2, d, const64(size | (sign ? 0x10 : 0)));
}

/* BT/BTS/BTR/BTC: CF = the bit; ZF unchanged; others undefined. */
static void gen_bt(DisasContext *s, unsigned m)
{
    unsigned size = OP(0)->size, bits = size * 8;
    TCGv_i64 off = gen_ld_op(s, OP(1)), bit = tmp64(), v, one = tmp64(), res = tmp64();
    TCGv_i64 cf = tmp64();

    if (OP(0)->kind == X86_OPK_MEM && OP(1)->kind == X86_OPK_GPR) {
        /* A register bit offset may address memory outside the operand. */
        TCGv_i64 ea = gen_ea(s, &OP(0)->mem), disp = tmp64();
        tcg_gen_sari_i64(disp, gen_exts(off, size), __builtin_ctz(bits));
        tcg_gen_shli_i64(disp, disp, __builtin_ctz(size));
        tcg_gen_add_i64(ea, ea, disp);
        if (s->insn.addr_size == 2) {
            tcg_gen_ext16u_i64(ea, ea);
        } else if (s->insn.addr_size == 4) {
            tcg_gen_ext32u_i64(ea, ea);
        }
        s->A0 = gen_linear_acc(s, OP(0)->mem.seg, ea, size, X86_SEGACC_R);
        s->A0_acc = X86_SEGACC_R;
    }
    tcg_gen_andi_i64(bit, off, bits - 1);
    v = gen_ld_op(s, OP(0));
    tcg_gen_shr_i64(cf, v, bit);
    tcg_gen_andi_i64(cf, cf, 1);
    tcg_gen_shl_i64(one, const64(1), bit);
    switch (m) {
    case X86_MN_BTS: tcg_gen_or_i64(res, v, one); break;
    case X86_MN_BTR: tcg_gen_andc_i64(res, v, one); break;
    case X86_MN_BTC: tcg_gen_xor_i64(res, v, one); break;
    default: res = NULL; break;
    }
    if (res) {
        gen_st_op(s, OP(0), res);
    }
    set_eflag_bit(s, CC_C, cf);
}

/* BSF/BSR: ZF = (src == 0); then the destination is not written at all
 * (not even zero-extended), as the hardware does. */
static void gen_bsx(DisasContext *s, bool rev)
{
    unsigned size = OP(0)->size;
    TCGv_i64 v = gen_ld_op(s, OP(1)), idx = tmp64();
    TCGLabel *skip = gen_new_label();

    gen_set_flags(s, CC_OP_LOGICB, size, v, NULL);
    tcg_gen_brcondi_i64(TCG_COND_EQ, v, 0, skip);
    if (rev) {
        tcg_gen_clzi_i64(idx, v, 64);
        tcg_gen_sub_i64(idx, const64(63), idx);
    } else {
        tcg_gen_ctzi_i64(idx, v, 0);
    }
    gen_st_op(s, OP(0), idx);
    tcg_gen_set_label(skip);
}

/* Sets CF and ZF (0/1 values) and clears nothing else. */
static void set_cf_zf(DisasContext *s, TCGv_i64 cf, TCGv_i64 zf)
{
    TCGv_i64 f, t = tmp64();

    gen_materialize_flags(s);
    f = ld_eflags();
    tcg_gen_andi_i64(f, f, ~(int64_t)(CC_C | CC_Z));
    tcg_gen_or_i64(f, f, cf);
    tcg_gen_shli_i64(t, zf, 6);
    tcg_gen_or_i64(f, f, t);
    st_eflags(f);
}

/* TZCNT/LZCNT (SDM): count, CF = (src == 0), ZF = (result == 0). */
static void gen_xzcnt(DisasContext *s, bool lz)
{
    unsigned size = OP(0)->size, bits = size * 8;
    TCGv_i64 v = gen_ld_op(s, OP(1)), r = tmp64(), cf = tmp64(), zf = tmp64();

    if (lz) {
        tcg_gen_clzi_i64(r, v, 64);
        tcg_gen_subi_i64(r, r, 64 - bits);
    } else {
        tcg_gen_ctzi_i64(r, v, bits);
    }
    gen_st_op(s, OP(0), r);
    tcg_gen_setcondi_i64(TCG_COND_EQ, cf, v, 0);
    tcg_gen_setcondi_i64(TCG_COND_EQ, zf, r, 0);
    set_cf_zf(s, cf, zf);
}

static void gen_popcnt(DisasContext *s)
{
    TCGv_i64 v = gen_ld_op(s, OP(1)), r = tmp64(), f, zf = tmp64();

    tcg_gen_ctpop_i64(r, v);
    gen_st_op(s, OP(0), r);
    gen_materialize_flags(s);
    f = ld_eflags();
    tcg_gen_andi_i64(f, f, ~(int64_t)CC_MASK);
    tcg_gen_setcondi_i64(TCG_COND_EQ, zf, v, 0);
    tcg_gen_shli_i64(zf, zf, 6);
    tcg_gen_or_i64(f, f, zf);
    st_eflags(f);
}

static TCGv_i64 bswap_sized(TCGv_i64 v, unsigned size)
{
    TCGv_i64 r = tmp64();

    if (size == 8) {
        tcg_gen_bswap64_i64(r, v);
    } else if (size == 4) {
        tcg_gen_bswap32_i64(r, v);
        tcg_gen_ext32u_i64(r, r);
    } else {
        tcg_gen_bswap16_i64(r, v);
        tcg_gen_ext16u_i64(r, r);
    }
    return r;
}

/* XCHG: memory is written first, then the register. */
static void gen_xchg(DisasContext *s)
{
    TCGv_i64 a = gen_ld_op(s, OP(0)), b = gen_ld_op(s, OP(1));
    int first = OP(1)->kind == X86_OPK_MEM ? 1 : 0;

    gen_st_op(s, OP(first), first ? a : b);
    gen_st_op(s, OP(1 - first), first ? b : a);
}

static void gen_xadd(DisasContext *s)
{
    TCGv_i64 a = gen_ld_op(s, OP(0)), b = gen_ld_op(s, OP(1)), sum = tmp64();

    tcg_gen_add_i64(sum, a, b);
    if (OP(0)->kind == X86_OPK_MEM) {
        gen_st_op(s, OP(0), sum);       /* may fault: before any register */
        gen_st_op(s, OP(1), a);
    } else {
        /* SDM XADD: SRC := DEST, then DEST := TEMP, so XADD r, r with the
         * same register leaves the sum in it. */
        gen_st_op(s, OP(1), a);
        gen_st_op(s, OP(0), sum);
    }
    gen_set_flags(s, CC_OP_ADDB, OP(0)->size, sum, b);
}

/* CMPXCHG (SDM): compare rAX with the destination. A memory destination
 * is always written (with its own value on mismatch); a register one only
 * on a match; rAX only on a mismatch (so no zero-extension otherwise). */
static void gen_cmpxchg(DisasContext *s)
{
    unsigned size = OP(0)->size;
    bool mem = OP(0)->kind == X86_OPK_MEM;
    TCGv_i64 d = gen_ld_op(s, OP(0)), src = gen_ld_op(s, OP(1));
    TCGv_i64 acc = gen_ld_reg(R_EAX, size, false), nv = tmp64(), diff = tmp64();
    TCGLabel *eq = gen_new_label(), *done = gen_new_label();

    if (mem) {
        tcg_gen_movcond_i64(TCG_COND_EQ, nv, acc, d, src, d);
        gen_st_op(s, OP(0), nv);
    }
    tcg_gen_sub_i64(diff, acc, d);
    gen_set_flags(s, CC_OP_SUBB, size, diff, d);
    tcg_gen_brcond_i64(TCG_COND_EQ, acc, d, eq);
    gen_st_reg(R_EAX, size, false, d);
    tcg_gen_br(done);
    tcg_gen_set_label(eq);
    if (!mem) {
        gen_st_op(s, OP(0), src);
    }
    tcg_gen_set_label(done);
}

/* CMPXCHG8B m64: EDX:EAX against memory; ZF reports equality. */
static void gen_cmpxchg8b(DisasContext *s)
{
    TCGv_i64 addr = gen_linear_acc(s, OP(0)->mem.seg, gen_ea(s, &OP(0)->mem), 8, X86_SEGACC_RW);
    TCGv_i64 m = gen_ld_mem(s, addr, 8), cmp = tmp64(), nv = tmp64(), zf = tmp64();
    TCGv_i64 f, t = tmp64();
    TCGLabel *eq = gen_new_label();

    tcg_gen_deposit_i64(cmp, cpu_regs[R_EAX], cpu_regs[R_EDX], 32, 32);
    tcg_gen_deposit_i64(nv, cpu_regs[R_EBX], cpu_regs[R_ECX], 32, 32);
    tcg_gen_movcond_i64(TCG_COND_EQ, nv, cmp, m, nv, m);
    gen_st_mem(s, addr, nv, 8);
    tcg_gen_setcond_i64(TCG_COND_EQ, zf, cmp, m);
    gen_materialize_flags(s);
    f = ld_eflags();
    tcg_gen_andi_i64(f, f, ~(int64_t)CC_Z);
    tcg_gen_shli_i64(t, zf, 6);
    tcg_gen_or_i64(f, f, t);
    st_eflags(f);
    tcg_gen_brcondi_i64(TCG_COND_NE, zf, 0, eq);
    tcg_gen_ext32u_i64(cpu_regs[R_EAX], m);
    tcg_gen_shri_i64(cpu_regs[R_EDX], m, 32);
    tcg_gen_set_label(eq);
}

/* CBW/CWDE/CDQE and CWD/CDQ/CQO by operand size. */
static void gen_cbw_cwd(DisasContext *s, bool cwd)
{
    unsigned size = s->insn.op_size;

    if (cwd) {
        TCGv_i64 t = tmp64();
        tcg_gen_sari_i64(t, gen_exts(cpu_regs[R_EAX], size), 63);
        gen_st_reg(R_EDX, size, false, t);
    } else {
        gen_st_reg(R_EAX, size, false, gen_exts(cpu_regs[R_EAX], size / 2));
    }
}

static void gen_push_op(DisasContext *s)
{
    unsigned size = s->insn.op_size;
    TCGv_i64 v = gen_ld_op(s, OP(0));

    if (OP(0)->kind == X86_OPK_IMM && OP(0)->size < size) {
        v = const64((int64_t)OP(0)->imm);
    }
    gen_push(s, gen_extu(v, size), size);
}

static void gen_pop_op(DisasContext *s)
{
    unsigned size = s->insn.op_size;
    TCGv_i64 v = gen_pop_value(s, size);

    if (OP(0)->kind == X86_OPK_MEM && OP(0)->mem.base == R_ESP) {
        gen_pop_commit(s, size);   /* SDM POP: address computed after the pop */
        gen_st_op(s, OP(0), v);
        return;
    }
    if (OP(0)->kind == X86_OPK_MEM) {
        gen_st_op(s, OP(0), v);
        gen_pop_commit(s, size);
        return;
    }
    gen_pop_commit(s, size);
    gen_st_op(s, OP(0), v);
}

/* PUSHA/POPA: eight registers; POPA skips the saved rSP. */
static void gen_pusha_popa(DisasContext *s, bool push)
{
    unsigned size = s->insn.op_size;
    TCGv_i64 sp = gen_extu(cpu_regs[R_ESP], s->stack_size), vals[8];

    for (int i = 0; i < 8; i++) {
        TCGv_i64 off = tmp64();
        tcg_gen_addi_i64(off, sp, push ? -(int64_t)size * (i + 1) : (int64_t)size * (7 - i));
        off = gen_extu(off, s->stack_size);
        if (push) {
            gen_st_mem(s, gen_linear_acc(s, R_SS, off, size, X86_SEGACC_W),
                       i == R_ESP ? sp : cpu_regs[i], size);
        } else {
            vals[i] = gen_ld_mem(s, gen_linear_acc(s, R_SS, off, size, X86_SEGACC_R), size);
        }
    }
    if (!push) {
        for (int i = 0; i < 8; i++) {
            if (i != R_ESP) {
                gen_st_reg(i, size, false, vals[i]);
            }
        }
    }
    tcg_gen_addi_i64(sp, sp, push ? -(int64_t)size * 8 : (int64_t)size * 8);
    gen_st_reg(R_ESP, s->stack_size, false, sp);
}

static void gen_pushf_popf(DisasContext *s, bool push)
{
    unsigned size = s->insn.op_size;
    TCGv_i64 v;

    gen_update_cc_op(s);
    if (push) {
        v = tmp64();
        gen_helper(&hi_read_eflags, v, 1, const64(size));
        gen_push(s, gen_extu(v, size), size);
        return;
    }
    v = gen_pop_value(s, size);
    gen_helper(&hi_write_eflags, NULL, 2, v, const64(size));
    s->cc_op = CC_OP_EFLAGS;
    s->cc_op_dirty = false;
    gen_pop_commit(s, size);
    s->is_jmp = DISAS_END_NOJMP;   /* IF or TF may have changed */
}

/* ENTER imm16, imm8 (SDM ENTER, nesting level modulo 32). */
static void gen_enter(DisasContext *s)
{
    unsigned size = s->insn.op_size, level = OP(1)->imm & 31;
    uint64_t alloc = OP(0)->imm & 0xffff;
    unsigned ss = s->stack_size;
    TCGv_i64 sp = gen_extu(cpu_regs[R_ESP], ss), frame = tmp64(), t, bp;

    tcg_gen_subi_i64(frame, sp, size);
    frame = gen_extu(frame, ss);
    gen_st_mem(s, gen_linear_acc(s, R_SS, frame, size, X86_SEGACC_W), cpu_regs[R_EBP], size);
    for (unsigned i = 1; i < level; i++) {
        t = tmp64();
        tcg_gen_subi_i64(t, cpu_regs[R_EBP], size * i);
        bp = gen_ld_mem(s, gen_linear_acc(s, R_SS, gen_extu(t, ss), size, X86_SEGACC_R), size);
        t = tmp64();
        tcg_gen_subi_i64(t, frame, size * i);
        gen_st_mem(s, gen_linear_acc(s, R_SS, gen_extu(t, ss), size, X86_SEGACC_W), bp, size);
    }
    if (level) {
        t = tmp64();
        tcg_gen_subi_i64(t, frame, size * level);
        gen_st_mem(s, gen_linear_acc(s, R_SS, gen_extu(t, ss), size, X86_SEGACC_W), frame,
                   size);
    }
    gen_st_reg(R_EBP, size, false, frame);
    t = tmp64();
    tcg_gen_subi_i64(t, frame, size * level + alloc);
    gen_st_reg(R_ESP, ss, false, t);
}

static void gen_leave(DisasContext *s)
{
    unsigned size = s->insn.op_size;
    TCGv_i64 sp = gen_extu(cpu_regs[R_EBP], s->stack_size);
    TCGv_i64 v = gen_ld_mem(s, gen_linear_acc(s, R_SS, sp, size, X86_SEGACC_R), size);
    TCGv_i64 t = tmp64();

    tcg_gen_addi_i64(t, sp, size);
    gen_st_reg(R_ESP, s->stack_size, false, t);
    gen_st_reg(R_EBP, size, false, v);
}

/* CLC STC CMC LAHF SAHF SALC CLD STD. */
static void gen_flag_insn(DisasContext *s, unsigned m)
{
    TCGv_i64 f, t = tmp64();

    if (m == X86_MN_CLD || m == X86_MN_STD) {
        tcg_gen_st_i32(tcg_constant_i32(m == X86_MN_CLD ? 1 : -1), tcg_env,
                       offsetof(X86CPUState, df));
        return;
    }
    if (m == X86_MN_SALC) {
        tcg_gen_neg_i64(t, gen_get_cf(s));
        gen_st_reg(R_EAX, 1, false, t);
        return;
    }
    gen_materialize_flags(s);
    f = ld_eflags();
    switch (m) {
    case X86_MN_CLC: tcg_gen_andi_i64(f, f, ~(int64_t)CC_C); break;
    case X86_MN_STC: tcg_gen_ori_i64(f, f, CC_C); break;
    case X86_MN_CMC: tcg_gen_xori_i64(f, f, CC_C); break;
    case X86_MN_LAHF:
        tcg_gen_andi_i64(t, f, CC_S | CC_Z | CC_A | CC_P | CC_C);
        tcg_gen_ori_i64(t, t, 2);
        gen_st_reg(R_EAX, 1, true, t);
        return;
    default:  /* SAHF */
        tcg_gen_extract_i64(t, cpu_regs[R_EAX], 8, 8);
        tcg_gen_andi_i64(t, t, CC_S | CC_Z | CC_A | CC_P | CC_C);
        tcg_gen_andi_i64(f, f, ~(int64_t)(CC_S | CC_Z | CC_A | CC_P | CC_C));
        tcg_gen_or_i64(f, f, t);
        break;
    }
    st_eflags(f);
}

static void gen_bcd(DisasContext *s, unsigned op)
{
    gen_update_cc_op(s);
    gen_helper(&hi_bcd, NULL, 2, const64(op), const64(s->insn.nops ? OP(0)->imm : 0));
    s->cc_op = CC_OP_EFLAGS;
    s->cc_op_dirty = false;
}

/* BOUND (SDM): #BR unless lower <= index <= upper, signed, bounds in memory. */
static void gen_bound(DisasContext *s)
{
    unsigned size = OP(0)->size;
    TCGv_i64 idx = gen_exts(gen_ld_op(s, OP(0)), size), a2 = tmp64();
    TCGv_i64 addr = gen_linear_acc(s, OP(1)->mem.seg, gen_ea(s, &OP(1)->mem), 2 * size,
                                   X86_SEGACC_R), lo, hi;
    TCGLabel *fail = gen_new_label(), *ok = gen_new_label();

    lo = gen_exts(gen_ld_mem(s, addr, size), size);
    tcg_gen_addi_i64(a2, addr, size);
    tcg_gen_ext32u_i64(a2, a2);
    hi = gen_exts(gen_ld_mem(s, a2, size), size);
    gen_update_cc_op(s);
    tcg_gen_brcond_i64(TCG_COND_LT, idx, lo, fail);
    tcg_gen_brcond_i64(TCG_COND_LE, idx, hi, ok);
    tcg_gen_set_label(fail);
    gen_helper(&hi_raise_exception, NULL, 1, const64(EXCP_BR));
    tcg_gen_set_label(ok);
}

static bool is_data_operand(const X86Operand *op)
{
    return op->kind == X86_OPK_GPR || op->kind == X86_OPK_MEM || op->kind == X86_OPK_IMM;
}

/* MOV, MOVZX, MOVSX(D), LEA, XLAT, BSWAP, MOVBE, SETcc, CMOVcc. */
static bool gen_move(DisasContext *s, unsigned m)
{
    TCGv_i64 v, t;

    switch (m) {
    case X86_MN_MOV:
        if (!is_data_operand(OP(0)) || !is_data_operand(OP(1))) {
            return false;
        }
        gen_st_op(s, OP(0), gen_ld_op(s, OP(1)));
        return true;
    case X86_MN_MOVZX:
        gen_st_op(s, OP(0), gen_ld_op(s, OP(1)));
        return true;
    case X86_MN_MOVSX: case X86_MN_MOVSXD:
        gen_st_op(s, OP(0), gen_exts(gen_ld_op(s, OP(1)), OP(1)->size));
        return true;
    case X86_MN_LEA:
        gen_st_op(s, OP(0), gen_ea(s, &OP(1)->mem));
        return true;
    case X86_MN_XLAT:
        t = tmp64();
        tcg_gen_add_i64(t, cpu_regs[R_EBX], gen_extu(cpu_regs[R_EAX], 1));
        t = gen_extu(t, s->insn.addr_size);
        v = gen_ld_mem(s, gen_linear_acc(s, s->insn.seg_override != X86_SEG_NONE ?
                                            s->insn.seg_override : R_DS, t, 1, X86_SEGACC_R), 1);
        gen_st_reg(R_EAX, 1, false, v);
        return true;
    case X86_MN_BSWAP:
        gen_st_op(s, OP(0), OP(0)->size == 2 ? const64(0)
                                             : bswap_sized(gen_ld_op(s, OP(0)), OP(0)->size));
        return true;
    case X86_MN_MOVBE:
        gen_st_op(s, OP(0), bswap_sized(gen_ld_op(s, OP(1)), OP(0)->size));
        return true;
    default:
        break;
    }
    if (m >= X86_MN_SETO && m <= X86_MN_SETG) {
        gen_st_op(s, OP(0), gen_cond_value(s, m - X86_MN_SETO));
        return true;
    }
    if (m >= X86_MN_CMOVO && m <= X86_MN_CMOVG) {
        v = gen_ld_op(s, OP(1));
        t = tmp64();
        tcg_gen_movcond_i64(TCG_COND_NE, t, gen_cond_value(s, m - X86_MN_CMOVO),
                            const64(0), v, cpu_regs[OP(0)->reg]);
        gen_st_op(s, OP(0), t);
        return true;
    }
    return false;
}

static bool gen_stack_insn(DisasContext *s, unsigned m)
{
    switch (m) {
    case X86_MN_PUSH:
        if (OP(0)->kind == X86_OPK_SEG && s->insn.op_size == 2) {
            gen_push(s, gen_ld_op(s, OP(0)), 2);
            return true;
        }
        gen_push_op(s);
        return true;
    case X86_MN_POP:
        if (OP(0)->kind == X86_OPK_SEG) {
            return false;
        }
        gen_pop_op(s);
        return true;
    case X86_MN_PUSHA: gen_pusha_popa(s, true); return true;
    case X86_MN_POPA: gen_pusha_popa(s, false); return true;
    case X86_MN_PUSHF: gen_pushf_popf(s, true); return true;
    case X86_MN_POPF: gen_pushf_popf(s, false); return true;
    case X86_MN_ENTER: gen_enter(s); return true;
    case X86_MN_LEAVE: gen_leave(s); return true;
    default: return false;
    }
}

bool translate_alu(DisasContext *s)
{
    unsigned m = s->insn.mnemonic;

    switch (m) {
    case X86_MN_ADD: case X86_MN_OR: case X86_MN_ADC: case X86_MN_SBB:
    case X86_MN_AND: case X86_MN_SUB: case X86_MN_XOR: case X86_MN_CMP:
    case X86_MN_TEST:
        gen_alu(s, m);
        return true;
    case X86_MN_INC: case X86_MN_DEC: gen_incdec(s, m == X86_MN_DEC); return true;
    case X86_MN_NEG: case X86_MN_NOT: gen_neg_not(s, m == X86_MN_NEG); return true;
    case X86_MN_SHL: case X86_MN_SAL: case X86_MN_SHR: case X86_MN_SAR:
        gen_shift(s, m);
        return true;
    case X86_MN_ROL: case X86_MN_ROR: gen_rotate(s, m == X86_MN_ROL); return true;
    case X86_MN_RCL: case X86_MN_RCR: gen_rcx(s, m == X86_MN_RCL); return true;
    case X86_MN_SHLD: case X86_MN_SHRD: gen_shxd(s, m == X86_MN_SHLD); return true;
    case X86_MN_MUL: gen_mul1(s, false); return true;
    case X86_MN_IMUL:
        if (s->insn.nops == 1) {
            gen_mul1(s, true);
        } else {
            gen_imul_n(s);
        }
        return true;
    case X86_MN_DIV: case X86_MN_IDIV: gen_div(s, m == X86_MN_IDIV); return true;
    case X86_MN_BT: case X86_MN_BTS: case X86_MN_BTR: case X86_MN_BTC:
        gen_bt(s, m);
        return true;
    case X86_MN_BSF: case X86_MN_BSR: gen_bsx(s, m == X86_MN_BSR); return true;
    case X86_MN_TZCNT: case X86_MN_LZCNT: gen_xzcnt(s, m == X86_MN_LZCNT); return true;
    case X86_MN_POPCNT: gen_popcnt(s); return true;
    case X86_MN_XCHG: gen_xchg(s); return true;
    case X86_MN_XADD: gen_xadd(s); return true;
    case X86_MN_CMPXCHG: gen_cmpxchg(s); return true;
    case X86_MN_CMPXCHG8B: gen_cmpxchg8b(s); return true;
    case X86_MN_CMPXCHG16B:
        gen_update_cc_op(s);
        gen_helper(&hi_cmpxchg16b, NULL, 1,
                   gen_linear_acc(s, OP(0)->mem.seg, gen_ea(s, &OP(0)->mem), 16,
                                  X86_SEGACC_RW));
        s->cc_op = CC_OP_EFLAGS;
        s->cc_op_dirty = false;
        return true;
    case X86_MN_CBW: case X86_MN_CWD: gen_cbw_cwd(s, m == X86_MN_CWD); return true;
    case X86_MN_CLC: case X86_MN_STC: case X86_MN_CMC: case X86_MN_LAHF:
    case X86_MN_SAHF: case X86_MN_SALC: case X86_MN_CLD: case X86_MN_STD:
        gen_flag_insn(s, m);
        return true;
    case X86_MN_BOUND: gen_bound(s); return true;
    case X86_MN_DAA: gen_bcd(s, 0); return true;
    case X86_MN_DAS: gen_bcd(s, 1); return true;
    case X86_MN_AAA: gen_bcd(s, 2); return true;
    case X86_MN_AAS: gen_bcd(s, 3); return true;
    case X86_MN_AAM: gen_bcd(s, 4); return true;
    case X86_MN_AAD: gen_bcd(s, 5); return true;
    case X86_MN_NOP: case X86_MN_PAUSE:
    case X86_MN_PREFETCH: case X86_MN_PREFETCHW: case X86_MN_PREFETCHNTA:
    case X86_MN_PREFETCHT0: case X86_MN_PREFETCHT1: case X86_MN_PREFETCHT2:
    case X86_MN_LFENCE: case X86_MN_MFENCE: case X86_MN_SFENCE:
        return true;
    default:
        return gen_move(s, m) || gen_stack_insn(s, m);
    }
}
