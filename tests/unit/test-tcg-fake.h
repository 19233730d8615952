/*
 * test-tcg-fake.h: a tiny fake target for the TCG unit tests. Its CPU
 * state has a few i64 and i32 globals, a pc, a softmmu TLB and a helper
 * counter; guest RAM is a host buffer mapped at guest address 0, one MMIO
 * page sits at FAKE_MMIO_BASE, and anything else faults. Tests provide
 * the block body with fake_set_gen(); blocks are translated through the
 * real translation cache and run by either backend.
 */
#ifndef TEST_TCG_FAKE_H
#define TEST_TCG_FAKE_H

#include "vireo/common.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "tcg/tcg-op.h"
#include "tcg/tb.h"
#include "tcg/tlb.h"

#define FAKE_RAM_SIZE (64 * 1024)
#define FAKE_MMIO_BASE 0x100000u
#define FAKE_EXCP_PAGE_FAULT 14
#define FAKE_NB_G64 8
#define FAKE_NB_G32 4

typedef struct FakeEnv {
    uint64_t g64[FAKE_NB_G64];
    uint32_t g32[FAKE_NB_G32];
    uint64_t pc;
    uint32_t flags;
    uint64_t restored_data;
    uint64_t helper_calls;
    uint64_t mmio_last_addr, mmio_last_val;
    uint64_t fault_addr;
    int pending_excp;
    uint64_t scratch[32];
    TCGTLB tlb;
} FakeEnv;

typedef struct Fake {
    FakeEnv env;
    TCGCPU cpu;
    TCGContext *ctx;
    uint8_t *ram;
    TCGv_i64 g64[FAKE_NB_G64];
    TCGv_i32 g32[FAKE_NB_G32];
    TCGv_i64 pc;
    void (*gen)(TranslationBlock *tb);
    uint64_t slow_calls;
} Fake;

static Fake fake;

static G_GNUC_UNUSED int64_t fake_get_phys_code(void *env, uint64_t pc)
{
    if (pc >= FAKE_RAM_SIZE) {
        ((FakeEnv *)env)->pending_excp = FAKE_EXCP_PAGE_FAULT;
        fake.cpu.exception_index = FAKE_EXCP_PAGE_FAULT;
        return -1;
    }
    return pc;
}

static G_GNUC_UNUSED void fake_get_tb_cpu_state(void *env, uint64_t *pc, uint64_t *cs_base,
                                  uint32_t *flags)
{
    FakeEnv *e = env;
    *pc = e->pc;
    *cs_base = 0;
    *flags = e->flags;
}

static G_GNUC_UNUSED void fake_translate(void *env, TranslationBlock *tb)
{
    tb->size = 4;
    fake.gen(tb);
}

static G_GNUC_UNUSED int fake_handle_exception(void *env, TCGCPU *cpu)
{
    return cpu->exception_index;
}

static G_GNUC_UNUSED void fake_restore_state(void *env, TranslationBlock *tb, const uint64_t *d)
{
    FakeEnv *e = env;
    e->pc = d[0];
    e->restored_data = d[1];
}

/* Pages with code: drop the TLB so that writes refill with TLB_NOTDIRTY. */
static G_GNUC_UNUSED void fake_code_page_added(void *env, uint64_t page)
{
    tlb_flush(&((FakeEnv *)env)->tlb);
}

static unsigned fake_interrupt_polls;
static unsigned fake_exit_after;   /* request an exit after this many polls */

static G_GNUC_UNUSED bool fake_exec_interrupt(void *env, TCGCPU *cpu)
{
    if (++fake_interrupt_polls == fake_exit_after) {
        cpu->exit_request = 1;
    }
    return false;
}

static const TCGTargetHooks fake_hooks = {
    .get_tb_cpu_state = fake_get_tb_cpu_state,
    .get_phys_code = fake_get_phys_code,
    .translate = fake_translate,
    .handle_exception = fake_handle_exception,
    .restore_state = fake_restore_state,
    .code_page_added = fake_code_page_added,
    .exec_interrupt = fake_exec_interrupt,
};

/* Fills the TLB for RAM pages; MMIO is recorded; anything else faults. */
static G_GNUC_UNUSED bool fake_tlb_fill(FakeEnv *e, uint64_t addr, unsigned mmu_idx,
                          uintptr_t ra)
{
    if (addr < FAKE_RAM_SIZE) {
        tlb_set_page(&e->tlb, mmu_idx, addr, fake.ram + (addr & TCG_PAGE_MASK),
                     TLB_PROT_READ | TLB_PROT_WRITE | TLB_PROT_EXEC,
                     tb_page_has_code(addr) ? TLB_NOTDIRTY : 0);
        return true;
    }
    if ((addr & TCG_PAGE_MASK) == FAKE_MMIO_BASE) {
        return false;
    }
    e->fault_addr = addr;
    fake.cpu.exception_index = FAKE_EXCP_PAGE_FAULT;
    tcg_cpu_loop_exit_restore(&fake.cpu, ra);
}

static G_GNUC_UNUSED uint64_t fake_slow_ld(void *env, uint64_t addr, MemOpIdx oi, uintptr_t ra)
{
    FakeEnv *e = env;
    unsigned size = 1u << (get_memop(oi) & MO_SIZE);
    uint64_t v = 0;
    fake.slow_calls++;
    if (((addr + size - 1) & TCG_PAGE_MASK) != (addr & TCG_PAGE_MASK)) {
        for (unsigned i = 0; i < size; i++) {
            v |= fake_slow_ld(env, addr + i, make_memop_idx(MO_8, get_mmuidx(oi)),
                              ra) << (8 * i);
        }
        return v;
    }
    if (!fake_tlb_fill(e, addr, get_mmuidx(oi), ra)) {
        e->mmio_last_addr = addr;
        return 0x1122334455667788ull & (size == 8 ? ~0ull : (1ull << (8 * size)) - 1);
    }
    memcpy(&v, fake.ram + addr, size);
    return v;
}

static G_GNUC_UNUSED void fake_slow_st(void *env, uint64_t addr, uint64_t val, MemOpIdx oi,
                         uintptr_t ra)
{
    FakeEnv *e = env;
    unsigned size = 1u << (get_memop(oi) & MO_SIZE);
    fake.slow_calls++;
    if (((addr + size - 1) & TCG_PAGE_MASK) != (addr & TCG_PAGE_MASK)) {
        for (unsigned i = 0; i < size; i++) {
            fake_slow_st(env, addr + i, val >> (8 * i),
                         make_memop_idx(MO_8, get_mmuidx(oi)), ra);
        }
        return;
    }
    if (!fake_tlb_fill(e, addr, get_mmuidx(oi), ra)) {
        e->mmio_last_addr = addr;
        e->mmio_last_val = val;
        return;
    }
    if (tb_page_has_code(addr)) {
        tb_invalidate_phys_range(addr, addr + size);
    }
    memcpy(fake.ram + addr, &val, size);
}

/* Sets up context, cache and CPU for backend b. */
static G_GNUC_UNUSED void fake_init(TCGBackend b, size_t code_size)
{
    memset(&fake, 0, sizeof(fake));
    fake_interrupt_polls = 0;
    fake_exit_after = 0;
    fake.ram = g_malloc0(FAKE_RAM_SIZE);
    TCGTargetConfig cfg = {
        .tlb_offset = offsetof(FakeEnv, tlb),
        .cpu_offset = (intptr_t)offsetof(Fake, cpu) - (intptr_t)offsetof(Fake, env),
        .slow_ld = fake_slow_ld,
        .slow_st = fake_slow_st,
    };
    fake.ctx = tcg_context_new(&cfg, b);
    static const char *const n64[FAKE_NB_G64] = {
        "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7" };
    static const char *const n32[FAKE_NB_G32] = { "w0", "w1", "w2", "w3" };
    for (int i = 0; i < FAKE_NB_G64; i++) {
        fake.g64[i] = tcg_global_mem_new_i64(offsetof(FakeEnv, g64[i]), n64[i]);
    }
    for (int i = 0; i < FAKE_NB_G32; i++) {
        fake.g32[i] = tcg_global_mem_new_i32(offsetof(FakeEnv, g32[i]), n32[i]);
    }
    fake.pc = tcg_global_mem_new_i64(offsetof(FakeEnv, pc), "pc");
    GError *err = NULL;
    int r = tb_cache_init(code_size, false, &err);
    assert_int_equal(r, 0);
    tcg_cpu_init(&fake.cpu, &fake.env, &fake_hooks);
    tlb_flush(&fake.env.tlb);
}

static G_GNUC_UNUSED void fake_fini(void)
{
    tcg_cpu_destroy(&fake.cpu);
    tb_cache_destroy();
    tcg_context_free(fake.ctx);
    g_free(fake.ram);
}

static G_GNUC_UNUSED void fake_set_gen(void (*gen)(TranslationBlock *tb))
{
    fake.gen = gen;
}

/* Translates the current generator as a block at pc (and caches it). */
static G_GNUC_UNUSED TranslationBlock *fake_tb(uint64_t pc)
{
    return tb_gen_code(&fake.cpu, pc, 0, fake.env.flags, 64);
}

/* Translates and runs one block at pc once: the exit value. */
static G_GNUC_UNUSED uintptr_t fake_run(uint64_t pc)
{
    TranslationBlock *tb = fake_tb(pc);
    assert_non_null(tb);
    return tcg_tb_exec(&fake.env, tb);
}

static inline const char *backend_name(TCGBackend b)
{
    return b == TCG_BACKEND_JIT ? "jit" : "interp";
}

/* cmocka group set-ups: state points at the backend. */
static G_GNUC_UNUSED TCGBackend be_jit = TCG_BACKEND_JIT;
static G_GNUC_UNUSED TCGBackend be_interp = TCG_BACKEND_INTERP;

static G_GNUC_UNUSED int setup_backend(void **state)
{
    fake_init(*(TCGBackend *)*state, 4 * 1024 * 1024);
    return 0;
}

static G_GNUC_UNUSED int teardown_backend(void **state)
{
    fake_fini();
    return 0;
}

/* One cmocka test per backend, named "fn/jit" and "fn/interp". */
#define BOTH_BACKENDS(fn) \
    { #fn "/jit", fn, setup_backend, teardown_backend, &be_jit }, \
    { #fn "/interp", fn, setup_backend, teardown_backend, &be_interp }

/* Runs the tests, leaving out the JIT ones on hosts without a JIT. */
static G_GNUC_UNUSED int fake_run_tests(const char *group,
                                        const struct CMUnitTest *tests, size_t n)
{
    struct CMUnitTest *run = g_new(struct CMUnitTest, n);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (tcg_jit_available() || tests[i].initial_state != &be_jit) {
            run[k++] = tests[i];
        }
    }
    int r = _cmocka_run_group_tests(group, run, k, NULL, NULL);
    g_free(run);
    return r;
}

#endif
