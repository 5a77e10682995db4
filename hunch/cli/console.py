"""The `hunch` console script (and ``python -m hunch``): the CLI, started with the
cyclic garbage collector paused and Ctrl-C quiet until the command runs.

The collector's pause and when it ends are hunch/cli/startup.py's (why, and
what it saves); only this entry point pauses it.

Ctrl-C while the modules are still being imported would print a Python traceback
(KeyboardInterrupt inside an import): until the CLI is ready, SIGINT instead ends
the process at once with the usual one line, ``interrupted``, and status 130.
Nothing has been read or written yet, so there is nothing to clean up. The handler
is installed first thing, when this module is imported, and only if SIGINT has
Python's default handler (a shell that started hunch with SIGINT ignored keeps it
ignored). Once the CLI is imported, Ctrl-C is a KeyboardInterrupt again, which
each command turns into its own summary line (hunch.cli.app, hunch.cli.batch).
"""

from __future__ import annotations

import os
import signal
from types import FrameType

EXIT_INTERRUPTED = 130  # hunch.errors.EXIT_INTERRUPTED, not imported: the handler comes first


def _interrupted_at_start(signum: int, frame: FrameType | None) -> None:
    try:
        os.write(2, b"interrupted\n")
    except OSError:  # no standard error to tell: the status still says it
        pass
    os._exit(EXIT_INTERRUPTED)  # nothing to flush or clean up yet


_QUIET = signal.getsignal(signal.SIGINT) is signal.default_int_handler
if _QUIET:
    signal.signal(signal.SIGINT, _interrupted_at_start)


def main() -> None:
    from hunch.cli.startup import pause

    pause()
    # imported here, so click's import is covered too; hunch.errors as well, because
    # app imports it outside its own Ctrl-C handling
    import hunch.errors  # noqa: F401
    from hunch.cli.app import main as run

    if _QUIET and signal.getsignal(signal.SIGINT) is _interrupted_at_start:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    run()


__all__ = ["main"]
