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
