"""cact: fast, accurate neural-network activation functions and their derivatives for NumPy.

Every activation `f` of the registry (cact/_registry.py) has `f(x, <params>, *, out=None)` and
`f_grad(..., grad_output=None)`: f'(x), or the backward step g * f'(x).
Threads: get_num_threads(), set_num_threads(n); OMP_NUM_THREADS and threadpoolctl also apply;
set_adaptive_threads(False) keeps the full team on a busy machine.
"""
import os as _os
import sysconfig as _sysconfig

# Run from a source checkout whose extension was not built in place (python -m cact ... in the
# repository after `pip install .`): take the compiled kernels from the installed copy.
if not any(_f.startswith("_core") and _f.endswith((".so", ".pyd")) for _f in _os.listdir(__path__[0])):
    for _key in ("platlib", "purelib"):
        _installed = _os.path.join(_sysconfig.get_paths()[_key], "cact")
        if _os.path.isdir(_installed) and _os.path.realpath(_installed) != _os.path.realpath(__path__[0]):
            __path__.append(_installed)

from cact._version import __version__  # noqa: E402
from cact._api import PUBLIC as _PUBLIC  # noqa: E402
from cact._threads import (  # noqa: E402
    get_adaptive_threads, get_num_threads, set_adaptive_threads, set_num_threads, show_config)

globals().update(_PUBLIC)

__all__ = ["__version__", *_PUBLIC, "get_num_threads", "set_num_threads", "get_adaptive_threads",
           "set_adaptive_threads", "show_config"]
