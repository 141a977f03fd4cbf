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
                                        # (AVX-512 build, AVX2 build or None); tools/stream_bench.py
    steal: bool = False             # threads finish each other's pieces (compute-bound loops)


@dataclass(frozen=True)
class Param:
    name: str
    default: object = REQUIRED
    choices: tuple = ()             # a string parameter: its values (each selects a kernel)


@dataclass(frozen=True)
class Activation:
    """A public activation: `name(x, <params>, *, out=None)` and `name_grad(...)`."""
    name: str
    kind: str                       # "elementwise" | "softmax" | "prelu"
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
    limits: dict = field(default_factory=dict)   # {+inf / -inf: (f, f')} (params: test_params[0])
    at_zero_grad: Optional[float] = None    # f'(0): the kink's convention (PyTorch's)
    test_params: tuple = ({},)              # keyword parameters the tests and the sweeps use
    bench_params: dict = field(default_factory=dict)


# ---- the kernel families (their order is the C table's) ------------------------------------------
KERNELS = (
    Kernel("sigmoid", "sigmoid.h", serial=(8192, 1024), stream_mb=(24, None), steal=True),
    Kernel("sigmoid_y", "sigmoid.h", forward=False, serial=(16384, 16384), stream_mb=(3, 16)),
    Kernel("relu", "relu.h", serial=(32768, 16384), stream_mb=(3, 16)),
    Kernel("leaky_relu", "relu.h", serial=(16384, 16384), stream_mb=(3, 16)),
    Kernel("elu", "elu.h", serial=(4096, 8192), steal=True),
    Kernel("gelu_tanh", "gelu.h", serial=(2048, 512), steal=True),
    Kernel("gelu_erf", "gelu.h", serial=(512, 512), steal=True),
    Kernel("tanh", "tanh.h", serial=(4096, 2048), steal=True),
    Kernel("tanh_y", "tanh.h", forward=False, serial=(16384, 16384), stream_mb=(3, 16)),
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


def _np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


_INF = float("inf")

# ---- the activations ----------------------------------------------------------------------------
ACTIVATIONS = (
    Activation(
        "sigmoid", "elementwise", "Logistic sigmoid, 1 / (1 + exp(-x)).",
        "1 / (1 + e^-x)", "s (1 - s)",
        kernel="sigmoid", from_y="sigmoid_y", from_y_formula="y (1 - y)",
        notes="Computed as 1/(1+e) or e/(1+e) with e = exp(-|x|): no overflow, no cancellation.",
        mp=lambda mp, x: _sig(mp, x), mp_grad=lambda mp, x: _sig(mp, x) * _sig(mp, -x),
        numpy=lambda x: 1 / (1 + np.exp(-x)),
        numpy_grad=lambda x: _np_sigmoid_grad(x),
        numpy_grad_y=lambda y: y * (1 - y), mp_grad_y=lambda mp, y: y * (1 - y),
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
        torch=lambda torch, t: torch.relu(t),
        torch_bwd=lambda torch, g, t, y: torch.ops.aten.threshold_backward(g, t, 0),
        limits={_INF: (_INF, 1.0), -_INF: (0.0, 0.0)}, at_zero_grad=0.0,
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
        torch=lambda torch, t, alpha=0.01: torch.nn.functional.leaky_relu(t, alpha),
        torch_bwd=lambda torch, g, t, y, alpha=0.01: torch.ops.aten.leaky_relu_backward(g, t, alpha, False),
        limits={_INF: (_INF, 1.0), -_INF: (-_INF, 0.2)}, at_zero_grad=0.2,
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
        torch=lambda torch, t, alpha=1.0: torch.nn.functional.elu(t, alpha),
        torch_bwd=lambda torch, g, t, y, alpha=1.0: torch.ops.aten.elu_backward(g, alpha, 1.0, 1.0, False, t),
        limits={_INF: (_INF, 1.0), -_INF: (-1.5, 0.0)}, at_zero_grad=1.5,
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
        torch=lambda torch, t, approximate="tanh": torch.nn.functional.gelu(t, approximate=approximate),
        torch_bwd=lambda torch, g, t, y, approximate="tanh": torch.ops.aten.gelu_backward(g, t, approximate=approximate),
        limits={_INF: (_INF, 1.0), -_INF: (0.0, 0.0)},
        test_params=({"approximate": "tanh"}, {"approximate": "none"}),
    ),
    Activation(
        "tanh", "elementwise", "Hyperbolic tangent.",
        "tanh(x)", "1 - t^2",
        kernel="tanh", from_y="tanh_y", from_y_formula="1 - y^2",
        notes="Odd and exact in sign; computed from expm1(-2|x|), so it does not cancel near 0.",
        mp=lambda mp, x: mp.tanh(x), mp_grad=lambda mp, x: 1 / mp.cosh(x) ** 2,
        numpy=lambda x: np.tanh(x),
        numpy_grad=lambda x: 1 - np.tanh(x) ** 2,
        numpy_grad_y=lambda y: 1 - y * y, mp_grad_y=lambda mp, y: 1 - y * y,
        torch=lambda torch, t: torch.tanh(t),
        torch_bwd=lambda torch, g, t, y: torch.ops.aten.tanh_backward(g, y),
        limits={_INF: (1.0, 0.0), -_INF: (-1.0, 0.0)},
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
        torch=lambda torch, t, alpha: torch.nn.functional.prelu(t, alpha),
        torch_bwd=lambda torch, g, t, y, alpha: torch.ops.aten._prelu_kernel_backward(g, t, alpha),
        limits={_INF: (_INF, 1.0), -_INF: (-_INF, 0.25)}, at_zero_grad=0.25,
        test_params=({"alpha": 0.25},),
    ),
    Activation(
        "softmax", "softmax", "Softmax along `axis` (default: the last).",
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
        torch=lambda torch, t, axis=-1: torch.softmax(t, axis),
        torch_bwd=lambda torch, g, t, y, axis=-1: torch.ops.aten._softmax_backward_data(g, y, axis, t.dtype),
        test_params=({"axis": -1},),
    ),
)

BY_NAME = {a.name: a for a in ACTIVATIONS}
ELEMENTWISE = tuple(a for a in ACTIVATIONS if a.kind == "elementwise")


def kernel_of(act, params):
    """The Kernel name of an elementwise activation for keyword parameters `params`."""
    if isinstance(act.kernel, dict):
        p = next(p for p in act.params if p.choices)
        return act.kernel[params.get(p.name, p.default)]
    return act.kernel


def variants(kinds=("elementwise", "softmax", "prelu")):
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
