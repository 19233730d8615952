/*
 * tcg-op.c: the out-of-line tcg_gen_* builders (control flow, calls, guest
 * memory, the raw op appenders). The one-op builders are inline in
 * include/tcg/tcg-op.h.
 */
#include "vireo/common.h"
#include "vireo/log.h"
#include "tcg/tcg-op.h"
#include "tcg/tb.h"
#include "tcg/tlb.h"

void tcg_gen_op1(TCGOpcode opc, TCGArg a1)
{
    TCGArg a[] = { a1 };
    tcg_emit_op(opc, 1, a);
}

void tcg_gen_op2(TCGOpcode opc, TCGArg a1, TCGArg a2)
{
    TCGArg a[] = { a1, a2 };
    tcg_emit_op(opc, 2, a);
}

void tcg_gen_op3(TCGOpcode opc, TCGArg a1, TCGArg a2, TCGArg a3)
{
    TCGArg a[] = { a1, a2, a3 };
    tcg_emit_op(opc, 3, a);
}

void tcg_gen_op4(TCGOpcode opc, TCGArg a1, TCGArg a2, TCGArg a3, TCGArg a4)
{
    TCGArg a[] = { a1, a2, a3, a4 };
    tcg_emit_op(opc, 4, a);
}

void tcg_gen_op5(TCGOpcode opc, TCGArg a1, TCGArg a2, TCGArg a3, TCGArg a4,
                 TCGArg a5)
{
    TCGArg a[] = { a1, a2, a3, a4, a5 };
    tcg_emit_op(opc, 5, a);
}

void tcg_gen_op6(TCGOpcode opc, TCGArg a1, TCGArg a2, TCGArg a3, TCGArg a4,
                 TCGArg a5, TCGArg a6)
{
    TCGArg a[] = { a1, a2, a3, a4, a5, a6 };
    tcg_emit_op(opc, 6, a);
}

void tcg_gen_set_label(TCGLabel *l)
{
    g_assert(!l->present);
    l->present = true;
    tcg_gen_op1(INDEX_op_set_label, label_arg(l));
}

void tcg_gen_br(TCGLabel *l)
{
    tcg_gen_op1(INDEX_op_br, label_arg(l));
}

void tcg_gen_insn_start(uint64_t pc, uint64_t data1)
{
    g_assert(tcg_ctx->nb_insns < TCG_MAX_INSNS);
    tcg_ctx->nb_insns++;
    tcg_gen_op2(INDEX_op_insn_start, (TCGArg)pc, (TCGArg)data1);
}

void tcg_gen_goto_tb(unsigned n)
{
    g_assert(n < 2);
    tcg_gen_op1(INDEX_op_goto_tb, n);
}

void tcg_gen_exit_tb(const TranslationBlock *tb, unsigned idx)
{
    g_assert(idx <= TB_EXIT_MASK);
    g_assert(tb || idx == 0);
    tcg_gen_op1(INDEX_op_exit_tb, (uintptr_t)tb + idx);
}

void tcg_gen_goto_ptr(TCGv_ptr ptr)
{
    tcg_gen_op1(INDEX_op_goto_ptr, tcgv_i64_arg(ptr));
}

static const TCGHelperInfo lookup_tb_ptr_info = {
    .func = (void *)tcg_helper_lookup_tb_ptr,
    .name = "lookup_tb_ptr",
    .flags = TCG_CALL_NO_WRITE_GLOBALS,
    .has_ret = true,
    .ret_type = TCG_TYPE_I64,
};

void tcg_gen_lookup_and_goto_ptr(void)
{
    TCGv_i64 ptr = tcg_temp_new_i64();
    TCGTemp *args[] = { tcgv_i64_temp(tcg_env) };
    tcg_gen_call(&lookup_tb_ptr_info, tcgv_i64_temp(ptr), 1, args);
    tcg_gen_goto_ptr(ptr);
    tcg_temp_free_i64(ptr);
}

_Static_assert(sizeof(TCGBackend) == 4 && sizeof(bool) == 1 &&
               sizeof(((TCGCPU *)0)->jmp_cache[0]) == 8, "inline jump-cache probe layout");

void tcg_gen_lookup_and_goto_ptr_cached(TCGv_i64 pc, uint64_t cs_base, uint32_t flags)
{
    TCGCPU *cpu = current_tcg_cpu;

    if (!cpu || cpu->nochain || log_enabled(LOG_NOCHAIN) || !tcg_ctx->cfg.jmp_cache_offset) {
        tcg_gen_lookup_and_goto_ptr();
        return;
    }
    TCGLabel *miss = gen_new_label();
    TCGv_i64 slot = tcg_temp_new_i64(), tb = tcg_temp_new_i64(), t = tcg_temp_new_i64();

    /* slot = jmp_cache + ((pc ^ pc >> BITS) & (SIZE - 1)) * 8, as jc_hash in tb.c */
    tcg_gen_shri_i64(slot, pc, TB_JMP_CACHE_BITS);
    tcg_gen_xor_i64(slot, slot, pc);
    tcg_gen_andi_i64(slot, slot, TB_JMP_CACHE_SIZE - 1);
    tcg_gen_shli_i64(slot, slot, 3);
    tcg_gen_ld_i64(tb, tcg_env, tcg_ctx->cfg.jmp_cache_offset);
    tcg_gen_add_i64(slot, slot, tb);
    tcg_gen_ld_i64(tb, slot, 0);
    tcg_gen_brcondi_i64(TCG_COND_EQ, tb, 0, miss);
    tcg_gen_ld_i64(t, tb, offsetof(TranslationBlock, pc));
    tcg_gen_brcond_i64(TCG_COND_NE, t, pc, miss);
    tcg_gen_ld32u_i64(t, tb, offsetof(TranslationBlock, flags));
    tcg_gen_brcondi_i64(TCG_COND_NE, t, flags, miss);
    tcg_gen_ld_i64(t, tb, offsetof(TranslationBlock, cs_base));
    tcg_gen_brcondi_i64(TCG_COND_NE, t, (int64_t)cs_base, miss);
    tcg_gen_ld8u_i64(t, tb, offsetof(TranslationBlock, invalid));
    tcg_gen_brcondi_i64(TCG_COND_NE, t, 0, miss);
    tcg_gen_ld32u_i64(t, tb, offsetof(TranslationBlock, backend));
    tcg_gen_brcondi_i64(TCG_COND_NE, t, tcg_ctx->backend, miss);
    tcg_gen_ld_i64(t, tb, offsetof(TranslationBlock, tc_ptr));
    tcg_gen_goto_ptr(t);
    tcg_gen_set_label(miss);
    tcg_temp_free_i64(slot);
    tcg_temp_free_i64(tb);
    tcg_temp_free_i64(t);
    tcg_gen_lookup_and_goto_ptr();
}

void tcg_gen_tb_start(const TranslationBlock *tb)
{
    TCGv_i32 flag = tcg_temp_new_i32();
    tcg_ctx->exit_label = gen_new_label();
    tcg_gen_ld_i32(flag, tcg_env,
                   tcg_ctx->cfg.cpu_offset + offsetof(TCGCPU, exit_request));
    tcg_gen_brcondi_i32(TCG_COND_NE, flag, 0, tcg_ctx->exit_label);
    tcg_temp_free_i32(flag);
}

void tcg_gen_tb_end(const TranslationBlock *tb)
{
    g_assert(tcg_ctx->exit_label);
    tcg_gen_set_label(tcg_ctx->exit_label);
    tcg_gen_exit_tb(tb, TB_EXIT_REQUESTED);
}

void tcg_gen_mb(unsigned bar)
{
    tcg_gen_op1(INDEX_op_mb, bar);
}

void tcg_gen_call(const TCGHelperInfo *info, TCGTemp *ret, int nargs,
                  TCGTemp *const *args)
{
    TCGArg a[TCG_MAX_OP_ARGS];
    int n = 0;
    g_assert(nargs <= TCG_MAX_HELPER_ARGS);
    g_assert(!ret == !info->has_ret);
    g_assert(!ret || ret->type == info->ret_type);
    g_assert(!ret || ret->kind == TEMP_TB || ret->kind == TEMP_GLOBAL);
    if (ret) {
        a[n++] = temp_arg(ret);
    }
    for (int i = 0; i < nargs; i++) {
        a[n++] = temp_arg(args[i]);
    }
    a[n++] = (TCGArg)info->func;
    a[n++] = (TCGArg)info;
    TCGOp *op = tcg_emit_op(INDEX_op_call, n, a);
    op->nb_oargs = ret ? 1 : 0;
    op->nb_iargs = nargs;
}

static void gen_qemu_op(TCGOpcode opc, TCGTemp *val, TCGv_i64 addr,
                        unsigned mmu_idx, MemOp mop)
{
    g_assert(mmu_idx < TCG_NB_MMU_MODES);
    tcg_gen_op3(opc, temp_arg(val), tcgv_i64_arg(addr),
                make_memop_idx(mop, mmu_idx));
}

void tcg_gen_qemu_ld_i32(TCGv_i32 val, TCGv_i64 addr, unsigned mmu_idx, MemOp mop)
{
    g_assert((mop & MO_SIZE) <= MO_32);
    if ((mop & MO_SIZE) == MO_32) {
        mop &= ~MO_SIGN;
    }
    gen_qemu_op(INDEX_op_qemu_ld_i32, tcgv_i32_temp(val), addr, mmu_idx, mop);
}

void tcg_gen_qemu_st_i32(TCGv_i32 val, TCGv_i64 addr, unsigned mmu_idx, MemOp mop)
{
    g_assert((mop & MO_SIZE) <= MO_32);
    gen_qemu_op(INDEX_op_qemu_st_i32, tcgv_i32_temp(val), addr, mmu_idx,
                mop & MO_SIZE);
}

void tcg_gen_qemu_ld_i64(TCGv_i64 val, TCGv_i64 addr, unsigned mmu_idx, MemOp mop)
{
    if ((mop & MO_SIZE) == MO_64) {
        mop &= ~MO_SIGN;
    }
    gen_qemu_op(INDEX_op_qemu_ld_i64, tcgv_i64_temp(val), addr, mmu_idx, mop);
}

void tcg_gen_qemu_st_i64(TCGv_i64 val, TCGv_i64 addr, unsigned mmu_idx, MemOp mop)
{
    gen_qemu_op(INDEX_op_qemu_st_i64, tcgv_i64_temp(val), addr, mmu_idx,
                mop & MO_SIZE);
}

void tcg_gen_concat_i32_i64(TCGv_i64 ret, TCGv_i32 lo, TCGv_i32 hi)
{
    TCGv_i64 t = tcg_temp_new_i64();
    tcg_gen_extu_i32_i64(t, lo);
    tcg_gen_extu_i32_i64(ret, hi);
    tcg_gen_shli_i64(ret, ret, 32);
    tcg_gen_or_i64(ret, ret, t);
    tcg_temp_free_i64(t);
}

void tcg_gen_extr_i64_i32(TCGv_i32 lo, TCGv_i32 hi, TCGv_i64 a)
{
    TCGv_i64 t = tcg_temp_new_i64();
    tcg_gen_mov_i64(t, a);
    tcg_gen_extrl_i64_i32(lo, t);
    tcg_gen_extrh_i64_i32(hi, t);
    tcg_temp_free_i64(t);
}
