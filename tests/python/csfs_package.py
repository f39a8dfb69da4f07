"""The csfs Python package for the tests: the one the CMake build made.

The build tree's python/csfs/ holds the extension module csfs._csfs (built by
cmake/python.cmake from python/csfs/*.c over the library's own objects, for
the interpreter running the tests) beside copies of the package's Python
files: the same files a wheel holds. `pip install .` and `pip wheel .` from a
fresh clone are checked by scripts/install_check.sh.
"""
import os
import pathlib
import sys

from conftest import BUILD_DIR

PKG_DIR = BUILD_DIR / "python"


def ensure_installed():
    """The directory to put on sys.path / PYTHONPATH; fails if it was not built."""
    if not any((PKG_DIR / "csfs").glob("_csfs*.so")):
        raise RuntimeError(f"no csfs extension in {PKG_DIR}/csfs: configure with "
                           "-DCSFS_PYTHON=ON (Python headers and NumPy needed) and build")
    return PKG_DIR


def import_csfs():
    """The built csfs package (PKG_DIR first on sys.path)."""
    path = str(ensure_installed())
    if path not in sys.path:
        sys.path.insert(0, path)
    import csfs
    assert pathlib.Path(csfs.__file__).is_relative_to(PKG_DIR), csfs.__file__
    return csfs


def env_with_package(extra=None):
    """Environment for a subprocess that imports the built package."""
    env = dict(os.environ)
    paths = [str(PKG_DIR)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.update(extra or {})
    return env
