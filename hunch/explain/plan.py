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
from hunch.pack.dates import date_text, days, inputs_of
from hunch.pack.model import Compare, FactRef, LogEntry, Pack, walk
from hunch.pack.validate import Situation, situation_from

DEFAULT_HORIZON = 365  # days a plan looks ahead
MAX_SWEEP = 10_000  # values a sweep tries at most


class Act(NamedTuple):
    """A follow-up inside a plan: an entry of the situation's log dated after the as-of
    date (it replays on its date), or one the plan assumes done, and unanswered, on a
    day whose advice is an action that declares it (`logs:` in conclusions.yaml)."""

    day: date
    log: str
    entry: dict[str, Any]  # parsed: dates as datetime.date, defaults filled in
    assumed: bool


class Step(NamedTuple):
    """From ``start`` on (until the next step), the advice is ``result``'s; ``acts``
    are the follow-ups done in the step (waiting for their answer is part of it)."""

    start: date
    result: Result
    acts: tuple[Act, ...] = ()
    after_no_answer: bool = False  # the step before it followed up and heard nothing

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
    """A situation re-worked for any day: its dates re-counted to that day, the moving
    numbers it gives directly (``days_since_interview: 23``) moved along, and the
    follow-ups the plan assumes done added to its logs."""

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
        # a log whose counts the situation gives as numbers takes no assumed entries:
        # they would disagree with the numbers (docs/time.md)
        self.fixed = {src for name, comp in computed.items() if name in given
                      for src in comp.sources}
        self.assumed: list[Act] = []
        self.evaluations = 0

    def logged(self) -> list[Act]:
        """The situation's own log entries, parsed, in order."""
        return [Act(entry["date"], name, entry, False)
                for name, entries in inputs_of(self.pack, self.data).logs.items()
                for entry in entries]

    def with_acts(self, leave_out: date | None = None) -> dict[str, Any]:
        """The situation's data with the assumed entries added to their logs, and
        without the logged entries dated ``leave_out``."""
        if not self.assumed and leave_out is None:
            return self.data
        data = dict(self.data)
        for name, entries in inputs_of(self.pack, self.data).logs.items():
            raw = self.data[name]
            data[name] = [raw[i] for i, entry in enumerate(entries) if entry["date"] != leave_out]
        for act in self.assumed:
            data[act.log] = [*data.get(act.log, []), written(act.entry)]
        return data

    def situation_on(self, day: date, leave_out: date | None = None) -> Situation:
        """The situation as of ``day``; a HunchError when a date is out of range then."""
        k = (day - self.as_of).days
        data = {name: (value + self.moving[name] * k if name in self.moving else value)
                for name, value in self.with_acts(leave_out).items()}
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

    def evaluate_on(self, day: date, leave_out: date | None = None) -> Result:
        self.evaluations += 1
        return evaluate(self.pack, self.situation_on(day, leave_out))

    def event_days(self) -> set[date]:
        """Every date in the logs (assumed entries too), and the day after it (a
        `before: as_of` flips then)."""
        out: set[date] = set()
        for entries in inputs_of(self.pack, self.with_acts()).logs.values():
            for entry in entries:
                for value in entry.values():
                    if isinstance(value, date) and value < date.max:
                        out.update((value, value + days(1)))
        return out

    def assume(self, day: date, result: Result) -> tuple[Act, ...]:
        """The follow-ups the advice on ``day`` has the person do, added to their logs:
        one per log the action declares, where the log has no entry that day or later."""
        best = result.recommendation
        if best is None or day >= date.max - days(1):
            return ()
        acts = tuple(self._assumed(day, entry) for entry in best.conclusion.logs
                     if self._open(day, entry.log))
        self.assumed.extend(acts)
        return acts

    def _open(self, day: date, log: str) -> bool:
        # the log says what the person does up to its last entry: nothing is assumed
        # before it (nor where the situation gives the log's counts as numbers)
        return log not in self.fixed and not any(a.log == log and a.day >= day
                                                 for a in self.logged() + self.assumed)

    def _assumed(self, day: date, entry: LogEntry) -> Act:
        spec = self.pack.time.inputs[entry.log]
        parsed = {f.name: f.default for f in spec.fields}
        parsed.update({**entry.fields, "date": day})
        return Act(day, entry.log, parsed, True)


def written(entry: dict[str, Any]) -> dict[str, Any]:
    """A parsed log entry as a situation writes it (dates as YYYY-MM-DD, no empty fields)."""
    return {k: (date_text(v) if isinstance(v, date) else v) for k, v in entry.items()
            if v is not None}


class Day(NamedTuple):
    """One day of a plan: the advice that day (before its follow-ups), the advice once
    they are done, and the follow-ups."""

    day: date
    shown: Result
    after: Result
    acts: tuple[Act, ...]


def _day(line: Timeline, day: date, first: bool, now: Result | None = None) -> Day:
    """The day's advice. A follow-up logged for the day shows the advice the person
    acted on (the day without it); on the as-of date the log is history as it stands.
    A day whose advice is an action that logs, with no entry that day, assumes it.
    ``now``: the day's evaluation when the caller has it (see plan)."""
    after = now if now is not None else line.evaluate_on(day)
    logged = () if first else tuple(a for a in line.logged() if a.day == day)
    if logged:
        return Day(day, line.evaluate_on(day, leave_out=day), after, logged)
    acts = line.assume(day, after)
    if not acts:
        return Day(day, after, after, ())
    return Day(day, after, line.evaluate_on(day), acts)


class _Steps:
    """Days grouped into steps. A day joins the current step when its advice is the
    step's, or when the step followed up and the day's advice is what the rules say
    once that is done (waiting for the answer); doing the step's action again after
    such a wait starts a new step ("if no answer by ...")."""

    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.wait: str | None = None  # the advice once the step's last follow-up is done
        self.waited = False  # a day of the step was spent waiting for an answer

    def add(self, d: Day) -> None:
        r = recommendation_id(d.shown)
        if self.steps and self._joins(r, d):
            cur = self.steps[-1]
            if r != cur.recommendation:
                self.waited = True
            if d.acts:
                self.steps[-1] = cur._replace(acts=cur.acts + d.acts)
        else:
            after = bool(self.steps and self.steps[-1].acts)
            self.steps.append(Step(d.day, d.shown, d.acts, after))
            self.waited = False
        if d.acts:
            self.wait = recommendation_id(d.after)

    def _joins(self, r: str | None, d: Day) -> bool:
        cur = self.steps[-1]
        if r == cur.recommendation:
            return not (d.acts and self.waited)
        logs = d.shown.recommendation is not None and bool(d.shown.recommendation.conclusion.logs)
        return bool(cur.acts) and r == self.wait and not (d.acts and logs)


def plan(pack: Pack, situation: Situation, as_of: date,
         horizon: int = DEFAULT_HORIZON, now: Result | None = None) -> Plan:
    """The advice's changes from ``as_of`` over ``horizon`` days, following up (and
    hearing nothing) whenever the advice is to. ``now``: the situation's evaluation
    when the caller has it (evaluate's outputs), used for the first day when its
    values are that day's, so its "Still unknown" analysis, which the plan's events
    read, is not worked out twice."""
    line = Timeline(pack, situation, as_of)
    same = now is not None and now.situation.values == line.situation_on(as_of).values
    first = _day(line, as_of, first=True, now=now if same else None)
    steps = _Steps()
    steps.add(first)
    last = as_of + days(min(horizon, (date.max - as_of).days))
    end = ""
    todo = _candidates(line, first.after, as_of, last)
    done: set[date] = {as_of}
    while todo:
        day = min(todo)
        todo.discard(day)
        if day in done or day > last:
            continue
        done.add(day)
        try:
            record = _day(line, day, first=False)
        except HunchError as exc:
            last, end = day - days(1), exc.message if hasattr(exc, "message") else str(exc)
            break
        steps.add(record)
        # a new segment (an event counted): the moving numbers have new starting values
        todo |= {d for d in _candidates(line, record.after, day, last) if d not in done}
    events = [_event(pack, u.fact, u.question, u.could_change)
              for u in relevant_unknowns(first.shown) if "recommendation" in u.could_change]
    return Plan(as_of, steps.steps, last, end, events, line.evaluations)


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
    steps = _Steps()
    for k in range(min(horizon, (date.max - as_of).days) + 1):
        try:
            steps.add(_day(line, as_of + days(k), first=k == 0))
        except HunchError:
            if k == 0:
                raise
            break
    return steps.steps


# --- what-if on a date --------------------------------------------------------------------

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


__all__ = ["DEFAULT_HORIZON", "MAX_SWEEP", "Act", "Band", "Event", "Plan",
           "Step", "Timeline", "day_by_day", "plan", "sweep",
           "sweep_range", "written"]
