"""Rendering results: a tabulate table, JSON (the stable contract), Markdown."""

from __future__ import annotations

import textwrap
from typing import Any

from hunch.engine.certainty import CLOSE_CALL
from hunch.engine.evaluate import Ranked, Result
from hunch.explain.unknowns import relevant_unknowns, unknowns_search
from hunch.output.contradictions import notice_json, notice_lines, notice_markdown
from hunch.output.formats import (
    ASPECT,
    CERTAINTY_NOTE,
    CLOSE_MARK,
    STRENGTH_WORDS,
    attribution,
    close_calls,
    close_note,
    fmt_ranked_cf,
    rank_text,
    ranked_json,
    source_label,
    stopped_note,
    unknown_json,
    unknowns_text,
    with_words,
)
from hunch.output.plan import as_of_line, time_json, time_markdown, time_table
from hunch.output.width import TABLE, fit, fit_lines
from hunch.output.words import above, below, cap, hidden_line, threshold, words
from hunch.pack.model import Source
from hunch.pack.values import fmt_num

REASON_WIDTH = 30
TITLE_WIDTH = 29
# 3 + 13 (certainty with its word and close-call mark: "strong 0.97 ~") + four 2-space
# gaps + 29 + 30 + 17 = 100: the five columns fit in 100 characters even when every
# wrapped column is full
CITED_WIDTH = 17
CERTAINTY_WIDTH = 13






# --- JSON -------------------------------------------------------------------------







def result_json(result: Result, min_certainty: float | None = None) -> dict[str, Any]:
    close = close_calls(result.hypotheses) | close_calls(main_actions(result))
    best = result.recommendation
    data: dict[str, Any] = {
        "situation": result.situation.file,
        "pack": result.pack.name,
        "hypotheses": [_ranked_close(h, close) for h in result.hypotheses],
        "actions": [_ranked_close(a, close) for a in result.actions],
        "recommendation": _ranked_close(best, close) if best else None,
        "also": [_ranked_close(a, close) for a in result.also],
        "derived": result.derived_facts(),
        "unknowns": unknowns_json(result),
        "certainty_scale": {"meaning": CERTAINTY_NOTE.removeprefix("certainty: "),
                            "close_call_margin": CLOSE_CALL,
                            "strength_words": {word: floor for floor, word in STRENGTH_WORDS}},
        **notice_json(result),
    }
    data.update(threshold_json(result, min_certainty))
    time_json(result, data)
    unexamined = unknowns_search(result).unexamined
    if unexamined:  # only then: the keys of a complete analysis stay as they were
        data["unknowns_complete"] = False
        data["unknowns_unexamined"] = list(unexamined)
    return data


def threshold_json(result: Result, min_certainty: float | None) -> dict[str, Any]:
    """With a reporting threshold only (the contract's keys stay as they were without
    one): the threshold, and the conclusions a table leaves out under it."""
    floor = threshold(result, min_certainty)
    if not floor:
        return {}
    return {"min_certainty": floor,
            "below_min_certainty": [i.id for i in below(result.hypotheses + result.actions,
                                                        floor)]}


def _ranked_close(item: Ranked, close: set[str]) -> dict[str, Any]:
    return {**ranked_json(item), "close_call": item.id in close}


def unknowns_json(result: Result) -> list[dict[str, Any]]:
    return [unknown_json(u) for u in relevant_unknowns(result)]








# --- table ------------------------------------------------------------------------

def authors(item: Ranked) -> str:
    """Authors of the sources cited by the rules that fired (not every source on file)."""
    cited = {sid for s in item.support + item.oppose for sid in s.rule.cites}
    return cited_label([s for s in item.sources if s.id in cited])


def cited_label(sources: list[Source]) -> str:
    """The "cited" column: each source's name, passages of one work named once with
    their places ("Cellar notes: colour; body" for two sections of one manual)."""
    groups: dict[str, list[str]] = {}
    for source in sources:
        label = source_label(source)
        place = f"p. {source.page}" if source.page else source.section  # as Source.name
        work = label.removesuffix(f", {place}") if place and source.kind != "post" else label
        places = groups.setdefault(work, [])
        if work != label and place not in places:
            places.append(place)
    return ", ".join(f"{work}: {'; '.join(places)}" if places else work
                     for work, places in groups.items())


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


def column_widths() -> tuple[int, int, int]:
    """Title, reason and cited widths: 29/32/17 in 100 columns, shared out to fit less."""
    if fit(TABLE) >= TABLE:
        return TITLE_WIDTH, REASON_WIDTH, CITED_WIDTH
    room = fit(TABLE) - 11 - CERTAINTY_WIDTH  # "#", certainty and the 2-space gaps
    full = TITLE_WIDTH + REASON_WIDTH + CITED_WIDTH
    title = max(room * TITLE_WIDTH // full, 10)
    cited = max(room * CITED_WIDTH // full, 8)
    return title, max(room - title - cited, 10), cited


def ranked_table(items: list[Ranked], ranked: list[Ranked] | None = None) -> str:
    """A table of `items`, close calls marked as found among `ranked` (the whole
    ranking the items come from; default the items themselves)."""
    ranked = items if ranked is None else ranked
    close = close_calls(ranked)
    rows = [[rank_text(item), item.title, fmt_ranked_cf(item, close), item.reason(), authors(item)]
            for item in items]
    title, reason, cited = column_widths()
    table = _table(rows, ["#", "title", "certainty", "reason", "cited"],
                   [None, title, None, reason, cited])
    notes = [id_note(items)]
    if close & {item.id for item in items}:
        notes.append(close_note(ranked))
    return "\n".join([table, *(line.replace(_KEEP, " ") for note in notes
                               for line in textwrap.wrap(note, width=fit(78), initial_indent="  ",
                                                         subsequent_indent="    ",
                                                         break_on_hyphens=False))])


_KEEP = "\u00a0"  # a space the wrapping keeps: "#5" stays on the line of its id


def id_note(items: list[Ranked]) -> str:
    """The ids `hunch explain SITUATION ID` takes, by rank: a line under the table
    keeps the table within 100 columns."""
    ids = (f"#{item.rank}{_KEEP}{item.id}" for item in items)
    return "ids (for hunch explain): " + ", ".join(ids)


def supported(items: list[Ranked]) -> list[Ranked]:
    """What the evidence is for: certainty above 0 (issue 22: a negative certainty
    under "most likely first" read as a likely explanation)."""
    return [item for item in items if item.certainty > 0]


def ruled_against(items: list[Ranked]) -> list[Ranked]:
    """What the evidence is against, or cancels out on: certainty at or below 0."""
    return [item for item in items if item.certainty <= 0]


def against_reason(item: Ranked) -> str:
    """The strongest reason against (or the balance, when for and against cancel)."""
    if item.oppose:
        return item.oppose[0].rule.because_for(item.id) or item.oppose[0].rule.id
    return item.reason()


NOTHING_SUPPORTED = "Nothing in this situation supports any hypothesis."


def nothing_supported(result: Result, floor: float = 0.0) -> str:
    """NOTHING_SUPPORTED in the pack's words, and with its threshold when it has one."""
    line = NOTHING_SUPPORTED.replace("hypothesis", words(result).hypothesis)
    return line if not floor else line.replace(".", f" by {fmt_num(floor)} or more.")


def hypotheses_text(result: Result, floor: float = 0.0) -> list[str]:
    """The supported hypotheses as a table, then what was ruled against, as lines."""
    if not result.hypotheses:
        return [f"  (no rule concluded any {words(result).hypothesis})"]
    shown = above(supported(result.hypotheses), floor)
    out = ([ranked_table(shown, result.hypotheses)] if shown
           else [f"  {nothing_supported(result, floor)}"])
    return out + against_text("Ruled against", ruled_against(result.hypotheses))


def other_actions(result: Result) -> list[Ranked]:
    """Every action but the recommendation and those shown beside it ("Also"), in
    rank order."""
    shown = {a.id for a in result.also}
    if result.recommendation is not None:
        shown.add(result.recommendation.id)
    return [a for a in result.actions if a.id not in shown]


def main_actions(result: Result) -> list[Ranked]:
    """The actions that compete for the recommendation: close calls are reckoned among
    them, since a side matter answers another question."""
    return [a for a in result.actions if not a.conclusion.alongside]


def also_items(result: Result, floor: float = 0.0) -> list[Ranked]:
    """The side matters (`alongside: true`) shown with the recommendation."""
    return above(result.also, floor)


def also_text(result: Result, floor: float = 0.0) -> list[str]:
    """"Also: ...", one wrapped line per side matter, under the recommendation."""
    out: list[str] = []
    for item in also_items(result, floor):
        out.extend(textwrap.wrap(f"Also: {item.title} ({item.id}, {with_words(item.certainty)}):"
                                 f" {item.reason()}", width=fit(78), subsequent_indent="  ",
                                 break_on_hyphens=False))
    return [""] + out if out else []


def other_actions_text(result: Result, floor: float = 0.0) -> list[str]:
    """Other actions worth doing as a table, then the actions advised against."""
    others = other_actions(result)
    against = against_text("Advised against", ruled_against(others))
    shown = above(supported(others), floor)
    if not shown:
        return against
    return ["", f"Other {words(result).actions}", ranked_table(shown, main_actions(result)),
            *against]


def against_text(heading: str, items: list[Ranked]) -> list[str]:
    """"Ruled against": each item with its words, number and strongest reason."""
    if not items:
        return []
    out = ["", heading]
    for item in items:
        # the id, as in the tables' "ids" line: what `hunch explain` takes
        out.extend(textwrap.wrap(f"- {item.title} ({item.id}, {with_words(item.certainty)}): "
                                 f"{against_reason(item)}", width=fit(78),
                                 initial_indent="  ", subsequent_indent="    ",
                                 break_on_hyphens=False))
    return out


def close_second(result: Result) -> Ranked | None:
    """The runner-up action when it is a close call with the recommendation."""
    best = result.recommendation
    close = close_calls(main_actions(result))
    others = [a for a in other_actions(result) if best is not None]
    if best is None or best.id not in close or not others or others[0].id not in close:
        return None
    return others[0]


def quote_block(source: Source, indent: str = "  ") -> list[str]:
    quote = " ".join(source.quote.split())
    lines = textwrap.wrap(f'"{quote}"', width=fit(76), initial_indent=indent,
                          subsequent_indent=indent + " ")
    if not quote:  # a citation without a quote: the reference alone
        return [f"{indent}-- {attribution(source)}"]
    lines.append(f"{indent}  -- {attribution(source)}")
    return lines


def render_table(result: Result, explain: str | None = None,
                 min_certainty: float | None = None, draft: bool = False) -> str:
    floor = threshold(result, min_certainty)
    w = words(result)
    out = [f"{result.pack.title or result.pack.name}", f"situation: {result.situation.file}"]
    out += [line for line in (as_of_line(result),) if line] + [CERTAINTY_NOTE, ""]
    out.extend(notice_lines(result))
    out.append(f"{cap(w.hypotheses)} (most likely first)")
    out.extend(hypotheses_text(result, floor))
    if result.pack.actions():  # a pack with no actions has no recommendation to report
        out.append("")
        out.extend(recommendation_text(result, floor, draft))
    hidden = hidden_line(result, floor)
    if hidden:
        out += ["", *textwrap.wrap(hidden, width=fit(78))]
    parts = [unknowns_text(result, relevant_unknowns(result))]
    if explain:  # the account of the top conclusions goes before the unknowns
        from hunch.output.explanation import account_text

        parts.insert(0, account_text(result, explain))
    return fit_lines("\n".join(out)) + "\n" + "".join("\n" + part for part in parts if part)


def recommendation_text(result: Result, floor: float = 0.0, draft: bool = False) -> list[str]:
    """The recommended action with its explanation and quotes, then the other actions."""
    out: list[str] = []
    heading = f"Recommended {words(result).action}"
    best = result.recommendation
    if best is None:
        out.append(f"{heading}: none (no {words(result).action} has positive certainty)")
    elif not above([best], floor):
        out.append(f"{heading}: none at {fmt_num(floor)} or above")
    else:
        out.extend(textwrap.wrap(f"{heading}: {best.title} "
                                 f"({best.id}, {with_words(best.certainty)})",
                                 width=fit(TABLE), subsequent_indent="  ",
                                 break_on_hyphens=False))
        second = close_second(result)
        if second is not None:
            out.extend(textwrap.wrap(f"Close call: {second.title} ({with_words(second.certainty)})"
                                     f" is about as well supported.", width=78,
                                     initial_indent="  ", subsequent_indent="  "))
        if best.conclusion.explanation:
            out.extend(textwrap.wrap(" ".join(best.conclusion.explanation.split()), width=fit(78),
                                     initial_indent="  ", subsequent_indent="  "))
        cited = best.support[0].rule.cites if best.support else []
        for source in best.sources:
            if source.id in cited or not cited:
                out.extend(quote_block(source))
    out.extend(also_text(result, floor))
    out.extend(time_table(result, draft))  # "What happens next" and the draft (docs/time.md)
    out.extend(other_actions_text(result, floor))
    return out


# --- "Still unknown" ----------------------------------------------------------------







def markdown_unknowns(result: Result) -> list[str]:
    """The "Still unknown" section of the Markdown output, as lines."""
    unknowns = relevant_unknowns(result)
    note = stopped_note(unknowns_search(result).unexamined)
    if not unknowns and not note:
        return []
    out = ["", "### Still unknown", ""]
    for u in unknowns:
        what = " and ".join(ASPECT.get(k, k) for k in u.could_change)
        out.append(f"- **{u.fact}** (could change {what}): {' '.join(u.question.split())}")
    if note:
        out.append(f"- *{note[0].upper() + note[1:]}*")
    return out


# --- Markdown ---------------------------------------------------------------------

def _md_escape(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _md_rows(items: list[Ranked], ranked: list[Ranked] | None = None) -> list[str]:
    ranked = items if ranked is None else ranked
    close = close_calls(ranked)
    rows = ["| # | title | certainty | reason | cited |", "|---:|---|---:|---|---|"]
    for item in items:
        rows.append(f"| {rank_text(item)} | {_md_escape(item.title)} | "
                    f"{fmt_ranked_cf(item, close)} | {_md_escape(item.reason())} | "
                    f"{_md_escape(authors(item))} |")
    if close & {item.id for item in items}:
        rows += ["", close_note(ranked).replace(CLOSE_MARK, "\\" + CLOSE_MARK, 1)]
    return rows


def _md_hypotheses(result: Result, floor: float = 0.0) -> list[str]:
    """Supported hypotheses as a table (or the sentence saying none is), then the
    ones ruled against as a list."""
    if not result.hypotheses:
        return ["(none concluded)"]
    shown = above(supported(result.hypotheses), floor)
    out = _md_rows(shown, result.hypotheses) if shown else [nothing_supported(result, floor)]
    return out + _md_against("Ruled against", ruled_against(result.hypotheses))


def _md_other_actions(result: Result, floor: float = 0.0) -> list[str]:
    others = other_actions(result)
    against = _md_against("Advised against", ruled_against(others))
    shown = above(supported(others), floor)
    if not shown:
        return against[1:]  # straight after the recommendation's blank line
    return [f"### Other {words(result).actions}", "", *_md_rows(shown, main_actions(result)),
            *against]


def _md_against(heading: str, items: list[Ranked]) -> list[str]:
    if not items:
        return []
    return ["", f"#### {heading}", ""] + [
        f"- {_md_escape(item.title)} ({with_words(item.certainty)}): "
        f"{_md_escape(against_reason(item))}" for item in items]


def render_markdown(result: Result, min_certainty: float | None = None,
                    draft: bool = False) -> str:
    floor = threshold(result, min_certainty)
    day = as_of_line(result)
    out = [f"## {_md_escape(result.pack.title or result.pack.name)}", "",
           f"Situation: `{result.situation.file}`" + (f" ({day})" if day else ""), "",
           f"_{CERTAINTY_NOTE}_", "",
           *notice_markdown(result), f"### {cap(words(result).hypotheses)}", ""]
    out.extend(_md_hypotheses(result, floor))
    if result.pack.actions():  # a pack with no actions has no recommendation to report
        out += ["", f"### Recommended {words(result).action}", ""]
        out.extend(_md_recommendation(result, floor, draft))
    hidden = hidden_line(result, floor)
    if hidden:
        out += ["", f"_{cap(hidden)}_"]
    out.extend(markdown_unknowns(result))
    return "\n".join(out).rstrip("\n") + "\n"


def _md_recommendation(result: Result, floor: float, draft: bool = False) -> list[str]:
    out: list[str] = []
    best = result.recommendation
    if best is None:
        out.append(f"None: no {words(result).action} has positive certainty.")
    elif not above([best], floor):
        out.append(f"None at {fmt_num(floor)} or above.")
    else:
        out.append(f"**{_md_escape(best.title)}** ({with_words(best.certainty)})")
        out.append("")
        second = close_second(result)
        if second is not None:
            out += [f"Close call: {_md_escape(second.title)} ({with_words(second.certainty)}) "
                    f"is about as well supported.", ""]
        if best.conclusion.explanation:
            out += [_md_escape(best.conclusion.explanation), ""]
        cited = best.support[0].rule.cites if best.support else []
        for source in best.sources:
            if source.id in cited or not cited:
                if source.quote:
                    out.append(f"> {_md_escape(source.quote)}")
                    out.append(">")
                out.append(f"> -- {_md_escape(attribution(source))}")
                out.append("")
    for item in also_items(result, floor):
        out += [f"**Also:** {_md_escape(item.title)} ({with_words(item.certainty)}): "
                f"{_md_escape(item.reason())}", ""]
    out.extend(_md_other_actions(result, floor))
    out.extend(time_markdown(result, draft))
    return out


def render_drafted(fmt: str, result: Result) -> Any:
    """The batch renderer for `evaluate --draft` (module level, so it pickles)."""
    if fmt == "table":
        return render_table(result, draft=True)
    if fmt == "markdown":
        return render_markdown(result, draft=True)
    return result_json(result)


def render_explained(fmt: str, explain: str, result: Result,
                     min_certainty: float | None = None) -> Any:  # str, or a JSON object
    """A batch renderer for `evaluate --explain` (module level, so it pickles)."""
    from hunch.explain.how import explain as run
    from hunch.explain.unknowns import top_hypothesis
    from hunch.output.explanation import account_text, explanation_json

    if fmt == "table":
        return render_table(result, explain, min_certainty)
    targets = [r for r in (top_hypothesis(result), result.recommendation) if r is not None]
    if fmt == "markdown":
        account = account_text(result, explain)
        text = render_markdown(result, min_certainty)
        return text + ("\n### Why\n\n```text\n" + account + "```\n" if account else "")
    data = result_json(result, min_certainty)
    data["explanations"] = [explanation_json(run(result, r.id, unknowns=explain == "full"))
                            for r in targets]
    return data
