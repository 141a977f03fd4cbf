/* The gated units (glu, swiglu, geglu, reglu): the blocks of an elementwise family (the gate)
 * composed over the two halves u, v of x, a chunk at a time:
 *   forward    y = act(u) v
 *   backward   d/du = g v act'(u) (the gate's bwd block with g v as its grad_output),
 *              d/dv = g act(u).
 * Which half is the gate's argument u is the caller's choice (second: u is the second half, as in
 * glu's a * sigmoid(b); else the first, as in swiglu's silu(a) * b).
 *
 * A gate rounded before its product carries its own rounding, and where the gate is subnormal but
 * the product is not (silu(-100) is 4e-42 in float32), its lost digits: float32 elements where that
 * can happen are done again in double (below); in float64 the error bound holds where the gate and the
 * products are normal numbers (|act(u)| >= 2^-1022). */
#ifndef CACT_GATED_H
#define CACT_GATED_H
#include "../driver/table.h"

#define CACT_GATED_CHUNK 1024

static void cact_gated_f64(const cact_ew_kernel *e, int op, int second, const double *a, const double *b,
                           const double *g, double *ya, double *yb, Py_ssize_t n, const cact_par *P, int exact) {
    (void)exact;
    cact_ew_fn fwd = e->block[CACT_FWD][1], bwd = e->block[CACT_BWD][1];
    const double *u = second ? b : a, *v = second ? a : b;
    double *yu = second ? yb : ya, *yv = second ? ya : yb;
    double t[CACT_GATED_CHUNK];
    for (Py_ssize_t k = 0; k < n; k += CACT_GATED_CHUNK) {
        Py_ssize_t m = n - k < CACT_GATED_CHUNK ? n - k : CACT_GATED_CHUNK;
        if (op == CACT_FWD) {
            fwd(u + k, NULL, t, m, P);
            for (Py_ssize_t j = 0; j < m; ++j) ya[k + j] = t[j] * v[k + j];
        } else {
            /* (into yu, not in place: a block may take a faster way when y is apart, gelu's does) */
            for (Py_ssize_t j = 0; j < m; ++j) t[j] = g[k + j] * v[k + j];
            bwd(u + k, t, yu + k, m, P);
            fwd(u + k, NULL, t, m, P);
            for (Py_ssize_t j = 0; j < m; ++j) yv[k + j] = t[j] * g[k + j];
        }
    }
}

/* float32 in double over one chunk (the fallback of cact_gated_f32) */
static void cact_gated_f32_double(const cact_ew_kernel *e, int op, const float *u, const float *v, const float *g,
                                  float *y, float *yu, float *yv, Py_ssize_t m, const cact_par *P) {
    cact_ew_fn fwd = e->block[CACT_FWD][1], bwd = e->block[CACT_BWD][1];
    double ud[CACT_GATED_CHUNK], t[CACT_GATED_CHUNK];
    for (Py_ssize_t j = 0; j < m; ++j) ud[j] = u[j];
    if (op == CACT_FWD) {
        fwd(ud, NULL, t, m, P);
        for (Py_ssize_t j = 0; j < m; ++j) y[j] = (float)(t[j] * v[j]);
        return;
    }
    double r[CACT_GATED_CHUNK];
    for (Py_ssize_t j = 0; j < m; ++j) t[j] = (double)g[j] * v[j];   /* exact */
    bwd(ud, t, r, m, P);
    for (Py_ssize_t j = 0; j < m; ++j) yu[j] = (float)r[j];
    fwd(ud, NULL, t, m, P);
    for (Py_ssize_t j = 0; j < m; ++j) yv[j] = (float)(t[j] * g[j]);
}

/* nonzero when a float product or gate value that should be a normal number is not: |w| below
 * FLT_MIN (or inf, NaN) although neither of its factors f1, f2 is zero (bitwise, so it vectorizes) */
#define CACT_GATED_OFF(w, f1, f2) \
    ((!((fabsf(w) >= FLT_MIN) & (fabsf(w) <= FLT_MAX))) & ((f1) != 0.0f) & ((f2) != 0.0f))

/* float32: the gate's float32 blocks and float products (the gate's error and one rounding: within
 * 4 ulp forward, 8 backward), where every intermediate is a normal float; an element where one is
 * not (a gate that underflows, as silu(-100) does, a product g v that over- or underflows, a gate
 * that is exactly 0, a NaN) is done again in double and rounded once, as above (gathered per
 * chunk). An exact gate (relu: its value u or 0, its derivative 1 or 0) needs no guard: each
 * output is one product, rounded once. */
static void cact_gated_f32(const cact_ew_kernel *e, int op, int second, const float *a, const float *b,
                           const float *g, float *ya, float *yb, Py_ssize_t n, const cact_par *P, int exact) {
    cact_ew_fn fwd = e->block[CACT_FWD][0], bwd = e->block[CACT_BWD][0];
    const float *u = second ? b : a, *v = second ? a : b;
    float *yu = second ? yb : ya, *yv = second ? ya : yb;
    float t[CACT_GATED_CHUNK], w[CACT_GATED_CHUNK];
    int bad[CACT_GATED_CHUNK];
    const int guard = !exact;
    for (Py_ssize_t k = 0; k < n; k += CACT_GATED_CHUNK) {
        Py_ssize_t m = n - k < CACT_GATED_CHUNK ? n - k : CACT_GATED_CHUNK;
        const float *uk = u + k, *vk = v + k, *gk = g ? g + k : NULL;
        int off = 0;
        fwd(uk, NULL, t, m, P);
        if (op == CACT_FWD) {
            float *y = ya + k;
            for (Py_ssize_t j = 0; j < m; ++j) {
                bad[j] = CACT_GATED_OFF(t[j], uk[j], 1.0f);
                off |= bad[j];
                y[j] = t[j] * vk[j];
            }
        } else {
            float *ou = yu + k, *ov = yv + k;
            for (Py_ssize_t j = 0; j < m; ++j) {
                w[j] = gk[j] * vk[j];
                bad[j] = CACT_GATED_OFF(t[j], uk[j], 1.0f) | CACT_GATED_OFF(w[j], gk[j], vk[j]);
                ov[j] = t[j] * gk[j];
            }
            bwd(uk, w, ou, m, P);
            for (Py_ssize_t j = 0; j < m; ++j) {
                bad[j] |= CACT_GATED_OFF(ou[j], 1.0f, 1.0f);
                off |= bad[j];
            }
        }
        if (!(off & guard))
            continue;
        /* the elements that left the normal range, gathered (t and w reused), in double */
        Py_ssize_t c = 0;
        float *gu = t, *gv = w, gg[CACT_GATED_CHUNK], r1[CACT_GATED_CHUNK], r2[CACT_GATED_CHUNK];
        Py_ssize_t at[CACT_GATED_CHUNK];
        for (Py_ssize_t j = 0; j < m; ++j)
            if (bad[j]) {
                at[c] = j;
                gu[c] = uk[j];
                gv[c] = vk[j];
                gg[c] = gk ? gk[j] : 0.0f;
                ++c;
            }
        cact_gated_f32_double(e, op, gu, gv, gg, r1, r1, r2, c, P);
        for (Py_ssize_t i = 0; i < c; ++i) {
            if (op == CACT_FWD) {
                ya[k + at[i]] = r1[i];
            } else {
                yu[k + at[i]] = r1[i];
                yv[k + at[i]] = r2[i];
            }
        }
    }
}

/* Rows r0 <= r < r1 of x seen as (rows, 2, L), for short halves (L below a chunk): the halves of as
 * many rows as a chunk holds are gathered into contiguous buffers and computed in one call (a call
 * per row of a few elements would cost more than its elements), and the results put back. */
#define CACT_GATED_ROWS(sfx, T)                                                                          \
    static void cact_gated_rows_##sfx(const cact_ew_kernel *e, int op, int second, const T *x, const T *g,   \
                                      T *y, Py_ssize_t L, Py_ssize_t r0, Py_ssize_t r1, const cact_par *P,  \
                                      int exact) {                                                        \
        T a[CACT_GATED_CHUNK], b[CACT_GATED_CHUNK], ya[CACT_GATED_CHUNK], yb[CACT_GATED_CHUNK];           \
        Py_ssize_t rp = L < CACT_GATED_CHUNK ? CACT_GATED_CHUNK / L : 1;                                  \
        for (Py_ssize_t r = r0; r < r1; r += rp) {                                                        \
            Py_ssize_t nr = r1 - r < rp ? r1 - r : rp, m = nr * L;                                        \
            const T *xr = x + r * 2 * L;                                                                  \
            if (L == 1) {   /* (the common shortest case: a loop the compiler vectorizes) */              \
                for (Py_ssize_t i = 0; i < nr; ++i) {                                                     \
                    a[i] = xr[2 * i];                                                                     \
                    b[i] = xr[2 * i + 1];                                                                 \
                }                                                                                         \
            } else {                                                                                      \
                for (Py_ssize_t i = 0; i < nr; ++i)                                                       \
                    for (Py_ssize_t j = 0; j < L; ++j) {                                                  \
                        a[i * L + j] = xr[i * 2 * L + j];                                                 \
                        b[i * L + j] = xr[i * 2 * L + L + j];                                             \
                    }                                                                                     \
            }                                                                                             \
            if (op == CACT_FWD) {   /* the output's rows are contiguous: written in place */              \
                cact_gated_##sfx(e, op, second, a, b, NULL, y + r * L, NULL, m, P, exact);                \
                continue;                                                                                 \
            }                                                                                             \
            cact_gated_##sfx(e, op, second, a, b, g + r * L, ya, yb, m, P, exact);   /* (g's rows: contiguous) */ \
            T *yr = y + r * 2 * L;                                                                        \
            if (L == 1) {                                                                                 \
                for (Py_ssize_t i = 0; i < nr; ++i) {                                                     \
                    yr[2 * i] = ya[i];                                                                    \
                    yr[2 * i + 1] = yb[i];                                                                \
                }                                                                                         \
            } else {                                                                                      \
                for (Py_ssize_t i = 0; i < nr; ++i)                                                       \
                    for (Py_ssize_t j = 0; j < L; ++j) {                                                  \
                        yr[i * 2 * L + j] = ya[i * L + j];                                                \
                        yr[i * 2 * L + L + j] = yb[i * L + j];                                            \
                    }                                                                                     \
            }                                                                                             \
        }                                                                                                 \
    }
CACT_GATED_ROWS(f32, float)
CACT_GATED_ROWS(f64, double)

#endif
