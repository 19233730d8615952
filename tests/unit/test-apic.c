/*
 * test-apic.c: unit tests of the local APIC (hw/intc/apic.c), driven
 * through its MMIO page on a memory bus, its LINT pins and the CPU-side
 * entry points, with the virtual clock stepped by hand.
 */
#include "vireo/common.h"
#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>

#include "vireo/log.h"
#include "hw/apic.h"
#include "hw/clock.h"
#include "test-util.h"

#define BASE APIC_DEFAULT_BASE

enum {
    ID = 0x20, VER = 0x30, TPR = 0x80, APR = 0x90, PPR = 0xa0, EOI = 0xb0,
    LDR = 0xd0, DFR = 0xe0, SVR = 0xf0, ISR = 0x100, TMR = 0x180, IRR = 0x200,
    ESR = 0x280, ICR_LO = 0x300, ICR_HI = 0x310, LVT_TIMER = 0x320,
    LVT_LINT0 = 0x350, LVT_LINT1 = 0x360, LVT_ERROR = 0x370,
    TIMER_INIT = 0x380, TIMER_CUR = 0x390, TIMER_DCR = 0x3e0,
};

static int64_t now_ns;

static int64_t test_clock(void)
{
    return now_ns;
}

typedef struct Fx {
    Bus *mem;
    X86CPU *cpu;
    APIC *apic;
    /* fake i8259 */
    bool pic_pending;
    int pic_vector;
    int pic_acks;
    /* EOI broadcast record */
    int eoi_vector;
    int eoi_count;
} Fx;

static uint32_t rd(Fx *f, unsigned reg)
{
    return (uint32_t)bus_read(f->mem, BASE + reg, 4);
}

static void wr(Fx *f, unsigned reg, uint32_t v)
{
    bus_write(f->mem, BASE + reg, v, 4);
}

static bool hard(Fx *f)
{
    return f->cpu->cs.interrupt_request & CPU_INTERRUPT_HARD;
}

static bool irr_has(Fx *f, int v)
{
    return rd(f, IRR + (v / 32) * 0x10) & (1u << (v % 32));
}

static bool isr_has(Fx *f, int v)
{
    return rd(f, ISR + (v / 32) * 0x10) & (1u << (v % 32));
}

static void advance(int64_t ns)
{
    now_ns += ns;
    timers_run_expired();
}

static int fake_pic_ack(void *opaque)
{
    Fx *f = opaque;
    f->pic_acks++;
    f->pic_pending = false;
    irq_lower(apic_lint(f->apic, APIC_LINT0));
    return f->pic_vector;
}

static bool fake_pic_pending(void *opaque)
{
    return ((Fx *)opaque)->pic_pending;
}

static void record_eoi(void *opaque, int vector)
{
    Fx *f = opaque;
    f->eoi_vector = vector;
    f->eoi_count++;
}

static int setup(void **state)
{
    Fx *f = g_new0(Fx, 1);
    GError *err = NULL;

    now_ns = 0;
    clock_set_source(test_clock);
    f->mem = bus_new("memory", 1ULL << 40, LOG_MMIO);
    f->cpu = x86_cpu_new(0);
    f->apic = apic_new(f->mem, f->cpu, &err);
    assert_null(err);
    assert_non_null(f->apic);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fx *f = *state;
    apic_free(f->apic);
    x86_cpu_free(f->cpu);
    bus_free(f->mem);
    g_free(f);
    return 0;
}

/* Software-enables the APIC with spurious vector 0xef. */
static void enable(Fx *f)
{
    wr(f, SVR, 0x1ef);
}

/* ---- reset state and registers ---- */

static void test_reset_values_match_the_sdm(void **state)
{
    Fx *f = *state;

    assert_int_equal(rd(f, VER), 0x00050014);
    assert_int_equal(rd(f, ID), 0);
    assert_int_equal(rd(f, SVR), 0xff);
    assert_int_equal(rd(f, DFR), 0xffffffff);
    assert_int_equal(rd(f, TPR), 0);
    for (unsigned r = LVT_TIMER; r <= LVT_ERROR; r += 0x10) {
        assert_int_equal(rd(f, r), 0x10000);
    }
    assert_int_equal(apic_get_base(f->apic), 0xfee00900);
    assert_int_equal(f->cpu->env.apic_base, 0xfee00900);
    assert_ptr_equal(f->cpu->apic, f->apic);
    assert_false(hard(f));
    assert_int_equal(apic_get_interrupt(f->apic), -1);
}

static void test_id_ldr_dfr_keep_only_architectural_bits(void **state)
{
    Fx *f = *state;

    wr(f, ID, 0x05123456);
    assert_int_equal(rd(f, ID), 0x05000000);
    wr(f, LDR, 0x01ffffff);
    assert_int_equal(rd(f, LDR), 0x01000000);
    wr(f, DFR, 0x01234567);
    assert_int_equal(rd(f, DFR), 0x0fffffff);
}

/* ---- arbitration ---- */

static void test_fixed_vector_raises_hard_and_ack_moves_it_to_isr(void **state)
{
    Fx *f = *state;

    enable(f);
    apic_deliver(f->apic, 0x41, APIC_DM_FIXED, false);
    assert_true(hard(f));
    assert_true(irr_has(f, 0x41));
    assert_int_equal(apic_int_ack(f->apic), 0x41);
    assert_false(irr_has(f, 0x41));
    assert_true(isr_has(f, 0x41));
    assert_false(hard(f));
    assert_int_equal(rd(f, PPR), 0x40);
    wr(f, EOI, 0);
    assert_false(isr_has(f, 0x41));
    assert_int_equal(rd(f, PPR), 0);
}

static void test_higher_class_preempts_and_eoi_retires_highest_first(void **state)
{
    Fx *f = *state;

    enable(f);
    apic_deliver(f->apic, 0x40, APIC_DM_FIXED, false);
    assert_int_equal(apic_get_interrupt(f->apic), 0x40);
    apic_deliver(f->apic, 0x50, APIC_DM_FIXED, false);
    assert_true(hard(f));                       /* class 5 > class 4 in service */
    assert_int_equal(apic_get_interrupt(f->apic), 0x50);
    apic_deliver(f->apic, 0x45, APIC_DM_FIXED, false);
    assert_false(hard(f));                      /* class 4 <= PPR class 5 */
    wr(f, EOI, 0);                              /* retires 0x50 */
    assert_false(isr_has(f, 0x50));
    assert_true(isr_has(f, 0x40));
    assert_false(hard(f));                      /* same class as 0x40 in service */
    wr(f, EOI, 0);                              /* retires 0x40 */
    assert_true(hard(f));
    assert_int_equal(apic_get_interrupt(f->apic), 0x45);
    wr(f, EOI, 0);
    assert_int_equal(apic_get_interrupt(f->apic), -1);
}

static void test_highest_pending_vector_is_acknowledged_first(void **state)
{
    Fx *f = *state;

    enable(f);
    apic_deliver(f->apic, 0x31, APIC_DM_FIXED, false);
    apic_deliver(f->apic, 0x92, APIC_DM_LOWEST, false);
    apic_deliver(f->apic, 0x60, APIC_DM_FIXED, false);
    assert_int_equal(apic_get_interrupt(f->apic), 0x92);
    assert_int_equal(apic_get_interrupt(f->apic), 0xef);  /* masked by ISR: spurious */
    wr(f, EOI, 0);
    assert_int_equal(apic_get_interrupt(f->apic), 0x60);
    wr(f, EOI, 0);
    assert_int_equal(apic_get_interrupt(f->apic), 0x31);
}

static void test_tpr_blocks_lower_classes_and_cr8_mirrors_it(void **state)
{
    Fx *f = *state;

    enable(f);
    wr(f, TPR, 0x5a);
    assert_int_equal(rd(f, TPR), 0x5a);
    assert_int_equal(rd(f, PPR), 0x5a);
    assert_int_equal(apic_get_tpr(f->apic), 5);
    assert_int_equal(f->cpu->env.cr8, 5);
    apic_deliver(f->apic, 0x5f, APIC_DM_FIXED, false);
    assert_false(hard(f));
    apic_deliver(f->apic, 0x61, APIC_DM_FIXED, false);
    assert_true(hard(f));
    apic_set_tpr(f->apic, 7);                   /* MOV CR8, 7 */
    assert_int_equal(rd(f, TPR), 0x70);
    assert_false(hard(f));
    apic_set_tpr(f->apic, 0);
    assert_true(hard(f));
    assert_int_equal(apic_get_interrupt(f->apic), 0x61);
}

static void test_apr_follows_the_p6_formula(void **state)
{
    Fx *f = *state;

    enable(f);
    wr(f, TPR, 0x32);
    assert_int_equal(rd(f, APR), 0x32);         /* nothing pending: TPR */
    apic_deliver(f->apic, 0x81, APIC_DM_FIXED, false);
    assert_int_equal(rd(f, APR), 0x80);         /* IRRV class above TPR */
}

static void test_spurious_vector_when_priority_rises_before_ack(void **state)
{
    Fx *f = *state;

    enable(f);
    apic_deliver(f->apic, 0x40, APIC_DM_FIXED, false);
    assert_true(hard(f));
    wr(f, TPR, 0xf0);
    assert_int_equal(apic_get_interrupt(f->apic), 0xef);
    assert_false(isr_has(f, 0xef));
    assert_true(irr_has(f, 0x40));
    wr(f, TPR, 0);
    assert_int_equal(apic_get_interrupt(f->apic), 0x40);
}

static void test_software_disabled_apic_drops_fixed_and_masks_lvt(void **state)
{
    Fx *f = *state;

    apic_deliver(f->apic, 0x40, APIC_DM_FIXED, false);
    assert_false(irr_has(f, 0x40));
    wr(f, LVT_TIMER, 0x30);
    assert_int_equal(rd(f, LVT_TIMER), 0x10030);   /* mask cannot be cleared */
    enable(f);
    wr(f, LVT_TIMER, 0x30);
    assert_int_equal(rd(f, LVT_TIMER), 0x30);
    wr(f, SVR, 0xef);                               /* disable again */
    assert_int_equal(rd(f, LVT_TIMER), 0x10030);
    apic_deliver(f->apic, 0x02, APIC_DM_NMI, false);
    assert_true(f->cpu->cs.interrupt_request & CPU_INTERRUPT_NMI);
}

static void test_illegal_vectors_and_registers_are_reported_in_esr(void **state)
{
    Fx *f = *state;

    enable(f);
    wr(f, LVT_ERROR, 0xe3);
    apic_deliver(f->apic, 0x05, APIC_DM_FIXED, false);
    assert_int_equal(rd(f, ESR), 0);            /* latched until ESR is written */
    wr(f, ESR, 0);
    assert_int_equal(rd(f, ESR), 0x40);
    assert_true(irr_has(f, 0xe3));              /* the error LVT fired */
    wr(f, ICR_LO, 0x00040003);                  /* self IPI, vector 3 */
    rd(f, 0x2a0);                               /* reserved register */
    wr(f, ESR, 0);
    assert_int_equal(rd(f, ESR), 0xa0);
    wr(f, ESR, 0);
    assert_int_equal(rd(f, ESR), 0);
}

/* ---- IPIs and destinations ---- */

static void test_icr_self_and_physical_ipis_reach_this_apic(void **state)
{
    Fx *f = *state;

    enable(f);
    wr(f, ICR_LO, 0x00040070);                  /* shorthand self */
    assert_true(irr_has(f, 0x70));
    assert_int_equal(rd(f, ICR_LO) & (1u << 12), 0);   /* delivery status idle */
    wr(f, ICR_HI, 0x00000000);
    wr(f, ICR_LO, 0x00000071);                  /* physical dest 0 */
    assert_true(irr_has(f, 0x71));
    wr(f, ICR_HI, 0x01000000);
    wr(f, ICR_LO, 0x00000072);                  /* physical dest 1: nobody */
    assert_false(irr_has(f, 0x72));
    wr(f, ICR_LO, 0x000c0073);                  /* all excluding self */
    assert_false(irr_has(f, 0x73));
    wr(f, ICR_LO, 0x00080074);                  /* all including self */
    assert_true(irr_has(f, 0x74));
    wr(f, ICR_LO, 0x00080400);                  /* NMI to all including self */
    assert_true(f->cpu->cs.interrupt_request & CPU_INTERRUPT_NMI);
}

static void test_logical_destinations_flat_and_cluster(void **state)
{
    Fx *f = *state;

    enable(f);
    wr(f, LDR, 0x04000000);
    assert_true(apic_match_destination(f->apic, 0x04, true));
    assert_true(apic_match_destination(f->apic, 0x0c, true));
    assert_false(apic_match_destination(f->apic, 0x02, true));
    assert_true(apic_match_destination(f->apic, 0xff, true));
    wr(f, DFR, 0x0fffffff);                     /* cluster model */
    wr(f, LDR, 0x21000000);
    assert_true(apic_match_destination(f->apic, 0x23, true));
    assert_false(apic_match_destination(f->apic, 0x13, true));
    assert_false(apic_match_destination(f->apic, 0x22, true));
    assert_true(apic_match_destination(f->apic, 0x00, false));
    assert_false(apic_match_destination(f->apic, 0x01, false));
    wr(f, ICR_HI, 0x21000000);
    wr(f, ICR_LO, 0x00000875);                  /* logical, cluster 2 member 1 */
    assert_true(irr_has(f, 0x75));
}

static void test_init_and_startup_ipis_reach_the_cpu(void **state)
{
    Fx *f = *state;

    enable(f);
    wr(f, ICR_LO, 0x00084500);                  /* INIT assert, all incl. self */
    assert_true(f->cpu->cs.interrupt_request & CPU_INTERRUPT_INIT);
    wr(f, ICR_LO, 0x00080699);                  /* STARTUP vector 0x99 */
    assert_true(f->cpu->cs.interrupt_request & CPU_INTERRUPT_SIPI);
    assert_int_equal(apic_get_sipi_vector(f->apic), 0x99);
}

/* ---- EOI broadcast ---- */

static void test_eoi_of_level_vector_is_broadcast_edge_is_not(void **state)
{
    Fx *f = *state;

    enable(f);
    apic_set_eoi_broadcast(f->apic, record_eoi, f);
    apic_deliver(f->apic, 0x61, APIC_DM_FIXED, true);
    assert_true(rd(f, TMR + 0x30) & (1u << 1));
    assert_int_equal(apic_get_interrupt(f->apic), 0x61);
    wr(f, EOI, 0);
    assert_int_equal(f->eoi_count, 1);
    assert_int_equal(f->eoi_vector, 0x61);
    apic_deliver(f->apic, 0x61, APIC_DM_FIXED, false);
    assert_false(rd(f, TMR + 0x30) & (1u << 1));
    assert_int_equal(apic_get_interrupt(f->apic), 0x61);
    wr(f, EOI, 0);
    assert_int_equal(f->eoi_count, 1);
    wr(f, EOI, 0);                              /* EOI with nothing in service */
    assert_int_equal(f->eoi_count, 1);
}

/* ---- timer ---- */

static void test_timer_one_shot_counts_down_and_fires_once(void **state)
{
    Fx *f = *state;

    enable(f);
    wr(f, TIMER_DCR, 0xb);                      /* divide by 1: 1 tick per ns */
    wr(f, LVT_TIMER, 0x30);
    wr(f, TIMER_INIT, 1000);
    assert_int_equal(rd(f, TIMER_CUR), 1000);
    advance(400);
    assert_int_equal(rd(f, TIMER_CUR), 600);
    assert_false(irr_has(f, 0x30));
    advance(600);
    assert_true(irr_has(f, 0x30));
    assert_int_equal(rd(f, TIMER_CUR), 0);
    assert_int_equal(apic_get_interrupt(f->apic), 0x30);
    wr(f, EOI, 0);
    advance(5000);
    assert_false(irr_has(f, 0x30));
}

static void test_timer_periodic_reloads_and_divider_scales(void **state)
{
    Fx *f = *state;

    enable(f);
    wr(f, TIMER_DCR, 0x0);                      /* divide by 2 */
    wr(f, LVT_TIMER, 0x20031);                  /* periodic, vector 0x31 */
    wr(f, TIMER_INIT, 100000);                  /* period 200 us */
    advance(100000);
    assert_int_equal(rd(f, TIMER_CUR), 50000);
    advance(100000);
    assert_true(irr_has(f, 0x31));
    assert_int_equal(apic_get_interrupt(f->apic), 0x31);
    wr(f, EOI, 0);
    assert_int_equal(rd(f, TIMER_CUR), 100000);
    advance(200000);
    assert_true(irr_has(f, 0x31));
    wr(f, TIMER_INIT, 0);                       /* stops the timer */
    assert_int_equal(apic_get_interrupt(f->apic), 0x31);
    wr(f, EOI, 0);
    advance(1000000);
    assert_false(irr_has(f, 0x31));
}

static int count_timer_interrupts(Fx *f, int vector, int steps, int64_t step_ns)
{
    int n = 0;

    for (int i = 0; i < steps; i++) {
        advance(step_ns);
        if (irr_has(f, vector)) {
            assert_int_equal(apic_get_interrupt(f->apic), vector);
            wr(f, EOI, 0);
            n++;
        }
    }
    return n;
}

static void test_timer_tiny_period_is_limited_to_the_minimum(void **state)
{
    Fx *f = *state;

    enable(f);
    wr(f, TIMER_DCR, 0xb);
    wr(f, LVT_TIMER, 0x20034);
    wr(f, TIMER_INIT, 1);                       /* 1 ns asked */
    assert_int_equal(count_timer_interrupts(f, 0x34, 100, APIC_TIMER_MIN_PERIOD_NS / 10),
                     10);
}

static void test_timer_masked_periodic_resumes_in_phase_when_unmasked(void **state)
{
    Fx *f = *state;

    enable(f);
    wr(f, TIMER_DCR, 0xb);
    wr(f, LVT_TIMER, 0x30035);                  /* periodic, masked */
    wr(f, TIMER_INIT, 1000000);                 /* 1 ms */
    assert_int_equal(count_timer_interrupts(f, 0x35, 25, 100000), 0);
    assert_int_equal(rd(f, TIMER_CUR), 500000);
    wr(f, LVT_TIMER, 0x20035);                  /* unmask at 2.5 ms */
    advance(499999);
    assert_false(irr_has(f, 0x35));
    assert_int_equal(count_timer_interrupts(f, 0x35, 20, 100000), 2);
}

static void test_timer_divide_by_32_and_masked_lvt_stays_silent(void **state)
{
    Fx *f = *state;

    enable(f);
    wr(f, TIMER_DCR, 0x8);                      /* divide by 32 */
    assert_int_equal(rd(f, TIMER_DCR), 0x8);
    wr(f, LVT_TIMER, 0x10032);                  /* masked */
    wr(f, TIMER_INIT, 100);
    advance(32 * 50);
    assert_int_equal(rd(f, TIMER_CUR), 50);
    advance(32 * 50);
    assert_int_equal(rd(f, TIMER_CUR), 0);
    assert_false(irr_has(f, 0x32));
    assert_false(hard(f));
}

static void test_timer_tsc_deadline_fires_at_deadline_and_clears(void **state)
{
    Fx *f = *state;

    enable(f);
    apic_set_tsc_deadline(f->apic, 5000);       /* one-shot mode: ignored */
    assert_int_equal(apic_get_tsc_deadline(f->apic), 0);
    wr(f, LVT_TIMER, 0x40033);                  /* TSC-deadline mode */
    wr(f, TIMER_INIT, 100);                     /* ignored in this mode */
    assert_int_equal(rd(f, TIMER_INIT), 0);
    apic_set_tsc_deadline(f->apic, 5000);
    assert_int_equal(apic_get_tsc_deadline(f->apic), 5000);
    advance(4999);
    assert_false(irr_has(f, 0x33));
    advance(1);
    assert_true(irr_has(f, 0x33));
    assert_int_equal(apic_get_tsc_deadline(f->apic), 0);
    apic_set_tsc_deadline(f->apic, 9000);
    wr(f, LVT_TIMER, 0x33);                     /* leaving the mode disarms */
    advance(10000);
    assert_int_equal(apic_get_interrupt(f->apic), 0x33);
    wr(f, EOI, 0);
    assert_int_equal(apic_get_interrupt(f->apic), -1);
}

/* ---- LINT0 / LINT1 and the i8259 ---- */

static void test_extint_on_lint0_delivers_the_pic_vector(void **state)
{
    Fx *f = *state;

    apic_set_extint_source(f->apic, fake_pic_ack, fake_pic_pending, f);
    enable(f);
    wr(f, LVT_LINT0, 0x700);                    /* ExtINT, unmasked */
    f->pic_vector = 0x08;
    f->pic_pending = true;
    irq_raise(apic_lint(f->apic, APIC_LINT0));
    assert_true(hard(f));
    assert_int_equal(apic_int_ack(f->apic), 0x08);
    assert_int_equal(f->pic_acks, 1);
    assert_false(hard(f));
    assert_false(isr_has(f, 0x08));             /* ExtINT bypasses the ISR */
}

static void test_pic_bypasses_a_software_disabled_apic(void **state)
{
    Fx *f = *state;

    apic_set_extint_source(f->apic, fake_pic_ack, fake_pic_pending, f);
    f->pic_vector = 0x20;
    f->pic_pending = true;
    irq_raise(apic_lint(f->apic, APIC_LINT0));
    assert_true(hard(f));                       /* reset state: virtual wire */
    assert_int_equal(apic_int_ack(f->apic), 0x20);
    assert_false(hard(f));
}

static void test_masked_lint0_blocks_the_pic_once_enabled(void **state)
{
    Fx *f = *state;

    apic_set_extint_source(f->apic, fake_pic_ack, fake_pic_pending, f);
    enable(f);                                  /* LINT0 still masked */
    f->pic_pending = true;
    irq_raise(apic_lint(f->apic, APIC_LINT0));
    assert_false(hard(f));
    assert_int_equal(apic_int_ack(f->apic), -1);
    assert_int_equal(f->pic_acks, 0);
    wr(f, LVT_LINT0, 0x700);
    assert_true(hard(f));
}

static void test_apic_vector_is_acked_before_the_pic(void **state)
{
    Fx *f = *state;

    apic_set_extint_source(f->apic, fake_pic_ack, fake_pic_pending, f);
    enable(f);
    wr(f, LVT_LINT0, 0x700);
    f->pic_vector = 0x09;
    f->pic_pending = true;
    irq_raise(apic_lint(f->apic, APIC_LINT0));
    apic_deliver(f->apic, 0x50, APIC_DM_FIXED, false);
    assert_int_equal(apic_int_ack(f->apic), 0x50);
    assert_true(hard(f));
    assert_int_equal(apic_int_ack(f->apic), 0x09);
    assert_false(hard(f));
}

static void test_extint_without_pending_callback_uses_lint0_level(void **state)
{
    Fx *f = *state;

    apic_set_extint_source(f->apic, fake_pic_ack, NULL, f);
    f->pic_vector = 0x0b;
    enable(f);
    wr(f, LVT_LINT0, 0x700);
    assert_false(hard(f));
    irq_raise(apic_lint(f->apic, APIC_LINT0));
    assert_true(hard(f));
    assert_int_equal(apic_int_ack(f->apic), 0x0b);
    assert_false(hard(f));                      /* the fake PIC lowered INTR */
}

static void test_lint1_nmi_on_rising_edge(void **state)
{
    Fx *f = *state;

    enable(f);
    wr(f, LVT_LINT1, 0x400);                    /* NMI */
    irq_raise(apic_lint(f->apic, APIC_LINT1));
    assert_true(f->cpu->cs.interrupt_request & CPU_INTERRUPT_NMI);
    assert_null(apic_lint(f->apic, 2));
}

static void test_level_fixed_lint0_refires_after_eoi_while_high(void **state)
{
    Fx *f = *state;

    enable(f);
    wr(f, LVT_LINT0, 0x8055);                   /* fixed, level, vector 0x55 */
    irq_raise(apic_lint(f->apic, APIC_LINT0));
    assert_true(rd(f, LVT_LINT0) & (1u << 14)); /* remote IRR */
    assert_int_equal(apic_get_interrupt(f->apic), 0x55);
    wr(f, EOI, 0);
    assert_true(irr_has(f, 0x55));              /* still high: again */
    assert_int_equal(apic_get_interrupt(f->apic), 0x55);
    irq_lower(apic_lint(f->apic, APIC_LINT0));
    wr(f, EOI, 0);
    assert_false(irr_has(f, 0x55));
    assert_false(rd(f, LVT_LINT0) & (1u << 14));
}

/* ---- IA32_APIC_BASE ---- */

static void test_base_msr_relocates_and_disables_the_page(void **state)
{
    Fx *f = *state;

    wr(f, TPR, 0x20);
    apic_set_base(f->apic, 0xfed00000 | APIC_MSR_ENABLE);
    assert_int_equal(apic_get_base(f->apic), 0xfed00900);    /* BSP bit kept */
    assert_int_equal(bus_read(f->mem, BASE + VER, 4), 0xffffffff);
    assert_int_equal(bus_read(f->mem, 0xfed00000 + VER, 4), 0x50014);
    assert_int_equal(bus_read(f->mem, 0xfed00000 + TPR, 4), 0x20);
    apic_set_base(f->apic, 0xfed00000);         /* hardware disable */
    assert_int_equal(bus_read(f->mem, 0xfed00000 + VER, 4), 0xffffffff);
    assert_int_equal(f->cpu->env.apic_base, 0xfed00100);
    apic_deliver(f->apic, 0x40, APIC_DM_FIXED, false);
    assert_false(hard(f));
    irq_raise(apic_lint(f->apic, APIC_LINT1));  /* LINT1 is the NMI pin now */
    assert_true(f->cpu->cs.interrupt_request & CPU_INTERRUPT_NMI);
    apic_set_base(f->apic, BASE | APIC_MSR_ENABLE);
    assert_int_equal(rd(f, TPR), 0);            /* state was reset */
    assert_int_equal(rd(f, SVR), 0xff);
    apic_reset(f->apic);
    assert_int_equal(apic_get_base(f->apic), 0xfee00900);
}

static void test_relocation_onto_a_taken_range_leaves_apic_unmapped(void **state)
{
    Fx *f = *state;
    static uint8_t ram[4096];

    assert_non_null(bus_add_ram(f->mem, "ram", 0x10000, sizeof(ram), ram, false, NULL));
    apic_set_base(f->apic, 0x10000 | APIC_MSR_ENABLE);
    assert_int_equal(bus_read(f->mem, BASE + VER, 4), 0xffffffff);
    apic_deliver(f->apic, 0x40, APIC_DM_NMI, false);    /* still works */
    assert_true(f->cpu->cs.interrupt_request & CPU_INTERRUPT_NMI);
    apic_set_base(f->apic, 0x000ffffffffff000ULL | APIC_MSR_ENABLE);  /* past the bus */
    assert_int_equal(apic_get_base(f->apic), 0x000ffffffffff900ULL);
    apic_set_base(f->apic, BASE | APIC_MSR_ENABLE | APIC_MSR_X2APIC);  /* x2APIC ignored */
    assert_int_equal(apic_get_base(f->apic), 0xfee00900);
    assert_int_equal(rd(f, VER), 0x50014);
}

/* ---- guest misuse ---- */

static void test_odd_size_and_unaligned_accesses_are_harmless(void **state)
{
    Fx *f = *state;

    assert_int_equal(bus_read(f->mem, BASE + VER, 1), 0x14);
    assert_int_equal(bus_read(f->mem, BASE + VER + 2, 2), 0x5);
    assert_int_equal(bus_read(f->mem, BASE + VER + 4, 4), 0);
    assert_int_equal(bus_read(f->mem, BASE + VER, 8), 0x50014);
    bus_write(f->mem, BASE + TPR, 0x40, 1);     /* byte write: ignored */
    assert_int_equal(rd(f, TPR), 0);
    bus_write(f->mem, BASE + TPR + 4, 0x40, 4); /* unaligned: ignored */
    assert_int_equal(rd(f, TPR), 0);
    bus_write(f->mem, BASE + TPR, 0xffffffff00000030ULL, 8);
    assert_int_equal(rd(f, TPR), 0x30);
    bus_write(f->mem, BASE + 0xffe, 0xffff, 4); /* crosses the page end */
    assert_int_equal(bus_read(f->mem, BASE + 0xff0, 4), 0);
    wr(f, VER, 0);                              /* read-only */
    wr(f, PPR, 0xff);
    wr(f, IRR, 0xffffffff);
    assert_int_equal(rd(f, VER), 0x50014);
    assert_int_equal(rd(f, IRR), 0);
    assert_int_equal(rd(f, EOI), 0);
    wr(f, 0xfe0, 1);                            /* reserved */
    wr(f, LVT_TIMER, 0x60000);                  /* reserved timer mode 3 */
    assert_int_equal(rd(f, LVT_TIMER), 0x10000);
    wr(f, ESR, 0);
    assert_int_equal(rd(f, ESR), 0x80);
}

static void test_dump_lists_state(void **state)
{
    Fx *f = *state;
    GString *out = g_string_new(NULL);

    enable(f);
    apic_deliver(f->apic, 0x41, APIC_DM_FIXED, true);
    apic_dump(f->apic, out);
    assert_non_null(strstr(out->str, "lapic: id=00"));
    assert_non_null(strstr(out->str, "irr: 41"));
    assert_non_null(strstr(out->str, "tmr: 41"));
    assert_non_null(strstr(out->str, "software-enabled"));
    g_string_free(out, TRUE);
}

static void test_second_apic_on_the_same_page_is_refused(void **state)
{
    Fx *f = *state;
    X86CPU *cpu = x86_cpu_new(1);
    GError *err = NULL;

    assert_null(apic_new(f->mem, cpu, &err));
    assert_non_null(err);
    g_error_free(err);
    assert_null(cpu->apic);
    x86_cpu_free(cpu);
    apic_free(NULL);
}

static void test_random_register_traffic_never_breaks_invariants(void **state)
{
    Fx *f = *state;
    GRand *rng = g_rand_new_with_seed(20261127);
    static const unsigned sizes[] = { 1, 2, 4, 8 };

    apic_set_extint_source(f->apic, fake_pic_ack, fake_pic_pending, f);
    for (int i = 0; i < 20000; i++) {
        uint64_t off = g_rand_int_range(rng, 0, APIC_MMIO_SIZE);
        unsigned size = sizes[g_rand_int_range(rng, 0, 4)];
        uint64_t val = ((uint64_t)g_rand_int(rng) << 32) | g_rand_int(rng);

        if (g_rand_boolean(rng)) {
            off &= ~0xfull;                     /* mostly well-formed accesses */
            size = 4;
        }
        switch (g_rand_int_range(rng, 0, 8)) {
        case 0:
            bus_read(f->mem, BASE + off, size);
            break;
        case 1:
            apic_deliver(f->apic, g_rand_int_range(rng, 0, 256),
                         g_rand_int_range(rng, 0, 8), g_rand_boolean(rng));
            break;
        case 2:
            apic_int_ack(f->apic);
            break;
        case 3:
            irq_set(apic_lint(f->apic, g_rand_int_range(rng, 0, 2)), g_rand_boolean(rng));
            break;
        case 4:
            advance(g_rand_int_range(rng, 0, 100000));
            break;
        default:
            bus_write(f->mem, BASE + off, val, size);
            break;
        }
        if (!(apic_get_base(f->apic) & APIC_MSR_ENABLE)) {
            apic_set_base(f->apic, BASE | APIC_MSR_ENABLE);
        }
    }
    /* Drain: every vector in service can be retired, none is left behind. */
    wr(f, TPR, 0);
    wr(f, SVR, 0x1ff);
    for (int i = 0; i < 300; i++) {
        wr(f, EOI, 0);
    }
    for (unsigned r = 0; r < 8; r++) {
        assert_int_equal(rd(f, ISR + r * 0x10), 0);
    }
    g_rand_free(rng);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_reset_values_match_the_sdm),
        T(test_id_ldr_dfr_keep_only_architectural_bits),
        T(test_fixed_vector_raises_hard_and_ack_moves_it_to_isr),
        T(test_higher_class_preempts_and_eoi_retires_highest_first),
        T(test_highest_pending_vector_is_acknowledged_first),
        T(test_tpr_blocks_lower_classes_and_cr8_mirrors_it),
        T(test_apr_follows_the_p6_formula),
        T(test_spurious_vector_when_priority_rises_before_ack),
        T(test_software_disabled_apic_drops_fixed_and_masks_lvt),
        T(test_illegal_vectors_and_registers_are_reported_in_esr),
        T(test_icr_self_and_physical_ipis_reach_this_apic),
        T(test_logical_destinations_flat_and_cluster),
        T(test_init_and_startup_ipis_reach_the_cpu),
        T(test_eoi_of_level_vector_is_broadcast_edge_is_not),
        T(test_timer_one_shot_counts_down_and_fires_once),
        T(test_timer_periodic_reloads_and_divider_scales),
        T(test_timer_tiny_period_is_limited_to_the_minimum),
        T(test_timer_masked_periodic_resumes_in_phase_when_unmasked),
        T(test_timer_divide_by_32_and_masked_lvt_stays_silent),
        T(test_timer_tsc_deadline_fires_at_deadline_and_clears),
        T(test_extint_on_lint0_delivers_the_pic_vector),
        T(test_pic_bypasses_a_software_disabled_apic),
        T(test_masked_lint0_blocks_the_pic_once_enabled),
        T(test_apic_vector_is_acked_before_the_pic),
        T(test_extint_without_pending_callback_uses_lint0_level),
        T(test_lint1_nmi_on_rising_edge),
        T(test_level_fixed_lint0_refires_after_eoi_while_high),
        T(test_base_msr_relocates_and_disables_the_page),
        T(test_relocation_onto_a_taken_range_leaves_apic_unmapped),
        T(test_odd_size_and_unaligned_accesses_are_harmless),
        T(test_dump_lists_state),
        T(test_second_apic_on_the_same_page_is_refused),
        T(test_random_register_traffic_never_breaks_invariants),
    };

    log_to_null(LOG_GUEST_ERRORS | LOG_UNIMP | LOG_INT);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
