"""How wide text output may be.

Files and pipes get fixed widths (78 for text, 100 for the ranked tables), so output is
byte-for-byte the same wherever it runs (golden files, diffs of saved results). The
CLI narrows them to fit a terminal: ``set_columns`` with the terminal's width (or
``COLUMNS`` when set), and every renderer asks ``fit``. Nothing here imports the engine:
the CLI sets it before any command runs.
"""

from __future__ import annotations

import os
import re
import shutil
import textwrap
from typing import Any, TextIO

TEXT = 78  # lines of text (explanations, quotes, prompts)
TABLE = 100  # the ranked tables' five columns
NARROWEST = 40  # below this, lines overflow rather than wrap to nothing

_columns: list[int | None] = [None]


def set_columns(columns: int | None) -> None:
    """Fit output to a terminal this many columns wide; None: the fixed widths."""
    _columns[0] = columns


def columns() -> int | None:
    return _columns[0]


def fit(default: int = TEXT) -> int:
    """``default``, or less to fit the terminal (one column spare: no auto-wrap)."""
    width = _columns[0]
    if width is None:
        return default
    return max(min(default, width - 1), NARROWEST)


def terminal_columns(stream: TextIO) -> int | None:
    """COLUMNS when set to a number; else the width of ``stream`` if it is a terminal."""
    value = os.environ.get("COLUMNS", "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    return shutil.get_terminal_size().columns


def fit_table(rows: list[list[Any]], headers: list[str]) -> str:
    """A plain tabulate table; on a terminal too narrow for it, its widest columns wrap."""
    from tabulate import tabulate

    widths: list[int | None] | None = None
    if _columns[0] is not None:
        natural = [max(len(str(cell)) for cell in column)
                   for column in zip(headers, *rows, strict=False)]
        room = fit(10_000) - 2 * (len(natural) - 1)
        if sum(natural) > room:
            widths = list(natural)
            while sum(w or 0 for w in widths) > room and max(w or 0 for w in widths) > 8:
                widest = max(range(len(widths)), key=lambda i: widths[i] or 0)
                widths[widest] = (widths[widest] or 0) - 1
    return str(tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True,
                        maxcolwidths=widths))


_LEAD = re.compile(r"[ │├└─]*")


def fit_lines(text: str) -> str:
    """On a terminal, wrap the lines still wider than it, under their own indent (a tree's
    branches continue as "│"); with no terminal, ``text`` as it is."""
    if _columns[0] is None:
        return text
    limit = fit(10_000)
    out = []
    for line in text.split("\n"):
        if len(line) <= limit:
            out.append(line)
            continue
        lead = _LEAD.match(line).group()  # type: ignore[union-attr]  # matches anything
        hang = lead.replace("├", "│").replace("└", " ").replace("─", " ") + "  "
        if len(hang) > limit - 20:  # too deep to wrap usefully
            out.append(line)
            continue
        out.extend(textwrap.wrap(line[len(lead):], limit, initial_indent=lead,
                                 subsequent_indent=hang, break_on_hyphens=False))
    return "\n".join(out)


__all__ = ["TABLE", "TEXT", "columns", "fit", "fit_lines", "fit_table", "set_columns",
           "terminal_columns"]
