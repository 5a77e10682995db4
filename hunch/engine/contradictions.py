"""Answers that disagree: found in one evaluation, and the doubt they cast.

Two ways (docs/certainty.md, "Contradictory answers"):

- **declared**: the pack's contradictions.yaml lists answers that cannot all hold
  (a printer whose power light is dark does not print its own test page);
- **found**: a hypothesis of an exclusive group has good support (0.5 or more) from
  some answers and good evidence against it (-0.5 or less) from other answers, none
  shared: the answers point both ways about the one thing that can be the answer.

Either way the answers named hold with certainty ``DOUBT`` instead of 1, so every
conclusion drawn from them is less certain, and the result says which answers
disagree. Pure functions over the pack, the situation and the certainties.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

from hunch.engine.certainty import Certainties, Contribution
from hunch.engine.compile import value_key
from hunch.pack.model import Pack

# An answer that contradicts another holds with this certainty instead of 1: one of
# them is wrong and nothing says which, so each is as likely wrong as right.
DOUBT = 0.5
# How strong support and evidence against must both be to count as answers that
# disagree, not ordinary mixed evidence: "good" on the scale of words (0.5).
FOUND_AT = 0.5


class Disagreement(NamedTuple):
    """Answers that disagree, and why (a sentence a person can read)."""

    kind: Literal["declared", "found"]
    id: str  # the contradiction's id, or the hypothesis the answers disagree on
    says: str
    answers: tuple[tuple[str, Any], ...]  # (fact, value as given), in fact order


def declared(pack: Pack, values: dict[str, Any]) -> list[Disagreement]:
    """The pack's declared contradictions that hold for these answers."""
    out = []
    for c in pack.contradictions:
        if all(name in values and any(value_key(values[name]) == value_key(v) for v in allowed)
               for name, allowed in c.answers):
            out.append(Disagreement("declared", c.id, c.says,
                                    tuple((name, values[name]) for name, _ in c.answers)))
    return out


def found(pack: Pack, certainties: Certainties, values: dict[str, Any]) -> list[Disagreement]:
    """Hypotheses of an exclusive group that some answers support and others refute."""
    out = []
    conclusions = pack.conclusions
    contributions = certainties.contributions
    # only members of an exclusive group count: most packs have none, so sort only them
    for cid in sorted(cid for cid in contributions if conclusions[cid].group):
        conclusion, contribs = conclusions[cid], contributions[cid]
        pro = [c for c in contribs if c.contribution >= FOUND_AT]
        con = [c for c in contribs if c.contribution <= -FOUND_AT]
        if not pro or not con:
            continue
        for_ = _answers(certainties, pro, values)
        against = _answers(certainties, con, values)
        if for_ & against or not for_ or not against:
            continue  # the same answer on both sides is mixed evidence, not a disagreement
        says = (f"{_names(for_)} supports \"{conclusion.title}\", {_names(against)} rules it "
                f"out: one of these answers may be wrong.")
        out.append(Disagreement("found", cid, says, tuple(sorted(for_ | against))))
    return out


def doubted(disagreements: list[Disagreement]) -> dict[str, float]:
    """The certainty each disagreeing answer holds with (docs/certainty.md)."""
    return {name: DOUBT for d in disagreements for name, _ in d.answers}


def _answers(certainties: Certainties, contribs: list[Contribution],
             values: dict[str, Any]) -> set[tuple[str, Any]]:
    """The input answers under these contributions, through derived facts."""
    out: set[tuple[str, Any]] = set()
    todo = [c.firing for c in contribs]
    seen: set[tuple[str, str]] = set()
    while todo:
        firing = todo.pop()
        for m in firing.matched:
            if m.kind == "input" and m.name in values:
                out.add((m.name, values[m.name]))
            elif m.kind == "derived" and (m.name, value_key(m.value)) not in seen:
                key = (m.name, value_key(m.value))
                seen.add(key)
                todo.extend(c.firing for c in certainties.derived_contributions.get(key, ())
                            if c.contribution > 0)
    return out


def _names(answers: set[tuple[str, Any]]) -> str:
    return " and ".join(f"{name} = {_show(value)}" for name, value in sorted(answers))


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
