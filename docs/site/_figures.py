"""The documentation site's generated pages and figures, from the registry (docs/site/conf.py calls
generate() when the build starts): api.rst and activations.rst, a figure of every activation and
its derivative, the accuracy figure and the speed figure."""
import os
import subprocess
import sys

import numpy as np

import cact
from cact import _registry as registry
from cact._api import _prose

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def curves(act, t):
    """(label of the variable, f along t, f' along t) for a figure: elementwise and prelu on x = t;
    a row function's first output for rows [t, 0, 1]; a gated unit with its gated half a = t, the
    other 1"""
    f, fg = getattr(cact, act.name), getattr(cact, act.name + "_grad")
    if act.kind == "elementwise":
        kw = registry.required_params(act)
        return "x", f(t, **kw), fg(t, **kw)
    if act.kind == "prelu":
        return "x (alpha = 0.25)", f(t, 0.25), fg(t, 0.25)[0]
    if act.kind == "rows":
        x = np.stack([t, np.zeros_like(t), np.ones_like(t)], axis=-1)
        return "x_0 (row [x_0, 0, 1])", f(x)[:, 0], fg(x)[:, 0, 0]
    x = np.stack([t, np.ones_like(t)] if not act.second else [np.ones_like(t), t], axis=-1)
    i = 1 if act.second else 0
    return ("b (x = [1, b])" if act.second else "a (x = [a, 1])"), f(x)[:, 0], \
        fg(x, grad_output=np.ones((len(t), 1)))[:, i]


def activation_figure(act, path):
    plt = _plt()
    t = np.linspace(-4, 4, 801)
    label, y, dy = curves(act, t)
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.plot(t, y, label=f"{act.name}")
    ax.plot(t, dy, "--", label=f"derivative ({act.name}_grad)")
    ax.axhline(0, color="0.7", lw=0.6)
    ax.axvline(0, color="0.7", lw=0.6)
    ax.set_xlabel(label)
    ax.legend(fontsize=8, loc="best")
    ax.set_title(act.name)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def accuracy_figure(path, quick):
    """error in float32 ulp along x against mpmath: sigmoid's derivative and gelu, for cact, the NumPy
    formula (the registry's) and PyTorch when installed"""
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    from reference import reference, ulp_errors
    try:
        import torch
    except ImportError:
        torch = None
    plt = _plt()
    n = 300 if quick else 1500
    panels = [("sigmoid", True, np.linspace(-30, 30, n)), ("gelu", False, np.linspace(-12, 4, n))]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for ax, (name, grad, x64) in zip(axes, panels):
        act = registry.BY_NAME[name]
        x = x64.astype(np.float32)
        true = reference(act, x, grad=grad)
        f = getattr(cact, name + ("_grad" if grad else ""))
        ref_np = act.numpy_grad if grad else act.numpy
        series = [("cact", f(x)), ("NumPy formula", ref_np(x))]
        if torch is not None:
            t = torch.from_numpy(x)
            y = act.torch(torch, t)
            series.append(("PyTorch", (act.torch_bwd(torch, torch.ones_like(t), t, y) if grad else y).numpy()))
        for lab, v in series:
            with np.errstate(all="ignore"):
                e = ulp_errors(v, true, np.float32)
            ax.semilogy(x, np.maximum(e, 0.01), ".", ms=2, label=lab)
        ax.set_title(f"{name}{'_grad' if grad else ''}, float32")
        ax.set_xlabel("x")
        ax.set_ylabel("error (ulp, 0.01 = exact)")
        ax.legend(fontsize=8, markerscale=4)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def speed_figure(path, quick):
    sizes = "1e5" if quick else "1e5,1e6"
    subprocess.run([sys.executable, "-m", "cact", "bench", "--functions", "sigmoid,relu,gelu,silu,softmax",
                    "--sizes", sizes, "--dtype", "float32", "--repeats", "3" if quick else "7", "--plot", path],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def _title(text, ch="="):
    return [text, ch * len(text), ""]


def pages(outdir):
    api = _title("API reference") + [
        "Every activation ``f`` has ``f`` and ``f_grad``; the list comes from the registry.", ""]
    figs = _title("Activations") + [
        "Each activation (solid) and its derivative (dashed), computed by cact.", ""]
    for kind, title in (("elementwise", "Elementwise"), ("prelu", "Per-channel slopes"), ("rows", "Row-wise"),
                        ("gated", "Gated units")):
        acts = [a for a in registry.ACTIVATIONS if a.kind == kind]
        api += _title(title, "-")
        figs += _title(title, "-")
        for a in acts:
            api += [f".. autofunction:: cact.{a.name}", "", f".. autofunction:: cact.{a.name}_grad", ""]
            figs += _title(a.name, "~") + [_prose(a.summary), "", f".. image:: fig_{a.name}.png", f"   :alt: {a.name} and its derivative", ""]
    api += _title("Threads", "-")
    for fn in ("get_num_threads", "set_num_threads", "get_adaptive_threads", "set_adaptive_threads", "show_config"):
        api += [f".. autofunction:: cact.{fn}", ""]
    for name, lines in (("api.rst", api), ("activations.rst", figs)):
        with open(os.path.join(outdir, name), "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines))


def generate(outdir, quick=False):
    os.makedirs(outdir, exist_ok=True)
    pages(outdir)
    for act in registry.ACTIVATIONS:
        activation_figure(act, os.path.join(outdir, f"fig_{act.name}.png"))
    accuracy_figure(os.path.join(outdir, "accuracy.png"), quick)
    speed_figure(os.path.join(outdir, "speed.png"), quick)
