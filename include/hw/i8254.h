/*
 * i8254.h: the PC's Intel 8254 programmable interval timer
 * (hw/timer/i8254.c): three 16-bit counters clocked at 1.193182 MHz at
 * ports 0x40-0x43, channel 0 driving ISA IRQ 0, channel 2 gated and read
 * back through port 0x61 (which also holds the speaker enable and the
 * refresh toggle).
 */
#ifndef HW_I8254_H
#define HW_I8254_H

#include "vireo/common.h"
#include "hw/bus.h"
#include "hw/irq.h"

#define I8254_CLOCK_HZ 1193182

typedef struct I8254 I8254;

/*
 * Creates the timer on io (ports 0x40-0x43 and 0x61) with channel 0's
 * output on irq0 (may be NULL). Returns the device, or NULL with errp
 * set (ports taken).
 */
I8254 *i8254_new(Bus *io, IrqLine *irq0, GError **errp);

/* Back to power-on: counters unprogrammed, gate 2 low, IRQ 0 low. */
void i8254_reset(I8254 *pit);

/* Removes the ports, stops the timer and frees the device (NULL ignored). */
void i8254_free(I8254 *pit);

/* The OUT pin of channel ch (0..2) now: 0 or 1 (-1 for a bad ch). */
int i8254_get_out(I8254 *pit, int ch);

#endif
