/* Row math for softmax on contiguous rows, in float and double (see _softmax_rows.inc). */
#ifndef CACT_SOFTMAX_H
#define CACT_SOFTMAX_H
#include <Python.h>
#include "common.h"
#include "../driver/stream.h"
#include "layout.h"

/* Native vectors for the row passes (GCC/clang vector extensions: their auto-vectorizer leaves
 * the compensated sums and the row max scalar): one AVX-512, AVX or SSE
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

/* rows of at most this many elements run 16 at a time as the columns of a tile (short_rows):
 * where tiles measured faster than rows, forward and backward from x, both dtypes (AVX-512 up
 * to 28 in float32 and 20 in float64; AVX2 and the baseline to about 12) */
#if defined(CACT_SHORT_K)   /* one limit for both (a harness may set it) */
#define CACT_SHORT_K_F32 CACT_SHORT_K
#define CACT_SHORT_K_F64 CACT_SHORT_K
#elif defined(__AVX512F__)
#define CACT_SHORT_K_F32 28
#define CACT_SHORT_K_F64 20
#else
#define CACT_SHORT_K_F32 12
#define CACT_SHORT_K_F64 12
#endif
/* Rows of a C-contiguous array follow each other. A row's first pass (the max) reads it from
 * memory; its other passes then run from L1 while the memory sits idle. Told that the next row
 * follows (next != 0), the forward and the backward from x ask for its lines during their
 * exponentials (x's and g's, and the output's for writing: CACT_PF_BYTES of each per step), so the
 * memory works while the core computes. Only rows of at most
 * CACT_PF_ROW_MAX bytes (a longer row's successor is evicted before it is used: rows of 1 MB got
 * slower) and arrays of at least CACT_PF_FROM bytes (callers decide: smaller ones stay in cache
 * when a loop calls again, and there the prefetches only cost). The backward from y is not helped
 * (its cached pass is too short to hide anything). */
#ifndef CACT_PF_ROW_MAX
#define CACT_PF_ROW_MAX (256 * 1024)
#endif
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

/* the CACT_LANES lanes of sums d (with their error sums dc) folded pairwise, lane l += lane l + w
 * for w = CACT_LANES / 2, ..., 1, by two-sum with the errors carried: the pair *a + *b */
CACT_INLINE void cact_fold_pair(const cact_vt_f64 *d, const cact_vt_f64 *dc, double *a, double *b) {
    enum { L = CACT_LANES };
    double dl[L], dcl[L];
    memcpy(dl, d, sizeof dl);
    memcpy(dcl, dc, sizeof dcl);
    for (int w = L / 2; w >= 1; w /= 2) {
        for (int l = 0; l < w; ++l) {
            double t = dl[l] + dl[l + w], bp = t - dl[l];
            dcl[l] += ((dl[l] - (t - bp)) + (dl[l + w] - bp)) + dcl[l + w];
            dl[l] = t;
        }
    }
    *a = dl[0];
    *b = dcl[0];
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

/* ---- the dot product sum(g y) of the backward from y on double rows, correctly rounded ----------
 * Every path (rows, tiles, panels; AVX-512, AVX2, SSE2) computes the dot as a pair a + b of doubles
 * with a bound E on |a + b - sum(g y)|, then returns the double that every real within E of a + b
 * rounds to (cact_dd_round); where there is none (the exact value lies within E of a rounding
 * boundary: about 2 E / ulp of the rows, ~1e-10 and less) it sums exactly (cact_dot_exact). The
 * paths may compute differently (the row kernels sum on a fixed grid, the others by Dot2) and still
 * give the same bits: the correctly rounded sum is one number. */

#if CACT_VECTORS
/* whether any lane of a mask (-1 / 0 lanes) is set */
CACT_INLINE int cact_vi_any(cact_vi_f64 m) {
#if CACT_VBYTES == 64
    return _mm512_test_epi64_mask((__m512i)m, (__m512i)m) != 0;
#elif CACT_VBYTES == 32
    return _mm256_movemask_pd((__m256d)m) != 0;
#elif defined(__SSE2__)
    return _mm_movemask_pd((__m128d)m) != 0;
#else
    int64_t l[CACT_VBYTES / 8];
    int64_t a = 0;
    memcpy(l, &m, sizeof l);
    for (int i = 0; i < CACT_VBYTES / 8; ++i) a |= l[i];
    return a != 0;
#endif
}
#endif

#if CACT_VECTORS
/* cact_dd_round lane by lane: the lanes where it holds (-1, else 0), with *r = those lanes' doubles */
CACT_INLINE cact_vi_f64 cact_dd_round_v(cact_vt_f64 a, cact_vt_f64 b, cact_vt_f64 E, cact_vt_f64 *r) {
    const cact_vt_f64 zero = {0};
    const cact_vi_f64 izero = {0}, absm = izero + INT64_MAX;
    cact_vt_f64 s = a + b, bb = s - a, e = (a - (s - bb)) + (b - bb);
    cact_vt_f64 as = (cact_vt_f64)((cact_vi_f64)s & absm), ae = (cact_vt_f64)((cact_vi_f64)e & absm);
    cact_vi_f64 bits = (cact_vi_f64)as;
    cact_vt_f64 up = (cact_vt_f64)(bits + 1) - as, dn = as - (cact_vt_f64)(bits - 1);
    cact_vi_f64 atmax = as == zero + DBL_MAX, away = ((cact_vi_f64)e ^ (cact_vi_f64)s) >= 0, ez = e == zero;
    up = (cact_vt_f64)((atmax & (cact_vi_f64)(zero + 1.99584030953472e+292)) | (~atmax & (cact_vi_f64)up));
    cact_vi_f64 upsmaller = up < dn, takeup = (ez & upsmaller) | (~ez & away);
    cact_vt_f64 gap = (cact_vt_f64)((takeup & (cact_vi_f64)up) | (~takeup & (cact_vi_f64)dn));
    cact_vi_f64 z = as == zero;
    gap = (cact_vt_f64)((z & (cact_vi_f64)(zero + 4.9406564584124654e-324)) | (~z & (cact_vi_f64)gap));
    cact_vt_f64 m = ae + E;
    m += m * 2.2204460492503131e-16;
    *r = s;
    return (m < 0.5 * gap) & (as <= zero + DBL_MAX) & (E >= zero) & (E <= zero + DBL_MAX);
}
#endif

/* whether every real within E of a + b rounds to one double (nearest, ties to even); if so *r = it */
CACT_INLINE int cact_dd_round(double a, double b, double E, double *r) {
#if CACT_VECTORS   /* in lanes: no branches (which way e points is a coin toss: mispredicted half the time) */
    const cact_vt_f64 zero = {0};
    cact_vt_f64 rv;
    cact_vi_f64 ok = cact_dd_round_v(zero + a, zero + b, zero + E, &rv);
    *r = rv[0];
    return ok[0] != 0;
#else
    double s, e;
    cact_two_sum(a, b, &s, &e);   /* s + e = a + b, s = a + b rounded */
    if (!(fabs(s) <= DBL_MAX) || !(E >= 0.0 && E <= DBL_MAX)) return 0;
    double as = fabs(s), gap;
    uint64_t bits = cact_as_uint64(as);   /* the neighbours of as are its bits +- 1 */
    if (as == 0.0) {   /* then e = 0 too: 2^-1074 either way */
        gap = 4.9406564584124654e-324;
    } else {
        double up = as == DBL_MAX ? 1.99584030953472e+292 /* 2^971: the way to infinity */ : cact_as_double(bits + 1) - as;
        double dn = as - cact_as_double(bits - 1);
        gap = e == 0.0 ? (up < dn ? up : dn) : (e > 0.0) == (s > 0.0) ? up : dn;
    }
    double m = fabs(e) + E;
    m += m * 2.2204460492503131e-16;   /* rounded up */
    if (!(m < 0.5 * gap)) return 0;
    *r = s;
    return 1;
#endif
}

/* sum(g_j y_j) over K pairs (strides ys, gs, in elements), correctly rounded: every product
 * exactly, as four partial products of 27-bit halves of the significands, into 32-bit limbs of a
 * fixed-point accumulator from 2^-2272 (the last bit of the least product of two subnormals)
 * to 2^1248 (above the largest sum of finite products); rounded once at the end. Non-finite products: the
 * IEEE sum's value (NaN for NaN or both infinities, else the infinity), in any order. The slow
 * path: rows get here about once in 1e10 (cact_dd_round). */
#define CACT_ACC_BASE (-2272)
#define CACT_ACC_LIMBS 110
CACT_INLINE void cact_acc_add(int64_t *acc, uint64_t v, int pos, int neg) {
    /* v < 2^54 at bit pos (absolute exponent) */
    int at = pos - CACT_ACC_BASE, i = at >> 5, sh = at & 31;
    uint64_t lo = (v & ((UINT64_C(1) << (32 - sh)) - 1)) << sh, rest = v >> (32 - sh);
    int64_t l0 = (int64_t)lo, l1 = (int64_t)(rest & 0xFFFFFFFFu), l2 = (int64_t)(rest >> 32);
    if (neg) { acc[i] -= l0; acc[i + 1] -= l1; acc[i + 2] -= l2; }
    else { acc[i] += l0; acc[i + 1] += l1; acc[i + 2] += l2; }
}

/* carries up, every limb but the top one into [0, 2^32) */
CACT_INLINE void cact_acc_norm(int64_t *acc) {
    for (int i = 0; i < CACT_ACC_LIMBS - 1; ++i) {
        int64_t c = acc[i] >> 32;   /* floor division (arithmetic shift) */
        acc[i] -= c * ((int64_t)1 << 32);
        acc[i + 1] += c;
    }
}

static double cact_dot_exact(const double *y, Py_ssize_t ys, const double *g, Py_ssize_t gs, Py_ssize_t K) {
    int64_t acc[CACT_ACC_LIMBS];
    int nan = 0, pinf = 0, ninf = 0, nz = 0;
    Py_ssize_t j;
    for (j = 0; j < K; ++j) {
        double a = g[j * gs], b = y[j * ys], p = a * b;
        nz |= a != 0.0 && b != 0.0;
        if (p != p) nan = 1;
        else if (p == INFINITY) pinf = 1;
        else if (p == -INFINITY) ninf = 1;
    }
    if (nan || (pinf && ninf)) return NAN;
    if (pinf) return INFINITY;
    if (ninf) return -INFINITY;
    if (!nz) return 0.0;   /* every product exactly 0 (rows of zeros: no bound certifies 0 itself) */
    memset(acc, 0, sizeof acc);
    for (j = 0; j < K; ++j) {
        double a = g[j * gs], b = y[j * ys];
        int ea, eb;
        if (a == 0.0 || b == 0.0) continue;
        /* a = ma 2^(ea - 53), ma < 2^53 an integer (subnormals too) */
        uint64_t ma = (uint64_t)ldexp(fabs(frexp(a, &ea)), 53), mb = (uint64_t)ldexp(fabs(frexp(b, &eb)), 53);
        uint64_t ah = ma >> 27, al = ma & ((UINT64_C(1) << 27) - 1), bh = mb >> 27, bl = mb & ((UINT64_C(1) << 27) - 1);
        int e = ea + eb - 106, neg = (a < 0) != (b < 0);
        cact_acc_add(acc, ah * bh, e + 54, neg);
        cact_acc_add(acc, ah * bl, e + 27, neg);
        cact_acc_add(acc, al * bh, e + 27, neg);
        cact_acc_add(acc, al * bl, e, neg);
        if ((j & 0xFFFFF) == 0xFFFFF) cact_acc_norm(acc);   /* each limb moves < 2^35 per pair */
    }
    cact_acc_norm(acc);
    int neg = acc[CACT_ACC_LIMBS - 1] < 0;
    if (neg) {   /* the magnitude: negate the two's-complement limbs */
        int64_t carry = 1;
        for (int i = 0; i < CACT_ACC_LIMBS; ++i) {
            int64_t v = (i < CACT_ACC_LIMBS - 1 ? (~acc[i] & 0xFFFFFFFF) : ~acc[i]) + carry;
            carry = v >> 32;
            acc[i] = i < CACT_ACC_LIMBS - 1 ? v & 0xFFFFFFFF : v;
        }
    }
    int top = CACT_ACC_LIMBS - 1;
    while (top >= 0 && acc[top] == 0) --top;
    if (top < 0) return 0.0;
    /* the leading bit's exponent L; the rounding position R = max(L - 52, -1074) */
    uint64_t tv = (uint64_t)acc[top];
    int hb = 63;
    while (!((tv >> hb) & 1)) --hb;
    int L = CACT_ACC_BASE + 32 * top + hb, R = L - 52 > -1074 ? L - 52 : -1074;
    if (L > 1100) return neg ? -INFINITY : INFINITY;
#define CACT_ACC_BIT(x) ((x) - CACT_ACC_BASE < 0 ? 0 : (int)(((uint64_t)acc[((x) - CACT_ACC_BASE) >> 5] >> (((x) - CACT_ACC_BASE) & 31)) & 1))
    uint64_t m = 0;
    for (int x = L; x >= R; --x) m = (m << 1) | (uint64_t)CACT_ACC_BIT(x);
    if (L < R) m = 0;
    int half = R - 1 >= L + 1 ? 0 : CACT_ACC_BIT(R - 1), sticky = 0;
    if (R - 2 <= L) {   /* any bit below R - 1 */
        int x = R - 2 - CACT_ACC_BASE;
        if (x >= 0) {
            int i = x >> 5;
            sticky = (((uint64_t)acc[i] & ((UINT64_C(2) << (x & 31)) - 1)) != 0);
            for (--i; i >= 0 && !sticky; --i) sticky = acc[i] != 0;
        }
    }
    if (half && (sticky || (m & 1))) ++m;
#undef CACT_ACC_BIT
    double r = ldexp((double)m, R);
    return neg ? -r : r;
}

/* the bound on |a + b - sum(g y)| of Dot2 over K pairs in 16 lanes folded by two-sum (see
 * row_sums), S = the computed sum of |g y| rounded: 8 (K + 16)^2 eps^2 S, over twice the proven
 * ~(K + 16)^2 eps^2 sum |g y| (Ogita, Rump and Oishi, 2005, with this tree's depths), plus what
 * underflow can lose (2^-1070 a pair) */
CACT_INLINE void cact_dot2_bound_terms(Py_ssize_t K, double *c1, double *c0) {   /* bound = c1 S + c0 */
    double n = (double)K + 16.0, u = 1.1102230246251565e-16;
    *c1 = 8.0 * (n * u) * (n * u);
    *c0 = n * 9.8813129168249309e-324 * 16.0;
}

CACT_INLINE double cact_dot2_bound(double S, Py_ssize_t K) {
    double c1, c0;
    cact_dot2_bound_terms(K, &c1, &c0);
    return c1 * S + c0;
}

#define CACT_T float
#define CACT_ROWFN(name) cact_##name##_f32
#define CACT_ROW_EXP(x, m) cact_expf_diff((x), (float)(m))
#define CACT_ROW_EXP_FINITE(x, m) cact_expf_diff_finite((x), (float)(m))
#define CACT_ROW_MAX_M CACT_DIFFF_MAX_M
#define CACT_ROW_EXACT_SUMS 0
#define CACT_ROW_PANEL CACT_PANEL_F32
#define CACT_ROW_SHORT_K CACT_SHORT_K_F32
#include "softmax_rows.inc"
#include "log_softmax_rows.inc"
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
#include "softmax_rows.inc"
#include "log_softmax_rows.inc"
#undef CACT_T
#undef CACT_ROWFN
#undef CACT_ROW_EXP
#undef CACT_ROW_EXP_FINITE
#undef CACT_ROW_MAX_M
#undef CACT_ROW_EXACT_SUMS
#undef CACT_ROW_PANEL
#undef CACT_ROW_SHORT_K

#endif
