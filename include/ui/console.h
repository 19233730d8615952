/*
 * console.h: the meeting point of display devices and the UI. A device
 * (VGA) draws into a DisplaySurface (32-bit XRGB pixels) owned by a
 * DisplayConsole, and tells the console when the surface changed size and
 * which rectangles changed. A UI front end (SDL window, headless "none")
 * listens to the console and asks it to refresh at its own rate; the
 * refresh calls the device's update function, which renders only what
 * changed. Everything here runs on the main thread with the BQL held.
 */
#ifndef UI_CONSOLE_H
#define UI_CONSOLE_H

#include "vireo/common.h"

/* Largest surface a device may ask for (VGA and VBE limits are below). */
#define SURFACE_MAX_WIDTH  4800
#define SURFACE_MAX_HEIGHT 2400

/* Pixels are 0x00RRGGBB in host order; rows are stride bytes apart. */
typedef struct DisplaySurface {
    int width;
    int height;
    int stride;
    uint32_t *data;
} DisplaySurface;

/* A new black surface of w x h (clamped to 1..SURFACE_MAX_*). Never fails. */
DisplaySurface *display_surface_new(int w, int h);
void display_surface_free(DisplaySurface *surf);

/* Resizes surf to w x h (clamped as above); the pixels become black. */
void display_surface_resize(DisplaySurface *surf, int w, int h);

/* The first pixel of row y (0 <= y < height). */
static inline uint32_t *surface_row(DisplaySurface *surf, int y)
{
    return (uint32_t *)((uint8_t *)surf->data + (size_t)y * surf->stride);
}

/* What a UI front end hears from the console. Either hook may be NULL. */
typedef struct DisplayListenerOps {
    void (*resize)(void *opaque, DisplaySurface *surf);
    void (*update)(void *opaque, int x, int y, int w, int h);
} DisplayListenerOps;

typedef struct DisplayConsole DisplayConsole;

/* A console with a 640x480 black surface and no device. Never fails. */
DisplayConsole *console_new(void);
void console_free(DisplayConsole *con);

/*
 * The machine's console, shared by the board (which gives it to VGA),
 * main (which gives it to the front end) and the monitor (screendump);
 * created on first use, it lives as long as vireo. Never fails.
 */
DisplayConsole *console_default(void);

/* Device side: the function that renders into the surface on refresh. */
void console_set_hw(DisplayConsole *con, void (*update)(void *opaque), void *opaque);

/* Device side: the function that reads a text screen (see console_text_snapshot). */
void console_set_text_hw(DisplayConsole *con, bool (*text)(void *opaque, GString *out),
                         void *opaque);

/* UI side: the one listener (NULL ops: none). */
void console_set_listener(DisplayConsole *con, const DisplayListenerOps *ops, void *opaque);

/* The current surface (valid until the next console_resize). */
DisplaySurface *console_surface(DisplayConsole *con);

/* Device side: makes the surface w x h if it is not already; tells the UI. */
void console_resize(DisplayConsole *con, int w, int h);

/* Device side: the rectangle changed (clipped to the surface); tells the UI. */
void console_mark_dirty(DisplayConsole *con, int x, int y, int w, int h);

/*
 * Takes the bounding box of everything marked dirty since the last call:
 * true with the box set, or false when nothing changed (for tests).
 */
bool console_take_dirty(DisplayConsole *con, int *x, int *y, int *w, int *h);

/* UI side: lets the device render what changed (calls its update). */
void console_refresh(DisplayConsole *con);

/*
 * Appends the device's text screen to out, one line per row (for the
 * monitor and tests): true, or false in a graphics mode or with no device.
 */
bool console_text_snapshot(DisplayConsole *con, GString *out);

/*
 * What the console has seen since it was created, for the monitor's
 * "info display" and the display benchmark: refreshes asked for by the
 * front end, frames (refreshes after which some part of the surface
 * changed), the dirty rectangles reported, and their pixels.
 */
typedef struct ConsoleStats {
    uint64_t refreshes;
    uint64_t frames;
    uint64_t rects;
    uint64_t pixels;
} ConsoleStats;

/* Copies the console's counters into *st. */
void console_get_stats(DisplayConsole *con, ConsoleStats *st);

/* Refreshes, then writes the surface as a PNG: 0, or -1 with errp set. */
int console_screendump(DisplayConsole *con, const char *path, GError **errp) VIREO_WUR;

#endif
