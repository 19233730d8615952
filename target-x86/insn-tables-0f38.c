/*
 * insn-tables-0f38.c: the three-byte opcode maps 0F 38 and 0F 3A (SDM
 * Vol.2 Appendix A, tables ): SSSE3, SSE4.1, SSE4.2, AES,
 * PCLMULQDQ, and the integer rows MOVBE and CRC32. SSE rows select by
 * mandatory prefix (none, 66, F3, F2); MOVBE/CRC32 select by F2 only, so a
 * 66 there is still the operand size. The VEX-only rows of these maps are
 * absent because the guest model has no AVX.
 */
#include "vireo/common.h"
#include "target-x86/insn-tables-macros.h"

/* A row that exists only with the 66 prefix, on XMM registers. */
#define P66(m, feat, ...) PFX(UD, IX(m, feat, 0, __VA_ARGS__), UD, UD)
#define V41(m) P66(m, SSE41, Vx, Wx)
/* SSSE3: an MMX form without prefix and an XMM form with 66. */
#define SSSE3MX(m) PFX(IX(m, SSSE3, 0, Pq, Qq), IX(m, SSSE3, 0, Vx, Wx), UD, UD)

const X86OpRow x86_map_0f38[256] = {
    [0x00] = SSSE3MX(PSHUFB), [0x01] = SSSE3MX(PHADDW),
    [0x02] = SSSE3MX(PHADDD), [0x03] = SSSE3MX(PHADDSW),
    [0x04] = SSSE3MX(PMADDUBSW), [0x05] = SSSE3MX(PHSUBW),
    [0x06] = SSSE3MX(PHSUBD), [0x07] = SSSE3MX(PHSUBSW),
    [0x08] = SSSE3MX(PSIGNB), [0x09] = SSSE3MX(PSIGNW),
    [0x0a] = SSSE3MX(PSIGND), [0x0b] = SSSE3MX(PMULHRSW),
    [0x10] = P66(PBLENDVB, SSE41, Vx, Wx, XMM0),
    [0x14] = P66(BLENDVPS, SSE41, Vx, Wx, XMM0),
    [0x15] = P66(BLENDVPD, SSE41, Vx, Wx, XMM0),
    [0x17] = V41(PTEST),
    [0x1c] = SSSE3MX(PABSB), [0x1d] = SSSE3MX(PABSW), [0x1e] = SSSE3MX(PABSD),
    [0x20] = P66(PMOVSXBW, SSE41, Vx, Wq), [0x21] = P66(PMOVSXBD, SSE41, Vx, Wd),
    [0x22] = P66(PMOVSXBQ, SSE41, Vx, Ww), [0x23] = P66(PMOVSXWD, SSE41, Vx, Wq),
    [0x24] = P66(PMOVSXWQ, SSE41, Vx, Wd), [0x25] = P66(PMOVSXDQ, SSE41, Vx, Wq),
    [0x28] = V41(PMULDQ), [0x29] = V41(PCMPEQQ),
    [0x2a] = P66(MOVNTDQA, SSE41, Vx, Mdq), [0x2b] = V41(PACKUSDW),
    [0x30] = P66(PMOVZXBW, SSE41, Vx, Wq), [0x31] = P66(PMOVZXBD, SSE41, Vx, Wd),
    [0x32] = P66(PMOVZXBQ, SSE41, Vx, Ww), [0x33] = P66(PMOVZXWD, SSE41, Vx, Wq),
    [0x34] = P66(PMOVZXWQ, SSE41, Vx, Wd), [0x35] = P66(PMOVZXDQ, SSE41, Vx, Wq),
    [0x37] = P66(PCMPGTQ, SSE42, Vx, Wx),
    [0x38] = V41(PMINSB), [0x39] = V41(PMINSD), [0x3a] = V41(PMINUW),
    [0x3b] = V41(PMINUD), [0x3c] = V41(PMAXSB), [0x3d] = V41(PMAXSD),
    [0x3e] = V41(PMAXUW), [0x3f] = V41(PMAXUD),
    [0x40] = V41(PMULLD), [0x41] = V41(PHMINPOSUW),
    [0xdb] = P66(AESIMC, AES, Vx, Wx), [0xdc] = P66(AESENC, AES, Vx, Wx),
    [0xdd] = P66(AESENCLAST, AES, Vx, Wx), [0xde] = P66(AESDEC, AES, Vx, Wx),
    [0xdf] = P66(AESDECLAST, AES, Vx, Wx),
    [0xf0] = REPSEL(IX(MOVBE, MOVBE, 0, Gv, Mv), UD, IX(CRC32, SSE42, 0, Gy, Eb)),
    [0xf1] = REPSEL(IX(MOVBE, MOVBE, 0, Mv, Gv), UD, IX(CRC32, SSE42, 0, Gy, Ev)),
    [0xf6] = PFX(UD, IX(ADCX, ADX, 0, Gy, Ey), IX(ADOX, ADX, 0, Gy, Ey), UD),
};

#define V41I(m) P66(m, SSE41, Vx, Wx, Ib)

const X86OpRow x86_map_0f3a[256] = {
    [0x08] = V41I(ROUNDPS), [0x09] = V41I(ROUNDPD),
    [0x0a] = P66(ROUNDSS, SSE41, Vx, Wd, Ib), [0x0b] = P66(ROUNDSD, SSE41, Vx, Wq, Ib),
    [0x0c] = V41I(BLENDPS), [0x0d] = V41I(BLENDPD), [0x0e] = V41I(PBLENDW),
    [0x0f] = PFX(IX(PALIGNR, SSSE3, 0, Pq, Qq, Ib), IX(PALIGNR, SSSE3, 0, Vx, Wx, Ib),
                 UD, UD),
    [0x14] = P66(PEXTRB, SSE41, Eyb, Vx, Ib), [0x15] = P66(PEXTRW, SSE41, Eyw, Vx, Ib),
    [0x16] = PFX(UD, REXW(IX(PEXTRD, SSE41, 0, Ey, Vx, Ib),
                          IX(PEXTRQ, SSE41, 0, Ey, Vx, Ib)), UD, UD),
    [0x17] = P66(EXTRACTPS, SSE41, Ed, Vx, Ib),
    [0x20] = P66(PINSRB, SSE41, Vx, Eyb, Ib),
    [0x21] = P66(INSERTPS, SSE41, Vx, Wd, Ib),
    [0x22] = PFX(UD, REXW(IX(PINSRD, SSE41, 0, Vx, Ey, Ib),
                          IX(PINSRQ, SSE41, 0, Vx, Ey, Ib)), UD, UD),
    [0x40] = V41I(DPPS), [0x41] = V41I(DPPD), [0x42] = V41I(MPSADBW),
    [0x44] = P66(PCLMULQDQ, PCLMULQDQ, Vx, Wx, Ib),
    [0x60] = P66(PCMPESTRM, SSE42, Vx, Wx, Ib), [0x61] = P66(PCMPESTRI, SSE42, Vx, Wx, Ib),
    [0x62] = P66(PCMPISTRM, SSE42, Vx, Wx, Ib), [0x63] = P66(PCMPISTRI, SSE42, Vx, Wx, Ib),
    [0xdf] = P66(AESKEYGENASSIST, AES, Vx, Wx, Ib),
};
