/*
 * pc-internal.h: what the files of the PC board (hw/pc/) share and the
 * board's unit test may look at: the device headers and the PCBoard
 * structure that pc.c fills in.
 */
#ifndef HW_PC_INTERNAL_H
#define HW_PC_INTERNAL_H

#include "vireo/common.h"
#include "hw/pc.h"
#include "hw/loader.h"
#include "system/chardev.h"

#include "hw/serial16550.h"
#include "hw/i8259.h"
#include "hw/i8254.h"
#include "hw/mc146818.h"
#include "hw/port92.h"
#include "hw/port80.h"
#include "hw/debugexit.h"
#include "hw/resetcontrol.h"
#include "hw/i8042.h"
#include "hw/apic.h"
#include "hw/ioapic.h"
#include "hw/acpi-pm.h"
#include "hw/vga.h"

#define PC_BIOS_AREA_SIZE 0x20000    /* 0xE0000-0xFFFFF */
#define PC_ISA_IRQS 16
#define PC_MAX_DEBUG_EXITS 4

typedef enum PCBootKind {
    PC_BOOT_FIRMWARE,   /* -bios, or Debian's SeaBIOS */
    PC_BOOT_LINUX,
    PC_BOOT_MULTIBOOT,
} PCBootKind;

/* The x87 error logic: CPU FERR# -> IRQ13, port 0xF0 -> IGNNE# (ferr.c). */
typedef struct PCFerr PCFerr;
struct X86CPU;
/* Claims port 0xF0 and wires cpu's FERR# to irq13; NULL with errp set. */
PCFerr *pc_ferr_new(Bus *io, struct X86CPU *cpu, IrqLine *irq13, GError **errp);
/* Power-on state: FERR#, IRQ13 and IGNNE# low. */
void pc_ferr_reset(PCFerr *f);
/* Releases the port and unwires the CPU; f may be NULL. */
void pc_ferr_free(PCFerr *f);

typedef struct PCBoard {
    BootMem bm;                 /* RAM map and e820, shared with the loaders */
    uint8_t *bios_area;         /* 128 KiB host memory at 0xE0000 */
    uint8_t *bios_high;         /* -bios: the image at the top of 4 GiB */
    uint8_t *bios_image;        /* -bios: the file, copied again at reset */
    size_t bios_len;
    PCBootKind boot;
    LinuxImage *linux_image;
    MultibootImage *multiboot;

    APIC *apic;
    IOAPIC *ioapic;
    I8259 *pic;
    IrqLine *isa_irq[PC_ISA_IRQS]; /* each drives the 8259 input and its IOAPIC pin */
    I8254 *pit;
    MC146818 *rtc;
    Chardev *com1_chr;
    Serial16550 *com1;
    I8042 *kbc;
    Port92 *port92;
    PostPort *port80;
    ResetControl *reset_control;
    AcpiPM *acpi_pm;
    PCFerr *ferr;
    IsaDebugExit *debug_exit[PC_MAX_DEBUG_EXITS];
    int n_debug_exits;
    VGAState *vga;
    bool a20_kbc, a20_port92;   /* the two A20 gates, OR-ed */
} PCBoard;

/* The board's monitor commands, info items and host input (pc-monitor.c). */
void pc_monitor_init(Machine *m, PCBoard *b);
void pc_monitor_cleanup(Machine *m);

#endif
