/*
 * cpuid-tcg.c: what the software CPU advertises. The default model
 * (cpuid.c) lists a baseline x86-64 CPU; x86_cpuid_restrict_for_tcg()
 * removes what the translator does not implement, and
 * x86_tcg_decoder_features() turns the remaining CPUID bits into the
 * decoder's feature set, so an instruction of an unadvertised extension
 * decodes as #UD. Implemented and so added: POPCNT, MOVBE, LZCNT (ABM),
 * CMPXCHG16B, RDTSCP, 1 GiB pages (with long mode only), XSAVE/XSAVEOPT
 * for x87 and SSE state (xsave_helper.c; CPUID.0xD sub-leaves 0 and 1
 * describe the 576-byte area), SSSE3 and SSE4.1 (sse4_helper.c,
 * sse_fp_helper.c), SSE4.2 (translate-sse42.c, sse42_helper.c) but only
 * while SSSE3 and SSE4.1 are advertised too, since software takes SSE4.2
 * to imply them, and VME with PVI (misc_helper.c, excp_helper.c,
 * seg_helper.c), SMEP and SMAP (mmu.c, STAC/CLAC). Removed: AES, PCLMULQDQ, x2APIC, AVX (OSXSAVE is
 * computed from CR4 by helper_cpuid). The FPU (x87_helper.c), MMX, SSE,
 * SSE2 and SSE3 (sse_fp_helper.c, with FISTTP) are implemented.
 */
#include "vireo/common.h"
#include "target-x86/cpuid.h"
#include "target-x86/decode.h"
#include "target-x86/helper.h"

/* CPUID.0xD (SDM Vol.2 CPUID, Vol.1 13.2): XCR0 may hold x87 | SSE; the
 * area is 512 legacy + 64 header bytes whatever XCR0 enables; sub-leaf 1
 * EAX bit 0 is XSAVEOPT. */
static void restrict_xsave_leaf(X86CPUState *env)
{
    X86CPUIDEntry *e = x86_cpuid_find(env, 0xd, 0);

    if (e) {
        *e = (X86CPUIDEntry){ 0xd, 0, true, 3, 576, 576, 0 };
    }
    e = x86_cpuid_find(env, 0xd, 1);
    if (!e && env->ncpuid < X86_MAX_CPUID) {
        e = &env->cpuid[env->ncpuid++];
    }
    if (e) {
        *e = (X86CPUIDEntry){ 0xd, 1, true, 1, 0, 0, 0 };
    }
}

void x86_cpuid_restrict_for_tcg(X86CPUState *env)
{
    X86CPUIDEntry *e = x86_cpuid_find(env, 1, 0);

    if (e) {
        e->ecx |= CPUID_EXT_POPCNT | CPUID_EXT_MOVBE;
        e->ecx |= CPUID_EXT_CX16 | CPUID_EXT_XSAVE;
        e->ecx |= CPUID_EXT_SSSE3 | CPUID_EXT_SSE41;
        e->ecx &= ~(CPUID_EXT_PCLMUL | CPUID_EXT_SSE42 | CPUID_EXT_X2APIC | CPUID_EXT_AES |
                    CPUID_EXT_OSXSAVE | CPUID_EXT_AVX);
        /* SSE4.2 is implemented, but software takes it to imply SSSE3 and
         * SSE4.1 (glibc's string functions run PALIGNR beside PCMPISTRI):
         * advertised only together with both. */
        if ((e->ecx & (CPUID_EXT_SSSE3 | CPUID_EXT_SSE41)) ==
            (CPUID_EXT_SSSE3 | CPUID_EXT_SSE41)) {
            e->ecx |= CPUID_EXT_SSE42;
        }
    }
    restrict_xsave_leaf(env);
    e = x86_cpuid_find(env, 7, 0);
    if (e) {
        e->ebx = e->ecx = 0;
        e->edx = CPUID_7_0_EDX_ARCH_CAPABILITIES;   /* misc_helper.c msr_read */
        e->ebx |= CPUID_7_0_EBX_SMEP | CPUID_7_0_EBX_SMAP;   /* mmu.c */
    }
    e = x86_cpuid_find(env, 0x80000001, 0);
    if (e) {
        /* 1 GiB pages exist only in IA-32e paging: not for a 32-bit model. */
        e->edx |= CPUID_EXT2_RDTSCP | (e->edx & CPUID_EXT2_LM ? CPUID_EXT2_PDPE1GB : 0);
        e->ecx = (e->ecx & CPUID_EXT3_LAHF_LM) | CPUID_EXT3_ABM;
    }
}

/* One CPUID bit that enables one decoder feature. */
typedef struct FeatureBit {
    uint32_t leaf;
    uint8_t reg;    /* 0 = EAX, 1 = EBX, 2 = ECX, 3 = EDX */
    uint32_t mask;
    uint8_t feature;
} FeatureBit;

static const FeatureBit feature_bits[] = {
    { 1, 3, CPUID_FP87, X86_FEAT_FPU },
    { 1, 3, CPUID_CX8, X86_FEAT_CX8 },
    { 1, 3, CPUID_SEP, X86_FEAT_SEP },
    { 1, 3, CPUID_CMOV, X86_FEAT_CMOV },
    { 1, 3, CPUID_MMX, X86_FEAT_MMX },
    { 1, 3, CPUID_FXSR, X86_FEAT_FXSR },
    { 1, 3, CPUID_SSE, X86_FEAT_SSE },
    { 1, 3, CPUID_SSE2, X86_FEAT_SSE2 },
    { 1, 3, CPUID_CLFLUSH, X86_FEAT_CLFLUSH },
    { 1, 3, CPUID_TSC, X86_FEAT_TSC },
    { 1, 3, CPUID_MSR, X86_FEAT_MSR },
    { 1, 2, CPUID_EXT_SSE3, X86_FEAT_SSE3 },
    { 1, 2, CPUID_EXT_SSSE3, X86_FEAT_SSSE3 },
    { 1, 2, CPUID_EXT_SSE41, X86_FEAT_SSE41 },
    { 1, 2, CPUID_EXT_SSE42, X86_FEAT_SSE42 },
    { 1, 2, CPUID_EXT_POPCNT, X86_FEAT_POPCNT },
    { 1, 2, CPUID_EXT_MOVBE, X86_FEAT_MOVBE },
    { 1, 2, CPUID_EXT_CX16, X86_FEAT_CX16 },
    { 1, 2, CPUID_EXT_AES, X86_FEAT_AES },
    { 1, 2, CPUID_EXT_PCLMUL, X86_FEAT_PCLMULQDQ },
    { 1, 2, CPUID_EXT_XSAVE, X86_FEAT_XSAVE },
    { 0xd, 0, 1, X86_FEAT_XSAVEOPT },    /* sub-leaf 1, see below */
    { 7, 1, CPUID_7_0_EBX_SMAP, X86_FEAT_SMAP },
    { 0x80000001, 3, CPUID_EXT2_SYSCALL, X86_FEAT_SYSCALL },
    { 0x80000001, 3, CPUID_EXT2_RDTSCP, X86_FEAT_RDTSCP },
    { 0x80000001, 3, CPUID_EXT2_LM, X86_FEAT_LM },
    { 0x80000001, 2, CPUID_EXT3_ABM, X86_FEAT_LZCNT },
};

uint64_t x86_tcg_decoder_features(X86CPUState *env)
{
    uint64_t f = X86_FEATURE_BIT(X86_FEAT_NONE);

    for (unsigned i = 0; i < ARRAY_SIZE(feature_bits); i++) {
        const FeatureBit *b = &feature_bits[i];
        uint32_t r[4];
        x86_cpuid(env, b->leaf, b->leaf == 0xd, &r[0], &r[1], &r[2], &r[3]);
        if (r[b->reg] & b->mask) {
            f |= X86_FEATURE_BIT(b->feature);
        }
    }
    return f;
}
