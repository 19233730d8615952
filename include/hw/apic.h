/*
 * apic.h: the local APIC of the (single) x86 vCPU, emulated in user space
 * for both accelerators (see docs/interrupts.md). It sits between the
 * interrupt sources (the IOAPIC, the i8259 on LINT0, its own timer and
 * IPIs) and the CPU: it owns the CPU's CPU_INTERRUPT_HARD bit, raising it
 * while a vector is deliverable and clearing it when none is, and the CPU's
 * acknowledge cycle (X86CPU.int_ack = apic_int_ack) picks the vector.
 *
 * Register layout and behaviour: SDM Vol.3 ch.10 ("Advanced Programmable
 * Interrupt Controller"). xAPIC mode only; x2APIC is not advertised.
 * All functions are called with the BQL held.
 */
#ifndef HW_APIC_H
#define HW_APIC_H

#include "vireo/common.h"
#include "hw/bus.h"
#include "hw/irq.h"
#include "target-x86/cpu.h"

typedef struct APIC APIC;

/* Default physical base of the APIC page and its size (SDM Vol.3 10.4.1). */
#define APIC_DEFAULT_BASE   0xfee00000ULL
#define APIC_MMIO_SIZE      0x1000

/* IA32_APIC_BASE MSR (0x1b) bits (SDM Vol.3 10.4.4). */
#define APIC_MSR_BSP        (1ULL << 8)
#define APIC_MSR_X2APIC     (1ULL << 10)   /* not supported: ignored */
#define APIC_MSR_ENABLE     (1ULL << 11)
#define APIC_MSR_BASE_MASK  0x000ffffffffff000ULL

/* Version register: version 0x14, 6 LVT entries (max LVT index 5). */
#define APIC_VERSION        0x00050014u

/* Timer input (bus) clock and the assumed guest TSC rate, in Hz. */
#define APIC_BUS_HZ         1000000000LL
#define APIC_TSC_HZ         1000000000LL
/* Shortest periodic timer period honoured, so a guest cannot flood the main loop. */
#define APIC_TIMER_MIN_PERIOD_NS 100000

/* Delivery modes, as in the ICR, LVT and IOAPIC entries (SDM Vol.3 10.6.1). */
#define APIC_DM_FIXED       0
#define APIC_DM_LOWEST      1
#define APIC_DM_SMI         2
#define APIC_DM_NMI         4
#define APIC_DM_INIT        5
#define APIC_DM_STARTUP     6
#define APIC_DM_EXTINT      7

/* LINT inputs for apic_lint(). */
#define APIC_LINT0          0
#define APIC_LINT1          1

/*
 * Creates the local APIC of cpu, maps its page at the base held in
 * IA32_APIC_BASE (power-on: 0xfee00000, enabled) on mem, sets cpu->apic,
 * and leaves it in the power-on state. The APIC, or NULL with errp set
 * (the page overlaps another region).
 */
APIC *apic_new(Bus *mem, X86CPU *cpu, GError **errp);

/* Back to the power-on state (SDM Vol.3 10.4.7.1), page at 0xfee00000. */
void apic_reset(APIC *apic);

/* Unmaps and frees; NULL is a no-op. Free the IOAPIC first. */
void apic_free(APIC *apic);

/*
 * WRMSR IA32_APIC_BASE: moves the page (base bits), disables the APIC
 * (bit 11 clear: the page is unmapped and the state reset; LINT0/LINT1
 * then act as the CPU's INTR/NMI pins) or re-enables it. The CPU checks
 * reserved bits and raises #GP itself. Also mirrors the value into
 * cpu->env.apic_base.
 */
void apic_set_base(APIC *apic, uint64_t val);
/* RDMSR IA32_APIC_BASE. */
uint64_t apic_get_base(APIC *apic);

/* MOV to CR8: TPR[7:4] = tpr4bits (SDM Vol.3 10.8.6.1). */
void apic_set_tpr(APIC *apic, uint8_t tpr4bits);
/* MOV from CR8: TPR[7:4]. */
uint8_t apic_get_tpr(APIC *apic);

/*
 * WRMSR IA32_TSC_DEADLINE (0x6e0): arms (nonzero) or disarms (0) the timer
 * when the LVT timer is in TSC-deadline mode; ignored in other modes (SDM
 * Vol.3 10.5.4.1). The guest TSC is taken as APIC_TSC_HZ of virtual clock.
 */
void apic_set_tsc_deadline(APIC *apic, uint64_t tsc);
/* RDMSR IA32_TSC_DEADLINE: the armed deadline, or 0 (also in other modes). */
uint64_t apic_get_tsc_deadline(APIC *apic);

/*
 * The acknowledge cycle for APIC vectors: moves the highest deliverable
 * IRR vector to the ISR and returns it; returns the spurious vector when
 * something is pending but masked by the processor priority; -1 when
 * nothing is pending.
 */
int apic_get_interrupt(APIC *apic);

/*
 * X86CPU.int_ack for a board with this APIC (opaque = APIC *): an APIC
 * vector (via apic_get_interrupt), or the i8259's vector when it reaches
 * the CPU through LINT0 in ExtINT mode or through the virtual-wire bypass
 * (APIC disabled), or -1 if nothing is pending any more.
 */
int apic_int_ack(void *opaque);

/*
 * Connects the i8259 as the ExtINT source: ack runs its INTA cycle and
 * returns a vector (or -1); pending says whether its INTR output is
 * asserted (NULL: the level on LINT0 is used). opaque is passed to both.
 */
void apic_set_extint_source(APIC *apic, int (*ack)(void *opaque),
                            bool (*pending)(void *opaque), void *opaque);

/*
 * The LINT0 (n = 0) or LINT1 (n = 1) input pin; the board drives LINT0
 * with the i8259's INTR output. The line belongs to the APIC. NULL for
 * other n.
 */
IrqLine *apic_lint(APIC *apic, int n);

/* Calls fn(opaque, vector) on an EOI of a level-triggered vector (TMR set). */
void apic_set_eoi_broadcast(APIC *apic, void (*fn)(void *opaque, int vector),
                            void *opaque);

/*
 * An interrupt message for this APIC (from the IOAPIC, MSI later):
 * fixed/lowest vectors go to the IRR (TMR = level_triggered); NMI, INIT,
 * SMI and ExtINT go straight to the CPU. Vectors 0-15 in fixed mode are
 * refused with a "received illegal vector" error. The caller has already
 * matched the destination (apic_match_destination).
 */
void apic_deliver(APIC *apic, int vector, int delivery_mode, bool level_triggered);

/*
 * True when an interrupt message with destination dest (physical APIC ID,
 * or a logical MDA when logical) selects this APIC (SDM Vol.3 10.6.2).
 */
bool apic_match_destination(APIC *apic, uint8_t dest, bool logical);

/* Vector of the last STARTUP IPI (with CPU_INTERRUPT_SIPI), or -1. */
int apic_get_sipi_vector(APIC *apic);

/* Appends the register state in the "info lapic" format to out. */
void apic_dump(APIC *apic, GString *out);

#endif
