/*
 * insn-seq.c: operations on generated x86 instruction sequences for the
 * differential fuzzer (interface in insn-gen.h, which the generator in
 * insn-gen.c shares): the forward analysis of which arithmetic flags may be
 * undefined where, assembly with branch displacements, the capstone
 * cross-check, printing, and the minimiser.
 */
#include "insn-gen.h"
#include <capstone/capstone.h>

static uint32_t flags_step(const InsnUnit *u, uint32_t undef)
{
    return (undef & ~(uint32_t)u->flags_def) | u->flags_undef;
}

/* undef[i]: flags possibly undefined on entry to unit i (undef[count]: at
 * the end), joining the states of every forward branch to i. */
static void analyse(const InsnSeq *seq, uint32_t *undef)
{
    uint32_t pending[INSN_SEQ_MAX_UNITS + 1] = { 0 };
    uint32_t cur = 0;

    for (size_t i = 0; i < seq->count; i++) {
        const InsnUnit *u = &seq->units[i];

        cur |= pending[i];
        undef[i] = cur;
        if (u->branch) {
            pending[MIN(u->target, seq->count)] |= cur;
        }
        cur = flags_step(u, cur);
    }
    undef[seq->count] = cur | pending[seq->count];
}

ssize_t insn_seq_first_undefined_read(const InsnSeq *seq)
{
    uint32_t undef[INSN_SEQ_MAX_UNITS + 1];

    analyse(seq, undef);
    for (size_t i = 0; i < seq->count; i++) {
        if (seq->units[i].flags_read & undef[i]) {
            return (ssize_t)i;
        }
    }
    return -1;
}

bool insn_seq_reads_undefined(const InsnSeq *seq)
{
    return insn_seq_first_undefined_read(seq) >= 0;
}

void insn_seq_remove(InsnSeq *seq, size_t i)
{
    g_assert(i < seq->count);
    memmove(&seq->units[i], &seq->units[i + 1],
            (seq->count - i - 1) * sizeof(InsnUnit));
    seq->count--;
    for (size_t k = 0; k < seq->count; k++) {
        InsnUnit *u = &seq->units[k];

        if (u->branch && u->target > i) {
            u->target--;
        }
    }
}

size_t insn_seq_assemble(const InsnSeq *seq, uint8_t *buf, size_t cap,
                         uint32_t *unit_off)
{
    uint32_t off[INSN_SEQ_MAX_UNITS + 1];
    size_t pos = 0;

    for (size_t i = 0; i < seq->count; i++) {
        off[i] = (uint32_t)pos;
        pos += seq->units[i].len;
    }
    off[seq->count] = (uint32_t)pos;
    if (pos > cap) {
        return 0;
    }
    for (size_t i = 0; i < seq->count; i++) {
        const InsnUnit *u = &seq->units[i];

        memcpy(buf + off[i], u->bytes, u->len);
        if (u->branch) {
            int32_t rel = (int32_t)off[MIN(u->target, seq->count)] -
                          (int32_t)(off[i] + u->len);

            if (rel > 127) {
                rel = 0;        /* too far after edits: fall through */
            }
            buf[off[i] + u->len - 1] = (uint8_t)rel;
        }
    }
    if (unit_off) {
        memcpy(unit_off, off, (seq->count + 1) * sizeof(uint32_t));
    }
    return pos;
}

uint32_t insn_gen_defined_flags_mask(const InsnSeq *seq, uint32_t offset)
{
    uint32_t undef[INSN_SEQ_MAX_UNITS + 1];
    uint32_t pos = 0;
    size_t i;

    analyse(seq, undef);
    for (i = 0; i < seq->count; i++) {
        if (offset < pos + seq->units[i].len) {
            break;
        }
        pos += seq->units[i].len;
    }
    return NATIVE_FLAGS_MASK & ~undef[i];
}

/* ---- capstone ---- */

static bool cs_open_mode(NativeMode mode, csh *h)
{
    cs_mode m = mode == NATIVE_MODE_64 ? CS_MODE_64 :
                mode == NATIVE_MODE_32 ? CS_MODE_32 : CS_MODE_16;

    return cs_open(CS_ARCH_X86, m, h) == CS_ERR_OK;
}

/* Capstone 4 does not decode POPCNT (F3 0F B8) in 16-bit mode; its
 * length there is [66] F3 0F B8, ModRM and a 16-bit-address displacement.
 * Returns that length if p starts with one, else 0. */
static size_t capstone_gap_len(NativeMode mode, const uint8_t *p, size_t n)
{
    size_t i = (n > 0 && p[0] == 0x66) ? 1 : 0;
    int mod, rm;

    if (mode != NATIVE_MODE_16 || n < i + 4 || p[i] != 0xf3 ||
        p[i + 1] != 0x0f || p[i + 2] != 0xb8) {
        return 0;
    }
    mod = p[i + 3] >> 6;
    rm = p[i + 3] & 7;
    i += 4;
    if (mod == 1) {
        i += 1;
    } else if (mod == 2 || (mod == 0 && rm == 6)) {
        i += 2;
    }
    return i <= n ? i : 0;
}

bool insn_seq_check_capstone(const InsnSeq *seq, GString *err)
{
    uint8_t buf[INSN_SEQ_MAX_UNITS * INSN_UNIT_MAX_BYTES];
    uint32_t off[INSN_SEQ_MAX_UNITS + 1];
    size_t len = insn_seq_assemble(seq, buf, sizeof(buf), off);
    size_t pos = 0;
    bool ok = true;
    csh h;

    if (!cs_open_mode(seq->mode, &h)) {
        g_string_append(err, "capstone: cs_open failed\n");
        return false;
    }
    for (size_t i = 0; i < seq->count && ok; i++) {
        for (int k = 0; k < seq->units[i].n_insns; k++) {
            cs_insn *insn;
            size_t n = cs_disasm(h, buf + pos, len - pos, pos, 1, &insn);

            if (n != 1 && capstone_gap_len(seq->mode, buf + pos,
                                           len - pos)) {
                pos += capstone_gap_len(seq->mode, buf + pos, len - pos);
                continue;
            }
            if (n != 1) {
                g_string_append_printf(err, "unit %zu (%s): capstone cannot"
                                       " decode at +%zu\n", i,
                                       seq->units[i].what, pos);
                ok = false;
                break;
            }
            pos += insn->size;
            cs_free(insn, n);
        }
        if (ok && pos != off[i + 1]) {
            g_string_append_printf(err, "unit %zu (%s): capstone ends its %d"
                                   " instructions at +%zu, the unit at +%u\n",
                                   i, seq->units[i].what,
                                   seq->units[i].n_insns, pos, off[i + 1]);
            ok = false;
        }
    }
    cs_close(&h);
    return ok;
}

void insn_seq_format(const InsnSeq *seq, GString *out)
{
    uint8_t buf[INSN_SEQ_MAX_UNITS * INSN_UNIT_MAX_BYTES];
    uint32_t off[INSN_SEQ_MAX_UNITS + 1];
    size_t len = insn_seq_assemble(seq, buf, sizeof(buf), off);
    csh h;
    bool have_cs = cs_open_mode(seq->mode, &h);

    g_string_append_printf(out, "%d-bit, %zu units, %zu bytes:", seq->mode,
                           seq->count, len);
    for (size_t i = 0; i < len; i++) {
        g_string_append_printf(out, " %02x", buf[i]);
    }
    g_string_append_c(out, '\n');
    for (size_t i = 0; i < seq->count && have_cs; i++) {
        cs_insn *insn;
        size_t n = cs_disasm(h, buf + off[i], off[i + 1] - off[i], off[i], 0,
                             &insn);

        for (size_t k = 0; k < n; k++) {
            g_string_append_printf(out, "  %04" PRIx64 "  %-8s %s\n",
                                   insn[k].address, insn[k].mnemonic,
                                   insn[k].op_str);
        }
        cs_free(insn, n);
    }
    if (have_cs) {
        cs_close(&h);
    }
    for (int r = 0; r < native_nregs(seq->mode); r++) {
        g_string_append_printf(out, "%sr%d=%#" PRIx64, r ? " " : "  init ",
                               r, seq->init.regs[r]);
    }
    g_string_append_printf(out, " flags=%#" PRIx64 "\n", seq->init.rflags);
}

/* ---- minimiser ---- */

static bool try_candidate(InsnSeq *seq, InsnSeq *cand,
                          InsnSeqPredicate still_fails, void *opaque)
{
    if (insn_seq_reads_undefined(cand) || !still_fails(cand, opaque)) {
        return false;
    }
    *seq = *cand;
    return true;
}

size_t insn_seq_minimise(InsnSeq *seq, InsnSeqPredicate still_fails,
                         void *opaque)
{
    InsnSeq *cand = g_new(InsnSeq, 1);
    int base = insn_gen_base_reg(seq->mode);
    bool changed = true;

    while (changed) {
        changed = false;
        for (size_t i = seq->count; i-- > 0;) {
            *cand = *seq;
            insn_seq_remove(cand, i);
            changed |= try_candidate(seq, cand, still_fails, opaque);
        }
    }
    for (int r = 0; r < native_nregs(seq->mode); r++) {
        if (r != base && r != NATIVE_RSP && seq->init.regs[r]) {
            *cand = *seq;
            cand->init.regs[r] = 0;
            try_candidate(seq, cand, still_fails, opaque);
        }
    }
    *cand = *seq;
    cand->init.rflags = 0;
    try_candidate(seq, cand, still_fails, opaque);
    *cand = *seq;
    memset(cand->init.scratch, 0, sizeof(cand->init.scratch));
    try_candidate(seq, cand, still_fails, opaque);
    g_free(cand);
    return seq->count;
}
