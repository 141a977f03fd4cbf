"""Property tests (hypothesis): random shapes, strides, dtypes, values and parameters; cact must
agree with a slow, plain NumPy reference evaluated in float64 (and bit for bit with itself on a
contiguous copy)."""
import math

import mpmath as mp
import numpy as np
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import cact
from cact import _registry as registry



def _gelu_exact(v):
    # x Phi(x) in mpmath: the float64 form x/2 erfc(-x/sqrt 2) has a relative error of about
    # x^2 2^-53 in the tail (the rounding of x/sqrt 2 is magnified), 1.4e-13 at x = -35
    if not math.isfinite(v) or abs(v) > 40:   # saturated: x, or -0 (Phi(-40) < 1e-308)
        return -0.0 if v < 0 else v
    return float(mp.mpf(v) * mp.ncdf(mp.mpf(v)))


_gelu_exact_array = np.vectorize(_gelu_exact, otypes=[np.float64])


def slow(name, x, p):
    """Plain float64 NumPy forms, in their numerically safe shape."""
    x = x.astype(np.float64)
    if x.size == 0:
        return x
    with np.errstate(all="ignore"):
        if name == "sigmoid":
            return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))
        if name == "relu":
            return np.where(np.isnan(x), x, np.where(x > 0, x, 0.0))
        if name == "leaky_relu":
            return np.where(x > 0, x, p * x)
        if name == "elu":
            return np.where(x > 0, x, p * np.expm1(x))
        if name == "gelu_none":
            return _gelu_exact_array(x)
        if name == "softmax":
            m = np.max(x, axis=-1, keepdims=True)
            e = np.exp(x - m)
            return e / e.sum(axis=-1, keepdims=True)
    raise KeyError(name)


CALLS = {
    "sigmoid": lambda x, p, **kw: cact.sigmoid(x, **kw),
    "relu": lambda x, p, **kw: cact.relu(x, **kw),
    "leaky_relu": lambda x, p, **kw: cact.leaky_relu(x, p, **kw),
    "elu": lambda x, p, **kw: cact.elu(x, p, **kw),
    "gelu_none": lambda x, p, **kw: cact.gelu(x, "none", **kw),
    "softmax": lambda x, p, **kw: cact.softmax(x, -1, **kw),
}

floats = st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True, width=64)
dtypes = st.sampled_from([np.float32, np.float64, np.float16, np.int32, np.bool_])


@st.composite
def arrays_with_views(draw):
    dt = draw(dtypes)
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=6))
    if np.dtype(dt).kind == "f":
        elems = st.floats(width=np.finfo(dt).bits, allow_nan=True, allow_infinity=True, allow_subnormal=True)
    elif dt is np.bool_:
        elems = st.booleans()
    else:
        elems = st.integers(-1000, 1000)
    base = draw(hnp.arrays(dt, shape, elements=elems))
    # a random view: reversed and stepped axes, or a transpose
    index = tuple(slice(None, None, draw(st.sampled_from([1, 2, -1, -2]))) for _ in shape)
    view = base[index]
    if draw(st.booleans()):
        view = view.transpose(draw(st.permutations(range(view.ndim))))
    return view


@given(x=arrays_with_views(), name=st.sampled_from(list(CALLS)), p=st.floats(-5.0, 5.0) | st.sampled_from([0.0, 1e-300, 1e300]))
def test_matches_the_slow_reference_on_any_view(x, name, p):
    y = CALLS[name](x, p)
    assert y.shape == x.shape
    contiguous = CALLS[name](np.ascontiguousarray(x), p)
    np.testing.assert_array_equal(y, contiguous)
    ref = slow(name, x, p)
    rtype = y.dtype
    tol = {np.dtype(np.float16): 1e-3, np.dtype(np.float32): 1e-6, np.dtype(np.float64): 1e-13}[rtype]
    with np.errstate(all="ignore"):
        np.testing.assert_allclose(y.astype(np.float64), ref.astype(rtype).astype(np.float64),
                                   rtol=tol, atol=float(np.finfo(rtype).smallest_subnormal) * 4)


@given(x=arrays_with_views(), name=st.sampled_from(list(CALLS)), p=st.floats(0.001, 3.0), data=st.data())
def test_out_of_any_layout_matches_the_plain_result(x, name, p, data):
    expected = CALLS[name](x, p)
    expected = np.asarray(expected)
    layout = data.draw(st.sampled_from(["C", "F", "strided"]))
    if layout == "strided":
        out = np.zeros(tuple(2 * s for s in x.shape), expected.dtype)[tuple(slice(None, None, 2) for _ in x.shape)]
    else:
        out = np.zeros(x.shape, expected.dtype, order=layout)
    assert CALLS[name](x, p, out=out) is out
    np.testing.assert_array_equal(out, expected)


@given(x=hnp.arrays(np.float64, st.integers(1, 50), elements=st.floats(-30, 30)),
       g=st.floats(-5, 5), name=st.sampled_from(["sigmoid", "elu", "gelu_none", "leaky_relu"]))
def test_backward_is_linear_in_grad_output(x, g, name):
    grad = {"sigmoid": cact.sigmoid_grad, "elu": cact.elu_grad, "leaky_relu": cact.leaky_relu_grad,
            "gelu_none": lambda x, **kw: cact.gelu_grad(x, "none", **kw)}[name]
    go = np.full_like(x, g)
    np.testing.assert_array_equal(grad(x, grad_output=go), go * grad(x))


@given(x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=8),
                    elements=st.floats(-1e300, 1e300) | st.just(-np.inf)),
       data=st.data())
def test_softmax_rows_sum_to_one_and_are_in_0_1(x, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    y = cact.softmax(x, axis=axis)
    finite_rows = np.isfinite(x).any(axis=axis)
    assert ((y >= 0) & (y <= 1) | np.isnan(y)).all()
    sums = y.sum(axis=axis)
    np.testing.assert_allclose(sums[finite_rows], 1.0, rtol=1e-13)


# ---- the row functions and the gated units of the registry ------------------------------------

ROWS_AND_GATED = [(vid, act, kw) for vid, act, kw in registry.variants(("rows", "gated"))]


@given(data=st.data(), case=st.sampled_from(ROWS_AND_GATED))
def test_row_and_gated_functions_on_any_view_match_numpy_and_their_contiguous_call(data, case):
    # finite values (NumPy's plain forms overflow where cact does not), any view and axis; the
    # forward and the backward step from x agree with the registry's NumPy forms in float64, and bit
    # for bit with the same call on a contiguous copy
    vid, act, kw = case
    x = data.draw(arrays_with_views().filter(lambda v: v.ndim >= 1 and v.size > 0 and v.dtype.kind == "f"))
    x = np.nan_to_num(x.astype(np.float64), posinf=30.0, neginf=-30.0).clip(-30, 30).astype(x.dtype)[...]
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    if act.kind == "gated" and x.shape[axis] % 2:
        x = np.concatenate([x, x], axis=axis)
    f, fg = getattr(cact, act.name), getattr(cact, act.name + "_grad")
    kwa = dict(kw, axis=axis)
    y = f(x, **kwa)
    np.testing.assert_array_equal(y, f(np.ascontiguousarray(x), **kwa))
    g = np.ones(y.shape, x.dtype)
    d = fg(x, grad_output=g, **kwa)
    assert d.shape == x.shape
    np.testing.assert_array_equal(d, fg(np.ascontiguousarray(x), grad_output=g, **kwa))
    x64 = x.astype(np.float64)
    tol = {np.dtype(np.float16): 2e-3, np.dtype(np.float32): 2e-6, np.dtype(np.float64): 1e-12}[y.dtype]
    ref = act.numpy(x64, **kwa)
    np.testing.assert_allclose(y.astype(np.float64), ref, rtol=tol, atol=tol * max(1.0, np.abs(ref).max()))
    ref = act.numpy_vjp(x64, g.astype(np.float64), **kwa)
    np.testing.assert_allclose(d.astype(np.float64), ref, rtol=10 * tol, atol=10 * tol * max(1.0, np.abs(ref).max()))
