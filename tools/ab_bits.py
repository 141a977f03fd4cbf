"""Check that softmax gives the same bits in this tree's build and an earlier one (cact_old, built by
tools/ab_build.sh), forward and backward from x and from y, float32 and float64, rows of 1 to 70000
elements (short rows in tiles, prefetched large arrays, -inf entries included).

    bash tools/ab_build.sh REV && PYTHONPATH=/tmp/cact_ab python tools/ab_bits.py
"""
import numpy as np

import cact
import cact_old


def main():
    rng = np.random.default_rng(7)
    bad = 0
    for dt in (np.float32, np.float64):
        for K in (1, 2, 3, 5, 8, 12, 13, 16, 17, 20, 21, 28, 29, 31, 32, 33, 100, 1000, 1003, 5000, 70000):
            R = max(2, 3_000_000 // (K * 8)) if K >= 1000 else 300
            x = (rng.standard_normal((R, K)) * 5).astype(dt)
            g = rng.standard_normal((R, K)).astype(dt)
            x[0, 0] = -np.inf
            if K > 1:
                x[1, K // 2] = -np.inf
            y = cact_old.softmax(x)
            pairs = {"forward": (cact.softmax(x), y),
                     "backward from x": (cact.softmax_grad(x, grad_output=g), cact_old.softmax_grad(x, grad_output=g)),
                     "backward from y": (cact.softmax_grad(y=y, grad_output=g), cact_old.softmax_grad(y=y, grad_output=g))}
            for op, (a, b) in pairs.items():
                if not np.array_equal(a, b, equal_nan=True):
                    bad += 1
                    print(f"differ: {np.dtype(dt).name} K={K} {op}, max {np.nanmax(np.abs(a - b)):.3g}")
    print(f"{bad} differences")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
