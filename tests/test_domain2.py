"""What porting a classic certainty-factor expert system ran into (issue 26).

Each class is one point of the issue, on a small pack of its own under tests/packs/
(tests/packs/wine: a meal-and-wine adviser in the manner of the original) or one
written into a temporary folder, never on the shipped packs.
"""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest

from hunch.authoring.lint import check
from hunch.consult.ask import Consultation
from hunch.engine.evaluate import evaluate
from hunch.engine.load import load_pack
from hunch.explain.how import flips
from hunch.explain.unknowns import relevant_unknowns
from hunch.output.formats import missing_tested
from hunch.pack.model import Pack
from hunch.pack.validate import situation_from

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WINE = os.path.join(ROOT, "tests", "packs", "wine")


@pytest.fixture(scope="module")
def wine() -> Pack:
    return load_pack(WINE)


def top(pack: Pack, **facts: Any) -> tuple[str, float]:
    result = evaluate(pack, situation_from("<test>", facts, {}, pack))
    best = result.hypotheses[0]
    return best.id, round(best.certainty, 2)


def consult(pack: Pack, answers: dict[str, Any]) -> tuple[list[str], Consultation]:
    """Run a consultation, answering from ``answers`` (missing: unknown)."""
    c = Consultation(pack)
    asked = []
    while not c.done:
        fact = c.next_question()
        assert fact is not None
        asked.append(fact)
        c.answer(fact, answers.get(fact))
    return asked, c


def copy_pack(tmp_path: Path, source: str = WINE) -> Path:
    target = tmp_path / os.path.basename(source)
    shutil.copytree(source, target)
    return target


class TestMergeAdviceIsHonest:
    """§1: the lint's merge advice says what merging would do to the result, and the
    figures it gives are what the engine computes, both ways."""

    RULES = textwrap.dedent("""\
        rules:
          - id: red-for-meat
            when: {fact: main_component, eq: meat}
            then: {support: cabernet, cf: 0.9}
            cites: [colour]
          - id: red-for-sauce
            when: {fact: sauce, eq: spicy}
            then: {support: cabernet, cf: 0.8}
            cites: [colour]
        """)
    MERGED = textwrap.dedent("""\
        rules:
          - id: red-for-meat-or-sauce
            when: {any: [{fact: main_component, eq: meat}, {fact: sauce, eq: spicy}]}
            then: {support: cabernet, cf: 0.9}
            cites: [colour]
        """)

    def pack(self, tmp_path: Path, rules: str) -> Path:
        folder = copy_pack(tmp_path)
        (folder / "rules.yaml").write_text(rules)
        return folder

    def test_the_hint_gives_both_figures(self, tmp_path: Path) -> None:
        report = check(str(self.pack(tmp_path, self.RULES)))
        [warning] = [w.format() for w in report.warnings if "counts once" in w.message]
        assert "where both hold, 'cabernet' then gets one contribution (at most 0.9) instead " \
               "of both combined (0.98)" in warning
        assert "if they are separate evidence, say why with 'distinct: ...' and the result " \
               "stays as it is" in warning

    def test_the_figures_are_what_the_engine_computes(self, tmp_path: Path) -> None:
        facts = {"main_component": "meat", "has_sauce": True, "sauce": "spicy"}
        apart = load_pack(str(self.pack(tmp_path / "a", self.RULES)))
        merged = load_pack(str(self.pack(tmp_path / "b", self.MERGED)))
        assert top(apart, **facts) == ("cabernet", 0.98)
        assert top(merged, **facts) == ("cabernet", 0.9)


class TestAskedWhen:
    """§2: "what sauce?" is asked only after "is there a sauce?" is answered yes, and
    still-unknown and flips follow the same condition."""

    def test_the_question_waits_for_its_condition(self, wine: Pack) -> None:
        asked, _ = consult(wine, {"main_component": "meat", "tastiness": "strong",
                                  "has_sauce": True, "sauce": "spicy"})
        assert asked.index("has_sauce") < asked.index("sauce")

    def test_never_asked_when_the_condition_fails(self, wine: Pack) -> None:
        asked, c = consult(wine, {"main_component": "meat", "tastiness": "strong",
                                  "has_sauce": False})
        assert "sauce" not in asked
        assert "sauce" in c.remaining()

    def test_an_unknown_condition_does_not_hold(self, wine: Pack) -> None:
        asked, _ = consult(wine, {"main_component": "meat", "tastiness": "strong"})
        assert asked[-1] == "has_sauce" and "sauce" not in asked  # has_sauce: unknown

    def test_still_unknown_lists_it_only_when_it_holds(self, wine: Pack) -> None:
        def unknown(**facts: Any) -> list[str]:
            result = evaluate(wine, situation_from("<test>", facts, {}, wine))
            return missing_tested(result) + [u.fact for u in relevant_unknowns(result)]

        assert "sauce" not in unknown(main_component="meat", tastiness="strong")
        assert "sauce" not in unknown(main_component="meat", tastiness="strong",
                                      has_sauce=False)
        assert "sauce" in unknown(main_component="meat", tastiness="strong", has_sauce=True)
        # the fact it waits on is listed in its place: its answer opens the question
        assert "has_sauce" in unknown(main_component="meat", tastiness="strong")

    ACTIONS = textwrap.dedent("""\
          - {id: open-red, kind: action, title: Open a red, sources: [colour]}
          - {id: open-white, kind: action, title: Open a white, sources: [colour]}
        """)
    ACTION_RULES = textwrap.dedent("""\
          - id: open-red
            when: {fact: best_color, eq: red}
            then: {support: open-red}
            cites: [colour]
          - id: open-white
            when: {fact: best_color, eq: white}
            then: {support: open-white}
            cites: [colour]
        """)

    def test_flips_try_it_only_when_it_holds(self, tmp_path: Path) -> None:
        folder = copy_pack(tmp_path)  # with actions: flips are changes of recommendation
        for name, more in (("conclusions.yaml", self.ACTIONS), ("rules.yaml", self.ACTION_RULES)):
            (folder / name).write_text((folder / name).read_text() + textwrap.indent(more, "  "))
        pack = load_pack(str(folder))
        facts: dict[str, Any] = {"main_component": "poultry", "tastiness": "strong"}
        closed = evaluate(pack, situation_from("<t>", {**facts, "has_sauce": False}, {}, pack))
        opened = evaluate(pack, situation_from("<t>", {**facts, "has_sauce": True}, {}, pack))
        assert "sauce" not in {f.fact for f in flips(closed)}
        assert "sauce" in {f.fact for f in flips(opened)}

    @pytest.mark.parametrize(("asked_when", "message"), [
        ("{fact: best_color, eq: red}", "asked_when reads 'best_color', which is not an "
                                        "input fact"),
        ("{fact: has_sauce, eq: spicy}", "asked_when value for 'has_sauce' must be true or false"),
        ("{fact: sauce, eq: spicy}", "asked_when goes round in a circle: sauce -> sauce"),
        ("{conclusion: cabernet}", "asked_when reads only input facts, not conclusions"),
    ])
    def test_bad_conditions_are_errors(self, tmp_path: Path, asked_when: str,
                                       message: str) -> None:
        folder = copy_pack(tmp_path)
        facts = folder / "facts.yaml"
        facts.write_text(facts.read_text().replace("asked_when: {fact: has_sauce}",
                                                   f"asked_when: {asked_when}"))
        errors = [e.format() for e in check(str(folder)).errors]
        assert any(message in e for e in errors), errors


class TestUnderstatedAnswer:
    """§5: ask does not stop while an answer could still move the top's own certainty
    far (0.58 where the full answers give 0.93)."""

    def test_it_keeps_asking_until_the_top_is_stated_fully(self, wine: Pack) -> None:
        asked, c = consult(wine, {"main_component": "meat", "tastiness": "strong",
                                  "has_sauce": True, "sauce": "spicy"})
        assert asked == ["tastiness", "main_component", "has_sauce", "sauce"]
        best = c.result().hypotheses[0]
        assert (best.id, round(best.certainty, 2)) == ("cabernet", 0.93)

    def test_the_early_stop_would_have_shown_058(self, wine: Pack) -> None:
        assert top(wine, main_component="meat", tastiness="strong") == ("cabernet", 0.58)

    def test_it_stops_when_no_answer_moves_the_top_far(self, wine: Pack) -> None:
        asked, _ = consult(wine, {"main_component": "fish", "tastiness": "delicate",
                                  "has_sauce": False})
        # white 0.9 already: a cream sauce would add little, so the sauce is not asked
        assert "sauce" not in asked
