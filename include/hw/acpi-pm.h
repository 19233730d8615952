/*
 * acpi-pm.h: the ACPI fixed-hardware power-management registers of the PC
 * board, laid out as in the PIIX4 power-management I/O space: PM1a event
 * block (status, enable), PM1a control block (SCI_EN, SLP_TYP, SLP_EN),
 * the 3.579545 MHz PM timer and a GPE0 block. The board maps it at
 * PC_ACPI_PM_BASE, points its FADT at the offsets below and connects the
 * SCI to ISA IRQ 9. All functions are called with the BQL held.
 *
 * References: ACPI 6.5 sections 4.8.2-4.8.3 (PM1 event/control, PM timer),
 * 5.2.9 (FADT), 7.4.2 (\_Sx objects); Intel PIIX4 datasheet, PMCNTRL.
 */
#ifndef HW_ACPI_PM_H
#define HW_ACPI_PM_H

#include "vireo/common.h"
#include "hw/bus.h"
#include "hw/irq.h"

typedef struct AcpiPM AcpiPM;

/* Offsets from base and lengths, for the FADT's *_BLK and *_LEN fields. */
#define ACPI_PM1_EVT_OFFSET   0x00
#define ACPI_PM1_EVT_LEN      4        /* PM1_STS (2 bytes) then PM1_EN (2 bytes) */
#define ACPI_PM1_CNT_OFFSET   0x04
#define ACPI_PM1_CNT_LEN      2
#define ACPI_PM_TMR_OFFSET    0x08
#define ACPI_PM_TMR_LEN       4
#define ACPI_GPE0_OFFSET      0x0c
#define ACPI_GPE0_LEN         4        /* GPE0_STS (2 bytes) then GPE0_EN (2 bytes) */
#define ACPI_PM_IO_SIZE       0x10     /* ports claimed from base */

/*
 * The PM timer: frequency, and 32 bits wide, so the FADT sets TMR_VAL_EXT
 * (flags bit 8). The real PIIX4 timer has 24 bits; 32 bits make the
 * counter wrap every 20 minutes instead of every 4.7 seconds.
 */
#define ACPI_PM_TMR_HZ        3579545
#define ACPI_PM_TMR_32BIT     1

/*
 * SLP_TYP for S5 (soft off): the value of the DSDT's \_S5 package. 0 is
 * the PIIX4 encoding (PMCNTRL SUS_TYP 000b = soft off). Other sleep types
 * are not implemented: writing them with SLP_EN is logged and ignored, so
 * the DSDT must offer only \_S5.
 */
#define ACPI_PM_SLP_TYP_S5    0

/* PM1 status / enable bits (ACPI 6.5 Tables 4.16, 4.17). */
#define ACPI_PM1_TMR_STS      (1u << 0)
#define ACPI_PM1_PWRBTN_STS   (1u << 8)
#define ACPI_PM1_WAK_STS      (1u << 15)
#define ACPI_PM1_TMR_EN       (1u << 0)
#define ACPI_PM1_PWRBTN_EN    (1u << 8)
/* PM1 control bits (ACPI 6.5 Table 4.18). */
#define ACPI_PM1_SCI_EN       (1u << 0)
#define ACPI_PM1_SLP_TYP_SHIFT 10
#define ACPI_PM1_SLP_EN       (1u << 13)

/*
 * Creates the block at ports base..base+ACPI_PM_IO_SIZE-1 of io; sci is
 * the SCI line (level, active high; may be NULL). The system is always in
 * ACPI mode: SCI_EN reads 1 from reset and the FADT's SMI_CMD must be 0.
 * The device, or NULL with errp set (ports already taken).
 */
AcpiPM *acpi_pm_new(Bus *io, uint16_t base, IrqLine *sci, GError **errp);

/* Power-on state: status and enables clear, SCI_EN set, timer restarted at 0. */
void acpi_pm_reset(AcpiPM *pm);

/* Unmaps and frees; NULL is a no-op. */
void acpi_pm_free(AcpiPM *pm);

/* The power button was pressed: sets PWRBTN_STS, raises SCI if enabled. */
void acpi_pm_power_button(AcpiPM *pm);

/* Sets GPE0 status bit (0-15) for a future event source; raises SCI if enabled. */
void acpi_pm_gpe_raise(AcpiPM *pm, int bit);

/* The PM timer value a guest read would return now (32 bits). */
uint32_t acpi_pm_timer_read(AcpiPM *pm);

#endif
