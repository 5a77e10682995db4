"""A cache of loaded, checked and compiled packs, so a cold start skips the YAML.

Loading the built-in pack (YAML, checks) and compiling it is about 14 ms of a
cold `hunch evaluate`; reading the pickled result back is about 1 ms. The key is
hunch's version, the pack's absolute path, and the size and modification time of
every file in the pack folder, so any edit to the pack misses the cache. The cache
lives in $HUNCH_CACHE_DIR, else $XDG_CACHE_HOME/hunch, else ~/.cache/hunch;
HUNCH_CACHE_DIR=off disables it. Every failure (unreadable, corrupt, stale,
read-only home) silently falls back to loading the pack; nothing depends on it.
"""

from __future__ import annotations

import os
import pickle
import zlib
from collections.abc import Callable
from typing import Any

from hunch.engine.compile import CompiledPack
from hunch.pack.model import Pack

FORMAT = 6  # bump when Pack, CompiledPack or their parts change shape


def cache_dir() -> str | None:
    configured = os.environ.get("HUNCH_CACHE_DIR")
    if configured:
        return None if configured.lower() in ("off", "0", "no") else configured
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "hunch")


def pack_key(path: str) -> str:
    """Everything a cached pack depends on, as one string."""
    from hunch.version import __version__

    root = os.path.abspath(path)
    # the path as given is in every error location the pack holds, so it is part
    # of the key, and so is the working folder it is relative to
    parts = [f"{FORMAT}", __version__, root, path, "" if os.path.isabs(path) else os.getcwd()]
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(folder, name)
            st = os.stat(full)
            parts.append(f"{os.path.relpath(full, root)}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(parts)


def load_cached(path: str, load: Callable[[], Pack],
                compile_pack: Callable[[Pack], CompiledPack]) -> Pack:
    """The pack at ``path`` with its compiled form attached, from the cache if fresh.

    Only packs that loaded without error are ever cached, so a cached pack is as
    good as a freshly checked one.
    """
    folder = cache_dir()
    if folder is None:
        return load()
    try:
        key = pack_key(path)
    except OSError:
        return load()
    # crc32 only names the file (hashlib costs ~2 ms to import); the full key is
    # stored inside and compared, so a collision is just a miss
    file = os.path.join(folder, f"{zlib.crc32(key.encode()):08x}.pickle")
    cached = _read(file, key)
    if cached is not None:
        pack, program = cached
        pack.__dict__["_compiled"] = program
        return pack
    pack = load()
    program = compile_pack(pack)
    pack.__dict__["_compiled"] = program
    _write(folder, file, key, pack, program)
    return pack


def _read(file: str, key: str) -> tuple[Pack, CompiledPack] | None:
    try:
        with open(file, "rb") as handle:
            data: Any = pickle.load(handle)  # our own cache, in the user's own folder
    except Exception:  # noqa: BLE001 - a missing or damaged cache is just a miss
        return None
    if (isinstance(data, tuple) and len(data) == 3 and data[0] == key
            and isinstance(data[1], Pack) and isinstance(data[2], CompiledPack)):
        return data[1], data[2]
    return None


def _write(folder: str, file: str, key: str, pack: Pack, program: CompiledPack) -> None:
    state = {k: v for k, v in pack.__dict__.items() if not k.startswith("_")}
    clean = Pack.__new__(Pack)
    clean.__dict__.update(state)
    tmp = f"{file}.{os.getpid()}.tmp"
    try:
        os.makedirs(folder, exist_ok=True)
        with open(tmp, "wb") as handle:
            pickle.dump((key, clean, program), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, file)
    except Exception:  # noqa: BLE001 - caching is best effort (read-only home, full disk)
        try:
            os.unlink(tmp)
        except Exception:  # noqa: BLE001
            pass
