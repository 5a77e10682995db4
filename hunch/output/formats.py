"""What every output format shares: numbers, source and support objects in JSON,
and the plain-text "Still unknown" section."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from hunch.engine.evaluate import Ranked, Result, Support
from hunch.errors import json_safe
from hunch.explain.unknowns import Change, Unknown, fact_tests
from hunch.pack.model import Source


def fmt_cf(value: float) -> str:
    return f"{value:.2f}"


def rounded(value: float) -> float:
    """Certainties in JSON: 4 decimals, and never -0.0."""
    return round(value, 4) + 0.0


def source_json(source: Source) -> dict[str, Any]:
    return {"id": source.id, "author": source.author, "quote": " ".join(source.quote.split()),
            "best_answer": source.best_answer, "posted": source.posted,
            "favorites": source.favorites}


def support_json(item: Support) -> dict[str, Any]:
    return {"rule": item.rule.id, "contribution": rounded(item.contribution),
            "matched": dict(item.matched), "cf": item.cf, "premise": rounded(item.premise),
            "because": item.rule.because, "cites": list(item.rule.cites),
            "matched_conclusions": list(item.matched_conclusions)}


def ranked_json(item: Ranked) -> dict[str, Any]:
    return {"id": item.id, "title": item.title, "certainty": rounded(item.certainty),
            "rank": item.rank, "kind": item.conclusion.kind,
            "explanation": item.conclusion.explanation,
            "sources": [source_json(s) for s in item.sources],
            "support": [support_json(s) for s in item.support],
            "oppose": [support_json(s) for s in item.oppose],
            "conflict": item.conflict}


def unknown_json(u: Unknown) -> dict[str, Any]:
    return {"fact": u.fact, "question": " ".join(u.question.split()),
            "could_change": list(u.could_change),
            "examples": [change_json(c) for c in u.examples]}


def change_json(c: Change, certainty: bool = False) -> dict[str, Any]:
    out = {"value": c.value, "recommendation": c.recommendation.id if c.recommendation else None,
           "top_hypothesis": c.top_hypothesis.id if c.top_hypothesis else None}
    if certainty:
        out["certainty"] = rounded(c.certainty)
    return out


def to_json(data: Any) -> str:
    """JSON text, with the controls json.dumps leaves raw escaped too (hunch.errors.json_safe)."""
    return json_safe(json.dumps(data, indent=2, ensure_ascii=False))


WIDTH = 78


ASPECT = {"recommendation": "the recommendation", "top_hypothesis": "the top hypothesis"}


def unknowns_text(result: Result, unknowns: list[Unknown]) -> str:
    """The "Still unknown" section after a table: each fact that matters, its question."""
    if not unknowns:
        missing = missing_tested(result)
        if not missing:
            return ""
        return "\n".join(textwrap.wrap(
            f"Still unknown: {', '.join(missing)} (no single answer would change the top "
            f"hypothesis or the recommendation)", WIDTH)) + "\n"
    out = ["Still unknown (an answer could change the advice)"]
    for u in unknowns:
        what = " and ".join(ASPECT.get(k, k) for k in u.could_change)
        out.append(f"  {u.fact}: could change {what}")
        out.extend(textwrap.wrap(" ".join(u.question.split()), WIDTH, initial_indent="    ",
                                 subsequent_indent="    "))
    others = [f for f in missing_tested(result) if f not in {u.fact for u in unknowns}]
    if others:
        out += textwrap.wrap(f"Also unknown, but no single answer would change the advice: "
                             f"{', '.join(others)}", WIDTH, initial_indent="  ",
                             subsequent_indent="  ")
    return "\n".join(out) + "\n"


def missing_tested(result: Result) -> list[str]:
    """Input facts some rule tests that the situation leaves unknown."""
    tested = fact_tests(result.pack)
    return [f for f in result.pack.facts if f in tested and f not in result.situation.values]
