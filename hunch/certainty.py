"""MYCIN certainty factors: combination, premises from the ledger, ranking.

Pure functions. Certainties are computed from the ledger after the engine has
finished, in dependency order, so no result depends on the order rules fired in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from hunch.compile import value_key
from hunch.engine import Firing, Ledger
from hunch.model import Pack


def combine2(a: float, b: float) -> float:
    """The MYCIN parallel combination of two certainty factors in [-1, 1]."""
    if a >= 0 and b >= 0:
        return a + b * (1 - a)
    if a < 0 and b < 0:
        return a + b * (1 + a)
    denominator = 1 - min(abs(a), abs(b))
    if denominator == 0:
        return 0.0  # +1 against -1: total conflict; defined as 0 (docs/certainty.md)
    return (a + b) / denominator


def combine(cfs: Iterable[float]) -> float:
    """Combine any number of contributions, independently of their order.

    Positives and negatives are each folded first, in sorted order (so the
    floating-point result is the same for every order), then mixed once.
    On the open interval (-1, 1) this equals folding ``combine2`` in any order;
    it also makes the +1/-1 conflict order-independent: 0, flagged by ``conflict``.
    """
    values = list(cfs)
    p = _fold(sorted(c for c in values if c > 0))
    n = _fold(sorted((c for c in values if c < 0), reverse=True))
    if p == 0.0 or n == 0.0:
        return _clamp(p or n)
    return _clamp(combine2(p, n))


def _fold(same_sign: list[float]) -> float:
    total = 0.0
    for value in same_sign:
        total = combine2(total, value) if total else value
    return total


def conflict(cfs: Iterable[float]) -> bool:
    """True when certain evidence for meets certain evidence against."""
    values = list(cfs)
    return any(c >= 1 for c in values) and any(c <= -1 for c in values)


def _clamp(x: float) -> float:
    return max(-1.0, min(1.0, x))


@dataclass
class Contribution:
    """What one rule added to one conclusion or derived fact."""

    rule_index: int
    cf: float  # the rule's signed certainty factor for this effect
    premise: float
    contribution: float
    firing: Firing  # the best-matching firing (the one whose premise counted)


@dataclass
class Certainties:
    conclusions: dict[str, float] = field(default_factory=dict)
    derived: dict[tuple[str, str], float] = field(default_factory=dict)
    contributions: dict[str, list[Contribution]] = field(default_factory=dict)
    derived_contributions: dict[tuple[str, str], list[Contribution]] = field(default_factory=dict)
    premises: dict[int, tuple[float, Firing]] = field(default_factory=dict)


def compute(pack: Pack, ledger: Ledger) -> Certainties:
    """Certainty of every derived fact and conclusion, from the ledger."""
    by_rule: dict[int, list[Firing]] = {}
    for firing in ledger.firings:
        by_rule.setdefault(firing.rule_index, []).append(firing)
    out = Certainties()
    producers: dict[tuple[str, str, str], list[int]] = {}
    for index in by_rule:
        for effect in pack.rules[index].then:
            key = ("d", effect.target, value_key(effect.value)) if effect.kind == "derive" \
                else ("c", effect.target, "")
            producers.setdefault(key, []).append(index)
    memo: dict[tuple[str, str, str], float] = {}

    def node(key: tuple[str, str, str]) -> float:
        if key not in memo:
            memo[key] = 0.0  # acyclic by check_pack; this only guards recursion
            contribs = []
            for index in sorted(producers.get(key, [])):
                premise, firing = premise_of(index)
                for effect in pack.rules[index].then:
                    ekey = ("d", effect.target, value_key(effect.value)) \
                        if effect.kind == "derive" else ("c", effect.target, "")
                    if ekey != key:
                        continue
                    value = effect.signed_cf * premise if premise > 0 else 0.0
                    contribs.append(Contribution(index, effect.signed_cf, premise, value, firing))
            memo[key] = combine([c.contribution for c in contribs])
            if key[0] == "c":
                out.contributions[key[1]] = contribs
            else:
                out.derived_contributions[(key[1], key[2])] = contribs
        return memo[key]

    def matched_certainty(kind: str, name: str, value: Any) -> float:
        if kind == "input":
            return 1.0
        if kind == "derived":
            return node(("d", name, value_key(value)))
        return node(("c", name, ""))

    def premise_of(index: int) -> tuple[float, Firing]:
        if index not in out.premises:
            best: tuple[float, Firing] | None = None
            # ties go to the earliest-listed alternative, not the earliest firing
            for firing in sorted(by_rule[index], key=_firing_key):
                premise = min((matched_certainty(m.kind, m.name, m.value)
                               for m in firing.matched), default=1.0)
                if best is None or premise > best[0]:
                    best = (premise, firing)
            assert best is not None
            out.premises[index] = best
        return out.premises[index]

    for key in sorted(producers):
        value = node(key)
        if key[0] == "c":
            out.conclusions[key[1]] = value
        else:
            out.derived[(key[1], key[2])] = value
    return out


def _firing_key(firing: Firing) -> tuple[str, str]:
    return (firing.alternative, repr([(m.kind, m.name, value_key(m.value))
                                      for m in firing.matched]))


def rank(certainties: dict[str, float]) -> list[tuple[str, float]]:
    """Highest certainty first; ties by id, so output is deterministic."""
    return sorted(certainties.items(), key=lambda item: (-round(item[1], 12), item[0]))
