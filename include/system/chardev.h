/*
 * chardev.h: character devices, the host end of a serial port or of the
 * monitor: "stdio" (raw terminal, Ctrl-A x quits, as in QEMU; shared by
 * the serial port and the monitor, Ctrl-A c switching between them),
 * "file:PATH" (output only), "unix:PATH,server[,nowait]" and
 * "tcp:[HOST]:PORT,server[,nowait]" (a listening socket, one client at a
 * time), "null", "none". Input arrives on the main loop with the BQL held
 * and is handed to the front end's receive().
 */
#ifndef SYSTEM_CHARDEV_H
#define SYSTEM_CHARDEV_H

#include "vireo/common.h"

typedef struct Chardev Chardev;

/* Events a front end may want (CharFrontendOps.event). */
typedef enum CharEvent {
    CHR_EVENT_OPENED,   /* a socket client connected (or stdio is ready) */
    CHR_EVENT_CLOSED,   /* the socket client went away */
    CHR_EVENT_FOCUS,    /* Ctrl-A c gave this front end the stdio input */
} CharEvent;

typedef struct CharFrontendOps {
    /* How many bytes the device can take now (0: hold the input). */
    int (*can_receive)(void *opaque);
    void (*receive)(void *opaque, const uint8_t *buf, int len);
    /* Optional. */
    void (*event)(void *opaque, CharEvent event);
} CharFrontendOps;

/*
 * Opens a chardev from a -serial style spec: the chardev, or NULL with
 * errp set; "none" returns NULL without an error (no device). "stdio"
 * returns the one shared stdio chardev.
 */
Chardev *chardev_new(const char *spec, GError **errp);
void chardev_free(Chardev *chr);

/*
 * Attaches a front end. A stdio chardev takes two (the serial port and
 * the monitor; input goes to the focused one, Ctrl-A c switches); the
 * other kinds take one. Returns 0, or -1 if the chardev has no room.
 */
int chardev_set_frontend(Chardev *chr, const CharFrontendOps *ops, void *opaque);

/* Detaches the front end whose opaque is given (before the device is freed). */
void chardev_remove_frontend(Chardev *chr, void *opaque);

/* Writes a NUL-terminated string (convenience for text front ends). */
int chardev_puts(Chardev *chr, const char *s);

/* Writes all of buf (blocking briefly if the host is slow); returns len or -1. */
int chardev_write(Chardev *chr, const uint8_t *buf, int len);

/* The front end can take input again after can_receive returned 0. */
void chardev_accept_input(Chardev *chr);

/* True for the shared stdio chardev (a terminal front end should echo). */
bool chardev_is_stdio(Chardev *chr);

/* Puts every stdio terminal back the way it was (any exit path). */
void chardev_restore_terminals(void);

#endif
