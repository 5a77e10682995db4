"""What every output format shares: numbers, source and support objects in JSON,
and the plain-text "Still unknown" section."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from hunch.engine.certainty import CLOSE_CALL
from hunch.engine.evaluate import Ranked, Result, Support
from hunch.errors import json_safe
from hunch.explain import unknowns as analysis
from hunch.explain.unknowns import Change, Unknown, fact_tests, unknowns_search
from hunch.output.width import fit
from hunch.pack.model import Source


def fmt_cf(value: float) -> str:
    return f"{value:.2f}"


# What a certainty is, said where people read the numbers (issue 13): four
# hypotheses at 0.76-0.87 read as probabilities otherwise.
CERTAINTY_NOTE = ("certainty: how strongly the pack's sources support each conclusion, "
                  "from -1 to 1; not a probability")
CLOSE_MARK = "~"


def close_groups(items: list[Ranked]) -> list[list[Ranked]]:
    """Runs of positive conclusions, in rank order, that all lie less than CLOSE_CALL
    below the first of their run: the order inside a run says little. A run is
    anchored at its top so it never chains down a whole list (0.72, 0.65, 0.58 is
    not one close call: its ends are 0.14 apart)."""
    groups: list[list[Ranked]] = []
    for item in (item for item in items if item.certainty > 0):
        # on the numbers as printed, so 0.71 and 0.61 are never called close
        if groups and round(groups[-1][0].certainty, 2) - round(item.certainty, 2) \
                < CLOSE_CALL - 1e-9:
            groups[-1].append(item)
        else:
            groups.append([item])
    return [group for group in groups if len(group) > 1]


def close_calls(items: list[Ranked]) -> set[str]:
    """Ids of the conclusions in a close call (close_groups)."""
    return {item.id for group in close_groups(items) for item in group}


def close_note(items: list[Ranked]) -> str:
    """The note under a table: which rows are tied together ("#1-#3, #5-#6"); when
    most rows are, one sentence instead of a list of runs (mostly_close)."""
    if mostly_close(items):
        return (f"{CLOSE_MARK} most rows are about equally supported as the rows next to "
                f"them (less than {CLOSE_CALL:g} apart), so read the order as rough")
    runs = ", ".join(_run(group) for group in close_groups(items))
    calls = "close call" if len(close_groups(items)) == 1 else "close calls"
    return (f"{CLOSE_MARK} {calls} (less than {CLOSE_CALL:g} apart, so the order within "
            f"says little): {runs}")


def _run(group: list[Ranked]) -> str:
    """Rows in one close call: "#1-#3"; rows that share a rank (a tie) once: "#3="."""
    first, last = group[0].rank, group[-1].rank
    return f"#{first}=" if first == last else f"#{first}-#{last}"


def fmt_ranked_cf(item: Ranked, close: set[str]) -> str:
    """A certainty in a table, with its word, marked when it is a close call:
    "strong 0.97", "good 0.75 ~"."""
    cell = f"{strength_word(item.certainty)} {fmt_cf(item.certainty)}"
    return f"{cell} {CLOSE_MARK}" if item.id in close else cell


def mostly_close(items: list[Ranked]) -> bool:
    """More than half of the positive rows are close calls (and there are three or
    more): listing the runs would list nearly every row."""
    positive = [item for item in items if item.certainty > 0]
    return len(positive) >= 3 and 2 * len(close_calls(items)) > len(positive)


# Words beside numbers (issue 22): a certainty read alone looks like a chance ("0.97:
# 97 % sure"). Bands on the number as printed, the same either side of 0; their
# floors are what the default grades give (docs/certainty.md, "Words"): a best answer
# stating the reader's own case is strong, a flat answer good, a hedged "may" some, a
# question asked back weak.
STRENGTH_WORDS = ((0.8, "strong"), (0.5, "good"), (0.2, "some"), (0.0, "weak"))


def strength_word(value: float) -> str:
    """"strong", "good", "some" or "weak" by size (either sign); "no" at 0."""
    size = round(abs(value), 2)
    if size == 0:
        return "no"
    return next(word for floor, word in STRENGTH_WORDS if size >= floor)


def strength(value: float) -> str:
    """The words for a certainty: "strong support", "some evidence against",
    "no net support" (JSON's ``strength``)."""
    word = strength_word(value)
    if word == "no":
        return "no net support"
    return f"{word} support" if value > 0 else f"{word} evidence against"


def with_words(value: float) -> str:
    """A certainty in a sentence: "strong support, 0.97"."""
    return f"{strength(value)}, {fmt_cf(value)}"


def rounded(value: float) -> float:
    """Certainties in JSON: 4 decimals, and never -0.0."""
    return round(value, 4) + 0.0


NOT_VERIFIED = "not verified"
_BIBLIOGRAPHY = ("title", "year", "edition", "publisher", "page", "section", "url", "accessed",
                 "identifier", "clause", "date")


def source_json(source: Source) -> dict[str, Any]:
    """A post keeps today's keys (so existing outputs do not change); other kinds
    add kind, name and their filled-in fields; "verified" appears, false, only
    for a quote that no shipped text backs (docs/json.md)."""
    out: dict[str, Any] = {"id": source.id, "author": source.author,
                           "quote": " ".join(source.quote.split()),
                           "best_answer": source.best_answer, "posted": source.posted,
                           "favorites": source.favorites}
    if source.kind != "post":
        out["kind"] = source.kind
        out["name"] = source.name
        if source.authors:
            out["authors"] = list(source.authors)
        out.update({key: getattr(source, key) for key in _BIBLIOGRAPHY if getattr(source, key)})
    if not source.verified:
        out["verified"] = False
    return out


def source_label(source: Source) -> str:
    """How the "cited" column names a source, marked when its quote is unchecked."""
    return source.name + ("" if source.verified else f" ({NOT_VERIFIED})")


def attribution(source: Source) -> str:
    """The line under a quote: who said it, where, and whether it was checked."""
    if source.kind == "post":
        badge = ", best answer" if source.best_answer else ""
        when = f", {source.posted}" if source.posted else ""
        text = f"{source.author}{when}{badge}"
    else:
        text = source.citation
    return text + ("" if source.verified else f" ({NOT_VERIFIED})")


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
            "conflict": item.conflict,
            "strength": strength(item.certainty),
            # only for a hypothesis in an exclusive group that ties (docs/json.md)
            **({"group": item.conclusion.group} if item.conclusion.group else {}),
            **({"tied_with": list(item.tied_with)} if item.tied_with else {})}


def rank_text(item: Ranked) -> str:
    """The rank as shown: "1=" when it ties with another member of its group."""
    return f"{item.rank}=" if item.tied_with else str(item.rank)


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


WIDTH = 78  # the widest text lines get; fit(WIDTH) is narrower on a narrow terminal


ASPECT = {"recommendation": "the recommendation", "top_hypothesis": "the top hypothesis"}


def aspect(result: Result, key: str) -> str:
    """ASPECT in the pack's own words ("the top wine")."""
    if key == "top_hypothesis":
        return f"the top {result.pack.words.hypothesis}"
    return ASPECT.get(key, key)


def _aspects(result: Result) -> str:
    """What an answer could change: the top hypothesis, and the recommendation when the
    pack has actions to recommend."""
    top = aspect(result, "top_hypothesis")
    return f"{top} or the recommendation" if result.pack.actions() else top


def unknowns_text(result: Result, unknowns: list[Unknown]) -> str:
    """The "Still unknown" section after a table: each fact that matters, its question."""
    unexamined = unknowns_search(result).unexamined
    if not unknowns:
        missing = [f for f in missing_tested(result) if f not in unexamined]
        if not missing:
            return stopped_text(unexamined, "")
        return "\n".join(textwrap.wrap(
            f"Still unknown: {', '.join(missing)} (no single answer would change "
            f"{_aspects(result)})", fit(WIDTH))) + "\n" + stopped_text(unexamined, "")
    out = ["Still unknown (an answer could change the advice)"]
    for u in unknowns:
        what = " and ".join(aspect(result, k) for k in u.could_change)
        out.append(f"  {u.fact}: could change {what}")
        out.extend(textwrap.wrap(" ".join(u.question.split()), fit(WIDTH), initial_indent="    ",
                                 subsequent_indent="    "))
    others = [f for f in missing_tested(result)
              if f not in {u.fact for u in unknowns} and f not in unexamined]
    if others:
        out += textwrap.wrap(f"Also unknown, but no single answer would change the advice: "
                             f"{', '.join(others)}", fit(WIDTH), initial_indent="  ",
                             subsequent_indent="  ")
    return "\n".join(out) + "\n" + stopped_text(unexamined, "  ")


def stopped_note(unexamined: list[str]) -> str:
    """What an analysis that ran out of budget says instead of a result ('' if none)."""
    if not unexamined:
        return ""
    return (f"not examined (the analysis stopped after {analysis.MAX_EVALUATIONS} "
            f"evaluations): "
            f"{', '.join(unexamined)}")


def stopped_text(unexamined: list[str], indent: str) -> str:
    note = stopped_note(unexamined)
    if not note:
        return ""
    return "\n".join(textwrap.wrap(note[0].upper() + note[1:], WIDTH, initial_indent=indent,
                                   subsequent_indent=indent)) + "\n"


def missing_tested(result: Result) -> list[str]:
    """Input facts some rule tests (or whose answer opens a fact that one does) that the
    situation leaves unknown and that are worth asking (their ``asked_when`` holds)."""
    from hunch.explain.relevance import gated_by, relevant

    pack, values = result.pack, result.situation.values
    tested = fact_tests(pack)
    return [f for f in pack.facts if f not in values and relevant(pack, f, values)
            and (f in tested or any(g in tested for g in gated_by(pack, f)))]
