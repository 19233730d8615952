/*
 * test-tcg-ops.c: every pure IR op at edge values (0, -1, INT_MIN, shift
 * counts at and past the width, ...) on both backends. Known answers are
 * checked by hand for a table of cases; then every op is run over a grid
 * of edge values, with inputs in temps and as constants, and compared with
 * the reference semantics (tcg_eval_op) that the interpreter also uses.
 */
#include "test-tcg-fake.h"
#ifdef CONFIG_TCG_JIT_X86_64
#include "tcg/x86_64.h"
#endif

typedef struct OpCase {
    TCGOpcode opc;
    uint64_t in[4];
    TCGArg c[2];
    uint64_t out[2];
} OpCase;

static TCGType arg_type(TCGOpcode opc, int i, int nb_oargs)
{
    bool is_out = i < nb_oargs;
    switch (opc) {
    case INDEX_op_ext_i32_i64:
    case INDEX_op_extu_i32_i64:
        return is_out ? TCG_TYPE_I64 : TCG_TYPE_I32;
    case INDEX_op_extrl_i64_i32:
    case INDEX_op_extrh_i64_i32:
        return is_out ? TCG_TYPE_I32 : TCG_TYPE_I64;
    default:
        return tcg_op_defs[opc].flags & TCG_OPF_64BIT ? TCG_TYPE_I64 : TCG_TYPE_I32;
    }
}

static struct {
    TCGOpcode opc;
    uint64_t in[4];
    TCGArg c[2];
    unsigned const_mask;
} cur;

/* Block: inputs from globals (or constants), op, outputs to g64[4..5]. */
static void gen_one_op(TranslationBlock *tb)
{
    const TCGOpDef *def = &tcg_op_defs[cur.opc];
    int no = def->nb_oargs, ni = def->nb_iargs;
    TCGArg args[TCG_MAX_OP_ARGS];
    for (int i = 0; i < ni; i++) {
        TCGType t = arg_type(cur.opc, no + i, no);
        TCGTemp *tmp;
        if (cur.const_mask & (1u << i)) {
            tmp = tcg_constant_internal(t, cur.in[i]);
        } else if (t == TCG_TYPE_I64) {
            TCGv_i64 v = tcg_temp_new_i64();
            tcg_gen_mov_i64(v, fake.g64[i]);
            tmp = tcgv_i64_temp(v);
        } else {
            TCGv_i32 v = tcg_temp_new_i32();
            tcg_gen_mov_i32(v, fake.g32[i]);
            tmp = tcgv_i32_temp(v);
        }
        args[no + i] = temp_arg(tmp);
    }
    TCGTemp *outs[2];
    for (int i = 0; i < no; i++) {
        outs[i] = arg_type(cur.opc, i, no) == TCG_TYPE_I64
                  ? tcgv_i64_temp(tcg_temp_new_i64())
                  : tcgv_i32_temp(tcg_temp_new_i32());
        args[i] = temp_arg(outs[i]);
    }
    for (int i = 0; i < def->nb_cargs; i++) {
        args[no + ni + i] = cur.c[i];
    }
    tcg_emit_op(cur.opc, no + ni + def->nb_cargs, args);
    for (int i = 0; i < no; i++) {
        if (outs[i]->type == TCG_TYPE_I64) {
            tcg_gen_mov_i64(fake.g64[4 + i], temp_tcgv_i64(outs[i]));
        } else {
            tcg_gen_extu_i32_i64(fake.g64[4 + i], temp_tcgv_i32(outs[i]));
        }
    }
    tcg_gen_exit_tb(NULL, 0);
}

/* Runs op on the current backend; results in out[0..1]. */
static void run_op(TCGOpcode opc, const uint64_t *in, const TCGArg *c,
                   unsigned const_mask, uint64_t *out)
{
    cur.opc = opc;
    memcpy(cur.in, in, sizeof(cur.in));
    cur.c[0] = c[0];
    cur.c[1] = c[1];
    cur.const_mask = const_mask;
    for (int i = 0; i < 4; i++) {
        fake.env.g64[i] = in[i];
        fake.env.g32[i] = in[i];
    }
    fake.env.g64[4] = fake.env.g64[5] = 0x5a5a5a5a5a5a5a5aull;
    fake_set_gen(gen_one_op);
    fake.env.pc += 4;
    assert_int_equal(fake_run(fake.env.pc & 0xfff), 0);
    out[0] = fake.env.g64[4];
    out[1] = fake.env.g64[5];
}

#define I32MIN 0x80000000ull
#define I64MIN 0x8000000000000000ull
#define M1 0xffffffffffffffffull
#define M1_32 0xffffffffull

static const OpCase known[] = {
    { INDEX_op_add_i32, { M1_32, 1 }, {0}, { 0 } },
    { INDEX_op_sub_i64, { 0, 1 }, {0}, { M1 } },
    { INDEX_op_neg_i32, { I32MIN }, {0}, { I32MIN } },
    { INDEX_op_mul_i64, { I64MIN, M1 }, {0}, { I64MIN } },
    { INDEX_op_mulu2_i64, { M1, M1 }, {0}, { 1, M1 - 1 } },
    { INDEX_op_muls2_i64, { M1, M1 }, {0}, { 1, 0 } },
    { INDEX_op_mulu2_i32, { M1_32, M1_32 }, {0}, { 1, M1_32 - 1 } },
    { INDEX_op_muls2_i32, { I32MIN, M1_32 }, {0}, { I32MIN, 0 } },
    { INDEX_op_add2_i64, { M1, 0, 1, 0 }, {0}, { 0, 1 } },
    { INDEX_op_sub2_i64, { 0, 0, 1, 0 }, {0}, { M1, M1 } },
    { INDEX_op_add2_i32, { M1_32, 5, 1, 0 }, {0}, { 0, 6 } },
    { INDEX_op_sub2_i32, { 0, 5, 1, 0 }, {0}, { M1_32, 4 } },
    { INDEX_op_andc_i32, { 0xff, 0x0f }, {0}, { 0xf0 } },
    { INDEX_op_orc_i64, { 0, M1 }, {0}, { 0 } },
    { INDEX_op_shl_i32, { 1, 32 }, {0}, { 1 } },
    { INDEX_op_shl_i32, { 1, 31 }, {0}, { I32MIN } },
    { INDEX_op_shl_i64, { 1, 64 }, {0}, { 1 } },
    { INDEX_op_shl_i64, { 1, 65 }, {0}, { 2 } },
    { INDEX_op_shr_i32, { I32MIN, 33 }, {0}, { 0x40000000 } },
    { INDEX_op_sar_i32, { I32MIN, 31 }, {0}, { M1_32 } },
    { INDEX_op_sar_i64, { I64MIN, 63 }, {0}, { M1 } },
    { INDEX_op_rotl_i32, { I32MIN, 1 }, {0}, { 1 } },
    { INDEX_op_rotr_i64, { 1, 1 }, {0}, { I64MIN } },
    { INDEX_op_rotr_i32, { 1, 32 }, {0}, { 1 } },
    { INDEX_op_ext8s_i32, { 0x80 }, {0}, { 0xffffff80 } },
    { INDEX_op_ext8s_i64, { 0x17f }, {0}, { 0x7f } },
    { INDEX_op_ext16s_i64, { 0x8000 }, {0}, { 0xffffffffffff8000ull } },
    { INDEX_op_ext16u_i32, { 0x12345678 }, {0}, { 0x5678 } },
    { INDEX_op_ext32s_i64, { 0x80000000 }, {0}, { 0xffffffff80000000ull } },
    { INDEX_op_ext_i32_i64, { 0xffffffff }, {0}, { M1 } },
    { INDEX_op_extu_i32_i64, { 0xffffffff }, {0}, { 0xffffffff } },
    { INDEX_op_extrh_i64_i32, { 0x123456789abcdef0ull }, {0}, { 0x12345678 } },
    { INDEX_op_extrl_i64_i32, { 0x123456789abcdef0ull }, {0}, { 0x9abcdef0 } },
    { INDEX_op_bswap16_i32, { 0x12345678 }, {0}, { 0x7856 } },
    { INDEX_op_bswap32_i64, { 0xff12345678ull }, {0}, { 0x78563412 } },
    { INDEX_op_bswap64_i64, { 0x0102030405060708ull }, {0}, { 0x0807060504030201ull } },
    { INDEX_op_deposit_i32, { 0xffffffff, 0, }, { 8, 8 }, { 0xffff00ff } },
    { INDEX_op_deposit_i64, { 0, M1 }, { 63, 1 }, { I64MIN } },
    { INDEX_op_extract_i32, { 0x12345678 }, { 4, 8 }, { 0x67 } },
    { INDEX_op_sextract_i64, { 0x80 }, { 4, 4 }, { 0xfffffffffffffff8ull } },
    { INDEX_op_sextract_i32, { 0x12345678 }, { 0, 32 }, { 0x12345678 } },
    { INDEX_op_clz_i32, { 0, 99 }, {0}, { 99 } },
    { INDEX_op_clz_i32, { 1, 99 }, {0}, { 31 } },
    { INDEX_op_clz_i64, { I64MIN, 99 }, {0}, { 0 } },
    { INDEX_op_ctz_i64, { I64MIN, 99 }, {0}, { 63 } },
    { INDEX_op_ctz_i32, { 0, 32 }, {0}, { 32 } },
    { INDEX_op_ctpop_i64, { M1 }, {0}, { 64 } },
    { INDEX_op_ctpop_i32, { 0xf0f0 }, {0}, { 8 } },
    { INDEX_op_setcond_i32, { I32MIN, 0 }, { TCG_COND_LT }, { 1 } },
    { INDEX_op_setcond_i32, { I32MIN, 0 }, { TCG_COND_LTU }, { 0 } },
    { INDEX_op_setcond_i64, { M1, 1 }, { TCG_COND_GTU }, { 1 } },
    { INDEX_op_setcond_i64, { M1, 1 }, { TCG_COND_GT }, { 0 } },
    { INDEX_op_movcond_i64, { 1, 2, 10, 20 }, { TCG_COND_LE }, { 10 } },
    { INDEX_op_movcond_i32, { 3, 2, 10, 20 }, { TCG_COND_LE }, { 20 } },
};

static void test_ops_known_answers(void **state)
{
    for (size_t k = 0; k < ARRAY_SIZE(known); k++) {
        const OpCase *c = &known[k];
        const TCGOpDef *def = &tcg_op_defs[c->opc];
        uint64_t out[2];
        run_op(c->opc, c->in, c->c, 0, out);
        for (int i = 0; i < def->nb_oargs; i++) {
            if (out[i] != c->out[i]) {
                fail_msg("%s case %zu out%d: got 0x%" PRIx64 " want 0x%" PRIx64,
                         def->name, k, i, out[i], c->out[i]);
            }
        }
    }
}

static const uint64_t edges[] = {
    0, 1, M1, I32MIN, 0x7fffffff, I64MIN, 0x7fffffffffffffffull, 0x80,
    31, 32, 33, 63, 64, 0x123456789abcdef0ull,
};

/* True for the ops this test covers: pure, one or two outputs. */
static bool op_is_pure(TCGOpcode opc)
{
    const TCGOpDef *def = &tcg_op_defs[opc];
    if (def->flags & (TCG_OPF_SIDE_EFFECTS | TCG_OPF_BB_END | TCG_OPF_NOT_PRESENT |
                      TCG_OPF_CALL_CLOBBER) || !def->nb_oargs) {
        return false;
    }
    const char *n = def->name;
    return strncmp(n, "ld", 2) != 0 && opc != INDEX_op_mov_i32 &&
           opc != INDEX_op_mov_i64;
}

/* Constant-argument combinations worth testing for op. */
static int cargs_for(TCGOpcode opc, TCGArg (*c)[2])
{
    int w = tcg_op_defs[opc].flags & TCG_OPF_64BIT ? 64 : 32;
    const char *n = tcg_op_defs[opc].name;
    int k = 0;
    if (strstr(n, "setcond") || strstr(n, "movcond")) {
        for (int cond = TCG_COND_EQ; cond < TCG_COND_COUNT; cond++) {
            c[k][0] = cond;
            c[k++][1] = 0;
        }
        return k;
    }
    if (strstr(n, "deposit") || strstr(n, "extract")) {
        static const int pl[][2] = { {0, 1}, {0, 8}, {8, 8}, {0, 16}, {4, 12},
                                     {16, 16}, {1, 30} };
        for (size_t i = 0; i < ARRAY_SIZE(pl); i++) {
            c[k][0] = pl[i][0];
            c[k++][1] = pl[i][1];
        }
        c[k][0] = 0; c[k++][1] = w;
        c[k][0] = w - 1; c[k++][1] = 1;
        c[k][0] = 1; c[k++][1] = w - 1;
        if (w == 64) {
            c[k][0] = 32; c[k++][1] = 32;
            c[k][0] = 20; c[k++][1] = 40;
        }
        return k;
    }
    c[0][0] = c[0][1] = 0;
    return 1;
}

static void check_op_grid(TCGOpcode opc, unsigned const_mask)
{
    const TCGOpDef *def = &tcg_op_defs[opc];
    TCGArg cs[16][2];
    int ncs = cargs_for(opc, cs);
    int ni = def->nb_iargs;
    size_t ne = ARRAY_SIZE(edges);
    unsigned seed = opc * 7919u;
    for (int ci = 0; ci < ncs; ci++) {
        size_t combos = ni == 1 ? ne : ne * ne;
        for (size_t x = 0; x < combos; x += (ncs > 4 ? 3 : 1)) {
            uint64_t in[4] = { edges[x % ne], edges[(x / ne) % ne], 0, 0 };
            seed = seed * 1103515245u + 12345u;
            in[2] = edges[(seed >> 8) % ne];
            in[3] = edges[(seed >> 20) % ne];
            uint64_t want[2] = { 0, 0 }, got[2];
            if (def->nb_oargs == 2) {
                tcg_eval_op2(opc, in, want);
            } else {
                want[0] = tcg_eval_op(opc, in, cs[ci]);
            }
            run_op(opc, in, cs[ci], const_mask & ((1u << ni) - 1), got);
            for (int i = 0; i < def->nb_oargs; i++) {
                if (got[i] != want[i]) {
                    fail_msg("%s(0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64
                             ", 0x%" PRIx64 "; c=%lu,%lu) consts=%x out%d: got 0x%"
                             PRIx64 " want 0x%" PRIx64, def->name, in[0], in[1],
                             in[2], in[3], (unsigned long)cs[ci][0],
                             (unsigned long)cs[ci][1], const_mask, i, got[i], want[i]);
                }
            }
        }
    }
}

static void test_ops_edge_values_match_reference(void **state)
{
    for (int opc = 0; opc < NB_OPS; opc++) {
        if (op_is_pure(opc)) {
            check_op_grid(opc, 0);
        }
    }
}

static void test_ops_constant_operands_match_reference(void **state)
{
    tcg_set_optimize(fake.ctx, false);
    for (int opc = 0; opc < NB_OPS; opc++) {
        if (op_is_pure(opc) && tcg_op_defs[opc].nb_iargs >= 2) {
            check_op_grid(opc, 2);
        }
    }
    tcg_set_optimize(fake.ctx, true);
}

#ifdef CONFIG_TCG_JIT_X86_64
static void test_ctpop_without_popcnt_calls_out_and_matches(void **state)
{
    bool had = tcg_host_has_popcnt;
    tcg_host_has_popcnt = false;
    check_op_grid(INDEX_op_ctpop_i32, 0);
    check_op_grid(INDEX_op_ctpop_i64, 0);
    tcg_host_has_popcnt = had;
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH_BACKENDS(test_ops_known_answers),
        BOTH_BACKENDS(test_ops_edge_values_match_reference),
        BOTH_BACKENDS(test_ops_constant_operands_match_reference),
#ifdef CONFIG_TCG_JIT_X86_64
        { "test_ctpop_without_popcnt_calls_out_and_matches",
          test_ctpop_without_popcnt_calls_out_and_matches, setup_backend,
          teardown_backend, &be_jit },
#endif
    };
    return fake_run_tests("tcg-ops", tests, ARRAY_SIZE(tests));
}
