/*
 * x86_64.h: the contract between the register allocator (regalloc.c) and
 * the x86-64 emitter (x86_64.c): host registers, per-op operand
 * constraints, and the small emitters the allocator calls to move values.
 */
#ifndef TCG_X86_64_H
#define TCG_X86_64_H

#include "tcg-internal.h"

enum {
    TCG_REG_RAX, TCG_REG_RCX, TCG_REG_RDX, TCG_REG_RBX,
    TCG_REG_RSP, TCG_REG_RBP, TCG_REG_RSI, TCG_REG_RDI,
    TCG_REG_R8, TCG_REG_R9, TCG_REG_R10, TCG_REG_R11,
    TCG_REG_R12, TCG_REG_R13, TCG_REG_R14, TCG_REG_R15,
    TCG_NB_REGS,
};

#define TCG_AREG0 TCG_REG_RBP   /* env, for the whole of generated code */
#define TCG_TMP0 TCG_REG_R11    /* scratch of the emitter, never allocated */
#define TCG_TMP1 TCG_REG_R10    /* second scratch */
#define REGBIT(r) (1u << (r))
#define TCG_CALL_CLOBBERED \
    (REGBIT(TCG_REG_RAX) | REGBIT(TCG_REG_RCX) | REGBIT(TCG_REG_RDX) | \
     REGBIT(TCG_REG_RSI) | REGBIT(TCG_REG_RDI) | REGBIT(TCG_REG_R8) | \
     REGBIT(TCG_REG_R9) | REGBIT(TCG_REG_R10) | REGBIT(TCG_REG_R11))
#define TCG_ALLOCATABLE \
    (0xffffu & ~(REGBIT(TCG_REG_RSP) | REGBIT(TCG_REG_RBP) | \
                 REGBIT(TCG_TMP0) | REGBIT(TCG_TMP1)))

/* Bytes below the prologue's pushes: one 8-byte slot per temp (at
 * rsp + 8 * index) and padding that keeps calls 16-byte aligned. */
#define TCG_FRAME_SIZE (TCG_MAX_TEMPS * 8 + 8)

enum {
    CT_CONST = 1,     /* a constant fitting a sign-extended imm32 is fine */
};

typedef struct TCGArgCt {
    uint16_t regs;    /* allowed registers */
    uint8_t flags;    /* CT_* */
} TCGArgCt;

typedef struct TCGTargetOpCt {
    TCGArgCt args[TCG_MAX_OP_ARGS];
    uint16_t clobber; /* registers destroyed by the op's code */
} TCGTargetOpCt;

extern const int tcg_call_arg_regs[6];
extern bool tcg_host_has_popcnt;

/* Operand constraints of an ordinary op (not call, branch, or exit). */
void tcg_target_op_ct(TCGOpcode opc, TCGTargetOpCt *ct);
/* Emits an ordinary op with registers (or constants) already assigned. */
void tcg_out_op(TCGContext *s, TCGOpcode opc, const TCGArg *args,
                const bool *const_args);
/* dst = src (nothing when they are the same register). */
void tcg_out_mov(TCGContext *s, TCGType type, int dst, int src);
/* dst = src zero-extended from 32 bits (emitted even when dst == src). */
void tcg_out_ext32u(TCGContext *s, int dst, int src);
/* reg = val, in the shortest encoding (may clobber the flags). */
void tcg_out_movi(TCGContext *s, TCGType type, int reg, int64_t val);
/* reg = [base + off] / [base + off] = reg, of the type's size. */
void tcg_out_ld(TCGContext *s, TCGType type, int reg, int base, intptr_t off);
void tcg_out_st(TCGContext *s, TCGType type, int reg, int base, intptr_t off);
/* Calls func (rel32 when in reach, else through the scratch register). */
void tcg_out_call(TCGContext *s, const void *func);
/* Jumps to l; conditional form compares a with b (register or imm32). */
void tcg_out_br(TCGContext *s, TCGLabel *l);
void tcg_out_brcond(TCGContext *s, TCGType type, TCGCond c, int a, TCGArg b,
                    bool b_const, TCGLabel *l);
/* Places l here and patches the jumps already emitted to it. */
void tcg_out_label(TCGContext *s, TCGLabel *l);
/* Returns val to the exec loop through the epilogue. */
void tcg_out_exit_tb(TCGContext *s, uintptr_t val);
/* A patchable jump for chaining slot n, recorded in tb. */
void tcg_out_goto_tb(TCGContext *s, TranslationBlock *tb, int n);
/* Jumps to the host address in reg. */
void tcg_out_goto_ptr(TCGContext *s, int reg);
/* A full memory barrier. */
void tcg_out_mb(TCGContext *s);
/* Emits the queued guest-memory slow paths: false on buffer overflow. */
bool tcg_out_slow_paths(TCGContext *s);
/* True when an i64 constant fits a sign-extended imm32. */
static inline bool tcg_fits_imm32(int64_t v) { return v == (int32_t)v; }

#endif
