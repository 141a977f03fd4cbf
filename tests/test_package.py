"""Package metadata and build configuration visible to users."""
import importlib.metadata

import cact


def test_version_matches_the_distribution():
    assert cact.__version__ == importlib.metadata.version("cact")


def test_show_config_reports_version_openmp_threads_and_simd(capsys):
    cact.show_config()
    text = capsys.readouterr().out
    assert f"cact {cact.__version__}" in text
    assert "openmp compiled in:" in text and "threads:" in text and "SIMD kernels in use:" in text


def test_every_public_name_is_importable_from_cact():
    from cact._registry import public_names
    for name in public_names():
        assert callable(getattr(cact, name))
    assert callable(cact.get_num_threads) and callable(cact.set_num_threads)


def test_bench_command_runs_and_accepts_both(tmp_path):
    # the README's main command, on a tiny size; "both" for --dtype and --ops as its help says
    import subprocess
    import sys
    cmd = [sys.executable, "-m", "cact", "bench", "--functions", "relu", "--sizes", "16",
           "--dtype", "both", "--ops", "both", "--repeats", "1"]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert r.returncode == 0, r.stderr
    rows = [line.split() for line in r.stdout.splitlines() if line.startswith("relu")]
    assert sorted((row[1], row[2]) for row in rows) == [
        ("backward", "float32"), ("backward", "float64"), ("forward", "float32"), ("forward", "float64")]
    bad = subprocess.run(cmd[:-6] + ["--dtype", "float8"], capture_output=True, text=True, cwd=tmp_path)
    assert bad.returncode == 2 and "--dtype" in bad.stderr
    half = subprocess.run(cmd[:-6] + ["--dtype", "float16", "--repeats", "1"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=300)
    assert half.returncode == 0, half.stderr
    assert "x f32" in half.stdout and any(line.split()[2] == "float16" for line in half.stdout.splitlines()
                                          if line.startswith("relu"))
    for opt, value in (("--repeats", "0"), ("--threads", "0"), ("--row", "-1"), ("--param", "approximate")):
        bad = subprocess.run(cmd + [opt, value], capture_output=True, text=True, cwd=tmp_path)
        assert bad.returncode == 2 and opt in bad.stderr and "Traceback" not in bad.stderr
    one = subprocess.run(cmd[:-6] + ["--threads", "1", "--repeats", "1"], capture_output=True, text=True,
                         cwd=tmp_path, timeout=300)
    assert one.returncode == 0 and ", 1 thread;" in one.stdout


def test_demo_command_runs_every_derivative(capsys):
    from cact.__main__ import main
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    from cact._registry import ELEMENTWISE
    for act in ELEMENTWISE:
        assert act.name + "_grad:" in out
