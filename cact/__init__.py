"""cact: fast, accurate neural-network activation functions and their derivatives for NumPy.

Forward:      sigmoid, relu, leaky_relu, elu, gelu, prelu, softmax
Derivatives:  <name>_grad(..., grad_output=None): f'(x), or the backward step g * f'(x)
Threads:      get_num_threads(), set_num_threads(n); OMP_NUM_THREADS and threadpoolctl also apply
"""
from cact._version import __version__
from cact._api import (
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
from cact._threads import get_num_threads, set_num_threads, show_config

__all__ = [
    "__version__",
    "elu", "elu_grad", "gelu", "gelu_grad", "leaky_relu", "leaky_relu_grad", "prelu", "prelu_grad",
    "relu", "relu_grad", "sigmoid", "sigmoid_grad", "softmax", "softmax_grad",
    "get_num_threads", "set_num_threads", "show_config",
]
