"""POST /v1/next-question/{pack}: the page's consultation asks what `hunch ask` asks,
in the same goal-driven order (hunch.consult.ask), one question at a time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from hunch.consult.ask import Consultation
from hunch.pack.yamlsource import load_file
from hunch.serve.app import Config, create_app
from tests.test_serve import local, shared

PACK = "interview-silence"
URL = f"/v1/next-question/{PACK}"


@pytest.fixture
def client() -> Iterator[TestClient]:
    with local(create_app(Config(), shared())) as c:
        yield c


def asker() -> dict[str, Any]:
    with open("examples/asker.yaml", encoding="utf-8") as f:
        data = yaml.safe_load(f)
    assert isinstance(data, dict)
    return {k: v for k, v in data.items() if not k.startswith("_")}


def ask(client: TestClient, given: dict[str, Any], **extra: Any) -> dict[str, Any]:
    r = client.post(URL, json={"input": given, **extra})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


class TestTheOrderOfHunchAsk:
    def test_first_the_required_fact_asked_as_its_date(self, client: TestClient) -> None:
        q = ask(client, {})["next"]
        assert q["name"] == "days_since_interview"
        assert q["required"] is True and q["ask_as"] == "interview_date"
        assert q["question"] == "How many days ago was the interview?"
        assert q["why"].startswith("The advice starts from this answer")

    def test_every_step_is_the_one_ask_would_take(self, client: TestClient) -> None:
        """Answering from examples/asker.yaml (a fact it leaves out: I don't know), the
        API asks exactly the facts, in the order, that a Consultation asks, and ends
        with null when no answer could change the advice."""
        pack = shared().packs[PACK].pack
        facts = asker()
        consultation = Consultation(pack)
        given: dict[str, Any] = {}
        asked = []
        for _ in range(len(pack.facts) + 1):
            body = ask(client, given)
            expected = consultation.next_question()
            got = body["next"]["name"] if body["next"] else None
            assert got == expected
            if got is None:
                break
            asked.append(got)
            given[got] = facts.get(got)
            consultation.answer(got, facts.get(got))
        else:
            pytest.fail("the consultation never ended")
        assert len(asked) < len(pack.facts)  # it stopped before asking everything
        assert asked[0] == "days_since_interview"

    def test_with_dates_and_the_log_every_step_is_asks(self, client: TestClient) -> None:
        """Answering examples/asker-dates.yaml as a person would (the dates, the log as a
        list, Enter elsewhere), every step names the fact ask would ask next and asks it as
        ask does (ask_as: a date, the follow-up log, or the fact itself)."""
        from datetime import date

        pack = shared().packs[PACK].pack
        case = load_file("examples/asker-dates.yaml").data  # YAML 1.2: dates as text
        consultation = Consultation(pack, as_of=date(2026, 12, 7))
        given: dict[str, Any] = {}
        steps = []
        for _ in range(len(pack.facts) + 1):
            body = ask(client, given, as_of="2026-12-07")
            fact = consultation.next_question()
            got = body["next"]
            assert ((got["name"], got["ask_as"]) if got else None) == \
                ((fact, consultation.ask_as(fact)) if fact else None)
            if fact is None:
                break
            source = consultation.ask_as(fact)
            steps.append(source or fact)
            if source == "follow_ups":
                entries = case[source]
                given[source] = entries
                assert consultation.answer_log(fact, [
                    {k: date.fromisoformat(v) if k in ("date", "callback_promised_for") else v
                     for k, v in e.items()} for e in entries]) == ""
            elif source:
                given[source] = str(case[source]) if source in case else None
                if source in case:
                    assert consultation.answer_date(fact, str(case[source])) == ""
                else:
                    consultation.answer(fact, None)
            else:
                given[fact] = case.get(fact)
                consultation.answer(fact, case.get(fact))
        else:
            pytest.fail("the consultation never ended")
        assert steps[0] == "interview_date" and "follow_ups" in steps
        assert not {"unreturned_calls", "missed_callbacks"} & set(steps)

    def test_a_count_given_as_a_number_is_asked_on_as_numbers(self,
                                                               client: TestClient) -> None:
        """As in ask: with the interview given as days, the promised date is asked as days
        too (it is counted from the interview's date); with one count of the log given
        as a number, the log's other counts are asked as numbers."""
        pack = shared().packs[PACK].pack
        consultation = Consultation(pack, {"days_since_interview": 23})
        given: dict[str, Any] = {"days_since_interview": 23}
        asked = []
        for _ in range(len(pack.facts)):
            q = ask(client, given)["next"]
            fact = consultation.next_question()
            if q is None or fact is None:
                assert q is None and fact is None
                break
            assert (q["name"], q["ask_as"]) == (fact, consultation.ask_as(fact))
            asked.append((q["name"], q["ask_as"]))
            value = 2 if q["ask_as"] == "follow_ups" else None
            given[q["name"]] = value
            consultation.answer(q["name"], value)
        assert ("promised_decision_days", None) in asked
        logged = [name for name, as_ in asked if as_ == "follow_ups"]
        assert len(logged) == 1  # once a count is a number, the rest are numbers too
        assert any(as_ is None and name in ("unreturned_calls", "unanswered_emails",
                                            "days_since_last_contact") for name, as_ in asked)

    def test_why_says_what_the_answer_could_change(self, client: TestClient) -> None:
        q = ask(client, {"days_since_interview": 23})["next"]
        assert q["why"].startswith("Your answer")
        assert "could change" in q["why"] or "narrows" in q["why"]


    def test_why_names_the_recommendation_the_page_shows(self, client: TestClient) -> None:
        """At every step of "I don't know" to the follow-up log, the recommendation the
        hint names is the one a decision for the same answers gives (what the page shows
        above the question). It named none ("none yet") once a fact with a default was
        answered "I don't know": the consultation keeps it unknown, a decision takes its
        default."""
        given: dict[str, Any] = {"interview_date": "2026-11-14"}
        named = []
        for _ in range(len(shared().packs[PACK].pack.facts)):
            body = {"input": given, "as_of": "2026-12-07"}
            q = ask(client, given, as_of="2026-12-07")["next"]
            decided = client.post(f"/v1/decisions/{PACK}", json=body).json()
            shown = decided["recommendation"]["title"] if decided["recommendation"] else None
            if "(now: " in q["why"]:
                named.append(q["why"].split("(now: ")[1].split(")")[0])
                assert named[-1] == (shown or "none yet"), (q["name"], q["why"])
            if q["ask_as"] == "follow_ups":
                break
            given[q["ask_as"] or q["name"]] = None
        else:
            pytest.fail("the follow-up log was never asked")
        assert len(named) >= 3 and given["recruiter_left"] is None


class TestIDontKnowAndDates:
    def test_null_is_i_dont_know_and_is_not_asked_again(self, client: TestClient) -> None:
        first = ask(client, {"days_since_interview": 23})["next"]["name"]
        second = ask(client, {"days_since_interview": 23, first: None})["next"]
        assert second is None or second["name"] != first

    def test_a_date_answers_the_number_it_computes(self, client: TestClient) -> None:
        body = ask(client, {"interview_date": "2026-11-14"}, as_of="2026-12-07")
        assert body["next"]["name"] != "days_since_interview"

    def test_the_log_answers_every_count_it_computes(self, client: TestClient) -> None:
        counts = {"unreturned_calls", "unanswered_emails", "missed_callbacks",
                  "days_since_last_contact"}
        given: dict[str, Any] = {"interview_date": "2026-11-14", "follow_ups": []}
        seen = set()
        for _ in range(30):
            q = ask(client, given, as_of="2026-12-07")["next"]
            if q is None:
                break
            seen.add(q["name"])
            given[q["ask_as"] or q["name"]] = None
        assert not seen & counts

    def test_a_missing_date_is_asked_as_that_date(self, client: TestClient) -> None:
        given: dict[str, Any] = {"interview_date": "2026-11-14"}
        for _ in range(30):
            q = ask(client, given, as_of="2026-12-07")["next"]
            if q is None or q["name"] == "needs_answer_by_days":
                break
            given[q["ask_as"] or q["name"]] = None
        assert q is not None and q["ask_as"] == "needs_answer_by_date"


class TestBadInput:
    def test_a_bad_value_names_the_question(self, client: TestClient) -> None:
        r = client.post(URL, json={"input": {"unreturned_calls": 500}})
        assert r.status_code == 400
        error = r.json()["errors"][0]
        assert error["pointer"] == "/input/unreturned_calls"
        assert "asked as: How many of your calls" in error["message"]

    def test_unknown_fact_bad_as_of_and_unknown_key(self, client: TestClient) -> None:
        assert client.post(URL, json={"input": {"nope": 1}}).status_code == 400
        r = client.post(URL, json={"input": {}, "as_of": "07/12/2026"})
        assert r.status_code == 400 and r.json()["errors"][0]["pointer"] == "/as_of"
        r = client.post(URL, json={"inputs": {}})
        assert r.status_code == 400 and "did you mean" in r.json()["message"]

    def test_a_future_interview_is_refused(self, client: TestClient) -> None:
        r = client.post(URL, json={"input": {"interview_date": "2026-12-20"},
                                   "as_of": "2026-12-07"})
        assert r.status_code == 400
        assert r.json()["errors"][0]["pointer"].startswith("/input/interview_date")

    def test_unknown_pack_is_404(self, client: TestClient) -> None:
        assert client.post("/v1/next-question/nope", json={"input": {}}).status_code == 404


class TestDocumented:
    def test_openapi_describes_it_and_stays_valid(self, client: TestClient) -> None:
        from openapi_spec_validator import validate

        doc = client.get("/openapi.json").json()
        validate(doc)
        op = doc["paths"][URL]["post"]
        assert set(op["responses"]) >= {"200", "400"}
        answers = doc["components"]["schemas"]["InterviewSilenceAnswers"]
        assert "required" not in answers
        assert "null" in answers["properties"]["days_since_interview"]["type"]


class TestAsOfAsDocumented:
    """What the OpenAPI document says of as_of and dates is what the server does
    (schemathesis found each of these accepted)."""

    def test_a_batch_refuses_a_bad_as_of_even_with_no_items(self, client: TestClient) -> None:
        r = client.post(f"/v1/decisions/{PACK}/batch", json={"inputs": [], "as_of": ""})
        assert r.status_code == 400 and r.json()["errors"][0]["pointer"] == "/as_of"

    def test_a_date_is_exactly_yyyy_mm_dd(self, client: TestClient) -> None:
        for bad in (" 2026-12-07", "2026-12-07 ", "٢٠٢٦-١٢-٠٧"):
            r = client.post(URL, json={"input": {}, "as_of": bad})
            assert r.status_code == 400, bad
        assert client.post(URL, json={"input": {}, "as_of": None}).status_code == 200
