"""prelu on small and odd shapes (one row of many channels, few rows, NCHW): cact against NumPy's
np.maximum(a * x, x), and against an earlier build when tools/ab_build.sh made one (cact_old on
PYTHONPATH), interleaved, in ns per call.

    [PYTHONPATH=/tmp/cact_ab] python tools/prelu_shapes.py
"""
import numpy as np

import cact
from cact._bench import time_interleaved

try:
    import cact_old
except ImportError:
    cact_old = None

SHAPES = [(1, 4), (1, 64), (15, 64), (1, 1024), (8, 1024), (64, 1), (4, 64, 7, 7)]


def main():
    for shape in SHAPES:
        for dt in (np.float32, np.float64):
            x = np.random.default_rng(0).standard_normal(shape).astype(dt)
            a = np.full(shape[1], 0.1, dt)
            ab = a.reshape((-1,) + (1,) * (x.ndim - 2))
            fns = [lambda: cact.prelu(x, a), lambda: np.maximum(ab * x, x)]
            if cact_old is not None:
                fns.append(lambda: cact_old.prelu(x, a))
            t = time_interleaved(fns, repeats=9)
            row = f"{str(shape):14s} {np.dtype(dt).name:8s} cact {t[0] * 1e9:7.0f} ns  numpy {t[1] * 1e9:7.0f} ns  x numpy {t[1] / t[0]:5.2f}"
            if cact_old is not None:
                row += f"   old {t[2] * 1e9:7.0f} ns  old/new {t[2] / t[0]:5.2f}  old x numpy {t[1] / t[2]:5.2f}"
            print(row, flush=True)


if __name__ == "__main__":
    main()
