/*
 * insn-tables-macros.h: the notation the opcode tables are written in.
 * Operands use the SDM's two-letter form (Ev, Gb, Iz, Jb ...; Appendix A
 * of SDM Vol.2), fixed registers their names (AL, rAX, eAX, DX, CL).
 * Rows: I(MN, ops...) a plain row; IF(MN, flags, ops...) with attribute
 * flags; IX(MN, FEATURE, flags, ops...) also needing a CPUID feature.
 * Selectors: SUB8(kind, rows...) etc. build an inline sub-table. Only the
 * insn-tables*.c files include this header.
 */
#ifndef TARGET_X86_INSN_TABLES_MACROS_H
#define TARGET_X86_INSN_TABLES_MACROS_H

#include "target-x86/cpu.h"
#include "target-x86/insn-tables.h"

#define SP(am, ot) X86_SPEC(X86_AM_##am, X86_OT_##ot, 0)

#define Ap SP(A, p)
#define Cd SP(C, nat)
#define Dd SP(D, nat)
#define Eb SP(E, b)
#define Ew SP(E, w)
#define Ed SP(E, d)
#define Eq SP(E, q)
#define Ev SP(E, v)
#define Ey SP(E, y)
#define Ewv SP(E, wv)
#define Enat SP(E, nat)
#define Gnat SP(G, nat)
#define Gb SP(G, b)
#define Gw SP(G, w)
#define Gd SP(G, d)
#define Gv SP(G, v)
#define Gz SP(G, z)
#define Gy SP(G, y)
#define Ib SP(I, b)
#define Ibs SP(I, bs)
#define Iw SP(I, w)
#define Iz SP(I, z)
#define Iv SP(I, v)
#define Jb SP(J, b)
#define Jz SP(J, z)
#define M SP(M, NONE)
#define Mb SP(M, b)
#define Mw SP(M, w)
#define Md SP(M, d)
#define Mq SP(M, q)
#define Mdq SP(M, dq)
#define Mt SP(M, t)
#define Mv SP(M, v)
#define My SP(M, y)
#define Ma SP(M, a)
#define Mp SP(M, p)
#define Ms SP(M, s)
#define Menv SP(M, env)
#define Mfsave SP(M, fsave)
#define Mfx SP(M, fx)
#define Mxs SP(M, xs)
#define Mdqq SP(M, dqq)
#define Ob SP(O, b)
#define Ov SP(O, v)
#define Sw SP(S, w)
#define Rd SP(R, nat)
#define Rv SP(R, v)
#define Ry SP(R, y)
#define Xb SP(X, b)
#define Xv SP(X, v)
#define Xz SP(X, z)
#define Yb SP(Y, b)
#define Yv SP(Y, v)
#define Yz SP(Y, z)
#define Zb SP(Z, b)
#define Zv SP(Z, v)
#define Zy SP(Z, y)
#define Nq SP(N, q)
#define Pd SP(P, d)
#define Pq SP(P, q)
#define Qd SP(Q, d)
#define Qq SP(Q, q)
#define Ux SP(U, dq)
#define Uq SP(U, q)
#define Vx SP(V, dq)
#define Vq SP(V, q)
#define Vd SP(V, d)
#define Vy SP(V, y)
#define Wx SP(W, dq)
#define Wq SP(W, q)
#define Wd SP(W, d)
#define Ww SP(W, w)
#define Wb SP(W, b)
#define Eyb SP(E, yb)
#define Eyw SP(E, yw)
#define Ryw SP(R, y)

#define GPR(ot, r) X86_SPEC(X86_AM_GPR, X86_OT_##ot, r)
#define AL GPR(b, R_EAX)
#define CL GPR(b, R_ECX)
#define AX GPR(w, R_EAX)
#define DX GPR(w, R_EDX)
#define rAX GPR(v, R_EAX)
#define eAX GPR(z, R_EAX)
#define SEG(s) X86_SPEC(X86_AM_SEG, X86_OT_w, s)
#define ONE X86_SPEC(X86_AM_ONE, X86_OT_b, 0)
#define ST0 X86_SPEC(X86_AM_ST0, X86_OT_t, 0)
#define STi X86_SPEC(X86_AM_STI, X86_OT_t, 0)
#define XMM0 X86_SPEC(X86_AM_XMM0, X86_OT_dq, 0)

/* Attribute flags, short. */
#define LK  X86_IF_LOCK
#define I64 X86_IF_I64
#define O64 X86_IF_O64
#define PRV X86_IF_PRIV
#define D64 X86_IF_DEF64
#define F64 X86_IF_F64
#define RP  X86_IF_REP
#define RPZ X86_IF_REPZ
#define MRM X86_IF_MODRM
#define M3  X86_IF_MOD3
#define BR  X86_IF_BRANCH
#define X87 X86_IF_X87
#define IO  X86_IF_IOPL
#define FB  X86_IF_FALLBACK

#define I(m, ...) { .mn = X86_MN_##m, .ops = { __VA_ARGS__ } }
#define IF(m, fl, ...) { .mn = X86_MN_##m, .flags = (fl), .ops = { __VA_ARGS__ } }
#define IX(m, feat, fl, ...) \
    { .mn = X86_MN_##m, .feature = X86_FEAT_##feat, .flags = (fl), \
      .ops = { __VA_ARGS__ } }
#define UD { .mn = X86_MN_INVALID }

#define SUBN(n, k, ...) \
    { .kind = X86_SUB_##k, .sub = (const X86OpRow[n]){ __VA_ARGS__ } }
#define GRP(...) SUBN(8, REG, __VA_ARGS__)          /* by ModRM.reg */
#define GRPMOD(...) SUBN(16, REGMOD, __VA_ARGS__)   /* [reg] mem, [8+reg] mod 3 */
#define GRPRM(...) SUBN(72, REGRM, __VA_ARGS__)     /* [reg] mem, [8+reg*8+rm] */
#define PFX(...) SUBN(4, PFX, __VA_ARGS__)          /* none, 66, F3, F2 */
#define REPSEL(...) SUBN(3, REP, __VA_ARGS__)       /* none, F3, F2 */
#define MODE64(...) SUBN(2, MODE64, __VA_ARGS__)    /* legacy, 64-bit */
#define REXW(...) SUBN(2, REXW, __VA_ARGS__)        /* W0, W1 */
#define MODSEL(...) SUBN(2, MOD, __VA_ARGS__)       /* memory, register */

/* Index of a mod 3 row in a GRPRM table, and "all eight rm" fillers. */
#define RM3(reg, rm) (8 + (reg) * 8 + (rm))
#define ALL8(base, ...) \
    [(base) + 0] = __VA_ARGS__, [(base) + 1] = __VA_ARGS__, \
    [(base) + 2] = __VA_ARGS__, [(base) + 3] = __VA_ARGS__, \
    [(base) + 4] = __VA_ARGS__, [(base) + 5] = __VA_ARGS__, \
    [(base) + 6] = __VA_ARGS__, [(base) + 7] = __VA_ARGS__
#define REG3(reg, ...) ALL8(RM3(reg, 0), __VA_ARGS__)

#endif
