"""Fit the polynomial of cact's float tanh near 0 (kernels/math/tanh.h, CACT_TANHF_P*) and report
the float32 kernel's error over every float in the polynomial's range.

    python tools/fit_tanhf.py

tanh(x) = x + x s p(s), s = x^2, on |x| <= CACT_TANHF_SMALL (where tanh < 1/2; beyond it the
kernel uses exp), p of degree DEGREE, fitted by Lawson's iteration (weighted least squares that
converges to the minimax fit of the relative error of tanh); the coefficients are rounded to float.
"""
import os
import sys

import mpmath as mp
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fit_expf import lawson  # noqa: E402

A = 0.5493   # atanh(1/2)
DEGREE = 4


def fit():
    mp.mp.dps = 40
    xs = [A * (k + 0.5) / 600 for k in range(600)]
    xs = [mp.mpf(x) for x in xs]
    basis = np.array([[float((x * x) ** j) for j in range(DEGREE + 1)] for x in xs])
    target = np.array([float((mp.tanh(x) - x) / x**3) for x in xs])
    weight = np.array([float(x**3 / mp.tanh(x)) for x in xs])   # error in p -> relative error in tanh
    return [np.float32(v) for v in lawson(basis, target, weight, 300)]


if __name__ == "__main__":
    coeffs = fit()
    for j, c in enumerate(coeffs):
        print(f"#define CACT_TANHF_P{j} {float(c)!r}f")
    try:
        import cact
    except ImportError:
        raise SystemExit
    # every float32 in (0, A]: the kernel against float64's tanh (itself within 1 ulp of double)
    x = np.arange(np.float32(2**-30).view(np.uint32), np.float32(A).view(np.uint32), dtype=np.uint32).view(np.float32)
    got = cact.tanh(x).astype(np.float64)
    true = np.tanh(x.astype(np.float64))
    ulp = np.spacing(np.abs(true).astype(np.float32)).astype(np.float64)
    print(f"/* the installed kernel on {x.size} floats in (2^-30, {A}): max {np.max(np.abs(got - true) / ulp):.3f} ulp */")
