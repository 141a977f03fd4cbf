"""The gated units: every registry row of kind "gated" (glu, swiglu, geglu, reglu), against mpmath
through its gate's row, NumPy's plain formula, and the conventions every function keeps (PyTorch:
tests/test_torch_reference.py)."""
import itertools

import numpy as np
import pytest

import cact
from cact import _registry as registry
from reference import gated_points, gated_reference, ulp_errors

DTYPES = [np.float32, np.float64]
CASES = registry.variants(("gated",))
IDS = [c[0] for c in CASES]
gated = pytest.mark.parametrize("vid, act, kw", CASES, ids=IDS)
dtypes = pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d.__name__)


def _fns(act):
    return getattr(cact, act.name), getattr(cact, act.name + "_grad")


def _join(act, u, v):
    """x whose halves along the last axis are the gate's argument u and the other half v"""
    return np.concatenate((v, u) if act.second else (u, v), axis=-1)


def _split(act, r):
    a, b = np.split(r, 2, axis=-1)
    return (b, a) if act.second else (a, b)


@pytest.fixture(scope="module", params=DTYPES, ids=lambda d: d.__name__)
def points(request):
    return (request.param,) + gated_points(request.param)


@gated
def test_forward_and_backward_within_4_and_8_ulp_of_mpmath(points, vid, act, kw):
    # float64: where the gate's value and the products are normal numbers (a subnormal gate carries
    # its absolute rounding into the product, as in PyTorch); float32: everywhere
    dt, u, v, g = points
    f, fg = _fns(act)
    x = _join(act, u, v)
    fwd, du, dv, normal = gated_reference(act, u, v, g, kw)
    ok = normal if dt == np.float64 else np.ones(u.size, bool)
    y = f(x, **kw)
    assert y.dtype == dt and y.shape == u.shape
    got_u, got_v = _split(act, fg(x, grad_output=g, **kw))
    for name, got, true, bound in (("forward", y, fwd, 4), ("d/du", got_u, du, 8), ("d/dv", got_v, dv, 8)):
        err = ulp_errors(got, true, dt)[ok]
        assert not np.isnan(err).any(), (vid, name)
        assert err.max() <= bound, f"{vid} {name}: {err.max():.2f} ulp"


@gated
@dtypes
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_matches_numpy_on_every_axis_and_layout(vid, act, kw, dt, axis):
    f, fg = _fns(act)
    rng = np.random.default_rng(1)
    base = (rng.standard_normal((6, 8, 10)) * 2).astype(dt)
    for x in (base, base.transpose(2, 0, 1)[::-1], base[:, ::2, :]):   # C, permuted and reversed, strided
        kwa = dict(kw, axis=axis)
        y = f(x, **kwa)
        # (NumPy's plain formulas cancel in places: the comparison is to the largest value's scale;
        # accuracy is the mpmath tests' business)
        tol = 2e-6 if dt == np.float32 else 1e-13
        ref = act.numpy(x.astype(np.float64), **kwa)
        np.testing.assert_allclose(y, ref, rtol=tol, atol=tol * np.abs(ref).max())
        g = rng.standard_normal(y.shape).astype(dt)
        gx = fg(x, grad_output=g, **kwa)
        assert gx.shape == x.shape and gx.dtype == dt
        ref = act.numpy_vjp(x.astype(np.float64), g.astype(np.float64), **kwa)
        np.testing.assert_allclose(gx, ref, rtol=tol, atol=tol * np.abs(ref).max())
        # without grad_output: the gradient of the outputs' sum
        np.testing.assert_array_equal(fg(x, **kwa), fg(x, grad_output=np.ones_like(g), **kwa))


@gated
@dtypes
def test_out_any_layout_and_same_kind_casts(vid, act, kw, dt):
    f, fg = _fns(act)
    x = np.random.default_rng(2).standard_normal((5, 12)).astype(dt)
    y = f(x, **kw)
    for out in (np.empty((5, 6), dt), np.empty((6, 5), dt).T, np.empty((5, 12), dt)[:, ::2], np.empty((5, 6), np.float64)):
        r = f(x, out=out, **kw)
        assert r is out
        np.testing.assert_array_equal(out, y.astype(out.dtype))
    g = np.random.default_rng(3).standard_normal((5, 6)).astype(dt)
    gx = fg(x, grad_output=g, **kw)
    for out in (np.empty((5, 12), dt), np.empty((12, 5), dt).T):
        assert fg(x, grad_output=g, out=out, **kw) is out
        np.testing.assert_array_equal(out, gx)
    # out overlapping x: the result is as if it did not
    xx = x.copy()
    f(xx, out=xx[:, :6], **kw)
    np.testing.assert_array_equal(xx[:, :6], y)
    xx = x.copy()
    assert fg(xx, grad_output=g, out=xx, **kw) is xx
    np.testing.assert_array_equal(xx, gx)


@gated
def test_dtypes_half_and_integers(vid, act, kw):
    f, fg = _fns(act)
    x = np.array([[-2, -1, 0, 1, 2, 3]])
    y = f(x, **kw)
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y, f(x.astype(np.float64), **kw))
    h = f(x.astype(np.float16), **kw)
    assert h.dtype == np.float16
    np.testing.assert_array_equal(h, f(x.astype(np.float32), **kw).astype(np.float16))
    gh = fg(x.astype(np.float16), grad_output=np.ones((1, 3), np.float16), **kw)
    assert gh.dtype == np.float16 and gh.shape == (1, 6)


@gated
@dtypes
def test_nan_propagates_and_limits(vid, act, kw, dt):
    f, fg = _fns(act)
    u = np.array([np.nan, 1.0, np.inf, -np.inf], dt)
    v = np.array([1.0, np.nan, 2.0, 2.0], dt)
    y = f(_join(act, u, v)[None], **kw)[0]
    assert np.isnan(y[:2]).all()
    gate = registry.BY_NAME[act.gate]
    lim = {np.inf: gate.limits[np.inf][0], -np.inf: gate.limits[-np.inf][0]}
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(y[2:], [dt(lim[np.inf]) * dt(2.0), dt(lim[-np.inf]) * dt(2.0)])
    du, dv = _split(act, fg(_join(act, u, v)[None], grad_output=np.ones((1, 4), dt), **kw)[0])
    assert np.isnan(du[0]) and np.isnan(dv[0]) and np.isnan(du[1])


@gated
def test_bad_arguments_raise_before_anything_is_written(vid, act, kw):
    f, fg = _fns(act)
    x = np.ones((3, 6))
    out = np.full((3, 3), 7.0)
    with pytest.raises(ValueError, match="even"):
        f(np.ones((3, 5)), **kw)
    with pytest.raises(ValueError, match="axis"):
        f(x, **dict(kw, axis=2))
    with pytest.raises(TypeError, match="axis"):
        f(x, **dict(kw, axis=1.0))
    with pytest.raises(ValueError, match="shape"):
        f(x, out=np.empty((3, 6)), **kw)
    with pytest.raises(ValueError, match="grad_output"):
        fg(x, grad_output=np.ones((3, 6)), **kw)
    with pytest.raises(ValueError, match="out"):
        fg(x, grad_output=np.ones((3, 3)), out=out, **kw)
    with pytest.raises(TypeError):
        f("x", **kw)
    with pytest.raises(ValueError):
        f(np.float64(1.0), **kw)
    np.testing.assert_array_equal(out, 7.0)
    if any(p.choices for p in act.params):
        with pytest.raises(ValueError, match="approximate"):
            f(x, **dict(kw, approximate="erf"))


@gated
@dtypes
def test_short_halves_give_the_bits_of_long_ones(vid, act, kw, dt):
    # halves of a few elements are packed, many rows to a kernel call; the same values as one long
    # pair of halves (axis 0 of the transpose)
    f, fg = _fns(act)
    rng = np.random.default_rng(8)
    for L in (1, 3, 100):
        x = (rng.standard_normal((3000, 2 * L)) * 4).astype(dt)
        g = rng.standard_normal((3000, L)).astype(dt)
        t = np.ascontiguousarray(x.reshape(3000, 2, L).transpose(1, 0, 2))   # (2, 3000, L): halves on axis 0
        np.testing.assert_array_equal(f(x, **kw), f(t, **dict(kw, axis=0))[0])
        long = fg(t, grad_output=g[None], **dict(kw, axis=0))
        np.testing.assert_array_equal(fg(x, grad_output=g, **kw), long.transpose(1, 0, 2).reshape(3000, 2 * L))


@gated
def test_empty_and_threads_keep_the_bits(vid, act, kw):
    f, fg = _fns(act)
    assert f(np.empty((0, 4)), **kw).shape == (0, 2)
    assert fg(np.empty((3, 0)), grad_output=np.empty((3, 0)), **kw).shape == (3, 0)
    rng = np.random.default_rng(4)
    for dt, shape in itertools.product(DTYPES, [(50, 4000), (20000, 6)]):
        x = (rng.standard_normal(shape) * 4).astype(dt)
        g = rng.standard_normal((shape[0], shape[1] // 2)).astype(dt)
        n = cact.get_num_threads()
        try:
            cact.set_num_threads(1)
            one = f(x, **kw), fg(x, grad_output=g, **kw)
            cact.set_num_threads(2)
            two = f(x, **kw), fg(x, grad_output=g, **kw)
        finally:
            cact.set_num_threads(n)
        for a, b in zip(one, two):
            np.testing.assert_array_equal(a, b)
