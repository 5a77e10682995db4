"""Advice along time and along one number: `hunch plan` and `hunch sweep`
(docs/time.md).

plan: if nothing else changes, on which dates does the recommendation change? Every
number that moves with the as-of date (days since the interview, days until a
deadline, days since the last follow-up) moves together, and the entries of an event
log count from their dates on. Between two "candidate" dates nothing a rule tests can
change, so evaluating on the candidates alone finds the change dates exactly: the
candidates are where a moving number reaches a value a rule compares it with (one
either side, so every operator is covered), the dates in the logs and the day after
each, and where a number leaves its declared range (the plan ends there).
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any, NamedTuple

from hunch.engine.evaluate import Result, evaluate
from hunch.errors import HunchError
from hunch.explain.unknowns import recommendation_id, relevant_unknowns
from hunch.pack.dates import as_of_for, date_text, days, inputs_of
from hunch.pack.model import Compare, FactRef, Pack, walk
from hunch.pack.validate import Situation, situation_from

DEFAULT_HORIZON = 365  # days a plan looks ahead
MAX_SWEEP = 10_000  # values a sweep tries at most


class Step(NamedTuple):
    """From ``start`` on (until the next step), the advice is ``result``'s."""

    start: date
    result: Result

    @property
    def recommendation(self) -> str | None:
        return recommendation_id(self.result)


class Event(NamedTuple):
    """Something still unknown that would change the advice now."""

    fact: str
    question: str
    could_change: list[str]


class Plan(NamedTuple):
    as_of: date
    steps: list[Step]  # the first starts on as_of
    until: date  # the last day looked at
    end: str  # why the plan stops there ("" at the horizon)
    events: list[Event]
    evaluations: int  # how many evaluations the plan took


class Timeline:
    """A situation re-worked for any day: its dates re-counted to that day, and the
    moving numbers it gives directly (``days_since_interview: 23``) moved along."""

    def __init__(self, pack: Pack, situation: Situation, as_of: date) -> None:
        self.pack = pack
        self.situation = situation
        self.as_of = as_of
        computed = pack.time.computed
        given = {k: v for k, v in situation.values.items()
                 if k not in situation.origins and k not in situation.defaulted}
        self.moving = {k: computed[k].step for k in given
                       if k in computed and computed[k].moves and isinstance(given[k], int)}
        self.data: dict[str, Any] = {**given, **situation.dates}

    def situation_on(self, day: date) -> Situation:
        """The situation as of ``day``; a HunchError when a date is out of range then."""
        k = (day - self.as_of).days
        data = {name: (value + self.moving[name] * k if name in self.moving else value)
                for name, value in self.data.items()}
        sit = situation_from(self.situation.file, data, dict(self.situation.lines), self.pack,
                             day)
        for name in self.moving:  # a count moved out of its range: the same error as a date's
            from hunch.pack.values import value_problem

            problem = value_problem(self.pack.facts[name], sit.values[name])
            if problem:
                from hunch.errors import SituationError

                raise SituationError(f"{name} on {date_text(day)}: {problem}",
                                     self.situation.file)
        return sit

    def evaluate_on(self, day: date) -> Result:
        return evaluate(self.pack, self.situation_on(day))

    def event_days(self) -> set[date]:
        """Every date in the logs, and the day after it (a `before: as_of` flips then)."""
        out: set[date] = set()
        for entries in inputs_of(self.pack, self.data).logs.values():
            for entry in entries:
                for value in entry.values():
                    if isinstance(value, date) and value < date.max:
                        out.update((value, value + days(1)))
        return out


def plan(pack: Pack, situation: Situation, as_of: date,
         horizon: int = DEFAULT_HORIZON, now: Result | None = None) -> Plan:
    """The recommendation's changes from ``as_of`` over ``horizon`` days. ``now``: the
    situation's evaluation when the caller has it (evaluate's outputs), used for the
    first day when its values are that day's, so its "Still unknown" analysis, which
    the plan's events read, is not worked out twice."""
    line = Timeline(pack, situation, as_of)
    today = line.situation_on(as_of)
    same = now is not None and now.situation.values == today.values
    first = now if now is not None and same else evaluate(pack, today)
    steps = [Step(as_of, first)]
    last = as_of + days(min(horizon, (date.max - as_of).days))
    end = ""
    evaluations = 1
    todo = _candidates(line, first, as_of, last)
    done: set[date] = {as_of}
    while todo:
        day = min(todo)
        todo.discard(day)
        if day in done or day > last:
            continue
        done.add(day)
        try:
            result = line.evaluate_on(day)
        except HunchError as exc:
            last, end = day - days(1), exc.message if hasattr(exc, "message") else str(exc)
            break
        evaluations += 1
        if recommendation_id(result) != steps[-1].recommendation:
            steps.append(Step(day, result))
        # a new segment (an event counted): the moving numbers have new starting values
        todo |= {d for d in _candidates(line, result, day, last) if d not in done}
    events = [_event(pack, u.fact, u.question, u.could_change) for u in relevant_unknowns(first)
              if "recommendation" in u.could_change]
    return Plan(as_of, steps, last, end, events, evaluations)


def _event(pack: Pack, fact: str, question: str, could_change: list[str]) -> Event:
    """A still-unknown fact, asked as its date when the pack computes it from one."""
    comp = pack.time.computed.get(fact)
    source = pack.time.inputs.get(comp.sources[-1]) if comp is not None else None
    if source is not None:
        return Event(source.name, source.question, could_change)
    return Event(fact, question, could_change)


def _candidates(line: Timeline, result: Result, start: date, last: date) -> set[date]:
    """The days after ``start`` on which something a rule tests may change, assuming the
    moving numbers keep their pace from ``result`` on (true until the next log date)."""
    out = {d for d in line.event_days() if start < d <= last}
    pack = line.pack
    values = result.situation.values
    pace = {name: comp.step for name, comp in pack.time.computed.items()
            if comp.moves and name in values}
    pace.update(line.moving)
    for name, step in pace.items():
        spec = pack.facts.get(name)
        for bound in (spec.min, spec.max) if spec is not None else ():
            if bound is not None:  # where it leaves its range: the plan ends there
                out.update(_reaching(values[name], step, [bound - 1, bound + 1], start, last))
    for leaf in _leaves(pack):
        if leaf.fact not in pace:
            continue
        v0, step = values[leaf.fact], pace[leaf.fact]
        if isinstance(leaf.value, FactRef):
            other = leaf.value.fact
            if other not in values:
                continue
            rel = step - pace.get(other, 0)  # how fast the two close in
            if rel == 0:
                continue
            gap = values[other] - v0  # the fact reaches the other after gap / rel days
            out.update(_reaching(0, rel, [gap - 1, gap, gap + 1], start, last))
        else:
            out.update(_reaching(v0, step, _thresholds(leaf.value), start, last))
    return out


def _leaves(pack: Pack) -> list[Compare]:
    return [node for rule in pack.rules for node in walk(rule.when) if isinstance(node, Compare)]


def _thresholds(value: Any) -> list[float]:
    items = value if isinstance(value, list) else [value]
    out: list[float] = []
    for item in items:
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            low, high = math.floor(item), math.ceil(item)
            out.extend((low - 1, low, high, high + 1))
    return out


def _reaching(v0: float, step: int, targets: list[float], start: date,
              last: date) -> set[date]:
    """The days on which ``v0 + step * k`` equals one of ``targets`` (k > 0)."""
    out = set()
    room = (last - start).days
    for target in targets:
        k = (target - v0) / step
        if 0 < k <= room and k == int(k):
            out.add(start + days(int(k)))
    return out


def day_by_day(pack: Pack, situation: Situation, as_of: date, horizon: int) -> list[Step]:
    """The same as plan's steps, by evaluating every day (what the property test and
    the benchmark compare plan against)."""
    line = Timeline(pack, situation, as_of)
    steps: list[Step] = []
    for k in range(min(horizon, (date.max - as_of).days) + 1):
        day = as_of + days(k)
        try:
            result = line.evaluate_on(day)
        except HunchError:
            break
        if not steps or recommendation_id(result) != steps[-1].recommendation:
            steps.append(Step(day, result))
    return steps


# --- what-if on a date --------------------------------------------------------------------

class DateChangeError(Exception):
    """A date --set that is not a date, names a log, or puts the situation out of range."""


def date_changes(pack: Pack, situation: Situation, dates: dict[str, str]) -> dict[str, Any]:
    """The computed facts that change when date inputs are set to ``dates`` (YYYY-MM-DD),
    as of the situation's as-of date: what-if's changes for `--set interview_date=...`."""
    from hunch.pack.dates import parse_date

    line = Timeline(pack, situation, situation.as_of or as_of_for({}, None))
    for name, text in dates.items():
        if pack.time.inputs[name].type != "date" or parse_date(text.strip()) is None:
            raise DateChangeError(f"{name}={text}: give a date written YYYY-MM-DD"
                                  if pack.time.inputs[name].type == "date" else
                                  f"{name}: a log cannot be set on the command line")
        line.data[name] = text.strip()
    try:
        after = line.situation_on(line.as_of)
    except HunchError as exc:
        raise DateChangeError(exc.message) from None
    return {name: value for name, value in after.values.items()
            if name in after.origins and situation.values.get(name) != value}


# --- sweep: the advice along one number ------------------------------------------------

class Band(NamedTuple):
    """From ``low`` to ``high`` (inclusive, in steps) the advice is ``result``'s."""

    low: float
    high: float
    result: Result


def sweep(result: Result, fact: str, start: float, stop: float, step: float) -> list[Band]:
    """Evaluate with ``fact`` set to each value from start to stop; the bands of equal
    recommendation."""
    spec = result.pack.facts[fact]
    bands: list[Band] = []
    count = math.floor((stop - start) / step + 1e-9) + 1
    for i in range(max(count, 0)):
        value: float = start + i * step
        if spec.type == "integer":
            value = round(value)
        from hunch.explain.unknowns import changed

        after = evaluate(result.pack, changed(result.situation, {fact: value}))
        if bands and recommendation_id(after) == recommendation_id(bands[-1].result):
            bands[-1] = bands[-1]._replace(high=value)
        else:
            bands.append(Band(value, value, after))
    return bands


def sweep_range(pack: Pack, fact: str) -> tuple[float, float]:
    """Where a sweep runs by default: the fact's minimum (or 0) to one past the
    largest number a rule compares it with (within its maximum)."""
    spec = pack.facts[fact]
    low = spec.min if spec.min is not None else 0
    seen = [t for leaf in _leaves(pack) if leaf.fact == fact and not isinstance(leaf.value, FactRef)
            for t in _thresholds(leaf.value)]
    high = max(seen + [low + 10]) + 1
    if spec.max is not None:
        high = min(high, spec.max)
    return float(low), float(high)


__all__ = ["DEFAULT_HORIZON", "MAX_SWEEP", "Band", "DateChangeError", "Event", "Plan", "Step",
           "Timeline", "date_changes", "day_by_day", "plan", "sweep", "sweep_range"]
