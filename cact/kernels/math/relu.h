/* relu, leaky relu and prelu's slope math (slope a for x <= 0; derivative a at 0, as PyTorch) */
#ifndef CACT_RELU_H
#define CACT_RELU_H
#include "elementwise.h"

/* ---- relu / leaky relu / prelu (slope a for x <= 0; derivative a at 0, as PyTorch) ---------- */

CACT_INLINE double cact_relu(double x) { return x <= 0 ? 0.0 : x; }

CACT_INLINE double cact_relu_grad(double x) { return x > 0 ? 1.0 : (x <= 0 ? 0.0 : x); }

CACT_INLINE double cact_leaky_relu(double x, double a) { return x > 0 ? x : a * x; }

CACT_INLINE double cact_leaky_relu_grad(double x, double a) {
    return x > 0 ? 1.0 : (x <= 0 ? a : x);
}

/* float32 in float (8 lanes): the same values, bit for bit (g * 1 and g * 0 are exact) */
CACT_INLINE float cact_relu_f32(float x) { return x <= 0 ? 0.0f : x; }
CACT_INLINE float cact_relu_grad_f32(float x) { return x > 0 ? 1.0f : (x <= 0 ? 0.0f : x); }
CACT_INLINE float cact_relu_bwd_f32(float x, float g) { return g * cact_relu_grad_f32(x); }

/* float32 with a slope a carried as the float pair ah + al (48 bits of a): a x = x ah + x al
 * rounded once with FMA (builds without FMA always take the double loops, which round once, so
 * every path gives the same float). ah is a rounded toward zero, so al has
 * a's sign (never 0 unless a is: a 2^-60 stands in when a is a float), and x = +-inf gives
 * +-inf + +-inf of one sign, not NaN. Usable when a == 0 or 2^-60 <= |a| <= 2^60
 * (cact_slope_f32_ok); the kernels use the double functions otherwise, so huge, tiny and
 * non-finite slopes keep their double semantics. */
CACT_INLINE int cact_slope_f32_ok(double a) {
#if defined(__FMA__)
    double m = fabs(a);
    return a == 0 || (m >= CACT_2M60 && m <= CACT_2P60);
#else
    (void)a;
    return 0;   /* without FMA x ah + x al rounds twice: the double loops round once */
#endif
}
/* hi: a truncated toward 0 to float's 24 bits (for the a the pairs take, normal floats: (float)a,
 * one ulp toward 0 when that rounded away), by a mask of the double's bits; written with selects,
 * not early returns, so that loops over slopes vectorize (prelu's tables: cact_prelu_pairs) */
CACT_INLINE float cact_slope_trunc(double a) {
    return (float)cact_as_double(cact_as_uint64(a) & ~(uint64_t)0x1FFFFFFF);
}
CACT_INLINE float cact_slope_hi(double a) { return cact_slope_f32_ok(a) ? cact_slope_trunc(a) : 0.0f; }
CACT_INLINE float cact_slope_lo(double a) {
    double d = a - (double)cact_slope_trunc(a);
    return cact_slope_f32_ok(a) ? (float)(d == 0 ? a * CACT_2M60 : d) : 0.0f;
}
CACT_INLINE float cact_mul_slope_f32(float x, float ah, float al) { return CACT_MADDF(x, ah, x * al); }

CACT_INLINE float cact_leaky_relu_f32(float x, float ah, float al) {
    return x > 0 ? x : cact_mul_slope_f32(x, ah, al);
}
CACT_INLINE float cact_leaky_relu_grad_f32(float x, float ah, float al) {
    return x > 0 ? 1.0f : (x <= 0 ? ah + al : x);   /* a rounded once to float */
}
CACT_INLINE float cact_leaky_relu_bwd_f32(float x, float g, float ah, float al) {
    return x > 0 ? g : (x <= 0 ? cact_mul_slope_f32(g, ah, al) : x);
}

/* d prelu / d alpha at one point: x where x <= 0, else 0 (NaN stays NaN) */
CACT_INLINE double cact_prelu_grad_alpha(double x) { return x > 0 ? 0.0 : x; }


/* ---- blocks (elementwise.h) ---- */
CACT_EW_F64(relu, cact_relu(x[j]), cact_relu_grad(x[j]))
CACT_EW_BLOCK(relu, fwd, f32, float, CACT_EACH(cact_relu_f32(x[j])))
CACT_EW_BLOCK(relu, grad, f32, float, CACT_EACH(cact_relu_grad_f32(x[j])))
CACT_EW_BLOCK(relu, bwd, f32, float, CACT_EACH(cact_relu_bwd_f32(x[j], g[j])))

/* relu on float16 / bfloat16 bits (the registry's half=True): its values are x or 0 and its
 * derivative 0 or 1, so these are the bits the float32 math rounded would give, in 16-bit lanes
 * (twice float32's): x <= 0 gives +0; the derivative 1 (ONE) for x > 0; the backward g there, else
 * g * 0 (0 of g's sign; NaN for an infinite g, as float32's g * 0); NaN in x or g stays NaN (the
 * quiet bit Q set). INF: the bits of +inf, above which |x|'s bits are NaN. */
CACT_INLINE uint16_t cact_relu_h(uint16_t v, uint16_t INF) { return (v & 0x8000u) && (v & 0x7fffu) <= INF ? 0 : v; }
CACT_INLINE uint16_t cact_relu_grad_h(uint16_t v, uint16_t INF, uint16_t ONE, uint16_t Q) {
    return (v & 0x7fffu) > INF ? (uint16_t)(v | Q) : !(v & 0x8000u) && v ? ONE : 0;
}
CACT_INLINE uint16_t cact_relu_bwd_h(uint16_t v, uint16_t w, uint16_t INF, uint16_t Q) {
    uint16_t zero = (w & 0x7fffu) >= INF ? (uint16_t)(w | 0x8000u | Q) : (uint16_t)(w & 0x8000u);
    return (v & 0x7fffu) > INF ? (uint16_t)(v | Q) : !(v & 0x8000u) && v ? w : zero;
}
#define CACT_RELU_HALF(h, INF, ONE, Q)                                                          \
    CACT_EW_BLOCK(relu, fwd, h, uint16_t, CACT_EACH(cact_relu_h(x[j], INF)))                     \
    CACT_EW_BLOCK(relu, grad, h, uint16_t, CACT_EACH(cact_relu_grad_h(x[j], INF, ONE, Q)))       \
    CACT_EW_BLOCK(relu, bwd, h, uint16_t, CACT_EACH(cact_relu_bwd_h(x[j], g[j], INF, Q)))
CACT_RELU_HALF(f16, 0x7c00u, 0x3c00u, 0x0200u)
CACT_RELU_HALF(bf16, 0x7f80u, 0x3f80u, 0x0040u)

/* leaky relu: float32 in float lanes with the slope as a float pair where it allows (P->ok,
 * cact_prep), else in double */
CACT_EW_F64(leaky_relu, cact_leaky_relu(x[j], p0), cact_leaky_relu_grad(x[j], p0))
CACT_EW_BLOCK(leaky_relu, fwd, f32, float,
    if (P->ok) { CACT_EACH(cact_leaky_relu_f32(x[j], ph, pl)) }
    else { CACT_EACH((float)cact_leaky_relu(x[j], p0)) })
CACT_EW_BLOCK(leaky_relu, grad, f32, float,
    if (P->ok) { CACT_EACH(cact_leaky_relu_grad_f32(x[j], ph, pl)) }
    else { CACT_EACH((float)cact_leaky_relu_grad(x[j], p0)) })
CACT_EW_BLOCK(leaky_relu, bwd, f32, float,
    if (P->ok) { CACT_EACH(cact_leaky_relu_bwd_f32(x[j], g[j], ph, pl)) }
    else { CACT_EACH((float)((double)g[j] * cact_leaky_relu_grad(x[j], p0))) })

#endif
