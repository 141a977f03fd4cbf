"""Time cact at an earlier commit (cact_old, built by tools/ab_build.sh) against this tree's build,
interleaved in one process, on python -m cact bench's data and calls.

    bash tools/ab_build.sh REV && PYTHONPATH=/tmp/cact_ab python tools/ab.py \
        [--functions softmax] [--sizes 1e5] [--dtype float32] [--ops backward] [--threads 2] [--row 16]
        [--prelu-slopes 1] [--param approximate=none]

Prints old / new time per row (above 1: the new build is faster) and both against torch when it
is importable (torch / cact, as the bench's 'x torch').
"""
import argparse

import numpy as np

import cact
import cact_old
from cact import _bench
from cact._bench import FUNCTIONS, _cact_impls, make_input, time_interleaved


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--functions", default=",".join(f for f in FUNCTIONS if hasattr(cact_old, f)))
    p.add_argument("--sizes", default="1e3,1e5,1e6")
    p.add_argument("--dtype", default="float32")
    p.add_argument("--ops", default="forward,backward")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--repeats", type=int, default=15)
    p.add_argument("--row", type=int, default=None,
                   help="row length of softmax and its kin (default: the bench's, 1000)")
    p.add_argument("--prelu-slopes", type=int, default=_bench.PRELU_CHANNELS, choices=(1, _bench.PRELU_CHANNELS),
                   help="prelu's slopes: one per channel (default) or 1 for all")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="a parameter for the functions that take it (python -m cact bench's --param)")
    args = p.parse_args()
    for item in args.param:
        key, _, value = item.partition("=")
        try:
            _bench.PARAMS[key] = float(value)
        except ValueError:
            _bench.PARAMS[key] = value
    if args.row:
        _bench.SOFTMAX_ROW = args.row
    try:
        import torch
        from cact._bench import _torch_impls
    except ImportError:
        torch = None
    if args.threads:
        for m in (cact, cact_old):
            m.set_num_threads(args.threads)
        if torch is not None:
            torch.set_num_threads(args.threads)
    print(f"old / new time (> 1: new faster); torch / old, torch / new; {cact.get_num_threads()} threads")
    for name in args.functions.split(","):
        for op in args.ops.split(","):
            for size in args.sizes.split(","):
                x, g, a = make_input(name, int(float(size)), np.dtype(args.dtype), slopes=args.prelu_slopes)
                back = op == "backward"
                fns = [_cact_impls(name, x, g, a, cact_old)[back], _cact_impls(name, x, g, a)[back]]
                if torch is not None:
                    fns.append(_torch_impls(torch, name, x, g, a)[back])
                t = time_interleaved(fns, repeats=args.repeats)
                row = f"{name:10s} {op:8s} {args.dtype:7s} {x.size:>9,d}  old/new {t[0] / t[1]:5.2f}"
                if torch is not None:
                    row += f"   x torch: old {t[2] / t[0]:5.2f} new {t[2] / t[1]:5.2f}"
                print(row, flush=True)


if __name__ == "__main__":
    main()
