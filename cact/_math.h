/* cact scalar math: the value and the derivative of each activation at one point.
 *
 * One function per (activation, value|derivative), in double precision. float32 kernels call the
 * same functions and round once, so both dtypes share one definition. Each function is accurate to
 * a few ulp over the whole range, tails included (tests/test_accuracy.py checks against mpmath):
 * - no cancellation: sigmoid uses exp(-|x|); gelu-tanh is x*sigmoid(2z); gelu-erf uses erfc;
 *   elu uses expm1; near the root of gelu' (x ~ -0.752) a Taylor series in x - root is used, and
 *   piecewise Taylor tables where Phi + x phi partly cancels;
 * - no argument error in exponentials: when exp(u) has |u| large, u is carried as a double-double
 *   (hi + lo);
 * - subnormal results are rounded once: m * exp(u) is scaled by 2^k in two steps at the very end;
 * - NaN in gives NaN out (comparisons are written so that NaN falls through to arithmetic), and
 *   +-inf give the limits.
 * Speed: everything but gelu-erf (which calls libm's erfc) is branch-free straight-line code with
 * its own exp, so loops over it vectorize (4 doubles per AVX2 register).
 * Compile with -ffp-contract=off: the error-free transformations below must not be contracted.
 */
#ifndef CACT_MATH_H
#define CACT_MATH_H

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "_constants.h"
#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

/* Always inlined: a loop vectorizes only when every call in its body is inlined, and in a module
 * with dozens of loops GCC's inlining budget runs out otherwise. */
#if defined(_MSC_VER)
#define CACT_INLINE static __forceinline
#elif defined(__GNUC__) || defined(__clang__)
#define CACT_INLINE static inline __attribute__((always_inline))
#else
#define CACT_INLINE static inline
#endif

/* a * b + c: fused where the CPU has FMA (one rounding), else two roundings. Only used where
 * either is accurate enough; exact products use cact_two_prod. */
#if defined(__FMA__)
#define CACT_MADD(a, b, c) __builtin_fma((a), (b), (c))
#else
#define CACT_MADD(a, b, c) ((a) * (b) + (c))
#endif

#if defined(__GNUC__) && !defined(__clang__)
#define CACT_UNROLL _Pragma("GCC unroll 32")
#else
#define CACT_UNROLL
#endif

/* Powers of two as constant expressions, all exact (MSVC's C compiler has no hex float literals) */
#define CACT_2P30 1073741824.0
#define CACT_2P60 (CACT_2P30 * CACT_2P30)
#define CACT_2M60 (1.0 / CACT_2P60)
#define CACT_2P100 (CACT_2P60 * CACT_2P30 * 1024.0)
#define CACT_2M100 (1.0 / CACT_2P100)
#define CACT_2P100F ((float)CACT_2P100)
#define CACT_2M100F ((float)CACT_2M100)
#define CACT_2P600 (CACT_2P100 * CACT_2P100 * CACT_2P100 * CACT_2P100 * CACT_2P100 * CACT_2P100)
#define CACT_2M600 (1.0 / CACT_2P600)

/* ---- error-free transformations ------------------------------------------------------------ */

/* a * b == *p + *e exactly (|a|, |b| < 2^996 without FMA: Dekker's splitting) */
CACT_INLINE void cact_two_prod(double a, double b, double *p, double *e) {
    *p = a * b;
#if defined(__FMA__)
    *e = __builtin_fma(a, b, -*p);
#else
    const double split = 134217729.0; /* 2^27 + 1 */
    double t = split * a, ah = t - (t - a), al = a - ah;
    t = split * b;
    double bh = t - (t - b), bl = b - bh;
    *e = ((ah * bh - *p) + ah * bl + al * bh) + al * bl;
#endif
}

/* a + b == *s + *e exactly (any order of magnitude) */
CACT_INLINE void cact_two_sum(double a, double b, double *s, double *e) {
    double s_ = a + b;
    double bb = s_ - a;
    *e = (a - (s_ - bb)) + (b - bb);
    *s = s_;
}

/* ---- exp ------------------------------------------------------------------------------------ */

#define CACT_LOG2E 1.4426950408889634
#define CACT_LN2_HI 6.93147180369123816490e-01 /* 32 significant bits: k * LN2_HI is exact */
#define CACT_LN2_LO 1.90821492927058770002e-10
#define CACT_SHIFT 6755399441055744.0          /* 1.5 * 2^52: adding it rounds to an integer */

CACT_INLINE double cact_as_double(uint64_t u) { double d; memcpy(&d, &u, sizeof d); return d; }
CACT_INLINE uint64_t cact_as_uint64(double d) { uint64_t u; memcpy(&u, &d, sizeof u); return u; }

/* exp(h + lo) = 2^k (1 + t): reduces h + lo to r = h + lo - k ln 2, |r| <= 0.35, and returns
 * t = exp(r) - 1 = r + r^2 q(r), q of degree 9 fitted near minimax (tools/fit_exp.py: relative error
 * 1.6e-17 = 0.15 x 2^-53; the degree-11 Taylor q it replaced: 5e-18, 7% slower). k is kept
 * as ks = k + 1.5 * 2^52, whose low bits are k, so 2^k costs a shift and an integer add
 * (cact_ldexp_ks); k is 0 when h is NaN (its payload bits would otherwise be shifted into the
 * exponent of the NaN result and make it a number). h must be finite in [-1400, 1400] (callers
 * clamp) or NaN; lo small relative to h. k ln2_hi is exact (32 + 11 bits), so with or without FMA the first step is exact. */
#define CACT_EXP_Q0 0.5000000000000001
#define CACT_EXP_Q1 0.16666666666666669
#define CACT_EXP_Q2 0.04166666666662404
#define CACT_EXP_Q3 0.008333333333330055
#define CACT_EXP_Q4 0.0013888888917258759
#define CACT_EXP_Q5 0.00019841269863088255
#define CACT_EXP_Q6 2.4801521225986432e-05
#define CACT_EXP_Q7 2.7557268406190795e-06
#define CACT_EXP_Q8 2.7620121717381933e-07
#define CACT_EXP_Q9 2.51004110820149e-08
CACT_INLINE double cact_exp_reduce_raw(double h, double lo, double *ks) {
    double s = CACT_MADD(h, CACT_LOG2E, CACT_SHIFT);
    double kd = s - CACT_SHIFT;
    double r = CACT_MADD(-kd, CACT_LN2_HI, h);
    r = CACT_MADD(-kd, CACT_LN2_LO, r) + lo;
    double q = CACT_MADD(CACT_EXP_Q9, r, CACT_EXP_Q8);
    q = CACT_MADD(q, r, CACT_EXP_Q7);
    q = CACT_MADD(q, r, CACT_EXP_Q6);
    q = CACT_MADD(q, r, CACT_EXP_Q5);
    q = CACT_MADD(q, r, CACT_EXP_Q4);
    q = CACT_MADD(q, r, CACT_EXP_Q3);
    q = CACT_MADD(q, r, CACT_EXP_Q2);
    q = CACT_MADD(q, r, CACT_EXP_Q1);
    q = CACT_MADD(q, r, CACT_EXP_Q0);
    *ks = s;
    return CACT_MADD(r * r, q, r);
}

CACT_INLINE double cact_exp_reduce(double h, double lo, double *ks) {
    double t = cact_exp_reduce_raw(h, lo, ks);
    *ks = h == h ? *ks : CACT_SHIFT;   /* k = 0 for NaN: a NaN's payload must not reach the exponent */
    return t;
}

/* m 2^k for k carried in ks (see cact_exp_reduce), when the result is a normal double */
CACT_INLINE double cact_ldexp_ks(double m, double ks) {
    return cact_as_double(cact_as_uint64(m) + (cact_as_uint64(ks) << 52));
}

/* m exp(hi + lo) for hi <= 0 (or NaN) and |m| <= 2^400, rounded once even where the result is
 * subnormal: m 2^600 (1 + t) (one rounding) is scaled by 2^k exactly (a normal double for
 * k >= -1622, so hi is capped at -1120, where exp is below 2^-1615 and any m exp is 0) and then
 * by 2^-600, the only other rounding step; exp alone would already be subnormal and lose digits
 * that |m| > 1 would magnify. */
#define CACT_EXP_LOW -1120.0
CACT_INLINE double cact_mul_exp_t(double m, double t, double ks) {   /* m 2^k (1 + t), so */
    double ms = m * CACT_2P600;
    return cact_ldexp_ks(CACT_MADD(ms, t, ms), ks) * CACT_2M600;
}

CACT_INLINE double cact_mul_exp(double m, double hi, double lo) {
    double ks, h = hi < CACT_EXP_LOW ? CACT_EXP_LOW : hi;       /* NaN stays NaN */
    double t = cact_exp_reduce(h, h == hi ? lo : 0.0, &ks);
    return cact_mul_exp_t(m, t, ks);
}

/* exp(x) for x <= 0 (or NaN) */
CACT_INLINE double cact_exp(double x) { return cact_mul_exp(1.0, x, -0.0); }

/* exp(x) - 1 without cancellation: 2^k (1 + t) - 1 = 2^k t + (2^k - 1), exact for k = 0. */
CACT_INLINE double cact_expm1(double x) {
    double ks;
    double t = cact_exp_reduce(x < -60.0 ? -60.0 : (x > 700.0 ? 700.0 : x), -0.0, &ks);
    double s = cact_ldexp_ks(1.0, ks);
    return CACT_MADD(s, t, s - 1.0);
}

/* ---- float exp, for float32 kernels whose argument is exact in float ---------------------------- */

#if defined(__FMA__)
#define CACT_MADDF(a, b, c) __builtin_fmaf((a), (b), (c))
#else
#define CACT_MADDF(a, b, c) ((a) * (b) + (c))
#endif
#define CACT_SHIFTF 12582912.0f /* 1.5 * 2^23 */

CACT_INLINE float cact_as_float(uint32_t u) { float f; memcpy(&f, &u, sizeof f); return f; }
CACT_INLINE uint32_t cact_as_uint32(float f) { uint32_t u; memcpy(&u, &f, sizeof u); return u; }

/* exp in float (8 lanes per AVX2 register), for float32 kernels whose argument is exact in float
 * (or carried as hi + lo). h + lo = k ln2 + r, |r| <= 0.347; exp(r) - 1 = r + r^2 q(r) with q a
 * degree-4 near-minimax fit (tools/fit_expf.py; relative error 3.7e-9, 0.03 ulp of 1).
 * k is kept as the float ks = k + 1.5 * 2^23, whose low bits are k, so 2^k costs a shift and an
 * integer add. h must lie in [-110, 88] (callers clamp) or be NaN. k ln2_hi is exact (16 + 8 bits).
 * Callers without a lo pass -0.0f, which the compiler drops (r + -0 == r). */
#define CACT_EXPF_Q4 0.001381455920636654f
#define CACT_EXPF_Q3 0.008368735201656818f
#define CACT_EXPF_Q2 0.04166838899254799f
#define CACT_EXPF_Q1 0.1666652113199234f
#define CACT_EXPF_Q0 0.4999999403953552f

CACT_INLINE float cact_expf_t_raw(float h, float lo, float *ks) {
    float s = CACT_MADDF(h, 1.44269504f, CACT_SHIFTF);
    float kd = s - CACT_SHIFTF;
    float r = CACT_MADDF(-kd, 0.693145751953125f, h);
    r = CACT_MADDF(-kd, 1.428606765330187e-06f, r) + lo;
    float q = CACT_MADDF(CACT_EXPF_Q4, r, CACT_EXPF_Q3);
    q = CACT_MADDF(q, r, CACT_EXPF_Q2);
    q = CACT_MADDF(q, r, CACT_EXPF_Q1);
    q = CACT_MADDF(q, r, CACT_EXPF_Q0);
    *ks = s;
    return CACT_MADDF(r * r, q, r);
}

CACT_INLINE float cact_expf_t(float h, float lo, float *ks) {
    float t = cact_expf_t_raw(h, lo, ks);
    *ks = h == h ? *ks : CACT_SHIFTF;  /* k = 0 for NaN: a NaN's payload must not reach the exponent */
    return t;
}

/* m * 2^k for k carried in ks (see cact_expf_t), when the result is a normal float */
CACT_INLINE float cact_ldexpf_ks(float m, float ks) {
    return cact_as_float(cact_as_uint32(m) + (cact_as_uint32(ks) << 23));
}

/* 2^100 exp(h + lo) for h <= 0 (or NaN): at least 2^-59, so always a normal float (no slow
 * subnormal arithmetic, even in lanes whose result is discarded). 2^(k + 100) (k in [-159, 0]) is
 * built as a float and (1 + t) scaled by it in one FMA: the same bits as scaling the rounded
 * 2^100 (1 + t) by 2^k, and NaN needs no guard: t is NaN, and so is the FMA, whatever the bits
 * made of a NaN's k. */
CACT_INLINE float cact_expf_2p100_t(float t, float ks) {   /* 2^100 2^k (1 + t), k in [-226, 27] */
    float s = cact_as_float((cact_as_uint32(ks) << 23) + (227u << 23));   /* 2^(k + 100) */
    return CACT_MADDF(t, s, s);
}

CACT_INLINE float cact_expf_neg_2p100(float h, float lo) {
    float ks, hc = h < -110.0f ? -110.0f : h;      /* NaN stays NaN */
    float t = cact_expf_t_raw(hc, lo, &ks);
    return cact_expf_2p100_t(t, ks);
}

/* exp(h + lo) for h <= 0 (or NaN), rounded once also where the result is subnormal: the product
 * by 2^-100 is the only rounding step. */
CACT_INLINE float cact_expf_neg(float h, float lo) {
    return cact_expf_neg_2p100(h, lo) * CACT_2M100F;
}

/* a * b == *p + *e exactly, in float */
CACT_INLINE void cact_two_prodf(float a, float b, float *p, float *e) {
    *p = a * b;
#if defined(__FMA__)
    *e = __builtin_fmaf(a, b, -*p);
#else
    const float split = 4097.0f; /* 2^12 + 1 */
    float t = split * a, ah = t - (t - a), al = a - ah;
    t = split * b;
    float bh = t - (t - b), bl = b - bh;
    *e = ((ah * bh - *p) + ah * bl + al * bh) + al * bl;
#endif
}

/* exp(x - m) with x - m carried exactly; used by softmax (m = row max, x <= m).
 * x = -inf (a mask) or m = +-inf: the difference is +-inf or NaN, and exp of it is right. */
CACT_INLINE double cact_exp_diff(double x, double m) {
    double d, r;
    cact_two_sum(x, -m, &d, &r);
    return cact_mul_exp(1.0, d, fabs(d) <= 1400.0 ? r : 0.0);
}

/* exp(x - m) in float for float x <= m (softmax rows): x - m is carried as hi + lo (two_sum), so
 * the argument is exact. Exactly 0 below -104 (exp rounds to 0 in float there), which also keeps
 * masked (-inf) entries off the slow subnormal path. m = +-inf: NaN or 0, as for the double form. */
CACT_INLINE float cact_expf_diff(float x, float m) {
    float d = x - m, bb = d - x;
    float dl = (x - (d - bb)) + (-m - bb);
    float e = cact_expf_neg_2p100(d, d >= -110.0f ? dl : 0.0f);  /* dl is NaN when d = -inf */
    return (d < -104.0f ? 0.0f : e) * CACT_2M100F;
}

/* exp(x - m) as cact_exp_diff / cact_expf_diff (the same bits), for a row whose max m is finite
 * and below CACT_DIFF_MAX_M / CACT_DIFFF_MAX_M in magnitude, so x is a number or -inf (a mask):
 * x is raised to the type's lowest finite value, so x - m and its error are finite, and the lanes
 * need no NaN guards; the argument is clamped where exp is 0 anyway, and that 0 is selected
 * (no lane forms a subnormal it does not return: they cost microcode assists). Measured on masked
 * rows (1% -inf) with AVX2: 2.7x faster than the guarded form (tools: see the commit message). */
#define CACT_DIFF_MAX_M 1e290
#define CACT_DIFFF_MAX_M 1e30f
CACT_INLINE double cact_exp_diff_finite(double x, double m) {
    double xc = x > -DBL_MAX ? x : -DBL_MAX, d, r, ks;
    cact_two_sum(xc, -m, &d, &r);
    double dc = d > -800.0 ? d : -800.0;
    double t = cact_exp_reduce_raw(dc, r, &ks);
    double E = cact_mul_exp_t(1.0, t, ks);
    return d < -745.2 ? 0.0 : E;   /* exp(-745.2) < 2^-1075: rounds to 0 */
}

CACT_INLINE float cact_expf_diff_finite(float x, float m) {
    float xc = x > -FLT_MAX ? x : -FLT_MAX;
    float d = xc - m, bb = d - xc;
    float dl = (xc - (d - bb)) + (-m - bb);
    float dc = d > -120.0f ? d : -120.0f, ks;
    float t = cact_expf_t_raw(dc, dl, &ks);
    float E = cact_expf_2p100_t(t, ks);
    return (d < -104.0f ? 0.0f : E) * CACT_2M100F;
}

/* Horner evaluation of sum c[k] d^(k+1), k < n */
CACT_INLINE double cact_series(const double *c, int n, double d) {
    double p = c[n - 1];
    CACT_UNROLL
    for (int k = n - 2; k >= 0; --k) p = CACT_MADD(p, d, c[k]);
    return p * d;
}

/* Piecewise Taylor table: sum c[i][k] d^k, d = x - center_i, for PIECE_LO <= x < PIECE_HI (outside,
 * the nearest piece is evaluated, for the caller to discard). Centers are multiples of STEP/2, so
 * d is exact. */
#define CACT_N_PIECES ((int)((CACT_PIECE_HI - CACT_PIECE_LO) / CACT_PIECE_STEP + 0.5))
CACT_INLINE double cact_pieces(const double (*c)[CACT_PIECE_DEGREE + 1], double x) {
    double f = (x - CACT_PIECE_LO) * (1.0 / CACT_PIECE_STEP);
    f = f >= 0.0 ? (f < CACT_N_PIECES - 1 ? f : CACT_N_PIECES - 1) : 0.0; /* NaN -> 0 */
    int i = (int)f;
    double d = x - (CACT_PIECE_LO + (i + 0.5) * CACT_PIECE_STEP);
    double p = c[i][CACT_PIECE_DEGREE];
    CACT_UNROLL
    for (int k = CACT_PIECE_DEGREE - 1; k >= 0; --k) p = CACT_MADD(p, d, c[i][k]);
    return p;
}

#define CACT_IN_PIECES(x) ((x) >= CACT_PIECE_LO && (x) < CACT_PIECE_HI)

/* every v[i] finite: a count of exponents of all ones (a loop that stops at the first would not vectorize) */
CACT_INLINE int cact_all_finite(const double *v, Py_ssize_t n) {
    int64_t bad = 0;
    for (Py_ssize_t i = 0; i < n; ++i)
        bad += (cact_as_uint64(v[i]) & 0x7FF0000000000000ull) == 0x7FF0000000000000ull;
    return bad == 0;
}

/* ---- sigmoid ------------------------------------------------------------------------------- */

CACT_INLINE double cact_sigmoid(double x) {
    double e = cact_exp(-fabs(x));
    return (x >= 0 ? 1.0 : e) / (1.0 + e);
}

/* s (1 - s) = e / (1 + e)^2 with e = exp(-|x|); (1 + e)^2 carried as hi + lo */
CACT_INLINE double cact_sigmoid_grad(double x) {
    double e = cact_exp(-fabs(x));
    double dh = 1.0 + e;
    double dl = e - (dh - 1.0);          /* exact: 1 >= e */
    double p, pe;
    cact_two_prod(dh, dh, &p, &pe);
    pe += 2.0 * dh * dl;
    return e / (p + pe);
}

/* float32 in float arithmetic (8 lanes per AVX2 register): -|x| is exact, so expf's ~1 ulp is
 * the only error that matters; max 2.x ulp of float32 (tests/test_accuracy.py). The value is
 * e / (1 + e) or 1 / (1 + e) with numerator and denominator both scaled by 2^100 (E = 2^100 e is
 * always normal), so the one division is also the one rounding of a subnormal result. */
CACT_INLINE float cact_sigmoid_f32(float x) {
    float E = cact_expf_neg_2p100(-fabsf(x), -0.0f);       /* 2^100 e */
    return (x >= 0 ? CACT_2P100F : E) / (CACT_2P100F + E);
}

/* The float32 forward over a span: cact_sigmoid_f32 at each element. The AVX-512 and AVX2 builds
 * write the loop with intrinsics: the same operations in the same order (the same bits), but
 * -min(|x|, 110) as one OR and one max whose second operand is the one a NaN keeps (GCC's loop:
 * and, compare, xor, blend, as C's comparison cannot become a max without the NaN rule), two
 * instructions fewer in ~24 per vector, where the loop is port-bound (zmm FMA: 0.183 ns each here,
 * two ports). tools/c/sigmoid_span_bench.c, loop / span per value, 1 thread or 2: AVX-512 1.03-1.05,
 * AVX2 1.19-1.21. */
#if defined(__AVX512F__) && defined(__AVX512DQ__)
#define CACT_SPAN_W 16
#define CACT_V __m512
#define CACT_VOP(op) _mm512_##op
#define CACT_V_AS_I _mm512_castps_si512
#define CACT_I_AS_V _mm512_castsi512_ps
#define CACT_V_SELECT_GE0(x, neg, pos) _mm512_mask_blend_ps(_mm512_cmp_ps_mask((x), _mm512_setzero_ps(), _CMP_GE_OQ), (neg), (pos))
#elif defined(__AVX2__) && defined(__FMA__)
#define CACT_SPAN_W 8
#define CACT_V __m256
#define CACT_VOP(op) _mm256_##op
#define CACT_V_AS_I _mm256_castps_si256
#define CACT_I_AS_V _mm256_castsi256_ps
#define CACT_V_SELECT_GE0(x, neg, pos) _mm256_blendv_ps((neg), (pos), _mm256_cmp_ps((x), _mm256_setzero_ps(), _CMP_GE_OQ))
#endif

#ifdef CACT_SPAN_W
static inline CACT_V cact_sigmoid_f32v(CACT_V x) {
#define CACT_C(v) CACT_VOP(set1_ps)(v)
    const CACT_V shift = CACT_C(CACT_SHIFTF), big = CACT_C(CACT_2P100F);
    CACT_V h = CACT_VOP(max_ps)(CACT_C(-110.0f), CACT_VOP(or_ps)(x, CACT_C(-0.0f)));   /* NaN stays */
    CACT_V s = CACT_VOP(fmadd_ps)(h, CACT_C(1.44269504f), shift);                    /* cact_expf_t_raw */
    CACT_V kd = CACT_VOP(sub_ps)(s, shift);
    CACT_V r = CACT_VOP(fnmadd_ps)(kd, CACT_C(0.693145751953125f), h);
    r = CACT_VOP(fnmadd_ps)(kd, CACT_C(1.428606765330187e-06f), r);
    CACT_V q = CACT_VOP(fmadd_ps)(CACT_C(CACT_EXPF_Q4), r, CACT_C(CACT_EXPF_Q3));
    q = CACT_VOP(fmadd_ps)(q, r, CACT_C(CACT_EXPF_Q2));
    q = CACT_VOP(fmadd_ps)(q, r, CACT_C(CACT_EXPF_Q1));
    q = CACT_VOP(fmadd_ps)(q, r, CACT_C(CACT_EXPF_Q0));
    CACT_V t = CACT_VOP(fmadd_ps)(CACT_VOP(mul_ps)(r, r), q, r);
    CACT_V sc = CACT_I_AS_V(CACT_VOP(add_epi32)(CACT_VOP(slli_epi32)(CACT_V_AS_I(s), 23),
                                                CACT_VOP(set1_epi32)(227 << 23)));   /* cact_expf_2p100_t */
    CACT_V E = CACT_VOP(fmadd_ps)(t, sc, sc);
    return CACT_VOP(div_ps)(CACT_V_SELECT_GE0(x, E, big), CACT_VOP(add_ps)(big, E));
#undef CACT_C
}

CACT_INLINE void cact_sigmoid_f32_span(const float *x, float *y, Py_ssize_t n) {
    Py_ssize_t j = 0;
    for (; j + CACT_SPAN_W <= n; j += CACT_SPAN_W)
        CACT_VOP(storeu_ps)(y + j, cact_sigmoid_f32v(CACT_VOP(loadu_ps)(x + j)));
    for (; j < n; ++j) y[j] = cact_sigmoid_f32(x[j]);
}
#else
CACT_INLINE void cact_sigmoid_f32_span(const float *x, float *y, Py_ssize_t n) {
    for (Py_ssize_t j = 0; j < n; ++j) y[j] = cact_sigmoid_f32(x[j]);
}
#endif

CACT_INLINE float cact_sigmoid_grad_f32(float x) {
    float e = cact_expf_neg(-fabsf(x), -0.0f);
    float dh = 1.0f + e, dl = e - (dh - 1.0f), p, pe;
    cact_two_prodf(dh, dh, &p, &pe);
    pe += 2.0f * dh * dl;
    return e / (p + pe);
}

/* g s'(x) in float: the product of two floats rounds once, as it would in double */
CACT_INLINE float cact_sigmoid_bwd_f32(float x, float g) { return g * cact_sigmoid_grad_f32(x); }

/* From the forward's output y = sigmoid(x) (PyTorch's sigmoid_backward): y (1 - y) for the y given
 * (its error as sigmoid'(x) is y's own, which 1 - y magnifies where y is close to 1). double: two
 * roundings; float with FMA: y - y^2 rounded once, in float lanes, and g times it (within 1.5 ulp);
 * float without FMA: in double, where y - y^2 is exact (y^2 has 48 bits), rounded once. */
CACT_INLINE double cact_sigmoid_y_grad(double y) { return y * (1.0 - y); }
#if defined(__FMA__)
CACT_INLINE float cact_sigmoid_y_grad_f32(float y) { return __builtin_fmaf(-y, y, y); }
CACT_INLINE float cact_sigmoid_y_bwd_f32(float y, float g) { return g * __builtin_fmaf(-y, y, y); }
#else
CACT_INLINE float cact_sigmoid_y_grad_f32(float y) {
    double d = y;
    return (float)(d - d * d);
}
CACT_INLINE float cact_sigmoid_y_bwd_f32(float y, float g) {
    double d = y;
    return (float)((double)g * (d - d * d));
}
#endif

/* ---- relu / leaky relu / prelu (slope a for x <= 0; derivative a at 0, as PyTorch) ---------- */

CACT_INLINE double cact_relu(double x) { return x <= 0 ? 0.0 : x; }

CACT_INLINE double cact_relu_grad(double x) { return x > 0 ? 1.0 : (x <= 0 ? 0.0 : x); }

CACT_INLINE double cact_leaky_relu(double x, double a) { return x > 0 ? x : a * x; }

CACT_INLINE double cact_leaky_relu_grad(double x, double a) {
    return x > 0 ? 1.0 : (x <= 0 ? a : x);
}

/* float32 in float (8 lanes): the same values, bit for bit (g * 1 and g * 0 are exact) */
CACT_INLINE float cact_relu_f32(float x) { return x <= 0 ? 0.0f : x; }
CACT_INLINE float cact_relu_grad_f32(float x) { return x > 0 ? 1.0f : (x <= 0 ? 0.0f : x); }
CACT_INLINE float cact_relu_bwd_f32(float x, float g) { return g * cact_relu_grad_f32(x); }

/* float32 with a slope a carried as the float pair ah + al (48 bits of a): a x = x ah + x al
 * rounded once with FMA (builds without FMA always take the double loops, which round once, so
 * every path gives the same float). ah is a rounded toward zero, so al has
 * a's sign (never 0 unless a is: a 2^-60 stands in when a is a float), and x = +-inf gives
 * +-inf + +-inf of one sign, not NaN. Usable when a == 0 or 2^-60 <= |a| <= 2^60
 * (cact_slope_f32_ok); the kernels use the double functions otherwise, so huge, tiny and
 * non-finite slopes keep their double semantics. */
CACT_INLINE int cact_slope_f32_ok(double a) {
#if defined(__FMA__)
    double m = fabs(a);
    return a == 0 || (m >= CACT_2M60 && m <= CACT_2P60);
#else
    (void)a;
    return 0;   /* without FMA x ah + x al rounds twice: the double loops round once */
#endif
}
/* hi: a truncated toward 0 to float's 24 bits (for the a the pairs take, normal floats: (float)a,
 * one ulp toward 0 when that rounded away), by a mask of the double's bits; written with selects,
 * not early returns, so that loops over slopes vectorize (prelu's tables: cact_prelu_pairs) */
CACT_INLINE float cact_slope_trunc(double a) {
    return (float)cact_as_double(cact_as_uint64(a) & ~(uint64_t)0x1FFFFFFF);
}
CACT_INLINE float cact_slope_hi(double a) { return cact_slope_f32_ok(a) ? cact_slope_trunc(a) : 0.0f; }
CACT_INLINE float cact_slope_lo(double a) {
    double d = a - (double)cact_slope_trunc(a);
    return cact_slope_f32_ok(a) ? (float)(d == 0 ? a * CACT_2M60 : d) : 0.0f;
}
CACT_INLINE float cact_mul_slope_f32(float x, float ah, float al) { return CACT_MADDF(x, ah, x * al); }

CACT_INLINE float cact_leaky_relu_f32(float x, float ah, float al) {
    return x > 0 ? x : cact_mul_slope_f32(x, ah, al);
}
CACT_INLINE float cact_leaky_relu_grad_f32(float x, float ah, float al) {
    return x > 0 ? 1.0f : (x <= 0 ? ah + al : x);   /* a rounded once to float */
}
CACT_INLINE float cact_leaky_relu_bwd_f32(float x, float g, float ah, float al) {
    return x > 0 ? g : (x <= 0 ? cact_mul_slope_f32(g, ah, al) : x);
}

/* d prelu / d alpha at one point: x where x <= 0, else 0 (NaN stays NaN) */
CACT_INLINE double cact_prelu_grad_alpha(double x) { return x > 0 ? 0.0 : x; }

/* ---- elu ------------------------------------------------------------------------------------ */

CACT_INLINE double cact_elu(double x, double a) { return x > 0 ? x : a * cact_expm1(x); }

CACT_INLINE double cact_elu_grad(double x, double a) {
    return x > 0 ? 1.0 : a * cact_exp(x < 0 ? x : 0.0 * x);  /* 0 * x keeps NaN */
}

/* float32: expm1 and exp in float, the product with alpha rounded once (in double). expm1 is
 * taken of -|x| with |x| capped at 30 by its bits (a signed integer min on the bits of -|x|, where
 * a larger magnitude is a larger integer: a float compare-and-select against a constant makes GCC
 * copy the arithmetic that follows for the capped lanes); a NaN is capped too and given back. */
#define CACT_M30F_BITS ((int32_t)0xC1F00000u)   /* -30.0f */
CACT_INLINE double cact_elu_f32(float x, double a) {
    int32_t nb = (int32_t)(cact_as_uint32(x) | 0x80000000u);             /* -|x| */
    float ks, t = cact_expf_t_raw(cact_as_float((uint32_t)(nb < CACT_M30F_BITS ? nb : CACT_M30F_BITS)), -0.0f, &ks);
    float s2 = cact_ldexpf_ks(1.0f, ks);
    float em1 = CACT_MADDF(s2, t, s2 - 1.0f);
    return x > 0 ? (double)x : (x != x ? (double)x : a * (double)em1);
}

CACT_INLINE double cact_elu_grad_f32(float x, double a) {
    return x > 0 ? 1.0 : (a * CACT_2M100) * (double)cact_expf_neg_2p100(x < 0 ? x : 0.0f * x, -0.0f);
}

/* g elu'(x) for float32 in float lanes, a as the pair ah + al (cact_slope_f32_ok, a != 0):
 * e = exp(x) = 2^k (1 + t), g e = th + tl exactly, then (th + tl)(ah + al) with one final rounding
 * (the dropped tl al is 2^-48 of it): the double form's error (expf's, then one rounding) to within
 * 2^-24 ulp; the sum is formed as -(-th ah - c), which gives a zero the sign of g a, as the double
 * form does. Valid in the lanes cact_elu_bwd_f32_fast_ok accepts: x > 0 (g), or -40 <= x <= 0
 * and g == 0 or 2^-40 <= |g| <= 2^40 (then e is normal, th >= 2^-97.7 or 0, |th ah| <= 2^100);
 * other lanes (NaN too) compute garbage here and take the double form. */
#define CACT_ELU_RUN 256
CACT_INLINE int cact_elu_bwd_f32_fast_ok(float x, float g) {
    float ag = fabsf(g);
    return (x > 0) | ((x >= -40.0f) & ((g == 0) | ((ag >= 0x1p-40f) & (ag <= 0x1p40f))));   /* no branches */
}

CACT_INLINE float cact_elu_bwd_f32_fast(float x, float g, float ah, float al) {
    float ks, t = cact_expf_t_raw(x < 0 ? x : 0.0f, -0.0f, &ks), s = cact_ldexpf_ks(1.0f, ks);
    float e = CACT_MADDF(s, t, s), th, tl;
    cact_two_prodf(g, e, &th, &tl);
    float c = CACT_MADDF(th, al, tl * ah);
    return x > 0 ? g : -CACT_MADDF(-th, ah, -c);
}

/* y = [g *] elu'(x) over contiguous float32 (g may be NULL; y may be x or g), CACT_ELU_RUN at a
 * time: every lane by cact_elu_bwd_f32_fast (g = 1 when there is none) when a is usable as a float
 * pair (a != 0), else by cact_elu_grad_f32 in double (exp clamped at e^-110: valid for x >= -100); then,
 * only in a run that has any, the lanes out of that form's range again in double throughout
 * (cact_elu_grad, exp not clamped: it matters where a or g a is large). Each element's bits depend
 * on its own x and g alone, whatever the runs. */
CACT_INLINE float cact_elu_f32_exact(float x, const float *g, Py_ssize_t j, double a) {
    return (float)(g ? (double)g[j] * cact_elu_grad((double)x, a) : cact_elu_grad((double)x, a));
}

CACT_INLINE int cact_elu_f32_double_ok(float x) { return (x > 0) | (x >= -100.0f); }

/* one run of m (y at d): every lane by the float form (pair) or the double one, then the lanes out
 * of its range again by cact_elu_f32_exact; g == NULL means g = 1 (the same bits: a product by 1
 * is exact). Called with g NULL or not as a constant, so each call's loops are specialized. */
CACT_INLINE void cact_elu_grad_f32_block(const float *x, const float *g, float *d, Py_ssize_t m, double a,
                                         int pair, float ah, float al) {
    Py_ssize_t j;
    int bad = 0;
#define CACT_G1(j) (g ? g[j] : 1.0f)
    if (pair) {
        for (j = 0; j < m; ++j) {
            d[j] = cact_elu_bwd_f32_fast(x[j], CACT_G1(j), ah, al);
            bad |= !cact_elu_bwd_f32_fast_ok(x[j], CACT_G1(j));
        }
        if (bad)
            for (j = 0; j < m; ++j)
                if (!cact_elu_bwd_f32_fast_ok(x[j], CACT_G1(j))) d[j] = cact_elu_f32_exact(x[j], g, j, a);
        return;
    }
    for (j = 0; j < m; ++j) {
        d[j] = (float)((double)CACT_G1(j) * cact_elu_grad_f32(x[j], a));
        bad |= !cact_elu_f32_double_ok(x[j]);
    }
    if (bad)
        for (j = 0; j < m; ++j)
            if (!cact_elu_f32_double_ok(x[j])) d[j] = cact_elu_f32_exact(x[j], g, j, a);
#undef CACT_G1
}

CACT_INLINE void cact_elu_grad_f32_run(const float *x, const float *g, float *y, Py_ssize_t n, double a) {
    float buf[CACT_ELU_RUN];
    const int pair = cact_slope_f32_ok(a) && a != 0;
    const float ah = cact_slope_hi(a), al = cact_slope_lo(a);
    const int inplace = y == x || (g && y == g);  /* (the kernels' arrays are the same or do not overlap) */
    for (Py_ssize_t b = 0; b < n; b += CACT_ELU_RUN) {
        Py_ssize_t m = n - b < CACT_ELU_RUN ? n - b : CACT_ELU_RUN;
        float *d = inplace ? buf : y + b;
        if (g)
            cact_elu_grad_f32_block(x + b, g + b, d, m, a, pair, ah, al);
        else
            cact_elu_grad_f32_block(x + b, NULL, d, m, a, pair, ah, al);
        if (inplace)
            memcpy(y + b, buf, (size_t)m * sizeof(float));
    }
}

/* ---- gelu, tanh approximation: 0.5 x (1 + tanh z) = x sigmoid(u), u = 2z = C1 x + C3 x^3 ------- */

/* u = C1 x + C3 x^3 as hi + lo, accurate to ~2^-100 relative (valid for |x| <= 1e10) */
CACT_INLINE void cact_gelu_u(double x, double *uh, double *ul) {
    double x2h, x2l, wh, wl, vh, vl, ph, pl;
    cact_two_prod(x, x, &x2h, &x2l);
    cact_two_prod(CACT_GELU_C3_HI, x2h, &wh, &wl);
    wl += CACT_GELU_C3_HI * x2l + CACT_GELU_C3_LO * x2h;
    cact_two_sum(CACT_GELU_C1_HI, wh, &vh, &vl);
    vl += CACT_GELU_C1_LO + wl;
    cact_two_prod(x, vh, &ph, &pl);
    pl += x * vl;
    cact_two_sum(ph, pl, uh, ul);
}

/* Beyond this |x| the result has saturated (x or -0) and x^3 would overflow. */
#define CACT_GELU_TANH_SAT 1e10

/* x >= 0: x s(u) = x r;  x < 0: x s(u) = x e r, with e = exp(-|u|) = 2^k (1 + t) from u as a
 * double-double and r = 1 / (1 + e); x e r is formed by cact_mul_exp_t (one rounding, also where
 * it is subnormal), and e is 0 below e^-700, where 1 + e == 1 (no lane forms a subnormal e).
 * |x| is capped at 22 inside by its bits (an integer min: a float compare-and-select against a
 * constant makes GCC copy the arithmetic that follows for the capped lanes): |u| = 795 there,
 * within exp's range with no clamp, and gelu has saturated: x for x >= 0 (x itself is the
 * factor there) and -0 for x <= -22. A NaN is capped too and given back at the end. */
#define CACT_GELU_CAP_BITS 0x4036000000000000ull   /* 22.0 */
CACT_INLINE double cact_gelu_tanh(double x) {
    uint64_t xb = cact_as_uint64(x), ab = xb & 0x7fffffffffffffffull;
    double xc = cact_as_double((ab < CACT_GELU_CAP_BITS ? ab : CACT_GELU_CAP_BITS) | (xb ^ ab));
    double uh, ul, ks;
    cact_gelu_u(xc, &uh, &ul);
    double vh = x >= 0 ? -uh : uh, vl = x >= 0 ? -ul : ul;     /* v = -|u|: u has x's sign */
    double t = cact_exp_reduce_raw(vh, vl, &ks);
    double E = cact_ldexp_ks((1.0 + t) * CACT_2P600, ks);       /* 2^600 e, normal */
    double e = (vh < -700.0 ? 0.0 : E) * CACT_2M600;
    double r = 1.0 / (1.0 + e);
    double y = x >= 0 ? x * r : cact_mul_exp_t(xc * r, t, ks);
    return x != x ? x : y;
}

/* float32 input in float lanes: gelu(x) = x / (1 + e) for x >= 0, x e / (1 + e) for x < 0, with
 * e = exp(-|u|). u = C1 x + C3 x^3 is carried as a float pair (about 44 bits), so exp(-|u|) has no
 * argument error even where |u| ~ 100 (results near float32's subnormals). |x| is capped at
 * 10.875 inside, where |u| = 109.1 (within expf's range, no clamp needed) and gelu has saturated:
 * x for x >= 0 (x itself is the numerator there), and |x| e < 2^-150 for x <= -10.875, so -0.
 * No lane computes a subnormal it does not return (those take microcode assists, ~150 cycles):
 * with E = 2^100 e (always normal), 1 + e is (2^100 + E) 2^-100 (the same rounding) and x e is
 * (x E) 2^-100, formed only in the x < 0 lanes. Max error 2.6 ulp (docs/accuracy.md). */
#define CACT_GELU_C1F_HI ((float)CACT_GELU_C1_HI)
#define CACT_GELU_C1F_LO ((float)(CACT_GELU_C1_HI - (double)CACT_GELU_C1F_HI))
#define CACT_GELU_C3F_HI ((float)CACT_GELU_C3_HI)
#define CACT_GELU_C3F_LO ((float)(CACT_GELU_C3_HI - (double)CACT_GELU_C3F_HI))
#define CACT_GELU_CAPF_BITS 0x412e0000u   /* 10.875f */

CACT_INLINE float cact_gelu_tanh_f32(float x) {
    /* u is odd in x, so -|u| = u(-|x|): computed directly from xa = -|x|, |x| capped by its bits
     * (an integer min: GCC turns a float compare-and-select here into a second copy of the
     * arithmetic for the capped lanes); a NaN is capped too, and takes the x < 0 lanes' "else" */
    uint32_t ab = cact_as_uint32(fabsf(x));
    float xa = -cact_as_float(ab < CACT_GELU_CAPF_BITS ? ab : CACT_GELU_CAPF_BITS);
    float x2, x2l, wh, wl, vh, vl, sh, sl;
    cact_two_prodf(xa, xa, &x2, &x2l);
    cact_two_prodf(CACT_GELU_C3F_HI, x2, &wh, &wl);
    wl += CACT_GELU_C3F_HI * x2l + CACT_GELU_C3F_LO * x2;
    vh = CACT_GELU_C1F_HI + wh;                                        /* two_sum */
    float bb = vh - CACT_GELU_C1F_HI;
    vl = ((CACT_GELU_C1F_HI - (vh - bb)) + (wh - bb)) + (CACT_GELU_C1F_LO + wl);
    cact_two_prodf(xa, vh, &sh, &sl);
    sl += xa * vl;                                                     /* sh + sl = -|u| >= -109.2 */
    float ks, t = cact_expf_t_raw(sh, sl, &ks);
    float E = cact_expf_2p100_t(t, ks);                                /* 2^100 e */
    float xn = x < 0 ? xa : 0.0f;          /* 0 in the x >= 0 lanes: x e there could be subnormal */
    float num = x < 0 ? (xn * E) * CACT_2M100F : x;                    /* NaN: x */
    return num / ((CACT_2P100F + E) * CACT_2M100F);
}

/* gelu'(x) for x < 0 (or NaN) away from the root of gelu' (the series below takes
 * |x - root| < 0.35), with one division: e = exp(u) from u as a double-double, u' and x u' as
 * double-doubles, (1 + e)^2 as p + pe and 1 + e as ope + dl (exact):
 *   e ((1 + e) + x u') / (1 + e)^2, the factor e applied by cact_mul_exp_t (one rounding even where
 *   the result is subnormal).
 * x is capped at -23 by its bits (a signed integer min, which for negative doubles caps the
 * magnitude: a float compare-and-select against a constant makes GCC copy the arithmetic for the
 * capped lanes): there u = -905, within exp's range with no clamp, and gelu' has underflowed to
 * -0, as it has for every x below. A NaN is capped too and given back at the end.
 * Max 2.7 ulp outside the series' range (tests/test_accuracy.py, docs/accuracy.md); near the root
 * the bracket cancels. x >= 0 takes _pos. */
#define CACT_GELU_GRAD_CAP_BITS ((int64_t)0xC037000000000000)   /* -23.0 */
CACT_INLINE double cact_gelu_tanh_grad_main(double x) {
    int64_t xb = (int64_t)cact_as_uint64(x);
    double xc = cact_as_double((uint64_t)(xb < CACT_GELU_GRAD_CAP_BITS ? xb : CACT_GELU_GRAD_CAP_BITS));
    double uh, ul, ks;
    cact_gelu_u(xc, &uh, &ul);                               /* u < 0 */
    double t = cact_exp_reduce_raw(uh, ul, &ks);
    double E = cact_ldexp_ks((1.0 + t) * CACT_2P600, ks);     /* 2^600 e, normal */
    double e = (uh < -700.0 ? 0.0 : E) * CACT_2M600;          /* no subnormal e */
    double x2h, x2l, ph, pl, duh, dul, xh, xl;
    cact_two_prod(xc, xc, &x2h, &x2l);
    cact_two_prod(CACT_GELU_3C3_HI, x2h, &ph, &pl);
    pl += CACT_GELU_3C3_HI * x2l + CACT_GELU_3C3_LO * x2h;
    cact_two_sum(CACT_GELU_C1_HI, ph, &duh, &dul);
    dul += pl + CACT_GELU_C1_LO;
    cact_two_prod(xc, duh, &xh, &xl);
    xl += xc * dul;
    double ope = 1.0 + e, dl = e - (ope - 1.0), p, pe, sh, se;
    cact_two_prod(ope, ope, &p, &pe);
    pe += 2.0 * ope * dl;
    cact_two_sum(xh, ope, &sh, &se);                         /* x u' + (1 + e): cancels near the root */
    double q = (sh + (se + (xl + dl))) / (p + pe);
    double y = cact_mul_exp_t(q, t, ks);
    return x != x ? x : y;
}

/* x >= 0 (else a placeholder): ((1 + e) + x e u') / (1 + e)^2 as in _main, with u and u' in plain
 * double: an error in u moves gelu' by only x e u' / (1 + e)^2 of it (|u| e <= 0.37), so the
 * double-double terms that x < 0 needs buy nothing here (max 2.3 ulp, docs/accuracy.md). */
CACT_INLINE double cact_gelu_tanh_grad_pos(double x) {
    double xc = x >= 0.0 ? (x > CACT_GELU_TANH_SAT ? CACT_GELU_TANH_SAT : x) : 0.0;
    double x2 = xc * xc;
    double u = xc * CACT_MADD(CACT_GELU_C3_HI, x2, CACT_GELU_C1_HI);
    double e = cact_exp(-u);
    double du = CACT_MADD(CACT_GELU_3C3_HI, x2, CACT_GELU_C1_HI);
    double ope = 1.0 + e, dl = e - (ope - 1.0), p, pe;
    cact_two_prod(ope, ope, &p, &pe);
    pe += 2.0 * ope * dl;
    return (CACT_MADD(xc * e, du, ope) + dl) / (p + pe);
}

/* within 0.35 of the root of gelu' (-0.7525), where the formula cancels: its Taylor series */
#define CACT_GELU_NEAR_ROOT(x) (fabs((x) - CACT_GELU_TANH_GRAD_ROOT_HI) < 0.35)
CACT_INLINE double cact_gelu_tanh_grad_root(double x) {
    double d = (x - CACT_GELU_TANH_GRAD_ROOT_HI) - CACT_GELU_TANH_GRAD_ROOT_LO;
    return cact_series(CACT_GELU_TANH_GRAD_SERIES, CACT_SERIES_DEGREE, d);
}

/* gelu'(x), branch-free (every lane runs all three forms; NaN takes _main, which returns NaN);
 * the contiguous kernels run cact_gelu_tanh_grad_run, which gives the same bits computing each
 * element's form only. */
CACT_INLINE double cact_gelu_tanh_grad(double x) {
    double pos = cact_gelu_tanh_grad_pos(x);
    double root = cact_gelu_tanh_grad_root(x);
    double main = cact_gelu_tanh_grad_main(x);
    return x >= 0.0 ? pos : (CACT_GELU_NEAR_ROOT(x) ? root : main);
}

/* y = [g *] gelu'(x) over contiguous x (y must not overlap x or g), block by block: the values
 * are split by form into three packed lists, each list is evaluated by a straight (vectorized) loop
 * of its own form over whole vectors (padded with a value of its form), and the results are put
 * back. AVX-512: compress by the form masks of each 8, expand by the same masks; else a branch-free
 * loop that records indices. SIMD lanes would otherwise all pay for every form: x >= 0 costs a
 * third of _main. */
#define CACT_GELU_BLOCK 256
/* Each block's time goes to arithmetic (~1.5 us) and its loads come in one burst, too short for the
 * hardware to prefetch ahead: from L3 a block took 25% longer than from L1 (tools/c/gelu_run_bench.c).
 * Runs of at least CACT_GELU_PF_FROM elements ask for the lines of x, g and y CACT_GELU_PF elements
 * ahead at each block's start (shorter runs are most often in L2, where the requests only cost: 3-5%). */
#ifndef CACT_GELU_PF_FROM   /* (tools/c/gelu_run_bench.c sets it) */
#define CACT_GELU_PF_FROM 32768
#endif
#define CACT_GELU_PF 1024
CACT_INLINE void cact_gelu_tanh_grad_lists(double v[3][CACT_GELU_BLOCK + 8], const int c[3]) {
    const double fill[3] = {1.0, CACT_GELU_TANH_GRAD_ROOT_HI, -2.0};
    int cp[3], f, k;
    for (f = 0; f < 3; ++f) {
        cp[f] = (c[f] + 7) & ~7;
        for (k = c[f]; k < cp[f]; ++k) v[f][k] = fill[f];
    }
    for (k = 0; k < cp[0]; ++k) v[0][k] = cact_gelu_tanh_grad_pos(v[0][k]);
    for (k = 0; k < cp[1]; ++k) v[1][k] = cact_gelu_tanh_grad_root(v[1][k]);
    for (k = 0; k < cp[2]; ++k) v[2][k] = cact_gelu_tanh_grad_main(v[2][k]);
}

CACT_INLINE void cact_gelu_tanh_grad_run(const double *x, const double *g, double *y, Py_ssize_t n) {
    double v[3][CACT_GELU_BLOCK + 8];
    for (Py_ssize_t b = 0; b < n; b += CACT_GELU_BLOCK) {
        int m = (int)(n - b < CACT_GELU_BLOCK ? n - b : CACT_GELU_BLOCK), c[3] = {0, 0, 0}, j = 0, k, f;
        const double *xb = x + b;
        double *yb = y + b;
#if defined(__GNUC__) || defined(__clang__)
        if (n >= CACT_GELU_PF_FROM && n - b > CACT_GELU_PF)   /* the lines of the block CACT_GELU_PF ahead */
            for (k = 0; k < CACT_GELU_BLOCK; k += 8) {
                __builtin_prefetch(xb + CACT_GELU_PF + k, 0, 3);
                if (g) __builtin_prefetch(g + b + CACT_GELU_PF + k, 0, 3);
                __builtin_prefetch(yb + CACT_GELU_PF + k, 1, 3);
            }
#endif
#if defined(__AVX512F__) && defined(__AVX512VL__)
        __mmask8 mk[CACT_GELU_BLOCK / 8][3];
        const __m512d zero = _mm512_setzero_pd(), root = _mm512_set1_pd(CACT_GELU_TANH_GRAD_ROOT_HI);
        const __m512d radius = _mm512_set1_pd(0.35);
        int w = m / 8;
        for (k = 0; k < w; ++k) {
            __m512d xv = _mm512_loadu_pd(xb + 8 * k);
            mk[k][0] = _mm512_cmp_pd_mask(xv, zero, _CMP_GE_OQ);
            mk[k][1] = _mm512_cmp_pd_mask(_mm512_abs_pd(_mm512_sub_pd(xv, root)), radius, _CMP_LT_OQ);
            mk[k][2] = (__mmask8)~(mk[k][0] | mk[k][1]);
            for (f = 0; f < 3; ++f) {
                _mm512_storeu_pd(v[f] + c[f], _mm512_maskz_compress_pd(mk[k][f], xv));
                c[f] += __builtin_popcount((unsigned)mk[k][f]);
            }
        }
        j = 8 * w;
        int c0[3] = {c[0], c[1], c[2]};   /* where the scalar tail's entries start */
#else
        int ix[3][CACT_GELU_BLOCK + 8];
#endif
        for (; j < m; ++j) {
            double xj = xb[j];
            int pos = xj >= 0.0, near = CACT_GELU_NEAR_ROOT(xj), far = !(pos | near);
#if !(defined(__AVX512F__) && defined(__AVX512VL__))
            ix[0][c[0]] = j;
            ix[1][c[1]] = j;
            ix[2][c[2]] = j;
#endif
            v[0][c[0]] = xj;
            c[0] += pos;
            v[1][c[1]] = xj;
            c[1] += near;
            v[2][c[2]] = xj;
            c[2] += far;
        }
        cact_gelu_tanh_grad_lists(v, c);
#if defined(__AVX512F__) && defined(__AVX512VL__)
        int o[3] = {0, 0, 0};
        for (k = 0; k < w; ++k) {
            __m512d r = _mm512_maskz_expandloadu_pd(mk[k][0], v[0] + o[0]);
            r = _mm512_mask_expandloadu_pd(r, mk[k][1], v[1] + o[1]);
            r = _mm512_mask_expandloadu_pd(r, mk[k][2], v[2] + o[2]);
            _mm512_storeu_pd(yb + 8 * k, r);
            for (f = 0; f < 3; ++f) o[f] += __builtin_popcount((unsigned)mk[k][f]);
        }
        for (j = 8 * w; j < m; ++j) {   /* the tail, in order, from where each list's tail starts */
            double xj = xb[j];
            f = xj >= 0.0 ? 0 : (CACT_GELU_NEAR_ROOT(xj) ? 1 : 2);
            yb[j] = v[f][c0[f]++];
        }
#else
        for (f = 0; f < 3; ++f)
            for (k = 0; k < c[f]; ++k) yb[ix[f][k]] = v[f][k];
#endif
        if (g)
            for (j = 0; j < m; ++j) yb[j] *= g[b + j];
    }
}

/* float32 input: plain double u, as for the value; near the root of gelu' the bracket
 * 1 + x r u' cancels, but its absolute error (~1e-16) stays below float32's resolution there. */
CACT_INLINE double cact_gelu_tanh_grad_f32(float xf) {
    double x = xf;
    double x2 = x * x;
    double du = CACT_MADD(3.0 * CACT_GELU_C3_HI, x2, CACT_GELU_C1_HI);
    double u = x * CACT_MADD(CACT_GELU_C3_HI, x2, CACT_GELU_C1_HI);
    double e = cact_exp(-fabs(u));
    double r = 1.0 / (1.0 + e);
    double pos = r * CACT_MADD(x * e * r, du, 1.0);
    double neg = (e * r) * CACT_MADD(x * du, r, 1.0);
    double y = x >= 0 ? pos : neg;
    return fabs(x) > CACT_GELU_TANH_SAT ? (x > 0 ? 1.0 : -0.0) : y;
}

/* ---- gelu, exact: x Phi(x), Phi(x) = erfc(-x / sqrt 2) / 2 ----------------------------------- */

/* Phi(x), with the argument t = x / sqrt 2 carried as hi + lo:
 * erfc(-(th + tl)) = erfc(-th) + tl * 2/sqrt(pi) * exp(-th^2). */
CACT_INLINE double cact_ncdf(double x) {
    double th, tl;
    cact_two_prod(x, CACT_RSQRT2_HI, &th, &tl);
    tl += x * CACT_RSQRT2_LO;
    double c = erfc(-th);
    if (x < -1.0) c = CACT_MADD(tl * CACT_2_RSQRTPI_HI, cact_exp(-th * th), c);
    return 0.5 * c;
}

/* phi(x) = exp(-x^2 / 2) / sqrt(2 pi), with x^2 carried as hi + lo */
CACT_INLINE double cact_npdf(double x) {
    double h, l;
    cact_two_prod(x, x, &h, &l);
    return cact_mul_exp(CACT_RSQRT2PI_HI, -0.5 * h, -0.5 * l);
}

/* Deep negative tail, x < -17: Phi(x) = phi(x) S(x) / -x with the asymptotic series
 * S(x) = sum_k (-1)^k (2k-1)!! / x^(2k) (its 12th term is < 1e-18 here), so
 * gelu(x) = -S phi(x) and gelu'(x) = phi(x) (x - S / x) = x phi(x) (1 - S / x^2). phi's exp(-x^2/2) is applied by
 * cact_mul_exp_dd, so subnormal results stay exact. */
#define CACT_GELU_ERF_TAIL -17.0
CACT_INLINE double cact_ncdf_tail_series(double x) {
    /* Horner from the smallest term: p_{k-1} = 1 - (2k - 1) v p_k, so the last step, 1 - v p_1,
     * rounds once with |v p_1| < 0.004. */
    double v = 1.0 / (x * x), p = 1.0;
    for (int k = 12; k >= 1; --k) p = CACT_MADD(-(2 * k - 1) * v, p, 1.0);
    return p;
}

/* Beyond this |x| the result has saturated: Phi(-40) and phi(40) are below the smallest double. */
#define CACT_GELU_ERF_SAT 40.0

CACT_INLINE double cact_gelu_erf(double x) {
    double h, l;
    if (x < -CACT_GELU_ERF_SAT) return -0.0;
    if (x < CACT_GELU_ERF_TAIL) {
        cact_two_prod(x, x, &h, &l);
        double S = cact_ncdf_tail_series(x);
        return cact_mul_exp(-CACT_MADD(S, CACT_RSQRT2PI_HI, S * CACT_RSQRT2PI_LO), -0.5 * h, -0.5 * l);
    }
    return x * cact_ncdf(x);
}

/* Phi + x phi */
CACT_INLINE double cact_gelu_erf_grad(double x) {
    double h, l;
    if (fabs(x) > CACT_GELU_ERF_SAT) return x > 0 ? 1.0 : -0.0;
    if (x < CACT_GELU_ERF_TAIL) {
        cact_two_prod(x, x, &h, &l);
        double S = cact_ncdf_tail_series(x);
        double m = CACT_MADD(x, CACT_RSQRT2PI_HI, x * CACT_RSQRT2PI_LO) * CACT_MADD(-S, 1.0 / h, 1.0);
        return cact_mul_exp(m, -0.5 * h, -0.5 * l);
    }
    if (fabs(x - CACT_GELU_ERF_GRAD_ROOT_HI) < 0.35) {
        double d = (x - CACT_GELU_ERF_GRAD_ROOT_HI) - CACT_GELU_ERF_GRAD_ROOT_LO;
        return cact_series(CACT_GELU_ERF_GRAD_SERIES, CACT_SERIES_DEGREE, d);
    }
    if (CACT_IN_PIECES(x)) return cact_pieces(CACT_GELU_ERF_GRAD_PIECES, x);
    return CACT_MADD(x, cact_npdf(x), cact_ncdf(x));
}

#endif /* CACT_MATH_H */
