"""hunch's build backend: setuptools' own, plus an opt-in mypyc build of the hot modules.

``pip install .`` (and every command in the README) builds the pure-Python package
exactly as plain ``setuptools.build_meta`` would: no compiler, no mypy. With
``HUNCH_MYPYC=1`` in the environment, a wheel build (``pip install .``, ``python -m
build --wheel``, or a wheel built from the sdist) also asks for mypy, whose mypyc
compiles the modules in ``MODULES`` to C extensions beside their ``.py`` sources
(setup.py passes them to setuptools; mypyc's documented ``mypycify``). Editable
installs and sdists stay pure whatever the switch says: an sdist is source, and an
editable install runs the checkout's ``.py`` files (docs/limits.md, "Compiled with
mypyc"). ``[build-system].requires`` is static, so the switch can only add mypy here,
in ``get_requires_for_build_wheel``: the reason this backend exists.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from setuptools import build_meta as _setuptools
from setuptools.build_meta import (  # re-exported: the hook this backend leaves alone
    get_requires_for_build_sdist,
)

SWITCH = "HUNCH_MYPYC"
# The modules compiled, as paths from the project root (docs/performance.md, "mypyc"):
# the engine's hot path, each measured to help and to compile without a change of
# behaviour (benchmarks/dump_outputs.py, the suite run against the compiled install).
MODULES = ["hunch/engine/runner.py", "hunch/engine/certainty.py"]
# The mypy whose mypyc built the measured wheels, and the stubs it needs to type-check
# what the compiled modules import (mypyc compiles only code that passes mypy --strict);
# pinned so a compiled build is the one that was measured and tested.
MYPYC = ["mypy==2.4.1", "types-PyYAML==6.0.12.20261122", "types-tabulate==0.10.0.20261006"]

__all__ = [
    "build_editable",
    "build_sdist",
    "build_wheel",
    "get_requires_for_build_editable",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
    "prepare_metadata_for_build_editable",
    "prepare_metadata_for_build_wheel",
]


def compiled_requested(environ: Mapping[str, str] = os.environ) -> bool:
    """Does the environment ask for the mypyc build? ``1`` yes; unset, empty or ``0`` no."""
    value = environ.get(SWITCH, "").strip()
    if value in ("", "0"):
        return False
    if value == "1":
        return True
    # SystemExit: pip shows the line as the build's output, with no traceback
    raise SystemExit(f"{SWITCH}={value!r}: set it to 1 to compile hunch's hot modules with "
                     f"mypyc, or to 0 (or leave it unset) for the pure-Python build")


@contextmanager
def _pure() -> Iterator[None]:
    """Build without compiling, whatever the environment says (setup.py reads it)."""
    saved = os.environ.get(SWITCH)
    os.environ[SWITCH] = "0"
    try:
        yield
    finally:
        if saved is None:
            del os.environ[SWITCH]
        else:
            os.environ[SWITCH] = saved


def get_requires_for_build_wheel(config_settings: dict[str, Any] | None = None) -> list[str]:
    extra = MYPYC if compiled_requested() else []
    with _pure():  # setuptools runs setup.py to ask, before mypy is there to import
        return list(_setuptools.get_requires_for_build_wheel(config_settings)) + extra


def prepare_metadata_for_build_wheel(metadata_directory: str,
                                     config_settings: dict[str, Any] | None = None) -> str:
    with _pure():  # the metadata is the same either way; compiling twice would not be
        return str(_setuptools.prepare_metadata_for_build_wheel(metadata_directory,
                                                                config_settings))


def prepare_metadata_for_build_editable(metadata_directory: str,
                                        config_settings: dict[str, Any] | None = None) -> str:
    with _pure():
        return str(_setuptools.prepare_metadata_for_build_editable(metadata_directory,
                                                                   config_settings))


def build_wheel(wheel_directory: str, config_settings: dict[str, Any] | None = None,
                metadata_directory: str | None = None) -> str:
    compiled_requested()  # a bad value stops here, before anything is built
    return str(_setuptools.build_wheel(wheel_directory, config_settings, metadata_directory))


def get_requires_for_build_editable(config_settings: dict[str, Any] | None = None
                                    ) -> list[str]:
    with _pure():
        return list(_setuptools.get_requires_for_build_editable(config_settings))


def build_editable(wheel_directory: str, config_settings: dict[str, Any] | None = None,
                   metadata_directory: str | None = None) -> str:
    with _pure():
        return str(_setuptools.build_editable(wheel_directory, config_settings,
                                              metadata_directory))


def build_sdist(sdist_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    with _pure():
        return str(_setuptools.build_sdist(sdist_directory, config_settings))


def ext_modules() -> list[Any]:
    """The extension modules setup.py hands setuptools: none unless the switch is on."""
    if not compiled_requested():
        return []
    from mypyc.build import mypycify  # only in a compiled build: mypy is installed there

    # opt_level 3 is mypyc's default, named so the measured build is written down; the
    # group name makes the shared library hunch__mypyc, not a hash of the module list
    extensions = list(mypycify(MODULES, opt_level="3", group_name="hunch"))
    for extension in extensions:
        # The README's CPPFLAGS define (for durable-rules on 3.13) reaches this compile
        # too; before 3.13 Python.h redefines the macro, which mypyc's -Werror rejects.
        # Undefined on the command line, after CPPFLAGS: mypyc's C never calls it.
        extension.undef_macros.append("PyEval_CallObject")
    return extensions
