/*
 * port92.h: PS/2 system control port A at 0x92 (hw/misc/port92.c), the
 * "fast A20" gate (bit 1) and the fast CPU reset (bit 0).
 */
#ifndef HW_PORT92_H
#define HW_PORT92_H

#include "vireo/common.h"
#include "hw/bus.h"

typedef struct Port92 Port92;

/*
 * Creates port 0x92; set_a20(opaque, enabled) is called whenever the guest
 * changes bit 1 (the board ORs it with the keyboard controller's gate).
 * set_a20 may be NULL. Returns the device, or NULL with errp set.
 */
Port92 *port92_new(Bus *io, void (*set_a20)(void *opaque, bool enabled), void *opaque,
                   GError **errp);

/* Clears the register (A20 bit included) without calling set_a20: the
 * board resets its own A20 gate. */
void port92_reset(Port92 *p);

/* Removes the port and frees the device (NULL ignored). */
void port92_free(Port92 *p);

/* The A20 gate as port 0x92 holds it. */
bool port92_a20_enabled(Port92 *p);

#endif
