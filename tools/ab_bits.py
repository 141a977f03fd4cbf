"""Check that this tree's build gives the same bits as an earlier one (cact_old, built by
tools/ab_build.sh): every activation of the registry that the earlier build also has, forward,
derivative and backward (from x and, where it exists, from y), float32 and float64, on the
layouts the kernels treat differently (contiguous, strided, transposed, reversed, out= in place),
sizes from 1 to past the thread and stream thresholds; softmax on rows of 1 to 70000 elements
(short rows in tiles, prefetched large arrays, -inf entries included); prelu per channel.

    bash tools/ab_build.sh REV && PYTHONPATH=/tmp/cact_ab:. python tools/ab_bits.py [--simd avx2]
(CACT_SIMD=... selects the kernel build for both.)
"""
import numpy as np

import cact
import cact_old
from cact import _registry as registry


def _same(a, b):
    if isinstance(a, tuple):
        return all(_same(u, v) for u, v in zip(a, b))
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def _layouts(x):
    yield "contiguous", x
    if x.ndim == 2:
        yield "strided", x[:, ::2]
        yield "transposed", x.T
        yield "reversed", x[::-1, ::-1]


def elementwise(rng, report):
    for vid, act, kw in registry.variants(("elementwise",)):
        if not hasattr(cact_old, act.name):
            continue
        for dt in (np.float32, np.float64):
            for shape in ((1,), (17,), (1000,), (300, 257), (1_200_000,), (2, 4_500_000)):
                x = (rng.standard_normal(shape) * 6).astype(dt)
                x.flat[:: max(1, x.size // 11)] = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-40, -1e30, 88.0, -90.0, 3.0, -0.75, -11.0][: len(x.flat[:: max(1, x.size // 11)])]
                g = rng.standard_normal(shape).astype(dt)
                for lay, xv in _layouts(x):
                    gv = next(v for name, v in _layouts(g) if name == lay)
                    pairs = {}
                    for mod, key in ((cact, "new"), (cact_old, "old")):
                        f, fg = getattr(mod, act.name), getattr(mod, act.name + "_grad")
                        pairs.setdefault("forward", []).append(f(xv, **kw))
                        pairs.setdefault("derivative", []).append(fg(xv, **kw))
                        pairs.setdefault("backward", []).append(fg(xv, grad_output=gv, **kw))
                        inplace = xv.copy()
                        pairs.setdefault("forward out=x", []).append(f(inplace, out=inplace, **kw))
                        if act.from_y:
                            y = cact_old.__dict__[act.name](xv, **kw)
                            pairs.setdefault("backward from y", []).append(fg(y=y, grad_output=gv, **kw))
                    for op, (a, b) in pairs.items():
                        report(_same(a, b), f"{vid} {np.dtype(dt).name} {shape} {lay} {op}")


def softmax(rng, report):
    for dt in (np.float32, np.float64):
        for K in (1, 2, 3, 5, 8, 12, 13, 16, 17, 20, 21, 28, 29, 31, 32, 33, 100, 1000, 1003, 5000, 70000):
            R = max(2, 3_000_000 // (K * 8)) if K >= 1000 else 300
            x = (rng.standard_normal((R, K)) * 5).astype(dt)
            g = rng.standard_normal((R, K)).astype(dt)
            x[0, 0] = -np.inf
            if K > 1:
                x[1, K // 2] = -np.inf
            y = cact_old.softmax(x)
            for axis in (-1, 0):
                pairs = {"forward": (cact.softmax(x, axis), cact_old.softmax(x, axis)),
                         "backward from x": (cact.softmax_grad(x, axis, grad_output=g),
                                             cact_old.softmax_grad(x, axis, grad_output=g)),
                         "backward from y": (cact.softmax_grad(y=y, axis=axis, grad_output=g),
                                             cact_old.softmax_grad(y=y, axis=axis, grad_output=g))}
                for op, (a, b) in pairs.items():
                    report(_same(a, b), f"softmax {np.dtype(dt).name} K={K} axis={axis} {op}")


def prelu(rng, report):
    for dt in (np.float32, np.float64):
        for shape, axis in (((64, 16), 1), ((8, 32, 100), 1), ((5000, 64), 1), ((40, 7, 9), 2), ((3_000_000, 4), 1)):
            x = (rng.standard_normal(shape) * 3).astype(dt)
            g = rng.standard_normal(shape).astype(dt)
            a = rng.uniform(-0.5, 0.5, shape[axis]).astype(dt)
            report(_same(cact.prelu(x, a, axis=axis), cact_old.prelu(x, a, axis=axis)), f"prelu {shape} forward")
            report(_same(cact.prelu_grad(x, a, axis=axis, grad_output=g), cact_old.prelu_grad(x, a, axis=axis, grad_output=g)),
                   f"prelu {shape} backward")


def main():
    rng = np.random.default_rng(7)
    bad, n = [], [0]

    def report(ok, label):
        n[0] += 1
        if not ok:
            bad.append(label)
            print("differ:", label)

    elementwise(rng, report)
    softmax(rng, report)
    prelu(rng, report)
    print(f"{len(bad)} differences in {n[0]} comparisons")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
