/*
 * interp.c: the portable backend. tcg_interp_gen_code turns a block's
 * (optimized, liveness-annotated) ops into a compact bytecode stored in the
 * code buffer like host code; tcg_interp_exec runs it. It serves hosts
 * without a JIT and is the reference the JIT is fuzzed against: pure ops
 * go through tcg_eval_op, the same function the optimizer folds with.
 *
 * Bytecode: an InterpHeader, the block's constants as (slot, value)
 * pairs, then one record per op: a word (opcode | nb_oargs << 16 |
 * nb_iargs << 24), one word per temp argument (an operand, see below) and
 * one word per constant argument (labels become word offsets into the
 * code). Operands are frame slots (temp index) unless bit 63 is set: then
 * a global, bit 62 says i64, and the low 32 bits are its signed offset
 * from env. Globals are read and written in env directly.
 */
#include "vireo/common.h"
#include "tcg/tcg.h"
#include "tcg/tb.h"
#include "tcg/tlb.h"
#include "tcg-internal.h"

#define OPND_GLOBAL (1ull << 63)
#define OPND_G64    (1ull << 62)

typedef struct InterpHeader {
    TranslationBlock *tb;
    TCGSlowLoad slow_ld;
    TCGSlowStore slow_st;
    intptr_t tlb_offset;
    uint32_t nb_consts;
    uint32_t nb_words;   /* code words after the constants */
} InterpHeader;

__thread uintptr_t tcg_interp_retaddr;

/* ---- compilation ---- */

typedef struct InterpGen {
    TCGContext *s;
    uint64_t *base;   /* start of the code words (rw view) */
    uint64_t *p;
    uint64_t *end;
} InterpGen;

static bool emit(InterpGen *g, uint64_t w)
{
    if (g->p >= g->end) {
        return false;
    }
    *g->p++ = w;
    return true;
}

static uint64_t operand(TCGContext *s, TCGArg a)
{
    TCGTemp *t = &s->temps[a];
    if (t->kind == TEMP_GLOBAL) {
        return OPND_GLOBAL | (t->type == TCG_TYPE_I64 ? OPND_G64 : 0) |
               (uint32_t)(int32_t)t->mem_offset;
    }
    return (uint64_t)a;
}

static bool emit_op(InterpGen *g, TCGOp *op)
{
    TCGContext *s = g->s;
    const TCGOpDef *def = &tcg_op_defs[op->opc];
    int nt = op->nb_oargs + op->nb_iargs;
    int nc = def->nb_cargs;
    bool ok = emit(g, op->opc | op->nb_oargs << 16 | op->nb_iargs << 24);
    for (int i = 0; i < nt && ok; i++) {
        ok = emit(g, operand(s, op->args[i]));
    }
    for (int i = 0; i < nc && ok; i++) {
        TCGArg c = op->args[nt + i];
        bool is_label = op->opc == INDEX_op_br ||
                        op->opc == INDEX_op_set_label ||
                        ((op->opc == INDEX_op_brcond_i32 ||
                          op->opc == INDEX_op_brcond_i64) && i == 1);
        if (is_label) {
            uint32_t pos = g->p - g->base;
            g_array_append_val(s->labels[c].relocs, pos);
        }
        ok = emit(g, c);
    }
    return ok;
}

int tcg_interp_gen_code(TCGContext *s, TranslationBlock *tb)
{
    uintptr_t start = (uintptr_t)s->code_ptr;
    InterpHeader *h = (InterpHeader *)((start + 7) & ~(uintptr_t)7);
    uint64_t *consts = (uint64_t *)(h + 1);
    if ((uint8_t *)consts > s->code_end) {
        return -1;
    }
    h->tb = tb;
    h->slow_ld = s->cfg.slow_ld;
    h->slow_st = s->cfg.slow_st;
    h->tlb_offset = s->cfg.tlb_offset;
    InterpGen g = { s, consts, consts, (uint64_t *)s->code_end };
    uint32_t nc = 0;
    for (int i = s->nb_globals; i < s->nb_temps; i++) {
        if (s->temps[i].kind == TEMP_CONST) {
            TCGTemp *t = &s->temps[i];
            uint64_t v = t->type == TCG_TYPE_I32 ? (uint32_t)t->val : (uint64_t)t->val;
            if (!emit(&g, i) || !emit(&g, v)) {
                return -1;
            }
            nc++;
        }
    }
    h->nb_consts = nc;
    g.base = g.p;
    int insn = 0;
    for (int i = 0; i < s->nb_ops; i++) {
        TCGOp *op = &s->ops[i];
        if (op->opc == INDEX_op_nop) {
            continue;
        }
        if (op->opc == INDEX_op_insn_start) {
            s->insn_off[insn] = (uint8_t *)g.p - (uint8_t *)h;
            s->insn_data[insn][0] = op->args[0];
            s->insn_data[insn][1] = op->args[1];
            insn++;
            continue;
        }
        if (op->opc == INDEX_op_goto_tb) {
            tb->jmp_present[op->args[0]] = true;
        }
        if (op->opc == INDEX_op_set_label) {
            s->labels[op->args[0]].value = g.p - g.base;
            s->labels[op->args[0]].has_value = true;
        }
        if (!emit_op(&g, op)) {
            return -1;
        }
    }
    for (int l = 0; l < s->nb_labels; l++) {
        TCGLabel *lab = &s->labels[l];
        for (guint k = 0; k < lab->relocs->len; k++) {
            g_assert(lab->has_value);
            g.base[g_array_index(lab->relocs, uint32_t, k)] = lab->value;
        }
    }
    h->nb_words = g.p - g.base;
    s->nb_insns = insn;
    tb->tc_ptr = (void *)tcg_rw_to_rx(h);
    s->code_ptr = (uint8_t *)g.p;
    return (int)((uint8_t *)g.p - (uint8_t *)start);
}

/* ---- execution ---- */

static inline uint64_t rd(const uint64_t *frame, void *env, uint64_t a)
{
    if (likely(!(a & OPND_GLOBAL))) {
        return frame[a];
    }
    char *p = (char *)env + (int32_t)(uint32_t)a;
    if (a & OPND_G64) {
        uint64_t v;
        memcpy(&v, p, 8);
        return v;
    }
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline void wr(uint64_t *frame, void *env, uint64_t a, uint64_t v)
{
    if (likely(!(a & OPND_GLOBAL))) {
        frame[a] = v;
        return;
    }
    char *p = (char *)env + (int32_t)(uint32_t)a;
    if (a & OPND_G64) {
        memcpy(p, &v, 8);
    } else {
        uint32_t v32 = v;
        memcpy(p, &v32, 4);
    }
}

static uint64_t sign_extend_memop(uint64_t v, MemOp mop)
{
    switch (mop & (MO_SIZE | MO_SIGN)) {
    case MO_SB: return (int64_t)(int8_t)v;
    case MO_SW: return (int64_t)(int16_t)v;
    case MO_SL: return (int64_t)(int32_t)v;
    default: return v;
    }
}

static uint64_t interp_qemu_ld(const InterpHeader *h, void *env, uint64_t addr,
                               MemOpIdx oi, uintptr_t ra)
{
    MemOp mop = get_memop(oi);
    unsigned size = 1u << (mop & MO_SIZE);
    TCGTLB *tlb = (TCGTLB *)((char *)env + h->tlb_offset);
    TCGTLBEntry *e = tlb_entry(tlb, get_mmuidx(oi), addr);
    uint64_t v = 0;
    if (((addr + size - 1) & TCG_PAGE_MASK) == e->addr_read) {
        memcpy(&v, (void *)(uintptr_t)(addr + e->addend), size);
    } else {
        tcg_interp_retaddr = ra;
        v = h->slow_ld(env, addr, oi, ra);
        tcg_interp_retaddr = 0;
        if (size < 8) {
            v &= (1ull << (size * 8)) - 1;
        }
    }
    return sign_extend_memop(v, mop);
}

static void interp_qemu_st(const InterpHeader *h, void *env, uint64_t addr,
                           uint64_t v, MemOpIdx oi, uintptr_t ra)
{
    unsigned size = 1u << (get_memop(oi) & MO_SIZE);
    TCGTLB *tlb = (TCGTLB *)((char *)env + h->tlb_offset);
    TCGTLBEntry *e = tlb_entry(tlb, get_mmuidx(oi), addr);
    if (((addr + size - 1) & TCG_PAGE_MASK) == e->addr_write) {
        memcpy((void *)(uintptr_t)(addr + e->addend), &v, size);
    } else {
        if (size < 8) {
            v &= (1ull << (size * 8)) - 1;
        }
        tcg_interp_retaddr = ra;
        h->slow_st(env, addr, v, oi, ra);
        tcg_interp_retaddr = 0;
    }
}

typedef uint64_t (*HelperFn)(uint64_t, uint64_t, uint64_t, uint64_t,
                             uint64_t, uint64_t);

static void interp_call(uint64_t *frame, void *env, const uint64_t *w,
                        int no, int ni, uintptr_t ra)
{
    uint64_t a[TCG_MAX_HELPER_ARGS] = { 0 };
    for (int i = 0; i < ni; i++) {
        a[i] = rd(frame, env, w[no + i]);
    }
    const TCGHelperInfo *info = (const TCGHelperInfo *)(uintptr_t)w[no + ni + 1];
    HelperFn fn = (HelperFn)info->func;
    tcg_interp_retaddr = ra;
    uint64_t r = fn(a[0], a[1], a[2], a[3], a[4], a[5]);
    tcg_interp_retaddr = 0;
    if (no) {
        wr(frame, env, w[0], info->ret_type == TCG_TYPE_I32 ? (uint32_t)r : r);
    }
}

static uint64_t load_host(const void *p, TCGOpcode opc)
{
    switch (opc) {
    case INDEX_op_ld8u_i32: case INDEX_op_ld8u_i64: return *(const uint8_t *)p;
    case INDEX_op_ld8s_i32: return (uint32_t)*(const int8_t *)p;
    case INDEX_op_ld8s_i64: return (int64_t)*(const int8_t *)p;
    case INDEX_op_ld16u_i32: case INDEX_op_ld16u_i64: return *(const uint16_t *)p;
    case INDEX_op_ld16s_i32: return (uint32_t)*(const int16_t *)p;
    case INDEX_op_ld16s_i64: return (int64_t)*(const int16_t *)p;
    case INDEX_op_ld_i32: case INDEX_op_ld32u_i64: return *(const uint32_t *)p;
    case INDEX_op_ld32s_i64: return (int64_t)*(const int32_t *)p;
    case INDEX_op_ld_i64: return *(const uint64_t *)p;
    default: g_assert_not_reached();
    }
}

static void store_host(void *p, TCGOpcode opc, uint64_t v)
{
    switch (opc) {
    case INDEX_op_st8_i32: case INDEX_op_st8_i64: *(uint8_t *)p = v; break;
    case INDEX_op_st16_i32: case INDEX_op_st16_i64: *(uint16_t *)p = v; break;
    case INDEX_op_st_i32: case INDEX_op_st32_i64: *(uint32_t *)p = v; break;
    case INDEX_op_st_i64: *(uint64_t *)p = v; break;
    default: g_assert_not_reached();
    }
}

static bool is_load(TCGOpcode o)
{
    return (o >= INDEX_op_ld8u_i32 && o <= INDEX_op_ld_i32) ||
           (o >= INDEX_op_ld8u_i64 && o <= INDEX_op_ld_i64) ||
           o == INDEX_op_ld32u_i64 || o == INDEX_op_ld32s_i64;
}

static bool is_store(TCGOpcode o)
{
    return (o >= INDEX_op_st8_i32 && o <= INDEX_op_st_i32) ||
           (o >= INDEX_op_st8_i64 && o <= INDEX_op_st_i64) ||
           o == INDEX_op_st32_i64;
}

/* Everything but control flow, calls and memory: pure ops via tcg_eval. */
static void interp_pure(uint64_t *frame, void *env, TCGOpcode opc,
                        const uint64_t *w, int no, int ni)
{
    uint64_t in[4], out[2];
    for (int i = 0; i < ni; i++) {
        in[i] = rd(frame, env, w[no + i]);
    }
    if (no == 2) {
        tcg_eval_op2(opc, in, out);
        wr(frame, env, w[0], out[0]);
        wr(frame, env, w[1], out[1]);
        return;
    }
    TCGArg c[2] = { 0, 0 };
    int nc = tcg_op_defs[opc].nb_cargs;
    for (int i = 0; i < nc; i++) {
        c[i] = w[no + ni + i];
    }
    wr(frame, env, w[0], tcg_eval_op(opc, in, c));
}

uintptr_t tcg_interp_exec(void *env, const void *code)
{
    uint64_t frame[TCG_MAX_TEMPS];
    const InterpHeader *h;
    const uint64_t *base, *w;

next_tb:
    h = code;
    w = (const uint64_t *)(h + 1);
    for (uint32_t i = 0; i < h->nb_consts; i++, w += 2) {
        frame[w[0]] = w[1];
    }
    frame[0] = (uintptr_t)env;
    base = w;
    for (;;) {
        uint64_t op = *w;
        TCGOpcode opc = op & 0xffff;
        int no = (op >> 16) & 0xff, ni = (op >> 24) & 0xff;
        const uint64_t *a = w + 1;
        uintptr_t ra = (uintptr_t)w + 1;
        w = a + no + ni + tcg_op_defs[opc].nb_cargs;
        switch (opc) {
        case INDEX_op_add_i32:
            wr(frame, env, a[0], (uint32_t)(rd(frame, env, a[1]) + rd(frame, env, a[2])));
            break;
        case INDEX_op_add_i64:
            wr(frame, env, a[0], rd(frame, env, a[1]) + rd(frame, env, a[2]));
            break;
        case INDEX_op_mov_i32:
        case INDEX_op_mov_i64:
            wr(frame, env, a[0], rd(frame, env, a[1]));
            break;
        case INDEX_op_set_label:
        case INDEX_op_discard:
        case INDEX_op_mb:
            break;
        case INDEX_op_br:
            w = base + a[0];
            break;
        case INDEX_op_brcond_i32:
        case INDEX_op_brcond_i64:
            if (tcg_eval_cond(a[2], rd(frame, env, a[0]), rd(frame, env, a[1]),
                              opc == INDEX_op_brcond_i64)) {
                w = base + a[3];
            }
            break;
        case INDEX_op_exit_tb:
            return a[0];
        case INDEX_op_goto_tb: {
            TranslationBlock *next = __atomic_load_n(&h->tb->jmp_dest[a[0]],
                                                     __ATOMIC_ACQUIRE);
            if (next) {
                code = next->tc_ptr;
                goto next_tb;
            }
            break;
        }
        case INDEX_op_goto_ptr: {
            const void *p = (const void *)(uintptr_t)rd(frame, env, a[0]);
            if (p == tcg_code.epilogue_ret0) {
                return 0;
            }
            code = p;
            goto next_tb;
        }
        case INDEX_op_call:
            interp_call(frame, env, a, no, ni, ra);
            break;
        case INDEX_op_qemu_ld_i32:
        case INDEX_op_qemu_ld_i64: {
            uint64_t v = interp_qemu_ld(h, env, rd(frame, env, a[1]), a[2], ra);
            wr(frame, env, a[0], opc == INDEX_op_qemu_ld_i32 ? (uint32_t)v : v);
            break;
        }
        case INDEX_op_qemu_st_i32:
        case INDEX_op_qemu_st_i64:
            interp_qemu_st(h, env, rd(frame, env, a[1]), rd(frame, env, a[0]),
                           a[2], ra);
            break;
        default:
            if (is_load(opc)) {
                char *p = (char *)(uintptr_t)rd(frame, env, a[1]) + (intptr_t)a[2];
                wr(frame, env, a[0], load_host(p, opc));
            } else if (is_store(opc)) {
                char *p = (char *)(uintptr_t)rd(frame, env, a[1]) + (intptr_t)a[2];
                store_host(p, opc, rd(frame, env, a[0]));
            } else {
                interp_pure(frame, env, opc, a, no, ni);
            }
            break;
        }
    }
}
