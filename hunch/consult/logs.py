"""A pack's event log asked as a short repeated question: one entry a line (docs/ask.md,
"The follow-up log").

Driven by the log's declared fields (its ``events`` date input, docs/time.md), in their
order: ``2026-11-23 call yes 2026-11-25`` is the follow-ups' date, kind, answered and
call-back promised for. The last parts may be left out, and ``-`` or ``?`` leaves one
out in the middle: a field left out takes its default, as in a situation file. Only the
reading of a line is here; the checks (the same one-line errors as a file) and the
counting are hunch.pack.dates', called by hunch.consult.ask.Consultation.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from hunch.pack.dates import bad_date, date_text, parse_date
from hunch.pack.timemodel import DateInput, EventField
from hunch.pack.values import fmt_num

LEFT_OUT = ("-", "?")  # a part left out: the field takes its default
YES = ("yes", "y", "true")
NO = ("no", "n", "false")


def words(name: str) -> str:
    return name.replace("_", " ")


def parse_entry(item: DateInput, text: str,
                as_of: Callable[[], date]) -> tuple[dict[str, Any], str]:
    """The entry a line gives, and '' or the problem to show instead. ``as_of`` is asked
    only when 'today' is typed (the clock is read only for a date typed)."""
    parts = text.replace(",", " ").split()
    if len(parts) > len(item.fields):
        return {}, (f"an entry has at most {len(item.fields)} parts "
                    f"({', '.join(words(f.name) for f in item.fields)}), got {len(parts)}")
    entry: dict[str, Any] = {}
    for spec, part in zip(item.fields, parts, strict=False):
        if part in LEFT_OUT:
            continue
        value, problem = _value(spec, part, as_of)
        if problem:
            return {}, f"{words(spec.name)}: {problem}"
        entry[spec.name] = value
    return entry, ""


def _value(spec: EventField, part: str, as_of: Callable[[], date]) -> tuple[Any, str]:
    low = part.lower()
    if spec.type == "date":
        day = as_of() if low == "today" else parse_date(part)
        return (day, "") if day is not None else (None, f"{bad_date(part)}, or 'today'")
    if spec.type == "boolean":
        if low in YES or low in NO:
            return low in YES, ""
        return None, f"{part!r} is not yes or no"
    if spec.type == "enum":
        shown = [str(v) for v in spec.values]
        exact = [v for v, s in zip(spec.values, shown, strict=True) if s.lower() == low]
        starting = [v for v, s in zip(spec.values, shown, strict=True) if s.lower().startswith(low)]
        if exact or len(starting) == 1:
            return (exact or starting)[0], ""
        return None, f"{part!r} is not one of {' or '.join(shown)}"
    return part, ""


def entry_hint(item: DateInput, example_day: str) -> str:
    """What to type for one entry: its parts in order, each with what it takes."""
    parts = [f"{words(f.name)} ({_takes(f, i == 0)})" for i, f in enumerate(item.fields)]
    example = " ".join(_example(f, example_day) for f in _up_to_first_optional(item))
    return (f"one a line: {', '.join(parts)}, in that order; leave out the last ones, or "
            f"write '-' for one; e.g. '{example}'")


def _takes(spec: EventField, first: bool) -> str:
    what = {"date": "YYYY-MM-DD or 'today'" if first else "a date", "boolean": "yes or no",
            "string": "a word"}.get(spec.type, " or ".join(str(v) for v in spec.values))
    if spec.default is not None:
        what += f"; {show(spec.default)} if left out"
    return what


def _up_to_first_optional(item: DateInput) -> list[EventField]:
    out = []
    for spec in item.fields:
        out.append(spec)
        if not spec.required:
            break
    return out


def _example(spec: EventField, example_day: str) -> str:
    if spec.type == "date":
        return example_day
    if spec.type == "boolean":
        return "yes"
    return str(spec.values[0]) if spec.values else "text"


def describe_entry(item: DateInput, entry: dict[str, Any]) -> str:
    """An entry in words, its parts in the log's order: '2026-11-23, call, answered,
    callback promised for 2026-11-25'."""
    out = []
    for spec in item.fields:
        if spec.name not in entry:
            continue
        value = entry[spec.name]
        if isinstance(value, bool):
            out.append(words(spec.name) if value else f"not {words(spec.name)}")
        elif spec.name == "date":
            out.append(date_text(value))
        else:
            out.append(f"{words(spec.name)} {show(value)}" if spec.type != "enum"
                       else str(value))
    return ", ".join(out)


def show(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return date_text(value)
    if isinstance(value, float):
        return fmt_num(value)
    return str(value)


__all__ = ["describe_entry", "entry_hint", "parse_entry"]
