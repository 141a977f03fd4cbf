"""What an array's offset within its cache lines costs the contiguous loops (cact/kernels/driver/alloc.h).

    python tools/align_bench.py [--n 1e5] [--dtype float64] [--repeats 9]

For the backward calls of python -m cact bench (x and grad_output of n elements), times with out=
an array at the inputs' offset mod 64 ("same"), and at 16 and 32 bytes from it; then the call
without out= (a new result, placed by cact) for inputs at each offset 0/16/32/48. Interleaved in one
process; 'x same' = time / time of "same".

    bash tools/ab_build.sh REV DIR && PYTHONPATH=DIR python tools/align_bench.py --ab

times new results (with --out: out= an array at offset 0) of an earlier build (cact_old) against this
tree's instead, for x and grad_output at each of the 16 pairs of offsets: old / new time (above 1: new faster), where x and grad_output
share an offset and (median, lowest, highest) where they do not.
"""
import argparse

import numpy as np

import cact
from cact._registry import ELEMENTWISE
from cact._bench import FROM_Y, at_line_offset as at, bound, time_interleaved

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=float, default=1e5)
    p.add_argument("--dtype", default="float64")
    p.add_argument("--functions", default=",".join(a.name for a in ELEMENTWISE))
    p.add_argument("--repeats", type=int, default=9)
    p.add_argument("--ab", action="store_true", help="new results: cact_old (tools/ab_build.sh) / this build")
    p.add_argument("--out", action="store_true", help="with --ab: out= an array at offset 0 instead")
    args = p.parse_args()
    if args.ab:
        return ab(args)
    n, dt = int(args.n), args.dtype
    rng = np.random.default_rng(0)
    xv, gv = rng.standard_normal(n) * 3, rng.standard_normal(n)
    print(f"n = {n:,}, {dt}; out= at the inputs' offset ('same') or 16 / 32 bytes from it; new results")
    for name in args.functions.split(","):
        f, grad = bound(name)
        src = f(xv) if name in FROM_Y else xv

        def call(a, g, out=None):
            if name in FROM_Y:
                return lambda: grad(y=a, grad_output=g, out=out)
            return lambda: grad(a, grad_output=g, out=out)
        x0, g0 = at(n, dt, 1024, src), at(n, dt, 2048, gv)
        outs = {"same": at(n, dt, 0), "+16": at(n, dt, 16), "+32": at(n, dt, 32)}
        news = {o: (at(n, dt, 1024 + o, src), at(n, dt, 2048 + o, gv)) for o in (0, 16, 32, 48)}
        fns = [call(x0, g0, o) for o in outs.values()] + [call(a, g) for a, g in news.values()]
        t = time_interleaved(fns, args.repeats)
        same = t[0]
        cells = [f"out= {k} {v * 1e6:6.1f} us" + ("" if k == "same" else f" (x same {v / same:4.2f})")
                 for k, v in zip(outs, t)]
        cells += [f"new, inputs at {o:2d}: {v * 1e6:6.1f} us" for o, v in zip(news, t[len(outs):])]
        print(f"  {name + ('(y)' if name in FROM_Y else ''):14s} " + "   ".join(cells))


def ab(args):
    import statistics

    import cact_old
    n, dt = int(args.n), args.dtype
    rng = np.random.default_rng(0)
    xv, gv = rng.standard_normal(n) * 3, rng.standard_normal(n)
    what = "out= an array at offset 0" if args.out else "new results"
    print(f"n = {n:,}, {dt}: {what}, old / new time for x and grad_output at offsets (x, g) mod 64")
    for name in args.functions.split(","):
        src = cact.sigmoid(xv) if name in FROM_Y else xv
        out = at(n, dt, 0) if args.out else None
        fns, pairs = [], []
        for xo in (0, 16, 32, 48):
            for go in (0, 16, 32, 48):
                x, g = at(n, dt, 1024 + xo, src), at(n, dt, 2048 + go, gv)
                for m in (cact_old, cact):
                    grad = getattr(m, name + "_grad")
                    fns.append((lambda grad=grad, x=x, g=g: grad(y=x, grad_output=g, out=out)) if name in FROM_Y
                               else (lambda grad=grad, x=x, g=g: grad(x, grad_output=g, out=out)))
                pairs.append((xo, go))
        time_interleaved(fns, 2)   # (the first pass over fresh buffers runs slow on this VM)
        t = time_interleaved(fns, args.repeats)
        r = {pq: t[2 * i] / t[2 * i + 1] for i, pq in enumerate(pairs)}
        apart = [v for (a, b), v in r.items() if a != b]
        print(f"  {name + ('(y)' if name in FROM_Y else ''):14s} one offset: "
              + " ".join(f"{r[(o, o)]:4.2f}" for o in (0, 16, 32, 48))
              + f"   apart: median {statistics.median(apart):4.2f}, lowest {min(apart):4.2f}, highest {max(apart):4.2f}")


if __name__ == "__main__":
    main()
