/*
 * insn-gen-simd.c: the SSSE3 and SSE4.1 units of the differential fuzzer's
 * generator (64-bit code only). insn-gen.c includes this file, so it uses
 * the generator's own helpers (Gen, b, emit_mem, rnd...). A unit loads its
 * operands from the scratch page with MOVDQU (MOVQ for the MMX forms of
 * SSSE3), and XMM0 too for the BLENDV forms; the floating-point ones
 * (ROUND*, DPPS, DPPD) first set a random MXCSR (rounding mode, DAZ, FTZ,
 * sticky flags; exceptions masked) with MOV m32, imm32 + LDMXCSR. Then the
 * instruction under test runs (register or memory source, aligned) and the
 * unit stores the
 * destination (and MXCSR with STMXCSR) back to the scratch page, where the
 * comparison sees it, and restores the host's default MXCSR 0x1f80 (EMMS
 * after an MMX form), so that the snippet leaves the calling convention's
 * callee-saved MXCSR control bits and an empty x87 as it found them. The
 * operand values come from simd_fill_scratch: IEEE edge cases (zeros,
 * infinities, denormals, quiet and signalling NaNs, values next to integers
 * and halves) and integer saturation limits in random 16-byte slots.
 */

enum {
    SF_XMM,      /* xmm, xmm/m */
    SF_MMX,      /* mm, mm/m64 */
    SF_EXTRACT,  /* r/m, xmm (PEXTR*, EXTRACTPS) */
    SF_INSERT,   /* xmm, r/m (PINSR*) */
    SF_MEMSRC,   /* xmm, m128 only (MOVNTDQA) */
};

typedef struct SimdOp {
    const char *what;
    uint8_t map;         /* 0x38 or 0x3a */
    uint8_t op;
    uint8_t form;        /* SF_* */
    uint8_t memsize;     /* bytes of the memory operand */
    bool imm;
    bool fp;             /* reads MXCSR */
    bool rexw;
    bool sse41;          /* else SSSE3 */
} SimdOp;

#define S3(w, o) { w, 0x38, o, SF_XMM, 16, false, false, false, false }, \
                 { w " (mmx)", 0x38, o, SF_MMX, 8, false, false, false, false }
#define S41(w, o, ms) { w, 0x38, o, SF_XMM, ms, false, false, false, true }
#define S41I(w, o, ms, fp) { w, 0x3a, o, SF_XMM, ms, true, fp, false, true }
#define S41G(w, o, f, ms, rw) { w, 0x3a, o, f, ms, true, false, rw, true }

static const SimdOp simd_ops[] = {
    S3("pshufb", 0x00), S3("phaddw", 0x01), S3("phaddd", 0x02), S3("phaddsw", 0x03),
    S3("pmaddubsw", 0x04), S3("phsubw", 0x05), S3("phsubd", 0x06), S3("phsubsw", 0x07),
    S3("psignb", 0x08), S3("psignw", 0x09), S3("psignd", 0x0a), S3("pmulhrsw", 0x0b),
    S3("pabsb", 0x1c), S3("pabsw", 0x1d), S3("pabsd", 0x1e),
    { "palignr", 0x3a, 0x0f, SF_XMM, 16, true, false, false, false },
    { "palignr (mmx)", 0x3a, 0x0f, SF_MMX, 8, true, false, false, false },
    S41("pblendvb", 0x10, 16), S41("blendvps", 0x14, 16), S41("blendvpd", 0x15, 16),
    S41("ptest", 0x17, 16), S41("pmovsxbw", 0x20, 8), S41("pmovsxbd", 0x21, 4),
    S41("pmovsxbq", 0x22, 2), S41("pmovsxwd", 0x23, 8), S41("pmovsxwq", 0x24, 4),
    S41("pmovsxdq", 0x25, 8), S41("pmuldq", 0x28, 16), S41("pcmpeqq", 0x29, 16),
    { "movntdqa", 0x38, 0x2a, SF_MEMSRC, 16, false, false, false, true },
    S41("packusdw", 0x2b, 16), S41("pmovzxbw", 0x30, 8), S41("pmovzxbd", 0x31, 4),
    S41("pmovzxbq", 0x32, 2), S41("pmovzxwd", 0x33, 8), S41("pmovzxwq", 0x34, 4),
    S41("pmovzxdq", 0x35, 8), S41("pminsb", 0x38, 16), S41("pminsd", 0x39, 16),
    S41("pminuw", 0x3a, 16), S41("pminud", 0x3b, 16), S41("pmaxsb", 0x3c, 16),
    S41("pmaxsd", 0x3d, 16), S41("pmaxuw", 0x3e, 16), S41("pmaxud", 0x3f, 16),
    S41("pmulld", 0x40, 16), S41("phminposuw", 0x41, 16),
    S41I("roundps", 0x08, 16, true), S41I("roundpd", 0x09, 16, true),
    S41I("roundss", 0x0a, 4, true), S41I("roundsd", 0x0b, 8, true),
    S41I("blendps", 0x0c, 16, false), S41I("blendpd", 0x0d, 16, false),
    S41I("pblendw", 0x0e, 16, false), S41I("insertps", 0x21, 4, false),
    S41I("dpps", 0x40, 16, true), S41I("dppd", 0x41, 16, true),
    S41I("mpsadbw", 0x42, 16, false),
    S41G("pextrb", 0x14, SF_EXTRACT, 1, false), S41G("pextrw", 0x15, SF_EXTRACT, 2, false),
    S41G("pextrd", 0x16, SF_EXTRACT, 4, false), S41G("pextrq", 0x16, SF_EXTRACT, 8, true),
    S41G("extractps", 0x17, SF_EXTRACT, 4, false),
    S41G("pinsrb", 0x20, SF_INSERT, 1, false), S41G("pinsrd", 0x22, SF_INSERT, 4, false),
    S41G("pinsrq", 0x22, SF_INSERT, 8, true),
};

/* The most bytes a SIMD unit takes (checked when it is emitted). */
#define SIMD_UNIT_MAX 80
/* The most bytes any other unit takes. */
#define OTHER_UNIT_MAX 40

/*
 * Bytes a SIMD unit may still take so that the sequence, filled up with
 * other units to INSN_SEQ_MAX_UNITS, still fits in NATIVE_MAX_CODE.
 */
static int simd_budget_left(Gen *g)
{
    size_t used = 0;

    for (size_t i = 0; i + 1 < g->seq->count; i++) {
        used += g->seq->units[i].len;
    }
    return (int)NATIVE_MAX_CODE - (int)used -
           (int)(INSN_SEQ_MAX_UNITS - g->seq->count) * OTHER_UNIT_MAX;
}

/* One IEEE value of exp_bits/man_bits: an edge class or random bits. */
static uint64_t simd_fp_value(Gen *g, int exp_bits, int man_bits)
{
    uint64_t emax = (1ull << exp_bits) - 1, bias = emax >> 1;
    uint64_t man_all = (1ull << man_bits) - 1, quiet = 1ull << (man_bits - 1);
    uint64_t e, m;

    switch (rnd(g, 8)) {
    case 0: e = 0; break;                                /* zero, denormal */
    case 1: e = emax; break;                             /* inf, NaN */
    case 2: e = bias - 1 + rnd(g, 3); break;             /* 0.5 .. 2 */
    case 3: e = bias + (uint64_t)man_bits - 1 + rnd(g, 3); break;   /* 2^(p-1) */
    case 4: e = 1 + rnd(g, 2); break;                    /* smallest normals */
    case 5: e = emax - 1; break;                         /* largest finite */
    default: e = rnd64(g) & emax; break;
    }
    switch (rnd(g, 6)) {
    case 0: m = 0; break;
    case 1: m = quiet; break;                            /* x.5, QNaN */
    case 2: m = man_all; break;
    case 3: m = 1 + rnd(g, 2); break;                    /* SNaN, tiny */
    case 4: m = quiet | (rnd64(g) & (quiet - 1)); break;
    default: m = rnd64(g) & man_all; break;
    }
    return (chance(g, 2) ? 1ull << (exp_bits + man_bits) : 0) | e << man_bits | m;
}

/* Edge operands in about half of the 16-byte slots of the data area. */
static void simd_fill_scratch(Gen *g, uint8_t *scratch)
{
    for (uint32_t off = DATA_LO; off < DATA_HI; off += 16) {
        uint8_t *p = scratch + off;
        switch (rnd(g, 8)) {
        case 0: case 1:
            for (int i = 0; i < 4; i++) {
                uint32_t v = (uint32_t)simd_fp_value(g, 8, 23);
                memcpy(p + 4 * i, &v, 4);
            }
            break;
        case 2: case 3:
            for (int i = 0; i < 2; i++) {
                uint64_t v = simd_fp_value(g, 11, 52);
                memcpy(p + 8 * i, &v, 8);
            }
            break;
        case 4:
            for (int i = 0; i < 16; i++) {
                static const uint8_t edges[] = { 0x00, 0x01, 0x7f, 0x80, 0x81, 0xff };
                p[i] = chance(g, 2) ? edges[rnd(g, ARRAY_SIZE(edges))] : (uint8_t)rnd(g, 256);
            }
            break;
        default:
            break;
        }
    }
}

/*
 * A scratch offset for a size-byte operand, aligned to its size: the
 * generator's sequences raise no #GP (test-x86-fuzz-gen checks that), so
 * the misaligned m128 forms are left to test-x86-sse41 and test-x86-ssse3.
 */
static uint32_t simd_disp(Gen *g, unsigned size)
{
    return (DATA_LO + rnd(g, DATA_HI - DATA_LO - 16)) & ~(uint32_t)(size - 1);
}

/*
 * An SSE-encoded instruction: [pfx] [REX] op[0..n) ModRM [imm8]. A compact
 * memory operand is always [base + disp8/disp32] (set-up code); the others
 * vary the encoding as emit_mem does.
 */
static void emit_simd(Gen *g, uint8_t pfx, bool w, const uint8_t *op, int n, int reg,
                      Rm rm, bool compact, int imm_bytes, uint8_t immv)
{
    int rex = (w ? 8 : 0) | (reg >= 8 ? 4 : 0) | ((rm.mem ? g->base : rm.reg) >= 8 ? 1 : 0);

    g->u->n_insns++;
    if (pfx) {
        b(g, pfx);
    }
    if (rex || chance(g, 16)) {
        b(g, (uint8_t)(0x40 | rex));
    }
    for (int i = 0; i < n; i++) {
        b(g, op[i]);
    }
    if (rm.mem && compact) {
        b(g, (uint8_t)((rm.disp < 0x80 ? 0x40 : 0x80) | ((reg & 7) << 3) | (g->base & 7)));
        imm(g, rm.disp < 0x80 ? 1 : 4, rm.disp);
    } else if (rm.mem) {
        emit_mem(g, reg, rm.disp);
    } else {
        b(g, (uint8_t)(0xc0 | ((reg & 7) << 3) | (rm.reg & 7)));
    }
    imm(g, imm_bytes, immv);
}

/* MOVDQU xmm, m128 / MOVDQU m128, xmm; MOVQ mm, m64 / MOVQ m64, mm. */
static void simd_move(Gen *g, bool mmx, bool store, int reg, uint32_t disp)
{
    const uint8_t op[2] = { 0x0f, store ? 0x7f : 0x6f };
    Rm rm = { .mem = true, .disp = disp };

    emit_simd(g, mmx ? 0 : 0xf3, false, op, 2, reg, rm, true, 0, 0);
}

/* MOV m32, imm32 then LDMXCSR m32 (0F AE /2); STMXCSR is 0F AE /3. */
static void simd_mxcsr(Gen *g, bool store, uint32_t value, uint32_t disp)
{
    static const uint8_t ae[2] = { 0x0f, 0xae };
    static const uint8_t c7[1] = { 0xc7 };
    Rm rm = { .mem = true, .disp = disp };

    if (!store) {
        emit_simd(g, 0, false, c7, 1, 0, rm, true, 0, 0);
        imm(g, 4, value);
    }
    emit_simd(g, 0, false, ae, 2, store ? 3 : 2, rm, true, 0, 0);
}

/*
 * A random MXCSR: random RC, DAZ, FTZ and sticky flags, every exception
 * masked. The generator's sequences raise no exception but #DE, and the
 * native harness returns from its signal handler with the faulting
 * context's MXCSR, which must not be left unmasked; the unmasked #XM cases
 * are test-x86-sse41's.
 */
static uint32_t simd_rand_mxcsr(Gen *g)
{
    uint32_t m = 0x1f80;

    m |= rnd(g, 4) << 13;
    m |= chance(g, 2) ? 0x8000 : 0;
    m |= chance(g, 2) ? 0x40 : 0;
    m |= chance(g, 3) ? rnd(g, 0x40) : 0;
    return m;
}

/* The instruction under test of unit o: dst d, src s (or memory). */
static void simd_op_insn(Gen *g, const SimdOp *o, int d, int s, bool mem)
{
    const uint8_t op[3] = { 0x0f, o->map, o->op };
    Rm rm = { .mem = mem, .reg = s };
    uint8_t pfx = o->form == SF_MMX ? 0 : 0x66;

    if (mem || o->form == SF_MEMSRC) {
        rm.mem = true;
        rm.disp = simd_disp(g, o->memsize);
    }
    emit_simd(g, pfx, o->rexw, op, 3, d, rm, false, o->imm ? 1 : 0, (uint8_t)rnd(g, 256));
}

/* One SSSE3/SSE4.1 unit (64-bit code with the features; else an ALU unit). */
static void gen_simd(Gen *g)
{
    const SimdOp *o = &simd_ops[rnd(g, ARRAY_SIZE(simd_ops))];
    bool mmx = o->form == SF_MMX, mem = chance(g, 3);
    int nreg = mmx ? 8 : 16, d = (int)rnd(g, (uint32_t)nreg), s = (int)rnd(g, (uint32_t)nreg);
    uint32_t cell = rnd(g, 0x78) & ~3u;
    uint8_t start = g->u->len;

    if (g->mode != NATIVE_MODE_64 || simd_budget_left(g) < SIMD_UNIT_MAX ||
        !(g->feat & (o->sse41 ? INSN_FEAT_SSE41 : INSN_FEAT_SSSE3))) {
        gen_alu(g);
        return;
    }
    g->u->what = o->what;
    set_flags(g, 0, strcmp(o->what, "ptest") == 0 ? F_ALL : 0, 0);
    if (o->fp) {
        simd_mxcsr(g, false, simd_rand_mxcsr(g), cell);
    }
    if (o->form == SF_EXTRACT) {
        simd_move(g, false, false, d, simd_disp(g, 16));
        s = mem ? 0 : pick_wreg(g);
        simd_op_insn(g, o, d, s, mem);  /* r/m is the GPR or memory destination */
    } else if (o->form == SF_INSERT) {
        simd_move(g, false, false, d, simd_disp(g, 16));
        simd_op_insn(g, o, d, pick_rreg(g), mem);
    } else {
        if (o->op >= 0x10 && o->op <= 0x15 && o->map == 0x38) {
            simd_move(g, false, false, 0, simd_disp(g, 16));   /* BLENDV mask */
        }
        simd_move(g, mmx, false, d, simd_disp(g, 16));
        simd_move(g, mmx, false, s, simd_disp(g, 16));
        simd_op_insn(g, o, d, s, mem);
    }
    if (o->form != SF_EXTRACT) {
        simd_move(g, mmx, true, d, simd_disp(g, 16));
    }
    if (mmx) {
        b(g, 0x0f);
        b(g, 0x77);                                  /* EMMS */
        g->u->n_insns++;
    }
    if (o->fp) {
        simd_mxcsr(g, true, 0, cell);
        simd_mxcsr(g, false, 0x1f80, cell + 4);
    }
    g_assert(g->u->len - start <= SIMD_UNIT_MAX);
}
