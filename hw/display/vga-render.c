/*
 * vga-render.c: turns the VGA's video memory and registers into pixels on
 * the console surface: text modes (font in plane 2, attributes, blink,
 * cursor, 8/9-dot cells), 16-colour planar, CGA 4-colour interleaved and
 * 256-colour (chained mode 0x13 and unchained "mode X") graphics. The
 * surface shows the programmed dot layout: width is character clocks x
 * dots per clock (doubled with the sequencer's dot clock / 2, and each
 * 256-colour pixel two dots wide), height is the vertical display end, with
 * scan doubling and the maximum scan line repeating rows as programmed.
 * Only scan lines whose video memory pages were written, or everything
 * after a register, palette or font change, are redrawn.
 * Reference: IBM VGA Technical Reference, "CRT Controller Registers".
 */
#include "vireo/common.h"
#include "vireo/log.h"
#include "hw/clock.h"
#include "vga-int.h"

/* Blink rates: cursor 16 frames and characters 32 frames per cycle, at 60 Hz. */
#define CURSOR_HALF_NS  (8 * NS_PER_SEC / 60)
#define BLINK_HALF_NS   (16 * NS_PER_SEC / 60)

typedef enum VGAKind { VGA_TEXT, VGA_PLANAR, VGA_CGA4, VGA_PACKED256 } VGAKind;

typedef struct VGAFrame {
    VGAKind kind;
    int cols;            /* character clocks per line */
    int cw;              /* dots per character clock */
    int hd;              /* 2 with dot clock / 2 */
    int width, height;
    uint32_t start;      /* start address, MA units */
    uint32_t stride;     /* MA units per row */
    int msl;             /* maximum scan line */
    bool double_scan;
    int line_compare;
    int preset;
    int pan;             /* horizontal pixel panning, in dots */
    bool pan_reset;      /* panning stops below the split (AR10 bit 5) */
    bool blank;
    uint32_t pal16[16];  /* 4-bit colour through the attribute palette */
    /* text */
    uint32_t font[2];    /* plane-2 offsets of maps B (attr bit 3 = 0) and A */
    bool cursor_on, blink_on;
    uint32_t cursor;
    int cur_start, cur_end;
} VGAFrame;

static void snapshot_regs(VGAState *s, VGADisplayRegs *r)
{
    memset(r, 0, sizeof(*r));
    r->misc = s->misc;
    memcpy(r->sr, s->sr, sizeof(r->sr));
    r->sr[SR_MAP_MASK] = 0;
    r->gr_mode = s->gr[GR_MODE] & 0x60;
    r->gr_misc = s->gr[GR_MISC] & 0x01;
    memcpy(r->cr, s->cr, sizeof(r->cr));
    r->cr[CR_CURSOR_HI] = r->cr[CR_CURSOR_LO] = 0;
    memcpy(r->ar, s->ar, sizeof(r->ar));
    r->ar_pas = s->ar_index & 0x20;
    memcpy(r->vbe, s->vbe, sizeof(r->vbe));
    r->vbe[VBE_BANK] = 0;
    for (int i = 0; i < 256; i++) {
        r->palette[i] = vga_dac_rgb(s, i);
    }
}

bool vga_display_regs_changed(VGAState *s)
{
    VGADisplayRegs r;
    bool changed;

    snapshot_regs(s, &r);
    changed = s->full_redraw || memcmp(&r, &s->last, sizeof(r)) != 0;
    s->last = r;
    s->full_redraw = false;
    return changed;
}

/* The plane offset the CRTC fetches for memory address ma at row scan rs. */
static uint32_t ma_to_offset(VGAState *s, uint32_t ma, int rs)
{
    uint8_t mode = s->cr[CR_MODE];
    uint32_t a;

    ma &= 0xffff;
    if (s->cr[CR_UNDERLINE] & 0x40) {                /* doubleword mode */
        a = (ma << 2) | ((ma >> 12) & 3);
    } else if (!(mode & 0x40)) {                     /* word mode */
        a = (ma << 1) | ((ma >> ((mode & 0x20) ? 15 : 13)) & 1);
    } else {
        a = ma;
    }
    if (!(mode & 0x01)) {                            /* CGA: row scan bit 0 -> MA13 */
        a = (a & ~0x2000u) | ((rs & 1u) << 13);
    }
    if (!(mode & 0x02)) {                            /* Hercules: row scan bit 1 -> MA14 */
        a = (a & ~0x4000u) | ((rs & 2u) << 13);
    }
    return a & 0xffff;
}

static uint32_t font_offset(unsigned map)
{
    return (map & 3) * 0x4000 + (map >> 2) * 0x2000;
}

static void frame_setup_palette(VGAState *s, VGAFrame *f)
{
    uint8_t csel = s->ar[AR_COLOR_SELECT];

    for (int i = 0; i < 16; i++) {
        uint8_t v = s->ar[i & s->ar[AR_PLANE_ENABLE] & 0x0f];
        unsigned dac;
        if (s->ar[AR_MODE] & 0x80) {
            dac = (v & 0x0f) | ((csel & 3) << 4);
        } else {
            dac = v & 0x3f;
        }
        dac |= (csel & 0x0c) << 4;
        f->pal16[i] = s->last.palette[dac];
    }
}

/* AR13 in dots (IBM VGA Technical Reference, "Horizontal PEL Panning"). */
static int pixel_pan(VGAState *s, const VGAFrame *f)
{
    unsigned v = s->ar[AR_PANNING] & 0x0f;

    if (f->kind == VGA_PACKED256) {
        return (v & 6) * f->hd;          /* 0, 2, 4, 6: whole 2-dot pixels */
    }
    if (f->cw == 9) {
        return (v >= 8 ? 0 : v + 1) * f->hd;
    }
    return (v & 7) * f->hd;
}

static void frame_setup(VGAState *s, VGAFrame *f, int64_t now)
{
    uint8_t ov = s->cr[CR_OVERFLOW];
    uint8_t cm = s->sr[SR_CHAR_MAP];

    memset(f, 0, sizeof(*f));
    if (!(s->gr[GR_MISC] & 1)) {
        f->kind = VGA_TEXT;
    } else if (s->gr[GR_MODE] & 0x40) {
        f->kind = VGA_PACKED256;
    } else if (s->gr[GR_MODE] & 0x20) {
        f->kind = VGA_CGA4;
    } else {
        f->kind = VGA_PLANAR;
    }
    f->cols = s->cr[CR_HDISP_END] + 1;
    f->cw = (f->kind == VGA_TEXT && !(s->sr[SR_CLOCKING] & 1)) ? 9 : 8;
    f->hd = (s->sr[SR_CLOCKING] & 0x08) ? 2 : 1;
    f->width = f->cols * f->cw * f->hd;
    f->height = (s->cr[CR_VDISP_END] | ((ov & 0x02) << 7) | ((ov & 0x40) << 3)) + 1;
    f->start = (s->cr[CR_START_HI] << 8) | s->cr[CR_START_LO];
    f->stride = 2 * s->cr[CR_OFFSET];
    f->msl = s->cr[CR_MAX_SCAN] & 0x1f;
    f->double_scan = s->cr[CR_MAX_SCAN] & 0x80;
    f->line_compare = s->cr[CR_LINE_COMPARE] | ((ov & 0x10) << 4) |
                      ((s->cr[CR_MAX_SCAN] & 0x40) << 3);
    f->preset = s->cr[CR_PRESET_ROW] & 0x1f;
    f->start += (s->cr[CR_PRESET_ROW] >> 5) & 3;     /* byte panning */
    f->pan = pixel_pan(s, f);
    f->pan_reset = s->ar[AR_MODE] & 0x20;
    f->blank = (s->sr[SR_CLOCKING] & 0x20) || !(s->ar_index & 0x20);
    frame_setup_palette(s, f);
    f->font[0] = font_offset(((cm >> 4) & 1) << 2 | (cm & 3));
    f->font[1] = font_offset(((cm >> 5) & 1) << 2 | ((cm >> 2) & 3));
    f->cursor = (s->cr[CR_CURSOR_HI] << 8) | s->cr[CR_CURSOR_LO];
    f->cur_start = s->cr[CR_CURSOR_START] & 0x1f;
    f->cur_end = s->cr[CR_CURSOR_END] & 0x1f;
    f->cursor_on = !(s->cr[CR_CURSOR_START] & 0x20) && ((now / CURSOR_HALF_NS) & 1) == 0;
    f->blink_on = ((now / BLINK_HALF_NS) & 1) == 0;
}

static const uint8_t *cell(VGAState *s, uint32_t off)
{
    return s->vram + (size_t)off * 4;
}

static void draw_text_line(VGAState *s, const VGAFrame *f, uint32_t ma, int rs,
                           int cols, uint32_t *dst)
{
    bool blink_mode = s->ar[AR_MODE] & 0x08;
    bool line_gfx = s->ar[AR_MODE] & 0x04;
    int ul = s->cr[CR_UNDERLINE] & 0x1f;

    for (int c = 0; c < cols; c++) {
        const uint8_t *p = cell(s, ma_to_offset(s, ma + c, rs));
        uint8_t ch = p[0], at = p[1];
        unsigned fg = at & 0x0f, bg = at >> 4;
        uint32_t glyph = 0;

        if (rs < 32) {
            uint32_t g = f->font[(at >> 3) & 1] + ch * 32 + rs;
            glyph = cell(s, g)[2];
        }
        if (blink_mode) {
            bg &= 7;
            if ((at & 0x80) && !f->blink_on) {
                glyph = 0;
            }
        }
        if ((rs == ul && (at & 0x77) == 0x01) ||
            (f->cursor_on && ((ma + c) & 0xffff) == f->cursor &&
             rs >= f->cur_start && rs <= f->cur_end)) {
            glyph = 0x1ff;
        } else if (f->cw == 9) {
            glyph = (glyph << 1) | ((line_gfx && ch >= 0xc0 && ch <= 0xdf) ? (glyph & 1) : 0);
        } else {
            glyph <<= 1;
        }
        for (int d = 0; d < f->cw; d++) {
            uint32_t px = f->pal16[(glyph & (0x100 >> d)) ? fg : bg];
            for (int h = 0; h < f->hd; h++) {
                *dst++ = px;
            }
        }
    }
}

static void draw_gfx_line(VGAState *s, const VGAFrame *f, uint32_t ma, int rs,
                          int cols, uint32_t *dst)
{
    for (int c = 0; c < cols; c++) {
        const uint8_t *p = cell(s, ma_to_offset(s, ma + c, rs));
        uint32_t px[8];

        if (f->kind == VGA_PACKED256) {
            for (int i = 0; i < 8; i++) {
                px[i] = s->last.palette[p[i >> 1]];
            }
        } else if (f->kind == VGA_CGA4) {
            for (int i = 0; i < 8; i++) {
                int sh = 6 - 2 * (i & 3);
                uint8_t lo = p[i >> 2], hi = p[2 + (i >> 2)];
                px[i] = f->pal16[((lo >> sh) & 3) | (((hi >> sh) & 3) << 2)];
            }
        } else {
            for (int i = 0; i < 8; i++) {
                int b = 7 - i;
                px[i] = f->pal16[((p[0] >> b) & 1) | (((p[1] >> b) & 1) << 1) |
                                 (((p[2] >> b) & 1) << 2) | (((p[3] >> b) & 1) << 3)];
            }
        }
        for (int i = 0; i < 8; i++) {
            for (int h = 0; h < f->hd; h++) {
                *dst++ = px[i];
            }
        }
    }
}

/* True if a character clock of this line (or the one panning adds) reads a written page. */
static bool line_dirty(VGAState *s, const VGAFrame *f, uint32_t ma, int rs)
{
    for (int c = 0; c <= f->cols; c++) {
        if (vga_page_dirty(s, (ma_to_offset(s, ma + c, rs) * 4) >> VGA_PAGE_SHIFT)) {
            return true;
        }
    }
    return false;
}

static bool line_has(const VGAFrame *f, uint32_t ma, uint32_t addr)
{
    return ((addr - ma) & 0xffff) < (uint32_t)f->cols;
}

/* True if a character of this line has the blink attribute (bit 7). */
static bool line_blinks(VGAState *s, const VGAFrame *f, uint32_t ma, int rs)
{
    for (int c = 0; c <= f->cols; c++) {
        if (cell(s, ma_to_offset(s, ma + c, rs))[1] & 0x80) {
            return true;
        }
    }
    return false;
}

/*
 * Text-mode reasons for a full redraw (a font written), and for redrawing
 * the cursor's lines or the lines holding blinking characters (a phase
 * change: only those lines look different, so a screen without blinking
 * text costs nothing when the blink phase turns).
 */
static bool text_changes(VGAState *s, const VGAFrame *f, bool *cursor_changed,
                         bool *blink_changed)
{
    bool full = false;
    int cphase = f->cursor_on, bphase = f->blink_on;

    /* A font change means every line. */
    for (int i = 0; i < 2; i++) {
        if (vga_range_dirty(s, (uint64_t)f->font[i] * 4, 0x2000 * 4)) {
            full = true;
        }
    }
    *blink_changed = (s->ar[AR_MODE] & 0x08) && bphase != s->blink_phase;
    *cursor_changed = cphase != s->cursor_phase || f->cursor != s->last_cursor;
    return full;
}

/* Draws one scan line, shifted left by pan dots (one more clock fetched). */
static void draw_line(VGAState *s, const VGAFrame *f, uint32_t ma, int rs, int pan,
                      uint32_t *dst)
{
    uint32_t tmp[(256 + 1) * 9 * 2];
    uint32_t *out = pan ? tmp : dst;
    int cols = f->cols + (pan ? 1 : 0);

    if (f->blank) {
        memset(dst, 0, (size_t)f->width * 4);
        return;
    }
    if (f->kind == VGA_TEXT) {
        draw_text_line(s, f, ma, rs, cols, out);
    } else {
        draw_gfx_line(s, f, ma, rs, cols, out);
    }
    if (pan) {
        memcpy(dst, tmp + pan, (size_t)f->width * 4);
    }
}

/* Why lines are redrawn this frame. */
typedef struct RenderWhy {
    bool full;             /* every line */
    bool cursor;           /* the cursor moved or blinked: its old and new rows */
    bool blink;            /* the blink phase turned: rows with blinking characters */
    int force_y0, force_y1;  /* these lines too (scrolled in), exclusive end */
    bool moved;            /* the surface was scrolled: report all of it once */
} RenderWhy;

static void render_lines(VGAState *s, const VGAFrame *f, const RenderWhy *why)
{
    DisplaySurface *surf = console_surface(s->con);
    uint32_t ma = f->start;
    int rs = f->preset, y0 = -1;
    bool split = false;

    for (int y = 0; y <= f->height; y++) {
        bool draw = false;
        if (y < f->height) {
            draw = why->full || (y >= why->force_y0 && y < why->force_y1) ||
                   line_dirty(s, f, ma, rs) ||
                   (why->cursor && (line_has(f, ma, f->cursor) ||
                                    line_has(f, ma, s->last_cursor))) ||
                   (why->blink && line_blinks(s, f, ma, rs));
            if (draw) {
                uint32_t *dst = surface_row(surf, y);
                draw_line(s, f, ma, rs, split ? 0 : f->pan, dst);
            }
            if (!f->double_scan || (y & 1)) {
                if (rs >= f->msl) {
                    rs = 0;
                    ma += f->stride;
                } else {
                    rs++;
                }
            }
            /* Split screen: the line after the line compare value starts
             * again at address 0 (IBM VGA Technical Reference, CR18). */
            if (y == f->line_compare) {
                ma = 0;
                rs = 0;
                split = f->pan_reset;
            }
        }
        if (draw && y0 < 0) {
            y0 = y;
        } else if (!draw && y0 >= 0) {
            if (!why->moved) {
                console_mark_dirty(s->con, 0, y0, f->width, y - y0);
            }
            y0 = -1;
        }
    }
    if (why->moved) {
        console_mark_dirty(s->con, 0, 0, f->width, f->height);
    }
}

/*
 * Hardware scrolling (Linux's vgacon scrolls by moving the CRTC start
 * address): if the start address is the only display register that
 * changed, by whole character rows, in a text mode without a visible split
 * screen or scan doubling, the picture is the previous one moved by that
 * many cell heights. Returns the scan lines it moved up (> 0) or down
 * (< 0), or 0 when the frame must be drawn in full.
 */
static int text_scroll_lines(const VGADisplayRegs *old, const VGADisplayRegs *cur,
                             const VGAFrame *f)
{
    VGADisplayRegs tmp = *old;
    int delta, lines;

    tmp.cr[CR_START_HI] = cur->cr[CR_START_HI];
    tmp.cr[CR_START_LO] = cur->cr[CR_START_LO];
    if (f->kind != VGA_TEXT || f->double_scan || f->line_compare < f->height - 1 ||
        f->stride == 0 || memcmp(&tmp, cur, sizeof(tmp)) != 0) {
        return 0;
    }
    delta = ((cur->cr[CR_START_HI] << 8) | cur->cr[CR_START_LO]) -
            ((old->cr[CR_START_HI] << 8) | old->cr[CR_START_LO]);
    if (delta % (int)f->stride) {
        return 0;
    }
    lines = delta / (int)f->stride * (f->msl + 1);
    return lines > -f->height && lines < f->height ? lines : 0;
}

/* Moves the surface's lines up by lines (down if negative); the lines
 * left behind are set in why to be drawn. */
static void scroll_surface(VGAState *s, const VGAFrame *f, int lines, RenderWhy *why)
{
    DisplaySurface *surf = console_surface(s->con);
    size_t keep = (size_t)(f->height - abs(lines)) * surf->stride;

    if (lines > 0) {
        memmove(surface_row(surf, 0), surface_row(surf, lines), keep);
        why->force_y0 = f->height - lines;
        why->force_y1 = f->height;
    } else {
        memmove(surface_row(surf, -lines), surface_row(surf, 0), keep);
        why->force_y0 = 0;
        why->force_y1 = -lines;
    }
    why->moved = true;
}

void vga_render_display(VGAState *s)
{
    VGAFrame f;
    DisplaySurface *surf;
    VGADisplayRegs old = s->last;
    bool forced = s->full_redraw;
    RenderWhy why = { 0 };
    int scroll = 0;

    why.full = vga_display_regs_changed(s);
    frame_setup(s, &f, clock_get_ns());
    surf = console_surface(s->con);
    if (surf->width != f.width || surf->height != f.height) {
        console_resize(s->con, f.width, f.height);
        surf = console_surface(s->con);
        forced = why.full = true;
    }
    g_assert(surf->width == f.width && surf->height == f.height);
    if (why.full && !forced) {
        scroll = text_scroll_lines(&old, &s->last, &f);
    }
    if (f.kind == VGA_TEXT) {
        bool font = text_changes(s, &f, &why.cursor, &why.blink);
        if (scroll && !font) {
            scroll_surface(s, &f, scroll, &why);
            why.full = false;
        }
        why.full |= font;
    }
    render_lines(s, &f, &why);
    s->cursor_phase = f.cursor_on;
    s->blink_phase = f.blink_on;
    s->last_cursor = f.cursor;
}

bool vga_text_snapshot(VGAState *s, GString *out)
{
    VGAFrame f;
    int rows;

    if (vbe_enabled(s) || (s->gr[GR_MISC] & 1)) {
        return false;
    }
    frame_setup(s, &f, 0);
    rows = f.height / ((f.msl + 1) * (f.double_scan ? 2 : 1));
    for (int r = 0; r < rows; r++) {
        gsize begin = out->len;
        for (int c = 0; c < f.cols; c++) {
            uint8_t ch = cell(s, ma_to_offset(s, f.start + r * f.stride + c, 0))[0];
            g_string_append_c(out, ch == 0 ? ' ' : (ch >= 0x20 && ch < 0x7f) ? ch : '.');
        }
        while (out->len > begin && out->str[out->len - 1] == ' ') {
            g_string_truncate(out, out->len - 1);
        }
        g_string_append_c(out, '\n');
    }
    return true;
}
