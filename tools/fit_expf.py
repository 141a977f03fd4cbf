"""Fit the polynomial of cact's float exp (cact/kernels/math/common.h, CACT_EXPF_Q*) and report its error.

    python tools/fit_expf.py

exp(r) = 1 + r + r^2 q(r) on |r| <= 0.3467 (ln2 / 2 plus the slack of rounding k in float), q of
degree 4, fitted by Lawson's iteration (weighted least squares converging to the minimax fit of the
relative error); the coefficients are rounded to float and the error is measured with mpmath.
"""
import mpmath as mp
import numpy as np

A = 0.3467
DEGREE = 4


def fit():
    mp.mp.dps = 40
    xs = [A * mp.cos(mp.pi * (k + 0.5) / 400) for k in range(400)]
    basis = np.array([[float(x**j) for j in range(DEGREE + 1)] for x in xs])
    target = np.array([float((mp.exp(x) - 1 - x) / x**2) for x in xs])
    weight = np.array([float(x**2 / mp.exp(x)) for x in xs])  # error in q -> relative error in exp
    return [np.float32(v) for v in lawson(basis, target, weight, 200)]


def lawson(basis, target, weight, iterations):
    """Lawson's iteration: weighted least squares whose weights converge to the minimax fit of
    (basis @ c - target) * weight; returns c"""
    lw = np.ones(len(target))
    for _ in range(iterations):
        w = np.sqrt(lw) * weight
        c, *_ = np.linalg.lstsq(basis * w[:, None], target * w, rcond=None)
        err = np.abs((basis @ c - target) * weight)
        if not err.max() > 1e-14:   # (exact to double's rounding: reweighting fits its noise)
            break
        lw *= err / err.sum() * len(target)
    return c


def fit_rounded(xs, basis_of, target_of, weight_of, degree, iters=200):
    """minimax coefficients rounded to float one at a time, from the lowest: each rounding's error
    is refitted by the coefficients above it"""
    basis = np.array([[float(b) ** j for j in range(degree + 1)] for b in map(basis_of, xs)])
    target = np.array([float(target_of(x)) for x in xs])
    weight = np.array([float(weight_of(x)) for x in xs])
    c = []
    for j in range(degree + 1):
        rest = target - (basis[:, :j] @ np.array(c, np.float64) if c else 0.0)
        c.append(np.float32(lawson(basis[:, j:], rest, weight, iters)[0]))
    approx = basis @ np.array(c, np.float64)
    return c, float(np.max(np.abs((approx - target) * weight)))


def max_relative_error(coeffs):
    worst = mp.mpf(0)
    for x in np.linspace(-A, A, 20001):
        x = mp.mpf(float(x))
        q = sum(mp.mpf(float(c)) * x**j for j, c in enumerate(coeffs))
        worst = max(worst, abs((1 + x + x * x * q) / mp.exp(x) - 1))
    return float(worst)


def report(coeffs, macro, suffix, unit, unit_name):
    """The coefficients as C macros, and the fit's error in `unit`"""
    for j, c in enumerate(coeffs):
        print(f"#define {macro}{j} {float(c)!r}{suffix}")
    err = max_relative_error(coeffs)
    print(f"/* max relative error {err:.2e} = {err / unit:.3f} {unit_name} */")


if __name__ == "__main__":
    report(fit(), "CACT_EXPF_Q", "f", 2**-23, "ulp of 1")
