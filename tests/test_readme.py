"""The README's example runs and trains: its loss falls."""
import os
import re

import numpy as np

from conftest import needs_source_tree

HERE = os.path.dirname(os.path.abspath(__file__))


@needs_source_tree
def test_the_mlp_example_runs_and_its_loss_falls():
    with open(os.path.join(HERE, "..", "README.md"), encoding="utf-8") as f:
        text = f.read()
    code = re.search(r"## Example: a small MLP.*?```python\n(.*?)```", text, re.S).group(1)
    losses = []
    code = code.replace("    loss = -np.log(p[rows, labels]).mean()\n",
                        "    loss = -np.log(p[rows, labels]).mean()\n    losses.append(loss)\n")
    ns = {"losses": losses}
    exec(compile(code, "README.md", "exec"), ns)
    assert len(losses) == 50 and np.isfinite(losses).all()
    assert losses[-1] < 0.5 * losses[0]
