/*
 * cpu.h: the accelerator-independent side of a vCPU: its thread, its
 * pending-interrupt bits, halting and pausing. The architectural state
 * lives in X86CPUState (target-x86/cpu.h); X86CPU wraps both.
 */
#ifndef SYSTEM_CPU_H
#define SYSTEM_CPU_H

#include "vireo/common.h"

struct Machine;

/* Bits of CPUState.interrupt_request. */
enum {
    CPU_INTERRUPT_HARD  = 1 << 0,  /* the INTR pin (PIC / local APIC) is asserted */
    CPU_INTERRUPT_NMI   = 1 << 1,
    CPU_INTERRUPT_INIT  = 1 << 2,
    CPU_INTERRUPT_SIPI  = 1 << 3,
    CPU_INTERRUPT_EXITTB= 1 << 4,  /* leave translated code, e.g. after a TLB flush */
    CPU_INTERRUPT_SMI   = 1 << 5,
};

typedef struct CPUState {
    int index;
    struct Machine *machine;
    GThread *thread;
    int thread_id;          /* the host thread id of the vCPU thread */
    int interrupt_request;  /* atomic; CPU_INTERRUPT_* */
    int exit_request;       /* atomic; nonzero: return to the vCPU loop now */
    bool halted;            /* HLT executed, waiting for an interrupt */
    bool stop;              /* pause requested (monitor, gdb) */
    bool stopped;           /* the vCPU thread is parked */
    bool created;
    GCond cond;             /* with the BQL: halt, pause and creation waits */
    void *accel;            /* accelerator-private state */
    void *arch;             /* the X86CPU this is part of */
} CPUState;

/* Sets bits of interrupt_request and kicks the vCPU. Any thread. */
void cpu_interrupt(CPUState *cs, int mask);
/* Clears bits of interrupt_request. */
void cpu_reset_interrupt(CPUState *cs, int mask);
/* Makes the vCPU return to its loop soon (AccelOps.vcpu_kick). Any thread. */
void cpu_kick(CPUState *cs);

#endif
