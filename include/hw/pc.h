/*
 * pc.h: the PC board (hw/pc/pc.c). It allocates RAM, fills the memory map
 * and the port space with the devices in a visible order, wires their IRQ
 * lines to the interrupt controllers, builds the firmware tables, and
 * loads what boots: a Linux bzImage (-kernel), a multiboot image (-kernel),
 * or firmware (-bios).
 */
#ifndef HW_PC_H
#define HW_PC_H

#include "system/machine.h"

/* Fixed addresses of the board (see docs/pc-board.md). */
#define PC_IOAPIC_BASE   0xfec00000ULL
#define PC_LAPIC_BASE    0xfee00000ULL
#define PC_ACPI_PM_BASE  0x600       /* PM1a event, control, PM timer */
#define PC_BIOS_AREA     0xe0000ULL  /* 128 KiB of ROM: firmware tables, or -bios */

/*
 * Builds the machine described by m->cfg into m: RAM, buses, CPU,
 * devices, tables and the boot payload. 0, or -1 with errp set (a
 * missing or corrupt kernel, initrd or firmware; a bad -device).
 */
int pc_board_init(Machine *m, GError **errp) VIREO_WUR;

/* System reset: every device and the CPU back to power-on, boot state
 * reloaded (the kernel entry state, or the reset vector). BQL held. */
void pc_board_reset(Machine *m);

/* Frees the board's devices (after the vCPU thread has ended). */
void pc_board_cleanup(Machine *m);

/*
 * Writes the ACPI tables (RSDP, RSDT, XSDT, FADT, FACS, MADT, DSDT) and
 * the MP tables into area, host memory of area_len (>= 0x10400) bytes
 * that the guest sees at area_base (the BIOS area). Returns the RSDP's
 * guest-physical address. See docs/pc-board.md for the layout.
 */
uint64_t pc_firmware_tables_build(uint8_t *area, uint64_t area_base, size_t area_len);

/* The byte that makes len bytes at p sum to zero (ACPI and MP checksums). */
uint8_t pc_table_checksum(const uint8_t *p, size_t len);

#endif
