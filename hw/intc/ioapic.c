/*
 * ioapic.c: the I/O APIC. Its input pins carry device interrupt lines;
 * each pin has a 64-bit redirection entry that says which vector, delivery
 * mode and destination the resulting message has, and whether the pin is
 * edge- or level-triggered. Messages go to the one local APIC through
 * apic_deliver once apic_match_destination accepts the destination.
 *
 * Reference: Intel 82093AA I/O APIC datasheet, sections 3.0-3.2 (register
 * access through IOREGSEL/IOWIN, IOAPICID, IOAPICVER, IOAPICARB, IOREDTBL).
 */
#include "vireo/common.h"
#include "vireo/log.h"
#include "vireo/error.h"
#include "hw/ioapic.h"

/* Register offsets in the MMIO window and indices behind IOREGSEL. */
#define IOAPIC_IOREGSEL   0x00
#define IOAPIC_IOWIN      0x10
#define IOAPIC_REG_ID     0x00
#define IOAPIC_REG_VER    0x01
#define IOAPIC_REG_ARB    0x02
#define IOAPIC_REG_REDTBL 0x10

/* Redirection entry bits (82093AA 3.2.4). */
#define RTE_VECTOR        0xffULL
#define RTE_DM(e)         (((e) >> 8) & 7)
#define RTE_DEST_LOGICAL  (1ULL << 11)
#define RTE_DELIV_STATUS  (1ULL << 12)
#define RTE_POLARITY_LOW  (1ULL << 13)
#define RTE_REMOTE_IRR    (1ULL << 14)
#define RTE_LEVEL         (1ULL << 15)
#define RTE_MASKED        (1ULL << 16)
#define RTE_DEST(e)       ((uint8_t)((e) >> 56))
/* Bits software may write: all but delivery status and remote IRR. */
#define RTE_WRITABLE      (0xff00000000000000ULL | 0x1ffffULL)
#define RTE_RO            (RTE_DELIV_STATUS | RTE_REMOTE_IRR)

struct IOAPIC {
    Bus *mem;
    BusRegion *region;
    APIC *apic;
    uint32_t id;                /* IOAPICID: ID in bits 27:24 */
    uint8_t regsel;
    uint64_t rte[IOAPIC_NUM_PINS];
    int level[IOAPIC_NUM_PINS];
    IrqLine **inputs;
};

/* Sends pin n's message if its entry lets it through now. */
static void ioapic_service(IOAPIC *s, int n)
{
    uint64_t e = s->rte[n];
    int dm = RTE_DM(e);
    bool level = e & RTE_LEVEL;

    if (e & RTE_MASKED) {
        return;
    }
    if (level && dm != APIC_DM_FIXED && dm != APIC_DM_LOWEST) {
        /* 82093AA 3.2.4: SMI, NMI, INIT and ExtINT must be edge-triggered. */
        log_mask(LOG_GUEST_ERRORS, "ioapic: pin %d: level trigger with delivery mode %d,"
                 " treated as edge\n", n, dm);
        level = false;
    }
    if (level) {
        if (!s->level[n] || (e & RTE_REMOTE_IRR)) {
            return;
        }
        s->rte[n] |= RTE_REMOTE_IRR;
    }
    if (dm == 3 || dm == APIC_DM_STARTUP) {
        log_mask(LOG_GUEST_ERRORS, "ioapic: pin %d: reserved delivery mode %d\n", n, dm);
        return;
    }
    if (!apic_match_destination(s->apic, RTE_DEST(e), e & RTE_DEST_LOGICAL)) {
        log_mask(LOG_INT, "ioapic: pin %d: destination 0x%02x matches no APIC\n",
                 n, RTE_DEST(e));
        return;
    }
    log_mask(LOG_INT, "ioapic: pin %d -> vector 0x%02x mode %d %s\n", n,
             (int)(e & RTE_VECTOR), dm, level ? "level" : "edge");
    apic_deliver(s->apic, e & RTE_VECTOR, dm, level);
}

/*
 * Input pin handler. Levels are logical (1 = asserted), so the polarity
 * bit is stored for the guest but not applied: the board models every
 * line active-high, as the ISA and PCI interrupt lines appear to the OS
 * after the MADT/_PRT polarity is taken into account.
 */
static void ioapic_set_irq(void *opaque, int n, int level)
{
    IOAPIC *s = opaque;
    bool rising = level && !s->level[n];

    s->level[n] = level;
    if (s->rte[n] & RTE_LEVEL) {
        ioapic_service(s, n);
    } else if (rising) {
        ioapic_service(s, n);
    }
}

void ioapic_eoi(IOAPIC *s, int vector)
{
    for (int n = 0; n < IOAPIC_NUM_PINS; n++) {
        uint64_t e = s->rte[n];
        if ((e & RTE_LEVEL) && (e & RTE_REMOTE_IRR) && (int)(e & RTE_VECTOR) == vector) {
            s->rte[n] &= ~RTE_REMOTE_IRR;
            ioapic_service(s, n);
        }
    }
}

static void ioapic_eoi_broadcast(void *opaque, int vector)
{
    ioapic_eoi(opaque, vector);
}

static uint32_t ioapic_reg_read(IOAPIC *s)
{
    unsigned idx = s->regsel;

    switch (idx) {
    case IOAPIC_REG_ID:
    case IOAPIC_REG_ARB:
        return s->id;
    case IOAPIC_REG_VER:
        return IOAPIC_VERSION;
    }
    if (idx >= IOAPIC_REG_REDTBL && idx < IOAPIC_REG_REDTBL + 2 * IOAPIC_NUM_PINS) {
        uint64_t e = s->rte[(idx - IOAPIC_REG_REDTBL) / 2];
        return (idx & 1) ? (uint32_t)(e >> 32) : (uint32_t)e;
    }
    log_mask(LOG_GUEST_ERRORS, "ioapic: read of reserved register 0x%02x\n", idx);
    return 0xffffffffu;
}

static void ioapic_write_rte(IOAPIC *s, int n, bool high, uint32_t val)
{
    uint64_t old = s->rte[n], e;

    if (high) {
        e = (old & 0xffffffffULL) | ((uint64_t)val << 32);
    } else {
        e = (old & ~0xffffffffULL) | val;
    }
    e = (e & RTE_WRITABLE & ~RTE_RO) | (old & RTE_RO);
    if (!(e & RTE_LEVEL)) {
        /* An edge entry has no remote IRR; Linux's edge/level flip relies on it. */
        e &= ~RTE_REMOTE_IRR;
    }
    s->rte[n] = e;
    /* A level pin that is high when it is unmasked (or made level) fires now. */
    if ((e & RTE_LEVEL) && s->level[n]) {
        ioapic_service(s, n);
    }
}

static void ioapic_reg_write(IOAPIC *s, uint32_t val)
{
    unsigned idx = s->regsel;

    switch (idx) {
    case IOAPIC_REG_ID:
        s->id = val & 0x0f000000u;
        return;
    case IOAPIC_REG_VER:
    case IOAPIC_REG_ARB:
        log_mask(LOG_GUEST_ERRORS, "ioapic: write to read-only register 0x%02x\n", idx);
        return;
    }
    if (idx >= IOAPIC_REG_REDTBL && idx < IOAPIC_REG_REDTBL + 2 * IOAPIC_NUM_PINS) {
        ioapic_write_rte(s, (idx - IOAPIC_REG_REDTBL) / 2, idx & 1, val);
        return;
    }
    log_mask(LOG_GUEST_ERRORS, "ioapic: write to reserved register 0x%02x\n", idx);
}

/*
 * IOREGSEL takes any access that covers its low byte; IOWIN is a 32-bit
 * register (82093AA 3.1: "accessed as a 32-bit quantity"). Other accesses
 * read all ones, are ignored on write, and are logged.
 */
static uint64_t ioapic_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    IOAPIC *s = opaque;

    if (offset == IOAPIC_IOREGSEL) {
        return s->regsel;
    }
    if (offset == IOAPIC_IOWIN && size == 4) {
        return ioapic_reg_read(s);
    }
    log_mask(LOG_GUEST_ERRORS, "ioapic: %u-byte read at offset 0x%" PRIx64 "\n",
             size, offset);
    return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static void ioapic_mmio_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    IOAPIC *s = opaque;

    if (offset == IOAPIC_IOREGSEL) {
        s->regsel = value & 0xff;
        return;
    }
    if (offset == IOAPIC_IOWIN && size == 4) {
        ioapic_reg_write(s, (uint32_t)value);
        return;
    }
    log_mask(LOG_GUEST_ERRORS, "ioapic: %u-byte write at offset 0x%" PRIx64 " ignored\n",
             size, offset);
}

static const BusOps ioapic_mmio_ops = {
    .read = ioapic_mmio_read,
    .write = ioapic_mmio_write,
};

void ioapic_reset(IOAPIC *s)
{
    s->id = 0;
    s->regsel = 0;
    for (int n = 0; n < IOAPIC_NUM_PINS; n++) {
        s->rte[n] = RTE_MASKED;
    }
}

IOAPIC *ioapic_new(Bus *mem, uint64_t base, APIC *apic, GError **errp)
{
    IOAPIC *s;

    if (!apic) {
        error_setg(errp, "ioapic: no local APIC to deliver to");
        return NULL;
    }
    s = g_new0(IOAPIC, 1);
    s->mem = mem;
    s->apic = apic;
    s->region = bus_add_io(mem, "ioapic", base, IOAPIC_MMIO_SIZE, &ioapic_mmio_ops, s,
                           errp);
    if (!s->region) {
        g_free(s);
        return NULL;
    }
    s->inputs = irq_new_array(ioapic_set_irq, s, IOAPIC_NUM_PINS);
    ioapic_reset(s);
    apic_set_eoi_broadcast(apic, ioapic_eoi_broadcast, s);
    return s;
}

void ioapic_free(IOAPIC *s)
{
    if (!s) {
        return;
    }
    apic_set_eoi_broadcast(s->apic, NULL, NULL);
    bus_remove(s->mem, s->region);
    irq_free_array(s->inputs, IOAPIC_NUM_PINS);
    g_free(s);
}

IrqLine *ioapic_input(IOAPIC *s, int n)
{
    return n >= 0 && n < IOAPIC_NUM_PINS ? s->inputs[n] : NULL;
}

void ioapic_dump(IOAPIC *s, GString *out)
{
    static const char *const dms[8] = {
        "fixed", "lowest", "smi", "rsvd3", "nmi", "init", "rsvd6", "extint",
    };

    g_string_append_printf(out, "ioapic: id=%x ver=%08x regsel=%02x\n", s->id >> 24,
                           IOAPIC_VERSION, s->regsel);
    for (int n = 0; n < IOAPIC_NUM_PINS; n++) {
        uint64_t e = s->rte[n];
        g_string_append_printf(out, "  pin %2d: %016" PRIx64 " vec=%02x %-6s %s dest=%02x"
                               " %s %s%s%s line=%d\n", n, e, (int)(e & RTE_VECTOR),
                               dms[RTE_DM(e)], (e & RTE_DEST_LOGICAL) ? "log" : "phy",
                               RTE_DEST(e), (e & RTE_LEVEL) ? "level" : "edge ",
                               (e & RTE_POLARITY_LOW) ? "active-low " : "active-high",
                               (e & RTE_MASKED) ? " masked" : "",
                               (e & RTE_REMOTE_IRR) ? " remote-irr" : "", s->level[n]);
    }
}
