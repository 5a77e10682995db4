"""`hunch serve --watch`: reload a pack when its files change, only if it still passes.

watchfiles (inotify on Linux) reports changes, debounced; each changed pack is vetted
in a thread (loaded, `hunch check`, `hunch test`) while the old one keeps serving, and
swapped in only when everything passed. A failure is logged and shown in
GET /v1/status; the last good pack stays.

A pack given through a symlink (``current -> v1``, deployed by renaming a new link
over it) is watched at the folder the link points to AND at the link's own folder:
the swap changes no file inside v1, so only the link's folder sees it. At every
event each pack's resolved path is compared with the one being watched; when it
moved, the pack is reloaded and the watch starts again on the new target.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

log = logging.getLogger("hunch.serve")


def changed_packs(paths: dict[str, str], changes: set[tuple[Any, str]]) -> list[str]:
    """The packs (by name) whose folder holds one of the changed files."""
    out = []
    for name, folder in paths.items():
        root = os.path.abspath(folder) + os.sep
        if any(os.path.abspath(changed).startswith(root) for _, changed in changes):
            out.append(name)
    return out


def watched(paths: dict[str, str], seen: dict[str, str]) -> set[str]:
    """Every folder to watch: each pack's resolved folder, and the folder of each link."""
    folders = set(seen.values())
    for path in paths.values():
        if os.path.realpath(path) != os.path.abspath(path):  # reached through a link
            folders.add(os.path.dirname(os.path.abspath(path)))
    return folders


def moved(paths: dict[str, str], seen: dict[str, str]) -> list[str]:
    """The packs whose path now resolves elsewhere than the folder last seen."""
    return [name for name, path in paths.items() if os.path.realpath(path) != seen[name]]


async def reload(service: Any, name: str) -> None:
    status = await asyncio.to_thread(service.registry.reload, name)
    outcome = "ok" if status.state == "ok" else "failed"
    service.metrics.reloads.labels(name, outcome).inc()
    if outcome == "ok":
        log.warning("reloaded pack %s (%s)", name, service.registry.packs[name].revision)
    else:
        log.error("pack %s changed but was not reloaded, still serving %s: %s", name,
                  service.registry.packs[name].revision, " | ".join(status.errors))


async def watch(service: Any, loading: Any) -> None:
    if loading is not None:
        await loading
    registry = service.registry
    paths = dict(registry.paths)
    # where each pack resolved when it loaded: a swap during start-up is seen too
    seen = {name: registry.packs[name].resolved or os.path.realpath(path)
            for name, path in paths.items()}
    while paths:
        swapped = moved(paths, seen) or await _watch_once(service, paths, seen)
        for name in swapped:
            seen[name] = os.path.realpath(paths[name])  # vetted once, passed or not
            await reload(service, name)


async def _watch_once(service: Any, paths: dict[str, str], seen: dict[str, str]) -> list[str]:
    """Reload changed packs until one's path resolves elsewhere; return those."""
    from watchfiles import awatch

    async for changes in awatch(*sorted(watched(paths, seen))):
        swapped = moved(paths, seen)
        if swapped:
            return swapped
        for name in changed_packs(seen, changes):
            await reload(service, name)
    return []


__all__ = ["changed_packs", "moved", "reload", "watch", "watched"]
