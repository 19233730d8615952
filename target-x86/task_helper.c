/*
 * task_helper.c: hardware task switching (SDM Vol.3 7.3) with 32-bit and
 * 16-bit (286) TSSs: JMP or CALL to a TSS descriptor or a task gate, an
 * interrupt or exception through a task gate (a nested CALL-like switch),
 * and IRET with NT set (return to the back-linked task). The current
 * state is saved into the old TSS in its own layout, the busy bits and
 * NT/back link are updated as the SDM's table 7-2 says, and the new
 * task's CR3 (32-bit TSS only), LDT, registers and segments are loaded; a
 * bad segment in the new TSS raises #TS in the context of the new task.
 */
#include "vireo/common.h"
#include "tcg/tb.h"
#include "target-x86/helper-internal.h"

/* The back link (both layouts) and CR3 (32-bit TSS only). */
enum { TSS_LINK = 0x00, TSS_CR3 = 0x1c, TSS_T = 0x64 };

/* Where a TSS keeps the task's state: width is the size of the EIP,
 * EFLAGS and general-register fields; segs holds ES, CS, SS, DS (then FS,
 * GS in a 32-bit TSS) every seg_stride bytes. */
typedef struct TssLayout {
    unsigned width, eip, eflags, regs, segs, seg_stride, nsegs, ldt, min_limit;
} TssLayout;

/* SDM Vol.3 Figure 7-2 (32-bit TSS) and Figure 7-10 (16-bit TSS). */
static const TssLayout tss32_layout = { 4, 0x20, 0x24, 0x28, 0x48, 4, 6, 0x60, 103 };
static const TssLayout tss16_layout = { 2, 0x0e, 0x10, 0x12, 0x22, 2, 4, 0x2a, 43 };

/* The layout of a TSS of descriptor type type (1/3: 16-bit, 9/11: 32-bit). */
static const TssLayout *tss_layout(unsigned type)
{
    return (type & 8) ? &tss32_layout : &tss16_layout;
}

#define TSS_BUSY (2u << DESC_TYPE_SHIFT)

static void set_busy(X86CPUState *env, uint32_t sel, bool busy, uintptr_t ra)
{
    uint64_t addr = env->gdt.base + (sel & ~7u) + 4;
    uint32_t e2 = x86_ld(env, addr, 4, x86_sup_mmu(env), ra);

    e2 = busy ? e2 | TSS_BUSY : e2 & ~TSS_BUSY;
    x86_st(env, addr, e2, 4, x86_sup_mmu(env), ra);
}

/* Loads one segment register of the new task; faults are #TS(sel). */
static void task_load_seg(X86CPUState *env, int seg, uint32_t sel, uintptr_t ra)
{
    uint32_t e1, e2;

    if (env->eflags & VM_MASK) {
        x86_seg_load_cache(env, seg, sel, (uint64_t)sel << 4, 0xffff,
                           DESC_P_MASK | DESC_S_MASK | DESC_A_MASK | DESC_W_MASK |
                           (3u << DESC_DPL_SHIFT) |
                           (seg == R_CS ? DESC_CS_MASK | DESC_R_MASK : 0));
        return;
    }
    if ((sel & 0xfffc) == 0) {
        if (seg == R_CS || seg == R_SS) {
            x86_raise_exception_err(env, EXCP_TS, sel & 0xfffc, ra);
        }
        x86_seg_load_cache(env, seg, sel, 0, 0, 0);
        return;
    }
    if (x86_load_desc(env, sel, &e1, &e2, ra) < 0 || !(e2 & DESC_S_MASK) ||
        (seg == R_CS && !(e2 & DESC_CS_MASK)) ||
        (seg == R_SS && ((e2 & DESC_CS_MASK) || !(e2 & DESC_W_MASK)))) {
        x86_raise_exception_err(env, EXCP_TS, sel & 0xfffc, ra);
    }
    if (!(e2 & DESC_P_MASK)) {
        x86_raise_exception_err(env, seg == R_SS ? EXCP_SS : EXCP_NP, sel & 0xfffc, ra);
    }
    x86_seg_load_desc(env, seg, sel, e1, e2);
}

/* Saves the outgoing task's state into its TSS, in the layout of that
 * TSS (SDM Vol.3 7.3 step 9; a 16-bit TSS keeps the low 16 bits, SDM 7.6). */
static void save_old_task(X86CPUState *env, uint64_t next_eip, bool clear_nt, uintptr_t ra)
{
    const TssLayout *l = tss_layout((env->tr.flags >> DESC_TYPE_SHIFT) & 15);
    uint64_t base = env->tr.base;
    unsigned mmu = x86_sup_mmu(env);
    uint64_t eflags = x86_eflags_get(env);

    if (clear_nt) {
        eflags &= ~(uint64_t)NT_MASK;
    }
    x86_st(env, base + l->eip, next_eip, l->width, mmu, ra);
    x86_st(env, base + l->eflags, eflags, l->width, mmu, ra);
    for (int i = 0; i < 8; i++) {
        x86_st(env, base + l->regs + i * l->width, env->regs[i], l->width, mmu, ra);
    }
    for (unsigned s = 0; s < l->nsegs; s++) {
        x86_st(env, base + l->segs + s * l->seg_stride, env->segs[s].selector, 2, mmu, ra);
    }
}

/* The new task's state as read from its TSS. */
typedef struct TaskState {
    uint32_t regs[8], segs[6], cr3, eip, eflags, ldt;
    bool trap;  /* the debug trap bit T (32-bit TSS only) */
} TaskState;

/*
 * Reads the new task's state from the TSS at base in layout l. A 16-bit
 * TSS has no CR3, FS or GS: paging stays, FS and GS become null (as
 * QEMU does; the SDM does not say); the upper halves of the general
 * registers are "modified" (SDM Vol.3 7.6): vireo sets them to all ones.
 */
static void read_new_task(X86CPUState *env, uint64_t base, const TssLayout *l, TaskState *t,
                          uintptr_t ra)
{
    unsigned mmu = x86_sup_mmu(env);
    uint32_t hi = l->width == 2 ? 0xffff0000u : 0;

    t->cr3 = l->width == 4 ? x86_ld(env, base + TSS_CR3, 4, mmu, ra) : 0;
    t->eip = x86_ld(env, base + l->eip, l->width, mmu, ra);
    t->eflags = x86_ld(env, base + l->eflags, l->width, mmu, ra);
    for (int i = 0; i < 8; i++) {
        t->regs[i] = hi | x86_ld(env, base + l->regs + i * l->width, l->width, mmu, ra);
    }
    for (int s = R_ES; s <= R_GS; s++) {
        t->segs[s] = (unsigned)s < l->nsegs
                     ? x86_ld(env, base + l->segs + s * l->seg_stride, 2, mmu, ra) : 0;
    }
    t->ldt = x86_ld(env, base + l->ldt, 2, mmu, ra);
    t->trap = l->width == 4 && (x86_ld(env, base + TSS_T, 2, mmu, ra) & 1);
}

void x86_task_switch(X86CPUState *env, uint32_t sel, uint32_t e1, uint32_t e2,
                     X86TaskSource source, uint64_t next_eip, uintptr_t ra)
{
    unsigned type = (e2 >> DESC_TYPE_SHIFT) & 15, mmu = x86_sup_mmu(env);
    uint64_t base = x86_desc_base(e1, e2);
    uint32_t limit = x86_desc_limit(e1, e2), old_sel = env->tr.selector;
    const TssLayout *l = tss_layout(type);
    TaskState t;

    if ((e2 & DESC_S_MASK) || (type & 5) != 1) {   /* types 1, 3, 9, 11 */
        x86_raise_exception_err(env, EXCP_GP, sel & 0xfffc, ra);
    }
    if (!(e2 & DESC_P_MASK)) {
        x86_raise_exception_err(env, EXCP_NP, sel & 0xfffc, ra);
    }
    if (limit < l->min_limit) {
        x86_raise_exception_err(env, EXCP_TS, sel & 0xfffc, ra);
    }
    read_new_task(env, base, l, &t, ra);

    helper_cc_materialize(env);
    save_old_task(env, next_eip, source == X86_TASK_IRET, ra);
    if (source == X86_TASK_JMP || source == X86_TASK_IRET) {
        set_busy(env, old_sel, false, ra);
    }
    if (source == X86_TASK_CALL) {
        x86_st(env, base + TSS_LINK, old_sel, 2, mmu, ra);
        t.eflags |= NT_MASK;
    }
    if (source != X86_TASK_IRET) {
        set_busy(env, sel, true, ra);
    }

    /* Commit: from here on faults belong to the new task. */
    env->tr = (SegmentCache){ (uint16_t)sel, base, limit, (e2 & 0x00f0ff00u) | TSS_BUSY };
    env->cr[0] |= CR0_TS;
    if ((env->cr[0] & CR0_PG) && l->width == 4) {    /* no CR3 in a 16-bit TSS */
        env->cr[3] = t.cr3;
        x86_tlb_flush(env);
    }
    x86_eflags_set(env, t.eflags | 2);
    env->rip = t.eip;
    for (int i = 0; i < 8; i++) {
        env->regs[i] = t.regs[i];
    }
    for (int s = R_ES; s <= R_GS; s++) {
        env->segs[s].selector = t.segs[s];
    }
    env->ldt = (SegmentCache){ (uint16_t)t.ldt, 0, 0, 0 };
    if (t.ldt & 0xfffc) {
        uint32_t l1, l2;
        if ((t.ldt & 4) || x86_load_desc(env, t.ldt, &l1, &l2, ra) < 0 ||
            ((l2 >> DESC_TYPE_SHIFT) & 0x1f) != 2) {
            x86_raise_exception_err(env, EXCP_TS, t.ldt & 0xfffc, ra);
        }
        env->ldt = (SegmentCache){ (uint16_t)t.ldt, x86_desc_base(l1, l2),
                                   x86_desc_limit(l1, l2), l2 & 0x00f0ff00u };
    }
    task_load_seg(env, R_SS, t.segs[R_SS], ra);
    task_load_seg(env, R_CS, t.segs[R_CS], ra);
    for (int s = R_ES; s <= R_GS; s++) {
        if (s != R_CS && s != R_SS) {
            task_load_seg(env, s, t.segs[s], ra);
        }
    }
    x86_update_hflags(env);
    if (t.trap) {
        x86_dr_task_switch_trap(env);   /* SDM Vol.3 17.3.1.5: #DB with BT */
    }
}

/* Resolves a TSS or task-gate selector of a far JMP/CALL and switches. */
void x86_task_switch_far(X86CPUState *env, uint32_t sel, uint32_t e1, uint32_t e2,
                         X86TaskSource source, uint64_t next_eip, uintptr_t ra)
{
    unsigned type = (e2 >> DESC_TYPE_SHIFT) & 15, cpl = x86_cpl(env);

    if (x86_desc_dpl(e2) < cpl || x86_desc_dpl(e2) < (sel & 3)) {
        x86_raise_exception_err(env, EXCP_GP, sel & 0xfffc, ra);
    }
    if (type == 5) {
        if (!(e2 & DESC_P_MASK)) {
            x86_raise_exception_err(env, EXCP_NP, sel & 0xfffc, ra);
        }
        sel = e1 >> 16;
        if ((sel & 4) || x86_load_desc(env, sel, &e1, &e2, ra) < 0) {
            x86_raise_exception_err(env, EXCP_GP, sel & 0xfffc, ra);
        }
        type = (e2 >> DESC_TYPE_SHIFT) & 15;
    }
    if (type != 9 && type != 1) {   /* must be an available TSS */
        x86_raise_exception_err(env, EXCP_GP, sel & 0xfffc, ra);
    }
    x86_task_switch(env, sel, e1, e2, source, next_eip, ra);
}

/* IRET with NT set: back to the task linked from the current TSS. */
void x86_task_return(X86CPUState *env, uint64_t next_eip, uintptr_t ra)
{
    uint32_t sel = x86_ld(env, env->tr.base + TSS_LINK, 2, x86_sup_mmu(env), ra), e1, e2;
    unsigned type;

    if ((sel & 4) || x86_load_desc(env, sel, &e1, &e2, ra) < 0) {
        x86_raise_exception_err(env, EXCP_TS, sel & 0xfffc, ra);
    }
    type = (e2 >> DESC_TYPE_SHIFT) & 0x1f;
    if (type != 11 && type != 3) {       /* a busy TSS, 32- or 16-bit */
        x86_raise_exception_err(env, EXCP_TS, sel & 0xfffc, ra);
    }
    x86_task_switch(env, sel, e1, e2, X86_TASK_IRET, next_eip, ra);
}
