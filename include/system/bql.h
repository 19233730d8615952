/*
 * bql.h: the big lock. Device state, the bus maps, timers and the
 * character devices are guarded by this one lock. The main loop holds it
 * while it dispatches; a vCPU thread runs guest code without it and takes
 * it when it leaves guest code for I/O or an interrupt controller.
 */
#ifndef SYSTEM_BQL_H
#define SYSTEM_BQL_H

#include "vireo/common.h"

void bql_lock(void);
void bql_unlock(void);
/* True when the calling thread holds the BQL. */
bool bql_locked(void);
/* Waits on cond, releasing the BQL meanwhile (it is held on return). */
void bql_cond_wait(GCond *cond);
/* As bql_cond_wait, giving up at the monotonic time end_us. */
void bql_cond_wait_until(GCond *cond, gint64 end_us);

#endif
