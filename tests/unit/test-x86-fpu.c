/*
 * test-x86-fpu.c: x87 instructions under the translator, with the host
 * CPU as the oracle. Each case is a short sequence in 64-bit mode:
 * FNINIT, FLDCW (a random control word: precision, rounding, masks), two
 * FLD m80 of random edge values (zeros and infinities of both signs,
 * denormals, pseudo-denormals, unnormals, NaNs quiet and signalling,
 * integer and rounding boundaries), the instruction under test (register,
 * m16/m32/m64/m80 and BCD forms; arithmetic, compares, FCOMI, FCMOVcc,
 * stores, transcendentals, stack management), FNSTSW AX and FNSAVE. The
 * same bytes run natively and translated, on both backends; AX, the
 * arithmetic flags, the FNSAVE image (control, status and tag words and
 * the eight registers; not FIP/FDP/FOP, which name host addresses) and
 * the stored memory operand must match bit for bit. Only non-waiting
 * instructions follow the one under test, so an unmasked exception stays
 * pending (ES) in both. VIREO_CHECK_LONG=1 runs twenty times more cases.
 */
#include "test-x86-translate-harness.h"
#include <sys/mman.h>
#include "test-util.h"

typedef struct NState {
    uint64_t rax, flags;
} NState;

void native_x87_call(NState *st, const void *code);

__asm__(".text\n"
        ".globl native_x87_call\n"
        ".type native_x87_call, @function\n"
        "native_x87_call:\n"
        "    push %rbx\n"
        "    push %rbp\n"
        "    push %r12\n"
        "    mov %rdi, %r12\n"
        "    mov %rsi, %rbp\n"
        "    mov 0(%r12), %rax\n"
        "    pushq 8(%r12)\n"
        "    popfq\n"
        "    call *%rbp\n"
        "    pushfq\n"
        "    popq 8(%r12)\n"
        "    mov %rax, 0(%r12)\n"
        "    fninit\n"
        "    pop %r12\n"
        "    pop %rbp\n"
        "    pop %rbx\n"
        "    ret\n"
        ".size native_x87_call, .-native_x87_call\n");

/* Data page layout (offsets from code + DATA_OFF). */
#define DATA_OFF 0x1000
#define D_CW 0
#define D_A 16
#define D_B 32
#define D_MEM 48        /* memory operand of the instruction under test */
#define D_SAVE 128      /* FNSAVE image, 108 bytes */
#define D_SIZE 256

static uint8_t *native_page;
static unsigned long n_cases;

typedef struct X87Insn {
    const char *name;
    uint8_t bytes[3];
    uint8_t len;        /* opcode bytes; with mem, the last is a ModRM (mod 00, rm 101) */
    bool mem;
    uint8_t mem_kind;   /* 0 f80, 4 f32, 8 f64, 2/5/9 int16/32/64, 10 bcd */
} X87Insn;

#define R(n, ...) { n, { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }), false, 0 }
#define M(n, k, ...) { n, { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }), true, k }

static const X87Insn insns[] = {
    R("fadd st0,st1", 0xd8, 0xc1), R("fmul st0,st1", 0xd8, 0xc9),
    R("fsub st0,st1", 0xd8, 0xe1), R("fsubr st0,st1", 0xd8, 0xe9),
    R("fdiv st0,st1", 0xd8, 0xf1), R("fdivr st0,st1", 0xd8, 0xf9),
    R("fadd st1,st0", 0xdc, 0xc1), R("fsub st1,st0", 0xdc, 0xe9),
    R("fdiv st1,st0", 0xdc, 0xf9), R("fsubr st1,st0", 0xdc, 0xe1),
    R("faddp", 0xde, 0xc1), R("fsubp", 0xde, 0xe9), R("fdivp", 0xde, 0xf9),
    R("fdivrp", 0xde, 0xf1), R("fmulp", 0xde, 0xc9), R("fsubrp", 0xde, 0xe1),
    R("fadd st0,st2 (empty)", 0xd8, 0xc2),
    R("fcom st1", 0xd8, 0xd1), R("fcomp st1", 0xd8, 0xd9), R("fcompp", 0xde, 0xd9),
    R("fucom st1", 0xdd, 0xe1), R("fucompp", 0xda, 0xe9),
    R("fcomi", 0xdb, 0xf1), R("fucomip", 0xdf, 0xe9),
    R("fchs", 0xd9, 0xe0), R("fabs", 0xd9, 0xe1), R("ftst", 0xd9, 0xe4),
    R("fxam", 0xd9, 0xe5), R("fsqrt", 0xd9, 0xfa), R("frndint", 0xd9, 0xfc),
    R("fscale", 0xd9, 0xfd), R("fxtract", 0xd9, 0xf4), R("fprem", 0xd9, 0xf8),
    R("fprem1", 0xd9, 0xf5), R("fxch st1", 0xd9, 0xc9), R("fxch st3", 0xd9, 0xcb),
    R("fincstp", 0xd9, 0xf7), R("fdecstp", 0xd9, 0xf6), R("ffree st1", 0xdd, 0xc1),
    R("fld st1", 0xd9, 0xc1), R("fst st2", 0xdd, 0xd2), R("fstp st1", 0xdd, 0xd9),
    R("fld1", 0xd9, 0xe8), R("fldl2e", 0xd9, 0xea), R("fldpi", 0xd9, 0xeb),
    R("fldz", 0xd9, 0xee), R("fldln2", 0xd9, 0xed),
    R("fcmovb", 0xda, 0xc1), R("fcmovne", 0xdb, 0xc9), R("fcmovu", 0xda, 0xd9),
    R("f2xm1", 0xd9, 0xf0), R("fyl2x", 0xd9, 0xf1), R("fyl2xp1", 0xd9, 0xf9),
    R("fpatan", 0xd9, 0xf3), R("fsin", 0xd9, 0xfe), R("fcos", 0xd9, 0xff),
    R("fsincos", 0xd9, 0xfb), R("fptan", 0xd9, 0xf2),
    M("fadd m32", 4, 0xd8, 0x05), M("fmul m64", 8, 0xdc, 0x0d),
    M("fsub m64", 8, 0xdc, 0x25), M("fdivr m32", 4, 0xd8, 0x3d),
    M("fcom m32", 4, 0xd8, 0x15), M("fcomp m64", 8, 0xdc, 0x1d),
    M("fiadd m32", 5, 0xda, 0x05), M("fidiv m16", 2, 0xde, 0x35),
    M("fisubr m32", 5, 0xda, 0x2d), M("ficomp m16", 2, 0xde, 0x1d),
    M("fld m32", 4, 0xd9, 0x05), M("fld m64", 8, 0xdd, 0x05),
    M("fild m16", 2, 0xdf, 0x05), M("fild m64", 9, 0xdf, 0x2d),
    M("fbld", 10, 0xdf, 0x25),
    M("fst m32", 4, 0xd9, 0x15), M("fstp m64", 8, 0xdd, 0x1d),
    M("fstp m80", 0, 0xdb, 0x3d), M("fist m16", 2, 0xdf, 0x15),
    M("fistp m32", 5, 0xdb, 0x1d), M("fistp m64", 9, 0xdf, 0x3d),
    M("fbstp", 10, 0xdf, 0x35), M("fisttp m16", 2, 0xdf, 0x0d),
    M("fisttp m32", 5, 0xdb, 0x0d), M("fisttp m64", 9, 0xdd, 0x0d),
};

static const FloatX80 fx_edges[] = {
    { 0, 0 }, { 0, 0x8000 }, { 1, 0 }, { 0x7fffffffffffffffull, 0x8000 },
    { 0x8000000000000000ull, 0 },                   /* pseudo-denormal */
    { 0x8000000000000000ull, 0x3fff }, { 0x8000000000000000ull, 0xbfff },
    { 0xc000000000000000ull, 0x3fff }, { 0xaaaaaaaaaaaaaaabull, 0x3ffd },
    { 0xffffffffffffffffull, 0x7ffe }, { 0x8000000000000000ull, 0x0001 },
    { 0x8000000000000000ull, 0x7fff }, { 0x8000000000000000ull, 0xffff },
    { 0xc000000000000000ull, 0x7fff }, { 0xc000000000000000ull, 0xffff },
    { 0xa000000000000000ull, 0x7fff }, { 0x8000000000000001ull, 0xffff },
    { 0x4000000000000000ull, 0x3fff },              /* unnormal */
    { 0x8000000000000000ull, 0x403e }, { 0xffffffffffffffffull, 0x403d },
    { 0x8000000000000000ull, 0x401e }, { 0xc000000000000000ull, 0x3ffe },
    { 0xc90fdaa22168c235ull, 0x4000 }, { 0x8000000000000000ull, 0x4050 },
    { 0xc90fdaa22168c234ull, 0x3fff }, { 0x8000000000000000ull, 0x3fbf },
    { 0xb504f333f9de6484ull, 0x3fff }, { 0x9000000000000000ull, 0xc003 },
};

static FloatX80 rand_fx(GRand *r)
{
    FloatX80 v = fx_edges[g_rand_int_range(r, 0, ARRAY_SIZE(fx_edges))];

    switch (g_rand_int_range(r, 0, 6)) {
    case 0: v.mant += 1; break;
    case 1: v.mant = ((uint64_t)g_rand_int(r) << 32) | g_rand_int(r) | (1ull << 63); break;
    case 2:
        v.mant = ((uint64_t)g_rand_int(r) << 32) | g_rand_int(r) | (1ull << 63);
        v.sexp = (uint16_t)((g_rand_boolean(r) ? 0x8000 : 0) | (0x3fbf + g_rand_int_range(r, 0, 128)));
        break;
    case 3: v.sexp ^= 0x8000; break;
    default: break;
    }
    return v;
}

static uint16_t rand_cw(GRand *r)
{
    uint16_t cw = 0x0040 | (uint16_t)(g_rand_int(r) & 0x0f00);

    cw |= g_rand_int_range(r, 0, 4) ? 0x3f : (g_rand_int(r) & 0x3f);
    return cw;
}

static void rand_mem(GRand *r, unsigned kind, uint8_t m[16])
{
    uint64_t bits = ((uint64_t)g_rand_int(r) << 32) | g_rand_int(r);
    FloatX80 f = rand_fx(r);

    memset(m, 0, 16);
    switch (kind) {
    case 4: {
        static const uint32_t e[] = { 0, 0x80000000, 1, 0x7f800000, 0xff800000, 0x7fc00000,
                                      0x7fa00000, 0x3f800000, 0x00400000, 0x7f7fffff };
        uint32_t v = g_rand_boolean(r) ? e[g_rand_int_range(r, 0, ARRAY_SIZE(e))]
                                       : (uint32_t)bits;
        memcpy(m, &v, 4);
        break;
    }
    case 8: {
        static const uint64_t e[] = { 0, 0x8000000000000000ull, 1, 0x7ff0000000000000ull,
                                      0x7ff8000000000000ull, 0x7ff4000000000000ull,
                                      0x3ff0000000000000ull, 0x0008000000000000ull };
        uint64_t v = g_rand_boolean(r) ? e[g_rand_int_range(r, 0, ARRAY_SIZE(e))] : bits;
        memcpy(m, &v, 8);
        break;
    }
    case 2: case 5: case 9: {
        static const uint64_t e[] = { 0, 1, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
                                      0xffffffff, 0x8000000000000000ull, 0x7fffffffffffffffull };
        uint64_t v = g_rand_boolean(r) ? e[g_rand_int_range(r, 0, ARRAY_SIZE(e))] : bits;
        memcpy(m, &v, 8);
        break;
    }
    case 10:
        for (int i = 0; i < 9; i++) {
            m[i] = (uint8_t)((g_rand_int_range(r, 0, 10) << 4) | g_rand_int_range(r, 0, 10));
        }
        m[9] = g_rand_boolean(r) ? 0x80 : 0;
        break;
    default:
        memcpy(m, &f.mant, 8);
        memcpy(m + 8, &f.sexp, 2);
        break;
    }
}

static void put(uint8_t *code, unsigned *len, unsigned n, const uint8_t *b)
{
    memcpy(code + *len, b, n);
    *len += n;
}

/* Appends an instruction whose last byte is a RIP-relative ModRM. */
static void put_rip(uint8_t *code, unsigned *len, unsigned n, const uint8_t *b, unsigned off)
{
    int32_t disp;

    put(code, len, n, b);
    disp = (int32_t)(DATA_OFF + off) - (int32_t)(*len + 4);
    memcpy(code + *len, &disp, 4);
    *len += 4;
}

/* Register-form instructions appended after the one under test (the
 * random-sequence test). */
static const X87Insn *seq_extra[8];
static unsigned seq_n;

static unsigned build(const X87Insn *in, uint8_t *code)
{
    static const uint8_t fninit[] = { 0xdb, 0xe3 }, fldcw[] = { 0xd9, 0x2d };
    static const uint8_t fld80[] = { 0xdb, 0x2d }, fnstsw[] = { 0xdf, 0xe0 };
    static const uint8_t fnsave[] = { 0xdd, 0x35 };
    unsigned len = 0;

    put(code, &len, 2, fninit);
    put_rip(code, &len, 2, fldcw, D_CW);
    put_rip(code, &len, 2, fld80, D_B);
    put_rip(code, &len, 2, fld80, D_A);
    if (in->mem) {
        put_rip(code, &len, in->len, in->bytes, D_MEM);
    } else {
        put(code, &len, in->len, in->bytes);
    }
    for (unsigned i = 0; i < seq_n; i++) {
        put(code, &len, seq_extra[i]->len, seq_extra[i]->bytes);
    }
    put(code, &len, 2, fnstsw);
    put_rip(code, &len, 2, fnsave, D_SAVE);
    return len;
}

static unsigned long n_ulp, n_trans, n_trans_other;

/* The transcendentals are not correctly rounded on the hardware: vireo's
 * are within one ulp, with the same flags (docs/softfloat.md); C1 (the
 * rounding direction) may differ then. */
static bool is_transcendental(const X87Insn *in)
{
    static const char *const names[] = { "f2xm1", "fyl2x", "fyl2xp1", "fpatan", "fsin",
                                         "fcos", "fsincos", "fptan" };

    for (unsigned i = 0; i < ARRAY_SIZE(names); i++) {
        if (!strcmp(in->name, names[i])) {
            return true;
        }
    }
    return false;
}

static bool same_save(const uint8_t *a, const uint8_t *b, bool ulp)
{
    uint16_t sa, sb;

    memcpy(&sa, a + 4, 2);
    memcpy(&sb, b + 4, 2);
    if (ulp) {
        sa &= ~0x200;
        sb &= ~0x200;
    }
    if (memcmp(a, b, 2) || sa != sb || memcmp(a + 8, b + 8, 2)) {
        return false;
    }
    for (int i = 0; i < 8; i++) {
        uint64_t ma, mb;
        uint16_t ea, eb, tw;
        memcpy(&tw, a + 8, 2);
        if (((tw >> (2 * ((((sa >> 11) & 7) + i) & 7))) & 3) == 3) {
            continue;       /* empty: its contents are leftovers */
        }
        unsigned __int128 ka, kb;
        if (!memcmp(a + 28 + i * 10, b + 28 + i * 10, 10)) {
            continue;
        }
        memcpy(&ma, a + 28 + i * 10, 8);
        memcpy(&mb, b + 28 + i * 10, 8);
        memcpy(&ea, a + 36 + i * 10, 2);
        memcpy(&eb, b + 36 + i * 10, 2);
        /* normals in order of magnitude: exponent, then fraction */
        ka = ((unsigned __int128)(ea & 0x7fff) << 63) + (ma & ~(1ull << 63));
        kb = ((unsigned __int128)(eb & 0x7fff) << 63) + (mb & ~(1ull << 63));
        if (!ulp || (ea ^ eb) & 0x8000 || (ka > kb ? ka - kb : kb - ka) > 1) {
            return false;
        }
        n_ulp++;
    }
    return true;
}

static void dump(const char *who, const uint8_t *save, const uint8_t *mem, uint64_t ax,
                 uint64_t fl)
{
    fprintf(stderr, " %s: ax=%04x fl=%03x cw=%04x sw=%04x tw=%04x mem=", who,
            (unsigned)(ax & 0xffff), (unsigned)(fl & CC_MASK), save[0] | save[1] << 8,
            save[4] | save[5] << 8, save[8] | save[9] << 8);
    for (int i = 9; i >= 0; i--) {
        fprintf(stderr, "%02x", mem[i]);
    }
    for (int i = 0; i < 8; i++) {
        uint64_t mant;
        uint16_t se;
        memcpy(&mant, save + 28 + i * 10, 8);
        memcpy(&se, save + 36 + i * 10, 2);
        fprintf(stderr, "%s st%d=%04x:%016" PRIx64, i % 4 ? "" : "\n   ", i, se, mant);
    }
    fprintf(stderr, "\n");
}

static void check_case(const X87Insn *in, GRand *r, bool fresh)
{
    uint8_t code[64], data[D_SIZE] = { 0 };
    uint8_t *tcg_data = h.ram + H_CODE + DATA_OFF;
    unsigned len = build(in, code);
    uint16_t cw = rand_cw(r) | (seq_n ? 0x3f : 0);   /* sequences: all masked, no #MF */
    FloatX80 a = rand_fx(r), b = rand_fx(r);
    NState n = { .rax = 0x1234, .flags = 0x2 | (g_rand_int(r) & CC_MASK) };
    uint64_t flags0 = n.flags;
    X86CPUState *env = h.env;

    /* F2XM1 and FYL2XP1 are undefined outside their domain (SDM Vol.2):
     * move finite operands there. */
    if ((!strcmp(in->name, "f2xm1") || !strcmp(in->name, "fyl2xp1")) &&
        (a.sexp & 0x7fff) != 0x7fff) {
        unsigned top = in->name[1] == '2' ? 0x3ffe : 0x3ffc;
        if ((a.sexp & 0x7fff) > top) {
            a.sexp = (uint16_t)((a.sexp & 0x8000) | (top - g_rand_int_range(r, 0, 70)));
        }
    }
    memcpy(data + D_CW, &cw, 2);
    memcpy(data + D_A, &a.mant, 8);
    memcpy(data + D_A + 8, &a.sexp, 2);
    memcpy(data + D_B, &b.mant, 8);
    memcpy(data + D_B + 8, &b.sexp, 2);
    rand_mem(r, in->mem_kind, data + D_MEM);

    memcpy(native_page, code, len);
    native_page[len] = 0xc3;
    memcpy(native_page + DATA_OFF, data, D_SIZE);
    native_x87_call(&n, native_page);

    h_put(H_CODE + DATA_OFF, data, D_SIZE);
    env->regs[R_EAX] = 0x1234;
    env->regs[R_ESP] = H_STACK;
    x86_eflags_set(env, flags0);
    if (fresh) {
        assert_int_equal(h_run(code, len), EXCP_HLT);
    } else {
        env->rip = H_CODE;
        assert_int_equal(h_exec_hlt(), EXCP_HLT);
    }
    bool ulp = is_transcendental(in);
    uint64_t axmask = ulp ? ~0x200ull : ~0ull;

    if (h_stub_vector() != -1 || (env->regs[R_EAX] & axmask) != (n.rax & axmask) ||
        (x86_eflags_get(env) & CC_MASK) != (n.flags & CC_MASK) ||
        !same_save(tcg_data + D_SAVE, native_page + DATA_OFF + D_SAVE, ulp) ||
        memcmp(tcg_data + D_MEM, native_page + DATA_OFF + D_MEM, 16)) {
        if (ulp && ++n_trans_other <= 3 + n_trans / 50) {
            if (getenv("X87_TEST_VERBOSE")) {
                fprintf(stderr, "differs: %s cw=%04x a=%04x:%016" PRIx64 " b=%04x:%016" PRIx64
                        "\n", in->name, cw, a.sexp, a.mant, b.sexp, b.mant);
                dump("cpu", native_page + DATA_OFF + D_SAVE, native_page + DATA_OFF + D_MEM,
                     n.rax, n.flags);
                dump("tcg", tcg_data + D_SAVE, tcg_data + D_MEM, env->regs[R_EAX],
                     x86_eflags_get(env));
            }
            n_cases++;
            n_trans++;
            return;     /* counted; the rate is asserted at the end */
        }
        fprintf(stderr, "mismatch: %s cw=%04x a=%04x:%016" PRIx64 " b=%04x:%016" PRIx64
                " fl=%03x mem=", in->name, cw, a.sexp, a.mant, b.sexp, b.mant,
                (unsigned)(flags0 & CC_MASK));
        for (int i = 9; i >= 0; i--) {
            fprintf(stderr, "%02x", data[D_MEM + i]);
        }
        fprintf(stderr, " (tcg vector %d)", h_stub_vector());
        for (unsigned i = 0; i < seq_n; i++) {
            fprintf(stderr, "; %s", seq_extra[i]->name);
        }
        fprintf(stderr, "\n");
        dump("cpu", native_page + DATA_OFF + D_SAVE, native_page + DATA_OFF + D_MEM, n.rax,
             n.flags);
        dump("tcg", tcg_data + D_SAVE, tcg_data + D_MEM, env->regs[R_EAX],
             x86_eflags_get(env));
        fail();
    }
    n_cases++;
    n_trans += ulp;
}

static unsigned case_count(unsigned normal)
{
    return long_run() ? normal * 20 : normal;
}

static void setup_x87(void)
{
    h_mode_long64();
    h_put_stubs();
    h.env->cr[0] |= CR0_NE | CR0_MP;
    h.env->cr[4] |= CR4_OSFXSR | CR4_OSXMMEXCPT;
}

static void test_x87_ops_match_hardware(void **state)
{
    GRand *r = g_rand_new_with_seed(0x87);
    unsigned count = case_count(200);

    (void)state;
    setup_x87();
    for (unsigned k = 0; k < ARRAY_SIZE(insns); k++) {
        for (unsigned i = 0; i < count; i++) {
            check_case(&insns[k], r, i == 0);
        }
    }
    g_rand_free(r);
}

/* Random chains of up to eight instructions (loads, stores, arithmetic,
 * compares, stack management; not the transcendentals) after the two
 * loads: the stack effects compound (TOP, tags, overflow and underflow
 * with C1, FCOMI flags feeding FCMOVcc). Exceptions are masked so that no
 * later instruction of the chain raises #MF. */
static void test_x87_random_sequences_match_hardware(void **state)
{
    GRand *r = g_rand_new_with_seed(0x5e987);

    (void)state;
    setup_x87();
    for (unsigned n = 0; n < case_count(1500); n++) {
        const X87Insn *first;
        do {
            first = &insns[g_rand_int_range(r, 0, ARRAY_SIZE(insns))];
        } while (is_transcendental(first));
        seq_n = g_rand_int_range(r, 1, 8);
        for (unsigned i = 0; i < seq_n; i++) {
            const X87Insn *in;
            do {
                in = &insns[g_rand_int_range(r, 0, ARRAY_SIZE(insns))];
            } while (in->mem || is_transcendental(in));
            seq_extra[i] = in;
        }
        check_case(first, r, true);
    }
    seq_n = 0;
    g_rand_free(r);
}

/* A pending unmasked exception makes the next waiting instruction raise
 * #MF (CR0.NE set) before it changes anything. */
static void test_pending_exception_raises_mf_at_next_waiting_insn(void **state)
{
    static const uint8_t code[] = {
        0xdb, 0xe3,                     /* fninit */
        0xd9, 0x2c, 0x25, 0x00, 0x00, 0x20, 0x00,   /* fldcw [0x200000] */
        0xd9, 0xee,                     /* fldz */
        0xd9, 0xe8,                     /* fld1 */
        0xde, 0xf1,                     /* fdivrp: 1 / 0 */
        0xdf, 0xe0,                     /* fnstsw ax */
        0x9b,                           /* fwait */
    };
    X86CPUState *env = h.env;

    (void)state;
    setup_x87();
    h_put32(H_DATA, 0x037b);            /* ZE unmasked */
    assert_int_equal(h_run(code, sizeof(code)), EXCP_HLT);
    assert_int_equal(h_stub_vector(), EXCP_MF);
    assert_int_equal(env->regs[R_EAX] & 0x80ff, 0x8084);
}

/* x87 instructions raise #NM with CR0.EM or CR0.TS; FWAIT only with MP+TS. */
static void test_x87_nm_with_em_or_ts(void **state)
{
    static const uint8_t fld1[] = { 0xd9, 0xe8 }, fwait[] = { 0x9b };
    X86CPUState *env = h.env;

    (void)state;
    setup_x87();
    env->cr[0] |= CR0_EM;
    assert_int_equal(h_run(fld1, sizeof(fld1)), EXCP_HLT);
    assert_int_equal(h_stub_vector(), EXCP_NM);
    env->cr[0] &= ~(uint64_t)CR0_EM;
    env->cr[0] |= CR0_TS;
    env->regs[R_ESP] = H_STACK;
    assert_int_equal(h_run(fwait, sizeof(fwait)), EXCP_HLT);
    assert_int_equal(h_stub_vector(), EXCP_NM);
    env->cr[0] &= ~(uint64_t)CR0_MP;
    env->regs[R_ESP] = H_STACK;
    assert_int_equal(h_run(fwait, sizeof(fwait)), EXCP_HLT);
    assert_int_equal(h_stub_vector(), -1);
}


static uint16_t get16(uint64_t addr)
{
    uint16_t v;

    memcpy(&v, h.ram + addr, 2);
    return v;
}

/* FNSTENV in 32-bit protected mode: the 28-byte layout with FIP, FCS,
 * FOP, FDP and FDS of the last non-control instruction; FLDENV back. */
static void test_fnstenv_fldenv_32bit_protected_layout(void **state)
{
    static const uint8_t code[] = {
        0xdb, 0xe3,                                 /* fninit */
        0xd9, 0xe8,                                 /* fld1 */
        0xd8, 0x05, 0x00, 0x00, 0x20, 0x00,         /* fadd dword [0x200000] */
        0xd9, 0x35, 0x00, 0x01, 0x20, 0x00,         /* fnstenv [0x200100] */
    };
    static const uint8_t load[] = { 0xd9, 0x25, 0x00, 0x01, 0x20, 0x00 };  /* fldenv */
    X86CPUState *env = h.env;

    (void)state;
    h_mode_flat32();
    h_put_stubs();
    h_put32(H_DATA, 0x3f800000);                    /* 1.0f */
    assert_int_equal(h_run(code, sizeof(code)), EXCP_HLT);
    assert_int_equal(h_stub_vector(), -1);
    assert_int_equal(get16(H_DATA + 0x100), 0x37f);
    assert_int_equal(get16(H_DATA + 0x104), 7u << 11);
    assert_int_equal(get16(H_DATA + 0x108), 0x3fff);        /* ST0 = physical 7 valid */
    assert_int_equal(h_get32(H_DATA + 0x10c), H_CODE + 4);
    assert_int_equal(h_get32(H_DATA + 0x110), 8u | (0x005u << 16));
    assert_int_equal(h_get32(H_DATA + 0x114), H_DATA);
    assert_int_equal(get16(H_DATA + 0x118), 16);
    assert_int_equal(env->fpregs[7].sexp, 0x4000);          /* 2.0 */

    h_put32(H_DATA + 0x100, 0x27f);
    h_put32(H_DATA + 0x104, (3u << 11) | 0x0001);           /* TOP 3, IE (masked) */
    h_put32(H_DATA + 0x108, 0xffcf);                        /* physical 2 zero-tagged */
    assert_int_equal(h_run(load, sizeof(load)), EXCP_HLT);
    assert_int_equal(env->fpuc, 0x27f);
    assert_int_equal(env->fpstt, 3);
    assert_int_equal(env->fpus & 0xff, 0x01);
    assert_int_equal(env->fptags[2], 0);
    assert_int_equal(env->fptags[7], 1);
}

/* FNSTENV in real mode with a 16-bit operand size: the 14-byte layout with
 * 20-bit linear instruction and data pointers and FOP. */
static void test_fnstenv_16bit_real_mode_layout(void **state)
{
    static const uint8_t code[] = {
        0xdb, 0xe3,                     /* fninit */
        0xd9, 0xe8,                     /* fld1 */
        0xd8, 0x06, 0x00, 0x40,         /* fadd dword [0x4000] */
        0xd9, 0x36, 0x00, 0x41,         /* fnstenv [0x4100] */
    };
    X86CPUState *env = h.env;

    (void)state;
    h_mode_real();
    x86_seg_load_cache(env, R_DS, 0x100, 0x1000, 0xffff,
                       DESC_P_MASK | DESC_S_MASK | DESC_A_MASK | (3u << DESC_TYPE_SHIFT));
    h_put32(0x5000, 0x3f800000);
    assert_int_equal(h_run_at(0x6000, code, sizeof(code)), EXCP_HLT);
    assert_int_equal(get16(0x5100), 0x37f);
    assert_int_equal(get16(0x5102), 7u << 11);
    assert_int_equal(get16(0x5104), 0x3fff);
    assert_int_equal(get16(0x5106), 0x6004);               /* FIP[15:0] */
    assert_int_equal(get16(0x5108), 0x006);                /* FIP[19:16] = 0, FOP */
    assert_int_equal(get16(0x510a), 0x5000);               /* FDP = 0x1000 + 0x4000 */
    assert_int_equal(get16(0x510c), 0);
}

/* FNSAVE stores the environment and the eight registers, then
 * reinitialises; FRSTOR brings everything back. */
static void test_fnsave_frstor_round_trip(void **state)
{
    static const uint8_t save[] = {
        0xdb, 0xe3, 0xd9, 0xe8, 0xd9, 0xeb,        /* fninit; fld1; fldpi */
        0xdd, 0x35, 0x00, 0x01, 0x20, 0x00,        /* fnsave [0x200100] */
    };
    static const uint8_t restore[] = { 0xdd, 0x25, 0x00, 0x01, 0x20, 0x00 };
    X86CPUState *env = h.env;

    (void)state;
    h_mode_flat32();
    h_put_stubs();
    assert_int_equal(h_run(save, sizeof(save)), EXCP_HLT);
    assert_int_equal(env->fpstt, 0);
    assert_int_equal(env->fptags[6], 1);
    assert_int_equal(get16(H_DATA + 0x100 + 28 + 8), 0x4000);      /* ST0 = pi */
    assert_int_equal(get16(H_DATA + 0x100 + 38 + 8), 0x3fff);      /* ST1 = 1 */
    assert_int_equal(h_run(restore, sizeof(restore)), EXCP_HLT);
    assert_int_equal(env->fpstt, 6);
    assert_int_equal(env->fptags[6], 0);
    assert_int_equal(env->fptags[7], 0);
    assert_int_equal(env->fpregs[6].mant, 0xc90fdaa22168c235ull);
}

static int native_setup(void **state)
{
    (void)state;
    native_page = mmap(NULL, 8192, PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (native_page == MAP_FAILED) {
        fprintf(stderr, "test-x86-fpu: cannot map an executable page\n");
        return -1;
    }
    return 0;
}

static int native_teardown(void **state)
{
    (void)state;
    fprintf(stderr, "x87 comparisons: %lu cases (%lu transcendental results one ulp off, "
            "%lu of %lu transcendental cases further off)\n", n_cases, n_ulp, n_trans_other,
            n_trans);
    munmap(native_page, 8192);
    return 0;
}

int main(void)
{
#if !defined(__x86_64__)
    fprintf(stderr, "test-x86-fpu: needs an x86-64 host CPU as the oracle\n");
    return 77;
#endif
    const struct CMUnitTest tests[] = {
        BOTH_BACKENDS(test_x87_ops_match_hardware),
        BOTH_BACKENDS(test_x87_random_sequences_match_hardware),
        BOTH_BACKENDS(test_pending_exception_raises_mf_at_next_waiting_insn),
        BOTH_BACKENDS(test_x87_nm_with_em_or_ts),
        BOTH_BACKENDS(test_fnstenv_fldenv_32bit_protected_layout),
        BOTH_BACKENDS(test_fnstenv_16bit_real_mode_layout),
        BOTH_BACKENDS(test_fnsave_frstor_round_trip),
    };
    return cmocka_run_group_tests(tests, native_setup, native_teardown);
}
