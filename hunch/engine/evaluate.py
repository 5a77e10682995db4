"""The library API: evaluate a situation against a pack and get a Result."""

from __future__ import annotations

import gc
import os
import weakref
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from hunch.engine.certainty import Certainties, Contribution, compute, standings
from hunch.engine.compile import COMPILED, CompiledPack, compile_pack
from hunch.engine.contradictions import Disagreement, declared, doubted, found
from hunch.engine.load import shared_pack
from hunch.engine.runner import DEFAULT_MAX_FIRINGS, Ledger, Runner, free_rulesets
from hunch.errors import HunchError, Location, SituationError
from hunch.pack.model import Conclusion, Pack, Rule, Source
from hunch.pack.validate import Situation, data_problems, situation_from, validate_situation
from hunch.pack.yamlsource import MAX_FILE_BYTES, load_file
from hunch.record import Memo, Slot

ENGINE: Slot[tuple[CompiledPack, Runner]] = Slot("engine")  # one per pack per process


@dataclass
class Support:
    """One rule's contribution to a conclusion, with the facts it matched."""

    rule: Rule
    cf: float
    premise: float
    contribution: float
    matched: dict[str, Any]  # fact name -> value (input and derived facts)
    matched_conclusions: list[str] = field(default_factory=list)


class Evidence(NamedTuple):
    """What a Ranked's sources, support and oppose are built from when first read."""

    pack: Pack
    contributions: list[Contribution]


# the fields a Ranked made by `evaluate` works out when first read
_EVIDENCE_FIELDS = frozenset({"sources", "support", "oppose"})


@dataclass
class Ranked:
    """A hypothesis or action with its certainty, rank, sources and evidence."""

    conclusion: Conclusion
    certainty: float
    rank: int
    sources: list[Source]
    support: list[Support]  # contributions > 0, strongest first
    oppose: list[Support]  # contributions < 0, strongest first
    conflict: bool = False
    tied_with: tuple[str, ...] = ()  # members of its exclusive group with equal certainty
    # set only on those `evaluate` makes (Ranked.deferred), until the evidence is built
    evidence: Evidence | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def deferred(cls, conclusion: Conclusion, certainty: float, rank: int, evidence: Evidence,
                 conflict: bool, tied_with: tuple[str, ...]) -> Ranked:
        """A Ranked whose sources, support and oppose are built when first read.

        Most readers of a result never look at them (a batch's table, the re-evaluations
        behind "still unknown" and flips, a service answering with the ranking), and
        building them was a sixth of an evaluation (docs/performance.md). Until then the
        three fields are unset and ``__getattr__``, which Python calls only for a missing
        attribute, fills all three; equality, repr and pickling read them like any field.
        """
        item = cls.__new__(cls)
        item.conclusion, item.certainty, item.rank = conclusion, certainty, rank
        item.conflict, item.tied_with, item.evidence = conflict, tied_with, evidence
        return item

    if not TYPE_CHECKING:  # to mypy every field is always there, as it is to callers
        def __getattr__(self, name: str) -> Any:
            if name not in _EVIDENCE_FIELDS:
                raise AttributeError(name)
            evidence = self.evidence
            if evidence is None:
                raise AttributeError(name)
            self.support, self.oppose, self.sources = _evidence(self.conclusion, evidence)
            self.evidence = None
            return getattr(self, name)

    @property
    def id(self) -> str:
        return self.conclusion.id

    @property
    def title(self) -> str:
        return self.conclusion.title

    def reason(self) -> str:
        """The short reason: the strongest supporting rule's sentence."""
        if self.support:
            rule = self.support[0].rule
            return rule.because_for(self.id) or rule.id
        if self.oppose:
            rule = self.oppose[0].rule
            return "against: " + (rule.because_for(self.id) or rule.id)
        return ""


@dataclass
class Result:
    pack: Pack
    situation: Situation
    hypotheses: list[Ranked]
    actions: list[Ranked]
    recommendation: Ranked | None
    ledger: Ledger
    certainties: Certainties
    # answers that disagree, each lowering the certainty drawn from them (docs/certainty.md)
    contradictions: list[Disagreement] = field(default_factory=list)
    # the actions with positive certainty that answer a question of their own
    # (`alongside: true`): shown with the recommendation, never as it
    also: list[Ranked] = field(default_factory=list)
    # analyses of this result kept while it lives (explain's probes and unknowns)
    memo: Memo = field(default_factory=Memo, init=False, repr=False, compare=False)

    def get(self, conclusion_id: str) -> Ranked | None:
        for item in self.hypotheses + self.actions:
            if item.id == conclusion_id:
                return item
        return None

    def derived_facts(self) -> dict[str, Any]:
        return {name: next(iter(values.values())) if len(values) == 1 else list(values.values())
                for name, values in sorted(self.ledger.derived.items())}


def compiled(pack: Pack) -> tuple[CompiledPack, Runner]:
    """The pack's compiled form and engine, built once per pack per process."""
    cache = pack.memo.get(ENGINE)
    if cache is None:
        program = pack.memo.get(COMPILED) or compile_pack(pack)
        runner = Runner(pack, program)
        cache = pack.memo.put(ENGINE, (program, runner))
        # durable_rules never frees a ruleset: do it when the pack is garbage (F11);
        # not at exit, where the process's memory goes anyway
        weakref.finalize(pack, free_rulesets, runner.rulesets).atexit = False
    return cache


def load_situation(path: str, pack: Pack, max_bytes: int = MAX_FILE_BYTES,
                   as_of: date | None = None) -> Situation:
    """Load a situation file and validate it against the pack's fact schema; its dates
    count to ``as_of`` (else its ``_as_of``, else today: docs/time.md)."""
    return validate_situation(load_file(path, max_bytes), pack, as_of)


def situation_of(facts: Situation | dict[str, Any] | str, pack: Pack,
                 as_of: date | None = None) -> Situation:
    if isinstance(facts, Situation):
        return facts
    if isinstance(facts, (str, os.PathLike)):
        return load_situation(os.fspath(facts), pack, as_of=as_of)
    if not isinstance(facts, dict):
        raise SituationError("a situation must be a mapping of fact names to values", "<input>")
    problems = data_problems(facts, _input_loc, pack)
    if problems:
        from hunch.errors import SituationErrors

        raise SituationErrors(problems)
    return situation_from("<input>", facts, {}, pack, as_of)


_INPUT = Location("<input>")


def _input_loc(path: Any) -> Location:
    """Where a problem in a situation given as a dict is: no file, no line."""
    return _INPUT


def evaluate(pack: Pack | str | None, facts: Situation | dict[str, Any] | str,
             max_firings: int = DEFAULT_MAX_FIRINGS, as_of: date | None = None) -> Result:
    """Evaluate a situation (a Situation, a dict of facts, or a file path); its dates,
    if it gives any, count to ``as_of`` (else its ``_as_of``, else today).

    CPython's cyclic garbage collector is paused while the engine runs and the
    result is worked out, and restored as it was (also on errors): evaluation makes
    no reference cycles, and collections in the middle of it rescanned a big pack
    for nothing (docs/performance.md). Two threads evaluating at once may turn it
    back on early for each other; that only costs time.
    """
    if not isinstance(pack, Pack):
        pack = shared_pack(pack)  # the same Pack while unchanged: compiled once (F11)
    situation = situation_of(facts, pack, as_of)
    _, runner = compiled(pack)
    problem, hint = runner.situation_problem(situation.values)
    if problem:
        raise SituationError.at(Location(situation.file), problem, hint)
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        ledger = runner.run(situation.values, max_firings)
        certainties, disagreements = _certainties(pack, ledger, situation)
        hypotheses = _ranked(pack, certainties, "hypothesis")
        actions = _ranked(pack, certainties, "action")
    finally:
        if paused:
            gc.enable()
    main = [a for a in actions if a.certainty > 0 and not a.conclusion.alongside]
    also = [a for a in actions if a.certainty > 0 and a.conclusion.alongside]
    return Result(pack, situation, hypotheses, actions, main[0] if main else None, ledger,
                  certainties, disagreements, also)


def _certainties(pack: Pack, ledger: Ledger,
                 situation: Situation) -> tuple[Certainties, list[Disagreement]]:
    """Certainties, computed again with the disagreeing answers doubted when some disagree.

    Only answers the person gave take part (a schema default is not an answer). The
    disagreements are found once, on the certainties as the answers give them;
    doubting the answers may weaken what showed the disagreement, which still stands.
    """
    values = {k: v for k, v in situation.values.items() if k not in situation.defaulted}
    certainties = compute(pack, ledger)
    disagreements = declared(pack, values) + found(pack, certainties, values)
    if disagreements:
        certainties = compute(pack, ledger, doubted(disagreements))
    return certainties, disagreements


def _ranked(pack: Pack, certainties: Certainties, kind: str) -> list[Ranked]:
    conclusions = pack.conclusions
    return [Ranked.deferred(conclusions[place.id], place.certainty, place.rank,
                            _new(Evidence, (pack, contribs)), clash, place.tied_with)
            for place, contribs, clash in standings(pack, certainties, kind)]


_new = tuple.__new__  # what Evidence(...) calls, without its Python frame


def _evidence(conclusion: Conclusion,
              evidence: Evidence) -> tuple[list[Support], list[Support], list[Source]]:
    """A conclusion's support and oppose, strongest first, and the sources they cite."""
    pack = evidence.pack
    support: list[Support] = []
    oppose: list[Support] = []
    for c in evidence.contributions:
        if c.contribution > 0:
            support.append(_support(pack, c))
        elif c.contribution < 0:
            oppose.append(_support(pack, c))
    if len(support) > 1:
        support.sort(key=lambda s: (-s.contribution, s.rule.id))
    if len(oppose) > 1:
        oppose.sort(key=lambda s: (s.contribution, s.rule.id))
    return support, oppose, _sources(pack, conclusion, support + oppose)


def _support(pack: Pack, contribution: Contribution) -> Support:
    matched: dict[str, Any] = {}
    conclusions = []
    for m in contribution.firing.matched:
        if m.kind == "conclusion":
            conclusions.append(m.name)
        else:
            matched[m.name] = m.value
    return Support(rule=pack.rules[contribution.rule_index], cf=contribution.cf,
                   premise=contribution.premise, contribution=contribution.contribution,
                   matched=matched, matched_conclusions=conclusions)


def _sources(pack: Pack, conclusion: Conclusion, evidence: list[Support]) -> list[Source]:
    """The sources of the rules that fired for it, then the conclusion's own."""
    ids: list[str] = []
    for item in evidence:
        ids.extend(item.rule.cites)
    ids.extend(conclusion.sources)
    return [pack.sources[sid] for sid in dict.fromkeys(ids) if sid in pack.sources]


__all__ = ["HunchError", "Ranked", "Result", "Support", "evaluate", "load_situation"]
