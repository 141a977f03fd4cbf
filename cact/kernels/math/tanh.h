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
    double a = -2.0 * fabs(x), ks;
    double h = a < CACT_EXP_LOW ? CACT_EXP_LOW : a;   /* NaN stays NaN */
    double t = cact_exp_reduce(h, -0.0, &ks);
    double E = cact_mul_exp_t(1.0, t, ks), E4 = cact_mul_exp_t(4.0, t, ks);
    double dh = 1.0 + E, dl = E - (dh - 1.0), p, pe;   /* dl exact: 1 >= E */
    cact_two_prod(dh, dh, &p, &pe);
    pe += 2.0 * dh * dl;
    return E4 / (p + pe);
}

/* From the forward's output y (PyTorch's tanh_backward): 1 - y^2 for the y given, as (1 - y)(1 + y)
 * in double (1 - y is exact for y >= 1/2, where 1 - y^2 would cancel); float32 y: 1 - y^2 is exact
 * in double (y^2 has 48 bits), so the float result is rounded once. The same bits on every build. */
CACT_INLINE double cact_tanh_y_grad(double y) { return (1.0 - y) * (1.0 + y); }
CACT_INLINE double cact_tanh_y_grad_f32(float y) { double d = y; return 1.0 - d * d; }

/* ---- blocks (elementwise.h): float32 computed in double, rounded once ---- */
CACT_EW_F64(tanh, cact_tanh(x[j]), cact_tanh_grad(x[j]))
CACT_EW_F32_VIA_F64(tanh, cact_tanh(x[j]), cact_tanh_grad(x[j]))
CACT_EW_BLOCK(tanh_y, grad, f64, double, CACT_EACH(cact_tanh_y_grad(x[j])))
CACT_EW_BLOCK(tanh_y, bwd, f64, double, CACT_EACH(g[j] * cact_tanh_y_grad(x[j])))
CACT_EW_BLOCK(tanh_y, grad, f32, float, CACT_EACH((float)cact_tanh_y_grad_f32(x[j])))
CACT_EW_BLOCK(tanh_y, bwd, f32, float, CACT_EACH((float)((double)g[j] * cact_tanh_y_grad_f32(x[j]))))

#endif
