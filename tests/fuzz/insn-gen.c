/*
 * insn-gen.c: random x86 integer instruction sequences for the differential
 * fuzzer (interface in insn-gen.h, design in docs/x86-fuzzer.md).
 *
 * Each gen_* function below builds one unit of one instruction family and
 * records, per the SDM's "Flags Affected" paragraphs (vol. 2), which
 * arithmetic flags it reads, defines and leaves undefined. Memory operands
 * always address the scratch page through the base register (R15 in 64-bit
 * code, EBX in 32-bit code, BX = 0 in 16-bit code, where DS/ES/SS are based
 * at the scratch page), which no generated instruction writes; RSP is the
 * snippet's stack pointer at scratch + 0xf00 and is written only by
 * PUSH/POP. Only LEA, which does not access memory, uses arbitrary
 * registers in its address.
 */
#include "insn-gen.h"
#include <cpuid.h>

#define F_C NATIVE_CF
#define F_P NATIVE_PF
#define F_A NATIVE_AF
#define F_Z NATIVE_ZF
#define F_S NATIVE_SF
#define F_O NATIVE_OF
#define F_ALL NATIVE_ARITH_FLAGS

#define DATA_LO   0x000u     /* memory operands: scratch offsets */
#define DATA_HI   0xb00u
#define STACK_TOP 0xf00u

typedef struct Rm {
    bool mem;
    int reg;                 /* register operand */
    uint32_t disp;           /* scratch offset of a memory operand */
} Rm;

typedef struct Gen {
    InsnSeq *seq;
    GRand *rng;
    NativeMode mode;
    uint32_t feat;
    int base;
    int stack_depth;
    bool rex8;               /* byte registers of this insn use REX rules */
    InsnUnit *u;
} Gen;

/* ---- random helpers ---- */

static uint32_t rnd(Gen *g, uint32_t n)
{
    return n ? g_rand_int_range(g->rng, 0, (gint32)n) : 0;
}

static bool chance(Gen *g, uint32_t one_in)
{
    return rnd(g, one_in) == 0;
}

static uint64_t rnd64(Gen *g)
{
    return ((uint64_t)g_rand_int(g->rng) << 32) | g_rand_int(g->rng);
}

static uint64_t size_mask(int size)
{
    return size == 64 ? ~0ull : (1ull << size) - 1;
}

/* 0, 1, -1, the signed extremes, small or random values of size bits. */
static uint64_t interesting(Gen *g, int size)
{
    uint64_t top = 1ull << (size - 1);

    switch (rnd(g, 8)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return size_mask(size);
    case 3: return top - 1;
    case 4: return top;
    case 5: return rnd(g, 17);
    default: return rnd64(g) & size_mask(size);
    }
}

static int pick_size(Gen *g, bool allow8)
{
    static const int sizes[] = { 8, 16, 32, 64 };
    int n = g->mode == NATIVE_MODE_64 ? 4 : 3;
    int s;

    do {
        s = sizes[rnd(g, (uint32_t)n)];
    } while (s == 8 && !allow8);
    return s;
}

static int nregs(Gen *g)
{
    return native_nregs(g->mode);
}

static bool writable(Gen *g, int r)
{
    return r != NATIVE_RSP && r != g->base;
}

static int pick_wreg(Gen *g)
{
    int r;

    do {
        r = (int)rnd(g, (uint32_t)nregs(g));
    } while (!writable(g, r));
    return r;
}

static int pick_rreg(Gen *g)
{
    return (int)rnd(g, (uint32_t)nregs(g));
}

/* The GPR a byte-register number names: AH..BH are 4..7 without REX. */
static int reg8_gpr(Gen *g, int r)
{
    return (!g->rex8 && r >= 4 && r < 8) ? r - 4 : r;
}

static int pick_reg8(Gen *g, bool write)
{
    int n = g->rex8 ? 16 : 8;
    int r;

    for (;;) {
        r = (int)rnd(g, (uint32_t)n);
        if (!write || writable(g, reg8_gpr(g, r))) {
            return r;
        }
    }
}

/* A register of size bits; byte registers follow g->rex8. */
static int pick_reg(Gen *g, int size, bool write)
{
    if (size == 8) {
        return pick_reg8(g, write);
    }
    return write ? pick_wreg(g) : pick_rreg(g);
}

static uint32_t pick_disp(Gen *g, int size)
{
    uint32_t d = DATA_LO + rnd(g, DATA_HI - DATA_LO);

    if (chance(g, 2)) {
        d &= ~((uint32_t)size / 8 - 1);
    }
    return d;
}

static Rm pick_rm(Gen *g, int size, bool write)
{
    Rm rm = { 0 };

    if (chance(g, 3)) {
        rm.mem = true;
        rm.disp = pick_disp(g, size);
    } else {
        rm.reg = pick_reg(g, size, write);
    }
    return rm;
}

/* Decide the REX rule for the byte registers of the next instruction. */
static void byte_rex(Gen *g, bool forced)
{
    g->rex8 = g->mode == NATIVE_MODE_64 && (forced || chance(g, 2));
}

/* ---- encoding ---- */

static void b(Gen *g, uint8_t x)
{
    g_assert(g->u->len < INSN_UNIT_MAX_BYTES);
    g->u->bytes[g->u->len++] = x;
}

static void imm(Gen *g, int bytes, uint64_t v)
{
    for (int i = 0; i < bytes; i++) {
        b(g, (uint8_t)(v >> (8 * i)));
    }
}

typedef struct Enc {
    int size;                /* operand size, selects 66 and REX.W */
    uint8_t pfx;             /* F0, F2, F3 or 0 */
    uint8_t op[3];
    int oplen;
    int reg;                 /* ModRM.reg: register or /digit */
    Rm rm;
    int imm_bytes;
    uint64_t imm;
    bool byte_regs;          /* has byte registers (implied by size 8) */
} Enc;

/* Operand-size prefix for size; size 0 means the instruction has none. */
static bool need_66(Gen *g, int size)
{
    if (size == 0) {
        return false;
    }
    return g->mode == NATIVE_MODE_16 ? size == 32 : size == 16;
}

/* ModRM, SIB and displacement of a scratch-page memory operand. */
static void emit_mem(Gen *g, int reg, uint32_t disp)
{
    int r = (reg & 7) << 3;
    bool d8 = disp < 0x80 && chance(g, 2);

    if (g->mode == NATIVE_MODE_16) {
        if (chance(g, 3)) {
            b(g, (uint8_t)(r | 6));               /* [disp16] */
            imm(g, 2, disp);
        } else {
            b(g, (uint8_t)((d8 ? 0x40 : 0x80) | r | 7));   /* [bx+d] */
            imm(g, d8 ? 1 : 2, disp);
        }
        return;
    }
    if (chance(g, 3)) {                           /* SIB, no index */
        b(g, (uint8_t)((d8 ? 0x40 : 0x80) | r | 4));
        b(g, (uint8_t)((rnd(g, 4) << 6) | (4 << 3) | (g->base & 7)));
    } else {
        b(g, (uint8_t)((d8 ? 0x40 : 0x80) | r | (g->base & 7)));
    }
    imm(g, d8 ? 1 : 4, disp);
}

static void emit(Gen *g, const Enc *e, bool modrm)
{
    int rex = 0;

    g->u->n_insns++;
    if (need_66(g, e->size)) {
        b(g, 0x66);
    }
    if (e->pfx) {
        b(g, e->pfx);
    }
    if (g->mode == NATIVE_MODE_64) {
        rex |= e->size == 64 ? 8 : 0;
        if (modrm) {
            rex |= e->reg >= 8 ? 4 : 0;
            rex |= (e->rm.mem ? g->base : e->rm.reg) >= 8 ? 1 : 0;
        }
        bool bytes = e->size == 8 || e->byte_regs;

        /* with byte registers REX turns AH..BH into SPL..DIL, so it is
         * present exactly when g->rex8 says; otherwise a redundant REX is
         * sometimes added for the decoder's sake */
        if (bytes ? g->rex8 : (rex || chance(g, 16))) {
            b(g, (uint8_t)(0x40 | rex));
        }
    }
    for (int i = 0; i < e->oplen; i++) {
        b(g, e->op[i]);
    }
    if (modrm) {
        if (e->rm.mem) {
            emit_mem(g, e->reg, e->rm.disp);
        } else {
            b(g, (uint8_t)(0xc0 | ((e->reg & 7) << 3) | (e->rm.reg & 7)));
        }
    }
    imm(g, e->imm_bytes, e->imm);
}

/* One-byte-opcode instruction with no operands but the size prefix
 * (size 0: none). */
static void emit_plain(Gen *g, int size, uint8_t op)
{
    Enc e = { .size = size, .op = { op }, .oplen = 1 };

    emit(g, &e, false);
}

/* An instruction whose opcode byte carries the register (B0+r, 50+r...):
 * size prefix, REX (W, B, or bare for SPL..DIL when byte), opcode. */
static void emit_opreg(Gen *g, int size, uint8_t op, int reg)
{
    int rex = (size == 64 ? 8 : 0) | (reg >= 8 ? 1 : 0);

    g->u->n_insns++;
    if (need_66(g, size)) {
        b(g, 0x66);
    }
    if (g->mode == NATIVE_MODE_64 && (rex || (size == 8 && g->rex8))) {
        b(g, (uint8_t)(0x40 | rex));
    }
    b(g, (uint8_t)(op + (reg & 7)));
}

/* MOV reg, imm of size bits: B0+r / B8+r, or for 64 bits C7 /0 id when v
 * survives the sign extension of imm32, else B8+r io (MOVABS). */
static void emit_mov_imm(Gen *g, int reg, int size, uint64_t v)
{
    if (size == 64 && (uint64_t)(int64_t)(int32_t)v == v && !chance(g, 3)) {
        Enc e = { .size = 64, .oplen = 1, .op = { 0xc7 } };

        e.rm.reg = reg;
        e.imm_bytes = 4;
        e.imm = (uint32_t)v;
        emit(g, &e, true);
        return;
    }
    emit_opreg(g, size, size == 8 ? 0xb0 : 0xb8, reg);
    imm(g, size / 8, v);
}

/* imm bytes for an operand of size (iz: 16 or 32 bits, 8 for bytes). */
static int iz_bytes(int size)
{
    return size == 8 ? 1 : size == 16 ? 2 : 4;
}

/* The immediate actually used for an iz operand of size, sign-extended. */
static uint64_t iz_value(Gen *g, int size)
{
    uint64_t v = interesting(g, size == 64 ? 32 : size);

    return size == 64 ? (uint64_t)(int64_t)(int32_t)v : v;
}

/* ---- condition codes ---- */

static uint16_t cc_reads(int cc)
{
    static const uint16_t reads[8] = {
        F_O, F_C, F_Z, F_C | F_Z, F_S, F_P, F_S | F_O, F_Z | F_S | F_O
    };

    return reads[(cc >> 1) & 7];
}

/* ---- families ---- */

static void set_flags(Gen *g, uint16_t rd, uint16_t def, uint16_t undef)
{
    g->u->flags_read = rd;
    g->u->flags_def = def;
    g->u->flags_undef = undef;
}

static void gen_alu(Gen *g)
{
    int alu = (int)rnd(g, 8);
    int size = pick_size(g, true);
    bool cmp = alu == 7;
    Enc e = { .size = size, .oplen = 1 };
    bool byte_op = size == 8;

    g->u->what = "alu";
    byte_rex(g, false);
    switch (rnd(g, 4)) {
    case 0:                                   /* r/m, reg */
        e.rm = pick_rm(g, size, !cmp);
        if (e.rm.mem) {
            byte_rex(g, true);
        }
        e.op[0] = (uint8_t)(alu * 8 + (byte_op ? 0 : 1));
        e.reg = pick_reg(g, size, false);
        if (e.rm.mem && !cmp && chance(g, 3)) {
            e.pfx = 0xf0;
        }
        break;
    case 1:                                   /* reg, r/m */
        e.rm = pick_rm(g, size, false);
        if (e.rm.mem) {
            byte_rex(g, true);
        }
        e.op[0] = (uint8_t)(alu * 8 + (byte_op ? 2 : 3));
        e.reg = pick_reg(g, size, !cmp);
        break;
    case 2:                                   /* r/m, imm */
        e.rm = pick_rm(g, size, !cmp);
        if (e.rm.mem) {
            byte_rex(g, true);
            if (!cmp && chance(g, 3)) {
                e.pfx = 0xf0;
            }
        }
        e.reg = alu;
        if (!byte_op && chance(g, 2)) {
            e.op[0] = 0x83;
            e.imm_bytes = 1;
            e.imm = interesting(g, 8);
        } else {
            e.op[0] = byte_op ? 0x80 : 0x81;
            e.imm_bytes = iz_bytes(size);
            e.imm = iz_value(g, size);
        }
        break;
    default:                                  /* AL/eAX, imm */
        e.op[0] = (uint8_t)(alu * 8 + (byte_op ? 4 : 5));
        e.imm_bytes = iz_bytes(size);
        e.imm = iz_value(g, size);
        emit(g, &e, false);
        goto flags;
    }
    emit(g, &e, true);
flags:
    if (alu == 1 || alu == 4 || alu == 6) {   /* OR, AND, XOR */
        set_flags(g, 0, F_ALL & ~F_A, F_A);
    } else {
        set_flags(g, (alu == 2 || alu == 3) ? F_C : 0, F_ALL, 0);
    }
}

static void gen_test(Gen *g)
{
    int size = pick_size(g, true);
    Enc e = { .size = size, .oplen = 1 };

    g->u->what = "test";
    byte_rex(g, false);
    e.rm = pick_rm(g, size, false);
    if (e.rm.mem) {
        byte_rex(g, true);
    }
    if (chance(g, 2)) {
        e.op[0] = size == 8 ? 0x84 : 0x85;
        e.reg = pick_reg(g, size, false);
        emit(g, &e, true);
    } else if (chance(g, 2)) {
        e.op[0] = size == 8 ? 0xf6 : 0xf7;
        e.imm_bytes = iz_bytes(size);
        e.imm = iz_value(g, size);
        emit(g, &e, true);
    } else {
        e.op[0] = size == 8 ? 0xa8 : 0xa9;
        e.imm_bytes = iz_bytes(size);
        e.imm = iz_value(g, size);
        emit(g, &e, false);
    }
    set_flags(g, 0, F_ALL & ~F_A, F_A);
}

/* INC, DEC, NEG, NOT. */
static void gen_unary(Gen *g)
{
    int kind = (int)rnd(g, 4);             /* 0 INC 1 DEC 2 NOT 3 NEG */
    int size = pick_size(g, true);
    Enc e = { .size = size, .oplen = 1 };

    g->u->what = "inc/dec/not/neg";
    byte_rex(g, false);
    e.rm = pick_rm(g, size, true);
    if (e.rm.mem) {
        byte_rex(g, true);
        if (chance(g, 3)) {
            e.pfx = 0xf0;
        }
    }
    if (kind < 2 && !e.rm.mem && size != 8 && g->mode != NATIVE_MODE_64 &&
        chance(g, 2)) {
        emit_plain(g, size, (uint8_t)(0x40 + kind * 8 + e.rm.reg));
    } else {
        e.op[0] = kind < 2 ? (size == 8 ? 0xfe : 0xff)
                           : (size == 8 ? 0xf6 : 0xf7);
        e.reg = kind;                        /* /0 /1 /2 /3 */
        emit(g, &e, true);
    }
    switch (kind) {
    case 0:
    case 1:
        set_flags(g, 0, F_ALL & ~F_C, 0);
        break;
    case 2:
        set_flags(g, 0, 0, 0);
        break;
    default:
        set_flags(g, 0, F_ALL, 0);
    }
}

static unsigned pick_count(Gen *g, int size)
{
    static const unsigned fixed[] = { 0, 1, 2, 31, 32, 33, 63, 64 };

    switch (rnd(g, 4)) {
    case 0:
        return fixed[rnd(g, ARRAY_SIZE(fixed))];
    case 1:
        return (unsigned)size - 1 + rnd(g, 3);
    case 2:
        return 1;
    default:
        return rnd(g, 256);
    }
}

/* Flags of a group-2 shift/rotate by count (SDM vol. 2 SAL/SAR/SHL/SHR,
 * RCL/RCR/ROL/ROR "Flags Affected"). */
static void shift_flags(Gen *g, int op, int size, unsigned count)
{
    unsigned masked = count & (size == 64 ? 63 : 31);
    uint16_t of = masked == 1 ? F_O : 0;
    uint16_t rd = (op == 2 || op == 3) ? F_C : 0;

    if (masked == 0) {
        set_flags(g, 0, 0, 0);
        return;
    }
    if (op < 4) {                           /* rotates: CF and OF only */
        set_flags(g, rd, F_C | of, F_O & ~of);
        return;
    }
    {
        uint16_t def = F_S | F_Z | F_P | F_C | of;
        uint16_t undef = F_A | (F_O & ~of);

        if ((op == 4 || op == 5 || op == 6) && masked >= (unsigned)size) {
            def &= ~F_C;
            undef |= F_C;
        }
        set_flags(g, 0, def, undef);
    }
}

static void gen_shift(Gen *g)
{
    int op = (int)rnd(g, 8);
    int size = pick_size(g, true);
    Enc e = { .size = size, .oplen = 1, .reg = op };
    unsigned count;
    int form = (int)rnd(g, 3);

    if (op == 6 && !chance(g, 4)) {
        op = 4;                             /* /6 is an alias of SHL */
        e.reg = 4;
    }
    g->u->what = "shift/rotate";
    byte_rex(g, false);
    e.rm = pick_rm(g, size, true);
    if (e.rm.mem) {
        byte_rex(g, true);
    }
    if (form == 0) {
        count = 1;
        e.op[0] = size == 8 ? 0xd0 : 0xd1;
    } else if (form == 1) {
        count = pick_count(g, size) & 0xff;
        e.op[0] = size == 8 ? 0xc0 : 0xc1;
        e.imm_bytes = 1;
        e.imm = count;
    } else {
        bool keep = g->rex8;

        count = pick_count(g, size) & 0xff;
        g->rex8 = false;
        emit_mov_imm(g, NATIVE_RCX, 8, count);   /* mov cl, count */
        g->rex8 = keep;
        e.op[0] = size == 8 ? 0xd2 : 0xd3;
    }
    emit(g, &e, true);
    shift_flags(g, op, size, count);
}

static void gen_shld(Gen *g)
{
    int size = 16 << rnd(g, g->mode == NATIVE_MODE_64 ? 3 : 2);
    bool right = chance(g, 2);
    bool by_cl = chance(g, 2);
    Enc e = { .size = size, .oplen = 2, .op = { 0x0f } };
    unsigned count = pick_count(g, size) & 0xff;
    unsigned masked;

    g->u->what = "shld/shrd";
    if (size == 16) {
        /* counts 17..31 leave a 16-bit result undefined (SDM SHLD) */
        while ((count & 31) > 16) {
            count = rnd(g, 17) + 32 * rnd(g, 8);
        }
    }
    masked = count & (size == 64 ? 63 : 31);
    e.rm = pick_rm(g, size, true);
    e.reg = pick_rreg(g);
    if (by_cl) {
        emit_mov_imm(g, NATIVE_RCX, 32, count);
        e.op[1] = right ? 0xad : 0xa5;
    } else {
        e.op[1] = right ? 0xac : 0xa4;
        e.imm_bytes = 1;
        e.imm = count;
    }
    emit(g, &e, true);
    if (masked == 0) {
        set_flags(g, 0, 0, 0);
    } else {
        uint16_t of = masked == 1 ? F_O : 0;

        set_flags(g, 0, F_C | F_S | F_Z | F_P | of, F_A | (F_O & ~of));
    }
}

static void gen_mul(Gen *g)
{
    int size;
    Enc e = { .oplen = 1 };

    g->u->what = "mul/imul";
    set_flags(g, 0, F_C | F_O, F_S | F_Z | F_A | F_P);
    switch (rnd(g, 3)) {
    case 0:                                 /* MUL/IMUL r/m: /4 /5 */
        size = pick_size(g, true);
        byte_rex(g, false);
        e.size = size;
        e.rm = pick_rm(g, size, false);
        if (e.rm.mem) {
            byte_rex(g, true);
        }
        e.op[0] = size == 8 ? 0xf6 : 0xf7;
        e.reg = 4 + (int)rnd(g, 2);
        emit(g, &e, true);
        return;
    case 1:                                 /* IMUL r, r/m */
        size = pick_size(g, false);
        e.size = size;
        e.rm = pick_rm(g, size, false);
        e.reg = pick_wreg(g);
        e.oplen = 2;
        e.op[0] = 0x0f;
        e.op[1] = 0xaf;
        emit(g, &e, true);
        return;
    default:                                /* IMUL r, r/m, imm */
        size = pick_size(g, false);
        e.size = size;
        e.rm = pick_rm(g, size, false);
        e.reg = pick_wreg(g);
        if (chance(g, 2)) {
            e.op[0] = 0x6b;
            e.imm_bytes = 1;
            e.imm = interesting(g, 8);
        } else {
            e.op[0] = 0x69;
            e.imm_bytes = iz_bytes(size);
            e.imm = iz_value(g, size);
        }
        emit(g, &e, true);
    }
}

/* DIV/IDIV with the dividend's high half and the divisor set so that the
 * quotient fits, except one time in eight (divisor 0: #DE). */
static void gen_div(Gen *g)
{
    bool is_signed = chance(g, 2);
    int size = pick_size(g, true);
    bool provoke = chance(g, 8);
    uint64_t dv;
    Enc e = { .size = size, .oplen = 1 };

    g->u->what = provoke ? "div/idiv by 0" : "div/idiv";
    do {
        dv = interesting(g, size);
    } while (!provoke && (dv == 0 || (is_signed && dv == size_mask(size))));
    if (provoke) {
        dv = 0;
    }
    byte_rex(g, false);
    if (size == 8) {
        if (is_signed) {
            emit_plain(g, 16, 0x98);                    /* cbw */
        } else {
            bool keep = g->rex8;

            g->rex8 = false;
            emit_mov_imm(g, 4, 8, 0);                   /* mov ah, 0 */
            g->rex8 = keep;
        }
    } else if (is_signed) {
        emit_plain(g, size, 0x99);                      /* cwd/cdq/cqo */
    } else {
        emit_mov_imm(g, NATIVE_RDX, 32, 0);
    }
    if (chance(g, 3)) {
        Enc st = { .size = size, .oplen = 1 };

        st.op[0] = size == 8 ? 0xc6 : 0xc7;
        st.rm.mem = true;
        st.rm.disp = pick_disp(g, size);
        st.imm_bytes = iz_bytes(size);
        st.imm = dv;
        if (size == 64 && (uint64_t)(int64_t)(int32_t)dv != dv) {
            /* C7 stores a sign-extended imm32: keep it non-zero, not -1 */
            dv = (uint64_t)(int64_t)(int32_t)dv;
            st.imm = dv = (dv == 0 || dv == ~0ull) ? 2 : dv;
        }
        if (size == 8) {
            byte_rex(g, true);
        }
        emit(g, &st, true);
        e.rm = st.rm;
    } else {
        int r;

        do {
            r = pick_reg(g, size, true);
        } while ((size == 8 ? reg8_gpr(g, r) : r) == NATIVE_RAX ||
                 (size != 8 && r == NATIVE_RDX));
        emit_mov_imm(g, r, size, dv);
        e.rm.reg = r;
    }
    e.op[0] = size == 8 ? 0xf6 : 0xf7;
    e.reg = is_signed ? 7 : 6;
    emit(g, &e, true);
    set_flags(g, 0, 0, F_ALL);
}

static void gen_bt(Gen *g)
{
    int size = 16 << rnd(g, g->mode == NATIVE_MODE_64 ? 3 : 2);
    int op = (int)rnd(g, 4);                /* BT BTS BTR BTC */
    Enc e = { .size = size, .oplen = 2, .op = { 0x0f } };

    g->u->what = "bt/bts/btr/btc";
    e.rm = pick_rm(g, size, op != 0);
    if (e.rm.mem && op && chance(g, 3)) {
        e.pfx = 0xf0;
    }
    if (chance(g, 2)) {
        e.op[1] = 0xba;
        e.reg = 4 + op;
        e.imm_bytes = 1;
        e.imm = rnd(g, 256);
    } else {
        e.op[1] = (uint8_t)(0xa3 + 8 * op);
        if (e.rm.mem) {
            /* the bit offset reaches beyond the operand: keep it small */
            int r = pick_wreg(g);
            int64_t off = (int64_t)rnd(g, 2560) - 512;

            emit_mov_imm(g, r, size, (uint64_t)off & size_mask(size));
            e.reg = r;
            e.rm.disp = 0x400;
        } else {
            e.reg = pick_rreg(g);
        }
    }
    emit(g, &e, true);
    set_flags(g, 0, F_C, F_O | F_S | F_A | F_P);
}

/* BSF, BSR, TZCNT, LZCNT, POPCNT (the latter three by feature). */
static void gen_bitscan(Gen *g)
{
    int size = 16 << rnd(g, g->mode == NATIVE_MODE_64 ? 3 : 2);
    Enc e = { .size = size, .oplen = 2, .op = { 0x0f } };
    int kind = (int)rnd(g, 5);

    g->u->what = "bsf/bsr/tzcnt/lzcnt/popcnt";
    if ((kind == 2 && !(g->feat & INSN_FEAT_TZCNT)) ||
        (kind == 3 && !(g->feat & INSN_FEAT_LZCNT)) ||
        (kind == 4 && !(g->feat & INSN_FEAT_POPCNT))) {
        kind &= 1;
    }
    e.rm = pick_rm(g, size, false);
    e.reg = pick_wreg(g);
    switch (kind) {
    case 0:
    case 1:
        e.op[1] = kind ? 0xbd : 0xbc;
        /* with a zero source the destination keeps its value on Intel
         * and AMD alike (the SDM says undefined); see the doc */
        set_flags(g, 0, F_Z, F_C | F_O | F_S | F_A | F_P);
        break;
    case 2:
    case 3:
        e.pfx = 0xf3;
        e.op[1] = kind == 2 ? 0xbc : 0xbd;
        set_flags(g, 0, F_C | F_Z, F_O | F_S | F_A | F_P);
        break;
    default:
        e.pfx = 0xf3;
        e.op[1] = 0xb8;
        set_flags(g, 0, F_ALL, 0);
    }
    emit(g, &e, true);
}

static void gen_bswap(Gen *g)
{
    int size = g->mode == NATIVE_MODE_64 && chance(g, 2) ? 64 : 32;
    int r = pick_wreg(g);
    int rex = (size == 64 ? 8 : 0) | (r >= 8 ? 1 : 0);

    g->u->what = "bswap";
    g->u->n_insns++;
    if (need_66(g, size)) {
        b(g, 0x66);
    }
    if (rex) {
        b(g, (uint8_t)(0x40 | rex));
    }
    b(g, 0x0f);
    b(g, (uint8_t)(0xc8 + (r & 7)));
    set_flags(g, 0, 0, 0);
}

static void gen_movx(Gen *g)
{
    int size = 16 << rnd(g, g->mode == NATIVE_MODE_64 ? 3 : 2);
    Enc e = { .size = size, .oplen = 2, .op = { 0x0f } };
    bool word = size > 16 && chance(g, 2);

    g->u->what = "movzx/movsx/movsxd";
    set_flags(g, 0, 0, 0);
    if (g->mode == NATIVE_MODE_64 && size == 64 && chance(g, 4)) {
        e.oplen = 1;                        /* MOVSXD r64, r/m32 */
        e.op[0] = 0x63;
        e.rm = pick_rm(g, 32, false);
        e.reg = pick_wreg(g);
        emit(g, &e, true);
        return;
    }
    e.op[1] = (uint8_t)((chance(g, 2) ? 0xb6 : 0xbe) + (word ? 1 : 0));
    if (word) {
        e.rm = pick_rm(g, 16, false);
        e.reg = pick_wreg(g);
        emit(g, &e, true);
        return;
    }
    /* r/m8 source: REX.W, a memory operand (R15) or a high destination
     * force REX, which makes 4..7 mean SPL..DIL */
    byte_rex(g, size == 64);
    e.byte_regs = true;
    e.rm = pick_rm(g, 8, false);
    if (e.rm.mem) {
        byte_rex(g, true);
    }
    e.reg = pick_wreg(g);
    if (g->mode == NATIVE_MODE_64 && e.reg >= 8 && !g->rex8) {
        g->rex8 = true;
        if (!e.rm.mem) {
            e.rm.reg = pick_reg8(g, false);
        }
    }
    emit(g, &e, true);
}

/* XCHG, XADD, CMPXCHG. */
static void gen_xchg(Gen *g)
{
    int kind = (int)rnd(g, 3);
    int size = pick_size(g, true);
    Enc e = { .size = size };

    g->u->what = "xchg/xadd/cmpxchg";
    byte_rex(g, false);
    e.rm = pick_rm(g, size, true);
    if (e.rm.mem) {
        byte_rex(g, true);
        if (chance(g, 2)) {
            e.pfx = 0xf0;
        }
    }
    e.reg = pick_reg(g, size, kind != 2);
    if (kind == 0) {
        set_flags(g, 0, 0, 0);
        if (!e.rm.mem && size != 8 && e.reg != NATIVE_RAX &&
            chance(g, 3)) {
            /* 90+r: XCHG eAX, r (r = 0 would be NOP) */
            int rex = (size == 64 ? 8 : 0) | (e.reg >= 8 ? 1 : 0);

            g->u->n_insns++;
            if (need_66(g, size)) {
                b(g, 0x66);
            }
            if (rex) {
                b(g, (uint8_t)(0x40 | rex));
            }
            b(g, (uint8_t)(0x90 + (e.reg & 7)));
            return;
        }
        e.oplen = 1;
        e.op[0] = size == 8 ? 0x86 : 0x87;
    } else {
        e.oplen = 2;
        e.op[0] = 0x0f;
        e.op[1] = (uint8_t)((kind == 1 ? 0xc0 : 0xb0) + (size == 8 ? 0 : 1));
        set_flags(g, 0, F_ALL, 0);
    }
    emit(g, &e, true);
}

static void gen_setcc_cmov(Gen *g)
{
    int cc = (int)rnd(g, 16);
    Enc e = { .oplen = 2, .op = { 0x0f } };

    g->u->what = "setcc/cmovcc";
    set_flags(g, cc_reads(cc), 0, 0);
    if (chance(g, 2)) {
        e.size = 8;
        byte_rex(g, false);
        e.rm = pick_rm(g, 8, true);
        if (e.rm.mem) {
            byte_rex(g, true);
        }
        e.op[1] = (uint8_t)(0x90 + cc);
    } else {
        e.size = 16 << rnd(g, g->mode == NATIVE_MODE_64 ? 3 : 2);
        e.rm = pick_rm(g, e.size, false);
        e.reg = pick_wreg(g);
        e.op[1] = (uint8_t)(0x40 + cc);
    }
    emit(g, &e, true);
}

/* LAHF/SAHF, CBW..CQO, CLC/STC/CMC, CLD/STD. */
static void gen_misc(Gen *g)
{
    int size = 16 << rnd(g, g->mode == NATIVE_MODE_64 ? 3 : 2);
    bool lahf_ok = g->mode != NATIVE_MODE_64 || (g->feat & INSN_FEAT_LAHF64);

    g->u->what = "misc";
    set_flags(g, 0, 0, 0);
    switch (rnd(g, 9)) {
    case 0:
        if (lahf_ok) {
            emit_plain(g, 0, 0x9f);
            set_flags(g, F_ALL & ~F_O, 0, 0);
            break;
        }
        /* fall through */
    case 1:
        if (lahf_ok) {
            emit_plain(g, 0, 0x9e);
            set_flags(g, 0, F_ALL & ~F_O, 0);
            break;
        }
        /* fall through */
    case 2:
        emit_plain(g, size, 0x98);
        break;
    case 3:
        emit_plain(g, size, 0x99);
        break;
    case 4:
        emit_plain(g, 0, 0xf8);
        set_flags(g, 0, F_C, 0);
        break;
    case 5:
        emit_plain(g, 0, 0xf9);
        set_flags(g, 0, F_C, 0);
        break;
    case 6:
        emit_plain(g, 0, 0xf5);
        set_flags(g, F_C, F_C, 0);
        break;
    default:
        emit_plain(g, 0, chance(g, 2) ? 0xfc : 0xfd);
    }
}

/* An arbitrary address form for LEA (never dereferenced). */
static void emit_lea_addr(Gen *g, int reg, bool addr16)
{
    int mod = (int)rnd(g, 3);
    int rm = (int)rnd(g, 8);
    int r = (reg & 7) << 3;

    if (addr16) {
        b(g, (uint8_t)((mod << 6) | r | rm));
        if (mod == 0 && rm == 6) {
            imm(g, 2, rnd64(g));
        } else {
            imm(g, mod, rnd64(g));
        }
        return;
    }
    if (g->mode == NATIVE_MODE_64 && mod == 0 && rm == 5) {
        mod = 1;                            /* not RIP-relative */
    }
    b(g, (uint8_t)((mod << 6) | r | rm));
    if (rm == 4) {
        int base = (int)rnd(g, 8);

        b(g, (uint8_t)((rnd(g, 4) << 6) | (rnd(g, 8) << 3) | base));
        if (mod == 0 && base == 5) {
            imm(g, 4, rnd64(g));
        }
    }
    if (mod == 0 && rm == 5) {
        imm(g, 4, rnd64(g));
    } else {
        imm(g, mod == 1 ? 1 : mod == 2 ? 4 : 0, rnd64(g));
    }
}

static void gen_lea(Gen *g)
{
    int size = 16 << rnd(g, g->mode == NATIVE_MODE_64 ? 3 : 2);
    bool a67 = chance(g, 4);
    bool addr16 = (g->mode == NATIVE_MODE_16) != a67 &&
                  g->mode != NATIVE_MODE_64;
    int reg = pick_wreg(g);

    g->u->what = "lea";
    set_flags(g, 0, 0, 0);
    g->u->n_insns++;
    if (a67) {
        b(g, 0x67);
    }
    if (need_66(g, size)) {
        b(g, 0x66);
    }
    if (g->mode == NATIVE_MODE_64) {
        b(g, (uint8_t)(0x40 | (size == 64 ? 8 : 0) | (reg >= 8 ? 4 : 0) |
                       rnd(g, 4)));     /* random REX.X/B */
    }
    b(g, 0x8d);
    emit_lea_addr(g, reg, addr16);
}

static void gen_bcd(Gen *g)
{
    static const uint8_t ops[4] = { 0x27, 0x2f, 0x37, 0x3f };
    int k = (int)rnd(g, 6);

    g->u->what = "bcd";
    if (k < 2) {                            /* DAA, DAS */
        emit_plain(g, 0, ops[k]);
        set_flags(g, F_C | F_A, F_C | F_A | F_S | F_Z | F_P, F_O);
    } else if (k < 4) {                     /* AAA, AAS */
        emit_plain(g, 0, ops[k]);
        set_flags(g, F_A, F_A | F_C, F_O | F_S | F_Z | F_P);
    } else {                                /* AAM ib (0: #DE), AAD ib */
        g->u->n_insns++;
        b(g, k == 4 ? 0xd4 : 0xd5);
        b(g, chance(g, 2) ? 10 : (uint8_t)rnd(g, 256));
        set_flags(g, 0, F_S | F_Z | F_P, F_O | F_A | F_C);
    }
}

/* Point (E/R)SI or DI at scratch + off. */
static void emit_str_ptr(Gen *g, int reg, uint32_t off)
{
    if (g->mode == NATIVE_MODE_16) {
        emit_mov_imm(g, reg, 16, off);
        return;
    }
    g->u->n_insns++;
    if (g->mode == NATIVE_MODE_64) {
        b(g, 0x49);                         /* REX.W + REX.B (r15) */
    }
    b(g, 0x8d);                             /* lea reg, [base + off] */
    b(g, (uint8_t)(0x80 | (reg << 3) | (g->base & 7)));
    imm(g, 4, off);
}

static void gen_string(Gen *g)
{
    static const uint8_t ops[5] = { 0xa4, 0xa6, 0xaa, 0xac, 0xae };
    int k = (int)rnd(g, 5);
    int size = pick_size(g, true);
    bool cmp = k == 1 || k == 4;
    int rep = (int)rnd(g, 3);               /* none, F3, F2 */
    unsigned count = rnd(g, 13);

    g->u->what = "string";
    if (rep == 2 && !cmp) {
        rep = 1;
    }
    if (chance(g, 3)) {
        emit_plain(g, 0, chance(g, 2) ? 0xfc : 0xfd);
    }
    emit_str_ptr(g, NATIVE_RSI, 0x100 + rnd(g, 0x900));
    emit_str_ptr(g, NATIVE_RDI, 0x100 + rnd(g, 0x900));
    if (rep) {
        emit_mov_imm(g, NATIVE_RCX, g->mode == NATIVE_MODE_16 ? 16 : 32,
                     count);
    }
    {
        Enc e = { .size = size, .oplen = 1 };

        e.op[0] = (uint8_t)(ops[k] + (size == 8 ? 0 : 1));
        e.pfx = rep == 1 ? 0xf3 : rep == 2 ? 0xf2 : 0;
        g->rex8 = false;
        emit(g, &e, false);
    }
    if (cmp && !(rep && count == 0)) {
        set_flags(g, 0, F_ALL, 0);
    } else {
        set_flags(g, 0, 0, 0);
    }
}

static void gen_branch(Gen *g, size_t index, size_t n_units)
{
    int k = (int)rnd(g, 6);
    size_t target = index + 1 + rnd(g, 4);

    g->u->what = "branch";
    g->u->branch = true;
    g->u->target = (uint16_t)MIN(target, n_units);
    g->u->n_insns = 1;
    set_flags(g, 0, 0, 0);
    if (k < 3) {                            /* Jcc */
        int cc = (int)rnd(g, 16);

        b(g, (uint8_t)(0x70 + cc));
        g->u->flags_read = cc_reads(cc);
    } else if (k == 3) {
        b(g, 0xeb);
    } else if (k == 4) {                    /* LOOP, LOOPE, LOOPNE */
        int l = (int)rnd(g, 3);

        b(g, (uint8_t)(0xe0 + l));
        g->u->flags_read = l < 2 ? F_Z : 0;
    } else {
        b(g, 0xe3);                         /* JCXZ/JECXZ/JRCXZ */
    }
    b(g, 0);                                /* rel8, set by assemble */
}

static void gen_stack(Gen *g)
{
    int ssize = g->mode == NATIVE_MODE_64 ? 64 : g->mode;
    int k = (int)rnd(g, 7);
    Enc e = { .size = ssize == 64 ? 32 : ssize, .oplen = 1 };

    g->u->what = "push/pop";
    set_flags(g, 0, 0, 0);
    if (g->stack_depth < ssize / 8 && (k == 3 || k == 4)) {
        k = 0;
    }
    switch (k) {
    case 0: {                               /* push r */
        emit_opreg(g, 0, 0x50, pick_rreg(g));
        break;
    }
    case 1:                                 /* push imm8 / imm */
        if (chance(g, 2)) {
            e.op[0] = 0x6a;
            e.imm_bytes = 1;
            e.imm = interesting(g, 8);
        } else {
            e.op[0] = 0x68;
            e.imm_bytes = ssize == 16 ? 2 : 4;
            e.imm = interesting(g, e.imm_bytes * 8);
        }
        emit(g, &e, false);
        break;
    case 2:                                 /* push m (FF /6) */
        e.op[0] = 0xff;
        e.reg = 6;
        e.rm.mem = true;
        e.rm.disp = pick_disp(g, ssize);
        emit(g, &e, true);
        break;
    case 3: {                               /* pop r */
        emit_opreg(g, 0, 0x58, pick_wreg(g));
        g->stack_depth -= ssize / 8 * 2;
        break;
    }
    case 4:                                 /* pop m (8F /0) */
        e.op[0] = 0x8f;
        e.rm.mem = true;
        e.rm.disp = pick_disp(g, ssize);
        emit(g, &e, true);
        g->stack_depth -= ssize / 8 * 2;
        break;
    case 5:                                 /* pushf */
        emit_plain(g, 0, 0x9c);
        g->u->flags_read = F_ALL;
        break;
    default:                                /* push flags value; popf */
        e.op[0] = 0x68;
        e.imm_bytes = ssize == 16 ? 2 : 4;
        e.imm = (rnd64(g) & NATIVE_FLAGS_MASK) | 2;
        emit(g, &e, false);
        emit_plain(g, 0, 0x9d);
        g->stack_depth -= ssize / 8;
        set_flags(g, 0, F_ALL, 0);
    }
    g->stack_depth += ssize / 8;
}

static void gen_mov(Gen *g)
{
    int size = pick_size(g, true);
    Enc e = { .size = size, .oplen = 1 };

    g->u->what = "mov";
    set_flags(g, 0, 0, 0);
    byte_rex(g, false);
    switch (rnd(g, 4)) {
    case 0:
        emit_mov_imm(g, pick_reg(g, size, true), size,
                     size == 64 && chance(g, 2) ? rnd64(g)
                                                : interesting(g, size));
        return;
    case 1:
        e.rm = pick_rm(g, size, true);
        if (e.rm.mem) {
            byte_rex(g, true);
        }
        e.op[0] = size == 8 ? 0xc6 : 0xc7;
        e.imm_bytes = iz_bytes(size);
        e.imm = iz_value(g, size);
        break;
    case 2:
        e.rm = pick_rm(g, size, true);
        if (e.rm.mem) {
            byte_rex(g, true);
        }
        e.op[0] = size == 8 ? 0x88 : 0x89;
        e.reg = pick_reg(g, size, false);
        break;
    default:
        e.rm = pick_rm(g, size, false);
        if (e.rm.mem) {
            byte_rex(g, true);
        }
        e.op[0] = size == 8 ? 0x8a : 0x8b;
        e.reg = pick_reg(g, size, true);
    }
    emit(g, &e, true);
}

#include "insn-gen-simd.c"

/* ---- SSE4.2 (PCMPxSTRx, CRC32, PCMPGTQ) ---- */

static int xmm_count(Gen *g)
{
    return g->mode == NATIVE_MODE_64 ? 16 : 8;
}

/* MOVDQU xmm, m128 (F3 0F 6F) or, with store, MOVDQU m128, xmm (F3 0F 7F):
 * the XMM registers are not part of the compared state, so every SSE4.2
 * unit loads what it reads and stores what it computes. */
static void emit_movdqu(Gen *g, int xmm, uint32_t disp, bool store)
{
    Enc e = { .pfx = 0xf3, .oplen = 2, .op = { 0x0f, store ? 0x7f : 0x6f }, .reg = xmm };

    e.rm.mem = true;
    e.rm.disp = disp;
    emit(g, &e, true);
}

/* A 16-byte scratch operand, 16-byte aligned unless unaligned. */
static uint32_t pick_disp128(Gen *g, bool unaligned)
{
    uint32_t d = pick_disp(g, 128);

    return unaligned ? d : d & ~15u;
}

/* A string element: a small alphabet (so that compares match), zeros
 * (string ends), sign-bit and extreme values, sometimes anything. */
static uint16_t str_elem(Gen *g, bool words)
{
    static const uint16_t e8[] = { 'a', 'b', 'c', 'z', 0x7f, 0x80, 0xff, 0x01 };
    static const uint16_t e16[] = { 'a', 'b', 0x7fff, 0x8000, 0xffff, 0x0100, 0x6100, 'z' };

    if (chance(g, 10)) {
        return 0;
    }
    if (chance(g, 8)) {
        return (uint16_t)rnd(g, words ? 65536 : 256);
    }
    return (words ? e16 : e8)[rnd(g, 8)];
}

/* Writes a string of byte or word elements into the initial scratch at
 * disp; with from != UINT32_MAX, sometimes copies a run of elements of
 * the string at from (so that "equal ordered" finds substrings). */
static void plant_string(Gen *g, uint32_t disp, bool words, uint32_t from)
{
    uint8_t *m = g->seq->init.scratch;
    unsigned n = words ? 8 : 16, esz = words ? 2 : 1;

    for (unsigned i = 0; i < n; i++) {
        uint16_t v = str_elem(g, words);

        memcpy(&m[disp + i * esz], &v, esz);
    }
    if (from != UINT32_MAX && chance(g, 2)) {
        unsigned len = 1 + rnd(g, 5), src = rnd(g, n), dst = rnd(g, n);

        for (unsigned k = 0; k < len && src + k < n && dst + k < n; k++) {
            memmove(&m[disp + (dst + k) * esz], &m[from + (src + k) * esz], esz);
        }
    }
}

/* MOV EAX/EDX (RAX/RDX with wide) = an explicit string length: in and
 * out of range, negative, the extremes; sometimes the register's earlier
 * (random 64-bit) value is kept instead. */
static void set_str_len(Gen *g, int reg, bool wide)
{
    static const int64_t edges[] = { 0, 7, 8, 9, 15, 16, 17, -1, -8, -9, -16, -17,
                                     INT32_MIN, INT32_MAX, 255, 65536 };
    int64_t v = chance(g, 2) ? (int64_t)rnd(g, 41) - 20 : edges[rnd(g, ARRAY_SIZE(edges))];

    if (chance(g, 8)) {
        return;
    }
    if (wide) {
        Enc e = { .size = 64, .oplen = 1, .op = { 0xc7 }, .imm_bytes = 4 };

        e.rm.reg = reg;
        e.imm = (uint32_t)v;
        emit(g, &e, true);
        return;
    }
    emit_opreg(g, 32, 0xb8, reg);
    imm(g, 4, (uint64_t)v);
}

/*
 * PCMPESTRM/PCMPESTRI/PCMPISTRM/PCMPISTRI xmm1, xmm2/m128, imm8 (66 0F 3A
 * 60..63) with a random imm8 (reserved bit 7 included): xmm1 loaded, the
 * second string in memory (unaligned allowed) or loaded into a register,
 * EAX/EDX lengths for the E forms (REX.W: RAX/RDX), XMM0 stored after the
 * M forms. All six flags are defined (SDM Vol.2 4.1.6).
 */
static void gen_pcmpstr(Gen *g)
{
    uint8_t op = (uint8_t)(0x60 + rnd(g, 4)), ctl = (uint8_t)rnd(g, 256);
    bool explicit = op < 0x62, mask = !(op & 1), words = ctl & 1;
    bool wide = explicit && g->mode == NATIVE_MODE_64 && chance(g, 3);
    uint32_t da = pick_disp128(g, chance(g, 2)), db = pick_disp128(g, chance(g, 2));
    Enc e = { .size = wide ? 64 : 0, .pfx = 0x66, .oplen = 3, .op = { 0x0f, 0x3a, op },
              .imm_bytes = 1, .imm = ctl };

    g->u->what = "pcmpestrm/pcmpestri/pcmpistrm/pcmpistri";
    set_flags(g, 0, F_ALL, 0);
    plant_string(g, da, words, UINT32_MAX);
    plant_string(g, db, words, da);
    e.reg = (int)rnd(g, (uint32_t)xmm_count(g));
    emit_movdqu(g, e.reg, da, false);
    /* (a wide form always takes its string from memory: unit size) */
    if (wide || chance(g, 2)) {
        e.rm.mem = true;
        e.rm.disp = db;
    } else {
        e.rm.reg = (int)rnd(g, (uint32_t)xmm_count(g));
        if (e.rm.reg != e.reg) {
            emit_movdqu(g, e.rm.reg, db, false);
        }
    }
    if (explicit) {
        set_str_len(g, NATIVE_RAX, wide);
        set_str_len(g, NATIVE_RDX, wide);
    }
    emit(g, &e, true);
    if (mask) {
        emit_movdqu(g, 0, pick_disp128(g, chance(g, 2)), true);
    }
}

/* PCMPGTQ xmm1, xmm2/m128 (66 0F 38 37): quadwords equal, one apart or
 * extreme; the memory operand aligned (the generator makes no #GP). */
static void gen_pcmpgtq(Gen *g)
{
    uint32_t da = pick_disp128(g, false), db = pick_disp128(g, false);
    Enc e = { .pfx = 0x66, .oplen = 3, .op = { 0x0f, 0x38, 0x37 } };
    uint8_t *m = g->seq->init.scratch;

    g->u->what = "pcmpgtq";
    set_flags(g, 0, 0, 0);
    for (int i = 0; i < 2; i++) {
        uint64_t a = interesting(g, 64), bq = chance(g, 3) ? a + rnd(g, 3) - 1
                                                           : interesting(g, 64);

        memcpy(&m[da + 8 * i], &a, 8);
        memcpy(&m[db + 8 * i], &bq, 8);
    }
    e.reg = (int)rnd(g, (uint32_t)xmm_count(g));
    emit_movdqu(g, e.reg, da, false);
    if (chance(g, 2)) {
        e.rm.mem = true;
        e.rm.disp = db;
    } else {
        e.rm.reg = (int)rnd(g, (uint32_t)xmm_count(g));
        if (e.rm.reg != e.reg) {
            emit_movdqu(g, e.rm.reg, db, false);
        }
    }
    emit(g, &e, true);
    emit_movdqu(g, e.reg, pick_disp128(g, true), true);
}

/*
 * CRC32 r32/r64, r/m8/16/32/64 (F2 0F 38 F0/F1): a 66 prefix selects
 * the 16-bit source (and does nothing to the byte form), REX.W the 64-bit
 * destination. No flags change. Only the order 66 F2 is generated:
 * capstone 4 misreads F2 66 0F 38 F1 (as MOVBE, or not at all), which the
 * host runs as CRC32; test-x86-sse42.c checks that order against the host.
 * (Not in 16-bit code: see gen_sse42.)
 */
static void gen_crc32(Gen *g)
{
    int size = 8 << rnd(g, g->mode == NATIVE_MODE_64 ? 4 : 3);
    bool rexw = size == 64 || (g->mode == NATIVE_MODE_64 && size == 8 && chance(g, 2));
    Enc e = { .pfx = 0xf2, .oplen = 3, .op = { 0x0f, 0x38, size == 8 ? 0xf0 : 0xf1 } };

    g->u->what = "crc32";
    set_flags(g, 0, 0, 0);
    e.size = size;
    if (size == 8) {
        e.size = rexw ? 64 : chance(g, 4) ? 16 : 32;
        e.byte_regs = true;
        byte_rex(g, rexw);
        e.rm = pick_rm(g, 8, false);
        if (e.rm.mem) {
            byte_rex(g, true);
        }
        e.reg = pick_wreg(g);
        if (g->mode == NATIVE_MODE_64 && e.reg >= 8 && !g->rex8) {
            g->rex8 = true;
            if (!e.rm.mem) {
                e.rm.reg = pick_reg8(g, false);
            }
        }
    } else {
        e.rm = pick_rm(g, size, false);
        e.reg = pick_wreg(g);
    }
    emit(g, &e, true);
}

/* One SSE4.2 unit; an ALU one when the guest model lacks SSE4.2, and in
 * 16-bit code, where capstone 4 decodes none of the 0F 38 / 0F 3A rows
 * (test-x86-sse42.c checks the 16-bit forms instead). */
static void gen_sse42(Gen *g)
{
    uint32_t k = rnd(g, 8);

    if (!(g->feat & INSN_FEAT_SSE42) || g->mode == NATIVE_MODE_16) {
        gen_alu(g);
    } else if (k < 5) {
        gen_pcmpstr(g);
    } else if (k < 7) {
        gen_crc32(g);
    } else {
        gen_pcmpgtq(g);
    }
}

/* ---- sequences ---- */

typedef void (*GenFn)(Gen *g);

static const struct {
    GenFn fn;
    int weight;
    bool not64;
} families[] = {
    { gen_alu, 14 }, { gen_test, 3 }, { gen_unary, 5 }, { gen_shift, 8 },
    { gen_shld, 4 }, { gen_mul, 4 }, { gen_div, 4 }, { gen_bt, 4 },
    { gen_bitscan, 4 }, { gen_bswap, 2 }, { gen_movx, 4 }, { gen_xchg, 5 },
    { gen_setcc_cmov, 6 }, { gen_misc, 5 }, { gen_lea, 3 },
    { gen_bcd, 3, true }, { gen_string, 4 }, { gen_stack, 5 },
    { gen_mov, 5 }, { gen_simd, 8 }, { gen_sse42, 3 },
};

/* CMP r, imm8 (83 /7): defines all six arithmetic flags, writes nothing. */
static void gen_definer(Gen *g)
{
    Enc e = { .size = 32, .oplen = 1, .op = { 0x83 }, .reg = 7 };

    g->u->what = "cmp (defines flags)";
    e.rm.reg = pick_rreg(g);
    e.imm_bytes = 1;
    e.imm = rnd(g, 256);
    emit(g, &e, true);
    set_flags(g, 0, F_ALL, 0);
}

/* Insert a unit at i; branches to i now land on it. */
static InsnUnit *insert_unit(InsnSeq *seq, size_t i)
{
    g_assert(seq->count < INSN_SEQ_MAX_UNITS);
    memmove(&seq->units[i + 1], &seq->units[i],
            (seq->count - i) * sizeof(InsnUnit));
    seq->count++;
    for (size_t k = 0; k < seq->count; k++) {
        InsnUnit *u = &seq->units[k];

        if (k != i && u->branch && u->target > i) {
            u->target++;
        }
    }
    memset(&seq->units[i], 0, sizeof(InsnUnit));
    return &seq->units[i];
}

/* Put a flag definer in front of every unit that would read an undefined
 * flag (dropping the reader when the sequence is full). */
static void fix_undefined_reads(Gen *g)
{
    ssize_t i;

    while ((i = insn_seq_first_undefined_read(g->seq)) >= 0) {
        if (g->seq->count == INSN_SEQ_MAX_UNITS) {
            insn_seq_remove(g->seq, (size_t)i);
            continue;
        }
        g->u = insert_unit(g->seq, (size_t)i);
        gen_definer(g);
    }
}

/* One time in three, follow a flag-writing unit with SETcc on a condition
 * whose flags are all defined here and at least one of which the unit just
 * wrote, so that its flag results reach the compared state instead of
 * being overwritten unseen. */
static void maybe_probe_flags(Gen *g)
{
    InsnSeq *seq = g->seq;
    uint16_t written = seq->units[seq->count - 1].flags_def;
    uint32_t defined;

    if (!written || seq->count >= INSN_SEQ_MAX_UNITS || !chance(g, 3)) {
        return;
    }
    defined = insn_gen_defined_flags_mask(seq, UINT32_MAX);
    for (int tries = 0; tries < 8; tries++) {
        int cc = (int)rnd(g, 16);
        Enc e = { .size = 8, .oplen = 2, .op = { 0x0f, (uint8_t)(0x90 + cc) } };

        if ((cc_reads(cc) & ~defined) || !(cc_reads(cc) & written)) {
            continue;
        }
        g->u = &seq->units[seq->count++];
        memset(g->u, 0, sizeof(*g->u));
        g->u->what = "setcc (flag probe)";
        byte_rex(g, false);
        e.rm = pick_rm(g, 8, true);
        if (e.rm.mem) {
            byte_rex(g, true);
        }
        emit(g, &e, true);
        set_flags(g, cc_reads(cc), 0, 0);
        return;
    }
}

static GenFn pick_family(Gen *g)
{
    int total = 0, pick;

    for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
        if (!(families[i].not64 && g->mode == NATIVE_MODE_64)) {
            total += families[i].weight;
        }
    }
    pick = (int)rnd(g, (uint32_t)total);
    for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
        if (families[i].not64 && g->mode == NATIVE_MODE_64) {
            continue;
        }
        if (pick < families[i].weight) {
            return families[i].fn;
        }
        pick -= families[i].weight;
    }
    return gen_alu;
}

int insn_gen_base_reg(NativeMode mode)
{
    return mode == NATIVE_MODE_64 ? NATIVE_R15 : NATIVE_RBX;
}

static void gen_init_state(Gen *g)
{
    NativeState *st = &g->seq->init;
    uint64_t base = native_scratch_base(g->mode);

    memset(st, 0, sizeof(*st));
    for (int r = 0; r < nregs(g); r++) {
        st->regs[r] = chance(g, 3) ? interesting(g, 64)
                                   : rnd64(g);
        if (g->mode != NATIVE_MODE_64) {
            st->regs[r] &= 0xffffffffu;
        }
    }
    st->regs[g->base] = base;
    st->regs[NATIVE_RSP] = base + STACK_TOP;
    st->rflags = rnd64(g) & NATIVE_FLAGS_MASK;
    for (size_t i = 0; i < NATIVE_SCRATCH_SIZE; i += 4) {
        uint32_t v = g_rand_int(g->rng);

        memcpy(&st->scratch[i], &v, 4);
    }
    if (g->mode == NATIVE_MODE_64 && (g->feat & (INSN_FEAT_SSSE3 | INSN_FEAT_SSE41))) {
        simd_fill_scratch(g, st->scratch);
    }
}

/* The generator loop: random families, or only `only` when not NULL. */
static void gen_sequence(InsnSeq *seq, NativeMode mode, uint32_t features,
                         uint64_t seed, size_t n_units, GenFn only)
{
    Gen g = { .seq = seq, .mode = mode, .feat = features };

    g.rng = g_rand_new_with_seed_array((const guint32[]){
        (guint32)seed, (guint32)(seed >> 32), (guint32)mode }, 3);
    g.base = insn_gen_base_reg(mode);
    seq->mode = mode;
    seq->count = 0;
    n_units = MIN(n_units, INSN_SEQ_MAX_UNITS);
    gen_init_state(&g);
    for (size_t i = 0; i < n_units && seq->count < INSN_SEQ_MAX_UNITS; i++) {
        g.u = &seq->units[seq->count++];
        memset(g.u, 0, sizeof(*g.u));
        if (chance(&g, 12)) {
            /* a target past the last unit means the end of the code */
            gen_branch(&g, seq->count - 1, INSN_SEQ_MAX_UNITS);
        } else {
            (only ? only : pick_family(&g))(&g);
            maybe_probe_flags(&g);
        }
    }
    fix_undefined_reads(&g);
    g_rand_free(g.rng);
}

void insn_gen_sequence(InsnSeq *seq, NativeMode mode, uint32_t features,
                       uint64_t seed, size_t n_units)
{
    gen_sequence(seq, mode, features, seed, n_units, NULL);
}

void insn_gen_sse42_sequence(InsnSeq *seq, NativeMode mode, uint64_t seed,
                             size_t n_units)
{
    gen_sequence(seq, mode, INSN_FEAT_SSE42, seed, n_units, gen_sse42);
}

uint32_t insn_gen_host_features(void)
{
    unsigned a, b_, c, d;
    uint32_t f = 0;

    if (__get_cpuid(1, &a, &b_, &c, &d)) {
        f |= (c & bit_POPCNT) ? INSN_FEAT_POPCNT : 0;
        f |= (c & bit_SSSE3) ? INSN_FEAT_SSSE3 : 0;
        f |= (c & bit_SSE4_1) ? INSN_FEAT_SSE41 : 0;
        f |= (c & bit_SSE4_2) ? INSN_FEAT_SSE42 : 0;
    }
    if (__get_cpuid_count(7, 0, &a, &b_, &c, &d) && (b_ & bit_BMI)) {
        f |= INSN_FEAT_TZCNT;
    }
    if (__get_cpuid(0x80000001, &a, &b_, &c, &d)) {
        f |= (c & bit_ABM) ? INSN_FEAT_LZCNT : 0;
        f |= (c & bit_LAHF_LM) ? INSN_FEAT_LAHF64 : 0;
    }
    return f;
}
