/*
 * helper-internal.h: the small pieces the run-time helpers share among
 * themselves (excp_helper.c, seg_helper.c, misc_helper.c, mmu.c):
 * descriptor fetch and decoding, stack pushes and pops through the MMU,
 * and the mode tests. Not for the translator or the exec loop.
 */
#ifndef TARGET_X86_HELPER_INTERNAL_H
#define TARGET_X86_HELPER_INTERNAL_H

#include "vireo/common.h"
#include "target-x86/cpu.h"
#include "target-x86/helper.h"

static inline unsigned x86_cpl(const X86CPUState *env)
{
    return env->hflags & HF_CPL_MASK;
}

static inline bool x86_pe(const X86CPUState *env)
{
    return env->cr[0] & CR0_PE;
}

static inline bool x86_vm86(const X86CPUState *env)
{
    return x86_pe(env) && (env->eflags & VM_MASK);
}

static inline bool x86_long_mode(const X86CPUState *env)
{
    return env->efer & EFER_LMA;
}

static inline bool x86_code64(const X86CPUState *env)
{
    return env->hflags & HF_CS64_MASK;
}

/* A waiting x87 or MMX instruction at ra checks FSW.ES (fpu_helper.c):
 * returns when nothing is pending or IGNNE# lets it go on; else raises #MF
 * (CR0.NE set) or asserts FERR# and freezes before the instruction. */
void x86_fpu_check_pending(X86CPUState *env, uintptr_t ra);
/* Deasserts FERR# once FSW.ES is clear (after FNCLEX, FNINIT, FLDENV...). */
void x86_fpu_update_ferr(X86CPUState *env);

/* MMU index for the supervisor accesses the processor itself makes
 * (descriptor tables, TSS, stacks of an interrupt to ring 0). SMAP checks
 * them at CPL 3 whatever EFLAGS.AC says, at CPL 0-2 as explicit accesses
 * (SDM Vol.3 4.6.1). */
static inline unsigned x86_sup_mmu(const X86CPUState *env)
{
    if (!(env->cr[0] & CR0_PG)) {
        return X86_MMU_PHYS;
    }
    return x86_cpl(env) == 3 ? X86_MMU_KERNEL : x86_mmu_index(env);
}

/* Decoded descriptor (SDM Vol.3 3.4.5). */
static inline uint64_t x86_desc_base(uint32_t e1, uint32_t e2)
{
    return (e1 >> 16) | ((e2 & 0xff) << 16) | (e2 & 0xff000000u);
}

static inline uint32_t x86_desc_limit(uint32_t e1, uint32_t e2)
{
    uint32_t limit = (e1 & 0xffff) | (e2 & 0x000f0000u);
    return (e2 & DESC_G_MASK) ? (limit << 12) | 0xfff : limit;
}

static inline unsigned x86_desc_dpl(uint32_t e2)
{
    return (e2 >> DESC_DPL_SHIFT) & 3;
}

/* The type bits of non-system descriptors (DESC_CS_MASK..) are in cpu.h. */

/* Reads the 8-byte descriptor for selector from the GDT or LDT:
 * 0, or -1 when the selector is beyond the table limit. */
int x86_load_desc(X86CPUState *env, uint32_t selector, uint32_t *e1,
                  uint32_t *e2, uintptr_t ra);
/* Writes back the descriptor's high dword with the accessed bit set. */
void x86_set_desc_accessed(X86CPUState *env, uint32_t selector, uint32_t e2,
                           uintptr_t ra);
/* Loads a segment cache from a descriptor pair. */
void x86_seg_load_desc(X86CPUState *env, int seg, uint32_t selector,
                       uint32_t e1, uint32_t e2);
/* Stack pointer mask of the current SS (0xffff or 0xffffffff, or all
 * ones in 64-bit mode). */
uint64_t x86_sp_mask(const X86CPUState *env);

/* A stack cursor: pushes and pops through the MMU without touching
 * env->regs[R_ESP] until the caller commits. */
typedef struct X86Stack {
    uint64_t base;   /* SS base (0 in 64-bit mode) */
    uint64_t sp;
    uint64_t mask;
    unsigned mmu;
    uintptr_t ra;
    /* Limit checks outside 64-bit mode (check set): the stack segment's
     * limit and attributes, and the #SS error code (0 for the current
     * stack, the selector of a new one). */
    bool check;
    uint32_t limit, flags;
    uint16_t err;
} X86Stack;

/* Raises #SS(st->err) unless [off, off + size) lies within the stack
 * segment (SDM Vol.3 5.3, expand-down included); returns otherwise. */
void x86_stack_limit_check(X86CPUState *env, const X86Stack *st, uint64_t off,
                           unsigned size);
/* Points st at the top of the stack segment of descriptor (sel, e1, e2)
 * with limit checks, #SS(sel) on a fault; sp is set by the caller. */
void x86_stack_from_desc(X86Stack *st, uint32_t sel, uint32_t e1, uint32_t e2);

static inline void x86_push(X86CPUState *env, X86Stack *st, uint64_t val,
                            unsigned size)
{
    st->sp = (st->sp - size) & st->mask;
    if (st->check) {
        x86_stack_limit_check(env, st, st->sp, size);
    }
    x86_st(env, st->base + st->sp, val, size, st->mmu, st->ra);
}

static inline uint64_t x86_pop(X86CPUState *env, X86Stack *st, unsigned size)
{
    uint64_t v;

    if (st->check) {
        x86_stack_limit_check(env, st, st->sp, size);
    }
    v = x86_ld(env, st->base + st->sp, size, st->mmu, st->ra);
    st->sp = (st->sp + size) & st->mask;
    return v;
}

/* Writes sp back into RSP/ESP/SP according to mask (other bits kept). */
static inline void x86_set_sp(X86CPUState *env, uint64_t sp, uint64_t mask)
{
    if (mask == 0xffff) {
        env->regs[R_ESP] = (env->regs[R_ESP] & ~0xffffULL) | (sp & 0xffff);
    } else if (mask == 0xffffffffu) {
        env->regs[R_ESP] = (uint32_t)sp;
    } else {
        env->regs[R_ESP] = sp;
    }
}

/* The stack cursor for the current SS:rSP. */
static inline X86Stack x86_cur_stack(X86CPUState *env, uintptr_t ra)
{
    X86Stack st;
    st.mask = x86_sp_mask(env);
    st.base = x86_code64(env) ? 0 : env->segs[R_SS].base;
    st.sp = env->regs[R_ESP] & st.mask;
    st.mmu = x86_mmu_index(env);
    st.ra = ra;
    st.check = !x86_code64(env);
    st.limit = env->segs[R_SS].limit;
    st.flags = env->segs[R_SS].flags;
    st.err = 0;
    return st;
}

/* Sets EFLAGS bits within mask from val (the lazy flags are folded first). */
void x86_write_eflags_masked(X86CPUState *env, uint64_t val, uint64_t mask);

/* What started a task switch (SDM Vol.3 Table 7-2). */
typedef enum X86TaskSource { X86_TASK_JMP, X86_TASK_CALL, X86_TASK_IRET } X86TaskSource;
/* Switches to the task of the 32-bit TSS descriptor (sel, e1, e2); the
 * old task resumes at next_eip. Faults unwind with ra. */
void x86_task_switch(X86CPUState *env, uint32_t sel, uint32_t e1, uint32_t e2,
                     X86TaskSource source, uint64_t next_eip, uintptr_t ra);
/* Far JMP/CALL to a TSS descriptor or a task gate (privilege checks first). */
void x86_task_switch_far(X86CPUState *env, uint32_t sel, uint32_t e1, uint32_t e2,
                         X86TaskSource source, uint64_t next_eip, uintptr_t ra);
/* IRET with NT set: switches back to the linked task. */
void x86_task_return(X86CPUState *env, uint64_t next_eip, uintptr_t ra);

/* Clears the TLB and jump cache when paging-relevant state changed. */
void x86_update_mmu_mode(X86CPUState *env);

/* The SSSE3 (n = 8 or 16 bytes) and SSE4.1 (n = 16) lane operation m on d
 * and s (sse4_helper.c); xmm0 is the BLENDV mask. False if m is not one. */
bool x86_sse4_lane_op(const XMMReg *xmm0, unsigned m, XMMReg *d, const XMMReg *s,
                      unsigned imm, unsigned n);

#endif
