/*
 * ferr.c: the PC chipset's x87 error logic (the IBM PC/AT "coprocessor
 * error" wiring, kept by every chipset since; Intel 82371AB PIIX4
 * datasheet, FERR#/IGNNE# and port F0h). The CPU's FERR# output drives
 * ISA IRQ13 (the slave i8259's IR5); a write of any value to port 0xF0
 * lowers IRQ13 and, while FERR# is still asserted, asserts the CPU's
 * IGNNE# input so that the interrupted x87 instruction can go on; IGNNE#
 * drops again when FERR# does (the handler cleared the x87 error). Only
 * used while CR0.NE is clear (SDM Vol.1 8.7.2 and Appendix D). Reads of
 * port 0xF0 return all ones. The board (pc.c) creates it after the ISA
 * IRQ lines.
 */
#include "vireo/common.h"
#include "vireo/log.h"
#include "pc-internal.h"
#include "target-x86/cpu.h"

#define PC_FERR_PORT 0xf0

struct PCFerr {
    Bus *io;
    BusRegion *region;
    X86CPU *cpu;
    IrqLine *irq13;      /* ISA IRQ13: the 8259 input and its IOAPIC pin */
    IrqLine *ferr_in;    /* driven by the CPU's FERR# */
    bool ferr;
};

/* The CPU's FERR# changed level. */
static void pc_ferr_set(void *opaque, int n, int level)
{
    PCFerr *f = opaque;

    (void)n;
    f->ferr = level;
    irq_set(f->irq13, level);
    if (!level) {
        x86_cpu_set_ignne(f->cpu, false);
    }
}

static uint64_t pc_ferr_read(void *opaque, uint64_t offset, unsigned size)
{
    (void)opaque;
    (void)offset;
    (void)size;
    return ~0ULL;
}

/* Port 0xF0: "clear coprocessor busy" on the AT; IRQ13 off, IGNNE# on. */
static void pc_ferr_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    PCFerr *f = opaque;

    (void)offset;
    (void)value;
    (void)size;
    irq_lower(f->irq13);
    if (f->ferr) {
        x86_cpu_set_ignne(f->cpu, true);
    }
}

static const BusOps pc_ferr_ops = {
    .read = pc_ferr_read,
    .write = pc_ferr_write,
};

PCFerr *pc_ferr_new(Bus *io, X86CPU *cpu, IrqLine *irq13, GError **errp)
{
    PCFerr *f = g_new0(PCFerr, 1);

    f->io = io;
    f->cpu = cpu;
    f->irq13 = irq13;
    f->region = bus_add_io(io, "ferr", PC_FERR_PORT, 1, &pc_ferr_ops, f, errp);
    if (!f->region) {
        g_free(f);
        return NULL;
    }
    f->ferr_in = irq_new(pc_ferr_set, f, 0);
    cpu->ferr = f->ferr_in;
    return f;
}

void pc_ferr_reset(PCFerr *f)
{
    f->ferr = false;
    f->cpu->ferr_level = false;
    x86_cpu_set_ignne(f->cpu, false);
    irq_lower(f->irq13);
}

void pc_ferr_free(PCFerr *f)
{
    if (f) {
        f->cpu->ferr = NULL;
        bus_remove(f->io, f->region);
        irq_free(f->ferr_in);
        g_free(f);
    }
}
