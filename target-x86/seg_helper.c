/*
 * seg_helper.c: segmentation at run time. Loading segment registers with
 * the protected-mode checks (SDM Vol.3 5.5-5.8), far JMP/CALL/RET through
 * code segments and call gates, IRET in real, V86, protected and long
 * mode, LLDT/LTR/LAR/LSL/VERR/VERW, and the fast system calls
 * (SYSCALL/SYSRET, SYSENTER/SYSEXIT, SWAPGS). Called from translated code;
 * faults unwind with the guest state of the instruction restored.
 */
#include "vireo/common.h"
#include "vireo/log.h"
#include "tcg/tb.h"
#include "target-x86/helper-internal.h"

#define GP(env, err, ra) x86_raise_exception_err(env, EXCP_GP, (err), ra)

int x86_load_desc(X86CPUState *env, uint32_t selector, uint32_t *e1,
                  uint32_t *e2, uintptr_t ra)
{
    const DescTable *dt;
    DescTable ldt;
    uint32_t index = selector & ~7u;
    unsigned mmu = x86_sup_mmu(env);

    if (selector & 4) {
        ldt.base = env->ldt.base;
        ldt.limit = env->ldt.limit;
        dt = &ldt;
        if (!(env->ldt.flags & DESC_P_MASK)) {
            return -1;
        }
    } else {
        dt = &env->gdt;
    }
    if (index + 7 > dt->limit) {
        return -1;
    }
    *e1 = x86_ld(env, dt->base + index, 4, mmu, ra);
    *e2 = x86_ld(env, dt->base + index + 4, 4, mmu, ra);
    return 0;
}

void x86_set_desc_accessed(X86CPUState *env, uint32_t selector, uint32_t e2,
                           uintptr_t ra)
{
    uint64_t base = (selector & 4) ? env->ldt.base : env->gdt.base;

    if (!(e2 & DESC_A_MASK)) {
        x86_st(env, base + (selector & ~7u) + 4, e2 | DESC_A_MASK, 4,
               x86_sup_mmu(env), ra);
    }
}

void x86_seg_load_desc(X86CPUState *env, int seg, uint32_t selector,
                       uint32_t e1, uint32_t e2)
{
    x86_seg_load_cache(env, seg, selector, x86_desc_base(e1, e2),
                       x86_desc_limit(e1, e2), e2 & 0x00f0ff00u);
}

uint64_t x86_sp_mask(const X86CPUState *env)
{
    if (x86_code64(env)) {
        return ~0ULL;
    }
    return (env->segs[R_SS].flags & DESC_B_MASK) && x86_pe(env) && !x86_vm86(env)
           ? 0xffffffffu : 0xffff;
}

void x86_stack_limit_check(X86CPUState *env, const X86Stack *st, uint64_t off,
                           unsigned size)
{
    uint64_t end = off + size - 1, upper = (st->flags & DESC_B_MASK) ? 0xffffffffu : 0xffff;
    bool bad;

    if ((st->flags & (DESC_CS_MASK | DESC_E_MASK)) == DESC_E_MASK) {
        bad = off <= st->limit || end > upper;
    } else {
        bad = end > st->limit;
    }
    if (bad) {
        x86_raise_exception_err(env, EXCP_SS, st->err, st->ra);
    }
}

void x86_stack_from_desc(X86Stack *st, uint32_t sel, uint32_t e1, uint32_t e2)
{
    st->base = x86_desc_base(e1, e2);
    st->mask = (e2 & DESC_B_MASK) ? 0xffffffffu : 0xffff;
    st->check = true;
    st->limit = x86_desc_limit(e1, e2);
    st->flags = e2;
    st->err = sel & 0xfffc;
}

/* Real mode and V86: a selector is a paragraph number. */
static void load_seg_real(X86CPUState *env, int seg, uint32_t sel)
{
    SegmentCache *sc = &env->segs[seg];

    if (x86_vm86(env)) {
        x86_seg_load_cache(env, seg, sel, (uint64_t)sel << 4, 0xffff,
                           DESC_P_MASK | DESC_S_MASK | DESC_A_MASK |
                           (3u << DESC_DPL_SHIFT) | DESC_W_MASK |
                           (seg == R_CS ? DESC_CS_MASK | DESC_R_MASK : 0));
    } else {
        x86_seg_load_cache(env, seg, sel, (uint64_t)sel << 4, sc->limit, sc->flags);
    }
}

/* SDM Vol.3 5.7 and MOV/POP Sreg: loads a data or stack segment. */
static void load_seg_pm(X86CPUState *env, int seg, uint32_t sel, uintptr_t ra)
{
    uint32_t e1, e2;
    unsigned cpl = x86_cpl(env), rpl = sel & 3, dpl;

    if ((sel & 0xfffc) == 0) {
        if (seg == R_SS && (!x86_code64(env) || cpl == 3 || rpl != cpl)) {
            GP(env, 0, ra);
        }
        x86_seg_load_cache(env, seg, sel, 0, 0,
                           seg == R_SS ? (uint32_t)cpl << DESC_DPL_SHIFT | DESC_B_MASK : 0);
        return;
    }
    if (x86_load_desc(env, sel, &e1, &e2, ra) < 0) {
        GP(env, sel & 0xfffc, ra);
    }
    dpl = x86_desc_dpl(e2);
    if (!(e2 & DESC_S_MASK)) {
        GP(env, sel & 0xfffc, ra);
    }
    if (seg == R_SS) {
        if ((e2 & DESC_CS_MASK) || !(e2 & DESC_W_MASK) || rpl != cpl || dpl != cpl) {
            GP(env, sel & 0xfffc, ra);
        }
        if (!(e2 & DESC_P_MASK)) {
            x86_raise_exception_err(env, EXCP_SS, sel & 0xfffc, ra);
        }
    } else {
        if ((e2 & DESC_CS_MASK) && !(e2 & DESC_R_MASK)) {
            GP(env, sel & 0xfffc, ra);
        }
        if ((!(e2 & DESC_CS_MASK) || !(e2 & DESC_C_MASK)) &&
            (dpl < cpl || dpl < rpl)) {
            GP(env, sel & 0xfffc, ra);
        }
        if (!(e2 & DESC_P_MASK)) {
            x86_raise_exception_err(env, EXCP_NP, sel & 0xfffc, ra);
        }
    }
    x86_set_desc_accessed(env, sel, e2, ra);
    x86_seg_load_desc(env, seg, sel, e1, e2 | DESC_A_MASK);
}

void helper_load_seg(X86CPUState *env, uint64_t seg, uint64_t selector)
{
    uint32_t sel = selector & 0xffff;

    if (seg > R_GS || seg == R_CS) {
        x86_raise_exception(env, EXCP_UD, TCG_GETPC());
    }
    if (!x86_pe(env) || x86_vm86(env)) {
        load_seg_real(env, (int)seg, sel);
    } else {
        load_seg_pm(env, (int)seg, sel, TCG_GETPC());
    }
}

/* Checks a code-segment target of a far JMP/CALL (no gate): SDM JMP. */
static void check_code_target(X86CPUState *env, uint32_t sel, uint32_t e2,
                              uintptr_t ra)
{
    unsigned cpl = x86_cpl(env), dpl = x86_desc_dpl(e2);

    if (e2 & DESC_C_MASK) {
        if (dpl > cpl) {
            GP(env, sel & 0xfffc, ra);
        }
    } else if ((sel & 3) > cpl || dpl != cpl) {
        GP(env, sel & 0xfffc, ra);
    }
    if (!(e2 & DESC_P_MASK)) {
        x86_raise_exception_err(env, EXCP_NP, sel & 0xfffc, ra);
    }
    if (x86_long_mode(env) && (e2 & DESC_L_MASK) && (e2 & DESC_B_MASK)) {
        GP(env, sel & 0xfffc, ra);
    }
}

static void set_cs(X86CPUState *env, uint32_t sel, uint32_t e1, uint32_t e2,
                   unsigned cpl, uint64_t eip, uintptr_t ra)
{
    uint32_t limit = x86_desc_limit(e1, e2);

    if (!(x86_long_mode(env) && (e2 & DESC_L_MASK)) && eip > limit) {
        GP(env, 0, ra);
    }
    x86_set_desc_accessed(env, sel, e2, ra);
    x86_seg_load_desc(env, R_CS, (sel & 0xfffc) | cpl, e1, e2 | DESC_A_MASK);
    env->rip = eip;
}

/* Reads a call gate: the target selector, offset and the target's descriptor. */
static void read_call_gate(X86CPUState *env, uint32_t sel, uint32_t e1, uint32_t e2,
                           uint32_t *csel, uint64_t *off, uint32_t *ce1,
                           uint32_t *ce2, uintptr_t ra)
{
    unsigned type = (e2 >> DESC_TYPE_SHIFT) & 15, cpl = x86_cpl(env);

    if (x86_desc_dpl(e2) < cpl || x86_desc_dpl(e2) < (sel & 3)) {
        GP(env, sel & 0xfffc, ra);
    }
    if (!(e2 & DESC_P_MASK)) {
        x86_raise_exception_err(env, EXCP_NP, sel & 0xfffc, ra);
    }
    *csel = e1 >> 16;
    *off = (e1 & 0xffff) | (type == 12 ? (e2 & 0xffff0000u) : 0);
    if (x86_long_mode(env)) {
        uint32_t e3, e4;
        if (x86_load_desc(env, sel + 8, &e3, &e4, ra) < 0) {
            GP(env, sel & 0xfffc, ra);
        }
        *off |= (uint64_t)e3 << 32;
    }
    if ((*csel & 0xfffc) == 0 || x86_load_desc(env, *csel, ce1, ce2, ra) < 0 ||
        !(*ce2 & DESC_S_MASK) || !(*ce2 & DESC_CS_MASK) ||
        x86_desc_dpl(*ce2) > cpl) {
        GP(env, *csel & 0xfffc, ra);
    }
    if (!(*ce2 & DESC_P_MASK)) {
        x86_raise_exception_err(env, EXCP_NP, *csel & 0xfffc, ra);
    }
}

/* Looks up a far-transfer selector: its descriptor, or faults. */
static void far_target(X86CPUState *env, uint32_t sel, uint32_t *e1, uint32_t *e2,
                       uintptr_t ra)
{
    if ((sel & 0xfffc) == 0) {
        GP(env, 0, ra);
    }
    if (x86_load_desc(env, sel, e1, e2, ra) < 0) {
        GP(env, sel & 0xfffc, ra);
    }
}

void helper_ljmp(X86CPUState *env, uint64_t selector, uint64_t offset,
                 uint64_t next_eip)
{
    uintptr_t ra = TCG_GETPC();
    uint32_t sel = selector & 0xffff, e1, e2, csel, ce1, ce2;
    uint64_t off;
    unsigned type;

    if (!x86_pe(env) || x86_vm86(env)) {
        load_seg_real(env, R_CS, sel);
        env->rip = offset;
        return;
    }
    far_target(env, sel, &e1, &e2, ra);
    if (e2 & DESC_S_MASK) {
        if (!(e2 & DESC_CS_MASK)) {
            GP(env, sel & 0xfffc, ra);
        }
        check_code_target(env, sel, e2, ra);
        set_cs(env, sel, e1, e2, x86_cpl(env), offset, ra);
        return;
    }
    type = (e2 >> DESC_TYPE_SHIFT) & 15;
    if ((type == 5 || type == 9 || type == 1) && !x86_long_mode(env)) {
        x86_task_switch_far(env, sel, e1, e2, X86_TASK_JMP, next_eip, ra);
        return;
    }
    if (type != 4 && type != 12) {
        GP(env, sel & 0xfffc, ra);
    }
    read_call_gate(env, sel, e1, e2, &csel, &off, &ce1, &ce2, ra);
    if (((ce2 & DESC_C_MASK) == 0 && x86_desc_dpl(ce2) != x86_cpl(env))) {
        GP(env, csel & 0xfffc, ra);
    }
    set_cs(env, csel, ce1, ce2, x86_cpl(env), type == 4 ? off & 0xffff : off, ra);
}

/* Far CALL through a call gate to a more privileged level (SDM CALL). */
static void lcall_gate_inner(X86CPUState *env, uint32_t gate_e2, uint32_t csel,
                             uint32_t ce1, uint32_t ce2, uint64_t off,
                             uint64_t next_eip, uintptr_t ra)
{
    unsigned dpl = x86_desc_dpl(ce2), size = ((gate_e2 >> DESC_TYPE_SHIFT) & 8) ? 4 : 2;
    unsigned nparams = gate_e2 & 31;
    X86Stack old = x86_cur_stack(env, ra), st;
    uint32_t ss, esp, se1 = 0, se2 = 0;
    uint64_t params[32];

    if (x86_long_mode(env)) {
        uint32_t o = 4 + dpl * 8;
        size = 8;
        nparams = 0;
        st.sp = x86_ld(env, env->tr.base + o, 8, x86_sup_mmu(env), ra);
        st.base = 0;
        st.mask = ~0ULL;
        st.check = false;
        ss = dpl;
    } else {
        bool tss32 = (env->tr.flags >> DESC_TYPE_SHIFT) & 8;
        uint32_t o = tss32 ? 4 + dpl * 8 : 2 + dpl * 4;
        esp = x86_ld(env, env->tr.base + o, tss32 ? 4 : 2, x86_sup_mmu(env), ra);
        ss = x86_ld(env, env->tr.base + o + (tss32 ? 4 : 2), 2, x86_sup_mmu(env), ra);
        if ((ss & 0xfffc) == 0 || (ss & 3) != dpl ||
            x86_load_desc(env, ss, &se1, &se2, ra) < 0 ||
            x86_desc_dpl(se2) != dpl || (se2 & DESC_CS_MASK) || !(se2 & DESC_W_MASK)) {
            x86_raise_exception_err(env, EXCP_TS, ss & 0xfffc, ra);
        }
        if (!(se2 & DESC_P_MASK)) {
            x86_raise_exception_err(env, EXCP_SS, ss & 0xfffc, ra);
        }
        x86_stack_from_desc(&st, ss, se1, se2);
        st.sp = esp & st.mask;
    }
    st.mmu = x86_sup_mmu(env);
    st.ra = ra;
    for (unsigned i = 0; i < nparams; i++) {
        params[i] = x86_ld(env, old.base + ((old.sp + i * size) & old.mask), size,
                           old.mmu, ra);
    }
    x86_push(env, &st, env->segs[R_SS].selector, size);
    x86_push(env, &st, env->regs[R_ESP], size);
    for (unsigned i = nparams; i > 0; i--) {
        x86_push(env, &st, params[i - 1], size);
    }
    x86_push(env, &st, env->segs[R_CS].selector, size);
    x86_push(env, &st, next_eip, size);
    if (x86_long_mode(env)) {
        x86_seg_load_cache(env, R_SS, ss, 0, 0, DESC_B_MASK | (dpl << DESC_DPL_SHIFT));
    } else {
        x86_seg_load_desc(env, R_SS, ss, se1, se2);
    }
    set_cs(env, csel, ce1, ce2, dpl, size == 2 ? off & 0xffff : off, ra);
    x86_set_sp(env, st.sp, st.mask);
}

void helper_lcall(X86CPUState *env, uint64_t selector, uint64_t offset,
                  uint64_t next_eip, uint64_t opsize)
{
    uintptr_t ra = TCG_GETPC();
    uint32_t sel = selector & 0xffff, e1, e2, csel, ce1, ce2;
    X86Stack st = x86_cur_stack(env, ra);
    unsigned type, size = (unsigned)opsize;
    uint64_t off;

    if (!x86_pe(env) || x86_vm86(env)) {
        x86_push(env, &st, env->segs[R_CS].selector, size);
        x86_push(env, &st, next_eip, size);
        load_seg_real(env, R_CS, sel);
        env->rip = offset;
        x86_set_sp(env, st.sp, st.mask);
        return;
    }
    far_target(env, sel, &e1, &e2, ra);
    if (e2 & DESC_S_MASK) {
        if (!(e2 & DESC_CS_MASK)) {
            GP(env, sel & 0xfffc, ra);
        }
        check_code_target(env, sel, e2, ra);
        x86_push(env, &st, env->segs[R_CS].selector, size);
        x86_push(env, &st, next_eip, size);
        set_cs(env, sel, e1, e2, x86_cpl(env), offset, ra);
        x86_set_sp(env, st.sp, st.mask);
        return;
    }
    type = (e2 >> DESC_TYPE_SHIFT) & 15;
    if ((type == 5 || type == 9 || type == 1) && !x86_long_mode(env)) {
        x86_task_switch_far(env, sel, e1, e2, X86_TASK_CALL, next_eip, ra);
        return;
    }
    if (type != 4 && type != 12) {
        GP(env, sel & 0xfffc, ra);
    }
    read_call_gate(env, sel, e1, e2, &csel, &off, &ce1, &ce2, ra);
    if (!(ce2 & DESC_C_MASK) && x86_desc_dpl(ce2) < x86_cpl(env)) {
        lcall_gate_inner(env, e2, csel, ce1, ce2, off, next_eip, ra);
        return;
    }
    size = x86_long_mode(env) ? 8 : type == 12 ? 4 : 2;
    x86_push(env, &st, env->segs[R_CS].selector, size);
    x86_push(env, &st, next_eip, size);
    set_cs(env, csel, ce1, ce2, x86_cpl(env), size == 2 ? off & 0xffff : off, ra);
    x86_set_sp(env, st.sp, st.mask);
}

/* Data segments not usable at the new, less privileged level become null. */
static void null_inaccessible_segs(X86CPUState *env, unsigned cpl)
{
    static const int segs[] = { R_ES, R_DS, R_FS, R_GS };

    for (unsigned i = 0; i < ARRAY_SIZE(segs); i++) {
        SegmentCache *sc = &env->segs[segs[i]];
        bool conf_code = (sc->flags & DESC_CS_MASK) && (sc->flags & DESC_C_MASK);
        if (!conf_code && x86_desc_dpl(sc->flags) < cpl && (sc->selector & 0xfffc)) {
            x86_seg_load_cache(env, segs[i], 0, 0, 0, 0);
        }
    }
}

/*
 * The common tail of far RET and protected-mode IRET once CS:EIP (and
 * EFLAGS for IRET) are popped: checks the new CS, pops SS:ESP on a return
 * to an outer level (always in 64-bit mode for IRET), commits.
 */
static void far_return_pm(X86CPUState *env, X86Stack *st, uint32_t sel, uint64_t eip,
                          unsigned size, unsigned imm, bool is_iret, uintptr_t ra)
{
    uint32_t e1, e2, se1 = 0, se2 = 0, ss;
    unsigned cpl = x86_cpl(env), rpl = sel & 3;
    uint64_t new_sp;

    far_target(env, sel, &e1, &e2, ra);
    if (!(e2 & DESC_S_MASK) || !(e2 & DESC_CS_MASK) || rpl < cpl) {
        GP(env, sel & 0xfffc, ra);
    }
    if ((e2 & DESC_C_MASK) ? x86_desc_dpl(e2) > rpl : x86_desc_dpl(e2) != rpl) {
        GP(env, sel & 0xfffc, ra);
    }
    if (!(e2 & DESC_P_MASK)) {
        x86_raise_exception_err(env, EXCP_NP, sel & 0xfffc, ra);
    }
    st->sp = (st->sp + imm) & st->mask;
    if (rpl == cpl && !(is_iret && x86_code64(env))) {
        set_cs(env, sel, e1, e2, cpl, eip, ra);
        x86_set_sp(env, st->sp, st->mask);
        return;
    }
    new_sp = x86_pop(env, st, size);
    ss = x86_pop(env, st, size) & 0xffff;
    if ((ss & 0xfffc) == 0) {
        if (!(x86_long_mode(env) && (e2 & DESC_L_MASK) && rpl != 3)) {
            GP(env, 0, ra);
        }
    } else {
        if ((ss & 3) != rpl || x86_load_desc(env, ss, &se1, &se2, ra) < 0 ||
            !(se2 & DESC_S_MASK) || (se2 & DESC_CS_MASK) || !(se2 & DESC_W_MASK) ||
            x86_desc_dpl(se2) != rpl) {
            GP(env, ss & 0xfffc, ra);
        }
        if (!(se2 & DESC_P_MASK)) {
            x86_raise_exception_err(env, EXCP_SS, ss & 0xfffc, ra);
        }
    }
    set_cs(env, sel, e1, e2, rpl, eip, ra);
    if ((ss & 0xfffc) == 0) {
        x86_seg_load_cache(env, R_SS, ss, 0, 0, DESC_B_MASK | (rpl << DESC_DPL_SHIFT));
    } else {
        x86_set_desc_accessed(env, ss, se2, ra);
        x86_seg_load_desc(env, R_SS, ss, se1, se2 | DESC_A_MASK);
    }
    x86_set_sp(env, new_sp + (is_iret ? 0 : imm), x86_sp_mask(env));
    if (rpl > cpl) {
        null_inaccessible_segs(env, rpl);
    }
}

void helper_lret(X86CPUState *env, uint64_t opsize, uint64_t imm)
{
    uintptr_t ra = TCG_GETPC();
    X86Stack st = x86_cur_stack(env, ra);
    unsigned size = (unsigned)opsize;
    uint64_t eip = x86_pop(env, &st, size);
    uint32_t sel = x86_pop(env, &st, size) & 0xffff;

    if (!x86_pe(env) || x86_vm86(env)) {
        load_seg_real(env, R_CS, sel);
        env->rip = eip;
        x86_set_sp(env, st.sp + imm, st.mask);
        return;
    }
    far_return_pm(env, &st, sel, eip, size, (unsigned)imm, false, ra);
}

/* EFLAGS bits IRET/POPF may change at this CPL and IOPL (SDM POPF). */
static uint64_t eflags_write_mask(X86CPUState *env, unsigned size)
{
    uint64_t mask = TF_MASK | AC_MASK | ID_MASK | NT_MASK | DF_MASK | CC_MASK | RF_MASK;
    unsigned cpl = x86_cpl(env), iopl = (env->eflags & IOPL_MASK) >> IOPL_SHIFT;

    if (!x86_pe(env) || cpl == 0) {
        mask |= IOPL_MASK | IF_MASK;
    } else if (cpl <= iopl) {
        mask |= IF_MASK;
    }
    if (x86_vm86(env)) {
        mask &= ~(uint64_t)IOPL_MASK;
        mask |= IF_MASK;
    }
    if (size == 2) {
        mask &= 0xffff;
    }
    return mask;
}

/* IRET(D/Q) at CPL 0 in protected mode also restores VIF and VIP (SDM
 * IRET, RETURN-TO-SAME/OUTER-PRIVILEGE-LEVEL): how a monitor hands a
 * CPL-3 task its virtual interrupt state under CR4.PVI. */
static uint64_t iret_vif_mask(X86CPUState *env, unsigned size)
{
    return x86_pe(env) && !x86_vm86(env) && x86_cpl(env) == 0 && size >= 4
           ? VIF_MASK | VIP_MASK : 0;
}

/* IRET to virtual-8086 mode (SDM IRET, RETURN-TO-VIRTUAL-8086-MODE). */
static void iret_to_vm86(X86CPUState *env, X86Stack *st, uint32_t sel,
                         uint64_t eip, uint64_t flags)
{
    uint32_t esp = x86_pop(env, st, 4), ss = x86_pop(env, st, 4);
    uint32_t es = x86_pop(env, st, 4), ds = x86_pop(env, st, 4);
    uint32_t fs = x86_pop(env, st, 4), gs = x86_pop(env, st, 4);

    x86_write_eflags_masked(env, flags, 0x3f7fd5);
    x86_update_hflags(env);
    load_seg_real(env, R_CS, sel & 0xffff);
    load_seg_real(env, R_SS, ss & 0xffff);
    load_seg_real(env, R_ES, es & 0xffff);
    load_seg_real(env, R_DS, ds & 0xffff);
    load_seg_real(env, R_FS, fs & 0xffff);
    load_seg_real(env, R_GS, gs & 0xffff);
    env->rip = eip & 0xffff;
    env->regs[R_ESP] = esp;
}

/* IRET in V86 with IOPL < 3 (SDM IRET, RETURN-FROM-VIRTUAL-8086-MODE):
 * only 16-bit with CR4.VME; the popped IF goes to VIF, IOPL and IF stay;
 * #GP(0), with nothing popped, if it would set TF, or set IF with VIP. */
static void iret_vme(X86CPUState *env, X86Stack *st, unsigned size, uintptr_t ra)
{
    uint64_t eip, flags;
    uint32_t sel;

    if (!(env->cr[4] & CR4_VME) || size != 2) {
        GP(env, 0, ra);
    }
    eip = x86_pop(env, st, 2);
    sel = x86_pop(env, st, 2) & 0xffff;
    flags = x86_pop(env, st, 2);
    if ((flags & TF_MASK) || ((flags & IF_MASK) && (env->eflags & VIP_MASK))) {
        GP(env, 0, ra);
    }
    load_seg_real(env, R_CS, sel);
    env->rip = eip;
    x86_set_sp(env, st->sp, st->mask);
    x86_write_eflags_masked(env, flags, TF_MASK | DF_MASK | NT_MASK | CC_MASK);
    env->eflags = (env->eflags & ~(uint64_t)VIF_MASK) | ((flags & IF_MASK) ? VIF_MASK : 0);
}

void helper_iret(X86CPUState *env, uint64_t opsize, uint64_t next_eip)
{
    uintptr_t ra = TCG_GETPC();
    X86Stack st = x86_cur_stack(env, ra);
    unsigned size = (unsigned)opsize;
    uint64_t eip, flags, mask;
    uint32_t sel;

    env->hflags &= ~HF_NMI_MASK;
    if (x86_vm86(env) && ((env->eflags & IOPL_MASK) >> IOPL_SHIFT) < 3) {
        iret_vme(env, &st, size, ra);
        return;
    }
    if (x86_pe(env) && !x86_vm86(env) && (env->eflags & NT_MASK)) {
        if (x86_long_mode(env)) {
            GP(env, 0, ra);
        }
        x86_task_return(env, next_eip, ra);
        return;
    }
    eip = x86_pop(env, &st, size);
    sel = x86_pop(env, &st, size) & 0xffff;
    flags = x86_pop(env, &st, size);
    if (!x86_pe(env) || x86_vm86(env)) {
        mask = eflags_write_mask(env, size);
        load_seg_real(env, R_CS, sel);
        env->rip = eip;
        x86_set_sp(env, st.sp, st.mask);
        x86_write_eflags_masked(env, flags, mask);
        return;
    }
    if (size == 4 && (flags & VM_MASK) && x86_cpl(env) == 0 && !x86_long_mode(env)) {
        iret_to_vm86(env, &st, sel, eip, flags);
        return;
    }
    mask = eflags_write_mask(env, size) | iret_vif_mask(env, size);
    far_return_pm(env, &st, sel, eip, size, 0, true, ra);
    x86_write_eflags_masked(env, flags, mask);
}

/* Loads LDTR or TR from a GDT system descriptor (16 bytes in long mode). */
static void load_sys_seg(X86CPUState *env, SegmentCache *sc, uint32_t sel,
                         bool is_tr, uintptr_t ra)
{
    uint32_t e1, e2, e3 = 0, e4;
    unsigned type;

    if ((sel & 0xfffc) == 0) {
        if (is_tr) {
            GP(env, 0, ra);
        }
        *sc = (SegmentCache){ (uint16_t)sel, 0, 0, 0 };
        return;
    }
    if ((sel & 4) || x86_load_desc(env, sel, &e1, &e2, ra) < 0) {
        GP(env, sel & 0xfffc, ra);
    }
    type = (e2 >> DESC_TYPE_SHIFT) & 15;
    if ((e2 & DESC_S_MASK) || (is_tr ? (type != 1 && type != 9) : type != 2)) {
        GP(env, sel & 0xfffc, ra);
    }
    if (!(e2 & DESC_P_MASK)) {
        x86_raise_exception_err(env, EXCP_NP, sel & 0xfffc, ra);
    }
    if (x86_long_mode(env) && x86_load_desc(env, sel + 8, &e3, &e4, ra) < 0) {
        GP(env, sel & 0xfffc, ra);
    }
    sc->selector = sel;
    sc->base = x86_desc_base(e1, e2) | ((uint64_t)e3 << 32);
    sc->limit = x86_desc_limit(e1, e2);
    sc->flags = e2 & 0x00f0ff00u;
    if (is_tr) {
        sc->flags |= 2u << DESC_TYPE_SHIFT;  /* busy */
        x86_st(env, env->gdt.base + (sel & ~7u) + 4, e2 | (2u << DESC_TYPE_SHIFT), 4,
               x86_sup_mmu(env), ra);
    }
}

void helper_lldt(X86CPUState *env, uint64_t selector)
{
    load_sys_seg(env, &env->ldt, selector & 0xffff, false, TCG_GETPC());
}

void helper_ltr(X86CPUState *env, uint64_t selector)
{
    load_sys_seg(env, &env->tr, selector & 0xffff, true, TCG_GETPC());
}

/* Whether the selector's descriptor is visible to LAR/LSL/VERR/VERW. */
static bool desc_visible(X86CPUState *env, uint32_t sel, uint32_t *e1, uint32_t *e2,
                         uintptr_t ra)
{
    unsigned cpl = x86_cpl(env), dpl;

    if ((sel & 0xfffc) == 0 || x86_load_desc(env, sel, e1, e2, ra) < 0) {
        return false;
    }
    dpl = x86_desc_dpl(*e2);
    if ((*e2 & DESC_S_MASK) && (*e2 & DESC_CS_MASK) && (*e2 & DESC_C_MASK)) {
        return true;
    }
    return dpl >= cpl && dpl >= (sel & 3);
}

static void set_zf(X86CPUState *env, bool on)
{
    helper_cc_materialize(env);
    env->eflags = on ? env->eflags | CC_Z : env->eflags & ~(uint64_t)CC_Z;
}

uint64_t helper_lar_lsl(X86CPUState *env, uint64_t selector, uint64_t is_lsl)
{
    uint32_t e1, e2, sel = selector & 0xffff;
    bool ok = desc_visible(env, sel, &e1, &e2, TCG_GETPC());

    if (ok && !(e2 & DESC_S_MASK)) {
        static const uint16_t lar_ok = 0x1eae, lsl_ok = 0x0a0e;  /* SDM LAR/LSL */
        ok = ((is_lsl ? lsl_ok : lar_ok) >> ((e2 >> DESC_TYPE_SHIFT) & 15)) & 1;
    }
    set_zf(env, ok);
    if (!ok) {
        return 0;
    }
    return is_lsl ? x86_desc_limit(e1, e2) : (e2 & 0x00f0ff00u);
}

void helper_verr_verw(X86CPUState *env, uint64_t selector, uint64_t is_verw)
{
    uint32_t e1, e2;
    bool ok = desc_visible(env, selector & 0xffff, &e1, &e2, TCG_GETPC()) &&
              (e2 & DESC_S_MASK);

    if (ok) {
        ok = is_verw ? !(e2 & DESC_CS_MASK) && (e2 & DESC_W_MASK)
                     : !(e2 & DESC_CS_MASK) || (e2 & DESC_R_MASK);
    }
    set_zf(env, ok);
}

/* SDM SYSCALL: flat CS/SS from STAR[47:32], RIP from LSTAR (or CSTAR). */
void helper_syscall(X86CPUState *env, uint64_t next_eip)
{
    uint32_t sel = (env->star >> 32) & 0xffff;
    uint32_t code = DESC_P_MASK | DESC_S_MASK | DESC_A_MASK | DESC_CS_MASK |
                    DESC_R_MASK | DESC_G_MASK;
    uint32_t data = DESC_P_MASK | DESC_S_MASK | DESC_A_MASK | DESC_W_MASK |
                    DESC_G_MASK | DESC_B_MASK;

    if (!(env->efer & EFER_SCE)) {
        x86_raise_exception(env, EXCP_UD, TCG_GETPC());
    }
    helper_cc_materialize(env);
    if (x86_long_mode(env)) {
        env->regs[R_ECX] = next_eip;
        env->regs[R_R11] = x86_eflags_get(env);
        x86_seg_load_cache(env, R_CS, sel & 0xfffc, 0, 0xffffffff, code | DESC_L_MASK);
        x86_seg_load_cache(env, R_SS, (sel + 8) & 0xfffc, 0, 0xffffffff, data);
        x86_write_eflags_masked(env, x86_eflags_get(env) & ~env->fmask, ~0ULL);
        env->eflags &= ~(uint64_t)RF_MASK;
        env->rip = x86_code64(env) ? env->lstar : env->cstar;
    } else {
        env->regs[R_ECX] = (uint32_t)next_eip;
        x86_seg_load_cache(env, R_CS, sel & 0xfffc, 0, 0xffffffff, code | DESC_B_MASK);
        x86_seg_load_cache(env, R_SS, (sel + 8) & 0xfffc, 0, 0xffffffff, data);
        env->eflags &= ~(uint64_t)(IF_MASK | RF_MASK | VM_MASK);
        env->rip = (uint32_t)env->star;
    }
    x86_update_hflags(env);
}

void helper_sysret(X86CPUState *env, uint64_t opsize)
{
    uint32_t sel = (env->star >> 48) & 0xffff;
    uint32_t code = DESC_P_MASK | DESC_S_MASK | DESC_A_MASK | DESC_CS_MASK |
                    DESC_R_MASK | DESC_G_MASK | (3u << DESC_DPL_SHIFT);
    uint32_t data = DESC_P_MASK | DESC_S_MASK | DESC_A_MASK | DESC_W_MASK |
                    DESC_G_MASK | DESC_B_MASK | (3u << DESC_DPL_SHIFT);

    if (!(env->efer & EFER_SCE)) {
        x86_raise_exception(env, EXCP_UD, TCG_GETPC());
    }
    if (x86_cpl(env) != 0 || !x86_pe(env)) {
        GP(env, 0, TCG_GETPC());
    }
    if (opsize == 8) {
        x86_seg_load_cache(env, R_CS, (sel + 16) | 3, 0, 0xffffffff, code | DESC_L_MASK);
        env->rip = env->regs[R_ECX];
    } else {
        x86_seg_load_cache(env, R_CS, sel | 3, 0, 0xffffffff, code | DESC_B_MASK);
        env->rip = (uint32_t)env->regs[R_ECX];
    }
    x86_seg_load_cache(env, R_SS, (sel + 8) | 3, 0, 0xffffffff, data);
    if (x86_long_mode(env)) {
        x86_write_eflags_masked(env, env->regs[R_R11], 0x3f7fd5);
    } else {
        env->eflags |= IF_MASK;
    }
    x86_update_hflags(env);
}

/* SDM SYSENTER: flat ring-0 CS/SS from IA32_SYSENTER_CS. */
void helper_sysenter(X86CPUState *env)
{
    uint32_t cs = env->sysenter_cs & 0xfffc;
    bool lm = x86_long_mode(env);

    if (!x86_pe(env) || cs == 0) {
        GP(env, 0, TCG_GETPC());
    }
    helper_cc_materialize(env);
    env->eflags &= ~(uint64_t)(VM_MASK | IF_MASK | RF_MASK);
    x86_seg_load_cache(env, R_CS, cs, 0, 0xffffffff,
                       DESC_P_MASK | DESC_S_MASK | DESC_A_MASK | DESC_CS_MASK |
                       DESC_R_MASK | DESC_G_MASK | (lm ? DESC_L_MASK : DESC_B_MASK));
    x86_seg_load_cache(env, R_SS, cs + 8, 0, 0xffffffff,
                       DESC_P_MASK | DESC_S_MASK | DESC_A_MASK | DESC_W_MASK |
                       DESC_G_MASK | DESC_B_MASK);
    env->regs[R_ESP] = lm ? env->sysenter_esp : (uint32_t)env->sysenter_esp;
    env->rip = lm ? env->sysenter_eip : (uint32_t)env->sysenter_eip;
    x86_update_hflags(env);
}

void helper_sysexit(X86CPUState *env, uint64_t opsize)
{
    uint32_t cs = env->sysenter_cs & 0xfffc;
    uint32_t code = DESC_P_MASK | DESC_S_MASK | DESC_A_MASK | DESC_CS_MASK |
                    DESC_R_MASK | DESC_G_MASK | (3u << DESC_DPL_SHIFT);

    if (!x86_pe(env) || cs == 0 || x86_cpl(env) != 0) {
        GP(env, 0, TCG_GETPC());
    }
    if (opsize == 8) {
        x86_seg_load_cache(env, R_CS, (cs + 32) | 3, 0, 0xffffffff, code | DESC_L_MASK);
        x86_seg_load_cache(env, R_SS, (cs + 40) | 3, 0, 0xffffffff,
                           DESC_P_MASK | DESC_S_MASK | DESC_A_MASK | DESC_W_MASK |
                           DESC_G_MASK | DESC_B_MASK | (3u << DESC_DPL_SHIFT));
        env->regs[R_ESP] = env->regs[R_ECX];
        env->rip = env->regs[R_EDX];
    } else {
        x86_seg_load_cache(env, R_CS, (cs + 16) | 3, 0, 0xffffffff, code | DESC_B_MASK);
        x86_seg_load_cache(env, R_SS, (cs + 24) | 3, 0, 0xffffffff,
                           DESC_P_MASK | DESC_S_MASK | DESC_A_MASK | DESC_W_MASK |
                           DESC_G_MASK | DESC_B_MASK | (3u << DESC_DPL_SHIFT));
        env->regs[R_ESP] = (uint32_t)env->regs[R_ECX];
        env->rip = (uint32_t)env->regs[R_EDX];
    }
    x86_update_hflags(env);
}

void helper_swapgs(X86CPUState *env)
{
    uint64_t t = env->segs[R_GS].base;

    if (x86_cpl(env) != 0) {
        GP(env, 0, TCG_GETPC());
    }
    env->segs[R_GS].base = env->kernel_gs_base;
    env->kernel_gs_base = t;
}
