/*
 * jit-none.c: the JIT entry points on hosts without a JIT backend. Only
 * the interpreter can be selected there (tcg_jit_available() is false),
 * so none of these is reachable except the prologue, which emits nothing.
 */
#include "vireo/common.h"
#include "tcg/tcg.h"
#include "tcg-internal.h"

size_t tcg_jit_gen_prologue(uint8_t *rw, uint8_t *rx)
{
    return 0;
}

int tcg_jit_gen_code(TCGContext *s, TranslationBlock *tb)
{
    g_assert_not_reached();
}

void tcg_jit_patch_jump(uint8_t *rw, uint8_t *rx, const void *target)
{
    g_assert_not_reached();
}
