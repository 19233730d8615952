/*
 * qmp.h: the QEMU Machine Protocol server (system/qmp.c).
 */
#ifndef SYSTEM_QMP_H
#define SYSTEM_QMP_H

#include "system/chardev.h"

typedef struct QmpServer QmpServer;

/* Serves QMP on chr (a socket chardev): the server, or NULL with errp set. */
QmpServer *qmp_server_new(Chardev *chr, GError **errp);

/* Feeds text as if the client had sent it (unit tests). */
void qmp_server_feed(QmpServer *s, const char *text);

#endif
