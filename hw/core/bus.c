/*
 * bus.c: the memory map and the port space (see hw/bus.h). Regions are
 * kept sorted by base in a GPtrArray; lookup is a binary search. Every
 * access from an accelerator's slow path, from DMA and from the loaders
 * ends up in bus_read / bus_write / bus_rw here.
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "vireo/log.h"
#include "hw/bus.h"

typedef struct Listener {
    BusListener fn;
    void *opaque;
} Listener;

struct Bus {
    char *name;
    uint64_t size;
    uint32_t trace_item;
    GPtrArray *regions;     /* BusRegion *, sorted by base */
    GArray *listeners;      /* Listener */
    uint64_t generation;
    BusRegion *last;        /* the region bus_lookup found last, or NULL */
};

Bus *bus_new(const char *name, uint64_t size, uint32_t trace_item)
{
    Bus *bus = g_new0(Bus, 1);
    bus->name = g_strdup(name);
    bus->size = size;
    bus->trace_item = trace_item;
    bus->regions = g_ptr_array_new();
    bus->listeners = g_array_new(false, false, sizeof(Listener));
    return bus;
}

static void region_free(BusRegion *r)
{
    g_free(r->name);
    g_free(r);
}

void bus_free(Bus *bus)
{
    if (!bus) {
        return;
    }
    for (guint i = 0; i < bus->regions->len; i++) {
        region_free(g_ptr_array_index(bus->regions, i));
    }
    g_ptr_array_free(bus->regions, true);
    g_array_free(bus->listeners, true);
    g_free(bus->name);
    g_free(bus);
}

const char *bus_name(Bus *bus)
{
    return bus->name;
}

uint64_t bus_generation(Bus *bus)
{
    return bus->generation;
}

/* Index of the first region whose last byte is >= addr. */
static guint lower_bound(Bus *bus, uint64_t addr)
{
    guint lo = 0, hi = bus->regions->len;
    while (lo < hi) {
        guint mid = (lo + hi) / 2;
        BusRegion *r = g_ptr_array_index(bus->regions, mid);
        if (r->base + (r->size - 1) < addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

const BusRegion *bus_lookup(Bus *bus, uint64_t addr)
{
    BusRegion *r = __atomic_load_n(&bus->last, __ATOMIC_ACQUIRE);

    /* page walks and RAM accesses hit the same region over and over */
    if (r && addr >= r->base && addr - r->base < r->size) {
        return r;
    }
    guint i = lower_bound(bus, addr);
    if (i < bus->regions->len) {
        r = g_ptr_array_index(bus->regions, i);
        if (addr >= r->base) {
            __atomic_store_n(&bus->last, r, __ATOMIC_RELEASE);
            return r;
        }
    }
    return NULL;
}

static void notify(Bus *bus, const BusRegion *r, bool added)
{
    __atomic_store_n(&bus->last, NULL, __ATOMIC_RELEASE);
    bus->generation++;
    for (guint i = 0; i < bus->listeners->len; i++) {
        Listener *l = &g_array_index(bus->listeners, Listener, i);
        l->fn(l->opaque, bus, r, added);
    }
}

static BusRegion *bus_insert(Bus *bus, BusRegion *nr, GError **errp)
{
    if (nr->size == 0 || nr->base > bus->size || nr->size > bus->size - nr->base) {
        error_setg(errp, "%s: region '%s' [0x%" PRIx64 "+0x%" PRIx64 "] does not fit the bus",
                   bus->name, nr->name, nr->base, nr->size);
        region_free(nr);
        return NULL;
    }
    guint i = lower_bound(bus, nr->base);
    if (i < bus->regions->len) {
        BusRegion *r = g_ptr_array_index(bus->regions, i);
        if (r->base <= nr->base + (nr->size - 1)) {
            error_setg(errp, "%s: region '%s' [0x%" PRIx64 "-0x%" PRIx64 "] overlaps '%s' [0x%"
                       PRIx64 "-0x%" PRIx64 "]", bus->name, nr->name, nr->base,
                       nr->base + nr->size - 1, r->name, r->base, r->base + r->size - 1);
            region_free(nr);
            return NULL;
        }
    }
    g_ptr_array_insert(bus->regions, i, nr);
    notify(bus, nr, true);
    return nr;
}

BusRegion *bus_add_io(Bus *bus, const char *name, uint64_t base, uint64_t size,
                      const BusOps *ops, void *opaque, GError **errp)
{
    BusRegion *r = g_new0(BusRegion, 1);
    r->name = g_strdup(name);
    r->base = base;
    r->size = size;
    r->kind = BUS_REGION_IO;
    r->ops = ops;
    r->opaque = opaque;
    return bus_insert(bus, r, errp);
}

BusRegion *bus_add_ram(Bus *bus, const char *name, uint64_t base, uint64_t size,
                       uint8_t *host, bool readonly, GError **errp)
{
    BusRegion *r = g_new0(BusRegion, 1);
    r->name = g_strdup(name);
    r->base = base;
    r->size = size;
    r->kind = readonly ? BUS_REGION_ROM : BUS_REGION_RAM;
    r->host = host;
    return bus_insert(bus, r, errp);
}

void bus_remove(Bus *bus, BusRegion *r)
{
    if (!g_ptr_array_find(bus->regions, r, NULL)) {
        return;
    }
    notify(bus, r, false);
    g_ptr_array_remove(bus->regions, r);
    region_free(r);
}

void bus_add_listener(Bus *bus, BusListener fn, void *opaque)
{
    Listener l = { fn, opaque };
    g_array_append_val(bus->listeners, l);
}

void bus_foreach(Bus *bus, void (*fn)(void *opaque, const BusRegion *r), void *opaque)
{
    for (guint i = 0; i < bus->regions->len; i++) {
        fn(opaque, g_ptr_array_index(bus->regions, i));
    }
}

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? UINT64_MAX : (1ULL << (size * 8)) - 1;
}

static uint64_t host_load(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    memcpy(&v, p, size);   /* little-endian host */
    return v;
}

static void host_store(uint8_t *p, uint64_t v, unsigned size)
{
    memcpy(p, &v, size);
}

static bool fits(const BusRegion *r, uint64_t addr, unsigned size)
{
    return addr - r->base <= r->size - size && size <= r->size;
}

static uint64_t read_one(Bus *bus, uint64_t addr, unsigned size)
{
    const BusRegion *r = bus_lookup(bus, addr);
    uint64_t v;

    if (!r) {
        log_mask(LOG_GUEST_ERRORS, "%s: unclaimed read%u at 0x%" PRIx64 "\n",
                 bus->name, size * 8, addr);
        return size_mask(size);
    }
    if (r->kind == BUS_REGION_IO) {
        v = r->ops->read ? r->ops->read(r->opaque, addr - r->base, size) : size_mask(size);
        v &= size_mask(size);
    } else {
        v = host_load(r->host + (addr - r->base), size);
    }
    return v;
}

uint64_t bus_read(Bus *bus, uint64_t addr, unsigned size)
{
    uint64_t v;
    const BusRegion *r = bus_lookup(bus, addr);

    g_assert(size == 1 || size == 2 || size == 4 || size == 8);
    if (r && fits(r, addr, size)) {
        v = read_one(bus, addr, size);
    } else {
        v = 0;
        for (unsigned i = 0; i < size; i++) {
            v |= read_one(bus, addr + i, 1) << (i * 8);
        }
    }
    log_mask(bus->trace_item, "%s: read%u 0x%" PRIx64 " -> 0x%" PRIx64 " (%s)\n",
             bus->name, size * 8, addr, v, r ? r->name : "unclaimed");
    return v;
}

static void write_one(Bus *bus, uint64_t addr, uint64_t value, unsigned size)
{
    const BusRegion *r = bus_lookup(bus, addr);

    if (!r) {
        log_mask(LOG_GUEST_ERRORS, "%s: unclaimed write%u 0x%" PRIx64 " at 0x%" PRIx64 "\n",
                 bus->name, size * 8, value & size_mask(size), addr);
        return;
    }
    switch (r->kind) {
    case BUS_REGION_IO:
        if (r->ops->write) {
            r->ops->write(r->opaque, addr - r->base, value & size_mask(size), size);
        }
        break;
    case BUS_REGION_RAM:
        host_store(r->host + (addr - r->base), value, size);
        break;
    case BUS_REGION_ROM:
        log_mask(LOG_GUEST_ERRORS, "%s: write to ROM '%s' at 0x%" PRIx64 " ignored\n",
                 bus->name, r->name, addr);
        break;
    }
}

void bus_write(Bus *bus, uint64_t addr, uint64_t value, unsigned size)
{
    const BusRegion *r = bus_lookup(bus, addr);

    g_assert(size == 1 || size == 2 || size == 4 || size == 8);
    log_mask(bus->trace_item, "%s: write%u 0x%" PRIx64 " <- 0x%" PRIx64 " (%s)\n",
             bus->name, size * 8, addr, value & size_mask(size), r ? r->name : "unclaimed");
    if (r && fits(r, addr, size)) {
        write_one(bus, addr, value, size);
    } else {
        for (unsigned i = 0; i < size; i++) {
            write_one(bus, addr + i, (value >> (i * 8)) & 0xff, 1);
        }
    }
}

int bus_rw(Bus *bus, uint64_t addr, void *buf, uint64_t len, bool is_write, bool force)
{
    uint8_t *p = buf;
    int ret = 0;

    while (len > 0) {
        const BusRegion *r = bus_lookup(bus, addr);
        uint64_t chunk;

        if (!r) {
            if (!is_write) {
                *p = 0xff;
            }
            ret = -1;
            chunk = 1;
        } else if (r->kind == BUS_REGION_IO) {
            if (is_write) {
                write_one(bus, addr, *p, 1);
            } else {
                *p = read_one(bus, addr, 1);
            }
            chunk = 1;
        } else {
            chunk = MIN(len, r->size - (addr - r->base));
            if (!is_write) {
                memcpy(p, r->host + (addr - r->base), chunk);
            } else if (r->kind == BUS_REGION_RAM || force) {
                memcpy(r->host + (addr - r->base), p, chunk);
            }
        }
        p += chunk;
        addr += chunk;
        len -= chunk;
        if (addr == 0 && len > 0) {    /* wrapped past the top of a 64-bit space */
            return -1;
        }
    }
    return ret;
}
