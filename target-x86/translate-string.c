/*
 * translate-string.c: the string instructions MOVS, CMPS, STOS, LODS,
 * SCAS, INS and OUTS, with and without REP/REPE/REPNE, in every address
 * size. A repeated instruction executes one iteration per pass and then
 * jumps back to itself (a chained goto_tb to the same block), so it is
 * interruptible between iterations and restartable after a fault with
 * rCX/rSI/rDI describing exactly the iterations done (SDM Vol.2B REP).
 */
#include "vireo/common.h"
#include "target-x86/translate.h"

HELPER(in, 0, true);
HELPER(out, 0, false);
HELPER(check_io, 0, false);

#define OP(n) (&s->insn.ops[n])

/* rSI/rDI advance: +size, or -size with EFLAGS.DF set (env->df = -1). */
static TCGv_i64 string_delta(unsigned size)
{
    TCGv_i32 d32 = tcg_temp_new_i32();
    TCGv_i64 d = tmp64();

    tcg_gen_ld_i32(d32, tcg_env, offsetof(X86CPUState, df));
    tcg_gen_ext_i32_i64(d, d32);
    tcg_gen_shli_i64(d, d, __builtin_ctz(size));
    return d;
}

static void advance(DisasContext *s, int reg, TCGv_i64 delta)
{
    TCGv_i64 t = tmp64();

    tcg_gen_add_i64(t, cpu_regs[reg], delta);
    gen_st_reg(reg, s->insn.addr_size, false, t);
}

/* Linear address of a string operand (DS/override:rSI or ES:rDI), checked
 * for an access of acc (X86_SEGACC_*). */
static TCGv_i64 string_addr(DisasContext *s, const X86Operand *op, unsigned acc)
{
    return gen_linear_acc(s, op->mem.seg,
                          gen_extu(cpu_regs[op->mem.base], s->insn.addr_size), op->size, acc);
}

static TCGv_i64 port_of(DisasContext *s)
{
    return gen_extu(cpu_regs[R_EDX], 2);
}

static void check_io(DisasContext *s, TCGv_i64 port, unsigned size)
{
    if (s->pe) {
        gen_helper(&hi_check_io, NULL, 2, port, const64(size));
    }
}

/* One iteration of the string instruction m. */
static void string_once(DisasContext *s, unsigned m)
{
    const X86Operand *mem = OP(0)->kind == X86_OPK_MEM ? OP(0) : OP(1);
    unsigned size = mem->size;
    TCGv_i64 delta = string_delta(size), v, a, b, d = tmp64(), port;

    switch (m) {
    case X86_MN_MOVS:
        v = gen_ld_mem(s, string_addr(s, OP(1), X86_SEGACC_R), size);
        gen_st_mem(s, string_addr(s, OP(0), X86_SEGACC_W), v, size);
        advance(s, R_ESI, delta);
        advance(s, R_EDI, delta);
        break;
    case X86_MN_STOS:
        gen_st_mem(s, string_addr(s, OP(0), X86_SEGACC_W), cpu_regs[R_EAX], size);
        advance(s, R_EDI, delta);
        break;
    case X86_MN_LODS:
        v = gen_ld_mem(s, string_addr(s, OP(1), X86_SEGACC_R), size);
        gen_st_reg(R_EAX, size, false, v);
        advance(s, R_ESI, delta);
        break;
    case X86_MN_CMPS:
        a = gen_ld_mem(s, string_addr(s, OP(0), X86_SEGACC_R), size);
        b = gen_ld_mem(s, string_addr(s, OP(1), X86_SEGACC_R), size);
        tcg_gen_sub_i64(d, a, b);
        gen_set_flags(s, CC_OP_SUBB, size, d, b);
        advance(s, R_ESI, delta);
        advance(s, R_EDI, delta);
        break;
    case X86_MN_SCAS:
        a = gen_extu(cpu_regs[R_EAX], size);
        b = gen_ld_mem(s, string_addr(s, OP(1), X86_SEGACC_R), size);
        tcg_gen_sub_i64(d, a, b);
        gen_set_flags(s, CC_OP_SUBB, size, d, b);
        advance(s, R_EDI, delta);
        break;
    case X86_MN_INS:
        port = port_of(s);
        check_io(s, port, size);
        /* Probe the destination first so a fault does not lose the input. */
        gen_st_mem(s, string_addr(s, OP(0), X86_SEGACC_W), const64(0), size);
        v = tmp64();
        gen_helper(&hi_in, v, 2, port, const64(size));
        gen_st_mem(s, string_addr(s, OP(0), X86_SEGACC_W), v, size);
        advance(s, R_EDI, delta);
        break;
    default:  /* OUTS */
        port = port_of(s);
        check_io(s, port, size);
        v = gen_ld_mem(s, string_addr(s, OP(1), X86_SEGACC_R), size);
        gen_helper(&hi_out, NULL, 3, port, v, const64(size));
        advance(s, R_ESI, delta);
        break;
    }
}

bool translate_string(DisasContext *s)
{
    unsigned m = s->insn.mnemonic;
    bool repz = m == X86_MN_CMPS || m == X86_MN_SCAS;
    TCGLabel *done;
    TCGv_i64 cx;

    if (m != X86_MN_MOVS && m != X86_MN_STOS && m != X86_MN_LODS && m != X86_MN_CMPS &&
        m != X86_MN_SCAS && m != X86_MN_INS && m != X86_MN_OUTS) {
        return false;
    }
    gen_update_cc_op(s);
    if (s->insn.rep == X86_REP_NONE) {
        string_once(s, m);
        return true;
    }
    done = gen_new_label();
    tcg_gen_brcondi_i64(TCG_COND_EQ, gen_extu(cpu_regs[R_ECX], s->insn.addr_size), 0, done);
    string_once(s, m);
    cx = tmp64();
    tcg_gen_subi_i64(cx, cpu_regs[R_ECX], 1);
    gen_st_reg(R_ECX, s->insn.addr_size, false, cx);
    gen_update_cc_op(s);
    if (repz) {
        /* REPE (F3) stops when ZF = 0, REPNE (F2) when ZF = 1. */
        tcg_gen_brcondi_i64(TCG_COND_EQ, gen_cond_value(s, s->insn.rep == X86_REP_F3 ? 4 : 5),
                            0, done);
    }
    tcg_gen_brcondi_i64(TCG_COND_EQ, gen_extu(cpu_regs[R_ECX], s->insn.addr_size), 0, done);
    gen_jmp_eip(s, s->eip);
    tcg_gen_set_label(done);
    s->cc_op = CC_OP_DYNAMIC;
    s->cc_op_dirty = false;
    gen_jmp_eip(s, s->next_eip);
    return true;
}
