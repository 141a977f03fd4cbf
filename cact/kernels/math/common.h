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
#include "constants.h"
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
 * 1.6e-17 = 0.15 x 2^-53, two terms fewer than the Taylor q of the same accuracy). k is kept
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

/* the reduction of hi + lo (hi <= 0 or NaN) for cact_mul_exp_t: hi capped at CACT_EXP_LOW, where
 * the lo part no longer counts; several factors m can share it */
CACT_INLINE double cact_exp_reduce_neg(double hi, double lo, double *ks) {
    double h = hi < CACT_EXP_LOW ? CACT_EXP_LOW : hi;       /* NaN stays NaN */
    return cact_exp_reduce(h, h == hi ? lo : 0.0, ks);
}

CACT_INLINE double cact_mul_exp(double m, double hi, double lo) {
    double ks, t = cact_exp_reduce_neg(hi, lo, &ks);
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
CACT_INLINE float cact_expf_2p100_scale(float ks) {   /* 2^(k + 100), k in [-226, 27] */
    return cact_as_float((cact_as_uint32(ks) << 23) + (227u << 23));
}
CACT_INLINE float cact_expf_2p100_t(float t, float ks) {   /* 2^100 2^k (1 + t) */
    float s = cact_expf_2p100_scale(ks);
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

/* Horner's scheme over the n float coefficients c[0] + c[1] v + ... (fitted polynomials) */
CACT_INLINE float cact_polyf(const float *c, int n, float v) {
    float p = c[n - 1];
    CACT_UNROLL
    for (int k = n - 2; k >= 0; --k) p = CACT_MADDF(p, v, c[k]);
    return p;
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
 * (no lane forms a subnormal it does not return: they cost microcode assists); on masked rows the
 * guards were most of the exponential's cost. */
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


/* every v[i] finite: a count of exponents of all ones (a loop that stops at the first would not vectorize) */
CACT_INLINE int cact_all_finite(const double *v, Py_ssize_t n) {
    int64_t bad = 0;
    for (Py_ssize_t i = 0; i < n; ++i)
        bad += (cact_as_uint64(v[i]) & 0x7FF0000000000000ull) == 0x7FF0000000000000ull;
    return bad == 0;
}

/* ---- log1p on [0, 1] ------------------------------------------------------------------------ */

/* log(1 + u) for u in [0, 1] (or NaN), as fdlibm's log1p: 1 + u = 2^k (1 + f) with f = u (k = 0)
 * below 1/2, else f = (u - 1) / 2 (k = 1, exact), so f is exact and the rounding of 1 + u never
 * enters; log1p(f) = f - (f^2/2 - s (f^2/2 + R)), s = f / (2 + f), R = z (2/3 + 2/5 z + ...), z = s^2,
 * the atanh series to 2/21 (|s| <= 1/5: truncation below 2^-58 of the result). The errors of s
 * and R reach only the small correction term: within 1 ulp. */
CACT_INLINE double cact_log1p01(double u) {
    double k = u >= 0.5 ? 1.0 : 0.0;
    double f = u >= 0.5 ? (u - 1.0) * 0.5 : u;
    double s = f / (2.0 + f), z = s * s;
    double R = 2.0 / 21.0;
    R = CACT_MADD(R, z, 2.0 / 19.0);
    R = CACT_MADD(R, z, 2.0 / 17.0);
    R = CACT_MADD(R, z, 2.0 / 15.0);
    R = CACT_MADD(R, z, 2.0 / 13.0);
    R = CACT_MADD(R, z, 2.0 / 11.0);
    R = CACT_MADD(R, z, 2.0 / 9.0);
    R = CACT_MADD(R, z, 2.0 / 7.0);
    R = CACT_MADD(R, z, 2.0 / 5.0);
    R = CACT_MADD(R, z, 2.0 / 3.0) * z;
    double hfsq = 0.5 * f * f;
    return k * CACT_LN2_HI - ((hfsq - (s * (hfsq + R) + k * CACT_LN2_LO)) - f);
}

/* log(1 + t) for finite t >= 0, branch-free (it vectorizes, where a libm call per element or row
 * would cost more than the work around it): cact_log1p01 up to 1; above, 1 + t = 2^k m (m in
 * [1, 2); its rounding is under an ulp of a result of at least ln 2) and k ln2 + log1p(m - 1),
 * m - 1 exact. Within 2 ulp. */
CACT_INLINE double cact_log1p_pos(double t) {
    double s = 1.0 + t;
    uint64_t b = cact_as_uint64(s);
    double k = (double)((int64_t)(b >> 52) - 1023);
    double f = cact_as_double((b & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull) - 1.0;
    double big = k * CACT_LN2_HI + (cact_log1p01(f) + k * CACT_LN2_LO);
    return t <= 1.0 ? cact_log1p01(t) : big;
}

#endif /* CACT_MATH_H */
