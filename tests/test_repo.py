"""The repository keeps its promises: README commands, README output, lint and types."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from hunch.cli import cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _read(path: str) -> str:
    with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
        return handle.read()


class TestReadme:
    """The README's Quick start and sample output are the real thing."""

    def test_ci_runs_exactly_the_readme_test_command(self) -> None:
        commands = re.findall(r"```sh\n(.+)\n```", _read("README.md"))
        assert len(commands) == 2
        assert commands[1] == _read(".ci/run").strip().splitlines()[-1]
        assert "hunch evaluate examples/asker.yaml" in commands[0]

    def test_readme_shows_the_real_output_for_the_asker(self) -> None:
        old = os.getcwd()
        os.chdir(ROOT)
        try:
            result = CliRunner().invoke(cli, ["evaluate", "examples/asker.yaml"])
        finally:
            os.chdir(old)
        assert result.exit_code == 0
        assert result.stdout.rstrip() in _read("README.md")


def _tool(name: str) -> str:
    found = shutil.which(name, path=os.path.dirname(sys.executable)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


class TestQuality:
    """ruff and mypy (configured in pyproject.toml) are clean."""

    def test_ruff(self) -> None:
        proc = subprocess.run([_tool("ruff"), "check", "hunch", "tests", "benchmarks"],
                              cwd=ROOT, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr

    def test_mypy(self) -> None:
        proc = subprocess.run([_tool("mypy")], cwd=ROOT, capture_output=True, text=True,
                              check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr


class TestAuthoringDoc:
    """docs/authoring.md's worked example is exactly what `hunch init` writes."""

    def test_worked_example_matches_the_scaffold(self, tmp_path: Path) -> None:
        doc = _read("docs/authoring.md")
        blocks = dict(re.findall(r"### `([^`]+)`\n\n```(?:yaml|text)\n(.*?)\n```", doc, re.S))
        old = os.getcwd()
        os.chdir(tmp_path)
        try:
            result = CliRunner().invoke(cli, ["init", "houseplant"])
            assert result.exit_code == 0
            written = {}
            for folder, _, files in os.walk("houseplant"):
                for name in files:
                    path = os.path.join(folder, name)
                    with open(path, encoding="utf-8") as handle:
                        written[os.path.relpath(path, "houseplant")] = handle.read().rstrip()
            shown = CliRunner().invoke(cli, ["evaluate", "--rules", "houseplant",
                                             "houseplant/example.yaml"])
        finally:
            os.chdir(old)
        assert written == {name: text for name, text in blocks.items() if name in written}
        assert set(written) <= set(blocks)
        assert shown.stdout.rstrip() in doc
