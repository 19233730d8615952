/*
 * test-tcg-smp.c: two vCPU threads sharing one translation cache, each
 * with its own TCGContext, running long chains of blocks through a code
 * buffer so small that it fills again and again. Flushes must wait until
 * the other vCPU has left generated code (tb_flush_safe); every round's
 * result must still be exact. Runs on both backends.
 */
#include "vireo/common.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "tcg/tcg-op.h"
#include "tcg/tb.h"
#include "tcg/tlb.h"

#define NBLOCKS 1024
#define ROUNDS 6
#define EXCP_DONE 7

typedef struct SmpEnv {
    uint64_t r0;
    uint64_t count;
    uint64_t pc;
    TCGTLB tlb;
} SmpEnv;

typedef struct Vcpu {
    SmpEnv env;
    TCGCPU cpu;
    TCGv_i64 r0, pc;
    TCGBackend backend;
    bool ok;
} Vcpu;

static Vcpu *vcpu_of(void *env)
{
    return container_of((SmpEnv *)env, Vcpu, env);
}

static uint64_t no_slow_ld(void *env, uint64_t a, MemOpIdx oi, uintptr_t ra)
{
    return 0;
}

static void no_slow_st(void *env, uint64_t a, uint64_t v, MemOpIdx oi, uintptr_t ra)
{
}

static void helper_done(uint64_t envp)
{
    Vcpu *v = vcpu_of((void *)(uintptr_t)envp);
    v->cpu.exception_index = EXCP_DONE;
    tcg_cpu_loop_exit(&v->cpu);
}
static const TCGHelperInfo done_info = { .func = (void *)helper_done, .name = "done" };

static void smp_translate(void *env, TranslationBlock *tb)
{
    Vcpu *v = vcpu_of(env);
    tb->size = 4;
    tcg_gen_tb_start(tb);
    if (tb->pc >= NBLOCKS * 4) {
        TCGTemp *a[] = { tcgv_i64_temp(tcg_env) };
        tcg_gen_call(&done_info, NULL, 1, a);
        tcg_gen_exit_tb(NULL, 0);
    } else {
        for (int i = 0; i < 6; i++) {
            tcg_gen_addi_i64(v->r0, v->r0, tb->pc / 4 + i);
        }
        TCGv_i64 c = tcg_temp_new_i64();
        tcg_gen_ld_i64(c, tcg_env, offsetof(SmpEnv, count));
        tcg_gen_addi_i64(c, c, 1);
        tcg_gen_st_i64(c, tcg_env, offsetof(SmpEnv, count));
        tcg_gen_movi_i64(v->pc, tb->pc + 4);
        tcg_gen_goto_tb(0);
        tcg_gen_exit_tb(tb, 0);
    }
    tcg_gen_tb_end(tb);
}

static void smp_state(void *env, uint64_t *pc, uint64_t *cs, uint32_t *flags)
{
    *pc = ((SmpEnv *)env)->pc;
    *cs = 0;
    *flags = 0;
}

static int64_t smp_phys(void *env, uint64_t pc) { return pc; }
static int smp_excp(void *env, TCGCPU *cpu) { return cpu->exception_index; }
static void smp_restore(void *env, TranslationBlock *tb, const uint64_t *d) { }

static const TCGTargetHooks smp_hooks = {
    .get_tb_cpu_state = smp_state,
    .get_phys_code = smp_phys,
    .translate = smp_translate,
    .handle_exception = smp_excp,
    .restore_state = smp_restore,
};

static gpointer vcpu_thread(gpointer data)
{
    Vcpu *v = data;
    TCGTargetConfig cfg = {
        .tlb_offset = offsetof(SmpEnv, tlb),
        .cpu_offset = (intptr_t)offsetof(Vcpu, cpu) - (intptr_t)offsetof(Vcpu, env),
        .slow_ld = no_slow_ld, .slow_st = no_slow_st,
    };
    TCGContext *s = tcg_context_new(&cfg, v->backend);
    v->r0 = tcg_global_mem_new_i64(offsetof(SmpEnv, r0), "r0");
    v->pc = tcg_global_mem_new_i64(offsetof(SmpEnv, pc), "pc");
    tcg_cpu_init(&v->cpu, &v->env, &smp_hooks);
    uint64_t want = 0;
    for (uint64_t pc = 0; pc < NBLOCKS * 4; pc += 4) {
        for (int i = 0; i < 6; i++) {
            want += pc / 4 + i;
        }
    }
    v->ok = true;
    for (int round = 0; round < ROUNDS; round++) {
        v->env.r0 = 0;
        v->env.pc = 0;
        v->env.count = 0;
        int r;
        while ((r = tcg_cpu_exec(&v->cpu)) == TCG_EXEC_EXIT_REQUEST) {
            /* kicked for another vCPU's flush: just go on */
        }
        if (r != EXCP_DONE || v->env.r0 != want) {
            print_message("round %d: exit %d, r0 0x%" PRIx64 " (want 0x%" PRIx64
                          ") count %" PRIu64 "\n", round, r, v->env.r0, want,
                          v->env.count);
            v->ok = false;
        }
    }
    tcg_cpu_destroy(&v->cpu);
    tcg_context_free(s);
    return NULL;
}

static void run_two_vcpus(TCGBackend b)
{
    if (b == TCG_BACKEND_JIT && !tcg_jit_available()) {
        skip();
    }
    GError *err = NULL;
    assert_int_equal(tb_cache_init(96 * 1024, false, &err), 0);
    Vcpu *v = g_new0(Vcpu, 2);
    GThread *t[2];
    for (int i = 0; i < 2; i++) {
        v[i].backend = b;
        tlb_flush(&v[i].env.tlb);
        t[i] = g_thread_new("vcpu", vcpu_thread, &v[i]);
    }
    for (int i = 0; i < 2; i++) {
        g_thread_join(t[i]);
    }
    TBStats st;
    tb_get_stats(&st);
    assert_true(v[0].ok);
    assert_true(v[1].ok);
    assert_true(st.flushes >= 2);
    g_free(v);
    tb_cache_destroy();
}

static void test_two_vcpus_share_the_cache_through_repeated_flushes_jit(void **state)
{
    run_two_vcpus(TCG_BACKEND_JIT);
}

static void test_two_vcpus_share_the_cache_through_repeated_flushes_interp(void **state)
{
    run_two_vcpus(TCG_BACKEND_INTERP);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_vcpus_share_the_cache_through_repeated_flushes_jit),
        cmocka_unit_test(test_two_vcpus_share_the_cache_through_repeated_flushes_interp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
