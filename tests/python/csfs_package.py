"""The csfs Python package for the tests: installed from python/ with pip.

`pip install --no-build-isolation --no-deps --target BUILD_DIR/python-pkg
python/` -- the real install path, into the build tree rather than the shared
venv -- redone only when a source of the package or of the library changed
since the last install (pip's own build reuses up-to-date objects in
python/build/). A lock serialises test files that start together under
`ctest -j`.
"""
import fcntl
import hashlib
import os
import pathlib
import subprocess
import sys

from conftest import BUILD_DIR, SOURCE_DIR

PKG_DIR = BUILD_DIR / "python-pkg"
STAMP = PKG_DIR / ".csfs-sources"
LOCK = SOURCE_DIR / "python" / "build" / ".install.lock"


def _fingerprint():
    h = hashlib.sha256()
    patterns = [("python", "*.py"), ("python", "*.toml"), ("python/csfs", "*"),
                ("src", "**/*.[ch]"), ("include", "**/*.h")]
    for folder, pattern in patterns:
        for p in sorted((SOURCE_DIR / folder).glob(pattern)):
            if p.is_file():
                st = p.stat()
                h.update(f"{p.relative_to(SOURCE_DIR)} {st.st_mtime_ns} {st.st_size}\n".encode())
    h.update(sys.executable.encode())
    return h.hexdigest()


def pip_install(source, target):
    """pip-installs the package from source (a directory) into target."""
    cmd = [sys.executable, "-m", "pip", "install", "--no-build-isolation", "--no-deps",
           "--upgrade", "--quiet", "--target", str(target), str(source)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n"
                           f"{proc.stderr}")


def locked():
    """A context manager holding the build lock (python/build/ is shared)."""
    LOCK.parent.mkdir(parents=True, exist_ok=True)

    class _Lock:
        def __enter__(self):
            self.f = open(LOCK, "w")
            fcntl.flock(self.f, fcntl.LOCK_EX)

        def __exit__(self, *exc):
            fcntl.flock(self.f, fcntl.LOCK_UN)
            self.f.close()

    return _Lock()


def ensure_installed():
    """Installs the package into PKG_DIR when stale; returns PKG_DIR."""
    with locked():
        fp = _fingerprint()
        if not (STAMP.exists() and STAMP.read_text() == fp):
            pip_install(SOURCE_DIR / "python", PKG_DIR)
            STAMP.write_text(fp)
    return PKG_DIR


def import_csfs():
    """The installed csfs package (PKG_DIR first on sys.path)."""
    path = str(ensure_installed())
    if path not in sys.path:
        sys.path.insert(0, path)
    import csfs
    assert pathlib.Path(csfs.__file__).is_relative_to(PKG_DIR), csfs.__file__
    return csfs


def env_with_package(extra=None):
    """Environment for a subprocess that imports the installed package."""
    env = dict(os.environ)
    paths = [str(PKG_DIR)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.update(extra or {})
    return env
