/*
 * test-gdbstub.c: the GDB remote protocol server driven packet by packet
 * on a machine with RAM and a CPU but no vCPU thread: framing, checksums
 * and acks, the target description, register and memory access through
 * the page tables, breakpoint requests the accelerator refuses, and
 * malformed packets.
 */
#include "vireo/common.h"

#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>
#include <unistd.h>

#include "vireo/log.h"
#include "hw/bus.h"
#include "system/chardev.h"
#include "system/gdbstub.h"
#include "system/machine.h"
#include "system/runstate.h"
#include "target-x86/cpu.h"

#define RAM_SIZE (1 * MiB)
static uint8_t *ram;
static char *out_path;
static long consumed;
static GdbServer *gdb;

static int setup(void **state)
{
    GError *err = NULL;
    Machine *m = g_new0(Machine, 1);
    int fd;

    ram = g_malloc0(RAM_SIZE);
    m->mem = bus_new("memory", 1ULL << 40, LOG_MMIO);
    bus_add_ram(m->mem, "ram", 0, RAM_SIZE, ram, false, NULL);
    m->cpu = x86_cpu_new(0);
    m->cpu->cs.machine = m;
    current_machine = m;
    runstate_set(RUN_STATE_PAUSED);
    out_path = g_build_filename(g_get_tmp_dir(), "vireo-test-gdb-XXXXXX", NULL);
    fd = g_mkstemp(out_path);
    close(fd);
    g_autofree char *spec = g_strdup_printf("file:%s", out_path);
    gdb = gdbstub_new(chardev_new(spec, &err), &err);
    assert_non_null(gdb);
    return 0;
}

static int teardown(void **state)
{
    unlink(out_path);
    return 0;
}

/* Everything written since the last call. */
static char *take_output(void)
{
    g_autofree char *all = NULL;
    gsize len;
    g_assert(g_file_get_contents(out_path, &all, &len, NULL));
    char *fresh = g_strndup(all + consumed, len - consumed);
    consumed = len;
    return fresh;
}

/* Sends payload as a well-formed packet; returns the reply payload. */
static char *request(const char *payload)
{
    uint8_t sum = 0;
    for (const char *p = payload; *p; p++) {
        sum += (uint8_t)*p;
    }
    g_autofree char *pkt = g_strdup_printf("$%s#%02x", payload, sum);
    gdbstub_feed(gdb, pkt, strlen(pkt));
    g_autofree char *out = take_output();
    /* "+$reply#cs" */
    assert_int_equal(out[0], '+');
    char *start = strchr(out, '$'), *end = strrchr(out, '#');
    assert_non_null(start);
    assert_non_null(end);
    return g_strndup(start + 1, end - start - 1);
}

static void test_qsupported_announces_packet_size_and_xml(void **state)
{
    g_autofree char *r = request("qSupported:multiprocess+;swbreak+");
    assert_non_null(strstr(r, "PacketSize="));
    assert_non_null(strstr(r, "qXfer:features:read+"));
}

static void test_target_xml_describes_amd64_core_and_sse(void **state)
{
    g_autofree char *r = request("qXfer:features:read:target.xml:0,ffff");
    assert_int_equal(r[0], 'l');
    assert_non_null(strstr(r, "i386:x86-64"));
    assert_non_null(strstr(r, "org.gnu.gdb.i386.core"));
    assert_non_null(strstr(r, "name=\"xmm15\""));
    assert_non_null(strstr(r, "name=\"fs_base\""));
    g_autofree char *part = request("qXfer:features:read:target.xml:10,20");
    assert_int_equal(part[0], 'm');
    assert_int_equal(strlen(part), 0x21);
}

static void test_g_returns_registers_in_amd64_order(void **state)
{
    X86CPUState *env = &current_machine->cpu->env;
    env->regs[R_EAX] = 0x1122334455667788ULL;
    env->regs[R_EBX] = 0xaa;
    g_autofree char *r = request("g");
    /* rax first, then rbx, little-endian hex. */
    assert_memory_equal(r, "8877665544332211", 16);
    assert_memory_equal(r + 16, "aa00000000000000", 16);
    /* rip is register 16: 0xfff0 after reset. */
    g_autofree char *rip = request("p10");
    assert_string_equal(rip, "f0ff000000000000");
}

static void test_P_writes_a_register(void **state)
{
    g_autofree char *r = request("P0=0100000000000000");
    assert_string_equal(r, "OK");
    assert_int_equal(current_machine->cpu->env.regs[R_EAX], 1);
    g_autofree char *bad = request("P999=00");
    assert_string_equal(bad, "E01");
    g_autofree char *shortv = request("P0=01");
    assert_string_equal(shortv, "E01");
}

static void test_memory_read_write_and_faults(void **state)
{
    memcpy(ram + 0x500, "\xde\xad\xbe\xef", 4);
    g_autofree char *r = request("m500,4");
    assert_string_equal(r, "deadbeef");
    g_autofree char *w = request("M600,2:abcd");
    assert_string_equal(w, "OK");
    assert_int_equal(ram[0x600], 0xab);
    assert_int_equal(ram[0x601], 0xcd);
    g_autofree char *f = request("m7fffffff0000,4");
    assert_string_equal(f, "E14");
    g_autofree char *bad = request("mzz");
    assert_string_equal(bad, "E01");
}

static void test_unsupported_breakpoint_kind_gets_empty_reply(void **state)
{
    /* No accelerator in this test: nothing can insert breakpoints. */
    g_autofree char *r = request("Z0,1000,1");
    assert_string_equal(r, "");
    g_autofree char *z = request("z0,1000,1");
    assert_string_equal(z, "E01");
}

static void test_bad_checksum_is_nacked(void **state)
{
    gdbstub_feed(gdb, "$g#00", 5);
    g_autofree char *out = take_output();
    assert_string_equal(out, "-");
}

static void test_ctrl_c_reports_sigint(void **state)
{
    gdbstub_feed(gdb, "\x03", 1);
    g_autofree char *out = take_output();
    assert_non_null(strstr(out, "$T02thread:01;#"));
}

static void test_queries_and_unknown_packets(void **state)
{
    g_autofree char *a = request("qAttached");
    assert_string_equal(a, "1");
    g_autofree char *o = request("qOffsets");
    assert_string_equal(o, "Text=0;Data=0;Bss=0");
    g_autofree char *q = request("?");
    assert_string_equal(q, "T05thread:01;");
    g_autofree char *u = request("vFrobnicate");
    assert_string_equal(u, "");
    g_autofree char *v = request("vCont?");
    assert_string_equal(v, "vCont;c;C;s;S");
}

static void test_oversized_packet_is_dropped(void **state)
{
    GString *big = g_string_new("$m");
    for (int i = 0; i < 100000; i++) {
        g_string_append_c(big, '0');
    }
    g_string_append(big, "#00");
    gdbstub_feed(gdb, big->str, big->len);
    g_string_free(big, true);
    g_autofree char *out = take_output();
    assert_string_equal(out, "");
    g_autofree char *r = request("qAttached");   /* still working */
    assert_string_equal(r, "1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qsupported_announces_packet_size_and_xml),
        cmocka_unit_test(test_target_xml_describes_amd64_core_and_sse),
        cmocka_unit_test(test_g_returns_registers_in_amd64_order),
        cmocka_unit_test(test_P_writes_a_register),
        cmocka_unit_test(test_memory_read_write_and_faults),
        cmocka_unit_test(test_unsupported_breakpoint_kind_gets_empty_reply),
        cmocka_unit_test(test_bad_checksum_is_nacked),
        cmocka_unit_test(test_ctrl_c_reports_sigint),
        cmocka_unit_test(test_queries_and_unknown_packets),
        cmocka_unit_test(test_oversized_packet_is_dropped),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
