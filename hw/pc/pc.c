/*
 * pc.c: the PC board. From the MachineConfig it builds, in this order:
 * guest RAM (one host mapping, split around the legacy window and the PCI
 * hole), the memory and port buses, the CPU, the interrupt controllers
 * (local APIC, IOAPIC, 8259 pair) and the ISA IRQ lines between them,
 * the legacy devices (PIT, RTC/CMOS, COM1, i8042, ports 0x92/0x80, reset
 * control, ACPI PM, the x87 error logic: FERR# -> IRQ13 and port 0xF0),
 * the -device extras, the firmware tables, and what
 * boots: a Linux bzImage, a multiboot kernel, or firmware. The address
 * map is documented in docs/pc-board.md.
 *
 * Interrupt routing: every ISA IRQ line drives both its 8259 input and
 * its IOAPIC pin (GSI = IRQ, except IRQ0 -> GSI 2, the usual override
 * that the MADT and the MP table announce). The 8259's INTR output goes
 * to the local APIC's LINT0, which the APIC turns into the CPU's INTR
 * (ExtINT, or the virtual-wire bypass while the APIC is disabled); the
 * CPU's acknowledge cycle is apic_int_ack.
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "vireo/log.h"
#include <errno.h>
#include <sys/mman.h>
#include "pc-internal.h"
#include "target-x86/cpu.h"
#include "ui/console.h"

#define PC_MIN_RAM (2 * MiB)
#define PC_DEFAULT_BIOS "/usr/share/seabios/bios-256k.bin"
#define PC_BIOS_MAX (256 * KiB)
#define PC_COM1_BASE 0x3f8
#define PC_COM1_IRQ 4
#define PC_SCI_IRQ 9
#define PC_FERR_IRQ 13
#define DEBUG_EXIT_DEFAULT_BASE 0x501
#define DEBUG_EXIT_DEFAULT_SIZE 2

/* ---- RAM and the memory map ---- */

static uint8_t *pc_mmap(uint64_t size, const char *what, GError **errp)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

    if (p == MAP_FAILED) {
        error_setg(errp, "cannot allocate %" PRIu64 " MiB for %s: %s",
                   (uint64_t)(size / MiB), what, g_strerror(errno));
        return NULL;
    }
    return p;
}

/* RAM as one mapping; the bus regions point into it (see BootMem). */
static int pc_map_ram(Machine *m, PCBoard *b, GError **errp)
{
    uint64_t size = m->cfg->ram_size;
    BootMem *bm = &b->bm;

    if (size < PC_MIN_RAM || size > (1ULL << 40) - 4 * GiB) {
        error_setg(errp, "-m %" PRIu64 "M: RAM must be between 2 MiB and 1020 GiB",
                   (uint64_t)(size / MiB));
        return -1;
    }
    m->ram = pc_mmap(size, "guest RAM", errp);
    if (!m->ram) {
        return -1;
    }
    m->ram_size = size;
    boot_mem_init(bm, m->ram, size);
    if (!bus_add_ram(m->mem, "ram-low", 0, PC_LOW_RAM_END, m->ram, false, errp) ||
        !bus_add_ram(m->mem, "ram-below-4g", PC_HIGH_RAM_BASE,
                     bm->below_4g - PC_HIGH_RAM_BASE, m->ram + PC_HIGH_RAM_BASE,
                     false, errp)) {
        return -1;
    }
    if (size > bm->below_4g &&
        !bus_add_ram(m->mem, "ram-above-4g", 4 * GiB, size - bm->below_4g,
                     m->ram + bm->below_4g, false, errp)) {
        return -1;
    }
    return 0;
}

/* ---- A20 ---- */

/*
 * The A20 gate is the OR of the i8042 output port bit 1 and port 0x92
 * bit 1. It masks address bit 20 of every CPU access (env->a20_mask).
 * TCG must flush its TLB when the mask changes (its softmmu applies the
 * mask at fill time); the EXITTB request makes it leave translated code so
 * it can. KVM has no A20 gate and ignores the mask.
 */
static void pc_update_a20(PCBoard *b, X86CPU *cpu)
{
    uint64_t mask = (b->a20_kbc || b->a20_port92) ? ~0ULL : ~(1ULL << 20);

    if (cpu->env.a20_mask != mask) {
        cpu->env.a20_mask = mask;
        cpu_interrupt(&cpu->cs, CPU_INTERRUPT_EXITTB);
    }
}

static void pc_set_a20_kbc(void *opaque, bool enabled)
{
    Machine *m = opaque;

    m->board->a20_kbc = enabled;
    pc_update_a20(m->board, m->cpu);
}

static void pc_set_a20_port92(void *opaque, bool enabled)
{
    Machine *m = opaque;

    m->board->a20_port92 = enabled;
    pc_update_a20(m->board, m->cpu);
}

/* ---- interrupt controllers ---- */

static int pc_pic_ack(void *opaque)
{
    return i8259_ack(opaque);
}

static bool pc_pic_pending(void *opaque)
{
    return i8259_pending(opaque);
}

static void pc_isa_irq_free(PCBoard *b)
{
    for (int i = 0; i < PC_ISA_IRQS; i++) {
        irq_free_splitter(b->isa_irq[i]);
        b->isa_irq[i] = NULL;
    }
}

/* Local APIC, IOAPIC, 8259 pair, and the 15 ISA IRQ lines (no IRQ2: cascade). */
static int pc_init_interrupts(Machine *m, PCBoard *b, GError **errp)
{
    b->apic = apic_new(m->mem, m->cpu, errp);
    if (!b->apic) {
        return -1;
    }
    m->cpu->int_ack = apic_int_ack;
    m->cpu->int_ack_opaque = b->apic;
    b->ioapic = ioapic_new(m->mem, PC_IOAPIC_BASE, b->apic, errp);
    if (!b->ioapic) {
        return -1;
    }
    b->pic = i8259_new(m->io, apic_lint(b->apic, 0), errp);
    if (!b->pic) {
        return -1;
    }
    apic_set_extint_source(b->apic, pc_pic_ack, pc_pic_pending, b->pic);
    for (int irq = 0; irq < PC_ISA_IRQS; irq++) {
        if (irq != 2) {
            int gsi = irq == 0 ? 2 : irq;
            b->isa_irq[irq] = irq_new_splitter(i8259_input(b->pic, irq),
                                               ioapic_input(b->ioapic, gsi));
        }
    }
    return 0;
}

/* ---- ISA devices ---- */

static int pc_init_com1(Machine *m, PCBoard *b, GError **errp)
{
    const char *spec = m->cfg->serial;

    if (!spec || strcmp(spec, "none") == 0) {
        return 0;   /* -serial none: no COM1 at all, as in QEMU */
    }
    b->com1_chr = chardev_new(spec, errp);
    if (!b->com1_chr) {
        g_prefix_error(errp, "-serial: ");
        return -1;
    }
    b->com1 = serial16550_new(m->io, PC_COM1_BASE, b->isa_irq[PC_COM1_IRQ],
                              b->com1_chr, errp);
    return b->com1 ? 0 : -1;
}

static int pc_init_isa_devices(Machine *m, PCBoard *b, GError **errp)
{
    if (!(b->pit = i8254_new(m->io, b->isa_irq[0], errp)) ||
        !(b->rtc = mc146818_new(m->io, b->isa_irq[8], errp)) ||
        pc_init_com1(m, b, errp) < 0 ||
        !(b->kbc = i8042_new(m->io, b->isa_irq[1], b->isa_irq[12],
                             pc_set_a20_kbc, m, errp)) ||
        !(b->port92 = port92_new(m->io, pc_set_a20_port92, m, errp)) ||
        !(b->port80 = port80_new(m->io, errp)) ||
        !(b->reset_control = resetcontrol_new(m->io, errp)) ||
        !(b->acpi_pm = acpi_pm_new(m->io, PC_ACPI_PM_BASE, b->isa_irq[PC_SCI_IRQ], errp)) ||
        !(b->ferr = pc_ferr_new(m->io, m->cpu, b->isa_irq[PC_FERR_IRQ], errp))) {
        return -1;
    }
    return 0;
}

/* The accelerator's dirty log (KVM) as the VGA's: the framebuffer is then
 * RAM and the log says what changed (docs/display.md). */
static int pc_vga_dirty_log(void *opaque, uint64_t base, uint64_t size, uint64_t *bitmap)
{
    Machine *m = opaque;
    return m->accel->dirty_log_sync(m, base, size, bitmap);
}

/* VGA with Bochs VBE, drawing into the one display console. Without
 * firmware nobody programs a video mode, so the board sets the 80x25
 * text mode a BIOS would have left (and tells Linux, see linux-boot.c). */
static int pc_init_display(Machine *m, PCBoard *b, GError **errp)
{
    b->vga = vga_new(m->io, m->mem, console_default(), errp);
    if (!b->vga) {
        return -1;
    }
    if (m->accel && m->accel->dirty_log_sync) {
        if (vga_lfb_map_ram(b->vga, errp) < 0) {
            return -1;
        }
        vga_set_dirty_log(b->vga, pc_vga_dirty_log, m);
    }
    return 0;
}

static void pc_display_boot_state(PCBoard *b)
{
    if (b->boot != PC_BOOT_FIRMWARE) {
        vga_set_boot_text_mode(b->vga);
    }
}

/* Parses a -device number property (decimal or 0x hex) up to max. */
static int pc_device_number(const char *driver, const char *key, const char *val,
                            uint64_t max, uint64_t *out, GError **errp)
{
    char *end;

    errno = 0;
    *out = g_ascii_strtoull(val, &end, 0);
    if (errno || end == val || *end || *out > max) {
        error_setg(errp, "-device %s: %s=%s is not a number up to 0x%" PRIx64,
                   driver, key, val, max);
        return -1;
    }
    return 0;
}

/* -device isa-debug-exit[,iobase=N][,iosize=N]. */
static int pc_add_debug_exit(Machine *m, PCBoard *b, DeviceOpt *d, GError **errp)
{
    uint64_t base = DEBUG_EXIT_DEFAULT_BASE, size = DEBUG_EXIT_DEFAULT_SIZE;
    GHashTableIter it;
    gpointer k, v;

    g_hash_table_iter_init(&it, d->props);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        int r;
        if (strcmp(k, "iobase") == 0) {
            r = pc_device_number(d->driver, k, v, 0xffff, &base, errp);
        } else if (strcmp(k, "iosize") == 0) {
            r = pc_device_number(d->driver, k, v, 0x10000, &size, errp);
        } else {
            error_setg(errp, "-device %s: unknown property '%s' (it has iobase, iosize)",
                       d->driver, (char *)k);
            r = -1;
        }
        if (r < 0) {
            return -1;
        }
    }
    if (size == 0 || base + size > 0x10000) {
        error_setg(errp, "-device %s: ports 0x%" PRIx64 "+0x%" PRIx64 " do not fit in 0-0xffff",
                   d->driver, base, size);
        return -1;
    }
    if (b->n_debug_exits == PC_MAX_DEBUG_EXITS) {
        error_setg(errp, "-device %s: at most %d of them", d->driver, PC_MAX_DEBUG_EXITS);
        return -1;
    }
    b->debug_exit[b->n_debug_exits] = isa_debug_exit_new(m->io, base, size, errp);
    if (!b->debug_exit[b->n_debug_exits]) {
        g_prefix_error(errp, "-device %s: ", d->driver);
        return -1;
    }
    b->n_debug_exits++;
    return 0;
}

static int pc_init_extra_devices(Machine *m, PCBoard *b, GError **errp)
{
    GPtrArray *devs = m->cfg->devices;

    for (guint i = 0; devs && i < devs->len; i++) {
        DeviceOpt *d = g_ptr_array_index(devs, i);
        if (strcmp(d->driver, "isa-debug-exit") == 0) {
            if (pc_add_debug_exit(m, b, d, errp) < 0) {
                return -1;
            }
        } else {
            error_setg(errp, "-device %s: unknown device (vireo has: isa-debug-exit)",
                       d->driver);
            return -1;
        }
    }
    return 0;
}

/* CMOS memory size bytes as PC firmware reads them (the IBM AT layout). */
static void pc_init_cmos(PCBoard *b)
{
    uint64_t ext_kib = (b->bm.below_4g - PC_HIGH_RAM_BASE) / KiB;
    uint64_t above_16m = b->bm.below_4g > 16 * MiB ? (b->bm.below_4g - 16 * MiB) / (64 * KiB) : 0;
    uint64_t above_4g = (b->bm.ram_size - b->bm.below_4g) / (64 * KiB);

    ext_kib = MIN(ext_kib, 0xffff);
    above_16m = MIN(above_16m, 0xffff);
    mc146818_set_cmos(b->rtc, 0x14, 0x02);            /* equipment: FPU, VGA */
    mc146818_set_cmos(b->rtc, 0x15, 640 & 0xff);      /* base memory, KiB */
    mc146818_set_cmos(b->rtc, 0x16, 640 >> 8);
    mc146818_set_cmos(b->rtc, 0x17, ext_kib & 0xff);  /* memory above 1 MiB, KiB */
    mc146818_set_cmos(b->rtc, 0x18, ext_kib >> 8);
    mc146818_set_cmos(b->rtc, 0x30, ext_kib & 0xff);
    mc146818_set_cmos(b->rtc, 0x31, ext_kib >> 8);
    mc146818_set_cmos(b->rtc, 0x34, above_16m & 0xff); /* above 16 MiB, 64 KiB units */
    mc146818_set_cmos(b->rtc, 0x35, above_16m >> 8);
    mc146818_set_cmos(b->rtc, 0x5b, above_4g & 0xff);  /* above 4 GiB, 64 KiB units */
    mc146818_set_cmos(b->rtc, 0x5c, (above_4g >> 8) & 0xff);
    mc146818_set_cmos(b->rtc, 0x5d, (above_4g >> 16) & 0xff);
}

/* ---- what boots ---- */

/* The BIOS area as ROM holding the ACPI and MP tables (direct kernel boot). */
static int pc_init_tables(Machine *m, PCBoard *b, GError **errp)
{
    b->bm.rsdp_addr = pc_firmware_tables_build(b->bios_area, PC_BIOS_AREA,
                                               PC_BIOS_AREA_SIZE);
    return bus_add_ram(m->mem, "bios-area", PC_BIOS_AREA, PC_BIOS_AREA_SIZE,
                       b->bios_area, true, errp) ? 0 : -1;
}

/* Copies the tail of the firmware image to the top of the first MiB. */
static void pc_copy_low_bios(PCBoard *b)
{
    size_t low = MIN(b->bios_len, (size_t)PC_BIOS_AREA_SIZE);

    memset(b->bios_area, 0, PC_BIOS_AREA_SIZE);
    memcpy(b->bios_area + PC_BIOS_AREA_SIZE - low, b->bios_image + b->bios_len - low, low);
}

/*
 * Firmware: the image at the top of 4 GiB (ROM, where the reset vector
 * 0xFFFFFFF0 lands) and its last 128 KiB at 0xE0000-0xFFFFF. The low copy
 * is writable RAM, standing in for the chipset's shadow RAM that PC
 * firmware unlocks before it writes its data segment; reset restores it.
 */
static int pc_init_firmware(Machine *m, PCBoard *b, const char *path, GError **errp)
{
    if (boot_read_file("firmware", path, &b->bios_image, &b->bios_len, errp) < 0) {
        return -1;
    }
    if (b->bios_len == 0 || b->bios_len % (64 * KiB) || b->bios_len > PC_BIOS_MAX) {
        error_setg(errp, "firmware '%s' is %zu bytes; it must be a multiple of 64 KiB, "
                   "at most 256 KiB", path, b->bios_len);
        return -1;
    }
    b->bios_high = pc_mmap(b->bios_len, "the firmware", errp);
    if (!b->bios_high) {
        return -1;
    }
    memcpy(b->bios_high, b->bios_image, b->bios_len);
    pc_copy_low_bios(b);
    b->boot = PC_BOOT_FIRMWARE;
    if (!bus_add_ram(m->mem, "bios-high", 4 * GiB - b->bios_len, b->bios_len,
                     b->bios_high, true, errp) ||
        !bus_add_ram(m->mem, "bios-area", PC_BIOS_AREA, PC_BIOS_AREA_SIZE,
                     b->bios_area, false, errp)) {
        return -1;
    }
    return 0;
}

/* -kernel: a bzImage or a multiboot kernel, chosen by their headers. */
static int pc_init_kernel(Machine *m, PCBoard *b, GError **errp)
{
    MachineConfig *cfg = m->cfg;
    uint8_t *data;
    size_t len;

    if (boot_read_file("kernel", cfg->kernel, &data, &len, errp) < 0) {
        return -1;
    }
    if (linux_image_probe(data, len)) {
        b->boot = PC_BOOT_LINUX;
        b->linux_image = linux_image_new(cfg->kernel, data, len, cfg->initrd,
                                         cfg->append, errp);
        return b->linux_image ? 0 : -1;
    }
    if (multiboot_probe(data, len)) {
        b->boot = PC_BOOT_MULTIBOOT;
        b->multiboot = multiboot_image_new(cfg->kernel, data, len, cfg->initrd,
                                           cfg->append, errp);
        return b->multiboot ? 0 : -1;
    }
    g_free(data);
    error_setg(errp, "kernel '%s' is neither a Linux bzImage (no \"HdrS\" header) nor a "
               "multiboot kernel (no multiboot header in its first 8 KiB)", cfg->kernel);
    return -1;
}

static int pc_init_boot(Machine *m, PCBoard *b, GError **errp)
{
    MachineConfig *cfg = m->cfg;

    b->bios_area = pc_mmap(PC_BIOS_AREA_SIZE, "the BIOS area", errp);
    if (!b->bios_area) {
        return -1;
    }
    if (cfg->kernel) {
        if (cfg->bios) {
            error_setg(errp, "-kernel and -bios cannot be combined (vireo loads the "
                       "kernel itself)");
            return -1;
        }
        return pc_init_kernel(m, b, errp) < 0 ? -1 : pc_init_tables(m, b, errp);
    }
    if (cfg->initrd || cfg->append) {
        error_setg(errp, "%s needs -kernel", cfg->initrd ? "-initrd" : "-append");
        return -1;
    }
    if (cfg->bios) {
        return pc_init_firmware(m, b, cfg->bios, errp);
    }
    if (!g_file_test(PC_DEFAULT_BIOS, G_FILE_TEST_EXISTS)) {
        error_setg(errp, "no -kernel and no firmware: install the Debian package seabios "
                   "(for %s) or give -kernel or -bios", PC_DEFAULT_BIOS);
        return -1;
    }
    return pc_init_firmware(m, b, PC_DEFAULT_BIOS, errp);
}

/* Puts the boot payload in RAM and the CPU (already reset) at its entry. */
static int pc_apply_boot(Machine *m, PCBoard *b, GError **errp)
{
    X86CPUState *env = &m->cpu->env;

    switch (b->boot) {
    case PC_BOOT_LINUX:
        return linux_image_load(b->linux_image, &b->bm, env, errp);
    case PC_BOOT_MULTIBOOT:
        return multiboot_image_load(b->multiboot, &b->bm, env, errp);
    case PC_BOOT_FIRMWARE:
        pc_copy_low_bios(b);
        return 0;   /* the reset vector, F000:FFF0 -> 0xFFFFFFF0 */
    }
    g_assert_not_reached();
}

/* ---- the board API ---- */

int pc_board_init(Machine *m, GError **errp)
{
    PCBoard *b = g_new0(PCBoard, 1);

    m->board = b;
    b->a20_kbc = true;
    m->mem = bus_new("memory", 1ULL << 40, LOG_MMIO);
    m->io = bus_new("io", 0x10000, LOG_IOPORT);
    m->cpu = x86_cpu_new(0);
    if (pc_map_ram(m, b, errp) < 0 ||
        pc_init_interrupts(m, b, errp) < 0 ||
        pc_init_isa_devices(m, b, errp) < 0 ||
        pc_init_display(m, b, errp) < 0 ||
        pc_init_extra_devices(m, b, errp) < 0 ||
        pc_init_boot(m, b, errp) < 0) {
        pc_board_cleanup(m);
        return -1;
    }
    pc_init_cmos(b);
    if (pc_apply_boot(m, b, errp) < 0) {
        pc_board_cleanup(m);
        return -1;
    }
    pc_display_boot_state(b);
    pc_monitor_init(m, b);
    return 0;
}

void pc_board_reset(Machine *m)
{
    PCBoard *b = m->board;
    GError *err = NULL;

    apic_reset(b->apic);
    ioapic_reset(b->ioapic);
    i8259_reset(b->pic);
    i8254_reset(b->pit);
    mc146818_reset(b->rtc);
    if (b->com1) {
        serial16550_reset(b->com1);
    }
    i8042_reset(b->kbc);
    port92_reset(b->port92);
    port80_reset(b->port80);
    resetcontrol_reset(b->reset_control);
    acpi_pm_reset(b->acpi_pm);
    for (int i = 0; i < b->n_debug_exits; i++) {
        isa_debug_exit_reset(b->debug_exit[i]);
    }
    vga_reset(b->vga);
    pc_display_boot_state(b);
    x86_cpu_reset(m->cpu);
    pc_ferr_reset(b->ferr);
    b->a20_kbc = true;
    b->a20_port92 = false;
    pc_update_a20(b, m->cpu);
    /* The images were placed once already, so this cannot fail to fit. */
    if (pc_apply_boot(m, b, &err) < 0) {
        log_mask(LOG_GUEST_ERRORS, "reset: %s\n", err->message);
        g_error_free(err);
    }
}

static void pc_free_devices(PCBoard *b)
{
    for (int i = b->n_debug_exits - 1; i >= 0; i--) {
        isa_debug_exit_free(b->debug_exit[i]);
    }
    if (b->vga) {
        vga_free(b->vga);
    }
    pc_ferr_free(b->ferr);
    if (b->acpi_pm) {
        acpi_pm_free(b->acpi_pm);
    }
    if (b->reset_control) {
        resetcontrol_free(b->reset_control);
    }
    if (b->port80) {
        port80_free(b->port80);
    }
    if (b->port92) {
        port92_free(b->port92);
    }
    if (b->kbc) {
        i8042_free(b->kbc);
    }
    if (b->com1) {
        serial16550_free(b->com1);
    }
    if (b->com1_chr) {
        chardev_free(b->com1_chr);
    }
    if (b->rtc) {
        mc146818_free(b->rtc);
    }
    if (b->pit) {
        i8254_free(b->pit);
    }
    pc_isa_irq_free(b);
    if (b->pic) {
        i8259_free(b->pic);
    }
    if (b->ioapic) {
        ioapic_free(b->ioapic);
    }
    if (b->apic) {
        apic_free(b->apic);
    }
}

void pc_board_cleanup(Machine *m)
{
    PCBoard *b = m->board;

    if (!b) {
        return;
    }
    pc_monitor_cleanup(m);
    pc_free_devices(b);
    linux_image_free(b->linux_image);
    multiboot_image_free(b->multiboot);
    g_free(b->bios_image);
    if (m->mem) {
        bus_free(m->mem);
        m->mem = NULL;
    }
    if (m->io) {
        bus_free(m->io);
        m->io = NULL;
    }
    if (b->bios_high) {
        munmap(b->bios_high, b->bios_len);
    }
    if (b->bios_area) {
        munmap(b->bios_area, PC_BIOS_AREA_SIZE);
    }
    if (m->ram) {
        munmap(m->ram, m->ram_size);
        m->ram = NULL;
    }
    x86_cpu_free(m->cpu);
    m->cpu = NULL;
    g_free(b);
    m->board = NULL;
}
