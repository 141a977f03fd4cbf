"""The public functions: check and coerce the arguments, pick the kernel, run it.

Conventions shared by every function (see README.md):
- dtypes: float32 -> float32, float64 -> float64, float16 -> computed in float32, returned as
  float16; bool and integers -> float64. Other dtypes raise TypeError.
- `out=`: a writeable ndarray of the result's shape; the result is cast into it under NumPy's
  'same_kind' rule. It may be x itself or overlap x; the result is as if it did not.
- A 0-d input without `out` gives a NumPy scalar, as NumPy's ufuncs do.
- `<name>_grad(..., grad_output=g)` is the backward step g * f'(x) in one pass; g is cast to x's
  compute dtype and must have x's shape.
"""
import math

import numpy as np

from cact._dispatch import kernels as K
from cact._checks import (
    F32,
    F64,
    as_axis,
    as_channel_slopes,
    as_grad_output,
    as_input,
    as_real,
    check_out,
    detach,
    rows_view,
)

_SFX = {F32: "f32", F64: "f64"}


def _family(stem, ops):
    """{op: {dtype: (contiguous kernel, any-layout kernel)}} for one elementwise activation."""
    return {
        op: {dt: (getattr(K, f"{stem}_{op}_{s}"), getattr(K, f"{stem}_{op}_{s}_nd")) for dt, s in _SFX.items()}
        for op in ops
    }


_ELEMENTWISE = {
    stem: _family(stem, ("fwd", "grad", "bwd"))
    for stem in ("sigmoid", "relu", "leaky_relu", "elu", "gelu_tanh", "gelu_erf")
}
_ELEMENTWISE["sigmoid_y"] = _family("sigmoid_y", ("grad", "bwd"))
_NEW = {stem: {op: getattr(K, f"{stem}_{op}_new") for op in ops} for stem, ops in _ELEMENTWISE.items()}
_SOFTMAX = {
    dt: {
        "fwd": getattr(K, f"softmax_fwd_{s}"),
        "bwd": getattr(K, f"softmax_bwd_{s}"),
        "jac": getattr(K, f"softmax_jac_{s}"),
        "bwd_y": getattr(K, f"softmax_bwd_y_{s}"),
        "fwd_nd": getattr(K, f"softmax_fwd_nd_{s}"),
        "bwd_nd": getattr(K, f"softmax_bwd_nd_{s}"),
    }
    for dt, s in _SFX.items()
}
_PRELU = {dt: (getattr(K, f"prelu_fwd_{s}"), getattr(K, f"prelu_grad_{s}")) for dt, s in _SFX.items()}
_PRELU_FAST = {dt: getattr(K, f"prelu_fwd_fast_{s}") for dt, s in _SFX.items()}


# ---- shared plumbing --------------------------------------------------------------------------

def _target(a, out, result_dtype):
    """Where the kernel writes: `out` itself when it has the compute dtype, else a new array."""
    if out is not None:
        check_out(out, a.shape, result_dtype)
        if out.dtype is a.dtype and out.flags.aligned:
            return out
    return np.empty_like(a)


def _fast_out(out, x):
    """`out` when a fast-path kernel may take it: an ndarray of x's dtype (the kernel checks shape,
    layout, writeability and overlap, and does nothing unless out is x or apart from it); else None."""
    return out if type(out) is np.ndarray and out.dtype is x.dtype else None


def _finish(t, out, result_dtype):
    """Return the result: a new array (or NumPy scalar for 0-d), or `out` after casting into it."""
    if out is None:
        if t.dtype is not result_dtype:
            t = t.astype(result_dtype)
        return t[()] if t.ndim == 0 else t
    if t is not out:
        np.copyto(out, t.astype(result_dtype, copy=False), casting="same_kind")
    return out


def _run_elementwise(kernels, a, g, t, p, fresh):
    """Run an elementwise kernel (contiguous, else any layout) over a (and g) into t (same shape);
    fresh: t is a new array."""
    contiguous, any_layout = kernels
    a = detach(a, t)
    if g is not None:
        g = detach(g, t)
    if contiguous(a, t, p, fresh) if g is None else contiguous(a, g, t, p, fresh):
        return
    if not (any_layout(a, t, p, fresh) if g is None else any_layout(a, g, t, p, fresh)):
        _declined()


def _declined():
    # the checks hand the kernels native, aligned arrays of the compute dtype and a writeable
    # target of their shape, which the any-layout kernels always take
    raise RuntimeError("cact internal error: a kernel declined arrays the checks had prepared")


def _elementwise(stem, op, x, p, grad_output, out, name="x"):
    if out is None:   # a new result: the kernel module checks x (and g) and allocates, or says None
        r = _NEW[stem][op](x, p) if grad_output is None else _NEW[stem]["bwd"](x, grad_output, p)
        if r is not None:
            return r
    elif type(x) is np.ndarray and type(out) is np.ndarray and out.dtype is x.dtype:
        # out= of x's dtype: the contiguous kernel checks dtype, shape, layout, writeability and
        # overlap, and does nothing otherwise
        if grad_output is None:
            kernels = _ELEMENTWISE[stem][op].get(x.dtype)
            if kernels is not None and kernels[0](x, out, p, False):
                return out
        elif type(grad_output) is np.ndarray:
            kernels = _ELEMENTWISE[stem]["bwd"].get(x.dtype)
            if kernels is not None and kernels[0](x, grad_output, out, p, False):
                return out
    a, result_dtype = as_input(x, name)
    g = None if grad_output is None else as_grad_output(grad_output, a, ref=name)
    t = _target(a, out, result_dtype)
    if g is not None:
        op = "bwd"
    _run_elementwise(_ELEMENTWISE[stem][op][a.dtype], a, g, t, p, t is not out)
    return _finish(t, out, result_dtype)


def _gelu_stem(approximate):
    if type(approximate) is str:
        if approximate == "tanh":
            return "gelu_tanh"
        if approximate == "none":
            return "gelu_erf"
        raise ValueError(f"approximate must be 'tanh' or 'none', got {approximate!r}")
    raise TypeError(f"approximate must be a string, 'tanh' or 'none', got {type(approximate).__name__}")


# ---- forward ----------------------------------------------------------------------------------

def sigmoid(x, *, out=None):
    """Logistic sigmoid, 1 / (1 + exp(-x)), computed as 1/(1+e) or e/(1+e) with e = exp(-|x|).

    Derivative: s (1 - s) (`sigmoid_grad`)."""
    return _elementwise("sigmoid", "fwd", x, 0.0, None, out)


def relu(x, *, out=None):
    """Rectified linear unit, max(0, x); NaN stays NaN.

    Derivative: 1 for x > 0, else 0 (0 at x = 0, as PyTorch) (`relu_grad`)."""
    return _elementwise("relu", "fwd", x, 0.0, None, out)


def leaky_relu(x, alpha=0.01, *, out=None):
    """Leaky ReLU: x if x > 0 else alpha * x (for any alpha, also alpha > 1).

    Derivative: 1 for x > 0, else alpha (alpha at x = 0, as PyTorch) (`leaky_relu_grad`)."""
    return _elementwise("leaky_relu", "fwd", x, as_real(alpha, "alpha"), None, out)


def elu(x, alpha=1.0, *, out=None):
    """Exponential linear unit: x if x > 0 else alpha * (exp(x) - 1), computed with expm1.

    Derivative: 1 for x > 0, else alpha * exp(x) (alpha at x = 0, as PyTorch) (`elu_grad`)."""
    return _elementwise("elu", "fwd", x, as_real(alpha, "alpha"), None, out)


def gelu(x, approximate="tanh", *, out=None):
    """Gaussian error linear unit.

    approximate="tanh" (the default, the seed's formula): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))),
    computed as x * sigmoid(2z) so it does not cancel for negative x.
    approximate="none": the exact x * Phi(x), Phi the standard normal CDF, computed with erfc.
    Note PyTorch's default is "none" and JAX's is the tanh form. Derivative: `gelu_grad`."""
    return _elementwise(_gelu_stem(approximate), "fwd", x, 0.0, None, out)


def prelu(x, alpha, *, axis=1, out=None):
    """Parametric ReLU: x if x > 0 else alpha * x.

    `alpha` is one slope for all of x (a scalar or a one-element array), or a 1-D array with one
    slope per channel along `axis` (PyTorch's convention: channels on axis 1; needs x.ndim >= 2).
    Derivatives: `prelu_grad` returns (d/dx, d/dalpha)."""
    if type(x) is np.ndarray and type(alpha) is np.ndarray and type(axis) is int:
        # fast path: C-contiguous float32/float64 x with per-channel slopes, into a new result
        # (allocated by the kernel module) or an `out` of x's dtype (the kernels check the rest,
        # finiteness included, and do nothing when anything does not fit)
        if out is None:
            t = K.prelu_fwd_new(x, alpha, axis)
            if t is not None:
                return t
        else:
            fast = _PRELU_FAST.get(x.dtype)
            t = _fast_out(out, x)
            if fast is not None and t is not None and fast(x, alpha, t, axis):
                return t
    a, result_dtype = as_input(x)
    slopes, ax, _ = as_channel_slopes(alpha, a, axis)
    if ax is None:
        t = _target(a, out, result_dtype)
        _run_elementwise(_ELEMENTWISE["leaky_relu"]["fwd"][a.dtype], a, None, t, float(slopes[0]), t is not out)
        return _finish(t, out, result_dtype)
    if out is not None:
        check_out(out, a.shape, result_dtype)
    t = out if (out is not None and out.dtype is a.dtype and out.flags.c_contiguous and out.flags.aligned) else np.empty(a.shape, a.dtype)
    a = np.ascontiguousarray(detach(a, t))
    _PRELU[a.dtype][0](a, slopes, t, *_channel_dims(a.shape, ax), t is not out)
    return _finish(t, out, result_dtype)


def _channel_dims(shape, ax):
    """(outer, channels, inner) sizes around the channel axis (one channel for all when ax is None)"""
    if ax is None:
        return 1, 1, math.prod(shape)
    return math.prod(shape[:ax]), shape[ax], math.prod(shape[ax + 1:])


def softmax(x, axis=-1, *, out=None):
    """Softmax along `axis` (default: the last), exp(x - max) / sum(exp(x - max)).

    Stable for any input: entries of -inf give exactly 0; a row that is all -inf, or holds NaN or
    +inf, gives NaN. Derivative: `softmax_grad`."""
    if type(x) is np.ndarray and type(axis) is int and x.ndim and (axis == -1 or axis == x.ndim - 1):
        # fast path: a C-contiguous float32/float64 array along its last axis, into a new result
        # (allocated by the kernel module) or an `out` of the same dtype (the kernel checks
        # layouts; rows may be computed in place)
        if out is None:
            t = K.softmax_fwd_new(x)
            if t is not None:
                return t
        else:
            kernels = _SOFTMAX.get(x.dtype)
            t = _fast_out(out, x)
            if kernels is not None and t is not None and kernels["fwd"](x, t, x.shape[-1]):
                return t
    a, result_dtype = as_input(x)
    ax = as_axis(axis, a.ndim)
    t = _target(a, out, result_dtype)   # any layout, any axis, no copies: x's layout, or out
    if not _SOFTMAX[a.dtype]["fwd_nd"](detach(a, t), t, ax):
        _declined()
    return _finish(t, out, result_dtype)


# ---- derivatives ------------------------------------------------------------------------------

def _x_or_y(fn, x, y):
    """The one of x and y given (derivatives that can start from the forward's output y)."""
    if y is None:
        if x is None:
            raise TypeError(f"{fn}() needs x, or y= (the forward's output)")
        return x
    if x is not None:
        raise TypeError(f"{fn}() takes x or y= (the forward's output), not both")
    return y


def sigmoid_grad(x=None, *, grad_output=None, out=None, y=None):
    """sigmoid'(x) = s (1 - s) = e / (1 + e)^2 with e = exp(-|x|); with grad_output=g, g * sigmoid'(x).

    y=: start from the forward's output y = sigmoid(x) instead of x (as PyTorch's backward does):
    y (1 - y), or g y (1 - y), with no exponential. Exact to rounding for the y given; as
    sigmoid'(x) it carries y's own rounding, which 1 - y magnifies where y is close to 1 (x > 17 in
    float32: 0 instead of about e^-x). Pass x or y, not both."""
    if y is None and x is not None:
        return _elementwise("sigmoid", "grad", x, 0.0, grad_output, out)
    return _elementwise("sigmoid_y", "grad", _x_or_y("sigmoid_grad", x, y), 0.0, grad_output, out, "y")


def relu_grad(x, *, grad_output=None, out=None):
    """relu'(x) = 1 for x > 0, else 0 (0 at x = 0, as PyTorch; NaN stays NaN); with grad_output=g, g * relu'(x)."""
    return _elementwise("relu", "grad", x, 0.0, grad_output, out)


def leaky_relu_grad(x, alpha=0.01, *, grad_output=None, out=None):
    """leaky_relu'(x) = 1 for x > 0, else alpha (alpha at 0); with grad_output=g, g * leaky_relu'(x)."""
    return _elementwise("leaky_relu", "grad", x, as_real(alpha, "alpha"), grad_output, out)


def elu_grad(x, alpha=1.0, *, grad_output=None, out=None):
    """elu'(x) = 1 for x > 0, else alpha * exp(x) (alpha at 0); with grad_output=g, g * elu'(x)."""
    return _elementwise("elu", "grad", x, as_real(alpha, "alpha"), grad_output, out)


def gelu_grad(x, approximate="tanh", *, grad_output=None, out=None):
    """gelu'(x); with grad_output=g, g * gelu'(x).

    tanh: 0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2), t = tanh(z);
    none: Phi(x) + x phi(x), phi the standard normal density."""
    return _elementwise(_gelu_stem(approximate), "grad", x, 0.0, grad_output, out)


def prelu_grad(x, alpha, *, axis=1, grad_output=None):
    """Gradients of prelu: (grad_x, grad_alpha).

    grad_x = g * (1 if x > 0 else alpha); grad_alpha = sum of g * (0 if x > 0 else x) over all but
    the channel axis, with alpha's shape (g = 1 without grad_output)."""
    if type(axis) is int:   # the common call: new results allocated by the kernel module, or None
        r = K.prelu_grad_new(x, grad_output, alpha, axis)
        if r is not None:
            return r
    a, result_dtype = as_input(x)
    slopes, ax, alpha_shape = as_channel_slopes(alpha, a, axis)
    g = None if grad_output is None else np.ascontiguousarray(as_grad_output(grad_output, a))
    gx = np.empty(a.shape, a.dtype)
    ga = _PRELU[a.dtype][1](np.ascontiguousarray(a), g, slopes, gx, *_channel_dims(a.shape, ax))
    with np.errstate(over="ignore"):  # a sum beyond float32's range is inf, correctly rounded
        galpha = ga.astype(result_dtype).reshape(alpha_shape)
    gx = _finish(gx, None, result_dtype)
    return gx, (galpha[()] if galpha.ndim == 0 else galpha)


def softmax_grad(x=None, axis=-1, *, grad_output=None, out=None, y=None):
    """Derivative of softmax along `axis`.

    With grad_output=g: the vector-Jacobian product y * (g - sum(g * y, axis)), y = softmax(x),
    x's shape. Without it: the full Jacobian, shape x.shape + (K,), K = x.shape[axis], with
    J[..., i, j] = dy_i / dx_j = y_i (delta_ij - y_j) (for an axis other than the last, i stays at
    `axis` and j is the new last axis).

    y=: start from the forward's output y = softmax(x, axis) instead of x (as PyTorch's
    _softmax_backward_data does), with no exponentials: the same formulas in the y given, exact to
    a few roundings for it (the diagonal as y_i (1 - y_i)). Pass x or y, not both."""
    from_y = y is not None or x is None
    src = _x_or_y("softmax_grad", x, y) if from_y else x
    if (type(src) is np.ndarray and type(grad_output) is np.ndarray and type(axis) is int
            and src.ndim and (axis == -1 or axis == src.ndim - 1)):
        # fast path: C-contiguous float32/float64 x (or y) and grad_output, last axis, a new result
        # (allocated by the kernel module) or an out of their dtype (the kernel declines the
        # overlaps it cannot take)
        if out is None:
            t = K.softmax_bwd_new(src, grad_output, from_y)
            if t is not None:
                return t
        else:
            kernels = _SOFTMAX.get(src.dtype)
            t = _fast_out(out, src)
            if kernels is not None and t is not None and kernels["bwd_y" if from_y else "bwd"](src, grad_output, t, src.shape[-1]):
                return t
    name = "y" if from_y else "x"
    a, result_dtype = as_input(src, name)
    ax = as_axis(axis, a.ndim)
    kernels = _SOFTMAX[a.dtype]
    if grad_output is not None:
        g = as_grad_output(grad_output, a, ref=name)
        # any layout, any axis, no copies: the result in the input's layout, or out. From y each
        # element is read before it is written, so an exact alias is fine; the x row kernel reads g
        # after writing its output, so there g must not alias the output at all.
        t = _target(a, out, result_dtype)
        ga = detach(g, t) if from_y else (g.copy() if np.may_share_memory(g, t) else g)
        if not kernels["bwd_nd"](detach(a, t), ga, t, ax, from_y):
            _declined()
        return _finish(t, out, result_dtype)
    Kdim = a.shape[ax]
    shape = a.shape + (Kdim,)
    if out is not None:
        check_out(out, shape, result_dtype)
    x2 = _rows(a, ax)
    jac = np.empty((x2.shape[0], Kdim, Kdim), a.dtype)
    if from_y:
        np.multiply(-x2[:, :, None], x2[:, None, :], out=jac)
        jac.reshape(x2.shape[0], Kdim * Kdim)[:, :: Kdim + 1] = x2 * (1 - x2)
    else:
        kernels["jac"](x2, jac, np.empty(x2.shape, np.float64))
    jac = np.moveaxis(jac.reshape(np.moveaxis(a, ax, -1).shape + (Kdim,)), -2, ax)
    if out is None:
        return _finish(np.ascontiguousarray(jac), None, result_dtype)
    np.copyto(out, jac.astype(result_dtype, copy=False), casting="same_kind")
    return out


# ---- softmax plumbing -------------------------------------------------------------------------

def _rows(a, ax):
    """a with `ax` moved last, as a 2-D (rows, K) array (a view when possible, else a copy)."""
    m = np.moveaxis(a, ax, -1)
    v = rows_view(m, m.shape[-1])
    return v if v is not None else rows_view(np.ascontiguousarray(m), m.shape[-1])


