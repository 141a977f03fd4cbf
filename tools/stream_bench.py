"""Measure where non-temporal stores pay: each call timed with its output streamed and not.

    python tools/stream_bench.py [--repeats 7] [--functions sigmoid,relu,gelu,softmax]

For outputs of 0.5 MB to 64 MB it times python -m cact bench's forward and backward calls (new
result each call, and out= a preallocated array) with streaming forced on (threshold 1 byte)
and off, interleaved, at 1 thread and at the default thread count, and prints streamed / plain
time (below 1: streaming is faster). Only the families with a stream_mb in the registry
(cact/_registry.py: Kernel.stream_mb, ROWS_STREAM_MB) stream; the others show noise around 1 (to
measure one, give it a stream_mb and rebuild). Each threshold is about where streaming stops being
slower at the default thread count.
"""
import argparse

import numpy as np

import cact
from cact import _dispatch
from cact._bench import FROM_Y, bound, make_input, time_interleaved

MB = [0.5, 1, 2, 4, 8, 16, 64]


def calls(name, x, g, a, out):
    f, fg = bound(name, a)
    if name == "prelu":
        return {"fwd": lambda: f(x), "fwd out=": lambda: f(x, out=out)}
    if name in FROM_Y:
        y = f(x)
        bwd = {"bwd(y)": lambda: fg(y=y, grad_output=g), "bwd(y) out=": lambda: fg(y=y, grad_output=g, out=out)}
    else:
        bwd = {"bwd": lambda: fg(x, grad_output=g), "bwd out=": lambda: fg(x, grad_output=g, out=out)}
    return {"fwd": lambda: f(x), "fwd out=": lambda: f(x, out=out), **bwd}


def set_all(kernels, nbytes):
    for family in kernels.get_stream_from():
        kernels.set_stream_from(family, nbytes)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--functions", default="relu,leaky_relu,sigmoid")
    p.add_argument("--dtype", default="float32")
    args = p.parse_args()
    k = _dispatch
    default = k.get_stream_from()
    if not default:
        raise SystemExit("this build has no streaming stores")
    team = cact.get_num_threads()
    dtype = np.dtype(args.dtype)
    print(f"cact {cact.__version__} ({_dispatch.simd}), {args.dtype}; streamed / plain time "
          f"at 1 | {team} threads; thresholds " + ", ".join(f"{f} {b / 2**20:g} MB" for f, b in default.items()))
    print(f"{'function':9s} {'call':12s}" + "".join(f"{m:>12g}MB" for m in MB))
    for name in args.functions.split(","):
        rows = {}
        for m in MB:
            n = int(m * 2**20) // dtype.itemsize
            if name in ("softmax", "prelu"):
                n -= n % 1000
            x, g, a = make_input(name, n, dtype)
            out = np.empty_like(x)
            for label, f in calls(name, x, g, a, out).items():
                cell = []
                for threads in (1, team):
                    def plain(f=f, threads=threads):
                        cact.set_num_threads(threads)
                        set_all(k, 2**62)
                        f()

                    def streamed(f=f, threads=threads):
                        cact.set_num_threads(threads)
                        set_all(k, 1)
                        f()
                    tp, ts = time_interleaved([plain, streamed], repeats=args.repeats)
                    cell.append(ts / tp)
                rows.setdefault(label, []).append(cell)
        for family, nbytes in default.items():
            k.set_stream_from(family, nbytes)
        cact.set_num_threads(team)
        for label, cells in rows.items():
            print(f"{name:9s} {label:12s}" + "".join(f"{c[0]:>7.2f}|{c[1]:<6.2f}" for c in cells), flush=True)


if __name__ == "__main__":
    main()
