"""Many evaluations in one process, to find what one leaves behind for the next.

    python benchmarks/soak_sessions.py [--root CHECKOUT] [--evaluations N] [--seed S]
                                       [--threads T]

The reproduction recipe for durable_rules sessions reused across situations
(docs/performance.md, "Sessions are not reused"): it runs the given checkout's hunch
(by default this one) over, in turn, random situations on every shipped and test
pack, generated packs with long negated chains split into rulesets of 1, 3, 200 and
10,000 rules (tests/test_scale.py's generator), and random packs from
tests/packgen.py (hypothesis, seeded), until N evaluations have run; with
``--threads`` each situation of a pack is run from T threads at once, as
``hunch serve`` does. Point ``--root`` at a checkout of the commit that reused
sessions (``git archive bcefb4e^``) to soak that code; run it under AddressSanitizer
(docs/performance.md says how) to see any bad access where it happens, not where it
crashes later. It prints its progress and ends with the count of evaluations, of
evaluations that raised a HunchError (the first of each kind printed), and of packs.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _setup(root: str) -> None:
    sys.path[:0] = [root, os.path.join(root, "benchmarks")]


Evaluate = Callable[[Any, dict[str, Any]], Any]


def folder_packs(root: str, rng: random.Random) -> Iterator[tuple[str, Any, list[dict[str, Any]]]]:
    from dump_outputs import random_situation

    import hunch

    folders = [os.path.join(root, "rules", p) for p in sorted(os.listdir(f"{root}/rules"))]
    tests = os.path.join(root, "tests", "packs")
    folders += [os.path.join(tests, p) for p in sorted(os.listdir(tests))]
    for folder in folders:
        pack = hunch.load_pack(folder)
        yield os.path.basename(folder), pack, [random_situation(pack, rng) for _ in range(200)]


def scale_packs(rng: random.Random) -> Iterator[tuple[str, Any, list[dict[str, Any]]]]:
    from hunch.engine.evaluate import compiled
    from tests.test_scale import _Generator, _use

    for rules, size in ((60, 1), (60, 3), (60, 10_000), (500, 200)):
        with tempfile.TemporaryDirectory() as tmp:
            gen = _Generator(rules, seed=rng.randrange(1 << 30))
            pack = gen.write(Path(tmp))
        _use(pack, ruleset_size=size)  # a runner without the pack's finalizer: close it
        try:
            yield f"scale{rules}/{size}", pack, list(gen.situations(60))
        finally:
            compiled(pack)[1].close()


def random_packs(rng: random.Random, count: int) -> Iterator[tuple[str, Any, list[dict[str, Any]]]]:
    from hypothesis import HealthCheck, given, seed, settings

    from tests.packgen import random_pack, strategies

    rules_st, situation_st = strategies()
    drawn: list[tuple[Any, list[dict[str, Any]]]] = []

    @seed(rng.randrange(1 << 30))
    @settings(max_examples=count, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(rules_st, situation_st, situation_st, situation_st)
    def draw(rules: list[dict[str, Any]], s1: dict[str, Any], s2: dict[str, Any],
             s3: dict[str, Any]) -> None:
        drawn.append((rules, [s1, s2, s3, s1]))

    draw()
    for rules, situations in drawn:
        try:
            made = random_pack(rules)
            pack = made.__enter__()
        except Exception:  # noqa: BLE001 - a random pack hunch refuses: not this soak's business
            continue
        try:
            yield "random", pack, situations
        finally:
            made.__exit__(None, None, None)


class Soak:
    """Counts, and the one place evaluations run (one thread or several)."""

    def __init__(self, threads: int) -> None:
        import hunch

        self.evaluate: Evaluate = hunch.evaluate
        self.error_type = hunch.HunchError
        self.threads = threads
        self.pool = ThreadPoolExecutor(threads) if threads > 1 else None
        self.evaluations = self.errors = self.packs = 0
        self.seen: set[str] = set()

    def run(self, tag: str, pack: Any, situations: list[dict[str, Any]]) -> None:
        self.packs += 1
        for situation in situations:
            if self.pool is None:
                self._one(tag, pack, situation)
            else:
                for future in [self.pool.submit(self._one, tag, pack, situation)
                               for _ in range(self.threads)]:
                    future.result()

    def _one(self, tag: str, pack: Any, situation: dict[str, Any]) -> None:
        try:
            self.evaluate(pack, situation)
        except self.error_type as exc:
            # a situation the pack refuses (a required fact left out): expected; the
            # first of each kind is printed so that a new one shows
            self.errors += 1
            kind = f"{tag}: {type(exc).__name__}"
            if kind not in self.seen:
                self.seen.add(kind)
                print(f"{kind}: {exc}", flush=True)
        self.evaluations += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=HERE, help="the checkout whose hunch runs")
    parser.add_argument("--evaluations", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    root = os.path.abspath(args.root)
    _setup(root)
    rng = random.Random(args.seed)
    soak = Soak(args.threads)
    start = time.monotonic()
    rounds = 0
    while soak.evaluations < args.evaluations:
        rounds += 1
        for source in (folder_packs(root, rng), scale_packs(rng), random_packs(rng, 200)):
            for tag, pack, situations in source:
                soak.run(tag, pack, situations)
        print(f"round {rounds}: {soak.evaluations:,} evaluations, {soak.errors:,} errors, "
              f"{soak.packs:,} packs, {time.monotonic() - start:,.0f} s", flush=True)
    print(f"done: {soak.evaluations:,} evaluations, {soak.errors:,} errors, "
          f"{soak.packs:,} packs")


if __name__ == "__main__":
    main()
