"""Drafts: the message to send or the call to make for an action, from an optional
``drafts.yaml`` in the pack (docs/time.md, "Drafts").

A draft's wording is the pack's, written from the answers it cites (``cites:``,
source ids whose quotes `hunch check` verifies like any other); ``{name}``
placeholders are filled from the situation: a fact, a date input, or ``as_of``.
"""

from __future__ import annotations

import string
from typing import Any, NamedTuple

from hunch.errors import Location
from hunch.pack.model import Pack
from hunch.pack.timemodel import AS_OF
from hunch.pack.timeread import _Reader


class Draft(NamedTuple):
    action: str
    kind: str  # "email" | "call" | "message"
    text: str
    cites: tuple[str, ...]
    loc: Location


KINDS = ("email", "call", "message")


def read_drafts(r: _Reader, data: Any, pack: Pack) -> dict[str, Draft]:
    """The drafts of ``drafts.yaml`` (its data), every problem into ``r``."""
    body = r.mapping(data, (), "drafts.yaml", ("drafts",), ("drafts",))
    entries = body.get("drafts") if body else None
    if not isinstance(entries, dict):
        if body is not None:
            r.error(("drafts",), "'drafts' must map action ids to their drafts")
        return {}
    out: dict[str, Draft] = {}
    for action, item in entries.items():
        path = ("drafts", action)
        spec = r.mapping(item, path, f"draft {action!r}", ("kind", "text", "cites"),
                         ("text", "cites"))
        if spec is None:
            continue
        conclusion = pack.conclusions.get(str(action))
        if conclusion is None or conclusion.kind != "action":
            r.error(path, f"{action!r} is not an action of pack {pack.name}",
                    "key each draft by the id of an action in conclusions.yaml")
            continue
        kind = r.string(spec.get("kind"), path + ("kind",), "kind", "message")
        if kind not in KINDS:
            r.error(path + ("kind",), f"kind {kind!r} is not one of {', '.join(KINDS)}")
        text = r.string(spec.get("text"), path + ("text",), "text")
        cites = spec.get("cites")
        cites = [cites] if isinstance(cites, str) else cites
        if not isinstance(cites, list) or not cites:
            r.error(path + ("cites",), "a draft cites the answers its wording comes from",
                    "cites: [source-id, ...]")
            continue
        for i, sid in enumerate(cites):
            if sid not in pack.sources:
                r.error(path + ("cites", i), f"unknown source {sid!r}")
        # a placeholder names a fact: only known once facts.yaml read without an error
        for name in placeholders(text) if not r.errors else ():
            if name != AS_OF and pack.spec(name) is None and name not in pack.time.inputs:
                r.error(path + ("text",), f"placeholder {{{name}}} names no fact",
                        "use a fact, a date input or as_of")
        out[str(action)] = Draft(str(action), kind, text, tuple(map(str, cites)),
                                 r.loc(path))
    return out


def placeholders(text: str) -> list[str]:
    try:
        return [name for _, name, _, _ in string.Formatter().parse(text) if name]
    except ValueError:
        return []


class _Fill(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return f"[{key.replace('_', ' ')}]"  # left for the person to fill in


def fill(draft: Draft, values: dict[str, Any]) -> str:
    """The draft with its placeholders filled from ``values`` (missing: [name])."""
    shown = _Fill({k: str(v) for k, v in values.items() if v is not None})
    try:
        return draft.text.format_map(shown)
    except (ValueError, KeyError, IndexError):
        return draft.text


__all__ = ["Draft", "fill", "placeholders", "read_drafts"]
