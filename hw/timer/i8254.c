/*
 * i8254.c: the PC's programmable interval timer, an Intel 8254. Nothing
 * ticks: each counter remembers when its count was loaded, and its value
 * and OUT pin are computed from the virtual clock (hw/clock.h) when the
 * guest reads them, so reads are exact at 1.193182 MHz. Channel 0's OUT
 * drives ISA IRQ 0 through a Timer armed at each change of the pin.
 * Channel 2's gate and OUT live in port 0x61 (the PC speaker port).
 *
 * References: Intel 8254 datasheet (order 231164), "Mode definitions"
 * (modes 0-5), "Read operations" (counter latch, read-back command,
 * status byte); IBM PC/AT technical reference for port 0x61.
 *
 * Simplifications: a count is loaded on the write itself (the chip waits
 * for the next CLK); in mode 3 a count rewritten during counting takes
 * effect at the end of the period, not of the half-period.
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "vireo/log.h"
#include "hw/clock.h"
#include "hw/i8254.h"

#define REFRESH_PERIOD_NS 15085     /* DRAM refresh request, port 0x61 bit 4 */

enum { RW_LATCH = 0, RW_LSB = 1, RW_MSB = 2, RW_WORD = 3 };

typedef struct PitChannel {
    struct I8254 *pit;
    int index;
    uint8_t mode;            /* 0..5 (6 and 7 folded onto 2 and 3) */
    uint8_t mode_bits;       /* M2-M0 as written, for the status byte */
    uint8_t rw;
    bool bcd;

    uint32_t cr;             /* last count written: 1..65536 (10000 BCD) */
    bool cr_valid;           /* a count was written since the control word */
    uint16_t cr_partial;     /* LSB of a word write in progress */
    bool write_msb_next, read_msb_next;

    bool armed;              /* counting from load_time with count */
    uint32_t count;
    int64_t load_time;
    uint16_t frozen;         /* the counter's value while not armed */
    bool null_count;

    bool reload_pending;     /* modes 2, 3: new count at the period's end */
    int64_t reload_at;

    bool gate;
    int64_t gate_low_since;

    bool count_latched, status_latched, latch_msb_next;
    uint16_t latched_count;
    uint8_t latched_status;

    /* Channel 0's IRQ bookkeeping. */
    int64_t irq_load_time;
    int64_t irq_last_period;
    bool reloaded_at_boundary;
    bool strobe_done;
} PitChannel;

struct I8254 {
    PitChannel ch[3];
    IrqLine *irq0;
    Timer *timer;
    Bus *io;
    BusRegion *region, *region61;
    uint8_t port61;          /* bits 0-3 as written */
};

static uint32_t wrap_of(PitChannel *c)
{
    return c->bcd ? 10000 : 0x10000;
}

/* Whole input clocks in delta ns (0 if negative). */
static int64_t ns_to_ticks(int64_t delta)
{
    if (delta <= 0) {
        return 0;
    }
    return (int64_t)((unsigned __int128)delta * I8254_CLOCK_HZ / NS_PER_SEC);
}

/* The first virtual time at which ticks since base reach t. */
static int64_t tick_to_ns(int64_t base, int64_t t)
{
    unsigned __int128 num = (unsigned __int128)t * NS_PER_SEC + I8254_CLOCK_HZ - 1;
    return base + (int64_t)(num / I8254_CLOCK_HZ);
}

/* Counting stops while the gate is low in modes 0, 2, 3 and 4. */
static bool gate_suspends(PitChannel *c)
{
    return !c->gate && c->mode != 1 && c->mode != 5;
}

/* Applies a deferred mode 2/3 reload whose time has come. */
static void pit_sync(PitChannel *c, int64_t now)
{
    if (c->reload_pending && !gate_suspends(c) && now >= c->reload_at) {
        c->load_time = c->reload_at;
        c->count = c->cr;
        c->reload_pending = false;
        c->null_count = false;
        c->reloaded_at_boundary = true;
    }
}

/* Clocks counted since the load, honouring a suspending gate. */
static int64_t elapsed_ticks(PitChannel *c, int64_t now)
{
    return ns_to_ticks((gate_suspends(c) ? c->gate_low_since : now) - c->load_time);
}

/* Counts in modes 2 and 3 below 2 would toggle every clock: refused. */
static uint32_t period_of(PitChannel *c)
{
    return c->count < 2 ? 2 : c->count;
}

/* The counter's value (binary, 0..wrap-1) at now (datasheet mode figures). */
static uint32_t counter_value(PitChannel *c, int64_t now)
{
    int64_t d, p;
    uint32_t n = c->count, wrap = wrap_of(c);

    if (!c->armed) {
        return c->frozen;
    }
    d = elapsed_ticks(c, now);
    switch (c->mode) {
    case 2:
        return (n - d % period_of(c)) % wrap;
    case 3: {
        uint32_t per = period_of(c), high = (per + 1) / 2;
        p = d % per;
        if (p >= high) {
            p -= high;      /* low half: same pattern, reloaded */
            if (per & 1) {
                return p == 0 ? n % wrap : (uint32_t)(n - 1 - 2 * p) % wrap;
            }
        }
        if (p == 0) {
            return n % wrap;
        }
        return (uint32_t)((per & 1) ? n + 1 - 2 * p : n - 2 * p) % wrap;
    }
    default:                /* 0, 1, 4, 5: down-count and wrap */
        return (uint32_t)(((int64_t)n - d % wrap + wrap) % wrap);
    }
}

static int channel_out(PitChannel *c, int64_t now)
{
    int64_t d;

    if (!c->armed) {
        return c->mode != 0;    /* after the control word: mode 0 low, else high */
    }
    d = elapsed_ticks(c, now);
    switch (c->mode) {
    case 0:
    case 1:
        return d >= c->count;
    case 2:
        return c->gate ? d % period_of(c) != period_of(c) - 1 : 1;
    case 3:
        return c->gate ? d % period_of(c) < (period_of(c) + 1) / 2 : 1;
    default:                /* 4, 5: low for the one clock after terminal count */
        return d != c->count;
    }
}

static uint16_t to_bcd(uint32_t v)
{
    return (v % 10) | ((v / 10 % 10) << 4) | ((v / 100 % 10) << 8) | ((v / 1000 % 10) << 12);
}

static uint32_t from_bcd(PitChannel *c, uint16_t v)
{
    uint32_t r = 0;
    for (int shift = 12; shift >= 0; shift -= 4) {
        unsigned digit = (v >> shift) & 0xf;
        if (digit > 9) {
            log_mask(LOG_GUEST_ERRORS, "i8254: channel %d: bad BCD count 0x%04x\n",
                     c->index, v);
            digit = 9;
        }
        r = r * 10 + digit;
    }
    return r;
}

/* The next virtual time channel 0's OUT changes (or a reload is due), or -1. */
static int64_t next_event_ns(PitChannel *c, int64_t now)
{
    int64_t d, p, t = -1, ev, per, n = c->count;

    if (!c->armed || gate_suspends(c)) {
        return -1;
    }
    d = elapsed_ticks(c, now);
    per = period_of(c);
    switch (c->mode) {
    case 0:
    case 1:
        t = d < n ? n : -1;
        break;
    case 2:
        p = d % per;
        t = d - p + (p < per - 1 ? per - 1 : per);
        break;
    case 3:
        p = d % per;
        t = d - p + (p < (per + 1) / 2 ? (per + 1) / 2 : per);
        break;
    default:
        t = d < n ? n : (d == n ? n + 1 : -1);
        break;
    }
    ev = t < 0 ? -1 : tick_to_ns(c->load_time, t);
    if (c->reload_pending && (ev < 0 || c->reload_at < ev)) {
        ev = c->reload_at;
    }
    return ev;
}

/* A rising edge the PIC must see, whatever the level is now. */
static void irq0_edge(I8254 *pit)
{
    irq_set(pit->irq0, 0);
    irq_set(pit->irq0, 1);
}

/*
 * Brings IRQ 0 up to date with channel 0 at now and re-arms the timer.
 * In modes 2 and 3 every period boundary is a rising edge; if the host
 * ran late past several, they merge into one edge (one interrupt).
 */
static void irq0_update(I8254 *pit, int64_t now)
{
    PitChannel *c = &pit->ch[0];
    int64_t ev;

    pit_sync(c, now);
    if (c->armed && (c->mode == 2 || c->mode == 3) && !gate_suspends(c)) {
        int64_t k = elapsed_ticks(c, now) / period_of(c);
        bool edge = c->reloaded_at_boundary;
        if (c->irq_load_time != c->load_time) {
            c->irq_load_time = c->load_time;
            c->irq_last_period = 0;
        }
        edge |= k > c->irq_last_period;
        c->irq_last_period = k;
        c->reloaded_at_boundary = false;
        if (edge) {
            irq0_edge(pit);
        }
    } else if (c->armed && (c->mode == 4 || c->mode == 5)) {
        /* The strobe's trailing (rising) edge is the interrupt; if the
         * host missed the low clock, make it here. */
        if (!c->strobe_done && elapsed_ticks(c, now) > c->count) {
            c->strobe_done = true;
            irq_set(pit->irq0, 0);
        }
    }
    irq_set(pit->irq0, channel_out(c, now));
    ev = next_event_ns(c, now);
    if (ev < 0) {
        timer_del(pit->timer);
    } else {
        timer_mod(pit->timer, MAX(ev, now + 1));
    }
}

static void irq0_timer_cb(void *opaque)
{
    I8254 *pit = opaque;
    irq0_update(pit, clock_get_ns());
}

static void channel_changed(PitChannel *c, int64_t now)
{
    if (c->index == 0) {
        irq0_update(c->pit, now);
    }
}

/* Starts counting from cr now (modes 0, 4; and 2, 3 when idle). */
static void start_count(PitChannel *c, int64_t now)
{
    c->count = c->cr;
    c->load_time = now;
    c->armed = true;
    c->null_count = false;
    c->reload_pending = false;
    c->strobe_done = false;
    c->reloaded_at_boundary = false;
    c->irq_load_time = now;
    c->irq_last_period = 0;
    if (!c->gate) {
        c->gate_low_since = now;    /* suspended until the gate rises */
    }
}

/* A complete count was written (datasheet "Write operations"). */
static void load_count(PitChannel *c, uint16_t raw, int64_t now)
{
    uint32_t n = c->bcd ? from_bcd(c, raw) : raw;

    c->cr = n ? n : wrap_of(c);
    c->cr_valid = true;
    c->null_count = true;
    pit_sync(c, now);
    switch (c->mode) {
    case 0:
    case 4:
        start_count(c, now);
        break;
    case 2:
    case 3:
        if (c->armed && !gate_suspends(c)) {
            uint32_t per = period_of(c);
            int64_t k = elapsed_ticks(c, now) / per;
            c->reload_pending = true;
            c->reload_at = tick_to_ns(c->load_time, (k + 1) * per);
        } else {
            start_count(c, now);
        }
        if (c->cr < 2) {
            log_mask(LOG_GUEST_ERRORS, "i8254: channel %d: count 1 in mode %d\n",
                     c->index, c->mode);
        }
        break;
    default:                /* 1, 5: the count waits for a gate trigger */
        break;
    }
    channel_changed(c, now);
}

static void write_counter(PitChannel *c, uint8_t val)
{
    int64_t now = clock_get_ns();

    switch (c->rw) {
    case RW_LSB:
        load_count(c, val, now);
        break;
    case RW_MSB:
        load_count(c, val << 8, now);
        break;
    case RW_WORD:
        if (!c->write_msb_next) {
            c->cr_partial = val;
            c->write_msb_next = true;
            if (c->mode == 0) {     /* the first byte stops the count */
                pit_sync(c, now);
                c->frozen = counter_value(c, now);
                c->armed = false;
                channel_changed(c, now);
            }
        } else {
            c->write_msb_next = false;
            load_count(c, c->cr_partial | (val << 8), now);
        }
        break;
    default:
        log_mask(LOG_GUEST_ERRORS, "i8254: channel %d: count written before a control word\n",
                 c->index);
        break;
    }
}

static uint8_t status_byte(PitChannel *c, int64_t now)
{
    return (channel_out(c, now) << 7) | (c->null_count << 6) | (c->rw << 4) |
           (c->mode_bits << 1) | c->bcd;
}

static uint16_t current_count(PitChannel *c, int64_t now)
{
    uint32_t v;

    pit_sync(c, now);
    v = counter_value(c, now);
    return c->bcd ? to_bcd(v) : (uint16_t)v;
}

static void latch_count(PitChannel *c, int64_t now)
{
    if (!c->count_latched) {        /* a second latch is ignored */
        c->latched_count = current_count(c, now);
        c->count_latched = true;
        c->latch_msb_next = false;
    }
}

/* Reads one byte of a 16-bit value per the access mode; true when done. */
static uint8_t byte_of(PitChannel *c, uint16_t v, bool *msb_next, bool *done)
{
    switch (c->rw) {
    case RW_LSB:
        *done = true;
        return v & 0xff;
    case RW_MSB:
        *done = true;
        return v >> 8;
    default:
        *done = *msb_next;
        *msb_next = !*msb_next;
        return *done ? v >> 8 : v & 0xff;
    }
}

static uint8_t read_counter(PitChannel *c)
{
    int64_t now = clock_get_ns();
    bool done;
    uint8_t v;

    if (c->status_latched) {
        c->status_latched = false;
        return c->latched_status;
    }
    if (c->count_latched) {
        v = byte_of(c, c->latched_count, &c->latch_msb_next, &done);
        if (done) {
            c->count_latched = false;
        }
        return v;
    }
    if (c->rw == RW_LATCH) {
        log_mask(LOG_GUEST_ERRORS, "i8254: channel %d read before a control word\n", c->index);
        return 0;
    }
    return byte_of(c, current_count(c, now), &c->read_msb_next, &done);
}

/* Read-back command (SC=11): D5 clear latches counts, D4 clear latches status. */
static void read_back(I8254 *pit, uint8_t val, int64_t now)
{
    for (int i = 0; i < 3; i++) {
        PitChannel *c = &pit->ch[i];
        if (!(val & (2 << i))) {
            continue;
        }
        if (!(val & 0x20)) {
            latch_count(c, now);
        }
        if (!(val & 0x10) && !c->status_latched) {
            pit_sync(c, now);
            c->latched_status = status_byte(c, now);
            c->status_latched = true;
        }
    }
}

static void write_control(I8254 *pit, uint8_t val)
{
    int64_t now = clock_get_ns();
    PitChannel *c;

    if ((val >> 6) == 3) {
        read_back(pit, val, now);
        return;
    }
    c = &pit->ch[val >> 6];
    if (((val >> 4) & 3) == RW_LATCH) {
        latch_count(c, now);
        return;
    }
    pit_sync(c, now);
    c->frozen = counter_value(c, now);
    c->rw = (val >> 4) & 3;
    c->mode_bits = (val >> 1) & 7;
    c->mode = c->mode_bits > 5 ? c->mode_bits - 4 : c->mode_bits;
    c->bcd = val & 1;
    c->armed = false;
    c->cr_valid = false;
    c->null_count = true;
    c->reload_pending = false;
    c->write_msb_next = c->read_msb_next = false;
    c->count_latched = false;
    channel_changed(c, now);
}

/* Gate input of a channel (only channel 2's is wired, to port 0x61). */
static void set_gate(PitChannel *c, bool level, int64_t now)
{
    if (c->gate == level) {
        return;
    }
    pit_sync(c, now);
    if (!level) {
        c->gate_low_since = now;
        c->gate = false;
        channel_changed(c, now);
        return;
    }
    c->gate = true;
    switch (c->mode) {
    case 0:
    case 4:
        if (c->armed) {
            c->load_time += now - c->gate_low_since;    /* resume */
        }
        break;
    default:                /* 1, 2, 3, 5: a rising gate (re)starts the count */
        if (c->cr_valid) {
            start_count(c, now);
        }
        break;
    }
    channel_changed(c, now);
}

static uint64_t pit_io_read(void *opaque, uint64_t offset, unsigned size)
{
    I8254 *pit = opaque;
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++) {
        uint64_t b = 0xff;
        if (offset + i < 3) {
            b = read_counter(&pit->ch[offset + i]);
        } else if (offset + i == 3) {
            log_mask(LOG_GUEST_ERRORS, "i8254: read of the write-only control register\n");
        }
        v |= b << (8 * i);
    }
    return v;
}

static void pit_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    I8254 *pit = opaque;

    for (unsigned i = 0; i < size && offset + i < 4; i++) {
        uint8_t b = (value >> (8 * i)) & 0xff;
        if (offset + i == 3) {
            write_control(pit, b);
        } else {
            write_counter(&pit->ch[offset + i], b);
        }
    }
}

static const BusOps pit_ops = {
    .read = pit_io_read,
    .write = pit_io_write,
};

/* Port 0x61 (PC/AT system control port B). */
static uint64_t port61_read(void *opaque, uint64_t offset, unsigned size)
{
    I8254 *pit = opaque;
    int64_t now = clock_get_ns();
    PitChannel *c2 = &pit->ch[2];
    uint8_t v = pit->port61 & 0x0f;

    pit_sync(c2, now);
    v |= ((now / REFRESH_PERIOD_NS) & 1) << 4;
    v |= channel_out(c2, now) << 5;
    return v | (size > 1 ? ~(uint64_t)0xff : 0);
}

static void port61_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    I8254 *pit = opaque;

    pit->port61 = value & 0x0f;
    set_gate(&pit->ch[2], value & 1, clock_get_ns());
}

static const BusOps port61_ops = {
    .read = port61_read,
    .write = port61_write,
};

int i8254_get_out(I8254 *pit, int ch)
{
    int64_t now = clock_get_ns();

    if (ch < 0 || ch > 2) {
        return -1;
    }
    pit_sync(&pit->ch[ch], now);
    return channel_out(&pit->ch[ch], now);
}

void i8254_reset(I8254 *pit)
{
    int64_t now = clock_get_ns();

    timer_del(pit->timer);
    for (int i = 0; i < 3; i++) {
        PitChannel *c = &pit->ch[i];
        memset(c, 0, sizeof(*c));
        c->pit = pit;
        c->index = i;
        c->gate = i != 2;       /* gates 0 and 1 are tied high */
        c->gate_low_since = now;
        c->null_count = true;
    }
    pit->port61 = 0;
    irq_set(pit->irq0, 0);
}

I8254 *i8254_new(Bus *io, IrqLine *irq0, GError **errp)
{
    I8254 *pit = g_new0(I8254, 1);

    pit->io = io;
    pit->irq0 = irq0;
    pit->timer = timer_new(irq0_timer_cb, pit);
    pit->region = bus_add_io(io, "pit", 0x40, 4, &pit_ops, pit, errp);
    if (pit->region) {
        pit->region61 = bus_add_io(io, "port61", 0x61, 1, &port61_ops, pit, errp);
    }
    if (!pit->region61) {
        i8254_free(pit);
        return NULL;
    }
    i8254_reset(pit);
    return pit;
}

void i8254_free(I8254 *pit)
{
    if (!pit) {
        return;
    }
    if (pit->region) {
        bus_remove(pit->io, pit->region);
    }
    if (pit->region61) {
        bus_remove(pit->io, pit->region61);
    }
    timer_free(pit->timer);
    g_free(pit);
}
