"""Time elementwise calls on views of other layouts than C-contiguous, in ns per value, beside the
contiguous call (and an earlier build, cact_old, from tools/ab_build.sh, and PyTorch, when they
import), interleaved in one process.

    python tools/layout_bench.py [--functions sigmoid,gelu,relu] [--dtype float32] [--repeats 9]
    bash tools/ab_build.sh REV && PYTHONPATH=/tmp/cact_ab python tools/layout_bench.py

Each view holds 1e6 values (500,000 for the column steps) of a (2000, 1000) array, a new result
each call. softmax (in --functions) runs along axes and views of its own: NCHW channels (axis 1),
axis 0 of a C-order matrix, the last axis of views.
"""
import argparse

import numpy as np

import cact
from cact._registry import ELEMENTWISE
from cact._bench import _params, bound, time_interleaved

try:
    import cact_old
except ImportError:
    cact_old = None
try:
    import torch
except ImportError:
    torch = None


def views(base):
    return {
        "contiguous": base[:1000],
        "rows ::2": base[::2],
        "cols ::2": base[:, ::2],
        "cols ::-1": base[:, ::-1],
        "transposed": base[:1000].T,
        "3-d permuted": base.reshape(20, 100, 1000)[:10].transpose(2, 0, 1),
    }


def torch_view(tbase, base, v):
    """the same view of tbase (None for negative strides, which PyTorch does not have)"""
    if any(s < 0 for s in v.strides):
        return None
    size = base.itemsize
    return torch.as_strided(tbase, v.shape, [s // size for s in v.strides],
                            (v.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // size)


TORCH = {a.name: (lambda t, a=a: a.torch(torch, t, **_params(a.name))) for a in ELEMENTWISE}   # (the bench's parameters)


def softmax_cases(dtype):
    """(label, x, axis, the same in PyTorch as (tensor, dim) or None)"""
    rng = np.random.default_rng(1)
    nchw = (rng.standard_normal((8, 21, 64, 64)) * 3).astype(dtype)
    mat = (rng.standard_normal((2000, 1000)) * 3).astype(dtype)
    small = (rng.standard_normal((64, 1000)) * 3).astype(dtype)
    att = (rng.standard_normal((4, 128, 16, 128)) * 3).astype(dtype)
    cases = [("NCHW axis 1", nchw, 1, lambda t: (t(nchw), 1)),
             ("(64,1000) axis 0", small, 0, lambda t: (t(small), 0)),
             ("rows ::2, last", mat[::2], -1, lambda t: (t(mat)[::2], 1)),
             ("cols ::2, last", mat[:, ::2], -1, lambda t: (t(mat)[:, ::2], 1)),
             ("transposed, last", mat[:1000].T, -1, lambda t: (t(mat)[:1000].T, 1)),
             ("(B,H,T,T) from (B,T,H,T)", att.transpose(0, 2, 1, 3), -1, lambda t: (t(att).permute(0, 2, 1, 3), 3)),
             ("contiguous, last", mat[:1000], -1, lambda t: (t(mat)[:1000], 1))]
    return cases


def run_softmax(args):
    for label, x, axis, tview in softmax_cases(args.dtype):
        fns = [lambda: cact.softmax(x, axis=axis)]
        who = ["cact"]
        if cact_old is not None:
            fns.append(lambda: cact_old.softmax(x, axis=axis))
            who.append("old")
        if torch is not None:
            t, dim = tview(torch.from_numpy)
            fns.append(lambda t=t, dim=dim: torch.softmax(t, dim))
            who.append("torch")
        times = time_interleaved(fns, repeats=args.repeats)
        print(f"  {'softmax':10s} {label:26s} " + "  ".join(f"{w} {t / x.size * 1e9:6.3f}" for w, t in zip(who, times)))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--functions", default="sigmoid,gelu,relu")
    p.add_argument("--dtype", default="float32")
    p.add_argument("--repeats", type=int, default=9)
    args = p.parse_args()
    base = (np.random.default_rng(0).standard_normal((2000, 1000)) * 3).astype(args.dtype)
    tbase = torch.from_numpy(base) if torch is not None else None
    vs = views(base)
    print(f"cact {cact.__version__}, {args.dtype}, {cact.get_num_threads()} threads; ns per value"
          + ("; old: cact_old" if cact_old else "") + ("; torch: the same view in PyTorch" if torch else ""))
    for name in args.functions.split(","):
        if name == "softmax":
            run_softmax(args)
            continue
        fns, labels = [], []
        for label, v in vs.items():
            fns.append(lambda v=v, f=bound(name)[0]: f(v))
            labels.append((label, "cact", v.size))
            if cact_old is not None:
                fns.append(lambda v=v: getattr(cact_old, name)(v))
                labels.append((label, "old", v.size))
            t = torch_view(tbase, base, v) if torch is not None else None
            if t is not None:
                fns.append(lambda t=t: TORCH[name](t))
                labels.append((label, "torch", v.size))
        times = time_interleaved(fns, repeats=args.repeats)
        cells = {}
        for (label, who, n), t in zip(labels, times):
            cells.setdefault(label, {})[who] = t / n * 1e9
        for label, c in cells.items():
            print(f"  {name:10s} {label:13s} " + "  ".join(f"{who} {c[who]:6.3f}" for who in ("cact", "old", "torch") if who in c))


if __name__ == "__main__":
    main()
