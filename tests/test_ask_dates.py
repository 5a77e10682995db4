"""`hunch ask` asks for the dates a pack counts from, not the day counts (issue 24,
docs/ask.md "Dates"). Every test gives --as-of: none reaches today's date (conftest)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from hunch.cli.app import cli

AS_OF = "2026-12-07"
# enough Enters to finish any consultation of the built-in pack after the given answers
ENTERS = "\n" * 40


def ask(*args: str, stdin: str) -> Result:
    return CliRunner().invoke(cli, ["ask", "--as-of", AS_OF, *args], input=stdin)


def questions(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("Question ")]


def test_the_interview_is_asked_as_a_date() -> None:
    result = ask(stdin="2026-11-14\n" + ENTERS)
    assert result.exit_code == 0, result.output
    first = questions(result.output)[0]
    assert "On what date was the interview?" in first
    assert "How many days ago was the interview" not in result.output
    assert ("(a date YYYY-MM-DD or 'today', or the days as a whole number; counted to "
            f"{AS_OF}; required)") in " ".join(result.output.split())


@pytest.mark.parametrize(("typed", "says"), [
    ("23 Nov", "must be a date written YYYY-MM-DD, got '23 Nov': type a date like "
               "2026-12-07, 'today' or '?'"),
    ("2026-02-30", "'2026-02-30' is not a date on the calendar: type a date like"),
    ("2026-12-08", "interview_date: 2026-12-08 is after the as-of date 2026-12-07, and it "
                   "must have happened by then; fix the date, or give a later --as-of"),
])
def test_a_bad_date_is_asked_again_with_one_line(typed: str, says: str) -> None:
    result = ask(stdin=f"{typed}\n2026-11-14\n" + ENTERS)
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert says in flat
    assert flat.count("On what date was the interview?") == 1  # the same question, again
    assert "Traceback" not in result.output


def test_unknown_is_refused_for_the_required_date() -> None:
    result = ask(stdin="?\n2026-11-14\n" + ENTERS)
    assert result.exit_code == 0, result.output
    assert "required" in result.output.split("> ")[1]
    assert "interview_date: 2026-11-14" not in result.output  # nothing saved, just asked


def test_today_is_the_as_of_date(tmp_path: Path) -> None:
    save = tmp_path / "mine.yaml"
    result = ask("--save", str(save), stdin="today\n" + ENTERS)
    assert result.exit_code == 0, result.output
    assert "interview_date: 2026-12-07\n" in save.read_text()
    assert "days_since_interview" not in save.read_text()


def test_a_date_before_the_interview_is_refused() -> None:
    # the deadline is asked before the promised date: answer it unknown, then a promise
    # dated before the interview
    result = ask("--rules", "interview-silence", stdin="2026-11-14\n" + ENTERS)
    order = [q.split(": ", 1)[1] for q in questions(result.output)]
    promised = next(i for i, q in enumerate(order) if q.startswith("By what date did they"))
    answers = ["2026-11-14"] + [""] * (promised - 1) + ["2026-11-10", "2026-11-21"]
    result = ask(stdin="\n".join(answers) + "\n" + ENTERS)
    flat = " ".join(result.output.split())
    assert ("promised_decision_date: 2026-11-10 is before interview_date 2026-11-14; it "
            "cannot come before interview_date") in flat


def test_a_count_is_still_accepted_at_a_date_question(tmp_path: Path) -> None:
    save = tmp_path / "mine.yaml"
    result = CliRunner().invoke(cli, ["ask", "--save", str(save)], input="23\n" + ENTERS)
    assert result.exit_code == 0, result.output  # and no clock read (conftest)
    assert "days_since_interview: 23\n" in save.read_text()
    assert "interview_date" not in save.read_text()


def test_back_takes_back_a_date(tmp_path: Path) -> None:
    save = tmp_path / "mine.yaml"
    result = ask("--save", str(save), stdin="2026-11-01\nback\n2026-11-14\n" + ENTERS)
    assert result.exit_code == 0, result.output
    assert "interview_date: 2026-11-14\n" in save.read_text()
    assert "2026-11-01" not in save.read_text()


def test_save_writes_the_dates_and_the_as_of_date(tmp_path: Path) -> None:
    save = tmp_path / "mine.yaml"
    result = ask("--save", str(save), stdin="2026-11-14\n" + ENTERS)
    assert result.exit_code == 0, result.output
    text = save.read_text()
    assert f"_as_of: {AS_OF}\n" in text
    assert "# On what date was the interview?\ninterview_date: 2026-11-14\n" in text
    assert "days_since_interview" not in text


def test_the_saved_dates_give_the_same_advice(tmp_path: Path) -> None:
    """evaluate of the saved file (dates and _as_of) gives what the consultation gave,
    and what the same answers as day counts give."""
    save = tmp_path / "mine.yaml"
    result = ask("--save", str(save),
                 stdin="2026-11-14\n\n\n\n2026-11-21\n2\n" + ENTERS)
    assert result.exit_code == 0, result.output
    assert "promised_decision_date: 2026-11-21\n" in save.read_text()
    table = CliRunner().invoke(cli, ["evaluate", str(save)])
    assert table.exit_code == 0, table.output
    # the consultation prints evaluate's table for its answers: the same ranking and advice
    # (up to evaluate's "What happens next": a consultation has numbers, not dates)
    evaluated = _advice(table.output).split("What happens next")[0]
    assert "Recommended" in evaluated and "Hypotheses" in evaluated
    assert _advice(result.output).startswith(evaluated)
    saved = json.loads(CliRunner().invoke(cli, ["evaluate", str(save), "--format", "json"])
                       .output)
    assert saved["as_of"] == AS_OF
    counts = save.read_text().replace("_as_of: 2026-12-07\n", "").replace(
        "interview_date: 2026-11-14", "days_since_interview: 23").replace(
        "promised_decision_date: 2026-11-21", "promised_decision_days: 7")
    (tmp_path / "counts.yaml").write_text(counts)
    as_counts = json.loads(CliRunner().invoke(
        cli, ["evaluate", str(tmp_path / "counts.yaml"), "--format", "json"]).output)
    assert saved["recommendation"]["id"] == as_counts["recommendation"]["id"]
    assert [h["id"] for h in saved["hypotheses"]] == [h["id"] for h in as_counts["hypotheses"]]


def _advice(table: str) -> str:
    """A table from its situation line on, without the as-of line."""
    text = table.split("\nsituation: ", 1)[1].split("\n", 1)[1]
    text = "\n".join(line for line in text.splitlines() if not line.startswith("as of:"))
    return text


def test_without_as_of_the_dates_count_to_today_and_no_as_of_is_saved(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # "today" is fixed here: the saved file then counts to whatever day it is evaluated
    monkeypatch.setattr("hunch.pack.dates.today", lambda: date(2026, 12, 7))
    save = tmp_path / "mine.yaml"
    result = CliRunner().invoke(cli, ["ask", "--save", str(save)],
                                input="2026-11-14\n" + ENTERS)
    assert result.exit_code == 0, result.output
    assert "counted to" not in result.output  # no as-of date to show before a date is typed
    assert "\n_as_of:" not in save.read_text()
    assert "interview_date: 2026-11-14\n" in save.read_text()
