/*
 * vga-int.h: the VGA adapter's state, shared by the files of hw/display/:
 * vga.c (registers and ports), vga-mem.c (the planar memory window),
 * vga-render.c (text and graphics rendering) and vbe.c (Bochs DISPI).
 * Register names follow the IBM VGA Technical Reference.
 */
#ifndef HW_DISPLAY_VGA_INT_H
#define HW_DISPLAY_VGA_INT_H

#include "vireo/common.h"
#include "hw/vga.h"

#define VGA_PLANE_SIZE   (64 * KiB)
#define VGA_PAGE_SHIFT   12
#define VGA_PAGES        (VGA_VRAM_SIZE >> VGA_PAGE_SHIFT)

/* Sequencer */
#define SR_CLOCKING      1
#define SR_MAP_MASK      2
#define SR_CHAR_MAP      3
#define SR_MEM_MODE      4
/* Graphics controller */
#define GR_SET_RESET     0
#define GR_ENABLE_SR     1
#define GR_COLOR_COMPARE 2
#define GR_ROTATE        3
#define GR_READ_MAP      4
#define GR_MODE          5
#define GR_MISC          6
#define GR_DONT_CARE     7
#define GR_BIT_MASK      8
/* CRT controller */
#define CR_HDISP_END     0x01
#define CR_OVERFLOW      0x07
#define CR_PRESET_ROW    0x08
#define CR_MAX_SCAN      0x09
#define CR_CURSOR_START  0x0a
#define CR_CURSOR_END    0x0b
#define CR_START_HI      0x0c
#define CR_START_LO      0x0d
#define CR_CURSOR_HI     0x0e
#define CR_CURSOR_LO     0x0f
#define CR_VRETRACE_END  0x11
#define CR_VDISP_END     0x12
#define CR_OFFSET        0x13
#define CR_UNDERLINE     0x14
#define CR_MODE          0x17
#define CR_LINE_COMPARE  0x18
/* Attribute controller */
#define AR_MODE          0x10
#define AR_OVERSCAN      0x11
#define AR_PLANE_ENABLE  0x12
#define AR_PANNING       0x13
#define AR_COLOR_SELECT  0x14

/* Bochs VBE DISPI registers (index port 0x1CE, data 0x1CF) */
enum {
    VBE_ID, VBE_XRES, VBE_YRES, VBE_BPP, VBE_ENABLE, VBE_BANK,
    VBE_VIRT_WIDTH, VBE_VIRT_HEIGHT, VBE_X_OFFSET, VBE_Y_OFFSET,
    VBE_VIDEO_MEMORY_64K, VBE_NUM_REGS
};
#define VBE_ENABLED      0x01
#define VBE_GETCAPS      0x02
#define VBE_8BIT_DAC     0x20
#define VBE_LFB_ENABLED  0x40
#define VBE_NOCLEARMEM   0x80
#define VBE_ID0          0xb0c0
#define VBE_ID5          0xb0c5

/* Everything a frame's look depends on, compared between refreshes. */
typedef struct VGADisplayRegs {
    uint8_t misc;
    uint8_t sr[5];
    uint8_t gr_mode, gr_misc;
    uint8_t cr[0x19];          /* cursor location excluded (zeroed) */
    uint8_t ar[0x15];
    uint8_t ar_pas;
    uint16_t vbe[VBE_NUM_REGS];
    uint32_t palette[256];     /* DAC after mask and 6->8 bit expansion */
} VGADisplayRegs;

struct VGAState {
    Bus *io, *mem;
    BusRegion *io_region, *vbe_region, *window_region, *lfb_region;
    DisplayConsole *con;
    uint8_t *vram;

    uint8_t misc;              /* misc output */
    uint8_t feature;           /* feature control */
    uint8_t st1_toggle;        /* input status 1 retrace simulation */
    uint8_t sr_index, sr[8];
    uint8_t gr_index, gr[16];
    uint8_t cr_index, cr[0x20];
    uint8_t ar_index;          /* includes the PAS bit 5 */
    bool ar_flipflop;          /* false: next 0x3C0 write is an index */
    uint8_t ar[0x15];
    uint8_t dac_mask, dac_read_index, dac_write_index, dac_sub;
    bool dac_reading;          /* last index written was the read index */
    uint8_t dac_latch[3];
    uint8_t dac[256][3];
    uint8_t latch[4];          /* one byte per plane */

    bool lfb_ram;              /* LFB mapped as RAM: changes from the log or by comparison */
    uint8_t *shadow;           /* lfb_ram: video memory as last rendered */
    VGADirtyLogFn dirty_log;   /* lfb_ram: the accelerator's dirty log, or NULL */
    void *dirty_log_opaque;
    uint64_t log_bitmap[VGA_PAGES / 64];

    uint16_t vbe_index;
    uint16_t vbe[VBE_NUM_REGS];

    /* rendering */
    uint8_t dirty[VGA_PAGES / 8];
    bool full_redraw;
    VGADisplayRegs last;
    int cursor_phase, blink_phase;  /* -1: unknown */
    uint32_t last_cursor;
};

/* vga-mem.c */
/* A host read at addr (offset from 0xA0000): the byte, 0xFF outside the map. */
uint8_t vga_mem_readb(VGAState *s, uint32_t addr);
/* A host write at addr (offset from 0xA0000); ignored outside the map. */
void vga_mem_writeb(VGAState *s, uint32_t addr, uint8_t val);
/* Bus ops of the 0xA0000 window and of the I/O-mapped framebuffer. */
extern const BusOps vga_window_ops;
extern const BusOps vga_lfb_ops;

/* vbe.c */
/* Bus ops of ports 0x1CE-0x1D0 (index, data, data alias). */
extern const BusOps vbe_port_ops;
/* VBE registers to power-on values (disabled, 640x480x8). */
void vbe_reset(VGAState *s);
/* True while the DISPI enable bit is set. */
bool vbe_enabled(VGAState *s);
/* Renders the VBE mode into the console (mode known enabled). */
void vbe_update_display(VGAState *s);
/* lfb_ram: marks the visible pages that differ from the shadow copy. */
void vbe_compare_dirty(VGAState *s);

/* vga-render.c */
/* Renders the VGA (non-VBE) picture: only what changed. */
void vga_render_display(VGAState *s);
/* Snapshots the display registers: true if they (or full_redraw) changed. */
bool vga_display_regs_changed(VGAState *s);

static inline void vga_mark_dirty(VGAState *s, uint32_t vram_off)
{
    uint32_t page = (vram_off >> VGA_PAGE_SHIFT) & (VGA_PAGES - 1);
    s->dirty[page >> 3] |= 1u << (page & 7);
}

static inline bool vga_page_dirty(VGAState *s, uint32_t page)
{
    return s->dirty[page >> 3] & (1u << (page & 7));
}

/* True if any page of vram bytes [off, off+len) is dirty (len > 0). */
bool vga_range_dirty(VGAState *s, uint64_t off, uint64_t len);

/* The 32-bit pixel for DAC entry i under the pixel mask and DAC width. */
uint32_t vga_dac_rgb(VGAState *s, unsigned i);

#endif
