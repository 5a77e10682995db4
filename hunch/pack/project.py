"""Which pack: named by the situation (``_pack``), or a project's default (hunch.toml,
``[tool.hunch]`` in pyproject.toml), found by walking up from the working folder.

Precedence (docs/authoring.md, "Which pack"): ``--rules`` > the situation's
``_pack`` > the project's default > the built-in default (interview-silence).
"""

from __future__ import annotations

import os
import re
import sys
import tomllib
from typing import Any, NamedTuple

from hunch.errors import HunchError, Location, SituationError, YamlError, did_you_mean, printable
from hunch.pack.owners import ROOT_UID, foreign, open_to_others
from hunch.pack.read import builtin_packs, resolve_pack_path
from hunch.pack.values import PACK_KEY
from hunch.pack.yamlsource import MAX_FILE_BYTES, decode, load_text, read_bytes

CONFIG_FILES = ("hunch.toml", "pyproject.toml")  # in each folder, the first found
CONFIG_KEYS = ("pack",)
MAX_CONFIG_BYTES = 1 << 20


class ProjectConfig(NamedTuple):
    """A project's hunch settings and the file they came from."""

    path: str
    pack: str | None  # a built-in pack name, or a folder (relative ones made absolute)


def find_config(start: str | None = None) -> ProjectConfig | None:
    """The nearest hunch.toml, or pyproject.toml with a [tool.hunch] table, from ``start``
    (the working folder) up to the root, as ruff and pytest find theirs.

    The walk stops at a folder that anyone may write (sticky or world-writable, like
    /tmp) or that belongs to another user (root excepted), and a config file of another
    user's, or one that others may write, is ignored with a warning: another user must
    not choose your pack (the pattern of git's CVE-2022-24765; docs/security.md).
    """
    folder = os.path.abspath(start or os.getcwd())
    while True:
        try:
            untrusted = _untrusted(os.stat(folder), "folder")
        except OSError:
            return None
        for name in CONFIG_FILES:
            path = os.path.join(folder, name)
            if not os.path.isfile(path):
                continue
            problem = untrusted or _untrusted(os.stat(path), "file")
            if problem:
                _warn_once(path, f"ignoring {path}: {problem}")
                continue
            config = read_config(path)
            if config is not None:
                return config
        parent = os.path.dirname(folder)
        if untrusted or parent == folder:
            return None
        folder = parent


def _untrusted(st: os.stat_result, what: str) -> str:
    """Why a config file, or a folder to look for one in, may be another user's; or ''."""
    if foreign(st.st_uid, ROOT_UID):
        return f"its {what} belongs to another user (uid {st.st_uid})"
    if what == "folder" and open_to_others(st.st_mode):
        return "its folder is one anyone may write to (sticky or world-writable)"
    if what == "file" and st.st_mode & 0o002:
        return f"anyone may write to it (mode {st.st_mode & 0o7777:o})"
    return ""


_warned: set[str] = set()


def _warn_once(key: str, message: str) -> None:
    """A one-line note on standard error, once per process for each ``key``."""
    if key not in _warned:
        _warned.add(key)
        sys.stderr.write(printable(f"hunch: {message}") + "\n")


def read_config(path: str) -> ProjectConfig | None:
    """A config file's settings; None for a pyproject.toml without [tool.hunch]."""
    shown = os.path.relpath(path) if not os.path.relpath(path).startswith("..") else path
    try:
        raw = read_bytes(path, MAX_CONFIG_BYTES, shown)
    except YamlError as exc:
        raise HunchError(f"cannot read the project config: {exc.message}", shown) from None
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


def situation_pack(data: Any, file: str, where: Location,
                   allow_path: bool = False) -> str | None:
    """The pack a situation names with ``_pack`` (resolved), or None.

    A relative folder is taken from the situation file's folder (for standard input,
    from the working folder), so a situation and its pack can move together. A folder
    outside that one (an absolute path, ``..``, a link) is followed only inside the
    project (the folder of its trusted hunch.toml) or with ``allow_path``
    (``hunch --allow-pack-path``): a situation received from someone else must not
    choose any pack on the machine (docs/project.md, docs/security.md).
    """
    if not isinstance(data, dict) or data.get(PACK_KEY) is None:
        return None
    value = data[PACK_KEY]
    if not isinstance(value, str) or not value.strip():
        raise SituationError.at(where, f"{PACK_KEY} must name a rule pack (a built-in name "
                                       f"or a folder)", f"e.g. {PACK_KEY}: interview-silence")
    base = os.path.dirname(file) if os.path.isfile(file) else os.getcwd()
    resolved = _beside(value, base)
    if os.path.isdir(resolved):
        if not allow_path and not followed_unasked(resolved, base):
            raise SituationError.at(where, f"{PACK_KEY}: {value!r} is a folder outside this "
                                           f"situation's folder and outside the project",
                                    "hunch follows such a path only when you allow it: "
                                    "hunch --allow-pack-path ..., or give --rules PACK")
        return resolved
    if os.sep not in value and value in builtin_packs():
        return resolved
    raise SituationError.at(where, f"{PACK_KEY}: no such rule pack {value!r} (not a folder "
                                   f"next to this file, nor a built-in pack)",
                            did_you_mean(value, builtin_packs()) or
                            f"built-in packs: {', '.join(builtin_packs())}")


def followed_unasked(pack: str, base: str) -> bool:
    """Whether a situation in folder ``base`` may name the pack folder ``pack`` without
    --allow-pack-path: it lies in ``base``, or in the project ``base`` belongs to."""
    return _within(pack, base) or _in_project(pack, base)


def _within(path: str, folder: str) -> bool:
    """Whether ``path`` is ``folder`` or inside it, links resolved."""
    real, top = os.path.realpath(path), os.path.realpath(folder)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def _in_project(path: str, base: str) -> bool:
    """Whether ``path`` lies in the project ``base`` belongs to (its trusted config's
    folder, found by the same walk as the default pack)."""
    config = find_config(base)
    return config is not None and _within(path, os.path.dirname(config.path))


def named_in_file(path: str, max_bytes: int = MAX_FILE_BYTES,
                  allow_path: bool = False) -> str | None:
    """The pack a situation file names, or None (also for a file that cannot be read,
    or is not a regular file: loading it as a situation then reports that)."""
    try:
        raw = read_bytes(path, max_bytes)  # never blocks on a FIFO (finding 12)
    except YamlError:
        return None
    if PACK_KEY.encode() not in raw:
        return None  # the common case costs one read, not a YAML parse
    doc = load_text(decode(raw, path), path)
    return situation_pack(doc.data, path, doc.loc((PACK_KEY,)), allow_path)


def same_pack(a: str, b: str) -> bool:
    """Whether two pack arguments name the same folder."""
    try:
        return os.path.realpath(resolve_pack_path(a)) == os.path.realpath(resolve_pack_path(b))
    except HunchError:
        return False


def note_other_pack(named: str, file: str) -> None:
    """Say once (standard error) when a situation's pack is not the project's default:
    advice from another pack than the one the project set should not go unnoticed."""
    config = find_config()
    if config is None or config.pack is None or same_pack(named, config.pack):
        return
    _warn_once(f"_pack {named} {config.path}",
               f"note: {file} names the pack {named} ({PACK_KEY}), not the project's "
               f"{config.pack} ({config.path})")


def project_default() -> tuple[str, str] | None:
    """The project's default pack as its config says it, and its real folder; None
    without one (or when it names no pack there is)."""
    config = find_config()
    if config is None or config.pack is None:
        return None
    try:
        return config.pack, os.path.realpath(resolve_pack_path(config.pack))
    except HunchError:
        return None


def chosen_pack(rules: str | None, named: str | None = None,
                start: str | None = None, file: str = "") -> str | None:
    """The pack to use: --rules, else the situation's, else the project's; None is the
    built-in default."""
    if rules:
        return rules
    if named:
        note_other_pack(named, file or "the situation")
        return named
    config = find_config(start)
    return config.pack if config else None


__all__ = ["PACK_KEY", "ProjectConfig", "chosen_pack", "find_config", "followed_unasked",
           "named_in_file", "note_other_pack", "project_default", "read_config", "same_pack",
           "situation_pack"]
