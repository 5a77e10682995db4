"""`hunch check` (hunch.authoring.lint): every problem of a pack, located, at once."""

from __future__ import annotations

import json
import os
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hunch.authoring.conditions import Leaf, alternatives, describe, leaf_words
from hunch.authoring.lint import check
from hunch.engine.load import load_pack
from hunch.errors import HunchError
from hunch.pack.model import Compare, ConclusionCond
from hunch.pack.read import BUILTIN_PACK_DIR, builtin_packs

BASE = os.path.join(BUILTIN_PACK_DIR, "interview-silence")


def rel(problem: HunchError, root: Path) -> tuple[str, str, int]:
    return (problem.level, os.path.relpath(problem.file, root), problem.line)


def line_of(path: Path, needle: str, start: int = 1) -> int:
    """1-based number of the first line at or after ``start`` that contains ``needle``."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if number >= start and needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def insert_after(path: Path, header: str, block: str) -> None:
    """Insert ``block`` after the line ``header``, indented like the entries under it."""
    lines = path.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.rstrip() == header)
    following = next(line for line in lines[at + 1:]
                     if line.strip() and not line.lstrip().startswith("#"))
    indent = following[: len(following) - len(following.lstrip())]
    body = textwrap.indent(textwrap.dedent(block), indent)
    lines.insert(at + 1, body)
    path.write_text("".join(lines))


def write_pack(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


TINY = {
    "pack.yaml": "name: tiny\ntitle: Tiny\n",
    "facts.yaml": """\
        facts:
          n: {type: integer, min: 0, max: 30, question: n?}
          b: {type: boolean, question: b?}
          c: {type: enum, values: [red, blue, green], question: c?}
          s: {type: string, question: s?}
          d: {type: integer, default: 0, question: d?}
        derived:
          big: {}
          level: {type: integer}
        """,
    "conclusions.yaml": """\
        conclusions:
          - {id: h, kind: hypothesis, title: H, sources: [q]}
          - {id: a, kind: action, title: A}
        """,
    "sources.yaml": """\
        texts:
          t: {file: t.txt}
        sources:
          - {id: q, author: me, text: t, quote: hello world}
        """,
    "t.txt": "hello   world\n",
}


def tiny(root: Path, rules: str, **extra: str) -> Path:
    files = dict(TINY)
    files["rules.yaml"] = rules
    files.update(extra)
    return write_pack(root, files)


BASE_RULES = textwrap.dedent("""\
    rules:
      - id: uses-all
        when:
          all:
            - {fact: n, gte: 1}
            - {fact: b}
            - {fact: c, in: [red, blue]}
            - {fact: s, eq: x}
            - {fact: d, eq: 0}
        then: [{derive: big}, {derive: level, value: 3}]
      - id: to-h
        when: {all: [{fact: big}, {fact: level, gte: 2}]}
        then: {support: h, cf: 0.5}
        cites: [q]
      - id: to-a
        when: {conclusion: h}
        then: {support: a, cf: 0.5}
        cites: [q]
    """)


def messages(root: Path) -> list[str]:
    return [p.format(with_level=True).replace(str(root) + os.sep, "")
            for p in check(str(root)).problems]


class TestBuiltinPacks:
    """Every shipped pack checks clean: no errors and no warnings."""

    @pytest.mark.parametrize("name", builtin_packs())
    def test_clean(self, name: str) -> None:
        report = check(os.path.join(BUILTIN_PACK_DIR, name))
        assert [p.format(with_level=True) for p in report.problems] == []


class TestBrokenCopy:
    """A broken copy of the built-in pack with one of each problem yields one located
    message per problem, and nothing else."""

    def test_one_located_message_per_problem(self, tmp_path: Path) -> None:
        # laid out as in the repository: its tests may name ../../../examples/*.yaml
        root = tmp_path / "rules" / "broken"
        shutil.copytree(BASE, root)
        shutil.copytree(os.path.join(BUILTIN_PACK_DIR, "..", "examples"), tmp_path / "examples")
        clean = load_pack(str(root), tests=True)
        baseline = {(p.level, p.message) for p in check(str(root)).problems}
        expected = inject_every_problem(root, clean)
        got = [p for p in check(str(root)).problems if (p.level, p.message) not in baseline]
        found = [(p.level, os.path.relpath(p.file, root), p.line, p.message) for p in got]
        assert len(found) == len(expected), "\n".join(map(str, found))
        for (level, file, line, pattern), problem in zip(expected, sorted_like(expected, found),
                                                         strict=True):
            assert problem[:3] == (level, file, line), (pattern, problem)
            assert re.search(pattern, problem[3]), (pattern, problem)


def sorted_like(expected: list[tuple[str, str, int, str]],
                found: list[tuple[str, str, int, str]]) -> list[tuple[str, str, int, str]]:
    """The found messages in the order of ``expected`` (matched by pattern and place)."""
    out = []
    left = list(found)
    for level, file, line, pattern in expected:
        match = next((f for f in left if f[:3] == (level, file, line)
                      and re.search(pattern, f[3])), None)
        assert match is not None, (level, file, line, pattern, left)
        left.remove(match)
        out.append(match)
    return out


def inject_every_problem(root: Path, pack: object) -> list[tuple[str, str, int, str]]:
    """Edit the copy; return (level, file, line, message pattern) for each problem."""
    from hunch.pack.model import Pack
    from hunch.pack.validate import dependency_graph

    assert isinstance(pack, Pack)
    integer = next(f for f in pack.facts.values() if f.type == "integer"
                   and (f.max is None or f.max > 10) and (f.min is None or f.min < 5))
    boolean = next(f.name for f in pack.facts.values() if f.type == "boolean")
    enum = next(f.name for f in pack.facts.values() if f.type == "enum")
    hyp = pack.hypotheses()[0].id
    source = next(iter(pack.sources.values()))
    graph = dependency_graph(pack)
    used = {n.split(":", 1)[1] for deps in graph.values() for n in deps}
    sink = next(c.id for c in pack.conclusions.values()
                if c.id not in used and c.id != hyp)
    # 16 leaves (the condition limit); the built-in pack may derive more facts than that
    leaves = [f"{{fact: {name}}}" for name in pack.derived][:16]
    for cid in pack.conclusions:
        deps = graph.get("conclusion:" + cid, set())
        if len(leaves) < 16 and cid != sink and all(d.startswith("fact:") for d in deps):
            leaves.append(f"{{conclusion: {cid}}}")
    assert len(leaves) == 16, "the base pack is too small for the condition-limit case"

    # YAML syntax, in pack.yaml
    (root / "pack.yaml").write_text((root / "pack.yaml").read_text() + "oops: [unclosed\n")
    # a misspelled key and an unreachable conclusion
    conclusions = root / "conclusions.yaml"
    insert_after(conclusions, "conclusions:", """\
        - id: never-reached
          kind: hypothesis
          title: Nobody concludes this
          explaination: The key is misspelled.
        """)
    # a source never cited, and a quote that is not in the text
    sources = root / "sources.yaml"
    insert_after(sources, "sources:", f"""\
        - id: never-cited
          author: nobody
          text: {source.text}
          quote: "{source.quote.strip()}"
        - id: misquoted
          author: nobody
          text: {source.text}
          quote: these words are nowhere in the text at all
        """)
    # derived facts: a loop, and one never derived nor used
    facts = root / "facts.yaml"
    insert_after(facts, "derived:", """\
        loop_a: {description: one half of a loop}
        loop_b: {description: the other half}
        unused_signal: {description: nothing derives or reads it}
        """)
    rules = root / "rules" / "zz-broken.yaml"
    rules.parent.mkdir(exist_ok=True)
    conditions = "\n".join(f"          - {leaf}" for leaf in leaves)
    rules.write_text(textwrap.dedent(f"""\
        rules:
          - id: loop-a
            when: {{fact: loop_b}}
            then: {{derive: loop_a}}
          - id: loop-b
            when: {{fact: loop_a}}
            then: {{derive: loop_b}}
          - id: contradiction
            when:
              all:
                - {{fact: {integer.name}, gt: 10}}
                - {{fact: {integer.name}, lt: 5}}
            then: {{support: {hyp}, cf: 0.5}}
            cites: [misquoted]
          - id: gt-on-boolean
            when: {{fact: {boolean}, gt: 1}}
            then: {{support: {hyp}, cf: 0.5}}
            cites: [{source.id}]
          - id: enum-value
            when: {{fact: {enum}, eq: not-a-value}}
            then: {{support: {hyp}, cf: 0.5}}
            cites: [{source.id}]
          - id: string-vs-number
            when: {{fact: {integer.name}, eq: ten}}
            then: {{support: {hyp}, cf: 0.5}}
            cites: [{source.id}]
          - id: unknown-fact
            when: {{fact: no_such_fact}}
            then: {{support: {hyp}, cf: 0.5}}
            cites: [{source.id}]
          - id: cites-unknown
            when: {{fact: {boolean}}}
            then: {{support: {hyp}, cf: 0.5}}
            cites: [no-such-source]
          - id: supports-unknown
            when: {{fact: {boolean}}}
            then: {{support: no-such-conclusion, cf: 0.5}}
            cites: [{source.id}]
          - id: cf-out-of-range
            when: {{fact: {boolean}}}
            then: {{support: {hyp}, cf: 1.5}}
            cites: [{source.id}]
          - id: loop-a
            when: {{fact: {boolean}}}
            then: {{support: {hyp}, cf: 0.2}}
            cites: [{source.id}]
          - id: too-many-conditions
            when:
              all:
        CONDITIONS
            then: {{support: {sink}, cf: 0.1}}
            cites: [{source.id}]
        """).replace("CONDITIONS", conditions))
    tests = root / "tests" / "zz-broken.yaml"
    tests.write_text(textwrap.dedent("""\
        tests:
          - name: duplicated key
            name: again
            situation: {}
            expect: {}
        """))
    expect = root / "tests" / "zz-expect.yaml"
    expect.write_text(textwrap.dedent(f"""\
        tests:
          - name: names an unknown conclusion
            situation: {json.dumps(pack.tests[0].situation)}
            expect:
              top_hypothesis: no-such-hypothesis
        """))

    r = "rules/zz-broken.yaml"
    return [
        ("error", "pack.yaml", line_of(root / "pack.yaml", "oops") + 1, r"^invalid YAML"),
        ("warning", "conclusions.yaml", line_of(conclusions, "never-reached"),
         r"no rule supports hypothesis 'never-reached'"),
        ("error", "conclusions.yaml", line_of(conclusions, "explaination"),
         r"unknown key 'explaination' in conclusion"),
        ("warning", "sources.yaml", line_of(sources, "never-cited"),
         r"source 'never-cited' is never cited"),
        ("error", "sources.yaml", line_of(sources, "nowhere in the text"),
         r"quote of source 'misquoted' does not appear word for word"),
        ("warning", "facts.yaml", line_of(facts, "unused_signal"),
         r"derived fact 'unused_signal' is never derived and never used"),
        ("error", r, line_of(rules, "id: loop-b"), r"cycle in derived facts: loop_\w -> loop_\w"),
        ("error", r, line_of(rules, "lt: 5"), r"rule 'contradiction' can never fire: "
         rf"'{integer.name} is more than 10' and '{integer.name} is less than 5' contradict"),
        ("error", r, line_of(rules, "gt: 1}"), r"'gt' compares numbers but .* is boolean"),
        ("error", r, line_of(rules, "not-a-value"), r"'not-a-value' is not allowed"),
        ("error", r, line_of(rules, "eq: ten"), r"must be a whole number, got 'ten'"),
        ("error", r, line_of(rules, "no_such_fact"), r"unknown fact 'no_such_fact'"),
        ("error", r, line_of(rules, "id: cites-unknown"), r"cites unknown source 'no-such-source'"),
        ("error", r, line_of(rules, "no-such-conclusion"),
         r"supports unknown conclusion 'no-such-conclusion'"),
        ("error", r, line_of(rules, "cf: 1.5"), r"cf must be a number in \(0, 1\], got 1.5"),
        ("error", r, line_of(rules, "id: loop-a", line_of(rules, "cf: 1.5")),
         r"duplicate rule id 'loop-a'"),
        ("error", r, line_of(rules, "id: too-many-conditions"),
         r"needs 17 engine conditions, over durable_rules' limit of 16"),
        ("error", "tests/zz-broken.yaml", line_of(tests, "name: again"), r"duplicate key 'name'"),
        ("error", "tests/zz-expect.yaml", line_of(expect, "no-such-hypothesis"),
         r"unknown conclusion 'no-such-hypothesis'"),
    ]


class TestNeverFires:
    """Contradictions inside a rule are found, whatever form they take."""

    @pytest.mark.parametrize(("conditions", "message"), [
        ("[{fact: n, gt: 10}, {fact: n, lt: 5}]", "'n is more than 10' and 'n is less than 5'"),
        ("[{fact: c, eq: red}, {fact: c, eq: blue}]", "'c is red' and 'c is blue' contradict"),
        ("[{fact: s, eq: x}, {fact: s, ne: x}]", "'s is x' and 's is not x' contradict"),
        ("[{fact: n, between: [1, 3]}, {fact: n, in: [5, 6]}]", "contradict"),
        ("[{fact: n, gt: 3}, {not: {fact: n, gte: 2}}]", "contradict"),
        ("[{fact: n, exists: false}, {fact: n, eq: 3}]", "contradict"),
        ("[{fact: big}, {not: {fact: big}}]", "'big' and 'not big' contradict"),
        ("[{conclusion: h}, {not: {conclusion: h}}]", "'concluded h' and 'not concluded h'"),
        ("[{fact: n, gt: 2}, {fact: n, lt: 3}]", "contradict"),  # no integer between
    ])
    def test_contradiction_is_an_error(self, tmp_path: Path, conditions: str,
                                       message: str) -> None:
        rules = BASE_RULES + textwrap.indent(textwrap.dedent(f"""\
            - id: broken
              when: {{all: {conditions}}}
              then: {{support: h, cf: 0.1}}
              cites: [q]
            """), "  ")
        found = [m for m in messages(tiny(tmp_path, rules)) if "'broken'" in m]
        assert len(found) == 1, found
        assert found[0].startswith("rules.yaml:") and ": error: rule 'broken' can never fire" \
            in found[0]
        assert message in found[0]

    @pytest.mark.parametrize(("condition", "why"), [
        ("{fact: n, gt: 30}", "n is between 0 and 30"),
        ("{fact: n, lt: 0}", "n is between 0 and 30"),
        ("{fact: d, exists: false}", "d has a default, so it is never unknown"),
        ("{fact: level, eq: 5}", "rules derive level only as 3"),
    ])
    def test_condition_that_cannot_hold(self, tmp_path: Path, condition: str, why: str) -> None:
        rules = BASE_RULES + f"  - {{id: broken, when: {condition}, then: {{derive: big}}}}\n"
        found = [m for m in messages(tiny(tmp_path, rules)) if "'broken'" in m]
        assert len(found) == 1 and "error: rule 'broken' can never fire" in found[0], found
        assert why in found[0]

    def test_satisfiable_rules_are_not_reported(self, tmp_path: Path) -> None:
        rules = BASE_RULES + textwrap.indent(textwrap.dedent("""\
            - id: fine
              when:
                all:
                  - {fact: n, gt: 2}
                  - {fact: n, lt: 4}
                  - {fact: n, ne: 5}
                  - any: [{fact: c, eq: red}, {not: {fact: c, eq: red}}]
                  - {not: {fact: n, between: [10, 20]}}
              then: {derive: big}
            """), "  ")
        assert messages(tiny(tmp_path, rules)) == []

    def test_dead_branch_of_any_is_a_warning(self, tmp_path: Path) -> None:
        rules = BASE_RULES + ("  - {id: branchy, when: {any: [{fact: n, gt: 99}, {fact: b}]}, "
                              "then: {derive: big}}\n")
        assert messages(tiny(tmp_path, rules)) == [
            "rules.yaml:19:32: warning: rule 'branchy': 'n is more than 99' can never hold: "
            "n is between 0 and 30 (this branch of the rule is dead)"]


class TestWholePack:
    """Unreachable, unused and uncited things are warnings at their definition."""

    def test_clean_tiny_pack(self, tmp_path: Path) -> None:
        assert messages(tiny(tmp_path, BASE_RULES)) == []

    def test_unused_things(self, tmp_path: Path) -> None:
        rules = BASE_RULES.replace("        - {fact: s, eq: x}\n", "")
        facts = TINY["facts.yaml"] + "  spare: {}\n"
        sources = TINY["sources.yaml"] + "  - {id: q2, author: me, text: t, quote: world}\n"
        root = tiny(tmp_path, rules, **{"facts.yaml": facts, "sources.yaml": sources})
        assert messages(root) == [
            "facts.yaml:5:3: warning: input fact 's' is never used by a rule "
            "(people are asked for it for nothing)",
            "facts.yaml:10:3: warning: derived fact 'spare' is never derived and never used "
            "(remove it, or write the rules)",
            "sources.yaml:5:5: warning: source 'q2' is never cited "
            "(cite it from a rule or a conclusion, or remove it)",
        ]

    def test_conclusion_behind_a_dead_rule(self, tmp_path: Path) -> None:
        rules = BASE_RULES.replace("{fact: level, gte: 2}", "{fact: level, gte: 4}")
        assert messages(tiny(tmp_path, rules)) == [
            "conclusions.yaml:2:5: warning: hypothesis 'h' can never be concluded: no rule "
            "supporting it can fire (to-h)",
            "conclusions.yaml:3:5: warning: action 'a' can never be concluded: no rule "
            "supporting it can fire (to-a)",
            "rules.yaml:12:31: error: rule 'to-h' can never fire: 'level is at least 4' never "
            "holds (rules derive level only as 3)",
        ]

    def test_derived_but_never_derived(self, tmp_path: Path) -> None:
        rules = BASE_RULES.replace("then: [{derive: big}, {derive: level, value: 3}]",
                                   "then: {derive: level, value: 3}")
        found = messages(tiny(tmp_path, rules))
        assert "facts.yaml:8:3: warning: derived fact 'big' is never derived, so the rules " \
               "that need it can never fire (to-h)" in found

    def test_repeated_rule(self, tmp_path: Path) -> None:
        rules = BASE_RULES + ("  - id: again\n    when: {conclusion: h}\n"
                              "    then: {support: a, cf: 0.5}\n    cites: [q]\n")
        assert messages(tiny(tmp_path, rules)) == [
            "rules.yaml:19:5: warning: rule 'again' repeats rule 'to-a' (line 15): same "
            "conditions, effects and sources, so its evidence counts twice"]

    def test_a_rule_with_errors_does_not_cascade(self, tmp_path: Path) -> None:
        """The only rule supporting h has a typo: one error, no 'unreachable' warnings."""
        rules = BASE_RULES.replace("cites: [q]", "cites: [qq]", 1)
        assert messages(tiny(tmp_path, rules)) == [
            "rules.yaml:11:5: error: rule 'to-h': cites unknown source 'qq' (did you mean 'q'?)"]

    def test_a_dropped_rule_does_not_cascade(self, tmp_path: Path) -> None:
        rules = BASE_RULES.replace("then: {support: h, cf: 0.5}", "then: {support: h, cf: 5}")
        assert messages(tiny(tmp_path, rules)) == [
            "rules.yaml:13:24: error: cf must be a number in (0, 1], got 5"]

    def test_broken_yaml_reports_and_goes_on(self, tmp_path: Path) -> None:
        """A duplicate key drops its file; the other files are still checked."""
        root = tiny(tmp_path, BASE_RULES + "  - {id: x, when: {fact: nope}, then: {derive: big}}\n",
                    **{"tests/t.yaml": "tests:\n  - name: a\n    name: b\n"})
        assert messages(root) == [
            "rules.yaml:19:13: error: rule 'x': unknown fact 'nope'",
            "tests/t.yaml:3:5: error: duplicate key 'name' (first at line 2) "
            "(YAML would silently keep only the last one)"]

    def test_broken_definitions_stop_the_cross_checks(self, tmp_path: Path) -> None:
        root = tiny(tmp_path, BASE_RULES, **{"facts.yaml": "facts:\n  n: {type: integer\n"})
        found = messages(root)
        assert len(found) == 1 and found[0].startswith("facts.yaml:3:1: error: invalid YAML")


class TestEngineLimits:
    """durable_rules' limits are reported at check time, not at evaluation."""

    def test_more_engine_rules_than_one_ruleset_holds(self, tmp_path: Path) -> None:
        # over durable_rules' 4,096 rules per ruleset: the pack is split, not refused
        many = "".join(f"  - {{id: r{i}, when: {{fact: d, eq: {i}}}, "
                       f"then: {{support: h, cf: 0.1}}, cites: [q], distinct: d{i}}}\n"
                       for i in range(4094))
        assert messages(tiny(tmp_path, BASE_RULES + many)) == []


class TestTestExpectations:
    """`hunch check` also checks what the tests expect, without running them."""

    def test_unknown_expectation_and_ids(self, tmp_path: Path) -> None:
        tests = """\
            tests:
              - name: one
                situation: {n: 3, colour: red}
                expect:
                  top_hypotesis: h
                  recommendation: h
                  certainty: {h: {min: 0.5, max: 0.2}}
            """
        root = tiny(tmp_path, BASE_RULES, **{"tests/t.yaml": tests})
        assert messages(root) == [
            "tests/t.yaml:3:23: error: unknown fact 'colour' "
            "(run 'hunch schema situation' to list the facts of tiny)",
            "tests/t.yaml:5:7: error: test 'one': unknown expectation 'top_hypotesis' "
            "(did you mean 'top_hypothesis'?)",
            "tests/t.yaml:6:7: error: test 'one': 'h' is a hypothesis, not an action",
            "tests/t.yaml:7:19: error: test 'one': bounds for 'h' must be {min: x, max: y} "
            "with numbers in [-1, 1], min <= max",
        ]


class TestWords:
    """Conditions read as words in messages and tables."""

    def test_describe(self, tmp_path: Path) -> None:
        rules = BASE_RULES + textwrap.indent(textwrap.dedent("""\
            - id: words
              when:
                all:
                  - {fact: n, between: [1, 5]}
                  - any: [{fact: b}, {not: {fact: c, in: [red, blue]}}]
                  - not: {fact: big}
                  - {fact: n, lt: {fact: d}}
                  - {fact: s, exists: false}
              then: {derive: level, value: 1}
            """), "  ")
        pack = load_pack(str(tiny(tmp_path, rules)))
        assert describe(pack.rules[-1].when) == (
            "n is between 1 and 5 and (b or not (c is one of red, blue)) and not big "
            "and n is less than d and s is unknown")

    def test_leaf_words_negated(self) -> None:
        from hunch.errors import Location

        loc = Location("f")
        assert leaf_words(Compare("b", "eq", False, loc), negated=True) == "b"
        assert leaf_words(ConclusionCond("h", loc), negated=True) == "not concluded h"

    def test_alternatives_push_not_down(self, tmp_path: Path) -> None:
        rules = BASE_RULES + ("  - {id: w, when: {not: {all: [{fact: b}, {fact: n, gt: 1}]}}, "
                              "then: {derive: big}}\n")
        pack = load_pack(str(tiny(tmp_path, rules)))
        alts = alternatives(pack.rules[-1].when)
        assert [[leaf.words for leaf in alt] for alt in alts] == [
            ["not b"], ["not (n is more than 1)"]]


class TestSatisfiableProperty:
    """The contradiction finder agrees with brute force over the whole domain."""

    @staticmethod
    def _leaf(op: str, value: object, negated: bool) -> Leaf:
        from hunch.errors import Location

        return Leaf(Compare("x", op, value, Location("f")), negated)

    @settings(max_examples=300, deadline=None)
    @given(data=st.data(), kind=st.sampled_from(["integer", "number"]),
           bounded=st.booleans())
    def test_agrees_with_brute_force(self, data: st.DataObject, kind: str,
                                     bounded: bool) -> None:
        from hunch.authoring.conditions import ABSENT, leaf_holds
        from hunch.authoring.lint import _satisfiable
        from hunch.errors import Location
        from hunch.pack.model import FactSpec

        small = st.integers(min_value=-3, max_value=13)
        leaf = st.one_of(
            st.tuples(st.sampled_from(["eq", "ne", "lt", "lte", "gt", "gte"]), small),
            st.tuples(st.just("in"), st.lists(small, min_size=1, max_size=3)),
            st.tuples(st.just("between"), st.tuples(small, small).map(sorted)),
            st.tuples(st.just("exists"), st.booleans()))
        raw = data.draw(st.lists(st.tuples(leaf, st.booleans()), min_size=1, max_size=4))
        leaves = [self._leaf(op, value, neg) for (op, value), neg in raw]
        spec = FactSpec("x", kind, Location("f"), min=0 if bounded else None,
                        max=10 if bounded else None)
        step = 1 if kind == "integer" else 0.25  # constants are integers: quarters suffice
        grid = [i * step for i in range(int(-20 / step), int(30 / step))]
        kept = [v for v in grid if not bounded or 0 <= v <= 10]
        domain: list[object] = [int(v) if kind == "integer" else v for v in kept]
        domain.append(ABSENT)
        brute = any(all(leaf_holds(lf, v) for lf in leaves) for v in domain)
        assert _satisfiable(spec, leaves) == brute, [lf.words for lf in leaves]


class TestOneAnswerOncePerConclusion:
    """Two rules citing the same answer that support the same conclusion count it
    twice; check --strict warns unless the later one says why (issue 13)."""

    TWICE = BASE_RULES + textwrap.indent(textwrap.dedent("""\
        - id: h-again
          when: {fact: n, gte: 5}
          then: {support: h, cf: 0.3}
          cites: [q]
        """), "  ")

    def test_same_answer_twice_warns(self, tmp_path: Path) -> None:
        assert messages(tiny(tmp_path, self.TWICE)) == [
            "rules.yaml:19:5: warning: rule 'h-again' and rule 'to-h' both cite me and support "
            "'h': one answer counts once per conclusion (if they are one piece of evidence, "
            "merge them into one rule (any: [...]): where both hold, 'h' then gets one "
            "contribution (at most 0.5) instead of both combined (0.65); if they are separate "
            "evidence, say why with 'distinct: ...' and the result stays as it is "
            "(docs/certainty.md, \"any: and separate rules\"))"]

    def test_distinct_says_why(self, tmp_path: Path) -> None:
        rules = self.TWICE + "    distinct: another sign the same answer names\n"
        assert messages(tiny(tmp_path, rules)) == []

    def test_rules_that_never_fire_together_are_fine(self, tmp_path: Path) -> None:
        rules = self.TWICE.replace("when: {fact: n, gte: 5}",
                                   "when: {all: [{fact: n, gte: 5}, not: {fact: big}]}")
        assert messages(tiny(tmp_path, rules)) == []  # to-h needs big

    def test_two_passages_of_a_book_are_two_pieces_of_evidence(self, tmp_path: Path) -> None:
        # a forum post is one answer however many entries quote it; a book, manual or
        # standard is cited passage by passage, and each entry is its own statement
        books = textwrap.dedent("""\
            texts:
              t: {file: t.txt}
            sources:
              - {id: q, kind: book, authors: [me], title: T, page: "1", text: t, quote: hello}
              - {id: q2, kind: book, authors: [me], title: T, page: "2", text: t, quote: world}
            """)
        head, _, tail = self.TWICE.rpartition("cites: [q]")
        apart = head + "cites: [q2]" + tail  # h-again cites the other passage
        assert apart.count("[q2]") == 1
        assert messages(tiny(tmp_path / "a", apart, **{"sources.yaml": books})) == []
        same = tiny(tmp_path / "b", self.TWICE, **{"sources.yaml": books})
        assert [m.split(": one answer")[0].split("warning: ")[1] for m in messages(same)
                if "one answer" in m] == [
            "rule 'h-again' and rule 'to-h' both cite me, T, p. 1 (q) and support 'h'"]

    def test_opposing_is_not_counted(self, tmp_path: Path) -> None:
        rules = self.TWICE.replace("then: {support: h, cf: 0.3}", "then: {oppose: h, cf: 0.3}")
        assert messages(tiny(tmp_path, rules)) == []
