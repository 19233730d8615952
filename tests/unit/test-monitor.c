/*
 * test-monitor.c: the human monitor's core commands on a small machine
 * with RAM and a CPU but no vCPU thread: expression evaluation, memory
 * dumps through physical and virtual (paged) addresses, info items,
 * registration of subsystem commands, and bad input.
 */
#include "vireo/common.h"

#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>

#include "vireo/log.h"
#include "hw/bus.h"
#include "system/machine.h"
#include "system/monitor.h"
#include "system/runstate.h"
#include "target-x86/cpu.h"

static uint8_t *ram;
#define RAM_SIZE (4 * MiB)

static int setup(void **state)
{
    Machine *m = g_new0(Machine, 1);
    ram = g_malloc0(RAM_SIZE);
    m->mem = bus_new("memory", 1ULL << 40, LOG_MMIO);
    m->io = bus_new("io", 0x10000, LOG_IOPORT);
    bus_add_ram(m->mem, "ram", 0, RAM_SIZE, ram, false, NULL);
    m->cpu = x86_cpu_new(0);
    current_machine = m;
    return 0;
}

static int teardown(void **state)
{
    Machine *m = current_machine;
    x86_cpu_free(m->cpu);
    bus_free(m->mem);
    bus_free(m->io);
    g_free(m);
    g_free(ram);
    current_machine = NULL;
    return 0;
}

static char *run(const char *line)
{
    GString *out = g_string_new(NULL);
    monitor_execute(NULL, line, out);
    return g_string_free(out, false);
}

static void assert_output(const char *line, const char *expected)
{
    g_autofree char *out = run(line);
    if (strcmp(out, expected) != 0) {
        fail_msg("'%s' printed '%s', expected '%s'", line, out, expected);
    }
}

static void assert_output_contains(const char *line, const char *needle)
{
    g_autofree char *out = run(line);
    if (!strstr(out, needle)) {
        fail_msg("'%s' printed '%s', which lacks '%s'", line, out, needle);
    }
}

static void test_print_evaluates_registers_and_operators(void **state)
{
    X86CPUState *env = &current_machine->cpu->env;
    env->regs[R_EAX] = 0x1000;
    env->regs[R_EBX] = 3;
    assert_output("print $rax + $rbx * 2", "0x1006\n");
    assert_output("p ($rax | 0xf) >> 4", "0x100\n");
    assert_output("print/d -5 + 2", "-3\n");
    assert_output("p $eip", "0xfff0\n");
    assert_output("p $cs", "0xf000\n");
    assert_output("print 1 / 0", "division by zero at ''\n");
    assert_output_contains("print $nosuch", "unknown register");
    assert_output_contains("print 1 +", "expected a number");
    assert_output_contains("print (1", "missing ')'");
}

static void test_xp_dumps_physical_memory_in_each_size(void **state)
{
    memcpy(ram + 0x1000, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
    assert_output("xp/2xw 0x1000", "0000000000001000: 0x44332211 0x88776655\n");
    assert_output("xp/1xg 0x1000", "0000000000001000: 0x8877665544332211\n");
    assert_output("xp/2xb 0x1000", "0000000000001000: 0x11 0x22\n");
    assert_output("xp/1dh 0x1006", "0000000000001006: -30601\n");
    memcpy(ram + 0x1100, "Hi", 2);
    assert_output("xp/2c 0x1100", "0000000000001100: 'H' 'i'\n");
}

static void test_xp_past_ram_reports_inaccessible(void **state)
{
    assert_output_contains("xp/1xw 0x7ffffffff000", "cannot access memory");
}

static void test_x_translates_through_32bit_page_tables(void **state)
{
    X86CPUState *env = &current_machine->cpu->env;
    /* Page directory at 0x10000, one page table at 0x11000 mapping
     * virtual 0x00400000 -> physical 0x2000; a 4 MiB PSE page at 0xc0000000. */
    uint32_t pde = 0x11000 | 1, pte = 0x2000 | 1, big = 0x00000000 | 0x81;
    memcpy(ram + 0x10000 + (0x00400000 >> 22) * 4, &pde, 4);
    memcpy(ram + 0x11000, &pte, 4);
    memcpy(ram + 0x10000 + (0xc0000000u >> 22) * 4, &big, 4);
    memcpy(ram + 0x2000, "\xef\xbe\xad\xde", 4);
    env->cr[3] = 0x10000;
    env->cr[4] |= CR4_PSE;
    env->cr[0] |= CR0_PE | CR0_PG;
    assert_output("x/1xw 0x400000", "0000000000400000: 0xdeadbeef\n");
    assert_output("x/1xw 0xc0002000", "00000000c0002000: 0xdeadbeef\n");
    assert_output_contains("x/1xw 0x800000", "cannot access memory");
    env->cr[0] &= ~(uint64_t)(CR0_PE | CR0_PG);
}

static void test_x_disassembles_with_capstone(void **state)
{
    /* mov eax, 1; ret -- in 16-bit real mode "mov ax, 1" takes 3 bytes. */
    memcpy(ram + 0x3000, "\xb8\x01\x00\xc3", 4);
    assert_output_contains("xp/2i 0x3000", "mov");
    assert_output_contains("xp/2i 0x3000", "ret");
}

static void test_info_items_and_help(void **state)
{
    runstate_set(RUN_STATE_RUNNING);
    assert_output("info status", "VM status: running\n");
    assert_output_contains("info registers", "RIP=000000000000fff0");
    assert_output_contains("info mtree", "(ram) ram");
    assert_output_contains("info", "info registers");
    assert_output_contains("help", "system_reset");
    assert_output_contains("help quit", "quit|q");
    assert_output_contains("info nosuch", "unknown item");
}

static int custom_called;
static void custom_cmd(Monitor *mon, int argc, char **argv, void *opaque)
{
    custom_called = argc;
    monitor_printf(mon, "custom %s\n", argc > 1 ? argv[1] : "-");
}

static void test_registered_command_is_dispatched_with_arguments(void **state)
{
    monitor_register_command("sendkey", "KEYS", "send keys", custom_cmd, NULL);
    assert_output("sendkey ctrl-alt-delete", "custom ctrl-alt-delete\n");
    assert_int_equal(custom_called, 2);
}

static void test_bad_input_is_answered_not_fatal(void **state)
{
    g_autofree char *big = g_strnfill(100000, 'a');
    assert_output_contains("frobnicate", "unknown command: 'frobnicate'");
    assert_output_contains("x/zz 0", "usage");
    assert_output_contains("x/1xw", "usage");
    assert_output_contains("print \"unbalanced", "could not parse");
    assert_output_contains(big, "unknown command");
    assert_output_contains("log bogus", "unknown log item");
    assert_output("", "");
    assert_output("log none", "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_print_evaluates_registers_and_operators),
        cmocka_unit_test(test_xp_dumps_physical_memory_in_each_size),
        cmocka_unit_test(test_xp_past_ram_reports_inaccessible),
        cmocka_unit_test(test_x_translates_through_32bit_page_tables),
        cmocka_unit_test(test_x_disassembles_with_capstone),
        cmocka_unit_test(test_info_items_and_help),
        cmocka_unit_test(test_registered_command_is_dispatched_with_arguments),
        cmocka_unit_test(test_bad_input_is_answered_not_fatal),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
