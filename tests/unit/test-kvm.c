/*
 * test-kvm.c: the KVM accelerator's parts that need no /dev/kvm: the
 * conversions between X86CPUState and the KVM register structures, the
 * CPUID filter against a made-up "supported" list, the DR7 encoding of
 * breakpoints, the memory-slot rule, the I/O and MMIO exit dispatch on a
 * hand-filled kvm_run, and the error line for a missing device.
 * (tests/unit/test-kvm-run.c runs real guest code when /dev/kvm exists.)
 */
#include "vireo/common.h"
#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>
#include "vireo/log.h"
#include "accel/accel.h"
#include "accel/kvm.h"
#include "system/machine.h"
#include "target-x86/cpu.h"
#include "target-x86/cpuid.h"

/* ---- segments, registers ---- */

static void test_seg_code32_converts_to_kvm_fields(void **state)
{
    SegmentCache sc = { 0x08, 0x1000, 0xffffffff,
                        DESC_P_MASK | DESC_S_MASK | (0xbu << DESC_TYPE_SHIFT) |
                        DESC_B_MASK | DESC_G_MASK | (3u << DESC_DPL_SHIFT) };
    struct kvm_segment ks;

    kvm_seg_from_cache(&ks, &sc);
    assert_int_equal(ks.selector, 0x08);
    assert_int_equal(ks.base, 0x1000);
    assert_int_equal(ks.limit, 0xffffffff);
    assert_int_equal(ks.type, 0xb);
    assert_int_equal(ks.present, 1);
    assert_int_equal(ks.dpl, 3);
    assert_int_equal(ks.db, 1);
    assert_int_equal(ks.s, 1);
    assert_int_equal(ks.g, 1);
    assert_int_equal(ks.l, 0);
    assert_int_equal(ks.unusable, 0);
}

static void test_seg_round_trip_keeps_flags(void **state)
{
    static const uint32_t flags[] = {
        DESC_P_MASK | DESC_S_MASK | (0xbu << DESC_TYPE_SHIFT) | DESC_L_MASK | DESC_AVL_MASK,
        DESC_P_MASK | (11u << DESC_TYPE_SHIFT),     /* busy TSS */
        DESC_P_MASK | (2u << DESC_TYPE_SHIFT),      /* LDT */
        DESC_P_MASK | DESC_S_MASK | (3u << DESC_TYPE_SHIFT) | DESC_B_MASK,
    };

    for (size_t i = 0; i < G_N_ELEMENTS(flags); i++) {
        SegmentCache in = { 0x2b, 0xfffff000, 0xffff, flags[i] }, out;
        struct kvm_segment ks;
        kvm_seg_from_cache(&ks, &in);
        kvm_seg_to_cache(&out, &ks);
        assert_int_equal(out.selector, in.selector);
        assert_int_equal(out.base, in.base);
        assert_int_equal(out.limit, in.limit);
        assert_int_equal(out.flags, in.flags);
    }
}

static void test_seg_not_present_is_unusable_and_comes_back_not_present(void **state)
{
    SegmentCache in = { 0, 0, 0, DESC_S_MASK | (3u << DESC_TYPE_SHIFT) }, out;
    struct kvm_segment ks;

    kvm_seg_from_cache(&ks, &in);
    assert_int_equal(ks.unusable, 1);
    ks.present = 1;     /* KVM may report P with unusable set */
    kvm_seg_to_cache(&out, &ks);
    assert_false(out.flags & DESC_P_MASK);
}

static void test_regs_round_trip_with_df_set(void **state)
{
    X86CPU *cpu = x86_cpu_new(0), *b = x86_cpu_new(0);
    X86CPUState *env = &cpu->env, *back = &b->env;
    struct kvm_regs kr;

    for (int i = 0; i < 16; i++) {
        env->regs[i] = 0x1111111111111111ULL * (uint64_t)(i + 1);
    }
    env->rip = 0xffffffff81000000ULL;
    x86_eflags_set(env, 0x2 | DF_MASK | IF_MASK | CC_Z);
    kvm_regs_from_env(&kr, env);
    assert_int_equal(kr.rax, env->regs[R_EAX]);
    assert_int_equal(kr.rsp, env->regs[R_ESP]);
    assert_int_equal(kr.r15, env->regs[R_R15]);
    assert_int_equal(kr.rip, 0xffffffff81000000ULL);
    assert_int_equal(kr.rflags, 0x2 | DF_MASK | IF_MASK | CC_Z);

    kvm_regs_to_env(back, &kr);
    assert_memory_equal(back->regs, env->regs, sizeof(env->regs));
    assert_int_equal(back->df, -1);
    assert_int_equal(x86_eflags_get(back), kr.rflags);
    x86_cpu_free(cpu);
    x86_cpu_free(b);
}

static void test_sregs_of_reset_state_point_at_the_reset_vector(void **state)
{
    X86CPU *cpu = x86_cpu_new(0);
    struct kvm_sregs ks;

    kvm_sregs_from_env(&ks, &cpu->env);
    assert_int_equal(ks.cs.selector, 0xf000);
    assert_int_equal(ks.cs.base, 0xffff0000);
    assert_int_equal(ks.cs.limit, 0xffff);
    assert_int_equal(ks.cs.present, 1);
    assert_int_equal(ks.cr0, CR0_ET | CR0_CD | CR0_NW);
    assert_int_equal(ks.tr.type, 11);
    assert_int_equal(ks.ldt.type, 2);
    assert_int_equal(ks.idt.limit, 0xffff);
    assert_int_equal(ks.apic_base & ~0xfffULL, 0xfee00000);
    for (size_t i = 0; i < G_N_ELEMENTS(ks.interrupt_bitmap); i++) {
        assert_int_equal(ks.interrupt_bitmap[i], 0);
    }
    x86_cpu_free(cpu);
}

static void test_sregs_round_trip_long_mode_sets_hflags(void **state)
{
    X86CPU *a = x86_cpu_new(0), *b = x86_cpu_new(0);
    X86CPUState *env = &a->env;
    struct kvm_sregs ks;

    env->cr[0] = CR0_PE | CR0_PG | CR0_ET;
    env->cr[2] = 0xdead000;
    env->cr[3] = 0x1000;
    env->cr[4] = CR4_PAE;
    env->cr8 = 5;
    env->efer = EFER_LME | EFER_LMA | EFER_SCE;
    env->gdt = (DescTable){ 0x5000, 0x37 };
    env->idt = (DescTable){ 0x6000, 0xfff };
    x86_seg_load_cache(env, R_CS, 0x10, 0, 0xffffffff,
                       DESC_P_MASK | DESC_S_MASK | (0xbu << DESC_TYPE_SHIFT) | DESC_L_MASK |
                       DESC_G_MASK);
    x86_seg_load_cache(env, R_SS, 0x18, 0, 0xffffffff,
                       DESC_P_MASK | DESC_S_MASK | (3u << DESC_TYPE_SHIFT) | DESC_B_MASK |
                       DESC_G_MASK);
    kvm_sregs_from_env(&ks, env);
    assert_int_equal(ks.cs.l, 1);
    assert_int_equal(ks.efer, EFER_LME | EFER_LMA | EFER_SCE);
    assert_int_equal(ks.cr8, 5);

    kvm_sregs_to_env(&b->env, &ks);
    assert_memory_equal(&b->env.segs[R_CS], &env->segs[R_CS], sizeof(SegmentCache));
    assert_memory_equal(&b->env.segs[R_SS], &env->segs[R_SS], sizeof(SegmentCache));
    assert_int_equal(b->env.gdt.base, 0x5000);
    assert_int_equal(b->env.idt.limit, 0xfff);
    assert_int_equal(b->env.cr[2], 0xdead000);
    assert_int_equal(b->env.cr[3], 0x1000);
    assert_int_equal(b->env.cr[4], CR4_PAE);
    assert_true(b->env.hflags & HF_LMA_MASK);
    assert_true(b->env.hflags & HF_CS64_MASK);
    x86_cpu_free(a);
    x86_cpu_free(b);
}

static void test_sregs_set_accessed_bits_and_busy_tss(void **state)
{
    X86CPU *cpu = x86_cpu_new(0);
    X86CPUState *env = &cpu->env;
    struct kvm_sregs ks;

    env->cr[0] |= CR0_PE;
    env->segs[R_CS].flags = DESC_P_MASK | DESC_S_MASK | (0xau << DESC_TYPE_SHIFT) | DESC_B_MASK;
    env->segs[R_DS].flags = DESC_P_MASK | DESC_S_MASK | (0x2u << DESC_TYPE_SHIFT);
    env->segs[R_FS].flags = DESC_S_MASK | (0x2u << DESC_TYPE_SHIFT);    /* not present */
    env->tr.flags = DESC_P_MASK | (9u << DESC_TYPE_SHIFT);
    kvm_sregs_from_env(&ks, env);
    assert_int_equal(ks.cs.type, 0xb);
    assert_int_equal(ks.ds.type, 0x3);
    assert_int_equal(ks.fs.type, 0x2);
    assert_int_equal(ks.tr.type, 11);
    x86_cpu_free(cpu);
}

static void test_sregs_in_v86_mode_use_vm86_segments(void **state)
{
    X86CPU *cpu = x86_cpu_new(0);
    X86CPUState *env = &cpu->env;
    struct kvm_sregs ks;

    env->cr[0] |= CR0_PE;
    x86_eflags_set(env, 0x2 | VM_MASK);
    env->segs[R_DS] = (SegmentCache){ 0x1234, 0x99999, 0x10, 0 };
    kvm_sregs_from_env(&ks, env);
    assert_int_equal(ks.ds.base, 0x12340);
    assert_int_equal(ks.ds.limit, 0xffff);
    assert_int_equal(ks.ds.type, 3);
    assert_int_equal(ks.ds.dpl, 3);
    assert_int_equal(ks.ds.present, 1);
    assert_int_equal(ks.ds.s, 1);
    x86_cpu_free(cpu);
}

/* ---- FPU, debug registers ---- */

static void test_fpu_puts_st_in_stack_order_and_tags_by_physical_register(void **state)
{
    X86CPU *cpu = x86_cpu_new(0), *back = x86_cpu_new(0);
    X86CPUState *env = &cpu->env;
    struct kvm_fpu kf;
    uint64_t mant;
    uint16_t sexp;

    env->fpstt = 6;
    for (int i = 0; i < 8; i++) {
        env->fpregs[i] = (FloatX80){ 0x8000000000000000ULL | (uint64_t)i, (uint16_t)(0x3fff + i) };
    }
    memset(env->fptags, 1, sizeof(env->fptags));
    env->fptags[6] = 0;         /* ST(0) lives in physical register 6 */
    env->fptags[7] = 0;
    env->fpus = 0x0041;
    env->fpuc = 0x027f;
    env->xmm[3].q[0] = 0x0123456789abcdefULL;
    env->xmm[15].q[1] = 0xfedcba9876543210ULL;
    env->mxcsr = 0x1fa0;
    kvm_fpu_from_env(&kf, env);
    memcpy(&mant, kf.fpr[0], 8);
    memcpy(&sexp, kf.fpr[0] + 8, 2);
    assert_int_equal(mant, 0x8000000000000006ULL);
    assert_int_equal(sexp, 0x3fff + 6);
    memcpy(&mant, kf.fpr[2], 8);
    assert_int_equal(mant, 0x8000000000000000ULL);     /* ST(2) = R((6+2)&7) = R0 */
    assert_int_equal(kf.ftwx, 0xc0);
    assert_int_equal(kf.fsw, 0x0041 | (6 << 11));
    assert_int_equal(kf.fcw, 0x027f);
    assert_int_equal(kf.mxcsr, 0x1fa0);

    kvm_fpu_to_env(&back->env, &kf);
    assert_int_equal(back->env.fpstt, 6);
    assert_int_equal(back->env.fpus, 0x0041);
    assert_memory_equal(back->env.fpregs, env->fpregs, sizeof(env->fpregs));
    assert_memory_equal(back->env.fptags, env->fptags, sizeof(env->fptags));
    assert_memory_equal(back->env.xmm, env->xmm, sizeof(env->xmm));
    x86_cpu_free(cpu);
    x86_cpu_free(back);
}

static void test_debugregs_round_trip(void **state)
{
    X86CPU *cpu = x86_cpu_new(0), *back = x86_cpu_new(0);
    struct kvm_debugregs kd;

    for (int i = 0; i < 4; i++) {
        cpu->env.dr[i] = 0x1000u * (unsigned)(i + 1);
    }
    cpu->env.dr[6] = 0xffff4ff1;
    cpu->env.dr[7] = 0x00010401;
    kvm_debugregs_from_env(&kd, &cpu->env);
    assert_int_equal(kd.db[3], 0x4000);
    assert_int_equal(kd.dr7, 0x00010401);
    kvm_debugregs_to_env(&back->env, &kd);
    assert_memory_equal(back->env.dr, cpu->env.dr, sizeof(uint64_t) * 4);
    assert_int_equal(back->env.dr[6], 0xffff4ff1);
    x86_cpu_free(cpu);
    x86_cpu_free(back);
}

/* ---- MSRs and events ---- */

static void test_msrs_from_env_keeps_only_supported_ones(void **state)
{
    X86CPU *cpu = x86_cpu_new(0);
    struct kvm_msr_entry e[KVM_MAX_SYNC_MSRS];
    const uint32_t sup[] = { 0xc0000082, 0x10, 0x12345678 };
    int n;

    cpu->env.lstar = 0xffffffff81800000ULL;
    cpu->env.tsc = 777;
    n = kvm_msrs_from_env(e, KVM_MAX_SYNC_MSRS, &cpu->env, sup, 3);
    assert_int_equal(n, 2);
    assert_int_equal(e[0].index, 0x10);
    assert_int_equal(e[0].data, 777);
    assert_int_equal(e[1].index, 0xc0000082);
    assert_int_equal(e[1].data, 0xffffffff81800000ULL);
    x86_cpu_free(cpu);
}

static void test_msrs_round_trip_every_field(void **state)
{
    X86CPU *cpu = x86_cpu_new(0), *back = x86_cpu_new(0);
    struct kvm_msr_entry e[KVM_MAX_SYNC_MSRS];
    int n;

    cpu->env.star = 1;
    cpu->env.lstar = 2;
    cpu->env.cstar = 3;
    cpu->env.fmask = 4;
    cpu->env.kernel_gs_base = 5;
    cpu->env.sysenter_cs = 6;
    cpu->env.sysenter_esp = 7;
    cpu->env.sysenter_eip = 8;
    cpu->env.tsc = 9;
    cpu->env.tsc_aux = 10;
    cpu->env.pat = 11;
    cpu->env.misc_enable = 12;
    cpu->env.mtrr_fixed[10] = 13;
    cpu->env.mtrr_var_mask[7] = 14;
    n = kvm_msrs_from_env(e, KVM_MAX_SYNC_MSRS, &cpu->env, NULL, 0);
    assert_true(n >= 12);
    kvm_msrs_to_env(&back->env, e, n);
    assert_int_equal(back->env.star, 1);
    assert_int_equal(back->env.lstar, 2);
    assert_int_equal(back->env.cstar, 3);
    assert_int_equal(back->env.fmask, 4);
    assert_int_equal(back->env.kernel_gs_base, 5);
    assert_int_equal(back->env.sysenter_cs, 6);
    assert_int_equal(back->env.sysenter_esp, 7);
    assert_int_equal(back->env.sysenter_eip, 8);
    assert_int_equal(back->env.tsc, 9);
    assert_int_equal(back->env.tsc_aux, 10);
    assert_int_equal(back->env.pat, 11);
    assert_int_equal(back->env.misc_enable, 12);
    assert_int_equal(back->env.mtrr_fixed[10], 13);
    assert_int_equal(back->env.mtrr_var_mask[7], 14);
    x86_cpu_free(cpu);
    x86_cpu_free(back);
}

static void test_msrs_to_env_ignores_unknown_index(void **state)
{
    X86CPU *cpu = x86_cpu_new(0);
    X86CPUState before;
    struct kvm_msr_entry e = { .index = 0x4b564d00, .data = 42 };

    before = cpu->env;
    kvm_msrs_to_env(&cpu->env, &e, 1);
    assert_memory_equal(&before, &cpu->env, sizeof(before));
    x86_cpu_free(cpu);
}

static void test_events_carry_shadow_nmi_mask_and_previous_interrupt(void **state)
{
    X86CPU *cpu = x86_cpu_new(0);
    struct kvm_vcpu_events prev, ev;

    memset(&prev, 0, sizeof(prev));
    prev.interrupt.injected = 1;
    prev.interrupt.nr = 0x30;
    cpu->env.hflags |= HF_INHIBIT_IRQ_MASK | HF_NMI_MASK;
    kvm_events_from_env(&ev, &cpu->env, &prev);
    assert_int_equal(ev.interrupt.injected, 1);
    assert_int_equal(ev.interrupt.nr, 0x30);
    assert_true(ev.interrupt.shadow != 0);
    assert_int_equal(ev.nmi.masked, 1);
    assert_int_equal(ev.exception.injected, 0);
    assert_true(ev.flags & KVM_VCPUEVENT_VALID_SHADOW);

    kvm_events_from_env(&ev, &cpu->env, NULL);
    assert_int_equal(ev.interrupt.injected, 0);
    x86_cpu_free(cpu);
}

static void test_events_to_env_sets_hflags_and_exception(void **state)
{
    X86CPU *cpu = x86_cpu_new(0);
    struct kvm_vcpu_events ev, again;

    memset(&ev, 0, sizeof(ev));
    ev.exception.injected = 1;
    ev.exception.nr = 14;
    ev.exception.has_error_code = 1;
    ev.exception.error_code = 2;
    ev.nmi.masked = 1;
    kvm_events_to_env(&cpu->env, &ev);
    assert_int_equal(cpu->env.exception_index, 14);
    assert_true(cpu->env.has_error_code);
    assert_int_equal(cpu->env.error_code, 2);
    assert_true(cpu->env.hflags & HF_NMI_MASK);
    assert_false(cpu->env.hflags & HF_INHIBIT_IRQ_MASK);

    kvm_events_from_env(&again, &cpu->env, NULL);
    assert_int_equal(again.exception.injected, 1);
    assert_int_equal(again.exception.nr, 14);
    assert_int_equal(again.exception.error_code, 2);

    memset(&ev, 0, sizeof(ev));
    kvm_events_to_env(&cpu->env, &ev);
    assert_int_equal(cpu->env.exception_index, -1);
    x86_cpu_free(cpu);
}

/* ---- CPUID ---- */

static struct kvm_cpuid_entry2 sup_entry(uint32_t fn, uint32_t idx, uint32_t flags, uint32_t a,
                                         uint32_t b, uint32_t c, uint32_t d)
{
    return (struct kvm_cpuid_entry2){ .function = fn, .index = idx, .flags = flags,
                                      .eax = a, .ebx = b, .ecx = c, .edx = d };
}

static void test_cpuid_filter_intersects_features_and_keeps_identity(void **state)
{
    X86CPU *cpu = x86_cpu_new(0);
    X86CPUState *env = &cpu->env;
    uint32_t model_edx = x86_cpuid_find(env, 1, 0)->edx;
    uint32_t model_eax1 = x86_cpuid_find(env, 1, 0)->eax;
    struct kvm_cpuid_entry2 sup[] = {
        sup_entry(0, 0, 0, 0x16, 0x68747541, 0x444d4163, 0x69746e65),   /* AuthenticAMD */
        sup_entry(1, 0, 0, 0x00a20f12, 0xff000000,
                  CPUID_EXT_SSE3 | CPUID_EXT_X2APIC | (1u << 24) | CPUID_EXT_HYPERVISOR,
                  model_edx & ~CPUID_PSE36),
        sup_entry(7, 0, KVM_CPUID_FLAG_SIGNIFCANT_INDEX, 0, 0xffffffff, 0, 0),
        sup_entry(0xd, 0, KVM_CPUID_FLAG_SIGNIFCANT_INDEX, 7, 0x340, 0x340, 0),
        sup_entry(0x80000000, 0, 0, 0x80000021, 0, 0, 0),
        sup_entry(0x80000008, 0, 0, 0x00003030, 0, 0, 0),
    };
    X86CPUIDEntry *e;

    x86_cpuid_find(env, 1, 0)->ecx |= CPUID_EXT_X2APIC | (1u << 24);
    kvm_cpuid_filter(env, sup, G_N_ELEMENTS(sup), 0);

    e = x86_cpuid_find(env, 0, 0);
    assert_int_equal(e->eax, 0xd);                  /* min(model 0xd, host 0x16) */
    assert_int_equal(e->ebx, 0x756e6547);           /* "Genu": the model's vendor */
    e = x86_cpuid_find(env, 1, 0);
    assert_int_equal(e->eax, model_eax1);
    assert_int_equal(e->ecx, CPUID_EXT_SSE3 | CPUID_EXT_HYPERVISOR);   /* no CX16, x2APIC, deadline */
    assert_int_equal(e->edx, model_edx & ~CPUID_PSE36);
    assert_int_equal(e->ebx >> 24, 0);
    e = x86_cpuid_find(env, 0x80000001, 0);
    assert_non_null(e);                              /* not reported by the host: no features */
    assert_int_equal(e->edx, 0);
    assert_int_equal(e->ecx, 0);
    e = x86_cpuid_find(env, 0x80000002, 0);
    assert_int_equal(e->eax, 0x65726976);           /* "vire": the brand stays */
    e = x86_cpuid_find(env, 0x80000008, 0);
    assert_int_equal(e->eax, 0x00003028);           /* 40 physical, 48 linear bits */
    assert_int_equal(env->cpuid_level, 0xd);
    assert_int_equal(env->cpuid_xlevel, 0x80000008);
    x86_cpu_free(cpu);
}

static void test_cpuid_filter_drops_leaves_above_the_hosts_maximum(void **state)
{
    X86CPU *cpu = x86_cpu_new(0);
    struct kvm_cpuid_entry2 sup[] = {
        sup_entry(0, 0, 0, 0x5, 0, 0, 0),
        sup_entry(1, 0, 0, 0, 0, 0xffffffff, 0xffffffff),
        sup_entry(0x80000000, 0, 0, 0x80000004, 0, 0, 0),
    };

    kvm_cpuid_filter(&cpu->env, sup, G_N_ELEMENTS(sup), 3);
    assert_int_equal(cpu->env.cpuid_level, 5);
    assert_null(x86_cpuid_find(&cpu->env, 7, 0));
    assert_null(x86_cpuid_find(&cpu->env, 0xd, 0));
    assert_null(x86_cpuid_find(&cpu->env, 0x80000008, 0));
    assert_non_null(x86_cpuid_find(&cpu->env, 0x80000004, 0));
    assert_int_equal(x86_cpuid_find(&cpu->env, 1, 0)->ebx >> 24, 3);
    x86_cpu_free(cpu);
}

static void test_cpuid_entries_mark_significant_index(void **state)
{
    X86CPU *cpu = x86_cpu_new(0);
    struct kvm_cpuid_entry2 out[X86_MAX_CPUID];
    int n = kvm_cpuid_to_entries(out, X86_MAX_CPUID, &cpu->env);
    bool saw7 = false;

    assert_int_equal(n, cpu->env.ncpuid);
    for (int i = 0; i < n; i++) {
        if (out[i].function == 7) {
            saw7 = true;
            assert_int_equal(out[i].flags, KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
        }
        if (out[i].function == 1) {
            assert_int_equal(out[i].flags, 0);
        }
    }
    assert_true(saw7);
    assert_int_equal(kvm_cpuid_to_entries(out, 2, &cpu->env), 2);
    x86_cpu_free(cpu);
}

/* ---- debugging ---- */

static void test_guest_debug_encodes_exec_and_write_breakpoints(void **state)
{
    KVMBreakpoint bp[KVM_NR_HW_BREAKPOINTS] = {
        { true, 0, 0x100000, 1 },
        { true, 2, 0x2000, 4 },
        { false, 0, 0, 0 },
        { true, 4, 0x3000, 8 },
    };
    struct kvm_guest_debug dbg;

    kvm_guest_debug_build(&dbg, bp, KVM_NR_HW_BREAKPOINTS, false);
    assert_int_equal(dbg.control, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP);
    assert_int_equal(dbg.arch.debugreg[0], 0x100000);
    assert_int_equal(dbg.arch.debugreg[1], 0x2000);
    assert_int_equal(dbg.arch.debugreg[3], 0x3000);
    /* G0, G1, G3; slot 1 RW=01 LEN=11; slot 3 RW=11 LEN=10 */
    assert_int_equal(dbg.arch.debugreg[7],
                     0x2 | 0x8 | 0x80 | (0x1ULL << 20) | (0x3ULL << 22) |
                     (0x3ULL << 28) | (0x2ULL << 30));
}

static void test_guest_debug_single_step_alone_and_nothing_disables(void **state)
{
    KVMBreakpoint bp[KVM_NR_HW_BREAKPOINTS];
    struct kvm_guest_debug dbg;

    memset(bp, 0, sizeof(bp));
    kvm_guest_debug_build(&dbg, bp, KVM_NR_HW_BREAKPOINTS, true);
    assert_int_equal(dbg.control, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP);
    kvm_guest_debug_build(&dbg, bp, KVM_NR_HW_BREAKPOINTS, false);
    assert_int_equal(dbg.control, 0);
    assert_int_equal(dbg.arch.debugreg[7], 0);
}

static void test_breakpoint_validation_rejects_bad_watchpoints(void **state)
{
    assert_true(kvm_breakpoint_valid(0, 0x1001, 1));
    assert_true(kvm_breakpoint_valid(1, 0x1003, 1));
    assert_true(kvm_breakpoint_valid(2, 0x1000, 8));
    assert_false(kvm_breakpoint_valid(2, 0x1002, 4));
    assert_false(kvm_breakpoint_valid(3, 0x1000, 3));
    assert_false(kvm_breakpoint_valid(4, 0x1000, 16));
    assert_false(kvm_breakpoint_valid(5, 0x1000, 1));
}

/* ---- memory slots ---- */

static void test_slot_rule_maps_aligned_ram_and_rom(void **state)
{
    static uint8_t mem[3 * 4096] __attribute__((aligned(4096)));
    BusRegion r = { .name = (char *)"ram", .base = 0x100000, .size = 8192,
                    .kind = BUS_REGION_RAM, .host = mem };
    struct kvm_userspace_memory_region mr;

    assert_true(kvm_region_to_slot(&r, true, &mr));
    assert_int_equal(mr.guest_phys_addr, 0x100000);
    assert_int_equal(mr.memory_size, 8192);
    assert_int_equal(mr.userspace_addr, (uintptr_t)mem);
    assert_int_equal(mr.flags, 0);

    r.kind = BUS_REGION_ROM;
    assert_true(kvm_region_to_slot(&r, true, &mr));
    assert_int_equal(mr.flags, KVM_MEM_READONLY);
    assert_true(kvm_region_to_slot(&r, false, &mr));
    assert_int_equal(mr.flags, 0);
}

static void test_slot_rule_refuses_io_and_unaligned_regions(void **state)
{
    static uint8_t mem[3 * 4096] __attribute__((aligned(4096)));
    BusRegion r = { .name = (char *)"x", .base = 0xc0000, .size = 4096,
                    .kind = BUS_REGION_RAM, .host = mem + 16 };
    struct kvm_userspace_memory_region mr;

    assert_false(kvm_region_to_slot(&r, true, &mr));        /* host pointer */
    r.host = mem;
    r.size = 4000;
    assert_false(kvm_region_to_slot(&r, true, &mr));        /* size */
    r.size = 4096;
    r.base = 0xc0800;
    assert_false(kvm_region_to_slot(&r, true, &mr));        /* base */
    r.base = 0xc0000;
    r.kind = BUS_REGION_IO;
    assert_false(kvm_region_to_slot(&r, true, &mr));
}

/* ---- exit dispatch ---- */

typedef struct RecDev {
    uint64_t writes[8];
    unsigned sizes[8];
    int nwrites;
    uint64_t next_read;
} RecDev;

static uint64_t rec_read(void *opaque, uint64_t offset, unsigned size)
{
    RecDev *d = opaque;
    return d->next_read++;
}

static void rec_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    RecDev *d = opaque;
    if (d->nwrites < 8) {
        d->sizes[d->nwrites] = size;
        d->writes[d->nwrites++] = value;
    }
}

static const BusOps rec_ops = { rec_read, rec_write };

#define RUN_SIZE 4096

static struct kvm_run *run_new(void)
{
    return g_malloc0(RUN_SIZE);
}

static void test_io_exit_string_out_writes_every_element(void **state)
{
    Bus *io = bus_new("io", 0x10000, LOG_IOPORT);
    RecDev dev = { 0 };
    struct kvm_run *run = run_new();
    uint16_t words[3] = { 0x1111, 0x2222, 0x3333 };

    assert_non_null(bus_add_io(io, "rec", 0x3f8, 8, &rec_ops, &dev, NULL));
    run->exit_reason = KVM_EXIT_IO;
    run->io.direction = KVM_EXIT_IO_OUT;
    run->io.size = 2;
    run->io.port = 0x3f8;
    run->io.count = 3;
    run->io.data_offset = 256;
    memcpy((uint8_t *)run + 256, words, sizeof(words));
    assert_int_equal(kvm_handle_io(io, run, RUN_SIZE), 0);
    assert_int_equal(dev.nwrites, 3);
    assert_int_equal(dev.writes[0], 0x1111);
    assert_int_equal(dev.writes[2], 0x3333);
    assert_int_equal(dev.sizes[1], 2);
    g_free(run);
    bus_free(io);
}

static void test_io_exit_in_fills_the_data_area(void **state)
{
    Bus *io = bus_new("io", 0x10000, LOG_IOPORT);
    RecDev dev = { .next_read = 0x41 };
    struct kvm_run *run = run_new();
    uint8_t *data = (uint8_t *)run + 512;

    assert_non_null(bus_add_io(io, "rec", 0x60, 1, &rec_ops, &dev, NULL));
    run->io.direction = KVM_EXIT_IO_IN;
    run->io.size = 1;
    run->io.port = 0x60;
    run->io.count = 2;
    run->io.data_offset = 512;
    assert_int_equal(kvm_handle_io(io, run, RUN_SIZE), 0);
    assert_int_equal(data[0], 0x41);
    assert_int_equal(data[1], 0x42);

    /* an unclaimed port reads all ones */
    run->io.port = 0x61;
    run->io.size = 4;
    run->io.count = 1;
    assert_int_equal(kvm_handle_io(io, run, RUN_SIZE), 0);
    assert_int_equal(*(uint32_t *)data, 0xffffffff);
    g_free(run);
    bus_free(io);
}

static void test_io_exit_outside_the_run_area_is_refused(void **state)
{
    Bus *io = bus_new("io", 0x10000, LOG_IOPORT);
    struct kvm_run *run = run_new();

    run->io.direction = KVM_EXIT_IO_IN;
    run->io.size = 4;
    run->io.count = 2;
    run->io.data_offset = RUN_SIZE - 4;
    assert_int_equal(kvm_handle_io(io, run, RUN_SIZE), -1);
    run->io.data_offset = 64;
    run->io.size = 3;
    assert_int_equal(kvm_handle_io(io, run, RUN_SIZE), -1);
    run->io.size = 1;
    run->io.count = 0;
    assert_int_equal(kvm_handle_io(io, run, RUN_SIZE), -1);
    run->io.count = 0xffffffff;
    assert_int_equal(kvm_handle_io(io, run, RUN_SIZE), -1);
    g_free(run);
    bus_free(io);
}

static void test_mmio_exit_reads_and_writes_the_memory_bus(void **state)
{
    Bus *mem = bus_new("memory", 1ULL << 32, LOG_MMIO);
    RecDev dev = { .next_read = 0x1122334455667788ULL };
    struct kvm_run *run = run_new();
    uint32_t v32 = 0xcafef00d;
    uint64_t v64;

    assert_non_null(bus_add_io(mem, "rec", 0xfec00000, 0x1000, &rec_ops, &dev, NULL));
    run->exit_reason = KVM_EXIT_MMIO;
    run->mmio.phys_addr = 0xfec00010;
    run->mmio.len = 4;
    run->mmio.is_write = 1;
    memcpy(run->mmio.data, &v32, 4);
    assert_int_equal(kvm_handle_mmio(mem, run), 0);
    assert_int_equal(dev.nwrites, 1);
    assert_int_equal(dev.writes[0], 0xcafef00d);
    assert_int_equal(dev.sizes[0], 4);

    run->mmio.is_write = 0;
    run->mmio.len = 8;
    assert_int_equal(kvm_handle_mmio(mem, run), 0);
    memcpy(&v64, run->mmio.data, 8);
    assert_int_equal(v64, 0x1122334455667788ULL);

    run->mmio.is_write = 1;
    run->mmio.len = 3;          /* a page-split fragment: bytes */
    assert_int_equal(kvm_handle_mmio(mem, run), 0);
    assert_int_equal(dev.nwrites, 4);
    assert_int_equal(dev.sizes[3], 1);

    run->mmio.len = 0;
    assert_int_equal(kvm_handle_mmio(mem, run), -1);
    run->mmio.len = 9;
    assert_int_equal(kvm_handle_mmio(mem, run), -1);
    g_free(run);
    bus_free(mem);
}

static void test_exit_reason_names(void **state)
{
    assert_string_equal(kvm_exit_reason_name(KVM_EXIT_IO), "KVM_EXIT_IO");
    assert_string_equal(kvm_exit_reason_name(KVM_EXIT_INTERNAL_ERROR), "KVM_EXIT_INTERNAL_ERROR");
    assert_string_equal(kvm_exit_reason_name(19), "unknown");
    assert_string_equal(kvm_exit_reason_name(100000), "unknown");
}

/* ---- the device ---- */

static void test_missing_device_gives_one_line_naming_tcg(void **state)
{
    GError *err = NULL;

    assert_int_equal(kvm_open_device("/nonexistent/kvm", &err), -1);
    assert_non_null(err);
    assert_string_equal(err->message, "-accel kvm: /nonexistent/kvm: No such file or directory; "
                                      "use -accel tcg for the software CPU");
    assert_null(strchr(err->message, '\n'));
    g_error_free(err);
}

static void test_accel_init_without_dev_kvm_fails_with_that_line(void **state)
{
    GError *err = NULL;
    Machine m = { 0 };
    Bus *mem = bus_new("memory", 1ULL << 32, LOG_MMIO), *io = bus_new("io", 0x10000, LOG_IOPORT);

    m.mem = mem;
    m.io = io;
    if (g_file_test("/dev/kvm", G_FILE_TEST_EXISTS)) {
        bus_free(mem);
        bus_free(io);
        skip();
    }
    assert_int_equal(kvm_accel_ops.init(&m, NULL, &err), -1);
    assert_non_null(err);
    assert_true(g_str_has_prefix(err->message, "-accel kvm: /dev/kvm: "));
    assert_true(g_str_has_suffix(err->message, "; use -accel tcg for the software CPU"));
    g_error_free(err);
    bus_free(mem);
    bus_free(io);
}

static void test_accel_init_before_the_board_is_refused(void **state)
{
    GError *err = NULL;
    Machine m = { 0 };

    assert_int_equal(kvm_accel_ops.init(&m, NULL, &err), -1);
    assert_string_equal(err->message, "-accel kvm: the board must be built before the accelerator");
    g_error_free(err);
}

static void test_accel_rejects_options(void **state)
{
    GError *err = NULL;
    Machine m = { 0 };

    assert_int_equal(kvm_accel_ops.init(&m, "foo=1", &err), -1);
    assert_string_equal(err->message, "-accel kvm,foo=1: kvm takes no options");
    g_error_free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seg_code32_converts_to_kvm_fields),
        cmocka_unit_test(test_seg_round_trip_keeps_flags),
        cmocka_unit_test(test_seg_not_present_is_unusable_and_comes_back_not_present),
        cmocka_unit_test(test_regs_round_trip_with_df_set),
        cmocka_unit_test(test_sregs_of_reset_state_point_at_the_reset_vector),
        cmocka_unit_test(test_sregs_round_trip_long_mode_sets_hflags),
        cmocka_unit_test(test_sregs_set_accessed_bits_and_busy_tss),
        cmocka_unit_test(test_sregs_in_v86_mode_use_vm86_segments),
        cmocka_unit_test(test_fpu_puts_st_in_stack_order_and_tags_by_physical_register),
        cmocka_unit_test(test_debugregs_round_trip),
        cmocka_unit_test(test_msrs_from_env_keeps_only_supported_ones),
        cmocka_unit_test(test_msrs_round_trip_every_field),
        cmocka_unit_test(test_msrs_to_env_ignores_unknown_index),
        cmocka_unit_test(test_events_carry_shadow_nmi_mask_and_previous_interrupt),
        cmocka_unit_test(test_events_to_env_sets_hflags_and_exception),
        cmocka_unit_test(test_cpuid_filter_intersects_features_and_keeps_identity),
        cmocka_unit_test(test_cpuid_filter_drops_leaves_above_the_hosts_maximum),
        cmocka_unit_test(test_cpuid_entries_mark_significant_index),
        cmocka_unit_test(test_guest_debug_encodes_exec_and_write_breakpoints),
        cmocka_unit_test(test_guest_debug_single_step_alone_and_nothing_disables),
        cmocka_unit_test(test_breakpoint_validation_rejects_bad_watchpoints),
        cmocka_unit_test(test_slot_rule_maps_aligned_ram_and_rom),
        cmocka_unit_test(test_slot_rule_refuses_io_and_unaligned_regions),
        cmocka_unit_test(test_io_exit_string_out_writes_every_element),
        cmocka_unit_test(test_io_exit_in_fills_the_data_area),
        cmocka_unit_test(test_io_exit_outside_the_run_area_is_refused),
        cmocka_unit_test(test_mmio_exit_reads_and_writes_the_memory_bus),
        cmocka_unit_test(test_exit_reason_names),
        cmocka_unit_test(test_missing_device_gives_one_line_naming_tcg),
        cmocka_unit_test(test_accel_init_without_dev_kvm_fails_with_that_line),
        cmocka_unit_test(test_accel_init_before_the_board_is_refused),
        cmocka_unit_test(test_accel_rejects_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
