"""The registry: the one place that says which activations cact has.

Each activation is one `Activation` row here and its point math in `cact/kernels/math/<header>.h`
(value, derivative and backward at a point or on a block, float32 and float64). Everything else
is driven by the rows: the public functions and `__all__` (cact/_api.py), the C kernel table
(setup.py generates its list from KERNELS), the thread and stream policies, `python -m cact
bench`, the asv suite, tools/accuracy.py and the tests (tests/test_registry.py fails when a row
lacks a reference, a sweep, a bench or asv row, or a README table row).

This module imports nothing from cact and no optional package, so that setup.py can read it
before anything is built; mpmath and torch references take the module as their first argument.
"""
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

REQUIRED = object()


@dataclass(frozen=True)
class Kernel:
    """One family of elementwise C kernels, `cact_ew_<name>_<op>_<f32|f64>`, defined (with its
    point math) in kernels/math/<header>.h, and the policy its drivers follow."""
    name: str
    header: str
    forward: bool = True            # False: derivative and backward only (from the output y)
    serial: tuple = (8192, 8192)    # run on one thread up to this many elements (float32, float64):
                                    # tools/tune_threads.py measures where two threads start to win
    stream_mb: Optional[tuple] = None   # outputs from this many MB written by non-temporal stores,
                                        # (AVX-512 build on an Intel CPU, others or None);
                                        # tools/stream_bench.py
    steal: bool = False             # threads finish each other's pieces (compute-bound loops)
    exact: bool = False             # values exact and derivatives 0 or 1 in float32 too (relu):
                                    # gated units then need no underflow guard (kernels/math/gated.h)
    half: bool = False              # the header has its own float16 / bfloat16 blocks
                                    # (cact_ew_<name>_<op>_<f16|bf16>, on the values' bits); else
                                    # the generic ones widen chunks to float32 (isa.c)


@dataclass(frozen=True)
class Param:
    name: str
    default: object = REQUIRED
    choices: tuple = ()             # a string parameter: its values (each selects a kernel)
    rule: Optional[Callable] = None   # rule(value): None, or what is wrong ("must be >= 0")


@dataclass(frozen=True)
class Activation:
    """A public activation: `name(x, <params>, *, out=None)` and `name_grad(...)`."""
    name: str
    kind: str                       # "elementwise" | "rows" (softmax and kin) | "gated" | "prelu"
    summary: str                    # the docstring's first line
    formula: str                    # f(x), for the README table and the docstring
    derivative: str                 # f'(x)
    params: tuple = ()
    kernel: object = None           # elementwise: a Kernel name, or {choice: Kernel name}
    from_y: Optional[str] = None    # the derivative from the output y: its Kernel (or "rows")
    from_y_formula: str = ""
    notes: str = ""                 # conventions beyond the formula (the docstring's body)
    grad_notes: str = ""            # the same for the derivative
    # references: mpmath (exact: 60 digits) and NumPy's plain one-liners (the bench's baseline)
    mp: Optional[Callable] = None           # (mpmath, x, *params) -> f(x)
    mp_grad: Optional[Callable] = None      # (mpmath, x, *params) -> f'(x)
    numpy: Optional[Callable] = None        # (x, **params) -> f(x), NumPy
    numpy_grad: Optional[Callable] = None   # (x, **params) -> f'(x), NumPy
    numpy_grad_y: Optional[Callable] = None   # (y, **params) -> f'(x) from y = f(x)
    mp_grad_y: Optional[Callable] = None      # (mpmath, y) -> f'(x) from y = f(x), exact in the y given
    torch: Optional[Callable] = None        # (torch, t, **params) -> f(t)
    torch_bwd: Optional[Callable] = None    # (torch, g, t, y, **params) -> g * f'(t), aten's kernel
    limits: dict = field(default_factory=dict)   # {+inf / -inf: (f, f')} at every test_params entry
    kinks: dict = field(default_factory=dict)    # {x: f'(x)} where f' jumps: PyTorch's convention, at
                                                 # every test_params entry
    test_params: tuple = ({},)              # keyword parameters the tests and the sweeps use
    bench_params: dict = field(default_factory=dict)
    torch_rtol: Optional[float] = None   # where PyTorch's float64 result is known to be less exact
    # further peers of the bench (python -m cact bench --peers): ONNX Runtime's forward as ONNX
    # nodes, g.node(op, inputs, outputs, **attributes) and g.const(value) -> its name; JAX's
    # function (the bench takes its backward from jax.vjp)
    onnx: Optional[Callable] = None         # (g, x, y, **params) -> None: nodes from input x to output y
    jax: Optional[Callable] = None          # (jax, x, **params) -> f(x)
    rule: Optional[Callable] = None   # rule(*real parameters): raises ValueError naming them
    # rows and gated units: the backward step (vector-Jacobian product) in NumPy, from x and from y
    numpy_vjp: Optional[Callable] = None      # (x, g, **params) -> g J(x)
    numpy_vjp_y: Optional[Callable] = None    # (y, g, **params) -> g J from the output y (rows)
    mp_vjp: Optional[Callable] = None         # rows: (mpmath, row, g_row) -> g J of one row
    mp_vjp_y: Optional[Callable] = None       # rows: (mpmath, y_row, g_row) -> the same from the y given
    mp_vjp_terms: Optional[Callable] = None   # rows: (mpmath, row, g_row) -> the size of the terms each
                                              # VJP entry is the difference of (its error bound's scale)
    # gated units: the elementwise row whose function gates one half (its mpmath, NumPy and kernels
    # are the gate's), and whether the gate acts on the second half (glu) or the first
    gate: Optional[str] = None
    second: bool = False


# ---- the kernel families (their order is the C table's) ------------------------------------------
KERNELS = (
    Kernel("sigmoid", "sigmoid.h", serial=(8192, 1024), stream_mb=(24, None), steal=True),
    Kernel("sigmoid_y", "sigmoid.h", forward=False, serial=(16384, 16384), stream_mb=(3, 16)),
    Kernel("relu", "relu.h", serial=(32768, 16384), stream_mb=(3, 16), exact=True, half=True),
    Kernel("leaky_relu", "relu.h", serial=(16384, 16384), stream_mb=(3, 16)),
    Kernel("elu", "elu.h", serial=(4096, 8192), steal=True),
    Kernel("gelu_tanh", "gelu.h", serial=(2048, 512), steal=True),
    Kernel("gelu_erf", "gelu.h", serial=(512, 512), steal=True),
    Kernel("tanh", "tanh.h", serial=(4096, 2048), steal=True),
    Kernel("tanh_y", "tanh.h", forward=False, serial=(16384, 16384), stream_mb=(3, 16)),
    Kernel("silu", "silu.h", serial=(8192, 1024), steal=True),
    Kernel("mish", "silu.h", serial=(2048, 512), steal=True),
    Kernel("softsign", "softsign.h", serial=(8192, 4096), steal=True),
    Kernel("selu", "elu.h", serial=(4096, 8192), steal=True),
    Kernel("celu", "elu.h", serial=(4096, 8192), steal=True),
    Kernel("relu6", "piecewise.h", serial=(32768, 16384), stream_mb=(3, 16)),
    Kernel("hardtanh", "piecewise.h", serial=(32768, 16384), stream_mb=(3, 16)),
    Kernel("hardsigmoid", "piecewise.h", serial=(32768, 16384), stream_mb=(3, 16)),
    Kernel("hardswish", "piecewise.h", serial=(32768, 16384), stream_mb=(3, 16)),
    Kernel("threshold", "piecewise.h", serial=(32768, 16384), stream_mb=(3, 16)),
    Kernel("softshrink", "piecewise.h", serial=(32768, 16384), stream_mb=(3, 16)),
    Kernel("hardshrink", "piecewise.h", serial=(32768, 16384), stream_mb=(3, 16)),
    Kernel("softplus", "softplus.h", serial=(2048, 1024), steal=True),
    Kernel("log_sigmoid", "softplus.h", serial=(2048, 1024), steal=True),
    Kernel("tanhshrink", "tanh.h", serial=(2048, 1024), steal=True),
)
KERNEL_INDEX = {k.name: i for i, k in enumerate(KERNELS)}

# Row kernels (softmax, softmax from y, prelu): serial up to this many elements in all
ROWS_SERIAL = {"softmax": (4096, 1024), "softmax_y": (16384, 16384), "prelu": (16384, 16384)}
# their outputs streamed from (AVX-512 MB, AVX2 MB or None): prelu's float32 forward, softmax's
# backward from y
ROWS_STREAM_MB = {"prelu": (3, None), "softmax_y": (16, None)}


def _sig(mp, u):
    return 1 / (1 + mp.exp(-u))


_GELU_B = np.sqrt(2 / np.pi)


def _gelu_u(mp, x):
    return 2 * mp.sqrt(2 / mp.pi) * (x + mp.mpf("0.044715") * x**3)


def _np_gelu_tanh_grad(x):
    c = x.dtype.type(_GELU_B)
    t = np.tanh(c * (x + 0.044715 * x**3))
    return 0.5 * (1 + t) + 0.5 * x * (1 - t**2) * c * (1 + 3 * 0.044715 * x**2)


def _np_gelu_erf(x):
    from math import erf
    v = np.vectorize(lambda u: 0.5 * u * (1 + erf(u / np.sqrt(2))), otypes=[np.float64])
    return v(x).astype(x.dtype)


def _np_gelu_erf_grad(x):
    from math import erf
    v = np.vectorize(lambda u: 0.5 * (1 + erf(u / np.sqrt(2))) + u * np.exp(-u * u / 2) / np.sqrt(2 * np.pi),
                     otypes=[np.float64])
    return v(x).astype(x.dtype)


def _np_sigmoid_grad(x):
    s = 1 / (1 + np.exp(-x))
    return s * (1 - s)


def _mp_softmax(mp, row):
    m = max(mp.mpf(float(v)) for v in row)
    e = [mp.exp(mp.mpf(float(v)) - m) if np.isfinite(v) else mp.mpf(0) for v in row]
    s = mp.fsum(e)
    return [v / s for v in e]


_SELU_ALPHA_DIGITS, _SELU_SCALE_DIGITS = "1.6732632423543772848170429916717", "1.0507009873554804934193349852946"
_SELU_ALPHA, _SELU_SCALE = float(_SELU_ALPHA_DIGITS), float(_SELU_SCALE_DIGITS)
_SELU_SA = 1.7580993408473768599402175208123   # scale * alpha, correctly rounded


def _np_silu_grad(x):
    s = 1 / (1 + np.exp(-x))
    return s * (1 + x * (1 - s))


def _np_mish_grad(x):
    sp = np.log1p(np.exp(x))
    t = np.tanh(sp)
    return t + x * (1 / (1 + np.exp(-x))) * (1 - t * t)


def _mp_mish(mp, x):
    return x * mp.tanh(mp.log1p(mp.exp(x)))


def _mp_mish_grad(mp, x):
    sp = mp.log1p(mp.exp(x))
    return mp.tanh(sp) + x / (1 + mp.exp(-x)) / mp.cosh(sp) ** 2


def _mp_selu(mp, x, grad=False):
    scale, alpha = mp.mpf(_SELU_SCALE_DIGITS), mp.mpf(_SELU_ALPHA_DIGITS)
    if grad:
        return scale * (1 if x > 0 else alpha * mp.exp(x))
    return scale * (x if x > 0 else alpha * mp.expm1(x))


def _flag(cond, x):
    """1 where cond, else 0, in x's dtype (a plain NumPy derivative of a piecewise-linear function)"""
    return cond.astype(x.dtype)


def _positive(v):
    return None if v > 0 else "must be > 0"


def _nonnegative(v):
    return None if v >= 0 else "must be >= 0"


def _ordered(lo, hi):
    if lo > hi:
        raise ValueError(f"min_val ({lo!r}) must not be greater than max_val ({hi!r})")


_LOGSIG_BUFFERS = {}


def _torch_log_sigmoid_backward(torch, g, t):
    """aten.log_sigmoid_backward needs the forward's buffer: made once per input tensor"""
    key = (t.data_ptr(), t.shape, t.dtype)
    if key not in _LOGSIG_BUFFERS:
        _LOGSIG_BUFFERS.clear()
        _LOGSIG_BUFFERS[key] = torch.ops.aten.log_sigmoid_forward(t)[1]
    return torch.ops.aten.log_sigmoid_backward(g, t, _LOGSIG_BUFFERS[key])


def _mp_tanhshrink(mp, x):
    """x - tanh x without the cancellation that would need 2 log10(1/abs(x)) more digits"""
    if abs(x) < mp.mpf("1e-4"):
        return x**3 / 3 - 2 * x**5 / 15 + 17 * x**7 / 315
    with mp.workdps(mp.mp.dps + 20):
        return +(x - mp.tanh(x))


def _np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _np_log_softmax(x, axis=-1):
    d = x - x.max(axis=axis, keepdims=True)
    return d - np.log(np.exp(d).sum(axis=axis, keepdims=True))


def _np_softmax_vjp_y(y, g, axis=-1):
    return y * (g - (g * y).sum(axis=axis, keepdims=True))


def _mp_softmax_vjp(mp, row, grow):
    y = _mp_softmax(mp, row)
    dot = mp.fsum(mp.mpf(float(gi)) * yi for gi, yi in zip(grow, y))
    return [yi * (mp.mpf(float(gi)) - dot) for gi, yi in zip(grow, y)]


def _mp_vjp_y(mp, y, g):
    """softmax's y (g - sum(g y)) in the y given"""
    y, g = [mp.mpf(float(v)) for v in y], [mp.mpf(float(v)) for v in g]
    dot = mp.fsum(gi * yi for gi, yi in zip(g, y))
    return [yi * (gi - dot) for gi, yi in zip(g, y)]


def _mp_softmax_terms(mp, row, grow):
    """y_i (|g_i| + |sum(g y)|): the terms of y_i (g_i - sum(g y))"""
    y = _mp_softmax(mp, row)
    dot = mp.fsum(mp.mpf(float(gi)) * yi for gi, yi in zip(grow, y))
    return [yi * (abs(mp.mpf(float(gi))) + abs(dot)) for gi, yi in zip(grow, y)]


def _mp_log_softmax(mp, row):
    m = max(mp.mpf(float(v)) for v in row)
    L = mp.log(mp.fsum(mp.exp(mp.mpf(float(v)) - m) for v in row if np.isfinite(v)))
    return [mp.mpf(float(v)) - m - L if np.isfinite(v) else mp.mpf(float(v)) for v in row]


def _mp_log_softmax_vjp(mp, row, grow):
    S = mp.fsum(mp.mpf(float(gi)) for gi in grow)
    return [mp.mpf(float(gi)) - p * S for gi, p in zip(grow, _mp_softmax(mp, row))]


def _halves(x, axis):
    """the two halves of x along axis (gated units)"""
    return np.split(x, 2, axis=axis)


def _np_gated(name, x, axis=-1, **kw):
    act = BY_NAME[name]
    a, b = _halves(x, axis)
    gate = BY_NAME[act.gate]
    return a * gate.numpy(b, **kw) if act.second else gate.numpy(a, **kw) * b


def _np_gated_vjp(name, x, g, axis=-1, **kw):
    act = BY_NAME[name]
    a, b = _halves(x, axis)
    gate = BY_NAME[act.gate]
    u, v = (b, a) if act.second else (a, b)
    du, dv = g * v * gate.numpy_grad(u, **kw), g * gate.numpy(u, **kw)
    return np.concatenate((dv, du) if act.second else (du, dv), axis=axis)


_GATED_SAVED = {}


def _torch_gated(name, torch, t, axis=-1, **kw):
    """act(u) * v as PyTorch users write it: two ops on t.chunk(2, axis)"""
    act = BY_NAME[name]
    gate = BY_NAME[act.gate]
    a, b = t.chunk(2, axis)
    return a * gate.torch(torch, b, **kw) if act.second else gate.torch(torch, a, **kw) * b


def _torch_gated_bwd(name, torch, g, t, y, axis=-1, **kw):
    """PyTorch's autograd backward of _torch_gated: the gate's aten backward of g v, g times the
    forward's saved act(u), and the cat that chunk's backward is"""
    act = BY_NAME[name]
    gate = BY_NAME[act.gate]
    a, b = t.chunk(2, axis)
    u, v = (b, a) if act.second else (a, b)
    key = (name, t.data_ptr(), t.shape, t.dtype, axis, tuple(sorted(kw.items())))
    if key not in _GATED_SAVED:   # the forward's saved activation, made once per input
        _GATED_SAVED.clear()
        _GATED_SAVED[key] = gate.torch(torch, u, **kw)
    du = gate.torch_bwd(torch, g * v, u, None, **kw)
    dv = g * _GATED_SAVED[key]
    return torch.cat((dv, du) if act.second else (du, dv), axis)


def _gated_row(name, summary, formula, derivative, gate, notes, second=False, choice=None, torch=None,
               torch_bwd=None):
    """A gated unit's row: its references are its gate's (NumPy's and PyTorch's as users write it:
    two ops on the halves, and their autograd's backward), unless given"""
    params = (Param("axis", -1),) + ((choice,) if choice else ())
    tests = [{"axis": -1}] if choice is None else [{"axis": -1, choice.name: c} for c in choice.choices]
    return Activation(
        name, "gated", f"{summary}, a and b the first and second halves of x along `axis`.", formula, derivative,
        params=params, gate=gate, second=second, notes=notes,
        numpy=lambda x, axis=-1, **kw: _np_gated(name, x, axis, **kw),
        numpy_vjp=lambda x, g, axis=-1, **kw: _np_gated_vjp(name, x, g, axis, **kw),
        torch=torch or (lambda torch, t, axis=-1, **kw: _torch_gated(name, torch, t, axis, **kw)),
        onnx=lambda g, x, y, axis=-1, **kw: (
            g.node("Split", [x], ["a", "b"], axis=axis, num_outputs=2),
            BY_NAME[gate].onnx(g, "b" if second else "a", "h", **kw), g.node("Mul", ["h", "a" if second else "b"], [y])),
        jax=lambda jax, x, axis=-1, **kw: (lambda a, b: BY_NAME[gate].jax(jax, b if second else a, **kw) * (a if second else b))(
            *jax.numpy.split(x, 2, axis)),
        torch_bwd=torch_bwd or (lambda torch, g, t, y, axis=-1, **kw: _torch_gated_bwd(name, torch, g, t, y, axis, **kw)),
        test_params=tuple(tests),
    )


_INF = float("inf")

# ---- the activations ----------------------------------------------------------------------------
ACTIVATIONS = (
    Activation(
        "sigmoid", "elementwise", "Logistic sigmoid, 1 / (1 + exp(-x)).",
        "1 / (1 + e^-x)", "s (1 - s)",
        kernel="sigmoid", from_y="sigmoid_y", from_y_formula="y (1 - y)",
        notes="Computed as 1/(1+e) or e/(1+e) with e = exp(-abs(x)): no overflow, no cancellation.",
        mp=lambda mp, x: _sig(mp, x), mp_grad=lambda mp, x: _sig(mp, x) * _sig(mp, -x),
        numpy=lambda x: 1 / (1 + np.exp(-x)),
        numpy_grad=lambda x: _np_sigmoid_grad(x),
        numpy_grad_y=lambda y: y * (1 - y), mp_grad_y=lambda mp, y: y * (1 - y),
        onnx=lambda g, x, y: g.node("Sigmoid", [x], [y]),
        jax=lambda jax, x: jax.nn.sigmoid(x),
        torch=lambda torch, t: torch.sigmoid(t),
        torch_bwd=lambda torch, g, t, y: torch.ops.aten.sigmoid_backward(g, y),
        limits={_INF: (1.0, 0.0), -_INF: (0.0, 0.0)},
    ),
    Activation(
        "relu", "elementwise", "Rectified linear unit, max(0, x); NaN stays NaN.",
        "max(0, x)", "1 if x > 0 else 0",
        kernel="relu",
        notes="The derivative is 0 at x = 0, as PyTorch's.",
        mp=lambda mp, x: max(x, mp.mpf(0)), mp_grad=lambda mp, x: mp.mpf(1) if x > 0 else mp.mpf(0),
        numpy=lambda x: np.maximum(0, x),
        numpy_grad=lambda x: (x > 0).astype(x.dtype),
        onnx=lambda g, x, y: g.node("Relu", [x], [y]),
        jax=lambda jax, x: jax.nn.relu(x),
        torch=lambda torch, t: torch.relu(t),
        torch_bwd=lambda torch, g, t, y: torch.ops.aten.threshold_backward(g, t, 0),
        limits={_INF: (_INF, 1.0), -_INF: (0.0, 0.0)}, kinks={0.0: 0.0},
    ),
    Activation(
        "leaky_relu", "elementwise", "Leaky ReLU: x if x > 0 else alpha * x (any alpha, also alpha > 1).",
        "x if x > 0 else alpha x", "1 if x > 0 else alpha",
        params=(Param("alpha", 0.01),), kernel="leaky_relu",
        notes="The derivative is alpha at x = 0, as PyTorch's.",
        mp=lambda mp, x, alpha=0.01: x if x > 0 else mp.mpf(alpha) * x,
        mp_grad=lambda mp, x, alpha=0.01: mp.mpf(1) if x > 0 else mp.mpf(alpha),
        numpy=lambda x, alpha=0.01: np.maximum(alpha * x, x),
        numpy_grad=lambda x, alpha=0.01: np.where(x > 0, 1.0, alpha).astype(x.dtype),
        onnx=lambda g, x, y, alpha=0.01: g.node("LeakyRelu", [x], [y], alpha=alpha),
        jax=lambda jax, x, alpha=0.01: jax.nn.leaky_relu(x, alpha),
        torch=lambda torch, t, alpha=0.01: torch.nn.functional.leaky_relu(t, alpha),
        torch_bwd=lambda torch, g, t, y, alpha=0.01: torch.ops.aten.leaky_relu_backward(g, t, alpha, False),
        limits={_INF: (_INF, 1.0), -_INF: (-_INF, 0.2)}, kinks={0.0: 0.2},
        test_params=({"alpha": 0.2},),
    ),
    Activation(
        "elu", "elementwise", "Exponential linear unit: x if x > 0 else alpha * (exp(x) - 1).",
        "x if x > 0 else alpha (e^x - 1)", "1 if x > 0 else alpha e^x",
        params=(Param("alpha", 1.0),), kernel="elu",
        notes="Computed with expm1 (no cancellation near 0). The derivative is alpha at x = 0, as PyTorch's.",
        mp=lambda mp, x, alpha=1.0: x if x > 0 else mp.mpf(alpha) * mp.expm1(x),
        mp_grad=lambda mp, x, alpha=1.0: mp.mpf(1) if x > 0 else mp.mpf(alpha) * mp.exp(x),
        numpy=lambda x, alpha=1.0: np.where(x >= 0, x, alpha * (np.exp(x) - 1)),
        numpy_grad=lambda x, alpha=1.0: np.where(x > 0, 1.0, alpha * np.exp(x)).astype(x.dtype),
        onnx=lambda g, x, y, alpha=1.0: g.node("Elu", [x], [y], alpha=alpha),
        jax=lambda jax, x, alpha=1.0: jax.nn.elu(x, alpha),
        torch=lambda torch, t, alpha=1.0: torch.nn.functional.elu(t, alpha),
        torch_bwd=lambda torch, g, t, y, alpha=1.0: torch.ops.aten.elu_backward(g, alpha, 1.0, 1.0, False, t),
        limits={_INF: (_INF, 1.0), -_INF: (-1.5, 0.0)}, kinks={0.0: 1.5},
        test_params=({"alpha": 1.5},),
    ),
    Activation(
        "gelu", "elementwise", "Gaussian error linear unit.",
        "tanh: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))); none: x Phi(x)",
        "tanh: 0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2); none: Phi(x) + x phi(x)",
        params=(Param("approximate", "tanh", choices=("tanh", "none")),),
        kernel={"tanh": "gelu_tanh", "none": "gelu_erf"},
        notes=('approximate="tanh" (the default) is computed as x * sigmoid(2z), which does not cancel for '
               'negative x; "none" is the exact x * Phi(x), Phi the standard normal CDF, computed with erfc. '
               "PyTorch's default is \"none\", JAX's the tanh form."),
        mp=lambda mp, x, approximate="tanh": (
            x * _sig(mp, _gelu_u(mp, x)) if approximate == "tanh"
            else (x if x > 50 else (mp.mpf(0) if x < -50 else x * mp.ncdf(x)))),
        mp_grad=lambda mp, x, approximate="tanh": (
            _sig(mp, _gelu_u(mp, x)) + x * _sig(mp, _gelu_u(mp, x)) * _sig(mp, -_gelu_u(mp, x))
            * 2 * mp.sqrt(2 / mp.pi) * (1 + 3 * mp.mpf("0.044715") * x**2) if approximate == "tanh"
            else (mp.mpf(1) if x > 50 else (mp.mpf(0) if x < -50 else mp.ncdf(x) + x * mp.npdf(x)))),
        numpy=lambda x, approximate="tanh": (
            0.5 * x * (1 + np.tanh(x.dtype.type(_GELU_B) * (x + 0.044715 * x**3))) if approximate == "tanh"
            else _np_gelu_erf(x)),
        numpy_grad=lambda x, approximate="tanh": (
            _np_gelu_tanh_grad(x) if approximate == "tanh" else _np_gelu_erf_grad(x)),
        onnx=lambda g, x, y, approximate="tanh": g.node("Gelu", [x], [y], approximate=approximate),
        jax=lambda jax, x, approximate="tanh": jax.nn.gelu(x, approximate=approximate == "tanh"),
        torch=lambda torch, t, approximate="tanh": torch.nn.functional.gelu(t, approximate=approximate),
        torch_bwd=lambda torch, g, t, y, approximate="tanh": torch.ops.aten.gelu_backward(g, t, approximate=approximate),
        limits={_INF: (_INF, 1.0), -_INF: (0.0, 0.0)},
        test_params=({"approximate": "tanh"}, {"approximate": "none"}),
    ),
    Activation(
        "tanh", "elementwise", "Hyperbolic tangent.",
        "tanh(x)", "1 - t^2",
        kernel="tanh", from_y="tanh_y", from_y_formula="1 - y^2",
        notes="Odd and exact in sign; computed from expm1(-2 abs(x)), so it does not cancel near 0.",
        mp=lambda mp, x: mp.tanh(x), mp_grad=lambda mp, x: 1 / mp.cosh(x) ** 2,
        numpy=lambda x: np.tanh(x),
        numpy_grad=lambda x: 1 - np.tanh(x) ** 2,
        numpy_grad_y=lambda y: 1 - y * y, mp_grad_y=lambda mp, y: 1 - y * y,
        onnx=lambda g, x, y: g.node("Tanh", [x], [y]),
        jax=lambda jax, x: jax.numpy.tanh(x),
        torch=lambda torch, t: torch.tanh(t),
        torch_bwd=lambda torch, g, t, y: torch.ops.aten.tanh_backward(g, y),
        limits={_INF: (1.0, 0.0), -_INF: (-1.0, 0.0)},
    ),
    Activation(
        "silu", "elementwise", "SiLU (swish): x * sigmoid(x).",
        "x s(x)", "s (1 + x (1 - s))",
        kernel="silu",
        notes="Computed as x / (1 + e^-x) or x e^x / (1 + e^x): no overflow, subnormal results rounded once.",
        mp=lambda mp, x: x * _sig(mp, x), mp_grad=lambda mp, x: _sig(mp, x) * (1 + x * _sig(mp, -x)),
        numpy=lambda x: x / (1 + np.exp(-x)), numpy_grad=_np_silu_grad,
        onnx=lambda g, x, y: (g.node("Sigmoid", [x], ["s"]), g.node("Mul", [x, "s"], [y])),
        jax=lambda jax, x: jax.nn.silu(x),
        torch=lambda torch, t: torch.nn.functional.silu(t),
        torch_bwd=lambda torch, g, t, y: torch.ops.aten.silu_backward(g, t),
        limits={_INF: (_INF, 1.0), -_INF: (0.0, 0.0)},
    ),
    Activation(
        "mish", "elementwise", "Mish: x * tanh(softplus(x)).",
        "x tanh(log(1 + e^x))", "tanh(sp) + x s(x) sech^2(sp), sp = softplus(x)",
        kernel="mish",
        notes="tanh(softplus(x)) is computed as the rational n / (n + 2), n = e^x (e^x + 2): no log, no overflow.",
        mp=_mp_mish, mp_grad=_mp_mish_grad,
        numpy=lambda x: x * np.tanh(np.log1p(np.exp(x))), numpy_grad=_np_mish_grad,
        onnx=lambda g, x, y: g.node("Mish", [x], [y]),
        jax=lambda jax, x: jax.nn.mish(x),
        torch=lambda torch, t: torch.nn.functional.mish(t),
        torch_bwd=lambda torch, g, t, y: torch.ops.aten.mish_backward(g, t),
        limits={_INF: (_INF, 1.0), -_INF: (0.0, 0.0)},
    ),
    Activation(
        "softsign", "elementwise", "Softsign: x / (1 + abs(x)).",
        "x / (1 + abs x)", "1 / (1 + abs x)^2",
        kernel="softsign",
        mp=lambda mp, x: x / (1 + abs(x)), mp_grad=lambda mp, x: 1 / (1 + abs(x)) ** 2,
        numpy=lambda x: x / (1 + np.abs(x)), numpy_grad=lambda x: 1 / (1 + np.abs(x)) ** 2,
        onnx=lambda g, x, y: g.node("Softsign", [x], [y]),
        jax=lambda jax, x: jax.nn.soft_sign(x),
        torch=lambda torch, t: torch.nn.functional.softsign(t),
        torch_bwd=lambda torch, g, t, y: g / (1 + t.abs()) ** 2,   # (composite in PyTorch: its autograd's ops)
        limits={_INF: (1.0, 0.0), -_INF: (-1.0, 0.0)},
    ),
    Activation(
        "selu", "elementwise", "SELU: scale * (x if x > 0 else alpha * (exp(x) - 1)), PyTorch's constants.",
        "scale (x if x > 0 else alpha (e^x - 1)); alpha = 1.6732632423543772, scale = 1.0507009873554805",
        "scale if x > 0 else scale alpha e^x",
        kernel="selu",
        notes="Computed with expm1 and scale * alpha rounded once. The derivative at 0 is scale * alpha, as PyTorch's.",
        mp=_mp_selu,
        mp_grad=lambda mp, x: _mp_selu(mp, x, grad=True),
        numpy=lambda x: _SELU_SCALE * np.where(x > 0, x, _SELU_ALPHA * (np.exp(x) - 1)),
        numpy_grad=lambda x: (_SELU_SCALE * np.where(x > 0, 1.0, _SELU_ALPHA * np.exp(x))).astype(x.dtype),
        onnx=lambda g, x, y: g.node("Selu", [x], [y]),
        jax=lambda jax, x: jax.nn.selu(x),
        torch=lambda torch, t: torch.nn.functional.selu(t),
        torch_bwd=lambda torch, g, t, y: torch.ops.aten.elu_backward(g, _SELU_ALPHA, _SELU_SCALE, 1.0, False, t),
        limits={_INF: (_INF, _SELU_SCALE), -_INF: (-_SELU_SA, 0.0)},
        kinks={0.0: _SELU_SA},
    ),
    Activation(
        "celu", "elementwise", "CELU: x if x > 0 else alpha * (exp(x / alpha) - 1).",
        "x if x > 0 else alpha (e^(x/alpha) - 1)", "1 if x > 0 else e^(x/alpha)",
        params=(Param("alpha", 1.0, rule=_positive),), kernel="celu",
        notes="Computed with expm1. alpha must be > 0 (PyTorch also takes alpha < 0). The derivative at 0 is 1.",
        mp=lambda mp, x, alpha=1.0: x if x > 0 else mp.mpf(alpha) * mp.expm1(x / mp.mpf(alpha)),
        mp_grad=lambda mp, x, alpha=1.0: mp.mpf(1) if x > 0 else mp.exp(x / mp.mpf(alpha)),
        numpy=lambda x, alpha=1.0: np.where(x > 0, x, alpha * (np.exp(x / alpha) - 1)),
        numpy_grad=lambda x, alpha=1.0: np.where(x > 0, 1.0, np.exp(x / alpha)).astype(x.dtype),
        onnx=lambda g, x, y, alpha=1.0: g.node("Celu", [x], [y], alpha=alpha),
        jax=lambda jax, x, alpha=1.0: jax.nn.celu(x, alpha),
        torch=lambda torch, t, alpha=1.0: torch.nn.functional.celu(t, alpha),
        torch_bwd=lambda torch, g, t, y, alpha=1.0: torch.ops.aten.elu_backward(g, alpha, 1.0, 1.0 / alpha, False, t),
        limits={_INF: (_INF, 1.0), -_INF: (-1.5, 0.0)}, kinks={0.0: 1.0},
        test_params=({"alpha": 1.5},),
    ),
    Activation(
        "relu6", "elementwise", "ReLU6: min(max(x, 0), 6).",
        "min(max(x, 0), 6)", "1 if 0 < x < 6 else 0",
        kernel="relu6",
        notes="The derivative is 0 at 0 and at 6, as PyTorch's.",
        mp=lambda mp, x: min(max(x, mp.mpf(0)), mp.mpf(6)),
        mp_grad=lambda mp, x: mp.mpf(1) if 0 < x < 6 else mp.mpf(0),
        numpy=lambda x: np.clip(x, 0, 6), numpy_grad=lambda x: _flag((x > 0) & (x < 6), x),
        onnx=lambda g, x, y: g.node("Clip", [x, g.const(0), g.const(6)], [y]),
        jax=lambda jax, x: jax.nn.relu6(x),
        torch=lambda torch, t: torch.nn.functional.relu6(t),
        torch_bwd=lambda torch, g, t, y: torch.ops.aten.hardtanh_backward(g, t, 0.0, 6.0),
        limits={_INF: (6.0, 0.0), -_INF: (0.0, 0.0)}, kinks={0.0: 0.0, 6.0: 0.0},
    ),
    Activation(
        "hardtanh", "elementwise", "Hardtanh: x clamped to [min_val, max_val].",
        "min(max(x, min_val), max_val)", "1 if min_val < x < max_val else 0",
        params=(Param("min_val", -1.0), Param("max_val", 1.0)), kernel="hardtanh", rule=_ordered,
        notes=("The derivative is 0 at the ends, as PyTorch's. In float32 the bounds are rounded to float32, "
               "as PyTorch rounds them."),
        mp=lambda mp, x, min_val=-1.0, max_val=1.0: min(max(x, mp.mpf(min_val)), mp.mpf(max_val)),
        mp_grad=lambda mp, x, min_val=-1.0, max_val=1.0: mp.mpf(1) if min_val < x < max_val else mp.mpf(0),
        numpy=lambda x, min_val=-1.0, max_val=1.0: np.clip(x, min_val, max_val),
        numpy_grad=lambda x, min_val=-1.0, max_val=1.0: _flag((x > min_val) & (x < max_val), x),
        onnx=lambda g, x, y, min_val=-1.0, max_val=1.0: g.node("Clip", [x, g.const(min_val), g.const(max_val)], [y]),
        jax=lambda jax, x, min_val=-1.0, max_val=1.0: jax.numpy.clip(x, min_val, max_val),
        torch=lambda torch, t, min_val=-1.0, max_val=1.0: torch.nn.functional.hardtanh(t, min_val, max_val),
        torch_bwd=lambda torch, g, t, y, min_val=-1.0, max_val=1.0: torch.ops.aten.hardtanh_backward(g, t, min_val, max_val),
        limits={_INF: (1.5, 0.0), -_INF: (-2.0, 0.0)}, kinks={-2.0: 0.0, 1.5: 0.0},
        test_params=({"min_val": -2.0, "max_val": 1.5},),
    ),
    Activation(
        "hardsigmoid", "elementwise", "Hardsigmoid: relu6(x + 3) / 6.",
        "min(max(x + 3, 0), 6) / 6", "1/6 if -3 < x < 3 else 0",
        kernel="hardsigmoid",
        notes="The derivative is 0 at -3 and 3, as PyTorch's.",
        mp=lambda mp, x: min(max(x + 3, mp.mpf(0)), mp.mpf(6)) / 6,
        mp_grad=lambda mp, x: mp.mpf(1) / 6 if -3 < x < 3 else mp.mpf(0),
        numpy=lambda x: np.clip(x + 3, 0, 6) / 6, numpy_grad=lambda x: _flag((x > -3) & (x < 3), x) / 6,
        onnx=lambda g, x, y: g.node("HardSigmoid", [x], [y], alpha=1 / 6, beta=0.5),
        jax=lambda jax, x: jax.nn.hard_sigmoid(x),
        torch=lambda torch, t: torch.nn.functional.hardsigmoid(t),
        torch_bwd=lambda torch, g, t, y: torch.ops.aten.hardsigmoid_backward(g, t),
        torch_rtol=1e-7,   # PyTorch's hardsigmoid_backward multiplies by 1/6 rounded to float32
        limits={_INF: (1.0, 0.0), -_INF: (0.0, 0.0)}, kinks={-3.0: 0.0, 3.0: 0.0},
    ),
    Activation(
        "hardswish", "elementwise", "Hardswish: x * relu6(x + 3) / 6.",
        "x min(max(x + 3, 0), 6) / 6", "0 if x < -3; (2x + 3) / 6 if x <= 3; else 1",
        kernel="hardswish",
        notes=("The derivative follows PyTorch's at the kinks (-1/2 at -3, 3/2 at 3); it is computed as "
               "(2x + 3) / 6, which does not cancel near its root -3/2 as x / 3 + 1/2 does."),
        mp=lambda mp, x: x * min(max(x + 3, mp.mpf(0)), mp.mpf(6)) / 6,
        mp_grad=lambda mp, x: mp.mpf(0) if x < -3 else ((2 * x + 3) / 6 if x <= 3 else mp.mpf(1)),
        numpy=lambda x: x * np.clip(x + 3, 0, 6) / 6,
        numpy_grad=lambda x: np.where(x < -3, 0, np.where(x <= 3, x / 3 + 0.5, 1)).astype(x.dtype),
        onnx=lambda g, x, y: g.node("HardSwish", [x], [y]),
        jax=lambda jax, x: jax.nn.hard_swish(x),
        torch=lambda torch, t: torch.nn.functional.hardswish(t),
        torch_bwd=lambda torch, g, t, y: torch.ops.aten.hardswish_backward(g, t),
        limits={_INF: (_INF, 1.0), -_INF: (0.0, 0.0)}, kinks={-3.0: -0.5, 3.0: 1.5},
    ),
    Activation(
        "threshold", "elementwise", "Threshold: x if x > threshold else value.",
        "x if x > threshold else value", "1 if x > threshold else 0",
        params=(Param("threshold"), Param("value")), kernel="threshold",
        notes=("NaN gives NaN (PyTorch gives value). In float32 threshold and value are rounded to float32, "
               "as PyTorch rounds them."),
        mp=lambda mp, x, threshold, value: x if x > threshold else mp.mpf(value),
        mp_grad=lambda mp, x, threshold, value: mp.mpf(1) if x > threshold else mp.mpf(0),
        numpy=lambda x, threshold, value: np.where(x > threshold, x, value).astype(x.dtype),
        numpy_grad=lambda x, threshold, value: _flag(x > threshold, x),
        onnx=lambda g, x, y, threshold, value: (g.node("Greater", [x, g.const(threshold)], ["m"]),
                                                g.node("Where", ["m", x, g.const(value)], [y])),
        jax=lambda jax, x, threshold, value: jax.numpy.where(x > threshold, x, value),
        torch=lambda torch, t, threshold, value: torch.nn.functional.threshold(t, threshold, value),
        torch_bwd=lambda torch, g, t, y, threshold, value: torch.ops.aten.threshold_backward(g, t, threshold),
        limits={_INF: (_INF, 1.0), -_INF: (-2.0, 0.0)}, kinks={0.5: 0.0},
        test_params=({"threshold": 0.5, "value": -2.0},), bench_params={"threshold": 0.0, "value": 0.0},
    ),
    Activation(
        "softshrink", "elementwise", "Softshrink: x - lambd above lambd, x + lambd below -lambd, else 0.",
        "x - l if x > l; x + l if x < -l; else 0", "1 if abs x > l else 0",
        params=(Param("lambd", 0.5, rule=_nonnegative),), kernel="softshrink",
        notes="lambd must be >= 0, as in PyTorch. The derivative is 0 at +-lambd.",
        mp=lambda mp, x, lambd=0.5: x - lambd if x > lambd else (x + lambd if x < -lambd else mp.mpf(0)),
        mp_grad=lambda mp, x, lambd=0.5: mp.mpf(1) if abs(x) > lambd else mp.mpf(0),
        numpy=lambda x, lambd=0.5: np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, 0)).astype(x.dtype),
        numpy_grad=lambda x, lambd=0.5: _flag(np.abs(x) > lambd, x),
        onnx=lambda g, x, y, lambd=0.5: g.node("Shrink", [x], [y], bias=lambd, lambd=lambd),
        jax=lambda jax, x, lambd=0.5: jax.numpy.where(x > lambd, x - lambd, jax.numpy.where(x < -lambd, x + lambd, 0)),
        torch=lambda torch, t, lambd=0.5: torch.nn.functional.softshrink(t, lambd),
        torch_bwd=lambda torch, g, t, y, lambd=0.5: torch.ops.aten.softshrink_backward(g, t, lambd),
        limits={_INF: (_INF, 1.0), -_INF: (-_INF, 1.0)}, kinks={0.75: 0.0, -0.75: 0.0},
        test_params=({"lambd": 0.75},),
    ),
    Activation(
        "hardshrink", "elementwise", "Hardshrink: x where abs(x) > lambd, else 0.",
        "x if abs x > l else 0", "1 if abs x > l else 0",
        params=(Param("lambd", 0.5),), kernel="hardshrink",
        notes="The derivative is 0 at +-lambd.",
        mp=lambda mp, x, lambd=0.5: x if abs(x) > lambd else mp.mpf(0),
        mp_grad=lambda mp, x, lambd=0.5: mp.mpf(1) if abs(x) > lambd else mp.mpf(0),
        numpy=lambda x, lambd=0.5: np.where(np.abs(x) > lambd, x, 0).astype(x.dtype),
        numpy_grad=lambda x, lambd=0.5: _flag(np.abs(x) > lambd, x),
        onnx=lambda g, x, y, lambd=0.5: g.node("Shrink", [x], [y], bias=0.0, lambd=lambd),
        jax=lambda jax, x, lambd=0.5: jax.numpy.where(abs(x) > lambd, x, 0),
        torch=lambda torch, t, lambd=0.5: torch.nn.functional.hardshrink(t, lambd),
        torch_bwd=lambda torch, g, t, y, lambd=0.5: torch.ops.aten.hardshrink_backward(g, t, lambd),
        limits={_INF: (_INF, 1.0), -_INF: (-_INF, 1.0)}, kinks={0.75: 0.0, -0.75: 0.0},
        test_params=({"lambd": 0.75},),
    ),
    Activation(
        "softplus", "elementwise", "Softplus: log(1 + exp(beta x)) / beta.",
        "log(1 + e^(beta x)) / beta", "s(beta x)",
        params=(Param("beta", 1.0, rule=_positive), Param("threshold", 20.0)), kernel="softplus",
        notes=("Computed as max(v, 0) + log1p(exp(-abs(v))), v = beta x carried as a double-double: accurate "
               "everywhere. PyTorch returns x where beta x > threshold; cact keeps threshold for "
               "compatibility (a real number), and it has no effect. beta must be > 0."),
        mp=lambda mp, x, beta=1.0, threshold=20.0: mp.log1p(mp.exp(mp.mpf(beta) * x)) / mp.mpf(beta),
        mp_grad=lambda mp, x, beta=1.0, threshold=20.0: _sig(mp, mp.mpf(beta) * x),
        numpy=lambda x, beta=1.0, threshold=20.0: np.log1p(np.exp(beta * x)) / beta,
        numpy_grad=lambda x, beta=1.0, threshold=20.0: (1 / (1 + np.exp(-beta * x))).astype(x.dtype),
        onnx=lambda g, x, y, beta=1.0, threshold=20.0: (g.node("Softplus", [x], [y]) if beta == 1.0 else (
            g.node("Mul", [x, g.const(beta)], ["b"]), g.node("Softplus", ["b"], ["p"]),
            g.node("Div", ["p", g.const(beta)], [y]))),
        jax=lambda jax, x, beta=1.0, threshold=20.0: jax.nn.softplus(beta * x) / beta,
        torch=lambda torch, t, beta=1.0, threshold=20.0: torch.nn.functional.softplus(t, beta, threshold),
        torch_bwd=lambda torch, g, t, y, beta=1.0, threshold=20.0: torch.ops.aten.softplus_backward(g, t, beta, threshold),
        limits={_INF: (_INF, 1.0), -_INF: (0.0, 0.0)},
        test_params=({"beta": 2.0, "threshold": 20.0},),
    ),
    Activation(
        "log_sigmoid", "elementwise", "Log-sigmoid: log(1 / (1 + exp(-x))) = -softplus(-x).",
        "-log(1 + e^-x)", "s(-x)",
        kernel="log_sigmoid",
        notes="Computed as -(max(-x, 0) + log1p(exp(-abs(x)))): no log(0), no cancellation for large abs(x).",
        mp=lambda mp, x: -mp.log1p(mp.exp(-x)), mp_grad=lambda mp, x: _sig(mp, -x),
        numpy=lambda x: -np.log1p(np.exp(-x)), numpy_grad=lambda x: 1 / (1 + np.exp(x)),
        onnx=lambda g, x, y: (g.node("Neg", [x], ["n"]), g.node("Softplus", ["n"], ["p"]), g.node("Neg", ["p"], [y])),
        jax=lambda jax, x: jax.nn.log_sigmoid(x),
        torch=lambda torch, t: torch.nn.functional.logsigmoid(t),
        torch_bwd=lambda torch, g, t, y: _torch_log_sigmoid_backward(torch, g, t),
        limits={_INF: (0.0, 0.0), -_INF: (-_INF, 1.0)},
    ),
    Activation(
        "tanhshrink", "elementwise", "Tanhshrink: x - tanh(x).",
        "x - tanh x", "tanh^2 x",
        kernel="tanhshrink",
        notes=("Accurate where x - tanh(x) cancels: a series below abs(x) = 0.55, double-double terms above "
               "(PyTorch's x - tanh(x) loses all digits near 0)."),
        mp=lambda mp, x: _mp_tanhshrink(mp, x), mp_grad=lambda mp, x: mp.tanh(x) ** 2,
        numpy=lambda x: x - np.tanh(x), numpy_grad=lambda x: np.tanh(x) ** 2,
        onnx=lambda g, x, y: (g.node("Tanh", [x], ["t"]), g.node("Sub", [x, "t"], [y])),
        jax=lambda jax, x: x - jax.numpy.tanh(x),
        torch=lambda torch, t: torch.nn.functional.tanhshrink(t),
        torch_bwd=lambda torch, g, t, y: g * torch.tanh(t) ** 2,   # (composite in PyTorch: its autograd's ops)
        torch_rtol=1e-9,   # PyTorch's x - tanh(x) cancels near 0
        limits={_INF: (_INF, 1.0), -_INF: (-_INF, 1.0)},
    ),
    Activation(
        "prelu", "prelu", "Parametric ReLU: x if x > 0 else alpha * x, one slope or one per channel.",
        "x if x > 0 else alpha_c x", "d/dx: 1 or alpha_c; d/dalpha_c: sum of (0 if x > 0 else x)",
        params=(Param("alpha"),),
        grad_notes=("prelu_grad(x, alpha, *, axis=1, grad_output=None) returns (grad_x, grad_alpha): "
                    "grad_x = g * (1 if x > 0 else alpha), grad_alpha = the sum of g * (0 if x > 0 else x) "
                    "over all but the channel axis, with alpha's shape (g = 1 without grad_output)."),
        notes=("`alpha` is one slope for all of x (a scalar or a one-element array), or a 1-D array with one "
               "slope per channel along `axis` (PyTorch's convention: channels on axis 1; needs x.ndim >= 2)."),
        mp=lambda mp, x, alpha=0.25: x if x > 0 else mp.mpf(alpha) * x,
        mp_grad=lambda mp, x, alpha=0.25: mp.mpf(1) if x > 0 else mp.mpf(alpha),
        numpy=lambda x, alpha: np.maximum(alpha * x, x),
        numpy_grad=lambda x, alpha: np.where(x > 0, x.dtype.type(1), alpha),
        onnx=lambda g, x, y, alpha: g.node("PRelu", [x, g.const(alpha)], [y]),   # (slopes on the last axis)
        jax=lambda jax, x, alpha: jax.numpy.where(x > 0, x, alpha * x),
        torch=lambda torch, t, alpha: torch.nn.functional.prelu(t, alpha),
        # (aten's kernel gives d/dalpha per element; autograd then sums it to alpha's shape)
        torch_bwd=lambda torch, g, t, y, alpha: (lambda gx, ga: (gx, ga.sum_to_size(alpha.shape)))(
            *torch.ops.aten._prelu_kernel_backward(g, t, alpha)),
        limits={_INF: (_INF, 1.0), -_INF: (-_INF, 0.25)}, kinks={0.0: 0.25},
        test_params=({"alpha": 0.25},),
    ),
    Activation(
        "softmax", "rows", "Softmax along `axis` (default: the last).",
        "e^(x_i - m) / sum_j e^(x_j - m), m = max", "J = diag(y) - y y^T; VJP y (g - sum(g y))",
        params=(Param("axis", -1),), from_y="rows", from_y_formula="y (g - sum(g y))",
        grad_notes=("With grad_output=g: the vector-Jacobian product y * (g - sum(g * y, axis)), y = softmax(x), "
                    "x's shape. Without it: the full Jacobian, shape x.shape + (K,), K = x.shape[axis], with "
                    "J[..., i, j] = dy_i / dx_j = y_i (delta_ij - y_j) (for an axis other than the last, i stays "
                    "at `axis` and j is the new last axis).\n\ny=: start from the forward's output "
                    "y = softmax(x, axis) instead of x (as PyTorch's _softmax_backward_data does), with no "
                    "exponentials: the same formulas in the y given, exact to a few roundings for it (the "
                    "diagonal as y_i (1 - y_i)). Pass x or y, not both."),
        notes=("Stable for any input: entries of -inf give exactly 0; a row that is all -inf, or holds NaN "
               "or +inf, gives NaN."),
        mp=lambda mp, row: _mp_softmax(mp, row),   # of one row (a sequence of floats)
        numpy=lambda x, axis=-1: _np_softmax(x, axis),
        onnx=lambda g, x, y, axis=-1: g.node("Softmax", [x], [y], axis=axis),
        jax=lambda jax, x, axis=-1: jax.nn.softmax(x, axis=axis),
        torch=lambda torch, t, axis=-1: torch.softmax(t, axis),
        torch_bwd=lambda torch, g, t, y, axis=-1: torch.ops.aten._softmax_backward_data(g, y, axis, t.dtype),
        numpy_vjp=lambda x, g, axis=-1: _np_softmax_vjp_y(_np_softmax(x, axis), g, axis),
        numpy_vjp_y=_np_softmax_vjp_y, mp_vjp=_mp_softmax_vjp, mp_vjp_y=lambda mp, y, g: _mp_vjp_y(mp, y, g),
        mp_vjp_terms=_mp_softmax_terms,
        test_params=({"axis": -1},),
    ),
    Activation(
        "log_softmax", "rows", "Log-softmax along `axis` (default: the last).",
        "x_i - m - log(sum_j e^(x_j - m)), m = max", "J = I - 1 p^T, p = softmax(x); VJP g - p sum(g)",
        params=(Param("axis", -1),), from_y="rows", from_y_formula="g - exp(y) sum(g)",
        grad_notes=("With grad_output=g: the vector-Jacobian product g - softmax(x) * sum(g, axis), x's shape. "
                    "Without it: the full Jacobian, shape x.shape + (K,), J[..., i, j] = delta_ij - p_j (the "
                    "diagonal as -expm1(y_i): 1 - p_i without cancellation).\n\ny=: start from the forward's "
                    "output y = log_softmax(x, axis) instead of x, as PyTorch's _log_softmax_backward_data "
                    "does: g - exp(y) * sum(g). Pass x or y, not both."),
        notes=("Computed as (x - m) - log1p(s - 1), s - 1 summed without the max's own term: accurate where "
               "one entry dominates (its value is then tiny). Entries of -inf give -inf; a row that is all "
               "-inf, or holds NaN or +inf, gives NaN. Along an axis other than the last, or on a "
               "non-contiguous x, the rows go through a contiguous copy."),
        mp=_mp_log_softmax, mp_vjp=_mp_log_softmax_vjp,
        mp_vjp_terms=lambda mp, row, g: [abs(mp.mpf(float(gi))) + p * abs(mp.fsum(mp.mpf(float(v)) for v in g))
                                         for gi, p in zip(g, _mp_softmax(mp, row))],
        mp_vjp_y=lambda mp, y, g: [mp.mpf(float(gi)) - mp.exp(mp.mpf(float(yi))) * mp.fsum(mp.mpf(float(v)) for v in g)
                                   for yi, gi in zip(y, g)],
        numpy=_np_log_softmax,
        numpy_vjp=lambda x, g, axis=-1: g - _np_softmax(x, axis) * g.sum(axis=axis, keepdims=True),
        numpy_vjp_y=lambda y, g, axis=-1: g - np.exp(y) * g.sum(axis=axis, keepdims=True),
        onnx=lambda g, x, y, axis=-1: g.node("LogSoftmax", [x], [y], axis=axis),
        jax=lambda jax, x, axis=-1: jax.nn.log_softmax(x, axis=axis),
        torch=lambda torch, t, axis=-1: torch.log_softmax(t, axis),
        torch_bwd=lambda torch, g, t, y, axis=-1: torch.ops.aten._log_softmax_backward_data(g, y, axis, t.dtype),
        test_params=({"axis": -1},),
    ),
    Activation(
        "softmin", "rows", "Softmin along `axis` (default: the last): softmax(-x).",
        "e^(m - x_i) / sum_j e^(m - x_j), m = min", "J = -(diag(y) - y y^T); VJP -y (g - sum(g y))",
        params=(Param("axis", -1),), from_y="rows", from_y_formula="-y (g - sum(g y))",
        grad_notes=("With grad_output=g: the vector-Jacobian product -y * (g - sum(g * y, axis)), y = softmin(x). "
                    "Without it: the full Jacobian, shape x.shape + (K,), J[..., i, j] = -y_i (delta_ij - y_j)."
                    "\n\ny=: start from the forward's output y = softmin(x, axis) instead of x. Pass x or y, "
                    "not both."),
        notes=("softmax of -x (negation is exact: softmax's accuracy); as in PyTorch, -x is formed first, one "
               "more pass over the data. Entries of +inf give exactly 0; a row that is all +inf, or holds NaN "
               "or -inf, gives NaN."),
        mp=lambda mp, row: _mp_softmax(mp, [-v for v in row]),
        mp_vjp=lambda mp, row, grow: [-v for v in _mp_softmax_vjp(mp, [-v for v in row], grow)],
        mp_vjp_y=lambda mp, y, g: [-v for v in _mp_vjp_y(mp, y, g)],
        mp_vjp_terms=lambda mp, row, g: _mp_softmax_terms(mp, [-v for v in row], g),
        numpy=lambda x, axis=-1: _np_softmax(-x, axis),
        numpy_vjp=lambda x, g, axis=-1: -_np_softmax_vjp_y(_np_softmax(-x, axis), g, axis),
        numpy_vjp_y=lambda y, g, axis=-1: -_np_softmax_vjp_y(y, g, axis),
        onnx=lambda g, x, y, axis=-1: (g.node("Neg", [x], ["n"]), g.node("Softmax", ["n"], [y], axis=axis)),
        jax=lambda jax, x, axis=-1: jax.nn.softmax(-x, axis=axis),
        torch=lambda torch, t, axis=-1: torch.nn.functional.softmin(t, axis),
        torch_bwd=lambda torch, g, t, y, axis=-1: -torch.ops.aten._softmax_backward_data(g, y, axis, t.dtype),
        test_params=({"axis": -1},),
    ),
    _gated_row(
        "glu", "Gated linear unit: a * sigmoid(b)", "a s(b)", "d/da = g s(b); d/db = g a s(b) (1 - s(b))",
        gate="sigmoid", second=True, notes="As torch.nn.functional.glu: the gate acts on the second half.",
        torch=lambda torch, t, axis=-1: torch.nn.functional.glu(t, axis),
        torch_bwd=lambda torch, g, t, y, axis=-1: torch.ops.aten.glu_backward(g, t, axis),
    ),
    _gated_row(
        "swiglu", "SwiGLU: silu(a) * b", "silu(a) b", "d/da = g b silu'(a); d/db = g silu(a)", gate="silu",
        notes="The gate acts on the first half (the transformer convention: silu(x W) * (x V), [W V] one matrix).",
    ),
    _gated_row(
        "geglu", "GEGLU: gelu(a) * b", "gelu(a) b", "d/da = g b gelu'(a); d/db = g gelu(a)", gate="gelu",
        choice=Param("approximate", "tanh", choices=("tanh", "none")),
        notes=('The gate acts on the first half; approximate as gelu\'s ("tanh", the default, or "none", '
               "the exact x Phi(x)): the BERT/T5 GEGLU uses the tanh form."),
    ),
    _gated_row(
        "reglu", "ReGLU: relu(a) * b", "relu(a) b", "d/da = g b relu'(a) (0 at a = 0); d/db = g relu(a)",
        gate="relu", notes="The gate acts on the first half.",
    ),
)

BY_NAME = {a.name: a for a in ACTIVATIONS}
ELEMENTWISE = tuple(a for a in ACTIVATIONS if a.kind == "elementwise")
ROWWISE = tuple(a for a in ACTIVATIONS if a.kind == "rows")
GATED = tuple(a for a in ACTIVATIONS if a.kind == "gated")


def kernel_of(act, params):
    """The Kernel name of an elementwise activation for keyword parameters `params`."""
    if isinstance(act.kernel, dict):
        p = next(p for p in act.params if p.choices)
        return act.kernel[params.get(p.name, p.default)]
    return act.kernel


def required_params(act):
    """the parameters a call of row `act` must pass (those without a default), at the row's first
    test values"""
    return {p.name: act.test_params[0][p.name] for p in act.params if p.default is REQUIRED}


def variants(kinds=("elementwise", "rows", "gated", "prelu")):
    """(id, Activation, keyword parameters) for every tested variant: each test_params entry of
    each activation of these kinds (gelu: 'gelu_tanh' and 'gelu_none')."""
    out = []
    for a in ACTIVATIONS:
        if a.kind not in kinds:
            continue
        for kw in a.test_params:
            choice = next((kw[p.name] for p in a.params if p.choices and p.name in kw), None)
            out.append((a.name if len(a.test_params) == 1 else f"{a.name}_{choice}", a, dict(kw)))
    return out


def public_names():
    """Every public function the registry defines, in the registry's order."""
    return [n for a in ACTIVATIONS for n in (a.name, a.name + "_grad")]
