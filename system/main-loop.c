/*
 * main-loop.c: the main thread's loop (see system/main-loop.h). glib's
 * default context does the fd bookkeeping; our poll function drops the
 * BQL while sleeping and sleeps no longer than the next virtual timer,
 * with nanosecond precision (ppoll), since guest timers are finer than
 * glib's milliseconds.
 */
#include "vireo/common.h"
#include "hw/clock.h"
#include "system/bql.h"
#include "system/main-loop.h"
#include "system/runstate.h"

#include <poll.h>
#include <time.h>

static gint poll_unlocked(GPollFD *fds, guint nfds, gint timeout_ms)
{
    int64_t deadline = timers_deadline_ns();
    int64_t timeout_ns = timeout_ms < 0 ? -1 : (int64_t)timeout_ms * 1000000;
    struct timespec ts, *tsp = NULL;
    gint ret;

    if (deadline >= 0 && (timeout_ns < 0 || deadline < timeout_ns)) {
        timeout_ns = deadline;
    }
    if (timeout_ns >= 0) {
        ts.tv_sec = timeout_ns / NS_PER_SEC;
        ts.tv_nsec = timeout_ns % NS_PER_SEC;
        tsp = &ts;
    }
    bql_unlock();
    ret = ppoll((struct pollfd *)fds, nfds, tsp, NULL);
    bql_lock();
    return ret;
}

static void wake_main_loop(void)
{
    g_main_context_wakeup(NULL);
}

void main_loop_init(void)
{
    g_main_context_set_poll_func(NULL, poll_unlocked);
    timers_set_notify(wake_main_loop);
    runstate_set_wakeup(wake_main_loop);
}

void main_loop_wait(void)
{
    g_main_context_iteration(NULL, true);
    timers_run_expired();
}
