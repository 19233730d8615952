/*
 * decode.h: the table-driven x86 instruction decoder. The TCG front end
 * calls x86_decode() once per guest instruction: it fetches the bytes
 * through a callback (the softmmu, which may fault; a buffer in the unit
 * tests), walks the opcode maps of insn-tables.c, and fills an X86Insn with
 * the prefixes, the ModRM/SIB fields, the effective operand and address
 * sizes, the operands in Intel order (destination first), the mnemonic and
 * the attribute flags of the table row. The translator then switches on
 * X86Insn.mnemonic and calls gen_MNEMONIC, with operand fetch and writeback
 * driven by X86Insn.ops. The decoder never aborts on guest bytes: it returns
 * a negative X86_DECODE_* code that the caller turns into #UD or #GP.
 */
#ifndef TARGET_X86_DECODE_H
#define TARGET_X86_DECODE_H

#include "vireo/common.h"
#include "target-x86/decode-mnemonics.h"

/* ---- Mnemonics ---- */

#define X86_MN_ENUM(n) X86_MN_##n,
typedef enum X86Mnemonic {
    X86_MNEMONICS(X86_MN_ENUM)
    X86_MN__COUNT
} X86Mnemonic;
#undef X86_MN_ENUM

/* ---- Results ---- */

enum {
    X86_DECODE_OK = 0,
    X86_DECODE_UD = -1,          /* invalid opcode: raise #UD */
    X86_DECODE_GP = -2,          /* longer than 15 bytes: raise #GP(0) */
    X86_DECODE_FETCH_FAULT = -3, /* fetch callback failed; see insn->fetch_error */
};

/* Why an encoding was refused with X86_DECODE_UD (for logs and tests). */
typedef enum X86UDReason {
    X86_UD_NONE = 0,
    X86_UD_OPCODE,        /* no row for this opcode/prefix/ModRM combination */
    X86_UD_LOCK,          /* LOCK on a row or form that does not allow it */
    X86_UD_MODE,          /* row invalid in (or only valid in) this mode */
    X86_UD_FEATURE,       /* CPUID feature of the row not advertised */
    X86_UD_VEX,           /* VEX/EVEX/XOP encoding while AVX is not advertised */
    X86_UD_OPERAND,       /* operand form invalid: register where memory is
                           * required, reserved CR/DR/segment register */
} X86UDReason;

/* ---- CPUID features the decoder honours (bit numbers in ctx->features) ---- */

typedef enum X86Feature {
    X86_FEAT_NONE = 0,    /* always present (8086..486 base set) */
    X86_FEAT_FPU, X86_FEAT_CX8, X86_FEAT_SEP, X86_FEAT_CMOV, X86_FEAT_MMX,
    X86_FEAT_FXSR, X86_FEAT_SSE, X86_FEAT_SSE2, X86_FEAT_SSE3,
    X86_FEAT_SSSE3, X86_FEAT_SSE41, X86_FEAT_SSE42, X86_FEAT_POPCNT,
    X86_FEAT_MOVBE, X86_FEAT_CX16, X86_FEAT_AES, X86_FEAT_PCLMULQDQ,
    X86_FEAT_XSAVE, X86_FEAT_XSAVEOPT, X86_FEAT_RDRAND, X86_FEAT_RDSEED,
    X86_FEAT_MONITOR, X86_FEAT_VMX, X86_FEAT_SMX, X86_FEAT_SYSCALL,
    X86_FEAT_RDTSCP, X86_FEAT_LZCNT, X86_FEAT_BMI1, X86_FEAT_BMI2,
    X86_FEAT_AVX, X86_FEAT_CLFLUSH, X86_FEAT_SMAP, X86_FEAT_FSGSBASE,
    X86_FEAT_RDPID, X86_FEAT_PKU, X86_FEAT_RTM, X86_FEAT_SGX,
    X86_FEAT_PREFETCHW, X86_FEAT_TSC, X86_FEAT_MSR, X86_FEAT_LM,
    X86_FEAT_CLFLUSHOPT, X86_FEAT_CLWB, X86_FEAT_ADX,
    X86_FEAT__COUNT
} X86Feature;

#define X86_FEATURE_BIT(f) (1ULL << (f))
/* Everything but AVX (and thus every VEX/EVEX encoding). */
#define X86_FEATURES_ALL_NO_AVX \
    (((1ULL << X86_FEAT__COUNT) - 1) & ~X86_FEATURE_BIT(X86_FEAT_AVX) & \
     ~X86_FEATURE_BIT(X86_FEAT_BMI2))

/* ---- Row attribute flags (X86Insn.flags, from the table row) ---- */

#define X86_IF_LOCK      (1u << 0)  /* LOCK allowed (with a memory destination) */
#define X86_IF_I64       (1u << 1)  /* invalid in 64-bit mode */
#define X86_IF_O64       (1u << 2)  /* valid only in 64-bit mode */
#define X86_IF_PRIV      (1u << 3)  /* CPL 0 only (the translator checks CPL) */
#define X86_IF_DEF64     (1u << 4)  /* 64-bit default operand size in long mode */
#define X86_IF_F64       (1u << 5)  /* operand size forced to 64 in long mode */
#define X86_IF_REP       (1u << 6)  /* string insn: F3 means REP */
#define X86_IF_REPZ      (1u << 7)  /* string insn: F3/F2 mean REPE/REPNE */
#define X86_IF_MODRM     (1u << 8)  /* has a ModRM byte without a ModRM operand */
#define X86_IF_MOD3      (1u << 9)  /* ModRM.mod is ignored and read as 3 (MOV CR/DR) */
#define X86_IF_BRANCH    (1u << 10) /* changes rip: jumps, calls, returns, INTn */
#define X86_IF_SSE_MAND  (1u << 11) /* row chosen by a mandatory 66/F2/F3 prefix */
#define X86_IF_X87       (1u << 12) /* x87 instruction (D8-DF) */
#define X86_IF_IOPL      (1u << 13) /* IOPL/IO-bitmap sensitive (IN/OUT/INS/OUTS/CLI/STI) */
#define X86_IF_FALLBACK  (1u << 14) /* without the feature the F3 prefix is
                                     * ignored (TZCNT -> BSF, LZCNT -> BSR) */

/* ---- Prefixes (X86Insn.prefixes) ---- */

#define X86_PFX_OPSIZE   (1u << 0)  /* 66 */
#define X86_PFX_ADDRSIZE (1u << 1)  /* 67 */
#define X86_PFX_LOCK     (1u << 2)  /* F0 */
#define X86_PFX_REPNE    (1u << 3)  /* F2 */
#define X86_PFX_REP      (1u << 4)  /* F3 */
#define X86_PFX_SEG      (1u << 5)  /* a segment override; see seg_override */
#define X86_PFX_REX      (1u << 6)  /* a REX prefix took effect; see rex */

/* REX bits in X86Insn.rex (0x40 | WRXB when present). */
#define X86_REX_B 1u
#define X86_REX_X 2u
#define X86_REX_R 4u
#define X86_REX_W 8u

/* Opcode maps. */
typedef enum X86Map {
    X86_MAP_ONEBYTE = 0, X86_MAP_0F, X86_MAP_0F38, X86_MAP_0F3A,
} X86Map;

/* Mandatory/last repeat prefix. */
enum { X86_REP_NONE = 0, X86_REP_F3 = 1, X86_REP_F2 = 2 };

#define X86_SEG_NONE 0xff
#define X86_REG_NONE 0xff

/* ---- Decoded operands ---- */

typedef enum X86OperandKind {
    X86_OPK_NONE = 0,
    X86_OPK_GPR,   /* general register: reg 0..15, size 1/2/4/8, high8 for AH..BH */
    X86_OPK_SEG,   /* segment register R_ES..R_GS */
    X86_OPK_CR,    /* control register 0..15 */
    X86_OPK_DR,    /* debug register 0..7 */
    X86_OPK_ST,    /* x87 stack register ST(reg) */
    X86_OPK_MMX,   /* MMX register MM0..MM7 */
    X86_OPK_XMM,   /* XMM register 0..15 */
    X86_OPK_MEM,   /* memory operand: see mem */
    X86_OPK_IMM,   /* immediate: imm (already extended as the row says) */
    X86_OPK_REL,   /* relative branch: target = masked (pc + len + displacement) */
    X86_OPK_FAR,   /* far pointer immediate: sel:imm */
} X86OperandKind;

typedef struct X86MemOperand {
    uint8_t seg;        /* effective segment R_ES..R_GS (override or default) */
    uint8_t base;       /* base register 0..15 or X86_REG_NONE */
    uint8_t index;      /* index register 0..15 or X86_REG_NONE */
    uint8_t scale;      /* 1, 2, 4 or 8 */
    uint8_t disp_size;  /* bytes of displacement in the encoding (0,1,2,4,8) */
    bool rip_rel;       /* 64-bit mode RIP-relative: address = next rip + disp */
    int64_t disp;       /* sign-extended displacement (moffs: zero-extended) */
} X86MemOperand;

typedef struct X86Operand {
    uint8_t kind;       /* X86OperandKind */
    uint16_t size;      /* access size in bytes (GPR/MEM/IMM); 10 for m80, 16 for
                         * xmm, 512 for FXSAVE, 0 when the access has no fixed
                         * size (LEA, INVLPG, XSAVE) */
    uint8_t reg;        /* register number for GPR/SEG/CR/DR/ST/MMX/XMM */
    bool high8;         /* GPR of size 1: AH, CH, DH, BH (reg is 0..3) */
    uint8_t imm_size;   /* IMM/REL/FAR: bytes of the immediate in the encoding */
    uint16_t sel;       /* FAR: selector */
    X86MemOperand mem;  /* MEM */
    uint64_t imm;       /* IMM: value extended to size; FAR: offset;
                         * REL: target, masked to the operand size */
} X86Operand;

#define X86_MAX_OPERANDS 4
#define X86_MAX_INSN_LEN 15

typedef struct X86Insn {
    uint64_t pc;          /* ctx->pc at decode time */
    uint8_t len;          /* total length in bytes (valid also on #UD, as far
                           * as the decoder got) */
    uint8_t bytes[X86_MAX_INSN_LEN];
    uint32_t prefixes;    /* X86_PFX_* */
    uint8_t seg_override; /* R_ES..R_GS or X86_SEG_NONE (last one wins) */
    uint8_t rex;          /* 0x40..0x4f if a REX took effect, else 0 */
    uint8_t rep;          /* X86_REP_*: last F2/F3 unless used as mandatory */
    uint8_t mandatory;    /* mandatory prefix that selected the row: 0, 0x66,
                           * 0xf3 or 0xf2 */
    uint8_t map;          /* X86Map */
    uint8_t opcode;       /* opcode byte within map */
    bool has_modrm, has_sib;
    uint8_t modrm, mod, reg, rm;    /* reg and rm without REX extension */
    uint8_t sib, sib_scale, sib_index, sib_base;
    uint8_t op_size;      /* effective operand size in bytes: 2, 4 or 8 */
    uint8_t addr_size;    /* effective address size in bytes: 2, 4 or 8 */
    uint8_t cond;         /* condition code 0..15 for Jcc/SETcc/CMOVcc/FCMOVcc */
    uint16_t mnemonic;    /* X86Mnemonic */
    uint32_t flags;       /* X86_IF_* from the row */
    uint8_t feature;      /* X86Feature the row needs (X86_FEAT_NONE if none) */
    uint8_t nops;         /* number of explicit operands in ops[] */
    X86Operand ops[X86_MAX_OPERANDS];
    uint8_t ud_reason;    /* X86UDReason when x86_decode returned X86_DECODE_UD */
    int fetch_error;      /* the fetch callback's code on X86_DECODE_FETCH_FAULT */
} X86Insn;

/* ---- Decoder context ---- */

typedef enum X86CodeMode {
    X86_MODE_16 = 2, X86_MODE_32 = 4, X86_MODE_64 = 8,  /* = default sizes */
} X86CodeMode;

/*
 * Fetch len bytes of guest code at byte offset off from the start of the
 * instruction into buf; returns 0, or a nonzero code (a page fault) that
 * the decoder hands back in insn->fetch_error.
 */
typedef int (*X86FetchFn)(void *opaque, uint64_t off, uint8_t *buf, unsigned len);

typedef struct X86DecodeCtx {
    X86CodeMode mode;     /* 16/32 from CS.D outside long mode; 64 for CS.L */
    uint64_t pc;          /* rip/eip/ip of the instruction (relative branches) */
    uint64_t features;    /* X86_FEATURE_BIT(X86_FEAT_*) set of the guest model */
    X86FetchFn fetch;
    void *opaque;
} X86DecodeCtx;

/* The CPUID words the decoder's feature set is computed from. */
typedef struct X86CPUIDBits {
    uint32_t leaf1_ecx, leaf1_edx;      /* CPUID.01H */
    uint32_t leaf7_ebx, leaf7_ecx;      /* CPUID.(EAX=07H, ECX=0) */
    uint32_t leafd1_eax;                /* CPUID.(EAX=0DH, ECX=1) */
    uint32_t ext1_ecx, ext1_edx;        /* CPUID.80000001H */
} X86CPUIDBits;

/* The X86_FEATURE_BIT() set that the CPUID words advertise. */
uint64_t x86_decode_features(const X86CPUIDBits *cpuid);

/* The code mode for X86CPUState.hflags (HF_CS64_MASK, HF_CS32_MASK). */
X86CodeMode x86_code_mode(uint32_t hflags);

/* Decode one instruction at ctx->pc into insn; returns X86_DECODE_OK or a
 * negative X86_DECODE_* code (insn->ud_reason says why for #UD). */
int x86_decode(X86DecodeCtx *ctx, X86Insn *insn) VIREO_WUR;

/* The SDM name of a mnemonic ("ADD"), or "?" for an out-of-range value. */
const char *x86_mnemonic_name(unsigned mnemonic);

/* Human-readable name of a X86_DECODE_* code (for logs). */
const char *x86_decode_strerror(int code);

#endif
