/*
 * log.c: the -d items, -D log file and -dfilter ranges declared in
 * vireo/log.h. Every diagnostic vireo prints goes through here or through
 * error.c; nothing else writes to stderr.
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "vireo/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>

uint32_t vireo_log_mask;

static const struct {
    const char *name;
    const char *help;
} log_items[LOG_BIT_COUNT] = {
#define VIREO_LOG_ROW(e, n, h) [LOG_BIT_##e] = { n, h },
    VIREO_LOG_ITEMS(VIREO_LOG_ROW)
#undef VIREO_LOG_ROW
};

typedef struct {
    uint64_t start, last;
} LogRange;

static GMutex log_mutex;
static FILE *log_out;
static GArray *log_ranges;

static FILE *log_stream(void)
{
    return log_out ? log_out : stderr;
}

void log_printf(const char *fmt, ...)
{
    va_list ap;
    g_mutex_lock(&log_mutex);
    va_start(ap, fmt);
    vfprintf(log_stream(), fmt, ap);
    va_end(ap);
    fflush(log_stream());
    g_mutex_unlock(&log_mutex);
}

FILE *log_lock(void)
{
    g_mutex_lock(&log_mutex);
    return log_stream();
}

void log_unlock(void)
{
    fflush(log_stream());
    g_mutex_unlock(&log_mutex);
}

int log_parse_items(const char *str, uint32_t *mask, GError **errp)
{
    g_auto(GStrv) parts = g_strsplit(str, ",", -1);
    uint32_t m = 0;

    for (char **p = parts; *p; p++) {
        bool found = false;
        if (**p == '\0') {
            continue;
        }
        if (strcmp(*p, "all") == 0) {
            m |= (1u << LOG_BIT_COUNT) - 1;
            continue;
        }
        for (int i = 0; i < LOG_BIT_COUNT; i++) {
            if (strcmp(*p, log_items[i].name) == 0) {
                m |= 1u << i;
                found = true;
                break;
            }
        }
        if (!found) {
            error_setg(errp, "-d: unknown log item '%s' (try -d help)", *p);
            return -1;
        }
    }
    *mask = m;
    return 0;
}

void log_print_help(FILE *out)
{
    fprintf(out, "Log items (comma separated, for -d and the monitor's log command):\n");
    for (int i = 0; i < LOG_BIT_COUNT; i++) {
        fprintf(out, "  %-13s %s\n", log_items[i].name, log_items[i].help);
    }
    fprintf(out, "  %-13s %s\n", "all", "every item above");
}

int log_set_file(const char *path, GError **errp)
{
    FILE *f = NULL;
    if (path) {
        f = fopen(path, "w");
        if (!f) {
            error_setg(errp, "-D %s: %s", path, g_strerror(errno));
            return -1;
        }
        setvbuf(f, NULL, _IOFBF, 1 << 16);
    }
    g_mutex_lock(&log_mutex);
    if (log_out) {
        fclose(log_out);
    }
    log_out = f;
    g_mutex_unlock(&log_mutex);
    return 0;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    *out = g_ascii_strtoull(s, &end, 0);
    return errno == 0 && end != s && *end == '\0';
}

static int parse_one_range(const char *s, LogRange *r, GError **errp)
{
    const char *sep;
    uint64_t a, b;
    g_autofree char *left = NULL;

    if ((sep = strstr(s, ".."))) {
        left = g_strndup(s, sep - s);
        if (!parse_u64(left, &a) || !parse_u64(sep + 2, &b) || b < a) {
            goto bad;
        }
        *r = (LogRange){ a, b };
    } else if ((sep = strchr(s, '+')) || (sep = strchr(s, '-'))) {
        left = g_strndup(s, sep - s);
        if (!parse_u64(left, &a) || !parse_u64(sep + 1, &b) || b == 0) {
            goto bad;
        }
        if (*sep == '+') {
            *r = (LogRange){ a, a + b - 1 };
        } else {
            if (b > a + 1) {
                goto bad;
            }
            *r = (LogRange){ a - b + 1, a };
        }
    } else {
        if (!parse_u64(s, &a)) {
            goto bad;
        }
        *r = (LogRange){ a, a };
    }
    return 0;
bad:
    error_setg(errp, "-dfilter: bad range '%s' (use START..END, START+LEN or ADDR)", s);
    return -1;
}

int log_parse_filter(const char *str, GError **errp)
{
    g_auto(GStrv) parts = g_strsplit(str, ",", -1);
    GArray *ranges = g_array_new(false, false, sizeof(LogRange));

    for (char **p = parts; *p; p++) {
        LogRange r;
        if (parse_one_range(*p, &r, errp) < 0) {
            g_array_free(ranges, true);
            return -1;
        }
        g_array_append_val(ranges, r);
    }
    if (log_ranges) {
        g_array_free(log_ranges, true);
    }
    log_ranges = ranges;
    return 0;
}

bool log_in_filter(uint64_t addr)
{
    if (!log_ranges) {
        return true;
    }
    for (guint i = 0; i < log_ranges->len; i++) {
        LogRange *r = &g_array_index(log_ranges, LogRange, i);
        if (addr >= r->start && addr <= r->last) {
            return true;
        }
    }
    return false;
}
