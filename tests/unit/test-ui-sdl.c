/*
 * test-ui-sdl.c: the SDL window front end (ui/sdl.c). It needs a display:
 * without one (no $DISPLAY, no Xvfb) it exits 77. tests/check-sdl.sh runs
 * it under xvfb-run where Xvfb is installed; SDL_VIDEODRIVER=dummy also
 * works. Host events are injected with SDL_PushEvent and must come out as
 * PS/2 key and mouse callbacks, grab toggles and a quit request.
 */
#include "vireo/common.h"

#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <cmocka.h>

#include "system/runstate.h"
#include "ui/console.h"
#include "ui/display.h"

#ifdef CONFIG_SDL
#include <SDL.h>

typedef struct Input {
    int keys, last_code, mouse_calls, dx, dy, buttons;
    bool last_down, last_ext;
} Input;

static void on_key(void *opaque, int code, bool down, bool ext)
{
    Input *in = opaque;
    in->keys++;
    in->last_code = code;
    in->last_down = down;
    in->last_ext = ext;
}

static void on_mouse(void *opaque, int dx, int dy, int buttons)
{
    Input *in = opaque;
    in->mouse_calls++;
    in->dx += dx;
    in->dy += dy;
    in->buttons = buttons;
}

static const UiInputOps input_ops = { on_key, on_mouse };

static void push_key(SDL_Scancode sc, bool down, Uint16 mod)
{
    SDL_Event ev = { 0 };
    ev.type = down ? SDL_KEYDOWN : SDL_KEYUP;
    ev.key.state = down ? SDL_PRESSED : SDL_RELEASED;
    ev.key.keysym.scancode = sc;
    ev.key.keysym.mod = mod;
    SDL_PushEvent(&ev);
}

static int init_sdl(DisplayConsole *con, Input *in)
{
    GError *err = NULL;
    int ret;

    ui_input_set_handler(&input_ops, in);
    ret = ui_display_init("sdl", con, &err);
    if (ret < 0) {
        print_error("%s\n", err->message);
        g_error_free(err);
    }
    return ret;
}

static SDL_Window *the_window(void)
{
    for (Uint32 id = 0; id < 16; id++) {
        SDL_Window *w = SDL_GetWindowFromID(id);
        if (w) {
            return w;
        }
    }
    return NULL;
}

static void test_window_follows_surface_size_and_shows_it(void **state)
{
    DisplayConsole *con = console_new();
    Input in = { 0 };
    int w, h;

    assert_int_equal(init_sdl(con, &in), 0);
    assert_int_equal(ui_display_refresh_ms(), UI_REFRESH_MS);
    SDL_Window *win = the_window();
    assert_non_null(win);
    assert_non_null(strstr(SDL_GetWindowTitle(win), "vireo"));
    console_resize(con, 320, 240);
    DisplaySurface *s = console_surface(con);
    for (int y = 0; y < 240; y++) {
        for (int x = 0; x < 320; x++) {
            surface_row(s, y)[x] = 0x00ff00;
        }
    }
    console_mark_dirty(con, 0, 0, 320, 240);
    ui_display_refresh();
    SDL_GetWindowSize(win, &w, &h);
    assert_int_equal(w, 640);                  /* small modes are shown twice as big */
    assert_int_equal(h, 480);
    console_resize(con, 720, 400);
    ui_display_refresh();
    SDL_GetWindowSize(win, &w, &h);
    assert_int_equal(w, 720);
    assert_int_equal(h, 400);
    console_resize(con, 320, 240);
    s = console_surface(con);
    for (int y = 0; y < 240; y++) {
        for (int x = 0; x < 320; x++) {
            surface_row(s, y)[x] = 0x00ff00;
        }
    }
    /* the texture shows the surface: draw once more and read it back */
    SDL_Renderer *ren = SDL_GetRenderer(win);
    Uint32 px = 0;
    SDL_Rect r = { 10, 10, 1, 1 };
    SDL_RenderClear(ren);
    console_mark_dirty(con, 0, 0, 320, 240);
    ui_display_refresh();
    if (SDL_RenderReadPixels(ren, &r, SDL_PIXELFORMAT_RGB888, &px, 4) == 0) {
        assert_int_equal(px & 0xffffff, 0x00ff00);
    }
    ui_display_cleanup();
    console_free(con);
}

static void test_keys_reach_the_callback_as_set2(void **state)
{
    DisplayConsole *con = console_new();
    Input in = { 0 };

    assert_int_equal(init_sdl(con, &in), 0);
    push_key(SDL_SCANCODE_A, true, 0);
    ui_display_refresh();
    assert_int_equal(in.keys, 1);
    assert_int_equal(in.last_code, 0x1c);
    assert_true(in.last_down);
    push_key(SDL_SCANCODE_A, true, 0);         /* typematic repeat */
    push_key(SDL_SCANCODE_A, false, 0);
    ui_display_refresh();
    assert_int_equal(in.keys, 3);
    assert_false(in.last_down);
    push_key(SDL_SCANCODE_RIGHT, true, 0);
    ui_display_refresh();
    assert_int_equal(in.last_code, 0x74);
    assert_true(in.last_ext);
    push_key(SDL_SCANCODE_Z, false, 0);        /* release of a key never pressed */
    ui_display_refresh();
    assert_int_equal(in.keys, 4);
    ui_display_cleanup();
    console_free(con);
}

static void test_ctrl_alt_g_grabs_mouse_moves_while_grabbed_ctrl_alt_f_full_screen(void **state)
{
    DisplayConsole *con = console_new();
    Input in = { 0 };
    SDL_Event ev = { 0 };

    assert_int_equal(init_sdl(con, &in), 0);
    SDL_Window *win = the_window();
    ev.type = SDL_MOUSEMOTION;
    ev.motion.xrel = 5;
    ev.motion.yrel = -3;
    SDL_PushEvent(&ev);
    ui_display_refresh();
    assert_int_equal(in.mouse_calls, 0);       /* not grabbed yet */
    push_key(SDL_SCANCODE_G, true, KMOD_LCTRL | KMOD_LALT);
    push_key(SDL_SCANCODE_G, false, KMOD_LCTRL | KMOD_LALT);
    ui_display_refresh();
    assert_int_equal(in.keys, 0);              /* the G is not the guest's */
    assert_non_null(strstr(SDL_GetWindowTitle(win), "releases"));
    SDL_PushEvent(&ev);
    ev.type = SDL_MOUSEBUTTONDOWN;
    ev.button.button = SDL_BUTTON_RIGHT;
    SDL_PushEvent(&ev);
    ui_display_refresh();
    assert_int_equal(in.dx, 5);
    assert_int_equal(in.dy, 3);                /* screen up is PS/2 +y */
    assert_int_equal(in.buttons, 2);
    push_key(SDL_SCANCODE_G, true, KMOD_LCTRL | KMOD_LALT);
    ui_display_refresh();
    assert_non_null(strstr(SDL_GetWindowTitle(win), "grabs"));
    /* Ctrl-Alt-F: full screen, and the F is not the guest's either */
    push_key(SDL_SCANCODE_F, true, KMOD_LCTRL | KMOD_LALT);
    push_key(SDL_SCANCODE_F, false, KMOD_LCTRL | KMOD_LALT);
    ui_display_refresh();
    assert_int_equal(in.keys, 0);
    assert_true(SDL_GetWindowFlags(win) & SDL_WINDOW_FULLSCREEN);
    ui_display_cleanup();
    console_free(con);
}

static void test_closing_the_window_asks_to_quit(void **state)
{
    DisplayConsole *con = console_new();
    SDL_Event ev = { 0 };

    assert_int_equal(init_sdl(con, NULL), 0);
    assert_int_equal(runstate_shutdown_requested(), SHUTDOWN_NONE);
    ev.type = SDL_QUIT;
    SDL_PushEvent(&ev);
    ui_display_refresh();
    assert_int_equal(runstate_shutdown_requested(), SHUTDOWN_HOST_QUIT);
    ui_display_cleanup();
    console_free(con);
}

#ifdef CONFIG_SANITIZERS
/*
 * SDL's video drivers dlopen graphics libraries that keep allocations
 * until exit and are unloaded by then, so LeakSanitizer reports them from
 * "<unknown module>" where no suppression can name them: leak checking is
 * off in this one test binary (AddressSanitizer itself stays on).
 */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
    return "detect_leaks=0";
}
#endif

/* A failed test leaves its window open; close it for the next one. */
static int close_window(void **state)
{
    ui_display_cleanup();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_window_follows_surface_size_and_shows_it, close_window),
        cmocka_unit_test_teardown(test_keys_reach_the_callback_as_set2, close_window),
        cmocka_unit_test_teardown(test_ctrl_alt_g_grabs_mouse_moves_while_grabbed_ctrl_alt_f_full_screen, close_window),
        cmocka_unit_test_teardown(test_closing_the_window_asks_to_quit, close_window),
    };

    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) < 0) {
        printf("no display: skipped (%s)\n", SDL_GetError());
        return 77;
    }
    /* SDL's invisible fallback drivers count only when asked for. */
    const char *drv = SDL_GetCurrentVideoDriver();
    bool fallback = drv && (!strcmp(drv, "offscreen") || !strcmp(drv, "dummy"));
    if (fallback && !g_getenv("SDL_VIDEODRIVER")) {
        printf("no display: skipped (set SDL_VIDEODRIVER=offscreen to test without one)\n");
        return 77;
    }
    /*
     * The video subsystem stays initialised for the whole run (SDL counts
     * the inits, so each test's init and cleanup only count up and down):
     * opening and closing the X11 connection in every test made SDL say
     * "x11 not available" now and then under Xvfb.
     */
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
    return rc;
}

#else

int main(void)
{
    printf("built without SDL (libsdl2-dev): skipped\n");
    return 77;
}

#endif
