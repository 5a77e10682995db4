"""Per-situation evaluation: hunch vs hand-written durable_rules, CLIPS, GoRules ZEN, experta
and plain Python.

    python benchmarks/bench_engines.py [--rules 50,500] [--situations 500] [--profile]

Every engine runs the same generated rules (benchmarks/workload.py) on the same
situations; the script first checks that all of them fire the same rules, derive the
same facts and reach the same conclusions, and that the engines that combine
certainties (hunch, ZEN in a function node, experta) give the same certainty to each
conclusion; then it times them side by side, interleaved, and prints ratios. A
peer that is not installed is skipped with a message (benchmarks/requirements.txt).
hunch goes through its public API (``hunch.evaluate``), so its time includes
validating the situation, the ledger, certainties and ranking.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import statistics
import sys
import time
from typing import Any

from engines import Clips, DurableHand, Experta, HunchEngine, PlainPython, Zen, answer
from workload import Answer, Workload, generate, situations


def engines_for(work: Workload) -> list[Any]:
    out: list[Any] = [HunchEngine(work), DurableHand(work)]
    for peer, package in ((Clips, "clipspy"), (Zen, "zen-engine"), (Experta, "experta")):
        try:
            out.append(peer(work))
        except ImportError as exc:
            print(f"  {peer.name} skipped: {package} is not installed or does not import "
                  f"({exc}; see benchmarks/requirements.txt)")
    out.append(PlainPython(work))
    return out


def agree(want: Answer, got: Answer) -> bool:
    """The same rules, derived facts and conclusions; and the same certainties when
    both engines combine them."""
    same = (want.fired, want.derived, want.concluded) == (got.fired, got.derived, got.concluded)
    if want.certainties is None or got.certainties is None:
        return same
    return same and want.certainties == got.certainties


def check_agreement(work: Workload, engines: list[Any], sits: list[dict[str, Any]]) -> int:
    """Every engine gives the same answer on every situation; returns the firings seen."""
    firings = 0
    for sit in sits:
        answers = [answer(e, work, sit) for e in engines]
        for engine, got in zip(engines[1:], answers[1:], strict=True):
            if not agree(answers[0], got):
                sys.exit(f"DISAGREEMENT on {sit}: {engines[0].name} {answers[0]} "
                         f"vs {engine.name} {got}")
        firings += len(answers[0].fired)
    return firings


def per_situation(engine: Any, sits: list[dict[str, Any]]) -> float:
    # CPU time of this process: other work on the machine then matters much less
    run = engine.run
    start = time.process_time()
    for sit in sits:
        run(sit)
    return (time.process_time() - start) / len(sits)


def bench(n_rules: int, n_sits: int, repeats: int) -> tuple[dict[str, float], float]:
    work = generate(n_rules)
    sits = situations(n_sits)
    engines = engines_for(work)
    firings = check_agreement(work, engines, sits)
    print(f"\nR = {n_rules} rules, {n_sits} situations, {firings / n_sits:.1f} firings per "
          f"situation: all {len(engines)} engines agree on every situation")
    times: dict[str, list[float]] = {e.name: [] for e in engines}
    for _ in range(repeats):
        for engine in engines:  # interleaved, so drift hits every engine alike
            gc.collect()
            times[engine.name].append(per_situation(engine, sits))
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    hand = medians[DurableHand.name]
    clips = medians.get(Clips.name)
    plain = medians[PlainPython.name]
    print(f"  {'engine':26} {'us/situation':>13} {'x durable':>10} {'x CLIPS':>8} {'x Python':>9}")
    for name, t in medians.items():
        vs_clips = f"{t / clips:8.2f}" if clips else "       -"
        print(f"  {name:26} {t * 1e6:13.1f} {t / hand:10.2f} {vs_clips} {t / plain:9.2f}")
    for engine in engines:
        engine.close()
    return medians, firings / n_sits


def profile(n_rules: int, n_sits: int) -> None:
    """Where hunch's time goes, by function (cumulative), and by module (own time)."""
    work = generate(n_rules)
    sits = situations(n_sits)
    engine = HunchEngine(work)
    profiler = cProfile.Profile()
    profiler.enable()
    for sit in sits:
        engine.evaluate(sit)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    by_area: dict[str, float] = {}
    for (file, _line, func), row in stats.stats.items():  # type: ignore[attr-defined]
        own = row[2]
        by_area[_area(file, func)] = by_area.get(_area(file, func), 0.0) + own
    print(f"\nProfile of hunch.evaluate, R = {n_rules}, {n_sits} situations "
          f"(own time by area, under cProfile, which inflates Python-side work):")
    for area, own in sorted(by_area.items(), key=lambda kv: -kv[1]):
        if own / total >= 0.01:
            print(f"  {100 * own / total:5.1f} %  {area}")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(18)
    print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))
    engine.close()


def _area(file: str, func: str) -> str:
    if "durable_rules_engine" in func:
        return "durable_rules C core"
    if file == "~":
        return f"builtins: {func}"
    for part in ("hunch/", "durable/", "json/"):
        if part in file:
            return part.rstrip("/") + "/" + file.split(part)[-1]
    return file.rsplit("/", 1)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", default="50,500", help="comma-separated rule counts")
    parser.add_argument("--situations", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="also profile hunch at R=50")
    parser.add_argument("--keep-heap", action="store_true",
                        help="set malloc as hunch's own processes do (hunch.batch.heap), "
                             "which keeps durable_rules out of its slow mode for every engine")
    args = parser.parse_args()
    from hunch.version import build

    print(f"hunch: {build()}")  # which build ran (HUNCH_MYPYC=1 pip install . compiles)
    if args.keep_heap:
        from hunch.batch.heap import keep_heap

        print(f"malloc kept as hunch's own processes keep it: {keep_heap()}")
    summary = []
    for n in (int(x) for x in args.rules.split(",")):
        sits = args.situations if n <= 100 else max(50, args.situations // 4)
        medians, firings = bench(n, sits, args.repeats)
        summary.append((n, medians, firings))
    print("\nRatios (hunch per situation):")
    for n, medians, _ in summary:
        hunch_t = medians[HunchEngine.name]
        parts = [f"{hunch_t / medians[DurableHand.name]:.2f}x hand-written durable_rules"]
        for peer in (Clips, Zen, Experta):
            if peer.name in medians:
                parts.append(f"{hunch_t / medians[peer.name]:.2f}x {peer.name}")
        parts.append(f"{hunch_t / medians[PlainPython.name]:.2f}x plain Python")
        print(f"  R = {n:4}: " + ", ".join(parts))
    if len(summary) > 1:
        growth(summary)
    if args.profile:
        profile(50, args.situations)


def growth(summary: list[tuple[int, dict[str, float], float]]) -> None:
    """Each engine's cost per firing, relative to its own at the smallest R."""
    n0, base, f0 = summary[0]
    print(f"\nCost per firing relative to R = {n0} (1.00 = linear in the rules):")
    for name in base:
        cells = [f"R = {n}: {(m[name] / f) / (base[name] / f0):.2f}" for n, m, f in summary[1:]]
        print(f"  {name:26} " + ", ".join(cells))


if __name__ == "__main__":
    main()
