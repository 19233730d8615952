/*
 * test-x86-mmx.c: the MMX instructions (and SSE's MMX extensions) under
 * the translator, with the host CPU as the oracle. Each case runs
 * FNINIT; FLD1 (TOP = 7, physical register 7 = 1.0); the instruction on
 * MM0/MM1/RAX/a 16-byte memory operand; FXSAVE. It runs natively through
 * a wrapper and under the translator in 64-bit mode on both backends;
 * MM0, RAX, the memory operand and the FXSAVE image (FCW, FSW with TOP,
 * abridged tag word, all eight 80-bit registers: the MMX aliasing rules
 * of SDM Vol.1 9.5/9.6) must match bit for bit. Operands are random with
 * lane edge values mixed in; immediates (shift counts, shuffles, word
 * indexes) are random too. MASKMOVQ stores through RDI. Also: CR0.EM -> #UD, CR0.TS -> #NM, a pending
 * x87 exception -> #MF.
 */
#include "test-x86-translate-harness.h"
#include <sys/mman.h>
#include "test-util.h"

typedef struct MmxState {
    uint64_t mm0, mm1, rax; /* 0, 8, 16 */
} MmxState;

void native_mmx_call(MmxState *st, const void *code);

__asm__(".text\n"
        ".globl native_mmx_call\n"
        ".type native_mmx_call, @function\n"
        "native_mmx_call:\n"
        "    push %rbx\n"
        "    push %rbp\n"
        "    push %r12\n"
        "    mov %rdi, %r12\n"
        "    mov %rsi, %rbp\n"
        "    pxor %mm2, %mm2\n"
        "    pxor %mm3, %mm3\n"
        "    pxor %mm4, %mm4\n"
        "    pxor %mm5, %mm5\n"
        "    pxor %mm6, %mm6\n"
        "    pxor %mm7, %mm7\n"
        "    movq 0(%r12), %mm0\n"
        "    movq 8(%r12), %mm1\n"
        "    mov 16(%r12), %rax\n"
        "    call *%rbp\n"
        "    movq %mm0, 0(%r12)\n"
        "    mov %rax, 16(%r12)\n"
        "    emms\n"
        "    pop %r12\n"
        "    pop %rbp\n"
        "    pop %rbx\n"
        "    ret\n"
        ".size native_mmx_call, .-native_mmx_call\n");

typedef struct MmxInsn {
    const char *name;
    uint8_t bytes[12];
    uint8_t len;
    int8_t mem;   /* offset of a RIP-relative disp32 to patch, or -1 */
    bool imm;     /* the last byte is an immediate to randomise */
} MmxInsn;

#define DATA_OFF 0x1000
#define FXSAVE_OFF (DATA_OFF + 0x100)
#define PROLOGUE_LEN 4  /* FNINIT; FLD1 */

#define R(n, ...) { n, { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }), -1, false }
#define RI(n, ...) { n, { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }), -1, true }
/* op mm0, mm1 */
#define RR(n, op) R(n, 0x0f, op, 0xc1)
/* op mm0, [rip -> data]; the disp32 follows the ModRM at offset 3 */
#define M(n, op) { n, { 0x0f, op, 0x05, 0, 0, 0, 0 }, 7, 3, false }

static const MmxInsn insns[] = {
    RR("punpcklbw", 0x60), RR("punpcklwd", 0x61), RR("punpckldq", 0x62),
    RR("packsswb", 0x63), RR("pcmpgtb", 0x64), RR("pcmpgtw", 0x65), RR("pcmpgtd", 0x66),
    RR("packuswb", 0x67), RR("punpckhbw", 0x68), RR("punpckhwd", 0x69),
    RR("punpckhdq", 0x6a), RR("packssdw", 0x6b), RR("pcmpeqb", 0x74),
    RR("pcmpeqw", 0x75), RR("pcmpeqd", 0x76), RR("psrlw", 0xd1), RR("psrld", 0xd2),
    RR("psrlq", 0xd3), RR("paddq", 0xd4), RR("pmullw", 0xd5), RR("psubusb", 0xd8),
    RR("psubusw", 0xd9), RR("pminub", 0xda), RR("pand", 0xdb), RR("paddusb", 0xdc),
    RR("paddusw", 0xdd), RR("pmaxub", 0xde), RR("pandn", 0xdf), RR("pavgb", 0xe0),
    RR("psraw", 0xe1), RR("psrad", 0xe2), RR("pavgw", 0xe3), RR("pmulhuw", 0xe4),
    RR("pmulhw", 0xe5), RR("psubsb", 0xe8), RR("psubsw", 0xe9), RR("pminsw", 0xea),
    RR("por", 0xeb), RR("paddsb", 0xec), RR("paddsw", 0xed), RR("pmaxsw", 0xee),
    RR("pxor", 0xef), RR("psllw", 0xf1), RR("pslld", 0xf2), RR("psllq", 0xf3),
    RR("pmuludq", 0xf4), RR("pmaddwd", 0xf5), RR("psadbw", 0xf6), RR("psubb", 0xf8),
    RR("psubw", 0xf9), RR("psubd", 0xfa), RR("psubq", 0xfb), RR("paddb", 0xfc),
    RR("paddw", 0xfd), RR("paddd", 0xfe),
    RI("psrlw imm", 0x0f, 0x71, 0xd0, 0), RI("psraw imm", 0x0f, 0x71, 0xe0, 0),
    RI("psllw imm", 0x0f, 0x71, 0xf0, 0), RI("psrld imm", 0x0f, 0x72, 0xd0, 0),
    RI("psrad imm", 0x0f, 0x72, 0xe0, 0), RI("pslld imm", 0x0f, 0x72, 0xf0, 0),
    RI("psrlq imm", 0x0f, 0x73, 0xd0, 0), RI("psllq imm", 0x0f, 0x73, 0xf0, 0),
    RI("pshufw", 0x0f, 0x70, 0xc1, 0), RI("pinsrw r32", 0x0f, 0xc4, 0xc0, 0),
    RI("pextrw", 0x0f, 0xc5, 0xc1, 0), R("pmovmskb", 0x0f, 0xd7, 0xc1),
    R("movd mm0, eax", 0x0f, 0x6e, 0xc0), R("movq mm0, rax", 0x48, 0x0f, 0x6e, 0xc0),
    R("movd eax, mm1", 0x0f, 0x7e, 0xc8), R("movq rax, mm1", 0x48, 0x0f, 0x7e, 0xc8),
    R("movq mm0, mm1", 0x0f, 0x6f, 0xc1), R("movq mm1, mm0", 0x0f, 0x7f, 0xc1),
    R("movq mm1, mm0; emms", 0x0f, 0x7f, 0xc1, 0x0f, 0x77),
    R("emms alone", 0x0f, 0x77),
    M("movq mm0, m64", 0x6f), M("movq m64, mm0", 0x7f), M("movntq m64, mm0", 0xe7),
    M("movd mm0, m32", 0x6e), M("movd m32, mm0", 0x7e), M("paddb mm0, m64", 0xfc),
    M("punpcklbw mm0, m32", 0x60), M("packsswb mm0, m64", 0x63), M("psadbw mm0, m64", 0xf6),
    M("psllq mm0, m64", 0xf3),
    { "pshufw mm0, m64", { 0x0f, 0x70, 0x05, 0, 0, 0, 0, 0 }, 8, 3, true },
    { "lea rdi, data; maskmovq mm0, mm1",
      { 0x48, 0x8d, 0x3d, 0, 0, 0, 0, 0x0f, 0xf7, 0xc1 }, 10, 3, false },
    { "pinsrw mm0, m16", { 0x0f, 0xc4, 0x05, 0, 0, 0, 0, 0 }, 8, 3, true },
};

static uint8_t *native_page;
static unsigned long n_cases;

static const uint64_t edges[] = {
    0, ~0ull, 0x8080808080808080ull, 0x7f7f7f7f7f7f7f7full, 0x8000800080008000ull,
    0x7fff7fff7fff7fffull, 0x8000000080000000ull, 0x7fffffff7fffffffull, 0x00ff00ff00ff00ffull,
};

static uint64_t rand_q(GRand *r)
{
    uint64_t v = ((uint64_t)g_rand_int(r) << 32) | g_rand_int(r);

    switch (g_rand_int_range(r, 0, 4)) {
    case 0: return edges[g_rand_int_range(r, 0, ARRAY_SIZE(edges))];
    case 1: return v & edges[g_rand_int_range(r, 0, ARRAY_SIZE(edges))];
    case 2: return g_rand_int_range(r, 0, 80);     /* small: shift counts */
    default: return v;
    }
}

/* Builds FNINIT; FLD1; insn; FXSAVE [rip -> FXSAVE_OFF] into code: its length. */
static unsigned build(const MmxInsn *in, GRand *r, uint8_t *code)
{
    unsigned n = 0, end;
    int32_t disp;

    code[n++] = 0xdb; code[n++] = 0xe3; code[n++] = 0xd9; code[n++] = 0xe8;
    memcpy(code + n, in->bytes, in->len);
    n += in->len;
    if (in->imm) {
        code[n - 1] = (uint8_t)g_rand_int_range(r, 0, 256);
        if (g_rand_boolean(r)) {
            code[n - 1] &= 0x47;
        }
    }
    if (in->mem >= 0) {
        disp = DATA_OFF - (PROLOGUE_LEN + in->mem + 4 + in->imm);
        memcpy(code + PROLOGUE_LEN + in->mem, &disp, 4);
    }
    code[n++] = 0x0f; code[n++] = 0xae; code[n++] = 0x05;
    end = n + 4;
    disp = FXSAVE_OFF - (int32_t)end;
    memcpy(code + n, &disp, 4);
    return end;
}

static bool images_match(const uint8_t *a, const uint8_t *b)
{
    if (memcmp(a, b, 5)) {
        return false;
    }
    for (int i = 0; i < 8; i++) {
        if (memcmp(a + 32 + 16 * i, b + 32 + 16 * i, 10)) {
            return false;
        }
    }
    return true;
}

static void check_one(const MmxInsn *in, GRand *r)
{
    MmxState n, t;
    X86CPUState *env = h.env;
    uint64_t mem[2] = { rand_q(r), rand_q(r) };
    uint8_t code[32];
    unsigned len = build(in, r, code);
    const uint8_t *nimg = native_page + FXSAVE_OFF, *timg = h.ram + H_CODE + FXSAVE_OFF;

    n.mm0 = rand_q(r);
    n.mm1 = rand_q(r);
    n.rax = rand_q(r);
    t = n;
    memcpy(native_page, code, len);
    native_page[len] = 0xc3;
    memcpy(native_page + DATA_OFF, mem, 16);
    memset(native_page + FXSAVE_OFF, 0, 512);
    native_mmx_call(&n, native_page);

    memset(h.ram + H_CODE + FXSAVE_OFF, 0, 512);
    h_put(H_CODE + DATA_OFF, mem, 16);
    for (int i = 0; i < 8; i++) {
        env->fpregs[i].mant = 0;
        env->fpregs[i].sexp = 0xffff;
    }
    env->fpregs[0].mant = t.mm0;
    env->fpregs[1].mant = t.mm1;
    env->regs[R_EAX] = t.rax;
    env->regs[R_ESP] = H_STACK;
    assert_int_equal(h_run(code, len), EXCP_HLT);
    if (h_stub_vector() != -1 || env->fpregs[0].mant != n.mm0 || env->regs[R_EAX] != n.rax ||
        memcmp(native_page + DATA_OFF, h.ram + H_CODE + DATA_OFF, 16) ||
        !images_match(nimg, timg)) {
        fprintf(stderr, "mismatch: %s mm0=%016" PRIx64 " mm1=%016" PRIx64 " rax=%016" PRIx64
                " mem=%016" PRIx64 " imm=%02x\n", in->name, t.mm0, t.mm1, t.rax, mem[0],
                code[PROLOGUE_LEN + in->len - 1]);
        fprintf(stderr, " cpu: mm0=%016" PRIx64 " rax=%016" PRIx64 " fsw=%04x ftw=%02x\n",
                n.mm0, n.rax, nimg[2] | nimg[3] << 8, nimg[4]);
        fprintf(stderr, " tcg: vec=%d mm0=%016" PRIx64 " rax=%016" PRIx64 " fsw=%04x ftw=%02x\n",
                h_stub_vector(), env->fpregs[0].mant, env->regs[R_EAX], timg[2] | timg[3] << 8,
                timg[4]);
        fail();
    }
    n_cases++;
}

static void setup_mmx(void)
{
    h_mode_long64();
    h_put_stubs();
    h.env->cr[0] |= CR0_NE;
    h.env->cr[4] |= CR4_OSFXSR;
}

static void test_mmx_ops_match_hardware(void **state)
{
    GRand *r = g_rand_new_with_seed(0x3377);
    unsigned count = long_run() ? 4000 : 200;

    (void)state;
    setup_mmx();
    for (unsigned k = 0; k < ARRAY_SIZE(insns); k++) {
        for (unsigned i = 0; i < count; i++) {
            check_one(&insns[k], r);
        }
    }
    g_rand_free(r);
}

/* CR0.TS -> #NM, CR0.EM -> #UD, a pending unmasked x87 exception -> #MF. */
static void test_mmx_control_register_and_pending_x87_checks(void **state)
{
    static const uint8_t paddb[] = { 0x0f, 0xfc, 0xc1 };
    X86CPUState *env = h.env;

    (void)state;
    setup_mmx();
    env->cr[0] |= CR0_TS;
    assert_int_equal(h_run(paddb, sizeof(paddb)), EXCP_HLT);
    assert_int_equal(h_stub_vector(), EXCP_NM);
    env->cr[0] &= ~(uint64_t)CR0_TS;
    env->cr[0] |= CR0_EM;
    env->regs[R_ESP] = H_STACK;
    assert_int_equal(h_run(paddb, sizeof(paddb)), EXCP_HLT);
    assert_int_equal(h_stub_vector(), EXCP_UD);
    env->cr[0] &= ~(uint64_t)CR0_EM;
    env->fpus |= 0x81;                  /* IE and ES: an unmasked exception pending */
    env->fpregs[0].mant = 5;
    env->regs[R_ESP] = H_STACK;
    assert_int_equal(h_run(paddb, sizeof(paddb)), EXCP_HLT);
    assert_int_equal(h_stub_vector(), EXCP_MF);
    assert_int_equal(env->fpregs[0].mant, 5);
}

static int native_setup(void **state)
{
    (void)state;
    native_page = mmap(NULL, 8192, PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (native_page == MAP_FAILED) {
        fprintf(stderr, "test-x86-mmx: cannot map an executable page\n");
        return -1;
    }
    return 0;
}

static int native_teardown(void **state)
{
    (void)state;
    fprintf(stderr, "mmx comparisons: %lu cases\n", n_cases);
    munmap(native_page, 8192);
    return 0;
}

int main(void)
{
#if !defined(__x86_64__)
    fprintf(stderr, "test-x86-mmx: needs an x86-64 host CPU as the oracle\n");
    return 77;
#endif
    const struct CMUnitTest tests[] = {
        BOTH_BACKENDS(test_mmx_ops_match_hardware),
        BOTH_BACKENDS(test_mmx_control_register_and_pending_x87_checks),
    };
    return cmocka_run_group_tests(tests, native_setup, native_teardown);
}
