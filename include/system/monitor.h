/*
 * monitor.h: the human monitor (HMP), with QEMU's command names. It runs
 * on a character device (-monitor stdio|unix:PATH,server,nowait|tcp:...,
 * or multiplexed with the serial port on stdio, Ctrl-A c). The core
 * commands live in system/monitor.c; subsystems that own a piece of
 * state (the board's devices, the display, TCG) register their own
 * commands and "info" items here. Handlers run on the main loop with the
 * BQL held.
 */
#ifndef SYSTEM_MONITOR_H
#define SYSTEM_MONITOR_H

#include "vireo/common.h"
#include "system/chardev.h"

typedef struct Monitor Monitor;

/* A command: argv[0] is the command name; errors are printed on mon. */
typedef void (*MonitorCmdFn)(Monitor *mon, int argc, char **argv, void *opaque);
/* An "info NAME" item. */
typedef void (*MonitorInfoFn)(Monitor *mon, void *opaque);

/* Starts a monitor on chr: the monitor, or NULL with errp set. */
Monitor *monitor_new(Chardev *chr, GError **errp);
void monitor_free(Monitor *mon);

/* Prints on the monitor's character device. */
void monitor_printf(Monitor *mon, const char *fmt, ...) VIREO_PRINTF(2, 3);

/* Adds a command (names may be "name|alias"). Later registrations win. */
void monitor_register_command(const char *names, const char *args, const char *help,
                              MonitorCmdFn fn, void *opaque);

/* Adds an "info NAME" item. */
void monitor_register_info(const char *name, const char *help, MonitorInfoFn fn,
                           void *opaque);

/*
 * Runs one command line as if typed, printing on mon (mon may be NULL:
 * output is collected into out if non-NULL). For QMP's
 * human-monitor-command and the unit tests.
 */
void monitor_execute(Monitor *mon, const char *line, GString *out);

/* Evaluates an expression of numbers, $registers and + - * / % & | ^ ~ << >>
 * ( ): 0 with *val set, or -1 with errp set. */
int monitor_eval(const char *expr, uint64_t *val, GError **errp);

#endif
