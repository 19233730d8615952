/*
 * cpus.c: the vCPU thread and the accelerator-independent vCPU controls
 * (see system/cpu.h). The thread loops: wait while paused, wait while
 * halted with no interrupt pending, otherwise run guest code through the
 * accelerator without the BQL, and act on why it returned.
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "vireo/log.h"
#include "system/bql.h"
#include "system/cpu.h"
#include "system/cpus.h"
#include "system/machine.h"
#include "system/runstate.h"
#include "target-x86/cpu.h"
#include "hw/clock.h"

#include <sys/syscall.h>
#include <unistd.h>

void cpu_interrupt(CPUState *cs, int mask)
{
    g_atomic_int_or(&cs->interrupt_request, mask);
    cpu_kick(cs);
}

void cpu_reset_interrupt(CPUState *cs, int mask)
{
    g_atomic_int_and(&cs->interrupt_request, ~mask);
}

void cpu_kick(CPUState *cs)
{
    Machine *m = cs->machine;
    g_atomic_int_set(&cs->exit_request, 1);
    if (m && m->accel && m->accel->vcpu_kick) {
        m->accel->vcpu_kick(cs);
    }
    g_cond_broadcast(&cs->cond);
}

static void (*debug_handler)(CPUState *cs);

void cpus_set_debug_handler(void (*fn)(CPUState *cs))
{
    debug_handler = fn;
}

/* The vCPU stopped for the debugger: park it, stop the clock, tell gdb. */
static void cpu_debug_stop(CPUState *cs)
{
    cs->stop = true;
    if (runstate_get() == RUN_STATE_RUNNING) {
        clock_stop();
        runstate_set(RUN_STATE_PAUSED);
        vm_event_emit(VM_EVENT_STOP, false, NULL);
    }
    if (debug_handler) {
        debug_handler(cs);
    }
}

static bool bp_equal(const CPUBreakpoint *a, int type, uint64_t addr, uint64_t len)
{
    return a->type == type && a->addr == addr && (type < BP_WATCH_WRITE || a->len == len);
}

int cpu_breakpoint_insert(CPUState *cs, int type, uint64_t addr, uint64_t len)
{
    Machine *m = cs->machine;
    CPUBreakpoint bp = { type, addr, len };

    if (!cs->breakpoints) {
        cs->breakpoints = g_array_new(false, false, sizeof(CPUBreakpoint));
    }
    if (!m || !m->accel || !m->accel->insert_breakpoint ||
        m->accel->insert_breakpoint(cs, type, addr, len) < 0) {
        return -1;
    }
    g_array_append_val(cs->breakpoints, bp);
    return 0;
}

int cpu_breakpoint_remove(CPUState *cs, int type, uint64_t addr, uint64_t len)
{
    Machine *m = cs->machine;

    for (guint i = 0; cs->breakpoints && i < cs->breakpoints->len; i++) {
        if (bp_equal(&g_array_index(cs->breakpoints, CPUBreakpoint, i), type, addr, len)) {
            g_array_remove_index(cs->breakpoints, i);
            if (m && m->accel && m->accel->remove_breakpoint) {
                m->accel->remove_breakpoint(cs, type, addr, len);
            }
            return 0;
        }
    }
    return -1;
}

void cpu_breakpoint_remove_all(CPUState *cs)
{
    while (cs->breakpoints && cs->breakpoints->len > 0) {
        CPUBreakpoint bp = g_array_index(cs->breakpoints, CPUBreakpoint, 0);
        cpu_breakpoint_remove(cs, bp.type, bp.addr, bp.len);
    }
}

bool cpu_breakpoint_at(CPUState *cs, uint64_t addr)
{
    for (guint i = 0; cs->breakpoints && i < cs->breakpoints->len; i++) {
        CPUBreakpoint *bp = &g_array_index(cs->breakpoints, CPUBreakpoint, i);
        if (bp->type <= BP_HW && bp->addr == addr) {
            return true;
        }
    }
    return false;
}

bool cpu_has_watchpoints(CPUState *cs)
{
    for (guint i = 0; cs->breakpoints && i < cs->breakpoints->len; i++) {
        if (g_array_index(cs->breakpoints, CPUBreakpoint, i).type >= BP_WATCH_WRITE) {
            return true;
        }
    }
    return false;
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

bool cpu_watchpoint_on(CPUState *cs, uint64_t addr, uint64_t len)
{
    for (guint i = 0; cs->breakpoints && i < cs->breakpoints->len; i++) {
        CPUBreakpoint *bp = &g_array_index(cs->breakpoints, CPUBreakpoint, i);
        if (bp->type >= BP_WATCH_WRITE && ranges_overlap(addr, len, bp->addr, bp->len)) {
            return true;
        }
    }
    return false;
}

bool cpu_watchpoint_hit(CPUState *cs, uint64_t addr, uint64_t size, bool is_write)
{
    for (guint i = 0; cs->breakpoints && i < cs->breakpoints->len; i++) {
        CPUBreakpoint *bp = &g_array_index(cs->breakpoints, CPUBreakpoint, i);
        bool kind = bp->type == BP_WATCH_ACCESS ||
                    bp->type == (is_write ? BP_WATCH_WRITE : BP_WATCH_READ);
        if (bp->type >= BP_WATCH_WRITE && kind && ranges_overlap(addr, size, bp->addr, bp->len)) {
            return true;
        }
    }
    return false;
}

void cpu_set_single_step(CPUState *cs, bool on)
{
    Machine *m = cs->machine;
    cs->singlestep = on;
    if (m && m->accel && m->accel->set_single_step) {
        m->accel->set_single_step(cs, on);
    }
}

/* True when the halted vCPU has something that wakes it. */
static bool cpu_has_work(CPUState *cs)
{
    X86CPUState *env = x86_env(cs);
    int req = g_atomic_int_get(&cs->interrupt_request);

    if (req & (CPU_INTERRUPT_NMI | CPU_INTERRUPT_INIT | CPU_INTERRUPT_SIPI |
               CPU_INTERRUPT_SMI)) {
        return true;
    }
    return (req & CPU_INTERRUPT_HARD) && (x86_eflags_get(env) & IF_MASK);
}

static bool cpu_should_wait(CPUState *cs)
{
    if (runstate_shutdown_requested() != SHUTDOWN_NONE) {
        return false;
    }
    if (cs->stop) {
        return true;
    }
    return cs->halted && !cpu_has_work(cs);
}

static gpointer vcpu_thread(gpointer opaque)
{
    CPUState *cs = opaque;
    Machine *m = cs->machine;
    GError *err = NULL;

    cs->thread_id = (int)syscall(SYS_gettid);
    bql_lock();
    if (m->accel->vcpu_init && m->accel->vcpu_init(cs, &err) < 0) {
        error_report_err(err);
        runstate_request_shutdown(SHUTDOWN_GUEST_PANIC, 1);
    }
    cs->created = true;
    g_cond_broadcast(&cs->cond);

    while (runstate_shutdown_requested() == SHUTDOWN_NONE) {
        while (cpu_should_wait(cs)) {
            if (cs->stop && !cs->stopped) {
                cs->stopped = true;
                g_cond_broadcast(&cs->cond);
            }
            bql_cond_wait(&cs->cond);
        }
        if (runstate_shutdown_requested() != SHUTDOWN_NONE) {
            break;
        }
        cs->stopped = false;
        cs->halted = false;
        g_atomic_int_set(&cs->exit_request, 0);
        bql_unlock();
        AccelExit why = m->accel->vcpu_run(cs);
        bql_lock();
        switch (why) {
        case ACCEL_EXIT_HALT:
            cs->halted = true;
            break;
        case ACCEL_EXIT_SHUTDOWN:
            runstate_request_reset();
            break;
        case ACCEL_EXIT_ERROR:
            runstate_request_shutdown(SHUTDOWN_GUEST_PANIC, 1);
            break;
        case ACCEL_EXIT_DEBUG:
            cpu_debug_stop(cs);
            break;
        case ACCEL_EXIT_NONE:
            break;
        }
    }
    cs->stopped = true;
    g_cond_broadcast(&cs->cond);
    bql_unlock();
    return NULL;
}

void cpus_start(Machine *m)
{
    CPUState *cs = &m->cpu->cs;
    g_assert(bql_locked());
    cs->machine = m;
    cs->thread = g_thread_new("vcpu0", vcpu_thread, cs);
    while (!cs->created) {
        bql_cond_wait(&cs->cond);
    }
}

void cpus_pause(Machine *m)
{
    CPUState *cs = &m->cpu->cs;
    g_assert(bql_locked());
    cs->stop = true;
    cpu_kick(cs);
    while (!cs->stopped && runstate_shutdown_requested() == SHUTDOWN_NONE) {
        bql_cond_wait_until(&cs->cond, g_get_monotonic_time() + 10000);
        cpu_kick(cs);
    }
}

void cpus_resume(Machine *m)
{
    CPUState *cs = &m->cpu->cs;
    cs->stop = false;
    g_cond_broadcast(&cs->cond);
}

void cpus_join(Machine *m)
{
    CPUState *cs = &m->cpu->cs;
    if (!cs->thread) {
        return;
    }
    g_assert(!bql_locked());
    cpu_kick(cs);
    g_thread_join(cs->thread);
    cs->thread = NULL;
}

void vm_stop(Machine *m)
{
    if (runstate_get() != RUN_STATE_RUNNING) {
        return;
    }
    cpus_pause(m);
    clock_stop();
    runstate_set(RUN_STATE_PAUSED);
    vm_event_emit(VM_EVENT_STOP, false, NULL);
}

void vm_cont(Machine *m)
{
    if (runstate_get() != RUN_STATE_PAUSED && runstate_get() != RUN_STATE_PRELAUNCH) {
        return;
    }
    if (m->accel && m->accel->sync_env_to_vcpu) {
        m->accel->sync_env_to_vcpu(&m->cpu->cs);
    }
    clock_start();
    runstate_set(RUN_STATE_RUNNING);
    vm_event_emit(VM_EVENT_RESUME, false, NULL);
    cpus_resume(m);
}
