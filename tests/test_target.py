"""`hunch what-if SITUATION --flip --target ID`: the smallest changes toward a goal
(hunch.explain.target, hunch.output.target, hunch.cli.whatif)."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hunch.cli.app import cli
from hunch.cli.whatif import GOALS as CLI_GOALS
from hunch.engine.evaluate import evaluate
from hunch.engine.load import load_pack
from hunch.explain.target import GOALS, reaches, toward
from hunch.pack.model import Pack

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ANIMALS = os.path.join(ROOT, "tests", "packs", "animals")
ASKER = os.path.join(ROOT, "examples", "asker.yaml")
ZEBRA = ("has_hair: true\ngives_milk: true\nhas_hoofs: true\nchews_cud: true\n"
         "black_stripes: true\nblack_and_white: true\n")


@pytest.fixture(scope="module")
def animals() -> Pack:
    return load_pack(ANIMALS)


@pytest.fixture()
def zebra(tmp_path: Any) -> str:
    path = tmp_path / "zebra.yaml"
    path.write_text(ZEBRA)
    return str(path)


def what_if(*args: str) -> Any:
    return CliRunner().invoke(cli, ["what-if", *args])


class TestSearch:
    """Fewest facts first; a tie-break is not 'top'; the bound is honoured and reported."""

    def test_the_smallest_combination_is_found(self, animals: Pack, zebra: str) -> None:
        result = evaluate(animals, zebra)
        search = toward(result, "tiger", max_facts=4, bound=20000)
        assert (search.size, search.searched, search.stopped) == (4, 4, False)
        assert [[(f.fact, f.after) for f in c.facts] for c in search.changes] == [
            [("eats_meat", True), ("has_hoofs", False), ("chews_cud", False), ("tawny", True)]]
        assert reaches(evaluate(animals, {**result.situation.values, "eats_meat": True,
                                          "has_hoofs": False, "chews_cud": False,
                                          "tawny": True}), "tiger", "top")

    def test_a_tie_is_not_top(self, animals: Pack, zebra: str) -> None:
        # eats_meat and tawny make a tiger at 1.0 too, tied with the zebra: not enough
        result = evaluate(animals, zebra)
        search = toward(result, "tiger", max_facts=3)
        assert search.changes == [] and search.searched == 3 and not search.stopped
        tied = evaluate(animals, {**result.situation.values, "eats_meat": True, "tawny": True})
        assert {h.id for h in tied.hypotheses if h.certainty == 1.0} == {"tiger", "zebra"}
        assert not reaches(tied, "tiger", "top")

    def test_the_bound_stops_the_search_and_says_so(self, animals: Pack, zebra: str) -> None:
        search = toward(evaluate(animals, zebra), "tiger", max_facts=4, bound=100)
        assert search.stopped and search.evaluations == 100 and search.changes == []
        assert search.searched < 4

    def test_goals(self, animals: Pack, zebra: str) -> None:
        result = evaluate(animals, zebra)
        assert toward(result, "zebra", "concluded").reached
        gone = toward(result, "zebra", "not-concluded")
        assert gone.size == 1
        # mammal and ungulate have two ways each: only the stripes come down to one fact
        assert [(c.facts[0].fact, c.facts[0].after) for c in gone.changes] == \
            [("black_stripes", False)]
        assert CLI_GOALS == GOALS

    def test_an_action_goes_toward_the_recommendation(self) -> None:
        pack = load_pack(None)
        search = toward(evaluate(pack, ASKER), "call-once-with-deadline")
        assert search.size == 1
        assert search.changes[0].recommendation is not None
        assert search.changes[0].recommendation.id == "call-once-with-deadline"


class TestCli:
    """The text and JSON output, and bad input."""

    def test_text(self, zebra: str) -> None:
        result = what_if("--rules", ANIMALS, zebra, "--flip", "--target", "tiger",
                         "--max-facts", "4", "--max-evaluations", "20000")
        assert result.exit_code == 0, result.output
        assert result.stdout == (
            "Toward: It is a tiger (tiger) as the top hypothesis\n"
            "now: certainty 0.00; top hypothesis: zebra (1.00); recommendation: none\n"
            f"situation: {zebra}\n\n"
            "Smallest changes (4 facts each) that make it the top hypothesis:\n"
            "  1. eats_meat: not given -> true\n"
            "     has_hoofs: true -> false\n"
            "     chews_cud: true -> false\n"
            "     tawny: not given -> true\n"
            "     then tiger 1.00; top hypothesis tiger (1.00); recommendation none\n\n"
            "Searched every combination of up to 4 facts (1487 of 20000 evaluations).\n")

    def test_the_bound_is_reported(self, zebra: str) -> None:
        result = what_if("--rules", ANIMALS, zebra, "--flip", "--target", "tiger",
                         "--max-facts", "4", "--max-evaluations", "100")
        assert result.exit_code == 0, result.output
        assert "The search stopped at its bound (100 of 100 evaluations)" in result.stdout

    def test_json_is_additive(self, zebra: str) -> None:
        plain = what_if("--rules", ANIMALS, zebra, "--flip", "--format", "json")
        result = what_if("--rules", ANIMALS, zebra, "--flip", "--target", "tiger",
                         "--max-facts", "4", "--max-evaluations", "20000", "--format", "json")
        assert plain.exit_code == 0 and result.exit_code == 0, result.output
        before, data = json.loads(plain.stdout), json.loads(result.stdout)
        # the target search takes the place of the recommendation flips; the rest is as before
        assert {k: v for k, v in data.items() if k != "target"} == \
            {k: v for k, v in before.items() if k != "flips"}
        target = data["target"]
        assert (target["id"], target["goal"], target["reached"], target["size"]) == \
            ("tiger", "top", False, 4)
        assert [(f["fact"], f["before"], f["given"], f["after"])
                for f in target["changes"][0]["facts"]] == [
            ("eats_meat", None, False, True), ("has_hoofs", True, True, False),
            ("chews_cud", True, True, False), ("tawny", None, False, True)]
        assert target["search"] == {"max_facts": 4, "searched": 4, "evaluations": 1487,
                                    "bound": 20000, "stopped_at_bound": False}

    def test_with_set_the_target_key_joins_the_what_if_object(self) -> None:
        result = what_if(ASKER, "--set", "needs_answer_by_days=5", "--flip", "--target",
                         "let-it-go", "--format", "json")
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["recommendation_changed"] is True and data["target"]["id"] == "let-it-go"

    def test_bad_targets_and_flags(self) -> None:
        result = what_if(ASKER, "--flip", "--target", "let-it-goo")
        assert result.exit_code == 2
        assert "no hypothesis or action 'let-it-goo'" in result.stderr
        assert "let-it-go" in result.stderr and "Traceback" not in result.output
        assert what_if(ASKER, "--target", "let-it-go").exit_code == 2
        assert "--target goes with --flip" in what_if(ASKER, "--target", "let-it-go").stderr
        assert what_if(ASKER, "--flip", "--goal", "concluded").exit_code == 2
        assert what_if(ASKER, "--flip", "--target", "let-it-go", "--max-facts", "5").exit_code \
            == 2


class TestProperties:
    """Every change reported reaches the goal, and none smaller does."""

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def test_changes_reach_the_goal_and_are_smallest(self, animals: Pack,
                                                     data: st.DataObject) -> None:
        facts = {f: v for f in animals.facts
                 if (v := data.draw(st.sampled_from([True, False, None]), label=f)) is not None}
        target = data.draw(st.sampled_from(sorted(animals.conclusions)), label="target")
        goal = data.draw(st.sampled_from(GOALS), label="goal")
        result = evaluate(animals, facts)
        search = toward(result, target, goal, max_facts=2, bound=5000)
        assert search.reached == reaches(result, target, goal)
        for change in search.changes:
            after = evaluate(animals, {**result.situation.values,
                                       **{f.fact: f.after for f in change.facts}})
            assert reaches(after, target, goal)
            assert len(change.facts) == search.size
        if search.size > 1 and not search.stopped:  # no single change would have done
            for fact in animals.facts:
                for value in (True, False):
                    if result.situation.values.get(fact) is not value:
                        moved = evaluate(animals, {**result.situation.values, fact: value})
                        assert not reaches(moved, target, goal)
