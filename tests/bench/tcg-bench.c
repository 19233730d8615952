/*
 * tcg-bench.c: micro-benchmark of the TCG backends. Hand-built IR loops
 * (integer arithmetic, guest loads/stores through the TLB fast path, and
 * two blocks chained to each other) run on the JIT and on the interpreter;
 * it prints IR ops executed per second for each, side by side. Run by
 * tests/bench-tcg.sh.
 */
#include "vireo/common.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "tcg/tcg-op.h"
#include "tcg/tb.h"
#include "tcg/tlb.h"
#include "vireo/log.h"

#define RAM_SIZE (64 * 1024)
#define EXCP_DONE 1

typedef struct BenchEnv {
    uint64_t r[8];
    uint64_t pc;
    TCGTLB tlb;
} BenchEnv;

static BenchEnv env;
static TCGCPU cpu;
static uint8_t *ram;
static TCGv_i64 g[8], g_pc;
static uint64_t iterations;

static int64_t get_phys_code(void *e, uint64_t pc) { return pc; }
static void get_state(void *e, uint64_t *pc, uint64_t *cs, uint32_t *fl)
{
    *pc = env.pc;
    *cs = 0;
    *fl = 0;
}
static int handle_exception(void *e, TCGCPU *c) { return c->exception_index; }
static void restore_state(void *e, TranslationBlock *tb, const uint64_t *d) { }

static uint64_t slow_ld(void *e, uint64_t addr, MemOpIdx oi, uintptr_t ra)
{
    tlb_set_page(&env.tlb, get_mmuidx(oi), addr, ram + (addr & TCG_PAGE_MASK & (RAM_SIZE - 1)),
                 TLB_PROT_READ | TLB_PROT_WRITE, 0);
    uint64_t v = 0;
    memcpy(&v, ram + (addr & (RAM_SIZE - 1)), 1u << (get_memop(oi) & MO_SIZE));
    return v;
}

static void slow_st(void *e, uint64_t addr, uint64_t v, MemOpIdx oi, uintptr_t ra)
{
    tlb_set_page(&env.tlb, get_mmuidx(oi), addr, ram + (addr & TCG_PAGE_MASK & (RAM_SIZE - 1)),
                 TLB_PROT_READ | TLB_PROT_WRITE, 0);
    memcpy(ram + (addr & (RAM_SIZE - 1)), &v, 1u << (get_memop(oi) & MO_SIZE));
}

static void helper_done(uint64_t e)
{
    cpu.exception_index = EXCP_DONE;
    tcg_cpu_loop_exit(&cpu);
}
static const TCGHelperInfo done_info = { .func = (void *)helper_done, .name = "done" };

static void gen_done(void)
{
    TCGTemp *a[] = { tcgv_i64_temp(tcg_env) };
    tcg_gen_call(&done_info, NULL, 1, a);
    tcg_gen_exit_tb(NULL, 0);
}

/* Loop body: 24 ops of integer arithmetic on temps and globals. */
static void gen_arith_body(TCGv_i64 a, TCGv_i64 b, TCGv_i32 c)
{
    for (int k = 0; k < 3; k++) {
        tcg_gen_add_i64(a, a, g[1]);
        tcg_gen_xor_i64(b, b, a);
        tcg_gen_shli_i64(a, a, 3);
        tcg_gen_sub_i64(b, b, g[2]);
        tcg_gen_andi_i64(a, a, 0xffffff);
        tcg_gen_or_i64(g[3], a, b);
        tcg_gen_extrl_i64_i32(c, b);
        tcg_gen_addi_i32(c, c, 7);
    }
}

static int kind;   /* 0 arithmetic, 1 memory, 2 chained */

static void gen_loop(TranslationBlock *tb)
{
    TCGv_i64 a = tcg_temp_new_i64(), b = tcg_temp_new_i64(), addr = tcg_temp_new_i64();
    TCGv_i32 c = tcg_temp_new_i32();
    TCGLabel *top = gen_new_label();
    if (tb->pc == 0x300) {
        gen_done();
        return;
    }
    if (kind == 2) {
        tcg_gen_tb_start(tb);
        tcg_gen_mov_i64(a, g[4]);
        tcg_gen_mov_i64(b, g[5]);
        gen_arith_body(a, b, c);
        tcg_gen_mov_i64(g[4], a);
        tcg_gen_mov_i64(g[5], b);
        tcg_gen_subi_i64(g[0], g[0], 1);
        TCGLabel *out = gen_new_label();
        tcg_gen_brcondi_i64(TCG_COND_EQ, g[0], 0, out);
        tcg_gen_movi_i64(g_pc, tb->pc == 0x100 ? 0x200 : 0x100);
        tcg_gen_goto_tb(0);
        tcg_gen_exit_tb(tb, 0);
        tcg_gen_set_label(out);
        tcg_gen_movi_i64(g_pc, 0x300);
        tcg_gen_goto_tb(1);
        tcg_gen_exit_tb(tb, 1);
        tcg_gen_tb_end(tb);
        return;
    }
    tcg_gen_movi_i64(a, 1);
    tcg_gen_movi_i64(b, 2);
    tcg_gen_set_label(top);
    if (kind == 0) {
        gen_arith_body(a, b, c);
    } else {
        for (int k = 0; k < 4; k++) {
            tcg_gen_andi_i64(addr, a, 0x7ff8);
            tcg_gen_qemu_ld_i64(b, addr, 0, MO_UQ);
            tcg_gen_add_i64(b, b, g[1]);
            tcg_gen_qemu_st_i64(b, addr, 0, MO_UQ);
            tcg_gen_addi_i64(a, a, 8 * 17);
        }
    }
    tcg_gen_subi_i64(g[0], g[0], 1);
    tcg_gen_brcondi_i64(TCG_COND_NE, g[0], 0, top);
    tcg_gen_mov_i64(g[6], a);
    tcg_gen_mov_i64(g[7], b);
    tcg_gen_movi_i64(g_pc, 0x300);
    tcg_gen_exit_tb(NULL, 0);
}

static void translate(void *e, TranslationBlock *tb)
{
    tb->size = 4;
    gen_loop(tb);
}

static const TCGTargetHooks hooks = {
    .get_tb_cpu_state = get_state,
    .get_phys_code = get_phys_code,
    .translate = translate,
    .handle_exception = handle_exception,
    .restore_state = restore_state,
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* IR ops executed per loop iteration, per kind (counted from the IR). */
static const int ops_per_iter[3] = { 24 + 2, 4 * 5 + 2, 2 + 2 + 24 + 2 + 1 + 1 + 1 + 1 };

/* Runs kind on backend b: IR ops per second. */
static double run(int k, TCGBackend b, uint64_t n)
{
    TCGTargetConfig cfg = {
        .tlb_offset = offsetof(BenchEnv, tlb),
        .cpu_offset = (intptr_t)((char *)&cpu - (char *)&env),
        .slow_ld = slow_ld,
        .slow_st = slow_st,
    };
    TCGContext *s = tcg_context_new(&cfg, b);
    for (int i = 0; i < 8; i++) {
        static const char *const names[] = { "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7" };
        g[i] = tcg_global_mem_new_i64(offsetof(BenchEnv, r[i]), names[i]);
    }
    g_pc = tcg_global_mem_new_i64(offsetof(BenchEnv, pc), "pc");
    GError *err = NULL;
    if (tb_cache_init(16 * 1024 * 1024, false, &err) < 0) {
        fprintf(stderr, "tcg-bench: %s\n", err->message);
        exit(1);
    }
    memset(&env, 0, sizeof(env));
    memset(ram, 0, RAM_SIZE);
    tlb_flush(&env.tlb);
    tcg_cpu_init(&cpu, &env, &hooks);
    kind = k;
    env.r[0] = n;
    env.r[1] = 3;
    env.r[2] = 5;
    env.pc = 0x100;
    double t0 = now();
    int r = tcg_cpu_exec(&cpu);
    double t = now() - t0;
    if (r != EXCP_DONE) {
        fprintf(stderr, "tcg-bench: unexpected exit %d\n", r);
    }
    if (getenv("TCG_BENCH_VERBOSE")) {
        fprintf(stderr, "kind %d backend %d n %" PRIu64 ": %.3fs r3=%" PRIx64 " r4=%" PRIx64
                " r5=%" PRIx64 " r6=%" PRIx64 " r7=%" PRIx64 "\n", k, b, n, t, env.r[3],
                env.r[4], env.r[5], env.r[6], env.r[7]);
    }
    tcg_cpu_destroy(&cpu);
    tb_cache_destroy();
    tcg_context_free(s);
    iterations = n;
    return (double)ops_per_iter[k] * n / t;
}

/* Translation speed: blocks of the chained kind (about 30 ops) per second. */
static double translate_rate(TCGBackend b, int nblocks)
{
    TCGTargetConfig cfg = {
        .tlb_offset = offsetof(BenchEnv, tlb),
        .cpu_offset = (intptr_t)((char *)&cpu - (char *)&env),
        .slow_ld = slow_ld,
        .slow_st = slow_st,
    };
    TCGContext *s = tcg_context_new(&cfg, b);
    for (int i = 0; i < 8; i++) {
        static const char *const names[] = { "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7" };
        g[i] = tcg_global_mem_new_i64(offsetof(BenchEnv, r[i]), names[i]);
    }
    g_pc = tcg_global_mem_new_i64(offsetof(BenchEnv, pc), "pc");
    GError *err = NULL;
    if (tb_cache_init(16 * 1024 * 1024, false, &err) < 0) {
        fprintf(stderr, "tcg-bench: %s\n", err->message);
        exit(1);
    }
    tcg_cpu_init(&cpu, &env, &hooks);
    kind = 2;
    double t0 = now();
    for (int i = 0; i < nblocks; i++) {
        tb_gen_code(&cpu, 0x100 + (i % 2) * 0x100, 0, i, 1);
    }
    double t = now() - t0;
    tcg_cpu_destroy(&cpu);
    tb_cache_destroy();
    tcg_context_free(s);
    return nblocks / t;
}

int main(int argc, char **argv)
{
    static const char *const names[] = { "arith loop", "guest ld/st (TLB hit)",
                                         "chained blocks" };
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 20000000;
    ram = g_malloc0(RAM_SIZE);
    if (getenv("TCG_BENCH_LOG")) {
        vireo_log_mask = LOG_OP_OPT | LOG_OUT_ASM;
    }
    printf("%-24s %14s %14s %8s\n", "benchmark", "jit Mops/s", "interp Mops/s", "ratio");
    for (int k = 0; k < 3; k++) {
        uint64_t nk = k == 2 ? n / 4 : n;
        double j = tcg_jit_available() ? run(k, TCG_BACKEND_JIT, nk) : 0;
        double i = run(k, TCG_BACKEND_INTERP, getenv("TCG_BENCH_SAME_N") ? nk : nk / 8);
        printf("%-24s %14.1f %14.1f %7.1fx\n", names[k], j / 1e6, i / 1e6, j / i);
    }
    int nb = 20000;
    printf("%-24s %14.0f %14.0f   (blocks/s, ~36 ops each)\n", "translation",
           tcg_jit_available() ? translate_rate(TCG_BACKEND_JIT, nb) : 0,
           translate_rate(TCG_BACKEND_INTERP, nb));
    g_free(ram);
    return 0;
}
