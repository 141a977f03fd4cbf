"""The row-wise activations: every registry row of kind "rows" (softmax, log_softmax, softmin), against
mpmath (within 8 ulp: values, vector-Jacobian products from x and from y, Jacobians), NumPy's plain
formulas on every axis and layout, and the conventions every function keeps. softmax's own kernels
have more tests of their own (test_semantics, test_layouts, test_from_output)."""
import mpmath as mp
import numpy as np
import pytest

import cact
from cact import _registry as registry
from reference import softmax_rows, ulp_errors, ulp_errors_of

DTYPES = [np.float32, np.float64]
CASES = registry.variants(("rows",))
rows = pytest.mark.parametrize("vid, act, kw", CASES, ids=[c[0] for c in CASES])
dtypes = pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d.__name__)
lengths = pytest.mark.parametrize("K", [7, 37, 300])


def _fns(act):
    return getattr(cact, act.name), getattr(cact, act.name + "_grad")


@rows
@dtypes
@lengths
def test_values_within_8_ulp(vid, act, kw, dt, K):
    f, _ = _fns(act)
    x = softmax_rows(dt, K)
    y = f(x)
    for row, yr in zip(x, y):
        err = ulp_errors(yr, act.mp(mp, row), dt)
        assert not np.isnan(err).any() and err.max() <= 8, (vid, row[:3], err.max())


@rows
@dtypes
@pytest.mark.parametrize("K", [7, 37])
def test_vjp_from_x_and_from_y_within_8_ulp(vid, act, kw, dt, K):
    # a VJP entry is a difference (softmax: y_j (g_j - sum(g y))): it cancels where its terms do, and
    # its bound is 8 ulp of their size (the registry's mp_vjp_terms)
    f, fg = _fns(act)
    x = softmax_rows(dt, K)
    g = np.random.default_rng(3).uniform(-2, 2, x.shape).astype(dt)
    y = f(x)
    vx, vy = fg(x, grad_output=g), fg(y=y, grad_output=g)
    for row, yr, gr, ox, oy in zip(x, y, g, vx, vy):
        scale = act.mp_vjp_terms(mp, row, gr)
        assert ulp_errors_of(ox, act.mp_vjp(mp, row, gr), scale, dt).max() <= 8, (vid, "from x", row[:3])
        assert ulp_errors_of(oy, act.mp_vjp_y(mp, yr, gr), scale, dt).max() <= 8, (vid, "from y", row[:3])


@rows
@dtypes
def test_jacobian_within_8_ulp(vid, act, kw, dt):
    _, fg = _fns(act)
    x = softmax_rows(dt, 7)
    jac = fg(x)
    with mp.workdps(400):   # 1 - p for p within 2^-1000 of 1
        for row, jr in zip(x, jac):
            # row i of the Jacobian, dy_i / dx_j, is the VJP of the i-th unit vector
            J = [act.mp_vjp(mp, row, [1.0 if j == i else 0.0 for j in range(7)]) for i in range(7)]
            err = ulp_errors(jr.ravel(), [J[i][j] for i in range(7) for j in range(7)], dt)
            assert err.max() <= 8, (vid, row[:3], err.max())


@rows
@dtypes
@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_matches_numpy_on_every_axis_and_layout(vid, act, kw, dt, axis):
    f, fg = _fns(act)
    rng = np.random.default_rng(1)
    base = (rng.standard_normal((6, 8, 10)) * 3).astype(dt)
    tol = 3e-6 if dt == np.float32 else 1e-13
    for x in (base, base.transpose(2, 0, 1)[::-1], base[:, ::2, :]):
        x64 = x.astype(np.float64)
        y = f(x, axis=axis)
        ref = act.numpy(x64, axis=axis)
        np.testing.assert_allclose(y, ref, rtol=tol, atol=tol * np.abs(ref).max())
        g = rng.standard_normal(x.shape).astype(dt)
        ref = act.numpy_vjp(x64, g.astype(np.float64), axis=axis)
        for got in (fg(x, axis=axis, grad_output=g), fg(y=y, axis=axis, grad_output=g)):
            assert got.dtype == dt and got.shape == x.shape
            np.testing.assert_allclose(got, ref, rtol=10 * tol, atol=10 * tol * np.abs(ref).max())
        # the Jacobian, contracted with g along its row axis, is the VJP (J[..., i, ..., j] = dy_i / dx_j)
        J = fg(x, axis=axis)
        ax = axis % 3
        assert J.shape == x.shape + (x.shape[ax],)
        v = np.einsum("...i,...ij->...j", np.moveaxis(g, ax, -1).astype(np.float64), np.moveaxis(J, ax, -2))
        np.testing.assert_allclose(np.moveaxis(v, -1, ax), ref, rtol=10 * tol, atol=10 * tol * np.abs(ref).max())


@rows
@dtypes
def test_out_in_place_and_casts(vid, act, kw, dt):
    f, fg = _fns(act)
    x = np.random.default_rng(2).standard_normal((5, 12)).astype(dt)
    g = np.random.default_rng(3).standard_normal((5, 12)).astype(dt)
    y, v = f(x), fg(x, grad_output=g)
    for axis, out in ((-1, np.empty((5, 12), dt)), (-1, np.empty((12, 5), dt).T), (0, np.empty((12, 5), dt).T),
                      (-1, np.empty((5, 24), dt)[:, ::2]), (-1, np.empty((5, 12), np.float64))):
        assert f(x, axis=axis, out=out) is out
        np.testing.assert_array_equal(out, f(x, axis=axis).astype(out.dtype))
        assert fg(x, axis=axis, grad_output=g, out=out) is out
        np.testing.assert_array_equal(out, fg(x, axis=axis, grad_output=g).astype(out.dtype))
    xx = x.copy()
    assert f(xx, out=xx) is xx
    np.testing.assert_array_equal(xx, y)
    gg, yy = g.copy(), y.copy()
    fg(y=yy, grad_output=gg, out=gg)
    np.testing.assert_array_equal(gg, fg(y=y, grad_output=g))
    xx, gg = x.copy(), g.copy()
    fg(xx, grad_output=gg, out=xx)
    np.testing.assert_array_equal(xx, v)
    h = f(x.astype(np.float16))
    assert h.dtype == np.float16
    np.testing.assert_array_equal(h, f(x.astype(np.float16).astype(np.float32)).astype(np.float16))
    assert f(np.arange(6).reshape(2, 3)).dtype == np.float64


@rows
@dtypes
def test_masks_nan_and_infinite_rows(vid, act, kw, dt):
    # an entry NumPy's formula takes as a mask (exp of it is 0) gives NumPy's value; a NaN, or an
    # infinity that is not a mask, makes its row NaN, in the values and in every derivative
    f, fg = _fns(act)
    with np.errstate(all="ignore"):
        for mask in (-np.inf, np.inf):
            x = np.array([[mask, 0.0, 1.0, 2.0], [0.0, 1.0, np.nan, 3.0]], dt)
            ref = act.numpy(x.astype(np.float64))
            y = f(x)
            if not np.isnan(ref[0]).any():   # a mask for this function
                np.testing.assert_allclose(y[0], ref[0], rtol=1e-6)
            else:
                assert np.isnan(y[0]).all()
            assert np.isnan(y[1]).all()
            g = np.ones_like(x)
            assert np.isnan(fg(x, grad_output=g)[1]).all()
            assert np.isnan(fg(y=y, grad_output=g)[1]).all()


@rows
def test_bad_arguments_raise_before_anything_is_written(vid, act, kw):
    f, fg = _fns(act)
    x = np.ones((3, 4))
    out = np.full((3, 4), 7.0)
    with pytest.raises(ValueError, match="axis"):
        f(x, axis=2, out=out)
    with pytest.raises(TypeError, match="axis"):
        f(x, axis=None)
    with pytest.raises(ValueError, match="shape"):
        f(x, out=np.empty((4, 3)))
    with pytest.raises(ValueError, match="grad_output"):
        fg(x, grad_output=np.ones((3, 3)), out=out)
    with pytest.raises(TypeError):
        fg(x, y=x, grad_output=x)
    with pytest.raises(TypeError):
        fg(grad_output=x)
    with pytest.raises(TypeError):
        f("x")
    with pytest.raises(ValueError):
        f(np.float64(1.0))
    np.testing.assert_array_equal(out, 7.0)


@rows
def test_empty_and_threads_keep_the_bits(vid, act, kw):
    f, fg = _fns(act)
    for shape in ((0, 4), (3, 0)):
        assert f(np.empty(shape)).shape == shape
        assert fg(np.empty(shape), grad_output=np.empty(shape)).shape == shape
    rng = np.random.default_rng(4)
    for dt in DTYPES:
        x = (rng.standard_normal((300, 1000)) * 3).astype(dt)
        g = rng.standard_normal(x.shape).astype(dt)
        n = cact.get_num_threads()
        try:
            cact.set_num_threads(1)
            one = f(x), fg(x, grad_output=g), fg(y=f(x), grad_output=g)
            cact.set_num_threads(2)
            two = f(x), fg(x, grad_output=g), fg(y=f(x), grad_output=g)
        finally:
            cact.set_num_threads(n)
        for a, b in zip(one, two):
            np.testing.assert_array_equal(a, b)
