"""Containers in, the same container out: pandas, xarray and Dask around cact's ndarray functions.

A public function hands its call here when its array argument (x, or y for a derivative from the
forward's output) is a pandas Series/DataFrame, an xarray DataArray or a Dask array; ndarray calls
never reach this module (one type test on their slow path). Each adapter takes the NumPy (or Dask)
data out, calls the same public function on it, and puts the result back:

- pandas: the same type with x's index, columns and name (an axis a gated unit halves gets a
  RangeIndex; a Jacobian of a DataFrame has three dimensions: an ndarray);
- xarray: a DataArray with x's dims, coords, attrs and name (Dask-backed data stays lazy);
- Dask: a lazy array with x's chunks, each block computed by cact when computed. Row-wise functions
  and gated units need their axis in one chunk: a split axis is rechunked, with a
  PerformanceWarning naming it. prelu's per-channel alpha follows x's channel chunks; prelu_grad's
  grad_alpha is a lazy sum of per-block partials.

`out=` must be an ndarray (pandas/xarray: the result wraps it); Dask arrays are lazy and take none.
"""
import warnings

import numpy as np

from cact._checks import as_axis, as_channel_slopes

# the shapes of results, by function: same as x; a row-wise function along `axis` (a Jacobian
# without grad_output adds a last axis); a gated unit (its forward halves `axis`); prelu; prelu_grad
SAME, ROWS, GATED_FWD, GATED_BWD, PRELU, PRELU_GRAD = "same", "rows", "gated_fwd", "gated_bwd", "prelu", "prelu_grad"


def kind(v):
    """'pandas', 'xarray' or 'dask' for a container cact adapts, else None (ndarrays, numbers, lists)"""
    if type(v) is np.ndarray:
        return None
    root = type(v).__module__.partition(".")[0]
    return root if root in ("pandas", "xarray", "dask") else None


def call(fn, shape, args, primary="x"):
    """fn's result for args (every argument by name) whose `primary` is a container"""
    c = kind(args[primary])
    out = args.get("out")
    if out is not None:
        if c == "dask":
            raise TypeError(f"{fn.__name__}(): out= is not supported for Dask arrays (they are lazy); "
                            f"compute into memory with da.store, or drop out=")
        if type(out) is not np.ndarray:
            raise TypeError(f"{fn.__name__}(): out must be a NumPy ndarray, got {type(out).__name__}")
    return {"pandas": _pandas, "xarray": _xarray, "dask": _dask}[c](fn, shape, args, primary)


# ---- pandas -------------------------------------------------------------------------------------

def _pandas(fn, shape, args, primary):
    import pandas as pd

    x = args[primary]
    if not isinstance(x, (pd.Series, pd.DataFrame)):
        raise TypeError(f"{fn.__name__}(): {primary} is a pandas {type(x).__name__}; cact takes a Series or "
                        f"DataFrame (or its .to_numpy())")
    a = dict(args)
    for k, v in args.items():
        if kind(v) == "pandas" and k != "out":
            if k != primary and not _same_labels(v, x):
                raise ValueError(f"{fn.__name__}(): {k}'s labels differ from {primary}'s (cact pairs values by "
                                 f"position, as NumPy does): align them first ({k}.reindex_like({primary}))")
            a[k] = v.to_numpy()
    r = fn(**a)
    if shape == PRELU_GRAD:
        return _pandas_wrap(x, r[0]), r[1]
    return _pandas_wrap(x, r)


def _same_labels(v, x):
    """v's labels are x's along each axis of the same length (a gated unit's grad_output has half
    of x's extent along its axis)"""
    if type(v) is not type(x) or v.ndim != x.ndim:
        return False
    axes = (v.index, x.index), (getattr(v, "columns", None), getattr(x, "columns", None))
    return all(a is None or len(a) != len(b) or a.equals(b) for a, b in axes[:v.ndim])


def _pandas_wrap(x, r):
    import pandas as pd

    if isinstance(x, pd.Series):
        if r.shape == x.shape:
            return pd.Series(r, index=x.index, name=x.name, copy=False)
        if r.ndim == 2 and r.shape == x.shape * 2:   # the Jacobian of a row
            return pd.DataFrame(r, index=x.index, columns=x.index, copy=False)
        return pd.Series(r, name=x.name, copy=False)   # a gated unit's half
    if r.shape == x.shape:
        return pd.DataFrame(r, index=x.index, columns=x.columns, copy=False)
    if r.ndim != 2:
        return r   # a Jacobian of a DataFrame: three dimensions
    keep_index = r.shape[0] == x.shape[0]
    return pd.DataFrame(r, index=x.index if keep_index else None, columns=None if keep_index else x.columns, copy=False)


# ---- xarray -------------------------------------------------------------------------------------

def _xarray(fn, shape, args, primary):
    import xarray as xr

    x = args[primary]
    if not isinstance(x, xr.DataArray):
        raise TypeError(f"{fn.__name__}(): {primary} is an xarray {type(x).__name__}; cact takes a DataArray "
                        f"(for a Dataset: ds.map({fn.__name__}))")
    a = dict(args)
    for k, v in args.items():
        if k != "out" and isinstance(v, xr.DataArray):
            if k != primary:
                if set(v.dims) != set(x.dims):
                    raise ValueError(f"{fn.__name__}(): {k}'s dims {v.dims} are not {primary}'s {x.dims}")
                v = v.transpose(*x.dims)
            a[k] = v.data
    r = fn(**a)
    if shape == PRELU_GRAD:
        return _xarray_wrap(x, r[0], args), r[1]
    return _xarray_wrap(x, r, args)


def _xarray_wrap(x, r, args):
    import xarray as xr

    if r.shape == x.shape:
        return x.copy(data=r)
    if r.ndim == x.ndim + 1:   # a Jacobian: J[..., i, j], i along the row axis, j a new last dim
        d = x.dims[as_axis(args.get("axis", -1), x.ndim)]
        coords = {k: c for k, c in x.coords.items()}
        if d in x.coords:
            coords[f"{d}_j"] = x.coords[d].values
        return xr.DataArray(r, dims=x.dims + (f"{d}_j",), coords=coords, attrs=x.attrs, name=x.name)
    d = x.dims[as_axis(args.get("axis", -1), x.ndim)]   # a gated unit's forward: its axis halved
    coords = {k: c for k, c in x.coords.items() if d not in c.dims}
    return xr.DataArray(r, dims=x.dims, coords=coords, attrs=x.attrs, name=x.name)


# ---- Dask ---------------------------------------------------------------------------------------

def _block(fn, primary, kw, x, g=None, alpha=None):
    """one block's result (the task dask runs)"""
    if g is not None:
        kw = dict(kw, grad_output=g)
    if alpha is not None:
        kw = dict(kw, alpha=alpha.reshape(-1) if alpha.ndim else alpha)
    return fn(**{primary: x}, **kw)


def _prelu_grad_pair(kw, ax, x, g=None, alpha=None):
    """one block's (gx, grad_alpha partial with x's number of dims: the channels along ax)"""
    import cact

    gx, ga = cact.prelu_grad(x, alpha.reshape(-1) if alpha.ndim else alpha,
                             **dict(kw, grad_output=g))
    shape = [1] * x.ndim
    if ax is not None:
        shape[ax] = -1
    return gx, np.reshape(ga, shape)


def _one_chunk(x, ax, fn):
    """x with axis ax in one chunk (a row or a pair of halves must be in one block)"""
    if x.numblocks[ax] == 1:
        return x
    from dask.array.core import PerformanceWarning

    warnings.warn(f"{fn.__name__}(): axis {ax} of the Dask array is split into {x.numblocks[ax]} chunks; it "
                  f"is rechunked to one (rows are computed whole). Chunk that axis whole to avoid this.",
                  PerformanceWarning, stacklevel=4)
    return x.rechunk({ax: -1})


def _meta_dtype(fn, shape, primary, kw, x, g, alpha):
    """the result's dtype, from fn on one element (a gated unit: two) of each argument's dtype"""
    one = np.ones((2 if shape in (GATED_FWD, GATED_BWD) else 1,) * max(x.ndim, 1), x.dtype)
    gs = None if g is None else np.ones((1,), getattr(g, "dtype", np.result_type(g)))
    k = dict(kw)
    if alpha is not None:
        k["alpha"] = np.ones((one.shape[kw.get("axis", 1)],) if np.ndim(alpha) else (), getattr(alpha, "dtype", np.float64))
    if gs is not None:
        k["grad_output"] = gs
    r = fn(**{primary: one}, **k)
    return (r[0] if isinstance(r, tuple) else r).dtype


def _dask(fn, shape, args, primary):
    import dask.array as da

    x = args[primary]
    if not isinstance(x, da.Array):
        raise TypeError(f"{fn.__name__}(): {primary} is a Dask {type(x).__name__}; cact takes a Dask array "
                        f"(a Dask DataFrame: .map_partitions({fn.__name__}) or .to_dask_array(lengths=True))")
    prelu = shape in (PRELU, PRELU_GRAD)
    kw = {k: v for k, v in args.items() if k not in (primary, "out", "grad_output", "x", "y") and not (prelu and k == "alpha")}
    g = args.get("grad_output")
    alpha = args.get("alpha") if prelu else None
    dtype = _meta_dtype(fn, shape, primary, kw, x, g, alpha)
    ax = as_axis(kw["axis"], x.ndim) if shape in (ROWS, GATED_FWD, GATED_BWD) else None
    half = ax is not None and shape in (GATED_FWD, GATED_BWD)
    if half and x.shape[ax] % 2:
        raise ValueError(f"{fn.__name__.removesuffix('_grad')}: x has {x.shape[ax]} entries along axis {ax}; "
                         f"it must be even (two halves)")
    if ax is not None:
        x = _one_chunk(x, ax, fn)
        kw["axis"] = ax
    out_chunks = list(x.chunks)
    if half:
        out_chunks[ax] = (x.shape[ax] // 2,)
    arrays = [x]
    if g is not None:
        g_chunks = out_chunks if half else x.chunks
        g_shape = tuple(sum(c) for c in g_chunks)
        if np.ndim(g) == 0 and not isinstance(g, da.Array):
            kw["grad_output"] = g   # a scalar: every block's
        else:
            arrays.append(da.broadcast_to(da.asarray(g), g_shape).rechunk(g_chunks))
    if prelu:
        return _dask_prelu(fn, shape, x, arrays, alpha, kw, dtype)
    jacobian = shape == ROWS and g is None and fn.__name__.endswith("_grad")
    meta = np.empty((0,) * (x.ndim + jacobian), dtype)
    block = _Bound(fn, primary, kw)
    if jacobian:   # a new last axis, the row's length
        return da.map_blocks(block, *arrays, new_axis=[x.ndim], chunks=tuple(x.chunks) + ((x.shape[ax],),),
                             dtype=dtype, meta=meta)
    if half and shape == GATED_FWD:
        return da.map_blocks(block, *arrays, chunks=tuple(out_chunks), dtype=dtype, meta=meta)
    return da.map_blocks(block, *arrays, dtype=dtype, meta=meta)


class _Bound:
    """a block function: fn with its keyword arguments, taking x's block (and grad_output's), named
    after fn in Dask's graph"""
    def __init__(self, fn, primary, kw):
        self.fn, self.primary, self.kw = fn, primary, kw

    def __call__(self, x, g=None):
        return _block(self.fn, self.primary, self.kw, x, g)

    def __repr__(self):
        return f"cact.{self.fn.__name__}"


def _dask_prelu(fn, shape, x, arrays, alpha, kw, dtype):
    """prelu / prelu_grad on a Dask x: alpha's channels follow x's chunks along the channel axis"""
    import dask.array as da

    stand_in = np.broadcast_to(np.zeros((), x.dtype), x.shape)   # (alpha checked as x's would be)
    if isinstance(alpha, da.Array) and alpha.size == 1:
        alpha = alpha.compute()   # one slope: a number for every block
    _, ax, alpha_shape = as_channel_slopes(np.ones(alpha.shape) if isinstance(alpha, da.Array) else alpha,
                                           stand_in, kw.get("axis", 1))
    a_arr = None
    if ax is not None:   # a slope per channel: alpha's chunks follow x's along the channel axis
        shape_b, chunks_b = [1] * x.ndim, [(1,)] * x.ndim
        shape_b[ax], chunks_b[ax] = x.shape[ax], x.chunks[ax]
        a_arr = da.asarray(alpha).reshape(shape_b).rechunk(tuple(chunks_b))
    ind = tuple(range(x.ndim))
    pairs = [a for arr in arrays for a in (arr, ind)]
    if a_arr is not None:
        pairs += [a_arr, ind]
    fixed = {} if a_arr is not None else {"alpha": alpha}
    with_g = len(arrays) > 1
    meta = np.empty((0,) * x.ndim, dtype)
    if shape == PRELU:
        def prelu_block(xb, *rest):
            a = rest[-1] if a_arr is not None else None
            return _block(fn, "x", dict(kw, **fixed), xb, rest[0] if with_g else None, a)
        return da.blockwise(prelu_block, ind, *pairs, dtype=dtype, meta=meta)

    def pair_block(xb, *rest):
        a = rest[-1] if a_arr is not None else np.asarray(alpha)
        return _prelu_grad_pair({k: v for k, v in kw.items() if k != "grad_output"}, ax, xb,
                                rest[0] if with_g else kw.get("grad_output"), a)
    pairs_arr = da.blockwise(pair_block, ind, *pairs, dtype=dtype, meta=meta)
    gx = pairs_arr.map_blocks(lambda p: p[0], dtype=dtype, meta=meta)
    part_chunks = tuple(x.chunks[i] if i == ax else (1,) * x.numblocks[i] for i in range(x.ndim))
    parts = pairs_arr.map_blocks(lambda p: p[1], chunks=part_chunks, dtype=dtype, meta=meta)
    return gx, parts.sum(axis=tuple(i for i in range(x.ndim) if i != ax)).reshape(alpha_shape)
