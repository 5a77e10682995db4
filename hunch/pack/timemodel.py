"""The records of a pack's ``dates:`` section (docs/time.md): date inputs, event
logs and the numbers computed from them.

Kept apart from hunch.pack.model so a pack without dates reads exactly as before,
and so the rest of the pipeline never sees a date: a situation's dates become the
numbers the rules compare (hunch.pack.dates) before anything else looks at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from hunch.errors import Location

AS_OF_KEY = "_as_of"  # a situation's own as-of date
AS_OF = "as_of"  # the name a condition in `where:` or a `not_before:` uses for it
DATE_TYPES = ("date", "events")
FIELD_TYPES = ("date", "boolean", "enum", "string")
COMPUTE_KINDS = ("days_since", "days_until", "days_between", "count", "days_since_latest")


class EventField(NamedTuple):
    """One field of an event log's entries."""

    name: str
    type: str  # one of FIELD_TYPES
    loc: Location
    values: tuple[Any, ...] = ()  # enum
    default: Any = None
    required: bool = False
    not_before: str = ""  # a date input this date may not precede


class DateInput(NamedTuple):
    """A date or an event log a situation may give (``type: date`` or ``events``)."""

    name: str
    type: str  # "date" | "events"
    question: str
    loc: Location
    past: bool = False
    not_before: str = ""
    fields: tuple[EventField, ...] = ()


class Where(NamedTuple):
    """An entry of a log counts when ``field`` equals ``value``, or, with ``op``
    "before"/"after", when its date field is before/after the as-of date."""

    field: str
    value: Any
    op: str = "eq"


class Computed(NamedTuple):
    """A number fact worked out from dates: ``kind`` from COMPUTE_KINDS.

    days_since D: as-of minus D; days_until D: D minus as-of; days_between [A, B]:
    B minus A; count L where ...: entries of L that match; days_since_latest L:
    as-of minus the latest ``field`` date among L's entries.
    """

    fact: str
    kind: str
    sources: tuple[str, ...]
    loc: Location
    where: tuple[Where, ...] = ()
    field: str = "date"

    @property
    def moves(self) -> bool:
        """Does the value change as the as-of date moves (one day: one unit)?"""
        return self.kind in ("days_since", "days_until", "days_since_latest")

    @property
    def step(self) -> int:
        """How the value moves per day of as-of: +1, -1, or 0."""
        return {"days_since": 1, "days_since_latest": 1, "days_until": -1}.get(self.kind, 0)


@dataclass(frozen=True)
class TimeSchema:
    """A pack's date inputs and computed facts (empty for a pack without dates)."""

    inputs: dict[str, DateInput] = field(default_factory=dict)
    computed: dict[str, Computed] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.inputs and not self.computed


class Origin(NamedTuple):
    """Where a computed number came from, in words ("23 days: since 2026-11-14, as of
    2026-12-07"), and the inputs it was computed from."""

    fact: str
    value: int
    text: str
    sources: tuple[str, ...]


__all__ = ["AS_OF", "AS_OF_KEY", "COMPUTE_KINDS", "DATE_TYPES", "Computed", "DateInput",
           "EventField", "Origin", "TimeSchema", "Where"]
