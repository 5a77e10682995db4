"""Which pack: named by the situation (``_pack``), or a project's default (hunch.toml,
``[tool.hunch]`` in pyproject.toml), found by walking up from the working folder.

Precedence (docs/authoring.md, "Which pack"): ``--rules`` > the situation's
``_pack`` > the project's default > the built-in default (interview-silence).
"""

from __future__ import annotations

import os
import re
import tomllib
from typing import Any, NamedTuple

from hunch.errors import HunchError, Location, SituationError, did_you_mean
from hunch.pack.read import builtin_packs, resolve_pack_path
from hunch.pack.values import PACK_KEY
from hunch.pack.yamlsource import MAX_FILE_BYTES, load_file

CONFIG_FILES = ("hunch.toml", "pyproject.toml")  # in each folder, the first found
CONFIG_KEYS = ("pack",)
MAX_CONFIG_BYTES = 1 << 20


class ProjectConfig(NamedTuple):
    """A project's hunch settings and the file they came from."""

    path: str
    pack: str | None  # a built-in pack name, or a folder (relative ones made absolute)


def find_config(start: str | None = None) -> ProjectConfig | None:
    """The nearest hunch.toml, or pyproject.toml with a [tool.hunch] table, from ``start``
    (the working folder) up to the root, as ruff and pytest find theirs."""
    folder = os.path.abspath(start or os.getcwd())
    while True:
        for name in CONFIG_FILES:
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                config = read_config(path)
                if config is not None:
                    return config
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def read_config(path: str) -> ProjectConfig | None:
    """A config file's settings; None for a pyproject.toml without [tool.hunch]."""
    shown = os.path.relpath(path) if not os.path.relpath(path).startswith("..") else path
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise HunchError(f"cannot read the project config: {exc.strerror or exc}", shown) \
            from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise HunchError(f"the project config is larger than {MAX_CONFIG_BYTES} bytes", shown)
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise _toml_error(exc, shown) from None
    pyproject = os.path.basename(path) == "pyproject.toml"
    table: Any = doc.get("tool", {}).get("hunch") if pyproject else doc
    if table is None:
        return None
    where = "[tool.hunch]: " if pyproject else ""
    if not isinstance(table, dict):
        raise HunchError("tool.hunch must be a table", shown, hint="[tool.hunch] then pack = ...")
    for key in table:
        if key not in CONFIG_KEYS:
            raise HunchError(f"{where}unknown setting {key!r}", shown,
                             hint=did_you_mean(key, list(CONFIG_KEYS)) or
                             f"settings: {', '.join(CONFIG_KEYS)}")
    pack = table.get("pack")
    if pack is not None and (not isinstance(pack, str) or not pack.strip()):
        raise HunchError(f"{where}pack must be a pack name or folder (a string)", shown,
                         hint='e.g. pack = "rules/my-pack"')
    return ProjectConfig(path, _beside(pack, os.path.dirname(path)) if pack else None)


def _toml_error(exc: Exception, shown: str) -> HunchError:
    found = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
    message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc)) or "not valid TOML"
    if found:
        return HunchError(f"not valid TOML: {message}", shown, int(found[1]), int(found[2]))
    return HunchError(f"not valid TOML: {message}", shown)


def _beside(value: str, folder: str) -> str:
    """A relative folder is relative to the file that names it; a name stays a name."""
    if os.path.isabs(value):
        return value
    path = os.path.join(folder, value)
    return os.path.normpath(path) if os.path.isdir(path) else value


def situation_pack(data: Any, file: str, where: Location) -> str | None:
    """The pack a situation names with ``_pack`` (resolved), or None.

    A relative folder is taken from the situation file's folder (for standard input,
    from the working folder), so a situation and its pack can move together.
    """
    if not isinstance(data, dict) or data.get(PACK_KEY) is None:
        return None
    value = data[PACK_KEY]
    if not isinstance(value, str) or not value.strip():
        raise SituationError.at(where, f"{PACK_KEY} must name a rule pack (a built-in name "
                                       f"or a folder)", f"e.g. {PACK_KEY}: interview-silence")
    base = os.path.dirname(file) if os.path.isfile(file) else os.getcwd()
    resolved = _beside(value, base)
    if os.path.isdir(resolved) or (os.sep not in value and value in builtin_packs()):
        return resolved
    raise SituationError.at(where, f"{PACK_KEY}: no such rule pack {value!r} (not a folder "
                                   f"next to this file, nor a built-in pack)",
                            did_you_mean(value, builtin_packs()) or
                            f"built-in packs: {', '.join(builtin_packs())}")


def named_in_file(path: str, max_bytes: int = MAX_FILE_BYTES) -> str | None:
    """The pack a situation file names, or None (also for a file that cannot be read:
    loading it as a situation then reports that)."""
    try:
        with open(path, "rb") as f:
            if PACK_KEY.encode() not in f.read(max_bytes + 1):
                return None  # the common case costs one read, not a YAML parse
    except OSError:
        return None
    doc = load_file(path, max_bytes)
    return situation_pack(doc.data, path, doc.loc((PACK_KEY,)))


def same_pack(a: str, b: str) -> bool:
    """Whether two pack arguments name the same folder."""
    try:
        return os.path.realpath(resolve_pack_path(a)) == os.path.realpath(resolve_pack_path(b))
    except HunchError:
        return False


def chosen_pack(rules: str | None, named: str | None = None,
                start: str | None = None) -> str | None:
    """The pack to use: --rules, else the situation's, else the project's; None is the
    built-in default."""
    if rules:
        return rules
    if named:
        return named
    config = find_config(start)
    return config.pack if config else None


__all__ = ["PACK_KEY", "ProjectConfig", "chosen_pack", "find_config", "named_in_file",
           "read_config", "same_pack", "situation_pack"]
