"""Goal 2 of the speed issue over several runs: cact against PyTorch on the goal's rows (float32 at
1e3, 1e5, 1e6; float64 at 1e5; forward and backward of all seven), each run a fresh process doing
what `python -m cact bench` does for those rows, and per row the spread of 'x torch' (torch time /
cact time; above 1: cact is faster).

    python tools/goal2.py [--runs 10] [--repeats 7]

One bench run decides each row from one process: its heap (where each library's results land, and
whether PyTorch's allocator hands back one buffer or alternates two) and the host's state during
the row's ~0.1 s. On rows that are bound by L2 or memory bandwidth on both sides these move the
single-run ratio by 10-40%; the median over runs is what the code gives.
"""
import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys

ROWS = [("float32", (1_000, 100_000, 1_000_000)), ("float64", (100_000,))]


def child(repeats):
    import io
    from cact import _bench
    rows = []
    for dt, sizes in ROWS:
        rows += _bench.run(sizes=sizes, dtypes=(dt,), repeats=repeats, out=io.StringIO(), progress=None)
    json.dump([{k: r[k] for k in ("function", "op", "dtype", "n", "cact", "torch")} for r in rows], sys.stdout)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        return child(args.repeats)
    if importlib.util.find_spec("torch") is None:
        sys.exit("goal 2 compares with PyTorch: pip install torch")
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    ratios = {}
    for i in range(args.runs):
        print(f"\rrun {i + 1}/{args.runs}", end="", file=sys.stderr, flush=True)
        res = subprocess.run([sys.executable, __file__, "--child", "--repeats", str(args.repeats)],
                             env=env, capture_output=True, text=True, check=True)
        for r in json.loads(res.stdout):
            ratios.setdefault((r["dtype"], r["n"], r["function"], r["op"]), []).append(r["torch"] / r["cact"])
    print(file=sys.stderr)
    print(f"x torch over {args.runs} runs (one process each): median, lowest, highest, runs below 1.0")
    below_any = 0
    for (dt, n, name, op), v in sorted(ratios.items()):
        low = sum(x < 1.0 for x in v)
        below_any += low > 0
        print(f"  {name:10s} {op:11s} {dt} {n:>9,d}  median {statistics.median(v):5.2f}  lowest {min(v):5.2f}"
              f"  highest {max(v):5.2f}  below 1: {low}{'  <--' if low else ''}")
    medians = [statistics.median(v) for v in ratios.values()]
    print(f"{len(ratios)} rows; lowest median {min(medians):.2f}; rows below 1.0 in any run: {below_any}")


if __name__ == "__main__":
    main()
