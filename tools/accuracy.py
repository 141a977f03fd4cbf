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
from reference import (gated_points, gated_reference, reference, softmax_rows, sweep,  # noqa: E402
                       ulp_errors, ulp_errors_of)
import mpmath as mp  # noqa: E402

import cact  # noqa: E402

from cact import _registry as registry  # noqa: E402


def cases(torch):
    """(label, registry row, parameters, derivative?) -> (cact, NumPy plain form, torch or None): every
    elementwise activation of the registry at its default parameters, value and derivative"""
    T = (lambda f: (lambda x: f(torch.from_numpy(x)).numpy())) if torch else (lambda f: None)
    out = []
    for act in registry.ELEMENTWISE:
        choice = next((p for p in act.params if p.choices), None)
        base = registry.required_params(act)
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


def _fmt(e):
    return f"{np.nanmax(e):.3g}" + (" (NaN)" if np.isnan(e).any() else "")


def _try(f):
    """f(), or None where the implementation fails or has none"""
    if f is None:
        return None
    try:
        with np.errstate(all="ignore"):
            return f()
    except Exception:   # a peer's missing op: reported as "-"
        return None


def gated_rows(torch, dt, n_log, n_lin):
    """(label, dtype, cact, NumPy, PyTorch) for each gated unit: the forward, and both halves of the
    backward step, on gated_points (float64: where the gate and the products are normal numbers)"""
    u, v, g = gated_points(dt, n_log=n_log // 4, n_lin=n_lin // 4)
    out = []
    for vid, act, kw in registry.variants(("gated",)):
        x = np.concatenate((v, u) if act.second else (u, v))
        fwd, du, dv, normal = gated_reference(act, u, v, g, kw)
        ok = normal if dt == np.float64 else np.ones(u.size, bool)
        f, fg = getattr(cact, act.name), getattr(cact, act.name + "_grad")
        impls = {"cact": (lambda: f(x, **kw), lambda: fg(x, grad_output=g, **kw)),
                 "numpy": (lambda: act.numpy(x, **kw), lambda: act.numpy_vjp(x, g, **kw)),
                 "torch": ((lambda: act.torch(torch, torch.from_numpy(x), **kw).numpy(),
                            lambda: act.torch_bwd(torch, torch.from_numpy(g), torch.from_numpy(x), None, **kw).numpy())
                           if torch else (None, None))}
        cols = {"fwd": [], "bwd": []}
        for key, (ff, fb) in impls.items():
            y, b = _try(ff), _try(fb)
            cols["fwd"].append("-" if y is None else _fmt(ulp_errors(np.asarray(y).astype(dt), fwd, dt)[ok]))
            if b is None:
                cols["bwd"].append("-")
                continue
            b = np.asarray(b).astype(dt)
            bu, bv = (b[u.size:], b[:u.size]) if act.second else (b[:u.size], b[u.size:])
            e = np.maximum(ulp_errors(bu, du, dt), ulp_errors(bv, dv, dt))
            cols["bwd"].append(_fmt(e[ok]))
        out.append((vid, dt.__name__, *cols["fwd"]))
        out.append((vid + "_grad (backward)", dt.__name__, *cols["bwd"]))
    return out


def row_rows(torch, dt, K=37):
    """(label, dtype, cact, NumPy, PyTorch) for softmax and its kin on softmax_rows: the values (in
    ulp), and the backward step from x and from y (in ulp of the terms each entry is a difference
    of: the registry's mp_vjp_terms)"""
    x = softmax_rows(dt, K)
    g = np.random.default_rng(3).uniform(-2, 2, x.shape).astype(dt)
    out = []
    for vid, act, kw in registry.variants(("rows",)):
        f, fg = getattr(cact, act.name), getattr(cact, act.name + "_grad")
        y = f(x)
        T = (lambda a: torch.from_numpy(a)) if torch else None
        ty = _try(lambda: act.torch(torch, T(x), axis=-1)) if torch else None
        impls = {"cact": (lambda: y, lambda: fg(x, grad_output=g), lambda: fg(y=y, grad_output=g)),
                 "numpy": (lambda: act.numpy(x), lambda: act.numpy_vjp(x, g), lambda: act.numpy_vjp_y(y, g)),
                 "torch": (lambda: ty.numpy(), None, lambda: act.torch_bwd(torch, T(g), T(x), T(y), axis=-1).numpy())
                 if torch and ty is not None else (None, None, None)}
        trues = [[act.mp(mp, r) for r in x], [act.mp_vjp(mp, r, gr) for r, gr in zip(x, g)],
                 [act.mp_vjp_y(mp, yr, gr) for yr, gr in zip(y, g)]]
        scales = [act.mp_vjp_terms(mp, r, gr) for r, gr in zip(x, g)]
        for i, label in enumerate((vid, vid + "_grad (backward)", vid + "_grad (backward from y)")):
            cols = []
            for key, fns in impls.items():
                r = _try(fns[i])
                if r is None:
                    cols.append("-")
                    continue
                r = np.asarray(r).astype(dt)
                errs = [ulp_errors(rr, t, dt) if i == 0 else ulp_errors_of(rr, t, sc, dt)
                        for rr, t, sc in zip(r, trues[i], scales)]
                cols.append(_fmt(np.concatenate(errs)))
            out.append((label, dt.__name__, *cols))
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
    for dt in (np.float32, np.float64):
        rows2 = row_rows(torch, dt) + gated_rows(torch, dt, n_log, n_lin)
        print(f"rows and gated units, {dt.__name__}  [{time.time() - t0:.0f}s]", flush=True)
        rows += rows2
    text = [
        "# Accuracy: maximum error in ulp against mpmath",
        "",
        f"Written by `python tools/accuracy.py` on {len(x)} points per dtype: log-spaced magnitudes of both",
        "signs from the smallest subnormal to the largest finite value, a dense grid on [-40, 40], random",
        "points, and the neighbourhoods of the roots of gelu'. NaN in a column: the implementation returned",
        "NaN (or inf) where the true value is finite. NumPy: the plain one-liners of the registry (`numpy`, `numpy_grad`).",
        "Softmax and its kin: rows of 37 (tests/reference.py softmax_rows: several scales, a dominant entry,",
        "large values, ties); their backward steps in ulp of the terms each entry is the difference of (the",
        "registry's mp_vjp_terms; PyTorch's from x is not an op of its own). Gated units: the gate's argument over",
        "the sweep, the other half random in +-[2^-8, 2^8]; the backward as the worse of its two halves; in",
        "float64 where the gate and the products are normal numbers.",
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
