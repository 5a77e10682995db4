"""Explanations: HOW, WHY NOT, relevant unknowns, what-if, flips, and their outputs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

import hunch
from hunch.cli.app import cli
from hunch.cli.whatif import parse_sets
from hunch.engine.certainty import combine
from hunch.engine.evaluate import Result, evaluate, load_situation
from hunch.engine.load import load_pack
from hunch.explain.how import Explanation, FactNode, RuleNode, explain, flips, what_if
from hunch.explain.unknowns import relevant_unknowns
from hunch.explain.world import FAILED, PASSED, UNKNOWN, check_condition
from hunch.output.formats import fmt_cf
from tests.packgen import random_pack, strategies

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACK = os.path.join(ROOT, "tests", "packs", "explain-pack")
ASKER = os.path.join(ROOT, "examples", "asker.yaml")


def run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def in_pack(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the small pack's folder, so outputs name `s.yaml`."""
    monkeypatch.chdir(PACK)


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def small() -> Result:
    pack = load_pack(PACK)
    return evaluate(pack, load_situation(os.path.join(PACK, "s.yaml"), pack))


def asker() -> Result:
    pack = load_pack("interview-silence")
    return evaluate(pack, load_situation("examples/asker.yaml", pack))


def line_of(path: str, fact: str) -> int:
    """The line a fact is stated on, read from the file itself."""
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.startswith(fact + ":"):
                return number
    raise AssertionError(f"{fact} not in {path}")


def tree_inputs(x: Explanation) -> dict[str, FactNode]:
    """Every input fact node anywhere in the HOW tree."""
    found: dict[str, FactNode] = {}

    def rule(node: RuleNode) -> None:
        for fact in node.facts:
            if fact.kind == "input":
                found[fact.name] = fact
            for r in fact.rules:
                rule(r)

    for node in x.support + x.oppose:
        rule(node)
    return found


# --- the asker's case ---------------------------------------------------------------

@pytest.mark.usefixtures("in_root")
class TestAsker:
    """The asker's example: the cases the issue names."""

    def test_how_reaches_every_input_fact_with_its_line(self) -> None:
        result = asker()
        x = explain(result, "decided-against-you")
        # pattern_of_avoidance <- contact_attempts_ignored (call-backs, emails; calls
        # at their default 0) and drawn_out_silence <- overdue <- silence_past_promise;
        # the feedback through "they just don't know yet" (it is not a bad word)
        want = {"days_since_interview", "promised_decision_days", "missed_callbacks",
                "unanswered_emails", "interview_feedback", "unreturned_calls"}
        found = tree_inputs(x)
        assert set(found) == want
        for name, node in found.items():
            where = "default" if name == "unreturned_calls" else \
                f"examples/asker.yaml:{line_of(ASKER, name)}"
            assert node.where == where
            assert node.value == result.situation.values[name]
        assert [f.name for f in x.inputs()] == ["days_since_interview", "promised_decision_days",
                                                "missed_callbacks", "unanswered_emails",
                                                "interview_feedback", "unreturned_calls"]

    def test_how_text_shows_the_lines(self) -> None:
        code, out, _ = run(["explain", "examples/asker.yaml", "decided-against-you"])
        assert code == 0
        for name, value in (("days_since_interview", "23"), ("promised_decision_days", "7"),
                            ("missed_callbacks", "2"), ("unanswered_emails", "1")):
            assert f"{name} = {value}  [examples/asker.yaml:{line_of(ASKER, name)}]" in out
        assert out.splitlines()[1] == "hypothesis, certainty 0.93, rank 1 of 9 hypotheses"

    def test_how_shows_negations_defaults_and_absent_facts(self) -> None:
        code, out, _ = run(["explain", "examples/asker.yaml", "let-it-go"])
        assert code == 0
        assert "─ policy_or_union_concern = false  [default]  " \
               "not policy_or_union_concern: passed\n" in out
        assert "─ needs_answer_by_days  [not given]  needs_answer_by_days is not given: " \
               "passed\n" in out
        assert "─ not only_a_few_days: holds, no rule derived it\n" in out

    def test_evaluate_table_lists_the_deadline_as_unknown(self) -> None:
        code, out, _ = run(["evaluate", "examples/asker.yaml"])
        assert code == 0
        assert "Still unknown (an answer could change the advice)\n" \
               "  needs_answer_by_days: could change the recommendation\n" in out

    def test_why_not_call_once_names_the_missing_deadline(self) -> None:
        x = explain(asker(), "call-once-with-deadline")
        assert not x.reached
        assert [u.fact for u in x.unknowns] == ["needs_answer_by_days"]
        assert x.unknowns[0].examples[0].certainty > 0.5
        first = x.not_fired[0]
        assert first.rule.id == "deadline-call-once"
        assert first.check.status == FAILED
        has_deadline = first.check.items[0]
        assert (has_deadline.text, has_deadline.status) == ("has_deadline", FAILED)
        leaf = has_deadline.because[0].check
        assert (leaf.text, leaf.status, leaf.missing) == (
            "needs_answer_by_days is given", FAILED, ("needs_answer_by_days",))

    def test_why_not_text(self) -> None:
        code, out, _ = run(["explain", "examples/asker.yaml", "call-once-with-deadline"])
        assert code == 0
        assert "needs_answer_by_days is given: failed (not given)" in out
        assert "Still unknown, and could change it:\n  needs_answer_by_days: with 6" in out

    def test_set_deadline_changes_the_recommendation(self) -> None:
        code, out, _ = run(["what-if", "examples/asker.yaml", "--set", "needs_answer_by_days=5",
                            "--format", "json"])
        assert code == 0
        data = json.loads(out)
        assert data["before"]["recommendation"]["id"] == "let-it-go"
        assert data["after"]["recommendation"]["id"] == "call-once-with-deadline"
        assert data["recommendation_changed"] is True
        assert data["facts"] == [{"fact": "needs_answer_by_days", "before": None,
                                  "before_where": "not given", "after": 5}]

    def test_set_deadline_text(self) -> None:
        code, out, _ = run(["what-if", "examples/asker.yaml", "--set", "needs_answer_by_days=5"])
        assert code == 0
        assert out.startswith("What if needs_answer_by_days = 5 (was not given)\n")
        assert "Recommendation: CHANGED\n" in out
        assert "  after:  Call one more time and give them your deadline " \
               "(call-once-with-deadline, 0.90)\n" in out

    def test_flip_lists_the_deadline(self) -> None:
        code, out, _ = run(["what-if", "examples/asker.yaml", "--flip", "--format", "json"])
        assert code == 0
        data = json.loads(out)
        assert data["recommendation"]["id"] == "let-it-go"
        deadline = [f for f in data["flips"] if f["fact"] == "needs_answer_by_days"]
        assert len(deadline) == 1
        assert deadline[0]["recommendation"]["id"] == "call-once-with-deadline"
        # any deadline before their date: 6 is the smallest the rules tell apart
        assert deadline[0]["after"] == 6
        assert deadline[0]["given"] is False
        # every flip really changes the recommendation when applied
        result = asker()
        for flip in data["flips"]:
            after = what_if(result, {flip["fact"]: flip["after"]}).after
            assert after.recommendation is None or after.recommendation.id != "let-it-go"

    def test_flip_text(self) -> None:
        code, out, _ = run(["what-if", "examples/asker.yaml", "--flip"])
        assert code == 0
        assert "needs_answer_by_days     not given           6" in out

    def test_deadline_is_the_relevant_unknown(self) -> None:
        unknowns = relevant_unknowns(asker())
        assert [(u.fact, u.could_change) for u in unknowns] == [
            ("needs_answer_by_days", ["recommendation"])]


# --- exact outputs on the small pack ---------------------------------------------------

HOW_TEXT = """\
not-interested: They are not interested
hypothesis, certainty 0.48, rank 1 of 2 hypotheses
situation: s.yaml

HOW: 1 rule for, none against
└─ +0.48  ignored-means-no  (cf +0.60 x premise 0.80)
   │  If they wanted you they would call.
   │  cites: would-call
   └─ ignored  (derived, certainty 0.80)
      └─ +0.80  ignored  (cf +0.80 x premise 1.00)
         │  Overdue, and calls go unanswered.
         ├─ calls = 3  [s.yaml:4]  calls >= 2: passed
         └─ overdue  (derived, certainty 1.00)
            └─ +1.00  overdue  (cf +1.00 x premise 1.00)
               └─ late  (derived, certainty 1.00)
                  └─ +1.00  late  (cf +1.00 x premise 1.00)
                     │  Past the day they promised.
                     ├─ waited_days = 20  [s.yaml:2]  waited_days > promised_days: passed
                     └─ promised_days = 7  [s.yaml:3]  waited_days > promised_days: passed
combined: +0.48 -> 0.48

WHY NOT: 2 rules could have concluded it but did not fire
├─ insider-knows: unknown; would add +0.30 (certainty would be 0.64)
│  │  cites: would-call
│  ├─ insider: unknown (not given)
│  └─ overdue: passed (derived)
└─ still-early: failed; would add -0.30 (certainty would be 0.26)
   │  cites: a-week
   └─ not: failed
      └─ overdue: passed (derived)

Quoted:
  would-call: "If they wanted you they would call."
  a-week: "Give them a week."

Still unknown, and could change it:
  insider: with true, certainty 0.64 (now 0.48)
    Do you work there already?
"""

OPPOSED_TEXT = """\
HOW: 1 rule for, 1 rule against
├─ +0.40  busy-people  (cf +0.40 x premise 1.00)
│  │  cites: busy
│  └─ overdue  (derived, certainty 1.00)
│     └─ +1.00  overdue  (cf +1.00 x premise 1.00)
│        └─ late  (derived, certainty 1.00)
│           └─ +1.00  late  (cf +1.00 x premise 1.00)
│              │  Past the day they promised.
│              ├─ waited_days = 20  [s.yaml:2]  waited_days > promised_days: passed
│              └─ promised_days = 7  [s.yaml:3]  waited_days > promised_days: passed
└─ -0.20  called-often  (cf -0.20 x premise 1.00)
   │  Busy people still answer one call in three.
   │  cites: would-call
   └─ calls = 3  [s.yaml:4]  calls >= 3: passed
combined: +0.40 -0.20 -> 0.25
"""

WHY_NOT_TEXT = """\
call-with-deadline: Call and name your deadline
action, certainty 0.00: not concluded
situation: s.yaml

HOW: no rule that concludes it fired

WHY NOT: 2 rules could have concluded it but did not fire
├─ deadline-call: failed; would add +0.80 (certainty would be 0.80)
│  │  With a deadline, call and say so.
│  │  cites: deadline
│  └─ deadline_days is given: failed (not given)
└─ worried-call: failed; would add +0.20 (certainty would be 0.20)
   │  cites: deadline
   ├─ mood = worried: failed (calm, the default)
   └─ overdue: passed (derived)

Quoted:
  deadline: "If you have a deadline, call and say so."

Still unknown, and could change it:
  deadline_days: with 0, certainty 0.80 (now 0.00)
    In how many days do you need an answer?
"""

MERMAID = """\
flowchart LR
  n1["move-on<br/>certainty 0.34"]
  n2(["move-on-if-no<br/>cf +0.70 x premise 0.48"])
  n3[/"deadline_days<br/>not given"/]
  n4["not-interested<br/>certainty 0.48"]
  n5(["ignored-means-no<br/>cf +0.60 x premise 0.80"])
  n6("ignored<br/>certainty 0.80")
  n7(["ignored<br/>cf +0.80 x premise 1.00"])
  n8[/"calls = 3<br/>s.yaml:4"/]
  n9("overdue<br/>certainty 1.00")
  n10(["overdue<br/>cf +1.00 x premise 1.00"])
  n11("late<br/>certainty 1.00")
  n12(["late<br/>cf +1.00 x premise 1.00"])
  n13[/"waited_days = 20<br/>s.yaml:2"/]
  n14[/"promised_days = 7<br/>s.yaml:3"/]
  n2 -->|"+0.34"| n1
  n3 --> n2
  n5 -->|"+0.48"| n4
  n7 -->|"+0.80"| n6
  n8 --> n7
  n10 -->|"+1.00"| n9
  n12 -->|"+1.00"| n11
  n13 --> n12
  n14 --> n12
  n11 --> n10
  n9 --> n7
  n6 --> n5
  n4 --> n2
  classDef conclusion fill:#fde2e2,stroke:#a33,stroke-width:2px
  class n1,n4 conclusion
  classDef rule fill:#ffffff,stroke:#888
  class n2,n5,n7,n10,n12 rule
  classDef derived fill:#e2f0e2,stroke:#494
  class n6,n9,n11 derived
  classDef input fill:#e2e8fd,stroke:#449
  class n3,n8,n13,n14 input
"""

_FILL = 'style="filled", fillcolor='
DOT = "\n".join([
    'digraph "busy" {',
    "  rankdir=LR;",
    '  node [fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9];',
    '  n1 [label="busy\\ncertainty 0.25", shape=box, style="rounded,bold,filled", '
    'fillcolor="#fde2e2"];',
    f'  n2 [label="busy-people\\ncf +0.40 x premise 1.00", shape=box, {_FILL}"#ffffff"];',
    f'  n3 [label="overdue\\ncertainty 1.00", shape=ellipse, {_FILL}"#e2f0e2"];',
    f'  n4 [label="overdue\\ncf +1.00 x premise 1.00", shape=box, {_FILL}"#ffffff"];',
    f'  n5 [label="late\\ncertainty 1.00", shape=ellipse, {_FILL}"#e2f0e2"];',
    f'  n6 [label="late\\ncf +1.00 x premise 1.00", shape=box, {_FILL}"#ffffff"];',
    f'  n7 [label="waited_days = 20\\ns.yaml:2", shape=parallelogram, {_FILL}"#e2e8fd"];',
    f'  n8 [label="promised_days = 7\\ns.yaml:3", shape=parallelogram, {_FILL}"#e2e8fd"];',
    f'  n9 [label="called-often\\ncf -0.20 x premise 1.00", shape=box, {_FILL}"#ffffff"];',
    f'  n10 [label="calls = 3\\ns.yaml:4", shape=parallelogram, {_FILL}"#e2e8fd"];',
    '  n2 -> n1 [label="+0.40"];',
    '  n4 -> n3 [label="+1.00"];',
    '  n6 -> n5 [label="+1.00"];',
    "  n7 -> n6;",
    "  n8 -> n6;",
    "  n5 -> n4;",
    "  n3 -> n2;",
    '  n9 -> n1 [label="-0.20", style=dashed, color="#aa3333"];',
    "  n10 -> n9;",
    "}",
    ""])

WHAT_IF_TEXT = """\
What if deadline_days = 5 (was not given)
situation: s.yaml

Recommendation: CHANGED
  before: Move on (move-on, 0.34)
  after:  Call and name your deadline (call-with-deadline, 0.80)
Top hypothesis: unchanged
  They are not interested (not-interested, 0.48)

Hypotheses
id              before    after     change
--------------  --------  --------  --------
not-interested  #1  0.48  #1  0.48
busy            #2  0.25  #2  0.25

Actions
id                  before    after     change
------------------  --------  --------  --------
call-with-deadline  -         #1  0.80  new
move-on             #1  0.34  -         gone
"""

FLIP_TEXT = """\
Recommendation now: Move on (move-on, 0.34)
situation: s.yaml

Smallest single-fact changes that change the recommendation:
fact           now        change to           recommendation then
-------------  ---------  ------------------  -------------------------
waited_days    20         7                   wait (0.50)
calls          3          1                   none
deadline_days  not given  any value (e.g. 0)  call-with-deadline (0.80)
"""

STILL_UNKNOWN = """\
Still unknown (an answer could change the advice)
  deadline_days: could change the recommendation
    In how many days do you need an answer?
  Also unknown, but no single answer would change the advice: insider
"""

SUMMARY = """\
Why (hunch explain SITUATION ID tells the whole story)
  not-interested (0.48): 1 rule for, none against
    + ignored-means-no +0.48
    rests on: waited_days=20 (line 2), promised_days=7 (line 3),
      calls=3 (line 4)
  move-on (0.34): 1 rule for, none against
    + move-on-if-no +0.34
    rests on: waited_days=20 (line 2), promised_days=7 (line 3),
      calls=3 (line 4), deadline_days not given

"""


@pytest.mark.usefixtures("in_pack")
class TestExactOutput:
    """The text, graph and what-if outputs, character for character, on a small pack."""

    def test_how_and_why_not_text(self) -> None:
        assert run(["explain", "-r", ".", "s.yaml", "not-interested"]) == (0, HOW_TEXT, "")

    def test_opposing_evidence_is_shown(self) -> None:
        code, out, _ = run(["explain", "-r", ".", "s.yaml", "busy"])
        assert code == 0
        assert OPPOSED_TEXT in out

    def test_why_not_text(self) -> None:
        assert run(["explain", "-r", ".", "s.yaml", "call-with-deadline"]) == \
            (0, WHY_NOT_TEXT, "")

    def test_mermaid(self) -> None:
        assert run(["explain", "-r", ".", "s.yaml", "move-on", "--format", "mermaid"]) == \
            (0, MERMAID, "")

    def test_dot(self) -> None:
        assert run(["explain", "-r", ".", "s.yaml", "busy", "--format", "dot"]) == (0, DOT, "")

    @pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
    def test_dot_renders(self) -> None:
        _, out, _ = run(["explain", "-r", ".", "s.yaml", "move-on", "--format", "dot"])
        done = subprocess.run(["dot", "-Tsvg"], input=out, capture_output=True, text=True,
                              check=False)
        assert done.returncode == 0, done.stderr
        assert "<svg" in done.stdout

    def test_what_if_text(self) -> None:
        assert run(["what-if", "-r", ".", "s.yaml", "--set", "deadline_days=5"]) == \
            (0, WHAT_IF_TEXT, "")

    def test_flip_text(self) -> None:
        assert run(["what-if", "-r", ".", "s.yaml", "--flip"]) == (0, FLIP_TEXT, "")

    def test_set_and_flip_together(self) -> None:
        code, out, _ = run(["what-if", "-r", ".", "s.yaml", "--set", "deadline_days=5",
                            "--flip"])
        assert code == 0
        assert out == WHAT_IF_TEXT + "\n" + (
            "Recommendation now: Call and name your deadline (call-with-deadline, 0.80)\n"
            "situation: s.yaml\n\n"
            "Smallest single-fact changes that change the recommendation:\n"
            "fact           now    change to            recommendation then\n"
            "-------------  -----  -------------------  ---------------------\n"
            "deadline_days  5      leave out (unknown)  move-on (0.34)\n")

    def test_evaluate_table_ends_with_still_unknown(self) -> None:
        code, out, _ = run(["evaluate", "-r", ".", "s.yaml"])
        assert code == 0
        assert out.endswith("    -- cy\n\n" + STILL_UNKNOWN)

    def test_evaluate_explain_summary(self) -> None:
        code, out, _ = run(["evaluate", "-r", ".", "s.yaml", "--explain"])
        assert code == 0
        assert out.endswith("    -- cy\n\n" + SUMMARY + STILL_UNKNOWN)

    def test_evaluate_explain_full(self) -> None:
        code, out, _ = run(["evaluate", "-r", ".", "s.yaml", "--explain=full"])
        assert code == 0
        how = HOW_TEXT.split("\nStill unknown")[0]
        assert how in out
        assert "move-on: Move on\naction, certainty 0.34, rank 1 of 1 actions\n" in out
        assert out.endswith(STILL_UNKNOWN)

    def test_explain_mode_before_the_file_gets_a_hint(self) -> None:
        code, _, err = run(["evaluate", "-r", ".", "--explain", "s.yaml"])
        assert code == 2
        assert "write --explain=summary, or put --explain after the situation files" in err

    def test_markdown_has_still_unknown(self) -> None:
        code, out, _ = run(["evaluate", "-r", ".", "s.yaml", "--format", "markdown"])
        assert code == 0
        assert out.endswith("### Still unknown\n\n- **deadline_days** (could change the "
                            "recommendation): In how many days do you need an answer?\n")

    def test_no_unknowns_no_section(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "full.yaml")
            with open(path, "w", encoding="utf-8") as handle:
                handle.write("waited_days: 3\npromised_days: 7\ndeadline_days: 9\n"
                             "insider: false\n")
            code, out, _ = run(["evaluate", "-r", ".", path])
        assert code == 0
        assert "Still unknown" not in out


@pytest.mark.usefixtures("in_pack")
class TestJson:
    """The JSON forms (docs/explain.md) of explain, what-if, flip and evaluate."""

    def test_evaluate_json_lists_unknowns(self) -> None:
        code, out, _ = run(["evaluate", "-r", ".", "s.yaml", "--format", "json"])
        assert code == 0
        assert json.loads(out)["unknowns"] == [
            {"fact": "deadline_days", "question": "In how many days do you need an answer?",
             "could_change": ["recommendation"],
             "examples": [{"value": 0, "recommendation": "call-with-deadline",
                           "top_hypothesis": "not-interested"}]}]

    def test_evaluate_json_with_explain(self) -> None:
        code, out, _ = run(["evaluate", "-r", ".", "s.yaml", "--format", "json", "--explain"])
        assert code == 0
        data = json.loads(out)
        assert [e["id"] for e in data["explanations"]] == ["not-interested", "move-on"]
        assert data["explanations"][0]["unknowns"] == []  # only with --explain=full

    def test_explain_why_not_json(self) -> None:
        code, out, _ = run(["explain", "-r", ".", "s.yaml", "call-with-deadline",
                            "--format", "json"])
        assert code == 0
        data = json.loads(out)
        assert data == {
            "situation": "s.yaml", "pack": "explain-pack", "id": "call-with-deadline",
            "kind": "action", "title": "Call and name your deadline", "certainty": 0.0,
            "rank": None, "reached": False, "alongside": False, "support": [], "oppose": [],
            "inputs": [],
            "not_fired": [
                {"rule": "deadline-call", "effect": "support", "cf": 0.8, "status": "failed",
                 "would_add": 0.8, "would_be": 0.8,
                 "because": "With a deadline, call and say so.", "cites": ["deadline"],
                 "where": "rules/rules.yaml:50",
                 "when": {"test": "deadline_days is given", "status": "failed",
                          "seen": "not given", "missing": ["deadline_days"]}},
                {"rule": "worried-call", "effect": "support", "cf": 0.2, "status": "failed",
                 "would_add": 0.2, "would_be": 0.2, "because": "", "cites": ["deadline"],
                 "where": "rules/rules.yaml:55",
                 "when": {"all": [
                     {"test": "mood = worried", "status": "failed",
                      "seen": "calm, the default"},
                     {"test": "overdue", "status": "passed", "seen": "derived"}],
                     "status": "failed"}}],
            "unknowns": [{"fact": "deadline_days",
                          "question": "In how many days do you need an answer?",
                          "could_change": ["call-with-deadline"],
                          "examples": [{"value": 0, "recommendation": "call-with-deadline",
                                        "top_hypothesis": "not-interested",
                                        "certainty": 0.8}]}]}

    def test_explain_how_json(self) -> None:
        code, out, _ = run(["explain", "-r", ".", "s.yaml", "not-interested",
                            "--format", "json"])
        assert code == 0
        data = json.loads(out)
        assert (data["certainty"], data["rank"], data["reached"]) == (0.48, 1, True)
        assert data["inputs"] == [
            {"fact": "waited_days", "value": 20, "where": "s.yaml:2"},
            {"fact": "promised_days", "value": 7, "where": "s.yaml:3"},
            {"fact": "calls", "value": 3, "where": "s.yaml:4"}]
        rule = data["support"][0]
        assert {k: rule[k] for k in ("rule", "effect", "cf", "premise", "contribution",
                                     "cites", "where")} == {
            "rule": "ignored-means-no", "effect": "support", "cf": 0.6, "premise": 0.8,
            "contribution": 0.48, "cites": ["would-call"], "where": "rules/rules.yaml:22"}
        ignored = rule["facts"][0]
        assert (ignored["kind"], ignored["fact"], ignored["value"], ignored["certainty"]) == \
            ("derived", "ignored", True, 0.8)
        calls = ignored["rules"][0]["facts"][0]
        assert calls == {"kind": "input", "fact": "calls", "value": 3, "given": True,
                         "where": "s.yaml:4",
                         "checks": [{"test": "calls >= 2", "status": "passed", "seen": "3"}]}
        assert [u["fact"] for u in data["unknowns"]] == ["insider"]

    def test_what_if_json(self) -> None:
        code, out, _ = run(["what-if", "-r", ".", "s.yaml", "--set", "deadline_days=5",
                            "--format", "json"])
        assert code == 0
        data = json.loads(out)
        assert data["set"] == {"deadline_days": 5}
        assert data["before"] == {
            "recommendation": {"id": "move-on", "title": "Move on", "certainty": 0.336,
                               "rank": 1},
            "top_hypothesis": {"id": "not-interested", "title": "They are not interested",
                               "certainty": 0.48, "rank": 1}}
        assert data["after"]["recommendation"]["id"] == "call-with-deadline"
        assert (data["recommendation_changed"], data["top_hypothesis_changed"]) == (True, False)
        assert data["actions"] == [
            {"id": "call-with-deadline", "title": "Call and name your deadline", "before": None,
             "after": {"id": "call-with-deadline", "title": "Call and name your deadline",
                       "certainty": 0.8, "rank": 1}, "change": 0.8},
            {"id": "move-on", "title": "Move on",
             "before": {"id": "move-on", "title": "Move on", "certainty": 0.336, "rank": 1},
             "after": None, "change": -0.336}]

    def test_flip_json(self) -> None:
        code, out, _ = run(["what-if", "-r", ".", "s.yaml", "--flip", "--format", "json"])
        assert code == 0
        data = json.loads(out)
        assert [(f["fact"], f["before"], f["after"], f["any_value"],
                 f["recommendation"]["id"] if f["recommendation"] else None)
                for f in data["flips"]] == [
            ("waited_days", 20, 7, False, "wait"), ("calls", 3, 1, False, None),
            ("deadline_days", None, 0, True, "call-with-deadline")]
        assert data["flips"][0]["where"] == "s.yaml:2"


@pytest.mark.usefixtures("in_pack")
class TestBadInput:
    """Usage mistakes exit 2 with one clear message, never a traceback."""

    def test_unknown_id_suggests(self) -> None:
        code, out, err = run(["explain", "-r", ".", "s.yaml", "not-intrested"])
        assert (code, out) == (2, "")
        assert "no conclusion or derived fact 'not-intrested' in pack explain-pack " \
               "(did you mean 'not-interested'?)" in err

    @pytest.mark.parametrize("item,message", [
        ("deadline_dys=5", "deadline_dys=5: unknown fact 'deadline_dys' "
                           "(did you mean 'deadline_days'?)"),
        ("mood=angry", "mood=angry: mood 'angry' is not allowed (allowed: calm, worried)"),
        ("calls=-1", "calls=-1: calls -1 is below the minimum 0 "
                     "(allowed: a whole number from 0 up to 50)"),
        ("insider=perhaps", "insider=perhaps: insider must be true or false, got 'perhaps' "
                            "(allowed: true or false)"),
        ("overdue=true", "overdue=true: 'overdue' is derived by the rules, it cannot be set "
                         "(set the input facts it comes from: waited_days, promised_days)"),
        ("calls", "calls: expected fact=value (e.g. --set needs_answer_by_days=5)"),
    ])
    def test_bad_set(self, item: str, message: str) -> None:
        code, out, err = run(["what-if", "-r", ".", "s.yaml", "--set", item])
        assert (code, out) == (2, "")
        # one line, like every other error (not click's usage block)
        assert err == f"cli what-if: Invalid value for --set: {message} (see cli what-if --help)\n"

    def test_what_if_needs_set_or_flip(self) -> None:
        code, _, err = run(["what-if", "-r", ".", "s.yaml"])
        assert code == 2
        assert "give --set FACT=VALUE or --unset FACT (one or more), or --flip" in err

    def test_bad_situation_is_located(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "bad.yaml")
            with open(path, "w", encoding="utf-8") as handle:
                handle.write("waited_days: many\n")
            for args in (["explain", "-r", ".", path, "busy"],
                         ["what-if", "-r", ".", path, "--flip"]):
                code, out, err = run(args)
                assert (code, out) == (2, "")
                assert err.startswith(f"{path}:1:")
                assert "Traceback" not in err

    def test_parse_sets_converts_types(self) -> None:
        pack = load_pack(PACK)
        assert parse_sets(pack, ["calls=4", "insider=yes", "mood=worried"]) == {
            "calls": 4, "insider": True, "mood": "worried"}


class TestLibrary:
    """Library behaviour not visible in one output."""

    def test_derived_fact_can_be_explained(self) -> None:
        x = explain(small(), "overdue")
        assert (x.kind, x.reached, x.certainty) == ("derived", True, 1.0)
        assert [n.rule.id for n in x.support] == ["overdue"]

    def test_derived_fact_not_derived_text(self) -> None:
        pack = load_pack(PACK)
        result = evaluate(pack, {"waited_days": 3, "promised_days": 7})
        from hunch.output.explanation import explanation_text

        text = explanation_text(explain(result, "ignored"))
        assert "derived fact, certainty 0.00: not derived\n" in text
        assert "HOW: no rule that derives it fired\n" in text
        assert "WHY NOT: 1 rule could have derived it but did not fire\n" \
               "└─ ignored (derives ignored): failed\n" \
               "   ├─ overdue: failed (not derived)\n" in text

    def test_unknown_id_raises_hunch_error(self) -> None:
        with pytest.raises(hunch.HunchError, match="did you mean 'busy'"):
            explain(small(), "bussy")

    def test_unknown_status_for_a_missing_fact(self) -> None:
        x = explain(small(), "not-interested")
        insider = x.not_fired[0]
        assert (insider.rule.id, insider.status) == ("insider-knows", UNKNOWN)
        assert insider.check.items[0].missing == ("insider",)

    def test_flips_are_smallest(self) -> None:
        found = {f.fact: f.after for f in flips(small())}
        # waited_days 20 -> 8 would still be late (promised 7): 7 is the nearest flip
        assert found["waited_days"] == 7
        assert found["calls"] == 1

    def test_probing_does_not_change_the_result(self) -> None:
        result = small()
        before = [(r.id, r.certainty) for r in result.hypotheses + result.actions]
        relevant_unknowns(result)
        flips(result)
        assert [(r.id, r.certainty) for r in result.hypotheses + result.actions] == before
        assert "deadline_days" not in result.situation.values


# --- consistency with the certainty algebra, over random packs ------------------------

RULES, SITUATION = strategies()


def _check_tree(node: RuleNode) -> None:
    """Each rule's contribution is cf x premise; its premise is the weakest fact it matched;
    each derived fact's certainty combines the contributions of the rules that derived it."""
    premise = min((f.certainty for f in node.facts), default=1.0)
    assert abs(node.premise - premise) < 1e-9
    assert abs(node.contribution - (node.cf * premise if premise > 0 else 0.0)) < 1e-9
    for fact in node.facts:
        if fact.kind != "input":
            assert abs(combine(r.contribution for r in fact.rules) - fact.certainty) < 1e-9
        for rule in fact.rules:
            _check_tree(rule)


class TestConsistency:
    """The contributions `explain` shows combine to the certainty in the evaluate table."""

    @settings(max_examples=60, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(rules=RULES, situation=SITUATION)
    def test_contributions_combine_to_the_table(self, rules: list[dict[str, Any]],
                                                situation: dict[str, Any]) -> None:
        with random_pack(rules) as pack:
            result = hunch.evaluate(pack, situation)
            fired = {f.rule_index for f in result.ledger.firings}
            for ranked in result.hypotheses + result.actions:
                x = explain(result, ranked.id, unknowns=False)
                shown = [n.contribution for n in x.support + x.oppose]
                assert abs(combine(shown) - ranked.certainty) < 1e-9
                assert fmt_cf(combine(shown)) == fmt_cf(ranked.certainty)
                for node in x.support + x.oppose:
                    _check_tree(node)
                    # a rule the engine fired holds in the displayed evaluation too
                    assert x.result.pack.rules.index(node.rule) in fired
                    assert check_condition(result, node.rule.when).status == PASSED
                # and a rule it did not fire does not hold there
                assert all(rc.status != PASSED for rc in x.not_fired)

