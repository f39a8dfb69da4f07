"""`pip install .` from the repository root: the Python package in python/,
built by the same description as `pip install ./python` (python/csfs_build.py)."""
import os
import sys

from setuptools import setup

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "python"))
from csfs_build import setup_kwargs  # noqa: E402

setup(**setup_kwargs(here))
