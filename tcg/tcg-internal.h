/*
 * tcg-internal.h: interfaces between the pieces of tcg/ that are not part
 * of the public API: liveness, the register allocator and the x86-64
 * emitter it drives, the interpreter, and the code buffer.
 */
#ifndef TCG_INTERNAL_H
#define TCG_INTERNAL_H

#include "vireo/common.h"
#include "tcg/tcg.h"

/* Where a temp's value lives (TCGTemp.val_loc). */
enum {
    TEMP_VAL_DEAD,
    TEMP_VAL_REG,
    TEMP_VAL_MEM,
    TEMP_VAL_CONST,
};

/* An out-of-line guest memory slow path, emitted after the block body. */
typedef struct TCGSlowPath {
    bool is_ld;
    TCGType type;
    MemOpIdx oi;
    int data_reg;
    int addr_reg;
    uint32_t jcc_off;   /* offset of the rel32 of the jump into the slow path */
    uint32_t ret_off;   /* offset of the code after the fast path */
} TCGSlowPath;

/* Bits of TCGOp.life: argument i is dead after the op. */
#define TCG_LIFE_DEAD(i) (1u << (i))

/* liveness.c: annotates TCGOp.life, removes dead ops; live-out sets of
 * block-ending ops are kept for the register allocator. */
void tcg_liveness_analysis(TCGContext *s);
/* Frees the liveness results kept in s. */
void tcg_liveness_free(TCGContext *s);
/* Live-out bitset of op index i (a block-ending op), or NULL. */
const uint64_t *tcg_liveness_out(TCGContext *s, int i);
static inline bool tcg_bit_test(const uint64_t *set, int i)
{
    return set[i / 64] >> (i % 64) & 1;
}

/* regalloc.c: compiles the ops to x86-64 code: size, or -1 on overflow. */
int tcg_jit_gen_code(TCGContext *s, TranslationBlock *tb);
/* interp.c: compiles the ops to bytecode: size, or -1 on overflow. */
int tcg_interp_gen_code(TCGContext *s, TranslationBlock *tb);
/* interp.c: runs bytecode at code with env. */
uintptr_t tcg_interp_exec(void *env, const void *code);
/* x86_64.c: emits the shared prologue/epilogue at code: its size. */
size_t tcg_jit_gen_prologue(uint8_t *rw, uint8_t *rx);
/* x86_64.c: patches a chained jump's rel32 at rw (executable address rx). */
void tcg_jit_patch_jump(uint8_t *rw, uint8_t *rx, const void *target);

/* disas.c: writes the host code at code (size bytes) to the log. */
void tcg_log_disas(const void *code, size_t size);
/* disas.c: host code as text, one "mnemonic operands" per line: g_free it. */
char *tcg_disas_str(const void *code, size_t size);

struct TCGCPU;
/* exec.c: runs the code between them with no other vCPU in generated code
 * (self: the calling vCPU or NULL); begin returns what end needs. */
bool tcg_exclusive_begin(struct TCGCPU *self);
void tcg_exclusive_end(struct TCGCPU *self, bool was_running);

/* tb.c: the code buffer. */
typedef struct TCGCodeBuffer {
    uint8_t *rx;           /* executable view */
    uint8_t *rw;           /* writable view (== rx when RWX is allowed) */
    size_t size;
    size_t used;           /* bytes in use, from the start */
    size_t prologue_size;
    uintptr_t (*tb_exec)(void *env, const void *code);  /* JIT prologue */
    const void *epilogue_ret0;  /* code that returns 0 to the loop */
} TCGCodeBuffer;
extern TCGCodeBuffer tcg_code;

/* Converts an executable-view address to its writable view. */
static inline uint8_t *tcg_rx_to_rw(const void *rx)
{
    return (uint8_t *)rx + (tcg_code.rw - tcg_code.rx);
}
static inline const uint8_t *tcg_rw_to_rx(const void *rw)
{
    return (const uint8_t *)rw - (tcg_code.rw - tcg_code.rx);
}

#endif
