/*
 * mc146818.c: the PC's real-time clock and CMOS RAM, a Motorola MC146818A
 * behind index port 0x70 and data port 0x71. The time of day is kept as
 * seconds since the epoch at a virtual-clock instant (so it advances with
 * the virtual clock, stops with the VM, and starts from the host's UTC
 * time) and is converted to the guest's chosen format (BCD or binary,
 * 12 or 24 hour) when a register is read. While the guest holds SET (or
 * the divider in reset) the registers are frozen bytes it may rewrite.
 * A 1 Hz timer performs the update cycle (UF, alarm check AF); a second
 * timer runs the periodic interrupt (PF) when PIE asks for it; IRQ 8
 * follows IRQF in register C, which a read clears.
 *
 * References: Motorola MC146818A datasheet: "Address map", "Time,
 * calendar and alarm locations" (table 3), "Register A" (table 4, rate
 * selection), "Registers B, C, D", "Update cycle" (UIP 244 us before).
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "vireo/log.h"
#include "hw/clock.h"
#include "hw/mc146818.h"

#include <time.h>

enum {
    REG_SEC = 0, REG_SEC_ALARM = 1, REG_MIN = 2, REG_MIN_ALARM = 3,
    REG_HOUR = 4, REG_HOUR_ALARM = 5, REG_WDAY = 6, REG_MDAY = 7,
    REG_MONTH = 8, REG_YEAR = 9, REG_A = 10, REG_B = 11, REG_C = 12, REG_D = 13,
};

#define A_UIP     0x80
#define A_DV_MASK 0x70
#define A_DV_32K  0x20      /* 32.768 kHz time base, divider running */
#define A_RS_MASK 0x0f

#define B_SET     0x80
#define B_PIE     0x40
#define B_AIE     0x20
#define B_UIE     0x10
#define B_SQWE    0x08
#define B_DM_BIN  0x04
#define B_24H     0x02
#define B_DSE     0x01

#define C_IRQF    0x80
#define C_PF      0x40
#define C_AF      0x20
#define C_UF      0x10

#define D_VRT     0x80

#define UIP_WINDOW_NS 244000    /* UIP rises 244 us before the update */
#define TIME_BASE_HZ  32768

struct MC146818 {
    Bus *io;
    BusRegion *region;
    IrqLine *irq;
    Timer *update_timer, *periodic_timer;

    uint8_t cmos[MC146818_CMOS_SIZE];
    uint8_t index;
    bool nmi_masked;

    bool frozen;            /* SET or divider reset: cmos[] holds the time */
    int64_t base_epoch;     /* seconds since the epoch ... */
    int64_t base_ns;        /* ... at this virtual time (a second boundary) */
    int64_t pf_checked_ns;  /* PF computed up to here when PIE is off */
};

static bool is_time_reg(int index)
{
    switch (index) {
    case REG_SEC: case REG_MIN: case REG_HOUR: case REG_WDAY:
    case REG_MDAY: case REG_MONTH: case REG_YEAR: case MC146818_CENTURY:
        return true;
    default:
        return false;
    }
}

static bool binary_mode(MC146818 *rtc)
{
    return rtc->cmos[REG_B] & B_DM_BIN;
}

static uint8_t encode(MC146818 *rtc, int v)
{
    return binary_mode(rtc) ? v : ((v / 10) << 4) | (v % 10);
}

static int decode(MC146818 *rtc, uint8_t v)
{
    return binary_mode(rtc) ? v : (v >> 4) * 10 + (v & 0x0f);
}

static uint8_t encode_hour(MC146818 *rtc, int hour)
{
    if (rtc->cmos[REG_B] & B_24H) {
        return encode(rtc, hour);
    }
    return encode(rtc, hour % 12 ? hour % 12 : 12) | (hour >= 12 ? 0x80 : 0);
}

static int decode_hour(MC146818 *rtc, uint8_t v)
{
    int h;

    if (rtc->cmos[REG_B] & B_24H) {
        return decode(rtc, v);
    }
    h = decode(rtc, v & 0x7f) % 12;
    return (v & 0x80) ? h + 12 : h;
}

/* The current second since the epoch (the clock is running). */
static int64_t current_epoch(MC146818 *rtc, int64_t now)
{
    int64_t d = now - rtc->base_ns;
    return rtc->base_epoch + (d >= 0 ? d / NS_PER_SEC : -((-d + NS_PER_SEC - 1) / NS_PER_SEC));
}

/* The byte register index would hold for the time epoch. */
static uint8_t time_reg_value(MC146818 *rtc, int index, int64_t epoch)
{
    time_t t = (time_t)epoch;
    struct tm tm;

    gmtime_r(&t, &tm);
    switch (index) {
    case REG_SEC:   return encode(rtc, tm.tm_sec);
    case REG_MIN:   return encode(rtc, tm.tm_min);
    case REG_HOUR:  return encode_hour(rtc, tm.tm_hour);
    case REG_WDAY:  return encode(rtc, tm.tm_wday + 1);
    case REG_MDAY:  return encode(rtc, tm.tm_mday);
    case REG_MONTH: return encode(rtc, tm.tm_mon + 1);
    case REG_YEAR:  return encode(rtc, (tm.tm_year + 1900) % 100);
    default:        return encode(rtc, (tm.tm_year + 1900) / 100);
    }
}

/* Writes the current time into cmos[] (entering the frozen state). */
static void snapshot_time(MC146818 *rtc, int64_t epoch)
{
    static const int regs[] = { REG_SEC, REG_MIN, REG_HOUR, REG_WDAY, REG_MDAY,
                                REG_MONTH, REG_YEAR, MC146818_CENTURY };
    for (unsigned i = 0; i < ARRAY_SIZE(regs); i++) {
        rtc->cmos[regs[i]] = time_reg_value(rtc, regs[i], epoch);
    }
}

/* The time the frozen bytes in cmos[] describe, as seconds since the epoch. */
static int64_t parse_time(MC146818 *rtc)
{
    struct tm tm = { 0 };
    int year = decode(rtc, rtc->cmos[REG_YEAR]);
    int century = decode(rtc, rtc->cmos[MC146818_CENTURY]);

    if (century < 19 || century > 99) {
        century = year < 70 ? 20 : 19;
    }
    tm.tm_sec = decode(rtc, rtc->cmos[REG_SEC]);
    tm.tm_min = decode(rtc, rtc->cmos[REG_MIN]);
    tm.tm_hour = decode_hour(rtc, rtc->cmos[REG_HOUR]);
    tm.tm_mday = decode(rtc, rtc->cmos[REG_MDAY]);
    tm.tm_mon = decode(rtc, rtc->cmos[REG_MONTH]) - 1;
    tm.tm_year = century * 100 + year - 1900;
    if (tm.tm_sec > 59 || tm.tm_min > 59 || tm.tm_hour > 23 || tm.tm_mday < 1 ||
        tm.tm_mday > 31 || tm.tm_mon < 0 || tm.tm_mon > 11 || year > 99) {
        log_mask(LOG_GUEST_ERRORS, "mc146818: invalid date/time %02x:%02x:%02x %02x/%02x/%02x\n",
                 rtc->cmos[REG_HOUR], rtc->cmos[REG_MIN], rtc->cmos[REG_SEC],
                 rtc->cmos[REG_MDAY], rtc->cmos[REG_MONTH], rtc->cmos[REG_YEAR]);
    }
    return (int64_t)timegm(&tm);
}

static void update_irq(MC146818 *rtc)
{
    uint8_t c = rtc->cmos[REG_C] & (C_PF | C_AF | C_UF);
    uint8_t en = rtc->cmos[REG_B] & (B_PIE | B_AIE | B_UIE);

    /* IRQF = PF.PIE + AF.AIE + UF.UIE (datasheet, register C). */
    rtc->cmos[REG_C] = c | ((c & en) ? C_IRQF : 0);  /* same bit positions */
    irq_set(rtc->irq, (rtc->cmos[REG_C] & C_IRQF) != 0);
}

/* Periodic rate: the period in 32.768 kHz cycles, 0 when off (table 4). */
static int64_t periodic_cycles(MC146818 *rtc)
{
    int rs = rtc->cmos[REG_A] & A_RS_MASK;

    if (rs == 0 || (rtc->cmos[REG_A] & A_DV_MASK) != A_DV_32K) {
        return 0;
    }
    return rs <= 2 ? 1 << (rs + 6) : 1 << (rs - 1);
}

/* Index of the periodic period containing now, counted from base_ns. */
static int64_t period_index(MC146818 *rtc, int64_t now, int64_t cycles)
{
    int64_t d = now - rtc->base_ns;
    unsigned __int128 t = (unsigned __int128)(d > 0 ? d : 0) * TIME_BASE_HZ;
    return (int64_t)(t / ((unsigned __int128)cycles * NS_PER_SEC));
}

static int64_t period_start_ns(MC146818 *rtc, int64_t k, int64_t cycles)
{
    unsigned __int128 num = (unsigned __int128)k * cycles * NS_PER_SEC + TIME_BASE_HZ - 1;
    return rtc->base_ns + (int64_t)(num / TIME_BASE_HZ);
}

/* PF for the periods that ended while no timer was watching (PIE off). */
static void catch_up_pf(MC146818 *rtc, int64_t now)
{
    int64_t cycles = periodic_cycles(rtc);

    if (cycles && period_index(rtc, now, cycles) > period_index(rtc, rtc->pf_checked_ns, cycles)) {
        rtc->cmos[REG_C] |= C_PF;
    }
    rtc->pf_checked_ns = now;
}

static void periodic_arm(MC146818 *rtc, int64_t now)
{
    int64_t cycles = periodic_cycles(rtc);

    if (!cycles || !(rtc->cmos[REG_B] & B_PIE)) {
        timer_del(rtc->periodic_timer);
        return;
    }
    timer_mod(rtc->periodic_timer,
              period_start_ns(rtc, period_index(rtc, now, cycles) + 1, cycles));
}

static void periodic_cb(void *opaque)
{
    MC146818 *rtc = opaque;
    int64_t now = clock_get_ns();

    rtc->cmos[REG_C] |= C_PF;
    rtc->pf_checked_ns = now;
    update_irq(rtc);
    periodic_arm(rtc, now);
}

static void update_arm(MC146818 *rtc, int64_t now)
{
    if (rtc->frozen) {
        timer_del(rtc->update_timer);
        return;
    }
    timer_mod(rtc->update_timer,
              rtc->base_ns + (current_epoch(rtc, now) - rtc->base_epoch + 1) * NS_PER_SEC);
}

/* An alarm byte of 0xC0-0xFF matches any value ("don't care"). */
static bool alarm_field_matches(uint8_t alarm, uint8_t value)
{
    return (alarm & 0xc0) == 0xc0 || alarm == value;
}

/* The end of an update cycle: UF, and AF if the alarm matches. */
static void update_cb(void *opaque)
{
    MC146818 *rtc = opaque;
    int64_t now = clock_get_ns();
    int64_t epoch = current_epoch(rtc, now);

    if (rtc->frozen) {
        return;
    }
    rtc->cmos[REG_C] |= C_UF;
    if (alarm_field_matches(rtc->cmos[REG_SEC_ALARM], time_reg_value(rtc, REG_SEC, epoch)) &&
        alarm_field_matches(rtc->cmos[REG_MIN_ALARM], time_reg_value(rtc, REG_MIN, epoch)) &&
        alarm_field_matches(rtc->cmos[REG_HOUR_ALARM], time_reg_value(rtc, REG_HOUR, epoch))) {
        rtc->cmos[REG_C] |= C_AF;
    }
    update_irq(rtc);
    update_arm(rtc, now);
}

static bool should_freeze(MC146818 *rtc)
{
    return (rtc->cmos[REG_B] & B_SET) || (rtc->cmos[REG_A] & A_DV_MASK) != A_DV_32K;
}

/*
 * Enters or leaves the frozen state after a write to A or B. The first
 * update comes a second after SET is cleared, half a second after the
 * divider chain leaves reset (datasheet, register A DV bits).
 */
static void apply_run_state(MC146818 *rtc, int64_t now, bool divider_released)
{
    bool freeze = should_freeze(rtc);

    if (freeze && !rtc->frozen) {
        snapshot_time(rtc, current_epoch(rtc, now));
        rtc->frozen = true;
    } else if (!freeze && rtc->frozen) {
        rtc->base_epoch = parse_time(rtc);
        rtc->base_ns = divider_released ? now - NS_PER_SEC / 2 : now;
        rtc->pf_checked_ns = now;
        rtc->frozen = false;
    }
    update_arm(rtc, now);
    periodic_arm(rtc, now);
}

static void write_time_reg(MC146818 *rtc, int index, uint8_t val, int64_t now)
{
    int64_t elapsed;

    if (rtc->frozen) {
        rtc->cmos[index] = val;
        return;
    }
    if (index == REG_WDAY) {
        log_mask(LOG_UNIMP, "mc146818: day of week follows the date; write ignored\n");
        return;
    }
    /* Running: edit the current time in place, keeping the second's phase. */
    elapsed = current_epoch(rtc, now) - rtc->base_epoch;
    snapshot_time(rtc, current_epoch(rtc, now));
    rtc->cmos[index] = val;
    rtc->base_epoch = parse_time(rtc) - elapsed;
    update_arm(rtc, now);
}

static void write_reg_b(MC146818 *rtc, uint8_t val, int64_t now)
{
    uint8_t old = rtc->cmos[REG_B];

    if (val & B_SET) {
        val &= ~B_UIE;          /* SET clears UIE (datasheet, register B) */
    }
    if (val & B_DSE) {
        log_mask(LOG_UNIMP, "mc146818: daylight saving (DSE) not implemented\n");
    }
    if (val & B_SQWE) {
        log_mask(LOG_UNIMP, "mc146818: square-wave output not connected\n");
    }
    if (rtc->frozen && ((old ^ val) & (B_DM_BIN | B_24H))) {
        log_mask(LOG_GUEST_ERRORS, "mc146818: data mode changed while SET: time bytes not converted\n");
    }
    if ((val & B_PIE) && !(old & B_PIE)) {
        catch_up_pf(rtc, now);
    }
    rtc->cmos[REG_B] = val;
    apply_run_state(rtc, now, false);
    update_irq(rtc);
}

static void rtc_write_reg(MC146818 *rtc, int index, uint8_t val)
{
    int64_t now = clock_get_ns();
    bool released;

    if (is_time_reg(index)) {
        write_time_reg(rtc, index, val, now);
        return;
    }
    switch (index) {
    case REG_A:
        if ((val & A_DV_MASK) != A_DV_32K && (val & A_DV_MASK) < 0x60) {
            log_mask(LOG_UNIMP, "mc146818: time base DV=%d not emulated: clock stopped\n",
                     (val >> 4) & 7);
        }
        catch_up_pf(rtc, now);
        released = (rtc->cmos[REG_A] & 0x60) == 0x60 && (val & A_DV_MASK) == A_DV_32K;
        rtc->cmos[REG_A] = (rtc->cmos[REG_A] & A_UIP) | (val & ~A_UIP);
        apply_run_state(rtc, now, released);
        break;
    case REG_B:
        write_reg_b(rtc, val, now);
        break;
    case REG_C:
    case REG_D:
        log_mask(LOG_GUEST_ERRORS, "mc146818: write 0x%02x to read-only register %c\n",
                 val, index == REG_C ? 'C' : 'D');
        break;
    default:
        rtc->cmos[index] = val;
        break;
    }
}

static uint8_t read_reg_a(MC146818 *rtc, int64_t now)
{
    uint8_t v = rtc->cmos[REG_A] & ~A_UIP;

    if (!rtc->frozen) {
        int64_t phase = (now - rtc->base_ns) % NS_PER_SEC;
        if (phase < 0) {
            phase += NS_PER_SEC;
        }
        if (phase >= NS_PER_SEC - UIP_WINDOW_NS) {
            v |= A_UIP;
        }
    }
    return v;
}

/* Register C: flags, cleared with IRQF and the IRQ line by the read. */
static uint8_t read_reg_c(MC146818 *rtc, int64_t now)
{
    uint8_t v;

    if (!(rtc->cmos[REG_B] & B_PIE)) {
        catch_up_pf(rtc, now);
    }
    v = rtc->cmos[REG_C];
    rtc->cmos[REG_C] = 0;
    rtc->pf_checked_ns = now;
    update_irq(rtc);
    return v;
}

static uint8_t rtc_read_reg(MC146818 *rtc, int index, bool side_effects)
{
    int64_t now = clock_get_ns();

    if (is_time_reg(index)) {
        return rtc->frozen ? rtc->cmos[index]
                           : time_reg_value(rtc, index, current_epoch(rtc, now));
    }
    switch (index) {
    case REG_A:
        return read_reg_a(rtc, now);
    case REG_C:
        return side_effects ? read_reg_c(rtc, now) : rtc->cmos[REG_C];
    case REG_D:
        return D_VRT;
    default:
        return rtc->cmos[index];
    }
}

static uint64_t rtc_io_read(void *opaque, uint64_t offset, unsigned size)
{
    MC146818 *rtc = opaque;
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++) {
        uint64_t b = 0xff;
        if (offset + i == 1) {
            b = rtc_read_reg(rtc, rtc->index, true);
        } else if (offset + i == 0) {
            log_mask(LOG_GUEST_ERRORS, "mc146818: read of the write-only index port 0x70\n");
        }
        v |= b << (8 * i);
    }
    return v;
}

static void rtc_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    MC146818 *rtc = opaque;

    for (unsigned i = 0; i < size && offset + i < 2; i++) {
        uint8_t b = (value >> (8 * i)) & 0xff;
        if (offset + i == 0) {
            rtc->index = b & 0x7f;
            rtc->nmi_masked = b & 0x80;
        } else {
            rtc_write_reg(rtc, rtc->index, b);
        }
    }
}

static const BusOps rtc_ops = {
    .read = rtc_io_read,
    .write = rtc_io_write,
};

void mc146818_set_cmos(MC146818 *rtc, int index, uint8_t val)
{
    if (index < 0 || index >= MC146818_CMOS_SIZE) {
        return;
    }
    rtc_write_reg(rtc, index, val);
}

uint8_t mc146818_get_cmos(MC146818 *rtc, int index)
{
    if (index < 0 || index >= MC146818_CMOS_SIZE) {
        return 0xff;
    }
    return rtc_read_reg(rtc, index, false);
}

bool mc146818_nmi_masked(MC146818 *rtc)
{
    return rtc->nmi_masked;
}

void mc146818_reset(MC146818 *rtc)
{
    int64_t now = clock_get_ns();

    rtc->cmos[REG_B] &= ~(B_PIE | B_AIE | B_UIE | B_SQWE);
    rtc->cmos[REG_C] = 0;
    rtc->index = 0;
    rtc->nmi_masked = false;
    rtc->pf_checked_ns = now;
    update_irq(rtc);
    update_arm(rtc, now);
    periodic_arm(rtc, now);
}

MC146818 *mc146818_new(Bus *io, IrqLine *irq8, GError **errp)
{
    MC146818 *rtc = g_new0(MC146818, 1);
    int64_t host_us = g_get_real_time();
    int64_t now = clock_get_ns();

    rtc->io = io;
    rtc->irq = irq8;
    rtc->region = bus_add_io(io, "rtc", 0x70, 2, &rtc_ops, rtc, errp);
    if (!rtc->region) {
        g_free(rtc);
        return NULL;
    }
    rtc->update_timer = timer_new(update_cb, rtc);
    rtc->periodic_timer = timer_new(periodic_cb, rtc);
    rtc->cmos[REG_A] = A_DV_32K | 0x06;     /* 1024 Hz rate, as firmware sets */
    rtc->cmos[REG_B] = B_24H;               /* BCD, 24 hour */
    rtc->cmos[REG_D] = D_VRT;
    /* Second boundaries line up with the host's. */
    rtc->base_epoch = host_us / G_USEC_PER_SEC;
    rtc->base_ns = now - (host_us % G_USEC_PER_SEC) * 1000;
    rtc->pf_checked_ns = now;
    mc146818_reset(rtc);
    return rtc;
}

void mc146818_free(MC146818 *rtc)
{
    if (!rtc) {
        return;
    }
    bus_remove(rtc->io, rtc->region);
    timer_free(rtc->update_timer);
    timer_free(rtc->periodic_timer);
    g_free(rtc);
}
