/*
 * console.c: display surfaces and the console that connects a display
 * device (VGA) with a UI front end (see ui/console.h). The console keeps
 * the surface, forwards resizes and dirty rectangles to the listener, and
 * accumulates a dirty bounding box that tests can take.
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "ui/console.h"
#include "ui/png.h"

struct DisplayConsole {
    DisplaySurface *surface;
    void (*hw_update)(void *opaque);
    void *hw_opaque;
    bool (*hw_text)(void *opaque, GString *out);
    void *text_opaque;
    const DisplayListenerOps *ops;
    void *listener;
    bool dirty;
    int dx0, dy0, dx1, dy1;   /* dirty box, exclusive end */
    ConsoleStats stats;
};

static int clamp_dim(int v, int max)
{
    return v < 1 ? 1 : v > max ? max : v;
}

static void surface_alloc(DisplaySurface *surf, int w, int h)
{
    surf->width = clamp_dim(w, SURFACE_MAX_WIDTH);
    surf->height = clamp_dim(h, SURFACE_MAX_HEIGHT);
    surf->stride = surf->width * 4;
    surf->data = g_new0(uint32_t, (size_t)surf->width * surf->height);
}

DisplaySurface *display_surface_new(int w, int h)
{
    DisplaySurface *surf = g_new0(DisplaySurface, 1);
    surface_alloc(surf, w, h);
    return surf;
}

void display_surface_free(DisplaySurface *surf)
{
    if (surf) {
        g_free(surf->data);
        g_free(surf);
    }
}

void display_surface_resize(DisplaySurface *surf, int w, int h)
{
    g_free(surf->data);
    surface_alloc(surf, w, h);
}

DisplayConsole *console_new(void)
{
    DisplayConsole *con = g_new0(DisplayConsole, 1);
    con->surface = display_surface_new(640, 480);
    return con;
}

void console_free(DisplayConsole *con)
{
    if (con) {
        display_surface_free(con->surface);
        g_free(con);
    }
}

DisplayConsole *console_default(void)
{
    static DisplayConsole *def;

    if (!def) {
        def = console_new();
    }
    return def;
}

void console_set_hw(DisplayConsole *con, void (*update)(void *opaque), void *opaque)
{
    con->hw_update = update;
    con->hw_opaque = opaque;
}

void console_set_text_hw(DisplayConsole *con, bool (*text)(void *opaque, GString *out),
                         void *opaque)
{
    con->hw_text = text;
    con->text_opaque = opaque;
}

bool console_text_snapshot(DisplayConsole *con, GString *out)
{
    return con->hw_text && con->hw_text(con->text_opaque, out);
}

void console_set_listener(DisplayConsole *con, const DisplayListenerOps *ops, void *opaque)
{
    con->ops = ops;
    con->listener = opaque;
    if (ops && ops->resize) {
        ops->resize(opaque, con->surface);
    }
}

DisplaySurface *console_surface(DisplayConsole *con)
{
    return con->surface;
}

void console_resize(DisplayConsole *con, int w, int h)
{
    DisplaySurface *surf = con->surface;

    w = clamp_dim(w, SURFACE_MAX_WIDTH);
    h = clamp_dim(h, SURFACE_MAX_HEIGHT);
    if (surf->width == w && surf->height == h) {
        return;
    }
    display_surface_resize(surf, w, h);
    if (con->ops && con->ops->resize) {
        con->ops->resize(con->listener, surf);
    }
    console_mark_dirty(con, 0, 0, w, h);
}

void console_mark_dirty(DisplayConsole *con, int x, int y, int w, int h)
{
    DisplaySurface *surf = con->surface;
    int x1 = MIN(x + w, surf->width), y1 = MIN(y + h, surf->height);

    x = MAX(x, 0);
    y = MAX(y, 0);
    if (x >= x1 || y >= y1) {
        return;
    }
    con->stats.rects++;
    con->stats.pixels += (uint64_t)(x1 - x) * (y1 - y);
    if (!con->dirty) {
        con->dirty = true;
        con->dx0 = x, con->dy0 = y, con->dx1 = x1, con->dy1 = y1;
    } else {
        con->dx0 = MIN(con->dx0, x), con->dy0 = MIN(con->dy0, y);
        con->dx1 = MAX(con->dx1, x1), con->dy1 = MAX(con->dy1, y1);
    }
    if (con->ops && con->ops->update) {
        con->ops->update(con->listener, x, y, x1 - x, y1 - y);
    }
}

bool console_take_dirty(DisplayConsole *con, int *x, int *y, int *w, int *h)
{
    if (!con->dirty) {
        return false;
    }
    *x = con->dx0;
    *y = con->dy0;
    *w = con->dx1 - con->dx0;
    *h = con->dy1 - con->dy0;
    con->dirty = false;
    return true;
}

void console_refresh(DisplayConsole *con)
{
    uint64_t rects = con->stats.rects;

    con->stats.refreshes++;
    if (con->hw_update) {
        con->hw_update(con->hw_opaque);
    }
    if (con->stats.rects != rects) {
        con->stats.frames++;
    }
}

void console_get_stats(DisplayConsole *con, ConsoleStats *st)
{
    *st = con->stats;
}

int console_screendump(DisplayConsole *con, const char *path, GError **errp)
{
    console_refresh(con);
    return ui_screendump(con->surface, path, errp);
}
