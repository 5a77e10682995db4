"""`-` reads standard input: JSON Lines, or one YAML or JSON situation (evaluate);
one situation (explain, what-if)."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from click.testing import CliRunner, Result

from hunch.cli.app import cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ASKER = os.path.join(ROOT, "examples", "asker.yaml")


def run(*args: str, stdin: bytes | str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin)


def _asker() -> str:
    with open(ASKER, encoding="utf-8") as handle:
        return handle.read()


def _without_label(data: Any) -> Any:
    data.pop("situation")
    return data


def _file_json() -> Any:
    result = run("evaluate", "--format", "json", ASKER)
    assert result.exit_code == 0
    return _without_label(json.loads(result.stdout))


class TestEvaluate:
    def test_one_yaml_situation_is_a_single_result(self) -> None:
        result = run("evaluate", "--format", "json", "-", stdin=_asker())
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["situation"] == "<stdin>"  # one object, not a list of one
        assert _without_label(data) == _file_json()

    def test_pretty_printed_json_is_one_situation(self) -> None:
        import yaml

        facts = yaml.safe_load(_asker())
        result = run("evaluate", "--format", "json", "-", stdin=json.dumps(facts, indent=2))
        assert result.exit_code == 0, result.output
        assert _without_label(json.loads(result.stdout)) == _file_json()

    def test_a_json_object_on_its_first_line_means_json_lines(self) -> None:
        stdin = '\n{"days_since_interview": 3}\n\n{"days_since_interview": 30}\n'
        result = run("evaluate", "--format", "jsonl", "-", stdin=stdin)
        assert result.exit_code == 0, result.output
        labels = [json.loads(line)["situation"] for line in result.stdout.splitlines()]
        assert labels == ["<stdin>:2", "<stdin>:4"]

    def test_table_of_a_yaml_situation_is_the_files(self) -> None:
        from_file = run("evaluate", ASKER).stdout
        from_stdin = run("evaluate", "-", stdin=_asker()).stdout
        assert from_stdin == from_file.replace(f"situation: {ASKER}", "situation: <stdin>")

    def test_errors_point_into_stdin(self) -> None:
        result = run("evaluate", "-", stdin="days_since_interview: 3\ninternal_candidate: 2\n")
        assert result.exit_code == 2
        assert result.stderr.startswith("<stdin>:2:21: internal_candidate: must be true or "
                                        "false, got 2")
        result = run("evaluate", "-", stdin="a: [\n")
        assert result.exit_code == 2
        assert result.stderr.startswith("<stdin>:2:1: invalid YAML")

    def test_a_document_over_the_limit_is_refused(self) -> None:
        result = run("evaluate", "--max-bytes", "100", "-", stdin="days_since_interview: 3\n" * 9)
        assert result.exit_code == 2
        assert "<stdin>: input is over the 100-byte limit (raise it with --max-bytes)" in \
            result.stderr


@pytest.mark.parametrize("args", [
    ["explain", "{}", "decided-against-you"],
    ["explain", "--format", "json", "{}", "let-it-go"],
    ["what-if", "{}", "--flip"],
    ["what-if", "{}", "--set", "needs_answer_by_days=5", "--format", "json"],
])
def test_explain_and_what_if_read_a_situation_from_stdin(args: list[str]) -> None:
    from_file = run(*[ASKER if a == "{}" else a for a in args])
    from_stdin = run(*["-" if a == "{}" else a for a in args], stdin=_asker())
    assert from_file.exit_code == from_stdin.exit_code == 0, from_stdin.output
    assert from_stdin.stdout == from_file.stdout.replace(ASKER, "<stdin>")


def test_explain_reports_a_bad_stdin_situation_at_its_line() -> None:
    result = run("explain", "-", "let-it-go", stdin="days_since_interview: x\n")
    assert result.exit_code == 2
    assert result.stderr.startswith("<stdin>:1:23: days_since_interview: must be a whole number")


def test_a_terminal_on_stdin_is_told_how_to_end(tmp_path: Any) -> None:
    import sys

    import pexpect

    child = pexpect.spawn(sys.executable, ["-m", "hunch", "explain", "-", "let-it-go"],
                          encoding="utf-8", timeout=60, cwd=str(tmp_path))
    child.expect("end it with Ctrl-D")
    child.send("days_since_interview: 23\r")
    child.sendeof()
    child.expect("let-it-go: Let it go")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
