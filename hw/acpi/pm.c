/*
 * pm.c: ACPI fixed-hardware power management of the PC board (see
 * hw/acpi-pm.h): the PM1a event and control blocks, the PM timer and a
 * GPE0 block in one port range, PIIX4 layout. The guest's OSPM reads the
 * FADT, enables events, counts time with the PM timer and powers the
 * machine off by writing SLP_TYP=S5 with SLP_EN; the SCI line (ISA IRQ 9)
 * tells it about enabled events.
 *
 * Every access is handled byte by byte against the register table, so
 * odd sizes and unaligned accesses behave as the bytes they cover; bytes
 * outside any register read as 0xff and are logged.
 */
#include "vireo/common.h"
#include "vireo/log.h"
#include "vireo/error.h"
#include "hw/acpi-pm.h"
#include "hw/clock.h"
#include "system/runstate.h"

/* PM1 status bits that are write-1-to-clear (ACPI 6.5 4.8.3.1.1). */
#define PM1_STS_W1C   (ACPI_PM1_TMR_STS | (1u << 4) | (1u << 5) | ACPI_PM1_PWRBTN_STS | \
                       (1u << 9) | (1u << 10) | (1u << 14) | ACPI_PM1_WAK_STS)
/* PM1 enable bits: TMR, GBL, PWRBTN, SLPBTN, RTC. */
#define PM1_EN_MASK   (ACPI_PM1_TMR_EN | (1u << 5) | ACPI_PM1_PWRBTN_EN | (1u << 9) | \
                       (1u << 10))
/* PM1 control bits that read back: SCI_EN, BM_RLD, SLP_TYP. */
#define PM1_CNT_RW    (ACPI_PM1_SCI_EN | (1u << 1) | (7u << ACPI_PM1_SLP_TYP_SHIFT))

enum { R_PM1_STS, R_PM1_EN, R_PM1_CNT, R_PM_TMR, R_GPE0_STS, R_GPE0_EN, R_COUNT };

static const struct {
    uint8_t offset, len;
    const char *name;
} pm_regs[R_COUNT] = {
    [R_PM1_STS]  = { ACPI_PM1_EVT_OFFSET, 2, "PM1_STS" },
    [R_PM1_EN]   = { ACPI_PM1_EVT_OFFSET + 2, 2, "PM1_EN" },
    [R_PM1_CNT]  = { ACPI_PM1_CNT_OFFSET, ACPI_PM1_CNT_LEN, "PM1_CNT" },
    [R_PM_TMR]   = { ACPI_PM_TMR_OFFSET, ACPI_PM_TMR_LEN, "PM_TMR" },
    [R_GPE0_STS] = { ACPI_GPE0_OFFSET, 2, "GPE0_STS" },
    [R_GPE0_EN]  = { ACPI_GPE0_OFFSET + 2, 2, "GPE0_EN" },
};

struct AcpiPM {
    Bus *io;
    BusRegion *region;
    IrqLine *sci;
    uint16_t pm1_sts;        /* latched status bits except TMR_STS */
    uint16_t pm1_en;
    uint16_t pm1_cnt;
    uint16_t gpe0_sts, gpe0_en;
    int64_t tmr_base_ns;     /* virtual time at which the PM timer read 0 */
    uint64_t tmr_epoch;      /* MSB toggles seen when TMR_STS was last cleared */
    Timer *tmr_timer;        /* fires at the next MSB toggle while TMR_EN */
};

/* ---- PM timer (ACPI 6.5 4.8.3.3) ---- */

static uint64_t acpi_pm_ticks(AcpiPM *pm, int64_t now)
{
    int64_t d = now - pm->tmr_base_ns;
    return d <= 0 ? 0 : (uint64_t)((unsigned __int128)d * ACPI_PM_TMR_HZ / NS_PER_SEC);
}

/* The MSB (bit 31) of the counter toggles once every 2^31 ticks. */
static uint64_t acpi_pm_epoch(AcpiPM *pm, int64_t now)
{
    return acpi_pm_ticks(pm, now) >> 31;
}

uint32_t acpi_pm_timer_read(AcpiPM *pm)
{
    return (uint32_t)acpi_pm_ticks(pm, clock_get_ns());
}

static uint16_t acpi_pm1_sts(AcpiPM *pm)
{
    uint16_t sts = pm->pm1_sts;
    if (acpi_pm_epoch(pm, clock_get_ns()) != pm->tmr_epoch) {
        sts |= ACPI_PM1_TMR_STS;
    }
    return sts;
}

static void acpi_pm_update_sci(AcpiPM *pm)
{
    bool pending = (acpi_pm1_sts(pm) & pm->pm1_en & PM1_EN_MASK) ||
                   (pm->gpe0_sts & pm->gpe0_en);

    irq_set(pm->sci, (pm->pm1_cnt & ACPI_PM1_SCI_EN) && pending);
}

/* While TMR_EN is set, wakes up at the next MSB toggle to raise the SCI. */
static void acpi_pm_tmr_arm(AcpiPM *pm)
{
    uint64_t next_tick;
    unsigned __int128 ns;

    if (!(pm->pm1_en & ACPI_PM1_TMR_EN)) {
        timer_del(pm->tmr_timer);
        return;
    }
    next_tick = (acpi_pm_epoch(pm, clock_get_ns()) + 1) << 31;
    ns = ((unsigned __int128)next_tick * NS_PER_SEC + ACPI_PM_TMR_HZ - 1) / ACPI_PM_TMR_HZ;
    timer_mod(pm->tmr_timer, pm->tmr_base_ns + (int64_t)ns);
}

static void acpi_pm_tmr_cb(void *opaque)
{
    AcpiPM *pm = opaque;

    acpi_pm_update_sci(pm);
    acpi_pm_tmr_arm(pm);
}

/* ---- registers ---- */

static uint32_t acpi_pm_reg_read(AcpiPM *pm, int r)
{
    switch (r) {
    case R_PM1_STS:  return acpi_pm1_sts(pm);
    case R_PM1_EN:   return pm->pm1_en;
    case R_PM1_CNT:  return pm->pm1_cnt;
    case R_PM_TMR:   return acpi_pm_timer_read(pm);
    case R_GPE0_STS: return pm->gpe0_sts;
    default:         return pm->gpe0_en;
    }
}

/* PM1_CNT with SLP_EN: enter the sleep state SLP_TYP (ACPI 6.5 4.8.3.2.1). */
static void acpi_pm_sleep(AcpiPM *pm, unsigned slp_typ)
{
    if (slp_typ == ACPI_PM_SLP_TYP_S5) {
        log_mask(LOG_INT, "acpi: guest entered S5, powering off\n");
        runstate_request_shutdown(SHUTDOWN_GUEST_POWEROFF, 0);
        return;
    }
    log_mask(LOG_UNIMP, "acpi: sleep type %u not implemented (only S5 = %d)\n",
             slp_typ, ACPI_PM_SLP_TYP_S5);
}

/* Writes the bytes of register r selected by mask (val already in place). */
static void acpi_pm_reg_write(AcpiPM *pm, int r, uint32_t val, uint32_t mask)
{
    val &= mask;
    switch (r) {
    case R_PM1_STS:
        pm->pm1_sts &= ~(val & PM1_STS_W1C);
        if (val & ACPI_PM1_TMR_STS) {
            pm->tmr_epoch = acpi_pm_epoch(pm, clock_get_ns());
        }
        break;
    case R_PM1_EN:
        pm->pm1_en = ((pm->pm1_en & ~mask) | val) & PM1_EN_MASK;
        acpi_pm_tmr_arm(pm);
        break;
    case R_PM1_CNT:
        pm->pm1_cnt = ((pm->pm1_cnt & ~mask) | val) & PM1_CNT_RW;
        if (val & ACPI_PM1_SLP_EN) {
            acpi_pm_sleep(pm, (pm->pm1_cnt >> ACPI_PM1_SLP_TYP_SHIFT) & 7);
        }
        break;
    case R_PM_TMR:
        log_mask(LOG_GUEST_ERRORS, "acpi: write to the read-only PM timer ignored\n");
        break;
    case R_GPE0_STS:
        pm->gpe0_sts &= ~val;
        break;
    case R_GPE0_EN:
        pm->gpe0_en = (pm->gpe0_en & ~mask) | val;
        break;
    }
    acpi_pm_update_sci(pm);
}

/* The register holding byte offset off, or -1 for a gap / out of range. */
static int acpi_pm_reg_at(uint64_t off)
{
    for (int r = 0; r < R_COUNT; r++) {
        if (off >= pm_regs[r].offset && off < pm_regs[r].offset + pm_regs[r].len) {
            return r;
        }
    }
    return -1;
}

static uint64_t acpi_pm_io_read(void *opaque, uint64_t offset, unsigned size)
{
    AcpiPM *pm = opaque;
    uint32_t vals[R_COUNT];
    bool have[R_COUNT] = { false };
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++) {
        uint64_t off = offset + i;
        int r = acpi_pm_reg_at(off);
        uint64_t byte = 0xff;

        if (r < 0) {
            log_mask(LOG_GUEST_ERRORS, "acpi: read of unassigned PM port base+0x%"
                     PRIx64 "\n", off);
        } else {
            if (!have[r]) {
                vals[r] = acpi_pm_reg_read(pm, r);    /* one snapshot per access */
                have[r] = true;
            }
            byte = (vals[r] >> ((off - pm_regs[r].offset) * 8)) & 0xff;
        }
        v |= byte << (i * 8);
    }
    return v;
}

static void acpi_pm_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    AcpiPM *pm = opaque;
    uint32_t vals[R_COUNT] = { 0 }, masks[R_COUNT] = { 0 };

    for (unsigned i = 0; i < size; i++) {
        uint64_t off = offset + i;
        int r = acpi_pm_reg_at(off);
        unsigned shift;

        if (r < 0) {
            log_mask(LOG_GUEST_ERRORS, "acpi: write to unassigned PM port base+0x%"
                     PRIx64 " ignored\n", off);
            continue;
        }
        shift = (off - pm_regs[r].offset) * 8;
        vals[r] |= (uint32_t)((value >> (i * 8)) & 0xff) << shift;
        masks[r] |= 0xffu << shift;
    }
    for (int r = 0; r < R_COUNT; r++) {
        if (masks[r]) {
            acpi_pm_reg_write(pm, r, vals[r], masks[r]);
        }
    }
}

static const BusOps acpi_pm_io_ops = {
    .read = acpi_pm_io_read,
    .write = acpi_pm_io_write,
};

/* ---- life cycle ---- */

void acpi_pm_reset(AcpiPM *pm)
{
    pm->pm1_sts = 0;
    pm->pm1_en = 0;
    pm->pm1_cnt = ACPI_PM1_SCI_EN;      /* always in ACPI mode: no SMI_CMD */
    pm->gpe0_sts = pm->gpe0_en = 0;
    pm->tmr_base_ns = clock_get_ns();
    pm->tmr_epoch = 0;
    timer_del(pm->tmr_timer);
    acpi_pm_update_sci(pm);
}

AcpiPM *acpi_pm_new(Bus *io, uint16_t base, IrqLine *sci, GError **errp)
{
    AcpiPM *pm = g_new0(AcpiPM, 1);

    pm->io = io;
    pm->sci = sci;
    pm->region = bus_add_io(io, "acpi-pm", base, ACPI_PM_IO_SIZE, &acpi_pm_io_ops, pm, errp);
    if (!pm->region) {
        g_free(pm);
        return NULL;
    }
    pm->tmr_timer = timer_new(acpi_pm_tmr_cb, pm);
    acpi_pm_reset(pm);
    return pm;
}

void acpi_pm_free(AcpiPM *pm)
{
    if (!pm) {
        return;
    }
    bus_remove(pm->io, pm->region);
    timer_free(pm->tmr_timer);
    g_free(pm);
}

void acpi_pm_power_button(AcpiPM *pm)
{
    pm->pm1_sts |= ACPI_PM1_PWRBTN_STS;
    acpi_pm_update_sci(pm);
}

void acpi_pm_gpe_raise(AcpiPM *pm, int bit)
{
    if (bit < 0 || bit >= 16) {
        return;
    }
    pm->gpe0_sts |= 1u << bit;
    acpi_pm_update_sci(pm);
}
