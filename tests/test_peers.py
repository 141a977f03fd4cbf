"""The bench's further peers compute what cact computes: every registry row's ONNX Runtime graph
(forward) and JAX function (forward, and backward through jax.vjp) against cact, on the bench's
own data and calls. Skipped when onnxruntime/onnx or jax are not installed (optional peers)."""
import numpy as np
import pytest

import cact
from cact import _bench
from cact import _registry as registry

VARIANTS = registry.variants()


@pytest.fixture
def bench_params(request):
    """the bench's parameter overrides set to a variant's (gelu's approximate, ...)"""
    saved = dict(_bench.PARAMS)
    yield _bench.PARAMS
    _bench.PARAMS.clear()
    _bench.PARAMS.update(saved)


def _data(name, dtype, kw, params):
    params.update({k: v for k, v in kw.items() if k != "axis"})
    x, g, a = _bench.make_input(name, 4096, dtype, seed=3)
    f, fg = getattr(cact, name), getattr(cact, name + "_grad")
    p = _bench._params(name, a)
    return x, g, a, f(x, **p), (fg(x, **p, grad_output=g)[0] if name == "prelu" else fg(x, **p, grad_output=g))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("vid, act, kw", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_onnxruntime_graph_computes_the_activation(vid, act, kw, dtype, bench_params):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    x, g, a, y, _ = _data(act.name, dtype, kw, bench_params)
    fwd, bwd = _bench._onnx_impls(ort, act.name, x, g, a, 1)
    assert bwd is None
    if fwd is None:   # ONNX Runtime's CPU provider has no kernel for this op in this dtype
        assert dtype == np.float64
        pytest.skip("ONNX Runtime's CPU provider has no kernel for it in float64")
    # (the peers' own float32 approximations lose the tails: an absolute tolerance there)
    np.testing.assert_allclose(fwd(), y, rtol=2e-3 if dtype == np.float32 else 1e-6, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("vid, act, kw", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_jax_function_and_vjp_compute_the_activation(vid, act, kw, dtype, bench_params):
    jax = pytest.importorskip("jax")
    _bench.load_peers(["jax"])   # (float64 enabled, as the bench does)
    x, g, a, y, gx = _data(act.name, dtype, kw, bench_params)
    fwd, bwd = _bench._jax_impls(jax, act.name, x, g, a)
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(np.asarray(fwd()), y, **tol)
    # kinks: JAX's derivative there is its own; the bench's data (normal * 3) has none
    np.testing.assert_allclose(np.asarray(bwd()), gx, **tol)
