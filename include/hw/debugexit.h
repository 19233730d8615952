/*
 * debugexit.h: QEMU's isa-debug-exit device (hw/misc/debugexit.c): a
 * write of value V to its port ends vireo with exit status (V << 1) | 1,
 * so test guests can report a result. QEMU's defaults are iobase=0x501,
 * iosize=2.
 */
#ifndef HW_DEBUGEXIT_H
#define HW_DEBUGEXIT_H

#include "vireo/common.h"
#include "hw/bus.h"

#define ISA_DEBUG_EXIT_DEFAULT_IOBASE 0x501
#define ISA_DEBUG_EXIT_DEFAULT_IOSIZE 2

typedef struct IsaDebugExit IsaDebugExit;

/*
 * Claims iosize (1, 2 or 4) ports at iobase. Returns the device, or NULL
 * with errp set (bad size, range past 0xFFFF, ports taken).
 */
IsaDebugExit *isa_debug_exit_new(Bus *io, uint16_t iobase, uint16_t iosize, GError **errp);

/* Nothing to reset; present for symmetry with the other devices. */
void isa_debug_exit_reset(IsaDebugExit *d);

/* Removes the ports and frees the device (NULL ignored). */
void isa_debug_exit_free(IsaDebugExit *d);

#endif
