/*
 * insn-tables.h: the shape of the x86 opcode maps used by decode.c. Each
 * map (one-byte, 0F, 0F38, 0F3A) is a 256-row designated-initialiser table
 * in insn-tables.c. A row is either a leaf (a mnemonic with up to four
 * operand specifications in SDM notation, attribute flags and a CPUID
 * feature) or a selector that picks a row of a sub-table by ModRM.reg,
 * ModRM.mod/rm, a mandatory prefix, REX.W or the code mode. Selectors
 * nest, so 0F C7 /1 with REX.W (CMPXCHG16B) is just two levels. This header
 * is internal to the decoder.
 */
#ifndef TARGET_X86_INSN_TABLES_H
#define TARGET_X86_INSN_TABLES_H

#include "vireo/common.h"
#include "target-x86/decode.h"

/* Addressing methods (SDM Vol.2 A.2.1), plus fixed-operand methods. */
enum {
    X86_AM_NONE = 0,
    X86_AM_A,     /* direct far address ptr16:16/32 in the instruction */
    X86_AM_C,     /* ModRM.reg selects a control register */
    X86_AM_D,     /* ModRM.reg selects a debug register */
    X86_AM_E,     /* ModRM r/m: general register or memory */
    X86_AM_G,     /* ModRM.reg: general register */
    X86_AM_I,     /* immediate */
    X86_AM_J,     /* relative offset added to the next rip */
    X86_AM_M,     /* ModRM r/m: memory only */
    X86_AM_N,     /* ModRM r/m: MMX register (mod 3 only) */
    X86_AM_O,     /* memory offset (moffs) of address size, no ModRM */
    X86_AM_P,     /* ModRM.reg: MMX register */
    X86_AM_Q,     /* ModRM r/m: MMX register or memory */
    X86_AM_R,     /* ModRM r/m: general register only */
    X86_AM_S,     /* ModRM.reg: segment register */
    X86_AM_U,     /* ModRM r/m: XMM register (mod 3 only) */
    X86_AM_V,     /* ModRM.reg: XMM register */
    X86_AM_W,     /* ModRM r/m: XMM register or memory */
    X86_AM_X,     /* DS:rSI string source */
    X86_AM_Y,     /* ES:rDI string destination */
    X86_AM_Z,     /* low three opcode bits (+REX.B): general register */
    X86_AM_GPR,   /* fixed general register (spec reg field), e.g. AL, rAX, DX */
    X86_AM_SEG,   /* fixed segment register (spec reg field) */
    X86_AM_ONE,   /* the constant 1 of the shift group D0/D1/D2/D3 */
    X86_AM_ST0,   /* x87 ST(0) */
    X86_AM_STI,   /* x87 ST(ModRM.rm) */
    X86_AM_XMM0,  /* implicit XMM0 (BLENDVPS and friends) */
};

/* Operand types (SDM Vol.2 A.2.2), plus a few decoder-specific ones. */
enum {
    X86_OT_NONE = 0,  /* no access size (LEA, INVLPG, PREFETCH, CLFLUSH) */
    X86_OT_b, X86_OT_w, X86_OT_d, X86_OT_q, X86_OT_dq,
    X86_OT_v,         /* word, dword or qword by operand size */
    X86_OT_z,         /* word for 16-bit operand size, else dword */
    X86_OT_y,         /* dword, or qword with REX.W in 64-bit mode */
    X86_OT_bs,        /* byte immediate sign-extended to the operand size */
    X86_OT_p,         /* far pointer: 16:16, 16:32 or 16:64 */
    X86_OT_a,         /* BOUND pair of words or dwords */
    X86_OT_s,         /* 6 or 10 byte pseudo-descriptor */
    X86_OT_t,         /* 80-bit x87 value (m80fp, m80bcd) */
    X86_OT_env,       /* x87 environment, 14 or 28 bytes */
    X86_OT_fsave,     /* x87 state, 94 or 108 bytes */
    X86_OT_fx,        /* FXSAVE area, 512 bytes */
    X86_OT_xs,        /* XSAVE area (variable) */
    X86_OT_wv,        /* register: operand size; memory: word (MOV Ev,Sw) */
    X86_OT_yb,        /* register: dword (zero-extended); memory: byte (PEXTRB) */
    X86_OT_yw,        /* register: dword (zero-extended); memory: word (PINSRW) */
    X86_OT_dqq,       /* 8 bytes (CMPXCHG8B) or 16 with REX.W (CMPXCHG16B) */
    X86_OT_nat,       /* 4 bytes, 8 in 64-bit mode whatever the prefixes (MOV CR) */
};

#define X86_SPEC(am, ot, r) ((uint32_t)(am) | ((uint32_t)(ot) << 8) | ((uint32_t)(r) << 16))
#define X86_SPEC_AM(s) ((s) & 0xff)
#define X86_SPEC_OT(s) (((s) >> 8) & 0xff)
#define X86_SPEC_REG(s) (((s) >> 16) & 0xff)

/* How a selector row picks its sub-table entry. */
enum {
    X86_SUB_NONE = 0, /* leaf row */
    X86_SUB_REG,      /* sub[ModRM.reg], 8 entries */
    X86_SUB_REGMOD,   /* memory: sub[reg]; mod 3: sub[8 + reg], 16 entries */
    X86_SUB_REGRM,    /* memory: sub[reg]; mod 3: sub[8 + reg * 8 + rm], 72 entries */
    X86_SUB_PFX,      /* mandatory prefix: sub[0 none, 1 66, 2 F3, 3 F2] */
    X86_SUB_REP,      /* sub[0 none, 1 F3, 2 F2]; 66 stays the operand size */
    X86_SUB_MODE64,   /* sub[0] outside 64-bit mode, sub[1] in it */
    X86_SUB_REXW,     /* sub[REX.W] */
    X86_SUB_MOD,      /* sub[0] memory, sub[1] mod 3 */
};

typedef struct X86OpRow {
    uint16_t mn;              /* X86Mnemonic (leaf rows) */
    uint8_t kind;             /* X86_SUB_* */
    uint8_t feature;          /* X86Feature needed */
    uint32_t flags;           /* X86_IF_* */
    uint32_t ops[X86_MAX_OPERANDS]; /* X86_SPEC() per operand */
    const struct X86OpRow *sub; /* selector rows: the sub-table */
} X86OpRow;

extern const X86OpRow x86_map_onebyte[256];
extern const X86OpRow x86_map_0f[256];
extern const X86OpRow x86_map_0f38[256];
extern const X86OpRow x86_map_0f3a[256];

#endif
