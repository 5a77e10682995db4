"""The decision log: one JSON line per decision, appended whole.

Each line is written by ONE ``os.write`` on a descriptor opened with ``O_APPEND``,
under a lock within the process. On Linux a write to a regular file holds the
file's lock for its whole length and O_APPEND puts it at the end atomically, so
lines from threads and from ``--workers`` processes never interleave or overwrite
each other; a short write (a full disk) is finished under the same lock and
reported. Nothing is buffered in Python, so a crash loses no decision already
answered.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any


class DecisionLog:
    def __init__(self, path: str) -> None:
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._lock = threading.Lock()

    def write(self, entry: dict[str, Any]) -> None:
        data = (json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        with self._lock:
            view = memoryview(data)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1


__all__ = ["DecisionLog"]
