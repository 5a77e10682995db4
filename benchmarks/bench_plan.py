"""`hunch plan` against evaluating every day: evaluations and time, side by side.

    python benchmarks/bench_plan.py [--days 365] [--repeat 3]

For each dated example of the built-in pack (and the day-count few-days.yaml, whose
numbers move too), the plan over --days days is worked out by hunch.explain.plan.plan
(candidate days only) and by day_by_day (every day); the script checks both give the
same steps and prints the evaluations each took and the ratio of their times (best
of --repeat runs).
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import date

from hunch.engine.evaluate import load_situation
from hunch.engine.load import load_pack
from hunch.explain.plan import day_by_day, plan

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = [("asker-dates.yaml", date(2026, 11, 20)), ("few-days-dates.yaml", date(2026, 12, 7)),
         ("deadline-dates.yaml", date(2026, 12, 7)), ("few-days.yaml", date(2026, 12, 7))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    pack = load_pack(None)
    print(f"{'situation':22} {'plan evals':>10} {'days':>6} {'plan ms':>9} {'daily ms':>9} ratio")
    for name, as_of in CASES:
        sit = load_situation(os.path.join(ROOT, "examples", name), pack, as_of=as_of)
        fast = slow = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            p = plan(pack, sit, as_of, args.days)
            t1 = time.perf_counter()
            daily = day_by_day(pack, sit, as_of, args.days)
            t2 = time.perf_counter()
            fast, slow = min(fast, t1 - t0), min(slow, t2 - t1)
        same = [(s.start, s.recommendation) for s in p.steps] == \
               [(s.start, s.recommendation) for s in daily]
        days = (p.until - as_of).days + 1
        print(f"{name:22} {p.evaluations:>10} {days:>6} {fast * 1000:>9.1f} {slow * 1000:>9.1f} "
              f"{fast / slow:.3f}x{'' if same else '  DIFFERENT STEPS'}")


if __name__ == "__main__":
    main()
