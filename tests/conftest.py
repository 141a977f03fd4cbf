import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import cact

settings.register_profile(
    "cact", deadline=None, max_examples=int(os.environ.get("CACT_HYPOTHESIS_EXAMPLES", "60")),
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("cact")

# name -> (forward, derivative, keyword parameters): every elementwise activation, each variant once
ELEMENTWISE = {
    "sigmoid": (cact.sigmoid, cact.sigmoid_grad, {}),
    "relu": (cact.relu, cact.relu_grad, {}),
    "leaky_relu": (cact.leaky_relu, cact.leaky_relu_grad, {"alpha": 0.2}),
    "elu": (cact.elu, cact.elu_grad, {"alpha": 1.5}),
    "gelu_tanh": (cact.gelu, cact.gelu_grad, {"approximate": "tanh"}),
    "gelu_none": (cact.gelu, cact.gelu_grad, {"approximate": "none"}),
}


def _prelu_grad_x(x, alpha=0.25, *, grad_output=None, out=None):
    gx, _ = cact.prelu_grad(x, alpha, grad_output=grad_output)
    if out is not None:
        out[...] = gx
        return out
    return gx


# everything with the (x, **params, out=) / (x, **params, grad_output=, out=) shape of call
ALL = dict(ELEMENTWISE)
ALL["softmax"] = (cact.softmax, cact.softmax_grad, {"axis": -1})
ALL["prelu"] = (cact.prelu, None, {"alpha": 0.25})

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


@pytest.fixture(params=[c for c in GRADS if c[0] != "softmax"], ids=fid)
def elementwise_grad(request):
    return request.param


@pytest.fixture(params=[(n, f, kw) for n, (f, _, kw) in ELEMENTWISE.items()], ids=fid)
def elementwise_forward(request):
    return request.param
