/*
 * test-x86-sse42.c: SSE4.2 in the software CPU (target-x86/sse42_helper.c,
 * translate-sse42.c) and POPCNT. Three kinds of test: worked examples of
 * the PCMPxSTRx imm8 modes on the pure core x86_pcmpstr (each derived by
 * hand from SDM Vol.2 4.1, the derivation in the comment); single
 * instructions run natively on the host CPU and under TCG from the same
 * state (tests/fuzz/native-exec.c, tcg-exec.c), compared bit for bit
 * (GPRs, flags, scratch memory, the ending); and the differential fuzzer
 * restricted to SSE4.2 units (insn_gen_sse42_sequence: PCMPxSTRx with
 * random imm8, zeros in the strings and EAX/EDX lengths in and out of
 * range, CRC32 of every size, PCMPGTQ, with XMM results stored to the
 * scratch page). 2,000 sequences per backend normally, 100,000 with
 * VIREO_CHECK_LONG=1. The host tests exit 77 on a host without SSE4.2.
 */
#include "vireo/common.h"
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#if defined(__x86_64__) && defined(__linux__)
#include "../fuzz/native-exec.c"
#include "../fuzz/insn-gen.c"
#include "../fuzz/insn-seq.c"
#include "../fuzz/tcg-exec.c"
#include "../fuzz/fuzz-test.h"
#include "target-x86/cpuid.h"
#include "target-x86/decode.h"

#define SCRATCH NATIVE_SCRATCH_ADDR

/* ---- the core, by hand ---- */

static XMMReg str(const char *s)
{
    XMMReg r;

    memset(&r, 0, sizeof(r));
    memcpy(r.b, s, MIN(strlen(s), 16));
    return r;
}

static X86PcmpstrResult cmp(const char *a, const char *b, unsigned imm)
{
    XMMReg xa = str(a), xb = str(b);
    X86PcmpstrResult r;

    x86_pcmpstr(&xa, &xb, imm, (unsigned)MIN(strlen(a), 16), (unsigned)MIN(strlen(b), 16),
                &r);
    return r;
}

/* Equal any (imm 00h): vowels of "hello world" at 1, 4, 7. */
static void test_equal_any_marks_each_char_of_b_found_in_a(void **state)
{
    X86PcmpstrResult r = cmp("aeiou", "hello world", 0x00);

    (void)state;
    assert_int_equal(r.intres2, 0x92);
    assert_int_equal(r.index, 1);
    /* CF: a match; ZF, SF: both strings end before 16; OF: bit 0 clear */
    assert_int_equal(r.flags, CC_C | CC_Z | CC_S);
    assert_int_equal(cmp("aeiou", "hello world", 0x40).index, 7);  /* most significant */
    assert_int_equal(cmp("xyz", "hello world", 0x00).index, 16);   /* none: n */
    assert_int_equal(cmp("xyz", "hello world", 0x00).flags, CC_Z | CC_S);
}

/* Ranges (imm 04h): "az" is one range; the lower case of "Hello" is 1..4. */
static void test_ranges_use_pairs_of_a_as_inclusive_bounds(void **state)
{
    XMMReg a, b;
    X86PcmpstrResult r = cmp("az", "Hello", 0x04);

    (void)state;
    assert_int_equal(r.intres2, 0x1e);
    /* a = {80h, 7Fh}: signed bytes -128..127 hold everything, unsigned
     * 128..127 nothing (SDM 4.1.2: the format also selects the compare). */
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    a.b[0] = 0x80;
    a.b[1] = 0x7f;
    b.b[0] = 0x01;
    b.b[1] = 0xff;
    x86_pcmpstr(&a, &b, 0x06, 2, 2, &r);
    assert_int_equal(r.intres2, 0x3);
    x86_pcmpstr(&a, &b, 0x04, 2, 2, &r);
    assert_int_equal(r.intres2, 0);
}

/* Equal each (imm 08h), the strcmp idiom: "abcd" vs "abXd" match at 0, 1,
 * 3 and at 4..15, where both are invalid (Table 4-7 forces true). */
static void test_equal_each_with_polarities(void **state)
{
    (void)state;
    assert_int_equal(cmp("abcd", "abXd", 0x08).intres2, 0xfffb);
    /* negative polarity (18h): the first difference is at 2 */
    assert_int_equal(cmp("abcd", "abXd", 0x18).intres2, 0x0004);
    assert_int_equal(cmp("abcd", "abXd", 0x18).index, 2);
    /* masked negative (38h): only the valid elements of b (0..3) flip */
    assert_int_equal(cmp("abcd", "abXd", 0x38).intres2, 0xfff4);
    /* masked positive (28h) is plain positive */
    assert_int_equal(cmp("abcd", "abXd", 0x28).intres2, 0xfffb);
    /* equal strings, negative: no bit, ECX = 16, CF = 0, OF = 0 */
    assert_int_equal(cmp("abcd", "abcd", 0x18).index, 16);
    assert_int_equal(cmp("abcd", "abcd", 0x18).flags, CC_Z | CC_S);
}

/* Equal ordered (imm 0Ch), strstr: "lo" starts at 3 in "hello world". */
static void test_equal_ordered_finds_substrings_and_partial_tail_matches(void **state)
{
    (void)state;
    assert_int_equal(cmp("lo", "hello world", 0x0c).intres2, 0x8);
    /* a needle running past the end of a shorter b does not match: b's
     * invalid elements against valid ones of a are false */
    assert_int_equal(cmp("ld!", "world", 0x0c).intres2, 0);
    /* but past element 15 of a full-length b it does (the loop stops at
     * n - 1): "ld" matches at 15 of a 16-character b ending in "l" */
    assert_int_equal(cmp("ld", "xxxxxxxxxxxxxxxl", 0x0c).intres2, 0x8000);
    assert_int_equal(cmp("ld", "xxxxxxxxxxxxxxxl", 0x0c).flags, CC_C | CC_S);
    /* an empty needle matches everywhere */
    assert_int_equal(cmp("", "abc", 0x0c).intres2, 0xffff);
    assert_int_equal(cmp("", "abc", 0x0c).flags, CC_C | CC_Z | CC_S | CC_O);
}

/* Word elements (imm 01h), and the two mask forms of PCMPxSTRM. */
static void test_word_elements_and_mask_outputs(void **state)
{
    XMMReg a, b;
    X86PcmpstrResult r;

    (void)state;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    a.w[0] = 0x1234;
    b.w[1] = 0x1234;
    b.w[5] = 0x1234;
    x86_pcmpstr(&a, &b, 0x01, 1, 8, &r);
    assert_int_equal(r.intres2, 0x22);
    assert_int_equal(r.index, 1);
    assert_int_equal(r.flags, CC_C | CC_S);               /* b full: ZF clear */
    assert_int_equal(r.mask.q[0], 0x22);                  /* bit mask (6 clear) */
    assert_int_equal(r.mask.q[1], 0);
    x86_pcmpstr(&a, &b, 0x41, 1, 8, &r);                  /* word mask */
    assert_int_equal(r.index, 5);
    assert_int_equal(r.mask.q[0], 0x00000000ffff0000ull);
    assert_int_equal(r.mask.q[1], 0x00000000ffff0000ull);
    r = cmp("aeiou", "hello world", 0x40);                /* byte mask */
    assert_int_equal(r.mask.q[0], 0xff0000ff0000ff00ull);
    assert_int_equal(r.mask.q[1], 0);
}

/* ---- single instructions, host against TCG ---- */

static bool host_has_sse42(void)
{
    return (insn_gen_host_features() & INSN_FEAT_SSE42) != 0;
}

static int setup_host(void **state)
{
    g_autoptr(GError) err = NULL;

    (void)state;
    if (!host_has_sse42()) {
        printf("SKIP: the host CPU has no SSE4.2\n");
        exit(77);
    }
    if (!init_mode(NATIVE_MODE_64)) {
        printf("%s", missing->str);
        exit(77);
    }
    if (tcg_exec_init(TCG_BACKEND_INTERP, &err) < 0) {
        fail_msg("%s", err->message);
    }
    /* The model advertises SSE4.2 only beside SSSE3 and SSE4.1; these
     * tests are about SSE4.2 itself, so its bit is set here in any case. */
    x86_cpuid_find(&te.cpu->env, 1, 0)->ecx |= CPUID_EXT_SSE42;
    tcg_exec_set_backend(TCG_BACKEND_INTERP);
    return 0;
}

/* Runs code natively and under both TCG backends from in; they must agree
 * on everything (all flags compared: the code must define those it
 * changes). Returns the TCG result in *out. */
static void run_agree(const uint8_t *code, size_t len, const NativeState *in,
                      NativeState *out)
{
    NativeState *nat = g_new0(NativeState, 1);
    g_autoptr(GString) diff = g_string_new("");

    assert_true(init_mode(NATIVE_MODE_64));   /* cmocka may have taken the signals */
    assert_int_equal(native_exec(NATIVE_MODE_64, code, len, in, nat), 0);
    for (int b = 0; b < 2; b++) {
        tcg_exec_set_backend(b && tcg_jit_available() ? TCG_BACKEND_JIT
                                                      : TCG_BACKEND_INTERP);
        assert_int_equal(tcg_exec_snippet(NATIVE_MODE_64, code, len, in, out), 0);
        if (!native_state_equal(NATIVE_MODE_64, nat, out, NATIVE_FLAGS_MASK, diff)) {
            fail_msg("host and TCG differ:\n%s", diff->str);
        }
    }
    g_free(nat);
}

static void init_state(NativeState *st, uint64_t seed)
{
    GRand *rng = g_rand_new_with_seed((guint32)seed);

    memset(st, 0, sizeof(*st));
    for (int r = 0; r < NATIVE_NREGS; r++) {
        st->regs[r] = ((uint64_t)g_rand_int(rng) << 32) | g_rand_int(rng);
    }
    st->regs[NATIVE_R15] = SCRATCH;
    st->regs[NATIVE_RSP] = SCRATCH + 0xf00;
    st->rflags = g_rand_int(rng) & NATIVE_FLAGS_MASK & ~NATIVE_DF;
    for (size_t i = 0; i < NATIVE_SCRATCH_SIZE; i++) {
        st->scratch[i] = (uint8_t)g_rand_int(rng);
    }
    g_rand_free(rng);
}

/* CRC-32C of "123456789" with the customary ~0 start and final inversion
 * is E3069283h (the iSCSI check value, RFC 3720 B.4). */
static void test_crc32_gives_the_crc32c_check_value(void **state)
{
    static const uint8_t code[] = {
        0xb8, 0xff, 0xff, 0xff, 0xff,                     /* mov eax, -1 */
        0x31, 0xc9,                                       /* xor ecx, ecx */
        0xf2, 0x41, 0x0f, 0x38, 0xf0, 0x04, 0x0f,         /* crc32 eax, byte [r15+rcx] */
        0xff, 0xc1,                                       /* inc ecx */
        0x83, 0xf9, 0x09,                                 /* cmp ecx, 9 */
        0x75, 0xf2,                                       /* jne crc32 */
        0xf7, 0xd0,                                       /* not eax */
    };
    NativeState *in = g_new0(NativeState, 1), *out = g_new0(NativeState, 1);

    (void)state;
    init_state(in, 1);
    memcpy(in->scratch, "123456789", 9);
    run_agree(code, sizeof(code), in, out);
    assert_int_equal(out->regs[NATIVE_RAX], 0xe3069283u);
    g_free(in);
    g_free(out);
}

/* Each CRC32 encoding, including the prefix orders capstone misreads
 * (F2 66) and the redundant forms (66 or REX.W on the byte source). */
static void test_crc32_encodings_agree_with_the_host(void **state)
{
    static const uint8_t forms[][12] = {
        { 6, 0xf2, 0x48, 0x0f, 0x38, 0xf1, 0xc3 },        /* crc32 rax, rbx */
        { 5, 0xf2, 0x0f, 0x38, 0xf1, 0xc3 },              /* crc32 eax, ebx */
        { 6, 0x66, 0xf2, 0x0f, 0x38, 0xf1, 0xc3 },        /* crc32 eax, bx */
        { 6, 0xf2, 0x66, 0x0f, 0x38, 0xf1, 0xc3 },        /* crc32 eax, bx (F2 66) */
        { 5, 0xf2, 0x0f, 0x38, 0xf0, 0xc7 },              /* crc32 eax, bh */
        { 6, 0xf2, 0x40, 0x0f, 0x38, 0xf0, 0xc7 },        /* crc32 eax, dil */
        { 6, 0x66, 0xf2, 0x0f, 0x38, 0xf0, 0xc3 },        /* crc32 eax, bl (66 no-op) */
        { 6, 0xf2, 0x4c, 0x0f, 0x38, 0xf0, 0xc3 },        /* crc32 r8, bl */
        { 7, 0x66, 0xf2, 0x48, 0x0f, 0x38, 0xf1, 0xc3 },  /* crc32 rax, rbx (W wins) */
        { 6, 0xf2, 0x41, 0x0f, 0x38, 0xf1, 0x07 },        /* crc32 eax, [r15] */
        { 7, 0xf2, 0x41, 0x0f, 0x38, 0xf1, 0x47, 0x03 },  /* crc32 eax, [r15+3] */
        { 7, 0x66, 0xf2, 0x41, 0x0f, 0x38, 0xf1, 0x07 },  /* crc32 eax, word [r15] */
    };
    NativeState *in = g_new0(NativeState, 1), *out = g_new0(NativeState, 1);

    (void)state;
    for (size_t f = 0; f < ARRAY_SIZE(forms); f++) {
        for (uint64_t seed = 0; seed < 20; seed++) {
            init_state(in, seed * 31 + f);
            run_agree(&forms[f][1], forms[f][0], in, out);
            assert_int_equal(out->vector, NATIVE_VEC_NONE);
        }
    }
    g_free(in);
    g_free(out);
}

/* PCMPESTRI lengths (SDM 4.1.1): |EAX| and |EDX| saturated to 16; with
 * REX.W the whole of RAX and RDX counts. Both strings are 16 x 'a' and
 * the mode is equal any, so ECX is 0 whenever both lengths are non-zero,
 * and SF and ZF say whether each length came out below 16. */
static void test_pcmpestri_lengths_saturate_and_take_absolute_values(void **state)
{
    static const uint8_t code32[] = {     /* movdqu xmm1, [r15]; pcmpestri xmm1, [r15], 0 */
        0xf3, 0x41, 0x0f, 0x6f, 0x0f, 0x66, 0x41, 0x0f, 0x3a, 0x61, 0x0f, 0x00,
    };
    static const uint8_t code64[] = {     /* ... pcmpestri with REX.W */
        0xf3, 0x41, 0x0f, 0x6f, 0x0f, 0x66, 0x49, 0x0f, 0x3a, 0x61, 0x0f, 0x00,
    };
    static const struct {
        uint64_t rax, rdx;
        bool wide;
        uint32_t sf_zf;                   /* expected SF, ZF */
    } cases[] = {
        { 5, 16, false, NATIVE_SF },
        { (uint64_t)-5, 16, false, NATIVE_SF },
        { 0x80000000u, 17, false, 0 },
        { 0xffffffff00000010ull, (uint64_t)-16, false, 0 },    /* EAX = 16 */
        { 0x100000003ull, 3, false, NATIVE_SF | NATIVE_ZF },  /* EAX = 3 */
        { 0x100000003ull, 3, true, NATIVE_ZF },               /* RAX huge: 16 */
        { (uint64_t)-3, 0x8000000000000000ull, true, NATIVE_SF },
    };
    NativeState *in = g_new0(NativeState, 1), *out = g_new0(NativeState, 1);

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        init_state(in, i);
        memset(in->scratch, 'a', 16);
        in->regs[NATIVE_RAX] = cases[i].rax;
        in->regs[NATIVE_RDX] = cases[i].rdx;
        if (cases[i].wide) {
            run_agree(code64, sizeof(code64), in, out);
        } else {
            run_agree(code32, sizeof(code32), in, out);
        }
        assert_int_equal(out->rflags & (NATIVE_SF | NATIVE_ZF), cases[i].sf_zf);
        assert_int_equal(out->regs[NATIVE_RCX], 0);
    }
    g_free(in);
    g_free(out);
}

/* PCMPISTRM from an unaligned address (SDM 4.1.7: no alignment check),
 * with a zero inside the string, XMM0 stored and compared. */
static void test_pcmpistrm_accepts_unaligned_memory(void **state)
{
    static const uint8_t code[] = {
        0xf3, 0x41, 0x0f, 0x6f, 0x4f, 0x40,               /* movdqu xmm1, [r15+0x40] */
        0x66, 0x41, 0x0f, 0x3a, 0x62, 0x4f, 0x03, 0x40,   /* pcmpistrm xmm1, [r15+3], 40h */
        0xf3, 0x41, 0x0f, 0x7f, 0x87, 0x00, 0x01, 0x00, 0x00, /* movdqu [r15+0x100], xmm0 */
    };
    NativeState *in = g_new0(NativeState, 1), *out = g_new0(NativeState, 1);

    (void)state;
    init_state(in, 7);
    memcpy(in->scratch + 0x40, "aeiou\0", 6);
    memcpy(in->scratch + 3, "hello\0world", 12);
    run_agree(code, sizeof(code), in, out);
    assert_int_equal(out->vector, NATIVE_VEC_NONE);
    /* byte mask of "hello": e at 1, o at 4; the string ends at 5 */
    assert_int_equal(out->scratch[0x101], 0xff);
    assert_int_equal(out->scratch[0x104], 0xff);
    assert_int_equal(out->scratch[0x100] | out->scratch[0x107], 0);
    g_free(in);
    g_free(out);
}

/* Every control byte of all four string compares on strings from a small
 * alphabet (so that matches, ranges and substrings occur, unlike with
 * random bytes), with zeros inside and explicit lengths from -20 to 20:
 * index, mask, XMM0 and flags must be the host's bit for bit. The snippet
 * state has no XMM registers, so XMM0 is cleared first (the index forms
 * leave it alone). */
static void test_pcmpstr_every_control_byte_on_match_rich_strings_agrees_with_the_host(
    void **state)
{
    uint8_t code[] = {
        0x66, 0x0f, 0xef, 0xc0,                           /* pxor xmm0, xmm0 */
        0xf3, 0x41, 0x0f, 0x6f, 0x0f,                     /* movdqu xmm1, [r15] */
        0x66, 0x41, 0x0f, 0x3a, 0x60, 0x4f, 0x10, 0x00,   /* pcmpXstrX xmm1, [r15+16], imm */
        0xf3, 0x41, 0x0f, 0x7f, 0x47, 0x20,               /* movdqu [r15+32], xmm0 */
    };
    NativeState *in = g_new0(NativeState, 1), *out = g_new0(NativeState, 1);
    GRand *rng = g_rand_new_with_seed(0x5e42);

    (void)state;
    for (unsigned op = 0x60; op <= 0x63; op++) {
        for (unsigned imm = 0; imm < 0x80; imm++) {
            for (int round = 0; round < 3; round++) {
                unsigned alpha = 1 + g_rand_int_range(rng, 0, 6);

                init_state(in, (op << 8) | imm);
                for (int i = 0; i < 32; i++) {
                    in->scratch[i] = (uint8_t)(0x41 + g_rand_int_range(rng, 0, alpha));
                    if (g_rand_int_range(rng, 0, 24) == 0) {
                        in->scratch[i] = g_rand_boolean(rng) ? 0 : 0xc1;
                    }
                }
                in->regs[NATIVE_RAX] = (uint64_t)(int64_t)g_rand_int_range(rng, -20, 21);
                in->regs[NATIVE_RDX] = (uint64_t)(int64_t)g_rand_int_range(rng, -20, 21);
                code[13] = (uint8_t)op;
                code[16] = (uint8_t)imm;
                run_agree(code, sizeof(code), in, out);
            }
        }
    }
    g_rand_free(rng);
    g_free(in);
    g_free(out);
}

/* PCMPGTQ is a legacy SSE m128 operand: misaligned -> #GP(0). */
static void test_pcmpgtq_misaligned_memory_raises_gp(void **state)
{
    static const uint8_t code[] = {
        0x66, 0x41, 0x0f, 0x38, 0x37, 0x47, 0x08,         /* pcmpgtq xmm0, [r15+8] */
    };
    NativeState *in = g_new0(NativeState, 1), *out = g_new0(NativeState, 1);

    (void)state;
    init_state(in, 3);
    run_agree(code, sizeof(code), in, out);
    assert_int_equal(out->vector, EXCP_GP);
    g_free(in);
    g_free(out);
}

/* POPCNT of 16/32/64-bit registers and memory against the host. */
static void test_popcnt_agrees_with_the_host(void **state)
{
    static const uint8_t forms[][10] = {
        { 5, 0xf3, 0x48, 0x0f, 0xb8, 0xc3 },              /* popcnt rax, rbx */
        { 4, 0xf3, 0x0f, 0xb8, 0xc3 },                    /* popcnt eax, ebx */
        { 5, 0x66, 0xf3, 0x0f, 0xb8, 0xc3 },              /* popcnt ax, bx */
        { 6, 0xf3, 0x4d, 0x0f, 0xb8, 0x47, 0x10 },        /* popcnt r8, [r15+16] */
        { 6, 0x66, 0xf3, 0x41, 0x0f, 0xb8, 0x07 },        /* popcnt ax, [r15] */
    };
    NativeState *in = g_new0(NativeState, 1), *out = g_new0(NativeState, 1);

    (void)state;
    for (size_t f = 0; f < ARRAY_SIZE(forms); f++) {
        for (uint64_t seed = 0; seed < 40; seed++) {
            init_state(in, seed * 17 + f);
            if (seed == 0) {
                in->regs[NATIVE_RBX] = 0;             /* ZF set */
                memset(in->scratch, 0, 32);
            }
            run_agree(&forms[f][1], forms[f][0], in, out);
        }
    }
    g_free(in);
    g_free(out);
}

/* ---- the model and the decoder ---- */

typedef struct Buf {
    const uint8_t *p;
    size_t n;
} Buf;

static int fetch_buf(void *opaque, uint64_t off, uint8_t *buf, unsigned len)
{
    Buf *b = opaque;

    if (off + len > b->n) {
        return 1;
    }
    memcpy(buf, b->p + off, len);
    return 0;
}

static int decode(X86CodeMode mode, uint64_t features, const uint8_t *p, size_t n,
                  X86Insn *insn)
{
    Buf b = { p, n };
    X86DecodeCtx ctx = { .mode = mode, .features = features, .fetch = fetch_buf,
                         .opaque = &b };

    return x86_decode(&ctx, insn);
}

/* CPUID says POPCNT, and SSE4.2 exactly when it also says SSSE3 and
 * SSE4.1 (software takes SSE4.2 to imply both); the decoder follows the
 * SSE4.2 bit: CRC32 in 16-bit code takes a 16-bit source without 66 and
 * a 32-bit one with it, and is #UD without the bit. */
static void test_sse42_is_advertised_with_ssse3_sse41_and_the_decoder_follows(void **state)
{
    static const uint8_t crc16[] = { 0xf2, 0x0f, 0x38, 0xf1, 0xc3 };
    static const uint8_t crc16_66[] = { 0x66, 0xf2, 0x0f, 0x38, 0xf1, 0xc3 };
    static const uint8_t crc64[] = { 0xf2, 0x48, 0x0f, 0x38, 0xf1, 0xc3 };
    X86CPU *cpu = x86_cpu_new(0);
    uint32_t a, b, c, d;
    uint64_t feat;
    X86Insn insn;

    (void)state;
    x86_cpuid_restrict_for_tcg(&cpu->env);
    x86_cpuid(&cpu->env, 1, 0, &a, &b, &c, &d);
    assert_true(c & CPUID_EXT_POPCNT);
    assert_int_equal(!!(c & CPUID_EXT_SSE42),
                     (c & (CPUID_EXT_SSSE3 | CPUID_EXT_SSE41)) ==
                     (CPUID_EXT_SSSE3 | CPUID_EXT_SSE41));
    c |= CPUID_EXT_SSE42;
    x86_cpuid_find(&cpu->env, 1, 0)->ecx = c;
    feat = x86_tcg_decoder_features(&cpu->env);
    assert_int_equal(decode(X86_MODE_16, feat, crc16, sizeof(crc16), &insn), X86_DECODE_OK);
    assert_int_equal(insn.mnemonic, X86_MN_CRC32);
    assert_int_equal(insn.ops[0].size, 4);
    assert_int_equal(insn.ops[1].size, 2);
    assert_int_equal(decode(X86_MODE_16, feat, crc16_66, sizeof(crc16_66), &insn),
                     X86_DECODE_OK);
    assert_int_equal(insn.ops[1].size, 4);
    assert_int_equal(decode(X86_MODE_64, feat, crc64, sizeof(crc64), &insn), X86_DECODE_OK);
    assert_int_equal(insn.ops[0].size, 8);
    assert_int_equal(insn.ops[1].size, 8);
    /* without the CPUID bit the same bytes are #UD */
    c &= ~CPUID_EXT_SSE42;
    x86_cpuid_find(&cpu->env, 1, 0)->ecx = c;
    feat = x86_tcg_decoder_features(&cpu->env);
    assert_int_not_equal(decode(X86_MODE_64, feat, crc64, sizeof(crc64), &insn),
                         X86_DECODE_OK);
    x86_cpu_free(cpu);
}

/* ---- the differential fuzzer, SSE4.2 units only ---- */

static void fuzz(TCGBackend backend)
{
    int n = long_run() ? 100000 : 2000, units = 0, faults = 0;
    InsnSeq *seq = g_new0(InsnSeq, 1);
    NativeState *nat = g_new0(NativeState, 1), *emu = g_new0(NativeState, 1);
    uint8_t code[INSN_SEQ_MAX_UNITS * INSN_UNIT_MAX_BYTES];
    g_autoptr(GString) diff = g_string_new("");
    gint64 t0 = g_get_monotonic_time();

    assert_true(init_mode(NATIVE_MODE_64));
    tcg_exec_set_backend(backend == TCG_BACKEND_JIT && !tcg_jit_available()
                         ? TCG_BACKEND_INTERP : backend);
    for (int i = 0; i < n; i++) {
        uint64_t seed = 0x5e42000u + (uint64_t)i;
        size_t len;

        insn_gen_sse42_sequence(seq, NATIVE_MODE_64, seed, 1 + (size_t)(i % 16));
        len = insn_seq_assemble(seq, code, sizeof(code), NULL);
        assert_true(len > 0);
        assert_int_equal(native_exec(NATIVE_MODE_64, code, len, &seq->init, nat), 0);
        assert_int_equal(tcg_exec_snippet(NATIVE_MODE_64, code, len, &seq->init, emu), 0);
        if (!native_state_equal(NATIVE_MODE_64, nat, emu,
                                insn_gen_defined_flags_mask(seq, nat->fault_offset), diff)) {
            g_autoptr(GString) text = g_string_new("");
            insn_seq_format(seq, text);
            fail_msg("seed %#" PRIx64 ": host and TCG differ\n%s%s", seed, diff->str,
                     text->str);
        }
        units += (int)seq->count;
        faults += nat->vector != NATIVE_VEC_NONE;
    }
    assert_int_equal(faults, 0);        /* the SSE4.2 units never fault */
    printf("SSE4.2 fuzz (%s): %d sequences, %d units agree with the host in %.2fs\n",
           tcg_ctx->backend == TCG_BACKEND_JIT ? "jit" : "interp", n, units,
           (double)(g_get_monotonic_time() - t0) / 1e6);
    g_free(seq);
    g_free(nat);
    g_free(emu);
}

static void test_sse42_fuzz_agrees_with_the_host_jit(void **state)
{
    (void)state;
    fuzz(TCG_BACKEND_JIT);
}

static void test_sse42_fuzz_agrees_with_the_host_interp(void **state)
{
    (void)state;
    fuzz(TCG_BACKEND_INTERP);
}

int main(void)
{
    const struct CMUnitTest core[] = {
        cmocka_unit_test(test_equal_any_marks_each_char_of_b_found_in_a),
        cmocka_unit_test(test_ranges_use_pairs_of_a_as_inclusive_bounds),
        cmocka_unit_test(test_equal_each_with_polarities),
        cmocka_unit_test(test_equal_ordered_finds_substrings_and_partial_tail_matches),
        cmocka_unit_test(test_word_elements_and_mask_outputs),
        cmocka_unit_test(test_sse42_is_advertised_with_ssse3_sse41_and_the_decoder_follows),
    };
    const struct CMUnitTest host[] = {
        cmocka_unit_test(test_crc32_gives_the_crc32c_check_value),
        cmocka_unit_test(test_crc32_encodings_agree_with_the_host),
        cmocka_unit_test(test_pcmpestri_lengths_saturate_and_take_absolute_values),
        cmocka_unit_test(test_pcmpistrm_accepts_unaligned_memory),
        cmocka_unit_test(test_pcmpstr_every_control_byte_on_match_rich_strings_agrees_with_the_host),
        cmocka_unit_test(test_pcmpgtq_misaligned_memory_raises_gp),
        cmocka_unit_test(test_popcnt_agrees_with_the_host),
        cmocka_unit_test(test_sse42_fuzz_agrees_with_the_host_jit),
        cmocka_unit_test(test_sse42_fuzz_agrees_with_the_host_interp),
    };
    int rc;

    missing = g_string_new("");
    rc = cmocka_run_group_tests_name("core", core, NULL, NULL);
    rc |= cmocka_run_group_tests_name("host", host, setup_host, NULL);
    tcg_exec_cleanup();
    g_string_free(missing, true);
    return rc;
}

#else

int main(void)
{
    printf("SKIP: needs an x86-64 Linux host (native execution)\n");
    return 77;
}

#endif
