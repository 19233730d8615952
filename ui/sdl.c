/*
 * sdl.c: the SDL2 window front end (see ui/display.h). It listens to the
 * display console: a resize recreates the streaming texture (and sizes
 * the window to the mode), a dirty rectangle is uploaded into it, and
 * each refresh presents the texture scaled to the window. Host keys go
 * through ui/keymap.c to the board's PS/2 callbacks; the mouse is relative
 * while grabbed (a click grabs it, Ctrl-Alt-G toggles); Ctrl-Alt-F toggles
 * full screen; closing the window asks vireo to quit. SDL runs on the main thread only. Built only with
 * CONFIG_SDL; otherwise sdl_display_init says SDL is missing.
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "ui/display.h"

#ifdef CONFIG_SDL

#include <SDL.h>
#include "system/runstate.h"

typedef struct SdlDisplay {
    DisplayConsole *con;
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Texture *tex;
    bool need_present;
    bool grabbed;
    SDL_Scancode swallowed;    /* the G or F of Ctrl-Alt-G/F is not the guest's */
    int buttons;
    bool pressed[SDL_NUM_SCANCODES];
    char title[160];
    uint64_t presents;
} SdlDisplay;

static SdlDisplay *sdl;

static void sdl_update_title(SdlDisplay *d)
{
    char t[sizeof(d->title)];

    snprintf(t, sizeof(t), "vireo (%s) - %s", runstate_name(runstate_get()),
             d->grabbed ? "Ctrl-Alt-G releases the mouse" : "click or Ctrl-Alt-G grabs the mouse");
    if (strcmp(t, d->title) != 0) {
        SDL_SetWindowTitle(d->win, t);
        memcpy(d->title, t, sizeof(t));
    }
}

static void sdl_set_grab(SdlDisplay *d, bool on)
{
    d->grabbed = on;
    SDL_SetRelativeMouseMode(on ? SDL_TRUE : SDL_FALSE);
    SDL_SetWindowGrab(d->win, on ? SDL_TRUE : SDL_FALSE);
    sdl_update_title(d);
}

static void sdl_resize(void *opaque, DisplaySurface *surf)
{
    SdlDisplay *d = opaque;

    if (d->tex) {
        SDL_DestroyTexture(d->tex);
    }
    d->tex = SDL_CreateTexture(d->ren, SDL_PIXELFORMAT_RGB888, SDL_TEXTUREACCESS_STREAMING,
                               surf->width, surf->height);
    if (!(SDL_GetWindowFlags(d->win) & (SDL_WINDOW_MAXIMIZED | SDL_WINDOW_FULLSCREEN))) {
        int scale = surf->width < 640 && surf->height < 480 ? 2 : 1;   /* small modes */
        SDL_SetWindowSize(d->win, surf->width * scale, surf->height * scale);
    }
    if (d->tex) {
        SDL_UpdateTexture(d->tex, NULL, surf->data, surf->stride);
    }
    d->need_present = true;
}

static void sdl_update(void *opaque, int x, int y, int w, int h)
{
    SdlDisplay *d = opaque;
    DisplaySurface *surf = console_surface(d->con);
    SDL_Rect r = { x, y, w, h };

    if (d->tex) {
        SDL_UpdateTexture(d->tex, &r, surface_row(surf, y) + x, surf->stride);
    }
    d->need_present = true;
}

static const DisplayListenerOps sdl_listener = { sdl_resize, sdl_update };

static void sdl_release_keys(SdlDisplay *d)
{
    for (int sc = 0; sc < SDL_NUM_SCANCODES; sc++) {
        if (d->pressed[sc]) {
            d->pressed[sc] = false;
            ui_input_key(sc, false);
        }
    }
}

static void sdl_key(SdlDisplay *d, const SDL_KeyboardEvent *ev)
{
    bool down = ev->type == SDL_KEYDOWN;
    SDL_Scancode sc = ev->keysym.scancode;

    bool hotkey = (sc == SDL_SCANCODE_G || sc == SDL_SCANCODE_F) &&
                  (ev->keysym.mod & KMOD_CTRL) && (ev->keysym.mod & KMOD_ALT);

    if (hotkey && down) {
        if (!ev->repeat && sc == SDL_SCANCODE_G) {
            sdl_set_grab(d, !d->grabbed);
        } else if (!ev->repeat) {
            bool full = SDL_GetWindowFlags(d->win) & SDL_WINDOW_FULLSCREEN;
            SDL_SetWindowFullscreen(d->win, full ? 0 : SDL_WINDOW_FULLSCREEN_DESKTOP);
            d->need_present = true;
        }
        d->swallowed = sc;
        return;
    }
    if (!down && sc == d->swallowed) {
        d->swallowed = SDL_SCANCODE_UNKNOWN;
        return;
    }
    if ((unsigned)sc >= SDL_NUM_SCANCODES || (!down && !d->pressed[sc])) {
        return;
    }
    d->pressed[sc] = down;
    /* A repeated key-down is the typematic repeat of the make code. */
    ui_input_key(sc, down);
}

static void sdl_mouse_button(SdlDisplay *d, const SDL_MouseButtonEvent *ev)
{
    int bit;

    if (!d->grabbed) {
        if (ev->type == SDL_MOUSEBUTTONDOWN && ev->button == SDL_BUTTON_LEFT) {
            sdl_set_grab(d, true);
        }
        return;
    }
    switch (ev->button) {
    case SDL_BUTTON_LEFT: bit = 1; break;
    case SDL_BUTTON_RIGHT: bit = 2; break;
    case SDL_BUTTON_MIDDLE: bit = 4; break;
    default: return;
    }
    if (ev->type == SDL_MOUSEBUTTONDOWN) {
        d->buttons |= bit;
    } else {
        d->buttons &= ~bit;
    }
    ui_input_mouse(0, 0, d->buttons);
}

static void sdl_window_event(SdlDisplay *d, const SDL_WindowEvent *ev)
{
    switch (ev->event) {
    case SDL_WINDOWEVENT_FOCUS_LOST:
        sdl_release_keys(d);
        if (d->grabbed) {
            sdl_set_grab(d, false);
        }
        break;
    case SDL_WINDOWEVENT_EXPOSED:
    case SDL_WINDOWEVENT_SIZE_CHANGED:
        d->need_present = true;
        break;
    case SDL_WINDOWEVENT_CLOSE:
        runstate_request_shutdown(SHUTDOWN_HOST_QUIT, 0);
        break;
    }
}

static void sdl_handle(SdlDisplay *d, const SDL_Event *ev)
{
    switch (ev->type) {
    case SDL_QUIT:
        runstate_request_shutdown(SHUTDOWN_HOST_QUIT, 0);
        break;
    case SDL_KEYDOWN:
    case SDL_KEYUP:
        sdl_key(d, &ev->key);
        break;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
        sdl_mouse_button(d, &ev->button);
        break;
    case SDL_MOUSEMOTION:
        if (d->grabbed) {
            ui_input_mouse(ev->motion.xrel, -ev->motion.yrel, d->buttons);   /* PS/2: up is +y */
        }
        break;
    case SDL_WINDOWEVENT:
        sdl_window_event(d, &ev->window);
        break;
    }
}

/*
 * SDL falls back to an invisible "offscreen" driver when no display is
 * reachable; accept that (or "dummy") only when SDL_VIDEODRIVER asked for it.
 */
static bool sdl_real_display(void)
{
    const char *drv = SDL_GetCurrentVideoDriver();

    if (drv && (!strcmp(drv, "offscreen") || !strcmp(drv, "dummy"))) {
        return g_getenv("SDL_VIDEODRIVER") != NULL;
    }
    return true;
}

int sdl_display_init(DisplayConsole *con, GError **errp)
{
    SdlDisplay *d;
    DisplaySurface *surf = console_surface(con);

    if (sdl) {
        error_setg(errp, "-display sdl: the SDL window is already open");
        return -1;
    }
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");   /* vireo handles SIGINT itself */
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) < 0) {
        error_setg(errp, "-display sdl: cannot open a display: %s (use -display none)",
                   SDL_GetError());
        return -1;
    }
    if (!sdl_real_display()) {
        error_setg(errp, "-display sdl: no display to open ($DISPLAY or $WAYLAND_DISPLAY "
                   "not set; use -display none)");
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        return -1;
    }
    d = g_new0(SdlDisplay, 1);
    d->con = con;
    d->win = SDL_CreateWindow("vireo", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
                              surf->width, surf->height, SDL_WINDOW_RESIZABLE);
    if (d->win) {
        d->ren = SDL_CreateRenderer(d->win, -1, 0);
        if (!d->ren) {
            d->ren = SDL_CreateRenderer(d->win, -1, SDL_RENDERER_SOFTWARE);
        }
    }
    if (!d->win || !d->ren) {
        error_setg(errp, "-display sdl: cannot create the window: %s", SDL_GetError());
        if (d->win) {
            SDL_DestroyWindow(d->win);
        }
        g_free(d);
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        return -1;
    }
    sdl = d;
    console_set_listener(con, &sdl_listener, d);
    sdl_update_title(d);
    return 0;
}

void sdl_display_refresh(void)
{
    SdlDisplay *d = sdl;
    SDL_Event ev;

    if (!d) {
        return;
    }
    while (SDL_PollEvent(&ev)) {
        sdl_handle(d, &ev);
    }
    console_refresh(d->con);
    sdl_update_title(d);
    if (d->need_present) {
        SDL_RenderClear(d->ren);
        if (d->tex) {
            SDL_RenderCopy(d->ren, d->tex, NULL, NULL);
        }
        SDL_RenderPresent(d->ren);
        d->need_present = false;
        d->presents++;
    }
}

uint64_t sdl_display_presents(void)
{
    return sdl ? sdl->presents : 0;
}

void sdl_display_cleanup(void)
{
    SdlDisplay *d = sdl;

    if (!d) {
        return;
    }
    console_set_listener(d->con, NULL, NULL);
    if (d->tex) {
        SDL_DestroyTexture(d->tex);
    }
    SDL_DestroyRenderer(d->ren);
    SDL_DestroyWindow(d->win);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
    g_free(d);
    sdl = NULL;
}

#else /* !CONFIG_SDL */

int sdl_display_init(DisplayConsole *con, GError **errp)
{
    error_setg(errp, "-display sdl: this vireo was built without SDL "
               "(install libsdl2-dev and re-run ./configure)");
    return -1;
}

void sdl_display_refresh(void)
{
}

void sdl_display_cleanup(void)
{
}

uint64_t sdl_display_presents(void)
{
    return 0;
}

#endif
