"""asv benchmarks: every activation and derivative of cact next to its plain NumPy twin.

Each benchmark is parametrized over the function, dtype, size and implementation:
- impl "cact": returns a new array; "cact_out": writes into a preallocated `out=`;
  "numpy": the seed's one-liner (forward) or the derivative written the same plain way
  (cact._bench.numpy_impls), so every cact result has its NumPy twin in the same run.
- `peakmem_*` record the peak memory of the same calls (temporaries show up there).
softmax and its kin run over rows of 1000, the gated units over (n / 2048, 2048), prelu over
(n / 64, 64) with a slope per channel. HalfPrecision times float16 and bfloat16 calls beside the
same call on float32 data (impl "float32"), which a half call should not exceed.
"""
import numpy as np

import cact
from cact._bench import (FROM_Y, _params, at_line_offset, make_input, mlp_step_cact, mlp_step_numpy, mlp_steps,
                         np_dtype, numpy_backward_from_y, numpy_impls)
from cact._registry import ACTIVATIONS, BY_NAME


def _functions():
    """every activation of the registry at its default parameters, and "name:choice" for each
    other kernel its string parameter selects (gelu:none)"""
    out = []
    for act in ACTIVATIONS:
        out.append(act.name)
        out += [f"{act.name}:{c}" for p in act.params for c in p.choices if c != p.default]
    return out


FUNCTIONS = _functions()
DTYPES = ["float32", "float64"]
SIZES = [10**3, 10**5, 10**7]
IMPLS = ["cact", "cact_out", "numpy"]


def _split(function):
    """(activation name, keyword parameters) of a FUNCTIONS entry"""
    name, _, choice = function.partition(":")
    kw = _params(name)
    if choice:
        kw[next(p.name for a in ACTIVATIONS if a.name == name for p in a.params if p.choices)] = choice
    return name, kw


def _warm_up():
    # the OpenMP team starts on the first parallel call: keep that out of the timings
    cact.gelu(np.zeros(1 << 20, np.float32))


def _cact_forward(function, x, a, out):
    name, kw = _split(function)
    if name == "prelu":
        return lambda: cact.prelu(x, a, out=out)
    f = getattr(cact, name)
    return lambda: f(x, out=out, **kw)


def _cact_derivative(function, x, a, g, out):
    name, kw = _split(function)
    if name == "prelu":
        if out is not None:
            raise NotImplementedError("prelu_grad has no out=")
        return lambda: cact.prelu_grad(x, a, grad_output=g)
    f = getattr(cact, name + "_grad")
    return lambda: f(x, grad_output=g, out=out, **kw)


class _Base:
    params = [FUNCTIONS, DTYPES, SIZES, IMPLS]
    param_names = ["function", "dtype", "n", "impl"]
    timeout = 300

    def _inputs(self, function, dtype, n):
        base = _split(function)[0]
        x, g, a = make_input(base, n, dtype)
        return base, x, g, a

    @staticmethod
    def _numpy(function, base, x, a):
        """the NumPy twin: (forward, derivative(g=None)); the registry's plain forms at the
        default parameters (other choices, gelu:none, have no vectorized NumPy one-liner)"""
        if ":" in function:
            raise NotImplementedError("no NumPy one-liner for this choice")
        return numpy_impls(base, x, a)

    def _ready(self, call):
        self.call = call
        _warm_up()
        call()


class Forward(_Base):
    """f(x)"""

    def setup(self, function, dtype, n, impl):
        base, x, g, a = self._inputs(function, dtype, n)
        if impl == "numpy":
            self._ready(self._numpy(function, base, x, a)[0])
        else:
            out = None
            if impl == "cact_out":   # (a gated unit's output has half of x's last axis)
                out = np.empty(x.shape[:-1] + (x.shape[-1] // 2,) if BY_NAME[base].kind == "gated" else x.shape, x.dtype)
            self._ready(_cact_forward(function, x, a, out))

    def time_forward(self, function, dtype, n, impl):
        self.call()

    def peakmem_forward(self, function, dtype, n, impl):
        self.call()


class Derivative(_Base):
    """f'(x) alone (softmax and its kin: the Jacobian, so only up to 1e5 elements; gated units: the
    gradient of the outputs' sum)"""

    def setup(self, function, dtype, n, impl):
        base, x, g, a = self._inputs(function, dtype, n)
        rows = BY_NAME[base].kind == "rows"
        if rows and n > 10**5:
            raise NotImplementedError("the full Jacobian of 1e7 elements needs 80 GB")
        if impl == "numpy":
            self._ready(self._numpy(function, base, x, a)[1])
        else:
            out = None
            if impl == "cact_out":
                out = np.empty(x.shape + (x.shape[-1],) if rows else x.shape, x.dtype)
            self._ready(_cact_derivative(function, x, a, None, out))

    def time_derivative(self, function, dtype, n, impl):
        self.call()

    def peakmem_derivative(self, function, dtype, n, impl):
        self.call()


class Backward(_Base):
    """the backward step g * f'(x) (softmax and its kin, gated units: the vector-Jacobian product)"""

    def setup(self, function, dtype, n, impl):
        base, x, g, a = self._inputs(function, dtype, n)
        if impl == "numpy":
            deriv = self._numpy(function, base, x, a)[1]
            self._ready(lambda: deriv(g))
        else:
            self._ready(_cact_derivative(function, x, a, g, np.empty_like(x) if impl == "cact_out" else None))

    def time_backward(self, function, dtype, n, impl):
        self.call()

    def peakmem_backward(self, function, dtype, n, impl):
        self.call()


class BackwardFromOutput(_Base):
    """the backward step from the forward's output y (f_grad(y=y, grad_output=g): the registry's
    activations with from_y)"""
    params = [list(FROM_Y), DTYPES, SIZES, IMPLS]

    def setup(self, function, dtype, n, impl):
        base, x, g, a = self._inputs(function, dtype, n)
        f, fg = getattr(cact, function), getattr(cact, function + "_grad")
        y = f(x)
        if impl == "numpy":
            self._ready(numpy_backward_from_y(function, y, g))
        else:
            out = np.empty_like(x) if impl == "cact_out" else None
            self._ready(lambda: fg(y=y, grad_output=g, out=out))

    def time_backward_from_output(self, function, dtype, n, impl):
        self.call()

    def peakmem_backward_from_output(self, function, dtype, n, impl):
        self.call()


class Layouts:
    """Views and axes other than C-contiguous rows (tools/layout_bench.py has the same cases): the
    elementwise kernels on strided views, softmax and its backward down a strided axis."""
    params = [["rows ::2", "cols ::-1", "transposed", "NCHW axis 1", "NCHW axis 1 backward(y)"],
              ["float32", "float64"], ["cact", "numpy"]]
    param_names = ["case", "dtype", "impl"]
    timeout = 300

    def setup(self, case, dtype, impl):
        rng = np.random.default_rng(0)
        if case.startswith("NCHW"):
            x = (rng.standard_normal((8, 21, 64, 64)) * 3).astype(dtype)
            g = rng.standard_normal(x.shape).astype(dtype)
            y = cact.softmax(x, axis=1)
            if case.endswith("backward(y)"):
                self.call = ((lambda: cact.softmax_grad(y=y, grad_output=g, axis=1)) if impl == "cact"
                             else (lambda: y * (g - (g * y).sum(axis=1, keepdims=True))))
            else:
                def numpy_softmax():
                    e = np.exp(x - x.max(axis=1, keepdims=True))
                    return e / e.sum(axis=1, keepdims=True)
                self.call = (lambda: cact.softmax(x, axis=1)) if impl == "cact" else numpy_softmax
        else:
            base = (rng.standard_normal((2000, 1000)) * 3).astype(dtype)
            v = {"rows ::2": base[::2], "cols ::-1": base[:, ::-1], "transposed": base[:1000].T}[case]
            self.call = (lambda: cact.sigmoid(v)) if impl == "cact" else (lambda: 1 / (1 + np.exp(-v)))
        _warm_up()
        self.call()

    def time_layout(self, case, dtype, impl):
        self.call()


class SoftmaxRowLength:
    """softmax and its backward over 1e6 values in rows of K: short rows (K <= 12 run 16 at a time
    as the columns of a tile), the rows' fixed costs (K = 32-300), and long rows."""
    params = [[4, 10, 32, 100, 1000, 10000], ["forward", "backward", "backward(y)"], ["cact", "numpy"]]
    param_names = ["K", "op", "impl"]
    timeout = 300

    def setup(self, K, op, impl):
        rng = np.random.default_rng(0)
        x = (rng.standard_normal((10**6 // K, K)) * 3).astype(np.float32)
        g = rng.standard_normal(x.shape).astype(np.float32)
        y = cact.softmax(x)

        def numpy_softmax():
            e = np.exp(x - x.max(axis=-1, keepdims=True))
            return e / e.sum(axis=-1, keepdims=True)

        if impl == "cact":
            self.call = {"forward": lambda: cact.softmax(x),
                         "backward": lambda: cact.softmax_grad(x, grad_output=g),
                         "backward(y)": lambda: cact.softmax_grad(y=y, grad_output=g)}[op]
        else:
            def numpy_backward():
                s = numpy_softmax()
                return s * (g - (g * s).sum(axis=-1, keepdims=True))
            self.call = {"forward": numpy_softmax, "backward": numpy_backward,
                         "backward(y)": lambda: y * (g - (g * y).sum(axis=-1, keepdims=True))}[op]
        _warm_up()
        self.call()

    def time_softmax_rows(self, K, op, impl):
        self.call()


class SoftmaxBackwardFromYFloat64:
    """softmax's backward from y in float64 over 1e6 values in rows of K: its dot product sum(g y)
    is correctly rounded (summed on a fixed grid and certified; rows of up to 64 certified a
    vector's worth at a time), against NumPy's plain one-liner."""
    params = [[10, 32, 1000], ["cact", "numpy"]]
    param_names = ["K", "impl"]
    timeout = 300

    def setup(self, K, impl):
        rng = np.random.default_rng(0)
        y = cact.softmax(rng.standard_normal((10**6 // K, K)) * 3)
        g = rng.standard_normal(y.shape)
        self.call = ((lambda: cact.softmax_grad(y=y, grad_output=g)) if impl == "cact"
                     else (lambda: y * (g - (g * y).sum(axis=-1, keepdims=True))))
        _warm_up()
        self.call()

    def time_softmax_backward_from_y_float64(self, K, impl):
        self.call()


class TinyCalls:
    """n = 16 float32 (inference on small layers): the Python layer's fixed
    cost, a new result or out=, against np.maximum(x, 0) the same two ways."""
    params = [["sigmoid", "relu", "gelu", "softmax", "np.maximum"], ["new", "out"]]
    param_names = ["function", "result"]

    def setup(self, function, result):
        x = np.random.default_rng(0).standard_normal((1, 16)).astype(np.float32)
        out = np.empty_like(x) if result == "out" else None
        if function == "np.maximum":
            self.call = (lambda: np.maximum(x, 0)) if out is None else (lambda: np.maximum(x, 0, out=out))
        else:
            f = getattr(cact, function)
            self.call = (lambda: f(x)) if out is None else (lambda: f(x, out=out))
        self.call()

    def time_tiny_call(self, function, result):
        self.call()


class LineOffsets:
    """Backward steps at 1e5 with x and grad_output at given offsets within a 64-byte line (NumPy
    places arrays at any of 0/16/32/48), into a new result or out= an array at offset 0: the loops
    align to grad_output's loads and new results are placed at its offset (cact/kernels/driver/alloc.h), so every
    case should run at about the "x0 g0" speed but the split one (tools/align_bench.py)."""
    params = [["relu", "leaky_relu", "sigmoid(y)"], DTYPES, ["x0 g0", "x16 g16", "x32 g32", "x0 g16"],
              ["new", "out"]]
    param_names = ["function", "dtype", "offsets", "result"]

    def setup(self, function, dtype, offsets, result):
        n = 10**5
        rng = np.random.default_rng(0)
        xv, gv = rng.standard_normal(n) * 3, rng.standard_normal(n)
        xo, go = (int(s[1:]) for s in offsets.split())
        if function == "sigmoid(y)":
            xv = 1 / (1 + np.exp(-xv))
        x, g = at_line_offset(n, dtype, xo, xv), at_line_offset(n, dtype, go, gv)
        out = at_line_offset(n, dtype, 0, 0.0) if result == "out" else None
        if function == "sigmoid(y)":
            self.call = lambda: cact.sigmoid_grad(y=x, grad_output=g, out=out)
        else:
            f = getattr(cact, function + "_grad")
            self.call = lambda: f(x, grad_output=g, out=out)
        _warm_up()
        self.call()

    def time_backward_at_offsets(self, function, dtype, offsets, result):
        self.call()


class HalfPrecision:
    """float16 and bfloat16 (ml_dtypes') forwards and backward steps, a new result ("cact") and
    into out= ("cact_out"), beside cact's same call on float32 data ("float32")"""
    params = [FUNCTIONS, ["float16", "bfloat16"], [10**5, 10**6, 10**7], ["cact", "cact_out", "float32"]]
    param_names = ["function", "dtype", "n", "impl"]
    timeout = 300

    def setup(self, function, dtype, n, impl):
        try:
            dt = np_dtype(dtype)
        except ImportError:
            raise NotImplementedError("bfloat16 needs ml_dtypes") from None
        base = _split(function)[0]
        x, g, a = make_input(base, n, dt)
        if impl == "float32":
            x, g = x.astype(np.float32), g.astype(np.float32)
        gated = BY_NAME[base].kind == "gated"
        fout = bout = None
        if impl == "cact_out":
            fout = np.empty(x.shape[:-1] + (x.shape[-1] // 2,) if gated else x.shape, x.dtype)
            bout = None if base == "prelu" else np.empty_like(x)
        self.forward = _cact_forward(function, x, a, fout)
        self.backward = _cact_derivative(function, x, a, g, bout)
        _warm_up()
        self.forward()
        self.backward()

    def time_half_forward(self, function, dtype, n, impl):
        self.forward()

    def time_half_backward(self, function, dtype, n, impl):
        self.backward()


class BesideBlas:
    """A training loop's step (matmul, activation, matmul, backward step; cact._bench.mlp_steps, as
    tools/blas_bench.py) with NumPy's matmul and its OpenBLAS threads: cact at its default threads
    ("cact"), on one thread ("cact_1thread", the bound for "cact") and NumPy's formulas ("numpy").
    setup runs the loop for a while first: its steady state, not the adaptive teams' start."""
    params = [["relu", "sigmoid"], ["float32", "float64"], [(256, 512), (1024, 64), (1024, 512)],
              ["cact", "cact_1thread", "numpy"]]
    param_names = ["function", "dtype", "batch_width", "impl"]
    timeout = 300

    def setup(self, function, dtype, batch_width, impl):
        b, w = batch_width
        rng = np.random.default_rng(0)
        self.x = rng.standard_normal((b, w)).astype(dtype)
        self.w = (rng.standard_normal((w, w)) / np.sqrt(w)).astype(dtype)
        self.steps = mlp_step_numpy(function) if impl == "numpy" else mlp_step_cact(function)
        self.threads = cact.get_num_threads()
        if impl == "cact_1thread":
            cact.set_num_threads(1)
        mlp_steps(self.x, self.w, *self.steps, max(10, int(0.3 / mlp_steps(self.x, self.w, *self.steps, 3))))

    def teardown(self, function, dtype, batch_width, impl):
        cact.set_num_threads(self.threads)

    def time_training_step(self, function, dtype, batch_width, impl):
        mlp_steps(self.x, self.w, *self.steps, 1)
