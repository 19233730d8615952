/*
 * cpu.h: X86CPUState, the one canonical architectural state of an x86
 * vCPU. TCG works on it directly (its IR globals are fields of it); KVM
 * copies its vCPU into it on demand (AccelOps.sync_state_to_env) and back
 * before it runs. The monitor, the gdbstub and the loaders read and write
 * only this structure.
 */
#ifndef TARGET_X86_CPU_H
#define TARGET_X86_CPU_H

#include "vireo/common.h"
#include <stdio.h>
#include "system/cpu.h"
#include "tcg/tlb.h"

/* General registers in encoding order. */
enum { R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI,
       R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15 };

/* Segment registers in encoding order (SDM Vol.2 3.1.1.3, Sreg). */
enum { R_ES, R_CS, R_SS, R_DS, R_FS, R_GS };

/* EFLAGS bits (SDM Vol.1 3.4.3). */
#define CC_C    0x0001u
#define CC_P    0x0004u
#define CC_A    0x0010u
#define CC_Z    0x0040u
#define CC_S    0x0080u
#define CC_O    0x0800u
#define CC_MASK (CC_C | CC_P | CC_A | CC_Z | CC_S | CC_O)
#define TF_MASK   0x00000100u
#define IF_MASK   0x00000200u
#define DF_MASK   0x00000400u
#define IOPL_MASK 0x00003000u
#define IOPL_SHIFT 12
#define NT_MASK   0x00004000u
#define RF_MASK   0x00010000u
#define VM_MASK   0x00020000u
#define AC_MASK   0x00040000u
#define VIF_MASK  0x00080000u
#define VIP_MASK  0x00100000u
#define ID_MASK   0x00200000u

/*
 * Segment descriptor attribute bits as they sit in the high dword of a
 * descriptor (SDM Vol.3 3.4.5). SegmentCache.flags keeps exactly these bits.
 */
#define DESC_TYPE_SHIFT 8
#define DESC_TYPE_MASK  (15u << DESC_TYPE_SHIFT)
#define DESC_A_MASK     (1u << 8)
#define DESC_S_MASK     (1u << 12)
#define DESC_DPL_SHIFT  13
#define DESC_DPL_MASK   (3u << DESC_DPL_SHIFT)
#define DESC_P_MASK     (1u << 15)
#define DESC_AVL_MASK   (1u << 20)
#define DESC_L_MASK     (1u << 21)
#define DESC_B_MASK     (1u << 22)
#define DESC_G_MASK     (1u << 23)
/* Type bits of a non-system descriptor (S=1). */
#define DESC_CS_MASK (1u << 11)  /* code segment (type bit 3) */
#define DESC_C_MASK  (1u << 10)  /* code: conforming */
#define DESC_E_MASK  (1u << 10)  /* data: expand-down */
#define DESC_R_MASK  (1u << 9)   /* code: readable */
#define DESC_W_MASK  (1u << 9)   /* data: writable */

/* Control register bits (SDM Vol.3 2.5). */
#define CR0_PE (1u << 0)
#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR0_ET (1u << 4)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_AM (1u << 18)
#define CR0_NW (1u << 29)
#define CR0_CD (1u << 30)
#define CR0_PG (1u << 31)
#define CR4_VME (1u << 0)
#define CR4_PVI (1u << 1)
#define CR4_TSD (1u << 2)
#define CR4_DE  (1u << 3)
#define CR4_PSE (1u << 4)
#define CR4_PAE (1u << 5)
#define CR4_MCE (1u << 6)
#define CR4_PGE (1u << 7)
#define CR4_PCE (1u << 8)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CR4_UMIP (1u << 11)
#define CR4_FSGSBASE (1u << 16)
#define CR4_PCIDE (1u << 17)
#define CR4_OSXSAVE (1u << 18)
#define CR4_SMEP (1u << 20)
#define CR4_SMAP (1u << 21)
/* Debug registers (SDM Vol.3 17.2). */
#define DR6_BD     (1u << 13)    /* general detect: MOV DR with DR7.GD */
#define DR6_BS     (1u << 14)    /* single step (EFLAGS.TF) */
#define DR6_BT     (1u << 15)    /* task switch to a TSS with the T bit */
#define DR6_WRITABLE 0x0000e00fu /* B0-B3, BD, BS, BT */
#define DR6_FIXED1 0xffff0ff0u   /* reserved bits that read as 1 */
#define DR7_ENABLE_MASK 0xffu    /* L0/G0 .. L3/G3 */
#define DR7_GD     (1u << 13)    /* general detect enable */
#define DR7_RW_SHIFT  16         /* R/Wn at 16 + 4n, LENn at 18 + 4n */
#define DR7_LEN_SHIFT 18
#define DR7_WRITABLE 0xffff23ffu /* reserved bits 11, 12, 14, 15 read as 0 */
#define DR7_FIXED1 0x400u        /* bit 10 reads as 1 */
#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)

/* Hidden-state bits of X86CPUState.hflags that change how code decodes/runs. */
#define HF_CPL_MASK      3u         /* current privilege level */
#define HF_PE_MASK       (1u << 2)  /* CR0.PE */
#define HF_CS32_MASK     (1u << 3)  /* CS.D: 32-bit default operand size */
#define HF_SS32_MASK     (1u << 4)  /* SS.B: 32-bit stack */
#define HF_LMA_MASK      (1u << 5)  /* long mode active */
#define HF_CS64_MASK     (1u << 6)  /* 64-bit code segment */
#define HF_VM_MASK       (1u << 7)  /* virtual-8086 mode */
#define HF_ADDSEG_MASK   (1u << 8)  /* some of DS/ES/SS have a nonzero base */
#define HF_INHIBIT_IRQ_MASK (1u << 9) /* STI / MOV SS interrupt shadow */
#define HF_SMM_MASK      (1u << 10)
#define HF_NMI_MASK      (1u << 11) /* NMIs blocked until IRET */
#define HF_HALTED_MASK   (1u << 12)
/* Outside 64-bit mode, accesses need run-time segment checks (limit, type,
 * null selector; SDM Vol.3 5.3-5.5): through CS, DS, ES or SS / through FS
 * / through GS. Clear while those segments are flat, writable data (and
 * CS flat and readable); computed by x86_update_hflags. */
#define HF_SEGCHK_MASK    (1u << 13)
#define HF_SEGCHK_FS_MASK (1u << 14)
#define HF_SEGCHK_GS_MASK (1u << 15)

/* Lazy-flag state: cc_op says how CC_* are computed from cc_dst/cc_src/cc_src2.
 * CC_OP_EFLAGS means eflags itself holds them. The front end extends this
 * list (target-x86/cc_helper.c); KVM only ever uses CC_OP_EFLAGS. */
enum {
    CC_OP_EFLAGS = 0,
    CC_OP_DYNAMIC,  /* translator only: cc_op known only at run time */
    /* One row per operation, four sizes each (B, W, L, Q in that order):
     * docs/lazy-flags.md says what cc_dst/cc_src/cc_src2 hold for each. */
#define X86_CC_OP_SIZES(n) CC_OP_##n##B, CC_OP_##n##W, CC_OP_##n##L, CC_OP_##n##Q,
    X86_CC_OP_SIZES(ADD) X86_CC_OP_SIZES(ADC) X86_CC_OP_SIZES(SUB)
    X86_CC_OP_SIZES(SBB) X86_CC_OP_SIZES(LOGIC) X86_CC_OP_SIZES(INC)
    X86_CC_OP_SIZES(DEC) X86_CC_OP_SIZES(SHL) X86_CC_OP_SIZES(SAR)
    X86_CC_OP_SIZES(MUL)
#undef X86_CC_OP_SIZES
    CC_OP_NB,
};

typedef struct SegmentCache {
    uint16_t selector;
    uint64_t base;
    uint32_t limit;  /* effective byte limit (granularity already applied) */
    uint32_t flags;  /* DESC_* bits */
} SegmentCache;

typedef struct DescTable {
    uint64_t base;
    uint32_t limit;
} DescTable;

/* An x87 register: 64-bit significand with explicit integer bit, sign+exponent. */
typedef struct FloatX80 {
    uint64_t mant;
    uint16_t sexp;
} FloatX80;

typedef union XMMReg {
    uint8_t b[16];
    uint16_t w[8];
    uint32_t l[4];
    uint64_t q[2];
} XMMReg;

typedef struct X86CPUIDEntry {
    uint32_t function, index;
    bool significant_index;
    uint32_t eax, ebx, ecx, edx;
} X86CPUIDEntry;

#define X86_MAX_CPUID 64
#define X86_MTRR_VAR 8

typedef struct X86CPUState {
    /* --- the user-visible registers --- */
    uint64_t regs[16];
    uint64_t rip;
    uint64_t eflags;        /* all bits; CC_* valid only when cc_op == CC_OP_EFLAGS */
    uint64_t cc_dst, cc_src, cc_src2;
    uint32_t cc_op;
    int32_t df;             /* 1 or -1, mirrors EFLAGS.DF for string ops */

    SegmentCache segs[6];
    SegmentCache ldt, tr;
    DescTable gdt, idt;

    /* --- system registers --- */
    uint64_t cr[5];         /* CR0, (CR1 unused), CR2, CR3, CR4 */
    uint64_t cr8;           /* TPR as CR8 (mirrors the local APIC) */
    uint64_t dr[8];
    uint64_t efer;
    uint64_t star, lstar, cstar, fmask, kernel_gs_base;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t apic_base;
    uint64_t tsc;           /* value read back by sync; TCG uses tsc_offset */
    int64_t tsc_offset;     /* guest TSC = host TSC-ish clock + tsc_offset */
    uint64_t tsc_aux;
    uint64_t pat;
    uint64_t misc_enable;
    uint64_t mtrr_deftype;
    uint64_t mtrr_fixed[11];
    uint64_t mtrr_var_base[X86_MTRR_VAR], mtrr_var_mask[X86_MTRR_VAR];
    uint64_t xcr0;

    /* --- x87, MMX, SSE --- */
    FloatX80 fpregs[8];     /* physical registers ST(i) = fpregs[(fpstt + i) & 7] */
    uint32_t fpstt;         /* TOP */
    uint16_t fpus;          /* status word without TOP */
    uint16_t fpuc;          /* control word */
    uint8_t fptags[8];      /* 1 = empty */
    uint16_t fpop;
    uint64_t fpip, fpdp;
    uint16_t fpcs, fpds;
    XMMReg xmm[16];
    uint32_t mxcsr;

    /* --- hidden state --- */
    uint32_t hflags;        /* HF_* */
    uint64_t a20_mask;      /* ~0, or ~(1 << 20) with A20 disabled */
    int exception_index;    /* pending exception vector, or -1 */
    int error_code;
    bool has_error_code;

    /* --- the CPU model --- */
    X86CPUIDEntry cpuid[X86_MAX_CPUID];
    int ncpuid;
    uint32_t cpuid_level, cpuid_xlevel;

    /* --- software CPU (TCG) only: target-x86/translate*.c, helpers, mmu.c --- */
    bool exception_is_int;  /* exception_index came from INT n/INT3/INTO */
    uint64_t exception_next_eip; /* return eip for a software interrupt */
    int old_exception;      /* vector + 1 being delivered (double fault), or 0 */
    int32_t tcg_exit_request; /* nonzero: translated code returns to the loop */
    void *tcg_jmp_cache;    /* the vCPU's TCGCPU.jmp_cache, for generated code */
    XMMReg xmm_t0;          /* scratch: a 128-bit memory operand of an SSE insn */
    TCGTLB tlb;             /* softmmu TLB (tcg/tlb.h), per MMU mode */
    bool watch_hit;         /* TCG: a debugger watchpoint was hit */
    uint64_t dr_hits;       /* TCG: DR0-3 data/I-O conditions the current
                             * instruction met (bits 0-3) and X86_DR_HIT_* */
} X86CPUState;

/* X86CPUState.dr_hits beyond B0-B3. */
#define X86_DR_HIT_ENABLED (1u << 4)  /* one of them is enabled in DR7: #DB */
#define X86_DR_HIT_TASK    (1u << 5)  /* task switch to a TSS with T = 1 */

/* The board's interrupt acknowledge cycle: vector of the highest pending
 * external interrupt (now in service), or -1 if it went away. BQL held. */
typedef int (*X86IntAckFn)(void *opaque);

typedef struct X86CPU {
    CPUState cs;
    X86CPUState env;
    X86IntAckFn int_ack;
    void *int_ack_opaque;
    void *apic;             /* the local APIC device, if any */
    /* MS-DOS compatible x87 error reporting (SDM Vol.1 8.7.2, Appendix D),
     * used while CR0.NE is clear: the FERR# output, wired by the board (on
     * a PC to IRQ13; NULL: not wired), its level, and the IGNNE# input. */
    struct IrqLine *ferr;
    bool ferr_level;
    bool ignne;
} X86CPU;

static inline X86CPU *x86_cpu(CPUState *cs) { return (X86CPU *)cs->arch; }
static inline X86CPUState *x86_env(CPUState *cs) { return &x86_cpu(cs)->env; }

/* A new vCPU with the default CPU model, in the reset state. Never fails. */
X86CPU *x86_cpu_new(int index);
void x86_cpu_free(X86CPU *cpu);

/* Power-on/RESET state (SDM Vol.3 9.1.1): real mode at F000:FFF0. */
void x86_cpu_reset(X86CPU *cpu);

/* Drives the IGNNE# input (the board's port 0xF0 logic). BQL held. */
void x86_cpu_set_ignne(X86CPU *cpu, bool level);

/* EFLAGS with the lazy arithmetic flags folded in. */
uint64_t x86_eflags_get(const X86CPUState *env);
/* Sets EFLAGS (all bits) and makes cc_op CC_OP_EFLAGS. */
void x86_eflags_set(X86CPUState *env, uint64_t eflags);

/* Computes the CC_* bits from the lazy state (target-x86/cc_helper.c). */
uint32_t x86_cc_compute_all(const X86CPUState *env);

/* Loads a segment register's cache (as real mode / a loader would). */
void x86_seg_load_cache(X86CPUState *env, int seg, uint16_t selector,
                        uint64_t base, uint32_t limit, uint32_t flags);

/* Recomputes hflags from CR0, EFER, CS, SS and EFLAGS. */
void x86_update_hflags(X86CPUState *env);

/* CPUID lookup in env's model (the highest basic leaf for out-of-range leaves). */
void x86_cpuid(X86CPUState *env, uint32_t function, uint32_t index,
               uint32_t *eax, uint32_t *ebx, uint32_t *ecx, uint32_t *edx);

/* Prints the registers in the -d cpu / info registers format on out. */
void x86_cpu_dump_state(X86CPUState *env, FILE *out);

#endif
