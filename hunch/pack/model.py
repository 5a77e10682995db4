"""The rule pack model: plain records, no behaviour beyond small helpers.

What is immutable once read (condition trees, effects, rules, conclusions, sources,
tests) is a NamedTuple: much cheaper to define at import than a dataclass
(hunch/record.py says why that matters). Pack and FactSpec, filled in as they are
read, are dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from hunch.errors import Location

FACT_TYPES = ("integer", "number", "boolean", "enum", "string")
OPERATORS = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "between", "exists")
ORDERING_OPS = ("lt", "lte", "gt", "gte", "between")


@dataclass
class FactSpec:
    name: str
    type: str
    loc: Location
    derived: bool = False
    question: str = ""
    description: str = ""
    unit: str = ""
    values: list[Any] | None = None
    min: float | None = None
    max: float | None = None
    default: Any = None
    has_default: bool = False
    required: bool = False


class SourceText(NamedTuple):
    id: str
    file: str  # path as written in sources.yaml, relative to the pack
    path: str  # resolved path on disk
    title: str
    loc: Location
    text: str = ""


class Source(NamedTuple):
    id: str
    author: str
    posted: str
    best_answer: bool
    favorites: int
    text: str
    quote: str
    loc: Location
    quote_loc: Location


class Conclusion(NamedTuple):
    id: str
    kind: str  # "hypothesis" | "action"
    title: str
    explanation: str
    sources: list[str]
    loc: Location
    group: str = ""  # exclusive group (hypotheses only); "" when in none


class FactRef(NamedTuple):
    """The right-hand side of a comparison that names another fact."""

    fact: str


class Compare(NamedTuple):
    """``fact OP value``: the leaf of every condition tree."""

    fact: str
    op: str
    value: Any
    loc: Location


class ConclusionCond(NamedTuple):
    """Holds when some rule supported the conclusion."""

    conclusion: str
    loc: Location


class All(NamedTuple):
    items: list[Condition]
    loc: Location


class AnyOf(NamedTuple):
    items: list[Condition]
    loc: Location


class Not(NamedTuple):
    item: Condition
    loc: Location


Condition = Compare | ConclusionCond | All | AnyOf | Not


class Effect(NamedTuple):
    kind: str  # "derive" | "support" | "oppose"
    target: str  # derived fact name or conclusion id
    cf: float
    loc: Location
    value: Any = True

    @property
    def signed_cf(self) -> float:
        return -self.cf if self.kind == "oppose" else self.cf


class Rule(NamedTuple):
    id: str
    when: Condition
    then: list[Effect]
    cites: list[str]
    because: str
    loc: Location
    file: str = ""


class PackTest(NamedTuple):
    name: str
    situation: dict[str, Any]
    situation_lines: dict[str, int]
    expect: dict[str, Any]
    loc: Location


@dataclass
class Pack:
    name: str
    title: str
    description: str
    version: str
    path: str
    facts: dict[str, FactSpec] = field(default_factory=dict)
    derived: dict[str, FactSpec] = field(default_factory=dict)
    conclusions: dict[str, Conclusion] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    texts: dict[str, SourceText] = field(default_factory=dict)
    rules: list[Rule] = field(default_factory=list)
    tests: list[PackTest] = field(default_factory=list)
    loc: Location = field(default_factory=lambda: Location("pack.yaml"))

    def spec(self, name: str) -> FactSpec | None:
        return self.facts.get(name) or self.derived.get(name)

    def hypotheses(self) -> list[Conclusion]:
        return [c for c in self.conclusions.values() if c.kind == "hypothesis"]

    def actions(self) -> list[Conclusion]:
        return [c for c in self.conclusions.values() if c.kind == "action"]

    @property
    def groups(self) -> dict[str, list[str]]:
        """Exclusive groups: group name -> its conclusion ids, in file order.

        At most one member of a group is the true answer (one animal, one fault),
        so a ranking reports equal members as a tie and analyses ignore tie-breaks.
        Worked out from each conclusion's ``group``; cheap, so not cached.
        """
        out: dict[str, list[str]] = {}
        for c in self.conclusions.values():
            if c.group:
                out.setdefault(c.group, []).append(c.id)
        return out

    def group_of(self, conclusion_id: str) -> str | None:
        """The exclusive group a conclusion belongs to, or None."""
        c = self.conclusions.get(conclusion_id)
        return (c.group or None) if c is not None else None


def names_read(cond: Condition) -> list[str]:
    """Every fact and conclusion a condition reads, in order, with repeats."""
    out: list[str] = []
    for node in walk(cond):
        if isinstance(node, ConclusionCond):
            out.append(node.conclusion)
        elif isinstance(node, Compare):
            out.append(node.fact)
            if isinstance(node.value, FactRef):
                out.append(node.value.fact)
    return out


def walk(cond: Condition) -> list[Condition]:
    """Every node of a condition tree, parents before children."""
    out: list[Condition] = [cond]
    if isinstance(cond, (All, AnyOf)):
        for item in cond.items:
            out.extend(walk(item))
    elif isinstance(cond, Not):
        out.extend(walk(cond.item))
    return out
