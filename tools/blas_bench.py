"""A training loop that alternates NumPy's matmul (BLAS, its own threads) and activations: the
measurement of issue "cact beside BLAS".

    python tools/blas_bench.py [--batches 32,256,1024] [--widths 64,512,2048] [--dtype float32,float64]
                               [--steps 200]

Each step is one layer's forward and backward as a small MLP runs them: Z = X @ W; A = f(Z);
G = A @ W.T (the next layer's backward, a second matmul); delta = f'(Z) * G. The activation is
relu (forward relu, backward relu_grad with grad_output) or sigmoid, done four ways, interleaved in
blocks: NumPy's formulas; cact on one thread; cact with its default threads (adaptive teams on);
cact with adaptive teams off (plain OpenMP: its pool spins after each region, on the core
OpenBLAS's threads need, and theirs on the one it needs). Prints the median time per step and the ratios to
cact's one thread and to NumPy (the issue's bounds: default <= one thread, default <= NumPy).
"""
import argparse
import statistics
import time

import numpy as np

import cact


def numpy_step(name):
    if name == "relu":
        return (lambda z, a: np.maximum(z, 0, out=a)), (lambda z, g, d: np.multiply(g, z > 0, out=d))

    def fwd(z, a):
        np.negative(z, out=a)
        np.exp(a, out=a)
        a += 1
        np.reciprocal(a, out=a)
        return a

    def bwd(z, g, d):
        s = 1 / (1 + np.exp(-z))
        np.multiply(g, s * (1 - s), out=d)
        return d
    return fwd, bwd


def cact_step(name):
    f, fg = getattr(cact, name), getattr(cact, name + "_grad")
    return (lambda z, a: f(z, out=a)), (lambda z, g, d: fg(z, grad_output=g, out=d))


def run_steps(x, w, fwd, bwd, steps):
    z = np.empty((x.shape[0], w.shape[1]), x.dtype)
    a, d = np.empty_like(z), np.empty_like(z)
    g = np.empty_like(z)
    t0 = time.perf_counter()
    for _ in range(steps):
        np.matmul(x, w, out=z)
        fwd(z, a)
        np.matmul(a, w.T, out=g)   # (w is square: the next layer's backward)
        bwd(z, g, d)
    return (time.perf_counter() - t0) / steps


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--batches", default="32,256,1024")
    p.add_argument("--widths", default="64,512,2048")
    p.add_argument("--dtype", default="float32,float64")
    p.add_argument("--functions", default="relu,sigmoid")
    p.add_argument("--steps", type=int, default=100)
    args = p.parse_args()
    default = cact.get_num_threads()
    print(f"cact {cact.__version__}, numpy {np.__version__}; per step (matmul, f, matmul, f' * g), median of 3 "
          f"interleaved blocks; cact default {default} threads")
    print(f"{'f':8s} {'dtype':8s} {'batch':>6s} {'width':>6s}  {'numpy':>9s} {'cact':>9s} {'no adapt':>9s} "
          f"{'1 thread':>9s}  {'cact/1thr':>9s} {'cact/numpy':>10s}")
    rng = np.random.default_rng(0)
    for name in args.functions.split(","):
        for dt in args.dtype.split(","):
            for b in (int(v) for v in args.batches.split(",")):
                for wd in (int(v) for v in args.widths.split(",")):
                    x = rng.standard_normal((b, wd)).astype(dt)
                    w = (rng.standard_normal((wd, wd)) / np.sqrt(wd)).astype(dt)
                    # (plain OpenMP last, then a pause: its spinning pool slows what follows it)
                    impls = {"numpy": numpy_step(name), "one": cact_step(name), "cact": cact_step(name),
                             "noadapt": cact_step(name)}
                    times = {k: [] for k in impls}
                    steps = max(5, min(args.steps, int(2e8 / (b * wd * wd + 1))))
                    for _ in range(3):
                        for k, (fwd, bwd) in impls.items():
                            cact.set_num_threads(1 if k == "one" else default)
                            cact.set_adaptive_threads(k != "noadapt")
                            times[k].append(run_steps(x, w, fwd, bwd, steps))
                        time.sleep(0.3)
                    cact.set_num_threads(default)
                    cact.set_adaptive_threads(True)
                    m = {k: statistics.median(v) for k, v in times.items()}
                    print(f"{name:8s} {dt:8s} {b:6d} {wd:6d}  {m['numpy'] * 1e3:8.3f}m {m['cact'] * 1e3:8.3f}m "
                          f"{m['noadapt'] * 1e3:8.3f}m {m['one'] * 1e3:8.3f}m  {m['cact'] / m['one']:9.2f} "
                          f"{m['cact'] / m['numpy']:10.2f}", flush=True)


if __name__ == "__main__":
    main()
