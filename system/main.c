/*
 * main.c: vireo's entry point. It turns the command line into a
 * MachineConfig (QEMU's option spellings, so habits carry over), builds
 * the PC board, starts the accelerator and the vCPU thread, and runs the
 * main loop: character devices, timers, reset and shutdown requests.
 * Every configuration error ends here as one line and exit status 1.
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "vireo/log.h"
#include "hw/clock.h"
#include "hw/pc.h"
#include "system/bql.h"
#include "system/chardev.h"
#include "system/cpus.h"
#include "system/machine.h"
#include "system/main-loop.h"
#include "system/gdbstub.h"
#include "system/monitor.h"
#include "system/qmp.h"
#include "system/runstate.h"
#include "target-x86/cpu.h"
#include "target-x86/cpuid.h"
#include "ui/console.h"
#include "ui/display.h"

#include <errno.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef enum {
    ARG_NONE,       /* a flag */
    ARG_VALUE,      /* takes the next word */
} ArgKind;

typedef struct Options {
    MachineConfig *cfg;
    const char *log_items;
    const char *log_file;
    const char *log_filter;
    const char *monitor;
    const char *qmp;
    const char *gdb;
    const X86CPUModel *cpu_model;   /* -cpu; NULL: the default */
    bool start_stopped;
} Options;

typedef int (*OptHandler)(Options *o, const char *val, GError **errp);

typedef struct OptDef {
    const char *name;
    ArgKind kind;
    OptHandler handler;
    const char *args;
    const char *help;
} OptDef;

static void print_usage(void);

#ifdef CONFIG_SANITIZERS
/* LeakSanitizer: SDL's display and D-Bus libraries keep allocations until
 * exit on purpose; report vireo's own leaks only. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libdbus-1.so\nleak:libSDL2\nleak:libX11.so\nleak:libxcb.so\n";
}
#endif

static int opt_help(Options *o, const char *v, GError **errp)
{
    print_usage();
    exit(0);
}

static int opt_version(Options *o, const char *v, GError **errp)
{
    printf("vireo version %s\n", VIREO_VERSION);
    exit(0);
}

static int opt_accel(Options *o, const char *v, GError **errp)
{
    const char *comma = strchr(v, ',');
    g_free(o->cfg->accel);
    g_free(o->cfg->accel_opts);
    o->cfg->accel = comma ? g_strndup(v, comma - v) : g_strdup(v);
    o->cfg->accel_opts = comma ? g_strdup(comma + 1) : NULL;
    if (strcmp(o->cfg->accel, "kvm") && strcmp(o->cfg->accel, "tcg")) {
        error_setg(errp, "-accel %s: unknown accelerator (use kvm or tcg)", o->cfg->accel);
        return -1;
    }
    return 0;
}

static int opt_enable_kvm(Options *o, const char *v, GError **errp)
{
    return opt_accel(o, "kvm", errp);
}

static int opt_memory(Options *o, const char *v, GError **errp)
{
    GError *err = NULL;
    uint64_t size;

    if (g_str_has_prefix(v, "size=")) {
        v += 5;
    }
    if (parse_size(v, &size, &err) < 0) {
        error_setg(errp, "-m: %s", err->message);
        g_error_free(err);
        return -1;
    }
    if (size < 2 * MiB || size > 1024 * GiB) {
        error_setg(errp, "-m %s: RAM size must be between 2M and 1T", v);
        return -1;
    }
    o->cfg->ram_size = size;
    return 0;
}

/* -kernel/-initrd/-bios: the file must be readable now, so the error names
 * the option rather than coming later from a loader. */
static int check_readable(const char *opt, const char *path, GError **errp)
{
    if (access(path, R_OK) < 0) {
        error_setg(errp, "%s %s: %s", opt, path, g_strerror(errno));
        return -1;
    }
    if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
        error_setg(errp, "%s %s: is a directory", opt, path);
        return -1;
    }
    return 0;
}

static int opt_kernel(Options *o, const char *v, GError **errp)
{
    g_free(o->cfg->kernel);
    o->cfg->kernel = g_strdup(v);
    return check_readable("-kernel", v, errp);
}

static int opt_initrd(Options *o, const char *v, GError **errp)
{
    g_free(o->cfg->initrd);
    o->cfg->initrd = g_strdup(v);
    return 0;   /* may be a multiboot module list "file args,file": the loader checks */
}

static int opt_append(Options *o, const char *v, GError **errp)
{
    g_free(o->cfg->append);
    o->cfg->append = g_strdup(v);
    return 0;
}

static int opt_bios(Options *o, const char *v, GError **errp)
{
    g_free(o->cfg->bios);
    o->cfg->bios = g_strdup(v);
    return check_readable("-bios", v, errp);
}

static int opt_serial(Options *o, const char *v, GError **errp)
{
    if (strcmp(v, "stdio") && strcmp(v, "mon:stdio") && strcmp(v, "none") &&
        strcmp(v, "null") && !g_str_has_prefix(v, "file:") &&
        !g_str_has_prefix(v, "unix:") && !g_str_has_prefix(v, "tcp:")) {
        error_setg(errp, "-serial %s: unknown backend (use stdio, file:PATH, "
                   "unix:PATH,server,nowait, tcp:HOST:PORT,server,nowait, null or none)", v);
        return -1;
    }
    g_free(o->cfg->serial);
    o->cfg->serial = g_strdup(v);
    return 0;
}

static int opt_display(Options *o, const char *v, GError **errp)
{
    /* QEMU accepts options after a comma (e.g. sdl,gl=off); we have none. */
    g_autofree char *type = g_strndup(v, strcspn(v, ","));
    if (strcmp(type, "none") != 0 && strcmp(type, "sdl") != 0) {
        error_setg(errp, "-display %s: unknown display (use sdl or none)", v);
        return -1;
    }
    g_free(o->cfg->display);
    o->cfg->display = g_steal_pointer(&type);
    return 0;
}

static int opt_nographic(Options *o, const char *v, GError **errp)
{
    o->cfg->nographic = true;
    return 0;
}

static int opt_no_reboot(Options *o, const char *v, GError **errp)
{
    o->cfg->no_reboot = true;
    return 0;
}

static int opt_device(Options *o, const char *v, GError **errp)
{
    return machine_config_add_device(o->cfg, v, errp);
}

static int opt_monitor(Options *o, const char *v, GError **errp)
{
    if (strcmp(v, "stdio") && strcmp(v, "none") && !g_str_has_prefix(v, "unix:") &&
        !g_str_has_prefix(v, "tcp:")) {
        error_setg(errp, "-monitor %s: unknown backend (use stdio, unix:PATH,server,nowait, "
                   "tcp:HOST:PORT,server,nowait or none)", v);
        return -1;
    }
    o->monitor = v;
    return 0;
}

static int opt_qmp(Options *o, const char *v, GError **errp)
{
    if (!g_str_has_prefix(v, "unix:") && !g_str_has_prefix(v, "tcp:")) {
        error_setg(errp, "-qmp %s: use unix:PATH,server,nowait or tcp:HOST:PORT,server,nowait", v);
        return -1;
    }
    o->qmp = v;
    return 0;
}

static int opt_gdb(Options *o, const char *v, GError **errp)
{
    o->gdb = v;
    return 0;
}

static int opt_gdb_default(Options *o, const char *v, GError **errp)
{
    o->gdb = "tcp::1234";
    return 0;
}

static int opt_start_stopped(Options *o, const char *v, GError **errp)
{
    o->start_stopped = true;
    return 0;
}

static int opt_log(Options *o, const char *v, GError **errp)
{
    if (strcmp(v, "help") == 0) {
        log_print_help(stdout);
        exit(0);
    }
    o->log_items = v;
    return 0;
}

/* -cpu MODEL, or -cpu help to list the models (QEMU's spelling). */
static int opt_cpu(Options *o, const char *v, GError **errp)
{
    const X86CPUModel *model;

    if (strcmp(v, "help") == 0) {
        printf("Available CPUs:\n");
        for (size_t i = 0; (model = x86_cpu_model_nth(i)); i++) {
            printf("  %-10s %s\n", model->name, model->description);
        }
        exit(0);
    }
    o->cpu_model = x86_cpu_model_find(v);
    if (!o->cpu_model) {
        error_setg(errp, "-cpu %s: unknown CPU model (-cpu help lists them)", v);
        return -1;
    }
    return 0;
}

static int opt_log_file(Options *o, const char *v, GError **errp)
{
    o->log_file = v;
    return 0;
}

static int opt_log_filter(Options *o, const char *v, GError **errp)
{
    o->log_filter = v;
    return 0;
}

static const OptDef options[] = {
    { "accel", ARG_VALUE, opt_accel, "kvm|tcg[,opts]", "choose the accelerator (default: tcg)" },
    { "enable-kvm", ARG_NONE, opt_enable_kvm, NULL, "same as -accel kvm" },
    { "cpu", ARG_VALUE, opt_cpu, "MODEL", "CPU model: vireo64 (default) or vireo32 (-cpu help lists them)" },
    { "m", ARG_VALUE, opt_memory, "SIZE", "guest RAM size, e.g. 512M or 2G (default: 128M)" },
    { "kernel", ARG_VALUE, opt_kernel, "FILE", "boot a Linux bzImage or a multiboot kernel" },
    { "initrd", ARG_VALUE, opt_initrd, "FILE", "initial ramdisk (multiboot: modules, comma-separated)" },
    { "append", ARG_VALUE, opt_append, "CMDLINE", "kernel command line" },
    { "bios", ARG_VALUE, opt_bios, "FILE", "firmware image (default: Debian's SeaBIOS when no -kernel)" },
    { "serial", ARG_VALUE, opt_serial, "DEV", "COM1 backend: stdio, file:PATH, unix:PATH,server,nowait, null, none" },
    { "display", ARG_VALUE, opt_display, "TYPE", "sdl (a window; the default when there is a display) or none" },
    { "nographic", ARG_NONE, opt_nographic, NULL, "no window; serial on stdio" },
    { "no-reboot", ARG_NONE, opt_no_reboot, NULL, "exit instead of rebooting (status 0)" },
    { "device", ARG_VALUE, opt_device, "DRIVER[,PROP=V...]", "add a device: isa-debug-exit[,iobase=N][,iosize=N]" },
    { "monitor", ARG_VALUE, opt_monitor, "DEV", "the human monitor: stdio, unix:PATH,server,nowait, tcp:..., none" },
    { "qmp", ARG_VALUE, opt_qmp, "DEV", "QMP server: unix:PATH,server,nowait or tcp:HOST:PORT,server,nowait" },
    { "gdb", ARG_VALUE, opt_gdb, "DEV", "wait for gdb on tcp::PORT, tcp:HOST:PORT or unix:PATH" },
    { "s", ARG_NONE, opt_gdb_default, NULL, "shorthand for -gdb tcp::1234" },
    { "S", ARG_NONE, opt_start_stopped, NULL, "do not start the CPU (cont in the monitor or gdb)" },
    { "d", ARG_VALUE, opt_log, "ITEM,...", "enable log items (-d help lists them)" },
    { "D", ARG_VALUE, opt_log_file, "FILE", "write the log to FILE instead of stderr" },
    { "dfilter", ARG_VALUE, opt_log_filter, "RANGE,...", "log only for guest addresses in these ranges" },
    { "h", ARG_NONE, opt_help, NULL, "print this help and exit" },
    { "help", ARG_NONE, opt_help, NULL, NULL },
    { "version", ARG_NONE, opt_version, NULL, "print the version and exit" },
};

static void print_usage(void)
{
    printf("usage: vireo [options]\n\nvireo %s, a PC system emulator.\n\nOptions:\n",
           VIREO_VERSION);
    for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
        const OptDef *d = &options[i];
        g_autofree char *left = NULL;
        if (!d->help) {
            continue;
        }
        left = g_strdup_printf("-%s%s%s", d->name, d->args ? " " : "", d->args ? d->args : "");
        printf("  %-28s %s\n", left, d->help);
    }
    printf("\nDuring emulation on a stdio console: C-a x exits, C-a h lists the keys.\n");
}

static const OptDef *find_option(const char *arg)
{
    /* Accept -opt and --opt, as QEMU does. */
    const char *name = arg + 1;
    if (*name == '-') {
        name++;
    }
    for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
        if (strcmp(options[i].name, name) == 0) {
            return &options[i];
        }
    }
    return NULL;
}

static int parse_args(Options *o, int argc, char **argv, GError **errp)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const OptDef *d;
        const char *val = NULL;

        if (arg[0] != '-' || !(d = find_option(arg))) {
            error_setg(errp, "%s: unknown option (try -h)", arg);
            return -1;
        }
        if (d->kind == ARG_VALUE) {
            if (i + 1 >= argc) {
                error_setg(errp, "%s: missing argument %s", arg, d->args);
                return -1;
            }
            val = argv[++i];
        }
        if (d->handler(o, val, errp) < 0) {
            return -1;
        }
    }
    return 0;
}

/* Fills in defaults that depend on several options. With -nographic the
 * serial port and the monitor share stdio (Ctrl-A c), as in QEMU. */
static void finish_config(Options *o)
{
    MachineConfig *cfg = o->cfg;
    if (cfg->nographic) {
        g_free(cfg->display);
        cfg->display = g_strdup("none");
    }
    if (!cfg->display) {
#ifdef CONFIG_SDL
        bool have_display = g_getenv("DISPLAY") || g_getenv("WAYLAND_DISPLAY");
        cfg->display = g_strdup(have_display ? "sdl" : "none");
#else
        cfg->display = g_strdup("none");
#endif
    }
    if (!cfg->serial) {
        cfg->serial = g_strdup("stdio");
    }
    if (!o->monitor) {
        o->monitor = cfg->nographic && !strcmp(cfg->serial, "stdio") ? "stdio" : "none";
    }
}

static int start_qmp(Options *o, GError **errp)
{
    Chardev *chr;

    if (!o->qmp) {
        return 0;
    }
    chr = chardev_new(o->qmp, errp);
    if (!chr) {
        g_prefix_error(errp, "-qmp: ");
        return -1;
    }
    return qmp_server_new(chr, errp) ? 0 : -1;
}

static int main_screendump(Machine *m, const char *path, GError **errp)
{
    return console_screendump(console_default(), path, errp);
}

static gboolean display_tick(gpointer opaque)
{
    ui_display_refresh();
    return G_SOURCE_CONTINUE;
}

/* The front end (SDL window or nothing) and its refresh tick. */
static int start_display(Machine *m, GError **errp)
{
    int ms;

    if (ui_display_init(m->cfg->display, console_default(), errp) < 0) {
        g_prefix_error(errp, "-display %s: ", m->cfg->display);
        return -1;
    }
    m->screendump = main_screendump;
    ms = ui_display_refresh_ms();
    if (ms > 0) {
        g_timeout_add(ms, display_tick, NULL);
    }
    return 0;
}

/* The -cpu model replaces the default CPUID table, before the
 * accelerator narrows it to what it implements. Always 0. */
static int apply_cpu_model(Machine *m, Options *o)
{
    if (o->cpu_model) {
        x86_cpuid_apply_model(&m->cpu->env, o->cpu_model);
    }
    return 0;
}

static int start_gdb(Options *o, GError **errp)
{
    if (!o->gdb) {
        return 0;
    }
    if (!gdbstub_start(o->gdb, errp)) {
        g_prefix_error(errp, "-gdb: ");
        return -1;
    }
    return 0;
}

static int start_monitor(Options *o, Monitor **mon, GError **errp)
{
    Chardev *chr;

    *mon = NULL;
    if (strcmp(o->monitor, "none") == 0) {
        return 0;
    }
    chr = chardev_new(o->monitor, errp);
    if (!chr) {
        g_prefix_error(errp, "-monitor: ");
        return -1;
    }
    *mon = monitor_new(chr, errp);
    return *mon ? 0 : -1;
}

static int setup_logging(Options *o, GError **errp)
{
    if (o->log_file && log_set_file(o->log_file, errp) < 0) {
        return -1;
    }
    if (o->log_items && log_parse_items(o->log_items, &vireo_log_mask, errp) < 0) {
        return -1;
    }
    if (o->log_filter && log_parse_filter(o->log_filter, errp) < 0) {
        return -1;
    }
    return 0;
}

static gboolean on_signal(gpointer opaque)
{
    runstate_request_shutdown_reason(SHUTDOWN_HOST_QUIT, 0, "host-signal");
    return G_SOURCE_CONTINUE;
}

static void do_system_reset(Machine *m)
{
    bool by_host = runstate_reset_by_host();
    vm_event_emit(VM_EVENT_RESET, !by_host, by_host ? "host-qmp-system-reset" : "guest-reset");
    cpus_pause(m);
    pc_board_reset(m);
    if (m->accel->sync_env_to_vcpu) {
        m->accel->sync_env_to_vcpu(&m->cpu->cs);
    }
    cpus_resume(m);
}

static int run(Machine *m, bool start_stopped)
{
    if (start_stopped) {
        /* -S: the vCPU thread parks before running anything; "cont"
         * (monitor, QMP or gdb) lets it go. */
        m->cpu->cs.stop = true;
        clock_stop();
        runstate_set(RUN_STATE_PRELAUNCH);
    } else {
        runstate_set(RUN_STATE_RUNNING);
    }
    cpus_start(m);
    while (runstate_shutdown_requested() == SHUTDOWN_NONE) {
        main_loop_wait();
        if (runstate_take_reset_request()) {
            do_system_reset(m);
        }
    }
    vm_event_emit(VM_EVENT_SHUTDOWN, runstate_shutdown_requested() != SHUTDOWN_HOST_QUIT,
                  runstate_shutdown_reason());
    runstate_set(RUN_STATE_SHUTDOWN);
    cpu_kick(&m->cpu->cs);
    bql_unlock();
    cpus_join(m);
    bql_lock();
    return runstate_exit_status();
}

int main(int argc, char **argv)
{
    Options o = { .cfg = machine_config_new() };
    Machine *m;
    Monitor *mon = NULL;
    GError *err = NULL;
    int status;

    if (parse_args(&o, argc, argv, &err) < 0 || setup_logging(&o, &err) < 0) {
        error_report_err(err);
        machine_config_free(o.cfg);
        return 1;
    }
    finish_config(&o);
    runstate_set_no_reboot(o.cfg->no_reboot);
    main_loop_init();
    g_unix_signal_add(SIGINT, on_signal, NULL);
    g_unix_signal_add(SIGTERM, on_signal, NULL);
    g_unix_signal_add(SIGHUP, on_signal, NULL);
    signal(SIGPIPE, SIG_IGN);   /* a socket client that goes away is not fatal */

    m = g_new0(Machine, 1);
    m->cfg = o.cfg;
    current_machine = m;
    bql_lock();
    m->accel = accel_find(o.cfg->accel, &err);
    if (!m->accel || pc_board_init(m, &err) < 0 || apply_cpu_model(m, &o) < 0 ||
        m->accel->init(m, o.cfg->accel_opts, &err) < 0 ||
        start_display(m, &err) < 0 ||
        start_monitor(&o, &mon, &err) < 0 || start_qmp(&o, &err) < 0 ||
        start_gdb(&o, &err) < 0) {
        error_report_err(err);
        chardev_restore_terminals();
        return 1;
    }
    status = run(m, o.start_stopped);
    if (m->accel->cleanup) {
        m->accel->cleanup(m);
    }
    monitor_free(mon);
    ui_display_cleanup();
    pc_board_cleanup(m);
    bql_unlock();
    chardev_restore_terminals();
    machine_config_free(o.cfg);
    g_free(m);
    return status;
}
