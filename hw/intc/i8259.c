/*
 * i8259.c: the PC's two cascaded Intel 8259A interrupt controllers. ISA
 * devices set the levels of the sixteen inputs; each chip latches them in
 * its IRR (edge- or level-sensed per the ELCR), resolves priorities
 * against its IMR and ISR, and the master's INT output drives the CPU's
 * INTR pin through intr_out. The CPU's INTA cycle (i8259_ack) returns the
 * vector. Guests program the chips through ICW1-ICW4 and OCW1-OCW3.
 *
 * References: Intel 8259A datasheet (order 231468), "Programming the
 * 8259A" (ICWs, OCWs, priority modes, spurious interrupts); Intel 82371AB
 * PIIX4 datasheet 12.2.14 (ELCR1/ELCR2).
 *
 * One deliberate simplification: an edge-sensed request stays latched in
 * IRR even if its input falls before the INTA cycle (the real part then
 * answers with a spurious IR7). Devices here may pulse a line, and the
 * pulse must not be lost.
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "vireo/log.h"
#include "hw/i8259.h"

#define CASCADE_IRQ 2

/* ELCR bits that must stay 0: IRQ0, 1, 2 (master), IRQ8, 13 (slave). */
#define ELCR_MASK_MASTER 0xf8
#define ELCR_MASK_SLAVE  0xde

typedef struct PicChip {
    struct I8259 *pair;
    const char *name;
    bool is_master;

    uint8_t irr, isr, imr;
    uint8_t lines;           /* current level of each input */
    uint8_t elcr, elcr_mask;
    uint8_t vector_base;     /* ICW2 & 0xf8 */
    uint8_t icw3;
    uint8_t priority_add;    /* the level with the highest priority */
    int init_step;           /* 0: ready, 2/3/4: next ICW expected */
    bool icw4_needed, single, ltim;
    bool auto_eoi, rotate_on_aeoi, sfnm;
    bool special_mask, poll, read_isr;
} PicChip;

struct I8259 {
    PicChip chip[2];          /* [0] master, [1] slave */
    IrqLine *inputs[16];
    IrqLine *intr_out;
    Bus *io;
    BusRegion *regions[3];
};

static PicChip *master(I8259 *pic) { return &pic->chip[0]; }
static PicChip *slave(I8259 *pic) { return &pic->chip[1]; }

/* Inputs sensed by level: ELCR, ICW1.LTIM, and the master's cascade input. */
static uint8_t level_mask(PicChip *c)
{
    uint8_t m = c->elcr | (c->ltim ? 0xff : 0);
    if (c->is_master && !c->single) {
        m |= 1 << CASCADE_IRQ;
    }
    return m;
}

/* 0 is the highest priority; rotation moves priority_add to 0. */
static int priority_of(PicChip *c, int irq)
{
    return (irq - c->priority_add) & 7;
}

/* The highest-priority level set in bits, or -1. */
static int highest(PicChip *c, uint8_t bits)
{
    for (int i = 0; i < 8; i++) {
        int irq = (c->priority_add + i) & 7;
        if (bits & (1 << irq)) {
            return irq;
        }
    }
    return -1;
}

/*
 * The level the chip would signal on INT now, or -1: the highest unmasked
 * request must beat the highest level in service. Special mask mode
 * ignores masked in-service levels; special fully nested mode lets the
 * master take a new request from the slave while it serves the slave.
 */
static int chip_get_irq(PicChip *c)
{
    uint8_t in_service = c->isr;
    int req = highest(c, c->irr & ~c->imr);
    int cur;

    if (req < 0) {
        return -1;
    }
    if (c->special_mask) {
        in_service &= ~c->imr;
    }
    if (c->is_master && c->sfnm) {
        in_service &= ~(1 << CASCADE_IRQ);
    }
    cur = highest(c, in_service);
    if (cur >= 0 && priority_of(c, cur) <= priority_of(c, req)) {
        return -1;
    }
    return req;
}

/* Recomputes the slave's INT (the master's IR2) and the master's INT. */
static void pic_update(I8259 *pic)
{
    PicChip *m = master(pic);
    bool slave_int = chip_get_irq(slave(pic)) >= 0;

    if (slave_int) {
        m->lines |= 1 << CASCADE_IRQ;
        m->irr |= 1 << CASCADE_IRQ;
    } else {
        m->lines &= ~(1 << CASCADE_IRQ);
        m->irr &= ~(1 << CASCADE_IRQ);
    }
    if (pic->intr_out) {
        int level = chip_get_irq(m) >= 0;
        if (level != pic->intr_out->level) {
            irq_set(pic->intr_out, level);
        }
    }
}

/* An input changed level (IrqHandler for the sixteen input lines). */
static void pic_set_input(void *opaque, int n, int level)
{
    I8259 *pic = opaque;
    PicChip *c = &pic->chip[n >> 3];
    uint8_t bit = 1 << (n & 7);

    if (n == CASCADE_IRQ) {
        return;     /* the slave drives it */
    }
    if (level) {
        if (!(c->lines & bit) || (level_mask(c) & bit)) {
            c->irr |= bit;      /* rising edge, or level high */
        }
        c->lines |= bit;
    } else {
        c->lines &= ~bit;
        if (level_mask(c) & bit) {
            c->irr &= ~bit;
        }
    }
    pic_update(pic);
}

/* The chip acknowledges irq: IRR edge latch consumed, ISR set (8259A INTA). */
static void chip_ack_irq(PicChip *c, int irq)
{
    uint8_t bit = 1 << irq;

    if (!(level_mask(c) & bit)) {
        c->irr &= ~bit;
    }
    if (c->auto_eoi) {
        if (c->rotate_on_aeoi) {
            c->priority_add = (irq + 1) & 7;
        }
    } else {
        c->isr |= bit;
    }
}

int i8259_ack(I8259 *pic)
{
    PicChip *m = master(pic), *s = slave(pic);
    int irq = chip_get_irq(m);
    int vector;

    if (irq < 0) {
        log_mask(LOG_INT, "i8259: spurious interrupt on the master (IR7)\n");
        vector = m->vector_base + 7;
    } else {
        chip_ack_irq(m, irq);
        if (irq == CASCADE_IRQ && !m->single) {
            int sirq = chip_get_irq(s);
            if (sirq < 0) {
                log_mask(LOG_INT, "i8259: spurious interrupt on the slave (IR15)\n");
                vector = s->vector_base + 7;
            } else {
                chip_ack_irq(s, sirq);
                vector = s->vector_base + sirq;
            }
        } else {
            vector = m->vector_base + irq;
        }
    }
    pic_update(pic);
    return vector;
}

bool i8259_pending(I8259 *pic)
{
    return chip_get_irq(master(pic)) >= 0;
}

int i8259_extint_ack(void *opaque)
{
    return i8259_ack(opaque);
}

bool i8259_extint_pending(void *opaque)
{
    return i8259_pending(opaque);
}

/* The poll command: the read acts as INTA for this chip alone (OCW3 P). */
static uint8_t chip_poll(I8259 *pic, PicChip *c)
{
    int irq = chip_get_irq(c);

    c->poll = false;
    if (irq < 0) {
        return 0;
    }
    chip_ack_irq(c, irq);
    pic_update(pic);
    return 0x80 | irq;
}

static void chip_reset(PicChip *c)
{
    c->irr = c->isr = c->imr = 0;
    c->lines = 0;
    c->elcr = 0;
    c->vector_base = 0;
    c->icw3 = 0;
    c->priority_add = 0;
    c->init_step = 0;
    c->icw4_needed = c->single = c->ltim = false;
    c->auto_eoi = c->rotate_on_aeoi = c->sfnm = false;
    c->special_mask = c->poll = c->read_isr = false;
}

/*
 * ICW1: starts the initialisation sequence (8259A "Initialization
 * command words"). Clearing ISR is not in the datasheet's list; it keeps
 * a controller re-initialised with a level in service from staying
 * blocked.
 */
static void write_icw1(PicChip *c, uint8_t val)
{
    c->imr = 0;
    c->isr = 0;
    c->special_mask = false;
    c->poll = false;
    c->read_isr = false;
    c->priority_add = 0;        /* IR7 lowest priority */
    c->rotate_on_aeoi = false;
    c->auto_eoi = false;
    c->sfnm = false;
    c->icw4_needed = val & 0x01;
    c->single = val & 0x02;
    c->ltim = val & 0x08;
    /* The edge-sense latches are reset: an input held high needs a new
     * rising edge; level-sensed inputs show their level. */
    c->irr = c->lines & level_mask(c);
    c->init_step = 2;
    if (!c->icw4_needed) {
        log_mask(LOG_UNIMP, "i8259 %s: ICW1 without ICW4 (8080 mode): 8086 vectors used\n",
                 c->name);
    }
    if (c->single && c->is_master) {
        log_mask(LOG_GUEST_ERRORS, "i8259 %s: single mode on a cascaded pair\n", c->name);
    }
}

static void write_icw(PicChip *c, uint8_t val)
{
    switch (c->init_step) {
    case 2:
        c->vector_base = val & 0xf8;
        c->init_step = !c->single ? 3 : (c->icw4_needed ? 4 : 0);
        break;
    case 3:
        c->icw3 = val;
        c->init_step = c->icw4_needed ? 4 : 0;
        break;
    case 4:
        if (!(val & 0x01)) {
            log_mask(LOG_UNIMP, "i8259 %s: ICW4 8080 mode: 8086 vectors used\n", c->name);
        }
        c->auto_eoi = val & 0x02;
        c->sfnm = val & 0x10;
        c->init_step = 0;
        break;
    }
}

/* OCW2: EOI and rotation commands (R, SL, EOI in bits 7:5, level in 2:0). */
static void write_ocw2(PicChip *c, uint8_t val)
{
    int level = val & 7;
    int irq;

    switch (val >> 5) {
    case 0:     /* clear rotate in automatic EOI mode */
        c->rotate_on_aeoi = false;
        break;
    case 4:     /* set rotate in automatic EOI mode */
        c->rotate_on_aeoi = true;
        break;
    case 1:     /* non-specific EOI */
    case 5:     /* rotate on non-specific EOI */
        irq = highest(c, c->isr);
        if (irq < 0) {
            log_mask(LOG_GUEST_ERRORS, "i8259 %s: EOI with nothing in service\n", c->name);
            break;
        }
        c->isr &= ~(1 << irq);
        if (val & 0x80) {
            c->priority_add = (irq + 1) & 7;
        }
        break;
    case 3:     /* specific EOI */
    case 7:     /* rotate on specific EOI */
        if (!(c->isr & (1 << level))) {
            log_mask(LOG_GUEST_ERRORS, "i8259 %s: specific EOI for IR%d not in service\n",
                     c->name, level);
        }
        c->isr &= ~(1 << level);
        if (val & 0x80) {
            c->priority_add = (level + 1) & 7;
        }
        break;
    case 6:     /* set priority: level becomes the lowest */
        c->priority_add = (level + 1) & 7;
        break;
    case 2:     /* no operation */
        break;
    }
}

/* OCW3: special mask mode, poll, and which of IRR/ISR port 0 reads. */
static void write_ocw3(PicChip *c, uint8_t val)
{
    if (val & 0x80) {
        log_mask(LOG_GUEST_ERRORS, "i8259 %s: OCW3 bit 7 set (0x%02x)\n", c->name, val);
    }
    if (val & 0x40) {
        c->special_mask = val & 0x20;
    }
    if (val & 0x04) {
        c->poll = true;
    }
    if (val & 0x02) {
        c->read_isr = val & 0x01;
    }
}

static void chip_write(I8259 *pic, PicChip *c, unsigned port, uint8_t val)
{
    if (port == 0) {
        if (val & 0x10) {
            write_icw1(c, val);
        } else if (val & 0x08) {
            write_ocw3(c, val);
        } else {
            write_ocw2(c, val);
        }
    } else if (c->init_step) {
        write_icw(c, val);
    } else {
        c->imr = val;           /* OCW1 */
    }
    pic_update(pic);
}

static uint8_t chip_read(I8259 *pic, PicChip *c, unsigned port)
{
    if (c->poll) {
        return chip_poll(pic, c);
    }
    if (port == 0) {
        return c->read_isr ? c->isr : c->irr;
    }
    return c->imr;
}

static uint64_t pic_io_read(void *opaque, uint64_t offset, unsigned size)
{
    PicChip *c = opaque;
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++) {
        uint64_t b = offset + i < 2 ? chip_read(c->pair, c, offset + i) : 0xff;
        v |= b << (8 * i);
    }
    return v;
}

static void pic_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    PicChip *c = opaque;

    for (unsigned i = 0; i < size && offset + i < 2; i++) {
        chip_write(c->pair, c, offset + i, (value >> (8 * i)) & 0xff);
    }
}

static const BusOps pic_ops = {
    .read = pic_io_read,
    .write = pic_io_write,
};

static uint64_t elcr_io_read(void *opaque, uint64_t offset, unsigned size)
{
    I8259 *pic = opaque;
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)(offset + i < 2 ? pic->chip[offset + i].elcr : 0xff) << (8 * i);
    }
    return v;
}

static void elcr_write(I8259 *pic, PicChip *c, uint8_t val)
{
    if (val & ~c->elcr_mask) {
        log_mask(LOG_GUEST_ERRORS, "i8259 %s: ELCR reserved bits 0x%02x ignored\n",
                 c->name, val & ~c->elcr_mask);
    }
    c->elcr = val & c->elcr_mask;
    /* Inputs now level-sensed show their current level in IRR. */
    c->irr = (c->irr & ~c->elcr) | (c->lines & c->elcr);
    pic_update(pic);
}

static void elcr_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    I8259 *pic = opaque;

    for (unsigned i = 0; i < size && offset + i < 2; i++) {
        elcr_write(pic, &pic->chip[offset + i], (value >> (8 * i)) & 0xff);
    }
}

static const BusOps elcr_ops = {
    .read = elcr_io_read,
    .write = elcr_io_write,
};

void i8259_reset(I8259 *pic)
{
    for (int i = 0; i < 2; i++) {
        chip_reset(&pic->chip[i]);
    }
    for (int n = 0; n < 16; n++) {
        if (n != CASCADE_IRQ && pic->inputs[n]->level) {
            pic->chip[n >> 3].lines |= 1 << (n & 7);
        }
    }
    pic_update(pic);
}

I8259 *i8259_new(Bus *io, IrqLine *intr_out, GError **errp)
{
    static const struct { const char *name; uint16_t base; } ports[3] = {
        { "pic-master", 0x20 }, { "pic-slave", 0xa0 }, { "elcr", 0x4d0 },
    };
    I8259 *pic = g_new0(I8259, 1);

    pic->io = io;
    pic->intr_out = intr_out;
    for (int i = 0; i < 2; i++) {
        pic->chip[i].pair = pic;
        pic->chip[i].is_master = i == 0;
        pic->chip[i].name = i == 0 ? "master" : "slave";
        pic->chip[i].elcr_mask = i == 0 ? ELCR_MASK_MASTER : ELCR_MASK_SLAVE;
    }
    for (int n = 0; n < 16; n++) {
        pic->inputs[n] = irq_new(pic_set_input, pic, n);
    }
    for (int i = 0; i < 3; i++) {
        void *opaque = i < 2 ? (void *)&pic->chip[i] : (void *)pic;
        pic->regions[i] = bus_add_io(io, ports[i].name, ports[i].base, 2,
                                     i < 2 ? &pic_ops : &elcr_ops, opaque, errp);
        if (!pic->regions[i]) {
            i8259_free(pic);
            return NULL;
        }
    }
    i8259_reset(pic);
    return pic;
}

void i8259_free(I8259 *pic)
{
    if (!pic) {
        return;
    }
    for (int i = 0; i < 3; i++) {
        if (pic->regions[i]) {
            bus_remove(pic->io, pic->regions[i]);
        }
    }
    for (int n = 0; n < 16; n++) {
        irq_free(pic->inputs[n]);
    }
    g_free(pic);
}

IrqLine *i8259_input(I8259 *pic, int n)
{
    if (n < 0 || n >= 16) {
        return NULL;
    }
    return pic->inputs[n];
}

static void chip_dump(PicChip *c, GString *out)
{
    g_string_append_printf(out,
        "pic %-6s irr=%02x imr=%02x isr=%02x lines=%02x elcr=%02x base=%02x "
        "prio_add=%d%s%s%s%s%s%s\n",
        c->name, c->irr, c->imr, c->isr, c->lines, c->elcr, c->vector_base,
        c->priority_add, c->init_step ? " initialising" : "",
        c->auto_eoi ? " aeoi" : "", c->rotate_on_aeoi ? " rotate-aeoi" : "",
        c->sfnm ? " sfnm" : "", c->special_mask ? " smm" : "",
        c->read_isr ? " read=isr" : " read=irr");
}

void i8259_dump(I8259 *pic, GString *out)
{
    chip_dump(master(pic), out);
    chip_dump(slave(pic), out);
    g_string_append_printf(out, "pic INT=%d\n", i8259_pending(pic));
}
