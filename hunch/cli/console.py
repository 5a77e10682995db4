"""The `hunch` console script (and ``python -m hunch``): the CLI, started with the
cyclic garbage collector paused.

Start-up makes tens of thousands of objects that live for the whole run (modules,
click's command tree, the unpickled pack); the collector would rescan them again
and again and free nothing. Measured: pausing it until the command starts its real
work saves ~2.4 ms of a cold `hunch evaluate` (docs/performance.md). Every command
turns it back on first (hunch.cli.app), except `evaluate`, which does so as soon as
its pack is loaded and frozen (hunch.cli.evaluate). Nothing is paused for programs
that import hunch.cli.app or the library: only this entry point does it.
"""

from __future__ import annotations

import gc


def main() -> None:
    gc.disable()
    from hunch.cli.app import main as run  # imported here, so click's import is covered too

    run()


__all__ = ["main"]
