/* gelu, both forms: the tanh approximation and the exact x Phi(x) */
#ifndef CACT_GELU_H
#define CACT_GELU_H
#include "elementwise.h"
#include "gelu_erff_consts.h"
#include "table.h"

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
/* Each block's time goes to arithmetic and its loads come in one burst, too short for the
 * hardware to prefetch ahead: from L3 a block takes markedly longer than from L1.
 * Runs of at least CACT_GELU_PF_FROM elements ask for the lines of x, g and y CACT_GELU_PF elements
 * ahead at each block's start (shorter runs are most often in L2, where the requests only cost). */
#ifndef CACT_GELU_PF_FROM   /* (a harness may set it) */
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
/* cact's own erfc, branch-free so that the loops vectorize (libm's erfc is a scalar call): for
 * z >= 0, erfc(z) = s exp(-z^2 + P(u)), s = 2 / (2 + z), u = 2 s - 1 in (-1, 1], P one Chebyshev
 * series over all z (constants.h, tools/gen_constants.py). With t = |x|, z = t / sqrt 2:
 *   Q(t) = Phi(-t) = (s / 2) exp(-t^2 / 2 + P),  gelu(x) = x Q(t) for x <= 0, x - x Q(t) above
 *   (x Q <= x / 2 there: no cancellation);
 *   gelu'(x) = Phi(x) + x phi(x) = D for x < 0, 1 - D above, D = Q(t) - t phi(t)
 *            = exp(-t^2 / 2) ((s / 2) exp(P) - t / sqrt(2 pi)).
 * float64 keeps every quantity that the result's relative error depends on exact or double-double:
 * t^2 (two_prod), z and 2 + z, s (one Newton residual), the leading terms c0 + c1 u of P; then
 * s and P correspond to the exact z, and only the exponentials and the last products round.
 * float32 runs its own forms in float lanes (below). */

/* sum_{k = 2}^{terms - 1} c[k] T_k(u) by Clenshaw's recurrence (c[0] + c[1] u, the leading terms,
 * are added apart, exactly) */
CACT_INLINE double cact_erfc_cheb_tail(double u, int terms) {
    double b1 = 0.0, b2 = 0.0, u2 = 2.0 * u;
    CACT_UNROLL
    for (int k = terms - 1; k >= 1; --k) {
        double b = CACT_MADD(u2, b1, (k >= 2 ? CACT_ERFC_CHEB[k] : 0.0) - b2);
        b2 = b1;
        b1 = b;
    }
    return CACT_MADD(u, b1, -b2);
}

/* The parts of Q(|x|) for float64 x: s = sh (1 + sr), the exponent -x^2/2 + P = eh + el, and
 * P = ph + pl; |x| <= 40. */
typedef struct { double sh, sr, eh, el, ph, pl, h, l; } cact_ncdf_parts;

CACT_INLINE cact_ncdf_parts cact_ncdf_neg_parts(double x) {
    cact_ncdf_parts q;
    double t = fabs(x), zh, zl, dh, dl, e;
    cact_two_prod(t, CACT_RSQRT2_HI, &zh, &zl);
    zl = CACT_MADD(t, CACT_RSQRT2_LO, zl);
    cact_two_sum(2.0, zh, &dh, &dl);
    dl += zl;                                   /* 2 + z = dh + dl */
    q.sh = 2.0 / dh;
    double r = CACT_MADD(-q.sh, dh, 2.0) - q.sh * dl;   /* 2 - sh (2 + z) */
    q.sr = 0.5 * r;                             /* s = sh (1 + sr): sr = r / (sh (2 + z)), sh (2 + z) ~ 2 */
    double uh, ul;
    cact_two_sum(2.0 * q.sh, -1.0, &uh, &ul);   /* u = 2 s - 1 = uh + ul */
    ul = CACT_MADD(2.0 * q.sh, q.sr, ul);
    /* P = c0 + c1 u + R(u): c0 + c1 uh carried exactly, the rest is small */
    double p1h, p1l, a, e2;
    cact_two_prod(CACT_ERFC_C1_HI, uh, &p1h, &p1l);
    cact_two_sum(CACT_ERFC_C0_HI, p1h, &a, &e);
    cact_two_sum(a, cact_erfc_cheb_tail(uh, CACT_ERFC_TERMS), &q.ph, &e2);   /* (pl stays tiny: exp's reduction) */
    q.pl = (e + e2) + p1l + CACT_ERFC_C0_LO + CACT_MADD(CACT_ERFC_C1_LO, uh, CACT_ERFC_C1_HI * ul);
    cact_two_prod(x, x, &q.h, &q.l);
    cact_two_sum(-0.5 * q.h, q.ph, &q.eh, &e);
    q.el = e + (q.pl - 0.5 * q.l);
    return q;
}

/* Beyond this |x| the result has saturated: Phi(-40) and phi(40) are below the smallest double. */
#define CACT_GELU_ERF_SAT 40.0

CACT_INLINE double cact_gelu_erf(double x) {
    cact_ncdf_parts q = cact_ncdf_neg_parts(x);
    double mh, ml;
    cact_two_prod(x, q.sh, &mh, &ml);           /* x s / 2 = 0.5 mh (1 + ml / mh + sr) */
    double corr = (mh != 0.0 ? ml / mh : 0.0) + q.sr;
    double xq = cact_mul_exp(0.5 * mh, q.eh, q.el + corr);      /* x Q(|x|) */
    double y = x <= 0.0 ? xq : x - xq;
    return x < -CACT_GELU_ERF_SAT ? -0.0 : (x > CACT_GELU_ERF_SAT ? x : y);
}

/* branch-free (every lane runs both forms: the root's series within 0.35 of it, where D cancels,
 * and D), so that it vectorizes. Between -6 and -0.375, D still cancels partly (t phi(t) against
 * Q(t)): there its parts are kept to within an ulp each, (s / 2) exp(P) rounded once and the
 * difference with t / sqrt(2 pi) exact before the last rounding (max 2 ulp, docs/accuracy.md). */
CACT_INLINE double cact_gelu_erf_grad(double x) {
    double d = (x - CACT_GELU_ERF_GRAD_ROOT_HI) - CACT_GELU_ERF_GRAD_ROOT_LO;
    double root = cact_series(CACT_GELU_ERF_GRAD_SERIES, CACT_SERIES_DEGREE, d);
    cact_ncdf_parts q = cact_ncdf_neg_parts(x);
    double t = fabs(x), bh, bl;
    double a = cact_mul_exp(0.5 * q.sh, q.ph, q.pl + q.sr);    /* (s / 2) exp(P), P <= 0 */
    cact_two_prod(t, CACT_RSQRT2PI_HI, &bh, &bl);
    bl = CACT_MADD(t, CACT_RSQRT2PI_LO, bl);
    double ah, al;
    cact_two_sum(a, -bh, &ah, &al);
    double D = cact_mul_exp(ah + (al - bl), -0.5 * q.h, -0.5 * q.l);
    double y = x < 0.0 ? D : 1.0 - D;
    y = fabs(d) < 0.35 ? root : y;
    return fabs(x) > CACT_GELU_ERF_SAT ? (x > 0 ? 1.0 : -0.0) : y;
}

/* ---- gelu exact, float32 in float lanes (16 per AVX-512 register) --------------------------- */
/* The forms (tools/fit_gelu_erff.py fits the four polynomials, gelu_erff_consts.h), t = |x|:
 *   |x| < 0.75: Phi(x) = 1/2 + x R(w), w = x^2 / 0.75^2 (gelu: x Phi(x); gelu': 1/2 + x S(w));
 *   gelu' on [-1.5, -0.4] around its root r: (x - r) F(x - r_hi) (x - r_hi is exact there);
 *   beyond: Q(t) = Phi(-t) = exp(-t^2/2) W(t), W = s H(s), s = C / (C + t), C = 1/2, so that
 *   gelu = x Q (x < 0) or x - x Q, and gelu' = D or 1 - D, D = exp(-t^2/2) (W - t / sqrt(2 pi)).
 * s is rounded, but W takes s's exact value (its division and C + t residuals) as a prefactor,
 * and H changes by under 0.3 of s's relative error (C = 1/2 chosen for that); t^2 is a float pair
 * into the exponential, which is applied last and scaled by 2^100 so that subnormal results round
 * once. */
#define cact_geluf_poly_R(w) cact_polyf(CACT_GELUF_R, CACT_GELUF_R_N, (w))
#define cact_geluf_poly_S(w) cact_polyf(CACT_GELUF_S, CACT_GELUF_S_N, (w))
#define cact_geluf_poly_F(d) cact_polyf(CACT_GELUF_F, CACT_GELUF_F_N, (d))
#define cact_geluf_poly_H(v) cact_polyf(CACT_GELUF_H, CACT_GELUF_H_N, (v))

/* W(t) = s H(s) for t in [0.75, 15] (the caller clamps t into it), as the pair *wh + *wl */
CACT_INLINE void cact_geluf_W(float t, float *wh, float *wl) {
    float d = CACT_GELUF_C + t;
    float dl = CACT_GELUF_C - (d - t);              /* C + t = d + dl exactly (t > C) */
    float s = CACT_GELUF_C / d;
    float p, pe;
    cact_two_prodf(s, d, &p, &pe);
    float e = ((CACT_GELUF_C - p) - pe) - s * dl;     /* C - s (C + t) (C - p: exact, p ~ C) */
    float ds = e * (2.0f * s);                       /* exact s - s~ = e / (C + t) ~ e s / C */
    float h = cact_geluf_poly_H((s - CACT_GELUF_H_MID) * CACT_GELUF_H_SCALE);
    cact_two_prodf(s, h, wh, wl);
    *wl = CACT_MADDF(ds, h, *wl);
}

/* exp(-t^2 / 2) = 2^-100 sc (1 + te) for t in [0.75, 15]: t^2 as a float pair into the reduction,
 * sc = 2^(k + 100) a normal float; the callers apply (1 + te) sc to their factor in one rounding */
CACT_INLINE float cact_geluf_gauss(float t, float *sc) {
    float h, l, ks;
    cact_two_prodf(t, t, &h, &l);
    float hh = -0.5f * h;
    float te = cact_expf_t_raw(hh < -110.0f ? -110.0f : hh, -0.5f * l, &ks);
    *sc = cact_expf_2p100_scale(ks);
    return te;
}

/* (mh + ml) exp(-t^2 / 2), rounded once (also where it is subnormal) */
CACT_INLINE float cact_geluf_times_gauss(float mh, float ml, float te, float sc) {
    float a = mh * sc, b = ml * sc;                  /* exact: powers of two */
    return CACT_MADDF(a, te, a + CACT_MADDF(b, te, b)) * CACT_2M100F;
}

CACT_INLINE float cact_gelu_erf_f32l(float x) {
    float t = fabsf(x);
    float ys = x * CACT_MADDF(x, cact_geluf_poly_R(x * x * CACT_GELUF_W_SCALE), 0.5f);
    float tl = t > CACT_GELUF_SAT ? CACT_GELUF_SAT : (t < CACT_GELUF_SMALL ? CACT_GELUF_SMALL : t);  /* NaN stays */
    float wh, wl, mh, ml, sc;
    cact_geluf_W(tl, &wh, &wl);
    cact_two_prodf(x, wh, &mh, &ml);                 /* x W */
    ml = CACT_MADDF(x, wl, ml);
    float te = cact_geluf_gauss(tl, &sc);
    float xq = cact_geluf_times_gauss(mh, ml, te, sc);   /* x Q(t) */
    float yl = x <= 0.0f ? xq : x - xq;
    float y = t < CACT_GELUF_SMALL ? ys : yl;
    return x < -CACT_GELUF_SAT ? -0.0f : (x > CACT_GELUF_SAT ? x : y);
}

CACT_INLINE float cact_gelu_erf_grad_f32l(float x) {
    float t = fabsf(x);
    float gs = CACT_MADDF(x, cact_geluf_poly_S(x * x * CACT_GELUF_W_SCALE), 0.5f);
    float dh = x - CACT_GELUF_ROOT_HI;
    float gr = (dh - CACT_GELUF_ROOT_LO) * cact_geluf_poly_F(dh);
    float tl = t > CACT_GELUF_SAT ? CACT_GELUF_SAT : (t < CACT_GELUF_SMALL ? CACT_GELUF_SMALL : t);
    float wh, wl, bh, bl, ah, al, sc;
    cact_geluf_W(tl, &wh, &wl);
    cact_two_prodf(tl, CACT_GELUF_RSQRT2PI_HI, &bh, &bl);       /* t / sqrt(2 pi) */
    bl = CACT_MADDF(tl, CACT_GELUF_RSQRT2PI_LO, bl);
    ah = wh - bh;                                   /* W - t / sqrt(2 pi), as a pair */
    float bb = ah - wh;
    al = ((wh - (ah - bb)) + (-bh - bb)) + (wl - bl);
    float te = cact_geluf_gauss(tl, &sc);
    float D = cact_geluf_times_gauss(ah, al, te, sc);
    float gl = x < 0.0f ? D : 1.0f - D;
    float y = (x >= CACT_GELUF_ROOT_START && x <= CACT_GELUF_ROOT_END) ? gr : (t < CACT_GELUF_SMALL ? gs : gl);
    return x < -CACT_GELUF_SAT ? -0.0f : (x > CACT_GELUF_SAT ? 1.0f : y);
}


/* ---- blocks (elementwise.h) ---- */
/* gelu tanh: float64 derivatives in blocks split by form (cact_gelu_tanh_grad_run), unless y
 * aliases an input, which the blocks would overwrite before reading it all */
CACT_EW_BLOCK(gelu_tanh, fwd, f64, double, CACT_EACH(cact_gelu_tanh(x[j])))
CACT_EW_BLOCK(gelu_tanh, grad, f64, double,
    if (y != x) { cact_gelu_tanh_grad_run(x, NULL, y, n); return; }
    CACT_EACH(cact_gelu_tanh_grad(x[j])))
CACT_EW_BLOCK(gelu_tanh, bwd, f64, double,
    if (y != x && y != g) { cact_gelu_tanh_grad_run(x, g, y, n); return; }
    CACT_EACH(g[j] * cact_gelu_tanh_grad(x[j])))
CACT_EW_BLOCK(gelu_tanh, fwd, f32, float, CACT_EACH(cact_gelu_tanh_f32(x[j])))
#if defined(__AVX512F__)
/* the derivative from the piecewise table (table.h) on [-6, 6), the form above below -6 */
CACT_TAB_SPAN(cact_gelu_tanh_grad_f32_span, GELU_TANH_GRAD, -7.0f, (float)cact_gelu_tanh_grad_f32(v))
CACT_EW_BLOCK(gelu_tanh, grad, f32, float, cact_gelu_tanh_grad_f32_span(x, NULL, y, n);)
CACT_EW_BLOCK(gelu_tanh, bwd, f32, float, cact_gelu_tanh_grad_f32_span(x, g, y, n);)
#else
CACT_EW_BLOCK(gelu_tanh, grad, f32, float, CACT_EACH((float)cact_gelu_tanh_grad_f32(x[j])))
CACT_EW_BLOCK(gelu_tanh, bwd, f32, float, CACT_EACH((float)((double)g[j] * cact_gelu_tanh_grad_f32(x[j]))))
#endif

/* gelu exact */
CACT_EW_F64(gelu_erf, cact_gelu_erf(x[j]), cact_gelu_erf_grad(x[j]))
#if defined(__AVX512F__)
/* float32 on the AVX-512 build: the piecewise tables (table.h), the forms above below -8 */
CACT_TAB_SPAN(cact_gelu_erf_f32_span, GELU_ERF, -9.0f, cact_gelu_erf_f32l(v))
CACT_TAB_SPAN(cact_gelu_erf_grad_f32_span, GELU_ERF_GRAD, -9.0f, cact_gelu_erf_grad_f32l(v))
CACT_EW_BLOCK(gelu_erf, fwd, f32, float, cact_gelu_erf_f32_span(x, NULL, y, n);)
CACT_EW_BLOCK(gelu_erf, grad, f32, float, cact_gelu_erf_grad_f32_span(x, NULL, y, n);)
CACT_EW_BLOCK(gelu_erf, bwd, f32, float, cact_gelu_erf_grad_f32_span(x, g, y, n);)
#else
CACT_EW_BLOCK(gelu_erf, fwd, f32, float, CACT_EACH(cact_gelu_erf_f32l(x[j])))
CACT_EW_BLOCK(gelu_erf, grad, f32, float, CACT_EACH(cact_gelu_erf_grad_f32l(x[j])))
CACT_EW_BLOCK(gelu_erf, bwd, f32, float, CACT_EACH(g[j] * cact_gelu_erf_grad_f32l(x[j])))
#endif

#endif
