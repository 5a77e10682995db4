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
from typing import NamedTuple

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


@dataclass
class Status:
    """How a pack's last (re)load went, for GET /v1/status."""

    state: str = "loading"  # loading | ok | failed (at start) | reload-failed (old one kept)
    at: float = 0.0
    errors: list[str] = field(default_factory=list)


def revision(path: str) -> str:
    """A content hash of every file in the pack folder (names and bytes, sorted)."""
    digest = hashlib.sha256()
    root = os.path.abspath(path)
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(folder, name)
            digest.update(os.path.relpath(full, root).encode() + b"\0")
            with open(full, "rb") as handle:
                digest.update(handle.read())
            digest.update(b"\0")
    return "sha256:" + digest.hexdigest()[:16]


def load_served(name_or_path: str) -> Served:
    """Load, check and compile one pack (raises HunchError as the CLI would)."""
    from hunch.batch.run import prepare
    from hunch.engine.load import load_pack

    path = resolve_pack_path(name_or_path)
    for _ in range(3):  # the files may change while we read them: hash before and after
        before = revision(path)
        pack = load_pack(path)
        prepare(pack)
        if revision(path) == before:
            return Served(pack.name, path, pack, before, time.time())
    raise HunchError("the pack's files kept changing while it loaded", path,
                     hint="try again when the edit is finished")


def vetted(path: str) -> tuple[Served | None, list[str]]:
    """A changed pack, loaded only if it checks clean and passes its own tests.

    Returns the new pack, or None and every reason it was refused (one line each,
    as `hunch check` and `hunch test` print them).
    """
    from hunch.authoring.lint import check
    from hunch.authoring.packtest import run_tests
    from hunch.engine.load import load_pack

    try:
        report = check(path)
        if report.errors:
            return None, [e.format() for e in report.errors]
        tested = run_tests(load_pack(path, tests=True))
        failures = [_failure(o) for o in tested.outcomes if not o.passed]
        if failures:
            return None, failures
        return load_served(path), []
    except HunchError as exc:
        return None, [exc.format()]
    except (OSError, RecursionError) as exc:
        return None, [f"{path}: cannot load the pack: {exc}"]


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
