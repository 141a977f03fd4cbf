"""The docstrings: numpydoc sections for every public function of the registry, and their Examples
run as doctests (the expected outputs are the registry's NumPy references at the same inputs, so a
doctest fails when cact and the reference part at the printed digits)."""
import doctest

import numpy as np
import pytest

import cact
from cact import _registry as registry

FUNCTIONS = [getattr(cact, a.name + sfx) for a in registry.ACTIVATIONS for sfx in ("", "_grad")]
SECTIONS = ("Parameters\n----------", "Returns\n-------", "Raises\n------", "Notes\n-----", "Examples\n--------")


@pytest.mark.parametrize("fn", FUNCTIONS, ids=lambda f: f.__name__)
def test_numpydoc_sections_and_parameters(fn):
    import inspect
    doc = fn.__doc__
    positions = [doc.find(s) for s in SECTIONS]
    assert all(p > 0 for p in positions) and positions == sorted(positions), fn.__name__
    params = doc[positions[0]:positions[1]]
    for name in inspect.signature(fn).parameters:   # every parameter is documented
        assert f"\n{name} : " in params, (fn.__name__, name)


@pytest.mark.parametrize("fn", FUNCTIONS, ids=lambda f: f.__name__)
def test_docstring_examples_run(fn):
    tests = doctest.DocTestFinder(exclude_empty=True).find(fn, fn.__name__, globs={"np": np, "cact": cact})
    assert tests and tests[0].examples, fn.__name__
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for t in tests:
        runner.run(t)
    assert runner.failures == 0, fn.__name__


def test_registry_prose_is_plain_restructuredtext():
    # |x| is a substitution reference to docutils (sphinx-build -W fails on it): the registry writes abs(x)
    import re
    for a in registry.ACTIVATIONS:
        for text in (a.summary, a.formula, a.derivative, a.notes, a.grad_notes, a.from_y_formula):
            assert not re.search(r"\|[^|\s][^|]*\|", text), (a.name, text)
