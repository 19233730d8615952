/*
 * machine.c: MachineConfig, what the command line describes, and the
 * small parsers its options share (sizes, -device strings).
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "system/machine.h"

#include <errno.h>

Machine *current_machine;

MachineConfig *machine_config_new(void)
{
    MachineConfig *cfg = g_new0(MachineConfig, 1);
    cfg->ram_size = 128 * MiB;
    cfg->accel = g_strdup("tcg");
    cfg->devices = g_ptr_array_new();
    return cfg;
}

static void device_opt_free(DeviceOpt *d)
{
    g_free(d->driver);
    g_hash_table_destroy(d->props);
    g_free(d);
}

void machine_config_free(MachineConfig *cfg)
{
    if (!cfg) {
        return;
    }
    g_free(cfg->kernel);
    g_free(cfg->initrd);
    g_free(cfg->append);
    g_free(cfg->bios);
    g_free(cfg->serial);
    g_free(cfg->display);
    g_free(cfg->accel);
    g_free(cfg->accel_opts);
    for (guint i = 0; i < cfg->devices->len; i++) {
        device_opt_free(g_ptr_array_index(cfg->devices, i));
    }
    g_ptr_array_free(cfg->devices, true);
    g_free(cfg);
}

int machine_config_add_device(MachineConfig *cfg, const char *spec, GError **errp)
{
    g_auto(GStrv) parts = g_strsplit(spec, ",", -1);
    DeviceOpt *d;

    if (!parts[0] || !*parts[0]) {
        error_setg(errp, "-device: missing driver name in '%s'", spec);
        return -1;
    }
    d = g_new0(DeviceOpt, 1);
    d->driver = g_strdup(parts[0]);
    d->props = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    for (char **p = parts + 1; *p; p++) {
        char *eq = strchr(*p, '=');
        if (!eq || eq == *p) {
            error_setg(errp, "-device %s: property '%s' is not KEY=VALUE", d->driver, *p);
            device_opt_free(d);
            return -1;
        }
        g_hash_table_insert(d->props, g_strndup(*p, eq - *p), g_strdup(eq + 1));
    }
    g_ptr_array_add(cfg->devices, d);
    return 0;
}

int parse_size(const char *str, uint64_t *bytes, GError **errp)
{
    char *end;
    uint64_t v, mult = MiB;

    errno = 0;
    v = g_ascii_strtoull(str, &end, 10);
    if (errno || end == str) {
        goto bad;
    }
    switch (*end) {
    case '\0': break;
    case 'k': case 'K': mult = KiB; end++; break;
    case 'm': case 'M': mult = MiB; end++; break;
    case 'g': case 'G': mult = GiB; end++; break;
    case 't': case 'T': mult = 1024 * GiB; end++; break;
    default: goto bad;
    }
    if ((*end == 'B' || *end == 'b') && end[1] == '\0') {
        end++;
    }
    if (*end != '\0' || v == 0 || v > UINT64_MAX / mult) {
        goto bad;
    }
    *bytes = v * mult;
    return 0;
bad:
    error_setg(errp, "bad size '%s' (use a number with an optional K, M, G or T suffix)", str);
    return -1;
}
