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
  mallopt(M_TRIM_THRESHOLD, 256 MiB) (ctypes, glibc) before anything else: every
  session's blocks from the heap, and the heap's top never given back, so the pages
  stay mapped from one session to the next (what hunch could do at start-up).

Each engine runs alone in its process (the hand-written one, then hunch). The report
prints µs per situation for each call and page faults per situation; the slow mode
is the one whose page faults per situation are in the hundreds.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))

CONFIGS: dict[str, dict[str, str]] = {
    "fresh": {},
    "after peers": {"BENCH_PEERS": "Clips,Zen,Experta"},
    "after ZEN only": {"BENCH_PEERS": "Zen"},
    "mmap fixed (128 KiB)": {"MALLOC_MMAP_THRESHOLD_": "131072"},
    "mallopt": {"BENCH_MALLOPT": "1"},
}
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h


def keep_heap() -> None:
    """Sessions' blocks from the heap, and the heap never trimmed (glibc only)."""
    import ctypes

    libc = ctypes.CDLL(None)
    libc.mallopt(M_MMAP_THRESHOLD, 64 << 20)
    libc.mallopt(M_TRIM_THRESHOLD, 256 << 20)


def child(n_rules: int, n_sits: int, engine: str) -> dict[str, Any]:
    """Run in the fresh process: time the calls, count the page faults."""
    if os.environ.get("BENCH_MALLOPT"):
        keep_heap()
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", type=int, default=50)
    parser.add_argument("--situations", type=int, default=2000)
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.rules, args.situations, args.child)))
        return
    print(f"R = {args.rules} rules, {args.situations} situations, each configuration in a "
          f"fresh process (wall clock; load average {os.getloadavg()[0]:.1f})")
    print(f"  {'configuration':22} {'assert_fact':>11} {'delete':>8} {'faults':>7}   "
          f"{'hunch.evaluate':>14} {'faults':>7}")
    for name, env in CONFIGS.items():
        got: dict[str, Any] = {}
        for engine in ("hand", "hunch"):
            proc = subprocess.run([sys.executable, __file__, "--child", engine, "--rules",
                                   str(args.rules), "--situations", str(args.situations)],
                                  env={**os.environ, **env}, capture_output=True, text=True,
                                  check=False)
            if proc.returncode != 0:
                sys.exit(f"{name}: {proc.stderr[-800:]}")
            got.update(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(f"  {name:22} {got['assert']:9.1f}us {got['delete']:6.1f}us "
              f"{got['faults']:7.1f}   {got['hunch']:12.1f}us {got['hunch_faults']:7.1f}")


if __name__ == "__main__":
    main()
