/*
 * display.c: picks the UI front end by name (see ui/display.h). "none"
 * shows nothing: the device renders only when asked (screendump, text
 * snapshot), so a headless run costs no rendering. "sdl" is ui/sdl.c.
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "ui/display.h"

typedef enum UiKind { UI_NONE, UI_SDL } UiKind;

static UiKind ui_kind = UI_NONE;

int ui_display_init(const char *type, DisplayConsole *con, GError **errp)
{
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
