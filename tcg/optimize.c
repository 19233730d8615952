/*
 * optimize.c: the IR optimizer, one forward pass over a block's ops before
 * liveness. Within each basic block it tracks which temps are copies of
 * others (a constant is a copy of its constant temp) and:
 *  - copy propagation: inputs are replaced by the value's source;
 *  - constant folding: pure ops on constants become a mov of the result
 *    (computed with tcg_eval_op, the interpreter's own semantics);
 *  - algebraic simplification: x+0, x-0, x|0, x^0, x&-1, x*1, shifts and
 *    rotates by 0 become mov; x&0, x*0 become 0; x^x, x-x become 0; x&x,
 *    x|x become x; setcond of a value with itself; constant branches
 *    become br or disappear;
 *  - known zero extension: an i64 that is already zero-extended from 32
 *    bits (32-bit and narrower loads and extensions, setcond, masks) needs
 *    no ext32u_i64 or and with 0xffffffff: they become mov.
 *  - condition fusion: a brcond or movcond that tests a setcond result
 *    against 0 (EQ/NE) tests the setcond's own operands instead, while
 *    they are unchanged (x86 lazy flags make setcond + brcond pairs); the
 *    setcond is then often dead.
 * Dead code left behind (unused movs) is removed by liveness.c.
 * A copy is valid while its source has not been written since (a version
 * number per temp); labels start from nothing; helper calls that may write
 * globals forget what was known about globals.
 */
#include "vireo/common.h"
#include "tcg/tcg.h"
#include "tcg-internal.h"

typedef struct TempInfo {
    int src;          /* temp this one equals, or -1 */
    uint32_t src_ver; /* version of src when the copy was made */
    uint32_t epoch;   /* basic block the info belongs to */
    bool z32;         /* an i64 whose high 32 bits are known to be zero */
    bool sc;          /* the temp holds setcond(sc_cond, sc_a, sc_b) of sc_opc */
    uint8_t sc_cond;
    TCGOpcode sc_opc;
    int sc_a, sc_b;
    uint32_t sc_a_ver, sc_b_ver;
} TempInfo;

typedef struct OptState {
    TCGContext *s;
    TempInfo info[TCG_MAX_TEMPS];
    uint32_t ver[TCG_MAX_TEMPS];
    uint32_t epoch;
} OptState;

/* The oldest known temp with t's value (t itself if none). */
static int repr(OptState *o, int t)
{
    TempInfo *i = &o->info[t];
    if (i->epoch == o->epoch && i->src >= 0 && o->ver[i->src] == i->src_ver) {
        return i->src;
    }
    return t;
}

static bool is_const(OptState *o, TCGArg a, uint64_t *val)
{
    TCGTemp *t = &o->s->temps[repr(o, a)];
    if (t->kind == TEMP_CONST) {
        *val = t->type == TCG_TYPE_I32 ? (uint32_t)t->val : (uint64_t)t->val;
        return true;
    }
    return false;
}

/* t was written: copies of it are stale, and it is a copy of nothing. */
static void temp_written(OptState *o, int t)
{
    o->ver[t]++;
    o->info[t].src = -1;
    o->info[t].z32 = false;
    o->info[t].sc = false;
}

/* True when the i64 value of a is known to fit in 32 bits (zero-extended). */
static bool known_z32(OptState *o, TCGArg a)
{
    int r = repr(o, a);
    const TCGTemp *t = &o->s->temps[r];

    if (t->type != TCG_TYPE_I64) {
        return false;
    }
    if (t->kind == TEMP_CONST) {
        return ((uint64_t)t->val >> 32) == 0;
    }
    return o->info[r].epoch == o->epoch && o->info[r].z32;
}

/* After op wrote its output: records whether the result is zero-extended
 * from 32 bits (loads and extensions of 32 bits or less, setcond, masks). */
static void note_z32(OptState *o, const TCGOp *op)
{
    bool z;
    uint64_t b;

    switch (op->opc) {
    case INDEX_op_ext32u_i64: case INDEX_op_extu_i32_i64: case INDEX_op_ext8u_i64:
    case INDEX_op_ext16u_i64: case INDEX_op_ld8u_i64: case INDEX_op_ld16u_i64:
    case INDEX_op_ld32u_i64: case INDEX_op_setcond_i64: case INDEX_op_bswap16_i64:
    case INDEX_op_bswap32_i64:
        z = true;
        break;
    case INDEX_op_extract_i64:
        z = op->args[2] + op->args[3] <= 32;
        break;
    case INDEX_op_qemu_ld_i64: {
        MemOp mop = get_memop(op->args[2]);
        z = (mop & MO_SIZE) <= MO_32 && !(mop & MO_SIGN);
        break;
    }
    case INDEX_op_and_i64:
        z = known_z32(o, op->args[1]) || known_z32(o, op->args[2]);
        break;
    case INDEX_op_or_i64: case INDEX_op_xor_i64:
        z = known_z32(o, op->args[1]) && known_z32(o, op->args[2]);
        break;
    case INDEX_op_shr_i64:
        z = is_const(o, op->args[2], &b) && (b & 63) >= 32;
        break;
    case INDEX_op_movcond_i64:
        z = known_z32(o, op->args[3]) && known_z32(o, op->args[4]);
        break;
    default:
        return;
    }
    if (z) {
        o->info[op->args[0]] = (TempInfo){ .src = -1, .epoch = o->epoch, .z32 = true };
    }
}

static void record_copy(OptState *o, int dst, int src)
{
    int r = repr(o, src);
    if (r == dst) {
        return;
    }
    o->info[dst] = (TempInfo){ .src = r, .src_ver = o->ver[r], .epoch = o->epoch };
}

static void forget_globals(OptState *o)
{
    for (int i = 0; i < o->s->nb_globals; i++) {
        temp_written(o, i);
    }
}

static bool op_is_foldable(TCGOpcode opc)
{
    const TCGOpDef *def = &tcg_op_defs[opc];
    if (def->nb_oargs != 1 || !def->nb_iargs ||
        (def->flags & (TCG_OPF_SIDE_EFFECTS | TCG_OPF_BB_END | TCG_OPF_NOT_PRESENT |
                       TCG_OPF_CALL_CLOBBER))) {
        return false;
    }
    return strncmp(def->name, "ld", 2) != 0;
}

static TCGType out_type(OptState *o, const TCGOp *op)
{
    return o->s->temps[op->args[0]].type;
}

/* Turns op into "mov out, src". */
static void make_mov(OptState *o, TCGOp *op, TCGArg src)
{
    op->opc = out_type(o, op) == TCG_TYPE_I64 ? INDEX_op_mov_i64 : INDEX_op_mov_i32;
    op->nb_oargs = 1;
    op->nb_iargs = 1;
    op->args[1] = src;
}

static void make_movi(OptState *o, TCGOp *op, uint64_t val)
{
    make_mov(o, op, temp_arg(tcg_constant_internal(out_type(o, op), val)));
}

static bool is_commutative(TCGOpcode b)
{
    return b == INDEX_op_add_i32 || b == INDEX_op_mul_i32 ||
           b == INDEX_op_and_i32 || b == INDEX_op_or_i32 || b == INDEX_op_xor_i32;
}

/* The i32 opcode of the same family (for the switch below). */
static TCGOpcode family(TCGOpcode opc)
{
    if (opc >= INDEX_op_mov_i64 && opc <= INDEX_op_st_i64) {
        return opc - INDEX_op_mov_i64 + INDEX_op_mov_i32;
    }
    return opc;
}

/* x op x, x op 0, x op -1, x op 1: true if op was simplified. */
static bool simplify_binop(OptState *o, TCGOp *op)
{
    TCGOpcode f = family(op->opc);
    uint64_t bv, av;
    bool is64 = tcg_op_defs[op->opc].flags & TCG_OPF_64BIT;
    uint64_t ones = is64 ? ~0ull : 0xffffffffull;
    if (is_commutative(f) && is_const(o, op->args[1], &av) &&
        !is_const(o, op->args[2], &bv)) {
        TCGArg t = op->args[1];
        op->args[1] = op->args[2];
        op->args[2] = t;
    }
    bool same = repr(o, op->args[1]) == repr(o, op->args[2]);
    if (same && (f == INDEX_op_xor_i32 || f == INDEX_op_sub_i32)) {
        make_movi(o, op, 0);
        return true;
    }
    if (same && (f == INDEX_op_and_i32 || f == INDEX_op_or_i32)) {
        make_mov(o, op, op->args[1]);
        return true;
    }
    if (!is_const(o, op->args[2], &bv)) {
        return false;
    }
    switch (f) {
    case INDEX_op_add_i32: case INDEX_op_sub_i32: case INDEX_op_or_i32:
    case INDEX_op_xor_i32: case INDEX_op_shl_i32: case INDEX_op_shr_i32:
    case INDEX_op_sar_i32: case INDEX_op_rotl_i32: case INDEX_op_rotr_i32:
        if (bv == 0 || ((f >= INDEX_op_shl_i32 && f <= INDEX_op_rotr_i32) &&
                        (bv & (is64 ? 63 : 31)) == 0)) {
            make_mov(o, op, op->args[1]);
            return true;
        }
        if (f == INDEX_op_or_i32 && bv == ones) {
            make_movi(o, op, ones);
            return true;
        }
        return false;
    case INDEX_op_and_i32:
        if (bv == ones) {
            make_mov(o, op, op->args[1]);
            return true;
        }
        if (bv == 0) {
            make_movi(o, op, 0);
            return true;
        }
        return false;
    case INDEX_op_mul_i32:
        if (bv == 1) {
            make_mov(o, op, op->args[1]);
            return true;
        }
        if (bv == 0) {
            make_movi(o, op, 0);
            return true;
        }
        return false;
    default:
        return false;
    }
}

/* Folds or simplifies a pure one-output op; true if it became a mov. */
static bool fold_op(OptState *o, TCGOp *op)
{
    const TCGOpDef *def = &tcg_op_defs[op->opc];
    uint64_t in[4] = { 0, 0, 0, 0 };
    bool all_const = true;
    for (int i = 0; i < def->nb_iargs; i++) {
        all_const &= is_const(o, op->args[1 + i], &in[i]);
    }
    TCGOpcode f = family(op->opc);
    if (all_const) {
        make_movi(o, op, tcg_eval_op(op->opc, in, &op->args[1 + def->nb_iargs]));
        return true;
    }
    if (f == INDEX_op_movcond_i32 && is_const(o, op->args[1], &in[0]) &&
        is_const(o, op->args[2], &in[1])) {
        bool c = tcg_eval_cond(op->args[5], in[0], in[1],
                               def->flags & TCG_OPF_64BIT);
        make_mov(o, op, op->args[c ? 3 : 4]);
        return true;
    }
    /* zero-extending what is already zero-extended */
    if ((op->opc == INDEX_op_ext32u_i64 && known_z32(o, op->args[1])) ||
        (op->opc == INDEX_op_and_i64 && known_z32(o, op->args[1]) &&
         is_const(o, op->args[2], &in[1]) && in[1] == 0xffffffffull)) {
        make_mov(o, op, op->args[1]);
        return true;
    }
    if (f == INDEX_op_setcond_i32 && repr(o, op->args[1]) == repr(o, op->args[2])) {
        make_movi(o, op, tcg_eval_cond(op->args[3], 0, 0, false));
        return true;
    }
    if (def->nb_iargs == 2 && def->nb_cargs == 0) {
        return simplify_binop(o, op);
    }
    return false;
}

static void fold_brcond(OptState *o, TCGOp *op)
{
    uint64_t a, b;
    bool is64 = op->opc == INDEX_op_brcond_i64;
    bool known = is_const(o, op->args[0], &a) && is_const(o, op->args[1], &b);
    if (!known && repr(o, op->args[0]) == repr(o, op->args[1])) {
        known = true;
        a = b = 0;
    }
    if (!known) {
        return;
    }
    if (tcg_eval_cond(op->args[2], a, b, is64)) {
        TCGArg label = op->args[3];
        op->opc = INDEX_op_br;
        op->nb_iargs = 0;
        op->args[0] = label;
    } else {
        op->opc = INDEX_op_nop;
    }
}

/* After a setcond wrote its output: remembers its condition and operands
 * (already replaced by their representatives) with their versions. */
static void note_setcond(OptState *o, const TCGOp *op)
{
    TempInfo *i = &o->info[op->args[0]];
    int a = op->args[1], b = op->args[2];

    if (a == (int)op->args[0] || b == (int)op->args[0]) {
        return;                       /* the setcond overwrote its own input */
    }
    i->epoch = o->epoch;
    i->sc = true;
    i->sc_cond = (uint8_t)op->args[3];
    i->sc_opc = op->opc;
    i->sc_a = a;
    i->sc_a_ver = o->ver[a];
    i->sc_b = b;
    i->sc_b_ver = o->ver[b];
}

static TCGCond invert_cond(TCGCond c)
{
    switch (c) {
    case TCG_COND_EQ: return TCG_COND_NE;
    case TCG_COND_NE: return TCG_COND_EQ;
    case TCG_COND_LT: return TCG_COND_GE;
    case TCG_COND_GE: return TCG_COND_LT;
    case TCG_COND_LE: return TCG_COND_GT;
    case TCG_COND_GT: return TCG_COND_LE;
    case TCG_COND_LTU: return TCG_COND_GEU;
    case TCG_COND_GEU: return TCG_COND_LTU;
    case TCG_COND_LEU: return TCG_COND_GTU;
    case TCG_COND_GTU: return TCG_COND_LEU;
    case TCG_COND_ALWAYS: return TCG_COND_NEVER;
    default: return TCG_COND_ALWAYS;
    }
}

/*
 * An op testing "t cond 0" (t = args[ti], the constant args[ti + 1],
 * the condition args[ci]) where t is a still-valid setcond of the same
 * width (setcond_op) is rewritten to test the setcond's operands: t NE 0
 * is the setcond's condition, t EQ 0 its inverse.
 */
static void fuse_setcond(OptState *o, TCGOp *op, int ti, int ci, TCGOpcode setcond_op)
{
    const TempInfo *i = &o->info[op->args[ti]];
    TCGCond c = (TCGCond)op->args[ci];
    uint64_t zero;

    if (!i->sc || i->epoch != o->epoch || i->sc_opc != setcond_op ||
        o->ver[i->sc_a] != i->sc_a_ver || o->ver[i->sc_b] != i->sc_b_ver ||
        (c != TCG_COND_EQ && c != TCG_COND_NE) ||
        !is_const(o, op->args[ti + 1], &zero) || zero != 0) {
        return;
    }
    op->args[ci] = c == TCG_COND_NE ? (TCGCond)i->sc_cond : invert_cond(i->sc_cond);
    op->args[ti + 1] = i->sc_b;
    op->args[ti] = i->sc_a;
}

static void propagate_inputs(OptState *o, TCGOp *op)
{
    for (int i = op->nb_oargs; i < op->nb_oargs + op->nb_iargs; i++) {
        int r = repr(o, op->args[i]);
        if (o->s->temps[r].type == o->s->temps[op->args[i]].type) {
            op->args[i] = r;
        }
    }
}

static void optimize_op(OptState *o, TCGOp *op)
{
    switch (op->opc) {
    case INDEX_op_nop:
    case INDEX_op_insn_start:
        return;
    case INDEX_op_set_label:
        o->epoch++;
        return;
    case INDEX_op_discard:
        temp_written(o, op->args[0]);
        return;
    case INDEX_op_call: {
        propagate_inputs(o, op);
        const TCGHelperInfo *info =
            (const TCGHelperInfo *)op->args[op->nb_oargs + op->nb_iargs + 1];
        if (!(info->flags & TCG_CALL_NO_WRITE_GLOBALS)) {
            forget_globals(o);
        }
        for (int i = 0; i < op->nb_oargs; i++) {
            temp_written(o, op->args[i]);
        }
        return;
    }
    default:
        break;
    }
    propagate_inputs(o, op);
    if (op->opc == INDEX_op_brcond_i32 || op->opc == INDEX_op_brcond_i64) {
        fuse_setcond(o, op, 0, 2, op->opc == INDEX_op_brcond_i32 ? INDEX_op_setcond_i32
                                                                : INDEX_op_setcond_i64);
        fold_brcond(o, op);
        return;
    }
    if (op->opc == INDEX_op_movcond_i32 || op->opc == INDEX_op_movcond_i64) {
        fuse_setcond(o, op, 1, 5, op->opc == INDEX_op_movcond_i32 ? INDEX_op_setcond_i32
                                                                 : INDEX_op_setcond_i64);
    }
    if (op_is_foldable(op->opc) && op->opc != INDEX_op_mov_i32 &&
        op->opc != INDEX_op_mov_i64) {
        fold_op(o, op);
    }
    for (int i = 0; i < tcg_op_defs[op->opc].nb_oargs; i++) {
        temp_written(o, op->args[i]);
    }
    note_z32(o, op);
    if (op->opc == INDEX_op_setcond_i32 || op->opc == INDEX_op_setcond_i64) {
        note_setcond(o, op);
    }
    if (op->opc == INDEX_op_mov_i32 || op->opc == INDEX_op_mov_i64) {
        if (repr(o, op->args[1]) == (int)op->args[0]) {
            op->opc = INDEX_op_nop;
            return;
        }
        record_copy(o, op->args[0], op->args[1]);
    }
}

void tcg_optimize(TCGContext *s)
{
    OptState *o = g_new0(OptState, 1);
    o->s = s;
    o->epoch = 1;
    for (int i = 0; i < TCG_MAX_TEMPS; i++) {
        o->info[i].src = -1;
    }
    for (int i = 0; i < s->nb_ops; i++) {
        optimize_op(o, &s->ops[i]);
    }
    g_free(o);
}
