/*
 * tcg-exec.h: the software-CPU half of the x86 differential fuzzer. It
 * runs a snippet under vireo's TCG (the real x86 front end, helpers and
 * either backend) in the same mode, from the same state and with the
 * scratch page at the same linear address as native_exec() does on the
 * host, and reports the result with native_exec()'s contract, so that the
 * differential test (tests/unit/test-x86-fuzz-tcg.c) can compare the two
 * with native_state_equal(). Test programs include tcg-exec.c directly;
 * the guest environment is described in docs/x86-fuzzer.md.
 */
#ifndef VIREO_TESTS_TCG_EXEC_H
#define VIREO_TESTS_TCG_EXEC_H

#include "native-exec.h"
#include "tcg/tcg.h"

/* Build the machine (RAM, one X86CPU, the TCG context of this thread) and
 * select backend. Idempotent apart from the backend. Returns 0, or -1
 * with errp set. */
int tcg_exec_init(TCGBackend backend, GError **errp);

/* Switch the backend later snippets run on (drops translated code). */
void tcg_exec_set_backend(TCGBackend backend);

/* The INSN_FEAT_* bits the TCG guest model advertises in CPUID. */
uint32_t tcg_exec_guest_features(void);

/* Run code[0..len) as CPL-3 guest code in mode from in and fill out:
 * registers, rflags (full image), scratch, and vector / error_code /
 * fault_offset exactly as native_exec() does. Returns 0, or -1 if it
 * cannot run the snippet at all (not initialised, len too long). */
int tcg_exec_snippet(NativeMode mode, const uint8_t *code, size_t len,
                     const NativeState *in, NativeState *out);

/* Free everything tcg_exec_init made. */
void tcg_exec_cleanup(void);

#endif
