#!/usr/bin/env bash
# Build cact with AddressSanitizer + UndefinedBehaviorSanitizer and run the test suite against it,
# on every kernel build this CPU runs (the default, AVX2 when the default is AVX-512, and
# CACT_SIMD=baseline). Any memory error or undefined behaviour
# aborts the run with a report.   bash tools/sanitize.sh   (GCC; about 5 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
. "$work/venv/bin/activate"
pip install -q "setuptools>=77" "Cython>=3.1" "numpy>=2" pytest hypothesis mpmath threadpoolctl
git ls-files -z | tar --null -T - -cf - | (mkdir "$work/src" && cd "$work/src" && tar xf -)
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g"
(cd "$work/src" && CFLAGS="$san" LDFLAGS="$san" pip install -q --no-build-isolation --no-cache-dir .)
cp -r tests "$work/tests"
export LD_PRELOAD="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)"
# CPython keeps interned objects alive at exit by design: leak checking would only report those.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export CACT_HYPOTHESIS_EXAMPLES=30
cd "$work"
python -c "import cact; cact.show_config()"
# the extensions really are instrumented:
for so in $(python -c "import cact, glob, os; print(' '.join(glob.glob(os.path.join(os.path.dirname(cact.__file__), '_core*.so'))))"); do
    n=$(nm -D "$so" | grep -c "__asan_report\|__ubsan_handle" || true)
    echo "$(basename "$so"): $n sanitizer hooks"
    [ "$n" -gt 0 ]
done
python -m pytest -q -p no:cacheprovider tests
if python -c "import cact._dispatch as d, sys; sys.exit(d.simd != 'avx512')"; then
    CACT_SIMD=avx2 python -m pytest -q -p no:cacheprovider tests
fi
CACT_SIMD=baseline python -m pytest -q -p no:cacheprovider tests
echo "sanitizers: clean"
