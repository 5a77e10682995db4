"""The strict JSON reader of batches and of `hunch serve`'s bodies: json.loads
without duplicate keys, NaN or Infinity, or numerals over 100 digits, and a depth
measured without recursion. One reader, so standard input and HTTP read JSON alike."""

from __future__ import annotations

import json
from typing import Any, NoReturn

from hunch.pack.yamlsource import MAX_NUMBER_CHARS, short


class JsonProblem(ValueError):
    """JSON that json.loads would take but hunch refuses (the message says why)."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise JsonProblem(f"duplicate key {short(key)}")
        out[key] = value
    return out


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise JsonProblem(f"number {short(text)} is longer than {MAX_NUMBER_CHARS} characters")
    return int(text)


def _constant(name: str) -> NoReturn:
    raise JsonProblem(f"{name} is not a JSON number")


def strict_loads(text: str) -> Any:
    """JSON without duplicate keys, NaN or Infinity, or numerals over 100 digits.

    Raises json.JSONDecodeError, JsonProblem, or RecursionError; also used for the
    bodies `hunch serve` receives, so both read JSON alike.
    """
    return json.loads(text, object_pairs_hook=_pairs, parse_int=_int, parse_constant=_constant)


def depth_of(value: Any) -> int:
    """How deep lists and mappings nest in ``value``, measured without recursion."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            todo.extend((kid, depth + 1) for kid in (item.values() if isinstance(item, dict)
                                                    else item))
    return deepest
