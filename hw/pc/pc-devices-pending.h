/*
 * pc-devices-pending.h: TEMPORARY. The device constructors the board
 * calls, for the devices whose branches are not merged yet. Each block
 * includes the real header when it exists and otherwise declares the
 * agreed interface. Delete this file once every device header is in
 * include/hw/ (pc.c then includes the real headers directly).
 */
#ifndef HW_PC_DEVICES_PENDING_H
#define HW_PC_DEVICES_PENDING_H

#include "vireo/common.h"
#include "hw/bus.h"
#include "hw/irq.h"
#include "system/chardev.h"
#include "target-x86/cpu.h"

#if __has_include("hw/serial16550.h")
#include "hw/serial16550.h"
#else
typedef struct Serial16550 Serial16550;
Serial16550 *serial16550_new(Bus *io, uint16_t base, IrqLine *irq, Chardev *chr, GError **errp);
void serial16550_reset(Serial16550 *s);
void serial16550_free(Serial16550 *s);
#endif

#if __has_include("hw/i8259.h")
#include "hw/i8259.h"
#else
typedef struct I8259 I8259;
I8259 *i8259_new(Bus *io, IrqLine *intr_out, GError **errp);
void i8259_reset(I8259 *pic);
void i8259_free(I8259 *pic);
IrqLine *i8259_input(I8259 *pic, int n);
int i8259_ack(I8259 *pic);
bool i8259_pending(I8259 *pic);
#endif

#if __has_include("hw/i8254.h")
#include "hw/i8254.h"
#else
typedef struct I8254 I8254;
I8254 *i8254_new(Bus *io, IrqLine *irq0, GError **errp);
void i8254_reset(I8254 *pit);
void i8254_free(I8254 *pit);
#endif

#if __has_include("hw/mc146818.h")
#include "hw/mc146818.h"
#else
typedef struct MC146818 MC146818;
MC146818 *mc146818_new(Bus *io, IrqLine *irq8, GError **errp);
void mc146818_set_cmos(MC146818 *rtc, int index, uint8_t val);
void mc146818_reset(MC146818 *rtc);
void mc146818_free(MC146818 *rtc);
#endif

#if __has_include("hw/port92.h")
#include "hw/port92.h"
#else
typedef struct Port92 Port92;
Port92 *port92_new(Bus *io, void (*set_a20)(void *opaque, bool enabled), void *opaque,
                   GError **errp);
void port92_reset(Port92 *p);
void port92_free(Port92 *p);
#endif

#if __has_include("hw/port80.h")
#include "hw/port80.h"
#else
typedef struct PostPort PostPort;
PostPort *port80_new(Bus *io, GError **errp);
void port80_reset(PostPort *p);
void port80_free(PostPort *p);
#endif

#if __has_include("hw/debugexit.h")
#include "hw/debugexit.h"
#else
typedef struct IsaDebugExit IsaDebugExit;
IsaDebugExit *isa_debug_exit_new(Bus *io, uint16_t iobase, uint16_t iosize, GError **errp);
void isa_debug_exit_reset(IsaDebugExit *d);
void isa_debug_exit_free(IsaDebugExit *d);
#endif

#if __has_include("hw/resetcontrol.h")
#include "hw/resetcontrol.h"
#else
typedef struct ResetControl ResetControl;
ResetControl *resetcontrol_new(Bus *io, GError **errp);
void resetcontrol_reset(ResetControl *rc);
void resetcontrol_free(ResetControl *rc);
#endif

#if __has_include("hw/i8042.h")
#include "hw/i8042.h"
#else
typedef struct I8042 I8042;
I8042 *i8042_new(Bus *io, IrqLine *kbd_irq, IrqLine *aux_irq,
                 void (*set_a20)(void *opaque, bool enabled), void *opaque, GError **errp);
void i8042_reset(I8042 *kbc);
void i8042_free(I8042 *kbc);
#endif

#if __has_include("hw/apic.h")
#include "hw/apic.h"
#else
typedef struct APIC APIC;
APIC *apic_new(Bus *mem, X86CPU *cpu, GError **errp);
void apic_reset(APIC *apic);
void apic_free(APIC *apic);
IrqLine *apic_lint(APIC *apic, int n);
void apic_set_extint_source(APIC *apic, int (*ack)(void *opaque),
                            bool (*pending)(void *opaque), void *opaque);
int apic_int_ack(void *opaque);
void apic_set_eoi_broadcast(APIC *apic, void (*fn)(void *opaque, int vector), void *opaque);
#endif

#if __has_include("hw/ioapic.h")
#include "hw/ioapic.h"
#else
typedef struct IOAPIC IOAPIC;
IOAPIC *ioapic_new(Bus *mem, uint64_t base, APIC *apic, GError **errp);
void ioapic_reset(IOAPIC *s);
void ioapic_free(IOAPIC *s);
IrqLine *ioapic_input(IOAPIC *s, int n);
void ioapic_eoi(IOAPIC *s, int vector);
#endif

#if __has_include("hw/acpi-pm.h")
#include "hw/acpi-pm.h"
#else
typedef struct AcpiPM AcpiPM;
#define ACPI_PM1_EVT_OFFSET 0x00
#define ACPI_PM1_EVT_LEN    4
#define ACPI_PM1_CNT_OFFSET 0x04
#define ACPI_PM1_CNT_LEN    2
#define ACPI_PM_TMR_OFFSET  0x08
#define ACPI_PM_TMR_LEN     4
#define ACPI_GPE0_OFFSET    0x0c
#define ACPI_GPE0_LEN       4
#define ACPI_PM_TMR_32BIT   1
#define ACPI_PM_SLP_TYP_S5  0
AcpiPM *acpi_pm_new(Bus *io, uint16_t base, IrqLine *sci, GError **errp);
void acpi_pm_reset(AcpiPM *pm);
void acpi_pm_free(AcpiPM *pm);
#endif

#endif
