"""Time cact calls on a busy machine: the measurement of issue "Fast on a busy machine".

    python tools/busy_bench.py [--busy N] [--functions sigmoid,relu,gelu,softmax] [--sizes 1e5,1e6,1e7]
                               [--ops forward,backward] [--seconds 1.0] [--dtype float32] [--torch]
                               [--adaptive 0|1] [--callers 2,8] [--nested]

Starts N CPU-bound processes (default: one per core but one; 0 for an idle machine), each of which
stops by itself after the run's time bound (and is killed at the end), then times each call in a
loop that does a little NumPy work between calls, as real code does, with cact's default threads
and with set_num_threads(1), alternating blocks of calls. Prints median and 99th percentile of
each, and their ratios default / one thread (the issue's bounds: median <= 1.5, p99 <= 3); --torch adds
PyTorch's same call with its default threads under the same load (median, p99, and their ratios to
cact's one thread). --adaptive 0 measures with cact's adaptive teams off (the OpenMP behaviour).
softmax runs on rows of 1000.

--callers 2,8 measures many callers instead (no busy processes unless --busy is given): N Python
threads each making the same calls at once (a ThreadPoolExecutor, as Dask's and joblib's threaded
backends), against the same N x calls made one after another on one thread; the issue's bound is
a ratio of at most 1.3. --nested times cact.sigmoid over 16 blocks of 1e6 float32 values inside
Dask's threaded scheduler (da.map_blocks) and joblib's threading backend (8 jobs), where installed,
against the same calls one after another.
"""
import argparse
import concurrent.futures
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


def callers(cases, counts, dtype, seconds):
    """time N threads calling at once against the same calls one after another"""
    print(f"{'function':10s} {'op':8s} {'n':>10s} {'threads':>7s}  {'at once':>9s} {'in turn':>9s} {'ratio':>6s}")
    for name, n, op in cases:
        x, g, a = _bench.make_input(name, n, np.dtype(dtype))
        call = _bench._cact_impls(name, x, g, a)[_bench.OPS.index(op)]
        t0 = time.perf_counter()
        call()
        reps = max(2, int(seconds / 4 / max(time.perf_counter() - t0, 1e-6)))
        for k in counts:
            def work():
                for _ in range(reps):
                    call()
            best_par, best_seq = [], []
            with concurrent.futures.ThreadPoolExecutor(k) as ex:
                for _ in range(3):   # alternating: both see the same moments of the machine
                    t0 = time.perf_counter()
                    list(ex.map(lambda _: work(), range(k)))
                    best_par.append(time.perf_counter() - t0)
                    t0 = time.perf_counter()
                    for _ in range(k):
                        work()
                    best_seq.append(time.perf_counter() - t0)
            tp, ts = statistics.median(best_par), statistics.median(best_seq)
            print(f"{name:10s} {op:8s} {x.size:10,d} {k:7d}  {tp * 1e3:8.1f}m {ts * 1e3:8.1f}m {tp / ts:6.2f}", flush=True)


def nested(repeats=7):
    """cact inside Dask's threaded scheduler and joblib's threading backend, against the same calls in turn"""
    x = np.random.default_rng(0).standard_normal((64, 250_000)).astype(np.float32)
    blocks = [x[i:i + 4] for i in range(0, 64, 4)]

    def med(f):
        f()
        v = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            f()
            v.append(time.perf_counter() - t0)
        return statistics.median(v)
    seq = med(lambda: [cact.sigmoid(b) for b in blocks])
    print(f"cact {cact.__version__}: sigmoid over 16 blocks of 1e6 float32 (adaptive "
          f"{'on' if cact.get_adaptive_threads() else 'off'}); in turn {seq * 1e3:.1f} ms")
    try:
        import dask
        import dask.array as da
        dx = da.from_array(x, chunks=(4, 250_000))
        with dask.config.set(scheduler="threads"):
            t = med(lambda: da.map_blocks(cact.sigmoid, dx, dtype=np.float32).compute())
        print(f"  dask threaded scheduler: {t * 1e3:.1f} ms ({t / seq:.2f}x in turn)")
    except ImportError:
        print("  dask: not installed")
    try:
        import joblib
        t = med(lambda: joblib.Parallel(n_jobs=8, prefer="threads")(joblib.delayed(cact.sigmoid)(b) for b in blocks))
        print(f"  joblib threading backend, 8 jobs: {t * 1e3:.1f} ms ({t / seq:.2f}x in turn)")
    except ImportError:
        print("  joblib: not installed")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--busy", type=int, default=None,
                   help="busy processes (default: one per core but one; with --callers or --nested: none)")
    p.add_argument("--functions", default="sigmoid,relu,gelu,softmax")
    p.add_argument("--sizes", default="1e5,1e6,1e7")
    p.add_argument("--ops", default="forward,backward")
    p.add_argument("--dtype", default="float32")
    p.add_argument("--seconds", type=float, default=1.0, help="per case and thread setting, in blocks of a quarter")
    p.add_argument("--torch", action="store_true", help="also time PyTorch's call (its default threads)")
    p.add_argument("--adaptive", type=int, choices=(0, 1), default=1, help="cact's adaptive teams on (1) or off (0)")
    p.add_argument("--callers", default=None, help="comma-separated Python thread counts: the many-callers measurement")
    p.add_argument("--nested", action="store_true", help="cact inside Dask's and joblib's thread pools")
    args = p.parse_args()
    cact.set_adaptive_threads(bool(args.adaptive))
    if args.nested:
        nested()
        return
    if args.callers:
        cases = [(f, int(float(n)), op) for f in args.functions.split(",") for n in args.sizes.split(",")
                 for op in args.ops.split(",")]
        procs = start_busy(args.busy or 0, len(cases) * 20 * args.seconds + 30)
        print(f"cact {cact.__version__}: many callers, {cact.get_num_threads()} threads a call "
              f"(adaptive {'on' if args.adaptive else 'off'}); {args.dtype}")
        try:
            callers(cases, [int(c) for c in args.callers.split(",")], args.dtype, args.seconds)
        finally:
            for q in procs:
                q.kill()
        return
    torch = None
    if args.torch:
        import torch
    if args.busy is None:
        args.busy = max(0, (os.cpu_count() or 1) - 1)
    functions, ops = args.functions.split(","), args.ops.split(",")
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    cases = [(f, n, op) for f in functions for n in sizes for op in ops]
    default = cact.get_num_threads()
    bound = len(cases) * (3 if torch else 2) * args.seconds * 1.5 + 30
    procs = start_busy(args.busy, bound)
    small = np.random.default_rng(1).standard_normal(4096).astype(args.dtype)
    other = lambda: np.add(small, 1.0).sum()   # noqa: E731
    print(f"cact {cact.__version__}: {args.busy} busy processes on {os.cpu_count()} cores; default "
          f"{default} threads (adaptive {'on' if args.adaptive else 'off'}) against 1; per call after a "
          f"little NumPy work; {args.dtype}" + (f"; torch {torch.__version__}, {torch.get_num_threads()} threads" if torch else ""))
    print(f"{'function':10s} {'op':8s} {'n':>10s}  {'median':>9s} {'1 thr':>9s} {'ratio':>6s}  "
          f"{'p99':>9s} {'1 thr':>9s} {'ratio':>6s}" + (f"  {'torch md':>9s} {'ratio':>6s} {'p99':>9s} {'ratio':>6s}" if torch else ""))
    try:
        for name, n, op in cases:
            x, g, a = _bench.make_input(name, n, np.dtype(args.dtype))
            call = _bench._cact_impls(name, x, g, a)[_bench.OPS.index(op)]
            times = {default: [], 1: [], "torch": []}
            tcall = _bench._torch_impls(torch, name, x, g, a)[_bench.OPS.index(op)] if torch else None
            for _ in range(4):   # alternating blocks: all settings see the same moments of the machine
                for t in (default, 1):
                    cact.set_num_threads(t)
                    times[t] += sample(call, args.seconds / 4, other)
                if tcall is not None:
                    times["torch"] += sample(tcall, args.seconds / 4, other)
            cact.set_num_threads(default)
            md, m1 = statistics.median(times[default]), statistics.median(times[1])
            pd, p1 = p99(times[default]), p99(times[1])
            line = (f"{name:10s} {op:8s} {x.size:10,d}  {md * 1e6:8.1f}u {m1 * 1e6:8.1f}u {md / m1:6.2f}  "
                    f"{pd * 1e6:8.1f}u {p1 * 1e6:8.1f}u {pd / p1:6.2f}")
            if tcall is not None:
                mt, pt = statistics.median(times["torch"]), p99(times["torch"])
                line += f"  {mt * 1e6:8.1f}u {mt / m1:6.2f} {pt * 1e6:8.1f}u {pt / p1:6.2f}"
            print(line, flush=True)
    finally:
        cact.set_num_threads(default)
        for q in procs:
            q.kill()


if __name__ == "__main__":
    main()
