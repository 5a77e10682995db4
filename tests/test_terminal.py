"""Output fits the terminal; the progress bar shows only where it helps.

Widths: COLUMNS, or the terminal's own size, narrows the text; files and pipes keep
the fixed widths, so golden outputs stay byte-identical. The terminal cases run hunch
in a real pseudo-terminal (pexpect), the rest through CliRunner.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pexpect
import pytest
from click.testing import CliRunner, Result

from hunch.cli.app import cli
from hunch.cli.batch import Eta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ASKER = os.path.join(ROOT, "examples", "asker.yaml")
EXAMPLES = os.path.join(ROOT, "examples")


def run(*args: str, columns: int | None = None) -> Result:
    env = {"COLUMNS": str(columns)} if columns else {}
    return CliRunner().invoke(cli, list(args), env=env)


def _widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


COMMANDS = [
    ["evaluate", ASKER],
    ["evaluate", ASKER, "--explain=full"],
    ["explain", ASKER, "decided-against-you"],
    ["explain", ASKER, "call-once-with-deadline"],
    ["what-if", ASKER, "--flip"],
    ["what-if", ASKER, "--set", "needs_answer_by_days=5"],
]


class TestWidth:
    @pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
    def test_80_columns(self, args: list[str]) -> None:
        wide = run(*args)
        narrow = run(*args, columns=80)
        assert wide.exit_code == narrow.exit_code == 0
        assert _widest(narrow.stdout) <= 79
        # the same words, only wrapped differently
        assert narrow.stdout.split() == wide.stdout.split() or _widest(wide.stdout) > 79

    def test_tables_fit_60_columns(self) -> None:
        result = run("evaluate", ASKER, columns=60)
        assert result.exit_code == 0
        assert _widest(result.stdout) <= 59

    def test_without_a_terminal_the_widths_are_fixed(self) -> None:
        assert _widest(run("evaluate", ASKER).stdout) == 100  # the README's table

    def test_a_file_gets_the_fixed_widths_even_on_a_narrow_terminal(self, tmp_path: Path) -> None:
        for args in (["evaluate", ASKER], ["explain", ASKER, "let-it-go"],
                     ["what-if", ASKER, "--flip"]):
            out = tmp_path / "out.txt"
            assert run(*args, "-o", str(out), columns=60).exit_code == 0
            assert out.read_text(encoding="utf-8") == run(*args).stdout

    def test_the_terminals_own_width(self) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        child = pexpect.spawn(sys.executable, ["-m", "hunch", "evaluate", ASKER], env=env,
                              dimensions=(40, 72), encoding="utf-8", timeout=60)
        text = child.read()
        child.close()
        assert child.exitstatus == 0
        lines = text.replace("\r", "").splitlines()
        assert "Hypotheses (most likely first)" in lines
        assert max(len(line) for line in lines) <= 71


def _in_a_terminal(command: str, tmp_path: Path) -> str:
    """Run a shell command with stdin, stdout and stderr on a pseudo-terminal."""
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    child = pexpect.spawn("/bin/sh", ["-c", command], cwd=str(tmp_path), env=env,
                          dimensions=(24, 100), encoding="utf-8", timeout=120)
    text = child.read()
    child.close()
    assert child.exitstatus == 0, text
    return str(text)


HUNCH = f"{sys.executable} -m hunch evaluate --format jsonl {EXAMPLES}"


class TestProgressBar:
    def test_shown_when_the_results_go_to_a_file(self, tmp_path: Path) -> None:
        assert "evaluating" in _in_a_terminal(f"{HUNCH} -o out.jsonl", tmp_path)
        assert "evaluating" in _in_a_terminal(f"{HUNCH} > out.jsonl", tmp_path)
        assert "evaluating" not in (tmp_path / "out.jsonl").read_text(encoding="utf-8")

    def test_not_drawn_through_results_on_the_same_terminal(self, tmp_path: Path) -> None:
        text = _in_a_terminal(HUNCH, tmp_path)
        assert "evaluating" not in text
        # one result line for each situation in the examples folder
        assert text.count('"situation"') == len(list(Path(ROOT, "examples").glob("*.yaml")))

    def test_progress_and_no_progress_decide(self, tmp_path: Path) -> None:
        assert "evaluating" in _in_a_terminal(f"{HUNCH} --progress", tmp_path)
        assert "evaluating" not in _in_a_terminal(f"{HUNCH} --no-progress -o out.jsonl",
                                                  tmp_path)

    def test_not_shown_when_stderr_is_not_a_terminal(self, tmp_path: Path) -> None:
        assert "evaluating" not in _in_a_terminal(f"{HUNCH} -o out.jsonl 2>/dev/null",
                                                  tmp_path)


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class TestEta:
    def test_start_up_does_not_count(self) -> None:
        # --jobs 2: nothing for 5 s (workers loading the pack), then chunks of 64,
        # two at a time, one pair a second: 640 situations take 5 s more
        clock = _Clock()
        eta = Eta(640, clock)
        shown = []
        for second in range(5):
            clock.now = 5.0 + second
            for _ in range(128):
                shown.append(eta(object()))
                clock.now += 0.0001
        assert shown[127] is None  # one burst: no rate yet
        assert shown[255] == "eta 3s"  # 384 left at 128 a second
        assert shown[-129] == "eta 1s"

    def test_unknown_total(self) -> None:
        eta = Eta(None, _Clock())
        assert [eta(object()) for _ in range(3)] == [None, None, None]


def test_eta_never_hours_for_a_short_run() -> None:
    clock = _Clock()
    eta = Eta(2000, clock)
    clock.now = 8.0  # a slow start
    texts = []
    for i in range(2000):
        clock.now = 8.0 + i * 0.01
        texts.append(eta(object()))
    assert all(t is None or re.fullmatch(r"eta \d+s", t) for t in texts)
