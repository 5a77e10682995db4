"""Rendering results: a tabulate table, JSON (the stable contract), Markdown."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from hunch.evaluation import Ranked, Result, Support
from hunch.model import Source
from hunch.unknowns import Change, Unknown, fact_tests, relevant_unknowns

REASON_WIDTH = 32
TITLE_WIDTH = 30
CITED_WIDTH = 18  # the five columns fit in 100 characters


def fmt_cf(value: float) -> str:
    return f"{value:.2f}"


def rounded(value: float) -> float:
    """Certainties in JSON: 4 decimals, and never -0.0."""
    return round(value, 4) + 0.0


# --- JSON -------------------------------------------------------------------------

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


def result_json(result: Result) -> dict[str, Any]:
    return {
        "situation": result.situation.file,
        "pack": result.pack.name,
        "hypotheses": [ranked_json(h) for h in result.hypotheses],
        "actions": [ranked_json(a) for a in result.actions],
        "recommendation": ranked_json(result.recommendation) if result.recommendation else None,
        "derived": result.derived_facts(),
        "unknowns": unknowns_json(result),
    }


def unknowns_json(result: Result) -> list[dict[str, Any]]:
    return [unknown_json(u) for u in relevant_unknowns(result)]


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
    return json.dumps(data, indent=2, ensure_ascii=False)


# --- table ------------------------------------------------------------------------

def authors(item: Ranked) -> str:
    """Authors of the sources cited by the rules that fired (not every source on file)."""
    cited = {sid for s in item.support + item.oppose for sid in s.rule.cites}
    return ", ".join(dict.fromkeys(s.author for s in item.sources if s.id in cited))


def _table(rows: list[list[Any]], headers: list[str], widths: list[int | None]) -> str:
    from tabulate import tabulate

    align = ("right", "left", "right", "left", "left")
    # tabulate's maxcolwidths runs its text wrapper over every cell (~3 ms of a cold
    # `hunch evaluate`); plain ASCII cells without over-long words wrap identically
    # with textwrap, and only the long ones need it (tests/test_render.py checks
    # both paths against maxcolwidths). Anything else goes the slow, exact way.
    cells = [list(zip(row, widths, strict=True)) for row in rows]
    if all(_plain(cell, width) for row in cells for cell, width in row):
        wrapped = [[_wrap(cell, width) for cell, width in row] for row in cells]
        return tabulate(wrapped, headers=headers, tablefmt="simple", disable_numparse=True,
                        colalign=align)
    return tabulate(rows, headers=headers, tablefmt="simple", maxcolwidths=widths,
                    disable_numparse=True, colalign=align)


def _plain(cell: Any, width: int | None) -> bool:
    """Would textwrap wrap this cell exactly as tabulate does?"""
    if width is None:
        return True
    return (isinstance(cell, str) and cell.isascii() and cell.isprintable()
            and all(len(word) <= width for word in cell.split(" ")))


def _wrap(cell: Any, width: int | None) -> Any:
    if width is None or (len(cell) <= width and not cell.endswith(" ")):
        return cell
    return "\n".join(textwrap.wrap(cell, width))


def ranked_table(items: list[Ranked]) -> str:
    rows = [[item.rank, item.title, fmt_cf(item.certainty), item.reason(), authors(item)]
            for item in items]
    return _table(rows, ["#", "title", "certainty", "reason", "cited"],
                  [None, TITLE_WIDTH, None, REASON_WIDTH, CITED_WIDTH])


def quote_block(source: Source, indent: str = "  ") -> list[str]:
    quote = " ".join(source.quote.split())
    lines = textwrap.wrap(f'"{quote}"', width=76, initial_indent=indent,
                          subsequent_indent=indent + " ")
    badge = ", best answer" if source.best_answer else ""
    when = f", {source.posted}" if source.posted else ""
    lines.append(f"{indent}  -- {source.author}{when}{badge}")
    return lines


def render_table(result: Result, explain: str | None = None) -> str:
    out = [f"{result.pack.title or result.pack.name}", f"situation: {result.situation.file}", ""]
    out.append("Hypotheses (most likely first)")
    out.append(ranked_table(result.hypotheses) if result.hypotheses
               else "  (no rule concluded any hypothesis)")
    out.append("")
    best = result.recommendation
    if best is None:
        out.append("Recommended action: none (no action has positive certainty)")
    else:
        out.append(f"Recommended action: {best.title} (certainty {fmt_cf(best.certainty)})")
        if best.conclusion.explanation:
            out.extend(textwrap.wrap(" ".join(best.conclusion.explanation.split()), width=78,
                                     initial_indent="  ", subsequent_indent="  "))
        cited = best.support[0].rule.cites if best.support else []
        for source in best.sources:
            if source.id in cited or not cited:
                out.extend(quote_block(source))
    others = [a for a in result.actions if best is None or a.id != best.id]
    if others:
        out.append("")
        out.append("Other actions")
        out.append(ranked_table(others))
    parts = [unknowns_text(result, relevant_unknowns(result))]
    if explain:  # the account of the top conclusions goes before the unknowns
        from hunch.explain_render import account_text

        parts.insert(0, account_text(result, explain))
    return "\n".join(out) + "\n" + "".join("\n" + part for part in parts if part)


# --- "Still unknown" ----------------------------------------------------------------

WIDTH = 78
_ASPECT = {"recommendation": "the recommendation", "top_hypothesis": "the top hypothesis"}


def unknowns_text(result: Result, unknowns: list[Unknown]) -> str:
    """The "Still unknown" section after a table: each fact that matters, its question."""
    if not unknowns:
        missing = _missing_tested(result)
        if not missing:
            return ""
        return "\n".join(textwrap.wrap(
            f"Still unknown: {', '.join(missing)} (no single answer would change the top "
            f"hypothesis or the recommendation)", WIDTH)) + "\n"
    out = ["Still unknown (an answer could change the advice)"]
    for u in unknowns:
        what = " and ".join(_ASPECT.get(k, k) for k in u.could_change)
        out.append(f"  {u.fact}: could change {what}")
        out.extend(textwrap.wrap(" ".join(u.question.split()), WIDTH, initial_indent="    ",
                                 subsequent_indent="    "))
    others = [f for f in _missing_tested(result) if f not in {u.fact for u in unknowns}]
    if others:
        out += textwrap.wrap(f"Also unknown, but no single answer would change the advice: "
                             f"{', '.join(others)}", WIDTH, initial_indent="  ",
                             subsequent_indent="  ")
    return "\n".join(out) + "\n"


def _missing_tested(result: Result) -> list[str]:
    """Input facts some rule tests that the situation leaves unknown."""
    tested = fact_tests(result.pack)
    return [f for f in result.pack.facts if f in tested and f not in result.situation.values]


def markdown_unknowns(result: Result) -> list[str]:
    """The "Still unknown" section of the Markdown output, as lines."""
    unknowns = relevant_unknowns(result)
    if not unknowns:
        return []
    out = ["", "### Still unknown", ""]
    for u in unknowns:
        what = " and ".join(_ASPECT.get(k, k) for k in u.could_change)
        out.append(f"- **{u.fact}** (could change {what}): {' '.join(u.question.split())}")
    return out


# --- Markdown ---------------------------------------------------------------------

def _md_escape(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _md_rows(items: list[Ranked]) -> list[str]:
    rows = ["| # | title | certainty | reason | cited |", "|---:|---|---:|---|---|"]
    for item in items:
        rows.append(f"| {item.rank} | {_md_escape(item.title)} | {fmt_cf(item.certainty)} | "
                    f"{_md_escape(item.reason())} | {_md_escape(authors(item))} |")
    return rows


def render_markdown(result: Result) -> str:
    out = [f"## {_md_escape(result.pack.title or result.pack.name)}", "",
           f"Situation: `{result.situation.file}`", "", "### Hypotheses", ""]
    out.extend(_md_rows(result.hypotheses) if result.hypotheses else ["(none concluded)"])
    out += ["", "### Recommended action", ""]
    best = result.recommendation
    if best is None:
        out.append("None: no action has positive certainty.")
    else:
        out.append(f"**{_md_escape(best.title)}** (certainty {fmt_cf(best.certainty)})")
        out.append("")
        if best.conclusion.explanation:
            out += [_md_escape(best.conclusion.explanation), ""]
        cited = best.support[0].rule.cites if best.support else []
        for source in best.sources:
            if source.id in cited or not cited:
                badge = ", best answer" if source.best_answer else ""
                out.append(f"> {_md_escape(source.quote)}")
                out.append(">")
                when = f", {source.posted}" if source.posted else ""
                out.append(f"> -- {source.author}{when}{badge}")
                out.append("")
    others = [a for a in result.actions if best is None or a.id != best.id]
    if others:
        out += ["### Other actions", ""]
        out.extend(_md_rows(others))
    out.extend(markdown_unknowns(result))
    return "\n".join(out).rstrip("\n") + "\n"
