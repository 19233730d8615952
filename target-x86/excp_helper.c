/*
 * excp_helper.c: raising exceptions from helpers and delivering
 * exceptions and interrupts to the guest: through the real-mode IVT, the
 * protected-mode IDT (interrupt and trap gates, stack switch from the TSS)
 * and the long-mode IDT (16-byte gates, IST). Double faults and triple
 * faults follow SDM Vol.3 6.15 (Table 6-5). The exec loop (accel/tcg)
 * calls x86_deliver_exception when a helper or the code fetch raised one,
 * and x86_deliver_hw_interrupt for the INTR pin at block boundaries.
 */
#include "vireo/common.h"
#include "vireo/log.h"
#include "system/bql.h"
#include "tcg/tb.h"
#include "target-x86/helper-internal.h"

/* Exceptions that push an error code (SDM Vol.3 Table 6-1). */
static bool excp_has_error_code(int vec)
{
    return vec == EXCP_DF || (vec >= EXCP_TS && vec <= EXCP_PF) ||
           vec == EXCP_AC;
}

static bool excp_contributory(int vec)
{
    return vec == EXCP_DE || (vec >= EXCP_TS && vec <= EXCP_GP);
}

/*
 * The vector to deliver when vec is raised while old (0 = none, else
 * vector + 1) was being delivered: vec, EXCP_DF, or EXCP_SHUTDOWN.
 * SDM Vol.3 Table 6-5.
 */
static int excp_combine(int old, int vec)
{
    if (!old) {
        return vec;
    }
    old -= 1;
    if (old == EXCP_DF && (excp_contributory(vec) || vec == EXCP_PF)) {
        return EXCP_SHUTDOWN;
    }
    if ((excp_contributory(old) && excp_contributory(vec)) ||
        (old == EXCP_PF && (excp_contributory(vec) || vec == EXCP_PF))) {
        return EXCP_DF;
    }
    return vec;
}

void x86_raise_exception_err(X86CPUState *env, int vec, int err, uintptr_t ra)
{
    TCGCPU *cpu = current_tcg_cpu;

    vec = excp_combine(env->old_exception, vec);
    if (vec == EXCP_DF) {
        err = 0;
    }
    env->exception_index = vec;
    env->error_code = err;
    env->has_error_code = vec < 32 && excp_has_error_code(vec);
    env->exception_is_int = false;
    g_assert(cpu);
    cpu->exception_index = vec;
    tcg_cpu_loop_exit_restore(cpu, ra);
}

void x86_raise_exception(X86CPUState *env, int vec, uintptr_t ra)
{
    x86_raise_exception_err(env, vec, 0, ra);
}

void helper_raise_exception(X86CPUState *env, uint64_t vec)
{
    x86_raise_exception(env, (int)vec, TCG_GETPC());
}

void helper_raise_exception_err(X86CPUState *env, uint64_t vec, uint64_t err)
{
    x86_raise_exception_err(env, (int)vec, (int)err, TCG_GETPC());
}

/* The call through an IVT entry (real mode, V86 redirection): pushes
 * flags, CS and ret_ip on the 16-bit stack st, then CS:IP from ent. */
static void ivt_call(X86CPUState *env, X86Stack *st, uint64_t flags, uint64_t ret_ip,
                     uint32_t ent)
{
    st->mask = 0xffff;
    st->sp &= 0xffff;
    x86_push(env, st, flags, 2);
    x86_push(env, st, env->segs[R_CS].selector, 2);
    x86_push(env, st, ret_ip, 2);
    x86_set_sp(env, st->sp, 0xffff);
    env->rip = ent & 0xffff;
    env->segs[R_CS].selector = ent >> 16;
    env->segs[R_CS].base = (ent >> 16) << 4;
}

static void raise_software_interrupt(X86CPUState *env, int vec, uint64_t next_eip,
                                     uintptr_t ra)
{
    TCGCPU *cpu = current_tcg_cpu;

    if (ra) {
        tcg_cpu_restore_state(cpu, ra);
    }
    env->exception_index = (int)vec;
    env->error_code = 0;
    env->has_error_code = false;
    env->exception_is_int = true;
    env->exception_next_eip = next_eip;
    cpu->exception_index = (int)vec;
    tcg_cpu_loop_exit(cpu);
}

/* Software interrupts: INT n, INT3 (is_int, so gate DPL is checked). */
void helper_raise_interrupt(X86CPUState *env, uint64_t vec, uint64_t next_eip)
{
    raise_software_interrupt(env, (int)vec, next_eip, TCG_GETPC());
}

/* Bit vec of the TSS's software interrupt redirection bitmap, the 32
 * bytes below the I/O map base (SDM Vol.3 20.3.3, Figure 20-5): set means
 * "through the IDT". #GP(0) when TR is not a 32-bit TSS or the byte lies
 * past its limit. */
static bool int_redirection_bit(X86CPUState *env, int vec, uintptr_t ra)
{
    unsigned mmu = x86_sup_mmu(env);
    uint32_t type = (env->tr.flags >> DESC_TYPE_SHIFT) & 15, iomap, off;

    if (!(env->tr.flags & DESC_P_MASK) || (type != 9 && type != 11) ||
        env->tr.limit < 0x67) {
        x86_raise_exception_err(env, EXCP_GP, 0, ra);
    }
    iomap = x86_ld(env, env->tr.base + 0x66, 2, mmu, ra);
    off = iomap - 32 + (uint32_t)vec / 8;
    if (iomap < 32 || off > env->tr.limit) {
        x86_raise_exception_err(env, EXCP_GP, 0, ra);
    }
    return (x86_ld(env, env->tr.base + off, 1, mmu, ra) >> (vec & 7)) & 1;
}

/* Methods 5 and 6 (SDM Vol.3 20.3.3.4-5): the 8086 program's own handler
 * from the IVT at linear 0, staying in V86. With IOPL < 3 the pushed
 * FLAGS carry VIF as IF and IOPL as 3, and VIF is cleared instead of IF. */
static void int_redirect_to_ivt(X86CPUState *env, int vec, uint64_t next_eip, uintptr_t ra)
{
    bool iopl3 = ((env->eflags & IOPL_MASK) >> IOPL_SHIFT) == 3;
    uint32_t ent = x86_ld(env, (uint32_t)vec * 4, 4, x86_mmu_index(env), ra);
    X86Stack st = x86_cur_stack(env, ra);
    uint64_t flags;

    helper_cc_materialize(env);
    flags = x86_eflags_get(env);
    if (!iopl3) {
        flags = (flags & ~(uint64_t)IF_MASK) | IOPL_MASK | ((flags & VIF_MASK) ? IF_MASK : 0);
    }
    ivt_call(env, &st, flags, next_eip, ent);
    env->eflags &= ~(uint64_t)(TF_MASK | (iopl3 ? IF_MASK : VIF_MASK));
}

/* INT n (opcode CD) in virtual-8086 mode, SDM Vol.3 Table 20-2: with
 * CR4.VME and the vector's redirection bit clear, the IVT (methods 5, 6);
 * otherwise the IDT with IOPL 3 (methods 1, 4) or #GP(0) (methods 2, 3).
 * INT3, INTO and INT1 are not IOPL-sensitive and never come here. */
void helper_int_vm86(X86CPUState *env, uint64_t vec, uint64_t next_eip)
{
    uintptr_t ra = TCG_GETPC();

    if ((env->cr[4] & CR4_VME) && !int_redirection_bit(env, (int)vec, ra)) {
        int_redirect_to_ivt(env, (int)vec, next_eip, ra);
        return;
    }
    if (((env->eflags & IOPL_MASK) >> IOPL_SHIFT) < 3) {
        x86_raise_exception_err(env, EXCP_GP, 0, ra);
    }
    raise_software_interrupt(env, (int)vec, next_eip, ra);
}

void helper_into(X86CPUState *env, uint64_t next_eip)
{
    if (x86_cc_compute_all(env) & CC_O) {
        raise_software_interrupt(env, EXCP_OF, next_eip, TCG_GETPC());
    }
}

void helper_fetch_fault(X86CPUState *env, uint64_t linear)
{
    uint8_t b;
    uint32_t err;

    if (x86_code_read(env, linear, &b, 1, &err) < 0) {
        env->cr[2] = linear;
        x86_raise_exception_err(env, EXCP_PF, err, TCG_GETPC());
    }
    x86_raise_exception(env, EXCP_UD, TCG_GETPC());
}

void helper_hlt(X86CPUState *env, uint64_t next_eip)
{
    TCGCPU *cpu = current_tcg_cpu;

    env->rip = next_eip;
    env->hflags &= ~HF_INHIBIT_IRQ_MASK;
    env->hflags |= HF_HALTED_MASK;
    cpu->exception_index = EXCP_HLT;
    env->exception_index = -1;
    tcg_cpu_loop_exit(cpu);
}

/* A debugger stop (breakpoint before an instruction, or gdb's single step
 * after one): rip already holds where the guest stands; not a guest event. */
void helper_debug_stop(X86CPUState *env)
{
    TCGCPU *cpu = current_tcg_cpu;

    cpu->exception_index = EXCP_DEBUG;
    env->exception_index = -1;
    tcg_cpu_loop_exit(cpu);
}

void helper_check_priv(X86CPUState *env)
{
    if (x86_cpl(env) != 0) {
        x86_raise_exception_err(env, EXCP_GP, 0, TCG_GETPC());
    }
}

/* SDM Vol.3 20.1.4: real-mode delivery through the IVT. */
static void do_interrupt_real(X86CPUState *env, int vec, uint64_t ret_eip)
{
    X86Stack st = x86_cur_stack(env, 0);
    uint32_t ent;

    if ((uint32_t)vec * 4 + 3 > env->idt.limit) {
        x86_raise_exception_err(env, EXCP_GP, vec * 8 + 2, 0);
    }
    ent = x86_ld(env, env->idt.base + vec * 4, 4, x86_mmu_index(env), 0);
    ivt_call(env, &st, x86_eflags_get(env), ret_eip, ent);
    env->eflags &= ~(uint64_t)(IF_MASK | TF_MASK | AC_MASK | RF_MASK);
}

/* Stack for a privilege change to dpl, from the 32- or 16-bit TSS. */
static void tss_stack32(X86CPUState *env, unsigned dpl, uint32_t *ss, uint32_t *esp)
{
    bool tss32 = (env->tr.flags >> DESC_TYPE_SHIFT) & 8;
    unsigned shift = tss32 ? 3 : 2;
    uint32_t off = (dpl << shift) + 2 + (tss32 ? 2 : 0);
    unsigned mmu = x86_sup_mmu(env);

    if (!(env->tr.flags & DESC_P_MASK) || off + (4u << (shift - 2)) - 1 > env->tr.limit) {
        x86_raise_exception_err(env, EXCP_TS, env->tr.selector & 0xfffc, 0);
    }
    if (tss32) {
        *esp = x86_ld(env, env->tr.base + off, 4, mmu, 0);
        *ss = x86_ld(env, env->tr.base + off + 4, 2, mmu, 0);
    } else {
        *esp = x86_ld(env, env->tr.base + off, 2, mmu, 0);
        *ss = x86_ld(env, env->tr.base + off + 2, 2, mmu, 0);
    }
}

/* Reads and checks the IDT gate of vec (8-byte legacy form). */
static void read_gate32(X86CPUState *env, int vec, bool is_int,
                        uint32_t *e1, uint32_t *e2)
{
    unsigned type;

    if ((uint32_t)vec * 8 + 7 > env->idt.limit) {
        x86_raise_exception_err(env, EXCP_GP, vec * 8 + 2, 0);
    }
    *e1 = x86_ld(env, env->idt.base + vec * 8, 4, x86_sup_mmu(env), 0);
    *e2 = x86_ld(env, env->idt.base + vec * 8 + 4, 4, x86_sup_mmu(env), 0);
    type = (*e2 >> DESC_TYPE_SHIFT) & 0x1f;
    if (type != 5 && type != 6 && type != 7 && type != 14 && type != 15) {
        x86_raise_exception_err(env, EXCP_GP, vec * 8 + 2, 0);
    }
    if (is_int && x86_desc_dpl(*e2) < x86_cpl(env)) {
        x86_raise_exception_err(env, EXCP_GP, vec * 8 + 2, 0);
    }
    if (!(*e2 & DESC_P_MASK)) {
        x86_raise_exception_err(env, EXCP_NP, vec * 8 + 2, 0);
    }
}

/* Checks the gate's target code segment: its descriptor via e1/e2. */
static void check_gate_target(X86CPUState *env, uint32_t sel, uint32_t *e1,
                              uint32_t *e2)
{
    if ((sel & 0xfffc) == 0) {
        x86_raise_exception_err(env, EXCP_GP, 0, 0);
    }
    if (x86_load_desc(env, sel, e1, e2, 0) < 0) {
        x86_raise_exception_err(env, EXCP_GP, sel & 0xfffc, 0);
    }
    if (!(*e2 & DESC_S_MASK) || !(*e2 & DESC_CS_MASK) ||
        x86_desc_dpl(*e2) > x86_cpl(env)) {
        x86_raise_exception_err(env, EXCP_GP, sel & 0xfffc, 0);
    }
    if (!(*e2 & DESC_P_MASK)) {
        x86_raise_exception_err(env, EXCP_NP, sel & 0xfffc, 0);
    }
}

/* SDM Vol.3 6.12.2: an interrupt through a task gate switches tasks as a
 * CALL would, then pushes the error code on the new task's stack. */
static void interrupt_task_gate(X86CPUState *env, uint32_t sel, int err, bool has_err,
                                uint64_t ret_eip)
{
    uint32_t e1, e2;
    X86Stack st;

    unsigned type;

    if ((sel & 4) || x86_load_desc(env, sel, &e1, &e2, 0) < 0) {
        x86_raise_exception_err(env, EXCP_TS, sel & 0xfffc, 0);
    }
    type = (e2 >> DESC_TYPE_SHIFT) & 0x1f;
    if (type != 9 && type != 1) {        /* an available TSS, 32- or 16-bit */
        x86_raise_exception_err(env, EXCP_TS, sel & 0xfffc, 0);
    }
    x86_task_switch(env, sel, e1, e2, X86_TASK_CALL, ret_eip, 0);
    if (has_err) {   /* a word on the stack of a 16-bit task (SDM Vol.3 6.12.2) */
        st = x86_cur_stack(env, 0);
        x86_push(env, &st, (uint32_t)err, type == 9 ? 4 : 2);
        x86_set_sp(env, st.sp, st.mask);
    }
}

/* SDM Vol.3 6.12.1: protected-mode delivery (32-bit and 16-bit gates). */
static void do_interrupt_pm32(X86CPUState *env, int vec, bool is_int, int err,
                              bool has_err, uint64_t ret_eip)
{
    uint32_t e1, e2, ce1, ce2, sel, new_ss = 0, new_esp = 0;
    unsigned type, dpl, size;
    bool from_vm = env->eflags & VM_MASK, stack_switch;
    X86Stack st;
    uint64_t old_eflags = x86_eflags_get(env);
    SegmentCache old_ss = env->segs[R_SS];
    uint64_t old_esp = env->regs[R_ESP];

    read_gate32(env, vec, is_int, &e1, &e2);
    type = (e2 >> DESC_TYPE_SHIFT) & 0x1f;
    if (type == 5) {
        interrupt_task_gate(env, e1 >> 16, err, has_err, ret_eip);
        return;
    }
    size = (type & 8) ? 4 : 2;
    sel = e1 >> 16;
    check_gate_target(env, sel, &ce1, &ce2);
    dpl = x86_desc_dpl(ce2);
    stack_switch = !(ce2 & DESC_C_MASK) && dpl < x86_cpl(env);
    if (from_vm && dpl != 0) {
        x86_raise_exception_err(env, EXCP_GP, sel & 0xfffc, 0);
    }
    if (stack_switch) {
        uint32_t se1, se2;
        tss_stack32(env, dpl, &new_ss, &new_esp);
        if ((new_ss & 0xfffc) == 0 || (new_ss & 3) != dpl ||
            x86_load_desc(env, new_ss, &se1, &se2, 0) < 0 ||
            x86_desc_dpl(se2) != dpl || !(se2 & DESC_S_MASK) ||
            (se2 & DESC_CS_MASK) || !(se2 & DESC_W_MASK)) {
            x86_raise_exception_err(env, EXCP_TS, new_ss & 0xfffc, 0);
        }
        if (!(se2 & DESC_P_MASK)) {
            x86_raise_exception_err(env, EXCP_SS, new_ss & 0xfffc, 0);
        }
        x86_stack_from_desc(&st, new_ss, se1, se2);
        st.sp = new_esp & st.mask;
        st.mmu = x86_sup_mmu(env);
        st.ra = 0;
        if (from_vm) {
            x86_push(env, &st, env->segs[R_GS].selector, size);
            x86_push(env, &st, env->segs[R_FS].selector, size);
            x86_push(env, &st, env->segs[R_DS].selector, size);
            x86_push(env, &st, env->segs[R_ES].selector, size);
        }
        x86_push(env, &st, old_ss.selector, size);
        x86_push(env, &st, old_esp, size);
        x86_seg_load_desc(env, R_SS, (new_ss & ~3u) | dpl, se1, se2);
    } else {
        st = x86_cur_stack(env, 0);
        st.mmu = dpl == 3 ? X86_MMU_USER : x86_sup_mmu(env);
    }
    x86_push(env, &st, old_eflags, size);
    x86_push(env, &st, env->segs[R_CS].selector, size);
    x86_push(env, &st, ret_eip, size);
    if (has_err) {
        x86_push(env, &st, (uint32_t)err, size);
    }
    if (from_vm) {
        for (int s = R_ES; s <= R_GS; s++) {
            if (s != R_CS && s != R_SS) {
                x86_seg_load_cache(env, s, 0, 0, 0, 0);
            }
        }
    }
    x86_set_sp(env, st.sp, st.mask);
    x86_seg_load_desc(env, R_CS, (sel & ~3u) | (stack_switch ? dpl : x86_cpl(env)),
                      ce1, ce2);
    env->rip = size == 2 ? (e1 & 0xffff) : ((e1 & 0xffff) | (e2 & 0xffff0000u));
    env->eflags &= ~(uint64_t)(TF_MASK | VM_MASK | RF_MASK | NT_MASK);
    if (!(type & 1)) {
        env->eflags &= ~(uint64_t)IF_MASK;
    }
    x86_update_hflags(env);
}

/* SDM Vol.3 6.14: long-mode delivery (16-byte gates, 64-bit pushes, IST). */
static void do_interrupt_lm(X86CPUState *env, int vec, bool is_int, int err,
                            bool has_err, uint64_t ret_eip)
{
    uint64_t addr = env->idt.base + vec * 16, new_rsp;
    unsigned mmu = x86_sup_mmu(env), type, dpl, ist;
    uint32_t e1, e2, e3, ce1, ce2, sel;
    uint64_t old_eflags = x86_eflags_get(env);
    X86Stack st;

    if ((uint32_t)vec * 16 + 15 > env->idt.limit) {
        x86_raise_exception_err(env, EXCP_GP, vec * 8 + 2, 0);
    }
    e1 = x86_ld(env, addr, 4, mmu, 0);
    e2 = x86_ld(env, addr + 4, 4, mmu, 0);
    e3 = x86_ld(env, addr + 8, 4, mmu, 0);
    type = (e2 >> DESC_TYPE_SHIFT) & 0x1f;
    if ((type != 14 && type != 15) ||
        (is_int && x86_desc_dpl(e2) < x86_cpl(env))) {
        x86_raise_exception_err(env, EXCP_GP, vec * 8 + 2, 0);
    }
    if (!(e2 & DESC_P_MASK)) {
        x86_raise_exception_err(env, EXCP_NP, vec * 8 + 2, 0);
    }
    sel = e1 >> 16;
    check_gate_target(env, sel, &ce1, &ce2);
    if (!(ce2 & DESC_L_MASK) || (ce2 & DESC_B_MASK)) {
        x86_raise_exception_err(env, EXCP_GP, sel & 0xfffc, 0);
    }
    dpl = (ce2 & DESC_C_MASK) ? x86_cpl(env) : x86_desc_dpl(ce2);
    ist = e2 & 7;
    new_rsp = env->regs[R_ESP];
    if (ist || dpl < x86_cpl(env)) {
        uint32_t off = ist ? 0x24 + (ist - 1) * 8 : 4 + dpl * 8;
        if (off + 7 > env->tr.limit) {
            x86_raise_exception_err(env, EXCP_TS, env->tr.selector & 0xfffc, 0);
        }
        new_rsp = x86_ld(env, env->tr.base + off, 8, mmu, 0);
    }
    st.base = 0;
    st.mask = ~0ULL;
    st.check = false;
    st.sp = new_rsp & ~15ULL;
    st.mmu = dpl == 3 ? X86_MMU_USER : mmu;
    st.ra = 0;
    x86_push(env, &st, env->segs[R_SS].selector, 8);
    x86_push(env, &st, env->regs[R_ESP], 8);
    x86_push(env, &st, old_eflags, 8);
    x86_push(env, &st, env->segs[R_CS].selector, 8);
    x86_push(env, &st, ret_eip, 8);
    if (has_err) {
        x86_push(env, &st, (uint32_t)err, 8);
    }
    env->regs[R_ESP] = st.sp;
    if (dpl < x86_cpl(env)) {
        x86_seg_load_cache(env, R_SS, dpl, 0, 0, DESC_B_MASK | ((uint32_t)dpl << DESC_DPL_SHIFT));
    }
    x86_seg_load_desc(env, R_CS, (sel & ~3u) | dpl, ce1, ce2);
    env->rip = (e1 & 0xffff) | (e2 & 0xffff0000u) | ((uint64_t)e3 << 32);
    env->eflags &= ~(uint64_t)(TF_MASK | VM_MASK | RF_MASK | NT_MASK);
    if (!(type & 1)) {
        env->eflags &= ~(uint64_t)IF_MASK;
    }
    x86_update_hflags(env);
}

void x86_do_interrupt(X86CPUState *env, int vec, bool is_int, int err,
                      bool has_err, uint64_t next_eip, bool is_hw)
{
    uint64_t ret_eip = is_int ? next_eip : env->rip;

    log_mask(LOG_INT, "x86: %s %d (err 0x%x) at %04x:%08" PRIx64 " CPL=%u\n",
             is_hw ? "interrupt" : is_int ? "INT" : "exception", vec, err,
             env->segs[R_CS].selector, env->rip, env->hflags & HF_CPL_MASK);
    /* Folding the lazy flags first keeps the pushed EFLAGS exact. */
    helper_cc_materialize(env);
    if (!is_int && !is_hw && vec != EXCP_DB) {
        /* SDM Vol.3 17.3.1.1: fault-class exceptions push RF = 1 (so the
         * faulting instruction is not stopped again by an instruction
         * breakpoint when it restarts); #DB sets RF itself where due. */
        env->eflags |= RF_MASK;
    }
    if (vec == EXCP_DB && !is_int) {
        env->dr[7] &= ~(uint64_t)DR7_GD;   /* SDM 17.2.4: GD cleared on entry */
    }
    /* What an instruction that faults met is not reported; what the
     * delivery's own accesses meet is, before the handler runs. */
    env->dr_hits = 0;
    if (!x86_pe(env)) {
        do_interrupt_real(env, vec, ret_eip);
    } else if (x86_long_mode(env)) {
        do_interrupt_lm(env, vec, is_int, err, has_err, ret_eip);
    } else {
        do_interrupt_pm32(env, vec, is_int, err, has_err, ret_eip);
    }
    env->hflags &= ~(HF_INHIBIT_IRQ_MASK | HF_HALTED_MASK);
    if (vec == EXCP_DB) {
        env->dr_hits &= X86_DR_HIT_TASK;   /* a #DB's own pushes raise no other */
    }
}

bool x86_deliver_exception(X86CPUState *env)
{
    int vec = env->exception_index;

    if (vec == EXCP_SHUTDOWN) {
        log_mask(LOG_GUEST_ERRORS | LOG_INT, "x86: triple fault at rip 0x%" PRIx64 "\n",
                 env->rip);
        env->old_exception = 0;
        return false;
    }
    if (vec < 0 || vec > 255) {
        return true;
    }
    env->old_exception = env->exception_is_int ? 0 : vec + 1;
    x86_do_interrupt(env, vec, env->exception_is_int, env->error_code,
                     env->has_error_code, env->exception_next_eip, false);
    env->old_exception = 0;
    env->exception_index = -1;
    env->exception_is_int = false;
    return true;
}

bool x86_deliver_hw_interrupt(X86CPUState *env, int vec)
{
    env->old_exception = 0;
    x86_do_interrupt(env, vec, false, 0, false, 0, true);
    return true;
}

/* SDM Vol.3 6.8.1 / 6.7.1: NMI first (unless one is being handled), then
 * INTR when IF=1 and no STI / MOV SS shadow covers this boundary. */
bool x86_exec_interrupt(void *envp, TCGCPU *tc)
{
    X86CPUState *env = envp;
    X86CPU *cpu = container_of(env, X86CPU, env);
    CPUState *cs = &cpu->cs;
    int req = g_atomic_int_get(&cs->interrupt_request);
    int vec;

    (void)tc;
    if (env->dr_hits && x86_dr_deliver_pending_trap(env)) {
        return true;   /* a trap of the previous instruction comes first */
    }
    if (req & CPU_INTERRUPT_EXITTB) {
        /* The board changed something the TLB caches (the A20 gate). */
        cpu_reset_interrupt(cs, CPU_INTERRUPT_EXITTB);
        x86_tlb_flush(env);
        return true;
    }
    if (env->hflags & HF_INHIBIT_IRQ_MASK) {
        return false;
    }
    if ((req & CPU_INTERRUPT_NMI) && !(env->hflags & HF_NMI_MASK)) {
        cpu_reset_interrupt(cs, CPU_INTERRUPT_NMI);
        env->hflags |= HF_NMI_MASK;
        return x86_deliver_hw_interrupt(env, EXCP_NMI);
    }
    if (!(req & CPU_INTERRUPT_HARD) || !(env->eflags & IF_MASK) || !cpu->int_ack) {
        return false;
    }
    if (bql_locked()) {
        vec = cpu->int_ack(cpu->int_ack_opaque);
    } else {
        bql_lock();
        vec = cpu->int_ack(cpu->int_ack_opaque);
        bql_unlock();
    }
    if (vec < 0) {
        return false;
    }
    return x86_deliver_hw_interrupt(env, vec & 0xff);
}

int x86_handle_exception(void *envp, TCGCPU *tc)
{
    X86CPUState *env = envp;
    int idx = tc->exception_index;

    if (idx == EXCP_HLT || idx == EXCP_SHUTDOWN || idx == EXCP_DEBUG) {
        return idx;
    }
    env->exception_index = idx;
    tc->exception_index = -1;
    return x86_deliver_exception(env) ? -1 : EXCP_SHUTDOWN;
}
