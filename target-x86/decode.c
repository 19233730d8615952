/*
 * decode.c: the generic part of the x86 decoder. It reads the legacy and
 * REX prefixes, recognises (and refuses) VEX/EVEX, finds the opcode row in
 * the maps of insn-tables.c, resolves selector rows (ModRM.reg groups,
 * mandatory prefixes, REX.W, mode), checks the row's attributes (mode,
 * CPUID feature, LOCK), computes the effective operand and address sizes,
 * and decodes each operand from its SDM specification. Everything that is
 * specific to one opcode lives in the tables, not here.
 */
#include "vireo/common.h"
#include "target-x86/cpu.h"
#include "target-x86/decode.h"
#include "target-x86/insn-tables.h"

typedef struct DecState {
    X86DecodeCtx *ctx;
    X86Insn *insn;
    unsigned pos;        /* bytes consumed */
    bool p66;            /* 66 present and not used as a mandatory prefix */
    uint8_t last_rep;    /* 0, 0xf3 or 0xf2: the last of the two seen */
    bool has_mem;        /* ModRM addresses memory */
    X86MemOperand mem;   /* the ModRM memory operand */
} DecState;

#define X86_MN_NAME(n) #n,
static const char *const mnemonic_names[X86_MN__COUNT] = {
    X86_MNEMONICS(X86_MN_NAME)
};
#undef X86_MN_NAME

const char *x86_mnemonic_name(unsigned mnemonic)
{
    return mnemonic < X86_MN__COUNT ? mnemonic_names[mnemonic] : "?";
}

const char *x86_decode_strerror(int code)
{
    switch (code) {
    case X86_DECODE_OK: return "ok";
    case X86_DECODE_UD: return "invalid opcode (#UD)";
    case X86_DECODE_GP: return "instruction longer than 15 bytes (#GP)";
    case X86_DECODE_FETCH_FAULT: return "instruction fetch fault";
    default: return "unknown decode error";
    }
}

/* CPUID bit -> decoder feature (SDM Vol.2 CPUID, tables 3-8 to 3-10). */
typedef struct CPUIDFeature {
    uint8_t word;      /* offsetof-style index into X86CPUIDBits, in words */
    uint8_t bit;
    uint8_t feature;
} CPUIDFeature;

#define CPUID_WORD(f) (offsetof(X86CPUIDBits, f) / sizeof(uint32_t))

static const CPUIDFeature cpuid_features[] = {
    { CPUID_WORD(leaf1_edx), 0, X86_FEAT_FPU },
    { CPUID_WORD(leaf1_edx), 4, X86_FEAT_TSC },
    { CPUID_WORD(leaf1_edx), 5, X86_FEAT_MSR },
    { CPUID_WORD(leaf1_edx), 8, X86_FEAT_CX8 },
    { CPUID_WORD(leaf1_edx), 11, X86_FEAT_SEP },
    { CPUID_WORD(leaf1_edx), 15, X86_FEAT_CMOV },
    { CPUID_WORD(leaf1_edx), 19, X86_FEAT_CLFLUSH },
    { CPUID_WORD(leaf1_edx), 23, X86_FEAT_MMX },
    { CPUID_WORD(leaf1_edx), 24, X86_FEAT_FXSR },
    { CPUID_WORD(leaf1_edx), 25, X86_FEAT_SSE },
    { CPUID_WORD(leaf1_edx), 26, X86_FEAT_SSE2 },
    { CPUID_WORD(leaf1_ecx), 0, X86_FEAT_SSE3 },
    { CPUID_WORD(leaf1_ecx), 1, X86_FEAT_PCLMULQDQ },
    { CPUID_WORD(leaf1_ecx), 3, X86_FEAT_MONITOR },
    { CPUID_WORD(leaf1_ecx), 5, X86_FEAT_VMX },
    { CPUID_WORD(leaf1_ecx), 6, X86_FEAT_SMX },
    { CPUID_WORD(leaf1_ecx), 9, X86_FEAT_SSSE3 },
    { CPUID_WORD(leaf1_ecx), 13, X86_FEAT_CX16 },
    { CPUID_WORD(leaf1_ecx), 19, X86_FEAT_SSE41 },
    { CPUID_WORD(leaf1_ecx), 20, X86_FEAT_SSE42 },
    { CPUID_WORD(leaf1_ecx), 22, X86_FEAT_MOVBE },
    { CPUID_WORD(leaf1_ecx), 23, X86_FEAT_POPCNT },
    { CPUID_WORD(leaf1_ecx), 25, X86_FEAT_AES },
    { CPUID_WORD(leaf1_ecx), 26, X86_FEAT_XSAVE },
    { CPUID_WORD(leaf1_ecx), 28, X86_FEAT_AVX },
    { CPUID_WORD(leaf1_ecx), 30, X86_FEAT_RDRAND },
    { CPUID_WORD(leaf7_ebx), 0, X86_FEAT_FSGSBASE },
    { CPUID_WORD(leaf7_ebx), 2, X86_FEAT_SGX },
    { CPUID_WORD(leaf7_ebx), 3, X86_FEAT_BMI1 },
    { CPUID_WORD(leaf7_ebx), 8, X86_FEAT_BMI2 },
    { CPUID_WORD(leaf7_ebx), 11, X86_FEAT_RTM },
    { CPUID_WORD(leaf7_ebx), 18, X86_FEAT_RDSEED },
    { CPUID_WORD(leaf7_ebx), 19, X86_FEAT_ADX },
    { CPUID_WORD(leaf7_ebx), 20, X86_FEAT_SMAP },
    { CPUID_WORD(leaf7_ebx), 23, X86_FEAT_CLFLUSHOPT },
    { CPUID_WORD(leaf7_ebx), 24, X86_FEAT_CLWB },
    { CPUID_WORD(leaf7_ecx), 3, X86_FEAT_PKU },
    { CPUID_WORD(leaf7_ecx), 22, X86_FEAT_RDPID },
    { CPUID_WORD(leafd1_eax), 0, X86_FEAT_XSAVEOPT },
    { CPUID_WORD(ext1_ecx), 5, X86_FEAT_LZCNT },
    { CPUID_WORD(ext1_ecx), 8, X86_FEAT_PREFETCHW },
    { CPUID_WORD(ext1_edx), 11, X86_FEAT_SYSCALL },
    { CPUID_WORD(ext1_edx), 27, X86_FEAT_RDTSCP },
    { CPUID_WORD(ext1_edx), 29, X86_FEAT_LM },
};

uint64_t x86_decode_features(const X86CPUIDBits *cpuid)
{
    uint32_t words[sizeof(*cpuid) / sizeof(uint32_t)];
    uint64_t f = 0;

    memcpy(words, cpuid, sizeof(words));
    for (size_t i = 0; i < ARRAY_SIZE(cpuid_features); i++) {
        const CPUIDFeature *c = &cpuid_features[i];
        if (words[c->word] & (1u << c->bit)) {
            f |= X86_FEATURE_BIT(c->feature);
        }
    }
    return f;
}

X86CodeMode x86_code_mode(uint32_t hflags)
{
    if (hflags & HF_CS64_MASK) {
        return X86_MODE_64;
    }
    return (hflags & HF_CS32_MASK) ? X86_MODE_32 : X86_MODE_16;
}

/* Fetch len (1..8) little-endian bytes; returns 0 or a X86_DECODE_* code. */
static int fetch(DecState *s, unsigned len, uint64_t *val)
{
    uint8_t buf[8];
    int r;

    if (s->pos + len > X86_MAX_INSN_LEN) {
        return X86_DECODE_GP;
    }
    r = s->ctx->fetch(s->ctx->opaque, s->pos, buf, len);
    if (r) {
        s->insn->fetch_error = r;
        return X86_DECODE_FETCH_FAULT;
    }
    memcpy(s->insn->bytes + s->pos, buf, len);
    s->pos += len;
    s->insn->len = s->pos;
    *val = 0;
    for (unsigned i = 0; i < len; i++) {
        *val |= (uint64_t)buf[i] << (8 * i);
    }
    return 0;
}

static int fetch_byte(DecState *s, uint8_t *b)
{
    uint64_t v;
    int r = fetch(s, 1, &v);

    *b = (uint8_t)v;
    return r;
}

static int ud(DecState *s, X86UDReason why)
{
    s->insn->ud_reason = why;
    return X86_DECODE_UD;
}

static bool mode64(const DecState *s)
{
    return s->ctx->mode == X86_MODE_64;
}

/* Legacy prefixes and REX; leaves the first opcode byte in *op. */
static int decode_prefixes(DecState *s, uint8_t *op)
{
    X86Insn *insn = s->insn;
    uint8_t b;
    int r;

    for (;;) {
        r = fetch_byte(s, &b);
        if (r) {
            return r;
        }
        switch (b) {
        case 0x66: insn->prefixes |= X86_PFX_OPSIZE; break;
        case 0x67: insn->prefixes |= X86_PFX_ADDRSIZE; break;
        case 0xf0: insn->prefixes |= X86_PFX_LOCK; break;
        case 0xf2: insn->prefixes |= X86_PFX_REPNE; s->last_rep = b; break;
        case 0xf3: insn->prefixes |= X86_PFX_REP; s->last_rep = b; break;
        case 0x26: case 0x2e: case 0x36: case 0x3e:
            /* SDM Vol.1 3.3.7.1: ignored in 64-bit mode */
            if (!mode64(s)) {
                insn->seg_override = (b >> 3) & 3;
                insn->prefixes |= X86_PFX_SEG;
            }
            break;
        case 0x64: case 0x65:
            insn->seg_override = R_FS + (b & 1);
            insn->prefixes |= X86_PFX_SEG;
            break;
        default:
            if (mode64(s) && (b & 0xf0) == 0x40) {
                insn->rex = b;   /* only effective right before the opcode */
                continue;
            }
            *op = b;
            return 0;
        }
        insn->rex = 0;
    }
}

static int fetch_modrm(DecState *s)
{
    X86Insn *insn = s->insn;
    int r;

    if (insn->has_modrm) {
        return 0;
    }
    r = fetch_byte(s, &insn->modrm);
    if (r) {
        return r;
    }
    insn->has_modrm = true;
    insn->mod = insn->modrm >> 6;
    insn->reg = (insn->modrm >> 3) & 7;
    insn->rm = insn->modrm & 7;
    return 0;
}

static int fetch_disp(DecState *s, unsigned len)
{
    uint64_t v;
    int r = fetch(s, len, &v);

    if (r) {
        return r;
    }
    s->mem.disp_size = len;
    s->mem.disp = len == 1 ? (int8_t)v : len == 2 ? (int16_t)v : (int32_t)v;
    return 0;
}

/* 16-bit ModRM addressing (SDM Vol.2 table 2-1). */
static int decode_mem16(DecState *s)
{
    static const uint8_t base[8] = { R_EBX, R_EBX, R_EBP, R_EBP,
                                     R_ESI, R_EDI, R_EBP, R_EBX };
    static const uint8_t index[8] = { R_ESI, R_EDI, R_ESI, R_EDI,
                                      X86_REG_NONE, X86_REG_NONE,
                                      X86_REG_NONE, X86_REG_NONE };
    X86Insn *insn = s->insn;

    if (insn->mod == 0 && insn->rm == 6) {
        return fetch_disp(s, 2);
    }
    s->mem.base = base[insn->rm];
    s->mem.index = index[insn->rm];
    if (s->mem.base == R_EBP) {
        s->mem.seg = R_SS;
    }
    return insn->mod ? fetch_disp(s, insn->mod == 1 ? 1 : 2) : 0;
}

/* 32/64-bit ModRM and SIB addressing (SDM Vol.2 tables 2-2, 2-3). */
static int decode_mem32(DecState *s)
{
    X86Insn *insn = s->insn;
    unsigned rexb = insn->rex & X86_REX_B ? 8 : 0;
    uint8_t base = insn->rm;
    int r;

    if (insn->rm == 4) {
        r = fetch_byte(s, &insn->sib);
        if (r) {
            return r;
        }
        insn->has_sib = true;
        insn->sib_scale = insn->sib >> 6;
        insn->sib_index = (insn->sib >> 3) & 7;
        insn->sib_base = insn->sib & 7;
        unsigned idx = insn->sib_index | (insn->rex & X86_REX_X ? 8 : 0);
        if (idx != 4) {
            s->mem.index = idx;
            s->mem.scale = 1u << insn->sib_scale;
        }
        base = insn->sib_base;
        if (base == 5 && insn->mod == 0) {
            return fetch_disp(s, 4);
        }
    } else if (insn->rm == 5 && insn->mod == 0) {
        s->mem.rip_rel = mode64(s);
        return fetch_disp(s, 4);
    }
    s->mem.base = base | rexb;
    if (base == R_ESP || base == R_EBP) {
        s->mem.seg = R_SS;
    }
    return insn->mod ? fetch_disp(s, insn->mod == 1 ? 1 : 4) : 0;
}

static int decode_modrm_mem(DecState *s)
{
    X86Insn *insn = s->insn;
    int r;

    s->has_mem = true;
    s->mem.seg = R_DS;
    s->mem.base = X86_REG_NONE;
    s->mem.index = X86_REG_NONE;
    s->mem.scale = 1;
    r = insn->addr_size == 2 ? decode_mem16(s) : decode_mem32(s);
    if (insn->seg_override != X86_SEG_NONE) {
        s->mem.seg = insn->seg_override;
    }
    return r;
}

/* Walk selector rows down to a leaf; returns it or NULL with r set. */
static const X86OpRow *resolve_row(DecState *s, const X86OpRow *row, int *r)
{
    X86Insn *insn = s->insn;
    unsigned idx;

    *r = 0;
    for (int depth = 0; depth < 6 && row; depth++) {
        switch (row->kind) {
        case X86_SUB_NONE:
            return row;
        case X86_SUB_PFX:
            idx = s->last_rep == 0xf3 ? 2 : s->last_rep == 0xf2 ? 3 :
                  (insn->prefixes & X86_PFX_OPSIZE) ? 1 : 0;
            insn->mandatory = (uint8_t[]){ 0, 0x66, 0xf3, 0xf2 }[idx];
            if (idx == 1) {
                s->p66 = false;
            }
            row = &row->sub[idx];
            continue;
        case X86_SUB_REP:
            idx = s->last_rep == 0xf3 ? 1 : s->last_rep == 0xf2 ? 2 : 0;
            if (idx && (row->sub[idx].flags & X86_IF_FALLBACK) &&
                !(s->ctx->features & X86_FEATURE_BIT(row->sub[idx].feature))) {
                idx = 0;
            }
            if (idx) {
                insn->mandatory = s->last_rep;
            }
            row = &row->sub[idx];
            continue;
        case X86_SUB_MODE64:
            row = &row->sub[mode64(s)];
            continue;
        case X86_SUB_REXW:
            row = &row->sub[(insn->rex & X86_REX_W) ? 1 : 0];
            continue;
        default:
            break;
        }
        *r = fetch_modrm(s);
        if (*r) {
            return NULL;
        }
        switch (row->kind) {
        case X86_SUB_REG:
            row = &row->sub[insn->reg];
            break;
        case X86_SUB_REGMOD:
            row = &row->sub[insn->mod == 3 ? 8 + insn->reg : insn->reg];
            break;
        case X86_SUB_REGRM:
            row = &row->sub[insn->mod == 3 ? 8 + insn->reg * 8 + insn->rm
                                           : insn->reg];
            break;
        case X86_SUB_MOD:
            row = &row->sub[insn->mod == 3];
            break;
        default:
            return NULL;
        }
    }
    return NULL;
}

static bool spec_uses_modrm(uint32_t spec)
{
    switch (X86_SPEC_AM(spec)) {
    case X86_AM_C: case X86_AM_D: case X86_AM_E: case X86_AM_G:
    case X86_AM_M: case X86_AM_N: case X86_AM_P: case X86_AM_Q:
    case X86_AM_R: case X86_AM_S: case X86_AM_U: case X86_AM_V:
    case X86_AM_W: case X86_AM_STI:
        return true;
    default:
        return false;
    }
}

static void compute_sizes(DecState *s, uint32_t flags)
{
    X86Insn *insn = s->insn;
    bool p67 = insn->prefixes & X86_PFX_ADDRSIZE;

    switch (s->ctx->mode) {
    case X86_MODE_64:
        if (insn->rex & X86_REX_W) {
            insn->op_size = 8;
        } else if (flags & X86_IF_F64) {
            insn->op_size = 8;
        } else if (s->p66) {
            insn->op_size = 2;
        } else {
            insn->op_size = flags & X86_IF_DEF64 ? 8 : 4;
        }
        insn->addr_size = p67 ? 4 : 8;
        break;
    case X86_MODE_32:
        insn->op_size = s->p66 ? 2 : 4;
        insn->addr_size = p67 ? 2 : 4;
        break;
    default:
        insn->op_size = s->p66 ? 4 : 2;
        insn->addr_size = p67 ? 4 : 2;
        break;
    }
}

/* Size in bytes of operand type ot; is_mem selects the memory variant. */
static unsigned type_size(DecState *s, unsigned ot, bool is_mem)
{
    X86Insn *insn = s->insn;
    unsigned y = (mode64(s) && (insn->rex & X86_REX_W)) ? 8 : 4;

    switch (ot) {
    case X86_OT_b: return 1;
    case X86_OT_w: return 2;
    case X86_OT_d: return 4;
    case X86_OT_q: return 8;
    case X86_OT_dq: return 16;
    case X86_OT_v: case X86_OT_bs: return insn->op_size;
    case X86_OT_z: return insn->op_size == 2 ? 2 : 4;
    case X86_OT_y: return y;
    case X86_OT_p: return 2 + insn->op_size;
    case X86_OT_a: return 2 * insn->op_size;
    case X86_OT_s: return mode64(s) ? 10 : 6;
    case X86_OT_t: return 10;
    case X86_OT_env: return insn->op_size == 2 ? 14 : 28;
    case X86_OT_fsave: return insn->op_size == 2 ? 94 : 108;
    case X86_OT_fx: return 512;
    case X86_OT_wv: return is_mem ? 2 : insn->op_size;
    case X86_OT_yb: return is_mem ? 1 : 4;   /* the register is zero-extended */
    case X86_OT_yw: return is_mem ? 2 : 4;
    case X86_OT_dqq: return (insn->rex & X86_REX_W) ? 16 : 8;
    case X86_OT_nat: return mode64(s) ? 8 : 4;
    default: return 0;
    }
}

static void set_gpr(DecState *s, X86Operand *op, unsigned reg, unsigned size)
{
    op->kind = X86_OPK_GPR;
    op->size = size;
    if (size == 1 && !s->insn->rex && reg >= 4 && reg < 8) {
        op->high8 = true;
        reg -= 4;
    }
    op->reg = reg;
}

/* Fetch an immediate of len bytes, sign-extending if sext, into op. */
static int decode_imm(DecState *s, X86Operand *op, unsigned len,
                      unsigned size, bool sext)
{
    uint64_t v;
    int r = fetch(s, len, &v);

    if (r) {
        return r;
    }
    if (sext && len < 8) {
        unsigned shift = 64 - 8 * len;
        v = (uint64_t)((int64_t)(v << shift) >> shift);
    }
    if (size < 8) {
        v &= (1ULL << (8 * size)) - 1;
    }
    op->kind = X86_OPK_IMM;
    op->size = size;
    op->imm_size = len;
    op->imm = v;
    return 0;
}

/* Operands taken from ModRM r/m: a register of kind regkind, or memory. */
static int decode_rm(DecState *s, X86Operand *op, unsigned am, unsigned ot)
{
    X86Insn *insn = s->insn;
    unsigned rexb = insn->rex & X86_REX_B ? 8 : 0;
    bool mem_ok = am == X86_AM_E || am == X86_AM_M || am == X86_AM_Q ||
                  am == X86_AM_W;
    bool reg_ok = am != X86_AM_M;

    if (s->has_mem) {
        if (!mem_ok) {
            return ud(s, X86_UD_OPERAND);
        }
        op->kind = X86_OPK_MEM;
        op->mem = s->mem;
        op->size = type_size(s, ot, true);
        return 0;
    }
    if (!reg_ok) {
        return ud(s, X86_UD_OPERAND);
    }
    switch (am) {
    case X86_AM_E: case X86_AM_R:
        set_gpr(s, op, insn->rm | rexb, type_size(s, ot, false));
        break;
    case X86_AM_N: case X86_AM_Q:
        op->kind = X86_OPK_MMX;
        op->reg = insn->rm;
        op->size = 8;
        break;
    default: /* U, W */
        op->kind = X86_OPK_XMM;
        op->reg = insn->rm | rexb;
        op->size = type_size(s, ot, false);
        break;
    }
    return 0;
}

static int decode_reg_field(DecState *s, X86Operand *op, unsigned am,
                            unsigned ot)
{
    X86Insn *insn = s->insn;
    unsigned reg = insn->reg | (insn->rex & X86_REX_R ? 8 : 0);

    switch (am) {
    case X86_AM_G:
        set_gpr(s, op, reg, type_size(s, ot, false));
        return 0;
    case X86_AM_P:
        op->kind = X86_OPK_MMX;
        op->reg = insn->reg;
        op->size = 8;
        return 0;
    case X86_AM_V:
        op->kind = X86_OPK_XMM;
        op->reg = reg;
        op->size = type_size(s, ot, false);
        return 0;
    case X86_AM_S:
        if (insn->reg > R_GS) {
            return ud(s, X86_UD_OPERAND);
        }
        op->kind = X86_OPK_SEG;
        op->reg = insn->reg;
        op->size = 2;
        return 0;
    case X86_AM_C:
        /* SDM Vol.2 MOV CR: CR1, CR5-CR7, CR9-CR15 are reserved */
        if (reg == 1 || (reg >= 5 && reg != 8)) {
            return ud(s, X86_UD_OPERAND);
        }
        op->kind = X86_OPK_CR;
        op->reg = reg;
        op->size = type_size(s, X86_OT_nat, false);
        return 0;
    default: /* D */
        if (reg > 7) {
            return ud(s, X86_UD_OPERAND);
        }
        op->kind = X86_OPK_DR;
        op->reg = reg;
        op->size = type_size(s, X86_OT_nat, false);
        return 0;
    }
}

static void set_string_mem(DecState *s, X86Operand *op, bool dest, unsigned size)
{
    X86Insn *insn = s->insn;

    op->kind = X86_OPK_MEM;
    op->size = size;
    op->mem.base = dest ? R_EDI : R_ESI;
    op->mem.index = X86_REG_NONE;
    op->mem.scale = 1;
    op->mem.seg = dest ? R_ES :
                  insn->seg_override != X86_SEG_NONE ? insn->seg_override : R_DS;
}

static int decode_imm_spec(DecState *s, X86Operand *op, unsigned ot)
{
    X86Insn *insn = s->insn;

    switch (ot) {
    case X86_OT_b: return decode_imm(s, op, 1, 1, false);
    case X86_OT_w: return decode_imm(s, op, 2, 2, false);
    case X86_OT_bs: return decode_imm(s, op, 1, insn->op_size, true);
    case X86_OT_v: return decode_imm(s, op, insn->op_size, insn->op_size, false);
    default: /* z */
        return decode_imm(s, op, insn->op_size == 2 ? 2 : 4, insn->op_size, true);
    }
}

static int decode_far_ptr(DecState *s, X86Operand *op)
{
    uint64_t sel;
    int r = decode_imm(s, op, s->insn->op_size == 2 ? 2 : 4,
                       s->insn->op_size == 2 ? 2 : 4, false);

    if (r || (r = fetch(s, 2, &sel))) {
        return r;
    }
    op->kind = X86_OPK_FAR;
    op->imm_size += 2;
    op->sel = (uint16_t)sel;
    return 0;
}

static int decode_moffs(DecState *s, X86Operand *op, unsigned ot)
{
    X86Insn *insn = s->insn;
    uint64_t v;
    int r = fetch(s, insn->addr_size, &v);

    if (r) {
        return r;
    }
    op->kind = X86_OPK_MEM;
    op->size = type_size(s, ot, true);
    op->mem.seg = insn->seg_override != X86_SEG_NONE ? insn->seg_override : R_DS;
    op->mem.base = X86_REG_NONE;
    op->mem.index = X86_REG_NONE;
    op->mem.scale = 1;
    op->mem.disp = (int64_t)v;
    op->mem.disp_size = insn->addr_size;
    return 0;
}

/* Decode one operand from its table specification. */
static int decode_operand(DecState *s, X86Operand *op, uint32_t spec)
{
    X86Insn *insn = s->insn;
    unsigned am = X86_SPEC_AM(spec), ot = X86_SPEC_OT(spec);
    unsigned rexb = insn->rex & X86_REX_B ? 8 : 0;

    switch (am) {
    case X86_AM_E: case X86_AM_M: case X86_AM_N: case X86_AM_Q:
    case X86_AM_R: case X86_AM_U: case X86_AM_W:
        return decode_rm(s, op, am, ot);
    case X86_AM_G: case X86_AM_P: case X86_AM_V: case X86_AM_S:
    case X86_AM_C: case X86_AM_D:
        return decode_reg_field(s, op, am, ot);
    case X86_AM_I:
        return decode_imm_spec(s, op, ot);
    case X86_AM_J: {
        unsigned len = ot == X86_OT_b ? 1 : insn->op_size == 2 ? 2 : 4;
        int r = decode_imm(s, op, len, 8, true);
        op->kind = X86_OPK_REL;
        op->size = insn->op_size;
        return r;
    }
    case X86_AM_A:
        return decode_far_ptr(s, op);
    case X86_AM_O:
        return decode_moffs(s, op, ot);
    case X86_AM_X: case X86_AM_Y:
        set_string_mem(s, op, am == X86_AM_Y, type_size(s, ot, true));
        return 0;
    case X86_AM_Z:
        set_gpr(s, op, (insn->opcode & 7) | rexb, type_size(s, ot, false));
        return 0;
    case X86_AM_GPR:
        set_gpr(s, op, X86_SPEC_REG(spec), type_size(s, ot, false));
        return 0;
    case X86_AM_SEG:
        op->kind = X86_OPK_SEG;
        op->reg = X86_SPEC_REG(spec);
        op->size = 2;
        return 0;
    case X86_AM_ONE:
        op->kind = X86_OPK_IMM;
        op->size = 1;
        op->imm = 1;
        return 0;
    case X86_AM_ST0: case X86_AM_STI:
        op->kind = X86_OPK_ST;
        op->reg = am == X86_AM_STI ? insn->rm : 0;
        op->size = 10;
        return 0;
    case X86_AM_XMM0:
        op->kind = X86_OPK_XMM;
        op->reg = 0;
        op->size = 16;
        return 0;
    default:
        return 0;
    }
}

/* Mode and feature checks of a leaf row. */
static int check_row(DecState *s, const X86OpRow *row)
{
    if (row->mn == X86_MN_INVALID) {
        return ud(s, X86_UD_OPCODE);
    }
    if ((row->flags & X86_IF_I64) && mode64(s)) {
        return ud(s, X86_UD_MODE);
    }
    if ((row->flags & X86_IF_O64) && !mode64(s)) {
        return ud(s, X86_UD_MODE);
    }
    if (row->feature &&
        !(s->ctx->features & X86_FEATURE_BIT(row->feature))) {
        return ud(s, X86_UD_FEATURE);
    }
    return 0;
}

static void finish_relative(DecState *s)
{
    X86Insn *insn = s->insn;

    for (unsigned i = 0; i < insn->nops; i++) {
        X86Operand *op = &insn->ops[i];
        if (op->kind == X86_OPK_REL) {
            uint64_t t = insn->pc + insn->len + op->imm;
            if (op->size < 8) {
                t &= (1ULL << (8 * op->size)) - 1;
            }
            op->imm = t;
        }
    }
}

static uint8_t cond_of(unsigned mn)
{
    if (mn >= X86_MN_JO && mn <= X86_MN_JG) {
        return mn - X86_MN_JO;
    }
    if (mn >= X86_MN_CMOVO && mn <= X86_MN_CMOVG) {
        return mn - X86_MN_CMOVO;
    }
    if (mn >= X86_MN_SETO && mn <= X86_MN_SETG) {
        return mn - X86_MN_SETO;
    }
    return 0;
}

/* First opcode byte(s): escapes to the 0F maps, and VEX/EVEX detection. */
static int decode_opcode(DecState *s, uint8_t b, const X86OpRow **row)
{
    X86Insn *insn = s->insn;
    int r;

    insn->map = X86_MAP_ONEBYTE;
    if (b == 0x0f) {
        if ((r = fetch_byte(s, &b))) {
            return r;
        }
        insn->map = X86_MAP_0F;
        if (b == 0x38 || b == 0x3a) {
            insn->map = b == 0x38 ? X86_MAP_0F38 : X86_MAP_0F3A;
            if ((r = fetch_byte(s, &b))) {
                return r;
            }
        }
    }
    insn->opcode = b;
    switch (insn->map) {
    case X86_MAP_0F: *row = &x86_map_0f[b]; return 0;
    case X86_MAP_0F38: *row = &x86_map_0f38[b]; return 0;
    case X86_MAP_0F3A: *row = &x86_map_0f3a[b]; return 0;
    default: break;
    }
    *row = &x86_map_onebyte[b];
    if (b == 0xc4 || b == 0xc5 || b == 0x62) {
        /* SDM Vol.2 2.3.5: VEX/EVEX outside 64-bit mode need ModRM.mod 11 */
        if ((r = fetch_modrm(s))) {
            return r;
        }
        if (mode64(s) || insn->mod == 3) {
            return ud(s, X86_UD_VEX);
        }
    }
    return 0;
}

/* LOCK needs a lockable row with a memory destination (SDM Vol.2 LOCK). */
static int check_lock(DecState *s, const X86OpRow *row)
{
    X86Insn *insn = s->insn;

    if (!(insn->prefixes & X86_PFX_LOCK)) {
        return 0;
    }
    if (!(row->flags & X86_IF_LOCK) || insn->ops[0].kind != X86_OPK_MEM) {
        return ud(s, X86_UD_LOCK);
    }
    return 0;
}

static int decode_operands(DecState *s, const X86OpRow *row)
{
    X86Insn *insn = s->insn;
    bool need_modrm = row->flags & (X86_IF_MODRM | X86_IF_MOD3);
    int r;

    for (unsigned i = 0; i < X86_MAX_OPERANDS; i++) {
        need_modrm |= spec_uses_modrm(row->ops[i]);
    }
    if (need_modrm || insn->has_modrm) {
        if ((r = fetch_modrm(s))) {
            return r;
        }
        if (insn->mod != 3 && !(row->flags & X86_IF_MOD3)) {
            if ((r = decode_modrm_mem(s))) {
                return r;
            }
        }
    }
    for (unsigned i = 0; i < X86_MAX_OPERANDS && row->ops[i]; i++) {
        if ((r = decode_operand(s, &insn->ops[i], row->ops[i]))) {
            return r;
        }
        insn->nops = i + 1;
    }
    /* MOV Sreg, Ew: loading CS is invalid (SDM Vol.2 MOV) */
    if (insn->nops && insn->ops[0].kind == X86_OPK_SEG &&
        insn->ops[0].reg == R_CS && X86_SPEC_AM(row->ops[0]) == X86_AM_S) {
        return ud(s, X86_UD_OPERAND);
    }
    return 0;
}

int x86_decode(X86DecodeCtx *ctx, X86Insn *insn)
{
    DecState s = { .ctx = ctx, .insn = insn };
    const X86OpRow *row;
    uint8_t b;
    int r;

    memset(insn, 0, sizeof(*insn));
    insn->pc = ctx->pc;
    insn->seg_override = X86_SEG_NONE;
    if ((r = decode_prefixes(&s, &b)) || (r = decode_opcode(&s, b, &row))) {
        return r;
    }
    s.p66 = insn->prefixes & X86_PFX_OPSIZE;
    /* 90 is XCHG r8, rAX with REX.B, else NOP or PAUSE (SDM Vol.2 NOP) */
    if (insn->map == X86_MAP_ONEBYTE && b == 0x90 && (insn->rex & X86_REX_B)) {
        row = &x86_map_onebyte[0x91];
    }
    row = resolve_row(&s, row, &r);
    if (!row) {
        return r ? r : ud(&s, X86_UD_OPCODE);
    }
    insn->mnemonic = row->mn;
    insn->flags = row->flags;
    insn->feature = row->feature;
    insn->cond = cond_of(row->mn);
    if (insn->mandatory == 0xf3 || insn->mandatory == 0xf2) {
        insn->rep = X86_REP_NONE;
    } else {
        insn->rep = s.last_rep == 0xf3 ? X86_REP_F3 :
                    s.last_rep == 0xf2 ? X86_REP_F2 : X86_REP_NONE;
    }
    compute_sizes(&s, row->flags);
    if ((r = check_row(&s, row)) || (r = decode_operands(&s, row)) ||
        (r = check_lock(&s, row))) {
        return r;
    }
    finish_relative(&s);
    return X86_DECODE_OK;
}
