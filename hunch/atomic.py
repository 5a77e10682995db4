"""Writing output files so that an interrupted run never leaves half a file."""

from __future__ import annotations

import os
import tempfile

from hunch.errors import HunchError


def write_atomic(path: str, text: str) -> None:
    """Write to a temporary file beside ``path``, then rename it over ``path``."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".hunch-", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise HunchError(f"cannot write here: {exc.strerror or exc}", path) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise HunchError(f"cannot write: {exc.strerror or exc}", path) from None
        raise
