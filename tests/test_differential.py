"""The durable_rules engine agrees with a pure-Python reference evaluator."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

import hunch
from tests.packgen import DERIVED, random_pack, strategies
from tests.reference import Reference

RULES, SITUATION = strategies()


class TestAgainstReference:
    """Random packs and situations give the same conclusions and certainties."""

    @settings(max_examples=150, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(rules=RULES, situation=SITUATION)
    def test_same_conclusions_and_certainties(self, rules: list[dict[str, Any]],
                                              situation: dict[str, Any]) -> None:
        with random_pack(rules) as pack:
            result = hunch.evaluate(pack, situation)
            got = {c.id: c.certainty for c in result.hypotheses + result.actions}
            got_derived = set(result.ledger.derived)
        want, want_derived = Reference(rules, DERIVED).run(situation)
        assert got_derived == want_derived
        assert set(got) == set(want)
        for cid, value in want.items():
            assert abs(got[cid] - value) < 1e-9, (cid, got[cid], value)
