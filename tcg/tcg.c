/*
 * tcg.c: the TCG context: op definitions, temps (globals, per-block temps,
 * constants), labels, the op buffer that the tcg_gen_* builders fill, and
 * the stable text dump used by -d op / -d op_opt and by the tests.
 * Compilation of the ops (tcg_gen_code) lives in tcg-gen.c.
 */
#include "vireo/common.h"
#include <stdio.h>
#include "vireo/error.h"
#include "vireo/log.h"
#include "tcg/tcg.h"
#include "tcg/tb.h"
#include "tcg-internal.h"

__thread TCGContext *tcg_ctx;
__thread TCGv_ptr tcg_env;

const TCGOpDef tcg_op_defs[NB_OPS] = {
#define DEF(n, o, i, c, f) \
    [INDEX_op_##n] = { #n, o, i, c, (o) + (i) + (c), f },
#include "tcg/tcg-opc.h"
#undef DEF
};

static const char *const cond_names[TCG_COND_COUNT] = {
    [TCG_COND_NEVER] = "never", [TCG_COND_ALWAYS] = "always",
    [TCG_COND_EQ] = "eq", [TCG_COND_NE] = "ne",
    [TCG_COND_LT] = "lt", [TCG_COND_GE] = "ge",
    [TCG_COND_LE] = "le", [TCG_COND_GT] = "gt",
    [TCG_COND_LTU] = "ltu", [TCG_COND_GEU] = "geu",
    [TCG_COND_LEU] = "leu", [TCG_COND_GTU] = "gtu",
};

const char *tcg_cond_name(TCGCond c)
{
    return (unsigned)c < TCG_COND_COUNT ? cond_names[c] : "?";
}

static TCGTemp *tcg_temp_alloc(TCGContext *s)
{
    g_assert(s->nb_temps < TCG_MAX_TEMPS);
    TCGTemp *t = &s->temps[s->nb_temps];
    memset(t, 0, sizeof(*t));
    t->index = s->nb_temps++;
    t->reg = -1;
    return t;
}

static TCGTemp *tcg_global_alloc(TCGContext *s, TCGType type, TCGTempKind kind,
                                 intptr_t offset, const char *name)
{
    g_assert(s->nb_temps == s->nb_globals);
    TCGTemp *t = tcg_temp_alloc(s);
    t->type = type;
    t->kind = kind;
    t->mem_offset = offset;
    t->name = name;
    s->nb_globals++;
    return t;
}

TCGContext *tcg_context_new(const TCGTargetConfig *cfg, TCGBackend backend)
{
    TCGContext *s = g_new0(TCGContext, 1);
    s->cfg = *cfg;
    s->backend = backend;
    s->optimize = true;
    for (int i = 0; i < 2; i++) {
        s->const_table[i] = g_hash_table_new(g_int64_hash, g_int64_equal);
    }
    for (int i = 0; i < TCG_MAX_LABELS; i++) {
        s->labels[i].relocs = g_array_new(false, false, sizeof(uint32_t));
    }
    s->slow_paths = g_array_new(false, false, sizeof(TCGSlowPath));
    tcg_ctx = s;
    TCGTemp *env = tcg_global_alloc(s, TCG_TYPE_I64, TEMP_FIXED, 0, "env");
    tcg_env = temp_tcgv_i64(env);
    tcg_func_start(s);
    return s;
}

void tcg_context_free(TCGContext *s)
{
    if (!s) {
        return;
    }
    for (int i = 0; i < 2; i++) {
        g_hash_table_destroy(s->const_table[i]);
    }
    for (int i = 0; i < TCG_MAX_LABELS; i++) {
        g_array_free(s->labels[i].relocs, true);
    }
    g_array_free(s->slow_paths, true);
    tcg_liveness_free(s);
    if (tcg_ctx == s) {
        tcg_ctx = NULL;
        tcg_env = NULL;
    }
    g_free(s);
}

void tcg_set_backend(TCGContext *s, TCGBackend backend)
{
    g_assert(backend == TCG_BACKEND_INTERP || tcg_jit_available());
    s->backend = backend;
}

void tcg_set_optimize(TCGContext *s, bool on)
{
    s->optimize = on;
}

bool tcg_jit_available(void)
{
#ifdef CONFIG_TCG_JIT_X86_64
    return true;
#else
    return false;
#endif
}

int tcg_backend_parse(const char *name, TCGBackend *out, GError **errp)
{
    if (!strcmp(name, "interp")) {
        *out = TCG_BACKEND_INTERP;
        return 0;
    }
    if (!strcmp(name, "jit") && tcg_jit_available()) {
        *out = TCG_BACKEND_JIT;
        return 0;
    }
    g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "tcg backend '%s' is not available (use jit or interp)", name);
    return -1;
}

TCGv_i32 tcg_global_mem_new_i32(intptr_t offset, const char *name)
{
    return temp_tcgv_i32(tcg_global_alloc(tcg_ctx, TCG_TYPE_I32, TEMP_GLOBAL,
                                          offset, name));
}

TCGv_i64 tcg_global_mem_new_i64(intptr_t offset, const char *name)
{
    return temp_tcgv_i64(tcg_global_alloc(tcg_ctx, TCG_TYPE_I64, TEMP_GLOBAL,
                                          offset, name));
}

void tcg_func_start(TCGContext *s)
{
    s->nb_temps = s->nb_globals;
    for (int i = 0; i < 2; i++) {
        g_hash_table_remove_all(s->const_table[i]);
    }
    s->nb_ops = 0;
    s->nb_labels = 0;
    s->nb_insns = 0;
    s->exit_label = NULL;
}

static TCGTemp *tcg_temp_new_internal(TCGType type)
{
    TCGContext *s = tcg_ctx;
    for (int i = s->nb_globals; i < s->nb_temps; i++) {
        TCGTemp *t = &s->temps[i];
        if (t->kind == TEMP_TB && !t->allocated && t->type == type) {
            t->allocated = true;
            return t;
        }
    }
    TCGTemp *t = tcg_temp_alloc(s);
    t->type = type;
    t->kind = TEMP_TB;
    t->allocated = true;
    return t;
}

TCGv_i32 tcg_temp_new_i32(void)
{
    return temp_tcgv_i32(tcg_temp_new_internal(TCG_TYPE_I32));
}

TCGv_i64 tcg_temp_new_i64(void)
{
    return temp_tcgv_i64(tcg_temp_new_internal(TCG_TYPE_I64));
}

void tcg_temp_free_i32(TCGv_i32 v)
{
    TCGTemp *t = tcgv_i32_temp(v);
    g_assert(t->kind == TEMP_TB && t->allocated);
    t->allocated = false;
}

void tcg_temp_free_i64(TCGv_i64 v)
{
    TCGTemp *t = tcgv_i64_temp(v);
    g_assert(t->kind == TEMP_TB && t->allocated);
    t->allocated = false;
}

TCGTemp *tcg_constant_internal(TCGType type, int64_t val)
{
    TCGContext *s = tcg_ctx;
    if (type == TCG_TYPE_I32) {
        val = (int32_t)val;
    }
    gpointer found = g_hash_table_lookup(s->const_table[type], &val);
    if (found) {
        return &s->temps[GPOINTER_TO_INT(found) - 1];
    }
    TCGTemp *t = tcg_temp_alloc(s);
    t->type = type;
    t->kind = TEMP_CONST;
    t->val = val;
    g_hash_table_insert(s->const_table[type], &t->val,
                        GINT_TO_POINTER(t->index + 1));
    return t;
}

TCGv_i32 tcg_constant_i32(int32_t val)
{
    return temp_tcgv_i32(tcg_constant_internal(TCG_TYPE_I32, val));
}

TCGv_i64 tcg_constant_i64(int64_t val)
{
    return temp_tcgv_i64(tcg_constant_internal(TCG_TYPE_I64, val));
}

TCGLabel *gen_new_label(void)
{
    TCGContext *s = tcg_ctx;
    g_assert(s->nb_labels < TCG_MAX_LABELS);
    TCGLabel *l = &s->labels[s->nb_labels];
    l->id = s->nb_labels++;
    l->present = false;
    l->has_value = false;
    l->value = 0;
    g_array_set_size(l->relocs, 0);
    return l;
}

/* The type op expects for temp argument i (outputs first). */
static TCGType op_arg_type(TCGOpcode opc, int i)
{
    const TCGOpDef *def = &tcg_op_defs[opc];
    bool is_out = i < def->nb_oargs;
    bool is_pointer = false;
    switch (opc) {
    case INDEX_op_ext_i32_i64: case INDEX_op_extu_i32_i64:
        return is_out ? TCG_TYPE_I64 : TCG_TYPE_I32;
    case INDEX_op_extrl_i64_i32: case INDEX_op_extrh_i64_i32:
        return is_out ? TCG_TYPE_I32 : TCG_TYPE_I64;
    case INDEX_op_qemu_ld_i32: case INDEX_op_qemu_ld_i64:
    case INDEX_op_goto_ptr:
        is_pointer = i == def->nb_oargs;
        break;
    case INDEX_op_qemu_st_i32: case INDEX_op_qemu_st_i64:
        is_pointer = i == 1;
        break;
    default:
        /* ld*: r, base; st*: val, base */
        if (!strncmp(def->name, "ld", 2) || !strncmp(def->name, "st", 2)) {
            is_pointer = i == 1;
        }
        break;
    }
    if (is_pointer) {
        return TCG_TYPE_I64;
    }
    return def->flags & TCG_OPF_64BIT ? TCG_TYPE_I64 : TCG_TYPE_I32;
}

/* Programmer-bug checks: writable outputs, operand types. */
static void check_op_args(TCGContext *s, const TCGOp *op)
{
    const TCGOpDef *def = &tcg_op_defs[op->opc];
    if (op->opc == INDEX_op_call || op->opc == INDEX_op_discard ||
        (def->flags & TCG_OPF_NOT_PRESENT)) {
        return;
    }
    for (int i = 0; i < def->nb_oargs + def->nb_iargs; i++) {
        g_assert(op->args[i] < (TCGArg)s->nb_temps);
        TCGTemp *t = &s->temps[op->args[i]];
        g_assert(i >= def->nb_oargs || t->kind == TEMP_TB || t->kind == TEMP_GLOBAL);
        g_assert(t->type == op_arg_type(op->opc, i));
    }
}

TCGOp *tcg_emit_op(TCGOpcode opc, int nargs, const TCGArg *args)
{
    TCGContext *s = tcg_ctx;
    g_assert(s->nb_ops < TCG_MAX_OPS);
    g_assert(nargs <= TCG_MAX_OP_ARGS);
    TCGOp *op = &s->ops[s->nb_ops++];
    memset(op, 0, sizeof(*op));
    op->opc = opc;
    op->nb_oargs = tcg_op_defs[opc].nb_oargs;
    op->nb_iargs = tcg_op_defs[opc].nb_iargs;
    memcpy(op->args, args, nargs * sizeof(TCGArg));
    check_op_args(s, op);
    return op;
}

bool tcg_op_buf_full(void)
{
    return tcg_ctx->nb_ops >= TCG_MAX_OPS - 64 ||
           tcg_ctx->nb_temps >= TCG_MAX_TEMPS - 32 ||
           tcg_ctx->nb_labels >= TCG_MAX_LABELS - 8 ||
           tcg_ctx->nb_insns >= TCG_MAX_INSNS - 1;
}

/* Text form of a temp: global name, tmpN, or $0xVAL for constants. */
static void temp_name(TCGContext *s, GString *out, TCGArg a)
{
    TCGTemp *t = &s->temps[a];
    switch (t->kind) {
    case TEMP_GLOBAL:
    case TEMP_FIXED:
        g_string_append(out, t->name);
        break;
    case TEMP_CONST:
        if (t->type == TCG_TYPE_I32) {
            g_string_append_printf(out, "$0x%" PRIx32, (uint32_t)t->val);
        } else {
            g_string_append_printf(out, "$0x%" PRIx64, (uint64_t)t->val);
        }
        break;
    default:
        g_string_append_printf(out, "tmp%d", t->index - s->nb_globals);
        break;
    }
}

static const char *const memop_names[8] = {
    "ub", "uw", "ul", "uq", "sb", "sw", "sl", "sq",
};

/* The constant arguments of op, already preceded by its temps. */
static void dump_cargs(TCGContext *s, GString *out, const TCGOp *op, int first,
                       int nc, bool sep)
{
    const TCGArg *c = &op->args[first];
    const char *comma = sep ? ", " : "";
    switch (op->opc) {
    case INDEX_op_set_label:
    case INDEX_op_br:
        g_string_append_printf(out, "%s$L%d", comma, (int)c[0]);
        return;
    case INDEX_op_brcond_i32:
    case INDEX_op_brcond_i64:
        g_string_append_printf(out, "%s%s, $L%d", comma,
                               tcg_cond_name(c[0]), (int)c[1]);
        return;
    case INDEX_op_setcond_i32:
    case INDEX_op_setcond_i64:
    case INDEX_op_movcond_i32:
    case INDEX_op_movcond_i64:
        g_string_append_printf(out, "%s%s", comma, tcg_cond_name(c[0]));
        return;
    case INDEX_op_qemu_ld_i32:
    case INDEX_op_qemu_st_i32:
    case INDEX_op_qemu_ld_i64:
    case INDEX_op_qemu_st_i64:
        g_string_append_printf(out, "%s%s, %u", comma,
                               memop_names[get_memop(c[0]) & 7],
                               get_mmuidx(c[0]));
        return;
    case INDEX_op_insn_start:
        for (int i = 0; i < nc; i++) {
            g_string_append_printf(out, " 0x%" PRIx64, (uint64_t)c[i]);
        }
        return;
    default:
        for (int i = 0; i < nc; i++) {
            if (sep || i) {
                g_string_append(out, ", ");
            }
            g_string_append_printf(out, "$0x%" PRIxPTR, c[i]);
        }
        return;
    }
}

static void dump_call(TCGContext *s, GString *out, const TCGOp *op)
{
    const TCGHelperInfo *info = (const TCGHelperInfo *)op->args[op->nb_oargs +
                                                                op->nb_iargs + 1];
    g_string_append_printf(out, "call %s, $0x%x, $%d", info->name,
                           info->flags, op->nb_oargs);
    for (int i = 0; i < op->nb_oargs + op->nb_iargs; i++) {
        g_string_append(out, ", ");
        temp_name(s, out, op->args[i]);
    }
}

/* One op in text form, without newline. */
void tcg_dump_op(TCGContext *s, GString *out, const TCGOp *op)
{
    const TCGOpDef *def = &tcg_op_defs[op->opc];
    if (op->opc == INDEX_op_call) {
        dump_call(s, out, op);
        return;
    }
    if (op->opc == INDEX_op_insn_start) {
        g_string_append(out, "----");
    } else {
        g_string_append_printf(out, "%s ", def->name);
    }
    int nt = def->nb_oargs + def->nb_iargs;
    for (int i = 0; i < nt; i++) {
        if (i) {
            g_string_append(out, ", ");
        }
        temp_name(s, out, op->args[i]);
    }
    dump_cargs(s, out, op, nt, def->nb_cargs, nt > 0);
}

char *tcg_dump_ops_str(TCGContext *s)
{
    GString *out = g_string_new(NULL);
    for (int i = 0; i < s->nb_ops; i++) {
        const TCGOp *op = &s->ops[i];
        if (op->opc == INDEX_op_nop) {
            continue;
        }
        g_string_append_c(out, ' ');
        tcg_dump_op(s, out, op);
        while (out->len && out->str[out->len - 1] == ' ') {
            g_string_truncate(out, out->len - 1);
        }
        g_string_append_c(out, '\n');
    }
    return g_string_free(out, false);
}

void tcg_dump_ops(TCGContext *s, FILE *out)
{
    char *str = tcg_dump_ops_str(s);
    fputs(str, out);
    g_free(str);
}

static void log_ops(TCGContext *s, TranslationBlock *tb, const char *what)
{
    FILE *f = log_lock();
    fprintf(f, "%s: pc=0x%" PRIx64 "\n", what, tb->pc);
    tcg_dump_ops(s, f);
    fputc('\n', f);
    log_unlock();
}

/* Copies the insn_start offsets and data into the block for search pc. */
static void tb_record_insns(TCGContext *s, TranslationBlock *tb)
{
    g_free(tb->insn_off);
    g_free(tb->insn_data);
    tb->n_insns = s->nb_insns;
    tb->insn_off = g_memdup2(s->insn_off, sizeof(uint32_t) * s->nb_insns);
    tb->insn_data = g_memdup2(s->insn_data, sizeof(s->insn_data[0]) * s->nb_insns);
}

/* Ops that do work (not removed, not insn_start markers), for statistics. */
static int count_real_ops(TCGContext *s)
{
    int n = 0;
    for (int i = 0; i < s->nb_ops; i++) {
        n += s->ops[i].opc != INDEX_op_nop && s->ops[i].opc != INDEX_op_insn_start;
    }
    return n;
}

int tcg_gen_code(TCGContext *s, TranslationBlock *tb)
{
    bool logged = log_in_filter(tb->pc);
    s->stat_ops_before = count_real_ops(s);
    if (log_enabled(LOG_OP) && logged) {
        log_ops(s, tb, "OP");
    }
    if (s->optimize) {
        tcg_optimize(s);
    }
    tcg_liveness_analysis(s);
    s->stat_ops_after = count_real_ops(s);
    if (log_enabled(LOG_OP_OPT) && logged) {
        log_ops(s, tb, "OP after optimization and liveness analysis");
    }
    s->tb = tb;
    s->code_buf = tcg_code.rw + tcg_code.used;
    s->code_ptr = s->code_buf;
    s->code_end = tcg_code.rw + tcg_code.size;
    int n = s->backend == TCG_BACKEND_JIT ? tcg_jit_gen_code(s, tb)
                                          : tcg_interp_gen_code(s, tb);
    if (n < 0) {
        return -1;
    }
    tb->tc_size = n;
    tb_record_insns(s, tb);
    tcg_code.used = (s->code_ptr - tcg_code.rw + 15) & ~(size_t)15;
    if (tcg_code.used > tcg_code.size) {
        tcg_code.used = tcg_code.size;
    }
    if (log_enabled(LOG_OUT_ASM) && logged && s->backend == TCG_BACKEND_JIT) {
        tcg_log_disas(tb->tc_ptr, n);
    }
    return n;
}
