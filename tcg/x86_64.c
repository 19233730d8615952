/*
 * x86_64.c: the x86-64 backend. Small emitters build instructions from
 * prefixes, REX, opcode, ModRM/SIB and immediates (opcode names follow the
 * SDM operand notation: OPC_ADD_GvEv is "ADD Gv, Ev"); tcg_out_op lowers
 * each IR op whose operands the register allocator (regalloc.c) has put in
 * host registers. Guest memory ops get an inline TLB check and an
 * out-of-line slow path. Also here: the prologue/epilogue that enters
 * generated code, and patching of chained jumps. Only baseline x86-64 is
 * assumed; POPCNT is used when CPUID reports it.
 */
#include "vireo/common.h"
#include <cpuid.h>
#include "tcg/tcg.h"
#include "tcg/tb.h"
#include "tcg/tlb.h"
#include "x86_64.h"

/* Opcode flags above the low byte. */
#define P_EXT     0x100      /* 0x0f escape */
#define P_DATA16  0x400      /* 0x66 operand-size prefix */
#define P_REXW    0x1000     /* REX.W: 64-bit operand size */
#define P_REXB_R  0x2000     /* reg field is a byte register */
#define P_REXB_RM 0x4000     /* r/m field is a byte register */
#define P_SIMDF3  0x10000    /* 0xf3 prefix */

#define OPC_ARITH_EvIz  0x81
#define OPC_ARITH_EvIb  0x83
#define OPC_ADD_GvEv    0x03
#define OPC_OR_GvEv     0x0b
#define OPC_ADC_GvEv    0x13
#define OPC_SBB_GvEv    0x1b
#define OPC_AND_GvEv    0x23
#define OPC_SUB_GvEv    0x2b
#define OPC_XOR_GvEv    0x33
#define OPC_CMP_GvEv    0x3b
#define OPC_MOVSLQ      (0x63 | P_REXW)
#define OPC_IMUL_GvEvIz 0x69
#define OPC_JCC_short   0x70
#define OPC_TESTL       0x85
#define OPC_MOVB_EvGv   (0x88 | P_REXB_R)
#define OPC_MOVL_EvGv   0x89
#define OPC_MOVL_GvEv   0x8b
#define OPC_LEA         0x8d
#define OPC_NOP         0x90
#define OPC_MOVL_Iv     0xb8
#define OPC_SHIFT_Ib    0xc1
#define OPC_MOVB_EvIb   0xc6
#define OPC_MOVL_EvIz   0xc7
#define OPC_RET         0xc3
#define OPC_SHIFT_1     0xd1
#define OPC_SHIFT_cl    0xd3
#define OPC_CALL_Jz     0xe8
#define OPC_JMP_long    0xe9
#define OPC_JMP_short   0xeb
#define OPC_GRP3_Ev     0xf7
#define OPC_GRP5        0xff
#define OPC_PUSH_r      0x50
#define OPC_POP_r       0x58
#define OPC_CMOVCC      (0x40 | P_EXT)
#define OPC_JCC_long    (0x80 | P_EXT)
#define OPC_SETCC       (0x90 | P_EXT | P_REXB_RM)
#define OPC_IMUL_GvEv   (0xaf | P_EXT)
#define OPC_MOVZBL      (0xb6 | P_EXT | P_REXB_RM)
#define OPC_MOVZWL      (0xb7 | P_EXT)
#define OPC_POPCNT      (0xb8 | P_EXT | P_SIMDF3)
#define OPC_BSF         (0xbc | P_EXT)
#define OPC_BSR         (0xbd | P_EXT)
#define OPC_MOVSBL      (0xbe | P_EXT | P_REXB_RM)
#define OPC_MOVSWL      (0xbf | P_EXT)
#define OPC_BSWAP       (0xc8 | P_EXT)

enum { ARITH_ADD, ARITH_OR, ARITH_ADC, ARITH_SBB, ARITH_AND, ARITH_SUB,
       ARITH_XOR, ARITH_CMP };
enum { SHIFT_ROL = 0, SHIFT_ROR = 1, SHIFT_SHL = 4, SHIFT_SHR = 5, SHIFT_SAR = 7 };
enum { EXT3_NOT = 2, EXT3_NEG = 3, EXT3_MUL = 4, EXT3_IMUL = 5 };
enum { EXT5_CALLN_Ev = 2, EXT5_JMPN_Ev = 4 };

/* x86 condition codes (SDM Vol.2 Appendix B.1.4.7). */
enum { JCC_JO, JCC_JNO, JCC_JB, JCC_JAE, JCC_JE, JCC_JNE, JCC_JBE, JCC_JA,
       JCC_JS, JCC_JNS, JCC_JP, JCC_JNP, JCC_JL, JCC_JGE, JCC_JLE, JCC_JG };

static const uint8_t tcg_cond_to_jcc[TCG_COND_COUNT] = {
    [TCG_COND_EQ] = JCC_JE, [TCG_COND_NE] = JCC_JNE,
    [TCG_COND_LT] = JCC_JL, [TCG_COND_GE] = JCC_JGE,
    [TCG_COND_LE] = JCC_JLE, [TCG_COND_GT] = JCC_JG,
    [TCG_COND_LTU] = JCC_JB, [TCG_COND_GEU] = JCC_JAE,
    [TCG_COND_LEU] = JCC_JBE, [TCG_COND_GTU] = JCC_JA,
};

const int tcg_call_arg_regs[6] = {
    TCG_REG_RDI, TCG_REG_RSI, TCG_REG_RDX, TCG_REG_RCX, TCG_REG_R8, TCG_REG_R9,
};

bool tcg_host_has_popcnt;
static const uint8_t *tb_ret_addr;   /* epilogue: return rax to the loop */

/* ---- byte emitters ---- */

static void tcg_out8(TCGContext *s, uint8_t v) { *s->code_ptr++ = v; }
static void tcg_out32(TCGContext *s, uint32_t v)
{
    memcpy(s->code_ptr, &v, 4);
    s->code_ptr += 4;
}
static void tcg_out64(TCGContext *s, uint64_t v)
{
    memcpy(s->code_ptr, &v, 8);
    s->code_ptr += 8;
}

/* Executable address of the current emission point. */
static uintptr_t tcg_out_rx(TCGContext *s)
{
    return (uintptr_t)tcg_rw_to_rx(s->code_ptr);
}

static void tcg_out_opc(TCGContext *s, int opc, int r, int rm, int x)
{
    int rex = 0;
    if (opc & P_DATA16) {
        tcg_out8(s, 0x66);
    }
    if (opc & P_SIMDF3) {
        tcg_out8(s, 0xf3);
    }
    rex |= opc & P_REXW ? 8 : 0;
    rex |= (r & 8) >> 1;
    rex |= (x & 8) >> 2;
    rex |= (rm & 8) >> 3;
    /* spl, bpl, sil, dil need a REX prefix to be byte registers */
    if (((opc & P_REXB_R) && r >= 4) || ((opc & P_REXB_RM) && rm >= 4)) {
        rex |= 0x40;
    }
    if (rex) {
        tcg_out8(s, 0x40 | (rex & 0xf));
    }
    if (opc & P_EXT) {
        tcg_out8(s, 0x0f);
    }
    tcg_out8(s, opc & 0xff);
}

/* Register-direct ModRM form: r in reg, rm in r/m. */
static void tcg_out_modrm(TCGContext *s, int opc, int r, int rm)
{
    tcg_out_opc(s, opc, r, rm, 0);
    tcg_out8(s, 0xc0 | (r & 7) << 3 | (rm & 7));
}

/* Memory form [base + index << shift + off]; index -1 for none. */
static void tcg_out_modrm_sib_offset(TCGContext *s, int opc, int r, int base,
                                     int index, int shift, intptr_t off)
{
    int mod;
    g_assert(off == (int32_t)off);
    tcg_out_opc(s, opc, r, base, index < 0 ? 0 : index);
    if (off == 0 && (base & 7) != TCG_REG_RBP) {
        mod = 0x00;
    } else if (off == (int8_t)off) {
        mod = 0x40;
    } else {
        mod = 0x80;
    }
    if (index < 0 && (base & 7) != TCG_REG_RSP) {
        tcg_out8(s, mod | (r & 7) << 3 | (base & 7));
    } else {
        tcg_out8(s, mod | (r & 7) << 3 | 4);
        tcg_out8(s, shift << 6 | ((index < 0 ? 4 : index) & 7) << 3 | (base & 7));
    }
    if (mod == 0x40) {
        tcg_out8(s, off);
    } else if (mod == 0x80) {
        tcg_out32(s, off);
    }
}

static void tcg_out_modrm_offset(TCGContext *s, int opc, int r, int base,
                                 intptr_t off)
{
    tcg_out_modrm_sib_offset(s, opc, r, base, -1, 0, off);
}

static int rexw(TCGType type)
{
    return type == TCG_TYPE_I64 ? P_REXW : 0;
}

/* ---- moves, arithmetic ---- */

void tcg_out_mov(TCGContext *s, TCGType type, int dst, int src)
{
    if (dst != src) {
        tcg_out_modrm(s, OPC_MOVL_GvEv | rexw(type), dst, src);
    }
}

void tcg_out_ext32u(TCGContext *s, int dst, int src)
{
    tcg_out_modrm(s, OPC_MOVL_GvEv, dst, src);
}

/* Loads a constant without touching the flags. */
static void tcg_out_movi_keepflags(TCGContext *s, TCGType type, int reg, int64_t val)
{
    uint64_t u = type == TCG_TYPE_I32 ? (uint32_t)val : (uint64_t)val;
    if (u <= 0xffffffffu) {
        tcg_out_opc(s, OPC_MOVL_Iv + (reg & 7), 0, reg, 0);
        tcg_out32(s, u);
    } else if (tcg_fits_imm32(u)) {
        tcg_out_modrm(s, OPC_MOVL_EvIz | P_REXW, 0, reg);
        tcg_out32(s, u);
    } else {
        tcg_out_opc(s, (OPC_MOVL_Iv + (reg & 7)) | P_REXW, 0, reg, 0);
        tcg_out64(s, u);
    }
}

void tcg_out_movi(TCGContext *s, TCGType type, int reg, int64_t val)
{
    if ((type == TCG_TYPE_I32 ? (uint32_t)val : (uint64_t)val) == 0) {
        tcg_out_modrm(s, OPC_XOR_GvEv, reg, reg);
        return;
    }
    tcg_out_movi_keepflags(s, type, reg, val);
}

void tcg_out_ld(TCGContext *s, TCGType type, int reg, int base, intptr_t off)
{
    tcg_out_modrm_offset(s, OPC_MOVL_GvEv | rexw(type), reg, base, off);
}

void tcg_out_st(TCGContext *s, TCGType type, int reg, int base, intptr_t off)
{
    tcg_out_modrm_offset(s, OPC_MOVL_EvGv | rexw(type), reg, base, off);
}

static void tcg_out_arithi(TCGContext *s, int rw, int c, int reg, int64_t imm)
{
    if (imm == (int8_t)imm) {
        tcg_out_modrm(s, OPC_ARITH_EvIb | rw, c, reg);
        tcg_out8(s, imm);
    } else {
        tcg_out_modrm(s, OPC_ARITH_EvIz | rw, c, reg);
        tcg_out32(s, imm);
    }
}

static void tcg_out_shifti(TCGContext *s, int rw, int sub, int reg, int count)
{
    if (count == 1) {
        tcg_out_modrm(s, OPC_SHIFT_1 | rw, sub, reg);
    } else {
        tcg_out_modrm(s, OPC_SHIFT_Ib | rw, sub, reg);
        tcg_out8(s, count);
    }
}

/* d = a OP b for a two-address x86 instruction opc (Gv, Ev form). */
static void tcg_out_binop(TCGContext *s, int rw, int opc, int arith, int d,
                          int a, TCGArg b, bool bc, bool commutative)
{
    TCGType t = rw ? TCG_TYPE_I64 : TCG_TYPE_I32;
    if (bc) {
        tcg_out_mov(s, t, d, a);
        if (opc == OPC_IMUL_GvEv) {
            tcg_out_modrm(s, OPC_IMUL_GvEvIz | rw, d, d);
            tcg_out32(s, b);
        } else {
            tcg_out_arithi(s, rw, arith, d, (int64_t)b);
        }
    } else if (d == (int)b && d != a) {
        if (commutative) {
            tcg_out_modrm(s, opc | rw, d, a);
        } else {
            tcg_out_mov(s, t, TCG_TMP0, a);
            tcg_out_modrm(s, opc | rw, TCG_TMP0, b);
            tcg_out_mov(s, t, d, TCG_TMP0);
        }
    } else {
        tcg_out_mov(s, t, d, a);
        tcg_out_modrm(s, opc | rw, d, b);
    }
}

static void tcg_out_shift(TCGContext *s, int rw, int sub, int d, int a,
                          TCGArg b, bool bc)
{
    TCGType t = rw ? TCG_TYPE_I64 : TCG_TYPE_I32;
    if (bc) {
        int count = b & (rw ? 63 : 31);
        tcg_out_mov(s, t, d, a);
        if (count) {
            tcg_out_shifti(s, rw, sub, d, count);
        }
    } else if (d != TCG_REG_RCX) {
        tcg_out_mov(s, t, d, a);
        tcg_out_modrm(s, OPC_SHIFT_cl | rw, sub, d);
    } else {
        tcg_out_mov(s, t, TCG_TMP0, a);
        tcg_out_modrm(s, OPC_SHIFT_cl | rw, sub, TCG_TMP0);
        tcg_out_mov(s, t, d, TCG_TMP0);
    }
}

/* Compares a with b (register or imm32), setting the flags. */
static void tcg_out_cmp(TCGContext *s, int rw, int a, TCGArg b, bool bc)
{
    if (bc && (int64_t)b == 0) {
        tcg_out_modrm(s, OPC_TESTL | rw, a, a);
    } else if (bc) {
        tcg_out_arithi(s, rw, ARITH_CMP, a, (int64_t)b);
    } else {
        tcg_out_modrm(s, OPC_CMP_GvEv | rw, a, b);
    }
}

/* ---- labels and jumps ---- */

static void tcg_out_label_ref(TCGContext *s, TCGLabel *l)
{
    if (l->has_value) {
        tcg_out32(s, l->value - (s->code_ptr + 4 - s->code_buf));
    } else {
        uint32_t pos = s->code_ptr - s->code_buf;
        g_array_append_val(l->relocs, pos);
        tcg_out32(s, 0);
    }
}

void tcg_out_label(TCGContext *s, TCGLabel *l)
{
    l->has_value = true;
    l->value = s->code_ptr - s->code_buf;
    for (guint i = 0; i < l->relocs->len; i++) {
        uint32_t pos = g_array_index(l->relocs, uint32_t, i);
        int32_t rel = l->value - (pos + 4);
        memcpy(s->code_buf + pos, &rel, 4);
    }
    g_array_set_size(l->relocs, 0);
}

void tcg_out_br(TCGContext *s, TCGLabel *l)
{
    tcg_out8(s, OPC_JMP_long);
    tcg_out_label_ref(s, l);
}

void tcg_out_brcond(TCGContext *s, TCGType type, TCGCond c, int a, TCGArg b,
                    bool b_const, TCGLabel *l)
{
    if (c == TCG_COND_ALWAYS) {
        tcg_out_br(s, l);
        return;
    }
    if (c == TCG_COND_NEVER) {
        return;
    }
    tcg_out_cmp(s, rexw(type), a, b, b_const);
    tcg_out_opc(s, OPC_JCC_long + tcg_cond_to_jcc[c], 0, 0, 0);
    tcg_out_label_ref(s, l);
}

/* A short forward jump whose target is fixed later by patch_short. */
static uint8_t *tcg_out_jmp_short(TCGContext *s, int opc)
{
    tcg_out8(s, opc);
    tcg_out8(s, 0);
    return s->code_ptr - 1;
}

static void patch_short(TCGContext *s, uint8_t *disp)
{
    ptrdiff_t d = s->code_ptr - (disp + 1);
    g_assert(d >= -128 && d < 128);
    *disp = d;
}

void tcg_out_call(TCGContext *s, const void *func)
{
    intptr_t rel = (intptr_t)func - (intptr_t)(tcg_out_rx(s) + 5);
    if (rel == (int32_t)rel) {
        tcg_out8(s, OPC_CALL_Jz);
        tcg_out32(s, rel);
    } else {
        tcg_out_movi(s, TCG_TYPE_I64, TCG_TMP0, (intptr_t)func);
        tcg_out_modrm(s, OPC_GRP5, EXT5_CALLN_Ev, TCG_TMP0);
    }
}

static void tcg_out_jmp_abs(TCGContext *s, const void *target)
{
    tcg_out8(s, OPC_JMP_long);
    tcg_out32(s, (intptr_t)target - (intptr_t)(tcg_out_rx(s) + 4));
}

void tcg_out_exit_tb(TCGContext *s, uintptr_t val)
{
    tcg_out_movi(s, TCG_TYPE_I64, TCG_REG_RAX, val);
    tcg_out_jmp_abs(s, tb_ret_addr);
}

void tcg_out_goto_tb(TCGContext *s, TranslationBlock *tb, int n)
{
    /* keep the rel32 4-byte aligned so that patching it is atomic */
    while ((tcg_out_rx(s) + 1) & 3) {
        tcg_out8(s, OPC_NOP);
    }
    tcg_out8(s, OPC_JMP_long);
    tb->jmp_insn_offset[n] = s->code_ptr - s->code_buf;
    tcg_out32(s, 0);
    tb->jmp_reset_offset[n] = s->code_ptr - s->code_buf;
    tb->jmp_present[n] = true;
}

void tcg_out_goto_ptr(TCGContext *s, int reg)
{
    tcg_out_modrm(s, OPC_GRP5, EXT5_JMPN_Ev, reg);
}

void tcg_out_mb(TCGContext *s)
{
    tcg_out8(s, 0x0f);
    tcg_out8(s, 0xae);
    tcg_out8(s, 0xf0);   /* MFENCE */
}

void tcg_jit_patch_jump(uint8_t *rw, uint8_t *rx, const void *target)
{
    int32_t rel = (intptr_t)target - (intptr_t)(rx + 4);
    __atomic_store_n((int32_t *)rw, rel, __ATOMIC_RELEASE);
}

/* ---- prologue ---- */

static const int callee_saved[] = {
    TCG_REG_RBP, TCG_REG_RBX, TCG_REG_R12, TCG_REG_R13, TCG_REG_R14, TCG_REG_R15,
};

size_t tcg_jit_gen_prologue(uint8_t *rw, uint8_t *rx)
{
    unsigned a, b, c, d;
    if (__get_cpuid(1, &a, &b, &c, &d)) {
        tcg_host_has_popcnt = c & bit_POPCNT;
    }
    TCGContext tmp = { 0 };
    TCGContext *s = &tmp;
    s->code_buf = s->code_ptr = rw;
    for (size_t i = 0; i < ARRAY_SIZE(callee_saved); i++) {
        tcg_out_opc(s, OPC_PUSH_r + (callee_saved[i] & 7), 0, callee_saved[i], 0);
    }
    tcg_out_mov(s, TCG_TYPE_I64, TCG_AREG0, tcg_call_arg_regs[0]);
    tcg_out_arithi(s, P_REXW, ARITH_SUB, TCG_REG_RSP, TCG_FRAME_SIZE);
    tcg_out_modrm(s, OPC_GRP5, EXT5_JMPN_Ev, tcg_call_arg_regs[1]);
    tcg_code.epilogue_ret0 = rx + (s->code_ptr - rw);
    tcg_out_movi(s, TCG_TYPE_I32, TCG_REG_RAX, 0);
    tb_ret_addr = rx + (s->code_ptr - rw);
    tcg_out_arithi(s, P_REXW, ARITH_ADD, TCG_REG_RSP, TCG_FRAME_SIZE);
    for (int i = ARRAY_SIZE(callee_saved) - 1; i >= 0; i--) {
        tcg_out_opc(s, OPC_POP_r + (callee_saved[i] & 7), 0, callee_saved[i], 0);
    }
    tcg_out8(s, OPC_RET);
    tcg_code.tb_exec = (uintptr_t (*)(void *, const void *))rx;
    return s->code_ptr - rw;
}

/* ---- operand constraints ---- */

#define R_ANY TCG_ALLOCATABLE

static void ct_set(TCGTargetOpCt *ct, int n, uint16_t regs, uint8_t flags)
{
    ct->args[n].regs = regs;
    ct->args[n].flags = flags;
}

void tcg_target_op_ct(TCGOpcode opc, TCGTargetOpCt *ct)
{
    const TCGOpDef *def = &tcg_op_defs[opc];
    memset(ct, 0, sizeof(*ct));
    for (int i = 0; i < def->nb_oargs + def->nb_iargs; i++) {
        ct_set(ct, i, R_ANY, 0);
    }
    switch (opc) {
    case INDEX_op_mov_i32: case INDEX_op_mov_i64:
    case INDEX_op_add_i32: case INDEX_op_add_i64:
    case INDEX_op_sub_i32: case INDEX_op_sub_i64:
    case INDEX_op_mul_i32: case INDEX_op_mul_i64:
    case INDEX_op_and_i32: case INDEX_op_and_i64:
    case INDEX_op_or_i32: case INDEX_op_or_i64:
    case INDEX_op_xor_i32: case INDEX_op_xor_i64:
    case INDEX_op_setcond_i32: case INDEX_op_setcond_i64:
    case INDEX_op_clz_i32: case INDEX_op_clz_i64:
    case INDEX_op_ctz_i32: case INDEX_op_ctz_i64:
        ct_set(ct, def->nb_oargs + def->nb_iargs - 1, R_ANY, CT_CONST);
        break;
    case INDEX_op_movcond_i32: case INDEX_op_movcond_i64:
        ct_set(ct, 2, R_ANY, CT_CONST);
        break;
    case INDEX_op_shl_i32: case INDEX_op_shl_i64:
    case INDEX_op_shr_i32: case INDEX_op_shr_i64:
    case INDEX_op_sar_i32: case INDEX_op_sar_i64:
    case INDEX_op_rotl_i32: case INDEX_op_rotl_i64:
    case INDEX_op_rotr_i32: case INDEX_op_rotr_i64:
        ct_set(ct, 2, REGBIT(TCG_REG_RCX), CT_CONST);
        break;
    case INDEX_op_mulu2_i32: case INDEX_op_mulu2_i64:
    case INDEX_op_muls2_i32: case INDEX_op_muls2_i64:
        ct_set(ct, 0, REGBIT(TCG_REG_RAX), 0);
        ct_set(ct, 1, REGBIT(TCG_REG_RDX), 0);
        ct_set(ct, 2, REGBIT(TCG_REG_RAX), 0);
        ct_set(ct, 3, R_ANY & ~REGBIT(TCG_REG_RAX), 0);
        break;
    case INDEX_op_ctpop_i32: case INDEX_op_ctpop_i64:
        if (!tcg_host_has_popcnt) {
            ct_set(ct, 0, REGBIT(TCG_REG_RAX), 0);
            ct_set(ct, 1, REGBIT(TCG_REG_RDI), 0);
            ct->clobber = TCG_CALL_CLOBBERED;
        }
        break;
    case INDEX_op_st8_i32: case INDEX_op_st8_i64:
    case INDEX_op_st16_i32: case INDEX_op_st16_i64:
    case INDEX_op_st_i32: case INDEX_op_st_i64: case INDEX_op_st32_i64:
        ct_set(ct, 0, R_ANY, CT_CONST);
        break;
    case INDEX_op_qemu_ld_i32: case INDEX_op_qemu_ld_i64:
    case INDEX_op_qemu_st_i32: case INDEX_op_qemu_st_i64:
        ct->clobber = TCG_CALL_CLOBBERED;
        break;
    default:
        break;
    }
}

/* ---- ops ---- */

static uint64_t ctpop_fallback(uint64_t x)
{
    return __builtin_popcountll(x);
}

/* clz/ctz through BSR/BSF; b (or constant) when a is zero. */
static void tcg_out_clz_ctz(TCGContext *s, int rw, bool clz, int d, int a,
                            TCGArg b, bool bc)
{
    TCGType t = rw ? TCG_TYPE_I64 : TCG_TYPE_I32;
    tcg_out_modrm(s, (clz ? OPC_BSR : OPC_BSF) | rw, TCG_TMP0, a);
    uint8_t *to_zero = tcg_out_jmp_short(s, OPC_JCC_short + JCC_JE);
    if (clz) {
        tcg_out_arithi(s, 0, ARITH_XOR, TCG_TMP0, rw ? 63 : 31);
    }
    tcg_out_mov(s, t, d, TCG_TMP0);
    uint8_t *to_done = tcg_out_jmp_short(s, OPC_JMP_short);
    patch_short(s, to_zero);
    if (bc) {
        tcg_out_movi(s, t, d, (int64_t)b);
    } else {
        tcg_out_mov(s, t, d, b);
    }
    patch_short(s, to_done);
}

static void tcg_out_deposit(TCGContext *s, int rw, int d, int a, int b,
                            unsigned pos, unsigned len)
{
    TCGType t = rw ? TCG_TYPE_I64 : TCG_TYPE_I32;
    unsigned width = rw ? 64 : 32;
    uint64_t mask = (len >= 64 ? ~0ull : (1ull << len) - 1) << pos;
    if (len == width) {
        tcg_out_mov(s, t, d, b);
        return;
    }
    tcg_out_mov(s, t, TCG_TMP0, b);
    if (pos) {
        tcg_out_shifti(s, rw, SHIFT_SHL, TCG_TMP0, pos);
    }
    tcg_out_movi(s, t, TCG_TMP1, mask);
    tcg_out_modrm(s, OPC_AND_GvEv | rw, TCG_TMP0, TCG_TMP1);
    tcg_out_movi(s, t, TCG_TMP1, ~mask);
    tcg_out_modrm(s, OPC_AND_GvEv | rw, TCG_TMP1, a);
    tcg_out_modrm(s, OPC_OR_GvEv | rw, TCG_TMP0, TCG_TMP1);
    tcg_out_mov(s, t, d, TCG_TMP0);
}

static void tcg_out_extract(TCGContext *s, int rw, bool sign, int d, int a,
                            unsigned pos, unsigned len)
{
    TCGType t = rw ? TCG_TYPE_I64 : TCG_TYPE_I32;
    unsigned width = rw ? 64 : 32;
    tcg_out_mov(s, t, d, a);
    if (width - pos - len) {
        tcg_out_shifti(s, rw, SHIFT_SHL, d, width - pos - len);
    }
    if (width - len) {
        tcg_out_shifti(s, rw, sign ? SHIFT_SAR : SHIFT_SHR, d, width - len);
    }
}

/* add2/sub2: (lo, hi) = (al, ah) +/- (bl, bh), through the scratches. */
static void tcg_out_addsub2(TCGContext *s, int rw, bool sub, const TCGArg *a)
{
    TCGType t = rw ? TCG_TYPE_I64 : TCG_TYPE_I32;
    tcg_out_mov(s, t, TCG_TMP0, a[2]);
    tcg_out_modrm(s, (sub ? OPC_SUB_GvEv : OPC_ADD_GvEv) | rw, TCG_TMP0, a[4]);
    tcg_out_mov(s, t, TCG_TMP1, a[3]);
    tcg_out_modrm(s, (sub ? OPC_SBB_GvEv : OPC_ADC_GvEv) | rw, TCG_TMP1, a[5]);
    tcg_out_mov(s, t, a[0], TCG_TMP0);
    tcg_out_mov(s, t, a[1], TCG_TMP1);
}

static void tcg_out_andc_orc(TCGContext *s, int rw, bool orc, int d, int a, int b)
{
    TCGType t = rw ? TCG_TYPE_I64 : TCG_TYPE_I32;
    tcg_out_mov(s, t, TCG_TMP0, b);
    tcg_out_modrm(s, OPC_GRP3_Ev | rw, EXT3_NOT, TCG_TMP0);
    tcg_out_modrm(s, (orc ? OPC_OR_GvEv : OPC_AND_GvEv) | rw, TCG_TMP0, a);
    tcg_out_mov(s, t, d, TCG_TMP0);
}

static void tcg_out_setcond(TCGContext *s, int rw, TCGCond c, int d, int a,
                            TCGArg b, bool bc)
{
    if (c == TCG_COND_ALWAYS || c == TCG_COND_NEVER) {
        tcg_out_movi(s, TCG_TYPE_I32, d, c == TCG_COND_ALWAYS);
        return;
    }
    tcg_out_cmp(s, rw, a, b, bc);
    tcg_out_modrm(s, OPC_SETCC + tcg_cond_to_jcc[c], 0, TCG_TMP0);
    tcg_out_modrm(s, OPC_MOVZBL, d, TCG_TMP0);
}

static void tcg_out_movcond(TCGContext *s, int rw, TCGCond c, const TCGArg *a,
                            const bool *ca)
{
    TCGType t = rw ? TCG_TYPE_I64 : TCG_TYPE_I32;
    if (c == TCG_COND_ALWAYS || c == TCG_COND_NEVER) {
        tcg_out_mov(s, t, a[0], c == TCG_COND_ALWAYS ? a[3] : a[4]);
        return;
    }
    tcg_out_cmp(s, rw, a[1], a[2], ca[2]);
    tcg_out_mov(s, t, TCG_TMP0, a[4]);
    tcg_out_modrm(s, (OPC_CMOVCC + tcg_cond_to_jcc[c]) | rw, TCG_TMP0, a[3]);
    tcg_out_mov(s, t, a[0], TCG_TMP0);
}

/* Loads (ld*) and stores (st*) relative to a host pointer register. */
static bool tcg_out_ldst(TCGContext *s, TCGOpcode opc, const TCGArg *a,
                         const bool *ca)
{
    int d = a[0], base = a[1];
    intptr_t off = a[2];
    int ldopc;
    switch (opc) {
    case INDEX_op_ld8u_i32: case INDEX_op_ld8u_i64: ldopc = OPC_MOVZBL; break;
    case INDEX_op_ld8s_i32: ldopc = OPC_MOVSBL; break;
    case INDEX_op_ld8s_i64: ldopc = OPC_MOVSBL | P_REXW; break;
    case INDEX_op_ld16u_i32: case INDEX_op_ld16u_i64: ldopc = OPC_MOVZWL; break;
    case INDEX_op_ld16s_i32: ldopc = OPC_MOVSWL; break;
    case INDEX_op_ld16s_i64: ldopc = OPC_MOVSWL | P_REXW; break;
    case INDEX_op_ld_i32: case INDEX_op_ld32u_i64: ldopc = OPC_MOVL_GvEv; break;
    case INDEX_op_ld32s_i64: ldopc = OPC_MOVSLQ; break;
    case INDEX_op_ld_i64: ldopc = OPC_MOVL_GvEv | P_REXW; break;
    default: ldopc = -1; break;
    }
    if (ldopc >= 0) {
        tcg_out_modrm_offset(s, ldopc & ~P_REXB_RM, d, base, off);
        return true;
    }
    int size;
    switch (opc) {
    case INDEX_op_st8_i32: case INDEX_op_st8_i64: size = 1; break;
    case INDEX_op_st16_i32: case INDEX_op_st16_i64: size = 2; break;
    case INDEX_op_st_i32: case INDEX_op_st32_i64: size = 4; break;
    case INDEX_op_st_i64: size = 8; break;
    default: return false;
    }
    static const int st_r[] = { [1] = OPC_MOVB_EvGv, [2] = OPC_MOVL_EvGv | P_DATA16,
                                [4] = OPC_MOVL_EvGv, [8] = OPC_MOVL_EvGv | P_REXW };
    static const int st_i[] = { [1] = OPC_MOVB_EvIb, [2] = OPC_MOVL_EvIz | P_DATA16,
                                [4] = OPC_MOVL_EvIz, [8] = OPC_MOVL_EvIz | P_REXW };
    if (!ca[0]) {
        tcg_out_modrm_offset(s, st_r[size], d, base, off);
    } else {
        tcg_out_modrm_offset(s, st_i[size], 0, base, off);
        if (size == 1) {
            tcg_out8(s, a[0]);
        } else if (size == 2) {
            tcg_out8(s, a[0]);
            tcg_out8(s, a[0] >> 8);
        } else {
            tcg_out32(s, a[0]);
        }
    }
    return true;
}

/* Ops with the same code for both widths (rw selects REX.W). */
static bool tcg_out_op_common(TCGContext *s, int rw, TCGOpcode base,
                              const TCGArg *a, const bool *ca)
{
    TCGType t = rw ? TCG_TYPE_I64 : TCG_TYPE_I32;
    int d = a[0];
    switch (base) {
    case INDEX_op_mov_i32:
        if (ca[1]) {
            tcg_out_movi(s, t, d, (int64_t)a[1]);
        } else {
            tcg_out_mov(s, t, d, a[1]);
        }
        break;
    case INDEX_op_add_i32:
        tcg_out_binop(s, rw, OPC_ADD_GvEv, ARITH_ADD, d, a[1], a[2], ca[2], true);
        break;
    case INDEX_op_sub_i32:
        tcg_out_binop(s, rw, OPC_SUB_GvEv, ARITH_SUB, d, a[1], a[2], ca[2], false);
        break;
    case INDEX_op_mul_i32:
        tcg_out_binop(s, rw, OPC_IMUL_GvEv, 0, d, a[1], a[2], ca[2], true);
        break;
    case INDEX_op_and_i32:
        tcg_out_binop(s, rw, OPC_AND_GvEv, ARITH_AND, d, a[1], a[2], ca[2], true);
        break;
    case INDEX_op_or_i32:
        tcg_out_binop(s, rw, OPC_OR_GvEv, ARITH_OR, d, a[1], a[2], ca[2], true);
        break;
    case INDEX_op_xor_i32:
        tcg_out_binop(s, rw, OPC_XOR_GvEv, ARITH_XOR, d, a[1], a[2], ca[2], true);
        break;
    case INDEX_op_neg_i32:
    case INDEX_op_not_i32:
        tcg_out_mov(s, t, d, a[1]);
        tcg_out_modrm(s, OPC_GRP3_Ev | rw,
                      base == INDEX_op_neg_i32 ? EXT3_NEG : EXT3_NOT, d);
        break;
    case INDEX_op_andc_i32:
    case INDEX_op_orc_i32:
        tcg_out_andc_orc(s, rw, base == INDEX_op_orc_i32, d, a[1], a[2]);
        break;
    case INDEX_op_shl_i32: tcg_out_shift(s, rw, SHIFT_SHL, d, a[1], a[2], ca[2]); break;
    case INDEX_op_shr_i32: tcg_out_shift(s, rw, SHIFT_SHR, d, a[1], a[2], ca[2]); break;
    case INDEX_op_sar_i32: tcg_out_shift(s, rw, SHIFT_SAR, d, a[1], a[2], ca[2]); break;
    case INDEX_op_rotl_i32: tcg_out_shift(s, rw, SHIFT_ROL, d, a[1], a[2], ca[2]); break;
    case INDEX_op_rotr_i32: tcg_out_shift(s, rw, SHIFT_ROR, d, a[1], a[2], ca[2]); break;
    case INDEX_op_ext8s_i32: tcg_out_modrm(s, OPC_MOVSBL | rw, d, a[1]); break;
    case INDEX_op_ext8u_i32: tcg_out_modrm(s, OPC_MOVZBL, d, a[1]); break;
    case INDEX_op_ext16s_i32: tcg_out_modrm(s, OPC_MOVSWL | rw, d, a[1]); break;
    case INDEX_op_ext16u_i32: tcg_out_modrm(s, OPC_MOVZWL, d, a[1]); break;
    case INDEX_op_bswap16_i32:
        tcg_out_mov(s, TCG_TYPE_I32, d, a[1]);
        tcg_out_opc(s, OPC_BSWAP + (d & 7), 0, d, 0);
        tcg_out_shifti(s, 0, SHIFT_SHR, d, 16);
        break;
    case INDEX_op_bswap32_i32:
        tcg_out_mov(s, TCG_TYPE_I32, d, a[1]);
        tcg_out_opc(s, OPC_BSWAP + (d & 7), 0, d, 0);
        break;
    case INDEX_op_deposit_i32:
        tcg_out_deposit(s, rw, d, a[1], a[2], a[3], a[4]);
        break;
    case INDEX_op_extract_i32:
    case INDEX_op_sextract_i32:
        tcg_out_extract(s, rw, base == INDEX_op_sextract_i32, d, a[1], a[2], a[3]);
        break;
    case INDEX_op_clz_i32:
    case INDEX_op_ctz_i32:
        tcg_out_clz_ctz(s, rw, base == INDEX_op_clz_i32, d, a[1], a[2], ca[2]);
        break;
    case INDEX_op_ctpop_i32:
        if (tcg_host_has_popcnt) {
            tcg_out_modrm(s, OPC_POPCNT | rw, d, a[1]);
        } else {
            if (!rw) {
                tcg_out_mov(s, TCG_TYPE_I32, TCG_REG_RDI, TCG_REG_RDI);
            }
            tcg_out_call(s, (const void *)ctpop_fallback);
        }
        break;
    case INDEX_op_setcond_i32:
        tcg_out_setcond(s, rw, a[3], d, a[1], a[2], ca[2]);
        break;
    case INDEX_op_movcond_i32:
        tcg_out_movcond(s, rw, a[5], a, ca);
        break;
    case INDEX_op_mulu2_i32:
    case INDEX_op_muls2_i32:
        tcg_out_modrm(s, OPC_GRP3_Ev | rw,
                      base == INDEX_op_mulu2_i32 ? EXT3_MUL : EXT3_IMUL, a[3]);
        break;
    case INDEX_op_add2_i32:
    case INDEX_op_sub2_i32:
        tcg_out_addsub2(s, rw, base == INDEX_op_sub2_i32, a);
        break;
    default:
        return false;
    }
    return true;
}

/* The i32 op with the same role as an i64 op, for tcg_out_op_common. */
static TCGOpcode op_base(TCGOpcode opc)
{
    if (opc >= INDEX_op_mov_i64 && opc <= INDEX_op_st_i64) {
        return opc - INDEX_op_mov_i64 + INDEX_op_mov_i32;
    }
    return opc;
}

static void tcg_out_width_ops(TCGContext *s, TCGOpcode opc, const TCGArg *a)
{
    int d = a[0];
    switch (opc) {
    case INDEX_op_ext_i32_i64:
    case INDEX_op_ext32s_i64:
        tcg_out_modrm(s, OPC_MOVSLQ, d, a[1]);
        break;
    case INDEX_op_extu_i32_i64:
    case INDEX_op_ext32u_i64:
    case INDEX_op_extrl_i64_i32:
        tcg_out_modrm(s, OPC_MOVL_GvEv, d, a[1]);
        break;
    case INDEX_op_extrh_i64_i32:
        tcg_out_mov(s, TCG_TYPE_I64, d, a[1]);
        tcg_out_shifti(s, P_REXW, SHIFT_SHR, d, 32);
        break;
    case INDEX_op_bswap64_i64:
        tcg_out_mov(s, TCG_TYPE_I64, d, a[1]);
        tcg_out_opc(s, (OPC_BSWAP + (d & 7)) | P_REXW, 0, d, 0);
        break;
    default:
        g_assert_not_reached();
    }
}

static void tcg_out_qemu_ld(TCGContext *s, TCGType type, const TCGArg *a);
static void tcg_out_qemu_st(TCGContext *s, TCGType type, const TCGArg *a);

void tcg_out_op(TCGContext *s, TCGOpcode opc, const TCGArg *args,
                const bool *const_args)
{
    int rw = tcg_op_defs[opc].flags & TCG_OPF_64BIT ? P_REXW : 0;
    switch (opc) {
    case INDEX_op_qemu_ld_i32: tcg_out_qemu_ld(s, TCG_TYPE_I32, args); return;
    case INDEX_op_qemu_ld_i64: tcg_out_qemu_ld(s, TCG_TYPE_I64, args); return;
    case INDEX_op_qemu_st_i32: tcg_out_qemu_st(s, TCG_TYPE_I32, args); return;
    case INDEX_op_qemu_st_i64: tcg_out_qemu_st(s, TCG_TYPE_I64, args); return;
    case INDEX_op_mb: tcg_out_mb(s); return;
    default:
        break;
    }
    if (tcg_out_ldst(s, opc, args, const_args)) {
        return;
    }
    if (tcg_out_op_common(s, rw, op_base(opc), args, const_args)) {
        return;
    }
    tcg_out_width_ops(s, opc, args);
}

/* ---- guest memory: inline TLB check, out-of-line slow path ---- */

static const int ld_opc[2][8] = {
    [TCG_TYPE_I32] = { OPC_MOVZBL, OPC_MOVZWL, OPC_MOVL_GvEv, -1,
                       OPC_MOVSBL, OPC_MOVSWL, -1, -1 },
    [TCG_TYPE_I64] = { OPC_MOVZBL, OPC_MOVZWL, OPC_MOVL_GvEv, OPC_MOVL_GvEv | P_REXW,
                       OPC_MOVSBL | P_REXW, OPC_MOVSWL | P_REXW, OPC_MOVSLQ, -1 },
};

/* Emits the TLB check for addr; leaves the host address base in TMP1
 * (add addr) and queues a slow path: the slow path record. */
static TCGSlowPath *tcg_out_tlb_check(TCGContext *s, bool is_ld, int addr,
                                      MemOpIdx oi)
{
    unsigned size = 1u << (get_memop(oi) & MO_SIZE);
    intptr_t tab = s->cfg.tlb_offset +
                   get_mmuidx(oi) * (intptr_t)sizeof(TCGTLBEntry) * TCG_TLB_SIZE;
    intptr_t tag = is_ld ? offsetof(TCGTLBEntry, addr_read)
                         : offsetof(TCGTLBEntry, addr_write);
    tcg_out_mov(s, TCG_TYPE_I64, TCG_TMP0, addr);
    tcg_out_shifti(s, P_REXW, SHIFT_SHR, TCG_TMP0, TCG_PAGE_BITS - TCG_TLB_ENTRY_BITS);
    tcg_out_arithi(s, 0, ARITH_AND, TCG_TMP0,
                   (TCG_TLB_SIZE - 1) << TCG_TLB_ENTRY_BITS);
    tcg_out_modrm_offset(s, OPC_LEA | P_REXW, TCG_TMP1, addr, size - 1);
    tcg_out_arithi(s, P_REXW, ARITH_AND, TCG_TMP1, (int32_t)TCG_PAGE_MASK);
    tcg_out_modrm_sib_offset(s, OPC_CMP_GvEv | P_REXW, TCG_TMP1, TCG_AREG0,
                             TCG_TMP0, 0, tab + tag);
    tcg_out_opc(s, OPC_JCC_long + JCC_JNE, 0, 0, 0);
    TCGSlowPath sp = { .is_ld = is_ld, .oi = oi, .addr_reg = addr,
                       .jcc_off = s->code_ptr - s->code_buf };
    tcg_out32(s, 0);
    tcg_out_modrm_sib_offset(s, OPC_MOVL_GvEv | P_REXW, TCG_TMP1, TCG_AREG0,
                             TCG_TMP0, 0, tab + offsetof(TCGTLBEntry, addend));
    g_array_append_val(s->slow_paths, sp);
    return &g_array_index(s->slow_paths, TCGSlowPath, s->slow_paths->len - 1);
}

static void tcg_out_qemu_ld(TCGContext *s, TCGType type, const TCGArg *a)
{
    MemOp mop = get_memop(a[2]);
    TCGSlowPath *sp = tcg_out_tlb_check(s, true, a[1], a[2]);
    sp->type = type;
    sp->data_reg = a[0];
    tcg_out_modrm_sib_offset(s, ld_opc[type][mop & 7] & ~P_REXB_RM, a[0],
                             TCG_TMP1, a[1], 0, 0);
    sp->ret_off = s->code_ptr - s->code_buf;
}

static void tcg_out_qemu_st(TCGContext *s, TCGType type, const TCGArg *a)
{
    static const int st_opc[4] = { OPC_MOVB_EvGv, OPC_MOVL_EvGv | P_DATA16,
                                   OPC_MOVL_EvGv, OPC_MOVL_EvGv | P_REXW };
    MemOp mop = get_memop(a[2]);
    TCGSlowPath *sp = tcg_out_tlb_check(s, false, a[1], a[2]);
    sp->type = type;
    sp->data_reg = a[0];
    tcg_out_modrm_sib_offset(s, st_opc[mop & MO_SIZE], a[0], TCG_TMP1, a[1], 0, 0);
    sp->ret_off = s->code_ptr - s->code_buf;
}

/* lea reg, [rip + target] for a target inside this block's code. */
static void tcg_out_lea_code(TCGContext *s, int reg, uint32_t target_off)
{
    tcg_out_opc(s, OPC_LEA | P_REXW, reg, 0, 0);
    tcg_out8(s, (reg & 7) << 3 | 5);
    tcg_out32(s, target_off - (s->code_ptr + 4 - s->code_buf));
}

static void tcg_out_slow_path(TCGContext *s, const TCGSlowPath *sp)
{
    int32_t rel = (s->code_ptr - s->code_buf) - (sp->jcc_off + 4);
    memcpy(s->code_buf + sp->jcc_off, &rel, 4);
    tcg_out_mov(s, TCG_TYPE_I64, TCG_TMP1, sp->addr_reg);
    if (sp->is_ld) {
        tcg_out_mov(s, TCG_TYPE_I64, TCG_REG_RSI, TCG_TMP1);
        tcg_out_mov(s, TCG_TYPE_I64, TCG_REG_RDI, TCG_AREG0);
        tcg_out_movi(s, TCG_TYPE_I32, TCG_REG_RDX, sp->oi);
        tcg_out_lea_code(s, TCG_REG_RCX, sp->ret_off);
        tcg_out_call(s, (const void *)s->cfg.slow_ld);
        MemOp mop = get_memop(sp->oi);
        tcg_out_modrm(s, ld_opc[sp->type][mop & 7], sp->data_reg, TCG_REG_RAX);
    } else {
        static const int zext[4] = { OPC_MOVZBL, OPC_MOVZWL, OPC_MOVL_GvEv,
                                     OPC_MOVL_GvEv | P_REXW };
        tcg_out_modrm(s, zext[get_memop(sp->oi) & MO_SIZE], TCG_TMP0, sp->data_reg);
        tcg_out_mov(s, TCG_TYPE_I64, TCG_REG_RSI, TCG_TMP1);
        tcg_out_mov(s, TCG_TYPE_I64, TCG_REG_RDX, TCG_TMP0);
        tcg_out_mov(s, TCG_TYPE_I64, TCG_REG_RDI, TCG_AREG0);
        tcg_out_movi(s, TCG_TYPE_I32, TCG_REG_RCX, sp->oi);
        tcg_out_lea_code(s, TCG_REG_R8, sp->ret_off);
        tcg_out_call(s, (const void *)s->cfg.slow_st);
    }
    tcg_out8(s, OPC_JMP_long);
    tcg_out32(s, sp->ret_off - (s->code_ptr + 4 - s->code_buf));
}

bool tcg_out_slow_paths(TCGContext *s)
{
    for (guint i = 0; i < s->slow_paths->len; i++) {
        if (s->code_ptr + 128 > s->code_end) {
            return false;
        }
        tcg_out_slow_path(s, &g_array_index(s->slow_paths, TCGSlowPath, i));
    }
    return true;
}
