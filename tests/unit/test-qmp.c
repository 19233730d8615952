/*
 * test-qmp.c: the QMP server's framing and dispatch, driven by feeding
 * bytes and reading the replies from a file chardev: the greeting, the
 * capabilities handshake, commands with ids, argument checking, events,
 * and malformed input that must be answered with error objects.
 */
#include "vireo/common.h"

#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <unistd.h>

#include "system/chardev.h"
#include "system/qmp.h"
#include "system/runstate.h"

static char *out_path;
static QmpServer *qmp;
static long consumed;

/* The replies written since the last call, one JSON text per line. */
static char **take_replies(void)
{
    g_autofree char *all = NULL;
    gsize len;
    g_assert(g_file_get_contents(out_path, &all, &len, NULL));
    char *fresh = g_strndup(all + consumed, len - consumed);
    consumed = len;
    char **lines = g_strsplit(g_strstrip(fresh), "\r\n", -1);
    g_free(fresh);
    return lines;
}

static JsonObject *parse_obj(const char *text)
{
    JsonParser *p = json_parser_new();
    assert_true(json_parser_load_from_data(p, text, -1, NULL));
    JsonObject *o = json_object_ref(json_node_get_object(json_parser_get_root(p)));
    g_object_unref(p);
    return o;
}

/* Sends text and returns the single reply object. */
static JsonObject *roundtrip(const char *text)
{
    qmp_server_feed(qmp, text);
    g_auto(GStrv) lines = take_replies();
    if (g_strv_length(lines) != 1) {
        fail_msg("'%s' gave %u replies", text, g_strv_length(lines));
    }
    return parse_obj(lines[0]);
}

static const char *error_class(JsonObject *o)
{
    if (!json_object_has_member(o, "error")) {
        return NULL;
    }
    return json_object_get_string_member(json_object_get_object_member(o, "error"), "class");
}

static int setup(void **state)
{
    int fd;
    GError *err = NULL;
    out_path = g_build_filename(g_get_tmp_dir(), "vireo-test-qmp-XXXXXX", NULL);
    fd = g_mkstemp(out_path);
    close(fd);
    g_autofree char *spec = g_strdup_printf("file:%s", out_path);
    Chardev *chr = chardev_new(spec, &err);
    assert_non_null(chr);
    qmp = qmp_server_new(chr, &err);
    assert_non_null(qmp);
    return 0;
}

static int teardown(void **state)
{
    unlink(out_path);
    g_free(out_path);
    return 0;
}

static void test_greeting_names_vireo(void **state)
{
    g_auto(GStrv) lines = take_replies();
    JsonObject *o = parse_obj(lines[0]);
    JsonObject *q = json_object_get_object_member(o, "QMP");
    assert_non_null(q);
    assert_non_null(strstr(json_object_get_string_member(
        json_object_get_object_member(q, "version"), "package"), "vireo"));
    json_object_unref(o);
}

static void test_commands_before_negotiation_are_refused(void **state)
{
    JsonObject *o = roundtrip("{\"execute\": \"query-status\"}");
    assert_string_equal(error_class(o), "CommandNotFound");
    json_object_unref(o);
    o = roundtrip("{ \"execute\" : \"qmp_capabilities\", \"id\": 7 }");
    assert_null(error_class(o));
    assert_int_equal(json_object_get_int_member(o, "id"), 7);
    json_object_unref(o);
    o = roundtrip("{\"execute\": \"qmp_capabilities\"}");
    assert_string_equal(error_class(o), "CommandNotFound");
    json_object_unref(o);
}

static void test_query_status_and_version(void **state)
{
    runstate_set(RUN_STATE_PAUSED);
    JsonObject *o = roundtrip("{\"execute\":\"query-status\",\"id\":\"a\"}");
    JsonObject *r = json_object_get_object_member(o, "return");
    assert_string_equal(json_object_get_string_member(r, "status"), "paused");
    assert_false(json_object_get_boolean_member(r, "running"));
    assert_string_equal(json_object_get_string_member(o, "id"), "a");
    json_object_unref(o);
    o = roundtrip("{\"execute\":\"query-version\"}");
    r = json_object_get_object_member(o, "return");
    assert_true(json_object_has_member(json_object_get_object_member(r, "qemu"), "major"));
    json_object_unref(o);
}

static void test_human_monitor_command_returns_text(void **state)
{
    JsonObject *o = roundtrip("{\"execute\":\"human-monitor-command\","
                              "\"arguments\":{\"command-line\":\"print 6*7\"}}");
    assert_string_equal(json_object_get_string_member(o, "return"), "0x2a\n");
    json_object_unref(o);
}

static void test_argument_errors_are_generic_errors(void **state)
{
    JsonObject *o = roundtrip("{\"execute\":\"human-monitor-command\","
                              "\"arguments\":{\"command-line\":5}}");
    assert_string_equal(error_class(o), "GenericError");
    json_object_unref(o);
    o = roundtrip("{\"execute\":\"human-monitor-command\"}");
    assert_string_equal(error_class(o), "GenericError");
    json_object_unref(o);
    o = roundtrip("{\"execute\":\"query-status\",\"arguments\":{\"bogus\":1}}");
    assert_string_equal(error_class(o), "GenericError");
    json_object_unref(o);
    o = roundtrip("{\"execute\":\"query-status\",\"arguments\":[]}");
    assert_string_equal(error_class(o), "GenericError");
    json_object_unref(o);
    o = roundtrip("{\"execute\":\"no-such-command\"}");
    assert_string_equal(error_class(o), "CommandNotFound");
    json_object_unref(o);
    o = roundtrip("{\"arguments\":{}}");
    assert_string_equal(error_class(o), "GenericError");
    json_object_unref(o);
}

static void test_malformed_json_is_answered_and_stream_recovers(void **state)
{
    JsonObject *o = roundtrip("{\"execute\": \"query-status\",, }");
    assert_string_equal(error_class(o), "GenericError");
    json_object_unref(o);
    o = roundtrip("garbage bytes\n");
    assert_string_equal(error_class(o), "GenericError");
    json_object_unref(o);
    o = roundtrip("[1, 2]");
    assert_string_equal(error_class(o), "GenericError");
    json_object_unref(o);
    /* A brace inside a string does not confuse the framing. */
    o = roundtrip("{\"execute\":\"human-monitor-command\","
                  "\"arguments\":{\"command-line\":\"print 1 }\"}}");
    assert_non_null(json_object_get_member(o, "return"));
    json_object_unref(o);
    /* Two requests in one write get two replies. */
    qmp_server_feed(qmp, "{\"execute\":\"query-status\"}{\"execute\":\"query-status\"}");
    g_auto(GStrv) lines = take_replies();
    assert_int_equal(g_strv_length(lines), 2);
}

static void test_huge_line_leaves_server_working(void **state)
{
    GString *big = g_string_new("{\"execute\":\"human-monitor-command\",\"arguments\":"
                                "{\"command-line\":\"");
    for (int i = 0; i < 1024 * 1024; i++) {
        g_string_append_c(big, 'a');
    }
    g_string_append(big, "\"}}");
    JsonObject *o = roundtrip(big->str);
    assert_non_null(json_object_get_member(o, "return"));   /* "unknown command" text */
    json_object_unref(o);
    g_string_free(big, true);
    o = roundtrip("{\"execute\":\"query-status\"}");
    assert_null(error_class(o));
    json_object_unref(o);
}

static void test_events_carry_timestamps(void **state)
{
    vm_event_emit(VM_EVENT_RESET, true, "guest-reset");
    g_auto(GStrv) lines = take_replies();
    JsonObject *o = parse_obj(lines[0]);
    assert_string_equal(json_object_get_string_member(o, "event"), "RESET");
    assert_true(json_object_has_member(json_object_get_object_member(o, "timestamp"),
                                       "microseconds"));
    assert_true(json_object_get_boolean_member(json_object_get_object_member(o, "data"),
                                               "guest"));
    json_object_unref(o);
}

static void test_quit_requests_shutdown(void **state)
{
    JsonObject *o = roundtrip("{\"execute\":\"quit\"}");
    assert_null(error_class(o));
    assert_int_equal(runstate_shutdown_requested(), SHUTDOWN_HOST_QUIT);
    assert_string_equal(runstate_shutdown_reason(), "host-qmp-quit");
    json_object_unref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_greeting_names_vireo),
        cmocka_unit_test(test_commands_before_negotiation_are_refused),
        cmocka_unit_test(test_query_status_and_version),
        cmocka_unit_test(test_human_monitor_command_returns_text),
        cmocka_unit_test(test_argument_errors_are_generic_errors),
        cmocka_unit_test(test_malformed_json_is_answered_and_stream_recovers),
        cmocka_unit_test(test_huge_line_leaves_server_working),
        cmocka_unit_test(test_events_carry_timestamps),
        cmocka_unit_test(test_quit_requests_shutdown),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
