/*
 * kvm.h: the KVM accelerator's internals that can be tested without
 * /dev/kvm: conversions between X86CPUState and the KVM register
 * structures (pure functions, accel/kvm/kvm-cpu.c), the CPUID filter, the
 * breakpoint-to-DR7 encoding, the memory-slot rule, and the I/O and MMIO
 * exit dispatch on a struct kvm_run (accel/kvm/kvm-all.c). The accelerator
 * itself is kvm_accel_ops (accel/accel.h); docs/kvm.md describes it.
 */
#ifndef ACCEL_KVM_H
#define ACCEL_KVM_H

#include "vireo/common.h"
#include <linux/kvm.h>
#include "hw/bus.h"
#include "target-x86/cpu.h"

/* Guest-physical pages the board leaves free for KVM's own use on Intel
 * hosts (docs/kvm.md): the real-mode identity page table (one page) and
 * the real-mode TSS (three pages, ending at 0xff000000). */
#define KVM_IDENTITY_MAP_ADDR 0xfeffc000ULL
#define KVM_TSS_ADDR          0xfeffd000ULL

/* The only KVM API version there has ever been (KVM API doc, 4.1). */
#define KVM_EXPECTED_API_VERSION 12

/* Up to this many MSRs are exchanged with KVM_GET/SET_MSRS. */
#define KVM_MAX_SYNC_MSRS 64

/* Hardware breakpoint and watchpoint slots (DR0-DR3). */
#define KVM_NR_HW_BREAKPOINTS 4

/* One debug-register slot: AccelOps breakpoint type (0 sw bp, 1 hw bp,
 * 2 write, 3 read, 4 access watchpoint), address, length. */
typedef struct KVMBreakpoint {
    bool used;
    int type;
    uint64_t addr;
    uint64_t len;
} KVMBreakpoint;

/* Segment cache <-> kvm_segment (DESC_* attribute bits <-> fields). */
void kvm_seg_from_cache(struct kvm_segment *ks, const SegmentCache *sc);
void kvm_seg_to_cache(SegmentCache *sc, const struct kvm_segment *ks);

/* General registers, rip and rflags (lazy flags folded in). */
void kvm_regs_from_env(struct kvm_regs *kr, const X86CPUState *env);
void kvm_regs_to_env(X86CPUState *env, const struct kvm_regs *kr);

/* Segments, descriptor tables, control registers, EFER, APIC base. In
 * virtual-8086 mode the segments are given the attributes VMX requires. */
void kvm_sregs_from_env(struct kvm_sregs *ks, const X86CPUState *env);
/* The reverse; recomputes env->hflags. */
void kvm_sregs_to_env(X86CPUState *env, const struct kvm_sregs *ks);

/* x87/MMX/SSE state in the FXSAVE layout (ST(i) in stack order, the
 * abridged tag by physical register, SDM Vol.2A FXSAVE). */
void kvm_fpu_from_env(struct kvm_fpu *kf, const X86CPUState *env);
void kvm_fpu_to_env(X86CPUState *env, const struct kvm_fpu *kf);

/* DR0-3, DR6, DR7. */
void kvm_debugregs_from_env(struct kvm_debugregs *kd, const X86CPUState *env);
void kvm_debugregs_to_env(X86CPUState *env, const struct kvm_debugregs *kd);

/*
 * The MSRs kept in X86CPUState, restricted to those in supported[]
 * (KVM_GET_MSR_INDEX_LIST; NULL means all). Fills at most max entries
 * with index and env's value; returns how many.
 */
int kvm_msrs_from_env(struct kvm_msr_entry *e, int max, const X86CPUState *env,
                      const uint32_t *supported, int nsupported);
/* Stores each entry's value in its env field; unknown indices are ignored. */
void kvm_msrs_to_env(X86CPUState *env, const struct kvm_msr_entry *e, int n);

/*
 * Pending-event state: env's interrupt shadow (HF_INHIBIT_IRQ_MASK), NMI
 * mask (HF_NMI_MASK) and in-flight exception (exception_index) go into ev;
 * an in-flight interrupt or NMI is taken from prev (the last state read
 * from KVM) unless prev is NULL. Sets ev->flags for KVM_SET_VCPU_EVENTS.
 */
void kvm_events_from_env(struct kvm_vcpu_events *ev, const X86CPUState *env,
                         const struct kvm_vcpu_events *prev);
void kvm_events_to_env(X86CPUState *env, const struct kvm_vcpu_events *ev);

/*
 * Narrows env's CPU model to what KVM supports (sup[0..nsup), from
 * KVM_GET_SUPPORTED_CPUID): feature words are intersected, maximum-leaf
 * and address-size fields take the minimum, identity fields (vendor,
 * family/model/stepping, brand) stay the model's; TSC-deadline and x2APIC
 * are removed because the APIC is emulated in user space (docs/kvm.md).
 * The APIC ID in leaf 1 is set to apic_id. Rewrites env's table in place.
 */
void kvm_cpuid_filter(X86CPUState *env, const struct kvm_cpuid_entry2 *sup, int nsup,
                      uint32_t apic_id);

/* env's CPUID table as KVM_SET_CPUID2 entries; returns the count (<= max). */
int kvm_cpuid_to_entries(struct kvm_cpuid_entry2 *out, int max, const X86CPUState *env);

/*
 * The KVM_SET_GUEST_DEBUG argument for the breakpoints in bp[] and single
 * stepping. Disabled (control 0) when neither is in use.
 */
void kvm_guest_debug_build(struct kvm_guest_debug *dbg, const KVMBreakpoint *bp,
                           int nbp, bool single_step);

/*
 * Validates one AccelOps breakpoint request: true when type/addr/len can
 * live in a debug register (exec: len 1; watch: len 1, 2, 4 or 8 and addr
 * aligned to it).
 */
bool kvm_breakpoint_valid(int type, uint64_t addr, uint64_t len);

/*
 * The memory slot for a RAM or ROM region: true with *out filled (slot
 * number left to the caller), or false when the region cannot be a slot
 * (I/O, or base/size/host not page aligned) and must go through MMIO exits.
 * A ROM region is read-only only when readonly_ok (KVM_CAP_READONLY_MEM).
 */
bool kvm_region_to_slot(const BusRegion *r, bool readonly_ok,
                        struct kvm_userspace_memory_region *out);

/*
 * Dispatches a KVM_EXIT_IO exit (all `count` repetitions of a string
 * instruction) to the port bus, or a KVM_EXIT_MMIO exit to the memory bus,
 * reading from and writing to the data area of run (run_size bytes). A
 * malformed exit is logged and ignored. BQL held. Returns 0, or -1 if the
 * exit's data lies outside the run area.
 */
int kvm_handle_io(Bus *io, struct kvm_run *run, size_t run_size);
int kvm_handle_mmio(Bus *mem, struct kvm_run *run);

/* "KVM_EXIT_IO" etc. for a kvm_run exit reason; "unknown" otherwise. */
const char *kvm_exit_reason_name(uint32_t reason);

/*
 * Opens the KVM device at path: the fd, or -1 with errp set to the one
 * line "-accel kvm: PATH: STRERROR; use -accel tcg for the software CPU".
 */
int kvm_open_device(const char *path, GError **errp);

#endif
