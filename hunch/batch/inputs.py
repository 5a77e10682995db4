"""A batch's inputs as Items: situation files, directories (their *.yaml and *.yml
files, sorted) and ``-``, standard input, either JSON Lines (one object of facts per
line) or one YAML or JSON situation (see read_stdin for how the two are told apart).
Every input becomes exactly one Item, possibly an error item: nothing is dropped."""

from __future__ import annotations

import json
import os
import re
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO, NamedTuple

from hunch.batch.strict_json import JsonProblem, depth_of, strict_loads
from hunch.errors import HunchError, SituationError
from hunch.pack.yamlsource import MAX_DEPTH, MAX_FILE_BYTES

SURROGATE = re.compile(r"[\ud800-\udfff]")  # lone surrogates: bytes of a name that are not UTF-8
STDIN = "-"
STDIN_LABEL = "<stdin>"
SUFFIXES = (".yaml", ".yml")


class FileItem(NamedTuple):
    """A YAML (or JSON) situation file."""

    label: str  # how outputs name it: the path as display_name shows it
    path: str  # the path itself, for opening the file


class LineItem(NamedTuple):
    """One line of JSON Lines, from standard input or a partition of a file."""

    label: str  # "<stdin>:N" or "file:N"
    raw: bytes
    line: int
    source: str = STDIN_LABEL  # where the line came from, as its errors name it


class TextItem(NamedTuple):
    """One whole YAML (or JSON) situation read from standard input."""

    label: str
    text: str


class BadItem(NamedTuple):
    """An input that could not become a situation: it is reported, never dropped."""

    label: str
    error: str  # the one-line error, already saying where


# One situation to evaluate, or an input that could not become one. NamedTuples, so
# that they pickle to the process pool's workers as they are.
Item = FileItem | LineItem | TextItem | BadItem


def item_source(item: Item) -> str:
    """The file name a situation's own errors carry (a JSON line's source, else stdin's)."""
    return item.source if isinstance(item, LineItem) else STDIN_LABEL


# --- inputs ------------------------------------------------------------------------------

def is_single(inputs: Iterable[str]) -> bool:
    """One situation file, named on its own: errors are then plain errors, not rows."""
    names = list(inputs)
    return len(names) == 1 and names[0] != STDIN and not os.path.isdir(names[0])


def expand(inputs: Iterable[str], stdin: BinaryIO | None = None,
           max_bytes: int = MAX_FILE_BYTES) -> Iterator[Item]:
    """Every input as Items, in order; directories list their situation files sorted."""
    for name in inputs:
        if name == STDIN:
            if stdin is None:
                stdin = stdin_stream()
            if stdin is None:
                yield BadItem(STDIN_LABEL, f"{STDIN_LABEL}: standard input is closed, there is "
                                             f"nothing to read")
            else:
                yield from read_stdin(stdin, max_bytes)[1]
        elif os.path.isdir(name):
            yield from _directory(name)
        else:
            yield file_item(name)


def stdin_stream() -> BinaryIO | None:
    # the binary layer under whatever sys.stdin is now (CliRunner swaps it in tests);
    # None when hunch was started with standard input closed (`<&-`)
    stream = sys.stdin
    return getattr(stream, "buffer", None) if stream is not None else None


def display_name(path: str) -> str:
    """A file name as outputs show it: bytes that are not UTF-8 as ``\\xNN``.

    os.listdir and sys.argv carry such bytes as lone surrogates (PEP 383), which no
    UTF-8 output can hold; the path itself is kept for opening the file.
    """
    if not SURROGATE.search(path):
        return path
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def file_item(path: str) -> Item:
    return FileItem(display_name(path), path)


def _directory(folder: str) -> Iterator[Item]:
    shown = display_name(folder)
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(SUFFIXES))
    except OSError as exc:
        yield BadItem(shown, f"{shown}: cannot list the directory: {exc.strerror or exc}")
        return
    if not names:
        yield BadItem(shown, f"{shown}: no situation files (*.yaml, *.yml) in this directory")
    for name in names:
        yield file_item(os.path.join(folder, name))


def read_stdin(stream: BinaryIO, max_bytes: int = MAX_FILE_BYTES) -> tuple[bool, Iterator[Item]]:
    """Standard input as Items, and whether it is one document rather than JSON Lines.

    JSON Lines when the first non-blank line starts with ``{`` and ends with ``}``: a
    whole JSON object on one line, read (and streamed) line by line. Anything else,
    a YAML mapping or a pretty-printed JSON object, is one situation: the whole input,
    up to ``max_bytes``. (A one-line YAML flow mapping, ``{a: 1}``, therefore reads as
    JSON Lines and gets a JSON error: write it as block YAML.)
    """
    seen: list[bytes] = []
    while True:
        raw = stream.readline(max_bytes + 1)
        seen.append(raw)
        if not raw or raw.strip():
            break
    first = raw.strip()
    if first.startswith(b"{") and first.endswith(b"}"):
        return False, read_jsonl(_Replay(seen, stream), max_bytes)
    item = _document(b"".join(seen), stream, max_bytes)
    # an error item is reported the batch way (exit 2)
    return not isinstance(item, BadItem), iter([item])


def _document(start: bytes, stream: BinaryIO, max_bytes: int) -> Item:
    try:
        return TextItem(STDIN_LABEL, read_document(stream, max_bytes, start))
    except HunchError as exc:
        return BadItem(STDIN_LABEL, exc.format())


def read_document(stream: BinaryIO, max_bytes: int = MAX_FILE_BYTES, start: bytes = b"") -> str:
    """The rest of ``stream`` (after ``start``, already read) as one situation's text."""
    from hunch.errors import YamlError
    from hunch.pack.yamlsource import decode

    raw = start + stream.read(max(0, max_bytes + 1 - len(start)))
    if len(raw) > max_bytes:
        raise YamlError(f"input is over the {max_bytes:,}-byte limit", STDIN_LABEL,
                        hint="raise it with --max-bytes")
    if not raw.strip():
        raise YamlError("no situation on standard input", STDIN_LABEL, 1,
                        hint="expected a YAML or JSON mapping of facts, or JSON Lines")
    return decode(raw, STDIN_LABEL)


class _Replay:
    """A stream whose first lines were already read: they come back first."""

    def __init__(self, lines: list[bytes], stream: BinaryIO) -> None:
        self.lines = deque(line for line in lines if line)
        self.stream = stream

    def readline(self, limit: int = -1) -> bytes:
        if self.lines:
            return self.lines.popleft()
        return self.stream.readline(limit)


def read_jsonl(stream: BinaryIO | _Replay, max_bytes: int = MAX_FILE_BYTES) -> Iterator[Item]:
    """One Item per non-blank line; a line longer than ``max_bytes`` is an error item."""
    number = 0
    found = False
    while True:
        try:
            raw = stream.readline(max_bytes + 1)
        except OSError as exc:  # e.g. EIO from a terminal that went away: the rest is lost
            found = True
            yield BadItem(f"{STDIN_LABEL}:{number + 1}",
                          f"{STDIN_LABEL}:{number + 1}: cannot read standard input: "
                          f"{exc.strerror or exc}")
            break
        if not raw:
            break
        number += 1
        label = f"{STDIN_LABEL}:{number}"
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            _skip_rest_of_line(stream)
            found = True
            yield BadItem(label, f"{label}: line is over the {max_bytes:,}-byte limit (raise it "
                                 f"with --max-bytes)")
            continue
        if not raw.strip():
            continue  # blank lines separate nothing and hold no situation
        found = True
        yield LineItem(label, raw, number)
    if not found:
        yield BadItem(STDIN_LABEL, f"{STDIN_LABEL}:1: no situations (expected one JSON object of "
                                   f"facts per line)")


def _skip_rest_of_line(stream: BinaryIO | _Replay) -> None:
    while True:
        chunk = stream.readline(1 << 16)
        if not chunk or chunk.endswith(b"\n"):
            return


def parse_json_line(raw: bytes, line: int, source: str = STDIN_LABEL) -> dict[str, Any]:
    """One JSON Lines record as a mapping of facts; errors say source:line[:col]."""
    def error(message: str, column: int = 0) -> SituationError:
        return SituationError(message, source, line, column)

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", exc.start + 1) from None
    try:
        data = strict_loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"invalid JSON: {exc.msg}", exc.colno) from None
    except JsonProblem as exc:
        raise error(f"invalid JSON: {exc}") from None
    except RecursionError:
        raise error(f"nested deeper than {MAX_DEPTH} levels") from None
    if not isinstance(data, dict):
        from hunch.pack.values import type_name

        raise error(f"a situation must be a JSON object of facts, got {type_name(data)}")
    if depth_of(data) > MAX_DEPTH:
        raise error(f"nested deeper than {MAX_DEPTH} levels")
    return data
