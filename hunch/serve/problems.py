"""Errors in one shape, and request bodies read into situations with the CLI's messages.

Every error a client can cause is ``{"code", "message", "errors": [{"pointer",
"message"}]}``: the messages are the ones the CLI prints, with a JSON pointer into
the request body (RFC 6901) where the CLI says ``file:line:col``.
"""

from __future__ import annotations

import json
from typing import Any

from hunch.errors import ErrorList, HunchError, Location
from hunch.pack.model import Pack
from hunch.pack.validate import Situation
from hunch.pack.yamlsource import MAX_DEPTH, short

BODY = "<body>"  # the file name of a YAML body in error locations
JSON_TYPES = ("application/json",)
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml")


class ApiError(Exception):
    """An error response: HTTP status, machine-readable code, the CLI's message."""

    def __init__(self, status: int, code: str, message: str,
                 errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors if errors is not None else [{"pointer": "", "message": message}]
        self.headers: dict[str, str] = {}  # e.g. Retry-After on 503 busy, Allow on 405

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "errors": self.errors}


def escape(part: Any) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


def pointer(prefix: str, path: tuple[Any, ...]) -> str:
    """A JSON pointer below ``prefix``; the "<value>" marker of value errors is dropped."""
    return prefix + "".join("/" + escape(p) for p in path if p != "<value>")


def item_of(error: HunchError) -> dict[str, Any]:
    """One problem: where (a pointer, with line and column in a YAML body) and what."""
    where = error.file if error.file.startswith("/") else ""  # BODY: the whole body
    out: dict[str, Any] = {"pointer": where,
                           "message": error.message + (f" ({error.hint})" if error.hint else "")}
    if error.line > 0:
        out["line"] = error.line
        if error.column > 0:
            out["column"] = error.column
    return out


def bad_input(error: HunchError, status: int = 400, code: str = "bad_input") -> ApiError:
    """A HunchError as a 400: the CLI's one-line message, every problem listed."""
    problems = error.errors if isinstance(error, ErrorList) else [error]
    return ApiError(status, code, error.format(), [item_of(p) for p in problems])


# --- bodies ------------------------------------------------------------------------------

def parse_json(raw: bytes) -> Any:
    """A JSON body, as strict as `hunch evaluate -` reads JSON Lines."""
    from hunch.batch.run import JsonProblem, depth_of, strict_loads

    def fail(message: str, line: int = 0, column: int = 0) -> ApiError:
        return bad_input(HunchError(message, BODY, line, column))

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(f"not UTF-8 text (byte 0x{raw[exc.start]:02x})") from None
    try:
        data = strict_loads(text)
    except json.JSONDecodeError as exc:
        raise fail(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except JsonProblem as exc:
        raise fail(f"invalid JSON: {exc}") from None
    except RecursionError:
        raise fail(f"nested deeper than {MAX_DEPTH} levels") from None
    if depth_of(data) > MAX_DEPTH:
        raise fail(f"nested deeper than {MAX_DEPTH} levels")
    return data


def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def json_object(raw: bytes, keys: dict[str, str]) -> dict[str, Any]:
    """A JSON body that must be an object with only the given keys (key -> "what it is")."""
    from hunch.errors import did_you_mean
    from hunch.pack.values import type_name

    data = parse_json(raw)
    if not isinstance(data, dict):
        raise bad_input(HunchError(f"the body must be a JSON object with {_words(keys)}, "
                                   f"got {type_name(data)}", BODY))
    for key in data:
        if key not in keys:
            raise bad_input(HunchError(f"unknown key {short(key)}", pointer("", (key,)),
                                       hint=did_you_mean(key, keys) or
                                       f"expected {_words(keys)}"))
    return data


def _words(keys: dict[str, str]) -> str:
    return ", ".join(f'"{k}" ({what})' for k, what in keys.items())


def situation(pack: Pack, data: Any, at: str, as_of: Any = None) -> Situation:
    """Facts given as JSON at pointer ``at``, checked against the pack's fact schema;
    their dates count to the request's ``as_of`` (docs/time.md)."""
    from hunch.errors import SituationErrors
    from hunch.pack.validate import data_problems, situation_from
    from hunch.pack.values import type_name

    if not isinstance(data, dict):
        raise bad_input(HunchError(f"a situation must be a JSON object of facts, got "
                                   f"{type_name(data)}", at or BODY))
    def where(path: tuple[Any, ...]) -> Location:
        return Location(pointer(at, path))

    day = request_as_of(as_of)
    problems = data_problems(data, where, pack)
    if problems:
        raise bad_input(SituationErrors(problems))
    try:
        return situation_from(at or "/", data, {}, pack, day, where)
    except SituationErrors as exc:
        raise bad_input(exc) from None


AS_OF_WORDS = "the date the input's dates count to, YYYY-MM-DD (default: its _as_of, else today)"


def request_as_of(value: Any) -> Any:
    """A request's ``as_of``: a date, None when not given; bad input otherwise."""
    from hunch.pack.dates import parse_date

    if value is None:
        return None
    day = parse_date(value)
    if day is None:
        raise bad_input(HunchError("as_of must be a date written YYYY-MM-DD", "/as_of",
                                   hint="e.g. 2026-12-07"))
    return day


def yaml_situation(pack: Pack, raw: bytes) -> tuple[Situation, dict[str, Any]]:
    """A situation file as the body: the errors also give its line and column."""
    from hunch.errors import SituationErrors
    from hunch.pack.validate import data_problems, situation_from
    from hunch.pack.values import type_name
    from hunch.pack.yamlsource import decode, load_text

    try:
        doc = load_text(decode(raw, BODY), BODY)
    except HunchError as exc:
        raise bad_input(exc) from None
    if not isinstance(doc.data, dict):
        raise bad_input(HunchError(f"a situation must be a mapping of fact names to values, "
                                   f"got {type_name(doc.data)}", BODY, 1, 1))

    def where(path: tuple[Any, ...]) -> Location:
        loc = doc.loc(path)
        return Location(pointer("", path), loc.line, loc.column)

    problems = data_problems(doc.data, where, pack)
    if problems:
        raise bad_input(SituationErrors(problems))
    lines = {k: doc.loc((k,)).line for k in doc.data}
    try:
        return situation_from("/", doc.data, lines, pack, None, where), dict(doc.data)
    except SituationErrors as exc:
        raise bad_input(exc) from None


__all__ = ["AS_OF_WORDS", "ApiError", "bad_input", "json_object", "parse_json", "pointer",
           "request_as_of",
           "situation", "yaml_situation"]
