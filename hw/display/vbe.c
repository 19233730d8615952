/*
 * vbe.c: the Bochs VBE "DISPI" interface: index port 0x1CE, data port
 * 0x1CF (0x1D0 as an alias, so a 16-bit access at 0x1CF stays in one
 * region). It sets a linear-framebuffer mode of up to VBE_MAX_XRES x
 * VBE_MAX_YRES at 8, 15, 16, 24 or 32 bits per pixel in video memory,
 * reached through a 64 KiB bank at 0xA0000 or the framebuffer at
 * VGA_LFB_BASE, and renders it. Register meanings follow the Bochs
 * vbe.h interface (IDs 0xB0C0-0xB0C5) as used by Linux's bochs-drm.
 */
#include "vireo/common.h"
#include "vireo/log.h"
#include "vga-int.h"

typedef struct VBEGeometry {
    int xres, yres, bpp;
    unsigned bytes_pp;
    uint64_t line;       /* bytes per (virtual) scan line */
    uint64_t start;      /* vram offset of the top-left visible pixel */
} VBEGeometry;

bool vbe_enabled(VGAState *s)
{
    return s->vbe[VBE_ENABLE] & VBE_ENABLED;
}

static unsigned bytes_per_pixel(unsigned bpp)
{
    switch (bpp) {
    case 8: return 1;
    case 15: case 16: return 2;
    case 24: return 3;
    case 32: return 4;
    default: return 0;
    }
}

/* Fills g from the registers: true if the mode fits video memory. */
static bool vbe_geometry(VGAState *s, VBEGeometry *g)
{
    uint64_t vw;

    g->xres = s->vbe[VBE_XRES];
    g->yres = s->vbe[VBE_YRES];
    g->bpp = s->vbe[VBE_BPP];
    g->bytes_pp = bytes_per_pixel(g->bpp);
    if (!g->bytes_pp || g->xres < 1 || g->yres < 1 ||
        g->xres > VBE_MAX_XRES || g->yres > VBE_MAX_YRES) {
        return false;
    }
    vw = MAX(s->vbe[VBE_VIRT_WIDTH], (uint64_t)g->xres);
    g->line = vw * g->bytes_pp;
    g->start = (uint64_t)s->vbe[VBE_Y_OFFSET] * g->line +
               (uint64_t)s->vbe[VBE_X_OFFSET] * g->bytes_pp;
    return g->start + (uint64_t)(g->yres - 1) * g->line +
           (uint64_t)g->xres * g->bytes_pp <= VGA_VRAM_SIZE;
}

static void vbe_set_virt_height(VGAState *s, uint64_t line)
{
    s->vbe[VBE_VIRT_HEIGHT] = line ? MIN(VGA_VRAM_SIZE / line, 0xffff) : 0;
}

static void vbe_write_enable(VGAState *s, uint16_t val)
{
    VBEGeometry g;
    bool was = vbe_enabled(s);

    val &= VBE_ENABLED | VBE_GETCAPS | VBE_8BIT_DAC | VBE_LFB_ENABLED | VBE_NOCLEARMEM;
    if ((val & VBE_ENABLED) && !was) {
        s->vbe[VBE_VIRT_WIDTH] = s->vbe[VBE_XRES];
        s->vbe[VBE_X_OFFSET] = s->vbe[VBE_Y_OFFSET] = 0;
        s->vbe[VBE_BANK] = 0;
        if (!vbe_geometry(s, &g)) {
            log_mask(LOG_GUEST_ERRORS, "vbe: cannot enable %dx%dx%d (bad depth or "
                     "does not fit %u MiB)\n", g.xres, g.yres, g.bpp,
                     (unsigned)(VGA_VRAM_SIZE / MiB));
            val &= ~VBE_ENABLED;
        } else {
            vbe_set_virt_height(s, g.line);
            if (!(val & VBE_NOCLEARMEM)) {
                memset(s->vram, 0, g.line * g.yres);
            }
        }
    }
    s->vbe[VBE_ENABLE] = val;
}

static void vbe_write_data(VGAState *s, uint16_t val)
{
    unsigned i = s->vbe_index;

    switch (i) {
    case VBE_ID:
        if (val >= VBE_ID0 && val <= VBE_ID5) {
            s->vbe[VBE_ID] = val;
        } else {
            log_mask(LOG_GUEST_ERRORS, "vbe: unknown interface id 0x%x\n", val);
        }
        break;
    case VBE_XRES: case VBE_YRES: case VBE_BPP:
    case VBE_X_OFFSET: case VBE_Y_OFFSET:
        s->vbe[i] = val;
        break;
    case VBE_ENABLE:
        vbe_write_enable(s, val);
        break;
    case VBE_BANK:
        if ((uint64_t)val * 0x10000 >= VGA_VRAM_SIZE) {
            log_mask(LOG_GUEST_ERRORS, "vbe: bank %u is past video memory\n", val);
        } else {
            s->vbe[VBE_BANK] = val;
        }
        break;
    case VBE_VIRT_WIDTH: {
        unsigned bpp = bytes_per_pixel(s->vbe[VBE_BPP]);
        s->vbe[VBE_VIRT_WIDTH] = val;
        vbe_set_virt_height(s, (uint64_t)MAX(val, s->vbe[VBE_XRES]) * bpp);
        break;
    }
    case VBE_VIRT_HEIGHT: case VBE_VIDEO_MEMORY_64K:
        log_mask(LOG_GUEST_ERRORS, "vbe: register %u is read-only\n", i);
        break;
    default:
        log_mask(LOG_GUEST_ERRORS, "vbe: write to unknown register %u\n", i);
        break;
    }
}

static uint16_t vbe_read_data(VGAState *s)
{
    unsigned i = s->vbe_index;

    if (s->vbe[VBE_ENABLE] & VBE_GETCAPS) {
        switch (i) {
        case VBE_XRES: return VBE_MAX_XRES;
        case VBE_YRES: return VBE_MAX_YRES;
        case VBE_BPP: return VBE_MAX_BPP;
        }
    }
    if (i == VBE_VIDEO_MEMORY_64K) {
        return VGA_VRAM_SIZE / (64 * KiB);
    }
    if (i >= VBE_NUM_REGS) {
        log_mask(LOG_GUEST_ERRORS, "vbe: read of unknown register %u\n", i);
        return 0;
    }
    return s->vbe[i];
}

static uint64_t vbe_port_read(void *opaque, uint64_t off, unsigned size)
{
    VGAState *s = opaque;
    return off == 0 ? s->vbe_index : vbe_read_data(s);
}

static void vbe_port_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    VGAState *s = opaque;

    if (off == 0) {
        s->vbe_index = val & 0xffff;
    } else {
        vbe_write_data(s, val & 0xffff);
    }
}

const BusOps vbe_port_ops = { vbe_port_read, vbe_port_write };

void vbe_reset(VGAState *s)
{
    memset(s->vbe, 0, sizeof(s->vbe));
    s->vbe[VBE_ID] = VBE_ID5;
    s->vbe[VBE_XRES] = 640;
    s->vbe[VBE_YRES] = 480;
    s->vbe[VBE_BPP] = 8;
    s->vbe[VBE_VIDEO_MEMORY_64K] = VGA_VRAM_SIZE / (64 * KiB);
    s->vbe_index = 0;
}

static uint32_t expand5(uint32_t v)
{
    return (v << 3) | (v >> 2);
}

static uint32_t rgb15(uint32_t v)
{
    return expand5((v >> 10) & 31) << 16 | expand5((v >> 5) & 31) << 8 | expand5(v & 31);
}

static uint32_t rgb16(uint32_t v)
{
    return expand5(v >> 11) << 16 | (((v >> 5) & 63) << 2 | ((v >> 9) & 3)) << 8 |
           expand5(v & 31);
}

static void convert_line(const VBEGeometry *g, const uint8_t *src, uint32_t *dst,
                         const uint32_t *pal)
{
    int n = g->xres;

    switch (g->bpp) {
    case 8:
        for (int x = 0; x < n; x++) {
            dst[x] = pal[src[x]];
        }
        break;
    case 15:
        for (int x = 0; x < n; x++) {
            dst[x] = rgb15(src[2 * x] | src[2 * x + 1] << 8);
        }
        break;
    case 16:
        for (int x = 0; x < n; x++) {
            dst[x] = rgb16(src[2 * x] | src[2 * x + 1] << 8);
        }
        break;
    case 24:
        for (int x = 0; x < n; x++) {
            dst[x] = src[3 * x + 2] << 16 | src[3 * x + 1] << 8 | src[3 * x];
        }
        break;
    default:
        memcpy(dst, src, (size_t)n * 4);
        for (int x = 0; x < n; x++) {
            dst[x] &= 0xffffff;
        }
        break;
    }
}

void vbe_update_display(VGAState *s)
{
    VBEGeometry g;
    DisplaySurface *surf;
    bool full;
    int y0 = -1;

    full = vga_display_regs_changed(s);
    if (!vbe_geometry(s, &g)) {
        console_resize(s->con, MAX(MIN(g.xres, VBE_MAX_XRES), 1), MAX(MIN(g.yres, VBE_MAX_YRES), 1));
        surf = console_surface(s->con);
        if (full) {
            memset(surf->data, 0, (size_t)surf->stride * surf->height);
            console_mark_dirty(s->con, 0, 0, surf->width, surf->height);
        }
        return;
    }
    surf = console_surface(s->con);
    if (surf->width != g.xres || surf->height != g.yres) {
        console_resize(s->con, g.xres, g.yres);
        surf = console_surface(s->con);
        full = true;
    }
    for (int y = 0; y <= g.yres; y++) {
        uint64_t off = g.start + (uint64_t)y * g.line;
        bool dirty = y < g.yres && (full || vga_range_dirty(s, off, (uint64_t)g.xres * g.bytes_pp));
        if (dirty) {
            convert_line(&g, s->vram + off, surface_row(surf, y), s->last.palette);
            if (y0 < 0) {
                y0 = y;
            }
        } else if (y0 >= 0) {
            console_mark_dirty(s->con, 0, y0, g.xres, y - y0);
            y0 = -1;
        }
    }
}

void vbe_compare_dirty(VGAState *s)
{
    VBEGeometry g;
    uint64_t first, last;

    if (!vbe_geometry(s, &g)) {
        return;
    }
    first = g.start >> VGA_PAGE_SHIFT;
    last = (g.start + (uint64_t)(g.yres - 1) * g.line + (uint64_t)g.xres * g.bytes_pp - 1)
           >> VGA_PAGE_SHIFT;
    for (uint64_t p = first; p <= last; p++) {
        size_t off = p << VGA_PAGE_SHIFT;
        if (memcmp(s->vram + off, s->shadow + off, 1u << VGA_PAGE_SHIFT) != 0) {
            memcpy(s->shadow + off, s->vram + off, 1u << VGA_PAGE_SHIFT);
            vga_mark_dirty(s, off);
        }
    }
}
