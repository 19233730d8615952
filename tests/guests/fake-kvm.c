/*
 * fake-kvm.c: an LD_PRELOAD library that stands in for /dev/kvm, so
 * tests/check-guests.sh can drive the whole of `vireo -accel kvm` (board,
 * vCPU thread, kick signal, reset, shutdown) on hosts without KVM. It
 * interposes open(), ioctl() and mmap(): "/dev/kvm" and the descriptors
 * it hands out are answered here, everything else goes to the C library.
 *
 * No guest code runs. KVM_RUN plays a script chosen by FAKE_KVM_SCRIPT:
 *   reset  - writes "first\n" to COM1, resets through port 0x92, then spins
 *            (blocks in KVM_RUN until a kick); after the reset reloads
 *            the registers it writes "second\n" and ends with debug-exit 0;
 *   block  - blocks in KVM_RUN until kicked, forever (vireo must still end
 *            promptly on SIGTERM);
 *   irq    - programs the real i8259 pair and PIT (100 Hz on IRQ0) with the
 *            port writes a guest would make, sets IF and halts; each vector
 *            vireo injects is printed on COM1 ("vector 20"), followed by an
 *            EOI and HLT; after five it ends with debug-exit 0;
 *   apic   - the same through MMIO exits to the real local APIC: reads its
 *            version register (printed), enables it, runs its timer
 *            periodic on vector 0x41, EOIs by MMIO, five interrupts.
 * KVM_GET_DIRTY_LOG answers "nothing written" for a slot registered with
 * KVM_MEM_LOG_DIRTY_PAGES (the VGA framebuffer), ENOENT for others.
 * Built by check-guests.sh with the host compiler; not part of libvireo.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>
#include <linux/kvm.h>

#define IO_DATA_OFFSET 4096

static int kvm_fd = -1, vm_fd = -1, vcpu_fd = -1;
static struct kvm_run *run;
static sigset_t run_mask;           /* the mask KVM_SET_SIGNAL_MASK gave */
static struct kvm_regs regs;
static struct kvm_sregs sregs;
static int reg_loads;               /* KVM_SET_REGS calls: 2 means "after the reset" */
static int pos;                     /* the script's position in the current boot */

/* The "irq"/"apic" scripts: accesses still to make, and the injections
 * seen. kind: 0 port write, 1 MMIO write (4 bytes), 2 MMIO read whose
 * value's low byte is then printed in hex. */
static struct { int kind; uint64_t addr; uint32_t value; } outq[64];
static int outq_len, outq_pos;
static int injected = -1;           /* the vector KVM_INTERRUPT queued, or -1 */
static int ticks;
static int irq_started;

static int (*real_open)(const char *, int, ...);
static int (*real_ioctl)(int, unsigned long, ...);
static void *(*real_mmap)(void *, size_t, int, int, int, off_t);

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
        kvm_fd = real_open("/dev/null", O_RDWR | O_CLOEXEC);
        return kvm_fd;
    }
    return real_open(path, flags, mode);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    if (!real_mmap) {
        real_mmap = (void *(*)(void *, size_t, int, int, int, off_t))dlsym(RTLD_NEXT, "mmap");
    }
    if (fd >= 0 && fd == vcpu_fd) {
        run = real_mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return run;
    }
    return real_mmap(addr, len, prot, flags, fd, off);
}

static int fail(int e)
{
    errno = e;
    return -1;
}

static void exit_out(uint16_t port, uint8_t value)
{
    run->exit_reason = KVM_EXIT_IO;
    run->io.direction = KVM_EXIT_IO_OUT;
    run->io.size = 1;
    run->io.port = port;
    run->io.count = 1;
    run->io.data_offset = IO_DATA_OFFSET;
    ((uint8_t *)run)[IO_DATA_OFFSET] = value;
}

/* A guest that never exits: KVM_RUN sleeps until a signal the mask lets in. */
static int spin_until_kicked(void)
{
    sigsuspend(&run_mask);
    run->exit_reason = KVM_EXIT_INTR;
    return fail(EINTR);
}

static void outq_add_kind(int kind, uint64_t addr, uint32_t value)
{
    if (outq_len < (int)(sizeof(outq) / sizeof(outq[0]))) {
        outq[outq_len].kind = kind;
        outq[outq_len].addr = addr;
        outq[outq_len++].value = value;
    }
}

static void outq_add(uint16_t port, uint8_t value)
{
    outq_add_kind(0, port, value);
}

static void exit_mmio(uint64_t addr, uint32_t value, int is_write)
{
    run->exit_reason = KVM_EXIT_MMIO;
    run->mmio.phys_addr = addr;
    run->mmio.len = 4;
    run->mmio.is_write = (uint8_t)is_write;
    memcpy(run->mmio.data, &value, 4);
}

static int mmio_read_pending;   /* the last exit was an MMIO read to print */

static void outq_add_str(const char *str)
{
    while (*str) {
        outq_add(0x3f8, (uint8_t)*str++);
    }
}

#define LAPIC 0xfee00000ULL

/* One queued access per KVM_RUN, else HLT or the end. */
static int irq_run(int apic)
{
    static const uint8_t pic_init[][2] = {
        { 0x20, 0x11 }, { 0xa0, 0x11 }, { 0x21, 0x20 }, { 0xa1, 0x28 },
        { 0x21, 0x04 }, { 0xa1, 0x02 }, { 0x21, 0x01 }, { 0xa1, 0x01 },
        { 0x21, 0xfe }, { 0xa1, 0xff },
    };
    static const char hex[] = "0123456789abcdef";

    if (mmio_read_pending) {                    /* the value vireo put there */
        uint32_t v;
        char line[] = "apic version xx\n";
        memcpy(&v, run->mmio.data, 4);
        line[13] = hex[(v >> 4) & 15];
        line[14] = hex[v & 15];
        mmio_read_pending = 0;
        outq_add_str(line);
    }
    if (!irq_started) {
        irq_started = 1;
        outq_len = outq_pos = 0;
        for (unsigned i = 0; i < sizeof(pic_init) / sizeof(pic_init[0]); i++) {
            outq_add(pic_init[i][0], pic_init[i][1]);
        }
        if (apic) {
            outq_add(0x21, 0xff);                           /* PIC all masked */
            outq_add_kind(2, LAPIC + 0x30, 0);              /* version */
            outq_add_kind(1, LAPIC + 0xf0, 0x1ff);          /* SVR: enable */
            outq_add_kind(1, LAPIC + 0x3e0, 0xb);           /* divide by 1 */
            outq_add_kind(1, LAPIC + 0x320, 0x20041);       /* periodic, 0x41 */
            outq_add_kind(1, LAPIC + 0x380, 1000000);       /* 1 ms */
        } else {
            outq_add(0x43, 0x34);               /* PIT channel 0, mode 2 */
            outq_add(0x40, 11932 & 0xff);
            outq_add(0x40, 11932 >> 8);
        }
    }
    if (injected >= 0) {                        /* the "handler" */
        char line[] = "vector xx\n";
        line[7] = hex[(injected >> 4) & 15];
        line[8] = hex[injected & 15];
        outq_add_str(line);
        if (apic) {
            outq_add_kind(1, LAPIC + 0xb0, 0);  /* EOI */
        } else {
            outq_add(0x20, 0x20);               /* EOI */
        }
        injected = -1;
        ticks++;
    }
    run->ready_for_interrupt_injection = 0;
    if (outq_pos < outq_len) {
        if (outq[outq_pos].kind == 0) {
            exit_out((uint16_t)outq[outq_pos].addr, (uint8_t)outq[outq_pos].value);
        } else {
            exit_mmio(outq[outq_pos].addr, outq[outq_pos].value, outq[outq_pos].kind == 1);
            mmio_read_pending = outq[outq_pos].kind == 2;
        }
        outq_pos++;
        return 0;
    }
    outq_len = outq_pos = 0;
    if (ticks >= 5) {
        exit_out(0x501, 0);
        return 0;
    }
    regs.rflags |= 0x200;                       /* sti; hlt */
    run->exit_reason = KVM_EXIT_HLT;
    run->ready_for_interrupt_injection = 1;
    run->if_flag = 1;
    return 0;
}

static int fake_run(void)
{
    static const char first[] = "first\n", second[] = "second\n";
    const char *script = getenv("FAKE_KVM_SCRIPT");

    if (run->immediate_exit) {
        run->exit_reason = KVM_EXIT_INTR;
        return fail(EINTR);
    }
    if (script && (strcmp(script, "irq") == 0 || strcmp(script, "apic") == 0)) {
        return irq_run(strcmp(script, "apic") == 0);
    }
    if (!script || strcmp(script, "reset") != 0) {
        return spin_until_kicked();
    }
    if (reg_loads < 2) {
        if (first[pos]) {
            exit_out(0x3f8, (uint8_t)first[pos++]);
            return 0;
        }
        if (pos++ == (int)strlen(first)) {
            exit_out(0x92, 1);
            return 0;
        }
        return spin_until_kicked();
    }
    if (second[pos]) {
        exit_out(0x3f8, (uint8_t)second[pos++]);
        return 0;
    }
    exit_out(0x501, 0);
    return 0;
}

static int system_ioctl(unsigned long req, void *arg)
{
    struct kvm_cpuid2 *c = arg;

    switch (req) {
    case KVM_GET_API_VERSION:
        return KVM_API_VERSION;
    case KVM_CHECK_EXTENSION:
        return (long)arg == KVM_CAP_NR_MEMSLOTS ? 32 : 1;
    case KVM_CREATE_VM:
        vm_fd = dup(kvm_fd);
        return vm_fd;
    case KVM_GET_VCPU_MMAP_SIZE:
        return 2 * IO_DATA_OFFSET;
    case KVM_GET_SUPPORTED_CPUID:
        if (c->nent < 2) {
            return fail(E2BIG);
        }
        c->nent = 2;
        memset(c->entries, 0, 2 * sizeof(c->entries[0]));
        c->entries[0].eax = 0xd;
        c->entries[1].function = 1;
        c->entries[1].ecx = ~0u;
        c->entries[1].edx = ~0u;
        return 0;
    }
    return fail(EINVAL);
}

/* Slot sizes, for the dirty log; the fake keeps no other memory map. */
#define FAKE_SLOTS 32
static uint64_t slot_size[FAKE_SLOTS];

/* KVM_GET_DIRTY_LOG: no guest code runs, so no page was written. */
static int get_dirty_log(struct kvm_dirty_log *d)
{
    if (d->slot >= FAKE_SLOTS || !slot_size[d->slot]) {
        return fail(ENOENT);
    }
    memset(d->dirty_bitmap, 0, (slot_size[d->slot] / 4096 + 63) / 64 * 8);
    return 0;
}

static int vm_ioctl(unsigned long req, void *arg)
{
    switch (req) {
    case KVM_SET_IDENTITY_MAP_ADDR:
    case KVM_SET_TSS_ADDR:
        return 0;
    case KVM_SET_USER_MEMORY_REGION: {
        const struct kvm_userspace_memory_region *r = arg;
        if (r->slot >= FAKE_SLOTS) {
            return fail(EINVAL);
        }
        slot_size[r->slot] = r->flags & KVM_MEM_LOG_DIRTY_PAGES ? r->memory_size : 0;
        return 0;
    }
    case KVM_GET_DIRTY_LOG:
        return get_dirty_log(arg);
    case KVM_CREATE_VCPU:
        vcpu_fd = dup(kvm_fd);
        return vcpu_fd;
    }
    return fail(EINVAL);
}

static int vcpu_ioctl(unsigned long req, void *arg)
{
    switch (req) {
    case KVM_SET_SIGNAL_MASK: {
        struct kvm_signal_mask *m = arg;
        sigemptyset(&run_mask);
        memcpy(&run_mask, m->sigset, m->len < sizeof(run_mask) ? m->len : sizeof(run_mask));
        return 0;
    }
    case KVM_SET_REGS:
        regs = *(struct kvm_regs *)arg;
        reg_loads++;
        pos = 0;
        return 0;
    case KVM_GET_REGS:
        *(struct kvm_regs *)arg = regs;
        return 0;
    case KVM_SET_SREGS:
        sregs = *(struct kvm_sregs *)arg;
        return 0;
    case KVM_GET_SREGS:
        *(struct kvm_sregs *)arg = sregs;
        return 0;
    case KVM_GET_MSRS:
    case KVM_SET_MSRS:
        return (int)((struct kvm_msrs *)arg)->nmsrs;
    case KVM_GET_FPU:
        memset(arg, 0, sizeof(struct kvm_fpu));
        return 0;
    case KVM_GET_VCPU_EVENTS:
        memset(arg, 0, sizeof(struct kvm_vcpu_events));
        return 0;
    case KVM_GET_DEBUGREGS:
        memset(arg, 0, sizeof(struct kvm_debugregs));
        return 0;
    case KVM_INTERRUPT:
        if (injected >= 0) {
            return fail(EEXIST);            /* as KVM: one at a time */
        }
        injected = (int)((struct kvm_interrupt *)arg)->irq;
        return 0;
    case KVM_SET_CPUID2:
    case KVM_SET_FPU:
    case KVM_SET_VCPU_EVENTS:
    case KVM_SET_DEBUGREGS:
    case KVM_SET_GUEST_DEBUG:
    case KVM_NMI:
        return 0;
    case KVM_RUN:
        return fake_run();
    }
    return fail(EINVAL);
}

int ioctl(int fd, unsigned long req, ...)
{
    va_list ap;
    void *arg;

    va_start(ap, req);
    arg = va_arg(ap, void *);
    va_end(ap);
    if (fd >= 0 && fd == kvm_fd) {
        return system_ioctl(req, arg);
    }
    if (fd >= 0 && fd == vm_fd) {
        return vm_ioctl(req, arg);
    }
    if (fd >= 0 && fd == vcpu_fd) {
        return vcpu_ioctl(req, arg);
    }
    if (!real_ioctl) {
        real_ioctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
    }
    return real_ioctl(fd, req, arg);
}
