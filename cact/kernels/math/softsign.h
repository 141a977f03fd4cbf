/* softsign = x / (1 + |x|) and its derivative 1 / (1 + |x|)^2. */
#ifndef CACT_SOFTSIGN_H
#define CACT_SOFTSIGN_H
#include "elementwise.h"

/* one division (+-inf: the limits +-1, where inf / inf would be NaN) */
CACT_INLINE double cact_softsign(double x) {
    double a = fabs(x);
    return a > DBL_MAX ? copysign(1.0, x) : x / (1.0 + a);
}

/* 1 / (1 + a)^2 as q^2, q = 1 / (1 + a) corrected by the rounding of 1 + a (1 + a = h + l exactly):
 * the square of normal q rounds once also where the result is subnormal (a > 1.3e154) */
CACT_INLINE double cact_softsign_grad(double x) {
    double a = fabs(x), h, l;
    cact_two_sum(1.0, a, &h, &l);
    double q = 1.0 / h;
    q = CACT_MADD(-q * q, l, q);
    return a > DBL_MAX ? 0.0 : q * q;   /* (+-inf: l is NaN) */
}

CACT_EW_F64(softsign, cact_softsign(x[j]), cact_softsign_grad(x[j]))
CACT_EW_F32_VIA_F64(softsign, cact_softsign(x[j]), cact_softsign_grad(x[j]))

#endif
