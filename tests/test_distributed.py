"""A batch mapped over Dask's local scheduler gives exactly the plain batch's results."""

from __future__ import annotations

import random
from typing import Any

import pytest

import hunch
from hunch.output.render import result_json

pytest.importorskip("dask.bag")

from hunch.distributed import evaluate_bag  # the public import path


def _situations(count: int) -> list[dict[str, Any]]:
    pack = hunch.load_pack(None)
    rnd = random.Random(11)
    out = []
    for _ in range(count):
        facts: dict[str, Any] = {}
        for name, spec in pack.facts.items():
            if spec.type == "boolean":
                facts[name] = rnd.random() < 0.5
            elif spec.type == "enum" and spec.values:
                facts[name] = rnd.choice(spec.values)
            elif spec.type == "integer":
                low = int(spec.min or 0)
                facts[name] = rnd.randint(low, int(spec.max) if spec.max is not None else low + 40)
        out.append(facts)
    return out


class TestDaskBatch:
    """evaluate_bag runs situations in Dask worker processes, in order, unchanged."""

    def test_same_results_as_the_plain_batch(self) -> None:
        situations = _situations(60)
        situations.insert(7, {"days_since_interview": "soon"})  # a bad one, reported in place
        pack = hunch.load_pack(None)
        want: list[Any] = []
        for index, facts in enumerate(situations):
            try:
                want.append(result_json(hunch.evaluate(pack, facts)))
            except hunch.HunchError as exc:
                want.append({"situation": f"<item {index}>", "error": exc.format()})
        got = evaluate_bag(None, situations, npartitions=4, scheduler="processes")
        assert got == want
        assert "error" in got[7]
        assert sum(1 for r in got if "error" not in r) == 60

    def test_a_custom_render_runs_in_the_workers(self) -> None:
        got = evaluate_bag(None, _situations(5), npartitions=2, scheduler="synchronous",
                           render=_top)
        pack = hunch.load_pack(None)
        assert got == [_top(hunch.evaluate(pack, s)) for s in _situations(5)]


def _top(result: Any) -> str | None:
    return result.recommendation.id if result.recommendation else None
