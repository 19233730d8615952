/*
 * test-x86-sse-fp.c: SSE/SSE2 floating point under the translator, with
 * the host CPU as the oracle. Each case is one instruction on XMM0/XMM1
 * (or RAX) with random edge values (zeros and infinities of both signs,
 * denormals, NaNs quiet and signalling, rounding and integer-range
 * boundaries) and a random MXCSR (rounding mode, FTZ, DAZ, masks, sticky
 * flags). It runs natively (through a wrapper that loads XMM0, XMM1, RAX,
 * MXCSR and the flags, calls the bytes and stores them back; an unmasked
 * exception arrives as SIGFPE and is read from the signal context) and
 * under the translator in 64-bit mode, on both backends; XMM0, RAX,
 * MXCSR, the arithmetic flags and whether #XM was raised must match bit
 * for bit (with an MMX destination, FCW, FSW, the abridged tag word and MM0
 * from an FXSAVE image too). SSE3's ADDSUB, HADD/HSUB, MOVxDUP and LDDQU are included.
 * RCPSS/RSQRTSS (whose exact results differ between vendors) are
 * checked against the SDM's error bound instead. VIREO_CHECK_LONG=1 runs
 * twenty times more cases.
 */
#include "test-x86-translate-harness.h"
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>
#include "test-util.h"

typedef struct FpState {
    uint64_t xmm0[2];     /* 0 */
    uint64_t xmm1[2];     /* 16 */
    uint64_t rax, rbx;    /* 32, 40 */
    uint64_t pad[2];      /* 48 */
    uint32_t mxcsr, pad2; /* 64 */
    uint64_t flags;       /* 72 */
    uint32_t host_mxcsr;  /* 80 */
} FpState;

void native_fp_call(FpState *st, const void *code);

__asm__(".text\n"
        ".globl native_fp_call\n"
        ".type native_fp_call, @function\n"
        "native_fp_call:\n"
        "    push %rbx\n"
        "    push %rbp\n"
        "    push %r12\n"
        "    mov %rdi, %r12\n"
        "    mov %rsi, %rbp\n"
        "    stmxcsr 80(%r12)\n"
        "    movdqu 0(%r12), %xmm0\n"
        "    movdqu 16(%r12), %xmm1\n"
        "    mov 32(%r12), %rax\n"
        "    mov 40(%r12), %rbx\n"
        "    pushq 72(%r12)\n"
        "    popfq\n"
        "    ldmxcsr 64(%r12)\n"
        "    call *%rbp\n"
        "    stmxcsr 64(%r12)\n"
        "    ldmxcsr 80(%r12)\n"
        "    pushfq\n"
        "    popq 72(%r12)\n"
        "    movdqu %xmm0, 0(%r12)\n"
        "    mov %rax, 32(%r12)\n"
        "    mov %rbx, 40(%r12)\n"
        "    pop %r12\n"
        "    pop %rbp\n"
        "    pop %rbx\n"
        "    ret\n"
        ".size native_fp_call, .-native_fp_call\n");

static uint8_t *native_page;
static unsigned long n_cases, n_traps;
static sigjmp_buf trap_jmp;
static volatile uint32_t trap_mxcsr;
static volatile uint64_t trap_xmm0[2];

static void on_sigfpe(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;

    (void)sig;
    (void)si;
    trap_mxcsr = uc->uc_mcontext.fpregs->mxcsr;
    memcpy((void *)trap_xmm0, &uc->uc_mcontext.fpregs->_xmm[0], 16);
    siglongjmp(trap_jmp, 1);
}

/* Runs the bytes natively: true if an unmasked exception trapped. */
static bool run_native(const uint8_t *code, unsigned len, FpState *st)
{
    memcpy(native_page, code, len);
    native_page[len] = 0xc3;
    if (sigsetjmp(trap_jmp, 1)) {
        st->mxcsr = trap_mxcsr;
        memcpy(st->xmm0, (const void *)trap_xmm0, 16);
        return true;
    }
    native_fp_call(st, native_page);
    return false;
}

static const uint32_t f32_edges[] = {
    0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007fffff, 0x807fffff,
    0x00800000, 0x80800000, 0x3f800000, 0xbf800000, 0x3fc00000, 0x40200000,
    0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000,
    0x7fa00001, 0xff800001, 0x3eaaaaab, 0x4effffff, 0x4f000000, 0xcf000000,
    0xcf000001, 0x5effffff, 0x5f000000, 0xdf000000, 0x3f000000, 0x3f7fffff,
    0x00400000, 0x01000000, 0x7e800000, 0x33800000, 0x4b000001, 0xc0400000,
};

static const uint64_t f64_edges[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x0000000000000001ull,
    0x8000000000000001ull, 0x000fffffffffffffull, 0x800fffffffffffffull,
    0x0010000000000000ull, 0x8010000000000000ull, 0x3ff0000000000000ull,
    0xbff0000000000000ull, 0x3ff8000000000000ull, 0x4004000000000000ull,
    0x7fefffffffffffffull, 0xffefffffffffffffull, 0x7ff0000000000000ull,
    0xfff0000000000000ull, 0x7ff8000000000000ull, 0xfff8000000000000ull,
    0x7ff4000000000001ull, 0xfff0000000000001ull, 0x3fd5555555555555ull,
    0x41dfffffffc00000ull, 0x41e0000000000000ull, 0xc1e0000000000000ull,
    0xc1e0000000200000ull, 0x43dfffffffffffffull, 0x43e0000000000000ull,
    0xc3e0000000000000ull, 0x3fe0000000000000ull, 0x3fefffffffffffffull,
    0x36a0000000000000ull, 0x47efffffe0000000ull, 0x47f0000000000000ull,
    0x3810000000000000ull, 0x380fffffffffffffull, 0x4330000000000001ull,
};

static const uint64_t int_edges[] = {
    0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x7fffffffffffffffull,
    0x8000000000000000ull, 0xffffffffffffffffull, 0x1000001, 0xffffffffff000001ull,
    0x20000000000001ull, 0x123456789abcdefull, 3,
};

/* One random element: an edge value, a neighbour of one, or random bits. */
static uint32_t rand_f32(GRand *r)
{
    uint32_t v = f32_edges[g_rand_int_range(r, 0, ARRAY_SIZE(f32_edges))];

    switch (g_rand_int_range(r, 0, 5)) {
    case 0: return v + 1;
    case 1: return g_rand_int(r);
    case 2: return (v & 0xff800000u) | (g_rand_int(r) & 0x7fffff);
    default: return v;
    }
}

static uint64_t rand_f64(GRand *r)
{
    uint64_t v = f64_edges[g_rand_int_range(r, 0, ARRAY_SIZE(f64_edges))];
    uint64_t bits = ((uint64_t)g_rand_int(r) << 32) | g_rand_int(r);

    switch (g_rand_int_range(r, 0, 5)) {
    case 0: return v + 1;
    case 1: return bits;
    case 2: return (v & 0xfff0000000000000ull) | (bits & 0xfffffffffffffull);
    default: return v;
    }
}

static void rand_xmm(GRand *r, unsigned width, uint64_t x[2])
{
    if (width == 4) {
        for (int i = 0; i < 2; i++) {
            x[i] = rand_f32(r) | (uint64_t)rand_f32(r) << 32;
        }
    } else {
        x[0] = rand_f64(r);
        x[1] = rand_f64(r);
    }
}

/* Random MXCSR: mostly all masked, sometimes random masks; random RC,
 * FTZ, DAZ and sticky flags. */
static uint32_t rand_mxcsr(GRand *r)
{
    uint32_t m = g_rand_int_range(r, 0, 4) ? 0x1f80 : (g_rand_int(r) & 0x1f80);

    m |= (g_rand_int(r) & 3) << 13;
    m |= g_rand_boolean(r) ? 0x8000 : 0;
    m |= g_rand_boolean(r) ? 0x40 : 0;
    m |= g_rand_int_range(r, 0, 3) ? 0 : (g_rand_int(r) & 0x3f);
    return m;
}

typedef struct FpInsn {
    const char *name;
    uint8_t bytes[16];
    unsigned len;
    uint8_t width;      /* 4: inputs are float32 lanes; 8: float64; 0: integers */
    bool fxsave;        /* compare the x87 state saved at data + 0x100 */
} FpInsn;

/* xmm0 op= xmm1 (ModRM C1), rax forms use C0. */
#define I2(n, w, ...) { n, { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }), w, false }
/* MMX destination: then FXSAVE [rip -> data + 0x100] and FNINIT. */
#define IMX(n, w, ...) { n, { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }), w, true }

static const FpInsn insns[] = {
    I2("addps", 4, 0x0f, 0x58, 0xc1), I2("addpd", 8, 0x66, 0x0f, 0x58, 0xc1),
    I2("addss", 4, 0xf3, 0x0f, 0x58, 0xc1), I2("addsd", 8, 0xf2, 0x0f, 0x58, 0xc1),
    I2("mulps", 4, 0x0f, 0x59, 0xc1), I2("mulpd", 8, 0x66, 0x0f, 0x59, 0xc1),
    I2("mulss", 4, 0xf3, 0x0f, 0x59, 0xc1), I2("mulsd", 8, 0xf2, 0x0f, 0x59, 0xc1),
    I2("subps", 4, 0x0f, 0x5c, 0xc1), I2("subpd", 8, 0x66, 0x0f, 0x5c, 0xc1),
    I2("subss", 4, 0xf3, 0x0f, 0x5c, 0xc1), I2("subsd", 8, 0xf2, 0x0f, 0x5c, 0xc1),
    I2("minps", 4, 0x0f, 0x5d, 0xc1), I2("minpd", 8, 0x66, 0x0f, 0x5d, 0xc1),
    I2("minss", 4, 0xf3, 0x0f, 0x5d, 0xc1), I2("minsd", 8, 0xf2, 0x0f, 0x5d, 0xc1),
    I2("divps", 4, 0x0f, 0x5e, 0xc1), I2("divpd", 8, 0x66, 0x0f, 0x5e, 0xc1),
    I2("divss", 4, 0xf3, 0x0f, 0x5e, 0xc1), I2("divsd", 8, 0xf2, 0x0f, 0x5e, 0xc1),
    I2("maxps", 4, 0x0f, 0x5f, 0xc1), I2("maxpd", 8, 0x66, 0x0f, 0x5f, 0xc1),
    I2("maxss", 4, 0xf3, 0x0f, 0x5f, 0xc1), I2("maxsd", 8, 0xf2, 0x0f, 0x5f, 0xc1),
    I2("sqrtps", 4, 0x0f, 0x51, 0xc1), I2("sqrtpd", 8, 0x66, 0x0f, 0x51, 0xc1),
    I2("sqrtss", 4, 0xf3, 0x0f, 0x51, 0xc1), I2("sqrtsd", 8, 0xf2, 0x0f, 0x51, 0xc1),
    I2("cmpps lt", 4, 0x0f, 0xc2, 0xc1, 1), I2("cmppd unord", 8, 0x66, 0x0f, 0xc2, 0xc1, 3),
    I2("cmpss eq", 4, 0xf3, 0x0f, 0xc2, 0xc1, 0), I2("cmpss le", 4, 0xf3, 0x0f, 0xc2, 0xc1, 2),
    I2("cmpss neq", 4, 0xf3, 0x0f, 0xc2, 0xc1, 4), I2("cmpss nlt", 4, 0xf3, 0x0f, 0xc2, 0xc1, 5),
    I2("cmpsd nle", 8, 0xf2, 0x0f, 0xc2, 0xc1, 6), I2("cmpsd ord", 8, 0xf2, 0x0f, 0xc2, 0xc1, 7),
    I2("cmpsd lt", 8, 0xf2, 0x0f, 0xc2, 0xc1, 1), I2("cmppd eq", 8, 0x66, 0x0f, 0xc2, 0xc1, 0),
    I2("comiss", 4, 0x0f, 0x2f, 0xc1), I2("ucomiss", 4, 0x0f, 0x2e, 0xc1),
    I2("comisd", 8, 0x66, 0x0f, 0x2f, 0xc1), I2("ucomisd", 8, 0x66, 0x0f, 0x2e, 0xc1),
    I2("cvtss2sd", 4, 0xf3, 0x0f, 0x5a, 0xc1), I2("cvtsd2ss", 8, 0xf2, 0x0f, 0x5a, 0xc1),
    I2("cvtps2pd", 4, 0x0f, 0x5a, 0xc1), I2("cvtpd2ps", 8, 0x66, 0x0f, 0x5a, 0xc1),
    I2("cvtdq2ps", 0, 0x0f, 0x5b, 0xc1), I2("cvtps2dq", 4, 0x66, 0x0f, 0x5b, 0xc1),
    I2("cvttps2dq", 4, 0xf3, 0x0f, 0x5b, 0xc1), I2("cvtdq2pd", 0, 0xf3, 0x0f, 0xe6, 0xc1),
    I2("cvtpd2dq", 8, 0xf2, 0x0f, 0xe6, 0xc1), I2("cvttpd2dq", 8, 0x66, 0x0f, 0xe6, 0xc1),
    I2("cvtsi2ss r32", 0, 0xf3, 0x0f, 0x2a, 0xc0),
    I2("cvtsi2ss r64", 0, 0xf3, 0x48, 0x0f, 0x2a, 0xc0),
    I2("cvtsi2sd r32", 0, 0xf2, 0x0f, 0x2a, 0xc0),
    I2("cvtsi2sd r64", 0, 0xf2, 0x48, 0x0f, 0x2a, 0xc0),
    I2("cvtss2si r32", 4, 0xf3, 0x0f, 0x2d, 0xc1), I2("cvtss2si r64", 4, 0xf3, 0x48, 0x0f, 0x2d, 0xc1),
    I2("cvttss2si r32", 4, 0xf3, 0x0f, 0x2c, 0xc1), I2("cvttss2si r64", 4, 0xf3, 0x48, 0x0f, 0x2c, 0xc1),
    I2("cvtsd2si r32", 8, 0xf2, 0x0f, 0x2d, 0xc1), I2("cvtsd2si r64", 8, 0xf2, 0x48, 0x0f, 0x2d, 0xc1),
    I2("cvttsd2si r32", 8, 0xf2, 0x0f, 0x2c, 0xc1), I2("cvttsd2si r64", 8, 0xf2, 0x48, 0x0f, 0x2c, 0xc1),
    /* SSE3 */
    I2("addsubps", 4, 0xf2, 0x0f, 0xd0, 0xc1), I2("addsubpd", 8, 0x66, 0x0f, 0xd0, 0xc1),
    I2("haddps", 4, 0xf2, 0x0f, 0x7c, 0xc1), I2("haddpd", 8, 0x66, 0x0f, 0x7c, 0xc1),
    I2("hsubps", 4, 0xf2, 0x0f, 0x7d, 0xc1), I2("hsubpd", 8, 0x66, 0x0f, 0x7d, 0xc1),
    I2("movsldup", 4, 0xf3, 0x0f, 0x12, 0xc1), I2("movshdup", 4, 0xf3, 0x0f, 0x16, 0xc1),
    I2("movddup", 8, 0xf2, 0x0f, 0x12, 0xc1),
    I2("lddqu m128", 4, 0xf2, 0x0f, 0xf0, 0x05, 0xf8, 0x0f, 0x00, 0x00),
    /* MMX forms: an MMX source is loaded with FNINIT; FLD m80 (MM7) */
    I2("cvtpi2ps m64", 0, 0x0f, 0x2a, 0x05, 0xf9, 0x0f, 0x00, 0x00),
    I2("cvtpi2pd m64", 0, 0x66, 0x0f, 0x2a, 0x05, 0xf8, 0x0f, 0x00, 0x00),
    I2("cvtpi2ps mm7", 0, 0xdb, 0xe3, 0xdb, 0x2d, 0xf8, 0x0f, 0x00, 0x00, 0x0f, 0x2a, 0xc7),
    I2("cvtpi2pd mm7", 0, 0xdb, 0xe3, 0xdb, 0x2d, 0xf8, 0x0f, 0x00, 0x00, 0x66, 0x0f, 0x2a,
       0xc7),
    IMX("cvtps2pi", 4, 0x0f, 0x2d, 0xc1, 0x0f, 0xae, 0x05, 0xf6, 0x10, 0x00, 0x00, 0xdb, 0xe3),
    IMX("cvttps2pi", 4, 0x0f, 0x2c, 0xc1, 0x0f, 0xae, 0x05, 0xf6, 0x10, 0x00, 0x00, 0xdb, 0xe3),
    IMX("cvtpd2pi", 8, 0x66, 0x0f, 0x2d, 0xc1, 0x0f, 0xae, 0x05, 0xf5, 0x10, 0x00, 0x00, 0xdb,
        0xe3),
    IMX("cvttpd2pi", 8, 0x66, 0x0f, 0x2c, 0xc1, 0x0f, 0xae, 0x05, 0xf5, 0x10, 0x00, 0x00, 0xdb,
        0xe3),
    /* memory source (RIP-relative, the data at H_CODE + 0x1000) */
    I2("addsd m64", 8, 0xf2, 0x0f, 0x58, 0x05, 0xf8, 0x0f, 0x00, 0x00),
    I2("mulps m128", 4, 0x0f, 0x59, 0x05, 0xf9, 0x0f, 0x00, 0x00),
    I2("ucomisd m64", 8, 0x66, 0x0f, 0x2e, 0x05, 0xf8, 0x0f, 0x00, 0x00),
    I2("cvtsi2sd m64", 0, 0xf2, 0x48, 0x0f, 0x2a, 0x05, 0xf7, 0x0f, 0x00, 0x00),
};

#define DATA_OFF 0x1000

static void check_one(const FpInsn *in, GRand *r, bool fresh)
{
    FpState n = { .rbx = 0x5555 }, t;
    X86CPUState *env = h.env;
    bool trapped;
    int vec;
    uint64_t mem[2];

    rand_xmm(r, in->width ? in->width : 4, n.xmm0);
    rand_xmm(r, in->width ? in->width : 4, n.xmm1);
    if (in->width == 0) {
        n.xmm1[0] = int_edges[g_rand_int_range(r, 0, ARRAY_SIZE(int_edges))] ^
                    (g_rand_boolean(r) ? 0 : g_rand_int(r));
        n.xmm1[1] = ((uint64_t)g_rand_int(r) << 32) | g_rand_int(r);
    }
    n.rax = int_edges[g_rand_int_range(r, 0, ARRAY_SIZE(int_edges))];
    if (g_rand_boolean(r)) {
        n.rax += g_rand_int_range(r, -3, 4);
    }
    n.mxcsr = rand_mxcsr(r);
    n.flags = 0x2 | (g_rand_int(r) & CC_MASK);
    rand_xmm(r, in->width ? in->width : 4, mem);
    if (in->width == 0) {
        mem[0] = n.rax ^ 0x8000000000000001ull;
    }
    t = n;

    memcpy(native_page + DATA_OFF, mem, 16);
    memset(native_page + DATA_OFF + 0x100, 0, 64);
    memset(h.ram + H_CODE + DATA_OFF + 0x100, 0, 64);
    trapped = run_native(in->bytes, in->len, &n);

    env->xmm[0].q[0] = t.xmm0[0];
    env->xmm[0].q[1] = t.xmm0[1];
    env->xmm[1].q[0] = t.xmm1[0];
    env->xmm[1].q[1] = t.xmm1[1];
    env->regs[R_EAX] = t.rax;
    env->regs[R_EBX] = t.rbx;
    env->regs[R_ESP] = H_STACK;
    env->mxcsr = t.mxcsr;
    x86_eflags_set(env, t.flags);
    h_put(H_CODE + DATA_OFF, mem, 16);
    if (fresh) {
        assert_int_equal(h_run(in->bytes, in->len), EXCP_HLT);
    } else {
        env->rip = H_CODE;
        assert_int_equal(h_exec_hlt(), EXCP_HLT);
    }
    vec = h_stub_vector();
    if (env->xmm[0].q[0] != n.xmm0[0] || env->xmm[0].q[1] != n.xmm0[1] ||
        env->mxcsr != n.mxcsr || (!trapped && env->regs[R_EAX] != n.rax) ||
        (trapped ? vec != EXCP_XM : vec != -1) ||
        (!trapped && (x86_eflags_get(env) & CC_MASK) != (n.flags & CC_MASK)) ||
        (in->fxsave && !trapped &&
         (memcmp(native_page + DATA_OFF + 0x100, h.ram + H_CODE + DATA_OFF + 0x100, 5) ||
          memcmp(native_page + DATA_OFF + 0x120, h.ram + H_CODE + DATA_OFF + 0x120, 10)))) {
        fprintf(stderr, "mismatch: %s mxcsr=%04x xmm0=%016" PRIx64 ":%016" PRIx64
                " xmm1=%016" PRIx64 ":%016" PRIx64 " rax=%" PRIx64 " mem=%016" PRIx64
                ":%016" PRIx64 "\n", in->name, t.mxcsr, t.xmm0[1], t.xmm0[0], t.xmm1[1],
                t.xmm1[0], t.rax, mem[1], mem[0]);
        fprintf(stderr, " cpu: trap=%d mxcsr=%04x xmm0=%016" PRIx64 ":%016" PRIx64
                " rax=%" PRIx64 " fl=%" PRIx64 "\n", trapped, n.mxcsr, n.xmm0[1], n.xmm0[0],
                n.rax, n.flags & CC_MASK);
        fprintf(stderr, " tcg: vec=%d mxcsr=%04x xmm0=%016" PRIx64 ":%016" PRIx64
                " rax=%" PRIx64 " fl=%" PRIx64 "\n", vec, env->mxcsr, env->xmm[0].q[1],
                env->xmm[0].q[0], env->regs[R_EAX], x86_eflags_get(env) & CC_MASK);
        fail();
    }
    n_cases++;
    n_traps += trapped;
}

static unsigned case_count(unsigned normal)
{
    return long_run() ? normal * 20 : normal;
}

/* cmocka installs its own SIGFPE handler around each test: take it back. */
static void on_fpe_setup(void)
{
    struct sigaction sa = { .sa_sigaction = on_sigfpe, .sa_flags = SA_SIGINFO | SA_NODEFER };

    sigemptyset(&sa.sa_mask);
    sigaction(SIGFPE, &sa, NULL);
}

static void setup_sse(void)
{
    on_fpe_setup();
    h_mode_long64();
    h_put_stubs();
    h.env->cr[4] |= CR4_OSFXSR | CR4_OSXMMEXCPT;
}

static void test_sse_fp_ops_match_hardware(void **state)
{
    GRand *r = g_rand_new_with_seed(0xf10a7);
    unsigned count = case_count(400);

    (void)state;
    setup_sse();
    for (unsigned k = 0; k < ARRAY_SIZE(insns); k++) {
        for (unsigned i = 0; i < count; i++) {
            check_one(&insns[k], r, i == 0);
        }
    }
    g_rand_free(r);
}

/* |approx - exact| <= 1.5 * 2^-12 * |exact| for normal inputs and results
 * (denormal inputs read as zero, as on the hardware). */
static void check_approx(uint32_t x, uint32_t got, bool rsqrt)
{
    float fx, fg;
    double exact;

    memcpy(&fx, &x, 4);
    memcpy(&fg, &got, 4);
    exact = rsqrt ? 1.0 / __builtin_sqrt((double)fx) : 1.0 / (double)fx;
    if ((x & 0x7f800000u) != 0 && __builtin_isfinite(exact) && exact != 0 && __builtin_fabs(exact) < 1e38 &&
        __builtin_fabs(exact) > 1e-37) {
        if (!(__builtin_fabs(fg - exact) <= 1.5 / 4096 * __builtin_fabs(exact))) {
            fail_msg("%s(%08x) = %08x, exact %g", rsqrt ? "rsqrt" : "rcp", x, got, exact);
        }
    }
}

static void test_rcp_rsqrt_are_within_the_sdm_error_bound(void **state)
{
    static const uint8_t rcpps[] = { 0x0f, 0x53, 0xc1 }, rsqrtps[] = { 0x0f, 0x52, 0xc1 };
    GRand *r = g_rand_new_with_seed(0x4c9);
    X86CPUState *env = h.env;

    (void)state;
    setup_sse();
    for (unsigned i = 0; i < case_count(200); i++) {
        bool rs = i & 1;
        for (int l = 0; l < 4; l++) {
            env->xmm[1].l[l] = rs ? rand_f32(r) & 0x7fffffffu : rand_f32(r);
        }
        env->mxcsr = 0x1f80;
        assert_int_equal(rs ? h_run(rsqrtps, 3) : h_run(rcpps, 3), EXCP_HLT);
        assert_int_equal(env->mxcsr, 0x1f80);
        for (int l = 0; l < 4; l++) {
            check_approx(env->xmm[1].l[l], env->xmm[0].l[l], rs);
        }
    }
    /* special inputs: zero and denormal give infinity, +inf gives +0 */
    env->xmm[1].l[0] = 0x80000000;
    env->xmm[1].l[1] = 0x00000001;
    env->xmm[1].l[2] = 0x7f800000;
    env->xmm[1].l[3] = 0xbf800000;
    assert_int_equal(h_run(rcpps, 3), EXCP_HLT);
    assert_int_equal(env->xmm[0].l[0], 0xff800000);
    assert_int_equal(env->xmm[0].l[1], 0x7f800000);
    assert_int_equal(env->xmm[0].l[2], 0);
    assert_int_equal(env->xmm[0].l[3], 0xbf800000);
    assert_int_equal(h_run(rsqrtps, 3), EXCP_HLT);
    assert_int_equal(env->xmm[0].l[2], 0);
    assert_int_equal(env->xmm[0].l[3], 0xffc00000);
    g_rand_free(r);
}

/* An unmasked exception with CR4.OSXMMEXCPT clear is #UD, nothing written. */
static void test_unmasked_exception_without_osxmmexcpt_raises_ud(void **state)
{
    static const uint8_t divss[] = { 0xf3, 0x0f, 0x5e, 0xc1 };
    X86CPUState *env = h.env;

    (void)state;
    setup_sse();
    env->cr[4] &= ~(uint64_t)CR4_OSXMMEXCPT;
    env->xmm[0].l[0] = 0x3f800000;
    env->xmm[1].l[0] = 0;
    env->mxcsr = 0x1f80 & ~0x200;      /* ZE unmasked */
    assert_int_equal(h_run(divss, sizeof(divss)), EXCP_HLT);
    assert_int_equal(h_stub_vector(), EXCP_UD);
    assert_int_equal(env->xmm[0].l[0], 0x3f800000);
    assert_int_equal(env->mxcsr, (0x1f80 & ~0x200) | 0x4);
}

/* SSE arithmetic with CR0.TS raises #NM, with CR0.EM or without OSFXSR #UD. */
static void test_sse_fp_control_register_checks(void **state)
{
    static const uint8_t addsd[] = { 0xf2, 0x0f, 0x58, 0xc1 };
    X86CPUState *env = h.env;

    (void)state;
    setup_sse();
    env->cr[0] |= CR0_TS;
    assert_int_equal(h_run(addsd, sizeof(addsd)), EXCP_HLT);
    assert_int_equal(h_stub_vector(), EXCP_NM);
    env->cr[0] &= ~(uint64_t)CR0_TS;
    env->cr[0] |= CR0_EM;
    env->regs[R_ESP] = H_STACK;
    assert_int_equal(h_run(addsd, sizeof(addsd)), EXCP_HLT);
    assert_int_equal(h_stub_vector(), EXCP_UD);
}

static int native_setup(void **state)
{
    (void)state;
    native_page = mmap(NULL, 8192, PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (native_page == MAP_FAILED) {
        fprintf(stderr, "test-x86-sse-fp: cannot map an executable page\n");
        return -1;
    }
    return 0;
}

static int native_teardown(void **state)
{
    (void)state;
    fprintf(stderr, "sse fp comparisons: %lu cases (%lu trapped with #XM)\n", n_cases,
            n_traps);
    munmap(native_page, 8192);
    return 0;
}

int main(void)
{
#if !defined(__x86_64__)
    fprintf(stderr, "test-x86-sse-fp: needs an x86-64 host CPU as the oracle\n");
    return 77;
#endif
    const struct CMUnitTest tests[] = {
        BOTH_BACKENDS(test_sse_fp_ops_match_hardware),
        BOTH_BACKENDS(test_rcp_rsqrt_are_within_the_sdm_error_bound),
        BOTH_BACKENDS(test_unmasked_exception_without_osxmmexcpt_raises_ud),
        BOTH_BACKENDS(test_sse_fp_control_register_checks),
    };
    return cmocka_run_group_tests(tests, native_setup, native_teardown);
}
