"""Certainty from graded evidence (hunch.pack.grading; docs/certainty.md, "Graded evidence")."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hunch.errors import ErrorList, Location
from hunch.pack.grading import DEFAULT_GRADING, DIMENSIONS, ORDER, graded_cf, table
from hunch.pack.load import load_checked
from hunch.pack.model import Evidence, Grading, Pack

ROOT = Path(__file__).resolve().parent
GRADED = ROOT / "packs" / "graded"


def copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(GRADED, tmp_path / "graded"))


def load(path: Path) -> Pack:
    return load_checked(str(path), tests=False)


def cfs(pack: Pack) -> dict[str, list[float]]:
    return {rule.id: [e.signed_cf for e in rule.then] for rule in pack.rules}


def problems(path: Path) -> list[str]:
    with pytest.raises(ErrorList) as info:
        load(path)
    return [f"{Path(p.file).name}:{p.line}: {p.message}" for p in info.value.errors]


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


class TestComputedCf:
    """With evidence and no cf, each support/oppose cf comes from the pack's table."""

    def test_the_small_pack(self) -> None:
        assert cfs(load(GRADED)) == {
            "probably-busy": [0.36],  # best-answer 0.9 x likely 0.8 (overridden) x general 0.5
            "a-month-means-moved-on": [0.8],  # (answer 0.7 + one seconding 0.1) x 1 x 1
            "email-once": [0.9],  # best-answer, states, own: the cap
            "stop-after-a-month": [0.7, -0.26],  # per-effect grades: 0.7 x 0.5 x 0.75
            "written-weight": [-0.06],  # written, and the same as its grades give
        }

    def test_the_default_table_when_the_pack_declares_none(self, tmp_path: Path) -> None:
        path = copy(tmp_path)
        replace(path / "pack.yaml", "grading:\n  hedge: {likely: 0.8}\n", "")
        pack = load(path)
        assert pack.grading is None
        assert cfs(pack)["probably-busy"] == [0.34]  # 0.9 x likely 0.75 x general 0.5

    def test_an_override_changes_only_its_entry(self, tmp_path: Path) -> None:
        path = copy(tmp_path)
        replace(path / "pack.yaml", "hedge: {likely: 0.8}",
                "hedge: {likely: 0.8}\n  standing: {answer: 0.6, rumour: 0.2}\n"
                "  seconded: 0.2\n  max: 0.85")
        pack = load(path)
        assert pack.grading is not None
        assert pack.grading.standing["answer"] == 0.6
        assert pack.grading.standing["rumour"] == 0.2  # a grade of the pack's own
        assert pack.grading.standing["best-answer"] == 0.9  # the default stays
        assert cfs(pack)["a-month-means-moved-on"] == [0.8]  # (0.6 + 0.2) x 1 x 1
        assert cfs(pack)["email-once"] == [0.85]  # capped by the pack's max

    def test_a_written_cf_wins_over_the_grades(self, tmp_path: Path) -> None:
        path = copy(tmp_path)
        replace(path / "rules.yaml", "cf: 0.06", "cf: 0.3")
        assert cfs(load(path))["written-weight"] == [-0.3]

    def test_grades_are_kept_on_each_effect(self) -> None:
        rule = {r.id: r for r in load(GRADED).rules}["stop-after-a-month"]
        assert rule.evidence is not None and rule.evidence.standing == "answer"
        support, oppose = rule.then
        assert support.evidence == rule.evidence and not support.cf_given
        assert oppose.evidence is not None and oppose.evidence.hedge == "may"


class TestReading:
    """Bad grades and tables are errors at their line, all collected."""

    def test_unknown_grades_and_bad_numbers(self, tmp_path: Path) -> None:
        path = copy(tmp_path)
        replace(path / "pack.yaml", "hedge: {likely: 0.8}",
                "hedge: {likely: 1.5, may: 0.9}\n  max: 0")
        replace(path / "rules.yaml", "standing: best-answer, hedge: likely",
                "standing: best-anwser, hedge: likely")
        found = problems(path)
        assert found == [
            "pack.yaml:8: grading hedge 'likely' must be a number in (0, 1], got 1.5",
            "pack.yaml:9: grading max must be a number in (0, 1], got 0",
            "pack.yaml:8: grading: hedge 'may' (0.9) is worth more than 'likely' (0.75)",
            "rules.yaml:9: unknown standing grade 'best-anwser'",
        ]

    def test_evidence_needs_all_three_grades(self, tmp_path: Path) -> None:
        path = copy(tmp_path)
        replace(path / "rules.yaml", "{standing: best-answer, hedge: states, fit: own}",
                "{standing: best-answer, fit: own}")
        assert problems(path) == ["rules.yaml:23: evidence is missing 'hedge'"]

    def test_unknown_seconders_and_self_seconding(self, tmp_path: Path) -> None:
        path = copy(tmp_path)
        replace(path / "rules.yaml", "seconded_by: [dee]", "seconded_by: [dea, bob]")
        assert problems(path) == [
            "rules.yaml:16: rule 'a-month-means-moved-on': seconded_by names unknown source "
            "'dea'",
            "rules.yaml:16: rule 'a-month-means-moved-on': source 'bob' is cited and seconds "
            "itself"]

    def test_a_derived_fact_takes_no_grades(self, tmp_path: Path) -> None:
        path = copy(tmp_path)
        replace(path / "rules.yaml", "      - support: stop-waiting\n",
                "      - support: stop-waiting\n      - derive: waited_long\n"
                "        evidence: {standing: answer, hedge: states, fit: own}\n")
        assert problems(path) == ["rules.yaml:34: 'evidence' is only for support and oppose"]


class TestSchema:
    """The JSON Schemas accept graded packs and name the grades."""

    @pytest.mark.parametrize(("kind", "file"), [("rules", "rules.yaml"), ("pack", "pack.yaml")])
    def test_the_small_pack_fits(self, kind: str, file: str) -> None:
        jsonschema = pytest.importorskip("jsonschema")
        import yaml

        from hunch.pack.jsonschema import pack_schema

        data = yaml.safe_load((GRADED / file).read_text())
        for schema in (pack_schema(kind), pack_schema(kind, load(GRADED))):
            jsonschema.Draft7Validator.check_schema(schema)
            assert list(jsonschema.Draft7Validator(schema).iter_errors(data)) == []

    def test_a_pack_schema_lists_its_grades(self) -> None:
        from hunch.pack.jsonschema import pack_schema

        schema = pack_schema("rules", load(GRADED))["definitions"]["evidence"]["properties"]
        assert schema["hedge"]["enum"] == ["states", "likely", "may", "asks"]
        assert "best-answer" in schema["standing"]["enum"]


def _grading(draw: st.DrawFn) -> Grading:
    """A table that keeps ORDER: each dimension's numbers sorted down its chains."""
    tables = {}
    for dimension in DIMENSIONS:
        values = dict(table(DEFAULT_GRADING, dimension))
        for name in values:
            values[name] = draw(st.floats(0.01, 1.0))
        for _ in ORDER[dimension]:  # enough passes to settle every chain
            for better, worse in ORDER[dimension]:
                values[better] = max(values[better], values[worse])
        tables[dimension] = values
    return Grading(standing=tables["standing"], hedge=tables["hedge"], fit=tables["fit"],
                   seconded=draw(st.floats(0.0, 1.0)), max=draw(st.floats(0.01, 1.0)))


gradings = st.composite(_grading)()


def _evidence(draw: st.DrawFn) -> Evidence:
    names = [draw(st.sampled_from(list(table(DEFAULT_GRADING, d)))) for d in DIMENSIONS]
    seconders = draw(st.lists(st.sampled_from(["a", "b", "c"]), max_size=3, unique=True))
    return Evidence(standing=names[0], hedge=names[1], fit=names[2], loc=Location("rules.yaml"),
                    seconded_by=tuple(seconders))


evidences = st.composite(_evidence)()


class TestAlgebra:
    """Properties of the one formula, over any table that keeps the grade order."""

    @given(gradings, evidences)
    def test_within_the_cap(self, grading: Grading, evidence: Evidence) -> None:
        assert 0 < graded_cf(grading, evidence) <= grading.max

    @given(gradings, evidences, st.sampled_from(DIMENSIONS), st.data())
    def test_a_better_grade_never_lowers_the_cf(self, grading: Grading, evidence: Evidence,
                                                dimension: str, data: st.DataObject) -> None:
        better, worse = data.draw(st.sampled_from(ORDER[dimension]))
        grades = evidence._asdict()
        low = Evidence(**{**grades, dimension: worse})
        high = Evidence(**{**grades, dimension: better})
        assert graded_cf(grading, high) >= graded_cf(grading, low)

    @given(gradings, evidences)
    def test_a_seconding_never_lowers_the_cf(self, grading: Grading, evidence: Evidence) -> None:
        more = evidence._replace(seconded_by=(*evidence.seconded_by, "z"))
        assert graded_cf(grading, more) >= graded_cf(grading, evidence)

    def test_the_default_table_keeps_its_own_order(self) -> None:
        from hunch.pack.grading import order_problems

        assert order_problems(DEFAULT_GRADING) == []


BAD_RULES = """
  - id: dee-agrees
    when: {fact: days_waited, gt: 30}
    then: {support: moved-on}
    cites: [dee]
    evidence: {standing: seconding, hedge: states, fit: own}

  - id: eve-says-email
    when: {fact: followups, eq: 0}
    then: {support: email}
    cites: [eve]
    evidence: {standing: question, hedge: states, fit: analogous}

  - id: bob-again
    when: {fact: days_waited, gt: 40}
    then: [{support: moved-on}, {support: moved-on}]
    cites: [bob]
    distinct: a second reading of the same sentence
    evidence: {standing: answer, hedge: states, fit: own}
"""


def strict_findings(path: Path) -> list[str]:
    from hunch.authoring.lint import check

    report = check(str(path))
    assert report.errors == []
    return [f"{p.line}:{p.column}: {p.message}" for p in report.warnings]


class TestStrictCheck:
    """hunch check --strict flags what reviews of graded packs kept finding by hand."""

    def test_the_small_pack_is_clean(self) -> None:
        assert strict_findings(GRADED) == []

    def test_every_finding_located_and_collected(self, tmp_path: Path) -> None:
        path = copy(tmp_path)
        replace(path / "rules.yaml", "then: {support: email}", "then: {support: email, cf: 0.5}")
        replace(path / "rules.yaml", "cf: 0.06", "cf: 0.3")
        with (path / "rules.yaml").open("a") as f:
            f.write(BAD_RULES)
        assert strict_findings(path) == [
            "21:5: rule 'email-once': cf 0.5 contradicts its grades (best-answer, states, own "
            "give 0.9)",
            "41:5: rule 'written-weight': a question asked back weighted like a statement: "
            "cf 0.3 is above the 0.06 its grades (question, asks, analogous) allow",
            "48:5: rule 'dee-agrees': source 'dee' seconds rule 'a-month-means-moved-on' "
            "(line 12) and is counted again here for 'moved-on'",
            "56:5: rule 'eve-says-email': a question asked back counted as independent "
            "evidence: rule 'email-once' (line 19) already supports 'email'",
            "56:5: rule 'eve-says-email': a question asked back is graded as a statement "
            "(hedge: states)",
            "60:12: rule 'bob-again': one passage ('bob') supports 'moved-on' twice, here and "
            "in rule 'a-month-means-moved-on' (line 12)",
            "60:33: rule 'bob-again' supports 'moved-on' twice",
        ]

    def test_a_seconding_beside_the_point_it_seconds(self, tmp_path: Path) -> None:
        path = copy(tmp_path)
        replace(path / "rules.yaml", "seconded_by: [dee]", "seconded_by: []")
        with (path / "rules.yaml").open("a") as f:
            f.write(BAD_RULES.split("\n\n")[0] + "\n")
        assert strict_findings(path) == [
            "50:5: rule 'dee-agrees': a seconding counted as independent evidence: rule "
            "'a-month-means-moved-on' (line 12) already supports 'moved-on'"]

    def test_a_written_cf_close_to_its_grades_is_no_contradiction(self, tmp_path: Path) -> None:
        path = copy(tmp_path)
        replace(path / "rules.yaml", "then: {support: email}", "then: {support: email, cf: 0.8}")
        assert strict_findings(path) == []

    def test_the_cli_fails_under_strict(self, tmp_path: Path) -> None:
        from click.testing import CliRunner

        from hunch.cli.app import cli

        path = copy(tmp_path)
        replace(path / "rules.yaml", "cf: 0.06", "cf: 0.3")
        result = CliRunner().invoke(cli, ["check", "--strict", str(path)])
        assert result.exit_code == 1
        assert "rules.yaml:41:5: warning: rule 'written-weight': a question asked back" \
            in result.output


class TestRulesListing:
    """hunch rules shows each rule's grades: a column, JSON and Markdown."""

    @staticmethod
    def run(*args: str) -> str:
        from click.testing import CliRunner

        from hunch.cli.app import cli

        result = CliRunner().invoke(cli, ["rules", *args])
        assert result.exit_code == 0, result.output
        return result.output

    def test_a_grades_column(self) -> None:
        out = self.run(str(GRADED))
        header = out.splitlines()[0].split()
        assert header == ["id", "when", "then", "cf", "grades", "cites"]
        assert "best-answer, likely, general" in out
        assert "answer, states, own (+1" in out and "seconding)" in out
        assert "question, asks, analogous" in out and "(written cf)" in out

    def test_json_gets_an_evidence_key(self) -> None:
        rows = {r["id"]: r for r in json.loads(self.run(str(GRADED), "--format", "json"))}
        stop = rows["stop-after-a-month"]
        assert stop["cf"] == [0.7, -0.26]
        assert [e["hedge"] for e in stop["evidence"]] == ["states", "may"]
        assert stop["evidence"][1]["graded_cf"] == 0.26
        assert rows["a-month-means-moved-on"]["evidence"][0]["seconded_by"] == ["dee"]
        written = rows["written-weight"]["evidence"][0]
        assert written["cf_written"] and written["graded_cf"] == 0.06

    def test_markdown(self) -> None:
        out = self.run(str(GRADED), "--format", "markdown")
        assert out.startswith("| id ")
        assert "| 0.7<br>-0.26 | answer, states, own<br>answer, may, analogous |" in out

    def test_an_ungraded_pack_lists_as_before(self) -> None:
        # (lend-money was the ungraded example until it was graded, issue 23)
        animals = str(ROOT / "packs" / "animals")
        out = self.run(animals)
        assert out.splitlines()[0].split() == ["id", "when", "then", "cf", "cites"]
        rows = json.loads(self.run(animals, "--format", "json"))
        assert all(e is None for r in rows for e in r["evidence"])


def evaluate(tmp_path: Path, situation: str, fmt: str = "table") -> str:
    from click.testing import CliRunner

    from hunch.cli.app import cli

    file = tmp_path / "situation.yaml"
    file.write_text(situation)
    result = CliRunner().invoke(cli, ["evaluate", "--rules", str(GRADED), "--format", fmt,
                                      str(file)])
    assert result.exit_code == 0, result.output
    return result.stdout


NOTHING = "days_waited: 20\npromised_days: 7\nfollowups: 2\n"  # moved-on -0.06, no more
A_MONTH = "days_waited: 60\nfollowups: 1\n"  # moved-on 0.8; stop 0.7; email -0.26


def section(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


class TestReadingTheResult:
    """Negative certainties are not "most likely"; words stand beside numbers."""

    def test_nothing_supported_says_so_and_lists_what_was_ruled_against(
            self, tmp_path: Path) -> None:
        out = evaluate(tmp_path, NOTHING)
        likely = section(out, "Hypotheses (most likely first)\n", "Ruled against")
        assert likely.strip() == "Nothing in this situation supports any hypothesis."
        assert ("Ruled against\n  - They have moved on (moved-on, weak evidence against, -0.06): "
                "A question\n    asked back hints they may be waiting on you, not gone.") in out
        assert "Recommended action: none" in out

    def test_the_same_in_markdown(self, tmp_path: Path) -> None:
        out = evaluate(tmp_path, NOTHING, "markdown")
        assert section(out, "### Hypotheses\n", "### Recommended action") == (
            "\nNothing in this situation supports any hypothesis.\n\n#### Ruled against\n\n"
            "- They have moved on (weak evidence against, -0.06): A question asked back hints "
            "they may be waiting on you, not gone.\n\n")

    def test_json_keeps_every_entry_and_adds_words(self, tmp_path: Path) -> None:
        data = json.loads(evaluate(tmp_path, NOTHING, "json"))
        [moved_on] = data["hypotheses"]  # still listed: the contract keeps its entries
        assert moved_on["certainty"] == -0.06 and moved_on["rank"] == 1
        assert moved_on["strength"] == "weak evidence against"
        assert data["certainty_scale"]["strength_words"] == {
            "strong": 0.8, "good": 0.5, "some": 0.2, "weak": 0.0}

    def test_words_beside_numbers(self, tmp_path: Path) -> None:
        out = evaluate(tmp_path, A_MONTH)
        likely = section(out, "Hypotheses (most likely first)\n", "Recommended action")
        assert "strong 0.80" in likely and "Ruled against" not in likely
        assert "Recommended action: Stop waiting (stop-waiting, good support, 0.70)" in out
        assert ("Advised against\n  - Send one polite email (email, some evidence against, "
                "-0.26): After a month\n    and a follow-up, stop waiting.") in out
        assert "Other actions" not in out  # the only other action is advised against
        md = evaluate(tmp_path, A_MONTH, "markdown")
        assert "| strong 0.80 |" in md and "**Stop waiting** (good support, 0.70)" in md
        assert "#### Advised against\n\n- Send one polite email (some evidence against" in md

    def test_most_rows_close_say_about_equally_supported(self) -> None:
        from hunch.engine.evaluate import Ranked
        from hunch.output.formats import close_note

        pack = load(GRADED)
        conclusions = list(pack.conclusions.values())
        rows = [Ranked(c, v, i + 1, [], [], [])
                for i, (c, v) in enumerate(zip(conclusions, (0.62, 0.6, 0.58, 0.3),
                                               strict=True))]
        assert close_note(rows) == ("~ most rows are about equally supported as the rows next "
                                    "to them (less than 0.1 apart), so read the order as rough")
        assert close_note(rows[:2]).endswith("#1-#2")  # two rows: the run itself

    @pytest.mark.parametrize(("value", "words"), [
        (0.97, "strong support"), (0.795, "strong support"), (0.79, "good support"),
        (0.5, "good support"), (0.2, "some support"), (0.19, "weak support"),
        (0.004, "no net support"), (0.0, "no net support"), (-0.06, "weak evidence against"),
        (-0.5, "good evidence against"), (-1.0, "strong evidence against")])
    def test_the_scale(self, value: float, words: str) -> None:
        from hunch.output.formats import strength

        assert strength(value) == words

    @given(st.floats(-1, 1), st.floats(-1, 1))
    def test_words_grow_with_size_either_side(self, a: float, b: float) -> None:
        from hunch.output.formats import STRENGTH_WORDS, strength_word

        order = ["no", *reversed([word for _, word in STRENGTH_WORDS])]
        if abs(a) <= abs(b):
            assert order.index(strength_word(a)) <= order.index(strength_word(b))
        assert strength_word(a) == strength_word(-a)
