"""Cold start: `hunch evaluate` and `hunch --help` against the bare import line.

    python benchmarks/bench_cold.py [--repeats 40]

Each command runs as a fresh process, many times, interleaved; the script prints
medians and the ratios to ``python -c "import durable.engine, yaml, click,
tabulate"`` (what any program using hunch's dependencies pays before doing
anything). The console script is run with this interpreter directly, not
through a version-manager shim, which would add its own start-up to every run.
hunch's bytecode is compiled first, as installing a wheel does.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def hunch_command() -> list[str]:
    """The installed console script, run by this interpreter."""
    script = os.path.join(os.path.dirname(sys.executable), "hunch")
    if not os.path.exists(script):
        found = shutil.which("hunch")
        if found is None:
            sys.exit("the hunch console script is not installed (pip install -e .)")
        script = found
    with open(script, "rb") as handle:
        is_python = handle.read(2) == b"#!" and b"python" in handle.readline()
    return [sys.executable, script] if is_python else [script]


def run_time(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


PHASES = """
import time
t0 = time.perf_counter()
import durable.engine, yaml, click, tabulate
t1 = time.perf_counter()
import hunch.cli.app, hunch.cli.evaluate, hunch.batch.run, hunch.output.render
import hunch.engine.evaluate
t2 = time.perf_counter()
from hunch.engine.load import load_pack
pack = load_pack(None)
t3 = time.perf_counter()
from hunch.engine.evaluate import compiled, evaluate, load_situation
compiled(pack)
t4 = time.perf_counter()
result = evaluate(pack, load_situation({example!r}, pack))
t5 = time.perf_counter()
from hunch.output.render import render_table
render_table(result)
t6 = time.perf_counter()
print(" ".join(f"{{(b - a) * 1000:.1f}}" for a, b in
               [(t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5), (t5, t6)]))
"""


def breakdown(example: str, repeats: int) -> None:
    """Where `hunch evaluate` spends its start-up, phase by phase (medians)."""
    rows = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", PHASES.format(example=example)], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.split()
        rows.append([float(x) for x in out])
    names = ["the bare import line", "hunch's own modules", "load_pack (YAML, checks)",
             "compile + register", "evaluate", "render the table"]
    print("\nWhere a cold `hunch evaluate` goes (in one process, medians):")
    for i, name in enumerate(names):
        print(f"  {name:28} {statistics.median(r[i] for r in rows):6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--example", default="examples/asker.yaml")
    args = parser.parse_args()
    compileall.compile_dir(os.path.join(ROOT, "hunch"), quiet=1)
    hunch = hunch_command()
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "bare import line": [sys.executable, "-c", "import durable.engine, yaml, click, tabulate"],
        f"hunch evaluate {args.example}": [*hunch, "evaluate", args.example],
        "hunch --help": [*hunch, "--help"],
    }
    for command in commands.values():  # warm the file cache
        subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, check=True)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.repeats):  # round robin, so drift in machine speed hits all alike
        for name, command in commands.items():
            samples[name].append(run_time(command))
    medians = {name: statistics.median(ts) for name, ts in samples.items()}
    base = medians["bare import line"]
    print(f"Cold start, median of {args.repeats} runs each (load average "
          f"{os.getloadavg()[0]:.1f}):")
    for name, t in medians.items():
        print(f"  {name:36} {t * 1000:7.1f} ms  {t / base:5.2f}x the bare import line")
    breakdown(args.example, max(5, args.repeats // 4))


if __name__ == "__main__":
    main()
