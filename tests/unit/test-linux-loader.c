/*
 * test-linux-loader.c: the Linux boot protocol loader (hw/pc/linux-boot.c)
 * and the board's RAM map (hw/pc/boot-mem.c) on synthetic bzImages built
 * here in memory: boot_params fields, the e820 table, initrd placement,
 * the 32-bit entry state, reload at reset, and one clear error for each
 * kind of broken image.
 */
#include "vireo/common.h"
#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>
#include <unistd.h>
#include "hw/loader.h"
#include "hw/pc.h"
#include "test-util.h"

#define TEST_PM_LEN 0x3000

static void put16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }
static uint16_t get16(const uint8_t *p) { return p[0] | p[1] << 8; }
static uint32_t get32(const uint8_t *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

/* A bzImage: 4 setup sectors + boot sector, a setup header of the given
 * protocol version, and TEST_PM_LEN bytes of "protected-mode kernel". */
static uint8_t *make_bzimage(uint16_t version, uint8_t setup_sects, size_t *len)
{
    size_t setup = ((setup_sects ? setup_sects : 4) + 1) * 512;
    uint8_t *d = g_malloc0(setup + TEST_PM_LEN);

    d[0x1f1] = setup_sects;
    put16(d + 0x1fe, 0xaa55);
    d[0x200] = 0xeb;
    d[0x201] = 0x6a;                 /* header ends at 0x26c */
    memcpy(d + 0x202, "HdrS", 4);
    put16(d + 0x206, version);
    d[0x211] = 0x01;                 /* LOADED_HIGH */
    put32(d + 0x214, 0x100000);
    put32(d + 0x22c, 0x7fffffff);    /* initrd_addr_max */
    put32(d + 0x230, 0x200000);      /* kernel_alignment */
    d[0x234] = 1;                    /* relocatable */
    put32(d + 0x238, 2047);          /* cmdline_size */
    put32(d + 0x258, 0x1000000);     /* pref_address: 16 MiB */
    put32(d + 0x260, 0x400000);      /* init_size: 4 MiB */
    d[0x1ef] = 0xff;                 /* the sentinel a loader must not copy */
    for (size_t i = 0; i < TEST_PM_LEN; i++) {
        d[setup + i] = (uint8_t)(i * 7 + 1);
    }
    *len = setup + TEST_PM_LEN;
    return d;
}

typedef struct Fixture {
    BootMem bm;
    uint8_t *ram;
    X86CPU *cpu;
    char *tmpfile;
} Fixture;

static Fixture *fixture_new(uint64_t ram_size)
{
    Fixture *f = g_new0(Fixture, 1);

    f->ram = g_malloc0(ram_size);
    boot_mem_init(&f->bm, f->ram, ram_size);
    f->cpu = x86_cpu_new(0);
    return f;
}

static void fixture_free(Fixture *f)
{
    if (f->tmpfile) {
        unlink(f->tmpfile);
        g_free(f->tmpfile);
    }
    x86_cpu_free(f->cpu);
    g_free(f->ram);
    g_free(f);
}

/* Writes len bytes of a pattern to a temporary file (the initrd). */
static char *make_initrd(Fixture *f, size_t len)
{
    GError *err = NULL;
    int fd = g_file_open_tmp("vireo-initrd-XXXXXX", &f->tmpfile, &err);
    uint8_t *buf = g_malloc(len);

    assert_true(fd >= 0);
    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)(i ^ 0x5a);
    }
    assert_true(write(fd, buf, len) == (ssize_t)len);
    close(fd);
    g_free(buf);
    return f->tmpfile;
}

/* Builds and loads; returns the error message (g_free) or NULL on success. */
static char *try_load(Fixture *f, uint8_t *img, size_t len, const char *initrd,
                      const char *cmdline)
{
    GError *err = NULL;
    LinuxImage *li = linux_image_new("test-bzImage", img, len, initrd, cmdline, &err);
    char *msg = NULL;

    if (li && linux_image_load(li, &f->bm, &f->cpu->env, &err) == 0) {
        linux_image_free(li);
        return NULL;
    }
    linux_image_free(li);
    assert_non_null(err);
    msg = g_strdup(err->message);
    g_error_free(err);
    return msg;
}

static void test_good_bzimage_builds_boot_params_and_loads_kernel(void **state)
{
    Fixture *f = fixture_new(64 * MiB);
    size_t len;
    uint8_t *img = make_bzimage(0x20f, 4, &len);
    char *msg = try_load(f, img, len, NULL, "console=ttyS0 panic=-1");
    const uint8_t *bp = f->ram + LINUX_ZERO_PAGE;

    assert_null(msg);
    assert_int_equal(bp[0x210], 0xff);                    /* type_of_loader */
    assert_int_equal(get16(bp + 0x206), 0x20f);           /* header copied */
    assert_memory_equal(bp + 0x202, "HdrS", 4);
    assert_int_equal(bp[0x1ef], 0);                       /* sentinel not copied */
    assert_int_equal(get32(bp + 0x228), LINUX_CMDLINE);
    assert_string_equal((char *)f->ram + LINUX_CMDLINE, "console=ttyS0 panic=-1");
    assert_int_equal(get32(bp + 0x218), 0);               /* no initrd */
    assert_int_equal(get32(bp + 0x21c), 0);
    /* The protected-mode part lands at 1 MiB. */
    for (size_t i = 0; i < TEST_PM_LEN; i++) {
        assert_int_equal(f->ram[LINUX_KERNEL_ADDR + i], (uint8_t)(i * 7 + 1));
    }
    fixture_free(f);
}

static void test_e820_in_boot_params_matches_board_map(void **state)
{
    Fixture *f = fixture_new(64 * MiB);
    size_t len;
    uint8_t *img = make_bzimage(0x20f, 4, &len);
    const uint8_t *bp = f->ram + LINUX_ZERO_PAGE;

    assert_null(try_load(f, img, len, NULL, ""));
    assert_int_equal(bp[0x1e8], f->bm.e820_count);
    for (int i = 0; i < f->bm.e820_count; i++) {
        const uint8_t *e = bp + 0x2d0 + 20 * i;
        assert_int_equal(get64(e), f->bm.e820[i].addr);
        assert_int_equal(get64(e + 8), f->bm.e820[i].size);
        assert_int_equal(get32(e + 16), f->bm.e820[i].type);
    }
    fixture_free(f);
}

static void test_e820_small_ram_has_low_ram_reserved_bios_and_high_ram(void **state)
{
    BootMem bm;

    boot_mem_init(&bm, NULL, 128 * MiB);
    assert_int_equal(bm.e820_count, 5);
    assert_int_equal(bm.e820[0].addr, 0);
    assert_int_equal(bm.e820[0].size, 0x9fc00);
    assert_int_equal(bm.e820[0].type, E820_RAM);
    assert_int_equal(bm.e820[1].addr, 0x9fc00);
    assert_int_equal(bm.e820[1].addr + bm.e820[1].size, 0x100000);
    assert_int_equal(bm.e820[1].type, E820_RESERVED);
    assert_int_equal(bm.e820[2].addr, 0x100000);
    assert_int_equal(bm.e820[2].addr + bm.e820[2].size, 128 * MiB);
    assert_int_equal(bm.e820[3].addr, 0xfec00000);
    assert_int_equal(bm.e820[3].type, E820_RESERVED);
    assert_int_equal(bm.e820[4].addr, 0xfee00000);
    assert_int_equal(bm.e820[4].type, E820_RESERVED);
}

static void test_e820_large_ram_splits_at_pci_hole(void **state)
{
    BootMem bm;

    boot_mem_init(&bm, NULL, 4 * GiB);
    assert_int_equal(bm.below_4g, 0xc0000000);
    assert_int_equal(bm.e820[2].addr + bm.e820[2].size, 0xc0000000);
    assert_int_equal(bm.e820_count, 6);
    assert_int_equal(bm.e820[5].addr, 4 * GiB);
    assert_int_equal(bm.e820[5].size, 1 * GiB);
    assert_int_equal(bm.e820[5].type, E820_RAM);
    /* Host offsets: above 4 GiB continues after the below-4G part. */
    bm.ram = (uint8_t *)0x10000;
    assert_ptr_equal(boot_mem_ptr(&bm, 4 * GiB, 16), (uint8_t *)0x10000 + 0xc0000000);
    assert_null(boot_mem_ptr(&bm, 0xc0000000 - 8, 16));
    assert_null(boot_mem_ptr(&bm, 0xa0000, 1));
}

static void test_initrd_placed_high_page_aligned_above_kernel(void **state)
{
    Fixture *f = fixture_new(64 * MiB);
    size_t len;
    uint8_t *img = make_bzimage(0x20f, 4, &len);
    char *initrd = make_initrd(f, 100000);
    const uint8_t *bp = f->ram + LINUX_ZERO_PAGE;
    uint32_t addr, size;

    assert_null(try_load(f, img, len, initrd, ""));
    addr = get32(bp + 0x218);
    size = get32(bp + 0x21c);
    assert_int_equal(size, 100000);
    assert_int_equal(addr & 0xfff, 0);
    assert_true(addr + size <= 64 * MiB);
    assert_true(addr + size > 64 * MiB - 0x1000);     /* as high as possible */
    assert_true(addr >= 0x1000000 + 0x400000);        /* above pref_address + init_size */
    for (uint32_t i = 0; i < size; i++) {
        assert_int_equal(f->ram[addr + i], (uint8_t)(i ^ 0x5a));
    }
    fixture_free(f);
}

static void test_initrd_respects_initrd_addr_max(void **state)
{
    Fixture *f = fixture_new(64 * MiB);
    size_t len;
    uint8_t *img = make_bzimage(0x20f, 4, &len);
    char *initrd = make_initrd(f, 5000);
    const uint8_t *bp = f->ram + LINUX_ZERO_PAGE;

    put32(img + 0x22c, 32 * MiB - 1);
    assert_null(try_load(f, img, len, initrd, ""));
    assert_true(get32(bp + 0x218) + 5000 <= 32 * MiB);
    assert_true(get32(bp + 0x218) >= 32 * MiB - 0x2000);
    fixture_free(f);
}

static void test_initrd_too_large_is_an_error_naming_it(void **state)
{
    Fixture *f = fixture_new(24 * MiB);
    size_t len;
    uint8_t *img = make_bzimage(0x20f, 4, &len);
    char *initrd = make_initrd(f, 8 * MiB);
    char *msg = try_load(f, img, len, initrd, "");

    assert_non_null(msg);
    assert_non_null(strstr(msg, initrd));
    assert_non_null(strstr(msg, "does not fit"));
    g_free(msg);
    fixture_free(f);
}

static void test_missing_initrd_file_is_an_error_naming_it(void **state)
{
    Fixture *f = fixture_new(64 * MiB);
    size_t len;
    uint8_t *img = make_bzimage(0x20f, 4, &len);
    char *msg = try_load(f, img, len, "/nonexistent/initrd.gz", "");

    assert_non_null(strstr(msg, "/nonexistent/initrd.gz"));
    g_free(msg);
    fixture_free(f);
}

static void test_entry_state_is_flat_32bit_protected_mode(void **state)
{
    Fixture *f = fixture_new(64 * MiB);
    size_t len;
    uint8_t *img = make_bzimage(0x20f, 4, &len);
    X86CPUState *env = &f->cpu->env;
    static const uint8_t code_desc[8] = { 0xff, 0xff, 0, 0, 0, 0x9b, 0xcf, 0 };
    static const uint8_t data_desc[8] = { 0xff, 0xff, 0, 0, 0, 0x93, 0xcf, 0 };

    env->regs[R_EBX] = env->regs[R_EBP] = env->regs[R_EDI] = 0x1234;
    assert_null(try_load(f, img, len, NULL, ""));
    assert_true(env->cr[0] & CR0_PE);
    assert_false(env->cr[0] & CR0_PG);
    assert_int_equal(env->rip, 0x100000);
    assert_int_equal(env->regs[R_ESI], LINUX_ZERO_PAGE);
    assert_int_equal(env->regs[R_EBX], 0);
    assert_int_equal(env->regs[R_EBP], 0);
    assert_int_equal(env->regs[R_EDI], 0);
    assert_false(x86_eflags_get(env) & IF_MASK);
    assert_int_equal(env->segs[R_CS].selector, 0x10);
    assert_int_equal(env->segs[R_CS].base, 0);
    assert_int_equal(env->segs[R_CS].limit, 0xffffffff);
    assert_true(env->segs[R_CS].flags & DESC_B_MASK);
    for (int s = R_ES; s <= R_GS; s++) {
        if (s != R_CS) {
            assert_int_equal(env->segs[s].selector, 0x18);
            assert_int_equal(env->segs[s].limit, 0xffffffff);
        }
    }
    assert_true(env->hflags & HF_PE_MASK);
    assert_true(env->hflags & HF_CS32_MASK);
    assert_int_equal(env->gdt.base, BOOT_GDT_ADDR);
    assert_memory_equal(f->ram + BOOT_GDT_ADDR + 0x10, code_desc, 8);
    assert_memory_equal(f->ram + BOOT_GDT_ADDR + 0x18, data_desc, 8);
    fixture_free(f);
}

static void test_setup_sects_zero_means_four(void **state)
{
    Fixture *f = fixture_new(64 * MiB);
    size_t len;
    uint8_t *img = make_bzimage(0x20f, 0, &len);

    assert_int_equal(len, 5 * 512 + TEST_PM_LEN);
    assert_null(try_load(f, img, len, NULL, ""));
    assert_int_equal(f->ram[LINUX_KERNEL_ADDR], 1);
    assert_int_equal(f->ram[LINUX_KERNEL_ADDR + 1], 8);
    fixture_free(f);
}

static void test_rsdp_passed_from_protocol_2_14(void **state)
{
    Fixture *f = fixture_new(64 * MiB);
    size_t len;
    uint8_t *img = make_bzimage(0x20f, 4, &len);

    f->bm.rsdp_addr = 0xe0010;
    assert_null(try_load(f, img, len, NULL, ""));
    assert_int_equal(get64(f->ram + LINUX_ZERO_PAGE + 0x70), 0xe0010);
    fixture_free(f);
}

static void test_reload_restores_kernel_after_guest_overwrote_it(void **state)
{
    Fixture *f = fixture_new(64 * MiB);
    size_t len;
    uint8_t *img = make_bzimage(0x20f, 4, &len);
    GError *err = NULL;
    LinuxImage *li = linux_image_new("k", img, len, NULL, "x", &err);

    assert_non_null(li);
    assert_int_equal(linux_image_load(li, &f->bm, &f->cpu->env, &err), 0);
    memset(f->ram + LINUX_KERNEL_ADDR, 0xcc, TEST_PM_LEN);
    memset(f->ram + LINUX_ZERO_PAGE, 0xcc, 0x1000);
    x86_cpu_reset(f->cpu);
    assert_int_equal(linux_image_load(li, &f->bm, &f->cpu->env, &err), 0);
    assert_int_equal(f->ram[LINUX_KERNEL_ADDR + 2], 15);
    assert_int_equal(f->ram[LINUX_ZERO_PAGE + 0x210], 0xff);
    assert_int_equal(f->cpu->env.rip, 0x100000);
    linux_image_free(li);
    fixture_free(f);
}

static void expect_error(uint8_t *img, size_t len, const char *cmdline, const char *what)
{
    Fixture *f = fixture_new(64 * MiB);
    char *msg = try_load(f, img, len, NULL, cmdline);

    assert_non_null(msg);
    assert_non_null(strstr(msg, "test-bzImage"));
    if (!strstr(msg, what)) {
        fail_msg("error '%s' does not say '%s'", msg, what);
    }
    g_free(msg);
    fixture_free(f);
}

static void test_truncated_header_is_an_error(void **state)
{
    size_t len;
    uint8_t *img = make_bzimage(0x20f, 4, &len);
    expect_error(img, 0x100, "", "truncated");
}

static void test_truncated_kernel_body_is_an_error(void **state)
{
    size_t len;
    uint8_t *img = make_bzimage(0x20f, 4, &len);
    expect_error(img, 4 * 512, "", "truncated");
}

static void test_missing_hdrs_is_an_error(void **state)
{
    size_t len;
    uint8_t *img = make_bzimage(0x20f, 4, &len);
    img[0x202] = 'X';
    expect_error(img, len, "", "HdrS");
}

static void test_old_protocol_is_an_error(void **state)
{
    size_t len;
    uint8_t *img = make_bzimage(0x205, 4, &len);
    expect_error(img, len, "", "2.05");
}

static void test_zimage_is_an_error(void **state)
{
    size_t len;
    uint8_t *img = make_bzimage(0x20f, 4, &len);
    img[0x211] = 0;
    expect_error(img, len, "", "zImage");
}

static void test_cmdline_longer_than_cmdline_size_is_an_error(void **state)
{
    size_t len;
    uint8_t *img = make_bzimage(0x20f, 4, &len);
    put32(img + 0x238, 8);
    expect_error(img, len, "console=ttyS0", "at most 8");
}

static void test_kernel_larger_than_ram_is_an_error(void **state)
{
    size_t len;
    uint8_t *img = make_bzimage(0x20f, 4, &len);
    put32(img + 0x260, 0x8000000);   /* init_size 128 MiB > 64 MiB of RAM */
    expect_error(img, len, "", "give more -m");
}

/*
 * A 512-byte firmware stub for QEMU, placed at 0xFFE00 (0xFFFFFE00), that
 * does what vireo's board does in C before the first instruction: it
 * enters the Linux 32-bit boot state the loader prepared in RAM. It also
 * puts QEMU's PIIX4 PM block at 0x600 (PCI 00:01.3, PMBA = 0x601 and
 * PMIOSE = 1), the address vireo's FADT names, so that the guest's ACPI
 * power-off through vireo's \_S5 ends QEMU.
 */
static const uint8_t qemu_stub[] = {
    0xfa,                                     /* cli */
    0xba, 0xf8, 0x0c,                         /* mov $0xcf8, %dx */
    0x66, 0xb8, 0x40, 0x0b, 0x00, 0x80,       /* mov $0x80000b40, %eax: 00:01.3 reg 0x40 */
    0x66, 0xef,                               /* out %eax, (%dx) */
    0xba, 0xfc, 0x0c,                         /* mov $0xcfc, %dx */
    0x66, 0xb8, 0x01, 0x06, 0x00, 0x00,       /* mov $0x601, %eax: PMBA = 0x600, I/O */
    0x66, 0xef,                               /* out %eax, (%dx) */
    0xba, 0xf8, 0x0c,                         /* mov $0xcf8, %dx */
    0x66, 0xb8, 0x80, 0x0b, 0x00, 0x80,       /* mov $0x80000b80, %eax: reg 0x80 */
    0x66, 0xef,                               /* out %eax, (%dx) */
    0xba, 0xfc, 0x0c,                         /* mov $0xcfc, %dx */
    0xb0, 0x01,                               /* mov $1, %al: PMIOSE */
    0xee,                                     /* out %al, (%dx) */
    0x2e, 0x66, 0x0f, 0x01, 0x16, 0x68, 0xfe, /* lgdtl %cs:0xfe68 */
    0x0f, 0x20, 0xc0,                         /* mov %cr0, %eax */
    0x66, 0x83, 0xc8, 0x01,                   /* or $1, %eax: PE */
    0x0f, 0x22, 0xc0,                         /* mov %eax, %cr0 */
    0x66, 0xea, 0x41, 0xfe, 0x0f, 0x00, 0x10, 0x00, /* ljmpl $0x10, $0xffe41 */
    /* 0xffe41, 32-bit code: */
    0x66, 0xb8, 0x18, 0x00,                   /* mov $0x18, %ax */
    0x8e, 0xd8, 0x8e, 0xc0, 0x8e, 0xd0,       /* mov %ax, %ds / %es / %ss */
    0x8e, 0xe0, 0x8e, 0xe8,                   /* mov %ax, %fs / %gs */
    0xbc, 0x00, 0x70, 0x00, 0x00,             /* mov $0x7000, %esp */
    0xbe, 0x00, 0x70, 0x00, 0x00,             /* mov $0x7000, %esi: boot_params */
    0x31, 0xed, 0x31, 0xff, 0x31, 0xdb,       /* xor %ebp, %edi, %ebx */
    0xb8, 0x00, 0x00, 0x10, 0x00,             /* mov $0x100000, %eax */
    0xff, 0xe0,                               /* jmp *%eax */
    0x66, 0x90,                               /* padding */
    0x1f, 0x00, 0x00, 0x10, 0x00, 0x00,       /* 0xffe68: GDTR limit 31, base 0x1000 */
};
static const uint8_t qemu_reset_vector[] = {
    0xea, 0x00, 0xfe, 0x00, 0xf0,             /* 0xffff0: ljmp $0xf000, $0xfe00 */
};

static void write_file(const char *dir, const char *name, const void *p, size_t len)
{
    char *path = g_build_filename(dir, name, NULL);
    assert_true(g_file_set_contents(path, p, len, NULL));
    g_free(path);
}

/*
 * With VIREO_CHECK_LONG=1, qemu-system-x86_64 and build/images: the
 * Debian kernel and workload.cpio.gz, placed by linux_image_load with the
 * board's ACPI tables, boot under QEMU (which only plays the CPU and the
 * chipset) to the workload's last marker and power off via \_S5.
 */
static void test_debian_kernel_boots_in_qemu_from_loader_state(void **state)
{
    const char *images = g_getenv("VIREO_IMAGES") ? g_getenv("VIREO_IMAGES") : "build/images";
    char *qemu = g_find_program_in_path("qemu-system-x86_64");
    char *kernel = g_build_filename(images, "vmlinuz", NULL);
    char *initrd = g_build_filename(images, "workload.cpio.gz", NULL);
    uint8_t *area, *data, *bp;
    size_t len;
    char *dir, *out = NULL, *cmd, *err_out = NULL;
    uint32_t ird, irs;
    GError *err = NULL;
    LinuxImage *li;
    Fixture *f;
    int status;

    if (!long_run() || !qemu || !g_file_test(kernel, G_FILE_TEST_EXISTS) ||
        !g_file_test(initrd, G_FILE_TEST_EXISTS)) {
        printf("skipped: needs VIREO_CHECK_LONG=1, qemu-system-x86_64 (qemu-system-x86) "
               "and scripts/build-guest-images.sh output\n");
        g_free(qemu); g_free(kernel); g_free(initrd);
        skip();
    }
    f = fixture_new(512 * MiB);
    area = g_malloc0(0x20000);
    f->bm.rsdp_addr = pc_firmware_tables_build(area, 0xe0000, 0x20000);
    assert_int_equal(boot_read_file("kernel", kernel, &data, &len, NULL), 0);
    li = linux_image_new(kernel, data, len, initrd, "console=ttyS0 panic=-1", &err);
    assert_non_null(li);
    assert_int_equal(linux_image_load(li, &f->bm, &f->cpu->env, &err), 0);
    bp = f->ram + LINUX_ZERO_PAGE;
    ird = get32(bp + 0x218);
    irs = get32(bp + 0x21c);
    memcpy(area + 0x1fe00, qemu_stub, sizeof(qemu_stub));
    memcpy(area + 0x1fff0, qemu_reset_vector, sizeof(qemu_reset_vector));

    dir = g_dir_make_tmp("vireo-qemu-XXXXXX", NULL);
    assert_non_null(dir);
    write_file(dir, "low.bin", f->ram, 0x9fc00);
    write_file(dir, "kernel.bin", f->ram + LINUX_KERNEL_ADDR, len);
    write_file(dir, "initrd.bin", f->ram + ird, irs);
    write_file(dir, "bios.bin", area, 0x20000);
    cmd = g_strdup_printf("cd %s && timeout 300 %s -accel tcg -m 512 -nographic -no-reboot "
                          "-bios bios.bin -device loader,file=low.bin,addr=0 "
                          "-device loader,file=kernel.bin,addr=0x100000 "
                          "-device loader,file=initrd.bin,addr=0x%x; "
                          "rm -f low.bin kernel.bin initrd.bin bios.bin", dir, qemu, ird);
    {
        char *argv[] = { "/bin/sh", "-c", cmd, NULL };
        assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 &out, &err_out, &status, NULL));
    }
    rmdir(dir);
    assert_non_null(strstr(out, "BIOS-e820: [mem 0x0000000000100000-0x000000001fffffff] usable"));
    assert_non_null(strstr(out, "ACPI: INT_SRC_OVR (bus 0 bus_irq 9 global_irq 9 high level)"));
    assert_non_null(strstr(out, "ACPI: PM: (supports S0 S5)"));
    assert_non_null(strstr(out, "VIREO-MARKER: init started"));
    assert_non_null(strstr(out, "VIREO-RESULT arith 990470"));
    assert_non_null(strstr(out, "VIREO-MARKER: workload done"));
    assert_non_null(strstr(out, "reboot: Power down"));
    assert_true(g_spawn_check_wait_status(status, NULL));   /* powered off, no timeout */
    linux_image_free(li);
    g_free(out); g_free(err_out); g_free(cmd); g_free(dir); g_free(area);
    g_free(qemu); g_free(kernel); g_free(initrd);
    fixture_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_bzimage_builds_boot_params_and_loads_kernel),
        cmocka_unit_test(test_e820_in_boot_params_matches_board_map),
        cmocka_unit_test(test_e820_small_ram_has_low_ram_reserved_bios_and_high_ram),
        cmocka_unit_test(test_e820_large_ram_splits_at_pci_hole),
        cmocka_unit_test(test_initrd_placed_high_page_aligned_above_kernel),
        cmocka_unit_test(test_initrd_respects_initrd_addr_max),
        cmocka_unit_test(test_initrd_too_large_is_an_error_naming_it),
        cmocka_unit_test(test_missing_initrd_file_is_an_error_naming_it),
        cmocka_unit_test(test_entry_state_is_flat_32bit_protected_mode),
        cmocka_unit_test(test_setup_sects_zero_means_four),
        cmocka_unit_test(test_rsdp_passed_from_protocol_2_14),
        cmocka_unit_test(test_reload_restores_kernel_after_guest_overwrote_it),
        cmocka_unit_test(test_truncated_header_is_an_error),
        cmocka_unit_test(test_truncated_kernel_body_is_an_error),
        cmocka_unit_test(test_missing_hdrs_is_an_error),
        cmocka_unit_test(test_old_protocol_is_an_error),
        cmocka_unit_test(test_zimage_is_an_error),
        cmocka_unit_test(test_cmdline_longer_than_cmdline_size_is_an_error),
        cmocka_unit_test(test_kernel_larger_than_ram_is_an_error),
        cmocka_unit_test(test_debian_kernel_boots_in_qemu_from_loader_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
