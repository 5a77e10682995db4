"""The built-in interview-silence pack moves the way a reader of the thread expects
(issue 13): property tests over situations hypothesis draws from its facts."""

from __future__ import annotations

import os
import re
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import hunch
from hunch.engine.evaluate import Result
from hunch.pack.model import Pack

PACK: Pack = hunch.load_pack("interview-silence")
FOLLOW_UPS = ("unreturned_calls", "unanswered_emails", "missed_callbacks")
GIVING_UP = {"let-it-go", "float-your-resume"}
BEFORE_THEIR_DATE = {"overdue", "silence_past_promise", "drawn_out_silence",
                     "pattern_of_avoidance", "broken_promises"}


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def _fact_strategy(name: str) -> st.SearchStrategy[Any]:
    """Values from the fact's declaration, over the span the rules care about."""
    spec = PACK.facts[name]
    if spec.type == "boolean":
        value: st.SearchStrategy[Any] = st.booleans()
    elif spec.type == "enum":
        value = st.sampled_from(list(spec.values or []))
    elif name in FOLLOW_UPS:
        value = st.integers(0, 4)
    else:
        value = st.integers(0, 60)
    return value if spec.required else _optional(value)


SITUATIONS = st.fixed_dictionaries({name: _fact_strategy(name) for name in PACK.facts}).map(
    lambda facts: {k: v for k, v in facts.items() if v is not None})

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _run(facts: dict[str, Any]) -> Result:
    return hunch.evaluate(PACK, facts)


def _cf(result: Result, conclusion: str) -> float:
    item = result.get(conclusion)
    return item.certainty if item else 0.0


def _past_their_date(facts: dict[str, Any]) -> bool:
    promised = facts.get("promised_decision_days")
    return bool(facts["days_since_interview"] > (7 if promised is None else promised))


class TestHowAdviceMoves:
    @SETTINGS
    @given(facts=SITUATIONS, which=st.sampled_from(FOLLOW_UPS))
    def test_another_unanswered_follow_up_never_lowers_decided_against_you(
            self, facts: dict[str, Any], which: str) -> None:
        more = {**facts, which: facts.get(which, 0) + 1}
        assert _cf(_run(more), "decided-against-you") >= \
            _cf(_run(facts), "decided-against-you") - 1e-9

    @SETTINGS
    @given(facts=SITUATIONS, extra=st.integers(1, 40))
    def test_a_longer_silence_past_their_date_never_lowers_decided_against_you(
            self, facts: dict[str, Any], extra: int) -> None:
        assume(_past_their_date(facts))
        later = {**facts, "days_since_interview": facts["days_since_interview"] + extra}
        assert _cf(_run(later), "decided-against-you") >= \
            _cf(_run(facts), "decided-against-you") - 1e-9

    @SETTINGS
    @given(facts=SITUATIONS)
    def test_negative_feedback_never_lowers_decided_against_you_below_positive(
            self, facts: dict[str, Any]) -> None:
        bad = _run({**facts, "interview_feedback": "negative"})
        good = _run({**facts, "interview_feedback": "positive"})
        assert _cf(bad, "decided-against-you") >= _cf(good, "decided-against-you") - 1e-9
        assert _cf(bad, "interview-went-badly") > _cf(good, "interview-went-badly")

    @SETTINGS
    @given(facts=SITUATIONS)
    def test_no_give_up_advice_without_a_follow_up(self, facts: dict[str, Any]) -> None:
        none_yet = {**facts, **dict.fromkeys(FOLLOW_UPS, 0)}
        result = _run(none_yet)
        assert result.recommendation is None or result.recommendation.id not in GIVING_UP
        assert all(_cf(result, c) <= 0 for c in GIVING_UP)

    @SETTINGS
    @given(facts=SITUATIONS)
    def test_nothing_is_overdue_before_their_date(self, facts: dict[str, Any]) -> None:
        assume("promised_decision_days" in facts)
        assume(facts["days_since_interview"] <= facts["promised_decision_days"])
        result = _run(facts)
        assert not BEFORE_THEIR_DATE & set(result.derived_facts()) - {"broken_promises"}
        if not facts.get("missed_callbacks"):  # a missed call-back is a broken promise any day
            assert "broken_promises" not in result.derived_facts()
        assert result.recommendation is None or result.recommendation.id not in GIVING_UP


class TestWeightMethod:
    """Every cf in the pack is strength x standing x circumstance, as the per-rule
    table in docs/interview-silence.md says (so the method stays applied)."""

    STRENGTH: ClassVar[dict[str, float]] = {"E": 0.5, "F": 0.4, "H": 0.25, "P": 0.15}
    SECONDED: ClassVar[set[str]] = {"seniorzo", "scarabic", "nobody", "amtho"}  # salvia
    ROW = re.compile(r"^\| `([a-z0-9-]+)` \| ([+−])([0-9.]+) `([a-z0-9-]+)` \| .*? \| "
                     r"([EFHP]) \| ([0-9.]+) \| (×1\.5|—) \| ", re.M)

    def test_every_weight_follows_the_method(self) -> None:
        path = os.path.join(os.path.dirname(__file__), "..", "docs", "interview-silence.md")
        with open(path, encoding="utf-8") as handle:
            rows = {(m[0], m[3]): m for m in self.ROW.findall(handle.read())}
        effects = {(rule.id, e.target): (rule, e) for rule in PACK.rules for e in rule.then
                   if e.kind != "derive"}
        assert set(rows) == set(effects)
        for key, (rule, effect) in effects.items():
            _, sign, cf, _, code, standing, circ = rows[key]
            source = PACK.sources[rule.cites[0]]
            expected = (1 + 0.5 * source.best_answer + 0.25 * (source.author in self.SECONDED)
                        + 0.1 * source.favorites)
            assert float(standing) == pytest.approx(expected), key
            factor = 1.5 if circ == "×1.5" else 1.0
            weight = min(0.9, round(self.STRENGTH[code] * expected * factor, 2))
            assert effect.cf == pytest.approx(weight), key
            assert float(cf) == pytest.approx(effect.cf), key
            assert (sign == "+") == (effect.kind == "support"), key
