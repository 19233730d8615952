/*
 * insn-tables.c: the one-byte and 0F opcode maps (SDM Vol.2 Appendix A,
 * tables, with the group tables A-6) in the notation of
 * insn-tables-macros.h. decode.c reads them; nothing else does. The x87
 * escape rows (D8-DF) are by ModRM (SDM Vol.2 A.4), the SSE rows of the
 * 0F map select by mandatory prefix (none, 66, F3, F2).
 */
#include "vireo/common.h"
#include "target-x86/insn-tables-macros.h"

/* The six rows of an ALU opcode block 00-05, 08-0D, ... 38-3D. */
#define ALU(base, mn, lk) \
    [(base) + 0] = IF(mn, lk, Eb, Gb), [(base) + 1] = IF(mn, lk, Ev, Gv), \
    [(base) + 2] = I(mn, Gb, Eb), [(base) + 3] = I(mn, Gv, Ev), \
    [(base) + 4] = I(mn, AL, Ib), [(base) + 5] = I(mn, rAX, Iz)

/* Group 1 (80-83) for destination dst and source src. */
#define GRP1(dst, src) GRP( \
    IF(ADD, LK, dst, src), IF(OR, LK, dst, src), IF(ADC, LK, dst, src), \
    IF(SBB, LK, dst, src), IF(AND, LK, dst, src), IF(SUB, LK, dst, src), \
    IF(XOR, LK, dst, src), I(CMP, dst, src))

/* Group 2 (C0, C1, D0-D3) shifts and rotates. */
#define GRP2(dst, cnt) GRP( \
    I(ROL, dst, cnt), I(ROR, dst, cnt), I(RCL, dst, cnt), I(RCR, dst, cnt), \
    I(SHL, dst, cnt), I(SHR, dst, cnt), I(SAL, dst, cnt), I(SAR, dst, cnt))

#define Z8(base, ...) \
    [(base) + 0] = __VA_ARGS__, [(base) + 1] = __VA_ARGS__, \
    [(base) + 2] = __VA_ARGS__, [(base) + 3] = __VA_ARGS__, \
    [(base) + 4] = __VA_ARGS__, [(base) + 5] = __VA_ARGS__, \
    [(base) + 6] = __VA_ARGS__, [(base) + 7] = __VA_ARGS__

#define CC16(base, pre, fl, ...) \
    [(base) + 0x0] = IF(pre##O, fl, __VA_ARGS__), [(base) + 0x1] = IF(pre##NO, fl, __VA_ARGS__), \
    [(base) + 0x2] = IF(pre##B, fl, __VA_ARGS__), [(base) + 0x3] = IF(pre##AE, fl, __VA_ARGS__), \
    [(base) + 0x4] = IF(pre##E, fl, __VA_ARGS__), [(base) + 0x5] = IF(pre##NE, fl, __VA_ARGS__), \
    [(base) + 0x6] = IF(pre##BE, fl, __VA_ARGS__), [(base) + 0x7] = IF(pre##A, fl, __VA_ARGS__), \
    [(base) + 0x8] = IF(pre##S, fl, __VA_ARGS__), [(base) + 0x9] = IF(pre##NS, fl, __VA_ARGS__), \
    [(base) + 0xa] = IF(pre##P, fl, __VA_ARGS__), [(base) + 0xb] = IF(pre##NP, fl, __VA_ARGS__), \
    [(base) + 0xc] = IF(pre##L, fl, __VA_ARGS__), [(base) + 0xd] = IF(pre##GE, fl, __VA_ARGS__), \
    [(base) + 0xe] = IF(pre##LE, fl, __VA_ARGS__), [(base) + 0xf] = IF(pre##G, fl, __VA_ARGS__)

#define CMOV16(base) \
    [(base) + 0x0] = IX(CMOVO, CMOV, 0, Gv, Ev), [(base) + 0x1] = IX(CMOVNO, CMOV, 0, Gv, Ev), \
    [(base) + 0x2] = IX(CMOVB, CMOV, 0, Gv, Ev), [(base) + 0x3] = IX(CMOVAE, CMOV, 0, Gv, Ev), \
    [(base) + 0x4] = IX(CMOVE, CMOV, 0, Gv, Ev), [(base) + 0x5] = IX(CMOVNE, CMOV, 0, Gv, Ev), \
    [(base) + 0x6] = IX(CMOVBE, CMOV, 0, Gv, Ev), [(base) + 0x7] = IX(CMOVA, CMOV, 0, Gv, Ev), \
    [(base) + 0x8] = IX(CMOVS, CMOV, 0, Gv, Ev), [(base) + 0x9] = IX(CMOVNS, CMOV, 0, Gv, Ev), \
    [(base) + 0xa] = IX(CMOVP, CMOV, 0, Gv, Ev), [(base) + 0xb] = IX(CMOVNP, CMOV, 0, Gv, Ev), \
    [(base) + 0xc] = IX(CMOVL, CMOV, 0, Gv, Ev), [(base) + 0xd] = IX(CMOVGE, CMOV, 0, Gv, Ev), \
    [(base) + 0xe] = IX(CMOVLE, CMOV, 0, Gv, Ev), [(base) + 0xf] = IX(CMOVG, CMOV, 0, Gv, Ev)

/* x87 escapes D8-DF (SDM Vol.2 A.4): [reg] memory forms, [RM3(reg, rm)]
 * register forms. Undocumented aliases that every x87 since the 387
 * executes (FCOM2, FCOMP3/5, FXCH4/7, FSTP1/8/9, FFREEP) are included. */
#define FX(m, ...) IX(m, FPU, X87, __VA_ARGS__)
#define X87ARITH(sz) \
    [0] = FX(FADD, sz), [1] = FX(FMUL, sz), [2] = FX(FCOM, sz), \
    [3] = FX(FCOMP, sz), [4] = FX(FSUB, sz), [5] = FX(FSUBR, sz), \
    [6] = FX(FDIV, sz), [7] = FX(FDIVR, sz)
#define X87IARITH(sz) \
    [0] = FX(FIADD, sz), [1] = FX(FIMUL, sz), [2] = FX(FICOM, sz), \
    [3] = FX(FICOMP, sz), [4] = FX(FISUB, sz), [5] = FX(FISUBR, sz), \
    [6] = FX(FIDIV, sz), [7] = FX(FIDIVR, sz)

static const X86OpRow x87_d8[72] = {
    X87ARITH(Md),
    REG3(0, FX(FADD, ST0, STi)), REG3(1, FX(FMUL, ST0, STi)),
    REG3(2, FX(FCOM, STi)), REG3(3, FX(FCOMP, STi)),
    REG3(4, FX(FSUB, ST0, STi)), REG3(5, FX(FSUBR, ST0, STi)),
    REG3(6, FX(FDIV, ST0, STi)), REG3(7, FX(FDIVR, ST0, STi)),
};

static const X86OpRow x87_d9[72] = {
    [0] = FX(FLD, Md), [2] = FX(FST, Md), [3] = FX(FSTP, Md),
    [4] = FX(FLDENV, Menv), [5] = FX(FLDCW, Mw), [6] = FX(FNSTENV, Menv),
    [7] = FX(FNSTCW, Mw),
    REG3(0, FX(FLD, STi)), REG3(1, FX(FXCH, STi)),
    [RM3(2, 0)] = FX(FNOP), REG3(3, FX(FSTP, STi)),
    [RM3(4, 0)] = FX(FCHS), [RM3(4, 1)] = FX(FABS),
    [RM3(4, 4)] = FX(FTST), [RM3(4, 5)] = FX(FXAM),
    [RM3(5, 0)] = FX(FLD1), [RM3(5, 1)] = FX(FLDL2T), [RM3(5, 2)] = FX(FLDL2E),
    [RM3(5, 3)] = FX(FLDPI), [RM3(5, 4)] = FX(FLDLG2), [RM3(5, 5)] = FX(FLDLN2),
    [RM3(5, 6)] = FX(FLDZ),
    [RM3(6, 0)] = FX(F2XM1), [RM3(6, 1)] = FX(FYL2X), [RM3(6, 2)] = FX(FPTAN),
    [RM3(6, 3)] = FX(FPATAN), [RM3(6, 4)] = FX(FXTRACT), [RM3(6, 5)] = FX(FPREM1),
    [RM3(6, 6)] = FX(FDECSTP), [RM3(6, 7)] = FX(FINCSTP),
    [RM3(7, 0)] = FX(FPREM), [RM3(7, 1)] = FX(FYL2XP1), [RM3(7, 2)] = FX(FSQRT),
    [RM3(7, 3)] = FX(FSINCOS), [RM3(7, 4)] = FX(FRNDINT), [RM3(7, 5)] = FX(FSCALE),
    [RM3(7, 6)] = FX(FSIN), [RM3(7, 7)] = FX(FCOS),
};

static const X86OpRow x87_da[72] = {
    X87IARITH(Md),
    REG3(0, FX(FCMOVB, ST0, STi)), REG3(1, FX(FCMOVE, ST0, STi)),
    REG3(2, FX(FCMOVBE, ST0, STi)), REG3(3, FX(FCMOVU, ST0, STi)),
    [RM3(5, 1)] = FX(FUCOMPP),
};

static const X86OpRow x87_db[72] = {
    [0] = FX(FILD, Md), [1] = IX(FISTTP, SSE3, X87, Md), [2] = FX(FIST, Md),
    [3] = FX(FISTP, Md), [5] = FX(FLD, Mt), [7] = FX(FSTP, Mt),
    REG3(0, FX(FCMOVNB, ST0, STi)), REG3(1, FX(FCMOVNE, ST0, STi)),
    REG3(2, FX(FCMOVNBE, ST0, STi)), REG3(3, FX(FCMOVNU, ST0, STi)),
    [RM3(4, 0)] = FX(FNENI), [RM3(4, 1)] = FX(FNDISI),
    [RM3(4, 2)] = FX(FNCLEX), [RM3(4, 3)] = FX(FNINIT),
    [RM3(4, 4)] = FX(FNSETPM),
    REG3(5, FX(FUCOMI, ST0, STi)), REG3(6, FX(FCOMI, ST0, STi)),
};

static const X86OpRow x87_dc[72] = {
    X87ARITH(Mq),
    REG3(0, FX(FADD, STi, ST0)), REG3(1, FX(FMUL, STi, ST0)),
    REG3(2, FX(FCOM, STi)), REG3(3, FX(FCOMP, STi)),
    REG3(4, FX(FSUBR, STi, ST0)), REG3(5, FX(FSUB, STi, ST0)),
    REG3(6, FX(FDIVR, STi, ST0)), REG3(7, FX(FDIV, STi, ST0)),
};

static const X86OpRow x87_dd[72] = {
    [0] = FX(FLD, Mq), [1] = IX(FISTTP, SSE3, X87, Mq), [2] = FX(FST, Mq),
    [3] = FX(FSTP, Mq), [4] = FX(FRSTOR, Mfsave), [6] = FX(FNSAVE, Mfsave),
    [7] = FX(FNSTSW, Mw),
    REG3(0, FX(FFREE, STi)), REG3(1, FX(FXCH, STi)),
    REG3(2, FX(FST, STi)), REG3(3, FX(FSTP, STi)),
    REG3(4, FX(FUCOM, STi)), REG3(5, FX(FUCOMP, STi)),
};

static const X86OpRow x87_de[72] = {
    X87IARITH(Mw),
    REG3(0, FX(FADDP, STi, ST0)), REG3(1, FX(FMULP, STi, ST0)),
    REG3(2, FX(FCOMP, STi)), [RM3(3, 1)] = FX(FCOMPP),
    REG3(4, FX(FSUBRP, STi, ST0)), REG3(5, FX(FSUBP, STi, ST0)),
    REG3(6, FX(FDIVRP, STi, ST0)), REG3(7, FX(FDIVP, STi, ST0)),
};

static const X86OpRow x87_df[72] = {
    [0] = FX(FILD, Mw), [1] = IX(FISTTP, SSE3, X87, Mw), [2] = FX(FIST, Mw),
    [3] = FX(FISTP, Mw), [4] = FX(FBLD, Mt), [5] = FX(FILD, Mq),
    [6] = FX(FBSTP, Mt), [7] = FX(FISTP, Mq),
    REG3(0, FX(FFREEP, STi)), REG3(1, FX(FXCH, STi)),
    REG3(2, FX(FSTP, STi)), REG3(3, FX(FSTP, STi)),
    [RM3(4, 0)] = FX(FNSTSW, AX),
    REG3(5, FX(FUCOMIP, ST0, STi)), REG3(6, FX(FCOMIP, ST0, STi)),
};

#define ESC(t) { .kind = X86_SUB_REGRM, .sub = t }

const X86OpRow x86_map_onebyte[256] = {
    ALU(0x00, ADD, LK), ALU(0x08, OR, LK), ALU(0x10, ADC, LK), ALU(0x18, SBB, LK),
    ALU(0x20, AND, LK), ALU(0x28, SUB, LK), ALU(0x30, XOR, LK), ALU(0x38, CMP, 0),
    [0x06] = IF(PUSH, I64, SEG(R_ES)), [0x07] = IF(POP, I64, SEG(R_ES)),
    [0x0e] = IF(PUSH, I64, SEG(R_CS)),
    [0x16] = IF(PUSH, I64, SEG(R_SS)), [0x17] = IF(POP, I64, SEG(R_SS)),
    [0x1e] = IF(PUSH, I64, SEG(R_DS)), [0x1f] = IF(POP, I64, SEG(R_DS)),
    [0x27] = IF(DAA, I64), [0x2f] = IF(DAS, I64),
    [0x37] = IF(AAA, I64), [0x3f] = IF(AAS, I64),
    Z8(0x40, IF(INC, I64, Zv)), Z8(0x48, IF(DEC, I64, Zv)),
    Z8(0x50, IF(PUSH, D64, Zv)), Z8(0x58, IF(POP, D64, Zv)),
    [0x60] = IF(PUSHA, I64), [0x61] = IF(POPA, I64),
    [0x62] = IF(BOUND, I64, Gv, Ma),
    [0x63] = MODE64(I(ARPL, Ew, Gw), I(MOVSXD, Gv, Ed)),
    [0x68] = IF(PUSH, D64, Iz), [0x69] = I(IMUL, Gv, Ev, Iz),
    [0x6a] = IF(PUSH, D64, Ibs), [0x6b] = I(IMUL, Gv, Ev, Ibs),
    [0x6c] = IF(INS, RP | IO, Yb, DX), [0x6d] = IF(INS, RP | IO, Yz, DX),
    [0x6e] = IF(OUTS, RP | IO, DX, Xb), [0x6f] = IF(OUTS, RP | IO, DX, Xz),
    CC16(0x70, J, BR | F64, Jb),
    [0x80] = GRP1(Eb, Ib), [0x81] = GRP1(Ev, Iz),
    [0x82] = GRP(IF(ADD, LK | I64, Eb, Ib), IF(OR, LK | I64, Eb, Ib),
                 IF(ADC, LK | I64, Eb, Ib), IF(SBB, LK | I64, Eb, Ib),
                 IF(AND, LK | I64, Eb, Ib), IF(SUB, LK | I64, Eb, Ib),
                 IF(XOR, LK | I64, Eb, Ib), IF(CMP, I64, Eb, Ib)),
    [0x83] = GRP1(Ev, Ibs),
    [0x84] = I(TEST, Eb, Gb), [0x85] = I(TEST, Ev, Gv),
    [0x86] = IF(XCHG, LK, Eb, Gb), [0x87] = IF(XCHG, LK, Ev, Gv),
    [0x88] = I(MOV, Eb, Gb), [0x89] = I(MOV, Ev, Gv),
    [0x8a] = I(MOV, Gb, Eb), [0x8b] = I(MOV, Gv, Ev),
    [0x8c] = I(MOV, Ewv, Sw), [0x8d] = I(LEA, Gv, M),
    [0x8e] = I(MOV, Sw, Ew),
    [0x8f] = GRP(IF(POP, D64, Ev)),
    [0x90] = REPSEL(I(NOP), I(PAUSE), I(NOP)),
    [0x91] = I(XCHG, Zv, rAX), [0x92] = I(XCHG, Zv, rAX), [0x93] = I(XCHG, Zv, rAX),
    [0x94] = I(XCHG, Zv, rAX), [0x95] = I(XCHG, Zv, rAX), [0x96] = I(XCHG, Zv, rAX),
    [0x97] = I(XCHG, Zv, rAX),
    [0x98] = I(CBW), [0x99] = I(CWD),
    [0x9a] = IF(CALLF, I64 | BR, Ap), [0x9b] = I(FWAIT),
    [0x9c] = IF(PUSHF, D64), [0x9d] = IF(POPF, D64),
    [0x9e] = I(SAHF), [0x9f] = I(LAHF),
    [0xa0] = I(MOV, AL, Ob), [0xa1] = I(MOV, rAX, Ov),
    [0xa2] = I(MOV, Ob, AL), [0xa3] = I(MOV, Ov, rAX),
    [0xa4] = IF(MOVS, RP, Yb, Xb), [0xa5] = IF(MOVS, RP, Yv, Xv),
    [0xa6] = IF(CMPS, RPZ, Xb, Yb), [0xa7] = IF(CMPS, RPZ, Xv, Yv),
    [0xa8] = I(TEST, AL, Ib), [0xa9] = I(TEST, rAX, Iz),
    [0xaa] = IF(STOS, RP, Yb, AL), [0xab] = IF(STOS, RP, Yv, rAX),
    [0xac] = IF(LODS, RP, AL, Xb), [0xad] = IF(LODS, RP, rAX, Xv),
    [0xae] = IF(SCAS, RPZ, AL, Yb), [0xaf] = IF(SCAS, RPZ, rAX, Yv),
    Z8(0xb0, I(MOV, Zb, Ib)), Z8(0xb8, I(MOV, Zv, Iv)),
    [0xc0] = GRP2(Eb, Ib), [0xc1] = GRP2(Ev, Ib),
    [0xc2] = IF(RET, BR | F64, Iw), [0xc3] = IF(RET, BR | F64),
    [0xc4] = IF(LES, I64, Gz, Mp), [0xc5] = IF(LDS, I64, Gz, Mp),
    [0xc6] = GRP(I(MOV, Eb, Ib)), [0xc7] = GRP(I(MOV, Ev, Iz)),
    [0xc8] = IF(ENTER, D64, Iw, Ib), [0xc9] = IF(LEAVE, D64),
    [0xca] = IF(RETF, BR, Iw), [0xcb] = IF(RETF, BR),
    [0xcc] = IF(INT3, BR), [0xcd] = IF(INT, BR, Ib),
    [0xce] = IF(INTO, BR | I64), [0xcf] = IF(IRET, BR),
    [0xd0] = GRP2(Eb, ONE), [0xd1] = GRP2(Ev, ONE),
    [0xd2] = GRP2(Eb, CL), [0xd3] = GRP2(Ev, CL),
    [0xd4] = IF(AAM, I64, Ib), [0xd5] = IF(AAD, I64, Ib),
    [0xd6] = IF(SALC, I64), [0xd7] = I(XLAT),
    [0xd8] = ESC(x87_d8), [0xd9] = ESC(x87_d9), [0xda] = ESC(x87_da),
    [0xdb] = ESC(x87_db), [0xdc] = ESC(x87_dc), [0xdd] = ESC(x87_dd),
    [0xde] = ESC(x87_de), [0xdf] = ESC(x87_df),
    [0xe0] = IF(LOOPNE, BR | F64, Jb), [0xe1] = IF(LOOPE, BR | F64, Jb),
    [0xe2] = IF(LOOP, BR | F64, Jb), [0xe3] = IF(JCXZ, BR | F64, Jb),
    [0xe4] = IF(IN, IO, AL, Ib), [0xe5] = IF(IN, IO, eAX, Ib),
    [0xe6] = IF(OUT, IO, Ib, AL), [0xe7] = IF(OUT, IO, Ib, eAX),
    [0xe8] = IF(CALL, BR | F64, Jz), [0xe9] = IF(JMP, BR | F64, Jz),
    [0xea] = IF(JMPF, BR | I64, Ap), [0xeb] = IF(JMP, BR | F64, Jb),
    [0xec] = IF(IN, IO, AL, DX), [0xed] = IF(IN, IO, eAX, DX),
    [0xee] = IF(OUT, IO, DX, AL), [0xef] = IF(OUT, IO, DX, eAX),
    [0xf1] = IF(INT1, BR),
    [0xf4] = IF(HLT, PRV), [0xf5] = I(CMC),
    [0xf6] = GRP(I(TEST, Eb, Ib), I(TEST, Eb, Ib), IF(NOT, LK, Eb), IF(NEG, LK, Eb),
                 I(MUL, Eb), I(IMUL, Eb), I(DIV, Eb), I(IDIV, Eb)),
    [0xf7] = GRP(I(TEST, Ev, Iz), I(TEST, Ev, Iz), IF(NOT, LK, Ev), IF(NEG, LK, Ev),
                 I(MUL, Ev), I(IMUL, Ev), I(DIV, Ev), I(IDIV, Ev)),
    [0xf8] = I(CLC), [0xf9] = I(STC), [0xfa] = IF(CLI, IO), [0xfb] = IF(STI, IO),
    [0xfc] = I(CLD), [0xfd] = I(STD),
    [0xfe] = GRP(IF(INC, LK, Eb), IF(DEC, LK, Eb)),
    [0xff] = GRP(IF(INC, LK, Ev), IF(DEC, LK, Ev), IF(CALL, BR | F64, Ev),
                 IF(CALLF, BR, Mp), IF(JMP, BR | F64, Ev), IF(JMPF, BR, Mp),
                 IF(PUSH, D64, Ev)),
};

/* 0F 01 (group 7), SDM Vol.2 table A-6. */
#define GRP7 GRPRM( \
    [0] = I(SGDT, Ms), [1] = I(SIDT, Ms), [2] = IF(LGDT, PRV, Ms), \
    [3] = IF(LIDT, PRV, Ms), [4] = I(SMSW, Mw), [6] = IF(LMSW, PRV, Ew), \
    [7] = IF(INVLPG, PRV, M), \
    [RM3(0, 1)] = IX(VMCALL, VMX, 0), [RM3(0, 2)] = IX(VMLAUNCH, VMX, PRV), \
    [RM3(0, 3)] = IX(VMRESUME, VMX, PRV), [RM3(0, 4)] = IX(VMXOFF, VMX, PRV), \
    [RM3(1, 0)] = IX(MONITOR, MONITOR, PRV), [RM3(1, 1)] = IX(MWAIT, MONITOR, PRV), \
    [RM3(1, 2)] = IX(CLAC, SMAP, 0), [RM3(1, 3)] = IX(STAC, SMAP, 0), \
    [RM3(1, 7)] = IX(ENCLS, SGX, PRV), \
    [RM3(2, 0)] = IX(XGETBV, XSAVE, 0), [RM3(2, 1)] = IX(XSETBV, XSAVE, PRV), \
    [RM3(2, 4)] = IX(VMFUNC, VMX, 0), [RM3(2, 5)] = IX(XEND, RTM, 0), \
    [RM3(2, 6)] = IX(XTEST, RTM, 0), [RM3(2, 7)] = IX(ENCLU, SGX, 0), \
    REG3(4, I(SMSW, Ewv)), \
    [RM3(5, 6)] = IX(RDPKRU, PKU, 0), [RM3(5, 7)] = IX(WRPKRU, PKU, 0), \
    REG3(6, IF(LMSW, PRV, Ew)), \
    [RM3(7, 0)] = IF(SWAPGS, PRV | O64), [RM3(7, 1)] = IX(RDTSCP, RDTSCP, 0))

/* 0F AE (group 15). */
#define GRP15 GRPMOD( \
    [0] = IX(FXSAVE, FXSR, 0, Mfx), [1] = IX(FXRSTOR, FXSR, 0, Mfx), \
    [2] = IX(LDMXCSR, SSE, 0, Md), [3] = IX(STMXCSR, SSE, 0, Md), \
    [4] = IX(XSAVE, XSAVE, 0, Mxs), [5] = IX(XRSTOR, XSAVE, 0, Mxs), \
    [6] = PFX(IX(XSAVEOPT, XSAVEOPT, 0, Mxs), IX(CLWB, CLWB, 0, Mb), UD, UD), \
    [7] = PFX(IX(CLFLUSH, CLFLUSH, 0, Mb), IX(CLFLUSHOPT, CLFLUSHOPT, 0, Mb), \
              UD, UD), \
    [8] = REPSEL(UD, IX(RDFSBASE, FSGSBASE, O64, Ry)), \
    [9] = REPSEL(UD, IX(RDGSBASE, FSGSBASE, O64, Ry)), \
    [10] = REPSEL(UD, IX(WRFSBASE, FSGSBASE, O64, Ry)), \
    [11] = REPSEL(UD, IX(WRGSBASE, FSGSBASE, O64, Ry)), \
    [13] = PFX(IX(LFENCE, SSE2, 0), UD, UD, UD), \
    [14] = PFX(IX(MFENCE, SSE2, 0), UD, UD, UD), \
    [15] = PFX(IX(SFENCE, SSE, 0), UD, UD, UD))

/* 0F C7 (group 9). */
#define GRP9 GRPMOD( \
    [1] = REXW(IX(CMPXCHG8B, CX8, LK, Mdqq), IX(CMPXCHG16B, CX16, LK, Mdqq)), \
    [6] = PFX(IX(VMPTRLD, VMX, PRV, Mq), IX(VMCLEAR, VMX, PRV, Mq), \
              IX(VMXON, VMX, PRV, Mq), UD), \
    [7] = PFX(IX(VMPTRST, VMX, PRV, Mq), UD, UD, UD), \
    [14] = IX(RDRAND, RDRAND, 0, Rv), \
    [15] = REPSEL(IX(RDSEED, RDSEED, 0, Rv), IX(RDPID, RDPID, 0, Rd), UD))

/* SSE rows of the 0F map (SDM Vol.2 table A-3), chosen by mandatory prefix. */
#define PS(m, ...) IX(m, SSE, 0, __VA_ARGS__)
#define PD(m, ...) IX(m, SSE2, 0, __VA_ARGS__)
#define S3(m, ...) IX(m, SSE3, 0, __VA_ARGS__)
#define ARITH4(m) PFX(PS(m##PS, Vx, Wx), PD(m##PD, Vx, Wx), PS(m##SS, Vx, Wd), \
                      PD(m##SD, Vx, Wq))
#define LOGIC2(m) PFX(PS(m##PS, Vx, Wx), PD(m##PD, Vx, Wx), UD, UD)
/* MMX row with its SSE2 66 form: feat is the MMX form's feature. */
#define MMXF(m, feat, q) PFX(IX(m, feat, 0, Pq, q), PD(m, Vx, Wx), UD, UD)
#define MMX2(m) MMXF(m, MMX, Qq)
#define MMXQD(m) MMXF(m, MMX, Qd)
#define MMXSHIFT(m) PFX(IX(m, MMX, 0, Nq, Ib), PD(m, Ux, Ib), UD, UD)

#define SSE_0F_ROWS \
    [0x10] = PFX(PS(MOVUPS, Vx, Wx), PD(MOVUPD, Vx, Wx), PS(MOVSS, Vx, Wd), \
                 PD(MOVSD, Vx, Wq)), \
    [0x11] = PFX(PS(MOVUPS, Wx, Vx), PD(MOVUPD, Wx, Vx), PS(MOVSS, Wd, Vx), \
                 PD(MOVSD, Wq, Vx)), \
    [0x12] = PFX(MODSEL(PS(MOVLPS, Vq, Mq), PS(MOVHLPS, Vq, Uq)), \
                 PD(MOVLPD, Vq, Mq), S3(MOVSLDUP, Vx, Wx), S3(MOVDDUP, Vx, Wq)), \
    [0x13] = PFX(PS(MOVLPS, Mq, Vq), PD(MOVLPD, Mq, Vq), UD, UD), \
    [0x14] = LOGIC2(UNPCKL), [0x15] = LOGIC2(UNPCKH), \
    [0x16] = PFX(MODSEL(PS(MOVHPS, Vq, Mq), PS(MOVLHPS, Vq, Uq)), \
                 PD(MOVHPD, Vq, Mq), S3(MOVSHDUP, Vx, Wx), UD), \
    [0x17] = PFX(PS(MOVHPS, Mq, Vq), PD(MOVHPD, Mq, Vq), UD, UD), \
    [0x28] = PFX(PS(MOVAPS, Vx, Wx), PD(MOVAPD, Vx, Wx), UD, UD), \
    [0x29] = PFX(PS(MOVAPS, Wx, Vx), PD(MOVAPD, Wx, Vx), UD, UD), \
    [0x2a] = PFX(PS(CVTPI2PS, Vq, Qq), PD(CVTPI2PD, Vx, Qq), \
                 PS(CVTSI2SS, Vx, Ey), PD(CVTSI2SD, Vx, Ey)), \
    [0x2b] = PFX(PS(MOVNTPS, Mdq, Vx), PD(MOVNTPD, Mdq, Vx), UD, UD), \
    [0x2c] = PFX(PS(CVTTPS2PI, Pq, Wq), PD(CVTTPD2PI, Pq, Wx), \
                 PS(CVTTSS2SI, Gy, Wd), PD(CVTTSD2SI, Gy, Wq)), \
    [0x2d] = PFX(PS(CVTPS2PI, Pq, Wq), PD(CVTPD2PI, Pq, Wx), \
                 PS(CVTSS2SI, Gy, Wd), PD(CVTSD2SI, Gy, Wq)), \
    [0x2e] = PFX(PS(UCOMISS, Vx, Wd), PD(UCOMISD, Vx, Wq), UD, UD), \
    [0x2f] = PFX(PS(COMISS, Vx, Wd), PD(COMISD, Vx, Wq), UD, UD), \
    [0x50] = PFX(PS(MOVMSKPS, Gd, Ux), PD(MOVMSKPD, Gd, Ux), UD, UD), \
    [0x51] = ARITH4(SQRT), \
    [0x52] = PFX(PS(RSQRTPS, Vx, Wx), UD, PS(RSQRTSS, Vx, Wd), UD), \
    [0x53] = PFX(PS(RCPPS, Vx, Wx), UD, PS(RCPSS, Vx, Wd), UD), \
    [0x54] = LOGIC2(AND), [0x55] = LOGIC2(ANDN), [0x56] = LOGIC2(OR), \
    [0x57] = LOGIC2(XOR), [0x58] = ARITH4(ADD), [0x59] = ARITH4(MUL), \
    [0x5a] = PFX(PD(CVTPS2PD, Vx, Wq), PD(CVTPD2PS, Vx, Wx), \
                 PD(CVTSS2SD, Vx, Wd), PD(CVTSD2SS, Vx, Wq)), \
    [0x5b] = PFX(PD(CVTDQ2PS, Vx, Wx), PD(CVTPS2DQ, Vx, Wx), \
                 PD(CVTTPS2DQ, Vx, Wx), UD), \
    [0x5c] = ARITH4(SUB), [0x5d] = ARITH4(MIN), [0x5e] = ARITH4(DIV), \
    [0x5f] = ARITH4(MAX), \
    [0x60] = MMXQD(PUNPCKLBW), [0x61] = MMXQD(PUNPCKLWD), \
    [0x62] = MMXQD(PUNPCKLDQ), [0x63] = MMX2(PACKSSWB), \
    [0x64] = MMX2(PCMPGTB), [0x65] = MMX2(PCMPGTW), [0x66] = MMX2(PCMPGTD), \
    [0x67] = MMX2(PACKUSWB), [0x68] = MMX2(PUNPCKHBW), \
    [0x69] = MMX2(PUNPCKHWD), [0x6a] = MMX2(PUNPCKHDQ), \
    [0x6b] = MMX2(PACKSSDW), \
    [0x6c] = PFX(UD, PD(PUNPCKLQDQ, Vx, Wx), UD, UD), \
    [0x6d] = PFX(UD, PD(PUNPCKHQDQ, Vx, Wx), UD, UD), \
    [0x6e] = PFX(REXW(IX(MOVD, MMX, 0, Pq, Ey), IX(MOVQ, MMX, 0, Pq, Ey)), \
                 REXW(PD(MOVD, Vx, Ey), PD(MOVQ, Vx, Ey)), UD, UD), \
    [0x6f] = PFX(IX(MOVQ, MMX, 0, Pq, Qq), PD(MOVDQA, Vx, Wx), \
                 PD(MOVDQU, Vx, Wx), UD), \
    [0x70] = PFX(PS(PSHUFW, Pq, Qq, Ib), PD(PSHUFD, Vx, Wx, Ib), \
                 PD(PSHUFHW, Vx, Wx, Ib), PD(PSHUFLW, Vx, Wx, Ib)), \
    [0x71] = GRPMOD([10] = MMXSHIFT(PSRLW), [12] = MMXSHIFT(PSRAW), \
                    [14] = MMXSHIFT(PSLLW)), \
    [0x72] = GRPMOD([10] = MMXSHIFT(PSRLD), [12] = MMXSHIFT(PSRAD), \
                    [14] = MMXSHIFT(PSLLD)), \
    [0x73] = GRPMOD([10] = MMXSHIFT(PSRLQ), \
                    [11] = PFX(UD, PD(PSRLDQ, Ux, Ib), UD, UD), \
                    [14] = MMXSHIFT(PSLLQ), \
                    [15] = PFX(UD, PD(PSLLDQ, Ux, Ib), UD, UD)), \
    [0x74] = MMX2(PCMPEQB), [0x75] = MMX2(PCMPEQW), [0x76] = MMX2(PCMPEQD), \
    [0x77] = PFX(IX(EMMS, MMX, 0), UD, UD, UD), \
    [0x78] = PFX(IX(VMREAD, VMX, PRV, Enat, Gnat), UD, UD, UD), \
    [0x79] = PFX(IX(VMWRITE, VMX, PRV, Gnat, Enat), UD, UD, UD), \
    [0x7c] = PFX(UD, S3(HADDPD, Vx, Wx), UD, S3(HADDPS, Vx, Wx)), \
    [0x7d] = PFX(UD, S3(HSUBPD, Vx, Wx), UD, S3(HSUBPS, Vx, Wx)), \
    [0x7e] = PFX(REXW(IX(MOVD, MMX, 0, Ey, Pq), IX(MOVQ, MMX, 0, Ey, Pq)), \
                 REXW(PD(MOVD, Ey, Vx), PD(MOVQ, Ey, Vx)), \
                 PD(MOVQ, Vx, Wq), UD), \
    [0x7f] = PFX(IX(MOVQ, MMX, 0, Qq, Pq), PD(MOVDQA, Wx, Vx), \
                 PD(MOVDQU, Wx, Vx), UD), \
    [0xc2] = PFX(PS(CMPPS, Vx, Wx, Ib), PD(CMPPD, Vx, Wx, Ib), \
                 PS(CMPSS, Vx, Wd, Ib), PD(CMPSD, Vx, Wq, Ib)), \
    [0xc3] = PFX(PD(MOVNTI, My, Gy), UD, UD, UD), \
    [0xc4] = PFX(PS(PINSRW, Pq, Eyw, Ib), PD(PINSRW, Vx, Eyw, Ib), UD, UD), \
    [0xc5] = PFX(PS(PEXTRW, Gd, Nq, Ib), PD(PEXTRW, Gd, Ux, Ib), UD, UD), \
    [0xc6] = PFX(PS(SHUFPS, Vx, Wx, Ib), PD(SHUFPD, Vx, Wx, Ib), UD, UD), \
    [0xd0] = PFX(UD, S3(ADDSUBPD, Vx, Wx), UD, S3(ADDSUBPS, Vx, Wx)), \
    [0xd1] = MMX2(PSRLW), [0xd2] = MMX2(PSRLD), [0xd3] = MMX2(PSRLQ), \
    [0xd4] = MMXF(PADDQ, SSE2, Qq), [0xd5] = MMX2(PMULLW), \
    [0xd6] = PFX(UD, PD(MOVQ, Wq, Vx), PD(MOVQ2DQ, Vx, Nq), PD(MOVDQ2Q, Pq, Ux)), \
    [0xd7] = PFX(PS(PMOVMSKB, Gd, Nq), PD(PMOVMSKB, Gd, Ux), UD, UD), \
    [0xd8] = MMX2(PSUBUSB), [0xd9] = MMX2(PSUBUSW), \
    [0xda] = MMXF(PMINUB, SSE, Qq), [0xdb] = MMX2(PAND), \
    [0xdc] = MMX2(PADDUSB), [0xdd] = MMX2(PADDUSW), \
    [0xde] = MMXF(PMAXUB, SSE, Qq), [0xdf] = MMX2(PANDN), \
    [0xe0] = MMXF(PAVGB, SSE, Qq), [0xe1] = MMX2(PSRAW), [0xe2] = MMX2(PSRAD), \
    [0xe3] = MMXF(PAVGW, SSE, Qq), [0xe4] = MMXF(PMULHUW, SSE, Qq), \
    [0xe5] = MMX2(PMULHW), \
    [0xe6] = PFX(UD, PD(CVTTPD2DQ, Vx, Wx), PD(CVTDQ2PD, Vx, Wq), \
                 PD(CVTPD2DQ, Vx, Wx)), \
    [0xe7] = PFX(PS(MOVNTQ, Mq, Pq), PD(MOVNTDQ, Mdq, Vx), UD, UD), \
    [0xe8] = MMX2(PSUBSB), [0xe9] = MMX2(PSUBSW), \
    [0xea] = MMXF(PMINSW, SSE, Qq), [0xeb] = MMX2(POR), \
    [0xec] = MMX2(PADDSB), [0xed] = MMX2(PADDSW), \
    [0xee] = MMXF(PMAXSW, SSE, Qq), [0xef] = MMX2(PXOR), \
    [0xf0] = PFX(UD, UD, UD, S3(LDDQU, Vx, Mdq)), \
    [0xf1] = MMX2(PSLLW), [0xf2] = MMX2(PSLLD), [0xf3] = MMX2(PSLLQ), \
    [0xf4] = MMXF(PMULUDQ, SSE2, Qq), [0xf5] = MMX2(PMADDWD), \
    [0xf6] = MMXF(PSADBW, SSE, Qq), \
    [0xf7] = PFX(PS(MASKMOVQ, Pq, Nq), PD(MASKMOVDQU, Vx, Ux), UD, UD), \
    [0xf8] = MMX2(PSUBB), [0xf9] = MMX2(PSUBW), [0xfa] = MMX2(PSUBD), \
    [0xfb] = MMXF(PSUBQ, SSE2, Qq), [0xfc] = MMX2(PADDB), [0xfd] = MMX2(PADDW), \
    [0xfe] = MMX2(PADDD)

const X86OpRow x86_map_0f[256] = {
    [0x00] = GRP(I(SLDT, Ewv), I(STR, Ewv), IF(LLDT, PRV, Ew), IF(LTR, PRV, Ew),
                 I(VERR, Ew), I(VERW, Ew)),
    [0x01] = GRP7,
    [0x02] = I(LAR, Gv, Ewv), [0x03] = I(LSL, Gv, Ewv),
    [0x05] = IX(SYSCALL, SYSCALL, BR | O64),
    [0x06] = IF(CLTS, PRV), [0x07] = IX(SYSRET, SYSCALL, BR | O64 | PRV),
    [0x08] = IF(INVD, PRV), [0x09] = IF(WBINVD, PRV),
    [0x0b] = I(UD2),
    [0x0d] = GRPMOD([0] = IX(PREFETCH, PREFETCHW, 0, Mb),
                    [1] = IX(PREFETCHW, PREFETCHW, 0, Mb),
                    [2] = IX(PREFETCH, PREFETCHW, 0, Mb),
                    [3] = IX(PREFETCH, PREFETCHW, 0, Mb),
                    [4] = IX(PREFETCH, PREFETCHW, 0, Mb),
                    [5] = IX(PREFETCH, PREFETCHW, 0, Mb),
                    [6] = IX(PREFETCH, PREFETCHW, 0, Mb),
                    [7] = IX(PREFETCH, PREFETCHW, 0, Mb)),
    [0x18] = GRPMOD([0] = I(PREFETCHNTA, Mb), [1] = I(PREFETCHT0, Mb),
                    [2] = I(PREFETCHT1, Mb), [3] = I(PREFETCHT2, Mb),
                    [4] = I(NOP, Ev), [5] = I(NOP, Ev), [6] = I(NOP, Ev),
                    [7] = I(NOP, Ev), [8] = I(NOP, Ev), [9] = I(NOP, Ev),
                    [10] = I(NOP, Ev), [11] = I(NOP, Ev), [12] = I(NOP, Ev),
                    [13] = I(NOP, Ev), [14] = I(NOP, Ev), [15] = I(NOP, Ev)),
    [0x19] = I(NOP, Ev), [0x1a] = I(NOP, Ev), [0x1b] = I(NOP, Ev),
    [0x1c] = I(NOP, Ev), [0x1d] = I(NOP, Ev), [0x1e] = I(NOP, Ev),
    [0x1f] = I(NOP, Ev),
    [0x20] = IF(MOV, M3 | PRV, Rd, Cd), [0x21] = IF(MOV, M3 | PRV, Rd, Dd),
    [0x22] = IF(MOV, M3 | PRV, Cd, Rd), [0x23] = IF(MOV, M3 | PRV, Dd, Rd),
    [0x30] = IX(WRMSR, MSR, PRV), [0x31] = IX(RDTSC, TSC, 0),
    [0x32] = IX(RDMSR, MSR, PRV), [0x33] = I(RDPMC),
    [0x34] = IX(SYSENTER, SEP, BR), [0x35] = IX(SYSEXIT, SEP, BR | PRV),
    [0x37] = IX(GETSEC, SMX, 0),
    CMOV16(0x40),
    CC16(0x80, J, BR | F64, Jz),
    CC16(0x90, SET, 0, Eb),
    [0xa0] = IF(PUSH, D64, SEG(R_FS)), [0xa1] = IF(POP, D64, SEG(R_FS)),
    [0xa2] = I(CPUID), [0xa3] = I(BT, Ev, Gv),
    [0xa4] = I(SHLD, Ev, Gv, Ib), [0xa5] = I(SHLD, Ev, Gv, CL),
    [0xa8] = IF(PUSH, D64, SEG(R_GS)), [0xa9] = IF(POP, D64, SEG(R_GS)),
    [0xaa] = IF(RSM, BR), [0xab] = IF(BTS, LK, Ev, Gv),
    [0xac] = I(SHRD, Ev, Gv, Ib), [0xad] = I(SHRD, Ev, Gv, CL),
    [0xae] = GRP15, [0xaf] = I(IMUL, Gv, Ev),
    [0xb0] = IF(CMPXCHG, LK, Eb, Gb), [0xb1] = IF(CMPXCHG, LK, Ev, Gv),
    [0xb2] = I(LSS, Gv, Mp), [0xb3] = IF(BTR, LK, Ev, Gv),
    [0xb4] = I(LFS, Gv, Mp), [0xb5] = I(LGS, Gv, Mp),
    [0xb6] = I(MOVZX, Gv, Eb), [0xb7] = I(MOVZX, Gv, Ew),
    [0xb8] = REPSEL(UD, IX(POPCNT, POPCNT, 0, Gv, Ev), UD),
    [0xb9] = I(UD1, Gv, Ev),
    [0xba] = GRP([4] = I(BT, Ev, Ib), [5] = IF(BTS, LK, Ev, Ib),
                 [6] = IF(BTR, LK, Ev, Ib), [7] = IF(BTC, LK, Ev, Ib)),
    [0xbb] = IF(BTC, LK, Ev, Gv),
    [0xbc] = REPSEL(I(BSF, Gv, Ev), IX(TZCNT, BMI1, FB, Gv, Ev), I(BSF, Gv, Ev)),
    [0xbd] = REPSEL(I(BSR, Gv, Ev), IX(LZCNT, LZCNT, FB, Gv, Ev), I(BSR, Gv, Ev)),
    [0xbe] = I(MOVSX, Gv, Eb), [0xbf] = I(MOVSX, Gv, Ew),
    [0xc0] = IF(XADD, LK, Eb, Gb), [0xc1] = IF(XADD, LK, Ev, Gv),
    [0xc7] = GRP9,
    Z8(0xc8, I(BSWAP, Zv)),   /* 16-bit operand size: undefined result (SDM) */
    [0xff] = I(UD0, Gv, Ev),
    SSE_0F_ROWS,
};
