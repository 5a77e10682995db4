"""Reading a pack's ``dates:`` section (facts.yaml): date inputs, event logs, and
the number facts computed from them (docs/time.md)."""

from __future__ import annotations

from typing import Any, Protocol

from hunch.errors import HunchError, Location
from hunch.pack.model import Pack
from hunch.pack.timemodel import (
    AS_OF,
    COMPUTE_KINDS,
    FIELD_TYPES,
    Computed,
    DateInput,
    EventField,
    TimeSchema,
    Where,
)
from hunch.pack.values import FACT_NAME
from hunch.pack.yamlsource import Path, short


class _Reader(Protocol):
    """What hunch.pack.read.Reader offers (not imported: read imports this module)."""

    errors: list[HunchError]

    def error(self, path: Path, message: str, hint: str = "") -> None: ...
    def loc(self, path: Path) -> Location: ...
    def mapping(self, value: Any, path: Path, what: str, allowed: tuple[str, ...],
                required: tuple[str, ...] = ()) -> dict[str, Any] | None: ...
    def string(self, value: Any, path: Path, what: str, default: str = "") -> str: ...
    def boolean(self, value: Any, path: Path, what: str, default: bool = False) -> bool: ...


_INPUT_KEYS = ("type", "question", "past", "not_before", "fields")
_FIELD_KEYS = ("type", "values", "default", "required", "not_before")


def read_dates(r: _Reader, section: Any, pack: Pack) -> None:
    """Fill ``pack.time`` from the ``dates:`` mapping (``section``), errors into ``r``."""
    path: Path = ("dates",)
    data = r.mapping(section, path, "dates", ("inputs", "computed"))
    if data is None:
        return
    inputs: dict[str, DateInput] = {}
    for name, body in _entries(r, data.get("inputs"), path + ("inputs",)):
        item = _read_input(r, path + ("inputs", name), name, body)
        if item is not None:
            if name in pack.facts or name in pack.derived:
                r.error(path + ("inputs", name), f"fact {name!r} is defined twice")
            else:
                inputs[name] = item
    computed: dict[str, Computed] = {}
    for name, body in _entries(r, data.get("computed"), path + ("computed",)):
        comp = _read_computed(r, path + ("computed", name), name, body)
        if comp is not None:
            computed[name] = comp
    pack.time = TimeSchema(inputs, computed)
    _check_references(r, pack, path)


def _entries(r: _Reader, value: Any, path: Path) -> list[tuple[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, dict):
        r.error(path, f"'{path[-1]}' must map fact names to their definitions")
        return []
    out = []
    for name, body in value.items():
        if not isinstance(name, str) or not FACT_NAME.match(name):
            r.error(path + (name,), f"fact name {short(name)} is not valid",
                    "use lower-case snake_case, starting with a letter")
        else:
            out.append((name, body))
    return out


def _read_input(r: _Reader, path: Path, name: str, body: Any) -> DateInput | None:
    data = r.mapping(body, path, f"date input {name!r}", _INPUT_KEYS, ("type", "question"))
    if data is None:
        return None
    kind = data.get("type")
    if kind not in ("date", "events"):
        r.error(path + ("type",), f"a date input is of type date or events, got {short(kind)}")
        return None
    fields: list[EventField] = []
    if kind == "events":
        for fname, fbody in _entries(r, data.get("fields"), path + ("fields",)):
            item = _read_field(r, path + ("fields", fname), fname, fbody)
            if item is not None:
                fields.append(item)
        if not any(f.name == "date" and f.type == "date" for f in fields):
            r.error(path, f"event log {name!r} needs a 'date' field of type date")
    elif "fields" in data:
        r.error(path + ("fields",), "'fields' is only for type events")
    return DateInput(name=name, type=kind, loc=r.loc(path),
                     question=r.string(data.get("question"), path + ("question",), "question"),
                     past=r.boolean(data.get("past"), path + ("past",), "past"),
                     not_before=r.string(data.get("not_before"), path + ("not_before",),
                                         "not_before"),
                     fields=tuple(fields))


def _read_field(r: _Reader, path: Path, name: str, body: Any) -> EventField | None:
    data = r.mapping(body, path, f"field {name!r}", _FIELD_KEYS, ("type",))
    if data is None:
        return None
    ftype = data.get("type")
    if ftype not in FIELD_TYPES:
        r.error(path + ("type",), f"unknown field type {short(ftype)}",
                f"use one of {', '.join(FIELD_TYPES)}")
        return None
    values = data.get("values") or ()
    if ftype == "enum" and (not isinstance(values, list) or not values):
        r.error(path, f"enum field {name!r} needs a non-empty 'values' list")
        return None
    return EventField(name=name, type=ftype, loc=r.loc(path), values=tuple(values),
                      default=data.get("default"),
                      required=r.boolean(data.get("required"), path + ("required",), "required"),
                      not_before=r.string(data.get("not_before"), path + ("not_before",),
                                          "not_before"))


def _read_computed(r: _Reader, path: Path, name: str, body: Any) -> Computed | None:
    data = r.mapping(body, path, f"computed fact {name!r}", COMPUTE_KINDS + ("where", "field"))
    if data is None:
        return None
    kinds = [k for k in COMPUTE_KINDS if k in data]
    if len(kinds) != 1:
        r.error(path, f"computed fact {name!r} needs exactly one of {', '.join(COMPUTE_KINDS)}")
        return None
    kind = kinds[0]
    raw = data[kind]
    sources = tuple(raw) if isinstance(raw, list) else (raw,)
    if not all(isinstance(s, str) for s in sources) or len(sources) != (
            2 if kind == "days_between" else 1):
        what = "two dates" if kind == "days_between" else "one input"
        r.error(path + (kind,), f"{kind} names {what}, got {short(raw)}")
        return None
    where = _read_where(r, data.get("where"), path + ("where",)) if "where" in data else ()
    if where and kind != "count":
        r.error(path + ("where",), "'where' is only for count")
    return Computed(fact=name, kind=kind, sources=sources, loc=r.loc(path), where=where,
                    field=r.string(data.get("field"), path + ("field",), "field", "date"))


def _read_where(r: _Reader, value: Any, path: Path) -> tuple[Where, ...]:
    if not isinstance(value, dict):
        r.error(path, "'where' must map field names to the value they must have")
        return ()
    out = []
    for field, want in value.items():
        if isinstance(want, dict):
            ops = [op for op in ("before", "after") if op in want]
            if len(want) != 1 or not ops or want[ops[0]] != AS_OF:
                r.error(path + (field,), f"a date condition is {{before: {AS_OF}}} or "
                        f"{{after: {AS_OF}}}, got {short(want)}")
                continue
            out.append(Where(str(field), AS_OF, ops[0]))
        else:
            out.append(Where(str(field), want))
    return tuple(out)


def _check_references(r: _Reader, pack: Pack, path: Path) -> None:
    """Computed facts fill integer input facts from inputs that exist, of the right type."""
    inputs = pack.time.inputs
    for name, item in inputs.items():
        refs = [(path + ("inputs", name, "not_before"), item.not_before)] + [
            (path + ("inputs", name, "fields", f.name, "not_before"), f.not_before)
            for f in item.fields]
        for where, ref in refs:
            if ref and (ref not in inputs or inputs[ref].type != "date"):
                r.error(where, f"not_before names {ref!r}, which is not a date input")
    for name, comp in pack.time.computed.items():
        where = path + ("computed", name)
        spec = pack.facts.get(name)
        if spec is None or spec.type != "integer":
            r.error(where, f"computed fact {name!r} must be an integer fact under 'facts'",
                    "declare it under facts: with type: integer (situations may still give "
                    "it as a number)")
        want = "events" if comp.kind in ("count", "days_since_latest") else "date"
        for source in comp.sources:
            if source not in inputs or inputs[source].type != want:
                what = "an event log" if want == "events" else "a date"
                r.error(where, f"{comp.kind} needs {what} input, {source!r} is not one")
                continue
            names = {f.name: f for f in inputs[source].fields}
            for cond in comp.where:
                if cond.field not in names:
                    r.error(where + ("where", cond.field),
                            f"{source!r} entries have no field {cond.field!r}")
                elif cond.op != "eq" and names[cond.field].type != "date":
                    r.error(where + ("where", cond.field),
                            f"{cond.op} {AS_OF} needs a date field, {cond.field!r} is not one")


__all__ = ["read_dates"]
