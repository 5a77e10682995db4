"""`hunch serve`: the HTTP API through Starlette's TestClient, and the command itself."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

pytest.importorskip("starlette")
pytest.importorskip("prometheus_client")

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from hunch.cli.app import cli
from hunch.pack.read import BUILTIN_PACK_DIR, builtin_packs
from hunch.serve.app import Config, create_app
from hunch.serve.packs import Registry

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACK = "interview-silence"
# the asker's own case, as the example file has it (the pack's examples may change)
with open(os.path.join(ROOT, "examples", "asker.yaml"), encoding="utf-8") as _file:
    ASKER: dict[str, Any] = yaml.safe_load(_file)


def loaded(names: list[str] | None = None) -> Registry:
    registry = Registry(names or [])
    registry.load_all()
    assert registry.ready, registry.failed
    return registry


def local(app: Any) -> TestClient:
    """A client that names the server as a browser on this machine would (Host: 127.0.0.1)."""
    return TestClient(app, base_url="http://127.0.0.1:8000")


_SHARED: dict[str, Registry] = {}


def shared() -> Registry:
    """The built-in packs, loaded once for the module (requests never change them)."""
    if "r" not in _SHARED:
        _SHARED["r"] = loaded()
    return _SHARED["r"]


@pytest.fixture
def client() -> Iterator[TestClient]:
    with local(create_app(Config(), shared())) as c:
        yield c


def invoke(*args: str) -> Any:
    """The CLI run from the repository root, as the README runs it."""
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        return CliRunner().invoke(cli, list(args))
    finally:
        os.chdir(old)


def dated_asker() -> dict[str, Any]:
    """examples/asker-dates.yaml as a request's input (dates as text, as JSON has them)."""
    data = yaml.safe_load(Path("examples/asker-dates.yaml").read_text(encoding="utf-8"))
    out: dict[str, Any] = json.loads(json.dumps(
        {k: v for k, v in data.items() if not k.startswith("_")}, default=str))
    return out


def cli_json(*args: str) -> Any:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def cli_error(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 2
    return str(result.output).strip()


def without_ids(body: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in body.items() if k not in ("decision_id", "revision", "input")}
    return dict(strip_where(out))


def strip_where(data: Any) -> Any:
    """Explanations say where each input came from: a file:line, or the API's "/"; and
    they list the inputs in file order, which a JSON body does not have."""
    if isinstance(data, dict):
        return {k: "-" if k in ("situation", "before_where") or (
            k == "where" and isinstance(v, str) and v.startswith(("examples/", "/")))
            else sorted(strip_where(v), key=lambda i: i["fact"]) if k == "inputs"
            else strip_where(v) for k, v in data.items()}
    if isinstance(data, list):
        return [strip_where(v) for v in data]
    return data


class TestDecisions:
    """POST /v1/decisions/{pack} answers what `hunch evaluate --format json` prints."""

    def test_the_asker_gets_the_cli_result_plus_id_revision_and_input(
            self, client: TestClient) -> None:
        r = client.post(f"/v1/decisions/{PACK}", json={"input": ASKER})
        assert r.status_code == 200
        body = r.json()
        assert body["recommendation"]["id"] == "let-it-go"
        assert len(body["decision_id"]) == 32
        assert body["revision"].startswith("sha256:")
        assert body["input"] == ASKER
        expected = cli_json("evaluate", "--format", "json", "examples/asker.yaml")
        assert without_ids(body) == without_ids(expected)

    @pytest.mark.parametrize("mode", ["summary", "full"])
    def test_explain_adds_the_cli_explanations(self, client: TestClient, mode: str) -> None:
        body = client.post(f"/v1/decisions/{PACK}?explain={mode}", json={"input": ASKER}).json()
        expected = cli_json("evaluate", "--format", "json", f"--explain={mode}",
                            "examples/asker.yaml")
        assert without_ids(body) == without_ids(expected)
        # the top hypothesis and the recommendation, whichever the pack ranks there
        assert [x["id"] for x in body["explanations"]] == [
            expected["hypotheses"][0]["id"], expected["recommendation"]["id"]]

    def test_explain_off_is_the_plain_result(self, client: TestClient) -> None:
        body = client.post(f"/v1/decisions/{PACK}?explain=off", json={"input": ASKER}).json()
        assert "explanations" not in body

    def test_unknowns_off_skips_the_analysis_and_says_so(self, client: TestClient) -> None:
        full = client.post(f"/v1/decisions/{PACK}", json={"input": ASKER}).json()
        off = client.post(f"/v1/decisions/{PACK}?unknowns=off", json={"input": ASKER}).json()
        assert full["unknowns"] and "unknowns_complete" not in full
        assert off["unknowns"] == [] and off["unknowns_complete"] is False
        assert {u["fact"] for u in full["unknowns"]} <= set(off["unknowns_unexamined"])
        same = {k: v for k, v in off.items() if not k.startswith("unknowns")}
        assert without_ids(same) == without_ids(
            {k: v for k, v in full.items() if not k.startswith("unknowns")})
        explicit = client.post(f"/v1/decisions/{PACK}?unknowns=full", json={"input": ASKER})
        assert without_ids(explicit.json()) == without_ids(full)

    def test_unknowns_off_in_a_batch(self, client: TestClient) -> None:
        r = client.post(f"/v1/decisions/{PACK}/batch?unknowns=off",
                        json={"inputs": [ASKER, ASKER]})
        assert [x["unknowns_complete"] for x in r.json()["results"]] == [False, False]

    def test_next_off_skips_the_plan_and_says_so(self, client: TestClient) -> None:
        raw = Path(ROOT, "examples/asker-dates.yaml").read_bytes()
        yaml = {"Content-Type": "application/yaml"}
        full = client.post(f"/v1/decisions/{PACK}", content=raw, headers=yaml).json()
        off = client.post(f"/v1/decisions/{PACK}?next=off", content=raw, headers=yaml).json()
        assert full["next"] and "next_complete" not in full
        assert off["next"] == [] and off["next_complete"] is False
        assert off["as_of"] == full["as_of"] == "2026-12-07"
        rest = {k: v for k, v in off.items() if not k.startswith("next")}
        assert without_ids(rest) == without_ids(
            {k: v for k, v in full.items() if not k.startswith("next")})
        explicit = client.post(f"/v1/decisions/{PACK}?next=full", content=raw, headers=yaml)
        assert without_ids(explicit.json()) == without_ids(full)
        both = client.post(f"/v1/decisions/{PACK}?next=off&unknowns=off", content=raw,
                           headers=yaml).json()
        assert both["next_complete"] is False and both["unknowns_complete"] is False

    def test_next_off_without_dates_changes_nothing(self, client: TestClient) -> None:
        full = client.post(f"/v1/decisions/{PACK}", json={"input": ASKER}).json()
        off = client.post(f"/v1/decisions/{PACK}?next=off", json={"input": ASKER}).json()
        assert "next" not in off and "next_complete" not in off
        assert without_ids(off) == without_ids(full)

    def test_next_off_in_a_batch(self, client: TestClient) -> None:
        r = client.post(f"/v1/decisions/{PACK}/batch?next=off",
                        json={"inputs": [ASKER, ASKER], "as_of": "2026-12-07"})
        assert [(x["next"], x["next_complete"]) for x in r.json()["results"]] == \
            [([], False), ([], False)]

    def test_a_bad_next_is_a_400(self, client: TestClient) -> None:
        r = client.post(f"/v1/decisions/{PACK}?next=no", json={"input": ASKER})
        assert r.status_code == 400
        assert r.json()["errors"][0]["message"] == \
            "next=no: expected one of full, off (e.g. ?next=off)"
        doc = client.get("/openapi.json").json()
        for path in (f"/v1/decisions/{PACK}", f"/v1/decisions/{PACK}/batch"):
            params = {p["name"]: p for p in doc["paths"][path]["post"]["parameters"]}
            assert params["next"]["schema"]["enum"] == ["full", "off", ""]

    def test_every_decision_gets_its_own_id(self, client: TestClient) -> None:
        ids = {client.post(f"/v1/decisions/{PACK}", json={"input": ASKER}).json()["decision_id"]
               for _ in range(3)}
        assert len(ids) == 3

    def test_a_situation_file_can_be_posted_as_yaml(self, client: TestClient) -> None:
        raw = Path(ROOT, "examples/asker.yaml").read_bytes()
        r = client.post(f"/v1/decisions/{PACK}", content=raw,
                        headers={"Content-Type": "application/yaml"})
        assert r.status_code == 200
        assert r.json()["recommendation"]["id"] == "let-it-go"
        assert r.json()["input"] == ASKER

    def test_the_revision_is_a_content_hash_of_the_pack(self, tmp_path: Path) -> None:
        from hunch.serve.packs import revision

        copy = tmp_path / PACK
        shutil.copytree(os.path.join(BUILTIN_PACK_DIR, PACK), copy)
        first = revision(str(copy))
        os.utime(copy / "pack.yaml", (0, 0))
        assert revision(str(copy)) == first  # a touch is not a change
        with open(copy / "pack.yaml", "a", encoding="utf-8") as handle:
            handle.write("# edited\n")
        assert revision(str(copy)) != first


class TestBatch:
    """POST /v1/decisions/{pack}/batch: results in order, a bad item reported in place."""

    def test_results_in_order_with_the_bad_one_in_place(self, client: TestClient) -> None:
        inputs = [ASKER, {"days_since_interview": "soon"}, {"days_since_interview": 3,
                                                             "promised_decision_days": 7}]
        r = client.post(f"/v1/decisions/{PACK}/batch", json={"inputs": inputs})
        assert r.status_code == 200
        results = r.json()["results"]
        assert [x.get("recommendation", {}).get("id") if "error" not in x else "error"
                for x in results] == ["let-it-go", "error", "wait-until-end-of-week"]
        error = results[1]
        assert error["situation"] == "/inputs/1"
        assert error["error"]["code"] == "bad_input"
        assert error["error"]["errors"][0]["pointer"] == "/inputs/1/days_since_interview"

    def test_too_many_items_is_413(self) -> None:
        with local(create_app(Config(max_batch=2), shared())) as c:
            r = c.post(f"/v1/decisions/{PACK}/batch", json={"inputs": [ASKER] * 3})
        assert r.status_code == 413
        assert "--max-batch" in r.json()["message"]

    def test_inputs_must_be_a_list(self, client: TestClient) -> None:
        r = client.post(f"/v1/decisions/{PACK}/batch", json={"inputs": ASKER})
        assert r.status_code == 400
        assert r.json()["errors"][0]["pointer"] == "/inputs"


class TestWhatIfAndExplain:
    """POST /v1/whatif and /v1/explain answer what `hunch what-if` and `hunch explain` print."""

    def test_what_if_matches_the_cli(self, client: TestClient) -> None:
        r = client.post(f"/v1/whatif/{PACK}", json={"input": ASKER,
                                                     "set": {"needs_answer_by_days": 5}})
        assert r.status_code == 200
        body = r.json()
        assert body["after"]["recommendation"]["id"] == "call-once-with-deadline"
        assert body["recommendation_changed"] is True
        expected = cli_json("what-if", "examples/asker.yaml", "--set", "needs_answer_by_days=5",
                            "--format", "json")
        body.pop("revision")
        for data in (body, expected):
            data["situation"] = "-"
            for fact in data["facts"]:
                fact["before_where"] = "-"
        assert body == expected

    @pytest.mark.parametrize(("body", "item"), [
        ({"set": {"follow_ups": [{"date": "2026-11-22", "kind": "call"}]}},
         "follow_ups=[{date: 2026-11-22, kind: call}]"),
        ({"add": {"follow_ups": {"date": "2026-12-05", "kind": "email"}}},
         "follow_ups+={date: 2026-12-05, kind: email}"),
        ({"add": {"follow_ups": [{"date": "2026-12-05", "kind": "email"}]}},
         "follow_ups+=[{date: 2026-12-05, kind: email}]"),
        ({"set": {"follow_ups": []}}, "follow_ups=[]"),
        ({"set": {"interview_date": "2026-11-20"}}, "interview_date=2026-11-20"),
    ])
    def test_a_log_or_a_date_changed_as_the_cli_changes_it(
            self, client: TestClient, body: dict[str, Any], item: str) -> None:
        """"set" takes a date or a whole log, "add" entries added to a log: the what-if
        `hunch what-if --set` prints for the same change (docs/time.md)."""
        r = client.post(f"/v1/whatif/{PACK}", json={"input": dated_asker(), **body,
                                                     "as_of": "2026-12-07"})
        assert r.status_code == 200, r.text
        got = r.json()
        expected = cli_json("what-if", "examples/asker-dates.yaml", "--set", item,
                            "--as-of", "2026-12-07", "--format", "json")
        assert got["set"] == expected["set"] and got["set"]
        assert got["after"] == expected["after"]

    @pytest.mark.parametrize(("body", "item", "at"), [
        ({"add": {"follow_ups": [{"date": "2026-12-05", "kind": "email"},
                                 {"date": "2026-12-06", "kind": "fax"}]}},
         "follow_ups+=[{date: 2026-12-05, kind: email}, {date: 2026-12-06, kind: fax}]",
         "/add/follow_ups/1/kind"),
        ({"add": {"follow_ups": {"kind": "email"}}}, "follow_ups+={kind: email}",
         "/add/follow_ups"),
        ({"set": {"follow_ups": "2026-12-01"}}, "follow_ups=2026-12-01", "/set/follow_ups"),
        ({"set": {"follow_ups": [{"date": "2026-11-02", "kind": "call"}]}},
         "follow_ups=[{date: 2026-11-02, kind: call}]", "/set/follow_ups"),
        ({"set": {"interview_date": "soon"}}, "interview_date=soon", "/set/interview_date"),
        ({"set": {"interview_date": "2026-12-28"}}, "interview_date=2026-12-28",
         "/set/interview_date"),
        ({"add": {"interview_date": "2026-11-02"}}, "interview_date+=2026-11-02",
         "/add/interview_date"),
    ])
    def test_a_bad_log_or_date_is_the_cli_message_at_a_pointer(
            self, client: TestClient, body: dict[str, Any], item: str, at: str) -> None:
        r = client.post(f"/v1/whatif/{PACK}", json={"input": dated_asker(), **body,
                                                     "as_of": "2026-12-07"})
        assert r.status_code == 400, r.text
        problem = r.json()["errors"][0]
        assert problem["pointer"] == at
        cli = cli_error("what-if", "examples/asker-dates.yaml", "--set", item,
                        "--as-of", "2026-12-07")
        assert problem["message"].split(" (")[0] in cli  # the CLI's words, less its place

    def test_dates_out_of_range_point_at_the_change_named(self, client: TestClient) -> None:
        r = client.post(f"/v1/whatif/{PACK}", json={
            "input": dated_asker(), "as_of": "2026-12-07",
            "set": {"interview_date": "2026-12-28"},
            "add": {"follow_ups": {"date": "2026-12-05", "kind": "email"}}})
        assert r.status_code == 400
        assert r.json()["errors"][0]["pointer"] == "/set/interview_date"

    @pytest.mark.parametrize(("body", "at", "words"), [
        ({"add": {"nope": []}}, "/add/nope", "nope: not a log of this pack (logs: follow_ups)"),
        ({"add": {"follow_ups": None}}, "/add/follow_ups", "expected an entry or a list"),
        ({"add": []}, "/add", "add must be an object of logs"),
        ({"set": {"follow_ups": None}}, "/set/follow_ups", "expected a value, got nothing"),
    ])
    def test_add_names_a_log(self, client: TestClient, body: dict[str, Any], at: str,
                             words: str) -> None:
        r = client.post(f"/v1/whatif/{PACK}", json={"input": dated_asker(), **body,
                                                     "as_of": "2026-12-07"})
        assert r.status_code == 400 and r.json()["errors"][0]["pointer"] == at
        assert words in r.json()["message"]

    def test_flip_matches_the_cli(self, client: TestClient) -> None:
        body = client.post(f"/v1/whatif/{PACK}", json={"input": ASKER, "flip": True}).json()
        expected = cli_json("what-if", "examples/asker.yaml", "--flip", "--format", "json")
        assert [(f["fact"], f["after"]) for f in body["flips"]] == \
            [(f["fact"], f["after"]) for f in expected["flips"]]

    def test_what_if_needs_set_or_flip(self, client: TestClient) -> None:
        r = client.post(f"/v1/whatif/{PACK}", json={"input": ASKER})
        assert r.status_code == 400

    def test_set_errors_are_the_cli_messages_at_a_pointer(self, client: TestClient) -> None:
        r = client.post(f"/v1/whatif/{PACK}", json={"input": ASKER,
                                                     "set": {"needs_answer_by_dayz": 5}})
        assert r.status_code == 400
        problem = r.json()["errors"][0]
        assert problem["pointer"] == "/set/needs_answer_by_dayz"
        cli_message = cli_error("what-if", "examples/asker.yaml", "--set",
                                "needs_answer_by_dayz=5")
        assert "unknown fact 'needs_answer_by_dayz'" in problem["message"]
        assert "did you mean 'needs_answer_by_days'?" in problem["message"]
        assert "unknown fact 'needs_answer_by_dayz'" in cli_message

    def test_explain_gives_how_for_any_conclusion(self, client: TestClient) -> None:
        r = client.post(f"/v1/explain/{PACK}/decided-against-you", json={"input": ASKER})
        assert r.status_code == 200
        body = r.json()
        expected = cli_json("explain", "examples/asker.yaml", "decided-against-you",
                            "--format", "json")
        body.pop("revision")
        assert strip_where(body) == strip_where(expected)
        assert body["reached"] is True and body["support"]

    def test_explain_gives_why_not(self, client: TestClient) -> None:
        body = client.post(f"/v1/explain/{PACK}/call-once-with-deadline",
                           json={"input": ASKER}).json()
        assert body["reached"] is False and body["not_fired"]

    def test_an_unknown_conclusion_is_404(self, client: TestClient) -> None:
        r = client.post(f"/v1/explain/{PACK}/let-it-goo", json={"input": ASKER})
        assert r.status_code == 404
        assert r.json()["code"] == "unknown_conclusion"
        assert "did you mean 'let-it-go'?" in r.json()["message"]


class TestPacks:
    """GET /v1/packs, /v1/packs/{pack} and its schema; the OpenAPI document."""

    def test_lists_the_packs_with_revisions(self, client: TestClient) -> None:
        packs = client.get("/v1/packs").json()["packs"]
        assert [p["name"] for p in packs] == builtin_packs()
        assert all(p["revision"].startswith("sha256:") for p in packs)

    def test_a_pack_has_its_questions_conclusions_and_sources(self, client: TestClient) -> None:
        body = client.get(f"/v1/packs/{PACK}").json()
        facts = {f["name"]: f for f in body["facts"]}
        assert facts["days_since_interview"]["required"] is True
        assert facts["days_since_interview"]["unit"] == "days"
        assert facts["coworker_behavior_change"]["values"][0] == "none"
        assert facts["unreturned_calls"]["default"] == 0
        assert "let-it-go" in {c["id"] for c in body["conclusions"]}
        amtho = [s for s in body["sources"] if s["author"] == "amtho"]
        assert amtho and amtho[0]["where"]

    def test_schema_is_the_cli_schema(self, client: TestClient) -> None:
        assert client.get(f"/v1/packs/{PACK}/schema").json() == \
            cli_json("schema", "situation", "--rules", PACK)

    def test_openapi_names_each_packs_own_situation_type(self, client: TestClient) -> None:
        jsonschema = pytest.importorskip("jsonschema")

        doc = client.get("/openapi.json").json()
        assert doc["openapi"].startswith("3.1")
        body = doc["paths"][f"/v1/decisions/{PACK}"]["post"]["requestBody"]
        ref = body["content"]["application/json"]["schema"]["properties"]["input"]["$ref"]
        situation = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
        jsonschema.Draft202012Validator.check_schema(situation)
        jsonschema.validate(ASKER, situation)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**ASKER, "unreturned_calls": -1}, situation)
        assert "/v1/decisions/lend-money" in doc["paths"]


class TestService:
    """/health, /metrics, /version, /v1/status and the page."""

    def test_health_is_ready_with_the_revisions(self, client: TestClient) -> None:
        r = client.get("/health")
        assert r.status_code == 200
        assert set(r.json()["packs"]) == set(builtin_packs())

    def test_health_is_503_until_every_pack_has_loaded(self) -> None:
        gate = threading.Event()

        class Slow(Registry):
            def load_all(self) -> None:
                gate.wait(30)
                super().load_all()

        with local(create_app(Config(), Slow([PACK]))) as c:
            assert c.get("/health").status_code == 503
            r = c.post(f"/v1/decisions/{PACK}", json={"input": ASKER})
            assert r.status_code == 503 and r.json()["code"] == "loading"
            gate.set()
            for _ in range(300):
                if c.get("/health").status_code == 200:
                    break
                time.sleep(0.05)
            assert c.get("/health").status_code == 200

    def test_metrics_count_requests_evaluations_and_errors(self, client: TestClient) -> None:
        client.post(f"/v1/decisions/{PACK}", json={"input": ASKER})
        client.post("/v1/decisions/nope", json={"input": {}})
        r = client.get("/metrics")
        assert r.headers["content-type"].startswith("text/plain")
        text = r.text
        assert f'hunch_evaluations_total{{pack="{PACK}"}} 1.0' in text
        assert 'hunch_errors_total{code="unknown_pack"} 1.0' in text
        assert 'hunch_http_requests_total{method="POST",route="decisions",status="200"} 1.0' \
            in text
        assert "hunch_http_request_duration_seconds_bucket" in text

    def test_version(self, client: TestClient) -> None:
        from hunch.version import __version__

        body = client.get("/version").json()
        assert body["hunch"] == __version__
        assert body["packs"][PACK]["version"] == "1.0.0"

    def test_status_lists_each_pack(self, client: TestClient) -> None:
        body = client.get("/v1/status").json()
        assert body["ready"] is True
        assert body["packs"][PACK]["state"] == "ok"

    def test_the_page_and_its_files_are_served_with_a_strict_policy(
            self, client: TestClient) -> None:
        r = client.get("/")
        assert r.status_code == 200 and "<select id=\"pack\">" in r.text
        assert "default-src 'self'" in r.headers["content-security-policy"]
        for name in ("app.js", "app.css"):
            assert client.get(f"/static/{name}").status_code == 200
        # nothing from anywhere else: no absolute URL in the page's own files
        for name in ("index.html", "app.js", "app.css"):
            text = Path(ROOT, "hunch/serve/static", name).read_text(encoding="utf-8")
            assert "http://" not in text and "https://" not in text and "//cdn" not in text


def _containers(kids: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    keys = st.sampled_from([*ASKER, "x", "input"])
    return st.one_of(st.lists(kids, max_size=4), st.dictionaries(keys, kids, max_size=5))


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                           _containers, max_leaves=12)


class TestErrors:
    """Every error: one shape, the CLI's message, a pointer; never a 500 for bad input."""

    def error(self, r: Any, status: int, code: str) -> dict[str, Any]:
        assert r.status_code == status, r.text
        body = r.json()
        assert set(body) == {"code", "message", "errors"}
        assert body["code"] == code
        assert all(set(e) >= {"pointer", "message"} for e in body["errors"])
        assert "Traceback" not in r.text
        return dict(body)

    def test_a_bad_value_has_the_cli_message_and_a_pointer(self, client: TestClient,
                                                          tmp_path: Path) -> None:
        r = client.post(f"/v1/decisions/{PACK}", json={"input": {**ASKER,
                                                                  "unreturned_calls": 500}})
        body = self.error(r, 400, "bad_input")
        assert body["errors"][0]["pointer"] == "/input/unreturned_calls"
        bad = tmp_path / "bad.yaml"
        bad.write_text("days_since_interview: 23\nunreturned_calls: 500\n", encoding="utf-8")
        cli_line = cli_error("evaluate", str(bad))
        assert cli_line == f"{bad}:2:19: " + body["errors"][0]["message"]
        assert body["message"] == "/input/unreturned_calls: " + body["errors"][0]["message"]

    def test_every_problem_is_listed(self, client: TestClient) -> None:
        r = client.post(f"/v1/decisions/{PACK}", json={"input": {"unreturned_calls": -1,
                                                                  "nope": 1}})
        body = self.error(r, 400, "bad_input")
        assert [e["pointer"] for e in body["errors"]] == \
            ["/input/unreturned_calls", "/input/nope", "/input"]

    def test_yaml_errors_give_the_line_too(self, client: TestClient) -> None:
        r = client.post(f"/v1/decisions/{PACK}", content=b"days_since_interview: 23\nfoo: [1\n",
                        headers={"Content-Type": "application/yaml"})
        body = self.error(r, 400, "bad_input")
        assert body["errors"][0]["pointer"] == "" and body["errors"][0]["line"] >= 2

    @pytest.mark.parametrize("raw, words", [
        (b"{", "invalid JSON"), (b'{"input": {}, "input": {}}', "duplicate key"),
        (b"[1]", "must be a JSON object"), (b'{"inputs": {}}', "did you mean 'input'?"),
        (b'{"input": [1]}', "a situation must be a JSON object of facts"),
        (b'{"input": {"days_since_interview": NaN}}', "NaN is not a JSON number"),
        (b"\xff\xfe", "not UTF-8"), (b"[" * 100 + b"]" * 100, "nested deeper"),
        (b'{"input": {"days_since_interview": 1' + b"0" * 200 + b"}}", "longer than"),
        (b"{}", 'the body needs "input"'),
    ])
    def test_bad_bodies_are_400(self, client: TestClient, raw: bytes, words: str) -> None:
        r = client.post(f"/v1/decisions/{PACK}", content=raw,
                        headers={"Content-Type": "application/json"})
        assert words in self.error(r, 400, "bad_input")["message"]

    def test_a_bad_explain_mode_is_400(self, client: TestClient) -> None:
        r = client.post(f"/v1/decisions/{PACK}?explain=loud", json={"input": ASKER})
        assert "expected one of off, summary, full" in self.error(r, 400, "bad_input")["message"]

    def test_a_bad_unknowns_mode_is_400(self, client: TestClient) -> None:
        r = client.post(f"/v1/decisions/{PACK}?unknowns=no", json={"input": ASKER})
        assert "unknowns=no: expected one of full, off" in \
            self.error(r, 400, "bad_input")["message"]

    def test_an_unknown_pack_is_404_with_a_suggestion(self, client: TestClient) -> None:
        r = client.post("/v1/decisions/interview-silense", json={"input": ASKER})
        assert "did you mean 'interview-silence'?" in \
            self.error(r, 404, "unknown_pack")["message"]
        self.error(client.get("/v1/packs/nope"), 404, "unknown_pack")
        self.error(client.get("/v1/packs/nope/schema"), 404, "unknown_pack")

    def test_an_unknown_endpoint_is_404_and_a_wrong_method_405(self, client: TestClient) -> None:
        self.error(client.get("/v2/decisions"), 404, "not_found")
        self.error(client.get(f"/v1/decisions/{PACK}"), 405, "method_not_allowed")

    def test_a_body_over_the_limit_is_413(self) -> None:
        with local(create_app(Config(max_bytes=100), shared())) as c:
            r = c.post(f"/v1/decisions/{PACK}", json={"input": ASKER})
            assert "--max-bytes" in self.error(r, 413, "too_large")["message"]

            def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
                yield b'{"input": {"unreturned_calls": 1'
                yield b" " * 200 + b"}}"

            r = c.post(f"/v1/decisions/{PACK}", content=chunks(),
                       headers={"Content-Type": "application/json"})
            self.error(r, 413, "too_large")

    def test_a_wrong_content_type_is_415(self, client: TestClient) -> None:
        r = client.post(f"/v1/decisions/{PACK}", content=b"days_since_interview=3",
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.error(r, 415, "unsupported_media_type")
        r = client.post(f"/v1/whatif/{PACK}", content=b"a: 1",
                        headers={"Content-Type": "application/yaml"})
        self.error(r, 415, "unsupported_media_type")

    def test_the_firing_limit_is_a_400_like_the_cli(self) -> None:
        with local(create_app(Config(max_firings=1), shared())) as c:
            r = c.post(f"/v1/decisions/{PACK}", json={"input": ASKER})
        assert "firings" in self.error(r, 400, "bad_input")["message"]

    def test_a_bug_is_a_one_line_500_without_a_traceback(
            self, client: TestClient, monkeypatch: pytest.MonkeyPatch,
            caplog: pytest.LogCaptureFixture) -> None:
        from hunch.serve import decisions

        def broken(*args: Any, **kwargs: Any) -> Any:
            raise KeyError("oops")

        monkeypatch.setattr(decisions, "decide", broken)
        r = client.post(f"/v1/decisions/{PACK}", json={"input": ASKER})
        body = self.error(r, 500, "internal")
        assert body["message"] == "internal error: KeyError (a bug in hunch; the server log " \
                                  "has the details)"
        assert "Traceback" in caplog.text  # for the operator, in the server's log

    @settings(max_examples=60, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(JSON_VALUES)
    def test_no_input_is_ever_a_500(self, client: TestClient, data: Any) -> None:
        for body in (data, {"input": data}):
            r = client.post(f"/v1/decisions/{PACK}", content=json.dumps(body).encode(),
                            headers={"Content-Type": "application/json"})
            assert r.status_code in (200, 400), r.text
            if r.status_code == 400:
                assert r.json()["code"] == "bad_input"


class TestToken:
    """--token: the API needs the bearer token; /health and the page do not."""

    def test_the_api_needs_the_token(self) -> None:
        with local(create_app(Config(token="s3cret"), shared())) as c:
            r = c.get("/v1/packs")
            assert r.status_code == 401 and r.json()["code"] == "unauthorized"
            assert r.headers["www-authenticate"] == "Bearer"
            assert c.get("/v1/packs", headers={"Authorization": "Bearer nope"}).status_code == 401
            ok = c.get("/v1/packs", headers={"Authorization": "Bearer s3cret"})
            assert ok.status_code == 200
            assert c.get("/metrics").status_code == 401
            assert c.get("/health").status_code == 200
            assert c.get("/").status_code == 200

    def test_cors_is_off_unless_asked(self, client: TestClient) -> None:
        headers = {"Origin": "https://example.org"}
        assert "access-control-allow-origin" not in client.get("/v1/packs",
                                                               headers=headers).headers
        with local(create_app(Config(cors=("https://example.org",)), shared())) as c:
            r = c.get("/v1/packs", headers=headers)
            assert r.headers["access-control-allow-origin"] == "https://example.org"


class TestDecisionLog:
    """--decision-log: one whole JSON line per decision, masked facts left out."""

    def test_a_lock_held_elsewhere_is_waited_for_a_bounded_time(self, tmp_path: Path,
                                                                 monkeypatch: Any) -> None:
        # another process holding the file's lock must not hold the evaluating thread
        import fcntl

        from hunch.serve import log as logmod

        monkeypatch.setattr(logmod, "LOCK_WAIT", 0.2)
        path = tmp_path / "d.jsonl"
        log = logmod.DecisionLog(str(path))
        log.write({"n": 1})
        with open(path, "rb") as other:  # its own open file: flock conflicts as a process's
            fcntl.flock(other, fcntl.LOCK_EX)
            with pytest.raises(OSError, match=r"held its lock for over 0\.2 s"):
                log.write({"n": 2})
        log.write({"n": 3})  # the lock let go: the log goes on, whole
        log.close()
        assert [json.loads(line) for line in path.read_text().splitlines()] == [{"n": 1},
                                                                                {"n": 3}]

    def test_concurrent_requests_lose_and_interleave_nothing(self, tmp_path: Path) -> None:
        log = tmp_path / "decisions.jsonl"
        config = Config(decision_log=str(log), mask=("internal_candidate",))
        n = 64
        with local(create_app(config, shared())) as c:
            def post(i: int) -> str:
                facts = {**ASKER, "unreturned_calls": i % 20}
                r = c.post(f"/v1/decisions/{PACK}", json={"input": facts})
                assert r.status_code == 200
                return str(r.json()["decision_id"])

            with ThreadPoolExecutor(8) as pool:
                ids = list(pool.map(post, range(n)))
            r = c.post(f"/v1/decisions/{PACK}/batch", json={"inputs": [ASKER, {"x": 1}]})
            ids.append(r.json()["results"][0]["decision_id"])
        lines = log.read_text(encoding="utf-8").splitlines()
        entries = [json.loads(line) for line in lines]
        assert sorted(e["decision_id"] for e in entries) == sorted(ids)
        entry = entries[0]
        assert set(entry) == {"decision_id", "time", "pack", "revision", "input", "masked",
                              "hypotheses", "actions", "recommendation", "rules_fired"}
        assert all("internal_candidate" not in e["input"] for e in entries)
        assert entry["masked"] == ["internal_candidate"]
        assert entry["recommendation"] in ("let-it-go", "call-once-with-deadline",
                                           "clear-the-air-with-coworker") or entry[
                                               "recommendation"]
        assert entry["rules_fired"] and entry["time"].endswith("+00:00")

    def test_two_writers_on_one_file_keep_every_line_whole(self, tmp_path: Path) -> None:
        """What --workers N does: several processes append to one file."""
        import multiprocessing

        path = tmp_path / "log.jsonl"
        context = multiprocessing.get_context("fork")
        workers = [context.Process(target=_write_lines, args=(str(path), w)) for w in range(4)]
        for p in workers:
            p.start()
        for p in workers:
            p.join(60)
            assert p.exitcode == 0
        lines = path.read_text(encoding="utf-8").splitlines()
        assert len(lines) == 4 * 200
        assert sorted((e["w"], e["i"]) for e in map(json.loads, lines)) == \
            [(w, i) for w in range(4) for i in range(200)]


def registry_ok(folder: Path) -> bool:
    from hunch.serve.packs import vetted

    served, errors = vetted(str(folder))
    assert not errors, errors
    return served is not None


def _write_lines(path: str, worker: int) -> None:
    from hunch.serve.log import DecisionLog

    log = DecisionLog(path)
    def lines(t: int) -> None:
        for i in range(50):
            log.write({"w": worker, "i": t * 50 + i, "pad": "x" * 5000})

    threads = [threading.Thread(target=lines, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log.close()


class TestReload:
    """--watch: a changed pack is swapped in only when it loads, checks and passes its tests."""

    def copy(self, tmp_path: Path) -> Path:
        # the pack's tests name situations in ../../examples: copy them along
        folder = tmp_path / "rules" / PACK
        shutil.copytree(os.path.join(BUILTIN_PACK_DIR, PACK), folder)
        shutil.copytree(os.path.join(ROOT, "examples"), tmp_path / "examples")
        assert registry_ok(folder)
        return folder

    def break_tests(self, folder: Path) -> None:
        """A change to the pack that its own tests reject."""
        (folder / "tests" / "zz-broken.yaml").write_text(
            "tests:\n"
            "  - name: expects the wrong advice for the asker\n"
            "    situation_file: ../../../examples/asker.yaml\n"
            "    expect: {recommendation: call-once-with-deadline}\n", encoding="utf-8")

    def test_a_change_that_fails_its_tests_keeps_the_old_pack(self, tmp_path: Path) -> None:
        folder = self.copy(tmp_path)
        registry = loaded([str(folder)])
        with local(create_app(Config(), registry)) as c:
            old = c.get("/v1/status").json()["packs"][PACK]["revision"]
            self.break_tests(folder)
            status = registry.reload(PACK)
            assert status.state == "reload-failed"
            assert status.errors == [status.errors[0]]
            assert "test expects the wrong advice for the asker" in status.errors[0]
            assert "failed: recommendation: expected call-once-with-deadline" in \
                status.errors[0]
            body = c.get("/v1/status").json()["packs"][PACK]
            assert body["state"] == "reload-failed" and body["revision"] == old
            assert body["errors"]
            r = c.post(f"/v1/decisions/{PACK}", json={"input": ASKER})
            assert r.json()["recommendation"]["id"] == "let-it-go"
            assert r.json()["revision"] == old

    def test_a_change_that_does_not_load_keeps_the_old_pack(self, tmp_path: Path) -> None:
        folder = self.copy(tmp_path)
        registry = loaded([str(folder)])
        (folder / "facts.yaml").write_text("facts: [\n", encoding="utf-8")
        status = registry.reload(PACK)
        assert status.state == "reload-failed"
        assert "facts.yaml" in status.errors[0]
        assert registry.packs[PACK].pack.facts

    def test_a_good_change_is_swapped_in(self, tmp_path: Path) -> None:
        folder = self.copy(tmp_path)
        registry = loaded([str(folder)])
        old = registry.packs[PACK].revision
        with open(folder / "pack.yaml", "a", encoding="utf-8") as handle:
            handle.write("# a comment\n")
        assert registry.reload(PACK).state == "ok"
        assert registry.packs[PACK].revision != old

    def test_the_watcher_reloads_when_files_change(self, tmp_path: Path) -> None:
        folder = self.copy(tmp_path)
        with local(create_app(Config(packs=(str(folder),), watch=True))) as c:
            for _ in range(300):
                if c.get("/health").status_code == 200:
                    break
                time.sleep(0.05)
            old = c.get("/v1/status").json()["packs"][PACK]["revision"]
            for n in range(600):
                if n % 20 == 0:  # again every second: the watcher may not have started yet
                    self.break_tests(folder)
                body = c.get("/v1/status").json()["packs"][PACK]
                if body["state"] != "ok":
                    break
                time.sleep(0.05)
            assert body["state"] == "reload-failed" and body["revision"] == old
            assert 'hunch_pack_reloads_total{outcome="failed",pack="interview-silence"}' \
                in c.get("/metrics").text


class TestCommand:
    """`hunch serve` itself: safe defaults, the CLI's errors, a real server."""

    def test_another_address_needs_a_token(self) -> None:
        result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0"])
        assert result.exit_code == 2
        assert "give --token" in result.output

    def test_a_bad_pack_fails_before_starting(self, tmp_path: Path) -> None:
        result = CliRunner().invoke(cli, ["serve", str(tmp_path / "nope")])
        assert result.exit_code == 2
        assert "no such rule pack" in result.output
        assert len(result.output.strip().splitlines()) == 1

    def test_an_unwritable_decision_log_fails_before_starting(self, tmp_path: Path) -> None:
        result = CliRunner().invoke(cli, ["serve", "--decision-log",
                                          str(tmp_path / "no" / "such" / "log.jsonl")])
        assert result.exit_code == 2
        assert "--decision-log" in result.output and "No such file or directory" in result.output

    def test_an_unknown_mask_fact_is_a_usage_error(self) -> None:
        result = CliRunner().invoke(cli, ["serve", "--mask", "nope"])
        assert result.exit_code == 2 and "--mask" in result.output

    def test_without_the_extra_it_says_what_to_install(self,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
        import sys

        monkeypatch.setitem(sys.modules, "uvicorn", None)
        result = CliRunner().invoke(cli, ["serve"])
        assert result.exit_code == 1
        assert result.output.strip() == "Error: hunch serve needs its extra: pip install " \
                                        "'hunch-rules[serve]'"

    def test_loopback_addresses(self) -> None:
        from hunch.cli.serve import is_loopback

        assert all(map(is_loopback, ["127.0.0.1", "localhost", "::1", "[::1]", "127.1.2.3"]))
        assert not any(map(is_loopback, ["0.0.0.0", "192.0.2.1", "::", "example.org"]))

    def test_a_real_server_with_two_workers(self, tmp_path: Path) -> None:
        import socket
        import subprocess
        import sys
        import urllib.error
        import urllib.request

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        log = tmp_path / "d.jsonl"
        env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
        proc = subprocess.Popen([sys.executable, "-m", "hunch", "serve", "--port", str(port),
                                 "--workers", "2", "--decision-log", str(log)],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            # each worker loads its packs and says 503 until then; the two share one
            # socket, so ready means several answers in a row from whichever answers
            ready = 0
            for _ in range(1200):
                try:
                    with urllib.request.urlopen(base + "/health", timeout=5) as r:
                        ready = ready + 1 if r.status == 200 else 0
                except OSError:
                    ready = 0
                    time.sleep(0.05)
                if ready >= 20:
                    break
            for _ in range(6):
                request = urllib.request.Request(
                    f"{base}/v1/decisions/{PACK}", data=json.dumps({"input": ASKER}).encode(),
                    headers={"Content-Type": "application/json"})
                for _attempt in range(200):  # a worker still loading says 503: ask again
                    try:
                        with urllib.request.urlopen(request, timeout=30) as r:
                            assert json.load(r)["recommendation"]["id"] == "let-it-go"
                            break
                    except urllib.error.HTTPError as exc:
                        assert exc.code == 503, exc
                        time.sleep(0.05)
            with urllib.request.urlopen(base + "/metrics", timeout=5) as r:
                metrics = r.read().decode()
        finally:
            proc.terminate()
            proc.wait(30)
        assert f'hunch_evaluations_total{{pack="{PACK}"}} 6.0' in metrics  # both workers summed
        assert len(log.read_text(encoding="utf-8").splitlines()) == 6
