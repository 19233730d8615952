/*
 * main-loop.h: the main thread's loop (system/main-loop.c). It holds the
 * BQL except while it sleeps in poll, dispatches glib sources (character
 * devices, sockets, signals) and runs expired timers.
 */
#ifndef SYSTEM_MAIN_LOOP_H
#define SYSTEM_MAIN_LOOP_H

#include "vireo/common.h"

/* Sets up the loop on glib's default context. Call once, before use. */
void main_loop_init(void);

/* Sleeps until an event or the next timer, dispatches it. BQL held. */
void main_loop_wait(void);

#endif
