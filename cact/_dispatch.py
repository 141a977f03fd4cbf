"""Pick the kernel build at import: the x86-64-v3 (AVX2 + FMA) one when it was built and this CPU
runs it, else the portable baseline. CACT_SIMD=baseline forces the baseline (tests and benchmarks
cover both); CACT_SIMD=avx2 insists on the AVX2 build (ImportError when it cannot run here)."""
import os

from cact import _kernels as _baseline

_wanted = os.environ.get("CACT_SIMD", "auto").strip().lower() or "auto"
if _wanted not in ("auto", "baseline", "avx2"):
    raise ImportError(f"CACT_SIMD must be 'auto', 'baseline' or 'avx2', got {_wanted!r}")

kernels, simd = _baseline, "baseline"
if _wanted != "baseline":
    try:
        from cact import _kernels_avx2 as _avx2
    except ImportError:
        _avx2 = None
    if _avx2 is not None and _baseline.cpu_has_avx2_fma():
        kernels, simd = _avx2, "avx2"
    elif _wanted == "avx2":
        raise ImportError("CACT_SIMD=avx2, but " + (
            "this build has no AVX2 kernels" if _avx2 is None else "this CPU lacks AVX2/FMA"))


def _after_fork_in_child():
    # libgomp is not fork-safe: after the parent ran a parallel region, a forked child hangs in its
    # first one. cact's kernels in the child therefore run serially (get_num_threads() says 1).
    for module in {_baseline, kernels}:
        module.set_serial_only(True)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
