"""Rendering results: a tabulate table, JSON (the stable contract), Markdown."""

from __future__ import annotations

import json
from typing import Any

from hunch.evaluation import Ranked, Result, Support
from hunch.model import Source

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
    from hunch.explain_render import unknowns_json as missing  # lazy: it imports this module

    return missing(result)


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


# --- table ------------------------------------------------------------------------

def authors(item: Ranked) -> str:
    """Authors of the sources cited by the rules that fired (not every source on file)."""
    cited = {sid for s in item.support + item.oppose for sid in s.rule.cites}
    return ", ".join(dict.fromkeys(s.author for s in item.sources if s.id in cited))


def _table(rows: list[list[Any]], headers: list[str], widths: list[int | None]) -> str:
    from tabulate import tabulate

    return tabulate(rows, headers=headers, tablefmt="simple", maxcolwidths=widths,
                    disable_numparse=True, colalign=("right", "left", "right", "left", "left"))


def ranked_table(items: list[Ranked]) -> str:
    rows = [[item.rank, item.title, fmt_cf(item.certainty), item.reason(), authors(item)]
            for item in items]
    return _table(rows, ["#", "title", "certainty", "reason", "cited"],
                  [None, TITLE_WIDTH, None, REASON_WIDTH, CITED_WIDTH])


def quote_block(source: Source, indent: str = "  ") -> list[str]:
    import textwrap

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
            import textwrap

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
    from hunch.explain_render import table_afterword  # the account and "Still unknown"

    return "\n".join(out) + "\n" + table_afterword(result, explain)


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
    from hunch.explain_render import markdown_unknowns

    out.extend(markdown_unknowns(result))
    return "\n".join(out).rstrip("\n") + "\n"
