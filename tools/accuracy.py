"""Measure the maximum error in ulp of every activation and derivative against mpmath, for cact,
the seed's NumPy one-liners (and NumPy derivatives written the same plain way) and PyTorch when it is
installed, on a dense sweep of the whole range; write the table to docs/accuracy.md.

    python tools/accuracy.py            # about a minute; --quick for a smaller sweep
"""
import argparse
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
from reference import reference, sweep, ulp_errors  # noqa: E402

import cact  # noqa: E402

S2PI = np.sqrt(2 / np.pi)


def _np_gelu_grad(x):
    t = np.tanh(S2PI * (x + 0.044715 * x**3))
    return 0.5 * (1 + t) + 0.5 * x * (1 - t**2) * S2PI * (1 + 3 * 0.044715 * x**2)


# reference name -> (cact, NumPy one-liner, torch callable or None)
def cases(torch):
    F = torch.nn.functional if torch else None
    T = (lambda f: (lambda x: f(torch.from_numpy(x)).numpy())) if torch else (lambda f: None)
    aten = torch.ops.aten if torch else None
    return {
        "sigmoid": (cact.sigmoid, lambda x: 1 / (1 + np.exp(-x)), T(lambda t: torch.sigmoid(t))),
        "sigmoid_grad": (cact.sigmoid_grad, lambda x: (1 / (1 + np.exp(-x))) * (1 - 1 / (1 + np.exp(-x))),
                         T(lambda t: aten.sigmoid_backward(torch.ones_like(t), torch.sigmoid(t)))),
        "elu": (cact.elu, lambda x: np.where(x >= 0, x, np.exp(x) - 1), T(lambda t: F.elu(t))),
        "elu_grad": (cact.elu_grad, lambda x: np.where(x > 0, 1.0, np.exp(x)).astype(x.dtype),
                     T(lambda t: aten.elu_backward(torch.ones_like(t), 1.0, 1.0, 1.0, False, t))),
        "gelu_tanh": (cact.gelu, lambda x: 0.5 * x * (1 + np.tanh(S2PI * (x + 0.044715 * x**3))),
                      T(lambda t: F.gelu(t, approximate="tanh"))),
        "gelu_tanh_grad": (cact.gelu_grad, _np_gelu_grad,
                           T(lambda t: aten.gelu_backward(torch.ones_like(t), t, approximate="tanh"))),
        "gelu_erf": (lambda x: cact.gelu(x, "none"), None, T(lambda t: F.gelu(t))),
        "gelu_erf_grad": (lambda x: cact.gelu_grad(x, "none"), None,
                          T(lambda t: aten.gelu_backward(torch.ones_like(t), t))),
        "leaky_relu": (cact.leaky_relu, lambda x: np.maximum(0.01 * x, x), T(lambda t: F.leaky_relu(t))),
        "relu": (cact.relu, lambda x: np.maximum(0, x), T(lambda t: torch.relu(t))),
    }


def max_ulp(f, x, true, dt):
    if f is None:
        return "-"
    with np.errstate(all="ignore"):
        y = np.asarray(f(x)).astype(dt)
    e = ulp_errors(y, true, dt)
    return f"{np.nanmax(e):.3g}" + (" (NaN)" if np.isnan(e).any() else "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--output", default=os.path.join(HERE, "..", "docs", "accuracy.md"))
    args = ap.parse_args()
    try:
        import torch
    except ImportError:
        torch = None
    n_log, n_lin = (200, 800) if args.quick else (800, 6000)
    rows = []
    t0 = time.time()
    for dt in (np.float32, np.float64):
        x = sweep(dt, n_log=n_log, n_lin=n_lin)
        for name, (ours, numpy_f, torch_f) in cases(torch).items():
            true = reference(name, x)
            rows.append((name, dt.__name__, max_ulp(ours, x, true, dt), max_ulp(numpy_f, x, true, dt),
                         max_ulp(torch_f, x, true, dt) if torch else "not installed"))
            print(f"{rows[-1]}  [{time.time() - t0:.0f}s]", flush=True)
    text = [
        "# Accuracy: maximum error in ulp against mpmath",
        "",
        f"Written by `python tools/accuracy.py` on {len(x)} points per dtype: log-spaced magnitudes of both",
        "signs from the smallest subnormal to the largest finite value, a dense grid on [-40, 40], random",
        "points, and the neighbourhoods of the roots of gelu'. NaN in a column: the implementation returned",
        "NaN (or inf) where the true value is finite. `-`: no NumPy one-liner in the seed.",
        f"NumPy {np.__version__}" + (f", PyTorch {torch.__version__}" if torch else "") + ".",
        "",
        "| function | dtype | cact | NumPy one-liner | PyTorch |",
        "|---|---|---|---|---|",
    ] + [f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} |" for r in rows]
    os.makedirs(os.path.dirname(args.output), exist_ok=True)
    with open(args.output, "w") as f:
        f.write("\n".join(text) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
