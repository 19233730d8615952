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

#endif
