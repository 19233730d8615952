/*
 * test-vga.c: the VGA adapter (hw/display/) driven through its ports and
 * memory window as a guest would, with the video modes set by the test's
 * own register tables (no BIOS yet) and a font the test generates. The
 * rendered surfaces are compared pixel for pixel with an independent
 * model computed here and with the expected images in tests/data/vga/
 * (VIREO_UPDATE_GOLDEN=1 rewrites those).
 */
#include "vireo/common.h"

#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>

#include "vireo/log.h"
#include "hw/bus.h"
#include "hw/clock.h"
#include "hw/vga.h"
#include "ui/console.h"
#include "ui/png.h"
#include "test-ui-pngread.h"

typedef struct Fx {
    Bus *io, *mem;
    DisplayConsole *con;
    VGAState *vga;
} Fx;

static int64_t fake_now;

static int64_t fake_clock(void)
{
    return fake_now;
}

static void outb(Fx *f, uint16_t port, uint8_t v) { bus_write(f->io, port, v, 1); }
static void outw(Fx *f, uint16_t port, uint16_t v) { bus_write(f->io, port, v, 2); }
static uint8_t inb(Fx *f, uint16_t port) { return bus_read(f->io, port, 1); }
static uint16_t inw(Fx *f, uint16_t port) { return bus_read(f->io, port, 2); }
static void memb(Fx *f, uint64_t a, uint8_t v) { bus_write(f->mem, a, v, 1); }
static uint8_t rdb(Fx *f, uint64_t a) { return bus_read(f->mem, a, 1); }

static Fx *fx_new(void)
{
    Fx *f = g_new0(Fx, 1);
    fake_now = 0;
    clock_set_source(fake_clock);
    f->io = bus_new("io", 0x10000, LOG_IOPORT);
    f->mem = bus_new("mem", 1ULL << 32, LOG_MMIO);
    f->con = console_new();
    f->vga = vga_new(f->io, f->mem, f->con, NULL);
    assert_non_null(f->vga);
    return f;
}

static void fx_free(Fx *f)
{
    vga_free(f->vga);
    console_free(f->con);
    bus_free(f->io);
    bus_free(f->mem);
    g_free(f);
    clock_set_source(NULL);
}

/* ---- mode tables: the standard register values of the IBM BIOS ---- */

typedef struct ModeRegs {
    uint8_t misc, seq[5], crtc[25], gc[9], ac[21];
} ModeRegs;

static const ModeRegs mode03 = {
    0x67, { 0x03, 0x00, 0x03, 0x00, 0x02 },
    { 0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00,
      0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff },
    { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c,
      0x3d, 0x3e, 0x3f, 0x0c, 0x00, 0x0f, 0x08, 0x00 },
};

static const ModeRegs mode12 = {
    0xe3, { 0x03, 0x01, 0x0f, 0x00, 0x06 },
    { 0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0x0b, 0x3e, 0x00, 0x40, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0xea, 0x8c, 0xdf, 0x28, 0x00, 0xe7, 0x04, 0xe3, 0xff },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0f, 0xff },
    { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c,
      0x3d, 0x3e, 0x3f, 0x01, 0x00, 0x0f, 0x00, 0x00 },
};

static const ModeRegs mode13 = {
    0x63, { 0x03, 0x01, 0x0f, 0x00, 0x0e },
    { 0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0xbf, 0x1f, 0x00, 0x41, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x40, 0x96, 0xb9, 0xa3, 0xff },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0f, 0xff },
    { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
      0x0d, 0x0e, 0x0f, 0x41, 0x00, 0x0f, 0x00, 0x00 },
};

static void set_mode(Fx *f, const ModeRegs *m)
{
    outb(f, 0x3c2, m->misc);
    for (int i = 0; i < 5; i++) {
        outb(f, 0x3c4, i);
        outb(f, 0x3c5, m->seq[i]);
    }
    outb(f, 0x3d4, 0x11);
    outb(f, 0x3d5, m->crtc[0x11] & 0x7f);     /* unprotect CR0-CR7 */
    for (int i = 0; i < 25; i++) {
        outb(f, 0x3d4, i);
        outb(f, 0x3d5, m->crtc[i]);
    }
    for (int i = 0; i < 9; i++) {
        outb(f, 0x3ce, i);
        outb(f, 0x3cf, m->gc[i]);
    }
    inb(f, 0x3da);
    for (int i = 0; i < 21; i++) {
        outb(f, 0x3c0, i);
        outb(f, 0x3c0, m->ac[i]);
    }
    outb(f, 0x3c0, 0x20);                     /* palette address source: video on */
}

static void set_seq(Fx *f, int i, uint8_t v) { outb(f, 0x3c4, i); outb(f, 0x3c5, v); }
static void set_gc(Fx *f, int i, uint8_t v) { outb(f, 0x3ce, i); outb(f, 0x3cf, v); }
static void set_crtc(Fx *f, int i, uint8_t v) { outb(f, 0x3d4, i); outb(f, 0x3d5, v); }
static void set_ac(Fx *f, int i, uint8_t v)
{
    inb(f, 0x3da);
    outb(f, 0x3c0, i);
    outb(f, 0x3c0, v);
    outb(f, 0x3c0, 0x20);
}

/* ---- the test font and palettes ---- */

/* Glyph row r of character c in the generated test font. */
static uint8_t font_row(unsigned c, unsigned r, unsigned height)
{
    if (c == 0 || c == ' ' || r >= height || r == 0 || r == height - 1) {
        return 0;
    }
    return (uint8_t)((c * 37 + r * 11) ^ (c >> 1) ^ (r << 5));
}

/* Loads the test font (height lines per glyph) into font map `map`. */
static void load_font(Fx *f, unsigned height, unsigned map, unsigned salt)
{
    uint32_t base = (map & 3) * 0x4000 + (map >> 2) * 0x2000;

    set_seq(f, 2, 0x04);
    set_seq(f, 4, 0x06);
    set_gc(f, 4, 0x02);
    set_gc(f, 5, 0x00);
    set_gc(f, 6, 0x04);
    for (unsigned c = 0; c < 256; c++) {
        for (unsigned r = 0; r < 32; r++) {
            memb(f, 0xa0000 + base + c * 32 + r, font_row(c ^ salt, r, height));
        }
    }
    set_seq(f, 2, 0x03);
    set_seq(f, 4, 0x02);
    set_gc(f, 4, 0x00);
    set_gc(f, 5, 0x10);
    set_gc(f, 6, 0x0e);
}

static uint8_t ega_component(unsigned v, int bit)
{
    return ((v >> bit) & 1 ? 0x2a : 0) + ((v >> (bit + 3)) & 1 ? 0x15 : 0);
}

/* The EGA 64-colour palette in DAC entries 0-63 (6-bit values). */
static void load_ega_dac(Fx *f)
{
    outb(f, 0x3c8, 0);
    for (unsigned i = 0; i < 64; i++) {
        outb(f, 0x3c9, ega_component(i, 2));
        outb(f, 0x3c9, ega_component(i, 1));
        outb(f, 0x3c9, ega_component(i, 0));
    }
}

static uint32_t expand6(unsigned v)
{
    return (v << 2) | (v >> 4);
}

static uint32_t ega_rgb(unsigned v)
{
    return expand6(ega_component(v, 2)) << 16 | expand6(ega_component(v, 1)) << 8 |
           expand6(ega_component(v, 0));
}

static uint8_t test_dac(unsigned i, int k)
{
    return (uint8_t)((i * (k + 1) * 7 + k * 13) & 0x3f);
}

static void load_test_dac(Fx *f)
{
    outb(f, 0x3c8, 0);
    for (unsigned i = 0; i < 256; i++) {
        for (int k = 0; k < 3; k++) {
            outb(f, 0x3c9, test_dac(i, k));
        }
    }
}

static uint32_t test_dac_rgb(unsigned i)
{
    return expand6(test_dac(i, 0)) << 16 | expand6(test_dac(i, 1)) << 8 | expand6(test_dac(i, 2));
}

/* ---- golden images ---- */

static void check_golden(DisplaySurface *surf, const char *name)
{
    char *dir = g_path_get_dirname(__FILE__);
    char *path = g_strdup_printf("%s/../data/vga/%s.png", dir, name);
    gchar *data = NULL;
    gsize len = 0;

    if (g_getenv("VIREO_UPDATE_GOLDEN")) {
        assert_int_equal(ui_screendump(surf, path, NULL), 0);
    }
    if (!g_file_get_contents(path, &data, &len, NULL)) {
        fail_msg("expected image %s is missing (VIREO_UPDATE_GOLDEN=1 writes it)", path);
    }
    DisplaySurface *exp = pngr_decode((const uint8_t *)data, len);
    assert_non_null(exp);
    assert_int_equal(exp->width, surf->width);
    assert_int_equal(exp->height, surf->height);
    for (int y = 0; y < surf->height; y++) {
        for (int x = 0; x < surf->width; x++) {
            if ((surface_row(surf, y)[x] & 0xffffff) != surface_row(exp, y)[x]) {
                fail_msg("%s: pixel (%d,%d) is %06x, expected %06x", name, x, y,
                         surface_row(surf, y)[x], surface_row(exp, y)[x]);
            }
        }
    }
    display_surface_free(exp);
    g_free(data);
    g_free(path);
    g_free(dir);
}

static DisplaySurface *render(Fx *f)
{
    vga_update_display(f->vga);
    return console_surface(f->con);
}

/* ---- text mode ---- */

typedef struct TextModel {
    uint8_t ch[50][80], at[50][80];
    int rows, height, cw;
} TextModel;

static void text_put(Fx *f, TextModel *t, int r, int c, uint8_t ch, uint8_t at)
{
    t->ch[r][c] = ch;
    t->at[r][c] = at;
    memb(f, 0xb8000 + (r * 80 + c) * 2, ch);
    memb(f, 0xb8000 + (r * 80 + c) * 2 + 1, at);
}

static void text_fill(Fx *f, TextModel *t)
{
    const char *msg = "Hello, vireo!";
    for (int r = 0; r < t->rows; r++) {
        for (int c = 0; c < 80; c++) {
            uint8_t ch = (r * 80 + c) & 0xff, at = (uint8_t)((r * 7 + c * 3) & 0x7f);
            if (r == 0) {
                ch = c < (int)strlen(msg) ? msg[c] : ' ';
                at = 0x07;
            }
            text_put(f, t, r, c, ch, at);
        }
    }
}

/* The expected pixel of the text model (no cursor, blink attribute off). */
static uint32_t text_expect(const TextModel *t, int x, int y, bool line_gfx)
{
    int r = y / t->height, line = y % t->height, c = x / t->cw, dot = x % t->cw;
    uint8_t ch = t->ch[r][c], at = t->at[r][c];
    uint8_t g = font_row(ch, line, t->height);
    int bit = dot < 8 ? (g >> (7 - dot)) & 1 : (line_gfx && ch >= 0xc0 && ch <= 0xdf) ? g & 1 : 0;
    static const uint8_t ac[16] = { 0, 1, 2, 3, 4, 5, 0x14, 7, 0x38, 0x39, 0x3a, 0x3b,
                                    0x3c, 0x3d, 0x3e, 0x3f };
    return ega_rgb(ac[bit ? at & 15 : (at >> 4) & 7]);
}

static void setup_text(Fx *f, TextModel *t)
{
    set_mode(f, &mode03);
    load_font(f, 16, 0, 0);
    load_ega_dac(f);
    set_crtc(f, 0x0a, 0x20);          /* cursor off for pixel comparisons */
    memset(t, 0, sizeof(*t));
    t->rows = 25;
    t->height = 16;
    t->cw = 9;
    text_fill(f, t);
}

static void assert_text_model(DisplaySurface *s, const TextModel *t, bool line_gfx)
{
    assert_int_equal(s->width, 80 * t->cw);
    assert_int_equal(s->height, t->rows * t->height);
    for (int y = 0; y < s->height; y++) {
        for (int x = 0; x < s->width; x++) {
            uint32_t e = text_expect(t, x, y, line_gfx);
            if (surface_row(s, y)[x] != e) {
                fail_msg("text pixel (%d,%d) is %06x, expected %06x", x, y,
                         surface_row(s, y)[x], e);
            }
        }
    }
}

static void test_text_mode_03_renders_720x400_with_font_and_attributes(void **state)
{
    Fx *f = fx_new();
    TextModel t;

    setup_text(f, &t);
    DisplaySurface *s = render(f);
    assert_text_model(s, &t, true);
    check_golden(s, "text-80x25");
    fx_free(f);
}

static void test_text_8_dot_mode_and_line_graphics_ninth_column(void **state)
{
    Fx *f = fx_new();
    TextModel t;

    setup_text(f, &t);
    set_ac(f, 0x10, 0x08);            /* line graphics off: 9th column is background */
    assert_text_model(render(f), &t, false);
    set_ac(f, 0x10, 0x0c);
    set_seq(f, 1, 0x01);              /* 8-dot characters: 640 wide */
    t.cw = 8;
    assert_text_model(render(f), &t, true);
    fx_free(f);
}

static void test_text_80x50_uses_8_line_cells(void **state)
{
    Fx *f = fx_new();
    TextModel t;
    GString *snap = g_string_new(NULL);

    setup_text(f, &t);
    load_font(f, 8, 0, 0);
    set_crtc(f, 0x09, 0x47);          /* 8 scan lines per row */
    t.rows = 50;
    t.height = 8;
    text_fill(f, &t);
    assert_text_model(render(f), &t, true);
    assert_true(vga_text_snapshot(f->vga, snap));
    char **lines = g_strsplit(snap->str, "\n", -1);
    assert_int_equal(g_strv_length(lines), 51);      /* 50 rows and the final "" */
    assert_string_equal(lines[0], "Hello, vireo!");
    g_strfreev(lines);
    g_string_free(snap, true);
    fx_free(f);
}

static void test_text_snapshot_returns_rows_and_refuses_graphics(void **state)
{
    Fx *f = fx_new();
    TextModel t;
    GString *snap = g_string_new(NULL);

    setup_text(f, &t);
    assert_true(vga_text_snapshot(f->vga, snap));
    assert_true(g_str_has_prefix(snap->str, "Hello, vireo!\n"));
    GString *via_console = g_string_new(NULL);
    assert_true(console_text_snapshot(f->con, via_console));
    assert_string_equal(via_console->str, snap->str);
    g_string_free(via_console, true);
    char **rows = g_strsplit(snap->str, "\n", -1);
    assert_int_equal(g_strv_length(rows), 26);
    assert_int_equal(strlen(rows[1]) <= 80, true);
    g_strfreev(rows);
    g_string_truncate(snap, 0);
    set_mode(f, &mode13);
    assert_false(vga_text_snapshot(f->vga, snap));
    g_string_free(snap, true);
    fx_free(f);
}

static void test_text_blink_hides_blinking_characters_half_the_time(void **state)
{
    Fx *f = fx_new();
    TextModel t;
    uint8_t g;
    int x = -1, y = 0;

    setup_text(f, &t);
    text_put(f, &t, 1, 0, 'A', 0x9e);     /* blinking yellow on blue */
    for (int line = 0; line < 16 && x < 0; line++) {
        g = font_row('A', line, 16);
        for (int d = 0; d < 8; d++) {
            if (g & (0x80 >> d)) {
                x = d, y = 16 + line;
                break;
            }
        }
    }
    assert_true(x >= 0);
    fake_now = 0;
    assert_int_equal(surface_row(render(f), y)[x], ega_rgb(0x3e));
    fake_now = 300 * 1000 * 1000;         /* past half a blink period */
    assert_int_equal(surface_row(render(f), y)[x], ega_rgb(1));
    /* Blink disabled: bit 7 is background intensity, nothing blinks. */
    set_ac(f, 0x10, 0x04);
    assert_int_equal(surface_row(render(f), y)[x], ega_rgb(0x3e));
    assert_int_equal(surface_row(render(f), 16)[0], ega_rgb(0x39));
    set_ac(f, 0x10, 0x0c);
    assert_int_equal(surface_row(render(f), 16)[0], ega_rgb(0x01));
    fx_free(f);
}

static void test_text_cursor_shape_position_disable_and_blink(void **state)
{
    Fx *f = fx_new();
    TextModel t;
    uint32_t fg;
    int x, y0;

    setup_text(f, &t);
    text_put(f, &t, 2, 5, ' ', 0x1e);
    fg = ega_rgb(0x3e);
    x = 5 * 9 + 3;
    y0 = 2 * 16;
    set_crtc(f, 0x0e, 0);
    set_crtc(f, 0x0f, 2 * 80 + 5);
    set_crtc(f, 0x0a, 0x0d);
    set_crtc(f, 0x0b, 0x0e);
    fake_now = 0;
    DisplaySurface *s = render(f);
    for (int line = 0; line < 16; line++) {
        uint32_t e = (line == 13 || line == 14) ? fg : ega_rgb(1);
        assert_int_equal(surface_row(s, y0 + line)[x], e);
    }
    assert_int_equal(surface_row(s, y0 + 13)[5 * 9 + 8], fg);   /* all 9 dots */
    fake_now = 150 * 1000 * 1000;        /* cursor off phase */
    assert_int_equal(surface_row(render(f), y0 + 13)[x], ega_rgb(1));
    fake_now = 300 * 1000 * 1000;        /* on again */
    assert_int_equal(surface_row(render(f), y0 + 13)[x], fg);
    set_crtc(f, 0x0a, 0x2d);             /* disable bit */
    assert_int_equal(surface_row(render(f), y0 + 13)[x], ega_rgb(1));
    set_crtc(f, 0x0a, 0x00);             /* full block at the new position */
    set_crtc(f, 0x0f, 0);
    s = render(f);
    assert_int_equal(surface_row(s, 0)[3], ega_rgb(7));
    assert_int_equal(surface_row(s, y0 + 13)[x], ega_rgb(1));
    fx_free(f);
}

static void test_text_char_map_select_picks_font_by_attribute_bit_3(void **state)
{
    Fx *f = fx_new();
    TextModel t;

    setup_text(f, &t);
    load_font(f, 16, 1, 0x55);        /* map 1: a different font */
    set_seq(f, 3, 0x04);              /* map A = 1 (attr bit 3 set), map B = 0 */
    text_put(f, &t, 3, 0, 'Z', 0x0f);
    text_put(f, &t, 3, 1, 'Z', 0x07);
    DisplaySurface *s = render(f);
    for (int line = 0; line < 16; line++) {
        uint8_t ga = font_row('Z' ^ 0x55, line, 16), gb = font_row('Z', line, 16);
        for (int d = 0; d < 8; d++) {
            assert_int_equal(surface_row(s, 48 + line)[d], (ga & (0x80 >> d)) ? ega_rgb(0x3f) : 0);
            assert_int_equal(surface_row(s, 48 + line)[9 + d], (gb & (0x80 >> d)) ? ega_rgb(7) : 0);
        }
    }
    fx_free(f);
}

static void put_string(Fx *f, int row, int col, const char *str, uint8_t at)
{
    for (int i = 0; str[i]; i++) {
        memb(f, 0xb8000 + (row * 80 + col + i) * 2, (uint8_t)str[i]);
        memb(f, 0xb8000 + (row * 80 + col + i) * 2 + 1, at);
    }
}

static void test_boot_text_mode_shows_text_with_the_builtin_font(void **state)
{
    Fx *f = fx_new();
    GString *snap = g_string_new(NULL);
    static const char box[] = { (char)0xc9, (char)0xcd, (char)0xcd, (char)0xcb, (char)0xcd,
                                (char)0xbb, ' ', (char)0xda, (char)0xc4, (char)0xc2,
                                (char)0xc4, (char)0xbf, ' ', (char)0xb0, (char)0xb1,
                                (char)0xb2, (char)0xdb, (char)0xdc, (char)0xdf, 0 };

    vga_set_boot_text_mode(f->vga);
    assert_true(vga_text_snapshot(f->vga, snap));
    assert_int_equal(snap->len, 25);             /* 25 empty rows */
    put_string(f, 0, 0, "vireo: 80x25 text, the built-in font", 0x07);
    put_string(f, 1, 0, " !\"#$%&'()*+,-./0123456789:;<=>?@", 0x1f);
    put_string(f, 2, 0, "ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`", 0x2e);
    put_string(f, 3, 0, "abcdefghijklmnopqrstuvwxyz{|}~", 0x4f);
    put_string(f, 4, 0, box, 0x0a);
    g_string_truncate(snap, 0);
    assert_true(vga_text_snapshot(f->vga, snap));
    assert_true(g_str_has_prefix(snap->str, "vireo: 80x25 text, the built-in font\n !\"#$%&"));
    DisplaySurface *s = render(f);
    assert_int_equal(s->width, 720);
    assert_int_equal(s->height, 400);
    /* the 'v' of row 0 has dots; the cursor blinks at the top left */
    bool any = false;
    for (int y = 0; y < 16; y++) {
        for (int x = 9; x < 18; x++) {
            any |= surface_row(s, y)[x] != 0;
        }
    }
    assert_true(any);
    check_golden(s, "boot-text");
    g_string_free(snap, true);
    fx_free(f);
}

static const ModeRegs mode07 = {
    0xa6, { 0x03, 0x00, 0x03, 0x00, 0x02 },
    { 0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4d, 0x0b, 0x0c, 0x00,
      0x00, 0x00, 0x00, 0x83, 0x85, 0x5d, 0x28, 0x0d, 0x63, 0xba, 0xa3, 0xff },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0a, 0x00, 0xff },
    { 0x00, 0x08, 0x08, 0x08, 0x08, 0x08, 0x08, 0x08, 0x10, 0x18, 0x18, 0x18, 0x18,
      0x18, 0x18, 0x18, 0x0e, 0x00, 0x0f, 0x08, 0x00 },
};

static void set_mode_mono(Fx *f, const ModeRegs *m)
{
    outb(f, 0x3c2, m->misc);
    for (int i = 0; i < 5; i++) {
        set_seq(f, i, m->seq[i]);
    }
    outb(f, 0x3b4, 0x11);
    outb(f, 0x3b5, m->crtc[0x11] & 0x7f);
    for (int i = 0; i < 25; i++) {
        outb(f, 0x3b4, i);
        outb(f, 0x3b5, m->crtc[i]);
    }
    for (int i = 0; i < 9; i++) {
        set_gc(f, i, m->gc[i]);
    }
    inb(f, 0x3ba);
    for (int i = 0; i < 21; i++) {
        outb(f, 0x3c0, i);
        outb(f, 0x3c0, m->ac[i]);
    }
    outb(f, 0x3c0, 0x20);
}

static void test_mono_mode_07_at_b0000_underlines_attribute_01(void **state)
{
    Fx *f = fx_new();
    GString *snap = g_string_new(NULL);

    set_mode_mono(f, &mode07);
    load_ega_dac(f);
    outb(f, 0x3b4, 0x0a);
    outb(f, 0x3b5, 0x20);                     /* cursor off */
    const char *msg = "mono";
    for (int i = 0; msg[i]; i++) {
        memb(f, 0xb0000 + 2 * i, msg[i]);
        memb(f, 0xb0000 + 2 * i + 1, i == 0 ? 0x01 : 0x07);
    }
    assert_int_equal(rdb(f, 0xb8000), 0xff);  /* the colour window is off */
    assert_true(vga_text_snapshot(f->vga, snap));
    assert_true(g_str_has_prefix(snap->str, "mono\n"));
    DisplaySurface *s = render(f);
    assert_int_equal(s->width, 720);
    assert_int_equal(s->height, 350);
    /* scan line 13 of the first cell is the underline, in palette 0x08's colour */
    for (int x = 0; x < 9; x++) {
        assert_int_equal(surface_row(s, 13)[x], ega_rgb(0x08));
    }
    assert_int_equal(surface_row(s, 13)[9 + 2], 0);
    g_string_free(snap, true);
    fx_free(f);
}

/* ---- memory access: write and read modes ---- */

static void setup_planar(Fx *f)
{
    set_mode(f, &mode12);
}

static uint8_t plane_byte(Fx *f, unsigned plane, uint32_t off)
{
    return vga_vram(f->vga)[off * 4 + plane];
}

static void test_write_mode_0_map_mask_set_reset_rotate_and_bit_mask(void **state)
{
    Fx *f = fx_new();

    setup_planar(f);
    set_seq(f, 2, 0x05);                  /* planes 0 and 2 */
    memb(f, 0xa0010, 0xa5);
    assert_int_equal(plane_byte(f, 0, 0x10), 0xa5);
    assert_int_equal(plane_byte(f, 1, 0x10), 0x00);
    assert_int_equal(plane_byte(f, 2, 0x10), 0xa5);
    set_seq(f, 2, 0x0f);
    set_gc(f, 0, 0x0a);                   /* set/reset 1010 */
    set_gc(f, 1, 0x03);                   /* enabled for planes 0, 1 */
    memb(f, 0xa0011, 0x3c);
    assert_int_equal(plane_byte(f, 0, 0x11), 0x00);
    assert_int_equal(plane_byte(f, 1, 0x11), 0xff);
    assert_int_equal(plane_byte(f, 2, 0x11), 0x3c);
    assert_int_equal(plane_byte(f, 3, 0x11), 0x3c);
    set_gc(f, 1, 0x00);
    set_gc(f, 3, 0x04);                   /* rotate right by 4 */
    memb(f, 0xa0012, 0x12);
    assert_int_equal(plane_byte(f, 0, 0x12), 0x21);
    set_gc(f, 3, 0x00);
    /* Bit mask keeps the latched bits. */
    rdb(f, 0xa0010);                      /* latches: a5 00 a5 00 */
    set_gc(f, 8, 0x0f);
    memb(f, 0xa0010, 0xff);
    assert_int_equal(plane_byte(f, 0, 0x10), 0xaf);
    assert_int_equal(plane_byte(f, 1, 0x10), 0x0f);
    set_gc(f, 8, 0xff);
    fx_free(f);
}

static void test_write_mode_0_logical_functions_use_the_latches(void **state)
{
    Fx *f = fx_new();
    static const uint8_t expect[4] = { 0x5a, 0x50, 0xfa, 0xaa };   /* none, AND, OR, XOR */

    setup_planar(f);
    for (int fn = 0; fn < 4; fn++) {
        set_gc(f, 3, 0);
        memb(f, 0xa0100 + fn, 0xf0);
        rdb(f, 0xa0100 + fn);
        set_gc(f, 3, fn << 3);
        memb(f, 0xa0100 + fn, 0x5a);
        for (int p = 0; p < 4; p++) {
            assert_int_equal(plane_byte(f, p, 0x100 + fn), expect[fn]);
        }
    }
    fx_free(f);
}

static void test_write_mode_1_copies_latches(void **state)
{
    Fx *f = fx_new();

    setup_planar(f);
    set_seq(f, 2, 0x01); memb(f, 0xa0000, 0x11);
    set_seq(f, 2, 0x02); memb(f, 0xa0000, 0x22);
    set_seq(f, 2, 0x04); memb(f, 0xa0000, 0x33);
    set_seq(f, 2, 0x08); memb(f, 0xa0000, 0x44);
    set_seq(f, 2, 0x0f);
    set_gc(f, 5, 0x01);
    rdb(f, 0xa0000);
    memb(f, 0xa0200, 0x99);               /* value ignored */
    for (int p = 0; p < 4; p++) {
        assert_int_equal(plane_byte(f, p, 0x200), 0x11 * (p + 1));
    }
    fx_free(f);
}

static void test_write_mode_2_and_3_expand_colour(void **state)
{
    Fx *f = fx_new();

    setup_planar(f);
    set_gc(f, 5, 0x02);
    set_gc(f, 8, 0x81);
    rdb(f, 0xa0300);                      /* latches 0 */
    memb(f, 0xa0300, 0x05);               /* colour 0101 in bits 7 and 0 */
    assert_int_equal(plane_byte(f, 0, 0x300), 0x81);
    assert_int_equal(plane_byte(f, 1, 0x300), 0x00);
    assert_int_equal(plane_byte(f, 2, 0x300), 0x81);
    assert_int_equal(plane_byte(f, 3, 0x300), 0x00);
    /* Write mode 3: set/reset is the colour, rotated data AND bit mask the mask. */
    set_gc(f, 5, 0x03);
    set_gc(f, 8, 0xf0);
    set_gc(f, 0, 0x0c);
    rdb(f, 0xa0301);
    memb(f, 0xa0301, 0x3c);
    assert_int_equal(plane_byte(f, 0, 0x301), 0x00);
    assert_int_equal(plane_byte(f, 2, 0x301), 0x30);
    assert_int_equal(plane_byte(f, 3, 0x301), 0x30);
    fx_free(f);
}

static void test_read_mode_0_and_1_colour_compare_with_dont_care(void **state)
{
    Fx *f = fx_new();

    setup_planar(f);
    set_seq(f, 2, 0x01); memb(f, 0xa0400, 0xf0);
    set_seq(f, 2, 0x02); memb(f, 0xa0400, 0xcc);
    set_seq(f, 2, 0x04); memb(f, 0xa0400, 0xaa);
    set_seq(f, 2, 0x08); memb(f, 0xa0400, 0x00);
    set_seq(f, 2, 0x0f);
    set_gc(f, 4, 2);
    assert_int_equal(rdb(f, 0xa0400), 0xaa);
    set_gc(f, 4, 1);
    assert_int_equal(rdb(f, 0xa0400), 0xcc);
    set_gc(f, 5, 0x08);                   /* read mode 1 */
    set_gc(f, 2, 0x03);                   /* colour 0011 */
    set_gc(f, 7, 0x0f);
    /* pixel colours by bit (msb first): 7 3 5 1 6 2 4 0 -> only bit 6 is 3 */
    assert_int_equal(rdb(f, 0xa0400), 0x40);
    set_gc(f, 7, 0x03);                   /* compare planes 0, 1 only */
    assert_int_equal(rdb(f, 0xa0400), 0xc0);
    set_gc(f, 7, 0x00);
    assert_int_equal(rdb(f, 0xa0400), 0xff);
    fx_free(f);
}

static void test_memory_map_select_and_odd_even_addressing(void **state)
{
    Fx *f = fx_new();
    TextModel t;

    setup_text(f, &t);                    /* B8000, odd/even */
    assert_int_equal(rdb(f, 0xa0000), 0xff);   /* not mapped */
    assert_int_equal(rdb(f, 0xb0000), 0xff);
    memb(f, 0xb8100, 'x');
    memb(f, 0xb8101, 0x1f);
    assert_int_equal(plane_byte(f, 0, 0x100), 'x');
    assert_int_equal(plane_byte(f, 1, 0x100), 0x1f);
    assert_int_equal(rdb(f, 0xb8100), 'x');
    assert_int_equal(rdb(f, 0xb8101), 0x1f);
    set_gc(f, 6, 0x0a);                   /* B0000 32K */
    assert_int_equal(rdb(f, 0xb0100), 'x');
    assert_int_equal(rdb(f, 0xb8100), 0xff);
    set_gc(f, 6, 0x02);                   /* A0000 128K */
    assert_int_equal(rdb(f, 0xa0100), 'x');
    fx_free(f);
}

/* ---- graphics modes ---- */

static void test_mode_13_chain4_renders_doubled_pixels_through_dac(void **state)
{
    Fx *f = fx_new();

    set_mode(f, &mode13);
    load_test_dac(f);
    for (int y = 0; y < 200; y++) {
        for (int x = 0; x < 320; x++) {
            memb(f, 0xa0000 + y * 320 + x, (uint8_t)(x + y * 3 + (x * y >> 5)));
        }
    }
    assert_int_equal(rdb(f, 0xa0000 + 5 * 320 + 7), (uint8_t)(7 + 15 + (35 >> 5)));
    DisplaySurface *s = render(f);
    assert_int_equal(s->width, 640);
    assert_int_equal(s->height, 400);
    for (int y = 0; y < 400; y++) {
        for (int x = 0; x < 640; x++) {
            int px = x / 2, py = y / 2;
            uint32_t e = test_dac_rgb((uint8_t)(px + py * 3 + (px * py >> 5)));
            if (surface_row(s, y)[x] != e) {
                fail_msg("13h pixel (%d,%d) is %06x, expected %06x", x, y, surface_row(s, y)[x], e);
            }
        }
    }
    check_golden(s, "mode13");
    /* DAC pixel mask */
    outb(f, 0x3c6, 0x0f);
    s = render(f);
    assert_int_equal(surface_row(s, 0)[2 * 0x1f], test_dac_rgb(0x0f));
    fx_free(f);
}

static void test_mode_x_unchained_planes_render_in_order(void **state)
{
    Fx *f = fx_new();

    set_mode(f, &mode13);
    load_test_dac(f);
    set_seq(f, 4, 0x06);                  /* unchain */
    set_crtc(f, 0x14, 0x00);              /* byte mode */
    set_crtc(f, 0x17, 0xe3);
    for (int p = 0; p < 4; p++) {
        set_seq(f, 2, 1 << p);
        for (int i = 0; i < 80 * 200; i++) {
            memb(f, 0xa0000 + i, (uint8_t)(i * 4 + p));
        }
    }
    /* page flip to 80 bytes (one row) further */
    set_crtc(f, 0x0c, 0);
    set_crtc(f, 0x0d, 80);
    DisplaySurface *s = render(f);
    assert_int_equal(s->width, 640);
    for (int y = 0; y < 398; y++) {
        for (int x = 0; x < 640; x++) {
            int px = x / 2, py = y / 2 + 1;
            assert_int_equal(surface_row(s, y)[x], test_dac_rgb((uint8_t)((py * 80 + px / 4) * 4 + px % 4)));
        }
    }
    fx_free(f);
}

static void test_mode_12_planar_renders_16_colours(void **state)
{
    Fx *f = fx_new();

    setup_planar(f);
    load_ega_dac(f);
    set_gc(f, 5, 0x02);                   /* write mode 2: colour per pixel */
    for (int y = 0; y < 480; y++) {
        for (int bx = 0; bx < 80; bx++) {
            for (int b = 0; b < 8; b++) {
                set_gc(f, 8, 0x80 >> b);
                rdb(f, 0xa0000 + y * 80 + bx);
                memb(f, 0xa0000 + y * 80 + bx, ((bx * 8 + b) / 40 + y / 30) & 15);
            }
        }
        if (y == 40) {
            break;                        /* the rest by a faster path below */
        }
    }
    set_gc(f, 5, 0x00);
    set_gc(f, 8, 0xff);
    for (int y = 41; y < 480; y++) {
        for (int bx = 0; bx < 80; bx++) {
            for (int p = 0; p < 4; p++) {
                uint8_t v = 0;
                for (int b = 0; b < 8; b++) {
                    v |= ((((bx * 8 + b) / 40 + y / 30) & 15) >> p & 1) << (7 - b);
                }
                set_seq(f, 2, 1 << p);
                memb(f, 0xa0000 + y * 80 + bx, v);
            }
        }
    }
    static const uint8_t ac[16] = { 0, 1, 2, 3, 4, 5, 0x14, 7, 0x38, 0x39, 0x3a, 0x3b,
                                    0x3c, 0x3d, 0x3e, 0x3f };
    DisplaySurface *s = render(f);
    assert_int_equal(s->width, 640);
    assert_int_equal(s->height, 480);
    for (int y = 0; y < 480; y++) {
        for (int x = 0; x < 640; x++) {
            assert_int_equal(surface_row(s, y)[x], ega_rgb(ac[(x / 40 + y / 30) & 15]));
        }
    }
    check_golden(s, "mode12");
    /* colour plane enable masks planes 2 and 3 out */
    set_ac(f, 0x12, 0x03);
    s = render(f);
    assert_int_equal(surface_row(s, 0)[40 * 7], ega_rgb(ac[3]));
    fx_free(f);
}


static void test_screen_off_and_palette_source_blank_the_picture(void **state)
{
    Fx *f = fx_new();
    TextModel t;

    setup_text(f, &t);
    set_seq(f, 1, 0x20);              /* screen off */
    DisplaySurface *s = render(f);
    for (int y = 0; y < s->height; y += 7) {
        for (int x = 0; x < s->width; x += 5) {
            assert_int_equal(surface_row(s, y)[x], 0);
        }
    }
    set_seq(f, 1, 0x00);
    assert_text_model(render(f), &t, true);
    inb(f, 0x3da);
    outb(f, 0x3c0, 0x00);             /* palette address source clear */
    assert_int_equal(surface_row(render(f), 0)[1], 0);
    fx_free(f);
}

static void fill_rows_12h(Fx *f)
{
    load_ega_dac(f);
    for (int r = 0; r < 600; r++) {
        for (int b = 0; b < 80; b++) {
            memb(f, 0xa0000 + r * 80 + b, (uint8_t)r);   /* all planes: colour per bit */
        }
    }
}

static unsigned colour_12h(int row, int x)
{
    static const uint8_t ac[16] = { 0, 1, 2, 3, 4, 5, 0x14, 7, 0x38, 0x39, 0x3a, 0x3b,
                                    0x3c, 0x3d, 0x3e, 0x3f };
    return ega_rgb(ac[((uint8_t)row >> (7 - x % 8) & 1) * 15]);
}

static void test_line_compare_splits_the_screen_after_that_line(void **state)
{
    Fx *f = fx_new();

    setup_planar(f);
    fill_rows_12h(f);
    set_crtc(f, 0x0c, 0);
    set_crtc(f, 0x0d, 80);            /* start at row 1 */
    set_crtc(f, 0x18, 100);           /* line compare 100 (bits 8, 9 cleared below) */
    set_crtc(f, 0x07, 0x3e & ~0x10);
    set_crtc(f, 0x09, 0x00);
    DisplaySurface *s = render(f);
    for (int y = 0; y < 480; y++) {
        int row = y <= 100 ? y + 1 : y - 101;
        for (int x = 0; x < 16; x++) {
            assert_int_equal(surface_row(s, y)[x], colour_12h(row, x));
        }
    }
    fx_free(f);
}

static void test_colour_select_supplies_dac_bits_7_to_4(void **state)
{
    Fx *f = fx_new();

    setup_planar(f);
    load_test_dac(f);
    set_seq(f, 2, 0x0f);
    memb(f, 0xa0000, 0xff);           /* colour 15 -> palette 0x3f */
    set_ac(f, 0x14, 0x0e);            /* colour select: bits 7-6 = 11, 5-4 = 10 */
    assert_int_equal(surface_row(render(f), 0)[0], test_dac_rgb(0xc0 | 0x3f));
    set_ac(f, 0x10, 0x81);            /* P5/P4 from colour select */
    assert_int_equal(surface_row(render(f), 0)[0], test_dac_rgb(0xc0 | 0x20 | 0x0f));
    fx_free(f);
}

static void test_scan_doubling_repeats_each_line(void **state)
{
    Fx *f = fx_new();

    set_mode(f, &mode13);
    load_test_dac(f);
    for (int i = 0; i < 64000; i++) {
        memb(f, 0xa0000 + i, (uint8_t)(i / 320));
    }
    set_crtc(f, 0x09, 0x80 | 0x40);   /* double scan instead of two scan lines per row */
    DisplaySurface *s = render(f);
    for (int y = 0; y < 400; y++) {
        assert_int_equal(surface_row(s, y)[100], test_dac_rgb((uint8_t)(y / 2)));
    }
    fx_free(f);
}

static const ModeRegs mode04 = {
    0x63, { 0x03, 0x09, 0x03, 0x00, 0x02 },
    { 0x2d, 0x27, 0x28, 0x90, 0x2b, 0x80, 0xbf, 0x1f, 0x00, 0xc1, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x14, 0x00, 0x96, 0xb9, 0xa2, 0xff },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x0f, 0x00, 0xff },
    { 0x00, 0x13, 0x15, 0x17, 0x02, 0x04, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14,
      0x15, 0x16, 0x17, 0x01, 0x00, 0x03, 0x00, 0x00 },
};

static void test_cga_mode_04_interleaves_rows_and_packs_2_bit_pixels(void **state)
{
    Fx *f = fx_new();
    static const uint8_t ac[4] = { 0x00, 0x13, 0x15, 0x17 };

    set_mode(f, &mode04);
    load_ega_dac(f);
    /* CGA layout: even rows at B8000, odd rows at BA000, 80 bytes a row */
    for (int y = 0; y < 200; y++) {
        for (int b = 0; b < 80; b++) {
            uint8_t v = 0;
            for (int i = 0; i < 4; i++) {
                v |= (((b * 4 + i) / 10 + y / 20) & 3) << (6 - 2 * i);
            }
            memb(f, 0xb8000 + (y & 1) * 0x2000 + (y / 2) * 80 + b, v);
        }
    }
    DisplaySurface *s = render(f);
    assert_int_equal(s->width, 640);
    assert_int_equal(s->height, 400);
    for (int y = 0; y < 400; y++) {
        for (int x = 0; x < 640; x++) {
            int px = x / 2, py = y / 2;
            assert_int_equal(surface_row(s, y)[x], ega_rgb(ac[(px / 10 + py / 20) & 3]));
        }
    }
    fx_free(f);
}

static void test_pixel_panning_shifts_the_picture_left(void **state)
{
    Fx *f = fx_new();
    TextModel t;

    setup_planar(f);
    fill_rows_12h(f);
    set_ac(f, 0x13, 3);
    DisplaySurface *s = render(f);
    for (int x = 0; x < 640; x++) {
        assert_int_equal(surface_row(s, 5)[x], colour_12h(5, x + 3));
    }
    /* AR10 bit 5: below the split screen the panning stops */
    set_ac(f, 0x10, 0x21);
    set_crtc(f, 0x18, 100);
    set_crtc(f, 0x07, 0x3e & ~0x10);
    set_crtc(f, 0x09, 0x00);
    s = render(f);
    assert_int_equal(surface_row(s, 100)[0], colour_12h(100, 3));
    assert_int_equal(surface_row(s, 101)[0], colour_12h(0, 0));
    assert_int_equal(surface_row(s, 101)[1], colour_12h(0, 1));
    fx_free(f);
    /* 9-dot text: 8 means no shift, 0 one dot */
    f = fx_new();
    setup_text(f, &t);
    set_ac(f, 0x13, 8);
    assert_text_model(render(f), &t, true);
    set_ac(f, 0x13, 0);
    s = render(f);
    for (int x = 0; x < 719; x++) {
        assert_int_equal(surface_row(s, 20)[x], text_expect(&t, x + 1, 20, true));
    }
    fx_free(f);
}

/* ---- registers ---- */

static void test_dac_write_and_read_three_components_per_entry(void **state)
{
    Fx *f = fx_new();

    outb(f, 0x3c8, 10);
    for (int i = 0; i < 6; i++) {
        outb(f, 0x3c9, 0x40 | (i * 9));   /* bits above 5 are dropped on read */
    }
    assert_int_equal(inb(f, 0x3c8), 12);
    assert_int_equal(inb(f, 0x3c7), 0x00);
    outb(f, 0x3c7, 10);
    assert_int_equal(inb(f, 0x3c7), 0x03);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(inb(f, 0x3c9), (i * 9) & 0x3f);
    }
    /* a partial write is not committed */
    outb(f, 0x3c8, 20);
    outb(f, 0x3c9, 1);
    outb(f, 0x3c9, 2);
    outb(f, 0x3c7, 20);
    assert_int_equal(inb(f, 0x3c9), 0);
    outb(f, 0x3c6, 0x3f);
    assert_int_equal(inb(f, 0x3c6), 0x3f);
    fx_free(f);
}

static void test_attribute_flip_flop_is_reset_by_input_status_1(void **state)
{
    Fx *f = fx_new();

    outb(f, 0x3c2, 0x01);                 /* colour addressing */
    inb(f, 0x3da);
    outb(f, 0x3c0, 0x05);
    outb(f, 0x3c0, 0x2a);
    outb(f, 0x3c0, 0x05);                 /* index again */
    assert_int_equal(inb(f, 0x3c1), 0x2a);
    /* the next write would be data, but the read resets to index */
    inb(f, 0x3da);
    outb(f, 0x3c0, 0x26);
    assert_int_equal(inb(f, 0x3c0), 0x26);
    outb(f, 0x3c0, 0x11);
    assert_int_equal(inb(f, 0x3c1), 0x11);
    /* input status 1 shows retrace toggling */
    uint8_t a = inb(f, 0x3da), b = inb(f, 0x3da);
    assert_int_equal((a ^ b) & 0x08, 0x08);
    fx_free(f);
}

static void test_crtc_follows_mono_or_colour_addressing(void **state)
{
    Fx *f = fx_new();

    outb(f, 0x3c2, 0x01);
    outw(f, 0x3d4, 0x550e);               /* index 0x0e, data 0x55 */
    outb(f, 0x3b4, 0x0e);
    outb(f, 0x3b5, 0x66);                 /* ignored: mono ports off */
    assert_int_equal(inb(f, 0x3b5), 0xff);
    outb(f, 0x3d4, 0x0e);
    assert_int_equal(inb(f, 0x3d5), 0x55);
    outb(f, 0x3c2, 0x00);                 /* mono */
    assert_int_equal(inb(f, 0x3cc), 0x00);
    assert_int_equal(inb(f, 0x3d5), 0xff);
    outb(f, 0x3b4, 0x0e);
    assert_int_equal(inb(f, 0x3b5), 0x55);
    outb(f, 0x3ba, 0x03);                 /* feature control */
    assert_int_equal(inb(f, 0x3ca), 0x03);
    fx_free(f);
}

static void test_crtc_protect_bit_locks_registers_0_to_7(void **state)
{
    Fx *f = fx_new();

    outb(f, 0x3c2, 0x01);
    set_crtc(f, 0x01, 0x4f);
    set_crtc(f, 0x11, 0x80);
    set_crtc(f, 0x01, 0x27);
    set_crtc(f, 0x07, 0x10);
    outb(f, 0x3d4, 0x01);
    assert_int_equal(inb(f, 0x3d5), 0x4f);
    outb(f, 0x3d4, 0x07);
    assert_int_equal(inb(f, 0x3d5), 0x10);   /* line compare bit 8 still writable */
    fx_free(f);
}

static void test_sequencer_and_graphics_registers_read_back(void **state)
{
    Fx *f = fx_new();

    outw(f, 0x3c4, 0x0a02);
    assert_int_equal(inb(f, 0x3c4), 0x02);
    assert_int_equal(inb(f, 0x3c5), 0x0a);
    outw(f, 0x3ce, 0x5508);
    assert_int_equal(inw(f, 0x3ce), 0x5508);
    fx_free(f);
}

/* ---- Bochs VBE ---- */

static void vbe_write(Fx *f, uint16_t index, uint16_t val)
{
    outw(f, 0x1ce, index);
    outw(f, 0x1cf, val);
}

static uint16_t vbe_read(Fx *f, uint16_t index)
{
    outw(f, 0x1ce, index);
    return inw(f, 0x1cf);
}

static void test_vbe_id_caps_and_memory_size(void **state)
{
    Fx *f = fx_new();

    assert_int_equal(vbe_read(f, 0), 0xb0c5);
    vbe_write(f, 0, 0xb0c2);
    assert_int_equal(vbe_read(f, 0), 0xb0c2);
    vbe_write(f, 0, 0x1234);              /* not an id: ignored */
    assert_int_equal(vbe_read(f, 0), 0xb0c2);
    assert_int_equal(vbe_read(f, 10), VGA_VRAM_SIZE / 65536);
    vbe_write(f, 4, 0x02);                /* GETCAPS */
    assert_int_equal(vbe_read(f, 1), VBE_MAX_XRES);
    assert_int_equal(vbe_read(f, 2), VBE_MAX_YRES);
    assert_int_equal(vbe_read(f, 3), 32);
    vbe_write(f, 4, 0x00);
    assert_int_equal(vbe_read(f, 1), 640);
    fx_free(f);
}

static void vbe_set(Fx *f, int x, int y, int bpp, uint16_t flags)
{
    vbe_write(f, 4, 0);
    vbe_write(f, 1, x);
    vbe_write(f, 2, y);
    vbe_write(f, 3, bpp);
    vbe_write(f, 4, 0x01 | flags);
}

static uint32_t vbe_pattern(int x, int y)
{
    return (uint32_t)((x * 0x010203 + y * 0x030201) ^ (x * y)) & 0xffffff;
}

static void test_vbe_32bpp_lfb_mode_renders_pixels(void **state)
{
    Fx *f = fx_new();

    vbe_set(f, 320, 240, 32, 0x40);
    assert_int_equal(vbe_read(f, 4) & 1, 1);
    assert_int_equal(vbe_read(f, 6), 320);
    assert_int_equal(vbe_read(f, 7), VGA_VRAM_SIZE / (320 * 4));
    for (int y = 0; y < 240; y++) {
        for (int x = 0; x < 320; x++) {
            bus_write(f->mem, VGA_LFB_BASE + (y * 320 + x) * 4, vbe_pattern(x, y), 4);
        }
    }
    assert_int_equal(bus_read(f->mem, VGA_LFB_BASE + 4 * 5, 4), vbe_pattern(5, 0));
    DisplaySurface *s = render(f);
    assert_int_equal(s->width, 320);
    assert_int_equal(s->height, 240);
    for (int y = 0; y < 240; y++) {
        for (int x = 0; x < 320; x++) {
            assert_int_equal(surface_row(s, y)[x], vbe_pattern(x, y));
        }
    }
    check_golden(s, "vbe-320x240x32");
    /* panning with the virtual width and offsets */
    vbe_write(f, 8, 4);
    vbe_write(f, 9, 2);
    s = render(f);
    assert_int_equal(surface_row(s, 0)[0], vbe_pattern(4, 2));
    fx_free(f);
}

static void test_vbe_depths_8_15_16_24_convert_to_xrgb(void **state)
{
    Fx *f = fx_new();
    uint8_t *vram = vga_vram(f->vga);

    load_test_dac(f);
    vbe_set(f, 16, 8, 8, 0);
    vram[3] = 200;
    assert_int_equal(surface_row(render(f), 0)[3], test_dac_rgb(200));
    vbe_set(f, 16, 8, 15, 0);
    bus_write(f->mem, VGA_LFB_BASE + 2, 0x7c00 | (31 << 5) | 0, 2);
    assert_int_equal(surface_row(render(f), 0)[1], 0xffff00);
    vbe_set(f, 16, 8, 16, 0);
    bus_write(f->mem, VGA_LFB_BASE + 2, (31 << 11) | (0 << 5) | 16, 2);
    assert_int_equal(surface_row(render(f), 0)[1], 0xff0084);
    vbe_set(f, 16, 8, 24, 0);
    bus_write(f->mem, VGA_LFB_BASE + 3, 0x112233, 4);
    assert_int_equal(surface_row(render(f), 0)[1], 0x112233);
    /* the 8-bit DAC flag keeps full 8-bit palette values */
    vbe_set(f, 16, 8, 8, 0x20);
    outb(f, 0x3c8, 9);
    outb(f, 0x3c9, 0xff);
    outb(f, 0x3c9, 0x80);
    outb(f, 0x3c9, 0x01);
    vram[0] = 9;
    assert_int_equal(surface_row(render(f), 0)[0], 0xff8001);
    fx_free(f);
}

static void test_vbe_banked_window_reaches_all_memory(void **state)
{
    Fx *f = fx_new();
    uint8_t *vram = vga_vram(f->vga);

    vbe_set(f, 1024, 768, 8, 0);
    vbe_write(f, 5, 3);
    memb(f, 0xa0010, 0x77);
    assert_int_equal(vram[3 * 65536 + 0x10], 0x77);
    assert_int_equal(rdb(f, 0xa0010), 0x77);
    assert_int_equal(rdb(f, 0xb0000), 0xff);      /* window is 64 KiB */
    vbe_write(f, 5, 0xffff);                      /* past memory: refused */
    assert_int_equal(vbe_read(f, 5), 3);
    fx_free(f);
}

static void test_vbe_mode_larger_than_memory_is_refused(void **state)
{
    Fx *f = fx_new();

    vbe_set(f, 2560, 1600, 32, 0);                /* 16,384,000 bytes: fits */
    assert_int_equal(vbe_read(f, 4) & 1, 1);
    vbe_set(f, 4000, 1600, 32, 0);                /* too wide */
    assert_int_equal(vbe_read(f, 4) & 1, 0);
    vbe_set(f, 640, 480, 12, 0);                  /* bad depth */
    assert_int_equal(vbe_read(f, 4) & 1, 0);
    vbe_set(f, 1920, 1080, 32, 0);
    assert_int_equal(vbe_read(f, 4) & 1, 1);
    assert_int_equal(render(f)->width, 1920);
    fx_free(f);
}

static void test_vbe_enable_clears_memory_unless_noclear(void **state)
{
    Fx *f = fx_new();
    uint8_t *vram = vga_vram(f->vga);

    vram[100] = 5;
    vbe_set(f, 64, 64, 8, 0x80);
    assert_int_equal(vram[100], 5);
    vbe_set(f, 64, 64, 8, 0);
    assert_int_equal(vram[100], 0);
    fx_free(f);
}

/* ---- dirty tracking ---- */

static int redrawn_lines;

static void count_update(void *opaque, int x, int y, int w, int h)
{
    redrawn_lines += h;
}

static const DisplayListenerOps counting_listener = { NULL, count_update };

static void test_only_written_lines_are_redrawn(void **state)
{
    Fx *f = fx_new();
    int x, y, w, h;

    set_mode(f, &mode13);
    load_test_dac(f);
    render(f);
    assert_true(console_take_dirty(f->con, &x, &y, &w, &h));
    assert_int_equal(h, 400);
    render(f);
    assert_false(console_take_dirty(f->con, &x, &y, &w, &h));
    memb(f, 0xa0000 + 100 * 320 + 10, 0x42);
    console_set_listener(f->con, &counting_listener, NULL);
    redrawn_lines = 0;
    render(f);
    console_set_listener(f->con, NULL, NULL);
    assert_true(console_take_dirty(f->con, &x, &y, &w, &h));
    /* a 4 KiB page holds 1024 plane offsets = 1024 pixels of 13h, which
     * touch 4 rows of 320, each shown on 2 scan lines */
    assert_true(y <= 200 && y + h > 201);
    assert_int_equal(redrawn_lines, 4 * 2);
    assert_int_equal(surface_row(console_surface(f->con), 200)[20], test_dac_rgb(0x42));
    /* a palette change redraws everything */
    outb(f, 0x3c8, 7);
    outb(f, 0x3c9, 1);
    outb(f, 0x3c9, 2);
    outb(f, 0x3c9, 3);
    render(f);
    assert_true(console_take_dirty(f->con, &x, &y, &w, &h));
    assert_int_equal(h, 400);
    /* VBE: a write through the framebuffer dirties its line only */
    vbe_set(f, 640, 480, 32, 0);
    render(f);
    assert_true(console_take_dirty(f->con, &x, &y, &w, &h));
    bus_write(f->mem, VGA_LFB_BASE + 300 * 640 * 4 + 8, 0xffffff, 4);
    render(f);
    assert_true(console_take_dirty(f->con, &x, &y, &w, &h));
    /* the written byte's 4 KiB page holds parts of lines 299 and 300 */
    assert_int_equal(y, 299);
    assert_int_equal(h, 2);
    fx_free(f);
}

static void test_lfb_mapped_as_ram_finds_changes_by_comparison(void **state)
{
    Fx *f = fx_new();
    int x, y, w, h;

    assert_int_equal(vga_lfb_map_ram(f->vga, NULL), 0);
    assert_int_equal(bus_lookup(f->mem, VGA_LFB_BASE)->kind, BUS_REGION_RAM);
    vbe_set(f, 640, 480, 32, 0x40);
    render(f);
    assert_true(console_take_dirty(f->con, &x, &y, &w, &h));
    render(f);
    assert_false(console_take_dirty(f->con, &x, &y, &w, &h));
    bus_write(f->mem, VGA_LFB_BASE + 200 * 640 * 4 + 40, 0x00abcdef, 4);
    render(f);
    assert_true(console_take_dirty(f->con, &x, &y, &w, &h));
    assert_true(y <= 200 && y + h > 200 && h <= 3);
    assert_int_equal(surface_row(console_surface(f->con), 200)[10], 0xabcdef);
    /* the banked window still works alongside */
    vbe_write(f, 5, 1);
    memb(f, 0xa0000, 0x11);
    assert_int_equal(bus_read(f->mem, VGA_LFB_BASE + 65536, 1), 0x11);
    fx_free(f);
}

static void test_text_cursor_move_redraws_only_its_rows(void **state)
{
    Fx *f = fx_new();
    TextModel t;
    int x, y, w, h;

    setup_text(f, &t);
    set_crtc(f, 0x0a, 0x0e);
    render(f);
    assert_true(console_take_dirty(f->con, &x, &y, &w, &h));
    set_crtc(f, 0x0f, 80 * 3);
    render(f);
    assert_true(console_take_dirty(f->con, &x, &y, &w, &h));
    assert_int_equal(y, 0);
    assert_int_equal(h, 4 * 16);
    fx_free(f);
}

static void test_text_blink_phase_redraws_only_rows_with_blinking_characters(void **state)
{
    Fx *f = fx_new();
    TextModel t;
    int x, y, w, h;

    setup_text(f, &t);                    /* cursor off, no blink attribute anywhere */
    fake_now = 0;
    render(f);
    assert_true(console_take_dirty(f->con, &x, &y, &w, &h));
    fake_now = 300 * 1000 * 1000;         /* the blink phase turns: nothing blinks */
    render(f);
    assert_false(console_take_dirty(f->con, &x, &y, &w, &h));
    text_put(f, &t, 5, 10, 'B', 0x87);    /* a blinking character on row 5 */
    render(f);
    assert_true(console_take_dirty(f->con, &x, &y, &w, &h));
    fake_now = 600 * 1000 * 1000;         /* the next phase: row 5 only */
    render(f);
    assert_true(console_take_dirty(f->con, &x, &y, &w, &h));
    assert_int_equal(y, 5 * 16);
    assert_int_equal(h, 16);
    set_ac(f, 0x10, 0x04);                /* blink off: bit 7 is intensity */
    render(f);
    assert_true(console_take_dirty(f->con, &x, &y, &w, &h));   /* a mode change */
    fake_now = 900 * 1000 * 1000;
    render(f);
    assert_false(console_take_dirty(f->con, &x, &y, &w, &h));
    fx_free(f);
}

/* Renders, then checks the surface against a full redraw of the same state. */
static void assert_render_equals_full_redraw(Fx *f)
{
    DisplaySurface *s = render(f);
    size_t n = (size_t)s->height * s->stride;
    uint8_t *copy = g_memdup2(s->data, n);

    vga_invalidate_display(f->vga);
    s = render(f);
    for (int y = 0; y < s->height; y++) {
        if (memcmp(copy + (size_t)y * s->stride, surface_row(s, y), s->stride) != 0) {
            fail_msg("line %d differs from a full redraw", y);
        }
    }
    g_free(copy);
}

static void test_text_start_address_scroll_moves_rows_and_draws_the_new_ones(void **state)
{
    Fx *f = fx_new();
    TextModel t;
    int x, y, w, h;
    DisplaySurface *s;

    setup_text(f, &t);
    t.rows = 50;                               /* rows 25-49 exist in memory below */
    text_fill(f, &t);
    set_crtc(f, 0x0a, 0x0e);                   /* cursor on (row 0) */
    set_crtc(f, 0x0e, (80 * 4 + 5) >> 8);      /* on row 4 */
    set_crtc(f, 0x0f, (80 * 4 + 5) & 0xff);
    fake_now = 0;
    s = render(f);
    console_take_dirty(f->con, &x, &y, &w, &h);
    /* A marker on line 100 that only a move (not a redraw) carries along. */
    surface_row(s, 100)[3] = 0x123456;
    set_crtc(f, 0x0c, 0);                      /* start: row 3 (3 x 80 cells up) */
    set_crtc(f, 0x0d, 80 * 3);
    s = render(f);
    assert_int_equal(surface_row(s, 100 - 48)[3], 0x123456);
    assert_true(console_take_dirty(f->con, &x, &y, &w, &h));
    assert_int_equal(y, 0);                    /* the whole surface moved */
    assert_int_equal(h, 400);
    surface_row(s, 100 - 48)[3] = surface_row(s, 100 - 48)[4];
    assert_render_equals_full_redraw(f);
    /* back down by two rows, the cursor blinking meanwhile */
    set_crtc(f, 0x0d, 80 * 1);
    fake_now = 150 * 1000 * 1000;
    assert_render_equals_full_redraw(f);
    set_crtc(f, 0x0d, 80 * 2);
    text_put(f, &t, 30, 7, 'Z', 0x1f);          /* a write in the same frame */
    assert_render_equals_full_redraw(f);
    /* not whole rows, or beyond the screen: drawn in full, still right */
    set_crtc(f, 0x0d, 80 * 2 + 7);
    assert_render_equals_full_redraw(f);
    set_crtc(f, 0x0c, (80 * 40) >> 8);
    set_crtc(f, 0x0d, (80 * 40) & 0xff);
    assert_render_equals_full_redraw(f);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_mode_03_renders_720x400_with_font_and_attributes),
        cmocka_unit_test(test_text_8_dot_mode_and_line_graphics_ninth_column),
        cmocka_unit_test(test_text_80x50_uses_8_line_cells),
        cmocka_unit_test(test_text_snapshot_returns_rows_and_refuses_graphics),
        cmocka_unit_test(test_text_blink_hides_blinking_characters_half_the_time),
        cmocka_unit_test(test_text_cursor_shape_position_disable_and_blink),
        cmocka_unit_test(test_text_char_map_select_picks_font_by_attribute_bit_3),
        cmocka_unit_test(test_boot_text_mode_shows_text_with_the_builtin_font),
        cmocka_unit_test(test_mono_mode_07_at_b0000_underlines_attribute_01),
        cmocka_unit_test(test_write_mode_0_map_mask_set_reset_rotate_and_bit_mask),
        cmocka_unit_test(test_write_mode_0_logical_functions_use_the_latches),
        cmocka_unit_test(test_write_mode_1_copies_latches),
        cmocka_unit_test(test_write_mode_2_and_3_expand_colour),
        cmocka_unit_test(test_read_mode_0_and_1_colour_compare_with_dont_care),
        cmocka_unit_test(test_memory_map_select_and_odd_even_addressing),
        cmocka_unit_test(test_mode_13_chain4_renders_doubled_pixels_through_dac),
        cmocka_unit_test(test_mode_x_unchained_planes_render_in_order),
        cmocka_unit_test(test_mode_12_planar_renders_16_colours),
        cmocka_unit_test(test_screen_off_and_palette_source_blank_the_picture),
        cmocka_unit_test(test_line_compare_splits_the_screen_after_that_line),
        cmocka_unit_test(test_colour_select_supplies_dac_bits_7_to_4),
        cmocka_unit_test(test_scan_doubling_repeats_each_line),
        cmocka_unit_test(test_cga_mode_04_interleaves_rows_and_packs_2_bit_pixels),
        cmocka_unit_test(test_pixel_panning_shifts_the_picture_left),
        cmocka_unit_test(test_dac_write_and_read_three_components_per_entry),
        cmocka_unit_test(test_attribute_flip_flop_is_reset_by_input_status_1),
        cmocka_unit_test(test_crtc_follows_mono_or_colour_addressing),
        cmocka_unit_test(test_crtc_protect_bit_locks_registers_0_to_7),
        cmocka_unit_test(test_sequencer_and_graphics_registers_read_back),
        cmocka_unit_test(test_vbe_id_caps_and_memory_size),
        cmocka_unit_test(test_vbe_32bpp_lfb_mode_renders_pixels),
        cmocka_unit_test(test_vbe_depths_8_15_16_24_convert_to_xrgb),
        cmocka_unit_test(test_vbe_banked_window_reaches_all_memory),
        cmocka_unit_test(test_vbe_mode_larger_than_memory_is_refused),
        cmocka_unit_test(test_vbe_enable_clears_memory_unless_noclear),
        cmocka_unit_test(test_only_written_lines_are_redrawn),
        cmocka_unit_test(test_lfb_mapped_as_ram_finds_changes_by_comparison),
        cmocka_unit_test(test_text_cursor_move_redraws_only_its_rows),
        cmocka_unit_test(test_text_blink_phase_redraws_only_rows_with_blinking_characters),
        cmocka_unit_test(test_text_start_address_scroll_moves_rows_and_draws_the_new_ones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
