"""The HTTP API's `as_of` (docs/time.md): dates in requests, the plan and the draft in
the decision's JSON, for the page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from hunch.serve.app import Config, create_app
from tests.test_serve import shared

INPUT = {"interview_date": "2026-11-14", "promised_decision_date": "2026-11-21",
         "follow_ups": [{"date": "2026-11-25", "kind": "email"}]}


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Config(), shared()), base_url="http://127.0.0.1:8000") as c:
        yield c


class TestAsOf:
    """A request's as_of counts the input's dates; the body says which date it used."""

    def test_decision_has_as_of_plan_and_draft(self, client: TestClient) -> None:
        r = client.post("/v1/decisions/interview-silence",
                        json={"input": INPUT, "as_of": "2026-11-28"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["as_of"] == "2026-11-28"
        assert body["next"][0]["from"] == "2026-11-28"
        assert "draft" in body["recommendation"]

    def test_the_input_s_own_as_of(self, client: TestClient) -> None:
        r = client.post("/v1/decisions/interview-silence",
                        json={"input": {**INPUT, "_as_of": "2026-12-01"}})
        assert r.json()["as_of"] == "2026-12-01"

    @pytest.mark.parametrize(("body", "pointer"), [
        ({"input": INPUT, "as_of": "28/11/2026"}, "/as_of"),
        ({"input": {**INPUT, "interview_date": "yesterday"}, "as_of": "2026-11-28"},
         "/input/interview_date"),
        ({"input": INPUT, "as_of": "2026-11-10"}, "/input/interview_date"),
    ])
    def test_bad_dates_are_400_with_a_pointer(self, client: TestClient, body: dict[str, object],
                                              pointer: str) -> None:
        r = client.post("/v1/decisions/interview-silence", json=body)
        assert r.status_code == 400, r.text
        assert pointer in r.text

    def test_batch_what_if_and_explain_take_it(self, client: TestClient) -> None:
        r = client.post("/v1/decisions/interview-silence/batch",
                        json={"inputs": [INPUT], "as_of": "2026-11-28"})
        assert r.json()["results"][0]["as_of"] == "2026-11-28"
        r = client.post("/v1/whatif/interview-silence",
                        json={"input": INPUT, "as_of": "2026-11-28", "flip": True})
        assert r.status_code == 200, r.text
        r = client.post("/v1/explain/interview-silence/overdue",
                        json={"input": INPUT, "as_of": "2026-11-28"})
        assert r.status_code == 200, r.text


class TestDescribe:
    """The pack's description tells a client which dates it takes and what they give."""

    def test_dates_in_the_pack_description(self, client: TestClient) -> None:
        dates = client.get("/v1/packs/interview-silence").json()["dates"]
        inputs = {i["name"]: i for i in dates["inputs"]}
        assert inputs["interview_date"]["type"] == "date"
        fields = {f["name"]: f for f in inputs["follow_ups"]["fields"]}
        assert fields["kind"]["values"] == ["call", "email"]
        assert dates["computed"]["days_since_interview"] == {"kind": "days_since",
                                                             "from": ["interview_date"]}
