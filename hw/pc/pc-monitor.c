/*
 * pc-monitor.c: the board's side of the monitor and of host input: the
 * "info" items for its interrupt controllers, "sendkey" with QEMU's key
 * names, the ACPI power button behind system_powerdown, and host
 * keyboard/mouse events (the SDL window, sendkey) delivered to the
 * i8042.
 */
#include "vireo/common.h"
#include "system/monitor.h"
#include "ui/display.h"
#include "pc-internal.h"

/* ---- host input -> i8042 ---- */

static void pc_input_key(void *opaque, int set2_code, bool down, bool extended)
{
    i8042_put_keycode(opaque, set2_code, down, extended);
}

static void pc_input_mouse(void *opaque, int dx, int dy, int buttons)
{
    i8042_put_mouse(opaque, dx, dy, buttons);
}

static const UiInputOps pc_input_ops = {
    .key = pc_input_key,
    .mouse = pc_input_mouse,
};

/* ---- sendkey: QEMU's key names to HID usages ---- */

typedef struct KeyName {
    const char *name;
    uint8_t usage;
} KeyName;

static const KeyName key_names[] = {
    { "ret", 0x28 }, { "esc", 0x29 }, { "backspace", 0x2a }, { "tab", 0x2b },
    { "spc", 0x2c }, { "minus", 0x2d }, { "equal", 0x2e }, { "bracket_left", 0x2f },
    { "bracket_right", 0x30 }, { "backslash", 0x31 }, { "semicolon", 0x33 },
    { "apostrophe", 0x34 }, { "grave_accent", 0x35 }, { "comma", 0x36 }, { "dot", 0x37 },
    { "slash", 0x38 }, { "caps_lock", 0x39 }, { "print", 0x46 }, { "sysrq", 0x46 },
    { "scroll_lock", 0x47 }, { "pause", 0x48 }, { "insert", 0x49 }, { "home", 0x4a },
    { "pgup", 0x4b }, { "delete", 0x4c }, { "end", 0x4d }, { "pgdn", 0x4e },
    { "right", 0x4f }, { "left", 0x50 }, { "down", 0x51 }, { "up", 0x52 },
    { "num_lock", 0x53 }, { "kp_divide", 0x54 }, { "kp_multiply", 0x55 },
    { "asterisk", 0x55 }, { "kp_subtract", 0x56 }, { "kp_add", 0x57 },
    { "kp_enter", 0x58 }, { "kp_decimal", 0x63 }, { "menu", 0x65 },
    { "ctrl", 0xe0 }, { "shift", 0xe1 }, { "alt", 0xe2 }, { "meta_l", 0xe3 },
    { "ctrl_r", 0xe4 }, { "shift_r", 0xe5 }, { "alt_r", 0xe6 }, { "meta_r", 0xe7 },
};

/* The HID usage of a QEMU key name, or -1. */
static int key_usage(const char *name)
{
    if (name[0] && !name[1] && g_ascii_isalpha(name[0])) {
        return 0x04 + (g_ascii_tolower(name[0]) - 'a');
    }
    if (name[0] && !name[1] && g_ascii_isdigit(name[0])) {
        return name[0] == '0' ? 0x27 : 0x1e + (name[0] - '1');
    }
    if ((name[0] == 'f' || name[0] == 'F') && g_ascii_isdigit(name[1])) {
        int n = atoi(name + 1);
        return n >= 1 && n <= 12 ? 0x3a + n - 1 : -1;
    }
    if (g_str_has_prefix(name, "kp_") && g_ascii_isdigit(name[3]) && !name[4]) {
        return name[3] == '0' ? 0x62 : 0x59 + (name[3] - '1');
    }
    for (size_t i = 0; i < ARRAY_SIZE(key_names); i++) {
        if (strcmp(key_names[i].name, name) == 0) {
            return key_names[i].usage;
        }
    }
    return -1;
}

static void cmd_sendkey(Monitor *mon, int argc, char **argv, void *opaque)
{
    g_auto(GStrv) keys = NULL;
    int usages[16], n = 0;

    if (argc != 2) {
        monitor_printf(mon, "usage: sendkey KEYS (e.g. ctrl-alt-delete)\n");
        return;
    }
    keys = g_strsplit(argv[1], "-", -1);
    for (char **k = keys; *k; k++) {
        int u = key_usage(*k);
        if (u < 0 || n == (int)ARRAY_SIZE(usages)) {
            monitor_printf(mon, "sendkey: unknown key '%s'\n", *k);
            return;
        }
        usages[n++] = u;
    }
    for (int i = 0; i < n; i++) {
        ui_input_key(usages[i], true);
    }
    for (int i = n - 1; i >= 0; i--) {
        ui_input_key(usages[i], false);
    }
}

/* ---- info items ---- */

static void info_pic(Monitor *mon, void *opaque)
{
    PCBoard *b = opaque;
    g_autoptr(GString) out = g_string_new(NULL);
    i8259_dump(b->pic, out);
    monitor_printf(mon, "%s", out->str);
}

static void info_lapic(Monitor *mon, void *opaque)
{
    PCBoard *b = opaque;
    g_autoptr(GString) out = g_string_new(NULL);
    apic_dump(b->apic, out);
    monitor_printf(mon, "%s", out->str);
}

static void info_ioapic(Monitor *mon, void *opaque)
{
    PCBoard *b = opaque;
    g_autoptr(GString) out = g_string_new(NULL);
    ioapic_dump(b->ioapic, out);
    monitor_printf(mon, "%s", out->str);
}

static void info_irq(Monitor *mon, void *opaque)
{
    PCBoard *b = opaque;
    monitor_printf(mon, "ISA IRQ statistics (rising edges, current level):\n");
    for (int i = 0; i < PC_ISA_IRQS; i++) {
        IrqLine *l = b->isa_irq[i];
        if (l && l->raised) {
            monitor_printf(mon, "%4d: %" PRIu64 " (level %d)\n", i, l->raised, l->level);
        }
    }
}

static void pc_powerdown(Machine *m)
{
    PCBoard *b = m->board;
    acpi_pm_power_button(b->acpi_pm);
}

void pc_monitor_init(Machine *m, PCBoard *b)
{
    ui_input_set_handler(&pc_input_ops, b->kbc);
    m->powerdown = pc_powerdown;
    monitor_register_command("sendkey", "KEYS", "send keys to the guest, e.g. ctrl-alt-delete",
                             cmd_sendkey, b);
    monitor_register_info("pic", "the i8259 interrupt controllers", info_pic, b);
    monitor_register_info("lapic", "the local APIC", info_lapic, b);
    monitor_register_info("ioapic", "the I/O APIC", info_ioapic, b);
    monitor_register_info("irq", "interrupt counts per ISA IRQ", info_irq, b);
}

void pc_monitor_cleanup(Machine *m)
{
    ui_input_set_handler(NULL, NULL);
    m->powerdown = NULL;
}
