/*
 * test-kvm-run.c: the KVM accelerator on real /dev/kvm with a tiny
 * machine built here (RAM, a port bus with a recording device, an MMIO
 * region), running hand-assembled real-mode code: port output, string
 * output, an MMIO write, HLT, and an interrupt injected through the
 * int_ack hook. Exits 77 when /dev/kvm cannot be opened.
 */
#include "vireo/common.h"
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>
#include "vireo/log.h"
#include "accel/accel.h"
#include "accel/kvm.h"
#include "hw/bus.h"
#include "system/machine.h"
#include "target-x86/cpu.h"

#define RAM_SIZE (1 * MiB)
#define CODE     0x1000
#define HANDLER  0x1100

typedef struct Rec {
    uint16_t port[64];
    uint64_t val[64];
    int n;
} Rec;

typedef struct Fixture {
    Machine m;
    X86CPU *cpu;
    Rec ports;
    Rec mmio;
    int vector;         /* what int_ack returns */
} Fixture;

static uint64_t rec_read(void *opaque, uint64_t offset, unsigned size)
{
    return 0;
}

static void rec_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Rec *r = opaque;
    if (r->n < 64) {
        r->port[r->n] = (uint16_t)offset;
        r->val[r->n++] = value;
    }
}

static const BusOps rec_ops = { rec_read, rec_write };

static int fake_int_ack(void *opaque)
{
    Fixture *f = opaque;
    int v = f->vector;
    f->vector = -1;
    cpu_reset_interrupt(&f->cpu->cs, CPU_INTERRUPT_HARD);
    return v;
}

static int setup(void **state)
{
    Fixture *f = g_new0(Fixture, 1);
    GError *err = NULL;

    f->m.ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(f->m.ram != MAP_FAILED);
    f->m.ram_size = RAM_SIZE;
    f->m.mem = bus_new("memory", 1ULL << 32, LOG_MMIO);
    f->m.io = bus_new("io", 0x10000, LOG_IOPORT);
    assert_non_null(bus_add_ram(f->m.mem, "ram", 0, 0xa0000, f->m.ram, false, NULL));
    assert_non_null(bus_add_io(f->m.mem, "rec-mmio", 0xa0000, 0x10000, &rec_ops, &f->mmio, NULL));
    assert_non_null(bus_add_io(f->m.io, "rec-io", 0, 0x10000, &rec_ops, &f->ports, NULL));
    f->cpu = x86_cpu_new(0);
    f->cpu->int_ack = fake_int_ack;
    f->cpu->int_ack_opaque = f;
    f->vector = -1;
    f->m.cpu = f->cpu;
    f->m.accel = &kvm_accel_ops;
    f->cpu->cs.machine = &f->m;
    if (kvm_accel_ops.init(&f->m, NULL, &err) < 0 ||
        kvm_accel_ops.vcpu_init(&f->cpu->cs, &err) < 0) {
        fail_msg("%s", err->message);
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;

    kvm_accel_ops.cleanup(&f->m);
    x86_cpu_free(f->cpu);
    bus_free(f->m.mem);
    bus_free(f->m.io);
    munmap(f->m.ram, RAM_SIZE);
    g_free(f);
    return 0;
}

/* Real mode, CS = 0, IP = CODE. */
static void start_at_code(Fixture *f, const uint8_t *code, size_t len)
{
    X86CPUState *env = &f->cpu->env;

    memcpy(f->m.ram + CODE, code, len);
    x86_cpu_reset(f->cpu);
    x86_seg_load_cache(env, R_CS, 0, 0, 0xffff, env->segs[R_CS].flags);
    env->rip = CODE;
    env->regs[R_ESP] = 0x8000;
    kvm_accel_ops.sync_env_to_vcpu(&f->cpu->cs);
}

static void test_out_then_hlt_reaches_the_port_bus_and_halts(void **state)
{
    Fixture *f = *state;
    static const uint8_t code[] = {
        0xba, 0xf8, 0x03,       /* mov $0x3f8, %dx */
        0xb0, 'K',              /* mov $'K', %al */
        0xee,                   /* out %al, %dx */
        0xf4,                   /* hlt */
    };

    start_at_code(f, code, sizeof(code));
    assert_int_equal(kvm_accel_ops.vcpu_run(&f->cpu->cs), ACCEL_EXIT_HALT);
    assert_int_equal(f->ports.n, 1);
    assert_int_equal(f->ports.port[0], 0x3f8);
    assert_int_equal(f->ports.val[0], 'K');
    assert_int_equal(f->cpu->env.rip, CODE + sizeof(code));
}

static void test_rep_outsb_and_mmio_write(void **state)
{
    Fixture *f = *state;
    static const uint8_t code[] = {
        0xbe, 0x00, 0x12,       /* mov $0x1200, %si */
        0xb9, 0x03, 0x00,       /* mov $3, %cx */
        0xba, 0x80, 0x00,       /* mov $0x80, %dx */
        0xf3, 0x6e,             /* rep outsb */
        0xb8, 0x00, 0xa0,       /* mov $0xa000, %ax */
        0x8e, 0xd8,             /* mov %ax, %ds */
        0xc6, 0x06, 0x10, 0x00, 0x5a,   /* movb $0x5a, 0x10 */
        0xf4,                   /* hlt */
    };

    memcpy(f->m.ram + 0x1200, "abc", 3);
    start_at_code(f, code, sizeof(code));
    assert_int_equal(kvm_accel_ops.vcpu_run(&f->cpu->cs), ACCEL_EXIT_HALT);
    assert_int_equal(f->ports.n, 3);
    assert_int_equal(f->ports.val[0], 'a');
    assert_int_equal(f->ports.val[2], 'c');
    assert_int_equal(f->mmio.n, 1);
    assert_int_equal(f->mmio.port[0], 0x10);
    assert_int_equal(f->mmio.val[0], 0x5a);
}

static void test_interrupt_is_injected_through_int_ack(void **state)
{
    Fixture *f = *state;
    static const uint8_t code[] = {
        0xfb,                   /* sti */
        0xf4,                   /* hlt */
        0xf4,                   /* hlt */
    };
    static const uint8_t handler[] = {
        0xb0, 0x99,             /* mov $0x99, %al */
        0xe6, 0x80,             /* out %al, $0x80 */
        0xcf,                   /* iret */
    };
    uint16_t ivt[2] = { HANDLER, 0 };

    memcpy(f->m.ram + HANDLER, handler, sizeof(handler));
    memcpy(f->m.ram + 0x20 * 4, ivt, sizeof(ivt));
    start_at_code(f, code, sizeof(code));
    assert_int_equal(kvm_accel_ops.vcpu_run(&f->cpu->cs), ACCEL_EXIT_HALT);
    assert_true(f->cpu->env.eflags & IF_MASK);
    f->vector = 0x20;
    g_atomic_int_or(&f->cpu->cs.interrupt_request, CPU_INTERRUPT_HARD);
    assert_int_equal(kvm_accel_ops.vcpu_run(&f->cpu->cs), ACCEL_EXIT_HALT);
    assert_int_equal(f->ports.n, 1);
    assert_int_equal(f->ports.port[0], 0x80);
    assert_int_equal(f->ports.val[0], 0x99);
    assert_int_equal(f->cpu->env.rip, CODE + 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_out_then_hlt_reaches_the_port_bus_and_halts,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_rep_outsb_and_mmio_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interrupt_is_injected_through_int_ack,
                                        setup, teardown),
    };
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        printf("test-kvm-run: skipped: /dev/kvm: %s\n", g_strerror(errno));
        return 77;
    }
    close(fd);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
