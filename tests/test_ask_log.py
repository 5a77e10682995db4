"""`hunch ask` asks a pack's event log (the follow-ups) as a short repeated question, one
entry a line, not the counts the pack computes from it (issue 24, docs/ask.md "The
follow-up log"). Every test gives --as-of: none reaches today's date (conftest)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hunch import load_pack
from hunch.cli.app import cli
from hunch.consult.ask import Consultation
from hunch.pack.model import Pack
from hunch.pack.yamlsource import load_file

AS_OF = "2026-12-07"
ENTERS = "\n" * 40  # enough to finish any consultation of the built-in pack
ASKER = "examples/asker-dates.yaml"
COUNTS = ("unreturned_calls", "unanswered_emails", "missed_callbacks",
          "days_since_last_contact")
# examples/asker-dates.yaml's follow-ups, as typed: date, kind, answered, call-back for
TYPED = ["2026-11-22 call yes 2026-11-23", "2026-11-24, call, y, 2026-11-25", "2026-11-25 email"]


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack("interview-silence")


def ask(*args: str, stdin: str) -> Result:
    return CliRunner().invoke(cli, ["ask", "--as-of", AS_OF, *args], input=stdin)


def questions(output: str) -> list[str]:
    return [" ".join(q.split()) for q in output.split("\nQuestion ")[1:]]


def script(pack: Pack, situation: dict[str, Any], log_lines: list[str]) -> tuple[str, list[str]]:
    """The stdin that answers a consultation from ``situation`` (dates as dates, the log
    as ``log_lines``), and what each question was asked as: the way a person would."""
    c = Consultation(pack, as_of=date.fromisoformat(AS_OF))
    lines: list[str] = []
    asked: list[str] = []
    while (fact := c.next_question()) is not None:
        source = c.ask_as(fact)
        asked.append(source or fact)
        if source == "follow_ups":
            entries = load_file(ASKER).data[source]
            assert c.answer_log(fact, [_parsed(e) for e in entries]) == ""
            lines += [*log_lines, ""]
        elif source:
            text = str(situation.get(source, ""))
            if text:
                assert c.answer_date(fact, text) == ""
            else:
                _enter(c, fact)
            lines.append(text)
        else:
            value = situation.get(fact)
            if value is None:
                _enter(c, fact)
            else:
                c.answer(fact, value)
            lines.append("" if value is None else "yes" if value is True else
                         "no" if value is False else str(value))
    return "".join(line + "\n" for line in lines), asked


def _enter(c: Consultation, fact: str) -> None:
    """What Enter does: the default, or unknown."""
    reply = c.interpret(fact, "")
    c.answer(fact, reply.value if reply.kind == "value" else None)


def _parsed(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: date.fromisoformat(v) if isinstance(v, str) and v[:2] == "20" else v
            for k, v in entry.items()}


def asker() -> dict[str, Any]:
    data = load_file(ASKER).data
    assert isinstance(data, dict)
    return {k: v for k, v in data.items() if not k.startswith("_")}


class TestTheLogIsAsked:
    def test_asked_once_as_the_log_never_as_its_counts(self, pack: Pack,
                                                        tmp_path: Path) -> None:
        stdin, asked = script(pack, asker(), TYPED)
        assert "follow_ups" in asked and not set(COUNTS) & set(asked)
        save = tmp_path / "mine.yaml"
        result = ask("--save", str(save), stdin=stdin)
        assert result.exit_code == 0, result.output
        said = questions(result.output)
        assert sum("Your follow-ups since the interview" in q for q in said) == 1
        for count in COUNTS:  # none of the old count questions
            assert " ".join(pack.facts[count].question.split()) not in result.output
        flat = " ".join(result.output.split())
        assert "one a line: date (YYYY-MM-DD or 'today'), kind (call or email), answered " \
               "(yes or no; no if left out), callback promised for (a date)" in flat
        assert "added 2026-11-24, call, answered, callback promised for 2026-11-25" in flat
        assert "; 3 more came with the follow ups" in flat  # the closing line
        text = save.read_text()
        assert ("follow_ups:\n"
                "  - {date: 2026-11-22, kind: call, answered: true, callback_promised_for: "
                "2026-11-23}\n") in text
        assert "  - {date: 2026-11-25, kind: email}\n" in text
        assert f"_as_of: {AS_OF}\n" in text
        for count in COUNTS:
            assert f"{count}:" not in text

    def test_the_saved_log_gives_the_same_advice(self, pack: Pack, tmp_path: Path) -> None:
        """evaluate of the saved file gives the consultation's advice, and that of the
        example it was answered from."""
        stdin, _ = script(pack, asker(), TYPED)
        save = tmp_path / "mine.yaml"
        result = ask("--save", str(save), stdin=stdin)
        assert result.exit_code == 0, result.output
        saved = json.loads(CliRunner().invoke(cli, ["evaluate", str(save), "--format",
                                                    "json"]).output)
        full = json.loads(CliRunner().invoke(cli, ["evaluate", ASKER, "--format",
                                                   "json"]).output)
        assert saved["as_of"] == AS_OF
        assert saved["recommendation"]["id"] == full["recommendation"]["id"]
        assert saved["hypotheses"][0]["id"] == full["hypotheses"][0]["id"]
        table = CliRunner().invoke(cli, ["evaluate", str(save)]).output
        advice = table.split("\nHypotheses", 1)[1].split("What happens next")[0]
        assert advice in result.output  # what ask printed is what evaluate prints

    def test_an_empty_log_answers_every_count(self, pack: Pack, tmp_path: Path) -> None:
        save = tmp_path / "mine.yaml"
        result = ask("--save", str(save), stdin="2026-11-14\n" + ENTERS)
        assert result.exit_code == 0, result.output
        text = save.read_text()
        assert any("Your follow-ups since" in q for q in questions(result.output))
        assert "follow_ups: []\n" in text
        for count in COUNTS:
            assert f"{count}" not in text  # not as a count, not as unknown


class TestBadEntries:
    @pytest.mark.parametrize(("typed", "says"), [
        ("2026-12-10 email", "follow_ups[1].date: 2026-12-10 is after the as-of date "
                             "2026-12-07, and it must have happened by then; fix the date, "
                             "or give a later --as-of"),
        ("2026-11-10 call", "follow_ups[1].date: 2026-11-10 is before interview_date "
                            "2026-11-14; it cannot come before interview_date"),
        ("23/11/2026 call", "date: must be a date written YYYY-MM-DD, got '23/11/2026', or "
                            "'today'"),
        ("2026-11-31 call", "date: '2026-11-31' is not a date on the calendar"),
        ("2026-11-23 fax", "kind: 'fax' is not one of call or email"),
        ("2026-11-23 call maybe", "answered: 'maybe' is not yes or no"),
        ("2026-11-23", "follow_ups[1]: the field 'kind' is missing"),
        ("2026-11-23 call yes 2026-11-10", "follow_ups[1].callback_promised_for: 2026-11-10 "
                                           "is before interview_date 2026-11-14"),
        ("2026-11-23 call yes - no extra", "an entry has at most 5 parts"),
    ])
    def test_one_line_and_asked_again(self, pack: Pack, typed: str, says: str) -> None:
        stdin, asked = script(pack, asker(), TYPED)
        at = asked.index("follow_ups")
        lines = stdin.split("\n")
        lines.insert(at, typed)  # the bad entry first, then the good ones
        result = ask(stdin="\n".join(lines))
        assert result.exit_code == 0, result.output
        flat = " ".join(result.output.split())
        assert says in flat
        assert flat.count("Your follow-ups since the interview") == 1  # the same question
        assert "added 2026-11-22, call" in flat
        assert "Traceback" not in result.output


class TestOldScriptsAndShortAnswers:
    def test_a_whole_number_is_the_count_asked_for(self, pack: Pack, tmp_path: Path) -> None:
        """A script that answers the old count questions keeps working: a number typed at
        the log is the count, and the log's other counts are then asked as counts."""
        c = Consultation(pack, as_of=date.fromisoformat(AS_OF))
        c.answer_date("days_since_interview", "2026-11-14")
        lines = ["2026-11-14"]
        first = None
        while (fact := c.next_question()) is not None:
            if c.ask_as(fact) == "follow_ups" and first is None:
                first = fact
                c.answer(fact, 2)
                lines.append("2")
            else:
                assert c.ask_as(fact) != "follow_ups"  # not asked again as the log
                c.answer(fact, None)
                lines.append("?" if not pack.facts[fact].required else "")
        assert first is not None
        save = tmp_path / "mine.yaml"
        result = ask("--save", str(save), stdin="\n".join(lines) + "\n" + ENTERS)
        assert result.exit_code == 0, result.output
        assert f"{first}: 2\n" in save.read_text()
        assert "follow_ups" not in save.read_text()

    def test_unknown_leaves_the_log_unknown(self, pack: Pack, tmp_path: Path) -> None:
        stdin, asked = script(pack, asker(), TYPED)
        at = asked.index("follow_ups")
        lines = stdin.split("\n")
        del lines[at:at + len(TYPED) + 1]
        lines.insert(at, "?")
        save = tmp_path / "mine.yaml"
        result = ask("--save", str(save), stdin="\n".join(lines) + ENTERS)
        assert result.exit_code == 0, result.output
        text = save.read_text()
        assert "follow_ups" not in text.split("# Answered unknown")[0]
        assert "Answered unknown, so left out:" in text
        assert "missed_callbacks (evaluating this file applies its default 0)" in \
            " ".join(text.replace("#", " ").split())
        assert " ".join(result.output.split()).count("Your follow-ups since") == 1

    def test_back_takes_back_an_entry_then_the_question(self, pack: Pack,
                                                        tmp_path: Path) -> None:
        stdin, asked = script(pack, asker(), TYPED)
        at = asked.index("follow_ups")
        lines = stdin.split("\n")
        # a wrong entry, taken back; then the whole log, taken back after it was given
        lines[at:at] = ["2026-11-20 email", "back"]
        end = at + 2 + len(TYPED)  # the Enter that finishes the log
        lines[end + 1:end + 1] = ["back", *TYPED, ""]
        save = tmp_path / "mine.yaml"
        result = ask("--save", str(save), stdin="\n".join(lines) + ENTERS)
        assert result.exit_code == 0, result.output
        flat = " ".join(result.output.split())
        assert "took back 2026-11-20, email" in flat
        assert flat.count("Your follow-ups since the interview") == 2  # asked again
        text = save.read_text()
        assert "2026-11-20" not in text
        assert text.count("date: 2026-11-22") == 1


class TestConsultation:
    def test_the_log_fills_every_count_and_back_takes_them_all(self, pack: Pack) -> None:
        c = Consultation(pack, {"days_since_interview": 23}, as_of=date(2026, 12, 7))
        fact = "missed_callbacks"
        assert c.ask_as(fact) == "follow_ups"
        entries = [_parsed(e) for e in load_file(ASKER).data["follow_ups"]]
        assert c.answer_log(fact, entries) == ""
        assert {k: c.answers[k] for k in COUNTS} == {
            "unreturned_calls": 0, "unanswered_emails": 1, "missed_callbacks": 2,
            "days_since_last_contact": 12}
        assert c.asked == [fact]
        assert c.ask_as("unreturned_calls") is None
        assert c.undo() == fact
        assert not set(COUNTS) & set(c.answers)
        assert c.ask_as("unreturned_calls") == "follow_ups"

    def test_an_empty_log_reads_no_clock(self, pack: Pack) -> None:
        c = Consultation(pack, {"days_since_interview": 23})  # no as-of: conftest guards
        assert c.answer_log("unreturned_calls", []) == ""
        assert c.answers["unreturned_calls"] == 0
        assert c.answers["days_since_last_contact"] is None

    def test_the_log_counts_once_in_questions_left(self, pack: Pack) -> None:
        c = Consultation(pack, {"days_since_interview": 23}, as_of=date(2026, 12, 7))
        askable = c.askable(c.result())
        live = [n for n in askable if n not in c.irrelevant()]
        assert len(set(COUNTS) & set(live)) > 1
        assert c.questions_left() == len(live) - len(set(COUNTS) & set(live)) + 1


class TestTypedLogsCountAsFilesDo:
    """Property: any log typed one entry a line, saved, and read back as a situation file
    gives the counts and the advice the consultation had (the same counting code)."""

    @staticmethod
    def line(draw: Any, interview: int, as_of: int) -> str:
        base = date(2026, 11, 1).toordinal()
        day = date.fromordinal(base + draw(st.integers(interview, as_of))).isoformat()
        parts = [day, draw(st.sampled_from(["call", "email", "c", "E"]))]
        parts.append(draw(st.sampled_from(["yes", "no", "y", "-", "?"])))
        if draw(st.booleans()):
            parts.append(date.fromordinal(base + draw(st.integers(interview, as_of + 10)))
                         .isoformat())
            if draw(st.booleans()):
                parts.append(draw(st.sampled_from(["yes", "no"])))
        separator: str = draw(st.sampled_from([" ", ", "]))
        return separator.join(parts)

    @given(st.data())
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def test_saved_and_read_back(self, data: st.DataObject) -> None:
        from hunch.consult.logs import parse_entry
        from hunch.engine.evaluate import evaluate
        from hunch.explain.unknowns import recommendation_id
        from hunch.pack.validate import situation_from, situation_problems
        from hunch.pack.yamlsource import load_text

        pack = load_pack("interview-silence")
        interview = data.draw(st.integers(0, 10))
        as_of = interview + data.draw(st.integers(0, 30))
        day = date.fromordinal(date(2026, 11, 1).toordinal() + as_of)
        c = Consultation(pack, as_of=day)
        assert c.answer_date("days_since_interview", date.fromordinal(
            date(2026, 11, 1).toordinal() + interview).isoformat()) == ""
        entries: list[dict[str, Any]] = []
        for _ in range(data.draw(st.integers(0, 6))):
            entry, problem = parse_entry(pack.time.inputs["follow_ups"],
                                         self.line(data.draw, interview, as_of), c.counted_to)
            assert problem == ""
            assert c.log_problem("follow_ups", [*entries, entry], day) == ""
            entries.append(entry)
        assert c.answer_log("missed_callbacks", entries) == ""
        doc = load_text(c.situation_text(), "mine.yaml")
        assert situation_problems(doc, pack) == []
        assert isinstance(doc.data, dict)
        situation = situation_from("mine.yaml", doc.data, {}, pack)
        for count in COUNTS:
            assert situation.values.get(count) == c.answers[count], count
        assert recommendation_id(evaluate(pack, situation)) == recommendation_id(c.result())
