"""scikit-learn's MLPClassifier with cact in its activations: the measurement of issue "cact beside
BLAS" (item 2), and the patch that tests/test_sklearn.py runs scikit-learn's own tests under.

    python tools/sklearn_bench.py [--epochs 20] [--rounds 2] [--configs relu:float32,...]

Fits MLPClassifier(hidden_layer_sizes=(512, 512), solver="adam", batch_size=256) for --epochs epochs
on 20000 x 200 synthetic data (make_classification, 10 classes), stock and with cact patched in
(forward in place, backward from the forward's output as scikit-learn keeps it), interleaved: stock,
cact with its default threads, cact on one thread. Prints each configuration's median fit and
predict_proba times and the ratios to stock (the issue's bound: cact default <= stock).
"""
import argparse
import collections
import statistics
import time
import warnings

import numpy as np

import cact

_ORIGINAL = {}
CALLS = collections.Counter()   # cact's calls through the patch, by activation and direction


def patch():
    """Put cact into scikit-learn's neural-network activations (dense ndarrays; anything else goes
    to scikit-learn's own function). Idempotent; unpatch() undoes it."""
    from sklearn.neural_network import _base

    if _ORIGINAL:
        return
    _ORIGINAL.update(act=dict(_base.ACTIVATIONS), der=dict(_base.DERIVATIVES))

    def forward(name, f):
        stock = _ORIGINAL["act"][name]

        def act(X):
            if type(X) is not np.ndarray or X.dtype not in (np.float32, np.float64):
                return stock(X)
            CALLS[name, "forward"] += 1
            f(X, out=X)
        return act

    def backward(name, fg):
        stock = _ORIGINAL["der"][name]

        def der(Z, delta):
            if type(Z) is not np.ndarray or type(delta) is not np.ndarray or delta.dtype not in (np.float32, np.float64):
                return stock(Z, delta)
            CALLS[name, "backward"] += 1
            fg(y=Z, grad_output=delta, out=delta)
        return der

    _base.ACTIVATIONS.update(
        relu=forward("relu", cact.relu), logistic=forward("logistic", cact.sigmoid),
        tanh=forward("tanh", cact.tanh),
        softmax=forward("softmax", lambda X, out: cact.softmax(X, axis=1, out=out)))
    _base.DERIVATIVES.update(
        # (relu'(x) = relu'(relu(x)) away from 0 and PyTorch's 0 at the kink: relu_grad of the output)
        relu=backward("relu", lambda y, grad_output, out: cact.relu_grad(y, grad_output=grad_output, out=out)),
        logistic=backward("logistic", cact.sigmoid_grad),
        tanh=backward("tanh", cact.tanh_grad))


def unpatch():
    from sklearn.neural_network import _base

    if _ORIGINAL:
        _base.ACTIVATIONS.update(_ORIGINAL.pop("act"))
        _base.DERIVATIVES.update(_ORIGINAL.pop("der"))


def main():
    from sklearn.datasets import make_classification
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--configs", default="relu:float32,relu:float64,logistic:float32,logistic:float64")
    args = p.parse_args()
    import sklearn
    default = cact.get_num_threads()
    print(f"cact {cact.__version__}, numpy {np.__version__}, scikit-learn {sklearn.__version__}; "
          f"MLPClassifier (512, 512) adam batch 256, {args.epochs} epochs, 20000 x 200; median of "
          f"{args.rounds} interleaved rounds; cact default {default} threads")
    print(f"{'activation':10s} {'dtype':8s}  {'stock fit':>9s} {'cact':>8s} {'1 thread':>8s} {'cact/stock':>10s}"
          f"  {'stock proba':>11s} {'cact':>8s} {'cact/stock':>10s}")
    X, y = make_classification(20000, 200, n_informative=50, n_classes=10, random_state=0)
    for config in args.configs.split(","):
        act, dt = config.split(":")
        Xd = X.astype(dt)
        fit, proba = {k: [] for k in ("stock", "cact", "one")}, {k: [] for k in ("stock", "cact", "one")}
        for _ in range(args.rounds):
            for k in fit:
                (unpatch if k == "stock" else patch)()
                cact.set_num_threads(1 if k == "one" else default)
                m = MLPClassifier((512, 512), activation=act, solver="adam", batch_size=256,
                                  max_iter=args.epochs, tol=0.0, n_iter_no_change=10 ** 6, shuffle=True,
                                  random_state=0)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    t0 = time.perf_counter()
                    m.fit(Xd, y)
                    fit[k].append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                for _ in range(5):
                    m.predict_proba(Xd)
                proba[k].append((time.perf_counter() - t0) / 5)
                time.sleep(0.3)
        unpatch()
        cact.set_num_threads(default)
        f = {k: statistics.median(v) for k, v in fit.items()}
        pr = {k: statistics.median(v) for k, v in proba.items()}
        print(f"{act:10s} {dt:8s}  {f['stock']:8.2f}s {f['cact']:7.2f}s {f['one']:7.2f}s {f['cact'] / f['stock']:10.2f}"
              f"  {pr['stock'] * 1e3:9.1f}ms {pr['cact'] * 1e3:6.1f}ms {pr['cact'] / pr['stock']:10.2f}", flush=True)


if __name__ == "__main__":
    main()
