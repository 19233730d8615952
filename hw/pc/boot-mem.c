/*
 * boot-mem.c: the PC board's RAM map as the loaders see it (BootMem, see
 * hw/loader.h), the e820 table built from it, and the pieces both
 * loaders share: reading a file, and the flat 32-bit protected-mode entry
 * state. The board maps its RAM regions from the same numbers, so the
 * e820 table the guest receives always matches the bus.
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "hw/loader.h"
#include "hw/pc.h"

static void e820_add(BootMem *bm, uint64_t addr, uint64_t size, uint32_t type)
{
    g_assert(bm->e820_count < BOOT_E820_MAX);
    bm->e820[bm->e820_count++] = (E820Entry){ addr, size, type };
}

void boot_mem_init(BootMem *bm, uint8_t *ram, uint64_t ram_size)
{
    g_assert(ram_size >= 2 * MiB);
    memset(bm, 0, sizeof(*bm));
    bm->ram = ram;
    bm->ram_size = ram_size;
    bm->below_4g = MIN(ram_size, PC_BELOW_4G_MAX);

    e820_add(bm, 0, PC_EBDA_BASE, E820_RAM);
    e820_add(bm, PC_EBDA_BASE, PC_HIGH_RAM_BASE - PC_EBDA_BASE, E820_RESERVED);
    e820_add(bm, PC_HIGH_RAM_BASE, bm->below_4g - PC_HIGH_RAM_BASE, E820_RAM);
    e820_add(bm, PC_IOAPIC_BASE, 0x1000, E820_RESERVED);
    e820_add(bm, PC_LAPIC_BASE, 0x1000, E820_RESERVED);
    if (ram_size > bm->below_4g) {
        e820_add(bm, 4 * GiB, ram_size - bm->below_4g, E820_RAM);
    }
}

/* Host pointer for [addr, addr+len) inside the piece [base, base+size)
 * that starts at host offset host_off, or NULL. */
static void *piece_ptr(const BootMem *bm, uint64_t addr, uint64_t len,
                       uint64_t base, uint64_t size, uint64_t host_off)
{
    if (addr < base || addr - base > size || len > size - (addr - base)) {
        return NULL;
    }
    return bm->ram + host_off + (addr - base);
}

void *boot_mem_ptr(const BootMem *bm, uint64_t addr, uint64_t len)
{
    void *p = piece_ptr(bm, addr, len, 0, PC_LOW_RAM_END, 0);

    if (!p) {
        p = piece_ptr(bm, addr, len, PC_HIGH_RAM_BASE,
                      bm->below_4g - PC_HIGH_RAM_BASE, PC_HIGH_RAM_BASE);
    }
    if (!p && bm->ram_size > bm->below_4g) {
        p = piece_ptr(bm, addr, len, 4 * GiB, bm->ram_size - bm->below_4g,
                      bm->below_4g);
    }
    return p;
}

bool boot_mem_usable(const BootMem *bm, uint64_t addr, uint64_t len)
{
    for (int i = 0; i < bm->e820_count; i++) {
        const E820Entry *e = &bm->e820[i];
        if (e->type == E820_RAM && addr >= e->addr && addr - e->addr <= e->size &&
            len <= e->size - (addr - e->addr)) {
            return true;
        }
    }
    return false;
}

uint64_t boot_mem_high_top(const BootMem *bm)
{
    return bm->below_4g;
}

/* Writes one GDT descriptor (SDM Vol.3 3.4.5) for a flat 4 GiB segment. */
static void gdt_write_flat(uint8_t *d, uint32_t access_flags)
{
    /* limit 15:0 = 0xFFFF, base 23:0 = 0, then the attribute word with
     * limit 19:16 = 0xF; G=1 makes the limit 4 GiB - 1. */
    uint64_t desc = 0xffffULL | ((uint64_t)(access_flags | (0xfu << 16)) << 32);

    for (int i = 0; i < 8; i++) {
        d[i] = desc >> (8 * i);
    }
}

void boot_enter_flat32(const BootMem *bm, X86CPUState *env, uint32_t eip)
{
    const uint32_t code = DESC_P_MASK | DESC_S_MASK | (0xbu << DESC_TYPE_SHIFT) |
                          DESC_B_MASK | DESC_G_MASK;  /* execute/read, accessed */
    const uint32_t data = DESC_P_MASK | DESC_S_MASK | (0x3u << DESC_TYPE_SHIFT) |
                          DESC_B_MASK | DESC_G_MASK;  /* read/write, accessed */
    uint8_t *gdt = boot_mem_ptr(bm, BOOT_GDT_ADDR, 32);

    g_assert(gdt);
    memset(gdt, 0, 32);
    gdt_write_flat(gdt + BOOT_CODE32_SEL, code);
    gdt_write_flat(gdt + BOOT_DATA32_SEL, data);
    env->gdt.base = BOOT_GDT_ADDR;
    env->gdt.limit = 32 - 1;

    /* Protected mode, paging off, caches on (clear the reset CD/NW). */
    env->cr[0] = CR0_PE | CR0_ET;
    x86_seg_load_cache(env, R_CS, BOOT_CODE32_SEL, 0, 0xffffffffu, code);
    for (int seg = R_ES; seg <= R_GS; seg++) {
        if (seg != R_CS) {
            x86_seg_load_cache(env, seg, BOOT_DATA32_SEL, 0, 0xffffffffu, data);
        }
    }
    x86_eflags_set(env, 0x2);   /* bit 1 is always set; IF = 0 */
    env->a20_mask = ~0ULL;
    env->regs[R_ESP] = BOOT_STACK_TOP;
    env->rip = eip;
    x86_update_hflags(env);
}

int boot_read_file(const char *what, const char *path, uint8_t **data,
                   size_t *len, GError **errp)
{
    GError *err = NULL;
    gchar *buf;
    gsize n;

    if (!g_file_get_contents(path, &buf, &n, &err)) {
        error_setg(errp, "cannot read %s '%s': %s", what, path, err->message);
        g_error_free(err);
        return -1;
    }
    *data = (uint8_t *)buf;
    *len = n;
    return 0;
}
