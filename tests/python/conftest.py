"""Shared fixtures: where the csfs binary, the library and shared/ are."""
import json
import os
import pathlib
import subprocess

import numpy as np
import pytest

SOURCE_DIR = pathlib.Path(os.environ.get("CSFS_SOURCE_DIR", pathlib.Path(__file__).parents[2]))
BUILD_DIR = pathlib.Path(os.environ.get("CSFS_BUILD_DIR", SOURCE_DIR / "build"))
SHARED_ROOT = pathlib.Path(os.environ.get("CSFS_SHARED_DIR", SOURCE_DIR.parent / "shared"))
CSFS_BIN = pathlib.Path(os.environ.get("CSFS_BIN", BUILD_DIR / "csfs"))
BUNDLED_DIR = SOURCE_DIR / "tests" / "data"  # small real fixtures in every clone


class DataPath(os.PathLike):
    """A test data file or folder of shared/ (named by its place there, e.g.
    data/grasp/x.c), looked up when used: first in tests/data (the bundled
    fixtures, laid out as shared/ without its data/ level), then in
    CSFS_SHARED_DIR. A path found in neither skips the test that uses it (one
    line naming the file), so that a clone without shared/ runs every test
    its own fixtures allow. `/` gives another DataPath; exists() and glob()
    look in both places; f-strings never skip (they show the shared/ path of a
    missing file); anything else acts on the found Path."""

    def __init__(self, rel=()):
        self._rel = tuple(rel)

    def __truediv__(self, part):
        return DataPath(self._rel + tuple(pathlib.PurePath(part).parts))

    def _candidates(self):
        bundled = self._rel[1:] if self._rel[:1] == ("data",) else self._rel
        return [BUNDLED_DIR.joinpath(*bundled), SHARED_ROOT.joinpath(*self._rel)]

    def exists(self):
        return any(p.exists() for p in self._candidates())

    def glob(self, pattern):
        seen = {}
        for p in self._candidates():
            for q in sorted(p.glob(pattern)) if p.is_dir() else ():
                seen.setdefault(q.name, q)
        return iter(sorted(seen.values()))

    def path(self):
        """The Path found, or a skip of the calling test."""
        for p in self._candidates():
            if p.exists():
                return p
        pytest.skip(f"needs {'/'.join(self._rel) or '.'} from CSFS_SHARED_DIR "
                    f"({SHARED_ROOT} lacks it and tests/data does not bundle it)",
                    allow_module_level=True)

    def __fspath__(self):
        return str(self.path())

    def __str__(self):
        return str(self.path())

    def __format__(self, spec):  # messages, e.g. skipif reasons made at import
        found = [p for p in self._candidates() if p.exists()]
        return format(str(found[0] if found else self._candidates()[-1]), spec)

    def __repr__(self):
        return f"DataPath({'/'.join(self._rel)!r})"

    # Names need no lookup (test ids are made from them at collection).
    name = property(lambda self: pathlib.PurePath(*self._rel).name)
    stem = property(lambda self: pathlib.PurePath(*self._rel).stem)
    suffix = property(lambda self: pathlib.PurePath(*self._rel).suffix)

    def __getattr__(self, name):
        if name.startswith("_"):  # introspection (pytest, copy, pickle): no lookup
            raise AttributeError(name)
        return getattr(self.path(), name)


SHARED_DIR = DataPath()  # shared/ (bundled copies first)
GRASP_DIR = SHARED_DIR / "data" / "grasp"
GOLDEN_DIR = SHARED_DIR / "golden"
RUNS_DIR = SHARED_DIR / "data" / "grasp-runs"
LIST_NAMES = sorted(p.stem for p in GRASP_DIR.glob("*.c"))


def golden(name, kind):
    """Expected matrix for a list: kind is 'raw', 'norm' or 'v2'."""
    return np.load((GOLDEN_DIR / f"{name}.{kind}.npy").path())


def run_csfs(*args, check=True, input=None, env=None):
    """Runs the CLI; returns the CompletedProcess (text mode)."""
    proc = subprocess.run([str(CSFS_BIN), *map(str, args)], capture_output=True, text=True,
                          input=input, env=env)
    if check and proc.returncode != 0:
        raise AssertionError(f"csfs {' '.join(map(str, args))} failed ({proc.returncode}):\n"
                             f"{proc.stderr}")
    return proc


def edge_cases():
    with open(GOLDEN_DIR / "edge_cases.jsonl") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture
def tmp(tmp_path):
    return tmp_path
