/*
 * port80.c: the POST diagnostic port (0x80). Firmware writes a progress
 * code there at each step of its power-on self test; a POST card would
 * show it on two 7-segment digits. Here each code is logged under
 * -d ioport and the last one reads back. Port 0x80 is also the
 * traditional "I/O delay" port, so writes must stay cheap.
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "vireo/log.h"
#include "hw/port80.h"

struct PostPort {
    Bus *io;
    BusRegion *region;
    uint8_t code;
};

static uint64_t port80_io_read(void *opaque, uint64_t offset, unsigned size)
{
    PostPort *p = opaque;
    return p->code | (size > 1 ? ~(uint64_t)0xff : 0);
}

static void port80_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    PostPort *p = opaque;

    p->code = value & 0xff;
    log_mask(LOG_IOPORT, "POST code 0x%02x\n", p->code);
}

static const BusOps port80_ops = {
    .read = port80_io_read,
    .write = port80_io_write,
};

PostPort *port80_new(Bus *io, GError **errp)
{
    PostPort *p = g_new0(PostPort, 1);

    p->io = io;
    p->region = bus_add_io(io, "post", 0x80, 1, &port80_ops, p, errp);
    if (!p->region) {
        g_free(p);
        return NULL;
    }
    return p;
}

void port80_reset(PostPort *p)
{
    p->code = 0;
}

void port80_free(PostPort *p)
{
    if (p) {
        bus_remove(p->io, p->region);
        g_free(p);
    }
}

uint8_t port80_last_code(PostPort *p)
{
    return p->code;
}
