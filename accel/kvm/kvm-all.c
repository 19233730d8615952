/*
 * kvm-all.c: the KVM accelerator (kvm_accel_ops). The host CPU runs the
 * guest through /dev/kvm; vireo keeps the whole PC in user space,
 * including the interrupt controllers, so KVM is used without an
 * in-kernel irqchip: port I/O and MMIO exits go to the same bus dispatch
 * as TCG's helpers, interrupts are injected with KVM_INTERRUPT when the
 * vCPU can take one, and HLT comes back to the vCPU loop. Register state
 * moves between KVM and X86CPUState through the pure conversions in
 * kvm-cpu.c. docs/kvm.md describes the design; the KVM API document
 * (Documentation/virt/kvm/api.rst) is the reference for every ioctl.
 */
#include "vireo/common.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "vireo/error.h"
#include "vireo/log.h"
#include "accel/accel.h"
#include "accel/kvm.h"
#include "hw/bus.h"
#include "system/bql.h"
#include "system/machine.h"
#include "system/runstate.h"
#include "target-x86/cpu.h"

/* The vCPU-kick signal: SIGRTMIN + KVM_KICK_SIGNAL_OFFSET (docs/kvm.md). */
#define KVM_KICK_SIGNAL_OFFSET 4

typedef struct KVMSlot {
    bool used;
    bool logging;           /* KVM_MEM_LOG_DIRTY_PAGES is set */
    uint64_t base;
    uint64_t size;
    struct kvm_userspace_memory_region mr;  /* as last given to KVM */
} KVMSlot;

typedef struct KVMState {
    int fd;                 /* /dev/kvm */
    int vm_fd;
    size_t run_size;        /* KVM_GET_VCPU_MMAP_SIZE */
    Machine *m;
    bool cap_readonly_mem;
    bool cap_vcpu_events;
    bool cap_debugregs;
    bool cap_guest_debug;
    bool cap_immediate_exit;
    KVMSlot *slots;
    int nslots;
    struct kvm_cpuid2 *supported_cpuid;
    int kick_signal;
} KVMState;

typedef struct KVMVcpu {
    int fd;
    struct kvm_run *run;
    pthread_t thread;
    int dirty;              /* atomic: env holds changes KVM has not seen */
    bool have_events;       /* events holds the last KVM_GET_VCPU_EVENTS */
    struct kvm_vcpu_events events;
    uint32_t msrs[KVM_MAX_SYNC_MSRS];   /* the MSRs this vCPU accepts */
    int nmsrs;
    KVMBreakpoint bp[KVM_NR_HW_BREAKPOINTS];
    bool single_step;
} KVMVcpu;

static KVMState *kvm_state;

/* An MSR list buffer: struct kvm_msrs with room for its entries. */
typedef union KVMMsrBuf {
    struct kvm_msrs h;
    uint8_t bytes[sizeof(struct kvm_msrs) + KVM_MAX_SYNC_MSRS * sizeof(struct kvm_msr_entry)];
} KVMMsrBuf;

/* ---- opening the device, capabilities ---- */

int kvm_open_device(const char *path, GError **errp)
{
    int fd = open(path, O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        error_setg(errp, "-accel kvm: %s: %s; use -accel tcg for the software CPU",
                   path, g_strerror(errno));
        return -1;
    }
    return fd;
}

static bool kvm_has_cap(KVMState *s, int cap)
{
    return ioctl(s->fd, KVM_CHECK_EXTENSION, cap) > 0;
}

/* KVM_GET_SUPPORTED_CPUID with a growing buffer (it fails E2BIG while too small). */
static struct kvm_cpuid2 *kvm_get_supported_cpuid(KVMState *s, GError **errp)
{
    for (int n = 64; n <= 4096; n *= 2) {
        struct kvm_cpuid2 *c = g_malloc0(sizeof(*c) + n * sizeof(c->entries[0]));
        c->nent = n;
        if (ioctl(s->fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
            return c;
        }
        g_free(c);
        if (errno != E2BIG) {
            break;
        }
    }
    error_setg(errp, "-accel kvm: KVM_GET_SUPPORTED_CPUID: %s", g_strerror(errno));
    return NULL;
}

/* ---- memory slots ---- */

static int kvm_set_slot(KVMState *s, int slot, const struct kvm_userspace_memory_region *r)
{
    struct kvm_userspace_memory_region mr = *r;

    mr.slot = (uint32_t)slot;
    return ioctl(s->vm_fd, KVM_SET_USER_MEMORY_REGION, &mr);
}

static void kvm_region_add(KVMState *s, const BusRegion *r)
{
    struct kvm_userspace_memory_region mr;
    int slot = -1;

    if (!kvm_region_to_slot(r, s->cap_readonly_mem, &mr)) {
        if (r->kind != BUS_REGION_IO) {
            log_mask(LOG_KVM, "kvm: %s [0x%" PRIx64 "+0x%" PRIx64 "] is not page aligned: "
                     "accessed through MMIO exits\n", r->name, r->base, r->size);
        }
        return;
    }
    if (r->kind == BUS_REGION_ROM && !s->cap_readonly_mem) {
        log_mask(LOG_KVM, "kvm: no KVM_CAP_READONLY_MEM: ROM %s is mapped writable\n",
                 r->name);
    }
    for (int i = 0; i < s->nslots; i++) {
        if (!s->slots[i].used) {
            slot = i;
            break;
        }
    }
    if (slot < 0) {
        error_report("kvm: out of memory slots (%d) for %s", s->nslots, r->name);
        return;
    }
    if (kvm_set_slot(s, slot, &mr) < 0) {
        error_report("kvm: KVM_SET_USER_MEMORY_REGION %s [0x%" PRIx64 "+0x%" PRIx64 "]: %s",
                     r->name, r->base, r->size, g_strerror(errno));
        return;
    }
    s->slots[slot] = (KVMSlot){ .used = true, .base = r->base, .size = r->size, .mr = mr };
    log_mask(LOG_KVM, "kvm: slot %d = %s [0x%" PRIx64 "+0x%" PRIx64 "]%s\n", slot, r->name,
             r->base, r->size, mr.flags & KVM_MEM_READONLY ? " read-only" : "");
}

static void kvm_region_del(KVMState *s, const BusRegion *r)
{
    for (int i = 0; i < s->nslots; i++) {
        if (s->slots[i].used && s->slots[i].base == r->base && s->slots[i].size == r->size) {
            struct kvm_userspace_memory_region mr = { .guest_phys_addr = r->base };
            if (kvm_set_slot(s, i, &mr) < 0) {
                error_report("kvm: removing slot %d (%s): %s", i, r->name, g_strerror(errno));
            }
            s->slots[i].used = false;
            log_mask(LOG_KVM, "kvm: slot %d (%s) removed\n", i, r->name);
            return;
        }
    }
}

/*
 * AccelOps.dirty_log_sync: KVM's dirty log of the slot that maps exactly
 * [base, base+size) (api.rst 4.8 KVM_GET_DIRTY_LOG, 4.35
 * KVM_SET_USER_MEMORY_REGION). The first call re-registers the slot with
 * KVM_MEM_LOG_DIRTY_PAGES and reports every page, as nothing says what
 * the guest wrote before; later calls fetch and clear the log.
 */
static int kvm_dirty_log_sync(Machine *m, uint64_t base, uint64_t size, uint64_t *bitmap)
{
    KVMState *s = kvm_state;
    size_t bytes = (((size >> 12) + 63) / 64) * sizeof(uint64_t);

    for (int i = 0; s && i < s->nslots; i++) {
        KVMSlot *sl = &s->slots[i];
        if (!sl->used || sl->base != base || sl->size != size) {
            continue;
        }
        if (!sl->logging) {
            struct kvm_userspace_memory_region mr = sl->mr;
            mr.flags |= KVM_MEM_LOG_DIRTY_PAGES;
            if (kvm_set_slot(s, i, &mr) < 0) {
                log_mask(LOG_KVM, "kvm: dirty log on slot %d: %s\n", i, g_strerror(errno));
                return -1;
            }
            sl->mr = mr;
            sl->logging = true;
            memset(bitmap, 0xff, bytes);
            return 0;
        }
        struct kvm_dirty_log log = { .slot = (uint32_t)i, .dirty_bitmap = bitmap };
        memset(bitmap, 0, bytes);
        if (ioctl(s->vm_fd, KVM_GET_DIRTY_LOG, &log) < 0) {
            log_mask(LOG_KVM, "kvm: KVM_GET_DIRTY_LOG slot %d: %s\n", i, g_strerror(errno));
            return -1;
        }
        return 0;
    }
    return -1;
}

/*
 * The memory bus listener: slots follow the map. BQL held. The bus has no
 * way to drop a listener, so after kvm_cleanup (devices removing their
 * regions while the board is torn down) it finds no KVM state and returns.
 */
static void kvm_mem_listener(void *opaque, Bus *bus, const BusRegion *r, bool added)
{
    KVMState *s = kvm_state;

    if (!s || s != opaque || r->kind == BUS_REGION_IO) {
        return;
    }
    if (added) {
        kvm_region_add(s, r);
    } else {
        kvm_region_del(s, r);
    }
}

static void kvm_mem_foreach(void *opaque, const BusRegion *r)
{
    kvm_region_add(opaque, r);
}

/* ---- the accelerator ---- */

static void kvm_kick_handler(int sig)
{
}

static int kvm_parse_opts(const char *opts, GError **errp)
{
    if (opts && *opts) {
        error_setg(errp, "-accel kvm,%s: kvm takes no options", opts);
        return -1;
    }
    return 0;
}

/* Checks the API version and the capabilities vireo cannot do without. */
static int kvm_check_host(KVMState *s, GError **errp)
{
    static const struct { int cap; const char *name; } needed[] = {
        { KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
        { KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
        { KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
    };
    int version = ioctl(s->fd, KVM_GET_API_VERSION, 0);

    if (version != KVM_EXPECTED_API_VERSION) {
        error_setg(errp, "-accel kvm: /dev/kvm has API version %d, vireo needs %d",
                   version, KVM_EXPECTED_API_VERSION);
        return -1;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(needed); i++) {
        if (!kvm_has_cap(s, needed[i].cap)) {
            error_setg(errp, "-accel kvm: the host's KVM lacks %s", needed[i].name);
            return -1;
        }
    }
    s->cap_readonly_mem = kvm_has_cap(s, KVM_CAP_READONLY_MEM);
    s->cap_vcpu_events = kvm_has_cap(s, KVM_CAP_VCPU_EVENTS);
    s->cap_debugregs = kvm_has_cap(s, KVM_CAP_DEBUGREGS);
    s->cap_guest_debug = kvm_has_cap(s, KVM_CAP_SET_GUEST_DEBUG);
    s->cap_immediate_exit = kvm_has_cap(s, KVM_CAP_IMMEDIATE_EXIT);
    s->nslots = ioctl(s->fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
    if (s->nslots <= 0) {
        s->nslots = 32;
    }
    return 0;
}

/* Creates the VM and the fixed pages KVM needs on Intel hosts. */
static int kvm_create_vm(KVMState *s, GError **errp)
{
    uint64_t identity = KVM_IDENTITY_MAP_ADDR;
    int sz;

    s->vm_fd = ioctl(s->fd, KVM_CREATE_VM, 0);
    if (s->vm_fd < 0) {
        error_setg(errp, "-accel kvm: KVM_CREATE_VM: %s", g_strerror(errno));
        return -1;
    }
    if (kvm_has_cap(s, KVM_CAP_SET_IDENTITY_MAP_ADDR) &&
        ioctl(s->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &identity) < 0) {
        error_setg(errp, "-accel kvm: KVM_SET_IDENTITY_MAP_ADDR 0x%" PRIx64 ": %s",
                   identity, g_strerror(errno));
        return -1;
    }
    if (ioctl(s->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)KVM_TSS_ADDR) < 0) {
        error_setg(errp, "-accel kvm: KVM_SET_TSS_ADDR 0x%llx: %s", KVM_TSS_ADDR,
                   g_strerror(errno));
        return -1;
    }
    sz = ioctl(s->fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (sz < (int)sizeof(struct kvm_run)) {
        error_setg(errp, "-accel kvm: KVM_GET_VCPU_MMAP_SIZE: %s",
                   sz < 0 ? g_strerror(errno) : "too small");
        return -1;
    }
    s->run_size = (size_t)sz;
    return 0;
}

static void kvm_state_free(KVMState *s)
{
    if (!s) {
        return;
    }
    if (s->vm_fd >= 0) {
        close(s->vm_fd);
    }
    if (s->fd >= 0) {
        close(s->fd);
    }
    g_free(s->slots);
    g_free(s->supported_cpuid);
    g_free(s);
}

static int kvm_init(Machine *m, const char *opts, GError **errp)
{
    KVMState *s;
    struct sigaction sa;

    if (kvm_parse_opts(opts, errp) < 0) {
        return -1;
    }
    if (!m->mem || !m->io) {
        error_setg(errp, "-accel kvm: the board must be built before the accelerator");
        return -1;
    }
    s = g_new0(KVMState, 1);
    s->vm_fd = -1;
    s->m = m;
    s->fd = kvm_open_device("/dev/kvm", errp);
    if (s->fd < 0 || kvm_check_host(s, errp) < 0 || kvm_create_vm(s, errp) < 0) {
        kvm_state_free(s);
        return -1;
    }
    s->supported_cpuid = kvm_get_supported_cpuid(s, errp);
    if (!s->supported_cpuid) {
        kvm_state_free(s);
        return -1;
    }
    s->kick_signal = SIGRTMIN + KVM_KICK_SIGNAL_OFFSET;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = kvm_kick_handler;   /* no SA_RESTART: KVM_RUN returns EINTR */
    sigemptyset(&sa.sa_mask);
    if (sigaction(s->kick_signal, &sa, NULL) < 0) {
        error_setg(errp, "-accel kvm: installing the vCPU kick signal: %s", g_strerror(errno));
        kvm_state_free(s);
        return -1;
    }
    s->slots = g_new0(KVMSlot, s->nslots);
    kvm_state = s;
    bus_foreach(m->mem, kvm_mem_foreach, s);
    bus_add_listener(m->mem, kvm_mem_listener, s);
    log_mask(LOG_KVM, "kvm: VM created; %d memory slots; read-only memory %s\n", s->nslots,
             s->cap_readonly_mem ? "yes" : "no");
    return 0;
}

/* ---- vCPU set-up ---- */

/* Keeps the kick signal blocked on this thread except inside KVM_RUN. */
static int kvm_setup_signals(KVMState *s, KVMVcpu *v, GError **errp)
{
    union {
        struct kvm_signal_mask h;
        uint8_t bytes[sizeof(struct kvm_signal_mask) + 8];
    } km;
    sigset_t set, cur;

    sigemptyset(&set);
    sigaddset(&set, s->kick_signal);
    pthread_sigmask(SIG_BLOCK, &set, &cur);
    sigdelset(&cur, s->kick_signal);
    memset(&km, 0, sizeof(km));
    km.h.len = 8;       /* the kernel's sigset_t on x86-64 */
    memcpy(km.h.sigset, &cur, 8);
    if (ioctl(v->fd, KVM_SET_SIGNAL_MASK, &km) < 0) {
        error_setg(errp, "-accel kvm: KVM_SET_SIGNAL_MASK: %s", g_strerror(errno));
        return -1;
    }
    return 0;
}

/* Narrows the CPU model to the host's and hands it to the vCPU. */
static int kvm_setup_cpuid(KVMState *s, KVMVcpu *v, CPUState *cs, GError **errp)
{
    X86CPUState *env = x86_env(cs);
    struct kvm_cpuid2 *c;
    int ret;

    kvm_cpuid_filter(env, s->supported_cpuid->entries, (int)s->supported_cpuid->nent,
                     (uint32_t)cs->index);
    c = g_malloc0(sizeof(*c) + X86_MAX_CPUID * sizeof(c->entries[0]));
    c->nent = (uint32_t)kvm_cpuid_to_entries(c->entries, X86_MAX_CPUID, env);
    ret = ioctl(v->fd, KVM_SET_CPUID2, c);
    g_free(c);
    if (ret < 0) {
        error_setg(errp, "-accel kvm: KVM_SET_CPUID2: %s", g_strerror(errno));
        return -1;
    }
    return 0;
}

/* The MSRs of X86CPUState this vCPU really accepts: KVM_GET_MSRS stops at
 * the first one it refuses, which is dropped (and logged). KVM's MSR index
 * list is no guide: it leaves out MSRs KVM handles, the MTRRs among them. */
static void kvm_setup_msrs(KVMVcpu *v, CPUState *cs)
{
    KVMMsrBuf buf;
    int n = kvm_msrs_from_env(buf.h.entries, KVM_MAX_SYNC_MSRS, x86_env(cs), NULL, 0);

    for (int i = 0; i < n; i++) {
        v->msrs[i] = buf.h.entries[i].index;
    }
    v->nmsrs = n;
    while (v->nmsrs > 0) {
        int got;
        for (int i = 0; i < v->nmsrs; i++) {
            buf.h.entries[i] = (struct kvm_msr_entry){ .index = v->msrs[i] };
        }
        buf.h.nmsrs = (uint32_t)v->nmsrs;
        got = ioctl(v->fd, KVM_GET_MSRS, &buf);
        if (got < 0 || got >= v->nmsrs) {
            break;
        }
        log_mask(LOG_KVM, "kvm: MSR 0x%x not accepted, not synchronised\n", v->msrs[got]);
        memmove(&v->msrs[got], &v->msrs[got + 1], (v->nmsrs - got - 1) * sizeof(v->msrs[0]));
        v->nmsrs--;
    }
}

static int kvm_vcpu_init(CPUState *cs, GError **errp)
{
    KVMState *s = kvm_state;
    KVMVcpu *v;
    void *run;

    if (!s) {
        error_setg(errp, "-accel kvm: vCPU set up before the VM");
        return -1;
    }
    v = g_new0(KVMVcpu, 1);
    v->fd = ioctl(s->vm_fd, KVM_CREATE_VCPU, (unsigned long)cs->index);
    if (v->fd < 0) {
        error_setg(errp, "-accel kvm: KVM_CREATE_VCPU %d: %s", cs->index, g_strerror(errno));
        g_free(v);
        return -1;
    }
    run = mmap(NULL, s->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
    if (run == MAP_FAILED) {
        error_setg(errp, "-accel kvm: mapping the kvm_run area: %s", g_strerror(errno));
        close(v->fd);
        g_free(v);
        return -1;
    }
    v->run = run;
    v->thread = pthread_self();
    if (kvm_setup_cpuid(s, v, cs, errp) < 0 || kvm_setup_signals(s, v, errp) < 0) {
        munmap(v->run, s->run_size);
        close(v->fd);
        g_free(v);
        return -1;
    }
    kvm_setup_msrs(v, cs);
    g_atomic_int_set(&v->dirty, 1);
    cs->accel = v;
    log_mask(LOG_KVM, "kvm: vCPU %d created, %d MSRs synchronised\n", cs->index, v->nmsrs);
    return 0;
}

/* ---- register synchronisation ---- */

/* KVM_SET_MSRS stops at the first value it refuses: that one is logged
 * and skipped, the rest are still written. */
static int kvm_put_msrs(KVMVcpu *v, const X86CPUState *env)
{
    KVMMsrBuf buf, part;
    int n = kvm_msrs_from_env(buf.h.entries, KVM_MAX_SYNC_MSRS, env, v->msrs, v->nmsrs);
    int done = 0;

    while (done < n) {
        int r;
        memcpy(part.h.entries, &buf.h.entries[done], (n - done) * sizeof(buf.h.entries[0]));
        part.h.nmsrs = (uint32_t)(n - done);
        r = ioctl(v->fd, KVM_SET_MSRS, &part);
        if (r < 0) {
            return -1;
        }
        done += r;
        if (done < n) {
            log_mask(LOG_KVM, "kvm: MSR 0x%x = 0x%llx refused\n", buf.h.entries[done].index,
                     (unsigned long long)buf.h.entries[done].data);
            done++;
        }
    }
    return 0;
}

static int kvm_get_msrs(KVMVcpu *v, X86CPUState *env)
{
    KVMMsrBuf buf;
    int r;

    for (int i = 0; i < v->nmsrs; i++) {
        buf.h.entries[i] = (struct kvm_msr_entry){ .index = v->msrs[i] };
    }
    buf.h.nmsrs = (uint32_t)v->nmsrs;
    r = ioctl(v->fd, KVM_GET_MSRS, &buf);
    if (r < 0) {
        return -1;
    }
    kvm_msrs_to_env(env, buf.h.entries, r);
    return 0;
}

/* Writes env into the vCPU: 0, or -1 (logged) if an ioctl failed. */
static int kvm_put_state(CPUState *cs, KVMVcpu *v)
{
    KVMState *s = kvm_state;
    X86CPUState *env = x86_env(cs);
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    struct kvm_fpu fpu;
    struct kvm_debugregs dbg;
    struct kvm_vcpu_events ev;
    /* x86_cpu_reset zeroes env->tsc; a guest that has run has a nonzero
     * TSC. A power-on state must not inherit an in-flight interrupt. */
    bool fresh = env->tsc == 0;

    kvm_regs_from_env(&regs, env);
    kvm_sregs_from_env(&sregs, env);
    kvm_fpu_from_env(&fpu, env);
    if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0 || ioctl(v->fd, KVM_SET_FPU, &fpu) < 0 ||
        ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0) {
        error_report("kvm: writing the vCPU registers: %s", g_strerror(errno));
        return -1;
    }
    if (kvm_put_msrs(v, env) < 0) {
        error_report("kvm: KVM_SET_MSRS: %s", g_strerror(errno));
        return -1;
    }
    if (s->cap_vcpu_events) {
        kvm_events_from_env(&ev, env, v->have_events && !fresh ? &v->events : NULL);
        if (ioctl(v->fd, KVM_SET_VCPU_EVENTS, &ev) < 0) {
            error_report("kvm: KVM_SET_VCPU_EVENTS: %s", g_strerror(errno));
            return -1;
        }
    }
    if (s->cap_debugregs) {
        kvm_debugregs_from_env(&dbg, env);
        if (ioctl(v->fd, KVM_SET_DEBUGREGS, &dbg) < 0) {
            error_report("kvm: KVM_SET_DEBUGREGS: %s", g_strerror(errno));
            return -1;
        }
    }
    v->run->cr8 = env->cr8 & 0xf;
    return 0;
}

/* Reads the vCPU into env: 0, or -1 (logged) if an ioctl failed. */
static int kvm_get_state(CPUState *cs, KVMVcpu *v)
{
    KVMState *s = kvm_state;
    X86CPUState *env = x86_env(cs);
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    struct kvm_fpu fpu;
    struct kvm_debugregs dbg;

    if (ioctl(v->fd, KVM_GET_REGS, &regs) < 0 || ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0 ||
        ioctl(v->fd, KVM_GET_FPU, &fpu) < 0) {
        error_report("kvm: reading the vCPU registers: %s", g_strerror(errno));
        return -1;
    }
    kvm_regs_to_env(env, &regs);
    kvm_sregs_to_env(env, &sregs);
    kvm_fpu_to_env(env, &fpu);
    if (kvm_get_msrs(v, env) < 0) {
        error_report("kvm: KVM_GET_MSRS: %s", g_strerror(errno));
        return -1;
    }
    if (s->cap_vcpu_events) {
        if (ioctl(v->fd, KVM_GET_VCPU_EVENTS, &v->events) < 0) {
            error_report("kvm: KVM_GET_VCPU_EVENTS: %s", g_strerror(errno));
            return -1;
        }
        v->have_events = true;
        kvm_events_to_env(env, &v->events);
    }
    if (s->cap_debugregs) {
        if (ioctl(v->fd, KVM_GET_DEBUGREGS, &dbg) < 0) {
            error_report("kvm: KVM_GET_DEBUGREGS: %s", g_strerror(errno));
            return -1;
        }
        kvm_debugregs_to_env(env, &dbg);
    }
    return 0;
}

/* Copies the vCPU into env, unless env has changes of its own pending. The
 * vCPU must not be inside KVM_RUN (pause it first from another thread). */
static void kvm_sync_state_to_env(CPUState *cs)
{
    KVMVcpu *v = cs->accel;

    if (v && !g_atomic_int_get(&v->dirty)) {
        (void)kvm_get_state(cs, v);
    }
}

/* Marks env as the newer state: the vCPU thread loads it before it runs. */
static void kvm_sync_env_to_vcpu(CPUState *cs)
{
    KVMVcpu *v = cs->accel;

    if (v) {
        g_atomic_int_set(&v->dirty, 1);
    }
}

/* ---- the run loop ---- */

/* Consumes kick signals sent while the thread was outside KVM_RUN; their
 * reason (exit_request, interrupt_request) is looked at anyway. */
static void kvm_drain_kicks(KVMState *s)
{
    sigset_t set;
    struct timespec zero = { 0, 0 };

    sigemptyset(&set);
    sigaddset(&set, s->kick_signal);
    while (sigtimedwait(&set, NULL, &zero) >= 0) {
        continue;
    }
}

/*
 * Before KVM_RUN: an NMI goes in with KVM_NMI; an external interrupt is
 * acknowledged from the board and injected with KVM_INTERRUPT when KVM said
 * the vCPU can take one, otherwise KVM is asked to exit as soon as it can
 * (request_interrupt_window). KVM API doc 5 (struct kvm_run).
 */
static void kvm_pre_run(CPUState *cs, KVMVcpu *v)
{
    X86CPU *cpu = x86_cpu(cs);
    struct kvm_run *run = v->run;
    int req = g_atomic_int_get(&cs->interrupt_request);

    if (req & CPU_INTERRUPT_NMI) {
        cpu_reset_interrupt(cs, CPU_INTERRUPT_NMI);
        if (ioctl(v->fd, KVM_NMI, 0) < 0) {
            log_mask(LOG_KVM, "kvm: KVM_NMI: %s\n", g_strerror(errno));
        }
    }
    if ((req & CPU_INTERRUPT_HARD) && run->ready_for_interrupt_injection && cpu->int_ack) {
        int vector;

        bql_lock();
        vector = cpu->int_ack(cpu->int_ack_opaque);
        bql_unlock();
        if (vector < 0) {
            /* The request went away; the board raises it again if needed. */
            cpu_reset_interrupt(cs, CPU_INTERRUPT_HARD);
        } else {
            struct kvm_interrupt irq = { .irq = (uint32_t)vector };
            log_mask(LOG_INT | LOG_KVM, "kvm: injecting vector 0x%02x\n", vector);
            if (ioctl(v->fd, KVM_INTERRUPT, &irq) < 0) {
                log_mask(LOG_KVM, "kvm: KVM_INTERRUPT 0x%02x: %s\n", vector,
                         g_strerror(errno));
            }
            /* One interrupt per window: the next needs KVM's word again
             * (KVM_RUN may not run before the loop leaves). */
            run->ready_for_interrupt_injection = 0;
        }
        req = g_atomic_int_get(&cs->interrupt_request);
    }
    run->request_interrupt_window = (req & CPU_INTERRUPT_HARD) ? 1 : 0;
    run->cr8 = x86_env(cs)->cr8 & 0xf;     /* KVM refuses a CR8 above 15 */
}

static void kvm_dump_state(CPUState *cs)
{
    FILE *f = log_lock();
    x86_cpu_dump_state(x86_env(cs), f);
    log_unlock();
}

/* KVM_EXIT_INTERNAL_ERROR: one line with the sub-error, rip and any
 * instruction bytes KVM supplied, then the registers. */
static void kvm_report_internal_error(CPUState *cs, struct kvm_run *run)
{
    static const char *const names[] = {
        [KVM_INTERNAL_ERROR_EMULATION] = "emulation failure",
        [KVM_INTERNAL_ERROR_SIMUL_EX] = "exception while delivering an exception",
        [KVM_INTERNAL_ERROR_DELIVERY_EV] = "exit while delivering an event",
        [KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON] = "unexpected exit reason",
    };
    X86CPUState *env = x86_env(cs);
    uint32_t sub = run->internal.suberror;
    GString *msg = g_string_new(NULL);
    uint32_t ndata = MIN(run->internal.ndata, (uint32_t)G_N_ELEMENTS(run->internal.data));

    g_string_append_printf(msg, "kvm: %s (KVM_EXIT_INTERNAL_ERROR suberror %u) at "
                           "rip 0x%" PRIx64 " (cs base 0x%" PRIx64 ")",
                           sub < G_N_ELEMENTS(names) && names[sub] ? names[sub] : "internal error",
                           sub, env->rip, env->segs[R_CS].base);
    if (sub == KVM_INTERNAL_ERROR_EMULATION && ndata >= 3 &&
        (run->emulation_failure.flags & KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)) {
        unsigned len = MIN(run->emulation_failure.insn_size, 15u);
        g_string_append(msg, "; instruction bytes");
        for (unsigned i = 0; i < len; i++) {
            g_string_append_printf(msg, " %02x", run->emulation_failure.insn_bytes[i]);
        }
    } else if (ndata) {
        g_string_append(msg, "; data");
        for (uint32_t i = 0; i < ndata; i++) {
            g_string_append_printf(msg, " 0x%llx", (unsigned long long)run->internal.data[i]);
        }
    }
    error_report("%s", msg->str);
    g_string_free(msg, true);
    kvm_dump_state(cs);
}

/* True when the debugger has a breakpoint set or single-steps. */
static bool kvm_debug_active(const KVMVcpu *v)
{
    for (int i = 0; i < KVM_NR_HW_BREAKPOINTS; i++) {
        if (v->bp[i].used) {
            return true;
        }
    }
    return v->single_step;
}

/* What an exit means: -1 to run on, or the AccelExit to return. */
static int kvm_handle_exit(CPUState *cs, KVMVcpu *v)
{
    KVMState *s = kvm_state;
    struct kvm_run *run = v->run;
    int r;

    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        bql_lock();
        r = kvm_handle_io(s->m->io, run, s->run_size);
        bql_unlock();
        return r < 0 ? ACCEL_EXIT_ERROR : -1;
    case KVM_EXIT_MMIO:
        bql_lock();
        r = kvm_handle_mmio(s->m->mem, run);
        bql_unlock();
        return r < 0 ? ACCEL_EXIT_ERROR : -1;
    case KVM_EXIT_IRQ_WINDOW_OPEN:
    case KVM_EXIT_SET_TPR:
    case KVM_EXIT_INTR:
        return -1;
    case KVM_EXIT_HLT:
        return ACCEL_EXIT_HALT;
    case KVM_EXIT_SHUTDOWN:
        log_mask(LOG_KVM | LOG_INT, "kvm: KVM_EXIT_SHUTDOWN (triple fault): reset\n");
        return ACCEL_EXIT_SHUTDOWN;
    case KVM_EXIT_DEBUG:
        return kvm_debug_active(v) ? ACCEL_EXIT_DEBUG : -1;
    case KVM_EXIT_SYSTEM_EVENT:
        if (run->system_event.type == KVM_SYSTEM_EVENT_RESET) {
            return ACCEL_EXIT_SHUTDOWN;
        }
        if (run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN) {
            runstate_request_shutdown(SHUTDOWN_GUEST_POWEROFF, 0);
            return ACCEL_EXIT_NONE;
        }
        break;
    case KVM_EXIT_FAIL_ENTRY:
        (void)kvm_get_state(cs, v);
        error_report("kvm: VM entry failed (KVM_EXIT_FAIL_ENTRY), hardware reason 0x%llx, "
                     "host CPU %u, at rip 0x%" PRIx64,
                     (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
                     run->fail_entry.cpu, x86_env(cs)->rip);
        kvm_dump_state(cs);
        return ACCEL_EXIT_ERROR;
    case KVM_EXIT_INTERNAL_ERROR:
        (void)kvm_get_state(cs, v);
        kvm_report_internal_error(cs, run);
        return ACCEL_EXIT_ERROR;
    default:
        break;
    }
    (void)kvm_get_state(cs, v);
    error_report("kvm: unexpected exit %s (%u) at rip 0x%" PRIx64,
                 kvm_exit_reason_name(run->exit_reason), run->exit_reason, x86_env(cs)->rip);
    kvm_dump_state(cs);
    return ACCEL_EXIT_ERROR;
}

/*
 * An I/O or MMIO exit is complete (an IN's value in RAX, RIP past the
 * instruction) only once KVM_RUN is entered again (KVM API doc, 5:
 * kvm_run). Before leaving the loop with one pending, enter KVM_RUN so that
 * it completes the access and returns EINTR without running the guest:
 * with immediate_exit, or else with the kick signal already pending.
 */
static void kvm_complete_io(KVMState *s, KVMVcpu *v)
{
    if (s->cap_immediate_exit) {
        v->run->immediate_exit = 1;
    } else {
        pthread_kill(pthread_self(), s->kick_signal);
    }
    if (ioctl(v->fd, KVM_RUN, 0) == 0 || errno != EINTR) {
        log_mask(LOG_KVM, "kvm: completing an I/O exit: unexpected %s\n",
                 kvm_exit_reason_name(v->run->exit_reason));
    }
    v->run->immediate_exit = 0;
    if (!s->cap_immediate_exit) {
        kvm_drain_kicks(s);
    }
}

static AccelExit kvm_vcpu_run(CPUState *cs)
{
    KVMVcpu *v = cs->accel;
    bool io_pending = false;
    int ret = -1;

    kvm_drain_kicks(kvm_state);
    if (g_atomic_int_get(&v->dirty)) {
        if (kvm_put_state(cs, v) < 0) {
            return ACCEL_EXIT_ERROR;
        }
        g_atomic_int_set(&v->dirty, 0);
        /* The last exit's verdict is about the old state: ask again. */
        v->run->ready_for_interrupt_injection = 0;
    }
    while (ret < 0) {
        if (g_atomic_int_get(&cs->exit_request)) {
            if (io_pending) {
                kvm_complete_io(kvm_state, v);
            }
            ret = ACCEL_EXIT_NONE;
            break;
        }
        kvm_pre_run(cs, v);
        if (ioctl(v->fd, KVM_RUN, 0) < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                ret = ACCEL_EXIT_NONE;
                break;
            }
            error_report("kvm: KVM_RUN: %s", g_strerror(errno));
            ret = ACCEL_EXIT_ERROR;
            break;
        }
        x86_env(cs)->cr8 = v->run->cr8;
        log_mask(LOG_KVM, "kvm: exit %s\n", kvm_exit_reason_name(v->run->exit_reason));
        io_pending = v->run->exit_reason == KVM_EXIT_IO ||
                     v->run->exit_reason == KVM_EXIT_MMIO;
        ret = kvm_handle_exit(cs, v);
    }
    x86_env(cs)->cr8 = v->run->cr8;
    if (ret != ACCEL_EXIT_ERROR && kvm_get_state(cs, v) < 0) {
        ret = ACCEL_EXIT_ERROR;
    }
    return (AccelExit)ret;
}

/*
 * Interrupts KVM_RUN on the vCPU thread. From the thread itself the
 * exit_request the caller set is enough; a parked or finished thread
 * (cs->stopped) is not in KVM_RUN, and a finished one may already be
 * joined, so it gets no signal. Any thread.
 */
static void kvm_vcpu_kick(CPUState *cs)
{
    KVMVcpu *v = cs->accel;

    if (v && kvm_state && !*(volatile bool *)&cs->stopped &&
        !pthread_equal(pthread_self(), v->thread)) {
        pthread_kill(v->thread, kvm_state->kick_signal);
    }
}

/* ---- debugging ---- */

static int kvm_update_guest_debug(CPUState *cs, KVMVcpu *v)
{
    struct kvm_guest_debug dbg;

    kvm_guest_debug_build(&dbg, v->bp, KVM_NR_HW_BREAKPOINTS, v->single_step);
    if (ioctl(v->fd, KVM_SET_GUEST_DEBUG, &dbg) < 0) {
        log_mask(LOG_KVM, "kvm: KVM_SET_GUEST_DEBUG: %s\n", g_strerror(errno));
        return -1;
    }
    return 0;
}

static int kvm_insert_breakpoint(CPUState *cs, int type, uint64_t addr, uint64_t len)
{
    KVMVcpu *v = cs->accel;

    if (!v || !kvm_state->cap_guest_debug || !kvm_breakpoint_valid(type, addr, len)) {
        return -1;
    }
    for (int i = 0; i < KVM_NR_HW_BREAKPOINTS; i++) {
        if (!v->bp[i].used) {
            v->bp[i] = (KVMBreakpoint){ true, type, addr, type >= 2 ? len : 1 };
            if (kvm_update_guest_debug(cs, v) < 0) {
                v->bp[i].used = false;
                return -1;
            }
            return 0;
        }
    }
    return -1;          /* all four debug registers are taken */
}

static int kvm_remove_breakpoint(CPUState *cs, int type, uint64_t addr, uint64_t len)
{
    KVMVcpu *v = cs->accel;

    if (!v || !kvm_state->cap_guest_debug) {
        return -1;
    }
    for (int i = 0; i < KVM_NR_HW_BREAKPOINTS; i++) {
        KVMBreakpoint *bp = &v->bp[i];
        if (bp->used && bp->type == type && bp->addr == addr &&
            (type < 2 || bp->len == len)) {
            bp->used = false;
            return kvm_update_guest_debug(cs, v);
        }
    }
    return -1;
}

static void kvm_set_single_step(CPUState *cs, bool on)
{
    KVMVcpu *v = cs->accel;

    if (v && kvm_state->cap_guest_debug) {
        v->single_step = on;
        (void)kvm_update_guest_debug(cs, v);
    }
}

static void kvm_cleanup(Machine *m)
{
    KVMState *s = kvm_state;
    KVMVcpu *v = m->cpu ? m->cpu->cs.accel : NULL;

    if (v) {
        munmap(v->run, s->run_size);
        close(v->fd);
        g_free(v);
        m->cpu->cs.accel = NULL;
    }
    kvm_state = NULL;
    kvm_state_free(s);
}

const AccelOps kvm_accel_ops = {
    .name = "kvm",
    .init = kvm_init,
    .vcpu_init = kvm_vcpu_init,
    .vcpu_run = kvm_vcpu_run,
    .vcpu_kick = kvm_vcpu_kick,
    .sync_state_to_env = kvm_sync_state_to_env,
    .sync_env_to_vcpu = kvm_sync_env_to_vcpu,
    .insert_breakpoint = kvm_insert_breakpoint,
    .remove_breakpoint = kvm_remove_breakpoint,
    .set_single_step = kvm_set_single_step,
    .cleanup = kvm_cleanup,
    .dirty_log_sync = kvm_dirty_log_sync,
};
