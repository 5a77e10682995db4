"""The decision log: one JSON line per decision, appended whole.

Each line is written by ONE ``os.write`` on a descriptor opened with ``O_APPEND``,
under a lock within the process. On Linux a write to a regular file holds the
file's lock for its whole length and O_APPEND puts it at the end atomically, so
lines from threads and from ``--workers`` processes never interleave or overwrite
each other; a short write is finished under the same lock. Nothing is buffered
in Python, so a crash loses no decision already answered.

A full disk (or a file-size limit) makes a write short and the next one fail: the
fragment is cut off again (``ftruncate`` to where the line began, under the same
lock) when nothing was appended after it; otherwise the fragment is ended with a
newline before the next line, so it is one bad line and never glues itself to a
good one. The error is raised (the service answers 503 ``decision_log_unwritable``
and does not give the decision).
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
        self._broken = False  # the file ends in a fragment that could not be cut off

    def write(self, entry: dict[str, Any]) -> None:
        from hunch.errors import json_safe

        text = json_safe(json.dumps(entry, ensure_ascii=False, separators=(",", ":")))
        data = (text + "\n").encode()
        with self._lock:
            if self._broken:
                data = b"\n" + data
            view = memoryview(data)
            written = 0
            try:
                while written < len(data):
                    written += os.write(self._fd, view[written:])
            except OSError:
                if written:
                    self._cut(written)
                raise
            self._broken = False

    def _cut(self, written: int) -> None:
        """Undo a partial line: truncate it away, or else end it before the next line."""
        end = os.lseek(self._fd, 0, os.SEEK_CUR)  # O_APPEND: just after our fragment
        try:
            if os.fstat(self._fd).st_size == end:  # nothing appended after it since
                os.ftruncate(self._fd, end - written)
                return
        except OSError:
            pass
        self._broken = True

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1


__all__ = ["DecisionLog"]
