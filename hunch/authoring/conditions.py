"""Conditions as authors read them: in words, as signed leaves, in normal form.

Shared by `hunch check`, pack-test coverage and `hunch rules`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hunch.pack.model import All, AnyOf, Compare, ConclusionCond, Condition, Effect, FactRef, Not

MAX_ALTERNATIVES = 64  # beyond this the compiler refuses the rule anyway


_OPS = {"eq": "is", "ne": "is not", "lt": "is less than", "lte": "is at most",
        "gt": "is more than", "gte": "is at least"}


def value_words(value: Any) -> str:
    if isinstance(value, FactRef):
        return value.fact
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def compare_words(cond: Compare) -> str:
    op, value = cond.op, cond.value
    if op == "exists":
        return f"{cond.fact} is {'known' if value else 'unknown'}"
    if op in ("eq", "ne") and isinstance(value, bool):
        return cond.fact if value == (op == "eq") else f"not {cond.fact}"
    if op == "in" and isinstance(value, list):
        return f"{cond.fact} is one of {', '.join(value_words(v) for v in value)}"
    if op == "between" and isinstance(value, list) and len(value) == 2:
        return f"{cond.fact} is between {value_words(value[0])} and {value_words(value[1])}"
    return f"{cond.fact} {_OPS.get(op, op)} {value_words(value)}"


def leaf_words(cond: Compare | ConclusionCond, negated: bool = False) -> str:
    """One leaf condition; ``negated`` when it sits under an odd number of `not`s."""
    if isinstance(cond, ConclusionCond):
        return f"{'not ' if negated else ''}concluded {cond.conclusion}"
    text = compare_words(cond)
    if not negated:
        return text
    if text.startswith("not ") and " " not in text[4:]:
        return text[4:]
    return f"not {text}" if " " not in text else f"not ({text})"


def describe(cond: Condition) -> str:
    """A whole condition tree in words: ``a is more than 3 and (b or c)``."""
    if isinstance(cond, (Compare, ConclusionCond)):
        return leaf_words(cond)
    if isinstance(cond, Not):
        if isinstance(cond.item, (Compare, ConclusionCond)):
            return leaf_words(cond.item, negated=True)
        return f"not ({describe(cond.item)})"
    joiner = " and " if isinstance(cond, All) else " or "
    parts = []
    for item in cond.items:
        text = describe(item)
        nested = isinstance(item, (All, AnyOf)) and len(item.items) > 1
        parts.append(f"({text})" if nested else text)
    return joiner.join(parts)


def effect_words(effect: Effect) -> str:
    if effect.kind == "derive":
        value = "" if effect.value is True else f" = {value_words(effect.value)}"
        return f"derive {effect.target}{value}"
    return f"{effect.kind} {effect.target}"


@dataclass(frozen=True)
class Leaf:
    """A leaf condition with the polarity it has after pushing `not` down."""

    cond: Compare | ConclusionCond
    negated: bool = False

    @property
    def words(self) -> str:
        return leaf_words(self.cond, self.negated)


class TooManyAlternatives(Exception):
    pass


def leaves(cond: Condition, negated: bool = False) -> Iterator[Leaf]:
    """The leaves in document order, each with its polarity."""
    if isinstance(cond, (Compare, ConclusionCond)):
        yield Leaf(cond, negated)
    elif isinstance(cond, Not):
        yield from leaves(cond.item, not negated)
    else:
        for item in cond.items:
            yield from leaves(item, negated)


def alternatives(cond: Condition, negated: bool = False) -> list[list[Leaf]]:
    """Disjunctive normal form: the ways the condition can hold, each a list of leaves."""
    if isinstance(cond, (Compare, ConclusionCond)):
        return [[Leaf(cond, negated)]]
    if isinstance(cond, Not):
        return alternatives(cond.item, not negated)
    conjunction = isinstance(cond, All) != negated
    parts = [alternatives(item, negated) for item in cond.items]
    if not conjunction:
        out = [alt for part in parts for alt in part]
    else:
        out = [[]]
        for part in parts:
            out = [a + b for a in out for b in part]
            if len(out) > MAX_ALTERNATIVES:
                raise TooManyAlternatives()
    if len(out) > MAX_ALTERNATIVES:
        raise TooManyAlternatives()
    return out


ABSENT = object()  # an input fact the situation leaves out


def leaf_holds(leaf: Leaf, value: Any, facts: dict[str, Any] | None = None) -> bool:
    """Whether a leaf on an input fact holds for ``value`` (or ABSENT), as the engine
    decides it: comparisons on an unknown fact are unknown, and so are their negations."""
    from hunch.engine.runner import holds  # imports the C core: not for `hunch rules`

    cond = leaf.cond
    assert isinstance(cond, Compare)
    if cond.op == "exists":
        return (value is not ABSENT) == (bool(cond.value) != leaf.negated)
    if value is ABSENT:
        return False
    rhs = cond.value
    if isinstance(rhs, FactRef):
        if facts is None or rhs.fact not in facts:
            return False
        rhs = facts[rhs.fact]
    return holds(cond.op, value, rhs, {}) != leaf.negated
