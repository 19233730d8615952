/*
 * vga-mem.c: the VGA memory window at 0xA0000-0xBFFFF and the VBE linear
 * framebuffer. Video memory holds the four 64 KiB planes interleaved:
 * byte (offset * 4 + plane), so one plane offset is one 32-bit latch.
 * Host accesses go through the sequencer (map mask, chain-4, odd/even)
 * and the graphics controller (read modes 0/1, write modes 0-3 with
 * set/reset, rotate, logical function and bit mask) as in the IBM VGA
 * Technical Reference ("Graphics Controller Registers"). With VBE on, the
 * window is a 64 KiB bank of linear video memory instead.
 */
#include "vireo/common.h"
#include "vireo/log.h"
#include "vga-int.h"

/* Offset of addr inside the window the graphics controller maps, or -1. */
static int64_t window_offset(VGAState *s, uint32_t addr)
{
    switch ((s->gr[GR_MISC] >> 2) & 3) {
    case 0:
        return addr;                                   /* A0000, 128 KiB */
    case 1:
        return addr < 0x10000 ? (int64_t)addr : -1;    /* A0000, 64 KiB */
    case 2:
        return addr >= 0x10000 && addr < 0x18000 ? (int64_t)addr - 0x10000 : -1;
    default:
        return addr >= 0x18000 ? (int64_t)addr - 0x18000 : -1;
    }
}

/*
 * Chain-4: A0-A1 select the plane and A14-A15 take their place in the
 * plane offset, the inverse of the CRTC's doubleword addressing (which
 * puts MA12-MA13 in bits 0-1), so mode 0x13 fills all 64 KiB of each plane.
 */
static uint32_t chain4_offset(uint32_t w)
{
    return (w & 0xfffc) | ((w >> 14) & 3);
}

static uint8_t *plane_ptr(VGAState *s, uint32_t offset)
{
    return s->vram + (size_t)(offset & (VGA_PLANE_SIZE - 1)) * 4;
}

static uint8_t vbe_bank_readb(VGAState *s, uint32_t addr)
{
    uint64_t off = (uint64_t)s->vbe[VBE_BANK] * 0x10000 + addr;
    if (addr >= 0x10000 || off >= VGA_VRAM_SIZE) {
        return 0xff;
    }
    return s->vram[off];
}

static void vbe_bank_writeb(VGAState *s, uint32_t addr, uint8_t val)
{
    uint64_t off = (uint64_t)s->vbe[VBE_BANK] * 0x10000 + addr;
    if (addr >= 0x10000 || off >= VGA_VRAM_SIZE) {
        return;
    }
    s->vram[off] = val;
    vga_mark_dirty(s, off);
}

uint8_t vga_mem_readb(VGAState *s, uint32_t addr)
{
    int64_t w;
    uint32_t offset;
    unsigned plane;
    uint8_t *p;

    if (vbe_enabled(s)) {
        return vbe_bank_readb(s, addr);
    }
    w = window_offset(s, addr);
    if (w < 0) {
        return 0xff;
    }
    if (s->sr[SR_MEM_MODE] & 0x08) {            /* chain-4: A0-A1 pick the plane */
        plane = w & 3;
        offset = chain4_offset(w);
    } else if (s->gr[GR_MODE] & 0x10) {         /* host odd/even read */
        plane = (s->gr[GR_READ_MAP] & 2) | (w & 1);
        offset = w & ~1u;
    } else {
        plane = s->gr[GR_READ_MAP] & 3;
        offset = w;
    }
    p = plane_ptr(s, offset);
    memcpy(s->latch, p, 4);
    if (!(s->gr[GR_MODE] & 0x08)) {
        return s->latch[plane];
    }
    /* Read mode 1: a 1 where every plane not "don't care" matches the
     * colour compare register. */
    uint8_t diff = 0;
    for (int i = 0; i < 4; i++) {
        if (s->gr[GR_DONT_CARE] & (1 << i)) {
            uint8_t cc = (s->gr[GR_COLOR_COMPARE] & (1 << i)) ? 0xff : 0x00;
            diff |= s->latch[i] ^ cc;
        }
    }
    return ~diff;
}

static uint8_t alu(VGAState *s, uint8_t d, uint8_t latch)
{
    switch ((s->gr[GR_ROTATE] >> 3) & 3) {
    case 1: return d & latch;
    case 2: return d | latch;
    case 3: return d ^ latch;
    default: return d;
    }
}

static uint8_t rotate(VGAState *s, uint8_t v)
{
    unsigned n = s->gr[GR_ROTATE] & 7;
    return (uint8_t)((v >> n) | (v << ((8 - n) & 7)));
}

/* The four bytes the graphics controller produces for host byte val. */
static void write_pipeline(VGAState *s, uint8_t val, uint8_t out[4])
{
    uint8_t mask = s->gr[GR_BIT_MASK];
    uint8_t sr = s->gr[GR_SET_RESET], esr = s->gr[GR_ENABLE_SR];
    unsigned mode = s->gr[GR_MODE] & 3;
    uint8_t v = rotate(s, val);

    if (mode == 1) {
        memcpy(out, s->latch, 4);
        return;
    }
    if (mode == 3) {
        mask &= v;
    }
    for (int i = 0; i < 4; i++) {
        uint8_t d;
        uint8_t all = (sr & (1 << i)) ? 0xff : 0x00;
        switch (mode) {
        case 0:
            d = (esr & (1 << i)) ? all : v;
            break;
        case 2:
            d = (val & (1 << i)) ? 0xff : 0x00;
            break;
        default:
            d = all;
            break;
        }
        d = alu(s, d, s->latch[i]);
        out[i] = (d & mask) | (s->latch[i] & ~mask);
    }
}

void vga_mem_writeb(VGAState *s, uint32_t addr, uint8_t val)
{
    int64_t w;
    uint32_t offset;
    uint8_t planes = s->sr[SR_MAP_MASK] & 0x0f;
    uint8_t out[4];
    uint8_t *p;

    if (vbe_enabled(s)) {
        vbe_bank_writeb(s, addr, val);
        return;
    }
    w = window_offset(s, addr);
    if (w < 0) {
        return;
    }
    if (s->sr[SR_MEM_MODE] & 0x08) {
        planes &= 1 << (w & 3);
        offset = chain4_offset(w);
    } else if (!(s->sr[SR_MEM_MODE] & 0x04)) {  /* odd/even: A0 picks 0/2 or 1/3 */
        planes &= (w & 1) ? 0x0a : 0x05;
        offset = w & ~1u;
    } else {
        offset = w;
    }
    if (!planes) {
        return;
    }
    write_pipeline(s, val, out);
    p = plane_ptr(s, offset);
    for (int i = 0; i < 4; i++) {
        if (planes & (1 << i)) {
            p[i] = out[i];
        }
    }
    vga_mark_dirty(s, p - s->vram);
}

static uint64_t vga_window_read(void *opaque, uint64_t off, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size && off + i < 0x20000; i++) {
        v |= (uint64_t)vga_mem_readb(opaque, off + i) << (8 * i);
    }
    return v;
}

static void vga_window_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    for (unsigned i = 0; i < size && off + i < 0x20000; i++) {
        vga_mem_writeb(opaque, off + i, val >> (8 * i));
    }
}

const BusOps vga_window_ops = { vga_window_read, vga_window_write };

static uint64_t vga_lfb_read(void *opaque, uint64_t off, unsigned size)
{
    VGAState *s = opaque;
    uint64_t v = 0;

    if (off >= VGA_VRAM_SIZE || size > VGA_VRAM_SIZE - off) {
        return UINT64_MAX;
    }
    memcpy(&v, s->vram + off, size);
    return v;
}

static void vga_lfb_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    VGAState *s = opaque;

    if (off >= VGA_VRAM_SIZE || size > VGA_VRAM_SIZE - off) {
        return;
    }
    memcpy(s->vram + off, &val, size);
    vga_mark_dirty(s, off);
    vga_mark_dirty(s, off + size - 1);
}

const BusOps vga_lfb_ops = { vga_lfb_read, vga_lfb_write };
