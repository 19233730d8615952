/*
 * serial16550.h: a National Semiconductor PC16550D-compatible UART (the
 * "16550A" Linux's 8250 driver detects) on the port bus, with its IRQ
 * line and a character device as the host end (hw/char/serial16550.c).
 * The board puts COM1 at 0x3F8 on IRQ 4.
 */
#ifndef HW_SERIAL16550_H
#define HW_SERIAL16550_H

#include "vireo/common.h"
#include "hw/bus.h"
#include "hw/irq.h"
#include "system/chardev.h"

typedef struct Serial16550 Serial16550;

/* Number of ports the UART decodes from base. */
#define SERIAL16550_IO_SIZE 8

/*
 * Creates the UART at ports base..base+7 driving irq (may be NULL) with
 * chr as its host end (NULL: output discarded, no input). Returns the
 * device, or NULL with errp set (ports already taken, or chr already has
 * as many front ends as it takes).
 */
Serial16550 *serial16550_new(Bus *io, uint16_t base, IrqLine *irq, Chardev *chr,
                             GError **errp);

/* Puts every register and both FIFOs back to their power-on state. */
void serial16550_reset(Serial16550 *s);

/* Detaches from the chardev, removes the ports and frees the device
 * (NULL is ignored). */
void serial16550_free(Serial16550 *s);

/*
 * The receive path of the host end: bytes arriving on the serial line.
 * Bytes beyond the free FIFO space are lost with an overrun, as on the
 * wire. The chardev calls this; tests call it directly.
 */
void serial16550_receive(Serial16550 *s, const uint8_t *buf, int len);

/* How many bytes the receiver can take now (0 in loopback mode). */
int serial16550_can_receive(Serial16550 *s);

/*
 * Calls fn(opaque, byte) for every byte the UART puts on the line
 * (besides the chardev); fn NULL removes the hook. For tests and tracing.
 */
void serial16550_set_tx_hook(Serial16550 *s, void (*fn)(void *opaque, uint8_t byte),
                             void *opaque);

#endif
