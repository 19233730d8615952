/*
 * tcg-op.h: the tcg_gen_* builders a front end uses to emit IR into the
 * current thread's context (tcg_ctx). Each builder appends one op (or a
 * short fixed sequence); simplification is left to the optimizer, except
 * that builders with an immediate ("addi") pick a constant temp.
 * docs/tcg-ir.md gives the semantics of every op.
 */
#ifndef TCG_TCG_OP_H
#define TCG_TCG_OP_H

#include "tcg/tcg.h"

/* Raw op appenders: arguments are temp indexes or constants, in op order. */
void tcg_gen_op1(TCGOpcode opc, TCGArg a1);
void tcg_gen_op2(TCGOpcode opc, TCGArg a1, TCGArg a2);
void tcg_gen_op3(TCGOpcode opc, TCGArg a1, TCGArg a2, TCGArg a3);
void tcg_gen_op4(TCGOpcode opc, TCGArg a1, TCGArg a2, TCGArg a3, TCGArg a4);
void tcg_gen_op5(TCGOpcode opc, TCGArg a1, TCGArg a2, TCGArg a3, TCGArg a4,
                 TCGArg a5);
void tcg_gen_op6(TCGOpcode opc, TCGArg a1, TCGArg a2, TCGArg a3, TCGArg a4,
                 TCGArg a5, TCGArg a6);

static inline TCGArg tcgv_i32_arg(TCGv_i32 v) { return temp_arg(tcgv_i32_temp(v)); }
static inline TCGArg tcgv_i64_arg(TCGv_i64 v) { return temp_arg(tcgv_i64_temp(v)); }
static inline TCGArg label_arg(TCGLabel *l) { return (TCGArg)l->id; }

/* Control flow. */
/* Places label l here (once per label). */
void tcg_gen_set_label(TCGLabel *l);
/* Jumps to l unconditionally. */
void tcg_gen_br(TCGLabel *l);
/* Marks the start of a guest instruction at pc, with one word of target data. */
void tcg_gen_insn_start(uint64_t pc, uint64_t data1);
/* Chainable exit n (0 or 1); must be followed by tcg_gen_exit_tb(tb, n). */
void tcg_gen_goto_tb(unsigned n);
/* Returns to the exec loop with (uintptr_t)tb | idx (tb may be NULL, idx 0). */
void tcg_gen_exit_tb(const TranslationBlock *tb, unsigned idx);
/* Jumps to host code address ptr (from tcg_helper_lookup_tb_ptr). */
void tcg_gen_goto_ptr(TCGv_ptr ptr);
/* Looks up the block for the CPU's current state and jumps to it, or exits. */
void tcg_gen_lookup_and_goto_ptr(void);
/*
 * The same, probing the vCPU's jump cache inline first: pc is the guest pc
 * of the next block, cs_base and flags its state, which the caller knows
 * equal this block's (the front end ends a block with a plain exit after
 * any instruction that changes them). A hit jumps straight to the cached
 * block; a miss calls the lookup helper.
 */
void tcg_gen_lookup_and_goto_ptr_cached(TCGv_i64 pc, uint64_t cs_base, uint32_t flags);
/* Block prologue: leaves at once through exit_tb(tb, TB_EXIT_REQUESTED)
 * when the vCPU's exit_request is set (a kick); pair with tcg_gen_tb_end. */
void tcg_gen_tb_start(const TranslationBlock *tb);
/* Emits the exit path of tcg_gen_tb_start; call after the block's last op. */
void tcg_gen_tb_end(const TranslationBlock *tb);
/* Memory barrier (no-op on a single-threaded guest, kept for ordering). */
void tcg_gen_mb(unsigned bar);
/* Emits a helper call: ret may be NULL, args[0..nargs) are i32/i64 temps. */
void tcg_gen_call(const TCGHelperInfo *info, TCGTemp *ret, int nargs,
                  TCGTemp *const *args);

/* Guest memory through the softmmu TLB (addr is i64). */
void tcg_gen_qemu_ld_i32(TCGv_i32 val, TCGv_i64 addr, unsigned mmu_idx, MemOp mop);
void tcg_gen_qemu_st_i32(TCGv_i32 val, TCGv_i64 addr, unsigned mmu_idx, MemOp mop);
void tcg_gen_qemu_ld_i64(TCGv_i64 val, TCGv_i64 addr, unsigned mmu_idx, MemOp mop);
void tcg_gen_qemu_st_i64(TCGv_i64 val, TCGv_i64 addr, unsigned mmu_idx, MemOp mop);

/* ret = hi:lo (hi in the high 32 bits). */
void tcg_gen_concat_i32_i64(TCGv_i64 ret, TCGv_i32 lo, TCGv_i32 hi);
/* lo, hi = the low and high halves of a. */
void tcg_gen_extr_i64_i32(TCGv_i32 lo, TCGv_i32 hi, TCGv_i64 a);

/* Width conversions. */
static inline void tcg_gen_ext_i32_i64(TCGv_i64 ret, TCGv_i32 a)
{ tcg_gen_op2(INDEX_op_ext_i32_i64, tcgv_i64_arg(ret), tcgv_i32_arg(a)); }
static inline void tcg_gen_extu_i32_i64(TCGv_i64 ret, TCGv_i32 a)
{ tcg_gen_op2(INDEX_op_extu_i32_i64, tcgv_i64_arg(ret), tcgv_i32_arg(a)); }
static inline void tcg_gen_extrl_i64_i32(TCGv_i32 ret, TCGv_i64 a)
{ tcg_gen_op2(INDEX_op_extrl_i64_i32, tcgv_i32_arg(ret), tcgv_i64_arg(a)); }
static inline void tcg_gen_extrh_i64_i32(TCGv_i32 ret, TCGv_i64 a)
{ tcg_gen_op2(INDEX_op_extrh_i64_i32, tcgv_i32_arg(ret), tcgv_i64_arg(a)); }
static inline void tcg_gen_ext32s_i64(TCGv_i64 ret, TCGv_i64 a)
{ tcg_gen_op2(INDEX_op_ext32s_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a)); }
static inline void tcg_gen_ext32u_i64(TCGv_i64 ret, TCGv_i64 a)
{ tcg_gen_op2(INDEX_op_ext32u_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a)); }
static inline void tcg_gen_bswap64_i64(TCGv_i64 ret, TCGv_i64 a)
{ tcg_gen_op2(INDEX_op_bswap64_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a)); }
static inline void tcg_gen_ld32u_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t off)
{ tcg_gen_op3(INDEX_op_ld32u_i64, tcgv_i64_arg(ret), tcgv_i64_arg(base), (TCGArg)off); }
static inline void tcg_gen_ld32s_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t off)
{ tcg_gen_op3(INDEX_op_ld32s_i64, tcgv_i64_arg(ret), tcgv_i64_arg(base), (TCGArg)off); }
static inline void tcg_gen_st32_i64(TCGv_i64 val, TCGv_ptr base, intptr_t off)
{ tcg_gen_op3(INDEX_op_st32_i64, tcgv_i64_arg(val), tcgv_i64_arg(base), (TCGArg)off); }

/* ---- i32 builders ---- */
static inline void tcg_gen_discard_i32(TCGv_i32 a)
{ tcg_gen_op1(INDEX_op_discard, tcgv_i32_arg(a)); }
static inline void tcg_gen_mov_i32(TCGv_i32 ret, TCGv_i32 a)
{ if (ret != a) tcg_gen_op2(INDEX_op_mov_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a)); }
static inline void tcg_gen_movi_i32(TCGv_i32 ret, int32_t imm)
{ tcg_gen_mov_i32(ret, tcg_constant_i32(imm)); }
static inline void tcg_gen_add_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{ tcg_gen_op3(INDEX_op_add_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a), tcgv_i32_arg(b)); }
static inline void tcg_gen_addi_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b)
{ tcg_gen_add_i32(ret, a, tcg_constant_i32(b)); }
static inline void tcg_gen_sub_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{ tcg_gen_op3(INDEX_op_sub_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a), tcgv_i32_arg(b)); }
static inline void tcg_gen_subi_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b)
{ tcg_gen_sub_i32(ret, a, tcg_constant_i32(b)); }
static inline void tcg_gen_mul_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{ tcg_gen_op3(INDEX_op_mul_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a), tcgv_i32_arg(b)); }
static inline void tcg_gen_muli_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b)
{ tcg_gen_mul_i32(ret, a, tcg_constant_i32(b)); }
static inline void tcg_gen_and_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{ tcg_gen_op3(INDEX_op_and_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a), tcgv_i32_arg(b)); }
static inline void tcg_gen_andi_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b)
{ tcg_gen_and_i32(ret, a, tcg_constant_i32(b)); }
static inline void tcg_gen_or_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{ tcg_gen_op3(INDEX_op_or_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a), tcgv_i32_arg(b)); }
static inline void tcg_gen_ori_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b)
{ tcg_gen_or_i32(ret, a, tcg_constant_i32(b)); }
static inline void tcg_gen_xor_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{ tcg_gen_op3(INDEX_op_xor_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a), tcgv_i32_arg(b)); }
static inline void tcg_gen_xori_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b)
{ tcg_gen_xor_i32(ret, a, tcg_constant_i32(b)); }
static inline void tcg_gen_andc_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{ tcg_gen_op3(INDEX_op_andc_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a), tcgv_i32_arg(b)); }
static inline void tcg_gen_andci_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b)
{ tcg_gen_andc_i32(ret, a, tcg_constant_i32(b)); }
static inline void tcg_gen_orc_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{ tcg_gen_op3(INDEX_op_orc_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a), tcgv_i32_arg(b)); }
static inline void tcg_gen_orci_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b)
{ tcg_gen_orc_i32(ret, a, tcg_constant_i32(b)); }
static inline void tcg_gen_shl_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{ tcg_gen_op3(INDEX_op_shl_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a), tcgv_i32_arg(b)); }
static inline void tcg_gen_shli_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b)
{ tcg_gen_shl_i32(ret, a, tcg_constant_i32(b)); }
static inline void tcg_gen_shr_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{ tcg_gen_op3(INDEX_op_shr_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a), tcgv_i32_arg(b)); }
static inline void tcg_gen_shri_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b)
{ tcg_gen_shr_i32(ret, a, tcg_constant_i32(b)); }
static inline void tcg_gen_sar_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{ tcg_gen_op3(INDEX_op_sar_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a), tcgv_i32_arg(b)); }
static inline void tcg_gen_sari_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b)
{ tcg_gen_sar_i32(ret, a, tcg_constant_i32(b)); }
static inline void tcg_gen_rotl_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{ tcg_gen_op3(INDEX_op_rotl_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a), tcgv_i32_arg(b)); }
static inline void tcg_gen_rotli_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b)
{ tcg_gen_rotl_i32(ret, a, tcg_constant_i32(b)); }
static inline void tcg_gen_rotr_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{ tcg_gen_op3(INDEX_op_rotr_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a), tcgv_i32_arg(b)); }
static inline void tcg_gen_rotri_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b)
{ tcg_gen_rotr_i32(ret, a, tcg_constant_i32(b)); }
static inline void tcg_gen_clz_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{ tcg_gen_op3(INDEX_op_clz_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a), tcgv_i32_arg(b)); }
static inline void tcg_gen_clzi_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b)
{ tcg_gen_clz_i32(ret, a, tcg_constant_i32(b)); }
static inline void tcg_gen_ctz_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{ tcg_gen_op3(INDEX_op_ctz_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a), tcgv_i32_arg(b)); }
static inline void tcg_gen_ctzi_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b)
{ tcg_gen_ctz_i32(ret, a, tcg_constant_i32(b)); }
static inline void tcg_gen_neg_i32(TCGv_i32 ret, TCGv_i32 a)
{ tcg_gen_op2(INDEX_op_neg_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a)); }
static inline void tcg_gen_not_i32(TCGv_i32 ret, TCGv_i32 a)
{ tcg_gen_op2(INDEX_op_not_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a)); }
static inline void tcg_gen_ext8s_i32(TCGv_i32 ret, TCGv_i32 a)
{ tcg_gen_op2(INDEX_op_ext8s_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a)); }
static inline void tcg_gen_ext8u_i32(TCGv_i32 ret, TCGv_i32 a)
{ tcg_gen_op2(INDEX_op_ext8u_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a)); }
static inline void tcg_gen_ext16s_i32(TCGv_i32 ret, TCGv_i32 a)
{ tcg_gen_op2(INDEX_op_ext16s_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a)); }
static inline void tcg_gen_ext16u_i32(TCGv_i32 ret, TCGv_i32 a)
{ tcg_gen_op2(INDEX_op_ext16u_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a)); }
static inline void tcg_gen_bswap16_i32(TCGv_i32 ret, TCGv_i32 a)
{ tcg_gen_op2(INDEX_op_bswap16_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a)); }
static inline void tcg_gen_bswap32_i32(TCGv_i32 ret, TCGv_i32 a)
{ tcg_gen_op2(INDEX_op_bswap32_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a)); }
static inline void tcg_gen_ctpop_i32(TCGv_i32 ret, TCGv_i32 a)
{ tcg_gen_op2(INDEX_op_ctpop_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a)); }
static inline void tcg_gen_mulu2_i32(TCGv_i32 rl, TCGv_i32 rh, TCGv_i32 a, TCGv_i32 b)
{ tcg_gen_op4(INDEX_op_mulu2_i32, tcgv_i32_arg(rl), tcgv_i32_arg(rh), tcgv_i32_arg(a), tcgv_i32_arg(b)); }
static inline void tcg_gen_muls2_i32(TCGv_i32 rl, TCGv_i32 rh, TCGv_i32 a, TCGv_i32 b)
{ tcg_gen_op4(INDEX_op_muls2_i32, tcgv_i32_arg(rl), tcgv_i32_arg(rh), tcgv_i32_arg(a), tcgv_i32_arg(b)); }
static inline void tcg_gen_add2_i32(TCGv_i32 rl, TCGv_i32 rh, TCGv_i32 al, TCGv_i32 ah,
                                   TCGv_i32 bl, TCGv_i32 bh)
{ tcg_gen_op6(INDEX_op_add2_i32, tcgv_i32_arg(rl), tcgv_i32_arg(rh), tcgv_i32_arg(al),
              tcgv_i32_arg(ah), tcgv_i32_arg(bl), tcgv_i32_arg(bh)); }
static inline void tcg_gen_sub2_i32(TCGv_i32 rl, TCGv_i32 rh, TCGv_i32 al, TCGv_i32 ah,
                                   TCGv_i32 bl, TCGv_i32 bh)
{ tcg_gen_op6(INDEX_op_sub2_i32, tcgv_i32_arg(rl), tcgv_i32_arg(rh), tcgv_i32_arg(al),
              tcgv_i32_arg(ah), tcgv_i32_arg(bl), tcgv_i32_arg(bh)); }
static inline void tcg_gen_deposit_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b,
                                      unsigned pos, unsigned len)
{ tcg_gen_op5(INDEX_op_deposit_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a), tcgv_i32_arg(b), pos, len); }
static inline void tcg_gen_extract_i32(TCGv_i32 ret, TCGv_i32 a, unsigned pos, unsigned len)
{ tcg_gen_op4(INDEX_op_extract_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a), pos, len); }
static inline void tcg_gen_sextract_i32(TCGv_i32 ret, TCGv_i32 a, unsigned pos, unsigned len)
{ tcg_gen_op4(INDEX_op_sextract_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a), pos, len); }
static inline void tcg_gen_setcond_i32(TCGCond c, TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{ tcg_gen_op4(INDEX_op_setcond_i32, tcgv_i32_arg(ret), tcgv_i32_arg(a), tcgv_i32_arg(b), c); }
static inline void tcg_gen_setcondi_i32(TCGCond c, TCGv_i32 ret, TCGv_i32 a, int32_t b)
{ tcg_gen_setcond_i32(c, ret, a, tcg_constant_i32(b)); }
static inline void tcg_gen_movcond_i32(TCGCond c, TCGv_i32 ret, TCGv_i32 c1, TCGv_i32 c2,
                                      TCGv_i32 v1, TCGv_i32 v2)
{ tcg_gen_op6(INDEX_op_movcond_i32, tcgv_i32_arg(ret), tcgv_i32_arg(c1), tcgv_i32_arg(c2),
              tcgv_i32_arg(v1), tcgv_i32_arg(v2), c); }
static inline void tcg_gen_brcond_i32(TCGCond c, TCGv_i32 a, TCGv_i32 b, TCGLabel *l)
{ tcg_gen_op4(INDEX_op_brcond_i32, tcgv_i32_arg(a), tcgv_i32_arg(b), c, label_arg(l)); }
static inline void tcg_gen_brcondi_i32(TCGCond c, TCGv_i32 a, int32_t b, TCGLabel *l)
{ tcg_gen_brcond_i32(c, a, tcg_constant_i32(b), l); }
static inline void tcg_gen_ld8u_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t off)
{ tcg_gen_op3(INDEX_op_ld8u_i32, tcgv_i32_arg(ret), tcgv_i64_arg(base), (TCGArg)off); }
static inline void tcg_gen_ld8s_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t off)
{ tcg_gen_op3(INDEX_op_ld8s_i32, tcgv_i32_arg(ret), tcgv_i64_arg(base), (TCGArg)off); }
static inline void tcg_gen_ld16u_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t off)
{ tcg_gen_op3(INDEX_op_ld16u_i32, tcgv_i32_arg(ret), tcgv_i64_arg(base), (TCGArg)off); }
static inline void tcg_gen_ld16s_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t off)
{ tcg_gen_op3(INDEX_op_ld16s_i32, tcgv_i32_arg(ret), tcgv_i64_arg(base), (TCGArg)off); }
static inline void tcg_gen_ld_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t off)
{ tcg_gen_op3(INDEX_op_ld_i32, tcgv_i32_arg(ret), tcgv_i64_arg(base), (TCGArg)off); }
static inline void tcg_gen_st8_i32(TCGv_i32 val, TCGv_ptr base, intptr_t off)
{ tcg_gen_op3(INDEX_op_st8_i32, tcgv_i32_arg(val), tcgv_i64_arg(base), (TCGArg)off); }
static inline void tcg_gen_st16_i32(TCGv_i32 val, TCGv_ptr base, intptr_t off)
{ tcg_gen_op3(INDEX_op_st16_i32, tcgv_i32_arg(val), tcgv_i64_arg(base), (TCGArg)off); }
static inline void tcg_gen_st_i32(TCGv_i32 val, TCGv_ptr base, intptr_t off)
{ tcg_gen_op3(INDEX_op_st_i32, tcgv_i32_arg(val), tcgv_i64_arg(base), (TCGArg)off); }

/* ---- i64 builders ---- */
static inline void tcg_gen_discard_i64(TCGv_i64 a)
{ tcg_gen_op1(INDEX_op_discard, tcgv_i64_arg(a)); }
static inline void tcg_gen_mov_i64(TCGv_i64 ret, TCGv_i64 a)
{ if (ret != a) tcg_gen_op2(INDEX_op_mov_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a)); }
static inline void tcg_gen_movi_i64(TCGv_i64 ret, int64_t imm)
{ tcg_gen_mov_i64(ret, tcg_constant_i64(imm)); }
static inline void tcg_gen_add_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{ tcg_gen_op3(INDEX_op_add_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a), tcgv_i64_arg(b)); }
static inline void tcg_gen_addi_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b)
{ tcg_gen_add_i64(ret, a, tcg_constant_i64(b)); }
static inline void tcg_gen_sub_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{ tcg_gen_op3(INDEX_op_sub_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a), tcgv_i64_arg(b)); }
static inline void tcg_gen_subi_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b)
{ tcg_gen_sub_i64(ret, a, tcg_constant_i64(b)); }
static inline void tcg_gen_mul_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{ tcg_gen_op3(INDEX_op_mul_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a), tcgv_i64_arg(b)); }
static inline void tcg_gen_muli_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b)
{ tcg_gen_mul_i64(ret, a, tcg_constant_i64(b)); }
static inline void tcg_gen_and_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{ tcg_gen_op3(INDEX_op_and_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a), tcgv_i64_arg(b)); }
static inline void tcg_gen_andi_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b)
{ tcg_gen_and_i64(ret, a, tcg_constant_i64(b)); }
static inline void tcg_gen_or_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{ tcg_gen_op3(INDEX_op_or_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a), tcgv_i64_arg(b)); }
static inline void tcg_gen_ori_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b)
{ tcg_gen_or_i64(ret, a, tcg_constant_i64(b)); }
static inline void tcg_gen_xor_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{ tcg_gen_op3(INDEX_op_xor_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a), tcgv_i64_arg(b)); }
static inline void tcg_gen_xori_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b)
{ tcg_gen_xor_i64(ret, a, tcg_constant_i64(b)); }
static inline void tcg_gen_andc_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{ tcg_gen_op3(INDEX_op_andc_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a), tcgv_i64_arg(b)); }
static inline void tcg_gen_andci_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b)
{ tcg_gen_andc_i64(ret, a, tcg_constant_i64(b)); }
static inline void tcg_gen_orc_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{ tcg_gen_op3(INDEX_op_orc_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a), tcgv_i64_arg(b)); }
static inline void tcg_gen_orci_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b)
{ tcg_gen_orc_i64(ret, a, tcg_constant_i64(b)); }
static inline void tcg_gen_shl_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{ tcg_gen_op3(INDEX_op_shl_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a), tcgv_i64_arg(b)); }
static inline void tcg_gen_shli_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b)
{ tcg_gen_shl_i64(ret, a, tcg_constant_i64(b)); }
static inline void tcg_gen_shr_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{ tcg_gen_op3(INDEX_op_shr_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a), tcgv_i64_arg(b)); }
static inline void tcg_gen_shri_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b)
{ tcg_gen_shr_i64(ret, a, tcg_constant_i64(b)); }
static inline void tcg_gen_sar_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{ tcg_gen_op3(INDEX_op_sar_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a), tcgv_i64_arg(b)); }
static inline void tcg_gen_sari_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b)
{ tcg_gen_sar_i64(ret, a, tcg_constant_i64(b)); }
static inline void tcg_gen_rotl_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{ tcg_gen_op3(INDEX_op_rotl_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a), tcgv_i64_arg(b)); }
static inline void tcg_gen_rotli_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b)
{ tcg_gen_rotl_i64(ret, a, tcg_constant_i64(b)); }
static inline void tcg_gen_rotr_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{ tcg_gen_op3(INDEX_op_rotr_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a), tcgv_i64_arg(b)); }
static inline void tcg_gen_rotri_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b)
{ tcg_gen_rotr_i64(ret, a, tcg_constant_i64(b)); }
static inline void tcg_gen_clz_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{ tcg_gen_op3(INDEX_op_clz_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a), tcgv_i64_arg(b)); }
static inline void tcg_gen_clzi_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b)
{ tcg_gen_clz_i64(ret, a, tcg_constant_i64(b)); }
static inline void tcg_gen_ctz_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{ tcg_gen_op3(INDEX_op_ctz_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a), tcgv_i64_arg(b)); }
static inline void tcg_gen_ctzi_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b)
{ tcg_gen_ctz_i64(ret, a, tcg_constant_i64(b)); }
static inline void tcg_gen_neg_i64(TCGv_i64 ret, TCGv_i64 a)
{ tcg_gen_op2(INDEX_op_neg_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a)); }
static inline void tcg_gen_not_i64(TCGv_i64 ret, TCGv_i64 a)
{ tcg_gen_op2(INDEX_op_not_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a)); }
static inline void tcg_gen_ext8s_i64(TCGv_i64 ret, TCGv_i64 a)
{ tcg_gen_op2(INDEX_op_ext8s_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a)); }
static inline void tcg_gen_ext8u_i64(TCGv_i64 ret, TCGv_i64 a)
{ tcg_gen_op2(INDEX_op_ext8u_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a)); }
static inline void tcg_gen_ext16s_i64(TCGv_i64 ret, TCGv_i64 a)
{ tcg_gen_op2(INDEX_op_ext16s_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a)); }
static inline void tcg_gen_ext16u_i64(TCGv_i64 ret, TCGv_i64 a)
{ tcg_gen_op2(INDEX_op_ext16u_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a)); }
static inline void tcg_gen_bswap16_i64(TCGv_i64 ret, TCGv_i64 a)
{ tcg_gen_op2(INDEX_op_bswap16_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a)); }
static inline void tcg_gen_bswap32_i64(TCGv_i64 ret, TCGv_i64 a)
{ tcg_gen_op2(INDEX_op_bswap32_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a)); }
static inline void tcg_gen_ctpop_i64(TCGv_i64 ret, TCGv_i64 a)
{ tcg_gen_op2(INDEX_op_ctpop_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a)); }
static inline void tcg_gen_mulu2_i64(TCGv_i64 rl, TCGv_i64 rh, TCGv_i64 a, TCGv_i64 b)
{ tcg_gen_op4(INDEX_op_mulu2_i64, tcgv_i64_arg(rl), tcgv_i64_arg(rh), tcgv_i64_arg(a), tcgv_i64_arg(b)); }
static inline void tcg_gen_muls2_i64(TCGv_i64 rl, TCGv_i64 rh, TCGv_i64 a, TCGv_i64 b)
{ tcg_gen_op4(INDEX_op_muls2_i64, tcgv_i64_arg(rl), tcgv_i64_arg(rh), tcgv_i64_arg(a), tcgv_i64_arg(b)); }
static inline void tcg_gen_add2_i64(TCGv_i64 rl, TCGv_i64 rh, TCGv_i64 al, TCGv_i64 ah,
                                   TCGv_i64 bl, TCGv_i64 bh)
{ tcg_gen_op6(INDEX_op_add2_i64, tcgv_i64_arg(rl), tcgv_i64_arg(rh), tcgv_i64_arg(al),
              tcgv_i64_arg(ah), tcgv_i64_arg(bl), tcgv_i64_arg(bh)); }
static inline void tcg_gen_sub2_i64(TCGv_i64 rl, TCGv_i64 rh, TCGv_i64 al, TCGv_i64 ah,
                                   TCGv_i64 bl, TCGv_i64 bh)
{ tcg_gen_op6(INDEX_op_sub2_i64, tcgv_i64_arg(rl), tcgv_i64_arg(rh), tcgv_i64_arg(al),
              tcgv_i64_arg(ah), tcgv_i64_arg(bl), tcgv_i64_arg(bh)); }
static inline void tcg_gen_deposit_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b,
                                      unsigned pos, unsigned len)
{ tcg_gen_op5(INDEX_op_deposit_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a), tcgv_i64_arg(b), pos, len); }
static inline void tcg_gen_extract_i64(TCGv_i64 ret, TCGv_i64 a, unsigned pos, unsigned len)
{ tcg_gen_op4(INDEX_op_extract_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a), pos, len); }
static inline void tcg_gen_sextract_i64(TCGv_i64 ret, TCGv_i64 a, unsigned pos, unsigned len)
{ tcg_gen_op4(INDEX_op_sextract_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a), pos, len); }
static inline void tcg_gen_setcond_i64(TCGCond c, TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{ tcg_gen_op4(INDEX_op_setcond_i64, tcgv_i64_arg(ret), tcgv_i64_arg(a), tcgv_i64_arg(b), c); }
static inline void tcg_gen_setcondi_i64(TCGCond c, TCGv_i64 ret, TCGv_i64 a, int64_t b)
{ tcg_gen_setcond_i64(c, ret, a, tcg_constant_i64(b)); }
static inline void tcg_gen_movcond_i64(TCGCond c, TCGv_i64 ret, TCGv_i64 c1, TCGv_i64 c2,
                                      TCGv_i64 v1, TCGv_i64 v2)
{ tcg_gen_op6(INDEX_op_movcond_i64, tcgv_i64_arg(ret), tcgv_i64_arg(c1), tcgv_i64_arg(c2),
              tcgv_i64_arg(v1), tcgv_i64_arg(v2), c); }
static inline void tcg_gen_brcond_i64(TCGCond c, TCGv_i64 a, TCGv_i64 b, TCGLabel *l)
{ tcg_gen_op4(INDEX_op_brcond_i64, tcgv_i64_arg(a), tcgv_i64_arg(b), c, label_arg(l)); }
static inline void tcg_gen_brcondi_i64(TCGCond c, TCGv_i64 a, int64_t b, TCGLabel *l)
{ tcg_gen_brcond_i64(c, a, tcg_constant_i64(b), l); }
static inline void tcg_gen_ld8u_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t off)
{ tcg_gen_op3(INDEX_op_ld8u_i64, tcgv_i64_arg(ret), tcgv_i64_arg(base), (TCGArg)off); }
static inline void tcg_gen_ld8s_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t off)
{ tcg_gen_op3(INDEX_op_ld8s_i64, tcgv_i64_arg(ret), tcgv_i64_arg(base), (TCGArg)off); }
static inline void tcg_gen_ld16u_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t off)
{ tcg_gen_op3(INDEX_op_ld16u_i64, tcgv_i64_arg(ret), tcgv_i64_arg(base), (TCGArg)off); }
static inline void tcg_gen_ld16s_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t off)
{ tcg_gen_op3(INDEX_op_ld16s_i64, tcgv_i64_arg(ret), tcgv_i64_arg(base), (TCGArg)off); }
static inline void tcg_gen_ld_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t off)
{ tcg_gen_op3(INDEX_op_ld_i64, tcgv_i64_arg(ret), tcgv_i64_arg(base), (TCGArg)off); }
static inline void tcg_gen_st8_i64(TCGv_i64 val, TCGv_ptr base, intptr_t off)
{ tcg_gen_op3(INDEX_op_st8_i64, tcgv_i64_arg(val), tcgv_i64_arg(base), (TCGArg)off); }
static inline void tcg_gen_st16_i64(TCGv_i64 val, TCGv_ptr base, intptr_t off)
{ tcg_gen_op3(INDEX_op_st16_i64, tcgv_i64_arg(val), tcgv_i64_arg(base), (TCGArg)off); }
static inline void tcg_gen_st_i64(TCGv_i64 val, TCGv_ptr base, intptr_t off)
{ tcg_gen_op3(INDEX_op_st_i64, tcgv_i64_arg(val), tcgv_i64_arg(base), (TCGArg)off); }

#endif
