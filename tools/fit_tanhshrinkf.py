"""Fit the float polynomial of cact's float32 tanhshrink (kernels/math/tanh.h, CACT_TANHSHRINKF_P)
and print it as C, with the fit's maximum relative error.

    python tools/fit_tanhshrinkf.py

Below SMALL, x - tanh x = x^3 p(v), v = (x^2 - MID) / MID, MID = SMALL^2 / 2 (centred: in x^2
itself Horner's terms cancel to 14 times the result at SMALL) (beyond, (|x| - 1) + 2e / (1 + e), e = exp(-2|x|), no
longer cancels much: the kernel switches there); p of degree DEGREE, Lawson's minimax fit of the
relative error, coefficients rounded to float one at a time (fit_expf.fit_rounded).
"""
import os
import sys

import mpmath as mp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fit_expf import fit_rounded  # noqa: E402

SMALL, DEGREE = 1.5, 9

if __name__ == "__main__":
    mp.mp.dps = 40
    xs = [mp.mpf(SMALL) * (k + 0.5) / 500 for k in range(500)]
    mid = SMALL**2 / 2   # (1.125: exact in float, and so is 1 / mid's product below to within a rounding)
    scale = mp.mpf(float(__import__("numpy").float32(1 / mid)))
    c, err = fit_rounded(xs, lambda x: (x * x - mid) * scale, lambda x: (x - mp.tanh(x)) / x**3, lambda x: 1,
                         DEGREE, iters=50)
    print(f"/* tools/fit_tanhshrinkf.py: (x - tanh x) / x^3 on |x| < {SMALL}, max relative error {err:.2e} */")
    print(f"#define CACT_TANHSHRINKF_SMALL {SMALL}f\n#define CACT_TANHSHRINKF_MID {mid!r}f")
    print(f"#define CACT_TANHSHRINKF_SCALE {float(scale)!r}f\n#define CACT_TANHSHRINKF_N {len(c)}")
    print(f"static const float CACT_TANHSHRINKF_P[{len(c)}] = {{" + ", ".join(f"{float(v)!r}f" for v in c) + "};")
