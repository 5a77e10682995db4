"""durable_rules' limits and quirks (issue 17, docs/limits.md): each is refused where
the pack or the situation is loaded, with a message naming it, or handled so the
answer is right.

A test of something that used to hang runs hunch in a subprocess with a timeout,
so on the old code it fails instead of hanging the suite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

import hunch
from hunch.cli.app import cli
from hunch.engine.compile import ENGINE_NAMES, fnv1a
from hunch.errors import HunchError
from tests.packgen import DERIVED, random_pack, strategies, write_pack
from tests.reference import Reference

CONCLUSIONS = [{"id": "h", "kind": "hypothesis", "title": "H"},
               {"id": "a", "kind": "action", "title": "A"}]
RULES, SITUATION = strategies()
HANG_TIMEOUT = 60  # seconds: the pack takes ~2 s; the old code never returns


def rule(rule_id: str, when: dict[str, Any], target: str = "h") -> dict[str, Any]:
    return {"id": rule_id, "when": when, "then": {"support": target, "cf": 0.5},
            "cites": ["s"]}


def make(tmp_path: Path, facts: dict[str, Any], rules: list[dict[str, Any]]) -> str:
    return write_pack(str(tmp_path / "pack"), facts, rules, CONCLUSIONS)


def top(pack: str, facts: dict[str, Any]) -> list[str]:
    result = hunch.evaluate(hunch.load_pack(pack), facts)
    return [h.id for h in result.hypotheses if h.certainty > 0]


def check_output(pack: str) -> str:
    result = CliRunner().invoke(cli, ["check", pack])
    assert result.exit_code != 0, result.output
    return result.output


def evaluate_bounded(pack: str, situation: str) -> subprocess.CompletedProcess[str]:
    """`hunch evaluate --format json` in a subprocess that cannot outlive the test."""
    code = "import sys; from hunch.cli.app import cli; cli(sys.argv[1:])"
    try:
        return subprocess.run([sys.executable, "-c", code, "evaluate", "-r", pack,
                               "--format", "json", situation],
                              capture_output=True, text=True, timeout=HANG_TIMEOUT,
                              env={**os.environ, "HUNCH_CACHE_DIR": "off"})
    except subprocess.TimeoutExpired:
        pytest.fail(f"hunch evaluate did not return within {HANG_TIMEOUT} s (engine hang)")


class TestWideLists:
    """F5: 512 children of one alpha node make create_ruleset spin forever."""

    @pytest.mark.parametrize("shape", ["in", "any"])
    def test_a_list_of_600_values(self, tmp_path: Path, shape: str) -> None:
        values = list(range(600))
        when: dict[str, Any] = ({"fact": "n", "in": values} if shape == "in" else
                                {"any": [{"fact": "n", "eq": v} for v in values]})
        pack = make(tmp_path, {"n": {"type": "integer", "question": "n?"}},
                    [rule("r1", when), rule("r2", {"fact": "n", "eq": 1000}, "a")])
        (tmp_path / "s.yaml").write_text("n: 599\n")
        done = evaluate_bounded(pack, str(tmp_path / "s.yaml"))
        assert done.returncode == 0, done.stderr
        assert '"id": "h"' in done.stdout and '"certainty": 0.5' in done.stdout
        assert top(pack, {"n": 600}) == []
        assert top(pack, {"n": 0}) == ["h"]

    def test_600_derived_facts_tested_in_one_small_ruleset(self, tmp_path: Path) -> None:
        # 55 rules, but 600 different derived-fact tests hang from one engine node
        derived = {f"d{i}": {"type": "boolean"} for i in range(600)}
        rules = [{"id": f"make{i}", "when": {"fact": "n", "eq": 1},
                  "then": {"derive": f"d{i}", "value": True}} for i in range(15)]
        rules += [rule(f"r{k}", {"all": [{"fact": f"d{15 * k + i}"} for i in range(15)]})
                  for k in range(40)]
        pack = write_pack(str(tmp_path / "pack"), {"n": {"type": "integer", "question": "n?"}},
                          rules, CONCLUSIONS, derived=derived)
        (tmp_path / "s.yaml").write_text("n: 1\n")
        done = evaluate_bounded(pack, str(tmp_path / "s.yaml"))
        assert done.returncode == 0, done.stderr
        assert '"rule": "r0"' in done.stdout and '"rule": "r1"' not in done.stdout

    def test_a_wide_derived_list_keeps_what_can_be_derived(self, tmp_path: Path) -> None:
        rules = [{"id": "d", "when": {"fact": "n", "gt": 0}, "then": {"derive": "k", "value": 7}},
                 rule("r", {"fact": "k", "in": list(range(600))}),
                 rule("q", {"not": {"fact": "k", "in": list(range(600))}}, "a")]
        pack = write_pack(str(tmp_path / "pack"), {"n": {"type": "integer", "question": "n?"}},
                          rules, CONCLUSIONS, derived={"k": {"type": "integer"}})
        (tmp_path / "s.yaml").write_text("n: 1\n")
        done = evaluate_bounded(pack, str(tmp_path / "s.yaml"))
        assert done.returncode == 0, done.stderr
        assert '"rule": "r"' in done.stdout and '"rule": "q"' not in done.stdout
        assert top(pack, {"n": 0}) == []

    def test_a_wide_derivable_list_is_refused_at_check(self, tmp_path: Path) -> None:
        rules = [{"id": f"d{v}", "when": {"fact": "n", "eq": v},
                  "then": {"derive": "k", "value": v}} for v in range(600)]
        rules.append(rule("r", {"fact": "k", "in": list(range(600))}))
        pack = write_pack(str(tmp_path / "pack"), {"n": {"type": "integer", "question": "n?"}},
                          rules, CONCLUSIONS, derived={"k": {"type": "integer"}})
        out = check_output(pack)
        assert "600 different engine tests side by side, over the 500" in out
        assert "hash set" in out


class TestStack:
    """F16b: one fact passing more than 64 tests at once fails every assert (303)."""

    def test_any_of_70_facts_that_all_hold(self, tmp_path: Path) -> None:
        facts = {f"b{i}": {"type": "boolean", "question": "?"} for i in range(70)}
        when = {"any": [{"fact": f"b{i}"} for i in range(70)]}
        pack = make(tmp_path, facts, [rule("r", when)])
        assert top(pack, {f"b{i}": True for i in range(70)}) == ["h"]
        assert top(pack, {f"b{i}": i == 69 for i in range(70)}) == ["h"]
        assert top(pack, {f"b{i}": False for i in range(70)}) == []

    def test_two_wide_any_fire_once_not_900_times(self, tmp_path: Path) -> None:
        facts = {f"b{i}": {"type": "boolean", "question": "?"} for i in range(60)}
        when = {"all": [{"any": [{"fact": f"b{i}"} for i in range(30)]},
                        {"any": [{"fact": f"b{i}"} for i in range(30, 60)]}]}
        pack = make(tmp_path, facts, [rule("r", when)])
        result = hunch.evaluate(hunch.load_pack(pack), {f"b{i}": True for i in range(60)},
                                max_firings=100)
        assert len(result.ledger.firings) <= 64
        assert result.hypotheses[0].certainty == 0.5

    def test_130_exists_tests_side_by_side(self, tmp_path: Path) -> None:
        # durable_rules keeps a node's $nex children in a 128-entry list (error 107)
        facts = {f"x{i}": {"type": "integer", "question": "?"} for i in range(130)}
        rules = [rule(f"r{i}", {"fact": f"x{i}", "exists": False}) for i in range(130)]
        pack = make(tmp_path, facts, rules)
        result = hunch.evaluate(hunch.load_pack(pack), {})
        assert len(result.ledger.firings) == 130


class TestFloats:
    """F15: durable_rules cannot read 1e-07 (no '.' before the exponent)."""

    @pytest.mark.parametrize("value", [1e-07, 1e16, 1e300, -2e-300])
    def test_as_a_fact_and_as_a_literal(self, tmp_path: Path, value: float) -> None:
        facts = {"x": {"type": "number", "question": "x?"}}
        pack = make(tmp_path, facts, [rule("r1", {"fact": "x", "gte": value}),
                                      rule("r2", {"fact": "x", "lt": value}, "a")])
        assert top(pack, {"x": value}) == ["h"]
        assert top(pack, {"x": value * 0.5 if value < 0 else value * 2}) == ["h"]
        result = hunch.evaluate(hunch.load_pack(pack), {"x": value * (2 if value < 0 else 0.5)})
        assert result.recommendation is not None and result.recommendation.id == "a"

    def test_a_derived_float(self, tmp_path: Path) -> None:
        rules = [{"id": "d", "when": {"fact": "n", "gt": 0},
                  "then": {"derive": "k", "value": 1e-07}},
                 rule("r", {"fact": "k", "eq": 1e-07})]
        pack = write_pack(str(tmp_path / "pack"), {"n": {"type": "integer", "question": "n?"}},
                          rules, CONCLUSIONS, derived={"k": {"type": "number"}})
        assert top(pack, {"n": 1}) == ["h"]


class TestProperties:
    """F16a: a fact holds at most 253 properties (254: error 302 on every assert)."""

    def test_facts_no_rule_reads_stay_out_of_the_engine(self, tmp_path: Path) -> None:
        facts = {f"x{i}": {"type": "integer", "question": "?", "default": 1} for i in range(300)}
        pack = make(tmp_path, facts, [rule("r", {"fact": "x0", "eq": 1})])
        assert top(pack, {}) == ["h"]

    def test_too_many_tested_facts_is_a_situation_error(self, tmp_path: Path) -> None:
        facts = {f"x{i}": {"type": "integer", "question": "?"} for i in range(260)}
        rules = [rule(f"r{i}", {"fact": f"x{i}", "eq": 1}) for i in range(260)]
        pack = make(tmp_path, facts, rules)
        assert top(pack, {f"x{i}": 1 for i in range(251)}) == ["h"]
        with pytest.raises(HunchError) as info:
            top(pack, {f"x{i}": 1 for i in range(252)})
        assert "gives 252 facts the rules test, over the 251 durable_rules can hold" \
            in str(info.value)


class TestIntegers:
    """F27: integers past 64 bits saturate in the engine."""

    def test_a_situation_value(self, tmp_path: Path) -> None:
        facts = {"n": {"type": "integer", "question": "n?"}}
        pack = make(tmp_path, facts, [rule("r", {"fact": "n", "gt": 2**62})])
        with pytest.raises(HunchError) as info:
            top(pack, {"n": 2**64})
        assert "outside the 64-bit range durable_rules can compare" in str(info.value)
        assert top(pack, {"n": 2**63 - 1}) == ["h"]

    @pytest.mark.parametrize("when", [{"fact": "n", "lt": 2**64},
                                      {"fact": "n", "between": [0, 2**64]},
                                      {"fact": "n", "in": [1, -(2**64)]}])
    def test_a_rule_literal(self, tmp_path: Path, when: dict[str, Any]) -> None:
        pack = make(tmp_path, {"n": {"type": "integer", "question": "n?"}}, [rule("r", when)])
        assert "outside the 64-bit range" in check_output(pack)


class TestEnums:
    """F28, F16c: enum values the engine cannot tell apart, or cannot hold."""

    @pytest.mark.parametrize("values", [[True, "true"], [1, "1"], [1, True], [1, 1.0],
                                        [1.5, "1.500000"], [0, False]])
    def test_values_the_engine_compares_as_equal(self, tmp_path: Path, values: list[Any]) -> None:
        facts = {"e": {"type": "enum", "values": values, "question": "e?"}}
        pack = make(tmp_path, facts, [rule("r", {"fact": "e", "eq": values[0]})])
        assert "look the same to durable_rules" in check_output(pack)

    @pytest.mark.parametrize("value", [[1, 2], {"a": 1}])
    def test_lists_and_mappings(self, tmp_path: Path, value: Any) -> None:
        facts = {"e": {"type": "enum", "values": ["x", value], "question": "e?"}}
        pack = make(tmp_path, facts, [rule("r", {"fact": "e", "eq": "x"})])
        assert "an enum value must be text, a number or true/false" in check_output(pack)

    def test_values_the_engine_tells_apart_still_load(self, tmp_path: Path) -> None:
        facts = {"e": {"type": "enum", "values": [0, "many", 2, "1.5"], "question": "e?"}}
        pack = make(tmp_path, facts, [rule("r", {"fact": "e", "eq": "many"})])
        assert top(pack, {"e": "many"}) == ["h"]
        assert top(pack, {"e": 0}) == []


class TestHashes:
    """F29: durable_rules looks properties up by a 32-bit FNV-1a hash of the name."""

    def test_the_hash_is_durable_rules_own(self) -> None:
        # rules.h: #define HASH_AND 3746487396, HASH_SID 3593476751, HASH_ID 926444256
        assert (fnv1a("$and"), fnv1a("sid"), fnv1a("id")) == (3746487396, 3593476751, 926444256)
        assert "$or" in ENGINE_NAMES

    def test_two_fact_names_with_one_hash(self, tmp_path: Path) -> None:
        assert fnv1a("f6059") == fnv1a("f264602")
        facts = {"f6059": {"type": "boolean", "question": "?"},
                 "f264602": {"type": "boolean", "question": "?"}}
        pack = make(tmp_path, facts, [rule("r1", {"fact": "f6059"}),
                                      rule("r2", {"fact": "f264602"}, "a")])
        out = check_output(pack)
        assert "fact 'f6059' has the same durable_rules hash as the fact 'f264602'" in out
        with pytest.raises(HunchError):
            hunch.load_pack(pack)


class TestLocale:
    """F30: durable_rules parses numbers with atof, which follows LC_NUMERIC."""

    def test_a_german_locale_does_not_change_the_answer(self, tmp_path: Path) -> None:
        if shutil.which("localedef") is None:
            pytest.skip("localedef is not installed")
        locales = tmp_path / "locales"
        locales.mkdir()
        made = subprocess.run(["localedef", "-i", "de_DE", "-f", "UTF-8",
                               str(locales / "de_DE.UTF-8")], capture_output=True, timeout=120)
        if not (locales / "de_DE.UTF-8").exists():
            pytest.skip(f"cannot build a de_DE locale: {made.stderr!r}")
        pack = make(tmp_path, {"x": {"type": "number", "question": "x?"}},
                    [rule("r", {"fact": "x", "gt": 1000})])
        script = textwrap.dedent(f"""
            import locale, hunch
            locale.setlocale(locale.LC_ALL, "de_DE.UTF-8")
            assert locale.localeconv()["decimal_point"] == ","
            pack = hunch.load_pack({pack!r})
            fired = [h.id for h in hunch.evaluate(pack, {{"x": 1000.5}}).hypotheses]
            print(fired, locale.setlocale(locale.LC_NUMERIC))
        """)
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=HANG_TIMEOUT,
                              env={**os.environ, "LOCPATH": str(locales),
                                   "HUNCH_CACHE_DIR": "off"})
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == ["['h']", "de_DE.UTF-8"]


class TestLongText:
    """New: one property holds at most 16 MiB of JSON text (error 314); reachable
    with --max-bytes."""

    def test_a_17_mib_text(self, tmp_path: Path) -> None:
        pack = make(tmp_path, {"s": {"type": "string", "question": "s?"}},
                    [rule("r", {"fact": "s", "eq": "x"})])
        with pytest.raises(HunchError) as info:
            top(pack, {"s": "y" * (17 * 1024 * 1024)})
        assert "s: the text is over the 16,777,215 bytes (as JSON) durable_rules can hold" \
            in str(info.value)
        assert info.value.hint == "shorten it"
        assert top(pack, {"s": "y" * (16 * 1024 * 1024 - 8)}) == []


class TestPythonTests:
    """The tests worked out in Python give what the engine gives: with every input
    any:/in: moved to Python, random packs still agree with the reference."""

    @settings(max_examples=60, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(rules=RULES, situation=SITUATION)
    def test_all_in_python(self, rules: list[dict[str, Any]], situation: dict[str, Any]) -> None:
        import hunch.engine.compile as compile_module

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(compile_module, "MAX_OR_PATHS", 1)
            mp.setenv("HUNCH_CACHE_DIR", "off")
            with random_pack(rules) as pack:
                result = hunch.evaluate(pack, situation)
                got = {c.id: c.certainty for c in result.hypotheses + result.actions}
        want, _ = Reference(rules, DERIVED).run(situation)
        assert set(got) == set(want)
        for cid, value in want.items():
            assert abs(got[cid] - value) < 1e-9, (cid, got[cid], value)
