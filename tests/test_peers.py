"""The benchmarks' peers (GoRules ZEN, experta) agree with hunch on the workload.

bench_engines.py checks this before it times anything; this test keeps the peers'
rule translations honest in the suite: the same rules fire, the same facts are
derived, and every conclusion gets the same certainty. Each peer's test is skipped
when its package is missing (benchmarks/requirements.txt says how to install them).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "benchmarks"))

from engines import Experta, HunchEngine, Zen, answer
from workload import Workload, generate, situations


@pytest.fixture(scope="module", params=[40, 120])
def workload(request: pytest.FixtureRequest) -> Iterator[tuple[Workload, Any]]:
    work = generate(request.param, seed=request.param)
    engine = HunchEngine(work)
    yield work, engine
    engine.close()


def _peer(kind: Any, work: Workload) -> Any:
    try:
        return kind(work)
    except ImportError as exc:
        pytest.skip(f"{kind.name} is not installed: {exc}")


@pytest.mark.parametrize("kind", [Zen, Experta], ids=["zen", "experta"])
class TestPeersAgree:
    """A peer gives hunch's answer, certainties included, on every situation."""

    def test_same_answers(self, kind: Any, workload: tuple[Workload, Any]) -> None:
        work, hunch_engine = workload
        peer = _peer(kind, work)
        checked = 0
        for sit in situations(60, seed=7):
            want = answer(hunch_engine, work, sit)
            assert want.certainties, "hunch gives certainties"
            assert answer(peer, work, sit) == want, sit
            checked += bool(want.concluded)
        assert checked > 30  # most situations reach conclusions: the check has teeth
        peer.close()
