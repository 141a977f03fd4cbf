"""float16 and bfloat16: every representable value, every function and derivative of the registry.

A half-precision result must be the half rounding of a value within a few float32 ulp of the truth:
checked against cact's float64 result (itself checked against mpmath in test_accuracy.py) rounded to
the half type, at most 1 half ulp apart, and equal wherever that float64 value is not within a
float32 ulp of a rounding boundary (there the float32 computation may round either way).
"""
import numpy as np
import pytest

import cact
from cact import _registry as registry

from conftest import ELEMENTWISE, FROM_Y, ROWS

try:
    import ml_dtypes
    BF16 = np.dtype(ml_dtypes.bfloat16)
except ImportError:  # pragma: no cover - ml_dtypes is optional
    BF16 = None

# (the tests cast NaN and infinities between the half types and float64 on purpose)
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning",
                                        "ignore:overflow encountered in cast:RuntimeWarning")

HALVES = [np.dtype(np.float16)] + ([BF16] if BF16 is not None else [])
HALF_IDS = [str(d) for d in HALVES]


def every_value(dt):
    """all 65,536 values of the half type, NaNs and infinities included"""
    return np.arange(1 << 16, dtype=np.uint16).view(dt)


def ordered(bits):
    """half bit patterns as integers in the order of their values (-0 and +0 both 0)"""
    b = bits.astype(np.int32)
    mag = b & 0x7FFF
    return np.where(b & 0x8000, -mag, mag)


def assert_half_rounded(got, ref64, dt, what):
    """got (half type dt) against ref64 (float64) rounded to dt: NaN where ref64 is NaN; equal unless
    ref64 lies within a float32 ulp of a rounding boundary of dt; never more than 1 ulp apart"""
    assert got.dtype == dt, f"{what}: dtype {got.dtype}, expected {dt}"
    got = np.asarray(got).reshape(-1)
    ref64 = np.asarray(ref64, np.float64).reshape(-1)
    nan = np.isnan(ref64)
    gnan = np.isnan(got.astype(np.float32))
    assert np.array_equal(nan, gnan), f"{what}: NaN at {np.flatnonzero(nan != gnan)[:5]}"
    want = ref64.astype(dt)
    gb, wb = got.view(np.uint16), want.view(np.uint16)
    gap = np.abs(ordered(gb) - ordered(wb))
    gap[nan] = 0
    # infinities: an exact match is required (overflow to inf is the float32 result's rounding)
    s = np.spacing(np.abs(ref64).astype(np.float32)).astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        lo, hi = (ref64 - s).astype(dt).view(np.uint16), (ref64 + s).astype(dt).view(np.uint16)
    near = (lo != hi) & ~np.isinf(ref64)
    bad = (gap > 1) | ((gap > 0) & ~near)
    bad[nan] = False
    if bad.any():
        i = np.flatnonzero(bad)[:5]
        raise AssertionError(f"{what}: {bad.sum()} results off, e.g. at {i}: got {got[i]}, "
                             f"want {want[i]} (float64 {ref64[i]})")


def assert_same(got, want):
    """the same bits, NaN where NaN (a NaN's sign and payload are not part of the contract)"""
    g32, w32 = np.asarray(got).astype(np.float32), np.asarray(want).astype(np.float32)
    assert np.array_equal(np.isnan(g32), np.isnan(w32))
    keep = ~np.isnan(w32)
    np.testing.assert_array_equal(np.asarray(got).view(np.uint16)[keep], np.asarray(want).view(np.uint16)[keep])


def _g(dt):
    """a grad_output of every value but the non-finite ones, in another order than x's"""
    v = every_value(dt).astype(np.float32)
    v = v[np.isfinite(v)]
    return np.resize(np.roll(v, 12345), 1 << 16).astype(dt)


@pytest.mark.parametrize("dt", HALVES, ids=HALF_IDS)
@pytest.mark.parametrize("vid", list(ELEMENTWISE))
def test_elementwise_every_half_value(vid, dt):
    f, fg, kw = ELEMENTWISE[vid]
    x = every_value(dt)
    x64 = x.astype(np.float64)
    g = _g(dt)
    g64 = g.astype(np.float64)
    with np.errstate(all="ignore"):
        assert_half_rounded(f(x, **kw), f(x64, **kw), dt, f"{vid} forward")
        assert_half_rounded(fg(x, **kw), fg(x64, **kw), dt, f"{vid} derivative")
        assert_half_rounded(fg(x, **kw, grad_output=g), fg(x64, **kw, grad_output=g64), dt, f"{vid} backward")
        if vid in FROM_Y:
            assert_half_rounded(fg(y=x, **kw, grad_output=g), fg(y=x64, **kw, grad_output=g64), dt,
                                f"{vid} backward from y")
        out = np.empty_like(x)
        assert f(x, **kw, out=out) is out
        assert_half_rounded(out, f(x64, **kw), dt, f"{vid} forward into out=")


@pytest.mark.parametrize("dt", HALVES, ids=HALF_IDS)
@pytest.mark.parametrize("vid", [v for v, (act, kw) in ROWS.items() if act.kind != "elementwise"])
def test_rows_gated_prelu_every_half_value(vid, dt):
    act, kw = ROWS[vid]
    f = getattr(cact, act.name)
    x = every_value(dt).reshape(256, 256)
    x64 = x.astype(np.float64)
    with np.errstate(all="ignore"):
        y, y64 = f(x, **kw), f(x64, **kw)
        assert_half_rounded(y, y64, dt, f"{vid} forward")
        g = _g(dt)[: y.size].reshape(y.shape)
        r, r64 = (getattr(cact, act.name + "_grad")(x, **kw, grad_output=g),
                  getattr(cact, act.name + "_grad")(x64, **kw, grad_output=g.astype(np.float64)))
    if act.name == "prelu":   # (d/dx, d/dalpha): d/dalpha keeps alpha's dtype (float64)
        r, r64 = r[0], r64[0]
    assert_half_rounded(r, r64, dt, f"{vid} backward")


@pytest.mark.parametrize("dt", HALVES, ids=HALF_IDS)
def test_half_promotion(dt):
    x = np.linspace(-4, 4, 64).astype(dt)
    # half grad_output with half x: a half result
    assert cact.silu_grad(x, grad_output=x).dtype == dt
    # a wider grad_output promotes (NumPy's result_type), a Python number does not
    assert cact.silu_grad(x, grad_output=x.astype(np.float32)).dtype == np.float32
    assert cact.silu_grad(x, grad_output=2.0).dtype == dt
    r = cact.silu_grad(x, grad_output=x.astype(np.float32))
    np.testing.assert_array_equal(r, cact.silu_grad(x.astype(np.float32), grad_output=x.astype(np.float32)))
    # out= of float32 for a half input takes the half result (same_kind)
    o = np.empty(x.shape, np.float32)
    cact.gelu(x, out=o)
    np.testing.assert_array_equal(o, cact.gelu(x).astype(np.float32))
    # an out= of the other half type is a same_kind cast too; a float16 out for float32 results as well
    if BF16 is not None:
        other = BF16 if dt != BF16 else np.dtype(np.float16)
        o = np.empty(x.shape, other)
        cact.relu(x, out=o)
        np.testing.assert_array_equal(o, cact.relu(x).astype(other))


def test_float16_with_bfloat16_promotes_to_float32():
    if BF16 is None:
        pytest.skip("ml_dtypes is not installed")
    x = np.linspace(-4, 4, 64).astype(np.float16)
    r = cact.tanh_grad(x, grad_output=x.astype(BF16))
    assert r.dtype == np.float32


@pytest.mark.parametrize("dt", HALVES, ids=HALF_IDS)
@pytest.mark.parametrize("n", [1, 7, 1023, 1025, 5000, 100_003])
def test_half_layouts_and_sizes(dt, n):
    """contiguous runs of any length (the blocks' chunks and tails), strided and reversed views,
    in place, and the same bits whatever the team"""
    rng = np.random.default_rng(n)
    x = (rng.standard_normal(2 * n) * 3).astype(dt)
    for f in (cact.sigmoid, cact.gelu, cact.relu):
        want = f(x.astype(np.float32)).astype(dt)
        assert_same(f(x), want)
        assert_same(f(x[::2]), want[::2])
        assert_same(f(x[::-1]), want[::-1])
        z = x.copy()
        f(z, out=z)
        assert_same(z, want)
        before = cact.get_num_threads()
        try:
            cact.set_num_threads(1)
            assert_same(f(x), want)
        finally:
            cact.set_num_threads(before)


def test_bfloat16_found_without_importing_ml_dtypes():
    """cact finds bfloat16 by its dtype; importing cact does not import ml_dtypes"""
    import subprocess
    import sys
    code = "import sys, cact; print('ml_dtypes' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"


def test_registry_has_every_function_here():
    """the exhaustive tests above are driven by the registry's rows, all of them"""
    names = {act.name for _, act, _ in registry.variants()}
    covered = {ROWS[v][0].name for v in ROWS}
    assert names == covered


SPECIALS = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-7, -1e-7, 88.0, -90.0, 3.0, -0.75, 1e3, -11.0, 0.5, -2.0,
            60000.0, -60000.0, 6e-8]


@pytest.mark.parametrize("dt", HALVES, ids=HALF_IDS)
@pytest.mark.parametrize("family", [k.name for k in registry.KERNELS])
def test_half_serial_parallel_streamed_and_aligned_agree(family, dt):
    """every family's half blocks: the serial and the OpenMP loops, plain and non-temporal stores,
    out= at any alignment and in place give the same bits (as float32's tests in test_hardening)"""
    from cact import _dispatch as k
    from test_hardening import _family_calls
    rng = np.random.default_rng(5)
    n = 3 * 1024 + 37
    with np.errstate(over="ignore"):
        x = (rng.standard_normal(n) * 4).astype(dt)
        x[::101] = np.array(SPECIALS * 2)[: len(x[::101])].astype(dt)
    g = rng.standard_normal(n).astype(dt)
    calls = _family_calls(family, g)
    default_serial, default_stream = k.get_serial_below()[(family, "f32")], k.get_stream_from()
    before = cact.get_num_threads()
    try:
        cact.set_num_threads(2)
        k.set_serial_below(family, "f32", 2**62)
        want = [f(x, **kw) for f, kw in calls]
        k.set_serial_below(family, "f32", 0)
        if family in default_stream:
            k.set_stream_from(family, 1)
        for (f, kw), w in zip(calls, want):
            assert w.dtype == dt
            assert_same(f(x, **kw), w)
            for shift in (0, 1, 5, 16):
                buf = np.empty(n + 64, dt)
                start = (-buf.ctypes.data % 64) // 2 + shift
                out = buf[start:start + n]
                f(x, **kw, out=out)
                assert_same(out, w)
            y = x.copy()
            f(y, **kw, out=y)
            assert_same(y, w)
    finally:
        k.set_serial_below(family, "f32", default_serial)
        for fam, nbytes in default_stream.items():
            k.set_stream_from(fam, nbytes)
        cact.set_num_threads(before)


@pytest.mark.parametrize("dt", HALVES, ids=HALF_IDS)
def test_half_rows_any_axis_layout_out_and_threads(dt):
    """softmax, log_softmax, softmin and a gated unit on half data: other axes and layouts, out= of
    the half type (and float32), in place, 1 or 2 threads: the bits of the C-contiguous call"""
    rng = np.random.default_rng(9)
    x = (rng.standard_normal((6, 40, 300)) * 3).astype(dt)
    g = rng.standard_normal(x.shape).astype(dt)
    before = cact.get_num_threads()
    try:
        for f, grad in ((cact.softmax, cact.softmax_grad), (cact.log_softmax, cact.log_softmax_grad),
                        (cact.softmin, cact.softmin_grad)):
            for axis in (-1, 1, 0):
                xm = np.ascontiguousarray(np.moveaxis(x, axis, -1))
                gm = np.ascontiguousarray(np.moveaxis(g, axis, -1))
                want = np.moveaxis(f(xm), -1, axis)
                wantg = np.moveaxis(grad(xm, grad_output=gm), -1, axis)
                for threads in (1, 2):
                    cact.set_num_threads(threads)
                    assert_same(f(x, axis=axis), want)
                    assert_same(grad(x, axis=axis, grad_output=g), wantg)
                    assert_same(f(np.asfortranarray(x), axis=axis), want)
                o = np.empty(x.shape, dt)
                f(x, axis=axis, out=o)
                assert_same(o, want)
                o32 = np.empty(x.shape, np.float32)
                f(x, axis=axis, out=o32)
                np.testing.assert_array_equal(o32, want.astype(np.float32))
                z = x.copy()
                f(z, axis=axis, out=z)
                assert_same(z, want)
        for threads in (1, 2):
            cact.set_num_threads(threads)
            h = cact.swiglu(x, axis=1)
            np.testing.assert_array_equal(
                h.view(np.uint16),
                np.moveaxis(cact.swiglu(np.ascontiguousarray(np.moveaxis(x, 1, -1))), -1, 1).view(np.uint16))
            gh = cact.swiglu_grad(x, axis=1, grad_output=g[:, :20])
            assert gh.shape == x.shape and gh.dtype == dt
    finally:
        cact.set_num_threads(before)


@pytest.mark.parametrize("dt", HALVES, ids=HALF_IDS)
@pytest.mark.parametrize("shape, axis", [((4, 3, 5), 1), ((2, 64, 300), 1), ((3, 20000), 1), ((1, 3, 20000), 1),
                                         ((50, 7), 1), ((2, 5, 3, 4), 2), ((6, 40), 0)])
def test_prelu_per_channel_half(shape, axis, dt):
    """per-channel prelu in half precision, in pieces of whole outer rows, channel ranges or inner
    ranges (by the shape): the float32 computation's bits, rounded; d/dalpha within 1 ulp of the
    float64 one rounded; with and without grad_output; 1 and 2 threads"""
    rng = np.random.default_rng(len(shape) * 100 + shape[-1])
    x = (rng.standard_normal(shape) * 3).astype(dt)
    g = rng.standard_normal(shape).astype(dt)
    a = rng.uniform(-0.5, 0.5, shape[axis])
    x32, g32 = x.astype(np.float32), g.astype(np.float32)
    before = cact.get_num_threads()
    try:
        for threads in (1, 2):
            cact.set_num_threads(threads)
            y = cact.prelu(x, a, axis=axis)
            assert y.dtype == dt
            assert_same(y, cact.prelu(x32, a, axis=axis).astype(dt))
            o = np.empty_like(x)
            cact.prelu(x, a, axis=axis, out=o)
            assert_same(o, y)
            for gg in (g, None):
                gx, ga = cact.prelu_grad(x, a, axis=axis, grad_output=gg)
                gx32, _ = cact.prelu_grad(x32, a, axis=axis, grad_output=None if gg is None else g32)
                assert gx.dtype == dt and ga.dtype == dt and ga.shape == a.shape
                assert_same(gx, gx32.astype(dt))
                _, ga64 = cact.prelu_grad(x.astype(np.float64), a, axis=axis,
                                          grad_output=None if gg is None else g.astype(np.float64))
                assert_half_rounded(ga, ga64, dt, "d/dalpha")
    finally:
        cact.set_num_threads(before)
