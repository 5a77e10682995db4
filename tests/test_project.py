"""Which pack: --rules > the situation's `_pack` > the project's default (hunch.toml,
[tool.hunch] in pyproject.toml, found walking up) > the built-in default."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hunch.cli.app import cli
from hunch.pack.project import find_config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ANIMALS = os.path.join(ROOT, "tests", "packs", "animals")
BIRD = "has_feathers: true\nflies_well: true\n"


def hunch(*args: str, stdin: str | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), input=stdin)


def pack_of(result: Any) -> str:
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return str(data["pack"])


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with its own copy of the animals pack, worked in from a subfolder."""
    shutil.copytree(ANIMALS, tmp_path / "zoo", ignore=shutil.ignore_patterns("tests"))
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "bird.yaml").write_text(BIRD)
    monkeypatch.chdir(tmp_path / "cases")
    return tmp_path


class TestProjectConfig:
    """The nearest hunch.toml or [tool.hunch] sets the default pack."""

    def test_hunch_toml_in_a_parent_folder(self, project: Path) -> None:
        (project / "hunch.toml").write_text('pack = "zoo"\n')
        assert pack_of(hunch("evaluate", "--format", "json", "bird.yaml")) == "animals"
        config = find_config()
        assert config is not None and config.pack == str(project / "zoo")

    def test_tool_hunch_in_pyproject(self, project: Path) -> None:
        (project / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.hunch]\n'
                                                'pack = "zoo"\n')
        # a nearer pyproject.toml without [tool.hunch] does not count, as with ruff
        (project / "cases" / "pyproject.toml").write_text('[tool.ruff]\nline-length = 90\n')
        assert pack_of(hunch("evaluate", "--format", "json", "bird.yaml")) == "animals"

    def test_the_nearest_wins_and_hunch_toml_before_pyproject(self, project: Path) -> None:
        (project / "hunch.toml").write_text('pack = "zoo"\n')
        (project / "cases" / "pyproject.toml").write_text('[tool.hunch]\npack = "lend-money"\n')
        assert hunch("rules").stdout == hunch("rules", "lend-money").stdout
        (project / "cases" / "hunch.toml").write_text('pack = "../zoo"\n')
        assert hunch("rules").stdout == hunch("rules", ANIMALS).stdout

    def test_no_config_is_the_built_in_default(self, project: Path) -> None:
        assert find_config() is None or find_config(str(project)) is None
        (project / "cases" / "days.yaml").write_text("days_since_interview: 3\n")
        assert pack_of(hunch("evaluate", "--format", "json", "days.yaml")) == \
            "interview-silence"

    def test_bad_configs_are_one_line_errors(self, project: Path) -> None:
        config = project / "hunch.toml"
        for text, expected in [
                ('pack = "zoo\n', "hunch.toml:1:12: not valid TOML"),
                ("pack = 3\n", "pack must be a pack name or folder (a string)"),
                ('pakc = "zoo"\n', "unknown setting 'pakc' (did you mean 'pack'?)"),
                ('pack = "nowhere"\n', "no such rule pack")]:
            config.write_text(text)
            result = hunch("evaluate", "bird.yaml")
            assert result.exit_code == 2, text
            assert expected in result.stderr, result.stderr
            assert "Traceback" not in result.output and result.stderr.count("\n") == 1


class TestSituationPack:
    """A situation names its pack with `_pack`, relative to its own folder."""

    def test_the_situation_names_its_pack(self, project: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
        (project / "hunch.toml").write_text("")  # a project: _pack may name its folders
        (project / "cases" / "bird.yaml").write_text("_pack: ../zoo\n" + BIRD)
        assert pack_of(hunch("evaluate", "--format", "json", "bird.yaml")) == "animals"
        monkeypatch.chdir(project.parent)  # relative to the file, not to the working folder
        path = str(project / "cases" / "bird.yaml")
        assert pack_of(hunch("evaluate", "--format", "json", path)) == "animals"

    def test_precedence(self, project: Path) -> None:
        (project / "hunch.toml").write_text('pack = "lend-money"\n')
        (project / "cases" / "bird.yaml").write_text("_pack: ../zoo\n" + BIRD)
        assert pack_of(hunch("evaluate", "--format", "json", "bird.yaml")) == "animals"
        forced = hunch("evaluate", "--rules", "interview-silence", "bird.yaml")
        assert forced.exit_code == 2 and "unknown fact 'has_feathers'" in forced.stderr

    def test_explain_what_if_and_ask_use_it(self, project: Path) -> None:
        (project / "hunch.toml").write_text("")  # a project: _pack may name its folders
        (project / "cases" / "bird.yaml").write_text("_pack: ../zoo\n" + BIRD)
        explained = hunch("explain", "bird.yaml", "albatross")
        assert explained.exit_code == 0 and "HOW: 1 rule for" in explained.stdout
        flipped = hunch("what-if", "bird.yaml", "--flip", "--target", "penguin")
        assert flipped.exit_code == 0 and "It is a penguin" in flipped.stdout
        asked = hunch("ask", "--situation", "bird.yaml", stdin="")
        assert asked.exit_code == 0, asked.output
        assert "hunch ask: Which animal is it?" in asked.stdout
        assert "It is an albatross" in asked.stdout

    def test_a_bad_pack_name_is_bad_input_at_its_line(self, project: Path) -> None:
        (project / "cases" / "bird.yaml").write_text(BIRD + "_pack: zooo\n")
        result = hunch("evaluate", "bird.yaml")
        assert result.exit_code == 2
        assert result.stderr.startswith("bird.yaml:3:1: _pack: no such rule pack 'zooo'")
        (project / "cases" / "bird.yaml").write_text("_pack: 3\n" + BIRD)
        result = hunch("evaluate", "--rules", ANIMALS, "bird.yaml")  # ignored, still checked
        assert result.exit_code == 2 and "_pack must name a rule pack" in result.stderr

    def test_the_schema_allows_it(self, project: Path) -> None:
        jsonschema = pytest.importorskip("jsonschema")
        result = hunch("schema", "situation", "--rules", ANIMALS)
        validator = jsonschema.Draft7Validator(json.loads(result.stdout))
        assert list(validator.iter_errors({"_pack": "zoo", "has_feathers": True})) == []
        assert list(validator.iter_errors({"pack": "zoo"}))  # "pack" would be a fact name

    def test_a_default_pack_full_of_unknown_facts_suggests_rules(self, project: Path) -> None:
        result = hunch("evaluate", "bird.yaml")
        assert result.exit_code == 2
        assert "bird.yaml:1:1: unknown fact 'has_feathers' (most of its facts are not in pack " \
               "interview-silence: is it for another pack? name it with --rules PACK, or " \
               "'_pack: PACK' in the situation)" in result.stderr
        (project / "cases" / "typo.yaml").write_text("days_since_interveiw: 3\n")
        typo = hunch("evaluate", "typo.yaml")  # one typo is a typo, not another pack
        assert "did you mean 'days_since_interview'" in typo.stderr and "--rules" not in \
            typo.stderr


class TestBatch:
    """In a batch each situation that names a pack is evaluated with it; --rules wins."""

    def test_mixed_packs_in_one_batch(self, project: Path) -> None:
        (project / "hunch.toml").write_text("")  # a project: _pack may name its folders
        cases = project / "cases"
        (cases / "bird.yaml").write_text("_pack: ../zoo\n" + BIRD)
        (cases / "days.yaml").write_text("days_since_interview: 3\n")
        (cases / "lost.yaml").write_text("_pack: ../nowhere\n")
        result = hunch("evaluate", "--format", "jsonl", ".")
        assert result.exit_code == 2  # one bad item
        rows = [json.loads(line) for line in result.stdout.splitlines()]
        assert [(r["situation"], r.get("pack")) for r in rows] == [
            ("./bird.yaml", "animals"), ("./days.yaml", "interview-silence"),
            ("./lost.yaml", None)]
        assert "_pack: no such rule pack '../nowhere'" in rows[2]["error"]
        forced = hunch("evaluate", "--format", "jsonl", "--rules", ANIMALS, ".")
        assert [json.loads(line).get("pack") for line in forced.stdout.splitlines()] == \
            ["animals", None, "animals"]  # --rules wins: _pack is not even looked up

    def test_json_lines_name_packs_too(self, project: Path) -> None:
        (project / "hunch.toml").write_text("")  # a project: _pack may name its folders
        lines = (json.dumps({"_pack": str(project / "zoo"), "has_feathers": True}) + "\n"
                 + json.dumps({"days_since_interview": 3}) + "\n")
        result = hunch("evaluate", "--format", "jsonl", "-", stdin=lines)
        assert result.exit_code == 0, result.output
        assert [json.loads(line)["pack"] for line in result.stdout.splitlines()] == \
            ["animals", "interview-silence"]
