/*
 * vga.h: the VGA adapter with the Bochs VBE (DISPI) extension
 * (hw/display/). It claims ports 0x3B0-0x3DF (VGA) and 0x1CE-0x1D0 (VBE
 * index/data), the legacy memory window 0xA0000-0xBFFFF and a linear
 * framebuffer at VGA_LFB_BASE on the memory bus, and renders into a
 * DisplayConsole's surface when the UI refreshes. See docs/display.md.
 */
#ifndef HW_VGA_H
#define HW_VGA_H

#include "vireo/common.h"
#include "hw/bus.h"
#include "ui/console.h"

/* Where the VBE linear framebuffer lives until PCI exists. */
#define VGA_LFB_BASE    0xE0000000ULL
/* Video memory: the first 256 KiB are the four VGA planes. */
#define VGA_VRAM_SIZE   (16 * MiB)

/* Bochs VBE limits (GETCAPS answers these). */
#define VBE_MAX_XRES    2560
#define VBE_MAX_YRES    1600
#define VBE_MAX_BPP     32

typedef struct VGAState VGAState;

/*
 * Creates the adapter, maps its ports on io and its window and linear
 * framebuffer on mem, and registers its renderer with con: the adapter,
 * or NULL with errp set (a region overlaps, or mem is too small).
 */
VGAState *vga_new(Bus *io, Bus *mem, DisplayConsole *con, GError **errp);

/* Power-on state: registers cleared, VBE off, VRAM zeroed. */
void vga_reset(VGAState *s);

/* Unmaps the regions and frees the adapter (NULL is fine). */
void vga_free(VGAState *s);

/*
 * Puts the adapter in the state a VGA BIOS leaves after POST: 80x25
 * colour text (mode 0x03) at 0xB8000, EGA colours, vireo's own font in
 * plane 2, a blank screen with the cursor at the top left. For boots
 * without a VGA BIOS (a Linux kernel loaded directly); call after reset.
 */
void vga_set_boot_text_mode(VGAState *s);

/*
 * Maps the linear framebuffer as RAM instead of an I/O region, so guest
 * writes go straight to video memory without a bus dispatch (a KVM exit)
 * each; the renderer then finds changes through the dirty log
 * (vga_set_dirty_log) or, without one, by comparing the visible VBE
 * picture with a copy at each refresh. 0, or -1 with errp set.
 */
int vga_lfb_map_ram(VGAState *s, GError **errp) VIREO_WUR;

/* A dirty log for the RAM-mapped framebuffer (the accelerator's): fills
 * bitmap with the 4 KiB pages of [base, base+size) written since the last
 * call (page i is bit i % 64 of bitmap[i / 64]); 0, or -1 if it cannot. */
typedef int (*VGADirtyLogFn)(void *opaque, uint64_t base, uint64_t size, uint64_t *bitmap);

/*
 * With the framebuffer mapped as RAM, asks fn at each refresh which pages
 * changed instead of comparing copies; if fn ever fails, the adapter
 * redraws everything and compares copies from then on.
 */
void vga_set_dirty_log(VGAState *s, VGADirtyLogFn fn, void *opaque);

/* Renders what changed since the last call into the console's surface. */
void vga_update_display(VGAState *s);

/* Forces the next vga_update_display to redraw everything. */
void vga_invalidate_display(VGAState *s);

/*
 * In a text mode, appends the screen to out, one line per text row with
 * trailing blanks removed, and returns true; false in graphics modes.
 * Printable ASCII is kept, NUL becomes a blank, anything else '.'.
 */
bool vga_text_snapshot(VGAState *s, GString *out);

/* The video memory (VGA_VRAM_SIZE bytes), for tests and the debugger. */
uint8_t *vga_vram(VGAState *s);

#endif
