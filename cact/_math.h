/* cact scalar math: the value and the derivative of each activation at one point.
 *
 * One function per (activation, value|derivative), in double precision. float32 kernels call the
 * same functions and round once, so both dtypes share one definition. Each function is accurate to
 * a few ulp over the whole range, tails included (tests/test_accuracy.py checks against mpmath):
 * - no cancellation: sigmoid uses exp(-|x|); gelu-tanh is x*sigmoid(2z); gelu-erf uses erfc;
 *   elu uses expm1; near the root of gelu' (x ~ -0.752) a Taylor series in x - root is used;
 * - no argument error in exponentials: when exp(u) has |u| large, u is carried as a double-double
 *   (hi + lo) and exp(hi + lo) = exp(hi) * (1 + lo);
 * - NaN in gives NaN out (comparisons are written so that NaN falls through to arithmetic), and
 *   +-inf give the limits.
 * Compile with -ffp-contract=off: the error-free transformations below must not be contracted.
 */
#ifndef CACT_MATH_H
#define CACT_MATH_H

#include <math.h>
#include "_constants.h"


#if defined(_MSC_VER)
#define CACT_INLINE static __inline
#else
#define CACT_INLINE static inline
#endif

/* ---- error-free transformations ------------------------------------------------------------ */

/* a * b == *p + *e exactly */
CACT_INLINE void cact_two_prod(double a, double b, double *p, double *e) {
    *p = a * b;
    *e = fma(a, b, -*p);
}

/* a + b == *s + *e exactly (any order of magnitude) */
CACT_INLINE void cact_two_sum(double a, double b, double *s, double *e) {
    double s_ = a + b;
    double bb = s_ - a;
    *e = (a - (s_ - bb)) + (b - bb);
    *s = s_;
}

/* exp(hi + lo) for |lo| <= ulp(hi): exp(hi) * (1 + lo) */
CACT_INLINE double cact_exp_dd(double hi, double lo) {
    double e = exp(hi);
    return fma(e, lo, e);
}

/* m * exp(hi + lo), rounded once even where exp(hi) alone would be subnormal: there its absolute
 * error, multiplied by |m| > 1, would be many subnormal ulps. (NaN takes the first branch.) */
CACT_INLINE double cact_mul_exp_dd(double m, double hi, double lo) {
    double s, t;
    if (!(hi < -700.0)) return m * cact_exp_dd(hi, lo);
    if (hi < -800.0) return m * 0.0;
    cact_two_sum(hi, CACT_64LN2_HI, &s, &t);
    return ldexp(m * cact_exp_dd(s, t + (lo + CACT_64LN2_LO)), -64);
}

/* exp(x - m) with x - m carried exactly; used by softmax (m = row max, x <= m). */
CACT_INLINE double cact_exp_diff(double x, double m) {
    double d, r;
    cact_two_sum(x, -m, &d, &r);
    /* x = -inf (a mask) or m = +-inf: d is +-inf or NaN and r is NaN; exp(d) is already right. */
    if (!(fabs(d) <= 1e300)) return exp(d);
    return cact_exp_dd(d, r);
}

/* Horner evaluation of sum c[k] d^(k+1), k < n */
CACT_INLINE double cact_series(const double *c, int n, double d) {
    double p = c[n - 1];
    for (int k = n - 2; k >= 0; --k) p = fma(p, d, c[k]);
    return p * d;
}

/* Piecewise Taylor table lookup: sum c[i][k] d^k, d = x - center_i, for PIECE_LO <= x < PIECE_HI.
 * Centers are multiples of STEP/2, so d is exact. */
CACT_INLINE double cact_pieces(const double (*c)[CACT_PIECE_DEGREE + 1], double x) {
    int i = (int)((x - CACT_PIECE_LO) * (1.0 / CACT_PIECE_STEP));
    double d = x - (CACT_PIECE_LO + (i + 0.5) * CACT_PIECE_STEP);
    const double *ci = c[i];
    double p = ci[CACT_PIECE_DEGREE];
    for (int k = CACT_PIECE_DEGREE - 1; k >= 0; --k) p = fma(p, d, ci[k]);
    return p;
}

#define CACT_IN_PIECES(x) ((x) >= CACT_PIECE_LO && (x) < CACT_PIECE_HI)

/* ---- sigmoid ------------------------------------------------------------------------------- */

CACT_INLINE double cact_sigmoid(double x) {
    double e = exp(-fabs(x));
    double r = 1.0 / (1.0 + e);
    return x >= 0 ? r : e * r;
}

/* s (1 - s) = e / (1 + e)^2 with e = exp(-|x|); (1 + e)^2 carried as hi + lo */
CACT_INLINE double cact_sigmoid_grad(double x) {
    double e = exp(-fabs(x));
    double dh = 1.0 + e;
    double dl = e - (dh - 1.0);          /* exact: 1 >= e */
    double p, pe;
    cact_two_prod(dh, dh, &p, &pe);
    pe += 2.0 * dh * dl;
    return e / (p + pe);
}

/* ---- relu / leaky relu / prelu (slope a for x <= 0; derivative a at 0, as PyTorch) ---------- */

CACT_INLINE double cact_relu(double x) { return x <= 0 ? 0.0 : x; }

CACT_INLINE double cact_relu_grad(double x) { return x > 0 ? 1.0 : (x <= 0 ? 0.0 : x); }

CACT_INLINE double cact_leaky_relu(double x, double a) { return x > 0 ? x : a * x; }

CACT_INLINE double cact_leaky_relu_grad(double x, double a) {
    return x > 0 ? 1.0 : (x <= 0 ? a : x);
}

/* d prelu / d alpha at one point: x where x <= 0, else 0 (NaN stays NaN) */
CACT_INLINE double cact_prelu_grad_alpha(double x) { return x > 0 ? 0.0 : x; }

/* ---- elu ------------------------------------------------------------------------------------ */

CACT_INLINE double cact_elu(double x, double a) { return x > 0 ? x : a * expm1(x); }

CACT_INLINE double cact_elu_grad(double x, double a) { return x > 0 ? 1.0 : a * exp(x); }

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

CACT_INLINE double cact_gelu_tanh(double x) {
    double uh, ul, e;
    if (fabs(x) > CACT_GELU_TANH_SAT) return x > 0 ? x : -0.0;
    cact_gelu_u(x, &uh, &ul);
    if (x >= 0) {
        e = cact_exp_dd(-uh, -ul);
        return x / (1.0 + e);
    }
    e = cact_exp_dd(uh, ul);             /* NaN falls through here */
    return cact_mul_exp_dd(x / (1.0 + e), uh, ul);
}

/* gelu' = s + x s (1 - s) u',  s = sigmoid(u), u' = C1 + 3 C3 x^2
 *       = s (1 + x (1 - s) u'). */
CACT_INLINE double cact_gelu_tanh_grad(double x) {
    double uh, ul, e, du;
    if (fabs(x) > CACT_GELU_TANH_SAT) return x > 0 ? 1.0 : -0.0;
    if (fabs(x - CACT_GELU_TANH_GRAD_ROOT_HI) < 0.35) {
        double d = (x - CACT_GELU_TANH_GRAD_ROOT_HI) - CACT_GELU_TANH_GRAD_ROOT_LO;
        return cact_series(CACT_GELU_TANH_GRAD_SERIES, CACT_SERIES_DEGREE, d);
    }
    if (CACT_IN_PIECES(x)) return cact_pieces(CACT_GELU_TANH_GRAD_PIECES, x);
    cact_gelu_u(x, &uh, &ul);
    du = CACT_GELU_C1_HI + 3.0 * CACT_GELU_C3_HI * (x * x);
    if (x >= 0) {
        e = cact_exp_dd(-uh, -ul);
        double s = 1.0 / (1.0 + e);
        return s * (1.0 + x * (e * s) * du);
    }
    e = cact_exp_dd(uh, ul);
    double r = 1.0 / (1.0 + e);          /* 1 - s */
    return cact_mul_exp_dd(r * fma(x * du, r, 1.0), uh, ul);
}

/* ---- gelu, exact: x Phi(x), Phi(x) = erfc(-x / sqrt 2) / 2 ----------------------------------- */

/* Phi(x), with the argument t = x / sqrt 2 carried as hi + lo:
 * erfc(-(th + tl)) = erfc(-th) + tl * 2/sqrt(pi) * exp(-th^2). */
CACT_INLINE double cact_ncdf(double x) {
    double th, tl;
    cact_two_prod(x, CACT_RSQRT2_HI, &th, &tl);
    tl += x * CACT_RSQRT2_LO;
    double c = erfc(-th);
    if (x < -1.0) c = fma(tl * CACT_2_RSQRTPI_HI, exp(-th * th), c);
    return 0.5 * c;
}

/* phi(x) = exp(-x^2 / 2) / sqrt(2 pi), with x^2 carried as hi + lo */
CACT_INLINE double cact_npdf(double x) {
    double h, l;
    cact_two_prod(x, x, &h, &l);
    return cact_exp_dd(-0.5 * h, -0.5 * l) * CACT_RSQRT2PI_HI;
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
    for (int k = 12; k >= 1; --k) p = fma(-(2 * k - 1) * v, p, 1.0);
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
        return cact_mul_exp_dd(-fma(S, CACT_RSQRT2PI_HI, S * CACT_RSQRT2PI_LO), -0.5 * h, -0.5 * l);
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
        double m = fma(x, CACT_RSQRT2PI_HI, x * CACT_RSQRT2PI_LO) * fma(-S, 1.0 / h, 1.0);
        return cact_mul_exp_dd(m, -0.5 * h, -0.5 * l);
    }
    if (fabs(x - CACT_GELU_ERF_GRAD_ROOT_HI) < 0.35) {
        double d = (x - CACT_GELU_ERF_GRAD_ROOT_HI) - CACT_GELU_ERF_GRAD_ROOT_LO;
        return cact_series(CACT_GELU_ERF_GRAD_SERIES, CACT_SERIES_DEGREE, d);
    }
    if (CACT_IN_PIECES(x)) return cact_pieces(CACT_GELU_ERF_GRAD_PIECES, x);
    return fma(x, cact_npdf(x), cact_ncdf(x));
}

#endif /* CACT_MATH_H */
