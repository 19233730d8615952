/*
 * translate-system.c: the system and privileged instructions of the x86
 * translator: software interrupts and IRET, HLT, CLI/STI, port I/O, CPUID,
 * MSRs and the TSC, control/debug registers, descriptor-table registers,
 * segment register loads (MOV/POP Sreg, LDS..LGS), far JMP/CALL/RET, the
 * fast system calls, LAR/LSL/VERR/VERW/ARPL. Most are helper calls
 * (seg_helper.c, misc_helper.c, excp_helper.c); an instruction that can
 * change the CPU mode, a segment base or the paging state ends the block
 * so the next one is looked up with the new translation flags.
 */
#include "vireo/common.h"
#include "target-x86/translate.h"

HELPER(raise_interrupt, 0, false);
HELPER(int_vm86, 0, false);
HELPER(into, 0, false);
HELPER(hlt, 0, false);
HELPER(cli, 0, false);
HELPER(sti, 0, false);
HELPER(in, 0, true);
HELPER(out, 0, false);
HELPER(check_io, 0, false);
HELPER(cpuid, 0, false);
HELPER(xgetbv, 0, false);
HELPER(xsetbv, 0, false);
HELPER(rdmsr, 0, false);
HELPER(wrmsr, 0, false);
HELPER(rdtsc, 0, false);
HELPER(rdtscp, 0, false);
HELPER(read_cr, 0, true);
HELPER(write_cr, 0, false);
HELPER(read_dr, 0, true);
HELPER(write_dr, 0, false);
HELPER(lmsw, 0, false);
HELPER(clts, 0, false);
HELPER(invlpg, 0, false);
HELPER(load_seg, 0, false);
HELPER(ljmp, 0, false);
HELPER(lcall, 0, false);
HELPER(lret, 0, false);
HELPER(iret, 0, false);
HELPER(lldt, 0, false);
HELPER(ltr, 0, false);
HELPER(lar_lsl, 0, true);
HELPER(verr_verw, 0, false);
HELPER(syscall, 0, false);
HELPER(sysret, 0, false);
HELPER(sysenter, 0, false);
HELPER(sysexit, 0, false);
HELPER(swapgs, 0, false);

#define OP(n) (&s->insn.ops[n])

/* Ends the block after a helper that set rip itself. */
static void gen_eob_rip_set(DisasContext *s)
{
    gen_update_cc_op(s);
    gen_exit_lookup(s);
    s->is_jmp = DISAS_NORETURN;
}

/* Calls a helper that may read the lazy flags or fault. */
static void call(DisasContext *s, const TCGHelperInfo *hi, TCGv_i64 ret, int n,
                 TCGv_i64 a, TCGv_i64 b, TCGv_i64 c, TCGv_i64 d)
{
    gen_update_cc_op(s);
    switch (n) {
    case 0: gen_helper(hi, ret, 0); break;
    case 1: gen_helper(hi, ret, 1, a); break;
    case 2: gen_helper(hi, ret, 2, a, b); break;
    case 3: gen_helper(hi, ret, 3, a, b, c); break;
    default: gen_helper(hi, ret, 4, a, b, c, d); break;
    }
}

static void gen_int(DisasContext *s, unsigned m)
{
    if (m == X86_MN_INTO) {
        call(s, &hi_into, NULL, 1, const64(s->next_eip), NULL, NULL, NULL);
        return;
    }
    if (m == X86_MN_INT && s->vm86) {      /* IOPL and VME decide at run time */
        call(s, &hi_int_vm86, NULL, 2, const64(OP(0)->imm & 0xff), const64(s->next_eip),
             NULL, NULL);
        gen_eob_rip_set(s);
        return;
    }
    call(s, &hi_raise_interrupt, NULL, 2,
         const64(m == X86_MN_INT ? (int64_t)(OP(0)->imm & 0xff) : m == X86_MN_INT3 ? 3 : 1),
         const64(s->next_eip), NULL, NULL);
    s->is_jmp = DISAS_NORETURN;
}

/* IN/OUT with an immediate or DX port; the other operand is AL/AX/EAX. */
static void gen_in_out(DisasContext *s, bool in)
{
    const X86Operand *port_op = in ? OP(1) : OP(0), *reg = in ? OP(0) : OP(1);
    unsigned size = reg->size;
    TCGv_i64 port = gen_extu(gen_ld_op(s, port_op), 2), v;

    if (s->pe) {
        call(s, &hi_check_io, NULL, 2, port, const64(size), NULL, NULL);
    }
    if (in) {
        v = tmp64();
        gen_helper(&hi_in, v, 2, port, const64(size));
        gen_st_reg(R_EAX, size, false, v);
    } else {
        gen_helper(&hi_out, NULL, 3, port, gen_extu(cpu_regs[R_EAX], size), const64(size));
    }
}

/* STAC/CLAC (SDM Vol.2B): EFLAGS.AC, #UD above CPL 0 (the decoder gave
 * #UD without SMAP). AC selects the MMU index, so the block ends; the
 * next one is looked up from generated code (the kernel runs these around
 * every user access), or through the loop when that must see the end. */
static void gen_clac_stac(DisasContext *s, bool set)
{
    TCGv_i64 f;

    if (s->cpl != 0) {
        gen_exception(s, EXCP_UD);
        return;
    }
    f = tmp64();
    tcg_gen_ld_i64(f, tcg_env, offsetof(X86CPUState, eflags));
    if (set) {
        tcg_gen_ori_i64(f, f, AC_MASK);
    } else {
        tcg_gen_andi_i64(f, f, ~(int64_t)AC_MASK);
    }
    tcg_gen_st_i64(f, tcg_env, offsetof(X86CPUState, eflags));
    gen_update_cc_op(s);
    gen_store_rip(s, s->next_eip);
    if (s->flags & X86_TB_FLAGS_EXIT_TO_LOOP) {
        gen_exit_lookup(s);
    } else {
        tcg_gen_lookup_and_goto_ptr();
    }
    s->is_jmp = DISAS_NORETURN;
}

/* MOV to/from CRn, DRn and segment registers. */
static bool gen_mov_special(DisasContext *s)
{
    const X86Operand *d = OP(0), *src = OP(1);
    TCGv_i64 v;

    if (d->kind == X86_OPK_CR || d->kind == X86_OPK_DR) {
        call(s, d->kind == X86_OPK_CR ? &hi_write_cr : &hi_write_dr, NULL, 2,
             const64(d->reg), gen_ld_reg(src->reg, s->code64 ? 8 : 4, false), NULL, NULL);
        s->is_jmp = DISAS_END_NOJMP;
        return true;
    }
    if (src->kind == X86_OPK_CR || src->kind == X86_OPK_DR) {
        v = tmp64();
        call(s, src->kind == X86_OPK_CR ? &hi_read_cr : &hi_read_dr, v, 1,
             const64(src->reg), NULL, NULL, NULL);
        gen_st_reg(d->reg, s->code64 ? 8 : 4, false, v);
        return true;
    }
    if (d->kind == X86_OPK_SEG) {
        call(s, &hi_load_seg, NULL, 2, const64(d->reg), gen_ld_op(s, src), NULL, NULL);
        if (d->reg == R_SS) {
            TCGv_i32 h = tcg_temp_new_i32();
            tcg_gen_ld_i32(h, tcg_env, offsetof(X86CPUState, hflags));
            tcg_gen_ori_i32(h, h, HF_INHIBIT_IRQ_MASK);
            tcg_gen_st_i32(h, tcg_env, offsetof(X86CPUState, hflags));
        }
        s->is_jmp = DISAS_END_NOJMP;
        return true;
    }
    if (src->kind == X86_OPK_SEG) {
        gen_st_op(s, d, gen_ld_op(s, src));
        return true;
    }
    return false;
}

static void gen_pop_seg(DisasContext *s)
{
    unsigned size = s->insn.op_size;
    TCGv_i64 v = gen_pop_value(s, size);

    call(s, &hi_load_seg, NULL, 2, const64(OP(0)->reg), v, NULL, NULL);
    gen_pop_commit(s, size);
    if (OP(0)->reg == R_SS) {
        TCGv_i32 h = tcg_temp_new_i32();
        tcg_gen_ld_i32(h, tcg_env, offsetof(X86CPUState, hflags));
        tcg_gen_ori_i32(h, h, HF_INHIBIT_IRQ_MASK);
        tcg_gen_st_i32(h, tcg_env, offsetof(X86CPUState, hflags));
    }
    s->is_jmp = DISAS_END_NOJMP;
}

/* Reads a far pointer m16:16/32/64 operand: offset then selector. */
static void load_far_ptr(DisasContext *s, const X86Operand *op, TCGv_i64 *off,
                         TCGv_i64 *sel)
{
    unsigned size = s->insn.op_size;
    TCGv_i64 addr = gen_linear_acc(s, op->mem.seg, gen_ea(s, &op->mem), size + 2,
                                   X86_SEGACC_R);
    TCGv_i64 a2 = tmp64();

    *off = gen_ld_mem(s, addr, size);
    tcg_gen_addi_i64(a2, addr, size);
    if (!s->code64) {
        tcg_gen_ext32u_i64(a2, a2);
    }
    *sel = gen_ld_mem(s, a2, 2);
}

static void gen_lxs(DisasContext *s, int seg)
{
    TCGv_i64 off, sel;

    load_far_ptr(s, OP(1), &off, &sel);
    call(s, &hi_load_seg, NULL, 2, const64(seg), sel, NULL, NULL);
    gen_st_op(s, OP(0), off);
    s->is_jmp = DISAS_END_NOJMP;
}

static void gen_far(DisasContext *s, unsigned m)
{
    TCGv_i64 off, sel;

    if (m == X86_MN_RETF) {
        call(s, &hi_lret, NULL, 2, const64(s->insn.op_size),
             const64(s->insn.nops ? OP(0)->imm & 0xffff : 0), NULL, NULL);
        gen_eob_rip_set(s);
        return;
    }
    if (OP(0)->kind == X86_OPK_FAR) {
        off = const64(OP(0)->imm);
        sel = const64(OP(0)->sel);
    } else {
        load_far_ptr(s, OP(0), &off, &sel);
    }
    if (m == X86_MN_JMPF) {
        call(s, &hi_ljmp, NULL, 3, sel, off, const64(s->next_eip), NULL);
    } else {
        call(s, &hi_lcall, NULL, 4, sel, off, const64(s->next_eip),
             const64(s->insn.op_size));
    }
    gen_eob_rip_set(s);
}

/* LGDT/LIDT/SGDT/SIDT: a 16-bit limit then a 32-bit (64-bit) base. */
static void gen_desc_table(DisasContext *s, unsigned m)
{
    bool gdt = m == X86_MN_LGDT || m == X86_MN_SGDT;
    intptr_t off = gdt ? offsetof(X86CPUState, gdt) : offsetof(X86CPUState, idt);
    unsigned bsize = s->code64 ? 8 : 4;
    bool load = m == X86_MN_LGDT || m == X86_MN_LIDT;
    TCGv_i64 addr = gen_linear_acc(s, OP(0)->mem.seg, gen_ea(s, &OP(0)->mem), 2 + bsize,
                                   load ? X86_SEGACC_R : X86_SEGACC_W);
    TCGv_i64 a2 = tmp64(), limit, base;

    tcg_gen_addi_i64(a2, addr, 2);
    if (!s->code64) {
        tcg_gen_ext32u_i64(a2, a2);
    }
    if (m == X86_MN_LGDT || m == X86_MN_LIDT) {
        limit = gen_ld_mem(s, addr, 2);
        base = gen_ld_mem(s, a2, bsize);
        if (!s->code64 && s->insn.op_size == 2) {
            tcg_gen_andi_i64(base, base, 0xffffff);
        }
        tcg_gen_st32_i64(limit, tcg_env, off + offsetof(DescTable, limit));
        tcg_gen_st_i64(base, tcg_env, off + offsetof(DescTable, base));
        return;
    }
    limit = tmp64();
    base = tmp64();
    tcg_gen_ld32u_i64(limit, tcg_env, off + offsetof(DescTable, limit));
    tcg_gen_ld_i64(base, tcg_env, off + offsetof(DescTable, base));
    gen_st_mem(s, addr, limit, 2);
    gen_st_mem(s, a2, base, bsize);
}

static void gen_lar_lsl(DisasContext *s, bool lsl)
{
    TCGv_i64 v = tmp64();
    TCGLabel *skip = gen_new_label();
    TCGv_i64 f = tmp64();

    call(s, &hi_lar_lsl, v, 2, gen_ld_op(s, OP(1)), const64(lsl), NULL, NULL);
    s->cc_op = CC_OP_EFLAGS;
    s->cc_op_dirty = false;
    tcg_gen_ld_i64(f, tcg_env, offsetof(X86CPUState, eflags));
    tcg_gen_andi_i64(f, f, CC_Z);
    tcg_gen_brcondi_i64(TCG_COND_EQ, f, 0, skip);
    gen_st_op(s, OP(0), v);
    tcg_gen_set_label(skip);
}

/* ARPL (SDM ARPL): raise the destination RPL to the source's; ZF says so. */
static void gen_arpl(DisasContext *s)
{
    TCGv_i64 d = gen_ld_op(s, OP(0)), r = gen_ld_op(s, OP(1)), dr = tmp64(), sr = tmp64();
    TCGv_i64 lt = tmp64(), nd = tmp64(), f = tmp64(), z = tmp64();

    tcg_gen_andi_i64(dr, d, 3);
    tcg_gen_andi_i64(sr, r, 3);
    tcg_gen_setcond_i64(TCG_COND_LTU, lt, dr, sr);
    tcg_gen_andi_i64(nd, d, ~3LL);
    tcg_gen_or_i64(nd, nd, sr);
    tcg_gen_movcond_i64(TCG_COND_NE, nd, lt, const64(0), nd, d);
    gen_st_op(s, OP(0), nd);
    gen_materialize_flags(s);
    tcg_gen_ld_i64(f, tcg_env, offsetof(X86CPUState, eflags));
    tcg_gen_andi_i64(f, f, ~(int64_t)CC_Z);
    tcg_gen_shli_i64(z, lt, 6);
    tcg_gen_or_i64(f, f, z);
    tcg_gen_st_i64(f, tcg_env, offsetof(X86CPUState, eflags));
}

/* SLDT/STR/SMSW: a 16-bit value, zero-extended into a register. */
static void gen_store_sysreg(DisasContext *s, intptr_t off, bool word)
{
    TCGv_i64 v = tmp64();

    if (word) {
        tcg_gen_ld16u_i64(v, tcg_env, off);
    } else {
        tcg_gen_ld_i64(v, tcg_env, off);
    }
    gen_st_op(s, OP(0), v);
}

static bool translate_system2(DisasContext *s, unsigned m)
{
    switch (m) {
    case X86_MN_XGETBV: case X86_MN_XSETBV:
        call(s, m == X86_MN_XGETBV ? &hi_xgetbv : &hi_xsetbv, NULL, 0, NULL, NULL, NULL, NULL);
        return true;
    case X86_MN_LLDT: case X86_MN_LTR:
        call(s, m == X86_MN_LLDT ? &hi_lldt : &hi_ltr, NULL, 1, gen_ld_op(s, OP(0)),
             NULL, NULL, NULL);
        return true;
    case X86_MN_SLDT:
        gen_store_sysreg(s, offsetof(X86CPUState, ldt.selector), true);
        return true;
    case X86_MN_STR:
        gen_store_sysreg(s, offsetof(X86CPUState, tr.selector), true);
        return true;
    case X86_MN_SMSW:
        gen_store_sysreg(s, offsetof(X86CPUState, cr[0]), false);
        return true;
    case X86_MN_LMSW:
        call(s, &hi_lmsw, NULL, 1, gen_ld_op(s, OP(0)), NULL, NULL, NULL);
        s->is_jmp = DISAS_END_NOJMP;
        return true;
    case X86_MN_CLTS:
        /* CR0.TS is a block flag (X86_TB_FLAG_TS): the block ends here */
        call(s, &hi_clts, NULL, 0, NULL, NULL, NULL, NULL);
        s->is_jmp = DISAS_END_NOJMP;
        return true;
    case X86_MN_INVLPG:
        call(s, &hi_invlpg, NULL, 1, gen_linear(s, OP(0)->mem.seg, gen_ea(s, &OP(0)->mem)),
             NULL, NULL, NULL);
        s->is_jmp = DISAS_END_NOJMP;
        return true;
    case X86_MN_LAR: case X86_MN_LSL:
        gen_lar_lsl(s, m == X86_MN_LSL);
        return true;
    case X86_MN_VERR: case X86_MN_VERW:
        call(s, &hi_verr_verw, NULL, 2, gen_ld_op(s, OP(0)), const64(m == X86_MN_VERW),
             NULL, NULL);
        s->cc_op = CC_OP_EFLAGS;
        s->cc_op_dirty = false;
        return true;
    case X86_MN_ARPL:
        gen_arpl(s);
        return true;
    case X86_MN_SYSCALL:
        call(s, &hi_syscall, NULL, 1, const64(s->next_eip), NULL, NULL, NULL);
        gen_eob_rip_set(s);
        return true;
    case X86_MN_SYSRET:
        call(s, &hi_sysret, NULL, 1, const64(s->insn.op_size), NULL, NULL, NULL);
        gen_eob_rip_set(s);
        return true;
    case X86_MN_SYSENTER:
        call(s, &hi_sysenter, NULL, 0, NULL, NULL, NULL, NULL);
        gen_eob_rip_set(s);
        return true;
    case X86_MN_SYSEXIT:
        call(s, &hi_sysexit, NULL, 1, const64(s->insn.op_size), NULL, NULL, NULL);
        gen_eob_rip_set(s);
        return true;
    case X86_MN_SWAPGS:
        call(s, &hi_swapgs, NULL, 0, NULL, NULL, NULL, NULL);
        return true;
    case X86_MN_INVD: case X86_MN_WBINVD: case X86_MN_CLFLUSH:
        return true;
    case X86_MN_RDPMC:      /* no performance counters: every index is invalid */
        gen_exception_err(s, EXCP_GP, 0);
        return true;
    case X86_MN_RSM:        /* never in SMM */
        gen_exception(s, EXCP_UD);
        return true;
    default:
        return false;
    }
}

bool translate_system(DisasContext *s)
{
    unsigned m = s->insn.mnemonic;

    switch (m) {
    case X86_MN_INT: case X86_MN_INT3: case X86_MN_INT1: case X86_MN_INTO:
        gen_int(s, m);
        return true;
    case X86_MN_UD0: case X86_MN_UD1: case X86_MN_UD2:
        gen_exception(s, EXCP_UD);
        return true;
    case X86_MN_IRET:
        call(s, &hi_iret, NULL, 2, const64(s->insn.op_size), const64(s->next_eip), NULL, NULL);
        gen_eob_rip_set(s);
        return true;
    case X86_MN_HLT:
        call(s, &hi_hlt, NULL, 1, const64(s->next_eip), NULL, NULL, NULL);
        s->is_jmp = DISAS_NORETURN;
        return true;
    case X86_MN_CLI:
        call(s, &hi_cli, NULL, 0, NULL, NULL, NULL, NULL);
        return true;
    case X86_MN_CLAC: case X86_MN_STAC:
        gen_clac_stac(s, m == X86_MN_STAC);
        return true;
    case X86_MN_STI:
        call(s, &hi_sti, NULL, 0, NULL, NULL, NULL, NULL);
        s->is_jmp = DISAS_END_NOJMP;
        return true;
    case X86_MN_IN: case X86_MN_OUT:
        gen_in_out(s, m == X86_MN_IN);
        return true;
    case X86_MN_CPUID:
        call(s, &hi_cpuid, NULL, 0, NULL, NULL, NULL, NULL);
        return true;
    case X86_MN_RDMSR:
        call(s, &hi_rdmsr, NULL, 0, NULL, NULL, NULL, NULL);
        return true;
    case X86_MN_WRMSR:
        call(s, &hi_wrmsr, NULL, 0, NULL, NULL, NULL, NULL);
        s->is_jmp = DISAS_END_NOJMP;
        return true;
    case X86_MN_RDTSC: case X86_MN_RDTSCP:
        call(s, m == X86_MN_RDTSC ? &hi_rdtsc : &hi_rdtscp, NULL, 0, NULL, NULL, NULL, NULL);
        return true;
    case X86_MN_MOV:
        return gen_mov_special(s);
    case X86_MN_POP:
        gen_pop_seg(s);
        return true;
    case X86_MN_LES: gen_lxs(s, R_ES); return true;
    case X86_MN_LDS: gen_lxs(s, R_DS); return true;
    case X86_MN_LSS: gen_lxs(s, R_SS); return true;
    case X86_MN_LFS: gen_lxs(s, R_FS); return true;
    case X86_MN_LGS: gen_lxs(s, R_GS); return true;
    case X86_MN_JMPF: case X86_MN_CALLF: case X86_MN_RETF:
        gen_far(s, m);
        return true;
    case X86_MN_LGDT: case X86_MN_LIDT: case X86_MN_SGDT: case X86_MN_SIDT:
        gen_desc_table(s, m);
        return true;
    default:
        return translate_system2(s, m);
    }
}
