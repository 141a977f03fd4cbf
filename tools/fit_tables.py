"""Fit cact's float32 piecewise tables (cact/kernels/math/tables_f32.h) and print them as C, with
each fit's maximum relative error.

    python tools/fit_tables.py > cact/kernels/math/tables_f32.h

A table covers [A, B) with 32 intervals, so that on AVX-512 each coefficient is one vpermt2ps of a
register pair (math/table.h); on each interval f is a polynomial of degree DEG in r = x - o, o the
interval's centre. The interval of x is floor(u(x)), u = C0 + C1 x + C2 x^2 increasing on [A, B),
its intervals RATIO times narrower at A than at B (RATIO 16 for the GELUs: Phi's relative slope is
|x|, steep in the negative tail). In the intervals next to a root of f, o is the root (a float pair)
and the polynomial r Q(r), so the relative error stays bounded there. From L on, f rounds to its
limit (x or 1; checked here): the kernel takes the limit from SAT = L, or a hair below B when L = B
(u rounded at B could reach 32). Below A, on [B, L) (the kernel: from IN_END, a hair below B) and
for NaN the kernels use their closed forms.

Each fit is Lawson's minimax iteration on the relative error, its coefficients rounded to float one
at a time (the higher ones refitted after each): tools/fit_expf.py's fit_rounded.
"""
import os
import sys

import mpmath as mp
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from fit_expf import fit_rounded as fit  # noqa: E402
from fit_gelu_erff import F32, float_pair  # noqa: E402
from cact._registry import BY_NAME  # noqa: E402

mp.mp.dps = 40
N, DEG = 32, 7


def reference(name, grad=False, **params):
    """the registry's mpmath value or derivative of activation `name` (one place for each formula)"""
    row = BY_NAME[name]
    f = row.mp_grad if grad else row.mp
    return lambda x: f(mp, x, **params)


gelu_erf = reference("gelu", approximate="none")
gelu_grad = reference("gelu", True, approximate="none")
gelu_tanh_grad = reference("gelu", True, approximate="tanh")
silu_grad = reference("silu", True)
mish_grad = reference("mish", True)


# name: (f, A, B, L, limit from L on ("x" or "1"), roots of f in [A, B), RATIO)
TABLES = {
    "GELU_ERF": (gelu_erf, -8.0, 5.5, 5.5, "x", [mp.mpf(0)], 16),
    "GELU_ERF_GRAD": (gelu_grad, -8.0, 6.0, 6.0, "1", [mp.findroot(gelu_grad, -0.75)], 16),
    "GELU_TANH_GRAD": (gelu_tanh_grad, -6.0, 6.0, 6.0, "1", [mp.findroot(gelu_tanh_grad, -0.75)], 16),
    "SILU_GRAD": (silu_grad, -10.0, 10.0, 19.6, "1", [mp.findroot(silu_grad, -1.28)], 1),
    "MISH_GRAD": (mish_grad, -10.0, 10.0, 10.5, "1", [mp.findroot(mish_grad, -1.19)], 1),
}


def index_map(a, b, ratio):
    """float C0, C1, C2 of u(x) = C0 + C1 x + C2 x^2: u(a) = 0, u(b) = N, u'(b) = u'(a) / ratio"""
    m = mp.matrix([[1 - mp.mpf(1) / ratio, 2 * b - 2 * mp.mpf(a) / ratio], [b - a, b * b - a * a]])
    c1, c2 = mp.lu_solve(m, mp.matrix([0, N]))
    return [F32(v) for v in (-(c1 * a + c2 * a * a), c1, c2)]


def table(f, a0, b0, l0, limit, roots, ratio):
    """(C0, C1, C2, IN_END, SAT, coefficients [DEG + 1][N], origins hi, origins lo, max relative error)"""
    c0, c1, c2 = index_map(a0, b0, ratio)
    u = lambda x: c0 + c1 * x + c2 * x * x   # noqa: E731  (exact in the float coefficients)
    edges = [mp.findroot(lambda x: u(x) - k, a0 + (b0 - a0) * k / N) for k in range(N + 1)]
    in_end = np.float32(float(b0 - (edges[-1] - edges[-2]) / 100))
    sat = in_end if l0 == b0 else np.float32(l0)
    for x in np.linspace(float(sat), 3 * l0, 200, dtype=np.float32):   # f rounds to its limit there
        lim = x if limit == "x" else np.float32(1)
        assert np.float32(float(f(mp.mpf(float(x))))) == lim, (x, f(mp.mpf(float(x))))
    coef, ohi, olo, worst = [], [], [], 0.0
    for i in range(N):
        a, b = edges[i], edges[i + 1]
        w = b - a
        root = next((r for r in roots if a - w <= r < b + w), None)
        o_hi, o_lo = float_pair(root) if root is not None else (np.float32(float((a + b) / 2)), np.float32(0))
        o = mp.mpf(float(o_hi)) + mp.mpf(float(o_lo))
        m = w / 200   # (u rounds: a lane may land a hair outside its interval)
        xs = [(a + b) / 2 + (w + 2 * m) / 2 * mp.cos(mp.pi * (k + 0.5) / 160) for k in range(160)]
        if root is not None:   # f = r Q(r): fit Q, weighted by the relative error of f
            q = lambda x: f(x) / (x - root) if x != root else mp.diff(f, root)   # noqa: E731
            c, err = fit(xs, lambda x: x - o, q, lambda x: 1 / abs(q(x)), DEG - 1, iters=60)
            c = [np.float32(0)] + list(c)
        else:
            c, err = fit(xs, lambda x: x - o, f, lambda x: 1 / abs(f(x)), DEG, iters=60)
        coef.append(c)
        ohi.append(o_hi)
        olo.append(o_lo)
        worst = max(worst, err)
    return c0, c1, c2, in_end, sat, [[coef[i][k] for i in range(N)] for k in range(DEG + 1)], ohi, olo, worst


def c_floats(v):
    return "{" + ", ".join(f"{float(x)!r}f" for x in v) + "}"


def main(names):
    print("/* Generated by tools/fit_tables.py; do not edit by hand. */")
    print("#ifndef CACT_TABLES_F32_H\n#define CACT_TABLES_F32_H")
    print(f"#define CACT_TAB_N {N}\n#define CACT_TAB_DEG {DEG}")
    for name in names:
        f, a, b, lim_from, limit, roots, ratio = TABLES[name]
        c0, c1, c2, in_end, sat, coef, ohi, olo, err = table(f, a, b, lim_from, limit, roots, ratio)
        print(f"/* {name}: [{a}, {b}), {limit} from {lim_from}; coefficient k of interval i at [k][i]; "
              f"max relative error {err:.2e} */")
        print(f"#define CACT_TAB_{name}_A {a}f\n#define CACT_TAB_{name}_IN_END {float(in_end)!r}f")
        print(f"#define CACT_TAB_{name}_SAT {float(sat)!r}f")
        print(f"#define CACT_TAB_{name}_SAT_X {int(limit == 'x')}")
        print(f"#define CACT_TAB_{name}_OLO_USED {int(any(float(v) != 0 for v in olo))}")
        for k, v in enumerate((c0, c1, c2)):
            print(f"#define CACT_TAB_{name}_C{k} {float(v)!r}f")
        print(f"static const float CACT_TAB_{name}[{DEG + 1}][{N}] __attribute__((aligned(64))) = {{")
        print(",\n".join("    " + c_floats(row) for row in coef) + "};")
        print(f"static const float CACT_TAB_{name}_OHI[{N}] __attribute__((aligned(64))) = {c_floats(ohi)};")
        print(f"static const float CACT_TAB_{name}_OLO[{N}] __attribute__((aligned(64))) = {c_floats(olo)};")
    print("#endif")


if __name__ == "__main__":
    main(sys.argv[1:] or list(TABLES))
