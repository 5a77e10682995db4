"""Chains of values of one derived fact, followed backward to their end (issue 26 loose end).

Since the cycle check went value by value, best_body = light may be derived from
best_body = medium, itself from best_body = full. Reasoning backward (ask's ways to a
candidate, explain's WHY NOT) guards each goal while it expands it; a guard per fact
stopped at the first value of the fact it met again. These tests follow chains of
values in tests/packs/cycles and on random chains (the family of tests/test_cycles.py),
against a naive reference.
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hunch
from hunch.consult.goal import MAX_CHAIN, Way, live, ways_to
from hunch.engine.evaluate import compiled
from hunch.explain.how import explain
from hunch.explain.world import FAILED, UNKNOWN, RuleCheck
from tests.packgen import write_pack
from tests.test_cycles import INPUTS, VALUES, chain_pack, chains, has_loop, reference

PACK = Path(__file__).parent / "packs" / "cycles"


def why_not(situation: dict[str, Any], target: str) -> list[RuleCheck]:
    result = hunch.evaluate(hunch.load_pack(str(PACK)), situation)
    return explain(result, target, unknowns=False).not_fired


def literals_of(way: Way) -> set[tuple[str, Any]]:
    return {(lit.cond.fact, lit.cond.value) for lit in way}


class TestWhyNotFollowsTheChain:
    """WHY NOT asks, of a test of a derived value, only the rules deriving a value that
    passes it, and follows each of those into the values they read, to the end."""

    def test_a_value_no_answer_can_derive_is_failed(self) -> None:
        # gamay needs best_body = light, derived only from medium when the drinker
        # prefers light; this drinker prefers full, so no answer about the taste (the
        # missing fact) helps: failed, not unknown (rules deriving full or medium,
        # whatever their status, cannot make best_body = light hold)
        (red_light,) = why_not({"main_component": "meat", "preferred_body": "full"}, "gamay")
        assert red_light.status == FAILED
        body = red_light.check.items[1]
        assert (body.text, body.status) == ("best_body = light", FAILED)
        assert [rc.rule.id for rc in body.because] == ["medium-but-light"]

    def test_an_unknown_at_the_start_of_the_chain_reaches_its_end(self) -> None:
        # light <- medium <- full <- meat: the main component is missing, so each
        # value on the way is unknown, down to meat-full
        (red_light,) = why_not({"tastiness": "delicate", "preferred_body": "light"}, "gamay")
        assert red_light.status == UNKNOWN
        (medium_but_light,) = red_light.check.items[1].because
        assert (medium_but_light.rule.id, medium_but_light.status) == \
            ("medium-but-light", UNKNOWN)
        medium = medium_but_light.check.items[0]
        assert (medium.text, medium.status) == ("best_body in [medium]", UNKNOWN)
        assert [(rc.rule.id, rc.status) for rc in medium.because] == \
            [("full-but-light", UNKNOWN), ("average-medium", FAILED)]
        full = medium.because[0].check.items[0]
        assert [(rc.rule.id, rc.status) for rc in full.because] == \
            [("meat-full", UNKNOWN), ("strong-full", FAILED)]


class TestWhyNotBeyondWhatItShows:
    """WHY NOT shows 6 levels of rules; the statuses are worked out to the end of the
    chain, whatever the order the rules are met in."""

    def test_a_chain_longer_than_what_is_shown(self) -> None:
        # h <- level = v6 (rule far) or level = v1 (rule near); v0 <- g <- start, the
        # missing fact; each next value <- the one before and go
        facts, rules, derived = chain_of(7, 1)
        rules[0]["when"] = {"fact": "g"}
        derived["g"] = {"type": "boolean"}
        rules += [{"id": "g", "when": {"fact": "start"}, "then": {"derive": "g"}},
                  {"id": "near", "when": {"fact": "level", "eq": "v1"},
                   "then": {"support": "h", "cf": 0.5}, "cites": ["s"]}]
        rules[-3]["id"] = "far"
        pack = load(facts, rules, derived, ["h"])
        x = explain(hunch.evaluate(pack, {"go": True}), "h", unknowns=False)
        assert sorted((rc.rule.id, rc.status) for rc in x.not_fired) == \
            [("far", UNKNOWN), ("near", UNKNOWN)]
        depth, check = 0, x.not_fired[0].check
        while check.because:  # shown: 6 levels, as before
            depth, check = depth + 1, check.because[0].check.leaves()[0]
        assert depth == 6


def chain_of(length: int, rules_per_value: int) -> tuple[dict[str, Any], list[dict[str, Any]],
                                                         dict[str, Any]]:
    """level = v0 from `start`; each next value from the one before and `go`, by
    `rules_per_value` rules alike; conclusion h from the last value."""
    values = [f"v{i}" for i in range(length)]
    facts = {f: {"type": "boolean", "question": f"{f}?"} for f in ("start", "go")}
    rules: list[dict[str, Any]] = [
        {"id": "first", "when": {"fact": "start"}, "then": {"derive": "level", "value": "v0"}}]
    for i, k in itertools.product(range(1, length), range(rules_per_value)):
        rules.append({"id": f"step{i}-{k}", "then": {"derive": "level", "value": values[i]},
                      "when": {"all": [{"fact": "level", "eq": values[i - 1]}, {"fact": "go"}]}})
    rules.append({"id": "h", "when": {"fact": "level", "eq": values[-1]},
                  "then": {"support": "h", "cf": 0.9}, "cites": ["s"]})
    return facts, rules, {"level": {"type": "enum", "values": values}}


def load(facts: dict[str, Any], rules: list[dict[str, Any]], derived: dict[str, Any],
         conclusions: list[str]) -> Any:
    with tempfile.TemporaryDirectory() as folder:
        return hunch.load_pack(write_pack(
            folder, facts, rules, [{"id": c, "kind": "hypothesis", "title": c}
                                   for c in conclusions], derived))


class TestWaysFollowTheChain:
    """ask's ways to a candidate: worked out once per goal (a conclusion, or the values
    of a derived fact that pass a test), so a chain costs its length, and a goal cut
    short deep in one chain is worked out again when asked for at the top."""

    def test_a_long_chain_with_two_rules_per_value(self) -> None:
        # 2 rules per value: walking the chain again at every rule is 2^29 expansions
        # (it ran for hours); worked out once per value it is 59
        facts, rules, derived = chain_of(30, 2)
        pack = load(facts, rules, derived, ["h"])
        assert [literals_of(way) for way in ways_to(pack, "h")] == [{("start", True), ("go", True)}]

    def test_a_goal_first_met_deep_in_a_chain(self) -> None:
        # a reads the end of a chain whose first value needs conclusion b; b needs the
        # derived fact g, from input c. Met first at depth MAX_CHAIN, b's own test of g
        # is cut (it constrains nothing there); asked for by itself, b needs c.
        facts, rules, derived = chain_of(MAX_CHAIN - 1, 1)
        rules[0]["when"] = {"conclusion": "b"}
        rules[-1]["then"]["support"] = "a"
        facts["c"] = {"type": "boolean", "question": "c?"}
        derived["g"] = {"type": "boolean"}
        rules += [{"id": "g", "when": {"fact": "c"}, "then": {"derive": "g"}},
                  {"id": "b", "when": {"fact": "g"}, "then": {"support": "b", "cf": 0.5},
                   "cites": ["s"]}]
        pack = load(facts, rules, derived, ["a", "b"])
        assert [literals_of(way) for way in ways_to(pack, "a")] == [{("go", True)}]
        assert [literals_of(way) for way in ways_to(pack, "b")] == [{("c", True)}]


# --- property: random chains of values (tests/test_cycles.py's family) ---------------

def derivable(rules: list[dict[str, Any]], facts: dict[str, bool], value: str) -> bool:
    return f"level={value}" in reference(rules, facts)


def completions(given: dict[str, bool]) -> list[dict[str, bool]]:
    missing = [b for b in INPUTS if b not in given]
    return [{**given, **dict(zip(missing, values, strict=True))}
            for values in itertools.product([True, False], repeat=len(missing))]


SETTINGS = settings(max_examples=100, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


class TestRandomChains:
    @SETTINGS
    @given(rules=chains(), answers=st.fixed_dictionaries(
        {b: st.sampled_from([True, False, None]) for b in INPUTS}))
    def test_why_not_is_unknown_exactly_when_some_answer_derives_the_value(
            self, rules: list[dict[str, Any]], answers: dict[str, bool | None]) -> None:
        if has_loop(rules):
            return
        given_ = {b: v for b, v in answers.items() if v is not None}
        with chain_pack(rules) as pack:
            result = hunch.evaluate(pack, given_)
            for value in VALUES:
                checks = [rc.status for rc in explain(result, f"h{value}", unknowns=False)
                          .not_fired if rc.rule.id == f"h-{value}"]
                if derivable(rules, given_, value):
                    assert checks == []  # it fired
                    continue
                could = any(derivable(rules, c, value) for c in completions(given_))
                assert checks == [UNKNOWN if could else FAILED], value

    @SETTINGS
    @given(rules=chains())
    def test_ways_are_live_exactly_when_the_value_is_derived(
            self, rules: list[dict[str, Any]]) -> None:
        if has_loop(rules):
            return
        with chain_pack(rules) as pack:
            for value in VALUES:
                ways = ways_to(pack, f"h{value}")
                for facts in completions({}):
                    assert any(live(way, dict(facts)) for way in ways) == \
                        derivable(rules, facts, value), (value, facts)


LONG = [f"v{i}" for i in range(9)]


@st.composite
def long_chains(draw: Any) -> list[dict[str, Any]]:
    """Chains deeper than WHY NOT shows (9 values, acyclic by construction): v0 from an
    input, each later value from an earlier one (and maybe an input), one to three ways."""
    rules: list[dict[str, Any]] = []
    for i, value in enumerate(LONG):
        for k in range(draw(st.integers(1, 3) if i else st.just(1))):
            tests: list[dict[str, Any]] = []
            if i:
                tests.append({"fact": "level", "eq": LONG[draw(st.integers(max(0, i - 2),
                                                                           i - 1))]})
            if not i or draw(st.booleans()):
                tests.append({"fact": draw(st.sampled_from(INPUTS))})
            rules.append({"id": f"{value}-{k}", "when": {"all": tests},
                          "then": {"derive": "level", "value": value, "cf": 0.5}})
    rules += [{"id": f"h-{v}", "when": {"fact": "level", "eq": v},
               "then": {"support": f"h{v}", "cf": 0.9}, "cites": ["s"]} for v in LONG]
    return rules


def derived_values(rules: list[dict[str, Any]], facts: dict[str, bool]) -> set[str]:
    have: set[str] = set()
    for _ in LONG:  # each pass derives at least the next value of every chain
        for rule in rules:
            if "derive" in rule["then"] and all(
                    t["eq"] in have if t["fact"] == "level" else facts.get(t["fact"]) is True
                    for t in rule["when"]["all"]):
                have.add(rule["then"]["value"])
    return have


class TestLongRandomChains:
    @SETTINGS
    @given(rules=long_chains(), answers=st.fixed_dictionaries(
        {b: st.sampled_from([True, False, None]) for b in INPUTS}))
    def test_why_not_past_what_it_shows(self, rules: list[dict[str, Any]],
                                        answers: dict[str, bool | None]) -> None:
        given_ = {b: v for b, v in answers.items() if v is not None}
        now = derived_values(rules, given_)
        could = set().union(*(derived_values(rules, c) for c in completions(given_)))
        facts = {b: {"type": "boolean", "question": f"{b}?"} for b in INPUTS}
        pack = load(facts, rules, {"level": {"type": "enum", "values": LONG}},
                    [f"h{v}" for v in LONG])
        try:
            result = hunch.evaluate(pack, given_)
            for value in LONG:
                statuses = [rc.status for rc in explain(result, f"h{value}", unknowns=False)
                            .not_fired if rc.rule.id == f"h-{value}"]
                want = [] if value in now else [UNKNOWN if value in could else FAILED]
                assert statuses == want, value
        finally:
            compiled(pack)[1].close()
