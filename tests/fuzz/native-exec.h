/*
 * native-exec.h: the native half of the x86 differential fuzzer. It runs a
 * snippet of x86 machine code directly on the host CPU in 64-bit mode, in
 * 32-bit compatibility mode (a flat 32-bit code segment) or in 16-bit
 * protected mode (code, data and stack segments in the LDT, set up with
 * modify_ldt),
 * starting from a given register/flags/scratch-memory state, and returns the
 * final state or the exception the snippet raised. vireo's TCG plugs in
 * beside it with the same signature (see docs/x86-fuzzer.md), so that the
 * fuzzer compares native_exec() against tcg_exec_snippet(). Linux x86-64
 * hosts only; the test programs include native-exec.c directly.
 */
#ifndef VIREO_TESTS_NATIVE_EXEC_H
#define VIREO_TESTS_NATIVE_EXEC_H

#include "vireo/common.h"
#include "vireo/error.h"

typedef enum NativeMode {
    NATIVE_MODE_16 = 16,    /* 16-bit code segment, 16-bit DS=ES=SS */
    NATIVE_MODE_32 = 32,    /* compatibility mode, flat 4 GiB segments */
    NATIVE_MODE_64 = 64,    /* long mode */
} NativeMode;

/* Register numbers: the SDM's ModRM encoding order. */
enum {
    NATIVE_RAX, NATIVE_RCX, NATIVE_RDX, NATIVE_RBX,
    NATIVE_RSP, NATIVE_RBP, NATIVE_RSI, NATIVE_RDI,
    NATIVE_R8, NATIVE_R9, NATIVE_R10, NATIVE_R11,
    NATIVE_R12, NATIVE_R13, NATIVE_R14, NATIVE_R15,
    NATIVE_NREGS
};

/* The EFLAGS bits the harness loads and compares (SDM vol. 1 3.4.3). */
#define NATIVE_CF   0x001u
#define NATIVE_PF   0x004u
#define NATIVE_AF   0x010u
#define NATIVE_ZF   0x040u
#define NATIVE_SF   0x080u
#define NATIVE_DF   0x400u
#define NATIVE_OF   0x800u
#define NATIVE_ARITH_FLAGS (NATIVE_CF | NATIVE_PF | NATIVE_AF | NATIVE_ZF | \
                            NATIVE_SF | NATIVE_OF)
#define NATIVE_FLAGS_MASK (NATIVE_ARITH_FLAGS | NATIVE_DF)

/*
 * The scratch page: the only memory a snippet may touch (its data and its
 * stack). In 32- and 64-bit mode it sits at the flat linear address
 * NATIVE_SCRATCH_ADDR; in 16-bit mode DS, ES and SS are 16-bit data
 * segments based there with limit NATIVE_SCRATCH_SIZE - 1, so the snippet
 * sees it at offsets 0..0xfff and anything beyond raises #GP or #SS.
 */
#define NATIVE_SCRATCH_SIZE 4096u
#define NATIVE_SCRATCH_ADDR 0x20008000u
/* The 16-bit code segment's base: the snippet's IP is relative to it. */
#define NATIVE_CODE16_BASE  0x20002000u
/* Longest snippet native_exec() accepts. */
#define NATIVE_MAX_CODE     3072u

/* NativeState.vector values besides the CPU's exception vectors 0..31. */
#define NATIVE_VEC_NONE    (-1)    /* ran off the end of the snippet */
#define NATIVE_VEC_TIMEOUT (-2)    /* still running after the time limit */

typedef struct NativeState {
    /* In 16/32-bit mode only the low 32 bits of regs[0..7] count. */
    uint64_t regs[NATIVE_NREGS];
    uint64_t rflags;
    uint8_t scratch[NATIVE_SCRATCH_SIZE];
    /* Outputs only: how the snippet ended. */
    int vector;                 /* NATIVE_VEC_NONE, _TIMEOUT or 0..31 */
    uint32_t error_code;        /* the exception's error code, else 0 */
    uint32_t fault_offset;      /* faulting instruction's offset in code */
} NativeState;

/* Map the arena, write the LDT, install the signal handlers on an
 * alternate stack. Call again after anything else (cmocka) has replaced
 * the SIGSEGV/SIGFPE/SIGILL/SIGBUS handlers. Returns 0, or -1 with errp
 * set; a host without modify_ldt still succeeds, see native_mode_available. */
int native_exec_init(GError **errp);

/* True if snippets can run in mode; else *why names what is missing. */
bool native_mode_available(NativeMode mode, const char **why);

/* Run code[0..len) in mode from in (regs, rflags & NATIVE_FLAGS_MASK,
 * scratch) and fill out with the final or faulting state. Returns 0 (out
 * valid, out->vector says how it ended) or -1 if the harness is not
 * initialised, the mode is unavailable or len is too long. */
int native_exec(NativeMode mode, const uint8_t *code, size_t len,
                const NativeState *in, NativeState *out);

/* Where the scratch page starts in the snippet's address space for mode:
 * 0 in 16-bit mode (segment offset), NATIVE_SCRATCH_ADDR otherwise. */
uint64_t native_scratch_base(NativeMode mode);

/* Number of GPRs a mode has: 16 in 64-bit mode, 8 otherwise. */
int native_nregs(NativeMode mode);

/* Compare two final states: GPRs (32 bits wide outside 64-bit mode), the
 * flags in flags_mask, the scratch page and the ending (vector, offset).
 * Returns true if equal; otherwise writes one line per difference to diff
 * (if not NULL). */
bool native_state_equal(NativeMode mode, const NativeState *a,
                        const NativeState *b, uint32_t flags_mask,
                        GString *diff);

#endif
