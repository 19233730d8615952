/*
 * test-ui-png.c: the screendump PNG writer (ui/png.c) and the display
 * console (ui/console.c) with its counters and the monitor's "info display"
 * (ui/display.c). PNG files are taken apart here: chunk order and
 * CRCs, the IHDR fields, the zlib stream of stored blocks with its
 * Adler-32, and the pixels after decoding, for palette and RGB images.
 */
#include "vireo/common.h"

#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>
#include <glib/gstdio.h>

#include "system/monitor.h"
#include "ui/console.h"
#include "ui/display.h"
#include "ui/png.h"
#include "test-ui-pngread.h"

static void test_crc32_and_adler32_match_known_values(void **state)
{
    assert_int_equal(ui_crc32(0, "123456789", 9), 0xcbf43926);
    assert_int_equal(ui_crc32(ui_crc32(0, "1234", 4), "56789", 5), 0xcbf43926);
    assert_int_equal(ui_crc32(0, "", 0), 0);
    assert_int_equal(ui_adler32(1, "Wikipedia", 9), 0x11e60398);
    assert_int_equal(ui_adler32(1, "", 0), 1);
    /* long runs of 0xff exercise the modulo reduction */
    uint8_t *big = g_malloc(100000);
    memset(big, 0xff, 100000);
    uint32_t a = 1, b = 0;
    for (int i = 0; i < 100000; i++) {
        a = (a + 0xff) % 65521;
        b = (b + a) % 65521;
    }
    assert_int_equal(ui_adler32(1, big, 100000), (b << 16) | a);
    g_free(big);
}

/* Walks the chunks: checks every CRC and returns the types in order. */
static char *chunk_types(const uint8_t *d, size_t len)
{
    GString *types = g_string_new(NULL);
    size_t pos = 8;

    while (pos + 12 <= len) {
        uint32_t n = pngr_be32(d + pos);
        assert_true(n <= len - pos - 12);
        assert_int_equal(pngr_be32(d + pos + 8 + n), ui_crc32(0, d + pos + 4, n + 4));
        g_string_append_len(types, (const char *)d + pos + 4, 4);
        g_string_append_c(types, ' ');
        pos += 12 + n;
    }
    assert_int_equal(pos, len);
    return g_string_free(types, false);
}

static void assert_same(DisplaySurface *a, DisplaySurface *b)
{
    assert_int_equal(a->width, b->width);
    assert_int_equal(a->height, b->height);
    for (int y = 0; y < a->height; y++) {
        for (int x = 0; x < a->width; x++) {
            assert_int_equal(surface_row(a, y)[x] & 0xffffff, surface_row(b, y)[x]);
        }
    }
}

static void test_few_colours_make_a_palette_png_that_round_trips(void **state)
{
    DisplaySurface *s = display_surface_new(7, 5);
    static const uint32_t cols[3] = { 0xff0000, 0x00ff00, 0x123456 };

    for (int y = 0; y < 5; y++) {
        for (int x = 0; x < 7; x++) {
            surface_row(s, y)[x] = cols[(x + y) % 3];
        }
    }
    GByteArray *png = ui_png_encode(s);
    char *types = chunk_types(png->data, png->len);
    assert_string_equal(types, "IHDR PLTE IDAT IEND ");
    /* IHDR: 7 x 5, depth 8, colour type 3 */
    assert_int_equal(pngr_be32(png->data + 16), 7);
    assert_int_equal(pngr_be32(png->data + 20), 5);
    assert_int_equal(png->data[24], 8);
    assert_int_equal(png->data[25], 3);
    assert_int_equal(pngr_be32(png->data + 33), 9);       /* PLTE: 3 colours */
    DisplaySurface *d = pngr_decode(png->data, png->len);
    assert_non_null(d);
    assert_same(s, d);
    display_surface_free(d);
    g_free(types);
    g_byte_array_free(png, true);
    display_surface_free(s);
}

static void test_many_colours_make_an_rgb_png_with_several_stored_blocks(void **state)
{
    DisplaySurface *s = display_surface_new(300, 100);    /* 90,100 bytes raw */

    for (int y = 0; y < 100; y++) {
        for (int x = 0; x < 300; x++) {
            surface_row(s, y)[x] = (x * 0x10101 + y * 0x20003) & 0xffffff;
        }
    }
    GByteArray *png = ui_png_encode(s);
    char *types = chunk_types(png->data, png->len);
    assert_string_equal(types, "IHDR IDAT IEND ");
    assert_int_equal(png->data[25], 2);
    /* IDAT: zlib header, first block not final, 65535 bytes */
    const uint8_t *z = png->data + 33 + 8;
    assert_int_equal(((z[0] << 8) | z[1]) % 31, 0);
    assert_int_equal(z[2], 0);
    assert_int_equal(z[3] | z[4] << 8, 65535);
    assert_int_equal((z[5] | z[6] << 8) ^ 0xffff, 65535);
    DisplaySurface *d = pngr_decode(png->data, png->len);
    assert_non_null(d);
    assert_same(s, d);
    /* one flipped byte in the image data is caught by the CRC */
    png->data[33 + 8 + 100] ^= 1;
    assert_null(pngr_decode(png->data, png->len));
    display_surface_free(d);
    g_free(types);
    g_byte_array_free(png, true);
    display_surface_free(s);
}

static void test_screendump_writes_the_file_or_names_it_in_the_error(void **state)
{
    DisplaySurface *s = display_surface_new(4, 4);
    GError *err = NULL;
    char *dir = g_dir_make_tmp("vireo-png-XXXXXX", NULL);
    char *path = g_build_filename(dir, "shot.png", NULL);
    gchar *data;
    gsize len;

    surface_row(s, 1)[2] = 0xabcdef;
    assert_int_equal(ui_screendump(s, path, NULL), 0);
    assert_true(g_file_get_contents(path, &data, &len, NULL));
    DisplaySurface *d = pngr_decode((uint8_t *)data, len);
    assert_non_null(d);
    assert_same(s, d);
    display_surface_free(d);
    g_free(data);
    g_unlink(path);
    g_rmdir(dir);
    assert_int_equal(ui_screendump(s, "/nonexistent-dir/x.png", &err), -1);
    assert_non_null(err);
    assert_non_null(strstr(err->message, "/nonexistent-dir/x.png"));
    g_error_free(err);
    g_free(path);
    g_free(dir);
    display_surface_free(s);
}

static int resizes, updates;

static void on_resize(void *opaque, DisplaySurface *s) { resizes++; }
static void on_update(void *opaque, int x, int y, int w, int h) { updates++; }
static const DisplayListenerOps listener = { on_resize, on_update };

static int hw_calls;
static void hw_update(void *opaque) { hw_calls++; }

static void test_console_resizes_clips_dirty_rects_and_refreshes_the_device(void **state)
{
    DisplayConsole *con = console_new();
    int x, y, w, h;

    assert_int_equal(console_surface(con)->width, 640);
    console_set_listener(con, &listener, NULL);
    assert_int_equal(resizes, 1);              /* told the current size at once */
    console_resize(con, 320, 200);
    assert_int_equal(resizes, 2);
    console_resize(con, 320, 200);             /* same size: nothing */
    assert_int_equal(resizes, 2);
    assert_int_equal(console_surface(con)->stride, 320 * 4);
    assert_true(console_take_dirty(con, &x, &y, &w, &h));
    assert_int_equal(w * h, 320 * 200);
    console_mark_dirty(con, 300, 190, 100, 100);
    assert_true(console_take_dirty(con, &x, &y, &w, &h));
    assert_int_equal(x, 300);
    assert_int_equal(w, 20);
    assert_int_equal(h, 10);
    updates = 0;
    console_mark_dirty(con, 400, 0, 10, 10);   /* outside: dropped */
    assert_int_equal(updates, 0);
    assert_false(console_take_dirty(con, &x, &y, &w, &h));
    console_resize(con, 100000, -5);           /* clamped */
    assert_int_equal(console_surface(con)->width, SURFACE_MAX_WIDTH);
    assert_int_equal(console_surface(con)->height, 1);
    console_set_hw(con, hw_update, NULL);
    console_refresh(con);
    assert_int_equal(hw_calls, 1);
    GString *text = g_string_new(NULL);
    assert_false(console_text_snapshot(con, text));     /* no text device */
    g_string_free(text, true);
    console_free(con);
}

static void hw_draw_row(void *opaque)
{
    DisplayConsole *con = opaque;
    console_mark_dirty(con, 0, 3, 10, 2);
}

static void test_console_counts_refreshes_frames_rects_and_pixels(void **state)
{
    DisplayConsole *con = console_new();
    ConsoleStats st;

    console_resize(con, 40, 20);                  /* a resize marks all: 1 rect */
    console_get_stats(con, &st);
    assert_int_equal(st.refreshes, 0);
    assert_int_equal(st.rects, 1);
    assert_int_equal(st.pixels, 40 * 20);
    console_set_hw(con, hw_update, NULL);        /* draws nothing */
    console_refresh(con);
    console_refresh(con);
    console_get_stats(con, &st);
    assert_int_equal(st.refreshes, 2);
    assert_int_equal(st.frames, 0);              /* nothing changed: no frame */
    console_set_hw(con, hw_draw_row, con);
    console_refresh(con);
    console_get_stats(con, &st);
    assert_int_equal(st.refreshes, 3);
    assert_int_equal(st.frames, 1);
    assert_int_equal(st.rects, 2);
    assert_int_equal(st.pixels, 40 * 20 + 10 * 2);
    console_free(con);
}

static void test_info_display_shows_the_front_end_size_and_counters(void **state)
{
    DisplayConsole *con = console_new();
    GString *out = g_string_new(NULL);

    assert_int_equal(ui_display_init("none", con, NULL), 0);
    assert_int_equal(ui_display_refresh_ms(), 0);        /* headless: no refresh tick */
    console_resize(con, 720, 400);
    console_set_hw(con, hw_draw_row, con);
    console_refresh(con);
    monitor_execute(NULL, "info display", out);
    assert_non_null(strstr(out->str, "front end: none, surface 720x400"));
    assert_non_null(strstr(out->str, "refreshes 1 frames 1 rects 2 pixels 288020 presents 0"));
    g_string_free(out, true);
    ui_display_cleanup();
    console_free(con);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32_and_adler32_match_known_values),
        cmocka_unit_test(test_few_colours_make_a_palette_png_that_round_trips),
        cmocka_unit_test(test_many_colours_make_an_rgb_png_with_several_stored_blocks),
        cmocka_unit_test(test_screendump_writes_the_file_or_names_it_in_the_error),
        cmocka_unit_test(test_console_resizes_clips_dirty_rects_and_refreshes_the_device),
        cmocka_unit_test(test_console_counts_refreshes_frames_rects_and_pixels),
        cmocka_unit_test(test_info_display_shows_the_front_end_size_and_counters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
