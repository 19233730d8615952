/*
 * chardev.h: character devices, the host end of a serial port (and later
 * the monitor): "stdio" (raw terminal, Ctrl-A x quits, as in QEMU),
 * "file:PATH" (output only), "none", "null". Input arrives on the main
 * loop with the BQL held and is handed to the front end's receive().
 */
#ifndef SYSTEM_CHARDEV_H
#define SYSTEM_CHARDEV_H

#include "vireo/common.h"

typedef struct Chardev Chardev;

typedef struct CharFrontendOps {
    /* How many bytes the device can take now (0: hold the input). */
    int (*can_receive)(void *opaque);
    void (*receive)(void *opaque, const uint8_t *buf, int len);
} CharFrontendOps;

/* Opens a chardev from a -serial style spec: the chardev, or NULL with errp. */
Chardev *chardev_new(const char *spec, GError **errp);
void chardev_free(Chardev *chr);

void chardev_set_frontend(Chardev *chr, const CharFrontendOps *ops, void *opaque);

/* Writes all of buf (blocking briefly if the host is slow); returns len or -1. */
int chardev_write(Chardev *chr, const uint8_t *buf, int len);

/* The front end can take input again after can_receive returned 0. */
void chardev_accept_input(Chardev *chr);

/* Puts every stdio terminal back the way it was (any exit path). */
void chardev_restore_terminals(void);

#endif
