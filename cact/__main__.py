"""python -m cact bench | demo | config

bench   times every activation and derivative against NumPy (and PyTorch when installed)
demo    runs the classic examples (the project's founding document's) through cact
config  prints the build and thread configuration (cact.show_config())
"""
import os
import sys

# NumPy is benchmarked without OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (set on some machines for old
# OpenBLAS builds; they slow a current NumPy): re-run without them before NumPy is imported.
if __name__ == "__main__" and sys.argv[1:2] == ["bench"] and (
        "OPENBLAS_CORETYPE" in os.environ or "OPENBLAS_L2_SIZE" in os.environ):
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    os.execve(sys.executable, [sys.executable, "-m", "cact"] + sys.argv[1:], env)

import argparse
import importlib
import importlib.util

import numpy as np

import cact
from cact import _bench
from cact._registry import ELEMENTWISE, GATED, ROWWISE

_X = np.array([-2, -1, 0, 1, 2])

# (name, the call as cact's founding document writes it, through cact, what that document printed)
SEED_EXAMPLES = [
    ("sigmoid", lambda: cact.sigmoid(_X), "[0.11920292 0.26894142 0.5        0.73105858 0.88079708]"),
    ("relu", lambda: cact.relu(_X), "[0 0 0 1 2]"),
    ("leaky_relu", lambda: cact.leaky_relu(_X), "[-0.02 -0.01  0.    1.    2.  ]"),
    ("softmax", lambda: cact.softmax(np.array([1, 2, 3, 4, 5])),
     "[0.01165623 0.03168492 0.08612854 0.23412166 0.63640865]"),
    ("prelu", lambda: cact.prelu(_X, 0.01), "[-0.02 -0.01  0.    1.    2.  ]"),
    ("gelu", lambda: cact.gelu(_X), "[-0.04540231 -0.15880801  0.          0.84119199  1.95459769]"),
    ("elu", lambda: cact.elu(_X), "[-0.86466472 -0.63212056  0.          1.          2.        ]"),
]


def demo():
    print("The classic examples through cact (x = [-2, -1, 0, 1, 2]; softmax of [1, 2, 3, 4, 5]),\n"
          "each above the NumPy one-liner's printed output:\n")
    for name, call, printed in SEED_EXAMPLES:
        print(f"{name:>10}: {call()}")
        print(f"{'NumPy':>10}: {printed}")
    print("\n(relu: the NumPy one-liner keeps the integer dtype; cact computes integers in float64.)")
    print("\nDerivatives at the same x:")
    for act in ELEMENTWISE:   # (at the bench's parameters: defaults, and required ones set)
        name = act.name + "_grad"
        print(f"{name:>16}: {getattr(cact, name)(_X, **_bench._params(act.name))}")
    print("\nRow functions of [1, 2, 3, 4, 5], and their vector-Jacobian product with g = [1, 0, 0, 0, 0]:")
    row, e0 = np.array([1, 2, 3, 4, 5]), np.eye(5)[0]
    for act in ROWWISE:
        f, fg = getattr(cact, act.name), getattr(cact, act.name + "_grad")
        print(f"{act.name:>16}: {f(row)}")
        print(f"{act.name + '_grad':>16}: {fg(row, grad_output=e0)}")
    print("\nGated units of x = [-2, -1, 1, 2] (halves [-2, -1] and [1, 2]), and their gradient (g = 1):")
    xg = np.array([-2.0, -1.0, 1.0, 2.0])
    for act in GATED:
        f, fg = getattr(cact, act.name), getattr(cact, act.name + "_grad")
        print(f"{act.name:>16}: {f(xg)}   grad: {fg(xg)}")


def _csv(text, parser, what, allowed=None, convert=str):
    items = [v.strip() for v in text.split(",") if v.strip()]
    try:
        items = [convert(v) for v in items]
    except ValueError:
        parser.error(f"--{what}: cannot read {text!r}")
    if not items or (allowed is not None and any(v not in allowed for v in items)):
        parser.error(f"--{what}: expected a comma-separated list from {', '.join(map(str, allowed or []))}")
    return items


def bench(args, parser):
    functions = _csv(args.functions, parser, "functions", _bench.FUNCTIONS)
    sizes = _csv(args.sizes, parser, "sizes", convert=lambda v: int(float(v)))
    if any(n < 1 for n in sizes):
        parser.error("--sizes: sizes must be positive")
    dtypes = _csv(args.dtype.replace("both", "float32,float64"), parser, "dtype", _bench.DTYPES)
    if "bfloat16" in dtypes and importlib.util.find_spec("ml_dtypes") is None:
        parser.error("--dtype bfloat16 needs ml_dtypes: pip install ml_dtypes")
    ops = _csv(args.ops.replace("both", ",".join(_bench.OPS)), parser, "ops", _bench.OPS)
    if args.threads is not None and args.threads < 1:
        parser.error("--threads must be a positive integer")
    if args.repeats < 1:
        parser.error("--repeats must be a positive integer")
    if args.plot:   # before any timing: a missing matplotlib should not cost a whole run
        try:
            importlib.import_module("matplotlib")
        except ImportError:
            parser.error("--plot needs matplotlib: pip install matplotlib (or pip install 'cact[bench]')")
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep or not key:
            parser.error(f"--param: expected NAME=VALUE, got {item!r}")
        try:
            _bench.PARAMS[key] = float(value)
        except ValueError:
            _bench.PARAMS[key] = value
    _bench.OUT = args.out
    if args.row is not None:
        if args.row < 1:
            parser.error("--row must be a positive integer")
        _bench.SOFTMAX_ROW = args.row
    peers = _csv(args.peers, parser, "peers", _bench.PEERS) if args.peers.strip() else []
    rows = _bench.run(functions, sizes, dtypes, ops, threads=args.threads, repeats=args.repeats,
                      prelu_slopes=args.prelu_slopes, peers=peers)
    if args.plot:
        return 0 if _bench.plot(rows, args.plot) else 1
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m cact", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("bench", help="time cact against NumPy (and PyTorch)")
    b.add_argument("--functions", default=",".join(_bench.FUNCTIONS),
                   help="comma-separated, from: " + ", ".join(_bench.FUNCTIONS))
    b.add_argument("--sizes", default="1e3,1e5,1e6", help="comma-separated element counts (default 1e3,1e5,1e6)")
    b.add_argument("--dtype", default="both",
                   help="comma-separated from float32, float64, float16, bfloat16 (ml_dtypes'); both: "
                        "float32,float64 (the default)")
    b.add_argument("--ops", default="both", help="forward, backward or both (default both)")
    b.add_argument("--threads", type=int, default=None, help="threads for cact and torch (default: OpenMP's)")
    b.add_argument("--repeats", type=int, default=7, help="interleaved repeats per row (median)")
    b.add_argument("--prelu-slopes", type=int, default=_bench.PRELU_CHANNELS, choices=(1, _bench.PRELU_CHANNELS),
                   help=f"prelu's slopes: one per channel of {_bench.PRELU_CHANNELS} (default), or 1 for all")
    b.add_argument("--peers", default="torch",
                   help="peers beside NumPy, those installed: comma-separated from " + ", ".join(_bench.PEERS)
                   + " (default torch; ONNX Runtime: forward only)")
    b.add_argument("--out", action="store_true", help="cact's forward into a preallocated out= (as ONNX Runtime's io_binding)")
    b.add_argument("--row", type=int, default=None,
                   help=f"row length of softmax and its kin (default {_bench.SOFTMAX_ROW})")
    b.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="a parameter for the functions that take it (e.g. approximate=none: exact gelu, geglu); repeatable")
    b.add_argument("--plot", metavar="FILE.png", help="also draw the speedups (needs matplotlib)")
    sub.add_parser("demo", help="run the classic examples")
    sub.add_parser("config", help="print the build and thread configuration")
    args = parser.parse_args(argv)
    if args.command == "bench":
        return bench(args, parser)
    if args.command == "demo":
        demo()
    elif args.command == "config":
        cact.show_config()
    return 0


if __name__ == "__main__":
    sys.exit(main())
