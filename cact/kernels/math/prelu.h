/* prelu block loops in float and double (see _prelu_blocks.inc). */
#ifndef CACT_PRELU_H
#define CACT_PRELU_H
#include <Python.h>
#include "common.h"
#include "../driver/stream.h"
#include "layout.h"

#if defined(_MSC_VER) && !defined(__cplusplus)
#define restrict __restrict
#endif

#define CACT_T float
#define CACT_PRELU(name) cact_prelu_##name##_f32
#define CACT_PRELU_FLOAT 1
#include "prelu_blocks.inc"
#undef CACT_T
#undef CACT_PRELU
#undef CACT_PRELU_FLOAT

#define CACT_T double
#define CACT_PRELU(name) cact_prelu_##name##_f64
#define CACT_PRELU_FLOAT 0
#include "prelu_blocks.inc"
#undef CACT_PRELU_FLOAT
#undef CACT_T
#undef CACT_PRELU

#endif
