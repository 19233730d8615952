/*
 * display.c: picks the UI front end by name (see ui/display.h). "none"
 * shows nothing: the device renders only when asked (screendump, text
 * snapshot), so a headless run costs no rendering. "sdl" is ui/sdl.c.
 * The monitor's "info display" shows the console's frame counters.
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "system/monitor.h"
#include "ui/display.h"

typedef enum UiKind { UI_NONE, UI_SDL } UiKind;

static UiKind ui_kind = UI_NONE;

/* "info display": what shows the console, its size, and the counters. */
static void info_display(Monitor *mon, void *opaque)
{
    DisplayConsole *con = opaque;
    DisplaySurface *surf = console_surface(con);
    ConsoleStats st;

    console_get_stats(con, &st);
    monitor_printf(mon, "front end: %s, surface %dx%d\n", ui_kind == UI_SDL ? "sdl" : "none",
                   surf->width, surf->height);
    monitor_printf(mon, "refreshes %" PRIu64 " frames %" PRIu64 " rects %" PRIu64
                   " pixels %" PRIu64 " presents %" PRIu64 "\n", st.refreshes, st.frames,
                   st.rects, st.pixels, sdl_display_presents());
}

int ui_display_init(const char *type, DisplayConsole *con, GError **errp)
{
    monitor_register_info("display", "the display: front end, surface size, frame counters",
                          info_display, con);
    if (!type || !strcmp(type, "none")) {
        ui_kind = UI_NONE;
        return 0;
    }
    if (!strcmp(type, "sdl")) {
        if (sdl_display_init(con, errp) < 0) {
            return -1;
        }
        ui_kind = UI_SDL;
        return 0;
    }
    error_setg(errp, "-display %s: unknown display type (sdl, none)", type);
    return -1;
}

void ui_display_refresh(void)
{
    if (ui_kind == UI_SDL) {
        sdl_display_refresh();
    }
}

int ui_display_refresh_ms(void)
{
    return ui_kind == UI_SDL ? UI_REFRESH_MS : 0;
}

void ui_display_cleanup(void)
{
    if (ui_kind == UI_SDL) {
        sdl_display_cleanup();
    }
    ui_kind = UI_NONE;
}
