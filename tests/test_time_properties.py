"""Property tests for dates (docs/time.md): shifting every date and the as-of date
together changes nothing, and the plan's dates are exactly where a day-by-day
evaluation changes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hunch.engine.evaluate import evaluate
from hunch.engine.load import load_pack
from hunch.explain.plan import Step, day_by_day, plan
from hunch.explain.unknowns import recommendation_id
from hunch.pack.dates import Inputs, inputs_of
from hunch.pack.validate import situation_from

PACK = load_pack(None)
BASE = date(2026, 11, 1)
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _day(n: int) -> str:
    return (BASE + timedelta(days=n)).isoformat()


@st.composite
def situations(draw: Any) -> tuple[dict[str, Any], int]:
    """A situation in date form and its as-of offset from BASE (in days)."""
    interview = draw(st.integers(0, 20))
    as_of = interview + draw(st.integers(0, 30))
    data: dict[str, Any] = {"interview_date": _day(interview)}
    if draw(st.booleans()):
        data["promised_decision_date"] = _day(interview + draw(st.integers(0, 14)))
    if draw(st.booleans()):
        data["needs_answer_by_date"] = _day(as_of + draw(st.integers(0, 20)))
    entries = []
    for _ in range(draw(st.integers(0, 4))):
        entry: dict[str, Any] = {"date": _day(interview + draw(st.integers(0, 40))),
                                 "kind": draw(st.sampled_from(["call", "email"])),
                                 "answered": draw(st.booleans())}
        if draw(st.booleans()):
            entry["callback_promised_for"] = _day(interview + draw(st.integers(0, 45)))
        entries.append(entry)
    if entries:
        data["follow_ups"] = entries
    for fact in ("coworker_championed_you", "hiring_freeze_rumored", "policy_or_union_concern"):
        if draw(st.booleans()):
            data[fact] = True
    data["interviewer_usual_responsiveness"] = draw(st.sampled_from(["prompt", "slow",
                                                                     "unknown"]))
    return data, as_of


def _shifted(data: dict[str, Any], n: int) -> dict[str, Any]:
    moved = inputs_of(PACK, data).shifted(n).as_data()
    return {**data, **moved}


def _advice(data: dict[str, Any], as_of: date) -> Any:
    result = evaluate(PACK, situation_from("<input>", data, {}, PACK, as_of))
    return ([(r.id, r.certainty) for r in result.hypotheses + result.actions],
            recommendation_id(result))


class TestShift:
    """Moving every date and the as-of date by the same amount changes nothing."""

    @SETTINGS
    @given(situations(), st.integers(-400, 400))
    def test_the_advice_is_the_same(self, case: tuple[dict[str, Any], int], n: int) -> None:
        data, as_of = case
        day = BASE + timedelta(days=as_of)
        assert _advice(data, day) == _advice(_shifted(data, n), day + timedelta(days=n))

    def test_shifting_moves_every_date(self) -> None:
        moved = Inputs({"interview_date": BASE}, {"follow_ups": [{"date": BASE, "kind": "call"}]})
        out = moved.shifted(3).as_data()
        assert out == {"interview_date": "2026-11-04",
                       "follow_ups": [{"date": "2026-11-04", "kind": "call"}]}


def _plan_steps(steps: list[Step], n: int = 0) -> list[Any]:
    """A plan's steps, comparable: start, advice, the follow-ups done (their dates,
    entries and whether assumed) and whether it follows an unanswered one; every date
    moved back by ``n`` days."""
    back = timedelta(days=n)
    return [(s.start - back, s.recommendation, s.after_no_answer,
             [(a.day - back, a.log, a.assumed,
               sorted((k, v - back if isinstance(v, date) else v) for k, v in a.entry.items()))
              for a in s.acts]) for s in steps]


class TestPlanIsExact:
    """The plan's steps are exactly those of a day-by-day evaluation: the same change
    dates, the same follow-ups assumed (each on the day the advice is to follow up and
    the log has none) and replayed, the same waiting folded into its follow-up step."""

    @SETTINGS
    @given(situations())
    def test_plan_equals_day_by_day(self, case: tuple[dict[str, Any], int]) -> None:
        data, offset = case
        as_of = BASE + timedelta(days=offset)
        sit = situation_from("<input>", data, {}, PACK, as_of)
        fast = _plan_steps(plan(PACK, sit, as_of, 90).steps)
        slow = _plan_steps(day_by_day(PACK, sit, as_of, 90))
        assert fast == slow

    @SETTINGS
    @given(situations(), st.integers(-400, 400))
    def test_shifting_every_date_shifts_the_plan(self, case: tuple[dict[str, Any], int],
                                                 n: int) -> None:
        data, offset = case
        as_of = BASE + timedelta(days=offset)
        moved = as_of + timedelta(days=n)
        one = plan(PACK, situation_from("<input>", data, {}, PACK, as_of), as_of, 90)
        two = plan(PACK, situation_from("<input>", _shifted(data, n), {}, PACK, moved), moved,
                   90)
        assert _plan_steps(one.steps) == _plan_steps(two.steps, n)
        assert (one.until, one.events) == (two.until - timedelta(days=n), two.events)

    def test_a_follow_up_step_holds_its_wait(self) -> None:
        """The asker's logged follow-ups: waiting for their answers is part of the
        follow-up step, so the plan never goes back to waiting."""
        data = {"interview_date": _day(13), "promised_decision_date": _day(20),
                "follow_ups": [{"date": _day(21), "kind": "call"}]}
        as_of = BASE + timedelta(days=19)
        steps = plan(PACK, situation_from("<input>", data, {}, PACK, as_of), as_of, 60).steps
        assert [(s.start.day, s.recommendation) for s in steps] == [
            (20, "wait-until-end-of-week"), (22, "follow-up-it-never-hurts"),
            (25, "follow-up-it-never-hurts"), (28, "let-it-go")]
        assert [a.assumed for s in steps for a in s.acts] == [False, True]
