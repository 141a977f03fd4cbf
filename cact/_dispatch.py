"""Pick the kernel build at import and give the drivers the registry's policies.

The extension holds one copy of the drivers and one table of kernels per ISA build (baseline
x86-64, x86-64-v3: AVX2 + FMA, x86-64-v4: AVX-512); the best table this CPU runs is used.
CACT_SIMD=baseline|avx2|avx512 insists on one (ImportError when it cannot run here), so tests and
benchmarks cover each.
"""
import os

from cact import _core as kernels
from cact._registry import KERNELS, ROWS_SERIAL, ROWS_STREAM_MB

LEVELS = ("baseline", "avx2", "avx512")  # worst to best
_wanted = os.environ.get("CACT_SIMD", "auto").strip().lower() or "auto"
if _wanted not in ("auto",) + LEVELS:
    raise ImportError(f"CACT_SIMD must be 'auto', 'baseline', 'avx2' or 'avx512', got {_wanted!r}")


def _runs(level):
    if level == "avx512":
        return kernels.cpu_has_avx512()
    return level == "baseline" or kernels.cpu_has_avx2_fma()


def _select(level):
    """Use the kernels of `level` if they were built and this CPU runs them."""
    return _runs(level) and kernels.select_isa(LEVELS.index(level))


if _wanted == "auto":
    simd = next(level for level in reversed(LEVELS) if _select(level))
elif _select(_wanted):
    simd = _wanted
else:
    raise ImportError(f"CACT_SIMD={_wanted}, but this build or this CPU has no {_wanted} kernels")


def stream_bytes(mb):
    """This build's streaming threshold in bytes for (AVX-512 MB, AVX2 MB or None), or -1: never
    (and never without the table's non-temporal stores: the SSE2 baseline loses 20-40% with them)"""
    if mb is None or not kernels.can_stream():
        return -1
    m = mb[0] if kernels.isa_stream_wide() else mb[1]
    return -1 if m is None else m << 20


def apply_policies():
    """The registry's thread and stream policies into the drivers (again after set_serial_below /
    set_stream_from experiments: tools/tune_threads.py, tools/stream_bench.py)."""
    for i, k in enumerate(KERNELS):
        kernels.set_kernel_policy(i, k.serial[0], k.serial[1], stream_bytes(k.stream_mb), k.steal)
    for i, name in enumerate(("softmax", "softmax_y", "prelu")):
        s = ROWS_SERIAL[name]
        kernels.set_rows_policy(i, s[0], s[1], stream_bytes(ROWS_STREAM_MB.get(name)))


apply_policies()

_ROWS = ("softmax", "softmax_y", "prelu")
_NAMES = [k.name for k in KERNELS]


def get_serial_below():
    """{(family, 'f32' | 'f64'): elements up to which its kernels run serially}"""
    out = {}
    for i, name in enumerate(_NAMES):
        pol = kernels.get_kernel_policy(i)
        out[(name, "f32")], out[(name, "f64")] = pol[0], pol[1]
    for i, name in enumerate(_ROWS):
        pol = kernels.get_rows_policy(i)
        out[(name, "f32")], out[(name, "f64")] = pol[0], pol[1]
    return out


def set_serial_below(family, sfx, n):
    """Tuning hook (tools/tune_threads.py): run `family`'s `sfx` kernels serially up to n elements"""
    d = ("f32", "f64").index(sfx)
    if family in _ROWS:
        i = _ROWS.index(family)
        pol = list(kernels.get_rows_policy(i))
        pol[d] = n
        kernels.set_rows_policy(i, *pol)
    else:
        i = _NAMES.index(family)
        pol = list(kernels.get_kernel_policy(i))
        pol[d] = n
        kernels.set_kernel_policy(i, *pol)


def get_stream_from():
    """{family: bytes from which its outputs are streamed (non-temporal stores)}; {} where the
    build cannot"""
    if not kernels.can_stream():
        return {}
    out = {name: kernels.get_kernel_policy(i)[2] for i, name in enumerate(_NAMES)
           if KERNELS[i].stream_mb is not None}
    out.update({name: kernels.get_rows_policy(i)[2] for i, name in enumerate(_ROWS) if name in ROWS_STREAM_MB})
    return {k: (v if v >= 0 else 2**62) for k, v in out.items()}


def set_stream_from(family, nbytes):
    """Tuning hook (tools/stream_bench.py): stream `family`'s outputs of at least nbytes"""
    if family in _ROWS:
        i = _ROWS.index(family)
        pol = list(kernels.get_rows_policy(i))
        pol[2] = nbytes
        kernels.set_rows_policy(i, *pol)
    else:
        i = _NAMES.index(family)
        pol = list(kernels.get_kernel_policy(i))
        pol[2] = nbytes
        kernels.set_kernel_policy(i, *pol)


def _after_fork_in_child():
    # libgomp is not fork-safe: after the parent ran a parallel region, a forked child hangs in its
    # first one. cact's kernels in the child therefore run serially (get_num_threads() says 1).
    kernels.set_serial_only(True)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
