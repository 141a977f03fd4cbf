/* float16 and bfloat16 <-> float32, for the half-precision blocks.
 *
 * A half-precision block (isa.c, CACT_HALF_LOOP) widens a chunk of its inputs to float32, runs the
 * activation's float32 block on it and rounds the result once to the half type; these are the
 * conversions. Both directions are exact or round to nearest even, as NumPy's and ml_dtypes'
 * casts do: a half value widens exactly; a float32 result rounds once (overflow to inf, subnormal
 * halves rounded as IEEE 754 says, NaN stays NaN with its sign and its payload's top bits, quieted).
 *
 * float16 uses F16C (x86-64-v3) or AVX-512 (x86-64-v4) conversion instructions; the baseline
 * build has a portable form with the same bits (integer and float steps GCC vectorizes).
 * bfloat16 is float32's top half, so its conversions are integer steps on every build. */
#ifndef CACT_HALF_H
#define CACT_HALF_H
#include <stdint.h>
#include <string.h>
#include <Python.h>
#if defined(__F16C__) || defined(__AVX512F__)
#include <immintrin.h>

#endif

static inline uint32_t cact_f2u(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float cact_u2f(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

/* float16 bits -> float32, exact: the exponent rebiased; subnormals renormalized through a float
 * subtraction (exact); inf and NaN keep their bits (NaN's payload shifted up) */
static inline float cact_f16_to_f32_1(uint16_t h) {
    uint32_t em = (uint32_t)(h & 0x7fff) << 13;      /* exponent and mantissa, float32 places */
    uint32_t e = em & 0x0f800000u;
    uint32_t v = em + ((uint32_t)(127 - 15) << 23);  /* rebiased */
    float sub = cact_u2f(v + (1u << 23)) - cact_u2f(113u << 23);   /* subnormal or zero */
    uint32_t r = e == 0x0f800000u ? v + ((uint32_t)(128 - 16) << 23) : e == 0 ? cact_f2u(sub) : v;
    return cact_u2f(r | (uint32_t)(h & 0x8000) << 16);
}

/* float32 -> float16 bits, rounded to nearest even (F. Giesen's branch-free form): normal results
 * round by integer addition; subnormal ones by a float addition that puts their bits at the bottom
 * of a float32 mantissa (float32's own rounding to nearest even); overflow to inf; NaN quieted,
 * the payload's top 9 bits kept, as F16C's vcvtps2ph does */
static inline uint16_t cact_f32_to_f16_1(float f) {
    uint32_t u = cact_f2u(f);
    uint32_t s = (u >> 16) & 0x8000u, a = u & 0x7fffffffu;
    uint32_t nrm = (a + ((uint32_t)(15 - 127) << 23) + 0xfffu + ((a >> 13) & 1u)) >> 13;
    const float magic = cact_u2f((uint32_t)((127 - 15) + (23 - 10) + 1) << 23);
    uint32_t sub = cact_f2u(cact_u2f(a) + magic) - cact_f2u(magic);
    uint32_t big = a > 0x7f800000u ? 0x7e00u | ((a >> 13) & 0x3ffu) : 0x7c00u;
    uint32_t r = a >= (uint32_t)(127 + 16) << 23 ? big : a < 113u << 23 ? sub : nrm;
    return (uint16_t)(r | s);
}

/* bfloat16 bits -> float32: exact */
static inline float cact_bf16_to_f32_1(uint16_t h) { return cact_u2f((uint32_t)h << 16); }

/* float32 -> bfloat16 bits, rounded to nearest even (overflow to inf by the carry); NaN quieted,
 * the top of its payload kept */
static inline uint16_t cact_f32_to_bf16_1(float f) {
    uint32_t u = cact_f2u(f);
    uint32_t r = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
    return (uint16_t)((u & 0x7fffffffu) > 0x7f800000u ? (u >> 16) | 0x40u : r);
}

/* ---- block conversions: n elements ---------------------------------------------------------- */

static inline void cact_f16_load(const uint16_t *h, float *f, Py_ssize_t n) {
    Py_ssize_t j = 0;
#if defined(__AVX512F__)
    for (; j + 16 <= n; j += 16)
        _mm512_storeu_ps(f + j, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(h + j))));
#elif defined(__F16C__)
    for (; j + 8 <= n; j += 8)
        _mm256_storeu_ps(f + j, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(h + j))));

#endif
    for (; j < n; ++j) f[j] = cact_f16_to_f32_1(h[j]);
}

static inline void cact_f16_store(const float *f, uint16_t *h, Py_ssize_t n) {
    Py_ssize_t j = 0;
#if defined(__AVX512F__)
    for (; j + 16 <= n; j += 16)
        _mm256_storeu_si256((__m256i *)(h + j),
                            _mm512_cvtps_ph(_mm512_loadu_ps(f + j), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
#elif defined(__F16C__)
    for (; j + 8 <= n; j += 8)
        _mm_storeu_si128((__m128i *)(h + j),
                         _mm256_cvtps_ph(_mm256_loadu_ps(f + j), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));

#endif
    for (; j < n; ++j) h[j] = cact_f32_to_f16_1(f[j]);
}

static inline void cact_bf16_load(const uint16_t *h, float *f, Py_ssize_t n) {
    for (Py_ssize_t j = 0; j < n; ++j) f[j] = cact_bf16_to_f32_1(h[j]);
}

static inline void cact_bf16_store(const float *f, uint16_t *h, Py_ssize_t n) {
    for (Py_ssize_t j = 0; j < n; ++j) h[j] = cact_f32_to_bf16_1(f[j]);
}


/* n half values (bf: bfloat16, else float16) widened to float32, or (f64) float64: exact */
static void cact_half_widen(int bf, const uint16_t *h, void *dst, Py_ssize_t n, int f64) {
    if (!f64) {
        if (bf) cact_bf16_load(h, (float *)dst, n);
        else cact_f16_load(h, (float *)dst, n);
        return;
    }
    float t[256];
    double *d = (double *)dst;
    for (Py_ssize_t k = 0; k < n; k += 256) {
        Py_ssize_t m = n - k < 256 ? n - k : 256;
        if (bf) cact_bf16_load(h + k, t, m);
        else cact_f16_load(h + k, t, m);
        for (Py_ssize_t j = 0; j < m; ++j) d[k + j] = t[j];
    }
}

/* n float32 (or, f64, float64) values rounded to the half type: float32 once; float64 through
 * float32 (a second rounding only within a float32 ulp of a half rounding boundary) */
static void cact_half_narrow(int bf, const void *src, uint16_t *h, Py_ssize_t n, int f64) {
    if (!f64) {
        if (bf) cact_bf16_store((const float *)src, h, n);
        else cact_f16_store((const float *)src, h, n);
        return;
    }
    float t[256];
    const double *s = (const double *)src;
    for (Py_ssize_t k = 0; k < n; k += 256) {
        Py_ssize_t m = n - k < 256 ? n - k : 256;
        for (Py_ssize_t j = 0; j < m; ++j) t[j] = (float)s[k + j];
        if (bf) cact_bf16_store(t, h + k, m);
        else cact_f16_store(t, h + k, m);
    }
}


#endif
