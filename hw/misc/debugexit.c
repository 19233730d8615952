/*
 * debugexit.c: QEMU's isa-debug-exit device, so that the same test guests
 * run under vireo: a write of value V to any of its ports asks the main
 * loop to end vireo with exit status (V << 1) | 1 (odd, so that it never
 * looks like a clean exit of the emulator itself). The value is the whole
 * access as the guest made it (a 16-bit OUT gives a 16-bit V).
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "vireo/log.h"
#include "system/runstate.h"
#include "hw/debugexit.h"

struct IsaDebugExit {
    Bus *io;
    BusRegion *region;
    uint16_t iobase;
};

static uint64_t debugexit_io_read(void *opaque, uint64_t offset, unsigned size)
{
    IsaDebugExit *d = opaque;
    log_mask(LOG_GUEST_ERRORS, "isa-debug-exit@0x%x: read of a write-only port\n", d->iobase);
    return ~(uint64_t)0;
}

static void debugexit_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    IsaDebugExit *d = opaque;
    uint64_t v = size >= 8 ? value : value & ((1ULL << (8 * size)) - 1);

    log_mask(LOG_IOPORT, "isa-debug-exit@0x%x: value 0x%" PRIx64 " -> exit %d\n",
             d->iobase, v, (int)((v << 1) | 1));
    runstate_request_shutdown(SHUTDOWN_DEBUG_EXIT, (int)((v << 1) | 1));
}

static const BusOps debugexit_ops = {
    .read = debugexit_io_read,
    .write = debugexit_io_write,
};

IsaDebugExit *isa_debug_exit_new(Bus *io, uint16_t iobase, uint16_t iosize, GError **errp)
{
    IsaDebugExit *d;

    if (iosize != 1 && iosize != 2 && iosize != 4) {
        error_setg(errp, "isa-debug-exit: iosize=%u: must be 1, 2 or 4", iosize);
        return NULL;
    }
    if ((uint32_t)iobase + iosize > 0x10000) {
        error_setg(errp, "isa-debug-exit: iobase=0x%x iosize=%u runs past port 0xffff",
                   iobase, iosize);
        return NULL;
    }
    d = g_new0(IsaDebugExit, 1);
    d->io = io;
    d->iobase = iobase;
    d->region = bus_add_io(io, "isa-debug-exit", iobase, iosize, &debugexit_ops, d, errp);
    if (!d->region) {
        g_free(d);
        return NULL;
    }
    return d;
}

void isa_debug_exit_reset(IsaDebugExit *d)
{
}

void isa_debug_exit_free(IsaDebugExit *d)
{
    if (d) {
        bus_remove(d->io, d->region);
        g_free(d);
    }
}
