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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
