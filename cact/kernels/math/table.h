/* Float32 functions from piecewise tables on the AVX-512 build (tools/fit_tables.py ->
 * tables_f32.h): on [A, IN_END) 32 intervals, the interval floor(u(x)) with u quadratic in x, on
 * each a degree-7 polynomial in r = x - o, so each coefficient is one vpermt2ps of a register
 * pair: about fifteen vector operations for a value whose closed form takes forty to sixty. From
 * SAT on the result is its limit (x or 1, to which f rounds there). The other lanes (below A, on
 * [IN_END, SAT), NaN) are rare for activations: they are compressed into a buffer, a chunk at a
 * time, and take the closed form there in whole vectors, so a rare lane does not cost its whole
 * vector the closed form. Masked loads take the tail: an element's result does not depend on its
 * position in the call. */
#ifndef CACT_MATH_TABLE_H
#define CACT_MATH_TABLE_H
#include "common.h"
#if defined(__AVX512F__)
#include "tables_f32.h"

typedef struct {
    const float (*c)[CACT_TAB_N];
    const float *ohi, *olo;
    float c0, c1, c2, a, in_end, sat;
} cact_tab;

#define CACT_TAB_CHUNK 1024

/* One chunk of m <= CACT_TAB_CHUNK elements: y = f(x) (bwd: g f(x)) where the table or the limit
 * applies; the other lanes' x (and g) compressed into tx (tg); the vectors that have such lanes
 * listed in outs (their masks, then from outs[CACT_TAB_CHUNK / 16] on their numbers), *nv_out of
 * them. Returns how many lanes. sat_x: the limit is x (else 1); olo: some origins are float pairs. */
CACT_INLINE int cact_tab_pass(const cact_tab *T, int sat_x, int olo, int bwd, const float *x, const float *g,
                              float *y, Py_ssize_t m, float *tx, float *tg, __mmask16 *outs, int *nv_out) {
    __m512 c0[CACT_TAB_DEG + 1], c1[CACT_TAB_DEG + 1];
    for (int k = 0; k <= CACT_TAB_DEG; ++k) {
        c0[k] = _mm512_load_ps(T->c[k]);
        c1[k] = _mm512_load_ps(T->c[k] + 16);
    }
    const __m512 oh0 = _mm512_load_ps(T->ohi), oh1 = _mm512_load_ps(T->ohi + 16);
    const __m512 ol0 = _mm512_load_ps(T->olo), ol1 = _mm512_load_ps(T->olo + 16);
    const __m512 u0 = _mm512_set1_ps(T->c0), u1 = _mm512_set1_ps(T->c1), u2 = _mm512_set1_ps(T->c2);
    const __m512 lo = _mm512_set1_ps(T->a), end = _mm512_set1_ps(T->in_end), sat = _mm512_set1_ps(T->sat);
    const __m512 one = _mm512_set1_ps(1.0f);
    int cnt = 0, nv = 0;
    for (Py_ssize_t j = 0; j < m; j += 16) {
        __mmask16 live = m - j >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (m - j)) - 1u);
        __m512 xv = _mm512_maskz_loadu_ps(live, x + j);
        __m512i idx = _mm512_cvttps_epi32(_mm512_fmadd_ps(_mm512_fmadd_ps(xv, u2, u1), xv, u0));   /* u(x) */
        __m512 r = _mm512_sub_ps(xv, _mm512_permutex2var_ps(oh0, idx, oh1));
        if (olo)
            r = _mm512_sub_ps(r, _mm512_permutex2var_ps(ol0, idx, ol1));
        __m512 p = _mm512_permutex2var_ps(c0[CACT_TAB_DEG], idx, c1[CACT_TAB_DEG]);
        for (int k = CACT_TAB_DEG - 1; k >= 0; --k)
            p = _mm512_fmadd_ps(p, r, _mm512_permutex2var_ps(c0[k], idx, c1[k]));
        __mmask16 at_lim = _mm512_cmp_ps_mask(xv, sat, _CMP_GE_OQ);
        __mmask16 in = _mm512_cmp_ps_mask(xv, lo, _CMP_GE_OQ);
        if (T->in_end < T->sat)   /* (a gap [IN_END, SAT) before the limit: a constant, folded) */
            in &= _mm512_cmp_ps_mask(xv, end, _CMP_LT_OQ);
        __mmask16 out = live & ~in & ~at_lim;   /* (NaN: out) */
        __m512 yv = _mm512_mask_blend_ps(at_lim, p, sat_x ? xv : one);
        if (bwd) {
            __m512 gv = _mm512_maskz_loadu_ps(live, g + j);
            yv = _mm512_mul_ps(gv, yv);
            _mm512_storeu_ps(tg + cnt, _mm512_maskz_compress_ps(out, gv));
        }
        /* (no branch on out: on data with many such lanes it mispredicts, and the flushes halve
         * the speed of a loop streaming from beyond L2) */
        _mm512_storeu_ps(tx + cnt, _mm512_maskz_compress_ps(out, xv));
        outs[nv] = out;   /* (the vectors with such lanes, listed without a branch) */
        outs[CACT_TAB_CHUNK / 16 + nv] = (__mmask16)(j / 16);
        nv += out != 0;
        cnt += __builtin_popcount((unsigned)out);
        _mm512_mask_storeu_ps(y + j, live, yv);
    }
    *nv_out = nv;
    return cnt;
}

/* y (the chunk) at the compressed lanes, from their results in tx: an expand and a masked store
 * for each listed vector (a loop over each vector's lanes mispredicts its exits, and the flushes
 * cost a loop streaming from beyond L2 half its speed) */
CACT_INLINE void cact_tab_scatter(float *y, const float *tx, int nv, const __mmask16 *outs) {
    for (int i = 0, k = 0; i < nv; ++i) {
        __mmask16 o = outs[i];
        _mm512_mask_storeu_ps(y + 16 * (int)outs[CACT_TAB_CHUNK / 16 + i], o,
                              _mm512_maskz_expand_ps(o, _mm512_loadu_ps(tx + k)));
        k += __builtin_popcount((unsigned)o);
    }
}

/* fn(x, g, y, n), the span of table T (tables_f32.h: its limit, and whether its origins have lo
 * parts), with SLOW, an expression of the float v: the closed form elsewhere. g NULL: y = f(x);
 * else y = g f(x). The compressed lanes run in whole vectors (padded with PAD, any value SLOW
 * takes): a vector loop's scalar remainder would cost as much as its vectors. x and g were saved
 * before y (which may be either) was written. */
#define CACT_TAB_SPAN(fn, T, PAD, SLOW)                                                                \
    static const cact_tab cact_tab_##fn = {CACT_TAB_##T, CACT_TAB_##T##_OHI, CACT_TAB_##T##_OLO,        \
        CACT_TAB_##T##_C0, CACT_TAB_##T##_C1, CACT_TAB_##T##_C2, CACT_TAB_##T##_A, CACT_TAB_##T##_IN_END, \
        CACT_TAB_##T##_SAT};                                                                          \
    CACT_INLINE void fn(const float *x, const float *g, float *y, Py_ssize_t n) {                     \
        const int sat_x = CACT_TAB_##T##_SAT_X, olo = CACT_TAB_##T##_OLO_USED;                        \
        float tx[CACT_TAB_CHUNK + 16], tg[CACT_TAB_CHUNK + 16];                                       \
        __mmask16 outs[2 * (CACT_TAB_CHUNK / 16)];   /* masks, then their vectors' numbers */       \
        int nv;                                                                                       \
        for (Py_ssize_t j0 = 0; j0 < n; j0 += CACT_TAB_CHUNK) {                                       \
            Py_ssize_t m = n - j0 < CACT_TAB_CHUNK ? n - j0 : CACT_TAB_CHUNK;                         \
            int cnt = g ? cact_tab_pass(&cact_tab_##fn, sat_x, olo, 1, x + j0, g + j0, y + j0, m, tx, tg, outs, &nv) \
                        : cact_tab_pass(&cact_tab_##fn, sat_x, olo, 0, x + j0, NULL, y + j0, m, tx, tg, outs, &nv); \
            int cr = (cnt + 15) & ~15;                                                                \
            for (int k = cnt; k < cr; ++k) tx[k] = tg[k] = (PAD);                                     \
            if (g) {                                                                                  \
                for (int k = 0; k < cr; ++k) { float v = tx[k]; tx[k] = tg[k] * (SLOW); }             \
            } else {                                                                                  \
                for (int k = 0; k < cr; ++k) { float v = tx[k]; tx[k] = (SLOW); }                     \
            }                                                                                         \
            cact_tab_scatter(y + j0, tx, nv, outs);                                                   \
        }                                                                                             \
    }

#endif
#endif
