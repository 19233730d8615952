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

static const char *shutdown_reason;

static const char *default_reason(ShutdownCause cause)
{
    switch (cause) {
    case SHUTDOWN_HOST_QUIT: return "host-qmp-quit";
    case SHUTDOWN_GUEST_POWEROFF: return "guest-shutdown";
    case SHUTDOWN_GUEST_RESET: return "guest-reset";
    case SHUTDOWN_GUEST_PANIC: return "guest-panic";
    case SHUTDOWN_DEBUG_EXIT: return "guest-shutdown";
    case SHUTDOWN_NONE: break;
    }
    return "none";
}

void runstate_request_shutdown_reason(ShutdownCause cause, int status, const char *reason)
{
    /* The first request wins: a debug-exit status is not overwritten by
     * the quit that follows it. */
    if (g_atomic_int_compare_and_exchange(&shutdown_cause, SHUTDOWN_NONE, cause)) {
        exit_status = status;
        shutdown_reason = reason ? reason : default_reason(cause);
    }
    main_loop_wakeup();
}

void runstate_request_shutdown(ShutdownCause cause, int status)
{
    runstate_request_shutdown_reason(cause, status, NULL);
}

const char *runstate_shutdown_reason(void)
{
    return shutdown_reason ? shutdown_reason : "none";
}

typedef struct VmListener {
    VmEventFn fn;
    void *opaque;
} VmListener;

static GArray *vm_listeners;

void vm_event_add_listener(VmEventFn fn, void *opaque)
{
    VmListener l = { fn, opaque };
    if (!vm_listeners) {
        vm_listeners = g_array_new(false, false, sizeof(VmListener));
    }
    g_array_append_val(vm_listeners, l);
}

void vm_event_emit(VmEvent ev, bool guest, const char *reason)
{
    for (guint i = 0; vm_listeners && i < vm_listeners->len; i++) {
        VmListener *l = &g_array_index(vm_listeners, VmListener, i);
        l->fn(l->opaque, ev, guest, reason);
    }
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

static bool reset_by_host;

void runstate_request_host_reset(void)
{
    reset_by_host = true;
    g_atomic_int_set(&reset_requested, 1);
    main_loop_wakeup();
}

bool runstate_reset_by_host(void)
{
    bool by_host = reset_by_host;
    reset_by_host = false;
    return by_host;
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
