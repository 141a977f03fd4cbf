"""Argument checking and coercion for the public API.

Everything here runs before any output is written, so a bad argument raises a TypeError or
ValueError naming it and leaves `out` untouched. Kernels only ever receive float32, float64,
float16 or bfloat16 arrays in native byte order.
"""
import math
import numbers

import numpy as np

try:  # NumPy >= 2.0
    from numpy.lib.array_utils import normalize_axis_index
except ImportError:  # pragma: no cover
    from numpy.core.multiarray import normalize_axis_index

F32 = np.dtype(np.float32)
F64 = np.dtype(np.float64)
F16 = np.dtype(np.float16)


def is_bfloat16(dt):
    """ml_dtypes' bfloat16, known by its dtype (ml_dtypes is never imported here: cact does not
    need it, and whoever holds such an array has imported it)"""
    return dt.kind == "V" and dt.itemsize == 2 and dt.name == "bfloat16" and dt.type.__module__.startswith("ml_dtypes")


_bf16_known = []   # bfloat16's dtype, once met and told to the kernels (its type number is set at run time)


def _half(dt):
    """dt when it is a half type the kernels take (float16; bfloat16, registered on first sight), else None"""
    if dt is F16:
        return dt
    if is_bfloat16(dt):
        if not _bf16_known:
            from cact._dispatch import kernels
            kernels.set_bfloat16(dt.num)
            _bf16_known.append(dt)
        return dt
    return None


def _float_kind(dt):
    """NumPy's kind letter, with bfloat16 a float ('f') as NumPy's promotion treats it"""
    return "f" if is_bfloat16(dt) else dt.kind


def _compute_dtypes(dt, name):
    """(compute dtype, result dtype) for an input dtype, or TypeError naming `name`."""
    kind = dt.kind
    if kind == "f":
        size = dt.itemsize
        if size == 4:
            return F32, F32
        if size == 8:
            return F64, F64
        if size == 2:
            return F32, dt
        raise TypeError(
            f"{name}: dtype {dt} is not supported (cact computes in float32 or float64 and will not "
            f"silently lose {dt}'s precision); convert it explicitly, e.g. {name}.astype(np.float64)"
        )
    if kind in "biu":
        return F64, F64
    if is_bfloat16(dt):
        return F32, dt
    if kind == "V" and dt.itemsize <= 2 and ("bfloat16" in dt.name or "float8" in dt.name or "float4" in dt.name):
        # ml_dtypes' low-precision floats (kind 'V' to NumPy): not computed yet; say how to convert
        raise TypeError(f"{name}: dtype {dt} (ml_dtypes) is not supported yet; convert it explicitly, "
                        f"e.g. {name}.astype(np.float32), and the result back with .astype(ml_dtypes.{dt.name})")
    raise TypeError(f"{name}: dtype {dt} is not supported; expected real floating, integer or bool data")


def as_input(x, name="x", grad_output=None, halves=False):
    """Return (x as an array of its compute dtype, result dtype).

    float32 and float64 are used as they are (copied when unaligned); so are float16 and bfloat16
    with halves=True (the caller's kernels take them), else they compute in float32; bool and
    integers in float64 (as np.exp does); byte-swapped data is converted to native order.
    A derivative's grad_output, when it is an ndarray or NumPy scalar of a wider dtype, promotes
    both as NumPy's result_type does (float32 x with a float64 grad_output: float64), so that
    nothing of it is rounded away; Python numbers and lists take x's dtype (they are weak, as in
    NumPy 2)."""
    a = x if type(x) is np.ndarray else np.asarray(x)
    dt = a.dtype
    if dt is F32 or dt is F64:
        # the kernels read floats through typed pointers: an unaligned array (np.frombuffer at an
        # odd offset, a packed record's field) is copied
        a, result = (a if a.flags.aligned else a.copy()), dt
    elif halves and _half(dt) is not None:
        a, result = (a if a.flags.aligned and a.dtype.isnative else a.astype(dt.newbyteorder("="))), dt
    else:
        compute, result = _compute_dtypes(dt, name)
        a = a.astype(compute)
    if isinstance(grad_output, (np.ndarray, np.generic)) and grad_output.dtype is not result:
        return _promoted(a, result, grad_output.dtype)
    return a, result


def _promoted(a, result, gd):
    """(a, result) promoted by grad_output's dtype gd, when NumPy's result_type widens the result
    (other dtypes are left to as_grad_output, which rejects what it cannot take)"""
    if _float_kind(gd) not in "biuf" or gd.itemsize > 8:
        return a, result
    r = np.result_type(result, gd)
    if r.itemsize <= result.itemsize:
        return a, result
    compute = F64 if r.itemsize == 8 else F32
    return (a if a.dtype is compute else a.astype(compute)), compute


def as_grad_output(g, a, name="grad_output", ref="x", shape=None):
    """grad_output as an array of x's (`ref`'s) compute dtype (as_input promoted it for a wider
    grad_output) and shape (or `shape`: the output's of a gated unit), broadcast to it as NumPy
    broadcasts (a scalar, a row)."""
    ga = g if type(g) is np.ndarray else np.asarray(g)
    if ga.dtype is not a.dtype:
        _compute_dtypes(ga.dtype, name)  # rejects complex, object, ...
        ga = ga.astype(a.dtype)
    target = a.shape if shape is None else shape
    if ga.shape != target:
        # NumPy's broadcasting, towards x's (the output's) shape only: the result keeps x's shape.
        # Materialized, so the kernels see an ordinary array (their layout plans are not tested
        # on strides of 0).
        try:
            ga = np.array(np.broadcast_to(ga, target))
        except ValueError:
            whose = f"{ref}'s" if shape is None else "the output's"
            raise ValueError(f"{name} has shape {ga.shape}, which does not broadcast to {whose} shape {target}") from None
    return ga if ga.flags.aligned else ga.copy()


def check_out(out, shape, result_dtype, name="out"):
    """`out` must be a writeable ndarray of the result's shape whose dtype the result can be cast to
    under NumPy's 'same_kind' rule."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{name} must be a numpy.ndarray, got {type(out).__name__}")
    if out.shape != shape:
        raise ValueError(f"{name} has shape {out.shape}, but the result has shape {shape}")
    if not out.flags.writeable:
        raise ValueError(f"{name} is read-only")
    if out.dtype != result_dtype and not np.can_cast(result_dtype, out.dtype, "same_kind"):
        raise TypeError(
            f"{name} has dtype {out.dtype}, which cannot hold {result_dtype} results "
            f"under the 'same_kind' casting rule"
        )


def as_real(v, name):
    """A finite real number (Python or NumPy scalar, or 0-d array) as a float."""
    if type(v) is float:
        f = v
    elif isinstance(v, (bool, np.bool_)) or not (
        isinstance(v, numbers.Real)
        or (isinstance(v, np.ndarray) and v.ndim == 0 and v.dtype.kind in "iuf")
    ):
        raise TypeError(f"{name} must be a real number, got {type(v).__name__}")
    else:
        f = float(v)
    if not math.isfinite(f):
        raise ValueError(f"{name} must be finite, got {f}")
    return f


def as_axis(axis, ndim, name="axis"):
    """A valid axis index for an array of `ndim` dimensions."""
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(axis).__name__}")
    try:
        return normalize_axis_index(int(axis), ndim)
    except Exception:
        raise ValueError(
            f"{name} {axis} is out of bounds for an array of dimension {ndim}"
        ) from None


def as_channel_slopes(alpha, a, axis, name="alpha"):
    """prelu's alpha: (slopes as a float64 1-D array, channel axis or None for one shared slope,
    alpha's shape). A scalar or a single-element array is one slope for all of x; a 1-D array of
    length C is one slope per channel along `axis`, which needs x.shape[axis] == C."""
    if isinstance(alpha, (np.ndarray, list, tuple)):
        arr = alpha if type(alpha) is np.ndarray else np.asarray(alpha)
        if arr.dtype.kind not in "iuf" or arr.dtype.itemsize > 8:
            raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
        if arr.ndim > 1:
            raise ValueError(f"{name} must be a scalar or a 1-D array, got shape {arr.shape}")
        slopes = np.require(arr.reshape(-1), np.float64, "CA")   # contiguous, aligned
        if slopes.size == 0:
            raise ValueError(f"{name} must not be empty")
        if not np.isfinite(slopes).all():
            raise ValueError(f"{name} must be finite")
        if slopes.size == 1:
            return slopes, None, arr.shape
        if a.ndim < 2:
            raise ValueError(
                f"{name} has {slopes.size} per-channel slopes, which needs x.ndim >= 2 "
                f"(channels on axis {axis}); x has shape {a.shape}"
            )
        ax = as_axis(axis, a.ndim)
        if a.shape[ax] != slopes.size:
            raise ValueError(
                f"{name} has {slopes.size} slopes, but x has {a.shape[ax]} channels on axis {ax}"
            )
        return slopes, ax, arr.shape
    return np.array([as_real(alpha, name)]), None, ()


def detach(src, target):
    """`src`, or a copy of it when it overlaps `target` other than element for element
    (an exact alias is fine for elementwise kernels, which read each element before writing it)."""
    if not np.may_share_memory(src, target):
        return src
    if (
        src.__array_interface__["data"][0] == target.__array_interface__["data"][0]
        and src.strides == target.strides
        and src.shape == target.shape
    ):
        return src
    return src.copy()


def rows_view(m, K):
    """A 2-D (rows, K) view of `m` (whose last axis has length K) without copying, or None."""
    R = m.size // K if K else math.prod(m.shape[:-1])
    v = m.view()
    try:
        v.shape = (R, K)
    except AttributeError:
        return None
    return v
