"""Fit the polynomial of cact's double exp (cact/kernels/math/common.h, CACT_EXP_Q*) and report its error.

    python tools/fit_exp.py

exp(r) = 1 + r + r^2 q(r) on |r| <= 0.3467 (ln2 / 2 plus slack), q of degree 9 (exp of degree 11):
Chebyshev interpolation of q in 50-digit arithmetic (mpmath.chebyfit, within a small factor of the
minimax fit), coefficients rounded to double, the relative error of exp measured with mpmath (tools/fit_expf.py).
Degree 9 gives 1.6e-17 (0.15 x 2^-53; the Taylor series it replaced, exp of degree 13: 5e-18);
degree 8 gives 1.2e-15 (10.6 x 2^-53), too much.
"""
import os
import sys

import mpmath as mp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fit_expf  # noqa: E402  (its error measure and report serve both fits)

A = mp.mpf("0.3467")
DEGREE = 9


def q(r):
    return mp.mpf(1) / 2 if r == 0 else (mp.expm1(r) - r) / r**2


def fit():
    mp.mp.dps = 50
    poly = mp.chebyfit(q, [-A, A], DEGREE + 1)
    return [float(c) for c in reversed(poly)]   # constant term first


if __name__ == "__main__":
    fit_expf.report(fit(), "CACT_EXP_Q", "", 2**-53, "x 2^-53")
