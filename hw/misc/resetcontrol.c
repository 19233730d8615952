/*
 * resetcontrol.c: the reset control register of the PIIX/ICH south
 * bridges at port 0xCF9 (inside the PCI configuration mechanism's
 * 0xCF8-0xCFF window, decoded only for byte accesses at 0xCF9). Linux's
 * "reboot=pci" and many firmwares write 0x02 then 0x06 here. Bit 2
 * (RCPU) set starts a reset: a hard one with bit 1 (SRST) set, a soft
 * INIT without; both are a full machine reset here, which is what the
 * firmware then performs anyway.
 *
 * Reference: Intel 82371AB PIIX4 datasheet 4.1.17 (RC, I/O 0CF9h); ICH
 * datasheets add bit 3 (FULL_RST), kept here as a plain bit.
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "vireo/log.h"
#include "system/runstate.h"
#include "hw/resetcontrol.h"

#define RC_SRST     0x02
#define RC_RCPU     0x04
#define RC_FULL_RST 0x08

struct ResetControl {
    Bus *io;
    BusRegion *region;
    uint8_t value;
};

uint8_t resetcontrol_read(ResetControl *rc)
{
    return rc->value;
}

void resetcontrol_write(ResetControl *rc, uint8_t val)
{
    if (val & ~(RC_SRST | RC_RCPU | RC_FULL_RST)) {
        log_mask(LOG_GUEST_ERRORS, "resetcontrol: reserved bits 0x%02x ignored\n",
                 val & ~(RC_SRST | RC_RCPU | RC_FULL_RST));
    }
    rc->value = val & (RC_SRST | RC_FULL_RST);
    if (val & RC_RCPU) {
        log_mask(LOG_IOPORT, "resetcontrol: %s reset\n", (val & RC_SRST) ? "hard" : "soft");
        runstate_request_reset();
    }
}

static uint64_t rc_io_read(void *opaque, uint64_t offset, unsigned size)
{
    return resetcontrol_read(opaque) | (size > 1 ? ~(uint64_t)0xff : 0);
}

static void rc_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    resetcontrol_write(opaque, value & 0xff);
}

static const BusOps rc_ops = {
    .read = rc_io_read,
    .write = rc_io_write,
};

ResetControl *resetcontrol_new(Bus *io, GError **errp)
{
    ResetControl *rc = g_new0(ResetControl, 1);

    rc->io = io;
    if (io) {
        rc->region = bus_add_io(io, "reset-control", RESETCONTROL_PORT, 1, &rc_ops, rc, errp);
        if (!rc->region) {
            g_free(rc);
            return NULL;
        }
    }
    return rc;
}

void resetcontrol_reset(ResetControl *rc)
{
    rc->value = 0;
}

void resetcontrol_free(ResetControl *rc)
{
    if (!rc) {
        return;
    }
    if (rc->region) {
        bus_remove(rc->io, rc->region);
    }
    g_free(rc);
}
