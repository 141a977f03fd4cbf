/* The kernel table: what one ISA build of the numeric kernels (kernels/isa.c, compiled for
 * baseline x86-64, x86-64-v3 and x86-64-v4) gives the drivers (kernels/_core.pyx, compiled once).
 *
 * As in NumPy's and ONNX Runtime MLAS's dispatch, only the numeric kernels are compiled per ISA;
 * the drivers pick one table at import (cact_select) and reach every kernel through it: the
 * elementwise blocks by (kernel, op, dtype), the row kernels of softmax and prelu by name. The
 * drivers call a table entry once per block, row or piece, never per element. */
#ifndef CACT_TABLE_H
#define CACT_TABLE_H
#include <Python.h>
#include <stdint.h>
#include "../math/layout.h"
#include "../generated/kernels.inc"   /* CACT_N_KERNELS, from the registry (setup.py) */

typedef struct {
    double p[3];      /* the activation's parameters */
    float ph, pl;     /* p[0] as a float pair (float32 slopes, relu.h), where ok */
    int ok;
} cact_par;

enum { CACT_FWD = 0, CACT_GRAD = 1, CACT_BWD = 2 };

/* y[0:n] from x[0:n] (and g[0:n]): a block (serial, vectorized) or a streamed block loop */
typedef void (*cact_ew_fn)(const void *x, const void *g, void *y, Py_ssize_t n, const cact_par *P);

/* the element types of the elementwise blocks, in the table's order */
enum { CACT_F32 = 0, CACT_F64 = 1, CACT_F16 = 2, CACT_BF16 = 3, CACT_N_DTYPES = 4 };

typedef struct {
    cact_ew_fn block[3][CACT_N_DTYPES];    /* [op][dtype]; NULL where the kernel has no op */
    cact_ew_fn stream[3][CACT_N_DTYPES];   /* the same into non-temporal stores; NULL where it never streams */
} cact_ew_kernel;

/* The row kernels: void functions (V) and the others (R), name, parameters, arguments */
#define CACT_ROW_FUNCS(V, R)                                                                                   \
    V(cact_softmax_row_f32, (const float *x, float *y, Py_ssize_t K, int next), (x, y, K, next))                 \
    V(cact_softmax_row_f64, (const double *x, double *y, Py_ssize_t K, int next), (x, y, K, next))               \
    V(cact_softmax_cols_f32, (const float *x, Py_ssize_t xs, float *y, Py_ssize_t ys, Py_ssize_t K, int B, float *buf), \
      (x, xs, y, ys, K, B, buf))                                                                                 \
    V(cact_softmax_cols_f64, (const double *x, Py_ssize_t xs, double *y, Py_ssize_t ys, Py_ssize_t K, int B, double *buf), \
      (x, xs, y, ys, K, B, buf))                                                                                 \
    V(cact_softmax_vjp_y_panel_f32, (const float *y, Py_ssize_t ys, const float *g, Py_ssize_t gs, float *out,    \
      Py_ssize_t os, Py_ssize_t K, int B), (y, ys, g, gs, out, os, K, B))                                        \
    V(cact_softmax_vjp_y_panel_f64, (const double *y, Py_ssize_t ys, const double *g, Py_ssize_t gs, double *out, \
      Py_ssize_t os, Py_ssize_t K, int B), (y, ys, g, gs, out, os, K, B))                                        \
    V(cact_softmax_vjp_cols_f32, (const float *x, Py_ssize_t xs, const float *g, Py_ssize_t gs, float *out,       \
      Py_ssize_t os, Py_ssize_t K, int B, float *buf, int from_y), (x, xs, g, gs, out, os, K, B, buf, from_y))   \
    V(cact_softmax_vjp_cols_f64, (const double *x, Py_ssize_t xs, const double *g, Py_ssize_t gs, double *out,    \
      Py_ssize_t os, Py_ssize_t K, int B, double *buf, int from_y), (x, xs, g, gs, out, os, K, B, buf, from_y))  \
    V(cact_softmax_short_rows_f32, (const float *x, float *y, Py_ssize_t K, int B), (x, y, K, B))                \
    V(cact_softmax_short_rows_f64, (const double *x, double *y, Py_ssize_t K, int B), (x, y, K, B))              \
    V(cact_softmax_vjp_short_rows_f32, (const float *x, const float *g, float *out, Py_ssize_t K, int B, int from_y), \
      (x, g, out, K, B, from_y))                                                                                 \
    V(cact_softmax_vjp_short_rows_f64, (const double *x, const double *g, double *out, Py_ssize_t K, int B,       \
      int from_y), (x, g, out, K, B, from_y))                                                                    \
    V(cact_softmax_vjp_row_f32, (const float *x, const float *g, float *out, Py_ssize_t K, int next),            \
      (x, g, out, K, next))                                                                                      \
    V(cact_softmax_vjp_row_f64, (const double *x, const double *g, double *out, Py_ssize_t K, int next),         \
      (x, g, out, K, next))                                                                                      \
    V(cact_softmax_vjp_y_row_f32, (const float *y, const float *g, float *out, Py_ssize_t K), (y, g, out, K))    \
    V(cact_softmax_vjp_y_row_f64, (const double *y, const double *g, double *out, Py_ssize_t K), (y, g, out, K)) \
    V(cact_softmax_vjp_y_rows_f32, (const float *y, const float *g, float *out, Py_ssize_t K, Py_ssize_t R,       \
      float *buf), (y, g, out, K, R, buf))                                                                       \
    V(cact_softmax_vjp_y_rows_f64, (const double *y, const double *g, double *out, Py_ssize_t K, Py_ssize_t R,    \
      double *buf), (y, g, out, K, R, buf))                                                                      \
    V(cact_log_softmax_row_f32, (const float *x, float *y, Py_ssize_t K), (x, y, K))                              \
    V(cact_log_softmax_row_f64, (const double *x, double *y, Py_ssize_t K), (x, y, K))                            \
    V(cact_log_softmax_vjp_row_f32, (const float *x, const float *g, float *out, Py_ssize_t K, int from_y),       \
      (x, g, out, K, from_y))                                                                                    \
    V(cact_log_softmax_vjp_row_f64, (const double *x, const double *g, double *out, Py_ssize_t K, int from_y),    \
      (x, g, out, K, from_y))                                                                                    \
    V(cact_gated_f32, (const cact_ew_kernel *e, int op, int second, const float *a, const float *b,               \
      const float *g, float *ya, float *yb, Py_ssize_t n, const cact_par *P, int exact), (e, op, second, a, b, g, ya, yb, n, P, exact)) \
    V(cact_gated_f64, (const cact_ew_kernel *e, int op, int second, const double *a, const double *b,             \
      const double *g, double *ya, double *yb, Py_ssize_t n, const cact_par *P, int exact), (e, op, second, a, b, g, ya, yb, n, P, exact)) \
    V(cact_gated_rows_f32, (const cact_ew_kernel *e, int op, int second, const float *x, const float *g, float *y,  \
      Py_ssize_t L, Py_ssize_t r0, Py_ssize_t r1, const cact_par *P, int exact), (e, op, second, x, g, y, L, r0, r1, P, exact)) \
    V(cact_gated_rows_f64, (const cact_ew_kernel *e, int op, int second, const double *x, const double *g, double *y, \
      Py_ssize_t L, Py_ssize_t r0, Py_ssize_t r1, const cact_par *P, int exact), (e, op, second, x, g, y, L, r0, r1, P, exact)) \
    V(cact_log_softmax_short_rows_f32, (const float *x, float *y, Py_ssize_t K, int B), (x, y, K, B))             \
    V(cact_log_softmax_short_rows_f64, (const double *x, double *y, Py_ssize_t K, int B), (x, y, K, B))           \
    R(int, cact_prelu_pairs_f32, (const double *alpha, Py_ssize_t C, Py_ssize_t rows, float *ah, float *al),     \
      (alpha, C, rows, ah, al))                                                                                  \
    V(cact_prelu_fwd_block_pairs_f32, (const float *x, const float *ah, const float *al, float *y, Py_ssize_t o0, \
      Py_ssize_t o1, Py_ssize_t C, Py_ssize_t In, int stream), (x, ah, al, y, o0, o1, C, In, stream))              \
    V(cact_prelu_fwd_block_f32, (const float *x, const double *alpha, float *y, Py_ssize_t o0, Py_ssize_t o1,     \
      Py_ssize_t C, Py_ssize_t In), (x, alpha, y, o0, o1, C, In))                                                  \
    V(cact_prelu_fwd_block_f64, (const double *x, const double *alpha, double *y, Py_ssize_t o0, Py_ssize_t o1,   \
      Py_ssize_t C, Py_ssize_t In), (x, alpha, y, o0, o1, C, In))                                                  \
    V(cact_prelu_grad_block_f32, (const float *x, const float *g, const double *alpha, float *y, double *acc,     \
      double *comp, Py_ssize_t o0, Py_ssize_t o1, Py_ssize_t C, Py_ssize_t In), (x, g, alpha, y, acc, comp, o0, o1, C, In)) \
    V(cact_prelu_grad_block_f64, (const double *x, const double *g, const double *alpha, double *y, double *acc,  \
      double *comp, Py_ssize_t o0, Py_ssize_t o1, Py_ssize_t C, Py_ssize_t In), (x, g, alpha, y, acc, comp, o0, o1, C, In)) \
    R(double, cact_exp_diff, (double x, double m), (x, m))                                                       \
    R(int, cact_all_finite, (const double *v, Py_ssize_t n), (v, n))                                             \
    V(cact_stream_copy, (const void *src, void *dst, Py_ssize_t nbytes), (src, dst, nbytes))                     \
    V(cact_half_widen, (int bf, const uint16_t *h, void *dst, Py_ssize_t n, int f64), (bf, h, dst, n, f64))       \
    V(cact_half_narrow, (int bf, const void *src, uint16_t *h, Py_ssize_t n, int f64), (bf, src, h, n, f64))      \
    V(cact_stream_fence, (void), ())                                                                             \
    V(cact_prep, (cact_par *P), (P))                                                                             \
    V(cact_sigmoid_f32_loop, (const float *x, float *y, Py_ssize_t n), (x, y, n))

#define CACT_FIELD_V(name, params, args) void (*name) params;
#define CACT_FIELD_R(ret, name, params, args) ret (*name) params;

typedef struct {
    const char *name;             /* "baseline", "avx2", "avx512" */
    Py_ssize_t stream_align;      /* bytes per vector store: pieces and aligned heads are cut to it */
    int can_stream, stream_wide;  /* non-temporal stores at all; 64-byte ones */
    Py_ssize_t short_k_f32, short_k_f64;   /* softmax rows this short run as the columns of tiles */
    const cact_ew_kernel *ew;     /* CACT_N_KERNELS, in the registry's order */
    CACT_ROW_FUNCS(CACT_FIELD_V, CACT_FIELD_R)
} cact_isa;

#ifdef CACT_CORE
/* ---- the drivers' side: the chosen table and the row kernels through it ---------------------- */
#include "stream.h"
extern const cact_isa cact_isa_baseline;
#ifdef CACT_HAVE_AVX2
extern const cact_isa cact_isa_avx2;
#endif
#ifdef CACT_HAVE_AVX512
extern const cact_isa cact_isa_avx512;
#endif
static const cact_isa *cact_k = &cact_isa_baseline;

/* 1 when the table of `level` (0 baseline, 1 avx2, 2 avx512) was built; it is then the one used */
static int cact_select(int level) {
    const cact_isa *t = level == 0 ? &cact_isa_baseline : NULL;
#ifdef CACT_HAVE_AVX2
    if (level == 1) t = &cact_isa_avx2;
#endif
#ifdef CACT_HAVE_AVX512
    if (level == 2) t = &cact_isa_avx512;
#endif
    if (t == NULL) return 0;
    cact_k = t;
    return 1;
}
static const char *cact_isa_name(void) { return cact_k->name; }

#define CACT_WRAP_V(name, params, args) static inline void name params { cact_k->name args; }
#define CACT_WRAP_R(ret, name, params, args) static inline ret name params { return cact_k->name args; }
CACT_ROW_FUNCS(CACT_WRAP_V, CACT_WRAP_R)

#define CACT_SHORT_K_F32 (cact_k->short_k_f32)
#define CACT_SHORT_K_F64 (cact_k->short_k_f64)
#define CACT_CAN_STREAM (cact_k->can_stream)
#define cact_aligned_head(y, n, size) cact_aligned_head_a((y), (n), (size), cact_k->stream_align)
#define cact_piece_start(y, n, size, t, nt) cact_piece_start_a((y), (n), (size), (t), (nt), cact_k->stream_align)
#define cact_stream_here(y, n, size, from, fresh) cact_stream_here_a(cact_k->can_stream, (y), (n), (size), (from), (fresh))
static inline Py_ssize_t cact_stream_align(void) { return cact_k->stream_align; }
static inline int cact_stream_wide(void) { return cact_k->stream_wide; }
static inline cact_ew_fn cact_ew_block(int k, int op, int dt) { return cact_k->ew[k].block[op][dt]; }
static inline cact_ew_fn cact_ew_stream(int k, int op, int dt) { return cact_k->ew[k].stream[op][dt]; }
static inline const cact_ew_kernel *cact_ew_kernel_at(int k) { return &cact_k->ew[k]; }
#endif
#endif
