/*
 * test-i8254.c: the 8254 PIT driven through ports 0x40-0x43 and 0x61 with
 * the virtual clock stepped by hand: exact counts in modes 0, 2 and 3,
 * IRQ 0 edges, modes 1, 4 and 5, counter latch and read-back, access
 * modes, BCD, channel 2's gate and output in port 0x61, and misuse.
 */
#include "vireo/common.h"
#include "vireo/log.h"
#include "hw/bus.h"
#include "hw/clock.h"
#include "hw/irq.h"
#include "hw/i8254.h"
#include "hw/i8259.h"

#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>
#include "test-util.h"

static int64_t fake_now;
static int64_t fake_clock(void) { return fake_now; }

typedef struct Fixture {
    Bus *io;
    IrqLine *irq;
    int level;
    int edges;
    I8254 *pit;
    int64_t t0;
} Fixture;

static void irq_handler(void *opaque, int n, int level)
{
    Fixture *f = opaque;
    if (level && !f->level) {
        f->edges++;
    }
    f->level = level;
}

static int setup(void **state)
{
    Fixture *f = g_new0(Fixture, 1);
    fake_now = 1000000;
    clock_set_source(fake_clock);
    f->io = bus_new("io", 0x10000, 0);
    f->irq = irq_new(irq_handler, f, 0);
    f->pit = i8254_new(f->io, f->irq, NULL);
    assert_non_null(f->pit);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    i8254_free(f->pit);
    irq_free(f->irq);
    bus_free(f->io);
    g_free(f);
    clock_set_source(NULL);
    return 0;
}

static void out(Fixture *f, uint16_t port, uint8_t v) { bus_write(f->io, port, v, 1); }
static uint8_t in(Fixture *f, uint16_t port) { return bus_read(f->io, port, 1); }

/* The first ns at which t clocks have elapsed since t0. */
static int64_t tick_ns(int64_t t)
{
    return (t * NS_PER_SEC + I8254_CLOCK_HZ - 1) / I8254_CLOCK_HZ;
}

/* Moves the clock to t clocks after f->t0 and runs due timers. */
static void at_tick(Fixture *f, int64_t t)
{
    fake_now = f->t0 + tick_ns(t);
    timers_run_expired();
}

/* Programs channel ch with a control word and a 16-bit count; t0 = now. */
static void program(Fixture *f, int ch, uint8_t mode, uint16_t count)
{
    out(f, 0x43, (ch << 6) | 0x30 | (mode << 1));
    out(f, 0x40 + ch, count & 0xff);
    f->t0 = fake_now;
    out(f, 0x40 + ch, count >> 8);
}

static uint16_t read16(Fixture *f, int ch)
{
    uint16_t lo = in(f, 0x40 + ch);
    return lo | in(f, 0x40 + ch) << 8;
}

static void test_mode0_counts_down_exactly_and_raises_irq_at_terminal_count(void **state)
{
    Fixture *f = *state;
    program(f, 0, 0, 1000);
    assert_int_equal(f->level, 0);
    assert_int_equal(read16(f, 0), 1000);
    at_tick(f, 1);
    assert_int_equal(read16(f, 0), 999);
    at_tick(f, 600);
    assert_int_equal(read16(f, 0), 400);
    at_tick(f, 999);
    assert_int_equal(f->level, 0);
    assert_int_equal(read16(f, 0), 1);
    at_tick(f, 1000);
    assert_int_equal(f->level, 1);
    assert_int_equal(f->edges, 1);
    at_tick(f, 1001);
    assert_int_equal(read16(f, 0), 0xffff);   /* wraps, OUT stays high */
    at_tick(f, 70000);
    assert_int_equal(f->level, 1);
    assert_int_equal(f->edges, 1);
}

static void test_mode0_first_byte_stops_count_and_lowers_out(void **state)
{
    Fixture *f = *state;
    program(f, 0, 0, 100);
    at_tick(f, 150);
    assert_int_equal(f->level, 1);
    out(f, 0x40, 0x10);
    assert_int_equal(f->level, 0);
    at_tick(f, 300);
    assert_int_equal(f->level, 0);
    f->t0 = fake_now;
    out(f, 0x40, 0x00);                       /* count 0x10 starts now */
    at_tick(f, 16);
    assert_int_equal(f->level, 1);
}

static void test_mode0_count_zero_means_65536(void **state)
{
    Fixture *f = *state;
    program(f, 0, 0, 0);
    at_tick(f, 1);
    assert_int_equal(read16(f, 0), 0xffff);
    at_tick(f, 65535);
    assert_int_equal(f->level, 0);
    at_tick(f, 65536);
    assert_int_equal(f->level, 1);
}

static void test_mode2_reads_n_to_1_and_interrupts_once_per_period(void **state)
{
    Fixture *f = *state;
    program(f, 0, 2, 100);
    assert_int_equal(f->level, 1);
    f->edges = 0;
    assert_int_equal(read16(f, 0), 100);
    at_tick(f, 98);
    assert_int_equal(read16(f, 0), 2);
    at_tick(f, 99);
    assert_int_equal(read16(f, 0), 1);
    assert_int_equal(f->level, 0);            /* OUT low for one clock */
    assert_int_equal(i8254_get_out(f->pit, 0), 0);
    at_tick(f, 100);
    assert_int_equal(read16(f, 0), 100);
    assert_int_equal(f->level, 1);
    assert_int_equal(f->edges, 1);
    for (int k = 2; k <= 10; k++) {
        at_tick(f, 100 * k - 1);
        at_tick(f, 100 * k);
    }
    assert_int_equal(f->edges, 10);
}

static void test_mode2_late_host_merges_missed_periods_into_one_edge(void **state)
{
    Fixture *f = *state;
    program(f, 0, 2, 100);
    f->edges = 0;
    at_tick(f, 550);
    assert_int_equal(f->edges, 1);
    assert_int_equal(f->level, 1);
    at_tick(f, 600);
    assert_int_equal(f->edges, 2);
}

static void test_mode2_new_count_takes_effect_at_end_of_period(void **state)
{
    Fixture *f = *state;
    program(f, 0, 2, 100);
    at_tick(f, 30);
    out(f, 0x40, 50);
    out(f, 0x40, 0);
    assert_int_equal(read16(f, 0), 70);       /* old period continues */
    at_tick(f, 100);
    assert_int_equal(read16(f, 0), 50);
    at_tick(f, 140);
    assert_int_equal(read16(f, 0), 10);
    f->edges = 0;
    at_tick(f, 149);
    at_tick(f, 150);
    assert_int_equal(f->edges, 1);
}

static void test_mode3_even_count_square_wave_values(void **state)
{
    Fixture *f = *state;
    static const uint16_t expect[] = { 10, 8, 6, 4, 2, 10, 8, 6, 4, 2, 10 };
    static const int out_expect[] = { 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1 };

    program(f, 0, 3, 10);
    for (int t = 0; t <= 10; t++) {
        at_tick(f, t);
        assert_int_equal(read16(f, 0), expect[t]);
        assert_int_equal(f->level, out_expect[t]);
    }
}

static void test_mode3_odd_count_high_one_clock_longer(void **state)
{
    Fixture *f = *state;
    static const uint16_t expect[] = { 9, 8, 6, 4, 2, 9, 6, 4, 2, 9 };
    static const int out_expect[] = { 1, 1, 1, 1, 1, 0, 0, 0, 0, 1 };

    program(f, 0, 3, 9);
    for (int t = 0; t <= 9; t++) {
        at_tick(f, t);
        assert_int_equal(read16(f, 0), expect[t]);
        assert_int_equal(f->level, out_expect[t]);
    }
}

static void test_mode3_irq0_edges_follow_rate(void **state)
{
    Fixture *f = *state;
    program(f, 0, 3, 11932);                  /* ~100 Hz */
    f->edges = 0;
    for (int64_t ms = 1; ms <= 1000; ms++) {
        fake_now = f->t0 + ms * 1000000;
        timers_run_expired();
    }
    assert_in_range(f->edges, 99, 100);
}

static void test_counter_latch_freezes_value_until_read(void **state)
{
    Fixture *f = *state;
    program(f, 0, 0, 1000);
    at_tick(f, 10);
    out(f, 0x43, 0x00);                       /* latch channel 0 */
    at_tick(f, 500);
    out(f, 0x43, 0x00);                       /* ignored: already latched */
    assert_int_equal(in(f, 0x40), 990 & 0xff);
    at_tick(f, 600);
    assert_int_equal(in(f, 0x40), 990 >> 8);
    assert_int_equal(read16(f, 0), 400);
}

static void test_read_back_latches_status_then_count(void **state)
{
    Fixture *f = *state;
    out(f, 0x43, 0x34);                       /* ch0 word mode 2 */
    out(f, 0x43, 0xe2);                       /* status only */
    assert_int_equal(in(f, 0x40), 0xc0 | 0x34);   /* OUT high, null count */
    program(f, 0, 2, 500);
    at_tick(f, 100);
    out(f, 0x43, 0xc2);                       /* status and count */
    at_tick(f, 200);
    assert_int_equal(in(f, 0x40), 0x80 | 0x34);
    assert_int_equal(read16(f, 0), 400);
    assert_int_equal(read16(f, 0), 300);
}

static void test_read_back_count_of_several_channels(void **state)
{
    Fixture *f = *state;
    program(f, 0, 0, 1000);
    program(f, 1, 0, 2000);
    f->t0 = fake_now;
    at_tick(f, 5);
    out(f, 0x43, 0xd4);                       /* read-back: count of channel 1 */
    at_tick(f, 50);
    assert_int_equal(read16(f, 1), 1995);
    assert_int_equal(read16(f, 0), 950);      /* ch0 was not latched */
}

static void test_lsb_only_and_msb_only_access_modes(void **state)
{
    Fixture *f = *state;
    out(f, 0x43, 0x50);                       /* ch1 LSB only, mode 0 */
    out(f, 0x41, 0x20);
    f->t0 = fake_now;
    assert_int_equal(in(f, 0x41), 0x20);
    assert_int_equal(in(f, 0x41), 0x20);
    out(f, 0x43, 0x60);                       /* ch1 MSB only */
    out(f, 0x41, 0x12);
    f->t0 = fake_now;
    at_tick(f, 1);
    assert_int_equal(in(f, 0x41), 0x11);      /* 0x11ff */
}

static void test_bcd_mode_counts_in_decimal(void **state)
{
    Fixture *f = *state;
    out(f, 0x43, 0x31);
    out(f, 0x40, 0x00);
    f->t0 = fake_now;
    out(f, 0x40, 0x10);                       /* 1000 decimal */
    assert_int_equal(read16(f, 0), 0x1000);
    at_tick(f, 1);
    assert_int_equal(read16(f, 0), 0x0999);
    at_tick(f, 1000);
    assert_int_equal(f->level, 1);
    at_tick(f, 1001);
    assert_int_equal(read16(f, 0), 0x9999);
}

static void test_linux_pit_calibration_sees_out2_rise(void **state)
{
    Fixture *f = *state;
    out(f, 0x61, (in(f, 0x61) & ~0x02) | 0x01);
    out(f, 0x43, 0xb0);
    out(f, 0x42, 0x9c);
    f->t0 = fake_now;
    out(f, 0x42, 0x2e);
    at_tick(f, 0x2e9c - 1);
    assert_int_equal(in(f, 0x61) & 0x20, 0);
    at_tick(f, 0x2e9c);
    assert_int_equal(in(f, 0x61) & 0x21, 0x21);
}

static void test_gate_low_suspends_mode0_on_channel2(void **state)
{
    Fixture *f = *state;
    out(f, 0x61, 0x01);
    program(f, 2, 0, 1000);
    at_tick(f, 100);
    out(f, 0x61, 0x00);
    at_tick(f, 5000);
    assert_int_equal(read16(f, 2), 900);
    out(f, 0x61, 0x01);
    f->t0 = fake_now;
    at_tick(f, 899);
    assert_int_equal(in(f, 0x61) & 0x20, 0);
    at_tick(f, 900);
    assert_int_equal(in(f, 0x61) & 0x20, 0x20);
}

static void test_gate_low_holds_mode2_out_high_and_rise_reloads(void **state)
{
    Fixture *f = *state;
    out(f, 0x61, 0x01);
    program(f, 2, 2, 100);
    at_tick(f, 99);
    assert_int_equal(in(f, 0x61) & 0x20, 0);
    out(f, 0x61, 0x00);
    assert_int_equal(in(f, 0x61) & 0x20, 0x20);
    at_tick(f, 150);
    out(f, 0x61, 0x01);
    f->t0 = fake_now;
    assert_int_equal(read16(f, 2), 100);
    at_tick(f, 40);
    assert_int_equal(read16(f, 2), 60);
}

static void test_mode1_one_shot_triggered_by_gate(void **state)
{
    Fixture *f = *state;
    program(f, 2, 1, 50);
    assert_int_equal(in(f, 0x61) & 0x20, 0x20);   /* high until triggered */
    out(f, 0x61, 0x01);
    f->t0 = fake_now;
    at_tick(f, 49);
    assert_int_equal(in(f, 0x61) & 0x20, 0);
    at_tick(f, 50);
    assert_int_equal(in(f, 0x61) & 0x20, 0x20);
    out(f, 0x61, 0x00);
    out(f, 0x61, 0x01);                       /* retrigger */
    assert_int_equal(in(f, 0x61) & 0x20, 0);
}

static void test_mode4_strobe_gives_one_irq_edge(void **state)
{
    Fixture *f = *state;
    program(f, 0, 4, 20);
    assert_int_equal(f->level, 1);
    f->edges = 0;
    at_tick(f, 20);
    assert_int_equal(f->level, 0);
    at_tick(f, 21);
    assert_int_equal(f->level, 1);
    assert_int_equal(f->edges, 1);
    at_tick(f, 70000);
    assert_int_equal(f->edges, 1);
}

static void test_mode4_strobe_missed_by_late_host_still_interrupts(void **state)
{
    Fixture *f = *state;
    program(f, 0, 4, 20);
    f->edges = 0;
    at_tick(f, 500);
    assert_int_equal(f->edges, 1);
    assert_int_equal(f->level, 1);
}

static void test_mode5_strobe_triggered_by_gate(void **state)
{
    Fixture *f = *state;
    program(f, 2, 5, 10);
    at_tick(f, 100);
    assert_int_equal(in(f, 0x61) & 0x20, 0x20);
    out(f, 0x61, 0x01);
    f->t0 = fake_now;
    at_tick(f, 10);
    assert_int_equal(in(f, 0x61) & 0x20, 0);
    at_tick(f, 11);
    assert_int_equal(in(f, 0x61) & 0x20, 0x20);
}

static void test_port61_keeps_low_bits_and_toggles_refresh(void **state)
{
    Fixture *f = *state;
    uint8_t a, b;

    out(f, 0x61, 0xff);
    assert_int_equal(in(f, 0x61) & 0x0f, 0x0f);
    assert_int_equal(in(f, 0x61) & 0xc0, 0);
    a = in(f, 0x61) & 0x10;
    fake_now += 15085;
    b = in(f, 0x61) & 0x10;
    assert_int_not_equal(a, b);
}

static void test_misuse_is_logged_not_fatal(void **state)
{
    Fixture *f = *state;

    assert_int_equal(in(f, 0x43), 0xff);        /* write-only */
    assert_int_equal(in(f, 0x41), 0);           /* before a control word */
    out(f, 0x41, 0x12);                         /* count before control word */
    bus_write(f->io, 0x42, 0x34b6, 2);          /* 0x42 <- 0xb6, 0x43 <- 0x34 */
    bus_read(f->io, 0x40, 4);
    out(f, 0x43, 0x35);                         /* BCD with bad digits */
    out(f, 0x40, 0xff);
    out(f, 0x40, 0xff);
    out(f, 0x43, 0x14);                         /* count 1 in mode 2 */
    out(f, 0x40, 0x01);
    f->t0 = fake_now;
    at_tick(f, 100);
    assert_int_equal(i8254_get_out(f->pit, 3), -1);
}

/* Channel 0 through a real i8259 input: the PIC's edge detection sees
 * one interrupt per mode 2 period, as Linux's periodic tick needs. */
static void test_mode2_ticks_reach_i8259_as_vector_per_period(void **state)
{
    Bus *io = bus_new("io2", 0x10000, 0);
    I8259 *pic = i8259_new(io, NULL, NULL);
    I8254 *pit = i8254_new(io, i8259_input(pic, 0), NULL);
    int64_t t0;
    int ticks = 0;

    static const uint8_t init[][2] = {
        { 0x20, 0x11 }, { 0x21, 0x30 }, { 0x21, 0x04 }, { 0x21, 0x01 },
        { 0xa0, 0x11 }, { 0xa1, 0x38 }, { 0xa1, 0x02 }, { 0xa1, 0x01 },
        { 0x21, 0xfe }, { 0xa1, 0xff },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(init); i++) {
        bus_write(io, init[i][0], init[i][1], 1);
    }
    bus_write(io, 0x43, 0x34, 1);
    bus_write(io, 0x40, 1193 & 0xff, 1);            /* ~1 kHz */
    t0 = fake_now;
    bus_write(io, 0x40, 1193 >> 8, 1);
    /* The control word drove OUT high: that first edge is an interrupt. */
    assert_true(i8259_pending(pic));
    assert_int_equal(i8259_ack(pic), 0x30);
    bus_write(io, 0x20, 0x20, 1);
    for (int us = 10; us <= 100000; us += 10) {
        fake_now = t0 + us * 1000LL;
        timers_run_expired();
        if (i8259_pending(pic)) {
            assert_int_equal(i8259_ack(pic), 0x30);
            bus_write(io, 0x20, 0x20, 1);
            ticks++;
        }
    }
    assert_in_range(ticks, 99, 100);
    i8254_free(pit);
    i8259_free(pic);
    bus_free(io);
}

/* Random guest traffic on every port while time runs: no crash, bounded. */
static void test_random_port_traffic_is_survived(void **state)
{
    Fixture *f = *state;
    GRand *r = g_rand_new_with_seed(8254);

    for (int i = 0; i < 20000; i++) {
        int port = g_rand_int_range(r, 0x40, 0x45);
        if (port == 0x44) {
            port = 0x61;
        }
        switch (g_rand_int_range(r, 0, 3)) {
        case 0: out(f, port, g_rand_int(r)); break;
        case 1: in(f, port); break;
        default:
            fake_now += g_rand_int_range(r, 0, 100000);
            assert_true(timers_run_expired() <= 1);
            break;
        }
    }
    g_rand_free(r);
}

static void test_reset_stops_irq0(void **state)
{
    Fixture *f = *state;
    program(f, 0, 2, 100);
    i8254_reset(f->pit);
    assert_int_equal(f->level, 0);
    f->edges = 0;
    at_tick(f, 1000);
    assert_int_equal(f->edges, 0);
}

int main(void)
{
    log_to_null(~0u);
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_mode0_counts_down_exactly_and_raises_irq_at_terminal_count),
        T(test_mode0_first_byte_stops_count_and_lowers_out),
        T(test_mode0_count_zero_means_65536),
        T(test_mode2_reads_n_to_1_and_interrupts_once_per_period),
        T(test_mode2_late_host_merges_missed_periods_into_one_edge),
        T(test_mode2_new_count_takes_effect_at_end_of_period),
        T(test_mode3_even_count_square_wave_values),
        T(test_mode3_odd_count_high_one_clock_longer),
        T(test_mode3_irq0_edges_follow_rate),
        T(test_counter_latch_freezes_value_until_read),
        T(test_read_back_latches_status_then_count),
        T(test_read_back_count_of_several_channels),
        T(test_lsb_only_and_msb_only_access_modes),
        T(test_bcd_mode_counts_in_decimal),
        T(test_linux_pit_calibration_sees_out2_rise),
        T(test_gate_low_suspends_mode0_on_channel2),
        T(test_gate_low_holds_mode2_out_high_and_rise_reloads),
        T(test_mode1_one_shot_triggered_by_gate),
        T(test_mode4_strobe_gives_one_irq_edge),
        T(test_mode4_strobe_missed_by_late_host_still_interrupts),
        T(test_mode5_strobe_triggered_by_gate),
        T(test_port61_keeps_low_bits_and_toggles_refresh),
        T(test_misuse_is_logged_not_fatal),
        T(test_mode2_ticks_reach_i8259_as_vector_per_period),
        T(test_random_port_traffic_is_survived),
        T(test_reset_stops_irq0),
#undef T
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (log_set_file(NULL, NULL) < 0) {
        return 1;
    }
    return rc;
}
