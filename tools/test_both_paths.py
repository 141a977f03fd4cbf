"""Run the test suite on the dispatched kernels (AVX2 where the CPU has it), then forced onto the
portable ones (CACT_SIMD=baseline). Used by the wheel builds: python tools/test_both_paths.py TESTS"""
import os
import subprocess
import sys

tests = sys.argv[1] if len(sys.argv) > 1 else "tests"
status = 0
for simd in ("auto", "baseline"):
    print(f"== CACT_SIMD={simd}", flush=True)
    env = dict(os.environ, CACT_SIMD=simd)
    status |= subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", tests], env=env)
sys.exit(status)
