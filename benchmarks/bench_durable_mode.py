"""durable_rules' "slow mode": assert_fact and delete_state several times slower for a
whole process. An experiment that finds the cause.

    python benchmarks/bench_durable_mode.py [--rules 50] [--situations 2000]

Each configuration runs in a fresh process (the mode is a property of a process):
the hand-written durable_rules engine of bench_engines.py and hunch's own engine, on
the shared workload, timing ``assert_fact`` and ``delete_state`` apart, and counting
the minor page faults (pages the kernel had to map and zero) per situation.

durable_rules' C core allocates a session's whole state when a situation's first
fact arrives (createStateNode in src/rules/state.c: a pool of 16 message nodes of
~13 KB each, and per beta node two 8 KB indexes and their pools) and frees it all
in delete_state: blocks of 100 KB to several MB per situation. glibc's malloc serves
blocks above M_MMAP_THRESHOLD (128 KiB to start with) with a fresh mmap, freed with
munmap, every page faulted in and zeroed again on each use; its *dynamic* threshold
rises to the size of such a block once one is freed, after which the same blocks
come from the heap, already mapped. The configurations:

- fresh: nothing else in the process;
- after peers: CLIPS, ZEN and experta built and run in the same process first
  (as in bench_engines.py), where the slow mode was seen; after ZEN only: the one
  that moves malloc's thresholds (its Rust allocations);
- mmap fixed: MALLOC_MMAP_THRESHOLD_=131072 in the environment: the same default
  threshold, but set, which turns the dynamic adjustment off (as any mallopt call
  or MALLOC_* variable does, from any library in the process);
- mallopt: the process itself calls mallopt(M_MMAP_THRESHOLD, 64 MiB) and
  mallopt(M_TRIM_THRESHOLD, 256 MiB) (hunch.batch.heap.keep_heap: ctypes, glibc)
  before anything else: every session's blocks from the heap, and the heap's top
  kept, so the pages stay mapped from one session to the next (what hunch's own
  processes do).

Each engine runs alone in its process (the hand-written one, then hunch). The report
prints µs per situation for each call and page faults per situation; the slow mode
is the one whose page faults per situation are in the hundreds.

Then (unless --no-shells) hunch's own processes, before and after hunch.batch.heap's
keep_heap (before: ``HUNCH_KEEP_HEAP=0``), on a pack of the generated rules:

- the CLI batch: ``hunch evaluate --rules PACK --format jsonl --jobs J - -o OUT`` on
  the situations as JSON Lines, J = 1 and 2; CPU time and page faults of the command
  and its workers (getrusage of the children), less those of the same command on
  one situation (start-up, loading and compiling the pack);
- ``hunch serve PACK``: --serve-requests decisions POSTed one at a time; the server
  process's CPU time and page faults (/proc/PID/stat) per decision (each decision
  also runs the still-unknown analysis: several evaluations).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))

CONFIGS: dict[str, dict[str, str]] = {
    "fresh": {},
    "after peers": {"BENCH_PEERS": "Clips,Zen,Experta"},
    "after ZEN only": {"BENCH_PEERS": "Zen"},
    "mmap fixed (128 KiB)": {"MALLOC_MMAP_THRESHOLD_": "131072"},
    "mallopt": {"BENCH_MALLOPT": "1"},
}

def child(n_rules: int, n_sits: int, engine: str) -> dict[str, Any]:
    """Run in the fresh process: time the calls, count the page faults."""
    if os.environ.get("BENCH_MALLOPT"):
        from hunch.batch.heap import keep_heap

        keep_heap()  # what hunch's own processes do
    sys.path.insert(0, HERE)
    from workload import generate, situations

    work = generate(n_rules)
    sits = situations(n_sits)
    if os.environ.get("BENCH_PEERS"):
        _run_peers(work, sits[:200], os.environ["BENCH_PEERS"].split(","))
    if engine == "hunch":
        return _hunch(work, sits)
    return _hand(work, sits)


def _hunch(work: Any, sits: list[dict[str, Any]]) -> dict[str, Any]:
    from engines import HunchEngine

    engine = HunchEngine(work)
    for sit in sits[:20]:
        engine.evaluate(sit)  # warm
    faults = _faults()
    start = time.perf_counter()
    for sit in sits:
        engine.evaluate(sit)
    elapsed = time.perf_counter() - start
    return {"hunch": elapsed / len(sits) * 1e6, "hunch_faults": (_faults() - faults) / len(sits)}


def _hand(work: Any, sits: list[dict[str, Any]]) -> dict[str, Any]:
    import durable_rules_engine as core
    from engines import DurableHand

    n_sits = len(sits)
    hand = DurableHand(work)
    handles = [hand.host.get_ruleset(name)._handle for name in hand.names]
    hand.run(sits[0])  # warm: the first session of a ruleset
    asserting = deleting = 0.0
    faults = _faults()
    for number, sit in enumerate(sits):
        sid = f"m{number}"
        start = time.perf_counter()
        for name in hand.names:
            hand.host.assert_fact(name, {**sit, "t": "s", "sid": sid})
        middle = time.perf_counter()
        for handle in handles:
            core.delete_state(handle, sid)
        asserting += middle - start
        deleting += time.perf_counter() - middle
    faults = _faults() - faults
    return {"assert": asserting / n_sits * 1e6, "delete": deleting / n_sits * 1e6,
            "faults": faults / n_sits}


def _faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def _run_peers(work: Any, sits: list[dict[str, Any]], names: list[str]) -> None:
    import engines

    for peer in (getattr(engines, name) for name in names):
        try:
            engine = peer(work)
        except ImportError as exc:
            print(f"  ({peer.name} skipped: {exc})", file=sys.stderr)
            continue
        for sit in sits:
            engine.run(sit)


# --- hunch's own processes: the CLI batch and hunch serve -------------------------------

SHELL_CONFIGS = {"before (HUNCH_KEEP_HEAP=0)": {"HUNCH_KEEP_HEAP": "0"}, "after": {}}
HUNCH = [sys.executable, "-m", "hunch"]


def _children() -> tuple[float, int]:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime, used.ru_minflt


def _batch(pack: str, path: str, jobs: int, env: dict[str, str], out: str) -> tuple[float, int]:
    """CPU seconds and page faults of one ``hunch evaluate`` batch, workers included."""
    cpu, faults = _children()
    with open(path, "rb") as source:
        subprocess.run([*HUNCH, "evaluate", "--rules", pack, "--format", "jsonl", "--jobs",
                        str(jobs), "-", "-o", out], stdin=source, env=env, check=True,
                       stdout=subprocess.DEVNULL)
    os.unlink(out)
    after_cpu, after_faults = _children()
    return after_cpu - cpu, after_faults - faults


def cli_batch(pack: str, sits: list[dict[str, Any]], env: dict[str, str], jobs: int,
              tmp: str) -> tuple[float, float]:
    """µs of CPU and page faults per situation of a batch, start-up taken off."""
    paths = []
    for count in (1, len(sits)):
        paths.append(os.path.join(tmp, f"sits-{count}.jsonl"))
        with open(paths[-1], "w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(sit) + "\n" for sit in sits[:count])
    one = _batch(pack, paths[0], jobs, env, os.path.join(tmp, "out"))
    many = _batch(pack, paths[1], jobs, env, os.path.join(tmp, "out"))
    per = len(sits) - 1
    return (many[0] - one[0]) / per * 1e6, (many[1] - one[1]) / per


def _stat(pid: int) -> tuple[float, int]:
    """CPU seconds and minor page faults of a process so far (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks, int(fields[7])


def serve(pack: str, sits: list[dict[str, Any]], env: dict[str, str]) -> tuple[float, float]:
    """µs of the server's CPU and its page faults per decision (one at a time)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([*HUNCH, "serve", pack, "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base)
        post = [urllib.request.Request(f"{base}/v1/decisions/bench", method="POST",
                                       data=json.dumps({"input": sit}).encode(),
                                       headers={"Content-Type": "application/json"})
                for sit in sits]
        with urllib.request.urlopen(post[0], timeout=600) as answer:
            answer.read()  # warm: the first session of each ruleset
        cpu, faults = _stat(proc.pid)
        for request in post[1:]:
            with urllib.request.urlopen(request, timeout=600) as answer:
                answer.read()
        after_cpu, after_faults = _stat(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    per = len(sits) - 1
    return (after_cpu - cpu) / per * 1e6, (after_faults - faults) / per


def _wait(base: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("hunch serve did not become ready in 120 s")


def shells(n_rules: int, n_sits: int, n_requests: int) -> None:
    sys.path.insert(0, HERE)
    from workload import generate, situations, write_hunch_pack

    print(f"\nhunch's own processes, R = {n_rules} rules (CPU time; load average "
          f"{os.getloadavg()[0]:.1f})")
    print(f"  {'configuration':27} {'evaluate --jobs 1':>19} {'faults':>7} "
          f"{'--jobs 2':>12} {'faults':>7}   {'serve decision':>14} {'faults':>8}")
    sits = situations(max(n_sits, n_requests))
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    with tempfile.TemporaryDirectory() as tmp:
        pack = write_hunch_pack(generate(n_rules), os.path.join(tmp, "pack"))
        for name, extra in SHELL_CONFIGS.items():
            env = {**environ, **extra}
            one = cli_batch(pack, sits[:n_sits], env, 1, tmp)
            two = cli_batch(pack, sits[:n_sits], env, 2, tmp)
            http = serve(pack, sits[:n_requests], env)
            print(f"  {name:27} {one[0]:17.0f}us {one[1]:7.1f} {two[0]:10.0f}us {two[1]:7.1f}"
                  f"   {http[0]:12.0f}us {http[1]:8.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", type=int, default=50)
    parser.add_argument("--situations", type=int, default=2000)
    parser.add_argument("--serve-requests", type=int, default=50)
    parser.add_argument("--no-shells", action="store_true",
                        help="skip the CLI batch and hunch serve, before and after")
    parser.add_argument("--only-shells", action="store_true",
                        help="only the CLI batch and hunch serve, before and after")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.rules, args.situations, args.child)))
        return
    if not args.only_shells:
        engines(args.rules, args.situations)
    if not args.no_shells:
        shells(args.rules, args.situations, args.serve_requests)


def engines(n_rules: int, n_sits: int) -> None:
    print(f"R = {n_rules} rules, {n_sits} situations, each configuration in a "
          f"fresh process (wall clock; load average {os.getloadavg()[0]:.1f})")
    print(f"  {'configuration':22} {'assert_fact':>11} {'delete':>8} {'faults':>7}   "
          f"{'hunch.evaluate':>14} {'faults':>7}")
    for name, env in CONFIGS.items():
        got: dict[str, Any] = {}
        for engine in ("hand", "hunch"):
            proc = subprocess.run([sys.executable, __file__, "--child", engine, "--rules",
                                   str(n_rules), "--situations", str(n_sits)],
                                  env={**os.environ, **env}, capture_output=True, text=True,
                                  check=False)
            if proc.returncode != 0:
                sys.exit(f"{name}: {proc.stderr[-800:]}")
            got.update(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(f"  {name:22} {got['assert']:9.1f}us {got['delete']:6.1f}us "
              f"{got['faults']:7.1f}   {got['hunch']:12.1f}us {got['hunch_faults']:7.1f}")


if __name__ == "__main__":
    main()
