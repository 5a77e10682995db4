"""The generated workload every benchmark shares, and the same rules for each engine.

About ten attributes per situation; R rules of 1-3 conditions; a fifth of the rules
are chained: they test a derived fact that other rules assert. Half of the others
derive a fact, half support a conclusion. Conditions use distinct attributes, so
every engine can express a rule as one pattern over the situation.

The rules are kept engine-neutral here (``GenRule``); each engine module turns
them into its own form. ``expected`` computes, in plain Python, which rules fire,
which facts are derived and which conclusions are reached: every engine's answer
is checked against it.
"""

from __future__ import annotations

import operator
import os
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml

INT_ATTRS = [f"a{i}" for i in range(6)]  # integers 0..9
ENUM_ATTRS = ["a6", "a7"]  # red | green | blue
BOOL_ATTRS = ["a8", "a9"]
COLORS = ["red", "green", "blue"]
ATTRS = INT_ATTRS + ENUM_ATTRS + BOOL_ATTRS


@dataclass(frozen=True)
class Cond:
    attr: str
    op: str  # eq | gt | lt | gte | lte
    value: Any


@dataclass(frozen=True)
class GenRule:
    id: str
    conds: tuple[Cond, ...]  # over input attributes
    needs: str | None  # a derived fact this rule tests, for chained rules
    kind: str  # derive | support
    target: str  # derived fact name or conclusion id
    cf: float


@dataclass
class Workload:
    rules: list[GenRule]
    derived: list[str]
    conclusions: list[str]


def generate(n_rules: int, seed: int = 1) -> Workload:
    rnd = random.Random(seed)
    derived = [f"d{i}" for i in range(max(3, n_rules // 10))]
    conclusions = [f"c{i}" for i in range(max(4, n_rules // 10))]
    rules = []
    derive_count = 0
    for i in range(n_rules):
        chained = i % 5 == 4
        n_inputs = rnd.randint(0, 2) if chained else rnd.randint(1, 3)
        conds = tuple(_cond(rnd, attr) for attr in rnd.sample(ATTRS, n_inputs))
        needs = rnd.choice(derived) if chained else None
        if not chained and rnd.random() < 0.5:
            kind, target = "derive", derived[derive_count % len(derived)]
            derive_count += 1
        else:
            kind, target = "support", rnd.choice(conclusions)
        cf = rnd.choice([0.2, 0.4, 0.5, 0.7, 0.9])
        rules.append(GenRule(f"r{i}", conds, needs, kind, target, cf))
    return Workload(rules, derived, conclusions)


def _cond(rnd: random.Random, attr: str) -> Cond:
    if attr in ENUM_ATTRS:
        return Cond(attr, "eq", rnd.choice(COLORS))
    if attr in BOOL_ATTRS:
        return Cond(attr, "eq", rnd.random() < 0.5)
    op = rnd.choice(["gt", "lt", "gte", "lte", "gt", "lt", "eq"])
    value = rnd.randint(0, 9) if op == "eq" else rnd.randint(3, 6)
    return Cond(attr, op, value)


def situations(count: int, seed: int = 2) -> list[dict[str, Any]]:
    return list(iter_situations(count, seed))


def iter_situations(count: int, seed: int = 2) -> Iterator[dict[str, Any]]:
    """situations one at a time (a million of them are better written than held)."""
    rnd = random.Random(seed)
    for _ in range(count):
        sit: dict[str, Any] = {a: rnd.randint(0, 9) for a in INT_ATTRS}
        sit.update({a: rnd.choice(COLORS) for a in ENUM_ATTRS})
        sit.update({a: rnd.random() < 0.5 for a in BOOL_ATTRS})
        yield sit


# --- the answer every engine must give ------------------------------------------------

OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "gt": operator.gt,
    "lt": operator.lt,
    "gte": operator.ge,
    "lte": operator.le,
}


@dataclass(frozen=True)
class Answer:
    fired: frozenset[str]
    derived: frozenset[str]
    concluded: frozenset[str]
    # each concluded conclusion's certainty, from engines that combine them (hunch and
    # the peers given the same combination); None from those that only fire rules
    certainties: frozenset[tuple[str, float]] | None = None


def combined(cfs: list[float]) -> float:
    """MYCIN's combination of positive certainty factors, folded in ascending order.

    The order hunch folds them in (hunch.engine.certainty.combine), so every engine
    that uses it gets the same floating-point result, not merely a close one.
    """
    total = 0.0
    for cf in sorted(cfs):
        total = total + cf * (1 - total) if total else cf
    return total


def answer_from_fired(work: Workload, fired: set[str] | frozenset[str]) -> Answer:
    by_id = {r.id: r for r in work.rules}
    derived = frozenset(by_id[f].target for f in fired if by_id[f].kind == "derive")
    concluded = frozenset(by_id[f].target for f in fired if by_id[f].kind == "support")
    return Answer(frozenset(fired), derived, concluded)


# --- the hunch pack ----------------------------------------------------------------------

def write_hunch_pack(work: Workload, folder: str, name: str = "bench") -> str:
    """Write the workload as a hunch rule pack folder and return its path."""
    os.makedirs(folder, exist_ok=True)
    facts: dict[str, Any] = {}
    for a in INT_ATTRS:
        facts[a] = {"type": "integer", "min": 0, "max": 9, "question": f"{a}?"}
    for a in ENUM_ATTRS:
        facts[a] = {"type": "enum", "values": COLORS, "question": f"{a}?"}
    for a in BOOL_ATTRS:
        facts[a] = {"type": "boolean", "question": f"{a}?"}
    files = {
        "pack.yaml": {"name": name, "title": "Benchmark workload", "version": "1"},
        "facts.yaml": {"facts": facts, "derived": {d: {"type": "boolean"} for d in work.derived}},
        "conclusions.yaml": {"conclusions": [
            {"id": c, "kind": "hypothesis" if i % 2 == 0 else "action", "title": f"Conclusion {c}"}
            for i, c in enumerate(work.conclusions)]},
        "sources.yaml": {"texts": {"t": {"file": "text.txt"}},
                         "sources": [{"id": "s", "author": "bench", "text": "t",
                                      "quote": "generated"}]},
        "rules.yaml": {"rules": [_hunch_rule(r) for r in work.rules]},
    }
    for path, data in files.items():
        with open(os.path.join(folder, path), "w", encoding="utf-8") as handle:
            yaml.safe_dump(data, handle, sort_keys=False)
    with open(os.path.join(folder, "text.txt"), "w", encoding="utf-8") as handle:
        handle.write("generated\n")
    return folder


def _hunch_rule(rule: GenRule) -> dict[str, Any]:
    tests: list[dict[str, Any]] = [{"fact": c.attr, c.op: c.value} for c in rule.conds]
    if rule.needs:
        tests.append({"fact": rule.needs})
    when = tests[0] if len(tests) == 1 else {"all": tests}
    out: dict[str, Any] = {"id": rule.id, "when": when}
    if rule.kind == "derive":
        out["then"] = {"derive": rule.target}
    else:
        out["then"] = {"support": rule.target, "cf": rule.cf}
        out["cites"] = ["s"]
    return out
