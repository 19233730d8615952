/*
 * test-vga-fuzz.c: hostile guests against the VGA adapter. Random and
 * absurd register values (huge line offsets, start addresses past video
 * memory, one-pixel modes, VBE modes larger than video memory, banks past
 * its end) and random memory traffic go through the buses, and the
 * display is rendered after each batch. Nothing may crash or touch memory
 * outside video memory and the surface; run under the sanitizer build to
 * make the second part visible. The seed is fixed (VIREO_FUZZ_SEED
 * overrides it) so a failure can be replayed.
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

static int64_t fake_now;

static int64_t fake_clock(void)
{
    return fake_now;
}

typedef struct Fx {
    Bus *io, *mem;
    DisplayConsole *con;
    VGAState *vga;
    GRand *rand;
} Fx;

static Fx *fx_new(void)
{
    Fx *f = g_new0(Fx, 1);
    const char *seed = g_getenv("VIREO_FUZZ_SEED");

    clock_set_source(fake_clock);
    f->io = bus_new("io", 0x10000, LOG_IOPORT);
    f->mem = bus_new("mem", 1ULL << 32, LOG_MMIO);
    f->con = console_new();
    f->vga = vga_new(f->io, f->mem, f->con, NULL);
    assert_non_null(f->vga);
    f->rand = g_rand_new_with_seed(seed ? (guint32)strtoul(seed, NULL, 0) : 0x5eed1234);
    return f;
}

static void fx_free(Fx *f)
{
    g_rand_free(f->rand);
    vga_free(f->vga);
    console_free(f->con);
    bus_free(f->io);
    bus_free(f->mem);
    g_free(f);
    clock_set_source(NULL);
}

static unsigned rnd(Fx *f, unsigned n)
{
    return g_rand_int_range(f->rand, 0, n);
}

static unsigned rnd_size(Fx *f)
{
    static const unsigned sizes[] = { 1, 1, 1, 2, 2, 4 };
    return sizes[rnd(f, ARRAY_SIZE(sizes))];
}

/* A value biased towards the extremes. */
static uint32_t rnd_value(Fx *f)
{
    switch (rnd(f, 6)) {
    case 0: return 0;
    case 1: return 0xffffffff;
    case 2: return 1u << rnd(f, 32);
    default: return g_rand_int(f->rand);
    }
}

static void random_port_op(Fx *f)
{
    unsigned size = rnd_size(f);
    uint16_t port = rnd(f, 8) == 0 ? 0x1ce + rnd(f, 3) : 0x3b0 + rnd(f, 0x30);

    if (rnd(f, 3) == 0) {
        (void)bus_read(f->io, port, size);
    } else {
        bus_write(f->io, port, rnd_value(f), size);
    }
}

static void random_mem_op(Fx *f)
{
    unsigned size = rnd_size(f);
    uint64_t addr = rnd(f, 4) == 0 ? VGA_LFB_BASE + rnd(f, VGA_VRAM_SIZE + 16) - 8
                                   : 0xa0000 + rnd(f, 0x20000);

    if (rnd(f, 3) == 0) {
        (void)bus_read(f->mem, addr, size);
    } else {
        bus_write(f->mem, addr, rnd_value(f), size);
    }
}

static void render_and_check(Fx *f)
{
    GString *snap = g_string_new(NULL);
    DisplaySurface *s;

    fake_now += 70 * 1000 * 1000;
    vga_update_display(f->vga);
    s = console_surface(f->con);
    assert_true(s->width >= 1 && s->width <= SURFACE_MAX_WIDTH);
    assert_true(s->height >= 1 && s->height <= SURFACE_MAX_HEIGHT);
    (void)vga_text_snapshot(f->vga, snap);
    g_string_free(snap, true);
}

static void random_traffic(Fx *f)
{

    for (int batch = 0; batch < 400; batch++) {
        int n = 1 + rnd(f, 60);
        for (int i = 0; i < n; i++) {
            if (rnd(f, 2)) {
                random_port_op(f);
            } else {
                random_mem_op(f);
            }
        }
        render_and_check(f);
        if (rnd(f, 16) == 0) {
            vga_reset(f->vga);
        }
    }
}

static void test_random_register_and_memory_traffic_never_crashes(void **state)
{
    Fx *f = fx_new();

    random_traffic(f);
    fx_free(f);
}

static void test_random_traffic_with_the_framebuffer_mapped_as_ram(void **state)
{
    Fx *f = fx_new();

    assert_int_equal(vga_lfb_map_ram(f->vga, NULL), 0);
    random_traffic(f);
    fx_free(f);
}

static void crtc(Fx *f, uint8_t i, uint8_t v)
{
    bus_write(f->io, 0x3d4, i, 1);
    bus_write(f->io, 0x3d5, v, 1);
}

static void vbe(Fx *f, uint16_t i, uint16_t v)
{
    bus_write(f->io, 0x1ce, i, 2);
    bus_write(f->io, 0x1cf, v, 2);
}

static void test_absurd_crtc_geometry_renders_inside_bounds(void **state)
{
    Fx *f = fx_new();
    static const uint8_t gr_misc[] = { 0x0e, 0x05, 0x01 };
    static const uint8_t gr_mode[] = { 0x10, 0x40, 0x20, 0x00 };

    bus_write(f->io, 0x3c2, 0x01, 1);
    crtc(f, 0x11, 0x00);
    for (unsigned m = 0; m < ARRAY_SIZE(gr_misc) * ARRAY_SIZE(gr_mode); m++) {
        bus_write(f->io, 0x3ce, 6, 1);
        bus_write(f->io, 0x3cf, gr_misc[m % 3], 1);
        bus_write(f->io, 0x3ce, 5, 1);
        bus_write(f->io, 0x3cf, gr_mode[m / 3], 1);
        bus_write(f->io, 0x3c4, 1, 1);
        bus_write(f->io, 0x3c5, (m & 1) ? 0x08 : 0x00, 1);   /* 9 dots, dot clock / 2 */
        crtc(f, 0x01, 0xff);          /* 256 character clocks */
        crtc(f, 0x12, 0xff);
        crtc(f, 0x07, 0x42);          /* vertical display end 1023 */
        crtc(f, 0x13, 0xff);          /* huge line offset */
        crtc(f, 0x0c, 0xff);          /* start address at the very end */
        crtc(f, 0x0d, 0xff);
        crtc(f, 0x09, 0x9f);          /* 32 scan lines per row, doubled */
        crtc(f, 0x08, 0x1f);
        crtc(f, 0x14, (m & 2) ? 0x40 : 0x00);
        crtc(f, 0x17, (m & 4) ? 0x00 : 0x40);
        render_and_check(f);
        crtc(f, 0x01, 0x00);          /* one character clock, one line */
        crtc(f, 0x12, 0x00);
        crtc(f, 0x07, 0x00);
        crtc(f, 0x09, 0x00);
        render_and_check(f);
    }
    fx_free(f);
}

static void test_vbe_absurd_modes_render_inside_bounds(void **state)
{
    Fx *f = fx_new();

    vbe(f, 1, VBE_MAX_XRES);
    vbe(f, 2, VBE_MAX_YRES);
    vbe(f, 3, 32);
    vbe(f, 4, 0x41);
    render_and_check(f);
    vbe(f, 6, 0xffff);               /* virtual width: lines of 256 KiB */
    vbe(f, 8, 0xffff);
    vbe(f, 9, 0xffff);
    render_and_check(f);
    vbe(f, 1, 0);                    /* zero size while enabled */
    vbe(f, 2, 0);
    render_and_check(f);
    vbe(f, 1, 0xffff);
    vbe(f, 2, 0xffff);
    vbe(f, 3, 0xffff);
    render_and_check(f);
    vbe(f, 5, 0xffff);
    bus_write(f->mem, 0xa0000, 0x12345678, 4);
    (void)bus_read(f->mem, 0xaffff, 4);
    bus_write(f->mem, VGA_LFB_BASE + VGA_VRAM_SIZE - 2, 0xffffffff, 4);
    (void)bus_read(f->mem, VGA_LFB_BASE + VGA_VRAM_SIZE - 1, 8);
    render_and_check(f);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_register_and_memory_traffic_never_crashes),
        cmocka_unit_test(test_random_traffic_with_the_framebuffer_mapped_as_ram),
        cmocka_unit_test(test_absurd_crtc_geometry_renders_inside_bounds),
        cmocka_unit_test(test_vbe_absurd_modes_render_inside_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
