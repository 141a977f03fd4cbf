/* Row math for softmax on contiguous rows, in float and double (see _softmax_rows.inc). */
#ifndef CACT_SOFTMAX_H
#define CACT_SOFTMAX_H
#include <Python.h>
#include "_math.h"

#define CACT_T float
#define CACT_ROWFN(name) cact_##name##_f32
#include "_softmax_rows.inc"
#undef CACT_T
#undef CACT_ROWFN

#define CACT_T double
#define CACT_ROWFN(name) cact_##name##_f64
#include "_softmax_rows.inc"
#undef CACT_T
#undef CACT_ROWFN

#endif
