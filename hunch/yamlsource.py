"""Safe YAML loading that remembers where every value came from.

We compose the node graph with pyyaml's safe (C, when available) loader and build
plain Python values ourselves, which lets us keep a line:column for every mapping
key and sequence item, reject duplicate keys (pyyaml keeps the last one silently),
refuse any tag outside the YAML core schema, and bound the work an input can cause
(size, nesting depth, alias expansion).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import yaml

from hunch.errors import Location, YamlError

try:  # the C loader is ~7x faster on big packs; fall back when libyaml is absent
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the pyyaml build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 500_000

Path = tuple[Any, ...]

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


@dataclass
class Document:
    """A loaded YAML file: its value and the location of every node in it."""

    file: str
    data: Any
    marks: dict[Path, Location] = field(default_factory=dict)

    def loc(self, path: Path) -> Location:
        """The location of the node at ``path``, or of its nearest ancestor."""
        while path:
            if path in self.marks:
                return self.marks[path]
            path = path[:-1]
        return self.marks.get((), Location(self.file, 1, 1))


def read_text(path: str, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a UTF-8 text file, with one clear error for each way that can fail."""
    try:
        if os.path.isdir(path):
            raise YamlError("is a directory, expected a YAML file", path)
        size = os.path.getsize(path)
        if size > max_bytes:
            raise YamlError(
                f"file is {size:,} bytes, over the {max_bytes:,}-byte limit",
                path,
                hint="raise it with --max-bytes if the file is really meant to be this big",
            )
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise YamlError("no such file", path) from None
    except PermissionError:
        raise YamlError("permission denied", path) from None
    except IsADirectoryError:
        raise YamlError("is a directory, expected a YAML file", path) from None
    except OSError as exc:
        raise YamlError(f"cannot read: {exc.strerror or exc}", path) from None
    return decode(raw, path)


def decode(raw: bytes, path: str) -> str:
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise YamlError("binary file (NUL byte), expected UTF-8 text", path, line)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x})",
            path,
            line,
            column,
            hint="save the file as UTF-8",
        ) from None


def load_file(path: str, max_bytes: int = MAX_FILE_BYTES) -> Document:
    return load_text(read_text(path, max_bytes), path)


def load_text(text: str, file: str) -> Document:
    """Parse one YAML document; an empty document is an error."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise YamlError(f"invalid YAML: {problem}", file, line, col) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", file) from None
    if node is None:
        raise YamlError("file is empty", file, hint="it should hold a YAML mapping")
    doc = Document(file, None)
    builder = _Builder(doc)
    doc.data = builder.build(node, (), 0)
    return doc


class _Builder:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.count = 0
        self.scalars = yaml.constructor.SafeConstructor()

    def _loc(self, node: yaml.Node) -> Location:
        return Location(self.doc.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: yaml.Node, path: Path, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise YamlError(
                f"document expands to over {MAX_NODES:,} values (an alias bomb?)",
                self.doc.file,
                node.start_mark.line + 1,
                node.start_mark.column + 1,
            )
        if depth > MAX_DEPTH:
            raise YamlError(f"nested deeper than {MAX_DEPTH} levels", self.doc.file,
                            node.start_mark.line + 1, node.start_mark.column + 1)
        self.doc.marks.setdefault(path, self._loc(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise self._bad_tag(node)
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        if node.tag not in _SCALAR_TAGS:
            raise self._bad_tag(node)
        try:
            return self.scalars.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            raise YamlError(f"bad value {node.value!r}: {exc}", **self._pos(node)) from None

    def _pos(self, node: yaml.Node) -> dict[str, Any]:
        loc = self._loc(node)
        return {"file": loc.file, "line": loc.line, "column": loc.column}

    def _bad_tag(self, node: yaml.Node) -> YamlError:
        if node.tag.startswith("tag:yaml.org,2002:python/") or "python" in node.tag:
            why = "Python tags are not allowed (hunch loads YAML safely)"
        else:
            why = f"tag {node.tag!r} is not allowed"
        return YamlError(why, **self._pos(node), hint="use plain YAML values")

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[Any, Any]:
        if node.tag != _MAP:
            raise self._bad_tag(node)
        out: dict[Any, Any] = {}
        seen: dict[Any, Location] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError("mapping keys must be plain scalars", **self._pos(key_node))
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlError("merge keys ('<<') are not supported", **self._pos(key_node),
                                hint="write the keys out")
            key = self.build(key_node, path, depth + 1)
            if isinstance(key, (list, dict)):
                raise YamlError("mapping keys must be plain scalars", **self._pos(key_node))
            here = self._loc(key_node)
            if key in seen:
                first = seen[key]
                raise YamlError(
                    f"duplicate key {key!r} (first at line {first.line})",
                    here.file, here.line, here.column,
                    hint="YAML would silently keep only the last one",
                )
            seen[key] = here
            self.doc.marks[path + (key,)] = here
            value_path = path + (key, "<value>")
            self.doc.marks[value_path] = self._loc(value_node)
            out[key] = self._build_value(value_node, path + (key,), depth + 1)
        return out

    def _build_value(self, node: yaml.Node, path: Path, depth: int) -> Any:
        # The key's own mark stays the mark for `path`; children get theirs.
        saved = self.doc.marks.get(path)
        value = self.build(node, path, depth)
        if saved is not None:
            self.doc.marks[path] = saved
        return value
