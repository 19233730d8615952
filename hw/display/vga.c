/*
 * vga.c: the VGA adapter's registers and its life cycle (see hw/vga.h).
 * Ports 0x3B0-0x3DF: misc output, sequencer, CRT controller (at 0x3B4 or
 * 0x3D4 as misc output bit 0 selects mono or colour addressing), graphics
 * controller, attribute controller (one port with an index/data
 * flip-flop that a read of input status 1 resets), the DAC, feature
 * control and the two input status registers. The memory window is in
 * vga-mem.c, rendering in vga-render.c, Bochs VBE in vbe.c.
 * Reference: IBM VGA Technical Reference, chapter "Registers".
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "vireo/log.h"
#include "hw/bus.h"
#include "vga-int.h"

#define VGA_PORT_BASE  0x3b0
#define VGA_PORT_COUNT 0x30
#define VBE_PORT_BASE  0x1ce
#define VBE_PORT_COUNT 3

static bool color_addressing(VGAState *s)
{
    return s->misc & 1;
}

/* True if port (0x3Bx or 0x3Dx) belongs to the addressing mode in force. */
static bool port_active(VGAState *s, uint16_t port)
{
    if ((port & 0xfff0) == 0x3b0) {
        return !color_addressing(s);
    }
    if ((port & 0xfff0) == 0x3d0) {
        return color_addressing(s);
    }
    return true;
}

static uint8_t read_input_status1(VGAState *s)
{
    /* Bits 0 (display disabled) and 3 (vertical retrace) alternate on
     * every read so that guests polling for retrace make progress. */
    s->st1_toggle ^= 0x09;
    s->ar_flipflop = false;
    return s->st1_toggle;
}

static uint8_t read_dac_data(VGAState *s)
{
    uint8_t mask = (s->vbe[VBE_ENABLE] & VBE_8BIT_DAC) ? 0xff : 0x3f;
    uint8_t v = s->dac[s->dac_read_index][s->dac_sub] & mask;

    if (++s->dac_sub == 3) {
        s->dac_sub = 0;
        s->dac_read_index++;
    }
    return v;
}

static void write_dac_data(VGAState *s, uint8_t val)
{
    s->dac_latch[s->dac_sub] = val;
    if (++s->dac_sub == 3) {
        memcpy(s->dac[s->dac_write_index], s->dac_latch, 3);
        s->dac_sub = 0;
        s->dac_write_index++;
    }
}

static uint8_t vga_port_readb(VGAState *s, uint16_t port)
{
    if (!port_active(s, port)) {
        return 0xff;
    }
    switch (port) {
    case 0x3c0:
        return s->ar_index;
    case 0x3c1:
        return (s->ar_index & 0x1f) < ARRAY_SIZE(s->ar) ? s->ar[s->ar_index & 0x1f] : 0xff;
    case 0x3c2:
        return 0x10;        /* input status 0: switch sense says colour monitor */
    case 0x3c4:
        return s->sr_index;
    case 0x3c5:
        return s->sr[s->sr_index & 7];
    case 0x3c6:
        return s->dac_mask;
    case 0x3c7:
        return s->dac_reading ? 0x03 : 0x00;
    case 0x3c8:
        return s->dac_write_index;
    case 0x3c9:
        return read_dac_data(s);
    case 0x3ca:
        return s->feature;
    case 0x3cc:
        return s->misc;
    case 0x3ce:
        return s->gr_index;
    case 0x3cf:
        return s->gr[s->gr_index & 0xf];
    case 0x3b4: case 0x3d4:
        return s->cr_index;
    case 0x3b5: case 0x3d5:
        return s->cr[s->cr_index & 0x1f];
    case 0x3ba: case 0x3da:
        return read_input_status1(s);
    default:
        log_mask(LOG_GUEST_ERRORS, "vga: read of unused port 0x%x\n", port);
        return 0xff;
    }
}

static void write_attr(VGAState *s, uint8_t val)
{
    if (!s->ar_flipflop) {
        s->ar_index = val & 0x3f;
    } else {
        unsigned i = s->ar_index & 0x1f;
        if (i < 0x10) {
            s->ar[i] = val & 0x3f;
        } else if (i < ARRAY_SIZE(s->ar)) {
            s->ar[i] = val;
        } else {
            log_mask(LOG_GUEST_ERRORS, "vga: attribute register 0x%x does not exist\n", i);
        }
    }
    s->ar_flipflop = !s->ar_flipflop;
}

static void write_crtc(VGAState *s, uint8_t val)
{
    unsigned i = s->cr_index & 0x1f;

    if (i > CR_LINE_COMPARE) {
        log_mask(LOG_GUEST_ERRORS, "vga: CRTC register 0x%x does not exist\n", i);
        return;
    }
    /* CR11 bit 7 protects CR0-CR7, except the line compare bit in CR7. */
    if ((s->cr[CR_VRETRACE_END] & 0x80) && i <= CR_OVERFLOW) {
        if (i == CR_OVERFLOW) {
            s->cr[i] = (s->cr[i] & ~0x10) | (val & 0x10);
        }
        return;
    }
    if (i == CR_CURSOR_END && (val & 0x60)) {
        log_mask(LOG_UNIMP, "vga: cursor skew %u not implemented\n", (val >> 5) & 3);
    }
    s->cr[i] = val;
}

static void vga_port_writeb(VGAState *s, uint16_t port, uint8_t val)
{
    if (!port_active(s, port)) {
        log_mask(LOG_GUEST_ERRORS, "vga: write 0x%x to port 0x%x of the inactive "
                 "mono/colour range ignored\n", val, port);
        return;
    }
    switch (port) {
    case 0x3c0:
        write_attr(s, val);
        break;
    case 0x3c2:
        s->misc = val;
        break;
    case 0x3c3:
        break;              /* VGA enable: always enabled */
    case 0x3c4:
        s->sr_index = val & 7;
        break;
    case 0x3c5:
        if (s->sr_index > SR_MEM_MODE) {
            log_mask(LOG_GUEST_ERRORS, "vga: sequencer register %u does not exist\n", s->sr_index);
        }
        s->sr[s->sr_index] = val;
        break;
    case 0x3c6:
        s->dac_mask = val;
        break;
    case 0x3c7:
        s->dac_read_index = val;
        s->dac_sub = 0;
        s->dac_reading = true;
        break;
    case 0x3c8:
        s->dac_write_index = val;
        s->dac_sub = 0;
        s->dac_reading = false;
        break;
    case 0x3c9:
        write_dac_data(s, val);
        break;
    case 0x3ce:
        s->gr_index = val & 0xf;
        break;
    case 0x3cf:
        if (s->gr_index > GR_BIT_MASK) {
            log_mask(LOG_GUEST_ERRORS, "vga: graphics register %u does not exist\n", s->gr_index);
        }
        s->gr[s->gr_index] = val;
        break;
    case 0x3b4: case 0x3d4:
        s->cr_index = val & 0x1f;
        break;
    case 0x3b5: case 0x3d5:
        write_crtc(s, val);
        break;
    case 0x3ba: case 0x3da:
        s->feature = val;
        break;
    default:
        log_mask(LOG_GUEST_ERRORS, "vga: write 0x%x to unused port 0x%x\n", val, port);
        break;
    }
}

static uint64_t vga_io_read(void *opaque, uint64_t off, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size && off + i < VGA_PORT_COUNT; i++) {
        v |= (uint64_t)vga_port_readb(opaque, VGA_PORT_BASE + off + i) << (8 * i);
    }
    return v;
}

static void vga_io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    /* outw 0x3C4, 0x0F02 writes the index then the data (byte order). */
    for (unsigned i = 0; i < size && off + i < VGA_PORT_COUNT; i++) {
        vga_port_writeb(opaque, VGA_PORT_BASE + off + i, val >> (8 * i));
    }
}

static const BusOps vga_io_ops = { vga_io_read, vga_io_write };

static void vga_update_cb(void *opaque)
{
    vga_update_display(opaque);
}

static bool vga_text_cb(void *opaque, GString *out)
{
    return vga_text_snapshot(opaque, out);
}

uint32_t vga_dac_rgb(VGAState *s, unsigned i)
{
    const uint8_t *c = s->dac[(i & s->dac_mask) & 0xff];
    uint32_t rgb = 0;

    for (int k = 0; k < 3; k++) {
        uint32_t v = c[k];
        if (!(s->vbe[VBE_ENABLE] & VBE_8BIT_DAC)) {
            v &= 0x3f;
            v = (v << 2) | (v >> 4);    /* 6-bit DAC value to 8 bits */
        }
        rgb = (rgb << 8) | v;
    }
    return rgb;
}

bool vga_range_dirty(VGAState *s, uint64_t off, uint64_t len)
{
    if (len == 0 || off >= VGA_VRAM_SIZE) {
        return false;
    }
    uint64_t last = MIN(off + len - 1, (uint64_t)VGA_VRAM_SIZE - 1);
    for (uint64_t p = off >> VGA_PAGE_SHIFT; p <= last >> VGA_PAGE_SHIFT; p++) {
        if (vga_page_dirty(s, p)) {
            return true;
        }
    }
    return false;
}

void vga_reset(VGAState *s)
{
    s->misc = 0;
    s->feature = 0;
    s->st1_toggle = 0;
    s->sr_index = s->gr_index = s->cr_index = s->ar_index = 0;
    memset(s->sr, 0, sizeof(s->sr));
    memset(s->gr, 0, sizeof(s->gr));
    memset(s->cr, 0, sizeof(s->cr));
    memset(s->ar, 0, sizeof(s->ar));
    s->ar_flipflop = false;
    s->dac_mask = 0xff;
    s->dac_read_index = s->dac_write_index = s->dac_sub = 0;
    s->dac_reading = false;
    memset(s->dac, 0, sizeof(s->dac));
    memset(s->latch, 0, sizeof(s->latch));
    memset(s->vram, 0, VGA_VRAM_SIZE);
    vbe_reset(s);
    vga_invalidate_display(s);
}

void vga_invalidate_display(VGAState *s)
{
    s->full_redraw = true;
    s->cursor_phase = s->blink_phase = -1;
}

VGAState *vga_new(Bus *io, Bus *mem, DisplayConsole *con, GError **errp)
{
    VGAState *s = g_new0(VGAState, 1);

    s->io = io;
    s->mem = mem;
    s->con = con;
    /* Page-aligned, so an accelerator can map it as a memory slot
     * (vga_lfb_map_ram). */
    s->vram = g_aligned_alloc0(VGA_VRAM_SIZE, 1, 4096);
    s->io_region = bus_add_io(io, "vga", VGA_PORT_BASE, VGA_PORT_COUNT, &vga_io_ops, s, errp);
    if (!s->io_region) {
        goto fail;
    }
    s->vbe_region = bus_add_io(io, "vbe", VBE_PORT_BASE, VBE_PORT_COUNT, &vbe_port_ops, s, errp);
    if (!s->vbe_region) {
        goto fail;
    }
    s->window_region = bus_add_io(mem, "vga-window", 0xa0000, 0x20000, &vga_window_ops, s, errp);
    if (!s->window_region) {
        goto fail;
    }
    s->lfb_region = bus_add_io(mem, "vga-lfb", VGA_LFB_BASE, VGA_VRAM_SIZE, &vga_lfb_ops, s, errp);
    if (!s->lfb_region) {
        goto fail;
    }
    vga_reset(s);
    console_set_hw(con, vga_update_cb, s);
    console_set_text_hw(con, vga_text_cb, s);
    return s;
fail:
    vga_free(s);
    return NULL;
}

void vga_free(VGAState *s)
{
    if (!s) {
        return;
    }
    if (s->con) {
        console_set_hw(s->con, NULL, NULL);
        console_set_text_hw(s->con, NULL, NULL);
    }
    if (s->lfb_region) {
        bus_remove(s->mem, s->lfb_region);
    }
    if (s->window_region) {
        bus_remove(s->mem, s->window_region);
    }
    if (s->vbe_region) {
        bus_remove(s->io, s->vbe_region);
    }
    if (s->io_region) {
        bus_remove(s->io, s->io_region);
    }
    g_free(s->shadow);
    g_aligned_free(s->vram);
    g_free(s);
}

int vga_lfb_map_ram(VGAState *s, GError **errp)
{
    BusRegion *r;

    if (s->lfb_ram) {
        return 0;
    }
    bus_remove(s->mem, s->lfb_region);
    s->lfb_region = NULL;
    r = bus_add_ram(s->mem, "vga-lfb", VGA_LFB_BASE, VGA_VRAM_SIZE, s->vram, false, errp);
    if (!r) {
        return -1;
    }
    s->lfb_region = r;
    s->lfb_ram = true;
    s->shadow = g_malloc0(VGA_VRAM_SIZE);
    memcpy(s->shadow, s->vram, VGA_VRAM_SIZE);
    vga_invalidate_display(s);
    return 0;
}

uint8_t *vga_vram(VGAState *s)
{
    return s->vram;
}

void vga_set_dirty_log(VGAState *s, VGADirtyLogFn fn, void *opaque)
{
    s->dirty_log = fn;
    s->dirty_log_opaque = opaque;
}

/* lfb_ram with a dirty log: marks the pages the log reports. If the log
 * fails, the shadow copy is refreshed, everything is redrawn, and the
 * comparison takes over: false then. */
static bool vga_sync_dirty_log(VGAState *s)
{
    if (s->dirty_log(s->dirty_log_opaque, VGA_LFB_BASE, VGA_VRAM_SIZE, s->log_bitmap) < 0) {
        error_report("vga: the framebuffer's dirty log failed; finding changes by comparison");
        s->dirty_log = NULL;
        memcpy(s->shadow, s->vram, VGA_VRAM_SIZE);
        vga_invalidate_display(s);
        return false;
    }
    for (uint32_t w = 0; w < ARRAY_SIZE(s->log_bitmap); w++) {
        for (uint64_t bits = s->log_bitmap[w]; bits; bits &= bits - 1) {
            vga_mark_dirty(s, (w * 64 + (uint32_t)__builtin_ctzll(bits)) << VGA_PAGE_SHIFT);
        }
    }
    return true;
}

void vga_update_display(VGAState *s)
{
    bool logged = s->lfb_ram && s->dirty_log && vga_sync_dirty_log(s);

    if (vbe_enabled(s)) {
        if (s->lfb_ram && !logged) {
            vbe_compare_dirty(s);
        }
        vbe_update_display(s);
    } else {
        vga_render_display(s);
    }
    memset(s->dirty, 0, sizeof(s->dirty));
}
