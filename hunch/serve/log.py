"""The decision log: one JSON line per decision, appended whole.

Each line is written on a descriptor opened with ``O_APPEND`` while this process
holds a lock within the process (threads) and an exclusive ``flock`` on the file
(the other ``--workers`` processes, and any other hunch serving the same file).
Holding the file lock for the whole of a write and its clean-up is what makes a
line whole across processes: the kernel's own per-write atomicity does not cover a
short write and the bytes that finish or cut it, so without the lock another
worker's line could land between a fragment and its cut and share its line.
Nothing is buffered in Python, so a crash loses no decision already answered.

A full disk (or a file-size limit) makes a write short and the next one fail: the
fragment is cut off again (``ftruncate`` to where the line began) before the lock is
let go, so no other writer ever sees it. A fragment that is still there when a
writer takes the lock (a worker killed in the middle of its write, a truncate that
failed) is found by reading the file's last byte, and ended with a newline before
the next line, so it is one bad line and never glues itself to a good one. The
error is raised (the service answers 503 ``decision_log_unwritable`` and does not
give the decision).

The file's lock is waited for at most ``LOCK_WAIT`` seconds: whoever else holds it
(a stuck process of the same user, a backup tool that locks files) must not hold a
request, and with it an evaluating thread, for ever; past that the decision is a 503
like a full disk.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import threading
import time
from typing import Any

LOCK_WAIT = 5.0  # seconds: half the default --time-budget (10 s, docs/serve.md "Limits")


class DecisionLog:
    def __init__(self, path: str) -> None:
        self.path = path
        self._fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        self._lock = threading.Lock()

    def write(self, entry: dict[str, Any]) -> None:
        from hunch.errors import json_safe

        text = json_safe(json.dumps(entry, ensure_ascii=False, separators=(",", ":")))
        line = (text + "\n").encode()
        with self._lock:
            _lock_file(self._fd, LOCK_WAIT)
            try:
                self._append(line)
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _append(self, line: bytes) -> None:
        """Write ``line`` at the end, after a newline if the file ends in a fragment."""
        start = os.fstat(self._fd).st_size
        data = line if start == 0 or os.pread(self._fd, 1, start - 1) == b"\n" else b"\n" + line
        view = memoryview(data)
        written = 0
        try:
            while written < len(data):
                written += os.write(self._fd, view[written:])
        except OSError:
            if written:
                try:  # no other writer can have appended: we hold the file's lock
                    os.ftruncate(self._fd, start)
                except OSError:
                    pass  # left for the next writer to end with a newline
            raise

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1


__all__ = ["DecisionLog"]


def _lock_file(fd: int, wait: float) -> None:
    """An exclusive flock on ``fd``, waited for at most ``wait`` seconds (then OSError)."""
    deadline = time.monotonic() + wait
    pause = 0.0005
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise OSError(errno.EWOULDBLOCK, f"another process has held its lock for "
                                                 f"over {wait:g} s") from None
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
