/*
 * cpu.c: creating and resetting an x86 vCPU, and the accessors every
 * accelerator shares for the parts of X86CPUState that are not plain
 * fields: EFLAGS (lazy flags under TCG), the hidden hflags, segment caches.
 */
#include "vireo/common.h"
#include "target-x86/cpu.h"
#include "target-x86/cpuid.h"

X86CPU *x86_cpu_new(int index)
{
    X86CPU *cpu = g_new0(X86CPU, 1);
    cpu->cs.index = index;
    cpu->cs.arch = cpu;
    g_cond_init(&cpu->cs.cond);
    x86_cpuid_init_model(&cpu->env);
    x86_cpu_reset(cpu);
    return cpu;
}

void x86_cpu_free(X86CPU *cpu)
{
    if (cpu) {
        g_cond_clear(&cpu->cs.cond);
        g_free(cpu);
    }
}

void x86_seg_load_cache(X86CPUState *env, int seg, uint16_t selector,
                        uint64_t base, uint32_t limit, uint32_t flags)
{
    SegmentCache *sc = &env->segs[seg];
    sc->selector = selector;
    sc->base = base;
    sc->limit = limit;
    sc->flags = flags;
    x86_update_hflags(env);
}

void x86_cpu_reset(X86CPU *cpu)
{
    X86CPUState *env = &cpu->env;
    /* Keep the model (cpuid table) across the reset. */
    X86CPUIDEntry cpuid[X86_MAX_CPUID];
    int ncpuid = env->ncpuid;
    uint32_t level = env->cpuid_level, xlevel = env->cpuid_xlevel;
    uint32_t eax, ebx, ecx, edx;
    void *jmp_cache = env->tcg_jmp_cache;   /* the accelerator's, not guest state */

    memcpy(cpuid, env->cpuid, sizeof(cpuid));
    memset(env, 0, sizeof(*env));
    memcpy(env->cpuid, cpuid, sizeof(cpuid));
    env->tcg_jmp_cache = jmp_cache;
    env->ncpuid = ncpuid;
    env->cpuid_level = level;
    env->cpuid_xlevel = xlevel;

    /* SDM Vol.3 Table 9-1: the state after RESET. */
    env->cr[0] = CR0_ET | CR0_CD | CR0_NW;
    env->eflags = 0x2;
    env->cc_op = CC_OP_EFLAGS;
    env->df = 1;
    env->rip = 0xfff0;
    x86_cpuid(env, 1, 0, &eax, &ebx, &ecx, &edx);
    env->regs[R_EDX] = eax;     /* family/model/stepping */
    for (int i = 0; i < 6; i++) {
        uint32_t flags = DESC_P_MASK | DESC_S_MASK | DESC_A_MASK | (2u << DESC_TYPE_SHIFT);
        if (i == R_CS) {
            flags = DESC_P_MASK | DESC_S_MASK | DESC_A_MASK | (0xbu << DESC_TYPE_SHIFT);
        }
        env->segs[i] = (SegmentCache){ 0, 0, 0xffff, flags };
    }
    env->segs[R_CS].selector = 0xf000;
    env->segs[R_CS].base = 0xffff0000;
    env->gdt.limit = 0xffff;
    env->idt.limit = 0xffff;
    env->ldt = (SegmentCache){ 0, 0, 0xffff, DESC_P_MASK | (2u << DESC_TYPE_SHIFT) };
    env->tr = (SegmentCache){ 0, 0, 0xffff, DESC_P_MASK | (11u << DESC_TYPE_SHIFT) };
    env->dr[6] = 0xffff0ff0;
    env->dr[7] = 0x400;
    env->fpuc = 0x37f;
    memset(env->fptags, 1, sizeof(env->fptags));
    env->mxcsr = 0x1f80;
    env->xcr0 = 1;
    env->pat = 0x0007040600070406ULL;
    env->apic_base = 0xfee00000 | (1u << 11) | (cpu->cs.index == 0 ? (1u << 8) : 0);
    env->misc_enable = 1;  /* fast strings */
    env->a20_mask = ~0ULL;
    env->exception_index = -1;
    x86_update_hflags(env);
}

uint64_t x86_eflags_get(const X86CPUState *env)
{
    uint64_t f = env->eflags;
    if (env->cc_op != CC_OP_EFLAGS) {
        f = (f & ~(uint64_t)CC_MASK) | x86_cc_compute_all(env);
    }
    f &= ~(uint64_t)DF_MASK;
    if (env->df < 0) {
        f |= DF_MASK;
    }
    return f | 0x2;
}

void x86_eflags_set(X86CPUState *env, uint64_t eflags)
{
    env->eflags = (eflags | 0x2) & 0x3f7fd7ULL;
    env->cc_op = CC_OP_EFLAGS;
    env->df = (eflags & DF_MASK) ? -1 : 1;
    x86_update_hflags(env);
}

/*
 * True when accesses through seg need run-time checks outside 64-bit mode:
 * a limit below 4 GiB or an expand-down data segment (SDM Vol.3 5.3) and,
 * in protected mode, anything but present writable data (a null selector,
 * read-only data, a code segment: SDM Vol.3 5.4, 5.5). For CS: a limit
 * below 4 GiB, or an execute-only code segment in protected mode.
 */
static bool seg_needs_checks(const X86CPUState *env, int seg, bool pm)
{
    const SegmentCache *sc = &env->segs[seg];
    uint32_t type = sc->flags & (DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | DESC_E_MASK |
                                 DESC_W_MASK);

    if (sc->limit != 0xffffffffu) {
        return true;
    }
    if (seg == R_CS) {
        return pm && !(sc->flags & DESC_R_MASK);
    }
    if (pm) {
        return type != (DESC_P_MASK | DESC_S_MASK | DESC_W_MASK);
    }
    return (type & (DESC_S_MASK | DESC_CS_MASK | DESC_E_MASK)) == (DESC_S_MASK | DESC_E_MASK);
}

/* The HF_SEGCHK* bits for hflags hf (PE, VM and CS64 already decided). */
static uint32_t segchk_hflags(const X86CPUState *env, uint32_t hf)
{
    bool pm = (hf & HF_PE_MASK) && !(hf & HF_VM_MASK);
    uint32_t r = 0;

    if (hf & HF_CS64_MASK) {
        return 0;
    }
    if (seg_needs_checks(env, R_CS, pm) || seg_needs_checks(env, R_DS, pm) ||
        seg_needs_checks(env, R_ES, pm) || seg_needs_checks(env, R_SS, pm)) {
        r |= HF_SEGCHK_MASK;
    }
    if (seg_needs_checks(env, R_FS, pm)) {
        r |= HF_SEGCHK_FS_MASK;
    }
    if (seg_needs_checks(env, R_GS, pm)) {
        r |= HF_SEGCHK_GS_MASK;
    }
    return r;
}

void x86_update_hflags(X86CPUState *env)
{
    uint32_t hf = env->hflags & (HF_INHIBIT_IRQ_MASK | HF_SMM_MASK | HF_NMI_MASK |
                                 HF_HALTED_MASK);
    uint32_t cs_flags = env->segs[R_CS].flags;

    if (env->cr[0] & CR0_PE) {
        hf |= HF_PE_MASK;
        if (env->eflags & VM_MASK) {
            hf |= HF_VM_MASK | 3;
        } else {
            hf |= (env->segs[R_SS].flags & DESC_DPL_MASK) >> DESC_DPL_SHIFT;
        }
    }
    if (env->efer & EFER_LMA) {
        hf |= HF_LMA_MASK;
    }
    if ((hf & HF_LMA_MASK) && (cs_flags & DESC_L_MASK)) {
        hf |= HF_CS64_MASK | HF_CS32_MASK | HF_SS32_MASK;
    } else {
        if ((hf & HF_PE_MASK) && !(hf & HF_VM_MASK)) {
            if (cs_flags & DESC_B_MASK) {
                hf |= HF_CS32_MASK;
            }
            if (env->segs[R_SS].flags & DESC_B_MASK) {
                hf |= HF_SS32_MASK;
            }
        }
        if (!(hf & HF_PE_MASK) || (hf & HF_VM_MASK) ||
            env->segs[R_DS].base | env->segs[R_ES].base | env->segs[R_SS].base) {
            hf |= HF_ADDSEG_MASK;
        }
    }
    env->hflags = hf | segchk_hflags(env, hf);
}

static const char *seg_names[6] = { "ES", "CS", "SS", "DS", "FS", "GS" };

static void dump_seg(FILE *out, const char *name, const SegmentCache *sc)
{
    fprintf(out, "%-3s=%04x %016" PRIx64 " %08x %08x DPL=%u\n", name, sc->selector,
            sc->base, sc->limit, sc->flags, (sc->flags & DESC_DPL_MASK) >> DESC_DPL_SHIFT);
}

void x86_cpu_dump_state(X86CPUState *env, FILE *out)
{
    static const char *rn[16] = { "RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
                                  "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15" };
    uint64_t fl = x86_eflags_get(env);

    for (int i = 0; i < 16; i++) {
        fprintf(out, "%-3s=%016" PRIx64 "%s", rn[i], env->regs[i], (i & 3) == 3 ? "\n" : " ");
    }
    fprintf(out, "RIP=%016" PRIx64 " RFL=%08" PRIx64 " [%c%c%c%c%c%c%c] CPL=%u HF=%08x\n",
            env->rip, fl, fl & DF_MASK ? 'D' : '-', fl & CC_O ? 'O' : '-',
            fl & CC_S ? 'S' : '-', fl & CC_Z ? 'Z' : '-', fl & CC_A ? 'A' : '-',
            fl & CC_P ? 'P' : '-', fl & CC_C ? 'C' : '-', env->hflags & HF_CPL_MASK,
            env->hflags);
    for (int i = 0; i < 6; i++) {
        dump_seg(out, seg_names[i], &env->segs[i]);
    }
    dump_seg(out, "LDT", &env->ldt);
    dump_seg(out, "TR", &env->tr);
    fprintf(out, "GDT=     %016" PRIx64 " %08x\n", env->gdt.base, env->gdt.limit);
    fprintf(out, "IDT=     %016" PRIx64 " %08x\n", env->idt.base, env->idt.limit);
    fprintf(out, "CR0=%08" PRIx64 " CR2=%016" PRIx64 " CR3=%016" PRIx64 " CR4=%08" PRIx64 "\n",
            env->cr[0], env->cr[2], env->cr[3], env->cr[4]);
    fprintf(out, "DR6=%016" PRIx64 " DR7=%016" PRIx64 " EFER=%016" PRIx64 "\n",
            env->dr[6], env->dr[7], env->efer);
}
