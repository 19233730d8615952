/*
 * display.h: the UI front ends and host input. main() picks a front end
 * by name (-display sdl|none) with ui_display_init; the main loop then
 * calls ui_display_refresh every ui_display_refresh_ms milliseconds (on
 * the main thread, BQL held). Host keys arrive as USB HID usages (which
 * is what SDL scancodes are), are translated to PS/2 scan code set 2
 * here, and are handed to the input handler the board installed with
 * ui_input_set_handler (its i8042).
 */
#ifndef UI_DISPLAY_H
#define UI_DISPLAY_H

#include "vireo/common.h"
#include "ui/console.h"

/*
 * The board's input callbacks, shaped like the i8042's input API so the
 * board can forward them unchanged. key: a set-2 code without prefixes
 * (extended: it takes the E0 prefix), down or up; Pause, which has no
 * E0 form, arrives as six calls that make up its set-2 sequence
 * E1 14 77 E1 F0 14 F0 77 (0xE1 passed as a code, down). mouse: relative
 * motion in PS/2 terms (dx right, dy up) and the buttons held, bit 0
 * left, 1 right, 2 middle. Either may be NULL.
 */
typedef struct UiInputOps {
    void (*key)(void *opaque, int set2_code, bool down, bool extended);
    void (*mouse)(void *opaque, int dx, int dy, int buttons);
} UiInputOps;

/* What ui_hid_to_set2 answers for Pause (not a key code: see above). */
#define UI_SET2_PAUSE 0x1e1

/* Default refresh period of a window front end. */
#define UI_REFRESH_MS 16

/* Set-2 code for HID usage (keyboard page 7), *extended set; 0 if none. */
int ui_hid_to_set2(unsigned usage, bool *extended);

/*
 * Translates a host key (HID usage) and hands it to ops->key: most keys
 * are one call, PrintScreen two (E0 12 E0 7C), Pause six on press and
 * none on release. Returns false for a key with no PS/2 code.
 */
bool ui_key_event(const UiInputOps *ops, void *opaque, unsigned usage, bool down);

/* The bytes a set-2 keyboard sends for a key event: count (0-8). */
int ui_set2_bytes(int code, bool down, bool extended, uint8_t out[8]);

/* Installs the board's input handler (NULL ops: host input is dropped). */
void ui_input_set_handler(const UiInputOps *ops, void *opaque);

/* Front ends: a host key (HID usage) or mouse event to the handler. */
void ui_input_key(unsigned usage, bool down);
void ui_input_mouse(int dx, int dy, int buttons);

/*
 * Starts front end type ("sdl" or "none") showing con: 0, or -1 with
 * errp set (unknown type, SDL not built in, no display to open). Also
 * registers the monitor's "info display" (front end, surface, counters).
 */
int ui_display_init(const char *type, DisplayConsole *con, GError **errp) VIREO_WUR;

/* Front-end work for one frame: host events, rendering, presenting. */
void ui_display_refresh(void);

/* How often ui_display_refresh wants to run: ms, or 0 for never. */
int ui_display_refresh_ms(void);

/* Closes the front end (the window). */
void ui_display_cleanup(void);

/* The SDL front end (ui/sdl.c); the same contracts as above. */
int sdl_display_init(DisplayConsole *con, GError **errp) VIREO_WUR;
void sdl_display_refresh(void);
void sdl_display_cleanup(void);
/* How many times the window was presented since it opened (0 without one). */
uint64_t sdl_display_presents(void);

#endif
