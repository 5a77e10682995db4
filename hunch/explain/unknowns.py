"""Which missing facts matter: the "Still unknown" analysis after every evaluation.

A missing input fact *matters* when some value of it would change the recommendation
or the top hypothesis. That is decided by re-evaluating the situation with candidate
values (each enum value, both booleans, and for numbers every threshold the rules
mention, +-1, a point between each two thresholds and the fact's min and max, so
every way the tests can come out is tried) through hunch.engine.evaluate; values
that every test treats alike (the same "signature") are tried once. Results are
cached per Result.

Every search has a budget: at most MAX_EVALUATIONS new evaluations per analysis
of one result (cached ones are free). When it runs out, the facts not examined
are recorded (``unexamined``), and the outputs say the analysis stopped instead
of claiming that no answer would change the advice (docs/explain.md).

This lives apart from hunch.explain (HOW / WHY NOT) because `hunch evaluate` runs it
on every situation: importing the whole explanation machinery for it cost a cold
start ~5 ms (docs/performance.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from itertools import pairwise
from typing import Any, NamedTuple

from hunch.engine.compile import value_key
from hunch.engine.evaluate import Ranked, Result, evaluate
from hunch.engine.runner import holds
from hunch.explain.relevance import relevant as worth_asking
from hunch.pack.model import All, AnyOf, Compare, Condition, FactRef, FactSpec, Not, Pack, walk
from hunch.pack.validate import Situation
from hunch.pack.values import value_problem
from hunch.record import Record, Slot

# new evaluations one analysis (still unknown, flips, one conclusion's unknowns) may
# run for one result: at ~0.2 ms each on the built-in packs, ~50 ms at most; a pack
# of 7,200 rules (13 ms each) stops after ~3.4 s instead of running 200 s
MAX_EVALUATIONS = 256

# derived state this module keeps (hunch/record.py): on a result, its probes by change
# and its "Still unknown" analysis; on a pack, what the rules test about each fact
PROBES: Slot[dict[str, Result]] = Slot("probes")
_UNKNOWNS: Slot[Unknowns] = Slot("unknowns")
_TESTS: Slot[dict[str, _Tests]] = Slot("fact tests")
_SIGNED: Slot[dict[str, dict[int, list[tuple[Compare, bool]]]]] = Slot("signed fact tests")


class Change(NamedTuple):
    """The outcome of one single-fact change."""

    value: Any
    recommendation: Ranked | None
    top_hypothesis: Ranked | None
    certainty: float = 0.0  # of the explained conclusion, when there is one


class Budget:
    """The evaluations one analysis of one result may still run."""

    def __init__(self, result: Result, limit: int | None = None, prune: bool = True) -> None:
        self.result = result
        self.left = MAX_EVALUATIONS if limit is None else limit
        self.prune = prune  # skip inert changes (off: every change is evaluated, as before)

    def probe(self, changes: dict[str, Any]) -> Result | None:
        """The result with these changes, or None when that needs an evaluation the
        budget no longer has. A change that provably leaves the evaluation as it is
        (``inert``) is the result itself, and costs nothing."""
        if self.prune and len(changes) == 1 and inert(self.result, *next(iter(changes.items()))):
            return self.result
        if _probe_key(changes) not in self.result.memo.setdefault(PROBES, dict):
            if self.left <= 0:
                return None
            self.left -= 1
        return probe(self.result, changes)


class Probed(NamedTuple):
    """One missing fact tried with its candidate values, as far as the budget went."""

    position: int  # in the list of missing facts
    fact: str
    tried: list[tuple[Any, Result]]  # each candidate value and the result with it
    stopped: bool  # the budget ran out on this fact: the facts after it were not tried


def probe_missing(result: Result, missing: list[str], budget: Budget) -> Iterator[Probed]:
    """Each missing fact with the results of its candidate values, in order, until the
    budget runs out (the last one yielded then has ``stopped``)."""
    for position, fact in enumerate(missing):
        values, _ = candidates(result, fact)
        tried: list[tuple[Any, Result]] = []
        for value in values:
            after = budget.probe({fact: value})
            if after is None:
                yield Probed(position, fact, tried, True)
                return
            tried.append((value, after))
        yield Probed(position, fact, tried, False)


class Unknowns(NamedTuple):
    """The "Still unknown" analysis: the facts that matter, and those it did not
    get to examine because its budget ran out (empty: the analysis is complete)."""

    unknowns: list[Unknown]
    unexamined: list[str]


class Unknown(NamedTuple):
    """A missing input fact that could still change something, with its question."""

    fact: str
    question: str
    could_change: list[str]  # "recommendation", "top_hypothesis", or a conclusion id
    examples: list[Change]



def top_hypothesis(result: Result) -> Ranked | None:
    best = result.hypotheses[0] if result.hypotheses else None
    return best if best is not None and best.certainty > 0 else None


def top_id(result: Result) -> str | None:
    best = top_hypothesis(result)
    return best.id if best else None


def leaders(result: Result) -> frozenset[str]:
    """The top hypothesis and every hypothesis level with it: the answer as far
    as the evidence goes (which of equals is listed first is only a tie-break).
    Empty when no hypothesis is above 0."""
    best = top_hypothesis(result)
    if best is None:
        return frozenset()
    level = round(best.certainty, 12)
    return frozenset(h.id for h in result.hypotheses if round(h.certainty, 12) == level)


def top_changed(before: Result, after: Result) -> bool:
    """Did the top hypothesis really change? Not when only a tie-break moved.

    Hypotheses with equal certainty are a tie, not an order (docs/certainty.md;
    inside an exclusive group the ranking says so too); so the top changed only
    when no hypothesis that led before leads after. Becoming, or ceasing to be,
    level with the current leader is not a change of answer.
    """
    a, b = leaders(before), leaders(after)
    return a != b and not a & b


def recommendation_id(result: Result) -> str | None:
    return result.recommendation.id if result.recommendation else None



def probe(result: Result, changes: dict[str, Any]) -> Result:
    """The evaluation of the result's situation with some facts changed, cached on the
    result. The cached results do not refer back to it: no reference cycle, so a batch
    frees each result as soon as it is rendered."""
    cache = result.memo.setdefault(PROBES, dict)
    key = _probe_key(changes)
    if key not in cache:
        cache[key] = evaluate(result.pack, changed(result.situation, changes))
    return cache[key]


def _probe_key(changes: dict[str, Any]) -> str:
    return value_key(sorted((k, value_key(v)) for k, v in changes.items()))


def changed(situation: Situation, changes: dict[str, Any]) -> Situation:
    """A copy of a situation with facts set (a value of None removes the fact)."""
    values = dict(situation.values)
    lines = dict(situation.lines)
    for name, value in changes.items():
        lines.pop(name, None)
        if value is None:
            values.pop(name, None)
        else:
            values[name] = value
    return Situation(file=situation.file, values=values, lines=lines,
                     defaulted=situation.defaulted - set(changes))


class _Tests(Record):
    """What the rules test about one input fact: the values that can matter."""

    __slots__ = ("exists", "leaves", "literals", "numbers", "refs")

    def __init__(self) -> None:
        self.numbers: set[float] = set()
        self.literals: list[Any] = []
        self.refs: set[str] = set()  # other facts it is compared with
        self.exists = False
        self.leaves: list[Compare] = []  # every test that reads it


def fact_tests(pack: Pack) -> dict[str, _Tests]:
    """Every input fact some rule reads, with what is tested about it (cached per pack)."""
    cache = pack.memo.get(_TESTS)
    if cache is None:
        cache = pack.memo.put(_TESTS, {})
        for rule in pack.rules:
            for node in walk(rule.when):
                if isinstance(node, Compare):
                    _note(pack, cache, node)
    return cache


def _note(pack: Pack, tests: dict[str, _Tests], cond: Compare) -> None:
    other = cond.value.fact if isinstance(cond.value, FactRef) else None
    if cond.fact in pack.facts:
        t = tests.setdefault(cond.fact, _Tests())
        t.leaves.append(cond)
        if cond.op == "exists":
            t.exists = True
        elif other is not None:
            t.refs.add(other)
        else:
            for v in cond.value if isinstance(cond.value, list) else [cond.value]:
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    t.numbers.add(v)
                elif v not in t.literals:
                    t.literals.append(v)
    if other is not None and other in pack.facts:
        t = tests.setdefault(other, _Tests())
        t.refs.add(cond.fact)
        if other != cond.fact:
            t.leaves.append(cond)



def signed_tests(pack: Pack) -> dict[str, dict[int, list[tuple[Compare, bool]]]]:
    """Each input fact's tests, by the rule they are in, each with whether an odd
    number of ``not`` is above it (cached per pack): the engine pushes negations
    down to the tests (engine/compile.py, ``_nnf``), so that is the test it runs."""
    cache = pack.memo.get(_SIGNED)
    if cache is None:
        cache = pack.memo.put(_SIGNED, {})
        for index, rule in enumerate(pack.rules):
            for cond, negated in _signed(rule.when, False):
                other = cond.value.fact if isinstance(cond.value, FactRef) else cond.fact
                for name in dict.fromkeys((cond.fact, other)):
                    if name in pack.facts:
                        cache.setdefault(name, {}).setdefault(index, []).append(
                            (cond, negated))
    return cache


def _signed(cond: Condition, negated: bool) -> Iterator[tuple[Compare, bool]]:
    if isinstance(cond, Not):
        yield from _signed(cond.item, not negated)
    elif isinstance(cond, (All, AnyOf)):
        for item in cond.items:
            yield from _signed(item, negated)
    elif isinstance(cond, Compare):
        yield cond, negated


def inert(result: Result, fact: str, value: Any) -> bool:
    """Whether giving a missing input fact this value provably changes nothing in the
    evaluation, so that it need not run (docs/performance.md, "A decision's cost").

    Only the rules that read the fact can act differently at first. For each, either
    every test of the fact in it is still false with the value, as the engine takes
    each test of a missing fact (``exists`` aside; a negated test too: the negation is
    in the test), so it sees what it saw; or it did not fire and its condition is
    false with the value, over what this evaluation derived. Then no rule acts
    differently, so none downstream does either: the same firings, certainties and
    ranking. A declared contradiction naming the fact counts as a change.
    """
    pack, values = result.pack, result.situation.values
    if value is None or fact in values or fact not in pack.facts \
            or any(name == fact for c in pack.contradictions for name, _ in c.answers):
        return False
    after = {**values, fact: value}
    fired = {f.rule_index for f in result.ledger.firings}
    for index, tests in signed_tests(pack).get(fact, {}).items():
        if not all(_literal(pack, cond, negated, values, fact, value) is False
                   for cond, negated in tests) \
                and (index in fired or _may_hold(result, pack.rules[index].when, False, after)):
            return False
    return True


def _literal(pack: Pack, cond: Compare, negated: bool, values: dict[str, Any],
             fact: str, value: Any) -> bool | None:
    """A test of ``fact`` as the engine runs it with the fact set to ``value``; None
    when that is not decided here (``exists``, a derived fact on either side)."""
    right = cond.value
    if cond.op == "exists" or cond.fact not in pack.facts or (
            isinstance(right, FactRef) and right.fact not in pack.facts):
        return None
    if isinstance(right, FactRef):
        right = value if right.fact == fact else values.get(right.fact)
    left = value if cond.fact == fact else values.get(cond.fact)
    if left is None or right is None:
        return False  # the engine never matches a missing fact
    # a negated test is the complement: compile's negated operators are exactly that
    return holds(cond.op, left, right, {}) != negated


def _may_hold(result: Result, cond: Condition, negated: bool, values: dict[str, Any]) -> bool:
    """Whether a rule's condition may hold over these input values and what the result
    derived and supported, as the engine tests it; False only when it certainly not.

    A derived fact or conclusion the result lacks was absent all through its run, so a
    test that needs one fails; a test that needs one absent (a negation) may hold,
    because the engine can fire such a rule before what it negates arrives (the re-check
    at fire time sees only what has arrived by then)."""
    if isinstance(cond, Not):
        return _may_hold(result, cond.item, not negated, values)
    if isinstance(cond, (All, AnyOf)):
        found = (_may_hold(result, item, negated, values) for item in cond.items)
        return all(found) if isinstance(cond, All) != negated else any(found)
    if isinstance(cond, Compare):
        return _compare_may_hold(result, cond, negated, values)
    return negated or cond.conclusion in result.ledger.supported


def _compare_may_hold(result: Result, cond: Compare, negated: bool,
                      values: dict[str, Any]) -> bool:
    pack, right = result.pack, cond.value
    if isinstance(right, FactRef) and right.fact not in pack.facts:
        return True  # compared with a derived fact: not decided here
    if cond.fact in pack.facts:
        if cond.op == "exists":
            return (cond.fact in values) == (bool(right) != negated)
        if isinstance(right, FactRef):
            right = values.get(right.fact)
        left = values.get(cond.fact)
        return left is not None and right is not None and \
            holds(cond.op, left, right, {}) != negated
    if negated or isinstance(right, FactRef) or (cond.op == "exists" and not right):
        return True
    derived = result.ledger.derived.get(cond.fact, {}).values()
    return bool(derived) if cond.op == "exists" else any(
        holds(cond.op, v, right, {}) for v in derived)


def signature(result: Result, fact: str, value: Any) -> tuple[Any, ...] | None:
    """How every test that reads `fact` comes out with this value (None: not decidable
    here, because the fact is compared with a derived fact). Two values with the same
    signature give the same evaluation, so only one of them needs trying."""
    tests = fact_tests(result.pack).get(fact)
    if tests is None:
        return ()
    values = result.situation.values
    out: list[Any] = []
    for cond in tests.leaves:
        if cond.op == "exists":
            continue  # every candidate is a value: the fact is given either way
        right = cond.value
        if isinstance(right, FactRef):
            if result.pack.spec(right.fact) is None or right.fact in result.pack.derived \
                    or cond.fact in result.pack.derived:
                return None
            right = value if right.fact == fact else values.get(right.fact)
        left = value if cond.fact == fact else values.get(cond.fact)
        out.append(None if left is None or right is None else holds(cond.op, left, right, {}))
    return tuple(out)


def _distinct(result: Result, fact: str, values: list[Any]) -> list[Any]:
    """One value per signature, the first of each (the nearest, for numbers)."""
    seen: set[tuple[Any, ...]] = set()
    out = []
    for value in values:
        sig = signature(result, fact, value)
        if sig is None:
            return values
        if sig not in seen:
            seen.add(sig)
            out.append(value)
    return out


def candidates(result: Result, fact: str) -> tuple[list[Any], bool]:
    """Values worth trying for a fact, and whether only its presence matters."""
    values, any_value = _candidates(result, fact)
    return _distinct(result, fact, values), any_value


def _candidates(result: Result, fact: str) -> tuple[list[Any], bool]:
    pack = result.pack
    tests = fact_tests(pack).get(fact)
    spec = pack.facts[fact]
    if tests is None:
        return [], False
    if spec.type == "boolean":
        return [True, False], False
    if spec.type == "enum":
        return list(spec.values or []), False
    if spec.type in ("integer", "number"):
        values = _numbers(result, spec, tests)
    else:
        values = [v for v in tests.literals if isinstance(v, str)]
        for other in sorted(tests.refs):
            values += [v for v in _side(result, other) if isinstance(v, str) and v not in values]
    if values or not tests.exists:
        return values, False
    return [_any_value(spec)], True


def _numbers(result: Result, spec: FactSpec, tests: _Tests) -> list[Any]:
    """Every threshold +-1 (nearest the current value first), then what completes
    them: a point between each two thresholds closer than 2 apart, and the fact's
    min and max (a threshold may lie outside them). With these, each way the tests
    can come out has a candidate; signatures then keep one of each."""
    points = set(tests.numbers)
    for other in tests.refs:
        points.update(v for v in _side(result, other)
                      if isinstance(v, (int, float)) and not isinstance(v, bool))
    if not points:
        return []
    out: set[Any] = set()
    for p in points:
        for v in (p - 1, p, p + 1):
            out.update(_as_type(spec, v))
    ok = sorted(v for v in out if not value_problem(spec, v))
    current = result.situation.values.get(spec.name)
    if isinstance(current, (int, float)) and not isinstance(current, bool):
        ok.sort(key=lambda v: (abs(v - current), v))
    ordered = sorted(points)
    extra: set[Any] = set()
    for low, high in pairwise(ordered):
        extra.update(_as_type(spec, (low + high) / 2))
    extra.update(b for b in (spec.min, spec.max) if b is not None)
    seen = set(ok)
    ok += sorted(v for v in extra if v not in seen and not value_problem(spec, v))
    return ok


def _as_type(spec: FactSpec, value: float) -> list[Any]:
    if spec.type == "integer":
        return [math.floor(value), math.ceil(value)]
    return [value]


def _side(result: Result, fact: str) -> list[Any]:
    """The values another fact has (or, derived, could have) in this evaluation."""
    from hunch.explain.world import World  # only packs that compare two facts need it

    return World(result).side(fact)[0]


def _any_value(spec: FactSpec) -> Any:
    if spec.type in ("integer", "number"):
        low = spec.min if spec.min is not None else 0
        value = low if spec.max is None or low <= spec.max else spec.max
        return int(value) if spec.type == "integer" else value
    return "yes"



# --- relevant unknowns --------------------------------------------------------------

def relevant_unknowns(result: Result) -> list[Unknown]:
    """Missing input facts whose value could change the recommendation or top hypothesis."""
    return unknowns_search(result).unknowns


def unknowns_search(result: Result) -> Unknowns:
    """relevant_unknowns, with the facts the budget left unexamined (cached per result)."""
    cached = result.memo.get(_UNKNOWNS)
    if cached is not None:
        return cached
    return result.memo.put(_UNKNOWNS, search_unknowns(result, Budget(result)))


def skip_unknowns(result: Result) -> Unknowns:
    """The analysis not run (a request that does not want it): every fact it would
    examine is listed as unexamined, as when the budget runs out before the first.
    Cached as the result's analysis, so every output of this result reports it."""
    missing = _missing(result, set(fact_tests(result.pack)))
    return result.memo.put(_UNKNOWNS, Unknowns([], missing))


def search_unknowns(result: Result, budget: Budget) -> Unknowns:
    """The "Still unknown" analysis within this budget (not cached)."""
    rec = recommendation_id(result)
    out = []
    missing = _missing(result, set(fact_tests(result.pack)))
    unexamined: list[str] = []
    for probed in probe_missing(result, missing, budget):
        changes: dict[str, Change] = {}
        for value, after in probed.tried:
            change = Change(value, after.recommendation, top_hypothesis(after))
            if recommendation_id(after) != rec:
                changes.setdefault("recommendation", change)
            if top_changed(result, after):
                changes.setdefault("top_hypothesis", change)
        if changes:
            out.append(_unknown(result.pack, probed.fact, changes))
        if probed.stopped:
            unexamined = ([] if changes else [probed.fact]) + missing[probed.position + 1:]
    return Unknowns(out, unexamined)


def _missing(result: Result, relevant: set[str] | frozenset[str]) -> list[str]:
    """Missing facts the rules test and whose ``asked_when`` holds (hunch.explain.relevance)."""
    values, pack = result.situation.values, result.pack
    return [name for name in pack.facts if name not in values and name in relevant
            and worth_asking(pack, name, values)]


def _unknown(pack: Pack, fact: str, changes: dict[str, Change]) -> Unknown:
    order: list[str] = [k for k in ("recommendation", "top_hypothesis") if k in changes]
    examples = list({id(changes[k]): changes[k] for k in order}.values())
    return Unknown(fact, pack.facts[fact].question, order, examples)
