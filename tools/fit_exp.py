"""Fit the polynomial of cact's double exp (_math.h, CACT_EXP_Q*) and report its error.

    python tools/fit_exp.py

exp(r) = 1 + r + r^2 q(r) on |r| <= 0.3467 (ln2 / 2 plus slack), q of degree 9 (exp of degree 11):
Chebyshev interpolation of q in 50-digit arithmetic (mpmath.chebyfit, within a small factor of the
minimax fit), coefficients rounded to double, the relative error of exp measured with mpmath.
Degree 9 gives 1.6e-17 (0.15 x 2^-53; the Taylor series it replaced, exp of degree 13: 5e-18);
degree 8 gives 1.2e-15 (10.6 x 2^-53), too much.
"""
import mpmath as mp

A = mp.mpf("0.3467")
DEGREE = 9


def q(r):
    return mp.mpf(1) / 2 if r == 0 else (mp.expm1(r) - r) / r**2


def fit():
    mp.mp.dps = 50
    poly = mp.chebyfit(q, [-A, A], DEGREE + 1)
    return [float(c) for c in reversed(poly)]   # constant term first


def max_relative_error(coeffs):
    worst = mp.mpf(0)
    for i in range(8001):
        r = -A + 2 * A * i / 8000
        qq = mp.mpf(0)
        for c in reversed(coeffs):
            qq = qq * r + mp.mpf(c)
        worst = max(worst, abs((1 + r + r * r * qq) / mp.exp(r) - 1))
    return float(worst)


if __name__ == "__main__":
    coeffs = fit()
    for j, c in enumerate(coeffs):
        print(f"#define CACT_EXP_Q{j} {c!r}")
    err = max_relative_error(coeffs)
    print(f"/* max relative error {err:.2e} = {err / 2**-53:.3f} x 2^-53 */")
