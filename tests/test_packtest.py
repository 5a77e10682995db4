"""`hunch test` (hunch.authoring.packtest): expectations, failure messages and rule coverage."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from hunch.authoring.packtest import expect_problems, run_test, run_tests
from hunch.authoring.scaffold import init_pack
from hunch.engine.load import load_pack
from hunch.errors import Location
from hunch.pack.model import Pack, PackTest
from hunch.pack.read import BUILTIN_PACK_DIR, builtin_packs

WET = {"days_between_watering": 2, "soil_wet": True, "leaves": "yellow", "light": "medium"}
# too-much-water 0.82, let-soil-dry 0.738; nothing else concluded
DRY = {"days_between_watering": 14, "soil_wet": False, "leaves": "drooping", "light": "bright"}
# too-little-water 0.7, too-little-light -0.5, water-more 0.63


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> Pack:
    """The `hunch init` pack: small, and every number in it is known."""
    folder = tmp_path_factory.mktemp("plant") / "plant"
    init_pack(str(folder))
    return load_pack(str(folder), tests=True)


def failures(pack: Pack, situation: dict[str, Any], expect: dict[str, Any]) -> list[str]:
    test = PackTest("t", situation, {}, expect, Location("t.yaml", 1, 1))
    outcome, _ = run_test(pack, test)
    assert outcome.error is None, outcome.error
    return [str(f) for f in outcome.failures]


class TestExpectations:
    """Each expectation passes when it holds and says what came out when it does not."""

    @pytest.mark.parametrize("expect", [
        {"top_hypothesis": "too-much-water"},
        {"top_hypothesis": ["too-little-light", "too-much-water"]},
        {"in_top": {"n": 1, "any_of": ["too-much-water", "too-little-water"]}},
        {"in_top": {"n": 2, "all_of": ["too-much-water", "let-soil-dry"]}},
        {"recommendation": "let-soil-dry"},
        {"not_recommendation": ["water-more", "move-to-window"]},
        {"concludes": ["too-much-water", "let-soil-dry"]},
        {"not_concludes": "too-little-water"},
        {"certainty": {"too-much-water": {"min": 0.82, "max": 0.82}}},
        {"certainty": {"move-to-window": {"max": 0}}},
        {"ranks_above": [["too-much-water", "too-little-water"]]},
        {"ranks_above": ["let-soil-dry", "water-more"]},
    ])
    def test_holds(self, plant: Pack, expect: dict[str, Any]) -> None:
        assert failures(plant, WET, expect) == []

    @pytest.mark.parametrize(("expect", "message"), [
        ({"top_hypothesis": "too-little-light"},
         "top_hypothesis: expected too-little-light, got too-much-water (0.82, #1); "
         "too-little-light (not concluded)"),
        ({"top_hypothesis": None}, "top_hypothesis: expected no hypothesis, got "
                                   "too-much-water (0.82, #1)"),
        ({"in_top": {"n": 1, "any_of": ["too-little-water"]}},
         "in_top 1: expected one of too-little-water, got too-much-water"),
        ({"recommendation": ["water-more", "move-to-window"]},
         "recommendation: expected one of water-more, move-to-window, got let-soil-dry "
         "(0.74, #1); water-more (not concluded), move-to-window (not concluded)"),
        ({"recommendation": None},
         "recommendation: expected no recommendation, got let-soil-dry (0.74, #1)"),
        ({"not_recommendation": "let-soil-dry"},
         "not_recommendation: expected not let-soil-dry, got let-soil-dry (0.74, #1)"),
        ({"concludes": ["too-little-light"]},
         "concludes: expected too-little-light with certainty > 0, got too-little-light "
         "(not concluded)"),
        ({"not_concludes": ["too-much-water"]},
         "not_concludes: expected too-much-water not concluded (certainty <= 0), got "
         "too-much-water (0.82, #1)"),
        ({"certainty": {"too-much-water": {"min": 0.9}}},
         "certainty of too-much-water: expected 0.9 to 1, got 0.8200"),
        ({"ranks_above": [["too-little-water", "too-much-water"]]},
         "ranks_above: expected too-little-water above too-much-water, got "
         "too-little-water (not concluded) vs too-much-water (0.82, #1)"),
    ])
    def test_fails_with_the_difference(self, plant: Pack, expect: dict[str, Any],
                                       message: str) -> None:
        assert failures(plant, WET, expect) == [message]

    def test_negative_certainty_is_not_concluded(self, plant: Pack) -> None:
        assert failures(plant, DRY, {"not_concludes": ["too-little-light"],
                                     "certainty": {"too-little-light": {"max": -0.5}},
                                     "ranks_above": [["move-to-window", "too-little-light"]]}
                        ) == []

    def test_each_failing_expectation_is_reported(self, plant: Pack) -> None:
        found = failures(plant, DRY, {"top_hypothesis": "too-much-water",
                                      "recommendation": "let-soil-dry"})
        assert [f.split(":")[0] for f in found] == ["top_hypothesis", "recommendation"]

    def test_bad_situation_is_an_error_not_a_crash(self, plant: Pack) -> None:
        test = PackTest("t", {"leaves": "purple"}, {"leaves": 3}, {},
                        Location("t.yaml", 1, 1))
        outcome, seen = run_test(plant, test)
        assert seen is None and not outcome.passed
        assert outcome.error is not None
        assert "leaves: 'purple' is not allowed" in outcome.error.message


class TestExpectationShapes:
    """Malformed expectations are reported before anything runs."""

    @pytest.mark.parametrize(("expect", "message"), [
        ({"top": "x"}, "unknown expectation 'top'"),
        ({"top_hypothesis": "let-soil-dry"}, "'let-soil-dry' is an action, not a hypothesis"),
        ({"recommendation": "too-much-water"}, "'too-much-water' is a hypothesis, not an action"),
        ({"concludes": [1]}, "concludes takes a conclusion id or a list of them"),
        ({"in_top": {"n": 0, "any_of": ["too-much-water"]}}, "in_top needs n"),
        ({"in_top": {"n": 2}}, "in_top needs one of any_of or all_of"),
        ({"certainty": {"too-much-water": {"min": 2}}}, "bounds for 'too-much-water'"),
        ({"ranks_above": [["a"]]}, "ranks_above takes a list of [higher, lower] pairs"),
        ({"not_concludes": ["too-much-watr"]}, "unknown conclusion 'too-much-watr'"),
    ])
    def test_problem(self, plant: Pack, expect: dict[str, Any], message: str) -> None:
        found = [m for _, m, _ in expect_problems(plant, expect)]
        assert len(found) == 1 and message in found[0], found


class TestCoverage:
    """Coverage counts rules that fired, and names the first condition that never held."""

    def test_uncovered_rules_and_why(self, plant: Pack) -> None:
        plant_tests = plant.tests
        try:
            plant.tests = [PackTest("wet", WET, {}, {}, Location("t.yaml", 1, 1))]
            report = run_tests(plant)
        finally:
            plant.tests = plant_tests
        assert report.passed == 1 and report.failed == 0
        assert report.coverage == pytest.approx(100 * 4 / 9)
        why = {u.rule.id: u.reason for u in report.uncovered}
        assert why == {
            "drooping-and-dry": "never held: leaves is drooping",
            "pale-in-the-dark": "never held: leaves is pale",
            "bright-spot": "never held: light is bright",
            "water-it": "never held: concluded too-little-water",
            "move-it": "never held: concluded too-little-light",
        }
        leaf = next(u.leaf for u in report.uncovered if u.rule.id == "bright-spot")
        assert leaf is not None and leaf.cond.loc.line > 0

    def test_conditions_that_held_apart_but_never_together(self, plant: Pack) -> None:
        pale_bright = dict(WET, leaves="pale", light="bright")
        dark = dict(DRY, light="dark")
        plant_tests = plant.tests
        try:
            plant.tests = [PackTest(n, s, {}, {}, Location("t.yaml", 1, 1))
                           for n, s in (("a", pale_bright), ("b", dark))]
            report = run_tests(plant)
        finally:
            plant.tests = plant_tests
        why = {u.rule.id: u.reason for u in report.uncovered}
        assert why["pale-in-the-dark"] == ("each condition held in some test, but never all "
                                           "together in one test")

    def test_negated_and_unknown_conditions(self, plant: Pack) -> None:
        """`not: {fact: soil_wet}` does not hold when soil_wet is unknown."""
        unknown = {"days_between_watering": 5, "leaves": "drooping", "light": "medium"}
        plant_tests = plant.tests
        try:
            plant.tests = [PackTest("u", unknown, {}, {}, Location("t.yaml", 1, 1))]
            report = run_tests(plant)
        finally:
            plant.tests = plant_tests
        why = {u.rule.id: u.reason for u in report.uncovered}
        assert why["drooping-and-dry"] == "never held: not soil_wet"

    def test_no_tests_no_coverage(self, plant: Pack) -> None:
        plant_tests = plant.tests
        try:
            plant.tests = []
            report = run_tests(plant)
        finally:
            plant.tests = plant_tests
        assert report.coverage == 0 and len(report.uncovered) == len(plant.rules)
        assert {u.reason for u in report.uncovered} == {"no test ran"}


class TestShippedPacks:
    """Every shipped pack passes its own tests with 100 % rule coverage."""

    @pytest.mark.parametrize("name", builtin_packs())
    def test_all_pass_with_full_coverage(self, name: str) -> None:
        report = run_tests(load_pack(os.path.join(BUILTIN_PACK_DIR, name), tests=True))
        failed = [(o.test.name, o.error, [str(f) for f in o.failures])
                  for o in report.outcomes if not o.passed]
        assert failed == []
        assert report.outcomes, "a shipped pack needs tests"
        assert [u.rule.id for u in report.uncovered] == []
        assert report.coverage == 100.0

    def test_second_pack_is_a_different_domain_with_chains(self) -> None:
        pack = load_pack("lend-money", tests=True)
        assert len(pack.rules) >= 12
        consumers = {leaf for r in pack.rules for leaf in _facts_read(r.when)}
        assert set(pack.derived) <= consumers, "every derived fact feeds another rule"
        assert all(Path(t.path).is_file() for t in pack.texts.values())


def _facts_read(cond: Any) -> set[str]:
    from hunch.pack.model import Compare, walk

    return {n.fact for n in walk(cond) if isinstance(n, Compare)}
