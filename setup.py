"""Only the optional mypyc build lives here; everything else is in pyproject.toml.

``HUNCH_MYPYC=1 pip install .`` compiles hunch's hot modules (the in-tree backend,
_backend/hunch_backend.py, says which and why); without it no extension is built and
the wheel is the pure-Python one (docs/limits.md, "Compiled with mypyc").
"""

import os
import sys

from setuptools import setup

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "_backend"))

from hunch_backend import ext_modules  # after its folder is on the path

setup(ext_modules=ext_modules())
