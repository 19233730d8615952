/*
 * translate.h: what the x86 translator's files share. translate.c owns the
 * block loop, operand fetch and writeback, lazy-flag bookkeeping and
 * branches; translate-alu.c, translate-string.c and translate-system.c
 * hold the gen_MNEMONIC functions of their instruction families. Every
 * gen_ function emits IR for the decoded instruction in s->insn and
 * returns nothing; one that cannot handle a form calls gen_unimp().
 */
#ifndef TARGET_X86_TRANSLATE_H
#define TARGET_X86_TRANSLATE_H

#include "vireo/common.h"
#include "tcg/tcg.h"
#include "tcg/tcg-op.h"
#include "tcg/tb.h"
#include "target-x86/cpu.h"
#include "target-x86/decode.h"
#include "target-x86/helper.h"

/* Translation-block flags beyond the HF_* bits (x86_get_tb_cpu_state). */
#define X86_TB_FLAG_TF (1u << 30)  /* EFLAGS.TF: one instruction, then #DB */
#define X86_TB_FLAG_TS (1u << 29)  /* CR0.TS: x87/SSE instructions raise #NM */
#define X86_TB_FLAG_EM (1u << 28)  /* CR0.EM: x87 #NM, SSE #UD */
#define X86_TB_FLAG_OSFXSR (1u << 27) /* CR4.OSFXSR: SSE instructions allowed */
/* Run-time segment checks (limit, type, null; HF_SEGCHK* in cpu.h): for
 * CS/DS/ES/SS, for FS, for GS. They pass through from hflags. */
#define X86_TB_FLAG_SEGCHK HF_SEGCHK_MASK
#define X86_TB_FLAG_SEGCHK_FS HF_SEGCHK_FS_MASK
#define X86_TB_FLAG_SEGCHK_GS HF_SEGCHK_GS_MASK
#define X86_TB_FLAG_PG (1u << 31)  /* CR0.PG: selects the MMU index */
#define X86_TB_FLAG_DEBUG_STEP (1u << 25) /* gdb single step: one instruction, then stop */
#define X86_TB_FLAG_ONE_INSN (1u << 24)   /* watchpoints set: one instruction per block,
                                           * so a hit stops right after its instruction */
#define X86_TB_FLAG_DR_INSN0 (1u << 16) /* bits 16-19: DR7 enables an instruction
                                         * breakpoint in DR0..DR3: compare each pc */
#define X86_TB_FLAG_DR_TRAP (1u << 20)  /* DR7 enables a data or I/O breakpoint: trap
                                         * check after the instruction (comes with
                                         * X86_TB_FLAG_ONE_INSN) */
#define X86_TB_FLAG_RF (1u << 21)       /* EFLAGS.RF: the first instruction skips the
                                         * breakpoint check and clears RF; one per block */
#define X86_TB_FLAG_SMAP_AC (1u << 22)  /* CR4.SMAP, CPL < 3 and EFLAGS.AC: explicit
                                         * accesses use X86_MMU_KERNEL_AC */

/* Blocks with any of these flags leave to the execution loop after their
 * instruction (interrupt shadow, single step, watchpoints, and the
 * one-instruction block EFLAGS.RF starts): no chaining and no next-block
 * lookup from generated code. */
#define X86_TB_FLAGS_EXIT_TO_LOOP (HF_INHIBIT_IRQ_MASK | X86_TB_FLAG_TF | \
                                   X86_TB_FLAG_DEBUG_STEP | X86_TB_FLAG_ONE_INSN | \
                                   X86_TB_FLAG_RF)

/* How the block ends after the current instruction. */
typedef enum DisasJump {
    DISAS_NEXT,       /* keep translating */
    DISAS_END_NOJMP,  /* end the block: state changed, look the next one up */
    DISAS_NORETURN,   /* the instruction already left (exception, jump) */
} DisasJump;

typedef struct DisasContext {
    X86CPUState *env;
    TranslationBlock *tb;
    uint64_t cs_base;
    uint64_t pc;          /* linear address of the current instruction */
    uint64_t eip;         /* its offset in CS */
    uint64_t next_eip;    /* offset of the following instruction */
    uint32_t flags;       /* tb->flags (HF_* bits) */
    unsigned cpl;
    bool pe, vm86, code64, addseg;
    unsigned mmu_idx;
    unsigned code_size;   /* 2, 4 or 8: default operand size of CS */
    unsigned stack_size;  /* 2, 4 or 8: SS.B / 64-bit mode */
    int cc_op;            /* cc_op known at translation time, or CC_OP_DYNAMIC */
    bool cc_op_dirty;     /* cc_op not yet stored to env */
    X86Insn insn;
    TCGv_i64 A0;          /* linear address of the memory operand, once computed */
    unsigned A0_acc;      /* X86_SEGACC_* already checked for A0 */
    DisasJump is_jmp;
    int num_insns;
    int jmp_slot;         /* next goto_tb slot (0, 1; 2 = none left) */
    uint64_t features;    /* decoder feature set from the CPUID model */
} DisasContext;

/* IR globals: general registers and the lazy-flag operands. */
extern __thread TCGv_i64 cpu_regs[16];
extern __thread TCGv_i64 cpu_cc_dst, cpu_cc_src, cpu_cc_src2;

/* ---- translate.c: infrastructure ---- */

/* Calls a helper with env first; ret may be NULL. Args are i64 temps. */
void gen_helper(const TCGHelperInfo *info, TCGv_i64 ret, int nargs, ...);
/* A new per-block i64 temp / a constant. */
TCGv_i64 tmp64(void);
TCGv_i64 const64(int64_t v);

/* Records the cc_op now in force; stores it lazily. */
void set_cc_op(DisasContext *s, int op);
/* Stores a pending cc_op to env (before helpers and block exits). */
void gen_update_cc_op(DisasContext *s);
/* Sets lazy flags: op family (CC_OP_ADDB etc., size added), dst, src. */
void gen_set_flags(DisasContext *s, int op_base, unsigned size, TCGv_i64 dst,
                   TCGv_i64 src);
/* Folds the lazy flags into env->eflags (cc_op becomes CC_OP_EFLAGS). */
void gen_materialize_flags(DisasContext *s);
/* Computes CF (0/1) into a new temp. */
TCGv_i64 gen_get_cf(DisasContext *s);
/* Computes condition cond (0..15) as 0/1 into a new temp. */
TCGv_i64 gen_cond_value(DisasContext *s, unsigned cond);

/* Operand access through the decoded operand descriptors. */
TCGv_i64 gen_ld_op(DisasContext *s, const X86Operand *op);
void gen_st_op(DisasContext *s, const X86Operand *op, TCGv_i64 val);
/* Effective address (offset in segment) of a memory operand. */
TCGv_i64 gen_ea(DisasContext *s, const X86MemOperand *m);
/* Linear address of seg:offset (segment base added when needed). */
TCGv_i64 gen_linear(DisasContext *s, int seg, TCGv_i64 offset);
/* How an instruction uses a memory operand, for the segment type checks. */
enum {
    X86_SEGACC_R = 1,    /* read */
    X86_SEGACC_W = 2,    /* written */
    X86_SEGACC_RW = 3,   /* read, then written (read-modify-write) */
};
/* Linear address of seg:offset after the segment checks for an access of
 * acc (X86_SEGACC_*) to [offset, offset + size): null selector, type and
 * limit (SDM Vol.3 5.3-5.5); #GP(0), or #SS(0) through SS, at run time.
 * Emits no check while the segment is flat and usable (the block flags). */
TCGv_i64 gen_linear_acc(DisasContext *s, int seg, TCGv_i64 offset, unsigned size,
                        unsigned acc);
/* Same as gen_linear_acc with X86_SEGACC_R (a read). */
TCGv_i64 gen_linear_sz(DisasContext *s, int seg, TCGv_i64 offset, unsigned size);
/* The linear address of the instruction's memory operand op, computed once
 * (s->A0) with the checks for acc; a later access of another kind is
 * checked for its type too (the limit was checked). */
TCGv_i64 gen_mem_addr(DisasContext *s, const X86Operand *op, unsigned acc);
/* Guest memory access at a linear address. */
TCGv_i64 gen_ld_mem(DisasContext *s, TCGv_i64 addr, unsigned size);
void gen_st_mem(DisasContext *s, TCGv_i64 addr, TCGv_i64 val, unsigned size);
/* Reads / writes a GPR with x86 partial-register rules (size 1, 2, 4, 8). */
TCGv_i64 gen_ld_reg(int reg, unsigned size, bool high8);
void gen_st_reg(int reg, unsigned size, bool high8, TCGv_i64 val);
/* Zero- / sign-extends val from size bytes into a new temp. */
TCGv_i64 gen_extu(TCGv_i64 val, unsigned size);
TCGv_i64 gen_exts(TCGv_i64 val, unsigned size);

/* Stack. */
void gen_push(DisasContext *s, TCGv_i64 val, unsigned size);
TCGv_i64 gen_pop_value(DisasContext *s, unsigned size);
void gen_pop_commit(DisasContext *s, unsigned size);
unsigned gen_stack_opsize(DisasContext *s);

/* Control flow. */
void gen_jmp_eip(DisasContext *s, uint64_t eip);
void gen_jmp_dyn(DisasContext *s, TCGv_i64 eip);
/* Leaves the block for a lookup of the next one (rip already stored);
 * with EFLAGS.TF, raises the single-step #DB instead. */
void gen_exit_lookup(DisasContext *s);
void gen_jcc(DisasContext *s, TCGv_i64 cond01, uint64_t target);
void gen_store_rip(DisasContext *s, uint64_t eip);
void gen_exception(DisasContext *s, int vec);
void gen_exception_err(DisasContext *s, int vec, int err);
void gen_unimp(DisasContext *s);
/* Masks an eip to the operand size of the branch. */
uint64_t mask_eip(DisasContext *s, uint64_t eip);

/* ---- per-family translators; each returns true if it handled insn ---- */
bool translate_alu(DisasContext *s);
bool translate_string(DisasContext *s);
bool translate_system(DisasContext *s);
bool translate_fpu(DisasContext *s);
bool translate_sse(DisasContext *s);
/* SSE4.2 (translate-sse42.c); translate_sse calls it first. */
bool translate_sse42(DisasContext *s);
/* Emits #UD or #NM when CR0/CR4 forbid SSE instructions: true if it did. */
bool gen_sse_unavailable(DisasContext *s);
/* Loads the 16-byte memory operand op into the XMMReg at env offset off
 * (#GP(0) first when aligned and the address is not 16-byte aligned). */
void gen_sse_load_m128(DisasContext *s, const X86Operand *op, intptr_t off, bool aligned);

/* Defines hi_NAME, the call descriptor of helper_NAME (i64 result if ret). */
#define HELPER(nm, fl, ret) \
    static const TCGHelperInfo hi_##nm = { \
        .func = (void *)helper_##nm, .name = #nm, .flags = (fl), \
        .has_ret = (ret), .ret_type = TCG_TYPE_I64 }

/* Helper infos shared by the translator files. */
extern const TCGHelperInfo hi_raise_exception, hi_raise_exception_err;

#endif
