/*
 * test-multiboot.c: the multiboot v1 loader (hw/pc/multiboot.c) on kernels
 * built here in memory: an ELF32 image (with a virtual entry point and a
 * bss), an a.out-kludge image, modules from temporary files, and one clear
 * error for each kind of broken image. Checks what the kernel receives:
 * the entry state (spec 3.2) and the information structure (spec 3.3).
 */
#include "vireo/common.h"
#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>
#include <unistd.h>
#include "hw/loader.h"
#include "test-util.h"

#define RAM_SIZE (64 * MiB)

static void put16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }
static uint32_t get32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

/* A multiboot header at hdr with flags and a correct (or broken) checksum. */
static void put_mb_header(uint8_t *hdr, uint32_t flags, bool good_checksum)
{
    put32(hdr, MULTIBOOT_HEADER_MAGIC);
    put32(hdr + 4, flags);
    put32(hdr + 8, -(MULTIBOOT_HEADER_MAGIC + flags) + (good_checksum ? 0 : 1));
}

/*
 * ELF32: segment 0 is file 0x1000..0x3000 at paddr 0x100000 (vaddr
 * 0xC0100000), memsz 0x3000 (4 KiB of bss); segment 1 is file
 * 0x3000..0x3100 at paddr 0x200000. The multiboot header is at file 0x1000.
 */
static uint8_t *make_elf(size_t *len)
{
    uint8_t *d = g_malloc0(0x3100);
    uint8_t *ph = d + 52;

    memcpy(d, "\x7f" "ELF", 4);
    d[4] = 1; d[5] = 1; d[6] = 1;          /* ELF32, little endian, version 1 */
    put16(d + 16, 2);                      /* ET_EXEC */
    put16(d + 18, 3);                      /* EM_386 */
    put32(d + 20, 1);
    put32(d + 24, 0xc0100010);             /* virtual entry point */
    put32(d + 28, 52);                     /* e_phoff */
    put16(d + 40, 52);
    put16(d + 42, 32);                     /* e_phentsize */
    put16(d + 44, 2);                      /* e_phnum */
    put32(ph, 1); put32(ph + 4, 0x1000); put32(ph + 8, 0xc0100000); put32(ph + 12, 0x100000);
    put32(ph + 16, 0x2000); put32(ph + 20, 0x3000);
    ph += 32;
    put32(ph, 1); put32(ph + 4, 0x3000); put32(ph + 8, 0x200000); put32(ph + 12, 0x200000);
    put32(ph + 16, 0x100); put32(ph + 20, 0x100);
    for (size_t i = 0x1000; i < 0x3100; i++) {
        d[i] = (uint8_t)(i * 3);
    }
    put_mb_header(d + 0x1000, 0x3, true);  /* page-align modules, memory info */
    *len = 0x3100;
    return d;
}

/* a.out kludge: the whole 0x1000-byte file at 0x200000, bss to 0x203000. */
static uint8_t *make_aout(size_t *len)
{
    uint8_t *d = g_malloc0(0x1000);
    uint8_t *h = d + 0x40;

    for (size_t i = 0; i < 0x1000; i++) {
        d[i] = (uint8_t)(i ^ 0x33);
    }
    put_mb_header(h, (1u << 16) | 0x2, true);
    put32(h + 12, 0x200040);               /* header_addr */
    put32(h + 16, 0x200000);               /* load_addr */
    put32(h + 20, 0x201000);               /* load_end_addr */
    put32(h + 24, 0x203000);               /* bss_end_addr */
    put32(h + 28, 0x200100);               /* entry_addr */
    *len = 0x1000;
    return d;
}

typedef struct Fixture {
    BootMem bm;
    uint8_t *ram;
    X86CPU *cpu;
    GPtrArray *tmpfiles;
} Fixture;

static Fixture *fixture_new(void)
{
    Fixture *f = g_new0(Fixture, 1);

    f->ram = g_malloc(RAM_SIZE);
    memset(f->ram, 0xaa, RAM_SIZE);        /* so bss zeroing is visible */
    boot_mem_init(&f->bm, f->ram, RAM_SIZE);
    f->cpu = x86_cpu_new(0);
    f->tmpfiles = g_ptr_array_new_with_free_func(g_free);
    return f;
}

static void fixture_free(Fixture *f)
{
    for (guint i = 0; i < f->tmpfiles->len; i++) {
        unlink(g_ptr_array_index(f->tmpfiles, i));
    }
    g_ptr_array_free(f->tmpfiles, TRUE);
    x86_cpu_free(f->cpu);
    g_free(f->ram);
    g_free(f);
}

static const char *make_module(Fixture *f, size_t len, uint8_t seed)
{
    char *path = NULL;
    int fd = g_file_open_tmp("vireo-mod-XXXXXX", &path, NULL);
    uint8_t *buf = g_malloc(len);

    assert_true(fd >= 0);
    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)(i + seed);
    }
    assert_true(write(fd, buf, len) == (ssize_t)len);
    close(fd);
    g_free(buf);
    g_ptr_array_add(f->tmpfiles, path);
    return path;
}

/* Builds and loads; the error message (g_free) or NULL on success. */
static char *try_load(Fixture *f, uint8_t *img, size_t len, const char *mods,
                      const char *cmdline)
{
    GError *err = NULL;
    MultibootImage *mb = multiboot_image_new("/boot/kernel.elf", img, len, mods, cmdline, &err);
    char *msg;

    if (mb && multiboot_image_load(mb, &f->bm, &f->cpu->env, &err) == 0) {
        multiboot_image_free(mb);
        return NULL;
    }
    multiboot_image_free(mb);
    assert_non_null(err);
    msg = g_strdup(err->message);
    g_error_free(err);
    return msg;
}

static uint8_t *info_of(Fixture *f)
{
    return f->ram + f->cpu->env.regs[R_EBX];
}

static void test_elf_segments_loaded_at_paddr_with_bss_zeroed(void **state)
{
    Fixture *f = fixture_new();
    size_t len;
    uint8_t *img = make_elf(&len);

    assert_null(try_load(f, img, len, NULL, "root=x"));
    assert_int_equal(get32(f->ram + 0x100000), MULTIBOOT_HEADER_MAGIC);
    for (uint32_t i = 12; i < 0x2000; i++) {   /* past the multiboot header */
        assert_int_equal(f->ram[0x100000 + i], (uint8_t)((0x1000 + i) * 3));
    }
    for (uint32_t i = 0x2000; i < 0x3000; i++) {
        assert_int_equal(f->ram[0x100000 + i], 0);
    }
    assert_int_equal(f->ram[0x200000], (uint8_t)(0x3000 * 3));
    assert_int_equal(f->cpu->env.rip, 0x100010);   /* virtual entry -> physical */
    fixture_free(f);
}

static void test_entry_state_follows_spec_3_2(void **state)
{
    Fixture *f = fixture_new();
    size_t len;
    uint8_t *img = make_elf(&len);
    X86CPUState *env = &f->cpu->env;

    assert_null(try_load(f, img, len, NULL, NULL));
    assert_int_equal(env->regs[R_EAX], 0x2badb002);
    assert_true(env->regs[R_EBX] >= MULTIBOOT_INFO_ADDR && env->regs[R_EBX] < MULTIBOOT_INFO_END);
    assert_true(env->cr[0] & CR0_PE);
    assert_false(env->cr[0] & CR0_PG);
    assert_false(x86_eflags_get(env) & (IF_MASK | VM_MASK));
    assert_int_equal(env->a20_mask, ~0ULL);
    assert_int_equal(env->segs[R_CS].base, 0);
    assert_int_equal(env->segs[R_CS].limit, 0xffffffff);
    assert_int_equal(env->segs[R_CS].flags & DESC_TYPE_MASK, 0xb << DESC_TYPE_SHIFT);
    for (int s = R_ES; s <= R_GS; s++) {
        if (s != R_CS) {
            assert_int_equal(env->segs[s].base, 0);
            assert_int_equal(env->segs[s].limit, 0xffffffff);
            assert_int_equal(env->segs[s].flags & DESC_TYPE_MASK, 0x3 << DESC_TYPE_SHIFT);
        }
    }
    assert_true(env->hflags & HF_CS32_MASK);
    fixture_free(f);
}

static void test_info_has_memory_cmdline_and_mmap_matching_e820(void **state)
{
    Fixture *f = fixture_new();
    size_t len;
    uint8_t *img = make_elf(&len);
    uint8_t *info, *mmap;
    uint32_t flags;

    assert_null(try_load(f, img, len, NULL, "console=ttyS0 quiet"));
    info = info_of(f);
    flags = get32(info);
    assert_true(flags & (1u << 0));
    assert_true(flags & (1u << 2));
    assert_true(flags & (1u << 6));
    assert_false(flags & (1u << 3));        /* no modules */
    assert_int_equal(get32(info + 4), 639);
    assert_int_equal(get32(info + 8), (RAM_SIZE - MiB) / KiB);
    assert_string_equal((char *)f->ram + get32(info + 16), "/boot/kernel.elf console=ttyS0 quiet");
    assert_int_equal(get32(info + 44), 24 * f->bm.e820_count);
    mmap = f->ram + get32(info + 48);
    for (int i = 0; i < f->bm.e820_count; i++) {
        assert_int_equal(get32(mmap + 24 * i), 20);
        assert_int_equal(get64(mmap + 24 * i + 4), f->bm.e820[i].addr);
        assert_int_equal(get64(mmap + 24 * i + 12), f->bm.e820[i].size);
        assert_int_equal(get32(mmap + 24 * i + 20), f->bm.e820[i].type);
    }
    fixture_free(f);
}

static void test_cmdline_without_append_is_the_kernel_path(void **state)
{
    Fixture *f = fixture_new();
    size_t len;
    uint8_t *img = make_elf(&len);

    assert_null(try_load(f, img, len, NULL, NULL));
    assert_string_equal((char *)f->ram + get32(info_of(f) + 16), "/boot/kernel.elf");
    fixture_free(f);
}

static void test_aout_kludge_loads_range_and_zeroes_bss(void **state)
{
    Fixture *f = fixture_new();
    size_t len;
    uint8_t *img = make_aout(&len);

    assert_null(try_load(f, img, len, NULL, NULL));
    assert_int_equal(get32(f->ram + 0x200040), MULTIBOOT_HEADER_MAGIC);
    for (uint32_t i = 0; i < 0x1000; i++) {
        if (i >= 0x40 && i < 0x60) {
            continue;   /* the multiboot header */
        }
        assert_int_equal(f->ram[0x200000 + i], (uint8_t)(i ^ 0x33));
    }
    for (uint32_t i = 0x1000; i < 0x3000; i++) {
        assert_int_equal(f->ram[0x200000 + i], 0);
    }
    assert_int_equal(f->ram[0x203000], 0xaa);
    assert_int_equal(f->cpu->env.rip, 0x200100);
    assert_int_equal(f->cpu->env.regs[R_EAX], 0x2badb002);
    fixture_free(f);
}

static void test_modules_placed_page_aligned_above_kernel_with_strings(void **state)
{
    Fixture *f = fixture_new();
    size_t len;
    uint8_t *img = make_elf(&len);
    const char *m1 = make_module(f, 5000, 1);
    const char *m2 = make_module(f, 300, 7);
    char *spec = g_strdup_printf("%s first arg,%s a,,b", m1, m2);
    char *s1 = g_strdup_printf("%s first arg", m1);
    char *s2 = g_strdup_printf("%s a,b", m2);
    uint8_t *info, *mods;
    uint32_t prev_end = 0x200100;   /* end of the highest segment */

    assert_null(try_load(f, img, len, spec, NULL));
    info = info_of(f);
    assert_true(get32(info) & (1u << 3));
    assert_int_equal(get32(info + 20), 2);
    mods = f->ram + get32(info + 24);
    for (int i = 0; i < 2; i++) {
        uint32_t start = get32(mods + 16 * i), end = get32(mods + 16 * i + 4);
        size_t size = i == 0 ? 5000 : 300;
        assert_int_equal(start & 0xfff, 0);
        assert_true(start >= prev_end);
        assert_int_equal(end - start, size);
        for (size_t j = 0; j < size; j++) {
            assert_int_equal(f->ram[start + j], (uint8_t)(j + (i == 0 ? 1 : 7)));
        }
        assert_string_equal((char *)f->ram + get32(mods + 16 * i + 8), i == 0 ? s1 : s2);
        prev_end = end;
    }
    g_free(spec);
    g_free(s1);
    g_free(s2);
    fixture_free(f);
}

static void test_reload_restores_kernel_after_guest_overwrote_it(void **state)
{
    Fixture *f = fixture_new();
    size_t len;
    uint8_t *img = make_aout(&len);
    GError *err = NULL;
    MultibootImage *mb = multiboot_image_new("k", img, len, NULL, NULL, &err);

    assert_non_null(mb);
    assert_int_equal(multiboot_image_load(mb, &f->bm, &f->cpu->env, &err), 0);
    memset(f->ram + 0x200000, 0xee, 0x3000);
    x86_cpu_reset(f->cpu);
    assert_int_equal(multiboot_image_load(mb, &f->bm, &f->cpu->env, &err), 0);
    assert_int_equal(f->ram[0x200001], 1 ^ 0x33);
    assert_int_equal(f->ram[0x202000], 0);
    assert_int_equal(f->cpu->env.rip, 0x200100);
    multiboot_image_free(mb);
    fixture_free(f);
}

static void expect_error(uint8_t *img, size_t len, const char *mods, const char *what)
{
    Fixture *f = fixture_new();
    char *msg = try_load(f, img, len, mods, NULL);

    assert_non_null(msg);
    if (!strstr(msg, what)) {
        fail_msg("error '%s' does not say '%s'", msg, what);
    }
    g_free(msg);
    fixture_free(f);
}

static void test_bad_checksum_is_not_a_multiboot_kernel(void **state)
{
    size_t len;
    uint8_t *img = make_elf(&len);

    put_mb_header(img + 0x1000, 0x3, false);
    assert_false(multiboot_probe(img, len));
    expect_error(img, len, NULL, "no multiboot header");
}

static void test_header_past_8k_is_not_found(void **state)
{
    uint8_t *img = g_malloc0(0x3000);

    put_mb_header(img + 0x2000, 0x2, true);
    assert_false(multiboot_probe(img, 0x3000));
    put_mb_header(img + 0x1ff0, 0x2, true);
    assert_true(multiboot_probe(img, 0x3000));
    g_free(img);
}

static void test_unknown_required_flag_is_an_error(void **state)
{
    size_t len;
    uint8_t *img = make_elf(&len);

    put_mb_header(img + 0x1000, 0x3 | (1u << 5), true);
    expect_error(img, len, NULL, "requires features 0x0020");
}

static void test_truncated_elf_program_headers_are_an_error(void **state)
{
    size_t len;
    uint8_t *img = make_elf(&len);

    put16(img + 44, 500);   /* e_phnum far past the end of the file */
    expect_error(img, len, NULL, "truncated");
}

static void test_truncated_elf_segment_is_an_error(void **state)
{
    size_t len;
    uint8_t *img = make_elf(&len);

    expect_error(img, 0x3080, NULL, "truncated");
}

static void test_elf64_is_an_error(void **state)
{
    size_t len;
    uint8_t *img = make_elf(&len);

    img[4] = 2;
    expect_error(img, len, NULL, "ELF64");
}

static void test_aout_load_end_past_file_is_an_error(void **state)
{
    size_t len;
    uint8_t *img = make_aout(&len);

    put32(img + 0x40 + 20, 0x209000);
    expect_error(img, len, NULL, "truncated");
}

static void test_segment_outside_ram_is_an_error(void **state)
{
    size_t len;
    uint8_t *img = make_aout(&len);

    put32(img + 0x40 + 12, 0x8000040);     /* header_addr at 128 MiB + 0x40 */
    put32(img + 0x40 + 16, 0x8000000);
    put32(img + 0x40 + 20, 0x8001000);
    put32(img + 0x40 + 24, 0);
    put32(img + 0x40 + 28, 0x8000000);
    expect_error(img, len, NULL, "give more -m");
}

static void test_missing_module_file_is_an_error_naming_it(void **state)
{
    size_t len;
    uint8_t *img = make_elf(&len);

    expect_error(img, len, "/nonexistent/mod.bin arg", "/nonexistent/mod.bin");
}

/* ---- QEMU as the oracle (VIREO_CHECK_LONG=1) ---- */

/*
 * A multiboot kernel (a.out kludge, loaded at 0x200000, 291 bytes) that
 * prints what it received on COM1 and leaves through isa-debug-exit at
 * 0xF4. Its source (GNU as, 32-bit):
 *
 *   entry: cmp $0x2badb002,%eax; jne bad; mov %ebx,%ebp
 *          'F' hex(flags) 'L' hex(mem_lower) 'U' hex(mem_upper)
 *          'C' [cmdline] 'M' hex(mods_count); mov 24(%ebp),%edi
 *          'S' [mods[0].string] 'Z' hex(mod_end - mod_start)
 *          'D' hex(first dword of the module) 'P' hex(mod_start & 0xfff)
 *   bad:   '!'
 *   done:  '\n'; outb $0, $0xf4; hlt
 *   putc:  outb %al, $0x3f8      puts: '[' bytes ']'      puthex: 8 digits ' '
 *
 * with the header magic 0x1BADB002, flags 0x10002 and load/entry fields
 * header_addr 0x200004, load_addr 0x200000, load_end_addr = bss_end_addr
 * 0x200123, entry_addr 0x200024.
 */
static const uint8_t mb_probe_kernel[] = {
    0xeb, 0x22, 0x66, 0x90, 0x02, 0xb0, 0xad, 0x1b, 0x02, 0x00, 0x01, 0x00,
    0xfc, 0x4f, 0x51, 0xe4, 0x04, 0x00, 0x20, 0x00, 0x00, 0x00, 0x20, 0x00,
    0x23, 0x01, 0x20, 0x00, 0x23, 0x01, 0x20, 0x00, 0x24, 0x00, 0x20, 0x00,
    0x3d, 0x02, 0xb0, 0xad, 0x2b, 0x0f, 0x85, 0x95, 0x00, 0x00, 0x00, 0x89,
    0xdd, 0xb0, 0x46, 0xe8, 0xa4, 0x00, 0x00, 0x00, 0x8b, 0x45, 0x00, 0xe8,
    0xbd, 0x00, 0x00, 0x00, 0xb0, 0x4c, 0xe8, 0x95, 0x00, 0x00, 0x00, 0x8b,
    0x45, 0x04, 0xe8, 0xae, 0x00, 0x00, 0x00, 0xb0, 0x55, 0xe8, 0x86, 0x00,
    0x00, 0x00, 0x8b, 0x45, 0x08, 0xe8, 0x9f, 0x00, 0x00, 0x00, 0xb0, 0x43,
    0xe8, 0x77, 0x00, 0x00, 0x00, 0x8b, 0x75, 0x10, 0xe8, 0x75, 0x00, 0x00,
    0x00, 0xb0, 0x4d, 0xe8, 0x68, 0x00, 0x00, 0x00, 0x8b, 0x45, 0x14, 0xe8,
    0x81, 0x00, 0x00, 0x00, 0x8b, 0x7d, 0x18, 0xb0, 0x53, 0xe8, 0x56, 0x00,
    0x00, 0x00, 0x8b, 0x77, 0x08, 0xe8, 0x54, 0x00, 0x00, 0x00, 0xb0, 0x5a,
    0xe8, 0x47, 0x00, 0x00, 0x00, 0x8b, 0x47, 0x04, 0x2b, 0x07, 0xe8, 0x5e,
    0x00, 0x00, 0x00, 0xb0, 0x44, 0xe8, 0x36, 0x00, 0x00, 0x00, 0x8b, 0x07,
    0x8b, 0x00, 0xe8, 0x4e, 0x00, 0x00, 0x00, 0xb0, 0x50, 0xe8, 0x26, 0x00,
    0x00, 0x00, 0x8b, 0x07, 0x25, 0xff, 0x0f, 0x00, 0x00, 0xe8, 0x3b, 0x00,
    0x00, 0x00, 0xeb, 0x07, 0xb0, 0x21, 0xe8, 0x11, 0x00, 0x00, 0x00, 0xb0,
    0x0a, 0xe8, 0x0a, 0x00, 0x00, 0x00, 0x66, 0xba, 0xf4, 0x00, 0x31, 0xc0,
    0xee, 0xf4, 0xeb, 0xef, 0x66, 0xba, 0xf8, 0x03, 0xee, 0xc3, 0xb0, 0x5b,
    0xe8, 0xf3, 0xff, 0xff, 0xff, 0xac, 0x84, 0xc0, 0x74, 0x07, 0xe8, 0xe9,
    0xff, 0xff, 0xff, 0xeb, 0xf4, 0xb0, 0x5d, 0xe8, 0xe0, 0xff, 0xff, 0xff,
    0xc3, 0x89, 0xc3, 0xb9, 0x08, 0x00, 0x00, 0x00, 0xc1, 0xc3, 0x04, 0x89,
    0xd8, 0x83, 0xe0, 0x0f, 0x3c, 0x0a, 0x72, 0x02, 0x04, 0x27, 0x04, 0x30,
    0xe8, 0xc3, 0xff, 0xff, 0xff, 0xe2, 0xe9, 0xb0, 0x20, 0xe8, 0xba, 0xff,
    0xff, 0xff, 0xc3,
};

/*
 * A 512-byte firmware for QEMU placed at 0xFFE00 that enters the state a
 * loader prepared: it puts QEMU's PIIX4 PM block at 0x600 (PCI 00:01.3,
 * PMBA = 0x601, PMIOSE = 1), loads the GDTR (limit 31, base 0x1000), sets
 * CR0.PE, far-jumps to 0x10:0xFFE41, loads DS/ES/SS/FS/GS with 0x18, then
 * ESP, EAX, EBX, ESI from the immediates at STUB_ESP..STUB_ESI, clears
 * EBP and EDI, and jumps to the immediate at STUB_EIP. Assembled from:
 *   cli; (out 0xcf8/0xcfc x2); lgdtl %cs:0xfe70; mov %cr0,%eax; or $1,%eax;
 *   mov %eax,%cr0; ljmpl $0x10,$0xffe41; mov $0x18,%ax; mov %ax,%ds..%gs;
 *   mov $imm,%esp; mov $imm,%eax; mov $imm,%ebx; mov $imm,%esi;
 *   xor %ebp,%ebp; xor %edi,%edi; mov $imm,%ecx; jmp *%ecx; (GDTR at 0x70)
 */
static const uint8_t qemu_entry_stub[] = {
    0xfa, 0xba, 0xf8, 0x0c, 0x66, 0xb8, 0x40, 0x0b, 0x00, 0x80, 0x66, 0xef,
    0xba, 0xfc, 0x0c, 0x66, 0xb8, 0x01, 0x06, 0x00, 0x00, 0x66, 0xef, 0xba,
    0xf8, 0x0c, 0x66, 0xb8, 0x80, 0x0b, 0x00, 0x80, 0x66, 0xef, 0xba, 0xfc,
    0x0c, 0xb0, 0x01, 0xee, 0x2e, 0x66, 0x0f, 0x01, 0x16, 0x70, 0xfe, 0x0f,
    0x20, 0xc0, 0x66, 0x83, 0xc8, 0x01, 0x0f, 0x22, 0xc0, 0x66, 0xea, 0x41,
    0xfe, 0x0f, 0x00, 0x10, 0x00, 0x66, 0xb8, 0x18, 0x00, 0x8e, 0xd8, 0x8e,
    0xc0, 0x8e, 0xd0, 0x8e, 0xe0, 0x8e, 0xe8, 0xbc, 0x11, 0x11, 0x11, 0x11,
    0xb8, 0x22, 0x22, 0x22, 0x22, 0xbb, 0x33, 0x33, 0x33, 0x33, 0xbe, 0x44,
    0x44, 0x44, 0x44, 0x31, 0xed, 0x31, 0xff, 0xb9, 0x55, 0x55, 0x55, 0x55,
    0xff, 0xe1, 0x66, 0x90, 0x1f, 0x00, 0x00, 0x10, 0x00, 0x00,
};
#define STUB_ESP 0x50
#define STUB_EAX 0x55
#define STUB_EBX 0x5a
#define STUB_ESI 0x5f
#define STUB_EIP 0x68

static void write_file(const char *dir, const char *name, const void *p, size_t len)
{
    char *path = g_build_filename(dir, name, NULL);
    assert_true(g_file_set_contents(path, p, len, NULL));
    g_free(path);
}

/* Runs sh -c cmd in dir; its standard output (g_free). */
static char *run_in(const char *dir, const char *cmd)
{
    char *argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
    char *out = NULL;
    int status;

    assert_true(g_spawn_sync(dir, argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                             &out, NULL, &status, NULL));
    return out;
}

/* The value after "<tag>" in the probe kernel's line, or a string field. */
static char *field(const char *line, char tag)
{
    const char *p = line;

    while ((p = strchr(p, tag)) && p != line && p[-1] != ' ' && p[-1] != ']') {
        p++;
    }
    assert_non_null(p);
    p++;
    if (*p == '[') {
        return g_strndup(p + 1, strcspn(p + 1, "]"));
    }
    return g_strndup(p, strcspn(p, " \n"));
}

static uint32_t hexfield(const char *line, char tag)
{
    char *s = field(line, tag);
    uint32_t v = strtoul(s, NULL, 16);
    g_free(s);
    return v;
}

/*
 * With VIREO_CHECK_LONG=1 and qemu-system-x86: the same multiboot kernel,
 * command line and module, booted once by QEMU's own multiboot loader and
 * once from the state multiboot_image_load prepared, report the same
 * command line, module string, size, contents and alignment, and the
 * memory fields the spec asks for.
 */
static void test_probe_kernel_sees_the_same_as_under_qemus_loader(void **state)
{
    char *qemu = g_find_program_in_path("qemu-system-x86_64");
    const char *qargs = "-accel tcg -m 512 -display none -serial stdio "
                        "-device isa-debug-exit,iobase=0xf4,iosize=4";
    char *dir, *cwd, *ref, *ours, *cmd;
    uint8_t *area, *info;
    uint32_t mods;
    GError *err = NULL;
    MultibootImage *mb;
    Fixture *f;

    if (!long_run() || !qemu) {
        printf("skipped: needs VIREO_CHECK_LONG=1 and qemu-system-x86_64 (qemu-system-x86)\n");
        g_free(qemu);
        skip();
    }
    dir = g_dir_make_tmp("vireo-mbq-XXXXXX", NULL);
    write_file(dir, "mbk.bin", mb_probe_kernel, sizeof(mb_probe_kernel));
    write_file(dir, "mod.bin", "MODULE-DATA-1234", 16);
    cmd = g_strdup_printf("timeout 60 %s %s -kernel mbk.bin -append 'hello multiboot' "
                          "-initrd 'mod.bin some args'", qemu, qargs);
    ref = run_in(dir, cmd);
    g_free(cmd);

    f = fixture_new();
    memset(f->ram, 0, RAM_SIZE);
    cwd = g_get_current_dir();
    assert_int_equal(chdir(dir), 0);
    mb = multiboot_image_new("mbk.bin", g_memdup2(mb_probe_kernel, sizeof(mb_probe_kernel)),
                             sizeof(mb_probe_kernel), "mod.bin some args", "hello multiboot", &err);
    assert_int_equal(chdir(cwd), 0);
    assert_non_null(mb);
    assert_int_equal(multiboot_image_load(mb, &f->bm, &f->cpu->env, &err), 0);
    info = f->ram + f->cpu->env.regs[R_EBX];
    mods = get32(info + 24);
    area = g_malloc0(0x20000);
    memcpy(area + 0x1fe00, qemu_entry_stub, sizeof(qemu_entry_stub));
    put32(area + 0x1fe00 + STUB_ESP, f->cpu->env.regs[R_ESP]);
    put32(area + 0x1fe00 + STUB_EAX, f->cpu->env.regs[R_EAX]);
    put32(area + 0x1fe00 + STUB_EBX, f->cpu->env.regs[R_EBX]);
    put32(area + 0x1fe00 + STUB_ESI, f->cpu->env.regs[R_ESI]);
    put32(area + 0x1fe00 + STUB_EIP, f->cpu->env.rip);
    memcpy(area + 0x1fff0, "\xea\x00\xfe\x00\xf0", 5);    /* ljmp $0xf000, $0xfe00 */
    write_file(dir, "bios.bin", area, 0x20000);
    write_file(dir, "low.bin", f->ram, 0x9fc00);
    write_file(dir, "high.bin", f->ram + 0x200000, get32(f->ram + mods + 4) - 0x200000);
    cmd = g_strdup_printf("timeout 60 %s %s -bios bios.bin -device loader,file=low.bin,addr=0 "
                          "-device loader,file=high.bin,addr=0x200000", qemu, qargs);
    ours = run_in(dir, cmd);

    printf("qemu:  %s", ref);
    printf("vireo: %s", ours);
    assert_non_null(strchr(ref, 'F'));
    assert_null(strchr(ours, '!'));
    /* QEMU also sets boot_device (bit 1); the rest must agree. */
    assert_int_equal(hexfield(ours, 'F') & ~2u, hexfield(ref, 'F') & ~2u);
    assert_int_equal(hexfield(ours, 'L'), hexfield(ref, 'L'));
    /* QEMU keeps the top 128 KiB for its firmware tables; vireo does not. */
    assert_int_equal(hexfield(ours, 'U'), (RAM_SIZE - MiB) / KiB);
    for (const char *t = "CMSZDP"; *t; t++) {
        char *a = field(ours, *t), *b = field(ref, *t);
        if (strcmp(a, b) != 0) {
            fail_msg("field %c: vireo '%s', QEMU '%s'", *t, a, b);
        }
        g_free(a);
        g_free(b);
    }
    for (const char *n = "mbk.bin\0mod.bin\0bios.bin\0low.bin\0high.bin\0"; *n; n += strlen(n) + 1) {
        char *p = g_build_filename(dir, n, NULL);
        unlink(p);
        g_free(p);
    }
    rmdir(dir);
    multiboot_image_free(mb);
    fixture_free(f);
    g_free(area); g_free(ref); g_free(ours); g_free(cmd); g_free(cwd); g_free(dir); g_free(qemu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elf_segments_loaded_at_paddr_with_bss_zeroed),
        cmocka_unit_test(test_entry_state_follows_spec_3_2),
        cmocka_unit_test(test_info_has_memory_cmdline_and_mmap_matching_e820),
        cmocka_unit_test(test_cmdline_without_append_is_the_kernel_path),
        cmocka_unit_test(test_aout_kludge_loads_range_and_zeroes_bss),
        cmocka_unit_test(test_modules_placed_page_aligned_above_kernel_with_strings),
        cmocka_unit_test(test_reload_restores_kernel_after_guest_overwrote_it),
        cmocka_unit_test(test_bad_checksum_is_not_a_multiboot_kernel),
        cmocka_unit_test(test_header_past_8k_is_not_found),
        cmocka_unit_test(test_unknown_required_flag_is_an_error),
        cmocka_unit_test(test_truncated_elf_program_headers_are_an_error),
        cmocka_unit_test(test_truncated_elf_segment_is_an_error),
        cmocka_unit_test(test_elf64_is_an_error),
        cmocka_unit_test(test_aout_load_end_past_file_is_an_error),
        cmocka_unit_test(test_segment_outside_ram_is_an_error),
        cmocka_unit_test(test_missing_module_file_is_an_error_naming_it),
        cmocka_unit_test(test_probe_kernel_sees_the_same_as_under_qemus_loader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
