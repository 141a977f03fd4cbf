"""cact inside other people's servers and training loops: threads, forks, leaks, hostile inputs."""
import concurrent.futures
import multiprocessing
import os
import sys
import threading

import numpy as np
import pytest

import cact
from cact import _registry as registry
from conftest import ALL, ELEMENTWISE, at_offset

RNG = np.random.default_rng(30)


def _large_calls(y):
    return [
        cact.gelu(y),
        cact.softmax(y.reshape(-1, 1000)),
        cact.sigmoid_grad(y[::2], grad_output=y[1::2]),
        cact.prelu_grad(y.reshape(-1, 4, 1000), np.ones(4), grad_output=y.reshape(-1, 4, 1000))[1],
        cact.elu(y, out=np.empty_like(y)),
    ]


# ---- fork safety ------------------------------------------------------------------------------

def _child_work(queue):
    y = np.linspace(-5, 5, 2_000_000)
    queue.put([float(np.sum(r)) for r in _large_calls(y)] + [cact.get_num_threads()])


@pytest.mark.skipif(sys.platform == "win32" or "fork" not in multiprocessing.get_all_start_methods(),
                    reason="needs fork")
def test_forked_child_can_use_cact_after_the_parent_used_its_threads():
    y = np.linspace(-5, 5, 2_000_000)
    expected = [float(np.sum(r)) for r in _large_calls(y)]  # the parent starts its OpenMP team
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child_work, args=(queue,))
    child.start()
    child.join(60)
    if child.is_alive():
        child.kill()
        pytest.fail("the forked child hung in cact")
    assert child.exitcode == 0
    got = queue.get(timeout=5)
    assert got[-1] == 1  # the child runs serially: libgomp's pool does not survive fork
    np.testing.assert_allclose(got[:-1], expected, rtol=1e-12)


# ---- concurrency ------------------------------------------------------------------------------

def test_many_python_threads_get_bit_identical_results():
    inputs = [RNG.standard_normal(300_000) * 4 for _ in range(8)]
    serial = [_large_calls(x) for x in inputs]
    results = [None] * len(inputs)

    def run(i):
        for _ in range(3):
            results[i] = _large_calls(inputs[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(inputs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for got, want in zip(results, serial):
        for a, b in zip(got, want):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("call", [
    lambda x: cact.gelu(x), lambda x: cact.softmax(x.reshape(-1, 1000)),
    lambda x: cact.prelu(x.reshape(-1, 8, 1000), np.ones(8)), lambda x: cact.sigmoid(x[::2]),
    lambda x: cact.softmax_grad(x[:2_000_000].reshape(-1, 1000), grad_output=x[:2_000_000].reshape(-1, 1000)),
], ids=["elementwise", "softmax", "prelu", "strided", "softmax_vjp"])
def test_kernels_release_the_gil(call):
    # While a long kernel runs in this thread, a pure-Python thread keeps counting: it could not
    # if the kernel held the GIL (it would get the GIL only after the call returned).
    x = np.linspace(-3, 3, 8_000_000)
    count = [0]
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            count[0] += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        while count[0] == 0:
            pass
        before = count[0]
        for _ in range(3):
            call(x)
        during = count[0] - before
    finally:
        stop.set()
        t.join()
    assert during > 1000


# ---- thread control -------------------------------------------------------------------------------

def test_threadpoolctl_sees_and_limits_cacts_openmp():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    if not cact._core.openmp_enabled():
        pytest.skip("built without OpenMP")
    cact.gelu(np.zeros(1 << 20))
    apis = {info["internal_api"] for info in threadpoolctl.threadpool_info()}
    assert "openmp" in apis
    before = cact.get_num_threads()
    with threadpoolctl.threadpool_limits(1, user_api="openmp"):
        assert cact.get_num_threads() == 1
        x = RNG.standard_normal(1_000_000)
        limited = cact.gelu(x)
    assert cact.get_num_threads() == before
    np.testing.assert_array_equal(limited, cact.gelu(x))


def _in_thread(fn):
    out = []
    t = threading.Thread(target=lambda: out.append(fn()))
    t.start()
    t.join()
    return out[0]


def test_set_num_threads_is_process_wide_and_threadpoolctl_caps_per_thread():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    if not cact._core.openmp_enabled():
        pytest.skip("built without OpenMP")
    before = cact.get_num_threads()
    x = RNG.standard_normal(1_000_000)
    try:
        for n in (1, 3, 2):
            cact.set_num_threads(n)
            # another Python thread (its OpenMP setting is the default) reads and uses the same n,
            # also above the number of CPUs
            assert cact.get_num_threads() == n
            assert _in_thread(cact.get_num_threads) == n
            with concurrent.futures.ThreadPoolExecutor(2) as pool:
                assert set(pool.map(lambda _: cact.get_num_threads(), range(4))) == {n}
        # a limit in force in a thread caps that thread's calls only, and never raises n
        cact.set_num_threads(2)
        with threadpoolctl.threadpool_limits(1, user_api="openmp"):
            assert cact.get_num_threads() == 1
            assert _in_thread(cact.get_num_threads) == 2
            limited = cact.gelu(x)

        def limited_in_worker():
            with threadpoolctl.threadpool_limits(1, user_api="openmp"):
                return cact.get_num_threads(), cact.gelu(x)
        n_worker, from_worker = _in_thread(limited_in_worker)
        assert n_worker == 1
        cact.set_num_threads(1)
        with threadpoolctl.threadpool_limits(4, user_api="openmp"):
            assert cact.get_num_threads() == 1
    finally:
        cact.set_num_threads(before)
    np.testing.assert_array_equal(limited, cact.gelu(x))
    np.testing.assert_array_equal(from_worker, limited)


# ---- leaks ------------------------------------------------------------------------------------

def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc (Linux)")
def test_resident_memory_stays_flat_over_1e5_calls_including_errors():
    x = RNG.standard_normal((4, 16)).astype(np.float32)
    g = np.ones_like(x)
    out = np.empty_like(x)
    a = np.full(16, 0.1)

    def batch():
        for name, (f, d, kw) in ALL.items():
            f(x, **kw)
            f(x, out=out, **kw)
            if d is not None:
                d(x, grad_output=g, **kw)
        cact.prelu_grad(x, a, axis=-1, grad_output=g)
        for bad in (lambda: cact.elu(x, alpha="a"), lambda: cact.softmax(x, axis=9),
                    lambda: cact.sigmoid(np.array([1j])), lambda: cact.gelu_grad(x, grad_output=g[:2]),
                    lambda: cact.relu(x, out=out[:2])):
            try:
                bad()
            except (TypeError, ValueError):
                pass

    for _ in range(200):  # warm up caches and allocators
        batch()
    start = _rss_bytes()
    for _ in range(100_000 // 20):  # each batch is about 20 successful and 5 failing calls
        batch()
    grown = _rss_bytes() - start
    assert grown < 8 * 2**20, f"resident memory grew by {grown / 2**20:.1f} MiB"


# ---- hostile inputs --------------------------------------------------------------------------------

HOSTILE_DTYPES = ["complex64", "complex128", "object", "U3", "S3", "datetime64[s]", "timedelta64[s]", "V8"]
if np.finfo(np.longdouble).nmant > 52:
    HOSTILE_DTYPES.append("longdouble")


def _every_call():
    for name, (f, d, kw) in ALL.items():
        yield f"{name}", lambda x, f=f, kw=kw: f(x, **kw)
        if d is not None:
            yield f"{name}_grad", lambda x, d=d, kw=kw: d(x, **kw)
    yield "prelu_grad", lambda x: cact.prelu_grad(x, 0.2)[0]
    for vid, act, kw in registry.variants(("gated",)):   # (their forward halves the last axis)
        f, d = getattr(cact, act.name), getattr(cact, act.name + "_grad")
        yield vid, lambda x, f=f, kw=kw: np.concatenate([f(x, **kw)] * 2, axis=-1)
        yield vid + "_grad", lambda x, d=d, kw=kw: d(x, **kw)


@pytest.mark.parametrize("dtype", HOSTILE_DTYPES)
@pytest.mark.parametrize("name, call", list(_every_call()), ids=[n for n, _ in _every_call()])
def test_every_function_rejects_unsupported_dtypes(name, call, dtype):
    x = np.zeros((2, 3), dtype=dtype)
    with pytest.raises(TypeError, match="dtype"):
        call(x)


@pytest.mark.parametrize("name, call", list(_every_call()), ids=[n for n, _ in _every_call()])
def test_every_function_takes_six_dimensions_and_a_huge_first_axis(name, call):
    x6 = RNG.standard_normal((2, 1, 3, 2, 1, 4))
    assert np.shape(call(x6))[:6] == x6.shape
    tall = RNG.standard_normal((300_000, 2))
    assert np.shape(call(tall))[:2] == tall.shape


@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_byte_swapped_out_receives_the_result(name):
    f, _, kw = ELEMENTWISE[name]
    x = RNG.standard_normal(10)
    out = np.empty(10, dtype=np.dtype(np.float64).newbyteorder())
    f(x, out=out, **kw)
    np.testing.assert_array_equal(out, f(x, **kw))


@pytest.mark.parametrize("alpha, exc", [(np.nan, ValueError), (np.inf, ValueError), (-np.inf, ValueError),
                                        ("0.1", TypeError), (None, TypeError), (True, TypeError),
                                        (np.array([0.1, 0.2]), TypeError), (1 + 1j, TypeError)])
@pytest.mark.parametrize("f", [cact.leaky_relu, cact.leaky_relu_grad, cact.elu, cact.elu_grad])
def test_bad_slopes_raise_naming_alpha(f, alpha, exc):
    out = np.full(3, 5.0)
    with pytest.raises(exc, match="alpha"):
        f(np.ones(3), alpha, out=out)
    assert (out == 5.0).all()


@pytest.mark.parametrize("alpha", [np.array([np.nan, 1.0, 1.0]), np.array([[0.1]] * 3), np.zeros(0), "abc",
                                   np.array(["a", "b", "c"])])
def test_bad_prelu_slopes_raise_naming_alpha(alpha):
    with pytest.raises((TypeError, ValueError), match="alpha"):
        cact.prelu(np.ones((2, 3)), alpha)
    with pytest.raises((TypeError, ValueError), match="alpha"):
        cact.prelu_grad(np.ones((2, 3)), alpha)


def _family_calls(family, g):
    """(function of x, keyword parameters) for every call the registry routes to kernel family
    `family`: forward, derivative and backward step of each variant (from y: its derivatives)"""
    calls = []
    for _, act, kw in registry.variants(("elementwise",)):
        f, fg = getattr(cact, act.name), getattr(cact, act.name + "_grad")
        if registry.kernel_of(act, kw) == family:
            calls += [(f, kw), (fg, kw), (fg, dict(kw, grad_output=g))]
        if act.from_y == family:
            calls += [(lambda v, fg=fg, **k: fg(y=v, **k), kw), (lambda v, fg=fg, **k: fg(y=v, **k), dict(kw, grad_output=g))]
    return calls


def _threshold_cases():
    from cact import _dispatch
    return sorted(_dispatch.get_serial_below())


@pytest.mark.parametrize("family, sfx", _threshold_cases())
def test_serial_and_parallel_loops_agree_bit_for_bit(family, sfx):
    # every kernel has a serial loop and an OpenMP loop (chosen by size); force each in turn
    from cact import _dispatch
    k = _dispatch
    dt = np.float32 if sfx == "f32" else np.float64
    rng = np.random.default_rng(11)
    x = (rng.standard_normal((40, 125)) * 4).astype(dt)
    x.flat[::97] = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-40, -1e30, 88.0, -90.0, 3.0, -0.75, 1e3, -11.0][: len(x.flat[::97])]
    g = rng.standard_normal(x.shape).astype(dt)
    a = rng.uniform(-0.5, 0.5, x.shape[1])
    calls = {
        "leaky_relu": [lambda: cact.leaky_relu(x, 1e100), lambda: cact.leaky_relu(x[:, ::3], 0.2)],
        "softmax": [lambda: cact.softmax(x), lambda: cact.softmax_grad(x, grad_output=g)],
        "softmax_y": [lambda: cact.softmax_grad(y=x, grad_output=g)],
        "prelu": [lambda: cact.prelu(x, a), lambda: cact.prelu_grad(x, a, grad_output=g)[0],
                  lambda: cact.prelu_grad(x, a, grad_output=g)[1], lambda: cact.prelu(x.reshape(40, 5, 25), a[:5])],
    }.get(family, [])
    calls += [lambda f=f, kw=kw: f(x, **kw) for f, kw in _family_calls(family, g)]
    calls += [lambda f=f, kw=kw: f(x[:, ::2], **kw) for f, kw in _family_calls(family, g[:, ::2])]
    assert calls, family
    default = k.get_serial_below()[(family, sfx)]
    try:
        k.set_serial_below(family, sfx, 0)
        parallel = [f() for f in calls]
        k.set_serial_below(family, sfx, 2**62)
        serial = [f() for f in calls]
    finally:
        k.set_serial_below(family, sfx, default)
    for p, s in zip(parallel, serial):
        if family == "prelu" and p.shape == a.shape:
            np.testing.assert_allclose(p, s, rtol=1e-12)  # d/dalpha: per-block sums, added in another order
        else:
            np.testing.assert_array_equal(p, s)


@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("threads", [1, 2])
def test_softmax_backward_from_y_streamed_has_the_same_bits(dt, threads):
    # softmax's backward from y writes large outputs row by row through a row buffer and
    # non-temporal stores (rows that start mid-line: plain stores for the partial lines); force it
    # on small inputs: the same bits as plain stores, for any alignment of out, new results, and
    # in place (never streamed)
    from cact import _dispatch
    k = _dispatch
    rng = np.random.default_rng(23)
    for K in (1000, 37, 16):
        y = cact.softmax((rng.standard_normal((61, K)) * 3).astype(dt))
        g = rng.standard_normal((61, K)).astype(dt)
        default, before_threads = k.get_stream_from(), cact.get_num_threads()
        try:
            cact.set_num_threads(threads)
            if default:
                k.set_stream_from("softmax_y", 2**62)
            want = cact.softmax_grad(y=y, grad_output=g)
            if default:
                k.set_stream_from("softmax_y", 1)
            np.testing.assert_array_equal(cact.softmax_grad(y=y, grad_output=g), want)
            for shift in (0, 1, 3, 5):
                out = at_offset(y.shape, dt, shift * np.dtype(dt).itemsize)
                np.testing.assert_array_equal(cact.softmax_grad(y=y, grad_output=g, out=out), want)
            for which in ("y", "g"):
                yy, gg = y.copy(), g.copy()
                target = yy if which == "y" else gg
                np.testing.assert_array_equal(cact.softmax_grad(y=yy, grad_output=gg, out=target), want)
        finally:
            for fam, nbytes in default.items():
                k.set_stream_from(fam, nbytes)
            cact.set_num_threads(before_threads)
    assert ("softmax_y" in default) == (_dispatch.simd != "baseline")


@pytest.mark.parametrize("family, sfx", [c for c in _threshold_cases()
                                         if c[0] in {k.name for k in registry.KERNELS if k.stream_mb}])
@pytest.mark.parametrize("threads", [1, 2])
def test_streamed_outputs_have_the_same_bits(family, sfx, threads):
    # large outputs of some loops are written by non-temporal stores through a scratch block, one
    # piece per thread; force that path on small inputs: the same bits, whatever the output's alignment
    # (pieces and blocks are cut at its aligned elements), in place too
    from cact import _dispatch
    k = _dispatch
    dt = np.float32 if sfx == "f32" else np.float64
    rng = np.random.default_rng(19)
    n = 3 * 1024 + 37
    x = (rng.standard_normal(n) * 4).astype(dt)
    x[::101] = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-40, -1e30, 88.0, -90.0, 3.0, -0.75, 1e3, -11.0,
                -0.7525, 20.0, -5.0, 1e-7, -1e-7, 0.5, 2.0, -2.0, 7.0, -7.0, 30.0, -30.0, 1.0, -1.0, 0.1,
                -0.1, 9.0, -9.0][: len(x[::101])]
    g = rng.standard_normal(n).astype(dt)
    calls = _family_calls(family, g) + {"leaky_relu": [(cact.leaky_relu, {"alpha": 1e100})]}.get(family, [])
    before_threads, default = cact.get_num_threads(), k.get_stream_from()
    try:
        cact.set_num_threads(threads)
        if default:
            k.set_stream_from(family, 2**62)
        plain = [f(x, **kw) for f, kw in calls]
        if default:
            k.set_stream_from(family, 1)
        for (f, kw), want in zip(calls, plain):
            for shift in range(0, 17, 3):   # out starts `shift` elements past an aligned address
                buf = np.empty(n + 64, dt)
                start = (-buf.ctypes.data % 64) // buf.itemsize + shift
                out = buf[start:start + n]
                np.testing.assert_array_equal(f(x, **kw, out=out), want)
                assert out.ctypes.data % 64 == shift * buf.itemsize % 64
            y = x.copy()
            np.testing.assert_array_equal(f(y, **kw, out=y), want)
            if "grad_output" in kw:
                gg = g.copy()
                np.testing.assert_array_equal(f(x, **dict(kw, grad_output=gg), out=gg), want)
    finally:
        for fam, nbytes in default.items():
            k.set_stream_from(fam, nbytes)
        cact.set_num_threads(before_threads)
    assert (family in default) == (_dispatch.simd != "baseline")   # the AVX2 and AVX-512 builds stream


@pytest.mark.parametrize("shape", [(331, 64), (171, 100), (150, 3), (120, 200), (3, 5, 37, 41), (2, 7, 1601)])
@pytest.mark.parametrize("threads", [1, 2])
def test_prelu_streamed_forward_has_the_same_bits(shape, threads):
    # prelu's float32 forward writes large outputs by non-temporal stores (channels-last runs of
    # few channels, and the inner rows of channels-first data; rows of more channels plainly):
    # forced on here, the same bits as the plain stores at every output alignment, in place too
    from cact import _dispatch
    k = _dispatch
    rng = np.random.default_rng(23)
    x = (rng.standard_normal(shape) * 4).astype(np.float32)
    x.flat[::97] = np.nan
    x.flat[1::89] = -np.inf
    x.flat[2::83] = -0.0
    before_threads, default = cact.get_num_threads(), k.get_stream_from()
    try:
        cact.set_num_threads(threads)
        for alpha in (rng.uniform(0.01, 0.3, shape[1]), np.linspace(-3, 1e20, shape[1]), np.full(shape[1], 1e100)):
            if default:
                k.set_stream_from("prelu", 2**62)
            want = cact.prelu(x, alpha)
            with np.errstate(over="ignore", invalid="ignore"):
                ref = np.where(x > 0, x, alpha.reshape((-1,) + (1,) * (x.ndim - 2)) * x.astype(np.float64)).astype(np.float32)
            np.testing.assert_array_equal(want, ref)
            if default:
                k.set_stream_from("prelu", 1)
            for shift in range(0, 17, 5):
                buf = np.empty(x.size + 64, np.float32)
                start = (-buf.ctypes.data % 64) // 4 + shift
                out = buf[start:start + x.size].reshape(shape)
                np.testing.assert_array_equal(cact.prelu(x, alpha, out=out), want)
            y = x.copy()
            np.testing.assert_array_equal(cact.prelu(y, alpha, out=y), want)
            np.testing.assert_array_equal(cact.prelu(x, alpha), want)
    finally:
        for fam, nbytes in default.items():
            k.set_stream_from(fam, nbytes)
        cact.set_num_threads(before_threads)
    assert ("prelu" in default) == (_dispatch.simd != "baseline")   # (AVX2: never by default, but can)


def test_results_do_not_depend_on_the_thread_count():
    # one thread runs the serial loops (no OpenMP region), two the parallel ones; every result,
    # prelu's d/dalpha included (its blocks depend on the size alone), has the same bits
    rng = np.random.default_rng(29)
    x = (rng.standard_normal((300, 250)) * 4).astype(np.float32)   # above every serial threshold
    x.flat[::97] = np.nan
    g = rng.standard_normal(x.shape).astype(np.float32)
    a = rng.uniform(-0.5, 0.5, x.shape[1])
    y = cact.softmax(x)
    xd = x.astype(np.float64)   # float64 with g over 2^+-29: d/dalpha's bits depend on how its sums are blocked
    gd = rng.standard_normal(x.shape) * np.exp(rng.uniform(-20, 20, x.shape))
    xd[np.isnan(xd)] = 1.0
    calls = [lambda: cact.prelu_grad(xd, a, grad_output=gd)[1], lambda: cact.prelu_grad(xd, 0.3, grad_output=gd)[1],
             lambda: cact.sigmoid(x), lambda: cact.sigmoid_grad(x, grad_output=g), lambda: cact.relu(x),
             lambda: cact.relu_grad(x, grad_output=g), lambda: cact.leaky_relu(x, 0.1), lambda: cact.elu(x),
             lambda: cact.elu_grad(x, grad_output=g), lambda: cact.gelu(x), lambda: cact.gelu_grad(x.astype(np.float64)),
             lambda: cact.gelu(x, "none"), lambda: cact.softmax(x), lambda: cact.softmax_grad(x, grad_output=g),
             lambda: cact.softmax_grad(y=y, grad_output=g), lambda: cact.softmax_grad(y=y.astype(np.float64), grad_output=g),
             lambda: cact.sigmoid_grad(y=y, grad_output=g), lambda: cact.prelu(x, a),
             lambda: cact.prelu_grad(x, a, grad_output=g)[0], lambda: cact.prelu_grad(x, a, grad_output=g)[1],
             lambda: cact.softmax(x.T), lambda: cact.relu(x[:, ::2])]
    before = cact.get_num_threads()
    try:
        cact.set_num_threads(1)
        one = [f() for f in calls]
        cact.set_num_threads(2)
        two = [f() for f in calls]
    finally:
        cact.set_num_threads(before)
    for i, (p, q) in enumerate(zip(one, two)):
        np.testing.assert_array_equal(p, q, err_msg=f"call {i}")


def test_adaptive_teams_go_serial_after_a_late_region_and_can_be_switched_off():
    """a region whose team thread arrives late starts a serial spell (K.team_threads() == 1), with
    the same bits; set_adaptive_threads(False) gives the full team back; nested and concurrent
    calls run serially; CACT_ADAPTIVE_THREADS=0 starts with the policy off"""
    import subprocess
    import sys
    from concurrent.futures import ThreadPoolExecutor
    from cact._dispatch import kernels as K
    if not K.openmp_enabled():
        pytest.skip("built without OpenMP")
    x = np.random.default_rng(3).standard_normal(1 << 20).astype(np.float32)
    before, params = cact.get_num_threads(), K.get_adaptive_params()
    want = cact.gelu(x)
    try:
        cact.set_num_threads(2)
        cact.set_adaptive_threads(True)
        assert cact.get_adaptive_threads() and K.team_threads() == 2
        K.set_adaptive_params(-1, 10**10)   # every region late; a spell of 10 s
        n0 = K.late_regions()
        np.testing.assert_array_equal(cact.gelu(x), want)
        assert K.late_regions() > n0 and K.team_threads() == 1
        np.testing.assert_array_equal(cact.gelu(x), want)   # (serial now)
        cact.set_adaptive_threads(False)
        assert not cact.get_adaptive_threads() and K.team_threads() == 2
        cact.set_adaptive_threads(True)   # (switching resets the spell)
        assert K.team_threads() == 2
        with pytest.raises(TypeError):
            cact.set_adaptive_threads("no")
    finally:
        K.set_adaptive_params(*params)
        cact.set_adaptive_threads(True)
        cact.set_num_threads(before)
    with ThreadPoolExecutor(8) as ex:   # many callers at once: the same bits
        for r in ex.map(lambda _: cact.gelu(x), range(16)):
            np.testing.assert_array_equal(r, want)
    env = dict(os.environ, CACT_ADAPTIVE_THREADS="0")
    out = subprocess.run([sys.executable, "-c", "import cact; print(cact.get_adaptive_threads())"],
                         capture_output=True, text=True, env=env, check=True).stdout.strip()
    assert out == "False"
