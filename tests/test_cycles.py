"""Loops through derived facts are checked value by value (issue 26, point 3).

tests/packs/cycles derives best_body from best_body ("full, but the drinker prefers
light, so medium"): accepted, and evaluated as MYCIN's algebra gives it by hand. A
loop through values, or a negation inside a loop of facts, is refused with the
values named. A property test checks, on random chains of values, that the check
refuses exactly the packs whose value graph has a loop, and that the engine then
agrees with a naive reference.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hunch
from hunch.cli.app import cli
from hunch.engine.certainty import combine
from hunch.errors import HunchError
from tests.packgen import write_pack

PACK = Path(__file__).parent / "packs" / "cycles"


def check(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", str(root)])
    return result.exit_code, result.output


def with_rule(tmp_path: Path, rule: str) -> Path:
    """The cycles pack with one more rule at the end of rules.yaml."""
    root = tmp_path / "cycles"
    shutil.copytree(PACK, root)
    with open(root / "rules.yaml", "a", encoding="utf-8") as handle:
        handle.write(rule)
    return root


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


class TestValueLoopAccepted:
    def test_check_passes(self) -> None:
        code, out = check(PACK)
        assert code == 0, out
        assert "0 errors, 0 warnings" in out

    # by hand: full 0.8 or 0.3 (meat); medium = combine(0.6 (average), 0.5 x full);
    # light = 0.4 x medium; each wine 0.8 x min(red 0.9, its body)
    @pytest.mark.parametrize(("situation", "body", "wines"), [
        ({"main_component": "meat", "tastiness": "strong", "preferred_body": "light"},
         {"full": 0.3 + 0.8 * 0.7, "medium": 0.5 * 0.86, "light": 0.4 * 0.5 * 0.86},
         {"cabernet": 0.8 * 0.86, "merlot": 0.8 * 0.43, "gamay": 0.8 * 0.172}),
        ({"main_component": "meat", "tastiness": "average", "preferred_body": "light"},
         {"full": 0.3, "medium": 0.6 + 0.15 * 0.4, "light": 0.4 * 0.66},
         {"cabernet": 0.24, "merlot": 0.8 * 0.66, "gamay": 0.8 * 0.264}),
        ({"main_component": "meat", "tastiness": "average", "preferred_body": "full"},
         {"full": 0.3, "medium": 0.6}, {"cabernet": 0.24, "merlot": 0.48}),
        ({"main_component": "fish", "tastiness": "strong", "preferred_body": "light"},
         {"full": 0.8, "medium": 0.4, "light": 0.16}, {}),
    ])
    def test_certainties_as_by_hand(self, situation: dict[str, str], body: dict[str, float],
                                    wines: dict[str, float]) -> None:
        result = hunch.evaluate(hunch.load_pack(str(PACK)), situation)
        derived = {v: cf for (name, v), cf in result.certainties.derived.items()
                   if name == "best_body"}
        assert set(derived) == {f'"{v}"' for v in body}
        for value, cf in body.items():
            assert derived[f'"{value}"'] == pytest.approx(cf)
        got = {c.id: c.certainty for c in result.hypotheses}
        assert set(got) == set(wines)
        for wine, cf in wines.items():
            assert got[wine] == pytest.approx(cf)


class TestRefused:
    def test_a_value_feeding_itself_names_the_values(self, tmp_path: Path) -> None:
        root = with_rule(tmp_path, """
  - id: light-but-full
    when: {all: [{fact: best_body, eq: light}, {fact: preferred_body, eq: full}]}
    then: {derive: best_body, value: full, cf: 0.5}
""")
        code, out = check(root)
        assert code == 1
        rules = root / "rules.yaml"
        at = {name: f"{rules}:{line_of(rules, f'id: {name}')}:5" for name in
              ("full-but-light", "medium-but-light", "light-but-full")}
        assert f"{at['light-but-full']}: error: cycle in derived values: " \
               f"best_body = 'full' ({at['light-but-full']}) feeds " \
               f"best_body = 'medium' ({at['full-but-light']}), which feeds " \
               f"best_body = 'light' ({at['medium-but-light']}), which feeds " \
               f"best_body = 'full' (rules in the loop: full-but-light, medium-but-light, " \
               f"light-but-full)" in out, out
        assert "1 error" in out

    def test_a_range_test_feeds_from_every_value(self, tmp_path: Path) -> None:
        root = with_rule(tmp_path, """
  - id: full-or-medium-medium
    when: {fact: best_body, in: [full, medium]}
    then: {derive: best_body, value: medium, cf: 0.5}
""")
        code, out = check(root)
        assert code == 1
        assert "cycle in derived values: best_body = 'medium' (" in out, out
        assert "which feeds best_body = 'medium' (rules in the loop: full-or-medium-medium)" \
            in out
        assert "1 error" in out

    @pytest.mark.parametrize("negation", [
        "{not: {fact: best_body, eq: full}}",
        "{fact: best_body, ne: full}",
        "{not: {fact: best_body, in: [full, medium]}}",
    ])
    def test_a_negation_inside_a_loop_of_facts(self, tmp_path: Path, negation: str) -> None:
        root = with_rule(tmp_path, f"""
  - id: not-full-light
    when: {{all: [{negation}, {{fact: preferred_body, eq: light}}]}}
    then: {{derive: best_body, value: light, cf: 0.5}}
""")
        code, out = check(root)
        assert code == 1
        line = line_of(root / "rules.yaml", "id: not-full-light") + 1
        assert f"rules.yaml:{line}:" in out and ": error: cycle in derived facts through a " \
               "negation: not-full-light negates best_body, and what it derives feeds " \
               "best_body" in out, out
        assert "1 error" in out

    def test_a_negation_outside_any_loop_is_fine(self, tmp_path: Path) -> None:
        root = with_rule(tmp_path, """
  - id: not-full-white
    when: {not: {fact: best_body, eq: full}}
    then: {derive: best_color, value: white, cf: 0.5}
""")
        code, out = check(root)
        assert code == 0, out


    def test_a_negation_of_a_value_at_the_end_of_a_chain_waits_for_it(
            self, tmp_path: Path) -> None:
        # best_body = light comes last (full -> medium -> light): a rule negating it
        # stands above the whole loop, so it never fires before light is derived
        root = with_rule(tmp_path, """
  - id: red-not-light
    when: {all: [{not: {fact: best_body, eq: light}}, {fact: best_color, eq: red}]}
    then: {support: cabernet, cf: 0.5}
    cites: [notes]
""")
        pack = hunch.load_pack(str(root))
        meal = {"main_component": "meat", "tastiness": "strong"}
        light = hunch.evaluate(pack, {**meal, "preferred_body": "light"})
        full = hunch.evaluate(pack, {**meal, "preferred_body": "full"})
        assert {c.id: c.certainty for c in light.hypotheses}["cabernet"] \
            == pytest.approx(0.8 * 0.86)
        assert {c.id: c.certainty for c in full.hypotheses}["cabernet"] \
            == pytest.approx(combine([0.8 * 0.86, 0.5 * 0.9]))  # premise: min(1, red 0.9)

# --- property: random chains of values -------------------------------------------

VALUES = ["v0", "v1", "v2", "v3"]
INPUTS = ["b0", "b1", "b2"]


@st.composite
def chains(draw: Any) -> list[dict[str, Any]]:
    """Rules over one derived fact `level`: some from input facts, some from one or
    two values of `level` (eq or in), and conclusions from values."""
    rules: list[dict[str, Any]] = []
    for index in range(draw(st.integers(1, 7))):
        target = draw(st.sampled_from(VALUES))
        cf = draw(st.sampled_from([0.2, 0.5, 0.7, 1.0]))
        read = draw(st.one_of(st.sampled_from(INPUTS),
                              st.lists(st.sampled_from(VALUES), min_size=1, max_size=2,
                                       unique=True)))
        if isinstance(read, str):
            when: dict[str, Any] = {"fact": read}
        elif len(read) == 1:
            when = {"all": [{"fact": "level", "eq": read[0]},
                            {"fact": draw(st.sampled_from(INPUTS))}]}
        else:
            when = {"fact": "level", "in": read}
        rules.append({"id": f"r{index}", "when": when,
                      "then": {"derive": "level", "value": target, "cf": cf}})
    for value in VALUES:
        rules.append({"id": f"h-{value}", "when": {"fact": "level", "eq": value},
                      "then": {"support": f"h{value}", "cf": 0.9}, "cites": ["s"]})
    return rules


def reads(rule: dict[str, Any]) -> list[str]:
    when = rule["when"]
    tests = when.get("all", [when])
    return [v for t in tests if t["fact"] == "level" for v in t.get("in", [t.get("eq")])]


def has_loop(rules: list[dict[str, Any]]) -> bool:
    feeds = {v: {r["then"]["value"] for r in rules if "derive" in r["then"] and v in reads(r)}
             for v in VALUES}
    reach = {v: set(feeds[v]) for v in VALUES}
    for _ in VALUES:
        for v in VALUES:
            reach[v] |= {w for u in reach[v] for w in feeds[u]}
    return any(v in reach[v] for v in VALUES)


def reference(rules: list[dict[str, Any]], facts: dict[str, bool]) -> dict[str, float]:
    """Naive fixpoint for what fires, then certainties value by value (acyclic)."""
    have: set[str] = set()
    fired: list[dict[str, Any]] = []
    changed = True
    while changed:
        changed = False
        for rule in rules:
            if rule in fired:
                continue
            when = rule["when"]
            tests = when.get("all", [when])
            ok = all((t["fact"] == "level" and any(v in have for v in t.get("in", [t.get("eq")])))
                     or (t["fact"] != "level" and facts.get(t["fact"]) is True) for t in tests)
            if ok:
                fired.append(rule)
                changed = True
                then = rule["then"]
                have.add(then.get("value", then.get("support")))
    memo: dict[str, float] = {}

    def cert(value: str) -> float:
        if value not in memo:
            parts = []
            for rule in fired:
                if rule["then"].get("value") != value or "derive" not in rule["then"]:
                    continue
                read = [v for v in reads(rule) if v in have]
                # an `in` test's premise is its best value; eq and an input: min with 1
                premise = max((cert(v) for v in read), default=1.0)
                parts.append(rule["then"]["cf"] * premise if premise > 0 else 0.0)
            memo[value] = combine(parts)
        return memo[value]

    out = {f"level={v}": cert(v) for v in VALUES if v in have}
    out.update({f"h{v}": 0.9 * cert(v) for v in VALUES if v in have})
    return out


@contextlib.contextmanager
def chain_pack(rules: list[dict[str, Any]]) -> Iterator[Any]:
    from hunch.engine.evaluate import compiled

    facts = {b: {"type": "boolean", "question": f"{b}?"} for b in INPUTS}
    conclusions = [{"id": f"h{v}", "kind": "hypothesis", "title": f"H {v}"} for v in VALUES]
    derived = {"level": {"type": "enum", "values": VALUES}}
    with tempfile.TemporaryDirectory() as folder:
        pack = hunch.load_pack(write_pack(folder, facts, rules, conclusions, derived))
    try:
        yield pack
    finally:
        compiled(pack)[1].close()


class TestValueChains:
    @settings(max_examples=120, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(rules=chains(), facts=st.fixed_dictionaries({b: st.booleans() for b in INPUTS}))
    def test_refused_exactly_when_a_value_loops_else_as_the_reference(
            self, rules: list[dict[str, Any]], facts: dict[str, bool]) -> None:
        if has_loop(rules):
            with pytest.raises(HunchError, match="cycle in derived values: level = "), \
                    chain_pack(rules):
                pass
            return
        with chain_pack(rules) as pack:
            result = hunch.evaluate(pack, facts)
        got = {f"level={v.strip(chr(34))}": cf
               for (name, v), cf in result.certainties.derived.items()}
        got.update({c.id: c.certainty for c in result.hypotheses})
        want = reference(rules, facts)
        assert set(got) == set(want)
        for key, value in want.items():
            assert got[key] == pytest.approx(value, abs=1e-9), key


# f = a feeds g, which feeds f = b; f = a comes from a rule one stratum up
STRATA_RULES: list[dict[str, Any]] = [
    {"id": "reads-f", "when": {"fact": "f", "eq": "b"},
     "then": {"support": "h1", "cf": 0.5}, "cites": ["s"]},
    {"id": "g-to-f", "when": {"fact": "g"}, "then": {"derive": "f", "value": "b"}},
    {"id": "f-to-g", "when": {"fact": "f", "eq": "a"}, "then": {"derive": "g"}},
    {"id": "k", "when": {"fact": "b0"}, "then": {"derive": "k"}},
    {"id": "not-k-to-f", "when": {"not": {"fact": "k"}},
     "then": {"derive": "f", "value": "a"}},
    {"id": "not-g", "when": {"not": {"fact": "g"}}, "then": {"support": "h2", "cf": 0.5},
     "cites": ["s"]},
]


class TestStrata:
    """A loop of facts takes the stratum of whatever it reads from outside, so a rule
    negating anything derived in the loop waits for the whole loop."""

    @pytest.mark.parametrize("order", [1, -1])
    def test_negation_of_a_loop_fact_waits_for_the_loop(self, order: int) -> None:
        from hunch.engine.evaluate import compiled

        facts = {"b0": {"type": "boolean", "question": "b0?"}}
        conclusions = [{"id": h, "kind": "hypothesis", "title": h} for h in ("h1", "h2")]
        derived = {"f": {"type": "enum", "values": ["a", "b"]}, "g": {"type": "boolean"},
                   "k": {"type": "boolean"}}
        with tempfile.TemporaryDirectory() as folder:
            pack = hunch.load_pack(write_pack(folder, facts, STRATA_RULES[::order], conclusions,
                                              derived))
        try:
            strata = compiled(pack)[0].strata
            assert strata["not-g"] > max(strata[r] for r in ("g-to-f", "f-to-g", "not-k-to-f"))
            result = hunch.evaluate(pack, {"b0": False})
            assert {c.id for c in result.hypotheses} == {"h1"}
        finally:
            compiled(pack)[1].close()
