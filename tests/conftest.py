"""Test-wide settings."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

# Tests never read or write the user's pack cache (~/.cache/hunch): one cache
# folder per test session, so every session starts cold.
os.environ.setdefault("HUNCH_CACHE_DIR", tempfile.mkdtemp(prefix="hunch-test-cache-"))

# Output widths follow COLUMNS when it is set (hunch.output.width): a developer's
# exported COLUMNS must not change golden outputs. Tests that want it set it themselves.
os.environ.pop("COLUMNS", None)


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def runner() -> CliRunner:
    """click's test runner: standard output and standard error kept apart."""
    return CliRunner()


@pytest.fixture
def cli(runner: CliRunner) -> Callable[..., Result]:
    """`hunch ARGS...` run in this process through click's runner."""
    from hunch.cli.app import cli as group

    def invoke(*args: str, stdin: str | bytes | None = None) -> Result:
        return runner.invoke(group, list(args), input=stdin)

    return invoke


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working folder is the repository's root (README commands name examples/)."""
    monkeypatch.chdir(ROOT)
    return ROOT


@pytest.fixture(autouse=True)
def _no_real_date(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may depend on today's date (docs/time.md): reaching it fails the test."""
    def refuse() -> None:
        raise AssertionError("a test reached today's date: give an as-of date")

    monkeypatch.setattr("hunch.pack.dates.today", refuse)
