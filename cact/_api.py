"""The public functions: check and coerce the arguments, pick the kernel, run it.

Every elementwise activation of the registry (cact/_registry.py) gets its pair of functions
here, generated from its row: `name(x, <params>, *, out=None)` and `name_grad(x, <params>, *,
grad_output=None, out=None[, y=None])`, with the row's docstring; so does every gated unit
(`name(x, axis=-1, *, out=None)`, its gate's kernels over the two halves). The row functions
(softmax, log_softmax, softmin) and prelu, whose kernels work on rows and channels, are written
out below; their docstrings come from the registry too.

Conventions shared by every function (see README.md):
- dtypes: float32 -> float32, float64 -> float64, float16 and bfloat16 (ml_dtypes') -> computed
  in float32 a block at a time, rounded once to their type; bool and integers -> float64. Other
  dtypes raise TypeError.
- `out=`: a writeable ndarray of the result's shape; the result is cast into it under NumPy's
  'same_kind' rule. It may be x itself or overlap x; the result is as if it did not.
- A 0-d input without `out` gives a NumPy scalar, as NumPy's ufuncs do.
- `<name>_grad(..., grad_output=g)` is the backward step g * f'(x) in one pass; g broadcasts to
  x's shape (NumPy's rules; the result has x's shape); an ndarray g of a wider dtype promotes the
  computation and the result (NumPy's result_type: float32 x with float64 g gives float64), else g
  is cast to x's compute dtype.
"""
import math
import re

import numpy as np

from cact import _containers
from cact._dispatch import kernels as K
from cact._registry import ACTIVATIONS, BY_NAME, KERNEL_INDEX, REQUIRED, kernel_of, required_params
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

FWD, GRAD, BWD = 0, 1, 2
_nd, _ckind, _ccall = np.ndarray, _containers.kind, _containers.call   # pandas, xarray, Dask: _containers
_CONTAINER_NS = {"_nd": _nd, "_ckind": _ckind, "_ccall": _ccall, "_SAME": _containers.SAME,
                 "_GATED_FWD": _containers.GATED_FWD, "_GATED_BWD": _containers.GATED_BWD}
_LEAKY = KERNEL_INDEX["leaky_relu"]
_SFX = {F32: "f32", F64: "f64"}
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
_new, _contig, _nd = K.ew_new, K.ew_contig, K.ew_nd
_FLOATS = (F32, F64)   # the row kernels' own dtypes; float16 and bfloat16 go through K.half_rows
_HR_SOFTMAX, _HR_LOG_SOFTMAX, _HR_GATED = K.HALF_ROWS_KINDS   # K.half_rows' kinds


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


def _run_elementwise(k, op, a, g, t, p0, p1, fresh):
    """Run kernel family k's op (contiguous, else any layout) over a (and g) into t (same shape);
    fresh: t is a new array."""
    a = detach(a, t)
    if g is not None:
        g = detach(g, t)
    if not (_contig(k, op, a, g, t, p0, p1, fresh) or _nd(k, op, a, g, t, p0, p1, fresh)):
        _declined()


def _declined():
    # the checks hand the kernels native, aligned arrays of the compute dtype and a writeable
    # target of their shape, which the any-layout kernels always take
    raise RuntimeError("cact internal error: a kernel declined arrays the checks had prepared")


def _elementwise(k, op, x, p0, p1, grad_output, out, name="x"):
    """Kernel family k's op (FWD, GRAD, or BWD with grad_output) on x, into out or a new array,
    once the kernel module's own new result (_new, tried by the generated functions) declined"""
    if (out is not None and type(x) is np.ndarray and type(out) is np.ndarray and out.dtype is x.dtype
            and (grad_output is None or type(grad_output) is np.ndarray)):
        # out= of x's dtype: the contiguous kernel checks dtype, shape, layout, writeability and
        # overlap, and does nothing otherwise
        if _contig(k, op, x, grad_output, out, p0, p1, False):
            return out
    a, result_dtype = as_input(x, name, grad_output, halves=True)
    g = None if grad_output is None else as_grad_output(grad_output, a, ref=name)
    t = _target(a, out, result_dtype)
    _run_elementwise(k, op, a, g, t, p0, p1, t is not out)
    return _finish(t, out, result_dtype)


def _x_or_y(fn, x, y):
    """The one of x and y given (derivatives that can start from the forward's output y)."""
    if y is None:
        if x is None:
            raise TypeError(f"{fn}() needs x, or y= (the forward's output)")
        return x
    if x is not None:
        raise TypeError(f"{fn}() takes x or y= (the forward's output), not both")
    return y


def _param(v, name, rule):
    """A real parameter that must also keep a rule (rule(value) is a message when it does not)"""
    f = as_real(v, name)
    msg = rule(f)
    if msg:
        raise ValueError(f"{name} {msg}, got {f!r}")
    return f


def _choice(v, name, choices):
    """A string parameter that selects a kernel (gelu's approximate)"""
    if type(v) is str:
        if v in choices:
            return choices[v]
        raise ValueError(f"{name} must be one of {', '.join(repr(c) for c in choices)}, got {v!r}")
    raise TypeError(f"{name} must be a string, one of {', '.join(repr(c) for c in choices)}, got {type(v).__name__}")


# ---- docstrings, from the registry -------------------------------------------------------------

def _doc(act, grad=False):
    """The numpydoc docstring of act's forward (grad False) or derivative, from its registry row:
    summary, Parameters, Returns, Raises, Notes (formula, derivative, conventions) and Examples
    whose outputs are the registry's NumPy reference at the same inputs (doctests: tests/test_docs.py)"""
    name = act.name + ("_grad" if grad else "")
    head = act.summary if not grad else (
        f"Backward step of {act.name}: the gradient with respect to x (both halves, x's shape)." if act.kind == "gated"
        else f"Derivative of {act.name}, or with grad_output=g the backward step g * f'(x) in one pass.")
    params = ["x : array_like",
              "    The input: an ndarray of float32, float64, float16 or bfloat16 (kept), bool or integers\n"
              "    (computed in float64); a pandas, xarray or Dask container gives the same container."]
    if act.kind == "prelu":
        params += ["alpha : float or array_like",
                   "    One slope for all of x, or a 1-D array of one slope per channel along `axis`.",
                   "axis : int, default 1", "    The channel axis of per-channel slopes."]
    for q in act.params:
        if q.choices:
            params += [f"{q.name} : {{{', '.join(repr(c) for c in q.choices)}}}, default {q.default!r}",
                       "    Which form to compute (see Notes)."]
        elif q.name == "axis":
            what = "split into the two halves a and b" if act.kind == "gated" else "along which the rows run"
            params += ["axis : int, default -1", f"    The axis {what}."]
        elif q.default is REQUIRED:
            if act.kind != "prelu":
                params += [f"{q.name} : float", "    A parameter of f (see Notes)."]
        else:
            params += [f"{q.name} : float, default {q.default!r}", "    A parameter of f (see Notes)."]
    if grad:
        shape = "half of x's extent along `axis`" if act.kind == "gated" else "broadcastable to x's shape"
        params += ["grad_output : array_like or float, optional",
                   f"    The gradient of the loss with respect to the output ({shape}). Without it: "
                   + ("ones." if act.kind == "gated" else "the Jacobian." if act.kind == "rows" else "f'(x).")]
        if act.from_y:
            params += ["y : array_like, optional",
                       f"    The forward's output {act.name}(x), instead of x (as PyTorch's backward takes it)."]
    if not (grad and act.kind == "prelu"):
        params += ["out : ndarray, optional",
                   "    Where to write the result (NumPy's 'same_kind' casting); may be x itself."]
    if act.kind == "prelu" and grad:
        returns = ["grad_x : ndarray", "    g * d/dx (or d/dx without grad_output), x's shape.",
                   "grad_alpha : ndarray or float", "    The sum of g * d/dalpha over everything but the channels, alpha's shape."]
    else:
        rshape = ("x's shape with `axis` halved" if act.kind == "gated" and not grad
                  else "x.shape + (x.shape[axis],): the Jacobian, without grad_output" if act.kind == "rows" and grad
                  else "x's shape")
        returns = ["ndarray", f"    The result ({rshape}), in x's dtype (or NumPy's promotion with grad_output), or `out`."]
    raises = ["TypeError", "    An argument of a type or dtype cact cannot compute (complex, object, strings), named.",
              "ValueError", "    A parameter out of its range, or shapes that do not fit, named; nothing is written."]
    notes = [f"f(x) = ``{act.formula}``", "", f"f'(x) = ``{act.derivative}``"]
    if act.from_y and act.from_y_formula:
        notes += ["", f"From the output y: ``{act.from_y_formula}``"]
    for extra in (act.notes, act.grad_notes if grad else ""):
        if extra:
            notes += ["", _prose(extra)]
    text = [_prose(head), "", "Parameters", "----------", *params, "", "Returns", "-------", *returns, "",
            "Raises", "------", *raises, "", "Notes", "-----", *notes]
    example = _example(act, grad, name)
    if example:
        text += ["", "Examples", "--------", ">>> import numpy as np, cact", *example]
    return "\n".join(text)


def _prose(text):
    """registry prose as reStructuredText that also reads as plain text: a call with a bare *
    literal (not emphasis). (The registry writes abs(x), never |x|: a substitution to docutils.)"""
    return re.sub(r"(\w+\([^()]*\*,[^()]*\))", r"``\1``", text)


def _example(act, grad, name):
    """doctest lines: a call and the registry's NumPy reference result at the same inputs"""
    shown = required_params(act)
    args = "".join(f", {k}={v!r}" for k, v in shown.items())
    with np.errstate(all="ignore"):
        if act.kind == "elementwise":
            x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
            ref = act.numpy_grad(x, **shown) if grad else act.numpy(x, **shown)
            lines = [">>> x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])", f">>> cact.{name}(x{args})"]
        elif act.kind == "prelu":
            x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
            ref = act.numpy_grad(x, alpha=0.25) if grad else act.numpy(x, alpha=0.25)
            lines = [">>> x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])"]
            lines += [">>> grad_x, grad_alpha = cact.prelu_grad(x, 0.25)", ">>> grad_x"] if grad else [">>> cact.prelu(x, 0.25)"]
        elif act.kind == "rows":
            x, g = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]), np.array([[1.0, 0.0, -1.0], [0.5, 0.5, 0.0]])
            ref = act.numpy_vjp(x, g) if grad else act.numpy(x)
            lines = [">>> x = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])"]
            lines += [">>> g = np.array([[1.0, 0.0, -1.0], [0.5, 0.5, 0.0]])", f">>> cact.{name}(x, grad_output=g)"] if grad \
                else [f">>> cact.{name}(x)"]
        else:   # gated
            x, g = np.array([[-1.0, 0.5, 2.0, -3.0]]), np.array([[1.0, 2.0]])
            ref = act.numpy_vjp(x, g) if grad else act.numpy(x)
            lines = [">>> x = np.array([[-1.0, 0.5, 2.0, -3.0]])   # halves [-1.0, 0.5] and [2.0, -3.0]"]
            lines += [">>> cact.{}(x, grad_output=np.array([[1.0, 2.0]]))".format(name)] if grad else [f">>> cact.{name}(x)"]
    return lines + repr(np.asarray(ref, np.float64) + 0.0).splitlines()


# ---- the elementwise activations: generated from the registry ---------------------------------

def _kernel_choice(row, choice, ns):
    """The generated body's kernel family `_k` of registry row `row` (an elementwise row, or a gated
    unit's gate): a constant in ns, or (a string parameter `choice`) the line that picks it"""
    if choice is None:
        ns["_k"] = KERNEL_INDEX[kernel_of(row, {})]
        return ""
    ns["_kernels"] = {c: KERNEL_INDEX[kernel_of(row, {choice.name: c})] for c in choice.choices}
    return f"    _k = _choice({choice.name}, {choice.name!r}, _kernels)\n"


def _made(src, ns, act):
    """(forward, derivative): the functions `src` defines in namespace ns, with the row's docstrings"""
    exec(compile(src, f"<cact: {act.name}>", "exec"), ns)
    f, fg = ns[act.name], ns[act.name + "_grad"]
    ns["_f_" + f.__name__], ns["_f_" + fg.__name__] = f, fg   # (for the bodies: a parameter may share the name)
    for fn, grad in ((f, False), (fg, True)):
        fn.__module__ = "cact"
        fn.__doc__ = _doc(act, grad)
    return f, fg


def _elementwise_pair(act):
    """(forward, derivative) functions for a registry row, with the exact signatures of the README"""
    ns = {"_elementwise": _elementwise, "_new": _new, "_x_or_y": _x_or_y, "_real": as_real, "_choice": _choice,
          "_param": _param, "FWD": FWD, "GRAD": GRAD, "BWD": BWD, "_act": act, **_CONTAINER_NS}
    sig = "".join(f", {p.name}" if p.default is REQUIRED else f", {p.name}={p.default!r}" for p in act.params)
    reals = [p for p in act.params if not p.choices]
    choice = next((p for p in act.params if p.choices), None)
    pre = "".join(f"    _p{i} = _param({q.name}, {q.name!r}, _act.params[{act.params.index(q)}].rule)\n"
                  if q.rule else f"    _p{i} = _real({q.name}, {q.name!r})\n" for i, q in enumerate(reals))
    if act.rule is not None:   # a rule on the parameters together (hardtanh: min_val <= max_val)
        pre += f"    _act.rule({', '.join(f'_p{i}' for i in range(len(reals)))})\n"
    p = ", ".join([f"_p{i}" for i in range(len(reals))] + ["0.0"] * (2 - len(reals)))
    pre += _kernel_choice(act, choice, ns)

    params = "".join(f", {q.name}={q.name}" for q in act.params)

    def run(k, op, xa, g="grad_output", name="x", indent="    ", fn=act.name):
        """the body's call: a new result straight from the kernel module (one Python frame less for
        the common call), else a container's adapter, else the checked path"""
        args = f"dict({xa}={xa}{params}{'' if g == 'None' else ', grad_output=grad_output'}, out=out)"
        return (f"{indent}if out is None:\n"
                f"{indent}    r = _new({k}, {op}, {xa}, {g}, {p})\n"
                f"{indent}    if r is not None:\n"
                f"{indent}        return r\n"
                f"{indent}if type({xa}) is not _nd and _ckind({xa}):\n"
                f"{indent}    return _ccall(_f_{fn}, _SAME, {args}, {name!r})\n"
                f"{indent}return _elementwise({k}, {op}, {xa}, {p}, {g}, out, {name!r})\n")

    bwd = "GRAD if grad_output is None else BWD"
    src = f"def {act.name}(x{sig}, *, out=None):\n{pre}" + run("_k", "FWD", "x", g="None")
    fg = act.name + "_grad"
    if act.from_y:
        ns["_ky"] = KERNEL_INDEX[act.from_y]
        src += (f"def {fg}(x=None{sig}, *, grad_output=None, out=None, y=None):\n{pre}"
                f"    if y is None and x is not None:\n" + run("_k", bwd, "x", indent="        ", fn=fg)
                + f"    y = _x_or_y({fg!r}, x, y)\n" + run("_ky", bwd, "y", name="y", fn=fg))
    else:
        src += f"def {fg}(x{sig}, *, grad_output=None, out=None):\n{pre}" + run("_k", bwd, "x", fn=fg)
    return _made(src, ns, act)


# ---- the gated units: generated from the registry, the gate's kernels over the two halves ------

def _gated(act, k, x, axis, grad_output, out, op):
    """The gated unit `act` (gate kernel family k) of x: the forward (op FWD) with half of x's extent
    along axis, or the backward step (BWD) with x's shape, from grad_output (ones when None: the
    gradient of the sum of the outputs)."""
    if type(axis) is int and type(x) is np.ndarray and (axis == -1 or axis == x.ndim - 1):
        r = K.gated_fast(k, op, act.second, x, grad_output, out)   # C-contiguous float32/float64, or None
        if r is None and x.dtype.itemsize == 2:
            r = K.half_rows(_HR_GATED, op, x, grad_output, out, k, act.second)   # float16/bfloat16, or None
        if r is not None:
            return r
    a, result_dtype = as_input(x, "x", grad_output, halves=True)
    if a.ndim == 0:
        raise ValueError(f"{act.name}: x must have at least one dimension (it is split in two along axis)")
    ax = as_axis(axis, a.ndim)
    n2 = a.shape[ax]
    if n2 % 2:
        raise ValueError(f"{act.name}: x has {n2} entries along axis {ax}; it must be even (two halves)")
    half = a.shape[:ax] + (n2 // 2,) + a.shape[ax + 1:]
    P, L = math.prod(a.shape[:ax]), n2 // 2 * math.prod(a.shape[ax + 1:])
    g = None
    if op == BWD:
        g = (np.ones(half, a.dtype) if grad_output is None
             else np.ascontiguousarray(as_grad_output(grad_output, a, shape=half)))
    shape = half if op == FWD else a.shape
    if out is not None:
        check_out(out, shape, result_dtype)
    xc = np.ascontiguousarray(a)
    t = out
    if not (out is not None and out.dtype is a.dtype and out.flags.c_contiguous and out.flags.aligned):
        t = np.empty(shape, a.dtype)
    if np.may_share_memory(t, xc):
        xc = xc.copy()
    if g is not None and np.may_share_memory(t, g):
        g = g.copy()
    x2, g2, t2 = xc.reshape(P, 2 * L), None if g is None else g.reshape(P, L), t.reshape(P, -1)
    if a.dtype in _FLOATS:
        if t.size and K.gated_fast(k, op, act.second, x2, g2, t2) is None:
            _declined()
    elif K.half_rows(_HR_GATED, op, x2, g2, t2, k, act.second) is None:
        _declined()
    return _finish(t, out, result_dtype)


def _gated_pair(act):
    """(forward, backward) for a gated row: `name(x, axis=-1[, <gate's choice>], *, out=None)` and
    `name_grad(x, axis=-1[, ...], *, grad_output=None, out=None)`"""
    choice = next((p for p in act.params if p.choices), None)
    ns = {"_gated": _gated, "_act": act, "_choice": _choice, "FWD": FWD, "BWD": BWD, **_CONTAINER_NS}
    sig = "".join(f", {p.name}={p.default!r}" for p in act.params)
    params = "".join(f", {p.name}={p.name}" for p in act.params)
    pre = _kernel_choice(BY_NAME[act.gate], choice, ns)

    def adapt(fn, shape, g=""):
        return (f"    if type(x) is not _nd and _ckind(x):\n"
                f"        return _ccall(_f_{fn}, {shape}, dict(x=x{params}{g}, out=out))\n")
    src = (f"def {act.name}(x{sig}, *, out=None):\n{pre}" + adapt(act.name, "_GATED_FWD")
           + "    return _gated(_act, _k, x, axis, None, out, FWD)\n"
           f"def {act.name}_grad(x{sig}, *, grad_output=None, out=None):\n{pre}"
           + adapt(act.name + "_grad", "_GATED_BWD", ", grad_output=grad_output")
           + "    return _gated(_act, _k, x, axis, grad_output, out, BWD)\n")
    return _made(src, ns, act)


# ---- prelu and softmax: kernels over channels and rows ------------------------------------------

def _one_slope(alpha):
    """alpha as a float when it is one slope for all of x (a Python int, or an array of one real
    number, at most 1-D), else None (a float alpha: the caller's own test)"""
    if type(alpha) is int:
        return as_real(alpha, "alpha")
    if type(alpha) is np.ndarray and alpha.size == 1 and alpha.ndim <= 1 and alpha.dtype.kind in "iuf" and alpha.dtype.itemsize <= 8:
        return as_real(alpha.item(), "alpha")
    return None


def prelu(x, alpha, *, axis=1, out=None):
    # (per-channel slopes, the other common call, skip the one-slope test with one size check)
    a = (as_real(alpha, "alpha") if type(alpha) is float
         else None if type(alpha) is np.ndarray and alpha.size != 1 else _one_slope(alpha))
    if a is not None:
        # one slope (nn.PReLU's default): leaky_relu's kernels, the same bits as prelu's own
        if out is None:
            r = _new(_LEAKY, FWD, x, None, a, 0.0)
            if r is not None:
                return r
        if type(x) is not _nd and _ckind(x):
            return _ccall(prelu, _containers.PRELU, dict(x=x, alpha=alpha, axis=axis, out=out))
        return _elementwise(_LEAKY, FWD, x, a, 0.0, None, out)
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
    if type(x) is not _nd and _ckind(x):
        return _ccall(prelu, _containers.PRELU, dict(x=x, alpha=alpha, axis=axis, out=out))
    a, result_dtype = as_input(x, halves=True)
    slopes, ax, _ = as_channel_slopes(alpha, a, axis)
    if ax is None:
        t = _target(a, out, result_dtype)
        _run_elementwise(_LEAKY, FWD, a, None, t, float(slopes[0]), 0.0, t is not out)
        return _finish(t, out, result_dtype)
    if out is not None:
        check_out(out, a.shape, result_dtype)
    t = out if (out is not None and out.dtype is a.dtype and out.flags.c_contiguous and out.flags.aligned) else np.empty(a.shape, a.dtype)
    a = np.ascontiguousarray(detach(a, t))
    if a.dtype in _FLOATS:
        _PRELU[a.dtype][0](a, slopes, t, *_channel_dims(a.shape, ax), t is not out)
    elif K.prelu_half(0, a, None, slopes, t, *_channel_dims(a.shape, ax)) is None:   # float16, bfloat16
        _declined()
    return _finish(t, out, result_dtype)


def _channel_dims(shape, ax):
    """(outer, channels, inner) sizes around the channel axis (one channel for all when ax is None)"""
    if ax is None:
        return 1, 1, math.prod(shape)
    return math.prod(shape[:ax]), shape[ax], math.prod(shape[ax + 1:])



def softmax(x, axis=-1, *, out=None):
    if type(x) is np.ndarray and type(axis) is int and x.ndim and (axis == -1 or axis == x.ndim - 1):
        # fast path: a C-contiguous float32/float64 array along its last axis, into a new result
        # (allocated by the kernel module) or an `out` of the same dtype (the kernel checks
        # layouts; rows may be computed in place)
        if x.dtype.itemsize == 2:   # float16, bfloat16 (or None)
            t = K.half_rows(_HR_SOFTMAX, 0, x, None, out)
            if t is not None:
                return t
        elif out is None:
            t = K.softmax_fwd_new(x)
            if t is not None:
                return t
        else:
            kernels = _SOFTMAX.get(x.dtype)
            t = _fast_out(out, x)
            if kernels is not None and t is not None and kernels["fwd"](x, t, x.shape[-1]):
                return t
    elif type(x) is not _nd and _ckind(x):
        return _ccall(softmax, _containers.ROWS, dict(x=x, axis=axis, out=out))
    a, result_dtype = as_input(x, halves=True)
    if a.dtype not in _FLOATS:
        return _rows_run(0, a, None, axis, out, "x", _HR_SOFTMAX)
    ax = as_axis(axis, a.ndim)
    t = _target(a, out, result_dtype)   # any layout, any axis, no copies: x's layout, or out
    if not _SOFTMAX[a.dtype]["fwd_nd"](detach(a, t), t, ax):
        _declined()
    return _finish(t, out, result_dtype)




# ---- derivatives ----------------------------------------------------------------------------

def prelu_grad(x, alpha, *, axis=1, grad_output=None):
    if type(axis) is int:   # the common call: new results allocated by the kernel module, or None
        r = K.prelu_grad_new(x, grad_output, float(alpha) if type(alpha) is int else alpha, axis)
        if r is not None:
            return r
    if type(x) is not _nd and _ckind(x):
        return _ccall(prelu_grad, _containers.PRELU_GRAD, dict(x=x, alpha=alpha, axis=axis, grad_output=grad_output))
    a, result_dtype = as_input(x, "x", grad_output, halves=True)
    slopes, ax, alpha_shape = as_channel_slopes(alpha, a, axis)
    g = None if grad_output is None else np.ascontiguousarray(as_grad_output(grad_output, a))
    gx = np.empty(a.shape, a.dtype)
    if a.dtype in _FLOATS:
        ga = _PRELU[a.dtype][1](np.ascontiguousarray(a), g, slopes, gx, *_channel_dims(a.shape, ax))
    else:   # float16, bfloat16
        ga = K.prelu_half(1, np.ascontiguousarray(a), g, slopes, gx, *_channel_dims(a.shape, ax))
        if ga is None:
            _declined()
    with np.errstate(over="ignore"):  # a sum beyond float32's range is inf, correctly rounded
        galpha = ga.astype(result_dtype).reshape(alpha_shape)
    gx = _finish(gx, None, result_dtype)
    return gx, (galpha[()] if galpha.ndim == 0 else galpha)



def softmax_grad(x=None, axis=-1, *, grad_output=None, out=None, y=None):
    from_y = y is not None or x is None
    src = _x_or_y("softmax_grad", x, y) if from_y else x
    if (type(src) is np.ndarray and type(grad_output) is np.ndarray and type(axis) is int
            and src.ndim and (axis == -1 or axis == src.ndim - 1)):
        # fast path: C-contiguous float32/float64 x (or y) and grad_output, last axis, a new result
        # (allocated by the kernel module) or an out of their dtype (the kernel declines the
        # overlaps it cannot take)
        if src.dtype.itemsize == 2:   # float16, bfloat16 (or None)
            t = K.half_rows(_HR_SOFTMAX, 2 if from_y else 1, src, grad_output, out)
            if t is not None:
                return t
        elif out is None:
            t = K.softmax_bwd_new(src, grad_output, from_y)
            if t is not None:
                return t
        else:
            kernels = _SOFTMAX.get(src.dtype)
            t = _fast_out(out, src)
            if kernels is not None and t is not None and kernels["bwd_y" if from_y else "bwd"](src, grad_output, t, src.shape[-1]):
                return t
    name = "y" if from_y else "x"
    if type(src) is not _nd and _ckind(src):
        return _rows_container(softmax_grad, src, name, axis, grad_output, out)
    a, result_dtype = as_input(src, name, grad_output, halves=grad_output is not None)
    if a.dtype not in _FLOATS:
        return _rows_run(2 if from_y else 1, a, grad_output, axis, out, name, _HR_SOFTMAX)
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
    return _jacobian_out(jac.reshape(np.moveaxis(a, ax, -1).shape + (Kdim,)), ax, out, result_dtype)


# ---- log_softmax and softmin -----------------------------------------------------------------

def _rows_run(op, src, g, axis, out, name, kind=_HR_LOG_SOFTMAX):
    """log_softmax's row kernel (op 0 forward, 1 the backward step from x, 2 from y) along axis: the
    rows contiguous (moved and copied when axis is not the memory's last), into out or a new array;
    so do softmax's in float16 and bfloat16 (kind: which, for K.half_rows)"""
    a, result_dtype = as_input(src, name, g, halves=True)
    ax = as_axis(axis, a.ndim)
    ga = None if g is None else as_grad_output(g, a, ref=name)
    if out is not None:
        check_out(out, a.shape, result_dtype)
    if a.size == 0:
        return _finish(np.empty(a.shape, a.dtype), out, result_dtype)
    Kdim = a.shape[ax]
    target = None
    if out is not None and out.dtype is a.dtype and out.flags.aligned:
        om = np.moveaxis(out, ax, -1)
        if om.flags.c_contiguous:
            target = om
    xm = np.ascontiguousarray(np.moveaxis(a, ax, -1))
    tm = target if target is not None else np.empty(xm.shape, a.dtype)
    x2, t2 = xm.reshape(-1, Kdim), tm.reshape(-1, Kdim)
    x2 = detach(x2, t2)
    g2 = None
    if ga is not None:
        g2 = detach(np.ascontiguousarray(np.moveaxis(ga, ax, -1)).reshape(-1, Kdim), t2)
    r = K.log_softmax_rows(op, x2, g2, t2) if a.dtype in _FLOATS else K.half_rows(kind, op, x2, g2, t2)
    if r is None:
        _declined()
    if target is not None:
        return out
    res = np.moveaxis(tm, -1, ax)
    if out is None:
        return _finish(np.ascontiguousarray(res), None, result_dtype)
    np.copyto(out, res, casting="same_kind")
    return out


def _rows_fast(op, src, g, axis, out):
    """the kernel module's own call for C-contiguous float32/float64 along the last axis (a new
    result, or out of the same dtype and layout), or None"""
    if type(src) is np.ndarray and type(axis) is int and src.ndim and (axis == -1 or axis == src.ndim - 1):
        if src.dtype.itemsize == 2:   # float16, bfloat16 (or None)
            return K.half_rows(_HR_LOG_SOFTMAX, op, src, g, out)
        return K.log_softmax_rows(op, src, g, out)
    return None


def log_softmax(x, axis=-1, *, out=None):
    r = _rows_fast(0, x, None, axis, out)
    if r is not None:
        return r
    if type(x) is not _nd and _ckind(x):
        return _ccall(log_softmax, _containers.ROWS, dict(x=x, axis=axis, out=out))
    return _rows_run(0, x, None, axis, out, "x")


def log_softmax_grad(x=None, axis=-1, *, grad_output=None, out=None, y=None):
    from_y = y is not None or x is None
    src = _x_or_y("log_softmax_grad", x, y) if from_y else x
    name = "y" if from_y else "x"
    if grad_output is not None:
        r = _rows_fast(2 if from_y else 1, src, grad_output, axis, out)
        if r is not None:
            return r
    if type(src) is not _nd and _ckind(src):
        return _rows_container(log_softmax_grad, src, name, axis, grad_output, out)
    if grad_output is not None:
        return _rows_run(2 if from_y else 1, src, grad_output, axis, out, name)
    # the Jacobian J[..., i, j] = delta_ij - p_j: p = softmax(x) (from y: exp(y)), the diagonal
    # 1 - p_i as -expm1(y_i), without cancellation
    a, result_dtype = as_input(src, name)
    ax = as_axis(axis, a.ndim)
    Kdim = a.shape[ax]
    if out is not None:
        check_out(out, a.shape + (Kdim,), result_dtype)
    ym = np.moveaxis(a if from_y else log_softmax(a, ax), ax, -1)
    jac = np.empty(ym.shape + (Kdim,), a.dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        jac[...] = -(np.exp(ym) if from_y else np.moveaxis(softmax(a, ax), ax, -1))[..., None, :]
        np.einsum("...ii->...i", jac)[...] = -np.expm1(ym)
    return _jacobian_out(jac, ax, out, result_dtype)


def softmin(x, axis=-1, *, out=None):
    if type(x) is not _nd and _ckind(x):
        return _ccall(softmin, _containers.ROWS, dict(x=x, axis=axis, out=out))
    a, result_dtype = as_input(x, halves=True)
    ax = as_axis(axis, a.ndim)
    t = _target(a, out, result_dtype)
    np.negative(a, out=t)
    softmax(t, ax, out=t)
    return _finish(t, out, result_dtype)


def softmin_grad(x=None, axis=-1, *, grad_output=None, out=None, y=None):
    # softmin(x) = softmax(-x): its derivatives are softmax's at -x (or at y), negated
    from_y = y is not None or x is None
    src = _x_or_y("softmin_grad", x, y) if from_y else x
    name = "y" if from_y else "x"
    if type(src) is not _nd and _ckind(src):
        return _rows_container(softmin_grad, src, name, axis, grad_output, out)
    a, result_dtype = as_input(src, name, grad_output, halves=grad_output is not None)
    as_axis(axis, a.ndim)
    kw = {"y": a} if from_y else {"x": np.negative(a)}
    if grad_output is None:
        jac = softmax_grad(axis=axis, **kw)
        np.negative(jac, out=jac)
        if out is not None:
            check_out(out, jac.shape, result_dtype)
        return _finish(jac, out, result_dtype)
    g = as_grad_output(grad_output, a, ref=name)
    t = _target(a, out, result_dtype)
    softmax_grad(axis=axis, grad_output=g, out=t, **kw)
    np.negative(t, out=t)
    return _finish(t, out, result_dtype)


def _rows_container(fn, src, name, axis, grad_output, out):
    """a row-wise derivative of a pandas/xarray/Dask x (or y: `name`) through its container's adapter"""
    return _ccall(fn, _containers.ROWS, {name: src, "axis": axis, "grad_output": grad_output, "out": out}, name)


def _jacobian_out(jac, ax, out, result_dtype):
    """a Jacobian built with the row axis last ([..., i, j]) with i moved back to `ax` (out: checked)"""
    jac = np.moveaxis(jac, -2, ax)
    return _finish(np.ascontiguousarray(jac) if out is None else jac, out, result_dtype)


# ---- softmax plumbing -------------------------------------------------------------------------

def _rows(a, ax):
    """a with `ax` moved last, as a 2-D (rows, K) array (a view when possible, else a copy)."""
    m = np.moveaxis(a, ax, -1)
    v = rows_view(m, m.shape[-1])
    return v if v is not None else rows_view(np.ascontiguousarray(m), m.shape[-1])




# ---- the public functions, in the registry's order ---------------------------------------------
_WRITTEN = {"prelu": (prelu, prelu_grad), "softmax": (softmax, softmax_grad),
            "log_softmax": (log_softmax, log_softmax_grad), "softmin": (softmin, softmin_grad)}
_MADE = {"elementwise": _elementwise_pair, "gated": _gated_pair}
PUBLIC = {}
for _act in ACTIVATIONS:
    _pair = _MADE[_act.kind](_act) if _act.kind in _MADE else _WRITTEN[_act.name]
    for _fn, _grad in zip(_pair, (False, True)):
        if _act.kind not in _MADE:
            _fn.__module__ = "cact"
            _fn.__doc__ = _doc(_act, _grad)
        PUBLIC[_fn.__name__] = _fn
del _act, _pair, _fn, _grad
