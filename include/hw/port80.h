/*
 * port80.h: the POST diagnostic port at 0x80 (hw/misc/port80.c). Firmware
 * writes progress codes there; they are logged under -d ioport and read
 * back as the last value written.
 */
#ifndef HW_PORT80_H
#define HW_PORT80_H

#include "vireo/common.h"
#include "hw/bus.h"

typedef struct PostPort PostPort;

/* Creates port 0x80. Returns the device, or NULL with errp set. */
PostPort *port80_new(Bus *io, GError **errp);

/* Forgets the last code (reads 0 again). */
void port80_reset(PostPort *p);

/* Removes the port and frees the device (NULL ignored). */
void port80_free(PostPort *p);

/* The last POST code written (0 after reset). */
uint8_t port80_last_code(PostPort *p);

#endif
