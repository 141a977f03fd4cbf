"""cact: fast, accurate neural-network activation functions and their derivatives for NumPy.

Forward:      sigmoid, relu, leaky_relu, elu, gelu, prelu, softmax
Derivatives:  <name>_grad(..., grad_output=None): f'(x), or the backward step g * f'(x)
Threads:      get_num_threads(), set_num_threads(n); OMP_NUM_THREADS and threadpoolctl also apply
"""
import os as _os
import sysconfig as _sysconfig

# Run from a source checkout whose extensions were not built in place (python -m cact ... in the
# repository after `pip install .`): take the compiled kernels from the installed copy.
if not any(_f.startswith("_kernels") and _f.endswith((".so", ".pyd")) for _f in _os.listdir(__path__[0])):
    for _key in ("platlib", "purelib"):
        _installed = _os.path.join(_sysconfig.get_paths()[_key], "cact")
        if _os.path.isdir(_installed) and _os.path.realpath(_installed) != _os.path.realpath(__path__[0]):
            __path__.append(_installed)

from cact._version import __version__  # noqa: E402
from cact._api import (  # noqa: E402
    elu,
    elu_grad,
    gelu,
    gelu_grad,
    leaky_relu,
    leaky_relu_grad,
    prelu,
    prelu_grad,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    softmax_grad,
)
from cact._threads import get_num_threads, set_num_threads, show_config  # noqa: E402

__all__ = [
    "__version__",
    "elu", "elu_grad", "gelu", "gelu_grad", "leaky_relu", "leaky_relu_grad", "prelu", "prelu_grad",
    "relu", "relu_grad", "sigmoid", "sigmoid_grad", "softmax", "softmax_grad",
    "get_num_threads", "set_num_threads", "show_config",
]
