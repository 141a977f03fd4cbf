"""Time cact calls on a busy machine: the measurement of issue "Fast on a busy machine".

    python tools/busy_bench.py [--busy N] [--functions sigmoid,relu,gelu,softmax] [--sizes 1e5,1e6,1e7]
                               [--ops forward,backward] [--seconds 1.0] [--dtype float32]

Starts N CPU-bound processes (default: one per core but one; 0 for an idle machine), each of which
stops by itself after the run's time bound (and is killed at the end), then times each call in a
loop that does a little NumPy work between calls, as real code does, with cact's default threads
and with set_num_threads(1), alternating blocks of calls. Prints median and 99th percentile of
each, and their ratios default / one thread (the issue's bounds: median <= 1.5, p99 <= 3).
softmax runs on rows of 1000.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np

import cact
from cact import _bench

BUSY = "import time\nend = time.time() + {t}\nwhile time.time() < end:\n    pass\n"


def start_busy(n, seconds):
    return [subprocess.Popen([sys.executable, "-c", BUSY.format(t=seconds)]) for _ in range(n)]


def sample(call, seconds, other):
    """per-call seconds of `call`, each after `other` (the NumPy work between calls)"""
    out, end = [], time.perf_counter() + seconds
    while time.perf_counter() < end or len(out) < 20:
        other()
        t0 = time.perf_counter()
        call()
        out.append(time.perf_counter() - t0)
    return out


def p99(v):
    v = sorted(v)
    return v[min(len(v) - 1, int(0.99 * len(v)))]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--busy", type=int, default=max(0, (os.cpu_count() or 1) - 1))
    p.add_argument("--functions", default="sigmoid,relu,gelu,softmax")
    p.add_argument("--sizes", default="1e5,1e6,1e7")
    p.add_argument("--ops", default="forward,backward")
    p.add_argument("--dtype", default="float32")
    p.add_argument("--seconds", type=float, default=1.0, help="per case and thread setting, in blocks of a quarter")
    args = p.parse_args()
    functions, ops = args.functions.split(","), args.ops.split(",")
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    cases = [(f, n, op) for f in functions for n in sizes for op in ops]
    default = cact.get_num_threads()
    bound = len(cases) * 2 * args.seconds * 1.5 + 30
    procs = start_busy(args.busy, bound)
    small = np.random.default_rng(1).standard_normal(4096).astype(args.dtype)
    other = lambda: np.add(small, 1.0).sum()   # noqa: E731
    print(f"cact {cact.__version__}: {args.busy} busy processes on {os.cpu_count()} cores; default "
          f"{default} threads against 1; per call after a little NumPy work; {args.dtype}")
    print(f"{'function':10s} {'op':8s} {'n':>10s}  {'median':>9s} {'1 thr':>9s} {'ratio':>6s}  "
          f"{'p99':>9s} {'1 thr':>9s} {'ratio':>6s}")
    try:
        for name, n, op in cases:
            x, g, a = _bench.make_input(name, n, np.dtype(args.dtype))
            call = _bench._cact_impls(name, x, g, a)[_bench.OPS.index(op)]
            times = {default: [], 1: []}
            for _ in range(4):   # alternating blocks: both settings see the same moments of the machine
                for t in (default, 1):
                    cact.set_num_threads(t)
                    times[t] += sample(call, args.seconds / 4, other)
            cact.set_num_threads(default)
            md, m1 = statistics.median(times[default]), statistics.median(times[1])
            pd, p1 = p99(times[default]), p99(times[1])
            print(f"{name:10s} {op:8s} {x.size:10,d}  {md * 1e6:8.1f}u {m1 * 1e6:8.1f}u {md / m1:6.2f}  "
                  f"{pd * 1e6:8.1f}u {p1 * 1e6:8.1f}u {pd / p1:6.2f}", flush=True)
    finally:
        cact.set_num_threads(default)
        for q in procs:
            q.kill()


if __name__ == "__main__":
    main()
