/*
 * arch-debug.h: guest memory as the debugger sees it (arch-debug.c).
 */
#ifndef TARGET_X86_ARCH_DEBUG_H
#define TARGET_X86_ARCH_DEBUG_H

#include "hw/bus.h"
#include "target-x86/cpu.h"

/* Translates vaddr through the guest's page tables: 0, or -1 if unmapped. */
int x86_debug_translate(X86CPUState *env, Bus *mem, uint64_t vaddr, uint64_t *paddr);

/* Reads or writes guest-virtual memory: 0, or -1 if any page is unmapped. */
int x86_debug_rw(X86CPUState *env, Bus *mem, uint64_t vaddr, void *buf, uint64_t len,
                 bool is_write);

/* Attribute bits of a mapping, as in the page-table entries. */
#define X86_MAP_WRITE    (1u << 1)
#define X86_MAP_USER     (1u << 2)
#define X86_MAP_ACCESSED (1u << 5)
#define X86_MAP_DIRTY    (1u << 6)
#define X86_MAP_GLOBAL   (1u << 8)
#define X86_MAP_NX       (1u << 31)

typedef void (*X86MappingFn)(void *opaque, uint64_t vaddr, uint64_t paddr, uint64_t size,
                             uint32_t flags);

/*
 * Calls fn for every present leaf mapping of the guest's page tables in
 * address order, visiting at most budget entries (a guest can build
 * tables that alias endlessly). Returns 0 when complete, 1 when the
 * budget ran out, -1 when paging is off.
 */
int x86_walk_mappings(X86CPUState *env, Bus *mem, X86MappingFn fn, void *opaque,
                      uint64_t budget);

#endif
