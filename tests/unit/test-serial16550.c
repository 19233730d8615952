/*
 * test-serial16550.c: the 16550A UART driven through its ports on a port
 * bus, as a guest driver would: registers, divisor latch, FIFOs and
 * trigger levels, the IIR priority order, the THRE interrupt rules Linux
 * probes, loopback, OUT2 gating, the character timeout, and misuse.
 */
#include "vireo/common.h"
#include "vireo/log.h"
#include "hw/bus.h"
#include "hw/clock.h"
#include "hw/irq.h"
#include "hw/serial16550.h"
#include "system/chardev.h"

#include <glib/gstdio.h>
#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>
#include "test-util.h"

#define BASE 0x3f8
enum { RBR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

static int64_t fake_now;
static int64_t fake_clock(void) { return fake_now; }

typedef struct Fixture {
    Bus *io;
    IrqLine *irq;
    int level;
    Serial16550 *s;
    GByteArray *tx;
} Fixture;

static void irq_handler(void *opaque, int n, int level)
{
    ((Fixture *)opaque)->level = level;
}

static void tx_hook(void *opaque, uint8_t byte)
{
    g_byte_array_append(((Fixture *)opaque)->tx, &byte, 1);
}

static int setup(void **state)
{
    Fixture *f = g_new0(Fixture, 1);
    fake_now = 0;
    clock_set_source(fake_clock);
    f->io = bus_new("io", 0x10000, 0);
    f->irq = irq_new(irq_handler, f, 4);
    f->tx = g_byte_array_new();
    f->s = serial16550_new(f->io, BASE, f->irq, NULL, NULL);
    assert_non_null(f->s);
    serial16550_set_tx_hook(f->s, tx_hook, f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    serial16550_free(f->s);
    irq_free(f->irq);
    bus_free(f->io);
    g_byte_array_free(f->tx, true);
    g_free(f);
    clock_set_source(NULL);
    return 0;
}

static uint8_t in(Fixture *f, int reg) { return bus_read(f->io, BASE + reg, 1); }
static void out(Fixture *f, int reg, uint8_t v) { bus_write(f->io, BASE + reg, v, 1); }

static void advance(int64_t ns)
{
    fake_now += ns;
    timers_run_expired();
}

static void test_reset_state_has_empty_transmitter_and_no_interrupt(void **state)
{
    Fixture *f = *state;
    assert_int_equal(in(f, LSR), 0x60);
    assert_int_equal(in(f, IIR), 0x01);
    assert_int_equal(in(f, IER), 0x00);
    assert_int_equal(in(f, MCR), 0x00);
    assert_int_equal(f->level, 0);
}

static void test_scratch_register_keeps_value(void **state)
{
    Fixture *f = *state;
    out(f, SCR, 0xa5);
    assert_int_equal(in(f, SCR), 0xa5);
    out(f, SCR, 0x5a);
    assert_int_equal(in(f, SCR), 0x5a);
}

static void test_dlab_selects_divisor_latch_without_touching_ier(void **state)
{
    Fixture *f = *state;
    out(f, IER, 0x05);
    out(f, LCR, 0x83);
    out(f, 0, 0x01);
    out(f, 1, 0x02);
    assert_int_equal(in(f, 0), 0x01);
    assert_int_equal(in(f, 1), 0x02);
    assert_int_equal(f->tx->len, 0);
    out(f, LCR, 0x03);
    assert_int_equal(in(f, IER), 0x05);
    out(f, LCR, 0x80);
    assert_int_equal(in(f, 0) | in(f, 1) << 8, 0x0201);
}

static void test_thr_write_reaches_the_line(void **state)
{
    Fixture *f = *state;
    out(f, RBR, 'h');
    out(f, RBR, 'i');
    assert_int_equal(f->tx->len, 2);
    assert_memory_equal(f->tx->data, "hi", 2);
    assert_int_equal(in(f, LSR) & 0x60, 0x60);
}

static void test_thre_interrupt_raised_on_etbei_and_cleared_by_iir_read(void **state)
{
    Fixture *f = *state;
    out(f, MCR, 0x08);                 /* OUT2: IRQ reaches the PIC */
    out(f, IER, 0x02);
    assert_int_equal(f->level, 1);
    assert_int_equal(in(f, IIR), 0x02);
    assert_int_equal(f->level, 0);
    assert_int_equal(in(f, IIR), 0x01);
    /* Linux's UART_BUG_THRE probe: IER 0 then THRI again re-asserts. */
    out(f, IER, 0x00);
    out(f, IER, 0x02);
    assert_int_equal(in(f, IIR), 0x02);
}

static void test_thre_interrupt_returns_after_thr_write(void **state)
{
    Fixture *f = *state;
    out(f, MCR, 0x08);
    out(f, IER, 0x02);
    assert_int_equal(in(f, IIR), 0x02);
    assert_int_equal(f->level, 0);
    out(f, RBR, 'x');                  /* THR empties again at once */
    assert_int_equal(f->level, 1);
    out(f, IER, 0x00);                 /* disabling the source drops the line */
    assert_int_equal(f->level, 0);
}

static void test_out2_clear_gates_irq_line_but_iir_shows_source(void **state)
{
    Fixture *f = *state;
    out(f, MCR, 0x03);
    out(f, IER, 0x02);
    assert_int_equal(f->level, 0);
    out(f, MCR, 0x0b);
    assert_int_equal(f->level, 1);
    out(f, MCR, 0x03);
    assert_int_equal(f->level, 0);
    assert_int_equal(in(f, IIR), 0x02);
}

static void test_rx_without_fifo_sets_dr_and_rdi(void **state)
{
    Fixture *f = *state;
    out(f, MCR, 0x08);
    out(f, IER, 0x01);
    assert_int_equal(serial16550_can_receive(f->s), 1);
    serial16550_receive(f->s, (const uint8_t *)"A", 1);
    assert_int_equal(serial16550_can_receive(f->s), 0);
    assert_int_equal(f->level, 1);
    assert_int_equal(in(f, LSR) & 0x01, 0x01);
    assert_int_equal(in(f, IIR), 0x04);
    assert_int_equal(in(f, RBR), 'A');
    assert_int_equal(f->level, 0);
    assert_int_equal(in(f, LSR) & 0x01, 0);
}

static void test_rx_overrun_without_fifo_raises_line_status(void **state)
{
    Fixture *f = *state;
    out(f, MCR, 0x08);
    out(f, IER, 0x05);
    serial16550_receive(f->s, (const uint8_t *)"AB", 2);
    assert_int_equal(in(f, IIR), 0x06);       /* line status beats RX data */
    assert_int_equal(in(f, LSR) & 0x03, 0x03);
    assert_int_equal(in(f, LSR) & 0x02, 0);   /* OE cleared by the read */
    assert_int_equal(in(f, IIR), 0x04);
    assert_int_equal(in(f, RBR), 'B');
}

static void test_fifo_enable_shows_in_iir_and_trigger_level_gates_rdi(void **state)
{
    Fixture *f = *state;
    out(f, MCR, 0x08);
    out(f, FCR, 0x41);                 /* FIFO on, trigger 4 */
    out(f, IER, 0x01);
    assert_int_equal(in(f, IIR), 0xc1);
    serial16550_receive(f->s, (const uint8_t *)"abc", 3);
    assert_int_equal(in(f, IIR), 0xc1);
    assert_int_equal(f->level, 0);
    serial16550_receive(f->s, (const uint8_t *)"d", 1);
    assert_int_equal(in(f, IIR), 0xc4);
    assert_int_equal(f->level, 1);
    assert_int_equal(in(f, RBR), 'a');
    assert_int_equal(f->level, 0);             /* 3 left: below trigger */
    assert_int_equal(in(f, RBR), 'b');
    assert_int_equal(in(f, RBR), 'c');
    assert_int_equal(in(f, RBR), 'd');
    assert_int_equal(in(f, LSR) & 0x01, 0);
}

static void test_fifo_trigger_levels_1_8_14(void **state)
{
    Fixture *f = *state;
    static const struct { uint8_t fcr; int level; } cases[] = {
        { 0x01, 1 }, { 0x81, 8 }, { 0xc1, 14 },
    };
    uint8_t buf[16] = { 0 };

    out(f, IER, 0x01);
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        out(f, FCR, cases[i].fcr | 0x02);
        serial16550_receive(f->s, buf, cases[i].level - 1);
        assert_int_not_equal(in(f, IIR) & 0x0f, 0x04);
        serial16550_receive(f->s, buf, 1);
        assert_int_equal(in(f, IIR) & 0x0f, 0x04);
    }
}

static void test_character_timeout_fires_after_four_char_times(void **state)
{
    Fixture *f = *state;
    out(f, LCR, 0x83);
    out(f, 0, 1);                      /* 115200 baud: ~87 us per 8N1 char */
    out(f, 1, 0);
    out(f, LCR, 0x03);
    out(f, MCR, 0x08);
    out(f, FCR, 0xc1);                 /* trigger 14 */
    out(f, IER, 0x01);
    serial16550_receive(f->s, (const uint8_t *)"xy", 2);
    advance(300 * 1000);
    assert_int_equal(f->level, 0);
    advance(100 * 1000);
    assert_int_equal(f->level, 1);
    assert_int_equal(in(f, IIR), 0xcc);
    assert_int_equal(in(f, RBR), 'x');
    assert_int_equal(f->level, 0);     /* cleared by the read, timer restarted */
    advance(400 * 1000);
    assert_int_equal(in(f, IIR), 0xcc);
    assert_int_equal(in(f, RBR), 'y');
    advance(400 * 1000);
    assert_int_equal(in(f, IIR), 0xc1); /* empty FIFO: no timeout */
}

static void test_fifo_overrun_keeps_first_sixteen_bytes(void **state)
{
    Fixture *f = *state;
    uint8_t buf[17];

    for (int i = 0; i < 17; i++) {
        buf[i] = i;
    }
    out(f, FCR, 0x01);
    assert_int_equal(serial16550_can_receive(f->s), 16);
    serial16550_receive(f->s, buf, 17);
    assert_int_equal(serial16550_can_receive(f->s), 0);
    assert_int_equal(in(f, LSR) & 0x03, 0x03);
    for (int i = 0; i < 16; i++) {
        assert_int_equal(in(f, RBR), i);
    }
    assert_int_equal(in(f, LSR) & 0x01, 0);
}

static void test_fcr_clear_rx_empties_fifo(void **state)
{
    Fixture *f = *state;
    out(f, FCR, 0x01);
    serial16550_receive(f->s, (const uint8_t *)"abc", 3);
    out(f, FCR, 0x03);
    assert_int_equal(in(f, LSR) & 0x01, 0);
    assert_int_equal(serial16550_can_receive(f->s), 16);
}

static void test_disabling_fifo_clears_it_and_iir_bits(void **state)
{
    Fixture *f = *state;
    out(f, FCR, 0x01);
    serial16550_receive(f->s, (const uint8_t *)"abc", 3);
    out(f, FCR, 0x00);
    assert_int_equal(in(f, IIR), 0x01);
    assert_int_equal(in(f, LSR) & 0x01, 0);
}

static void test_loopback_routes_modem_lines_and_tx_to_rx(void **state)
{
    Fixture *f = *state;
    out(f, MCR, 0x1a);                 /* Linux's autoconfig loopback probe */
    assert_int_equal(in(f, MSR) & 0xf0, 0x90);
    out(f, MCR, 0x1f);
    assert_int_equal(in(f, MSR) & 0xf0, 0xf0);
    out(f, RBR, 'Q');
    assert_int_equal(f->tx->len, 0);
    assert_int_equal(in(f, LSR) & 0x01, 0x01);
    assert_int_equal(in(f, RBR), 'Q');
    assert_int_equal(serial16550_can_receive(f->s), 0);
}

static void test_loopback_gates_irq_line(void **state)
{
    Fixture *f = *state;
    out(f, MCR, 0x18);
    out(f, IER, 0x02);
    assert_int_equal(f->level, 0);
    out(f, MCR, 0x08);
    assert_int_equal(f->level, 1);
}

static void test_modem_status_interrupt_from_loopback_delta(void **state)
{
    Fixture *f = *state;
    out(f, MCR, 0x10);                 /* loopback: CTS/DSR/DCD drop */
    in(f, MSR);
    out(f, IER, 0x08);
    assert_int_equal(in(f, IIR), 0x01);
    out(f, MCR, 0x12);                 /* RTS -> CTS rises */
    assert_int_equal(in(f, IIR), 0x00);
    assert_int_equal(in(f, MSR), 0x11);
    assert_int_equal(in(f, IIR), 0x01);
    out(f, MCR, 0x14);                 /* OUT1 -> RI rises: no delta */
    assert_int_equal(in(f, MSR) & 0x0f, 0x01);
    out(f, MCR, 0x10);                 /* RI falls: TERI */
    assert_int_equal(in(f, MSR) & 0x04, 0x04);
}

static void test_iir_priority_order(void **state)
{
    Fixture *f = *state;
    out(f, MCR, 0x10);
    out(f, MCR, 0x00);                 /* leaves modem deltas set */
    out(f, IER, 0x0f);
    serial16550_receive(f->s, (const uint8_t *)"ab", 2);   /* overrun */
    assert_int_equal(in(f, IIR), 0x06);
    in(f, LSR);
    assert_int_equal(in(f, IIR), 0x04);
    in(f, RBR);
    assert_int_equal(in(f, IIR), 0x02);
    assert_int_equal(in(f, IIR), 0x00);
    in(f, MSR);
    assert_int_equal(in(f, IIR), 0x01);
}

static void test_linux_autoconfig_probe_sees_16550a(void **state)
{
    Fixture *f = *state;
    out(f, IER, 0x00);
    assert_int_equal(in(f, IER) & 0x0f, 0);
    out(f, IER, 0x0f);
    assert_int_equal(in(f, IER), 0x0f);
    out(f, IER, 0x00);
    out(f, FCR, 0x01);
    assert_int_equal(in(f, IIR) >> 6, 3);
    out(f, LCR, 0x80);
    assert_int_not_equal(in(f, 2), 0);   /* no EFR behind DLAB */
    out(f, LCR, 0xbf);
    assert_int_not_equal(in(f, 2), 0);
    out(f, LCR, 0x00);
    out(f, FCR, 0x21);                   /* 64-byte FIFO request ignored */
    assert_int_equal(in(f, IIR) & 0x20, 0);
}

static void test_writes_to_read_only_registers_are_ignored(void **state)
{
    Fixture *f = *state;
    out(f, LSR, 0x00);
    out(f, MSR, 0xff);
    assert_int_equal(in(f, LSR), 0x60);
    assert_int_equal(in(f, MSR) & 0xf0, 0xb0);
    out(f, IER, 0xff);                   /* reserved bits dropped */
    assert_int_equal(in(f, IER), 0x0f);
    out(f, MCR, 0xff);
    assert_int_equal(in(f, MCR), 0x1f);
}

static void test_wide_accesses_split_into_bytes(void **state)
{
    Fixture *f = *state;
    bus_write(f->io, BASE + SCR - 1, 0x4200, 2);   /* MSR (ignored), SCR */
    assert_int_equal(in(f, SCR), 0x42);
    assert_int_equal(bus_read(f->io, BASE + 4, 4) & 0xff00, 0x6000);
    bus_write(f->io, BASE + 6, 0x11223344, 4);     /* crosses the end */
    assert_int_equal(in(f, SCR), 0x33);
}

/* Random guest traffic on every register, with input and time: no crash. */
static void test_random_register_traffic_is_survived(void **state)
{
    Fixture *f = *state;
    GRand *r = g_rand_new_with_seed(16550);

    for (int i = 0; i < 20000; i++) {
        int reg = g_rand_int_range(r, 0, 9);
        uint8_t v = g_rand_int(r);
        switch (g_rand_int_range(r, 0, 4)) {
        case 0: out(f, reg, v); break;
        case 1: bus_read(f->io, BASE + reg, 1 << g_rand_int_range(r, 0, 3)); break;
        case 2: serial16550_receive(f->s, &v, 1); break;
        default: advance(g_rand_int_range(r, 0, 2000000)); break;
        }
    }
    g_rand_free(r);
}

static void test_reset_returns_to_power_on_state(void **state)
{
    Fixture *f = *state;
    out(f, MCR, 0x08);
    out(f, IER, 0x03);
    out(f, FCR, 0x01);
    serial16550_receive(f->s, (const uint8_t *)"z", 1);
    serial16550_reset(f->s);
    assert_int_equal(f->level, 0);
    assert_int_equal(in(f, IIR), 0x01);
    assert_int_equal(in(f, LSR), 0x60);
}

static void test_second_uart_on_same_ports_is_refused(void **state)
{
    Fixture *f = *state;
    GError *err = NULL;
    assert_null(serial16550_new(f->io, BASE + 4, NULL, NULL, &err));
    assert_non_null(err);
    g_error_free(err);
}

static void test_output_reaches_file_chardev(void **state)
{
    Fixture *f = *state;
    GError *err = NULL;
    char *dir = g_dir_make_tmp("vireo-serial-XXXXXX", NULL);
    char *path = g_build_filename(dir, "out", NULL);
    char *spec = g_strconcat("file:", path, NULL);
    Chardev *chr = chardev_new(spec, &err);
    Serial16550 *s2;
    char *text = NULL;

    assert_non_null(chr);
    s2 = serial16550_new(f->io, 0x2f8, NULL, chr, &err);
    assert_non_null(s2);
    assert_null(serial16550_new(f->io, 0x3e8, NULL, chr, &err));   /* one front end */
    assert_non_null(err);
    g_clear_error(&err);
    for (const char *p = "login: "; *p; p++) {
        bus_write(f->io, 0x2f8, *p, 1);
    }
    serial16550_free(s2);
    chardev_free(chr);
    assert_true(g_file_get_contents(path, &text, NULL, NULL));
    assert_string_equal(text, "login: ");
    g_free(text);
    g_unlink(path);
    g_rmdir(dir);
    g_free(spec);
    g_free(path);
    g_free(dir);
}

int main(void)
{
    log_to_null(~0u);
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_reset_state_has_empty_transmitter_and_no_interrupt),
        T(test_scratch_register_keeps_value),
        T(test_dlab_selects_divisor_latch_without_touching_ier),
        T(test_thr_write_reaches_the_line),
        T(test_thre_interrupt_raised_on_etbei_and_cleared_by_iir_read),
        T(test_thre_interrupt_returns_after_thr_write),
        T(test_out2_clear_gates_irq_line_but_iir_shows_source),
        T(test_rx_without_fifo_sets_dr_and_rdi),
        T(test_rx_overrun_without_fifo_raises_line_status),
        T(test_fifo_enable_shows_in_iir_and_trigger_level_gates_rdi),
        T(test_fifo_trigger_levels_1_8_14),
        T(test_character_timeout_fires_after_four_char_times),
        T(test_fifo_overrun_keeps_first_sixteen_bytes),
        T(test_fcr_clear_rx_empties_fifo),
        T(test_disabling_fifo_clears_it_and_iir_bits),
        T(test_loopback_routes_modem_lines_and_tx_to_rx),
        T(test_loopback_gates_irq_line),
        T(test_modem_status_interrupt_from_loopback_delta),
        T(test_iir_priority_order),
        T(test_linux_autoconfig_probe_sees_16550a),
        T(test_writes_to_read_only_registers_are_ignored),
        T(test_wide_accesses_split_into_bytes),
        T(test_random_register_traffic_is_survived),
        T(test_reset_returns_to_power_on_state),
        T(test_second_uart_on_same_ports_is_refused),
        T(test_output_reaches_file_chardev),
#undef T
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (log_set_file(NULL, NULL) < 0) {
        return 1;
    }
    return rc;
}
