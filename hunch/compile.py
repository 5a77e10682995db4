"""Compile a checked pack into durable_rules ruleset definitions (pure; no engine).

Each rule's ``when`` is put in negation normal form, then split into alternatives
(disjunctive normal form); each alternative becomes one durable_rules rule:

* all input-fact tests go into ONE alias matching the single situation fact
  (``{"_k": "s", fact: value, ...}``), so a situation is asserted as one fact;
* each derived fact the alternative tests gets its own alias matching
  ``{"_k": "d", "name": F, "value": V}``; comparisons with other facts become joins;
* a negated derived fact or conclusion becomes a ``<alias>$not`` element, and the
  rule gets a priority one stratum above every rule that can assert what it
  negates (durable_rules fires lower ``pri`` first). The engine re-checks the
  negation when the rule fires, because durable_rules does not cancel a pending
  negated activation when the negated fact arrives later.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from hunch.errors import HunchError, PackError
from hunch.model import All, AnyOf, Compare, ConclusionCond, Condition, FactRef, Not, Pack, Rule

MAX_CONDITIONS = 16  # durable_rules: a 17th alias compiles, then every assert fails (304)
MAX_RULES_PER_RULESET = 4096  # durable_rules: error 106 above it
MAX_ALTERNATIVES = 64  # our own bound on the DNF blow-up of any/not nesting
# durable_rules 2.0.28 segfaults in delete_state for a session in which no action
# ever ran; this no-op rule matches every situation fact, last, so one always runs.
ANCHOR = "hunch.anchor"

_NEGATE = {"eq": "ne", "ne": "eq", "lt": "gte", "lte": "gt", "gt": "lte", "gte": "lt"}
_FLIP = {"eq": "eq", "ne": "ne", "lt": "gt", "lte": "gte", "gt": "lt", "gte": "lte"}
_DURABLE_OP = {"ne": "$neq", "lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}


# --- literals: the leaves after normalisation ---------------------------------------

@dataclass(frozen=True)
class Lit:
    """One test. kind: 'in' (input facts), 'd' (derived fact), 'c' (conclusion)."""

    kind: str
    name: str  # fact name or conclusion id ('' for an input expression)
    op: str = "eq"
    value: Any = True
    negated: bool = False  # only for 'd' and 'c': closed-world negation
    expr: Any = None  # for kind 'in': a durable expression over the situation fact
    facts: tuple[str, ...] = ()  # input facts the test reads


@dataclass
class Alternative:
    """One compiled durable_rules rule: one alternative of one pack rule."""

    name: str
    rule_index: int
    alternative: int
    definition: dict[str, Any]
    input_facts: tuple[str, ...]
    derived_aliases: dict[str, str]  # alias -> derived fact name
    conclusion_aliases: dict[str, str]  # alias -> conclusion id
    negations: list[Lit]
    stratum: int


@dataclass
class CompiledPack:
    alternatives: dict[str, Alternative] = field(default_factory=dict)
    rulesets: dict[str, dict[str, Any]] = field(default_factory=dict)
    consumed_derived: set[str] = field(default_factory=set)
    consumed_conclusions: set[str] = field(default_factory=set)
    strata: dict[str, int] = field(default_factory=dict)  # rule id -> stratum
    order: list[str] = field(default_factory=list)  # derived/conclusion nodes, dependencies first


def compile_pack(pack: Pack) -> CompiledPack:
    """Compile every rule; raise PackError on what durable_rules cannot hold."""
    out = CompiledPack()
    strata = _strata(pack)
    out.strata = strata
    errors: list[HunchError] = []
    alternatives: list[Alternative] = []
    for index, rule in enumerate(pack.rules):
        try:
            alternatives.extend(_compile_rule(pack, index, rule, strata[rule.id], out))
        except PackError as exc:
            errors.append(exc)
    if errors:
        from hunch.errors import ErrorList

        raise ErrorList(errors)
    for alt in alternatives:
        out.alternatives[alt.name] = alt
    out.rulesets = _split(alternatives, pack)
    return out


def _split(alternatives: list[Alternative], pack: Pack) -> dict[str, dict[str, Any]]:
    if len(alternatives) > MAX_RULES_PER_RULESET:
        raise PackError.at(pack.loc, f"the pack compiles to {len(alternatives):,} engine rules, "
                                     f"over durable_rules' limit of {MAX_RULES_PER_RULESET:,}",
                           "split it into smaller packs")
    last = max((alt.stratum for alt in alternatives), default=0) + 1
    ruleset = {alt.name: alt.definition for alt in alternatives}
    ruleset[ANCHOR] = {"all": [{"s": {"_k": "s"}}], "pri": last}
    return {"main": ruleset}


def _strata(pack: Pack) -> dict[str, int]:
    """Stratum of each rule: one above the strata of what it negates."""
    producers: dict[str, list[Rule]] = {}
    for rule in pack.rules:
        for effect in rule.then:
            key = ("d:" if effect.kind == "derive" else "c:") + effect.target
            producers.setdefault(key, []).append(rule)
    memo: dict[str, int] = {}
    node_memo: dict[str, int] = {}

    def node_stratum(key: str) -> int:
        if key not in node_memo:
            node_memo[key] = 0  # guards against cycles, which check_pack has rejected
            node_memo[key] = max((rule_stratum(r) for r in producers.get(key, [])), default=0)
        return node_memo[key]

    def rule_stratum(rule: Rule) -> int:
        if rule.id not in memo:
            memo[rule.id] = 0
            level = 0
            try:
                lits = _tree_lits(_nnf(rule.when, False, pack))
            except PackError:
                lits = []  # compile_pack reports it
            for lit in lits:
                if lit.kind in ("d", "c"):
                    s = node_stratum(lit.kind + ":" + lit.name)
                    level = max(level, s + 1 if lit.negated else s)
                for ref in _refs(lit):
                    level = max(level, node_stratum("d:" + ref))
            memo[rule.id] = level
        return memo[rule.id]

    return {rule.id: rule_stratum(rule) for rule in pack.rules}


def _refs(lit: Lit) -> list[str]:
    return [lit.value.fact] if isinstance(lit.value, _DerivedRef) else []


@dataclass(frozen=True)
class _DerivedRef:
    fact: str


def _tree_lits(node: Any) -> list[Lit]:
    if isinstance(node, Lit):
        return [node]
    return [lit for kid in node[1] for lit in _tree_lits(kid)]


def _nnf(cond: Condition, negate: bool, pack: Pack) -> Any:
    """Push negations to the leaves; return a tree of ('and'|'or', [..]) and Lits."""
    if isinstance(cond, Not):
        return _nnf(cond.item, not negate, pack)
    if isinstance(cond, (All, AnyOf)):
        is_and = isinstance(cond, All) != negate
        kids = [_nnf(c, negate, pack) for c in cond.items]
        node = ("and" if is_and else "or", kids)
        if not is_and and all(_input_only(k) for k in kids):
            return _merge_inputs_or(kids)
        return node
    if isinstance(cond, ConclusionCond):
        return Lit("c", cond.conclusion, negated=negate)
    return _compare_lit(cond, negate, pack)


def _input_only(node: Any) -> bool:
    if isinstance(node, Lit):
        return node.kind == "in"
    return all(_input_only(k) for k in node[1])


def _merge_inputs_or(kids: list[Any]) -> Lit:
    exprs: list[Any] = []
    facts: list[str] = []
    for kid in kids:
        lit = kid if isinstance(kid, Lit) else _merge_inputs_and(kid)
        exprs.append(lit.expr)
        facts.extend(lit.facts)
    return Lit("in", "", expr={"$or": exprs}, facts=tuple(dict.fromkeys(facts)))


def _merge_inputs_and(node: Any) -> Lit:
    if isinstance(node, Lit):
        return node
    op, kids = node
    lits = [_merge_inputs_and(k) if op == "and" else k for k in kids]
    if op == "or":
        return _merge_inputs_or(kids)
    return Lit("in", "", expr={"$and": [lit.expr for lit in lits]},
               facts=tuple(dict.fromkeys(f for lit in lits for f in lit.facts)))


def _compare_lit(cond: Compare, negate: bool, pack: Pack) -> Any:
    op, value = cond.op, cond.value
    other = value.fact if isinstance(value, FactRef) else None
    left_input = cond.fact in pack.facts
    right_input = other is None or other in pack.facts
    if left_input and right_input:
        return _input_compare(cond.fact, op, value, negate)
    if left_input:
        # input fact compared with a derived one: put the derived fact on the left
        return _derived_lit(Lit("d", str(other), _FLIP.get(op, op), FactRef(cond.fact),
                                negated=negate), cond)
    if other is None:
        return _derived_lit(Lit("d", cond.fact, op, value, negated=negate), cond)
    ref = FactRef(other) if right_input else _DerivedRef(other)
    return _derived_lit(Lit("d", cond.fact, op, ref, negated=negate), cond)


def _derived_lit(lit: Lit, cond: Compare) -> Lit:
    if lit.negated and isinstance(lit.value, _DerivedRef):
        raise PackError.at(cond.loc, "a negated comparison between two derived facts is not "
                                     "supported", "compare a derived fact with an input fact "
                                                  "or a literal")
    return lit


def _input_compare(fact: str, op: str, value: Any, negate: bool) -> Any:
    """An input-fact test as a durable expression; negation is pushed into the op."""
    if op == "exists":
        want = bool(value) != negate
        return _in_lit({"$ex" if want else "$nex": {fact: 1}}, fact)
    if op == "in":
        if negate:
            return ("and", [_input_compare(fact, "ne", v, False) for v in value])
        return _merge_inputs_or([_input_compare(fact, "eq", v, False) for v in value])
    if op == "between":
        low, high = value
        if negate:
            return _merge_inputs_or([_input_compare(fact, "lt", low, False),
                                     _input_compare(fact, "gt", high, False)])
        return ("and", [_input_compare(fact, "gte", low, False),
                        _input_compare(fact, "lte", high, False)])
    if negate:
        op = _NEGATE[op]
    if isinstance(value, FactRef):
        # both facts must be known: a missing attribute must not compare as null
        rhs: Any = {"$m": value.fact}
        test = {fact: rhs} if op == "eq" else {_DURABLE_OP[op]: {fact: rhs}}
        guards: list[Any] = [{"$ex": {fact: 1}}, {"$ex": {value.fact: 1}}]
        return Lit("in", "", expr={"$and": guards + [test]}, facts=(fact, value.fact))
    if op == "eq":
        return _in_lit({fact: value}, fact)
    return _in_lit({_DURABLE_OP[op]: {fact: value}}, fact)


def _in_lit(expr: dict[str, Any], fact: str) -> Lit:
    return Lit("in", "", expr=expr, facts=(fact,))


def _dnf(node: Any) -> list[list[Lit]]:
    if isinstance(node, Lit):
        return [[node]]
    op, kids = node
    if op == "or":
        out: list[list[Lit]] = []
        for kid in kids:
            out.extend(_dnf(kid))
            if len(out) > MAX_ALTERNATIVES:
                raise _TooMany()
        return out
    result: list[list[Lit]] = [[]]
    for kid in kids:
        result = [a + b for a in result for b in _dnf(kid)]
        if len(result) > MAX_ALTERNATIVES:
            raise _TooMany()
    return result


class _TooMany(Exception):
    pass


def _compile_rule(pack: Pack, index: int, rule: Rule, stratum: int,
                  out: CompiledPack) -> list[Alternative]:
    try:
        alternatives = _dnf(_nnf(rule.when, False, pack))
    except _TooMany:
        raise PackError.at(rule.loc, f"rule {rule.id!r}: its any/not nesting expands to more "
                                     f"than {MAX_ALTERNATIVES} alternatives",
                           "split it into several rules") from None
    compiled = []
    for n, lits in enumerate(alternatives):
        alt = _compile_alternative(rule, index, n, lits, stratum, out)
        conditions = len(alt.definition["all"])
        if conditions > MAX_CONDITIONS:
            raise PackError.at(rule.loc, f"rule {rule.id!r} needs {conditions} engine conditions, "
                                         f"over durable_rules' limit of {MAX_CONDITIONS}",
                               "each derived fact or conclusion tested counts as one; "
                               "split the rule")
        compiled.append(alt)
    return compiled


def _compile_alternative(rule: Rule, index: int, n: int, lits: list[Lit], stratum: int,
                         out: CompiledPack) -> Alternative:
    inputs = [lit for lit in lits if lit.kind == "in"]
    tests: list[Any] = [{"_k": "s"}] + [lit.expr for lit in inputs]
    elements: list[dict[str, Any]] = [{"s": tests[0] if len(tests) == 1 else {"$and": tests}}]
    derived_aliases: dict[str, str] = {}
    conclusion_aliases: dict[str, str] = {}
    by_name: dict[str, list[Lit]] = {}
    for lit in lits:
        if lit.kind == "d" and not lit.negated:
            by_name.setdefault(lit.name, []).append(lit)
    # a derived fact compared with another derived fact joins on the other's alias,
    # which must come earlier: order aliases so referenced facts come first
    for ref in sorted({lit.value.fact for lit in lits if isinstance(lit.value, _DerivedRef)}):
        by_name.setdefault(ref, [])
    names = sorted(by_name, key=lambda name: (any(isinstance(lit.value, _DerivedRef)
                                                  for lit in by_name[name]), name))
    alias_of: dict[str, str] = {}
    for i, name in enumerate(names):
        alias = f"d{i}"
        alias_of[name] = alias
        derived_aliases[alias] = name
        out.consumed_derived.add(name)
        tests = [{"_k": "d"}, {"name": name}] + [_derived_test(lit, alias_of)
                                                  for lit in by_name[name]]
        elements.append({alias: {"$and": tests}})
    input_facts = [f for lit in inputs for f in lit.facts]
    for lit in lits:
        if lit.kind == "d" and isinstance(lit.value, FactRef):
            input_facts.append(lit.value.fact)
    negations = []
    for i, lit in enumerate(lit for lit in lits if lit.negated or lit.kind == "c"):
        if lit.kind == "c" and not lit.negated:
            alias = f"c{i}"
            conclusion_aliases[alias] = lit.name
            out.consumed_conclusions.add(lit.name)
            elements.append({alias: {"$and": [{"_k": "c"}, {"name": lit.name}]}})
            continue
        negations.append(lit)
        if lit.kind == "c":
            out.consumed_conclusions.add(lit.name)
            elements.append({f"n{i}$not": {"$and": [{"_k": "c"}, {"name": lit.name}]}})
        else:
            out.consumed_derived.add(lit.name)
            test = [{"_k": "d"}, {"name": lit.name}, _derived_test(lit, {})]
            elements.append({f"n{i}$not": {"$and": test}})
    name = f"{rule.id}#{n}"
    return Alternative(name=name, rule_index=index, alternative=n,
                       definition={"all": elements, "pri": stratum},
                       input_facts=tuple(dict.fromkeys(input_facts)),
                       derived_aliases=derived_aliases, conclusion_aliases=conclusion_aliases,
                       negations=negations, stratum=stratum)


def _derived_test(lit: Lit, alias_of: dict[str, str]) -> dict[str, Any]:
    op, value = lit.op, lit.value
    if isinstance(value, FactRef):
        rhs: Any = {"s": value.fact}
    elif isinstance(value, _DerivedRef):
        rhs = {alias_of[value.fact]: "value"}
    else:
        rhs = value
    if op == "exists":
        return {"$ex": {"value": 1}}
    if op == "in":
        return {"$or": [{"value": v} for v in value]}
    if op == "between":
        return {"$and": [{"$gte": {"value": value[0]}}, {"$lte": {"value": value[1]}}]}
    if op == "eq":
        return {"value": rhs}
    return {_DURABLE_OP[op]: {"value": rhs}}


def value_key(value: Any) -> str:
    """A derived fact's identity: its value, canonically (True and 1 differ)."""
    return json.dumps(value, sort_keys=True)
