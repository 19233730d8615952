/*
 * cpus.h: starting, pausing and ending the vCPU threads (system/cpus.c).
 */
#ifndef SYSTEM_CPUS_H
#define SYSTEM_CPUS_H

#include "system/machine.h"

/* Starts the vCPU thread and waits until it is set up. BQL held. */
void cpus_start(Machine *m);
/* Parks the vCPU and waits until it is parked (monitor stop, gdb). BQL held. */
void cpus_pause(Machine *m);
/* Lets a paused vCPU run again. BQL held. */
void cpus_resume(Machine *m);
/* After a shutdown request: waits for the vCPU thread to end. BQL not held. */
void cpus_join(Machine *m);

/* Pauses a running VM: vCPU parked, virtual clock stopped, STOP event. */
void vm_stop(Machine *m);
/* Resumes a paused VM (RESUME event). */
void vm_cont(Machine *m);

#endif
