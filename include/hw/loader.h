/*
 * loader.h: what boots on the PC board without firmware. The board
 * (hw/pc/pc.c) reads -kernel, asks each loader whether the image is its
 * kind (a Linux bzImage, hw/pc/linux-boot.c; a multiboot v1 kernel,
 * hw/pc/multiboot.c), and keeps the chosen loader's image in host memory
 * so that every reset copies it into guest RAM again and re-enters it.
 *
 * The loaders see guest RAM as a BootMem: the board's one host allocation
 * and its memory map (hw/pc/boot-mem.c), which is also the e820 table the
 * guest is told about, so the two can never disagree.
 */
#ifndef HW_LOADER_H
#define HW_LOADER_H

#include "vireo/common.h"
#include "target-x86/cpu.h"

/* e820 entry types (ACPI 6.4, 15 "System Address Map Interfaces"). */
#define E820_RAM      1
#define E820_RESERVED 2
#define E820_ACPI     3
#define E820_NVS      4

#define BOOT_E820_MAX 16

/* The "PCI hole": RAM above this address is moved above 4 GiB. */
#define PC_BELOW_4G_MAX 0xc0000000ULL
/* Conventional memory the OS may use; 0x9FC00-0xFFFFF is reserved
 * (extended BIOS data area, VGA window, option ROMs, BIOS). */
#define PC_LOW_RAM_END  0xa0000ULL
#define PC_EBDA_BASE    0x9fc00ULL
#define PC_HIGH_RAM_BASE 0x100000ULL

/* Where the loaders put their boot-time data in low RAM. */
#define BOOT_GDT_ADDR        0x1000  /* 4 descriptors: null, null, code 0x10, data 0x18 */
#define BOOT_STACK_TOP       0x7000  /* initial ESP (the protocols need none) */
#define BOOT_CODE32_SEL      0x10    /* the Linux protocol's __BOOT_CS */
#define BOOT_DATA32_SEL      0x18    /* the Linux protocol's __BOOT_DS */

typedef struct E820Entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} E820Entry;

/*
 * Guest RAM and its map. Guest-physical [0, below_4g) is host ram[0...);
 * guest-physical [4 GiB, 4 GiB + ram_size - below_4g) is host
 * ram[below_4g...). The window 0xA0000-0xFFFFF of the allocation is never
 * mapped (the VGA window and the BIOS area sit there).
 */
typedef struct BootMem {
    uint8_t *ram;
    uint64_t ram_size;
    uint64_t below_4g;
    E820Entry e820[BOOT_E820_MAX];
    int e820_count;
    uint64_t rsdp_addr;   /* ACPI RSDP for the guest, 0 when there is none */
} BootMem;

/* Fills bm for ram (ram_size bytes) with the board's map (docs/pc-board.md). */
void boot_mem_init(BootMem *bm, uint8_t *ram, uint64_t ram_size);

/* Host pointer to guest-physical [addr, addr+len) if it lies wholly in
 * one piece of RAM (low, below-4G or above-4G), else NULL. */
void *boot_mem_ptr(const BootMem *bm, uint64_t addr, uint64_t len);

/* True when [addr, addr+len) lies wholly inside one E820_RAM entry. */
bool boot_mem_usable(const BootMem *bm, uint64_t addr, uint64_t len);

/* Top of the usable RAM that begins at 1 MiB (the end of that e820 entry). */
uint64_t boot_mem_high_top(const BootMem *bm);

/*
 * Puts env (already reset) in 32-bit protected mode, paging off,
 * interrupts off, A20 on, with a flat GDT written at BOOT_GDT_ADDR:
 * CS = 0x10 (4 GiB execute/read), DS = ES = SS = FS = GS = 0x18 (4 GiB
 * read/write), EIP = eip. Both loaders enter the guest this way.
 */
void boot_enter_flat32(const BootMem *bm, X86CPUState *env, uint32_t eip);

/*
 * Reads a whole file for a loader: 0 with *data (g_free it) and *len, or
 * -1 with errp set to "cannot read WHAT 'PATH': REASON".
 */
int boot_read_file(const char *what, const char *path, uint8_t **data,
                   size_t *len, GError **errp) VIREO_WUR;

/* --- Linux x86 boot protocol (Documentation/arch/x86/boot.rst) --- */

/* Where the Linux loader puts boot_params and the command line. */
#define LINUX_ZERO_PAGE   0x7000
#define LINUX_CMDLINE     0x20000
#define LINUX_CMDLINE_MAX 0x10000   /* room reserved at LINUX_CMDLINE */
#define LINUX_KERNEL_ADDR 0x100000

typedef struct LinuxImage LinuxImage;

/* True when data starts like a bzImage ("HdrS" at 0x202, 0xAA55 at 0x1FE). */
bool linux_image_probe(const uint8_t *data, size_t len);

/*
 * Takes the kernel image (data/len, g_malloc'd, owned from now on even on
 * failure; name is used in messages), reads the initrd (may be NULL) and
 * keeps the command line (may be NULL). Checks the setup header: the
 * image, or NULL with errp set naming the file.
 */
LinuxImage *linux_image_new(const char *name, uint8_t *data, size_t len,
                            const char *initrd, const char *cmdline,
                            GError **errp);

/*
 * Copies the kernel and initrd into guest RAM, builds boot_params at
 * LINUX_ZERO_PAGE and sets env (already reset) to the 32-bit entry state.
 * Called at start and at every reset: 0, or -1 with errp set (does not fit).
 */
int linux_image_load(LinuxImage *li, const BootMem *bm, X86CPUState *env,
                     GError **errp) VIREO_WUR;

void linux_image_free(LinuxImage *li);

/* --- Multiboot v1 (the Multiboot Specification 0.6.96) --- */

#define MULTIBOOT_HEADER_MAGIC     0x1badb002u
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2badb002u
#define MULTIBOOT_SEARCH           8192
/* Where the multiboot loader builds the info structure and its strings. */
#define MULTIBOOT_INFO_ADDR        0x9000
#define MULTIBOOT_INFO_END         0x9f000

typedef struct MultibootImage MultibootImage;

/* True when a valid multiboot header lies in the first 8 KiB of data. */
bool multiboot_probe(const uint8_t *data, size_t len);

/*
 * Takes the kernel (data/len, owned from now on even on failure; name is
 * the -kernel path, used in messages and as the kernel's command line),
 * reads the modules from modules ("file args,file args", may be NULL) and
 * keeps the command line. The image, or NULL with errp set naming the file.
 */
MultibootImage *multiboot_image_new(const char *name, uint8_t *data, size_t len,
                                    const char *modules, const char *cmdline,
                                    GError **errp);

/* Copies the kernel and modules into RAM, builds the info structure and
 * sets env (already reset) to the entry state: 0, or -1 with errp set. */
int multiboot_image_load(MultibootImage *mb, const BootMem *bm, X86CPUState *env,
                         GError **errp) VIREO_WUR;

void multiboot_image_free(MultibootImage *mb);

#endif
