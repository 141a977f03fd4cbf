"""Independent reference values with mpmath (60 significant digits) and errors in ulp.

Used by the accuracy tests and by tools/accuracy.py. The formulas are the registry's (cact/_registry.py,
`mp` and `mp_grad`): the textbook definitions evaluated at high precision, in forms that have no
cancellation at that precision.
"""
import mpmath as mp
import numpy as np

mp.mp.dps = 60



def reference(act, x, params=None, grad=False):
    """The mpmath value of activation `act` (a registry row) or of its derivative at each element
    of x, for keyword parameters `params`, as a list of mpf."""
    f = act.mp_grad if grad else act.mp
    params = params or {}
    return [f(mp, mp.mpf(float(v)), **params) for v in np.asarray(x, dtype=np.float64).ravel()]


def ulp_of(t, dtype):
    """The spacing of `dtype` at the (mpf) true value t (subnormal spacing below the normal range)."""
    info = np.finfo(dtype)
    p = info.nmant + 1
    if t == 0:
        return mp.mpf(2) ** (info.minexp - p + 1)
    e = max(int(mp.floor(mp.log(abs(t), 2))), info.minexp)
    return mp.mpf(2) ** (e - p + 1)


def ulp_errors(computed, true, dtype):
    """|computed - true| / ulp(true), elementwise, as float64; inf where one side is inf and the
    other is not (or NaN where either is NaN)."""
    out = np.empty(len(true))
    top = mp.mpf(float(np.finfo(dtype).max))
    for i, (c, t) in enumerate(zip(np.asarray(computed).ravel(), true)):
        c = float(c)
        if np.isnan(c) or mp.isnan(t):
            out[i] = 0.0 if (np.isnan(c) and mp.isnan(t)) else np.nan
            continue
        if abs(t) > top:  # the true value overflows the dtype: inf of the right sign is exact
            out[i] = 0.0 if (np.isinf(c) and (c > 0) == (t > 0)) else np.inf
            continue
        if np.isinf(c):
            out[i] = np.inf
            continue
        out[i] = float(abs(mp.mpf(c) - t) / ulp_of(t, dtype))
    return out


def sweep(dtype, n_log=400, n_lin=2000, seed=0):
    """Points covering the whole range: log-spaced magnitudes of both signs from the smallest
    subnormal to the largest finite value, a dense uniform grid on [-40, 40], random points, and
    the neighbourhoods of the roots of gelu' (x ~ -0.752), and where float32 results turn
    subnormal."""
    info = np.finfo(dtype)
    rng = np.random.default_rng(seed)
    with np.errstate(over="ignore"):
        mags = np.geomspace(float(info.smallest_subnormal), float(info.max), n_log)
    pts = [mags, -mags, np.linspace(-40, 40, n_lin), rng.uniform(-12, 12, n_lin),
           rng.standard_normal(n_lin) * 3, np.linspace(-1.2, -0.3, n_lin),
           np.array([0.0, -0.0, 1.0, -1.0]),
           # where float32 results turn subnormal: gelu (x ~ -10.7), sigmoid (x ~ -87..-104)
           np.linspace(-11.5, -9.5, 400), np.linspace(-105, -86, 400)]
    for root in (-0.7524614220710163, -0.7517915246935645):
        r = np.array(root, dtype)
        near = [r]
        up = down = r
        for _ in range(50):
            up = np.nextafter(up, dtype(1)); down = np.nextafter(down, dtype(-1))
            near += [up, down]
        pts.append(np.array(near, dtype=np.float64))
    x = np.concatenate(pts).astype(dtype)
    return x[np.isfinite(x)]


def softmax_rows(dtype, K, seed=7):
    """Finite rows of K for softmax and its kin: random at several scales, a dominant entry (the
    others' share below 2^-60), large values, ties at the max, and differences around where
    float32's exp turns subnormal."""
    rng = np.random.default_rng(seed)
    out = [rng.standard_normal(K) * s for s in (0.1, 1, 10, 100)]
    big = 3e37 if dtype == np.float32 else 3e307
    special = [[50.0, 0.0, -3.0, 1.0, 2.0, -1.0, 0.5], [1000.0, 999.0, -1000.0, 0.0, 1.0, 2.0, 3.0],
               [5.0, -82.0, -85.5, -88.0, -95.0, -98.8, -103.0], [2.0, 2.0, -1.0, 0.0, 2.0, 1.5, -4.0],
               [big, -big, 0.0, big / 2, 1.0, -1.0, big]]
    out += [np.resize(r, K) for r in special]
    return np.array(out, dtype=dtype)


def ulp_errors_of(computed, true, scale, dtype):
    """|computed - true| in ulp of `scale` (the size of the terms a result is the difference of)"""
    tiny = float(np.finfo(dtype).smallest_subnormal)
    out = []
    for c, t, s in zip(np.asarray(computed).ravel(), true, scale):
        if np.isnan(float(c)):
            out.append(np.nan)
            continue
        spacing = max(float(np.spacing(dtype(float(s)))), tiny) if s else tiny
        out.append(float(abs(mp.mpf(float(c)) - t)) / spacing)
    return np.array(out)


def gated_points(dtype, n_log=120, n_lin=300, seed=5):
    """(u, v, g) for the gated units: u (the gate's argument) over the whole range (sweep), v random
    magnitudes 2^-8 .. 2^8 of both signs, g uniform in [-3, 3]"""
    u = sweep(dtype, n_log=n_log, n_lin=n_lin)
    rng = np.random.default_rng(seed)
    v = (np.exp2(rng.uniform(-8, 8, u.size)) * rng.choice([-1, 1], u.size)).astype(dtype)
    g = rng.uniform(-3, 3, u.size).astype(dtype)
    return u, v, g


def gated_reference(act, u, v, g, params):
    """The true forward act(u) v and backward steps (d/du, d/dv) of the gated row `act` (its gate's
    mpmath forms) at each point, and a mask of the points where float64's bound holds (the gate's
    value, derivative and the products are 0 or normal numbers)"""
    from cact import _registry as registry
    gate = registry.BY_NAME[act.gate]
    kw = {k: val for k, val in params.items() if k != "axis"}
    gv = [gate.mp(mp, mp.mpf(float(ui)), **kw) for ui in u]
    d = [gate.mp_grad(mp, mp.mpf(float(ui)), **kw) for ui in u]
    m = [mp.mpf(float(t)) for t in v]
    gm = [mp.mpf(float(t)) for t in g]
    fwd = [a * b for a, b in zip(gv, m)]
    du = [a * b * c for a, b, c in zip(gm, m, d)]
    dv = [a * b for a, b in zip(gm, gv)]
    tiny = mp.mpf(2) ** -1022
    normal = np.array([all(t == 0 or abs(t) >= tiny for t in ts) for ts in zip(gv, d, fwd, du, dv)])
    return fwd, du, dv, normal
