"""The registry (cact/_registry.py) is the one list of activations: everything that lists them is
driven by it, and a row that lacks what the rest of the project needs fails here."""
import inspect
import os
import re

import numpy as np
import pytest

import cact
from cact import _api, _bench, _registry as registry
from conftest import needs_source_tree

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
NAMES = [a.name for a in registry.ACTIVATIONS]


def _read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as f:
        return f.read()


@pytest.mark.parametrize("act", registry.ACTIVATIONS, ids=NAMES)
def test_every_activation_is_public_with_its_derivative(act):
    for name in (act.name, act.name + "_grad"):
        assert name in cact.__all__ and callable(getattr(cact, name))
        assert getattr(cact, name).__doc__
    assert act.summary in getattr(cact, act.name).__doc__


@pytest.mark.parametrize("act", registry.ELEMENTWISE, ids=lambda a: a.name)
def test_signatures_follow_the_rows_parameters(act):
    f, fg = getattr(cact, act.name), getattr(cact, act.name + "_grad")
    params = [(p.name, inspect.Parameter.empty if p.default is registry.REQUIRED else p.default) for p in act.params]
    sig = inspect.signature(f)
    assert [(n, q.default) for n, q in sig.parameters.items()][1:-1] == params
    assert list(sig.parameters)[-1] == "out" and sig.parameters["out"].kind is inspect.Parameter.KEYWORD_ONLY
    gsig = inspect.signature(fg)
    keywords = ["grad_output", "out"] + (["y"] if act.from_y else [])
    assert [n for n, q in gsig.parameters.items() if q.kind is inspect.Parameter.KEYWORD_ONLY] == keywords
    assert (gsig.parameters["x"].default is None) == bool(act.from_y)


def test_all_lists_exactly_the_registry_and_the_thread_controls():
    assert set(cact.__all__) == {"__version__", "get_num_threads", "set_num_threads", "get_adaptive_threads",
                                 "set_adaptive_threads", "show_config",
                                 *registry.public_names()}


@pytest.mark.parametrize("act", registry.ACTIVATIONS, ids=NAMES)
def test_every_activation_has_its_references(act):
    # the tests' mpmath reference (softmax: the row function), NumPy's plain forms (the bench's
    # baseline), PyTorch's forward and backward (the torch reference tests and the bench's peer)
    assert act.torch is not None and act.torch_bwd is not None and act.numpy is not None
    if act.kind in ("elementwise", "prelu"):
        assert act.mp is not None and act.mp_grad is not None and act.numpy_grad is not None
    if act.kind == "rows":   # values, VJPs (from x and from y) and their error scale in mpmath, NumPy's VJPs
        assert None not in (act.mp, act.mp_vjp, act.mp_vjp_y, act.mp_vjp_terms, act.numpy_vjp, act.numpy_vjp_y)
    if act.kind == "gated":  # mpmath and the kernels are the gate's
        assert act.gate in {a.name for a in registry.ELEMENTWISE} and act.numpy_vjp is not None
    if act.from_y and act.kind == "elementwise":
        assert act.numpy_grad_y is not None and act.from_y in registry.KERNEL_INDEX
    assert act.formula and act.derivative and act.summary


@pytest.mark.parametrize("act", registry.ELEMENTWISE, ids=lambda a: a.name)
def test_every_elementwise_activation_has_limits_and_kernels(act):
    assert set(act.limits) == {np.inf, -np.inf}
    kernels = act.kernel.values() if isinstance(act.kernel, dict) else [act.kernel]
    for k in kernels:
        assert k in registry.KERNEL_INDEX


@needs_source_tree
@pytest.mark.parametrize("kernel", registry.KERNELS, ids=lambda k: k.name)
def test_every_kernel_family_has_its_math_header(kernel):
    path = os.path.join(ROOT, "cact", "kernels", "math", kernel.header)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    ops = ("fwd", "grad", "bwd") if kernel.forward else ("grad", "bwd")
    for op in ops:   # its six (four) block functions, written out or by a CACT_EW_* helper
        both = re.search(r"CACT_EW_BOTH\(%s," % kernel.name, text)
        assert both or re.search(r"CACT_EW_BLOCK\(%s, %s, f32" % (kernel.name, op), text) or \
            re.search(r"CACT_EW_F32_VIA_F64\(%s," % kernel.name, text), (kernel.name, op, "f32")
        assert both or re.search(r"CACT_EW_BLOCK\(%s, %s, f64" % (kernel.name, op), text) or \
            re.search(r"CACT_EW_F64\(%s," % kernel.name, text), (kernel.name, op, "f64")


@pytest.mark.parametrize("vid, act, kw", registry.variants(("elementwise",)), ids=lambda v: v if isinstance(v, str) else "")
@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_limits_at_infinity_and_the_kink(vid, act, kw, dt):
    f, fg = getattr(cact, act.name), getattr(cact, act.name + "_grad")
    x = np.array([np.inf, -np.inf], dt)
    for i, inf in enumerate((np.inf, -np.inf)):
        value, slope = act.limits[inf]
        assert f(x, **kw)[i] == dt(value), (vid, inf)
        assert fg(x, **kw)[i] == dt(slope), (vid, inf)
    for at, slope in act.kinks.items():   # PyTorch's derivative where f' jumps
        assert fg(np.array([at], dt), **kw)[0] == dt(slope), (vid, at)


def test_the_tests_and_tools_iterate_the_registry():
    import conftest
    import test_accuracy
    for vid, act, kw in registry.variants(("elementwise",)):
        assert vid in conftest.ELEMENTWISE                      # semantics and layouts
        assert {c[0] for c in test_accuracy.CASES} >= {vid, vid + "_grad"}   # sweeps in both dtypes
        assert {c[0] for c in test_accuracy.GRAD_CASES} >= {vid + "_grad"}
    assert set(test_accuracy.DTYPES) == {np.float32, np.float64}
    assert {"softmax", "prelu"} <= set(conftest.ALL)
    import test_gated
    import test_rowwise
    assert [c[0] for c in test_gated.CASES] == [v for v, _, _ in registry.variants(("gated",))]
    assert [c[0] for c in test_rowwise.CASES] == [v for v, _, _ in registry.variants(("rows",))]


@needs_source_tree
def test_the_bench_and_asv_cover_every_activation():
    assert _bench.FUNCTIONS == NAMES
    import importlib.util
    spec = importlib.util.spec_from_file_location("asv_benchmarks", os.path.join(ROOT, "benchmarks", "benchmarks.py"))
    asv = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(asv)
    names = {n.split(":")[0] for n in asv.FUNCTIONS}
    assert names == set(NAMES)


@needs_source_tree
@pytest.mark.parametrize("act", registry.ACTIVATIONS, ids=NAMES)
def test_the_readme_table_has_a_row_for_every_activation(act):
    readme = _read("README.md")
    assert re.search(r"^\| `%s\(" % re.escape(act.name), readme, re.M), act.name


def test_the_kernel_families_are_in_the_c_table_in_registry_order():
    from cact import _dispatch
    assert _dispatch.kernels.N_KERNELS == len(registry.KERNELS)
    for i, k in enumerate(registry.KERNELS):
        pol = _dispatch.kernels.get_kernel_policy(i)
        assert pol[0:2] == k.serial and pol[3] == k.steal, k.name


def test_facade_generation_covers_every_elementwise_row():
    assert set(_api.PUBLIC) == set(registry.public_names())
