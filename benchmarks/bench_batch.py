"""Batch throughput: `hunch evaluate --format jsonl -` with --jobs 1 against --jobs 2.

    python benchmarks/bench_batch.py [--situations 3000] [--rules 200] [--builtin]

N situations go in as JSON Lines on standard input; the JSON Lines results are
checked to be byte-identical between the two runs, and the script prints the
throughput ratio (wall clock, whole command, start-up included). The engine
holds the GIL, so --jobs uses processes; the ratio can only approach the number
of idle cores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

from bench_cold import ROOT, hunch_command
from workload import generate, situations, write_hunch_pack


def builtin_situations(count: int, seed: int = 5) -> list[dict[str, Any]]:
    """Random valid situations for the built-in pack, from its fact schema."""
    return list(iter_builtin_situations(count, seed))


def iter_builtin_situations(count: int, seed: int = 5) -> Iterator[dict[str, Any]]:
    """builtin_situations one at a time (a million of them do not fit in memory)."""
    from hunch.engine.load import load_pack

    pack = load_pack(None)
    rnd = random.Random(seed)
    for _ in range(count):
        sit: dict[str, Any] = {}
        for name, spec in pack.facts.items():
            if not spec.required and rnd.random() < 0.3:
                continue
            if spec.type == "boolean":
                sit[name] = rnd.random() < 0.5
            elif spec.type == "enum":
                sit[name] = rnd.choice(spec.values or [None])
            elif spec.type in ("integer", "number"):
                low = int(spec.min if spec.min is not None else 0)
                high = int(spec.max if spec.max is not None else low + 60)
                sit[name] = rnd.randint(low, min(high, low + 60))
        yield sit


def run(command: list[str], stdin_path: str) -> tuple[float, str]:
    with open(stdin_path, "rb") as stdin:
        start = time.perf_counter()
        proc = subprocess.run(command, cwd=ROOT, stdin=stdin, capture_output=True, check=False)
        elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    return elapsed, hashlib.sha256(proc.stdout).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--situations", type=int, default=3000)
    parser.add_argument("--rules", type=int, default=200, help="rules in the generated pack")
    parser.add_argument("--builtin", action="store_true", help="use the built-in pack instead")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.builtin:
            rules_option: list[str] = []
            sits = builtin_situations(args.situations)
            what = "the built-in pack"
        else:
            folder = write_hunch_pack(generate(args.rules), os.path.join(tmp, "pack"))
            rules_option = ["--rules", folder]
            sits = situations(args.situations)
            what = f"a generated pack of {args.rules} rules"
        stdin_path = os.path.join(tmp, "in.jsonl")
        with open(stdin_path, "w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(s) + "\n" for s in sits)
        base = [*hunch_command(), "evaluate", *rules_option, "--format", "jsonl"]
        commands = {jobs: [*base, "--jobs", str(jobs), "-"] for jobs in (1, 2)}
        times: dict[int, list[float]] = {1: [], 2: []}
        digests = set()
        for _ in range(args.repeats):
            for jobs, command in commands.items():
                elapsed, digest = run(command, stdin_path)
                times[jobs].append(elapsed)
                digests.add(digest)
    if len(digests) != 1:
        sys.exit("DISAGREEMENT: --jobs 1 and --jobs 2 gave different output")
    t1, t2 = (statistics.median(times[j]) for j in (1, 2))
    n = args.situations
    print(f"Batch of {n} situations (JSON Lines in and out) on {what}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}; outputs identical:")
    print(f"  --jobs 1: {t1:6.2f} s  {n / t1:8.0f} situations/s")
    print(f"  --jobs 2: {t2:6.2f} s  {n / t2:8.0f} situations/s")
    print(f"  --jobs 2 throughput = {t1 / t2:.2f}x --jobs 1")


if __name__ == "__main__":
    main()
