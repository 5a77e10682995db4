"""The consultation behind `hunch ask`: which question next, which no longer matter, when to stop.

Pure library: no click and no terminal I/O (hunch.cli.ask does the prompting).

A Consultation holds the answers so far (fact -> value, or None for "unknown").
Its current result is what `hunch evaluate` would say if the consultation stopped
now: answered facts as given, the others at their schema default, or unknown when
they have none.

A remaining fact *matters* when one of its candidate values (hunch.unknowns.candidates:
each enum value, both booleans, the thresholds the rules test, +-1) changes the
recommendation or the top hypothesis, re-evaluating with that one value set and
every other remaining fact left as it is. A new top hypothesis that is a close call
with the old one (ahead by less than CLOSE_CALL, as the output marks it) is no change:
such an answer would only make an order the output says "says little".

When no single fact matters, pairs of remaining facts are tried together (two facts
that only matter jointly, such as two weak rules that flip the advice only when both
fire); the first fact of such a pair is asked, and the other one is re-examined after
its answer. The pair search stops after hunch.explain.unknowns.MAX_EVALUATIONS
evaluations.

It also reasons backward from the candidates (hunch.consult.goal): the open outcomes
are the current top hypothesis and every candidate that a way still open would make
top outright (by more than a close call); a question's *information* is the expected
fall in their entropy.

The next question is, in this order:

1. a required fact that has no value yet (schema order): a situation needs it;
2. otherwise the remaining fact that matters most, by
   a. the share of its candidate values that would change the recommendation,
   b. then its information about the open outcomes,
   c. then the share that would change the top hypothesis,
   d. then its largest certainty swing: the most any one answer moves any
      hypothesis's or action's certainty,
   e. then schema order (facts.yaml), so the order is deterministic.

The consultation stops when the answer is settled: no required fact is missing, no
other outcome is open, and no remaining fact, alone or paired with another, can
change the recommendation or the top hypothesis. With ``everything=True``
(`hunch ask --all`) it then asks the rest in schema order. docs/ask.md has the
details and the measurements.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import combinations
from typing import Any, Literal

from hunch.consult.goal import (
    Branch,
    Way,
    consistent_values,
    information,
    live,
    open_facts,
    ways_to,
    witness,
)
from hunch.engine.certainty import CLOSE_CALL
from hunch.engine.evaluate import Ranked, Result, evaluate
from hunch.errors import HunchError, Location, SituationErrors
from hunch.explain.how import input_cone
from hunch.explain.relevance import gate_values, gated_by, opened, relevant
from hunch.explain.unknowns import (
    MAX_EVALUATIONS,
    candidates,
    recommendation_id,
    top_hypothesis,
    top_id,
)
from hunch.pack import dates as pack_dates
from hunch.pack.dates import (
    Inputs,
    date_text,
    happened_problems,
    inputs_of,
    log_values,
    parse_date,
    type_problems,
    uses_dates,
    work_out,
)
from hunch.pack.model import Conclusion, FactSpec, Pack, Rule, Words, names_read
from hunch.pack.timemodel import AS_OF_KEY
from hunch.pack.validate import accepted_values, parse_cli_value, situation_from, situation_problems
from hunch.pack.values import PACK_KEY, fmt_num, value_problem
from hunch.pack.yamlsource import MAX_FILE_BYTES, dump, load_file
from hunch.record import Slot

EPSILON = 1e-9
# a new top hypothesis less than CLOSE_CALL (hunch.engine.certainty) ahead of the old
# one is a close call, not a change worth a question (docs/ask.md)
# stopping is premature while one answer could still move the top hypothesis's own
# certainty this far: twice a close call (docs/ask.md, "An understated answer")
UNDERSTATED = 2 * CLOSE_CALL
MAX_WITNESSES = 8  # ways tried on the engine per candidate, fewest open facts first
MAX_WHY_RULES = 8  # rules listed by `why`; the rest are counted
UNKNOWN_WORDS = ("?", "unknown")


# --- data -------------------------------------------------------------------------

@dataclass
class Assessment:
    """What the answer to one remaining fact could do to the current result."""

    fact: str
    tried: list[Any] = field(default_factory=list)  # candidate values tried
    recommendation: list[Any] = field(default_factory=list)  # values that change it
    top: list[Any] = field(default_factory=list)  # values that change the top hypothesis
    swing: float = 0.0  # largest certainty change of any conclusion, over the values
    together_with: str = ""  # set when it matters only jointly with this fact
    pairs: int = 0  # how many pairs that matter it belongs to (the pair search only)
    gain: float = 0.0  # expected information (bits) about which candidate is the answer
    rules_out: list[str] = field(default_factory=list)  # candidates some answer rules out
    understated: float = 0.0  # the most an answer moves the top hypothesis's own certainty

    @property
    def matters(self) -> bool:
        return bool(self.recommendation or self.top or self.gain > EPSILON)

    def share(self, changed: list[Any]) -> float:
        return len(changed) / len(self.tried) if self.tried else 0.0

    def key(self, position: int) -> tuple[int, float, float, float, float, int]:
        """Sort key: the fact that could change the result most comes first. Among facts
        that matter only in pairs, the one in most such pairs first: its answer settles
        them all at once (0 for every fact that matters alone)."""
        return (-self.pairs, -self.share(self.recommendation), -round(self.gain, 9),
                -self.share(self.top), -round(self.swing, 9), position)


@dataclass
class Reply:
    """A typed answer, interpreted: a value, unknown, a request for WHY, or invalid."""

    kind: Literal["value", "unknown", "why", "invalid"]
    value: Any = None
    problem: str = ""
    defaulted: bool = False


@dataclass
class WhyRule:
    """A rule that needs the fact, and what it would conclude."""

    rule: Rule
    effects: list[tuple[Conclusion, float]]  # what it concludes, signed cf (< 0 opposes)
    via: list[str]  # derived facts / conclusions the fact reaches the rule through
    fires_now: bool
    switched_by: list[Any]  # candidate answers under which it would fire (or stop firing)


@dataclass
class Why:
    fact: str
    question: str
    rules: list[WhyRule]  # concluding rules; those the answer switches first, then rule order
    assessment: Assessment
    recommendation: Ranked | None  # now
    top: Ranked | None  # now
    candidates: dict[str, str] = field(default_factory=dict)  # open answers -> titles
    words: Words = field(default_factory=Words)  # the pack's words for its kinds


@dataclass
class LogAnswer:
    """A log answered in the consultation (docs/ask.md, "The follow-up log"): asked for
    ``fact``, it filled every count the pack computes from it (``filled``)."""

    log: str
    fact: str
    entries: list[dict[str, Any]] | None  # None: answered unknown
    filled: list[str]


@dataclass
class Plan:
    """The state of the consultation after the answers so far."""

    next: str | None  # the fact to ask next; None when done
    assessments: dict[str, Assessment]  # every remaining fact, schema order
    irrelevant: list[str]  # remaining facts that cannot change the result now
    candidates: list[str] = field(default_factory=list)  # outcomes still open ("" = none)


# --- the consultation -------------------------------------------------------------

DATE_KINDS = ("days_since", "days_until", "days_between")  # counted from dates alone


class Consultation:
    """A pack, the answers so far, and what to ask next."""

    def __init__(self, pack: Pack, given: dict[str, Any] | None = None,
                 file: str = "<answers>", everything: bool = False,
                 as_of: date | None = None, dates: dict[str, date] | None = None) -> None:
        self.pack = pack
        self.as_of = as_of  # --as-of: dates answered count to it, and a saved file keeps it
        self.dated: dict[str, tuple[str, date]] = {}  # fact -> (date input, date answered)
        # the dates the starting answers gave (the page's): later questions build on them
        self.given_dates: dict[str, date] = dict(dates or {})
        self.logs: dict[str, LogAnswer] = {}  # log -> how it was answered
        self.file = file
        self.everything = everything  # ask every fact: those that matter first, then the rest
        self.answers: dict[str, Any] = {}  # fact -> value; None = unknown
        self.given: list[str] = []  # facts that came with the starting situation
        self.asked: list[str] = []  # facts asked, in order
        self._cache: dict[tuple[tuple[str, str], ...], Result] = {}
        self._plan: Plan | None = None
        for name, value in (given or {}).items():
            self._set(name, value)
            self.given.append(name)

    # answers

    def answer(self, fact: str, value: Any) -> None:
        """Record an answer (None: the person does not know). Raises HunchError if bad."""
        self._set(fact, value)
        self.asked.append(fact)

    def undo(self) -> str | None:
        """Take back the last answer asked for; its fact, to ask again (None: none asked).

        Facts from the starting situation are not undone: they were not asked.
        """
        if not self.asked:
            return None
        fact = self.asked.pop()
        del self.answers[fact]
        self.dated.pop(fact, None)
        for log, logged in list(self.logs.items()):
            if logged.fact == fact:  # a log is taken back whole: every count it filled
                for name in logged.filled:
                    self.answers.pop(name, None)
                del self.logs[log]
        self._plan = None
        key = self._key(self.values())
        self._cache = {key: self._cache[key]} if key in self._cache else {}
        return fact

    def ask_as(self, fact: str) -> str | None:
        """The date input or log to ask instead of ``fact``, or None: the fact itself.
        `hunch ask` and the page (`ask_as` of POST /v1/next-question) both ask this."""
        return self.date_question(fact) or self.log_question(fact)

    def date_question(self, fact: str) -> str | None:
        """The date input to ask instead of ``fact`` (`interview_date` for
        `days_since_interview`), or None: asked as a date when the pack counts the fact
        from one date not yet answered."""
        comp = self.pack.time.computed.get(fact)
        if comp is None or comp.kind not in DATE_KINDS:
            return None
        missing = [s for s in comp.sources if s not in self.known_dates()]
        return missing[0] if len(missing) == 1 else None

    def log_question(self, fact: str) -> str | None:
        """The log to ask instead of ``fact`` (`follow_ups` for `unreturned_calls`), or
        None: a count the pack computes from a log is asked as the log, unless one of
        that log's counts was answered as a number (a log would then have to agree with
        it: the rest are asked as numbers too)."""
        comp = self.pack.time.computed.get(fact)
        if comp is None or comp.kind in DATE_KINDS:
            return None
        log = comp.sources[0]
        counted = [c.fact for c in self.pack.time.computed.values() if c.sources == (log,)]
        if log in self.logs or any(name in self.answers for name in counted):
            return None
        return log

    def known_dates(self) -> dict[str, date]:
        return {**self.given_dates, **dict(self.dated.values())}

    def counted_to(self) -> date:
        """The as-of date the dates answered are counted to: --as-of, else today."""
        # through the module: tests/conftest.py replaces it to prove no test reaches it
        return self.as_of if self.as_of is not None else pack_dates.today()

    def answer_date(self, fact: str, text: str) -> str:
        """Answer ``fact`` with a date typed for its date_question ('today' is the as-of
        date); the problem to show instead ('' once answered)."""
        source = self.date_question(fact)
        assert source is not None
        as_of = self.counted_to()
        word = text.strip().lower()
        day = as_of if word == "today" else parse_date(text.strip())
        if day is None:  # the file's wording (bad_date), then what else may be typed
            return f"{pack_dates.bad_date(text.strip())}: type a date like " \
                   f"{date_text(as_of)}, 'today' or '?'"
        dated = work_out(self.pack, Inputs({**self.known_dates(), source: day}, {}), as_of,
                         lambda _path: Location(source))
        if dated.problems:
            first = dated.problems[0]
            return f"{first.message}; {first.hint}" if first.hint else first.message
        self.answer(fact, dated.values[fact])
        self.dated[fact] = (source, day)
        return ""

    def log_problem(self, log: str, entries: list[dict[str, Any]], as_of: date) -> str:
        """The first problem of these entries of ``log`` (as typed: dates, booleans, enum
        values), in a situation file's words: a malformed entry, a date before the one it
        must follow, an entry after the as-of date; '' when there is none."""
        def where(_path: Any) -> Location:
            return Location(log)

        problems = type_problems({log: entries}, where, self.pack)
        if not problems:
            inputs = Inputs(self.known_dates(), inputs_of(self.pack, {log: entries}).logs)
            problems = happened_problems(self.pack, inputs, as_of, where) + \
                work_out(self.pack, inputs, as_of, where).problems
        if not problems:
            return ""
        first = problems[0]
        return f"{first.message}; {first.hint}" if first.hint else first.message

    def answer_log(self, fact: str, entries: list[dict[str, Any]] | None) -> str:
        """Answer ``fact`` with its log_question's entries (None: unknown), which answers
        every count the pack computes from that log; the problem to show instead ('' once
        answered). An empty log counts the same on any day: no clock is read for it."""
        log = self.log_question(fact)
        assert log is not None
        if entries is None:
            counts: dict[str, int | None] = dict.fromkeys(
                log_values(self.pack, log, [], date.min))
        else:
            as_of = self.counted_to() if entries else self.as_of or date.min
            problem = self.log_problem(log, entries, as_of) if entries else ""
            if problem:
                return problem
            counts = log_values(self.pack, log, entries, as_of)
        required = [n for n, v in counts.items() if v is None and self.pack.facts[n].required]
        if required:
            return f"{required[0]} is required: give the entries, or the number"
        filled = [n for n in counts if n not in self.answers]
        for name in filled:
            self._set(name, counts[name])
        self.asked.append(fact)
        self.logs[log] = LogAnswer(log, fact, entries, filled)
        return ""

    def questions_left(self) -> int:
        """About how many questions are still to come, the next one included: the
        remaining facts whose answer could change the result now (with everything=True,
        all remaining facts), the counts one log answers counted once. An estimate:
        later answers make more or fewer matter."""
        if self.done:
            return 0
        askable = self.askable(self.result())
        if not self.everything:
            askable = [n for n in askable if n not in self.irrelevant()]
        return max(1, len({self.log_question(n) or n for n in askable}))

    def _set(self, fact: str, value: Any) -> None:
        spec = self.pack.facts.get(fact)
        if spec is None:
            raise HunchError(f"unknown fact {fact!r} in pack {self.pack.name}")
        if value is None and spec.required:
            raise HunchError(f"{fact} is required: it needs a value")
        if value is not None and value_problem(spec, value):
            raise HunchError(f"{fact}: {value_problem(spec, value)}")
        self.answers[fact] = value
        self._plan = None
        # Probes of the old state are useless now, except the one that is the new state.
        key = self._key(self.values())
        self._cache = {key: self._cache[key]} if key in self._cache else {}

    def interpret(self, fact: str, text: str) -> Reply:
        """What a line typed at the prompt for ``fact`` means."""
        spec = self.pack.facts[fact]
        word = text.strip()
        low = word.lower()
        if low == "why":
            return Reply("why")
        if low in UNKNOWN_WORDS or not word:
            if not word and spec.has_default:
                return Reply("value", spec.default, defaulted=True)
            if spec.required:
                return Reply("invalid", problem="this fact is required")
            return Reply("unknown")
        value = _parse(spec, word)
        problem = _problem(spec, value)
        return Reply("invalid", problem=problem) if problem else Reply("value", value)

    # evaluation

    def values(self, changes: dict[str, Any] | None = None) -> dict[str, Any]:
        """The stated facts (answers that are not unknown), with ``changes`` applied."""
        out = {k: v for k, v in self.answers.items() if v is not None}
        out.update(changes or {})
        return {k: out[k] for k in self.pack.facts if k in out}  # schema order

    def result(self, changes: dict[str, Any] | None = None) -> Result:
        """The evaluation of the answers (plus ``changes``); defaults fill the rest."""
        values = self.values(changes)
        # `?` means unknown, even for a fact with a default (Enter takes the default)
        unknown = [f for f, v in self.answers.items()
                   if v is None and f not in values and self.pack.facts[f].has_default]
        key = self._key(values) + tuple((f, "?") for f in unknown)
        if key not in self._cache:
            # A Situation is built directly: a missing required fact is fine mid-way.
            situation = situation_from(self.file, values, {}, self.pack)
            for fact in unknown:
                del situation.values[fact]
                situation.defaulted.discard(fact)
            self._cache[key] = evaluate(self.pack, situation)
        return self._cache[key]

    @staticmethod
    def _key(values: dict[str, Any]) -> tuple[tuple[str, str], ...]:
        return tuple((k, f"{type(v).__name__}:{v!r}") for k, v in values.items())

    # planning

    def remaining(self) -> list[str]:
        """Facts neither given nor asked yet, in schema order."""
        return [name for name in self.pack.facts if name not in self.answers]

    def askable(self, now: Result) -> list[str]:
        """The remaining facts worth asking now: those whose ``asked_when`` holds
        (hunch.explain.relevance; a fact without one always does)."""
        values = now.situation.values
        return [n for n in self.remaining() if relevant(self.pack, n, values)]

    def plan(self) -> Plan:
        if self._plan is None:
            self._plan = self._make_plan()
        return self._plan

    def next_question(self) -> str | None:
        return self.plan().next

    @property
    def done(self) -> bool:
        return self.plan().next is None

    def irrelevant(self) -> list[str]:
        """Remaining facts whose answer could not change the result now."""
        return self.plan().irrelevant

    def _make_plan(self) -> Plan:
        now = self.result()
        remaining = self.askable(now)
        found = {name: self.assess(name, now) for name in remaining}
        required = [n for n in remaining if self.pack.facts[n].required]
        open_ = self._goal(now, found) if not required else []
        if required:
            return Plan(required[0], found, [n for n in remaining if not found[n].matters])
        if not self.everything and not any(a.matters for a in found.values()):
            # (with everything=True the rest is asked anyway: spare the pair search)
            found.update(self._joint(now, remaining))
        position = {name: i for i, name in enumerate(self.pack.facts)}
        live = sorted((a for a in found.values() if a.matters),
                      key=lambda a: a.key(position[a.fact]))
        irrelevant = [n for n in remaining if not found[n].matters]
        chase = self._pursuit(now, open_) if live else set()
        chased = [a for a in live if a.fact in chase]  # already in order: information first
        if chased:
            return Plan(chased[0].fact, found, irrelevant, open_)
        if live:
            return Plan(live[0].fact, found, irrelevant, open_)
        understated = _understated(found, position)
        if understated is not None and not self.everything:
            return Plan(understated, found, [n for n in irrelevant if n != understated], open_)
        return Plan(remaining[0] if self.everything and remaining else None, found, irrelevant,
                    open_)

    # reasoning toward the answer (hunch.consult.goal; docs/ask.md)

    def known(self) -> dict[str, Any]:
        """Every answered fact's value as evaluated (unknown: its default, or missing)."""
        facts = self.pack.facts
        return {n: (v if v is not None else facts[n].default if facts[n].has_default else None)
                for n, v in self.answers.items()}

    def _goal(self, now: Result, found: dict[str, Assessment]) -> list[str]:
        """Set each remaining fact's information about the open candidates; return them.

        The outcomes are the current top hypothesis ("" for none), which stays if nothing
        more changes, and every other candidate that some way still open would make the
        top hypothesis outright (tried on the engine: a witness, not a guess).
        """
        known = self.known()
        current = top_id(now) or ""
        contenders = {c: ways for c in candidate_ids(self.pack) if c != current
                      and (ways := [w for w in ways_to(self.pack, c) if live(w, known)])
                      and self._can_win(now, c, ways, known)}
        if not contenders:
            return []
        support = {r.id: r.certainty for r in now.hypotheses}
        for fact, assessment in found.items():
            values = _tries(now, fact)
            if not values:
                continue
            # the current outcome stays under the answers that do not change the top
            # hypothesis (a tie or a close call with a new one is no change)
            keeps = [v for v in values if not _top_changed(now, self.result({fact: v}))]
            branches = [Branch(current, _weight(support.get(current, 0.0)), keeps)]
            for c, ways in contenders.items():
                for way in ways:
                    allows = consistent_values(way, fact, values, known)
                    if allows:
                        branches.append(Branch(c, _weight(support.get(c, 0.0)) / len(ways),
                                               allows))
            assessment.gain, assessment.rules_out = information(branches, values)
        return [current, *contenders]

    def _pursuit(self, now: Result, open_: list[str]) -> set[str]:
        """In an identification pack (no actions: the answer is which hypothesis), the
        open facts of the leading candidate's cheapest remaining proof: its live ways
        with the fewest open facts. The leader is the open candidate with the most
        support, then the one nearest a proof, then pack order; the most informative
        of its facts is asked first (as MYCIN pursued its goal, but chosen by
        information; docs/ask.md, "Pursuing a proof")."""
        if self.pack.actions():  # advice: the recommendation matters as much (measured:
            return set()          # pursuing proofs asked the asker's case 11, not 8)
        known = self.known()
        support = {r.id: r.certainty for r in now.hypotheses}
        best: tuple[tuple[float, int, int], set[str]] | None = None
        for index, candidate in enumerate(c for c in open_ if c):
            costs = [facts for way in ways_to(self.pack, candidate)
                     if live(way, known) and (facts := open_facts(way, known))]
            if not costs:
                continue
            cheapest = min(len(facts) for facts in costs)
            key = (support.get(candidate, 0.0), -cheapest, -index)
            if best is None or key > best[0]:
                best = (key, {f for facts in costs if len(facts) == cheapest for f in facts})
        return best[1] if best else set()

    def _can_win(self, now: Result, candidate: str, ways: list[Way], known: dict[str, Any]) -> bool:
        """Whether answering some open way (or all of them at once) makes it top outright."""
        def options(fact: str) -> list[Any]:
            return _tries(now, fact)

        tried: list[dict[str, Any]] = []
        merged: dict[str, Any] = {}
        for way in sorted(ways, key=lambda w: len(open_facts(w, known)))[:MAX_WITNESSES]:
            found = witness(way, known, options)
            if found is None:
                continue
            tried.append(found)
            if all(_same(merged.get(k, v), v) for k, v in found.items()):
                merged.update(found)
        tried.append(merged)
        return any(_wins(self.result(changes), candidate, now)
                   for changes in tried if changes)

    def assess(self, fact: str, now: Result | None = None) -> Assessment:
        """Try each candidate value of ``fact`` alone against the current result."""
        now = now or self.result()
        out = Assessment(fact)
        current = now.situation.values.get(fact)
        for value in _tries(now, fact):
            if fact in now.situation.values and _same(value, current):
                continue  # the default it already has: no change by definition
            out.tried.append(value)
            self._compare(out, value, now, self.result({fact: value}))
            self._opening(out, value, now)
        return out

    def _opening(self, out: Assessment, value: Any, now: Result) -> None:
        """What the facts this answer would make worth asking (their ``asked_when``)
        could do: "is there a sauce?" matters as much as the sauce it opens."""
        values = now.situation.values
        for gated in opened(self.pack, out.fact, value, values):
            for other in _tries(now, gated):
                probe = Assessment(out.fact)
                self._compare(probe, value, now, self.result({out.fact: value, gated: other}))
                for mine, theirs in ((out.recommendation, probe.recommendation),
                                     (out.top, probe.top)):
                    if theirs and not any(_same(value, v) for v in mine):
                        mine.append(value)
                out.swing = max(out.swing, probe.swing)
                out.understated = max(out.understated, probe.understated)

    def _joint(self, now: Result, remaining: list[str]) -> dict[str, Assessment]:
        """Facts that matter only together with another remaining fact."""
        tries = {f: [v for v in _tries(now, f) if not _same(v, now.situation.values.get(f))]
                 for f in remaining}
        found: dict[str, Assessment] = {}
        left = MAX_EVALUATIONS  # the pair search is a fallback: it gets one budget
        for a, b in combinations([f for f in remaining if tries[f]], 2):
            pair = Assessment(a, together_with=b)
            for va in tries[a]:
                for vb in tries[b]:
                    left -= 1
                    if left < 0:
                        return found
                    pair.tried.append((va, vb))
                    self._compare(pair, (va, vb), now, self.result({a: va, b: vb}))
            if pair.matters:
                found.setdefault(a, pair).pairs += 1
                found.setdefault(b, replace(pair, fact=b, together_with=a, pairs=0)).pairs += 1
        return found

    @staticmethod
    def _compare(out: Assessment, value: Any, now: Result, after: Result) -> None:
        # what is shown beside the recommendation ("Also": a side matter) is advice too
        if recommendation_id(after) != recommendation_id(now) or _also(after) != _also(now):
            out.recommendation.append(value)
        if _top_changed(now, after):
            out.top.append(value)
        out.swing = max(out.swing, _swing(now, after))
        out.understated = max(out.understated, _top_moves(now, after))

    # WHY

    def why(self, fact: str) -> Why:
        """The rules that need ``fact``, and what they would conclude."""
        now = self.result()
        assessment = self.plan().assessments.get(fact) or self.assess(fact, now)
        fired_now = _fired(now)
        out = []
        for index, rule in enumerate(self.pack.rules):
            via = rule_inputs(self.pack, index).get(fact)
            if via is None:
                continue
            switched = [v for v in _tries(now, fact)
                        if (index in _fired(self.result({fact: v}))) != (index in fired_now)]
            effects = [(self.pack.conclusions[e.target], e.signed_cf) for e in rule.then
                       if e.kind in ("support", "oppose")]
            if effects:
                out.append(WhyRule(rule, effects, via, index in fired_now, switched))
        out.sort(key=lambda w: not w.switched_by)  # stable: rule order within each group
        titles = {c: (self.pack.conclusions[c].title if c else "none of them")
                  for c in self.plan().candidates}
        return Why(fact, self.pack.facts[fact].question, out, assessment,
                   now.recommendation, top_hypothesis(now), titles, self.pack.words)

    # saving

    def situation_text(self, evaluate_hint: str = "", pack_ref: str = "") -> str:
        """The answers as a situation file `hunch evaluate` reads back to the same result.

        ``pack_ref``, when given, is written as the file's ``_pack`` (a built-in name, or
        a folder relative to the file), so evaluating it needs no --rules.
        """
        lines = [f"# Situation written by `hunch ask` (pack {self.pack.name}).",
                 f"# Evaluate it with: {evaluate_hint or 'hunch evaluate FILE'}"]
        if pack_ref:
            lines.append(dump({PACK_KEY: pack_ref}, width=1000).rstrip("\n"))
        logged = {n: a for a in self.logs.values() if a.entries is not None for n in a.filled}
        if (self.dated or any(a.entries for a in logged.values())) and self.as_of is not None:
            lines.append(f"{AS_OF_KEY}: {date_text(self.as_of)}")
        unknown = [self._unknown_note(n) for n in self.pack.facts
                   if n in self.answers and self.answers[n] is None and n not in logged]
        if unknown:
            lines += textwrap.wrap("Answered unknown, so left out: " + ", ".join(unknown), 76,
                                   initial_indent="# ", subsequent_indent="#   ")
        values = self.values()
        written: set[str] = set()
        for name in self.pack.facts:
            if name in logged and logged[name].log not in written:
                # a log answered is saved as the log (its counts follow from it), once
                written.add(logged[name].log)
                lines += self._log_text(logged[name])
            elif name in values and name not in logged:
                lines += self._fact_text(name, values[name])
        return "\n".join(lines) + "\n"

    def _fact_text(self, name: str, value: Any) -> list[str]:
        source, day = self.dated.get(name, ("", None))
        # a date answered is saved as the date, so the file does not go stale
        question = self.pack.time.inputs[source].question if day else \
            self.pack.facts[name].question
        text = f"{source}: {date_text(day)}" if day else dump(
            {name: value}, default_flow_style=False, allow_unicode=True, width=1000).rstrip("\n")
        return ["", *_comment(question), text]

    def _log_text(self, answer: LogAnswer) -> list[str]:
        entries = Inputs({}, {answer.log: answer.entries or []}).as_data()[answer.log]
        # dates unquoted, as a person writes them (hunch reads YAML 1.2: they are text)
        text = [f"{answer.log}: []"] if not entries else [f"{answer.log}:"] + [
            "  - {" + ", ".join(f"{k}: {_scalar(v)}" for k, v in e.items()) + "}"
            for e in entries]
        return ["", *_comment(self.pack.time.inputs[answer.log].question), *text]

    def _unknown_note(self, name: str) -> str:
        spec = self.pack.facts[name]
        # a file cannot say "unknown" for a fact with a default: say what evaluating it does
        return f"{name} (evaluating this file applies its default {show(spec.default, spec)})" \
            if spec.has_default else name


def _comment(text: str) -> list[str]:
    return textwrap.wrap(" ".join(text.split()), 76, initial_indent="# ",
                         subsequent_indent="# ")


def _scalar(value: Any) -> str:
    """A log entry's value in a flow mapping: a date as written, anything else as YAML."""
    if isinstance(value, str) and parse_date(value) is not None:
        return value
    return dump(value, default_flow_style=True, width=1000).split("\n...")[0].strip()


# --- starting situations ------------------------------------------------------------

def without_required(pack: Pack) -> Pack:
    """The pack with no fact required: a consultation's answers so far are checked
    against it (the required facts not yet asked are still to come)."""
    return replace(pack, facts={n: replace(s, required=False) for n, s in pack.facts.items()})


def load_partial(path: str, pack: Pack, max_bytes: int = MAX_FILE_BYTES,
                 as_of: date | None = None) -> dict[str, Any]:
    """A situation file's facts, checked against the schema; required facts may be missing.

    A fact written with no value (``fact:`` or ``fact: null``) counts as answered
    "unknown" and is not asked, unless it is required.
    """
    doc = load_file(path, max_bytes)
    loose = without_required(pack)
    problems = situation_problems(doc, loose)
    if problems:
        raise SituationErrors(problems)
    assert isinstance(doc.data, dict)
    out = {name: doc.data[name] for name, spec in pack.facts.items()
           if name in doc.data and (doc.data[name] is not None or not spec.required)}
    if as_of is not None or uses_dates(pack, doc.data):
        # its dates give the numbers they imply (docs/time.md), as of --as-of or _as_of
        dated = situation_from(path, doc.data, {}, loose, as_of, doc.loc)
        out.update({name: dated.values[name] for name in dated.origins})
    return out


# --- prompts ------------------------------------------------------------------------

def prompt_hint(spec: FactSpec) -> str:
    """What the prompt shows after the question: type, allowed values, default."""
    if spec.type == "boolean":
        parts = ["yes/no"]
    elif spec.type == "enum":
        parts = ["/".join(show(v) for v in spec.values or [])]
    elif spec.type in ("integer", "number"):
        parts = [_range(spec)]
    else:
        parts = ["text"]
    if spec.unit:
        parts.insert(0, spec.unit)
    if spec.required:
        parts.append("required")
    elif spec.has_default:
        parts.append(f"default {show(spec.default, spec)}")
    return "; ".join(parts)


def allowed_text(spec: FactSpec) -> str:
    """The allowed answers in words, for re-asking after a bad one."""
    if spec.type == "string":
        return "answer with some text"
    return "answer " + accepted_values(spec, show, boolean="yes or no")


def show(value: Any, spec: FactSpec | None = None) -> str:
    """A value as typed at the prompt."""
    if isinstance(value, bool):
        if spec is None or spec.type == "boolean":
            return "yes" if value else "no"
        return "true" if value else "false"
    if isinstance(value, float):
        return fmt_num(value)
    return str(value)


def _range(spec: FactSpec) -> str:
    what = "whole number" if spec.type == "integer" else "number"
    if spec.min is not None and spec.max is not None:
        return f"{what} {fmt_num(spec.min)}-{fmt_num(spec.max)}"
    if spec.min is not None:
        return f"{what} from {fmt_num(spec.min)}"
    if spec.max is not None:
        return f"{what} up to {fmt_num(spec.max)}"
    return what


def _parse(spec: FactSpec, word: str) -> Any:
    if spec.type == "enum":  # case-insensitive, and enum values need not be strings
        for value in spec.values or []:
            if show(value, spec).lower() == word.lower():
                return value
        return word
    return parse_cli_value(spec, word)


def _problem(spec: FactSpec, value: Any) -> str:
    if spec.type == "boolean" and not isinstance(value, bool):
        return f"{value!r} is not yes or no"
    if spec.type == "enum" and value_problem(spec, value):
        return f"{value!r} is not one of the allowed values"
    if spec.type in ("integer", "number") and isinstance(value, str):
        what = "a whole number" if spec.type == "integer" else "a number"
        return f"{value!r} is not {what}"
    return value_problem(spec, value)


# --- helpers ------------------------------------------------------------------------

# rule index -> its input facts -> the derived names it reaches them through, per pack
_INPUTS: Slot[dict[int, dict[str, list[str]]]] = Slot("ask inputs")


def rule_inputs(pack: Pack, index: int) -> dict[str, list[str]]:
    """The input facts rule ``index`` depends on -> the derived names it reaches it through."""
    cache = pack.memo.setdefault(_INPUTS, dict)
    if index not in cache:
        out: dict[str, list[str]] = {}
        for name in names_read(pack.rules[index].when):
            if name in pack.facts:
                out.setdefault(name, [])
            else:
                for fact in sorted(input_cone(pack, name)):
                    via = out.setdefault(fact, [])
                    if name not in via:
                        via.append(name)
        cache[index] = out
    return cache[index]


def candidate_ids(pack: Pack) -> list[str]:
    """The answers a consultation reasons toward: the hypotheses of the pack's exclusive
    groups when it declares some (``pack.groups``), otherwise every hypothesis."""
    members = [m for ids in pack.groups.values() for m in ids]
    return members or [c.id for c in pack.hypotheses()]


def _leaders(result: Result) -> list[str]:
    """The positive hypotheses level with the top one (a tie shares the top)."""
    ranked = [r for r in result.hypotheses if r.certainty > 0]
    return [r.id for r in ranked if ranked[0].certainty - r.certainty <= EPSILON]


def _wins(result: Result, candidate: str, now: Result) -> bool:
    """The candidate is the answer of ``result``: top, ahead of every hypothesis not
    level with it by more than a close call. Level with others, it counts only when
    none of them leads ``now``: reaching a tie from no answer is progress, joining the
    current answer in a tie is only a tie-break (which never counts)."""
    ranked = [r for r in result.hypotheses if r.certainty > 0]
    leaders = _leaders(result)
    if candidate not in leaders:
        return False
    rest = [r for r in ranked if r.id not in leaders]
    if rest and not _clear_lead(ranked[0].certainty, rest[0].certainty):
        return False
    return len(leaders) == 1 or not set(leaders) & set(_leaders(now))


def _also(result: Result) -> list[str]:
    return [a.id for a in result.also]


def _top_changed(now: Result, after: Result) -> bool:
    """Another hypothesis (or none) is top, and not only by a tie-break or a close call
    with the old one (a lead of less than CLOSE_CALL, on the numbers as printed)."""
    new, old = top_id(after), top_id(now)
    if new == old or new is None or old is None:
        return new != old
    cf = {r.id: r.certainty for r in after.hypotheses}
    return _clear_lead(cf[new], cf.get(old, 0.0))


def _clear_lead(first: float, second: float) -> bool:
    """``first`` is ahead of ``second`` by more than a close call, on the numbers as printed
    (two decimals, as hunch.output.formats.close_groups compares them)."""
    return round(first, 2) - round(second, 2) >= CLOSE_CALL - EPSILON


def _weight(certainty: float) -> float:
    """A candidate's current support as a weight: its certainty mapped from [-1, 1] to [0, 1]
    (a candidate with no evidence yet weighs 0.5), never quite zero while it is open."""
    return max((1.0 + certainty) / 2.0, EPSILON)


def _tries(now: Result, fact: str) -> list[Any]:
    values, _ = candidates(now, fact)
    if not values and gated_by(now.pack, fact):
        return gate_values(now.pack, fact)  # no rule reads it; the facts it opens do
    return values


def _top_moves(now: Result, after: Result) -> float:
    """How far an answer moves the current top hypothesis's own certainty."""
    top = top_id(now)
    if top is None:
        return 0.0
    before, later = now.certainties.conclusions, after.certainties.conclusions
    return abs(later.get(top, 0.0) - before.get(top, 0.0))


def _understated(found: dict[str, Assessment], position: dict[str, int]) -> str | None:
    """The fact to ask before stopping: an answer to it could move the top hypothesis's
    own certainty by UNDERSTATED or more (stopping would show 0.58 where the rest of the
    answers give 0.93: issue 26). The largest such move first, then schema order."""
    far = [a for a in found.values() if a.understated >= UNDERSTATED - EPSILON]
    if not far:
        return None
    return min(far, key=lambda a: (-round(a.understated, 9), position[a.fact])).fact


def _fired(result: Result) -> set[int]:
    return {f.rule_index for f in result.ledger.firings}


def _swing(now: Result, after: Result) -> float:
    before, later = now.certainties.conclusions, after.certainties.conclusions
    return max((abs(later.get(c, 0.0) - before.get(c, 0.0)) for c in set(before) | set(later)),
               default=0.0)


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


__all__ = [
    "Assessment",
    "Consultation",
    "Plan",
    "Reply",
    "Why",
    "WhyRule",
    "allowed_text",
    "load_partial",
    "prompt_hint",
    "rule_inputs",
]
