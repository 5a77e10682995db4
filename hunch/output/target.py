"""`hunch what-if --flip --target ID` as text and JSON (docs/explain.md)."""

from __future__ import annotations

import textwrap
from typing import Any

from hunch.engine.evaluate import Ranked, Result
from hunch.explain.target import TargetSearch
from hunch.explain.world import fmt_value, where_of
from hunch.output.explanation import WIDTH, _brief_json, _was
from hunch.output.formats import fmt_cf, rounded


def target_text(result: Result, search: TargetSearch) -> str:
    goal = search.goal_words
    out = [f"Toward: {search.title} ({search.target}) {_as(search)}",
           f"now: certainty {fmt_cf(search.certainty)}; top hypothesis: "
           f"{_short(_top(result))}; recommendation: {_short(result.recommendation)}",
           f"situation: {result.situation.file}", ""]
    if search.reached:
        out.append(f"It is already {goal}: nothing to change.")
        return "\n".join(out) + "\n"
    if search.changes:
        out.append(f"Smallest changes ({_facts(search.size)} each) that make it {goal}:")
        for n, change in enumerate(search.changes, start=1):
            for i, f in enumerate(change.facts):
                lead = f"{n:>3}. " if i == 0 else "     "
                out.append(f"{lead}{f.fact}: {_was(result.situation, f.fact)} -> "
                           f"{fmt_value(f.after)}")
            out += textwrap.wrap(f"then {search.target} {fmt_cf(change.certainty)}; top "
                                 f"hypothesis {_short(change.top_hypothesis)}; recommendation "
                                 f"{_short(change.recommendation)}", WIDTH,
                                 initial_indent="     ", subsequent_indent="       ",
                                 break_long_words=False, break_on_hyphens=False)
    elif search.searched:
        out.append(f"No change of up to {_facts(search.searched)} (at the values the rules "
                   f"test) makes it {goal}.")
    else:
        out.append(f"No change found before the search's bound makes it {goal}.")
    out += ["", textwrap.fill(_search_line(search), WIDTH, break_on_hyphens=False)]
    return "\n".join(out) + "\n"


def _facts(n: int) -> str:
    return "1 fact" if n == 1 else f"{n} facts"


def _as(search: TargetSearch) -> str:
    if search.goal == "top":
        return f"as {search.goal_words}"
    return f"({search.goal_words})"


def _search_line(search: TargetSearch) -> str:
    spent = f"{search.evaluations} of {search.bound} evaluations"
    if search.stopped:
        size = search.searched + 1
        tried = "every smaller one was tried; " if size > 1 else ""
        maybe = f"other combinations of {_facts(size)} may work too" if search.changes \
            else f"a combination of {_facts(size)} or more may work"
        return (f"The search stopped at its bound ({spent}) while trying combinations of "
                f"{_facts(size)}: {tried}{maybe} (raise --max-evaluations).")
    if search.changes:
        return f"Searched every combination of up to {_facts(search.searched)} ({spent})."
    return (f"Searched every combination of up to {_facts(search.searched)} ({spent}); "
            f"--max-facts (at most 4) tries bigger ones.")


def _top(result: Result) -> Ranked | None:
    best = result.hypotheses[0] if result.hypotheses else None
    return best if best is not None and best.certainty > 0 else None


def _short(item: Ranked | None) -> str:
    return f"{item.id} ({fmt_cf(item.certainty)})" if item else "none"


def target_json(result: Result, search: TargetSearch) -> dict[str, Any]:
    """The "target" object of `hunch what-if --format json --target ID`."""
    return {
        "id": search.target,
        "title": search.title,
        "kind": search.kind,
        "goal": search.goal,
        "certainty": rounded(search.certainty),
        "reached": search.reached,
        "size": search.size,
        "changes": [{"facts": [{"fact": f.fact, "question": " ".join(f.question.split()),
                                "before": f.before, "given": f.given,
                                "where": where_of(result.situation, f.fact), "after": f.after}
                               for f in c.facts],
                     "certainty": rounded(c.certainty),
                     "recommendation": _brief_json(c.recommendation),
                     "top_hypothesis": _brief_json(c.top_hypothesis)} for c in search.changes],
        "search": {"max_facts": search.max_facts, "searched": search.searched,
                   "evaluations": search.evaluations, "bound": search.bound,
                   "stopped_at_bound": search.stopped},
    }


__all__ = ["target_json", "target_text"]
