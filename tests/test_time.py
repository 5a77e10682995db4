"""Dates in, a plan out, the message to send (docs/time.md, issue 24).

Every evaluation here passes an as-of date: tests/conftest.py makes reaching today's
date fail (hunch.pack.dates.today), so no test depends on the real date.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hunch.cli.app import cli
from hunch.engine.evaluate import evaluate, load_situation
from hunch.engine.load import load_pack
from hunch.errors import HunchError
from hunch.explain.plan import day_by_day, plan
from hunch.pack.read import BUILTIN_PACK_DIR

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AS_OF = "2026-12-07"


def _run(*args: str) -> tuple[int, str, str]:
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(cli, list(args))
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def _situation(tmp_path: Path, text: str) -> str:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return str(path)


def _json(*args: str) -> Any:
    code, out, err = _run(*args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


class TestDateType:
    """Dates are checked like any fact: one located line, exit status 2."""

    @pytest.mark.parametrize(("text", "message"), [
        ("interview_date: 14 November\n", "interview_date: must be a date written YYYY-MM-DD"),
        ("interview_date: 2026-02-30\n", "is not a date on the calendar"),
        ("interview_date: 2026-12-10\n", "is after the as-of date 2026-12-07"),
        ("interview_date: 2026-11-14\nfollow_ups:\n  - {date: 2026-11-10, kind: email}\n",
         "follow_ups[1].date: 2026-11-10 is before interview_date 2026-11-14"),
        ("interview_date: 2026-11-14\nfollow_ups:\n  - {date: 2026-11-20, kind: fax}\n",
         "follow_ups[1].kind: 'fax' is not allowed"),
        ("interview_date: 2026-11-14\nfollow_ups:\n  - {kind: call}\n",
         "follow_ups[1]: the field 'date' is missing"),
        ("_as_of: tomorrow\ndays_since_interview: 3\n", "_as_of: must be a date"),
        ("interview_date: 2026-11-14\nneeds_answer_by_date: 2026-12-01\n",
         "needs_answer_by_date has passed"),
    ])
    def test_bad_dates_are_one_located_line(self, tmp_path: Path, text: str,
                                            message: str) -> None:
        code, _out, err = _run("evaluate", _situation(tmp_path, text), "--as-of", AS_OF)
        assert code == 2
        assert message in err
        assert err.count("\n") == 1 and "Traceback" not in err
        assert err.startswith(str(tmp_path / "s.yaml") + ":")

    def test_the_line_and_column_of_the_bad_date(self, tmp_path: Path) -> None:
        path = _situation(tmp_path, "company_size: large\ninterview_date: 2026-13-01\n")
        code, _, err = _run("evaluate", path, "--as-of", AS_OF)
        assert code == 2 and err.startswith(f"{path}:2:17: interview_date:")

    def test_a_malformed_as_of_option(self) -> None:
        code, _, err = _run("evaluate", "examples/asker-dates.yaml", "--as-of", "7/12/2026")
        assert code == 2 and "is not a date written YYYY-MM-DD" in err


class TestAsOf:
    """The as-of date: --as-of, else _as_of, else today; every output says which."""

    def test_the_option_wins_over_the_file(self) -> None:
        data = _json("evaluate", "examples/asker-dates.yaml", "--as-of", "2026-12-20")
        assert data["as_of"] == "2026-12-20"
        assert data["derived"] is not None

    def test_the_file_s_own_date(self) -> None:
        assert _json("evaluate", "examples/asker-dates.yaml")["as_of"] == AS_OF

    def test_table_and_markdown_say_it(self) -> None:
        _, table, _ = _run("evaluate", "examples/asker-dates.yaml")
        assert "as of: 2026-12-07" in table.splitlines()[2]
        _, md, _ = _run("evaluate", "examples/asker-dates.yaml", "--format", "markdown")
        assert "(as of: 2026-12-07)" in md

    def test_today_when_nothing_says(self, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr("hunch.pack.dates.today", lambda: date(2026, 12, 1))
        data = _json("evaluate", _situation(tmp_path, "interview_date: 2026-11-14\n"))
        assert data["as_of"] == "2026-12-01"
        assert data["derived"] is not None

    def test_a_situation_without_dates_needs_no_date(self) -> None:
        data = _json("evaluate", "examples/asker.yaml")
        assert "as_of" not in data and "next" not in data

    def test_the_library_api(self) -> None:
        result = evaluate("interview-silence", {"interview_date": "2026-11-14"},
                          as_of=date(2026, 12, 7))
        assert result.situation.values["days_since_interview"] == 23
        assert result.situation.as_of == date(2026, 12, 7)

    @pytest.mark.parametrize("command", [("explain", "wait-until-end-of-week"),
                                         ("what-if", "--flip")])
    def test_other_commands_take_it(self, command: tuple[str, ...]) -> None:
        code, _out, err = _run(command[0], "examples/asker-dates.yaml", *command[1:],
                              "--as-of", "2026-11-20")
        assert code == 0, err


class TestWhatIfOnADate:
    """what-if --set on a date changes the numbers it gives."""

    def test_a_later_interview(self) -> None:
        code, out, err = _run("what-if", "examples/asker-dates.yaml",
                              "--set", "interview_date=2026-11-20",
                              "--set", "promised_decision_date=2026-12-10")
        assert code == 0, err
        assert out.startswith("What if days_since_interview = 17 (was 23), "
                              "promised_decision_days = 20 (was 7)")

    @pytest.mark.parametrize(("item", "message"), [
        ("interview_date=2026-12-28", "is after the as-of date 2026-12-07"),
        ("interview_date=soon", "interview_date=soon: give a date written YYYY-MM-DD"),
        ("interview_date+=2026-11-02", "interview_date+=2026-11-02: only a log takes +="),
    ])
    def test_bad_dates(self, item: str, message: str) -> None:
        code, _, err = _run("what-if", "examples/asker-dates.yaml", "--set", item)
        assert code == 2 and message in err and "Traceback" not in err


class TestWhatIfOnALog:
    """what-if --set on a log: the whole log as YAML, or entries added with +=."""

    def test_the_whole_log(self) -> None:
        code, out, err = _run("what-if", "examples/asker-dates.yaml",
                              "--set", "follow_ups=[{date: 2026-11-22, kind: call}]")
        assert code == 0, err
        assert out.startswith("What if unreturned_calls = 1 (was 0), unanswered_emails = 0 "
                              "(was 1), missed_callbacks = 0 (was 2), "
                              "days_since_last_contact = 15 (was 12)")

    def test_an_entry_added(self) -> None:
        data = _json("what-if", "examples/asker-dates.yaml",
                     "--set", "follow_ups+={date: 2026-12-05, kind: email}")
        assert data["set"] == {"unanswered_emails": 2, "days_since_last_contact": 2}
        # a follow-up two days ago deserves its answer: not "let it go" yet
        assert data["after"]["recommendation"]["id"] == "wait-until-end-of-week"

    def test_the_same_entry_added_twice_is_two_entries(self) -> None:
        item = "follow_ups+={date: 2026-12-05, kind: email}"
        data = _json("what-if", "examples/asker-dates.yaml", "--set", item, "--set", item)
        assert data["set"] == {"unanswered_emails": 3, "days_since_last_contact": 2}

    def test_an_entry_added_to_no_log(self) -> None:
        code, out, err = _run("what-if", "examples/few-days-dates.yaml",
                              "--set", "follow_ups+={date: 2026-12-06, kind: call}")
        assert code == 0, err
        assert out.startswith("What if unreturned_calls = 1 (was 0, the default), "
                              "days_since_last_contact = 1 (was not given)")

    def test_an_emptied_log(self) -> None:
        code, out, _ = _run("what-if", "examples/asker-dates.yaml", "--set", "follow_ups=[]")
        assert code == 0 and "days_since_last_contact unknown (was 12)" in out

    @pytest.mark.parametrize(("item", "message"), [
        ("follow_ups=2026-12-01",
         "--set follow_ups:1:1: follow_ups: must be a list of entries, got text"),
        ("follow_ups+=[{date: 2026-12-05, kind: email}, {date: 2026-12-06, kind: fax}]",
         "--set follow_ups:1:60: follow_ups[5].kind: 'fax' is not allowed"),
        ("follow_ups+={kind: email}",
         "--set follow_ups:1:1: follow_ups[4]: the field 'date' is missing"),
        ("follow_ups+={date: 2026-12-05, kind: email",
         "--set follow_ups:2:1: invalid YAML"),
        ("follow_ups=[{date: 2026-11-02, kind: call}]",
         "follow_ups[1].date: 2026-11-02 is before interview_date 2026-11-14"),
    ])
    def test_bad_entries_are_one_located_line(self, item: str, message: str) -> None:
        code, _, err = _run("what-if", "examples/asker-dates.yaml", "--set", item)
        assert code == 2 and "Traceback" not in err
        assert message in err and len(err.strip().splitlines()) == 1


class TestComputedFacts:
    """Day counts and tallies worked out from dates and the follow-up log."""

    def test_numbers_and_where_they_came_from(self) -> None:
        pack = load_pack(None)
        sit = load_situation("examples/asker-dates.yaml", pack, as_of=date(2026, 12, 7))
        assert {k: sit.values[k] for k in sit.origins} == {
            "days_since_interview": 23, "promised_decision_days": 7, "unreturned_calls": 0,
            "unanswered_emails": 1, "missed_callbacks": 2, "days_since_last_contact": 12}
        assert sit.origins["days_since_interview"].text == \
            "23 days: since 2026-11-14 (interview_date), as of 2026-12-07"

    def test_explanations_say_where_a_number_came_from(self) -> None:
        code, out, err = _run("explain", "examples/asker-dates.yaml", "overdue")
        assert code == 0, err
        assert ("days_since_interview = 23  [23 days: since 2026-11-14 (interview_date), "
                "as of 2026-12-07; examples/asker-dates.yaml:8]") in out

    def test_ask_starts_from_the_numbers_the_dates_imply(self) -> None:
        from hunch.consult.ask import load_partial

        given = load_partial(os.path.join(ROOT, "examples/asker-dates.yaml"), load_pack(None),
                             as_of=date(2026, 12, 1))
        assert given["days_since_interview"] == 17 and given["missed_callbacks"] == 2

    def test_a_log_entry_after_the_as_of_date_has_not_happened_yet(self) -> None:
        pack = load_pack(None)
        sit = load_situation("examples/asker-dates.yaml", pack, as_of=date(2026, 11, 24))
        # the email of 25 November and the call-back due that day are still to come
        assert sit.values["unanswered_emails"] == 0
        assert sit.values["missed_callbacks"] == 1
        assert sit.values["days_since_last_contact"] == 0

    def test_a_count_given_beside_its_dates_must_agree(self, tmp_path: Path) -> None:
        path = _situation(tmp_path, "interview_date: 2026-11-14\ndays_since_interview: 20\n")
        code, _, err = _run("evaluate", path, "--as-of", AS_OF)
        assert code == 2
        assert "days_since_interview: 20 disagrees with the dates (23 days: since" in err
        agree = _situation(tmp_path, "interview_date: 2026-11-14\ndays_since_interview: 23\n")
        assert _run("evaluate", agree, "--as-of", AS_OF)[0] == 0

    @pytest.mark.parametrize("name", ["asker", "few-days", "deadline"])
    def test_date_form_and_day_count_form_give_the_same_advice(self, name: str) -> None:
        days = _json("evaluate", f"examples/{name}.yaml")
        dates = _json("evaluate", f"examples/{name}-dates.yaml", "--as-of", AS_OF)
        for key in ("hypotheses", "actions"):
            assert [(x["id"], x["certainty"]) for x in days[key]] == \
                   [(x["id"], x["certainty"]) for x in dates[key]]
        assert days["recommendation"]["id"] == dates["recommendation"]["id"]
        if name != "deadline":  # deadline.yaml leaves out the day of its one call
            assert days["derived"] == dates["derived"]

    def test_a_pack_computing_into_a_fact_that_is_not_an_integer(self, tmp_path: Path) -> None:
        pack = tmp_path / "p"
        shutil.copytree(os.path.join(BUILTIN_PACK_DIR, "interview-silence"), pack)
        facts = pack / "facts.yaml"
        facts.write_text(facts.read_text().replace(
            "    unreturned_calls: {count: follow_ups, where: {kind: call, answered: false}}",
            "    company_size: {count: follow_ups, where: {kind: call}}"))
        code, out, err = _run("check", str(pack))
        assert code == 1
        assert "computed fact 'company_size' must be an integer fact" in out + err


class TestPackFormat:
    """`hunch check` reports a bad dates: section or drafts.yaml, each at file:line:col."""

    @pytest.mark.parametrize(("old", "new", "message"), [
        ("    days_since_interview: {days_since: interview_date}",
         "    days_since_interview: {days_since: nowhere}",
         "days_since needs a date input, 'nowhere' is not one"),
        ("    days_since_interview: {days_since: interview_date}",
         "    days_since_interview: {weeks_since: interview_date}",
         "unknown key 'weeks_since' in computed fact 'days_since_interview'"),
        ("      not_before: interview_date\n      question: >-\n        By what date did",
         "      not_before: follow_ups\n      question: >-\n        By what date did",
         "not_before names 'follow_ups', which is not a date input"),
        ("      where: {callback_promised_for: {before: as_of}, called_back: false}",
         "      where: {callback_promised_for: {before: tomorrow}, called_back: false}",
         "a date condition is {before: as_of} or {after: as_of}"),
        ("    unanswered_emails: {count: follow_ups, where: {kind: email, answered: false}}",
         "    unanswered_emails: {count: follow_ups, where: {channel: email}}",
         "'follow_ups' entries have no field 'channel'"),
    ])
    def test_a_bad_dates_section(self, tmp_path: Path, old: str, new: str,
                                 message: str) -> None:
        pack = tmp_path / "p"
        shutil.copytree(os.path.join(BUILTIN_PACK_DIR, "interview-silence"), pack)
        facts = pack / "facts.yaml"
        text = facts.read_text()
        assert old in text
        facts.write_text(text.replace(old, new))
        code, out, err = _run("check", str(pack))
        assert code == 1
        assert message in out + err
        assert f"{facts}:" in out + err


def _steps(p: Any) -> list[tuple[str, str | None, tuple[Any, ...], bool]]:
    return [(s.start.isoformat(), s.recommendation, s.acts, s.after_no_answer) for s in p]


def _json_steps(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [(s["from"], s["recommendation"]) for s in data["plan"]]


class TestPlan:
    """hunch plan: the dates on which the advice changes."""

    def test_the_asker_from_20_november(self) -> None:
        code, out, err = _run("plan", "examples/asker-dates.yaml", "--as-of", "2026-11-20")
        assert code == 0, err
        assert "as of: 2026-11-20" in out
        # interview-silence v3: letting go waits until the last follow-up had time;
        # issue 24: after the follow-ups the asker logged went unanswered
        assert "if no answer by 2026-11-28: Let it go" in out
        assert "(logged: call on 2026-11-22 (answered, callback promised for 2026-11-23)" in out

    def test_the_asker_waits_then_follows_up_then_lets_go(self) -> None:
        """The issue's done-when: waiting, following up, letting go, never back; the
        coworker (a side matter) does not take the place of the job's advice."""
        data = _json("plan", "examples/asker-dates.yaml", "--as-of", "2026-11-20")
        assert _json_steps(data) == [("2026-11-20", "wait-until-end-of-week"),
                                     ("2026-11-22", "follow-up-it-never-hurts"),
                                     ("2026-11-28", "let-it-go")]
        done = data["plan"][1]["done"]
        assert [(d["date"], d["kind"], d["assumed"]) for d in done] == [
            ("2026-11-22", "call", False), ("2026-11-24", "call", False),
            ("2026-11-25", "email", False)]
        assert [s["if_no_answer"] for s in data["plan"]] == [False, False, True]

    @pytest.mark.parametrize("day", ["2026-11-20", "2026-11-21", "2026-11-23", "2026-11-26",
                                     "2026-11-27", "2026-11-28", "2026-12-07"])
    def test_the_advice_never_goes_back(self, day: str) -> None:
        """From any as-of day, each recommendation of the asker's plan comes once, and
        the coworker (a side matter) is never one of them."""
        ids = [r for _, r in _json_steps(_json("plan", "examples/asker-dates.yaml",
                                                "--as-of", day))]
        assert len(ids) == len(set(ids)) and ids[-1] == "let-it-go"
        assert "clear-the-air-with-coworker" not in ids

    def test_a_follow_up_is_assumed_done_and_unanswered(self, tmp_path: Path) -> None:
        """Without a log, the plan follows up when the advice is to, hears nothing,
        and carries on: "if no answer by DATE"."""
        path = _situation(tmp_path, "interview_date: 2026-11-14\n"
                                    "promised_decision_date: 2026-11-21\n")
        data = _json("plan", path, "--as-of", "2026-11-20")
        assert _json_steps(data) == [("2026-11-20", "wait-until-end-of-week"),
                                     ("2026-11-22", "follow-up-it-never-hurts"),
                                     ("2026-11-25", "follow-up-it-never-hurts"),
                                     ("2026-11-28", "let-it-go")]
        assert [[(d["date"], d["kind"], d["assumed"]) for d in s["done"]]
                for s in data["plan"]] == [[], [("2026-11-22", "email", True)],
                                           [("2026-11-25", "email", True)], []]
        _, out, _ = _run("plan", path, "--as-of", "2026-11-20")
        assert "if no answer by 2026-11-25: Follow up" in out
        assert "(assumed done, and not answered: email on 2026-11-22)" in out

    def test_evaluate_s_next_says_what_is_done(self) -> None:
        data = _json("evaluate", "examples/asker-dates.yaml", "--as-of", "2026-11-20")
        assert [s["recommendation"] for s in data["next"]] == [
            "wait-until-end-of-week", "follow-up-it-never-hurts", "let-it-go"]
        _, md, _ = _run("evaluate", "examples/asker-dates.yaml", "--as-of", "2026-11-20",
                        "--format", "markdown")
        assert "- if no answer by 2026-11-28: **Let it go" in md
        assert "; logged: call on 2026-11-22" in md

    def test_json_is_a_list_of_from_and_recommendation(self) -> None:
        data = _json("plan", "examples/asker-dates.yaml", "--as-of", "2026-11-20")
        steps = [(s["from"], s["recommendation"]) for s in data["plan"]]
        assert steps[0][0] == "2026-11-20"
        assert steps[-1] == ("2026-11-28", "let-it-go")
        assert all(s["reason"] for s in data["plan"])

    def test_a_day_count_situation_moves_too(self) -> None:
        data = _json("plan", "examples/few-days.yaml", "--as-of", AS_OF)
        # issue 24: each follow-up is assumed done and unanswered, so the plan goes on
        assert [(s["from"], s["recommendation"]) for s in data["plan"]] == [
            (AS_OF, "wait-until-end-of-week"), ("2026-12-12", "follow-up-it-never-hurts"),
            ("2026-12-15", "follow-up-it-never-hurts"), ("2026-12-18", "let-it-go")]

    def test_the_plan_ends_where_a_deadline_passes(self) -> None:
        data = _json("plan", "examples/deadline-dates.yaml", "--as-of", AS_OF)
        assert data["until"] == "2026-12-14"
        assert "needs_answer_by_date has passed" in data["ends"]

    def test_evaluate_shows_what_happens_next(self) -> None:
        data = _json("evaluate", "examples/few-days-dates.yaml")
        assert [s["from"] for s in data["next"]] == [AS_OF, "2026-12-12", "2026-12-15",
                                                     "2026-12-18"]
        _, table, _ = _run("evaluate", "examples/few-days-dates.yaml")
        assert "What happens next (as of 2026-12-07" in table
        _, md, _ = _run("evaluate", "examples/few-days-dates.yaml", "--format", "markdown")
        assert "### What happens next" in md

    @pytest.mark.parametrize("name", ["asker-dates", "few-days-dates", "deadline-dates",
                                      "few-days", "asker", "turmoil"])
    def test_plan_dates_are_where_day_by_day_changes(self, name: str) -> None:
        pack = load_pack(None)
        start = date(2026, 11, 20) if name == "asker-dates" else date(2026, 12, 7)
        sit = load_situation(f"examples/{name}.yaml", pack, as_of=start)
        assert _steps(plan(pack, sit, start, 120).steps) == \
            _steps(day_by_day(pack, sit, start, 120))


class TestSideMatters:
    """`alongside: true`: an action answering a question of its own is shown with the
    recommendation ("Also") and is never it (issue 24)."""

    def test_the_coworker_is_also_not_the_advice(self) -> None:
        data = _json("evaluate", "examples/asker-dates.yaml", "--as-of", "2026-11-20")
        assert data["recommendation"]["id"] == "wait-until-end-of-week"
        assert [a["id"] for a in data["also"]] == ["clear-the-air-with-coworker"]
        assert "clear-the-air-with-coworker" in [a["id"] for a in data["actions"]]
        _, table, _ = _run("evaluate", "examples/asker-dates.yaml", "--as-of", "2026-11-20")
        assert "Also: Clear the air with your coworker (clear-the-air-with-coworker" in table
        assert "Other actions" not in table.split("Also:")[1].split("What happens")[0]
        _, md, _ = _run("evaluate", "examples/asker-dates.yaml", "--as-of", "2026-11-20",
                        "--format", "markdown")
        assert "**Also:** Clear the air with your coworker (good support, 0.76)" in md

    def test_explain_says_so(self) -> None:
        code, out, _ = _run("explain", "examples/asker.yaml", "clear-the-air-with-coworker")
        assert code == 0 and "(alongside: shown beside the recommendation" in out
        data = _json("explain", "examples/asker.yaml", "clear-the-air-with-coworker")
        assert data["alongside"] is True
        _, summary, _ = _run("evaluate", "examples/asker.yaml", "--explain", "summary")
        assert "clear-the-air-with-coworker (0.76):" in summary

    def test_the_library_api(self) -> None:
        result = evaluate("interview-silence", "examples/asker-dates.yaml",
                          as_of=date(2026, 11, 20))
        assert result.recommendation is not None
        assert result.recommendation.id == "wait-until-end-of-week"
        assert [a.id for a in result.also] == ["clear-the-air-with-coworker"]

    @pytest.mark.parametrize(("old", "new", "message"), [
        ("  - id: too-busy-slow-process\n    kind: hypothesis\n",
         "  - id: too-busy-slow-process\n    kind: hypothesis\n    alongside: true\n",
         "only an action can be 'alongside'"),
        ("    logs: {follow_ups: {kind: email}}  # v4: doing it is a follow-up (docs/time.md)\n"
         "    title: Email", "    logs: {calls: {kind: email}}\n    title: Email",
         "'calls' is not an event log of facts.yaml's 'dates:'"),
        ("    logs: {follow_ups: {kind: email}}  # v4: doing it is a follow-up (docs/time.md)\n"
         "    title: Email", "    logs: {follow_ups: {kind: fax}}\n    title: Email",
         "kind: 'fax' is not"),
        ("    logs: {follow_ups: {kind: email}}  # v4: doing it is a follow-up (docs/time.md)\n"
         "    title: Email", "    logs: {follow_ups: {kind: email, date: 2026-11-22}}\n"
         "    title: Email", "the date is the day the action is done"),
        ("    logs: {follow_ups: {kind: email}}  # v4: doing it is a follow-up (docs/time.md)\n"
         "    title: Email", "    logs: {follow_ups: {}}\n    title: Email",
         "the entry needs kind"),
        ("    logs: {follow_ups: {kind: email}}  # v4: doing it is a follow-up (docs/time.md)\n"
         "    title: Email", "    logs: {follow_ups: {kind: email, channel: x}}\n    title: Email",
         "follow_ups entries have no field 'channel'"),
    ])
    def test_bad_declarations(self, tmp_path: Path, old: str, new: str, message: str) -> None:
        pack = tmp_path / "p"
        shutil.copytree(os.path.join(BUILTIN_PACK_DIR, "interview-silence"), pack)
        conclusions = pack / "conclusions.yaml"
        text = conclusions.read_text()
        assert old in text
        conclusions.write_text(text.replace(old, new, 1))
        code, out, err = _run("check", str(pack))
        assert code == 1 and "Traceback" not in out + err
        assert message in out + err
        assert f"{conclusions}:" in out + err

    def test_a_pack_test_expecting_it_as_the_recommendation(self, tmp_path: Path) -> None:
        pack = tmp_path / "p"
        shutil.copytree(os.path.join(BUILTIN_PACK_DIR, "interview-silence"), pack)
        shutil.rmtree(pack / "tests")
        (pack / "tests").mkdir()
        (pack / "tests" / "t.yaml").write_text(
            "tests:\n  - name: the coworker\n    situation: {days_since_interview: 3}\n"
            "    expect: {recommendation: clear-the-air-with-coworker}\n")
        code, out, err = _run("check", str(pack))
        assert code == 1
        assert "'clear-the-air-with-coworker' is alongside: never the recommendation" in out + err


class TestSweep:
    """hunch sweep: the advice along one number."""

    def test_bands(self) -> None:
        code, out, err = _run("sweep", "examples/few-days.yaml", "days_since_interview",
                              "--from", "0", "--to", "20")
        assert code == 0, err
        assert "days_since_interview 0 to 7: Give them until their date" in out
        data = _json("sweep", "examples/few-days.yaml", "days_since_interview",
                     "--from", "0", "--to", "20")
        assert data["bands"][0]["from"] == 0 and data["bands"][-1]["to"] == 20

    @pytest.mark.parametrize("args", [
        ("company_size",), ("days_since_interview", "--from", "9", "--to", "1"),
        ("days_since_interview", "--from", "nan"), ("days_since_interview", "--to", "1e30"),
        ("days_since_interview", "--step", "1e-9")])
    def test_bad_arguments(self, args: tuple[str, ...]) -> None:
        code, _, err = _run("sweep", "examples/few-days.yaml", *args)
        assert code == 2 and "Traceback" not in err


WRITES_OR_CALLS = ("follow-up-it-never-hurts", "call-once-with-deadline",
                   "ask-for-feedback-by-email", "contact-hiring-manager-directly",
                   "clear-the-air-with-coworker", "raise-policy-concern")


class TestDrafts:
    """The message to send: drafts.yaml, filled from the situation."""

    def test_every_action_that_writes_or_calls_has_one(self) -> None:
        assert set(WRITES_OR_CALLS) <= set(load_pack(None).drafts)

    def test_json_always_has_it(self) -> None:
        draft = _json("evaluate", "examples/deadline-dates.yaml")["recommendation"]["draft"]
        assert draft["kind"] == "call"
        assert "by 2026-12-14" in draft["text"] and "2026-11-25" in draft["text"]
        assert draft["cites"] == ["amtho-deadline"]
        assert _json("evaluate", "examples/asker.yaml")["recommendation"]["draft"] is None

    def test_evaluate_draft_shows_it_and_placeholders_left_open(self) -> None:
        _, out, _ = _run("evaluate", "examples/deadline.yaml", "--draft")
        assert "Draft (call):" in out
        assert "interviewed for on [interview date]" in out
        _, plain, _ = _run("evaluate", "examples/deadline.yaml")
        assert "Draft (call):" not in plain

    def test_a_draft_citing_an_unknown_source_fails_check(self, tmp_path: Path) -> None:
        pack = tmp_path / "p"
        shutil.copytree(os.path.join(BUILTIN_PACK_DIR, "interview-silence"), pack)
        drafts = pack / "drafts.yaml"
        drafts.write_text(drafts.read_text().replace("cites: [amtho-deadline]",
                                                     "cites: [amtho-nowhere]"))
        code, out, err = _run("check", str(pack))
        assert code == 1 and "unknown source 'amtho-nowhere'" in out + err


class TestLimits:
    """Dates at the ends of the calendar and long logs: one-line errors or a plan, never a
    traceback or a hang."""

    def test_a_plan_at_the_end_of_the_calendar(self, tmp_path: Path) -> None:
        path = _situation(tmp_path, "interview_date: 9999-12-20\nfollow_ups:\n"
                          "  - {date: 9999-12-31, kind: call}\n")
        code, out, err = _run("plan", path, "--as-of", "9999-12-31")
        assert code == 0, err
        assert "(looked ahead to 9999-12-31)" in out

    def test_a_log_too_long(self, tmp_path: Path) -> None:
        entries = "".join("  - {date: 2026-11-20, kind: email}\n" for _ in range(1001))
        path = _situation(tmp_path, "interview_date: 2026-11-14\nfollow_ups:\n" + entries)
        code, _, err = _run("evaluate", path, "--as-of", AS_OF)
        assert code == 2 and "1,001 entries, over the 1,000 a log may hold" in err


def test_load_errors_are_hunch_errors() -> None:
    with pytest.raises(HunchError):
        evaluate("interview-silence", {"interview_date": "2026-11-31"}, as_of=date(2026, 12, 7))
