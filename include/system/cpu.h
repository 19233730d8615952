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
    GArray *breakpoints;    /* CPUBreakpoint: debugger break/watchpoints */
    bool singlestep;        /* the debugger single-steps this vCPU */
    void *arch;             /* the X86CPU this is part of */
} CPUState;

/* Debugger breakpoint kinds (the GDB remote protocol's Z types). */
enum {
    BP_SW = 0,          /* software breakpoint at a pc */
    BP_HW = 1,          /* hardware breakpoint at a pc */
    BP_WATCH_WRITE = 2,
    BP_WATCH_READ = 3,
    BP_WATCH_ACCESS = 4,
};

typedef struct CPUBreakpoint {
    int type;
    uint64_t addr;      /* guest-virtual */
    uint64_t len;       /* watchpoints: bytes watched */
} CPUBreakpoint;

/*
 * Adds a debugger breakpoint and tells the accelerator: 0, or -1 if the
 * accelerator cannot do this kind (the list is left unchanged). BQL held.
 */
int cpu_breakpoint_insert(CPUState *cs, int type, uint64_t addr, uint64_t len);
/* Removes one: 0, or -1 if there was none like it. BQL held. */
int cpu_breakpoint_remove(CPUState *cs, int type, uint64_t addr, uint64_t len);
/* Removes every debugger breakpoint (detach). BQL held. */
void cpu_breakpoint_remove_all(CPUState *cs);
/* True when a pc breakpoint is set at addr (TCG checks this as it translates). */
bool cpu_breakpoint_at(CPUState *cs, uint64_t addr);
/* True when a watchpoint (BP_WATCH_*) is set. */
bool cpu_has_watchpoints(CPUState *cs);
/* The watchpoint of kind matching an access of size bytes at addr, if any
 * (is_write: a write; otherwise a read). */
bool cpu_watchpoint_hit(CPUState *cs, uint64_t addr, uint64_t size, bool is_write);
/* True when [addr, addr + len) overlaps any watchpoint. */
bool cpu_watchpoint_on(CPUState *cs, uint64_t addr, uint64_t len);
/* Turns single-stepping on or off (through the accelerator). */
void cpu_set_single_step(CPUState *cs, bool on);

/* Called with the BQL when a vCPU stops for the debugger (breakpoint,
 * watchpoint, single step). The gdbstub installs one. */
void cpus_set_debug_handler(void (*fn)(CPUState *cs));

/* Sets bits of interrupt_request and kicks the vCPU. Any thread. */
void cpu_interrupt(CPUState *cs, int mask);
/* Clears bits of interrupt_request. */
void cpu_reset_interrupt(CPUState *cs, int mask);
/* Makes the vCPU return to its loop soon (AccelOps.vcpu_kick). Any thread. */
void cpu_kick(CPUState *cs);

#endif
