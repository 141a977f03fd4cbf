import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import cact
from cact import _registry as registry

settings.register_profile(
    "cact", deadline=None, max_examples=int(os.environ.get("CACT_HYPOTHESIS_EXAMPLES", "60")),
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("cact")

# tests that read the repository's files (README, the asv suite, the kernels' sources) skip when the
# tests run apart from it (tools/check_wheel.sh copies only tests/ next to an installed wheel)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
needs_source_tree = pytest.mark.skipif(not os.path.exists(os.path.join(ROOT, "README.md")),
                                       reason="needs the source tree")

# name -> (forward, derivative, keyword parameters): every elementwise activation of the registry,
# each tested variant once (gelu: gelu_tanh, gelu_none)
ELEMENTWISE = {vid: (getattr(cact, act.name), getattr(cact, act.name + "_grad"), kw)
               for vid, act, kw in registry.variants(("elementwise",))}
# id -> (registry row, keyword parameters)
ROWS = {vid: (act, kw) for vid, act, kw in registry.variants()}
# derivatives that also start from the forward's output y: name -> (forward, derivative, parameters)
FROM_Y = {vid: ELEMENTWISE[vid] for vid, act, kw in registry.variants(("elementwise",)) if act.from_y}


def _prelu_grad_x(x, alpha=0.25, *, grad_output=None, out=None):
    gx, _ = cact.prelu_grad(x, alpha, grad_output=grad_output)
    if out is not None:
        out[...] = gx
        return out
    return gx


# everything with the (x, **params, out=) / (x, **params, grad_output=, out=) shape of call
ALL = dict(ELEMENTWISE)
ROW_NAMES = {a.name for a in registry.ROWWISE}
for _act in registry.ROWWISE:   # softmax and its kin
    ALL[_act.name] = (getattr(cact, _act.name), getattr(cact, _act.name + "_grad"), _act.test_params[0])
ALL["prelu"] = (cact.prelu, None, registry.BY_NAME["prelu"].test_params[0])

FORWARD = [(name, f, kw) for name, (f, _, kw) in ALL.items()]
GRADS = [(name, g, kw) for name, (_, g, kw) in ALL.items() if g is not None]


def at_offset(shape, dtype, offset, values=None):
    """an array of `shape` whose data starts `offset` bytes past a 64-byte boundary (filled with
    `values` when given)"""
    n = int(np.prod(shape)) * np.dtype(dtype).itemsize
    buf = np.empty(n + offset + 64, np.uint8)
    start = (-buf.ctypes.data) % 64 + offset
    a = buf[start:start + n].view(dtype).reshape(shape)
    if values is not None:
        a[...] = values
    return a


def fid(case):
    return case[0]


@pytest.fixture(params=FORWARD, ids=fid)
def forward(request):
    return request.param


@pytest.fixture(params=[c for c in GRADS if c[0] not in ROW_NAMES], ids=fid)
def elementwise_grad(request):
    return request.param


@pytest.fixture(params=[(n, f, kw) for n, (f, _, kw) in ELEMENTWISE.items()], ids=fid)
def elementwise_forward(request):
    return request.param
