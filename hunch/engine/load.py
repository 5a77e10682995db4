"""``hunch.load_pack``: a pack read, checked and compiled, from the cache when fresh.

It lives in the engine layer, not in hunch.pack, because what the cache keeps is
the compiled program as well as the pack (docs/architecture.md).
"""

from __future__ import annotations

from hunch.engine.cache import load_cached
from hunch.engine.compile import compile_pack
from hunch.pack.load import load_checked
from hunch.pack.model import Pack
from hunch.pack.read import resolve_pack_path


def load_pack(name_or_path: str | None = None, tests: bool = False) -> Pack:
    """Load and check a pack (and its tests, if asked); raise ErrorList with every error.

    Without tests, the checked and compiled pack comes from hunch.engine.cache when
    the pack's files have not changed since it was last loaded.
    """
    path = resolve_pack_path(name_or_path)
    if tests:
        return load_checked(path, tests)
    return load_cached(path, lambda: load_checked(path, tests), compile_pack)
