"""Fit the float polynomials of cact's float32 exact GELU (kernels/math/gelu.h, CACT_GELUF_*), which
runs in float lanes, and print them as C macros with each fit's maximum relative error.

    python tools/fit_gelu_erff.py > cact/kernels/math/gelu_erff_consts.h

The forms (t = |x|, r the root of gelu', near -0.7518):
- |x| < SMALL: Phi(x) = 1/2 + x R(w), w = x^2 / SMALL^2    (R: CACT_GELUF_R*)
- gelu'(x) = 1/2 + x S(w) on (ROOT_LO_END, SMALL)            (S: CACT_GELUF_S*)
- gelu'(x) = (x - r) F(d) on [ROOT_START, ROOT_LO_END], d = x - r_hi, exact in float there (F*)
- beyond: Q(t) = Phi(-t) = exp(-t^2 / 2) W(t), W(t) = s H(s), s = C / (C + t); H in
  v = (s - mid) / half on [C / (C + TMAX), C / (C + SMALL)]   (H: CACT_GELUF_H*)
C = 1/2 makes H nearly insensitive to the rounding of s (d log H / d log s stays below 0.3).

The AVX-512 build first tries piecewise tables (CACT_GELUF_TAB_*): 32 intervals of [A, B) (one
register pair, so a coefficient is one vpermt2ps), on each a polynomial of degree TAB_DEG in
r = x - o (o the interval's centre): gelu(x) (from B = 5.5 on it rounds to x) and gelu'(x) (from 6
on it rounds to 1). The interval of x is
floor(u(x)), u = C0 + C1 x + C2 x^2 increasing on [A, B): intervals RATIO times narrower at A = -8
than at B, as Phi's relative slope |x| asks (the negative tail is steep, the positive side flat).
In the intervals next to the function's root (gelu's 0, gelu''s -0.7518), o is the root (a float
pair) and the polynomial is r Q(r), so the relative error stays bounded there. Lanes below A (and NaN) take the forms above;
the kernel takes B's results from SAT, a hair below B (u rounded at B could reach 32).
Each fit is Lawson's minimax iteration on the relative error that matters (of Phi, of gelu', of
W), its coefficients rounded to float one at a time (the higher ones refitted after each).
"""
import os
import sys

import mpmath as mp
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fit_expf import fit_rounded as fit  # noqa: E402

mp.mp.dps = 40
SMALL, ROOT_START, ROOT_LO_END, TMAX, C = 0.75, -1.5, -0.4, 14.5, 0.5
DEG_R, DEG_S, DEG_F, DEG_H = 7, 8, 11, 11


def gelu_grad(x):
    return mp.ncdf(x) + x * mp.npdf(x)


ROOT = mp.findroot(gelu_grad, -0.75)


F32 = lambda v: mp.mpf(float(np.float32(float(v))))   # noqa: E731  (a constant as the kernel holds it)


def fits():
    """the four fits, each in the variable exactly as the kernel forms it from its float constants"""
    out = {}
    w_scale = F32(1 / mp.mpf(SMALL) ** 2)
    xs = [mp.mpf(SMALL) * (k + 0.5) / 400 for k in range(400)]
    # R: Phi(x) - 1/2 = x R(w); error in R -> relative error of Phi(-|x|) (the smaller side)
    out["R"] = fit(xs, lambda x: x * x * w_scale, lambda x: (mp.ncdf(x) - 0.5) / x,
                   lambda x: x / mp.ncdf(-x), DEG_R, iters=20)   # (near exact: more iterations underflow)
    # S: gelu'(x) - 1/2 = x S(w) on (ROOT_LO_END, SMALL): relative error of gelu'
    out["S"] = fit(xs, lambda x: x * x * w_scale, lambda x: (gelu_grad(x) - 0.5) / x,
                   lambda x: x / (gelu_grad(-x) if x <= -ROOT_LO_END else gelu_grad(x)), DEG_S, iters=20)
    # F: gelu'(x) / (x - r) on [ROOT_START, ROOT_LO_END], in d = x - r_hi (exact in float there)
    r_hi = F32(ROOT)
    xr = [mp.mpf(ROOT_START) + (ROOT_LO_END - ROOT_START) * (k + 0.5) / 400 for k in range(400)]
    out["F"] = fit(xr, lambda x: x - r_hi,
                   lambda x: gelu_grad(x) / (x - ROOT) if abs(x - ROOT) > 1e-20 else mp.diff(gelu_grad, ROOT),
                   lambda x: 1 / abs(gelu_grad(x) / (x - ROOT)), DEG_F)
    # H: W(t) = Q(t) exp(t^2 / 2) = s H(s), s = C / (C + t), in v = (s - mid) scale
    s0, s1 = C / (C + TMAX), C / (C + SMALL)
    smid, sscale = F32((s0 + s1) / 2), F32(2 / (s1 - s0))
    ss = [mp.mpf(s0) + (s1 - s0) * (k + 0.5) / 400 for k in range(400)]

    def H(s):
        t = C * (1 - s) / s
        return mp.ncdf(-t) * mp.exp(t * t / 2) / s
    out["H"] = fit(ss, lambda s: (s - smid) * sscale, H, lambda s: 1 / H(s), DEG_H)
    consts = {"W_SCALE": w_scale, "H_MID": smid, "H_SCALE": sscale}
    return out, consts


TAB_N, TAB_DEG, TAB_RATIO = 32, 7, 16
TAB_DOMAINS = {"FWD": (-8.0, 5.5), "GRAD": (-8.0, 6.0)}   # [A, B): beyond B, x and 1


def index_map(a, b):
    """float C0, C1, C2 of u(x) = C0 + C1 x + C2 x^2: u(a) = 0, u(b) = TAB_N, u'(b) = u'(a) / TAB_RATIO"""
    r = TAB_RATIO
    m = mp.matrix([[1 - mp.mpf(1) / r, 2 * b - 2 * mp.mpf(a) / r], [b - a, b * b - a * a]])
    c1, c2 = mp.lu_solve(m, mp.matrix([0, TAB_N]))
    return [F32(v) for v in (-(c1 * a + c2 * a * a), c1, c2)]


def tables():
    """the piecewise fits: {name: (C0, C1, C2, SAT, coefficients [TAB_DEG + 1][TAB_N], origins hi,
    origins lo, error)}"""
    out = {}
    for name, f, root in (("FWD", lambda x: x * mp.ncdf(x), mp.mpf(0)), ("GRAD", gelu_grad, ROOT)):
        a0, b0 = TAB_DOMAINS[name]
        c0, c1, c2 = index_map(a0, b0)
        u = lambda x: c0 + c1 * x + c2 * x * x   # noqa: E731  (exact in the float coefficients)
        edges = [mp.findroot(lambda x: u(x) - k, a0 + (b0 - a0) * k / TAB_N) for k in range(TAB_N + 1)]
        sat = np.float32(float(b0 - (edges[-1] - edges[-2]) / 100))
        coef, ohi, olo, worst = [], [], [], 0.0
        for i in range(TAB_N):
            a, b = edges[i], edges[i + 1]
            w = b - a
            at_root = a - w <= root < b + w
            o_hi, o_lo = float_pair(root) if at_root else (np.float32(float((a + b) / 2)), np.float32(0))
            o = mp.mpf(float(o_hi)) + mp.mpf(float(o_lo))
            m = w / 200   # (u rounds: a lane may land a hair outside its interval)
            xs = [(a + b) / 2 + (w + 2 * m) / 2 * mp.cos(mp.pi * (k + 0.5) / 160) for k in range(160)]
            if at_root:   # f = r Q(r): fit Q, weighted by the relative error of f
                q = lambda x: f(x) / (x - root) if x != root else mp.diff(f, root)   # noqa: E731
                c, err = fit(xs, lambda x: x - o, q, lambda x: 1 / abs(q(x)),
                             TAB_DEG - 1, iters=60)
                c = [np.float32(0)] + list(c)
            else:
                c, err = fit(xs, lambda x: x - o, f, lambda x: 1 / abs(f(x)), TAB_DEG, iters=60)
            coef.append(c)
            ohi.append(o_hi)
            olo.append(o_lo)
            worst = max(worst, err)
        out[name] = (c0, c1, c2, sat, [[coef[i][k] for i in range(TAB_N)] for k in range(TAB_DEG + 1)], ohi, olo, worst)
    return out


def c_floats(v):
    return "{" + ", ".join(f"{float(x)!r}f" for x in v) + "}"


def float_pair(v):
    hi = np.float32(float(v))
    return hi, np.float32(float(v - mp.mpf(float(hi))))


if __name__ == "__main__":
    out, consts = fits()
    print("/* Generated by tools/fit_gelu_erff.py; do not edit by hand. */")
    print("#ifndef CACT_GELU_ERFF_CONSTS_H\n#define CACT_GELU_ERFF_CONSTS_H")
    print(f"#define CACT_GELUF_SMALL {SMALL}f")
    print(f"#define CACT_GELUF_ROOT_START {ROOT_START}f\n#define CACT_GELUF_ROOT_END {ROOT_LO_END}f")
    print(f"#define CACT_GELUF_C {C}f\n#define CACT_GELUF_SAT 15.0f")
    for name, v in (("ROOT", ROOT), ("RSQRT2PI", 1 / mp.sqrt(2 * mp.pi))):
        hi, lo = float_pair(v)
        print(f"#define CACT_GELUF_{name}_HI {float(hi)!r}f\n#define CACT_GELUF_{name}_LO {float(lo)!r}f")
    for k, v in consts.items():
        print(f"#define CACT_GELUF_{k} {float(np.float32(v))!r}f")
    for name, (c, err) in out.items():
        print(f"/* {name}: coefficients of v^0, v^1, ...; max relative error {err:.2e} */")
        print(f"#define CACT_GELUF_{name}_N {len(c)}")
        print(f"static const float CACT_GELUF_{name}[{len(c)}] = {{" + ", ".join(f"{float(v)!r}f" for v in c) + "};")
    print(f"#define CACT_GELUF_TAB_N {TAB_N}\n#define CACT_GELUF_TAB_DEG {TAB_DEG}")
    for name, (c0, c1, c2, sat, coef, ohi, olo, err) in tables().items():
        print(f"#define CACT_GELUF_TAB_{name}_A {TAB_DOMAINS[name][0]}f\n#define CACT_GELUF_TAB_{name}_SAT {float(sat)!r}f")
        for k, v in enumerate((c0, c1, c2)):
            print(f"#define CACT_GELUF_TAB_{name}_C{k} {float(v)!r}f")
        print(f"/* TAB_{name}: coefficient k of interval i at [k][i]; max relative error {err:.2e} */")
        print(f"static const float CACT_GELUF_TAB_{name}[{TAB_DEG + 1}][{TAB_N}] __attribute__((aligned(64))) = {{")
        print(",\n".join("    " + c_floats(row) for row in coef) + "};")
        print(f"static const float CACT_GELUF_TAB_{name}_OHI[{TAB_N}] __attribute__((aligned(64))) = {c_floats(ohi)};")
        print(f"static const float CACT_GELUF_TAB_{name}_OLO[{TAB_N}] __attribute__((aligned(64))) = {c_floats(olo)};")
    print("#endif")
