/*
 * misc_helper.c: system instructions executed by helpers: EFLAGS writes
 * (POPF, CLI, STI with their IOPL rules), CPUID, RDMSR/WRMSR, RDTSC(P),
 * MOV to and from control and debug registers, LMSW, CLTS, INVLPG, and
 * port I/O with the IOPL / TSS I/O-bitmap check (SDM Vol.1 19.5). Ports
 * go to current_machine->io through bus_read/bus_write with the BQL held,
 * the same dispatch KVM's exit loop uses.
 */
#include "vireo/common.h"
#include "vireo/log.h"
#include "hw/bus.h"
#include "hw/clock.h"
#include "system/bql.h"
#include "system/machine.h"
#include "tcg/tb.h"
#include "target-x86/cpuid.h"
#include "target-x86/helper-internal.h"

#define GP0(env) x86_raise_exception_err(env, EXCP_GP, 0, TCG_GETPC())

void x86_write_eflags_masked(X86CPUState *env, uint64_t val, uint64_t mask)
{
    uint64_t f = x86_eflags_get(env);

    x86_eflags_set(env, (f & ~mask) | (val & mask));
}

static unsigned iopl(const X86CPUState *env)
{
    return (env->eflags & IOPL_MASK) >> IOPL_SHIFT;
}

/* Virtual-8086 mode with CR4.VME and IOPL < 3: PUSHF, POPF, CLI, STI,
 * INT n and IRET work on VIF instead of IF (SDM Vol.3 20.3.2). */
static bool vme_active(const X86CPUState *env)
{
    return x86_vm86(env) && iopl(env) < 3 && (env->cr[4] & CR4_VME);
}

/* PUSHF: in V86 with IOPL < 3, only the 16-bit form with CR4.VME, which
 * pushes VIF in the IF position and IOPL as 3 (SDM Vol.3 20.3.2). */
uint64_t helper_read_eflags(X86CPUState *env, uint64_t opsize)
{
    uint64_t f = x86_eflags_get(env) & ~(uint64_t)(VM_MASK | RF_MASK);

    if (x86_vm86(env) && iopl(env) < 3) {
        if (!vme_active(env) || opsize != 2) {
            x86_raise_exception_err(env, EXCP_GP, 0, TCG_GETPC());
        }
        f = (f & ~(uint64_t)IF_MASK) | IOPL_MASK | ((f & VIF_MASK) ? IF_MASK : 0);
    }
    return f;
}

/* POPF with CR4.VME in V86, IOPL < 3, 16-bit: the popped IF goes to VIF;
 * IOPL and IF stay; #GP(0) if it would set TF, or set IF with VIP set
 * (SDM POPF, Vol.3 20.3.2). */
static void popf_vme(X86CPUState *env, uint64_t val, uintptr_t ra)
{
    uint64_t mask = (TF_MASK | NT_MASK | DF_MASK | CC_MASK) & 0xffff;

    if ((val & TF_MASK) || ((val & IF_MASK) && (env->eflags & VIP_MASK))) {
        x86_raise_exception_err(env, EXCP_GP, 0, ra);
    }
    x86_write_eflags_masked(env, val, mask);
    env->eflags = (env->eflags & ~(uint64_t)VIF_MASK) | ((val & IF_MASK) ? VIF_MASK : 0);
}

/* POPF (SDM POPF): which bits change depends on CPL, IOPL and V86. */
void helper_write_eflags(X86CPUState *env, uint64_t val, uint64_t opsize)
{
    uint64_t mask = TF_MASK | AC_MASK | ID_MASK | NT_MASK | DF_MASK | CC_MASK;
    unsigned cpl = x86_cpl(env);

    if (x86_vm86(env)) {
        if (iopl(env) < 3) {
            if (!vme_active(env) || opsize != 2) {
                GP0(env);
            }
            popf_vme(env, val, TCG_GETPC());
            return;
        }
        mask |= IF_MASK;
    } else if (!x86_pe(env) || cpl == 0) {
        mask |= IF_MASK | IOPL_MASK;
    } else if (cpl <= iopl(env)) {
        mask |= IF_MASK;
    }
    if (opsize == 2) {
        mask &= 0xffff;
    }
    x86_write_eflags_masked(env, val, mask);
}

static bool iopl_ok(X86CPUState *env)
{
    if (!x86_pe(env)) {
        return true;
    }
    return x86_vm86(env) ? iopl(env) == 3 : x86_cpl(env) <= iopl(env);
}

/* CLI/STI change VIF instead of IF where IOPL forbids IF: V86 with
 * CR4.VME, or CPL 3 with CR4.PVI (SDM CLI, STI; Vol.3 20.3.2, 20.4). */
static bool vif_instead_of_if(const X86CPUState *env)
{
    return x86_vm86(env) ? (env->cr[4] & CR4_VME) != 0
                         : x86_cpl(env) == 3 && (env->cr[4] & CR4_PVI);
}

void helper_cli(X86CPUState *env)
{
    if (iopl_ok(env)) {
        env->eflags &= ~(uint64_t)IF_MASK;
    } else if (vif_instead_of_if(env)) {
        env->eflags &= ~(uint64_t)VIF_MASK;
    } else {
        GP0(env);
    }
}

/* STI: IF=1, and the next instruction runs before any interrupt; or VIF=1
 * (#GP(0) with VIP set: the monitor has an interrupt to deliver). */
void helper_sti(X86CPUState *env)
{
    if (!iopl_ok(env)) {
        if (!vif_instead_of_if(env) || (env->eflags & VIP_MASK)) {
            GP0(env);
        }
        env->eflags |= VIF_MASK;
        return;
    }
    if (!(env->eflags & IF_MASK)) {
        env->hflags |= HF_INHIBIT_IRQ_MASK;
    }
    env->eflags |= IF_MASK;
}

void helper_cpuid(X86CPUState *env)
{
    uint32_t a, b, c, d;

    x86_cpuid(env, (uint32_t)env->regs[R_EAX], (uint32_t)env->regs[R_ECX], &a, &b, &c, &d);
    /* CPUID.1:ECX.OSXSAVE[27] mirrors CR4.OSXSAVE (SDM Vol.2 CPUID). */
    if ((uint32_t)env->regs[R_EAX] == 1 && (c & CPUID_EXT_XSAVE)) {
        c = (c & ~CPUID_EXT_OSXSAVE) | ((env->cr[4] & CR4_OSXSAVE) ? CPUID_EXT_OSXSAVE : 0);
    }
    env->regs[R_EAX] = a;
    env->regs[R_EBX] = b;
    env->regs[R_ECX] = c;
    env->regs[R_EDX] = d;
}

/* The guest TSC: a 1 GHz count of the virtual clock plus the offset, so
 * it agrees with the PIT, the PM timer and the APIC timer (and stops with
 * the VM). */
static uint64_t guest_tsc(X86CPUState *env)
{
    return (uint64_t)clock_get_ns() + env->tsc_offset;
}

void helper_rdtsc(X86CPUState *env)
{
    uint64_t t;

    if ((env->cr[4] & CR4_TSD) && x86_cpl(env) != 0) {
        GP0(env);
    }
    t = guest_tsc(env);
    env->regs[R_EAX] = (uint32_t)t;
    env->regs[R_EDX] = t >> 32;
}

void helper_rdtscp(X86CPUState *env)
{
    helper_rdtsc(env);
    env->regs[R_ECX] = (uint32_t)env->tsc_aux;
}

/* MSR numbers (SDM Vol.4 Table 2-2). */
enum {
    MSR_TSC = 0x10, MSR_APIC_BASE = 0x1b, MSR_FEATURE_CONTROL = 0x3a,
    MSR_BIOS_SIGN_ID = 0x8b, MSR_MTRRCAP = 0xfe, MSR_ARCH_CAPABILITIES = 0x10a,
    MSR_SYSENTER_CS = 0x174, MSR_SYSENTER_ESP = 0x175, MSR_SYSENTER_EIP = 0x176,
    MSR_MCG_CAP = 0x179, MSR_MCG_STATUS = 0x17a, MSR_MISC_ENABLE = 0x1a0,
    MSR_MTRR_PHYSBASE0 = 0x200, MSR_MTRR_FIX64K = 0x250, MSR_MTRR_FIX16K = 0x258,
    MSR_MTRR_FIX4K = 0x268, MSR_PAT = 0x277, MSR_MTRR_DEFTYPE = 0x2ff,
    MSR_EFER = 0xc0000080, MSR_STAR = 0xc0000081, MSR_LSTAR = 0xc0000082,
    MSR_CSTAR = 0xc0000083, MSR_FMASK = 0xc0000084, MSR_FS_BASE = 0xc0000100,
    MSR_GS_BASE = 0xc0000101, MSR_KERNEL_GS_BASE = 0xc0000102,
    MSR_TSC_AUX = 0xc0000103,
};

/* A pointer to the MTRR field for msr, or NULL. */
static uint64_t *mtrr_field(X86CPUState *env, uint32_t msr)
{
    if (msr >= MSR_MTRR_PHYSBASE0 && msr < MSR_MTRR_PHYSBASE0 + 2 * X86_MTRR_VAR) {
        unsigned i = (msr - MSR_MTRR_PHYSBASE0) / 2;
        return (msr & 1) ? &env->mtrr_var_mask[i] : &env->mtrr_var_base[i];
    }
    if (msr == MSR_MTRR_FIX64K) {
        return &env->mtrr_fixed[0];
    }
    if (msr == MSR_MTRR_FIX16K || msr == MSR_MTRR_FIX16K + 1) {
        return &env->mtrr_fixed[1 + msr - MSR_MTRR_FIX16K];
    }
    if (msr >= MSR_MTRR_FIX4K && msr < MSR_MTRR_FIX4K + 8) {
        return &env->mtrr_fixed[3 + msr - MSR_MTRR_FIX4K];
    }
    if (msr == MSR_MTRR_DEFTYPE) {
        return &env->mtrr_deftype;
    }
    return NULL;
}

/* Reads an MSR: true with *val set, or false for an unknown MSR. */
static bool msr_read(X86CPUState *env, uint32_t msr, uint64_t *val)
{
    uint64_t *mtrr = mtrr_field(env, msr);

    if (mtrr) {
        *val = *mtrr;
        return true;
    }
    switch (msr) {
    case MSR_TSC: *val = guest_tsc(env); return true;
    case MSR_APIC_BASE: *val = env->apic_base; return true;
    case MSR_MTRRCAP: *val = 0x500 | X86_MTRR_VAR; return true;
    case MSR_ARCH_CAPABILITIES: *val = X86_ARCH_CAP_TCG; return true;   /* read-only */
    case MSR_FEATURE_CONTROL: *val = 1; return true;   /* locked, VMX off */
    case MSR_BIOS_SIGN_ID: *val = 0; return true;      /* no microcode loaded */
    case MSR_SYSENTER_CS: *val = env->sysenter_cs; return true;
    case MSR_SYSENTER_ESP: *val = env->sysenter_esp; return true;
    case MSR_SYSENTER_EIP: *val = env->sysenter_eip; return true;
    case MSR_MCG_CAP: case MSR_MCG_STATUS: *val = 0; return true;
    case MSR_MISC_ENABLE: *val = env->misc_enable; return true;
    case MSR_PAT: *val = env->pat; return true;
    case MSR_EFER: *val = env->efer; return true;
    case MSR_STAR: *val = env->star; return true;
    case MSR_LSTAR: *val = env->lstar; return true;
    case MSR_CSTAR: *val = env->cstar; return true;
    case MSR_FMASK: *val = env->fmask; return true;
    case MSR_FS_BASE: *val = env->segs[R_FS].base; return true;
    case MSR_GS_BASE: *val = env->segs[R_GS].base; return true;
    case MSR_KERNEL_GS_BASE: *val = env->kernel_gs_base; return true;
    case MSR_TSC_AUX: *val = env->tsc_aux; return true;
    default: return false;
    }
}

/* EFER: SCE, LME, NXE writable; LMA follows CR0.PG (SDM Vol.3 10.8.5).
 * A model without long mode (-cpu vireo32) has LME and SCE reserved, so
 * the guest cannot enter IA-32e mode (SDM Vol.4 Table 2-2, IA32_EFER). */
static bool efer_write(X86CPUState *env, uint64_t val)
{
    uint64_t ok = EFER_NXE;

    if (x86_cpu_has_long_mode(env)) {
        ok |= EFER_SCE | EFER_LME;
    }

    if (val & ~(ok | EFER_LMA)) {
        return false;
    }
    if ((env->cr[0] & CR0_PG) && ((val ^ env->efer) & EFER_LME)) {
        return false;
    }
    env->efer = (env->efer & EFER_LMA) | (val & ok);
    x86_update_mmu_mode(env);
    return true;
}

/* Writes an MSR: true, or false for an unknown MSR or a reserved value. */
static bool msr_write(X86CPUState *env, uint32_t msr, uint64_t val)
{
    uint64_t *mtrr = mtrr_field(env, msr);

    if (mtrr) {
        *mtrr = val;
        return true;
    }
    switch (msr) {
    case MSR_TSC: env->tsc_offset = val - (guest_tsc(env) - env->tsc_offset); return true;
    case MSR_APIC_BASE: env->apic_base = val; return true;
    case MSR_SYSENTER_CS: env->sysenter_cs = val & 0xffff; return true;
    case MSR_SYSENTER_ESP: env->sysenter_esp = val; return true;
    case MSR_SYSENTER_EIP: env->sysenter_eip = val; return true;
    case MSR_MCG_STATUS: return true;
    case MSR_BIOS_SIGN_ID: return true;   /* SDM Vol.3 9.11.7: write 0 before CPUID */
    case MSR_MISC_ENABLE: env->misc_enable = val; return true;
    case MSR_PAT: env->pat = val; return true;
    case MSR_EFER: return efer_write(env, val);
    case MSR_STAR: env->star = val; return true;
    case MSR_LSTAR: env->lstar = val; return true;
    case MSR_CSTAR: env->cstar = val; return true;
    case MSR_FMASK: env->fmask = (uint32_t)val; return true;
    case MSR_FS_BASE: env->segs[R_FS].base = val; return true;
    case MSR_GS_BASE: env->segs[R_GS].base = val; return true;
    case MSR_KERNEL_GS_BASE: env->kernel_gs_base = val; return true;
    case MSR_TSC_AUX: env->tsc_aux = (uint32_t)val; return true;
    default: return false;
    }
}

void helper_rdmsr(X86CPUState *env)
{
    uint32_t msr = (uint32_t)env->regs[R_ECX];
    uint64_t val;

    if (x86_cpl(env) != 0 || !msr_read(env, msr, &val)) {
        log_mask(LOG_GUEST_ERRORS, "x86: RDMSR 0x%x: #GP\n", msr);
        GP0(env);
    }
    env->regs[R_EAX] = (uint32_t)val;
    env->regs[R_EDX] = val >> 32;
}

void helper_wrmsr(X86CPUState *env)
{
    uint32_t msr = (uint32_t)env->regs[R_ECX];
    uint64_t val = (uint32_t)env->regs[R_EAX] | (env->regs[R_EDX] << 32);

    if (x86_cpl(env) != 0 || !msr_write(env, msr, val)) {
        log_mask(LOG_GUEST_ERRORS, "x86: WRMSR 0x%x = 0x%" PRIx64 ": #GP\n", msr, val);
        GP0(env);
    }
}

uint64_t helper_read_cr(X86CPUState *env, uint64_t reg)
{
    switch (reg) {
    case 0: case 2: case 3: case 4:
        return env->cr[reg];
    case 8:
        return env->cr8;
    default:
        x86_raise_exception(env, EXCP_UD, TCG_GETPC());
    }
}

/* Checks a CR0 value against SDM Vol.3 2.5 and the long-mode rules. */
static bool cr0_ok(X86CPUState *env, uint64_t val)
{
    if (val >> 32) {
        return false;
    }
    if (((val & CR0_NW) && !(val & CR0_CD)) || ((val & CR0_PG) && !(val & CR0_PE))) {
        return false;
    }
    if ((val & CR0_PG) && !(env->cr[0] & CR0_PG) && (env->efer & EFER_LME) &&
        !(env->cr[4] & CR4_PAE)) {
        return false;
    }
    return true;
}

static void write_cr0(X86CPUState *env, uint64_t val)
{
    uint64_t old = env->cr[0];

    env->cr[0] = val | CR0_ET;
    if ((val & CR0_PG) && !(old & CR0_PG) && (env->efer & EFER_LME)) {
        env->efer |= EFER_LMA;
    } else if (!(val & CR0_PG) && (old & CR0_PG)) {
        env->efer &= ~(uint64_t)EFER_LMA;
    }
    x86_update_hflags(env);
    x86_update_mmu_mode(env);
}

static bool has_xsave(X86CPUState *env)
{
    uint32_t a, b, c, d;

    x86_cpuid(env, 1, 0, &a, &b, &c, &d);
    return c & CPUID_EXT_XSAVE;
}

/* CR4.SMEP and CR4.SMAP are reserved (#GP) unless CPUID.7.0:EBX
 * advertises them (SDM Vol.3 2.5). */
static bool cr4_smep_smap_ok(X86CPUState *env, uint64_t val)
{
    uint32_t a, b, c, d;

    if (!(val & (CR4_SMEP | CR4_SMAP))) {
        return true;
    }
    x86_cpuid(env, 0, 0, &a, &b, &c, &d);
    if (a < 7) {
        return false;
    }
    x86_cpuid(env, 7, 0, &a, &b, &c, &d);
    return (!(val & CR4_SMEP) || (b & CPUID_7_0_EBX_SMEP)) &&
           (!(val & CR4_SMAP) || (b & CPUID_7_0_EBX_SMAP));
}

void helper_write_cr(X86CPUState *env, uint64_t reg, uint64_t val)
{
    uintptr_t ra = TCG_GETPC();

    switch (reg) {
    case 0:
        if (!cr0_ok(env, val)) {
            x86_raise_exception_err(env, EXCP_GP, 0, ra);
        }
        write_cr0(env, val);
        break;
    case 2:
        env->cr[2] = val;
        break;
    case 3:
        env->cr[3] = val;
        x86_tlb_flush_nonglobal(env);   /* global pages stay (SDM Vol.3 4.10.4.1) */
        break;
    case 4:
        if ((env->efer & EFER_LMA) && !(val & CR4_PAE)) {
            x86_raise_exception_err(env, EXCP_GP, 0, ra);
        }
        /* OSXSAVE is reserved (#GP) unless CPUID advertises XSAVE. */
        if (((val & CR4_OSXSAVE) && !has_xsave(env)) || !cr4_smep_smap_ok(env, val)) {
            x86_raise_exception_err(env, EXCP_GP, 0, ra);
        }
        env->cr[4] = val;
        x86_update_mmu_mode(env);
        break;
    case 8:
        env->cr8 = val & 15;
        break;
    default:
        x86_raise_exception(env, EXCP_UD, ra);
    }
}

/* LMSW: loads CR0 bits 0-3; can set PE but never clear it (SDM LMSW). */
void helper_lmsw(X86CPUState *env, uint64_t val)
{
    uint64_t cr0 = (env->cr[0] & ~0xeULL) | (val & 0xf) | (env->cr[0] & CR0_PE);

    write_cr0(env, cr0);
}

void helper_clts(X86CPUState *env)
{
    env->cr[0] &= ~(uint64_t)CR0_TS;
}

void helper_invlpg(X86CPUState *env, uint64_t addr)
{
    tlb_flush_page(&env->tlb, addr);
    if (current_tcg_cpu) {
        tcg_cpu_jmp_cache_clear(current_tcg_cpu);
    }
}

/* SDM Vol.1 19.5.2: the I/O permission bitmap of a 32/64-bit TSS. */
static bool io_bitmap_allows(X86CPUState *env, uint32_t port, unsigned size)
{
    unsigned mmu = x86_sup_mmu(env);
    uint32_t type = (env->tr.flags >> DESC_TYPE_SHIFT) & 15, base, bits;

    if (!(env->tr.flags & DESC_P_MASK) || (type != 9 && type != 11) ||
        env->tr.limit < 103) {
        return false;
    }
    base = x86_ld(env, env->tr.base + 0x66, 2, mmu, 0);
    if (base + port / 8 + 1 > env->tr.limit) {
        return false;
    }
    bits = x86_ld(env, env->tr.base + base + port / 8, 2, mmu, 0);
    return ((bits >> (port & 7)) & ((1u << size) - 1)) == 0;
}

void helper_check_io(X86CPUState *env, uint64_t port, uint64_t size)
{
    if (iopl_ok(env) && !x86_vm86(env)) {
        return;
    }
    if (!x86_pe(env)) {
        return;
    }
    if (!io_bitmap_allows(env, port & 0xffff, (unsigned)size)) {
        x86_raise_exception_err(env, EXCP_GP, 0, TCG_GETPC());
    }
}

uint64_t helper_in(X86CPUState *env, uint64_t port, uint64_t size)
{
    bool locked = bql_locked();
    uint64_t v = ~0ULL;

    if (!locked) {
        bql_lock();
    }
    if (current_machine && current_machine->io) {
        v = bus_read(current_machine->io, port & 0xffff, (unsigned)size);
    }
    if (!locked) {
        bql_unlock();
    }
    if (env->dr[7] & DR7_ENABLE_MASK) {
        x86_dr_check_io(env, port, (unsigned)size);
    }
    return v;
}

void helper_out(X86CPUState *env, uint64_t port, uint64_t val, uint64_t size)
{
    bool locked = bql_locked();

    if (!locked) {
        bql_lock();
    }
    if (current_machine && current_machine->io) {
        bus_write(current_machine->io, port & 0xffff, val, (unsigned)size);
    }
    if (!locked) {
        bql_unlock();
    }
    if (env->dr[7] & DR7_ENABLE_MASK) {
        x86_dr_check_io(env, port, (unsigned)size);
    }
}
