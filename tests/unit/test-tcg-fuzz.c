/*
 * test-tcg-fuzz.c: random IR programs run on the JIT and on the
 * interpreter, which must agree bit for bit on every global, on scratch
 * memory in env and on guest RAM. Programs mix every pure op (operands
 * drawn from globals, temps and edge constants such as 0, -1, INT_MIN and
 * shift counts at and past the width), env loads/stores, guest memory
 * through the TLB (including MMIO and page-crossing accesses), helper
 * calls, forward branches and counted loops; some programs fault in the
 * middle, and the state restored for the faulting instruction must match
 * too. A fixed seed keeps `make
 * check` reproducible and short; VIREO_CHECK_LONG=1 runs many more.
 */
#include "test-tcg-fake.h"
#include <stdio.h>
#include <stdlib.h>
#include "test-util.h"

#define NT 12  /* per-block temps of each type: more than the host registers */

static uint64_t rng;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static unsigned rndn(unsigned n)
{
    return rnd() % n;
}

static const uint64_t edges[] = {
    0, 1, 2, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 0x80, 0xff, 0x7fffffff,
    0x80000000, 0xffffffff, 0x100000000ull, 0x7fffffffffffffffull,
    0x8000000000000000ull, 0xffffffffffffffffull, 0xfffffffffffff000ull,
};

static uint64_t rnd_value(void)
{
    return rndn(3) ? edges[rndn(ARRAY_SIZE(edges))] : rnd();
}

typedef struct Pool {
    TCGTemp *t32[NT], *t64[NT];
} Pool;

static uint64_t helper_mix(uint64_t envp, uint64_t a)
{
    FakeEnv *e = (FakeEnv *)(uintptr_t)envp;
    e->g64[6] = e->g64[6] * 31 + a + e->g64[0];
    return e->g64[6] ^ e->g64[1];
}
static const TCGHelperInfo mix_info = {
    .func = (void *)helper_mix, .name = "mix", .flags = 0,
    .has_ret = true, .ret_type = TCG_TYPE_I64,
};

static uint32_t helper_pure(uint32_t a, uint64_t b)
{
    return a * 0x9e3779b9u + (uint32_t)(b >> 7);
}
static const TCGHelperInfo pure_info = {
    .func = (void *)helper_pure, .name = "pure", .flags = TCG_CALL_PURE,
    .has_ret = true, .ret_type = TCG_TYPE_I32,
};

/* A readable operand of type t: a temp, a global or a constant. */
static TCGTemp *pick_in(Pool *p, TCGType t)
{
    switch (rndn(4)) {
    case 0:
        return t == TCG_TYPE_I32 ? tcgv_i32_temp(fake.g32[rndn(FAKE_NB_G32)])
                                 : tcgv_i64_temp(fake.g64[rndn(6)]);
    case 1:
        return tcg_constant_internal(t, rnd_value());
    default:
        return t == TCG_TYPE_I32 ? p->t32[rndn(NT)] : p->t64[rndn(NT)];
    }
}

/* A writable operand of type t: a temp or a global. */
static TCGTemp *pick_out(Pool *p, TCGType t)
{
    if (rndn(3) == 0) {
        return t == TCG_TYPE_I32 ? tcgv_i32_temp(fake.g32[rndn(FAKE_NB_G32)])
                                 : tcgv_i64_temp(fake.g64[rndn(6)]);
    }
    return t == TCG_TYPE_I32 ? p->t32[rndn(NT)] : p->t64[rndn(NT)];
}

static TCGType arg_type(TCGOpcode opc, bool is_out)
{
    switch (opc) {
    case INDEX_op_ext_i32_i64: case INDEX_op_extu_i32_i64:
        return is_out ? TCG_TYPE_I64 : TCG_TYPE_I32;
    case INDEX_op_extrl_i64_i32: case INDEX_op_extrh_i64_i32:
        return is_out ? TCG_TYPE_I32 : TCG_TYPE_I64;
    default:
        return tcg_op_defs[opc].flags & TCG_OPF_64BIT ? TCG_TYPE_I64 : TCG_TYPE_I32;
    }
}

static bool op_is_pure(TCGOpcode opc)
{
    const TCGOpDef *def = &tcg_op_defs[opc];
    if (def->flags & (TCG_OPF_SIDE_EFFECTS | TCG_OPF_BB_END | TCG_OPF_NOT_PRESENT |
                      TCG_OPF_CALL_CLOBBER) || !def->nb_oargs) {
        return false;
    }
    return strncmp(def->name, "ld", 2) != 0;
}

static void gen_pure_op(Pool *p)
{
    static int pure_ops[NB_OPS], n_pure;
    if (!n_pure) {
        for (int i = 0; i < NB_OPS; i++) {
            if (op_is_pure(i)) {
                pure_ops[n_pure++] = i;
            }
        }
    }
    TCGOpcode opc = pure_ops[rndn(n_pure)];
    const TCGOpDef *def = &tcg_op_defs[opc];
    TCGArg a[TCG_MAX_OP_ARGS];
    int no = def->nb_oargs, ni = def->nb_iargs;
    for (int i = 0; i < no; i++) {
        a[i] = temp_arg(pick_out(p, arg_type(opc, true)));
    }
    if (no == 2 && a[0] == a[1]) {
        a[1] = temp_arg(arg_type(opc, true) == TCG_TYPE_I32 ? p->t32[0] : p->t64[0]);
        if (a[0] == a[1]) {
            a[1] = temp_arg(arg_type(opc, true) == TCG_TYPE_I32 ? p->t32[1] : p->t64[1]);
        }
    }
    for (int i = 0; i < ni; i++) {
        a[no + i] = temp_arg(pick_in(p, arg_type(opc, false)));
    }
    unsigned w = def->flags & TCG_OPF_64BIT ? 64 : 32;
    if (strstr(def->name, "cond")) {
        a[no + ni] = TCG_COND_EQ + rndn(TCG_COND_COUNT - TCG_COND_EQ);
    } else if (def->nb_cargs == 2) {
        unsigned len = 1 + rndn(w);
        a[no + ni] = rndn(w - len + 1);
        a[no + ni + 1] = len;
    }
    tcg_emit_op(opc, no + ni + def->nb_cargs, a);
}

static void gen_memory_op(Pool *p)
{
    TCGv_i64 addr = tcg_temp_new_i64();
    /* RAM (page-crossing accesses stay inside it), an aligned MMIO slot,
     * or now and then an unmapped page (a guest fault) */
    unsigned where = rndn(48);
    bool mmio = where < 6, fault = where == 6;
    tcg_gen_andi_i64(addr, temp_tcgv_i64(pick_in(p, TCG_TYPE_I64)),
                     mmio || fault ? 0xff0 : 0x7fff);
    if (mmio || fault) {
        tcg_gen_ori_i64(addr, addr, mmio ? FAKE_MMIO_BASE : 0x900000);
    }
    MemOp mop = rndn(8);
    unsigned mmu = rndn(TCG_NB_MMU_MODES);
    bool is64 = rndn(2);
    if (!is64 && (mop & MO_SIZE) == MO_64) {
        mop = MO_32;
    }
    if (rndn(2)) {
        if (is64) {
            tcg_gen_qemu_ld_i64(temp_tcgv_i64(pick_out(p, TCG_TYPE_I64)), addr, mmu, mop);
        } else {
            tcg_gen_qemu_ld_i32(temp_tcgv_i32(pick_out(p, TCG_TYPE_I32)), addr, mmu, mop);
        }
    } else if (is64) {
        tcg_gen_qemu_st_i64(temp_tcgv_i64(pick_in(p, TCG_TYPE_I64)), addr, mmu, mop);
    } else {
        tcg_gen_qemu_st_i32(temp_tcgv_i32(pick_in(p, TCG_TYPE_I32)), addr, mmu, mop);
    }
    tcg_temp_free_i64(addr);
}

static void gen_env_op(Pool *p)
{
    intptr_t off = offsetof(FakeEnv, scratch[rndn(16)]);
    static const TCGOpcode ld64[] = { INDEX_op_ld8u_i64, INDEX_op_ld8s_i64,
        INDEX_op_ld16u_i64, INDEX_op_ld16s_i64, INDEX_op_ld32u_i64,
        INDEX_op_ld32s_i64, INDEX_op_ld_i64 };
    static const TCGOpcode st[] = { INDEX_op_st8_i64, INDEX_op_st16_i64,
        INDEX_op_st32_i64, INDEX_op_st_i64, INDEX_op_st8_i32, INDEX_op_st16_i32,
        INDEX_op_st_i32 };
    static const TCGOpcode ld32[] = { INDEX_op_ld8u_i32, INDEX_op_ld8s_i32,
        INDEX_op_ld16u_i32, INDEX_op_ld16s_i32, INDEX_op_ld_i32 };
    switch (rndn(3)) {
    case 0:
        tcg_gen_op3(ld64[rndn(ARRAY_SIZE(ld64))], temp_arg(pick_out(p, TCG_TYPE_I64)),
                    tcgv_i64_arg(tcg_env), off);
        break;
    case 1:
        tcg_gen_op3(ld32[rndn(ARRAY_SIZE(ld32))], temp_arg(pick_out(p, TCG_TYPE_I32)),
                    tcgv_i64_arg(tcg_env), off);
        break;
    default: {
        TCGOpcode o = st[rndn(ARRAY_SIZE(st))];
        TCGType t = tcg_op_defs[o].flags & TCG_OPF_64BIT ? TCG_TYPE_I64 : TCG_TYPE_I32;
        tcg_gen_op3(o, temp_arg(pick_in(p, t)), tcgv_i64_arg(tcg_env), off);
        break;
    }
    }
}

static void gen_call_op(Pool *p)
{
    if (rndn(2)) {
        TCGTemp *args[] = { tcgv_i64_temp(tcg_env), pick_in(p, TCG_TYPE_I64) };
        tcg_gen_call(&mix_info, pick_out(p, TCG_TYPE_I64), 2, args);
    } else {
        TCGTemp *args[] = { pick_in(p, TCG_TYPE_I32), pick_in(p, TCG_TYPE_I64) };
        tcg_gen_call(&pure_info, pick_out(p, TCG_TYPE_I32), 2, args);
    }
}

static uint64_t insn_pc;

static void gen_simple(Pool *p)
{
    if (rndn(4) == 0) {
        insn_pc += 4;
        tcg_gen_insn_start(insn_pc, insn_pc * 3);
    }
    unsigned k = rndn(20);
    if (k < 14) {
        gen_pure_op(p);
    } else if (k < 16) {
        gen_memory_op(p);
    } else if (k < 18) {
        gen_env_op(p);
    } else {
        gen_call_op(p);
    }
}

static uint64_t prog_seed;
static int prog_len;

/* The random program for prog_seed (the same IR every time). */
#define EXCP_STOP 99

static void helper_stop(uint64_t env)
{
    fake.cpu.exception_index = EXCP_STOP;
    tcg_cpu_loop_exit(&fake.cpu);
}
static const TCGHelperInfo stop_info = {
    .func = (void *)helper_stop, .name = "stop", .flags = 0,
};

static void gen_program(TranslationBlock *tb)
{
    Pool p;
    if (tb->pc == 0x300) {
        TCGTemp *args[] = { tcgv_i64_temp(tcg_env) };
        tcg_gen_call(&stop_info, NULL, 1, args);
        tcg_gen_exit_tb(NULL, 0);
        return;
    }
    rng = prog_seed;
    insn_pc = 0;
    tcg_gen_insn_start(0, 0);
    for (int i = 0; i < NT; i++) {
        p.t32[i] = tcgv_i32_temp(tcg_temp_new_i32());
        p.t64[i] = tcgv_i64_temp(tcg_temp_new_i64());
        tcg_gen_mov_i32(temp_tcgv_i32(p.t32[i]), fake.g32[i % FAKE_NB_G32]);
        tcg_gen_mov_i64(temp_tcgv_i64(p.t64[i]), fake.g64[i % 6]);
    }
    TCGv_i64 counter = tcg_temp_new_i64();
    for (int n = 0; n < prog_len;) {
        unsigned k = rndn(10);
        int body = 1 + rndn(6);
        if (k == 0) {
            TCGLabel *l = gen_new_label();
            TCGType t = rndn(2) ? TCG_TYPE_I64 : TCG_TYPE_I32;
            TCGArg args[] = { temp_arg(pick_in(&p, t)), temp_arg(pick_in(&p, t)),
                              TCG_COND_EQ + rndn(TCG_COND_COUNT - TCG_COND_EQ),
                              label_arg(l) };
            tcg_emit_op(t == TCG_TYPE_I64 ? INDEX_op_brcond_i64 : INDEX_op_brcond_i32,
                        4, args);
            for (int i = 0; i < body; i++) {
                gen_simple(&p);
            }
            tcg_gen_set_label(l);
            n += body + 1;
        } else if (k == 1) {
            TCGLabel *top = gen_new_label();
            tcg_gen_movi_i64(counter, 1 + rndn(3));
            tcg_gen_set_label(top);
            for (int i = 0; i < body; i++) {
                gen_simple(&p);
            }
            tcg_gen_subi_i64(counter, counter, 1);
            tcg_gen_brcondi_i64(TCG_COND_NE, counter, 0, top);
            n += body + 2;
        } else {
            gen_simple(&p);
            n++;
        }
    }
    for (int i = 0; i < NT; i++) {
        tcg_gen_st_i32(temp_tcgv_i32(p.t32[i]), tcg_env, offsetof(FakeEnv, scratch[i]));
        tcg_gen_st_i64(temp_tcgv_i64(p.t64[i]), tcg_env,
                       offsetof(FakeEnv, scratch[16 + i]));
    }
    tcg_gen_movi_i64(fake.pc, 0x300);
    tcg_gen_exit_tb(NULL, 0);
}

typedef struct Result {
    int exit;          /* EXCP_STOP, or the fault */
    FakeEnv env;
    uint8_t ram[FAKE_RAM_SIZE];
} Result;

static void run_program(TCGBackend b, bool optimize, Result *r)
{
    fake_init(b, 256 * 1024);
    tcg_set_optimize(fake.ctx, optimize);
    rng = prog_seed * 0x2545f4914f6cdd1dull | 1;
    for (int i = 0; i < FAKE_NB_G64; i++) {
        fake.env.g64[i] = rnd_value();
    }
    for (int i = 0; i < FAKE_NB_G32; i++) {
        fake.env.g32[i] = rnd_value();
    }
    for (int i = 0; i < 32; i++) {
        fake.env.scratch[i] = rnd();
    }
    for (int i = 0; i < FAKE_RAM_SIZE; i += 8) {
        uint64_t v = rnd();
        memcpy(fake.ram + i, &v, 8);
    }
    fake_set_gen(gen_program);
    fake.env.pc = 0;
    r->exit = tcg_cpu_exec(&fake.cpu);
    r->env = fake.env;
    memset(&r->env.tlb, 0, sizeof(r->env.tlb));
    memcpy(r->ram, fake.ram, FAKE_RAM_SIZE);
    fake_fini();
}

static void report_mismatch(const Result *a, const Result *b)
{
    for (int i = 0; i < FAKE_NB_G64; i++) {
        if (a->env.g64[i] != b->env.g64[i]) {
            print_message("r%d: jit 0x%" PRIx64 " interp 0x%" PRIx64 "\n", i,
                          a->env.g64[i], b->env.g64[i]);
        }
    }
    for (int i = 0; i < FAKE_NB_G32; i++) {
        if (a->env.g32[i] != b->env.g32[i]) {
            print_message("w%d: jit 0x%x interp 0x%x\n", i, a->env.g32[i], b->env.g32[i]);
        }
    }
    for (int i = 0; i < 32; i++) {
        if (a->env.scratch[i] != b->env.scratch[i]) {
            print_message("scratch[%d]: jit 0x%" PRIx64 " interp 0x%" PRIx64 "\n", i,
                          a->env.scratch[i], b->env.scratch[i]);
        }
    }
    if (memcmp(a->ram, b->ram, FAKE_RAM_SIZE)) {
        print_message("guest RAM differs\n");
    }
    if (a->env.mmio_last_addr != b->env.mmio_last_addr ||
        a->env.mmio_last_val != b->env.mmio_last_val) {
        print_message("mmio: jit 0x%" PRIx64 "=0x%" PRIx64 " interp 0x%" PRIx64
                      "=0x%" PRIx64 "\n", a->env.mmio_last_addr, a->env.mmio_last_val,
                      b->env.mmio_last_addr, b->env.mmio_last_val);
    }
    fake_init(TCG_BACKEND_INTERP, 256 * 1024);
    tcg_func_start(fake.ctx);
    TranslationBlock tb = { 0 };
    gen_program(&tb);
    char *text = tcg_dump_ops_str(fake.ctx);
    print_message("program (seed %" PRIu64 "):\n%s", prog_seed, text);
    g_free(text);
    fake_fini();
}

static void test_fuzz_random_programs_jit_matches_interpreter(void **state)
{
    if (!tcg_jit_available()) {
        skip();
    }
    int count = long_run() ? 20000 : 1000;
    Result *a = g_new(Result, 1), *b = g_new(Result, 1);
    int faults = 0;
    for (int i = 0; i < count; i++) {
        prog_seed = 0x1234567ull + i * 0x9e3779b97f4a7c15ull;
        prog_len = 10 + i % 60;
        bool opt = i % 3 != 0;
        run_program(TCG_BACKEND_JIT, opt, a);
        run_program(TCG_BACKEND_INTERP, opt, b);
        faults += a->exit == FAKE_EXCP_PAGE_FAULT;
        if (a->exit != b->exit || memcmp(&a->env, &b->env, sizeof(a->env)) ||
            memcmp(a->ram, b->ram, FAKE_RAM_SIZE)) {
            report_mismatch(a, b);
            fail_msg("program %d (seed %" PRIu64 ", optimize %d) differs", i,
                     prog_seed, opt);
        }
    }
    assert_true(faults > 0);   /* precise faults were compared too */
    g_free(a);
    g_free(b);
}

static void test_fuzz_optimizer_preserves_semantics(void **state)
{
    Result *a = g_new(Result, 1), *b = g_new(Result, 1);
    for (int i = 0; i < 100; i++) {
        prog_seed = 0xabcdefull + i * 0x9e3779b97f4a7c15ull;
        prog_len = 10 + i % 50;
        run_program(TCG_BACKEND_INTERP, true, a);
        run_program(TCG_BACKEND_INTERP, false, b);
        if (a->exit != b->exit || memcmp(&a->env, &b->env, sizeof(a->env)) ||
            memcmp(a->ram, b->ram, FAKE_RAM_SIZE)) {
            report_mismatch(a, b);
            fail_msg("program %d (seed %" PRIu64 ") differs with the optimizer", i,
                     prog_seed);
        }
    }
    g_free(a);
    g_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fuzz_random_programs_jit_matches_interpreter),
        cmocka_unit_test(test_fuzz_optimizer_preserves_semantics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
