/*
 * kvm-cpu.c: the pure half of the KVM accelerator. It converts between
 * X86CPUState, the one canonical CPU state, and the structures of the KVM
 * API (kvm_regs, kvm_sregs, kvm_fpu, kvm_debugregs, MSR lists, vCPU
 * events), narrows the CPU model by KVM_GET_SUPPORTED_CPUID, and encodes
 * debug registers for KVM_SET_GUEST_DEBUG. Nothing here touches /dev/kvm,
 * so tests/unit/test-kvm.c checks it on any host; kvm-all.c does the ioctls.
 */
#include "vireo/common.h"
#include "accel/kvm.h"
#include "target-x86/cpuid.h"

/* ---- segments and control registers ---- */

void kvm_seg_from_cache(struct kvm_segment *ks, const SegmentCache *sc)
{
    uint32_t f = sc->flags;

    memset(ks, 0, sizeof(*ks));
    ks->base = sc->base;
    ks->limit = sc->limit;
    ks->selector = sc->selector;
    ks->type = (f & DESC_TYPE_MASK) >> DESC_TYPE_SHIFT;
    ks->present = !!(f & DESC_P_MASK);
    ks->dpl = (f & DESC_DPL_MASK) >> DESC_DPL_SHIFT;
    ks->db = !!(f & DESC_B_MASK);
    ks->s = !!(f & DESC_S_MASK);
    ks->l = !!(f & DESC_L_MASK);
    ks->g = !!(f & DESC_G_MASK);
    ks->avl = !!(f & DESC_AVL_MASK);
    /* A not-present segment is "unusable" in VMX terms (SDM Vol.3 24.4.1). */
    ks->unusable = !ks->present;
}

void kvm_seg_to_cache(SegmentCache *sc, const struct kvm_segment *ks)
{
    sc->selector = ks->selector;
    sc->base = ks->base;
    sc->limit = ks->limit;
    sc->flags = ((uint32_t)(ks->type & 15) << DESC_TYPE_SHIFT) |
                (ks->s ? DESC_S_MASK : 0) |
                ((uint32_t)(ks->dpl & 3) << DESC_DPL_SHIFT) |
                (ks->present && !ks->unusable ? DESC_P_MASK : 0) |
                (ks->avl ? DESC_AVL_MASK : 0) |
                (ks->l ? DESC_L_MASK : 0) |
                (ks->db ? DESC_B_MASK : 0) |
                (ks->g ? DESC_G_MASK : 0);
}

/* In virtual-8086 mode every data/code segment is a 64 KiB read/write
 * segment at selector * 16 with DPL 3 (SDM Vol.3 20.2.1; VMX checks it). */
static void kvm_seg_v86(struct kvm_segment *ks, const SegmentCache *sc)
{
    memset(ks, 0, sizeof(*ks));
    ks->selector = sc->selector;
    ks->base = (uint64_t)sc->selector << 4;
    ks->limit = 0xffff;
    ks->type = 3;
    ks->present = 1;
    ks->dpl = 3;
    ks->s = 1;
}

void kvm_regs_from_env(struct kvm_regs *kr, const X86CPUState *env)
{
    memset(kr, 0, sizeof(*kr));
    kr->rax = env->regs[R_EAX];
    kr->rbx = env->regs[R_EBX];
    kr->rcx = env->regs[R_ECX];
    kr->rdx = env->regs[R_EDX];
    kr->rsi = env->regs[R_ESI];
    kr->rdi = env->regs[R_EDI];
    kr->rsp = env->regs[R_ESP];
    kr->rbp = env->regs[R_EBP];
    kr->r8 = env->regs[R_R8];
    kr->r9 = env->regs[R_R9];
    kr->r10 = env->regs[R_R10];
    kr->r11 = env->regs[R_R11];
    kr->r12 = env->regs[R_R12];
    kr->r13 = env->regs[R_R13];
    kr->r14 = env->regs[R_R14];
    kr->r15 = env->regs[R_R15];
    kr->rip = env->rip;
    kr->rflags = x86_eflags_get(env);
}

void kvm_regs_to_env(X86CPUState *env, const struct kvm_regs *kr)
{
    env->regs[R_EAX] = kr->rax;
    env->regs[R_EBX] = kr->rbx;
    env->regs[R_ECX] = kr->rcx;
    env->regs[R_EDX] = kr->rdx;
    env->regs[R_ESI] = kr->rsi;
    env->regs[R_EDI] = kr->rdi;
    env->regs[R_ESP] = kr->rsp;
    env->regs[R_EBP] = kr->rbp;
    env->regs[R_R8] = kr->r8;
    env->regs[R_R9] = kr->r9;
    env->regs[R_R10] = kr->r10;
    env->regs[R_R11] = kr->r11;
    env->regs[R_R12] = kr->r12;
    env->regs[R_R13] = kr->r13;
    env->regs[R_R14] = kr->r14;
    env->regs[R_R15] = kr->r15;
    env->rip = kr->rip;
    x86_eflags_set(env, kr->rflags);
}

void kvm_sregs_from_env(struct kvm_sregs *ks, const X86CPUState *env)
{
    struct kvm_segment *segs[6] = { &ks->es, &ks->cs, &ks->ss, &ks->ds, &ks->fs, &ks->gs };
    bool v86 = (env->eflags & VM_MASK) && (env->cr[0] & CR0_PE);

    memset(ks, 0, sizeof(*ks));
    for (int i = 0; i < 6; i++) {
        if (v86) {
            kvm_seg_v86(segs[i], &env->segs[i]);
        } else {
            kvm_seg_from_cache(segs[i], &env->segs[i]);
            /* A loaded code/data segment always has its accessed bit set
             * (SDM Vol.3 3.4.5.1), and VMX checks it (SDM Vol.3 28.3.1.2). */
            if (segs[i]->s && !segs[i]->unusable) {
                segs[i]->type |= 1;
            }
        }
    }
    kvm_seg_from_cache(&ks->ldt, &env->ldt);
    kvm_seg_from_cache(&ks->tr, &env->tr);
    /* LTR marks the TSS busy: the cached type is a busy TSS (3 or 11). */
    if (ks->tr.type == 1 || ks->tr.type == 9) {
        ks->tr.type |= 2;
    }
    ks->gdt.base = env->gdt.base;
    ks->gdt.limit = (uint16_t)env->gdt.limit;
    ks->idt.base = env->idt.base;
    ks->idt.limit = (uint16_t)env->idt.limit;
    ks->cr0 = env->cr[0];
    ks->cr2 = env->cr[2];
    ks->cr3 = env->cr[3];
    ks->cr4 = env->cr[4];
    ks->cr8 = env->cr8 & 0xf;     /* CR8 is TPR[7:4] (SDM Vol.3 11.8.6.1) */
    ks->efer = env->efer;
    ks->apic_base = env->apic_base;
    /* interrupt_bitmap stays empty: a pending interrupt travels in the
     * vCPU events instead (kvm_events_from_env). */
}

void kvm_sregs_to_env(X86CPUState *env, const struct kvm_sregs *ks)
{
    const struct kvm_segment *segs[6] = { &ks->es, &ks->cs, &ks->ss, &ks->ds, &ks->fs,
                                          &ks->gs };

    for (int i = 0; i < 6; i++) {
        kvm_seg_to_cache(&env->segs[i], segs[i]);
    }
    kvm_seg_to_cache(&env->ldt, &ks->ldt);
    kvm_seg_to_cache(&env->tr, &ks->tr);
    env->gdt.base = ks->gdt.base;
    env->gdt.limit = ks->gdt.limit;
    env->idt.base = ks->idt.base;
    env->idt.limit = ks->idt.limit;
    env->cr[0] = ks->cr0;
    env->cr[2] = ks->cr2;
    env->cr[3] = ks->cr3;
    env->cr[4] = ks->cr4;
    env->cr8 = ks->cr8;
    env->efer = ks->efer;
    env->apic_base = ks->apic_base;
    x86_update_hflags(env);
}

/* ---- x87 / SSE ---- */

void kvm_fpu_from_env(struct kvm_fpu *kf, const X86CPUState *env)
{
    memset(kf, 0, sizeof(*kf));
    kf->fcw = env->fpuc;
    kf->fsw = (uint16_t)((env->fpus & ~0x3800u) | ((env->fpstt & 7) << 11));
    for (int i = 0; i < 8; i++) {
        const FloatX80 *r = &env->fpregs[(env->fpstt + i) & 7];
        memcpy(kf->fpr[i], &r->mant, 8);
        memcpy(kf->fpr[i] + 8, &r->sexp, 2);
        if (!env->fptags[i]) {
            kf->ftwx |= 1u << i;
        }
    }
    kf->last_opcode = env->fpop;
    kf->last_ip = env->fpip;
    kf->last_dp = env->fpdp;
    for (int i = 0; i < 16; i++) {
        memcpy(kf->xmm[i], env->xmm[i].b, 16);
    }
    kf->mxcsr = env->mxcsr;
}

void kvm_fpu_to_env(X86CPUState *env, const struct kvm_fpu *kf)
{
    env->fpuc = kf->fcw;
    env->fpstt = (kf->fsw >> 11) & 7;
    env->fpus = kf->fsw & ~0x3800u;
    for (int i = 0; i < 8; i++) {
        FloatX80 *r = &env->fpregs[(env->fpstt + i) & 7];
        memcpy(&r->mant, kf->fpr[i], 8);
        memcpy(&r->sexp, kf->fpr[i] + 8, 2);
        env->fptags[i] = !(kf->ftwx & (1u << i));
    }
    env->fpop = kf->last_opcode;
    env->fpip = kf->last_ip;
    env->fpdp = kf->last_dp;
    for (int i = 0; i < 16; i++) {
        memcpy(env->xmm[i].b, kf->xmm[i], 16);
    }
    env->mxcsr = kf->mxcsr;
}

void kvm_debugregs_from_env(struct kvm_debugregs *kd, const X86CPUState *env)
{
    memset(kd, 0, sizeof(*kd));
    for (int i = 0; i < 4; i++) {
        kd->db[i] = env->dr[i];
    }
    kd->dr6 = env->dr[6];
    kd->dr7 = env->dr[7];
}

void kvm_debugregs_to_env(X86CPUState *env, const struct kvm_debugregs *kd)
{
    for (int i = 0; i < 4; i++) {
        env->dr[i] = kd->db[i];
    }
    env->dr[6] = kd->dr6;
    env->dr[7] = kd->dr7;
}

/* ---- MSRs ---- */

#define MSR_FIELD(idx, field) { idx, offsetof(X86CPUState, field) }

/* The MSRs X86CPUState keeps (SDM Vol.4 Table 2-2 for the indices). */
static const struct {
    uint32_t index;
    size_t offset;
} kvm_msr_table[] = {
    MSR_FIELD(0x00000010, tsc),
    MSR_FIELD(0x00000174, sysenter_cs),
    MSR_FIELD(0x00000175, sysenter_esp),
    MSR_FIELD(0x00000176, sysenter_eip),
    MSR_FIELD(0x000001a0, misc_enable),
    MSR_FIELD(0x00000277, pat),
    MSR_FIELD(0x000002ff, mtrr_deftype),
    MSR_FIELD(0x00000250, mtrr_fixed[0]),
    MSR_FIELD(0x00000258, mtrr_fixed[1]),
    MSR_FIELD(0x00000259, mtrr_fixed[2]),
    MSR_FIELD(0x00000268, mtrr_fixed[3]),
    MSR_FIELD(0x00000269, mtrr_fixed[4]),
    MSR_FIELD(0x0000026a, mtrr_fixed[5]),
    MSR_FIELD(0x0000026b, mtrr_fixed[6]),
    MSR_FIELD(0x0000026c, mtrr_fixed[7]),
    MSR_FIELD(0x0000026d, mtrr_fixed[8]),
    MSR_FIELD(0x0000026e, mtrr_fixed[9]),
    MSR_FIELD(0x0000026f, mtrr_fixed[10]),
    MSR_FIELD(0x00000200, mtrr_var_base[0]), MSR_FIELD(0x00000201, mtrr_var_mask[0]),
    MSR_FIELD(0x00000202, mtrr_var_base[1]), MSR_FIELD(0x00000203, mtrr_var_mask[1]),
    MSR_FIELD(0x00000204, mtrr_var_base[2]), MSR_FIELD(0x00000205, mtrr_var_mask[2]),
    MSR_FIELD(0x00000206, mtrr_var_base[3]), MSR_FIELD(0x00000207, mtrr_var_mask[3]),
    MSR_FIELD(0x00000208, mtrr_var_base[4]), MSR_FIELD(0x00000209, mtrr_var_mask[4]),
    MSR_FIELD(0x0000020a, mtrr_var_base[5]), MSR_FIELD(0x0000020b, mtrr_var_mask[5]),
    MSR_FIELD(0x0000020c, mtrr_var_base[6]), MSR_FIELD(0x0000020d, mtrr_var_mask[6]),
    MSR_FIELD(0x0000020e, mtrr_var_base[7]), MSR_FIELD(0x0000020f, mtrr_var_mask[7]),
    MSR_FIELD(0xc0000081, star),
    MSR_FIELD(0xc0000082, lstar),
    MSR_FIELD(0xc0000083, cstar),
    MSR_FIELD(0xc0000084, fmask),
    MSR_FIELD(0xc0000102, kernel_gs_base),
    MSR_FIELD(0xc0000103, tsc_aux),
};

G_STATIC_ASSERT(G_N_ELEMENTS(kvm_msr_table) <= KVM_MAX_SYNC_MSRS);

static bool msr_listed(uint32_t index, const uint32_t *list, int n)
{
    if (!list) {
        return true;
    }
    for (int i = 0; i < n; i++) {
        if (list[i] == index) {
            return true;
        }
    }
    return false;
}

int kvm_msrs_from_env(struct kvm_msr_entry *e, int max, const X86CPUState *env,
                      const uint32_t *supported, int nsupported)
{
    int n = 0;

    for (size_t i = 0; i < G_N_ELEMENTS(kvm_msr_table) && n < max; i++) {
        if (!msr_listed(kvm_msr_table[i].index, supported, nsupported)) {
            continue;
        }
        memset(&e[n], 0, sizeof(e[n]));
        e[n].index = kvm_msr_table[i].index;
        memcpy(&e[n].data, (const char *)env + kvm_msr_table[i].offset, sizeof(uint64_t));
        n++;
    }
    return n;
}

void kvm_msrs_to_env(X86CPUState *env, const struct kvm_msr_entry *e, int n)
{
    for (int i = 0; i < n; i++) {
        for (size_t j = 0; j < G_N_ELEMENTS(kvm_msr_table); j++) {
            if (kvm_msr_table[j].index == e[i].index) {
                memcpy((char *)env + kvm_msr_table[j].offset, &e[i].data, sizeof(uint64_t));
                break;
            }
        }
    }
}

/* ---- pending events ---- */

void kvm_events_from_env(struct kvm_vcpu_events *ev, const X86CPUState *env,
                         const struct kvm_vcpu_events *prev)
{
    memset(ev, 0, sizeof(*ev));
    if (prev) {
        ev->interrupt.injected = prev->interrupt.injected;
        ev->interrupt.nr = prev->interrupt.nr;
        ev->interrupt.soft = prev->interrupt.soft;
        ev->nmi.injected = prev->nmi.injected;
        ev->nmi.pending = prev->nmi.pending;
    }
    if (env->exception_index >= 0 && env->exception_index < 32) {
        ev->exception.injected = 1;
        ev->exception.nr = (uint8_t)env->exception_index;
        ev->exception.has_error_code = env->has_error_code;
        ev->exception.error_code = (uint32_t)env->error_code;
    }
    ev->interrupt.shadow = (env->hflags & HF_INHIBIT_IRQ_MASK) ? KVM_X86_SHADOW_INT_STI : 0;
    ev->nmi.masked = !!(env->hflags & HF_NMI_MASK);
    ev->flags = KVM_VCPUEVENT_VALID_SHADOW | KVM_VCPUEVENT_VALID_NMI_PENDING;
}

void kvm_events_to_env(X86CPUState *env, const struct kvm_vcpu_events *ev)
{
    env->hflags &= ~(HF_INHIBIT_IRQ_MASK | HF_NMI_MASK);
    if (ev->interrupt.shadow) {
        env->hflags |= HF_INHIBIT_IRQ_MASK;
    }
    if (ev->nmi.masked) {
        env->hflags |= HF_NMI_MASK;
    }
    if (ev->exception.injected || ev->exception.pending) {
        env->exception_index = ev->exception.nr;
        env->has_error_code = ev->exception.has_error_code;
        env->error_code = (int)ev->exception.error_code;
    } else {
        env->exception_index = -1;
        env->has_error_code = false;
        env->error_code = 0;
    }
}

/* ---- the CPU model ---- */

typedef enum CpuidRule {
    CPUID_KEEP,     /* the model's value: identity, not a capability */
    CPUID_AND,      /* feature bits: only what both have */
    CPUID_MIN,      /* a maximum leaf or subleaf: the smaller */
    CPUID_ADDR,     /* 0x80000008 EAX: physical and linear address bits, each the smaller */
} CpuidRule;

/* Rules for EAX, EBX, ECX, EDX by leaf; leaves not listed are all CPUID_AND. */
static const struct {
    uint32_t function;
    CpuidRule r[4];
} cpuid_rules[] = {
    { 0x00000000, { CPUID_MIN, CPUID_KEEP, CPUID_KEEP, CPUID_KEEP } },
    { 0x00000001, { CPUID_KEEP, CPUID_KEEP, CPUID_AND, CPUID_AND } },
    { 0x00000007, { CPUID_MIN, CPUID_AND, CPUID_AND, CPUID_AND } },
    { 0x80000000, { CPUID_MIN, CPUID_KEEP, CPUID_KEEP, CPUID_KEEP } },
    { 0x80000001, { CPUID_KEEP, CPUID_KEEP, CPUID_AND, CPUID_AND } },
    { 0x80000002, { CPUID_KEEP, CPUID_KEEP, CPUID_KEEP, CPUID_KEEP } },
    { 0x80000003, { CPUID_KEEP, CPUID_KEEP, CPUID_KEEP, CPUID_KEEP } },
    { 0x80000004, { CPUID_KEEP, CPUID_KEEP, CPUID_KEEP, CPUID_KEEP } },
    { 0x80000008, { CPUID_ADDR, CPUID_AND, CPUID_KEEP, CPUID_KEEP } },
};

static const CpuidRule *cpuid_rule(uint32_t function)
{
    static const CpuidRule all_and[4] = { CPUID_AND, CPUID_AND, CPUID_AND, CPUID_AND };

    for (size_t i = 0; i < G_N_ELEMENTS(cpuid_rules); i++) {
        if (cpuid_rules[i].function == function) {
            return cpuid_rules[i].r;
        }
    }
    return all_and;
}

static const struct kvm_cpuid_entry2 *cpuid_sup_find(const struct kvm_cpuid_entry2 *sup,
                                                     int nsup, uint32_t fn, uint32_t idx)
{
    for (int i = 0; i < nsup; i++) {
        if (sup[i].function == fn &&
            (!(sup[i].flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || sup[i].index == idx)) {
            return &sup[i];
        }
    }
    return NULL;
}

static uint32_t cpuid_apply(CpuidRule rule, uint32_t model, uint32_t host)
{
    switch (rule) {
    case CPUID_KEEP:
        return model;
    case CPUID_AND:
        return model & host;
    case CPUID_MIN:
        return MIN(model, host);
    case CPUID_ADDR:
        /* bits 7:0 physical, 15:8 linear; the rest (AMD guest size) cleared */
        return MIN(model & 0xff, host & 0xff) | (MIN(model & 0xff00, host & 0xff00));
    }
    return 0;
}

void kvm_cpuid_filter(X86CPUState *env, const struct kvm_cpuid_entry2 *sup, int nsup,
                      uint32_t apic_id)
{
    X86CPUIDEntry *e;
    int n = 0;

    for (int i = 0; i < env->ncpuid; i++) {
        X86CPUIDEntry *m = &env->cpuid[i];
        const struct kvm_cpuid_entry2 *h = cpuid_sup_find(sup, nsup, m->function, m->index);
        const CpuidRule *r = cpuid_rule(m->function);
        uint32_t hv[4] = { 0, 0, 0, 0 };

        if (h) {
            hv[0] = h->eax;
            hv[1] = h->ebx;
            hv[2] = h->ecx;
            hv[3] = h->edx;
        }
        m->eax = cpuid_apply(r[0], m->eax, hv[0]);
        m->ebx = cpuid_apply(r[1], m->ebx, hv[1]);
        m->ecx = cpuid_apply(r[2], m->ecx, hv[2]);
        m->edx = cpuid_apply(r[3], m->edx, hv[3]);
    }
    e = x86_cpuid_find(env, 0, 0);
    env->cpuid_level = e ? e->eax : 0;
    e = x86_cpuid_find(env, 0x80000000, 0);
    env->cpuid_xlevel = e ? e->eax : 0;

    /* Drop leaves above the (possibly lowered) maximum leaves. */
    for (int i = 0; i < env->ncpuid; i++) {
        uint32_t fn = env->cpuid[i].function;
        bool ext = fn >= 0x80000000;
        if (ext ? (env->cpuid_xlevel >= 0x80000000 && fn <= env->cpuid_xlevel)
                : fn <= env->cpuid_level) {
            env->cpuid[n++] = env->cpuid[i];
        }
    }
    env->ncpuid = n;

    e = x86_cpuid_find(env, 1, 0);
    if (e) {
        /* The APIC is user space's: no x2APIC MSRs, no TSC-deadline timer
         * (KVM would handle both only with an in-kernel APIC). OSXSAVE
         * mirrors CR4 at run time and is not part of the model. */
        e->ecx &= ~(CPUID_EXT_X2APIC | (1u << 24) | CPUID_EXT_OSXSAVE);
        e->ebx = (e->ebx & 0x00ffffffu) | (apic_id << 24);
    }
}

int kvm_cpuid_to_entries(struct kvm_cpuid_entry2 *out, int max, const X86CPUState *env)
{
    int n = 0;

    for (int i = 0; i < env->ncpuid && n < max; i++) {
        const X86CPUIDEntry *m = &env->cpuid[i];
        memset(&out[n], 0, sizeof(out[n]));
        out[n].function = m->function;
        out[n].index = m->index;
        out[n].flags = m->significant_index ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0;
        out[n].eax = m->eax;
        out[n].ebx = m->ebx;
        out[n].ecx = m->ecx;
        out[n].edx = m->edx;
        n++;
    }
    return n;
}

/* ---- debugging ---- */

bool kvm_breakpoint_valid(int type, uint64_t addr, uint64_t len)
{
    switch (type) {
    case 0:
    case 1:
        return true;    /* an execution breakpoint always has length 1 */
    case 2:
    case 3:
    case 4:
        return (len == 1 || len == 2 || len == 4 || len == 8) && (addr & (len - 1)) == 0;
    default:
        return false;
    }
}

/* DR7 R/W and LEN fields of one slot (SDM Vol.3 18.2.4). */
static uint64_t dr7_slot_bits(const KVMBreakpoint *bp, int slot)
{
    uint64_t rw, len;

    switch (bp->type) {
    case 2:
        rw = 1;         /* data writes */
        break;
    case 3:
    case 4:
        rw = 3;         /* reads and writes: x86 has no read-only watchpoint */
        break;
    default:
        rw = 0;         /* instruction execution */
        break;
    }
    switch (rw ? bp->len : 1) {
    case 2:
        len = 1;
        break;
    case 4:
        len = 3;
        break;
    case 8:
        len = 2;
        break;
    default:
        len = 0;
        break;
    }
    return (2ULL << (slot * 2)) |                   /* G0..G3: global enable */
           (rw << (16 + slot * 4)) | (len << (18 + slot * 4));
}

void kvm_guest_debug_build(struct kvm_guest_debug *dbg, const KVMBreakpoint *bp,
                           int nbp, bool single_step)
{
    bool any = false;

    memset(dbg, 0, sizeof(*dbg));
    for (int i = 0; i < nbp && i < KVM_NR_HW_BREAKPOINTS; i++) {
        if (!bp[i].used) {
            continue;
        }
        dbg->arch.debugreg[i] = bp[i].addr;
        dbg->arch.debugreg[7] |= dr7_slot_bits(&bp[i], i);
        any = true;
    }
    if (any) {
        dbg->control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;
    }
    if (single_step) {
        dbg->control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
    }
}

/* ---- memory slots ---- */

bool kvm_region_to_slot(const BusRegion *r, bool readonly_ok,
                        struct kvm_userspace_memory_region *out)
{
    const uint64_t page = 4096;

    if (r->kind == BUS_REGION_IO || !r->host) {
        return false;
    }
    if ((r->base | r->size | (uint64_t)(uintptr_t)r->host) & (page - 1)) {
        return false;
    }
    memset(out, 0, sizeof(*out));
    out->flags = (r->kind == BUS_REGION_ROM && readonly_ok) ? KVM_MEM_READONLY : 0;
    out->guest_phys_addr = r->base;
    out->memory_size = r->size;
    out->userspace_addr = (uint64_t)(uintptr_t)r->host;
    return true;
}
