"""Writing output files so that an interrupted run never leaves half a file.

Output goes to a temporary file in the same folder (so the final rename cannot
cross file systems), is flushed to disk, and is renamed over the target only when
everything was written. Any failure or interrupt before that removes the temporary
file and leaves the old target untouched.
"""

from __future__ import annotations

import os
from types import TracebackType
from typing import IO

from hunch.errors import HunchError


class AtomicWriter:
    """A text file that appears at ``path`` whole, or not at all.

    Use it as a context manager: leaving the block normally commits, leaving it by
    an exception (KeyboardInterrupt included) discards.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.tmp = ""
        self._handle: IO[str] | None = None

    def __enter__(self) -> IO[str]:
        folder = os.path.dirname(os.path.abspath(self.path))
        if os.path.isdir(self.path):
            raise HunchError("is a directory, cannot write the output there", self.path)
        try:
            import tempfile  # here, not at the top: ~3 ms of every start-up otherwise

            fd, self.tmp = tempfile.mkstemp(prefix=".hunch-", suffix=".tmp", dir=folder)
        except OSError as exc:
            raise HunchError(f"cannot write here: {exc.strerror or exc}", self.path) from None
        self._handle = os.fdopen(fd, "w", encoding="utf-8", newline="")
        return self._handle

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if kind is None:
            self.commit()
            return
        self.discard()
        if isinstance(exc, OSError):  # e.g. the disk filled up while writing
            raise HunchError(f"cannot write: {exc.strerror or exc}", self.path) from None

    def commit(self) -> None:
        handle = self._handle
        assert handle is not None, "commit() outside the with block"
        try:
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            _keep_mode(self.path, self.tmp)
            os.replace(self.tmp, self.path)
        except BaseException as exc:
            self.discard()
            if isinstance(exc, OSError):
                raise HunchError(f"cannot write: {exc.strerror or exc}", self.path) from None
            raise
        self._handle = None

    def discard(self) -> None:
        if self._handle is not None:
            try:
                self._handle.close()
            except OSError:
                pass
            self._handle = None
        try:
            os.unlink(self.tmp)
        except OSError:
            pass


def _keep_mode(path: str, tmp: str) -> None:
    """mkstemp makes 0600 files; give the output the mode a plain open() would."""
    try:
        mode = os.stat(path).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)


def write_atomic(path: str, text: str) -> None:
    """Write ``text`` to ``path`` atomically (temporary file beside it, then rename)."""
    with AtomicWriter(path) as handle:
        handle.write(text)
