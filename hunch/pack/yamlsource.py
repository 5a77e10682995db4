"""Safe YAML loading that remembers where every value came from.

We read pyyaml's event stream (the C parser when available) and build plain Python
values ourselves, in one loop with an explicit stack. That lets us keep a
line:column for every mapping key and sequence item, reject duplicate keys (pyyaml
keeps the last one silently), refuse any tag outside the YAML core schema, and
bound the work an input can cause: size, nesting depth and alias expansion are all
checked as the events arrive, before anything is built. (pyyaml's own composer
recurses in C: a few tens of thousands of ``[`` crash the process.)

Scalars resolve by the YAML 1.2 core schema, as editors and JSON Schema validators
read YAML (pyyaml's resolver is YAML 1.1's): ``010`` is 10, ``0o10`` is 8, ``1e2`` is
100.0, and ``yes``, ``no``, ``on``, ``off`` stay text (docs/limits.md).
"""

from __future__ import annotations

import math
import os
import re
import stat
from collections.abc import Callable
from typing import Any, BinaryIO, NamedTuple

import yaml

from hunch.errors import Location, YamlError
from hunch.limits import MAX_FILE_BYTES as MAX_FILE_BYTES  # its home before hunch.limits
from hunch.record import Record

try:  # the C parser is several times faster on big packs; fall back when libyaml is absent
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the pyyaml build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_DEPTH = 64  # containers inside containers
MAX_NODES = 500_000  # values in a document, counting each alias at its expanded size
MAX_NUMBER_CHARS = 100  # longer numerals are typos or attacks (and overflow the engine)

Path = tuple[Any, ...]

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_NUMERIC = {_INT, _FLOAT}
_NO_KEY = object()

# The YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution): a plain
# scalar matching one of these is that type; any other plain scalar is a string.
_CORE = (
    (_NULL, re.compile(r"null|Null|NULL|~|")),
    (_BOOL, re.compile(r"true|True|TRUE|false|False|FALSE")),
    (_INT, re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")),
    (_FLOAT, re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")),
)
_PATTERN = dict(_CORE)


def resolve(text: str) -> str:
    """The core-schema tag of a plain scalar (``<<`` is kept apart: merge keys are refused)."""
    if text == "<<":
        return _MERGE
    for tag, pattern in _CORE:
        if pattern.fullmatch(text):
            return tag
    return _STR


def _null(text: str) -> None:
    return None


def _bool(text: str) -> bool:
    return text.lower() == "true"


def _int(text: str) -> int:
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)  # leading zeros are decimal: 010 is 10, as in YAML 1.2


def _float(text: str) -> float:
    lower = text.lower()
    if lower.endswith(".inf"):
        return -math.inf if lower.startswith("-") else math.inf
    if lower == ".nan":
        return math.nan
    return float(text)


_CONSTRUCT: dict[str, Callable[[str], Any]] = {
    _NULL: _null, _BOOL: _bool, _INT: _int, _FLOAT: _float}


class Document(Record):
    """A loaded YAML file: its value and the location of every node in it."""

    __slots__ = ("data", "file", "marks")

    def __init__(self, file: str, data: Any, marks: dict[Path, Location] | None = None) -> None:
        self.file = file
        self.data = data
        self.marks: dict[Path, Location] = {} if marks is None else marks

    def loc(self, path: Path) -> Location:
        """The location of the node at ``path``, or of its nearest ancestor."""
        while path:
            if path in self.marks:
                return self.marks[path]
            path = path[:-1]
        return self.marks.get((), Location(self.file, 1, 1))


# --- reading bytes ------------------------------------------------------------------

def read_text(path: str, max_bytes: int = MAX_FILE_BYTES, name: str | None = None) -> str:
    """Read a UTF-8 text file, with one clear error for each way that can fail.

    ``name`` is how errors call the file (a display form of a name that is not UTF-8);
    it defaults to ``path``.
    """
    shown = path if name is None else name
    return decode(read_bytes(path, max_bytes, shown), shown)


def read_bytes(path: str, max_bytes: int = MAX_FILE_BYTES, name: str | None = None) -> bytes:
    """A user's file, whole: the one way hunch reads one (tests/test_reliability3.py
    holds the rest of hunch to it), so every reader refuses what is not a file.

    Only a regular file is read: a FIFO would block forever waiting for a writer,
    and a device or socket is no situation. At most ``max_bytes`` are read.
    """
    shown = path if name is None else name
    try:
        with _open_regular(path, shown) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                raise _too_big(shown, size, max_bytes)
            raw = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise YamlError("no such file", shown) from None
    except PermissionError:
        raise YamlError("permission denied", shown) from None
    except IsADirectoryError:
        raise YamlError("is a directory, expected a YAML file", shown) from None
    except OSError as exc:
        raise YamlError(f"cannot read: {exc.strerror or exc}", shown) from None
    if len(raw) > max_bytes:  # grew since we looked
        raise _too_big(shown, len(raw), max_bytes)
    return raw


_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"))
# O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused right after);
# O_NOCTTY: opening a terminal device must not make it ours
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


def _not_regular(mode: int, shown: str) -> YamlError | None:
    if stat.S_ISREG(mode):
        return None
    kind = next((what for test, what in _KINDS if test(mode)), "not a regular file")
    if kind == "a directory":
        return YamlError("is a directory, expected a YAML file", shown)
    return YamlError(f"is {kind}, not a regular file", shown,
                     hint="hunch reads only regular files: save it to one first")


def _open_regular(path: str, shown: str) -> BinaryIO:
    """``path`` opened for reading, if it is a regular file; never blocks.

    stat first, so a device or a FIFO is never opened at all; then fstat the
    opened descriptor, so a file swapped for a FIFO in between is refused too.
    """
    problem = _not_regular(os.stat(path).st_mode, shown)
    if problem is not None:
        raise problem
    fd = os.open(path, _OPEN_FLAGS)
    try:
        problem = _not_regular(os.fstat(fd).st_mode, shown)
        if problem is not None:
            raise problem
        if _OPEN_FLAGS & getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(fd, True)  # a regular file: plain blocking reads from here on
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _too_big(path: str, size: int, max_bytes: int) -> YamlError:
    return YamlError(f"file is {size:,} bytes, over the {max_bytes:,}-byte limit", path,
                     hint="raise it with --max-bytes if the file is really meant to be this big")


_UTF16_32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"\xff\xfe", b"\xfe\xff")


def decode(raw: bytes, path: str) -> str:
    """UTF-8 bytes (a BOM is allowed) to text; anything else is reported at its place."""
    if raw.startswith(_UTF16_32_BOMS):
        raise YamlError("UTF-16 or UTF-32 text, expected UTF-8", path, 1, 1,
                        hint="save the file as UTF-8")
    if b"\x00" in raw:
        line, column = _line_col(raw, raw.index(b"\x00"))
        raise YamlError("binary file (NUL byte), expected UTF-8 text", path, line, column)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _line_col(raw, exc.start)
        raise YamlError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", path, line, column,
                        hint="save the file as UTF-8") from None


def _line_col(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    return line, offset - (raw.rfind(b"\n", 0, offset) + 1) + 1


# --- parsing --------------------------------------------------------------------------

def load_file(path: str, max_bytes: int = MAX_FILE_BYTES, name: str | None = None) -> Document:
    """Read and parse a YAML file; ``name`` is how locations call it (default ``path``)."""
    shown = path if name is None else name
    return load_text(read_text(path, max_bytes, shown), shown)


def load_text(text: str, file: str) -> Document:
    """Parse one YAML document; an empty file is an error."""
    builder = _Builder(file)
    try:
        for event in yaml.parse(text, Loader=_Loader):
            builder.feed(event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 0)
        if "nesting depth" in problem:
            # PyYAML >= 6.0.4's scanner has its own limit (1,000) and may reach it
            # scanning ahead, before our own depth check sees the events
            raise YamlError(f"nested deeper than {MAX_DEPTH} levels", file, line, col) from None
        raise YamlError(f"invalid YAML: {problem}", file, line, col,
                        hint=_tab_hint(text, line, col)) from None
    except yaml.reader.ReaderError as exc:
        line, col = _text_line_col(text, exc.position)
        raise YamlError(f"character {_char_name(exc.character)} is not allowed in YAML",
                        file, line, col, hint="remove it, or quote it as an escape in "
                                              "double quotes") from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {' '.join(str(exc).split())}", file, 1) from None
    if not builder.done:
        raise YamlError("file is empty", file, 1, hint="it should hold a YAML mapping")
    return builder.doc


def _tab_hint(text: str, line: int, column: int) -> str:
    lines = text.split("\n", line)
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    if 0 < column <= len(here) and here[column - 1] == "\t":
        return "indent with spaces: YAML does not allow tabs there"
    return ""


def _text_line_col(text: str, position: int) -> tuple[int, int]:
    if _Loader.__name__ == "CSafeLoader":  # libyaml reports a byte offset into the UTF-8
        position = len(text.encode("utf-8", "surrogatepass")[:position].decode("utf-8", "ignore"))
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def _char_name(char: Any) -> str:
    if isinstance(char, int):
        return f"U+{char:04X}"
    if isinstance(char, str) and len(char) == 1:
        return f"U+{ord(char):04X}"
    return repr(char)


def short(value: Any, limit: int = 40) -> str:
    """A value as YAML writes it (true, null; text in quotes), cut for a one-line message.

    Messages quote what the user wrote, so not Python's True, False or None.
    """
    text = as_yaml(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def as_yaml(value: Any) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(as_yaml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{as_yaml(k)}: {as_yaml(v)}" for k, v in value.items()) + "}"
    return repr(value)


class _Frame(Record):
    """A mapping or sequence being built."""

    __slots__ = ("anchor", "depth", "height", "key", "path", "seen", "start_count", "value")

    def __init__(self, value: Any, path: Path, anchor: str | None, start_count: int,
                 depth: int) -> None:
        self.value = value  # dict or list
        self.path = path
        self.anchor = anchor
        self.start_count = start_count
        self.depth = depth
        self.height = 1
        self.key: Any = _NO_KEY
        self.seen: dict[Any, Location] = {}


class _Anchored(NamedTuple):
    value: Any
    size: int  # values in it, aliases expanded
    height: int  # levels of containers in it


class _Builder:
    """Turns parser events into values and marks, enforcing every limit on the way."""

    def __init__(self, file: str) -> None:
        self.doc = Document(file, None)
        self.stack: list[_Frame] = []
        self.anchors: dict[str, _Anchored] = {}
        self.open_anchors: set[str] = set()
        self.count = 0
        self.documents = 0
        self.done = False
        self.tags: dict[str, str] = {}  # plain scalar -> resolved tag (packs repeat a lot)

    def _loc(self, event: yaml.Event) -> Location:
        mark = event.start_mark
        if mark is None:  # pragma: no cover - both parsers mark every event
            return Location(self.doc.file, 1)
        return Location(self.doc.file, mark.line + 1, mark.column + 1)

    def error(self, event: yaml.Event, message: str, hint: str = "") -> YamlError:
        loc = self._loc(event)
        return YamlError(message, loc.file, loc.line, loc.column, hint)

    def feed(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.ScalarEvent):
            self._scalar(event)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            self._open(event)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            self._close()
        elif isinstance(event, yaml.AliasEvent):
            self._alias(event)
        elif isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise self.error(event, "more than one YAML document ('---') in the file",
                                 "put everything in one document")

    # where the next value goes, and its path
    def _place(self, event: yaml.Event) -> tuple[Path, int]:
        loc = self._loc(event)
        if not self.stack:
            self.doc.marks.setdefault((), loc)
            return (), 0
        top = self.stack[-1]
        if isinstance(top.value, list):
            path = top.path + (len(top.value),)
        elif top.key is _NO_KEY:
            return top.path, top.depth + 1  # a key: its marks are set once it is known
        else:
            path = top.path + (top.key,)
            self.doc.marks[path + ("<value>",)] = loc
        self.doc.marks.setdefault(path, loc)
        return path, top.depth + 1

    def _is_key(self) -> bool:
        return bool(self.stack) and isinstance(self.stack[-1].value, dict) \
            and self.stack[-1].key is _NO_KEY

    def _count(self, event: yaml.Event, n: int) -> None:
        self.count += n
        if self.count > MAX_NODES:
            raise self.error(event, f"the document expands to over {MAX_NODES:,} values "
                                    f"(an alias bomb?)", "use fewer aliases ('*name')")

    def _depth(self, event: yaml.Event, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise self.error(event, f"nested deeper than {MAX_DEPTH} levels")

    def _open(self, event: yaml.MappingStartEvent | yaml.SequenceStartEvent) -> None:
        is_map = isinstance(event, yaml.MappingStartEvent)
        if self._is_key():
            raise self.error(event, "mapping keys must be plain scalars")
        tag = event.tag
        if tag not in (None, "!", _MAP if is_map else _SEQ):
            raise self._bad_tag(event, tag)
        path, depth = self._place(event)
        self._depth(event, depth)
        self._count(event, 1)
        if event.anchor is not None:
            self.open_anchors.add(event.anchor)
        self.stack.append(_Frame({} if is_map else [], path, event.anchor, self.count, depth))

    def _close(self) -> None:
        frame = self.stack.pop()
        if frame.anchor is not None:
            self.open_anchors.discard(frame.anchor)
            self.anchors[frame.anchor] = _Anchored(
                frame.value, self.count - frame.start_count + 1, frame.height)
        self._add(frame.value, frame.height, None)

    def _alias(self, event: yaml.AliasEvent) -> None:
        name = str(event.anchor)
        if name in self.open_anchors:
            raise self.error(event, f"alias *{name} refers to a value that contains it",
                             "a recursive structure cannot be evaluated")
        target = self.anchors.get(name)
        if target is None:
            raise self.error(event, f"alias *{name} has no anchor &{name} before it")
        _, depth = self._place(event)
        if target.height and depth + target.height - 1 > MAX_DEPTH:
            raise self.error(event, f"nested deeper than {MAX_DEPTH} levels "
                                    f"(through alias *{name})")
        self._count(event, target.size)
        if self._is_key() and isinstance(target.value, (dict, list)):
            raise self.error(event, "mapping keys must be plain scalars")
        self._add(target.value, target.height, event)

    def _scalar(self, event: yaml.ScalarEvent) -> None:
        self._place(event)
        self._count(event, 1)
        value, tag = self._scalar_value(event)
        if tag == _MERGE and self._is_key():
            raise self.error(event, "merge keys ('<<') are not supported", "write the keys out")
        if event.anchor is not None:
            self.anchors[event.anchor] = _Anchored(value, 1, 0)
        self._add(value, 0, event)

    def _scalar_value(self, event: yaml.ScalarEvent) -> tuple[Any, str]:
        tag = event.tag
        text = event.value
        if tag is None or tag == "!":
            if event.implicit[0]:
                tag = self.tags.get(text)
                if tag is None:
                    tag = self.tags[text] = resolve(text)
            else:
                tag = _STR
        if tag in (_STR, _MERGE):
            return text, tag
        build = _CONSTRUCT.get(tag)
        if build is None:
            raise self._bad_tag(event, tag)
        if tag in _NUMERIC and len(text) > MAX_NUMBER_CHARS:
            raise self.error(event, f"number {short(text)} is longer than "
                                    f"{MAX_NUMBER_CHARS} characters")
        # an explicit tag (!!int "010") takes only what the core schema writes that way
        fits = _PATTERN[tag].fullmatch(text) or (tag == _FLOAT and _PATTERN[_INT].fullmatch(text))
        if not fits:
            raise self.error(event, f"bad value {short(text)}: not a YAML 1.2 "
                                    f"{tag.rsplit(':', 1)[-1]}")
        value = build(text)
        return (float(value) if tag == _FLOAT else value), tag

    def _bad_tag(self, event: yaml.Event, tag: str) -> YamlError:
        if "python" in tag.lower():
            return self.error(event, f"Python tags are not allowed ({short(tag, 60)}): hunch "
                                     f"loads YAML safely", "use plain YAML values")
        return self.error(event, f"tag {short(tag, 60)} is not allowed", "use plain YAML values")

    def _add(self, value: Any, height: int, event: yaml.Event | None) -> None:
        if not self.stack:
            self.doc.data = value
            self.done = True
            return
        top = self.stack[-1]
        top.height = max(top.height, height + 1)
        if isinstance(top.value, list):
            top.value.append(value)
        elif top.key is _NO_KEY:
            assert event is not None  # containers as keys are refused when they open
            self._key(top, value, event)
        else:
            top.value[top.key] = value
            top.key = _NO_KEY

    def _key(self, top: _Frame, key: Any, event: yaml.Event) -> None:
        here = self._loc(event)
        first = top.seen.get(key)
        if first is not None:
            raise YamlError(f"duplicate key {short(key)} (first at line {first.line})",
                            here.file, here.line, here.column,
                            hint="YAML would silently keep only the last one")
        top.seen[key] = here
        top.key = key
        self.doc.marks[top.path + (key,)] = here
