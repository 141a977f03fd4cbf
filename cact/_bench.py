"""`python -m cact bench`: cact against NumPy (the seed's one-liners, and derivatives written the
same plain way) and PyTorch's CPU kernels when torch is importable, on built-in random data.

Each row times one call of each implementation: the median of interleaved repeats (A B C A B C ...),
each repeat a loop long enough to be timed reliably, so a noisy neighbour hits all of them alike.
"""
import functools
import importlib
import os
import statistics
import sys
import time

import numpy as np

import cact

from cact._registry import ACTIVATIONS, BY_NAME, REQUIRED

SOFTMAX_ROW = 1000   # softmax and its kin over rows of this length (one row when n is smaller)
GATED_WIDTH = 2048   # gated units on (n / 2048, 2048): two halves of 1024 (one row when n is smaller)
PRELU_CHANNELS = 64  # prelu on (n / 64, 64) with one slope per channel on axis 1 (or one for all: slopes=1)
FUNCTIONS = [a.name for a in ACTIVATIONS]   # every activation of the registry, its default parameters
OPS = ["forward", "backward"]
DTYPES = ["float32", "float64", "float16", "bfloat16"]
HALVES = ("float16", "bfloat16")


def np_dtype(name):
    """the NumPy dtype of a bench dtype name (bfloat16: ml_dtypes', imported only when asked for)"""
    if name == "bfloat16":
        import ml_dtypes
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)
# derivatives that the bench (and PyTorch's backward) take from the forward's output y
FROM_Y = tuple(a.name for a in ACTIVATIONS if a.from_y)


def _shape(name, n):
    if BY_NAME[name].kind == "rows":
        k = min(n, SOFTMAX_ROW)
        return (n // k, k)
    if BY_NAME[name].kind == "gated":
        k = min(n - n % 2, GATED_WIDTH)
        return (n // k, k)
    if name == "prelu":
        return (max(1, n // PRELU_CHANNELS), PRELU_CHANNELS)
    return (n,)


PARAMS = {}   # parameter overrides by name (python -m cact bench --param approximate=none), where a function has it


def _params(name, a=None):
    """the keyword parameters the bench calls `name` with: the registry's defaults, or PARAMS'
    values (prelu: the slopes a)"""
    if name == "prelu":
        return {"alpha": a}
    act = BY_NAME[name]
    out = {}
    for p in act.params:
        if p.name == "axis":
            continue
        default = act.bench_params.get(p.name, act.test_params[0][p.name] if p.default is REQUIRED else p.default)
        out[p.name] = PARAMS.get(p.name, default)
    return out


def bound(name, a=None):
    """(f, f_grad) of cact with the bench's parameters bound (required ones included)"""
    kw = _params(name, a)
    return functools.partial(getattr(cact, name), **kw), functools.partial(getattr(cact, name + "_grad"), **kw)


def numpy_impls(name, x, a=None, **kw):
    """The plain NumPy form of `name` (the registry's one-liner; forward), and its derivative
    written the same plain way: (forward(), derivative(g=None)), the derivative returning
    g * f'(x) when g is given (prelu's: that and the gradient of its slopes, the pair
    cact.prelu_grad returns; softmax's: the Jacobian, or the vector-Jacobian product)."""
    act = BY_NAME[name]
    kw = {**_params(name, a), **kw}

    def times(g, d):
        return d if g is None else g * d

    if name == "prelu":
        def deriv(g=None):  # both gradients, as cact.prelu_grad and PyTorch's prelu backward give
            gx = times(g, act.numpy_grad(x, **kw))
            d = times(g, np.where(x > 0, x.dtype.type(0), x))
            return gx, (d.sum() if np.size(a) == 1 else d.sum(axis=0))   # channels: axis 1
        return (lambda: act.numpy(x, **kw)), deriv
    if act.kind == "rows":
        def deriv(g=None):
            if g is None:  # the Jacobian, from unit vectors (softmax's in closed form)
                if name == "softmax":
                    y = act.numpy(x)
                    return y[..., :, None] * (np.eye(x.shape[-1], dtype=x.dtype) - y[..., None, :])
                eye = np.eye(x.shape[-1], dtype=x.dtype)
                return np.stack([act.numpy_vjp(x, np.broadcast_to(e, x.shape)) for e in eye], axis=-2)
            return act.numpy_vjp(x, g)
        return (lambda: act.numpy(x)), deriv
    if act.kind == "gated":
        return (lambda: act.numpy(x, **kw)), (lambda g=None: act.numpy_vjp(
            x, np.ones(_half(x.shape), x.dtype) if g is None else g, **kw))
    return (lambda: act.numpy(x, **kw)), (lambda g=None: times(g, act.numpy_grad(x, **kw)))


def numpy_backward_from_y(name, y, g):
    """The backward step from the forward's output y, written the plain NumPy way."""
    act = BY_NAME[name]
    if act.kind == "rows":
        return lambda: act.numpy_vjp_y(y, g)
    return lambda: g * act.numpy_grad_y(y)


def _half(shape):
    """a gated unit's output shape for x of `shape` (halves along the last axis)"""
    return shape[:-1] + (shape[-1] // 2,)


def _numpy_impls(name, x, g, a):
    fwd, deriv = numpy_impls(name, x, a)
    if name in FROM_Y:
        return fwd, numpy_backward_from_y(name, fwd(), g)
    return fwd, (lambda: deriv(g))


def make_input(name, n, dtype, seed=0, slopes=PRELU_CHANNELS):
    """Built-in random data for `name` with about n elements: (x, grad_output, alpha); prelu's alpha
    has `slopes` entries: one per channel, or 1 (one slope for all, nn.PReLU's default)."""
    rng = np.random.default_rng(seed)
    shape = _shape(name, n)
    dt = np_dtype(dtype) if isinstance(dtype, str) else np.dtype(dtype)
    x = (rng.standard_normal(shape) * 3).astype(dt)
    g = rng.standard_normal(_half(shape) if BY_NAME[name].kind == "gated" else shape).astype(dt)
    # (slopes of a half-precision x in float32: prelu's alpha is a real array, not a half one)
    a = rng.uniform(0.01, 0.3, slopes).astype(dt if dt.itemsize >= 4 else np.float32) if name == "prelu" else None
    return x, g, a


def at_line_offset(n, dtype, offset, values=None):
    """n elements of dtype starting `offset` bytes past a 64-byte boundary (NumPy places arrays at
    any of 0/16/32/48 mod 64; tools/align_bench.py and asv's LineOffsets set it), filled with
    `values` when given"""
    size = np.dtype(dtype).itemsize
    buf = np.empty(n * size + offset + 64, np.uint8)
    start = (-buf.ctypes.data) % 64 + offset
    a = buf[start:start + n * size].view(dtype)
    if values is not None:
        a[...] = values
    return a


OUT = False   # the forward into a preallocated out= (python -m cact bench --out), as ONNX Runtime's io_binding


def _cact_impls(name, x, g, a, mod=cact):
    """(forward, backward) calls of `mod` (cact, or an earlier build of it: tools/ab.py)."""
    f, fg = getattr(mod, name), getattr(mod, name + "_grad")
    if name == "prelu":
        alpha = float(a[0]) if a.size == 1 else a   # one slope: a number, as prelu(x, 0.25)
        kw = {"out": f(x, alpha)} if OUT else {}
        return (lambda: f(x, alpha, **kw)), (lambda: fg(x, alpha, grad_output=g))
    kw = _params(name)
    y = f(x, **kw)
    fkw = dict(kw, out=np.empty_like(y)) if OUT else kw
    if name in FROM_Y:
        return (lambda: f(x, **fkw)), (lambda: fg(y=y, grad_output=g, **kw))
    return (lambda: f(x, **fkw)), (lambda: fg(x, grad_output=g, **kw))


def _torch_impls(torch, name, x, g, a):
    """(forward, backward) of PyTorch's CPU kernels (the registry's torch and torch_bwd)"""
    act = BY_NAME[name]
    t, tg = _torch_tensor(torch, x), _torch_tensor(torch, g)
    kw = _params(name, None if a is None else torch.from_numpy(a).to(t.dtype))
    y = act.torch(torch, t, **kw)
    return (lambda: act.torch(torch, t, **kw)), (lambda: act.torch_bwd(torch, tg, t, y, **kw))


def _torch_tensor(torch, v):
    """a tensor on v's memory (bfloat16 through its bits: torch.from_numpy does not know ml_dtypes)"""
    if v.dtype.name == "bfloat16":
        return torch.from_numpy(v.view(np.int16)).view(torch.bfloat16)
    return torch.from_numpy(v)


def _callable_or_none(impls):
    """(forward, backward) with each replaced by None when it raises (NumPy's own loops on
    ml_dtypes' bfloat16 lack some functions)"""
    out = []
    for fn in impls:
        try:
            with np.errstate(all="ignore"):
                fn()
            out.append(fn)
        except Exception:
            out.append(None)
    return tuple(out)


class _OnnxGraph:
    """the `g` of the registry's onnx builders: nodes and constants (in x's dtype)"""

    def __init__(self, onnx, dtype):
        self.onnx, self.dtype, self.nodes, self.inits = onnx, dtype, [], []

    def node(self, op, inputs, outputs, **attrs):
        self.nodes.append(self.onnx.helper.make_node(op, inputs, outputs, **attrs))

    def const(self, value):
        name = f"c{len(self.inits)}"
        self.inits.append(self.onnx.numpy_helper.from_array(np.asarray(value, self.dtype), name))
        return name


def _onnx_impls(ort, name, x, g, a, threads):
    """(forward, None) of ONNX Runtime: the registry's onnx nodes in a session of `threads` intra-op
    threads, run with io_binding into a preallocated output (its fastest call); inference only;
    (None, None) where its CPU provider has no kernel for an op in this dtype"""
    import onnx
    kw = _params(name, a)
    y = getattr(cact, name)(x, **kw)   # (the output's shape)
    graph = _OnnxGraph(onnx, x.dtype)
    BY_NAME[name].onnx(graph, "x", "y", **kw)
    elem = onnx.helper.np_dtype_to_tensor_dtype(x.dtype)
    model = onnx.helper.make_model(
        onnx.helper.make_graph(graph.nodes, name, [onnx.helper.make_tensor_value_info("x", elem, x.shape)],
                               [onnx.helper.make_tensor_value_info("y", elem, y.shape)], graph.inits),
        opset_imports=[onnx.helper.make_opsetid("", 20)])
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    try:
        sess = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    except Exception as e:   # (its CPU kernels or op schemas lack some dtypes: PRelu, Celu in float64, ...)
        if "NOT_IMPLEMENTED" not in str(e) and "Type Error" not in str(e):
            raise
        return None, None
    out = np.empty_like(y)
    binding = sess.io_binding()
    binding.bind_cpu_input("x", x)
    binding.bind_output("y", "cpu", 0, x.dtype, out.shape, out.ctypes.data)
    def fwd():   # (returns out, which the binding writes: kept alive with it)
        sess.run_with_iobinding(binding)
        return out
    return fwd, None


def _jax_impls(jax, name, x, g, a):
    """(forward, backward) of JAX: the registry's jax function, jitted, and its vector-Jacobian
    product with g (jax.vjp, jitted), each waited for"""
    act = BY_NAME[name]
    kw = _params(name, a)

    def f(v):
        return act.jax(jax, v, **kw)
    fwd = jax.jit(f)
    bwd = jax.jit(lambda v, w: jax.vjp(f, v)[1](w)[0])
    xj, gj = jax.device_put(x), jax.device_put(g)
    return (lambda: fwd(xj).block_until_ready()), (lambda: bwd(xj, gj).block_until_ready())


def load_peers(peers):
    """{peer: module} of the peers asked for that are importable (torch, onnxruntime, jax)"""
    out = {}
    for p in peers:
        try:
            if p == "torch":
                import torch as m
            elif p == "onnxruntime":
                import onnxruntime as m
                importlib.import_module("onnx")   # (builds the models)
            elif p == "jax":
                import jax as m
                m.config.update("jax_enable_x64", True)   # float64 rows in float64
            else:
                raise ValueError(p)
        except ImportError:
            continue
        out[p] = m
    return out


def peer_versions(mods):
    return ", ".join(f"{p} {m.__version__}" for p, m in mods.items())


# a peer whose pool keeps spinning for a while after its calls (ONNX Runtime's): the bench pauses
# after each of its samples so that the spin does not steal the next sample's cores
PAUSE_AFTER = {"onnxruntime": 0.08}


def _loops_for(fn, target=0.004):
    """How many calls make one timed sample of about `target` seconds."""
    fn()
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt >= target / 4 or n >= 1 << 20:
            return max(1, int(n * target / max(dt, 1e-9)))
        n *= 4


def time_interleaved(fns, repeats=7, pauses=None):
    """Median seconds per call of each function, sampled in interleaved order; pauses[i] seconds
    of sleep after each sample of fns[i] (a peer whose threads spin on)."""
    pauses = pauses or [0.0] * len(fns)
    loops = []
    for f, p in zip(fns, pauses):
        loops.append(_loops_for(f))
        time.sleep(p)
    samples = [[] for _ in fns]
    for _ in range(repeats):
        for i, (f, n) in enumerate(zip(fns, loops)):
            t0 = time.perf_counter()
            for _ in range(n):
                f()
            samples[i].append((time.perf_counter() - t0) / n)
            if pauses[i]:
                time.sleep(pauses[i])
    return [statistics.median(s) for s in samples]


PEERS = ("torch", "onnxruntime", "jax")


def run(functions=FUNCTIONS, sizes=(1_000, 100_000, 1_000_000), dtypes=("float32", "float64"),
        ops=OPS, threads=None, repeats=7, out=sys.stdout, progress=sys.stderr, prelu_slopes=PRELU_CHANNELS,
        peers=("torch",)):
    """Time every (function, op, dtype, size) against NumPy and the peers asked for that are
    installed (PEERS; ONNX Runtime: forward only); return rows of dicts and print a table."""
    busy = busy_cores()   # (before this run's own threads are running)
    mods = load_peers(peers)
    torch = mods.get("torch")
    if threads is not None:
        cact.set_num_threads(threads)
        if torch is not None:
            torch.set_num_threads(threads)
    nthreads = cact.get_num_threads()
    rows = []
    total = len(functions) * len(ops) * len(dtypes) * len(sizes)
    done = 0
    t_start = time.perf_counter()
    for dt in dtypes:
        for name in functions:
            for n in sizes:
                x, g, a = make_input(name, n, dt, slopes=prelu_slopes)
                impls = {"cact": _cact_impls(name, x, g, a)}
                if dt in HALVES:   # the same call on float32: a half call should take no longer
                    impls["float32"] = _cact_impls(name, x.astype(np.float32), g.astype(np.float32), a)
                impls["numpy"] = _callable_or_none(_numpy_impls(name, x, g, a))
                if torch is not None:
                    impls["torch"] = _callable_or_none(_torch_impls(torch, name, x, g, a))
                if "onnxruntime" in mods and BY_NAME[name].onnx is not None:
                    try:
                        impls["onnxruntime"] = _onnx_impls(mods["onnxruntime"], name, x, g, a, nthreads)
                    except Exception:   # (no such tensor type in ONNX for this dtype)
                        pass
                if "jax" in mods and BY_NAME[name].jax is not None:
                    impls["jax"] = _callable_or_none(_jax_impls(mods["jax"], name, x, g, a))
                for k, op in enumerate(ops):
                    idx = OPS.index(op)
                    keys = [key for key in impls if impls[key][idx] is not None]
                    with np.errstate(all="ignore"):
                        times = time_interleaved([impls[key][idx] for key in keys], repeats,
                                                 [PAUSE_AFTER.get(key, 0.0) for key in keys])
                    label = "backward(y)" if op == "backward" and name in FROM_Y else op
                    row = {"function": name, "op": label, "dtype": dt, "n": x.size}
                    row.update({key: t for key, t in zip(keys, times)})
                    rows.append(row)
                    done += 1
                    if progress is not None:
                        print(f"\r[{done}/{total}] {name} {op} {dt} n={n:<9,d} "
                              f"({time.perf_counter() - t_start:.0f}s)", end="", file=progress, flush=True)
    if progress is not None:
        print(file=progress)
    print_table(rows, [p for p in PEERS if p in mods], out, peer_versions(mods), busy)
    return rows


# ---- a training loop beside BLAS ----------------------------------------------------------------

def mlp_step_numpy(name):
    """(forward, backward) of relu or sigmoid in NumPy's in-place formulas, for mlp_steps"""
    if name == "relu":
        return (lambda z, a: np.maximum(z, 0, out=a)), (lambda z, g, d: np.multiply(g, z > 0, out=d))

    def fwd(z, a):
        np.negative(z, out=a)
        np.exp(a, out=a)
        a += 1
        np.reciprocal(a, out=a)
        return a

    def bwd(z, g, d):
        s = 1 / (1 + np.exp(-z))
        np.multiply(g, s * (1 - s), out=d)
        return d
    return fwd, bwd


def mlp_step_cact(name):
    """(forward, backward) of a cact activation into preallocated arrays, for mlp_steps"""
    f, fg = getattr(cact, name), getattr(cact, name + "_grad")
    return (lambda z, a: f(z, out=a)), (lambda z, g, d: fg(z, grad_output=g, out=d))


def mlp_steps(x, w, fwd, bwd, steps, matmul="numpy"):
    """Seconds per step of a training loop that alternates matmul (BLAS, its own threads) and an
    activation: one layer's forward and backward, Z = X @ W; A = f(Z); G = A @ W.T (the next
    layer's backward); delta = f'(Z) * G (tools/blas_bench.py, asv's BesideBlas)"""
    z = np.empty((x.shape[0], w.shape[1]), x.dtype)
    a, d = np.empty_like(z), np.empty_like(z)
    g = np.empty_like(z)
    mm, wt = np.matmul, w.T
    if matmul == "torch":   # PyTorch's matmul (its own pool) into the same memory
        import torch
        mm = lambda p, q, out: torch.matmul(p, q, out=out)   # noqa: E731
        x, w, wt, a = (torch.from_numpy(v) for v in (x, w, np.ascontiguousarray(w.T), a))
        zt, gt = torch.from_numpy(z), torch.from_numpy(g)
    else:
        zt, gt = z, g
    t0 = time.perf_counter()
    for _ in range(steps):
        mm(x, w, out=zt)
        fwd(z, a if matmul == "numpy" else a.numpy())
        mm(a, wt, out=gt)   # (w is square: the next layer's backward)
        bwd(z, g, d)
    return (time.perf_counter() - t0) / steps


def _fmt_time(s):
    if s < 1e-6:
        return f"{s * 1e9:.0f} ns"
    if s < 1e-3:
        return f"{s * 1e6:.1f} us"
    return f"{s * 1e3:.2f} ms"


_SHORT = {"float32": "f32", "numpy": "numpy", "torch": "torch", "onnxruntime": "ort", "jax": "jax"}


def _threads_label():
    n = cact.get_num_threads()
    return f"{n} thread" + ("" if n == 1 else "s")


def busy_cores():
    """About how many cores other processes hold, when that leaves cact's team fewer than it asks
    (else 0): the processes running now (Linux's /proc/loadavg, the median of a few looks, less
    this one), or the 1-minute load average where there is no /proc"""
    try:
        running = []
        for _ in range(5):
            with open("/proc/loadavg") as f:
                running.append(int(f.read().split()[3].split("/")[0]) - 1)
            time.sleep(0.01)
        others = sorted(running)[2]
    except (OSError, ValueError, IndexError):
        try:
            others = int(os.getloadavg()[0] + 0.5) - 1
        except (AttributeError, OSError):
            return 0
    cores = os.cpu_count() or 1
    return others if others > 0 and cores - others < cact.get_num_threads() else 0


def print_table(rows, peers=("torch",), out=sys.stdout, versions="", busy=0):
    """The table: cact's time, and each peer's time and ratio ('x <peer>': how many times faster
    cact is; '-' where a peer has no such call, as ONNX Runtime's backward); busy: busy_cores()
    when the timings began (a warning)"""
    cols = (["float32"] if any("float32" in r for r in rows) else []) + ["numpy", *peers]
    head = ["function", "op", "dtype", "n", "cact"]
    for c in cols:
        head += [_SHORT[c], f"x {_SHORT[c]}"]
    lines = [head]
    for r in rows:
        line = [r["function"], r["op"], r["dtype"], f"{r['n']:,}", _fmt_time(r["cact"])]
        for c in cols:
            line += [_fmt_time(r[c]), f"{r[c] / r['cact']:.2f}"] if c in r else ["-", "-"]
        lines.append(line)
    widths = [max(len(str(l[i])) for l in lines) for i in range(len(head))]
    print(f"cact {cact.__version__}, {_threads_label()}; numpy {np.__version__}"
          + (f", {versions}" if versions else "")
          + "; 'x <peer>': how many times faster cact is (median of interleaved repeats)", file=out)
    if busy:
        print(f"warning: other processes are running on about {busy} of this machine's {os.cpu_count()} "
              "cores: parallel timings will suffer (python -m cact bench --threads 1 measures without "
              "waiting for them)", file=out)
    if "float32" in cols:
        print("f32: cact's same call on float32 data (for float16 and bfloat16 rows; 'x f32' >= 1: the half "
              "call takes no longer)", file=out)
    if "onnxruntime" in peers:
        print("ort: ONNX Runtime's CPU session (intra-op threads as cact's, io_binding into a preallocated "
              "output; forward only), with a pause after each of its samples (its pool spins on)", file=out)
    if any(r["op"] == "backward(y)" for r in rows):
        print("backward(y): g * f'(x) from the forward's output y = f(x), for all three, as PyTorch's "
              "sigmoid/softmax backward take it (cact: f_grad(y=y, grad_output=g))", file=out)
    for j, l in enumerate(lines):
        print("  ".join(str(v).rjust(w) if i >= 3 else str(v).ljust(w) for i, (v, w) in enumerate(zip(l, widths))), file=out)
        if j == 0:
            print("  ".join("-" * w for w in widths), file=out)


def plot(rows, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("--plot needs matplotlib: pip install matplotlib (or pip install 'cact[bench]')", file=sys.stderr)
        return False
    peers = [p for p in ("numpy", *PEERS) if any(p in r for r in rows)]
    # one horizontal bar group per (function, op, dtype), labelled in full, forward before backward
    keys = sorted({(r["function"], r["op"], r["dtype"]) for r in rows},
                  key=lambda k: (k[2], FUNCTIONS.index(k[0]), not k[1].startswith("forward"), k[1]))
    sizes = sorted({r["n"] for r in rows})
    fig, axes = plt.subplots(1, len(peers), figsize=(5 * len(peers), max(4, 0.35 * len(keys) * len(sizes) ** 0.5)),
                             squeeze=False, sharey=True)
    height = 0.8 / len(sizes)
    pos = np.arange(len(keys))[::-1]   # the first key at the top
    for ax, peer in zip(axes[0], peers):
        for j, n in enumerate(sizes):
            vals = [next((r[peer] / r["cact"] for r in rows if (r["function"], r["op"], r["dtype"]) == k
                          and r["n"] == n and peer in r), np.nan) for k in keys]
            ax.barh(pos - j * height, vals, height, label=f"n = {n:,}")
        ax.axvline(1.0, color="k", lw=0.8)
        ax.set_xscale("log")
        ax.set_xlabel(f"speedup vs {peer}")
        ax.set_yticks(pos - 0.4 + height / 2)
        ax.set_yticklabels([f"{f} {o} {d}" for f, o, d in keys], fontsize=8)
        ax.legend(fontsize=8, loc="best")
    fig.suptitle(f"cact {cact.__version__}: time of {'/'.join(peers)} / time of cact ({_threads_label()})")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")
    return True
