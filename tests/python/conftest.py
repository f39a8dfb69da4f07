"""Shared fixtures: where the csfs binary, the library and shared/ are."""
import json
import os
import pathlib
import subprocess

import numpy as np
import pytest

SOURCE_DIR = pathlib.Path(os.environ.get("CSFS_SOURCE_DIR", pathlib.Path(__file__).parents[2]))
BUILD_DIR = pathlib.Path(os.environ.get("CSFS_BUILD_DIR", SOURCE_DIR / "build"))
SHARED_DIR = pathlib.Path(os.environ.get("CSFS_SHARED_DIR", SOURCE_DIR.parent / "shared"))
CSFS_BIN = pathlib.Path(os.environ.get("CSFS_BIN", BUILD_DIR / "csfs"))

GRASP_DIR = SHARED_DIR / "data" / "grasp"
GOLDEN_DIR = SHARED_DIR / "golden"
LIST_NAMES = sorted(p.stem for p in GRASP_DIR.glob("*.c"))


def golden(name, kind):
    """Expected matrix for a list: kind is 'raw', 'norm' or 'v2'."""
    return np.load(GOLDEN_DIR / f"{name}.{kind}.npy")


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
