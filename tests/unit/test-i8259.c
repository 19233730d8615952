/*
 * test-i8259.c: the cascaded 8259A pair driven through ports 0x20/0x21,
 * 0xA0/0xA1 and the ELCR at 0x4D0/0x4D1, with devices simulated by
 * setting input levels and the CPU by i8259_ack: initialisation, priority
 * and nesting, masking, EOI and rotation commands, auto-EOI, special mask
 * and special fully nested modes, poll mode, edge vs level sensing,
 * spurious interrupts, and misuse.
 */
#include "vireo/common.h"
#include "vireo/log.h"
#include "hw/bus.h"
#include "hw/irq.h"
#include "hw/i8259.h"

#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>
#include "test-util.h"

typedef struct Fixture {
    Bus *io;
    IrqLine *intr;
    int intr_level;
    I8259 *pic;
} Fixture;

static void intr_handler(void *opaque, int n, int level)
{
    ((Fixture *)opaque)->intr_level = level;
}

static void out(Fixture *f, uint16_t port, uint8_t v) { bus_write(f->io, port, v, 1); }
static uint8_t in(Fixture *f, uint16_t port) { return bus_read(f->io, port, 1); }

/* The sequence Linux's init_8259A uses, with ICW4 as given. */
static void linux_init(Fixture *f, uint8_t icw4_master, uint8_t icw4_slave)
{
    out(f, 0x21, 0xff);
    out(f, 0xa1, 0xff);
    out(f, 0x20, 0x11);
    out(f, 0x21, 0x30);
    out(f, 0x21, 0x04);
    out(f, 0x21, icw4_master);
    out(f, 0xa0, 0x11);
    out(f, 0xa1, 0x38);
    out(f, 0xa1, 0x02);
    out(f, 0xa1, icw4_slave);
    out(f, 0x21, 0x00);
    out(f, 0xa1, 0x00);
}

static int setup(void **state)
{
    Fixture *f = g_new0(Fixture, 1);
    f->io = bus_new("io", 0x10000, 0);
    f->intr = irq_new(intr_handler, f, 0);
    f->pic = i8259_new(f->io, f->intr, NULL);
    assert_non_null(f->pic);
    linux_init(f, 0x01, 0x01);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    i8259_free(f->pic);
    irq_free(f->intr);
    bus_free(f->io);
    g_free(f);
    return 0;
}

static void set(Fixture *f, int n, int level) { irq_set(i8259_input(f->pic, n), level); }
static void pulse(Fixture *f, int n) { irq_pulse(i8259_input(f->pic, n)); }

static uint8_t read_isr(Fixture *f, uint16_t port)
{
    uint8_t v;
    out(f, port, 0x0b);
    v = in(f, port);
    out(f, port, 0x0a);
    return v;
}

static void test_irq0_delivers_vector_base_and_sets_isr(void **state)
{
    Fixture *f = *state;
    assert_int_equal(f->intr_level, 0);
    pulse(f, 0);
    assert_int_equal(f->intr_level, 1);
    assert_true(i8259_pending(f->pic));
    assert_int_equal(i8259_ack(f->pic), 0x30);
    assert_int_equal(f->intr_level, 0);
    assert_int_equal(read_isr(f, 0x20), 0x01);
    out(f, 0x20, 0x20);                         /* non-specific EOI */
    assert_int_equal(read_isr(f, 0x20), 0x00);
    assert_false(i8259_pending(f->pic));
}

static void test_slave_irq_goes_through_cascade(void **state)
{
    Fixture *f = *state;
    pulse(f, 12);
    assert_int_equal(f->intr_level, 1);
    assert_int_equal(i8259_ack(f->pic), 0x3c);
    assert_int_equal(read_isr(f, 0x20), 0x04);
    assert_int_equal(read_isr(f, 0xa0), 0x10);
    out(f, 0xa0, 0x20);
    out(f, 0x20, 0x20);
    assert_int_equal(read_isr(f, 0x20), 0);
    assert_int_equal(read_isr(f, 0xa0), 0);
}

static void test_higher_priority_nests_lower_waits(void **state)
{
    Fixture *f = *state;
    pulse(f, 3);
    pulse(f, 1);
    assert_int_equal(i8259_ack(f->pic), 0x31);
    assert_int_equal(f->intr_level, 0);         /* IRQ3 below IRQ1 in service */
    pulse(f, 0);
    assert_int_equal(f->intr_level, 1);         /* IRQ0 nests */
    assert_int_equal(i8259_ack(f->pic), 0x30);
    out(f, 0x20, 0x20);                         /* ends IRQ0 */
    assert_int_equal(f->intr_level, 0);
    out(f, 0x20, 0x20);                         /* ends IRQ1 */
    assert_int_equal(f->intr_level, 1);
    assert_int_equal(i8259_ack(f->pic), 0x33);
}

static void test_masked_irq_stays_in_irr(void **state)
{
    Fixture *f = *state;
    out(f, 0x21, 0x10);
    assert_int_equal(in(f, 0x21), 0x10);
    pulse(f, 4);
    assert_int_equal(f->intr_level, 0);
    assert_int_equal(in(f, 0x20), 0x10);        /* IRR read by default */
    out(f, 0x21, 0x00);
    assert_int_equal(f->intr_level, 1);
    assert_int_equal(i8259_ack(f->pic), 0x34);
}

static void test_masking_slave_cascade_blocks_all_slave_irqs(void **state)
{
    Fixture *f = *state;
    out(f, 0x21, 0x04);
    pulse(f, 8);
    assert_int_equal(f->intr_level, 0);
    out(f, 0x21, 0x00);
    assert_int_equal(i8259_ack(f->pic), 0x38);
}

static void test_level_request_vanishing_before_ack_is_spurious_irq7(void **state)
{
    Fixture *f = *state;
    out(f, 0x4d0, 0x20);                        /* IRQ5 level-sensed */
    set(f, 5, 1);
    assert_int_equal(f->intr_level, 1);
    set(f, 5, 0);
    assert_int_equal(f->intr_level, 0);
    assert_int_equal(i8259_ack(f->pic), 0x37);
    assert_int_equal(read_isr(f, 0x20), 0);     /* spurious: no ISR bit */
}

static void test_ack_without_request_is_spurious_irq7(void **state)
{
    Fixture *f = *state;
    assert_int_equal(i8259_ack(f->pic), 0x37);
    assert_int_equal(read_isr(f, 0x20), 0);
}

static void test_level_line_reinterrupts_after_eoi_until_lowered(void **state)
{
    Fixture *f = *state;
    out(f, 0x4d1, 0x04);                        /* IRQ10 level */
    assert_int_equal(in(f, 0x4d1), 0x04);
    set(f, 10, 1);
    assert_int_equal(i8259_ack(f->pic), 0x3a);
    out(f, 0xa0, 0x20);
    out(f, 0x20, 0x20);
    assert_int_equal(f->intr_level, 1);
    assert_int_equal(i8259_ack(f->pic), 0x3a);
    set(f, 10, 0);
    out(f, 0xa0, 0x20);
    out(f, 0x20, 0x20);
    assert_int_equal(f->intr_level, 0);
}

static void test_edge_line_held_high_interrupts_once(void **state)
{
    Fixture *f = *state;
    set(f, 6, 1);
    assert_int_equal(i8259_ack(f->pic), 0x36);
    out(f, 0x20, 0x20);
    set(f, 6, 1);                               /* no new edge */
    assert_int_equal(f->intr_level, 0);
    set(f, 6, 0);
    set(f, 6, 1);
    assert_int_equal(f->intr_level, 1);
}

static void test_icw1_resets_edge_latch_of_line_held_high(void **state)
{
    Fixture *f = *state;
    set(f, 3, 1);
    linux_init(f, 0x01, 0x01);
    assert_int_equal(f->intr_level, 0);
    set(f, 3, 0);
    set(f, 3, 1);
    assert_int_equal(i8259_ack(f->pic), 0x33);
}

static void test_auto_eoi_leaves_isr_clear(void **state)
{
    Fixture *f = *state;
    linux_init(f, 0x03, 0x03);
    pulse(f, 1);
    assert_int_equal(i8259_ack(f->pic), 0x31);
    assert_int_equal(read_isr(f, 0x20), 0);
    pulse(f, 9);
    assert_int_equal(i8259_ack(f->pic), 0x39);
    assert_int_equal(read_isr(f, 0xa0), 0);
    assert_int_equal(read_isr(f, 0x20), 0);
}

static void test_rotate_on_auto_eoi_makes_served_level_lowest(void **state)
{
    Fixture *f = *state;
    linux_init(f, 0x03, 0x01);
    out(f, 0x20, 0x80);                         /* set rotate in AEOI */
    pulse(f, 0);
    assert_int_equal(i8259_ack(f->pic), 0x30);
    pulse(f, 0);
    pulse(f, 1);
    assert_int_equal(i8259_ack(f->pic), 0x31);
}

static void test_rotate_on_nonspecific_eoi_rotates_priority(void **state)
{
    Fixture *f = *state;
    pulse(f, 0);
    assert_int_equal(i8259_ack(f->pic), 0x30);
    out(f, 0x20, 0xa0);                         /* rotate on non-specific EOI */
    pulse(f, 0);
    pulse(f, 1);
    assert_int_equal(i8259_ack(f->pic), 0x31);  /* IRQ0 is now lowest */
}

static void test_specific_eoi_and_set_priority(void **state)
{
    Fixture *f = *state;
    pulse(f, 4);
    assert_int_equal(i8259_ack(f->pic), 0x34);
    pulse(f, 2 + 1);
    assert_int_equal(i8259_ack(f->pic), 0x33);
    out(f, 0x20, 0x64);                         /* specific EOI IR4 */
    assert_int_equal(read_isr(f, 0x20), 0x08);
    out(f, 0x20, 0x63);
    assert_int_equal(read_isr(f, 0x20), 0x00);
    out(f, 0x20, 0xc4);                         /* IR4 lowest: IR5 highest */
    pulse(f, 4);
    pulse(f, 6);
    assert_int_equal(i8259_ack(f->pic), 0x36);
    out(f, 0x20, 0xe6);                         /* rotate on specific EOI */
    assert_int_equal(i8259_ack(f->pic), 0x34);
}

static void test_special_mask_mode_admits_lower_priority(void **state)
{
    Fixture *f = *state;
    pulse(f, 3);
    assert_int_equal(i8259_ack(f->pic), 0x33);
    pulse(f, 5);
    assert_int_equal(f->intr_level, 0);
    out(f, 0x21, 0x08);                         /* mask IR3 */
    out(f, 0x20, 0x68);                         /* enter special mask mode */
    assert_int_equal(f->intr_level, 1);
    assert_int_equal(i8259_ack(f->pic), 0x35);
    out(f, 0x20, 0x48);                         /* leave SMM */
    out(f, 0x20, 0x65);
    out(f, 0x20, 0x63);
    assert_int_equal(read_isr(f, 0x20), 0);
}

static void test_special_fully_nested_lets_slave_nest(void **state)
{
    Fixture *f = *state;
    linux_init(f, 0x11, 0x01);
    pulse(f, 12);
    assert_int_equal(i8259_ack(f->pic), 0x3c);
    pulse(f, 9);
    assert_int_equal(f->intr_level, 1);
    assert_int_equal(i8259_ack(f->pic), 0x39);
}

static void test_without_sfnm_slave_waits_for_master_eoi(void **state)
{
    Fixture *f = *state;
    pulse(f, 12);
    assert_int_equal(i8259_ack(f->pic), 0x3c);
    pulse(f, 9);
    assert_int_equal(f->intr_level, 0);
}

static void test_poll_command_returns_level_and_acks(void **state)
{
    Fixture *f = *state;
    out(f, 0x20, 0x0c);
    assert_int_equal(in(f, 0x20), 0x00);        /* nothing pending */
    pulse(f, 5);
    out(f, 0x20, 0x0c);
    assert_int_equal(in(f, 0x20), 0x85);
    assert_int_equal(read_isr(f, 0x20), 0x20);
    assert_int_equal(in(f, 0x20), 0x00);        /* poll is one-shot: IRR */
}

static void test_irr_and_isr_reads_through_ocw3(void **state)
{
    Fixture *f = *state;
    out(f, 0x21, 0xff);
    pulse(f, 7);
    out(f, 0x20, 0x0a);
    assert_int_equal(in(f, 0x20), 0x80);
    out(f, 0x20, 0x0b);
    assert_int_equal(in(f, 0x20), 0x00);
}

static void test_elcr_reserved_bits_read_zero(void **state)
{
    Fixture *f = *state;
    out(f, 0x4d0, 0xff);
    out(f, 0x4d1, 0xff);
    assert_int_equal(in(f, 0x4d0), 0xf8);
    assert_int_equal(in(f, 0x4d1), 0xde);
    assert_int_equal(bus_read(f->io, 0x4d0, 2), 0xdef8);
}

static void test_misuse_is_harmless(void **state)
{
    Fixture *f = *state;
    GString *dump = g_string_new(NULL);

    out(f, 0x20, 0x20);                         /* EOI, nothing in service */
    out(f, 0x20, 0x67);                         /* specific EOI, not in service */
    out(f, 0x20, 0x8b);                         /* OCW3 with bit 7 */
    out(f, 0x20, 0x40);                         /* OCW2 no-op */
    bus_write(f->io, 0x20, 0xffff, 2);          /* 16-bit: ICW1, then ICW2 */
    bus_read(f->io, 0xa0, 4);
    set(f, 2, 1);                               /* the cascade input */
    assert_null(i8259_input(f->pic, 16));
    assert_null(i8259_input(f->pic, -1));
    linux_init(f, 0x01, 0x01);
    pulse(f, 1);
    assert_int_equal(i8259_ack(f->pic), 0x31);
    i8259_dump(f->pic, dump);
    assert_non_null(strstr(dump->str, "pic master"));
    g_string_free(dump, true);
}

/* Random guest traffic on every port, with input changes and acks. */
static void test_random_port_traffic_is_survived(void **state)
{
    Fixture *f = *state;
    static const uint16_t ports[] = { 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1 };
    GRand *r = g_rand_new_with_seed(8259);

    for (int i = 0; i < 20000; i++) {
        uint16_t port = ports[g_rand_int_range(r, 0, ARRAY_SIZE(ports))];
        switch (g_rand_int_range(r, 0, 4)) {
        case 0: out(f, port, g_rand_int(r)); break;
        case 1: in(f, port); break;
        case 2: set(f, g_rand_int_range(r, 0, 16), g_rand_int_range(r, 0, 2)); break;
        default: {
            int v = i8259_ack(f->pic);
            assert_true(v >= 0 && v <= 0xff);
            break;
        }
        }
    }
    g_rand_free(r);
}

static void test_extint_adapters_match_ack_and_pending(void **state)
{
    Fixture *f = *state;
    assert_false(i8259_extint_pending(f->pic));
    pulse(f, 14);
    assert_true(i8259_extint_pending(f->pic));
    assert_int_equal(i8259_extint_ack(f->pic), 0x3e);
    assert_false(i8259_extint_pending(f->pic));
}

static void test_reset_clears_state_and_intr(void **state)
{
    Fixture *f = *state;
    pulse(f, 1);
    assert_int_equal(f->intr_level, 1);
    i8259_reset(f->pic);
    assert_int_equal(f->intr_level, 0);
    assert_int_equal(in(f, 0x21), 0);
    assert_int_equal(in(f, 0x20), 0);
}

int main(void)
{
    log_to_null(~0u);
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_irq0_delivers_vector_base_and_sets_isr),
        T(test_slave_irq_goes_through_cascade),
        T(test_higher_priority_nests_lower_waits),
        T(test_masked_irq_stays_in_irr),
        T(test_masking_slave_cascade_blocks_all_slave_irqs),
        T(test_level_request_vanishing_before_ack_is_spurious_irq7),
        T(test_ack_without_request_is_spurious_irq7),
        T(test_level_line_reinterrupts_after_eoi_until_lowered),
        T(test_edge_line_held_high_interrupts_once),
        T(test_icw1_resets_edge_latch_of_line_held_high),
        T(test_auto_eoi_leaves_isr_clear),
        T(test_rotate_on_auto_eoi_makes_served_level_lowest),
        T(test_rotate_on_nonspecific_eoi_rotates_priority),
        T(test_specific_eoi_and_set_priority),
        T(test_special_mask_mode_admits_lower_priority),
        T(test_special_fully_nested_lets_slave_nest),
        T(test_without_sfnm_slave_waits_for_master_eoi),
        T(test_poll_command_returns_level_and_acks),
        T(test_irr_and_isr_reads_through_ocw3),
        T(test_elcr_reserved_bits_read_zero),
        T(test_misuse_is_harmless),
        T(test_random_port_traffic_is_survived),
        T(test_extint_adapters_match_ack_and_pending),
        T(test_reset_clears_state_and_intr),
#undef T
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (log_set_file(NULL, NULL) < 0) {
        return 1;
    }
    return rc;
}
