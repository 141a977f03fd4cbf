"""cact on a real distributed engine: a two-layer MLP's forward and backward (tools/dask_bench.py's
mlp_step) on a chunked Dask array of over 1e7 values, computed by a distributed.LocalCluster of 2
worker processes, equals the single-machine computation; inside the workers cact's team is one
thread (distributed's nanny sets OMP_NUM_THREADS=1: Dask parallelizes over blocks). Skipped
without dask.distributed."""
import os
import sys

import numpy as np
import pytest

pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
from dask_bench import inputs, mlp_step  # noqa: E402

import cact  # noqa: E402


def test_mlp_on_a_local_cluster_of_two_processes_matches_one_machine():
    Xd, Td, W1, W2 = inputs(rows=20000, features=512, chunk=2500)   # (made on the workers)
    assert Xd.size >= 10**7 and Xd.numblocks[0] == 8
    lazy = mlp_step(Xd, Td, W1, W2)
    assert all(type(v).__module__.startswith("dask") for v in lazy)   # nothing computed yet
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        workers = client.run(lambda: (os.getpid(), cact.get_num_threads()))
        got = client.compute(list(lazy), sync=True)
    assert len({pid for pid, _ in workers.values()} - {os.getpid()}) == 2   # two other processes
    assert all(team == 1 for _, team in workers.values())
    X, T = Xd.compute(scheduler="sync"), Td.compute(scheduler="sync")
    want = mlp_step(X, T, W1, W2)
    for g, w in zip(got, want):   # the matmuls' sums over blocks: another order than one pass
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12 * np.abs(w).max())


def test_the_readme_dask_example_runs(tmp_path):
    import re
    import subprocess
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    readme = os.path.join(root, "README.md")
    if not os.path.exists(readme):
        pytest.skip("needs the source tree")
    with open(readme, encoding="utf-8") as f:
        code = next(b for b in re.findall(r"```python\n(.*?)```", f.read(), re.S) if "distributed" in b)
    code = "import cact\n" + code.replace("(100_000, 1000), chunks=(10_000, 1000)", "(1000, 100), chunks=(250, 100)")
    script = tmp_path / "example.py"   # (a file with a main guard: the workers are spawned processes)
    script.write_text("if __name__ == '__main__':\n" + "".join(f"    {line}\n" for line in code.splitlines())
                      + "    assert type(y).__module__.startswith('dask')\n"
                      + "    assert abs(float(y.sum().compute()) - 1000) < 1e-9\n    print('ok')\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    p = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)
    assert p.returncode == 0 and "ok" in p.stdout, p.stdout[-2000:] + p.stderr[-2000:]
