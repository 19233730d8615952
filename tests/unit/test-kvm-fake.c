/*
 * test-kvm-fake.c: the KVM accelerator's ioctl plumbing against a fake
 * /dev/kvm, so the set-up order, the memory slots, the run loop, interrupt
 * injection and the error paths are checked on hosts without KVM. This
 * binary defines open(), ioctl() and mmap(): calls for the path "/dev/kvm"
 * and for the file descriptors the fake hands out are answered from a
 * scripted model; every other call goes to the C library (dlsym
 * RTLD_NEXT). KVM_RUN plays the next step of a per-test script of exits.
 */
#include "vireo/common.h"
#include <stdarg.h>
#include <setjmp.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>
#include "vireo/log.h"
#include "accel/accel.h"
#include "accel/kvm.h"
#include "hw/bus.h"
#include "hw/vga.h"
#include "system/machine.h"
#include "target-x86/cpu.h"
#include "target-x86/cpuid.h"
#include "test-util.h"

/* ---- the fake KVM ---- */

typedef struct Step {
    int err;                /* KVM_RUN fails with this errno when nonzero */
    uint32_t reason;
    uint8_t ready;          /* ready_for_interrupt_injection */
    uint8_t io_dir, io_size;
    uint16_t io_port;
    uint32_t io_count;
    uint8_t io_data[8];
    uint64_t mmio_addr;
    uint8_t mmio_write, mmio_len;
    uint8_t mmio_data[8];
    uint32_t suberror;
} Step;

#define MAX_STEPS 16
#define FAKE_MSR_REFUSED 0x00000277     /* PAT: this fake refuses it */
#define FAKE_MSR_SET_REFUSED 0x000001a0 /* MISC_ENABLE: readable, not writable */
#define RUN_MMAP_SIZE 8192
#define IO_DATA_OFFSET 4096

typedef struct FakeKVM {
    int kvm_fd, vm_fd, vcpu_fd;
    int api_version;
    bool readonly_mem;
    uint64_t identity_addr, tss_addr;
    struct kvm_userspace_memory_region slots[8];
    int slot_calls;
    struct kvm_cpuid_entry2 cpuid[X86_MAX_CPUID];
    int ncpuid;
    uint32_t sigmask_len;
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    struct kvm_fpu fpu;
    struct kvm_vcpu_events events;
    struct kvm_debugregs dbgregs;
    struct kvm_guest_debug guest_debug;
    uint64_t msr_values[0x10000];       /* by index & 0xffff */
    int set_regs_calls, get_regs_calls;
    int interrupts[16], ninterrupts;
    int nmis;
    struct kvm_run *run;
    Step steps[MAX_STEPS];
    int nsteps, next_step;
    int runs;
    int completions;                    /* KVM_RUN with immediate_exit */
    uint8_t window_seen[MAX_STEPS];     /* request_interrupt_window at each KVM_RUN */
    uint8_t in_data_seen[MAX_STEPS];    /* an IN's result, seen at the next KVM_RUN */
    uint64_t dirty[8][64];              /* KVM_GET_DIRTY_LOG's next answer per slot */
    int dirty_log_err;                  /* KVM_GET_DIRTY_LOG fails with this errno */
    int dirty_log_calls;
} FakeKVM;

static FakeKVM fk;

static int (*real_open)(const char *, int, ...);
static int (*real_ioctl)(int, unsigned long, ...);
static void *(*real_mmap)(void *, size_t, int, int, int, off_t);

static void fake_reset(void)
{
    memset(&fk, 0, sizeof(fk));
    fk.kvm_fd = fk.vm_fd = fk.vcpu_fd = -1;
    fk.api_version = KVM_EXPECTED_API_VERSION;
    fk.readonly_mem = true;
    fk.cpuid[fk.ncpuid++] = (struct kvm_cpuid_entry2){ .function = 0, .eax = 0xd };
    fk.cpuid[fk.ncpuid++] = (struct kvm_cpuid_entry2){
        .function = 1, .ecx = 0xffffffff, .edx = 0xffffffff };
    fk.cpuid[fk.ncpuid++] = (struct kvm_cpuid_entry2){ .function = 0x80000000,
                                                       .eax = 0x80000008 };
    fk.cpuid[fk.ncpuid++] = (struct kvm_cpuid_entry2){
        .function = 0x80000001, .ecx = 0xffffffff, .edx = 0xffffffff };
    fk.cpuid[fk.ncpuid++] = (struct kvm_cpuid_entry2){ .function = 0x80000008,
                                                       .eax = 0x3030 };
}

int open(const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;

    va_start(ap, flags);
    mode = (flags & O_CREAT) ? va_arg(ap, mode_t) : 0;
    va_end(ap);
    if (!real_open) {
        real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
    }
    if (strcmp(path, "/dev/kvm") == 0) {
        fk.kvm_fd = real_open("/dev/null", O_RDWR | O_CLOEXEC);
        return fk.kvm_fd;
    }
    return real_open(path, flags, mode);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    if (!real_mmap) {
        real_mmap = (void *(*)(void *, size_t, int, int, int, off_t))dlsym(RTLD_NEXT, "mmap");
    }
    if (fd >= 0 && fd == fk.vcpu_fd) {
        fk.run = real_mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                           -1, 0);
        return fk.run;
    }
    return real_mmap(addr, len, prot, flags, fd, off);
}

static int fake_fail(int e)
{
    errno = e;
    return -1;
}

static int fake_system_ioctl(unsigned long req, void *arg)
{
    switch (req) {
    case KVM_GET_API_VERSION:
        return fk.api_version;
    case KVM_CHECK_EXTENSION:
        switch ((long)arg) {
        case KVM_CAP_NR_MEMSLOTS:
            return 8;
        case KVM_CAP_READONLY_MEM:
            return fk.readonly_mem;
        default:
            return 1;
        }
    case KVM_CREATE_VM:
        fk.vm_fd = dup(fk.kvm_fd);
        return fk.vm_fd;
    case KVM_GET_VCPU_MMAP_SIZE:
        return RUN_MMAP_SIZE;
    case KVM_GET_SUPPORTED_CPUID: {
        struct kvm_cpuid2 *c = arg;
        if ((int)c->nent < fk.ncpuid) {
            return fake_fail(E2BIG);
        }
        c->nent = (uint32_t)fk.ncpuid;
        memcpy(c->entries, fk.cpuid, fk.ncpuid * sizeof(fk.cpuid[0]));
        return 0;
    }
    case KVM_GET_MSR_INDEX_LIST: {
        static const uint32_t list[] = { 0x10, 0x174, 0x175, 0x176, 0x277, 0xc0000082 };
        struct kvm_msr_list *l = arg;
        uint32_t n = G_N_ELEMENTS(list);
        if (l->nmsrs < n) {
            l->nmsrs = n;
            return fake_fail(E2BIG);
        }
        l->nmsrs = n;
        memcpy(l->indices, list, sizeof(list));
        return 0;
    }
    }
    return fake_fail(EINVAL);
}

/* KVM_GET_DIRTY_LOG: the scripted bitmap, then cleared, as KVM clears
 * its log; ENOENT for a slot without KVM_MEM_LOG_DIRTY_PAGES (api.rst). */
static int fake_get_dirty_log(struct kvm_dirty_log *d)
{
    fk.dirty_log_calls++;
    if (d->slot >= 8 || !(fk.slots[d->slot].flags & KVM_MEM_LOG_DIRTY_PAGES)) {
        return fake_fail(ENOENT);
    }
    if (fk.dirty_log_err) {
        return fake_fail(fk.dirty_log_err);
    }
    size_t words = MIN((fk.slots[d->slot].memory_size / 4096 + 63) / 64, 64);
    memcpy(d->dirty_bitmap, fk.dirty[d->slot], words * sizeof(uint64_t));
    memset(fk.dirty[d->slot], 0, sizeof(fk.dirty[d->slot]));
    return 0;
}

static int fake_vm_ioctl(unsigned long req, void *arg)
{
    switch (req) {
    case KVM_SET_IDENTITY_MAP_ADDR:
        fk.identity_addr = *(uint64_t *)arg;
        return 0;
    case KVM_SET_TSS_ADDR:
        fk.tss_addr = (uint64_t)(uintptr_t)arg;
        return 0;
    case KVM_SET_USER_MEMORY_REGION: {
        const struct kvm_userspace_memory_region *r = arg;
        if (r->slot >= 8) {
            return fake_fail(EINVAL);
        }
        fk.slots[r->slot] = *r;
        fk.slot_calls++;
        return 0;
    }
    case KVM_CREATE_VCPU:
        fk.vcpu_fd = dup(fk.kvm_fd);
        return fk.vcpu_fd;
    case KVM_GET_DIRTY_LOG:
        return fake_get_dirty_log(arg);
    }
    return fake_fail(EINVAL);
}

static int fake_msrs(struct kvm_msrs *m, bool set)
{
    for (uint32_t i = 0; i < m->nmsrs; i++) {
        if (m->entries[i].index == FAKE_MSR_REFUSED ||
            (set && m->entries[i].index == FAKE_MSR_SET_REFUSED)) {
            return (int)i;
        }
        if (set) {
            fk.msr_values[m->entries[i].index & 0xffff] = m->entries[i].data;
        } else {
            m->entries[i].data = fk.msr_values[m->entries[i].index & 0xffff];
        }
    }
    return (int)m->nmsrs;
}

/* KVM_RUN: plays the next step into the run area. */
static int fake_run(void)
{
    struct kvm_run *run = fk.run;
    Step *s;

    if (run->immediate_exit) {
        fk.completions++;
        fk.regs.rip += 1;               /* the pending OUT completes */
        run->exit_reason = KVM_EXIT_INTR;
        return fake_fail(EINTR);
    }
    if (fk.runs > 0 && fk.runs <= MAX_STEPS) {
        fk.in_data_seen[fk.runs - 1] = ((uint8_t *)run)[IO_DATA_OFFSET];
    }
    if (fk.runs < MAX_STEPS) {
        fk.window_seen[fk.runs] = run->request_interrupt_window;
    }
    fk.runs++;
    if (fk.next_step >= fk.nsteps) {
        run->exit_reason = KVM_EXIT_SHUTDOWN;
        return 0;
    }
    s = &fk.steps[fk.next_step++];
    if (s->err) {
        run->exit_reason = KVM_EXIT_INTR;
        return fake_fail(s->err);
    }
    run->exit_reason = s->reason;
    run->ready_for_interrupt_injection = s->ready;
    switch (s->reason) {
    case KVM_EXIT_IO:
        run->io.direction = s->io_dir;
        run->io.size = s->io_size;
        run->io.port = s->io_port;
        run->io.count = s->io_count;
        run->io.data_offset = IO_DATA_OFFSET;
        memcpy((uint8_t *)run + IO_DATA_OFFSET, s->io_data, sizeof(s->io_data));
        break;
    case KVM_EXIT_MMIO:
        run->mmio.phys_addr = s->mmio_addr;
        run->mmio.is_write = s->mmio_write;
        run->mmio.len = s->mmio_len;
        memcpy(run->mmio.data, s->mmio_data, 8);
        break;
    case KVM_EXIT_INTERNAL_ERROR:
        run->internal.suberror = s->suberror;
        run->internal.ndata = 0;
        break;
    }
    fk.regs.rip += 1;
    return 0;
}

static int fake_vcpu_ioctl(unsigned long req, void *arg)
{
    switch (req) {
    case KVM_SET_CPUID2: {
        struct kvm_cpuid2 *c = arg;
        fk.ncpuid = (int)MIN(c->nent, (uint32_t)X86_MAX_CPUID);
        memcpy(fk.cpuid, c->entries, fk.ncpuid * sizeof(fk.cpuid[0]));
        return 0;
    }
    case KVM_SET_SIGNAL_MASK:
        fk.sigmask_len = ((struct kvm_signal_mask *)arg)->len;
        return 0;
    case KVM_GET_MSRS:
        return fake_msrs(arg, false);
    case KVM_SET_MSRS:
        return fake_msrs(arg, true);
    case KVM_SET_REGS:
        fk.set_regs_calls++;
        fk.regs = *(struct kvm_regs *)arg;
        return 0;
    case KVM_GET_REGS:
        fk.get_regs_calls++;
        *(struct kvm_regs *)arg = fk.regs;
        return 0;
    case KVM_SET_SREGS:
        fk.sregs = *(struct kvm_sregs *)arg;
        return 0;
    case KVM_GET_SREGS:
        *(struct kvm_sregs *)arg = fk.sregs;
        return 0;
    case KVM_SET_FPU:
        fk.fpu = *(struct kvm_fpu *)arg;
        return 0;
    case KVM_GET_FPU:
        *(struct kvm_fpu *)arg = fk.fpu;
        return 0;
    case KVM_SET_VCPU_EVENTS:
        fk.events = *(struct kvm_vcpu_events *)arg;
        return 0;
    case KVM_GET_VCPU_EVENTS:
        *(struct kvm_vcpu_events *)arg = fk.events;
        return 0;
    case KVM_SET_DEBUGREGS:
        fk.dbgregs = *(struct kvm_debugregs *)arg;
        return 0;
    case KVM_GET_DEBUGREGS:
        *(struct kvm_debugregs *)arg = fk.dbgregs;
        return 0;
    case KVM_SET_GUEST_DEBUG:
        fk.guest_debug = *(struct kvm_guest_debug *)arg;
        return 0;
    case KVM_INTERRUPT:
        if (fk.ninterrupts < 16) {
            fk.interrupts[fk.ninterrupts++] = (int)((struct kvm_interrupt *)arg)->irq;
        }
        return 0;
    case KVM_NMI:
        fk.nmis++;
        return 0;
    case KVM_RUN:
        return fake_run();
    }
    return fake_fail(EINVAL);
}

int ioctl(int fd, unsigned long req, ...)
{
    va_list ap;
    void *arg;

    va_start(ap, req);
    arg = va_arg(ap, void *);
    va_end(ap);
    if (fd >= 0 && fd == fk.kvm_fd) {
        return fake_system_ioctl(req, arg);
    }
    if (fd >= 0 && fd == fk.vm_fd) {
        return fake_vm_ioctl(req, arg);
    }
    if (fd >= 0 && fd == fk.vcpu_fd) {
        return fake_vcpu_ioctl(req, arg);
    }
    if (!real_ioctl) {
        real_ioctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
    }
    return real_ioctl(fd, req, arg);
}

/* ---- a small machine ---- */

typedef struct Rec {
    uint64_t addr[16];
    uint64_t val[16];
    int n;
    uint64_t next_read;
} Rec;

typedef struct Fixture {
    Machine m;
    X86CPU *cpu;
    uint8_t *ram;
    uint8_t *rom;
    Rec ports, mmio;
    int vector;
    int acks;
} Fixture;

static uint64_t rec_read(void *opaque, uint64_t offset, unsigned size)
{
    return ((Rec *)opaque)->next_read;
}

static int *exit_on_write;

static void rec_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Rec *r = opaque;
    if (exit_on_write) {
        g_atomic_int_set(exit_on_write, 1);
    }
    if (r->n < 16) {
        r->addr[r->n] = offset;
        r->val[r->n++] = value;
    }
}

static const BusOps rec_ops = { rec_read, rec_write };

static int fake_int_ack(void *opaque)
{
    Fixture *f = opaque;
    f->acks++;
    cpu_reset_interrupt(&f->cpu->cs, CPU_INTERRUPT_HARD);
    return f->vector;
}

static int setup(void **state)
{
    Fixture *f = g_new0(Fixture, 1);

    fake_reset();
    f->ram = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    f->rom = mmap(NULL, 64 * KiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    f->m.mem = bus_new("memory", 1ULL << 32, LOG_MMIO);
    f->m.io = bus_new("io", 0x10000, LOG_IOPORT);
    assert_non_null(bus_add_ram(f->m.mem, "ram", 0, 2 * MiB, f->ram, false, NULL));
    assert_non_null(bus_add_ram(f->m.mem, "rom", 4 * GiB - 64 * KiB, 64 * KiB, f->rom, true,
                                NULL));
    assert_non_null(bus_add_io(f->m.mem, "dev", 0xfec00000, 0x1000, &rec_ops, &f->mmio, NULL));
    assert_non_null(bus_add_io(f->m.io, "ports", 0, 0x10000, &rec_ops, &f->ports, NULL));
    f->cpu = x86_cpu_new(0);
    f->cpu->int_ack = fake_int_ack;
    f->cpu->int_ack_opaque = f;
    f->m.cpu = f->cpu;
    f->m.accel = &kvm_accel_ops;
    f->cpu->cs.machine = &f->m;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;

    if (f->cpu->cs.accel || f->m.accel) {
        kvm_accel_ops.cleanup(&f->m);
    }
    x86_cpu_free(f->cpu);
    bus_free(f->m.mem);
    bus_free(f->m.io);
    munmap(f->ram, 2 * MiB);
    munmap(f->rom, 64 * KiB);
    g_free(f);
    fake_reset();
    exit_on_write = NULL;
    return 0;
}

static void start(Fixture *f)
{
    GError *err = NULL;

    if (kvm_accel_ops.init(&f->m, NULL, &err) < 0 ||
        kvm_accel_ops.vcpu_init(&f->cpu->cs, &err) < 0) {
        fail_msg("%s", err->message);
    }
}

static void add_step(Step s)
{
    assert_true(fk.nsteps < MAX_STEPS);
    fk.steps[fk.nsteps++] = s;
}

/* ---- tests ---- */

static void test_init_sets_fixed_pages_and_maps_ram_and_rom(void **state)
{
    Fixture *f = *state;

    start(f);
    assert_int_equal(fk.identity_addr, 0xfeffc000);
    assert_int_equal(fk.tss_addr, 0xfeffd000);
    assert_int_equal(fk.slots[0].guest_phys_addr, 0);
    assert_int_equal(fk.slots[0].memory_size, 2 * MiB);
    assert_int_equal(fk.slots[0].userspace_addr, (uintptr_t)f->ram);
    assert_int_equal(fk.slots[0].flags, 0);
    assert_int_equal(fk.slots[1].guest_phys_addr, 4 * GiB - 64 * KiB);
    assert_int_equal(fk.slots[1].flags, KVM_MEM_READONLY);
    assert_int_equal(fk.slot_calls, 2);     /* the I/O region is no slot */
}

static void test_slots_follow_regions_added_and_removed_later(void **state)
{
    Fixture *f = *state;
    uint8_t *vram = mmap(NULL, 64 * KiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                         -1, 0);
    BusRegion *r;

    start(f);
    r = bus_add_ram(f->m.mem, "vram", 0xe0000000, 64 * KiB, vram, false, NULL);
    assert_non_null(r);
    assert_int_equal(fk.slots[2].guest_phys_addr, 0xe0000000);
    assert_int_equal(fk.slots[2].memory_size, 64 * KiB);
    bus_remove(f->m.mem, r);
    assert_int_equal(fk.slots[2].memory_size, 0);
    r = bus_add_ram(f->m.mem, "vram2", 0xe1000000, 64 * KiB, vram, false, NULL);
    assert_int_equal(fk.slots[2].guest_phys_addr, 0xe1000000);   /* the free slot again */
    munmap(vram, 64 * KiB);
}

static void test_regions_removed_after_cleanup_are_ignored(void **state)
{
    Fixture *f = *state;
    uint8_t *vram = mmap(NULL, 64 * KiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                         -1, 0);
    BusRegion *r;
    int calls;

    start(f);
    r = bus_add_ram(f->m.mem, "vram", 0xe0000000, 64 * KiB, vram, false, NULL);
    kvm_accel_ops.cleanup(&f->m);
    f->m.accel = NULL;
    calls = fk.slot_calls;
    bus_remove(f->m.mem, r);            /* the board tearing down: no KVM any more */
    assert_int_equal(fk.slot_calls, calls);
    munmap(vram, 64 * KiB);
}

static void test_rom_without_readonly_capability_is_mapped_writable(void **state)
{
    Fixture *f = *state;

    fk.readonly_mem = false;
    start(f);
    assert_int_equal(fk.slots[1].guest_phys_addr, 4 * GiB - 64 * KiB);
    assert_int_equal(fk.slots[1].flags, 0);
}

static void test_wrong_api_version_is_refused(void **state)
{
    Fixture *f = *state;
    GError *err = NULL;

    fk.api_version = 11;
    assert_int_equal(kvm_accel_ops.init(&f->m, NULL, &err), -1);
    assert_string_equal(err->message, "-accel kvm: /dev/kvm has API version 11, vireo needs 12");
    g_error_free(err);
    f->m.accel = NULL;
}

static void test_vcpu_gets_filtered_cpuid_signal_mask_and_accepted_msrs(void **state)
{
    Fixture *f = *state;
    bool saw_leaf1 = false;

    x86_cpuid_find(&f->cpu->env, 1, 0)->ecx |= CPUID_EXT_X2APIC;
    start(f);
    assert_int_equal(fk.sigmask_len, 8);
    for (int i = 0; i < fk.ncpuid; i++) {
        if (fk.cpuid[i].function == 1) {
            saw_leaf1 = true;
            assert_false(fk.cpuid[i].ecx & CPUID_EXT_X2APIC);
            assert_false(fk.cpuid[i].ecx & (1u << 24));
        }
    }
    assert_true(saw_leaf1);
    assert_false(x86_cpuid_find(&f->cpu->env, 1, 0)->ecx & CPUID_EXT_X2APIC);

    /* the refused PAT is not written; the others are */
    f->cpu->env.pat = 0x1234;
    f->cpu->env.lstar = 0xffffffff81000000ULL;
    add_step((Step){ .reason = KVM_EXIT_HLT });
    assert_int_equal(kvm_accel_ops.vcpu_run(&f->cpu->cs), ACCEL_EXIT_HALT);
    assert_int_equal(fk.msr_values[0x277], 0);
    assert_int_equal(fk.msr_values[0x1a0], 0);      /* refused on write: skipped... */
    assert_int_equal(fk.msr_values[0x0082], 0xffffffff81000000ULL);   /* ...the rest set */
    assert_int_equal(fk.msr_values[0x0010], f->cpu->env.tsc);
}

static void test_run_pushes_env_handles_io_and_reads_back_on_hlt(void **state)
{
    Fixture *f = *state;

    start(f);
    f->cpu->env.rip = 0x7c00;
    f->ports.next_read = 0x5a;
    add_step((Step){ .reason = KVM_EXIT_IO, .io_dir = KVM_EXIT_IO_OUT, .io_size = 1,
                     .io_port = 0x3f8, .io_count = 2, .io_data = { 'h', 'i' } });
    add_step((Step){ .reason = KVM_EXIT_IO, .io_dir = KVM_EXIT_IO_IN, .io_size = 1,
                     .io_port = 0x60, .io_count = 1 });
    add_step((Step){ .reason = KVM_EXIT_MMIO, .mmio_addr = 0xfec00010, .mmio_write = 1,
                     .mmio_len = 4, .mmio_data = { 0x78, 0x56, 0x34, 0x12 } });
    add_step((Step){ .reason = KVM_EXIT_HLT });
    assert_int_equal(kvm_accel_ops.vcpu_run(&f->cpu->cs), ACCEL_EXIT_HALT);
    assert_int_equal(fk.set_regs_calls, 1);
    assert_int_equal(fk.runs, 4);
    assert_int_equal(f->ports.n, 2);
    assert_int_equal(f->ports.addr[0], 0x3f8);
    assert_int_equal(f->ports.val[0], 'h');
    assert_int_equal(f->ports.val[1], 'i');
    assert_int_equal(fk.in_data_seen[1], 0x5a);
    assert_int_equal(f->mmio.n, 1);
    assert_int_equal(f->mmio.addr[0], 0x10);
    assert_int_equal(f->mmio.val[0], 0x12345678);
    assert_int_equal(f->cpu->env.rip, 0x7c00 + 4);  /* read back after the HLT */

    /* env is clean now: the next run does not push it again */
    add_step((Step){ .reason = KVM_EXIT_HLT });
    assert_int_equal(kvm_accel_ops.vcpu_run(&f->cpu->cs), ACCEL_EXIT_HALT);
    assert_int_equal(fk.set_regs_calls, 1);
    kvm_accel_ops.sync_env_to_vcpu(&f->cpu->cs);
    add_step((Step){ .reason = KVM_EXIT_HLT });
    assert_int_equal(kvm_accel_ops.vcpu_run(&f->cpu->cs), ACCEL_EXIT_HALT);
    assert_int_equal(fk.set_regs_calls, 2);
}

static void test_interrupt_waits_for_window_then_is_injected(void **state)
{
    Fixture *f = *state;

    start(f);
    f->vector = 0x30;
    g_atomic_int_or(&f->cpu->cs.interrupt_request, CPU_INTERRUPT_HARD);
    add_step((Step){ .reason = KVM_EXIT_IRQ_WINDOW_OPEN, .ready = 1 });
    add_step((Step){ .reason = KVM_EXIT_HLT, .ready = 1 });
    assert_int_equal(kvm_accel_ops.vcpu_run(&f->cpu->cs), ACCEL_EXIT_HALT);
    assert_int_equal(fk.window_seen[0], 1);     /* not ready yet: window requested */
    assert_int_equal(f->acks, 1);
    assert_int_equal(fk.ninterrupts, 1);
    assert_int_equal(fk.interrupts[0], 0x30);
    assert_int_equal(fk.window_seen[1], 0);     /* nothing more pending */
}

static void test_vanished_interrupt_clears_the_request(void **state)
{
    Fixture *f = *state;

    start(f);
    f->vector = -1;
    add_step((Step){ .reason = KVM_EXIT_IRQ_WINDOW_OPEN, .ready = 1 });
    add_step((Step){ .reason = KVM_EXIT_HLT, .ready = 1 });
    g_atomic_int_or(&f->cpu->cs.interrupt_request, CPU_INTERRUPT_HARD);
    assert_int_equal(kvm_accel_ops.vcpu_run(&f->cpu->cs), ACCEL_EXIT_HALT);
    assert_int_equal(fk.ninterrupts, 0);
    assert_false(f->cpu->cs.interrupt_request & CPU_INTERRUPT_HARD);
}

static void test_nmi_is_injected_with_kvm_nmi(void **state)
{
    Fixture *f = *state;

    start(f);
    g_atomic_int_or(&f->cpu->cs.interrupt_request, CPU_INTERRUPT_NMI);
    add_step((Step){ .reason = KVM_EXIT_HLT });
    assert_int_equal(kvm_accel_ops.vcpu_run(&f->cpu->cs), ACCEL_EXIT_HALT);
    assert_int_equal(fk.nmis, 1);
    assert_false(f->cpu->cs.interrupt_request & CPU_INTERRUPT_NMI);
}

static void test_eintr_and_exit_request_return_none(void **state)
{
    Fixture *f = *state;

    start(f);
    add_step((Step){ .err = EINTR });
    assert_int_equal(kvm_accel_ops.vcpu_run(&f->cpu->cs), ACCEL_EXIT_NONE);
    assert_int_equal(fk.runs, 1);
    g_atomic_int_set(&f->cpu->cs.exit_request, 1);
    assert_int_equal(kvm_accel_ops.vcpu_run(&f->cpu->cs), ACCEL_EXIT_NONE);
    assert_int_equal(fk.runs, 1);               /* no KVM_RUN at all */
}

static void test_leaving_after_an_io_exit_completes_it_first(void **state)
{
    Fixture *f = *state;

    start(f);
    exit_on_write = &f->cpu->cs.exit_request;
    add_step((Step){ .reason = KVM_EXIT_IO, .io_dir = KVM_EXIT_IO_OUT, .io_size = 1,
                     .io_port = 0x92, .io_count = 1, .io_data = { 1 } });
    add_step((Step){ .reason = KVM_EXIT_HLT });
    assert_int_equal(kvm_accel_ops.vcpu_run(&f->cpu->cs), ACCEL_EXIT_NONE);
    assert_int_equal(fk.runs, 1);
    assert_int_equal(fk.completions, 1);
    assert_int_equal(fk.run->immediate_exit, 0);
    assert_int_equal(f->ports.n, 1);
    assert_int_equal(f->cpu->env.rip, 0xfff0 + 2);  /* read back after completion */
}

/* Runs the next step: it must fail with an error report (and a register
 * dump) on stderr that contains what. */
static void run_expecting_error(Fixture *f, const char *what)
{
    capture_stderr_begin();
    AccelExit e = kvm_accel_ops.vcpu_run(&f->cpu->cs);
    g_autofree char *err = capture_stderr_end();

    assert_int_equal(e, ACCEL_EXIT_ERROR);
    if (!strstr(err, what) || !strstr(err, "RAX=")) {
        fail_msg("expected \"%s\" and a register dump on stderr, got: %s", what, err);
    }
}

static void test_shutdown_and_emulation_failure(void **state)
{
    Fixture *f = *state;

    start(f);
    add_step((Step){ .reason = KVM_EXIT_SHUTDOWN });
    assert_int_equal(kvm_accel_ops.vcpu_run(&f->cpu->cs), ACCEL_EXIT_SHUTDOWN);
    add_step((Step){ .reason = KVM_EXIT_INTERNAL_ERROR,
                     .suberror = KVM_INTERNAL_ERROR_EMULATION });
    run_expecting_error(f, "emulation failure");
    add_step((Step){ .reason = KVM_EXIT_FAIL_ENTRY });
    run_expecting_error(f, "VM entry failed");
    add_step((Step){ .reason = KVM_EXIT_HYPERCALL });
    run_expecting_error(f, "unexpected exit KVM_EXIT_HYPERCALL");
}

static void test_breakpoints_fill_four_debug_registers(void **state)
{
    Fixture *f = *state;
    CPUState *cs = &f->cpu->cs;

    start(f);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(kvm_accel_ops.insert_breakpoint(cs, 1, 0x1000 + i, 1), 0);
    }
    assert_int_equal(kvm_accel_ops.insert_breakpoint(cs, 0, 0x2000, 1), -1);
    assert_int_equal(fk.guest_debug.arch.debugreg[3], 0x1003);
    assert_int_equal(fk.guest_debug.control, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP);
    assert_int_equal(kvm_accel_ops.remove_breakpoint(cs, 1, 0x1001, 1), 0);
    assert_int_equal(kvm_accel_ops.remove_breakpoint(cs, 1, 0x1001, 1), -1);
    assert_int_equal(kvm_accel_ops.insert_breakpoint(cs, 2, 0x3000, 4), 0);
    assert_int_equal(fk.guest_debug.arch.debugreg[1], 0x3000);
    add_step((Step){ .reason = KVM_EXIT_DEBUG });
    assert_int_equal(kvm_accel_ops.vcpu_run(cs), ACCEL_EXIT_DEBUG);
    for (int i = 0; i < 4; i++) {
        (void)kvm_accel_ops.remove_breakpoint(cs, i == 1 ? 2 : 1, i == 1 ? 0x3000 : 0x1000 + i,
                                              i == 1 ? 4 : 1);
    }
    assert_int_equal(fk.guest_debug.control, 0);
    kvm_accel_ops.set_single_step(cs, true);
    assert_int_equal(fk.guest_debug.control, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP);
}

/* ---- the VGA framebuffer through KVM's dirty log ---- */

typedef struct VgaFixture {
    Machine m;
    DisplayConsole *con;
    VGAState *vga;
    int lfb_slot;
} VgaFixture;

static int vga_log_through_accel(void *opaque, uint64_t base, uint64_t size, uint64_t *bitmap)
{
    Machine *m = opaque;
    return m->accel->dirty_log_sync(m, base, size, bitmap);
}

static void vga_vbe(VgaFixture *v, uint16_t index, uint16_t val)
{
    bus_write(v->m.io, 0x1ce, index, 2);
    bus_write(v->m.io, 0x1cf, val, 2);
}

/* The board's wiring under KVM: VGA with the framebuffer as RAM and
 * KVM's dirty log, in a 640x480x32 VBE mode, rendered once. */
static VgaFixture *vga_fixture_new(void)
{
    VgaFixture *v = g_new0(VgaFixture, 1);
    GError *err = NULL;

    fake_reset();
    v->m.mem = bus_new("memory", 1ULL << 32, LOG_MMIO);
    v->m.io = bus_new("io", 0x10000, LOG_IOPORT);
    v->m.cpu = x86_cpu_new(0);
    v->m.cpu->cs.machine = &v->m;
    v->m.accel = &kvm_accel_ops;
    v->con = console_new();
    v->vga = vga_new(v->m.io, v->m.mem, v->con, NULL);
    assert_non_null(v->vga);
    assert_int_equal(vga_lfb_map_ram(v->vga, NULL), 0);
    vga_set_dirty_log(v->vga, vga_log_through_accel, &v->m);
    if (kvm_accel_ops.init(&v->m, NULL, &err) < 0) {
        fail_msg("%s", err->message);
    }
    v->lfb_slot = -1;
    for (int i = 0; i < 8; i++) {
        if (fk.slots[i].guest_phys_addr == VGA_LFB_BASE && fk.slots[i].memory_size) {
            v->lfb_slot = i;
        }
    }
    assert_true(v->lfb_slot >= 0);
    vga_vbe(v, 1, 640);
    vga_vbe(v, 2, 480);
    vga_vbe(v, 3, 32);
    vga_vbe(v, 4, 0x41);
    vga_update_display(v->vga);
    return v;
}

static void vga_fixture_free(VgaFixture *v)
{
    kvm_accel_ops.cleanup(&v->m);
    vga_free(v->vga);
    console_free(v->con);
    x86_cpu_free(v->m.cpu);
    bus_free(v->m.mem);
    bus_free(v->m.io);
    g_free(v);
    fake_reset();
}

/* A pixel written by the guest straight into video memory (no exit). */
static void vga_guest_pixel(VgaFixture *v, int x, int y, uint32_t rgb)
{
    memcpy(vga_vram(v->vga) + ((size_t)y * 640 + x) * 4, &rgb, 4);
}

static uint32_t vga_shown(VgaFixture *v, int x, int y)
{
    return surface_row(console_surface(v->con), y)[x] & 0xffffff;
}

static void test_dirty_log_rerenders_reported_pages_and_not_the_others(void **state)
{
    VgaFixture *v = vga_fixture_new();
    int x, y, w, h;
    size_t page200 = (200 * 640 * 4) >> 12, page400 = (400 * 640 * 4) >> 12;

    /* The first refresh started the log on the framebuffer's slot. */
    assert_true(fk.slots[v->lfb_slot].flags & KVM_MEM_LOG_DIRTY_PAGES);
    assert_true(console_take_dirty(v->con, &x, &y, &w, &h));
    vga_update_display(v->vga);
    assert_false(console_take_dirty(v->con, &x, &y, &w, &h));
    assert_int_equal(fk.dirty_log_calls, 1);

    /* Reported: line 200 is redrawn. Not reported: line 400 is not. */
    vga_guest_pixel(v, 10, 200, 0xabcdef);
    vga_guest_pixel(v, 10, 400, 0x123456);
    fk.dirty[v->lfb_slot][page200 / 64] |= 1ULL << (page200 % 64);
    vga_update_display(v->vga);
    assert_int_equal(fk.dirty_log_calls, 2);
    assert_true(console_take_dirty(v->con, &x, &y, &w, &h));
    assert_true(y <= 200 && y + h > 200 && y + h <= 400);
    assert_int_equal(vga_shown(v, 10, 200), 0xabcdef);
    assert_int_equal(vga_shown(v, 10, 400), 0);

    /* Reported later: then it shows. */
    fk.dirty[v->lfb_slot][page400 / 64] |= 1ULL << (page400 % 64);
    vga_update_display(v->vga);
    assert_int_equal(vga_shown(v, 10, 400), 0x123456);
    vga_fixture_free(v);
}

static void test_failing_dirty_log_falls_back_to_comparison(void **state)
{
    VgaFixture *v = vga_fixture_new();
    int x, y, w, h;
    g_autofree char *err = NULL;

    assert_true(console_take_dirty(v->con, &x, &y, &w, &h));
    vga_guest_pixel(v, 20, 300, 0x00ff00);
    fk.dirty_log_err = EFAULT;
    capture_stderr_begin();
    vga_update_display(v->vga);
    err = capture_stderr_end();
    assert_non_null(strstr(err, "dirty log failed"));
    /* Everything redrawn, the unreported pixel included. */
    assert_true(console_take_dirty(v->con, &x, &y, &w, &h));
    assert_true(y == 0 && h == 480);
    assert_int_equal(vga_shown(v, 20, 300), 0x00ff00);
    /* From now on changes are found by comparing copies, without the log. */
    int calls = fk.dirty_log_calls;
    vga_guest_pixel(v, 30, 100, 0x0000ff);
    vga_update_display(v->vga);
    assert_int_equal(fk.dirty_log_calls, calls);
    assert_true(console_take_dirty(v->con, &x, &y, &w, &h));
    assert_true(y <= 100 && y + h > 100 && h <= 3);
    assert_int_equal(vga_shown(v, 30, 100), 0x0000ff);
    vga_fixture_free(v);
}

#define FAKE_TEST(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        FAKE_TEST(test_init_sets_fixed_pages_and_maps_ram_and_rom),
        FAKE_TEST(test_slots_follow_regions_added_and_removed_later),
        FAKE_TEST(test_regions_removed_after_cleanup_are_ignored),
        FAKE_TEST(test_rom_without_readonly_capability_is_mapped_writable),
        FAKE_TEST(test_wrong_api_version_is_refused),
        FAKE_TEST(test_vcpu_gets_filtered_cpuid_signal_mask_and_accepted_msrs),
        FAKE_TEST(test_run_pushes_env_handles_io_and_reads_back_on_hlt),
        FAKE_TEST(test_interrupt_waits_for_window_then_is_injected),
        FAKE_TEST(test_vanished_interrupt_clears_the_request),
        FAKE_TEST(test_nmi_is_injected_with_kvm_nmi),
        FAKE_TEST(test_eintr_and_exit_request_return_none),
        FAKE_TEST(test_leaving_after_an_io_exit_completes_it_first),
        FAKE_TEST(test_shutdown_and_emulation_failure),
        FAKE_TEST(test_breakpoints_fill_four_debug_registers),
        cmocka_unit_test(test_dirty_log_rerenders_reported_pages_and_not_the_others),
        cmocka_unit_test(test_failing_dirty_log_falls_back_to_comparison),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
