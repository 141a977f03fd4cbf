"""Build cact's Cython extension.

- ``cact/_kernels.pyx`` is generated from ``cact/_kernels.pyx.tp`` (Tempita, shipped with Cython).
- OpenMP is detected with a compile-and-link test; without it the build succeeds and the kernels run
  serially (a warning says so).
- Flags: ``-O3 -fno-math-errno -fno-trapping-math -ffp-contract=off``. No fast-math (GCC then links
  crtfastmath.o, which flushes subnormals to zero for the whole process, and NaN/inf handling
  breaks) and no tuning for the build machine's CPU: wheels must run on any x86-64; the AVX2 and
  AVX-512 builds are further modules chosen at run time.
"""
import glob
import os
import platform
import shutil
import sys
import tempfile
import textwrap
import warnings

import numpy as np
from Cython.Build import cythonize
from Cython.Tempita import sub as tempita_sub
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))


# The kernels are compiled three times on x86-64: for baseline x86-64 (runs anywhere), for x86-64-v3
# (AVX2 + FMA) and for x86-64-v4 (AVX-512 F/BW/CD/DQ/VL, 512-bit vectors preferred: GCC's generic
# tuning would keep 256). cact/_dispatch.py picks the best one the CPU runs at import (CACT_SIMD
# forces one). Elsewhere only the portable build exists.
KERNEL_MODULES = {"_kernels": []}
if platform.machine().lower() in ("x86_64", "amd64") and sys.platform != "win32":
    if not os.environ.get("CACT_DISABLE_AVX2"):
        KERNEL_MODULES["_kernels_avx2"] = ["-march=x86-64-v3"]
    if not os.environ.get("CACT_DISABLE_AVX512"):
        KERNEL_MODULES["_kernels_avx512"] = ["-march=x86-64-v4", "-mprefer-vector-width=512"]


def generate_from_templates():
    """Expand cact/_kernels.pyx.tp into one .pyx per kernel module (when the template is newer)."""
    pkg = os.path.join(HERE, "cact")
    src = os.path.join(pkg, "_kernels.pyx.tp")
    for module in KERNEL_MODULES:
        dst = os.path.join(pkg, module + ".pyx")
        if os.path.exists(dst) and os.path.getmtime(dst) >= os.path.getmtime(src):
            continue
        with open(src, encoding="utf-8") as f:
            text = tempita_sub(f.read())
        with open(dst, "w", encoding="utf-8") as f:
            f.write("# Generated from _kernels.pyx.tp by setup.py: edit the template, not this file.\n")
            f.write(text)


def openmp_flags(compiler):
    """Return (compile_args, link_args) that enable OpenMP, or None when the toolchain lacks it."""
    if os.environ.get("CACT_DISABLE_OPENMP"):
        return None
    if compiler.compiler_type == "msvc":
        candidates = [(["/openmp"], [])]
    elif sys.platform == "darwin":
        candidates = [(["-Xpreprocessor", "-fopenmp"], ["-lomp"]), (["-fopenmp"], ["-fopenmp"])]
    else:
        candidates = [(["-fopenmp"], ["-fopenmp"])]
    code = textwrap.dedent(
        """
        #include <omp.h>
        #include <stdio.h>
        int main(void) {
            int n = 0;
            #pragma omp parallel reduction(+:n)
            n += 1;
            printf("%d", n > 0 && omp_get_max_threads() > 0);
            return 0;
        }
        """
    )
    tmp = tempfile.mkdtemp()
    try:
        src = os.path.join(tmp, "test_openmp.c")
        with open(src, "w") as f:
            f.write(code)
        for cflags, lflags in candidates:
            try:
                objs = compiler.compile([src], output_dir=tmp, extra_postargs=cflags)
                compiler.link_executable(objs, "test_openmp", output_dir=tmp, extra_postargs=lflags)
            except Exception:
                continue
            return cflags, lflags
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return None


class BuildExt(build_ext):
    def build_extensions(self):
        if not self.parallel:  # the kernel modules are independent: compile them side by side
            self.parallel = min(len(self.extensions), os.cpu_count() or 1)
        compiler = self.compiler
        if compiler.compiler_type == "msvc":
            base = ["/O2", "/fp:precise"]
        else:
            base = ["-O3", "-fno-math-errno", "-fno-trapping-math", "-ffp-contract=off"]
        omp = openmp_flags(compiler)
        if omp is None:
            warnings.warn(
                "cact: OpenMP was not found (compile-and-link test failed); "
                "building serial kernels. Install an OpenMP runtime (libgomp/libomp) for threads."
            )
            cflags, lflags = [], []
        else:
            cflags, lflags = omp
        for ext in self.extensions:
            ext.extra_compile_args = base + cflags + ext.extra_compile_args
            ext.extra_link_args = lflags + ext.extra_link_args
            if compiler.compiler_type != "msvc" and sys.platform.startswith("linux"):
                ext.libraries = list(ext.libraries) + ["m"]
        super().build_extensions()


generate_from_templates()

extensions = [
    Extension(
        "cact." + module,
        ["cact/%s.pyx" % module],
        include_dirs=[np.get_include(), "cact"],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_2_0_API_VERSION")],
        extra_compile_args=list(flags),
        # the C headers are included by the generated C, not tracked by Cython: rebuild on change
        depends=sorted(glob.glob("cact/*.h") + glob.glob("cact/*.inc")),
    )
    for module, flags in KERNEL_MODULES.items()
]

setup(
    ext_modules=cythonize(
        extensions,
        compiler_directives={
            "language_level": 3,
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "initializedcheck": False,
            "nonecheck": False,
        },
    ),
    cmdclass={"build_ext": BuildExt},
)
