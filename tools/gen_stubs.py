"""Write cact/__init__.pyi, the type stubs of the public API, from the functions themselves (which
the registry makes): every activation's forward and derivative, the thread functions.

    python tools/gen_stubs.py > cact/__init__.pyi

tests/test_typing.py checks that the file is current and that `mypy --strict` accepts a script
calling every function. Types by parameter name: arrays are ArrayLike (NumPy's), out= an ndarray,
axis an int, a parameter with choices a Literal of them, other parameters floats (prelu's alpha:
a float or an array). Results are Any: an ndarray, a NumPy scalar for 0-d input, or the container
the input came in (pandas, xarray, Dask, once cact returns them).
"""
import inspect
import sys

sys.path.insert(0, ".")
import cact  # noqa: E402
from cact._registry import ACTIVATIONS  # noqa: E402

CHOICES = {p.name: p.choices for a in ACTIVATIONS for p in a.params if p.choices}


def annotation(name, fn):
    if name in ("x", "y", "grad_output"):
        return "ArrayLike"
    if name == "out":
        return "NDArray[Any]"
    if name == "axis":
        return "int"
    if name in CHOICES:
        return "Literal[" + ", ".join(repr(c) for c in CHOICES[name]) + "]"
    if fn.startswith("prelu") and name == "alpha":
        return "float | ArrayLike"
    return "float"


def stub(name):
    sig = inspect.signature(getattr(cact, name))
    parts, star = [], False
    for p in sig.parameters.values():
        if p.kind is p.KEYWORD_ONLY and not star:
            parts.append("*")
            star = True
        ann = annotation(p.name, name)
        if p.default is p.empty:
            parts.append(f"{p.name}: {ann}")
        else:
            parts.append(f"{p.name}: {ann} | None = ..." if p.default is None else f"{p.name}: {ann} = ...")
    ret = "tuple[Any, Any]" if name == "prelu_grad" else "Any"
    return f"def {name}({', '.join(parts)}) -> {ret}: ..."


THREADS = {   # the thread controls, written out
    "get_num_threads": "def get_num_threads() -> int: ...",
    "set_num_threads": "def set_num_threads(n: int) -> None: ...",
    "get_adaptive_threads": "def get_adaptive_threads() -> bool: ...",
    "set_adaptive_threads": "def set_adaptive_threads(enabled: bool) -> None: ...",
    "show_config": "def show_config(file: IO[str] | None = ...) -> None: ...",
}


def main():
    lines = ['"""Type stubs of cact\'s public API: written by tools/gen_stubs.py; do not edit by hand."""',
             "from typing import IO, Any, Literal", "", "from numpy.typing import ArrayLike, NDArray", "",
             "__version__: str", "__all__: list[str]", ""]
    for name in cact.__all__:
        if name != "__version__" and name not in THREADS:
            lines.append(stub(name))
    lines += list(THREADS.values())
    print("\n".join(lines))


if __name__ == "__main__":
    main()
