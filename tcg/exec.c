/*
 * exec.c: the TCG execution loop. It asks the target for the state that
 * selects a block, finds or translates the block, chains the previous
 * block's exit to it, runs it, and interprets the value the block returns
 * (which exit it took). Guest exceptions raised in helpers unwind here by
 * siglongjmp (tcg_cpu_loop_exit); tcg_cpu_restore_state maps the helper's
 * return address back to the guest instruction first.
 */
#include "vireo/common.h"
#include "vireo/log.h"
#include "tcg/tb.h"
#include "tcg-internal.h"

__thread TCGCPU *current_tcg_cpu;

/*
 * Exclusive sections: a vCPU counts as running while it may be inside
 * generated code (cpu_exec_start .. cpu_exec_end). start_exclusive asks
 * the running ones to leave (exit_request, seen by tcg_gen_tb_start at
 * their next block) and waits until none runs; vCPUs wanting to run wait
 * until the section ends.
 */
static GMutex excl_lock;
static GCond excl_cond;
static int running_cpus;
static bool exclusive_pending;
static GPtrArray *running_list;

static void cpu_exec_start(TCGCPU *cpu)
{
    g_mutex_lock(&excl_lock);
    while (exclusive_pending) {
        g_cond_wait(&excl_cond, &excl_lock);
    }
    if (!running_list) {
        running_list = g_ptr_array_new();
    }
    g_ptr_array_add(running_list, cpu);
    cpu->running = true;
    running_cpus++;
    g_mutex_unlock(&excl_lock);
}

static void cpu_exec_end(TCGCPU *cpu)
{
    g_mutex_lock(&excl_lock);
    cpu->running = false;
    running_cpus--;
    g_ptr_array_remove_fast(running_list, cpu);
    g_cond_broadcast(&excl_cond);
    g_mutex_unlock(&excl_lock);
}

static void start_exclusive(void)
{
    g_mutex_lock(&excl_lock);
    while (exclusive_pending) {
        g_cond_wait(&excl_cond, &excl_lock);
    }
    exclusive_pending = true;
    while (running_cpus > 0) {
        for (guint i = 0; i < running_list->len; i++) {
            TCGCPU *other = g_ptr_array_index(running_list, i);
            __atomic_store_n(&other->exit_request, 1, __ATOMIC_RELEASE);
        }
        g_cond_wait(&excl_cond, &excl_lock);
    }
    g_mutex_unlock(&excl_lock);
}

static void end_exclusive(void)
{
    g_mutex_lock(&excl_lock);
    exclusive_pending = false;
    g_cond_broadcast(&excl_cond);
    g_mutex_unlock(&excl_lock);
}

bool tcg_exclusive_begin(TCGCPU *self)
{
    bool was_running = self && self->running;
    if (was_running) {
        cpu_exec_end(self);
    }
    start_exclusive();
    return was_running;
}

void tcg_exclusive_end(TCGCPU *self, bool was_running)
{
    end_exclusive();
    if (was_running) {
        cpu_exec_start(self);
    }
}

void tb_flush_safe(TCGCPU *self)
{
    bool was_running = tcg_exclusive_begin(self);
    tb_flush();
    tcg_exclusive_end(self, was_running);
}

uintptr_t tcg_tb_exec(void *env, TranslationBlock *tb)
{
    if (tb->backend == TCG_BACKEND_INTERP) {
        return tcg_interp_exec(env, tb->tc_ptr);
    }
    return tcg_code.tb_exec(env, tb->tc_ptr);
}

bool tcg_cpu_restore_state(TCGCPU *cpu, uintptr_t retaddr)
{
    uint32_t insn;
    TranslationBlock *tb = tb_search_pc(retaddr, &insn);
    if (!tb) {
        return false;
    }
    cpu->hooks->restore_state(cpu->env, tb, tb->insn_data[insn]);
    return true;
}

void tcg_cpu_loop_exit(TCGCPU *cpu)
{
    tcg_interp_retaddr = 0;
    siglongjmp(cpu->jmp_env, 1);
}

void tcg_cpu_loop_exit_restore(TCGCPU *cpu, uintptr_t retaddr)
{
    if (retaddr) {
        tcg_cpu_restore_state(cpu, retaddr);
    }
    tcg_cpu_loop_exit(cpu);
}

const void *tcg_helper_lookup_tb_ptr(void *env)
{
    TCGCPU *cpu = current_tcg_cpu;
    uint64_t pc, cs_base;
    uint32_t flags;
    if (!cpu || cpu->nochain || log_enabled(LOG_NOCHAIN)) {
        return tcg_code.epilogue_ret0;
    }
    cpu->slow_lookups++;
    cpu->hooks->get_tb_cpu_state(env, &pc, &cs_base, &flags);
    TranslationBlock *tb = tb_lookup(cpu, pc, cs_base, flags);
    if (!tb || tb->backend != tcg_ctx->backend || cpu->exit_request) {
        return tcg_code.epilogue_ret0;
    }
    return tb->tc_ptr;
}

/* Finds or makes the block for the current state: NULL on a fetch fault. */
static TranslationBlock *tb_find(TCGCPU *cpu)
{
    uint64_t pc, cs_base;
    uint32_t flags;
    cpu->hooks->get_tb_cpu_state(cpu->env, &pc, &cs_base, &flags);
    TranslationBlock *tb = tb_lookup(cpu, pc, cs_base, flags);
    if (!tb && cpu->exception_index < 0) {
        tb = tb_gen_code(cpu, pc, cs_base, flags, TCG_MAX_INSNS - 1);
    }
    if (tb && log_enabled(LOG_CPU) && cpu->hooks->dump_state && log_in_filter(pc)) {
        FILE *f = log_lock();
        cpu->hooks->dump_state(cpu->env, f);
        log_unlock();
    }
    if (tb && log_enabled(LOG_EXEC) && log_in_filter(pc)) {
        log_printf("Trace %p [0x%" PRIx64 "]\n", tb->tc_ptr, pc);
    }
    return tb;
}

/* Runs blocks until an exception, an interrupt or an exit request. */
static void cpu_exec_blocks(TCGCPU *cpu)
{
    TranslationBlock *last_tb = NULL;
    int last_exit = 0;
    bool nochain = cpu->nochain || log_enabled(LOG_NOCHAIN);

    while (cpu->exception_index < 0 && !cpu->exit_request) {
        if (cpu->hooks->exec_interrupt &&
            cpu->hooks->exec_interrupt(cpu->env, cpu)) {
            last_tb = NULL;
            continue;
        }
        if (cpu->exit_request) {
            return;
        }
        uint64_t flushes = tb_flush_count();
        TranslationBlock *tb = tb_find(cpu);
        if (!tb) {
            return;
        }
        if (last_tb && !nochain && flushes == tb_flush_count()) {
            tb_add_jump(last_tb, last_exit, tb);
        }
        uintptr_t ret = tcg_tb_exec(cpu->env, tb);
        last_tb = (TranslationBlock *)(ret & ~(uintptr_t)TB_EXIT_MASK);
        last_exit = ret & TB_EXIT_MASK;
        if (last_exit >= TB_EXIT_NOCHAIN) {
            last_tb = NULL;
        }
    }
}

/* The loop proper: runs until handle_exception or an exit request ends it. */
static int cpu_exec_loop(TCGCPU *cpu)
{
    for (;;) {
        if (cpu->exception_index >= 0) {
            int r = cpu->hooks->handle_exception(cpu->env, cpu);
            cpu->exception_index = -1;
            if (r >= 0) {
                current_tcg_cpu = NULL;
                return r;
            }
        }
        if (cpu->exit_request) {
            cpu->exit_request = 0;
            current_tcg_cpu = NULL;
            return TCG_EXEC_EXIT_REQUEST;
        }
        cpu_exec_start(cpu);
        cpu_exec_blocks(cpu);
        cpu_exec_end(cpu);
    }
}

int tcg_cpu_exec(TCGCPU *cpu_arg)
{
    TCGCPU *volatile cpu = cpu_arg;
    current_tcg_cpu = cpu;
    if (sigsetjmp(cpu->jmp_env, 0)) {
        /* unwound from a helper or a memory slow path */
        current_tcg_cpu = cpu;
        tcg_interp_retaddr = 0;
        if (cpu->running) {
            cpu_exec_end(cpu);
        }
    }
    return cpu_exec_loop(cpu);
}
