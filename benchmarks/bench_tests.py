"""`hunch check` and `hunch test` against the number of tests in one file (finding 11).

    python benchmarks/bench_tests.py [--tests 1003,4003,8003] [--against /path/to/old/tree]

For each N, a fresh process copies the built-in interview-silence pack, replaces its
tests with one file of N tests (each a situation and an expectation), and times, in
CPU time, ``check`` (hunch.authoring.lint) and ``run_tests`` on the loaded pack; the
script prints the time per test normalised to the smallest N (1.00 everywhere =
linear). ``--against`` runs the same on another checkout of hunch (e.g. one at the
commit before the fix), side by side, and prints both.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CHILD = """
import json, os, shutil, sys, tempfile, time
n, tree = int(sys.argv[1]), sys.argv[2]
sys.path.insert(0, tree)
os.environ["HUNCH_CACHE_DIR"] = "off"
folder = os.path.join(tempfile.mkdtemp(), "pack")
shutil.copytree(os.path.join(tree, "rules", "interview-silence"), folder)
shutil.rmtree(os.path.join(folder, "tests"))
os.mkdir(os.path.join(folder, "tests"))
with open(os.path.join(folder, "tests", "many.yaml"), "w") as out:
    out.write("tests:\\n")
    for i in range(n):
        out.write(f"  - name: case {i}\\n    situation: {{days_since_interview: {i % 60}}}\\n"
                  f"    expect: {{}}\\n")
import hunch.authoring.lint, hunch.authoring.packtest, hunch.engine.load
t0 = time.process_time()
hunch.authoring.lint.check(folder)
t1 = time.process_time()
report = hunch.authoring.packtest.run_tests(hunch.engine.load.load_pack(folder, tests=True))
t2 = time.process_time()
print(json.dumps({"check": t1 - t0, "test": t2 - t1}))
"""


def measure(n: int, tree: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(n), tree], check=True,
                         capture_output=True, text=True).stdout
    return dict(json.loads(out.splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", default="1003,4003,8003")
    parser.add_argument("--against", help="another hunch checkout, measured side by side")
    args = parser.parse_args()
    sizes = [int(n) for n in args.tests.split(",")]
    trees = [("this tree", ROOT)] + ([("against", args.against)] if args.against else [])
    print(f"{'tree':<10} {'tests':>6} {'check s':>8} {'test s':>8} "
          f"{'check/test per test (x smallest)':>34}")
    for label, tree in trees:
        base: dict[str, float] = {}
        for n in sizes:
            t = measure(n, tree)
            per = {k: v / n for k, v in t.items()}
            base = base or per
            ratios = " / ".join(f"{per[k] / base[k]:.2f}" for k in ("check", "test"))
            print(f"{label:<10} {n:>6,} {t['check']:>8.2f} {t['test']:>8.2f} {ratios:>34}")


if __name__ == "__main__":
    main()
