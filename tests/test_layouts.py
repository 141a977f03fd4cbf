"""Arrays of any layout take the any-layout kernels (nd_plan in cact/kernels/_core.pyx.tp): the same
bits as the contiguous call, at sizes where rows are cut into tasks and buffers, threaded or not."""
import numpy as np
import pytest

import cact
from cact import _dispatch
from conftest import ELEMENTWISE

RNG = np.random.default_rng(21)
K = _dispatch.kernels
KI = {k.name: i for i, k in enumerate(_dispatch.KERNELS)}


def _views(base):
    """(label, view) of a (64, 600) C-contiguous array"""
    return [
        ("rows step 2", base[::2]),
        ("columns step 3", base[:, ::3]),
        ("reversed columns", base[:, ::-1]),
        ("both reversed", base[::-2, ::-1]),
        ("transposed", base.T),
        ("3-d permuted", base.reshape(16, 4, 600).transpose(2, 0, 1)),
        ("4-d with ones", base.reshape(64, 1, 600, 1)[:, :, ::2]),
        ("one long strided row", base.reshape(-1)[::3]),
        ("zero strides", np.broadcast_to(base[:1], base.shape)),
    ]


@pytest.fixture(params=[1, 2], ids=["1 thread", "2 threads"])
def threads(request):
    before = cact.get_num_threads()
    cact.set_num_threads(request.param)
    yield request.param
    cact.set_num_threads(before)


@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_any_layout_gives_the_bits_of_the_contiguous_call(name, dt, threads):
    f, fg, kw = ELEMENTWISE[name]
    base = (RNG.standard_normal((64, 600)) * 4).astype(dt)
    for label, x in _views(base):
        xc = np.ascontiguousarray(x)
        g = RNG.standard_normal(x.shape).astype(dt)[..., ::-1]   # g in a layout of its own
        gc = np.ascontiguousarray(g)
        np.testing.assert_array_equal(f(x, **kw), f(xc, **kw), err_msg=label)
        np.testing.assert_array_equal(fg(x, **kw), fg(xc, **kw), err_msg=label)
        np.testing.assert_array_equal(fg(x, grad_output=g, **kw), fg(xc, grad_output=gc, **kw), err_msg=label)
        out = np.full(x.shape[::-1], np.nan, dt).T            # out in yet another layout
        assert f(x, out=out, **kw) is out
        np.testing.assert_array_equal(out, f(xc, **kw), err_msg=label)


@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_in_place_on_a_strided_view(name, dt, threads):
    f, fg, kw = ELEMENTWISE[name]
    base = (RNG.standard_normal((40, 3000)) * 4).astype(dt)
    keep = base.copy()
    view = base[::2, ::-3]
    expected = f(np.ascontiguousarray(view), **kw)
    assert f(view, out=view, **kw) is view
    np.testing.assert_array_equal(view, expected)
    untouched = np.ones(base.shape, bool)
    untouched[::2, ::-3] = False
    np.testing.assert_array_equal(base[untouched], keep[untouched])
    g = keep[1::2, ::3].copy()
    expected = fg(keep[::2, ::-3], grad_output=g, **kw)
    view[...] = keep[::2, ::-3]
    fg(view, grad_output=g, out=view, **kw)
    np.testing.assert_array_equal(view, expected)


@pytest.mark.parametrize("slope", [0.2, 1e30, 3e-39])
def test_leaky_relu_slopes_that_need_the_double_functions_on_any_layout(slope, threads):
    x = (RNG.standard_normal((50, 900)) * 4).astype(np.float32)[:, ::-2]
    xc = np.ascontiguousarray(x)
    g = RNG.standard_normal(x.shape).astype(np.float32)
    np.testing.assert_array_equal(cact.leaky_relu(x, alpha=slope), cact.leaky_relu(xc, alpha=slope))
    np.testing.assert_array_equal(cact.leaky_relu_grad(x, alpha=slope, grad_output=g),
                                  cact.leaky_relu_grad(xc, alpha=slope, grad_output=g))


def test_the_any_layout_kernel_takes_these_views_and_declines_unaligned_arrays():
    base = RNG.standard_normal((64, 600)).astype(np.float32)
    for label, x in _views(base):
        y = np.empty(x.shape, np.float32)
        assert K.ew_nd(KI["sigmoid"], 0, x, None, y, 0.0, 0.0) is True, label
        np.testing.assert_array_equal(y, cact.sigmoid(np.ascontiguousarray(x)))
    x = _unaligned(np.linspace(-5, 5, 1000, dtype=np.float32))
    y = np.empty(1000, np.float32)
    assert K.ew_nd(KI["sigmoid"], 0, x, None, y, 0.0, 0.0) is False
    assert K.ew_contig(KI["sigmoid"], 0, x, None, y, 0.0, 0.0) is False
    assert K.ew_nd(KI["sigmoid"], 0, base, None, np.empty((64, 600), np.float64), 0.0, 0.0) is False
    assert K.ew_nd(KI["sigmoid"], 0, base, None, np.empty((600, 64), np.float32), 0.0, 0.0) is False
    readonly = np.empty((64, 600), np.float32)
    readonly.flags.writeable = False
    assert K.ew_nd(KI["sigmoid"], 0, base, None, readonly, 0.0, 0.0) is False


@pytest.mark.parametrize("shape", [(0, 5), (5, 0), (1, 1), (1,), (3, 1, 0)])
def test_empty_and_single_element_views(shape):
    x = np.ones(shape, np.float64)
    view = np.moveaxis(x, 0, -1)
    y = np.empty(view.shape)
    assert K.ew_nd(KI["relu"], 0, view, None, y, 0.0, 0.0) is True
    np.testing.assert_array_equal(y, np.maximum(view, 0))


# ---- softmax along any axis of any layout -------------------------------------------------------

def _softmax_reference(x, axis):
    """softmax of a C-contiguous copy with `axis` moved last: the contiguous rows' bits"""
    moved = np.ascontiguousarray(np.moveaxis(x, axis, -1))
    return np.moveaxis(cact.softmax(moved), -1, axis)


def _softmax_cases(dt):
    """(label, base array, view of it, axis)"""
    rng = np.random.default_rng(5)
    nchw = (rng.standard_normal((2, 21, 8, 40)) * 4).astype(dt)
    nchw[0, :, 3, 5] = -np.inf          # a column all -inf: NaN
    nchw[1, 4, 2, 7] = np.nan           # a column with a NaN: NaN
    nchw[1, 6, 0, 9] = np.inf           # +inf: NaN (inf - inf)
    nchw[0, 2:9, 1, 1] = -np.inf        # a few -inf: exactly 0 there
    nchw[1, :, 5, 33] += 1e4            # a large max: still finite
    wide = (rng.standard_normal((37, 1003)) * 4).astype(dt)
    return [
        ("NCHW channels", nchw, lambda a: a, 1),
        ("NCHW, a tile of 3 columns", nchw, lambda a: a[..., :35], 1),
        ("C order, axis 0", wide, lambda a: a, 0),
        ("transposed, last axis", wide, lambda a: a.T, -1),
        ("every other row", wide, lambda a: a[::2], -1),
        ("every other column (gathered rows)", wide, lambda a: a[:, ::2], -1),
        ("reversed softmax axis", wide, lambda a: a[:, ::-1], -1),
        ("reversed, axis 0", wide, lambda a: a[::-1], 0),
        ("4-d permuted", nchw, lambda a: a.transpose(0, 2, 1, 3), -1),
        ("4-d permuted, axis 2", nchw, lambda a: a.transpose(0, 2, 1, 3), 2),
    ]


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_softmax_on_any_layout_and_axis_gives_the_bits_of_contiguous_rows(dt, threads):
    for label, base, view, axis in _softmax_cases(dt):
        x = view(base)
        with np.errstate(invalid="ignore"):
            expected = _softmax_reference(x, axis)
        np.testing.assert_array_equal(cact.softmax(x, axis=axis), expected, err_msg=label)
        out = np.full(x.shape[::-1], 7, dt).T                 # out in the other order
        assert cact.softmax(x, axis=axis, out=out) is out
        np.testing.assert_array_equal(out, expected, err_msg=label)
        inplace = view(base.copy())                           # in place, on the same view
        assert cact.softmax(inplace, axis=axis, out=inplace) is inplace
        np.testing.assert_array_equal(inplace, expected, err_msg=label)


def test_softmax_any_layout_kernel_declines_what_it_cannot_plan():
    x = np.ones((4, 5), np.float32)
    assert K.softmax_fwd_nd_f32(x.T, np.empty((5, 4), np.float32), 0) is True
    assert K.softmax_fwd_nd_f32(x, np.empty((4, 5), np.float64), 1) is False
    assert K.softmax_fwd_nd_f32(x, np.empty((5, 4), np.float32), 1) is False
    assert K.softmax_fwd_nd_f32(x, np.empty((4, 5), np.float32), 2) is False


def _softmax_grad_reference(src, g, axis, from_y):
    moved = np.ascontiguousarray(np.moveaxis(src, axis, -1))
    gm = np.ascontiguousarray(np.moveaxis(g, axis, -1))
    r = cact.softmax_grad(y=moved, grad_output=gm) if from_y else cact.softmax_grad(moved, grad_output=gm)
    return np.moveaxis(r, -1, axis)


@pytest.mark.parametrize("from_y", [False, True], ids=["from x", "from y"])
@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_softmax_backward_on_any_layout_and_axis_gives_the_bits_of_contiguous_rows(dt, from_y, threads):
    rng = np.random.default_rng(8)
    for label, base, view, axis in _softmax_cases(dt):
        x = view(base)
        with np.errstate(invalid="ignore"):
            src = cact.softmax(x, axis=axis) if from_y else x
        g = rng.standard_normal(x.shape[::-1]).astype(dt).T          # g in yet another order
        kw = {"y": src} if from_y else {"x": src}
        with np.errstate(invalid="ignore"):
            expected = _softmax_grad_reference(src, g, axis, from_y)
            np.testing.assert_array_equal(cact.softmax_grad(**kw, grad_output=g, axis=axis), expected, err_msg=label)
            out = np.full(x.shape, 7, dt)
            assert cact.softmax_grad(**kw, grad_output=g, axis=axis, out=out) is out
            np.testing.assert_array_equal(out, expected, err_msg=label)
            # in place into grad_output, on the same view of a copy of its base
            gbase = np.ascontiguousarray(base.copy())
            gbase[...] = rng.standard_normal(base.shape)
            gv = view(gbase)
            expected = _softmax_grad_reference(src, gv.copy(), axis, from_y)
            assert cact.softmax_grad(**kw, grad_output=gv, axis=axis, out=gv) is gv
            np.testing.assert_array_equal(gv, expected, err_msg=label)


def _unaligned(a):
    """a copy of `a` one byte off its dtype's alignment (as np.frombuffer at an odd offset gives)"""
    raw = np.zeros(a.nbytes + 1, np.uint8)
    u = np.frombuffer(raw.data[1:], a.dtype).reshape(a.shape)
    u[...] = a
    assert not u.flags.aligned
    return u


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_unaligned_arrays_give_the_results_of_aligned_ones(dt):
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((30, 64)) * 3).astype(dt)
    g = rng.standard_normal(x.shape).astype(dt)
    alpha = rng.uniform(0, 0.5, 64).astype(dt)
    xu, gu = _unaligned(x), _unaligned(g)
    for name, (f, fg, kw) in ELEMENTWISE.items():
        np.testing.assert_array_equal(f(xu, **kw), f(x, **kw), err_msg=name)
        np.testing.assert_array_equal(fg(xu, grad_output=gu, **kw), fg(x, grad_output=g, **kw), err_msg=name)
        out = _unaligned(np.zeros_like(x))
        assert f(xu, out=out, **kw) is out
        np.testing.assert_array_equal(out, f(x, **kw), err_msg=name)
    for axis in (-1, 0):
        np.testing.assert_array_equal(cact.softmax(xu, axis=axis), cact.softmax(x, axis=axis))
        out = _unaligned(np.zeros_like(x))
        assert cact.softmax(xu, axis=axis, out=out) is out
        np.testing.assert_array_equal(out, cact.softmax(x, axis=axis))
        np.testing.assert_array_equal(cact.softmax_grad(xu, axis=axis, grad_output=gu),
                                      cact.softmax_grad(x, axis=axis, grad_output=g))
        np.testing.assert_array_equal(cact.softmax_grad(y=xu, axis=axis, grad_output=gu),
                                      cact.softmax_grad(y=x, axis=axis, grad_output=g))
    np.testing.assert_array_equal(cact.prelu(xu, _unaligned(alpha)), cact.prelu(x, alpha))
    out = _unaligned(np.zeros_like(x))
    assert cact.prelu(xu, _unaligned(alpha), out=out) is out
    np.testing.assert_array_equal(out, cact.prelu(x, alpha))
    for a, b in zip(cact.prelu_grad(xu, _unaligned(alpha), grad_output=gu), cact.prelu_grad(x, alpha, grad_output=g)):
        np.testing.assert_array_equal(a, b)


def test_softmax_down_a_very_long_strided_axis_gathers_rows_instead_of_tiles():
    # K x 16 column tiles beyond 2 MB per thread: the rows are gathered (a K-element buffer each)
    x = np.random.default_rng(4).standard_normal((40000, 5)).astype(np.float32)
    g = np.random.default_rng(5).standard_normal(x.shape).astype(np.float32)
    np.testing.assert_array_equal(cact.softmax(x, axis=0), _softmax_reference(x, 0))
    y = cact.softmax(x, axis=0)
    np.testing.assert_array_equal(cact.softmax_grad(y=y, grad_output=g, axis=0), _softmax_grad_reference(y, g, 0, True))


@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("K", [1000, 20000, 70000])
def test_softmax_on_large_arrays_gives_the_bits_of_each_row_alone(dt, K, threads):
    # from 2 MB the row kernels prefetch the next row (rows of up to 256 KB; 70000 float32 is
    # 280 KB: none): the same bits as each row on its own, with -inf, NaN and a large max in some
    rows = max(3, (3 << 20) // (K * np.dtype(dt).itemsize))
    rng = np.random.default_rng(K)
    x = (rng.standard_normal((rows, K)) * 4).astype(dt)
    g = rng.standard_normal(x.shape).astype(dt)
    x[0, 5:900] = -np.inf
    x[1, 7] = np.nan
    x[2] += 1e4
    y, gx = cact.softmax(x), cact.softmax_grad(x, grad_output=g)
    for i in range(rows):
        np.testing.assert_array_equal(y[i], cact.softmax(x[i]))
        np.testing.assert_array_equal(gx[i], cact.softmax_grad(x[i], grad_output=g[i]))
    out = np.full_like(x, np.nan)
    assert cact.softmax(x, out=out) is out
    np.testing.assert_array_equal(out, y)


@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("K", [1, 2, 3, 7, 12, 13, 16, 28, 29])
def test_short_rows_in_tiles_give_the_bits_of_the_row_kernels(dt, K, threads):
    # rows of at most 12 (AVX-512: 28) run 16 at a time as the columns of a tile (37 rows: a
    # partial last tile);
    # every other row of a larger array runs the row kernel itself (the any-layout path)
    rng = np.random.default_rng(K)
    wide = (rng.standard_normal((74, K)) * 4).astype(dt)
    gw = rng.standard_normal(wide.shape).astype(dt)
    wide[0, 0] = -np.inf
    wide[2, -1] = np.nan
    wide[4] += 1e4
    wide[6] = -np.inf
    x, g = np.ascontiguousarray(wide[::2]), np.ascontiguousarray(gw[::2])
    y = cact.softmax(x)
    np.testing.assert_array_equal(y, cact.softmax(wide[::2]))
    np.testing.assert_array_equal(cact.softmax_grad(x, grad_output=g), cact.softmax_grad(wide[::2], grad_output=gw[::2]))
    with np.errstate(invalid="ignore"):
        e = np.exp(x.astype(np.float64) - x.max(axis=1, keepdims=True).astype(np.float64))
        np.testing.assert_allclose(y, e / e.sum(axis=1, keepdims=True), rtol=1e-5 if dt == np.float32 else 1e-13)
    out = x.copy()   # in place
    assert cact.softmax(out, out=out) is out
    np.testing.assert_array_equal(out, y)


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_contiguous_calls_at_every_offset_from_a_cache_line(dt, threads):
    # the contiguous loops start their vector loop at the first 64-byte-aligned element of the
    # output and cut the threads' pieces at whole lines: every element is written once, whatever
    # the head (0 to 15 elements) and at sizes around the head's threshold and the serial one
    rng = np.random.default_rng(8)
    big = (rng.standard_normal(70100) * 4).astype(dt)
    gbig = rng.standard_normal(big.shape).astype(dt)
    ybig = cact.sigmoid(big)
    step = 64 // big.itemsize
    for name, (f, fg, kw) in ELEMENTWISE.items():
        full, grad, bwd = f(big, **kw), fg(big, **kw), fg(big, grad_output=gbig, **kw)
        for n in (255, 256, 257, 1000, 70000):
            for k in range(step + 1):
                s = slice(k, k + n)
                label = f"{name} n={n} offset={k}"
                np.testing.assert_array_equal(f(big[s], **kw), full[s], err_msg=label)
                np.testing.assert_array_equal(fg(big[s], **kw), grad[s], err_msg=label)
                np.testing.assert_array_equal(fg(big[s], grad_output=gbig[s], **kw), bwd[s], err_msg=label)
                buf = np.full(big.shape, np.nan, dt)
                assert f(big[s], out=buf[s], **kw) is not None
                np.testing.assert_array_equal(buf[s], full[s], err_msg=label)
                assert np.isnan(buf[:k]).all() and np.isnan(buf[k + n:]).all(), label
    from_y = cact.sigmoid_grad(y=ybig, grad_output=gbig)
    for n in (257, 70000):
        for k in range(step + 1):
            s = slice(k, k + n)
            np.testing.assert_array_equal(cact.sigmoid_grad(y=ybig[s], grad_output=gbig[s]), from_y[s],
                                          err_msg=f"sigmoid from y n={n} offset={k}")


@pytest.mark.parametrize("team", [3, 5, 64, 100])
def test_threads_taking_chunks_of_each_others_pieces(team):
    # compute-bound loops hand their pieces out in chunks (_steal.h): more threads than cores, a
    # team past CACT_MAX_TEAM, sizes that leave short pieces: every element once, the same bits
    before = cact.get_num_threads()
    rng = np.random.default_rng(12)
    big = (rng.standard_normal(300_100) * 4).astype(np.float32)
    g = rng.standard_normal(big.shape).astype(np.float32)
    cact.set_num_threads(1)
    ref = {name: (f(big, **kw), fg(big, grad_output=g, **kw)) for name, (f, fg, kw) in ELEMENTWISE.items()}
    try:
        cact.set_num_threads(team)
        for name, (f, fg, kw) in ELEMENTWISE.items():
            for n, k in ((300_000, 0), (70_001, 3), (9000, 5), (300_000, 100)):
                s = slice(k, k + n)
                out = np.full(n, np.nan, np.float32)
                assert f(big[s], out=out, **kw) is out
                np.testing.assert_array_equal(out, ref[name][0][s], err_msg=f"{name} {n} {k}")
                np.testing.assert_array_equal(fg(big[s], grad_output=g[s], **kw), ref[name][1][s], err_msg=name)
    finally:
        cact.set_num_threads(before)


@pytest.mark.parametrize("C", [1, 3, 64, 100, 128, 129, 300])
def test_prelu_channels_last_at_every_offset_from_a_cache_line(C, threads):
    # channels-last prelu runs its blocks as one stream from the output's first aligned element,
    # the slopes' pattern shifted to match: each column the bits of leaky_relu with its slope,
    # whatever the offset, rows and threads
    rng = np.random.default_rng(C)
    alpha = rng.uniform(-0.5, 0.5, C).astype(np.float32)
    if C % 2:   # a slope outside the float pairs' range: every block in double
        alpha[C // 2] = 1e30
    for rows in (1, 7, 300, 2000):
        buf = (rng.standard_normal(rows * C + 16) * 3).astype(np.float32)
        for k in range(17):
            x = buf[k:k + rows * C].reshape(rows, C)
            exact = np.stack([cact.leaky_relu(np.ascontiguousarray(x[:, c]), float(alpha[c]))
                              for c in range(C)], axis=1)
            out = np.full((rows, C), np.nan, np.float32)
            assert cact.prelu(x, alpha, axis=1, out=out) is out
            np.testing.assert_array_equal(out, exact, err_msg=f"C={C} rows={rows} offset={k}")
            np.testing.assert_array_equal(cact.prelu(x, alpha, axis=1), exact)   # a new result


@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_results_do_not_depend_on_position_or_aliasing(name, dt, threads):
    # Kernels that treat rare lanes apart (the AVX-512 float32 tables gather lanes outside their
    # range into a buffer, a chunk at a time) must give every element the bits it gets anywhere
    # else: shuffled, in place into x or g, in chunks and tails of every length. Heavy tails,
    # infinities and NaN make such lanes common here.
    f, fg, kw = ELEMENTWISE[name]
    x = np.concatenate([RNG.standard_normal(5000) * 9, RNG.standard_normal(3000) * 2,
                        np.linspace(-25, 25, 2001), [np.nan, -np.inf, np.inf, -0.0, 0.0]]).astype(dt)
    g = RNG.standard_normal(x.size).astype(dt)
    perm = RNG.permutation(x.size)
    for op in (lambda v, **o: f(v, **kw, **o), lambda v, **o: fg(v, **kw, **o),
               lambda v, **o: fg(v, grad_output=g, **kw, **o)):
        xs = x.copy()   # in place into x
        assert op(xs, out=xs) is xs
        np.testing.assert_array_equal(xs, op(x))
    # shuffled (the backward's g shuffled with x), and into g itself
    np.testing.assert_array_equal(f(x[perm], **kw), f(x, **kw)[perm])
    np.testing.assert_array_equal(fg(x[perm], **kw), fg(x, **kw)[perm])
    np.testing.assert_array_equal(fg(x[perm], grad_output=g[perm], **kw), fg(x, grad_output=g, **kw)[perm])
    gs = g.copy()
    assert fg(x, grad_output=gs, out=gs, **kw) is gs
    np.testing.assert_array_equal(gs, fg(x, grad_output=g, **kw))
    for n in (1, 15, 17, 1023, 1025, 2049):   # lengths around the vectors and chunks
        np.testing.assert_array_equal(f(x[:n], **kw), f(x, **kw)[:n])
        np.testing.assert_array_equal(fg(x[-n:], grad_output=g[-n:], **kw), fg(x, grad_output=g, **kw)[-n:])
