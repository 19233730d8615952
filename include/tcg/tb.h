/*
 * tb.h: translation blocks, the translation cache and the execution loop.
 *
 * A TranslationBlock is the compiled form of a run of guest instructions,
 * keyed by (physical pc, pc, cs_base, flags). The cache finds blocks by
 * physical pc (hash table) and by virtual pc (a per-CPU jump cache),
 * patches direct jumps between blocks (chaining), unlinks them again, and
 * invalidates blocks that overlap a physical range written by the guest
 * or by DMA. tcg_cpu_exec is the loop that ties it together with the
 * target's hooks (TCGTargetHooks), which the x86 front end fills in.
 */
#ifndef TCG_TB_H
#define TCG_TB_H

#include "vireo/common.h"
#include <setjmp.h>
#include <stdio.h>
#include "tcg/tcg.h"

/* Low bits of the value host code returns to the exec loop. */
enum {
    TB_EXIT_IDX0 = 0,      /* left through goto_tb slot 0: may chain */
    TB_EXIT_IDX1 = 1,      /* left through goto_tb slot 1: may chain */
    TB_EXIT_NOCHAIN = 2,   /* plain exit: look the next block up */
    TB_EXIT_REQUESTED = 3, /* the block saw an exit request: return to loop */
    TB_EXIT_MASK = 3,
};

struct TranslationBlock {
    uint64_t pc;          /* guest virtual pc of the first instruction */
    uint64_t cs_base;
    uint32_t flags;       /* CPU mode bits that change decoding */
    uint32_t size;        /* guest bytes covered */
    uint32_t max_insns;   /* translation limit requested by the loop */
    uint64_t page_addr[2];/* physical pages covered; [1] is -1 if one page */
    uint64_t phys_pc;
    void *tc_ptr;         /* host code (executable view) */
    uint32_t tc_size;
    TCGBackend backend;   /* which backend produced tc_ptr */
    bool invalid;
    /* chaining: slot n's rel32 field and the code after it (unchained) */
    uint32_t jmp_insn_offset[2];
    uint32_t jmp_reset_offset[2];
    bool jmp_present[2];
    TranslationBlock *jmp_dest[2];
    GPtrArray *jmp_incoming; /* (TranslationBlock * | slot) chained into us */
    TranslationBlock *hash_next;
    /* search pc: code offset and target data of each guest instruction */
    uint32_t n_insns;
    uint32_t *insn_off;
    uint64_t (*insn_data)[TCG_INSN_START_WORDS];
};

typedef struct TCGCPU TCGCPU;

/* What the target provides to the loop (target-x86 fills these in). */
typedef struct TCGTargetHooks {
    /* The state that selects a block: virtual pc, cs_base, mode flags. */
    void (*get_tb_cpu_state)(void *env, uint64_t *pc, uint64_t *cs_base,
                             uint32_t *flags);
    /* Physical address of a code fetch at pc, or -1 after setting the
     * vCPU's exception_index for the fault (the loop then delivers it
     * through handle_exception). Must not unwind. */
    int64_t (*get_phys_code)(void *env, uint64_t pc);
    /* Emits IR for the block starting at tb->pc (tcg_func_start done);
     * sets tb->size. At most tb->max_insns instructions. Must not unwind:
     * if a later instruction's fetch would fault, end the block before it. */
    void (*translate)(void *env, TranslationBlock *tb);
    /* Before each block the loop starts (not between chained blocks: an
     * interrupt must also set exit_request): take a pending interrupt.
     * true: the state changed. */
    bool (*exec_interrupt)(void *env, TCGCPU *cpu);
    /* Delivers cpu->exception_index (from a helper or get_phys_code):
     * returns -1 to continue running, or a value tcg_cpu_exec returns. */
    int (*handle_exception)(void *env, TCGCPU *cpu);
    /* Restores the guest state of the instruction with this insn_start data
     * (for precise exceptions from inside a block). */
    void (*restore_state)(void *env, TranslationBlock *tb, const uint64_t *data);
    /* Optional: translated code now covers physical page phys_page. The
     * target must make guest writes to it take the slow path (TLB entries
     * with TLB_NOTDIRTY) so that they can invalidate the code first. */
    void (*code_page_added)(void *env, uint64_t phys_page);
    /* Optional: prints the registers (-d cpu, before each block the loop
     * starts; add -d nochain to see every block). */
    void (*dump_state)(void *env, FILE *out);
} TCGTargetHooks;

#define TB_JMP_CACHE_BITS 12
#define TB_JMP_CACHE_SIZE (1u << TB_JMP_CACHE_BITS)

/*
 * The physical page of a virtual code page, as get_phys_code found it for
 * a block lookup, remembered with the same lifetime as the jump cache
 * (forgotten by tcg_cpu_jmp_cache_clear, i.e. on every TLB flush): a
 * jump-cache miss then needs no page walk to find the block's hash key.
 * Valid when gen equals the vCPU's code_page_gen.
 */
#define TB_CODE_PAGE_BITS 8
#define TB_CODE_PAGE_SIZE (1u << TB_CODE_PAGE_BITS)
typedef struct TBCodePage {
    uint64_t vpage;
    uint64_t ppage;
    uint32_t flags;          /* the block flags it was looked up with */
    uint32_t gen;
} TBCodePage;

/* Per-vCPU TCG execution state. */
struct TCGCPU {
    void *env;
    const TCGTargetHooks *hooks;
    TranslationBlock *jmp_cache[TB_JMP_CACHE_SIZE];
    TBCodePage code_pages[TB_CODE_PAGE_SIZE];
    uint32_t code_page_gen;
    sigjmp_buf jmp_env;
    int exception_index;     /* -1: none */
    volatile int exit_request;
    bool nochain;
    uint64_t slow_lookups;  /* tcg_helper_lookup_tb_ptr calls (inline-probe misses) */
    bool running;            /* may be inside generated code (exec.c) */
};

/* tcg_cpu_exec return values below 0x10000 are the loop's own. */
enum {
    TCG_EXEC_EXIT_REQUEST = 0x10000, /* exit_request was seen */
};

typedef struct TBStats {
    uint64_t tbs;            /* live blocks */
    uint64_t code_bytes;     /* bytes of code buffer in use */
    uint64_t translations;   /* blocks translated since start */
    uint64_t chained;        /* direct jumps patched */
    uint64_t flushes;
    uint64_t invalidations;  /* blocks invalidated */
    /* translation cost, summed over every translation since start */
    uint64_t guest_insns;    /* guest instructions translated */
    uint64_t ops_before;     /* IR ops the front end emitted (markers excluded) */
    uint64_t ops_after;      /* IR ops left after optimization and liveness */
    uint64_t host_bytes;     /* generated code (or bytecode) */
    uint64_t translate_ns;   /* host time spent translating */
} TBStats;

/*
 * Initializes the cache with a code buffer of code_size bytes: 0, or -1
 * with errp set. force_dual_map maps the buffer twice (writable view and
 * executable view) even if the host allows RWX pages.
 */
int tb_cache_init(size_t code_size, bool force_dual_map, GError **errp) VIREO_WUR;
/* Releases the cache and its code buffer. */
void tb_cache_destroy(void);

/* Registers a vCPU with the cache (for jump-cache flushing). */
void tcg_cpu_init(TCGCPU *cpu, void *env, const TCGTargetHooks *hooks);
/* Forgets the vCPU's virtual-pc jump cache (after a TLB flush). */
void tcg_cpu_jmp_cache_clear(TCGCPU *cpu);
/* Unregisters a vCPU. */
void tcg_cpu_destroy(TCGCPU *cpu);

/* Finds a valid block: the block, or NULL (a miss, or the code fetch
 * faulted: then cpu->exception_index is set by the target). */
TranslationBlock *tb_lookup(TCGCPU *cpu, uint64_t pc, uint64_t cs_base,
                            uint32_t flags);
/* Translates and inserts a block; flushes the cache when full: the block. */
TranslationBlock *tb_gen_code(TCGCPU *cpu, uint64_t pc, uint64_t cs_base,
                              uint32_t flags, int max_insns);
/* Patches tb's exit slot n to jump straight into next. */
void tb_add_jump(TranslationBlock *tb, int n, TranslationBlock *next);
/* Unchains every jump into and out of tb, and drops it from the cache. */
void tb_phys_invalidate(TranslationBlock *tb);
/* Invalidates every block overlapping guest physical [start, end): count. */
int tb_invalidate_phys_range(uint64_t start, uint64_t end);
/* True when translated code covers the physical page holding addr. */
bool tb_page_has_code(uint64_t addr);
/* Drops every block and resets the code buffer. Only when no vCPU can be
 * inside generated code; otherwise use tb_flush_safe. */
void tb_flush(void);
/* Flushes with every other vCPU kicked out of generated code and held
 * until it is done (self: the calling vCPU, or NULL from other threads). */
void tb_flush_safe(TCGCPU *self);
/* Number of flushes so far (the loop stops chaining across a flush). */
uint64_t tb_flush_count(void);
/* Current statistics. */
void tb_get_stats(TBStats *st);
/* Prints the statistics in a few lines on out. */
void tb_dump_stats(FILE *out);

/* Runs code at host address code with env in the env register:
 * (TranslationBlock * | TB_EXIT_*) or 0. */
uintptr_t tcg_tb_exec(void *env, TranslationBlock *tb);

/*
 * Runs guest code until the target's handle_exception returns a value
 * or exit_request is set: that value, or TCG_EXEC_EXIT_REQUEST.
 */
int tcg_cpu_exec(TCGCPU *cpu);

/* The vCPU running on this thread (inside tcg_cpu_exec), or NULL. */
extern __thread TCGCPU *current_tcg_cpu;

/* Maps a host return address inside a block to its instruction:
 * the block (with *insn set to the index), or NULL. */
TranslationBlock *tb_search_pc(uintptr_t retaddr, uint32_t *insn);
/* Restores the guest state of the instruction at retaddr: true if found. */
bool tcg_cpu_restore_state(TCGCPU *cpu, uintptr_t retaddr);
/* Leaves generated code for the exec loop (after setting exception_index). */
VIREO_NORETURN void tcg_cpu_loop_exit(TCGCPU *cpu);
/* Restores state at retaddr (if nonzero), then tcg_cpu_loop_exit. */
VIREO_NORETURN void tcg_cpu_loop_exit_restore(TCGCPU *cpu, uintptr_t retaddr);

/* The return address of a helper call into generated code: pass it to
 * tcg_cpu_restore_state. Works for both backends. */
extern __thread uintptr_t tcg_interp_retaddr;
#define TCG_GETPC() \
    (tcg_interp_retaddr ? tcg_interp_retaddr \
                        : (uintptr_t)__builtin_return_address(0))

/*
 * Helper for tcg_gen_lookup_and_goto_ptr: the host code of the block for
 * the CPU's current state, or the address that exits to the loop.
 */
const void *tcg_helper_lookup_tb_ptr(void *env);

#endif
