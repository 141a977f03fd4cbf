"""softmax_grad(y=, grad_output=) in float64 with random g and with every other row of g zero
(masked gradients), rows of 10 and 1000, this tree's build against an earlier one (cact_old,
tools/ab_build.sh), interleaved, medians of 9.

    bash tools/ab_build.sh REV /tmp/ab_head && PYTHONPATH=/tmp/ab_head python tools/softmax_zero_rows_y.py
"""
import timeit, numpy as np, cact, cact_old
rng = np.random.default_rng(0)
for K in (10, 1000):
    R = 100000 // K
    y = cact.softmax(rng.standard_normal((R, K))); g = rng.standard_normal((R, K)); gz = g.copy(); gz[::2] = 0.0
    for label, gg in (("random g", g), ("every other row of g zero", gz)):
        fs = [lambda: cact_old.softmax_grad(y=y, grad_output=gg), lambda: cact.softmax_grad(y=y, grad_output=gg)]
        t = np.array([[min(timeit.repeat(f, number=20, repeat=3)) / 20 for f in fs] for _ in range(9)])
        a, b = np.median(t, axis=0)
        print(f"K={K:5d} {label:28s} old {a*1e6:7.1f} us new {b*1e6:7.1f} us old/new {a/b:.2f}")
