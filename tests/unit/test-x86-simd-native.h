/*
 * test-x86-simd-native.h: the host CPU as the oracle for single SIMD
 * instructions (SSSE3, SSE4.1) under the translator. A case is one
 * instruction with XMM1 (or MM1) as the first operand, XMM2/MM2, RAX or a
 * RIP-relative memory operand as the second, XMM0 as the implicit BLENDV
 * mask, and an optional imm8; it runs natively (a wrapper loads XMM0-2,
 * RAX, RCX, MXCSR and the flags, calls the bytes and stores them back;
 * an unmasked #XM arrives as SIGFPE and a misaligned operand's #GP as
 * SIGSEGV, both read from the signal context) and under the translator in
 * 64-bit mode, and XMM0-2, RAX, RCX, MXCSR, the arithmetic flags, the data
 * area and the exception must match bit for bit. MMX forms load MM1/MM2
 * from the data area, store MM1 back and end with EMMS. Operands are edge
 * values (zeros, infinities, denormals, NaNs of both kinds, rounding
 * boundaries, saturation limits) and the MXCSR is random (RC, FTZ, DAZ,
 * masks). Included by test-x86-ssse3.c and test-x86-sse41.c only.
 */
#ifndef TEST_X86_SIMD_NATIVE_H
#define TEST_X86_SIMD_NATIVE_H

#include "test-x86-translate-harness.h"
#include "target-x86/cpuid.h"
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>

typedef struct SimdState {
    uint64_t xmm[3][2];   /* 0: XMM0..XMM2 */
    uint64_t rax, rcx;    /* 48, 56 */
    uint32_t mxcsr, pad;  /* 64 */
    uint64_t flags;       /* 72 */
    uint32_t host_mxcsr;  /* 80 */
} SimdState;

void simd_native_call(SimdState *st, const void *code);

__asm__(".text\n"
        ".globl simd_native_call\n"
        ".type simd_native_call, @function\n"
        "simd_native_call:\n"
        "    push %rbx\n"
        "    push %rbp\n"
        "    push %r12\n"
        "    mov %rdi, %r12\n"
        "    mov %rsi, %rbp\n"
        "    stmxcsr 80(%r12)\n"
        "    movdqu 0(%r12), %xmm0\n"
        "    movdqu 16(%r12), %xmm1\n"
        "    movdqu 32(%r12), %xmm2\n"
        "    mov 48(%r12), %rax\n"
        "    mov 56(%r12), %rcx\n"
        "    pushq 72(%r12)\n"
        "    popfq\n"
        "    ldmxcsr 64(%r12)\n"
        "    call *%rbp\n"
        "    stmxcsr 64(%r12)\n"
        "    ldmxcsr 80(%r12)\n"
        "    pushfq\n"
        "    popq 72(%r12)\n"
        "    movdqu %xmm0, 0(%r12)\n"
        "    movdqu %xmm1, 16(%r12)\n"
        "    movdqu %xmm2, 32(%r12)\n"
        "    mov %rax, 48(%r12)\n"
        "    mov %rcx, 56(%r12)\n"
        "    pop %r12\n"
        "    pop %rbp\n"
        "    pop %rbx\n"
        "    ret\n"
        ".size simd_native_call, .-simd_native_call\n");

/* Operand forms of a SimdInsn. */
enum {
    SK_XMM,      /* xmm1, xmm2/m */
    SK_MMX,      /* mm1, mm2/m64 */
    SK_GPR_RM,   /* r/m is RAX or memory (PEXTR*, PINSR*, EXTRACTPS) */
    SK_MEM_ONLY, /* xmm1, m128 (MOVNTDQA) */
};

typedef struct SimdInsn {
    const char *name;
    uint8_t op[6];       /* prefixes, REX, opcode bytes */
    uint8_t oplen;
    uint8_t kind;        /* SK_* */
    bool imm;            /* takes an imm8 */
    uint8_t width;       /* operand values: 0 integers, 4 float32, 8 float64 */
    uint8_t memsize;     /* bytes of the memory form (16: alignment-checked) */
} SimdInsn;

#define SIMD_DATA 0x1000u     /* data area offset from the code, both sides */
#define SIMD_DATA_LEN 0x40u

static uint8_t *simd_page;
static unsigned long simd_cases, simd_traps;
static sigjmp_buf simd_jmp;
static volatile int simd_trap_vec;
static volatile uint32_t simd_trap_mxcsr;
static volatile uint64_t simd_trap_xmm[3][2];

static void simd_on_signal(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;

    (void)si;
    simd_trap_vec = sig == SIGFPE ? EXCP_XM : EXCP_GP;
    simd_trap_mxcsr = uc->uc_mcontext.fpregs->mxcsr;
    memcpy((void *)simd_trap_xmm, &uc->uc_mcontext.fpregs->_xmm[0], 48);
    siglongjmp(simd_jmp, 1);
}

/* cmocka installs its own handlers around each test: take them back. */
static void simd_signals(void)
{
    struct sigaction sa = { .sa_sigaction = simd_on_signal,
                            .sa_flags = SA_SIGINFO | SA_NODEFER };

    sigemptyset(&sa.sa_mask);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
}

/* Runs the bytes natively: the exception vector, or -1. */
static int simd_run_native(const uint8_t *code, unsigned len, SimdState *st)
{
    memcpy(simd_page, code, len);
    simd_page[len] = 0xc3;
    if (sigsetjmp(simd_jmp, 1)) {
        st->mxcsr = simd_trap_mxcsr;
        memcpy(st->xmm, (const void *)simd_trap_xmm, 48);
        return simd_trap_vec;
    }
    simd_native_call(st, simd_page);
    return -1;
}

static void simd_emit_rip(uint8_t *buf, unsigned *len, unsigned reg, unsigned target,
                          unsigned tail)
{
    int32_t disp;

    buf[(*len)++] = (uint8_t)(0x05 | reg << 3);
    disp = (int32_t)(target - (*len + 4 + tail));
    memcpy(buf + *len, &disp, 4);
    *len += 4;
}

/* A MOVQ mm, m64 (store: MOVQ m64, mm) at the data area offset off. */
static void simd_emit_mmx_mov(uint8_t *buf, unsigned *len, unsigned reg, unsigned off,
                              bool store)
{
    buf[(*len)++] = 0x0f;
    buf[(*len)++] = store ? 0x7f : 0x6f;
    simd_emit_rip(buf, len, reg, SIMD_DATA + off, 0);
}

/*
 * Assembles insn: register form (mem false) or memory form at data offset
 * mem_off. Returns the length.
 */
static unsigned simd_assemble(const SimdInsn *in, bool mem, unsigned mem_off, uint8_t imm,
                              uint8_t *buf)
{
    unsigned len = 0;

    if (in->kind == SK_MMX) {
        simd_emit_mmx_mov(buf, &len, 1, 0x20, false);
        simd_emit_mmx_mov(buf, &len, 2, 0x28, false);
    }
    memcpy(buf + len, in->op, in->oplen);
    len += in->oplen;
    if (mem || in->kind == SK_MEM_ONLY) {
        simd_emit_rip(buf, &len, 1, SIMD_DATA + mem_off, in->imm ? 1 : 0);
    } else {
        buf[len++] = in->kind == SK_GPR_RM ? 0xc8 : 0xca;   /* rm RAX or reg 2 */
    }
    if (in->imm) {
        buf[len++] = imm;
    }
    if (in->kind == SK_MMX) {
        simd_emit_mmx_mov(buf, &len, 1, 0x30, true);
        buf[len++] = 0x0f;
        buf[len++] = 0x77;                                  /* EMMS */
    }
    return len;
}

static const uint32_t simd_f32_edges[] = {
    0x00000000, 0x80000000, 0x00000001, 0x807fffff, 0x00800000, 0x3f800000, 0xbf800000,
    0x3f000000, 0xbf000000, 0x3fc00000, 0x40200000, 0xc0200000, 0x4b000000, 0x4b7fffff,
    0xcb000001, 0x4affffff, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00000,
    0xffc00000, 0x7fa00001, 0xff800001, 0x3eaaaaab, 0x0d800000, 0x1f800000, 0x5f000000,
};

static const uint64_t simd_f64_edges[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x0000000000000001ull,
    0x800fffffffffffffull, 0x0010000000000000ull, 0x3ff0000000000000ull,
    0xbff0000000000000ull, 0x3fe0000000000000ull, 0xbfe0000000000000ull,
    0x3ff8000000000000ull, 0x4004000000000000ull, 0xc004000000000000ull,
    0x4330000000000000ull, 0x432fffffffffffffull, 0xc330000000000001ull,
    0x7fefffffffffffffull, 0xffefffffffffffffull, 0x7ff0000000000000ull,
    0xfff0000000000000ull, 0x7ff8000000000000ull, 0xfff8000000000000ull,
    0x7ff4000000000001ull, 0xfff0000000000001ull, 0x3fd5555555555555ull,
    0x2000000000000000ull, 0x5ff0000000000000ull, 0x0350000000000000ull,
};

static const uint8_t simd_byte_edges[] = { 0x00, 0x01, 0x7f, 0x80, 0x81, 0xff, 0xfe, 0x0f };

static uint64_t simd_rand64(GRand *r)
{
    return ((uint64_t)g_rand_int(r) << 32) | g_rand_int(r);
}

/* Integer lanes: random bits, edge bytes, or whole edge words/dwords. */
static uint64_t simd_rand_int(GRand *r)
{
    uint64_t v = simd_rand64(r);

    switch (g_rand_int_range(r, 0, 4)) {
    case 0:
        for (int i = 0; i < 8; i++) {
            if (g_rand_boolean(r)) {
                v &= ~(0xffull << (8 * i));
                v |= (uint64_t)simd_byte_edges[g_rand_int_range(r, 0, 8)] << (8 * i);
            }
        }
        return v;
    case 1: return g_rand_boolean(r) ? 0x7fff80007fff8000ull : 0x8000000080000000ull;
    case 2: return v & 0x00ff00ff00ff00ffull;
    default: return v;
    }
}

static uint32_t simd_rand_f32(GRand *r)
{
    uint32_t v = simd_f32_edges[g_rand_int_range(r, 0, ARRAY_SIZE(simd_f32_edges))];

    switch (g_rand_int_range(r, 0, 6)) {
    case 0: return v + 1;
    case 1: return v - 1;
    case 2: return g_rand_int(r);
    case 3: return (v & 0xff800000u) | (g_rand_int(r) & 0x7fffff);
    default: return v;
    }
}

static uint64_t simd_rand_f64(GRand *r)
{
    uint64_t v = simd_f64_edges[g_rand_int_range(r, 0, ARRAY_SIZE(simd_f64_edges))];

    switch (g_rand_int_range(r, 0, 6)) {
    case 0: return v + 1;
    case 1: return v - 1;
    case 2: return simd_rand64(r);
    case 3: return (v & 0xfff0000000000000ull) | (simd_rand64(r) & 0xfffffffffffffull);
    default: return v;
    }
}

static uint64_t simd_rand_q(GRand *r, unsigned width)
{
    if (width == 4) {
        return simd_rand_f32(r) | (uint64_t)simd_rand_f32(r) << 32;
    }
    return width == 8 ? simd_rand_f64(r) : simd_rand_int(r);
}

/* Random MXCSR: mostly all masked; random RC, FTZ, DAZ and sticky flags. */
static uint32_t simd_rand_mxcsr(GRand *r)
{
    uint32_t m = g_rand_int_range(r, 0, 4) ? 0x1f80 : (g_rand_int(r) & 0x1f80);

    m |= (g_rand_int(r) & 3) << 13;
    m |= g_rand_boolean(r) ? 0x8000 : 0;
    m |= g_rand_boolean(r) ? 0x40 : 0;
    m |= g_rand_int_range(r, 0, 3) ? 0 : (g_rand_int(r) & 0x3f);
    return m;
}

static void simd_report(const SimdInsn *in, const uint8_t *code, unsigned len,
                        const SimdState *t, const SimdState *n, int nvec, int tvec)
{
    X86CPUState *env = h.env;

    fprintf(stderr, "mismatch: %s, bytes", in->name);
    for (unsigned i = 0; i < len; i++) {
        fprintf(stderr, " %02x", code[i]);
    }
    fprintf(stderr, "\n in: mxcsr=%04x rax=%" PRIx64, t->mxcsr, t->rax);
    for (int i = 0; i < 3; i++) {
        fprintf(stderr, " xmm%d=%016" PRIx64 ":%016" PRIx64, i, t->xmm[i][1], t->xmm[i][0]);
    }
    fprintf(stderr, "\n cpu: vec=%d mxcsr=%04x rax=%" PRIx64 " fl=%" PRIx64, nvec, n->mxcsr,
            n->rax, n->flags & CC_MASK);
    for (int i = 0; i < 3; i++) {
        fprintf(stderr, " xmm%d=%016" PRIx64 ":%016" PRIx64, i, n->xmm[i][1], n->xmm[i][0]);
    }
    fprintf(stderr, "\n tcg: vec=%d mxcsr=%04x rax=%" PRIx64 " fl=%" PRIx64, tvec,
            env->mxcsr, env->regs[R_EAX], x86_eflags_get(env) & CC_MASK);
    for (int i = 0; i < 3; i++) {
        fprintf(stderr, " xmm%d=%016" PRIx64 ":%016" PRIx64, i, env->xmm[i].q[1],
                env->xmm[i].q[0]);
    }
    fprintf(stderr, "\n");
}

/*
 * One random case of in: random operands, immediate, MXCSR and form
 * (register or memory; a 16-byte memory operand is misaligned one time in
 * sixteen), native against the translator.
 */
static void simd_check_one(const SimdInsn *in, GRand *r)
{
    SimdState n = { 0 }, t;
    X86CPUState *env = h.env;
    uint8_t code[64], data[SIMD_DATA_LEN];
    bool mem = in->kind == SK_MEM_ONLY || (in->memsize && g_rand_int_range(r, 0, 3) == 0);
    unsigned off = 0, len;
    int nvec, tvec;

    if (mem && in->memsize == 16 && g_rand_int_range(r, 0, 16) == 0) {
        off = (unsigned)g_rand_int_range(r, 1, 16);
    } else if (mem && in->memsize < 16) {
        off = (unsigned)g_rand_int_range(r, 0, 16 - in->memsize + 1);
    }
    len = simd_assemble(in, mem, off, (uint8_t)g_rand_int(r), code);
    for (int i = 0; i < 3; i++) {
        n.xmm[i][0] = simd_rand_q(r, in->width);
        n.xmm[i][1] = simd_rand_q(r, in->width);
    }
    for (unsigned i = 0; i < SIMD_DATA_LEN; i += 8) {
        uint64_t v = simd_rand_q(r, in->width);
        memcpy(data + i, &v, 8);
    }
    n.rax = simd_rand_int(r);
    n.rcx = simd_rand_int(r);
    n.mxcsr = simd_rand_mxcsr(r);
    n.flags = 0x2 | (g_rand_int(r) & CC_MASK);
    t = n;

    memcpy(simd_page + SIMD_DATA, data, SIMD_DATA_LEN);
    nvec = simd_run_native(code, len, &n);

    for (int i = 0; i < 3; i++) {
        env->xmm[i].q[0] = t.xmm[i][0];
        env->xmm[i].q[1] = t.xmm[i][1];
    }
    env->regs[R_EAX] = t.rax;
    env->regs[R_ECX] = t.rcx;
    env->regs[R_ESP] = H_STACK;
    env->mxcsr = t.mxcsr;
    x86_eflags_set(env, t.flags);
    h_put(H_CODE + SIMD_DATA, data, SIMD_DATA_LEN);
    assert_int_equal(h_run(code, len), EXCP_HLT);
    tvec = h_stub_vector();
    if (memcmp(env->xmm, n.xmm, 48) || env->mxcsr != n.mxcsr || nvec != tvec ||
        (nvec < 0 && (env->regs[R_EAX] != n.rax || env->regs[R_ECX] != n.rcx ||
                      (x86_eflags_get(env) & CC_MASK) != (n.flags & CC_MASK) ||
                      memcmp(simd_page + SIMD_DATA, h.ram + H_CODE + SIMD_DATA,
                             SIMD_DATA_LEN)))) {
        simd_report(in, code, len, &t, &n, nvec, tvec);
        fail();
    }
    simd_cases++;
    simd_traps += nvec >= 0;
}

static unsigned simd_case_count(unsigned normal)
{
    const char *l = getenv("VIREO_CHECK_LONG");

    return l && *l == '1' ? normal * 20 : normal;
}

/* Runs count random cases of each of the n instructions. */
static void simd_check_all(const SimdInsn *insns, unsigned n, unsigned count, uint32_t seed)
{
    GRand *r = g_rand_new_with_seed(seed);

    simd_signals();
    x86_cpuid_restrict_for_tcg(h.env);
    h_mode_long64();
    h_put_stubs();
    h.env->cr[4] |= CR4_OSFXSR | CR4_OSXMMEXCPT;
    for (unsigned k = 0; k < n; k++) {
        for (unsigned i = 0; i < count; i++) {
            simd_check_one(&insns[k], r);
        }
    }
    g_rand_free(r);
}

static int simd_native_setup(void **state)
{
    (void)state;
    simd_page = mmap(NULL, 8192, PROT_READ | PROT_WRITE | PROT_EXEC,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (simd_page == MAP_FAILED) {
        fprintf(stderr, "cannot map an executable page for the native side\n");
        return -1;
    }
    return 0;
}

static int simd_native_teardown(void **state)
{
    (void)state;
    fprintf(stderr, "simd comparisons with the host: %lu cases (%lu raised an exception)\n",
            simd_cases, simd_traps);
    munmap(simd_page, 8192);
    return 0;
}

#endif
