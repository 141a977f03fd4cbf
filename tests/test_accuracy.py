"""Accuracy against mpmath: every value and derivative, in float32 and float64, is within 4 ulp
of the true value over the whole range, tails included (softmax: 8 ulp)."""
import mpmath as mp
import numpy as np
import pytest

import cact
from cact import _registry as registry
from reference import reference, sweep, ulp_errors

DTYPES = [np.float32, np.float64]
ULP = 4

# (id, registry row, keyword parameters, derivative?, cact call): every elementwise activation of
# the registry at its test parameters, value and derivative; prelu with one slope
CASES = []
GRAD_CASES = []
for _vid, _act, _kw in registry.variants(("elementwise",)):
    _f, _fg = getattr(cact, _act.name), getattr(cact, _act.name + "_grad")
    CASES.append((_vid, _act, _kw, False, lambda x, f=_f, kw=_kw: f(x, **kw)))
    CASES.append((_vid + "_grad", _act, _kw, True, lambda x, f=_fg, kw=_kw: f(x, **kw)))
    GRAD_CASES.append((_vid + "_grad", _act, _kw, True, lambda x, g, f=_fg, kw=_kw: f(x, grad_output=g, **kw)))
_prelu = registry.BY_NAME["prelu"]
CASES.append(("prelu_scalar", _prelu, {"alpha": 0.3}, False, lambda x: cact.prelu(x, 0.3)))
CASES.append(("prelu_scalar_grad", _prelu, {"alpha": 0.3}, True, lambda x: cact.prelu_grad(x, 0.3)[0]))


def _ids(cases):
    return [c[0] for c in cases]


@pytest.fixture(scope="module", params=DTYPES, ids=lambda d: d.__name__)
def points(request):
    dt = request.param
    return dt, sweep(dt, n_log=160, n_lin=500)


@pytest.mark.parametrize("name, act, params, grad, call", CASES, ids=_ids(CASES))
def test_within_4_ulp_of_mpmath_over_the_whole_range(points, name, act, params, grad, call):
    dt, x = points
    y = call(x)
    assert y.dtype == dt
    err = ulp_errors(y, reference(act, x, params, grad), dt)
    worst = int(np.nanargmax(err))
    assert not np.isnan(err).any(), "NaN where the true value is finite (or the reverse)"
    assert err[worst] <= ULP, f"{name}: {err[worst]:.2f} ulp at x={x[worst]!r}"


@pytest.mark.parametrize("name, act, params, grad, call", GRAD_CASES, ids=_ids(GRAD_CASES))
def test_backward_step_within_4_ulp(points, name, act, params, grad, call):
    dt, x = points
    g = np.random.default_rng(1).uniform(-3, 3, x.size).astype(dt)
    y = call(x, g)
    true = [mp.mpf(float(gi)) * t for gi, t in zip(g, reference(act, x, params, grad))]
    err = ulp_errors(y, true, dt)
    worst = int(np.nanargmax(err))
    assert err[worst] <= ULP, f"{name}: {err[worst]:.2f} ulp at x={x[worst]!r}"


def _softmax_rows(dt, K=7):
    """Rows of 7 (the tail loops) and 37 (the 16-lane loops and their tail): random at several
    scales, large values, -inf masks, and differences from the max around where float32's exp
    becomes subnormal (-87) and rounds to 0 (-104); a row whose max is beyond the unguarded exp's
    range (CACT_DIFF(F)_MAX_M), which takes the guarded form."""
    rng = np.random.default_rng(2)
    rows = [rng.standard_normal(K) * s for s in (0.1, 1, 10, 100, 1000)]
    special = [[1000.0, 999.0, -1000.0, 0.0, 1.0, 2.0, 3.0],
               [-np.inf, 0.0, 1.0, -np.inf, 2.0, -80.0, -3.0],
               [30.0, -30.0, 29.0, 0.0, -1e4, 1e-3, 28.5],
               [5.0, -82.0, -85.5, -88.0, -95.0, -98.8, -103.0, -104.5, -110.0, -np.inf]]
    big = 3e31 if dt == np.float32 else 3e292
    special.append([big, -np.inf, big * (1 - 2e-7 if dt == np.float32 else 1 - 1e-15), -big, 0.0, big, 1.0])
    for row in special:
        rows.append(np.resize(row, K) if K >= len(row) else np.array(row[:K]))
    return np.array(rows, dtype=dt)


ROW_LENGTHS = pytest.mark.parametrize("K", [7, 37])


def _mp_softmax(row):
    return registry.BY_NAME["softmax"].mp(mp, row)


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d.__name__)
@ROW_LENGTHS
def test_softmax_within_8_ulp(dt, K):
    x = _softmax_rows(dt, K)
    y = cact.softmax(x, axis=1)
    for row, yr in zip(x, y):
        assert ulp_errors(yr, _mp_softmax(row), dt).max() <= 8


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d.__name__)
@ROW_LENGTHS
def test_softmax_jacobian_within_8_ulp(dt, K):
    x = _softmax_rows(dt, K)
    J = cact.softmax_grad(x)
    for row, Jr in zip(x, J):
        y = _mp_softmax(row)
        K = len(y)
        # the diagonal y_i (1 - y_i) as y_i * (sum of the other y): 1 - y_i may be below 1e-60
        true = [y[i] * mp.fsum(y[:i] + y[i + 1:]) if i == j else -y[i] * y[j]
                for i in range(K) for j in range(K)]
        assert ulp_errors(Jr.ravel(), true, dt).max() <= 8


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d.__name__)
@ROW_LENGTHS
def test_softmax_vjp_error_within_8_ulp_of_its_terms(dt, K):
    # y * (g - sum(g y)) cancels when g_i ~ sum(g y): the bound is 8 ulp of y_i (|g_i| + |sum(g y)|),
    # the size of the terms that are subtracted.
    x = _softmax_rows(dt, K)
    g = np.random.default_rng(3).uniform(-2, 2, x.shape).astype(dt)
    out = cact.softmax_grad(x, grad_output=g)
    for row, gr, o in zip(x, g, out):
        y = _mp_softmax(row)
        dot = mp.fsum(mp.mpf(float(gi)) * yi for gi, yi in zip(gr, y))
        for yi, gi, oi in zip(y, gr, o):
            true = yi * (mp.mpf(float(gi)) - dot)
            scale = yi * (abs(mp.mpf(float(gi))) + abs(dot))
            tol = 8 * float(np.spacing(dt(float(scale)))) if scale else 0.0
            assert abs(mp.mpf(float(oi)) - true) <= max(tol, float(np.finfo(dt).smallest_subnormal))


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d.__name__)
def test_prelu_grad_alpha_sums_accurately(dt):
    rng = np.random.default_rng(4)
    x = (rng.standard_normal((50, 3, 40)) * 10).astype(dt)
    g = rng.standard_normal(x.shape).astype(dt)
    _, ga = cact.prelu_grad(x, np.array([0.1, 0.2, 0.3]), grad_output=g)
    for c in range(3):
        xs, gs = x[:, c].ravel(), g[:, c].ravel()
        terms = [mp.mpf(float(gi)) * mp.mpf(float(xi)) for xi, gi in zip(xs, gs) if xi <= 0]
        true, size = mp.fsum(terms), mp.fsum(abs(t) for t in terms)
        assert abs(mp.mpf(float(ga[c])) - true) <= 4 * float(np.spacing(dt(float(size))))


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("alpha", [0.25, np.array([0.25])], ids=["float", "array1"])
def test_prelu_one_slope_grad_alpha_sums_accurately_over_blocks(dt, alpha):
    # one slope: the flat run is summed in blocks (and lanes); 70000 values span several blocks
    rng = np.random.default_rng(7)
    x = (rng.standard_normal((70, 1000)) * np.exp(rng.uniform(-8, 8, (70, 1000)))).astype(dt)
    g = rng.standard_normal(x.shape).astype(dt)
    gx, ga = cact.prelu_grad(x, alpha, grad_output=g)
    assert np.shape(ga) == np.shape(alpha) and ga.dtype == dt
    terms = [mp.mpf(float(gi)) * mp.mpf(float(xi)) for xi, gi in zip(x.ravel(), g.ravel()) if xi <= 0]
    true, size = mp.fsum(terms), mp.fsum(abs(t) for t in terms)
    assert abs(mp.mpf(float(np.ravel(ga)[0])) - true) <= 4 * float(np.spacing(dt(float(size))))
    # grad_x: leaky_relu's backward step, bit for bit
    np.testing.assert_array_equal(gx, cact.leaky_relu_grad(x, 0.25, grad_output=g))


@pytest.mark.parametrize("slope", [0.01, 0.3, -1.7, 1 / 3, 2.0**-60, 2.0**60, 3e-19, 1e-30, 1e30, 1e300, 0.0])
def test_float32_leaky_relu_rounds_the_product_once_for_any_slope(slope):
    # float32 kernels carry the slope as a float pair inside [2^-60, 2^60] and use the double
    # functions outside; either way a x and a g are within 1 ulp of the exact product (rounded once,
    # up to a tie in the double rounding), over both loops (n = 37 serial, 70000 parallel).
    rng = np.random.default_rng(5)
    for n in (37, 70000):
        x = (rng.standard_normal(n) * np.exp(rng.uniform(-30, 30, n))).astype(np.float32)
        g = rng.standard_normal(n).astype(np.float32)
        with np.errstate(all="ignore"):
            exact_y = np.where(x > 0, x, (slope * x.astype(np.float64)).astype(np.float32))
            exact_b = np.where(x > 0, g, (slope * g.astype(np.float64)).astype(np.float32))
        for got, exact in ((cact.leaky_relu(x, slope), exact_y),
                           (cact.leaky_relu_grad(x, slope, grad_output=g), exact_b)):
            both_inf = np.isinf(got) & (got == exact)
            with np.errstate(invalid="ignore"):
                ulps = np.abs(got.astype(np.float64) - exact) / np.spacing(np.abs(exact))
            assert np.all(both_inf | (ulps <= 1.0)), (slope, n)


@pytest.mark.parametrize("alpha", [1.0, 1.5, 0.1, -0.7, 1e3, 2.0**60, 2.0**-60, 1e30, 1e-30, 0.0])
def test_float32_elu_derivative_within_2_ulp_for_any_slope_and_gradient(alpha):
    # float32 g elu'(x) runs in float lanes where g e and its product with alpha stay in range, and
    # again in double elsewhere (x < -40, |g| outside [2^-40, 2^40], slopes outside [2^-60, 2^60]):
    # g a exp(x) within 2 ulp (expf's error, then one rounding: 1.62 seen), zeros signed as g a, also
    # where exp(x) is far below float32's range but g a lifts the product back into it (exp was
    # clamped at e^-110 there before: 1e24 ulp off; elu'(x) alone too, where a > 400 does the same)
    rng = np.random.default_rng(9)
    for n in (37, 70000):
        x = np.where(rng.random(n) < 0.5, rng.uniform(-150, 5, n), rng.uniform(-6, 1, n)).astype(np.float32)
        mag = np.ldexp(rng.uniform(1, 2, n), rng.integers(-149, 127, n))
        g = np.where(rng.random(n) < 0.1, 0.0, mag * rng.choice([-1.0, 1.0], n)).astype(np.float32)
        g[::97] = -0.0
        with np.errstate(all="ignore"):
            exact = np.where(x > 0, g.astype(np.float64), g * (alpha * np.exp(x.astype(np.float64))))
            e32 = exact.astype(np.float32)
        for got in (cact.elu_grad(x, alpha, grad_output=g), cact.elu_grad(x, alpha, grad_output=g.copy(), out=None)):
            fin = np.isfinite(e32)
            with np.errstate(invalid="ignore"):
                ulps = np.abs(got[fin].astype(np.float64) - exact[fin]) / np.spacing(np.abs(e32[fin]))
            assert np.all(ulps <= 2.0), (alpha, n, float(ulps.max()), x[fin][ulps.argmax()], g[fin][ulps.argmax()])
            assert np.all(got[~fin] == e32[~fin]), alpha
            zero = exact == 0
            assert np.array_equal(np.signbit(got[zero]), np.signbit(exact[zero])), alpha
        with np.errstate(all="ignore"):
            exact_d = np.where(x > 0, 1.0, alpha * np.exp(x.astype(np.float64)))
            d32 = exact_d.astype(np.float32)
        got = cact.elu_grad(x, alpha)
        fin = np.isfinite(d32)
        ulps = np.abs(got[fin].astype(np.float64) - exact_d[fin]) / np.spacing(np.abs(d32[fin]))
        assert np.all(ulps <= 2.0), (alpha, n, "no g", float(ulps.max()), x[fin][ulps.argmax()])
        inplace = x.copy()
        assert cact.elu_grad(inplace, alpha, out=inplace) is inplace
        np.testing.assert_array_equal(inplace, got)
        inplace = g.copy()
        assert cact.elu_grad(x, alpha, grad_output=inplace, out=inplace) is inplace
        np.testing.assert_array_equal(inplace, cact.elu_grad(x, alpha, grad_output=g))


def _kernel_builds():
    """each ISA build of the kernels that was built and that this CPU runs"""
    from cact import _dispatch
    return [level for level in _dispatch.LEVELS if _dispatch._runs(level)]


@pytest.fixture
def build(request):
    """the kernels of one ISA build in use for the test (then the ones in use before)"""
    from cact import _dispatch
    K = _dispatch.kernels
    before = _dispatch.LEVELS.index(_dispatch.simd)
    if not K.select_isa(_dispatch.LEVELS.index(request.param)):
        pytest.skip(f"no {request.param} build")
    try:
        yield K
    finally:
        K.select_isa(before)


@pytest.mark.parametrize("build", _kernel_builds(), indirect=True)
def test_float32_sigmoid_intrinsics_give_the_bits_of_the_compiled_loop(build):
    # The AVX-512 and AVX2 builds' float32 sigmoid kernels are written with intrinsics
    # (cact_sigmoid_f32_span); the loop over cact_sigmoid_f32 that GCC compiles in the same build
    # does the same operations: the same bits (NaN for NaN).
    rng = np.random.default_rng(5)
    x = np.concatenate([
        np.arange(0x3F000000, 0x3F000000 + 2**20, 7, dtype=np.uint32).view(np.float32),  # [0.5, 1)
        (rng.standard_normal(200_003) * 30).astype(np.float32),
        np.linspace(-120, 120, 100_001, dtype=np.float32),
        np.array([np.inf, -np.inf, 0.0, -0.0, 87.5, -87.5, -103.9, -104.0, 110.0, -110.5,
                  np.finfo(np.float32).max, -np.finfo(np.float32).tiny, np.nan, -np.nan], np.float32)])
    for n in (x.size, 17, 16, 15, 9, 8, 7, 1):  # the tails too
        got, want = np.zeros(n, np.float32), np.zeros(n, np.float32)
        assert build.ew_contig(0, 0, x[:n], None, got, 0.0, 0.0)   # sigmoid's forward
        build.sigmoid_f32_loop(x[:n], want)
        assert (np.isnan(got) == np.isnan(want)).all()
        ok = ~np.isnan(want)
        np.testing.assert_array_equal(got[ok].view(np.uint32), want[ok].view(np.uint32))
    nan = np.array([np.nan, -np.nan] * 9, np.float32)
    got = np.zeros(nan.size, np.float32)
    build.ew_contig(0, 0, nan, None, got, 0.0, 0.0)
    assert np.isnan(got).all()
