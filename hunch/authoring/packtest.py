"""`hunch test`: run a pack's test situations and measure rule coverage.

A test (tests/*.yaml in the pack) is a situation with expectations about the
result. Each failed expectation is reported with what was expected and what the
pack actually concluded. Coverage counts the rules that fired in at least one
test; for each rule that never fired it names the first condition that never
held in any test, evaluated in Python over each test's facts and derived facts.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hunch.authoring.conditions import Leaf, leaves
from hunch.errors import HunchError, Location, PackError, YamlError, did_you_mean
from hunch.pack.model import Compare, ConclusionCond, FactRef, Pack, PackTest, Rule
from hunch.pack.yamlsource import Document, load_file, short

EXPECT_KEYS = ("top_hypothesis", "in_top", "recommendation", "not_recommendation", "concludes",
               "not_concludes", "certainty", "ranks_above", "derives", "exactly")


# --- static checks of expectations (also run by `hunch check`) ------------------------------

@dataclass
class _TestSource:
    """Where a test came from, so problems point into its file."""

    doc: Document | None
    index: int
    situation_doc: Document | None = None

    def loc(self, test: PackTest, *path: Any) -> Location:
        if self.doc is None or self.index < 0:
            return test.loc
        return self.doc.loc(("tests", self.index, *path))

    def situation_loc(self, test: PackTest) -> Callable[[Any], Location]:
        def loc(path: Any) -> Location:
            if self.situation_doc is not None:
                return self.situation_doc.loc(tuple(path))
            return self.loc(test, "situation", *path)

        return loc


def _sources(pack: Pack) -> dict[int, _TestSource]:
    """Each test's document and index within it (read_pack keeps only the location)."""
    docs: dict[str, tuple[Document | None, dict[Location, int]]] = {}
    out: dict[int, _TestSource] = {}
    for n, test in enumerate(pack.tests):
        file = test.loc.file
        if file not in docs:
            docs[file] = _indexed(file)
        doc, indexes = docs[file]
        items = doc.data.get("tests") if doc and isinstance(doc.data, dict) else None
        index = indexes.get(test.loc, -1)
        source = _TestSource(doc, index)
        body = items[index] if isinstance(items, list) and index >= 0 else None
        if isinstance(body, dict) and "situation_file" in body:
            try:
                source.situation_doc = load_file(os.path.join(os.path.dirname(file),
                                                              str(body["situation_file"])))
            except YamlError:
                pass
        out[n] = source
    return out


def _indexed(file: str) -> tuple[Document | None, dict[Location, int]]:
    """A test file's document and each test's index by its location, built once per file:
    looking each test up by scanning its file made check and test quadratic (finding 11)."""
    try:
        doc = load_file(file)
    except YamlError:
        return None, {}
    items = doc.data.get("tests") if isinstance(doc.data, dict) else None
    indexes: dict[Location, int] = {}
    for i in range(len(items) if isinstance(items, list) else 0):
        indexes.setdefault(doc.loc(("tests", i)), i)  # the first, as the scan found
    return doc, indexes


def _ids(value: Any) -> list[str] | None:
    """An id or a list of ids; None when it is neither."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def expect_problems(pack: Pack, expect: dict[str, Any]) -> list[tuple[tuple[Any, ...], str, str]]:
    """What is wrong with one test's `expect` mapping: (path under expect, message, hint)."""
    out: list[tuple[tuple[Any, ...], str, str]] = []
    known = functools.partial(_known_ids, pack, out)  # adds its problems to out, in turn
    for key, value in expect.items():
        path: tuple[Any, ...] = (key,)
        if key not in EXPECT_KEYS:
            out.append((path, f"unknown expectation {key!r}",
                        did_you_mean(str(key), EXPECT_KEYS) or f"use {', '.join(EXPECT_KEYS)}"))
        elif key in ("top_hypothesis", "recommendation") and value is None:
            continue  # expects that nothing is concluded
        elif key in ("top_hypothesis", "recommendation", "not_recommendation", "concludes",
                     "not_concludes"):
            ids = _ids(value)
            if ids is None:
                out.append((path, f"{key} takes a conclusion id or a list of them", ""))
            else:
                kind = {"top_hypothesis": "hypothesis", "recommendation": "action",
                        "not_recommendation": "action"}.get(key)
                known(path, ids, kind)
                if key == "recommendation":
                    out.extend(_alongside_problems(path, ids, pack))
        elif key == "in_top":
            out.extend(_in_top_problems(value, known))
        elif key == "exactly":
            ids = _ids(value) if value != [] else []
            if ids is None:
                out.append((path, "exactly takes the list of every conclusion expected", ""))
            else:
                known(path, ids)
        elif key == "derives":
            out.extend(_derives_problems(pack, value))
        elif key == "certainty":
            out.extend(_certainty_problems(value, known))
        else:
            pairs = _pairs(value)
            if pairs is None:
                out.append((path, "ranks_above takes a list of [higher, lower] pairs",
                            "e.g. ranks_above: [[a, b]]"))
            else:
                for pair in pairs:
                    known(path, list(pair))
    return out


def _known_ids(pack: Pack, out: list[tuple[tuple[Any, ...], str, str]], path: tuple[Any, ...],
               ids: list[str], kind: str | None = None) -> None:
    """Add to ``out`` each id that names no conclusion, or one of another kind."""
    for cid in ids:
        conclusion = pack.conclusions.get(cid)
        if conclusion is None:
            out.append((path, f"unknown conclusion {cid!r}", did_you_mean(cid, pack.conclusions)))
        elif kind and conclusion.kind != kind:
            out.append((path, f"{cid!r} is {'an' if conclusion.kind == 'action' else 'a'} "
                              f"{conclusion.kind}, not {'an' if kind == 'action' else 'a'} "
                              f"{kind}", ""))


def _in_top_problems(value: Any, known: Callable[..., None]) -> list[tuple[Any, str, str]]:
    path = ("in_top",)
    if not isinstance(value, dict) or not set(value) <= {"n", "any_of", "all_of"}:
        return [(path, "in_top takes {n: N, any_of: [ids]} (or all_of)", "")]
    n = value.get("n")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        return [(path, f"in_top needs n, a whole number >= 1, got {short(n)}", "")]
    lists = [k for k in ("any_of", "all_of") if k in value]
    if len(lists) != 1 or _ids(value[lists[0]]) is None:
        return [(path, "in_top needs one of any_of or all_of, a list of ids", "")]
    known((*path, lists[0]), _ids(value[lists[0]]) or [])
    return []


def _derives_problems(pack: Pack, value: Any) -> list[tuple[Any, str, str]]:
    """`derives: {fact: value}` (false: not derived with that value, e.g. {bird: false})."""
    path = ("derives",)
    if not isinstance(value, dict) or not value:
        return [(path, "derives takes {derived_fact: value}", "e.g. derives: {mammal: true}")]
    from hunch.pack.values import value_problem

    out: list[tuple[Any, str, str]] = []
    for name, expected in value.items():
        spec = pack.derived.get(str(name))
        if spec is None:
            out.append(((*path, name), f"unknown derived fact {name!r}",
                        did_you_mean(str(name), pack.derived) or
                        ("it is an input fact" if name in pack.facts else "")))
        elif not (spec.type == "boolean" and expected is False):
            problem = value_problem(spec, expected)
            if problem:
                out.append(((*path, name), f"{name}: {problem}", ""))
    return out


def _certainty_problems(value: Any, known: Callable[..., None]) -> list[tuple[Any, str, str]]:
    path = ("certainty",)
    if not isinstance(value, dict):
        return [(path, "certainty takes {conclusion-id: {min: x, max: y}}", "")]
    out: list[tuple[Any, str, str]] = []
    for cid, bounds in value.items():
        known((*path, cid), [str(cid)])
        if not _bounds(bounds):
            out.append(((*path, cid), f"bounds for {cid!r} must be {{min: x, max: y}} with "
                                       f"numbers in [-1, 1], min <= max", ""))
    return out


def _bounds(value: Any) -> tuple[float, float] | None:
    if not isinstance(value, dict) or not value or not set(value) <= {"min", "max"}:
        return None
    low, high = value.get("min", -1.0), value.get("max", 1.0)
    for x in (low, high):
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not -1 <= x <= 1:
            return None
    return (float(low), float(high)) if low <= high else None


def _pairs(value: Any) -> list[tuple[str, str]] | None:
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value):
        value = [value]
    if not isinstance(value, list):
        return None
    out = []
    for pair in value:
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, str)
                                                                  for v in pair)):
            return None
        out.append((pair[0], pair[1]))
    return out


def static_test_problems(pack: Pack) -> list[HunchError]:
    """Problems in the pack's tests that show without running them."""
    from hunch.pack.validate import data_problems

    problems: list[HunchError] = []
    sources = _sources(pack)
    for n, test in enumerate(pack.tests):
        source = sources[n]
        for path, message, hint in expect_problems(pack, test.expect):
            problems.append(PackError.at(source.loc(test, "expect", *path),
                                         f"test {test.name!r}: {message}", hint))
        problems.extend(data_problems(test.situation, source.situation_loc(test), pack))
    return problems


# --- running tests ---------------------------------------------------------------------------

@dataclass
class Failure:
    """One expectation that did not hold: what was expected and what came out."""

    expectation: str
    expected: str
    got: str

    def __str__(self) -> str:
        return f"{self.expectation}: expected {self.expected}, got {self.got}"


@dataclass
class Observed:
    """What one test run produced, kept for the coverage analysis."""

    facts: dict[str, Any]
    derived: dict[str, list[Any]]
    supported: set[str]


@dataclass
class CaseOutcome:
    test: PackTest
    failures: list[Failure] = field(default_factory=list)
    errors: list[HunchError] = field(default_factory=list)  # every problem, not the first
    fired: set[int] = field(default_factory=set)

    @property
    def error(self) -> HunchError | None:
        return self.errors[0] if self.errors else None

    @property
    def passed(self) -> bool:
        return not self.errors and not self.failures


@dataclass
class Uncovered:
    """A rule no test made fire, and the first of its conditions that never held."""

    rule: Rule
    index: int
    leaf: Leaf | None
    reason: str


@dataclass
class SuiteReport:
    pack: Pack
    outcomes: list[CaseOutcome]
    fired: set[int]
    uncovered: list[Uncovered]

    @property
    def passed(self) -> int:
        return sum(1 for o in self.outcomes if o.passed)

    @property
    def failed(self) -> int:
        return len(self.outcomes) - self.passed

    @property
    def coverage(self) -> float:
        """Percentage of rules that fired in at least one test (100 for no rules)."""
        total = len(self.pack.rules)
        return 100.0 if total == 0 else 100.0 * len(self.fired) / total


def run_tests(pack: Pack) -> SuiteReport:
    """Run every test of a loaded (checked) pack."""
    sources = _sources(pack)
    outcomes: list[CaseOutcome] = []
    observed: list[Observed] = []
    for n, test in enumerate(pack.tests):
        outcome, seen = run_test(pack, test, sources[n])
        outcomes.append(outcome)
        if seen is not None:
            observed.append(seen)
    fired = set().union(*(o.fired for o in outcomes)) if outcomes else set()
    uncovered = [why_not_covered(pack, i, rule, observed)
                 for i, rule in enumerate(pack.rules) if i not in fired]
    return SuiteReport(pack, outcomes, fired, uncovered)


def run_test(pack: Pack, test: PackTest,
             source: _TestSource | None = None) -> tuple[CaseOutcome, Observed | None]:
    from hunch.engine.evaluate import evaluate
    from hunch.pack.validate import data_problems, situation_from

    source = source or _TestSource(None, -1)
    outcome = CaseOutcome(test)
    problems = data_problems(test.situation, source.situation_loc(test), pack)
    problems += [PackError.at(source.loc(test, "expect", *path), message, hint)
                 for path, message, hint in expect_problems(pack, test.expect)]
    if problems:
        outcome.errors = problems
        return outcome, None
    situation = situation_from(test.loc.file, test.situation, test.situation_lines, pack)
    try:
        result = evaluate(pack, situation)
    except HunchError as exc:
        outcome.errors = [exc]
        return outcome, None
    outcome.fired = {f.rule_index for f in result.ledger.firings}
    outcome.failures = check_expectations(test.expect, _Got(result))
    seen = Observed(dict(result.situation.values),
                    {k: list(v.values()) for k, v in result.ledger.derived.items()},
                    set(result.ledger.supported))
    return outcome, seen


class _Got:
    """The parts of a Result that expectations look at."""

    def __init__(self, result: Any) -> None:
        self.hypotheses: list[tuple[str, float]] = [(r.id, r.certainty)
                                                    for r in result.hypotheses]
        self.actions: list[tuple[str, float]] = [(r.id, r.certainty) for r in result.actions]
        rec = result.recommendation
        self.recommendation: str | None = rec.id if rec is not None else None
        self.cf: dict[str, float] = dict(self.hypotheses + self.actions)
        self.kinds: dict[str, str] = {c.id: c.kind for c in result.pack.conclusions.values()}
        self.derived: dict[str, list[Any]] = {k: list(v.values())
                                              for k, v in result.ledger.derived.items()}
        self.derived_cf: dict[tuple[str, str], float] = dict(result.certainties.derived)

    def certainty(self, cid: str) -> float:
        return self.cf.get(cid, 0.0)

    def top(self) -> str | None:
        positive = [cid for cid, cf in self.hypotheses if cf > 0]
        return positive[0] if positive else None

    def ranked(self, cid: str) -> str:
        """``id (0.62, #2)``: a conclusion as the failure messages show it."""
        for items in (self.hypotheses, self.actions):
            for position, (other, cf) in enumerate(items, start=1):
                if other == cid:
                    return f"{cid} ({cf:.2f}, #{position})"
        return f"{cid} (not concluded)"

    def concluded(self, kind: str, n: int | None = None) -> list[str]:
        items = self.hypotheses if kind == "hypothesis" else self.actions
        out = [cid for cid, cf in items if cf > 0]
        return out if n is None else out[:n]


def _one_of(ids: list[str]) -> str:
    return ids[0] if len(ids) == 1 else "one of " + ", ".join(ids)


def _none(text: str | None) -> str:
    return text if text is not None else "nothing"


def check_expectations(expect: dict[str, Any], got: _Got) -> list[Failure]:
    """Compare a run with its expectations; one Failure per expectation that fails."""
    out: list[Failure] = []
    for key, value in expect.items():
        check = _CHECKS.get(key)
        if check is not None:
            out.extend(check(value, got))
    return out


def _top_hypothesis(value: Any, got: _Got) -> list[Failure]:
    return _expect_one("top_hypothesis", value, got.top(), "no hypothesis", got)


def _alongside_problems(path: tuple[Any, ...], ids: list[str],
                        pack: Pack) -> list[tuple[tuple[Any, ...], str, str]]:
    """A side matter (`alongside: true`) is never the recommendation: expecting it so
    is a test that cannot pass."""
    return [(path, f"{cid!r} is alongside: never the recommendation",
             "expect it with concludes (it is shown as 'Also')")
            for cid in ids if cid in pack.conclusions and pack.conclusions[cid].alongside]


def _recommendation(value: Any, got: _Got) -> list[Failure]:
    return _expect_one("recommendation", value, got.recommendation, "no recommendation", got)


def _expect_one(key: str, value: Any, actual: str | None, nothing: str,
                got: _Got) -> list[Failure]:
    """`key: ID` or `key: [ID, ...]` (one of them) or `key: null` (none at all)."""
    if value is None:
        return [] if actual is None else [Failure(key, nothing, got.ranked(actual))]
    ids = _ids(value) or []
    if actual in ids:
        return []
    also = "; " + ", ".join(got.ranked(cid) for cid in ids)
    return [Failure(key, _one_of(ids),
                    (got.ranked(actual) if actual is not None else nothing) + also)]


def _not_recommendation(value: Any, got: _Got) -> list[Failure]:
    ids = _ids(value) or []
    if got.recommendation in ids:
        return [Failure("not_recommendation", "not " + _one_of(ids),
                        got.ranked(got.recommendation or ""))]
    return []


def _concludes(value: Any, got: _Got) -> list[Failure]:
    return [Failure("concludes", f"{cid} with certainty > 0", got.ranked(cid))
            for cid in _ids(value) or [] if got.certainty(cid) <= 0]


def _not_concludes(value: Any, got: _Got) -> list[Failure]:
    return [Failure("not_concludes", f"{cid} not concluded (certainty <= 0)", got.ranked(cid))
            for cid in _ids(value) or [] if got.certainty(cid) > 0]


def _in_top(value: Any, got: _Got) -> list[Failure]:
    n = int(value["n"])
    mode = "any_of" if "any_of" in value else "all_of"
    ids = _ids(value[mode]) or []
    kinds = {got.kinds.get(cid, "hypothesis") for cid in ids}
    top: list[str] = []
    for kind in sorted(kinds):
        top += got.concluded(kind, n)
    hits = [cid for cid in ids if cid in top]
    if (hits if mode == "any_of" else len(hits) == len(ids)):
        return []
    wanted = ("one of " if mode == "any_of" else "all of ") + ", ".join(ids)
    return [Failure(f"in_top {n}", wanted, ", ".join(top) or "nothing concluded")]


def _certainty(value: Any, got: _Got) -> list[Failure]:
    out = []
    for cid, spec in value.items():
        bounds = _bounds(spec)
        if bounds is None:
            continue
        low, high = bounds
        cf = got.certainty(str(cid))
        if not low - _EPSILON <= cf <= high + _EPSILON:
            out.append(Failure(f"certainty of {cid}", f"{low:g} to {high:g}", f"{cf:.4f}"))
    return out


_EPSILON = 1e-9  # certainties are sums of products: 0.7 + 0.4 * 0.3 is not exactly 0.82


def _ranks_above(value: Any, got: _Got) -> list[Failure]:
    def key(cid: str) -> tuple[float, str]:
        return (-round(got.certainty(cid), 12), cid)  # the order `rank` shows

    out = []
    for high, low in _pairs(value) or []:
        if not key(high) < key(low):
            out.append(Failure("ranks_above", f"{high} above {low}",
                               f"{got.ranked(high)} vs {got.ranked(low)}"))
    return out


def _derives(value: Any, got: _Got) -> list[Failure]:
    """Each derived fact holds with the value given (certainty > 0); `false` for a
    boolean fact also passes when it was not derived at all (closed world)."""
    from hunch.engine.compile import value_key

    out = []
    for name, expected in value.items():
        held = [v for v in got.derived.get(str(name), [])
                if got.derived_cf.get((str(name), value_key(v)), 1.0) > 0]
        shown = ", ".join(_json(v) for v in held) or "not derived"
        if expected is False:
            if any(v is True for v in held):
                out.append(Failure(f"derives {name}", "false (not derived)", shown))
        elif not any(v == expected and type(v) is type(expected) for v in held):
            out.append(Failure(f"derives {name}", _json(expected), shown))
    return out


def _json(value: Any) -> str:
    import json

    return json.dumps(value)


def _exactly(value: Any, got: _Got) -> list[Failure]:
    """Exactly these conclusions (hypotheses and actions) have certainty > 0."""
    wanted = set(_ids(value) or [])
    concluded = set(got.concluded("hypothesis") + got.concluded("action"))
    if wanted == concluded:
        return []
    parts = [f"also {', '.join(sorted(concluded - wanted))}" if concluded - wanted else "",
             f"missing {', '.join(sorted(wanted - concluded))}" if wanted - concluded else ""]
    return [Failure("exactly", ", ".join(sorted(wanted)) or "nothing",
                    "; ".join(p for p in parts if p))]


_CHECKS: dict[str, Callable[[Any, _Got], list[Failure]]] = {
    "derives": _derives,
    "exactly": _exactly,
    "top_hypothesis": _top_hypothesis,
    "in_top": _in_top,
    "recommendation": _recommendation,
    "not_recommendation": _not_recommendation,
    "concludes": _concludes,
    "not_concludes": _not_concludes,
    "certainty": _certainty,
    "ranks_above": _ranks_above,
}


# --- coverage ----------------------------------------------------------------------------------

def leaf_held(pack: Pack, leaf: Leaf, seen: Observed) -> bool:
    """Did this leaf, with its polarity, hold in one test run? Same semantics as the
    engine: unknown input facts make a comparison and its negation unknown; derived
    facts and conclusions are closed-world."""
    from hunch.authoring.conditions import ABSENT, leaf_holds
    from hunch.engine.runner import holds

    cond = leaf.cond
    if isinstance(cond, ConclusionCond):
        return (cond.conclusion in seen.supported) != leaf.negated
    assert isinstance(cond, Compare)
    if cond.fact in pack.derived:
        found = any(holds(cond.op, v, cond.value, seen.facts) if cond.op != "exists" else True
                    for v in seen.derived.get(cond.fact, []))
        return found != leaf.negated
    other = cond.value.fact if isinstance(cond.value, FactRef) else None
    if other is not None and other in pack.derived:
        value = seen.facts.get(cond.fact)
        if value is None:
            return False
        found = any(holds(cond.op, value, v, {}) for v in seen.derived.get(other, []))
        return found != leaf.negated
    value = seen.facts.get(cond.fact, ABSENT)
    return leaf_holds(leaf, value, seen.facts)


def why_not_covered(pack: Pack, index: int, rule: Rule, observed: list[Observed]) -> Uncovered:
    if not observed:
        return Uncovered(rule, index, None, "no test ran")
    for leaf in leaves(rule.when):
        if not any(leaf_held(pack, leaf, seen) for seen in observed):
            return Uncovered(rule, index, leaf, f"never held: {leaf.words}")
    return Uncovered(rule, index, None,
                     "each condition held in some test, but never all together in one test")


__all__ = [
    "EXPECT_KEYS",
    "CaseOutcome",
    "Failure",
    "SuiteReport",
    "Uncovered",
    "check_expectations",
    "expect_problems",
    "run_tests",
    "static_test_problems",
]
