/*
 * resetcontrol.h: the PIIX reset control register at port 0xCF9
 * (hw/misc/resetcontrol.c). Setting bit 2 (RCPU) resets the machine;
 * bit 1 (SRST) chooses a hard reset over a soft one (both are a full
 * machine reset here).
 */
#ifndef HW_RESETCONTROL_H
#define HW_RESETCONTROL_H

#include "vireo/common.h"
#include "hw/bus.h"

#define RESETCONTROL_PORT 0xcf9

typedef struct ResetControl ResetControl;

/*
 * Claims port 0xCF9 on io, or, with io NULL, nothing: a PCI host bridge
 * that owns 0xCF8-0xCFF then forwards byte accesses at 0xCF9 through
 * resetcontrol_read/write. Returns the device, or NULL with errp set.
 */
ResetControl *resetcontrol_new(Bus *io, GError **errp);

/* Clears the register. */
void resetcontrol_reset(ResetControl *rc);

/* Removes the port (if claimed) and frees the device (NULL ignored). */
void resetcontrol_free(ResetControl *rc);

/* The register as the guest reads it (bits 1 and 3; RCPU reads 0). */
uint8_t resetcontrol_read(ResetControl *rc);

/* A guest write of the register: RCPU set requests a machine reset. */
void resetcontrol_write(ResetControl *rc, uint8_t val);

#endif
