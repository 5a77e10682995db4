"""A pack's own words for its conclusions, and its reporting threshold, as the output uses them.

``pack.words`` (pack.yaml ``words:``) names the kinds: a wine adviser's hypotheses are
"wines", so its table is headed "Wines (most likely first)" and no sentence calls a
wine an "explanation". ``min_certainty`` (pack.yaml, or `hunch evaluate
--min-certainty`, which wins) leaves supported conclusions under it out of tables and
Markdown, counted in one line; JSON keeps every one and lists the hidden ids under
``below_min_certainty`` (docs/json.md).
"""

from __future__ import annotations

from hunch.engine.evaluate import Ranked, Result
from hunch.pack.model import Words
from hunch.pack.values import fmt_num


def words(result: Result) -> Words:
    return result.pack.words


def cap(text: str) -> str:
    """The first letter upper case, the rest as written ("wines" -> "Wines")."""
    return text[:1].upper() + text[1:]


def threshold(result: Result, given: float | None = None) -> float:
    """The reporting threshold: the one given (a flag) or the pack's, 0 for none."""
    return result.pack.min_certainty if given is None else given


def below(items: list[Ranked], floor: float) -> list[Ranked]:
    """Supported conclusions under the threshold (what the evidence is against is
    reported as such, whatever the threshold)."""
    return [item for item in items if item.certainty > 0 and round(item.certainty, 2) < floor]


def above(items: list[Ranked], floor: float) -> list[Ranked]:
    """The items that are shown: every one not under the threshold."""
    hidden = {item.id for item in below(items, floor)}
    return [item for item in items if item.id not in hidden]


def hidden_line(result: Result, floor: float) -> str:
    """"2 wines and 1 step under 0.2 not shown", or '' when nothing is hidden."""
    w = words(result)
    parts = []
    for items, one, many in ((result.hypotheses, w.hypothesis, w.hypotheses),
                             (result.actions, w.action, w.actions)):
        n = len(below(items, floor))
        if n:
            parts.append(f"{n} {one if n == 1 else many}")
    if not parts:
        return ""
    return (f"{' and '.join(parts)} under {fmt_num(floor)} not shown "
            f"(the minimum certainty; --min-certainty 0 shows them)")


__all__ = ["above", "below", "cap", "hidden_line", "threshold", "words"]
