/*
 * test-mc146818.c: the RTC and CMOS RAM driven through ports 0x70/0x71
 * with the virtual clock stepped by hand: the host time at start, setting
 * the time under SET, BCD/binary and 12/24-hour formats, UIP, update,
 * alarm and periodic interrupts, register C/D semantics, the NMI mask
 * bit, the board's CMOS accessors, and misuse.
 */
#include "vireo/common.h"
#include "vireo/log.h"
#include "hw/bus.h"
#include "hw/clock.h"
#include "hw/irq.h"
#include "hw/mc146818.h"

#include <time.h>
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
    MC146818 *rtc;
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
    fake_now = 5 * NS_PER_SEC;
    clock_set_source(fake_clock);
    f->io = bus_new("io", 0x10000, 0);
    f->irq = irq_new(irq_handler, f, 8);
    f->rtc = mc146818_new(f->io, f->irq, NULL);
    assert_non_null(f->rtc);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    mc146818_free(f->rtc);
    irq_free(f->irq);
    bus_free(f->io);
    g_free(f);
    clock_set_source(NULL);
    return 0;
}

static uint8_t cmos_in(Fixture *f, uint8_t idx)
{
    bus_write(f->io, 0x70, idx, 1);
    return bus_read(f->io, 0x71, 1);
}

static void cmos_out(Fixture *f, uint8_t idx, uint8_t v)
{
    bus_write(f->io, 0x70, idx, 1);
    bus_write(f->io, 0x71, v, 1);
}

static int bcd(uint8_t v) { return (v >> 4) * 10 + (v & 15); }

static void advance(int64_t ns)
{
    fake_now += ns;
    timers_run_expired();
}

/* Advances in 1 ms steps so the periodic timer fires as it would live. */
static void advance_ms(int ms)
{
    for (int i = 0; i < ms; i++) {
        advance(1000000);
    }
}

/* Sets 2024-02-29 23:59:58 (a Thursday) in BCD 24-hour mode. */
static void set_leap_day_evening(Fixture *f)
{
    cmos_out(f, 0x0b, 0x82);
    cmos_out(f, 0x00, 0x58);
    cmos_out(f, 0x02, 0x59);
    cmos_out(f, 0x04, 0x23);
    cmos_out(f, 0x07, 0x29);
    cmos_out(f, 0x08, 0x02);
    cmos_out(f, 0x09, 0x24);
    cmos_out(f, 0x32, 0x20);
    cmos_out(f, 0x0b, 0x02);
}

static void test_initial_time_is_host_utc(void **state)
{
    Fixture *f = *state;
    struct tm tm = { 0 };
    time_t host = time(NULL), guest;

    tm.tm_sec = bcd(cmos_in(f, 0));
    tm.tm_min = bcd(cmos_in(f, 2));
    tm.tm_hour = bcd(cmos_in(f, 4));
    tm.tm_mday = bcd(cmos_in(f, 7));
    tm.tm_mon = bcd(cmos_in(f, 8)) - 1;
    tm.tm_year = bcd(cmos_in(f, 0x32)) * 100 + bcd(cmos_in(f, 9)) - 1900;
    guest = timegm(&tm);
    assert_true(guest >= host - 2 && guest <= host + 2);
    assert_int_equal(cmos_in(f, 0x0a), 0x26);
    assert_int_equal(cmos_in(f, 0x0b), 0x02);
    assert_int_equal(cmos_in(f, 0x0d), 0x80);
}

static void test_time_set_under_set_bit_then_advances_over_leap_day(void **state)
{
    Fixture *f = *state;
    set_leap_day_evening(f);
    assert_int_equal(cmos_in(f, 0x00), 0x58);
    assert_int_equal(cmos_in(f, 0x06), 0x05);       /* Thursday */
    advance(NS_PER_SEC);
    assert_int_equal(cmos_in(f, 0x00), 0x59);
    advance(NS_PER_SEC);
    assert_int_equal(cmos_in(f, 0x00), 0x00);
    assert_int_equal(cmos_in(f, 0x02), 0x00);
    assert_int_equal(cmos_in(f, 0x04), 0x00);
    assert_int_equal(cmos_in(f, 0x07), 0x01);
    assert_int_equal(cmos_in(f, 0x08), 0x03);
    assert_int_equal(cmos_in(f, 0x09), 0x24);
    assert_int_equal(cmos_in(f, 0x06), 0x06);       /* Friday */
}

static void test_clock_frozen_while_set_bit_held(void **state)
{
    Fixture *f = *state;
    set_leap_day_evening(f);
    cmos_out(f, 0x0b, 0x82);
    advance(5 * NS_PER_SEC);
    assert_int_equal(cmos_in(f, 0x00), 0x58);
    assert_int_equal(cmos_in(f, 0x0a) & 0x80, 0);   /* no UIP while SET */
    cmos_out(f, 0x0b, 0x02);
    advance(NS_PER_SEC);
    assert_int_equal(cmos_in(f, 0x00), 0x59);
}

static void test_binary_and_12_hour_formats(void **state)
{
    Fixture *f = *state;
    set_leap_day_evening(f);
    cmos_out(f, 0x0b, 0x04);                        /* binary, 12 hour */
    assert_int_equal(cmos_in(f, 0x04), 0x80 | 11);  /* 11 PM */
    assert_int_equal(cmos_in(f, 0x00), 58);
    assert_int_equal(cmos_in(f, 0x09), 24);
    advance(2 * NS_PER_SEC);
    assert_int_equal(cmos_in(f, 0x04), 12);         /* 12 AM */
    cmos_out(f, 0x0b, 0x84);
    cmos_out(f, 0x04, 0x80 | 12);                   /* 12 PM = noon */
    cmos_out(f, 0x0b, 0x04);
    assert_int_equal(cmos_in(f, 0x04), 0x80 | 12);
    cmos_out(f, 0x0b, 0x06);                        /* binary, 24 hour */
    assert_int_equal(cmos_in(f, 0x04), 12);
}

static void test_uip_set_in_last_244us_of_second(void **state)
{
    Fixture *f = *state;
    set_leap_day_evening(f);
    advance(NS_PER_SEC - 300000);
    assert_int_equal(cmos_in(f, 0x0a) & 0x80, 0);
    advance(100000);
    assert_int_equal(cmos_in(f, 0x0a) & 0x80, 0x80);
    advance(200000);
    assert_int_equal(cmos_in(f, 0x0a) & 0x80, 0);
}

static void test_update_interrupt_once_a_second_and_c_read_clears(void **state)
{
    Fixture *f = *state;
    set_leap_day_evening(f);
    cmos_out(f, 0x0b, 0x12);                        /* UIE */
    assert_int_equal(f->level, 0);
    advance(NS_PER_SEC);
    assert_int_equal(f->level, 1);
    assert_int_equal(cmos_in(f, 0x0c) & ~0x40, 0x90);  /* PF runs at 1024 Hz */
    assert_int_equal(f->level, 0);
    assert_int_equal(cmos_in(f, 0x0c) & ~0x40, 0x00);
    advance(NS_PER_SEC / 2);
    assert_int_equal(f->level, 0);
    advance(NS_PER_SEC / 2);
    assert_int_equal(f->level, 1);
}

static void test_update_flag_without_uie_sets_no_irqf(void **state)
{
    Fixture *f = *state;
    set_leap_day_evening(f);
    advance(NS_PER_SEC);
    assert_int_equal(f->level, 0);
    assert_int_equal(cmos_in(f, 0x0c) & ~0x40, 0x10);
}

static void test_alarm_interrupt_with_dont_care_hour(void **state)
{
    Fixture *f = *state;
    set_leap_day_evening(f);
    cmos_out(f, 0x01, 0x01);
    cmos_out(f, 0x03, 0x00);
    cmos_out(f, 0x05, 0xc0);                        /* any hour */
    cmos_out(f, 0x0b, 0x22);                        /* AIE */
    advance(2 * NS_PER_SEC);                        /* 00:00:00 */
    assert_int_equal(f->level, 0);
    assert_int_equal(cmos_in(f, 0x0c) & 0x20, 0);
    advance(NS_PER_SEC);                            /* 00:00:01 */
    assert_int_equal(f->level, 1);
    assert_int_equal(cmos_in(f, 0x0c) & ~0x40, 0xb0);
}

static void test_periodic_interrupt_at_1024_hz(void **state)
{
    Fixture *f = *state;
    int count = 0;

    set_leap_day_evening(f);
    cmos_out(f, 0x0b, 0x42);                        /* PIE, rate 6 = 1024 Hz */
    for (int i = 0; i < 4000; i++) {               /* 1 s in 250 us steps */
        advance(250000);
        if (f->level) {
            assert_int_equal(cmos_in(f, 0x0c) & 0xc0, 0xc0);
            count++;
        }
    }
    assert_int_equal(count, 1024);
}

static void test_periodic_rate_select_2hz(void **state)
{
    Fixture *f = *state;
    set_leap_day_evening(f);
    cmos_out(f, 0x0a, 0x2f);                        /* 2 Hz */
    cmos_out(f, 0x0b, 0x42);
    f->edges = 0;
    advance_ms(499);
    assert_int_equal(f->edges, 0);
    advance_ms(1);
    assert_int_equal(f->edges, 1);
    cmos_in(f, 0x0c);
    advance_ms(500);
    assert_int_equal(f->edges, 2);
}

static void test_periodic_flag_set_without_pie(void **state)
{
    Fixture *f = *state;
    set_leap_day_evening(f);
    cmos_in(f, 0x0c);
    advance(10 * 1000000);
    assert_int_equal(f->level, 0);
    assert_int_equal(cmos_in(f, 0x0c) & 0xc0, 0x40);
    cmos_out(f, 0x0a, 0x20);                        /* rate 0: no periodic */
    advance(10 * 1000000);
    assert_int_equal(cmos_in(f, 0x0c) & 0x40, 0);
}

static void test_set_bit_clears_uie(void **state)
{
    Fixture *f = *state;
    cmos_out(f, 0x0b, 0x92);
    assert_int_equal(cmos_in(f, 0x0b), 0x82);
}

static void test_divider_reset_stops_clock(void **state)
{
    Fixture *f = *state;
    set_leap_day_evening(f);
    cmos_out(f, 0x0a, 0x70);
    advance(3 * NS_PER_SEC);
    assert_int_equal(cmos_in(f, 0x00), 0x58);
    cmos_out(f, 0x0a, 0x26);
    advance(NS_PER_SEC / 2 - 1000);
    assert_int_equal(cmos_in(f, 0x00), 0x58);
    advance(1000);                                  /* first update after 0.5 s */
    assert_int_equal(cmos_in(f, 0x00), 0x59);
}

static void test_writing_minutes_while_running_keeps_seconds(void **state)
{
    Fixture *f = *state;
    set_leap_day_evening(f);
    advance(NS_PER_SEC / 2);
    cmos_out(f, 0x02, 0x30);
    assert_int_equal(cmos_in(f, 0x02), 0x30);
    assert_int_equal(cmos_in(f, 0x00), 0x58);
    advance(NS_PER_SEC / 2);
    assert_int_equal(cmos_in(f, 0x00), 0x59);
    cmos_out(f, 0x06, 0x01);                        /* day of week: ignored */
    assert_int_equal(cmos_in(f, 0x06), 0x05);
}

static void test_nmi_mask_bit_and_index_masking(void **state)
{
    Fixture *f = *state;
    bus_write(f->io, 0x70, 0x80 | 0x40, 1);
    assert_true(mc146818_nmi_masked(f->rtc));
    bus_write(f->io, 0x71, 0x5a, 1);
    assert_int_equal(mc146818_get_cmos(f->rtc, 0x40), 0x5a);
    bus_write(f->io, 0x70, 0x40, 1);
    assert_false(mc146818_nmi_masked(f->rtc));
    assert_int_equal(bus_read(f->io, 0x70, 1), 0xff);   /* write-only */
}

static void test_board_cmos_accessors_and_bounds(void **state)
{
    Fixture *f = *state;
    mc146818_set_cmos(f->rtc, 0x34, 0x12);
    mc146818_set_cmos(f->rtc, 0x35, 0x34);
    assert_int_equal(cmos_in(f, 0x34), 0x12);
    assert_int_equal(cmos_in(f, 0x35), 0x34);
    mc146818_set_cmos(f->rtc, 128, 1);
    mc146818_set_cmos(f->rtc, -1, 1);
    assert_int_equal(mc146818_get_cmos(f->rtc, 128), 0xff);
    assert_int_equal(mc146818_get_cmos(f->rtc, 0x0d), 0x80);
    cmos_out(f, 0x7f, 0xee);
    assert_int_equal(mc146818_get_cmos(f->rtc, 0x7f), 0xee);
}

static void test_board_read_of_register_c_does_not_clear_it(void **state)
{
    Fixture *f = *state;
    set_leap_day_evening(f);
    advance(NS_PER_SEC);
    assert_int_equal(mc146818_get_cmos(f->rtc, 0x0c) & 0x10, 0x10);
    assert_int_equal(cmos_in(f, 0x0c) & 0x10, 0x10);
}

static void test_read_only_registers_ignore_writes(void **state)
{
    Fixture *f = *state;
    cmos_out(f, 0x0c, 0xff);
    cmos_out(f, 0x0d, 0x00);
    assert_int_equal(cmos_in(f, 0x0c) & 0x80, 0);
    assert_int_equal(cmos_in(f, 0x0d), 0x80);
    cmos_out(f, 0x0a, 0xa6);                        /* UIP is read-only */
    assert_int_equal(cmos_in(f, 0x0a) & 0x7f, 0x26);
}

static void test_invalid_time_bytes_do_not_crash(void **state)
{
    Fixture *f = *state;
    cmos_out(f, 0x0b, 0x82);
    for (int i = 0; i < 10; i++) {
        cmos_out(f, i, 0xff);
    }
    cmos_out(f, 0x32, 0xff);
    cmos_out(f, 0x0b, 0x02);
    advance(3 * NS_PER_SEC);
    cmos_in(f, 0x00);
    cmos_in(f, 0x09);
    bus_write(f->io, 0x70, 0xffff, 2);
    bus_read(f->io, 0x70, 4);
}

/* Random guest traffic on both ports while time runs: no crash. */
static void test_random_port_traffic_is_survived(void **state)
{
    Fixture *f = *state;
    GRand *r = g_rand_new_with_seed(146818);

    for (int i = 0; i < 20000; i++) {
        switch (g_rand_int_range(r, 0, 4)) {
        case 0: bus_write(f->io, 0x70, g_rand_int(r) & 0xff, 1); break;
        case 1: bus_write(f->io, 0x71, g_rand_int(r) & 0xff, 1); break;
        case 2: bus_read(f->io, 0x70 + g_rand_int_range(r, 0, 2), 1); break;
        default: advance(g_rand_int_range(r, 0, 300000000)); break;
        }
    }
    g_rand_free(r);
}

static void test_reset_clears_enables_and_flags(void **state)
{
    Fixture *f = *state;
    set_leap_day_evening(f);
    cmos_out(f, 0x0b, 0x72);
    advance(NS_PER_SEC);
    assert_int_equal(f->level, 1);
    mc146818_reset(f->rtc);
    assert_int_equal(f->level, 0);
    assert_int_equal(cmos_in(f, 0x0b), 0x02);
    assert_int_equal(cmos_in(f, 0x0c), 0x00);
    assert_int_equal(cmos_in(f, 0x09), 0x24);       /* time kept */
}

int main(void)
{
    log_to_null(~0u);
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_initial_time_is_host_utc),
        T(test_time_set_under_set_bit_then_advances_over_leap_day),
        T(test_clock_frozen_while_set_bit_held),
        T(test_binary_and_12_hour_formats),
        T(test_uip_set_in_last_244us_of_second),
        T(test_update_interrupt_once_a_second_and_c_read_clears),
        T(test_update_flag_without_uie_sets_no_irqf),
        T(test_alarm_interrupt_with_dont_care_hour),
        T(test_periodic_interrupt_at_1024_hz),
        T(test_periodic_rate_select_2hz),
        T(test_periodic_flag_set_without_pie),
        T(test_set_bit_clears_uie),
        T(test_divider_reset_stops_clock),
        T(test_writing_minutes_while_running_keeps_seconds),
        T(test_nmi_mask_bit_and_index_masking),
        T(test_board_cmos_accessors_and_bounds),
        T(test_board_read_of_register_c_does_not_clear_it),
        T(test_read_only_registers_ignore_writes),
        T(test_invalid_time_bytes_do_not_crash),
        T(test_random_port_traffic_is_survived),
        T(test_reset_clears_enables_and_flags),
#undef T
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (log_set_file(NULL, NULL) < 0) {
        return 1;
    }
    return rc;
}
