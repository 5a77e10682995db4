"""``hunch.load_pack``: a pack read, checked and compiled, from the cache when fresh.

It lives in the engine layer, not in hunch.pack, because what the cache keeps is
the compiled program as well as the pack (docs/architecture.md).
"""

from __future__ import annotations

import os

from hunch.engine.cache import CacheUnsafe, dependencies, load_cached, pack_key, pack_stamp
from hunch.engine.compile import compile_pack
from hunch.pack.load import load_checked
from hunch.pack.model import Pack
from hunch.pack.read import resolve_pack_path

MAX_SHARED = 16  # packs held by shared_pack at once; the oldest is let go first

# (absolute path, path as given, working folder) -> (stamp, source texts, pack)
_shared: dict[tuple[str, str, str], tuple[str, list[tuple[str, str]], Pack]] = {}


def load_pack(name_or_path: str | None = None, tests: bool = False) -> Pack:
    """Load and check a pack (and its tests, if asked); raise ErrorList with every error.

    Without tests, the checked and compiled pack comes from hunch.engine.cache when
    the pack's files have not changed since it was last loaded.
    """
    path = resolve_pack_path(name_or_path)
    if tests:
        return load_checked(path, tests)
    return load_cached(path, lambda: load_checked(path, tests), compile_pack)


def shared_pack(name_or_path: str | None) -> Pack:
    """The pack for a name or path: the same Pack object while its files are unchanged.

    ``hunch.evaluate("<pack name>", facts)`` goes through here, so calling it in a
    loop loads, compiles and registers the pack's rulesets with durable_rules once,
    not once per call (F11). An edited pack is loaded again; the Pack it replaces
    frees its rulesets when nothing refers to it any more (hunch.engine.evaluate).
    """
    path = resolve_pack_path(name_or_path)
    where = (os.path.abspath(path), path, "" if os.path.isabs(path) else os.getcwd())
    held = _shared.get(where)
    if held is not None and pack_stamp(path, held[1]) == held[0]:
        return held[2]
    _shared.pop(where, None)
    try:
        stamp: str | None = pack_key(path)  # before loading: an edit meanwhile is a miss
    except (OSError, CacheUnsafe):
        stamp = None
    pack = load_pack(path)
    if stamp is not None:
        while len(_shared) >= MAX_SHARED:
            _shared.pop(next(iter(_shared)))
        try:
            _shared[where] = (stamp, dependencies(pack), pack)
        except OSError:
            pass
    return pack
