/*
 * test-gdbstub.c: the GDB remote protocol server driven packet by packet
 * on a machine with RAM and a CPU but no vCPU thread: framing, checksums
 * and acks, the target descriptions (amd64, and i386 for a CPU model
 * without long mode: well-formed XML whose register numbering matches the
 * g packet), register and memory access through
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
#include "target-x86/cpuid.h"

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

/* What a target description lists, in document order. */
typedef struct XmlRegs {
    GPtrArray *names;
    GArray *bits;
    GArray *regnums;
    char *arch;
    bool in_arch;
} XmlRegs;

static void xml_start(GMarkupParseContext *c, const char *el, const char **names,
                      const char **values, gpointer data, GError **err)
{
    XmlRegs *x = data;
    x->in_arch = strcmp(el, "architecture") == 0;
    if (strcmp(el, "reg") != 0) {
        return;
    }
    int bits = -1, regnum = -1;
    for (int i = 0; names[i]; i++) {
        if (strcmp(names[i], "name") == 0) {
            g_ptr_array_add(x->names, g_strdup(values[i]));
        } else if (strcmp(names[i], "bitsize") == 0) {
            bits = atoi(values[i]);
        } else if (strcmp(names[i], "regnum") == 0) {
            regnum = atoi(values[i]);
        }
    }
    g_array_append_val(x->bits, bits);
    g_array_append_val(x->regnums, regnum);
}

static void xml_text(GMarkupParseContext *c, const char *text, gsize len, gpointer data,
                     GError **err)
{
    XmlRegs *x = data;
    if (x->in_arch) {
        g_free(x->arch);
        x->arch = g_strndup(text, len);
    }
}

static void xml_end(GMarkupParseContext *c, const char *el, gpointer data, GError **err)
{
    ((XmlRegs *)data)->in_arch = false;
}

/* Fetches target.xml in 0x400-byte pieces (as gdb does) and parses it with
 * a strict XML parser: fails the test if it is not well-formed. */
static XmlRegs *fetch_target_xml(void)
{
    static const GMarkupParser parser = { xml_start, xml_end, xml_text, NULL, NULL };
    GString *doc = g_string_new(NULL);
    XmlRegs *x = g_new0(XmlRegs, 1);
    GError *err = NULL;

    for (;;) {
        g_autofree char *q = g_strdup_printf("qXfer:features:read:target.xml:%zx,400", doc->len);
        g_autofree char *r = request(q);
        assert_true(r[0] == 'm' || r[0] == 'l');
        g_string_append(doc, r + 1);
        if (r[0] == 'l') {
            break;
        }
    }
    x->names = g_ptr_array_new_with_free_func(g_free);
    x->bits = g_array_new(false, false, sizeof(int));
    x->regnums = g_array_new(false, false, sizeof(int));
    /* GMarkup does not take a DOCTYPE: skip the prolog up to <target. */
    const char *body = strstr(doc->str, "<target");
    assert_non_null(body);
    GMarkupParseContext *ctx = g_markup_parse_context_new(&parser, 0, x, NULL);
    bool ok = g_markup_parse_context_parse(ctx, body, -1, &err) &&
              g_markup_parse_context_end_parse(ctx, &err);
    if (!ok) {
        fail_msg("target.xml is not well-formed: %s", err->message);
    }
    g_markup_parse_context_free(ctx);
    g_string_free(doc, true);
    return x;
}

static void xml_regs_free(XmlRegs *x)
{
    g_ptr_array_free(x->names, true);
    g_array_free(x->bits, true);
    g_array_free(x->regnums, true);
    g_free(x->arch);
    g_free(x);
}

/* Regnums run 0, 1, 2... in document order, the g packet is exactly the
 * sum of the bit sizes, and p N returns register N's width. */
static void check_numbering_matches_g_packet(XmlRegs *x)
{
    size_t total_bits = 0;
    for (guint i = 0; i < x->bits->len; i++) {
        assert_int_equal(g_array_index(x->regnums, int, i), i);
        assert_true(g_array_index(x->bits, int, i) > 0);
        total_bits += g_array_index(x->bits, int, i);
        g_autofree char *q = g_strdup_printf("p%x", i);
        g_autofree char *r = request(q);
        assert_int_equal(strlen(r), g_array_index(x->bits, int, i) / 4);
    }
    g_autofree char *g = request("g");
    assert_int_equal(strlen(g), total_bits / 4);
    g_autofree char *past = g_strdup_printf("p%x", x->bits->len);
    g_autofree char *r = request(past);
    assert_string_equal(r, "E01");
}

static int reg_index(XmlRegs *x, const char *name)
{
    for (guint i = 0; i < x->names->len; i++) {
        if (strcmp(g_ptr_array_index(x->names, i), name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static void test_amd64_xml_is_well_formed_and_numbered_like_g(void **state)
{
    XmlRegs *x = fetch_target_xml();
    assert_string_equal(x->arch, "i386:x86-64");
    /* gdb's amd64 numbering: rax 0, rip 16, eflags 17, st0 24, xmm0 40, mxcsr 56. */
    assert_int_equal(reg_index(x, "rax"), 0);
    assert_int_equal(reg_index(x, "rip"), 16);
    assert_int_equal(reg_index(x, "eflags"), 17);
    assert_int_equal(reg_index(x, "st0"), 24);
    assert_int_equal(reg_index(x, "xmm0"), 40);
    assert_int_equal(reg_index(x, "mxcsr"), 56);
    check_numbering_matches_g_packet(x);
    xml_regs_free(x);
}

static void test_cpu_without_long_mode_gets_i386_description(void **state)
{
    X86CPUState *env = &current_machine->cpu->env;
    x86_cpuid_apply_model(env, x86_cpu_model_find("vireo32"));
    XmlRegs *x = fetch_target_xml();
    assert_string_equal(x->arch, "i386");
    /* gdb's i386 numbering (i386-tdep.h): eax ecx edx ebx esp ebp esi edi
     * 0-7, eip 8, eflags 9, cs..gs 10-15, st0 16, fctrl 24, fop 31,
     * xmm0 32, mxcsr 40. */
    static const char *const order[] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi",
                                         "edi", "eip", "eflags", "cs", "ss", "ds", "es",
                                         "fs", "gs", "st0" };
    for (int i = 0; i < (int)ARRAY_SIZE(order); i++) {
        assert_int_equal(reg_index(x, order[i]), i);
    }
    assert_int_equal(reg_index(x, "fctrl"), 24);
    assert_int_equal(reg_index(x, "fop"), 31);
    assert_int_equal(reg_index(x, "xmm0"), 32);
    assert_int_equal(reg_index(x, "xmm7"), 39);
    assert_int_equal(reg_index(x, "mxcsr"), 40);
    assert_int_equal(reg_index(x, "xmm8"), -1);
    assert_int_equal(reg_index(x, "r8"), -1);
    assert_true(reg_index(x, "cr0") > 40 && reg_index(x, "fs_base") > 40);
    assert_int_equal(g_array_index(x->bits, int, reg_index(x, "eip")), 32);
    check_numbering_matches_g_packet(x);

    env->regs[R_EAX] = 0x1122334455667788ULL;
    env->regs[R_ECX] = 0xcc;
    env->rip = 0x12345678;
    g_autofree char *g = request("g");
    assert_memory_equal(g, "88776655" "cc000000", 16);
    g_autofree char *eip = request("p8");
    assert_string_equal(eip, "78563412");
    g_autofree char *w = request("P3=efbeadde");
    assert_string_equal(w, "OK");
    assert_int_equal(env->regs[R_EBX], 0xdeadbeef);
    xml_regs_free(x);
    x86_cpuid_apply_model(env, x86_cpu_model_find("vireo64"));
    x86_cpu_reset(current_machine->cpu);
}

static void test_cpu_model_list_has_a_64_bit_default_and_a_32_bit_model(void **state)
{
    g_autofree X86CPUState *env = g_new0(X86CPUState, 1);
    assert_string_equal(x86_cpu_model_nth(0)->name, "vireo64");
    assert_true(x86_cpu_model_nth(0)->long_mode);
    assert_null(x86_cpu_model_find("pentium9"));
    x86_cpuid_apply_model(env, x86_cpu_model_find("vireo32"));
    assert_false(x86_cpu_has_long_mode(env));
    x86_cpuid_apply_model(env, x86_cpu_model_find("vireo64"));
    assert_true(x86_cpu_has_long_mode(env));
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
        cmocka_unit_test(test_amd64_xml_is_well_formed_and_numbered_like_g),
        cmocka_unit_test(test_cpu_without_long_mode_gets_i386_description),
        cmocka_unit_test(test_cpu_model_list_has_a_64_bit_default_and_a_32_bit_model),
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
