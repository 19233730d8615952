/*
 * tcg-eval.c: the reference semantics of every pure IR op, on 64-bit
 * values. The interpreter executes ops with these functions and the
 * optimizer folds constants with them, so the two can never disagree; the
 * JIT is checked against them by the fuzz test. i32 ops look only at the
 * low 32 bits of their inputs and return their result zero-extended.
 */
#include "vireo/common.h"
#include "tcg/tcg.h"

bool tcg_eval_cond(TCGCond c, uint64_t a, uint64_t b, bool is64)
{
    int64_t sa = is64 ? (int64_t)a : (int32_t)a;
    int64_t sb = is64 ? (int64_t)b : (int32_t)b;
    if (!is64) {
        a = (uint32_t)a;
        b = (uint32_t)b;
    }
    switch (c) {
    case TCG_COND_NEVER: return false;
    case TCG_COND_ALWAYS: return true;
    case TCG_COND_EQ: return a == b;
    case TCG_COND_NE: return a != b;
    case TCG_COND_LT: return sa < sb;
    case TCG_COND_GE: return sa >= sb;
    case TCG_COND_LE: return sa <= sb;
    case TCG_COND_GT: return sa > sb;
    case TCG_COND_LTU: return a < b;
    case TCG_COND_GEU: return a >= b;
    case TCG_COND_LEU: return a <= b;
    case TCG_COND_GTU: return a > b;
    default: g_assert_not_reached();
    }
}

static uint64_t bitmask(unsigned len)
{
    return len >= 64 ? ~0ull : (1ull << len) - 1;
}

static uint64_t rotl64(uint64_t x, unsigned n)
{
    n &= 63;
    return n ? (x << n) | (x >> (64 - n)) : x;
}

static uint32_t rotl32(uint32_t x, unsigned n)
{
    n &= 31;
    return n ? (x << n) | (x >> (32 - n)) : x;
}

/* Ops whose result does not depend on the width beyond truncation. */
static bool eval_common(TCGOpcode opc, uint64_t a, uint64_t b, uint64_t *r)
{
    switch (opc) {
    case INDEX_op_mov_i32: case INDEX_op_mov_i64: *r = a; break;
    case INDEX_op_add_i32: case INDEX_op_add_i64: *r = a + b; break;
    case INDEX_op_sub_i32: case INDEX_op_sub_i64: *r = a - b; break;
    case INDEX_op_neg_i32: case INDEX_op_neg_i64: *r = -a; break;
    case INDEX_op_mul_i32: case INDEX_op_mul_i64: *r = a * b; break;
    case INDEX_op_and_i32: case INDEX_op_and_i64: *r = a & b; break;
    case INDEX_op_or_i32: case INDEX_op_or_i64: *r = a | b; break;
    case INDEX_op_xor_i32: case INDEX_op_xor_i64: *r = a ^ b; break;
    case INDEX_op_not_i32: case INDEX_op_not_i64: *r = ~a; break;
    case INDEX_op_andc_i32: case INDEX_op_andc_i64: *r = a & ~b; break;
    case INDEX_op_orc_i32: case INDEX_op_orc_i64: *r = a | ~b; break;
    case INDEX_op_ext8s_i32: case INDEX_op_ext8s_i64: *r = (int64_t)(int8_t)a; break;
    case INDEX_op_ext8u_i32: case INDEX_op_ext8u_i64: *r = (uint8_t)a; break;
    case INDEX_op_ext16s_i32: case INDEX_op_ext16s_i64: *r = (int64_t)(int16_t)a; break;
    case INDEX_op_ext16u_i32: case INDEX_op_ext16u_i64: *r = (uint16_t)a; break;
    case INDEX_op_bswap16_i32: case INDEX_op_bswap16_i64:
        *r = __builtin_bswap16((uint16_t)a);
        break;
    case INDEX_op_bswap32_i32: case INDEX_op_bswap32_i64:
        *r = __builtin_bswap32((uint32_t)a);
        break;
    default:
        return false;
    }
    return true;
}

static uint64_t eval_i32(TCGOpcode opc, const uint64_t *in, const TCGArg *c)
{
    uint32_t a = in[0], b = in[1];
    switch (opc) {
    case INDEX_op_shl_i32: return a << (b & 31);
    case INDEX_op_shr_i32: return a >> (b & 31);
    case INDEX_op_sar_i32: return (uint32_t)((int32_t)a >> (b & 31));
    case INDEX_op_rotl_i32: return rotl32(a, b);
    case INDEX_op_rotr_i32: return rotl32(a, 32 - (b & 31));
    case INDEX_op_clz_i32: return a ? (uint32_t)__builtin_clz(a) : b;
    case INDEX_op_ctz_i32: return a ? (uint32_t)__builtin_ctz(a) : b;
    case INDEX_op_ctpop_i32: return __builtin_popcount(a);
    case INDEX_op_deposit_i32: {
        uint32_t m = bitmask(c[1]) << c[0];
        return (a & ~m) | ((b << c[0]) & m);
    }
    case INDEX_op_extract_i32: return (a >> c[0]) & bitmask(c[1]);
    case INDEX_op_sextract_i32:
        return (uint32_t)((int32_t)(a << (32 - c[0] - c[1])) >> (32 - c[1]));
    case INDEX_op_setcond_i32: return tcg_eval_cond(c[0], a, b, false);
    case INDEX_op_movcond_i32:
        return (uint32_t)(tcg_eval_cond(c[0], a, b, false) ? in[2] : in[3]);
    case INDEX_op_extrl_i64_i32: return (uint32_t)in[0];
    case INDEX_op_extrh_i64_i32: return in[0] >> 32;
    default: g_assert_not_reached();
    }
}

static uint64_t eval_i64(TCGOpcode opc, const uint64_t *in, const TCGArg *c)
{
    uint64_t a = in[0], b = in[1];
    switch (opc) {
    case INDEX_op_shl_i64: return a << (b & 63);
    case INDEX_op_shr_i64: return a >> (b & 63);
    case INDEX_op_sar_i64: return (uint64_t)((int64_t)a >> (b & 63));
    case INDEX_op_rotl_i64: return rotl64(a, b);
    case INDEX_op_rotr_i64: return rotl64(a, 64 - (b & 63));
    case INDEX_op_clz_i64: return a ? (uint64_t)__builtin_clzll(a) : b;
    case INDEX_op_ctz_i64: return a ? (uint64_t)__builtin_ctzll(a) : b;
    case INDEX_op_ctpop_i64: return __builtin_popcountll(a);
    case INDEX_op_deposit_i64: {
        uint64_t m = bitmask(c[1]) << c[0];
        return (a & ~m) | ((b << c[0]) & m);
    }
    case INDEX_op_extract_i64: return (a >> c[0]) & bitmask(c[1]);
    case INDEX_op_sextract_i64:
        return (uint64_t)((int64_t)(a << (64 - c[0] - c[1])) >> (64 - c[1]));
    case INDEX_op_setcond_i64: return tcg_eval_cond(c[0], a, b, true);
    case INDEX_op_movcond_i64:
        return tcg_eval_cond(c[0], a, b, true) ? in[2] : in[3];
    case INDEX_op_ext_i32_i64: return (int64_t)(int32_t)a;
    case INDEX_op_extu_i32_i64: return (uint32_t)a;
    case INDEX_op_ext32s_i64: return (int64_t)(int32_t)a;
    case INDEX_op_ext32u_i64: return (uint32_t)a;
    case INDEX_op_bswap64_i64: return __builtin_bswap64(a);
    default: g_assert_not_reached();
    }
}

uint64_t tcg_eval_op(TCGOpcode opc, const uint64_t *in, const TCGArg *cargs)
{
    bool is64 = tcg_op_defs[opc].flags & TCG_OPF_64BIT;
    uint64_t r;
    uint64_t b = tcg_op_defs[opc].nb_iargs > 1 ? in[1] : 0;
    if (eval_common(opc, in[0], b, &r)) {
        return is64 ? r : (uint32_t)r;
    }
    return is64 ? eval_i64(opc, in, cargs) : eval_i32(opc, in, cargs);
}

static void eval_mul2_i64(bool sign, uint64_t a, uint64_t b, uint64_t *out)
{
    if (sign) {
        __int128 p = (__int128)(int64_t)a * (int64_t)b;
        out[0] = (uint64_t)p;
        out[1] = (uint64_t)((unsigned __int128)p >> 64);
    } else {
        unsigned __int128 p = (unsigned __int128)a * b;
        out[0] = (uint64_t)p;
        out[1] = (uint64_t)(p >> 64);
    }
}

void tcg_eval_op2(TCGOpcode opc, const uint64_t *in, uint64_t *out)
{
    switch (opc) {
    case INDEX_op_mulu2_i32: {
        uint64_t p = (uint64_t)(uint32_t)in[0] * (uint32_t)in[1];
        out[0] = (uint32_t)p;
        out[1] = p >> 32;
        return;
    }
    case INDEX_op_muls2_i32: {
        int64_t p = (int64_t)(int32_t)in[0] * (int32_t)in[1];
        out[0] = (uint32_t)p;
        out[1] = (uint32_t)((uint64_t)p >> 32);
        return;
    }
    case INDEX_op_mulu2_i64: eval_mul2_i64(false, in[0], in[1], out); return;
    case INDEX_op_muls2_i64: eval_mul2_i64(true, in[0], in[1], out); return;
    case INDEX_op_add2_i32:
    case INDEX_op_sub2_i32: {
        uint64_t x = (uint32_t)in[0] | ((uint64_t)in[1] << 32);
        uint64_t y = (uint32_t)in[2] | ((uint64_t)in[3] << 32);
        uint64_t r = opc == INDEX_op_add2_i32 ? x + y : x - y;
        out[0] = (uint32_t)r;
        out[1] = r >> 32;
        return;
    }
    case INDEX_op_add2_i64:
    case INDEX_op_sub2_i64: {
        unsigned __int128 x = in[0] | ((unsigned __int128)in[1] << 64);
        unsigned __int128 y = in[2] | ((unsigned __int128)in[3] << 64);
        unsigned __int128 r = opc == INDEX_op_add2_i64 ? x + y : x - y;
        out[0] = (uint64_t)r;
        out[1] = (uint64_t)(r >> 64);
        return;
    }
    default:
        g_assert_not_reached();
    }
}
