/*
 * test-i8042.c: the keyboard controller, keyboard and mouse driven
 * through ports 0x60/0x64 the way Linux's i8042, atkbd and psmouse
 * drivers and the boot code's A20 routine drive them: controller
 * commands, the command byte, self tests, the AUX loopback probe, the
 * output port (A20, reset), keyboard and mouse commands, set 2 -> set 1
 * translation, input events, IRQ 1/12 behaviour, and misuse.
 */
#include "vireo/common.h"
#include "vireo/log.h"
#include "hw/bus.h"
#include "hw/irq.h"
#include "system/runstate.h"
#include "hw/i8042.h"

#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>
#include "test-util.h"

typedef struct Fixture {
    Bus *io;
    IrqLine *kbd_irq, *aux_irq;
    int kbd_level, aux_level;
    int kbd_edges, aux_edges;
    int a20_calls;
    bool a20;
    I8042 *kbc;
} Fixture;

static void irq_handler(void *opaque, int n, int level)
{
    Fixture *f = opaque;
    int *lvl = n == 1 ? &f->kbd_level : &f->aux_level;
    int *edges = n == 1 ? &f->kbd_edges : &f->aux_edges;
    if (level && !*lvl) {
        (*edges)++;
    }
    *lvl = level;
}

static void set_a20(void *opaque, bool enabled)
{
    Fixture *f = opaque;
    f->a20_calls++;
    f->a20 = enabled;
}

static int setup(void **state)
{
    Fixture *f = g_new0(Fixture, 1);
    f->io = bus_new("io", 0x10000, 0);
    f->kbd_irq = irq_new(irq_handler, f, 1);
    f->aux_irq = irq_new(irq_handler, f, 12);
    f->kbc = i8042_new(f->io, f->kbd_irq, f->aux_irq, set_a20, f, NULL);
    assert_non_null(f->kbc);
    (void)runstate_take_reset_request();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    i8042_free(f->kbc);
    irq_free(f->kbd_irq);
    irq_free(f->aux_irq);
    bus_free(f->io);
    g_free(f);
    return 0;
}

static uint8_t status(Fixture *f) { return bus_read(f->io, 0x64, 1); }
static void cmd(Fixture *f, uint8_t c) { bus_write(f->io, 0x64, c, 1); }
static void data(Fixture *f, uint8_t d) { bus_write(f->io, 0x60, d, 1); }

/* Reads one byte, asserting the output buffer was full. */
static uint8_t rd(Fixture *f)
{
    assert_int_equal(status(f) & 0x01, 0x01);
    return bus_read(f->io, 0x60, 1);
}

static void assert_empty(Fixture *f)
{
    assert_int_equal(status(f) & 0x01, 0);
}

static void test_self_test_answers_55_and_interface_tests_00(void **state)
{
    Fixture *f = *state;
    assert_empty(f);
    cmd(f, 0xaa);
    assert_int_equal(rd(f), 0x55);
    assert_empty(f);
    cmd(f, 0xab);
    assert_int_equal(rd(f), 0x00);
    cmd(f, 0xa9);
    assert_int_equal(rd(f), 0x00);
    assert_int_equal(status(f) & 0x04, 0x04);        /* system flag */
}

static void test_command_byte_read_write(void **state)
{
    Fixture *f = *state;
    cmd(f, 0x20);
    assert_int_equal(rd(f), 0x45);
    cmd(f, 0x60);
    assert_int_equal(status(f) & 0x08, 0x08);        /* last write: command */
    data(f, 0x47);
    assert_int_equal(status(f) & 0x08, 0x00);
    cmd(f, 0x20);
    assert_int_equal(rd(f), 0x47);
}

static void test_controller_ram_bytes(void **state)
{
    Fixture *f = *state;
    cmd(f, 0x65);
    data(f, 0x99);
    cmd(f, 0x25);
    assert_int_equal(rd(f), 0x99);
    cmd(f, 0x3f);
    assert_int_equal(rd(f), 0x00);
}

static void test_aux_disable_enable_reflected_in_command_byte(void **state)
{
    Fixture *f = *state;
    cmd(f, 0xa7);
    cmd(f, 0x20);
    assert_int_equal(rd(f) & 0x20, 0x20);
    cmd(f, 0xa8);
    cmd(f, 0x20);
    assert_int_equal(rd(f) & 0x20, 0x00);
    cmd(f, 0xad);
    cmd(f, 0x20);
    assert_int_equal(rd(f) & 0x10, 0x10);
    cmd(f, 0xae);
    cmd(f, 0x20);
    assert_int_equal(rd(f) & 0x10, 0x00);
}

static void test_aux_loopback_sets_auxb_and_raises_irq12(void **state)
{
    Fixture *f = *state;
    cmd(f, 0x60);
    data(f, 0x47);                                   /* KBD and AUX interrupts */
    cmd(f, 0xd3);
    data(f, 0x5a);
    assert_int_equal(status(f) & 0x21, 0x21);
    assert_int_equal(f->aux_level, 1);
    assert_int_equal(f->kbd_level, 0);
    assert_int_equal(rd(f), 0x5a);
    assert_int_equal(f->aux_level, 0);
}

static void test_kbd_loopback_raises_irq1(void **state)
{
    Fixture *f = *state;
    cmd(f, 0xd2);
    data(f, 0x1c);
    assert_int_equal(status(f) & 0x21, 0x01);
    assert_int_equal(f->kbd_level, 1);
    assert_int_equal(rd(f), 0x1c);                   /* not translated */
    assert_int_equal(f->kbd_level, 0);
}

static void test_irq_gated_by_command_byte(void **state)
{
    Fixture *f = *state;
    cmd(f, 0x60);
    data(f, 0x44);                                   /* no interrupts */
    cmd(f, 0xd2);
    data(f, 0x01);
    assert_int_equal(f->kbd_level, 0);
    cmd(f, 0x60);
    data(f, 0x45);                                   /* KBD_INT back on: */
    assert_int_equal(f->kbd_level, 1);               /* OBF still holds 0x01 */
    assert_int_equal(rd(f), 0x01);
}

static void test_output_port_a20_and_reset(void **state)
{
    Fixture *f = *state;
    cmd(f, 0xd0);
    assert_int_equal(rd(f) & 0x03, 0x03);
    assert_true(i8042_a20_enabled(f->kbc));
    cmd(f, 0xd1);
    data(f, 0xdd);                                   /* A20 off */
    assert_int_equal(f->a20_calls, 1);
    assert_false(f->a20);
    cmd(f, 0xd1);
    data(f, 0xdf);                                   /* Linux's a20.c */
    cmd(f, 0xff);                                    /* null pulse */
    assert_true(f->a20);
    assert_false(runstate_take_reset_request());
    cmd(f, 0xd1);
    data(f, 0xde);                                   /* reset line low */
    assert_true(runstate_take_reset_request());
    cmd(f, 0xd0);
    assert_int_equal(rd(f) & 0x01, 0x01);
}

static void test_pulse_command_fe_resets(void **state)
{
    Fixture *f = *state;
    cmd(f, 0xfe);
    assert_true(runstate_take_reset_request());
    cmd(f, 0xf0);
    assert_true(runstate_take_reset_request());
    cmd(f, 0xfd);
    assert_false(runstate_take_reset_request());
}

static void test_keyboard_reset_answers_fa_aa(void **state)
{
    Fixture *f = *state;
    data(f, 0xff);
    assert_int_equal(rd(f), 0xfa);
    assert_int_equal(rd(f), 0xaa);
    assert_empty(f);
}

static void test_keyboard_identify_translated_and_raw(void **state)
{
    Fixture *f = *state;
    data(f, 0xf2);
    assert_int_equal(rd(f), 0xfa);
    assert_int_equal(rd(f), 0xab);
    assert_int_equal(rd(f), 0x41);                   /* 0x83 translated */
    cmd(f, 0x60);
    data(f, 0x05);                                   /* translation off */
    data(f, 0xf2);
    assert_int_equal(rd(f), 0xfa);
    assert_int_equal(rd(f), 0xab);
    assert_int_equal(rd(f), 0x83);
}

static void test_keyboard_leds_echo_typematic_and_scan_set(void **state)
{
    Fixture *f = *state;
    cmd(f, 0x60);
    data(f, 0x05);
    data(f, 0xed);
    assert_int_equal(rd(f), 0xfa);
    data(f, 0x07);
    assert_int_equal(rd(f), 0xfa);
    assert_int_equal(i8042_kbd_leds(f->kbc), 7);
    data(f, 0xee);
    assert_int_equal(rd(f), 0xee);
    data(f, 0xf3);
    assert_int_equal(rd(f), 0xfa);
    data(f, 0x20);
    assert_int_equal(rd(f), 0xfa);
    data(f, 0xf0);
    assert_int_equal(rd(f), 0xfa);
    data(f, 0x00);
    assert_int_equal(rd(f), 0xfa);
    assert_int_equal(rd(f), 0x02);
    data(f, 0xf0);
    rd(f);
    data(f, 0x01);
    assert_int_equal(rd(f), 0xfa);
    i8042_put_keycode(f->kbc, 0x1c, true, false);    /* 'A' in set 1 */
    assert_int_equal(rd(f), 0x1e);
    i8042_put_keycode(f->kbc, 0x1c, false, false);
    assert_int_equal(rd(f), 0x9e);
}

static void test_keys_in_set2_are_translated_to_set1(void **state)
{
    Fixture *f = *state;
    cmd(f, 0x60);
    data(f, 0x45);
    i8042_put_keycode(f->kbc, 0x1c, true, false);    /* 'A' */
    assert_int_equal(f->kbd_level, 1);
    assert_int_equal(rd(f), 0x1e);
    i8042_put_keycode(f->kbc, 0x1c, false, false);
    assert_int_equal(rd(f), 0x9e);                   /* F0 1C -> 9E */
    i8042_put_keycode(f->kbc, 0x75, true, true);     /* up arrow */
    assert_int_equal(rd(f), 0xe0);
    assert_int_equal(rd(f), 0x48);
    i8042_put_keycode(f->kbc, 0x75, false, true);
    assert_int_equal(rd(f), 0xe0);
    assert_int_equal(rd(f), 0xc8);
    assert_empty(f);
}

static void test_keys_raw_set2_without_translation(void **state)
{
    Fixture *f = *state;
    cmd(f, 0x60);
    data(f, 0x05);
    i8042_put_keycode(f->kbc, 0x5a, true, false);    /* Enter */
    assert_int_equal(rd(f), 0x5a);
    i8042_put_keycode(f->kbc, 0x5a, false, false);
    assert_int_equal(rd(f), 0xf0);
    assert_int_equal(rd(f), 0x5a);
}

static void test_each_byte_gives_a_new_irq1_edge(void **state)
{
    Fixture *f = *state;
    f->kbd_edges = 0;
    i8042_put_keycode(f->kbc, 0x75, false, true);    /* E0 F0 75 -> E0 C8 */
    assert_int_equal(f->kbd_edges, 1);
    rd(f);
    assert_int_equal(f->kbd_edges, 2);
    rd(f);
    assert_int_equal(f->kbd_level, 0);
}

static void test_keyboard_disabled_drops_keys_and_interface_disable_holds_them(void **state)
{
    Fixture *f = *state;
    data(f, 0xf5);
    assert_int_equal(rd(f), 0xfa);
    i8042_put_keycode(f->kbc, 0x1c, true, false);
    assert_empty(f);
    data(f, 0xf4);
    assert_int_equal(rd(f), 0xfa);
    cmd(f, 0xad);
    i8042_put_keycode(f->kbc, 0x1c, true, false);
    assert_empty(f);                                 /* held in the keyboard */
    cmd(f, 0xae);
    assert_int_equal(rd(f), 0x1e);
}

static void test_unknown_keyboard_command_answers_resend(void **state)
{
    Fixture *f = *state;
    data(f, 0x42);
    assert_int_equal(rd(f), 0xfe);
    data(f, 0xed);
    rd(f);
    data(f, 0xf4);                                   /* a command, not an LED byte */
    assert_int_equal(rd(f), 0xfa);
}

static void aux_cmd(Fixture *f, uint8_t b)
{
    cmd(f, 0xd4);
    data(f, b);
}

static void test_mouse_reset_identify_and_psmouse_probe(void **state)
{
    Fixture *f = *state;
    aux_cmd(f, 0xff);
    assert_int_equal(status(f) & 0x21, 0x21);
    assert_int_equal(rd(f), 0xfa);
    assert_int_equal(rd(f), 0xaa);
    assert_int_equal(rd(f), 0x00);
    aux_cmd(f, 0xf2);
    assert_int_equal(rd(f), 0xfa);
    assert_int_equal(rd(f), 0x00);
    /* Intellimouse knock: still a plain mouse (ID 0). */
    static const uint8_t rates[] = { 200, 100, 80 };
    for (unsigned i = 0; i < 3; i++) {
        aux_cmd(f, 0xf3);
        assert_int_equal(rd(f), 0xfa);
        aux_cmd(f, rates[i]);
        assert_int_equal(rd(f), 0xfa);
    }
    aux_cmd(f, 0xf2);
    rd(f);
    assert_int_equal(rd(f), 0x00);
}

static void test_mouse_status_resolution_scaling(void **state)
{
    Fixture *f = *state;
    aux_cmd(f, 0xe8);
    rd(f);
    aux_cmd(f, 0x03);
    assert_int_equal(rd(f), 0xfa);
    aux_cmd(f, 0xe7);
    rd(f);
    aux_cmd(f, 0xf4);
    rd(f);
    aux_cmd(f, 0xe9);
    assert_int_equal(rd(f), 0xfa);
    assert_int_equal(rd(f), 0x30);                   /* enabled, 2:1 */
    assert_int_equal(rd(f), 0x03);
    assert_int_equal(rd(f), 100);
    aux_cmd(f, 0xe6);
    rd(f);
    aux_cmd(f, 0xe9);
    rd(f);
    assert_int_equal(rd(f), 0x20);
}

static void test_mouse_stream_packets_after_enable(void **state)
{
    Fixture *f = *state;
    cmd(f, 0x60);
    data(f, 0x47);
    i8042_put_mouse(f->kbc, 5, 5, 0);                /* not enabled yet */
    assert_empty(f);
    aux_cmd(f, 0xf4);
    assert_int_equal(rd(f), 0xfa);
    f->aux_edges = 0;
    i8042_put_mouse(f->kbc, 10, -3, I8042_BUTTON_LEFT);
    assert_int_equal(f->aux_edges, 1);
    assert_int_equal(rd(f), 0x08 | 0x20 | 0x01);
    assert_int_equal(rd(f), 10);
    assert_int_equal(rd(f), 0xfd);
    assert_empty(f);
    i8042_put_mouse(f->kbc, 1000, 0, 0);             /* overflow */
    assert_int_equal(rd(f), 0x48);
    assert_int_equal(rd(f), 0xff);
    assert_int_equal(rd(f), 0x00);
}

static void test_mouse_remote_mode_read_data(void **state)
{
    Fixture *f = *state;
    aux_cmd(f, 0xf0);
    rd(f);
    i8042_put_mouse(f->kbc, 3, 4, I8042_BUTTON_RIGHT);
    i8042_put_mouse(f->kbc, 2, 1, I8042_BUTTON_RIGHT);
    assert_empty(f);
    aux_cmd(f, 0xeb);
    assert_int_equal(rd(f), 0xfa);
    assert_int_equal(rd(f), 0x0a);
    assert_int_equal(rd(f), 5);
    assert_int_equal(rd(f), 5);
}

static void test_mouse_wrap_mode_echoes(void **state)
{
    Fixture *f = *state;
    aux_cmd(f, 0xee);
    rd(f);
    aux_cmd(f, 0x12);
    assert_int_equal(rd(f), 0x12);
    aux_cmd(f, 0xec);
    assert_int_equal(rd(f), 0xfa);
    aux_cmd(f, 0x12);
    assert_int_equal(rd(f), 0xfe);
}

static void test_aux_disabled_holds_mouse_data(void **state)
{
    Fixture *f = *state;
    aux_cmd(f, 0xf4);
    rd(f);
    cmd(f, 0xa7);
    i8042_put_mouse(f->kbc, 1, 1, 0);
    assert_empty(f);
    cmd(f, 0xa8);
    assert_int_equal(status(f) & 0x21, 0x21);
}

static void test_linux_probe_sequence(void **state)
{
    Fixture *f = *state;
    uint8_t ctr;

    while (status(f) & 0x01) {                       /* i8042_flush */
        bus_read(f->io, 0x60, 1);
    }
    cmd(f, 0xaa);
    assert_int_equal(rd(f), 0x55);
    cmd(f, 0x20);
    ctr = rd(f);
    cmd(f, 0x60);
    data(f, (ctr | 0x10) & ~0x01);                   /* kbd disabled, no int */
    cmd(f, 0xd3);                                    /* AUX loop */
    data(f, 0x5a);
    assert_int_equal(status(f) & 0x20, 0x20);
    assert_int_equal(rd(f), 0x5a);
    cmd(f, 0x60);
    data(f, (ctr & ~0x30) | 0x03);
    data(f, 0xf2);                                   /* atkbd GETID */
    assert_int_equal(rd(f), 0xfa);
    assert_int_equal(rd(f), 0xab);
    assert_int_equal(rd(f), 0x41);
    data(f, 0xf5);
    assert_int_equal(rd(f), 0xfa);
    data(f, 0xf4);
    assert_int_equal(rd(f), 0xfa);
}

static void test_misuse_is_harmless(void **state)
{
    Fixture *f = *state;
    assert_int_equal(bus_read(f->io, 0x60, 1), 0x00);   /* empty: last byte */
    cmd(f, 0x60);
    cmd(f, 0xaa);                                   /* command while waiting */
    assert_int_equal(rd(f), 0x55);
    cmd(f, 0x60);
    data(f, 0xff);                                  /* bit 7 dropped */
    cmd(f, 0x20);
    assert_int_equal(rd(f), 0x7f);
    cmd(f, 0xc8);                                   /* unknown controller cmd */
    assert_empty(f);
    i8042_put_keycode(f->kbc, 0, true, false);
    i8042_put_keycode(f->kbc, 0x1234, true, false);
    i8042_put_keycode(f->kbc, -5, true, false);
    for (int i = 0; i < 200; i++) {                 /* overflow the queues */
        i8042_put_keycode(f->kbc, 0x1c, true, false);
        data(f, 0xee);
    }
    bus_write(f->io, 0x60, 0xffff, 2);
    bus_read(f->io, 0x64, 4);
    aux_cmd(f, 0x01);                               /* unknown mouse cmd */
}

/* Random guest traffic on both ports mixed with input events: no crash. */
static void test_random_port_traffic_is_survived(void **state)
{
    Fixture *f = *state;
    GRand *r = g_rand_new_with_seed(8042);

    for (int i = 0; i < 20000; i++) {
        switch (g_rand_int_range(r, 0, 6)) {
        case 0: cmd(f, g_rand_int(r)); break;
        case 1: data(f, g_rand_int(r)); break;
        case 2: bus_read(f->io, 0x60, 1); break;
        case 3: status(f); break;
        case 4:
            i8042_put_keycode(f->kbc, g_rand_int_range(r, -2, 300),
                              g_rand_boolean(r), g_rand_boolean(r));
            break;
        default:
            i8042_put_mouse(f->kbc, g_rand_int_range(r, -2000, 2000),
                            g_rand_int_range(r, -2000, 2000), g_rand_int(r));
            break;
        }
    }
    (void)runstate_take_reset_request();
    g_rand_free(r);
}

static void test_reset_restores_power_on_state(void **state)
{
    Fixture *f = *state;
    cmd(f, 0x60);
    data(f, 0x00);
    cmd(f, 0xd2);
    data(f, 0x99);
    i8042_reset(f->kbc);
    assert_empty(f);
    assert_int_equal(f->kbd_level, 0);
    cmd(f, 0x20);
    assert_int_equal(rd(f), 0x45);
}

int main(void)
{
    log_to_null(~0u);
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_self_test_answers_55_and_interface_tests_00),
        T(test_command_byte_read_write),
        T(test_controller_ram_bytes),
        T(test_aux_disable_enable_reflected_in_command_byte),
        T(test_aux_loopback_sets_auxb_and_raises_irq12),
        T(test_kbd_loopback_raises_irq1),
        T(test_irq_gated_by_command_byte),
        T(test_output_port_a20_and_reset),
        T(test_pulse_command_fe_resets),
        T(test_keyboard_reset_answers_fa_aa),
        T(test_keyboard_identify_translated_and_raw),
        T(test_keyboard_leds_echo_typematic_and_scan_set),
        T(test_keys_in_set2_are_translated_to_set1),
        T(test_keys_raw_set2_without_translation),
        T(test_each_byte_gives_a_new_irq1_edge),
        T(test_keyboard_disabled_drops_keys_and_interface_disable_holds_them),
        T(test_unknown_keyboard_command_answers_resend),
        T(test_mouse_reset_identify_and_psmouse_probe),
        T(test_mouse_status_resolution_scaling),
        T(test_mouse_stream_packets_after_enable),
        T(test_mouse_remote_mode_read_data),
        T(test_mouse_wrap_mode_echoes),
        T(test_aux_disabled_holds_mouse_data),
        T(test_linux_probe_sequence),
        T(test_misuse_is_harmless),
        T(test_random_port_traffic_is_survived),
        T(test_reset_restores_power_on_state),
#undef T
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (log_set_file(NULL, NULL) < 0) {
        return 1;
    }
    return rc;
}
