/*
 * insn-gen.h: the generator half of the x86 differential fuzzer. It builds
 * random, deterministic (per seed) sequences of user-level integer
 * instructions for 16-, 32- or 64-bit code together with a random initial
 * state, tracks which arithmetic flags the SDM leaves undefined along the
 * way (so a comparison can mask them), assembles the sequence to bytes,
 * cross-checks it against capstone and minimises a failing sequence to a
 * short reproducer. insn-gen.c generates, insn-seq.c does the rest. The
 * executor side is native-exec.h; the design is in docs/x86-fuzzer.md.
 *
 * A sequence is a list of units. A unit is one instruction under test,
 * sometimes with a few flag-neutral set-up instructions in front (MOV CL
 * for a shift count, MOV ESI/EDI/ECX for a string instruction, a divisor
 * that avoids or provokes #DE), so that dropping a unit in the minimiser
 * never leaves set-up without its user. Branches are forward rel8 jumps to
 * a later unit boundary and are re-encoded whenever the list changes.
 */
#ifndef VIREO_TESTS_INSN_GEN_H
#define VIREO_TESTS_INSN_GEN_H

#include "native-exec.h"

/* Optional instructions the guest model may or may not advertise. */
#define INSN_FEAT_POPCNT  (1u << 0)   /* CPUID.01H:ECX.POPCNT */
#define INSN_FEAT_TZCNT   (1u << 1)   /* CPUID.07H:EBX.BMI1 */
#define INSN_FEAT_LZCNT   (1u << 2)   /* CPUID.80000001H:ECX.ABM/LZCNT */
#define INSN_FEAT_LAHF64  (1u << 3)   /* CPUID.80000001H:ECX.LAHF-SAHF */
#define INSN_FEAT_SSSE3   (1u << 4)   /* CPUID.01H:ECX.SSSE3 */
#define INSN_FEAT_SSE41   (1u << 5)   /* CPUID.01H:ECX.SSE4_1 */
#define INSN_FEAT_SSE42   (1u << 6)   /* CPUID.01H:ECX.SSE4_2 */

#define INSN_SEQ_MAX_UNITS 64
#define INSN_UNIT_MAX_BYTES 80        /* SSE units with MXCSR set-up are long */

typedef struct InsnUnit {
    uint8_t bytes[INSN_UNIT_MAX_BYTES];
    uint8_t len;
    uint8_t n_insns;          /* machine instructions in bytes[] */
    bool branch;              /* ends in a rel8 branch (last byte = rel8) */
    uint16_t target;          /* branch target: a later unit index, or
                                 InsnSeq.count for the end of the code */
    uint16_t flags_read;      /* arithmetic flags the unit reads */
    uint16_t flags_def;       /* ... writes with a defined value */
    uint16_t flags_undef;     /* ... leaves undefined (SDM) */
    const char *what;         /* family name, for reports */
} InsnUnit;

typedef struct InsnSeq {
    NativeMode mode;
    size_t count;
    InsnUnit units[INSN_SEQ_MAX_UNITS];
    NativeState init;         /* regs, rflags and scratch to start from */
} InsnSeq;

/* The feature bits of the host CPU (via CPUID). */
uint32_t insn_gen_host_features(void);

/* The register the generator keeps pointing at the scratch page (never
 * written by a generated instruction) in mode. */
int insn_gen_base_reg(NativeMode mode);

/* Fill seq with n_units (<= INSN_SEQ_MAX_UNITS; a few more units may be
 * added to define flags before a reader) random units for mode using only
 * the optional instructions in features, and a random initial state; the
 * same (mode, features, seed, n_units) always gives the same sequence. */
void insn_gen_sequence(InsnSeq *seq, NativeMode mode, uint32_t features,
                       uint64_t seed, size_t n_units);

/* Like insn_gen_sequence, but every unit (besides flag definers) is an
 * SSE4.2 instruction: PCMPxSTRx with a random imm8, strings with embedded
 * zeros and random EAX/EDX lengths, CRC32 of every operand size,
 * PCMPGTQ. Their XMM results are stored to the scratch page, so the
 * comparison of memory covers XMM0 and the destination registers. */
void insn_gen_sse42_sequence(InsnSeq *seq, NativeMode mode, uint64_t seed,
                             size_t n_units);

/* Encode seq into buf (cap bytes); unit_off, if not NULL, receives the
 * byte offset of each unit and, at [count], the total. Returns the length,
 * or 0 if it does not fit. */
size_t insn_seq_assemble(const InsnSeq *seq, uint8_t *buf, size_t cap,
                         uint32_t *unit_off);

/* The EFLAGS bits (within NATIVE_FLAGS_MASK) whose value is architecturally
 * defined when execution reaches byte offset `offset` of the assembled
 * sequence (the faulting instruction's unit, or the end for offset >= its
 * length), over every path the forward branches allow. */
uint32_t insn_gen_defined_flags_mask(const InsnSeq *seq, uint32_t offset);

/* True if some unit reads a flag that may be undefined when it runs (the
 * generator never produces such a sequence; the minimiser refuses one). */
bool insn_seq_reads_undefined(const InsnSeq *seq);

/* Index of the first unit that may read an undefined flag, or -1. */
ssize_t insn_seq_first_undefined_read(const InsnSeq *seq);

/* Remove unit i, retargeting branches. */
void insn_seq_remove(InsnSeq *seq, size_t i);

/* True if capstone decodes the assembled seq into exactly its machine
 * instructions, on the unit boundaries; else false with a reason in err. */
bool insn_seq_check_capstone(const InsnSeq *seq, GString *err);

/* Append hex bytes and capstone disassembly of seq, one unit a line. */
void insn_seq_format(const InsnSeq *seq, GString *out);

typedef bool (*InsnSeqPredicate)(const InsnSeq *seq, void *opaque);

/* Shrink seq while still_fails(seq) stays true: drop units one at a time,
 * then zero registers, flags and scratch bytes where possible. Returns the
 * number of units left. still_fails must be true for seq on entry. */
size_t insn_seq_minimise(InsnSeq *seq, InsnSeqPredicate still_fails,
                         void *opaque);

#endif
