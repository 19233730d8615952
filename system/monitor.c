/*
 * monitor.c: the human monitor (see system/monitor.h). A line editor on
 * a character device feeds a command table with QEMU's names. The core
 * commands here look only at generic state (run state, the CPU state, the
 * buses, the log); devices and accelerators register their own.
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "vireo/log.h"
#include "hw/bus.h"
#include "hw/clock.h"
#include "system/bql.h"
#include "system/cpus.h"
#include "system/gdbstub.h"
#include "system/machine.h"
#include "system/monitor.h"
#include "system/runstate.h"
#include "target-x86/arch-debug.h"
#include "target-x86/cpu.h"

#include <capstone/capstone.h>
#include <stdarg.h>

#define MON_LINE_MAX 4096

struct Monitor {
    Chardev *chr;
    GString *capture;       /* monitor_execute without a chardev */
    char line[MON_LINE_MAX];
    int len;
    bool overflow;          /* the current line is too long: drop it */
    bool echo;
    bool last_cr;
};

typedef struct MonCmd {
    char *names;            /* "name|alias" */
    char *args;
    char *help;
    MonitorCmdFn fn;
    void *opaque;
} MonCmd;

typedef struct MonInfo {
    char *name;
    char *help;
    MonitorInfoFn fn;
    void *opaque;
} MonInfo;

static GPtrArray *mon_cmds;   /* MonCmd * */
static GPtrArray *mon_infos;  /* MonInfo * */

void monitor_printf(Monitor *mon, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *s = NULL;

    va_start(ap, fmt);
    s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (!mon) {
        return;
    }
    if (mon->capture) {
        g_string_append(mon->capture, s);
        return;
    }
    /* A terminal in raw mode needs \r\n; a socket client is fine with it. */
    for (char *p = s; *p; ) {
        char *nl = strchr(p, '\n');
        if (!nl) {
            chardev_puts(mon->chr, p);
            break;
        }
        chardev_write(mon->chr, (const uint8_t *)p, nl - p);
        chardev_puts(mon->chr, "\r\n");
        p = nl + 1;
    }
}

static bool name_matches(const char *names, const char *word)
{
    g_auto(GStrv) alts = g_strsplit(names, "|", -1);
    for (char **a = alts; *a; a++) {
        if (strcmp(*a, word) == 0) {
            return true;
        }
    }
    return false;
}

static void register_builtins(void);

static void ensure_tables(void)
{
    if (!mon_cmds) {
        mon_cmds = g_ptr_array_new();
        mon_infos = g_ptr_array_new();
        register_builtins();
    }
}

void monitor_register_command(const char *names, const char *args, const char *help,
                              MonitorCmdFn fn, void *opaque)
{
    MonCmd *c = g_new0(MonCmd, 1);
    ensure_tables();
    c->names = g_strdup(names);
    c->args = g_strdup(args ? args : "");
    c->help = g_strdup(help);
    c->fn = fn;
    c->opaque = opaque;
    g_ptr_array_add(mon_cmds, c);
}

void monitor_register_info(const char *name, const char *help, MonitorInfoFn fn,
                           void *opaque)
{
    MonInfo *i = g_new0(MonInfo, 1);
    ensure_tables();
    i->name = g_strdup(name);
    i->help = g_strdup(help);
    i->fn = fn;
    i->opaque = opaque;
    g_ptr_array_add(mon_infos, i);
}

static MonCmd *find_cmd(const char *word)
{
    /* Search backwards so that later registrations win. */
    for (guint i = mon_cmds->len; i-- > 0; ) {
        MonCmd *c = g_ptr_array_index(mon_cmds, i);
        if (name_matches(c->names, word)) {
            return c;
        }
    }
    return NULL;
}

/* ---- CPU access: the vCPU is parked while the monitor looks at it ---- */

/* Parks the vCPU (if it runs) and syncs its state; returns whether to resume. */
static bool cpu_hold(Machine *m)
{
    bool was_running = false;
    if (m->cpu->cs.thread && !m->cpu->cs.stop) {
        cpus_pause(m);
        was_running = true;
    }
    if (m->accel && m->accel->sync_state_to_env && m->cpu->cs.thread) {
        m->accel->sync_state_to_env(&m->cpu->cs);
    }
    return was_running;
}

static void cpu_release(Machine *m, bool resume)
{
    if (resume) {
        cpus_resume(m);
    }
}

static bool have_machine(Monitor *mon)
{
    if (!current_machine || !current_machine->cpu) {
        monitor_printf(mon, "no machine is running\n");
        return false;
    }
    return true;
}

/* ---- expressions: numbers, $registers, C operators ---- */

typedef struct Expr {
    const char *p;
    X86CPUState *env;
    GError **errp;
    bool failed;
} Expr;

static const char *const reg64_names[16] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"
};
static const char *const reg32_names[8] = {
    "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"
};
static const char *const seg_reg_names[6] = { "es", "cs", "ss", "ds", "fs", "gs" };

static bool lookup_register(X86CPUState *env, const char *name, uint64_t *val)
{
    for (int i = 0; i < 16; i++) {
        if (strcmp(name, reg64_names[i]) == 0) {
            *val = env->regs[i];
            return true;
        }
    }
    for (int i = 0; i < 8; i++) {
        if (strcmp(name, reg32_names[i]) == 0) {
            *val = (uint32_t)env->regs[i];
            return true;
        }
    }
    for (int i = 0; i < 6; i++) {
        if (strcmp(name, seg_reg_names[i]) == 0) {
            *val = env->segs[i].selector;
            return true;
        }
    }
    if (!strcmp(name, "rip") || !strcmp(name, "pc")) {
        *val = env->rip;
    } else if (!strcmp(name, "eip")) {
        *val = (uint32_t)env->rip;
    } else if (!strcmp(name, "eflags") || !strcmp(name, "rflags")) {
        *val = x86_eflags_get(env);
    } else if (strlen(name) == 3 && !strncmp(name, "cr", 2) && strchr("0234", name[2])) {
        *val = env->cr[name[2] - '0'];
    } else {
        return false;
    }
    return true;
}

static uint64_t expr_or(Expr *e);

static void skip_ws(Expr *e)
{
    while (*e->p == ' ' || *e->p == '\t') {
        e->p++;
    }
}

static uint64_t expr_fail(Expr *e, const char *what)
{
    if (!e->failed) {
        error_setg(e->errp, "%s at '%s'", what, e->p);
        e->failed = true;
    }
    return 0;
}

static uint64_t expr_primary(Expr *e)
{
    skip_ws(e);
    if (*e->p == '(') {
        e->p++;
        uint64_t v = expr_or(e);
        skip_ws(e);
        if (*e->p != ')') {
            return expr_fail(e, "missing ')'");
        }
        e->p++;
        return v;
    }
    if (*e->p == '-' || *e->p == '~') {
        char op = *e->p++;
        uint64_t v = expr_primary(e);
        return op == '-' ? -v : ~v;
    }
    if (*e->p == '$') {
        char name[16];
        int n = 0;
        uint64_t v;
        e->p++;
        while (g_ascii_isalnum(*e->p) && n < 15) {
            name[n++] = g_ascii_tolower(*e->p++);
        }
        name[n] = '\0';
        if (!e->env || !lookup_register(e->env, name, &v)) {
            return expr_fail(e, "unknown register");
        }
        return v;
    }
    if (g_ascii_isdigit(*e->p)) {
        char *end;
        uint64_t v = g_ascii_strtoull(e->p, &end, 0);
        e->p = end;
        return v;
    }
    return expr_fail(e, "expected a number, $register or '('");
}

static uint64_t expr_binary(Expr *e, int level);

/* Precedence levels, loosest first: | ^ & shifts additive multiplicative. */
static const char *const expr_ops[] = { "|", "^", "&", "<< >>", "+ -", "* / %" };

static bool match_op(Expr *e, int level, char op[3])
{
    g_auto(GStrv) ops = g_strsplit(expr_ops[level], " ", -1);
    skip_ws(e);
    for (char **o = ops; *o; o++) {
        size_t n = strlen(*o);
        if (strncmp(e->p, *o, n) == 0) {
            strcpy(op, *o);
            e->p += n;
            return true;
        }
    }
    return false;
}

static uint64_t apply_op(Expr *e, const char *op, uint64_t a, uint64_t b)
{
    switch (op[0]) {
    case '|': return a | b;
    case '^': return a ^ b;
    case '&': return a & b;
    case '<': return b >= 64 ? 0 : a << b;
    case '>': return b >= 64 ? 0 : a >> b;
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return b ? a / b : expr_fail(e, "division by zero");
    case '%': return b ? a % b : expr_fail(e, "division by zero");
    }
    return 0;
}

static uint64_t expr_binary(Expr *e, int level)
{
    char op[3];
    uint64_t v;

    if (level == (int)ARRAY_SIZE(expr_ops)) {
        return expr_primary(e);
    }
    v = expr_binary(e, level + 1);
    while (!e->failed && match_op(e, level, op)) {
        v = apply_op(e, op, v, expr_binary(e, level + 1));
    }
    return v;
}

static uint64_t expr_or(Expr *e)
{
    return expr_binary(e, 0);
}

static int eval_with_env(X86CPUState *env, const char *str, uint64_t *val, GError **errp)
{
    Expr e = { .p = str, .env = env, .errp = errp };
    uint64_t v = expr_or(&e);
    skip_ws(&e);
    if (!e.failed && *e.p) {
        expr_fail(&e, "unexpected text");
    }
    if (e.failed) {
        return -1;
    }
    *val = v;
    return 0;
}

int monitor_eval(const char *expr, uint64_t *val, GError **errp)
{
    X86CPUState *env = current_machine && current_machine->cpu ?
                       &current_machine->cpu->env : NULL;
    return eval_with_env(env, expr, val, errp);
}

/* ---- built-in commands ---- */

static void cmd_help(Monitor *mon, int argc, char **argv, void *opaque)
{
    for (guint i = 0; i < mon_cmds->len; i++) {
        MonCmd *c = g_ptr_array_index(mon_cmds, i);
        if (argc > 1 && !name_matches(c->names, argv[1])) {
            continue;
        }
        monitor_printf(mon, "%s %s -- %s\n", c->names, c->args, c->help);
    }
}

static void cmd_info(Monitor *mon, int argc, char **argv, void *opaque)
{
    if (argc < 2) {
        for (guint i = 0; i < mon_infos->len; i++) {
            MonInfo *in = g_ptr_array_index(mon_infos, i);
            monitor_printf(mon, "info %-10s -- %s\n", in->name, in->help);
        }
        return;
    }
    for (guint i = mon_infos->len; i-- > 0; ) {
        MonInfo *in = g_ptr_array_index(mon_infos, i);
        if (strcmp(in->name, argv[1]) == 0) {
            in->fn(mon, in->opaque);
            return;
        }
    }
    monitor_printf(mon, "info: unknown item '%s' (try 'info')\n", argv[1]);
}

static void info_status(Monitor *mon, void *opaque)
{
    RunState s = runstate_get();
    monitor_printf(mon, "VM status: %s\n", s == RUN_STATE_RUNNING ? "running" :
                   s == RUN_STATE_PAUSED ? "paused" : runstate_name(s));
}

static void info_version(Monitor *mon, void *opaque)
{
    monitor_printf(mon, "%s\n", VIREO_VERSION);
}

static void info_registers(Monitor *mon, void *opaque)
{
    Machine *m = current_machine;
    char *buf = NULL;
    size_t len = 0;
    FILE *f;
    bool resume;

    if (!have_machine(mon)) {
        return;
    }
    resume = cpu_hold(m);
    f = open_memstream(&buf, &len);
    x86_cpu_dump_state(&m->cpu->env, f);
    fclose(f);
    cpu_release(m, resume);
    monitor_printf(mon, "%s", buf);
    free(buf);
}

static const char *region_kind(const BusRegion *r)
{
    return r->kind == BUS_REGION_RAM ? "ram" : r->kind == BUS_REGION_ROM ? "rom" : "i/o";
}

static void print_region(void *opaque, const BusRegion *r)
{
    Monitor *mon = opaque;
    monitor_printf(mon, "  %016" PRIx64 "-%016" PRIx64 " (%s) %s\n", r->base,
                   r->base + r->size - 1, region_kind(r), r->name);
}

static void info_mtree(Monitor *mon, void *opaque)
{
    if (!current_machine || !current_machine->mem) {
        monitor_printf(mon, "no machine is running\n");
        return;
    }
    monitor_printf(mon, "address-space: memory\n");
    bus_foreach(current_machine->mem, print_region, mon);
}

static void print_port_region(void *opaque, const BusRegion *r)
{
    Monitor *mon = opaque;
    monitor_printf(mon, "  %04" PRIx64 "-%04" PRIx64 " %s\n", r->base, r->base + r->size - 1,
                   r->name);
}

static void info_ioports(Monitor *mon, void *opaque)
{
    if (!current_machine || !current_machine->io) {
        monitor_printf(mon, "no machine is running\n");
        return;
    }
    monitor_printf(mon, "address-space: I/O\n");
    bus_foreach(current_machine->io, print_port_region, mon);
}

static void cmd_stop(Monitor *mon, int argc, char **argv, void *opaque)
{
    if (have_machine(mon)) {
        vm_stop(current_machine);
    }
}

static void cmd_cont(Monitor *mon, int argc, char **argv, void *opaque)
{
    if (have_machine(mon)) {
        vm_cont(current_machine);
    }
}

static void cmd_system_reset(Monitor *mon, int argc, char **argv, void *opaque)
{
    runstate_request_host_reset();
}

static void cmd_system_powerdown(Monitor *mon, int argc, char **argv, void *opaque)
{
    if (!current_machine || !current_machine->powerdown) {
        monitor_printf(mon, "system_powerdown: this machine has no power button\n");
        return;
    }
    vm_event_emit(VM_EVENT_POWERDOWN, false, NULL);
    current_machine->powerdown(current_machine);
}

static void cmd_gdbserver(Monitor *mon, int argc, char **argv, void *opaque)
{
    GError *err = NULL;
    const char *spec = argc > 1 ? argv[1] : "tcp::1234";
    if (!gdbstub_start(spec, &err)) {
        monitor_printf(mon, "%s\n", err->message);
        g_error_free(err);
        return;
    }
    monitor_printf(mon, "Waiting for gdb connection on device '%s'\n", spec);
}

static void cmd_screendump(Monitor *mon, int argc, char **argv, void *opaque)
{
    GError *err = NULL;
    if (argc != 2) {
        monitor_printf(mon, "usage: screendump FILE\n");
        return;
    }
    if (!current_machine || !current_machine->screendump) {
        monitor_printf(mon, "screendump: this machine has no display\n");
        return;
    }
    if (current_machine->screendump(current_machine, argv[1], &err) < 0) {
        monitor_printf(mon, "%s\n", err->message);
        g_error_free(err);
    }
}

static void cmd_quit(Monitor *mon, int argc, char **argv, void *opaque)
{
    runstate_request_shutdown_reason(SHUTDOWN_HOST_QUIT, 0, "host-qmp-quit");
}

static void cmd_log(Monitor *mon, int argc, char **argv, void *opaque)
{
    GError *err = NULL;
    uint32_t mask;

    if (argc != 2) {
        monitor_printf(mon, "usage: log ITEM,...|none (items: see -d help)\n");
        return;
    }
    if (strcmp(argv[1], "none") == 0) {
        vireo_log_mask = 0;
        return;
    }
    if (log_parse_items(argv[1], &mask, &err) < 0) {
        monitor_printf(mon, "%s\n", err->message);
        g_error_free(err);
        return;
    }
    vireo_log_mask = mask;
}

static void cmd_logfile(Monitor *mon, int argc, char **argv, void *opaque)
{
    GError *err = NULL;
    if (argc != 2) {
        monitor_printf(mon, "usage: logfile FILE\n");
        return;
    }
    if (log_set_file(argv[1], &err) < 0) {
        monitor_printf(mon, "%s\n", err->message);
        g_error_free(err);
    }
}

static void cmd_print(Monitor *mon, int argc, char **argv, void *opaque)
{
    g_autofree char *expr = NULL;
    GError *err = NULL;
    uint64_t v;
    const char *fmt = "x";

    if (argc < 2) {
        monitor_printf(mon, "usage: print[/FMT] EXPR\n");
        return;
    }
    if (strchr(argv[0], '/')) {
        fmt = strchr(argv[0], '/') + 1;
    }
    expr = g_strjoinv(" ", argv + 1);
    if (monitor_eval(expr, &v, &err) < 0) {
        monitor_printf(mon, "%s\n", err->message);
        g_error_free(err);
        return;
    }
    if (*fmt == 'd') {
        monitor_printf(mon, "%" PRId64 "\n", (int64_t)v);
    } else if (*fmt == 'u') {
        monitor_printf(mon, "%" PRIu64 "\n", v);
    } else {
        monitor_printf(mon, "0x%" PRIx64 "\n", v);
    }
}

/* ---- x / xp: memory dumps with QEMU's /FMT letters ---- */

typedef struct DumpFmt {
    int count;
    char format;    /* x d u o c i */
    int size;       /* 1 2 4 8 */
} DumpFmt;

/* Parses "x/10xw": count, format and size letters in any order after '/'. */
static int parse_dump_fmt(const char *cmd, DumpFmt *f)
{
    const char *p = strchr(cmd, '/');

    *f = (DumpFmt){ 1, 'x', 4 };
    if (!p) {
        return 0;
    }
    p++;
    if (g_ascii_isdigit(*p)) {
        f->count = (int)strtol(p, (char **)&p, 10);
    }
    for (; *p; p++) {
        switch (*p) {
        case 'x': case 'd': case 'u': case 'o': case 'c': case 'i':
            f->format = *p;
            break;
        case 'b': f->size = 1; break;
        case 'h': f->size = 2; break;
        case 'w': f->size = 4; break;
        case 'g': f->size = 8; break;
        default:
            return -1;
        }
    }
    if (f->format == 'c') {
        f->size = 1;
    }
    if (f->count <= 0 || f->count > 65536) {
        return -1;
    }
    return 0;
}

typedef struct DumpCtx {
    Machine *m;
    bool virt;
} DumpCtx;

static int dump_read(DumpCtx *d, uint64_t addr, void *buf, uint64_t len)
{
    if (d->virt) {
        return x86_debug_rw(&d->m->cpu->env, d->m->mem, addr, buf, len, false);
    }
    return bus_rw(d->m->mem, addr, buf, len, false, false);
}

static void dump_insns(Monitor *mon, DumpCtx *d, uint64_t addr, int count)
{
    X86CPUState *env = &d->m->cpu->env;
    int mode = env->hflags & HF_CS64_MASK ? CS_MODE_64 :
               env->hflags & HF_CS32_MASK ? CS_MODE_32 : CS_MODE_16;
    csh handle;
    cs_insn *insn;

    if (cs_open(CS_ARCH_X86, mode, &handle) != CS_ERR_OK) {
        monitor_printf(mon, "capstone is not usable\n");
        return;
    }
    for (int i = 0; i < count; i++) {
        uint8_t code[16];
        if (dump_read(d, addr, code, sizeof(code)) < 0) {
            monitor_printf(mon, "0x%016" PRIx64 ": cannot access memory\n", addr);
            break;
        }
        if (cs_disasm(handle, code, sizeof(code), addr, 1, &insn) != 1) {
            monitor_printf(mon, "0x%016" PRIx64 ": (bad) %02x\n", addr, code[0]);
            addr++;
            continue;
        }
        monitor_printf(mon, "0x%016" PRIx64 ":  %-6s %s\n", addr, insn->mnemonic, insn->op_str);
        addr += insn->size;
        cs_free(insn, 1);
    }
    cs_close(&handle);
}

static void dump_value(Monitor *mon, const DumpFmt *f, uint64_t v)
{
    int digits = f->size * 2;
    switch (f->format) {
    case 'x': monitor_printf(mon, " 0x%0*" PRIx64, digits, v); break;
    case 'o': monitor_printf(mon, " 0%" PRIo64, v); break;
    case 'u': monitor_printf(mon, " %" PRIu64, v); break;
    case 'd': {
        int shift = 64 - f->size * 8;
        monitor_printf(mon, " %" PRId64, (int64_t)(v << shift) >> shift);
        break;
    }
    case 'c':
        monitor_printf(mon, g_ascii_isprint(v) ? " '%c'" : " \\x%02x", (int)v);
        break;
    }
}

static void do_dump(Monitor *mon, int argc, char **argv, bool virt)
{
    Machine *m = current_machine;
    g_autofree char *expr = NULL;
    DumpCtx d = { m, virt };
    GError *err = NULL;
    DumpFmt f;
    uint64_t addr;
    bool resume;

    if (argc < 2 || parse_dump_fmt(argv[0], &f) < 0) {
        monitor_printf(mon, "usage: %s/FMT ADDR (FMT: [count][x|d|u|o|c|i][b|h|w|g])\n",
                       virt ? "x" : "xp");
        return;
    }
    if (!have_machine(mon)) {
        return;
    }
    resume = cpu_hold(m);
    expr = g_strjoinv(" ", argv + 1);
    if (eval_with_env(&m->cpu->env, expr, &addr, &err) < 0) {
        monitor_printf(mon, "%s\n", err->message);
        g_error_free(err);
    } else if (f.format == 'i') {
        dump_insns(mon, &d, addr, f.count);
    } else {
        int per_line = f.format == 'c' ? 16 : 16 / f.size;
        for (int i = 0; i < f.count; i++) {
            uint64_t v = 0, a = addr + (uint64_t)i * f.size;
            if (i % per_line == 0) {
                monitor_printf(mon, "%s%016" PRIx64 ":", i ? "\n" : "", a);
            }
            if (dump_read(&d, a, &v, f.size) < 0) {
                monitor_printf(mon, " cannot access memory");
                break;
            }
            dump_value(mon, &f, v);
        }
        monitor_printf(mon, "\n");
    }
    cpu_release(m, resume);
}

static void cmd_x(Monitor *mon, int argc, char **argv, void *opaque)
{
    do_dump(mon, argc, argv, true);
}

static void cmd_xp(Monitor *mon, int argc, char **argv, void *opaque)
{
    do_dump(mon, argc, argv, false);
}

static void register_builtins(void)
{
    monitor_register_command("help|?", "[CMD]", "list the commands, or show one", cmd_help, NULL);
    monitor_register_command("info", "[ITEM]", "show machine state (info with no item lists them)",
                             cmd_info, NULL);
    monitor_register_command("stop", "", "pause the guest", cmd_stop, NULL);
    monitor_register_command("cont|c", "", "resume the guest", cmd_cont, NULL);
    monitor_register_command("system_reset", "", "reset the machine", cmd_system_reset, NULL);
    monitor_register_command("system_powerdown", "", "press the ACPI power button",
                             cmd_system_powerdown, NULL);
    monitor_register_command("screendump", "FILE", "write the screen as a PNG",
                             cmd_screendump, NULL);
    monitor_register_command("gdbserver", "[tcp::PORT|unix:PATH]",
                             "start the gdb server (default tcp::1234)", cmd_gdbserver, NULL);
    monitor_register_command("quit|q", "", "quit vireo", cmd_quit, NULL);
    monitor_register_command("log", "ITEM,...|none", "change the -d log items", cmd_log, NULL);
    monitor_register_command("logfile", "FILE", "send the log to FILE", cmd_logfile, NULL);
    monitor_register_command("print|p", "[/FMT] EXPR",
                             "evaluate EXPR ($rax, $rip, $cr3, numbers, C operators)",
                             cmd_print, NULL);
    monitor_register_command("x", "/FMT ADDR",
                             "dump guest-virtual memory (FMT: count, x d u o c i, b h w g)",
                             cmd_x, NULL);
    monitor_register_command("xp", "/FMT ADDR", "dump guest-physical memory", cmd_xp, NULL);
    monitor_register_info("status", "whether the guest runs", info_status, NULL);
    monitor_register_info("version", "vireo's version", info_version, NULL);
    monitor_register_info("registers", "the CPU registers", info_registers, NULL);
    monitor_register_info("mtree", "the guest-physical memory map", info_mtree, NULL);
    monitor_register_info("ioports", "the port map", info_ioports, NULL);
}

/* ---- line editing and dispatch ---- */

/* Splits "x/10i $rip" into "x/10i" and "$rip", honouring "quotes". */
static char **split_args(const char *line, int *argc)
{
    char **argv = NULL;
    GError *err = NULL;

    if (!g_shell_parse_argv(line, argc, &argv, &err)) {
        g_error_free(err);
        *argc = 0;
        return NULL;
    }
    return argv;
}

static void monitor_dispatch(Monitor *mon, const char *line)
{
    int argc;
    char **argv;
    g_autofree char *word = NULL;
    MonCmd *c;

    ensure_tables();
    while (*line == ' ' || *line == '\t') {
        line++;
    }
    if (!*line) {
        return;
    }
    argv = split_args(line, &argc);
    if (!argv || argc == 0) {
        monitor_printf(mon, "could not parse the line (unbalanced quotes?)\n");
        g_strfreev(argv);
        return;
    }
    word = g_strdup(argv[0]);
    if (strchr(word, '/')) {
        *strchr(word, '/') = '\0';   /* x/10i, print/x */
    }
    c = find_cmd(word);
    if (!c) {
        monitor_printf(mon, "unknown command: '%s' (try 'help')\n", word);
    } else {
        c->fn(mon, argc, argv, c->opaque);
    }
    g_strfreev(argv);
}

void monitor_execute(Monitor *mon, const char *line, GString *out)
{
    Monitor tmp = { 0 };
    if (!mon) {
        tmp.capture = out;
        mon = &tmp;
    }
    monitor_dispatch(mon, line);
}

static void monitor_prompt(Monitor *mon)
{
    monitor_printf(mon, "(vireo) ");
}

static int mon_can_receive(void *opaque)
{
    return MON_LINE_MAX;
}

static void mon_key(Monitor *mon, uint8_t c)
{
    if (c == '\r' || c == '\n') {
        if (c == '\n' && mon->last_cr) {   /* \r\n counts once */
            mon->last_cr = false;
            return;
        }
        mon->last_cr = c == '\r';
        if (mon->echo) {
            monitor_printf(mon, "\n");
        }
        if (mon->overflow) {
            monitor_printf(mon, "line too long (over %d bytes): ignored\n", MON_LINE_MAX - 1);
        } else {
            mon->line[mon->len] = '\0';
            monitor_dispatch(mon, mon->line);
        }
        mon->len = 0;
        mon->overflow = false;
        if (runstate_shutdown_requested() == SHUTDOWN_NONE) {
            monitor_prompt(mon);
        }
        return;
    }
    mon->last_cr = false;
    if (c == 0x7f || c == 0x08) {
        if (mon->len > 0) {
            mon->len--;
            if (mon->echo) {
                monitor_printf(mon, "\b \b");
            }
        }
        return;
    }
    if (c < 0x20 && c != '\t') {
        return;                  /* other control characters are ignored */
    }
    if (mon->len >= MON_LINE_MAX - 1) {
        mon->overflow = true;
        return;
    }
    mon->line[mon->len++] = c;
    if (mon->echo) {
        chardev_write(mon->chr, &c, 1);
    }
}

static void mon_receive(void *opaque, const uint8_t *buf, int len)
{
    Monitor *mon = opaque;
    for (int i = 0; i < len; i++) {
        mon_key(mon, buf[i]);
    }
}

static void mon_event(void *opaque, CharEvent ev)
{
    Monitor *mon = opaque;
    if (ev == CHR_EVENT_OPENED || ev == CHR_EVENT_FOCUS) {
        mon->len = 0;
        mon->overflow = false;
        monitor_printf(mon, "vireo %s monitor - type 'help' for more information\n",
                       VIREO_VERSION);
        monitor_prompt(mon);
    }
}

static const CharFrontendOps mon_ops = {
    .can_receive = mon_can_receive,
    .receive = mon_receive,
    .event = mon_event,
};

Monitor *monitor_new(Chardev *chr, GError **errp)
{
    Monitor *mon = g_new0(Monitor, 1);
    ensure_tables();
    mon->chr = chr;
    mon->echo = chardev_is_stdio(chr);
    if (chardev_set_frontend(chr, &mon_ops, mon) < 0) {
        error_setg(errp, "-monitor: the character device is already in use");
        g_free(mon);
        return NULL;
    }
    return mon;
}

void monitor_free(Monitor *mon)
{
    g_free(mon);
}
