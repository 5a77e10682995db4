"""`hunch serve` against an attacker and an unlucky operator (issue 20, the service half).

Each test is named after its finding in shared/reliability-findings-3.md
(f01 ... f15) and failed on the code before its fix.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")
pytest.importorskip("prometheus_client")

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from hunch.pack.read import BUILTIN_PACK_DIR
from hunch.serve.app import Config, create_app
from hunch.serve.packs import Registry
from tests.serving import hunch_serve
from tests.test_serve import ASKER, PACK, ROOT, loaded, local, shared

SURROGATE = st.integers(0xD800, 0xDFFF).map(chr)  # st.characters() never gives one
TEXT = st.text(st.one_of(st.characters(), SURROGATE), max_size=8)


@pytest.fixture
def client() -> Iterator[TestClient]:
    with local(create_app(Config(), shared())) as c:
        yield c


def copy_pack(tmp_path: Path, name: str = PACK) -> Path:
    """A built-in pack in a folder of its own; its tests' examples copied beside it."""
    folder = tmp_path / "rules" / name
    shutil.copytree(os.path.join(BUILTIN_PACK_DIR, name), folder)
    if not (tmp_path / "examples").exists():
        shutil.copytree(os.path.join(ROOT, "examples"), tmp_path / "examples")
    return folder


def post_raw(c: TestClient, url: str, text: str) -> Any:
    return c.post(url, content=text.encode(), headers={"Content-Type": "application/json"})


class TestF06HostCheck:
    """Without a token, only Host names of this machine are answered (DNS rebinding)."""

    ROUTES = ("/", "/static/app.js", "/health", "/version", "/metrics", "/openapi.json",
              "/v1/status", "/v1/packs", f"/v1/packs/{PACK}", "/nowhere")

    def test_f06_foreign_host_refused(self) -> None:
        app = create_app(Config(), shared())
        with TestClient(app, base_url="http://attacker.example:8000") as c:
            for route in self.ROUTES:
                r = c.get(route)
                assert r.status_code == 400, (route, r.status_code)
                assert "attacker" not in r.text and "/rules/" not in r.text
                assert_host_refused(r)
            r = c.post(f"/v1/decisions/{PACK}", json={"input": ASKER})
            assert_host_refused(r)
            r = c.post(f"/v1/decisions/{PACK}/batch", json={"inputs": [ASKER]})
            assert_host_refused(r)
            r = c.post(f"/v1/decisions/{PACK}", content=b"{", headers={"Host": "attacker"})
            assert_host_refused(r)  # before any route: not the route's bad-JSON 400
            assert c.delete("/health").status_code == 400  # nor its 405

    def test_f06_the_document_lists_the_refusal(self) -> None:
        with local(create_app(Config(), shared())) as c:
            doc = c.get("/openapi.json").json()
        for path, ops in doc["paths"].items():
            for method, op in ops.items():
                assert "invalid_host" in op["responses"]["400"]["description"], (path, method)

    def test_f06_refusals_are_counted_by_code(self) -> None:
        app = create_app(Config(), shared())
        with TestClient(app, base_url="http://attacker.example") as c:
            assert_host_refused(c.get("/health"))
        with local(app) as c:
            text = c.get("/metrics").text
        assert 'hunch_errors_total{code="invalid_host"} 1.0' in text, text

    @pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000",
                                      "localhost", "127.0.0.1"])
    def test_f06_loopback_names_answered(self, host: str) -> None:
        with TestClient(create_app(Config(), shared()), base_url=f"http://{host}") as c:
            assert c.get("/health").status_code == 200
            assert c.get("/").status_code == 200

    def test_f06_added_names_answered(self) -> None:
        app = create_app(Config(hosts=("hunch.lan",)), shared())
        with TestClient(app, base_url="http://hunch.lan:8000") as c:
            assert c.get("/v1/packs").status_code == 200
        with TestClient(app, base_url="http://other.lan:8000") as c:
            assert_host_refused(c.get("/v1/packs"))

    def test_f06_a_token_is_what_guards_a_named_server(self) -> None:
        """With --token, any Host is let through to the token check (behind a proxy)."""
        app = create_app(Config(token="s3cret"), shared())
        with TestClient(app, base_url="http://hunch.example.org") as c:
            assert c.get("/v1/status").status_code == 401
            assert c.get("/v1/status", headers={"Authorization": "Bearer s3cret"}
                         ).status_code == 200

    def test_f06_the_cli_passes_allowed_hosts(self, monkeypatch: pytest.MonkeyPatch) -> None:
        config = serve_config(monkeypatch, "--allow-host", "hunch.lan", "--allow-host", "x.lan")
        assert config["hosts"] == ["hunch.lan", "x.lan"]


def assert_host_refused(r: Any) -> None:
    """The service's JSON error shape (docs/serve.md), not Starlette's plain text."""
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["code"] == "invalid_host"
    assert body["message"].startswith("the Host header names no host this server answers to")
    assert body["errors"] == [{"pointer": "", "message": body["message"]}]


def serve_config(monkeypatch: pytest.MonkeyPatch, *args: str) -> dict[str, Any]:
    """What `hunch serve ARGS` would hand its workers, and how it would start uvicorn."""
    import uvicorn
    from click.testing import CliRunner

    from hunch.cli.app import cli

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.update(kw))
    monkeypatch.delenv("HUNCH_SERVE_CONFIG", raising=False)
    result = CliRunner().invoke(cli, ["serve", PACK, *args])
    assert result.exit_code == 0, result.output
    config: dict[str, Any] = json.loads(os.environ["HUNCH_SERVE_CONFIG"])
    return {**config, "uvicorn": seen}


class TestF02MetricsLabels:
    """Made-up request methods cannot grow /metrics: they share one label."""

    def test_f02_made_up_methods_share_one_label(self) -> None:
        with local(create_app(Config(token="t"), shared())) as c:
            for n in range(50):
                r = c.request(f"X{n}", "/v1/status")
                assert r.status_code in (401, 405)
            r = c.request("BREW", "/nowhere")
            text = c.get("/metrics", headers={"Authorization": "Bearer t"}).text
        assert 'method="X1"' not in text and 'method="BREW"' not in text
        assert 'method="other"' in text
        series = [line for line in text.splitlines()
                  if line.startswith("hunch_http_requests_total{")]
        assert len(series) <= 4, series


class TestF01Surrogates:
    """A lone surrogate anywhere in a body is bad input at most: never a 500."""

    @given(st.text(st.one_of(st.characters(), SURROGATE, st.sampled_from(
        "\x7f\x9b\u202e\u2028\u061c")), max_size=30))
    def test_f01_json_text_escapes_what_a_terminal_acts_on(self, text: str) -> None:
        """json_text (every answer's encoder; ASCII skips the search) keeps the value and
        encodes to UTF-8 whatever the text, with no raw control, bidi mark or surrogate."""
        import re

        from hunch.serve.app import json_text

        out = json_text({"k": text, text: [text]})
        if not re.search("[\ud800-\udfff]", text):  # (two lone halves decode as a pair)
            assert json.loads(out) == {"k": text, text: [text]}
        out.encode()  # a lone surrogate would fail here
        assert not re.search("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                             "\u2028\u2029\ud800-\udfff]", out)

    def test_f01_lone_surrogate_key_is_a_json_400(self, client: TestClient) -> None:
        body = '{"input": {"\\udc80": 1}}'
        for url in (f"/v1/decisions/{PACK}", f"/v1/whatif/{PACK}",
                    f"/v1/explain/{PACK}/let-it-go"):
            r = post_raw(client, url, body if "whatif" not in url else
                         '{"input": {"\\udc80": 1}, "flip": true}')
            assert r.status_code == 400, (url, r.text)
            assert r.json()["code"] == "bad_input"
            assert "\\udc80" in r.text  # kept, as a JSON escape

    def test_f01_one_bad_item_loses_only_itself(self, client: TestClient) -> None:
        body = json.dumps({"inputs": [ASKER, {"\udc80": 1}, ASKER]})
        r = post_raw(client, f"/v1/decisions/{PACK}/batch", body)
        assert r.status_code == 200
        results = r.json()["results"]
        assert [("error" in x) for x in results] == [False, True, False]
        assert results[1]["situation"] == "/inputs/1"

    def test_f01_a_surrogate_in_a_logged_value_is_logged(self, tmp_path: Path) -> None:
        """A fact's value reaches the decision log; a surrogate in it must not break it."""
        log = tmp_path / "d.jsonl"
        with local(create_app(Config(decision_log=str(log)), shared())) as c:
            r = post_raw(c, f"/v1/decisions/{PACK}", json.dumps(
                {"input": {**ASKER, "_pack": "\udc80"}}))
            assert r.status_code in (200, 400)
            r = post_raw(c, f"/v1/decisions/{PACK}", json.dumps({"input": ASKER}))
            assert r.status_code == 200
        for line in log.read_text(encoding="utf-8").splitlines():
            json.loads(line)

    @settings(max_examples=60, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.dictionaries(TEXT, st.one_of(TEXT, st.integers(), st.booleans(), st.none()),
                           max_size=3))
    def test_f01_no_key_or_value_is_a_500(self, client: TestClient,
                                          facts: dict[str, Any]) -> None:
        body = json.dumps({"input": {**ASKER, **facts}})
        r = post_raw(client, f"/v1/decisions/{PACK}", body)
        assert r.status_code in (200, 400), r.text
        assert r.headers["content-type"] == "application/json"
        r.json()
        r = post_raw(client, f"/v1/decisions/{PACK}/batch",
                     json.dumps({"inputs": [facts, ASKER]}))
        assert r.status_code == 200, r.text
        assert "error" not in r.json()["results"][1]


FULL_DISK = """
import json, os, resource, sys
from starlette.testclient import TestClient
from hunch.serve.app import Config, create_app
from hunch.serve.packs import Registry

log, limit = sys.argv[1], int(sys.argv[2])
asker = json.loads(sys.argv[3])
registry = Registry(["interview-silence"]); registry.load_all()
out = []
with TestClient(create_app(Config(decision_log=log), registry),
                base_url="http://127.0.0.1") as c:
    post = lambda: c.post("/v1/decisions/interview-silence", json={"input": asker})
    first = post(); out.append([first.status_code, first.json()["decision_id"]])
    resource.setrlimit(resource.RLIMIT_FSIZE, (os.path.getsize(log) + limit,
                                               resource.RLIM_INFINITY))
    full = post(); out.append([full.status_code, full.json()])
    resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    again = post(); out.append([again.status_code, again.json()["decision_id"]])
print(json.dumps(out))
"""


class TestF03FullDisk:
    """A decision log that cannot be written: 503, and no fragment glued to a later line."""

    def test_f03_full_disk_is_a_503_and_the_log_stays_whole(self, tmp_path: Path) -> None:
        log = tmp_path / "d.jsonl"
        done = subprocess.run([sys.executable, "-c", FULL_DISK, str(log), "200",
                               json.dumps(ASKER)], capture_output=True, text=True, timeout=300,
                              cwd=ROOT)
        assert done.returncode == 0, done.stderr
        (s1, id1), (s2, full), (s3, id3) = json.loads(done.stdout.splitlines()[-1])
        assert (s1, s2, s3) == (200, 503, 200)
        assert full["code"] == "decision_log_unwritable"
        assert "bug" not in full["message"]
        lines = log.read_bytes().split(b"\n")
        assert lines[-1] == b""
        entries = [json.loads(line) for line in lines[:-1]]  # every line whole
        assert [e["decision_id"] for e in entries] == [id1, id3]


# Two workers, A (this process) and B (a fork), appending to one decision log. A has a
# file-size limit and its line is cut short; at that moment B, which has room, appends
# a whole line. A waits until B has written, or has found the file locked (B's flock
# is wrapped to say so on a pipe; it then keeps trying, as DecisionLog does, for up to
# LOCK_WAIT), then goes on: its next write fails and it cuts its fragment off.
# os.write and fcntl.flock are wrapped only to choose that moment; every byte is
# really written and every lock really taken.
RACE = """
import fcntl, json, os, resource, select, sys, time
from hunch.serve.log import DecisionLog

path = sys.argv[1]
FSIZE, INF = resource.RLIMIT_FSIZE, resource.RLIM_INFINITY
a = DecisionLog(path)
a.write({"n": 1})
go, done, tried = os.pipe(), os.pipe(), os.pipe()
b = os.fork()
if b == 0:
    os.read(go[0], 1)
    real_flock = fcntl.flock
    def b_flock(fd, operation):
        try:
            return real_flock(fd, operation)
        except BlockingIOError:
            os.write(tried[1], b"x")  # B found the file locked by A
            raise
    fcntl.flock = b_flock
    DecisionLog(path).write({"n": 2, "pad": "b" * 100})
    os.write(done[1], b"x")
    os._exit(0)

real_write = os.write
def a_write(fd, data):
    n = real_write(fd, data)
    if fd == a._fd and n < len(data):
        real_write(go[1], b"x")
        for _ in range(600):
            if select.select([done[0], tried[0]], [], [], 0.05)[0]:
                break
    return n

os.write = a_write
resource.setrlimit(FSIZE, (os.path.getsize(path) + 10, INF))
try:
    a.write({"n": 3, "pad": "a" * 100})
    print("no error")
except OSError:
    pass
os.write = real_write
resource.setrlimit(FSIZE, (INF, INF))
os.waitpid(b, 0)
a.write({"n": 4})
"""

# A worker killed in the middle of its line (B, a fork, cut short by a file-size limit
# and killed there) leaves a fragment at the end of the file; A, whose log was open all
# along, writes next.
KILLED = """
import os, resource, signal, sys
from hunch.serve.log import DecisionLog

path = sys.argv[1]
a = DecisionLog(path)
a.write({"n": 1})
b = os.fork()
if b == 0:
    real_write = os.write
    def b_write(fd, data):
        n = real_write(fd, data)
        if n < len(data):
            os.kill(os.getpid(), signal.SIGKILL)
        return n
    os.write = b_write
    resource.setrlimit(resource.RLIMIT_FSIZE, (os.path.getsize(path) + 10,
                                               resource.RLIM_INFINITY))
    DecisionLog(path).write({"n": 2, "pad": "b" * 100})
    os._exit(0)
os.waitpid(b, 0)
a.write({"n": 3})
"""


def run_writers(script: str, log: Path) -> list[bytes]:
    done = subprocess.run([sys.executable, "-c", script, str(log)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0 and done.stdout == "", done.stdout + done.stderr
    return log.read_bytes().split(b"\n")


class TestF03TwoWorkers:
    """Two worker processes on one decision log: no line ever shares another's."""

    def test_f03_a_line_written_while_another_worker_cuts_its_fragment_is_whole(
            self, tmp_path: Path) -> None:
        *lines, end = run_writers(RACE, tmp_path / "d.jsonl")
        assert end == b""
        assert [json.loads(line)["n"] for line in lines] == [1, 2, 4]  # A's fragment cut off

    def test_f03_a_fragment_left_by_a_killed_worker_is_ended(self, tmp_path: Path) -> None:
        first, fragment, last, end = run_writers(KILLED, tmp_path / "d.jsonl")
        assert json.loads(first) == {"n": 1} and json.loads(last) == {"n": 3}
        assert fragment == b'{"n":2,"pa'  # B's 10 bytes
        assert end == b""


class TestF05PackFolderFiles:
    """Files in a pack folder that are not plain files neither hang nor exhaust a load."""

    def load_in_thread(self, folder: Path) -> tuple[threading.Thread, Registry]:
        registry = Registry([str(folder)])
        thread = threading.Thread(target=registry.load_all, daemon=True)
        thread.start()
        thread.join(60)
        return thread, registry

    def test_f05_a_fifo_in_the_pack_folder_does_not_hang_the_load(self, tmp_path: Path) -> None:
        folder = copy_pack(tmp_path)
        fifo = folder / "draft.fifo"
        os.mkfifo(fifo)
        thread, registry = self.load_in_thread(folder)
        if thread.is_alive():  # the old code blocks in open(): give it a writer, then fail
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            thread.join(10)
            pytest.fail("the load hung on a FIFO in the pack folder")
        assert registry.ready, registry.failed

    def test_f05_a_link_to_dev_zero_is_not_read(self, tmp_path: Path) -> None:
        folder = copy_pack(tmp_path)
        os.symlink("/dev/zero", folder / "zero")
        script = ("import resource, sys; from hunch.serve.packs import revision; "
                  "resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)); "
                  "print(revision(sys.argv[1]))")
        done = subprocess.run([sys.executable, "-c", script, str(folder)], capture_output=True,
                              text=True, timeout=120, cwd=ROOT)
        assert done.returncode == 0, done.stderr[-500:]
        assert done.stdout.startswith("sha256:")

    def test_f05_a_huge_file_is_refused_in_one_line(self, tmp_path: Path) -> None:
        from hunch.pack.yamlsource import MAX_FILE_BYTES

        folder = copy_pack(tmp_path)
        with open(folder / "stray.bin", "wb") as handle:
            handle.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
        _, registry = self.load_in_thread(folder)
        assert not registry.ready
        assert "stray.bin" in registry.failed and "limit" in registry.failed
        assert len(registry.failed.splitlines()) == 1


class TestF04VetASnapshot:
    """--watch swaps in only content that was itself checked and tested."""

    def test_f04_an_edit_during_the_tests_is_vetted_before_it_is_served(
            self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        import hunch.authoring.packtest as packtest

        folder = copy_pack(tmp_path)
        registry = loaded([str(folder)])
        old = registry.packs[PACK].revision
        real = packtest.run_tests
        calls: list[int] = []

        def edit_while_testing(pack: Any) -> Any:
            outcome = real(pack)
            if not calls:  # the second save lands while the first one's tests run
                (folder / "tests" / "zz-broken.yaml").write_text(
                    "tests:\n"
                    "  - name: expects the wrong advice for the asker\n"
                    "    situation_file: ../../../examples/asker.yaml\n"
                    "    expect: {recommendation: call-once-with-deadline}\n",
                    encoding="utf-8")
            calls.append(1)
            return outcome

        monkeypatch.setattr(packtest, "run_tests", edit_while_testing)
        with open(folder / "pack.yaml", "a", encoding="utf-8") as handle:
            handle.write("# the first save\n")
        status = registry.reload(PACK)
        assert status.state == "reload-failed", "a version whose tests fail was served"
        assert registry.packs[PACK].revision == old
        assert any("expects the wrong advice" in e for e in status.errors)


class TestF09SymlinkSwap:
    """--watch follows an atomic `current -> v2` swap, and /v1/status says where it points."""

    def versions(self, tmp_path: Path) -> tuple[Path, Path, Path]:
        """Two versions of a pack side by side, and a link `current` to the first."""
        v1 = copy_pack(tmp_path)
        v2 = tmp_path / "rules" / "v2"
        shutil.copytree(v1, v2)
        with open(v2 / "pack.yaml", "a", encoding="utf-8") as handle:
            handle.write("# version two\n")
        current = tmp_path / "rules" / "current"
        os.symlink(v1.name, current)
        return v1, v2, current

    def test_f09_a_symlink_swap_is_served(self, tmp_path: Path) -> None:
        v1, v2, current = self.versions(tmp_path)
        with local(create_app(Config(packs=(str(current),), watch=True))) as c:
            for _ in range(600):
                if c.get("/health").status_code == 200:
                    break
                time.sleep(0.05)
            before = c.get("/v1/status").json()["packs"][PACK]
            assert before["resolved"] == str(v1.resolve())
            time.sleep(0.5)  # the watcher starts once the packs have loaded
            os.symlink(v2.name, tmp_path / "rules" / "current.new")
            os.replace(tmp_path / "rules" / "current.new", current)  # the atomic swap
            for _ in range(400):
                body = c.get("/v1/status").json()["packs"][PACK]
                if body["revision"] != before["revision"]:
                    break
                time.sleep(0.05)
            assert body["revision"] != before["revision"], "the swap was never served"
            assert body["resolved"] == str(v2.resolve()) and body["state"] == "ok"


    def test_f09_a_swap_while_starting_is_served(self, tmp_path: Path) -> None:
        """The link flips after the pack loaded but before the watcher looked at it."""
        _, v2, current = self.versions(tmp_path)
        registry = loaded([str(current)])
        old = registry.packs[PACK].revision
        os.remove(current)
        os.symlink(v2.name, current)
        with local(create_app(Config(packs=(str(current),), watch=True), registry)) as c:
            for _ in range(400):
                body = c.get("/v1/status").json()["packs"][PACK]
                if body["revision"] != old:
                    break
                time.sleep(0.05)
        assert body["revision"] != old and body["resolved"] == str(v2.resolve())


class TestF08Limits:
    """Evaluation is off the event loop, bounded in time and in how many wait for it."""

    def blocking(self, monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event,
                                                                  threading.Event, list[bool]]:
        """decisions.decide held until the test lets it go (or 10 s pass)."""
        import hunch.serve.decisions as decisions

        real = decisions.decide
        started, release = threading.Event(), threading.Event()
        released: list[bool] = []

        def held(*args: Any, **kwargs: Any) -> Any:
            started.set()
            released.append(release.wait(10))
            return real(*args, **kwargs)

        monkeypatch.setattr(decisions, "decide", held)
        return started, release, released

    def test_f08_health_answers_while_a_batch_runs(self, monkeypatch: pytest.MonkeyPatch) -> None:
        started, release, released = self.blocking(monkeypatch)
        with local(create_app(Config(), shared())) as c:
            out: dict[str, Any] = {}
            batch = threading.Thread(target=lambda: out.update(r=c.post(
                f"/v1/decisions/{PACK}/batch", json={"inputs": [ASKER]})))
            batch.start()
            assert started.wait(30)
            assert c.get("/health").status_code == 200  # while the batch is held
            assert c.get("/metrics").status_code == 200
            release.set()
            batch.join(60)
        assert released == [True], "/health waited for the batch"
        assert out["r"].status_code == 200

    def test_f08_a_full_queue_is_503_with_retry_after(
            self, monkeypatch: pytest.MonkeyPatch) -> None:
        started, release, _ = self.blocking(monkeypatch)
        with local(create_app(Config(max_queue=0), shared())) as c:
            first: dict[str, Any] = {}
            t = threading.Thread(target=lambda: first.update(r=c.post(
                f"/v1/decisions/{PACK}", json={"input": ASKER})))
            t.start()
            assert started.wait(30)
            r = c.post(f"/v1/decisions/{PACK}", json={"input": ASKER})
            release.set()
            t.join(60)
        assert r.status_code == 503 and r.json()["code"] == "busy"
        assert int(r.headers["Retry-After"]) >= 1
        assert first["r"].status_code == 200

    def test_f08_a_batch_over_the_time_budget_is_503(self) -> None:
        with local(create_app(Config(time_budget=0.2), shared())) as c:
            r = c.post(f"/v1/decisions/{PACK}/batch?explain=full",
                       json={"inputs": [ASKER] * 100})
        assert r.status_code == 503
        body = r.json()
        assert body["code"] == "over_time_budget" and "of 100 situations" in body["message"]

    def test_f08_the_defaults_and_the_cli(self, monkeypatch: pytest.MonkeyPatch) -> None:
        config = serve_config(monkeypatch)
        assert (config["max_batch"], config["time_budget"], config["max_queue"]) == \
            (100, 10.0, 16)
        config = serve_config(monkeypatch, "--time-budget", "3", "--max-queue", "2")
        assert (config["time_budget"], config["max_queue"]) == (3.0, 2)


class TestF10F14OpenApi:
    """/openapi.json is valid OpenAPI 3.1 and says what the server does."""

    def document(self, client: TestClient) -> Any:
        r = client.get("/openapi.json")
        assert r.status_code == 200
        return r.json()

    def test_f10_openapi_is_valid_openapi_31(self, client: TestClient) -> None:
        from openapi_spec_validator import validate
        from openapi_spec_validator.validation.validators import OpenAPIV31SpecValidator

        validate(self.document(client), cls=OpenAPIV31SpecValidator)

    def test_f10_path_parameters_and_404s_are_documented(self, client: TestClient) -> None:
        paths = self.document(client)["paths"]
        for path, ops in paths.items():
            for op in ops.values():
                declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
                assert declared == set(part[1:-1] for part in path.split("/")
                                       if part.startswith("{")), path
        explain = paths[f"/v1/explain/{PACK}/{{conclusion}}"]["post"]
        assert "404" in explain["responses"]

    def test_what_if_on_a_log_or_a_date_is_documented(self, client: TestClient) -> None:
        """The document's what-if takes a date or a whole log in "set" and entries in
        "add", and nothing else there: what the server takes (docs/time.md)."""
        import jsonschema  # type: ignore[import-untyped, unused-ignore]

        doc = self.document(client)
        whatif = doc["paths"][f"/v1/whatif/{PACK}"]["post"]
        schema = {**whatif["requestBody"]["content"]["application/json"]["schema"],
                  "components": doc["components"]}
        entry = {"date": "2026-12-05", "kind": "email"}
        good: list[dict[str, Any]] = [
            {"set": {"follow_ups": [entry]}}, {"set": {"interview_date": "2026-11-20"}},
            {"add": {"follow_ups": entry}}, {"add": {"follow_ups": [entry]}},
            # an optional field with no value is a field not given, as in a file
            {"add": {"follow_ups": {**entry, "answered": None, "called_back": None}}}]
        for change in good:
            jsonschema.validate({"input": ASKER, **change}, schema)
        dated = {"interview_date": "2026-11-14"}  # (ASKER's counts would disagree with a log)
        assert client.post(f"/v1/whatif/{PACK}", json={"input": dated, **good[-1],
                                                        "as_of": "2026-12-07"}
                           ).status_code == 200
        bad: list[dict[str, Any]] = [
            {"add": {"interview_date": "2026-11-20"}}, {"add": {}}, {"add": None},
            {"add": {"follow_ups": {**entry, "kind": None}}},
            {"add": {"follow_ups": {"kind": "fax", "date": "2026-12-05"}}}]
        for change in bad:
            with pytest.raises(jsonschema.ValidationError):
                jsonschema.validate({"input": ASKER, **change}, schema)

    def test_f14_a_405_says_what_is_allowed(self, client: TestClient) -> None:
        r = client.get(f"/v1/decisions/{PACK}")
        assert r.status_code == 405 and r.headers["Allow"] == "POST"
        r = client.post("/health")
        assert r.status_code == 405 and set(r.headers["Allow"].split(", ")) == {"GET", "HEAD"}

    def test_f14_what_the_document_forbids_is_refused(self, client: TestClient) -> None:
        import jsonschema  # type: ignore[import-untyped, unused-ignore]

        doc = self.document(client)
        whatif = doc["paths"][f"/v1/whatif/{PACK}"]["post"]
        schema = {**whatif["requestBody"]["content"]["application/json"]["schema"],
                  "components": doc["components"]}
        body = {"input": ASKER}
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(body, schema)
        assert client.post(f"/v1/whatif/{PACK}", json=body).status_code == 400
        jsonschema.validate({"input": ASKER, "flip": True}, schema)
        assert client.post(f"/v1/whatif/{PACK}", json={"input": ASKER, "flip": True}
                           ).status_code == 200
        explain = doc["paths"][f"/v1/decisions/{PACK}"]["post"]["parameters"][0]["schema"]
        allowed = client.post(f"/v1/decisions/{PACK}?explain=", json={"input": ASKER})
        assert (allowed.status_code == 200) == ("" in explain["enum"])


class TestF15Connections:
    """Idle and trickling connections are closed; request heads are bounded."""

    def test_f15_the_cli_sets_the_keep_alive_and_head_limits(
            self, monkeypatch: pytest.MonkeyPatch) -> None:
        seen = serve_config(monkeypatch, "--keep-alive", "3")["uvicorn"]
        assert seen["timeout_keep_alive"] == 3
        # the head's deadline and its 16 KiB bound live in the protocol (before: h11's
        # max_incomplete_event_size, which uvicorn answered with a 400): tested below
        assert seen["http"] == "hunch.serve.protocol:HeaderLimitProtocol"

    def test_f15_idle_and_trickling_clients_are_closed(self, tmp_path: Path) -> None:
        with hunch_serve(PACK, "--keep-alive", "1") as port:
            idle = socket.create_connection(("127.0.0.1", port), 30)
            trickle = socket.create_connection(("127.0.0.1", port), 30)
            trickle.settimeout(0.25)
            closed = {"idle": False, "trickle": False}
            head = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 40
            start = time.monotonic()
            for n in range(len(head)):  # one byte every 0.25 s: 22 s for the whole head
                try:
                    trickle.sendall(head[n:n + 1])
                    closed["trickle"] = trickle.recv(1) == b""
                except TimeoutError:
                    pass
                except OSError:
                    closed["trickle"] = True
                if closed["trickle"]:
                    break
            idle.settimeout(max(0.1, 10 - (time.monotonic() - start)))
            try:
                closed["idle"] = idle.recv(1) == b""
            except TimeoutError:
                pass
            idle.close()
            trickle.close()
        assert closed == {"idle": True, "trickle": True}


    def test_a_trickled_body_is_answered_408_and_closed(self) -> None:
        """The body gets the request's time budget (--time-budget), however it trickles:
        408 body_too_slow, then the connection is closed; a body sent at once is answered."""
        body = json.dumps({"input": {"days_since_interview": 3}}).encode()
        head = (f"POST /v1/decisions/{PACK}?unknowns=off&next=off HTTP/1.1\r\n"
                f"Host: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        with hunch_serve(PACK, "--time-budget", "1", loaded=True) as port:
            with socket.create_connection(("127.0.0.1", port), 30) as prompt:
                prompt.sendall(head + body)
                assert prompt.recv(12) == b"HTTP/1.1 200"
            with socket.create_connection(("127.0.0.1", port), 30) as slow:
                slow.settimeout(0.25)
                slow.sendall(head)
                answer, start = b"", time.monotonic()
                for n in range(len(body)):  # a byte every 0.25 s: 10 s for the whole body
                    try:
                        slow.sendall(body[n:n + 1])
                        answer += slow.recv(65536)
                    except TimeoutError:
                        continue
                    except OSError:
                        break
                    if answer.endswith(b"}"):
                        break
                took = time.monotonic() - start
                slow.settimeout(5)
                try:
                    closed = slow.recv(1) == b""
                except ConnectionResetError:
                    closed = True
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        error = json.loads(answer.partition(b"\r\n\r\n")[2])
        assert error["code"] == "body_too_slow" and "1 s" in error["message"]
        assert took < 5 and closed


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    """A server that has loaded its pack: /health answers 200, not 503 "loading"."""
    with hunch_serve(PACK, loaded=True) as port:
        yield port


class TestHeadSize:
    """A request head (request line and headers) is bounded: 431 past 16 KiB, however it
    arrives; under it, and for pipelined requests, the server answers as before."""

    @staticmethod
    def answer(port: int, *parts: bytes) -> bytes:
        """Send ``parts`` one write each; everything the server says until it closes."""
        with socket.create_connection(("127.0.0.1", port), 30) as sock:
            try:
                for part in parts:
                    sock.sendall(part)
                    time.sleep(0.01)
            except OSError:  # closed while we were still sending: its answer is read below
                pass
            out = b""
            with contextlib.suppress(OSError):
                while chunk := sock.recv(65536):
                    out += chunk
            return out

    @staticmethod
    def head(size: int, close: bool = True) -> bytes:
        """A GET /health head of exactly ``size`` bytes."""
        start = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + \
            (b"Connection: close\r\n" if close else b"")
        filler = size - len(start) - len(b"X-Pad: \r\n\r\n")
        return start + b"X-Pad: " + b"a" * filler + b"\r\n\r\n"

    def test_f15_a_head_over_16_kib_is_431(self, port: int) -> None:
        assert self.answer(port, self.head(16 * 1024)).startswith(b"HTTP/1.1 200")
        for parts in ([self.head(16 * 1024 + 1)],  # one write
                      [self.head(64 * 1024)[i:i + 4096] for i in range(0, 64 * 1024, 4096)],
                      # many short headers
                      [b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       + b"".join(b"X-%d: %s\r\n" % (i, b"b" * 50) for i in range(400))
                       + b"\r\n"],
                      # a header line that never ends: past one read (256 KiB at most)
                      # and 16 KiB more, however the server's reads fall
                      [b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: "]
                      + [b"c" * 1000] * 300):
            out = self.answer(port, *parts)
            assert out.startswith(b"HTTP/1.1 431 "), out[:80]
            body = json.loads(out.partition(b"\r\n\r\n")[2])
            assert body["code"] == "headers_too_large" and "16,384-byte" in body["message"]

    def test_f15_pipelined_requests_are_answered_in_order(self, port: int) -> None:
        out = self.answer(port, self.head(100, close=False) + self.head(200))
        assert out.count(b"HTTP/1.1 200 OK") == 2
