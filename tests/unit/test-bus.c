/*
 * test-bus.c: the memory map and port space (hw/core/bus.c): region
 * registration and overlap refusal, dispatch with offsets relative to the
 * region, unclaimed accesses, accesses that straddle regions, RAM/ROM,
 * bus_rw for loaders and DMA, and listeners.
 */
#include "vireo/common.h"

#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>

#include "vireo/log.h"
#include "hw/bus.h"

typedef struct FakeDev {
    uint64_t last_off, last_val;
    unsigned last_size;
    int reads, writes;
    uint8_t regs[16];
} FakeDev;

static uint64_t fake_read(void *opaque, uint64_t off, unsigned size)
{
    FakeDev *d = opaque;
    uint64_t v = 0;
    d->reads++;
    d->last_off = off;
    d->last_size = size;
    for (unsigned i = 0; i < size && off + i < sizeof(d->regs); i++) {
        v |= (uint64_t)d->regs[off + i] << (8 * i);
    }
    return v;
}

static void fake_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    FakeDev *d = opaque;
    d->writes++;
    d->last_off = off;
    d->last_val = val;
    d->last_size = size;
    for (unsigned i = 0; i < size && off + i < sizeof(d->regs); i++) {
        d->regs[off + i] = val >> (8 * i);
    }
}

static const BusOps fake_ops = { fake_read, fake_write };

static void test_overlapping_region_is_refused(void **state)
{
    Bus *bus = bus_new("io", 0x10000, LOG_IOPORT);
    FakeDev a = { 0 }, b = { 0 };
    GError *err = NULL;

    assert_non_null(bus_add_io(bus, "a", 0x3f8, 8, &fake_ops, &a, NULL));
    assert_null(bus_add_io(bus, "b", 0x3ff, 2, &fake_ops, &b, &err));
    assert_non_null(err);
    assert_non_null(strstr(err->message, "overlaps"));
    g_clear_error(&err);
    assert_null(bus_add_io(bus, "b", 0x3f0, 9, &fake_ops, &b, &err));
    g_clear_error(&err);
    /* Adjacent on both sides is fine. */
    assert_non_null(bus_add_io(bus, "b", 0x3f0, 8, &fake_ops, &b, NULL));
    assert_non_null(bus_add_io(bus, "c", 0x400, 1, &fake_ops, &b, NULL));
    bus_free(bus);
}

static void test_region_past_bus_end_is_refused(void **state)
{
    Bus *bus = bus_new("io", 0x10000, LOG_IOPORT);
    FakeDev a = { 0 };
    GError *err = NULL;

    assert_null(bus_add_io(bus, "a", 0xfffe, 4, &fake_ops, &a, &err));
    g_clear_error(&err);
    assert_null(bus_add_io(bus, "z", 0x100, 0, &fake_ops, &a, &err));
    g_clear_error(&err);
    bus_free(bus);
}

static void test_dispatch_passes_offset_relative_to_region(void **state)
{
    Bus *bus = bus_new("io", 0x10000, LOG_IOPORT);
    FakeDev d = { 0 };

    bus_add_io(bus, "dev", 0x70, 2, &fake_ops, &d, NULL);
    bus_write(bus, 0x71, 0x5a, 1);
    assert_int_equal(d.last_off, 1);
    assert_int_equal(d.last_val, 0x5a);
    assert_int_equal(d.last_size, 1);
    assert_int_equal(bus_read(bus, 0x71, 1), 0x5a);
    bus_free(bus);
}

static void test_unclaimed_read_returns_all_ones(void **state)
{
    Bus *bus = bus_new("io", 0x10000, LOG_IOPORT);
    assert_int_equal(bus_read(bus, 0x1234, 1), 0xff);
    assert_int_equal(bus_read(bus, 0x1234, 2), 0xffff);
    assert_int_equal(bus_read(bus, 0x1234, 4), 0xffffffffu);
    bus_write(bus, 0x1234, 7, 4);     /* dropped, no crash */
    bus_free(bus);
}

static void test_access_straddling_regions_is_split_into_bytes(void **state)
{
    Bus *bus = bus_new("io", 0x10000, LOG_IOPORT);
    FakeDev d = { 0 };

    bus_add_io(bus, "dev", 0x100, 2, &fake_ops, &d, NULL);
    d.regs[0] = 0x11;
    d.regs[1] = 0x22;
    /* 4 bytes at 0x100: two from the device, two unclaimed (0xff). */
    assert_int_equal(bus_read(bus, 0x100, 4), 0xffff2211u);
    assert_int_equal(d.reads, 2);
    assert_int_equal(d.last_size, 1);
    bus_free(bus);
}

static void test_ram_and_rom_regions(void **state)
{
    Bus *bus = bus_new("memory", 1ULL << 40, LOG_MMIO);
    uint8_t ram[4096] = { 0 }, rom[4096];

    memset(rom, 0xab, sizeof(rom));
    bus_add_ram(bus, "ram", 0, sizeof(ram), ram, false, NULL);
    bus_add_ram(bus, "rom", 0x10000, sizeof(rom), rom, true, NULL);
    bus_write(bus, 0x10, 0x1122334455667788ULL, 8);
    assert_int_equal(bus_read(bus, 0x10, 8), 0x1122334455667788ULL);
    assert_int_equal(ram[0x10], 0x88);
    bus_write(bus, 0x10000, 0, 4);   /* ignored */
    assert_int_equal(bus_read(bus, 0x10000, 4), 0xababababu);
    /* Last bytes of RAM and one past it. */
    assert_int_equal(bus_read(bus, 4095, 2), 0xff00);
    bus_free(bus);
}

static void test_bus_rw_copies_ram_and_forces_rom_for_loaders(void **state)
{
    Bus *bus = bus_new("memory", 1ULL << 40, LOG_MMIO);
    uint8_t ram[64] = { 0 }, rom[64] = { 0 };
    uint8_t buf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, out[8];
    FakeDev d = { 0 };

    bus_add_ram(bus, "ram", 0x1000, sizeof(ram), ram, false, NULL);
    bus_add_ram(bus, "rom", 0x2000, sizeof(rom), rom, true, NULL);
    bus_add_io(bus, "mmio", 0x3000, 16, &fake_ops, &d, NULL);
    assert_int_equal(bus_rw(bus, 0x1000 + 60, buf, 4, true, false), 0);
    assert_memory_equal(ram + 60, buf, 4);
    /* Crossing the end of RAM into nothing: reported, nothing overrun. */
    assert_int_equal(bus_rw(bus, 0x1000 + 62, buf, 4, true, false), -1);
    assert_int_equal(bus_rw(bus, 0x2000, buf, 8, true, false), 0);
    assert_int_equal(rom[0], 0);
    assert_int_equal(bus_rw(bus, 0x2000, buf, 8, true, true), 0);
    assert_int_equal(rom[7], 8);
    assert_int_equal(bus_rw(bus, 0x3000, buf, 8, true, false), 0);
    assert_int_equal(d.writes, 8);
    assert_int_equal(bus_rw(bus, 0x3000, out, 8, false, false), 0);
    assert_memory_equal(out, buf, 8);
    bus_free(bus);
}

static int listener_calls;
static void count_listener(void *opaque, Bus *bus, const BusRegion *r, bool added)
{
    listener_calls += added ? 1 : 100;
}

static void test_listener_sees_add_and_remove(void **state)
{
    Bus *bus = bus_new("memory", 1ULL << 40, LOG_MMIO);
    uint8_t ram[16];
    uint64_t gen = bus_generation(bus);

    listener_calls = 0;
    bus_add_listener(bus, count_listener, NULL);
    BusRegion *r = bus_add_ram(bus, "ram", 0, sizeof(ram), ram, false, NULL);
    assert_int_equal(listener_calls, 1);
    assert_ptr_equal(bus_lookup(bus, 5), r);
    bus_remove(bus, r);
    assert_int_equal(listener_calls, 101);
    assert_null(bus_lookup(bus, 5));
    assert_true(bus_generation(bus) > gen);
    bus_free(bus);
}

static void test_lookup_among_many_regions(void **state)
{
    Bus *bus = bus_new("io", 0x10000, LOG_IOPORT);
    FakeDev d = { 0 };
    char name[16];

    for (int i = 0; i < 100; i++) {
        snprintf(name, sizeof(name), "r%d", i);
        assert_non_null(bus_add_io(bus, name, 0x100 + i * 0x10, 4, &fake_ops, &d, NULL));
    }
    for (int i = 0; i < 100; i++) {
        const BusRegion *r = bus_lookup(bus, 0x100 + i * 0x10 + 3);
        assert_non_null(r);
        assert_int_equal(r->base, 0x100 + i * 0x10);
        assert_null(bus_lookup(bus, 0x100 + i * 0x10 + 4));
    }
    bus_free(bus);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_overlapping_region_is_refused),
        cmocka_unit_test(test_region_past_bus_end_is_refused),
        cmocka_unit_test(test_dispatch_passes_offset_relative_to_region),
        cmocka_unit_test(test_unclaimed_read_returns_all_ones),
        cmocka_unit_test(test_access_straddling_regions_is_split_into_bytes),
        cmocka_unit_test(test_ram_and_rom_regions),
        cmocka_unit_test(test_bus_rw_copies_ram_and_forces_rom_for_loaders),
        cmocka_unit_test(test_listener_sees_add_and_remove),
        cmocka_unit_test(test_lookup_among_many_regions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
