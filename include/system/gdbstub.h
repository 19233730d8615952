/*
 * gdbstub.h: the GDB remote protocol server (system/gdbstub.c).
 */
#ifndef SYSTEM_GDBSTUB_H
#define SYSTEM_GDBSTUB_H

#include "system/chardev.h"

typedef struct GdbServer GdbServer;

/* Listens on "tcp::PORT", "tcp:HOST:PORT", "unix:PATH" or "PORT": the
 * server, or NULL with errp set. One server per process. */
GdbServer *gdbstub_start(const char *spec, GError **errp);

/* Serves the protocol on an existing chardev (unit tests). */
GdbServer *gdbstub_new(Chardev *chr, GError **errp);

/* Feeds bytes as if gdb had sent them (unit tests). */
void gdbstub_feed(GdbServer *s, const char *bytes, size_t len);

#endif
