"""Explanations of an evaluation: HOW, WHY NOT, relevant unknowns, what-if and flips.

Pure functions over a Result (its pack, situation, ledger and certainties); no click
and no output formatting (hunch.explain_render does that).

Which rules fired is always what durable_rules decided (the ledger). Conditions are
re-evaluated here in Python only to show them: three-valued, like the engine, so a
test on a missing input fact is *unknown* and so is its negation (only `exists`
is decided for a missing fact); derived facts and conclusions are closed-world.

Whether a missing fact matters, and which single change would flip the advice, is
decided by re-evaluating the situation with candidate values (each enum value, both
booleans, and for numbers the thresholds the rules mention, +-1) through
hunch.evaluation.evaluate: the pack is compiled once, one evaluation takes ~1 ms,
and results are cached per Result.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from hunch.certainty import Contribution, combine
from hunch.compile import value_key
from hunch.engine import holds
from hunch.errors import HunchError, did_you_mean
from hunch.evaluation import Ranked, Result, compiled
from hunch.model import (
    All,
    AnyOf,
    Compare,
    ConclusionCond,
    Condition,
    Effect,
    FactRef,
    FactSpec,
    Not,
    Pack,
    Rule,
    names_read,
)
from hunch.pack import fmt_num, value_problem
from hunch.schema import Situation, accepted_values, parse_cli_value
from hunch.unknowns import (  # re-exported: the explanation API includes them
    Change,
    Unknown,
    _missing,
    candidates,
    fact_tests,
    probe,
    recommendation_id,
    relevant_unknowns,
    signature,
    top_hypothesis,
    top_id,
)

PASSED, FAILED, UNKNOWN = "passed", "failed", "unknown"
MAX_DEPTH = 6  # how far WHY NOT follows a derived fact into the rules that derive it
EPSILON = 1e-9

_SYMBOL = {"eq": "=", "ne": "!=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


# --- data -------------------------------------------------------------------------

@dataclass
class RuleCheck:
    """A rule that did not fire, with its conditions evaluated (WHY NOT)."""

    rule: Rule
    effect: str  # "support" | "oppose" | "derive"
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

    node: str  # "all" | "any" | "not" | "test"
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
            return [Check("test", _kleene_not(self.status), text=f"not {self.text}",
                          facts=self.facts, seen=self.seen, missing=self.missing)]
        flip = negated != (self.node == "not")
        return [leaf for item in self.items for leaf in item.signed_leaves(flip)]


@dataclass
class RuleNode:
    """A rule that fired and what it added (HOW)."""

    rule: Rule
    effect: str
    cf: float  # signed
    premise: float
    contribution: float
    facts: list[FactNode]
    absent: list[tuple[str, str]]  # ("derived"|"conclusion", name) negated, and absent


@dataclass
class FactNode:
    """A fact a rule matched; derived facts and conclusions expand into their rules."""

    kind: str  # "input" | "derived" | "conclusion"
    name: str
    value: Any = None
    given: bool = True  # input facts: False when the situation has no value
    certainty: float = 1.0
    where: str = ""  # input facts: "file:line", "default", or "not given"
    checks: list[Check] = field(default_factory=list)  # the rule's tests of an input fact
    rules: list[RuleNode] = field(default_factory=list)


@dataclass
class Explanation:
    """HOW and WHY NOT for one conclusion (or derived fact) of one evaluation."""

    result: Result
    id: str
    kind: str  # "hypothesis" | "action" | "derived"
    title: str
    certainty: float
    rank: int  # 0 when not ranked
    of: int  # how many were ranked of this kind
    support: list[RuleNode]
    oppose: list[RuleNode]
    not_fired: list[RuleCheck]
    unknowns: list[Unknown]

    @property
    def reached(self) -> bool:
        return self.certainty > EPSILON

    def inputs(self) -> list[FactNode]:
        """The input facts the HOW tree rests on, each once: in situation file order,
        then defaults and facts not given, in schema order."""
        seen: dict[str, FactNode] = {}
        for node in self.support + self.oppose:
            _collect_inputs(node, seen, set())
        lines = self.result.situation.lines
        order = list(self.result.pack.facts)
        return sorted(seen.values(), key=lambda f: (f.name not in lines, lines.get(f.name, 0),
                                                     not f.given, order.index(f.name)))


@dataclass
class Flip:
    """A smallest single-fact change that changes the recommendation."""

    fact: str
    question: str
    before: Any  # None when not given
    given: bool
    after: Any
    any_value: bool  # only "is it given" matters for this fact: any value does the same
    recommendation: Ranked | None
    top_hypothesis: Ranked | None


@dataclass
class Row:
    """One conclusion before and after a what-if."""

    id: str
    kind: str
    title: str
    before: Ranked | None
    after: Ranked | None

    @property
    def delta(self) -> float:
        return (self.after.certainty if self.after else 0.0) - \
            (self.before.certainty if self.before else 0.0)


@dataclass
class WhatIf:
    before: Result
    after: Result
    sets: dict[str, Any]
    rows: list[Row]

    @property
    def recommendation_changed(self) -> bool:
        return recommendation_id(self.before) != recommendation_id(self.after)

    @property
    def top_changed(self) -> bool:
        return top_id(self.before) != top_id(self.after)


def _collect_inputs(node: RuleNode, seen: dict[str, FactNode], done: set[int]) -> None:
    if id(node) in done:
        return
    done.add(id(node))
    for fact in node.facts:
        if fact.kind == "input":
            seen.setdefault(fact.name, fact)
        for rule in fact.rules:
            _collect_inputs(rule, seen, done)


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


def _kleene_not(status: str) -> str:
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
        self._because: dict[tuple[str, str], list[RuleCheck]] = {}

    def side(self, name: str) -> tuple[list[Any], list[str]]:
        """The values of a fact, and the input facts that are missing for it."""
        if name in self.pack.facts:
            if name in self.values:
                return [self.values[name]], []
            return [], [name]
        return list(self.derived.get(name, {}).values()), []

    def check(self, cond: Condition, depth: int) -> Check:
        if isinstance(cond, (All, AnyOf)):
            items = [self.check(item, depth) for item in cond.items]
            combine_status = _kleene_and if isinstance(cond, All) else _kleene_or
            return Check("all" if isinstance(cond, All) else "any",
                         combine_status([i.status for i in items]), items=items)
        if isinstance(cond, Not):
            item = self.check(cond.item, depth)
            return Check("not", _kleene_not(item.status), items=[item])
        if isinstance(cond, ConclusionCond):
            ok = cond.conclusion in self.supported
            return Check("test", PASSED if ok else FAILED, text=f"conclusion {cond.conclusion}",
                         facts=(cond.conclusion,), seen="supported" if ok else "not supported",
                         because=[] if ok else self.rules_for("support", cond.conclusion, depth))
        return self.compare(cond, depth)

    def compare(self, cond: Compare, depth: int) -> Check:
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
            lists = [self.rules_for("derive", name, depth)
                     for name in facts if name in self.pack.derived]
            # one list is kept as it is: renderers recognise a list they have shown
            because = lists[0] if len(lists) == 1 else [rc for part in lists for rc in part]
        return Check("test", status, text=text, facts=tuple(facts),
                     seen=" vs ".join(self.seen(name) for name in facts),
                     missing=tuple(missing), because=because)

    def seen(self, name: str) -> str:
        values, missing = self.side(name)
        if missing:
            return "not given"
        if name in self.result.situation.defaulted:
            return f"{fmt_value(values[0])}, the default"
        if name in self.pack.derived:
            if not values:
                return "not derived"
            if values == [True]:
                return "derived"
        return ", ".join(fmt_value(v) for v in values)

    def rules_for(self, kind: str, target: str, depth: int) -> list[RuleCheck]:
        """The rules that could assert a fact or support a conclusion but did not fire."""
        if depth >= MAX_DEPTH:
            return []
        key = (kind, target)
        if key not in self._because:
            self._because[key] = []  # guards recursion; check_pack rejects cycles anyway
            found = [self.rule_check(index, effect, depth + 1)
                     for index, effect in _effects_on(self.pack, target, {kind})
                     if index not in self.fired]
            self._because[key] = _sorted_checks(found)
        return self._because[key]

    def rule_check(self, index: int, effect: Effect, depth: int) -> RuleCheck:
        rule = self.pack.rules[index]
        now = [c.contribution for c in _contributions(self.result, effect)]
        return RuleCheck(rule=rule, effect=effect.kind, cf=effect.signed_cf,
                         check=self.check(rule.when, depth), would_add=effect.signed_cf,
                         would_be=combine([*now, effect.signed_cf]))


def check_condition(result: Result, cond: Condition) -> Check:
    """A condition evaluated, three-valued, against what an evaluation had."""
    return World(result).check(cond, MAX_DEPTH)


def _effects_on(pack: Pack, target: str, kinds: set[str]) -> list[tuple[int, Effect]]:
    return [(index, effect) for index, rule in enumerate(pack.rules)
            for effect in rule.then if effect.target == target and effect.kind in kinds]


def _contributions(result: Result, effect: Effect) -> list[Contribution]:
    if effect.kind == "derive":
        key = (effect.target, value_key(effect.value))
        return result.certainties.derived_contributions.get(key, [])
    return result.certainties.contributions.get(effect.target, [])


def _sorted_checks(checks: list[RuleCheck]) -> list[RuleCheck]:
    # the nearest misses first: unknown (a missing fact) before failed, then the strongest
    return sorted(checks, key=lambda c: (c.status != UNKNOWN, -abs(c.cf), c.rule.id))


# --- HOW ----------------------------------------------------------------------------

class _How:
    """Builds the derivation tree; a derived fact or conclusion is built once and shared."""

    def __init__(self, result: Result) -> None:
        self.result = result
        self.pack = result.pack
        self.program, _ = compiled(result.pack)
        self.world = World(result)
        self.memo: dict[tuple[str, str], FactNode] = {}

    def rule_node(self, c: Contribution, effect: str) -> RuleNode:
        rule = self.pack.rules[c.rule_index]
        alt = self.program.alternatives[c.firing.alternative]
        check = self.world.check(rule.when, MAX_DEPTH)  # MAX_DEPTH: no WHY NOT inside HOW
        facts = [self.input_node(name, check) for name in alt.input_facts]
        for m in c.firing.matched:
            if m.kind == "derived":
                facts.append(self.derived_node(m.name, m.value))
            elif m.kind == "conclusion":
                facts.append(self.conclusion_node(m.name))
        absent = [("derived" if lit.kind == "d" else "conclusion", lit.name)
                  for lit in alt.negations]
        return RuleNode(rule=rule, effect=effect, cf=c.cf, premise=c.premise,
                        contribution=c.contribution, facts=facts, absent=absent)

    def input_node(self, name: str, check: Check) -> FactNode:
        situation = self.result.situation
        tests = [leaf for leaf in check.signed_leaves() if name in leaf.facts]
        return FactNode(kind="input", name=name, value=situation.values.get(name),
                        given=name in situation.values, where=where_of(situation, name),
                        checks=tests)

    def derived_node(self, name: str, value: Any) -> FactNode:
        key = ("d:" + name, value_key(value))
        if key not in self.memo:
            certainties = self.result.certainties
            vkey = (name, value_key(value))
            node = FactNode(kind="derived", name=name, value=value,
                            certainty=certainties.derived.get(vkey, 0.0))
            self.memo[key] = node
            node.rules = [self.rule_node(c, "derive")
                          for c in _strongest(certainties.derived_contributions.get(vkey, []))]
        return self.memo[key]

    def conclusion_node(self, name: str) -> FactNode:
        key = ("c:" + name, "")
        if key not in self.memo:
            certainties = self.result.certainties
            node = FactNode(kind="conclusion", name=name,
                            certainty=certainties.conclusions.get(name, 0.0))
            self.memo[key] = node
            node.rules = [self.rule_node(c, "support" if c.cf > 0 else "oppose")
                          for c in _strongest(certainties.contributions.get(name, []))]
        return self.memo[key]


def _strongest(contributions: list[Contribution]) -> list[Contribution]:
    return sorted(contributions, key=lambda c: (-abs(c.contribution), c.rule_index))


def explain(result: Result, target: str, unknowns: bool = True) -> Explanation:
    """HOW and WHY NOT for a conclusion id, or a derived fact name."""
    pack = result.pack
    if target not in pack.conclusions and target not in pack.derived:
        known = list(pack.conclusions) + list(pack.derived)
        raise HunchError(f"unknown conclusion {target!r} in pack {pack.name}",
                         hint=did_you_mean(target, known) or
                         "run 'hunch rules' or 'hunch evaluate' to see the ids")
    how = _How(result)
    if target in pack.conclusions:
        contribs = result.certainties.contributions.get(target, [])
        kinds = {"support", "oppose"}
        ranked = result.get(target)
        kind = pack.conclusions[target].kind
        title = pack.conclusions[target].title
        certainty = ranked.certainty if ranked else 0.0
        rank = ranked.rank if ranked else 0
        of = len(result.hypotheses if kind == "hypothesis" else result.actions)
    else:
        contribs = [c for (name, _), cs in result.certainties.derived_contributions.items()
                    if name == target for c in cs]
        kinds, kind, rank, of = {"derive"}, "derived", 0, 0
        title = pack.derived[target].description
        certainty = derived_certainty(result, target)
    nodes = [how.rule_node(c, "derive" if kind == "derived" else
                           "support" if c.cf >= 0 else "oppose") for c in _strongest(contribs)]
    world = how.world
    missed = [world.rule_check(index, effect, 0) for index, effect in
              _effects_on(pack, target, kinds) if index not in world.fired]
    return Explanation(
        result=result, id=target, kind=kind, title=title, certainty=certainty, rank=rank, of=of,
        support=[n for n in nodes if n.cf >= 0], oppose=[n for n in nodes if n.cf < 0],
        not_fired=_sorted_checks(missed),
        unknowns=target_unknowns(result, target) if unknowns else [])


def derived_certainty(result: Result, name: str) -> float:
    """A derived fact's certainty: its best value's."""
    return max((cf for (n, _), cf in result.certainties.derived.items() if n == name),
               default=0.0)


def certainty_of(result: Result, target: str) -> float:
    if target in result.pack.derived:
        return derived_certainty(result, target)
    ranked = result.get(target)
    return ranked.certainty if ranked else 0.0


# --- re-evaluation with one fact changed ---------------------------------------------

def target_unknowns(result: Result, target: str) -> list[Unknown]:
    """Missing input facts whose value could change one conclusion's certainty."""
    now = certainty_of(result, target)
    out = []
    for fact in _missing(result, input_cone(result.pack, target)):
        examples = []
        values, _ = candidates(result, fact)
        for value in values:
            after = probe(result, {fact: value})
            cf = certainty_of(after, target)
            if abs(cf - now) > EPSILON:
                examples.append(Change(value, after.recommendation, top_hypothesis(after), cf))
        if examples:
            examples.sort(key=lambda c: -c.certainty)  # the most it could do first
            out.append(Unknown(fact, result.pack.facts[fact].question, [target], examples))
    return out


def input_cone(pack: Pack, target: str) -> set[str]:
    """The input facts a conclusion or derived fact can depend on, through any chain."""
    out: set[str] = set()
    seen: set[str] = set()
    todo = [target]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for index, _ in _effects_on(pack, name, {"support", "oppose", "derive"}):
            for n in names_read(pack.rules[index].when):
                if n in pack.facts:
                    out.add(n)
                else:
                    todo.append(n)
    return out


# --- what-if ------------------------------------------------------------------------

def parse_sets(pack: Pack, items: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """`fact=value` strings from --set, converted and checked against the fact schema."""
    out: dict[str, Any] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise HunchError(f"--set {item}: expected fact=value",
                             hint="e.g. --set needs_answer_by_days=5")
        spec = pack.facts.get(name)
        if spec is None:
            raise _not_input(pack, item, name)
        value = parse_cli_value(spec, text)
        problem = value_problem(spec, value)
        if problem:
            raise HunchError(f"--set {item}: {name} {problem}",
                             hint="" if "allowed:" in problem else allowed(spec))
        out[name] = value
    return out


def _not_input(pack: Pack, item: str, name: str) -> HunchError:
    if name in pack.derived:
        sources = [f for f in pack.facts if f in input_cone(pack, name)]
        return HunchError(f"--set {item}: {name!r} is derived by the rules, it cannot be set",
                          hint="set the input facts it comes from: " + ", ".join(sources))
    return HunchError(f"--set {item}: unknown fact {name!r}",
                      hint=did_you_mean(name, pack.facts) or
                      f"input facts: {', '.join(pack.facts)}")


def allowed(spec: FactSpec) -> str:
    """The values a fact accepts, in words."""
    if spec.type == "enum":  # enum values without "one of:", as in value errors
        return "allowed: " + ", ".join(fmt_value(v) for v in spec.values or [])
    return "allowed: " + accepted_values(spec, fmt_value)


def what_if(result: Result, sets: dict[str, Any]) -> WhatIf:
    """The evaluation before and after setting some facts."""
    after = probe(result, sets)
    rows = []
    for kind in ("hypothesis", "action"):
        before_items = {r.id: r for r in _items(result, kind)}
        after_items = {r.id: r for r in _items(after, kind)}
        ids = list(after_items) + [i for i in before_items if i not in after_items]
        rows += [Row(i, kind, result.pack.conclusions[i].title, before_items.get(i),
                     after_items.get(i)) for i in ids]
    return WhatIf(before=result, after=after, sets=dict(sets), rows=rows)


def _items(result: Result, kind: str) -> list[Ranked]:
    return result.hypotheses if kind == "hypothesis" else result.actions


# --- flips --------------------------------------------------------------------------

def flips(result: Result) -> list[Flip]:
    """For each input fact, the smallest changes to it that change the recommendation."""
    rec = recommendation_id(result)
    values = result.situation.values
    out = []
    for fact in result.pack.facts:
        if fact not in fact_tests(result.pack):
            continue
        options, any_value = candidates(result, fact)
        best: dict[str | None, tuple[float, Flip]] = {}
        now = signature(result, fact, values[fact]) if fact in values else None
        for value in options:
            if fact in values and (holds("eq", value, values[fact], {}) or
                                   (now is not None and signature(result, fact, value) == now)):
                continue  # the same value, or one every rule treats the same way
            after = probe(result, {fact: value})
            new = recommendation_id(after)
            if new == rec:
                continue
            flip = Flip(fact, result.pack.facts[fact].question, values.get(fact),
                        fact in values, value, any_value, after.recommendation,
                        top_hypothesis(after))
            size = _distance(values.get(fact), value)
            if new not in best or size < best[new][0]:
                best[new] = (size, flip)
        out += [flip for _, flip in sorted(best.values(), key=lambda item: item[0])]
    return out


def _distance(before: Any, after: Any) -> float:
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (before, after))
    return float(abs(after - before)) if numeric else 0.0


__all__ = [
    "FAILED",
    "PASSED",
    "UNKNOWN",
    "Change",
    "Check",
    "Explanation",
    "FactNode",
    "Flip",
    "RuleCheck",
    "RuleNode",
    "Unknown",
    "WhatIf",
    "check_condition",
    "explain",
    "flips",
    "parse_sets",
    "probe",
    "relevant_unknowns",
    "target_unknowns",
    "what_if",
]
