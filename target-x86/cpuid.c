/*
 * cpuid.c: the default CPU model and CPUID lookup (see cpuid.h). The
 * model is a 64-bit family-6 CPU with the baseline x86-64 features; the
 * accelerator narrows it to what it can really provide. -cpu picks a
 * model from a short list (vireo64, the default; vireo32 without long
 * mode).
 */
#include "vireo/common.h"
#include "target-x86/cpuid.h"

static void set_entry(X86CPUState *env, uint32_t fn, uint32_t idx, bool sig,
                      uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    g_assert(env->ncpuid < X86_MAX_CPUID);
    env->cpuid[env->ncpuid++] = (X86CPUIDEntry){ fn, idx, sig, a, b, c, d };
}

static uint32_t str4(const char *s)
{
    return (uint32_t)s[0] | (uint32_t)s[1] << 8 | (uint32_t)s[2] << 16 | (uint32_t)s[3] << 24;
}

void x86_cpuid_init_model(X86CPUState *env)
{
    static const char vendor[] = "GenuineIntel";
    static const char brand[49] = "vireo virtual CPU version 0.1";
    uint32_t b[12];

    env->ncpuid = 0;
    env->cpuid_level = 0xd;
    env->cpuid_xlevel = 0x80000008;
    set_entry(env, 0, 0, false, env->cpuid_level, str4(vendor), str4(vendor + 8),
              str4(vendor + 4));
    /* Family 6, model 15 (0x0f), stepping 11; CLFLUSH line 8*8 bytes; 1 logical CPU. */
    set_entry(env, 1, 0, false, 0x000006fb, 0x00000800,
              CPUID_EXT_SSE3 | CPUID_EXT_CX16 | CPUID_EXT_HYPERVISOR,
              CPUID_FP87 | CPUID_VME | CPUID_DE | CPUID_PSE | CPUID_TSC | CPUID_MSR |
              CPUID_PAE | CPUID_MCE | CPUID_CX8 | CPUID_APIC | CPUID_SEP | CPUID_MTRR |
              CPUID_PGE | CPUID_MCA | CPUID_CMOV | CPUID_PAT | CPUID_PSE36 |
              CPUID_CLFLUSH | CPUID_MMX | CPUID_FXSR | CPUID_SSE | CPUID_SSE2);
    set_entry(env, 7, 0, true, 0, 0, 0, 0);
    set_entry(env, 0xd, 0, true, 0, 0, 0, 0);
    set_entry(env, 0x80000000, 0, false, env->cpuid_xlevel, 0, 0, 0);
    set_entry(env, 0x80000001, 0, false, 0x000006fb, 0, CPUID_EXT3_LAHF_LM,
              CPUID_EXT2_SYSCALL | CPUID_EXT2_NX | CPUID_EXT2_LM);
    memcpy(b, brand, sizeof(b));
    for (int i = 0; i < 3; i++) {
        set_entry(env, 0x80000002 + i, 0, false, b[i * 4], b[i * 4 + 1], b[i * 4 + 2],
                  b[i * 4 + 3]);
    }
    /* 40-bit physical, 48-bit virtual addresses. */
    set_entry(env, 0x80000008, 0, false, 0x00003028, 0, 0, 0);
}

static const X86CPUModel models[] = {
    { "vireo64", "64-bit family-6 CPU with long mode (default)", true },
    { "vireo32", "the same CPU without long mode, SYSCALL or LAHF in 64-bit mode", false },
};

const X86CPUModel *x86_cpu_model_nth(size_t i)
{
    return i < ARRAY_SIZE(models) ? &models[i] : NULL;
}

const X86CPUModel *x86_cpu_model_find(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(models); i++) {
        if (strcmp(models[i].name, name) == 0) {
            return &models[i];
        }
    }
    return NULL;
}

/* A 32-bit model clears the extended-leaf bits that only mean something
 * in IA-32e mode (SDM Vol.2A CPUID, Table 3-8: on Intel, SYSCALL and
 * LAHF/SAHF bits describe 64-bit mode); EFER.LME and EFER.SCE then become
 * reserved (misc_helper.c). */
void x86_cpuid_apply_model(X86CPUState *env, const X86CPUModel *model)
{
    X86CPUIDEntry *e;

    x86_cpuid_init_model(env);
    e = x86_cpuid_find(env, 0x80000001, 0);
    if (!model->long_mode && e) {
        e->edx &= ~(CPUID_EXT2_LM | CPUID_EXT2_SYSCALL);
        e->ecx &= ~CPUID_EXT3_LAHF_LM;
    }
}

bool x86_cpu_has_long_mode(X86CPUState *env)
{
    X86CPUIDEntry *e = x86_cpuid_find(env, 0x80000001, 0);
    return e && (e->edx & CPUID_EXT2_LM);
}

X86CPUIDEntry *x86_cpuid_find(X86CPUState *env, uint32_t function, uint32_t index)
{
    for (int i = 0; i < env->ncpuid; i++) {
        X86CPUIDEntry *e = &env->cpuid[i];
        if (e->function == function && (!e->significant_index || e->index == index)) {
            return e;
        }
    }
    return NULL;
}

void x86_cpuid(X86CPUState *env, uint32_t function, uint32_t index,
               uint32_t *eax, uint32_t *ebx, uint32_t *ecx, uint32_t *edx)
{
    X86CPUIDEntry *e;

    /* SDM Vol.2A CPUID: a basic leaf above the maximum returns the highest
     * basic leaf's data (Intel behaviour); so does an unknown extended leaf. */
    if (function >= 0x80000000 ? function > env->cpuid_xlevel : function > env->cpuid_level) {
        function = env->cpuid_level;
    }
    e = x86_cpuid_find(env, function, index);
    if (!e) {
        *eax = *ebx = *ecx = *edx = 0;
        return;
    }
    *eax = e->eax;
    *ebx = e->ebx;
    *ecx = e->ecx;
    *edx = e->edx;
}
