/*
 * test-x86-decode.c: unit tests of the x86 decoder (target-x86/decode.c)
 * on hand-picked byte strings: operand decoding (registers, high-byte
 * registers, ModRM/SIB memory forms in 16/32/64-bit addressing,
 * RIP-relative, immediates and their extension, branch targets), prefix
 * handling, and every error path (#UD reasons, #GP for length, fetch
 * faults). Validity, length and mnemonic over the whole opcode space are
 * checked against capstone by test-x86-decode-capstone.c.
 */
#include "vireo/common.h"
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <cmocka.h>
#include "target-x86/cpu.h"
#include "target-x86/decode.h"

typedef struct Buf {
    uint8_t b[32];
    unsigned n;
} Buf;

static int buf_fetch(void *opaque, uint64_t off, uint8_t *dst, unsigned len)
{
    Buf *b = opaque;

    if (off + len > b->n) {
        return 14;    /* a page fault */
    }
    memcpy(dst, b->b + off, len);
    return 0;
}

static int decode_feat(X86CodeMode mode, uint64_t pc, uint64_t features,
                       const char *hex, X86Insn *insn)
{
    Buf b = { .n = 0 };
    X86DecodeCtx ctx = {
        .mode = mode, .pc = pc, .features = features,
        .fetch = buf_fetch, .opaque = &b,
    };

    while (*hex) {
        char *end;
        unsigned long v = strtoul(hex, &end, 16);
        if (end == hex) {
            break;
        }
        b.b[b.n++] = (uint8_t)v;
        hex = end;
    }
    return x86_decode(&ctx, insn);
}

static int decode(X86CodeMode mode, const char *hex, X86Insn *insn)
{
    return decode_feat(mode, 0x1000, X86_FEATURES_ALL_NO_AVX, hex, insn);
}

static void assert_gpr(const X86Operand *op, unsigned reg, unsigned size, bool high8)
{
    assert_int_equal(op->kind, X86_OPK_GPR);
    assert_int_equal(op->reg, reg);
    assert_int_equal(op->size, size);
    assert_int_equal(op->high8, high8);
}

static void test_sib_memory_operand_has_base_index_scale_disp(void **state)
{
    X86Insn insn;

    assert_int_equal(decode(X86_MODE_64, "01 54 88 12", &insn), X86_DECODE_OK);
    assert_int_equal(insn.mnemonic, X86_MN_ADD);
    assert_int_equal(insn.len, 4);
    assert_int_equal(insn.nops, 2);
    assert_int_equal(insn.ops[0].kind, X86_OPK_MEM);
    assert_int_equal(insn.ops[0].size, 4);
    assert_int_equal(insn.ops[0].mem.base, R_EAX);
    assert_int_equal(insn.ops[0].mem.index, R_ECX);
    assert_int_equal(insn.ops[0].mem.scale, 4);
    assert_int_equal(insn.ops[0].mem.disp, 0x12);
    assert_int_equal(insn.ops[0].mem.seg, R_DS);
    assert_gpr(&insn.ops[1], R_EDX, 4, false);
}

static void test_rex_extends_sib_and_no_index_with_rsp(void **state)
{
    X86Insn insn;

    /* mov r9, [r12 + r13*8 - 0x80] : 4f 8b 4c ec 80 */
    assert_int_equal(decode(X86_MODE_64, "4f 8b 4c ec 80", &insn), X86_DECODE_OK);
    assert_gpr(&insn.ops[0], R_R9, 8, false);
    assert_int_equal(insn.ops[1].mem.base, R_R12);
    assert_int_equal(insn.ops[1].mem.index, R_R13);
    assert_int_equal(insn.ops[1].mem.scale, 8);
    assert_int_equal(insn.ops[1].mem.disp, -0x80);
    /* mov eax, [rsp+8]: SIB index 100 = none, default segment SS */
    assert_int_equal(decode(X86_MODE_64, "8b 44 24 08", &insn), X86_DECODE_OK);
    assert_int_equal(insn.ops[1].mem.base, R_ESP);
    assert_int_equal(insn.ops[1].mem.index, X86_REG_NONE);
    assert_int_equal(insn.ops[1].mem.seg, R_SS);
    /* mov eax, [0x12345678] via SIB with base 101 and mod 00 */
    assert_int_equal(decode(X86_MODE_32, "8b 04 25 78 56 34 12", &insn), X86_DECODE_OK);
    assert_int_equal(insn.ops[1].mem.base, X86_REG_NONE);
    assert_int_equal(insn.ops[1].mem.index, X86_REG_NONE);
    assert_int_equal(insn.ops[1].mem.disp, 0x12345678);
}

static void test_rip_relative_only_in_64bit_mode(void **state)
{
    X86Insn insn;

    assert_int_equal(decode(X86_MODE_64, "48 8b 05 78 56 34 12", &insn), X86_DECODE_OK);
    assert_int_equal(insn.op_size, 8);
    assert_true(insn.ops[1].mem.rip_rel);
    assert_int_equal(insn.ops[1].mem.base, X86_REG_NONE);
    assert_int_equal(insn.ops[1].mem.disp, 0x12345678);
    assert_int_equal(decode(X86_MODE_32, "8b 05 78 56 34 12", &insn), X86_DECODE_OK);
    assert_false(insn.ops[1].mem.rip_rel);
    assert_int_equal(insn.ops[1].mem.disp, 0x12345678);
}

static void test_16bit_addressing_bp_si_uses_ss(void **state)
{
    X86Insn insn;

    assert_int_equal(decode(X86_MODE_16, "8b 42 06", &insn), X86_DECODE_OK);
    assert_int_equal(insn.op_size, 2);
    assert_int_equal(insn.addr_size, 2);
    assert_gpr(&insn.ops[0], R_EAX, 2, false);
    assert_int_equal(insn.ops[1].mem.base, R_EBP);
    assert_int_equal(insn.ops[1].mem.index, R_ESI);
    assert_int_equal(insn.ops[1].mem.seg, R_SS);
    assert_int_equal(insn.ops[1].mem.disp, 6);
    /* mod 00 rm 110 is disp16 without base */
    assert_int_equal(decode(X86_MODE_16, "8b 06 34 12", &insn), X86_DECODE_OK);
    assert_int_equal(insn.ops[1].mem.base, X86_REG_NONE);
    assert_int_equal(insn.ops[1].mem.disp, 0x1234);
    assert_int_equal(insn.len, 4);
    /* 67 switches a 16-bit segment to 32-bit addressing */
    assert_int_equal(decode(X86_MODE_16, "67 8b 44 24 08", &insn), X86_DECODE_OK);
    assert_int_equal(insn.addr_size, 4);
    assert_int_equal(insn.ops[1].mem.base, R_ESP);
}

static void test_high_byte_registers_without_rex_only(void **state)
{
    X86Insn insn;

    assert_int_equal(decode(X86_MODE_32, "88 e0", &insn), X86_DECODE_OK);
    assert_gpr(&insn.ops[0], R_EAX, 1, false);
    assert_gpr(&insn.ops[1], 0, 1, true);           /* AH */
    assert_int_equal(decode(X86_MODE_64, "40 88 e0", &insn), X86_DECODE_OK);
    assert_gpr(&insn.ops[1], R_ESP, 1, false);      /* SPL */
    assert_int_equal(decode(X86_MODE_64, "41 b7 05", &insn), X86_DECODE_OK);
    assert_gpr(&insn.ops[0], R_R15, 1, false);      /* mov r15b, 5 */
}

static void test_immediates_are_extended_to_operand_size(void **state)
{
    X86Insn insn;

    assert_int_equal(decode(X86_MODE_64, "48 83 c0 ff", &insn), X86_DECODE_OK);
    assert_int_equal(insn.ops[1].kind, X86_OPK_IMM);
    assert_int_equal(insn.ops[1].size, 8);
    assert_int_equal(insn.ops[1].imm_size, 1);
    assert_true(insn.ops[1].imm == UINT64_MAX);
    assert_int_equal(decode(X86_MODE_64, "48 05 00 00 00 80", &insn), X86_DECODE_OK);
    assert_true(insn.ops[1].imm == 0xffffffff80000000ULL);
    assert_int_equal(decode(X86_MODE_32, "66 83 c0 80", &insn), X86_DECODE_OK);
    assert_int_equal(insn.ops[1].imm, 0xff80);
    assert_int_equal(decode(X86_MODE_64, "48 b8 88 77 66 55 44 33 22 11", &insn),
                     X86_DECODE_OK);
    assert_int_equal(insn.len, 10);
    assert_true(insn.ops[1].imm == 0x1122334455667788ULL);
    assert_int_equal(decode(X86_MODE_32, "c8 10 00 01", &insn), X86_DECODE_OK);
    assert_int_equal(insn.mnemonic, X86_MN_ENTER);
    assert_int_equal(insn.ops[0].imm, 0x10);
    assert_int_equal(insn.ops[1].imm, 1);
}

static void test_relative_branch_targets_wrap_at_operand_size(void **state)
{
    X86Insn insn;

    assert_int_equal(decode(X86_MODE_32, "75 fe", &insn), X86_DECODE_OK);
    assert_int_equal(insn.mnemonic, X86_MN_JNE);
    assert_int_equal(insn.cond, 5);
    assert_int_equal(insn.ops[0].kind, X86_OPK_REL);
    assert_int_equal(insn.ops[0].imm, 0x1000);
    assert_int_equal(decode_feat(X86_MODE_16, 0xfff0, X86_FEATURES_ALL_NO_AVX,
                                 "e9 20 00", &insn), X86_DECODE_OK);
    assert_int_equal(insn.ops[0].imm, 0x0013);
    /* Intel: 66 does not shorten a near branch in 64-bit mode */
    assert_int_equal(decode(X86_MODE_64, "66 e9 00 01 00 00", &insn), X86_DECODE_OK);
    assert_int_equal(insn.len, 6);
    assert_int_equal(insn.op_size, 8);
    assert_int_equal(insn.ops[0].imm, 0x1106);
}

static void test_default_64bit_operand_size_for_push(void **state)
{
    X86Insn insn;

    assert_int_equal(decode(X86_MODE_64, "50", &insn), X86_DECODE_OK);
    assert_int_equal(insn.op_size, 8);
    assert_int_equal(decode(X86_MODE_64, "66 50", &insn), X86_DECODE_OK);
    assert_int_equal(insn.op_size, 2);
    assert_int_equal(decode(X86_MODE_64, "41 57", &insn), X86_DECODE_OK);
    assert_gpr(&insn.ops[0], R_R15, 8, false);
}

static void test_segment_overrides(void **state)
{
    X86Insn insn;

    assert_int_equal(decode(X86_MODE_64, "64 8b 00", &insn), X86_DECODE_OK);
    assert_int_equal(insn.ops[1].mem.seg, R_FS);
    assert_int_equal(decode(X86_MODE_64, "2e 8b 00", &insn), X86_DECODE_OK);
    assert_int_equal(insn.seg_override, X86_SEG_NONE);
    assert_int_equal(insn.ops[1].mem.seg, R_DS);
    assert_int_equal(decode(X86_MODE_32, "26 a4", &insn), X86_DECODE_OK);
    assert_int_equal(insn.ops[0].mem.seg, R_ES);  /* destination stays ES */
    assert_int_equal(insn.ops[1].mem.seg, R_ES);
    assert_int_equal(insn.ops[1].mem.base, R_ESI);
}

static void test_string_rep_and_mandatory_prefixes(void **state)
{
    X86Insn insn;

    assert_int_equal(decode(X86_MODE_32, "f3 a4", &insn), X86_DECODE_OK);
    assert_int_equal(insn.mnemonic, X86_MN_MOVS);
    assert_int_equal(insn.rep, X86_REP_F3);
    assert_int_equal(decode(X86_MODE_32, "f3 0f b8 c1", &insn), X86_DECODE_OK);
    assert_int_equal(insn.mnemonic, X86_MN_POPCNT);
    assert_int_equal(insn.rep, X86_REP_NONE);
    assert_int_equal(insn.mandatory, 0xf3);
    /* 66 selects ADDPD and is not an operand-size prefix then */
    assert_int_equal(decode(X86_MODE_32, "66 0f 58 c1", &insn), X86_DECODE_OK);
    assert_int_equal(insn.mnemonic, X86_MN_ADDPD);
    assert_int_equal(insn.op_size, 4);
    assert_int_equal(insn.ops[0].kind, X86_OPK_XMM);
    assert_int_equal(insn.ops[1].reg, 1);
    /* F2 and 66 together: F2 selects the row */
    assert_int_equal(decode(X86_MODE_32, "66 f2 0f 58 c1", &insn), X86_DECODE_OK);
    assert_int_equal(insn.mnemonic, X86_MN_ADDSD);
    assert_int_equal(decode(X86_MODE_32, "f3 0f 10 44 24 08", &insn), X86_DECODE_OK);
    assert_int_equal(insn.mnemonic, X86_MN_MOVSS);
    assert_int_equal(insn.ops[1].size, 4);
    /* 66 on CRC32 is still the operand size */
    assert_int_equal(decode(X86_MODE_32, "66 f2 0f 38 f1 c1", &insn), X86_DECODE_OK);
    assert_int_equal(insn.mnemonic, X86_MN_CRC32);
    assert_int_equal(insn.ops[1].size, 2);
}

static void test_nop_pause_and_xchg_r8(void **state)
{
    X86Insn insn;

    assert_int_equal(decode(X86_MODE_64, "90", &insn), X86_DECODE_OK);
    assert_int_equal(insn.mnemonic, X86_MN_NOP);
    assert_int_equal(decode(X86_MODE_64, "f3 90", &insn), X86_DECODE_OK);
    assert_int_equal(insn.mnemonic, X86_MN_PAUSE);
    assert_int_equal(decode(X86_MODE_64, "41 90", &insn), X86_DECODE_OK);
    assert_int_equal(insn.mnemonic, X86_MN_XCHG);
    assert_gpr(&insn.ops[0], R_R8, 4, false);
}

static void test_control_registers_and_reserved_ones(void **state)
{
    X86Insn insn;

    assert_int_equal(decode(X86_MODE_64, "0f 20 c0", &insn), X86_DECODE_OK);
    assert_gpr(&insn.ops[0], R_EAX, 8, false);
    assert_int_equal(insn.ops[1].kind, X86_OPK_CR);
    assert_int_equal(insn.ops[1].reg, 0);
    assert_true(insn.flags & X86_IF_PRIV);
    assert_int_equal(decode(X86_MODE_64, "44 0f 22 c0", &insn), X86_DECODE_OK);
    assert_int_equal(insn.ops[0].reg, 8);
    /* mod is ignored: 0F 22 20 is MOV CR4, EAX */
    assert_int_equal(decode(X86_MODE_32, "0f 22 20", &insn), X86_DECODE_OK);
    assert_int_equal(insn.ops[0].reg, 4);
    assert_int_equal(insn.len, 3);
    assert_int_equal(decode(X86_MODE_32, "0f 20 c8", &insn), X86_DECODE_UD);
    assert_int_equal(insn.ud_reason, X86_UD_OPERAND);
    assert_int_equal(decode(X86_MODE_32, "8e c8", &insn), X86_DECODE_UD);
}

static void test_mode_dependent_rows(void **state)
{
    X86Insn insn;

    assert_int_equal(decode(X86_MODE_64, "48 63 c1", &insn), X86_DECODE_OK);
    assert_int_equal(insn.mnemonic, X86_MN_MOVSXD);
    assert_int_equal(decode(X86_MODE_32, "63 c1", &insn), X86_DECODE_OK);
    assert_int_equal(insn.mnemonic, X86_MN_ARPL);
    assert_int_equal(decode(X86_MODE_32, "ea 78 56 34 12 00 10", &insn), X86_DECODE_OK);
    assert_int_equal(insn.ops[0].kind, X86_OPK_FAR);
    assert_int_equal(insn.ops[0].imm, 0x12345678);
    assert_int_equal(insn.ops[0].sel, 0x1000);
    assert_int_equal(decode(X86_MODE_64, "ea 78 56 34 12 00 10", &insn), X86_DECODE_UD);
    assert_int_equal(insn.ud_reason, X86_UD_MODE);
    assert_int_equal(decode(X86_MODE_32, "0f 05", &insn), X86_DECODE_UD);
    assert_int_equal(decode(X86_MODE_64, "0f 05", &insn), X86_DECODE_OK);
    assert_int_equal(decode(X86_MODE_64, "a1 88 77 66 55 44 33 22 11", &insn),
                     X86_DECODE_OK);
    assert_int_equal(insn.len, 9);
    assert_true((uint64_t)insn.ops[1].mem.disp == 0x1122334455667788ULL);
    assert_int_equal(decode(X86_MODE_64, "67 a1 44 33 22 11", &insn), X86_DECODE_OK);
    assert_int_equal(insn.len, 6);
}

static void test_lock_rules(void **state)
{
    X86Insn insn;

    assert_int_equal(decode(X86_MODE_32, "f0 01 00", &insn), X86_DECODE_OK);
    assert_true(insn.prefixes & X86_PFX_LOCK);
    assert_int_equal(decode(X86_MODE_32, "f0 01 c0", &insn), X86_DECODE_UD);
    assert_int_equal(insn.ud_reason, X86_UD_LOCK);
    assert_int_equal(decode(X86_MODE_32, "f0 8b 00", &insn), X86_DECODE_UD);
    assert_int_equal(insn.ud_reason, X86_UD_LOCK);
    assert_int_equal(decode(X86_MODE_64, "f0 48 0f c7 0e", &insn), X86_DECODE_OK);
    assert_int_equal(insn.mnemonic, X86_MN_CMPXCHG16B);
    assert_int_equal(insn.ops[0].size, 16);
}

static void test_features_gate_rows(void **state)
{
    X86Insn insn;
    uint64_t f = X86_FEATURES_ALL_NO_AVX & ~X86_FEATURE_BIT(X86_FEAT_POPCNT) &
                 ~X86_FEATURE_BIT(X86_FEAT_BMI1);

    assert_int_equal(decode_feat(X86_MODE_32, 0, f, "f3 0f b8 c1", &insn), X86_DECODE_UD);
    assert_int_equal(insn.ud_reason, X86_UD_FEATURE);
    /* without BMI1, F3 0F BC is BSF with an ignored REP prefix */
    assert_int_equal(decode_feat(X86_MODE_32, 0, f, "f3 0f bc c1", &insn), X86_DECODE_OK);
    assert_int_equal(insn.mnemonic, X86_MN_BSF);
    assert_int_equal(decode(X86_MODE_32, "f3 0f bc c1", &insn), X86_DECODE_OK);
    assert_int_equal(insn.mnemonic, X86_MN_TZCNT);
    assert_int_equal(decode_feat(X86_MODE_32, 0, 0, "0f 58 c1", &insn), X86_DECODE_UD);
    assert_int_equal(insn.ud_reason, X86_UD_FEATURE);
}

static void test_vex_and_evex_are_ud_without_avx(void **state)
{
    X86Insn insn;

    assert_int_equal(decode(X86_MODE_64, "c5 f8 77", &insn), X86_DECODE_UD);
    assert_int_equal(insn.ud_reason, X86_UD_VEX);
    assert_int_equal(decode(X86_MODE_32, "c5 f8 77", &insn), X86_DECODE_UD);
    assert_int_equal(insn.ud_reason, X86_UD_VEX);
    assert_int_equal(decode(X86_MODE_64, "62 f1 7c 48 58 c1", &insn), X86_DECODE_UD);
    assert_int_equal(insn.ud_reason, X86_UD_VEX);
    /* outside 64-bit mode with ModRM.mod != 11 they are LES/LDS/BOUND */
    assert_int_equal(decode(X86_MODE_32, "c4 00", &insn), X86_DECODE_OK);
    assert_int_equal(insn.mnemonic, X86_MN_LES);
    assert_int_equal(decode(X86_MODE_32, "62 00", &insn), X86_DECODE_OK);
    assert_int_equal(insn.mnemonic, X86_MN_BOUND);
}

static void test_x87_forms(void **state)
{
    X86Insn insn;

    assert_int_equal(decode(X86_MODE_32, "d9 e8", &insn), X86_DECODE_OK);
    assert_int_equal(insn.mnemonic, X86_MN_FLD1);
    assert_int_equal(decode(X86_MODE_32, "dc c1", &insn), X86_DECODE_OK);
    assert_int_equal(insn.mnemonic, X86_MN_FADD);
    assert_int_equal(insn.ops[0].kind, X86_OPK_ST);
    assert_int_equal(insn.ops[0].reg, 1);
    assert_int_equal(insn.ops[1].reg, 0);
    assert_int_equal(decode(X86_MODE_32, "dd 45 08", &insn), X86_DECODE_OK);
    assert_int_equal(insn.mnemonic, X86_MN_FLD);
    assert_int_equal(insn.ops[0].size, 8);
    assert_int_equal(insn.ops[0].mem.seg, R_SS);
    assert_int_equal(decode(X86_MODE_32, "db 2c 24", &insn), X86_DECODE_OK);
    assert_int_equal(insn.ops[0].size, 10);
    assert_int_equal(decode(X86_MODE_32, "d9 d1", &insn), X86_DECODE_UD);
}

static void test_length_limit_and_fetch_fault(void **state)
{
    X86Insn insn;

    assert_int_equal(decode(X86_MODE_32, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 90",
                            &insn), X86_DECODE_OK);
    assert_int_equal(insn.len, 15);
    assert_int_equal(decode(X86_MODE_32, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90",
                            &insn), X86_DECODE_GP);
    assert_int_equal(decode(X86_MODE_32, "2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 05 01 02 03 04",
                            &insn), X86_DECODE_OK);
    assert_int_equal(decode(X86_MODE_32, "2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 05 01 02 03 04",
                            &insn), X86_DECODE_GP);
    assert_int_equal(decode(X86_MODE_32, "05 01 02", &insn), X86_DECODE_FETCH_FAULT);
    assert_int_equal(insn.fetch_error, 14);
    assert_int_equal(decode(X86_MODE_32, "", &insn), X86_DECODE_FETCH_FAULT);
}

/* Memory access sizes from the SDM operand types, one row per case. */
static const struct {
    X86CodeMode mode;
    const char *hex;
    uint16_t mnemonic;
    uint8_t op;       /* index of the memory operand */
    uint16_t size;    /* expected access size in bytes */
} mem_sizes[] = {
    { X86_MODE_32, "0f be 00", X86_MN_MOVSX, 1, 1 },
    { X86_MODE_32, "0f b7 00", X86_MN_MOVZX, 1, 2 },
    { X86_MODE_32, "8d 00", X86_MN_LEA, 1, 0 },
    { X86_MODE_32, "62 00", X86_MN_BOUND, 1, 8 },
    { X86_MODE_16, "62 00", X86_MN_BOUND, 1, 4 },
    { X86_MODE_32, "c4 00", X86_MN_LES, 1, 6 },
    { X86_MODE_16, "c4 00", X86_MN_LES, 1, 4 },
    { X86_MODE_64, "48 0f b2 00", X86_MN_LSS, 1, 10 },
    { X86_MODE_32, "0f 01 10", X86_MN_LGDT, 0, 6 },
    { X86_MODE_64, "0f 01 10", X86_MN_LGDT, 0, 10 },
    { X86_MODE_32, "0f 01 38", X86_MN_INVLPG, 0, 0 },
    { X86_MODE_32, "0f 01 20", X86_MN_SMSW, 0, 2 },
    { X86_MODE_32, "0f 00 00", X86_MN_SLDT, 0, 2 },
    { X86_MODE_32, "8c 18", X86_MN_MOV, 0, 2 },
    { X86_MODE_64, "ff 30", X86_MN_PUSH, 0, 8 },
    { X86_MODE_64, "ff 10", X86_MN_CALL, 0, 8 },
    { X86_MODE_32, "ff 28", X86_MN_JMPF, 0, 6 },
    { X86_MODE_64, "48 ff 28", X86_MN_JMPF, 0, 10 },
    { X86_MODE_32, "d9 00", X86_MN_FLD, 0, 4 },
    { X86_MODE_32, "dd 00", X86_MN_FLD, 0, 8 },
    { X86_MODE_32, "db 28", X86_MN_FLD, 0, 10 },
    { X86_MODE_32, "df 28", X86_MN_FILD, 0, 8 },
    { X86_MODE_32, "df 10", X86_MN_FIST, 0, 2 },
    { X86_MODE_32, "df 20", X86_MN_FBLD, 0, 10 },
    { X86_MODE_32, "d9 30", X86_MN_FNSTENV, 0, 28 },
    { X86_MODE_16, "d9 30", X86_MN_FNSTENV, 0, 14 },
    { X86_MODE_32, "dd 20", X86_MN_FRSTOR, 0, 108 },
    { X86_MODE_32, "dd 38", X86_MN_FNSTSW, 0, 2 },
    { X86_MODE_32, "0f c7 08", X86_MN_CMPXCHG8B, 0, 8 },
    { X86_MODE_32, "f3 0f 10 00", X86_MN_MOVSS, 1, 4 },
    { X86_MODE_32, "f2 0f 10 00", X86_MN_MOVSD, 1, 8 },
    { X86_MODE_32, "0f 12 00", X86_MN_MOVLPS, 1, 8 },
    { X86_MODE_32, "0f 28 00", X86_MN_MOVAPS, 1, 16 },
    { X86_MODE_32, "66 0f 38 22 00", X86_MN_PMOVSXBQ, 1, 2 },
    { X86_MODE_32, "66 0f 3a 20 00 01", X86_MN_PINSRB, 1, 1 },
    { X86_MODE_32, "66 0f 3a 15 00 01", X86_MN_PEXTRW, 0, 2 },
    { X86_MODE_64, "f3 48 0f 2a 00", X86_MN_CVTSI2SS, 1, 8 },
    { X86_MODE_32, "0f 6e 00", X86_MN_MOVD, 1, 4 },
    { X86_MODE_64, "48 0f 6e 00", X86_MN_MOVQ, 1, 8 },
    { X86_MODE_32, "f2 0f 38 f0 00", X86_MN_CRC32, 1, 1 },
    { X86_MODE_32, "0f ae 18", X86_MN_STMXCSR, 0, 4 },
    { X86_MODE_32, "0f ae 00", X86_MN_FXSAVE, 0, 512 },
    { X86_MODE_32, "0f ae 20", X86_MN_XSAVE, 0, 0 },
    { X86_MODE_64, "a1 00 00 00 00 00 00 00 00", X86_MN_MOV, 1, 4 },
};

static void test_memory_access_sizes_follow_the_sdm(void **state)
{
    X86Insn insn;

    for (size_t i = 0; i < ARRAY_SIZE(mem_sizes); i++) {
        int r = decode(mem_sizes[i].mode, mem_sizes[i].hex, &insn);
        if (r != X86_DECODE_OK || insn.mnemonic != mem_sizes[i].mnemonic ||
            insn.ops[mem_sizes[i].op].kind != X86_OPK_MEM ||
            insn.ops[mem_sizes[i].op].size != mem_sizes[i].size) {
            fail_msg("%s: r=%d %s op%u kind %u size %u, expected %s size %u",
                     mem_sizes[i].hex, r, x86_mnemonic_name(insn.mnemonic),
                     mem_sizes[i].op, insn.ops[mem_sizes[i].op].kind,
                     insn.ops[mem_sizes[i].op].size,
                     x86_mnemonic_name(mem_sizes[i].mnemonic), mem_sizes[i].size);
        }
    }
}

static void test_features_from_cpuid_words(void **state)
{
    X86CPUIDBits b = { .leaf1_edx = 1u << 26, .leaf1_ecx = 1u << 23,
                       .leaf7_ebx = 1u << 3, .ext1_ecx = 1u << 5 };
    uint64_t f = x86_decode_features(&b);

    assert_true(f & X86_FEATURE_BIT(X86_FEAT_SSE2));
    assert_true(f & X86_FEATURE_BIT(X86_FEAT_POPCNT));
    assert_true(f & X86_FEATURE_BIT(X86_FEAT_BMI1));
    assert_true(f & X86_FEATURE_BIT(X86_FEAT_LZCNT));
    assert_false(f & X86_FEATURE_BIT(X86_FEAT_SSE));
    assert_false(f & X86_FEATURE_BIT(X86_FEAT_AVX));
    assert_int_equal(x86_code_mode(HF_CS64_MASK | HF_CS32_MASK | HF_LMA_MASK), X86_MODE_64);
    assert_int_equal(x86_code_mode(HF_CS32_MASK | HF_PE_MASK), X86_MODE_32);
    assert_int_equal(x86_code_mode(0), X86_MODE_16);
}

static void test_mnemonic_names(void **state)
{
    assert_string_equal(x86_mnemonic_name(X86_MN_ADD), "ADD");
    assert_string_equal(x86_mnemonic_name(X86_MN_CMOVG), "CMOVG");
    assert_string_equal(x86_mnemonic_name(X86_MN__COUNT), "?");
    assert_int_equal(X86_MN_JO + 0xf, X86_MN_JG);
    assert_int_equal(X86_MN_SETO + 0x4, X86_MN_SETE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sib_memory_operand_has_base_index_scale_disp),
        cmocka_unit_test(test_rex_extends_sib_and_no_index_with_rsp),
        cmocka_unit_test(test_rip_relative_only_in_64bit_mode),
        cmocka_unit_test(test_16bit_addressing_bp_si_uses_ss),
        cmocka_unit_test(test_high_byte_registers_without_rex_only),
        cmocka_unit_test(test_immediates_are_extended_to_operand_size),
        cmocka_unit_test(test_relative_branch_targets_wrap_at_operand_size),
        cmocka_unit_test(test_default_64bit_operand_size_for_push),
        cmocka_unit_test(test_segment_overrides),
        cmocka_unit_test(test_string_rep_and_mandatory_prefixes),
        cmocka_unit_test(test_nop_pause_and_xchg_r8),
        cmocka_unit_test(test_control_registers_and_reserved_ones),
        cmocka_unit_test(test_mode_dependent_rows),
        cmocka_unit_test(test_lock_rules),
        cmocka_unit_test(test_features_gate_rows),
        cmocka_unit_test(test_vex_and_evex_are_ud_without_avx),
        cmocka_unit_test(test_x87_forms),
        cmocka_unit_test(test_length_limit_and_fetch_fault),
        cmocka_unit_test(test_memory_access_sizes_follow_the_sdm),
        cmocka_unit_test(test_features_from_cpuid_words),
        cmocka_unit_test(test_mnemonic_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
