"""Containers in, the same container out (cact/_containers.py): every function of the registry, its
derivative and backward step, given a pandas Series/DataFrame, an xarray DataArray (NumPy- or
Dask-backed) or a Dask array, gives what it gives on the ndarray inside, in the same container with
the same labels; Dask stays lazy, with x's chunks. Skipped for a library that is not installed."""
import warnings

import numpy as np
import pytest

import cact
from cact import _registry as registry

VARIANTS = list(registry.variants())
SHAPE = (6, 8)   # rows of 8: gated units' halves of 4, prelu's 8 channels on axis 1


def _calls(act, kw):
    """(label, function, keyword arguments but x) of every call of a registry variant on a (6, 8) x,
    with g (grad_output) of the right shape; "Y" stands for the forward's output (from y)"""
    f, fg = getattr(cact, act.name), getattr(cact, act.name + "_grad")
    g, g_half = "G", "G_HALF"
    if act.kind == "elementwise":
        c = [("forward", f, dict(kw)), ("derivative", fg, dict(kw)), ("backward", fg, dict(kw, grad_output=g))]
        if act.from_y:
            c.append(("backward from y", fg, dict(kw, grad_output=g, y="Y")))
        return c
    if act.kind == "rows":
        kw = dict(kw, axis=1)
        return [("forward", f, kw), ("backward", fg, dict(kw, grad_output=g)),
                ("backward from y", fg, dict(kw, grad_output=g, y="Y")), ("jacobian", fg, kw)]
    if act.kind == "gated":
        kw = dict(kw, axis=1)
        return [("forward", f, kw), ("backward", fg, dict(kw, grad_output=g_half))]
    alpha = np.linspace(0.05, 0.4, SHAPE[1])   # prelu: per-channel slopes, and one
    return [("forward", f, dict(alpha=alpha)), ("forward one slope", f, dict(alpha=0.25)),
            ("backward", fg, dict(alpha=alpha, grad_output=g)), ("backward one slope", fg, dict(alpha=0.25, grad_output=g))]


CASES = [(f"{vid}-{label}", act, fn, kw) for vid, act, kw0 in VARIANTS for label, fn, kw in _calls(act, kw0)]


def _data(act):
    rng = np.random.default_rng(7)
    x = rng.standard_normal(SHAPE) * 3
    return x, rng.standard_normal(SHAPE), rng.standard_normal((SHAPE[0], SHAPE[1] // 2))


def _args(act, fn, kw, x, g, gh, wrap):
    """fn's arguments with x, G, G_HALF and Y (the forward's output, itself computed on the wrapped x)
    in container form (`wrap`)"""
    a = dict(kw)
    if a.get("grad_output") == "G":
        a["grad_output"] = wrap(g)
    elif a.get("grad_output") == "G_HALF":
        a["grad_output"] = gh if wrap is _plain else wrap(gh, half=True)
    if a.get("y") == "Y":
        fkw = {k: v for k, v in kw.items() if k not in ("grad_output", "y")}
        a["y"] = wrap(getattr(cact, act.name)(x, **fkw))
        return a
    a["x"] = wrap(x)
    return a


def _plain(v, half=False):
    return v


def _reference(act, fn, kw):
    x, g, gh = _data(act)
    return fn(**_args(act, fn, kw, x, g, gh, _plain))


def _split(r):
    return r if isinstance(r, tuple) else (r, None)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_pandas_in_pandas_out(case):
    pd = pytest.importorskip("pandas")
    _, act, fn, kw = case
    x, g, gh = _data(act)
    idx, cols = pd.Index([f"r{i}" for i in range(SHAPE[0])], name="row"), pd.Index(list("abcdefgh"), name="col")

    def frame(v, half=False):
        return pd.DataFrame(v, index=idx, columns=cols[:v.shape[1]] if half else cols)
    ref, ref_alpha = _split(_reference(act, fn, kw))
    r, r_alpha = _split(fn(**_args(act, fn, kw, x, g, gh, frame)))
    if ref.ndim == 3:   # a DataFrame's Jacobian has three dimensions: an ndarray
        assert type(r) is np.ndarray
    else:
        assert isinstance(r, pd.DataFrame)
        assert r.index.equals(idx)
        if ref.shape == x.shape:
            assert r.columns.equals(cols)
        r = r.to_numpy()
    np.testing.assert_array_equal(r, ref)
    if ref_alpha is not None:
        np.testing.assert_array_equal(r_alpha, ref_alpha)
    if act.kind in ("elementwise", "rows") and "jacobian" not in case[0]:   # a Series (one row: axis 0)
        skw = {k: (0 if k == "axis" else v) for k, v in kw.items()}

        def series(v, half=False):
            return pd.Series(v, index=cols, name="h")
        rs = fn(**_args(act, fn, skw, x[0], g[0], gh[0], series))
        assert isinstance(rs, pd.Series) and rs.index.equals(cols) and rs.name == "h"
        np.testing.assert_array_equal(rs.to_numpy(), fn(**_args(act, fn, skw, x[0], g[0], gh[0], _plain)))


@pytest.mark.parametrize("backend", ["numpy", "dask"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_xarray_in_xarray_out(case, backend):
    xr = pytest.importorskip("xarray")
    if backend == "dask":
        pytest.importorskip("dask.array")
    _, act, fn, kw = case
    x, g, gh = _data(act)
    coords = {"row": np.arange(SHAPE[0]), "col": list("abcdefgh")}

    def array(v, half=False):
        a = xr.DataArray(v, dims=("row", "col"), coords={"row": coords["row"]} if half else coords,
                         attrs={"units": "V"}, name="h")
        return a.chunk({"row": 3}) if backend == "dask" else a
    ref, ref_alpha = _split(_reference(act, fn, kw))
    r, r_alpha = _split(fn(**_args(act, fn, kw, x, g, gh, array)))
    assert isinstance(r, xr.DataArray)
    assert r.dims[:2] == ("row", "col") and r.attrs == {"units": "V"} and r.name == "h"
    if ref.shape == x.shape:
        assert list(r.coords["col"].values) == coords["col"]
    if backend == "dask":
        assert type(r.data).__module__.startswith("dask")   # still lazy
    np.testing.assert_array_equal(r.values, ref)
    if ref_alpha is not None:
        np.testing.assert_allclose(np.asarray(r_alpha), ref_alpha, rtol=1e-14)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_dask_in_lazy_dask_out(case):
    da = pytest.importorskip("dask.array")
    _, act, fn, kw = case
    x, g, gh = _data(act)
    calls = []

    def lazy(v, half=False):   # rows split in 2 chunks, columns in 2 (the row axis: rechunked, with a warning)
        return da.from_array(v, chunks=(3, v.shape[1] // 2))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r, r_alpha = _split(fn(**_args(act, fn, kw, x, g, gh, lazy)))
    assert isinstance(r, da.Array)
    whole_rows = act.kind in ("rows", "gated")
    assert any("axis 1" in str(m.message) for m in w) == whole_rows
    ref, ref_alpha = _split(_reference(act, fn, kw))
    assert r.chunks[0] == (3, 3)
    assert r.chunks[1] == ((ref.shape[1],) if whole_rows else (4, 4))
    import dask
    with dask.config.set(scheduler="sync"):
        calls.append(r.compute())
    np.testing.assert_array_equal(calls[0], ref)
    if ref_alpha is not None:   # a sum of per-block partials: its order differs from one pass
        assert isinstance(r_alpha, da.Array)
        got = r_alpha.compute()
        assert np.shape(got) == np.shape(ref_alpha)
        np.testing.assert_allclose(got, ref_alpha, rtol=1e-13)


def test_dask_float32_with_float64_grad_output_promotes_lazily():
    da = pytest.importorskip("dask.array")
    x = np.linspace(-4, 4, 64, dtype=np.float32).reshape(8, 8)
    g = np.linspace(1, 2, 64).reshape(8, 8)
    r = cact.silu_grad(da.from_array(x, chunks=4), grad_output=da.from_array(g, chunks=4))
    assert r.dtype == np.float64
    np.testing.assert_array_equal(r.compute(), cact.silu_grad(x, grad_output=g))


def test_container_errors_name_the_argument():
    da = pytest.importorskip("dask.array")
    pd = pytest.importorskip("pandas")
    x = da.ones((4, 4), chunks=2)
    with pytest.raises(TypeError, match="out= is not supported for Dask"):
        cact.relu(x, out=np.empty((4, 4)))
    with pytest.raises(ValueError, match="even"):
        cact.swiglu(da.ones((4, 3), chunks=2))
    with pytest.raises(ValueError, match="alpha has 3 slopes"):
        cact.prelu(x, np.ones(3))
    s = pd.Series([1.0, 2.0], index=["a", "b"])
    with pytest.raises(ValueError, match="grad_output's labels differ"):
        cact.relu_grad(s, grad_output=pd.Series([1.0, 2.0], index=["b", "a"]))
    with pytest.raises(TypeError, match="out must be a NumPy ndarray"):
        cact.relu(s, out=s.copy())
    with pytest.raises(TypeError, match="dtype"):
        cact.relu(pd.DataFrame({"a": [1.0], "b": ["x"]}))
