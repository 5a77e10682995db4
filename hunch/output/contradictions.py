"""Saying that answers disagree: one notice, the same words in every format.

What counts as answers that disagree, and how much it lowers the certainties, is the
engine's (hunch.engine.contradictions, docs/certainty.md); here it is only worded.
"""

from __future__ import annotations

import textwrap
from typing import Any

from hunch.engine.contradictions import DOUBT, Disagreement
from hunch.engine.evaluate import Result
from hunch.explain.world import fmt_value
from hunch.output.width import fit

HEADING = "Your answers disagree"


def consequence() -> str:
    """What the disagreement does to the advice, in one sentence."""
    return (f"Each answer named holds only at {DOUBT:g} instead of 1, so everything "
            f"concluded from it is less certain; check these answers and run it again.")


def answers_text(d: Disagreement) -> str:
    """The answers in brackets after a declared contradiction's sentence (a found one
    names them in its sentence)."""
    if d.kind == "found":
        return ""
    return " (" + ", ".join(f"{name} = {fmt_value(value)}" for name, value in d.answers) + ")"


def notice_lines(result: Result, indent: str = "  ") -> list[str]:
    """The notice for a table or an explanation: a heading, each disagreement, the
    consequence; nothing when the answers agree."""
    if not result.contradictions:
        return []
    out = [f"{HEADING}:"]
    for d in result.contradictions:
        out.extend(textwrap.wrap(f"- {' '.join(d.says.split())}{answers_text(d)}", width=fit(78),
                                 initial_indent=indent, subsequent_indent=indent + "  "))
    out.extend(textwrap.wrap(consequence(), width=fit(78), initial_indent=indent,
                             subsequent_indent=indent))
    return out + [""]


def notice_markdown(result: Result) -> list[str]:
    """The notice as Markdown lines (a level-3 section), or nothing."""
    if not result.contradictions:
        return []
    out = [f"### {HEADING}", ""]
    for d in result.contradictions:
        answers = ", ".join(f"`{name} = {fmt_value(value)}`" for name, value in d.answers)
        out.append(f"- {' '.join(d.says.split())}" + (f" ({answers})" if d.kind != "found" else ""))
    return out + ["", consequence(), ""]


def notice_json(result: Result) -> dict[str, Any]:
    """The additive ``contradictions`` key (docs/json.md): present only when answers
    disagree, so the output of a consistent situation is as it was."""
    if not result.contradictions:
        return {}
    return {"contradictions": [
        {"kind": d.kind, "id": d.id, "says": " ".join(d.says.split()),
         "answers": {name: value for name, value in d.answers}, "certainty_of_answers": DOUBT}
        for d in result.contradictions]}
