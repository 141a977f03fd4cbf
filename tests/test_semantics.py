"""The conventions every public function keeps: one test per rule."""
import re
import warnings

import numpy as np
import pytest

import cact
from conftest import ELEMENTWISE, ROW_NAMES, at_offset

RNG = np.random.default_rng(0)


def call_fwd(case, x, **kw):
    _, f, params = case
    return f(x, **params, **kw)


# ---- dtypes ---------------------------------------------------------------------------------

@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_float32_and_float64_keep_their_dtype(forward, dt):
    x = RNG.standard_normal((3, 5)).astype(dt)
    y = call_fwd(forward, x)
    assert y.dtype == dt and y.shape == x.shape


def test_float16_computes_in_float32_and_returns_float16(forward):
    x = RNG.standard_normal((4, 6)).astype(np.float16)
    y = call_fwd(forward, x)
    assert y.dtype == np.float16
    np.testing.assert_array_equal(y, call_fwd(forward, x.astype(np.float32)).astype(np.float16))


@pytest.mark.parametrize("dt", [np.bool_, np.int8, np.uint16, np.int32, np.int64, np.uint64])
def test_integers_and_bools_compute_in_float64(forward, dt):
    x = np.array([[0, 1, 1], [1, 0, 1]], dtype=dt)
    y = call_fwd(forward, x)
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y, call_fwd(forward, x.astype(np.float64)))


def test_lists_and_python_scalars_are_accepted_like_asarray(forward):
    name = forward[0]
    nested = [[-1.0, 0.5, 2.0], [3, -4, 0]]
    np.testing.assert_array_equal(call_fwd(forward, nested), call_fwd(forward, np.asarray(nested)))
    if name not in ROW_NAMES:   # (row functions need an axis)
        y = call_fwd(forward, 0.75)
        assert np.ndim(y) == 0 and isinstance(y, np.float64)
        assert y == call_fwd(forward, np.array([0.75]))[0]


def test_zero_d_input_gives_a_scalar(elementwise_forward):
    y = call_fwd(elementwise_forward, np.array(1.5, dtype=np.float32))
    assert isinstance(y, np.float32) and np.ndim(y) == 0


@pytest.mark.parametrize("bad", [
    np.array([1 + 2j]), np.array(["a", "b"]), np.array([object()], dtype=object),
    np.array(["2020-01-01"], dtype="datetime64[D]"), np.array([1], dtype="timedelta64[s]"),
    np.array([1.0], dtype=np.longdouble) if np.finfo(np.longdouble).nmant > 52 else np.array([1j]),
])
def test_unsupported_dtypes_raise_typeerror_naming_the_dtype(forward, bad):
    with pytest.raises(TypeError, match=re.escape(str(bad.dtype))):
        call_fwd(forward, bad)


def test_unsupported_dtypes_are_rejected_by_derivatives_too(elementwise_grad):
    _, g, kw = elementwise_grad
    with pytest.raises(TypeError, match="complex"):
        g(np.array([1j]), **kw)
    with pytest.raises(TypeError, match="grad_output.*complex"):
        g(np.ones(2), grad_output=np.array([1j, 1j]), **kw)


# ---- shapes, strides, layouts -----------------------------------------------------------------

LAYOUTS = {
    "strided": lambda a: a[:, ::2],
    "negative strides": lambda a: a[::-1, ::-3],
    "fortran": lambda a: np.asfortranarray(a),
    "transposed 3-d": lambda a: a.reshape(4, 3, 4).transpose(2, 0, 1),
    "broadcast (zero strides)": lambda a: np.broadcast_to(a[:1], a.shape),
    "read-only": lambda a: _readonly(a),
    "byte-swapped": lambda a: a.astype(a.dtype.newbyteorder()),
}


def _readonly(a):
    a = a.copy()
    a.flags.writeable = False
    return a


@pytest.mark.parametrize("layout", LAYOUTS, ids=list(LAYOUTS))
@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_any_layout_gives_the_contiguous_result(forward, layout, dt):
    base = (RNG.standard_normal((12, 4)) * 3).astype(dt)
    x = LAYOUTS[layout](base)
    expected = call_fwd(forward, np.ascontiguousarray(x).astype(dt))
    y = call_fwd(forward, x)
    assert y.shape == x.shape and y.dtype == dt
    np.testing.assert_array_equal(y, expected)


@pytest.mark.parametrize("layout", LAYOUTS, ids=list(LAYOUTS))
def test_any_layout_for_derivatives_and_backward(elementwise_grad, layout):
    _, g, kw = elementwise_grad
    base = RNG.standard_normal((12, 4)) * 3
    x = LAYOUTS[layout](base)
    go = LAYOUTS[layout](RNG.standard_normal((12, 4)))
    xc, gc = np.ascontiguousarray(x).astype(np.float64), np.ascontiguousarray(go).astype(np.float64)
    np.testing.assert_array_equal(g(x, **kw), g(xc, **kw))
    np.testing.assert_array_equal(g(x, grad_output=go, **kw), g(xc, grad_output=gc, **kw))


@pytest.mark.parametrize("shape", [(0,), (3, 0), (0, 4, 2), (1,), (2, 3, 4, 5)])
def test_empty_and_nd_shapes(forward, shape):
    x = RNG.standard_normal(shape)
    y = call_fwd(forward, x)
    assert y.shape == shape


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_new_results_keep_a_contiguous_layout_and_give_the_out_results(elementwise_grad, order, dt):
    # calls without out= on contiguous float arrays allocate in the kernel module (the *_new entry
    # points); the result has x's layout and the bits the out= kernels give
    name, g, kw = elementwise_grad
    f = ELEMENTWISE[name][0]
    x = np.asarray((RNG.standard_normal((6, 5)) * 4).astype(dt), order=order)
    go = np.asarray(RNG.standard_normal((6, 5)).astype(dt), order=order)
    for call in (lambda **o: f(x, **kw, **o), lambda **o: g(x, **kw, **o),
                 lambda **o: g(x, grad_output=go, **kw, **o)):
        y = call()
        out = np.zeros_like(x, order=order)
        call(out=out)
        assert y.dtype == dt and y.flags[order + "_CONTIGUOUS"]
        assert y.tobytes("A") == out.tobytes("A")


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_large_new_results_sit_where_the_loops_read_them_and_are_freed(elementwise_grad, dt):
    # from 16 KB a new result is allocated by cact (_alloc.h): elementwise results at the offset
    # within a cache line of x (forward, derivative) or of grad_output (backward), so the loops'
    # loads do not span lines; softmax's and prelu's at a line's start. Same bits as out=, the usual
    # array semantics, and the memory goes back when the array dies (tracemalloc sees it).
    import tracemalloc
    name, g, kw = elementwise_grad
    f = ELEMENTWISE[name][0]
    shape = (64, 80)
    vals, gvals = RNG.standard_normal(shape) * 4, RNG.standard_normal(shape)
    for xo, go in ((0, 16), (16, 48), (32, 32), (48, 0)):
        x, gout = at_offset(shape, dt, xo, vals), at_offset(shape, dt, go, gvals)
        for call, where in ((lambda **o: f(x, **kw, **o), xo), (lambda **o: g(x, **kw, **o), xo),
                            (lambda **o: g(x, grad_output=gout, **kw, **o), go)):
            y = call()
            out = np.zeros_like(x)
            call(out=out)
            assert y.ctypes.data % 64 == where
            assert y.dtype == dt and y.shape == shape and y.flags.c_contiguous and y.flags.writeable
            assert y.tobytes() == out.tobytes()
            y[...] = 1.0   # writable through its whole extent
    x = at_offset(shape, dt, 16, vals)
    rows = [cact.softmax(x), cact.softmax_grad(x, grad_output=x), cact.prelu(x, np.full(80, 0.1)),
            cact.prelu_grad(x, np.full(80, 0.1), grad_output=x)[0]]
    assert [r.ctypes.data % 64 for r in rows] == [0, 0, 0, 0]
    xf = np.asfortranarray(x)
    assert f(xf, **kw).flags.f_contiguous
    f(x, **kw)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        y = f(x, **kw)
        assert tracemalloc.get_traced_memory()[0] - base >= y.nbytes
        del y
        assert tracemalloc.get_traced_memory()[0] - base < 1024
    finally:
        tracemalloc.stop()


def test_the_new_result_entry_points_take_only_what_the_contiguous_loops_can():
    from cact._dispatch import kernels as K, KERNELS
    KI = {k.name: i for i, k in enumerate(KERNELS)}
    x = RNG.standard_normal((4, 8)).astype(np.float32)
    unaligned = np.zeros(4 * 33, np.uint8)[1:-3].view(np.float32)
    taken = [x, np.asfortranarray(x), x.astype(np.float64), x.astype(np.float16), x[:1], x.ravel(), x[:0]]
    declined = [x[:, ::2], x.T.copy()[:, :3], x.astype(">f4"), x.astype(">f2"), unaligned,
                np.array(1.5, np.float32), x.tolist(), x.astype(np.int32)]
    for a in taken:
        y = K.ew_new(KI['relu'], 0, a, None, 0.0, 0.0)
        assert type(y) is np.ndarray and y.dtype == a.dtype and y.shape == a.shape
        np.testing.assert_array_equal(y, np.maximum(a, 0))
    for a in declined:
        assert K.ew_new(KI['relu'], 0, a, None, 0.0, 0.0) is None
    for p in (np.nan, np.inf, -np.inf):
        assert K.ew_new(KI['leaky_relu'], 0, x, None, p, 0.0) is None
    assert K.ew_new(KI['relu'], 2, x, x.copy(), 0.0, 0.0) is not None
    for g in (x.astype(np.float64), np.asfortranarray(x), x[:, :4], x.tolist(), x[:, ::-1]):
        assert K.ew_new(KI['relu'], 2, x, g, 0.0, 0.0) is None
    a = np.linspace(-1, 1, 8)
    for xx, aa in ((x, a), (x, a.astype(np.float32)), (x.astype(np.float64), a), (x.reshape(2, 8, 2), a)):
        y = K.prelu_fwd_new(xx, aa, 1)
        np.testing.assert_array_equal(y, cact.prelu(xx, aa.tolist()))
    x4 = x[:, :4].copy()
    for xx, aa, axis in ((x, np.r_[a[:7], np.nan], 1), (x, np.r_[a[:7], np.inf], 1), (x, a[:7], 1),
                         (np.asfortranarray(x4), a[:4], 1), (x.ravel(), a, 0), (x, a.reshape(2, 4), 1),
                         (x.astype(np.float16), a, 1), (x, a.astype(">f8"), 1), (x, a, 2),
                         (unaligned.reshape(4, 8), a, 1), (x.tolist(), a, 1), (x, a.tolist(), 1)):
        assert K.prelu_fwd_new(xx, aa, axis) is None
        assert K.prelu_grad_new(xx, np.ones_like(np.asarray(xx)), aa, axis) is None
    g8 = RNG.standard_normal(x.shape).astype(np.float32)
    gx, ga = K.prelu_grad_new(x, g8, a, 1)
    gx2, ga2 = cact.prelu_grad(x, a.tolist(), grad_output=g8)   # the checked path
    assert gx.tobytes() == gx2.tobytes() and ga.tobytes() == ga2.tobytes() and ga.dtype == np.float32
    for gg in (g8.astype(np.float64), g8[:, :4], g8.tolist(), g8.astype(">f4"), np.asfortranarray(g8[:, :4])):
        assert K.prelu_grad_new(x, gg, a, 1) is None
    for xx in (x, x.astype(np.float64), x.reshape(2, 2, 8), x[:1], x[:0], x.ravel()):
        out = np.zeros_like(xx)
        cact.softmax(xx, out=out)
        assert K.softmax_fwd_new(xx).tobytes() == out.tobytes()
    for xx in (np.asfortranarray(x), x[:, ::2], x.astype(np.float16), x.astype(">f4"), unaligned,
               np.array(1.5, np.float32), x.tolist()):
        assert K.softmax_fwd_new(xx) is None
    g = RNG.standard_normal(x.shape).astype(np.float32)
    y = cact.softmax(x)
    for from_y, src in ((True, y), (False, x)):
        out = np.zeros_like(x)
        cact.softmax_grad(**({"y": src} if from_y else {"x": src}), grad_output=g, out=out)
        assert K.softmax_bwd_new(src, g, from_y).tobytes() == out.tobytes()
        for gg in (g.astype(np.float64), np.asfortranarray(g), g[:, :4], g.tolist(), g.astype(">f4")):
            assert K.softmax_bwd_new(src, gg, from_y) is None
        assert K.softmax_bwd_new(np.asfortranarray(src), np.asfortranarray(g), from_y) is None


# ---- out= -------------------------------------------------------------------------------------

def test_out_receives_the_result_and_is_returned(forward):
    x = RNG.standard_normal((5, 7))
    out = np.empty_like(x)
    assert call_fwd(forward, x, out=out) is out
    np.testing.assert_array_equal(out, call_fwd(forward, x))


def test_out_may_be_x_itself(forward):
    x = RNG.standard_normal((5, 7))
    expected = call_fwd(forward, x)
    assert call_fwd(forward, x, out=x) is x
    np.testing.assert_array_equal(x, expected)


def test_out_may_be_non_contiguous(forward):
    x = RNG.standard_normal((5, 7))
    buf = np.zeros((5, 14))
    out = buf[:, ::2]
    call_fwd(forward, x, out=out)
    np.testing.assert_array_equal(out, call_fwd(forward, x))
    assert not buf[:, 1::2].any()


def test_out_partly_overlapping_x_gives_the_result_as_if_it_did_not(forward):
    buf = RNG.standard_normal((6, 8))
    x = buf[:5]
    out = buf[1:]
    expected = call_fwd(forward, x.copy())
    call_fwd(forward, x, out=out)
    np.testing.assert_array_equal(out, expected)


def test_grad_out_partly_overlapping_grad_output(elementwise_grad):
    _, g, kw = elementwise_grad
    x = RNG.standard_normal((5, 8))
    buf = RNG.standard_normal((6, 8))
    go, out = buf[:5], buf[1:]
    expected = g(x, grad_output=go.copy(), **kw)
    g(x, grad_output=go, out=out, **kw)
    np.testing.assert_array_equal(out, expected)


def test_out_same_kind_cast_from_float64_to_float32(forward):
    x = RNG.standard_normal((3, 4))
    out = np.empty((3, 4), np.float32)
    call_fwd(forward, x, out=out)
    np.testing.assert_array_equal(out, call_fwd(forward, x).astype(np.float32))


@pytest.mark.parametrize("out, exc, match", [
    (np.empty((3, 5)), ValueError, "out has shape"),
    (np.empty((3, 4), np.int64), TypeError, "out has dtype int64"),
    ([[0.0] * 4] * 3, TypeError, "out must be a numpy.ndarray"),
])
def test_wrong_out_raises_naming_out(forward, out, exc, match):
    with pytest.raises(exc, match=match):
        call_fwd(forward, RNG.standard_normal((3, 4)), out=out)


def test_read_only_out_raises_and_stays_untouched(forward):
    out = np.full((3, 4), 7.0)
    out.flags.writeable = False
    with pytest.raises(ValueError, match="out is read-only"):
        call_fwd(forward, RNG.standard_normal((3, 4)), out=out)
    assert (out == 7.0).all()


# ---- NaN and infinities -------------------------------------------------------------------------

@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_nan_in_gives_nan_out_in_values_and_every_derivative(elementwise_grad, dt):
    name, g, kw = elementwise_grad
    f = (ELEMENTWISE.get(name) or (cact.prelu,))[0]
    x = np.array([np.nan, 1.0, -1.0, np.nan], dtype=dt)
    for y in (f(x, **kw), g(x, **kw), g(x, grad_output=np.ones_like(x), **kw)):
        assert np.isnan(y[[0, 3]]).all() and not np.isnan(y[[1, 2]]).any()


def test_softmax_nan_poisons_only_its_row():
    x = np.array([[1.0, np.nan, 2.0], [1.0, 2.0, 3.0]])
    y = cact.softmax(x)
    assert np.isnan(y[0]).all() and np.isfinite(y[1]).all()
    assert np.isnan(cact.softmax_grad(x, grad_output=np.ones_like(x))[0]).all()
    assert np.isnan(cact.softmax_grad(x)[0]).all()


INF_LIMITS = [
    (cact.sigmoid, {}, 1.0, 0.0), (cact.sigmoid_grad, {}, 0.0, 0.0),
    (cact.relu, {}, np.inf, 0.0), (cact.relu_grad, {}, 1.0, 0.0),
    (cact.leaky_relu, {"alpha": 0.1}, np.inf, -np.inf), (cact.leaky_relu_grad, {"alpha": 0.1}, 1.0, 0.1),
    (cact.elu, {"alpha": 2.0}, np.inf, -2.0), (cact.elu_grad, {"alpha": 2.0}, 1.0, 0.0),
    (cact.gelu, {"approximate": "tanh"}, np.inf, 0.0), (cact.gelu_grad, {"approximate": "tanh"}, 1.0, 0.0),
    (cact.gelu, {"approximate": "none"}, np.inf, 0.0), (cact.gelu_grad, {"approximate": "none"}, 1.0, 0.0),
]


@pytest.mark.parametrize("f, kw, at_inf, at_minus_inf", INF_LIMITS,
                         ids=[f"{c[0].__name__}-{c[1].get('approximate', '')}" for c in INF_LIMITS])
@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_infinities_give_the_limits(f, kw, at_inf, at_minus_inf, dt):
    y = f(np.array([np.inf, -np.inf], dtype=dt), **kw)
    assert y[0] == at_inf and y[1] == at_minus_inf


def test_prelu_infinities_give_the_limits():
    y = cact.prelu(np.array([[np.inf, -np.inf]]), np.array([0.5, 2.0]), axis=1)
    assert y[0, 0] == np.inf and y[0, 1] == -np.inf


# ---- kinks (PyTorch's conventions) ----------------------------------------------------------------

def test_relu_grad_is_0_at_0():
    assert cact.relu_grad(np.array([0.0, -0.0])).tolist() == [0.0, 0.0]


def test_leaky_relu_grad_is_alpha_at_0():
    assert cact.leaky_relu_grad(np.array([0.0]), 0.3)[0] == 0.3


def test_prelu_grad_is_alpha_at_0_and_grad_alpha_is_0_there():
    gx, ga = cact.prelu_grad(np.array([[0.0, 0.0]]), np.array([0.3, 0.7]))
    assert gx.tolist() == [[0.3, 0.7]] and ga.tolist() == [0.0, 0.0]


def test_elu_grad_is_alpha_at_0():
    assert cact.elu_grad(np.array([0.0]), 1.7)[0] == 1.7


def test_leaky_relu_with_alpha_above_1_is_x_or_alpha_x():
    x = np.array([-2.0, 3.0])
    assert cact.leaky_relu(x, alpha=2.0).tolist() == [-4.0, 3.0]  # max(2x, x) would give [-2, 6]


# ---- softmax ---------------------------------------------------------------------------------------

def test_softmax_does_not_overflow_for_large_inputs():
    y = cact.softmax(np.array([1000.0, 1000.0, 999.0]))
    assert np.isfinite(y).all() and abs(y.sum() - 1) < 1e-15


def test_softmax_minus_inf_entries_give_exactly_0():
    y = cact.softmax(np.array([[-np.inf, 0.0, 1.0, -np.inf]], dtype=np.float32))
    assert y[0, 0] == 0 and y[0, 3] == 0 and abs(y.sum() - 1) < 1e-6


def test_softmax_all_minus_inf_row_is_nan_like_pytorch():
    assert np.isnan(cact.softmax(np.full(3, -np.inf))).all()


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3])
def test_softmax_works_along_any_axis(axis):
    x = RNG.standard_normal((3, 4, 5))
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    np.testing.assert_allclose(cact.softmax(x, axis=axis), e / e.sum(axis=axis, keepdims=True), rtol=1e-14)


def test_softmax_grad_without_g_is_the_jacobian():
    x = RNG.standard_normal((2, 3, 4))
    J = cact.softmax_grad(x)
    assert J.shape == (2, 3, 4, 4)
    y = cact.softmax(x)
    expected = y[..., :, None] * (np.eye(4) - y[..., None, :])
    np.testing.assert_allclose(J, expected, rtol=1e-13, atol=1e-16)


def test_softmax_grad_with_g_is_the_vector_jacobian_product():
    x, g = RNG.standard_normal((6, 5)), RNG.standard_normal((6, 5))
    J = cact.softmax_grad(x)
    np.testing.assert_allclose(cact.softmax_grad(x, grad_output=g), np.einsum("ri,rij->rj", g, J), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("axis", [0, 1])
def test_softmax_grad_along_other_axes(axis):
    x, g = RNG.standard_normal((4, 5)), RNG.standard_normal((4, 5))
    moved = np.moveaxis(x, axis, -1)
    vjp = cact.softmax_grad(x, axis=axis, grad_output=g)
    np.testing.assert_allclose(np.moveaxis(vjp, axis, -1),
                               cact.softmax_grad(moved, grad_output=np.moveaxis(g, axis, -1)), rtol=1e-14)
    J = cact.softmax_grad(x, axis=axis)
    assert J.shape == x.shape + (x.shape[axis],)
    np.testing.assert_allclose(np.moveaxis(J, axis, -2), cact.softmax_grad(moved), rtol=1e-14)


def test_softmax_grad_in_place_into_grad_output():
    x, g = RNG.standard_normal((4, 6)), RNG.standard_normal((4, 6))
    expected = cact.softmax_grad(x, grad_output=g)
    cact.softmax_grad(x, grad_output=g, out=g)
    np.testing.assert_array_equal(g, expected)


# ---- prelu ----------------------------------------------------------------------------------------

def test_prelu_per_channel_slopes_on_axis_1():
    x = RNG.standard_normal((2, 3, 4))
    a = np.array([0.1, 0.2, 0.3])
    np.testing.assert_array_equal(cact.prelu(x, a), np.where(x > 0, x, a[None, :, None] * x))


def test_prelu_channels_on_another_axis():
    x = RNG.standard_normal((2, 3, 4))
    a = np.array([0.1, 0.2, 0.3, 0.4])
    np.testing.assert_array_equal(cact.prelu(x, a, axis=-1), np.where(x > 0, x, a * x))


def test_prelu_grad_alpha_has_alphas_shape_and_sums_over_other_axes():
    x, g = RNG.standard_normal((5, 3, 4)), RNG.standard_normal((5, 3, 4))
    a = np.array([0.1, 0.2, 0.3])
    gx, ga = cact.prelu_grad(x, a, grad_output=g)
    np.testing.assert_allclose(gx, g * np.where(x > 0, 1.0, a[None, :, None]), rtol=1e-15)
    assert ga.shape == (3,)
    np.testing.assert_allclose(ga, (g * np.where(x > 0, 0.0, x)).sum(axis=(0, 2)), rtol=1e-12)
    _, ga_scalar = cact.prelu_grad(x, 0.25, grad_output=g)
    assert np.ndim(ga_scalar) == 0
    np.testing.assert_allclose(ga_scalar, (g * np.minimum(x, 0)).sum(), rtol=1e-12)
    _, ga_one = cact.prelu_grad(x, np.array([0.25]))
    assert ga_one.shape == (1,)


def test_prelu_with_scalar_alpha_equals_leaky_relu():
    x = RNG.standard_normal((3, 4))
    np.testing.assert_array_equal(cact.prelu(x, 0.2), cact.leaky_relu(x, 0.2))


# ---- errors ---------------------------------------------------------------------------------------

BAD_CALLS = [
    (lambda x: cact.leaky_relu(x, alpha="0.1"), TypeError, "alpha"),
    (lambda x: cact.leaky_relu(x, alpha=[0.1]), TypeError, "alpha"),
    (lambda x: cact.elu(x, alpha=np.nan), ValueError, "alpha"),
    (lambda x: cact.elu_grad(x, alpha=None), TypeError, "alpha"),
    (lambda x: cact.prelu(x, np.array([0.1, 0.2])), ValueError, "alpha"),
    (lambda x: cact.prelu(x, np.ones((2, 2))), ValueError, "alpha"),
    (lambda x: cact.prelu(x, np.array(["a"])), TypeError, "alpha"),
    (lambda x: cact.prelu(x.ravel(), np.ones(3)), ValueError, "alpha"),
    (lambda x: cact.prelu_grad(x, np.ones(5)), ValueError, "alpha"),
    (lambda x: cact.prelu(x, np.ones(3), axis=4), ValueError, "axis"),
    (lambda x: cact.gelu(x, approximate="erf"), ValueError, "approximate"),
    (lambda x: cact.gelu_grad(x, approximate=True), TypeError, "approximate"),
    (lambda x: cact.softmax(x, axis=2), ValueError, "axis"),
    (lambda x: cact.softmax(x, axis=1.0), TypeError, "axis"),
    (lambda x: cact.softmax_grad(x, axis=-3), ValueError, "axis"),
    (lambda x: cact.softmax(np.array(1.0)), ValueError, "axis"),
    (lambda x: cact.sigmoid_grad(x, grad_output=np.ones(2)), ValueError, "grad_output"),   # (does not broadcast)
    (lambda x: cact.softmax_grad(x, grad_output=np.ones((3, 3, 1))), ValueError, "grad_output"),
    (lambda x: cact.prelu_grad(x, 0.1, grad_output=np.ones(2)), ValueError, "grad_output"),
]


@pytest.mark.parametrize("call, exc, argname", BAD_CALLS, ids=[f"{i}-{c[2]}" for i, c in enumerate(BAD_CALLS)])
def test_bad_arguments_raise_naming_the_argument(call, exc, argname):
    with pytest.raises(exc, match=argname):
        call(np.ones((2, 3)))


@pytest.mark.parametrize("call", [
    lambda x, out: cact.leaky_relu(x, alpha="bad", out=out),
    lambda x, out: cact.gelu(x, approximate="bad", out=out),
    lambda x, out: cact.softmax(x, axis=5, out=out),
    lambda x, out: cact.elu_grad(x, grad_output=np.ones(2), out=out),
    lambda x, out: cact.prelu(x, np.ones(4), out=out),
    lambda x, out: cact.softmax_grad(x, grad_output=np.ones((3, 1)), out=out),
    lambda x, out: cact.sigmoid(np.array([1j, 1j, 1j]).reshape(1, 3).repeat(2, 0), out=out),
])
def test_errors_are_raised_before_out_is_touched(call):
    out = np.full((2, 3), 42.0)
    with pytest.raises((TypeError, ValueError)):
        call(np.ones((2, 3)), out)
    assert (out == 42.0).all()


# ---- threads --------------------------------------------------------------------------------------

def test_set_num_threads_changes_get_num_threads_and_not_results():
    before = cact.get_num_threads()
    x = RNG.standard_normal(300_000)
    try:
        cact.set_num_threads(1)
        assert cact.get_num_threads() == 1
        serial = [cact.gelu(x), cact.softmax(x.reshape(300, 1000)), cact.sigmoid_grad(x)]
        cact.set_num_threads(2)
        assert cact.get_num_threads() == (2 if cact._core.openmp_enabled() else 1)
        parallel = [cact.gelu(x), cact.softmax(x.reshape(300, 1000)), cact.sigmoid_grad(x)]
    finally:
        cact.set_num_threads(before)
    for a, b in zip(serial, parallel):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("n, exc", [(0, ValueError), (-2, ValueError), (1.5, TypeError), ("2", TypeError), (True, TypeError)])
def test_set_num_threads_rejects_non_positive_integers(n, exc):
    with pytest.raises(exc, match="n must be a positive integer"):
        cact.set_num_threads(n)


def test_prelu_nan_gives_nan_in_value_grad_x_and_grad_alpha():
    x = np.array([[np.nan, 1.0], [-1.0, 2.0]])
    a = np.array([0.1, 0.2])
    assert np.isnan(cact.prelu(x, a)[0, 0]) and not np.isnan(cact.prelu(x, a)[1:]).any()
    gx, ga = cact.prelu_grad(x, a)
    assert np.isnan(gx[0, 0]) and np.isnan(ga[0]) and not np.isnan(ga[1])


def test_derivative_out_receives_the_result(elementwise_grad):
    _, g, kw = elementwise_grad
    x, go = RNG.standard_normal((5, 7)), RNG.standard_normal((5, 7))
    out = np.empty_like(x)
    assert g(x, out=out, **kw) is out
    np.testing.assert_array_equal(out, g(x, **kw))
    assert g(x, grad_output=go, out=out, **kw) is out
    np.testing.assert_array_equal(out, g(x, grad_output=go, **kw))
    assert g(x, grad_output=go, out=go, **kw) is go  # in place into grad_output
    np.testing.assert_array_equal(go, out)


def test_softmax_jacobian_out():
    x = RNG.standard_normal((3, 4))
    out = np.empty((3, 4, 4), np.float32)
    assert cact.softmax_grad(x, out=out) is out
    np.testing.assert_array_equal(out, cact.softmax_grad(x).astype(np.float32))
    with pytest.raises(ValueError, match="out has shape"):
        cact.softmax_grad(x, out=np.empty((3, 4)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape, axis", [((3, 5), 1), ((3, 5), -1), ((2, 4, 3), 1), ((2, 3, 4), -1),
                                         ((70, 16, 20), 1), ((4, 1, 3), 1), ((5, 7), 0)])
def test_prelu_fast_path_matches_the_general_path(dtype, shape, axis):
    # an ndarray alpha on C-contiguous x takes the kernels' fast path; a list takes the general one
    rng = np.random.default_rng(9)
    x = rng.standard_normal(shape).astype(dtype)
    g = rng.standard_normal(shape).astype(dtype)
    for alpha_dtype in (np.float64, np.float32):
        alpha = rng.uniform(-1, 1, shape[axis]).astype(alpha_dtype)
        np.testing.assert_array_equal(cact.prelu(x, alpha, axis=axis), cact.prelu(x, alpha.tolist(), axis=axis))
        gx, ga = cact.prelu_grad(x, alpha, axis=axis, grad_output=g)
        gx2, ga2 = cact.prelu_grad(x, alpha.tolist(), axis=axis, grad_output=g)
        np.testing.assert_array_equal(gx, gx2)
        np.testing.assert_array_equal(ga, ga2)
        assert gx.dtype == ga.dtype == np.dtype(dtype) and ga.shape == alpha.shape


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(16,), (3, 5), (2, 40000), (70000,)])
def test_prelu_one_slope_fast_paths_match_the_general_path(dtype, shape):
    # a float, an int or a one-element array takes the one-slope fast paths (leaky_relu's kernels
    # forward; the one-slope backward in blocks); a list of one takes the checked path
    rng = np.random.default_rng(19)
    x = rng.standard_normal(shape).astype(dtype)
    g = rng.standard_normal(shape).astype(dtype)
    ref = cact.prelu(x, [0.375])
    gx_ref, ga_ref = cact.prelu_grad(x, [0.375], grad_output=g)
    for alpha in (0.375, np.array([0.375]), np.array([0.375], np.float32), np.array(0.375)):
        np.testing.assert_array_equal(cact.prelu(x, alpha), ref)
        out = np.empty_like(x)
        assert cact.prelu(x, alpha, out=out) is out
        np.testing.assert_array_equal(out, ref)
        gx, ga = cact.prelu_grad(x, alpha, grad_output=g)
        np.testing.assert_array_equal(gx, gx_ref)
        assert np.shape(ga) == np.shape(alpha) and ga.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(np.ravel(ga), ga_ref)
    gx, ga = cact.prelu_grad(x, 2)   # an int slope, no grad_output
    np.testing.assert_array_equal(gx, np.where(x > 0, 1, 2).astype(dtype))
    np.testing.assert_allclose(ga, np.minimum(x, 0).sum(dtype=np.float64), rtol=1e-6)
    for bad in (np.nan, np.inf, np.array([np.inf]), np.array([np.nan], np.float32)):
        with pytest.raises(ValueError, match="alpha"):
            cact.prelu(x, bad)
        with pytest.raises(ValueError, match="alpha"):
            cact.prelu_grad(x, bad, grad_output=g)
    with pytest.raises(TypeError, match="alpha"):
        cact.prelu(x, np.array([True]))


def test_prelu_grad_alpha_beyond_float32_is_inf_on_both_paths_without_warnings():
    # the float64 sums of g * x over a channel exceed float32's range: rounded once, to inf
    x = np.full((4, 2), -3e38, np.float32)
    g = np.full((4, 2), -1.0, np.float32)
    g[:, 1] = 1e-30
    alpha = np.array([0.5, 0.5], np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, ga = cact.prelu_grad(x, alpha, grad_output=g)              # fast path
        _, ga2 = cact.prelu_grad(x, alpha.tolist(), grad_output=g)    # general path
    expect = np.array([np.inf, np.float32(4 * -3e38 * 1e-30)], np.float32)
    np.testing.assert_array_equal(ga, expect)
    np.testing.assert_array_equal(ga2, expect)


def test_prelu_fast_path_still_rejects_bad_slopes():
    x = np.ones((2, 3), np.float32)
    for bad in (np.array([0.1, np.nan, 0.2]), np.array([0.1, np.inf, 0.2], np.float32)):
        with pytest.raises(ValueError, match="alpha"):
            cact.prelu(x, bad)
        with pytest.raises(ValueError, match="alpha"):
            cact.prelu_grad(x, bad, grad_output=x)
    with pytest.raises(ValueError, match="alpha"):
        cact.prelu(x, np.array([0.1, 0.2]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_and_prelu_write_out_directly_or_in_place(dtype):
    rng = np.random.default_rng(12)
    x = rng.standard_normal((6, 40)).astype(dtype)
    a = rng.uniform(0, 0.5, 40)
    for f in (lambda v, **kw: cact.softmax(v, **kw), lambda v, **kw: cact.prelu(v, a, axis=-1, **kw)):
        expected = f(x)
        out = np.empty_like(x)
        assert f(x, out=out) is out
        np.testing.assert_array_equal(out, expected)
        y = x.copy()
        assert f(y, out=y) is y
        np.testing.assert_array_equal(y, expected)
        shifted = np.empty(x.size + 1, dtype)           # overlaps x, not element for element
        xs, outs = shifted[1:].reshape(x.shape), shifted[:-1].reshape(x.shape)
        xs[...] = x
        f(xs, out=outs)
        np.testing.assert_array_equal(outs, expected)


NAN_BITS = {np.float64: [0x7FF8000000000000, 0xFFF8000000000000, 0x7FF0000000000001, 0xFFF0000000000FFF,
                         0x7FF80000DEADBEEF, 0x7FFFFFFFFFFFFFFF],
            np.float32: [0x7FC00000, 0xFFC00000, 0x7F800001, 0xFF800FFF, 0x7FC0BEEF, 0x7FFFFFFF]}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_nans_with_any_payload_stay_nan(dtype):
    # cact builds 2^k from integer bits; a NaN's payload must never turn into a number
    uint = np.uint64 if dtype is np.float64 else np.uint32
    nans = np.array(NAN_BITS[dtype], dtype=uint).view(dtype)
    x = np.concatenate([nans, np.linspace(-3, 3, 10).astype(dtype)])   # vector and tail lanes
    for n in (len(nans), x.size):
        v = x[:n]
        calls = [cact.sigmoid(v), cact.sigmoid_grad(v), cact.sigmoid_grad(v, grad_output=np.ones_like(v)),
                 cact.elu(v), cact.elu_grad(v), cact.gelu(v), cact.gelu_grad(v), cact.gelu(v, "none"),
                 cact.gelu_grad(v, "none"), cact.relu(v), cact.relu_grad(v), cact.leaky_relu(v, 0.1),
                 cact.leaky_relu_grad(v, 0.1), cact.prelu(v, 0.2)]
        for y in calls:
            assert np.isnan(y[: len(nans)]).all()
        assert np.isnan(cact.softmax(v)).all()
        assert np.isnan(cact.softmax_grad(v, grad_output=np.ones_like(v))).all()


def test_gelu_grad_float64_same_bits_in_every_layout_and_in_place():
    # contiguous, strided and in-place float64 gelu_grad take different loops: the same bits,
    # across the series/formula boundaries (root -0.7525 +- 0.35)
    rng = np.random.default_rng(13)
    x = np.concatenate([rng.standard_normal(3000) * 3, np.linspace(-6.5, 0.5, 3001), [np.nan, -np.inf, np.inf]])
    g = rng.standard_normal(x.size)
    wide = np.empty(2 * x.size)
    wide[::2] = x
    for gout in (None, g):
        kw = {} if gout is None else {"grad_output": gout}
        contiguous = cact.gelu_grad(x, **kw)
        strided = cact.gelu_grad(wide[::2], **kw)
        np.testing.assert_array_equal(contiguous, strided)
        y = x.copy()
        cact.gelu_grad(y, **kw, out=y)
        np.testing.assert_array_equal(y, contiguous)
    gg = g.copy()
    cact.gelu_grad(x, grad_output=gg, out=gg)
    np.testing.assert_array_equal(gg, cact.gelu_grad(x, grad_output=g))


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_large_softmax_calls_give_the_bits_of_small_ones(dt):
    # large calls (8 MB) split the rows among the threads: the same bits as small calls, for rows that start at any alignment, in place too
    rng = np.random.default_rng(17)
    K = 1001
    rows = (8 << 20) // (K * np.dtype(dt).itemsize) + 5
    x = np.empty(rows * K + 1, dt)[1:].reshape(rows, K)
    x[...] = rng.standard_normal(x.shape) * 3
    x[::7, 5] = -np.inf
    chunks = np.concatenate([cact.softmax(x[i:i + 100]) for i in range(0, rows, 100)])
    np.testing.assert_array_equal(cact.softmax(x), chunks)
    g = rng.standard_normal(x.shape).astype(dt)
    back = np.concatenate([cact.softmax_grad(y=chunks[i:i + 100], grad_output=g[i:i + 100]) for i in range(0, rows, 100)])
    np.testing.assert_array_equal(cact.softmax_grad(y=chunks, grad_output=g), back)
    out = np.empty(x.size + 1, dt)[1:].reshape(x.shape)
    np.testing.assert_array_equal(cact.softmax_grad(y=chunks, grad_output=g, out=out), back)
    cact.softmax(x, out=x)
    np.testing.assert_array_equal(x, chunks)
    cact.softmax_grad(y=x, grad_output=g, out=g)
    np.testing.assert_array_equal(g, back)


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_grad_output_and_out_in_another_byte_order_than_x(elementwise_grad, dt):
    # x native with grad_output or out byte-swapped: the values, not the bytes, are used
    _, g, kw = elementwise_grad
    x = (RNG.standard_normal(300) * 3).astype(dt)
    go = RNG.standard_normal(300).astype(dt)
    swapped = go.astype(go.dtype.newbyteorder())
    np.testing.assert_array_equal(g(x, grad_output=swapped, **kw), g(x, grad_output=go, **kw))
    out = np.empty(300, x.dtype.newbyteorder())
    assert g(x, grad_output=go, out=out, **kw) is out
    np.testing.assert_array_equal(out, g(x, grad_output=go, **kw))


@pytest.mark.parametrize("shift", [1, -1, 7])
@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_out_overlapping_x_or_grad_output_in_part(forward, elementwise_grad, shift, dt):
    # out a shifted view of the same buffer as x (or grad_output): the result is f of x as it was
    buf = (RNG.standard_normal(1000 + 8) * 3).astype(dt)
    x = buf[8:1008] if shift < 0 else buf[:1000]
    out = buf[8 + shift:1008 + shift] if shift < 0 else buf[shift:1000 + shift]
    expected = call_fwd(forward, x.copy())
    assert call_fwd(forward, x, out=out) is out
    np.testing.assert_array_equal(out, expected)
    _, g, kw = elementwise_grad
    base = (RNG.standard_normal(1000 + 8) * 3).astype(dt)
    xs = base[:1000].copy()
    go = base[:1000]
    out = base[shift:1000 + shift] if shift > 0 else base[8 + shift:1008 + shift]
    if shift < 0:
        go = base[8:1008]
    expected = g(xs, grad_output=go.copy(), **kw)
    assert g(xs, grad_output=go, out=out, **kw) is out
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_out_overlapping_x_in_part_on_the_row_and_channel_fast_paths(dt):
    buf = (RNG.standard_normal(40 * 25 + 25) * 3).astype(dt)
    x = buf[:1000].reshape(40, 25)
    alpha = np.linspace(0.1, 0.5, 25).astype(dt)
    for f, kw in ((cact.softmax, {}), (cact.prelu, {"alpha": alpha, "axis": -1})):
        for shift in (1, 25):
            out = buf[shift:1000 + shift].reshape(40, 25)
            keep = buf.copy()
            expected = f(x.copy(), **kw)
            assert f(x, out=out, **kw) is out
            np.testing.assert_array_equal(out, expected, err_msg=f"{f.__name__} shift {shift}")
            buf[...] = keep


@pytest.mark.parametrize("from_y", [False, True])
@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_softmax_grad_out_that_is_or_overlaps_its_inputs(from_y, dt):
    # out= x (or y) itself, grad_output itself, or a view shifted by one element or one row of
    # either: the result is the product of the inputs as they were
    rng = np.random.default_rng(13)
    for which in ("src", "g"):
        for shift in (0, 1, 25):
            buf = rng.standard_normal(40 * 25 + 25).astype(dt)
            other = rng.standard_normal((40, 25)).astype(dt)
            a = buf[:1000].reshape(40, 25)
            if from_y:
                a[...] = cact.softmax(a)
            src, g = (a, other) if which == "src" else (other, a)
            if from_y and which == "g":
                src = cact.softmax(src)
            kw = {"y": src} if from_y else {"x": src}
            expected = cact.softmax_grad(grad_output=g.copy(), **{k: v.copy() for k, v in kw.items()})
            out = buf[shift:1000 + shift].reshape(40, 25)
            assert cact.softmax_grad(grad_output=g, out=out, **kw) is out
            np.testing.assert_array_equal(out, expected, err_msg=f"{which} shift {shift}")
