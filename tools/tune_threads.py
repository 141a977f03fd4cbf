"""Measure where two threads start to beat one for each kernel family and dtype, and print the
serial thresholds (cact/_kernels.pyx.tp: ELEMENTWISE and ROW_MIN) that follow from it.

    python tools/tune_threads.py [--repeats 9]

For n = 2^10 .. 2^19 it times each family's forward and backward (python -m cact bench's data
and calls) with its serial threshold forced to 0 (always an OpenMP region with the default team)
and to infinity (always serial), interleaved, and reports parallel/serial. The suggested threshold
is the largest n below which parallel is never at least 10% faster on both ops (so every size
above it gains from the team). Run on an idle machine; the figures vary from run to run.
"""
import argparse

import numpy as np

import cact

from cact import _dispatch
from cact._bench import make_input, _cact_impls, time_interleaved

FAMILIES = {  # threshold family -> python -m cact bench's function
    "sigmoid": "sigmoid", "relu": "relu", "leaky_relu": "leaky_relu", "elu": "elu",
    "gelu_tanh": "gelu", "gelu_erf": "gelu", "softmax": "softmax", "prelu": "prelu",
    "sigmoid_y": "sigmoid", "softmax_y": "softmax",   # backward from the output only
}
SIZES = [2**k for k in range(10, 20)]
NEVER = 2**62


def measure(family, sfx, repeats):
    kernels = _dispatch.kernels
    default = kernels.get_serial_below()[(family, sfx)]
    dtype = np.float32 if sfx == "f32" else np.float64
    ratios = []
    try:
        for n in SIZES:
            x, g, a = make_input(FAMILIES[family], n, dtype)
            name = FAMILIES[family]
            f, fg = getattr(cact, name), getattr(cact, name + "_grad")
            if family == "gelu_erf":
                fwd = lambda x=x: cact.gelu(x, "none")  # noqa: E731
                bwd = lambda x=x, g=g: cact.gelu_grad(x, "none", grad_output=g)  # noqa: E731
            elif family in ("sigmoid", "softmax"):   # the bench times their backward from y
                fwd = lambda x=x: f(x)  # noqa: E731
                bwd = lambda x=x, g=g: fg(x, grad_output=g)  # noqa: E731
            elif family.endswith("_y"):   # no forward: the backward twice
                fwd = bwd = lambda y=f(x), g=g: fg(y=y, grad_output=g)  # noqa: E731
            else:
                fwd, bwd = _cact_impls(name, x, g, a)
            row = []
            for f in (fwd, bwd):
                def serial(f=f):
                    kernels.set_serial_below(family, sfx, NEVER)
                    f()

                def parallel(f=f):
                    kernels.set_serial_below(family, sfx, 0)
                    f()
                ts, tp = time_interleaved([serial, parallel], repeats=repeats)
                row.append(tp / ts)
            ratios.append((n, row))
    finally:
        kernels.set_serial_below(family, sfx, default)
    return default, ratios


def suggest(ratios):
    """Largest size such that every larger size gains >= 10% from the team on both ops."""
    threshold = SIZES[-1]
    for n, row in reversed(ratios):
        if max(row) > 0.9:
            break
        threshold = n // 2
    return threshold


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repeats", type=int, default=9)
    p.add_argument("--families", default=",".join(FAMILIES))
    args = p.parse_args()
    print(f"threads: {_dispatch.kernels.get_max_threads()}; parallel / serial time, forward | backward")
    print("family      dtype " + " ".join(f"{n:>11d}" for n in SIZES) + "   default  suggested")
    for family in args.families.split(","):
        for sfx in ("f32", "f64"):
            default, ratios = measure(family, sfx, args.repeats)
            cells = " ".join(f"{r[0]:5.2f}|{r[1]:5.2f}" for _, r in ratios)
            print(f"{family:11s} {sfx:5s} {cells} {default:9d} {suggest(ratios):10d}", flush=True)


if __name__ == "__main__":
    main()
