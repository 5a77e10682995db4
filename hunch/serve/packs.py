"""The packs a server serves: loaded once, named by a content hash, swapped whole on reload.

A served pack is immutable once loaded; a reload builds a new one beside it and
replaces the registry's entry in one assignment, so a request that already holds
the old one finishes with it, and no request ever sees half of each (docs/serve.md).
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from hunch.engine.cache import MAX_FILES
from hunch.errors import HunchError
from hunch.pack.model import Pack
from hunch.pack.read import builtin_packs, resolve_pack_path


class Served(NamedTuple):
    """One loaded pack, as requests see it."""

    name: str
    path: str
    pack: Pack
    revision: str  # "sha256:..." of the pack's files: changes exactly when they do
    loaded_at: float
    resolved: str = ""  # path with every symlink resolved when it loaded: what is served


@dataclass
class Status:
    """How a pack's last (re)load went, for GET /v1/status."""

    state: str = "loading"  # loading | ok | failed (at start) | reload-failed (old one kept)
    at: float = 0.0
    errors: list[str] = field(default_factory=list)


CHUNK = 1 << 20


def revision(path: str) -> str:
    """A content hash of every file in the pack folder (names and bytes, sorted).

    Read as the pack's own files are read (docs/limits.md): only regular files are
    opened, and never in a way that blocks (a FIFO, a link to /dev/zero or to a
    socket is hashed by its name and kind), each in bounded chunks and refused past
    the file size limit; at most the pack cache's 10,000 files.
    """
    digest = hashlib.sha256()
    root = os.path.abspath(path)
    count = 0
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            count += 1
            if count > MAX_FILES:
                raise HunchError(f"more than {MAX_FILES:,} files in the pack folder", path,
                                 hint="a pack folder holds the pack's own files")
            full = os.path.join(folder, name)
            digest.update(os.path.relpath(full, root).encode("utf-8", "surrogateescape")
                          + b"\0")
            _hash_file(digest, full)
            digest.update(b"\0")
    return "sha256:" + digest.hexdigest()[:16]


def _hash_file(digest: Any, full: str) -> None:
    from hunch.errors import YamlError
    from hunch.limits import MAX_FILE_BYTES
    from hunch.pack.yamlsource import _open_regular

    try:
        handle = _open_regular(full, full)
    except YamlError as exc:  # not a regular file: its kind is its content
        digest.update(b"\1" + exc.message.encode())
        return
    except FileNotFoundError:  # a dangling link
        digest.update(b"\1dangling")
        return
    except OSError as exc:
        raise HunchError(f"cannot read: {exc.strerror or exc}", full) from None
    size = 0
    with handle:
        while chunk := handle.read(CHUNK):
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                raise HunchError(f"file is over the {MAX_FILE_BYTES:,}-byte limit of a file "
                                 f"in a pack folder", full,
                                 hint="a pack folder holds the pack's own files: move it out")
            digest.update(chunk)


def load_served(name_or_path: str) -> Served:
    """Load, check and compile one pack (raises HunchError as the CLI would)."""
    from hunch.batch.run import prepare
    from hunch.engine.load import load_pack

    path = resolve_pack_path(name_or_path)
    for _ in range(3):  # the files may change while we read them: hash before and after
        resolved = os.path.realpath(path)
        before = revision(path)
        pack = load_pack(path)
        prepare(pack)
        if revision(path) == before and os.path.realpath(path) == resolved:
            return Served(pack.name, path, pack, before, time.time(), resolved)
    raise HunchError("the pack's files kept changing while it loaded", path,
                     hint="try again when the edit is finished")


def vetted(path: str) -> tuple[Served | None, list[str]]:
    """A changed pack, loaded only if it checks clean and passes its own tests.

    Returns the new pack, or None and every reason it was refused (one line each,
    as `hunch check` and `hunch test` print them).
    """
    try:
        for _ in range(3):
            before = revision(path)
            errors = _check_and_test(path)
            if errors:
                return None, errors
            served = load_served(path)
            # what is swapped in is what was checked and tested: the same content
            # throughout, else it is vetted again (an edit landed in between)
            if served.revision == before:
                return served, []
    except HunchError as exc:
        return None, [exc.format()]
    except (OSError, RecursionError) as exc:
        return None, [f"{path}: cannot load the pack: {exc}"]
    return None, [f"{path}: the pack's files kept changing while they were checked and "
                  f"tested; the next change will be vetted again"]


def _check_and_test(path: str) -> list[str]:
    """Every reason `hunch check` and `hunch test` give to refuse the pack, one line each."""
    from hunch.authoring.lint import check
    from hunch.authoring.packtest import run_tests
    from hunch.engine.load import load_pack

    report = check(path)
    if report.errors:
        return [e.format() for e in report.errors]
    tested = run_tests(load_pack(path, tests=True))
    return [_failure(o) for o in tested.outcomes if not o.passed]


def _failure(outcome: object) -> str:
    from hunch.authoring.packtest import CaseOutcome

    assert isinstance(outcome, CaseOutcome)
    test = outcome.test
    if outcome.error is not None:
        return f"test {test.name} ({test.loc}): {outcome.error.format()}"
    return f"test {test.name} ({test.loc}) failed: " + "; ".join(str(f) for f in outcome.failures)


def _freeze() -> None:
    """Keep the garbage collector from rescanning the packs on every full collection.

    The packs live as long as the server; every request allocates enough to set off
    collections, and a full one walked every object of every pack (as in `hunch
    evaluate`, which freezes its pack for the same reason: docs/performance.md).
    """
    import gc

    gc.freeze()


class Registry:
    """Every served pack by name, their load status, and whether all have loaded."""

    def __init__(self, names: list[str]) -> None:
        self.names = list(names) or builtin_packs()
        self.packs: dict[str, Served] = {}
        self.status: dict[str, Status] = {}
        self.paths: dict[str, str] = {}  # pack name -> folder, for --watch
        self.ready = False
        self.failed = ""
        self._lock = threading.Lock()  # reloads, one at a time

    def load_all(self) -> None:
        """Load every pack; the registry is ready when all have loaded."""
        try:
            for name in self.names:
                served = load_served(name)
                self._put(served)
        except HunchError as exc:
            self.failed = exc.format()
            return
        _freeze()
        self.ready = True

    def _put(self, served: Served) -> None:
        self.packs[served.name] = served
        self.paths[served.name] = served.path
        self.status[served.name] = Status("ok", served.loaded_at)

    def get(self, name: str) -> Served | None:
        return self.packs.get(name)

    def reload(self, name: str) -> Status:
        """Vet the pack's files again; swap the new pack in only if it passed."""
        with self._lock:
            old = self.packs[name]
            new, errors = vetted(old.path)
            if new is not None and new.name != name:
                errors = [f"{old.path}: the pack's name changed from {name!r} to "
                          f"{new.name!r} (restart the server to rename a pack)"]
                new = None
            if new is None:
                status = Status("reload-failed", time.time(), errors)
                self.status[name] = status
                return status
            self._put(new)
            _freeze()
            return self.status[name]


__all__ = ["Registry", "Served", "Status", "load_served", "revision", "vetted"]
