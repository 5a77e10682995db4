"""A decision over HTTP against a bare evaluation: what the "Still unknown" analysis costs.

    python benchmarks/bench_decision.py [--rounds 5] [--repeat 20] [--against DIR]

For every shipped example of the four built-in packs (examples/*.yaml and
examples/<pack>/*.yaml), side by side in one run:
- **bare**: `hunch.evaluate` on the loaded situation plus `json.dumps` of the
  evaluation itself (hypotheses, actions, recommendation, derived facts; no search),
  in this process;
- **lib** and **lib off**: what the service computes for the decision, without HTTP
  (serve's decide(), by default and with unknowns=off, plus json.dumps), in this process;
- **decision**: POST /v1/decisions/<pack> to `hunch serve` (every built-in pack, one
  worker) on 127.0.0.1, one keep-alive connection, one request at a time
  (concurrency 1), as it answers by default, with the "Still unknown" analysis;
- **unknowns=off**: the same request with `?unknowns=off` (the analysis skipped);
- **both off**: with `?unknowns=off&next=off` (the analysis and "What happens next",
  the time plan of a situation with dates, skipped), and **both off raw**: the same
  request from a minimal client on a raw socket instead of http.client (what the
  client itself costs: http.client parses the response head with the email package);
- **lib both off**: serve's decide() with both skipped, in process;
- with `--against DIR`, **before** and **before off**: the default decision and the
  one with `?unknowns=off` from a second server run from another checkout of hunch
  (e.g. main before this change), same requests.

Rounds alternate the ways (so drift in a shared machine's load hits all alike); each
figure is the median over rounds of the per-round median of --repeat calls, and the
ratios are each example's decision median over its bare median (target: 1.5x,
issue 27). The script checks that each server's recommendations and unknowns are the
library's. Loopback only; bounded by --rounds x --repeat requests per way; the servers
are stopped at the end.
"""

from __future__ import annotations

import argparse
import glob
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from datetime import date
from typing import Any

from bench_serve import free_port

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKS = ("interview-silence", "lend-money", "printer-wont-print", "undo-in-git")


def examples() -> list[tuple[str, str]]:
    """(pack, path) of every shipped example."""
    out = [("interview-silence", p) for p in sorted(glob.glob(f"{ROOT}/examples/*.yaml"))]
    for pack in PACKS[1:]:
        out += [(pack, p) for p in sorted(glob.glob(f"{ROOT}/examples/{pack}/*.yaml"))]
    return out


def batch_body(body: bytes, count: int) -> bytes:
    """A request body for .../batch: the single request's situation ``count`` times."""
    data = json.loads(body)
    batch: dict[str, Any] = {"inputs": [data["input"]] * count}
    if "as_of" in data:
        batch["as_of"] = data["as_of"]
    return json.dumps(batch).encode()


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def request_body(path: str) -> bytes:
    """The example as a JSON request: its facts as `input`, its `_as_of` as `as_of`."""
    import yaml

    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    body: dict[str, Any] = {"input": {k: _plain(v) for k, v in data.items()
                                      if not k.startswith("_")}}
    if "_as_of" in data:
        body["as_of"] = _plain(data["_as_of"])
    return json.dumps(body).encode()


# --- in process -------------------------------------------------------------------------

def bare_json(result: Any) -> str:
    from hunch.output.formats import ranked_json

    best = result.recommendation
    return json.dumps({"hypotheses": [ranked_json(h) for h in result.hypotheses],
                       "actions": [ranked_json(a) for a in result.actions],
                       "recommendation": ranked_json(best) if best else None,
                       "derived": result.derived_facts()}, ensure_ascii=False)


def bare(pack: Any, situation: Any, repeat: int) -> float:
    """Median wall time (s) of evaluate + json.dumps of the evaluation."""
    import hunch

    return _median(lambda: bare_json(hunch.evaluate(pack, situation)), repeat)


def in_process(served: Any, situation: Any, unknowns: str, repeat: int,
               next_: str = "full") -> float:
    """Median wall time (s) of what the service computes for a decision, without HTTP:
    serve's decide() (evaluate, the response object) + json.dumps."""
    from hunch.serve.decisions import decide

    return _median(lambda: json.dumps(decide(served, situation, {}, "off", unknowns=unknowns,
                                             next_=next_).body), repeat)


def _median(call: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# --- over HTTP --------------------------------------------------------------------------

class Server:
    """`hunch serve` (every built-in pack, one worker) from a checkout, on loopback."""

    def __init__(self, checkout: str) -> None:
        self.port = free_port()
        env = {**os.environ, "PYTHONPATH": checkout}
        if "HUNCH_CACHE_DIR" in os.environ:  # each checkout its own pack cache
            env["HUNCH_CACHE_DIR"] = os.environ["HUNCH_CACHE_DIR"] + f"-{self.port}"
        self.proc = subprocess.Popen([sys.executable, "-m", "hunch", "serve", "--port",
                                      str(self.port)], cwd=checkout, env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                self.conn.request("GET", "/health")
                if self.conn.getresponse().read() and self.proc.poll() is None:
                    return
            except OSError:
                self.conn.close()
                time.sleep(0.2)
        self.stop()
        sys.exit(f"the server from {checkout} did not become ready in 90 s")

    def post(self, url: str, body: bytes) -> dict[str, Any]:
        try:
            self.conn.request("POST", url, body, {"Content-Type": "application/json"})
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionError):
            # the server closed the connection, idle while the other ways ran: reopen it
            self.conn.close()
            self.conn.request("POST", url, body, {"Content-Type": "application/json"})
            response = self.conn.getresponse()
        data = response.read()
        if response.status != 200:
            raise SystemExit(f"{url}: {response.status} {data[:300]!r}")
        return dict(json.loads(data))

    def timed(self, url: str, body: bytes, repeat: int) -> float:
        """Median wall time (s) of a request, after one untimed (a live connection)."""
        self.post(url, body)
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            self.post(url, body)
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    def raw_timed(self, url: str, body: bytes, repeat: int) -> float:
        """As timed, from a minimal HTTP/1.1 client on a raw socket (what http.client
        itself costs is the difference)."""
        return raw_timed(self.port, raw_request(self.port, url, body), repeat)

    def stop(self) -> None:
        self.conn.close()
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def raw_request(port: int, url: str, body: bytes) -> bytes:
    """POST ``body`` (JSON) to ``url`` on 127.0.0.1:``port``, as the raw client sends it."""
    head = (f"POST {url} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


def raw_timed(port: int, request: bytes, repeat: int) -> float:
    """Median wall time (s) of ``request`` on one keep-alive connection from a minimal
    HTTP/1.1 client on a raw socket, after one untimed."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        _raw_post(sock, request)
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            _raw_post(sock, request)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def _raw_post(sock: socket.socket, request: bytes) -> bytes:
    """Send one request, read its whole response (Content-Length: the service's own)."""
    sock.sendall(request)
    data = b""
    while b"\r\n\r\n" not in data:
        data += _recv(sock)
    head, _, rest = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise SystemExit(f"raw client: {head[:200]!r}")
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(rest) < length:
        rest += _recv(sock)
    return rest


def _recv(sock: socket.socket) -> bytes:
    chunk = sock.recv(65536)
    if not chunk:
        raise SystemExit("raw client: the server closed the connection")
    return chunk


def check(server: Server, pack: str, body: bytes, expected: dict[str, Any]) -> None:
    got = server.post(f"/v1/decisions/{pack}", body)
    same = {k: got.get(k) for k in expected}
    if same != expected:
        raise SystemExit(f"{pack}: the server's answer differs from the library's: {same} "
                         f"!= {expected}")


# --- the report --------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=20, help="calls per way per round")
    parser.add_argument("--against", metavar="DIR", help="another checkout of hunch")
    parser.add_argument("--batch", type=int, default=0, metavar="N",
                        help="also POST .../batch?unknowns=off&next=off with the example N "
                             "times (raw client), timed per situation")
    parser.add_argument("--profile", action="store_true",
                        help="only profile (cProfile) the decisions in process, both ways")
    args = parser.parse_args()
    if args.profile:
        profile(args.repeat)
        return

    import hunch
    from hunch.engine.evaluate import load_situation
    from hunch.output.render import result_json

    cases = examples()
    packs = {name: hunch.load_pack(name) for name in PACKS}
    situations = [load_situation(path, packs[pack]) for pack, path in cases]
    bodies = [request_body(path) for _, path in cases]
    print("load average at the start:", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    servers = {"decision": Server(ROOT)}
    if args.against:
        servers["before"] = Server(os.path.abspath(args.against))
    try:
        for (pack, _), sit, body in zip(cases, situations, bodies, strict=True):
            data = result_json(hunch.evaluate(packs[pack], sit))
            expected = {k: data[k] for k in ("recommendation", "unknowns")}
            for server in servers.values():
                check(server, pack, body, expected)
        from hunch.serve.packs import Served

        served = {name: Served(name, "", pack, "rev", 0.0) for name, pack in packs.items()}
        befores = ["before", "before off"] if args.against else []
        ways = ["bare", "lib", "lib off", "lib both off", "decision", *befores,
                "unknowns=off", "both off", "both off raw"]
        batch_way = f"batch of {args.batch}, raw, each"
        if args.batch:
            ways.append(batch_way)
        figures: dict[str, list[list[float]]] = {w: [[] for _ in cases] for w in ways}
        for _ in range(args.rounds):
            for i, ((pack, _), sit, body) in enumerate(zip(cases, situations, bodies,
                                                           strict=True)):
                url = f"/v1/decisions/{pack}"
                figures["bare"][i].append(bare(packs[pack], sit, args.repeat))
                figures["lib"][i].append(in_process(served[pack], sit, "full", args.repeat))
                figures["lib off"][i].append(in_process(served[pack], sit, "off", args.repeat))
                figures["lib both off"][i].append(in_process(served[pack], sit, "off",
                                                             args.repeat, "off"))
                for name, server in servers.items():
                    figures[name][i].append(server.timed(url, body, args.repeat))
                if args.against:
                    figures["before off"][i].append(servers["before"].timed(
                        url + "?unknowns=off", body, args.repeat))
                now = servers["decision"]
                figures["unknowns=off"][i].append(now.timed(url + "?unknowns=off", body,
                                                            args.repeat))
                figures["both off"][i].append(now.timed(url + "?unknowns=off&next=off", body,
                                                        args.repeat))
                figures["both off raw"][i].append(now.raw_timed(
                    url + "?unknowns=off&next=off", body, args.repeat))
                if args.batch:  # the fixed cost of a request shared by N situations
                    figures[batch_way][i].append(now.raw_timed(
                        url + "/batch?unknowns=off&next=off", batch_body(body, args.batch),
                        args.repeat) / args.batch)
    finally:
        for server in servers.values():
            server.stop()
    report(cases, ways, {w: [statistics.median(f) for f in figures[w]] for w in ways})


def profile(repeat: int) -> None:
    """Where a decision's time goes: serve's decide() on every example, in process."""
    import cProfile
    import pstats

    import hunch
    from hunch.engine.evaluate import load_situation
    from hunch.serve.decisions import decide
    from hunch.serve.packs import Served

    served = {name: Served(name, "", hunch.load_pack(name), "rev", 0.0) for name in PACKS}
    cases = [(served[pack], load_situation(path, served[pack].pack))
             for pack, path in examples()]
    for unknowns in ("full", "off"):
        for one, sit in cases:  # warm up
            decide(one, sit, {}, "off", unknowns=unknowns)
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(repeat):
            for one, sit in cases:
                json.dumps(decide(one, sit, {}, "off", unknowns=unknowns).body)
        prof.disable()
        print(f"\n--- unknowns={unknowns}: {repeat} x {len(cases)} decisions ---")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(18)


def report(cases: list[tuple[str, str]], ways: list[str], medians: dict[str, list[float]]) -> None:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{len(cases)} shipped examples, {os.cpu_count()} cores (client and server share "
          f"them), load average at the end {load}; medians, ms; ratio = x bare\n")
    head = f"{'example':28} " + " ".join(f"{w:>9}" for w in ways)
    print(head + "  " + " ".join(f"{w + ' x':>11}" for w in ways[1:]))
    ratios: dict[str, list[float]] = {w: [] for w in ways[1:]}
    for i, (pack, path) in enumerate(cases):
        name = f"{pack.split('-')[0]}/{os.path.basename(path)[:-5]}"
        row = f"{name:28} " + " ".join(f"{medians[w][i] * 1000:>9.2f}" for w in ways)
        for w in ways[1:]:
            ratios[w].append(medians[w][i] / medians["bare"][i])
        print(row + "  " + " ".join(f"{ratios[w][i]:>11.2f}" for w in ways[1:]))
    print()
    for w in ways[1:]:
        r = ratios[w]
        within = sum(x <= 1.5 for x in r)
        print(f"{w:>13}: median {statistics.median(r):.2f}x bare, worst {max(r):.2f}x; "
              f"{within} of {len(r)} within 1.5x")


if __name__ == "__main__":
    main()
