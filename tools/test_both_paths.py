"""Run the test suite on the dispatched kernels (the best build the CPU runs), then forced onto each
other build this CPU runs (CACT_SIMD=avx2, baseline). Used by the wheel builds:
python tools/test_both_paths.py TESTS"""
import os
import subprocess
import sys

tests = sys.argv[1] if len(sys.argv) > 1 else "tests"
status = 0
probe = "import cact._dispatch as d; print(d.simd)"
best = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout.strip()
levels = ["auto"] + (["avx2"] if best == "avx512" else []) + ["baseline"]
for simd in levels:
    print(f"== CACT_SIMD={simd}", flush=True)
    env = dict(os.environ, CACT_SIMD=simd)
    status |= subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", tests], env=env)
sys.exit(status)
