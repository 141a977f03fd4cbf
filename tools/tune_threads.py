"""Measure where two threads start to beat one for each kernel family and dtype, and print the
serial thresholds (cact/_registry.py: Kernel.serial and ROWS_SERIAL) that follow from it.

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

from cact import _dispatch, _registry as registry
from cact._bench import make_input, _cact_impls, time_interleaved



def _families():
    """threshold family -> (activation, keyword parameters) that runs it: every kernel family of
    the registry (a family from the output y: its activation's backward from y), and the row
    kernels"""
    out = {"softmax": ("softmax", {}), "softmax_y": ("softmax", {}), "prelu": ("prelu", {})}
    for _, act, kw in registry.variants(("elementwise",)):
        out.setdefault(registry.kernel_of(act, kw), (act.name, kw))
        if act.from_y:
            out.setdefault(act.from_y, (act.name, kw))
    return {k.name: out[k.name] for k in registry.KERNELS} | {r: out[r] for r in registry.ROWS_SERIAL}


FAMILIES = _families()
FROM_Y_FAMILIES = {a.from_y for a in registry.ACTIVATIONS if a.from_y} | {"softmax_y"}
SIZES = [2**k for k in range(10, 20)]
NEVER = 2**62


def measure(family, sfx, repeats):
    kernels = _dispatch
    default = kernels.get_serial_below()[(family, sfx)]
    dtype = np.float32 if sfx == "f32" else np.float64
    ratios = []
    try:
        for n in SIZES:
            name, kw = FAMILIES[family]
            x, g, a = make_input(name, n, dtype)
            f, fg = getattr(cact, name), getattr(cact, name + "_grad")
            if family in FROM_Y_FAMILIES:   # no forward: the backward from y twice
                fwd = bwd = lambda y=f(x), g=g, fg=fg: fg(y=y, grad_output=g)  # noqa: E731
            elif name == "prelu":
                fwd, bwd = _cact_impls(name, x, g, a)
            else:   # the backward from x (the bench times some from y: another family)
                fwd = lambda x=x, kw=kw, f=f: f(x, **kw)  # noqa: E731
                bwd = lambda x=x, g=g, kw=kw, fg=fg: fg(x, grad_output=g, **kw)  # noqa: E731
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
