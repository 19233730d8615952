/*
 * cpuid.h: vireo's CPU model, the CPUID table a guest sees. Both
 * accelerators start from it: KVM filters it by KVM_GET_SUPPORTED_CPUID,
 * TCG advertises exactly what its translator implements.
 */
#ifndef TARGET_X86_CPUID_H
#define TARGET_X86_CPUID_H

#include "target-x86/cpu.h"

/* CPUID.1:EDX and CPUID.1:ECX feature bits (SDM Vol.2A, Table 3-10/3-11). */
#define CPUID_FP87  (1u << 0)
#define CPUID_VME   (1u << 1)
#define CPUID_DE    (1u << 2)
#define CPUID_PSE   (1u << 3)
#define CPUID_TSC   (1u << 4)
#define CPUID_MSR   (1u << 5)
#define CPUID_PAE   (1u << 6)
#define CPUID_MCE   (1u << 7)
#define CPUID_CX8   (1u << 8)
#define CPUID_APIC  (1u << 9)
#define CPUID_SEP   (1u << 11)
#define CPUID_MTRR  (1u << 12)
#define CPUID_PGE   (1u << 13)
#define CPUID_MCA   (1u << 14)
#define CPUID_CMOV  (1u << 15)
#define CPUID_PAT   (1u << 16)
#define CPUID_PSE36 (1u << 17)
#define CPUID_CLFLUSH (1u << 19)
#define CPUID_MMX   (1u << 23)
#define CPUID_FXSR  (1u << 24)
#define CPUID_SSE   (1u << 25)
#define CPUID_SSE2  (1u << 26)
#define CPUID_EXT_SSE3   (1u << 0)
#define CPUID_EXT_PCLMUL (1u << 1)
#define CPUID_EXT_SSSE3  (1u << 9)
#define CPUID_EXT_CX16   (1u << 13)
#define CPUID_EXT_SSE41  (1u << 19)
#define CPUID_EXT_SSE42  (1u << 20)
#define CPUID_EXT_X2APIC (1u << 21)
#define CPUID_EXT_MOVBE  (1u << 22)
#define CPUID_EXT_POPCNT (1u << 23)
#define CPUID_EXT_AES    (1u << 25)
#define CPUID_EXT_XSAVE  (1u << 26)
#define CPUID_EXT_OSXSAVE (1u << 27)
#define CPUID_EXT_AVX    (1u << 28)
#define CPUID_EXT_HYPERVISOR (1u << 31)
/* CPUID.(EAX=7,ECX=0):EBX */
#define CPUID_7_0_EBX_SMEP (1u << 7)
#define CPUID_7_0_EBX_SMAP (1u << 20)
/* CPUID.(EAX=7,ECX=0):EDX */
#define CPUID_7_0_EDX_ARCH_CAPABILITIES (1u << 29)   /* IA32_ARCH_CAPABILITIES */
/*
 * IA32_ARCH_CAPABILITIES (MSR 0x10a, SDM Vol.4 Table 2-2) of the software
 * CPU: it does not execute speculatively, so it reports itself free of
 * the speculative-execution and buffer-sampling issues whose "_NO" bits
 * the register defines: RDCL_NO (0), SSB_NO (4), MDS_NO (5),
 * IF_PSCHANGE_MC_NO (6), TAA_NO (8), SBDR_SSDP_NO (13), FBSDP_NO (14),
 * PSDP_NO (15), BHI_NO (20), PBRSB_NO (24), GDS_NO (26), RFDS_NO (27),
 * ITS_NO (62, Intel's Indirect Target Selection guidance). Without it a
 * Linux guest assumes the worst of an Intel family-6 CPU and turns on
 * page-table isolation (a CR3 write, so a TLB flush, at every kernel
 * entry and exit) and return thunks.
 */
#define X86_ARCH_CAP_TCG ((1ull << 0) | (1ull << 4) | (1ull << 5) | (1ull << 6) | \
                          (1ull << 8) | (1ull << 13) | (1ull << 14) | (1ull << 15) | \
                          (1ull << 20) | (1ull << 24) | (1ull << 26) | (1ull << 27) | \
                          (1ull << 62))
/* CPUID.80000001:EDX / ECX */
#define CPUID_EXT2_SYSCALL (1u << 11)
#define CPUID_EXT2_NX      (1u << 20)
#define CPUID_EXT2_PDPE1GB (1u << 26)
#define CPUID_EXT2_RDTSCP  (1u << 27)
#define CPUID_EXT2_LM      (1u << 29)
#define CPUID_EXT3_LAHF_LM (1u << 0)
#define CPUID_EXT3_ABM     (1u << 5)

/* Fills env's CPUID table with the default model "vireo64". */
void x86_cpuid_init_model(X86CPUState *env);

/* A CPU model that -cpu can name. */
typedef struct X86CPUModel {
    const char *name;
    const char *description;
    bool long_mode;     /* CPUID.80000001H:EDX.LM: the guest may enter IA-32e mode */
} X86CPUModel;

/* The model called name, or NULL if there is none. */
const X86CPUModel *x86_cpu_model_find(const char *name);

/* The i-th model (0 is the default), or NULL past the last one. */
const X86CPUModel *x86_cpu_model_nth(size_t i);

/* Fills env's CPUID table with model (before the accelerator narrows it). */
void x86_cpuid_apply_model(X86CPUState *env, const X86CPUModel *model);

/* True if env's CPUID advertises long mode (CPUID.80000001H:EDX.LM). */
bool x86_cpu_has_long_mode(X86CPUState *env);

/* The entry for (function, index), or NULL. */
X86CPUIDEntry *x86_cpuid_find(X86CPUState *env, uint32_t function, uint32_t index);

#endif
