"""hunch's version and build, in a module of its own so any layer may read it."""

from __future__ import annotations

__version__ = "0.1.0"

# The name on the package index (pip install hunch-rules). The import package and the
# command stay `hunch`; `hunch` on the index is someone else's placeholder (README,
# "Installing").
DISTRIBUTION = "hunch-rules"

# The modules the opt-in build compiles with mypyc (HUNCH_MYPYC=1 pip install .; the
# build backend's MODULES, _backend/hunch_backend.py: tests/test_build.py checks the
# two agree). docs/limits.md, "Compiled with mypyc".
COMPILABLE = ("hunch.engine.runner", "hunch.engine.certainty")
PURE = "pure Python"
COMPILED = "compiled: mypyc"


def compiled_modules() -> tuple[str, ...]:
    """Which of hunch's modules this installation runs compiled, by where each is loaded
    from (an extension module, not a .py file), without importing them."""
    import importlib.machinery
    import importlib.util

    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    out = []
    for name in COMPILABLE:
        spec = importlib.util.find_spec(name)
        if spec is not None and (spec.origin or "").endswith(suffixes):
            out.append(name)
    return tuple(out)


def build() -> str:
    """``pure Python``, or ``compiled: mypyc`` with the modules compiled when not all are:
    what ``hunch --version`` says after the version."""
    compiled = compiled_modules()
    if not compiled:
        return PURE
    if compiled == COMPILABLE:
        return COMPILED
    return f"{COMPILED} ({', '.join(compiled)} only)"
