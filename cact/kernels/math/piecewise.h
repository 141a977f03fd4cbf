/* The piecewise-linear activations: relu6, hardtanh, hardsigmoid, hardswish, threshold,
 * softshrink, hardshrink. Each is a select over a few exact or once-rounded operations, in the
 * dtype itself (float lanes for float32), with the parameters rounded to the dtype as PyTorch
 * rounds them. The selects are written so that NaN falls through to an expression of x (NaN in,
 * NaN out, in values and derivatives); at a kink the derivative is PyTorch's. */
#ifndef CACT_PIECEWISE_H
#define CACT_PIECEWISE_H
#include "elementwise.h"

#define CACT_X (x[j])
#define CACT_A ((cact_t)p0)
#define CACT_B ((cact_t)p1)
#define CACT_C(v) ((cact_t)(v))
/* v, or x where x is NaN: the derivatives' NaN fall-through as one unordered compare (written
 * as the complement of their interval, NaN's compares cost GCC's loops one mask each) */
#define CACT_NAN_OR(v) (CACT_X != CACT_X ? CACT_X : (v))
#define CACT_ABS(v) (sizeof(cact_t) == 4 ? (cact_t)fabsf((float)(v)) : (cact_t)fabs((double)(v)))

/* relu6 = min(max(x, 0), 6); f' = 1 on (0, 6), 0 at and beyond the ends */
CACT_EW_BOTH(relu6,
    CACT_X < 0 ? CACT_C(0) : (CACT_X > 6 ? CACT_C(6) : CACT_X),
    CACT_X > 0 && CACT_X < 6 ? CACT_C(1) : CACT_NAN_OR(CACT_C(0)))

/* hardtanh(min_val = p0, max_val = p1): clamp; f' = 1 strictly inside */
CACT_EW_BOTH(hardtanh,
    CACT_X < CACT_A ? CACT_A : (CACT_X > CACT_B ? CACT_B : CACT_X),
    CACT_X > CACT_A && CACT_X < CACT_B ? CACT_C(1) : CACT_NAN_OR(CACT_C(0)))

/* hardsigmoid = relu6(x + 3) / 6 (x + 3 is exact near -3); f' = 1/6 on (-3, 3) */
CACT_EW_BOTH(hardsigmoid,
    CACT_X <= -3 ? CACT_C(0) : (CACT_X >= 3 ? CACT_C(1) : (CACT_X + 3) / 6),
    CACT_X > -3 && CACT_X < 3 ? CACT_C(1) / 6 : CACT_NAN_OR(CACT_C(0)))

/* hardswish = x relu6(x + 3) / 6; f' = 0 below -3, (2x + 3) / 6 up to 3 (PyTorch's x/3 + 1/2, here
 * without its cancellation near the root -3/2: 2x + 3 is exact there), 1 beyond */
CACT_EW_BOTH(hardswish,
    CACT_X <= -3 ? CACT_C(0) : (CACT_X >= 3 ? CACT_X : CACT_X * (CACT_X + 3) / 6),
    CACT_NAN_OR(CACT_X < -3 ? CACT_C(0) : (CACT_X <= 3 ? (2 * CACT_X + 3) / 6 : CACT_C(1))))

/* threshold(threshold = p0, value = p1): x above the threshold, else value; f' = 1 above */
CACT_EW_BOTH(threshold,
    CACT_X <= CACT_A ? CACT_B : CACT_X,
    CACT_X > CACT_A ? CACT_C(1) : CACT_NAN_OR(CACT_C(0)))

/* softshrink(lambd = p0): 0 on [-l, l], x -+ l beyond (one rounding); f' = 1 beyond (|x| against
 * l: one compare where x against -l and l took two) */
CACT_EW_BOTH(softshrink,
    CACT_ABS(CACT_X) <= CACT_A ? CACT_C(0) : (CACT_X > CACT_A ? CACT_X - CACT_A : CACT_X + CACT_A),
    CACT_ABS(CACT_X) > CACT_A ? CACT_C(1) : CACT_NAN_OR(CACT_C(0)))

/* hardshrink(lambd = p0): 0 on [-l, l], x beyond; f' = 1 beyond */
CACT_EW_BOTH(hardshrink,
    CACT_ABS(CACT_X) <= CACT_A ? CACT_C(0) : CACT_X,
    CACT_ABS(CACT_X) > CACT_A ? CACT_C(1) : CACT_NAN_OR(CACT_C(0)))

#undef CACT_NAN_OR
#undef CACT_ABS
#undef CACT_X
#undef CACT_A
#undef CACT_B
#undef CACT_C
#endif
