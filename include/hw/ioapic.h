/*
 * ioapic.h: the I/O APIC (82093AA-style, 24 pins). Device interrupt lines
 * (ISA IRQs through the board's splitters, PCI INTx later) drive its input
 * pins; its redirection table turns a pin into an interrupt message for the
 * local APIC (apic_deliver). Level-triggered pins keep a remote IRR bit
 * until the local APIC broadcasts the EOI of their vector.
 * All functions are called with the BQL held.
 */
#ifndef HW_IOAPIC_H
#define HW_IOAPIC_H

#include "vireo/common.h"
#include "hw/bus.h"
#include "hw/irq.h"
#include "hw/apic.h"

typedef struct IOAPIC IOAPIC;

#define IOAPIC_NUM_PINS   24
#define IOAPIC_VERSION    0x00170011u   /* max redirection entry 0x17, version 0x11 */
#define IOAPIC_MMIO_SIZE  0x1000        /* IOREGSEL at +0x00, IOWIN at +0x10 */

/*
 * Creates the IOAPIC, maps its registers at base on mem and registers its
 * EOI handler with apic (apic_set_eoi_broadcast). All pins start masked.
 * The IOAPIC, or NULL with errp set (overlap, or apic is NULL).
 */
IOAPIC *ioapic_new(Bus *mem, uint64_t base, APIC *apic, GError **errp);

/* Power-on state: ID 0, every entry masked, no remote IRR. Pin levels stay. */
void ioapic_reset(IOAPIC *s);

/* Unmaps, unregisters the EOI handler, frees; NULL is a no-op. Before apic_free. */
void ioapic_free(IOAPIC *s);

/* Input pin n (0-23), driven with logical levels (1 = asserted); NULL otherwise. */
IrqLine *ioapic_input(IOAPIC *s, int n);

/*
 * The local APIC's EOI of vector: clears the remote IRR of level-triggered
 * pins with that vector and delivers again those whose line is still high.
 */
void ioapic_eoi(IOAPIC *s, int vector);

/* Appends the redirection table in the "info ioapic" format to out. */
void ioapic_dump(IOAPIC *s, GString *out);

#endif
