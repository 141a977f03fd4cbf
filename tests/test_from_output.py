"""Backward from the forward's output: softmax_grad(y=...) and every elementwise <name>_grad(y=...)
the registry has (sigmoid, tanh).

The truth is the formula in the y given (mpmath, exact): y (1 - y), g y (1 - y), y (g - sum(g y)),
diag(y) - y y^T; every layout, dtype and aliasing gives it; x and y= together, or neither, raise."""
import mpmath as mp
import numpy as np
import pytest

import cact
from cact import _registry as registry
from reference import ulp_errors

DTYPES = [np.float32, np.float64]
RNG = np.random.default_rng(31)


# the elementwise activations whose derivative also starts from the output y (the registry's from_y)
FROM_Y = [act for act in registry.ELEMENTWISE if act.from_y]


def _outputs(act, dt):
    # the activation's outputs over its whole range, plus values an unrelated y might hold
    f = getattr(cact, act.name)
    x = np.concatenate([np.linspace(-100, 100, 2001), -np.logspace(-8, 2.8, 200), np.logspace(-8, 1.6, 200)])
    y = f(x.astype(dt))
    return np.concatenate([y, np.array([0.0, 1.0, 0.5, 2.0**-126, 1 - 2.0**-24, -0.5], dt)])


@pytest.mark.parametrize("act", FROM_Y, ids=lambda a: a.name)
@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d.__name__)
def test_grad_from_y_is_the_formula_in_y_within_2_ulp(act, dt):
    fg = getattr(cact, act.name + "_grad")
    y = _outputs(act, dt)
    g = RNG.uniform(-3, 3, y.size).astype(dt)
    true = [act.mp_grad_y(mp, mp.mpf(float(v))) for v in y]
    assert ulp_errors(fg(y=y), true, dt).max() <= 2
    true_g = [mp.mpf(float(gi)) * t for gi, t in zip(g, true)]
    assert ulp_errors(fg(y=y, grad_output=g), true_g, dt).max() <= 2


@pytest.mark.parametrize("act", FROM_Y, ids=lambda a: a.name)
@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d.__name__)
def test_grad_from_y_matches_from_x_where_y_is_far_from_saturation(act, dt):
    # 1 - y (1 - y^2) magnifies y's rounding by at most 1 (2) where |y| <= 1/2
    f, fg = getattr(cact, act.name), getattr(cact, act.name + "_grad")
    x = np.linspace(-30, 0, 5001).astype(dt)
    x = x[np.abs(f(x)) <= 0.5]
    g = RNG.standard_normal(x.size).astype(dt)
    y = f(x)
    np.testing.assert_allclose(fg(y=y, grad_output=g), fg(x, grad_output=g), rtol=8 * np.finfo(dt).eps, atol=0)


def _rows(dt, K):
    x = (RNG.standard_normal((6, K)) * 4).astype(dt)
    x[1, 0] = 30.0   # one entry holds almost all of the row
    return cact.softmax(x, axis=1), RNG.uniform(-2, 2, (6, K)).astype(dt)


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("K", [1, 7, 37, 1000])
def test_softmax_vjp_from_y_within_4_ulp_of_its_terms(dt, K):
    # y * (g - sum(g y)) cancels when g_i ~ sum(g y): the bound is in ulp of y_i (|g_i| + |sum(g y)|)
    y, g = _rows(dt, K)
    out = cact.softmax_grad(y=y, grad_output=g)
    for yr, gr, o in zip(y, g, out):
        ym = [mp.mpf(float(v)) for v in yr]
        gm = [mp.mpf(float(v)) for v in gr]
        dot = mp.fsum(a * b for a, b in zip(gm, ym))
        for yi, gi, oi in zip(ym, gm, o):
            scale = yi * (abs(gi) + abs(dot))
            tol = 4 * float(np.spacing(dt(float(scale)))) if scale else 0.0
            assert abs(mp.mpf(float(oi)) - yi * (gi - dot)) <= max(tol, float(np.finfo(dt).smallest_subnormal))


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d.__name__)
def test_softmax_jacobian_from_y_within_2_ulp(dt):
    y, _ = _rows(dt, 9)
    J = cact.softmax_grad(y=y)
    assert J.shape == (6, 9, 9) and J.dtype == dt
    for yr, Jr in zip(y, J):
        ym = [mp.mpf(float(v)) for v in yr]
        true = [ym[i] * (1 - ym[i]) if i == j else -ym[i] * ym[j] for i in range(9) for j in range(9)]
        assert ulp_errors(Jr.ravel(), true, dt).max() <= 2


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d.__name__)
def test_softmax_grad_from_y_agrees_with_from_x(dt):
    x = (RNG.standard_normal((20, 50)) * 2).astype(dt)
    g = RNG.standard_normal(x.shape).astype(dt)
    y = cact.softmax(x)
    tol = 50 * np.finfo(dt).eps
    np.testing.assert_allclose(cact.softmax_grad(y=y, grad_output=g), cact.softmax_grad(x, grad_output=g),
                               rtol=tol, atol=tol)
    np.testing.assert_allclose(cact.softmax_grad(y=y), cact.softmax_grad(x), rtol=tol, atol=tol)


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_softmax_grad_from_y_along_any_axis_and_layout(axis):
    x = RNG.standard_normal((4, 5, 6))
    g = RNG.standard_normal(x.shape)
    y = cact.softmax(x, axis=axis)
    moved = np.ascontiguousarray(np.moveaxis(y, axis, -1))
    want = np.moveaxis(cact.softmax_grad(y=moved, grad_output=np.ascontiguousarray(np.moveaxis(g, axis, -1))), -1, axis)
    np.testing.assert_array_equal(cact.softmax_grad(y=y, axis=axis, grad_output=g), want)
    np.testing.assert_array_equal(cact.softmax_grad(y=np.asfortranarray(y), axis=axis, grad_output=g[::1]), want)
    J = cact.softmax_grad(y=y, axis=axis)
    np.testing.assert_array_equal(np.moveaxis(J, axis, -2), cact.softmax_grad(y=moved))


@pytest.mark.parametrize("act", FROM_Y, ids=lambda a: a.name)
@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d.__name__)
def test_grad_from_y_strided_and_out(act, dt):
    f, fg = getattr(cact, act.name), getattr(cact, act.name + "_grad")
    y = f(RNG.standard_normal((40, 30)).astype(dt))
    g = RNG.standard_normal(y.shape).astype(dt)
    want = fg(y=y, grad_output=g)
    np.testing.assert_array_equal(fg(y=y[:, ::2], grad_output=g[:, ::2]), want[:, ::2])
    np.testing.assert_array_equal(fg(y=np.asfortranarray(y), grad_output=g), want)
    out = np.empty_like(y)
    assert fg(y=y, grad_output=g, out=out) is out
    np.testing.assert_array_equal(out, want)


@pytest.mark.parametrize("which", ["y", "g"])
def test_from_y_in_place_into_y_or_g(which):
    y = cact.softmax(RNG.standard_normal((30, 40)))
    g = RNG.standard_normal(y.shape)
    for fn, kw in [(cact.softmax_grad, {})] + [(getattr(cact, a.name + "_grad"), {}) for a in FROM_Y]:
        want = fn(y=y, grad_output=g, **kw)
        yy, gg = y.copy(), g.copy()
        target = yy if which == "y" else gg
        assert fn(y=yy, grad_output=gg, out=target, **kw) is target
        np.testing.assert_array_equal(target, want)


def test_from_y_partly_overlapping_out_gives_the_result_as_if_it_did_not():
    buf = cact.softmax(RNG.standard_normal((11, 8))).ravel()
    y = buf[:80].reshape(10, 8)
    g = RNG.standard_normal((10, 8))
    want = cact.softmax_grad(y=y.copy(), grad_output=g)
    cact.softmax_grad(y=y, grad_output=g, out=buf[8:].reshape(10, 8))
    np.testing.assert_array_equal(buf[8:].reshape(10, 8), want)


def test_from_y_keeps_float16_and_takes_integers():
    y16 = np.array([0.25, 0.5, 0.75], np.float16)
    r = cact.sigmoid_grad(y=y16)
    assert r.dtype == np.float16
    np.testing.assert_array_equal(r, np.array([0.1875, 0.25, 0.1875], np.float16))
    assert cact.softmax_grad(y=np.eye(3, dtype=np.int64), grad_output=np.ones((3, 3))).dtype == np.float64


@pytest.mark.parametrize("fn", [cact.softmax_grad] + [getattr(cact, a.name + "_grad") for a in FROM_Y])
def test_x_and_y_together_or_neither_raise_typeerror(fn):
    x = np.ones((2, 3))
    with pytest.raises(TypeError, match="x or y"):
        fn(x, y=x)
    with pytest.raises(TypeError, match="x, or y"):
        fn()
    with pytest.raises(ValueError, match="does not broadcast to y's shape"):
        fn(y=x, grad_output=np.ones(2))
    with pytest.raises(TypeError, match="y: dtype"):
        fn(y=np.ones(3, np.complex128))
    out = np.full((2, 3), 7.0)
    with pytest.raises(ValueError):
        fn(y=x, grad_output=np.ones((3, 2)), out=out)
    assert (out == 7.0).all()


def test_nan_in_y_gives_nan_out():
    y = np.array([[0.2, np.nan, 0.3], [0.1, 0.2, 0.7]], np.float32)
    r = cact.softmax_grad(y=y, grad_output=np.ones_like(y))
    assert np.isnan(r[0]).all() and not np.isnan(r[1]).any()
    for act in FROM_Y:
        assert np.isnan(getattr(cact, act.name + "_grad")(y=y)).sum() == 1


# ---- float64: sum(g y) correctly rounded, whichever way a row takes (see kernels/math/softmax.h) -----------

def _exact_vjp_y(y, g):
    """y (g - d) per row (last axis), d = sum(g y) exactly, rounded once (Fraction -> float is
    correctly rounded); the subtraction and product rounded as float64 (as cact's loops do)"""
    from fractions import Fraction
    out = np.empty_like(y)
    for i in np.ndindex(y.shape[:-1]):
        yr, gr = y[i], g[i]
        prods = gr * yr
        if not np.isfinite(prods).all():   # the IEEE sum's value, in any order
            d = np.nan if np.isnan(prods).any() or (np.inf in prods and -np.inf in prods) else prods[~np.isfinite(prods)][0]
        else:
            d = float(sum(Fraction(float(a)) * Fraction(float(b)) for a, b in zip(gr, yr)))
        with np.errstate(invalid="ignore", over="ignore"):
            out[i] = yr * (gr - d)
    return out


def _layouts(y, g):
    """(label, y, g, axis) for the contiguous rows, a transposed (column) layout, strided rows"""
    yield "rows", y, g, -1
    yield "columns", np.ascontiguousarray(y.T), np.ascontiguousarray(g.T), 0
    yb, gb = np.zeros((y.shape[0], 2 * y.shape[1])), np.zeros((y.shape[0], 2 * y.shape[1]))
    yb[:, ::2], gb[:, ::2] = y, g
    yield "strided", yb[:, ::2], gb[:, ::2], -1


def _check_correctly_rounded(y, g):
    want = _exact_vjp_y(y, g)
    for label, yl, gl, axis in _layouts(y, g):
        with np.errstate(invalid="ignore", over="ignore"):
            got = cact.softmax_grad(y=yl, grad_output=gl, axis=axis)
        if axis == 0:
            got = got.T
        np.testing.assert_array_equal(got, want, err_msg=label)


@pytest.mark.parametrize("K", [3, 37, 1000])
def test_softmax_vjp_from_y_float64_dot_is_correctly_rounded_near_a_tie(K):
    # 1 + 2^-53 + 2^-160 rounds up to 1 + 2^-52; its double-double 1 + 2^-53 rounds (ties to
    # even) to 1: Dot2 alone gets the last bit wrong, every row of this batch
    y = np.full((40, K), 1.0)
    g = np.zeros((40, K))
    g[:, 0], g[:, 1], g[:, 2] = 1.0, 2.0**-53, 2.0**-160
    g[1::2, 2] = -2.0**-160    # just below the tie: rounds down to 1
    y[3] = 0.5                  # and rows at other scales between them
    _check_correctly_rounded(y, g)
    got = cact.softmax_grad(y=y, grad_output=g)
    assert got[0, 0] == -2.0**-52 and got[1, 0] == 0.0


@pytest.mark.parametrize("K", [20, 300])   # short rows are certified a vector's worth at a time
def test_softmax_vjp_from_y_float64_rows_of_any_scale_cancelling_or_special(K):
    rng = np.random.default_rng(77)
    y = cact.softmax(rng.standard_normal((60, K)) * 3)
    g = rng.standard_normal((60, K))
    scales = 10.0 ** rng.uniform(-300, 300, 60)   # a new grid (or Dot2) from row to row
    g *= scales[:, None]
    g[5] = 0.0                                     # a row of zeros, then rows 1e-6 of its neighbours
    g[6:9] *= 1e-6
    g[10] = g[10] - np.sum(g[10] * y[10])          # sum(g y) cancels to ~1e-16 of its terms
    g[11, 7] = 1e-310                              # subnormal products
    g[12] = rng.standard_normal(K) * 1e-160        # products below the normal range
    g[13, 3] = np.inf                              # sum +inf; inf - inf = NaN at [13, 3]
    g[14, 3], g[14, 4] = np.inf, -np.inf           # NaN
    g[15, 9] = np.nan
    g[16] = rng.standard_normal(K) * 1e300         # partial sums near overflow
    y[17, :] = 0.0
    y[17, 0] = 1.0                                 # one-hot y after rows of spread y
    g[18] = rng.standard_normal(K) * 1e-262        # grids near the lowest one (2^-900) and below it
    g[19] = rng.standard_normal(K) * 1e-275
    g[20] = rng.standard_normal(K) * 1e-262
    _check_correctly_rounded(y, g)
    # the same rows in another order (another sequence of grids) and in several calls
    perm = rng.permutation(60)
    _check_correctly_rounded(y[perm], g[perm])
    for r in range(0, 60, 7):
        _check_correctly_rounded(y[r:r + 7], g[r:r + 7])


def test_softmax_vjp_from_y_float64_matches_exact_on_random_rows_at_every_size():
    rng = np.random.default_rng(78)
    for K in (1, 2, 15, 16, 17, 20, 21, 100, 1000, 4099):
        R = max(2, 6000 // K)
        y = cact.softmax(rng.standard_normal((R, K)) * 2)
        g = rng.standard_normal((R, K))
        _check_correctly_rounded(y[:40], g[:40])
