"""When an input fact is worth asking: its ``asked_when`` (docs/authoring.md).

A fact with ``asked_when: CONDITION`` is *relevant* only when the condition holds
over the values at hand (the situation's facts, defaults included). The condition is
three-valued, like a rule's: a test on a missing fact is unknown, and an unknown
condition does not hold, so "what sauce?" waits until "is there a sauce?" has been
answered yes. `hunch ask` asks only relevant facts, "Still unknown" lists only them,
and flips (what-if) try only them; a situation may still state any fact, and rules
read it as stated.
"""

from __future__ import annotations

from typing import Any

from hunch.engine.runner import holds
from hunch.pack.model import All, AnyOf, Compare, Condition, FactRef, Not, Pack, names_read, walk


def relevant(pack: Pack, fact: str, values: dict[str, Any]) -> bool:
    """Whether ``fact`` is worth asking given ``values`` (True when it declares no condition)."""
    spec = pack.facts.get(fact)
    if spec is None or spec.asked_when is None:
        return True
    return holds3(spec.asked_when, values) is True


def holds3(cond: Condition, values: dict[str, Any]) -> bool | None:
    """A condition over input facts: True, False, or None (unknown: it reads a missing fact)."""
    if isinstance(cond, Compare):
        return _compare(cond, values)
    if isinstance(cond, Not):
        inner = holds3(cond.item, values)
        return None if inner is None else not inner
    if isinstance(cond, (All, AnyOf)):
        found = [holds3(c, values) for c in cond.items]
        decisive = isinstance(cond, AnyOf)  # any: one True decides; all: one False does
        if decisive in found:
            return decisive
        return None if None in found else not decisive
    return None  # a conclusion: never in asked_when (hunch.pack.validate)


def _compare(cond: Compare, values: dict[str, Any]) -> bool | None:
    if cond.op == "exists":
        return (cond.fact in values) == bool(cond.value)
    if cond.fact not in values:
        return None
    if isinstance(cond.value, FactRef) and cond.value.fact not in values:
        return None
    return holds(cond.op, values[cond.fact], cond.value, values)


def gated_by(pack: Pack, fact: str) -> list[str]:
    """The facts whose ``asked_when`` reads ``fact``, in schema order."""
    return [name for name, spec in pack.facts.items()
            if spec.asked_when is not None and fact in names_read(spec.asked_when)]


def opened(pack: Pack, fact: str, value: Any, values: dict[str, Any]) -> list[str]:
    """Facts that are not relevant under ``values`` but are once ``fact`` is ``value``."""
    after = {**values, fact: value}
    return [g for g in gated_by(pack, fact)
            if g not in values and not relevant(pack, g, values) and relevant(pack, g, after)]


def gate_values(pack: Pack, fact: str) -> list[Any]:
    """Values worth trying for a fact only because other facts wait on it (no rule reads
    it): each boolean or enum value, else the literals the conditions compare it with."""
    spec = pack.facts[fact]
    if spec.type == "boolean":
        return [True, False]
    if spec.type == "enum":
        return list(spec.values or [])
    out: list[Any] = []
    for gated in gated_by(pack, fact):
        cond = pack.facts[gated].asked_when
        assert cond is not None
        for node in walk(cond):
            if isinstance(node, Compare) and node.fact == fact \
                    and not isinstance(node.value, FactRef):
                items = node.value if isinstance(node.value, list) else [node.value]
                out.extend(v for v in items if v not in out and not isinstance(v, bool))
    return out


__all__ = ["gate_values", "gated_by", "holds3", "opened", "relevant"]
