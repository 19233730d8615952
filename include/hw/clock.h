/*
 * clock.h: the virtual clock and its timers. The clock reads host
 * monotonic time minus the time the VM spent stopped (or, in the
 * deterministic mode that comes with TCG, a count of guest instructions).
 * Timers fire on the main loop thread with the BQL held.
 */
#ifndef HW_CLOCK_H
#define HW_CLOCK_H

#include "vireo/common.h"

#define NS_PER_SEC 1000000000LL

typedef void (*TimerCb)(void *opaque);
typedef struct Timer Timer;

/* Virtual time in ns since the clock started; frozen while the VM is stopped. */
int64_t clock_get_ns(void);

/* Host monotonic time in ns (for host-side pacing, never guest-visible). */
int64_t clock_host_ns(void);

/* Stops / restarts the virtual clock (runstate changes). */
void clock_stop(void);
void clock_start(void);

/*
 * Replaces the time source (NULL: host time), for the instruction-count
 * mode and for unit tests that step time by hand.
 */
void clock_set_source(int64_t (*source)(void));

Timer *timer_new(TimerCb cb, void *opaque);
void timer_free(Timer *t);

/* Arms t to fire when the virtual clock reaches expire_ns. */
void timer_mod(Timer *t, int64_t expire_ns);
void timer_del(Timer *t);
bool timer_pending(Timer *t);
int64_t timer_expire_time(Timer *t);

/* ns until the earliest armed timer fires (0 if due), or -1 if none. */
int64_t timers_deadline_ns(void);

/* Runs every expired timer; returns how many ran. Main loop, BQL held. */
int timers_run_expired(void);

/* Called (from any thread) when the earliest deadline moves earlier. */
void timers_set_notify(void (*notify)(void));

#endif
