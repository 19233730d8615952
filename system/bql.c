/*
 * bql.c: the big lock (see system/bql.h).
 */
#include "vireo/common.h"
#include "system/bql.h"

static GMutex bql;
static __thread bool bql_held;

void bql_lock(void)
{
    g_assert(!bql_held);
    g_mutex_lock(&bql);
    bql_held = true;
}

void bql_unlock(void)
{
    g_assert(bql_held);
    bql_held = false;
    g_mutex_unlock(&bql);
}

bool bql_locked(void)
{
    return bql_held;
}

void bql_cond_wait(GCond *cond)
{
    g_assert(bql_held);
    bql_held = false;
    g_cond_wait(cond, &bql);
    bql_held = true;
}

void bql_cond_wait_until(GCond *cond, gint64 end_us)
{
    g_assert(bql_held);
    bql_held = false;
    g_cond_wait_until(cond, &bql, end_us);
    bql_held = true;
}
