"""What porting a classic certainty-factor expert system ran into (issue 26).

Each class is one point of the issue, on a small pack of its own under tests/packs/
(tests/packs/wine: a meal-and-wine adviser in the manner of the original) or one
written into a temporary folder, never on the shipped packs.
"""

from __future__ import annotations

import json
import os
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

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


POULTRY = "main_component: poultry\ntastiness: strong\nhas_sauce: false\n"


def situation(tmp_path: Path, text: str = POULTRY) -> str:
    path = tmp_path / "meal.yaml"
    path.write_text(text)
    return str(path)


class TestReportingThreshold:
    """§6: a pack's min_certainty and --min-certainty leave low conclusions out of
    tables and Markdown, counted in one line; JSON keeps them and says which."""

    def test_the_flag_hides_and_counts(self, cli: Callable[..., Result],
                                       tmp_path: Path) -> None:
        out = cli("evaluate", "--rules", WINE, situation(tmp_path), "--min-certainty", "0.5")
        assert out.exit_code == 0, out.output
        assert "Chardonnay" in out.output and "Cabernet" not in out.output
        assert "1 wine under 0.5 not shown" in out.output

    def test_without_a_threshold_everything_shows(self, cli: Callable[..., Result],
                                                  tmp_path: Path) -> None:
        out = cli("evaluate", "--rules", WINE, situation(tmp_path))
        assert "Cabernet" in out.output and "not shown" not in out.output

    def test_json_keeps_them_and_lists_them(self, cli: Callable[..., Result],
                                            tmp_path: Path) -> None:
        out = cli("evaluate", "--rules", WINE, situation(tmp_path), "--min-certainty", "0.5",
                  "--format", "json")
        data = json.loads(out.stdout)
        assert [h["id"] for h in data["hypotheses"]] == ["chardonnay", "cabernet"]
        assert data["below_min_certainty"] == ["cabernet"]
        assert data["min_certainty"] == 0.5
        plain = json.loads(cli("evaluate", "--rules", WINE, situation(tmp_path),
                               "--format", "json").stdout)
        assert "below_min_certainty" not in plain  # the contract's keys as they were

    def test_the_pack_sets_it_and_the_flag_wins(self, cli: Callable[..., Result],
                                                tmp_path: Path) -> None:
        folder = copy_pack(tmp_path)
        (folder / "pack.yaml").write_text((folder / "pack.yaml").read_text()
                                          + "min_certainty: 0.5\n")
        meal = situation(tmp_path)
        out = cli("evaluate", "--rules", str(folder), meal, "--format", "markdown")
        assert "Cabernet" not in out.output
        assert "_1 wine under 0.5 not shown" in out.output
        shown = cli("evaluate", "--rules", str(folder), meal, "--min-certainty", "0")
        assert "Cabernet" in shown.output

    @pytest.mark.parametrize("value", ["1", "-0.1", "high"])
    def test_bad_values_are_refused(self, cli: Callable[..., Result], tmp_path: Path,
                                    value: str) -> None:
        out = cli("evaluate", "--rules", WINE, situation(tmp_path), "--min-certainty", value)
        assert out.exit_code == 2
        assert "Traceback" not in out.output

    def test_a_bad_pack_value_is_an_error_with_its_place(self, tmp_path: Path) -> None:
        folder = copy_pack(tmp_path)
        (folder / "pack.yaml").write_text((folder / "pack.yaml").read_text()
                                          + "min_certainty: 2\n")
        [error] = [e.format() for e in check(str(folder)).errors]
        assert "pack.yaml:10:1: min_certainty 2 is outside [0, 1)" in error


class TestOwnWords:
    """§8: a pack names its conclusions' kinds, and every heading and sentence uses them."""

    def test_headings_use_the_packs_words(self, cli: Callable[..., Result],
                                          tmp_path: Path) -> None:
        out = cli("evaluate", "--rules", WINE, situation(tmp_path))
        assert "Wines (most likely first)" in out.output
        assert "Hypotheses" not in out.output

    def test_no_actions_no_recommendation_line(self, cli: Callable[..., Result],
                                               tmp_path: Path) -> None:
        for fmt in ("table", "markdown"):
            out = cli("evaluate", "--rules", WINE, situation(tmp_path), "--format", fmt)
            assert "Recommended" not in out.output
            assert "recommendation" not in out.output

    def test_explain_uses_them_and_quotes_its_sources(self, cli: Callable[..., Result],
                                                      tmp_path: Path) -> None:
        out = cli("explain", "--rules", WINE, situation(tmp_path), "chardonnay")
        assert "wine, certainty 0.60, rank 1 of 2 wines" in out.output
        assert '  colour: "Red wine goes with meat. White wine goes with fish."' in out.output

    def test_ask_why_uses_them(self, wine: Pack) -> None:
        from hunch.cli.ask import _example

        c = Consultation(wine)
        c.answer("tastiness", "strong")
        why = c.why("main_component")
        assert why.words.hypothesis == "wine"
        assert "the likeliest wine would be" in _example(c, "main_component", "fish", False)

    def test_ties_are_not_a_run_of_one_rank(self) -> None:
        from hunch.output.formats import _run

        tied = [type("R", (), {"rank": 3})(), type("R", (), {"rank": 3})()]
        assert _run(tied) == "#3="  # not "#3-#3"

    def test_one_work_cited_twice_is_named_once(self, cli: Callable[..., Result],
                                                tmp_path: Path) -> None:
        out = cli("evaluate", "--rules", WINE, situation(tmp_path), "--format", "markdown")
        assert "| Cellar notes: colour; body |" in out.output

    def test_each_effect_may_have_its_own_because(self, tmp_path: Path) -> None:
        folder = copy_pack(tmp_path)
        rules = folder / "rules.yaml"
        rules.write_text(rules.read_text().replace(
            "    then: {support: cabernet}\n",
            "    then:\n      - {support: cabernet}\n"
            "      - {oppose: chablis, cf: 0.5, because: A full red is no light white.}\n"))
        pack = load_pack(str(folder))
        result = evaluate(pack, situation_from("<t>", {"main_component": "meat",
                                                       "tastiness": "strong"}, {}, pack))
        reasons = {r.id: r.reason() for r in result.hypotheses}
        assert reasons == {"cabernet": "A red wine, full-bodied.",
                           "chablis": "against: A full red is no light white."}

    def test_a_bad_words_entry_is_an_error(self, tmp_path: Path) -> None:
        folder = copy_pack(tmp_path)
        (folder / "pack.yaml").write_text((folder / "pack.yaml").read_text()
                                          .replace("hypotheses: wines", "hypothesis_: wines"))
        errors = [e.format() for e in check(str(folder)).errors]
        assert any("unknown key 'hypothesis_' in words" in e for e in errors), errors


class TestRulesThatCanNeverFire:
    """§7: check reports a rule whose conditions need two values of one derived fact
    at once (it can never fire), and one that needs two members of an exclusive group."""

    def with_rule(self, tmp_path: Path, when: str) -> Path:
        folder = copy_pack(tmp_path)
        rules = folder / "rules.yaml"
        rules.write_text(rules.read_text() + textwrap.indent(textwrap.dedent(f"""\
            - id: odd
              when: {when}
              then: {{support: gamay, cf: 0.5}}
              cites: [colour]
            """), "  "))
        return folder

    def test_two_values_of_one_derived_fact(self, tmp_path: Path) -> None:
        folder = self.with_rule(tmp_path, "{all: [{fact: best_color, eq: red}, "
                                          "{fact: best_color, eq: white}]}")
        errors = [e.format() for e in check(str(folder)).errors]
        assert any("rule 'odd' can never fire: 'best_color is red' and 'best_color is white' "
                   "contradict each other" in e for e in errors), errors

    def test_one_value_and_its_complement_may_fire(self, tmp_path: Path) -> None:
        folder = self.with_rule(tmp_path, "{all: [{fact: best_color, eq: red}, "
                                          "{fact: best_color, ne: white}]}")
        assert not [e for e in check(str(folder)).errors if "odd" in e.message]

    def test_two_members_of_an_exclusive_group(self, tmp_path: Path) -> None:
        folder = self.with_rule(tmp_path, "{all: [{conclusion: cabernet}, "
                                          "{conclusion: chablis}]}")
        warnings = [w.format() for w in check(str(folder)).warnings]
        assert any("rule 'odd' needs both 'cabernet' and 'chablis', members of exclusive "
                   "group 'wine'" in w for w in warnings), warnings


class TestAskedWhenForClients:
    """§2: the page's developer finds each fact's condition in the pack's description
    and in the situation schema, as written."""

    def test_describe_and_schema_give_the_condition(self, wine: Pack) -> None:
        from hunch.pack.jsonschema import situation_schema
        from hunch.serve.describe import fact_json

        assert fact_json(wine.facts["sauce"])["asked_when"] == {"fact": "has_sauce"}
        assert "asked_when" not in fact_json(wine.facts["has_sauce"])
        schema = situation_schema(wine)
        assert schema["properties"]["sauce"]["x-asked-when"] == {"fact": "has_sauce"}


class TestAskOnTheCommandLine:
    """§2, §5: the whole consultation through the CLI, with why on the question that is
    asked only because the top's certainty could move far."""

    def test_sauce_after_yes_and_why_says_the_top_could_move(
            self, cli: Callable[..., Result]) -> None:
        out = cli("ask", "--rules", WINE, stdin="strong\nmeat\nyes\nwhy\nspicy\n")
        assert out.exit_code == 0, out.output
        text = " ".join(out.stdout.split())
        assert text.index("Does the meal have a sauce?") < text.index("What kind of sauce")
        assert ("Your answer could move how sure the top wine is (Cabernet sauvignon, now "
                "0.58) by up to 0.35.") in text
        assert "Cabernet sauvignon strong 0.93" in text
