"""Test-wide settings."""

from __future__ import annotations

import os
import tempfile

import pytest

# Tests never read or write the user's pack cache (~/.cache/hunch): one cache
# folder per test session, so every session starts cold.
os.environ.setdefault("HUNCH_CACHE_DIR", tempfile.mkdtemp(prefix="hunch-test-cache-"))

# Output widths follow COLUMNS when it is set (hunch.output.width): a developer's
# exported COLUMNS must not change golden outputs. Tests that want it set it themselves.
os.environ.pop("COLUMNS", None)


@pytest.fixture(autouse=True)
def _no_real_date(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may depend on today's date (docs/time.md): reaching it fails the test."""
    def refuse() -> None:
        raise AssertionError("a test reached today's date: give an as-of date")

    monkeypatch.setattr("hunch.pack.dates.today", refuse)
