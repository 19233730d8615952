/*
 * test-misc-ports.c: the small PC ports driven through the port bus:
 * port 0x92 (fast A20, fast reset), the POST port 0x80, isa-debug-exit
 * (exit status (V << 1) | 1; each case runs in a child process because a
 * shutdown request cannot be withdrawn), and the reset control register
 * at 0xCF9.
 */
#include "vireo/common.h"
#include "vireo/log.h"
#include "hw/bus.h"
#include "system/runstate.h"
#include "hw/port92.h"
#include "hw/port80.h"
#include "hw/debugexit.h"
#include "hw/resetcontrol.h"

#include <sys/wait.h>
#include <unistd.h>
#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>
#include "test-util.h"

typedef struct Fixture {
    Bus *io;
    int a20_calls;
    bool a20;
} Fixture;

static int setup(void **state)
{
    Fixture *f = g_new0(Fixture, 1);
    f->io = bus_new("io", 0x10000, 0);
    (void)runstate_take_reset_request();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    bus_free(f->io);
    g_free(f);
    return 0;
}

static void set_a20(void *opaque, bool enabled)
{
    Fixture *f = opaque;
    f->a20_calls++;
    f->a20 = enabled;
}

static void test_port92_bit1_gates_a20_on_change_only(void **state)
{
    Fixture *f = *state;
    Port92 *p = port92_new(f->io, set_a20, f, NULL);

    assert_int_equal(bus_read(f->io, 0x92, 1), 0x00);
    bus_write(f->io, 0x92, 0x02, 1);
    assert_true(f->a20);
    assert_int_equal(f->a20_calls, 1);
    assert_true(port92_a20_enabled(p));
    bus_write(f->io, 0x92, 0x02, 1);
    assert_int_equal(f->a20_calls, 1);
    assert_int_equal(bus_read(f->io, 0x92, 1), 0x02);
    bus_write(f->io, 0x92, 0x00, 1);
    assert_false(f->a20);
    assert_false(runstate_take_reset_request());
    port92_free(p);
}

static void test_port92_bit0_rising_requests_reset_once(void **state)
{
    Fixture *f = *state;
    Port92 *p = port92_new(f->io, NULL, NULL, NULL);

    bus_write(f->io, 0x92, 0x03, 1);
    assert_true(runstate_take_reset_request());
    bus_write(f->io, 0x92, 0x03, 1);            /* no new 0->1 transition */
    assert_false(runstate_take_reset_request());
    port92_reset(p);
    assert_int_equal(bus_read(f->io, 0x92, 1), 0x00);
    bus_write(f->io, 0x92, 0x01, 1);
    assert_true(runstate_take_reset_request());
    port92_free(p);
}

static void test_port92_reserved_bits_dropped(void **state)
{
    Fixture *f = *state;
    Port92 *p = port92_new(f->io, NULL, NULL, NULL);

    bus_write(f->io, 0x92, 0xfe, 1);
    assert_int_equal(bus_read(f->io, 0x92, 1), 0xca);
    bus_write(f->io, 0x91, 0x0000, 2);          /* 0x91 unclaimed, 0x92 <- 0 */
    assert_int_equal(bus_read(f->io, 0x92, 1), 0x00);
    port92_free(p);
}

static void test_port80_keeps_last_post_code(void **state)
{
    Fixture *f = *state;
    PostPort *p = port80_new(f->io, NULL);

    assert_int_equal(bus_read(f->io, 0x80, 1), 0);
    bus_write(f->io, 0x80, 0x55, 1);
    bus_write(f->io, 0x80, 0xaa, 1);
    assert_int_equal(bus_read(f->io, 0x80, 1), 0xaa);
    assert_int_equal(port80_last_code(p), 0xaa);
    port80_reset(p);
    assert_int_equal(port80_last_code(p), 0);
    port80_free(p);
}

/* In a child: creates the device, makes one write, exits with the status. */
static int debugexit_status_of(uint16_t base, uint16_t size, uint16_t port, uint64_t v,
                               unsigned width)
{
    int status;
    pid_t pid = fork();

    if (pid == 0) {
        Bus *io = bus_new("io", 0x10000, 0);
        if (!isa_debug_exit_new(io, base, size, NULL)) {
            _exit(100);
        }
        bus_write(io, port, v, width);
        _exit(runstate_shutdown_requested() == SHUTDOWN_DEBUG_EXIT
              ? runstate_exit_status() & 0xff : 101);
    }
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void test_debugexit_write_exits_with_v_shifted_or_1(void **state)
{
    assert_int_equal(debugexit_status_of(0x501, 2, 0x501, 0x00, 1), 1);
    assert_int_equal(debugexit_status_of(0x501, 2, 0x501, 0x10, 1), 0x21);
    assert_int_equal(debugexit_status_of(0x501, 2, 0x501, 0x31, 2), 0x63);
    assert_int_equal(debugexit_status_of(0xf4, 1, 0xf4, 0x02, 1), 5);
}

static void test_debugexit_bad_config_is_an_error(void **state)
{
    Fixture *f = *state;
    GError *err = NULL;

    assert_null(isa_debug_exit_new(f->io, 0x501, 3, &err));
    assert_non_null(err);
    assert_non_null(strstr(err->message, "iosize"));
    g_clear_error(&err);
    assert_null(isa_debug_exit_new(f->io, 0xffff, 2, &err));
    assert_non_null(err);
    g_clear_error(&err);
}

static void test_debugexit_read_returns_all_ones_without_exit(void **state)
{
    Fixture *f = *state;
    IsaDebugExit *d = isa_debug_exit_new(f->io, 0x501, 2, NULL);

    assert_non_null(d);
    assert_int_equal(bus_read(f->io, 0x501, 1), 0xff);
    assert_int_equal(runstate_shutdown_requested(), SHUTDOWN_NONE);
    isa_debug_exit_reset(d);
    isa_debug_exit_free(d);
}

static void test_resetcontrol_rcpu_requests_reset(void **state)
{
    Fixture *f = *state;
    ResetControl *rc = resetcontrol_new(f->io, NULL);

    bus_write(f->io, 0xcf9, 0x02, 1);
    assert_false(runstate_take_reset_request());
    assert_int_equal(bus_read(f->io, 0xcf9, 1), 0x02);
    bus_write(f->io, 0xcf9, 0x06, 1);
    assert_true(runstate_take_reset_request());
    assert_int_equal(bus_read(f->io, 0xcf9, 1), 0x02);   /* RCPU reads 0 */
    bus_write(f->io, 0xcf9, 0x04, 1);                    /* soft reset */
    assert_true(runstate_take_reset_request());
    bus_write(f->io, 0xcf9, 0xf1, 1);                    /* reserved bits */
    assert_false(runstate_take_reset_request());
    assert_int_equal(bus_read(f->io, 0xcf9, 1), 0x00);
    resetcontrol_reset(rc);
    resetcontrol_free(rc);
}

static void test_resetcontrol_without_port_for_bridge_forwarding(void **state)
{
    Fixture *f = *state;
    ResetControl *rc = resetcontrol_new(NULL, NULL);

    assert_non_null(rc);
    assert_null(bus_lookup(f->io, 0xcf9));
    resetcontrol_write(rc, 0x0e);
    assert_true(runstate_take_reset_request());
    assert_int_equal(resetcontrol_read(rc), 0x0a);
    resetcontrol_free(rc);
}

static void test_ports_refuse_double_claim(void **state)
{
    Fixture *f = *state;
    GError *err = NULL;
    PostPort *p = port80_new(f->io, NULL);

    assert_null(port80_new(f->io, &err));
    assert_non_null(err);
    g_clear_error(&err);
    port80_free(p);
}

int main(void)
{
    log_to_null(~0u);
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_port92_bit1_gates_a20_on_change_only),
        T(test_port92_bit0_rising_requests_reset_once),
        T(test_port92_reserved_bits_dropped),
        T(test_port80_keeps_last_post_code),
        T(test_debugexit_write_exits_with_v_shifted_or_1),
        T(test_debugexit_bad_config_is_an_error),
        T(test_debugexit_read_returns_all_ones_without_exit),
        T(test_resetcontrol_rcpu_requests_reset),
        T(test_resetcontrol_without_port_for_bridge_forwarding),
        T(test_ports_refuse_double_claim),
#undef T
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (log_set_file(NULL, NULL) < 0) {
        return 1;
    }
    return rc;
}
