"""The cyclic garbage collector around start-up: the one module that pauses and
resumes it for the command line.

Start-up makes tens of thousands of objects that live for the whole run (modules,
click's command tree, the unpickled pack); the collector would rescan them again
and again and free nothing. Measured: pausing it until the command starts its real
work saves ~2.4 ms of a cold `hunch evaluate` (docs/performance.md). The console
script pauses it (``pause``, from hunch.cli.console); the group resumes it before a
command runs (``resume_for``, from hunch.cli.app), except for a command marked
``@loads_first``, which resumes it itself once what it loaded is frozen
(``resume(freeze=True)``): `evaluate`, whose pack then stays out of every
collection (measured: ~40 % of an evaluation on a 5,000-rule pack). Nothing is
paused for programs that import the library or hunch.cli.app: only the console
script pauses. The engine's own pause while it evaluates is another matter
(hunch/engine/evaluate.py, docs/performance.md "Growth").
"""

from __future__ import annotations

import gc
from typing import TypeVar

# imports nothing else: the console script pauses the collector before importing click
C = TypeVar("C")
_LOADS_FIRST: list[object] = []  # the commands that resume the collector themselves


def loads_first(command: C) -> C:
    """Mark a command that resumes the collector itself, after loading what it keeps."""
    _LOADS_FIRST.append(command)
    return command


def pause() -> None:
    gc.disable()


def resume(freeze: bool = False) -> None:
    """Turn the collector back on; with ``freeze``, first move everything alive now
    (what the command loaded for the whole run) out of its reach."""
    if freeze:
        gc.freeze()
    gc.enable()


def resume_for(command: object) -> None:
    """Resume now, unless ``command`` resumes it itself."""
    if not any(command is marked for marked in _LOADS_FIRST):
        resume()


__all__ = ["loads_first", "pause", "resume", "resume_for"]
