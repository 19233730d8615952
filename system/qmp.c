/*
 * qmp.c: the QEMU Machine Protocol server (-qmp unix:PATH,server,nowait or
 * tcp:HOST:PORT,server,nowait). A client gets QEMU's greeting, negotiates
 * with qmp_capabilities, then sends JSON objects {"execute": NAME,
 * "arguments": {...}, "id": ...} and gets {"return": ...} or {"error":
 * {"class": ..., "desc": ...}} back, plus asynchronous events with
 * timestamps. JSON is parsed by json-glib; this file only frames the
 * byte stream into objects. Bad input of any kind is answered with an
 * error object; the connection and the guest live on.
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "system/cpus.h"
#include "system/machine.h"
#include "system/monitor.h"
#include "system/qmp.h"
#include "system/runstate.h"
#include "target-x86/cpu.h"

#include <json-glib/json-glib.h>
#include <sys/time.h>

#define QMP_MAX_OBJECT (16 * 1024 * 1024)

struct QmpServer {
    Chardev *chr;
    GString *buf;        /* the object being framed */
    int depth;           /* brace/bracket depth inside it */
    bool in_string, escape;
    bool garbage;        /* non-JSON bytes seen outside an object */
    bool connected;
    bool negotiated;
};

typedef struct QmpError {
    const char *cls;
    char *desc;
} QmpError;

typedef JsonNode *(*QmpHandler)(QmpServer *s, JsonObject *args, QmpError *err);

typedef struct QmpArg {
    const char *name;
    GType type;          /* G_TYPE_STRING, G_TYPE_BOOLEAN, G_TYPE_INT64 */
    bool optional;
} QmpArg;

typedef struct QmpCommand {
    const char *name;
    QmpHandler fn;
    QmpArg args[3];
} QmpCommand;

static void set_error(QmpError *err, const char *cls, const char *fmt, ...) VIREO_PRINTF(3, 4);

static void set_error(QmpError *err, const char *cls, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err->cls = cls;
    err->desc = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

static void qmp_send_node(QmpServer *s, JsonNode *node)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autofree char *text = NULL;

    json_generator_set_root(gen, node);
    text = json_generator_to_data(gen, NULL);
    chardev_puts(s->chr, text);
    chardev_puts(s->chr, "\r\n");
}

static JsonNode *empty_object(void)
{
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);
    json_node_take_object(n, json_object_new());
    return n;
}

/* ---- commands ---- */

static JsonNode *qmp_query_version(QmpServer *s, JsonObject *args, QmpError *err)
{
    JsonObject *ver = json_object_new(), *q = json_object_new();
    unsigned major = 0, minor = 0, micro = 0;
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);

    sscanf(VIREO_VERSION, "%u.%u.%u", &major, &minor, &micro);
    json_object_set_int_member(q, "major", major);
    json_object_set_int_member(q, "minor", minor);
    json_object_set_int_member(q, "micro", micro);
    json_object_set_object_member(ver, "qemu", q);
    json_object_set_string_member(ver, "package", "vireo " VIREO_VERSION);
    json_node_take_object(n, ver);
    return n;
}

static const char *status_name(RunState st)
{
    switch (st) {
    case RUN_STATE_RUNNING: return "running";
    case RUN_STATE_PAUSED: return "paused";
    case RUN_STATE_PRELAUNCH: return "prelaunch";
    case RUN_STATE_SHUTDOWN: return "shutdown";
    }
    return "unknown";
}

static JsonNode *qmp_query_status(QmpServer *s, JsonObject *args, QmpError *err)
{
    JsonObject *o = json_object_new();
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);
    RunState st = runstate_get();

    json_object_set_string_member(o, "status", status_name(st));
    json_object_set_boolean_member(o, "singlestep", false);
    json_object_set_boolean_member(o, "running", st == RUN_STATE_RUNNING);
    json_node_take_object(n, o);
    return n;
}

static JsonNode *qmp_query_cpus_fast(QmpServer *s, JsonObject *args, QmpError *err)
{
    JsonArray *arr = json_array_new();
    JsonNode *n = json_node_new(JSON_NODE_ARRAY);

    if (current_machine && current_machine->cpu) {
        CPUState *cs = &current_machine->cpu->cs;
        JsonObject *o = json_object_new(), *props = json_object_new();
        json_object_set_int_member(o, "cpu-index", cs->index);
        json_object_set_string_member(o, "qom-path", "/machine/unattached/device[0]");
        json_object_set_int_member(o, "thread-id", cs->thread_id);
        json_object_set_int_member(props, "socket-id", 0);
        json_object_set_int_member(props, "core-id", 0);
        json_object_set_int_member(props, "thread-id", 0);
        json_object_set_object_member(o, "props", props);
        json_object_set_string_member(o, "target", "x86_64");
        json_array_add_object_element(arr, o);
    }
    json_node_take_array(n, arr);
    return n;
}

static JsonNode *qmp_stop(QmpServer *s, JsonObject *args, QmpError *err)
{
    if (current_machine && current_machine->cpu) {
        vm_stop(current_machine);
    }
    return empty_object();
}

static JsonNode *qmp_cont(QmpServer *s, JsonObject *args, QmpError *err)
{
    if (current_machine && current_machine->cpu) {
        vm_cont(current_machine);
    }
    return empty_object();
}

static JsonNode *qmp_system_reset(QmpServer *s, JsonObject *args, QmpError *err)
{
    runstate_request_host_reset();
    return empty_object();
}

static JsonNode *qmp_system_powerdown(QmpServer *s, JsonObject *args, QmpError *err)
{
    if (!current_machine || !current_machine->powerdown) {
        set_error(err, "GenericError", "this machine has no power button");
        return NULL;
    }
    vm_event_emit(VM_EVENT_POWERDOWN, false, NULL);
    current_machine->powerdown(current_machine);
    return empty_object();
}

static JsonNode *qmp_quit(QmpServer *s, JsonObject *args, QmpError *err)
{
    runstate_request_shutdown_reason(SHUTDOWN_HOST_QUIT, 0, "host-qmp-quit");
    return empty_object();
}

static JsonNode *qmp_screendump(QmpServer *s, JsonObject *args, QmpError *err)
{
    GError *gerr = NULL;
    const char *path = json_object_get_string_member(args, "filename");

    if (!current_machine || !current_machine->screendump) {
        set_error(err, "GenericError", "this machine has no display");
        return NULL;
    }
    if (current_machine->screendump(current_machine, path, &gerr) < 0) {
        set_error(err, "GenericError", "%s", gerr->message);
        g_error_free(gerr);
        return NULL;
    }
    return empty_object();
}

static JsonNode *qmp_hmp(QmpServer *s, JsonObject *args, QmpError *err)
{
    GString *out = g_string_new(NULL);
    JsonNode *n = json_node_new(JSON_NODE_VALUE);

    monitor_execute(NULL, json_object_get_string_member(args, "command-line"), out);
    json_node_set_string(n, out->str);
    g_string_free(out, true);
    return n;
}

static JsonNode *qmp_query_commands(QmpServer *s, JsonObject *args, QmpError *err);

static JsonNode *qmp_capabilities(QmpServer *s, JsonObject *args, QmpError *err)
{
    if (s->negotiated) {
        set_error(err, "CommandNotFound",
                  "Capabilities negotiation is already complete, command ignored");
        return NULL;
    }
    s->negotiated = true;
    return empty_object();
}

static const QmpCommand qmp_commands[] = {
    { "qmp_capabilities", qmp_capabilities, { { "enable", G_TYPE_NONE, true } } },
    { "query-version", qmp_query_version },
    { "query-status", qmp_query_status },
    { "query-cpus-fast", qmp_query_cpus_fast },
    { "query-commands", qmp_query_commands },
    { "stop", qmp_stop },
    { "cont", qmp_cont },
    { "system_reset", qmp_system_reset },
    { "system_powerdown", qmp_system_powerdown },
    { "quit", qmp_quit },
    { "screendump", qmp_screendump,
      { { "filename", G_TYPE_STRING }, { "device", G_TYPE_STRING, true },
        { "format", G_TYPE_STRING, true } } },
    { "human-monitor-command", qmp_hmp,
      { { "command-line", G_TYPE_STRING }, { "cpu-index", G_TYPE_INT64, true } } },
};

static JsonNode *qmp_query_commands(QmpServer *s, JsonObject *args, QmpError *err)
{
    JsonArray *arr = json_array_new();
    JsonNode *n = json_node_new(JSON_NODE_ARRAY);

    for (size_t i = 0; i < ARRAY_SIZE(qmp_commands); i++) {
        JsonObject *o = json_object_new();
        json_object_set_string_member(o, "name", qmp_commands[i].name);
        json_array_add_object_element(arr, o);
    }
    json_node_take_array(n, arr);
    return n;
}

/* ---- dispatch ---- */

static bool arg_has_type(JsonNode *n, GType type)
{
    if (type == G_TYPE_NONE) {
        return true;     /* any JSON value */
    }
    if (!JSON_NODE_HOLDS_VALUE(n)) {
        return false;
    }
    return json_node_get_value_type(n) == type;
}

static const char *type_name(GType t)
{
    return t == G_TYPE_STRING ? "string" : t == G_TYPE_BOOLEAN ? "bool" : "int";
}

/* Checks args against the command's parameter list. */
static bool check_args(const QmpCommand *c, JsonObject *args, QmpError *err)
{
    g_autoptr(GList) members = json_object_get_members(args);

    for (GList *l = members; l; l = l->next) {
        bool known = false;
        for (size_t i = 0; i < ARRAY_SIZE(c->args) && c->args[i].name; i++) {
            known |= strcmp(c->args[i].name, l->data) == 0;
        }
        if (!known) {
            set_error(err, "GenericError", "Parameter '%s' is unexpected", (char *)l->data);
            return false;
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(c->args) && c->args[i].name; i++) {
        const QmpArg *a = &c->args[i];
        JsonNode *n = json_object_get_member(args, a->name);
        if (!n) {
            if (!a->optional) {
                set_error(err, "GenericError", "Parameter '%s' is missing", a->name);
                return false;
            }
            continue;
        }
        if (!arg_has_type(n, a->type)) {
            set_error(err, "GenericError", "Invalid parameter type for '%s', expected: %s",
                      a->name, type_name(a->type));
            return false;
        }
    }
    return true;
}

static void qmp_reply(QmpServer *s, JsonNode *ret, QmpError *err, JsonNode *id)
{
    JsonObject *o = json_object_new();
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);

    if (err->cls) {
        JsonObject *e = json_object_new();
        json_object_set_string_member(e, "class", err->cls);
        json_object_set_string_member(e, "desc", err->desc);
        json_object_set_object_member(o, "error", e);
        g_free(err->desc);
    } else {
        json_object_set_member(o, "return", ret);
    }
    if (id) {
        json_object_set_member(o, "id", json_node_copy(id));
    }
    json_node_take_object(n, o);
    qmp_send_node(s, n);
    json_node_unref(n);
}

static const QmpCommand *find_command(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(qmp_commands); i++) {
        if (strcmp(qmp_commands[i].name, name) == 0) {
            return &qmp_commands[i];
        }
    }
    return NULL;
}

/* Runs one request object. */
static void qmp_dispatch(QmpServer *s, JsonObject *req)
{
    QmpError err = { 0 };
    JsonNode *id = json_object_get_member(req, "id");
    JsonNode *exec = json_object_get_member(req, "execute");
    JsonNode *argn = json_object_get_member(req, "arguments");
    JsonNode *ret = NULL;
    const QmpCommand *c = NULL;
    g_autoptr(JsonObject) noargs = json_object_new();
    JsonObject *args = noargs;

    if (!exec) {
        set_error(&err, "GenericError", "QMP input lacks member 'execute'");
    } else if (!arg_has_type(exec, G_TYPE_STRING)) {
        set_error(&err, "GenericError", "QMP input member 'execute' must be a string");
    } else if (argn && !JSON_NODE_HOLDS_OBJECT(argn)) {
        set_error(&err, "GenericError", "QMP input member 'arguments' must be an object");
    } else if (!(c = find_command(json_node_get_string(exec)))) {
        set_error(&err, "CommandNotFound", "The command %s has not been found",
                  json_node_get_string(exec));
    } else if (!s->negotiated && c->fn != qmp_capabilities) {
        set_error(&err, "CommandNotFound",
                  "Expecting capabilities negotiation with 'qmp_capabilities'");
    } else {
        if (argn) {
            args = json_node_get_object(argn);
        }
        if (check_args(c, args, &err)) {
            ret = c->fn(s, args, &err);
        }
    }
    qmp_reply(s, ret, &err, id);
}

static void qmp_parse_error(QmpServer *s, const char *why)
{
    QmpError err = { 0 };
    set_error(&err, "GenericError", "JSON parse error, %s", why);
    qmp_reply(s, NULL, &err, NULL);
}

static void qmp_handle_object(QmpServer *s, const char *text, gsize len)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    GError *gerr = NULL;
    JsonNode *root;

    if (!json_parser_load_from_data(parser, text, len, &gerr)) {
        qmp_parse_error(s, gerr->message);
        g_error_free(gerr);
        return;
    }
    root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        QmpError err = { 0 };
        set_error(&err, "GenericError", "QMP input must be a JSON object");
        qmp_reply(s, NULL, &err, NULL);
        return;
    }
    qmp_dispatch(s, json_node_get_object(root));
}

/* Frames the byte stream into top-level JSON values. */
static void qmp_feed(QmpServer *s, uint8_t c)
{
    if (s->depth == 0) {
        if (c == '{' || c == '[') {
            if (s->garbage) {
                qmp_parse_error(s, "expected a JSON object");
                s->garbage = false;
            }
            g_string_truncate(s->buf, 0);
            g_string_append_c(s->buf, c);
            s->depth = 1;
            s->in_string = s->escape = false;
        } else if (c == '\n' && s->garbage) {
            qmp_parse_error(s, "expected a JSON object");
            s->garbage = false;
        } else if (!g_ascii_isspace(c)) {
            s->garbage = true;
        }
        return;
    }
    g_string_append_c(s->buf, c);
    if (s->in_string) {
        if (s->escape) {
            s->escape = false;
        } else if (c == '\\') {
            s->escape = true;
        } else if (c == '"') {
            s->in_string = false;
        }
    } else if (c == '"') {
        s->in_string = true;
    } else if (c == '{' || c == '[') {
        s->depth++;
    } else if (c == '}' || c == ']') {
        if (--s->depth == 0) {
            qmp_handle_object(s, s->buf->str, s->buf->len);
            g_string_truncate(s->buf, 0);
        }
    }
    if (s->buf->len > QMP_MAX_OBJECT) {
        qmp_parse_error(s, "object too large");
        g_string_truncate(s->buf, 0);
        s->depth = 0;
        s->garbage = false;
    }
}

static int qmp_can_receive(void *opaque)
{
    return 4096;
}

static void qmp_receive(void *opaque, const uint8_t *buf, int len)
{
    QmpServer *s = opaque;
    for (int i = 0; i < len; i++) {
        qmp_feed(s, buf[i]);
    }
}

static void qmp_greet(QmpServer *s)
{
    JsonObject *o = json_object_new(), *q = json_object_new();
    JsonNode *ver = qmp_query_version(s, NULL, NULL);
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);

    json_object_set_member(q, "version", ver);
    json_object_set_array_member(q, "capabilities", json_array_new());
    json_object_set_object_member(o, "QMP", q);
    json_node_take_object(n, o);
    qmp_send_node(s, n);
    json_node_unref(n);
}

static void qmp_event(void *opaque, CharEvent ev)
{
    QmpServer *s = opaque;
    s->negotiated = false;
    s->depth = 0;
    s->garbage = false;
    g_string_truncate(s->buf, 0);
    s->connected = ev == CHR_EVENT_OPENED;
    if (s->connected) {
        qmp_greet(s);
    }
}

static const char *const event_names[] = {
    [VM_EVENT_STOP] = "STOP", [VM_EVENT_RESUME] = "RESUME", [VM_EVENT_RESET] = "RESET",
    [VM_EVENT_SHUTDOWN] = "SHUTDOWN", [VM_EVENT_POWERDOWN] = "POWERDOWN",
};

static void qmp_vm_event(void *opaque, VmEvent ev, bool guest, const char *reason)
{
    QmpServer *s = opaque;
    JsonObject *o, *ts;
    JsonNode *n;
    struct timeval tv;

    if (!s->connected || !s->negotiated) {
        return;
    }
    gettimeofday(&tv, NULL);
    o = json_object_new();
    ts = json_object_new();
    json_object_set_int_member(ts, "seconds", tv.tv_sec);
    json_object_set_int_member(ts, "microseconds", tv.tv_usec);
    json_object_set_object_member(o, "timestamp", ts);
    json_object_set_string_member(o, "event", event_names[ev]);
    if (ev == VM_EVENT_RESET || ev == VM_EVENT_SHUTDOWN) {
        JsonObject *data = json_object_new();
        json_object_set_boolean_member(data, "guest", guest);
        json_object_set_string_member(data, "reason", reason ? reason : "none");
        json_object_set_object_member(o, "data", data);
    }
    n = json_node_new(JSON_NODE_OBJECT);
    json_node_take_object(n, o);
    qmp_send_node(s, n);
    json_node_unref(n);
}

static const CharFrontendOps qmp_ops = {
    .can_receive = qmp_can_receive,
    .receive = qmp_receive,
    .event = qmp_event,
};

QmpServer *qmp_server_new(Chardev *chr, GError **errp)
{
    QmpServer *s = g_new0(QmpServer, 1);
    s->chr = chr;
    s->buf = g_string_new(NULL);
    if (chardev_set_frontend(chr, &qmp_ops, s) < 0) {
        error_setg(errp, "-qmp: the character device is already in use");
        g_string_free(s->buf, true);
        g_free(s);
        return NULL;
    }
    vm_event_add_listener(qmp_vm_event, s);
    return s;
}

void qmp_server_feed(QmpServer *s, const char *text)
{
    qmp_receive(s, (const uint8_t *)text, strlen(text));
}
