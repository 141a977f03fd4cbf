"""Derivatives against central finite differences (float64) and against their analytic forms
written plainly in NumPy; backward steps against g * f'(x)."""

import numpy as np
import pytest

import cact
from cact import _registry as registry
from conftest import ELEMENTWISE, ROWS

RNG = np.random.default_rng(10)


def _x(n=400):
    x = RNG.uniform(-6, 6, n)
    return x[np.abs(x) > 1e-3]  # away from the kinks of relu, leaky_relu, elu


@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_derivative_matches_central_finite_differences(name):
    f, g, kw = ELEMENTWISE[name]
    x = _x()
    h = 1e-6
    fd = (f(x + h, **kw) - f(x - h, **kw)) / (2 * h)
    np.testing.assert_allclose(g(x, **kw), fd, rtol=1e-6, atol=1e-8)


def test_softmax_jacobian_matches_finite_differences():
    x = RNG.standard_normal(6)
    h = 1e-6
    fd = np.empty((6, 6))
    for j in range(6):
        e = np.zeros(6)
        e[j] = h
        fd[:, j] = (cact.softmax(x + e) - cact.softmax(x - e)) / (2 * h)
    np.testing.assert_allclose(cact.softmax_grad(x), fd, rtol=1e-6, atol=1e-9)


def test_prelu_grad_alpha_matches_finite_differences():
    x = RNG.standard_normal((4, 3, 5))
    g = RNG.standard_normal(x.shape)
    a = np.array([0.1, 0.2, 0.3])
    _, ga = cact.prelu_grad(x, a, grad_output=g)
    h = 1e-6
    for c in range(3):
        e = np.zeros(3)
        e[c] = h
        fd = ((cact.prelu(x, a + e) - cact.prelu(x, a - e)) * g).sum() / (2 * h)
        assert abs(ga[c] - fd) <= 1e-6 * max(1.0, abs(fd))


@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_derivative_matches_the_analytic_form(name):
    f, g, kw = ELEMENTWISE[name]
    x = RNG.uniform(-3, 3, 500)
    act, _ = ROWS[name]   # the registry's plain NumPy form of f'
    np.testing.assert_allclose(g(x, **kw), act.numpy_grad(x, **kw), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", list(ELEMENTWISE))
@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_backward_is_grad_output_times_the_derivative(name, dt):
    f, g, kw = ELEMENTWISE[name]
    x = RNG.uniform(-8, 8, 1000).astype(dt)
    go = RNG.standard_normal(1000).astype(dt)
    expected = (go.astype(np.float64) * g(x.astype(np.float64), **kw)).astype(dt)
    got = g(x, grad_output=go, **kw)
    if dt is np.float64:  # the float64 kernel computes exactly g * f'(x), rounded once
        np.testing.assert_array_equal(got, expected)
    else:  # float32 may use float32 math for f' (sigmoid, elu): within the 4-ulp accuracy bound
        np.testing.assert_array_max_ulp(got, expected, maxulp=4)


PROMOTE_VARIANTS = registry.variants()


@pytest.mark.parametrize("vid, act, kw", PROMOTE_VARIANTS, ids=[v[0] for v in PROMOTE_VARIANTS])
def test_a_wider_grad_output_promotes_the_result_as_numpy_does(vid, act, kw):
    # float32 x with a float64 grad_output: computed and returned in float64 (NumPy's result_type),
    # the bits of the float64 call on the same x; from y too; into out=; a narrower or weak
    # grad_output (float32 array with float64 x, a list) keeps x's dtype
    rng = np.random.default_rng(31)
    x = (rng.standard_normal((6, 8)) * 3).astype(np.float32)
    g = rng.standard_normal((6, 4) if act.kind == "gated" else (6, 8))
    fg = getattr(cact, act.name + "_grad")
    p = {"alpha": 0.25} if act.name == "prelu" else kw

    def call(v, gv, **o):
        r = fg(v, grad_output=gv, **p, **o)
        return r[0] if act.name == "prelu" else r
    want = call(x.astype(np.float64), g)
    got = call(x, g)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, want)
    if act.name != "prelu":
        out = np.empty(want.shape)
        assert fg(x, grad_output=g, out=out, **p) is out
        np.testing.assert_array_equal(out, want)
    if act.from_y:
        y = getattr(cact, act.name)(x, **p)
        r = fg(y=y, grad_output=g, **p)
        assert r.dtype == np.float64
        np.testing.assert_array_equal(r, fg(y=y.astype(np.float64), grad_output=g, **p))
    assert call(x.astype(np.float64), g.astype(np.float32)).dtype == np.float64
    assert call(x, g.tolist()).dtype == np.float32
    assert call(x, float(g.flat[0])).dtype == np.float32      # a Python number: weak
    assert call(x, np.float64(g.flat[0])).dtype == np.float64   # a NumPy float64 scalar: not
    assert call(x.astype(np.float16), g.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize("vid, act, kw", PROMOTE_VARIANTS, ids=[v[0] for v in PROMOTE_VARIANTS])
def test_grad_output_broadcasts_to_xs_shape_as_numpy_does(vid, act, kw):
    # a scalar or a row broadcasts to x's shape (gated units: the output's); the result has x's
    # shape and the bits of the call with the broadcast array; what does not broadcast is a
    # ValueError naming grad_output
    rng = np.random.default_rng(37)
    x = rng.standard_normal((6, 8)) * 3
    oshape = (6, 4) if act.kind == "gated" else (6, 8)
    fg = getattr(cact, act.name + "_grad")
    p = {"alpha": 0.25} if act.name == "prelu" else kw

    def call(gv):
        r = fg(x, grad_output=gv, **p)
        return r[0] if act.name == "prelu" else r
    row = rng.standard_normal(oshape[-1])
    for gv in (2.0, np.float64(-0.5), row, row[None, :]):
        got = call(gv)
        assert got.shape == x.shape
        np.testing.assert_array_equal(got, call(np.array(np.broadcast_to(gv, oshape))))
    with pytest.raises(ValueError, match="grad_output"):
        call(np.ones(3))
    with pytest.raises(ValueError, match="grad_output"):
        call(np.ones((2,) + oshape))   # (x's shape is not widened)


def test_ml_dtypes_low_precision_floats_raise_saying_how_to_convert():
    """ml_dtypes' float8 types are not computed (bfloat16 is: tests/test_half.py)"""
    ml_dtypes = pytest.importorskip("ml_dtypes")
    for dt in (ml_dtypes.float8_e4m3fn,):
        with pytest.raises(TypeError, match=r"x: dtype .*astype\(np\.float32\)"):
            cact.gelu(np.ones(3, dtype=dt))
        with pytest.raises(TypeError, match=r"grad_output: dtype .*astype\(np\.float32\)"):
            cact.gelu_grad(np.ones(3, np.float32), grad_output=np.ones(3, dtype=dt))
