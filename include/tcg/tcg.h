/*
 * tcg.h: the TCG intermediate representation and the compiler context.
 *
 * A front end (target-x86/translate.c) describes one translation block as
 * a list of IR ops (built with the tcg_gen_* functions of tcg-op.h) on
 * typed temps. tcg_gen_code() then runs the optimizer, liveness and
 * register allocation and hands the result to the selected backend: x86-64
 * machine code or the portable interpreter's bytecode, both stored in the
 * code buffer. docs/tcg-ir.md is the specification of the IR.
 *
 * The context is per thread (tcg_ctx); a vCPU thread owns one.
 */
#ifndef TCG_TCG_H
#define TCG_TCG_H

#include "vireo/common.h"
#include <stdio.h>

/* Words of target data carried by each insn_start (word 0: guest pc). */
#define TCG_INSN_START_WORDS 2
#define TCG_MAX_TEMPS 1024
#define TCG_MAX_OPS 4096
#define TCG_MAX_LABELS 512
#define TCG_MAX_INSNS 512
#define TCG_MAX_OP_ARGS 10
#define TCG_MAX_HELPER_ARGS 6

/* Flags of an op definition (tcg-opc.h). */
enum {
    TCG_OPF_BB_END       = 1 << 0, /* ends a basic block (branch or label) */
    TCG_OPF_BB_EXIT      = 1 << 1, /* leaves the translation block */
    TCG_OPF_SIDE_EFFECTS = 1 << 2, /* never removed by dead-code elimination */
    TCG_OPF_CALL_CLOBBER = 1 << 3, /* may call out: clobbers call-saved regs */
    TCG_OPF_64BIT        = 1 << 4, /* value operands are i64 */
    TCG_OPF_NOT_PRESENT  = 1 << 5, /* handled by the core, not the backend */
};

typedef enum TCGOpcode {
#define DEF(name, oargs, iargs, cargs, flags) INDEX_op_##name,
#include "tcg/tcg-opc.h"
#undef DEF
    NB_OPS,
} TCGOpcode;

typedef struct TCGOpDef {
    const char *name;
    uint8_t nb_oargs, nb_iargs, nb_cargs, nb_args;
    uint8_t flags;
} TCGOpDef;

extern const TCGOpDef tcg_op_defs[NB_OPS];

typedef enum TCGType { TCG_TYPE_I32, TCG_TYPE_I64 } TCGType;

/* Temp kinds (docs/tcg-ir.md "Temps"). */
typedef enum TCGTempKind {
    TEMP_TB,     /* per-block temp: lives until the end of the block */
    TEMP_GLOBAL, /* a field of the CPU state at env + mem_offset */
    TEMP_FIXED,  /* the env pointer itself, pinned to a host register */
    TEMP_CONST,  /* a read-only constant, shared per value and type */
} TCGTempKind;

/* Comparison conditions; the U forms compare unsigned. */
typedef enum TCGCond {
    TCG_COND_NEVER, TCG_COND_ALWAYS,
    TCG_COND_EQ, TCG_COND_NE,
    TCG_COND_LT, TCG_COND_GE, TCG_COND_LE, TCG_COND_GT,
    TCG_COND_LTU, TCG_COND_GEU, TCG_COND_LEU, TCG_COND_GTU,
    TCG_COND_COUNT,
} TCGCond;

/* Guest memory access description: size, signedness (little-endian only). */
typedef enum MemOp {
    MO_8 = 0, MO_16 = 1, MO_32 = 2, MO_64 = 3,
    MO_SIZE = 3,
    MO_SIGN = 4,
    MO_UB = MO_8, MO_UW = MO_16, MO_UL = MO_32, MO_UQ = MO_64,
    MO_SB = MO_8 | MO_SIGN, MO_SW = MO_16 | MO_SIGN, MO_SL = MO_32 | MO_SIGN,
} MemOp;

/* A memop and an MMU index packed into one constant argument. */
typedef uint32_t MemOpIdx;
#define TCG_MMU_IDX_BITS 4
static inline MemOpIdx make_memop_idx(MemOp op, unsigned mmu_idx)
{
    return ((uint32_t)op << TCG_MMU_IDX_BITS) | mmu_idx;
}
static inline MemOp get_memop(MemOpIdx oi) { return (MemOp)(oi >> TCG_MMU_IDX_BITS); }
static inline unsigned get_mmuidx(MemOpIdx oi) { return oi & ((1u << TCG_MMU_IDX_BITS) - 1); }

/* Helper-call flags: what the helper promises not to do. */
enum {
    TCG_CALL_NO_READ_GLOBALS  = 1 << 0, /* globals need not be stored first */
    TCG_CALL_NO_WRITE_GLOBALS = 1 << 1, /* globals in host regs stay valid */
    TCG_CALL_NO_SIDE_EFFECTS  = 1 << 2, /* removable when its result is unused */
    TCG_CALL_NO_RWG = TCG_CALL_NO_READ_GLOBALS | TCG_CALL_NO_WRITE_GLOBALS,
    TCG_CALL_PURE = TCG_CALL_NO_RWG | TCG_CALL_NO_SIDE_EFFECTS,
};

/*
 * A helper: a C function taking up to 6 integer arguments (i32 values are
 * passed zero-extended in 64 bits) and returning void, a 32-bit or a 64-bit
 * integer. Define one static const instance per helper.
 */
typedef struct TCGHelperInfo {
    void *func;
    const char *name;
    unsigned flags;      /* TCG_CALL_* */
    bool has_ret;
    TCGType ret_type;
} TCGHelperInfo;

typedef uintptr_t TCGArg;

typedef struct TCGTemp {
    TCGType type;
    TCGTempKind kind;
    int index;
    int64_t val;          /* TEMP_CONST: the value (i32: sign-extended) */
    intptr_t mem_offset;  /* TEMP_GLOBAL: byte offset from env */
    const char *name;     /* globals only */
    bool allocated;       /* TEMP_TB: in use (not freed) */
    /* register allocator state */
    int8_t reg;           /* host register, or -1 */
    uint8_t val_loc;      /* TEMP_VAL_* in tcg-internal.h */
    bool mem_coherent;    /* memory copy equals the register copy */
} TCGTemp;

typedef struct TCGOp {
    uint16_t opc;
    uint8_t nb_oargs, nb_iargs; /* from tcg_op_defs, except for call */
    uint16_t life;              /* bit i: argument i dies at this op */
    TCGArg args[TCG_MAX_OP_ARGS];
} TCGOp;

typedef struct TCGLabel {
    int id;
    bool present;        /* set_label emitted */
    bool has_value;      /* backend: code offset known */
    uintptr_t value;     /* backend: code offset */
    GArray *relocs;      /* backend: offsets of rel32 fields to patch */
} TCGLabel;

typedef struct TranslationBlock TranslationBlock;

/* The backend that turns IR into something that runs. */
typedef enum TCGBackend {
    TCG_BACKEND_JIT,     /* x86-64 machine code */
    TCG_BACKEND_INTERP,  /* portable bytecode interpreter */
} TCGBackend;

/*
 * Guest-memory slow paths supplied by the target. They run when the
 * inline TLB check misses (or the entry has flag bits set): fill the TLB
 * or perform MMIO, or raise a guest exception by unwinding (retaddr, when
 * nonzero, identifies the faulting op for tcg_cpu_restore_state). slow_ld
 * returns the value zero-extended from the access size; slow_st receives
 * it zero-extended from the access size.
 */
typedef uint64_t (*TCGSlowLoad)(void *env, uint64_t addr, MemOpIdx oi,
                                uintptr_t retaddr);
typedef void (*TCGSlowStore)(void *env, uint64_t addr, uint64_t val,
                             MemOpIdx oi, uintptr_t retaddr);

/* How the target's CPU state is laid out, for generated code. */
typedef struct TCGTargetConfig {
    intptr_t tlb_offset;   /* offset of a TCGTLB (tcg/tlb.h) from env */
    intptr_t cpu_offset;   /* offset of the vCPU's TCGCPU (tcg/tb.h) from
                              env, for tcg_gen_tb_start's exit check */
    intptr_t jmp_cache_offset; /* offset from env of a pointer to the vCPU's
                              TCGCPU.jmp_cache (inline probe), 0: none */
    TCGSlowLoad slow_ld;
    TCGSlowStore slow_st;
} TCGTargetConfig;

typedef struct TCGContext {
    TCGTargetConfig cfg;
    TCGBackend backend;
    bool optimize;

    int nb_globals;             /* temps [0, nb_globals) are global/fixed */
    int nb_temps;
    TCGTemp temps[TCG_MAX_TEMPS];
    GHashTable *const_table[2]; /* value -> temp index, per type */

    int nb_ops;
    TCGOp ops[TCG_MAX_OPS];
    int nb_labels;
    TCGLabel labels[TCG_MAX_LABELS];
    int nb_insns;               /* insn_start ops emitted so far */
    int stat_ops_before;        /* tcg_gen_code: ops before / after the passes */
    int stat_ops_after;
    TCGLabel *exit_label;       /* tcg_gen_tb_start's early exit */

    /* code generation */
    TranslationBlock *tb;       /* the block being generated */
    uint8_t *code_buf;          /* start of this block's code (rw view) */
    uint8_t *code_ptr;          /* emission point (rw view) */
    uint8_t *code_end;          /* no emission at or past this point */
    uint32_t insn_off[TCG_MAX_INSNS];   /* code offset of each insn_start */
    uint64_t insn_data[TCG_MAX_INSNS][TCG_INSN_START_WORDS];
    struct TCGRegState *rs;     /* register allocator (JIT only) */
    struct TCGLiveness *live;   /* liveness results (liveness.c) */
    GArray *slow_paths;         /* out-of-line guest memory paths (JIT) */
} TCGContext;

/* The context of the current thread (set by tcg_context_new). */
extern __thread TCGContext *tcg_ctx;

/*
 * Typed handles for temps (distinct pointer types, so that i32 and i64
 * cannot be mixed up). A handle belongs to the context that made it: each
 * vCPU thread declares its globals in its own context.
 */
typedef struct TCGv_i32_d *TCGv_i32;
typedef struct TCGv_i64_d *TCGv_i64;
typedef TCGv_i64 TCGv_ptr;
/* The env temp: a pointer to the CPU state, pinned in a host register. */
extern __thread TCGv_ptr tcg_env;

static inline TCGTemp *tcgv_i32_temp(TCGv_i32 v) { return (TCGTemp *)v; }
static inline TCGTemp *tcgv_i64_temp(TCGv_i64 v) { return (TCGTemp *)v; }
static inline TCGv_i32 temp_tcgv_i32(TCGTemp *t) { return (TCGv_i32)t; }
static inline TCGv_i64 temp_tcgv_i64(TCGTemp *t) { return (TCGv_i64)t; }
static inline TCGTemp *arg_temp(TCGArg a) { return &tcg_ctx->temps[a]; }
static inline TCGArg temp_arg(TCGTemp *t) { return (TCGArg)t->index; }
static inline TCGLabel *arg_label(TCGArg a) { return &tcg_ctx->labels[a]; }

/* Creates this thread's context (and its env temp): the new context. */
TCGContext *tcg_context_new(const TCGTargetConfig *cfg, TCGBackend backend);
/* Frees a context made by tcg_context_new; clears tcg_ctx if it was current. */
void tcg_context_free(TCGContext *s);
/* Selects the backend used by later tcg_gen_code calls. */
void tcg_set_backend(TCGContext *s, TCGBackend backend);
/* Parses "jit" or "interp": 0 with *out set, or -1 with errp set. */
int tcg_backend_parse(const char *name, TCGBackend *out, GError **errp) VIREO_WUR;
/* True when this host can run the JIT backend. */
bool tcg_jit_available(void);

/* Declares a global at env + offset; call before any block, in every
 * vCPU thread's context in the same order: its handle. */
TCGv_i32 tcg_global_mem_new_i32(intptr_t offset, const char *name);
TCGv_i64 tcg_global_mem_new_i64(intptr_t offset, const char *name);

/* Starts a new block: forgets all ops, per-block temps and labels. */
void tcg_func_start(TCGContext *s);

/* A fresh per-block temp. Temps may be freed early to recycle indices. */
TCGv_i32 tcg_temp_new_i32(void);
TCGv_i64 tcg_temp_new_i64(void);
void tcg_temp_free_i32(TCGv_i32 t);
void tcg_temp_free_i64(TCGv_i64 t);
/* The shared read-only constant of that value (never write to it). */
TCGv_i32 tcg_constant_i32(int32_t val);
TCGv_i64 tcg_constant_i64(int64_t val);
TCGTemp *tcg_constant_internal(TCGType type, int64_t val);
/* A new label for brcond/br and one set_label in this block. */
TCGLabel *gen_new_label(void);

/* Appends a raw op (builders in tcg-op.h wrap this): the new op. */
TCGOp *tcg_emit_op(TCGOpcode opc, int nargs, const TCGArg *args);
/* True when the op buffer is nearly full: the front end should end the block. */
bool tcg_op_buf_full(void);

/* Appends one op in text form (no newline) to out. */
void tcg_dump_op(TCGContext *s, GString *out, const TCGOp *op);
/* Writes the block's ops in the text form of docs/tcg-ir.md to out. */
void tcg_dump_ops(TCGContext *s, FILE *out);
/* Same, into a newly allocated string (for tests): free with g_free. */
char *tcg_dump_ops_str(TCGContext *s);
/* Name of a condition ("eq", "ltu", ...). */
const char *tcg_cond_name(TCGCond c);

/* Runs the optimizer over the current ops (tcg_gen_code does this). */
void tcg_optimize(TCGContext *s);
/* Set whether tcg_gen_code optimizes (default on; tests turn it off). */
void tcg_set_optimize(TCGContext *s, bool on);

/*
 * Compiles the current ops for tb with the selected backend into the code
 * buffer at tb->tc_ptr: the code size in bytes, or -1 if the buffer is full
 * (the caller flushes the cache and retries).
 */
int tcg_gen_code(TCGContext *s, TranslationBlock *tb) VIREO_WUR;

/* Evaluates a one-output pure op on constant inputs (both backends). */
uint64_t tcg_eval_op(TCGOpcode opc, const uint64_t *in, const TCGArg *cargs);
/* Evaluates the two-output ops (mulu2, muls2, add2, sub2). */
void tcg_eval_op2(TCGOpcode opc, const uint64_t *in, uint64_t *out);
/* Evaluates a condition on two values of the given width. */
bool tcg_eval_cond(TCGCond c, uint64_t a, uint64_t b, bool is64);

#endif
