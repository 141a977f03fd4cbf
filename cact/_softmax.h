/* Row math for softmax on contiguous rows, in float and double (see _softmax_rows.inc). */
#ifndef CACT_SOFTMAX_H
#define CACT_SOFTMAX_H
#include <Python.h>
#include "_math.h"

/* GCC/clang vector types for the row max: one AVX register where the build has AVX, else SSE */
#if defined(__GNUC__) || defined(__clang__)
#if defined(__AVX__)
#define CACT_VBYTES 32
#else
#define CACT_VBYTES 16
#endif
typedef float cact_vt_f32 __attribute__((vector_size(CACT_VBYTES)));
typedef int32_t cact_vi_f32 __attribute__((vector_size(CACT_VBYTES)));
typedef double cact_vt_f64 __attribute__((vector_size(CACT_VBYTES)));
typedef int64_t cact_vi_f64 __attribute__((vector_size(CACT_VBYTES)));
#endif

#define CACT_T float
#define CACT_ROWFN(name) cact_##name##_f32
#define CACT_ROW_EXP(x, m) cact_expf_diff((x), (float)(m))
#define CACT_ROW_EXACT_SUMS 0
#include "_softmax_rows.inc"
#undef CACT_T
#undef CACT_ROWFN
#undef CACT_ROW_EXP
#undef CACT_ROW_EXACT_SUMS

#define CACT_T double
#define CACT_ROWFN(name) cact_##name##_f64
#define CACT_ROW_EXP(x, m) cact_exp_diff((x), (m))
#define CACT_ROW_EXACT_SUMS 1
#include "_softmax_rows.inc"
#undef CACT_T
#undef CACT_ROWFN
#undef CACT_ROW_EXP
#undef CACT_ROW_EXACT_SUMS

#endif
