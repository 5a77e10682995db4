"""POST /v1/next-question/{pack}: the page's consultation asks what `hunch ask` asks,
in the same goal-driven order (hunch.consult.ask), one question at a time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from hunch.consult.ask import Consultation
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

    def test_why_says_what_the_answer_could_change(self, client: TestClient) -> None:
        q = ask(client, {"days_since_interview": 23})["next"]
        assert q["why"].startswith("Your answer")
        assert "could change" in q["why"] or "narrows" in q["why"]


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
