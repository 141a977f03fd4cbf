"""A two-layer MLP's forward and backward on a chunked Dask array, with cact's activations: the
pipeline tests/test_distributed.py checks on a distributed.LocalCluster, and its timing under
Dask's schedulers (issue "cact where users hold their arrays", item 2).

    python tools/dask_bench.py [--rows 20000] [--features 512] [--chunk 2500] [--repeats 3]

Times the same graph (gelu hidden layer, softmax output, cross-entropy gradient, backward to both
weight matrices) computed by: NumPy arrays in one process (the single-machine computation);
Dask's threaded scheduler with cact's default team and with cact.set_num_threads(1); Dask's
synchronous scheduler; a LocalCluster of 2 worker processes x 1 thread. Prints the median seconds
and each worker's cact.get_num_threads() (distributed's nanny sets OMP_NUM_THREADS=1 in workers).
"""
import argparse
import statistics
import time

import numpy as np

import cact


def mlp_step(X, T, W1, W2):
    """(loss, dW1, dW2) of a two-layer MLP on X (NumPy or Dask; T one-hot targets of X's rows):
    H = gelu(X W1), P = softmax(H W2); mean cross-entropy; its gradients by cact's backward steps"""
    Z1 = X @ W1
    H = cact.gelu(Z1)
    P = cact.softmax(H @ W2, axis=1)
    n = X.shape[0]
    loss = -(T * cact.log_softmax(H @ W2, axis=1)).sum() / n
    dZ2 = (P - T) / n                       # softmax + cross-entropy's gradient at the logits
    dW2 = H.T @ dZ2
    dZ1 = cact.gelu_grad(Z1, grad_output=dZ2 @ W2.T)
    dW1 = X.T @ dZ1
    return loss, dW1, dW2


def inputs(rows=20000, features=512, hidden=256, classes=10, chunk=2500, seed=0):
    """(X, T) as Dask arrays made where they are computed (on the workers: the graph holds no
    data), chunks of `chunk` rows, and the weights W1, W2 as NumPy arrays"""
    import dask.array as da
    rng = da.random.default_rng(seed)
    X = rng.standard_normal((rows, features), chunks=(chunk, features))
    labels = rng.integers(0, classes, rows, chunks=chunk)
    T = (labels[:, None] == np.arange(classes)).astype(np.float64)
    w = np.random.default_rng(seed + 1)
    W1 = w.standard_normal((features, hidden)) / np.sqrt(features)
    W2 = w.standard_normal((hidden, classes)) / np.sqrt(hidden)
    return X, T, W1, W2


def main():
    import dask
    from distributed import Client, LocalCluster

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, default=20000)
    p.add_argument("--features", type=int, default=512)
    p.add_argument("--chunk", type=int, default=2500)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    Xd, Td, W1, W2 = inputs(args.rows, args.features, chunk=args.chunk)
    X, T = dask.compute(Xd, Td, scheduler="sync")
    Xd, Td = Xd.persist(scheduler="sync"), Td.persist(scheduler="sync")   # (timing the MLP, not the inputs)
    print(f"cact {cact.__version__}, dask {dask.__version__}; X {X.shape} ({X.size:.2e} values) in chunks of "
          f"{args.chunk} rows; median of {args.repeats}")
    default = cact.get_num_threads()

    def timed(fn):
        ts = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
        return statistics.median(ts)

    rows = [("NumPy arrays, one process", timed(lambda: mlp_step(X, T, W1, W2)))]
    for label, sched, threads in (("Dask threaded, cact default team", "threads", default),
                                  ("Dask threaded, cact 1 thread", "threads", 1),
                                  ("Dask synchronous, cact default team", "sync", default)):
        cact.set_num_threads(threads)
        with dask.config.set(scheduler=sched):
            rows.append((label, timed(lambda: dask.compute(*mlp_step(Xd, Td, W1, W2)))))
    cact.set_num_threads(default)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        teams = sorted(client.run(cact.get_num_threads).values())
        Xc, Tc, _, _ = inputs(args.rows, args.features, chunk=args.chunk)
        Xc, Tc = client.persist([Xc, Tc])   # (made and kept on the workers)
        rows.append((f"LocalCluster 2 processes x 1 thread (cact teams {teams})",
                     timed(lambda: client.compute(list(mlp_step(Xc, Tc, W1, W2)), sync=True))))
    for label, t in rows:
        print(f"  {label:58s} {t:7.3f} s   x NumPy {rows[0][1] / t:5.2f}")


if __name__ == "__main__":
    main()
