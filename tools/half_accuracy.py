"""float16 and bfloat16 accuracy over every representable value: the report behind tests/test_half.py.

    python tools/half_accuracy.py [--functions sigmoid,gelu,...]

For every function of the registry (forward, derivative, backward step with a grad_output of every
finite value in another order; rows, gated units and prelu on the 65,536 values as 256 x 256) and
both half types: how many of the 65,536 results differ from cact's float64 result rounded to the
half type, how many of those lie within a float32 ulp of a rounding boundary (where the float32
computation may round either way), and the largest difference in half ulps.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import cact  # noqa: E402
from cact import _registry as registry  # noqa: E402
from test_half import HALVES, _g, every_value, ordered  # noqa: E402


def compare(got, ref64, dt):
    """(results off, of which near a boundary, largest gap in ulps)"""
    got = np.asarray(got).reshape(-1)
    ref64 = np.asarray(ref64, np.float64).reshape(-1)
    keep = ~np.isnan(ref64)
    want = ref64.astype(dt)
    gap = np.abs(ordered(got.view(np.uint16)) - ordered(want.view(np.uint16)))[keep]
    s = np.spacing(np.abs(ref64).astype(np.float32)).astype(np.float64)
    near = ((ref64 - s).astype(dt).view(np.uint16) != (ref64 + s).astype(dt).view(np.uint16))[keep]
    off = gap > 0
    return int(off.sum()), int((off & near).sum()), int(gap.max(initial=0))


def cases(act, kw, dt):
    """(label, half result, float64 result) of one registry row"""
    f, fg = getattr(cact, act.name), getattr(cact, act.name + "_grad")
    if act.kind == "elementwise":
        x, g = every_value(dt), _g(dt)
        x64, g64 = x.astype(np.float64), g.astype(np.float64)
        yield "forward", f(x, **kw), f(x64, **kw)
        yield "derivative", fg(x, **kw), fg(x64, **kw)
        yield "backward", fg(x, **kw, grad_output=g), fg(x64, **kw, grad_output=g64)
        if act.from_y:
            yield "backward(y)", fg(y=x, **kw, grad_output=g), fg(y=x64, **kw, grad_output=g64)
        return
    x = every_value(dt).reshape(256, 256)
    x64 = x.astype(np.float64)
    y = f(x, **kw)
    yield "forward", y, f(x64, **kw)
    g = _g(dt)[: y.size].reshape(y.shape)
    r, r64 = fg(x, **kw, grad_output=g), fg(x64, **kw, grad_output=g.astype(np.float64))
    if act.name == "prelu":
        r, r64 = r[0], r64[0]
    yield "backward", r, r64


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--functions", default=None)
    args = p.parse_args()
    wanted = None if args.functions is None else set(args.functions.split(","))
    print(f"cact {cact.__version__}: results of the 65,536 inputs that differ from cact's float64 result "
          f"rounded to the half type (of them: within a float32 ulp of a rounding boundary), largest gap in ulps")
    print(f"{'function':22s} {'op':12s} " + " ".join(f"{str(dt):>22s}" for dt in HALVES))
    worst = 0
    for vid, act, kw in registry.variants():
        if wanted is not None and act.name not in wanted:
            continue
        rows = {}
        for dt in HALVES:
            with np.errstate(all="ignore"):
                for label, got, ref in cases(act, kw, dt):
                    rows.setdefault(label, []).append(compare(got, ref, dt))
        for label, res in rows.items():
            worst = max(worst, *(r[2] for r in res))
            print(f"{vid:22s} {label:12s} " + " ".join(f"{f'{o} ({n}) {m} ulp':>22s}" for o, n, m in res))
    print(f"largest gap anywhere: {worst} ulp")


if __name__ == "__main__":
    main()
