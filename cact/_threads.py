"""Thread control. The kernels use OpenMP's team size, omp_get_max_threads(), so this, the
OMP_NUM_THREADS environment variable and threadpoolctl all set it (arrays below a per-kernel size
run serially regardless)."""
import numbers
import platform
import sys

from cact._dispatch import kernels as _kernels, simd
from cact._version import __version__


def get_num_threads():
    """The number of threads a large call uses (1 when cact was built without OpenMP)."""
    return _kernels.get_max_threads()


def set_num_threads(n):
    """Use `n` threads for large calls from now on (from the calling thread; like
    omp_set_num_threads). `n` must be a positive integer."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"n must be a positive integer, got {type(n).__name__}")
    if n < 1:
        raise ValueError(f"n must be a positive integer, got {n}")
    _kernels.set_max_threads(int(n))


_SIMD_NAMES = {"baseline": "portable", "avx2": "x86-64-v3: AVX2 + FMA",
               "avx512": "x86-64-v4: AVX-512"}


def show_config(file=None):
    """Print the version, the OpenMP and thread settings in use."""
    import numpy as np

    lines = [
        f"cact {__version__}",
        f"python {platform.python_version()} on {platform.machine()} {sys.platform}; numpy {np.__version__}",
        f"openmp compiled in: {'yes' if _kernels.openmp_enabled() else 'no (serial kernels)'}",
        f"threads: {get_num_threads()}",
        f"SIMD kernels in use: {simd} ({_SIMD_NAMES[simd]})",
    ]
    print("\n".join(lines), file=file)
