/*
 * translate.c: the x86 front end of the software CPU. For one translation
 * block it decodes guest instructions with x86_decode() (fetching through
 * the page walker), and emits TCG IR for each with the tcg_gen_* builders:
 * operand fetch and writeback are driven by the decoded X86Insn operands,
 * the arithmetic flags are lazy (cc_op / cc_dst / cc_src, see
 * docs/lazy-flags.md and cc_helper.c), and branches chain to the next
 * block with goto_tb when the target is on the same guest page. The
 * family files (translate-alu.c, translate-string.c, translate-system.c)
 * hold the gen_MNEMONIC functions. Each instruction starts with an
 * insn_start carrying (eip, cc_op), so a fault in a helper or a guest
 * memory access restores the exact state of that instruction
 * (x86_restore_state). docs/x86-translator.md is the overview.
 */
#include "vireo/common.h"
#include <stdarg.h>
#include <capstone.h>
#include "vireo/log.h"
#include "target-x86/translate.h"

__thread TCGv_i64 cpu_regs[16];
__thread TCGv_i64 cpu_cc_dst, cpu_cc_src, cpu_cc_src2;

HELPER(cc_materialize, 0, false);
HELPER(cc_compute_c, TCG_CALL_NO_WRITE_GLOBALS, true);
HELPER(cond, TCG_CALL_NO_WRITE_GLOBALS, true);
HELPER(fetch_fault, 0, false);
HELPER(debug_stop, 0, false);
HELPER(debug_trap, 0, false);
HELPER(dr_insn_bp, 0, false);
const TCGHelperInfo hi_raise_exception = {
    .func = (void *)helper_raise_exception, .name = "raise_exception" };
const TCGHelperInfo hi_raise_exception_err = {
    .func = (void *)helper_raise_exception_err, .name = "raise_exception_err" };

void x86_translate_init(void)
{
    static const char *const names[16] = {
        "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };

    for (int i = 0; i < 16; i++) {
        cpu_regs[i] = tcg_global_mem_new_i64(offsetof(X86CPUState, regs[i]), names[i]);
    }
    cpu_cc_dst = tcg_global_mem_new_i64(offsetof(X86CPUState, cc_dst), "cc_dst");
    cpu_cc_src = tcg_global_mem_new_i64(offsetof(X86CPUState, cc_src), "cc_src");
    cpu_cc_src2 = tcg_global_mem_new_i64(offsetof(X86CPUState, cc_src2), "cc_src2");
}

TCGv_i64 tmp64(void)
{
    return tcg_temp_new_i64();
}

TCGv_i64 const64(int64_t v)
{
    return tcg_constant_i64(v);
}

void gen_helper(const TCGHelperInfo *info, TCGv_i64 ret, int nargs, ...)
{
    TCGTemp *args[TCG_MAX_HELPER_ARGS];
    va_list ap;

    g_assert(nargs + 1 <= TCG_MAX_HELPER_ARGS);
    args[0] = tcgv_i64_temp(tcg_env);
    va_start(ap, nargs);
    for (int i = 0; i < nargs; i++) {
        args[i + 1] = tcgv_i64_temp(va_arg(ap, TCGv_i64));
    }
    va_end(ap);
    tcg_gen_call(info, ret ? tcgv_i64_temp(ret) : NULL, nargs + 1, args);
}

/* ---- lazy flags ---- */

static unsigned size_index(unsigned size)
{
    return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
}

void set_cc_op(DisasContext *s, int op)
{
    if (s->cc_op != op) {
        s->cc_op = op;
        s->cc_op_dirty = true;
    }
}

void gen_update_cc_op(DisasContext *s)
{
    if (s->cc_op_dirty && s->cc_op != CC_OP_DYNAMIC) {
        TCGv_i32 t = tcg_constant_i32(s->cc_op);
        tcg_gen_st_i32(t, tcg_env, offsetof(X86CPUState, cc_op));
        s->cc_op_dirty = false;
    }
}

void gen_set_flags(DisasContext *s, int op_base, unsigned size, TCGv_i64 dst,
                   TCGv_i64 src)
{
    tcg_gen_mov_i64(cpu_cc_dst, dst);
    if (src) {
        tcg_gen_mov_i64(cpu_cc_src, src);
    }
    set_cc_op(s, op_base + size_index(size));
}

void gen_materialize_flags(DisasContext *s)
{
    if (s->cc_op == CC_OP_EFLAGS) {
        return;
    }
    gen_update_cc_op(s);
    gen_helper(&hi_cc_materialize, NULL, 0);
    s->cc_op = CC_OP_EFLAGS;
    s->cc_op_dirty = false;
}

TCGv_i64 gen_extu(TCGv_i64 val, unsigned size)
{
    TCGv_i64 t = tmp64();

    switch (size) {
    case 1: tcg_gen_ext8u_i64(t, val); break;
    case 2: tcg_gen_ext16u_i64(t, val); break;
    case 4: tcg_gen_ext32u_i64(t, val); break;
    default: tcg_gen_mov_i64(t, val); break;
    }
    return t;
}

TCGv_i64 gen_exts(TCGv_i64 val, unsigned size)
{
    TCGv_i64 t = tmp64();

    switch (size) {
    case 1: tcg_gen_ext8s_i64(t, val); break;
    case 2: tcg_gen_ext16s_i64(t, val); break;
    case 4: tcg_gen_ext32s_i64(t, val); break;
    default: tcg_gen_mov_i64(t, val); break;
    }
    return t;
}

/* The op family (CC_OP_ADDB...) and size of a known cc_op, or false. */
static bool cc_op_split(int cc_op, int *base, unsigned *size)
{
    if (cc_op < CC_OP_ADDB || cc_op >= CC_OP_NB) {
        return false;
    }
    *base = CC_OP_ADDB + ((cc_op - CC_OP_ADDB) & ~3);
    *size = 1u << ((cc_op - CC_OP_ADDB) & 3);
    return true;
}

static TCGv_i64 setcond(TCGCond c, TCGv_i64 a, TCGv_i64 b)
{
    TCGv_i64 t = tmp64();
    tcg_gen_setcond_i64(c, t, a, b);
    return t;
}

TCGv_i64 gen_get_cf(DisasContext *s)
{
    int base;
    unsigned size;
    TCGv_i64 t;

    if (cc_op_split(s->cc_op, &base, &size)) {
        if (base == CC_OP_SUBB) {
            TCGv_i64 a = tmp64();
            tcg_gen_add_i64(a, cpu_cc_dst, cpu_cc_src);
            return setcond(TCG_COND_LTU, gen_extu(a, size), gen_extu(cpu_cc_src, size));
        }
        if (base == CC_OP_ADDB) {
            return setcond(TCG_COND_LTU, gen_extu(cpu_cc_dst, size),
                           gen_extu(cpu_cc_src, size));
        }
        if (base == CC_OP_LOGICB) {
            return const64(0);
        }
        if (base == CC_OP_INCB || base == CC_OP_DECB) {   /* CF kept in cc_src */
            t = tmp64();
            tcg_gen_andi_i64(t, cpu_cc_src, 1);
            return t;
        }
    }
    gen_update_cc_op(s);
    t = tmp64();
    gen_helper(&hi_cc_compute_c, t, 0);
    return t;
}

/* Fast forms of a condition after CMP/SUB: false if not applicable. */
static TCGv_i64 cond_after_sub(unsigned cond, unsigned size)
{
    TCGv_i64 a = tmp64(), b = cpu_cc_src;
    TCGCond c;
    bool sign = false;

    tcg_gen_add_i64(a, cpu_cc_dst, cpu_cc_src);
    switch (cond >> 1) {
    case 1: c = TCG_COND_LTU; break;
    case 3: c = TCG_COND_LEU; break;
    case 6: c = TCG_COND_LT; sign = true; break;
    case 7: c = TCG_COND_LE; sign = true; break;
    default: return NULL;
    }
    if (cond & 1) {
        c = c == TCG_COND_LTU ? TCG_COND_GEU : c == TCG_COND_LEU ? TCG_COND_GTU :
            c == TCG_COND_LT ? TCG_COND_GE : TCG_COND_GT;
    }
    if (sign) {
        return setcond(c, gen_exts(a, size), gen_exts(b, size));
    }
    return setcond(c, gen_extu(a, size), gen_extu(b, size));
}

TCGv_i64 gen_cond_value(DisasContext *s, unsigned cond)
{
    int base;
    unsigned size;
    TCGv_i64 t;

    if (cc_op_split(s->cc_op, &base, &size)) {
        if ((cond >> 1) == 2) {   /* ZF: every op records the result in dst */
            return setcond(cond & 1 ? TCG_COND_NE : TCG_COND_EQ,
                           gen_extu(cpu_cc_dst, size), const64(0));
        }
        if ((cond >> 1) == 4) {   /* SF */
            return setcond(cond & 1 ? TCG_COND_GE : TCG_COND_LT,
                           gen_exts(cpu_cc_dst, size), const64(0));
        }
        if (base == CC_OP_SUBB && (t = cond_after_sub(cond, size))) {
            return t;
        }
        if (base == CC_OP_LOGICB && (cond >> 1) >= 6) {  /* OF = 0 */
            return setcond((cond >> 1) == 6 ? (cond & 1 ? TCG_COND_GE : TCG_COND_LT)
                                            : (cond & 1 ? TCG_COND_GT : TCG_COND_LE),
                           gen_exts(cpu_cc_dst, size), const64(0));
        }
    }
    gen_update_cc_op(s);
    t = tmp64();
    gen_helper(&hi_cond, t, 1, const64(cond));
    return t;
}

/* ---- operands ---- */

TCGv_i64 gen_ld_reg(int reg, unsigned size, bool high8)
{
    TCGv_i64 t = tmp64();

    if (high8) {
        tcg_gen_extract_i64(t, cpu_regs[reg], 8, 8);
        return t;
    }
    return gen_extu(cpu_regs[reg], size);
}

void gen_st_reg(int reg, unsigned size, bool high8, TCGv_i64 val)
{
    TCGv_i64 r = cpu_regs[reg];

    if (high8) {
        tcg_gen_deposit_i64(r, r, val, 8, 8);
        return;
    }
    switch (size) {
    case 1: tcg_gen_deposit_i64(r, r, val, 0, 8); break;
    case 2: tcg_gen_deposit_i64(r, r, val, 0, 16); break;
    case 4: tcg_gen_ext32u_i64(r, val); break;
    default: tcg_gen_mov_i64(r, val); break;
    }
}

TCGv_i64 gen_ea(DisasContext *s, const X86MemOperand *m)
{
    TCGv_i64 ea = tmp64();
    unsigned asize = s->insn.addr_size;

    if (m->rip_rel) {
        tcg_gen_movi_i64(ea, s->next_eip + m->disp);
        return ea;
    }
    tcg_gen_movi_i64(ea, m->disp);
    if (m->base != X86_REG_NONE) {
        tcg_gen_add_i64(ea, ea, cpu_regs[m->base]);
    }
    if (m->index != X86_REG_NONE) {
        TCGv_i64 t = tmp64();
        tcg_gen_shli_i64(t, cpu_regs[m->index], __builtin_ctz(m->scale));
        tcg_gen_add_i64(ea, ea, t);
    }
    if (asize == 2) {
        tcg_gen_ext16u_i64(ea, ea);
    } else if (asize == 4) {
        tcg_gen_ext32u_i64(ea, ea);
    }
    return ea;
}

TCGv_i64 gen_linear(DisasContext *s, int seg, TCGv_i64 offset)
{
    TCGv_i64 lin = tmp64(), base;
    bool flat_seg = seg == R_DS || seg == R_ES || seg == R_SS;

    if (s->code64 ? !(seg == R_FS || seg == R_GS) : (!s->addseg && flat_seg)) {
        tcg_gen_mov_i64(lin, offset);
    } else {
        base = tmp64();
        tcg_gen_ld_i64(base, tcg_env, offsetof(X86CPUState, segs[seg].base));
        tcg_gen_add_i64(lin, offset, base);
    }
    if (!s->code64) {
        tcg_gen_ext32u_i64(lin, lin);
    }
    return lin;
}

/*
 * The full segment check of an access of acc (X86_SEGACC_*) to seg:[off,
 * off + size - 1], for the cases the inline code leaves out. In protected
 * mode outside V86 (SDM Vol.3 5.4, 5.5, MOV): a null selector, a write to
 * a code segment or a read-only data segment, a read of an execute-only
 * code segment are #GP(0). Then the limit (SDM Vol.3 5.3): an
 * expand-down data segment accepts (limit, 0xFFFF] with B=0 and (limit,
 * 0xFFFFFFFF] with B=1, others [0, limit]. Faults through SS are #SS(0).
 * size 0 checks the type only. Returns when the access is allowed.
 */
static void helper_seg_check(X86CPUState *env, uint64_t seg, uint64_t off, uint64_t size,
                             uint64_t acc)
{
    const SegmentCache *sc = &env->segs[seg & 7];
    uint32_t fl = sc->flags;
    int vec = seg == R_SS ? EXCP_SS : EXCP_GP;
    uint64_t upper = (fl & DESC_B_MASK) ? 0xffffffffu : 0xffffu, end = off + size - 1;
    bool bad;

    if ((env->hflags & (HF_PE_MASK | HF_VM_MASK)) == HF_PE_MASK) {
        if (!(fl & DESC_P_MASK) || !(fl & DESC_S_MASK)) {
            log_mask(LOG_GUEST_ERRORS, "x86: access through a null or unusable %s\n",
                     seg == R_SS ? "SS" : "segment");
            x86_raise_exception_err(env, vec, 0, TCG_GETPC());
        }
        bad = (fl & DESC_CS_MASK) ? (acc & X86_SEGACC_W) || !(fl & DESC_R_MASK)
                                  : (acc & X86_SEGACC_W) && !(fl & DESC_W_MASK);
        if (bad) {
            x86_raise_exception_err(env, vec, 0, TCG_GETPC());
        }
    }
    if (size == 0) {
        return;
    }
    if ((fl & (DESC_S_MASK | DESC_CS_MASK | DESC_E_MASK)) == (DESC_S_MASK | DESC_E_MASK)) {
        bad = off <= sc->limit || end > upper || end < off;
    } else {
        bad = end > sc->limit || end < off;
    }
    if (bad) {
        x86_raise_exception_err(env, vec, 0, TCG_GETPC());
    }
}
HELPER(seg_check, 0, false);

/* True when an access of acc through seg needs run-time checks. */
static bool seg_check_needed(DisasContext *s, int seg, unsigned acc)
{
    if (s->code64) {
        return false;
    }
    if (seg == R_FS) {
        return s->flags & X86_TB_FLAG_SEGCHK_FS;
    }
    if (seg == R_GS) {
        return s->flags & X86_TB_FLAG_SEGCHK_GS;
    }
    if (seg == R_CS && (acc & X86_SEGACC_W) && s->pe && !s->vm86) {
        return true;    /* code segments are never writable (SDM Vol.3 5.5) */
    }
    return s->flags & X86_TB_FLAG_SEGCHK;
}

/*
 * Branches to ok when the cached attributes of seg allow acc without the
 * slow path: in protected mode, present writable data for a write, present
 * data or readable code for a read (never expand-down); in real mode and
 * V86, anything but expand-down data. fl holds the attributes.
 */
static void gen_seg_type_fast(DisasContext *s, TCGv_i64 fl, unsigned acc, TCGLabel *ok)
{
    TCGv_i64 t = tmp64();
    const uint64_t ps = DESC_P_MASK | DESC_S_MASK;

    if (!s->pe || s->vm86) {
        tcg_gen_andi_i64(t, fl, DESC_S_MASK | DESC_CS_MASK | DESC_E_MASK);
        tcg_gen_brcondi_i64(TCG_COND_NE, t, DESC_S_MASK | DESC_E_MASK, ok);
    } else if (acc & X86_SEGACC_W) {
        tcg_gen_andi_i64(t, fl, ps | DESC_CS_MASK | DESC_E_MASK | DESC_W_MASK);
        tcg_gen_brcondi_i64(TCG_COND_EQ, t, ps | DESC_W_MASK, ok);
    } else {
        tcg_gen_andi_i64(t, fl, ps | DESC_CS_MASK | DESC_E_MASK);
        tcg_gen_brcondi_i64(TCG_COND_EQ, t, ps, ok);
        tcg_gen_andi_i64(t, fl, ps | DESC_CS_MASK | DESC_R_MASK);
        tcg_gen_brcondi_i64(TCG_COND_EQ, t, ps | DESC_CS_MASK | DESC_R_MASK, ok);
    }
}

/*
 * Emits the segment checks of an access of acc to seg:[off, off + size)
 * (helper_seg_check says which): the common case inline (attributes that
 * need nothing more, then the limit), the rest through the helper. Only
 * when the block flags say the segment is not flat and usable; never in
 * 64-bit mode. size 0 checks the type only.
 */
static void gen_seg_check(DisasContext *s, int seg, TCGv_i64 off, unsigned size, unsigned acc)
{
    TCGv_i64 lim, end, fl;
    TCGLabel *fast, *done;

    if (!seg_check_needed(s, seg, acc)) {
        return;
    }
    fl = tmp64();
    fast = gen_new_label();
    done = gen_new_label();
    gen_update_cc_op(s);
    tcg_gen_ld32u_i64(fl, tcg_env, offsetof(X86CPUState, segs[seg].flags));
    gen_seg_type_fast(s, fl, acc, fast);
    gen_helper(&hi_seg_check, NULL, 4, const64(seg), off, const64(size), const64(acc));
    tcg_gen_br(done);
    tcg_gen_set_label(fast);
    if (size) {
        lim = tmp64();
        end = tmp64();
        tcg_gen_ld32u_i64(lim, tcg_env, offsetof(X86CPUState, segs[seg].limit));
        tcg_gen_addi_i64(end, off, size - 1);
        tcg_gen_brcond_i64(TCG_COND_LEU, end, lim, done);
        gen_helper(&hi_raise_exception_err, NULL, 2,
                   const64(seg == R_SS ? EXCP_SS : EXCP_GP), const64(0));
    }
    tcg_gen_set_label(done);
}

TCGv_i64 gen_linear_acc(DisasContext *s, int seg, TCGv_i64 offset, unsigned size,
                        unsigned acc)
{
    gen_seg_check(s, seg, offset, size, acc);
    return gen_linear(s, seg, offset);
}

TCGv_i64 gen_linear_sz(DisasContext *s, int seg, TCGv_i64 offset, unsigned size)
{
    return gen_linear_acc(s, seg, offset, size, X86_SEGACC_R);
}

static MemOp size_memop(unsigned size)
{
    return size == 1 ? MO_UB : size == 2 ? MO_UW : size == 4 ? MO_UL : MO_UQ;
}

TCGv_i64 gen_ld_mem(DisasContext *s, TCGv_i64 addr, unsigned size)
{
    TCGv_i64 t = tmp64();

    tcg_gen_qemu_ld_i64(t, addr, s->mmu_idx, size_memop(size));
    return t;
}

void gen_st_mem(DisasContext *s, TCGv_i64 addr, TCGv_i64 val, unsigned size)
{
    tcg_gen_qemu_st_i64(val, addr, s->mmu_idx, size_memop(size));
}

TCGv_i64 gen_mem_addr(DisasContext *s, const X86Operand *op, unsigned acc)
{
    if (!s->A0) {
        s->A0 = gen_linear_acc(s, op->mem.seg, gen_ea(s, &op->mem), op->size, acc);
        s->A0_acc = acc;
    } else if (acc & ~s->A0_acc) {
        gen_seg_check(s, op->mem.seg, const64(0), 0, acc);
        s->A0_acc |= acc;
    }
    return s->A0;
}

TCGv_i64 gen_ld_op(DisasContext *s, const X86Operand *op)
{
    TCGv_i64 t;

    switch (op->kind) {
    case X86_OPK_GPR:
        return gen_ld_reg(op->reg, op->size, op->high8);
    case X86_OPK_MEM:
        return gen_ld_mem(s, gen_mem_addr(s, op, X86_SEGACC_R), op->size);
    case X86_OPK_IMM:
        return const64(op->size == 8 ? (int64_t)op->imm
                                     : (int64_t)(op->imm & ((1ULL << (op->size * 8)) - 1)));
    case X86_OPK_SEG:
        t = tmp64();
        tcg_gen_ld16u_i64(t, tcg_env, offsetof(X86CPUState, segs[op->reg].selector));
        return t;
    default:
        return const64(0);
    }
}

void gen_st_op(DisasContext *s, const X86Operand *op, TCGv_i64 val)
{
    switch (op->kind) {
    case X86_OPK_GPR:
        gen_st_reg(op->reg, op->size, op->high8, val);
        break;
    case X86_OPK_MEM:
        gen_st_mem(s, gen_mem_addr(s, op, X86_SEGACC_W), val, op->size);
        break;
    default:
        break;
    }
}

/* ---- stack ---- */

unsigned gen_stack_opsize(DisasContext *s)
{
    return s->insn.op_size;
}

/* The linear address of SS:(rSP + delta) masked to the stack size. */
static TCGv_i64 stack_addr(DisasContext *s, int64_t delta, unsigned size, unsigned acc,
                           TCGv_i64 *new_sp)
{
    TCGv_i64 sp = tmp64();

    tcg_gen_addi_i64(sp, cpu_regs[R_ESP], delta);
    sp = gen_extu(sp, s->stack_size);
    if (new_sp) {
        *new_sp = sp;
    }
    return gen_linear_acc(s, R_SS, sp, size, acc);
}

void gen_push(DisasContext *s, TCGv_i64 val, unsigned size)
{
    TCGv_i64 sp;
    TCGv_i64 addr = stack_addr(s, -(int64_t)size, size, X86_SEGACC_W, &sp);

    gen_st_mem(s, addr, val, size);
    gen_st_reg(R_ESP, s->stack_size, false, sp);
}

TCGv_i64 gen_pop_value(DisasContext *s, unsigned size)
{
    return gen_ld_mem(s, stack_addr(s, 0, size, X86_SEGACC_R, NULL), size);
}

void gen_pop_commit(DisasContext *s, unsigned size)
{
    TCGv_i64 sp = tmp64();

    tcg_gen_addi_i64(sp, cpu_regs[R_ESP], size);
    gen_st_reg(R_ESP, s->stack_size, false, sp);
}

/* ---- control flow ---- */

uint64_t mask_eip(DisasContext *s, uint64_t eip)
{
    if (s->code64) {
        return eip;
    }
    return s->insn.op_size == 2 ? eip & 0xffff : eip & 0xffffffffu;
}

void gen_store_rip(DisasContext *s, uint64_t eip)
{
    (void)s;
    tcg_gen_st_i64(const64(eip), tcg_env, offsetof(X86CPUState, rip));
}

void gen_exit_lookup(DisasContext *s)
{
    if (s->flags & X86_TB_FLAG_DEBUG_STEP) {
        gen_helper(&hi_debug_stop, NULL, 0);
    } else if (s->flags & (X86_TB_FLAG_TF | X86_TB_FLAG_DR_TRAP)) {
        /* SDM Vol.3 17.3.1.4: a single-step trap after the instruction;
         * 17.3.1.2/3: data and I/O breakpoint traps too (debug_helper.c) */
        gen_helper(&hi_debug_trap, NULL, 2,
                   const64(s->insn.rep != X86_REP_NONE ? (int64_t)s->eip : -1),
                   const64(!!(s->flags & X86_TB_FLAG_TF)));
        tcg_gen_exit_tb(NULL, 0);
    } else {
        tcg_gen_exit_tb(NULL, 0);
    }
}

/*
 * Leaves the block for a pc that is already in env->rip (indirect jumps,
 * direct jumps to another page): looks the next block up from generated
 * code and jumps to it without returning to the execution loop. Interrupts
 * still reach the vCPU: a pending one kicks it, and the next block's
 * exit-request check leaves. Blocks that must return to the loop after
 * their instruction (X86_TB_FLAGS_EXIT_TO_LOOP) do.
 */
static void gen_exit_goto_ptr(DisasContext *s)
{
    if (s->flags & X86_TB_FLAGS_EXIT_TO_LOOP) {
        gen_exit_lookup(s);
        return;
    }
    TCGv_i64 pc = tmp64();
    tcg_gen_ld_i64(pc, tcg_env, offsetof(X86CPUState, rip));
    if (!(s->tb->flags & HF_CS64_MASK)) {
        tcg_gen_addi_i64(pc, pc, (int64_t)s->tb->cs_base);
        tcg_gen_ext32u_i64(pc, pc);
    }
    /* no instruction before this exit changed cs_base or the block flags:
     * those end their block through gen_exit_lookup */
    tcg_gen_lookup_and_goto_ptr_cached(pc, s->tb->cs_base, s->tb->flags);
}

/* Direct jump to eip: chained when the target is on this block's page,
 * else looked up from generated code. */
void gen_jmp_eip(DisasContext *s, uint64_t eip)
{
    uint64_t target = s->cs_base + eip;

    gen_update_cc_op(s);
    if (!s->code64) {
        target = (uint32_t)target;
    }
    if (s->jmp_slot < 2 && !(s->flags & X86_TB_FLAGS_EXIT_TO_LOOP) &&
        (target & TCG_PAGE_MASK) == (s->tb->pc & TCG_PAGE_MASK)) {
        int n = s->jmp_slot++;
        tcg_gen_goto_tb(n);
        gen_store_rip(s, eip);
        tcg_gen_exit_tb(s->tb, n);
    } else {
        gen_store_rip(s, eip);
        gen_exit_goto_ptr(s);
    }
    s->is_jmp = DISAS_NORETURN;
}

void gen_jmp_dyn(DisasContext *s, TCGv_i64 eip)
{
    gen_update_cc_op(s);
    tcg_gen_st_i64(eip, tcg_env, offsetof(X86CPUState, rip));
    gen_exit_goto_ptr(s);
    s->is_jmp = DISAS_NORETURN;
}

void gen_jcc(DisasContext *s, TCGv_i64 cond01, uint64_t target)
{
    TCGLabel *taken = gen_new_label();

    gen_update_cc_op(s);
    tcg_gen_brcondi_i64(TCG_COND_NE, cond01, 0, taken);
    gen_jmp_eip(s, s->next_eip);
    tcg_gen_set_label(taken);
    gen_jmp_eip(s, target);
}

void gen_exception_err(DisasContext *s, int vec, int err)
{
    gen_update_cc_op(s);
    gen_helper(&hi_raise_exception_err, NULL, 2, const64(vec), const64(err));
    s->is_jmp = DISAS_NORETURN;
}

void gen_exception(DisasContext *s, int vec)
{
    gen_update_cc_op(s);
    gen_helper(&hi_raise_exception, NULL, 1, const64(vec));
    s->is_jmp = DISAS_NORETURN;
}

void gen_unimp(DisasContext *s)
{
    log_mask(LOG_UNIMP, "x86: %s (%02x%s%02x) not implemented at %04x:%" PRIx64 "\n",
             x86_mnemonic_name(s->insn.mnemonic), s->insn.opcode,
             s->insn.map ? " map " : " ", s->insn.map,
             s->env->segs[R_CS].selector, s->eip);
    gen_exception(s, EXCP_UD);
}

/* Near JMP/CALL/RET, Jcc, LOOPcc, JrCXZ. */
static bool translate_branch(DisasContext *s)
{
    X86Insn *insn = &s->insn;
    unsigned m = insn->mnemonic, osz = insn->op_size;
    TCGv_i64 t, cx;

    if (m >= X86_MN_JO && m <= X86_MN_JG) {
        gen_jcc(s, gen_cond_value(s, m - X86_MN_JO), insn->ops[0].imm);
        return true;
    }
    switch (m) {
    case X86_MN_JMP:
        if (insn->ops[0].kind == X86_OPK_REL) {
            gen_jmp_eip(s, insn->ops[0].imm);
        } else {
            gen_jmp_dyn(s, gen_extu(gen_ld_op(s, &insn->ops[0]), osz));
        }
        return true;
    case X86_MN_CALL:
        t = insn->ops[0].kind == X86_OPK_REL ? const64(insn->ops[0].imm)
                                             : gen_extu(gen_ld_op(s, &insn->ops[0]), osz);
        gen_push(s, const64(s->next_eip), osz);
        if (insn->ops[0].kind == X86_OPK_REL) {
            gen_jmp_eip(s, insn->ops[0].imm);
        } else {
            gen_jmp_dyn(s, t);
        }
        return true;
    case X86_MN_RET:
        t = gen_pop_value(s, osz);
        gen_pop_commit(s, osz + (insn->nops ? (unsigned)insn->ops[0].imm : 0));
        gen_jmp_dyn(s, t);
        return true;
    case X86_MN_LOOP: case X86_MN_LOOPE: case X86_MN_LOOPNE: case X86_MN_JCXZ:
        cx = tmp64();
        if (m != X86_MN_JCXZ) {
            tcg_gen_subi_i64(cx, cpu_regs[R_ECX], 1);
            gen_st_reg(R_ECX, insn->addr_size, false, cx);
        }
        cx = gen_extu(cpu_regs[R_ECX], insn->addr_size);
        t = setcond(m == X86_MN_JCXZ ? TCG_COND_EQ : TCG_COND_NE, cx, const64(0));
        if (m == X86_MN_LOOPE || m == X86_MN_LOOPNE) {
            tcg_gen_and_i64(t, t, gen_cond_value(s, m == X86_MN_LOOPE ? 4 : 5));
        }
        gen_jcc(s, t, insn->ops[0].imm);
        return true;
    default:
        return false;
    }
}

static void translate_insn(DisasContext *s)
{
    X86Insn *insn = &s->insn;

    s->A0 = NULL;
    s->A0_acc = 0;
    if ((insn->flags & X86_IF_PRIV) && s->cpl != 0) {
        gen_exception_err(s, EXCP_GP, 0);
        return;
    }
    if (translate_branch(s) || translate_alu(s) || translate_string(s) ||
        translate_system(s) || translate_fpu(s) || translate_sse(s)) {
        return;
    }
    gen_unimp(s);
}

/* Decoder fetch callback: code bytes through the page walker. */
typedef struct FetchState {
    DisasContext *s;
    uint64_t vpage, ppage;
    bool valid;
    uint64_t fault_va;    /* linear address whose fetch faulted */
} FetchState;

static int fetch_code(void *opaque, uint64_t off, uint8_t *buf, unsigned len)
{
    FetchState *f = opaque;
    X86CPUState *env = f->s->env;

    for (unsigned i = 0; i < len; i++) {
        uint64_t va = f->s->pc + off + i;
        if (!f->s->code64) {
            va = (uint32_t)va;
        }
        if (!f->valid || (va & TCG_PAGE_MASK) != f->vpage) {
            uint64_t pa;
            uint32_t err;
            int prot;
            if (x86_mmu_translate(env, va, X86_ACC_EXEC, f->s->cpl == 3, &pa, &prot,
                                  &err) < 0) {
                f->fault_va = va;
                return 0x10000 | err;
            }
            f->vpage = va & TCG_PAGE_MASK;
            f->ppage = pa & TCG_PAGE_MASK;
            f->valid = true;
        }
        buf[i] = (uint8_t)x86_phys_ld(env, f->ppage | (va & ~TCG_PAGE_MASK), 1);
    }
    return 0;
}

static void x86_debug_tb_flags(X86CPUState *env, uint32_t *flags);

void x86_get_tb_cpu_state(void *envp, uint64_t *pc, uint64_t *cs_base, uint32_t *flags)
{
    X86CPUState *env = envp;

    /* 64-bit mode ignores the CS base (SDM Vol.3 3.2.4). */
    *cs_base = (env->hflags & HF_CS64_MASK) ? 0 : env->segs[R_CS].base;
    *pc = *cs_base + env->rip;
    if (!(env->hflags & HF_CS64_MASK)) {
        *pc = (uint32_t)*pc;
    }
    *flags = env->hflags & (HF_CPL_MASK | HF_PE_MASK | HF_CS32_MASK | HF_SS32_MASK |
                            HF_LMA_MASK | HF_CS64_MASK | HF_VM_MASK | HF_ADDSEG_MASK |
                            HF_INHIBIT_IRQ_MASK | HF_SEGCHK_MASK | HF_SEGCHK_FS_MASK |
                            HF_SEGCHK_GS_MASK);
    if (env->cr[0] & CR0_PG) {
        *flags |= X86_TB_FLAG_PG;
    }
    if (env->eflags & TF_MASK) {
        *flags |= X86_TB_FLAG_TF;
    }
    if (env->cr[0] & CR0_TS) {
        *flags |= X86_TB_FLAG_TS;
    }
    if (env->cr[0] & CR0_EM) {
        *flags |= X86_TB_FLAG_EM;
    }
    if (env->cr[4] & CR4_OSFXSR) {
        *flags |= X86_TB_FLAG_OSFXSR;
    }
    x86_debug_tb_flags(env, flags);
}

/* The debugger's part of the block flags (gdbstub: single step, watchpoints). */
static void x86_debug_tb_flags(X86CPUState *env, uint32_t *flags)
{
    CPUState *cs = &container_of(env, X86CPU, env)->cs;

    if (cs->singlestep) {
        *flags |= X86_TB_FLAG_DEBUG_STEP;
    }
    if (cs->breakpoints && cpu_has_watchpoints(cs)) {   /* a call per lookup otherwise */
        *flags |= X86_TB_FLAG_ONE_INSN;
    }
    *flags |= x86_dr_tb_flags(env);
    if ((env->cr[4] & CR4_SMAP) && x86_mmu_index(env) == X86_MMU_KERNEL_AC) {
        *flags |= X86_TB_FLAG_SMAP_AC;
    }
}

void x86_restore_state(void *envp, TranslationBlock *tb, const uint64_t *data)
{
    X86CPUState *env = envp;

    (void)tb;
    env->rip = data[0];
    if (data[1] != CC_OP_DYNAMIC) {
        env->cc_op = (uint32_t)data[1];
    }
}

static void disas_init(DisasContext *s, X86CPUState *env, TranslationBlock *tb)
{
    uint32_t f = tb->flags;

    memset(s, 0, sizeof(*s));
    s->env = env;
    s->tb = tb;
    s->flags = f;
    s->cs_base = tb->cs_base;
    s->cpl = f & HF_CPL_MASK;
    s->pe = f & HF_PE_MASK;
    s->vm86 = f & HF_VM_MASK;
    s->code64 = f & HF_CS64_MASK;
    s->addseg = f & HF_ADDSEG_MASK;
    s->code_size = s->code64 ? 8 : (f & HF_CS32_MASK) ? 4 : 2;
    s->stack_size = s->code64 ? 8 : (f & HF_SS32_MASK) ? 4 : 2;
    s->mmu_idx = !(f & X86_TB_FLAG_PG) ? X86_MMU_PHYS : s->cpl == 3 ? X86_MMU_USER
               : (f & X86_TB_FLAG_SMAP_AC) ? X86_MMU_KERNEL_AC : X86_MMU_KERNEL;
    s->cc_op = CC_OP_DYNAMIC;
    s->features = x86_tcg_decoder_features(env);
}

/*
 * SDM Vol.3 5.3: every byte of an instruction must lie within the CS limit,
 * else #GP(0) at that instruction; last is the offset in CS of its last
 * byte. Checked at run time (the limit is not part of the block key) and
 * only when a segment is not flat (X86_TB_FLAG_SEGCHK, which a CS limit
 * below 4 GiB sets); never in 64-bit mode. The limit check comes before
 * the page walk (SDM Vol.3 Table 6-2 puts a code-segment limit violation
 * before a code page fault): a fetch that faulted at translation time is
 * checked against the limit first (decode_one), so an instruction running
 * past the limit onto an unmapped page raises #GP, not #PF.
 */
static void gen_fetch_limit_check(DisasContext *s, uint64_t last)
{
    TCGv_i64 lim;
    TCGLabel *ok;

    if (!(s->flags & X86_TB_FLAG_SEGCHK) || s->code64) {
        return;
    }
    lim = tmp64();
    ok = gen_new_label();
    gen_update_cc_op(s);
    tcg_gen_ld32u_i64(lim, tcg_env, offsetof(X86CPUState, segs[R_CS].limit));
    tcg_gen_brcondi_i64(TCG_COND_GEU, lim, (int64_t)last, ok);
    gen_helper(&hi_raise_exception_err, NULL, 2, const64(EXCP_GP), const64(0));
    tcg_gen_set_label(ok);
}

/* Decodes one instruction at s->pc: false if the block must end first. */
static bool decode_one(DisasContext *s, FetchState *fs)
{
    X86DecodeCtx dctx = {
        .mode = s->code64 ? X86_MODE_64 : s->code_size == 4 ? X86_MODE_32 : X86_MODE_16,
        .pc = s->eip,
        .features = s->features,
        .fetch = fetch_code,
        .opaque = fs,
    };
    int r = x86_decode(&dctx, &s->insn);

    if (r == X86_DECODE_FETCH_FAULT) {
        if (s->num_insns > 0) {
            return false;
        }
        tcg_gen_insn_start(s->eip, s->cc_op);
        gen_fetch_limit_check(s, (uint32_t)(fs->fault_va - s->cs_base));
        gen_helper(&hi_fetch_fault, NULL, 1, const64(fs->fault_va));
        s->is_jmp = DISAS_NORETURN;
        s->insn.len = 1;
        s->num_insns++;
        return true;
    }
    tcg_gen_insn_start(s->eip, s->cc_op);
    s->num_insns++;
    s->next_eip = s->eip + s->insn.len;
    gen_fetch_limit_check(s, s->next_eip - 1);
    if (r == X86_DECODE_UD) {
        log_mask(LOG_GUEST_ERRORS, "x86: invalid opcode at %" PRIx64 "\n", s->pc);
        gen_exception(s, EXCP_UD);
    } else if (r == X86_DECODE_GP) {
        gen_exception_err(s, EXCP_GP, 0);
    } else {
        translate_insn(s);
    }
    return true;
}

/* -d in_asm: the guest instructions of the block, disassembled. */
static void log_in_asm(DisasContext *s, TranslationBlock *tb)
{
    uint8_t buf[TCG_PAGE_SIZE + X86_MAX_INSN_LEN];
    uint32_t err;
    csh h;
    cs_insn *insn;
    FILE *out;
    size_t n, size = MIN(tb->size, sizeof(buf));
    cs_mode mode = s->code64 ? CS_MODE_64 : s->code_size == 4 ? CS_MODE_32 : CS_MODE_16;

    if (!size || x86_code_read(s->env, tb->pc, buf, size, &err) < 0 ||
        cs_open(CS_ARCH_X86, mode, &h) != CS_ERR_OK) {
        return;
    }
    n = cs_disasm(h, buf, size, tb->pc - tb->cs_base, 0, &insn);
    out = log_lock();
    fprintf(out, "IN: [%04x:%" PRIx64 "]\n", s->env->segs[R_CS].selector, tb->pc - tb->cs_base);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "0x%08" PRIx64 ":  %s %s\n", insn[i].address, insn[i].mnemonic, insn[i].op_str);
    }
    fprintf(out, "\n");
    log_unlock();
    if (n) {
        cs_free(insn, n);
    }
    cs_close(&h);
}

/*
 * True when the IR buffers might not hold one more instruction. The
 * largest one (ENTER with nesting level 31 and segment limit checks) takes
 * about 450 temps, 70 labels and 700 ops; the first instruction of a block
 * always fits.
 */
/* A debugger breakpoint at the next instruction: stop before it. */
static bool gen_debug_breakpoint(DisasContext *s)
{
    CPUState *cs = &container_of(s->env, X86CPU, env)->cs;

    /* A single step always executes its instruction, even when it sits
     * on a breakpoint (gdb cannot always tell: in real mode its pc is the
     * offset while breakpoints are linear addresses). */
    if (!cs->breakpoints || (s->flags & X86_TB_FLAG_DEBUG_STEP) ||
        !cpu_breakpoint_at(cs, s->pc)) {
        return false;
    }
    gen_update_cc_op(s);
    gen_store_rip(s, s->eip);
    gen_helper(&hi_debug_stop, NULL, 0);
    s->is_jmp = DISAS_NORETURN;
    return true;
}

/*
 * The guest's instruction breakpoints (DR7, SDM Vol.3 17.3.1.1): DRn is
 * compared with pc at run time before the instruction, for each DRn the
 * block's flags say is enabled. EFLAGS.RF suppresses the check of a
 * block's first instruction and is cleared there, once the check is past.
 */
static void gen_dr_breakpoints(DisasContext *s, bool first)
{
    unsigned mask = (s->flags / X86_TB_FLAG_DR_INSN0) & 15;

    if (first && (s->flags & X86_TB_FLAG_RF)) {
        TCGv_i64 f = tmp64();
        tcg_gen_ld_i64(f, tcg_env, offsetof(X86CPUState, eflags));
        tcg_gen_andi_i64(f, f, ~(int64_t)RF_MASK);
        tcg_gen_st_i64(f, tcg_env, offsetof(X86CPUState, eflags));
        return;
    }
    if (mask) {
        gen_update_cc_op(s);
    }
    for (unsigned n = 0; n < 4; n++) {
        if (mask & (1u << n)) {
            TCGLabel *miss = gen_new_label();
            TCGv_i64 d = tmp64();
            tcg_gen_ld_i64(d, tcg_env, offsetof(X86CPUState, dr[n]));
            tcg_gen_brcondi_i64(TCG_COND_NE, d, (int64_t)s->pc, miss);
            gen_store_rip(s, s->eip);
            gen_helper(&hi_dr_insn_bp, NULL, 1, const64((int64_t)s->pc));
            tcg_gen_set_label(miss);
        }
    }
}

static bool block_room_low(void)
{
    return tcg_op_buf_full() || tcg_ctx->nb_ops > TCG_MAX_OPS - 1024 ||
           tcg_ctx->nb_temps > TCG_MAX_TEMPS - 512 ||
           tcg_ctx->nb_labels > TCG_MAX_LABELS - 128;
}

void x86_translate_block(void *envp, TranslationBlock *tb)
{
    DisasContext ctx, *s = &ctx;
    FetchState fs = { .s = s };
    TCGLabel *exit_req = gen_new_label();
    TCGv_i32 req = tcg_temp_new_i32();
    uint64_t start_eip = tb->pc - tb->cs_base, size = 0;

    disas_init(s, envp, tb);
    if (!s->code64) {
        start_eip = (uint32_t)start_eip;
    }
    tcg_gen_ld_i32(req, tcg_env, offsetof(X86CPUState, tcg_exit_request));
    tcg_gen_brcondi_i32(TCG_COND_NE, req, 0, exit_req);
    if (s->flags & HF_INHIBIT_IRQ_MASK) {
        /* The shadow covers exactly this block's one instruction. */
        TCGv_i32 h = tcg_temp_new_i32();
        tcg_gen_ld_i32(h, tcg_env, offsetof(X86CPUState, hflags));
        tcg_gen_andi_i32(h, h, ~HF_INHIBIT_IRQ_MASK);
        tcg_gen_st_i32(h, tcg_env, offsetof(X86CPUState, hflags));
    }
    if (s->flags & X86_TB_FLAG_DR_TRAP) {
        tcg_gen_st_i64(const64(0), tcg_env, offsetof(X86CPUState, dr_hits));
    }
    for (;;) {
        s->eip = start_eip + size;
        s->pc = tb->pc + size;
        if (gen_debug_breakpoint(s)) {
            break;
        }
        gen_dr_breakpoints(s, size == 0);
        if (!decode_one(s, &fs)) {
            gen_jmp_eip(s, s->eip);
            break;
        }
        size += s->insn.len;
        if (s->is_jmp == DISAS_NORETURN) {
            break;
        }
        if (s->is_jmp == DISAS_END_NOJMP ||
            (s->flags & X86_TB_FLAGS_EXIT_TO_LOOP)) {
            gen_update_cc_op(s);
            gen_store_rip(s, s->next_eip);
            gen_exit_lookup(s);
            break;
        }
        if (s->num_insns >= (int)tb->max_insns || block_room_low() ||
            ((tb->pc + size) & TCG_PAGE_MASK) != (tb->pc & TCG_PAGE_MASK)) {
            gen_jmp_eip(s, s->next_eip);
            break;
        }
    }
    /* A block that is only a breakpoint stop still covers its first byte,
     * so that writing over the instruction drops it like any other. */
    tb->size = size ? size : 1;
    if (log_enabled(LOG_IN_ASM)) {
        log_in_asm(s, tb);
    }
    tcg_gen_set_label(exit_req);
    tcg_gen_st_i64(const64(start_eip), tcg_env, offsetof(X86CPUState, rip));
    tcg_gen_exit_tb(tb, TB_EXIT_REQUESTED);
}
