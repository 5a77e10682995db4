"""Results do not depend on the order of rules in files or facts in the situation."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hunch
from hunch.output.render import result_json
from tests.packgen import random_pack, strategies

RULES, SITUATION = strategies()


def _run(rules: list[dict[str, Any]], situation: dict[str, Any]) -> dict[str, Any]:
    with random_pack(rules) as pack:
        data = result_json(hunch.evaluate(pack, situation))
    data.pop("situation")
    return data


class TestOrderIndependence:
    """Shuffling rules and facts gives byte-identical JSON results."""

    @settings(max_examples=60, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(rules=RULES, situation=SITUATION, rnd=st.randoms())
    def test_shuffled_rules_and_facts(self, rules: list[dict[str, Any]],
                                      situation: dict[str, Any], rnd: random.Random) -> None:
        shuffled_rules = list(rules)
        rnd.shuffle(shuffled_rules)
        items = list(situation.items())
        rnd.shuffle(items)
        assert _run(shuffled_rules, dict(items)) == _run(rules, situation)
