"""Three-valued evaluation of conditions against what one evaluation had.

The shared ground of HOW, WHY NOT and the "still unknown" analysis: a test on a
missing input fact is *unknown* and so is its negation (only `exists` is decided
for a missing fact); derived facts and conclusions are closed-world.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Literal

from hunch.engine.certainty import Contribution, combine
from hunch.engine.compile import value_key
from hunch.engine.evaluate import Result
from hunch.engine.runner import holds
from hunch.pack.model import (
    All,
    AnyOf,
    Compare,
    ConclusionCond,
    Condition,
    Effect,
    EffectKind,
    FactRef,
    Not,
    Pack,
    Rule,
)
from hunch.pack.validate import Situation
from hunch.pack.values import fmt_num

PASSED, FAILED, UNKNOWN = "passed", "failed", "unknown"
MAX_DEPTH = 6  # how far WHY NOT shows a derived fact's rules (its statuses go further)
MAX_CHAIN = 64  # how far WHY NOT's statuses follow derived values back (deeper: failed)
EPSILON = 1e-9

_SYMBOL = {"eq": "=", "ne": "!=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


# --- data -------------------------------------------------------------------------

@dataclass
class RuleCheck:
    """A rule that did not fire, with its conditions evaluated (WHY NOT)."""

    rule: Rule
    effect: EffectKind
    cf: float  # signed
    check: Check
    would_add: float  # its contribution at full premise
    would_be: float  # the target's certainty had it fired at full premise

    @property
    def status(self) -> str:
        return self.check.status


@dataclass
class Check:
    """A condition evaluated three-valued: a combinator, or one test."""

    node: Literal["all", "any", "not", "test"]
    status: str  # passed | failed | unknown
    text: str = ""  # a test as written, e.g. "days_since_interview > 7"
    facts: tuple[str, ...] = ()  # facts (or the conclusion) the test reads
    seen: str = ""  # what the evaluation had, e.g. "23", "not given", "not derived"
    missing: tuple[str, ...] = ()  # input facts the test reads that have no value
    items: list[Check] = field(default_factory=list)
    because: list[RuleCheck] = field(default_factory=list)  # rules that could make it hold

    def leaves(self) -> list[Check]:
        if self.node == "test":
            return [self]
        return [leaf for item in self.items for leaf in item.leaves()]

    def signed_leaves(self, negated: bool = False) -> list[Check]:
        """The tests, each as it counts: a test under an odd number of `not`s is
        given as `not TEST` with its status inverted."""
        if self.node == "test":
            if not negated:
                return [self]
            return [Check("test", kleene_not(self.status), text=f"not {self.text}",
                          facts=self.facts, seen=self.seen, missing=self.missing)]
        flip = negated != (self.node == "not")
        return [leaf for item in self.items for leaf in item.signed_leaves(flip)]


# --- small helpers ----------------------------------------------------------------

def fmt_value(value: Any) -> str:
    """A fact value as a person would write it in YAML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return fmt_num(value)
    if isinstance(value, list):
        return "[" + ", ".join(fmt_value(v) for v in value) + "]"
    return str(value)


def condition_text(cond: Compare, pack: Pack) -> str:
    """A comparison as a short formula: 'unreturned_calls >= 2', 'has_deadline'."""
    fact, op, value = cond.fact, cond.op, cond.value
    spec = pack.spec(fact)
    if op == "eq" and value is True and spec is not None and spec.type == "boolean":
        return fact
    if op == "exists":
        return f"{fact} is given" if value else f"{fact} is not given"
    if op == "in":
        return f"{fact} in {fmt_value(value)}"
    if op == "between":
        return f"{fact} between {fmt_value(value[0])} and {fmt_value(value[1])}"
    right = value.fact if isinstance(value, FactRef) else fmt_value(value)
    return f"{fact} {_SYMBOL[op]} {right}"


def where_of(situation: Situation, fact: str) -> str:
    """Where an input fact's value came from: 'file:line', 'default' or 'not given'."""
    if fact in situation.defaulted:
        return "default"
    if fact not in situation.values:
        return "not given"
    line = situation.lines.get(fact)
    origin = situation.origins.get(fact)
    if origin is not None:  # worked out from dates (docs/time.md): say how
        return f"{origin.text}; {situation.file}:{line}" if line else origin.text
    return f"{situation.file}:{line}" if line else situation.file


def rule_where(rule: Rule, pack: Pack) -> str:
    """A rule's position, relative to its pack folder."""
    file = rule.loc.file
    if pack.path:
        file = os.path.relpath(file, pack.path)
    return f"{file}:{rule.loc.line}" if rule.loc.line else file


def _kleene_and(statuses: list[str]) -> str:
    if FAILED in statuses:
        return FAILED
    return UNKNOWN if UNKNOWN in statuses else PASSED


def _kleene_or(statuses: list[str]) -> str:
    if PASSED in statuses:
        return PASSED
    return UNKNOWN if UNKNOWN in statuses else FAILED


def kleene_not(status: str) -> str:
    return {PASSED: FAILED, FAILED: PASSED}.get(status, UNKNOWN)


# --- three-valued evaluation of conditions (for display) ---------------------------

class World:
    """What one evaluation had: input values, derived facts, supported conclusions."""

    def __init__(self, result: Result) -> None:
        self.result = result
        self.pack = result.pack
        self.values = result.situation.values
        self.derived = result.ledger.derived
        self.supported = result.ledger.supported
        self.fired = {f.rule_index for f in result.ledger.firings}
        self._because: dict[tuple[str, str, tuple[int, ...], bool], list[RuleCheck]] = {}

    def side(self, name: str) -> tuple[list[Any], list[str]]:
        """The values of a fact, and the input facts that are missing for it."""
        if name in self.pack.facts:
            if name in self.values:
                return [self.values[name]], []
            return [], [name]
        return list(self.derived.get(name, {}).values()), []

    def check(self, cond: Condition, depth: int, hidden: bool = False) -> Check:
        """``cond`` three-valued. At MAX_DEPTH the world is closed (a derived fact or
        conclusion not established fails: HOW); WHY NOT goes on below it ``hidden``:
        its rules are not shown, but the statuses count them."""
        if isinstance(cond, (All, AnyOf)):
            items = [self.check(item, depth, hidden) for item in cond.items]
            combine_status = _kleene_and if isinstance(cond, All) else _kleene_or
            return Check("all" if isinstance(cond, All) else "any",
                         combine_status([i.status for i in items]), items=items)
        if isinstance(cond, Not):
            item = self.check(cond.item, depth, hidden)
            return Check("not", kleene_not(item.status), items=[item])
        if isinstance(cond, ConclusionCond):
            ok = cond.conclusion in self.supported
            because = [] if ok else self.rules_for("support", cond.conclusion, depth,
                                                    hidden=hidden)
            return Check("test", PASSED if ok else _failed_unless_open(because),
                         text=f"conclusion {cond.conclusion}",
                         facts=(cond.conclusion,), seen="supported" if ok else "not supported",
                         because=[] if hidden else because)
        return self.compare(cond, depth, hidden)

    def compare(self, cond: Compare, depth: int, hidden: bool = False) -> Check:
        text = condition_text(cond, self.pack)
        lefts, missing = self.side(cond.fact)
        if cond.op == "exists":
            given = cond.fact in self.values
            ok = given == bool(cond.value)
            return Check("test", PASSED if ok else FAILED, text=text, facts=(cond.fact,),
                         seen=fmt_value(self.values[cond.fact]) if given else "not given",
                         missing=tuple(missing))
        facts = [cond.fact]
        rights = [cond.value]
        if isinstance(cond.value, FactRef):
            facts.append(cond.value.fact)
            rights, more = self.side(cond.value.fact)
            missing += more
        if missing:
            status = UNKNOWN
        else:
            status = PASSED if any(holds(cond.op, left, right, {})
                                   for left in lefts for right in rights) else FAILED
        because: list[RuleCheck] = []
        if status == FAILED:
            lists = [self.rules_for("derive", name, depth, cond if name == cond.fact else None,
                                    hidden) for name in facts if name in self.pack.derived]
            # one list is kept as it is: renderers recognise a list they have shown
            because = lists[0] if len(lists) == 1 else [rc for part in lists for rc in part]
            status = _failed_unless_open(because)
        return Check("test", status, text=text, facts=tuple(facts),
                     seen=" vs ".join(self.seen(name) for name in facts),
                     missing=tuple(missing), because=[] if hidden else because)

    def seen(self, name: str) -> str:
        values, missing = self.side(name)
        if missing:
            return "not given"
        if name in self.result.situation.defaulted:
            return f"{fmt_value(values[0])}, the default"
        if name in self.pack.derived:
            if name in self.values:  # an observable derived fact the situation states
                return f"{fmt_value(self.values[name])}, given"
            if not values:
                return "not derived"
            if values == [True]:
                return "derived"
        return ", ".join(fmt_value(v) for v in values)

    def rules_for(self, kind: str, target: str, depth: int, test: Compare | None = None,
                  hidden: bool = False) -> list[RuleCheck]:
        """The rules that could assert a fact or support a conclusion but did not fire;
        given a test of the fact, only those asserting a value that passes it."""
        if depth >= MAX_CHAIN or (depth >= MAX_DEPTH and not hidden):
            return []
        effects = [(index, effect) for index, effect in effects_on(self.pack, target, {kind})
                   if index not in self.fired and (test is None or _could_pass(test, effect))]
        # one list per set of rules, not per fact: a value of a fact may be derived from
        # another value of the same fact (docs/authoring.md), and that chain is followed;
        # a hidden list (only for statuses) is kept apart from the shown ones
        key = (kind, target, tuple(index for index, _ in effects), hidden)
        if key not in self._because:
            self._because[key] = []  # guards recursion; check_pack rejects value loops
            below = hidden or depth + 1 >= MAX_DEPTH
            found = [self.rule_check(index, effect, depth + 1, below) for index, effect in effects]
            self._because[key] = sorted_checks(found)
        return self._because[key]

    def rule_check(self, index: int, effect: Effect, depth: int,
                   hidden: bool = False) -> RuleCheck:
        rule = self.pack.rules[index]
        now = [c.contribution for c in contributions_to(self.result, effect)]
        return RuleCheck(rule=rule, effect=effect.kind, cf=effect.signed_cf,
                         check=self.check(rule.when, depth, hidden), would_add=effect.signed_cf,
                         would_be=combine([*now, effect.signed_cf]))


def _could_pass(test: Compare, effect: Effect) -> bool:
    """Whether the value an effect derives would pass a test of its fact."""
    if test.op == "exists" or isinstance(test.value, FactRef):
        return True  # (a comparison with another fact: any value might)
    return holds(test.op, effect.value, test.value, {})


def _failed_unless_open(because: list[RuleCheck]) -> str:
    """The one definition (docs/explain.md): a test *failed* when nothing still
    missing could make it hold; it is *unknown* when it could, that is when it reads
    a missing input fact, or a derived fact or conclusion that a rule which has
    not fired could still establish, because that rule's own conditions are
    unknown. A derived fact absent only because its rules failed is failed."""
    return UNKNOWN if any(rc.status == UNKNOWN for rc in because) else FAILED


def check_condition(result: Result, cond: Condition) -> Check:
    """A condition evaluated, three-valued, against what an evaluation had."""
    return World(result).check(cond, MAX_DEPTH)


def effects_on(pack: Pack, target: str, kinds: set[str]) -> list[tuple[int, Effect]]:
    return [(index, effect) for index, rule in enumerate(pack.rules)
            for effect in rule.then if effect.target == target and effect.kind in kinds]


def contributions_to(result: Result, effect: Effect) -> list[Contribution]:
    if effect.kind == "derive":
        key = (effect.target, value_key(effect.value))
        return result.certainties.derived_contributions.get(key, [])
    return result.certainties.contributions.get(effect.target, [])


def sorted_checks(checks: list[RuleCheck]) -> list[RuleCheck]:
    # the nearest misses first: unknown (a missing fact) before failed, then the strongest
    return sorted(checks, key=lambda c: (c.status != UNKNOWN, -abs(c.cf), c.rule.id))

