/* Row math for softmax on contiguous rows, in float and double (see _softmax_rows.inc). */
#ifndef CACT_SOFTMAX_H
#define CACT_SOFTMAX_H
#include <Python.h>
#include "_math.h"

#define CACT_T float
#define CACT_ROWFN(name) cact_##name##_f32
#define CACT_ROW_EXP(x, m) cact_exp((double)(x) - (m))
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
