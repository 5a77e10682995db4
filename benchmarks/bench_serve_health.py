"""How long GET /health takes while one big batch runs (issue 20, finding 08).

Starts `hunch serve` (one worker) on a free loopback port, then, side by side in one
run: /health alone (the baseline), and /health polled every 100 ms while one batch
of N copies of the asker's situation (`?explain=full` with --explain) is evaluated.
Prints the medians and maxima, their ratio, the batch's own time and status.

    python benchmarks/bench_serve_health.py [--items 1000] [--explain full] [-- SERVE-ARGS]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as r:
        r.read()
    return time.perf_counter() - start


def post(url: str, body: bytes, out: dict[str, object]) -> None:
    start = time.perf_counter()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=600) as r:
            out["status"] = r.status
            out["bytes"] = len(r.read())
    except urllib.error.HTTPError as exc:
        out["status"] = exc.code
        out["body"] = exc.read()[:300].decode(errors="replace")
    out["seconds"] = time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--explain", default="full")
    parser.add_argument("serve_args", nargs="*")
    args = parser.parse_args()
    import yaml

    with open(os.path.join(ROOT, "examples", "asker.yaml"), encoding="utf-8") as f:
        asker = yaml.safe_load(f)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "hunch", "serve", "--port", str(port),
                             "interview-silence", *args.serve_args])
    try:
        for _ in range(600):
            try:
                get(base + "/health")
                break
            except OSError:
                time.sleep(0.1)
        alone = [get(base + "/health") for _ in range(50)]
        body = json.dumps({"inputs": [asker] * args.items}).encode()
        result: dict[str, object] = {}
        query = f"?explain={args.explain}" if args.explain != "off" else ""
        worker = threading.Thread(target=post, args=(
            f"{base}/v1/decisions/interview-silence/batch{query}", body, result))
        worker.start()
        time.sleep(0.2)  # let the batch start
        during = []
        while worker.is_alive():
            during.append(get(base + "/health"))
            time.sleep(0.1)
        worker.join()
    finally:
        proc.terminate()
        proc.wait(30)
    ms = [x * 1000 for x in alone]
    dm = [x * 1000 for x in during] or [float("nan")]
    print(f"batch: {args.items} items, explain={args.explain}: status {result.get('status')}, "
          f"{result.get('seconds', 0):.1f} s, {result.get('bytes', 0):,} bytes "
          f"{result.get('body', '')}")
    print(f"/health alone:        median {statistics.median(ms):7.1f} ms, max {max(ms):8.1f} ms")
    print(f"/health during batch: median {statistics.median(dm):7.1f} ms, max {max(dm):8.1f} ms "
          f"({len(dm)} requests)")
    print(f"ratio of medians: {statistics.median(dm) / statistics.median(ms):.1f}x")


if __name__ == "__main__":
    main()
