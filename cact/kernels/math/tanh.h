/* tanh: its value and derivative at a point, and its derivative from its output y. */
#ifndef CACT_TANH_H
#define CACT_TANH_H
#include "elementwise.h"

/* tanh(x) = -e / (2 + e), e = expm1(-2|x|), with x's sign: no cancellation near 0 (e ~ -2|x|, its
 * own ~1 ulp), none for large |x| (e -> -1, the result rounds to +-1 from |x| > 19.1); -2|x| is
 * exact. NaN stays NaN; -0 gives -0. */
CACT_INLINE double cact_tanh(double x) {
    double e = cact_expm1(-2.0 * fabs(x));
    return copysign(-e / (2.0 + e), x);
}

/* 1 - tanh^2 = 4 E / (1 + E)^2, E = exp(-2|x|): no cancellation anywhere (1 - t^2 loses all digits
 * as t -> 1). 4 E is rounded once by cact_mul_exp_t, so results that are subnormal (|x| > 354)
 * keep their digits; (1 + E)^2 is carried as hi + lo, as in sigmoid's derivative. */
CACT_INLINE double cact_tanh_grad(double x) {
    double ks, t = cact_exp_reduce_neg(-2.0 * fabs(x), -0.0, &ks);
    double E = cact_mul_exp_t(1.0, t, ks), E4 = cact_mul_exp_t(4.0, t, ks);
    double dh = 1.0 + E, dl = E - (dh - 1.0), p, pe;   /* dl exact: 1 >= E */
    cact_two_prod(dh, dh, &p, &pe);
    pe += 2.0 * dh * dl;
    return E4 / (p + pe);
}

/* float32 in float lanes (16 per AVX-512 register): |x| < 0.5493 (tanh < 1/2) by the odd
 * polynomial |x| + |x| s p(s), s = x^2 (tools/fit_tanhf.py); beyond, 1 - 2e / (1 + e), e =
 * exp(-2|x|) in float (-2|x| exact), whose errors reach the result scaled by at most 1/2; x's sign
 * put back last (so -0 gives -0). NaN stays NaN (the exp's branch). */
#define CACT_TANHF_P0 -0.33333316445350647f
#define CACT_TANHF_P1 0.1333259791135788f
#define CACT_TANHF_P2 -0.05385361239314079f
#define CACT_TANHF_P3 0.021077439188957214f
#define CACT_TANHF_P4 -0.006282920949161053f
#define CACT_TANHF_SMALL 0.5493f
CACT_INLINE float cact_tanh_f32(float x) {
    float a = fabsf(x), s = a * a;
    float p = CACT_MADDF(CACT_TANHF_P4, s, CACT_TANHF_P3);
    p = CACT_MADDF(p, s, CACT_TANHF_P2);
    p = CACT_MADDF(p, s, CACT_TANHF_P1);
    p = CACT_MADDF(p, s, CACT_TANHF_P0);
    float small = CACT_MADDF(a * s, p, a);
    float e = cact_expf_neg(-2.0f * a, -0.0f);
    float big = 1.0f - 2.0f * e / (1.0f + e);
    return copysignf(a < CACT_TANHF_SMALL ? small : big, x);
}

/* From the forward's output y (PyTorch's tanh_backward): 1 - y^2 for the y given. double: as
 * (1 - y)(1 + y) (1 - y is exact for y >= 1/2, where 1 - y^2 would cancel), the same bits on every
 * build. float with FMA: 1 - y^2 rounded once, in float lanes, and g times it (within 1.5 ulp);
 * without FMA: in double, where 1 - y^2 is exact (y^2 has 48 bits), rounded once. */
CACT_INLINE double cact_tanh_y_grad(double y) { return (1.0 - y) * (1.0 + y); }
#if defined(__FMA__)
CACT_INLINE float cact_tanh_y_grad_f32(float y) { return __builtin_fmaf(-y, y, 1.0f); }
/* g times it; from |y| = 2^32 (y^2 would overflow long before g (1 - y^2) does) (g y) (-y) */
CACT_INLINE float cact_tanh_y_bwd_f32(float y, float g) {
    return __builtin_fabsf(y) > 0x1p32f ? (g * y) * -y : g * __builtin_fmaf(-y, y, 1.0f);
}
#else
CACT_INLINE float cact_tanh_y_grad_f32(float y) { double d = y; return (float)(1.0 - d * d); }
CACT_INLINE float cact_tanh_y_bwd_f32(float y, float g) { double d = y; return (float)((double)g * (1.0 - d * d)); }
#endif

/* ---- blocks (elementwise.h): the float32 forward in float lanes, its derivative in double ---- */
CACT_EW_F64(tanh, cact_tanh(x[j]), cact_tanh_grad(x[j]))
CACT_EW_BLOCK(tanh, fwd, f32, float, CACT_EACH(cact_tanh_f32(x[j])))
CACT_EW_BLOCK(tanh, grad, f32, float, CACT_EACH((float)cact_tanh_grad(x[j])))
CACT_EW_BLOCK(tanh, bwd, f32, float, CACT_EACH((float)((double)g[j] * cact_tanh_grad(x[j]))))
CACT_EW_BLOCK(tanh_y, grad, f64, double, CACT_EACH(cact_tanh_y_grad(x[j])))
CACT_EW_BLOCK(tanh_y, bwd, f64, double, CACT_EACH(g[j] * cact_tanh_y_grad(x[j])))
CACT_EW_BLOCK(tanh_y, grad, f32, float, CACT_EACH(cact_tanh_y_grad_f32(x[j])))
CACT_EW_BLOCK(tanh_y, bwd, f32, float, CACT_EACH(cact_tanh_y_bwd_f32(x[j], g[j])))

/* ---- tanhshrink = x - tanh x ----------------------------------------------------------------
 * It cancels up to |x| ~ 1.5 (tanh / (x - tanh) is 10 at 0.55): below 0.55 the series x^3 c(x^2)
 * (tools/gen_constants.py); above, (|x| - 1) + 2e / (1 + e), e = exp(-2|x|), with |x| - 1 exact
 * (on [0.5, 2], where it matters), e and 2e / (1 + e) as double-doubles (e's low part recovered
 * from the exp's last rounding, the quotient's by an exact product: the same bits with and
 * without FMA), the sum rounded once: the exp polynomial's 0.15 ulp is what is left. x's sign put back last. The derivative tanh^2 uses tanh = x - tanhshrink(x). */
/* |x| - tanh|x| (returned) and tanh|x| (*th), both accurate */
CACT_INLINE double cact_tanhshrink_abs(double a, double *th) {
    double s = a * a;
    double p = CACT_TANHSHRINK_SERIES[CACT_TANHSHRINK_TERMS - 1];
    CACT_UNROLL
    for (int k = CACT_TANHSHRINK_TERMS - 2; k >= 0; --k) p = CACT_MADD(p, s, CACT_TANHSHRINK_SERIES[k]);
    double small = a * s * p;
    double h = -2.0 * a, ks;
    h = h < -60.0 ? -60.0 : h;                           /* e below 1e-26: 1 - 2e is 1 */
    double t = cact_exp_reduce(h, -0.0, &ks);
    double sc = cact_ldexp_ks(1.0, ks);
    double e, el, d, dl, qd, qdl;
    cact_two_sum(sc, t * sc, &e, &el);                   /* e + el = 2^k (1 + t) exactly */
    cact_two_sum(1.0, e, &d, &dl);
    dl += el;
    double q = 2.0 * e / d;                              /* 2 (e + el) / (d + dl) as q + ql */
    cact_two_prod(q, d, &qd, &qdl);
    double ql = (((2.0 * e - qd) - qdl) + (2.0 * el - q * dl)) / d;
    double r, rl;
    cact_two_sum(a - 1.0, q, &r, &rl);
    int sm = a < 0.55;
    *th = sm ? a - small : (1.0 - q) - ql;
    return sm ? small : (a <= DBL_MAX ? r + (rl + ql) : a);   /* (inf: the two-sum's error is NaN) */
}

CACT_INLINE double cact_tanhshrink(double x) {
    double th;
    return copysign(cact_tanhshrink_abs(fabs(x), &th), x);
}

/* tanh^2 (+-inf: 1, where |x| - tanh|x| is inf) */
CACT_INLINE double cact_tanhshrink_grad(double x) {
    double th;
    (void)cact_tanhshrink_abs(fabs(x), &th);
    return fabs(x) > DBL_MAX ? 1.0 : th * th;
}

CACT_EW_F64(tanhshrink, cact_tanhshrink(x[j]), cact_tanhshrink_grad(x[j]))
/* float32 in float lanes: below 1.5, |x|^3 p(v), v = (x^2 - 1.125) / 1.125 (a centred polynomial:
 * in x^2 its terms would cancel), with x^2 and |x|^3 as float pairs, rounded once; above, where it
 * no longer cancels much, (|x| - 1) + 2e / (1 + e), e = exp(-2|x|) in float (|x| - 1 exact; q =
 * 2e / (1 + e) is at most 0.095 of the result). tanh|x| (for tanh^2) = |x| - the series below 0.9,
 * else 1 - q (q < 0.3 of it), kept as a pair, so tanh^2 is rounded once. */
/* tools/fit_tanhshrinkf.py: (x - tanh x) / x^3 on |x| < 1.5, max relative error 6.08e-09 */
#define CACT_TANHSHRINKF_SMALL 1.5f
#define CACT_TANHSHRINKF_MID 1.125f
#define CACT_TANHSHRINKF_SCALE 0.8888888955116272f
#define CACT_TANHSHRINKF_N 10
static const float CACT_TANHSHRINKF_P[10] = {0.23024970293045044f, -0.070856973528862f, 0.022136889398097992f, -0.006929777562618256f, 0.0021719103679060936f, -0.000680933182593435f, 0.00020756306184921414f, -6.391129136318341e-05f, 2.6777928724186495e-05f, -8.886889190762304e-06f};
CACT_INLINE float cact_tanhshrink_f32_abs(float a, float *th, float *tl) {
    float sh, sl, ch, cl;
    cact_two_prodf(a, a, &sh, &sl);
    float p = cact_polyf(CACT_TANHSHRINKF_P, CACT_TANHSHRINKF_N, (sh - CACT_TANHSHRINKF_MID) * CACT_TANHSHRINKF_SCALE);
    cact_two_prodf(a, sh, &ch, &cl);
    cl = CACT_MADDF(a, sl, cl);                          /* |x|^3 = ch + cl */
    float small = CACT_MADDF(ch, p, cl * p);
    float e = cact_expf_neg(-2.0f * (a > 30.0f ? 30.0f : a), -0.0f);   /* (NaN stays NaN) */
    float q = 2.0f * e / (1.0f + e);
    int sm = a < CACT_TANHSHRINKF_SMALL, smt = a < 0.9f;   /* tanh: |x| - the series only below 0.9,
                                                            * where the series is under 1/4 of it */
    float u = smt ? a : 1.0f, v = smt ? small : q;       /* tanh|x| = u - v, u >= v */
    *th = u - v;
    *tl = (u - *th) - v;
    return sm ? small : (a - 1.0f) + q;
}
CACT_INLINE float cact_tanhshrink_f32(float x) {
    float th, tl;
    return copysignf(cact_tanhshrink_f32_abs(fabsf(x), &th, &tl), x);
}
CACT_INLINE float cact_tanhshrink_grad_f32(float x) {
    float th, tl;
    (void)cact_tanhshrink_f32_abs(fabsf(x), &th, &tl);
    return CACT_MADDF(th, th, 2.0f * th * tl);           /* (NaN: NaN; +-inf: 1) */
}
CACT_EW_BLOCK(tanhshrink, fwd, f32, float, CACT_EACH(cact_tanhshrink_f32(x[j])))
CACT_EW_BLOCK(tanhshrink, grad, f32, float, CACT_EACH(cact_tanhshrink_grad_f32(x[j])))
/* g tanh^2 as (g tanh) tanh: tanh^2 alone underflows (below |x| ~ 1e-19) where g tanh^2 need not */
CACT_INLINE float cact_tanhshrink_bwd_f32(float x, float g) {
    float th, tl;
    (void)cact_tanhshrink_f32_abs(fabsf(x), &th, &tl);
    float gt = g * th;
    return CACT_MADDF(gt, th, 2.0f * gt * tl);
}
CACT_EW_BLOCK(tanhshrink, bwd, f32, float, CACT_EACH(cact_tanhshrink_bwd_f32(x[j], g[j])))

#endif
