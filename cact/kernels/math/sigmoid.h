/* sigmoid: its value and derivative at a point (double and float lanes), and from its output y */
#ifndef CACT_SIGMOID_H
#define CACT_SIGMOID_H
#include "elementwise.h"

/* ---- sigmoid ------------------------------------------------------------------------------- */

CACT_INLINE double cact_sigmoid(double x) {
    double e = cact_exp(-fabs(x));
    return (x >= 0 ? 1.0 : e) / (1.0 + e);
}

/* s (1 - s) = e / (1 + e)^2 with e = exp(-|x|); (1 + e)^2 carried as hi + lo */
CACT_INLINE double cact_sigmoid_grad(double x) {
    double e = cact_exp(-fabs(x));
    double dh = 1.0 + e;
    double dl = e - (dh - 1.0);          /* exact: 1 >= e */
    double p, pe;
    cact_two_prod(dh, dh, &p, &pe);
    pe += 2.0 * dh * dl;
    return e / (p + pe);
}

/* float32 in float arithmetic (8 lanes per AVX2 register): -|x| is exact, so expf's ~1 ulp is
 * the only error that matters; max 2.x ulp of float32 (tests/test_accuracy.py). The value is
 * e / (1 + e) or 1 / (1 + e) with numerator and denominator both scaled by 2^100 (E = 2^100 e is
 * always normal), so the one division is also the one rounding of a subnormal result. */
CACT_INLINE float cact_sigmoid_f32(float x) {
    float E = cact_expf_neg_2p100(-fabsf(x), -0.0f);       /* 2^100 e */
    return (x >= 0 ? CACT_2P100F : E) / (CACT_2P100F + E);
}

/* The float32 forward over a span: cact_sigmoid_f32 at each element. The AVX-512 and AVX2 builds
 * write the loop with intrinsics: the same operations in the same order (the same bits), but
 * -min(|x|, 110) as one OR and one max whose second operand is the one a NaN keeps (GCC's loop:
 * and, compare, xor, blend, as C's comparison cannot become a max without the NaN rule), two
 * instructions fewer in ~24 per vector, where the loop is bound by its arithmetic ports. */
#if defined(__AVX512F__) && defined(__AVX512DQ__)
#define CACT_SPAN_W 16
#define CACT_V __m512
#define CACT_VOP(op) _mm512_##op
#define CACT_V_AS_I _mm512_castps_si512
#define CACT_I_AS_V _mm512_castsi512_ps
#define CACT_V_SELECT_GE0(x, neg, pos) _mm512_mask_blend_ps(_mm512_cmp_ps_mask((x), _mm512_setzero_ps(), _CMP_GE_OQ), (neg), (pos))
#elif defined(__AVX2__) && defined(__FMA__)
#define CACT_SPAN_W 8
#define CACT_V __m256
#define CACT_VOP(op) _mm256_##op
#define CACT_V_AS_I _mm256_castps_si256
#define CACT_I_AS_V _mm256_castsi256_ps
#define CACT_V_SELECT_GE0(x, neg, pos) _mm256_blendv_ps((neg), (pos), _mm256_cmp_ps((x), _mm256_setzero_ps(), _CMP_GE_OQ))
#endif

#ifdef CACT_SPAN_W
static inline CACT_V cact_sigmoid_f32v(CACT_V x) {
#define CACT_C(v) CACT_VOP(set1_ps)(v)
    const CACT_V shift = CACT_C(CACT_SHIFTF), big = CACT_C(CACT_2P100F);
    CACT_V h = CACT_VOP(max_ps)(CACT_C(-110.0f), CACT_VOP(or_ps)(x, CACT_C(-0.0f)));   /* NaN stays */
    CACT_V s = CACT_VOP(fmadd_ps)(h, CACT_C(1.44269504f), shift);                    /* cact_expf_t_raw */
    CACT_V kd = CACT_VOP(sub_ps)(s, shift);
    CACT_V r = CACT_VOP(fnmadd_ps)(kd, CACT_C(0.693145751953125f), h);
    r = CACT_VOP(fnmadd_ps)(kd, CACT_C(1.428606765330187e-06f), r);
    CACT_V q = CACT_VOP(fmadd_ps)(CACT_C(CACT_EXPF_Q4), r, CACT_C(CACT_EXPF_Q3));
    q = CACT_VOP(fmadd_ps)(q, r, CACT_C(CACT_EXPF_Q2));
    q = CACT_VOP(fmadd_ps)(q, r, CACT_C(CACT_EXPF_Q1));
    q = CACT_VOP(fmadd_ps)(q, r, CACT_C(CACT_EXPF_Q0));
    CACT_V t = CACT_VOP(fmadd_ps)(CACT_VOP(mul_ps)(r, r), q, r);
    CACT_V sc = CACT_I_AS_V(CACT_VOP(add_epi32)(CACT_VOP(slli_epi32)(CACT_V_AS_I(s), 23),
                                                CACT_VOP(set1_epi32)(227 << 23)));   /* cact_expf_2p100_t */
    CACT_V E = CACT_VOP(fmadd_ps)(t, sc, sc);
    return CACT_VOP(div_ps)(CACT_V_SELECT_GE0(x, E, big), CACT_VOP(add_ps)(big, E));
#undef CACT_C
}

CACT_INLINE void cact_sigmoid_f32_span(const float *x, float *y, Py_ssize_t n) {
    Py_ssize_t j = 0;
    for (; j + CACT_SPAN_W <= n; j += CACT_SPAN_W)
        CACT_VOP(storeu_ps)(y + j, cact_sigmoid_f32v(CACT_VOP(loadu_ps)(x + j)));
    for (; j < n; ++j) y[j] = cact_sigmoid_f32(x[j]);
}
#else
CACT_INLINE void cact_sigmoid_f32_span(const float *x, float *y, Py_ssize_t n) {
    for (Py_ssize_t j = 0; j < n; ++j) y[j] = cact_sigmoid_f32(x[j]);
}
#endif

CACT_INLINE float cact_sigmoid_grad_f32(float x) {
    float e = cact_expf_neg(-fabsf(x), -0.0f);
    float dh = 1.0f + e, dl = e - (dh - 1.0f), p, pe;
    cact_two_prodf(dh, dh, &p, &pe);
    pe += 2.0f * dh * dl;
    return e / (p + pe);
}

/* g s'(x) in float: the product of two floats rounds once, as it would in double */
CACT_INLINE float cact_sigmoid_bwd_f32(float x, float g) { return g * cact_sigmoid_grad_f32(x); }

/* From the forward's output y = sigmoid(x) (PyTorch's sigmoid_backward): y (1 - y) for the y given
 * (its error as sigmoid'(x) is y's own, which 1 - y magnifies where y is close to 1). double: two
 * roundings; float with FMA: y - y^2 rounded once, in float lanes, and g times it (within 1.5 ulp);
 * float without FMA: in double, where y - y^2 is exact (y^2 has 48 bits), rounded once. */
CACT_INLINE double cact_sigmoid_y_grad(double y) { return y * (1.0 - y); }
/* float32: y - y^2, exact before its one rounding (an FMA, else in double); at y = +inf (not an
 * output of sigmoid, but an input) that form is inf - inf, so +inf takes y (1 - y) = -inf, as the
 * float64 form and PyTorch give */
#if defined(__FMA__)
CACT_INLINE float cact_sigmoid_y_grad_f32(float y) { return y == INFINITY ? -INFINITY : __builtin_fmaf(-y, y, y); }
/* g times it; from |y| = 2^32 (y^2 would overflow long before g y (1 - y) does) (g y) (1 - y) */
CACT_INLINE float cact_sigmoid_y_bwd_f32(float y, float g) {
    return __builtin_fabsf(y) > 0x1p32f ? (g * y) * (1.0f - y) : g * __builtin_fmaf(-y, y, y);
}
#else
CACT_INLINE float cact_sigmoid_y_grad_f32(float y) {
    double d = y;
    return y == INFINITY ? -INFINITY : (float)(d - d * d);
}
CACT_INLINE float cact_sigmoid_y_bwd_f32(float y, float g) {
    double d = y;
    return (float)((double)g * (y == INFINITY ? -INFINITY : d - d * d));
}
#endif


/* ---- blocks (elementwise.h) ---- */
CACT_EW_F64(sigmoid, cact_sigmoid(x[j]), cact_sigmoid_grad(x[j]))
CACT_EW_BLOCK(sigmoid, fwd, f32, float, cact_sigmoid_f32_span(x, y, n);)
CACT_EW_BLOCK(sigmoid, grad, f32, float, CACT_EACH(cact_sigmoid_grad_f32(x[j])))
CACT_EW_BLOCK(sigmoid, bwd, f32, float, CACT_EACH(cact_sigmoid_bwd_f32(x[j], g[j])))

/* sigmoid's derivative from its output (no forward: x is y here) */
CACT_EW_BLOCK(sigmoid_y, grad, f64, double, CACT_EACH(cact_sigmoid_y_grad(x[j])))
CACT_EW_BLOCK(sigmoid_y, bwd, f64, double, CACT_EACH(g[j] * cact_sigmoid_y_grad(x[j])))
CACT_EW_BLOCK(sigmoid_y, grad, f32, float, CACT_EACH(cact_sigmoid_y_grad_f32(x[j])))
CACT_EW_BLOCK(sigmoid_y, bwd, f32, float, CACT_EACH(cact_sigmoid_y_bwd_f32(x[j], g[j])))

#endif
