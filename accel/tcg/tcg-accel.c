/*
 * tcg-accel.c: the TCG accelerator (AccelOps "tcg"): the glue between the
 * vCPU thread (system/cpus.c), the target-independent execution loop and
 * translation cache (tcg/), and the x86 front end (target-x86/). init
 * parses "-accel tcg,backend=jit|interp" and creates the code buffer;
 * vcpu_init makes the thread's TCG context and the x86 IR globals;
 * vcpu_run runs tcg_cpu_exec until HLT, a triple fault or an exit request,
 * delivering external interrupts and NMIs at block boundaries (honouring
 * EFLAGS.IF and the STI / MOV SS shadow) through X86CPU.int_ack.
 */
#include "vireo/common.h"

#include <stdio.h>
#include <stdlib.h>
#include "vireo/error.h"
#include "vireo/log.h"
#include "accel/accel.h"
#include "system/machine.h"
#include "system/monitor.h"
#include "tcg/tb.h"
#include "tcg/tcg.h"
#include "target-x86/cpu.h"
#include "target-x86/helper.h"

#define TCG_CODE_BUFFER_SIZE (64 * MiB)

static TCGBackend tcg_backend = TCG_BACKEND_JIT;

/* Parses the text after "-accel tcg,": "backend=jit|interp" items. */
static int tcg_parse_opts(const char *opts, GError **errp)
{
    g_auto(GStrv) items = NULL;

#ifdef CONFIG_TCG_INTERPRETER_DEFAULT
    tcg_backend = TCG_BACKEND_INTERP;      /* ./configure --enable-tcg-interpreter */
#else
    tcg_backend = tcg_jit_available() ? TCG_BACKEND_JIT : TCG_BACKEND_INTERP;
#endif
    if (!opts || !*opts) {
        return 0;
    }
    items = g_strsplit(opts, ",", -1);
    for (int i = 0; items[i]; i++) {
        if (g_str_has_prefix(items[i], "backend=")) {
            if (tcg_backend_parse(items[i] + 8, &tcg_backend, errp) < 0) {
                return -1;
            }
            if (tcg_backend == TCG_BACKEND_JIT && !tcg_jit_available()) {
                error_setg(errp, "-accel tcg,backend=jit: no JIT backend for this host; "
                           "use backend=interp");
                return -1;
            }
        } else if (*items[i]) {
            error_setg(errp, "-accel tcg: unknown option '%s' (known: backend=jit|interp)",
                       items[i]);
            return -1;
        }
    }
    return 0;
}

/* Monitor "info jit": the translation cache and the translation cost. */
static void info_jit(Monitor *mon, void *opaque)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    fprintf(f, "backend             %s\n", tcg_backend == TCG_BACKEND_JIT ? "x86-64 JIT"
                                                                     : "IR interpreter");
    tb_dump_stats(f);
    fclose(f);
    monitor_printf(mon, "%s", buf);
    free(buf);
}

static int tcg_init(struct Machine *m, const char *opts, GError **errp)
{
    (void)m;
    if (tcg_parse_opts(opts, errp) < 0) {
        return -1;
    }
    monitor_register_info("jit", "the translation cache: blocks, code, chaining, cost",
                          info_jit, NULL);
    return tb_cache_init(TCG_CODE_BUFFER_SIZE, false, errp);
}

/* TCGTargetHooks.get_phys_code. */
static int64_t hook_get_phys_code(void *env, uint64_t pc)
{
    return x86_get_phys_code(env, pc);
}

/* TCGTargetHooks.code_page_added: writes to the page must see the code. */
static void hook_code_page_added(void *env, uint64_t phys_page)
{
    x86_tlb_code_page_added(env, phys_page);
}

/* TCGTargetHooks.dump_state: -d cpu. */
static void hook_dump_state(void *env, FILE *out)
{
    x86_cpu_dump_state(env, out);
}

static const TCGTargetHooks x86_tcg_hooks = {
    .dump_state = hook_dump_state,
    .get_tb_cpu_state = x86_get_tb_cpu_state,
    .get_phys_code = hook_get_phys_code,
    .translate = x86_translate_block,
    .exec_interrupt = x86_exec_interrupt,
    .handle_exception = x86_handle_exception,
    .restore_state = x86_restore_state,
    .code_page_added = hook_code_page_added,
};

static int tcg_vcpu_init(CPUState *cs, GError **errp)
{
    X86CPUState *env = x86_env(cs);
    TCGTargetConfig cfg = {
        .tlb_offset = offsetof(X86CPUState, tlb),
        .jmp_cache_offset = offsetof(X86CPUState, tcg_jmp_cache),
        .slow_ld = x86_slow_ld,
        .slow_st = x86_slow_st,
    };
    TCGCPU *tc;

    (void)errp;
    x86_cpuid_restrict_for_tcg(env);
    tcg_context_new(&cfg, tcg_backend);
    x86_translate_init();
    tc = g_new0(TCGCPU, 1);
    tcg_cpu_init(tc, env, &x86_tcg_hooks);
    env->tcg_jmp_cache = tc->jmp_cache;
    cs->accel = tc;
    tlb_flush(&env->tlb);
    return 0;
}

/* True when the halted CPU has an event that wakes it (SDM HLT). */
static bool halt_wakes(CPUState *cs, X86CPUState *env)
{
    int req = g_atomic_int_get(&cs->interrupt_request);

    return (req & CPU_INTERRUPT_NMI) ||
           ((req & CPU_INTERRUPT_HARD) && (env->eflags & IF_MASK));
}

static AccelExit tcg_vcpu_run(CPUState *cs)
{
    X86CPUState *env = x86_env(cs);
    TCGCPU *tc = cs->accel;
    int r;

    for (;;) {
        if (env->watch_hit) {
            env->watch_hit = false;
            return ACCEL_EXIT_DEBUG;
        }
        g_atomic_int_set(&env->tcg_exit_request, 0);
        tc->exit_request = 0;
        if (g_atomic_int_get(&cs->exit_request)) {
            return ACCEL_EXIT_NONE;
        }
        if (env->hflags & HF_HALTED_MASK) {
            if (!halt_wakes(cs, env)) {
                return ACCEL_EXIT_HALT;
            }
            env->hflags &= ~HF_HALTED_MASK;
        }
        env->old_exception = 0;
        r = tcg_cpu_exec(tc);
        switch (r) {
        case EXCP_HLT:
            return ACCEL_EXIT_HALT;
        case EXCP_SHUTDOWN:
            return ACCEL_EXIT_SHUTDOWN;
        case EXCP_DEBUG:
            return ACCEL_EXIT_DEBUG;
        default:
            break;
        }
    }
}

/* The state was reset or edited (reset, loader, gdbstub) while the vCPU
 * was paused: translations and TLB entries may be stale. */
static void tcg_sync_env_to_vcpu(CPUState *cs)
{
    X86CPUState *env = x86_env(cs);

    env->tcg_jmp_cache = ((TCGCPU *)cs->accel)->jmp_cache;
    tlb_flush(&env->tlb);
    tb_flush();
}

/*
 * Debugger breakpoints and watchpoints (the gdbstub, through
 * cpu_breakpoint_insert, with the vCPU stopped). Breakpoints are checked
 * as blocks are translated, so existing translations are dropped; the
 * TLB is flushed so that pages with watchpoints get TLB_WATCHPOINT and
 * their accesses take the slow path, which checks them.
 */
static int tcg_breakpoint_changed(CPUState *cs, int type, uint64_t addr, uint64_t len)
{
    X86CPUState *env = x86_env(cs);

    if (type < BP_SW || type > BP_WATCH_ACCESS ||
        (type >= BP_WATCH_WRITE && (len == 0 || len > TCG_PAGE_SIZE))) {
        return -1;
    }
    tlb_flush(&env->tlb);
    tb_flush();
    return 0;
}

static int tcg_insert_breakpoint(CPUState *cs, int type, uint64_t addr, uint64_t len)
{
    return tcg_breakpoint_changed(cs, type, addr, len);
}

static int tcg_remove_breakpoint(CPUState *cs, int type, uint64_t addr, uint64_t len)
{
    return tcg_breakpoint_changed(cs, type, addr, len);
}

/* gdb's single step: blocks carry X86_TB_FLAG_DEBUG_STEP while it is on,
 * so translations of the two kinds never mix. */
static void tcg_set_single_step(CPUState *cs, bool on)
{
    (void)cs;
    (void)on;
}

static void tcg_vcpu_kick(CPUState *cs)
{
    X86CPUState *env = x86_env(cs);
    TCGCPU *tc = cs->accel;

    g_atomic_int_set(&env->tcg_exit_request, 1);
    if (tc) {
        tc->exit_request = 1;
    }
}

const AccelOps tcg_accel_ops = {
    .name = "tcg",
    .init = tcg_init,
    .vcpu_init = tcg_vcpu_init,
    .vcpu_run = tcg_vcpu_run,
    .vcpu_kick = tcg_vcpu_kick,
    .sync_env_to_vcpu = tcg_sync_env_to_vcpu,
    .insert_breakpoint = tcg_insert_breakpoint,
    .remove_breakpoint = tcg_remove_breakpoint,
    .set_single_step = tcg_set_single_step,
};
