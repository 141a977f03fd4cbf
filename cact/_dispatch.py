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
    (and never without the table's non-temporal stores: the SSE2 baseline loses 20-40% with them).
    The AVX-512 column was measured on an Intel Xeon; an AMD Zen 4 runs the AVX-512 build too, but
    its L3 keeps outputs of up to ~16 MB cheaper than streaming them, as on the AVX2 machines
    (tools/stream_bench.py): there the AVX2 column applies."""
    if mb is None or not kernels.can_stream():
        return -1
    m = mb[0] if kernels.isa_stream_wide() and kernels.cpu_is_intel() else mb[1]
    return -1 if m is None else m << 20


def apply_policies():
    """The registry's thread and stream policies into the drivers (again after set_serial_below /
    set_stream_from experiments: tools/tune_threads.py, tools/stream_bench.py)."""
    for i, k in enumerate(KERNELS):
        kernels.set_kernel_policy(i, k.serial[0], k.serial[1], stream_bytes(k.stream_mb), k.steal)
        kernels.set_kernel_exact(i, k.exact)
    for i, name in enumerate(("softmax", "softmax_y", "prelu")):
        s = ROWS_SERIAL[name]
        kernels.set_rows_policy(i, s[0], s[1], stream_bytes(ROWS_STREAM_MB.get(name)))


apply_policies()

_ROWS = ("softmax", "softmax_y", "prelu")
_NAMES = [k.name for k in KERNELS]


def _policy(family):
    """(get, set, index) of a family's policy in the drivers: (serial f32, serial f64, stream bytes[, steal])"""
    if family in _ROWS:
        return kernels.get_rows_policy, kernels.set_rows_policy, _ROWS.index(family)
    return kernels.get_kernel_policy, kernels.set_kernel_policy, _NAMES.index(family)


def _get_policy(family):
    get, _, i = _policy(family)
    return get(i)


def _set_policy_slot(family, slot, value):
    _, put, i = _policy(family)
    pol = list(_get_policy(family))
    pol[slot] = value
    put(i, *pol)


def get_serial_below():
    """{(family, 'f32' | 'f64'): elements up to which its kernels run serially}"""
    return {(name, sfx): _get_policy(name)[d] for name in _NAMES + list(_ROWS) for d, sfx in enumerate(("f32", "f64"))}


def set_serial_below(family, sfx, n):
    """Tuning hook (tools/tune_threads.py): run `family`'s `sfx` kernels serially up to n elements"""
    _set_policy_slot(family, ("f32", "f64").index(sfx), n)


def get_stream_from():
    """{family: bytes from which its outputs are streamed (non-temporal stores)}; {} where the
    build cannot"""
    if not kernels.can_stream():
        return {}
    streamed = [k.name for k in KERNELS if k.stream_mb is not None] + [r for r in _ROWS if r in ROWS_STREAM_MB]
    return {name: (v if v >= 0 else 2**62) for name in streamed for v in (_get_policy(name)[2],)}


def set_stream_from(family, nbytes):
    """Tuning hook (tools/stream_bench.py): stream `family`'s outputs of at least nbytes"""
    _set_policy_slot(family, 2, nbytes)


def _after_fork_in_child():
    # libgomp is not fork-safe: after the parent ran a parallel region, a forked child hangs in its
    # first one. cact's kernels in the child therefore run serially (get_num_threads() says 1).
    kernels.set_serial_only(True)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
