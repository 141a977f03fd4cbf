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

from cact import _registry as registry  # noqa: E402


def cases(torch):
    """(label, registry row, parameters, derivative?) -> (cact, NumPy plain form, torch or None): every
    elementwise activation of the registry at its default parameters, value and derivative"""
    T = (lambda f: (lambda x: f(torch.from_numpy(x)).numpy())) if torch else (lambda f: None)
    out = []
    for act in registry.ELEMENTWISE:
        choice = next((p for p in act.params if p.choices), None)
        base = {p.name: act.test_params[0][p.name] for p in act.params if p.default is registry.REQUIRED}
        for kw in ([dict(base, **{choice.name: c}) for c in choice.choices] if choice else [base]):
            label = act.name + (f"_{kw[choice.name]}" if choice else "")
            f, fg = getattr(cact, act.name), getattr(cact, act.name + "_grad")
            npf = (lambda x, kw=kw, act=act: act.numpy(x, **kw)) if act.numpy else None
            npg = (lambda x, kw=kw, act=act: act.numpy_grad(x, **kw)) if act.numpy_grad else None
            tf = T(lambda t, kw=kw, act=act: act.torch(torch, t, **kw)) if act.torch else None
            tg = T(lambda t, kw=kw, act=act: act.torch_bwd(torch, torch.ones_like(t), t, act.torch(torch, t, **kw), **kw)) \
                if act.torch_bwd else None
            out.append(((label, act, kw, False), (lambda x, f=f, kw=kw: f(x, **kw), npf, tf)))
            out.append(((label + "_grad", act, kw, True), (lambda x, f=fg, kw=kw: f(x, **kw), npg, tg)))
    return out


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
        for (name, act, kw, grad), (ours, numpy_f, torch_f) in cases(torch):
            true = reference(act, x, kw, grad)
            rows.append((name, dt.__name__, max_ulp(ours, x, true, dt), max_ulp(numpy_f, x, true, dt),
                         max_ulp(torch_f, x, true, dt) if torch else "not installed"))
            print(f"{rows[-1]}  [{time.time() - t0:.0f}s]", flush=True)
    text = [
        "# Accuracy: maximum error in ulp against mpmath",
        "",
        f"Written by `python tools/accuracy.py` on {len(x)} points per dtype: log-spaced magnitudes of both",
        "signs from the smallest subnormal to the largest finite value, a dense grid on [-40, 40], random",
        "points, and the neighbourhoods of the roots of gelu'. NaN in a column: the implementation returned",
        "NaN (or inf) where the true value is finite. NumPy: the plain one-liners of the registry (`numpy`, `numpy_grad`).",
        f"NumPy {np.__version__}" + (f", PyTorch {torch.__version__}" if torch else "") + ".",
        "",
        "| function | dtype | cact | NumPy | PyTorch |",
        "|---|---|---|---|---|",
    ] + [f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} |" for r in rows]
    os.makedirs(os.path.dirname(args.output), exist_ok=True)
    with open(args.output, "w") as f:
        f.write("\n".join(text) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
