/*
 * test-ioapic.c: unit tests of the I/O APIC (hw/intc/ioapic.c) through
 * its IOREGSEL/IOWIN window, with a real local APIC behind it so that
 * delivery, remote IRR and the EOI broadcast are checked end to end.
 */
#include "vireo/common.h"
#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>

#include "vireo/log.h"
#include "hw/apic.h"
#include "hw/ioapic.h"
#include "test-util.h"

#define IOAPIC_BASE 0xfec00000ULL
#define LAPIC(off)  (APIC_DEFAULT_BASE + (off))
#define LAPIC_EOI   0xb0
#define LAPIC_SVR   0xf0
#define LAPIC_LINT0 0x350

#define RTE_MASKED       (1u << 16)
#define RTE_LEVEL        (1u << 15)
#define RTE_REMOTE_IRR   (1u << 14)
#define RTE_DELIV_STATUS (1u << 12)
#define RTE_LOGICAL      (1u << 11)

typedef struct Fx {
    Bus *mem;
    X86CPU *cpu;
    APIC *apic;
    IOAPIC *ioapic;
    bool pic_pending;
} Fx;

static uint32_t io_rd(Fx *f, unsigned idx)
{
    bus_write(f->mem, IOAPIC_BASE, idx, 4);
    return (uint32_t)bus_read(f->mem, IOAPIC_BASE + 0x10, 4);
}

static void io_wr(Fx *f, unsigned idx, uint32_t v)
{
    bus_write(f->mem, IOAPIC_BASE, idx, 4);
    bus_write(f->mem, IOAPIC_BASE + 0x10, v, 4);
}

static void set_rte(Fx *f, int pin, uint32_t lo, uint8_t dest)
{
    io_wr(f, 0x11 + 2 * pin, (uint32_t)dest << 24);
    io_wr(f, 0x10 + 2 * pin, lo);
}

static uint32_t rte_lo(Fx *f, int pin)
{
    return io_rd(f, 0x10 + 2 * pin);
}

static bool hard(Fx *f)
{
    return f->cpu->cs.interrupt_request & CPU_INTERRUPT_HARD;
}

static void eoi(Fx *f)
{
    bus_write(f->mem, LAPIC(LAPIC_EOI), 0, 4);
}

static IrqLine *pin(Fx *f, int n)
{
    return ioapic_input(f->ioapic, n);
}

static int setup(void **state)
{
    Fx *f = g_new0(Fx, 1);
    GError *err = NULL;

    f->mem = bus_new("memory", 1ULL << 40, LOG_MMIO);
    f->cpu = x86_cpu_new(0);
    f->apic = apic_new(f->mem, f->cpu, &err);
    assert_non_null(f->apic);
    f->ioapic = ioapic_new(f->mem, IOAPIC_BASE, f->apic, &err);
    assert_null(err);
    assert_non_null(f->ioapic);
    bus_write(f->mem, LAPIC(LAPIC_SVR), 0x1ff, 4);     /* software-enable */
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fx *f = *state;
    ioapic_free(f->ioapic);
    apic_free(f->apic);
    x86_cpu_free(f->cpu);
    bus_free(f->mem);
    g_free(f);
    return 0;
}

static void test_id_version_and_reset_entries(void **state)
{
    Fx *f = *state;

    assert_int_equal(io_rd(f, 0x01), 0x00170011);
    assert_int_equal(io_rd(f, 0x00), 0);
    io_wr(f, 0x00, 0x0a123456);
    assert_int_equal(io_rd(f, 0x00), 0x0a000000);
    assert_int_equal(io_rd(f, 0x02), 0x0a000000);  /* arbitration ID follows */
    for (int n = 0; n < IOAPIC_NUM_PINS; n++) {
        assert_int_equal(rte_lo(f, n), RTE_MASKED);
        assert_int_equal(io_rd(f, 0x11 + 2 * n), 0);
    }
    assert_int_equal(bus_read(f->mem, IOAPIC_BASE, 4), 0x3f);  /* IOREGSEL reads back */
    ioapic_reset(f->ioapic);
    assert_int_equal(io_rd(f, 0x00), 0);
}

static void test_edge_pin_delivers_once_per_rising_edge(void **state)
{
    Fx *f = *state;

    set_rte(f, 2, 0x30, 0);
    irq_raise(pin(f, 2));
    assert_true(hard(f));
    assert_int_equal(apic_int_ack(f->apic), 0x30);
    eoi(f);
    irq_raise(pin(f, 2));                       /* no new edge */
    assert_false(hard(f));
    irq_lower(pin(f, 2));
    irq_pulse(pin(f, 2));
    assert_int_equal(apic_int_ack(f->apic), 0x30);
    eoi(f);
    assert_int_equal(rte_lo(f, 2) & RTE_REMOTE_IRR, 0);
}

static void test_masked_edge_pin_loses_the_edge(void **state)
{
    Fx *f = *state;

    set_rte(f, 4, RTE_MASKED | 0x34, 0);
    irq_raise(pin(f, 4));
    assert_false(hard(f));
    set_rte(f, 4, 0x34, 0);                     /* unmask while high */
    assert_false(hard(f));
    assert_int_equal(apic_int_ack(f->apic), -1);
}

static void test_level_pin_sets_remote_irr_and_refires_after_eoi(void **state)
{
    Fx *f = *state;

    set_rte(f, 10, RTE_LEVEL | 0x5a, 0);
    irq_raise(pin(f, 10));
    assert_true(rte_lo(f, 10) & RTE_REMOTE_IRR);
    assert_int_equal(apic_int_ack(f->apic), 0x5a);
    eoi(f);                                     /* line still high */
    assert_true(rte_lo(f, 10) & RTE_REMOTE_IRR);
    assert_true(hard(f));
    assert_int_equal(apic_int_ack(f->apic), 0x5a);
    irq_lower(pin(f, 10));                      /* device serviced */
    eoi(f);
    assert_false(rte_lo(f, 10) & RTE_REMOTE_IRR);
    assert_false(hard(f));
    assert_int_equal(apic_int_ack(f->apic), -1);
}

static void test_level_pin_masked_while_high_fires_on_unmask(void **state)
{
    Fx *f = *state;

    set_rte(f, 11, RTE_MASKED | RTE_LEVEL | 0x5b, 0);
    irq_raise(pin(f, 11));
    assert_false(hard(f));
    assert_false(rte_lo(f, 11) & RTE_REMOTE_IRR);
    set_rte(f, 11, RTE_LEVEL | 0x5b, 0);
    assert_true(hard(f));
    assert_int_equal(apic_int_ack(f->apic), 0x5b);
}

static void test_eoi_of_other_vector_keeps_remote_irr(void **state)
{
    Fx *f = *state;

    set_rte(f, 9, RTE_LEVEL | 0x49, 0);
    irq_raise(pin(f, 9));
    ioapic_eoi(f->ioapic, 0x48);
    assert_true(rte_lo(f, 9) & RTE_REMOTE_IRR);
    irq_lower(pin(f, 9));
    ioapic_eoi(f->ioapic, 0x49);
    assert_false(rte_lo(f, 9) & RTE_REMOTE_IRR);
}

static void test_switching_to_edge_clears_remote_irr(void **state)
{
    Fx *f = *state;

    set_rte(f, 12, RTE_LEVEL | 0x5c, 0);
    irq_raise(pin(f, 12));
    assert_true(rte_lo(f, 12) & RTE_REMOTE_IRR);
    set_rte(f, 12, RTE_MASKED | 0x5c, 0);
    assert_false(rte_lo(f, 12) & RTE_REMOTE_IRR);
}

static void test_read_only_entry_bits_ignore_writes(void **state)
{
    Fx *f = *state;

    set_rte(f, 3, RTE_REMOTE_IRR | RTE_DELIV_STATUS | RTE_LEVEL | RTE_MASKED | 0x33, 0);
    assert_int_equal(rte_lo(f, 3), RTE_LEVEL | RTE_MASKED | 0x33);
    io_wr(f, 0x11 + 2 * 3, 0xff00ffff);
    assert_int_equal(io_rd(f, 0x11 + 2 * 3), 0xff000000);
}

static void test_destination_that_matches_no_apic_is_dropped(void **state)
{
    Fx *f = *state;

    set_rte(f, 5, 0x35, 3);                     /* physical APIC ID 3 */
    irq_raise(pin(f, 5));
    assert_false(hard(f));
    bus_write(f->mem, LAPIC(0xd0), 0x01000000, 4);     /* LDR: logical 1 */
    set_rte(f, 6, RTE_LOGICAL | 0x36, 0x01);
    irq_raise(pin(f, 6));
    assert_int_equal(apic_int_ack(f->apic), 0x36);
    eoi(f);
    set_rte(f, 7, 0x37, 0xff);                  /* broadcast */
    irq_raise(pin(f, 7));
    assert_int_equal(apic_int_ack(f->apic), 0x37);
}

static void test_nmi_delivery_mode_reaches_the_cpu(void **state)
{
    Fx *f = *state;

    set_rte(f, 8, (APIC_DM_NMI << 8) | RTE_LEVEL, 0); /* level: treated as edge */
    irq_raise(pin(f, 8));
    assert_true(f->cpu->cs.interrupt_request & CPU_INTERRUPT_NMI);
    assert_false(hard(f));
}

static bool fake_pic_pending(void *opaque)
{
    return ((Fx *)opaque)->pic_pending;
}

static int fake_pic_ack(void *opaque)
{
    ((Fx *)opaque)->pic_pending = false;
    return 0x08;
}

static void test_extint_pin_acknowledges_through_the_pic(void **state)
{
    Fx *f = *state;

    apic_set_extint_source(f->apic, fake_pic_ack, fake_pic_pending, f);
    set_rte(f, 0, APIC_DM_EXTINT << 8, 0);      /* virtual wire via the IOAPIC */
    f->pic_pending = true;
    irq_raise(pin(f, 0));
    assert_true(hard(f));
    assert_int_equal(apic_int_ack(f->apic), 0x08);
    assert_false(hard(f));
}

static void test_bad_accesses_and_registers_are_harmless(void **state)
{
    Fx *f = *state;

    assert_null(ioapic_input(f->ioapic, 24));
    assert_null(ioapic_input(f->ioapic, -1));
    io_wr(f, 0x01, 0);                          /* version is read-only */
    assert_int_equal(io_rd(f, 0x01), 0x00170011);
    io_wr(f, 0x02, 0x0f000000);                 /* arbitration is read-only */
    assert_int_equal(io_rd(f, 0x02), 0);
    assert_int_equal(io_rd(f, 0x03), 0xffffffff);   /* reserved */
    assert_int_equal(io_rd(f, 0x40), 0xffffffff);   /* past entry 23 */
    assert_int_equal(io_rd(f, 0xff), 0xffffffff);
    io_wr(f, 0x40, 0x30);
    bus_write(f->mem, IOAPIC_BASE, 0x10, 4);
    assert_int_equal(bus_read(f->mem, IOAPIC_BASE + 0x10, 1), 0xff);   /* byte IOWIN */
    bus_write(f->mem, IOAPIC_BASE + 0x10, 0x30, 2);  /* ignored */
    assert_int_equal(rte_lo(f, 0), RTE_MASKED);
    assert_int_equal(bus_read(f->mem, IOAPIC_BASE + 0x14, 4), 0xffffffff);
    assert_int_equal(bus_read(f->mem, IOAPIC_BASE + 0x40, 4), 0xffffffff);
    assert_int_equal(bus_read(f->mem, IOAPIC_BASE + 0x10, 8), 0xffffffffffffffffULL);
    bus_write(f->mem, IOAPIC_BASE + 0xffc, 1, 4);
    bus_write(f->mem, IOAPIC_BASE + 0xffe, 1, 4);   /* crosses the region end */
    set_rte(f, 1, (3 << 8) | 0x31, 0);          /* reserved delivery mode */
    irq_raise(pin(f, 1));
    assert_false(hard(f));
}

static void test_dump_shows_entries(void **state)
{
    Fx *f = *state;
    GString *out = g_string_new(NULL);

    set_rte(f, 10, RTE_LEVEL | 0x5a, 0);
    irq_raise(pin(f, 10));
    ioapic_dump(f->ioapic, out);
    assert_non_null(strstr(out->str, "ver=00170011"));
    assert_non_null(strstr(out->str, "pin 10"));
    assert_non_null(strstr(out->str, "remote-irr"));
    g_string_free(out, TRUE);
}

static void test_constructor_refuses_overlap_and_missing_apic(void **state)
{
    Fx *f = *state;
    GError *err = NULL;

    assert_null(ioapic_new(f->mem, IOAPIC_BASE, f->apic, &err));
    assert_non_null(err);
    g_clear_error(&err);
    assert_null(ioapic_new(f->mem, 0xfec10000, NULL, &err));
    assert_non_null(err);
    g_clear_error(&err);
    ioapic_free(NULL);
}

static void test_random_register_traffic_is_harmless(void **state)
{
    Fx *f = *state;
    GRand *rng = g_rand_new_with_seed(1127);
    static const unsigned sizes[] = { 1, 2, 4, 8 };

    for (int i = 0; i < 20000; i++) {
        uint64_t off = g_rand_int_range(rng, 0, 0x40);
        unsigned size = sizes[g_rand_int_range(rng, 0, 4)];
        uint32_t val = g_rand_int(rng);

        switch (g_rand_int_range(rng, 0, 6)) {
        case 0:
            bus_read(f->mem, IOAPIC_BASE + off, size);
            break;
        case 1:
            irq_set(pin(f, g_rand_int_range(rng, 0, IOAPIC_NUM_PINS)), g_rand_boolean(rng));
            break;
        case 2:
            apic_int_ack(f->apic);
            eoi(f);
            break;
        case 3:
            io_wr(f, g_rand_int_range(rng, 0, 256), val);
            break;
        default:
            bus_write(f->mem, IOAPIC_BASE + off, val, size);
            break;
        }
    }
    g_rand_free(rng);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_id_version_and_reset_entries),
        T(test_edge_pin_delivers_once_per_rising_edge),
        T(test_masked_edge_pin_loses_the_edge),
        T(test_level_pin_sets_remote_irr_and_refires_after_eoi),
        T(test_level_pin_masked_while_high_fires_on_unmask),
        T(test_eoi_of_other_vector_keeps_remote_irr),
        T(test_switching_to_edge_clears_remote_irr),
        T(test_read_only_entry_bits_ignore_writes),
        T(test_destination_that_matches_no_apic_is_dropped),
        T(test_nmi_delivery_mode_reaches_the_cpu),
        T(test_extint_pin_acknowledges_through_the_pic),
        T(test_bad_accesses_and_registers_are_harmless),
        T(test_dump_shows_entries),
        T(test_constructor_refuses_overlap_and_missing_apic),
        T(test_random_register_traffic_is_harmless),
    };

    log_to_null(LOG_GUEST_ERRORS | LOG_UNIMP | LOG_INT);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
