/* SiLU (x sigmoid(x), swish) and Mish (x tanh(softplus(x))): values and derivatives. Both are
 * written in e = exp(-|x|) <= 1, so nothing overflows; below 0 the factor x e^x is rounded once
 * (cact_mul_exp_t), so results that are subnormal keep their digits; near the root of each
 * derivative (x ~ -1.278 for silu', -1.192 for mish'), where the formulas cancel, the Taylor series
 * of tools/gen_constants.py in d = x - root. */
#ifndef CACT_SILU_H
#define CACT_SILU_H
#include "elementwise.h"
#include "sigmoid.h"
#include "table.h"

/* the series' |d|: the truncation of 26 terms stays below 1e-18 there (the nearest singularities
 * are 3.4 (silu') and 2.8 (mish') away); mish' needs the wider one, its bracket cancelling farther */
#define CACT_ROOT_RADIUS 0.35
#define CACT_MISH_ROOT_RADIUS 0.6
#define CACT_SILU_TERMS 18   /* of the 26: (0.35 / 3.4)^19 < 1e-18 */
#define CACT_MUL_LOW -1200.0    /* factors m e^x with x below this are 0 anyway (|m| <= 2^400) */

/* the reduction of -|x| for cact_mul_exp_t (e and the factors m e share it) */
CACT_INLINE double cact_reduce_neg(double x, double *ks) { return cact_exp_reduce_neg(-fabs(x), -0.0, ks); }

/* silu = x / (1 + e) for x >= 0, x e / (1 + e) below (e = exp(-|x|)) */
CACT_INLINE double cact_silu(double x) {
    double ks, t = cact_reduce_neg(x, &ks);
    double e = cact_mul_exp_t(1.0, t, ks);
    double m = x < CACT_MUL_LOW ? CACT_MUL_LOW : x;
    return (x >= 0 ? x : cact_mul_exp_t(m, t, ks)) / (1.0 + e);
}

/* (1 + e)^2, rounded once from its double-double value (e <= 1) */
CACT_INLINE double cact_sq1p(double e) {
    double dh = 1.0 + e, dl = e - (dh - 1.0), p, pe;
    cact_two_prod(dh, dh, &p, &pe);
    return p + (pe + 2.0 * dh * dl);
}

/* silu' = s (1 + x (1 - s)): (1 + e + x e) / (1 + e)^2 for x >= 0, e ((1 + x) + e) / (1 + e)^2
 * below (1 + x is exact on [-2, -0.5], where the sum cancels; the series at the root) */
CACT_INLINE double cact_silu_grad(double x) {
    double ks, t = cact_reduce_neg(x, &ks);
    double e = cact_mul_exp_t(1.0, t, ks);
    double m = x < CACT_MUL_LOW ? CACT_MUL_LOW : x;
    double xc = x < 1e3 ? x : 1e3;   /* x e is below 1e-400 beyond: no inf * 0 */
    double num = x >= 0 ? (1.0 + e) + xc * e : cact_mul_exp_t((1.0 + m) + e, t, ks);
    double direct = num / cact_sq1p(e);
    double d = (x - CACT_SILU_GRAD_ROOT_HI) - CACT_SILU_GRAD_ROOT_LO;
    return fabs(d) < CACT_ROOT_RADIUS ? cact_series(CACT_SILU_GRAD_SERIES, CACT_SILU_TERMS, d) : direct;
}

/* float32 silu in float lanes: sigmoid's 2^100-scaled E = 2^100 e (always normal) and one
 * division; below 0 the product x E is normal and the result's one rounding is the last product */
CACT_INLINE float cact_silu_f32(float x) {
    float E = cact_expf_neg_2p100(-fabsf(x), -0.0f);   /* (-|x| clamped at -110 inside) */
    float r = 1.0f / (CACT_2P100F + E);                  /* one division: the scaling by 2^100 */
    float m = x < -110.0f ? -110.0f : x;                 /* is exact, so it comes after it */
    return (x >= 0 ? x : m * E) * (x >= 0 ? r * CACT_2P100F : r);   /* (x e^x is -0 below -110) */
}

/* float32 silu' in float lanes, the same forms: (1 + e + x e) / (1 + e)^2 for x >= 0, and below 0
 * 2^100 e ((1 + x) + e) / (2^100 (1 + e)^2) (normal until the one division rounds the result;
 * 1 + x is exact on [-2, -0.5], where the bracket could cancel);
 * (1 + e)^2 from its float pair; near the root the float series (tools/gen_constants.py) */
CACT_INLINE float cact_silu_grad_f32(float x) {
    float E = cact_expf_neg_2p100(-fabsf(x), -0.0f);
    float e = E * CACT_2M100F;             /* subnormal only for x > 87, where x e no longer counts */
    float dh = 1.0f + e, dl = e - (dh - 1.0f), p, pe;
    cact_two_prodf(dh, dh, &p, &pe);
    float D = p + (pe + 2.0f * dh * dl);
    float xc = x < 1e3f ? x : 1e3f, m = x < -110.0f ? -110.0f : x;
    float num = x >= 0 ? (1.0f + e) + xc * e : E * ((1.0f + m) + e);
    float direct = num / (x >= 0 ? D : D * CACT_2P100F);
    float d = (x - CACT_SILU_GRAD_ROOT_HIF) - CACT_SILU_GRAD_ROOT_LOF;
    float ser = CACT_SILU_GRAD_SERIESF[CACT_SILU_GRAD_FTERMS - 1];
    CACT_UNROLL
    for (int k = CACT_SILU_GRAD_FTERMS - 2; k >= 0; --k) ser = CACT_MADDF(ser, d, CACT_SILU_GRAD_SERIESF[k]);
    return fabsf(d) < (float)CACT_ROOT_RADIUS ? ser * d : direct;
}

/* mish = x tanh(softplus(x)). tanh(softplus(x)) = n / (n + 2), n = e^x (e^x + 2): for x >= 0 in
 * u = e^-x, 1 - 2u^2 / (1 + 2u + 2u^2); below 0, with e = e^x, e (e + 2) / (e (e + 2) + 2), the
 * factor x e rounded once */
CACT_INLINE double cact_mish(double x) {
    double ks, t = cact_reduce_neg(x, &ks);
    double e = cact_mul_exp_t(1.0, t, ks);
    double m = x < CACT_MUL_LOW ? CACT_MUL_LOW : x;
    double w = e + 2.0;
    double pos = x * (1.0 - 2.0 * e * e / CACT_MADD(2.0 * e, e + 1.0, 1.0));
    double neg = cact_mul_exp_t(m, t, ks) * w / CACT_MADD(e, w, 2.0);
    return x >= 0 ? pos : neg;
}

/* mish' = tanh(sp) + x s(x) sech^2(sp) = [n (n + 2) + 4 x e (1 + e)] / (n + 2)^2 (e = e^x). For
 * x >= 0, times u^4 (u = e^-x): [(1 + 2u)(1 + 2u + 2u^2) + 4 x u^2 (1 + u)] / (1 + 2u + 2u^2)^2, all
 * terms positive. Below 0, with h = n / 2 = e + e^2 / 2: e [(1 + h)(1 + e/2) + x (1 + e)] / (1 + h)^2,
 * the bracket 1 + x + x e + H (H = h + e/2 + e h / 2) summed as a double-double and rounded once
 * with the factor e, (1 + h)^2 from its double-double value; the series at the root. */
CACT_INLINE double cact_mish_grad(double x) {
    double ks, t = cact_reduce_neg(x, &ks);
    double e = cact_mul_exp_t(1.0, t, ks);
    double m = x < CACT_MUL_LOW ? CACT_MUL_LOW : x;
    double xc = x < 40.0 ? x : 40.0;   /* 4 x u^2 is below 1e-30 beyond: no inf * 0 */
    double q = CACT_MADD(2.0 * e, e + 1.0, 1.0);   /* x >= 0: 1 + 2u + 2u^2 */
    double pos = CACT_MADD(1.0 + 2.0 * e, q, 4.0 * xc * e * e * (1.0 + e)) / (q * q);
    double h = CACT_MADD(0.5 * e, e, e), H = CACT_MADD(0.5 * e, h, h + 0.5 * e);
    double s1, e1, xe, xee, s2, e2, s3, e3;   /* the bracket 1 + x + x e + H as a double-double */
    cact_two_sum(1.0, m, &s1, &e1);
    cact_two_prod(m, e, &xe, &xee);
    cact_two_sum(s1, xe, &s2, &e2);
    cact_two_sum(s2, H, &s3, &e3);
    double neg = cact_mul_exp_t(s3 + ((e1 + xee) + (e2 + e3)), t, ks) / cact_sq1p(h);
    double d = (x - CACT_MISH_GRAD_ROOT_HI) - CACT_MISH_GRAD_ROOT_LO;
    double direct = x >= 0 ? pos : neg;
    return fabs(d) < CACT_MISH_ROOT_RADIUS ? cact_series(CACT_MISH_GRAD_SERIES, CACT_SERIES_DEGREE, d) : direct;
}

/* ---- blocks (elementwise.h): silu's float32 in float lanes; mish computed in double, float32
 * rounded once ---- */
CACT_EW_F64(silu, cact_silu(x[j]), cact_silu_grad(x[j]))
CACT_EW_BLOCK(silu, fwd, f32, float, CACT_EACH(cact_silu_f32(x[j])))
#if defined(__AVX512F__)
/* the derivative from the piecewise table (table.h) on [-10, 10), 1 from 19.6 */
CACT_TAB_SPAN(cact_silu_grad_f32_span, SILU_GRAD, -11.0f, cact_silu_grad_f32(v))
CACT_EW_BLOCK(silu, grad, f32, float, cact_silu_grad_f32_span(x, NULL, y, n);)
CACT_EW_BLOCK(silu, bwd, f32, float, cact_silu_grad_f32_span(x, g, y, n);)
#else
CACT_EW_BLOCK(silu, grad, f32, float, CACT_EACH(cact_silu_grad_f32(x[j])))
CACT_EW_BLOCK(silu, bwd, f32, float, CACT_EACH(g[j] * cact_silu_grad_f32(x[j])))
#endif
CACT_EW_F64(mish, cact_mish(x[j]), cact_mish_grad(x[j]))
/* float32 mish in float lanes: for x >= 0, x (1 - 2u^2 / (1 + 2u + 2u^2)), u = e^-x (the fraction
 * is below 0.4: no cancellation; u from x capped at 60, where the fraction no longer counts, so it is
 * normal); below 0, x e (e + 2) / (e (e + 2) + 2) with e = e^x as sigmoid's 2^100-scaled E (always
 * normal): (x E)(e + 2) / ((e (e + 2) + 2) 2^100), the division the one rounding of a subnormal
 * result (x capped at -110, where it is -0); e + 2 and the denominator take e capped as u (below
 * e^-60 they are 2). */
CACT_INLINE float cact_mish_f32(float x) {
    float a = fabsf(x), ac = a < 60.0f ? a : 60.0f;
    float E = cact_expf_neg_2p100(-a, -0.0f);
    float u = cact_expf_neg_2p100(-ac, -0.0f) * CACT_2M100F;   /* e^-min(|x|, 60): normal */
    float q = (2.0f * u * u) / CACT_MADDF(2.0f * u, 1.0f + u, 1.0f);
    float pos = x * (1.0f - q);
    float w = u + 2.0f;
    float m = x < -110.0f ? -110.0f : x;   /* (x e^x is -0 below -110, where E stops falling) */
    float mE = m * E;
#if defined(__FMA__)
    float num = CACT_MADDF(mE, u, 2.0f * mE);   /* (x E)(e + 2), one rounding fewer */
#else
    float num = mE * w;
#endif
    float neg = num / (CACT_MADDF(u, w, 2.0f) * CACT_2P100F);
    return x >= 0 ? pos : neg;
}
CACT_EW_BLOCK(mish, fwd, f32, float, CACT_EACH(cact_mish_f32(x[j])))
#if defined(__AVX512F__)
/* the derivative from the piecewise table (table.h) on [-10, 10), 1 from 10.5; elsewhere in double */
CACT_TAB_SPAN(cact_mish_grad_f32_span, MISH_GRAD, -11.0f, (float)cact_mish_grad(v))
CACT_EW_BLOCK(mish, grad, f32, float, cact_mish_grad_f32_span(x, NULL, y, n);)
CACT_EW_BLOCK(mish, bwd, f32, float, cact_mish_grad_f32_span(x, g, y, n);)
#else
CACT_EW_BLOCK(mish, grad, f32, float, CACT_EACH((float)cact_mish_grad(x[j])))
CACT_EW_BLOCK(mish, bwd, f32, float, CACT_EACH((float)((double)g[j] * cact_mish_grad(x[j]))))
#endif

#endif
