/*
 * test-pc-ferr.c: the PC board's x87 error logic (hw/pc/ferr.c) driven
 * through its ports and lines: the CPU's FERR# raises and lowers IRQ13; a
 * write to port 0xF0 lowers IRQ13 and asserts IGNNE# while FERR# is
 * asserted (and not otherwise); FERR# going away deasserts IGNNE#; reads
 * of 0xF0 are all ones; reset and a second claim of the port.
 */
#include "vireo/common.h"
#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>
#include "../../hw/pc/pc-internal.h"
#include "target-x86/cpu.h"

static int irq13;

static void on_irq13(void *opaque, int n, int level)
{
    (void)opaque;
    (void)n;
    irq13 = level;
}

typedef struct Fixture {
    Bus *io;
    X86CPU *cpu;
    IrqLine *line;
    PCFerr *ferr;
} Fixture;

static int setup(void **state)
{
    Fixture *f = g_new0(Fixture, 1);
    GError *err = NULL;

    f->io = bus_new("io", 0x10000, 0);
    f->cpu = x86_cpu_new(0);
    f->line = irq_new(on_irq13, NULL, 13);
    f->ferr = pc_ferr_new(f->io, f->cpu, f->line, &err);
    assert_non_null(f->ferr);
    irq13 = 0;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;

    pc_ferr_free(f->ferr);
    assert_null(f->cpu->ferr);
    irq_free(f->line);
    x86_cpu_free(f->cpu);
    bus_free(f->io);
    g_free(f);
    return 0;
}

static void test_ferr_drives_irq13(void **state)
{
    Fixture *f = *state;

    assert_non_null(f->cpu->ferr);
    irq_set(f->cpu->ferr, 1);
    assert_int_equal(irq13, 1);
    irq_set(f->cpu->ferr, 0);
    assert_int_equal(irq13, 0);
}

static void test_port_f0_lowers_irq13_and_asserts_ignne_while_ferr(void **state)
{
    Fixture *f = *state;

    irq_set(f->cpu->ferr, 1);
    bus_write(f->io, 0xf0, 0x00, 1);
    assert_int_equal(irq13, 0);
    assert_true(f->cpu->ignne);
    /* the handler cleared the error: FERR# drops, so does IGNNE# */
    irq_set(f->cpu->ferr, 0);
    assert_false(f->cpu->ignne);
    assert_int_equal(irq13, 0);
    /* a new error interrupts again */
    irq_set(f->cpu->ferr, 1);
    assert_int_equal(irq13, 1);
}

static void test_port_f0_without_ferr_leaves_ignne_off(void **state)
{
    Fixture *f = *state;

    bus_write(f->io, 0xf0, 0xff, 1);
    assert_false(f->cpu->ignne);
    assert_int_equal(bus_read(f->io, 0xf0, 1) & 0xff, 0xff);
}

static void test_reset_clears_ferr_irq13_and_ignne(void **state)
{
    Fixture *f = *state;

    irq_set(f->cpu->ferr, 1);
    bus_write(f->io, 0xf0, 0, 1);
    irq_set(f->cpu->ferr, 1);
    f->cpu->ferr_level = true;
    pc_ferr_reset(f->ferr);
    assert_false(f->cpu->ignne);
    assert_false(f->cpu->ferr_level);
    assert_int_equal(irq13, 0);
}

static void test_second_claim_of_port_f0_fails(void **state)
{
    Fixture *f = *state;
    GError *err = NULL;

    assert_null(pc_ferr_new(f->io, f->cpu, f->line, &err));
    assert_non_null(err);
    g_error_free(err);
    assert_non_null(f->cpu->ferr);      /* the first one keeps the CPU wired */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ferr_drives_irq13, setup, teardown),
        cmocka_unit_test_setup_teardown(test_port_f0_lowers_irq13_and_asserts_ignne_while_ferr,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_port_f0_without_ferr_leaves_ignne_off, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reset_clears_ferr_irq13_and_ignne, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_second_claim_of_port_f0_fails, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
