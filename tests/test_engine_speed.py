"""How the engine keeps its work per situation small without changing any answer
(issue 27, docs/performance.md): evidence built when read, sessions never left
behind. Speed itself is measured in benchmarks/, never here.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import pickle
from collections.abc import Callable
from typing import Any

import durable_rules_engine  # type: ignore[import-not-found, unused-ignore]
import pytest

import hunch.engine.runner as runner_module
from hunch.engine.evaluate import Ranked, Result, compiled, evaluate
from hunch.engine.load import load_pack
from hunch.errors import EngineError
from hunch.output.render import result_json
from hunch.pack.model import Pack

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WINE = os.path.join(ROOT, "tests", "packs", "wine")
MEAL = {"main_component": "meat", "tastiness": "strong", "has_sauce": True, "sauce": "spicy"}


@pytest.fixture
def wine() -> Pack:
    """A pack of its own (a copy has an empty memo, so its own engine)."""
    return dataclasses.replace(load_pack(WINE))


def every_meal(pack: Pack) -> list[dict[str, Any]]:
    """Every combination of the wine pack's answers, unknown included."""
    axes = [[None, *(spec.values or [])] if spec.type == "enum" else [None, True, False]
            for spec in pack.facts.values()]
    return [{k: v for k, v in zip(pack.facts, combo, strict=True) if v is not None}
            for combo in itertools.product(*axes)]


def as_json(result: Result) -> str:
    return json.dumps(result_json(result), sort_keys=True)


class TestSessionsDeleted:
    """Every run deletes its durable_rules sessions, finished or stopped part way.

    Reusing them (retracting a finished run's facts) was tried and taken out: a
    full test run died of a segmentation fault inside durable_rules with it
    (docs/performance.md, "Sessions are not reused").
    """

    @staticmethod
    def _live(pack: Pack, sid: str) -> list[int]:
        """The rulesets that still hold a state for this session id."""
        _, runner = compiled(pack)
        live = []
        for ruleset in runner.rulesets:
            try:
                durable_rules_engine.get_facts(ruleset.handle, sid)
            except Exception:  # noqa: BLE001 - the C core's "error code" for no such state
                continue
            live.append(ruleset.handle)
        return live

    @staticmethod
    def _sids_taken(run: Callable[[], object]) -> list[str]:
        """The session ids a call took. The runner draws them from one module counter,
        read here before and after (each read takes a number no session then uses):
        not by patching Runner._take_sid, which a build compiled with mypyc does not
        allow (its classes have no instance __dict__, and it calls methods directly)."""
        before = next(runner_module._sids)
        run()
        after = next(runner_module._sids)
        return [str(n) for n in range(before + 1, after)]

    def test_a_finished_run_leaves_no_session(self, wine: Pack) -> None:
        evaluate(wine, MEAL)
        taken = self._sids_taken(lambda: evaluate(wine, MEAL))
        assert taken and [self._live(wine, sid) for sid in taken] == [[]] * len(taken)

    def test_a_run_stopped_part_way_leaves_no_session(self, wine: Pack) -> None:
        evaluate(wine, MEAL)

        def stopped() -> None:
            with pytest.raises(EngineError, match="stopped after 1 rule firings"):
                evaluate(wine, MEAL, max_firings=1)

        taken = self._sids_taken(stopped)
        assert taken and [self._live(wine, sid) for sid in taken] == [[]] * len(taken)

    def test_answers_do_not_depend_on_what_ran_before(self, wine: Pack) -> None:
        meals = every_meal(wine)
        forward = [as_json(evaluate(wine, meal)) for meal in meals]
        other = dataclasses.replace(wine)
        backward = [as_json(evaluate(other, meal)) for meal in reversed(meals)]
        assert forward == backward[::-1]


class TestEvidenceWhenRead:
    """A ranked conclusion's sources, support and oppose are built when first read, and
    read like any field."""

    def test_built_on_first_read(self, wine: Pack) -> None:
        item = evaluate(wine, MEAL).hypotheses[0]
        assert item.evidence is not None
        assert [s.rule.id for s in item.support] == ["red-full"]
        assert item.evidence is None
        eager = Ranked(item.conclusion, item.certainty, item.rank, item.sources, item.support,
                       item.oppose, item.conflict, item.tied_with)
        assert eager == item
        assert [s.id for s in item.sources] == ["colour", "body"]

    def test_equality_repr_replace_and_pickle_see_it(self, wine: Pack) -> None:
        one, two = evaluate(wine, MEAL), evaluate(wine, MEAL)
        assert one.hypotheses == two.hypotheses  # both still unbuilt: equality builds them
        item = evaluate(wine, MEAL).hypotheses[0]
        assert "support=[Support(rule=Rule(" in repr(item)
        item = evaluate(wine, MEAL).hypotheses[0]
        assert dataclasses.replace(item, rank=9).support == one.hypotheses[0].support
        item = evaluate(wine, MEAL).hypotheses[0]
        assert pickle.loads(pickle.dumps(item)).support == one.hypotheses[0].support

    def test_other_missing_attributes_are_still_errors(self, wine: Pack) -> None:
        item = evaluate(wine, MEAL).hypotheses[0]
        with pytest.raises(AttributeError):
            _ = item.supports  # type: ignore[attr-defined]
        built = Ranked(item.conclusion, 0.5, 1, [], [], [])
        assert built.evidence is None and built.support == []
