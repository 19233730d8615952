/*
 * test-acpi-pm.c: unit tests of the ACPI PM block (hw/acpi/pm.c) through
 * its ports at the board's base 0x600, with the virtual clock stepped by
 * hand and the SCI line observed. The S5 test runs last: a shutdown
 * request is global and the first one wins.
 */
#include "vireo/common.h"
#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>

#include "vireo/log.h"
#include "hw/acpi-pm.h"
#include "hw/clock.h"
#include "system/runstate.h"
#include "test-util.h"

#define PM_BASE 0x600
#define STS  (PM_BASE + ACPI_PM1_EVT_OFFSET)
#define EN   (PM_BASE + ACPI_PM1_EVT_OFFSET + 2)
#define CNT  (PM_BASE + ACPI_PM1_CNT_OFFSET)
#define TMR  (PM_BASE + ACPI_PM_TMR_OFFSET)
#define GPE_STS (PM_BASE + ACPI_GPE0_OFFSET)
#define GPE_EN  (PM_BASE + ACPI_GPE0_OFFSET + 2)

static int64_t now_ns;

static int64_t test_clock(void)
{
    return now_ns;
}

typedef struct Fx {
    Bus *io;
    IrqLine *sci;
    int sci_level;
    int sci_raises;
    AcpiPM *pm;
} Fx;

static void sci_handler(void *opaque, int n, int level)
{
    Fx *f = opaque;
    if (level && !f->sci_level) {
        f->sci_raises++;
    }
    f->sci_level = level;
}

static void advance(int64_t ns)
{
    now_ns += ns;
    timers_run_expired();
}

static int setup(void **state)
{
    Fx *f = g_new0(Fx, 1);
    GError *err = NULL;

    now_ns = 1000;      /* the block must not assume the clock starts at 0 */
    clock_set_source(test_clock);
    f->io = bus_new("io", 0x10000, LOG_IOPORT);
    f->sci = irq_new(sci_handler, f, 0);
    f->pm = acpi_pm_new(f->io, PM_BASE, f->sci, &err);
    assert_null(err);
    assert_non_null(f->pm);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fx *f = *state;
    acpi_pm_free(f->pm);
    irq_free(f->sci);
    bus_free(f->io);
    g_free(f);
    return 0;
}

static void test_reset_state_is_acpi_mode_with_nothing_pending(void **state)
{
    Fx *f = *state;

    assert_int_equal(bus_read(f->io, STS, 2), 0);
    assert_int_equal(bus_read(f->io, EN, 2), 0);
    assert_int_equal(bus_read(f->io, CNT, 2), ACPI_PM1_SCI_EN);
    assert_int_equal(bus_read(f->io, TMR, 4), 0);
    assert_int_equal(f->sci_level, 0);
}

static void test_pm_timer_runs_at_3579545_hz_and_wraps_at_32_bits(void **state)
{
    Fx *f = *state;

    assert_int_equal(ACPI_PM_TMR_32BIT, 1);
    advance(NS_PER_SEC);
    assert_int_equal(bus_read(f->io, TMR, 4), ACPI_PM_TMR_HZ);
    advance(NS_PER_SEC / 1000);
    assert_int_equal(bus_read(f->io, TMR, 4), ACPI_PM_TMR_HZ + ACPI_PM_TMR_HZ / 1000);
    /* 2^32 ticks = 1199.86 s: the counter wraps to a small value. */
    now_ns = 1000 + 1200 * NS_PER_SEC;
    assert_int_equal(bus_read(f->io, TMR, 4),
                     (uint32_t)((uint64_t)1200 * ACPI_PM_TMR_HZ));
    assert_int_equal(acpi_pm_timer_read(f->pm), bus_read(f->io, TMR, 4));
}

static void test_timer_msb_toggle_sets_tmr_sts_and_raises_sci_if_enabled(void **state)
{
    Fx *f = *state;
    int64_t toggle_ns = (int64_t)((((unsigned __int128)1 << 31) * NS_PER_SEC +
                                   ACPI_PM_TMR_HZ - 1) / ACPI_PM_TMR_HZ);

    bus_write(f->io, EN, ACPI_PM1_TMR_EN, 2);
    advance(toggle_ns - 1);
    assert_int_equal(bus_read(f->io, STS, 2) & ACPI_PM1_TMR_STS, 0);
    assert_int_equal(f->sci_level, 0);
    advance(1);
    assert_int_equal(bus_read(f->io, STS, 2) & ACPI_PM1_TMR_STS, ACPI_PM1_TMR_STS);
    assert_int_equal(f->sci_level, 1);
    bus_write(f->io, STS, ACPI_PM1_TMR_STS, 2);     /* write 1 to clear */
    assert_int_equal(bus_read(f->io, STS, 2) & ACPI_PM1_TMR_STS, 0);
    assert_int_equal(f->sci_level, 0);
    advance(toggle_ns);                             /* the MSB toggles back */
    assert_int_equal(f->sci_level, 1);
    assert_int_equal(f->sci_raises, 2);
    bus_write(f->io, EN, 0, 2);
    assert_int_equal(f->sci_level, 0);
}

static void test_power_button_needs_its_enable_and_sci_en(void **state)
{
    Fx *f = *state;

    acpi_pm_power_button(f->pm);
    assert_int_equal(bus_read(f->io, STS, 2), ACPI_PM1_PWRBTN_STS);
    assert_int_equal(f->sci_level, 0);
    bus_write(f->io, EN, ACPI_PM1_PWRBTN_EN, 2);
    assert_int_equal(f->sci_level, 1);
    bus_write(f->io, CNT, 0, 2);                    /* SCI_EN off */
    assert_int_equal(f->sci_level, 0);
    bus_write(f->io, CNT, ACPI_PM1_SCI_EN, 2);
    assert_int_equal(f->sci_level, 1);
    bus_write(f->io, STS, 0, 2);                    /* writing 0 clears nothing */
    assert_int_equal(f->sci_level, 1);
    bus_write(f->io, STS, ACPI_PM1_PWRBTN_STS | ACPI_PM1_WAK_STS, 2);
    assert_int_equal(bus_read(f->io, STS, 2), 0);
    assert_int_equal(f->sci_level, 0);
}

static void test_gpe0_status_and_enable(void **state)
{
    Fx *f = *state;

    acpi_pm_gpe_raise(f->pm, 3);
    acpi_pm_gpe_raise(f->pm, 16);                   /* out of range: ignored */
    assert_int_equal(bus_read(f->io, GPE_STS, 2), 0x8);
    assert_int_equal(f->sci_level, 0);
    bus_write(f->io, GPE_EN, 0x8, 2);
    assert_int_equal(bus_read(f->io, GPE_EN, 2), 0x8);
    assert_int_equal(f->sci_level, 1);
    bus_write(f->io, GPE_STS, 0x8, 2);
    assert_int_equal(f->sci_level, 0);
}

static void test_odd_sizes_unaligned_and_unassigned_ports(void **state)
{
    Fx *f = *state;

    bus_write(f->io, EN, ACPI_PM1_PWRBTN_EN, 2);
    acpi_pm_power_button(f->pm);
    /* A 32-bit read of the event block returns status then enable. */
    assert_int_equal(bus_read(f->io, STS, 4), 0x01000100);
    assert_int_equal(bus_read(f->io, STS + 1, 1), 0x01);
    assert_int_equal(bus_read(f->io, STS + 1, 2), 0x0001);     /* unaligned */
    assert_int_equal(bus_read(f->io, CNT + 2, 2), 0xffff);     /* gap */
    assert_int_equal(bus_read(f->io, CNT + 1, 4), 0x00ffff00); /* spans gap and TMR */
    assert_int_equal(bus_read(f->io, PM_BASE + ACPI_PM_IO_SIZE, 1), 0xff);  /* not ours */
    assert_int_equal(bus_read(f->io, PM_BASE, 8) >> 32, 0xffff0001ULL);
    /* Byte writes: the high byte of PM1_EN alone. */
    bus_write(f->io, EN + 1, 0x00, 1);
    assert_int_equal(bus_read(f->io, EN, 2), 0);
    bus_write(f->io, EN, 0xffff, 2);                /* reserved enables stay 0 */
    assert_int_equal(bus_read(f->io, EN, 2), 0x0721);
    bus_write(f->io, TMR, 0x12345678, 4);           /* read-only */
    assert_int_equal(bus_read(f->io, TMR, 4), 0);
    bus_write(f->io, CNT + 2, 0xffff, 2);           /* gap: ignored */
    bus_write(f->io, CNT, 0x4 | (5 << 10), 2);      /* GBL_RLS reads back 0 */
    assert_int_equal(bus_read(f->io, CNT, 2), 5 << 10);
    bus_write(f->io, PM_BASE + 0x0e, 0xffffffff, 4); /* crosses the end */
    assert_int_equal(bus_read(f->io, GPE_EN, 2), 0xffff);
    assert_int_equal(runstate_shutdown_requested(), SHUTDOWN_NONE);
}

static void test_sleep_types_other_than_s5_do_not_power_off(void **state)
{
    Fx *f = *state;

    bus_write(f->io, CNT, ACPI_PM1_SCI_EN | (1 << 10) | ACPI_PM1_SLP_EN, 2);
    assert_int_equal(runstate_shutdown_requested(), SHUTDOWN_NONE);
    assert_int_equal(bus_read(f->io, CNT, 2) & ACPI_PM1_SLP_EN, 0);
    /* SLP_TYP=S5 without SLP_EN only selects the type. */
    bus_write(f->io, CNT, ACPI_PM1_SCI_EN | (ACPI_PM_SLP_TYP_S5 << 10), 2);
    assert_int_equal(runstate_shutdown_requested(), SHUTDOWN_NONE);
}

static void test_s5_with_slp_en_requests_poweroff_with_status_0(void **state)
{
    Fx *f = *state;

    /* As Linux does it: SLP_TYP first, then SLP_TYP | SLP_EN, in the high byte. */
    bus_write(f->io, CNT, ACPI_PM1_SCI_EN | (ACPI_PM_SLP_TYP_S5 << 10), 2);
    bus_write(f->io, CNT + 1, (ACPI_PM1_SLP_EN | (ACPI_PM_SLP_TYP_S5 << 10)) >> 8, 1);
    assert_int_equal(runstate_shutdown_requested(), SHUTDOWN_GUEST_POWEROFF);
    assert_int_equal(runstate_exit_status(), 0);
}

static void test_constructor_refuses_taken_ports(void **state)
{
    Fx *f = *state;
    GError *err = NULL;

    assert_null(acpi_pm_new(f->io, PM_BASE + 8, NULL, &err));
    assert_non_null(err);
    g_error_free(err);
    acpi_pm_free(NULL);
}

static void test_reset_restarts_the_timer_and_clears_enables(void **state)
{
    Fx *f = *state;

    bus_write(f->io, EN, ACPI_PM1_TMR_EN | ACPI_PM1_PWRBTN_EN, 2);
    acpi_pm_power_button(f->pm);
    advance(NS_PER_SEC);
    acpi_pm_reset(f->pm);
    assert_int_equal(bus_read(f->io, TMR, 4), 0);
    assert_int_equal(bus_read(f->io, STS, 2), 0);
    assert_int_equal(bus_read(f->io, EN, 2), 0);
    assert_int_equal(f->sci_level, 0);
}

/* Runs after the S5 test: random control writes may request poweroff too. */
static void test_random_port_traffic_is_harmless(void **state)
{
    Fx *f = *state;
    GRand *rng = g_rand_new_with_seed(600);
    static const unsigned sizes[] = { 1, 2, 4, 8 };

    for (int i = 0; i < 20000; i++) {
        uint64_t port = PM_BASE + g_rand_int_range(rng, 0, ACPI_PM_IO_SIZE);
        unsigned size = sizes[g_rand_int_range(rng, 0, 4)];

        switch (g_rand_int_range(rng, 0, 4)) {
        case 0:
            bus_read(f->io, port, size);
            break;
        case 1:
            advance(g_rand_int_range(rng, 0, 1000000));
            break;
        default:
            bus_write(f->io, port, g_rand_int(rng), size);
            break;
        }
    }
    g_rand_free(rng);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_reset_state_is_acpi_mode_with_nothing_pending),
        T(test_pm_timer_runs_at_3579545_hz_and_wraps_at_32_bits),
        T(test_timer_msb_toggle_sets_tmr_sts_and_raises_sci_if_enabled),
        T(test_power_button_needs_its_enable_and_sci_en),
        T(test_gpe0_status_and_enable),
        T(test_odd_sizes_unaligned_and_unassigned_ports),
        T(test_constructor_refuses_taken_ports),
        T(test_reset_restarts_the_timer_and_clears_enables),
        T(test_sleep_types_other_than_s5_do_not_power_off),
        T(test_s5_with_slp_en_requests_poweroff_with_status_0),
        T(test_random_port_traffic_is_harmless),
    };

    log_to_null(LOG_GUEST_ERRORS | LOG_UNIMP | LOG_INT);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
