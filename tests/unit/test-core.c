/*
 * test-core.c: IRQ lines, the virtual clock and timers, run-state
 * requests, size parsing, log item parsing and the x86 reset state.
 */
#include "vireo/common.h"

#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>

#include "vireo/log.h"
#include "hw/clock.h"
#include "hw/irq.h"
#include "system/machine.h"
#include "system/runstate.h"
#include "target-x86/cpu.h"

static int irq_levels[4];
static void record_irq(void *opaque, int n, int level)
{
    irq_levels[n] = level;
}

static void test_irq_line_drives_receiver_input(void **state)
{
    IrqLine **lines = irq_new_array(record_irq, NULL, 4);
    irq_raise(lines[2]);
    assert_int_equal(irq_levels[2], 1);
    assert_int_equal(lines[2]->raised, 1);
    irq_lower(lines[2]);
    assert_int_equal(irq_levels[2], 0);
    irq_set(NULL, 1);   /* an unconnected output is harmless */
    irq_free_array(lines, 4);
}

static void test_irq_splitter_drives_both(void **state)
{
    IrqLine *a = irq_new(record_irq, NULL, 0), *b = irq_new(record_irq, NULL, 1);
    IrqLine *s = irq_new_splitter(a, b);
    irq_raise(s);
    assert_int_equal(irq_levels[0], 1);
    assert_int_equal(irq_levels[1], 1);
    irq_lower(s);
    assert_int_equal(irq_levels[0] | irq_levels[1], 0);
    irq_free_splitter(s);
    irq_free(a);
    irq_free(b);
}

static int64_t fake_now;
static int64_t fake_clock(void) { return fake_now; }
static int fired[3];
static void on_timer(void *opaque) { fired[GPOINTER_TO_INT(opaque)]++; }

static void test_timers_fire_in_order_when_due(void **state)
{
    Timer *t0 = timer_new(on_timer, GINT_TO_POINTER(0));
    Timer *t1 = timer_new(on_timer, GINT_TO_POINTER(1));
    clock_set_source(fake_clock);
    fake_now = 1000;
    timer_mod(t1, 3000);
    timer_mod(t0, 2000);
    assert_int_equal(timers_deadline_ns(), 1000);
    assert_int_equal(timers_run_expired(), 0);
    fake_now = 2500;
    assert_int_equal(timers_run_expired(), 1);
    assert_int_equal(fired[0], 1);
    assert_false(timer_pending(t0));
    timer_del(t1);
    assert_int_equal(timers_deadline_ns(), -1);
    fake_now = 10000;
    assert_int_equal(timers_run_expired(), 0);
    assert_int_equal(fired[1], 0);
    timer_free(t0);
    timer_free(t1);
    clock_set_source(NULL);
}

static void test_host_clock_is_monotonic_and_stops(void **state)
{
    int64_t a = clock_get_ns(), b;
    clock_stop();
    b = clock_get_ns();
    assert_true(b >= a);
    g_usleep(2000);
    assert_int_equal(clock_get_ns(), b);
    clock_start();
    assert_true(clock_get_ns() >= b);
}

static void test_parse_size_accepts_suffixes_and_rejects_garbage(void **state)
{
    uint64_t v;
    GError *err = NULL;
    assert_int_equal(parse_size("512", &v, NULL), 0);
    assert_int_equal(v, 512 * MiB);
    assert_int_equal(parse_size("2G", &v, NULL), 0);
    assert_int_equal(v, 2 * GiB);
    assert_int_equal(parse_size("64k", &v, NULL), 0);
    assert_int_equal(v, 64 * KiB);
    assert_int_equal(parse_size("1MB", &v, NULL), 0);
    assert_int_equal(parse_size("12X", &v, &err), -1);
    g_clear_error(&err);
    assert_int_equal(parse_size("", &v, &err), -1);
    g_clear_error(&err);
    assert_int_equal(parse_size("0", &v, &err), -1);
    g_clear_error(&err);
    assert_int_equal(parse_size("99999999999999999999", &v, &err), -1);
    g_clear_error(&err);
}

static void test_device_option_parses_properties(void **state)
{
    MachineConfig *cfg = machine_config_new();
    GError *err = NULL;
    assert_int_equal(machine_config_add_device(cfg, "isa-debug-exit,iobase=0xf4,iosize=4",
                                               NULL), 0);
    DeviceOpt *d = g_ptr_array_index(cfg->devices, 0);
    assert_string_equal(d->driver, "isa-debug-exit");
    assert_string_equal(g_hash_table_lookup(d->props, "iobase"), "0xf4");
    assert_int_equal(machine_config_add_device(cfg, "x,novalue", &err), -1);
    g_clear_error(&err);
    machine_config_free(cfg);
}

static void test_log_items_parse(void **state)
{
    uint32_t mask;
    GError *err = NULL;
    assert_int_equal(log_parse_items("int,guest_errors", &mask, NULL), 0);
    assert_int_equal(mask, LOG_INT | LOG_GUEST_ERRORS);
    assert_int_equal(log_parse_items("int,bogus", &mask, &err), -1);
    assert_non_null(strstr(err->message, "bogus"));
    g_clear_error(&err);
    assert_int_equal(log_parse_filter("0x1000..0x1fff,0x5000+0x10", NULL), 0);
    assert_true(log_in_filter(0x1800));
    assert_true(log_in_filter(0x500f));
    assert_false(log_in_filter(0x5010));
    assert_int_equal(log_parse_filter("0x10..0x5", &err), -1);
    g_clear_error(&err);
}

static void test_first_shutdown_request_wins(void **state)
{
    runstate_request_shutdown(SHUTDOWN_DEBUG_EXIT, 7);
    runstate_request_shutdown(SHUTDOWN_HOST_QUIT, 0);
    assert_int_equal(runstate_shutdown_requested(), SHUTDOWN_DEBUG_EXIT);
    assert_int_equal(runstate_exit_status(), 7);
}

static void test_cpu_reset_state_matches_sdm(void **state)
{
    X86CPU *cpu = x86_cpu_new(0);
    X86CPUState *env = &cpu->env;
    uint32_t a, b, c, d;

    assert_int_equal(env->rip, 0xfff0);
    assert_int_equal(env->segs[R_CS].selector, 0xf000);
    assert_int_equal(env->segs[R_CS].base, 0xffff0000);
    assert_int_equal(x86_eflags_get(env), 0x2);
    assert_int_equal(env->cr[0], 0x60000010);
    assert_int_equal(env->hflags & (HF_PE_MASK | HF_CS32_MASK), 0);
    x86_cpuid(env, 0, 0, &a, &b, &c, &d);
    assert_memory_equal(&b, "Genu", 4);
    assert_int_equal(env->regs[R_EDX], 0x6fb);
    x86_eflags_set(env, 0x202 | DF_MASK);
    assert_int_equal(env->df, -1);
    assert_int_equal(x86_eflags_get(env), 0x602);
    x86_cpu_free(cpu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_irq_line_drives_receiver_input),
        cmocka_unit_test(test_irq_splitter_drives_both),
        cmocka_unit_test(test_timers_fire_in_order_when_due),
        cmocka_unit_test(test_host_clock_is_monotonic_and_stops),
        cmocka_unit_test(test_parse_size_accepts_suffixes_and_rejects_garbage),
        cmocka_unit_test(test_device_option_parses_properties),
        cmocka_unit_test(test_log_items_parse),
        cmocka_unit_test(test_first_shutdown_request_wins),
        cmocka_unit_test(test_cpu_reset_state_matches_sdm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
