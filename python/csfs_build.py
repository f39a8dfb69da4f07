"""The one build description of the csfs Python package.

Both setup.py files (the repository root's and python/'s) call setup_kwargs(),
so `pip install .` and `pip install ./python` build the same thing: the
extension module csfs._csfs, compiled from python/csfs/_csfs.c together with
every C source of the library under src/ (the same sources the CLI links; no
CMake needed), linked against the system zstd, lz4, zlib and snappy.

Compiling the library's C files one after the other is slow, so build_ext
here compiles them in parallel and reuses object files that are newer than
their source and every header (pip builds in the source tree, so python/build/
persists between installs).
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from setuptools import Extension
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))  # python/
ROOT = os.path.dirname(HERE)                        # the repository


def _version():
    with open(os.path.join(ROOT, "include", "csfs", "common.h"), encoding="utf-8") as f:
        m = re.search(r'#define\s+CSFS_VERSION_STRING\s+"([^"]+)"', f.read())
    if not m:
        raise RuntimeError("CSFS_VERSION_STRING not found in include/csfs/common.h")
    return m.group(1)


def _pkg_config(*names):
    """(include dirs, library dirs, libraries) from pkg-config, or plain names."""
    libs = ["zstd", "lz4", "z", "snappy", "m"]
    if not shutil.which("pkg-config"):
        return [], [], libs
    try:
        out = subprocess.run(["pkg-config", "--cflags", "--libs", *names], check=True,
                             capture_output=True, text=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return [], [], libs
    incs = [t[2:] for t in out if t.startswith("-I")]
    dirs = [t[2:] for t in out if t.startswith("-L")]
    found = [t[2:] for t in out if t.startswith("-l")]
    return incs, dirs, found + [lib for lib in libs if lib not in found]


class ParallelBuildExt(build_ext):
    """build_ext that compiles sources in parallel and skips up-to-date objects."""

    def get_source_files(self):
        # For setuptools' file manifest only, which cannot hold ../ paths (the
        # library sources seen from python/); nothing is built from a manifest.
        return [s for ext in self.extensions for s in [*ext.sources, *ext.depends]
                if not s.startswith("..")]

    def build_extensions(self):
        import numpy

        compiler = self.compiler
        serial_compile = compiler.compile
        # Objects are reused only when built by the same compiler, flags,
        # Python and NumPy headers; anything else forces a full build.
        signature = json.dumps([compiler.compiler_so, sys.version, numpy.__version__,
                                numpy.get_include(),
                                [[e.include_dirs, e.define_macros, e.extra_compile_args]
                                 for e in self.extensions]])
        sig_path = os.path.join(self.build_temp, "csfs-objects.sig")
        try:
            with open(sig_path, encoding="utf-8") as f:
                reuse = not self.force and f.read() == signature
        except OSError:
            reuse = False
        self.force = self.force or not reuse
        headers = [p for d in ("include", "src") for p in
                   glob.glob(os.path.join(ROOT, d, "**", "*.h"), recursive=True)]
        newest_header = max((os.path.getmtime(h) for h in headers), default=0.0)

        def compile(sources, output_dir=None, macros=None, include_dirs=None, debug=0,
                    extra_preargs=None, extra_postargs=None, depends=None):
            macros, _, extra, pp_opts, _ = compiler._setup_compile(
                output_dir, macros, include_dirs, [], depends, extra_postargs)
            cc_args = compiler._get_cc_args(pp_opts, debug, extra_preargs)
            # Objects named after the source's place in the repository, so that
            # ../src/a.c does not land outside the build directory.
            build, objects = {}, []
            for src in sources:
                ext = os.path.splitext(src)[1]
                rel = os.path.splitext(os.path.relpath(os.path.abspath(src), ROOT))[0]
                obj = os.path.join(output_dir or ".", rel + compiler.obj_extension)
                os.makedirs(os.path.dirname(obj), exist_ok=True)
                build[obj] = (src, ext)
                objects.append(obj)

            def one(obj):
                src, ext = build[obj]
                if (reuse and os.path.exists(obj)
                        and os.path.getmtime(obj) >= os.path.getmtime(src)
                        and os.path.getmtime(obj) >= newest_header):
                    return
                compiler._compile(obj, src, ext, cc_args, extra, pp_opts)

            jobs = self.parallel if isinstance(self.parallel, int) and self.parallel > 0 \
                else (os.cpu_count() or 1)
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                list(pool.map(one, objects))  # list(): re-raise the first failure
            return objects

        compiler.compile = compile
        try:
            super().build_extensions()
        finally:
            compiler.compile = serial_compile
        os.makedirs(self.build_temp, exist_ok=True)
        with open(sig_path, "w", encoding="utf-8") as f:
            f.write(signature)


def setup_kwargs(setup_dir):
    """Arguments of setuptools.setup() for a setup.py living in setup_dir."""
    rel = os.path.relpath(HERE, setup_dir)  # "." or "python"

    def here(*parts):
        return os.path.normpath(os.path.join(rel, *parts))

    lib_sources = sorted(glob.glob(os.path.join(ROOT, "src", "**", "*.c"), recursive=True))
    if not lib_sources:
        raise RuntimeError(f"no library sources in {ROOT}/src: build from a checkout of csfs")
    incs, lib_dirs, libs = _pkg_config("libzstd", "liblz4", "zlib")
    import numpy  # build requirement (pyproject.toml): headers only

    ext = Extension(
        "csfs._csfs",
        # Relative paths: setuptools refuses absolute ones in its file lists.
        sources=sorted(glob.glob(here("csfs", "*.c"))) + [os.path.relpath(p, setup_dir) for p in lib_sources],
        include_dirs=[os.path.join(ROOT, "include"), os.path.join(ROOT, "src"),
                      numpy.get_include(), *incs],
        library_dirs=lib_dirs,
        libraries=libs,
        define_macros=[("_POSIX_C_SOURCE", "200809L"),
                       ("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=["-std=c11", "-pthread", "-Wno-unused-parameter"],
        extra_link_args=["-pthread"],
        depends=[os.path.relpath(p, setup_dir) for p in
                 sorted(glob.glob(os.path.join(ROOT, "include", "*.h")))
                 + sorted(glob.glob(os.path.join(ROOT, "src", "**", "*.h"), recursive=True))],
    )
    return dict(
        name="csfs",
        version=_version(),
        description="GRASP2018 CSF lists to machine-learning descriptor matrices "
                    "(rcsfs-compatible), in C",
        long_description="Python binding of the csfs C library: descriptor matrices of "
                         "GRASP2018 CSF lists straight into NumPy, and the rcsfs 1.2 API.",
        python_requires=">=3.9",
        install_requires=["numpy>=1.23"],  # the C API level NumPy 2 headers target
        packages=["csfs"],
        package_dir={"csfs": here("csfs")},
        package_data={"csfs": ["py.typed", "*.pyi"]},
        ext_modules=[ext],
        cmdclass={"build_ext": ParallelBuildExt},
        # One build directory for both entry points, never the root's build/
        # (the CMake build tree).
        options={"build": {"build_base": here("build")},
                 "egg_info": {"egg_base": here("build")}},
        zip_safe=False,
    )
