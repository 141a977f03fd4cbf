/* softplus(x, beta) = log(1 + e^(beta x)) / beta and log_sigmoid(x) = -softplus(-x), both as
 * max(v, 0) + log1p(e^-|v|) (no overflow, no cancellation, no log(0)), with beta x carried as a
 * double-double (its rounding would be magnified by |beta x| in the negative tail). Derivatives:
 * sigmoid(beta x) and sigmoid(-x). PyTorch returns x above threshold / beta; cact is accurate
 * everywhere, so its threshold parameter is accepted and has no effect. */
#ifndef CACT_SOFTPLUS_H
#define CACT_SOFTPLUS_H
#include "elementwise.h"
#include "sigmoid.h"

/* log1p(e^-|v|) + max(v, 0) for v = vh + vl (|vl| tiny against |vh|) */
CACT_INLINE double cact_softplus_dd(double vh, double vl) {
    double a = fabs(vh), e = cact_mul_exp(1.0, -a, vh >= 0 ? -vl : vl);
    return vh > 0 ? vh + (vl + cact_log1p01(e)) : cact_log1p01(e);
}

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

CACT_INLINE double cact_log_sigmoid(double x) { return -cact_softplus_dd(-x, 0.0); }
CACT_INLINE double cact_log_sigmoid_grad(double x) { return cact_sigmoid(-x); }

/* ---- blocks (elementwise.h): computed in double, float32 rounded once ---- */
CACT_EW_F64(softplus, cact_softplus(x[j], p0), cact_softplus_grad(x[j], p0))
CACT_EW_F32_VIA_F64(softplus, cact_softplus(x[j], p0), cact_softplus_grad(x[j], p0))
CACT_EW_F64(log_sigmoid, cact_log_sigmoid(x[j]), cact_log_sigmoid_grad(x[j]))
CACT_EW_F32_VIA_F64(log_sigmoid, cact_log_sigmoid(x[j]), cact_log_sigmoid_grad(x[j]))

#endif
