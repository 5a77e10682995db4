"""`hunch serve --watch`: reload a pack when its files change, only if it still passes.

watchfiles (inotify on Linux) reports changes, debounced; each changed pack is vetted
in a thread (loaded, `hunch check`, `hunch test`) while the old one keeps serving, and
swapped in only when everything passed. A failure is logged and shown in
GET /v1/status; the last good pack stays.
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
    from watchfiles import awatch

    if loading is not None:
        await loading
    paths = dict(service.registry.paths)
    if not paths:
        return
    async for changes in awatch(*paths.values()):
        for name in changed_packs(paths, changes):
            await reload(service, name)


__all__ = ["changed_packs", "reload", "watch"]
