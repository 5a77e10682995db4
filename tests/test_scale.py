"""Big packs: split across several durable_rules rulesets, with unchanged results."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import hunch
from hunch.engine.compile import compile_pack
from hunch.engine.evaluate import ENGINE, compiled
from hunch.engine.runner import Runner
from hunch.output.render import result_json
from hunch.pack.model import Pack
from tests.packgen import DERIVED, random_pack, strategies, write_pack
from tests.reference import Reference

INTS = [f"x{i}" for i in range(6)]
BOOLS = ["b0", "b1"]
COLORS = ["p", "q", "r"]
FACTS: dict[str, Any] = {
    **{f: {"type": "integer", "min": 0, "max": 10, "question": f"{f}?"} for f in INTS},
    **{f: {"type": "boolean", "question": f"{f}?"} for f in BOOLS},
    "e0": {"type": "enum", "values": COLORS, "question": "e0?"},
}


class _Generator:
    """Random packs with long chains: derived facts over lower ones (some negated),
    hypotheses over derived facts, actions over hypotheses."""

    def __init__(self, n_rules: int, seed: int) -> None:
        self.rnd = random.Random(seed)
        self.derived = [f"d{i}" for i in range(max(4, n_rules // 25))]
        self.hypotheses = [f"h{i}" for i in range(max(3, n_rules // 50))]
        self.actions = [f"a{i}" for i in range(max(2, n_rules // 100))]
        self.rules = [self.rule(i) for i in range(n_rules)]

    def leaf(self, level: int, conclusions: bool) -> dict[str, Any]:
        rnd = self.rnd
        choice = rnd.random()
        if conclusions and choice < 0.3:
            return {"conclusion": rnd.choice(self.hypotheses)}
        if level and choice < 0.55:
            return {"fact": self.derived[rnd.randrange(level)]}
        kind = rnd.random()
        if kind < 0.5:
            op = rnd.choice(["eq", "ne", "lt", "lte", "gt", "gte"])
            return {"fact": rnd.choice(INTS), op: rnd.randint(0, 10)}
        if kind < 0.6:
            return {"fact": rnd.choice(INTS), "gt": {"fact": rnd.choice(INTS)}}
        if kind < 0.8:
            return {"fact": rnd.choice(BOOLS), "eq": rnd.random() < 0.5}
        return {"fact": "e0", "in": rnd.sample(COLORS, 2)}

    def tree(self, level: int, conclusions: bool, depth: int = 0) -> dict[str, Any]:
        rnd = self.rnd
        pick = rnd.random()
        if depth >= 2 or pick < 0.3:
            return self.leaf(level, conclusions)
        if pick < 0.75:
            return {"all": [self.tree(level, conclusions, depth + 1)
                            for _ in range(rnd.randint(1, 3))]}
        if pick < 0.9:
            return {"any": [self.tree(level, conclusions, depth + 1) for _ in range(2)]}
        return {"not": self.tree(level, conclusions, depth + 1)}

    def rule(self, i: int) -> dict[str, Any]:
        rnd = self.rnd
        cf = rnd.choice([0.2, 0.5, 0.8, 1.0])
        pick = rnd.random()
        if pick < 0.4:
            level = rnd.randrange(len(self.derived))
            return {"id": f"r{i}", "when": self.tree(level, False),
                    "then": {"derive": self.derived[level], "cf": cf}}
        if pick < 0.85:
            effect = "oppose" if rnd.random() < 0.2 else "support"
            return {"id": f"r{i}", "when": self.tree(len(self.derived), False),
                    "then": {effect: rnd.choice(self.hypotheses), "cf": cf}, "cites": ["s"]}
        return {"id": f"r{i}", "when": self.tree(len(self.derived), True),
                "then": {"support": rnd.choice(self.actions), "cf": cf}, "cites": ["s"]}

    def write(self, folder: Path) -> Pack:
        conclusions = ([{"id": h, "kind": "hypothesis", "title": h} for h in self.hypotheses]
                       + [{"id": a, "kind": "action", "title": a} for a in self.actions])
        write_pack(str(folder), FACTS, self.rules, conclusions,
                   derived={d: {"type": "boolean"} for d in self.derived})
        return hunch.load_pack(str(folder))

    def situations(self, count: int) -> Iterator[dict[str, Any]]:
        rnd = self.rnd
        for _ in range(count):
            facts: dict[str, Any] = {f: rnd.randint(0, 10) for f in INTS if rnd.random() < 0.9}
            facts.update({f: rnd.random() < 0.5 for f in BOOLS})
            facts["e0"] = rnd.choice(COLORS)
            yield facts


class _FastReference(Reference):
    """tests/reference.py with its strata worked out once (it recomputes them for
    every rule on every pass, which is fine for ten rules, not for five thousand)."""

    def __init__(self, rules: list[dict[str, Any]], derived: list[str]) -> None:
        super().__init__(rules, derived)
        self._producers: dict[str, list[dict[str, Any]]] = {}
        for rule in rules:
            self._producers.setdefault(self._effect(rule)[1], []).append(rule)
        self._strata: dict[int, int] = {}

    def _stratum(self, rule: dict[str, Any]) -> int:
        key = id(rule)
        if key not in self._strata:
            self._strata[key] = 0
            self._strata[key] = self._walk(rule["when"], False)
        return self._strata[key]

    def _walk(self, cond: dict[str, Any], negated: bool) -> int:
        if "all" in cond or "any" in cond:
            return max(self._walk(c, negated) for c in cond.get("all") or cond["any"])
        if "not" in cond:
            return self._walk(cond["not"], not negated)
        name = cond.get("conclusion") or cond["fact"]
        if name in self.derived_names or "conclusion" in cond:
            level = max((self._stratum(r) for r in self._producers.get(name, [])), default=0)
            return level + (1 if negated else 0)
        return 0


def _outcome(result: Any) -> tuple[dict[str, float], set[str]]:
    got = {c.id: c.certainty for c in result.hypotheses + result.actions}
    return got, set(result.ledger.derived)


def _use(pack: Pack, ruleset_size: int) -> Any:
    """Make hunch.evaluate run the pack compiled with this ruleset size."""
    program = compile_pack(pack, ruleset_size=ruleset_size)
    pack.memo.put(ENGINE, (program, Runner(pack, program)))
    return program


class TestBigPack:
    """A generated 5,000-rule pack runs, split, and agrees with the reference."""

    def test_five_thousand_rules_agree_with_the_reference(self, tmp_path: Path) -> None:
        gen = _Generator(5000, seed=7)
        pack = gen.write(tmp_path)
        program, runner = compiled(pack)
        try:
            strata = {alt.stratum for alt in program.alternatives.values()}
            assert len(program.rulesets) >= 5000 // 200
            assert len(strata) > 2  # negated chains: several strata, run in order
            reference = _FastReference(gen.rules, gen.derived)
            fired = 0
            for facts in gen.situations(4):
                result = hunch.evaluate(pack, facts)
                got, got_derived = _outcome(result)
                want, want_derived = reference.run(facts)
                assert got_derived == want_derived
                assert set(got) == set(want)
                for cid, value in want.items():
                    assert got[cid] == pytest.approx(value, abs=1e-9), cid
                fired += len(result.ledger.firings)
            assert fired > 1000  # the situations exercised the pack, not an empty corner
        finally:
            runner.close()


class TestSplitChangesNothing:
    """The same pack in one ruleset and in many tiny ones gives identical JSON."""

    def test_split_equals_unsplit(self, tmp_path: Path) -> None:
        gen = _Generator(60, seed=3)
        whole = gen.write(tmp_path / "a")
        split = hunch.load_pack(str(tmp_path / "a"))
        one = _use(whole, ruleset_size=10_000)
        many = _use(split, ruleset_size=3)
        try:
            assert len(one.rulesets) == 1
            assert len(many.rulesets) > 20
            for facts in gen.situations(40):
                a = result_json(hunch.evaluate(whole, facts))
                b = result_json(hunch.evaluate(split, facts))
                assert a == b
        finally:
            compiled(whole)[1].close()
            compiled(split)[1].close()

    def test_chains_cross_rulesets(self, tmp_path: Path) -> None:
        """A chain of derived facts, one rule per ruleset, still runs to its end."""
        rules = [{"id": "r0", "when": {"fact": "x0", "gt": 1}, "then": {"derive": "d0"}}]
        rules += [{"id": f"r{i}", "when": {"fact": f"d{i - 1}"}, "then": {"derive": f"d{i}"}}
                  for i in range(1, 30)]
        rules.append({"id": "last", "when": {"fact": "d29"}, "then": {"support": "h0", "cf": 0.5},
                      "cites": ["s"]})
        write_pack(str(tmp_path), FACTS, rules, [{"id": "h0", "kind": "hypothesis", "title": "h"}],
                   derived={f"d{i}": {"type": "boolean"} for i in range(30)})
        pack = hunch.load_pack(str(tmp_path))
        program = _use(pack, ruleset_size=1)
        try:
            assert len(program.rulesets) == len(rules)
            result = hunch.evaluate(pack, {"x0": 5})
            assert len(result.ledger.derived) == 30
            assert result.get("h0") is not None
            assert result.get("h0").certainty == pytest.approx(0.5)  # type: ignore[union-attr]
        finally:
            compiled(pack)[1].close()


RULES, SITUATION = strategies()


class TestSplitAgainstReference:
    """Random packs, every engine rule in a ruleset of its own, agree with the reference."""

    @settings(max_examples=40, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(rules=RULES, situation=SITUATION)
    def test_one_rule_per_ruleset(self, rules: list[dict[str, Any]],
                                  situation: dict[str, Any]) -> None:
        with random_pack(rules) as pack:
            _use(pack, ruleset_size=1)
            got, got_derived = _outcome(hunch.evaluate(pack, situation))
        want, want_derived = Reference(rules, DERIVED).run(situation)
        assert got_derived == want_derived
        assert set(got) == set(want)
        for cid, value in want.items():
            assert got[cid] == pytest.approx(value, abs=1e-9), cid


class TestAlphaStack:
    """Many comparisons one value passes at once no longer overflow the engine."""

    def test_many_thresholds_on_one_fact(self, tmp_path: Path) -> None:
        # in one ruleset, n = 500 passes all of these at once, and durable_rules
        # fails the assert with error 303 (its alpha search stack holds 64 nodes)
        facts = {"n": {"type": "integer", "min": 0, "max": 1000, "question": "n?"}}
        rules = [{"id": f"r{i}", "when": {"fact": "n", "gte": i},
                  "then": {"support": "h0", "cf": 0.01}, "cites": ["s"]} for i in range(150)]
        write_pack(str(tmp_path), facts, rules, [{"id": "h0", "kind": "hypothesis", "title": "h"}])
        pack = hunch.load_pack(str(tmp_path))
        program, runner = compiled(pack)
        try:
            assert len(program.rulesets) > 1  # 150 rules fit the size, not the stack
            for n, firing in ((500, 150), (70, 71), (0, 1)):
                result = hunch.evaluate(pack, {"n": n})
                assert len(result.ledger.firings) == firing
                want, _ = _FastReference(rules, []).run({"n": n})
                assert result.get("h0").certainty == pytest.approx(want["h0"])  # type: ignore[union-attr]
        finally:
            runner.close()


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any]]:
    gen = _Generator(1000, seed=3)
    pack = gen.write(tmp_path_factory.mktemp("gc-pack"))
    _, runner = compiled(pack)
    yield pack, gen
    runner.close()


class TestCollectorPause:
    """evaluate() pauses CPython's cyclic collector while it runs (its full
    collections rescanned a big pack mid-evaluation: docs/performance.md) and always
    restores it as it was."""

    def test_no_collections_inside_a_busy_evaluation(self, big: tuple[Any, Any]) -> None:
        pack, gen = big
        import gc

        seen: list[int] = []

        def count(phase: str, info: dict[str, Any]) -> None:
            if phase == "start":
                seen.append(info["generation"])

        facts = max(gen.situations(8),
                    key=lambda f: len(hunch.evaluate(pack, f).ledger.firings))
        gc.collect()
        gc.callbacks.append(count)
        try:
            result = hunch.evaluate(pack, facts)
        finally:
            gc.callbacks.remove(count)
        # thousands of objects made: without the pause, dozens of collections; with
        # it, at most the one the first allocation after it triggers
        assert len(result.ledger.firings) > 100
        assert len(seen) <= 1, seen

    @pytest.mark.parametrize("enabled", [True, False])
    def test_restored_as_it_was(self, big: tuple[Any, Any], enabled: bool) -> None:
        import gc

        pack, gen = big
        (gc.enable if enabled else gc.disable)()
        try:
            hunch.evaluate(pack, next(iter(gen.situations(1))))
            assert gc.isenabled() is enabled
            with pytest.raises(hunch.HunchError):
                hunch.evaluate(pack, next(iter(gen.situations(1))), max_firings=1)
            assert gc.isenabled() is enabled
        finally:
            gc.enable()


# --- the what-if analyses: complete candidates, bounded search (issue 17: F7, F26) -----

def _wide_pack(tmp_path: Path) -> str:
    """n's thresholds 0..29 decide nothing much; only n >= 100 changes the advice."""
    facts = {"b": {"type": "boolean", "question": "b?"},
             "n": {"type": "integer", "min": 0, "question": "n?"}}
    conclusions = [{"id": "h", "kind": "hypothesis", "title": "H"},
                   {"id": "a", "kind": "action", "title": "A"}]
    rules = [{"id": "base", "when": {"fact": "b"}, "then": {"support": "h", "cf": 0.9},
              "cites": ["s"]}]
    rules += [{"id": f"w{i}", "when": {"fact": "n", "eq": i},
               "then": {"support": "h", "cf": 0.1}, "cites": ["s"]} for i in range(30)]
    rules.append({"id": "big", "when": {"fact": "n", "gte": 100},
                  "then": {"support": "a", "cf": 0.9}, "cites": ["s"]})
    return write_pack(str(tmp_path / "wide"), facts, rules, conclusions)


def _enum_pack(tmp_path: Path, size: int) -> str:
    """An enum fact of ``size`` values, each tested by a rule of its own; only the
    last one changes the advice (the others add a little to the top hypothesis)."""
    values = [f"v{i}" for i in range(size)]
    facts = {"b": {"type": "boolean", "question": "b?"},
             "e": {"type": "enum", "values": values, "question": "e?"}}
    conclusions = [{"id": "h", "kind": "hypothesis", "title": "H"},
                   {"id": "a", "kind": "action", "title": "A"}]
    rules = [{"id": "base", "when": {"fact": "b"}, "then": {"support": "h", "cf": 0.9},
              "cites": ["s"]}]
    rules += [{"id": f"r{i}", "when": {"fact": "e", "eq": v},
               "then": {"support": "a" if i == size - 1 else "h", "cf": 0.1}, "cites": ["s"]}
              for i, v in enumerate(values)]
    return write_pack(str(tmp_path / "enum"), facts, rules, conclusions)


class TestWhatIfSearch:
    def test_a_threshold_far_from_the_others_is_tried(self, tmp_path: Path) -> None:
        from hunch.explain.unknowns import relevant_unknowns

        pack = hunch.load_pack(_wide_pack(tmp_path))
        result = hunch.evaluate(pack, {"b": True})
        unknowns = relevant_unknowns(result)
        assert [u.fact for u in unknowns] == ["n"]
        assert "recommendation" in unknowns[0].could_change

    def test_flip_finds_it(self, tmp_path: Path) -> None:
        from hunch.explain.how import flips

        pack = hunch.load_pack(_wide_pack(tmp_path))
        found = flips(hunch.evaluate(pack, {"b": True, "n": 0}))
        assert [(f.fact, f.after) for f in found] == [("n", 100)]

    def test_ask_does_not_skip_it(self, tmp_path: Path) -> None:
        from hunch.consult.ask import Consultation

        pack = hunch.load_pack(_wide_pack(tmp_path))
        assert Consultation(pack, {"b": True}).next_question() == "n"

    def test_a_bound_outside_the_min_and_max(self, tmp_path: Path) -> None:
        from hunch.explain.unknowns import relevant_unknowns

        facts = {"n": {"type": "integer", "min": 0, "max": 50, "question": "n?"}}
        rules = [{"id": "r", "when": {"fact": "n", "lt": 100},
                  "then": {"support": "a", "cf": 0.9}, "cites": ["s"]}]
        folder = write_pack(str(tmp_path / "p"), facts, rules,
                            [{"id": "a", "kind": "action", "title": "A"}])
        result = hunch.evaluate(hunch.load_pack(folder), {})
        assert [u.fact for u in relevant_unknowns(result)] == ["n"]

    def test_the_search_stops_at_its_budget_and_says_so(self, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
        import hunch.explain.unknowns as unknowns
        from hunch.output.render import render_markdown, render_table

        pack = hunch.load_pack(_enum_pack(tmp_path, 300))
        calls = _counting(monkeypatch, unknowns, "evaluate")
        result = hunch.evaluate(pack, {"b": True})
        data = result_json(result)
        assert len(calls) == unknowns.MAX_EVALUATIONS
        assert data["unknowns_complete"] is False
        assert data["unknowns_unexamined"] == ["e"]
        table = render_table(result)
        assert "Not examined (the analysis stopped after 256 evaluations): e" in table
        assert "no single answer would change" not in table
        assert "stopped after 256 evaluations" in render_markdown(result)

    def test_flips_stop_at_the_budget_too(self, tmp_path: Path) -> None:
        from hunch.explain.how import flips
        from hunch.output.explanation import flips_json, flips_text

        pack = hunch.load_pack(_enum_pack(tmp_path, 300))
        result = hunch.evaluate(pack, {"b": True, "e": "v0"})
        found = flips(result)
        assert found == [] and found.unexamined == ["e"]
        text = flips_text(result, found)
        assert "No single-fact change" not in text
        assert "Not examined (the analysis stopped after 256 evaluations): e" in text
        assert flips_json(result, found)["flips_unexamined"] == ["e"]

    def test_a_complete_search_adds_no_keys(self, tmp_path: Path) -> None:
        pack = hunch.load_pack(_enum_pack(tmp_path, 20))
        data = result_json(hunch.evaluate(pack, {"b": True}))
        assert "unknowns_complete" not in data and len(data["unknowns"]) == 1

    def test_one_conclusions_unknowns_stop_too(self, tmp_path: Path) -> None:
        from hunch.explain.how import explain
        from hunch.output.explanation import explanation_json, explanation_text

        pack = hunch.load_pack(_enum_pack(tmp_path, 300))
        x = explain(hunch.evaluate(pack, {"b": True}), "a")
        assert x.unknowns == [] and x.unknowns_unexamined == ["e"]
        assert explanation_json(x)["unknowns_unexamined"] == ["e"]
        assert "Not examined (the analysis stopped after 256 evaluations): e" \
            in explanation_text(x)


# --- searches over one big rule or one big situation (issue 17: F8, F9) ---------------

def _counting(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[Any]:
    calls: list[Any] = []
    real = getattr(module, name)

    def counted(*args: Any) -> Any:
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(module, name, counted)
    return calls


class TestLintBudget:
    def test_a_rule_of_700_conditions_on_one_fact(self, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
        import hunch.authoring.lint as lint

        facts = {"n": {"type": "integer", "min": 0, "max": 699, "question": "n?"}}
        when = {"all": [{"fact": "n", "ne": i} for i in range(700)]}
        rules = [{"id": "r", "when": when, "then": {"support": "a", "cf": 0.5}, "cites": ["s"]}]
        folder = write_pack(str(tmp_path / "p"), facts, rules,
                            [{"id": "a", "kind": "action", "title": "A"}])
        calls = _counting(monkeypatch, lint, "leaf_holds")
        report = lint.check(folder)
        assert len(calls) < lint.MAX_LINT_CHECKS
        assert any("its 700 conditions on 'n' are too many to check for contradictions "
                   "(over 200,000 tests); not checked" in w.message for w in report.warnings)

    def test_not_in_4000_texts(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        import hunch.authoring.lint as lint

        facts = {"s": {"type": "string", "question": "s?"}}
        rules = [{"id": "r", "when": {"not": {"fact": "s", "in": [f"v{i}" for i in range(4000)]}},
                  "then": {"support": "a", "cf": 0.5}, "cites": ["s"]}]
        folder = write_pack(str(tmp_path / "p"), facts, rules,
                            [{"id": "a", "kind": "action", "title": "A"}])
        calls = _counting(monkeypatch, lint, "leaf_holds")
        assert lint.check(folder).errors == []
        assert len(calls) < 100


class TestManyUnknownKeys:
    def test_did_you_mean_only_for_what_is_printed(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import hunch.pack.validate as validate

        pack = hunch.load_pack("interview-silence")
        calls = _counting(monkeypatch, validate, "did_you_mean")
        with pytest.raises(hunch.HunchError) as info:
            hunch.evaluate(pack, {f"unknown_{i}": i for i in range(2000)})
        assert len(calls) <= 5
        assert str(info.value).endswith("; and 1996 more")  # and a required fact


class TestRulesetSkipping:
    def test_rulesets_that_cannot_fire_get_no_session(self, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
        import durable_rules_engine

        facts = {f"e{i}": {"type": "enum", "values": ["x", "y"], "question": "?"}
                 for i in range(10)}
        rules = [{"id": f"r{i}-{v}", "when": {"fact": f"e{i}", "eq": v},
                  "then": {"support": "h", "cf": 0.5}, "cites": ["s"]}
                 for i in range(10) for v in ("x", "y")]
        folder = write_pack(str(tmp_path / "p"), facts, rules,
                            [{"id": "h", "kind": "hypothesis", "title": "H"}])
        pack = hunch.load_pack(folder)
        program = _use(pack, ruleset_size=2)
        assert len(program.rulesets) == 10
        calls = _counting(monkeypatch, durable_rules_engine, "assert_fact")
        result = hunch.evaluate(pack, {"e3": "y"})
        assert [s.rule.id for s in result.hypotheses[0].support] == ["r3-y"]
        assert len({handle for handle, _ in calls}) == 1  # one ruleset of ten ran
