"""Builds the csfs Python package (`pip install ./python`); see csfs_build.py."""
import os
import sys

from setuptools import setup

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from csfs_build import setup_kwargs  # noqa: E402

setup(**setup_kwargs(os.path.dirname(os.path.abspath(__file__))))
