"""A training loop that alternates NumPy's matmul (BLAS, its own threads) and activations: the
measurement of issue "cact beside BLAS".

    python tools/blas_bench.py [--batches 32,256,1024] [--widths 64,512,2048] [--dtype float32,float64]
                               [--block 0.2] [--functions relu,sigmoid] [--matmul numpy|torch]

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
from cact._bench import mlp_steps, mlp_step_cact, mlp_step_numpy


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--batches", default="32,256,1024")
    p.add_argument("--widths", default="64,512,2048")
    p.add_argument("--dtype", default="float32,float64")
    p.add_argument("--functions", default="relu,sigmoid")
    p.add_argument("--matmul", default="numpy", choices=("numpy", "torch"),
                   help="whose matmul: NumPy's (OpenBLAS) or PyTorch's (its MKL/oneDNN and OpenMP pool)")
    p.add_argument("--block", type=float, default=0.2, help="seconds per timed block (default 0.2)")
    args = p.parse_args()
    default = cact.get_num_threads()
    mm = "numpy's" if args.matmul == "numpy" else f"torch {__import__('torch').__version__}'s"
    print(f"cact {cact.__version__}, numpy {np.__version__}, {mm} matmul; per step (matmul, f, matmul, f' * g), median of 3 "
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
                    impls = {"numpy": mlp_step_numpy(name), "one": mlp_step_cact(name), "cact": mlp_step_cact(name),
                             "noadapt": mlp_step_cact(name)}
                    times = {k: [] for k in impls}
                    # blocks of --block seconds after as long untimed: a training loop's steady state (the
                    # adaptive teams' first spells and probes are a start-up cost, not the loop's)
                    for _ in range(3):
                        for k, (fwd, bwd) in impls.items():
                            cact.set_num_threads(1 if k == "one" else default)
                            cact.set_adaptive_threads(k != "noadapt")
                            # (each variant's own step count: plain OpenMP's steps can be 100x NumPy's)
                            steps = max(3, min(20000, int(args.block / mlp_steps(x, w, fwd, bwd, 3, args.matmul))))
                            mlp_steps(x, w, fwd, bwd, steps, args.matmul)
                            times[k].append(mlp_steps(x, w, fwd, bwd, steps, args.matmul))
                        time.sleep(0.3)
                    cact.set_num_threads(default)
                    cact.set_adaptive_threads(True)
                    m = {k: statistics.median(v) for k, v in times.items()}
                    print(f"{name:8s} {dt:8s} {b:6d} {wd:6d}  {m['numpy'] * 1e3:8.3f}m {m['cact'] * 1e3:8.3f}m "
                          f"{m['noadapt'] * 1e3:8.3f}m {m['one'] * 1e3:8.3f}m  {m['cact'] / m['one']:9.2f} "
                          f"{m['cact'] / m['numpy']:10.2f}", flush=True)


if __name__ == "__main__":
    main()
