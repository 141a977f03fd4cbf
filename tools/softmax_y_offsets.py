"""softmax_grad(y=, grad_output=, out=) on (100, 1000) rows, this tree's build against an earlier one
(cact_old, tools/ab_build.sh), with out placed at several offsets from y's position in a 4 KB page
(loads and stores 4 KB apart can stall each other): interleaved, medians of 21.

    bash tools/ab_build.sh REV && PYTHONPATH=/tmp/cact_ab python tools/softmax_y_offsets.py [threads] [dtype]
"""
import sys
import timeit

import numpy as np

import cact
import cact_old


def main():
    th = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    dt = np.dtype(sys.argv[2]) if len(sys.argv) > 2 else np.dtype("float32")
    cact.set_num_threads(th)
    cact_old.set_num_threads(th)
    rng = np.random.default_rng(0)
    y = cact.softmax((rng.standard_normal((100, 1000)) * 3).astype(dt))
    g = rng.standard_normal((100, 1000)).astype(dt)
    buf = np.empty(100_000 + 4096, dt)
    print(f"{dt}, {th} thread(s); old / new > 1: new faster")
    for off in (0, 16, 64, 256, 1024, 2048, 3000):
        start = ((y.ctypes.data + off - buf.ctypes.data) % 4096) // dt.itemsize
        o = buf[start:start + 100_000].reshape(100, 1000)
        fns = (lambda: cact_old.softmax_grad(y=y, grad_output=g, out=o),
               lambda: cact.softmax_grad(y=y, grad_output=g, out=o))
        t = np.array([[min(timeit.repeat(f, number=30, repeat=1)) / 30 for f in fns] for _ in range(21)])
        a, b = np.median(t, axis=0)
        print(f"(out - y) mod 4096 = {(o.ctypes.data - y.ctypes.data) % 4096:4d}: old {a * 1e6:.1f} us, new {b * 1e6:.1f} us, "
              f"old/new {a / b:.2f}")


if __name__ == "__main__":
    main()
