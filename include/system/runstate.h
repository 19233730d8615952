/*
 * runstate.h: whether the VM runs, and the requests that end or reset it.
 * Devices and vCPUs post requests; the main loop acts on them. The exit
 * status of vireo is decided here (isa-debug-exit, ACPI poweroff, -no-reboot).
 */
#ifndef SYSTEM_RUNSTATE_H
#define SYSTEM_RUNSTATE_H

#include "vireo/common.h"

typedef enum ShutdownCause {
    SHUTDOWN_NONE,
    SHUTDOWN_HOST_QUIT,     /* Ctrl-A x, monitor quit, window closed, signal */
    SHUTDOWN_GUEST_POWEROFF,/* ACPI PM1 sleep to S5 */
    SHUTDOWN_GUEST_RESET,   /* reset with -no-reboot */
    SHUTDOWN_GUEST_PANIC,   /* triple fault with -no-reboot, unrecoverable state */
    SHUTDOWN_DEBUG_EXIT,    /* isa-debug-exit */
} ShutdownCause;

typedef enum RunState {
    RUN_STATE_PRELAUNCH,
    RUN_STATE_RUNNING,
    RUN_STATE_PAUSED,       /* monitor stop, gdb, -S */
    RUN_STATE_SHUTDOWN,
} RunState;

/* Asks the main loop to end vireo with exit_status. Any thread. */
void runstate_request_shutdown(ShutdownCause cause, int exit_status);

/* The same, with QMP's SHUTDOWN reason string ("host-qmp-quit",
 * "host-signal", "host-ui", ...); NULL derives it from the cause. */
void runstate_request_shutdown_reason(ShutdownCause cause, int exit_status,
                                      const char *reason);

/* The QMP reason string of the pending shutdown. */
const char *runstate_shutdown_reason(void);

/* Events that QMP clients see (and anything else that listens). */
typedef enum VmEvent {
    VM_EVENT_STOP,
    VM_EVENT_RESUME,
    VM_EVENT_RESET,
    VM_EVENT_SHUTDOWN,
    VM_EVENT_POWERDOWN,
} VmEvent;

typedef void (*VmEventFn)(void *opaque, VmEvent ev, bool guest, const char *reason);

/* Adds a listener; events are emitted on the main loop with the BQL held. */
void vm_event_add_listener(VmEventFn fn, void *opaque);
void vm_event_emit(VmEvent ev, bool guest, const char *reason);

/*
 * Asks for a machine reset (port 0x92, 0xCF9, i8042, triple fault). With
 * -no-reboot this becomes a shutdown with status 0, as in QEMU. Any thread.
 */
void runstate_request_reset(void);

/* A reset asked for by the host (monitor, QMP): its RESET event says so. */
void runstate_request_host_reset(void);
/* Whether the reset just taken came from the host; clears the mark. */
bool runstate_reset_by_host(void);

/* The pending shutdown cause (SHUTDOWN_NONE if none). */
ShutdownCause runstate_shutdown_requested(void);
/* Takes (clears) a pending reset request. */
bool runstate_take_reset_request(void);
int runstate_exit_status(void);

RunState runstate_get(void);
void runstate_set(RunState s);
const char *runstate_name(RunState s);

/* -no-reboot */
void runstate_set_no_reboot(bool on);

/* The main loop installs its wake-up function here. */
void runstate_set_wakeup(void (*fn)(void));

/* Wakes the main loop so it looks at the requests (any thread). */
void main_loop_wakeup(void);

#endif
