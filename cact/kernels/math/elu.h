/* elu: value and derivative (double; float lanes for the float32 derivative's runs) */
#ifndef CACT_ELU_H
#define CACT_ELU_H
#include "elementwise.h"
#include "relu.h"   /* the slope as a float pair */

/* ---- elu ------------------------------------------------------------------------------------ */

CACT_INLINE double cact_elu(double x, double a) { return x > 0 ? x : a * cact_expm1(x); }

CACT_INLINE double cact_elu_grad(double x, double a) {
    return x > 0 ? 1.0 : a * cact_exp(x > 0 ? 0.0 : x);   /* one mask for both selects; NaN stays */
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


/* ---- blocks (elementwise.h): float32 derivatives in runs of float lanes (cact_elu_grad_f32_run) */
CACT_EW_F64(elu, cact_elu(x[j], p0), cact_elu_grad(x[j], p0))
CACT_EW_BLOCK(elu, fwd, f32, float, CACT_EACH((float)cact_elu_f32(x[j], p0)))
CACT_EW_BLOCK(elu, grad, f32, float, cact_elu_grad_f32_run(x, NULL, y, n, p0);)
CACT_EW_BLOCK(elu, bwd, f32, float, cact_elu_grad_f32_run(x, g, y, n, p0);)

/* ---- selu: scale elu(x, alpha) with PyTorch's constants; scale * alpha rounded once ---- */
#define CACT_SELU_SCALE 1.0507009873554804934193349852946
#define CACT_SELU_SA 1.7580993408473768599402175208123   /* scale * alpha */
CACT_INLINE double cact_selu(double x) { return x > 0 ? CACT_SELU_SCALE * x : CACT_SELU_SA * cact_expm1(x); }
CACT_INLINE double cact_selu_grad(double x) {
    return x > 0 ? CACT_SELU_SCALE : CACT_SELU_SA * cact_exp(x > 0 ? 0.0 : x);
}
/* float32 derivative in float lanes: e^x in float (x exact, no argument error) times scale * alpha
 * as a float pair (cact_mul_slope_f32: one rounding with FMA) */
CACT_INLINE float cact_selu_grad_f32(float x, float sah, float sal) {
    float e = cact_expf_neg(x > 0 ? 0.0f : x, -0.0f);
    return x > 0 ? (float)CACT_SELU_SCALE : cact_mul_slope_f32(e, sah, sal);
}
CACT_EW_F64(selu, cact_selu(x[j]), cact_selu_grad(x[j]))
CACT_EW_BLOCK(selu, fwd, f32, float, CACT_EACH((float)cact_selu(x[j])))
#if defined(__FMA__)
CACT_EW_BLOCK(selu, grad, f32, float,
    const float sah = cact_slope_hi(CACT_SELU_SA), sal = cact_slope_lo(CACT_SELU_SA);
    CACT_EACH(cact_selu_grad_f32(x[j], sah, sal)))
CACT_EW_BLOCK(selu, bwd, f32, float,
    const float sah = cact_slope_hi(CACT_SELU_SA), sal = cact_slope_lo(CACT_SELU_SA);
    CACT_EACH(g[j] * cact_selu_grad_f32(x[j], sah, sal)))
#else   /* without FMA the pair would round twice: in double */
CACT_EW_BLOCK(selu, grad, f32, float, CACT_EACH((float)cact_selu_grad(x[j])))
CACT_EW_BLOCK(selu, bwd, f32, float, CACT_EACH((float)((double)g[j] * cact_selu_grad(x[j]))))
#endif

/* ---- celu(alpha = p0): x if x > 0 else alpha (exp(x / alpha) - 1); f' 1 or exp(x / alpha) ---- */
CACT_INLINE double cact_celu(double x, double a) { return x > 0 ? x : a * cact_expm1(x / a); }
/* the argument x / alpha as a double-double (its rounding would be magnified by |x / alpha|) */
CACT_INLINE double cact_celu_grad(double x, double a) {
    double u = x / a, p, pe;
    cact_two_prod(u, a, &p, &pe);
    double ul = ((x - p) - pe) / a;
    return x > 0 ? 1.0 : cact_mul_exp(1.0, u > 0 ? 0.0 * u : u, u > 0 ? 0.0 : ul);   /* (alpha > 0: u <= 0 here) */
}
/* float32 derivative in float lanes: u = x / alpha as the float pair x (iah + ial), iah + ial =
 * 1 / alpha (its rounding would be magnified by |u|), for the float exp, which takes a pair; u is
 * capped at -110, where exp is 0 in float (NaN stays). Without FMA the pair is not exact: in double. */
CACT_INLINE float cact_celu_grad_f32(float x, float iah, float ial) {
    float uh = x * iah, ul = CACT_MADDF(x, iah, -uh) + x * ial;
    float cap = uh < -110.0f ? -110.0f : uh;
    float h = cap > 0 ? 0.0f : cap;   /* (alpha > 0: u <= 0 where it is used) */
    return x > 0 ? 1.0f : cact_expf_neg(h, h == uh ? ul : 0.0f);
}
CACT_EW_F64(celu, cact_celu(x[j], p0), cact_celu_grad(x[j], p0))
CACT_EW_BLOCK(celu, fwd, f32, float, CACT_EACH((float)cact_celu(x[j], p0)))
#if defined(__FMA__)
#define CACT_CELU_INV const double ia = 1.0 / p0; const float iah = (float)ia, ial = (float)(ia - (double)iah);
CACT_EW_BLOCK(celu, grad, f32, float, CACT_CELU_INV CACT_EACH(cact_celu_grad_f32(x[j], iah, ial)))
CACT_EW_BWD_VIA_GRAD(celu, f32, float)
#undef CACT_CELU_INV
#else
CACT_EW_BLOCK(celu, grad, f32, float, CACT_EACH((float)cact_celu_grad(x[j], p0)))
CACT_EW_BLOCK(celu, bwd, f32, float, CACT_EACH((float)((double)g[j] * cact_celu_grad(x[j], p0))))
#endif

#endif
