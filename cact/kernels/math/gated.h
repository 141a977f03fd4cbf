/* The gated units (glu, swiglu, geglu, reglu): the blocks of an elementwise family (the gate)
 * composed over the two halves u, v of x, a chunk at a time:
 *   forward    y = act(u) v
 *   backward   d/du = g v act'(u) (the gate's bwd block with g v as its grad_output),
 *              d/dv = g act(u).
 * Which half is the gate's argument u is the caller's choice (second: u is the second half, as in
 * glu's a * sigmoid(b); else the first, as in swiglu's silu(a) * b).
 *
 * float32 runs in double (the halves converted a chunk at a time, the gate's float64 blocks) and
 * rounds once: the gate rounded to float32 before the product would carry its own rounding, and
 * where the gate is subnormal in float32 (silu(-100) is 4e-42) but the product is not, all of its
 * digits. In float64 the same holds only where the gate is a normal number (|act(u)| >= 2^-1022). */
#ifndef CACT_GATED_H
#define CACT_GATED_H
#include "../driver/table.h"

#define CACT_GATED_CHUNK 256

static void cact_gated_f64(const cact_ew_kernel *e, int op, int second, const double *a, const double *b,
                           const double *g, double *ya, double *yb, Py_ssize_t n, const cact_par *P) {
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
            for (Py_ssize_t j = 0; j < m; ++j) t[j] = g[k + j] * v[k + j];
            bwd(u + k, t, t, m, P);
            for (Py_ssize_t j = 0; j < m; ++j) yu[k + j] = t[j];
            fwd(u + k, NULL, t, m, P);
            for (Py_ssize_t j = 0; j < m; ++j) yv[k + j] = t[j] * g[k + j];
        }
    }
}

static void cact_gated_f32(const cact_ew_kernel *e, int op, int second, const float *a, const float *b,
                           const float *g, float *ya, float *yb, Py_ssize_t n, const cact_par *P) {
    cact_ew_fn fwd = e->block[CACT_FWD][1], bwd = e->block[CACT_BWD][1];
    const float *u = second ? b : a, *v = second ? a : b;
    float *yu = second ? yb : ya, *yv = second ? ya : yb;
    double ud[CACT_GATED_CHUNK], t[CACT_GATED_CHUNK];
    for (Py_ssize_t k = 0; k < n; k += CACT_GATED_CHUNK) {
        Py_ssize_t m = n - k < CACT_GATED_CHUNK ? n - k : CACT_GATED_CHUNK;
        for (Py_ssize_t j = 0; j < m; ++j) ud[j] = u[k + j];
        if (op == CACT_FWD) {
            fwd(ud, NULL, t, m, P);
            for (Py_ssize_t j = 0; j < m; ++j) ya[k + j] = (float)(t[j] * v[k + j]);
        } else {
            /* g v is exact in double: one rounding in all, that of the bwd block */
            for (Py_ssize_t j = 0; j < m; ++j) t[j] = (double)g[k + j] * v[k + j];
            bwd(ud, t, t, m, P);
            for (Py_ssize_t j = 0; j < m; ++j) yu[k + j] = (float)t[j];
            fwd(ud, NULL, t, m, P);
            for (Py_ssize_t j = 0; j < m; ++j) yv[k + j] = (float)(t[j] * g[k + j]);
        }
    }
}

#endif
