/*
 * softfloat.h: vireo's software floating-point core for the x86 guest.
 * The TCG helpers for x87, MMX/SSE arithmetic call these functions instead
 * of the host FPU, so that every result, every exception flag and the x87
 * C1 bit come out as the guest's hardware would produce them under the
 * guest's own control word or MXCSR. Values travel as bit patterns:
 * float32/float64 are the IEEE single/double encodings and floatx80 is the
 * x87 80-bit register format (FloatX80 from target-x86/cpu.h). The design
 * and the measured agreement with real hardware are in docs/softfloat.md.
 */
#ifndef TARGET_X86_SOFTFLOAT_H
#define TARGET_X86_SOFTFLOAT_H

#include "vireo/common.h"
#include "target-x86/cpu.h"

typedef uint32_t float32;
typedef uint64_t float64;
typedef FloatX80 floatx80;

/* Rounding modes, numbered as x87 RC and MXCSR.RC (SDM Vol.1 4.8.4). */
enum {
    SF_ROUND_NEAREST = 0,
    SF_ROUND_DOWN = 1,
    SF_ROUND_UP = 2,
    SF_ROUND_ZERO = 3,
};

/* x87 precision control, numbered as the FPU control word PC field. */
enum {
    SF_PREC_24 = 0,
    SF_PREC_53 = 2,
    SF_PREC_64 = 3,
};

/*
 * Exception flags, laid out as bits 0-5 of both the x87 status word and
 * MXCSR (SDM Vol.1 8.1.3 and 10.2.3), so they can be ORed in directly.
 */
#define SF_FLAG_INVALID     0x01u   /* IE */
#define SF_FLAG_DENORMAL    0x02u   /* DE: denormal operand */
#define SF_FLAG_DIVBYZERO   0x04u   /* ZE */
#define SF_FLAG_OVERFLOW    0x08u   /* OE */
#define SF_FLAG_UNDERFLOW   0x10u   /* UE */
#define SF_FLAG_INEXACT     0x20u   /* PE */
#define SF_FLAG_ALL         0x3fu

/* Result of a comparison (FCOM/FUCOM/FCOMI/COMISS/UCOMISS). */
typedef enum SfRelation {
    SF_LESS = -1,
    SF_EQUAL = 0,
    SF_GREATER = 1,
    SF_UNORDERED = 2,
} SfRelation;

/*
 * The floating-point environment of one operation. The caller fills the
 * controls from FPUCW or MXCSR (softfloat_status_from_fpuc / _from_mxcsr),
 * runs the operation, then ORs `flags` into FSW/MXCSR and, for x87 ops,
 * copies `c1` into FSW.C1. `flags` is sticky: operations only set bits.
 * `exc_mask` holds the masked exceptions (same bit layout as the flags):
 * an x87 result with unmasked overflow/underflow is delivered with the
 * exponent wrapped by 3 * 2^13 (SDM Vol.1 8.5.4/8.5.5) and an unmasked
 * underflow is reported even when the tiny result is exact.
 */
typedef struct SoftFloatStatus {
    uint8_t rounding;       /* SF_ROUND_* */
    uint8_t precision;      /* SF_PREC_*: significand of floatx80 results */
    bool ftz;               /* MXCSR.FTZ: masked underflow gives zero */
    bool daz;               /* MXCSR.DAZ: denormal inputs read as zero */
    uint8_t exc_mask;       /* SF_FLAG_* bits that are masked */
    uint8_t flags;          /* sticky SF_FLAG_* raised so far */
    bool c1;                /* x87: last inexact result was rounded up */
} SoftFloatStatus;

/* Fills *st from an x87 control word (RC, PC, masks); clears flags. */
void softfloat_status_from_fpuc(SoftFloatStatus *st, uint16_t fpuc);
/* Fills *st from MXCSR (RC, FTZ, DAZ, masks); clears flags. */
void softfloat_status_from_mxcsr(SoftFloatStatus *st, uint32_t mxcsr);

/* ---- floatx80: the x87 register format ---- */

/* Constants of the 80-bit format. */
#define FLOATX80_INDEFINITE \
    ((floatx80){ .mant = 0xC000000000000000ull, .sexp = 0xFFFF })
/* Integer indefinite of FIST/FISTP/FISTTP per width (SDM Vol.1 4.8.3.4). */
#define SF_INT16_INDEFINITE ((int16_t)INT16_MIN)
#define SF_INT32_INDEFINITE ((int32_t)INT32_MIN)
#define SF_INT64_INDEFINITE ((int64_t)INT64_MIN)

/* True if a is a NaN (quiet or signalling, with the integer bit set). */
bool floatx80_is_nan(floatx80 a);
/* True if a is a signalling NaN. */
bool floatx80_is_signaling_nan(floatx80 a);
/* True if a is an encoding the 387 and later reject (SDM Vol.1 8.2.2). */
bool floatx80_is_unsupported(floatx80 a);

/* Arithmetic rounded to st->precision and st->rounding; flags into st. */
floatx80 floatx80_add(SoftFloatStatus *st, floatx80 a, floatx80 b);
floatx80 floatx80_sub(SoftFloatStatus *st, floatx80 a, floatx80 b);
floatx80 floatx80_mul(SoftFloatStatus *st, floatx80 a, floatx80 b);
floatx80 floatx80_div(SoftFloatStatus *st, floatx80 a, floatx80 b);
floatx80 floatx80_sqrt(SoftFloatStatus *st, floatx80 a);

/* FCOM (signalling: any NaN raises IE) / FUCOM (quiet: only SNaN raises IE). */
SfRelation floatx80_compare(SoftFloatStatus *st, floatx80 a, floatx80 b);
SfRelation floatx80_compare_quiet(SoftFloatStatus *st, floatx80 a, floatx80 b);

/* FRNDINT: round to an integral value in st->rounding. */
floatx80 floatx80_round_to_int(SoftFloatStatus *st, floatx80 a);

/* FILD: exact integer loads. */
floatx80 int16_to_floatx80(int16_t v);
floatx80 int32_to_floatx80(int32_t v);
floatx80 int64_to_floatx80(int64_t v);
/* FIST/FISTP in st->rounding; integer indefinite with IE when out of range. */
int16_t floatx80_to_int16(SoftFloatStatus *st, floatx80 a);
int32_t floatx80_to_int32(SoftFloatStatus *st, floatx80 a);
int64_t floatx80_to_int64(SoftFloatStatus *st, floatx80 a);
/* FISTTP: the same, always truncating. */
int16_t floatx80_to_int16_round_to_zero(SoftFloatStatus *st, floatx80 a);
int32_t floatx80_to_int32_round_to_zero(SoftFloatStatus *st, floatx80 a);
int64_t floatx80_to_int64_round_to_zero(SoftFloatStatus *st, floatx80 a);

/*
 * FXAM: the class of a in FSW condition bits (C3 = 0x4000, C2 = 0x400,
 * C0 = 0x100) with C1 = 0x200 the sign; empty selects the "empty" class.
 */
uint16_t floatx80_examine(floatx80 a, bool empty);
/* The FSTENV/FSAVE tag of a non-empty register: 0 valid, 1 zero, 2 special. */
int floatx80_tag(floatx80 a);

/* FLD m32/m64: exact widening; SNaN is quieted with IE, denormals raise DE. */
floatx80 float32_to_floatx80(SoftFloatStatus *st, float32 a);
floatx80 float64_to_floatx80(SoftFloatStatus *st, float64 a);
/* The arithmetic of FADD/FSUB/FSUBR/FMUL/FDIV/FDIVR with a memory operand. */
typedef enum SfArithOp {
    SF_OP_ADD,      /* a + b */
    SF_OP_SUB,      /* a - b */
    SF_OP_SUBR,     /* b - a */
    SF_OP_MUL,      /* a * b */
    SF_OP_DIV,      /* a / b */
    SF_OP_DIVR,     /* b / a */
} SfArithOp;

/*
 * ST(0) op m32/m64: the memory operand takes part in its own format, so a
 * denormal or SNaN in it is seen by the operation as the hardware sees it
 * (converting it first with float32_to_floatx80 would quiet the SNaN and
 * report DE even where the other operand is a NaN).
 */
floatx80 floatx80_arith_f32(SoftFloatStatus *st, SfArithOp op, floatx80 a,
                            float32 b);
floatx80 floatx80_arith_f64(SoftFloatStatus *st, SfArithOp op, floatx80 a,
                            float64 b);
/* FCOM/FUCOM m32/m64 (signalling selects FCOM). */
SfRelation floatx80_compare_f32(SoftFloatStatus *st, floatx80 a, float32 b,
                                bool signalling);
SfRelation floatx80_compare_f64(SoftFloatStatus *st, floatx80 a, float64 b,
                                bool signalling);
/* FST m32/m64: rounds in st->rounding to the narrower format. */
float32 floatx80_to_float32(SoftFloatStatus *st, floatx80 a);
float64 floatx80_to_float64(SoftFloatStatus *st, floatx80 a);

/*
 * FPREM (ieee = false: quotient truncated) and FPREM1 (ieee = true: quotient
 * rounded to nearest). Returns the (partial) remainder; *fsw_cc receives the
 * condition bits to store in FSW (C0 = bit 8, C1 = bit 9, C2 = bit 10,
 * C3 = bit 14): C2 set means the reduction is incomplete and must be repeated.
 */
floatx80 floatx80_rem(SoftFloatStatus *st, floatx80 a, floatx80 b, bool ieee,
                      uint16_t *fsw_cc);
/* FSCALE: a * 2^trunc(b), rounded as an arithmetic result. */
floatx80 floatx80_scale(SoftFloatStatus *st, floatx80 a, floatx80 b);
/* FXTRACT: *exp = unbiased exponent of a, returns its significand in [1,2). */
floatx80 floatx80_extract(SoftFloatStatus *st, floatx80 a, floatx80 *exp);

/* FBLD: the 10-byte packed BCD in bcd[0..9] to floatx80 (exact). */
floatx80 bcd_to_floatx80(const uint8_t bcd[10]);
/* FBSTP: rounds a in st->rounding to 18 BCD digits; BCD indefinite with IE. */
void floatx80_to_bcd(SoftFloatStatus *st, floatx80 a, uint8_t bcd[10]);

/*
 * Transcendentals (softfloat-trans.c). Results are rounded once in
 * st->rounding to 64 bits (precision control does not apply). x is ST(0)
 * and y is ST(1) where the instruction has two operands.
 */
/* F2XM1: 2^x - 1, defined for -1 <= x <= 1. */
floatx80 floatx80_f2xm1(SoftFloatStatus *st, floatx80 x);
/* FYL2X: y * log2(x). */
floatx80 floatx80_fyl2x(SoftFloatStatus *st, floatx80 x, floatx80 y);
/* FYL2XP1: y * log2(x + 1), defined for |x| < 1 - sqrt(2)/2. */
floatx80 floatx80_fyl2xp1(SoftFloatStatus *st, floatx80 x, floatx80 y);
/* FPATAN: the angle of (x, y), i.e. atan(y / x) in the right quadrant. */
floatx80 floatx80_fpatan(SoftFloatStatus *st, floatx80 x, floatx80 y);
/*
 * FSIN/FCOS/FPTAN/FSINCOS. *fsw_cc gets C2 = 0x400 when |x| >= 2^63: then
 * nothing is computed and ST(0) must stay unchanged (and FPTAN pushes no
 * 1.0). floatx80_sincos returns the sine and stores the cosine.
 */
floatx80 floatx80_sin(SoftFloatStatus *st, floatx80 x, uint16_t *fsw_cc);
floatx80 floatx80_cos(SoftFloatStatus *st, floatx80 x, uint16_t *fsw_cc);
floatx80 floatx80_tan(SoftFloatStatus *st, floatx80 x, uint16_t *fsw_cc);
floatx80 floatx80_sincos(SoftFloatStatus *st, floatx80 x, floatx80 *cosine,
                         uint16_t *fsw_cc);

/* The constants of FLDPI, FLDL2T, FLDL2E, FLDLG2 and FLDLN2. */
typedef enum SfConstant {
    SF_CONST_PI,        /* pi */
    SF_CONST_L2T,       /* log2(10) */
    SF_CONST_L2E,       /* log2(e) */
    SF_CONST_LG2,       /* log10(2) */
    SF_CONST_LN2,       /* ln(2) */
} SfConstant;

/* The constant rounded to 64 bits in st->rounding; no flag is raised. */
floatx80 floatx80_constant(const SoftFloatStatus *st, SfConstant which);

/* ---- float32/float64: the SSE scalar formats (MXCSR rules) ---- */

#define FLOAT32_DEFAULT_NAN 0xFFC00000u
#define FLOAT64_DEFAULT_NAN 0xFFF8000000000000ull

float32 float32_add(SoftFloatStatus *st, float32 a, float32 b);
float32 float32_sub(SoftFloatStatus *st, float32 a, float32 b);
float32 float32_mul(SoftFloatStatus *st, float32 a, float32 b);
float32 float32_div(SoftFloatStatus *st, float32 a, float32 b);
float32 float32_sqrt(SoftFloatStatus *st, float32 a);
float64 float64_add(SoftFloatStatus *st, float64 a, float64 b);
float64 float64_sub(SoftFloatStatus *st, float64 a, float64 b);
float64 float64_mul(SoftFloatStatus *st, float64 a, float64 b);
float64 float64_div(SoftFloatStatus *st, float64 a, float64 b);
float64 float64_sqrt(SoftFloatStatus *st, float64 a);
/* MINSS/MAXSS/MINSD/MAXSD: b is returned for a NaN or when both are zero. */
float32 float32_min(SoftFloatStatus *st, float32 a, float32 b);
float32 float32_max(SoftFloatStatus *st, float32 a, float32 b);
float64 float64_min(SoftFloatStatus *st, float64 a, float64 b);
float64 float64_max(SoftFloatStatus *st, float64 a, float64 b);
/* COMISS/COMISD (signalling) and UCOMISS/UCOMISD (quiet). */
SfRelation float32_compare(SoftFloatStatus *st, float32 a, float32 b);
SfRelation float32_compare_quiet(SoftFloatStatus *st, float32 a, float32 b);
SfRelation float64_compare(SoftFloatStatus *st, float64 a, float64 b);
SfRelation float64_compare_quiet(SoftFloatStatus *st, float64 a, float64 b);
/*
 * CMPSS/CMPSD with predicate imm & 7 (EQ, LT, LE, UNORD, NEQ, NLT, NLE,
 * ORD): true when the predicate holds. LT/LE/NLT/NLE raise IE on any NaN,
 * the others only on an SNaN (SDM Vol.2 CMPSS, table 3-1).
 */
bool float32_compare_predicate(SoftFloatStatus *st, float32 a, float32 b,
                               int imm);
bool float64_compare_predicate(SoftFloatStatus *st, float64 a, float64 b,
                               int imm);
/* CVTSS2SD / CVTSD2SS. */
float64 float32_to_float64(SoftFloatStatus *st, float32 a);
float32 float64_to_float32(SoftFloatStatus *st, float64 a);
/* CVTSI2SS/SD: rounds in st->rounding. */
float32 int32_to_float32(SoftFloatStatus *st, int32_t v);
float32 int64_to_float32(SoftFloatStatus *st, int64_t v);
float64 int32_to_float64(SoftFloatStatus *st, int32_t v);
float64 int64_to_float64(SoftFloatStatus *st, int64_t v);
/* CVTSS2SI/CVTSD2SI (st->rounding) and CVTT* (truncating); indefinite + IE. */
int32_t float32_to_int32(SoftFloatStatus *st, float32 a);
int64_t float32_to_int64(SoftFloatStatus *st, float32 a);
int32_t float64_to_int32(SoftFloatStatus *st, float64 a);
int64_t float64_to_int64(SoftFloatStatus *st, float64 a);
int32_t float32_to_int32_round_to_zero(SoftFloatStatus *st, float32 a);
int64_t float32_to_int64_round_to_zero(SoftFloatStatus *st, float32 a);
int32_t float64_to_int32_round_to_zero(SoftFloatStatus *st, float64 a);
int64_t float64_to_int64_round_to_zero(SoftFloatStatus *st, float64 a);
/* ROUNDSS/ROUNDSD in st->rounding; PE is not raised when suppress_pe. */
float32 float32_round_to_int(SoftFloatStatus *st, float32 a, bool suppress_pe);
float64 float64_round_to_int(SoftFloatStatus *st, float64 a, bool suppress_pe);

#endif
