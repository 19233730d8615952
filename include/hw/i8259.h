/*
 * i8259.h: the PC's cascaded pair of Intel 8259A programmable interrupt
 * controllers (hw/intc/i8259.c): master at ports 0x20-0x21, slave at
 * 0xA0-0xA1 on the master's IR2, and the PIIX edge/level control
 * registers (ELCR) at 0x4D0-0x4D1. ISA devices drive the sixteen inputs;
 * the master's INT output drives the CPU's INTR pin, and the CPU's
 * interrupt-acknowledge cycle asks i8259_ack for the vector.
 */
#ifndef HW_I8259_H
#define HW_I8259_H

#include "vireo/common.h"
#include "hw/bus.h"
#include "hw/irq.h"

typedef struct I8259 I8259;

/*
 * Creates the pair on io; intr_out (may be NULL) follows the master's INT
 * output level. Returns the pair, or NULL with errp set (ports taken).
 */
I8259 *i8259_new(Bus *io, IrqLine *intr_out, GError **errp);

/* Back to the power-on state (both chips uninitialised, all masks clear). */
void i8259_reset(I8259 *pic);

/* Removes the ports and frees the pair and its input lines (NULL ignored). */
void i8259_free(I8259 *pic);

/*
 * The input line for ISA IRQ n (0..15; 8..15 are the slave's IR0-IR7).
 * Input 2 is the cascade: levels set on it are ignored. The line belongs
 * to the pair. Returns NULL for n out of range.
 */
IrqLine *i8259_input(I8259 *pic, int n);

/*
 * The INTA cycle: returns the vector of the highest-priority request and
 * marks it in service (unless auto-EOI), or the spurious vector (IR7 of
 * the master, or IR7 of the slave for a vanished cascaded request) when
 * no request remains. Updates intr_out.
 */
int i8259_ack(I8259 *pic);

/* True when the master's INT output is asserted. */
bool i8259_pending(I8259 *pic);

/*
 * The same two, with the opaque signature apic_set_extint_source() takes
 * (opaque = I8259 *): the board passes these for the ExtINT source.
 */
int i8259_extint_ack(void *opaque);
bool i8259_extint_pending(void *opaque);

/* Appends a human-readable state dump of both chips to out ("info pic"). */
void i8259_dump(I8259 *pic, GString *out);

#endif
