/*
 * irq.h: level-triggered interrupt lines. A device holds an IrqLine* and
 * sets its level; the receiver (an interrupt controller input, the CPU's
 * INTR pin) is a handler called on every change of level. Edge-triggered
 * receivers detect the 0->1 transition themselves. Called with the BQL.
 */
#ifndef HW_IRQ_H
#define HW_IRQ_H

#include "vireo/common.h"

typedef void (*IrqHandler)(void *opaque, int n, int level);

typedef struct IrqLine {
    IrqHandler handler;
    void *opaque;
    int n;          /* which input of the receiver this line drives */
    int level;
    uint64_t raised; /* count of 0->1 transitions, for "info irq" */
} IrqLine;

/* A line driving input n of a receiver. Never fails. */
IrqLine *irq_new(IrqHandler handler, void *opaque, int n);

/* count lines driving inputs 0..count-1; free with irq_free_array. */
IrqLine **irq_new_array(IrqHandler handler, void *opaque, int count);
void irq_free(IrqLine *irq);
void irq_free_array(IrqLine **irqs, int count);

/* Sets the level (0 or 1); irq may be NULL (an unconnected output). */
void irq_set(IrqLine *irq, int level);

static inline void irq_raise(IrqLine *irq) { irq_set(irq, 1); }
static inline void irq_lower(IrqLine *irq) { irq_set(irq, 0); }
static inline void irq_pulse(IrqLine *irq) { irq_set(irq, 1); irq_set(irq, 0); }

/* A line that forwards to several lines (e.g. ISA IRQ to PIC and IOAPIC). */
IrqLine *irq_new_splitter(IrqLine *a, IrqLine *b);
/* Frees a line made by irq_new_splitter (not the lines it drives). */
void irq_free_splitter(IrqLine *irq);

#endif
