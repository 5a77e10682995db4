"""`hunch serve` against the library: requests per second and latency over loopback.

    python benchmarks/bench_serve.py [--situations 200] [--requests 1500] [--seconds 15]

The same random situations of the built-in pack are decided three ways:
- in process, `hunch.evaluate` alone, and `hunch.evaluate` + the result's JSON object
  (what `hunch evaluate --format json` and the API compute: the "still unknown"
  analysis re-evaluates the situation once per candidate value, so it is most of it);
- over HTTP, POST /v1/decisions/interview-silence to `hunch serve` on 127.0.0.1,
  with 1 and 2 workers, at concurrency 1, 8 and 32 (keep-alive connections from
  one asyncio client process, stdlib only).

It prints p50/p99 latency and requests per second for each, the HTTP overhead at
concurrency 1 (goal: p50 within 1.5x of the library call plus a fixed cost under
1 ms) and the 2-worker scaling (goal >= 1.7x). Loopback only; every run is
bounded by a request count and a time limit, and the servers are stopped at the end.
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
import time
import urllib.request
from typing import Any

from bench_batch import builtin_situations

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACK = "interview-silence"
PATH = f"/v1/decisions/{PACK}"
ROUNDS = 5  # alternating rounds per comparison


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- in process ------------------------------------------------------------------------

def library(situations: list[dict[str, Any]], rounds: int,
            alone: list[float], with_json: list[float]) -> None:
    """Per-call wall times (s) of evaluate alone, and of evaluate + its JSON object."""
    import hunch
    from hunch.output.render import result_json

    pack = hunch.load_pack(PACK)
    for _ in range(rounds):
        for sit in situations:
            start = time.perf_counter()
            result = hunch.evaluate(pack, sit)
            middle = time.perf_counter()
            json.dumps(result_json(result), ensure_ascii=False)
            end = time.perf_counter()
            alone.append(middle - start)
            with_json.append(end - start)


# --- over HTTP --------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(workers: int) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "hunch", "serve", PACK, "--port", str(port),
                             "--workers", str(workers)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                if r.status == 200:
                    return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit("the server did not become ready in 60 s")


def requests_for(situations: list[dict[str, Any]], port: int,
                 close: bool = False) -> list[bytes]:
    out = []
    extra = "Connection: close\r\n" if close else ""
    for sit in situations:
        body = json.dumps({"input": sit}).encode()
        out.append(f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}"
                   f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                   .encode() + body)
    return out


async def _one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
               request: bytes) -> None:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise SystemExit(f"unexpected response: {head[:200]!r}")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    await reader.readexactly(length)


async def _load(port: int, requests: list[bytes], concurrency: int, count: int,
                seconds: float, close: bool = False) -> tuple[list[float], float]:
    """``close``: a new connection per request (timed with its connect), as a load
    balancer spreads requests; else keep-alive connections."""
    latencies: list[float] = []
    next_index = 0
    stop_at = time.perf_counter() + seconds

    async def connection() -> None:
        nonlocal next_index
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while next_index < count and time.perf_counter() < stop_at:
                request = requests[next_index % len(requests)]
                next_index += 1
                start = time.perf_counter()
                if close:
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                await _one(reader, writer, request)
                latencies.append(time.perf_counter() - start)
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return latencies, time.perf_counter() - start


def load(port: int, requests: list[bytes], concurrency: int, count: int,
         seconds: float) -> tuple[list[float], float]:
    return asyncio.run(_load(port, requests, concurrency, count, seconds))


# --- the report --------------------------------------------------------------------------

def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--situations", type=int, default=200)
    parser.add_argument("--requests", type=int, default=1500, help="per measurement")
    parser.add_argument("--seconds", type=float, default=15.0, help="time limit per measurement")
    args = parser.parse_args()
    situations = builtin_situations(args.situations)

    print(f"{len(situations)} situations of {PACK}; {os.cpu_count()} cores (client and "
          f"server share them)\n")
    library(situations, 1, [], [])  # warm up: compile, first sessions
    alone: list[float] = []
    with_json: list[float] = []
    serial: list[float] = []
    # concurrency 1 against the library: interleaved rounds, so a change in the
    # machine's load hits both alike (the machine is shared)
    proc, port = start_server(1)
    try:
        requests = requests_for(situations, port)
        load(port, requests, 1, 200, args.seconds)
        for _ in range(max(1, args.requests // len(situations))):
            library(situations, 1, alone, with_json)
            serial += asyncio.run(_load(port, requests, 1, len(situations), args.seconds))[0]
    finally:
        proc.terminate()
        proc.wait(30)
    lib_p50, json_p50 = statistics.median(alone), statistics.median(with_json)
    print(f"{'in process':<28} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>9}")
    print(f"{'hunch.evaluate':<28} {ms(lib_p50):>8} {ms(percentile(alone, 0.99)):>8} "
          f"{1 / statistics.mean(alone):>9.0f}")
    print(f"{'evaluate + JSON object':<28} {ms(json_p50):>8} "
          f"{ms(percentile(with_json, 0.99)):>8} {1 / statistics.mean(with_json):>9.0f}")
    print(f"{'HTTP, 1 worker, in turn':<28} {ms(statistics.median(serial)):>8} "
          f"{ms(percentile(serial, 0.99)):>8} {1 / statistics.mean(serial):>9.0f}\n")

    # 1 and 2 workers both up (an idle server costs nothing), measured in alternating
    # rounds, so drift in the shared machine's load hits both alike
    rates: dict[tuple[int, int], float] = {}
    servers = {w: start_server(w) for w in (1, 2)}
    print(f"{'over HTTP':<28} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>9}")
    try:
        per_round = max(50, args.requests // ROUNDS)
        for concurrency in (1, 8, 32):
            seen: dict[int, list[float]] = {1: [], 2: []}
            round_rates: dict[int, list[float]] = {1: [], 2: []}
            for _, port in servers.values():  # warm up
                load(port, requests_for(situations, port), concurrency, 100, args.seconds)
            for _ in range(ROUNDS):
                for w, (_, port) in servers.items():
                    # a connection per request: uvicorn's workers share one listening
                    # socket, and a worker that wakes first accepts every connection
                    # waiting, so long keep-alive connections would pile on one worker
                    latencies, wall = asyncio.run(_load(
                        port, requests_for(situations, port, close=True), concurrency,
                        per_round, args.seconds / ROUNDS, close=True))
                    seen[w] += latencies
                    round_rates[w].append(len(latencies) / wall)
            for w in (1, 2):
                rates[w, concurrency] = statistics.median(round_rates[w])
                label = f"{w} worker{'s' if w > 1 else ''}, concurrency {concurrency}"
                print(f"{label:<28} {ms(statistics.median(seen[w])):>8} "
                      f"{ms(percentile(seen[w], 0.99)):>8} {rates[w, concurrency]:>9.0f}")
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            proc.wait(30)

    http = statistics.median(serial)
    print(f"\nHTTP p50 at concurrency 1: {ms(http)} ms = {http / json_p50:.2f}x evaluate + JSON "
          f"(+{ms(http - json_p50)} ms), {http / lib_p50:.2f}x evaluate alone "
          f"(+{ms(http - lib_p50)} ms)")
    budget = 1.5 * json_p50 + 0.001
    print(f"goal p50 <= 1.5 x library + 1 ms = {ms(budget)} ms: "
          f"{'met' if http <= budget else 'NOT met'} (library = evaluate + JSON)")
    worst = min(rates[2, c] / rates[1, c] for c in (8, 32))
    print(f"2 workers / 1 worker, requests per second: concurrency 8 "
          f"{rates[2, 8] / rates[1, 8]:.2f}x, concurrency 32 {rates[2, 32] / rates[1, 32]:.2f}x "
          f"(goal >= 1.7x: {'met' if worst >= 1.7 else 'NOT met'})")


if __name__ == "__main__":
    main()
