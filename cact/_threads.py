"""Thread control. A large call's team: set_num_threads(n)'s n, process-wide, once it was called
(OMP_NUM_THREADS's value, or the number of CPUs, before); a threadpoolctl limit (or any
omp_set_num_threads) in force in the calling thread caps it there. Arrays below a per-kernel size
run serially regardless. The rule itself is in kernels/driver/omp.h.

Adaptive teams (on by default; CACT_ADAPTIVE_THREADS=0 or set_adaptive_threads(False) turn them
off): a call runs on one thread while a team thread has recently been late to a region (another
process holds its core: waiting for it would cost a scheduler slice), while another thread's cact
call runs in parallel, and inside a parallel region; it never uses more threads than the above."""
import numbers
import os
import platform
import sys

from cact._dispatch import kernels as _kernels, simd
from cact._version import __version__


def get_num_threads():
    """The number of threads a large call from this thread uses (1 when cact was built without
    OpenMP): set_num_threads' value, capped by a threadpoolctl limit in force in this thread."""
    return _kernels.get_max_threads()


def set_num_threads(n):
    """Use `n` threads for large calls from now on, from every thread (process-wide, as PyTorch's
    torch.set_num_threads; it overrides OMP_NUM_THREADS). A threadpoolctl limit in force in a
    thread still caps that thread's calls. `n` must be a positive integer."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"n must be a positive integer, got {type(n).__name__}")
    if n < 1:
        raise ValueError(f"n must be a positive integer, got {n}")
    _kernels.set_max_threads(int(n))


def set_adaptive_threads(enabled):
    """Turn the adaptive team policy on (the default) or off (then a large call always uses
    get_num_threads() threads, waiting for busy cores as OpenMP does)."""
    if not (isinstance(enabled, numbers.Integral) and enabled in (0, 1)):
        raise TypeError(f"enabled must be True or False, got {enabled!r}")
    _kernels.set_adaptive(bool(enabled))


def get_adaptive_threads():
    """Whether the adaptive team policy is on."""
    return _kernels.get_adaptive()


if os.environ.get("CACT_ADAPTIVE_THREADS", "1").strip().lower() in ("0", "false", "no", "off"):
    set_adaptive_threads(False)


_SIMD_NAMES = {"baseline": "portable", "avx2": "x86-64-v3: AVX2 + FMA",
               "avx512": "x86-64-v4: AVX-512"}


def show_config(file=None):
    """Print the version, the OpenMP and thread settings in use."""
    import numpy as np

    lines = [
        f"cact {__version__}",
        f"python {platform.python_version()} on {platform.machine()} {sys.platform}; numpy {np.__version__}",
        f"openmp compiled in: {'yes' if _kernels.openmp_enabled() else 'no (serial kernels)'}",
        f"threads: {get_num_threads()} (adaptive: {'on' if get_adaptive_threads() else 'off'})",
        f"SIMD kernels in use: {simd} ({_SIMD_NAMES[simd]})",
    ]
    print("\n".join(lines), file=file)
