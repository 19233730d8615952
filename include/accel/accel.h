/*
 * accel.h: the accelerator interface. Exactly one accelerator is chosen
 * at startup (-accel tcg|kvm). Everything else (board, devices, display,
 * debugger) is shared and talks to the CPU only through X86CPUState and
 * these hooks.
 */
#ifndef ACCEL_ACCEL_H
#define ACCEL_ACCEL_H

#include "vireo/common.h"
#include "system/cpu.h"

struct Machine;

/* Why vcpu_run returned to the vCPU loop. */
typedef enum AccelExit {
    ACCEL_EXIT_NONE,       /* kicked, or a request to look at */
    ACCEL_EXIT_HALT,       /* the guest executed HLT with no interrupt pending */
    ACCEL_EXIT_DEBUG,      /* breakpoint, watchpoint or single step hit */
    ACCEL_EXIT_SHUTDOWN,   /* triple fault or fatal state: reset requested */
    ACCEL_EXIT_ERROR,      /* the accelerator failed; message already logged */
} AccelExit;

typedef struct AccelOps {
    const char *name;
    /* Sets up the accelerator for the machine: 0, or -1 with errp set. */
    int (*init)(struct Machine *m, const char *opts, GError **errp);
    /* Per-vCPU set-up on its own thread: 0, or -1 with errp set. */
    int (*vcpu_init)(CPUState *cs, GError **errp);
    /* Runs guest code until something needs the loop. Called without the BQL. */
    AccelExit (*vcpu_run)(CPUState *cs);
    /* Makes vcpu_run return soon. Any thread. */
    void (*vcpu_kick)(CPUState *cs);
    /* Copies the accelerator's vCPU state into X86CPUState (no-op for TCG). */
    void (*sync_state_to_env)(CPUState *cs);
    /* Copies X86CPUState back into the accelerator before it runs again. */
    void (*sync_env_to_vcpu)(CPUState *cs);
    /* Debugging: 0, or -1 if unsupported. type: 0 sw bp, 1 hw bp, 2-4 watch. */
    int (*insert_breakpoint)(CPUState *cs, int type, uint64_t addr, uint64_t len);
    int (*remove_breakpoint)(CPUState *cs, int type, uint64_t addr, uint64_t len);
    void (*set_single_step)(CPUState *cs, bool on);
    void (*cleanup)(struct Machine *m);
    /* Optional (NULL: no dirty log). Fills bitmap with the 4 KiB pages of
     * the RAM region [base, base+size) the guest wrote since the last call
     * (page i is bit i % 64 of bitmap[i / 64]); the first call starts the
     * log and reports every page. 0, or -1 if the log cannot be read (the
     * caller then finds changes another way). BQL held. */
    int (*dirty_log_sync)(struct Machine *m, uint64_t base, uint64_t size, uint64_t *bitmap);
} AccelOps;

/* Finds an accelerator by name: its ops, or NULL with errp set. */
const AccelOps *accel_find(const char *name, GError **errp);

extern const AccelOps kvm_accel_ops;
extern const AccelOps tcg_accel_ops;

#endif
