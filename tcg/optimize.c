/*
 * optimize.c: placeholder pass.
 */
#include "vireo/common.h"
#include "tcg/tcg.h"

void tcg_optimize(TCGContext *s)
{
}
