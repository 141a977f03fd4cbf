"""cact.softmax against torch.softmax on python -m cact bench's (100, 1000) rows, plain and with
one entry in 7 masked (-inf), float32 and float64: interleaved, best of 7 samples each.

    python tools/softmax_vs_torch.py            # CACT_SIMD=avx2 python ... for the AVX2 build
"""
import timeit

import numpy as np
import torch

import cact
from cact import _dispatch
from cact._bench import make_input


def main():
    torch.set_num_threads(cact.get_num_threads())
    print(f"cact {cact.__version__} ({_dispatch.simd}), {cact.get_num_threads()} threads; torch / cact:")
    for dt in ("float32", "float64"):
        x, _, _ = make_input("softmax", 100_000, dt)
        masked = x.copy()
        masked[:, ::7] = -np.inf
        for name, a in (("plain", x), ("masked", masked)):
            ta = torch.from_numpy(a)
            fns = [lambda: cact.softmax(a), lambda: torch.softmax(ta, -1)]
            best = [float("inf")] * 2
            for _ in range(7):
                for i, f in enumerate(fns):
                    best[i] = min(best[i], min(timeit.repeat(f, number=20, repeat=1)) / 20)
            print(f"{dt} {name:6s}: cact {best[0] * 1e6:6.1f} us  torch {best[1] * 1e6:6.1f} us  {best[1] / best[0]:.2f}")


if __name__ == "__main__":
    main()
