"""Sphinx configuration of cact's documentation site.

    pip install ".[docs]" && sphinx-build -W -b html docs/site docs/site/_build/html

At build time (builder-inited) `_figures.py` writes, from the registry: the API reference pages, a
figure of every activation and its derivative, the accuracy figure (ulp error along x for cact,
NumPy's formula and PyTorch when installed, against mpmath) and the speed figure (`python -m cact
bench --plot`), into _generated/ (not committed)."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import cact  # noqa: E402

project = "cact"
author = "the cact developers"
copyright = "2026, the cact developers"
release = version = cact.__version__
extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.mathjax"]
napoleon_google_docstring = False
napoleon_numpy_docstring = True
autodoc_default_options = {"members": False}
html_theme = "pydata_sphinx_theme"
html_title = f"cact {release}"
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}
exclude_patterns = ["_build"]
suppress_warnings = []


def setup(app):
    import _figures
    app.connect("builder-inited", lambda app: _figures.generate(os.path.join(HERE, "_generated"),
                                                                 quick=os.environ.get("CACT_DOCS_QUICK") == "1"))
