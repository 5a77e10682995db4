"""Answers that disagree (hunch.engine.contradictions, hunch.output.contradictions;
docs/certainty.md, "Contradictory answers"), on a small pack of their own."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result as CliResult
from hypothesis import given, settings
from hypothesis import strategies as st

import hunch
from hunch.engine.certainty import compute
from hunch.engine.contradictions import DOUBT
from hunch.errors import ErrorList
from hunch.pack.load import load_checked
from hunch.pack.model import Pack

PACKS = Path(__file__).resolve().parent / "packs"
LAMP = PACKS / "contradict"
ROOT = PACKS.parent.parent


def lamp() -> Pack:
    return load_checked(str(LAMP), tests=False)


def situation(tmp_path: Path, text: str) -> str:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return str(path)


class TestDeclared:
    """A pack's contradictions.yaml names answers that cannot all hold."""

    def test_holds_when_every_answer_matches(self) -> None:
        result = hunch.evaluate(lamp(), {"lamp": "lit", "switch": "off"})
        assert [(d.kind, d.id, d.answers) for d in result.contradictions] == [
            ("declared", "off-but-lit", (("lamp", "lit"), ("switch", "off")))]

    def test_consistent_answers_say_nothing(self) -> None:
        assert hunch.evaluate(lamp(), {"lamp": "dark", "switch": "off"}).contradictions == []
        assert hunch.evaluate(lamp(), {"lamp": "lit"}).contradictions == []

    def test_the_disagreeing_answers_count_half(self) -> None:
        """switch = off alone supports "switched off" at 0.8; contradicted, at 0.8 x 0.5."""
        alone = hunch.evaluate(lamp(), {"switch": "off"}).get("switched-off")
        doubted = hunch.evaluate(lamp(), {"lamp": "lit", "switch": "off"}).get("switched-off")
        assert alone is not None and doubted is not None
        assert alone.certainty == pytest.approx(0.8)
        assert doubted.certainty == pytest.approx(0.8 * DOUBT)

    def test_a_default_is_not_an_answer(self, tmp_path: Path) -> None:
        pack = copy_lamp(tmp_path, "    question: Is its switch on or off?\n",
                         "    question: Is its switch on or off?\n    default: \"off\"\n")
        assert hunch.evaluate(pack, {"lamp": "lit"}).contradictions == []
        assert hunch.evaluate(pack, {"lamp": "lit", "switch": "off"}).contradictions != []


class TestFound:
    """Answers that support and refute one member of an exclusive group, each with
    good strength, are found without being declared."""

    def test_support_and_refutation_from_different_answers(self) -> None:
        result = hunch.evaluate(lamp(), {"lamp": "dark", "switch": "on"})
        assert [(d.kind, d.id) for d in result.contradictions] == [("found", "switched-off")]
        assert result.contradictions[0].answers == (("lamp", "dark"), ("switch", "on"))
        assert "lamp = dark supports" in result.contradictions[0].says

    def test_weak_evidence_against_is_ordinary_mixed_evidence(self) -> None:
        """dark lamp supports "bulb dead" at 0.6, the bulb lighting elsewhere refutes
        it at 0.8: both good, so found; without the refutation, nothing."""
        found = hunch.evaluate(lamp(), {"lamp": "dark", "bulb_glows_elsewhere": True})
        assert [d.id for d in found.contradictions] == ["bulb-dead"]
        assert hunch.evaluate(lamp(), {"lamp": "dark"}).contradictions == []

    def test_no_group_no_finding(self, tmp_path: Path) -> None:
        pack = copy_lamp(tmp_path, "    group: cause\n", "", "conclusions.yaml")
        assert hunch.evaluate(pack, {"lamp": "dark", "switch": "on"}).contradictions == []


class TestReading:
    """A bad contradictions.yaml is reported at its line, like the rest of a pack."""

    @pytest.mark.parametrize(("text", "message"), [
        ("contradictions:\n  - {id: x, answers: {lamp: lit}, says: s}\n", "two or more"),
        ("contradictions:\n  - {id: x, answers: {lamp: lit, swich: 'off'}, says: s}\n",
         "'swich' is not an input fact"),
        ("contradictions:\n  - {id: x, answers: {lamp: lid, switch: 'off'}, says: s}\n",
         "'lid' is not allowed"),
        ("contradictions:\n  - {id: x, answers: {lamp: lit, switch: 'off'}}\n", "missing 'says'"),
        ("contradictions: {}\n", "must be a list"),
    ])
    def test_errors(self, tmp_path: Path, text: str, message: str) -> None:
        folder = Path(shutil.copytree(LAMP, tmp_path / "lamp"))
        (folder / "contradictions.yaml").write_text(text)
        with pytest.raises(ErrorList) as info:
            load_checked(str(folder), tests=False)
        assert any(message in e.message and e.file.endswith("contradictions.yaml")
                   for e in info.value.errors), [e.format() for e in info.value.errors]


def copy_lamp(tmp_path: Path, old: str, new: str, file: str = "facts.yaml") -> Pack:
    folder = Path(shutil.copytree(LAMP, tmp_path / "lamp"))
    path = folder / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return load_checked(str(folder), tests=False)


class TestEveryOutput:
    """The notice is in the table, Markdown, JSON and explanations, and absent when
    the answers agree."""

    def run(self, cli: Callable[..., CliResult], *args: str) -> str:
        result = cli(*args)
        assert result.exit_code == 0, result.output
        return result.output

    def test_table(self, cli: Callable[..., CliResult], tmp_path: Path) -> None:
        path = situation(tmp_path, "lamp: lit\nswitch: \"off\"\n")
        out = self.run(cli, "evaluate", "--rules", str(LAMP), path)
        assert "Your answers disagree:" in out
        assert "A lamp whose switch is off gives no light. (lamp = lit, switch = off)" in out
        assert "holds only at 0.5" in " ".join(out.split())
        assert out.index("Your answers disagree") < out.index("Hypotheses")

    def test_markdown(self, cli: Callable[..., CliResult], tmp_path: Path) -> None:
        path = situation(tmp_path, "lamp: lit\nswitch: \"off\"\n")
        out = self.run(cli, "evaluate", "--rules", str(LAMP), "--format", "markdown", path)
        assert "### Your answers disagree" in out
        assert "(`lamp = lit`, `switch = off`)" in out

    def test_json(self, cli: Callable[..., CliResult], tmp_path: Path) -> None:
        path = situation(tmp_path, "lamp: dark\nswitch: \"on\"\n")
        data: dict[str, Any] = json.loads(
            self.run(cli, "evaluate", "--rules", str(LAMP), "--format", "json", path))
        assert data["contradictions"] == [{
            "kind": "found", "id": "switched-off", "says": data["contradictions"][0]["says"],
            "answers": {"lamp": "dark", "switch": "on"}, "certainty_of_answers": DOUBT}]

    def test_explain(self, cli: Callable[..., CliResult], tmp_path: Path) -> None:
        path = situation(tmp_path, "lamp: lit\nswitch: \"off\"\n")
        text = self.run(cli, "explain", "--rules", str(LAMP), path, "switched-off")
        assert "Your answers disagree:" in text and "premise 0.50" in text
        data = json.loads(self.run(cli, "explain", "--rules", str(LAMP), "--format", "json",
                                   path, "switched-off"))
        assert data["contradictions"][0]["id"] == "off-but-lit"

    @pytest.mark.parametrize("fmt", ["table", "markdown", "json"])
    def test_absent_when_answers_agree(self, cli: Callable[..., CliResult], tmp_path: Path,
                                       fmt: str) -> None:
        path = situation(tmp_path, "lamp: dark\nswitch: \"off\"\n")
        out = self.run(cli, "evaluate", "--rules", str(LAMP), "--format", fmt, path)
        assert "disagree" not in out and "contradictions" not in out


class TestPrinter:
    """The case of issue 23: a dark power light, a jam message and a self-test page."""

    def test_flagged_and_doubted(self) -> None:
        result = hunch.evaluate("printer-wont-print", {
            "power_light": "dark", "printer_message": "paper-jam", "self_test_prints": True})
        ids = {d.id for d in result.contradictions}
        assert {"dark-but-prints-test-page", "dark-but-shows-a-message"} <= ids
        off = result.get("off-or-disconnected")
        assert off is not None and off.certainty <= 0.5  # was 0.90, and said nothing


def printer_situations() -> st.SearchStrategy[dict[str, Any]]:
    """Any answers to the printer pack's questions, each one left out or given."""
    pack = hunch.load_pack("printer-wont-print")
    fields = {}
    for name, spec in pack.facts.items():
        values: list[Any] = list(spec.values or []) if spec.type == "enum" else [True, False]
        fields[name] = st.one_of(st.none(), st.sampled_from(values))
    return st.fixed_dictionaries(fields).map(
        lambda d: {k: v for k, v in d.items() if v is not None})


class TestProperties:
    """Over sampled printer situations: the doubt reaches exactly the answers named."""

    @settings(max_examples=150, deadline=None)
    @given(printer_situations())
    def test_premises(self, facts: dict[str, Any]) -> None:
        result = hunch.evaluate("printer-wont-print", facts)
        named = {name for d in result.contradictions for name, _ in d.answers}
        if not named:  # answers that agree: certainties exactly as without the feature
            plain = compute(result.pack, result.ledger)
            assert plain.conclusions == result.certainties.conclusions
            return
        for contribs in result.certainties.contributions.values():
            for c in contribs:
                if any(m.kind == "input" and m.name in named for m in c.firing.matched):
                    assert c.premise <= DOUBT


class TestSchema:
    """`hunch schema pack --file contradictions` fits the shipped file and the test pack's,
    and rejects a contradiction of one answer."""

    def test_fits(self, cli: Callable[..., CliResult]) -> None:
        jsonschema = pytest.importorskip("jsonschema")
        import yaml

        result = cli("schema", "pack", "--file", "contradictions")
        assert result.exit_code == 0, result.output
        validator = jsonschema.Draft7Validator(json.loads(result.output))
        for path in (ROOT / "rules" / "printer-wont-print" / "contradictions.yaml",
                     LAMP / "contradictions.yaml"):
            data = yaml.safe_load(path.read_text())
            assert list(validator.iter_errors(data)) == [], path
        one = {"contradictions": [{"id": "x", "answers": {"lamp": "lit"}, "says": "s"}]}
        assert list(validator.iter_errors(one)) != []
