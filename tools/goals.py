"""Measure the speed goals that `python -m cact bench` does not print, for every activation of the
registry:
out= at 1e7 against np.copyto (memory bound), n = 16 against np.maximum(x, 0), thread scaling at
1e7, and the memory a call allocates (tracemalloc). Ratios are side by side in one run.

    python tools/goals.py
"""
import os
import sys
import timeit
import tracemalloc

import numpy as np

import cact
from cact._bench import FUNCTIONS, bound, time_interleaved
from cact._registry import BY_NAME, KERNELS

SLOPES = np.full(64, 0.1)
# these run on (n / k, k) matrices: channels, rows of softmax and its kin, gated units' pairs of halves
ROWS = {"prelu": 64, **{n: 1000 for n in FUNCTIONS if BY_NAME[n].kind == "rows"},
        **{n: 2000 for n in FUNCTIONS if BY_NAME[n].kind == "gated"}}
FORWARD = {name: (lambda x, f=bound(name)[0], **kw: f(x, **kw)) for name in FUNCTIONS}
FORWARD["prelu"] = lambda x, **kw: cact.prelu(x, SLOPES, **kw)
# compute-bound: they should scale with the threads (the memory-bound ones share the bus)
COMPUTE_BOUND = [k.name for k in KERNELS if k.steal and k.name in FORWARD]


def shaped(name, x, out):
    """x and out as `name` takes them (shaped before any timing or tracing; a gated unit's output
    has half of x's last axis)"""
    k = ROWS.get(name)
    if k is None:
        return x, out
    if BY_NAME[name].kind == "gated":
        return x.reshape(-1, k), out[:x.size // 2].reshape(-1, k // 2)
    return x.reshape(-1, k), out.reshape(-1, k)


def main():
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(10_000_000) * 3).astype(np.float32)
    out = np.empty_like(x)
    cact.gelu(x, out=out)
    print("goal 3: out= on 1e7 float32, time / time of np.copyto (target <= 1.3)")
    for name, f in FORWARD.items():
        xs, outs = shaped(name, x, out)
        tc, tf = time_interleaved([lambda: np.copyto(out, x), lambda: f(xs, out=outs)], repeats=5)
        print(f"  {name:11s} {tf / tc:5.2f}   ({tf * 1e3:.2f} ms vs {tc * 1e3:.2f} ms)")

    print("goal 4: n = 16 float32, time / time of np.maximum(x, 0) (target <= 1.5); beside it the same")
    print("        call with out= (an array of x's dtype), against np.maximum(x, 0, out=)")
    s = x[:16].copy()
    so = np.empty_like(s)

    def best(call):
        return min(timeit.repeat(call, number=20000, repeat=7)) / 20000
    base, base_out = best(lambda: np.maximum(s, 0)), best(lambda: np.maximum(s, 0, out=so))
    calls = []
    for name in [n for n in FUNCTIONS if n != "prelu"]:
        a = s.reshape(1, 16) if BY_NAME[name].kind == "rows" else s
        ao = so.reshape(1, 16) if BY_NAME[name].kind == "rows" else (so[:8] if BY_NAME[name].kind == "gated" else so)
        calls.append((name, bound(name)[0], a, ao))
    for label, alpha in (("prelu 0.25", 0.25), ("prelu [.25]", np.array([0.25], np.float32))):   # one slope
        calls.append((label, lambda v, alpha=alpha, **kw: cact.prelu(v, alpha, **kw), s, so))
    for label, f, a, ao in calls:
        t, to = best(lambda: f(a)), best(lambda: f(a, out=ao))
        print(f"  {label:11s} {t / base:5.2f}   ({t * 1e9:.0f} ns vs {base * 1e9:.0f} ns)"
              f"   out= {to / base_out:5.2f}   ({to * 1e9:.0f} ns vs {base_out * 1e9:.0f} ns)")

    print("goal 5: 1e7 float32, time with 1 thread / time with 2 threads (target >= 1.7); beside it the same")
    print("        ratio on 2.6e5 values (1 MB, in cache: no memory traffic), timed interleaved with it: what")
    print("        the machine's second core gives at that moment (a shared VM's vCPUs come and go)")
    before = cact.get_num_threads()
    small, small_out = x[:262144].copy(), np.empty(262144, np.float32)
    for name in COMPUTE_BOUND:
        f = bound(name)[0]

        def timed(threads, a, o):
            def call():
                cact.set_num_threads(threads)
                f(a, out=o)
            return call
        t1, t2, c1, c2 = time_interleaved([timed(1, x, out), timed(2, x, out), timed(1, small, small_out),
                                           timed(2, small, small_out)], repeats=7)
        print(f"  {name:11s} {t1 / t2:5.2f}   ({t1 * 1e3:.1f} ms vs {t2 * 1e3:.1f} ms)   in cache {c1 / c2:5.2f}")
    cact.set_num_threads(before)

    print("goal 6: bytes allocated by one call on 1e6 float32 (result = 4,000,000 bytes)")
    y = x[:1_000_000].copy()
    o = np.empty_like(y)
    for name, f in FORWARD.items():
        ys, os_ = shaped(name, y, o)
        for label, kw in (("new", {}), ("out=", {"out": os_})):
            f(ys, **kw)
            tracemalloc.start()
            f(ys, **kw)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(f"  {name:11s} {label:5s} peak {peak:>10,d} bytes")

if __name__ == "__main__":
    if "OPENBLAS_CORETYPE" in os.environ or "OPENBLAS_L2_SIZE" in os.environ:
        env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
    main()
