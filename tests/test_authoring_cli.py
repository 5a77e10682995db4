"""The authoring commands: init, check, test, schema, rules and sources."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from hunch.cli.app import COMMANDS, cli
from hunch.pack.read import BUILTIN_PACK_DIR, builtin_packs

ROOT = Path(BUILTIN_PACK_DIR).parent
AUTHORING = ("check", "test", "schema", "init", "rules", "sources")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture()
def pack(tmp_path: Path) -> Path:
    folder = tmp_path / "my-pack"
    assert run("init", str(folder)).exit_code == 0
    return folder


class TestInit:
    """`hunch init x && hunch check x && hunch test x` passes, as the docs promise."""

    def test_init_check_test(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.chdir(tmp_path)
        made = run("init", "x")
        checked = run("check", "x")
        tested = run("test", "--min-coverage", "100", "x")
        assert made.exit_code == 0
        assert made.stdout.splitlines()[0] == "created rule pack 'x' in x:"
        assert made.stdout.splitlines()[-1] == "next: hunch check x && hunch test x"
        assert (checked.exit_code, checked.stdout) == (0, "x: 0 errors, 0 warnings\n")
        assert tested.exit_code == 0
        assert tested.stdout == ("x: 3 tests\n"
                                 "  coverage: 9 of 9 rules fired (100.0 %)\n"
                                 "x: 3 passed, 0 failed, coverage 100.0 %\n")

    def test_the_example_situation_evaluates(self, pack: Path) -> None:
        result = run("evaluate", "--rules", str(pack), str(pack / "example.yaml"))
        assert result.exit_code == 0
        assert "Move it closer to a bright window" in result.stdout

    def test_refuses_a_non_empty_folder(self, pack: Path) -> None:
        before = sorted(os.listdir(pack))
        result = run("init", str(pack))
        assert result.exit_code == 2
        assert result.stderr == (f"{pack}: folder is not empty; hunch init writes only into "
                                 f"a new or empty folder (pick a new folder name)\n")
        assert sorted(os.listdir(pack)) == before

    def test_refuses_a_file(self, tmp_path: Path) -> None:
        (tmp_path / "f").write_text("x")
        result = run("init", str(tmp_path / "f"))
        assert result.exit_code == 2 and "exists and is not a folder" in result.stderr

    def test_name_comes_from_the_folder(self, tmp_path: Path) -> None:
        assert run("init", str(tmp_path / "My Pack")).exit_code == 0
        assert "name: my-pack\n" in (tmp_path / "My Pack" / "pack.yaml").read_text()
        assert run("check", str(tmp_path / "My Pack")).exit_code == 0


class TestCheck:
    """`hunch check` prints located problems and sets the exit status."""

    def test_every_builtin_pack_by_default(self) -> None:
        result = run("check")
        assert result.exit_code == 0
        # printer-wont-print cites one standard whose text does not ship
        lines = [line.removesuffix(", 1 citation not verified")
                 for line in result.stdout.splitlines()]
        assert lines == [f"{name}: 0 errors, 0 warnings" for name in builtin_packs()]

    def test_errors_exit_1(self, pack: Path) -> None:
        rules = pack / "rules.yaml"
        rules.write_text(rules.read_text().replace("{fact: light, eq: bright}",
                                                   "{fact: light, eq: brigth}"))
        result = run("check", str(pack))
        assert result.exit_code == 1
        assert result.stdout == (
            f"{rules}:46:5: error: rule 'bright-spot': value for 'light' 'brigth' is not "
            f"allowed (allowed: dark, medium, bright)\n"
            f"{pack}: 1 error, 0 warnings\n")

    def test_warnings_exit_0_unless_strict(self, pack: Path) -> None:
        sources = pack / "sources.yaml"
        sources.write_text(sources.read_text() + "  - {id: spare, author: me, text: notes, "
                                                  "quote: Houseplant notes}\n")
        assert run("check", str(pack)).exit_code == 0
        strict = run("check", "--strict", str(pack))
        assert strict.exit_code == 1
        assert "warning: source 'spare' is never cited" in strict.stdout

    def test_json(self, pack: Path) -> None:
        (pack / "pack.yaml").write_text("name: [broken\n")
        result = run("check", "--format", "json", str(pack))
        assert result.exit_code == 1
        [problem] = json.loads(result.stdout)
        assert problem["level"] == "error" and problem["line"] == 2
        assert problem["file"].endswith("pack.yaml") and "invalid YAML" in problem["message"]

    def test_relative_paths_inside_the_current_folder(self, in_repo: Path) -> None:
        from hunch.cli.check import display_path

        assert display_path(str(ROOT / "rules" / "x.yaml")) == os.path.join("rules", "x.yaml")

    def test_no_such_pack_exit_2(self) -> None:
        result = run("check", "interview-silense")
        assert result.exit_code == 2
        assert "no such rule pack" in result.stderr and "did you mean" in result.stderr


class TestTest:
    """`hunch test` shows each failure's difference and the coverage."""

    def test_failure_and_coverage(self, pack: Path) -> None:
        tests = pack / "tests" / "basic.yaml"
        tests.write_text(tests.read_text().replace("recommendation: water-more",
                                                   "recommendation: move-to-window"))
        rules = pack / "rules.yaml"
        rules.write_text(rules.read_text() + "  - id: never\n    when: {fact: leaves, eq: "
                                              "healthy}\n    then: {derive: watered_often}\n")
        result = run("test", "--min-coverage", "100", str(pack))
        assert result.exit_code == 1
        name = str(pack)  # the PACK argument as given
        assert result.stdout == (
            f"{name}: 3 tests\n"
            f"  FAIL thirsty plant in a bright window ({tests}:14:5)\n"
            f"    recommendation: expected move-to-window, got water-more (0.63, #1); "
            f"move-to-window (not concluded)\n"
            f"  coverage: 9 of 10 rules fired (90.0 %)\n"
            f"    not covered: never ({rules}:69:5): never held: leaves is healthy at "
            f"{rules}:70:5\n"
            f"  coverage 90.0 % is below --min-coverage 100\n"
            f"{name}: 2 passed, 1 failed, coverage 90.0 %\n")

    def test_verbose_lists_passing_tests(self, pack: Path) -> None:
        result = run("test", "-v", str(pack))
        assert "  PASS pale plant in a dark corner\n" in result.stdout

    def test_broken_pack_exit_2(self, pack: Path) -> None:
        (pack / "facts.yaml").write_text("facts: {}\n")
        result = run("test", str(pack))
        assert result.exit_code == 2
        assert result.stderr.startswith(f"{pack}: cannot run the tests: ")
        assert "run hunch check" in result.stderr

    def test_every_builtin_pack_by_default(self) -> None:
        result = run("test", "--min-coverage", "100")
        assert result.exit_code == 0, result.stdout
        for name in builtin_packs():
            assert f"\n{name}: " in "\n" + result.stdout


def _situation(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


class TestSchema:
    """`hunch schema` prints JSON Schema that fits the real files."""

    def test_situation_schema_fits_the_examples(self) -> None:
        result = run("schema", "situation", "--rules", "lend-money")
        assert result.exit_code == 0
        schema = json.loads(result.stdout)
        props = schema["properties"]
        assert schema["additionalProperties"] is False
        assert schema["required"] == ["relationship"]
        assert props["relationship"]["enum"][:2] == ["family", "close_friend"]
        assert props["times_asked_before"] == {
            "description": "How many other times has this person asked you for money in the "
                           "past year? (times)",
            "type": ["integer", "null"], "minimum": 0, "maximum": 100, "default": 0}
        types = {"integer": int, "boolean": bool, "string": str}
        for example in (ROOT / "examples" / "lend-money").glob("*.yaml"):
            for key, value in _situation(example).items():
                spec = props[key]  # every key is a known fact
                if "enum" in spec:
                    assert value in spec["enum"]
                else:
                    kind = spec["type"] if isinstance(spec["type"], str) else spec["type"][0]
                    assert isinstance(value, types[kind])  # _pack: a string

    def test_validates_with_a_json_schema_library(self, pack: Path) -> None:
        jsonschema = pytest.importorskip("jsonschema")
        schema = json.loads(run("schema", "situation", "--rules", str(pack)).stdout)
        validator = jsonschema.Draft7Validator(schema)
        jsonschema.Draft7Validator.check_schema(schema)
        assert list(validator.iter_errors(_situation(pack / "example.yaml"))) == []
        bad = {"leaves": "purple", "days_between_watering": 0, "colour": "red"}
        assert len(list(validator.iter_errors(bad))) == 3

    @pytest.mark.parametrize(("kind", "files"), [
        ("rules", "rules/*.yaml"), ("facts", "facts.yaml"), ("conclusions", "conclusions.yaml"),
        ("sources", "sources.yaml"), ("pack", "pack.yaml"), ("tests", "tests/*.yaml"),
    ])
    def test_pack_schemas_fit_the_shipped_packs(self, kind: str, files: str) -> None:
        jsonschema = pytest.importorskip("jsonschema")
        for name in builtin_packs():
            result = run("schema", "pack", "--file", kind, "--rules", name)
            assert result.exit_code == 0
            validator = jsonschema.Draft7Validator(json.loads(result.stdout))
            found = list((ROOT / "rules" / name).glob(files))
            assert found
            for path in found:
                errors = [e.message for e in validator.iter_errors(_situation(path))]
                assert errors == [], (path, errors)

    def test_rule_schema_by_hand(self) -> None:
        schema = json.loads(run("schema", "pack").stdout)
        assert schema["required"] == ["rules"]
        rule = schema["properties"]["rules"]["items"]
        assert rule["required"] == ["id", "when", "then"]
        assert set(rule["properties"]) == {"id", "when", "then", "cites", "because", "distinct",
                                          "evidence"}
        compare = schema["definitions"]["compare"]["properties"]
        assert set(compare) == {"fact", "eq", "ne", "lt", "lte", "gt", "gte", "in", "between",
                                "exists"}
        # without a pack, names are patterns; with one, the editor can complete them
        assert "pattern" in schema["definitions"]["fact_name"]
        named = json.loads(run("schema", "pack", "--rules", "lend-money").stdout)
        assert "could_lose_it" in named["definitions"]["fact_name"]["enum"]
        assert "decline-kindly" in named["definitions"]["conclusion_id"]["enum"]

    def test_a_bad_rule_file_fails_the_schema(self) -> None:
        jsonschema = pytest.importorskip("jsonschema")
        validator = jsonschema.Draft7Validator(json.loads(run("schema", "pack").stdout))
        bad = {"rules": [{"id": "r", "when": {"fakt": "x", "gt": 1}, "then": {"support": "h"}}]}
        assert list(validator.iter_errors(bad))

    def test_output_file(self, tmp_path: Path) -> None:
        out = tmp_path / "s.json"
        assert run("schema", "pack", "--file", "facts", "-o", str(out)).exit_code == 0
        assert json.loads(out.read_text())["required"] == ["facts"]


class TestTables:
    """`hunch rules` and `hunch sources` list what a pack holds."""

    def test_rules(self, pack: Path) -> None:
        result = run("rules", str(pack))
        assert result.exit_code == 0
        lines = result.stdout.splitlines()
        assert lines[0].split() == ["id", "when", "then", "cf", "cites"]
        assert lines[2].split() == ["watered-often", "days_between_watering", "is", "at",
                                    "most", "3", "derive", "watered_often", "1"]
        assert "bright-spot               light is bright" in result.stdout
        assert "oppose too-little-light   -0.5  notes-move" in result.stdout

    def test_rules_json(self) -> None:
        rows = json.loads(run("rules", "lend-money", "--format", "json").stdout)
        first = rows[0]
        assert first["id"] == "decline-if-finances-strained"
        assert first["when"] == "concluded strains-your-finances"
        # graded (precept, states, general: 0.5 x 1 x 0.5), issue 23
        assert first["then"] == ["support decline-kindly"] and first["cf"] == [0.25]

    def test_sources_counts_citations(self) -> None:
        rows = json.loads(run("sources", "lend-money", "--format", "json").stdout)
        by_id = {r["id"]: r for r in rows}
        assert by_id["hamlet-loan-loses"]["rules"] == 4
        assert by_id["hamlet-loan-loses"]["conclusions"] == 2
        assert by_id["proverbs-17-18"] == {
            "id": "proverbs-17-18", "author": "Proverbs 17:18 (King James Version)",
            "posted": "1611", "best_answer": False, "rules": 1, "conclusions": 0,
            "quote": "A man void of understanding striketh hands, and becometh surety in the "
                     "presence of his friend.", "kind": "post",
            "name": "Proverbs 17:18 (King James Version)",
            "citation": "Proverbs 17:18 (King James Version)", "verified": True}
        table = run("sources", "lend-money").stdout.splitlines()
        # its books and its standard bring the kind and verified columns
        assert table[0].split() == ["id", "kind", "author", "verified", "rules", "conclusions",
                                    "quote"]

    def test_thread_pack_shows_best_answers(self) -> None:
        table = run("sources", "interview-silence").stdout.splitlines()
        assert table[0].split() == ["id", "author", "best", "rules", "conclusions", "quote"]


class TestHelp:
    """Every authoring command is registered and its help shows an example."""

    @pytest.mark.parametrize("name", AUTHORING)
    def test_help_has_an_example(self, name: str) -> None:
        assert name in COMMANDS
        result = run(name, "--help")
        assert result.exit_code == 0 and "Example:" in result.stdout

    def test_schema_subcommands_have_examples(self) -> None:
        for sub in ("situation", "pack"):
            assert "Example:" in run("schema", sub, "--help").stdout
