/*
 * port92.c: PS/2 system control port A (port 0x92), found on every PC
 * chipset since the PS/2: bit 1 gates address line 20 ("fast A20"), a
 * 0->1 transition of bit 0 resets the CPU ("fast reset"). The A20 gate
 * is reported to the board through a callback; the board ORs it with the
 * keyboard controller's gate. A reset becomes runstate_request_reset().
 *
 * Reference: IBM PS/2 Hardware Interface Technical Reference, "System
 * Control Port A"; Intel 82371AB PIIX4 datasheet, port 92h.
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "vireo/log.h"
#include "system/runstate.h"
#include "hw/port92.h"

#define P92_FAST_RESET 0x01
#define P92_A20        0x02
#define P92_RESERVED   0x34

struct Port92 {
    Bus *io;
    BusRegion *region;
    void (*set_a20)(void *opaque, bool enabled);
    void *opaque;
    uint8_t value;
};

static uint64_t port92_io_read(void *opaque, uint64_t offset, unsigned size)
{
    Port92 *p = opaque;
    return p->value | (size > 1 ? ~(uint64_t)0xff : 0);
}

static void port92_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Port92 *p = opaque;
    uint8_t old = p->value, val = value & 0xff;

    if (val & P92_RESERVED) {
        log_mask(LOG_GUEST_ERRORS, "port92: reserved bits 0x%02x ignored\n", val & P92_RESERVED);
    }
    p->value = val & ~P92_RESERVED;
    if ((old ^ p->value) & P92_A20) {
        if (p->set_a20) {
            p->set_a20(p->opaque, p->value & P92_A20);
        }
    }
    if ((p->value & P92_FAST_RESET) && !(old & P92_FAST_RESET)) {
        log_mask(LOG_IOPORT, "port92: fast reset\n");
        runstate_request_reset();
    }
}

static const BusOps port92_ops = {
    .read = port92_io_read,
    .write = port92_io_write,
};

Port92 *port92_new(Bus *io, void (*set_a20)(void *opaque, bool enabled), void *opaque,
                   GError **errp)
{
    Port92 *p = g_new0(Port92, 1);

    p->io = io;
    p->set_a20 = set_a20;
    p->opaque = opaque;
    p->region = bus_add_io(io, "port92", 0x92, 1, &port92_ops, p, errp);
    if (!p->region) {
        g_free(p);
        return NULL;
    }
    return p;
}

void port92_reset(Port92 *p)
{
    p->value = 0;
}

void port92_free(Port92 *p)
{
    if (p) {
        bus_remove(p->io, p->region);
        g_free(p);
    }
}

bool port92_a20_enabled(Port92 *p)
{
    return p->value & P92_A20;
}
