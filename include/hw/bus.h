/*
 * bus.h: the guest-physical memory map and the 64K port space. Both are a
 * Bus: a sorted set of named, non-overlapping regions. A region is RAM or
 * ROM (backed by host memory that TCG's TLB and KVM's memory slots point
 * at directly) or I/O (a device's BusOps). Accelerators and DMA-capable
 * devices dispatch through bus_read/bus_write; the TCG and KVM exit paths
 * call the very same functions.
 *
 * Locking: bus map changes and I/O dispatch happen with the BQL held.
 */
#ifndef HW_BUS_H
#define HW_BUS_H

#include "vireo/common.h"

/*
 * One ops type for port I/O and MMIO. offset is relative to the region's
 * base, size is 1, 2, 4 or 8 bytes. A device that does not implement a
 * size handles it as it sees fit (most ignore or split it); it must never
 * trust offset+size to stay inside its registers without checking.
 */
typedef struct BusOps {
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
    void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
} BusOps;

typedef enum BusRegionKind {
    BUS_REGION_IO,   /* dispatched to ops */
    BUS_REGION_RAM,  /* host memory, read/write */
    BUS_REGION_ROM,  /* host memory, guest writes are ignored (logged) */
} BusRegionKind;

typedef struct BusRegion {
    char *name;
    uint64_t base;
    uint64_t size;
    BusRegionKind kind;
    const BusOps *ops;   /* BUS_REGION_IO */
    void *opaque;        /* BUS_REGION_IO */
    uint8_t *host;       /* BUS_REGION_RAM / BUS_REGION_ROM */
    uint64_t dirty_generation; /* reserved for display dirty tracking */
} BusRegion;

typedef struct Bus Bus;

/* Called after a region is added (added=true) or before it is removed. */
typedef void (*BusListener)(void *opaque, Bus *bus, const BusRegion *r, bool added);

/*
 * Creates a bus spanning [0, size). trace_item is the -d item that traces
 * its accesses (LOG_IOPORT or LOG_MMIO). Never fails.
 */
Bus *bus_new(const char *name, uint64_t size, uint32_t trace_item);
void bus_free(Bus *bus);

/* Adds a device region: the region, or NULL with errp set on overlap. */
BusRegion *bus_add_io(Bus *bus, const char *name, uint64_t base, uint64_t size,
                      const BusOps *ops, void *opaque, GError **errp);

/* Adds host memory as RAM or ROM: the region, or NULL with errp set. */
BusRegion *bus_add_ram(Bus *bus, const char *name, uint64_t base, uint64_t size,
                       uint8_t *host, bool readonly, GError **errp);

/* Removes (and frees) a region that bus_add_* returned. */
void bus_remove(Bus *bus, BusRegion *r);

/* The region containing addr, or NULL. O(log n). */
const BusRegion *bus_lookup(Bus *bus, uint64_t addr);

/*
 * Dispatches one access of size 1, 2, 4 or 8 at addr. An access that
 * crosses a region boundary is split into bytes. Unclaimed reads return
 * all ones; unclaimed accesses are logged under guest_errors.
 */
uint64_t bus_read(Bus *bus, uint64_t addr, unsigned size);
void bus_write(Bus *bus, uint64_t addr, uint64_t value, unsigned size);

/*
 * Copies len bytes between buf and the bus at addr (DMA, loaders, the
 * debugger). RAM is copied directly; I/O regions are accessed byte by
 * byte; ROM is writable through this path only when force is true
 * (loaders). Returns 0, or -1 if any byte was unclaimed.
 */
int bus_rw(Bus *bus, uint64_t addr, void *buf, uint64_t len, bool is_write,
           bool force) VIREO_WUR;

/* Registers a listener for map changes (KVM slots, TLB flushes). */
void bus_add_listener(Bus *bus, BusListener fn, void *opaque);

/* Calls fn for every region in address order. */
void bus_foreach(Bus *bus, void (*fn)(void *opaque, const BusRegion *r), void *opaque);

/* Bumped on every map change, so caches can tell they are stale. */
uint64_t bus_generation(Bus *bus);

const char *bus_name(Bus *bus);

#endif
