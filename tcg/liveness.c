/*
 * liveness.c: backward liveness analysis over a block's ops, run after the
 * optimizer and before either backend. It marks, per op, the arguments
 * whose value dies there (so the register allocator can free them), drops
 * ops whose results are never used (dead-code elimination), and keeps the
 * live-out set of every block-ending op. Labels make it a fixpoint: a
 * backward branch needs the live set of a label further up, so the pass is
 * repeated until no label's set changes. Globals are live wherever their
 * memory copy can be observed: at block boundaries, helper calls that read
 * globals, and guest memory ops (which may fault).
 */
#include "vireo/common.h"
#include "tcg/tcg.h"
#include "tcg-internal.h"

typedef struct TCGLiveness {
    int words;
    int nb_ops;
    uint64_t *label_live;  /* nb_labels sets */
    uint64_t *out;         /* nb_ops sets (only block-ending ops filled) */
    uint64_t *globals;     /* the set of all globals */
    uint64_t *cur;
} Liveness;

/* The analysis of the context being compiled (set by the entry points). */
static __thread Liveness *cur_lv;

static void set_copy(uint64_t *d, const uint64_t *s) { memcpy(d, s, cur_lv->words * 8); }
static void set_or(uint64_t *d, const uint64_t *s)
{
    for (int i = 0; i < cur_lv->words; i++) {
        d[i] |= s[i];
    }
}
static void bit_set(uint64_t *d, int i) { d[i / 64] |= 1ull << (i % 64); }
static void bit_clear(uint64_t *d, int i) { d[i / 64] &= ~(1ull << (i % 64)); }

static uint64_t *out_set(int i) { return &cur_lv->out[(size_t)i * cur_lv->words]; }
static uint64_t *label_set(int l) { return &cur_lv->label_live[(size_t)l * cur_lv->words]; }

const uint64_t *tcg_liveness_out(TCGContext *s, int i)
{
    cur_lv = s->live;
    g_assert(i < cur_lv->nb_ops);
    return out_set(i);
}

static bool temp_tracked(TCGContext *s, TCGArg a)
{
    TCGTempKind k = s->temps[a].kind;
    return k == TEMP_TB || k == TEMP_GLOBAL;
}

/* True when op may be dropped if none of its outputs is used. */
static bool op_removable(const TCGOp *op)
{
    const TCGOpDef *def = &tcg_op_defs[op->opc];
    if (op->opc == INDEX_op_call) {
        const TCGHelperInfo *info =
            (const TCGHelperInfo *)op->args[op->nb_oargs + op->nb_iargs + 1];
        return (info->flags & TCG_CALL_NO_SIDE_EFFECTS) && op->nb_oargs;
    }
    return def->nb_oargs && !(def->flags & (TCG_OPF_SIDE_EFFECTS |
                                           TCG_OPF_BB_END | TCG_OPF_NOT_PRESENT));
}

/* Inputs/outputs of an ordinary op; returns false if the op is dead. */
static bool live_op(TCGContext *s, TCGOp *op, uint64_t *L, bool final)
{
    int no = op->nb_oargs, ni = op->nb_iargs;
    if (op_removable(op)) {
        bool used = false;
        for (int i = 0; i < no; i++) {
            used |= tcg_bit_test(L, op->args[i]);
        }
        if (!used) {
            return false;
        }
    }
    uint16_t life = 0;
    for (int i = 0; i < no; i++) {
        if (!tcg_bit_test(L, op->args[i])) {
            life |= TCG_LIFE_DEAD(i);
        }
        bit_clear(L, op->args[i]);
    }
    if (op->opc == INDEX_op_call) {
        const TCGHelperInfo *info = (const TCGHelperInfo *)op->args[no + ni + 1];
        if (!(info->flags & TCG_CALL_NO_READ_GLOBALS)) {
            set_or(L, cur_lv->globals);
        }
    } else if (tcg_op_defs[op->opc].flags & TCG_OPF_CALL_CLOBBER) {
        set_or(L, cur_lv->globals);
    }
    for (int i = no; i < no + ni; i++) {
        TCGArg a = op->args[i];
        if (!temp_tracked(s, a)) {
            continue;
        }
        if (!tcg_bit_test(L, a)) {
            life |= TCG_LIFE_DEAD(i);
        }
        bit_set(L, a);
    }
    if (final) {
        op->life = life;
    }
    return true;
}

/* One backward pass: true if some label's live set changed. */
static bool live_pass(TCGContext *s, bool final)
{
    uint64_t *L = cur_lv->cur;
    bool changed = false;
    set_copy(L, cur_lv->globals);
    for (int i = s->nb_ops - 1; i >= 0; i--) {
        TCGOp *op = &s->ops[i];
        switch (op->opc) {
        case INDEX_op_nop:
        case INDEX_op_insn_start:
            break;
        case INDEX_op_discard:
            bit_clear(L, op->args[0]);
            break;
        case INDEX_op_set_label:
            set_or(L, cur_lv->globals);
            if (memcmp(label_set(op->args[0]), L, cur_lv->words * 8)) {
                changed = true;
                set_copy(label_set(op->args[0]), L);
            }
            set_copy(out_set(i), L);
            break;
        case INDEX_op_br:
            set_copy(L, label_set(op->args[0]));
            set_or(L, cur_lv->globals);
            set_copy(out_set(i), L);
            break;
        case INDEX_op_exit_tb:
        case INDEX_op_goto_tb:
        case INDEX_op_goto_ptr:
            set_copy(L, cur_lv->globals);
            set_copy(out_set(i), L);
            if (op->opc == INDEX_op_goto_ptr && temp_tracked(s, op->args[0])) {
                op->life = tcg_bit_test(L, op->args[0]) ? 0 : TCG_LIFE_DEAD(0);
                bit_set(L, op->args[0]);
            }
            break;
        case INDEX_op_brcond_i32:
        case INDEX_op_brcond_i64:
            set_or(L, label_set(op->args[3]));
            set_or(L, cur_lv->globals);
            set_copy(out_set(i), L);
            live_op(s, op, L, final);
            break;
        default:
            if (!live_op(s, op, L, final) && final) {
                op->opc = INDEX_op_nop;
            }
            break;
        }
    }
    return changed;
}

static void liveness_free_sets(Liveness *l)
{
    g_free(l->label_live);
    g_free(l->out);
    g_free(l->globals);
    g_free(l->cur);
}

void tcg_liveness_free(TCGContext *s)
{
    if (s->live) {
        liveness_free_sets(s->live);
        g_free(s->live);
        s->live = NULL;
    }
}

void tcg_liveness_analysis(TCGContext *s)
{
    enum { MAX_WORDS = (TCG_MAX_TEMPS + 63) / 64 };
    if (!s->live) {
        /* sized once for the largest block; only label sets need zeroing */
        Liveness *l = g_new0(Liveness, 1);
        l->label_live = g_new(uint64_t, (size_t)TCG_MAX_LABELS * MAX_WORDS);
        l->out = g_new(uint64_t, (size_t)TCG_MAX_OPS * MAX_WORDS);
        l->globals = g_new(uint64_t, MAX_WORDS);
        l->cur = g_new(uint64_t, MAX_WORDS);
        s->live = l;
    }
    cur_lv = s->live;
    cur_lv->words = (s->nb_temps + 63) / 64;
    cur_lv->nb_ops = s->nb_ops;
    memset(cur_lv->label_live, 0, (size_t)s->nb_labels * cur_lv->words * 8);
    memset(cur_lv->globals, 0, cur_lv->words * 8);
    for (int i = 0; i < s->nb_globals; i++) {
        if (s->temps[i].kind == TEMP_GLOBAL) {
            bit_set(cur_lv->globals, i);
        }
    }
    for (int iter = 0; live_pass(s, false); iter++) {
        g_assert(iter < 1000);
    }
    live_pass(s, true);
}
