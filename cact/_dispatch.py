"""Pick the kernel build at import: the best one that was built and that this CPU runs, from
x86-64-v4 (AVX-512), x86-64-v3 (AVX2 + FMA) and the portable baseline. CACT_SIMD=baseline|avx2|avx512
insists on one (ImportError when it cannot run here), so tests and benchmarks cover each."""
import importlib
import os

from cact import _kernels as _baseline

LEVELS = ("baseline", "avx2", "avx512")  # worst to best
_wanted = os.environ.get("CACT_SIMD", "auto").strip().lower() or "auto"
if _wanted not in ("auto",) + LEVELS:
    raise ImportError(f"CACT_SIMD must be 'auto', 'baseline', 'avx2' or 'avx512', got {_wanted!r}")


def _load(level):
    """The kernel module of `level` if it was built and this CPU runs it, else None."""
    if level == "baseline":
        return _baseline
    runs = _baseline.cpu_has_avx512() if level == "avx512" else _baseline.cpu_has_avx2_fma()
    if not runs:
        return None
    try:
        return importlib.import_module("cact._kernels_" + level)
    except ImportError:
        return None


kernels, simd = _baseline, "baseline"
if _wanted == "auto":
    for _level in reversed(LEVELS):
        _module = _load(_level)
        if _module is not None:
            kernels, simd = _module, _level
            break
else:
    kernels, simd = _load(_wanted), _wanted
    if kernels is None:
        raise ImportError(f"CACT_SIMD={_wanted}, but this build or this CPU has no {_wanted} kernels")


def _after_fork_in_child():
    # libgomp is not fork-safe: after the parent ran a parallel region, a forked child hangs in its
    # first one. cact's kernels in the child therefore run serially (get_num_threads() says 1).
    for module in {_baseline, kernels}:
        module.set_serial_only(True)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
