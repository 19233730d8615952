/*
 * multiboot.c: loads a multiboot v1 kernel (the Multiboot Specification
 * version 0.6.96): finds the header in the first 8 KiB, loads an ELF32
 * image's PT_LOAD segments or, with header flag 16, the a.out kludge's
 * address range, places the modules (-initrd "file args,file args") above
 * the kernel, builds the boot information structure in low RAM and enters
 * the kernel in flat 32-bit protected mode with EAX = 0x2BADB002 and EBX
 * pointing at the information (spec 3.2). The board keeps the image and
 * calls multiboot_image_load again at every reset.
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "hw/loader.h"

/* Header flags (spec 3.1.2); bits 0-15 are requirements. */
#define MBH_PAGE_ALIGN   (1u << 0)
#define MBH_MEMORY_INFO  (1u << 1)
#define MBH_VIDEO_MODE   (1u << 2)
#define MBH_AOUT_KLUDGE  (1u << 16)
#define MBH_KNOWN_REQUIRED (MBH_PAGE_ALIGN | MBH_MEMORY_INFO | MBH_VIDEO_MODE)

/* Information structure flags and offsets (spec 3.3). */
#define MBI_MEMORY    (1u << 0)
#define MBI_CMDLINE   (1u << 2)
#define MBI_MODS      (1u << 3)
#define MBI_MMAP      (1u << 6)
#define MBI_LOADER_NAME (1u << 9)
#define MBI_FLAGS       0
#define MBI_MEM_LOWER   4
#define MBI_MEM_UPPER   8
#define MBI_CMDLINE_PTR 16
#define MBI_MODS_COUNT  20
#define MBI_MODS_ADDR   24
#define MBI_MMAP_LENGTH 44
#define MBI_MMAP_ADDR   48
#define MBI_LOADER_NAME_PTR 64
#define MBI_SIZE        128

#define MB_MAX_SEGMENTS 16

typedef struct MbSegment {
    uint64_t file_off;   /* bytes [file_off, file_off + file_len) of the image */
    uint64_t file_len;
    uint32_t addr;       /* loaded at this physical address... */
    uint32_t mem_len;    /* ...and zero-filled up to addr + mem_len */
} MbSegment;

typedef struct MbModule {
    char *string;        /* "file args", handed to the kernel */
    uint8_t *data;
    size_t len;
} MbModule;

struct MultibootImage {
    char *name;
    uint8_t *data;
    size_t len;
    char *cmdline;
    uint32_t flags;
    uint32_t entry;
    MbSegment seg[MB_MAX_SEGMENTS];
    int nseg;
    uint64_t kernel_end;  /* first byte above the loaded image and bss */
    MbModule *mods;
    int nmods;
};

static uint16_t rd16(const uint8_t *p) { return p[0] | p[1] << 8; }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}
static void wr64(uint8_t *p, uint64_t v) { wr32(p, v); wr32(p + 4, v >> 32); }

/* Offset of a valid header (magic, checksum) in data, or -1. */
static long multiboot_find_header(const uint8_t *data, size_t len)
{
    size_t end = MIN(len, (size_t)MULTIBOOT_SEARCH);

    for (size_t off = 0; off + 12 <= end; off += 4) {
        const uint8_t *h = data + off;
        if (rd32(h) == MULTIBOOT_HEADER_MAGIC &&
            (uint32_t)(rd32(h) + rd32(h + 4) + rd32(h + 8)) == 0) {
            return off;
        }
    }
    return -1;
}

bool multiboot_probe(const uint8_t *data, size_t len)
{
    return multiboot_find_header(data, len) >= 0;
}

/* The a.out kludge (header flag 16): the header says where the image goes. */
static int mb_parse_aout(MultibootImage *mb, long hoff, GError **errp)
{
    const uint8_t *h = mb->data + hoff;
    uint32_t header_addr, load_addr, load_end, bss_end;
    uint64_t file_off, file_len;

    if ((size_t)hoff + 32 > mb->len) {
        error_setg(errp, "multiboot kernel '%s' is truncated inside its header", mb->name);
        return -1;
    }
    header_addr = rd32(h + 12);
    load_addr = rd32(h + 16);
    load_end = rd32(h + 20);
    bss_end = rd32(h + 24);
    mb->entry = rd32(h + 28);
    if (load_addr > header_addr || header_addr - load_addr > (uint64_t)hoff) {
        error_setg(errp, "multiboot kernel '%s': load_addr 0x%x is not at or below header_addr 0x%x "
                   "within the file", mb->name, load_addr, header_addr);
        return -1;
    }
    file_off = hoff - (header_addr - load_addr);
    file_len = load_end ? (uint64_t)load_end - load_addr : mb->len - file_off;
    if (load_end && load_end < load_addr) {
        error_setg(errp, "multiboot kernel '%s': load_end_addr 0x%x is below load_addr 0x%x",
                   mb->name, load_end, load_addr);
        return -1;
    }
    if (file_off + file_len > mb->len) {
        error_setg(errp, "multiboot kernel '%s' is truncated: the header asks for %" PRIu64
                   " bytes from offset %" PRIu64 ", the file has %zu",
                   mb->name, file_len, file_off, mb->len);
        return -1;
    }
    if (bss_end && bss_end < load_addr + file_len) {
        error_setg(errp, "multiboot kernel '%s': bss_end_addr 0x%x is below the loaded image",
                   mb->name, bss_end);
        return -1;
    }
    mb->seg[0] = (MbSegment){ file_off, file_len, load_addr,
                              bss_end ? bss_end - load_addr : (uint32_t)file_len };
    mb->nseg = 1;
    return 0;
}

/* An ELF32 i386 executable: its PT_LOAD segments at their physical addresses. */
static int mb_parse_elf(MultibootImage *mb, GError **errp)
{
    const uint8_t *d = mb->data;
    uint32_t phoff, entry;
    unsigned phentsize, phnum;

    if (mb->len < 52 || memcmp(d, "\x7f" "ELF", 4) != 0) {
        error_setg(errp, "multiboot kernel '%s' is neither ELF nor uses the a.out kludge "
                   "(header flag 16)", mb->name);
        return -1;
    }
    if (d[4] != 1 || d[5] != 1 || rd16(d + 18) != 3) {
        error_setg(errp, "multiboot kernel '%s' is not a little-endian ELF32 i386 image "
                   "(ELF64 kernels need the a.out kludge)", mb->name);
        return -1;
    }
    entry = rd32(d + 24);
    phoff = rd32(d + 28);
    phentsize = rd16(d + 42);
    phnum = rd16(d + 44);
    if (phentsize < 32 || (uint64_t)phoff + (uint64_t)phentsize * phnum > mb->len) {
        error_setg(errp, "multiboot kernel '%s' is truncated: its program headers lie outside the file",
                   mb->name);
        return -1;
    }
    mb->entry = entry;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = d + phoff + (uint64_t)i * phentsize;
        uint32_t off = rd32(ph + 4), vaddr = rd32(ph + 8), paddr = rd32(ph + 12);
        uint32_t filesz = rd32(ph + 16), memsz = rd32(ph + 20);

        if (rd32(ph) != 1 /* PT_LOAD */ || memsz == 0) {
            continue;
        }
        if ((uint64_t)off + filesz > mb->len || filesz > memsz) {
            error_setg(errp, "multiboot kernel '%s' is truncated: segment %u needs file bytes "
                       "%u..%" PRIu64 ", the file has %zu", mb->name, i, off,
                       (uint64_t)off + filesz, mb->len);
            return -1;
        }
        if (mb->nseg == MB_MAX_SEGMENTS) {
            error_setg(errp, "multiboot kernel '%s' has more than %d loadable segments",
                       mb->name, MB_MAX_SEGMENTS);
            return -1;
        }
        /* A virtual entry point inside this segment moves with it. */
        if (entry >= vaddr && entry - vaddr < memsz) {
            mb->entry = entry - vaddr + paddr;
        }
        mb->seg[mb->nseg++] = (MbSegment){ off, filesz, paddr, memsz };
    }
    if (mb->nseg == 0) {
        error_setg(errp, "multiboot kernel '%s' has no loadable segment", mb->name);
        return -1;
    }
    return 0;
}

/* Splits "file args,file args" (",," is a literal comma) and reads each file. */
static int mb_read_modules(MultibootImage *mb, const char *spec, GError **errp)
{
    GPtrArray *parts = g_ptr_array_new_with_free_func(g_free);
    GString *cur = g_string_new(NULL);
    int ret = 0;

    for (const char *p = spec;; p++) {
        if (*p == ',' && p[1] == ',') {
            g_string_append_c(cur, ',');
            p++;
        } else if (*p == ',' || *p == '\0') {
            g_ptr_array_add(parts, g_string_free(cur, FALSE));
            cur = g_string_new(NULL);
            if (*p == '\0') {
                break;
            }
        } else {
            g_string_append_c(cur, *p);
        }
    }
    g_string_free(cur, TRUE);

    mb->mods = g_new0(MbModule, parts->len);
    for (guint i = 0; i < parts->len && ret == 0; i++) {
        char *s = g_strstrip(g_strdup(g_ptr_array_index(parts, i)));
        char *file = g_strndup(s, strcspn(s, " \t"));
        MbModule *m = &mb->mods[mb->nmods++];

        m->string = s;
        if (!*file) {
            error_setg(errp, "-initrd '%s': module %u has no file name", spec, i + 1);
            ret = -1;
        } else {
            ret = boot_read_file("multiboot module", file, &m->data, &m->len, errp);
        }
        g_free(file);
    }
    g_ptr_array_free(parts, TRUE);
    return ret;
}

MultibootImage *multiboot_image_new(const char *name, uint8_t *data, size_t len,
                                    const char *modules, const char *cmdline,
                                    GError **errp)
{
    MultibootImage *mb = g_new0(MultibootImage, 1);
    long hoff;

    mb->name = g_strdup(name);
    mb->data = data;
    mb->len = len;
    mb->cmdline = cmdline && *cmdline ? g_strdup_printf("%s %s", name, cmdline)
                                      : g_strdup(name);
    hoff = multiboot_find_header(data, len);
    if (hoff < 0) {
        error_setg(errp, "kernel '%s' has no multiboot header (magic 0x%08x with a valid "
                   "checksum) in its first %d bytes", name, MULTIBOOT_HEADER_MAGIC,
                   MULTIBOOT_SEARCH);
        goto fail;
    }
    mb->flags = rd32(data + hoff + 4);
    if (mb->flags & 0xffffu & ~MBH_KNOWN_REQUIRED) {
        error_setg(errp, "multiboot kernel '%s' requires features 0x%04x that vireo does not know",
                   name, mb->flags & 0xffffu & ~MBH_KNOWN_REQUIRED);
        goto fail;
    }
    if ((mb->flags & MBH_AOUT_KLUDGE) ? mb_parse_aout(mb, hoff, errp) < 0
                                      : mb_parse_elf(mb, errp) < 0) {
        goto fail;
    }
    for (int i = 0; i < mb->nseg; i++) {
        mb->kernel_end = MAX(mb->kernel_end, (uint64_t)mb->seg[i].addr + mb->seg[i].mem_len);
    }
    if (modules && *modules && mb_read_modules(mb, modules, errp) < 0) {
        goto fail;
    }
    return mb;

fail:
    multiboot_image_free(mb);
    return NULL;
}

void multiboot_image_free(MultibootImage *mb)
{
    if (!mb) {
        return;
    }
    for (int i = 0; i < mb->nmods; i++) {
        g_free(mb->mods[i].string);
        g_free(mb->mods[i].data);
    }
    g_free(mb->mods);
    g_free(mb->name);
    g_free(mb->data);
    g_free(mb->cmdline);
    g_free(mb);
}

/* A bump allocator for the information area in low RAM. */
typedef struct MbArena {
    const BootMem *bm;
    uint32_t next;
} MbArena;

/* Guest address of len fresh bytes (zeroed, 8-byte aligned), or 0 if full. */
static uint32_t mb_alloc(MbArena *a, size_t len, uint8_t **host)
{
    uint32_t addr = (a->next + 7) & ~7u;

    if (len > MULTIBOOT_INFO_END - addr) {
        return 0;
    }
    a->next = addr + len;
    *host = boot_mem_ptr(a->bm, addr, len);
    memset(*host, 0, len);
    return addr;
}

static uint32_t mb_alloc_string(MbArena *a, const char *s)
{
    uint8_t *host;
    uint32_t addr = mb_alloc(a, strlen(s) + 1, &host);

    if (addr) {
        memcpy(host, s, strlen(s) + 1);
    }
    return addr;
}

/* Copies the segments into RAM and zero-fills their bss: 0, or -1. */
static int mb_load_segments(MultibootImage *mb, const BootMem *bm, GError **errp)
{
    for (int i = 0; i < mb->nseg; i++) {
        const MbSegment *s = &mb->seg[i];
        uint8_t *dst = boot_mem_ptr(bm, s->addr, s->mem_len);

        if (!dst || !boot_mem_usable(bm, s->addr, s->mem_len) ||
            s->addr < MULTIBOOT_INFO_END) {
            error_setg(errp, "multiboot kernel '%s' wants 0x%x..0x%" PRIx64 ", which is not "
                       "free RAM above 0x%x: give more -m or link it elsewhere", mb->name,
                       s->addr, (uint64_t)s->addr + s->mem_len, MULTIBOOT_INFO_END);
            return -1;
        }
        memcpy(dst, mb->data + s->file_off, s->file_len);
        memset(dst + s->file_len, 0, s->mem_len - s->file_len);
    }
    return 0;
}

/* Places the modules page aligned above the kernel; fills the mods array. */
static int mb_load_modules(MultibootImage *mb, const BootMem *bm, MbArena *a,
                           uint8_t *info, GError **errp)
{
    uint64_t addr = (mb->kernel_end + 0xfff) & ~0xfffULL;
    uint8_t *list;
    uint32_t list_addr;

    if (mb->nmods == 0) {
        return 0;
    }
    list_addr = mb_alloc(a, 16 * mb->nmods, &list);
    for (int i = 0; i < mb->nmods && list_addr; i++) {
        const MbModule *m = &mb->mods[i];
        uint8_t *dst = boot_mem_ptr(bm, addr, m->len);
        uint32_t str = mb_alloc_string(a, m->string);

        if (!dst || !boot_mem_usable(bm, addr, m->len) || addr + m->len > UINT32_MAX) {
            error_setg(errp, "multiboot module '%s' (%zu bytes) does not fit in RAM at 0x%" PRIx64
                       ": give more -m", m->string, m->len, addr);
            return -1;
        }
        if (!str) {
            list_addr = 0;
            break;
        }
        memcpy(dst, m->data, m->len);
        wr32(list + 16 * i, addr);
        wr32(list + 16 * i + 4, addr + m->len);
        wr32(list + 16 * i + 8, str);
        addr = (addr + m->len + 0xfff) & ~0xfffULL;
    }
    if (!list_addr) {
        error_setg(errp, "multiboot modules' strings for '%s' do not fit in the information area",
                   mb->name);
        return -1;
    }
    wr32(info + MBI_MODS_COUNT, mb->nmods);
    wr32(info + MBI_MODS_ADDR, list_addr);
    wr32(info + MBI_FLAGS, rd32(info + MBI_FLAGS) | MBI_MODS);
    return 0;
}

/* The memory map (spec 3.3, "mmap_*"): entries of size, base, length, type. */
static uint32_t mb_build_mmap(const BootMem *bm, MbArena *a, uint8_t *info)
{
    uint8_t *map;
    uint32_t map_addr = mb_alloc(a, 24 * bm->e820_count, &map);

    for (int i = 0; i < bm->e820_count && map_addr; i++) {
        uint8_t *e = map + 24 * i;
        wr32(e, 20);   /* size of the rest of the entry */
        wr64(e + 4, bm->e820[i].addr);
        wr64(e + 12, bm->e820[i].size);
        wr32(e + 20, bm->e820[i].type);
    }
    wr32(info + MBI_MMAP_LENGTH, 24 * bm->e820_count);
    wr32(info + MBI_MMAP_ADDR, map_addr);
    return map_addr;
}

int multiboot_image_load(MultibootImage *mb, const BootMem *bm, X86CPUState *env,
                         GError **errp)
{
    MbArena arena = { bm, MULTIBOOT_INFO_ADDR };
    uint8_t *info;
    uint32_t info_addr, cmd, name;

    if (mb_load_segments(mb, bm, errp) < 0) {
        return -1;
    }
    info_addr = mb_alloc(&arena, MBI_SIZE, &info);
    g_assert(info_addr);
    /* mem_lower: KiB from 0 (at most 640); mem_upper: KiB from 1 MiB to
     * the first hole (spec 3.3). */
    wr32(info + MBI_MEM_LOWER, PC_EBDA_BASE / KiB);
    wr32(info + MBI_MEM_UPPER, (boot_mem_high_top(bm) - PC_HIGH_RAM_BASE) / KiB);
    cmd = mb_alloc_string(&arena, mb->cmdline);
    name = mb_alloc_string(&arena, "vireo");
    if (!cmd || !name || !mb_build_mmap(bm, &arena, info)) {
        error_setg(errp, "multiboot command line for '%s' does not fit in the information area",
                   mb->name);
        return -1;
    }
    wr32(info + MBI_CMDLINE_PTR, cmd);
    wr32(info + MBI_LOADER_NAME_PTR, name);
    wr32(info + MBI_FLAGS, MBI_MEMORY | MBI_CMDLINE | MBI_MMAP | MBI_LOADER_NAME);
    if (mb_load_modules(mb, bm, &arena, info, errp) < 0) {
        return -1;
    }

    /* Spec 3.2, "Machine state": EAX magic, EBX info, flat segments, A20 on,
     * CR0.PG = 0, CR0.PE = 1, EFLAGS.IF = 0 (and VM = 0). */
    boot_enter_flat32(bm, env, mb->entry);
    for (int r = 0; r < 16; r++) {
        if (r != R_ESP) {
            env->regs[r] = 0;
        }
    }
    env->regs[R_EAX] = MULTIBOOT_BOOTLOADER_MAGIC;
    env->regs[R_EBX] = info_addr;
    return 0;
}
