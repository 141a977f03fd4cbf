/* The elementwise kernel contract.
 *
 * An elementwise activation is its point math (the value and the derivative at one point, in its
 * own header) and six block functions built on it: forward (fwd), derivative (grad) and backward
 * step g * f'(x) (bwd), for float32 (f32) and float64 (f64). A block function computes y[0:n]
 * from x[0:n] (and g[0:n] for bwd) serially; the drivers (kernels/driver, compiled once) cut the
 * work into blocks, thread it, align it and stream it, the same for every activation, and reach
 * the blocks through the table of the ISA build they run (kernels/isa.c).
 *
 * A block loops over its elements with CACT_EACH (the compiler vectorizes it) unless the
 * activation has a faster way with the same bits (float lanes, runs split by form, intrinsics):
 * that is written in the block, beside the point math, not in the drivers. y may be x or g (in
 * place), so blocks never assume the arrays are apart. float32 blocks without float math of
 * their own compute in double and round once.
 */
#ifndef CACT_ELEMENTWISE_H
#define CACT_ELEMENTWISE_H
#include "common.h"
#include "../driver/table.h"   /* cact_par: an activation's parameters */

/* The block function cact_ew_<name>_<op>_<sfx> for element type T; its body (the last argument)
 * sees x, g, y (T pointers), n, P and the parameters p0, p1, ph, pl as locals, so that loops
 * vectorize (a value read through P could alias y). */
#define CACT_EW_BLOCK(name, op, sfx, T, ...)                                                        \
    static void cact_ew_##name##_##op##_##sfx(const void *xv, const void *gv, void *yv, Py_ssize_t n, \
                                              const cact_par *P) {                                \
        typedef T cact_t;   /* the element type, for expressions shared by both dtypes */         \
        (void)sizeof(cact_t);                                                                      \
        const T *x = (const T *)xv;                                                                \
        const T *g = (const T *)gv;                                                                \
        T *y = (T *)yv;                                                                            \
        const double p0 = P->p[0], p1 = P->p[1];                                                   \
        const float ph = P->ph, pl = P->pl;                                                        \
        (void)x; (void)g; (void)y; (void)p0; (void)p1; (void)ph; (void)pl;                         \
        __VA_ARGS__                                                                                \
    }

/* y[j] = the expression, for every j < n */
#define CACT_EACH(...) for (Py_ssize_t j = 0; j < n; ++j) y[j] = (__VA_ARGS__);

/* The three float64 blocks of an activation whose derivative is cact_<name>_grad: forward
 * FWD, derivative GRAD and backward g * GRAD (expressions of x[j], p0, p1) */
#define CACT_EW_F64(name, FWD, GRAD)                                  \
    CACT_EW_BLOCK(name, fwd, f64, double, CACT_EACH(FWD))             \
    CACT_EW_BLOCK(name, grad, f64, double, CACT_EACH(GRAD))           \
    CACT_EW_BLOCK(name, bwd, f64, double, CACT_EACH(g[j] * (GRAD)))

/* The six blocks of an activation computed in its own dtype (FWD, GRAD expressions of x[j], p0,
 * p1 and the type cact_t; parameters used as cact_t values, as PyTorch rounds them to the tensor's
 * dtype): for formulas that are exact or round once or twice in either dtype */
#define CACT_EW_BOTH(name, FWD, GRAD)                                                     \
    CACT_EW_BLOCK(name, fwd, f64, double, CACT_EACH(FWD))                                 \
    CACT_EW_BLOCK(name, grad, f64, double, CACT_EACH(GRAD))                               \
    CACT_EW_BLOCK(name, bwd, f64, double, CACT_EACH(g[j] * (GRAD)))                       \
    CACT_EW_BLOCK(name, fwd, f32, float, CACT_EACH(FWD))                                  \
    CACT_EW_BLOCK(name, grad, f32, float, CACT_EACH(GRAD))                                \
    CACT_EW_BLOCK(name, bwd, f32, float, CACT_EACH(g[j] * (GRAD)))

/* A backward block as the derivative into a chunk on the stack, then times g (the same bits as
 * g * f'(x) rounded once each): for derivatives that GCC vectorizes well alone but not beside the
 * product (celu's float32: with g, the lanes it discards took an argument whose exponential is
 * subnormal, a microcode assist each). y may be x or g. */
#define CACT_EW_BWD_VIA_GRAD(name, sfx, T)                                                 \
    CACT_EW_BLOCK(name, bwd, sfx, T,                                                       \
        T buf_[256];                                                                       \
        for (Py_ssize_t k_ = 0; k_ < n; k_ += 256) {                                       \
            Py_ssize_t m_ = n - k_ < 256 ? n - k_ : 256;                                   \
            cact_ew_##name##_grad_##sfx(x + k_, NULL, buf_, m_, P);                        \
            for (Py_ssize_t j = 0; j < m_; ++j) y[k_ + j] = g[k_ + j] * buf_[j];           \
        })

/* The three float32 blocks computed in double and rounded once */
#define CACT_EW_F32_VIA_F64(name, FWD, GRAD)                                              \
    CACT_EW_BLOCK(name, fwd, f32, float, CACT_EACH((float)(FWD)))                         \
    CACT_EW_BLOCK(name, grad, f32, float, CACT_EACH((float)(GRAD)))                       \
    CACT_EW_BLOCK(name, bwd, f32, float, CACT_EACH((float)((double)g[j] * (GRAD))))

#endif
