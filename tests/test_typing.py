"""Type information: cact/__init__.pyi is what tools/gen_stubs.py writes from the registry's
functions today, and `mypy --strict` accepts a script that calls every public function (written
here from the registry; skipped when mypy is not installed: CI installs it)."""
import contextlib
import io
import os
import subprocess
import sys

import pytest

from cact import _registry as registry
from conftest import ROOT, needs_source_tree


@needs_source_tree
def test_the_stubs_are_current():
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    try:
        import gen_stubs
    finally:
        sys.path.pop(0)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        gen_stubs.main()
    with open(os.path.join(ROOT, "cact", "__init__.pyi")) as f:
        assert f.read() == buf.getvalue(), "cact/__init__.pyi is stale: python tools/gen_stubs.py > cact/__init__.pyi"
    assert os.path.exists(os.path.join(ROOT, "cact", "py.typed"))


def _example():
    """a script calling every public function, at each registry variant's parameters"""
    lines = ["import numpy as np", "import cact", "", "x = np.linspace(-3.0, 3.0, 12).reshape(3, 4)",
             "g = np.ones((3, 4))", "h = np.ones((3, 2))", "o = np.empty((3, 4))"]
    for vid, act, kw in registry.variants():
        name = act.name
        args = ", ".join(f"{k}={v!r}" for k, v in kw.items())
        sep = ", " if args else ""
        if name == "prelu":
            lines += [f"y_{vid} = cact.prelu(x, 0.25, out=o)",
                      f"gx_{vid}, ga_{vid} = cact.prelu_grad(x, np.full(4, 0.1), axis=1, grad_output=g)"]
            continue
        gout = "h" if act.kind == "gated" else "g"
        lines += [f"y_{vid} = cact.{name}(x{sep}{args})", f"d_{vid} = cact.{name}_grad(x{sep}{args}, grad_output={gout})"]
        if act.from_y:
            lines.append(f"dy_{vid} = cact.{name}_grad(y=y_{vid}{sep}{args}, grad_output=g)")
    lines += ["n: int = cact.get_num_threads()", "cact.set_num_threads(n)", "cact.show_config()",
              "v: str = cact.__version__"]
    return "\n".join(lines) + "\n"


def test_the_example_runs():
    exec(compile(_example(), "<typing example>", "exec"), {})


@needs_source_tree
def test_mypy_strict_accepts_every_public_call(tmp_path):
    pytest.importorskip("mypy")
    script = tmp_path / "example.py"
    script.write_text(_example())
    r = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(script)],
                       capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    bad = tmp_path / "bad.py"   # and it does check: a wrong call is an error
    bad.write_text("import cact\ncact.gelu([1.0], approximate='exact')\ncact.relu([1.0], alpha=2)\n")
    r = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(bad)],
                       capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert r.returncode == 1 and "approximate" in r.stdout and "alpha" in r.stdout, r.stdout
