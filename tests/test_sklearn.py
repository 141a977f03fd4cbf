"""scikit-learn's own neural-network tests with cact patched into MLP's activations (tools/sklearn_bench.py's
patch): cact's forward and backward must do what scikit-learn's formulas do, including its gradient
checks against finite differences. Skipped without scikit-learn."""
import os
import subprocess
import sys

import pytest

pytest.importorskip("sklearn.neural_network")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

RUN = """
import sys
sys.path.insert(0, {tools!r})
import sklearn_bench, pytest
sklearn_bench.patch()
rc = pytest.main(["-q", "-p", "no:cacheprovider", "--pyargs", "sklearn.neural_network.tests"])
print("CALLS", sorted(k for k, v in sklearn_bench.CALLS.items() if v))
sys.exit(rc)
"""


def test_sklearn_neural_network_tests_pass_with_cact(tmp_path):
    p = subprocess.run([sys.executable, "-c", RUN.format(tools=os.path.join(ROOT, "tools"))], cwd=tmp_path,
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    calls = p.stdout.rsplit("CALLS", 1)[1]
    for name in ("relu", "logistic", "tanh", "softmax"):   # (the patch was in force: each went through cact)
        assert f"('{name}', 'forward')" in calls, calls
    for name in ("relu", "logistic", "tanh"):
        assert f"('{name}', 'backward')" in calls, calls
