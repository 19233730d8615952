/*
 * linux-boot.c: loads a Linux bzImage the way a boot loader does under the
 * Linux/x86 boot protocol (Documentation/arch/x86/boot.rst), protocol
 * 2.06 or later, and enters it through the 32-bit boot protocol: the
 * real-mode setup code is skipped, boot_params ("the zero page") is built
 * here with the e820 map, the command line and the initrd, and the CPU
 * starts in flat protected mode at code32_start. The board (hw/pc/pc.c)
 * keeps the LinuxImage and calls linux_image_load again at every reset.
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "hw/loader.h"

/* Setup header fields: offsets in the image's first sector and in
 * boot_params alike (boot.rst, "The real-mode kernel header"). */
#define HDR_SETUP_SECTS      0x1f1
#define HDR_BOOT_FLAG        0x1fe
#define HDR_JUMP             0x200
#define HDR_MAGIC            0x202
#define HDR_VERSION          0x206
#define HDR_TYPE_OF_LOADER   0x210
#define HDR_LOADFLAGS        0x211
#define HDR_CODE32_START     0x214
#define HDR_RAMDISK_IMAGE    0x218
#define HDR_RAMDISK_SIZE     0x21c
#define HDR_CMD_LINE_PTR     0x228
#define HDR_INITRD_ADDR_MAX  0x22c
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_RELOCATABLE      0x234
#define HDR_CMDLINE_SIZE     0x238
#define HDR_PREF_ADDRESS     0x258
#define HDR_INIT_SIZE        0x260

/* boot_params fields outside the setup header (zero-page.rst). */
#define BP_ACPI_RSDP_ADDR    0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE  0x0c4
#define BP_EXT_CMD_LINE_PTR  0x0c8
#define BP_E820_ENTRIES      0x1e8
#define BP_E820_TABLE        0x2d0
#define BP_E820_MAX          128
#define BP_SIZE              0x1000

#define LOADFLAG_LOADED_HIGH 0x01
#define LOADFLAG_KEEP_SEGMENTS 0x40
#define BOOT_MAGIC_HDRS      0x53726448u   /* "HdrS" */
#define LINUX_MIN_PROTOCOL   0x206

struct LinuxImage {
    char *name;
    uint8_t *data;        /* the whole bzImage */
    size_t len;
    char *initrd_name;
    uint8_t *initrd;
    size_t initrd_len;
    char *cmdline;
    uint16_t version;
    size_t setup_len;     /* (setup_sects + 1) * 512: the real-mode part */
    size_t hdr_end;       /* end of the setup header: 0x202 + byte at 0x201 */
    uint32_t cmdline_size;
    uint32_t initrd_addr_max;
    uint64_t kernel_end;  /* first byte above the kernel's working area */
};

static uint16_t rd16(const uint8_t *p) { return p[0] | p[1] << 8; }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }
static void wr16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static void wr32(uint8_t *p, uint32_t v) { wr16(p, v); wr16(p + 2, v >> 16); }
static void wr64(uint8_t *p, uint64_t v) { wr32(p, v); wr32(p + 4, v >> 32); }

bool linux_image_probe(const uint8_t *data, size_t len)
{
    return len >= 0x206 && rd16(data + HDR_BOOT_FLAG) == 0xaa55 &&
           rd32(data + HDR_MAGIC) == BOOT_MAGIC_HDRS;
}

/* Checks the setup header and fills li's derived fields: 0, or -1. */
static int linux_parse_header(LinuxImage *li, GError **errp)
{
    const uint8_t *d = li->data;
    unsigned setup_sects;

    if (li->len < 0x250) {
        error_setg(errp, "kernel '%s' is truncated (%zu bytes): no room for a setup header",
                   li->name, li->len);
        return -1;
    }
    if (!linux_image_probe(d, li->len)) {
        error_setg(errp, "kernel '%s' is not a bzImage: no \"HdrS\" setup header", li->name);
        return -1;
    }
    li->version = rd16(d + HDR_VERSION);
    if (li->version < LINUX_MIN_PROTOCOL) {
        error_setg(errp, "kernel '%s' uses boot protocol %u.%02u; vireo needs 2.06 or later",
                   li->name, li->version >> 8, li->version & 0xff);
        return -1;
    }
    if (!(d[HDR_LOADFLAGS] & LOADFLAG_LOADED_HIGH)) {
        error_setg(errp, "kernel '%s' is a zImage (not LOADED_HIGH); only bzImage is supported",
                   li->name);
        return -1;
    }
    setup_sects = d[HDR_SETUP_SECTS] ? d[HDR_SETUP_SECTS] : 4;  /* boot.rst: 0 means 4 */
    li->setup_len = (setup_sects + 1) * 512;
    li->hdr_end = 0x202 + d[HDR_JUMP + 1];
    if (li->hdr_end > BP_E820_TABLE) {
        error_setg(errp, "kernel '%s' has a corrupt setup header (length byte 0x%02x at 0x201)",
                   li->name, d[HDR_JUMP + 1]);
        return -1;
    }
    if (li->len <= li->setup_len) {
        error_setg(errp, "kernel '%s' is truncated: %zu bytes, but its setup code alone is %zu",
                   li->name, li->len, li->setup_len);
        return -1;
    }
    li->cmdline_size = li->version >= 0x206 ? rd32(d + HDR_CMDLINE_SIZE) : 255;
    li->initrd_addr_max = rd32(d + HDR_INITRD_ADDR_MAX);

    /* The kernel decompresses in place above its load address: it needs
     * init_size bytes from max(load address, pref_address if relocatable). */
    uint64_t pm_len = li->len - li->setup_len;
    uint64_t work_base = LINUX_KERNEL_ADDR;
    uint64_t init_size = li->version >= 0x20a ? rd32(d + HDR_INIT_SIZE) : 0;
    if (li->version >= 0x20a && d[HDR_RELOCATABLE]) {
        work_base = MAX(work_base, rd64(d + HDR_PREF_ADDRESS));
    }
    li->kernel_end = MAX(LINUX_KERNEL_ADDR + pm_len, work_base + init_size);
    return 0;
}

LinuxImage *linux_image_new(const char *name, uint8_t *data, size_t len,
                            const char *initrd, const char *cmdline,
                            GError **errp)
{
    LinuxImage *li = g_new0(LinuxImage, 1);

    li->name = g_strdup(name);
    li->data = data;
    li->len = len;
    li->cmdline = g_strdup(cmdline ? cmdline : "");
    if (linux_parse_header(li, errp) < 0) {
        goto fail;
    }
    if (strlen(li->cmdline) > MIN(li->cmdline_size, LINUX_CMDLINE_MAX - 1)) {
        error_setg(errp, "-append is %zu bytes; kernel '%s' accepts at most %u",
                   strlen(li->cmdline), li->name,
                   MIN(li->cmdline_size, LINUX_CMDLINE_MAX - 1));
        goto fail;
    }
    if (initrd && *initrd) {
        li->initrd_name = g_strdup(initrd);
        if (boot_read_file("initrd", initrd, &li->initrd, &li->initrd_len, errp) < 0) {
            goto fail;
        }
    }
    return li;

fail:
    linux_image_free(li);
    return NULL;
}

void linux_image_free(LinuxImage *li)
{
    if (!li) {
        return;
    }
    g_free(li->name);
    g_free(li->data);
    g_free(li->initrd_name);
    g_free(li->initrd);
    g_free(li->cmdline);
    g_free(li);
}

/*
 * Chooses the initrd's address: page aligned, as high as possible below
 * min(initrd_addr_max + 1, top of RAM below 4 GiB), above the kernel's
 * working area (boot.rst: "as high as possible"). 0, or -1 with errp set.
 */
static int linux_place_initrd(LinuxImage *li, const BootMem *bm, uint64_t *addr,
                              GError **errp)
{
    uint64_t limit = MIN((uint64_t)li->initrd_addr_max + 1, boot_mem_high_top(bm));
    uint64_t size = li->initrd_len;

    if (size > limit || ((limit - size) & ~0xfffULL) < li->kernel_end) {
        error_setg(errp, "initrd '%s' (%zu bytes) does not fit in RAM between the kernel "
                   "(ends at 0x%" PRIx64 ") and 0x%" PRIx64 ": give more -m",
                   li->initrd_name, li->initrd_len, li->kernel_end, limit);
        return -1;
    }
    *addr = (limit - size) & ~0xfffULL;
    return 0;
}

/* Fills the zero page: header copy, loader fields, e820, initrd, RSDP. */
static void linux_build_zero_page(LinuxImage *li, const BootMem *bm, uint8_t *bp,
                                  uint64_t initrd_addr)
{
    int n = 0;

    memset(bp, 0, BP_SIZE);
    memcpy(bp + HDR_SETUP_SECTS, li->data + HDR_SETUP_SECTS, li->hdr_end - HDR_SETUP_SECTS);
    bp[HDR_TYPE_OF_LOADER] = 0xff;   /* undefined loader */
    bp[HDR_LOADFLAGS] &= ~LOADFLAG_KEEP_SEGMENTS;
    wr32(bp + HDR_CODE32_START, LINUX_KERNEL_ADDR);
    wr32(bp + HDR_CMD_LINE_PTR, LINUX_CMDLINE);
    wr32(bp + HDR_RAMDISK_IMAGE, (uint32_t)initrd_addr);
    wr32(bp + HDR_RAMDISK_SIZE, (uint32_t)li->initrd_len);
    wr32(bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(initrd_addr >> 32));
    wr32(bp + BP_EXT_RAMDISK_SIZE, (uint32_t)((uint64_t)li->initrd_len >> 32));
    wr32(bp + BP_EXT_CMD_LINE_PTR, 0);
    /* boot_params.acpi_rsdp_addr is read by kernels of protocol 2.14 and
     * later (the setup-header field of 2.14 itself was withdrawn). */
    if (li->version >= 0x20e) {
        wr64(bp + BP_ACPI_RSDP_ADDR, bm->rsdp_addr);
    }
    for (int i = 0; i < bm->e820_count && n < BP_E820_MAX; i++, n++) {
        uint8_t *e = bp + BP_E820_TABLE + 20 * n;
        wr64(e, bm->e820[i].addr);
        wr64(e + 8, bm->e820[i].size);
        wr32(e + 16, bm->e820[i].type);
    }
    bp[BP_E820_ENTRIES] = n;
}

int linux_image_load(LinuxImage *li, const BootMem *bm, X86CPUState *env,
                     GError **errp)
{
    size_t pm_len = li->len - li->setup_len;
    uint64_t initrd_addr = 0;
    uint8_t *kernel, *bp, *cmd;

    if (li->kernel_end > boot_mem_high_top(bm) ||
        !(kernel = boot_mem_ptr(bm, LINUX_KERNEL_ADDR, pm_len))) {
        error_setg(errp, "kernel '%s' needs RAM up to 0x%" PRIx64 " but RAM below 4 GiB "
                   "ends at 0x%" PRIx64 ": give more -m",
                   li->name, li->kernel_end, boot_mem_high_top(bm));
        return -1;
    }
    if (li->initrd && linux_place_initrd(li, bm, &initrd_addr, errp) < 0) {
        return -1;
    }
    memcpy(kernel, li->data + li->setup_len, pm_len);
    if (li->initrd) {
        memcpy(boot_mem_ptr(bm, initrd_addr, li->initrd_len), li->initrd, li->initrd_len);
    }
    cmd = boot_mem_ptr(bm, LINUX_CMDLINE, strlen(li->cmdline) + 1);
    bp = boot_mem_ptr(bm, LINUX_ZERO_PAGE, BP_SIZE);
    g_assert(cmd && bp);
    memcpy(cmd, li->cmdline, strlen(li->cmdline) + 1);
    linux_build_zero_page(li, bm, bp, initrd_addr);

    /* boot.rst, "32-bit Boot Protocol": flat __BOOT_CS/__BOOT_DS, IF=0,
     * %esi = boot_params, %ebp = %edi = %ebx = 0. */
    boot_enter_flat32(bm, env, LINUX_KERNEL_ADDR);
    for (int r = 0; r < 16; r++) {
        if (r != R_ESP) {
            env->regs[r] = 0;
        }
    }
    env->regs[R_ESI] = LINUX_ZERO_PAGE;
    return 0;
}
