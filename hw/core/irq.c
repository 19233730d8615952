/*
 * irq.c: level-triggered interrupt lines (see hw/irq.h).
 */
#include "vireo/common.h"
#include "hw/irq.h"

IrqLine *irq_new(IrqHandler handler, void *opaque, int n)
{
    IrqLine *irq = g_new0(IrqLine, 1);
    irq->handler = handler;
    irq->opaque = opaque;
    irq->n = n;
    return irq;
}

IrqLine **irq_new_array(IrqHandler handler, void *opaque, int count)
{
    IrqLine **irqs = g_new0(IrqLine *, count);
    for (int i = 0; i < count; i++) {
        irqs[i] = irq_new(handler, opaque, i);
    }
    return irqs;
}

void irq_free(IrqLine *irq)
{
    g_free(irq);
}

void irq_free_array(IrqLine **irqs, int count)
{
    if (!irqs) {
        return;
    }
    for (int i = 0; i < count; i++) {
        irq_free(irqs[i]);
    }
    g_free(irqs);
}

void irq_set(IrqLine *irq, int level)
{
    if (!irq) {
        return;
    }
    level = !!level;
    if (level && !irq->level) {
        irq->raised++;
    }
    irq->level = level;
    if (irq->handler) {
        irq->handler(irq->opaque, irq->n, level);
    }
}

typedef struct Splitter {
    IrqLine *a, *b;
} Splitter;

static void splitter_handler(void *opaque, int n, int level)
{
    Splitter *s = opaque;
    irq_set(s->a, level);
    irq_set(s->b, level);
}

IrqLine *irq_new_splitter(IrqLine *a, IrqLine *b)
{
    Splitter *s = g_new0(Splitter, 1);
    s->a = a;
    s->b = b;
    return irq_new(splitter_handler, s, 0);
}

void irq_free_splitter(IrqLine *irq)
{
    if (irq) {
        g_free(irq->opaque);
        irq_free(irq);
    }
}
