"""Dates in a situation: checking them, the as-of date, and the numbers computed
from them (docs/time.md).

A situation may give the dates a pack declares under ``dates:`` (``interview_date:
2026-11-14``) and event logs (``follow_ups:``). Before anything else looks at the
situation they become the integer facts the rules compare (``days_since_interview:
23``), each with an Origin that says how; so the engine, the explanations and every
analysis work on numbers as before, and a situation giving the numbers still works.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, NamedTuple

from hunch.errors import HunchError, Location, SituationError
from hunch.pack.model import Pack
from hunch.pack.timemodel import AS_OF_KEY, Computed, DateInput, EventField, Origin
from hunch.pack.values import type_name, value_problem
from hunch.pack.yamlsource import Path, short

# exactly what JSON Schema's "date" format accepts: ASCII digits, nothing around them
# (the OpenAPI document says format: date, and schemathesis holds the server to it)
_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
MAX_ENTRIES = 1000  # entries in one event log
Loc = Callable[[Path], Location]


def today() -> date:
    """The local date: the as-of date when none is given. The one place hunch reads
    the clock for a date (tests replace it to prove they never get here)."""
    return date.today()


def parse_date(value: Any) -> date | None:
    """A date written YYYY-MM-DD (YAML and JSON text) or given as a date; else None."""
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str) and _ISO.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def date_text(day: date) -> str:
    return day.isoformat()


def days(n: int) -> timedelta:
    return timedelta(days=n)


def bad_date(value: Any) -> str:
    if isinstance(value, str) and _ISO.match(value.strip()):
        return f"{short(value)} is not a date on the calendar"
    return f"must be a date written YYYY-MM-DD, got {short(value)}"


def uses_dates(pack: Pack, data: dict[Any, Any]) -> bool:
    """Does this situation give a date or an as-of date?"""
    return AS_OF_KEY in data or any(k in pack.time.inputs for k in data)


# --- types: checked with the other facts (hunch.pack.validate.data_problems) ---------

def type_problems(data: dict[Any, Any], loc: Loc, pack: Pack) -> list[HunchError]:
    """Malformed dates, as-of dates and log entries: one error each."""
    problems: list[HunchError] = []
    if data.get(AS_OF_KEY) is not None and parse_date(data[AS_OF_KEY]) is None:
        problems.append(SituationError.at(loc((AS_OF_KEY, "<value>")),
                                          f"{AS_OF_KEY}: {bad_date(data[AS_OF_KEY])}",
                                          "the date the situation describes, e.g. 2026-12-07"))
    for name, item in pack.time.inputs.items():
        value = data.get(name)
        if value is None:
            continue
        if item.type == "date":
            if parse_date(value) is None:
                problems.append(SituationError.at(loc((name, "<value>")),
                                                  f"{name}: {bad_date(value)}", item.question))
        elif not isinstance(value, list):
            problems.append(SituationError.at(
                loc((name, "<value>")), f"{name}: must be a list of entries, got "
                f"{type_name(value)}", _entry_hint(item)))
        elif len(value) > MAX_ENTRIES:
            # a plan evaluates about twice per entry, each counting every entry
            problems.append(SituationError.at(
                loc((name,)), f"{name}: {len(value):,} entries, over the {MAX_ENTRIES:,} a log "
                f"may hold", "keep the entries that matter (the follow-ups since the interview)"))
        else:
            for i, entry in enumerate(value):
                problems.extend(_entry_problems(item, i, entry, loc))
    return problems


def _entry_hint(item: DateInput) -> str:
    return "each entry a mapping of " + ", ".join(f.name for f in item.fields)


def _entry_problems(item: DateInput, i: int, entry: Any, loc: Loc) -> list[HunchError]:
    where = f"{item.name}[{i + 1}]"
    if not isinstance(entry, dict):
        return [SituationError.at(loc((item.name, i)), f"{where}: must be a mapping, got "
                                  f"{type_name(entry)}", _entry_hint(item))]
    fields = {f.name: f for f in item.fields}
    out: list[HunchError] = []
    for key, value in entry.items():
        spec = fields.get(key) if isinstance(key, str) else None
        if spec is None:
            out.append(SituationError.at(loc((item.name, i, key)),
                                         f"{where}: unknown field {short(key)}",
                                         _entry_hint(item)))
        elif value is not None:
            problem = field_problem(spec, value)
            if problem:
                out.append(SituationError.at(loc((item.name, i, key, "<value>")),
                                             f"{where}.{key}: {problem}"))
    for spec in item.fields:
        if spec.required and entry.get(spec.name) is None:
            out.append(SituationError.at(loc((item.name, i)),
                                         f"{where}: the field {spec.name!r} is missing",
                                         _entry_hint(item)))
    return out


def field_problem(spec: EventField, value: Any) -> str:
    if spec.type == "date":
        return "" if parse_date(value) is not None else bad_date(value)
    if spec.type == "boolean":
        return "" if isinstance(value, bool) else f"must be true or false, got {short(value)}"
    if spec.type == "enum":
        if value in spec.values and not isinstance(value, bool):
            return ""
        return f"{short(value)} is not allowed (allowed: {', '.join(map(str, spec.values))})"
    return "" if isinstance(value, str) else f"must be text, got {short(value)}"


# --- the as-of date and what it implies ----------------------------------------------

class Dated(NamedTuple):
    """A situation's dates worked out for one as-of date."""

    as_of: date
    values: dict[str, int]  # computed fact -> number
    origins: dict[str, Origin]
    problems: list[HunchError]


class Inputs(NamedTuple):
    """A situation's date inputs, parsed: dates, and log entries with defaults."""

    dates: dict[str, date]
    logs: dict[str, list[dict[str, Any]]]

    def shifted(self, n: int) -> Inputs:
        """Every date moved by ``n`` days (the property tests' time shift)."""
        move = days(n)
        return Inputs({k: v + move for k, v in self.dates.items()},
                      {k: [{f: (v + move if isinstance(v, date) else v) for f, v in e.items()}
                           for e in entries] for k, entries in self.logs.items()})

    def as_data(self) -> dict[str, Any]:
        """The inputs as a situation writes them (dates as YYYY-MM-DD)."""
        out: dict[str, Any] = {k: date_text(v) for k, v in self.dates.items()}
        for k, entries in self.logs.items():
            out[k] = [{f: (date_text(v) if isinstance(v, date) else v) for f, v in e.items()}
                      for e in entries]
        return out


def inputs_of(pack: Pack, data: dict[Any, Any]) -> Inputs:
    """The date inputs of type-checked situation data (type_problems found none)."""
    dates: dict[str, date] = {}
    logs: dict[str, list[dict[str, Any]]] = {}
    for name, item in pack.time.inputs.items():
        value = data.get(name)
        if value is None:
            continue
        if item.type == "date":
            dates[name] = parse_date(value)  # type: ignore[assignment]
        else:
            logs[name] = [_entry(item, e) for e in value]
    return Inputs(dates, logs)


def _entry(item: DateInput, entry: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for spec in item.fields:
        value = entry.get(spec.name)
        if value is None:
            value = spec.default
        out[spec.name] = parse_date(value) if spec.type == "date" and value is not None \
            else value
    return out


def as_of_for(data: dict[Any, Any], given: date | None) -> date:
    """The as-of date: given (--as-of, an API request's as_of), else the situation's
    ``_as_of``, else today."""
    if given is not None:
        return given
    own = parse_date(data.get(AS_OF_KEY))
    return own if own is not None else today()


def work_out(pack: Pack, inputs: Inputs, as_of: date, loc: Loc) -> Dated:
    """The computed facts for ``as_of``, and every date out of its range."""
    problems = _range_problems(pack, inputs, as_of, loc)
    values: dict[str, int] = {}
    origins: dict[str, Origin] = {}
    for name, comp in pack.time.computed.items():
        got = _compute(comp, inputs, as_of)
        if got is None:
            continue
        value, text = got
        spec = pack.facts.get(name)
        problem = value_problem(spec, value) if spec is not None else ""
        if problem:
            problems.append(SituationError.at(
                loc((comp.sources[-1], "<value>")), _range_message(comp, inputs, as_of, problem),
                _range_hint(comp)))
            continue
        values[name] = value
        origins[name] = Origin(name, value, text, comp.sources)
    return Dated(as_of, values, origins, problems)


def _from(comp: Computed, inputs: Inputs) -> str:
    parts = []
    for source in comp.sources:
        day = inputs.dates.get(source)
        parts.append(f"{source} {date_text(day)}" if day else source)
    return " and ".join(parts)


def _range_message(comp: Computed, inputs: Inputs, as_of: date, problem: str) -> str:
    at = date_text(as_of)
    day = inputs.dates.get(comp.sources[0])
    if comp.kind == "days_until" and day is not None and day < as_of:
        return f"{comp.sources[0]} has passed: {date_text(day)} is before the as-of date {at}"
    return f"{comp.fact}, worked out from {_from(comp, inputs)} as of {at}: {problem}"


def _range_hint(comp: Computed) -> str:
    if comp.kind == "days_until":
        return f"{comp.sources[0]} has passed: leave it out, or give an earlier --as-of"
    return "check the dates and the as-of date (--as-of, _as_of)"


def _compute(comp: Computed, inputs: Inputs, as_of: date) -> tuple[int, str] | None:
    """The value and its origin in words, or None when an input is missing."""
    kind, first = comp.kind, comp.sources[0]
    at = date_text(as_of)
    if kind == "days_since" and first in inputs.dates:
        n = (as_of - inputs.dates[first]).days
        return n, f"{n} days: since {date_text(inputs.dates[first])} ({first}), as of {at}"
    if kind == "days_until" and first in inputs.dates:
        n = (inputs.dates[first] - as_of).days
        return n, f"{n} days: until {date_text(inputs.dates[first])} ({first}), as of {at}"
    if kind == "days_between" and all(s in inputs.dates for s in comp.sources):
        a, b = (inputs.dates[s] for s in comp.sources)
        n = (b - a).days
        return n, (f"{n} days: from {date_text(a)} ({comp.sources[0]}) to {date_text(b)} "
                   f"({comp.sources[1]})")
    if first not in inputs.logs:
        return None
    # an entry dated after the as-of date has not happened yet as of that date: the
    # log replays as time moves (hunch plan), so it counts from its date on
    entries = [e for e in inputs.logs[first] if not e["date"] > as_of]
    if kind == "count":
        n = sum(1 for e in entries if all(_matches(e, w.field, w.value, w.op, as_of)
                                          for w in comp.where))
        what = ", ".join(f"{w.field} {w.op} {w.value}" if w.op != "eq" else
                         f"{w.field} {_show(w.value)}" for w in comp.where)
        return n, f"{n}: entries of {first}" + (f" with {what}" if what else "") + f", as of {at}"
    dates = [e[comp.field] for e in entries if isinstance(e.get(comp.field), date)]
    if not dates:
        return None
    latest = max(dates)
    n = (as_of - latest).days
    return n, f"{n} days: since {date_text(latest)} (the latest of {first}), as of {at}"


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _matches(entry: dict[str, Any], field: str, want: Any, op: str, as_of: date) -> bool:
    value = entry.get(field)
    if op == "before":
        return isinstance(value, date) and value < as_of
    if op == "after":
        return isinstance(value, date) and value > as_of
    return bool(value == want and type(value) is type(want))


def _range_problems(pack: Pack, inputs: Inputs, as_of: date, loc: Loc) -> list[HunchError]:
    """Dates in the future where the past is meant; dates before the date they follow."""
    out: list[HunchError] = []
    at = date_text(as_of)
    for name, day in inputs.dates.items():
        item = pack.time.inputs[name]
        out.extend(_date_problems(name, day, item.past, item.not_before, inputs, at, as_of,
                                  loc((name, "<value>"))))
    for name, entries in inputs.logs.items():
        for i, entry in enumerate(entries):
            for spec in pack.time.inputs[name].fields:
                value = entry.get(spec.name)
                if spec.type == "date" and isinstance(value, date):
                    # a later entry is one not yet happened (_compute), not an error
                    out.extend(_date_problems(f"{name}[{i + 1}].{spec.name}", value, False,
                                              spec.not_before, inputs, at, as_of,
                                              loc((name, i, spec.name, "<value>"))))
    return out


def _date_problems(what: str, day: date, past: bool, not_before: str, inputs: Inputs, at: str,
                   as_of: date, where: Location) -> list[HunchError]:
    out: list[HunchError] = []
    if past and day > as_of:
        out.append(SituationError.at(
            where, f"{what}: {date_text(day)} is after the as-of date {at}, and it must "
            f"have happened by then", "fix the date, or give a later --as-of (or _as_of)"))
    first = inputs.dates.get(not_before) if not_before else None
    if first is not None and day < first:
        out.append(SituationError.at(
            where, f"{what}: {date_text(day)} is before {not_before} {date_text(first)}",
            f"it cannot come before {not_before}: fix one of the two dates"))
    return out


def happened_problems(pack: Pack, inputs: Inputs, as_of: date, loc: Loc) -> list[HunchError]:
    """Log entries dated after the as-of date. In a file such an entry has not happened
    yet (left out of the counts, _compute); told to `hunch ask` as a follow-up made, it
    is a mistake, said as a file says a date in the future where the past is meant."""
    out: list[HunchError] = []
    at = date_text(as_of)
    for name, entries in inputs.logs.items():
        for i, entry in enumerate(entries):
            day = entry.get("date")
            if isinstance(day, date):
                out.extend(_date_problems(f"{name}[{i + 1}].date", day, True, "", inputs, at,
                                          as_of, loc((name, i, "date", "<value>"))))
    return out


def log_values(pack: Pack, log: str, entries: list[dict[str, Any]],
               as_of: date) -> dict[str, int | None]:
    """Every number the pack computes from log ``log`` alone, for these (checked) entries:
    None where there is none (the latest of an empty log)."""
    inputs = Inputs({}, {log: [_entry(pack.time.inputs[log], e) for e in entries]})
    out: dict[str, int | None] = {}
    for name, comp in pack.time.computed.items():
        if comp.sources == (log,):
            got = _compute(comp, inputs, as_of)
            out[name] = got[0] if got is not None else None
    return out


def conflict_problems(pack: Pack, data: dict[Any, Any], dated: Dated,
                      loc: Loc) -> list[HunchError]:
    """A day count given beside the date it is computed from must agree with it."""
    out: list[HunchError] = []
    for name, value in dated.values.items():
        given = data.get(name)
        if given is not None and given != value:
            origin = dated.origins[name]
            out.append(SituationError.at(
                loc((name, "<value>")), f"{name}: {short(given)} disagrees with the dates "
                f"({origin.text})", f"give {name} or {' and '.join(origin.sources)}, not "
                f"both, or make them agree"))
    return out


def provides(pack: Pack, data: dict[Any, Any], fact: str) -> bool:
    """Will the situation's dates fill ``fact`` in (so a required fact is not missing)?"""
    comp = pack.time.computed.get(fact)
    return comp is not None and all(data.get(s) is not None for s in comp.sources)


def dates_hint(pack: Pack, fact: str) -> str:
    """', or interview_date' for a fact the pack can compute from a date."""
    comp = pack.time.computed.get(fact)
    return f", or {' and '.join(comp.sources)}" if comp is not None else ""


__all__ = ["Dated", "Inputs", "as_of_for", "bad_date", "conflict_problems", "date_text",
           "happened_problems", "inputs_of", "log_values", "parse_date", "provides", "today",
           "type_problems", "uses_dates", "work_out"]
