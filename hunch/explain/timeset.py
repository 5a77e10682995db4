"""what-if on a date or a log: the one implementation both shells use (docs/time.md).

A change names a date input (a new date) or a log (its entries, the whole log, or
entries added to it). The CLI reads changes from ``--set NAME=TEXT`` and
``--set NAME+=TEXT`` (YAML, located at line:column of the text), the service from
the ``set`` and ``add`` objects of a what-if (JSON, located by JSON pointer); here
they are checked the same way (a log's entries as a situation file's are) and turned
into the changes of the numbers the dates give, as of the situation's as-of date.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from hunch.errors import HunchError, Location
from hunch.pack.model import Pack
from hunch.pack.validate import Situation

Loc = Callable[[tuple[Any, ...]], Location]  # a path below the value -> where it is


class TimeSetError(HunchError):
    """A change that is not a date, ``+=`` on a date, or dates out of range."""


class TimeSet(NamedTuple):
    """One change of a date input or a log."""

    name: str  # the date input or log
    value: Any  # a date (text); a log: a list of entries, or with ``add`` one entry or a list
    add: bool  # the entries are added to the log (``+=``) instead of replacing it
    shown: str  # the change as written, for messages: ``interview_date=soon``
    loc: Loc  # where a part of the value is (the path below the value)


def read_time_set(pack: Pack, item: str) -> TimeSet | None:
    """``--set NAME=TEXT`` or ``NAME+=TEXT``: a TimeSet when NAME is a date input or a log
    of the pack (a log's text read as YAML, a problem located in it), else None."""
    from hunch.pack.yamlsource import load_text

    key, _, text = item.partition("=")
    name = key.strip().rstrip("+").strip()
    if name not in pack.time.inputs:
        return None
    add = key.strip().endswith("+")
    if pack.time.inputs[name].type == "events":
        doc = load_text(text, f"--set {name}")
        return TimeSet(name, doc.data, add, item, doc.loc)
    return TimeSet(name, text.strip(), add, item, lambda path: Location("--set"))


def time_changes(pack: Pack, situation: Situation, sets: list[TimeSet]) -> dict[str, Any]:
    """The computed facts that change when the dates and logs change as ``sets`` say, as
    of the situation's as-of date (a number they no longer give: None, unknown)."""
    from hunch.explain.plan import Timeline
    from hunch.pack.dates import as_of_for

    line = Timeline(pack, situation, situation.as_of or as_of_for({}, None))
    for change in sets:
        line.data[change.name] = _checked(pack, change, line.data.get(change.name))
    try:
        after = line.situation_on(line.as_of)
    except HunchError as exc:
        # located at the change the message starts with (`follow_ups[1].date: ...`)
        named = [c for c in sets if exc.message.startswith(c.name)] or sets[-1:]
        raise TimeSetError(exc.message, *named[0].loc(())) from None
    out: dict[str, Any] = {name: value for name, value in after.values.items()
                           if name in after.origins and situation.values.get(name) != value}
    # a number the dates gave that they no longer give (an emptied log): unknown now
    out.update({name: None for name in situation.origins if name not in after.values})
    return out


def _checked(pack: Pack, change: TimeSet, before: Any) -> Any:
    """The date or the whole log after ``change``, checked as a situation file's."""
    from hunch.errors import SituationErrors
    from hunch.pack.dates import parse_date, type_problems

    where = change.loc(())
    if pack.time.inputs[change.name].type != "events":
        if change.add or not isinstance(change.value, str) or parse_date(change.value) is None:
            raise TimeSetError(f"{change.shown}: " + ("only a log takes +=" if change.add else
                                                      "give a date written YYYY-MM-DD"), *where)
        return change.value
    old = (before or []) if change.add else []
    single = change.add and not isinstance(change.value, list)
    added = [change.value] if single else change.value
    offset = len(old)

    def loc(path: tuple[Any, ...]) -> Location:  # (name, i, field, ...) of the whole log
        rest = path[1:]
        if rest and isinstance(rest[0], int):
            rest = rest[1:] if single else (rest[0] - offset, *rest[1:])
        return change.loc(rest)

    value = [*old, *added] if isinstance(added, list) else added
    problems = type_problems({change.name: value}, loc, pack)
    if problems:
        raise SituationErrors(problems)
    return value


__all__ = ["TimeSet", "TimeSetError", "read_time_set", "time_changes"]
