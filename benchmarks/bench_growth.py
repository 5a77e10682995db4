"""Growth: time against the number of rules, peak memory against the number of situations.

    python benchmarks/bench_growth.py [--rules 10,100,500,1000,2000,5000]
                                      [--situations 1000,10000,100000]

Time: for each R, a fresh process loads a generated pack of R rules (YAML, checks;
the pack cache off), compiles and registers it, and evaluates the same 20
situations (the best of five rounds after a first one); the script prints each phase
per rule, or per firing, normalised to R = 500 (1.00 everywhere = linear).

Memory: for each N, a fresh process evaluates N generated situations one after
the other through the library and, separately, pipes them through
``hunch evaluate --format jsonl -``; the script prints the peak resident set size
(getrusage) and its ratio to the 10,000-situation run (flat = 1.00).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from typing import Any

from bench_cold import ROOT, hunch_command

HERE = os.path.dirname(os.path.abspath(__file__))

TIME_CHILD = """
import json, os, sys, time
sys.path.insert(0, {here!r})
from workload import generate, situations, write_hunch_pack
os.environ["HUNCH_CACHE_DIR"] = "off"  # time the load itself, not a cache hit or write
n, folder = int(sys.argv[1]), sys.argv[2]
write_hunch_pack(generate(n), folder)
sits = situations(20)
import hunch
from hunch.engine.evaluate import compiled
t0 = time.process_time()
pack = hunch.load_pack(folder)
t1 = time.process_time()
compiled(pack)
t2 = time.process_time()
firings = sum(len(hunch.evaluate(pack, s).ledger.firings) for s in sits)
rounds = []
for _ in range(5):  # the best of five rounds: the least disturbed by the machine
    start = time.process_time()
    for s in sits:
        hunch.evaluate(pack, s)
    rounds.append((time.process_time() - start) / len(sits))
print(json.dumps({{"load": t1 - t0, "compile": t2 - t1, "evaluate": min(rounds),
                  "firings": firings / len(sits)}}))
"""

MEMORY_CHILD = """
import json, resource, sys
sys.path.insert(0, {here!r})
from workload import generate, situations, write_hunch_pack
import hunch
n, folder = int(sys.argv[1]), sys.argv[2]
pack = hunch.load_pack(folder)
pool = situations(1000)
for i in range(n):
    hunch.evaluate(pack, pool[i % len(pool)])
print(json.dumps({{"maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}))
"""

CLI_MEMORY = """
import resource, subprocess, sys
with open(sys.argv[1], "rb") as stdin:
    subprocess.run(sys.argv[2:], stdin=stdin, stdout=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def child(code: str, *args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-c", code.format(here=HERE), *args], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit(f"child failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def time_growth(counts: list[int], tmp: str) -> None:
    rows = []
    for n in counts:
        rows.append((n, child(TIME_CHILD, str(n), os.path.join(tmp, f"pack{n}"))))
    # fixed costs dominate tiny packs: compare per-rule costs with a mid-size pack
    base_n, base = next(((n, r) for n, r in rows if n >= 500), rows[-1])
    print("\nTime against rules (CPU time in a fresh process; the last three columns are"
          f" the cost per rule, or per firing, relative to R = {base_n}: 1.00 = linear):")
    print(f"  {'R':>6} {'load ms':>9} {'compile ms':>11} {'eval ms':>9} {'firings':>8}"
          f" {'load/R':>7} {'compile/R':>10} {'eval/firing':>12}")
    for n, r in rows:
        per = (r["load"] / n / (base["load"] / base_n),
               r["compile"] / n / (base["compile"] / base_n),
               (r["evaluate"] / r["firings"]) / (base["evaluate"] / base["firings"]))
        print(f"  {n:6} {r['load'] * 1000:9.1f} {r['compile'] * 1000:11.1f}"
              f" {r['evaluate'] * 1000:9.2f} {r['firings']:8.0f}"
              f" {per[0]:7.2f} {per[1]:10.2f} {per[2]:12.2f}")


def memory_growth(counts: list[int], tmp: str) -> None:
    sys.path.insert(0, HERE)
    from workload import generate, situations, write_hunch_pack

    folder = write_hunch_pack(generate(50), os.path.join(tmp, "mem-pack"))
    pool = situations(1000)
    lib: dict[int, float] = {}
    cli: dict[int, float] = {}
    for n in counts:
        lib[n] = child(MEMORY_CHILD, str(n), folder)["maxrss_kb"] / 1024
        stdin = os.path.join(tmp, f"in{n}.jsonl")
        with open(stdin, "w", encoding="utf-8") as handle:
            for i in range(n):
                handle.write(json.dumps(pool[i % len(pool)]) + "\n")
        command = [*hunch_command(), "evaluate", "--rules", folder, "--format", "jsonl", "-"]
        out = subprocess.run([sys.executable, "-c", CLI_MEMORY, stdin, *command], cwd=ROOT,
                             capture_output=True, text=True, check=True)
        cli[n] = int(out.stdout.strip()) / 1024
        os.remove(stdin)
    ref = 10_000 if 10_000 in counts else counts[0]
    print(f"\nPeak memory against situations (max RSS; a pack of 50 rules; relative to "
          f"N = {ref:,}):")
    print(f"  {'N':>8} {'library MB':>11} {'ratio':>6} {'CLI jsonl MB':>13} {'ratio':>6}")
    for n in counts:
        print(f"  {n:8,} {lib[n]:11.1f} {lib[n] / lib[ref]:6.2f} {cli[n]:13.1f}"
              f" {cli[n] / cli[ref]:6.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", default="10,100,500,1000,2000,5000")
    parser.add_argument("--situations", default="1000,10000,100000")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.rules:
            time_growth([int(x) for x in args.rules.split(",")], tmp)
        if args.situations:
            memory_growth([int(x) for x in args.situations.split(",")], tmp)


if __name__ == "__main__":
    main()
