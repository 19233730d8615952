/*
 * runstate.c: run state and the shutdown / reset requests that devices and
 * vCPUs post for the main loop (see system/runstate.h).
 */
#include "vireo/common.h"
#include "system/runstate.h"

static int shutdown_cause;          /* atomic ShutdownCause */
static int exit_status;
static int reset_requested;         /* atomic */
static bool no_reboot;
static RunState run_state = RUN_STATE_PRELAUNCH;
static void (*wakeup_fn)(void);

void runstate_set_wakeup(void (*fn)(void))
{
    wakeup_fn = fn;
}

void main_loop_wakeup(void)
{
    if (wakeup_fn) {
        wakeup_fn();
    }
}

void runstate_request_shutdown(ShutdownCause cause, int status)
{
    /* The first request wins: a debug-exit status is not overwritten by
     * the quit that follows it. */
    if (g_atomic_int_compare_and_exchange(&shutdown_cause, SHUTDOWN_NONE, cause)) {
        exit_status = status;
    }
    main_loop_wakeup();
}

void runstate_request_reset(void)
{
    if (no_reboot) {
        runstate_request_shutdown(SHUTDOWN_GUEST_RESET, 0);
        return;
    }
    g_atomic_int_set(&reset_requested, 1);
    main_loop_wakeup();
}

ShutdownCause runstate_shutdown_requested(void)
{
    return g_atomic_int_get(&shutdown_cause);
}

bool runstate_take_reset_request(void)
{
    return g_atomic_int_compare_and_exchange(&reset_requested, 1, 0);
}

int runstate_exit_status(void)
{
    return exit_status;
}

RunState runstate_get(void)
{
    return run_state;
}

void runstate_set(RunState s)
{
    run_state = s;
}

const char *runstate_name(RunState s)
{
    switch (s) {
    case RUN_STATE_PRELAUNCH: return "prelaunch";
    case RUN_STATE_RUNNING: return "running";
    case RUN_STATE_PAUSED: return "paused";
    case RUN_STATE_SHUTDOWN: return "shutdown";
    }
    return "unknown";
}

void runstate_set_no_reboot(bool on)
{
    no_reboot = on;
}
