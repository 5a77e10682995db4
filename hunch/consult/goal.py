"""Goal-driven consultation: the candidates, the ways to reach them, and which question splits them.

Pure functions over a pack and the answers so far; hunch.consult.ask decides when
to use them (docs/ask.md, "Reasoning toward the answer").

- A **way** to a conclusion is one conjunction of tests on *input* facts that would
  make a supporting rule fire: the rule's `when` in disjunctive normal form, each
  derived fact or conclusion it reads replaced by the ways of the rules that derive
  (or support) it, recursively (backward chaining). A negated derived fact or
  conclusion, or a comparison with a derived fact, constrains nothing here (it is
  left to the engine), so a way can only be too hopeful, never too strict.
- A way is **live** while none of its tests is false for the answers so far; a
  candidate is live while one of its ways is.
- The **information** of a question is the expected fall in the entropy of the
  outcome distribution (which candidate ends up on top), each outcome weighted by
  its current support and spread evenly over its live ways, each way answering
  uniformly among the candidate values it does not contradict.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable
from itertools import product
from typing import Any, NamedTuple

from hunch.engine.runner import holds
from hunch.pack.model import (
    All,
    AnyOf,
    Compare,
    ConclusionCond,
    Condition,
    FactRef,
    Not,
    Pack,
    Rule,
)
from hunch.record import Slot

MAX_WAYS = 64  # ways kept per rule or name; beyond, the name constrains nothing (see above)
MAX_CHAIN = 32  # derived facts followed backward; deeper, a name constrains nothing


class Literal(NamedTuple):
    """One test on input facts, possibly negated (``not gt`` holds for a known ``lte``)."""

    cond: Compare
    negated: bool

    def facts(self) -> list[str]:
        right = self.cond.value
        return [self.cond.fact] + ([right.fact] if isinstance(right, FactRef) else [])


Way = tuple[Literal, ...]
Known = dict[str, Any]  # fact -> value for every fact whose value is settled; None = missing


class _Entry(NamedTuple):
    """The ways worked out for one goal, and how far they can be trusted."""

    ways: list[Way]
    depth: int  # the chaining depth they were worked out at
    exact: bool  # nothing below was cut short (MAX_CHAIN, or a loop hunch check rejects)


# the ways per goal and pack: a conclusion by its id, a test of a derived fact by the
# fact and the rules deriving a value that passes it (so one per value, not per fact:
# a value may feed another value of its own fact, docs/authoring.md)
_WAYS: Slot[dict[Hashable, _Entry]] = Slot("goal ways")


# --- backward chaining ---------------------------------------------------------------

def ways_to(pack: Pack, name: str, depth: int = 0) -> list[Way]:
    """The ways (conjunctions of input-fact tests) to a conclusion or derived fact."""
    return _Chaining(pack).ways_to(name, depth)


class _Chaining:
    """One backward-chaining walk; its results are kept in the pack's memo.

    A goal is guarded while it is being expanded, and each is a conclusion or one set
    of values of a derived fact, never a whole fact: best_body = light may be derived
    from best_body = medium, and that chain is followed to its end. Ways cut short at
    MAX_CHAIN are kept with the depth they were worked out at, and worked out again
    when a shallower walk needs the goal, so the order of lookups never matters.
    """

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.memo = pack.memo.setdefault(_WAYS, dict)
        self.busy: set[Hashable] = set()
        self.cuts = 0  # goals cut short so far in this walk

    def ways_to(self, name: str, depth: int) -> list[Way]:
        rules = [rule for rule in self.pack.rules
                 if any(e.target == name and e.kind in ("support", "derive") and e.cf > 0
                        for e in rule.then)]
        return self._goal(name, depth, rules)

    def derived(self, cond: Compare, depth: int) -> list[Way]:
        """Ways to a positive test of a derived fact: the rules deriving a value that passes."""
        indexes = tuple(i for i, rule in enumerate(self.pack.rules)
                        if any(e.kind == "derive" and e.target == cond.fact
                               and _passes(cond, e.value) for e in rule.then))
        return self._goal((cond.fact, indexes), depth, [self.pack.rules[i] for i in indexes])

    def _goal(self, key: Hashable, depth: int, rules: list[Rule]) -> list[Way]:
        entry = self.memo.get(key)
        if entry is not None and (entry.exact or depth >= entry.depth):
            self.cuts += not entry.exact
            return entry.ways
        if depth > MAX_CHAIN or key in self.busy:
            self.cuts += 1
            return [()]
        self.busy.add(key)
        cuts = self.cuts
        try:
            ways = _capped([way for rule in rules for way in self.dnf(rule.when, False, depth + 1)])
        finally:
            self.busy.discard(key)
        self.memo[key] = _Entry(ways, depth, self.cuts == cuts)
        return ways

    def dnf(self, cond: Condition, negated: bool, depth: int) -> list[Way]:
        if isinstance(cond, Not):
            return self.dnf(cond.item, not negated, depth)
        if isinstance(cond, (All, AnyOf)):
            parts = [self.dnf(item, negated, depth) for item in cond.items]
            if isinstance(cond, All) != negated:  # all, or not-any: every item
                return _product(parts)
            return _capped([way for part in parts for way in part])
        if isinstance(cond, ConclusionCond):
            return [()] if negated else self.ways_to(cond.conclusion, depth)
        right = cond.value.fact if isinstance(cond.value, FactRef) else None
        if cond.fact in self.pack.facts and (right is None or right in self.pack.facts):
            return [(Literal(cond, negated),)]
        if negated or right is not None:
            return [()]  # closed-world negation, or a derived comparison: left to the engine
        return self.derived(cond, depth)


def _passes(cond: Compare, value: Any) -> bool:
    if cond.op == "exists":
        return bool(cond.value)
    return not isinstance(cond.value, FactRef) and holds(cond.op, value, cond.value, {})


def _product(parts: list[list[Way]]) -> list[Way]:
    if math.prod(len(p) for p in parts) > MAX_WAYS:
        return [()]
    return _capped([tuple(lit for way in combo for lit in way) for combo in product(*parts)])


def _capped(ways: list[Way]) -> list[Way]:
    """Ways without repeats; none at all when there are too many (then: unconstrained).
    A test written in two places is one test (its location is left out of the key)."""
    out: dict[str, Way] = {}
    for way in ways:
        unique = {repr((lit.cond[:3], lit.negated)): lit for lit in way}
        out.setdefault(repr(sorted(unique)), tuple(unique[k] for k in sorted(unique)))
    return list(out.values()) if len(out) <= MAX_WAYS else [()]


# --- tests against the answers --------------------------------------------------------

def status(lit: Literal, known: Known) -> bool | None:
    """True, False, or None while one of its facts is not settled yet."""
    if any(f not in known for f in lit.facts()):
        return None
    cond = lit.cond
    left = known[cond.fact]
    if cond.op == "exists":
        return (left is not None) == (bool(cond.value) != lit.negated)
    right = known[cond.value.fact] if isinstance(cond.value, FactRef) else cond.value
    if left is None or right is None:
        return False  # a missing fact fails a comparison and its negation alike
    return holds(cond.op, left, right, {}) != lit.negated


def live(way: Way, known: Known) -> bool:
    return all(status(lit, known) is not False for lit in way)


def open_facts(way: Way, known: Known) -> list[str]:
    """The facts a live way still needs answers for, in the order it tests them."""
    out: list[str] = []
    for lit in way:
        out += [f for f in lit.facts() if f not in known and f not in out]
    return out


def consistent_values(way: Way, fact: str, values: list[Any], known: Known) -> list[Any]:
    """The values of ``fact`` this way does not contradict."""
    if not any(fact in lit.facts() for lit in way):
        return list(values)
    return [v for v in values if live(way, {**known, fact: v})]


def witness(way: Way, known: Known, options: Callable[[str], list[Any]]) -> dict[str, Any] | None:
    """Values for the way's open facts that pass all its tests (None: none found)."""
    out: dict[str, Any] = {}
    for fact in open_facts(way, known):
        tests = [lit for lit in way if fact in lit.facts()]
        value = next((v for v in options(fact)
                      if all(status(lit, {**known, **out, fact: v}) is not False
                             for lit in tests)), None)
        if value is None:
            return None
        out[fact] = value
    return out


# --- information -----------------------------------------------------------------------

class Branch(NamedTuple):
    """One outcome's way, its weight, and the answers it allows to one question."""

    outcome: str
    weight: float
    allows: list[Any]


def information(branches: Iterable[Branch], values: list[Any]) -> tuple[float, list[str]]:
    """Expected entropy fall (bits) over the outcomes, and the outcomes some answer rules out."""
    mass: dict[Any, dict[str, float]] = {repr(v): {} for v in values}
    for b in branches:
        for v in b.allows:
            into = mass[repr(v)]
            into[b.outcome] = into.get(b.outcome, 0.0) + b.weight / len(b.allows)
    prior: dict[str, float] = {}
    for into in mass.values():
        for outcome, m in into.items():
            prior[outcome] = prior.get(outcome, 0.0) + m
    total = sum(prior.values())
    if total <= 0:
        return 0.0, []
    after = sum(sum(into.values()) / total * entropy(into.values()) for into in mass.values())
    ruled_out = sorted({o for o in prior for into in mass.values() if sum(into.values()) > 0
                        and o not in into})
    return max(0.0, entropy(prior.values()) - after), ruled_out


def entropy(masses: Iterable[float]) -> float:
    items = [m for m in masses if m > 0]
    total = sum(items)
    return -sum(m / total * math.log2(m / total) for m in items) if total > 0 else 0.0


__all__ = ["Branch", "Literal", "Way", "consistent_values", "entropy", "information", "live",
           "open_facts", "status", "ways_to", "witness"]
