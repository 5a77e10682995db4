"""Every public output of many evaluations, to compare two checkouts byte for byte.

    python benchmarks/dump_outputs.py OUT.txt [--quick]

Run it in two checkouts (e.g. main and a branch that changes the engine for speed),
then ``diff`` the files (after replacing each checkout's own path). It evaluates one
situation after another in one process, so anything one evaluation leaves behind
for the next would show: random situations on every shipped and test pack, every
combination of answers of tests/packs/wine, the benchmark workload at 50 and 500
rules, and random packs from tests/packgen.py (hypothesis, derandomized). For each:
the JSON of `hunch evaluate --format json` (the still-unknown analysis included),
the repr of every ranked conclusion with its evidence, and, for some, HOW/WHY NOT of
every conclusion and derived fact. docs/performance.md ("The engine") used it.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import sys
from datetime import date
from typing import IO, Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "benchmarks")]

import hunch  # noqa: E402 - after the path is set, so the checkout's own hunch is used
from hunch.engine.evaluate import evaluate  # noqa: E402
from hunch.explain.how import explain  # noqa: E402
from hunch.output.explanation import explanation_json  # noqa: E402
from hunch.output.render import result_json  # noqa: E402
from hunch.pack.model import Pack  # noqa: E402

AS_OF = date(2026, 1, 1)


def random_situation(pack: Pack, rng: random.Random) -> dict[str, Any]:
    """Each input fact left out (30 %) or given a value of its type."""
    out: dict[str, Any] = {}
    for name, spec in pack.facts.items():
        if rng.random() < 0.3:
            continue
        low = spec.min if spec.min is not None else 0
        high = spec.max if spec.max is not None else 60
        if spec.type == "integer":
            out[name] = rng.randint(int(low), int(high))
        elif spec.type == "number":
            out[name] = round(rng.uniform(low, high), 1)
        elif spec.type == "boolean":
            out[name] = rng.random() < 0.5
        elif spec.type == "enum" and spec.values:
            out[name] = rng.choice(spec.values)
    return out


def emit(out: IO[str], tag: str, pack: Pack, situation: dict[str, Any], how: bool) -> None:
    try:
        result = evaluate(pack, situation, as_of=AS_OF)
    except hunch.HunchError as exc:
        out.write(f"{tag} ERR {exc}\n")
        return
    out.write(f"{tag} {json.dumps(result_json(result), default=str)}\n")
    out.write(f"{result.hypotheses!r}{result.actions!r}{result.recommendation!r}\n")
    if how:
        for target in [*pack.conclusions, *pack.derived]:
            x = explain(result, target, unknowns=False)
            out.write(json.dumps(explanation_json(x), default=str) + "\n")


def folder_packs(out: IO[str], n: int) -> None:
    rng = random.Random(7)
    folders = [os.path.join(ROOT, "rules", p) for p in sorted(os.listdir(f"{ROOT}/rules"))]
    tests = os.path.join(ROOT, "tests", "packs")
    folders += [os.path.join(tests, p) for p in sorted(os.listdir(tests))]
    for folder in folders:
        pack = hunch.load_pack(folder)
        for i in range(n):
            emit(out, f"{os.path.basename(folder)}#{i}", pack, random_situation(pack, rng),
                 how=i % 3 == 0)


def every_wine(out: IO[str]) -> None:
    wine = hunch.load_pack(os.path.join(ROOT, "tests", "packs", "wine"))
    axes = [[None, *(spec.values or [])] if spec.type == "enum" else [None, True, False]
            for spec in wine.facts.values()]
    for combo in itertools.product(*axes):
        situation = {k: v for k, v in zip(wine.facts, combo, strict=True) if v is not None}
        emit(out, "wine-all", wine, situation, how=True)


def workload(out: IO[str], n: int) -> None:
    from engines import HunchEngine
    from workload import generate, situations

    for rules in (50, 500):
        engine = HunchEngine(generate(rules))
        for i, situation in enumerate(situations(n)):
            emit(out, f"work{rules}#{i}", engine.pack, situation, how=i % 10 == 0)
        engine.close()


def random_packs(out: IO[str], n: int) -> None:
    from hypothesis import HealthCheck, given, settings

    from tests.packgen import random_pack, strategies

    rules_st, situation_st = strategies()

    @settings(derandomize=True, max_examples=n, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(rules_st, situation_st, situation_st, situation_st)
    def run(rules: list[dict[str, Any]], s1: dict[str, Any], s2: dict[str, Any],
            s3: dict[str, Any]) -> None:
        try:
            made = random_pack(rules)
            pack = made.__enter__()
        except hunch.HunchError as exc:
            out.write(f"rand ERR {exc}\n")
            return
        try:
            for situation in (s1, s2, s3, s1):
                emit(out, "rand", pack, situation, how=True)
        finally:
            made.__exit__(None, None, None)

    run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--quick", action="store_true", help="fewer of each (~1 minute)")
    args = parser.parse_args()
    quick = args.quick
    with open(args.out, "w", encoding="utf-8") as out:
        folder_packs(out, 20 if quick else 120)
        every_wine(out)
        workload(out, 30 if quick else 150)
        random_packs(out, 40 if quick else 300)


if __name__ == "__main__":
    main()
