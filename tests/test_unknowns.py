"""The "Still unknown" analysis skips the changes it can prove inert, and answers
exactly as the exhaustive search does (docs/performance.md, "A decision's cost")."""

from __future__ import annotations

import glob
import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

import hunch
from hunch.engine.evaluate import Result
from hunch.errors import HunchError
from hunch.explain import unknowns
from hunch.explain.how import flips, target_search
from hunch.explain.unknowns import Budget, inert, search_unknowns, skip_unknowns, unknowns_search
from hunch.output.explanation import flips_json
from hunch.output.formats import unknown_json
from hunch.output.render import result_json
from hunch.pack.model import Pack
from tests.packgen import random_pack, strategies, write_pack
from tests.test_reliability3 import PACKS, cases
from tests.test_scale import _counting

ROOT = Path(__file__).resolve().parent.parent
RULES, SITUATION = strategies()


def _answers(result: Result, prune: bool) -> dict[str, Any]:
    """Everything the searches answer, as JSON, with or without the inert skip."""
    def budget() -> Budget:
        return Budget(result, prune=prune)

    found = search_unknowns(result, budget())
    out: dict[str, Any] = {
        "unknowns": [unknown_json(u) for u in found.unknowns],
        "unexamined": found.unexamined,
        "flips": flips_json(result, flips(result, budget())),
    }
    for cid in sorted(result.pack.conclusions):
        t = target_search(result, cid, budget())
        out[cid] = [[u.fact, [(c.value, round(c.certainty, 9)) for c in u.examples]]
                    for u in t.unknowns] + [t.unexamined]
    return out


def _same_as_exhaustive(result: Result) -> None:
    assert _answers(result, prune=True) == _answers(result, prune=False)


def shipped_examples() -> list[tuple[str, str]]:
    out = []
    for path in sorted(glob.glob(str(ROOT / "examples" / "**" / "*.yaml"), recursive=True)):
        folder = os.path.basename(os.path.dirname(path))
        out.append((folder if folder in PACKS else "interview-silence", path))
    return out


class TestSameAnswers:
    """Skipping inert changes never changes what the searches find."""

    @settings(max_examples=200, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(cases())
    def test_every_shipped_pack(self, case: tuple[str, dict[str, Any], Any]) -> None:
        name, situation, _ = case
        try:
            result = hunch.evaluate(PACKS[name], situation)
        except HunchError:
            return
        _same_as_exhaustive(result)

    @settings(max_examples=60, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(rules=RULES, situation=SITUATION)
    def test_generated_packs(self, rules: list[dict[str, Any]],
                             situation: dict[str, Any]) -> None:
        with random_pack(rules) as pack:
            _same_as_exhaustive(hunch.evaluate(pack, situation))

    @pytest.mark.parametrize(("pack", "path"), shipped_examples(),
                             ids=[os.path.basename(p) for _, p in shipped_examples()])
    def test_every_shipped_example(self, pack: str, path: str) -> None:
        _same_as_exhaustive(hunch.evaluate(PACKS[pack], path))


def _gate_pack(tmp_path: Path) -> Pack:
    """n matters only above 5, under a `not`; e is tested against one of its values."""
    facts = {"b": {"type": "boolean", "question": "b?"},
             "n": {"type": "integer", "min": 0, "max": 10, "question": "n?"},
             "e": {"type": "enum", "values": ["x", "y", "z"], "question": "e?"}}
    rules = [{"id": "base", "when": {"fact": "b"}, "then": {"support": "a", "cf": 0.5},
              "cites": ["s"]},
             {"id": "low", "when": {"not": {"fact": "n", "lte": 5}},
              "then": {"support": "c", "cf": 0.9}, "cites": ["s"]},
             {"id": "ex", "when": {"all": [{"fact": "e", "eq": "x"}, {"fact": "b", "eq": False}]},
              "then": {"support": "c", "cf": 0.9}, "cites": ["s"]}]
    conclusions = [{"id": "a", "kind": "action", "title": "A"},
                   {"id": "c", "kind": "action", "title": "C"}]
    return hunch.load_pack(write_pack(str(tmp_path / "gate"), facts, rules, conclusions))


class TestInert:
    """Which changes are proved inert, and that proving it saves evaluations."""

    def test_a_negated_test_that_stays_false(self, tmp_path: Path) -> None:
        result = hunch.evaluate(_gate_pack(tmp_path), {"b": True})
        assert inert(result, "n", 3)  # not (n <= 5) is false at 3, as with n missing
        assert not inert(result, "n", 6)

    def test_a_rule_whose_other_test_fails(self, tmp_path: Path) -> None:
        result = hunch.evaluate(_gate_pack(tmp_path), {"b": True})
        assert inert(result, "e", "x")  # e = x holds, but b = false does not
        assert not inert(hunch.evaluate(result.pack, {"b": False}), "e", "x")

    def test_never_for_a_given_fact_or_leaving_one_out(self, tmp_path: Path) -> None:
        result = hunch.evaluate(_gate_pack(tmp_path), {"b": True, "n": 3})
        assert not inert(result, "n", 2) and not inert(result, "b", None)

    def test_a_declared_contradiction_counts_as_a_change(self) -> None:
        pack = PACKS["printer-wont-print"]
        (name, _), *_ = pack.contradictions[0].answers
        result = hunch.evaluate(pack, {})
        assert not any(inert(result, name, v) for v in pack.facts[name].values or [True])

    def test_fewer_evaluations_same_json(self, monkeypatch: pytest.MonkeyPatch) -> None:
        path = str(ROOT / "examples" / "printer-wont-print" / "dead-printer.yaml")
        pack = PACKS["printer-wont-print"]
        old, new = hunch.evaluate(pack, path), hunch.evaluate(pack, path)
        calls = _counting(monkeypatch, unknowns, "evaluate")
        exhaustive = search_unknowns(old, Budget(old, prune=False))
        before = len(calls)
        assert unknowns_search(new) == exhaustive
        assert (before, len(calls) - before) == (29, 17)


class TestSkipped:
    """Skipping the analysis says so with the keys of a stopped one."""

    def test_the_json_lists_what_was_not_examined(self) -> None:
        path = str(ROOT / "examples" / "deadline.yaml")
        result = hunch.evaluate(PACKS["interview-silence"], path)
        skip_unknowns(result)
        data = result_json(result)
        full = result_json(hunch.evaluate(PACKS["interview-silence"], path))
        assert data["unknowns"] == [] and data["unknowns_complete"] is False
        assert {u["fact"] for u in full["unknowns"]} <= set(data["unknowns_unexamined"])
        assert "unknowns_complete" not in full
        assert set(data) - {"unknowns_complete", "unknowns_unexamined"} == set(full)

    def test_without_evaluations(self, monkeypatch: pytest.MonkeyPatch) -> None:
        result = hunch.evaluate(PACKS["printer-wont-print"],
                                yaml.safe_load((ROOT / "examples" / "printer-wont-print"
                                                / "paused-queue.yaml").read_text()))
        calls = _counting(monkeypatch, unknowns, "evaluate")
        skip_unknowns(result)
        json.dumps(result_json(result))
        assert calls == []


class TestDatedSituations:
    """The time plan reuses evaluate's result, and so its analysis."""

    def test_the_analysis_runs_once(self, monkeypatch: pytest.MonkeyPatch) -> None:
        path = str(ROOT / "examples" / "deadline-dates.yaml")
        pack = PACKS["interview-silence"]
        first, second = hunch.evaluate(pack, path), hunch.evaluate(pack, path)
        calls = _counting(monkeypatch, unknowns, "evaluate")
        data = result_json(first)
        assert data["next"] and data["unknowns"]
        for_json = len(calls)
        unknowns_search(second)
        assert for_json == len(calls) - for_json == 9
