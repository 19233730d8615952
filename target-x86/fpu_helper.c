/*
 * fpu_helper.c: the x87/SSE *state* instructions the software CPU runs
 * before floating-point arithmetic exists: FNINIT, FNCLEX, FNSTSW, FNSTCW,
 * FLDCW, FWAIT, EMMS, LDMXCSR/STMXCSR and FXSAVE/FXRSTOR (SDM Vol.1 10.5.1
 * layout). Operating systems probe and save the FPU with exactly these;
 * the arithmetic comes with the softfloat-based translator. CR0.EM/TS give
 * #NM (x87, FXSAVE) or #UD (SSE state with EM) as the SDM says.
 * It also holds the pending-exception check of every waiting x87/MMX
 * instruction: #MF with CR0.NE set, else the MS-DOS compatible FERR# /
 * IGNNE# protocol (docs/interrupts.md, "x87 errors and IRQ13").
 */
#include "vireo/common.h"
#include "vireo/log.h"
#include "hw/irq.h"
#include "system/bql.h"
#include "tcg/tb.h"
#include "target-x86/helper-internal.h"

#define FSW_ES 0x0080u

/* Drives the FERR# output; the board's handler runs under the BQL. */
static void set_ferr(X86CPUState *env, bool level)
{
    X86CPU *cpu = container_of(env, X86CPU, env);
    bool locked;

    if (cpu->ferr_level == level) {
        return;
    }
    cpu->ferr_level = level;
    locked = bql_locked();
    if (!locked) {
        bql_lock();
    }
    irq_set(cpu->ferr, level);
    if (!locked) {
        bql_unlock();
    }
}

void x86_cpu_set_ignne(X86CPU *cpu, bool level)
{
    cpu->ignne = level;
}

void x86_fpu_update_ferr(X86CPUState *env)
{
    if (!(env->fpus & FSW_ES)) {
        set_ferr(env, false);
    }
}

/*
 * SDM Vol.1 8.7.1: with CR0.NE set, #MF before the waiting instruction.
 * 8.7.2 and Appendix D (MS-DOS compatibility sub-mode, CR0.NE clear):
 * FERR# is asserted (here deferred to the waiting instruction, which the
 * SDM allows) and the processor freezes just before the instruction until
 * an interrupt arrives; the PC routes FERR# to IRQ13, whose handler
 * returns to the instruction, which then checks again. With IGNNE#
 * asserted (the chipset does so after a write to port 0xF0) the error is
 * ignored and the instruction runs.
 */
void x86_fpu_check_pending(X86CPUState *env, uintptr_t ra)
{
    X86CPU *cpu = container_of(env, X86CPU, env);
    TCGCPU *tc = current_tcg_cpu;

    if (!(env->fpus & FSW_ES)) {
        set_ferr(env, false);
        return;
    }
    if (env->cr[0] & CR0_NE) {
        x86_raise_exception(env, EXCP_MF, ra);
    }
    if (!cpu->ferr) {
        log_mask(LOG_UNIMP, "x87: pending exception with CR0.NE clear and no FERR# "
                 "wiring: ignored as with IGNNE#\n");
        return;
    }
    if (cpu->ignne) {
        return;
    }
    set_ferr(env, true);
    /* The freeze: halted at this instruction; an interrupt wakes the CPU
     * and its handler returns here (no STI shadow survives a freeze). */
    env->hflags &= ~HF_INHIBIT_IRQ_MASK;
    env->hflags |= HF_HALTED_MASK;
    env->exception_index = -1;
    tc->exception_index = EXCP_HLT;
    tcg_cpu_loop_exit_restore(tc, ra);
}

/* #NM / #UD checks of SDM Vol.3 Table 2-2; sse selects the SSE column. */
static void fpu_check(X86CPUState *env, bool sse, uintptr_t ra)
{
    if (sse && ((env->cr[0] & CR0_EM) || !(env->cr[4] & CR4_OSFXSR))) {
        x86_raise_exception(env, EXCP_UD, ra);
    }
    if (!sse && (env->cr[0] & CR0_EM)) {
        x86_raise_exception(env, EXCP_NM, ra);
    }
    if (env->cr[0] & CR0_TS) {
        x86_raise_exception(env, EXCP_NM, ra);
    }
}

static uint16_t fpu_status(const X86CPUState *env)
{
    return (env->fpus & ~0x3800) | ((env->fpstt & 7) << 11);
}

void helper_fpu_check(X86CPUState *env, uint64_t sse)
{
    fpu_check(env, sse, TCG_GETPC());
}

void helper_fninit(X86CPUState *env)
{
    fpu_check(env, false, TCG_GETPC());
    env->fpuc = 0x37f;
    env->fpus = 0;
    x86_fpu_update_ferr(env);
    env->fpstt = 0;
    memset(env->fptags, 1, sizeof(env->fptags));
    env->fpop = 0;
    env->fpip = env->fpdp = 0;
    env->fpcs = env->fpds = 0;
}

void helper_fnclex(X86CPUState *env)
{
    fpu_check(env, false, TCG_GETPC());
    env->fpus &= 0x7f00;
    x86_fpu_update_ferr(env);
}

uint64_t helper_fnstsw(X86CPUState *env)
{
    fpu_check(env, false, TCG_GETPC());
    return fpu_status(env);
}

uint64_t helper_fnstcw(X86CPUState *env)
{
    fpu_check(env, false, TCG_GETPC());
    return env->fpuc;
}

void helper_fldcw(X86CPUState *env, uint64_t val)
{
    uintptr_t ra = TCG_GETPC();

    fpu_check(env, false, ra);
    /* A waiting instruction: a pending unmasked exception first. */
    x86_fpu_check_pending(env, ra);
    env->fpuc = (uint16_t)val;
    /* ES and B follow the flags under the new masks (SDM Vol.1 8.1.3.1). */
    if (env->fpus & ~env->fpuc & 0x3f) {
        env->fpus |= 0x8080;
    } else {
        env->fpus &= ~0x8080;
    }
    x86_fpu_update_ferr(env);
}

void helper_emms(X86CPUState *env)
{
    fpu_check(env, false, TCG_GETPC());
    env->fpstt = 0;     /* SDM Vol.1 Table 9-2: EMMS also sets TOP to 0 */
    memset(env->fptags, 1, sizeof(env->fptags));
}

void helper_ldmxcsr(X86CPUState *env, uint64_t val)
{
    uintptr_t ra = TCG_GETPC();

    fpu_check(env, true, ra);
    if (val & ~0xffffULL) {
        x86_raise_exception_err(env, EXCP_GP, 0, ra);
    }
    env->mxcsr = (uint32_t)val;
}

uint64_t helper_stmxcsr(X86CPUState *env)
{
    fpu_check(env, true, TCG_GETPC());
    return env->mxcsr;
}

/* Abridged tag word: bit i set when physical register i is valid. */
static uint8_t abridged_tags(const X86CPUState *env)
{
    uint8_t t = 0;

    for (int i = 0; i < 8; i++) {
        t |= env->fptags[i] ? 0 : 1u << i;
    }
    return t;
}

void helper_fxsave(X86CPUState *env, uint64_t addr)
{
    uintptr_t ra = TCG_GETPC();
    unsigned mmu = x86_mmu_index(env);
    bool q = x86_code64(env);

    fpu_check(env, false, ra);
    if (addr & 15) {
        x86_raise_exception_err(env, EXCP_GP, 0, ra);
    }
    /* Probe both ends first so a fault leaves memory as it was. */
    x86_st(env, addr + 511, x86_ld(env, addr + 511, 1, mmu, ra), 1, mmu, ra);
    x86_st(env, addr, env->fpuc, 2, mmu, ra);
    x86_st(env, addr + 2, fpu_status(env), 2, mmu, ra);
    x86_st(env, addr + 4, abridged_tags(env), 1, mmu, ra);
    x86_st(env, addr + 5, 0, 1, mmu, ra);
    x86_st(env, addr + 6, env->fpop, 2, mmu, ra);
    x86_st(env, addr + 8, q ? env->fpip : (uint32_t)env->fpip | ((uint64_t)env->fpcs << 32),
           8, mmu, ra);
    x86_st(env, addr + 16, q ? env->fpdp : (uint32_t)env->fpdp | ((uint64_t)env->fpds << 32),
           8, mmu, ra);
    x86_st(env, addr + 24, env->mxcsr, 4, mmu, ra);
    x86_st(env, addr + 28, 0xffff, 4, mmu, ra);   /* MXCSR_MASK */
    for (int i = 0; i < 8; i++) {
        const FloatX80 *r = &env->fpregs[(env->fpstt + i) & 7];
        x86_st(env, addr + 32 + i * 16, r->mant, 8, mmu, ra);
        x86_st(env, addr + 40 + i * 16, r->sexp, 2, mmu, ra);
    }
    for (int i = 0; i < (q ? 16 : 8); i++) {
        x86_st(env, addr + 160 + i * 16, env->xmm[i].q[0], 8, mmu, ra);
        x86_st(env, addr + 168 + i * 16, env->xmm[i].q[1], 8, mmu, ra);
    }
}

void helper_fxrstor(X86CPUState *env, uint64_t addr)
{
    uintptr_t ra = TCG_GETPC();
    unsigned mmu = x86_mmu_index(env);
    bool q = x86_code64(env);
    uint32_t mxcsr;
    uint16_t fsw;
    uint8_t tags;

    fpu_check(env, false, ra);
    if (addr & 15) {
        x86_raise_exception_err(env, EXCP_GP, 0, ra);
    }
    mxcsr = x86_ld(env, addr + 24, 4, mmu, ra);
    if (mxcsr & ~0xffffu) {
        x86_raise_exception_err(env, EXCP_GP, 0, ra);
    }
    x86_ld(env, addr + 511, 1, mmu, ra);
    env->fpuc = x86_ld(env, addr, 2, mmu, ra);
    fsw = x86_ld(env, addr + 2, 2, mmu, ra);
    env->fpstt = (fsw >> 11) & 7;
    env->fpus = fsw & ~0x3800;
    tags = x86_ld(env, addr + 4, 1, mmu, ra);
    for (int i = 0; i < 8; i++) {
        env->fptags[i] = !((tags >> i) & 1);
    }
    env->fpop = x86_ld(env, addr + 6, 2, mmu, ra);
    env->fpip = x86_ld(env, addr + 8, 8, mmu, ra);
    env->fpdp = x86_ld(env, addr + 16, 8, mmu, ra);
    env->mxcsr = mxcsr;
    for (int i = 0; i < 8; i++) {
        FloatX80 *r = &env->fpregs[(env->fpstt + i) & 7];
        r->mant = x86_ld(env, addr + 32 + i * 16, 8, mmu, ra);
        r->sexp = x86_ld(env, addr + 40 + i * 16, 2, mmu, ra);
    }
    for (int i = 0; i < (q ? 16 : 8); i++) {
        env->xmm[i].q[0] = x86_ld(env, addr + 160 + i * 16, 8, mmu, ra);
        env->xmm[i].q[1] = x86_ld(env, addr + 168 + i * 16, 8, mmu, ra);
    }
    x86_fpu_update_ferr(env);
}
