/*
 * acpi-build.c: the firmware tables the board puts in its BIOS area
 * (0xE0000-0xFFFFF) when it boots a kernel directly: ACPI (RSDP, RSDT,
 * XSDT, FADT, FACS, MADT and a small hand-written DSDT) and, as a
 * fallback for kernels without ACPI, an Intel MultiProcessor table
 * (floating pointer + configuration table). They describe exactly what
 * pc.c wires: the local APIC, the IOAPIC at 0xFEC00000 with ISA IRQ0 on
 * pin 2, the 8259 pair, and the ACPI PM block (hw/acpi-pm.h) whose SCI is
 * ISA IRQ 9, level triggered, active high.
 *
 * References: ACPI 6.4 sections 5.2 (tables) and 20 (AML); Intel
 * MultiProcessor Specification 1.4 chapter 4.
 */
#include "vireo/common.h"
#include "hw/pc.h"
#include "pc-internal.h"

/* Offsets of the tables inside the BIOS area (see docs/pc-board.md). */
#define OFF_RSDP   0x000
#define OFF_FACS   0x040      /* 64-byte aligned (ACPI 5.2.10) */
#define OFF_RSDT   0x080
#define OFF_XSDT   0x100
#define OFF_FADT   0x180
#define OFF_MADT   0x280
#define OFF_DSDT   0x380
#define OFF_MPFP   0x10000    /* 0xF0000: where Linux scans for "_MP_" */
#define OFF_MPCT   0x10010
#define TABLES_END 0x10400

#define FADT_LEN   244        /* FADT revision 3 */
#define SCI_IRQ    9

static void put8(uint8_t *p, uint8_t v) { p[0] = v; }
static void put16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }
static void put64(uint8_t *p, uint64_t v) { put32(p, v); put32(p + 4, v >> 32); }

uint8_t pc_table_checksum(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;

    for (size_t i = 0; i < len; i++) {
        sum += p[i];
    }
    return (uint8_t)-sum;
}

/* The 36-byte description header (ACPI 5.2.6); the checksum is set last. */
static void acpi_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
    memcpy(t, sig, 4);
    put32(t + 4, len);
    put8(t + 8, rev);
    memcpy(t + 10, "VIREO ", 6);
    memcpy(t + 16, "VIREOPC ", 8);
    put32(t + 24, 1);
    memcpy(t + 28, "VIRO", 4);
    put32(t + 32, 1);
}

static void acpi_finish(uint8_t *t)
{
    uint32_t len = t[4] | t[5] << 8 | t[6] << 16 | (uint32_t)t[7] << 24;

    t[9] = 0;
    t[9] = pc_table_checksum(t, len);
}

/* A Generic Address Structure (ACPI 5.2.3.2) for an I/O port block. */
static void acpi_gas_io(uint8_t *g, uint16_t port, uint8_t bytes)
{
    put8(g, 1);               /* address space: system I/O */
    put8(g + 1, bytes * 8);   /* register bit width */
    put8(g + 2, 0);           /* bit offset */
    put8(g + 3, bytes == 1 ? 1 : 0);  /* access size: byte for RESET_REG, else legacy */
    put64(g + 4, port);
}

/*
 * The DSDT body in AML (ACPI 20.2). Only \_S5 is needed: Linux reads its
 * SLP_TYPa/SLP_TYPb values and writes them with SLP_EN to PM1a_CNT to
 * power off (ACPI 7.4.2, 16.1.3). Returns the number of AML bytes.
 */
static size_t dsdt_aml(uint8_t *aml)
{
    size_t n = 0;

    /* DefName: NameOp (0x08), then the NameSeg "_S5_" (4 characters,
     * padded with '_', ACPI 20.2.2). */
    aml[n++] = 0x08;
    memcpy(aml + n, "_S5_", 4);
    n += 4;
    /* DefPackage: PackageOp (0x12), PkgLength (one byte, bits 0-5, as the
     * package is under 64 bytes; it counts itself, NumElements and the
     * elements: 1 + 1 + 2 + 2 + 1 + 1 = 8), NumElements = 4. */
    aml[n++] = 0x12;
    aml[n++] = 0x08;
    aml[n++] = 0x04;
    /* SLP_TYPa and SLP_TYPb: BytePrefix (0x0A) + the PM1_CNT.SLP_TYP value
     * the ACPI PM device treats as S5 (ACPI_PM_SLP_TYP_S5). */
    aml[n++] = 0x0a;
    aml[n++] = ACPI_PM_SLP_TYP_S5;
    aml[n++] = 0x0a;
    aml[n++] = ACPI_PM_SLP_TYP_S5;
    /* Two reserved elements: ZeroOp (0x00) each. */
    aml[n++] = 0x00;
    aml[n++] = 0x00;
    return n;
}

static void build_dsdt(uint8_t *t)
{
    size_t len = 36 + dsdt_aml(t + 36);

    acpi_header(t, "DSDT", len, 2);   /* revision 2: 64-bit AML integers */
    acpi_finish(t);
}

static void build_facs(uint8_t *t)
{
    memcpy(t, "FACS", 4);
    put32(t + 4, 64);         /* length; the FACS has no checksum */
    put8(t + 32, 2);          /* version */
}

/* FADT revision 3 (ACPI 5.2.9, Table 5.9): fixed hardware at PC_ACPI_PM_BASE. */
static void build_fadt(uint8_t *t, uint32_t area_base)
{
    const uint16_t pm = PC_ACPI_PM_BASE;
    uint32_t flags = (1u << 0)    /* WBINVD works */
                   | (1u << 2)    /* PROC_C1: HLT */
                   | (1u << 5)    /* SLP_BUTTON: no fixed-feature sleep button */
                   | (1u << 6)    /* FIX_RTC: no RTC_STS/RTC_EN in PM1 */
                   | (1u << 10);  /* RESET_REG_SUP */

    if (ACPI_PM_TMR_32BIT) {
        flags |= 1u << 8;         /* TMR_VAL_EXT: 32-bit PM timer */
    }
    acpi_header(t, "FACP", FADT_LEN, 3);
    put32(t + 36, area_base + OFF_FACS);   /* FIRMWARE_CTRL */
    put32(t + 40, area_base + OFF_DSDT);   /* DSDT */
    put8(t + 45, 0);                       /* preferred PM profile: unspecified */
    put16(t + 46, SCI_IRQ);                /* SCI_INT */
    put32(t + 48, 0);                      /* SMI_CMD: none, always in ACPI mode */
    put32(t + 56, pm + ACPI_PM1_EVT_OFFSET);
    put32(t + 64, pm + ACPI_PM1_CNT_OFFSET);
    put32(t + 76, pm + ACPI_PM_TMR_OFFSET);
    put32(t + 80, pm + ACPI_GPE0_OFFSET);
    put8(t + 88, ACPI_PM1_EVT_LEN);
    put8(t + 89, ACPI_PM1_CNT_LEN);
    put8(t + 91, ACPI_PM_TMR_LEN);
    put8(t + 92, ACPI_GPE0_LEN);
    put16(t + 96, 101);                    /* P_LVL2_LAT > 100: no C2 */
    put16(t + 98, 1001);                   /* P_LVL3_LAT > 1000: no C3 */
    put8(t + 108, 0x32);                   /* CENTURY: CMOS index of the century */
    put16(t + 109, 0x0003);                /* IAPC_BOOT_ARCH: legacy devices, 8042 */
    put32(t + 112, flags);
    acpi_gas_io(t + 116, 0xcf9, 1);        /* RESET_REG: the reset control register */
    put8(t + 128, 0x06);                   /* RESET_VALUE: reset CPU + system reset */
    put64(t + 132, 0);                     /* X_FIRMWARE_CTRL: 0 as FIRMWARE_CTRL is set */
    put64(t + 140, area_base + OFF_DSDT);  /* X_DSDT */
    acpi_gas_io(t + 148, pm + ACPI_PM1_EVT_OFFSET, ACPI_PM1_EVT_LEN);
    acpi_gas_io(t + 172, pm + ACPI_PM1_CNT_OFFSET, ACPI_PM1_CNT_LEN);
    acpi_gas_io(t + 208, pm + ACPI_PM_TMR_OFFSET, ACPI_PM_TMR_LEN);
    acpi_gas_io(t + 220, pm + ACPI_GPE0_OFFSET, ACPI_GPE0_LEN);
    acpi_finish(t);
}

/* MADT (ACPI 5.2.12): one local APIC, the IOAPIC, two overrides, LINT1 NMI. */
static void build_madt(uint8_t *t)
{
    uint8_t *e = t + 44;

    acpi_header(t, "APIC", 0, 3);
    put32(t + 36, PC_LAPIC_BASE);
    put32(t + 40, 1);                      /* PCAT_COMPAT: an 8259 pair is present */
    /* Processor Local APIC: UID 0, APIC ID 0, enabled. */
    put8(e, 0); put8(e + 1, 8); put8(e + 2, 0); put8(e + 3, 0); put32(e + 4, 1);
    e += 8;
    /* I/O APIC: ID 0 (its reset value), address, GSI base 0. */
    put8(e, 1); put8(e + 1, 12); put8(e + 2, 0); put8(e + 3, 0);
    put32(e + 4, PC_IOAPIC_BASE); put32(e + 8, 0);
    e += 12;
    /* Interrupt Source Override: ISA IRQ 0 (PIT) -> GSI 2, bus defaults. */
    put8(e, 2); put8(e + 1, 10); put8(e + 2, 0); put8(e + 3, 0); put32(e + 4, 2); put16(e + 8, 0);
    e += 10;
    /* Interrupt Source Override: ISA IRQ 9 (SCI) -> GSI 9, active high
     * (polarity 01), level triggered (trigger mode 11): flags 0x000D. */
    put8(e, 2); put8(e + 1, 10); put8(e + 2, 0); put8(e + 3, SCI_IRQ);
    put32(e + 4, SCI_IRQ); put16(e + 8, 0x000d);
    e += 10;
    /* Local APIC NMI: all processors (UID 0xFF), LINT1. */
    put8(e, 4); put8(e + 1, 6); put8(e + 2, 0xff); put16(e + 3, 0); put8(e + 5, 1);
    e += 6;
    put32(t + 4, e - t);
    acpi_finish(t);
}

/* RSDT, XSDT and the ACPI 2.0 RSDP (ACPI 5.2.5, 5.2.7, 5.2.8). */
static void build_roots(uint8_t *area, uint32_t base)
{
    uint8_t *rsdt = area + OFF_RSDT, *xsdt = area + OFF_XSDT, *rsdp = area + OFF_RSDP;

    acpi_header(rsdt, "RSDT", 36 + 2 * 4, 1);
    put32(rsdt + 36, base + OFF_FADT);
    put32(rsdt + 40, base + OFF_MADT);
    acpi_finish(rsdt);
    acpi_header(xsdt, "XSDT", 36 + 2 * 8, 1);
    put64(xsdt + 36, base + OFF_FADT);
    put64(xsdt + 44, base + OFF_MADT);
    acpi_finish(xsdt);

    memcpy(rsdp, "RSD PTR ", 8);
    memcpy(rsdp + 9, "VIREO ", 6);
    put8(rsdp + 15, 2);                    /* revision 2: ACPI 2.0+ with XSDT */
    put32(rsdp + 16, base + OFF_RSDT);
    put32(rsdp + 20, 36);
    put64(rsdp + 24, base + OFF_XSDT);
    rsdp[8] = pc_table_checksum(rsdp, 20);   /* the ACPI 1.0 part */
    rsdp[32] = pc_table_checksum(rsdp, 36);  /* the whole structure */
}

/* One MP I/O interrupt assignment entry (MP spec 4.3.4). */
static uint8_t *mp_ioint(uint8_t *e, uint8_t type, uint16_t flags, uint8_t irq, uint8_t pin)
{
    put8(e, 3); put8(e + 1, type); put16(e + 2, flags);
    put8(e + 4, 0); put8(e + 5, irq); put8(e + 6, 0); put8(e + 7, pin);
    return e + 8;
}

/* MP floating pointer + configuration table (MP spec 1.4, 4.1 and 4.2). */
static void build_mptable(uint8_t *area, uint32_t base)
{
    uint8_t *fp = area + OFF_MPFP, *ct = area + OFF_MPCT, *e = ct + 44;
    int count = 0;

    /* Processor (4.3.1): APIC ID 0, version 0x14, enabled + BSP, a
     * family-6 signature, features FPU and APIC. */
    put8(e, 0); put8(e + 1, 0); put8(e + 2, 0x14); put8(e + 3, 0x03);
    put32(e + 4, 0x600); put32(e + 8, (1u << 0) | (1u << 9));
    e += 20, count++;
    /* Bus (4.3.2): bus 0 is ISA. */
    put8(e, 1); put8(e + 1, 0); memcpy(e + 2, "ISA   ", 6);
    e += 8, count++;
    /* I/O APIC (4.3.3): ID 0, version 0x11, enabled. */
    put8(e, 2); put8(e + 1, 0); put8(e + 2, 0x11); put8(e + 3, 1); put32(e + 4, PC_IOAPIC_BASE);
    e += 8, count++;
    /* I/O interrupts: the 8259 as ExtINT on pin 0, ISA IRQs on their pins
     * (IRQ0 on pin 2, no IRQ2), IRQ9 level/active high (flags 0x0D). */
    e = mp_ioint(e, 3, 0, 0, 0), count++;
    for (int irq = 0; irq < 16; irq++) {
        if (irq != 2) {
            e = mp_ioint(e, 0, irq == SCI_IRQ ? 0x0d : 0, irq, irq == 0 ? 2 : irq), count++;
        }
    }
    /* Local interrupts (4.3.5): ExtINT on LINT0, NMI on LINT1, all APICs. */
    put8(e, 4); put8(e + 1, 3); put16(e + 2, 0); put8(e + 4, 0); put8(e + 5, 0);
    put8(e + 6, 0xff); put8(e + 7, 0);
    e += 8, count++;
    put8(e, 4); put8(e + 1, 1); put16(e + 2, 0); put8(e + 4, 0); put8(e + 5, 0);
    put8(e + 6, 0xff); put8(e + 7, 1);
    e += 8, count++;

    memcpy(ct, "PCMP", 4);
    put16(ct + 4, e - ct);
    put8(ct + 6, 4);                       /* spec revision 1.4 */
    memcpy(ct + 8, "VIREO   ", 8);
    memcpy(ct + 16, "VIREO PC    ", 12);
    put16(ct + 34, count);
    put32(ct + 36, PC_LAPIC_BASE);
    ct[7] = pc_table_checksum(ct, e - ct);

    memcpy(fp, "_MP_", 4);
    put32(fp + 4, base + OFF_MPCT);
    put8(fp + 8, 1);                       /* length in 16-byte units */
    put8(fp + 9, 4);                       /* spec revision 1.4 */
    fp[10] = pc_table_checksum(fp, 16);    /* feature bytes 0: table present */
}

uint64_t pc_firmware_tables_build(uint8_t *area, uint64_t area_base, size_t area_len)
{
    g_assert(area_len >= TABLES_END && area_base + area_len <= 4 * GiB);
    memset(area, 0, TABLES_END);
    build_facs(area + OFF_FACS);
    build_dsdt(area + OFF_DSDT);
    build_fadt(area + OFF_FADT, area_base);
    build_madt(area + OFF_MADT);
    build_roots(area, area_base);
    build_mptable(area, area_base);
    return area_base + OFF_RSDP;
}
