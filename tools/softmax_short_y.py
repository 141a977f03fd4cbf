"""softmax_grad(y=, grad_output=) on short rows, (50000 / K, K), this tree's build against an
earlier one (cact_old, tools/ab_build.sh), interleaved, medians of 9.

    bash tools/ab_build.sh REV /tmp/ab_head && PYTHONPATH=/tmp/ab_head python tools/softmax_short_y.py \
        [float64] [2,4,8,10,12,16,20,24,32]
"""
import sys
import timeit

import numpy as np

import cact
import cact_old


def main():
    dt = np.dtype(sys.argv[1]) if len(sys.argv) > 1 else np.dtype(np.float64)
    Ks = [int(k) for k in (sys.argv[2] if len(sys.argv) > 2 else "2,4,8,10,12,16,20,24,32").split(",")]
    rng = np.random.default_rng(0)
    for K in Ks:
        R = 50000 // K
        y = cact.softmax(rng.standard_normal((R, K)).astype(dt))
        g = rng.standard_normal((R, K)).astype(dt)
        fs = [lambda: cact_old.softmax_grad(y=y, grad_output=g), lambda: cact.softmax_grad(y=y, grad_output=g)]
        t = np.array([[min(timeit.repeat(f, number=20, repeat=3)) / 20 for f in fs] for _ in range(9)])
        a, b = np.median(t, axis=0)
        print(f"{dt} K={K:3d} R={R:6d} old {a * 1e6:8.1f} us new {b * 1e6:8.1f} us old/new {a / b:.2f}")


if __name__ == "__main__":
    main()
