/*
 * test-x86-decode-capstone.c: differential test of the x86 decoder
 * (target-x86/decode.c) against capstone 4 in 16-, 32- and 64-bit code.
 * For each byte string both decoders must agree on validity, instruction
 * length and mnemonic. Inputs are every opcode of every map under each
 * mandatory prefix with a spread of ModRM bytes, plus random byte strings
 * biased towards prefixes and valid opcodes (fixed seed; 1,000,000 per mode
 * with VIREO_CHECK_LONG=1). Where capstone 4 and the hardware disagree the
 * SDM and the host CPU decide, and the case is listed in known_diffs[]
 * with its reason; any other disagreement fails the test and is printed
 * with the bytes, the mode and both answers.
 */
#include "vireo/common.h"
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <ctype.h>
#include <cmocka.h>
#include <capstone/capstone.h>
#include "target-x86/decode.h"

#define BUF_LEN 24

/* The guest model: everything but AVX (so every VEX/EVEX form is #UD). */
#define TEST_FEATURES X86_FEATURES_ALL_NO_AVX

typedef struct Answer {
    bool valid;
    unsigned len;
    char name[32];
} Answer;

enum { M16 = 1, M32 = 2, M64 = 4, MALL = 7 };

/* Kinds of disagreement. */
enum {
    D_WE_UD = 1,     /* we say invalid, capstone decodes */
    D_CS_UD = 2,     /* capstone refuses, we decode */
    D_LEN = 4,       /* both valid, lengths differ */
    D_NAME = 8,      /* both valid, same length, mnemonics differ */
    D_ANY = 15,
};

typedef struct KnownDiff {
    unsigned modes;
    unsigned kinds;
    int map;          /* X86Map, or -1 for any */
    int opcode;       /* opcode byte, or -1 for any */
    int reg;          /* ModRM.reg, or -1 for any */
    int mod3;         /* 1 register form, 0 memory form, -1 either */
    unsigned prefix;  /* X86_PFX_* that must be present (0: none needed) */
    const char *reason;
    unsigned long hits[3];
} KnownDiff;

/*
 * Known disagreements between capstone 4.0.2 and the decoder. Each says
 * which side is right and why; the hardware reference is the SDM, checked
 * where possible on the host CPU.
 */
static KnownDiff known_diffs[] = {
    { MALL, D_WE_UD, X86_MAP_ONEBYTE, -1, -1, -1, 0,
      "VEX/EVEX encodings: the guest model has no AVX, so they are #UD; "
      "capstone decodes AVX/AVX-512 (matched by ud_reason VEX)", {0} },
};

static const char *mode_name(unsigned mi)
{
    return (const char *[]){ "16-bit", "32-bit", "64-bit" }[mi];
}

typedef struct Buf {
    const uint8_t *p;
    unsigned n;
} Buf;

static int buf_fetch(void *opaque, uint64_t off, uint8_t *dst, unsigned len)
{
    Buf *b = opaque;

    if (off + len > b->n) {
        return 14;
    }
    memcpy(dst, b->p + off, len);
    return 0;
}

static const X86CodeMode modes[3] = { X86_MODE_16, X86_MODE_32, X86_MODE_64 };

static int our_decode(unsigned mi, const uint8_t *bytes, X86Insn *insn)
{
    Buf b = { bytes, BUF_LEN };
    X86DecodeCtx ctx = {
        .mode = modes[mi], .pc = 0x1000, .features = TEST_FEATURES,
        .fetch = buf_fetch, .opaque = &b,
    };
    return x86_decode(&ctx, insn);
}

static void our_answer(int r, const X86Insn *insn, Answer *a)
{
    a->valid = r == X86_DECODE_OK;
    a->len = insn->len;
    snprintf(a->name, sizeof(a->name), "%s", x86_mnemonic_name(insn->mnemonic));
    for (char *c = a->name; *c; c++) {
        *c = tolower((unsigned char)*c);
    }
}

static csh cs_handles[3];

static void cs_answer(unsigned mi, const uint8_t *bytes, Answer *a)
{
    cs_insn *ci;
    size_t n = cs_disasm(cs_handles[mi], bytes, X86_MAX_INSN_LEN, 0x1000, 1, &ci);

    memset(a, 0, sizeof(*a));
    if (n == 0) {
        return;
    }
    a->valid = true;
    a->len = ci->size;
    snprintf(a->name, sizeof(a->name), "%s", cs_insn_name(cs_handles[mi], ci->id));
    cs_free(ci, n);
}

/* Capstone spells some of our mnemonics by size or by an alias. */
static const struct { uint16_t mn; const char *cs; } aliases[] = {
    { X86_MN_MOVS, "movsb" }, { X86_MN_MOVS, "movsw" }, { X86_MN_MOVS, "movsd" },
    { X86_MN_MOVS, "movsq" }, { X86_MN_CMPS, "cmpsb" }, { X86_MN_CMPS, "cmpsw" },
    { X86_MN_CMPS, "cmpsd" }, { X86_MN_CMPS, "cmpsq" }, { X86_MN_STOS, "stosb" },
    { X86_MN_STOS, "stosw" }, { X86_MN_STOS, "stosd" }, { X86_MN_STOS, "stosq" },
    { X86_MN_LODS, "lodsb" }, { X86_MN_LODS, "lodsw" }, { X86_MN_LODS, "lodsd" },
    { X86_MN_LODS, "lodsq" }, { X86_MN_SCAS, "scasb" }, { X86_MN_SCAS, "scasw" },
    { X86_MN_SCAS, "scasd" }, { X86_MN_SCAS, "scasq" }, { X86_MN_INS, "insb" },
    { X86_MN_INS, "insw" }, { X86_MN_INS, "insd" }, { X86_MN_OUTS, "outsb" },
    { X86_MN_OUTS, "outsw" }, { X86_MN_OUTS, "outsd" },
    { X86_MN_CBW, "cwde" }, { X86_MN_CBW, "cdqe" },
    { X86_MN_CWD, "cdq" }, { X86_MN_CWD, "cqo" },
    { X86_MN_PUSHF, "pushfd" }, { X86_MN_PUSHF, "pushfq" },
    { X86_MN_POPF, "popfd" }, { X86_MN_POPF, "popfq" },
    { X86_MN_PUSHA, "pushal" }, { X86_MN_PUSHA, "pushaw" },
    { X86_MN_POPA, "popal" }, { X86_MN_POPA, "popaw" },
    { X86_MN_IRET, "iretd" }, { X86_MN_IRET, "iretq" },
    { X86_MN_JCXZ, "jecxz" }, { X86_MN_JCXZ, "jrcxz" },
    { X86_MN_CALLF, "lcall" }, { X86_MN_JMPF, "ljmp" },
    { X86_MN_FWAIT, "wait" }, { X86_MN_XLAT, "xlatb" },
    { X86_MN_INT1, "int1" },
    { X86_MN_FXSAVE, "fxsave64" }, { X86_MN_FXRSTOR, "fxrstor64" },
    { X86_MN_XSAVE, "xsave64" }, { X86_MN_XRSTOR, "xrstor64" },
    { X86_MN_XSAVEOPT, "xsaveopt64" }, { X86_MN_SYSRET, "sysretq" },
    { X86_MN_SYSEXIT, "sysexitq" }, { X86_MN_MOV, "movabs" },
};

static bool names_match(uint16_t mn, const Answer *ours, const Answer *cs)
{
    if (!strcmp(ours->name, cs->name)) {
        return true;
    }
    for (size_t i = 0; i < ARRAY_SIZE(aliases); i++) {
        if (aliases[i].mn == mn && !strcmp(aliases[i].cs, cs->name)) {
            return true;
        }
    }
    return false;
}

static bool diff_known(KnownDiff *k, unsigned mi, unsigned kind,
                       const X86Insn *insn)
{
    if (!(k->modes & (1u << mi)) || !(k->kinds & kind)) {
        return false;
    }
    if (k == &known_diffs[0]) {
        return insn->ud_reason == X86_UD_VEX;
    }
    if ((k->map >= 0 && k->map != insn->map) ||
        (k->opcode >= 0 && k->opcode != insn->opcode)) {
        return false;
    }
    if (k->reg >= 0 && (!insn->has_modrm || insn->reg != k->reg)) {
        return false;
    }
    if (k->mod3 >= 0 && (!insn->has_modrm || (insn->mod == 3) != k->mod3)) {
        return false;
    }
    return (insn->prefixes & k->prefix) == k->prefix;
}

typedef struct Stats {
    unsigned long strings[3], valid[3], unknown;
    GHashTable *seen;      /* "mode kind ours cs" -> count, for the summary */
} Stats;

static void report(Stats *st, unsigned mi, const uint8_t *bytes, unsigned kind,
                   const X86Insn *insn, int r, const Answer *ours,
                   const Answer *cs)
{
    char key[160];
    gpointer old;

    for (size_t i = 0; i < ARRAY_SIZE(known_diffs); i++) {
        if (diff_known(&known_diffs[i], mi, kind, insn)) {
            known_diffs[i].hits[mi]++;
            return;
        }
    }
    st->unknown++;
    snprintf(key, sizeof(key), "%s %s map%d op%02x /%d mod3=%d: ours %s | capstone %s",
             mode_name(mi), kind == D_LEN ? "LEN" : kind == D_NAME ? "NAME" :
             kind == D_WE_UD ? "WE_UD" : "CS_UD", insn->map, insn->opcode,
             insn->has_modrm ? insn->reg : -1, insn->has_modrm ? insn->mod == 3 : -1,
             ours->valid ? ours->name : "invalid", cs->valid ? cs->name : "invalid");
    old = g_hash_table_lookup(st->seen, key);
    if (!old) {
        GString *s = g_string_new(key);
        g_string_append(s, "  e.g.");
        for (unsigned i = 0; i < X86_MAX_INSN_LEN; i++) {
            g_string_append_printf(s, " %02x", bytes[i]);
        }
        g_string_append_printf(s, " (ours len %u %s, capstone len %u)", ours->len,
                               x86_decode_strerror(r), cs->len);
        print_message("DISAGREE %s\n", s->str);
        g_string_free(s, TRUE);
    }
    g_hash_table_insert(st->seen, g_strdup(key), GSIZE_TO_POINTER(GPOINTER_TO_SIZE(old) + 1));
}

static void check_one(Stats *st, unsigned mi, const uint8_t *bytes)
{
    X86Insn insn;
    Answer ours, cs;
    int r = our_decode(mi, bytes, &insn);
    unsigned kind = 0;

    our_answer(r, &insn, &ours);
    cs_answer(mi, bytes, &cs);
    st->strings[mi]++;
    if (ours.valid && cs.valid) {
        st->valid[mi]++;
        if (ours.len != cs.len) {
            kind = D_LEN;
        } else if (!names_match(insn.mnemonic, &ours, &cs)) {
            kind = D_NAME;
        }
    } else if (ours.valid != cs.valid) {
        kind = ours.valid ? D_CS_UD : D_WE_UD;
    }
    if (kind) {
        report(st, mi, bytes, kind, &insn, r, &ours, &cs);
    }
}

static const uint8_t legacy_prefixes[] = {
    0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x3e, 0x26, 0x64, 0x65, 0x36,
};

/* A random byte string biased towards prefixes and known opcodes. */
static void random_insn(GRand *rng, unsigned mi, uint8_t *buf)
{
    unsigned n = 0, npfx = g_rand_int_range(rng, 0, 8);

    for (unsigned i = 0; i < BUF_LEN; i++) {
        buf[i] = g_rand_int_range(rng, 0, 256);
    }
    npfx = npfx < 4 ? 0 : npfx - 4;    /* half without prefixes */
    for (unsigned i = 0; i < npfx; i++) {
        buf[n++] = legacy_prefixes[g_rand_int_range(rng, 0, sizeof(legacy_prefixes))];
    }
    if (mi == 2 && g_rand_boolean(rng)) {
        buf[n++] = 0x40 | g_rand_int_range(rng, 0, 16);
    }
    switch (g_rand_int_range(rng, 0, 10)) {
    case 0: case 1: case 2: case 3: case 4:
        break;                         /* one-byte map: random opcode */
    case 5: case 6: case 7:
        buf[n++] = 0x0f;
        break;
    default:
        buf[n++] = 0x0f;
        buf[n++] = g_rand_boolean(rng) ? 0x38 : 0x3a;
        break;
    }
    (void)n;
}

static void run_random(Stats *st, unsigned long per_mode, guint32 seed)
{
    GRand *rng = g_rand_new_with_seed(seed);
    uint8_t buf[BUF_LEN];

    for (unsigned mi = 0; mi < 3; mi++) {
        for (unsigned long i = 0; i < per_mode; i++) {
            random_insn(rng, mi, buf);
            check_one(st, mi, buf);
        }
    }
    g_rand_free(rng);
}

/*
 * Every opcode of every map, under no prefix, 66, F3, F2 (and REX.W in
 * 64-bit mode), with ModRM bytes covering every mod and reg and the
 * interesting r/m values, followed by fixed displacement/immediate bytes.
 */
static void run_tables(Stats *st, bool full)
{
    static const uint8_t pfx[] = { 0, 0x66, 0xf3, 0xf2 };
    static const uint8_t rms[] = { 0, 4, 5, 7 };
    static const uint8_t esc[4][2] = { { 0 }, { 0x0f }, { 0x0f, 0x38 }, { 0x0f, 0x3a } };
    uint8_t buf[BUF_LEN];

    for (unsigned mi = 0; mi < 3; mi++) {
        for (unsigned map = 0; map < 4; map++) {
            for (unsigned op = 0; op < 256; op++) {
                for (unsigned p = 0; p < ARRAY_SIZE(pfx); p++) {
                    for (unsigned rexw = 0; rexw < (mi == 2 ? 2u : 1u); rexw++) {
                        for (unsigned m = 0; m < (full ? 256u : 128u); m++) {
                            unsigned n = 0;
                            uint8_t modrm = full ? m : (m & 0x78) << 1 | (m >> 7) << 3 |
                                                       rms[m & 3];
                            if (!full) {
                                modrm = ((m >> 5) << 6) | (((m >> 2) & 7) << 3) | rms[m & 3];
                            }
                            if (pfx[p]) {
                                buf[n++] = pfx[p];
                            }
                            if (rexw) {
                                buf[n++] = 0x48;
                            }
                            for (unsigned e = 0; e < map && e < 2; e++) {
                                buf[n++] = esc[map][e];
                            }
                            buf[n++] = op;
                            buf[n++] = modrm;
                            buf[n++] = 0x24;   /* SIB: base rSP, no index */
                            while (n < BUF_LEN) {
                                buf[n] = 0x11 * (n & 7) + 1;
                                n++;
                            }
                            check_one(st, mi, buf);
                        }
                    }
                }
            }
        }
    }
}

static void print_summary(Stats *st)
{
    GHashTableIter it;
    gpointer k, v;

    for (unsigned mi = 0; mi < 3; mi++) {
        print_message("capstone diff %s: %lu strings, %lu valid for both\n",
                      mode_name(mi), st->strings[mi], st->valid[mi]);
    }
    for (size_t i = 0; i < ARRAY_SIZE(known_diffs); i++) {
        KnownDiff *kd = &known_diffs[i];
        if (kd->hits[0] + kd->hits[1] + kd->hits[2]) {
            print_message("known [%zu] 16:%lu 32:%lu 64:%lu  %s\n", i, kd->hits[0],
                          kd->hits[1], kd->hits[2], kd->reason);
        }
    }
    g_hash_table_iter_init(&it, st->seen);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        print_message("UNKNOWN x%zu %s\n", GPOINTER_TO_SIZE(v), (char *)k);
    }
}

static void test_decoder_agrees_with_capstone(void **state)
{
    bool lng = g_getenv("VIREO_CHECK_LONG") != NULL;
    Stats st = { .seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL) };
    static const cs_mode cm[3] = { CS_MODE_16, CS_MODE_32, CS_MODE_64 };

    for (unsigned mi = 0; mi < 3; mi++) {
        assert_int_equal(cs_open(CS_ARCH_X86, cm[mi], &cs_handles[mi]), CS_ERR_OK);
    }
    run_tables(&st, lng);
    run_random(&st, lng ? 1000000 : 100000, 0x5eed1234);
    print_summary(&st);
    for (unsigned mi = 0; mi < 3; mi++) {
        cs_close(&cs_handles[mi]);
    }
    g_hash_table_destroy(st.seen);
    assert_int_equal(st.unknown, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decoder_agrees_with_capstone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
