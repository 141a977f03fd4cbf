"""Backward from the forward's output: sigmoid_grad(y=...) and softmax_grad(y=...).

The truth is the formula in the y given (mpmath, exact): y (1 - y), g y (1 - y), y (g - sum(g y)),
diag(y) - y y^T; every layout, dtype and aliasing gives it; x and y= together, or neither, raise."""
import mpmath as mp
import numpy as np
import pytest

import cact
from reference import ulp_errors

DTYPES = [np.float32, np.float64]
RNG = np.random.default_rng(31)


def _sigmoid_outputs(dt):
    # sigmoid's outputs over its whole range, plus values an unrelated y might hold
    x = np.concatenate([np.linspace(-100, 100, 2001), -np.logspace(-8, 2.8, 200), np.logspace(-8, 1.6, 200)])
    y = cact.sigmoid(x.astype(dt))
    return np.concatenate([y, np.array([0.0, 1.0, 0.5, 2.0**-126, 1 - 2.0**-24], dt)])


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d.__name__)
def test_sigmoid_grad_from_y_is_y_one_minus_y_within_2_ulp(dt):
    y = _sigmoid_outputs(dt)
    g = RNG.uniform(-3, 3, y.size).astype(dt)
    true = [mp.mpf(float(v)) * (1 - mp.mpf(float(v))) for v in y]
    assert ulp_errors(cact.sigmoid_grad(y=y), true, dt).max() <= 2
    true_g = [mp.mpf(float(gi)) * t for gi, t in zip(g, true)]
    assert ulp_errors(cact.sigmoid_grad(y=y, grad_output=g), true_g, dt).max() <= 2


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d.__name__)
def test_sigmoid_grad_from_y_matches_from_x_where_y_is_at_most_half(dt):
    # 1 - y magnifies y's rounding by y / (1 - y): at most 1 here (beyond x = 0 it grows as e^x)
    x = np.linspace(-30, 0, 5001).astype(dt)
    g = RNG.standard_normal(x.size).astype(dt)
    y = cact.sigmoid(x)
    np.testing.assert_allclose(cact.sigmoid_grad(y=y, grad_output=g), cact.sigmoid_grad(x, grad_output=g),
                               rtol=8 * np.finfo(dt).eps, atol=0)


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


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d.__name__)
def test_sigmoid_grad_from_y_strided_and_out(dt):
    y = cact.sigmoid(RNG.standard_normal((40, 30)).astype(dt))
    g = RNG.standard_normal(y.shape).astype(dt)
    want = cact.sigmoid_grad(y=y, grad_output=g)
    np.testing.assert_array_equal(cact.sigmoid_grad(y=y[:, ::2], grad_output=g[:, ::2]), want[:, ::2])
    np.testing.assert_array_equal(cact.sigmoid_grad(y=np.asfortranarray(y), grad_output=g), want)
    out = np.empty_like(y)
    assert cact.sigmoid_grad(y=y, grad_output=g, out=out) is out
    np.testing.assert_array_equal(out, want)


@pytest.mark.parametrize("which", ["y", "g"])
def test_from_y_in_place_into_y_or_g(which):
    y = cact.softmax(RNG.standard_normal((30, 40)))
    g = RNG.standard_normal(y.shape)
    for fn, kw in [(cact.softmax_grad, {}), (cact.sigmoid_grad, {})]:
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


@pytest.mark.parametrize("fn", [cact.sigmoid_grad, cact.softmax_grad])
def test_x_and_y_together_or_neither_raise_typeerror(fn):
    x = np.ones((2, 3))
    with pytest.raises(TypeError, match="x or y"):
        fn(x, y=x)
    with pytest.raises(TypeError, match="x, or y"):
        fn()
    with pytest.raises(ValueError, match="but y has shape"):
        fn(y=x, grad_output=np.ones(3))
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
    assert np.isnan(cact.sigmoid_grad(y=y)).sum() == 1
