"""The library as the README shows it: it runs, and it type-checks as written."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import hunch
from hunch.cli.app import cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _snippet() -> str:
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        blocks = re.findall(r"```python\n(.*?)```", handle.read(), re.S)
    assert len(blocks) == 1
    return str(blocks[0])


def _mypy(tmp_path: Path, code: str) -> subprocess.CompletedProcess[str]:
    mypy = shutil.which("mypy", path=os.path.dirname(sys.executable)) or shutil.which("mypy")
    if mypy is None:
        pytest.fail("mypy is not installed: pip install -e '.[test]'")
    (tmp_path / "snippet.py").write_text(code, encoding="utf-8")
    # run where no config file is, so only --strict applies; the repository's cache
    # (warm from test_repo's mypy run) keeps it quick
    return subprocess.run([mypy, "--strict", "--python-version", "3.11",
                           "--cache-dir", os.path.join(ROOT, ".mypy_cache"), "snippet.py"],
                          cwd=tmp_path, capture_output=True, text=True, check=False,
                          env={**os.environ, "MYPYPATH": ROOT})


class TestReadmeSnippet:
    def test_it_runs_and_prints_what_its_comments_say(
            self, capsys: pytest.CaptureFixture[str]) -> None:
        exec(compile(_snippet(), "README.md", "exec"), {})
        lines = capsys.readouterr().out.splitlines()
        assert lines[0] == "wait-until-end-of-week"
        assert lines[-1] == "wait-until-end-of-week"

    def test_it_passes_mypy_strict(self, tmp_path: Path) -> None:
        proc = _mypy(tmp_path, _snippet())
        assert proc.returncode == 0, proc.stdout + proc.stderr

    def test_a_name_hunch_does_not_have_is_a_type_error(self, tmp_path: Path) -> None:
        proc = _mypy(tmp_path, "import hunch\n\nhunch.not_there\n")
        assert proc.returncode == 1
        assert 'Module has no attribute "not_there"' in proc.stdout


class TestToDict:
    def test_is_the_json_that_evaluate_prints(self) -> None:
        path = os.path.join(ROOT, "examples", "asker.yaml")
        result = hunch.evaluate(None, path)
        printed = CliRunner().invoke(cli, ["evaluate", "--format", "json", path])
        assert printed.exit_code == 0
        assert json.loads(json.dumps(hunch.to_dict(result))) == json.loads(printed.stdout)

    def test_unknown_names_still_raise_attribute_error(self) -> None:
        with pytest.raises(AttributeError, match="no attribute 'not_there'"):
            getattr(hunch, "not_there")  # noqa: B009 - the attribute is the point
