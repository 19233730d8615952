/*
 * test-ui-input.c: host keys (USB HID usages, as SDL scancodes are) to
 * PS/2 scan code set 2 (ui/keymap.c): plain and E0-extended keys,
 * PrintScreen's two codes, Pause's make-only E1 sequence, and the byte
 * sequences a set-2 keyboard sends.
 */
#include "vireo/common.h"

#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ui/display.h"

typedef struct KeyLog {
    int n;
    int code[8];
    bool down[8], ext[8];
} KeyLog;

static void log_key(void *opaque, int code, bool down, bool ext)
{
    KeyLog *l = opaque;
    assert_true(l->n < 8);
    l->code[l->n] = code;
    l->down[l->n] = down;
    l->ext[l->n] = ext;
    l->n++;
}

static const UiInputOps ops = { log_key, NULL };

static void test_letters_digits_and_modifiers_map_to_set2(void **state)
{
    bool ext;

    assert_int_equal(ui_hid_to_set2(0x04, &ext), 0x1c);   /* A */
    assert_false(ext);
    assert_int_equal(ui_hid_to_set2(0x1d, &ext), 0x1a);   /* Z */
    assert_int_equal(ui_hid_to_set2(0x27, &ext), 0x45);   /* 0 */
    assert_int_equal(ui_hid_to_set2(0x28, &ext), 0x5a);   /* Enter */
    assert_int_equal(ui_hid_to_set2(0x29, &ext), 0x76);   /* Escape */
    assert_int_equal(ui_hid_to_set2(0x40, &ext), 0x83);   /* F7 */
    assert_int_equal(ui_hid_to_set2(0xe1, &ext), 0x12);   /* left shift */
    assert_false(ext);
    assert_int_equal(ui_hid_to_set2(0xe4, &ext), 0x14);   /* right ctrl */
    assert_true(ext);
    assert_int_equal(ui_hid_to_set2(0xe6, &ext), 0x11);   /* right alt */
    assert_true(ext);
    assert_int_equal(ui_hid_to_set2(0x52, &ext), 0x75);   /* Up */
    assert_true(ext);
    assert_int_equal(ui_hid_to_set2(0x58, &ext), 0x5a);   /* keypad Enter */
    assert_true(ext);
    assert_int_equal(ui_hid_to_set2(0x60, &ext), 0x75);   /* keypad 8 */
    assert_false(ext);
    assert_int_equal(ui_hid_to_set2(0x00, &ext), 0);
    assert_int_equal(ui_hid_to_set2(0x1234, &ext), 0);
}

static void test_extended_key_events_carry_e0(void **state)
{
    KeyLog l = { 0 };
    uint8_t b[8];

    assert_true(ui_key_event(&ops, &l, 0x4c, true));      /* Delete */
    assert_true(ui_key_event(&ops, &l, 0x4c, false));
    assert_int_equal(l.n, 2);
    assert_int_equal(l.code[0], 0x71);
    assert_true(l.ext[0] && l.down[0] && !l.down[1]);
    assert_int_equal(ui_set2_bytes(0x71, false, true, b), 3);
    assert_memory_equal(b, ((uint8_t[]){ 0xe0, 0xf0, 0x71 }), 3);
    assert_int_equal(ui_set2_bytes(0x1c, true, false, b), 1);
    assert_false(ui_key_event(&ops, &l, 0x00, true));
}

static void test_printscreen_sends_two_extended_codes(void **state)
{
    KeyLog l = { 0 };

    ui_key_event(&ops, &l, 0x46, true);
    ui_key_event(&ops, &l, 0x46, false);
    assert_int_equal(l.n, 4);
    assert_int_equal(l.code[0], 0x12);
    assert_int_equal(l.code[1], 0x7c);
    assert_int_equal(l.code[2], 0x7c);
    assert_int_equal(l.code[3], 0x12);
    for (int i = 0; i < 4; i++) {
        assert_true(l.ext[i]);
        assert_int_equal(l.down[i], i < 2);
    }
}

static void test_pause_is_a_make_only_e1_sequence_of_calls(void **state)
{
    KeyLog l = { 0 };
    uint8_t b[8];
    static const uint8_t seq[8] = { 0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77 };

    ui_key_event(&ops, &l, 0x48, true);
    ui_key_event(&ops, &l, 0x48, false);
    /* six calls whose set-2 bytes are the Pause sequence */
    uint8_t all[16];
    int n = 0;
    assert_int_equal(l.n, 6);
    for (int i = 0; i < l.n; i++) {
        assert_false(l.ext[i]);
        n += ui_set2_bytes(l.code[i], l.down[i], l.ext[i], all + n);
    }
    assert_int_equal(n, 8);
    assert_memory_equal(all, seq, 8);
    assert_int_equal(ui_set2_bytes(UI_SET2_PAUSE, true, false, b), 8);
    assert_memory_equal(b, seq, 8);
    assert_int_equal(ui_set2_bytes(UI_SET2_PAUSE, false, false, b), 0);
}

static void test_display_none_needs_no_refresh_and_unknown_type_fails(void **state)
{
    DisplayConsole *con = console_new();
    GError *err = NULL;

    assert_int_equal(ui_display_init("none", con, NULL), 0);
    assert_int_equal(ui_display_refresh_ms(), 0);
    ui_display_refresh();
    ui_display_cleanup();
    assert_int_equal(ui_display_init("gtk", con, &err), -1);
    assert_non_null(strstr(err->message, "gtk"));
    g_error_free(err);
    console_free(con);
}

static void test_installed_handler_receives_front_end_input(void **state)
{
    KeyLog l = { 0 };

    ui_input_key(0x04, true);                  /* no handler: dropped */
    ui_input_set_handler(&ops, &l);
    ui_input_key(0x04, true);
    ui_input_mouse(1, 2, 1);                   /* no mouse hook: dropped */
    assert_int_equal(l.n, 1);
    assert_int_equal(l.code[0], 0x1c);
    ui_input_set_handler(NULL, NULL);
    ui_input_key(0x04, false);
    assert_int_equal(l.n, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_letters_digits_and_modifiers_map_to_set2),
        cmocka_unit_test(test_extended_key_events_carry_e0),
        cmocka_unit_test(test_printscreen_sends_two_extended_codes),
        cmocka_unit_test(test_pause_is_a_make_only_e1_sequence_of_calls),
        cmocka_unit_test(test_display_none_needs_no_refresh_and_unknown_type_fails),
        cmocka_unit_test(test_installed_handler_receives_front_end_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
