/*
 * clock.c: the virtual clock and its timers (see hw/clock.h). Timers are
 * kept in a list sorted by expiry; the main loop asks for the deadline,
 * sleeps until then, and runs what expired. The list has its own mutex so
 * timer_mod works from vCPU threads, but callbacks run on the main loop
 * with the BQL held.
 */
#include "vireo/common.h"
#include "hw/clock.h"

#include <time.h>

struct Timer {
    TimerCb cb;
    void *opaque;
    int64_t expire;
    bool pending;
};

static GMutex timer_lock;
static GList *timer_list;            /* Timer *, sorted by expire */
static void (*timer_notify)(void);
static int64_t (*clock_source)(void);

static int64_t clock_base_host;      /* host ns at virtual 0 */
static int64_t clock_stopped_at = -1;/* virtual ns while stopped, else -1 */
static bool clock_inited;

int64_t clock_host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static void clock_init_once(void)
{
    if (!clock_inited) {
        clock_inited = true;
        clock_base_host = clock_host_ns();
    }
}

int64_t clock_get_ns(void)
{
    if (clock_source) {
        return clock_source();
    }
    clock_init_once();
    if (clock_stopped_at >= 0) {
        return clock_stopped_at;
    }
    return clock_host_ns() - clock_base_host;
}

void clock_stop(void)
{
    if (clock_stopped_at < 0) {
        clock_stopped_at = clock_get_ns();
    }
}

void clock_start(void)
{
    if (clock_stopped_at >= 0) {
        clock_init_once();
        clock_base_host = clock_host_ns() - clock_stopped_at;
        clock_stopped_at = -1;
    }
}

void clock_set_source(int64_t (*source)(void))
{
    clock_source = source;
}

Timer *timer_new(TimerCb cb, void *opaque)
{
    Timer *t = g_new0(Timer, 1);
    t->cb = cb;
    t->opaque = opaque;
    return t;
}

void timer_free(Timer *t)
{
    if (t) {
        timer_del(t);
        g_free(t);
    }
}

static gint timer_cmp(gconstpointer a, gconstpointer b)
{
    const Timer *ta = a, *tb = b;
    return ta->expire < tb->expire ? -1 : ta->expire > tb->expire;
}

void timer_mod(Timer *t, int64_t expire_ns)
{
    bool first;
    g_mutex_lock(&timer_lock);
    if (t->pending) {
        timer_list = g_list_remove(timer_list, t);
    }
    t->expire = expire_ns;
    t->pending = true;
    timer_list = g_list_insert_sorted(timer_list, t, timer_cmp);
    first = timer_list->data == t;
    g_mutex_unlock(&timer_lock);
    if (first && timer_notify) {
        timer_notify();
    }
}

void timer_del(Timer *t)
{
    g_mutex_lock(&timer_lock);
    if (t->pending) {
        timer_list = g_list_remove(timer_list, t);
        t->pending = false;
    }
    g_mutex_unlock(&timer_lock);
}

bool timer_pending(Timer *t)
{
    return t->pending;
}

int64_t timer_expire_time(Timer *t)
{
    return t->expire;
}

int64_t timers_deadline_ns(void)
{
    int64_t d = -1;
    g_mutex_lock(&timer_lock);
    if (timer_list) {
        Timer *t = timer_list->data;
        d = MAX(0, t->expire - clock_get_ns());
    }
    g_mutex_unlock(&timer_lock);
    return d;
}

int timers_run_expired(void)
{
    int ran = 0;
    int64_t now = clock_get_ns();

    for (;;) {
        Timer *t = NULL;
        g_mutex_lock(&timer_lock);
        if (timer_list && ((Timer *)timer_list->data)->expire <= now) {
            t = timer_list->data;
            timer_list = g_list_delete_link(timer_list, timer_list);
            t->pending = false;
        }
        g_mutex_unlock(&timer_lock);
        if (!t) {
            break;
        }
        t->cb(t->opaque);
        ran++;
    }
    return ran;
}

void timers_set_notify(void (*notify)(void))
{
    timer_notify = notify;
}
