"""HOW, WHY NOT, what-if and flips: pure functions over a Result.

Which rules fired is always what durable_rules decided (the ledger); conditions are
re-evaluated here only to show them, three-valued (hunch.explain.world). No click
and no output formatting (hunch.output.explanation does that).

Which single change would flip the advice is decided by re-evaluating the
situation with candidate values (hunch.explain.unknowns): the pack is compiled
once, one evaluation takes ~1 ms, and results are cached per Result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from hunch.engine.certainty import Contribution
from hunch.engine.compile import value_key
from hunch.engine.evaluate import Ranked, Result, compiled
from hunch.engine.runner import holds
from hunch.errors import HunchError, did_you_mean
from hunch.explain.relevance import relevant
from hunch.explain.unknowns import (
    Budget,
    Change,
    Unknown,
    Unknowns,
    _missing,
    candidates,
    fact_tests,
    probe,
    probe_missing,
    recommendation_id,
    signature,
    top_changed,
    top_hypothesis,
)
from hunch.explain.world import (
    EPSILON,
    MAX_DEPTH,
    Check,
    RuleCheck,
    World,
    effects_on,
    fmt_value,
    sorted_checks,
    where_of,
)
from hunch.pack.model import (
    FactSpec,
    MatchKind,
    Pack,
    Rule,
    names_read,
)
from hunch.pack.validate import accepted_values, parse_cli_value
from hunch.pack.values import value_problem
from hunch.record import Slot

# --- data -------------------------------------------------------------------------

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

    kind: MatchKind
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
    kind: ExplainedKind
    title: str
    certainty: float
    rank: int  # 0 when not ranked
    of: int  # how many were ranked of this kind
    support: list[RuleNode]
    oppose: list[RuleNode]
    not_fired: list[RuleCheck]
    unknowns: list[Unknown]
    # facts the unknowns search had no budget left for (unknowns.MAX_EVALUATIONS)
    unknowns_unexamined: list[str] = field(default_factory=list)

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
        # an observable derived fact the situation states is an input too (derived_node)
        pack = self.result.pack
        order = {name: n for n, name in enumerate([*pack.facts, *pack.derived])}
        return sorted(seen.values(), key=lambda f: (f.name not in lines, lines.get(f.name, 0),
                                                     not f.given, order.get(f.name, len(order))))


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

    @property
    def unset(self) -> bool:
        """The change is leaving the given fact out (unknown), not another value."""
        return self.after is None


class Flips(list[Flip]):
    """The flips found, and the facts the search had no budget left for
    (unknowns.MAX_EVALUATIONS; empty: the search is complete)."""

    def __init__(self, found: list[Flip] | None = None,
                 unexamined: list[str] | None = None) -> None:
        super().__init__(found or [])
        self.unexamined: list[str] = list(unexamined or [])


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
        return top_changed(self.before, self.after)


def _collect_inputs(node: RuleNode, seen: dict[str, FactNode], done: set[int]) -> None:
    if id(node) in done:
        return
    done.add(id(node))
    for fact in node.facts:
        if fact.kind == "input":
            seen.setdefault(fact.name, fact)
        for rule in fact.rules:
            _collect_inputs(rule, seen, done)


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
        situation = self.result.situation
        if name in situation.values and value_key(situation.values[name]) == key[1]:
            # an observable derived fact the situation states: shown as given
            return FactNode(kind="input", name=name, value=value, given=True,
                            where=where_of(situation, name))
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
        kind: ExplainedKind = pack.conclusions[target].kind
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
    search = target_search(result, target) if unknowns else Unknowns([], [])
    missed = [world.rule_check(index, effect, 0) for index, effect in
              effects_on(pack, target, kinds) if index not in world.fired]
    return Explanation(
        result=result, id=target, kind=kind, title=title, certainty=certainty, rank=rank, of=of,
        support=[n for n in nodes if n.cf >= 0], oppose=[n for n in nodes if n.cf < 0],
        not_fired=sorted_checks(missed),
        unknowns=search.unknowns, unknowns_unexamined=search.unexamined)


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
    return target_search(result, target).unknowns


def target_search(result: Result, target: str, budget: Budget | None = None) -> Unknowns:
    """target_unknowns, with the facts the budget left unexamined."""
    now = certainty_of(result, target)
    out = []
    budget = budget or Budget(result)
    missing = _missing(result, input_cone(result.pack, target))
    unexamined: list[str] = []
    for probed in probe_missing(result, missing, budget):
        fact = probed.fact
        examples = []
        for value, after in probed.tried:
            cf = certainty_of(after, target)
            if abs(cf - now) > EPSILON:
                examples.append(Change(value, after.recommendation, top_hypothesis(after), cf))
        if examples:
            examples.sort(key=lambda c: -c.certainty)  # the most it could do first
            out.append(Unknown(fact, result.pack.facts[fact].question, [target], examples))
        if probed.stopped:
            unexamined = ([] if examples else [fact]) + missing[probed.position + 1:]
    return Unknowns(out, unexamined)


ExplainedKind = Literal["hypothesis", "action", "derived"]  # what an Explanation is of
_CONES: Slot[dict[str, frozenset[str]]] = Slot("input cones")  # per pack


def input_cone(pack: Pack, target: str) -> frozenset[str]:
    """The input facts a conclusion or derived fact can depend on, through any chain
    (worked out once per pack and name)."""
    cones = pack.memo.setdefault(_CONES, dict)
    if target not in cones:
        cones[target] = frozenset(_input_cone(pack, target))
    return cones[target]


def _input_cone(pack: Pack, target: str) -> set[str]:
    out: set[str] = set()
    seen: set[str] = set()
    todo = [target]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for index, _ in effects_on(pack, name, {"support", "oppose", "derive"}):
            for n in names_read(pack.rules[index].when):
                if n in pack.facts:
                    out.add(n)
                else:
                    todo.append(n)
    return out


# --- what-if ------------------------------------------------------------------------

class ChangeError(HunchError):
    """A change a what-if cannot make: the fact, the value as given, and what is wrong
    (``problem``), in the library's words. Each shell says where the change came
    from: the CLI names its ``--set`` item, the service a JSON pointer."""

    def __init__(self, fact: str, given: str, problem: str, hint: str = "") -> None:
        super().__init__(f"{fact}={given}: {problem}", hint=hint)
        self.fact = fact
        self.given = given
        self.problem = problem


def as_typed(value: Any) -> str:
    """A JSON scalar as it would be typed, so that a service's ``5`` and ``"5"`` are
    read as the command line reads ``n=5`` (``true``/``false`` for booleans)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def checked_change(pack: Pack, name: str, value: Any) -> Any:
    """The input fact ``name`` set to ``value`` (text as typed, or a JSON scalar): the
    value converted to the fact's type and checked against its schema."""
    given = value if isinstance(value, str) else as_typed(value)
    spec = pack.facts.get(name)
    if spec is None:
        raise _not_input(pack, name, given)
    converted = parse_cli_value(spec, given)
    problem = value_problem(spec, converted)
    if problem:
        raise ChangeError(name, given, f"{name} {problem}",
                          hint="" if "allowed:" in problem else allowed(spec))
    return converted


def checked_unset(pack: Pack, name: str) -> None:
    """The input fact ``name`` left out (unknown, even one with a default): it must be
    an input fact of the pack."""
    if name not in pack.facts:
        raise _not_input(pack, name, "")


def _not_input(pack: Pack, name: str, given: str) -> ChangeError:
    if name in pack.derived:
        sources = [f for f in pack.facts if f in input_cone(pack, name)]
        return ChangeError(name, given, f"{name!r} is derived by the rules, it cannot be set",
                           hint="set the input facts it comes from: " + ", ".join(sources))
    return ChangeError(name, given, f"unknown fact {name!r}",
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

def flips(result: Result, budget: Budget | None = None) -> Flips:
    """For each input fact, the smallest changes to it that change the recommendation."""
    rec = recommendation_id(result)
    values = result.situation.values
    out = Flips()
    budget = budget or Budget(result)
    tested = _flippable(result)
    for position, fact in enumerate(tested):
        options, any_value = candidates(result, fact)
        options = options + _unset(result, fact)
        best: dict[str | None, tuple[float, Flip]] = {}
        now = signature(result, fact, values[fact]) if fact in values else None
        for value in options:
            if value is not None and fact in values and (
                    holds("eq", value, values[fact], {}) or
                    (now is not None and signature(result, fact, value) == now)):
                continue  # the same value, or one every rule treats the same way
            after = budget.probe({fact: value})
            if after is None:
                out.unexamined = ([] if best else [fact]) + tested[position + 1:]
                break
            new = recommendation_id(after)
            if new == rec:
                continue
            flip = Flip(fact, result.pack.facts[fact].question, values.get(fact),
                        fact in values, value, any_value and value is not None,
                        after.recommendation,
                        top_hypothesis(after))
            size = _distance(values.get(fact), value)
            if new not in best or size < best[new][0]:
                best[new] = (size, flip)
        out += [flip for _, flip in sorted(best.values(), key=lambda item: item[0])]
        if out.unexamined:
            break
    return out


def _flippable(result: Result) -> list[str]:
    """The input facts flips try: those the rules test and whose ``asked_when`` holds
    (a stated fact is tried either way: changing it is a question of its own)."""
    values, pack = result.situation.values, result.pack
    tests = fact_tests(pack)
    return [fact for fact in pack.facts if fact in tests
            and (fact in values or relevant(pack, fact, values))]


def _unset(result: Result, fact: str) -> list[Any]:
    """[None] (leave it out) for a fact the situation gives and may leave out."""
    situation = result.situation
    given = fact in situation.values and fact not in situation.defaulted
    return [None] if given and not result.pack.facts[fact].required else []


def _distance(before: Any, after: Any) -> float:
    if after is None:  # leaving a fact out: listed only when no value of it does the same
        return float("inf")
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (before, after))
    return float(abs(after - before)) if numeric else 0.0


__all__ = [
    "ChangeError",
    "Explanation",
    "FactNode",
    "Flip",
    "Flips",
    "RuleNode",
    "WhatIf",
    "as_typed",
    "checked_change",
    "checked_unset",
    "explain",
    "flips",
    "target_search",
    "target_unknowns",
    "what_if",
]
