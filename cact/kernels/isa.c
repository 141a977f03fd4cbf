/* One ISA build of the numeric kernels: compiled once per target (setup.py: baseline x86-64,
 * x86-64-v3, x86-64-v4; elsewhere the portable build only) with CACT_ISA naming it, into the
 * table cact_isa_<CACT_ISA> that the drivers (compiled once) select at import (driver/table.h).
 *
 * Everything here is the activations' own math (kernels/math) put into the table; the streamed
 * block loops are the one piece of driver code compiled per ISA, because their non-temporal
 * stores and their scratch block are this build's vector width. */
#include <Python.h>
#include "generated/headers.inc"   /* every activation's math header (from the registry) */
#include "math/relu.h"
#include "math/sigmoid.h"
#include "math/softmax.h"
#include "math/prelu.h"
#include "driver/table.h"
#include "math/gated.h"
#include "math/half.h"

#ifndef CACT_ISA
#error "compile with -DCACT_ISA=baseline|avx2|avx512"
#endif
#define CACT_CAT_(a, b) a##b
#define CACT_CAT(a, b) CACT_CAT_(a, b)
#define CACT_STR_(a) #a
#define CACT_STR(a) CACT_STR_(a)

/* The parameters as this build's blocks use them: the first as a float pair where the float
 * lanes can take it (leaky relu's slope; cact_slope_f32_ok depends on FMA) */
static void cact_prep(cact_par *P) {
    P->ok = cact_slope_f32_ok(P->p[0]);
    P->ph = cact_slope_hi(P->p[0]);
    P->pl = cact_slope_lo(P->p[0]);
}

/* Test hook: the loop over cact_sigmoid_f32 as this build's compiler vectorizes it, for the test
 * that the intrinsics of cact_sigmoid_f32_span give its bits */
static void cact_sigmoid_f32_loop(const float *x, float *y, Py_ssize_t n) {
    for (Py_ssize_t j = 0; j < n; ++j) y[j] = cact_sigmoid_f32(x[j]);
}

/* A half-precision block (h: f16 or bf16): a chunk of x (and g) widened to float32 in L1, the
 * float32 block, the result rounded once to the half type; no whole-array temporaries. y may be x
 * or g (a chunk is read before it is written). */
#define CACT_HALF_CHUNK 1024
#define CACT_HALF_LOOP(name, op, h)                                                                 \
    static void cact_ewg_##name##_##op##_##h(const void *xv, const void *gv, void *yv, Py_ssize_t n,  \
                                            const cact_par *P) {                                    \
        float xb[CACT_HALF_CHUNK] __attribute__((aligned(64)));                                     \
        float gb[CACT_HALF_CHUNK] __attribute__((aligned(64)));                                     \
        float yb[CACT_HALF_CHUNK] __attribute__((aligned(64)));                                     \
        const uint16_t *x = (const uint16_t *)xv, *g = (const uint16_t *)gv;                        \
        uint16_t *y = (uint16_t *)yv;                                                               \
        for (Py_ssize_t k = 0; k < n; k += CACT_HALF_CHUNK) {                                       \
            Py_ssize_t m = n - k < CACT_HALF_CHUNK ? n - k : CACT_HALF_CHUNK;                       \
            cact_##h##_load(x + k, xb, m);                                                          \
            if (g) cact_##h##_load(g + k, gb, m);                                                   \
            cact_ew_##name##_##op##_f32(xb, g ? gb : NULL, yb, m, P);                               \
            cact_##h##_store(yb, y + k, m);                                                         \
        }                                                                                           \
    }
#define CACT_HALF_OPS(name) CACT_HALF_LOOP(name, grad, f16) CACT_HALF_LOOP(name, bwd, f16) \
    CACT_HALF_LOOP(name, grad, bf16) CACT_HALF_LOOP(name, bwd, bf16)
#define CACT_HALVES_F(name, s) CACT_HALF_OPS(name) CACT_HALF_LOOP(name, fwd, f16) CACT_HALF_LOOP(name, fwd, bf16)
#define CACT_HALVES_D(name, s) CACT_HALF_OPS(name)
CACT_KERNELS(CACT_HALVES_F, CACT_HALVES_D)

/* The block loop over a scratch block at a time, y written by non-temporal stores (the same bits) */
#define CACT_STREAM_LOOP(name, op, sfx, T) CACT_STREAM_LOOP_(name, op, sfx, T, cact_ew_##name##_##op##_##sfx)
#define CACT_STREAM_HALF(name, op, h) CACT_STREAM_LOOP_(name, op, h, uint16_t, CACT_CAT(CACT_HALF_##name, _##op##_##h))
#define CACT_STREAM_LOOP_(name, op, sfx, T, BLOCK)                                                  \
    static void cact_ews_##name##_##op##_##sfx(const void *xv, const void *gv, void *yv, Py_ssize_t n, \
                                               const cact_par *P) {                                \
        T buf[CACT_STREAM_BLOCK];                                                                   \
        const T *x = (const T *)xv, *g = (const T *)gv;                                             \
        T *y = (T *)yv;                                                                             \
        Py_ssize_t k = 0, m = cact_aligned_head(y, n, sizeof(T));                                   \
        if (m == 0) m = n < CACT_STREAM_BLOCK ? n : CACT_STREAM_BLOCK;                              \
        while (k < n) {                                                                             \
            BLOCK(x + k, g ? g + k : NULL, buf, m, P);                                              \
            cact_stream_copy(buf, y + k, m * (Py_ssize_t)sizeof(T));                                \
            k += m;                                                                                 \
            m = n - k < CACT_STREAM_BLOCK ? n - k : CACT_STREAM_BLOCK;                              \
        }                                                                                           \
        cact_stream_fence();                                                                        \
    }
#define CACT_STREAM_OPS(name) \
    CACT_STREAM_LOOP(name, grad, f32, float) CACT_STREAM_LOOP(name, grad, f64, double) \
    CACT_STREAM_LOOP(name, bwd, f32, float) CACT_STREAM_LOOP(name, bwd, f64, double) \
    CACT_STREAM_HALF(name, grad, f16) CACT_STREAM_HALF(name, bwd, f16) \
    CACT_STREAM_HALF(name, grad, bf16) CACT_STREAM_HALF(name, bwd, bf16)
#define CACT_IF_0(...)
#define CACT_IF_1(...) __VA_ARGS__

/* kernels with a forward (F) and derivative-only ones (D, e.g. from the output y); s: streamed */
#define CACT_STREAMS_F(name, s) CACT_IF_##s(CACT_STREAM_OPS(name) CACT_STREAM_LOOP(name, fwd, f32, float) \
                                            CACT_STREAM_LOOP(name, fwd, f64, double) \
                                            CACT_STREAM_HALF(name, fwd, f16) CACT_STREAM_HALF(name, fwd, bf16))
#define CACT_STREAMS_D(name, s) CACT_IF_##s(CACT_STREAM_OPS(name))
CACT_KERNELS(CACT_STREAMS_F, CACT_STREAMS_D)


#define CACT_HALF_FN(pre, name, op, h) CACT_CAT(CACT_HALF_##name, _##op##_##h)   /* ew_ or ewg_: kernels.inc */
#define CACT_PAIR(pre, name, op) {pre##name##_##op##_f32, pre##name##_##op##_f64, \
    CACT_HALF_FN(pre, name, op, f16), CACT_HALF_FN(pre, name, op, bf16)}
#define CACT_SPAIR(pre, name, op) {pre##name##_##op##_f32, pre##name##_##op##_f64, \
    pre##name##_##op##_f16, pre##name##_##op##_bf16}
#define CACT_NONE {NULL, NULL, NULL, NULL}
#define CACT_ROW_F(name, s) {{CACT_PAIR(cact_ew_, name, fwd), CACT_PAIR(cact_ew_, name, grad), CACT_PAIR(cact_ew_, name, bwd)}, \
    {CACT_IF_##s(CACT_SPAIR(cact_ews_, name, fwd), CACT_SPAIR(cact_ews_, name, grad), CACT_SPAIR(cact_ews_, name, bwd))}},
#define CACT_ROW_D(name, s) {{CACT_NONE, CACT_PAIR(cact_ew_, name, grad), CACT_PAIR(cact_ew_, name, bwd)}, \
    {CACT_IF_##s(CACT_NONE, CACT_SPAIR(cact_ews_, name, grad), CACT_SPAIR(cact_ews_, name, bwd))}},
static const cact_ew_kernel cact_ew_table[CACT_N_KERNELS] = {CACT_KERNELS(CACT_ROW_F, CACT_ROW_D)};

#define CACT_INIT_V(name, params, args) .name = name,
#define CACT_INIT_R(ret, name, params, args) .name = name,
const cact_isa CACT_CAT(cact_isa_, CACT_ISA) = {
    .name = CACT_STR(CACT_ISA),
    .stream_align = CACT_STREAM_ALIGN,
    .can_stream = CACT_CAN_STREAM,
    .stream_wide = CACT_STREAM_WIDE,
    .short_k_f32 = CACT_SHORT_K_F32,
    .short_k_f64 = CACT_SHORT_K_F64,
    .ew = cact_ew_table,
    CACT_ROW_FUNCS(CACT_INIT_V, CACT_INIT_R)
};
