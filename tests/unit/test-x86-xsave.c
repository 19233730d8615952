/*
 * test-x86-xsave.c: XSAVE, XSAVEOPT, XRSTOR, XGETBV and XSETBV under the
 * translator (x87 and SSE components, xsave_helper.c), on both backends,
 * in 64-bit mode. The XSAVE image of a known x87/SSE state is compared
 * with the host CPU's own XSAVE of the same state (the same code bytes run
 * natively, RFBM = 3) over bytes 0..575 except FOP, FIP, FCS, FDP and FDS
 * (bytes 6..23): they describe the last x87 instruction and its operand
 * at the host's and the guest's own addresses, so they legitimately
 * differ. Also: XRSTOR round trips, the init state for clear XSTATE_BV
 * bits, the #GP/#UD/#NM cases, XSETBV/XGETBV, CPUID.1/0xD and CR4.OSXSAVE.
 */
#include "test-x86-translate-harness.h"
#include "target-x86/cpuid.h"
#include <cpuid.h>
#include <sys/mman.h>

#define AREA 0x400u          /* XSAVE area offset from H_DATA (64-aligned) */
#define AREA2 0x800u
#define XSZ 576

/* Code bytes building a known x87/SSE state from the data at RDI, then
 * XSAVE [RDI + AREA] with EDX:EAX = 3, then FNINIT and LDMXCSR [RDI+0x48]
 * (restoring the host's state when it runs natively). */
static size_t state_code(uint8_t *c)
{
    static const uint8_t head[] = {
        0xdb, 0xe3,                 /* fninit */
        0xd9, 0x6f, 0x40,           /* fldcw [rdi+0x40] */
        0xdd, 0x07,                 /* fld qword [rdi] */
        0xdd, 0x47, 0x08,           /* fld qword [rdi+8] */
        0xd9, 0xe8,                 /* fld1 */
        0xd9, 0xeb,                 /* fldpi */
        0x0f, 0xae, 0x57, 0x44,     /* ldmxcsr [rdi+0x44] */
    };
    static const uint8_t tail[] = {
        0xb8, 3, 0, 0, 0,           /* mov eax, 3 */
        0x31, 0xd2,                 /* xor edx, edx */
        0x0f, 0xae, 0xa7, AREA & 0xff, AREA >> 8, 0, 0,  /* xsave [rdi+AREA] */
        0xdb, 0xe3,                 /* fninit */
        0x0f, 0xae, 0x57, 0x48,     /* ldmxcsr [rdi+0x48] */
    };
    size_t n = 0;

    memcpy(c, head, sizeof(head));
    n += sizeof(head);
    for (int i = 0; i < 16; i++) {   /* movdqu xmmI, [rdi + 0x80 + 16 * I] */
        uint32_t disp = 0x80 + 16 * i;
        c[n++] = 0xf3;
        if (i >= 8) {
            c[n++] = 0x44;
        }
        c[n++] = 0x0f;
        c[n++] = 0x6f;
        c[n++] = 0x80 | ((i & 7) << 3) | 7;
        memcpy(c + n, &disp, 4);
        n += 4;
    }
    memcpy(c + n, tail, sizeof(tail));
    return n + sizeof(tail);
}

/* The input data block (0x100 bytes) and a pre-filled XSAVE area. */
static void fill_data(uint8_t *d)
{
    double a = 1.5, b = -2.25e10;
    uint16_t fcw = 0x0b7f;
    uint32_t mxcsr = 0x7f81, host_mxcsr = 0x1f80;

    memset(d, 0, AREA2 + XSZ);
    memcpy(d, &a, 8);
    memcpy(d + 8, &b, 8);
    memcpy(d + 0x40, &fcw, 2);
    memcpy(d + 0x44, &mxcsr, 4);
    memcpy(d + 0x48, &host_mxcsr, 4);
    for (int i = 0; i < 256; i++) {
        d[0x80 + i] = (uint8_t)(i * 37 + 11);
    }
    memset(d + AREA, 0xa5, XSZ);
    memset(d + AREA + 512, 0, 64);
    memset(d + AREA2, 0xa5, XSZ);
    memset(d + AREA2 + 512, 0, 64);
}

/* 64-bit mode with CR4.OSFXSR/OSXSAVE, XCR0 = 3, the TCG CPUID model. */
static void xs_mode(void)
{
    h_mode_long64();
    x86_cpuid_restrict_for_tcg(h.env);
    h.env->cr[4] |= CR4_OSFXSR | CR4_OSXSAVE;
    h.env->xcr0 = 3;
    h.env->regs[R_EDI] = H_DATA;
}

static int run_insn(const uint8_t *c, size_t n)
{
    assert_int_equal(h_run(c, n), EXCP_HLT);
    return h_stub_vector();
}

static void run_state(void)
{
    uint8_t code[256];
    size_t n = state_code(code);

    fill_data(h.ram + H_DATA);
    assert_int_equal(run_insn(code, n), -1);
}

static bool host_has_xsave(void)
{
    unsigned a, b, c, d;
    uint32_t lo, hi;

    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) {
        return false;
    }
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (lo & 3) == 3;
}

static void test_xsave_image_matches_host_xsave(void **state)
{
    uint8_t code[256], *page, *host;
    size_t n = state_code(code);

    (void)state;
    if (!host_has_xsave()) {
        skip();
    }
    xs_mode();
    run_state();
    page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
                -1, 0);
    assert_true(page != MAP_FAILED);
    memcpy(page, code, n);
    page[n] = 0xc3;
    host = aligned_alloc(64, 0x1000);
    fill_data(host);
    ((void (*)(void *))page)(host);
    munmap(page, 4096);
    assert_memory_equal(h.ram + H_DATA + AREA, host + AREA, 6);
    assert_memory_equal(h.ram + H_DATA + AREA + 24, host + AREA + 24, 4);
    assert_memory_equal(h.ram + H_DATA + AREA + 32, host + AREA + 32, XSZ - 32);
    free(host);
}

static void test_xrstor_round_trip_restores_x87_and_sse(void **state)
{
    static const uint8_t code[] = {
        0xb8, 3, 0, 0, 0, 0x31, 0xd2,
        0x0f, 0xae, 0xaf, AREA & 0xff, AREA >> 8, 0, 0,     /* xrstor [rdi+AREA] */
        0x0f, 0xae, 0xa7, AREA2 & 0xff, AREA2 >> 8, 0, 0,   /* xsave [rdi+AREA2] */
    };
    uint8_t *d;

    (void)state;
    xs_mode();
    run_state();
    d = h.ram + H_DATA;
    assert_int_equal(h.env->fpuc, 0x37f);
    memset(h.env->xmm, 0, sizeof(h.env->xmm));
    assert_int_equal(run_insn(code, sizeof(code)), -1);
    assert_int_equal(h.env->fpuc, 0x0b7f);
    assert_int_equal(h.env->mxcsr, 0x7f81);
    assert_int_equal(h.env->fpstt, 4);
    assert_memory_equal(h.env->xmm, d + 0x80, 256);
    assert_memory_equal(d + AREA, d + AREA2, XSZ);
    assert_int_equal(d[AREA + 512], 3);
}

static void test_xsaveopt_writes_same_image_as_xsave(void **state)
{
    static const uint8_t code[] = {
        0xb8, 3, 0, 0, 0, 0x31, 0xd2,
        0x0f, 0xae, 0xaf, AREA & 0xff, AREA >> 8, 0, 0,     /* xrstor [rdi+AREA] */
        0x0f, 0xae, 0xb7, AREA2 & 0xff, AREA2 >> 8, 0, 0,   /* xsaveopt [rdi+AREA2] */
    };

    (void)state;
    xs_mode();
    run_state();
    assert_int_equal(run_insn(code, sizeof(code)), -1);
    assert_memory_equal(h.ram + H_DATA + AREA, h.ram + H_DATA + AREA2, XSZ);
}

static void test_xrstor_clear_xstate_bv_loads_init_state(void **state)
{
    static const uint8_t code[] = {
        0xb8, 3, 0, 0, 0, 0x31, 0xd2,
        0x0f, 0xae, 0xaf, AREA & 0xff, AREA >> 8, 0, 0,     /* xrstor [rdi+AREA] */
    };
    static const uint8_t code_x87_only[] = {
        0xb8, 1, 0, 0, 0, 0x31, 0xd2,
        0x0f, 0xae, 0xaf, AREA & 0xff, AREA >> 8, 0, 0,     /* xrstor [rdi+AREA] */
    };

    (void)state;
    xs_mode();
    run_state();
    h.ram[H_DATA + AREA + 512] = 0;
    h.env->fpuc = 0x77f;
    h.env->mxcsr = 0x1f80;
    memset(h.env->xmm, 0xff, sizeof(h.env->xmm));
    assert_int_equal(run_insn(code, sizeof(code)), -1);
    assert_int_equal(h.env->fpuc, 0x37f);
    assert_int_equal(h.env->fpstt, 0);
    assert_int_equal(h.env->xmm[15].q[1], 0);
    assert_int_equal(h.env->xmm[0].q[0], 0);
    assert_int_equal(h.env->mxcsr, 0x7f81);  /* MXCSR comes from memory anyway */
    /* RFBM = 1: SSE state is left alone. */
    h.ram[H_DATA + AREA + 512] = 3;
    memset(h.env->xmm, 0xff, sizeof(h.env->xmm));
    h.env->mxcsr = 0x1f80;
    assert_int_equal(run_insn(code_x87_only, sizeof(code_x87_only)), -1);
    assert_int_equal(h.env->fpuc, 0x0b7f);
    assert_int_equal(h.env->mxcsr, 0x1f80);
    assert_int_equal(h.env->xmm[3].q[0], UINT64_MAX);
}

/* Runs "mov eax,3; xor edx,edx; <op> [rdi+disp]" and returns the vector. */
static int run_mem_op(uint8_t reg, uint32_t disp)
{
    uint8_t code[] = { 0xb8, 3, 0, 0, 0, 0x31, 0xd2, 0x0f, 0xae,
                       (uint8_t)(0x80 | (reg << 3) | 7), 0, 0, 0, 0 };

    memcpy(code + 10, &disp, 4);
    return run_insn(code, sizeof(code));
}

static void test_xsave_xrstor_faults(void **state)
{
    uint8_t *hdr;

    (void)state;
    xs_mode();
    run_state();
    hdr = h.ram + H_DATA + AREA + 512;
    assert_int_equal(run_mem_op(4, AREA + 16), EXCP_GP);     /* misaligned XSAVE */
    assert_int_equal(run_mem_op(5, AREA + 32), EXCP_GP);     /* misaligned XRSTOR */
    hdr[15] = 0x80;                                          /* XCOMP_BV[63] */
    assert_int_equal(run_mem_op(5, AREA), EXCP_GP);
    hdr[15] = 0;
    hdr[20] = 1;                                             /* header bytes 16..23 */
    assert_int_equal(run_mem_op(5, AREA), EXCP_GP);
    hdr[20] = 0;
    hdr[0] = 7;                                              /* XSTATE_BV[2], not in XCR0 */
    assert_int_equal(run_mem_op(5, AREA), EXCP_GP);
    hdr[0] = 3;
    h.ram[H_DATA + AREA + 26] = 1;                           /* MXCSR reserved bit */
    h.env->fpuc = 0x37f;
    assert_int_equal(run_mem_op(5, AREA), EXCP_GP);
    assert_int_equal(h.env->fpuc, 0x37f);                    /* nothing loaded */
    h.ram[H_DATA + AREA + 26] = 0;
    assert_int_equal(run_mem_op(5, AREA), -1);
    h.env->cr[0] |= CR0_TS;
    assert_int_equal(run_mem_op(4, AREA), EXCP_NM);
    h.env->cr[0] &= ~CR0_TS;
    h.env->cr[4] &= ~CR4_OSXSAVE;
    assert_int_equal(run_mem_op(4, AREA), EXCP_UD);
    assert_int_equal(run_mem_op(5, AREA), EXCP_UD);
}

/* Runs "mov eax,a; mov edx,0; mov ecx,c; <0f 01 op>" and returns the vector. */
static int run_xcr(uint8_t op, uint32_t a, uint32_t c)
{
    uint8_t code[] = { 0xb8, 0, 0, 0, 0, 0xba, 0, 0, 0, 0, 0xb9, 0, 0, 0, 0, 0x0f, 0x01, op };

    memcpy(code + 1, &a, 4);
    memcpy(code + 11, &c, 4);
    return run_insn(code, sizeof(code));
}

static void test_xsetbv_xgetbv(void **state)
{
    (void)state;
    xs_mode();
    assert_int_equal(run_xcr(0xd1, 1, 0), -1);
    assert_int_equal(h.env->xcr0, 1);
    assert_int_equal(run_xcr(0xd0, 0, 0), -1);
    assert_int_equal(h.env->regs[R_EAX], 1);
    assert_int_equal(h.env->regs[R_EDX], 0);
    assert_int_equal(run_xcr(0xd1, 3, 0), -1);
    assert_int_equal(run_xcr(0xd0, 0, 0), -1);
    assert_int_equal(h.env->regs[R_EAX], 3);
    assert_int_equal(run_xcr(0xd1, 2, 0), EXCP_GP);   /* x87 bit clear */
    assert_int_equal(run_xcr(0xd1, 7, 0), EXCP_GP);   /* AVX not supported */
    assert_int_equal(run_xcr(0xd1, 3, 1), EXCP_GP);   /* ECX != 0 */
    assert_int_equal(run_xcr(0xd0, 0, 1), EXCP_GP);   /* XGETBV1 not advertised */
    assert_int_equal(h.env->xcr0, 3);
    h.env->cr[4] &= ~CR4_OSXSAVE;
    assert_int_equal(run_xcr(0xd0, 0, 0), EXCP_UD);
    assert_int_equal(run_xcr(0xd1, 3, 0), EXCP_UD);
}

static void test_cpuid_leaves_and_cr4_osxsave(void **state)
{
    static const uint8_t cpuid[] = { 0x0f, 0xa2 };
    static const uint8_t mov_cr4[] = { 0x0f, 0x22, 0xe0 };   /* mov cr4, rax */

    (void)state;
    h_mode_long64();
    /* The base model does not advertise XSAVE: CR4.OSXSAVE is reserved. */
    h.env->regs[R_EAX] = h.env->cr[4] | CR4_OSXSAVE;
    assert_int_equal(run_insn(mov_cr4, sizeof(mov_cr4)), EXCP_GP);
    x86_cpuid_restrict_for_tcg(h.env);
    h.env->regs[R_EAX] = 1;
    assert_int_equal(run_insn(cpuid, sizeof(cpuid)), -1);
    assert_true(h.env->regs[R_ECX] & CPUID_EXT_XSAVE);
    assert_false(h.env->regs[R_ECX] & CPUID_EXT_OSXSAVE);
    h.env->regs[R_EAX] = h.env->cr[4] | CR4_OSXSAVE;
    assert_int_equal(run_insn(mov_cr4, sizeof(mov_cr4)), -1);
    assert_true(h.env->cr[4] & CR4_OSXSAVE);
    h.env->regs[R_EAX] = 1;
    assert_int_equal(run_insn(cpuid, sizeof(cpuid)), -1);
    assert_true(h.env->regs[R_ECX] & CPUID_EXT_OSXSAVE);
    h.env->regs[R_EAX] = 0xd;
    h.env->regs[R_ECX] = 0;
    assert_int_equal(run_insn(cpuid, sizeof(cpuid)), -1);
    assert_int_equal(h.env->regs[R_EAX], 3);
    assert_int_equal(h.env->regs[R_EBX], XSZ);
    assert_int_equal(h.env->regs[R_ECX], XSZ);
    assert_int_equal(h.env->regs[R_EDX], 0);
    h.env->regs[R_EAX] = 0xd;
    h.env->regs[R_ECX] = 1;
    assert_int_equal(run_insn(cpuid, sizeof(cpuid)), -1);
    assert_int_equal(h.env->regs[R_EAX], 1);
}

int main(void)
{
#if !defined(__x86_64__)
    fprintf(stderr, "test-x86-xsave: needs an x86-64 host\n");
    return 77;
#endif
    const struct CMUnitTest tests[] = {
        BOTH_BACKENDS(test_xsave_image_matches_host_xsave),
        BOTH_BACKENDS(test_xrstor_round_trip_restores_x87_and_sse),
        BOTH_BACKENDS(test_xsaveopt_writes_same_image_as_xsave),
        BOTH_BACKENDS(test_xrstor_clear_xstate_bv_loads_init_state),
        BOTH_BACKENDS(test_xsave_xrstor_faults),
        BOTH_BACKENDS(test_xsetbv_xgetbv),
        BOTH_BACKENDS(test_cpuid_leaves_and_cr4_osxsave),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
