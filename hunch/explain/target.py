"""What-if toward a target: the smallest changes that make a conclusion top, concluded,
or no longer concluded (`hunch what-if SITUATION --flip --target ID`; docs/explain.md).

A bounded search by re-evaluation: combinations of 1, 2, ... up to ``max_facts``
input facts, each at the candidate values the rules distinguish
(hunch.explain.unknowns.candidates), fewest facts first; it stops at the first size
that reaches the goal, or when ``bound`` evaluations have been spent, and says which.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations, product
from typing import Any

from hunch.engine.evaluate import Ranked, Result, evaluate
from hunch.engine.runner import holds
from hunch.errors import HunchError, did_you_mean
from hunch.explain.how import input_cone
from hunch.explain.unknowns import candidates, changed, fact_tests, probe, signature
from hunch.explain.world import EPSILON
from hunch.pack.model import ConclusionKind

GOALS = ("top", "concluded", "not-concluded")
MAX_FACTS = 4  # the most facts changed together that the search may try
DEFAULT_FACTS = 3
DEFAULT_BOUND = 3000  # evaluations (about a millisecond each for the built-in pack)
MAX_CHANGES = 10  # combinations reported at the smallest size


@dataclass
class FactChange:
    fact: str
    question: str
    before: Any  # None when not given
    given: bool
    after: Any


@dataclass
class TargetChange:
    """One smallest combination of changes that reaches the goal, and what it gives."""

    facts: list[FactChange]
    certainty: float  # the target's, after
    recommendation: Ranked | None
    top_hypothesis: Ranked | None


@dataclass
class TargetSearch:
    target: str
    title: str
    kind: ConclusionKind
    goal: str  # one of GOALS
    certainty: float  # the target's, now
    reached: bool  # the goal already holds: nothing to search
    changes: list[TargetChange] = field(default_factory=list)
    size: int = 0  # facts changed in each of `changes` (0: none found)
    max_facts: int = DEFAULT_FACTS
    bound: int = DEFAULT_BOUND
    evaluations: int = 0
    searched: int = 0  # the largest size tried (in full, unless stopped at the bound)
    stopped: bool = False  # the bound ran out before the search was complete
    margins: dict[str, float] = field(default_factory=dict, repr=False)  # best single move

    @property
    def goal_words(self) -> str:
        return goal_words(self.goal, self.kind)


def goal_words(goal: str, kind: str) -> str:
    if goal == "top":
        return "the recommendation" if kind == "action" else "the top hypothesis"
    return "concluded" if goal == "concluded" else "no longer concluded"


def toward(result: Result, target: str, goal: str = "top", max_facts: int = DEFAULT_FACTS,
           bound: int = DEFAULT_BOUND) -> TargetSearch:
    """The smallest changes to the input facts that reach ``goal`` for conclusion ``target``."""
    pack = result.pack
    if target not in pack.conclusions:
        raise HunchError(f"{target}: no hypothesis or action {target!r} in pack "
                         f"{pack.name}", hint=did_you_mean(target, pack.conclusions) or
                         "hunch rules lists the conclusions")
    conclusion = pack.conclusions[target]
    search = TargetSearch(target, conclusion.title, conclusion.kind, goal,
                          _certainty(result, target), reaches(result, target, goal),
                          max_facts=max_facts, bound=bound)
    if not search.reached:
        _search(result, search)
    return search


def reaches(result: Result, target: str, goal: str) -> bool:
    """Whether the goal holds: top (outright, not by a tie-break), concluded or not."""
    cf = _certainty(result, target)
    if goal == "concluded":
        return cf > EPSILON
    if goal == "not-concluded":
        return cf <= EPSILON
    ranked = result.actions if result.pack.conclusions[target].kind == "action" \
        else result.hypotheses
    others = [r.certainty for r in ranked if r.id != target]
    return cf > EPSILON and all(cf > other + EPSILON for other in others)


def _certainty(result: Result, target: str) -> float:
    for ranked in (result.hypotheses, result.actions):
        for r in ranked:
            if r.id == target:
                return r.certainty
    return 0.0


def _search(result: Result, search: TargetSearch) -> None:
    options = {f: _options(result, f) for f in _levers(result, search)}
    options = {f: v for f, v in options.items() if v}
    order = list(options)
    for size in range(1, search.max_facts + 1):
        if size > len(order):
            break
        complete = _search_size(result, search, options, order, size)
        search.stopped = not complete
        search.searched = size if complete else size - 1
        if search.changes:
            search.size = size
        if search.changes or search.stopped:
            return
        if size == 1:  # try the facts that moved the target most first, in bigger sets
            order = sorted(order, key=lambda f: -search.margins.get(f, -2.0))


def _search_size(result: Result, search: TargetSearch, options: dict[str, list[Any]],
                 order: list[str], size: int) -> bool:
    """Try every combination of ``size`` facts; False when the bound stopped it."""
    margins = search.margins
    for facts in combinations(order, size):
        for values in product(*(options[f] for f in facts)):
            if search.evaluations >= search.bound:
                return False
            changes = dict(zip(facts, values, strict=True))
            after = probe(result, changes) if size == 1 else \
                evaluate(result.pack, changed(result.situation, changes))
            search.evaluations += 1
            if size == 1:
                margins[facts[0]] = max(margins.get(facts[0], -2.0),
                                        _margin(after, search.target, search.goal))
            if reaches(after, search.target, search.goal):
                if len(search.changes) < MAX_CHANGES:
                    search.changes.append(_change(result, after, search.target, changes))
                break  # the nearest values of this set of facts; on to the next set
    return True


def _margin(result: Result, target: str, goal: str) -> float:
    """How near the goal a result is (larger is nearer): orders the facts to combine."""
    cf = _certainty(result, target)
    if goal == "not-concluded":
        return -cf
    if goal == "concluded":
        return cf
    ranked = result.actions if result.pack.conclusions[target].kind == "action" \
        else result.hypotheses
    return cf - max((r.certainty for r in ranked if r.id != target), default=0.0)


def _levers(result: Result, search: TargetSearch) -> list[str]:
    """The input facts that can move the target, or (for top) whatever outranks it."""
    pack = result.pack
    names = {search.target}
    if search.goal == "top":
        ranked = result.actions if search.kind == "action" else result.hypotheses
        names |= {r.id for r in ranked if r.certainty >= search.certainty - EPSILON}
    cone: set[str] = set()
    for name in names:
        cone |= input_cone(pack, name)
    tested = fact_tests(pack)
    return [f for f in pack.facts if f in cone and f in tested]


def _options(result: Result, fact: str) -> list[Any]:
    """The fact's candidate values, minus its current one and those the rules treat alike."""
    values = result.situation.values
    options, _ = candidates(result, fact)
    if fact not in values:
        return options
    now = signature(result, fact, values[fact])
    return [v for v in options if not holds("eq", v, values[fact], {})
            and (now is None or signature(result, fact, v) != now)]


def _change(result: Result, after: Result, target: str, changes: dict[str, Any]) -> TargetChange:
    values = result.situation.values
    facts = [FactChange(f, result.pack.facts[f].question, values.get(f), f in values, v)
             for f, v in changes.items()]
    top = after.hypotheses[0] if after.hypotheses and after.hypotheses[0].certainty > 0 \
        else None
    return TargetChange(facts, _certainty(after, target), after.recommendation, top)


__all__ = ["DEFAULT_BOUND", "DEFAULT_FACTS", "GOALS", "MAX_FACTS", "FactChange",
           "TargetChange", "TargetSearch", "goal_words", "reaches", "toward"]
