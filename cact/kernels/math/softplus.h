/* softplus(x, beta) = log(1 + e^(beta x)) / beta and log_sigmoid(x) = -softplus(-x), both as
 * max(v, 0) + log1p(e^-|v|) (no overflow, no cancellation, no log(0)), with beta x carried as a
 * double-double (its rounding would be magnified by |beta x| in the negative tail). Derivatives:
 * sigmoid(beta x) and sigmoid(-x). PyTorch returns x above threshold / beta; cact is accurate
 * everywhere, so its threshold parameter is accepted and has no effect. */
#ifndef CACT_SOFTPLUS_H
#define CACT_SOFTPLUS_H
#include "elementwise.h"
#include "sigmoid.h"
#include "relu.h"   /* cact_slope_trunc */

/* (max(v, 0) + log1p(e^-|v|)) / beta with max(v, 0) / beta = x exactly: x + L / beta above 0, no
 * overflow where beta x does (e is 0 there) */
CACT_INLINE double cact_softplus(double x, double beta) {
    double vh, vl;
    cact_two_prod(beta, x, &vh, &vl);
    vl = vh == vh && fabs(vh) <= DBL_MAX ? vl : 0.0;   /* inf or NaN: no lo part */
    double e = cact_mul_exp(1.0, -fabs(vh), vh >= 0 ? -vl : vl);
    double L = cact_log1p01(e) / beta;
    return vh > 0 ? x + L : L;
}

/* sigmoid(v), v = vh + vl: e / (1 + e) or 1 / (1 + e), e = exp(-|v|) with the lo part */
CACT_INLINE double cact_sigmoid_dd(double vh, double vl) {
    double e = cact_mul_exp(1.0, -fabs(vh), vh >= 0 ? -vl : vl);
    return (vh >= 0 ? 1.0 : e) / (1.0 + e);
}

CACT_INLINE double cact_softplus_grad(double x, double beta) {
    double vh, vl;
    cact_two_prod(beta, x, &vh, &vl);
    vl = vh == vh && fabs(vh) <= DBL_MAX ? vl : 0.0;
    return cact_sigmoid_dd(vh, vl);
}

CACT_INLINE double cact_log_sigmoid(double x) { return -cact_softplus(-x, 1.0); }
CACT_INLINE double cact_log_sigmoid_grad(double x) { return cact_sigmoid(-x); }

/* ---- float32 in float lanes (FMA builds: v = beta x as the float pair x (bh + bl) needs FMA) ---- */

/* log(1 + u), u in [0, 1] (or NaN), in float: cact_log1p01's form, the atanh series to 2/9
 * (|s| <= 1/5: truncation below 0.2 ulp) */
CACT_INLINE float cact_log1p01f(float u) {
    float k = u >= 0.5f ? 1.0f : 0.0f;
    float f = u >= 0.5f ? (u - 1.0f) * 0.5f : u;
    float s = f / (2.0f + f), z = s * s;
    float R = CACT_MADDF(CACT_MADDF(CACT_MADDF(2.0f / 9.0f, z, 2.0f / 7.0f), z, 2.0f / 5.0f), z, 2.0f / 3.0f) * z;
    float hfsq = 0.5f * f * f;
    return k * 0.693145751953125f - ((hfsq - (s * (hfsq + R) + k * 1.428606765330187e-06f)) - f);
}

/* softplus in float: e = exp(-|v|) with v's lo part, L = log1p(e); x + L / beta above 0 */
CACT_INLINE float cact_softplus_f32(float x, float bh, float bl, float ib) {
    float vh = x * bh, vl = CACT_MADDF(x, bh, -vh) + x * bl;
    float a = -fabsf(vh), h = a < -110.0f ? -110.0f : a;   /* (exp is 0 in float from -104) */
    float e = cact_expf_neg(h, h != a || vh != vh ? 0.0f : (vh >= 0 ? -vl : vl));
    float L = cact_log1p01f(e) * ib;
    return vh > 0 ? x + L : L;
}

/* beta = 1 (the default, and log_sigmoid): v = x exactly, no lo part: the same bits as
 * cact_softplus_f32(x, 1, 0, 1) with a third of its work (its pair and NaN guards cost the
 * vector loop mask shuffles) */
CACT_INLINE float cact_softplus1_f32(float x) {
    float L = cact_log1p01f(cact_expf_neg(-fabsf(x), -0.0f));   /* (clamped at -110 inside; NaN stays) */
    return x > 0 ? x + L : L;
}

/* sigmoid(v) in float from the pair: sigmoid's 2^100-scaled form */
CACT_INLINE float cact_softplus_grad_f32(float x, float bh, float bl) {
    float vh = x * bh, vl = CACT_MADDF(x, bh, -vh) + x * bl;
    float a = -fabsf(vh), h = a < -110.0f ? -110.0f : a;
    float E = cact_expf_neg_2p100(h, h != a || vh != vh ? 0.0f : (vh >= 0 ? -vl : vl));
    return (vh >= 0 ? CACT_2P100F : E) / (CACT_2P100F + E);
}

/* ---- blocks (elementwise.h) ---- */
CACT_EW_F64(softplus, cact_softplus(x[j], p0), cact_softplus_grad(x[j], p0))
CACT_EW_F64(log_sigmoid, cact_log_sigmoid(x[j]), cact_log_sigmoid_grad(x[j]))
#if defined(__FMA__)
/* beta as a float pair and 1 / beta rounded to float (L / beta: two roundings of a term below ln 2) */
#define CACT_BETA_PAIR const float bh = cact_slope_trunc(p0), bl = (float)(p0 - (double)bh), ib = (float)(1.0 / p0); (void)ib;
/* beta = 1 (the default) in loops of their own: v = x exactly, the derivative is sigmoid's */
CACT_EW_BLOCK(softplus, fwd, f32, float, CACT_BETA_PAIR
    if (p0 == 1.0) { CACT_EACH(cact_softplus1_f32(x[j])) }
    else { CACT_EACH(cact_softplus_f32(x[j], bh, bl, ib)) })
CACT_EW_BLOCK(softplus, grad, f32, float, CACT_BETA_PAIR
    if (p0 == 1.0) { CACT_EACH(cact_sigmoid_f32(x[j])) }
    else { CACT_EACH(cact_softplus_grad_f32(x[j], bh, bl)) })
CACT_EW_BLOCK(softplus, bwd, f32, float, CACT_BETA_PAIR
    if (p0 == 1.0) { CACT_EACH(g[j] * cact_sigmoid_f32(x[j])) }
    else { CACT_EACH(g[j] * cact_softplus_grad_f32(x[j], bh, bl)) })
#undef CACT_BETA_PAIR
CACT_EW_BLOCK(log_sigmoid, fwd, f32, float, CACT_EACH(-cact_softplus1_f32(-x[j])))
CACT_EW_BLOCK(log_sigmoid, grad, f32, float, CACT_EACH(cact_sigmoid_f32(-x[j])))
CACT_EW_BLOCK(log_sigmoid, bwd, f32, float, CACT_EACH(g[j] * cact_sigmoid_f32(-x[j])))
#else   /* without FMA: computed in double, rounded once */
CACT_EW_F32_VIA_F64(softplus, cact_softplus(x[j], p0), cact_softplus_grad(x[j], p0))
CACT_EW_F32_VIA_F64(log_sigmoid, cact_log_sigmoid(x[j]), cact_log_sigmoid_grad(x[j]))
#endif

#endif
