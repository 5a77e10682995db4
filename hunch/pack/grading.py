"""Certainty from graded evidence: the grade tables and the one formula (docs/certainty.md).

A rule says what kind of evidence it is (``evidence: {standing, hedge, fit}``); the
pack says once, in pack.yaml ``grading:``, what each grade is worth, over the
default table below. The cf of a support or oppose effect that gives none is

    min(max, min(1, standing + seconded x seconders) x hedge x fit)

with the product rounded to hundredths (as hand-written weights are) and never
below 0.01 (a cf is in (0, 1]). Each factor only grows with its grade and the cap and rounding keep
order, so a better grade never lowers a cf (tests/test_grading.py checks it).
"""

from __future__ import annotations

from hunch.pack.model import Evidence, Grading, Pack

# Defaults, best first in each dimension. Why these numbers: docs/certainty.md.
DEFAULT_STANDING: dict[str, float] = {
    "best-answer": 0.9,  # marked best answer of a thread
    "answer": 0.7,  # an answer to the question asked
    "seconding": 0.5,  # "I agree with X": weight it by X, through seconded_by
    "aside": 0.4,  # said in passing ("oh, and I forgot")
    "anecdote": 0.4,  # one person's story
    "question": 0.3,  # a question asked back to the asker
    "asker": 0.2,  # the asker's own words: their fear, their guess
    "requirement": 0.9,  # a standard's requirement (shall)
    "warning": 0.8,  # a manual's warning
    "step": 0.8,  # a manual's step
    "note": 0.6,  # a manual's note
    "other": 0.6,  # any other kind of source
}
DEFAULT_HEDGE: dict[str, float] = {"states": 1.0, "likely": 0.75, "may": 0.5, "asks": 0.25}
DEFAULT_FIT: dict[str, float] = {"own": 1.0, "analogous": 0.75, "general": 0.5}
DEFAULT_SECONDED = 0.1
DEFAULT_MAX = 0.9

DEFAULT_GRADING = Grading(standing=DEFAULT_STANDING, hedge=DEFAULT_HEDGE, fit=DEFAULT_FIT,
                          seconded=DEFAULT_SECONDED, max=DEFAULT_MAX)

DIMENSIONS = ("standing", "hedge", "fit")

# Orders a pack's table must keep (each pair: the first is worth at least the
# second), so that "a better grade" means the same in every pack. Standing is only
# partly ordered: a manual's note and a forum aside are not comparable.
ORDER: dict[str, tuple[tuple[str, str], ...]] = {
    "standing": (("best-answer", "answer"), ("answer", "seconding"), ("answer", "aside"),
                 ("answer", "anecdote"), ("answer", "question"), ("answer", "asker"),
                 ("step", "note"), ("warning", "note")),
    "hedge": (("states", "likely"), ("likely", "may"), ("may", "asks")),
    "fit": (("own", "analogous"), ("analogous", "general")),
}


def table(grading: Grading, dimension: str) -> dict[str, float]:
    """One dimension's grade -> number table."""
    out: dict[str, float] = getattr(grading, dimension)
    return out


def graded_cf(grading: Grading, evidence: Evidence) -> float:
    """The certainty factor the grades give (the formula in the module docstring).

    Grade names must be in the table (reading checks them); a name that is not
    counts as the dimension's lowest value, so a broken pack still computes.
    """
    factors = []
    for dimension in DIMENSIONS:
        values = table(grading, dimension)
        factors.append(values.get(getattr(evidence, dimension), min(values.values())))
    standing = min(1.0, factors[0] + grading.seconded * len(evidence.seconded_by))
    # rounded before the cap, so the cap holds exactly; floored at 0.01, as a cf is > 0
    return min(grading.max, max(0.01, round(standing * factors[1] * factors[2], 2)))


def order_problems(grading: Grading) -> list[tuple[str, str]]:
    """(dimension, message) for each pair of the table out of ORDER."""
    out = []
    for dimension, pairs in ORDER.items():
        values = table(grading, dimension)
        for better, worse in pairs:
            if better in values and worse in values and values[better] < values[worse]:
                out.append((dimension, f"grading: {dimension} {worse!r} ({values[worse]}) is "
                                       f"worth more than {better!r} ({values[better]})"))
    return out


def grade_words(evidence: Evidence | None) -> str:
    """The grades in a few words: "best-answer, may, analogous (+1 seconding)"."""
    if evidence is None:
        return ""
    text = f"{evidence.standing}, {evidence.hedge}, {evidence.fit}"
    if evidence.seconded_by:
        text += f" (+{len(evidence.seconded_by)} seconding)"
    return text


def seconders(pack: Pack) -> set[str]:
    """Every source some rule names in ``seconded_by`` (a seconder is cited)."""
    return {sid for rule in pack.rules for effect in rule.then if effect.evidence
            for sid in effect.evidence.seconded_by}


__all__ = ["DEFAULT_GRADING", "DIMENSIONS", "ORDER", "grade_words", "graded_cf",
           "order_problems", "seconders"]
