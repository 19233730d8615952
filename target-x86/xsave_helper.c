/*
 * xsave_helper.c: the XSAVE feature set of the software CPU for the x87
 * (XCR0 bit 0) and SSE (bit 1) components only: XGETBV, XSETBV, XSAVE,
 * XSAVEOPT and the standard (non-compacted) form of XRSTOR (SDM Vol.1
 * ch.13). The area is the FXSAVE layout at 0..511 (64-bit format, as
 * helper_fxsave writes it) followed by the 64-byte XSAVE header, 576
 * bytes in all, which is what CPUID.0xD (cpuid-tcg.c) reports. XSAVEOPT
 * behaves as XSAVE (the modified optimisation is optional, SDM 13.9) and
 * every requested component is reported in use (XINUSE = 1 is always
 * allowed, SDM 13.6), so XSTATE_BV gets every RFBM bit.
 */
#include "vireo/common.h"
#include "tcg/tb.h"
#include "target-x86/helper-internal.h"

#define XSAVE_HDR 512
#define XCR0_SUPPORTED 3ull     /* x87 | SSE */

/* #UD / #NM checks common to the XSAVE family (SDM Vol.2 XSAVE, XRSTOR). */
static void xsave_check(X86CPUState *env, uint64_t addr, uintptr_t ra)
{
    if (!(env->cr[4] & CR4_OSXSAVE)) {
        x86_raise_exception(env, EXCP_UD, ra);
    }
    if (env->cr[0] & CR0_TS) {
        x86_raise_exception(env, EXCP_NM, ra);
    }
    if (addr & 63) {
        x86_raise_exception_err(env, EXCP_GP, 0, ra);
    }
}

static uint64_t xsave_rfbm(const X86CPUState *env)
{
    return env->xcr0 & ((uint64_t)(uint32_t)env->regs[R_EDX] << 32 |
                        (uint32_t)env->regs[R_EAX]);
}

void helper_xgetbv(X86CPUState *env)
{
    uintptr_t ra = TCG_GETPC();

    if (!(env->cr[4] & CR4_OSXSAVE)) {
        x86_raise_exception(env, EXCP_UD, ra);
    }
    if ((uint32_t)env->regs[R_ECX] != 0) {
        x86_raise_exception_err(env, EXCP_GP, 0, ra);
    }
    env->regs[R_EAX] = (uint32_t)env->xcr0;
    env->regs[R_EDX] = (uint32_t)(env->xcr0 >> 32);
}

void helper_xsetbv(X86CPUState *env)
{
    uintptr_t ra = TCG_GETPC();
    uint64_t v = (uint64_t)(uint32_t)env->regs[R_EDX] << 32 | (uint32_t)env->regs[R_EAX];

    if (!(env->cr[4] & CR4_OSXSAVE)) {
        x86_raise_exception(env, EXCP_UD, ra);
    }
    /* SDM Vol.2 XSETBV: #GP at CPL > 0, for an ECX other than 0, without
     * x87 (bit 0) or with a bit the CPU does not support (AVX included). */
    if (x86_cpl(env) != 0 || (uint32_t)env->regs[R_ECX] != 0 || !(v & 1) ||
        (v & ~XCR0_SUPPORTED)) {
        x86_raise_exception_err(env, EXCP_GP, 0, ra);
    }
    env->xcr0 = v;
}

static uint16_t x87_status(const X86CPUState *env)
{
    return (env->fpus & ~0x3800) | ((env->fpstt & 7) << 11);
}

static void save_x87(X86CPUState *env, uint64_t a, unsigned mmu, uintptr_t ra)
{
    uint8_t tags = 0;

    for (int i = 0; i < 8; i++) {
        tags |= env->fptags[i] ? 0 : 1u << i;
    }
    x86_st(env, a, env->fpuc, 2, mmu, ra);
    x86_st(env, a + 2, x87_status(env), 2, mmu, ra);
    x86_st(env, a + 4, tags, 1, mmu, ra);
    x86_st(env, a + 5, 0, 1, mmu, ra);
    x86_st(env, a + 6, env->fpop, 2, mmu, ra);
    x86_st(env, a + 8, env->fpip, 8, mmu, ra);
    x86_st(env, a + 16, env->fpdp, 8, mmu, ra);
    for (int i = 0; i < 8; i++) {
        const FloatX80 *r = &env->fpregs[(env->fpstt + i) & 7];
        x86_st(env, a + 32 + i * 16, r->mant, 8, mmu, ra);
        x86_st(env, a + 40 + i * 16, r->sexp, 2, mmu, ra);
        x86_st(env, a + 42 + i * 16, 0, 2, mmu, ra);
        x86_st(env, a + 44 + i * 16, 0, 4, mmu, ra);
    }
}

static void load_x87(X86CPUState *env, uint64_t a, unsigned mmu, uintptr_t ra)
{
    uint16_t fsw = x86_ld(env, a + 2, 2, mmu, ra);
    uint8_t tags = x86_ld(env, a + 4, 1, mmu, ra);

    env->fpuc = x86_ld(env, a, 2, mmu, ra);
    env->fpstt = (fsw >> 11) & 7;
    env->fpus = fsw & ~0x3800;
    for (int i = 0; i < 8; i++) {
        env->fptags[i] = !((tags >> i) & 1);
    }
    env->fpop = x86_ld(env, a + 6, 2, mmu, ra);
    env->fpip = x86_ld(env, a + 8, 8, mmu, ra);
    env->fpdp = x86_ld(env, a + 16, 8, mmu, ra);
    for (int i = 0; i < 8; i++) {
        FloatX80 *r = &env->fpregs[(env->fpstt + i) & 7];
        r->mant = x86_ld(env, a + 32 + i * 16, 8, mmu, ra);
        r->sexp = x86_ld(env, a + 40 + i * 16, 2, mmu, ra);
    }
}

/* The x87 initial configuration (SDM Vol.1 13.6): as after FNINIT, with
 * the registers zero. */
static void init_x87(X86CPUState *env)
{
    env->fpuc = 0x37f;
    env->fpus = 0;
    env->fpstt = 0;
    memset(env->fptags, 1, sizeof(env->fptags));
    env->fpop = 0;
    env->fpip = env->fpdp = 0;
    env->fpcs = env->fpds = 0;
    memset(env->fpregs, 0, sizeof(env->fpregs));
}

void helper_xsave(X86CPUState *env, uint64_t addr)
{
    uintptr_t ra = TCG_GETPC();
    unsigned mmu = x86_mmu_index(env);
    int nxmm = x86_code64(env) ? 16 : 8;
    uint64_t rfbm, bv;

    xsave_check(env, addr, ra);
    rfbm = xsave_rfbm(env);
    /* Probe both ends first so a fault leaves memory as it was. */
    bv = x86_ld(env, addr + XSAVE_HDR, 8, mmu, ra);
    x86_st(env, addr, x86_ld(env, addr, 1, mmu, ra), 1, mmu, ra);
    x86_st(env, addr + XSAVE_HDR + 63, x86_ld(env, addr + XSAVE_HDR + 63, 1, mmu, ra), 1,
           mmu, ra);
    if (rfbm & 1) {
        save_x87(env, addr, mmu, ra);
    }
    if (rfbm & 2) {
        /* MXCSR and MXCSR_MASK go with SSE (or AVX) state (SDM 13.7). */
        x86_st(env, addr + 24, env->mxcsr, 4, mmu, ra);
        x86_st(env, addr + 28, 0xffff, 4, mmu, ra);
        for (int i = 0; i < nxmm; i++) {
            x86_st(env, addr + 160 + i * 16, env->xmm[i].q[0], 8, mmu, ra);
            x86_st(env, addr + 168 + i * 16, env->xmm[i].q[1], 8, mmu, ra);
        }
    }
    /* Only the XSTATE_BV bits of RFBM are written; XCOMP_BV is not. */
    x86_st(env, addr + XSAVE_HDR, (bv & ~rfbm) | rfbm, 8, mmu, ra);
}

void helper_xrstor(X86CPUState *env, uint64_t addr)
{
    uintptr_t ra = TCG_GETPC();
    unsigned mmu = x86_mmu_index(env);
    int nxmm = x86_code64(env) ? 16 : 8;
    uint64_t rfbm, bv;
    uint32_t mxcsr = env->mxcsr;

    xsave_check(env, addr, ra);
    rfbm = xsave_rfbm(env);
    bv = x86_ld(env, addr + XSAVE_HDR, 8, mmu, ra);
    /* Standard form (SDM 13.8): XCOMP_BV and the next 8 bytes must be 0,
     * and XSTATE_BV may not name a component XCR0 leaves disabled. Every
     * check comes before the first change of state. */
    if ((bv & ~env->xcr0) || x86_ld(env, addr + XSAVE_HDR + 8, 8, mmu, ra) ||
        x86_ld(env, addr + XSAVE_HDR + 16, 8, mmu, ra)) {
        x86_raise_exception_err(env, EXCP_GP, 0, ra);
    }
    x86_ld(env, addr, 1, mmu, ra);
    x86_ld(env, addr + XSAVE_HDR + 63, 1, mmu, ra);
    if (rfbm & 2) {
        /* MXCSR is loaded whenever RFBM[1] is set, even for XSTATE_BV[1] = 0. */
        mxcsr = x86_ld(env, addr + 24, 4, mmu, ra);
        if (mxcsr & ~0xffffu) {
            x86_raise_exception_err(env, EXCP_GP, 0, ra);
        }
    }
    if (rfbm & 1) {
        if (bv & 1) {
            load_x87(env, addr, mmu, ra);
        } else {
            init_x87(env);
        }
    }
    if (rfbm & 2) {
        env->mxcsr = mxcsr;
        for (int i = 0; i < nxmm; i++) {
            if (bv & 2) {
                env->xmm[i].q[0] = x86_ld(env, addr + 160 + i * 16, 8, mmu, ra);
                env->xmm[i].q[1] = x86_ld(env, addr + 168 + i * 16, 8, mmu, ra);
            } else {
                env->xmm[i].q[0] = env->xmm[i].q[1] = 0;
            }
        }
    }
}
