"""The CLI through click's CliRunner: golden outputs for every shipped example.

Regenerate the golden files after an intended change with
``HUNCH_UPDATE_GOLDEN=1 python -m pytest tests/test_cli.py`` and review the diff.
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from hunch.cli.app import COMMANDS, cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "tests", "golden")
UPDATE = os.environ.get("HUNCH_UPDATE_GOLDEN") == "1"


def _examples() -> list[tuple[str, str | None]]:
    """(example path relative to the repo, pack) — examples/<pack>/ use that pack."""
    found: list[tuple[str, str | None]] = [(os.path.relpath(p, ROOT), None)
             for p in sorted(glob.glob(os.path.join(ROOT, "examples", "*.yaml")))]
    for folder in sorted(glob.glob(os.path.join(ROOT, "examples", "*", ""))):
        pack = os.path.basename(os.path.dirname(folder))
        found += [(os.path.relpath(p, ROOT), pack)
                  for p in sorted(glob.glob(os.path.join(folder, "*.yaml")))]
    return found


EXAMPLES = _examples()
FORMATS = {"table": "txt", "json": "json", "markdown": "md"}


def _invoke(args: list[str]) -> tuple[int, str, str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout, result.stderr


def _golden_path(example: str, ext: str) -> str:
    name = example.removeprefix("examples" + os.sep).replace(os.sep, "__")
    return os.path.join(GOLDEN, name.removesuffix(".yaml") + "." + ext)


class TestEvaluateGolden:
    """`hunch evaluate` prints exactly the reviewed output for each example."""

    def test_there_are_examples(self) -> None:
        assert len([e for e in EXAMPLES if e[1] is None]) >= 6

    @pytest.mark.parametrize("fmt", sorted(FORMATS))
    @pytest.mark.parametrize("example,pack", EXAMPLES,
                             ids=[e[0] for e in EXAMPLES])
    def test_output_matches_golden(self, example: str, pack: str | None, fmt: str) -> None:
        args = ["evaluate", example, "--format", fmt] + (["--rules", pack] if pack else [])
        code, out, err = _invoke(args)
        assert (code, err) == (0, "")
        path = _golden_path(example, FORMATS[fmt])
        if UPDATE:
            os.makedirs(GOLDEN, exist_ok=True)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(out)
        with open(path, encoding="utf-8") as handle:
            assert out == handle.read()

    def test_json_keys_follow_the_contract(self) -> None:
        code, out, _ = _invoke(["evaluate", "examples/asker.yaml", "--format", "json"])
        assert code == 0
        data = json.loads(out)
        assert {"situation", "pack", "hypotheses", "actions", "recommendation"} <= set(data)
        for item in data["hypotheses"] + data["actions"]:
            assert {"id", "title", "certainty", "rank", "sources", "support"} <= set(item)
            for source in item["sources"]:
                assert {"id", "author", "quote", "best_answer"} <= set(source)
            for support in item["support"]:
                assert {"rule", "contribution", "matched"} <= set(support)
        assert data["recommendation"]["id"] == data["actions"][0]["id"]
        assert [h["rank"] for h in data["hypotheses"]] == list(
            range(1, len(data["hypotheses"]) + 1))

    def test_several_situations_give_a_list_in_order(self) -> None:
        code, out, _ = _invoke(["evaluate", "examples/few-days.yaml", "examples/asker.yaml",
                                "--format", "json"])
        assert code == 0
        assert [d["situation"] for d in json.loads(out)] == ["examples/few-days.yaml",
                                                             "examples/asker.yaml"]


    @pytest.mark.parametrize("example,pack", [e for e in EXAMPLES if e[1]])
    def test_an_example_names_its_own_pack(self, example: str, pack: str) -> None:
        # examples/<pack>/ situations say `_pack: <pack>`: no --rules needed
        code, out, err = _invoke(["evaluate", example])
        assert code == 0, err
        with open(_golden_path(example, "txt"), encoding="utf-8") as handle:
            assert out == handle.read()

class TestHelp:
    """Every command has help text with an example, like sqlite-utils checks."""

    @pytest.mark.parametrize("command", sorted(COMMANDS))
    def test_command_help_has_an_example(self, command: str) -> None:
        code, out, _ = _invoke([command, "--help"])
        assert code == 0
        assert "Example" in out
        assert f"hunch {command}" in out

    @pytest.mark.parametrize("command", sorted(COMMANDS))
    def test_every_option_is_documented(self, command: str) -> None:
        # the help is the summary; README.md or docs/ say what each option does
        docs = "\n".join(path.read_text(encoding="utf-8") for path in
                         [Path(ROOT, "README.md"), *sorted(Path(ROOT, "docs").glob("*.md"))])
        ctx = click.Context(cli)
        found = cli.get_command(ctx, command)
        assert found is not None
        options = [name for param in found.params if isinstance(param, click.Option)
                   for name in param.opts if name.startswith("--") and name != "--help"]
        assert [name for name in options if name not in docs] == []

    def test_top_level_help_lists_every_command(self) -> None:
        code, out, _ = _invoke(["--help"])
        assert code == 0
        for command in COMMANDS:
            assert f"  {command}" in out

    def test_python_dash_m(self) -> None:
        proc = subprocess.run([sys.executable, "-m", "hunch", "--help"], capture_output=True,
                              text=True, check=False, cwd=ROOT)
        assert proc.returncode == 0
        assert proc.stdout.startswith("Usage: hunch")


_GC_PROBE = """
import gc, sys
BASE = gc.get_freeze_count()  # 3.12 starts with some objects frozen already
import hunch.cli.batch, hunch.cli.common
seen = []
write_batch, load = hunch.cli.batch.write_batch, hunch.cli.common.load_pack_or_fail
def probe(name, f):
    def run(*args, **kwargs):
        seen.append(f"{name}: {gc.isenabled()} frozen={gc.get_freeze_count() > BASE}")
        return f(*args, **kwargs)
    return run
hunch.cli.batch.write_batch = probe("evaluate", write_batch)
hunch.cli.common.load_pack_or_fail = probe("load", load)
sys.argv = ["hunch"] + sys.argv[1:]
try:
    from hunch.cli.console import main
    main()
except SystemExit:
    pass
print(gc.isenabled(), *seen, sep="\\n", file=sys.stderr)
"""


class TestConsoleCollector:
    """The console script pauses the cyclic GC for start-up; every command resumes it
    before its real work (evaluate: once its pack is loaded and frozen)."""

    def _run(self, *args: str) -> list[str]:
        proc = subprocess.run([sys.executable, "-c", _GC_PROBE, *args], capture_output=True,
                              text=True, check=False, cwd=ROOT)
        return proc.stderr.strip().splitlines()

    def test_evaluate(self) -> None:
        lines = self._run("evaluate", "examples/asker.yaml")
        assert lines == ["True", "load: False frozen=False", "evaluate: True frozen=True"]

    def test_other_commands(self) -> None:
        lines = self._run("explain", "examples/asker.yaml", "let-it-go")
        assert lines == ["True", "load: True frozen=False"]
