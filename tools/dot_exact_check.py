"""cact_dot_exact (kernels/math/softmax.h: sum(g y) correctly rounded, the backward from y's slow path) and
cact_dd_round against Python's exact arithmetic (Fraction -> float rounds correctly), on rows made
to be hard: exponents over the whole range, subnormals, overflowing terms, cancellation, sums at
and next to rounding ties. Builds the two functions into a small library with gcc.

    python tools/dot_exact_check.py [--cases 20000]
"""
import argparse
import ctypes
import os
import random
import subprocess
import sys
import sysconfig
import tempfile
from fractions import Fraction

import numpy as np

SRC = r'''
#include <Python.h>
#include "math/softmax.h"
double dot_exact(const double *y, const double *g, long K) { return cact_dot_exact(y, 1, g, 1, K); }
int dd_round(double a, double b, double E, double *r) { return cact_dd_round(a, b, E, r); }
'''


def build():
    d = tempfile.mkdtemp()
    c, so = os.path.join(d, "de.c"), os.path.join(d, "de.so")
    with open(c, "w") as f:
        f.write(SRC)
    here = os.path.dirname(os.path.abspath(__file__))
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-ffp-contract=off", "-fno-math-errno", "-fwrapv",
                    "-march=x86-64-v3" if sys.platform == "linux" else "-O2",
                    "-I" + sysconfig.get_paths()["include"], "-I" + os.path.join(here, "..", "cact", "kernels"), c, "-o", so, "-lm"],
                   check=True)
    lib = ctypes.CDLL(so)
    P = ctypes.POINTER(ctypes.c_double)
    lib.dot_exact.argtypes = [P, P, ctypes.c_long]
    lib.dot_exact.restype = ctypes.c_double
    lib.dd_round.argtypes = [ctypes.c_double, ctypes.c_double, ctypes.c_double, P]
    lib.dd_round.restype = ctypes.c_int
    return lib


def exact(y, g):
    with np.errstate(all="ignore"):
        p = g * y
    if not np.isfinite(p).all():
        if np.isnan(p).any() or (np.inf in p and -np.inf in p):
            return float("nan")
        return float(p[~np.isfinite(p)][0])
    s = sum(Fraction(float(a)) * Fraction(float(b)) for a, b in zip(g, y))
    try:
        return float(s)
    except OverflowError:
        return float("inf") if s > 0 else float("-inf")


def case(rng):
    K = rng.choice([1, 2, 3, 5, 17, 64])
    kind = rng.randrange(7)
    def num():
        e = rng.randint(-1074, 1023) if kind == 0 else rng.randint(-540, 510) if kind == 1 else rng.randint(-60, 60)
        m = rng.random() + (0.5 if kind != 6 else 0.0)
        return (-1) ** rng.randrange(2) * m * 2.0 ** e
    y = np.array([num() for _ in range(K)])
    g = np.array([num() for _ in range(K)])
    if kind == 2 and K > 1:          # cancellation: the last term undoes most of the rest
        y[-1] = 1.0
        g[-1] = -float(sum(Fraction(float(a)) * Fraction(float(b)) for a, b in zip(g[:-1], y[:-1])))
    if kind == 3:                    # a sum at or next to a tie: 1 + 2^-53 +- tiny
        y[:] = 1.0
        g[:] = 0.0
        g[0] = rng.choice([1.0, 1.5, 2.0 ** rng.randint(-1000, 1000)])
        if K > 1:
            g[1] = g[0] * 2.0 ** -53
        if K > 2:
            g[2] = g[0] * rng.choice([0.0, 2.0 ** -160, -2.0 ** -160, 2.0 ** -54, -2.0 ** -105])
    if kind == 4 and K > 1:          # subnormal results
        y[:] = 2.0 ** -537
        g[:] = np.array([rng.choice([-1, 1]) * rng.random() * 2.0 ** -537 for _ in range(K)])
    if kind == 5 and rng.random() < 0.3:
        g[rng.randrange(K)] = rng.choice([np.inf, -np.inf, np.nan])
    return y, g


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=20000)
    args = ap.parse_args()
    lib = build()
    rng = random.Random(5)
    bad = 0
    r = ctypes.c_double()
    for _ in range(args.cases):
        y, g = case(rng)
        want = exact(y, g)
        with np.errstate(all="ignore"):
            got = lib.dot_exact(y.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
                                g.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), len(y))
        if not (got == want or (got != got and want != want)) or (got == 0 and np.signbit(got) and not np.signbit(want)):
            bad += 1
            if bad <= 5:
                print("dot_exact", list(map(float.hex, map(float, y))), list(map(float.hex, map(float, g))), got.hex(), want.hex())
        # cact_dd_round: a + b within E of the truth (a + b itself here): only ever the right double
        if np.isfinite(want) and want != 0:
            a = want
            b = rng.choice([0.0, 1.0, -1.0, 0.5, -0.5, 0.49, -0.49]) * float(np.spacing(abs(a)))
            E = rng.choice([0.0, 1e-3, 0.2]) * float(np.spacing(abs(a)))
            if lib.dd_round(a, b, E, ctypes.byref(r)):
                lo, hi = Fraction(a) + Fraction(b) - Fraction(E), Fraction(a) + Fraction(b) + Fraction(E)
                if not (float(lo) == float(hi) == r.value):
                    bad += 1
                    print("dd_round", a.hex(), b.hex(), E, r.value.hex(), float(lo).hex(), float(hi).hex())
    print(f"{args.cases} cases, {bad} wrong")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
