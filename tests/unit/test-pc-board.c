/*
 * test-pc-board.c: the PC board (hw/pc/pc.c) and its firmware tables
 * (hw/pc/acpi-build.c). The ACPI and MP tables are parsed the way an OS
 * finds them (scan for the RSDP, follow the pointers) and every checksum
 * and cross-reference is checked. The board tests build a whole machine
 * around a synthetic bzImage and look at its port and memory maps, its
 * IRQ hook-up, its -device handling and its reset.
 */
#include "vireo/common.h"
#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>
#include <unistd.h>
#include "hw/pc.h"
#include "hw/loader.h"

#define AREA_BASE 0xe0000u
#define AREA_SIZE 0x20000u

static uint16_t get16(const uint8_t *p) { return p[0] | p[1] << 8; }
static uint32_t get32(const uint8_t *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

static uint8_t sum8(const uint8_t *p, size_t len)
{
    uint8_t s = 0;

    for (size_t i = 0; i < len; i++) {
        s += p[i];
    }
    return s;
}

typedef struct Tables {
    uint8_t area[AREA_SIZE];
    uint64_t rsdp;
} Tables;

static Tables *tables_build(void)
{
    Tables *t = g_new0(Tables, 1);

    t->rsdp = pc_firmware_tables_build(t->area, AREA_BASE, AREA_SIZE);
    return t;
}

/* Host pointer to the table at guest address addr, checked to lie in the area. */
static uint8_t *at(Tables *t, uint64_t addr, size_t len)
{
    assert_true(addr >= AREA_BASE && addr + len <= AREA_BASE + AREA_SIZE);
    return t->area + (addr - AREA_BASE);
}

/* A described table: signature, length inside the area, checksum zero. */
static uint8_t *table(Tables *t, uint64_t addr, const char *sig)
{
    uint8_t *p = at(t, addr, 36);

    assert_memory_equal(p, sig, 4);
    at(t, addr, get32(p + 4));
    assert_int_equal(sum8(p, get32(p + 4)), 0);
    return p;
}

static void test_rsdp_found_by_scan_with_both_checksums(void **state)
{
    Tables *t = tables_build();
    uint64_t found = 0;

    for (uint32_t off = 0; off < AREA_SIZE; off += 16) {
        if (memcmp(t->area + off, "RSD PTR ", 8) == 0) {
            found = AREA_BASE + off;
            break;
        }
    }
    assert_int_equal(found, t->rsdp);
    uint8_t *r = at(t, found, 36);
    assert_int_equal(sum8(r, 20), 0);
    assert_int_equal(sum8(r, 36), 0);
    assert_int_equal(r[15], 2);
    assert_int_equal(get32(r + 20), 36);
    g_free(t);
}

static void test_rsdt_and_xsdt_point_to_fadt_and_madt(void **state)
{
    Tables *t = tables_build();
    uint8_t *r = at(t, t->rsdp, 36);
    uint8_t *rsdt = table(t, get32(r + 16), "RSDT");
    uint8_t *xsdt = table(t, get64(r + 24), "XSDT");

    assert_int_equal(get32(rsdt + 4), 36 + 8);
    assert_int_equal(get32(xsdt + 4), 36 + 16);
    table(t, get32(rsdt + 36), "FACP");
    table(t, get32(rsdt + 40), "APIC");
    assert_int_equal(get64(xsdt + 36), get32(rsdt + 36));
    assert_int_equal(get64(xsdt + 44), get32(rsdt + 40));
    g_free(t);
}

static uint8_t *find_fadt(Tables *t)
{
    uint8_t *r = at(t, t->rsdp, 36);
    uint8_t *rsdt = table(t, get32(r + 16), "RSDT");
    return table(t, get32(rsdt + 36), "FACP");
}

static void test_fadt_describes_pm_block_sci_and_dsdt(void **state)
{
    Tables *t = tables_build();
    uint8_t *f = find_fadt(t);
    uint8_t *facs;

    assert_int_equal(get32(f + 4), 244);
    assert_int_equal(f[8], 3);
    assert_int_equal(get16(f + 46), 9);                       /* SCI_INT */
    assert_int_equal(get32(f + 56), PC_ACPI_PM_BASE);         /* PM1a_EVT_BLK */
    assert_int_equal(get32(f + 64), PC_ACPI_PM_BASE + 4);     /* PM1a_CNT_BLK */
    assert_int_equal(get32(f + 76), PC_ACPI_PM_BASE + 8);     /* PM_TMR_BLK */
    assert_int_equal(f[88], 4);
    assert_int_equal(f[89], 2);
    assert_int_equal(f[91], 4);
    assert_true(get32(f + 112) & (1u << 8));                  /* TMR_VAL_EXT */
    assert_int_equal(get64(f + 148 + 4), PC_ACPI_PM_BASE);    /* X_PM1a_EVT_BLK */
    assert_int_equal(f[148], 1);                              /* system I/O */
    assert_int_equal(get64(f + 172 + 4), PC_ACPI_PM_BASE + 4);
    assert_int_equal(get64(f + 208 + 4), PC_ACPI_PM_BASE + 8);
    assert_int_equal(get64(f + 116 + 4), 0xcf9);              /* RESET_REG */
    table(t, get32(f + 40), "DSDT");
    assert_int_equal(get64(f + 140), get32(f + 40));          /* X_DSDT */
    facs = at(t, get32(f + 36), 64);
    assert_memory_equal(facs, "FACS", 4);
    assert_int_equal(get32(f + 36) % 64, 0);
    assert_int_equal(get64(f + 132), 0);   /* X_FIRMWARE_CTRL unused below 4 GiB */
    g_free(t);
}

static void test_dsdt_has_s5_package_with_slp_typ(void **state)
{
    Tables *t = tables_build();
    uint8_t *f = find_fadt(t);
    uint8_t *d = table(t, get32(f + 40), "DSDT");
    uint32_t len = get32(d + 4);
    const uint8_t *s5 = NULL;

    for (uint32_t i = 36; i + 4 <= len; i++) {
        if (memcmp(d + i, "_S5_", 4) == 0) {
            s5 = d + i;
            break;
        }
    }
    assert_non_null(s5);
    assert_int_equal(s5[-1], 0x08);       /* NameOp */
    assert_int_equal(s5[4], 0x12);        /* PackageOp */
    assert_int_equal(s5[6], 4);           /* NumElements */
    assert_int_equal(s5[7], 0x0a);        /* BytePrefix */
    assert_int_equal(s5[9], 0x0a);
    assert_int_equal(s5[8], s5[10]);      /* SLP_TYPa == SLP_TYPb */
    assert_true(s5 + 4 + 1 + s5[5] <= d + len);
    g_free(t);
}

static void test_madt_has_lapic_ioapic_and_overrides(void **state)
{
    Tables *t = tables_build();
    uint8_t *r = at(t, t->rsdp, 36);
    uint8_t *rsdt = table(t, get32(r + 16), "RSDT");
    uint8_t *m = table(t, get32(rsdt + 40), "APIC");
    uint32_t len = get32(m + 4), off = 44;
    int lapics = 0, ioapics = 0;
    bool irq0 = false, sci = false;

    assert_int_equal(get32(m + 36), PC_LAPIC_BASE);
    while (off < len) {
        uint8_t *e = m + off;
        assert_true(e[1] >= 2 && off + e[1] <= len);
        switch (e[0]) {
        case 0:
            lapics++;
            assert_true(get32(e + 4) & 1);
            break;
        case 1:
            ioapics++;
            assert_int_equal(get32(e + 4), PC_IOAPIC_BASE);
            assert_int_equal(get32(e + 8), 0);
            break;
        case 2:
            if (e[3] == 0) {
                irq0 = get32(e + 4) == 2;
            } else if (e[3] == 9) {
                sci = get32(e + 4) == 9 && get16(e + 8) == 0x000d;
            }
            break;
        }
        off += e[1];
    }
    assert_int_equal(off, len);
    assert_int_equal(lapics, 1);
    assert_int_equal(ioapics, 1);
    assert_true(irq0);
    assert_true(sci);
    g_free(t);
}

static void test_mp_table_found_in_f_segment_with_checksums(void **state)
{
    Tables *t = tables_build();
    uint8_t *fp = NULL, *ct;

    for (uint32_t off = 0x10000; off < AREA_SIZE; off += 16) {
        if (memcmp(t->area + off, "_MP_", 4) == 0) {
            fp = t->area + off;
            break;
        }
    }
    assert_non_null(fp);
    assert_int_equal(fp[8], 1);
    assert_int_equal(sum8(fp, 16), 0);
    ct = at(t, get32(fp + 4), 44);
    assert_memory_equal(ct, "PCMP", 4);
    at(t, get32(fp + 4), get16(ct + 4));
    assert_int_equal(sum8(ct, get16(ct + 4)), 0);
    assert_int_equal(get32(ct + 36), PC_LAPIC_BASE);
    /* Walk the entries: the count in the header covers the base table. */
    uint8_t *e = ct + 44;
    for (int i = 0; i < get16(ct + 34); i++) {
        assert_true(e[0] <= 4);
        e += e[0] == 0 ? 20 : 8;
    }
    assert_ptr_equal(e, ct + get16(ct + 4));
    g_free(t);
}

/* ---- the whole board ---- */

#include "hw/apic.h"

typedef struct BoardFixture {
    Machine m;
    char *kernel;
} BoardFixture;

/* A minimal bzImage (protocol 2.15) in a temporary file. */
static char *write_bzimage(void)
{
    uint8_t d[5 * 512 + 4096] = { 0 };
    char *path = NULL;
    int fd = g_file_open_tmp("vireo-bz-XXXXXX", &path, NULL);

    d[0x1f1] = 4;
    d[0x1fe] = 0x55; d[0x1ff] = 0xaa;
    d[0x201] = 0x6a;
    memcpy(d + 0x202, "HdrS", 4);
    d[0x206] = 0x0f; d[0x207] = 0x02;
    d[0x211] = 0x01;
    d[0x22c] = 0xff; d[0x22d] = 0xff; d[0x22e] = 0xff; d[0x22f] = 0x7f;
    d[0x238] = 0xff; d[0x239] = 0x07;
    memset(d + 5 * 512, 0x90, 4096);
    assert_true(fd >= 0);
    assert_true(write(fd, d, sizeof(d)) == (ssize_t)sizeof(d));
    close(fd);
    return path;
}

static BoardFixture *board_config(void)
{
    BoardFixture *f = g_new0(BoardFixture, 1);

    f->m.cfg = machine_config_new();
    f->m.cfg->ram_size = 64 * MiB;
    f->kernel = write_bzimage();
    f->m.cfg->kernel = g_strdup(f->kernel);
    f->m.cfg->append = g_strdup("console=ttyS0");
    f->m.cfg->serial = g_strdup("null");
    return f;
}

static void board_free(BoardFixture *f)
{
    pc_board_cleanup(&f->m);
    unlink(f->kernel);
    g_free(f->kernel);
    machine_config_free(f->m.cfg);
    g_free(f);
}

static char *board_init_error(BoardFixture *f)
{
    GError *err = NULL;
    char *msg;

    if (pc_board_init(&f->m, &err) == 0) {
        return NULL;
    }
    msg = g_strdup(err->message);
    g_error_free(err);
    return msg;
}

typedef struct MapCheck {
    uint64_t last_end;
    int count;
} MapCheck;

static void check_sorted(void *opaque, const BusRegion *r)
{
    MapCheck *c = opaque;

    assert_true(r->base >= c->last_end);
    assert_true(r->size > 0);
    c->last_end = r->base + r->size;
    c->count++;
}

static void test_board_port_map_has_every_device_without_overlap(void **state)
{
    BoardFixture *f = board_config();
    static const uint16_t ports[] = { 0x20, 0x21, 0xa0, 0xa1, 0x40, 0x43, 0x60, 0x64,
                                      0x70, 0x71, 0x80, 0x92, 0x3f8, 0x3ff, 0x600,
                                      0x604, 0x608, 0xcf9, 0xf4 };
    MapCheck c = { 0, 0 };

    assert_int_equal(machine_config_add_device(f->m.cfg, "isa-debug-exit,iobase=0xf4,iosize=4",
                                               NULL), 0);
    assert_null(board_init_error(f));
    for (size_t i = 0; i < ARRAY_SIZE(ports); i++) {
        if (!bus_lookup(f->m.io, ports[i])) {
            fail_msg("port 0x%x is unclaimed", ports[i]);
        }
    }
    bus_foreach(f->m.io, check_sorted, &c);
    assert_true(c.count >= 11);
    board_free(f);
}

static void test_board_memory_map_has_ram_hole_bios_and_apics(void **state)
{
    BoardFixture *f = board_config();
    const BusRegion *r;
    MapCheck c = { 0, 0 };

    assert_null(board_init_error(f));
    r = bus_lookup(f->m.mem, 0);
    assert_non_null(r);
    assert_int_equal(r->kind, BUS_REGION_RAM);
    assert_int_equal(r->base + r->size, 0xa0000);
    assert_null(bus_lookup(f->m.mem, 0xa0000));     /* the VGA window */
    r = bus_lookup(f->m.mem, 0xf0000);
    assert_non_null(r);
    assert_int_equal(r->kind, BUS_REGION_ROM);
    assert_int_equal(r->base, 0xe0000);
    r = bus_lookup(f->m.mem, 0x100000);
    assert_int_equal(r->base + r->size, 64 * MiB);
    assert_ptr_equal(r->host, f->m.ram + 0x100000);
    assert_non_null(bus_lookup(f->m.mem, PC_IOAPIC_BASE));
    assert_non_null(bus_lookup(f->m.mem, PC_LAPIC_BASE));
    bus_foreach(f->m.mem, check_sorted, &c);
    board_free(f);
}

static void test_board_cpu_acknowledges_through_the_apic(void **state)
{
    BoardFixture *f = board_config();

    assert_null(board_init_error(f));
    assert_ptr_equal(f->m.cpu->int_ack, apic_int_ack);
    assert_non_null(f->m.cpu->apic);
    assert_int_equal(f->m.cpu->env.rip, 0x100000);
    board_free(f);
}

static void test_board_passes_its_rsdp_to_linux(void **state)
{
    BoardFixture *f = board_config();
    uint64_t rsdp;

    assert_null(board_init_error(f));
    rsdp = get64(f->m.ram + LINUX_ZERO_PAGE + 0x70);
    assert_true(rsdp >= 0xe0000 && rsdp < 0x100000);
    assert_int_equal(bus_read(f->m.mem, rsdp, 4), 0x20445352);   /* "RSD " */
    board_free(f);
}

static void test_board_reset_reloads_kernel_and_entry_state(void **state)
{
    BoardFixture *f = board_config();

    assert_null(board_init_error(f));
    memset(f->m.ram + 0x100000, 0, 4096);
    f->m.cpu->env.rip = 0x1234;
    pc_board_reset(&f->m);
    assert_int_equal(f->m.ram[0x100000], 0x90);
    assert_int_equal(f->m.cpu->env.rip, 0x100000);
    assert_int_equal(f->m.cpu->env.regs[R_ESI], LINUX_ZERO_PAGE);
    board_free(f);
}

static void test_board_unknown_device_is_an_error_naming_it(void **state)
{
    BoardFixture *f = board_config();
    char *msg;

    assert_int_equal(machine_config_add_device(f->m.cfg, "e1000", NULL), 0);
    msg = board_init_error(f);
    assert_non_null(msg);
    assert_non_null(strstr(msg, "e1000"));
    g_free(msg);
    board_free(f);
}

static void test_board_unknown_device_property_is_an_error_naming_it(void **state)
{
    BoardFixture *f = board_config();
    char *msg;

    assert_int_equal(machine_config_add_device(f->m.cfg, "isa-debug-exit,ioport=3", NULL), 0);
    msg = board_init_error(f);
    assert_non_null(msg);
    assert_non_null(strstr(msg, "ioport"));
    g_free(msg);
    board_free(f);
}

static void test_board_kernel_neither_bzimage_nor_multiboot_is_an_error(void **state)
{
    BoardFixture *f = board_config();
    uint8_t junk[16384] = { 1, 2, 3 };
    char *msg;

    assert_true(g_file_set_contents(f->kernel, (char *)junk, sizeof(junk), NULL));
    msg = board_init_error(f);
    assert_non_null(msg);
    assert_non_null(strstr(msg, "neither"));
    assert_non_null(strstr(msg, f->kernel));
    g_free(msg);
    board_free(f);
}

int main(void)
{
    const struct CMUnitTest tables[] = {
        cmocka_unit_test(test_rsdp_found_by_scan_with_both_checksums),
        cmocka_unit_test(test_rsdt_and_xsdt_point_to_fadt_and_madt),
        cmocka_unit_test(test_fadt_describes_pm_block_sci_and_dsdt),
        cmocka_unit_test(test_dsdt_has_s5_package_with_slp_typ),
        cmocka_unit_test(test_madt_has_lapic_ioapic_and_overrides),
        cmocka_unit_test(test_mp_table_found_in_f_segment_with_checksums),
    };
    int failed = cmocka_run_group_tests_name("firmware tables", tables, NULL, NULL);

    const struct CMUnitTest board[] = {
        cmocka_unit_test(test_board_port_map_has_every_device_without_overlap),
        cmocka_unit_test(test_board_memory_map_has_ram_hole_bios_and_apics),
        cmocka_unit_test(test_board_cpu_acknowledges_through_the_apic),
        cmocka_unit_test(test_board_passes_its_rsdp_to_linux),
        cmocka_unit_test(test_board_reset_reloads_kernel_and_entry_state),
        cmocka_unit_test(test_board_unknown_device_is_an_error_naming_it),
        cmocka_unit_test(test_board_unknown_device_property_is_an_error_naming_it),
        cmocka_unit_test(test_board_kernel_neither_bzimage_nor_multiboot_is_an_error),
    };
    failed += cmocka_run_group_tests_name("board", board, NULL, NULL);
    return failed;
}
