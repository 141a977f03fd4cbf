/* Row math for softmax on contiguous rows, in float and double (see _softmax_rows.inc). */
#ifndef CACT_SOFTMAX_H
#define CACT_SOFTMAX_H
#include <Python.h>
#include "_math.h"
#include "_stream.h"

/* Native vectors for the row passes (GCC/clang vector extensions: their auto-vectorizer leaves
 * the compensated sums and the row max scalar, 1-2 ns per element): one AVX-512, AVX or SSE
 * register. Other compilers: "vectors" of one element, the same arithmetic lane by lane. */
#if defined(__GNUC__) || defined(__clang__)
#define CACT_VECTORS 1
#if defined(__AVX512F__)
#define CACT_VBYTES 64
#elif defined(__AVX__)
#define CACT_VBYTES 32
#else
#define CACT_VBYTES 16
#endif
typedef float cact_vt_f32 __attribute__((vector_size(CACT_VBYTES)));
typedef int32_t cact_vi_f32 __attribute__((vector_size(CACT_VBYTES)));
typedef double cact_vt_f64 __attribute__((vector_size(CACT_VBYTES)));
typedef int64_t cact_vi_f64 __attribute__((vector_size(CACT_VBYTES)));
typedef float cact_vhalf_f32 __attribute__((vector_size(CACT_VBYTES / 2)));   /* converts to vt_f64 */
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif
#else
#define CACT_VECTORS 0
#define CACT_VBYTES 8
typedef double cact_vt_f64;
#endif

/* The sums run in CACT_LANES partial sums (element j goes to lane j mod CACT_LANES), as
 * CACT_LANES / (doubles per vector) independent vectors, so the adds overlap. */
#define CACT_LANES 16

/* columns per tile of the column kernels (softmax down a strided axis, one column per SIMD lane) */
#define CACT_COLS 16
/* rows of at most this many elements run 16 at a time as the columns of a tile (short_rows):
 * where tiles measured faster than rows, forward and backward from x, both dtypes
 * (tools/c/softmax_short_bench.c, and 0.89-0.93x in Python at 28 float64: AVX-512 up to 28 in
 * float32 and 20 in float64, 16 itself a tie; AVX2 and the baseline to about 12) */
#if defined(CACT_SHORT_K)   /* one limit for both (tools/c/softmax_short_bench.c) */
#define CACT_SHORT_K_F32 CACT_SHORT_K
#define CACT_SHORT_K_F64 CACT_SHORT_K
#elif defined(__AVX512F__)
#define CACT_SHORT_K_F32 28
#define CACT_SHORT_K_F64 20
#else
#define CACT_SHORT_K_F32 12
#define CACT_SHORT_K_F64 12
#endif
/* columns per panel of softmax_vjp_y_panel: its lane sums (16 x panel doubles, twice for the
 * compensated double rows) take 32 KB */
#define CACT_PANEL_F32 256
#define CACT_PANEL_F64 128

/* Rows of a C-contiguous array follow each other. A row's first pass (the max) reads it from
 * memory; its other passes then run from L1 while the memory sits idle. Told that the next row
 * follows (next != 0), the forward and the backward from x ask for its lines during their
 * exponentials (x's and g's, and the output's for writing: CACT_PF_BYTES of each per step), so the
 * memory works while the core computes: 1e7 float32 in rows of 1000, 2 threads, 1.65-1.75x the
 * time of memcpy -> 1.43-1.50x (tools/c/softmax_prefetch_bench.c). Only rows of at most
 * CACT_PF_ROW_MAX bytes (a longer row's successor is evicted before it is used: rows of 1 MB got
 * slower) and arrays of at least CACT_PF_FROM bytes (callers decide: smaller ones stay in cache
 * when a loop calls again, and there the prefetches only cost). The backward from y is not helped
 * (its cached pass is too short to hide anything). */
#ifndef CACT_PF_ROW_MAX
#define CACT_PF_ROW_MAX (256 * 1024)
#endif
#define CACT_PF_FROM (2 * 1024 * 1024)
#define CACT_PF_BYTES 256
#if defined(__GNUC__) || defined(__clang__)
#define CACT_PF_LINE(a, rw) __builtin_prefetch((const void *)(a), (rw), 3)
#else
#define CACT_PF_LINE(a, rw) ((void)0)
#endif
/* bytes [off, off + CACT_PF_BYTES) of the arrays at r1, r2 (read) and w (written); 0: none. The
 * addresses are integers: past the array's end for its last row, where a prefetch is harmless. */
CACT_INLINE void cact_pf_step(uintptr_t r1, uintptr_t r2, uintptr_t w, Py_ssize_t off) {
    for (int l = 0; l < CACT_PF_BYTES; l += 64) {
        if (r1) CACT_PF_LINE(r1 + off + l, 0);
        if (r2) CACT_PF_LINE(r2 + off + l, 0);
        if (w) CACT_PF_LINE(w + off + l, 1);
    }
}

/* a b + c, fused where the build has FMA (callers use it where a b is exact, so it is the same sum) */
CACT_INLINE cact_vt_f64 cact_vd_madd(cact_vt_f64 a, cact_vt_f64 b, cact_vt_f64 c) {
#if CACT_VECTORS && defined(__FMA__) && CACT_VBYTES == 64
    return (cact_vt_f64)_mm512_fmadd_pd((__m512d)a, (__m512d)b, (__m512d)c);
#elif CACT_VECTORS && defined(__FMA__) && CACT_VBYTES == 32
    return (cact_vt_f64)_mm256_fmadd_pd((__m256d)a, (__m256d)b, (__m256d)c);
#elif CACT_VECTORS && defined(__FMA__)
    return (cact_vt_f64)_mm_fmadd_pd((__m128d)a, (__m128d)b, (__m128d)c);
#else
    return a * b + c;
#endif
}

/* the same in float lanes: fused exactly where CACT_MADDF is (so the lanes give its bits) */
#if CACT_VECTORS
CACT_INLINE cact_vt_f32 cact_vf_madd(cact_vt_f32 a, cact_vt_f32 b, cact_vt_f32 c) {
#if defined(__FMA__) && CACT_VBYTES == 64
    return (cact_vt_f32)_mm512_fmadd_ps((__m512)a, (__m512)b, (__m512)c);
#elif defined(__FMA__)   /* (FMA implies AVX: 32-byte vectors at least) */
    return (cact_vt_f32)_mm256_fmadd_ps((__m256)a, (__m256)b, (__m256)c);
#else
    return a * b + c;
#endif
}
#endif

/* The lanes of CACT_LANES / (doubles per vector) vectors summed pairwise, lane l += lane l + w for
 * w = CACT_LANES / 2, ..., 1 (the order of the row sums, which the column kernels follow too),
 * halving in registers (in an array each level's stores and reloads stall store forwarding). */
CACT_INLINE double cact_fold_lanes(cact_vt_f64 *v) {
#if CACT_VECTORS
    enum { LD = CACT_VBYTES / sizeof(double), NV = CACT_LANES / LD };
    for (int w = NV / 2; w >= 1; w /= 2)
        for (int a = 0; a < w; ++a) v[a] += v[a + w];
#if CACT_VBYTES >= 32
    typedef double cact_v2d __attribute__((vector_size(16)));
#endif
#if CACT_VBYTES == 64
    typedef double cact_v4d __attribute__((vector_size(32)));
    cact_v4d lo4, hi4;
    memcpy(&lo4, &v[0], 32);
    memcpy(&hi4, (char *)&v[0] + 32, 32);
    lo4 += hi4;
    cact_v2d lo2, hi2;
    memcpy(&lo2, &lo4, 16);
    memcpy(&hi2, (char *)&lo4 + 16, 16);
#elif CACT_VBYTES == 32
    cact_v2d lo2, hi2;
    memcpy(&lo2, &v[0], 16);
    memcpy(&hi2, (char *)&v[0] + 16, 16);
#endif
#if CACT_VBYTES >= 32
    lo2 += hi2;
    return lo2[0] + lo2[1];
#else
    return v[0][0] + v[0][1];
#endif
#else
    double a[CACT_LANES];
    memcpy(a, v, sizeof a);
    for (int w = CACT_LANES / 2; w >= 1; w /= 2)
        for (int l = 0; l < w; ++l) a[l] += a[l + w];
    return a[0];
#endif
}

/* a b - p exactly, for p = a b rounded: FMA, or Dekker's splitting without it */
CACT_INLINE cact_vt_f64 cact_vd_prod_err(cact_vt_f64 a, cact_vt_f64 b, cact_vt_f64 p) {
#if CACT_VECTORS && defined(__FMA__)
    return cact_vd_madd(a, b, -p);   /* fused: one rounding of an exact value */
#elif !CACT_VECTORS
    double pp, e;
    cact_two_prod(a, b, &pp, &e);
    return e;
#else
    const cact_vt_f64 split = a * 0.0 + 134217729.0; /* 2^27 + 1 */
    cact_vt_f64 t = split * a, ah = t - (t - a), al = a - ah;
    t = split * b;
    cact_vt_f64 bh = t - (t - b), bl = b - bh;
    return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
#endif
}

#define CACT_T float
#define CACT_ROWFN(name) cact_##name##_f32
#define CACT_ROW_EXP(x, m) cact_expf_diff((x), (float)(m))
#define CACT_ROW_EXP_FINITE(x, m) cact_expf_diff_finite((x), (float)(m))
#define CACT_ROW_MAX_M CACT_DIFFF_MAX_M
#define CACT_ROW_EXACT_SUMS 0
#define CACT_ROW_PANEL CACT_PANEL_F32
#define CACT_ROW_SHORT_K CACT_SHORT_K_F32
#include "_softmax_rows.inc"
#undef CACT_T
#undef CACT_ROWFN
#undef CACT_ROW_EXP
#undef CACT_ROW_EXP_FINITE
#undef CACT_ROW_MAX_M
#undef CACT_ROW_EXACT_SUMS
#undef CACT_ROW_PANEL
#undef CACT_ROW_SHORT_K

#define CACT_T double
#define CACT_ROWFN(name) cact_##name##_f64
#define CACT_ROW_EXP(x, m) cact_exp_diff((x), (m))
#define CACT_ROW_EXP_FINITE(x, m) cact_exp_diff_finite((x), (m))
#define CACT_ROW_MAX_M CACT_DIFF_MAX_M
#define CACT_ROW_EXACT_SUMS 1
#define CACT_ROW_PANEL CACT_PANEL_F64
#define CACT_ROW_SHORT_K CACT_SHORT_K_F64
#include "_softmax_rows.inc"
#undef CACT_T
#undef CACT_ROWFN
#undef CACT_ROW_EXP
#undef CACT_ROW_EXP_FINITE
#undef CACT_ROW_MAX_M
#undef CACT_ROW_EXACT_SUMS
#undef CACT_ROW_PANEL
#undef CACT_ROW_SHORT_K

#endif
