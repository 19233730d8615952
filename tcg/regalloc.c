/*
 * regalloc.c: the JIT's code generator driver and register allocator. It
 * walks the optimized, liveness-annotated ops once, keeping temps and
 * globals in host registers: inputs are loaded on demand (from a frame
 * slot, env, or as constants), registers of dying values are reused, and a
 * value is spilled when its register is needed. At block boundaries every
 * value live across the boundary goes to memory (labels start with all
 * values in memory); at helper calls, globals are stored or dropped as the
 * helper's flags require and the call-clobbered registers are freed.
 * Each op is then emitted by the x86-64 backend (x86_64.c).
 */
#include "vireo/common.h"
#include "tcg/tcg.h"
#include "tcg/tb.h"
#include "x86_64.h"

/* The allocation order: callee-saved registers first (they survive calls). */
static const int alloc_order[] = {
    TCG_REG_RBX, TCG_REG_R12, TCG_REG_R13, TCG_REG_R14, TCG_REG_R15,
    TCG_REG_RDI, TCG_REG_RSI, TCG_REG_R8, TCG_REG_R9, TCG_REG_RDX,
    TCG_REG_RCX, TCG_REG_RAX,
};

typedef struct TCGRegState {
    TCGTemp *reg_to_temp[TCG_NB_REGS];
} TCGRegState;

static void temp_mem(TCGContext *s, TCGTemp *t, int *base, intptr_t *off)
{
    if (t->kind == TEMP_GLOBAL) {
        *base = TCG_AREG0;
        *off = t->mem_offset;
    } else {
        *base = TCG_REG_RSP;
        *off = (intptr_t)t->index * 8;
    }
}

static void temp_unmap(TCGContext *s, TCGTemp *t)
{
    if (t->val_loc == TEMP_VAL_REG) {
        s->rs->reg_to_temp[t->reg] = NULL;
        t->reg = -1;
    }
}

static void temp_map(TCGContext *s, TCGTemp *t, int reg)
{
    g_assert(!s->rs->reg_to_temp[reg]);
    s->rs->reg_to_temp[reg] = t;
    t->reg = reg;
    t->val_loc = TEMP_VAL_REG;
}

/* Stores a register-held value whose memory copy is stale. */
static void temp_sync(TCGContext *s, TCGTemp *t)
{
    if (t->val_loc == TEMP_VAL_REG && !t->mem_coherent && t->kind != TEMP_FIXED) {
        int base;
        intptr_t off;
        temp_mem(s, t, &base, &off);
        tcg_out_st(s, t->type, t->reg, base, off);
        t->mem_coherent = true;
    }
}

/* Keeps the value (in memory) but gives up its register. */
static void temp_spill(TCGContext *s, TCGTemp *t)
{
    if (t->val_loc == TEMP_VAL_REG && t->kind != TEMP_FIXED) {
        temp_sync(s, t);
        temp_unmap(s, t);
        t->val_loc = TEMP_VAL_MEM;
    }
}

/* The value is no longer needed: forget it (globals fall back to memory). */
static void temp_dead(TCGContext *s, TCGTemp *t)
{
    if (t->kind == TEMP_FIXED || t->kind == TEMP_CONST) {
        return;
    }
    temp_unmap(s, t);
    t->val_loc = t->kind == TEMP_GLOBAL ? TEMP_VAL_MEM : TEMP_VAL_DEAD;
    t->mem_coherent = t->kind == TEMP_GLOBAL;
}

static void reg_spill(TCGContext *s, int reg)
{
    TCGTemp *t = s->rs->reg_to_temp[reg];
    if (t) {
        temp_spill(s, t);
    }
}

/* A register from allowed, not in locked; spills its occupant if needed. */
static int reg_alloc(TCGContext *s, uint16_t allowed, uint16_t locked)
{
    uint16_t ok = allowed & ~locked;
    g_assert(ok);
    for (size_t i = 0; i < ARRAY_SIZE(alloc_order); i++) {
        int r = alloc_order[i];
        if ((ok & REGBIT(r)) && !s->rs->reg_to_temp[r]) {
            return r;
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(alloc_order); i++) {
        int r = alloc_order[i];
        if (ok & REGBIT(r)) {
            reg_spill(s, r);
            return r;
        }
    }
    g_assert_not_reached();
}

/* Puts t's value in a register from allowed: the register. Constants are
 * loaded into an unowned register (valid for the current op only). */
static int temp_load(TCGContext *s, TCGTemp *t, uint16_t allowed, uint16_t locked)
{
    int reg, base;
    intptr_t off;
    if (t->kind == TEMP_FIXED) {
        if ((allowed & REGBIT(TCG_AREG0)) || __builtin_popcount(allowed) > 1) {
            return TCG_AREG0;
        }
        reg = reg_alloc(s, allowed, locked);
        tcg_out_mov(s, TCG_TYPE_I64, reg, TCG_AREG0);
        return reg;
    }
    switch (t->val_loc) {
    case TEMP_VAL_REG:
        if (allowed & REGBIT(t->reg)) {
            return t->reg;
        }
        reg = reg_alloc(s, allowed, locked | REGBIT(t->reg));
        tcg_out_mov(s, t->type, reg, t->reg);
        s->rs->reg_to_temp[t->reg] = NULL;
        s->rs->reg_to_temp[reg] = t;
        t->reg = reg;
        return reg;
    case TEMP_VAL_CONST:
        reg = reg_alloc(s, allowed, locked);
        tcg_out_movi(s, t->type, reg, t->val);
        return reg;
    case TEMP_VAL_MEM:
        reg = reg_alloc(s, allowed, locked);
        temp_mem(s, t, &base, &off);
        tcg_out_ld(s, t->type, reg, base, off);
        temp_map(s, t, reg);
        t->mem_coherent = true;
        return reg;
    default:
        /* read before any write: the value is undefined */
        reg = reg_alloc(s, allowed, locked);
        temp_map(s, t, reg);
        t->mem_coherent = false;
        return reg;
    }
}

static void sync_globals(TCGContext *s)
{
    for (int i = 0; i < s->nb_globals; i++) {
        temp_sync(s, &s->temps[i]);
    }
}

static void spill_globals(TCGContext *s)
{
    for (int i = 0; i < s->nb_globals; i++) {
        temp_spill(s, &s->temps[i]);
    }
}

/* Stores every value live at a block boundary; drop: also free registers. */
static void bb_end(TCGContext *s, const uint64_t *live, bool drop)
{
    for (int r = 0; r < TCG_NB_REGS; r++) {
        TCGTemp *t = s->rs->reg_to_temp[r];
        if (!t) {
            continue;
        }
        if (t->kind == TEMP_GLOBAL || tcg_bit_test(live, t->index)) {
            temp_sync(s, t);
            if (drop) {
                temp_spill(s, t);
            }
        } else if (drop) {
            temp_dead(s, t);
        }
    }
}

/* Entering a label: live values are in memory, the rest undefined. */
static void label_entry(TCGContext *s, const uint64_t *live)
{
    for (int i = s->nb_globals; i < s->nb_temps; i++) {
        TCGTemp *t = &s->temps[i];
        if (t->kind == TEMP_TB) {
            g_assert(t->val_loc != TEMP_VAL_REG);
            t->val_loc = tcg_bit_test(live, i) ? TEMP_VAL_MEM : TEMP_VAL_DEAD;
            t->mem_coherent = true;
        }
    }
}

static void free_dead_inputs(TCGContext *s, const TCGOp *op)
{
    for (int i = op->nb_oargs; i < op->nb_oargs + op->nb_iargs; i++) {
        if (op->life & TCG_LIFE_DEAD(i)) {
            temp_dead(s, arg_temp(op->args[i]));
        }
    }
}

static void free_dead_outputs(TCGContext *s, const TCGOp *op)
{
    for (int i = 0; i < op->nb_oargs; i++) {
        if (op->life & TCG_LIFE_DEAD(i)) {
            temp_dead(s, arg_temp(op->args[i]));
        }
    }
}

static bool const_fits(const TCGTemp *t)
{
    return t->type == TCG_TYPE_I32 || tcg_fits_imm32(t->val);
}

/* Gives output temp t a register from allowed (not in locked). */
static int alloc_output(TCGContext *s, TCGTemp *t, uint16_t allowed,
                        uint16_t locked, uint16_t prefer_not)
{
    temp_unmap(s, t);
    int reg;
    if (allowed & ~locked & ~prefer_not) {
        reg = reg_alloc(s, allowed, locked | prefer_not);
    } else {
        reg = reg_alloc(s, allowed, locked);
    }
    reg_spill(s, reg);
    temp_map(s, t, reg);
    t->mem_coherent = false;
    return reg;
}

/* A mov whose source dies here: the destination takes over the register. */
static bool alloc_mov_rename(TCGContext *s, const TCGOp *op)
{
    TCGTemp *d = arg_temp(op->args[0]), *a = arg_temp(op->args[1]);
    if (!(op->life & TCG_LIFE_DEAD(1)) || a->val_loc != TEMP_VAL_REG ||
        a->kind != TEMP_TB || d == a) {
        return false;
    }
    int reg = a->reg;
    temp_dead(s, a);
    temp_unmap(s, d);
    temp_map(s, d, reg);
    d->mem_coherent = false;
    free_dead_outputs(s, op);
    return true;
}

static void alloc_op(TCGContext *s, const TCGOp *op)
{
    TCGTargetOpCt ct;
    TCGArg args[TCG_MAX_OP_ARGS];
    bool cargs[TCG_MAX_OP_ARGS] = { false };
    const TCGOpDef *def = &tcg_op_defs[op->opc];
    int no = def->nb_oargs, ni = def->nb_iargs;
    uint16_t locked = 0, live_in = 0;

    if ((op->opc == INDEX_op_mov_i32 || op->opc == INDEX_op_mov_i64) &&
        alloc_mov_rename(s, op)) {
        return;
    }
    tcg_target_op_ct(op->opc, &ct);
    /* registers demanded by single-register inputs stay free for them */
    uint16_t reserved = 0;
    for (int i = no; i < no + ni; i++) {
        if (__builtin_popcount(ct.args[i].regs) == 1) {
            reserved |= ct.args[i].regs;
        }
    }
    for (int i = no; i < no + ni; i++) {
        TCGTemp *t = arg_temp(op->args[i]);
        bool mov_const = (op->opc == INDEX_op_mov_i32 || op->opc == INDEX_op_mov_i64);
        if (t->kind == TEMP_CONST &&
            (mov_const || ((ct.args[i].flags & CT_CONST) && const_fits(t)))) {
            cargs[i] = true;
            args[i] = t->val;
            continue;
        }
        uint16_t allowed = ct.args[i].regs;
        if (__builtin_popcount(allowed) > 1) {
            allowed &= ~reserved;
        }
        args[i] = temp_load(s, t, allowed, locked);
        locked |= REGBIT(args[i]);
        if (!(op->life & TCG_LIFE_DEAD(i)) && t->kind != TEMP_CONST) {
            live_in |= REGBIT(args[i]);
        }
    }
    memcpy(&args[no + ni], &op->args[no + ni], def->nb_cargs * sizeof(TCGArg));
    if (def->flags & TCG_OPF_CALL_CLOBBER) {
        sync_globals(s);
    }
    free_dead_inputs(s, op);
    for (int r = 0; r < TCG_NB_REGS; r++) {
        if (ct.clobber & REGBIT(r)) {
            reg_spill(s, r);
        }
    }
    uint16_t out_locked = 0;
    for (int i = 0; i < no; i++) {
        args[i] = alloc_output(s, arg_temp(op->args[i]), ct.args[i].regs,
                               out_locked, live_in);
        out_locked |= REGBIT(args[i]);
    }
    tcg_out_op(s, op->opc, args, cargs);
    free_dead_outputs(s, op);
}

static void alloc_call(TCGContext *s, const TCGOp *op)
{
    int no = op->nb_oargs, ni = op->nb_iargs;
    const TCGHelperInfo *info = (const TCGHelperInfo *)op->args[no + ni + 1];
    uint16_t locked = 0;
    for (int i = 0; i < ni; i++) {
        TCGTemp *t = arg_temp(op->args[no + i]);
        int want = tcg_call_arg_regs[i];
        if (t->kind == TEMP_CONST) {
            reg_spill(s, want);
            tcg_out_movi(s, t->type, want, t->val);
        } else {
            int r = temp_load(s, t, REGBIT(want), locked);
            g_assert(r == want);
        }
        locked |= REGBIT(want);
    }
    if (!(info->flags & TCG_CALL_NO_READ_GLOBALS)) {
        sync_globals(s);
    }
    if (!(info->flags & TCG_CALL_NO_WRITE_GLOBALS)) {
        spill_globals(s);
    }
    free_dead_inputs(s, op);
    for (int r = 0; r < TCG_NB_REGS; r++) {
        if (TCG_CALL_CLOBBERED & REGBIT(r)) {
            reg_spill(s, r);
        }
    }
    tcg_out_call(s, info->func);
    if (no) {
        TCGTemp *t = arg_temp(op->args[0]);
        temp_unmap(s, t);
        temp_map(s, t, TCG_REG_RAX);
        t->mem_coherent = false;
        if (t->type == TCG_TYPE_I32) {
            tcg_out_ext32u(s, TCG_REG_RAX, TCG_REG_RAX);
        }
        free_dead_outputs(s, op);
    }
}

static void alloc_brcond(TCGContext *s, const TCGOp *op, const uint64_t *live)
{
    TCGTemp *a = arg_temp(op->args[0]), *b = arg_temp(op->args[1]);
    TCGType type = op->opc == INDEX_op_brcond_i64 ? TCG_TYPE_I64 : TCG_TYPE_I32;
    int ra = temp_load(s, a, TCG_ALLOCATABLE | REGBIT(TCG_AREG0), 0);
    TCGArg rb;
    bool bc = b->kind == TEMP_CONST && const_fits(b);
    if (bc) {
        rb = b->val;
    } else {
        rb = temp_load(s, b, TCG_ALLOCATABLE | REGBIT(TCG_AREG0), REGBIT(ra));
    }
    free_dead_inputs(s, op);
    bb_end(s, live, false);
    tcg_out_brcond(s, type, op->args[2], ra, rb, bc, arg_label(op->args[3]));
}

static void alloc_exit(TCGContext *s, const TCGOp *op)
{
    if (op->opc == INDEX_op_goto_ptr) {
        int r = temp_load(s, arg_temp(op->args[0]), TCG_ALLOCATABLE, 0);
        sync_globals(s);
        tcg_out_goto_ptr(s, r);
    } else if (op->opc == INDEX_op_goto_tb) {
        sync_globals(s);
        tcg_out_goto_tb(s, s->tb, op->args[0]);
    } else {
        sync_globals(s);
        tcg_out_exit_tb(s, op->args[0]);
    }
}

static void regalloc_start(TCGContext *s, TCGRegState *rs)
{
    memset(rs, 0, sizeof(*rs));
    s->rs = rs;
    g_array_set_size(s->slow_paths, 0);
    for (int i = 0; i < s->nb_temps; i++) {
        TCGTemp *t = &s->temps[i];
        t->reg = -1;
        t->mem_coherent = true;
        switch (t->kind) {
        case TEMP_FIXED: t->val_loc = TEMP_VAL_REG; t->reg = TCG_AREG0; break;
        case TEMP_GLOBAL: t->val_loc = TEMP_VAL_MEM; break;
        case TEMP_CONST: t->val_loc = TEMP_VAL_CONST; break;
        default: t->val_loc = TEMP_VAL_DEAD; break;
        }
    }
}

/* Generates code for one op (insn_start records its code offset). */
static void gen_one(TCGContext *s, int i, int *insn)
{
    const TCGOp *op = &s->ops[i];
    switch (op->opc) {
    case INDEX_op_nop:
        break;
    case INDEX_op_insn_start:
        s->insn_off[*insn] = s->code_ptr - s->code_buf;
        s->insn_data[*insn][0] = op->args[0];
        s->insn_data[*insn][1] = op->args[1];
        (*insn)++;
        break;
    case INDEX_op_discard:
        temp_dead(s, arg_temp(op->args[0]));
        break;
    case INDEX_op_set_label:
        bb_end(s, tcg_liveness_out(s, i), true);
        tcg_out_label(s, arg_label(op->args[0]));
        label_entry(s, tcg_liveness_out(s, i));
        break;
    case INDEX_op_br:
        bb_end(s, tcg_liveness_out(s, i), true);
        tcg_out_br(s, arg_label(op->args[0]));
        break;
    case INDEX_op_brcond_i32:
    case INDEX_op_brcond_i64:
        alloc_brcond(s, op, tcg_liveness_out(s, i));
        break;
    case INDEX_op_exit_tb:
    case INDEX_op_goto_tb:
    case INDEX_op_goto_ptr:
        alloc_exit(s, op);
        break;
    case INDEX_op_call:
        alloc_call(s, op);
        break;
    default:
        alloc_op(s, op);
        break;
    }
}

int tcg_jit_gen_code(TCGContext *s, TranslationBlock *tb)
{
    TCGRegState rs;
    int insn = 0;
    s->code_ptr = (uint8_t *)(((uintptr_t)s->code_ptr + 15) & ~(uintptr_t)15);
    s->code_buf = s->code_ptr;
    tb->tc_ptr = (void *)tcg_rw_to_rx(s->code_buf);
    regalloc_start(s, &rs);
    for (int i = 0; i < s->nb_ops; i++) {
        if (s->code_ptr + 1024 > s->code_end) {
            return -1;
        }
        gen_one(s, i, &insn);
    }
    if (!tcg_out_slow_paths(s)) {
        return -1;
    }
    for (int l = 0; l < s->nb_labels; l++) {
        g_assert(!s->labels[l].relocs->len);   /* a branch to an unset label */
    }
    s->nb_insns = insn;
    s->rs = NULL;
    return s->code_ptr - s->code_buf;
}
