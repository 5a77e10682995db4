"""The floor of a decision over HTTP: Python's HTTP stack against a Rust one (granian).

    nice python benchmarks/bench_http_floor.py [--rounds 7] [--repeat 200] [--per-example 30]

Is issue 27's target, a decision over HTTP at concurrency 1 within 1.5x a bare evaluate
plus JSON, out of reach because the HTTP layer is Python? Side by side in one run, rounds
interleaved, each request from a raw-socket client (bench_decision's: the client's share
is only the kernel's), one keep-alive connection, one request at a time, on 127.0.0.1:

1. **The fixed cost per request** of servers that do no work: no HTTP at all (one recv,
   a fixed reply: the kernel's round trip); an ASGI app answering fixed bytes on uvicorn
   (httptools, as `hunch serve` runs it) and on granian (a Rust HTTP server) through
   its ASGI and RSGI interfaces, each also with the hop to one evaluating thread and
   back that hunch's service makes (a one-thread pool, as hunch/serve/limits.py); a
   WSGI app on granian's one blocking thread (the request runs on the thread that would
   evaluate: no event loop, no hop). Then hunch answering its smallest decision
   (undo-in-git's lost-after-reset, `?unknowns=off&next=off`): `hunch serve` as the CLI
   starts it (uvicorn); the same app (`hunch.serve.app:from_environment`, `hunch serve`'s
   defaults: every built-in pack) on granian's ASGI interface; and "decide() on granian
   WSGI", what hunch's evaluating thread does for a decision (`thread_work`: the strict
   JSON, the situation's checks, decide(), json_text) called by granian directly, the
   "Rust server in front of the evaluating thread" (not a service: no Host check,
   limits, metrics or errors).
2. **Every shipped example**, POST /v1/decisions/{pack}?unknowns=off&next=off to the three,
   against the bare evaluate + JSON figure of bench_decision.py, with its "lib both off"
   (decide() + json.dumps in process) and "thread work" (`thread_work` in process): x bare
   per example and how many of the 25 are within 1.5x. "floor" is derived, not measured:
   thread work plus the no-HTTP round trip of part 1, over bare (what a server that
   cost nothing but the kernel would give).

`--limits` times nothing: it probes which of docs/serve.md's "Limits" `hunch serve` and
hunch's app on granian hold (the head's size and deadline, idle connections, Host, body).

Each figure is the median over rounds of the per-round median of --repeat (part 1) or
--per-example (part 2) requests; part 1 also prints the spread of the round medians.
hunch's three servers' answers are checked against the library's before timing. granian is
a benchmark requirement only (benchmarks/requirements.txt), never one of hunch's. Loopback
only; every loop is bounded by the counts above; the servers are stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs

from bench_decision import (
    PACKS,
    ROOT,
    _median,
    _raw_post,
    bare,
    examples,
    in_process,
    raw_request,
    raw_timed,
    request_body,
)
from bench_serve import free_port

HERE = os.path.dirname(os.path.abspath(__file__))
BODY = b'{"ok": true}'
OFF = "?unknowns=off&next=off"
SMALL = ("undo-in-git", "lost-after-reset")  # the cheapest decision of the 25 (0.08 ms)
SOCKET = "socket, no HTTP"
THREAD = "thread work"  # thread_work() in process: the service's part, no HTTP
HUNCH = ("hunch serve (uvicorn)", "hunch app on granian", "decide() on granian WSGI")

# --- the bare apps: fixed bytes, with and without the hop to one thread ------------------

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
_POOL = ThreadPoolExecutor(1, thread_name_prefix="bench-evaluate")  # hunch's Evaluator's


def _nothing() -> bytes:
    return BODY


async def _asgi(scope: dict[str, Any], receive: Receive, send: Send, hop: bool) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    more = True
    while more:  # read the body, as any app that takes a decision must
        more = (await receive()).get("more_body", False)
    body = await asyncio.get_running_loop().run_in_executor(_POOL, _nothing) if hop else BODY
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def bare_asgi(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    await _asgi(scope, receive, send, hop=False)


async def hop_asgi(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    await _asgi(scope, receive, send, hop=True)


async def _rsgi(scope: Any, protocol: Any, hop: bool) -> None:
    await protocol()  # the whole body
    body = await asyncio.get_running_loop().run_in_executor(_POOL, _nothing) if hop else BODY
    protocol.response_bytes(200, [("content-type", "application/json")], body)


async def bare_rsgi(scope: Any, protocol: Any) -> None:
    await _rsgi(scope, protocol, hop=False)


async def hop_rsgi(scope: Any, protocol: Any) -> None:
    await _rsgi(scope, protocol, hop=True)


def bare_wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    environ["wsgi.input"].read()
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(BODY)))])
    return [BODY]


def socket_floor(port: int) -> None:
    """No HTTP at all: one recv, the same fixed reply (the kernel's loopback round trip
    and two system calls; each request fits one recv here). Until terminated."""
    reply = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
             f"Content-Length: {len(BODY)}\r\n\r\n").encode() + BODY
    with socket.create_server(("127.0.0.1", port)) as server:
        while True:
            conn, _ = server.accept()
            with conn:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                while conn.recv(65536):
                    conn.sendall(reply)


# --- hunch's decision behind granian's WSGI: no event loop, no hop -----------------------

_SERVED: dict[str, Any] = {}


def thread_work(served: Any, raw: bytes, unknowns: str, next_: str) -> bytes:
    """What hunch's evaluating thread does for POST /v1/decisions/{pack} (hunch/serve/
    app.py's decide): the strict JSON and the situation's checks, decide(), json_text."""
    from hunch.serve import decisions
    from hunch.serve.app import json_text
    from hunch.serve.problems import json_object, situation

    data = json_object(raw, {"input": "", "as_of": ""})
    sit = situation(served.pack, data["input"], "/input", data.get("as_of"))
    decision = decisions.decide(served, sit, data["input"], "off", 0, unknowns, next_)
    return json_text(decision.body).encode()


def decide_wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """thread_work run by granian on its one blocking thread: the "Rust server in front
    of the evaluating thread". Not a service: no Host check, limits, metrics, errors or
    page; a measurement of the floor only."""
    from hunch.serve import decisions

    if not _SERVED:  # the first request (the readiness check) loads every built-in pack
        from hunch.batch.heap import keep_heap
        from hunch.serve.packs import Registry

        keep_heap()  # as from_environment() does
        registry = Registry([])
        registry.load_all()
        _SERVED.update(registry.packs)
    body = BODY
    if environ["PATH_INFO"].startswith("/v1/decisions/"):
        query = parse_qs(environ["QUERY_STRING"])
        body = thread_work(_SERVED[environ["PATH_INFO"].rsplit("/", 1)[1]],
                           environ["wsgi.input"].read(),
                           decisions.unknowns_mode(query.get("unknowns", [""])[0]),
                           decisions.next_mode(query.get("next", [""])[0]))
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(body)))])
    return [body]


# --- the servers -------------------------------------------------------------------------

Argv = Callable[[int], list[str]]  # the command line, given the port


def uvicorn(target: str) -> Argv:
    """uvicorn on httptools, as `hunch serve` runs it (no server header, no access log)."""
    return lambda port: ["-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port),
                         "--http", "httptools", "--log-level", "warning", "--no-access-log",
                         "--no-server-header", "--timeout-keep-alive", "5"]


def granian(target: str, interface: str, *extra: str) -> Argv:
    """granian, one worker, HTTP/1.1 only (as uvicorn), the head's deadline at hunch's 5 s;
    WSGI on one blocking thread (the one that would evaluate)."""
    threads = ["--blocking-threads", "1"] if interface == "wsgi" else []
    return lambda port: ["-m", "granian", "--interface", interface, "--host", "127.0.0.1",
                         "--port", str(port), "--workers", "1", "--http", "1", "--no-ws",
                         "--log-level", "warning", "--http1-header-read-timeout", "5000",
                         *threads, *extra, target]


def hunch_serve(port: int) -> list[str]:
    """`hunch serve` as a user starts it: every built-in pack, 127.0.0.1, the defaults."""
    return ["-m", "hunch", "serve", "--port", str(port)]


class Server:
    """One server process on loopback, timed from a raw-socket client."""

    def __init__(self, name: str, argv: Argv, ready: str) -> None:
        self.name = name
        self.port = free_port()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([HERE, ROOT]),
               "HUNCH_SERVE_CONFIG": "{}"}  # for granian: `hunch serve`'s defaults
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
        self.proc = subprocess.Popen([sys.executable, *argv(self.port)], cwd=ROOT, env=env,
                                     stdout=self.log, stderr=self.log)
        self._wait(ready)

    def _wait(self, path: str) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}",
                                            timeout=5) as response:
                    if response.status == 200:
                        return
            except (OSError, urllib.error.HTTPError):
                pass  # not listening yet, or 503 while its packs load
            time.sleep(0.2)
        self.log.seek(0)
        tail = self.log.read()[-2000:].decode(errors="replace")
        self.stop()
        sys.exit(f"{self.name} did not become ready in 120 s:\n{tail}")

    def answer(self, url: str, body: bytes) -> bytes:
        with socket.create_connection(("127.0.0.1", self.port), timeout=60) as sock:
            return _raw_post(sock, raw_request(self.port, url, body))

    def timed(self, url: str, body: bytes, repeat: int) -> float:
        """Median wall time (s) of a request on one connection, after one untimed."""
        return raw_timed(self.port, raw_request(self.port, url, body), repeat)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def start_servers(loop: str) -> dict[str, Server]:
    here = "bench_http_floor:"
    on = ("--loop", loop)
    specs: list[tuple[str, Argv, str]] = [
        (SOCKET, lambda port: ["-c", f"import bench_http_floor as b; "
                                                f"b.socket_floor({port})"], "/"),
        ("uvicorn bare ASGI", uvicorn(here + "bare_asgi"), "/"),
        ("uvicorn bare ASGI + hop", uvicorn(here + "hop_asgi"), "/"),
        ("granian bare ASGI", granian(here + "bare_asgi", "asgi", *on), "/"),
        ("granian bare ASGI + hop", granian(here + "hop_asgi", "asgi", *on), "/"),
        ("granian bare RSGI", granian(here + "bare_rsgi", "rsgi", *on), "/"),
        ("granian bare RSGI + hop", granian(here + "hop_rsgi", "rsgi", *on), "/"),
        ("granian bare WSGI", granian(here + "bare_wsgi", "wsgi"), "/"),
        (HUNCH[0], hunch_serve, "/health"),
        (HUNCH[1], granian("hunch.serve.app:from_environment", "asgi", "--factory", *on),
         "/health"),
        (HUNCH[2], granian(here + "decide_wsgi", "wsgi"), "/"),
    ]
    servers: dict[str, Server] = {}
    try:
        for name, argv, ready in specs:
            servers[name] = Server(name, argv, ready)
    except BaseException:
        for server in servers.values():
            server.stop()
        raise
    return servers


def check(servers: dict[str, Server], cases: list[tuple[str, str]], bodies: list[bytes],
          packs: dict[str, Any], situations: list[Any]) -> None:
    """hunch's servers answer as the library does, and alike with both analyses off."""
    import hunch
    from hunch.output.render import result_json

    for (pack, _), sit, body in zip(cases, situations, bodies, strict=True):
        data = result_json(hunch.evaluate(packs[pack], sit))
        expected = {k: data[k] for k in ("recommendation", "unknowns")}
        url = f"/v1/decisions/{pack}"
        for name in HUNCH:
            got = json.loads(servers[name].answer(url, body))
            if {k: got.get(k) for k in expected} != expected:
                sys.exit(f"{name}, {pack}: the answer differs from the library's")
        off = [json.loads(servers[name].answer(url + OFF, body)) for name in HUNCH]
        for one in off:
            del one["decision_id"]  # a new one for every decision
        if any(one != off[0] for one in off[1:]):
            sys.exit(f"{pack}: hunch's servers answer {OFF} differently")


# --- --limits: what of docs/serve.md's "Limits" each server holds -------------------------

CAP = 6.0  # seconds a probe waits for a server to close a connection


def _answer(sock: socket.socket) -> str:
    """The status code of the server's answer and the `code` of its JSON body (hunch's
    one error shape), or what happened instead; read until the server closes or 3 s."""
    data = b""
    sock.settimeout(3)
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except TimeoutError:
        pass  # a keep-alive answer: what came is enough
    except OSError as exc:
        data = data or f"{type(exc).__name__}".encode()
    if not data.startswith(b"HTTP/"):
        return data.decode(errors="replace") or "closed, no answer"
    head, _, body = data.partition(b"\r\n\r\n")
    status = head.split(b" ", 2)[1].decode()
    try:
        return f"{status} {json.loads(body).get('code', 'JSON')}"
    except (ValueError, AttributeError):
        return f"{status} {'(no body)' if not body else '(not JSON)'}"


def sent(port: int, *parts: bytes) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            for part in parts:
                sock.sendall(part)
                time.sleep(0.01)
        except OSError:  # closed while still sending: its answer, if any, is read below
            pass
        return _answer(sock)


def closed_after(port: int, parts: list[bytes], every: float = 0.0) -> str:
    """Seconds until the server closes the connection: ``parts`` sent at once, or one
    every ``every`` seconds (trickled); whatever it answers meanwhile is read."""
    with socket.create_connection(("127.0.0.1", port), timeout=CAP) as sock:
        start = time.monotonic()
        pending = list(parts) if every else []
        if not every:
            sock.sendall(b"".join(parts))
        while (left := CAP - (time.monotonic() - start)) > 0:
            sock.settimeout(min(every, left) if pending else left)
            try:
                if pending:
                    sock.sendall(pending.pop(0))
                if sock.recv(65536) == b"":
                    return f"closed after {time.monotonic() - start:.1f} s"
            except TimeoutError:
                continue
            except OSError:
                return f"reset after {time.monotonic() - start:.1f} s"
        return f"still open after {CAP:.0f} s"


def head(size: int, close: bool = True) -> bytes:
    """A GET /health head of exactly ``size`` bytes (as tests/test_serve_reliability.py)."""
    start = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + \
        (b"Connection: close\r\n" if close else b"")
    return start + b"X-Pad: " + b"a" * (size - len(start) - len(b"X-Pad: \r\n\r\n")) + \
        b"\r\n\r\n"


def short_headers(count: int) -> bytes:
    return (b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            + b"".join(b"X-%d: %s\r\n" % (i, b"b" * 50) for i in range(count)) + b"\r\n")


def big_post() -> bytes:
    """A decision under every bound whose head (15 KiB) and body (1 MiB) come together."""
    body = b'{"input": {}}' + b" " * 2**20
    start = (b"POST /v1/decisions/undo-in-git HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             b"Connection: close\r\nContent-Type: application/json\r\n"
             b"Content-Length: %d\r\nX-Pad: " % len(body))
    return start + b"a" * (15 * 1024 - len(start) - 4) + b"\r\n\r\n" + body


PROBES: list[tuple[str, Callable[[int], str]]] = [
    ("head of 16 KiB", lambda port: sent(port, head(16 * 1024))),
    ("head of 16 KiB + 1 byte", lambda port: sent(port, head(16 * 1024 + 1))),
    ("head of 64 KiB in 4 KiB writes", lambda port: sent(
        port, *[head(64 * 1024)[i:i + 4096] for i in range(0, 64 * 1024, 4096)])),
    ("head of 1 MiB", lambda port: sent(port, head(1024 * 1024))),
    ("120 short headers (7 KiB)", lambda port: sent(port, short_headers(120))),
    ("400 short headers (23 KiB)", lambda port: sent(port, short_headers(400))),
    ("idle connection, nothing sent", lambda port: closed_after(port, [])),
    ("head trickled, a byte every 0.25 s", lambda port: closed_after(
        port, [bytes([b]) for b in head(400)], 0.25)),
    ("idle after one answer (keep-alive)", lambda port: closed_after(
        port, [head(100, close=False)])),
    ("a request line that is not HTTP", lambda port: sent(port, b"HELLO\r\n\r\n")),
    ("15 KiB head and 1 MiB body, one write", lambda port: sent(port, big_post())),
    ("Host: evil.example", lambda port: sent(
        port, b"GET /health HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")),
    ("Content-Length over --max-bytes", lambda port: sent(
        port, b"POST /v1/decisions/undo-in-git HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              b"Connection: close\r\nContent-Type: application/json\r\n"
              b"Content-Length: 99999999\r\n\r\n")),
]


def probe_limits() -> None:
    """Each probe against `hunch serve --keep-alive 1` and hunch's app on granian, with
    its defaults and with its head options at hunch's bounds (1 s, a 16 KiB buffer)."""
    quick = ("--http1-header-read-timeout", "1000")
    app = "hunch.serve.app:from_environment"
    specs: list[tuple[str, Argv]] = [
        ("hunch serve --keep-alive 1", lambda port: [*hunch_serve(port), "--keep-alive", "1"]),
        ("granian, header timeout 1 s", granian(app, "asgi", "--factory", *quick)),
        ("granian, + buffer 16 KiB", granian(app, "asgi", "--factory", *quick,
                                             "--http1-buffer-size", "16384")),
    ]
    servers: dict[str, Server] = {}
    try:
        for name, argv in specs:
            servers[name] = Server(name, argv, "/health")
        print(" | ".join(["probe", *servers]))
        for probe, run in PROBES:
            print(" | ".join([probe, *(run(s.port) for s in servers.values())]), flush=True)
    finally:
        for server in servers.values():
            server.stop()


# --- the run -----------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=200,
                        help="requests per server per round, part 1")
    parser.add_argument("--per-example", type=int, default=30,
                        help="calls per example per way per round, part 2")
    parser.add_argument("--loop", choices=("asyncio", "rloop"), default="asyncio",
                        help="granian's event loop for its ASGI and RSGI rows (uvicorn's, "
                             "as `hunch serve` runs it without uvloop installed: asyncio)")
    parser.add_argument("--limits", action="store_true",
                        help="no timing: which of docs/serve.md's limits each server holds")
    args = parser.parse_args()
    if args.limits:
        probe_limits()
        return

    import hunch

    hunch.keep_heap()  # as hunch's own processes do: bare is not measured in a slow mode
    from hunch.engine.evaluate import load_situation
    from hunch.serve.packs import Served

    cases = examples()
    packs = {name: hunch.load_pack(name) for name in PACKS}
    served = {name: Served(name, "", pack, "rev", 0.0) for name, pack in packs.items()}
    situations = [load_situation(path, packs[pack]) for pack, path in cases]
    bodies = [request_body(path) for _, path in cases]
    small = next(i for i, (pack, path) in enumerate(cases)
                 if (pack, os.path.basename(path)[:-5]) == SMALL)
    print("load average at the start:", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    servers = start_servers(args.loop)
    fixed: dict[str, list[float]] = {name: [] for name in servers}
    ways = ["bare", "lib both off", THREAD, *HUNCH]
    figures: dict[str, list[list[float]]] = {w: [[] for _ in cases] for w in ways}
    try:
        check(servers, cases, bodies, packs, situations)
        for _ in range(args.rounds):
            for name, server in servers.items():
                url = f"/v1/decisions/{SMALL[0]}{OFF}" if name in HUNCH else "/"
                fixed[name].append(server.timed(url, bodies[small], args.repeat))
            for i, ((pack, _), sit, body) in enumerate(zip(cases, situations, bodies,
                                                           strict=True)):
                figures["bare"][i].append(bare(packs[pack], sit, args.per_example))
                figures["lib both off"][i].append(in_process(served[pack], sit, "off",
                                                             args.per_example, "off"))
                figures[THREAD][i].append(_median(
                    lambda one=served[pack], raw=body: thread_work(one, raw, "off", "off"),
                    args.per_example))
                for name in HUNCH:
                    figures[name][i].append(servers[name].timed(
                        f"/v1/decisions/{pack}{OFF}", body, args.per_example))
    finally:
        for server in servers.values():
            server.stop()
    medians = {w: [statistics.median(f) for f in figures[w]] for w in ways}
    report_fixed(fixed, medians["lib both off"][small])
    report_examples(cases, medians, statistics.median(fixed[SOCKET]))


def report_fixed(fixed: dict[str, list[float]], small_lib: float) -> None:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\n{os.cpu_count()} cores shared by client and servers; load average at the end "
          f"{load}\n\nFixed cost per request (ms; median of round medians, [min-max of the "
          f"round medians]); hunch's rows answer {SMALL[0]}/{SMALL[1]}{OFF}, whose service "
          f"work in process is {small_lib * 1000:.3f} ms\n")
    for name, times in fixed.items():
        ms = [t * 1000 for t in times]
        print(f"{name:26} {statistics.median(ms):7.3f}  [{min(ms):.3f}-{max(ms):.3f}]")


def report_examples(cases: list[tuple[str, str]], medians: dict[str, list[float]],
                    floor: float) -> None:
    print(f"\nEvery shipped example, POST /v1/decisions/{{pack}}{OFF} (x bare; bare in ms; "
          f"floor = (thread work + {floor * 1000:.3f} ms) / bare, derived)\n")
    ways = ["lib both off", THREAD, *HUNCH]
    print(f"{'example':28} {'bare ms':>8} " + " ".join(f"{w:>22}" for w in ways)
          + f" {'floor':>7}")
    ratios: dict[str, list[float]] = {w: [] for w in [*ways, "floor"]}
    for i, (pack, path) in enumerate(cases):
        base = medians["bare"][i]
        for w in ways:
            ratios[w].append(medians[w][i] / base)
        ratios["floor"].append((medians[THREAD][i] + floor) / base)
        name = f"{pack.split('-')[0]}/{os.path.basename(path)[:-5]}"
        print(f"{name:28} {base * 1000:8.2f} "
              + " ".join(f"{ratios[w][i]:>21.2f}x" for w in ways)
              + f" {ratios['floor'][i]:>6.2f}x")
    print()
    for w, r in ratios.items():
        within = sum(x <= 1.5 for x in r)
        print(f"{w:>22}: median {statistics.median(r):.2f}x bare, worst {max(r):.2f}x; "
              f"{within} of {len(r)} within 1.5x")


if __name__ == "__main__":
    main()

