/*
 * mc146818.h: the PC's real-time clock and CMOS RAM, a Motorola MC146818A
 * (hw/rtc/mc146818.c): index port 0x70 (bit 7 masks NMI), data port 0x71,
 * 128 bytes of which the first 14 are the clock and its control
 * registers, with the PC's century byte at 0x32. Its interrupt output is
 * ISA IRQ 8. The board fills the configuration bytes (memory sizes, boot
 * order) through mc146818_set_cmos.
 */
#ifndef HW_MC146818_H
#define HW_MC146818_H

#include "vireo/common.h"
#include "hw/bus.h"
#include "hw/irq.h"

#define MC146818_CMOS_SIZE 128
#define MC146818_CENTURY   0x32     /* IBM PC convention; the FADT points here */

typedef struct MC146818 MC146818;

/*
 * Creates the RTC on io (ports 0x70-0x71) with its interrupt on irq8 (may
 * be NULL), the clock set to the host's current UTC time. Returns the
 * device, or NULL with errp set (ports taken).
 */
MC146818 *mc146818_new(Bus *io, IrqLine *irq8, GError **errp);

/*
 * The RESET pin: clears the interrupt enables and flags (PIE, AIE, UIE,
 * SQWE, register C) and lowers IRQ 8; time and RAM are kept.
 */
void mc146818_reset(MC146818 *rtc);

/* Removes the ports, stops the timers and frees the device (NULL ignored). */
void mc146818_free(MC146818 *rtc);

/*
 * CMOS byte index (0..127) as the guest would see it through port 0x71,
 * for the board's configuration bytes; out-of-range indices are ignored
 * (set) or read as 0xff (get). Reads here have no side effects on
 * register C.
 */
void mc146818_set_cmos(MC146818 *rtc, int index, uint8_t val);
uint8_t mc146818_get_cmos(MC146818 *rtc, int index);

/* True while the guest has set bit 7 of port 0x70 (NMI disabled). */
bool mc146818_nmi_masked(MC146818 *rtc);

#endif
