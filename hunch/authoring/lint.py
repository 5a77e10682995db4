"""`hunch check`: every problem of a rule pack at once, as errors and warnings.

It runs the structural reading (hunch.pack.read.read_pack) and the semantic checks
(hunch.pack.validate.check_pack), then the lints below: rules that can never fire,
conclusions no rule can reach, derived facts never derived or never used, input
facts no rule reads, sources never cited, rules that repeat another rule, test
expectations that name unknown ids, and the limits of durable_rules.

Errors are things that are wrong; warnings are legitimate but suspicious.
"""

from __future__ import annotations

import itertools
import math
import os
import re
from dataclasses import dataclass, field
from typing import Any

from hunch.authoring.conditions import (
    ABSENT,
    Leaf,
    TooManyAlternatives,
    alternatives,
    describe,
    effect_words,
    leaf_holds,
    leaf_words,
    leaves,
    value_words,
)
from hunch.errors import ErrorList, HunchError, HunchWarning, Location, PackError, YamlError
from hunch.pack.grading import DEFAULT_GRADING, grade_words, graded_cf, seconders
from hunch.pack.model import (
    All,
    Compare,
    ConclusionCond,
    Condition,
    Effect,
    FactRef,
    FactSpec,
    Not,
    Pack,
    Rule,
    Source,
    names_read,
    walk,
)
from hunch.pack.read import read_pack
from hunch.pack.validate import check_pack, compare_problems
from hunch.pack.yamlsource import load_file

# --- conditions in words (shared by check, test coverage and `hunch rules`) -------------













# --- the report ---------------------------------------------------------------------------

@dataclass
class CheckReport:
    """Everything `hunch check` found in one pack, sorted by file position."""

    path: str
    pack: Pack
    problems: list[HunchError] = field(default_factory=list)

    @property
    def errors(self) -> list[HunchError]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[HunchError]:
        return [p for p in self.problems if p.level != "error"]


def warning(loc: Location, message: str, hint: str = "") -> HunchError:
    return HunchWarning.at(loc, message, hint)


def check(path: str) -> CheckReport:
    """Read and check the pack folder at ``path``; never raises for a bad pack."""
    read_errors: list[HunchError] = []
    pack = read_pack(path, read_errors)
    problems = list(read_errors)
    unloaded = {os.path.abspath(e.file) for e in read_errors if isinstance(e, YamlError)}
    definitions = {os.path.abspath(os.path.join(path, name))
                   for name in ("facts.yaml", "conclusions.yaml", "sources.yaml")}
    if unloaded & definitions:
        # Every reference into a file that did not load would be reported as
        # unknown: fix the YAML first; the semantic checks run on the next check.
        return _report(path, pack, problems)
    dropped = _dropped_names(pack, read_errors)
    semantic = [p for p in check_pack(pack) if not _about_dropped(p, dropped)]
    problems.extend(semantic)
    unparsed = unparsed_rules(path, pack, read_errors)
    _assume_meant(semantic, unparsed)
    problems.extend(lint_pack(pack, unparsed))
    from hunch.authoring.packtest import static_test_problems

    # a test situation naming a fact whose definition has an error is not a second
    # mistake: the definition's error is the one message
    problems.extend(p for p in static_test_problems(pack) if not _about_dropped(p, dropped))
    return _report(path, pack, problems)


_MEANT = re.compile(r"did you mean '([^']+)'")


def _assume_meant(problems: list[HunchError], unparsed: Unparsed) -> None:
    """A misspelt reference ("unknown fact 'bb'", did you mean 'b') stands for the
    name it was meant to be, so the lints do not add that 'b' is never used: one
    mistake, one message."""
    for problem in problems:
        meant = _MEANT.search(problem.hint or "")
        if meant is None or problem.level != "error" or "unknown" not in problem.message:
            continue
        name, message = meant.group(1), problem.message
        if "derives unknown" in message:
            unparsed.derives.add(name)
        elif "supports unknown" in message or "opposes unknown" in message:
            unparsed.supports.add(name)
        elif "unknown source" in message:
            unparsed.cites.add(name)
        elif "unknown fact" in message or "unknown derived fact" in message:
            unparsed.uses.add(name)


def _report(path: str, pack: Pack, problems: list[HunchError]) -> CheckReport:
    unique: dict[str, HunchError] = {}
    for p in problems:
        unique.setdefault(p.format(with_level=True), p)
    ordered = sorted(unique.values(), key=lambda p: (p.file, p.line, p.column, p.message))
    return CheckReport(path, pack, ordered)


@dataclass
class Unparsed:
    """What the rules read_pack dropped for an error refer to, taken from the raw
    YAML, so that whole-pack lints (unreachable, unused, uncited) do not blame the
    rest of the pack for their absence."""

    complete: bool = True  # False when a rules file did not load at all
    derives: set[str] = field(default_factory=set)
    supports: set[str] = field(default_factory=set)
    uses: set[str] = field(default_factory=set)
    cites: set[str] = field(default_factory=set)


def unparsed_rules(path: str, pack: Pack, read_errors: list[HunchError]) -> Unparsed:
    import glob

    out = Unparsed()
    files = sorted(glob.glob(os.path.join(path, "rules", "*.yaml")))
    files += [os.path.join(path, "rules.yaml")] if os.path.isfile(
        os.path.join(path, "rules.yaml")) else []
    bad = {os.path.abspath(e.file) for e in read_errors}
    parsed = {(r.loc.file, r.loc.line, r.loc.column) for r in pack.rules}
    for file in files:
        if os.path.abspath(file) not in bad:
            continue
        try:
            doc = load_file(file)
        except YamlError:
            out.complete = False
            continue
        items = doc.data.get("rules") if isinstance(doc.data, dict) else None
        for i, item in enumerate(items if isinstance(items, list) else []):
            loc = doc.loc(("rules", i))
            if (loc.file, loc.line, loc.column) not in parsed:
                _collect_raw(item, out)
    return out


def _collect_raw(item: Any, out: Unparsed) -> None:
    """Every name a raw (unparsed) rule mentions, wherever it sits."""
    if isinstance(item, list):
        for x in item:
            _collect_raw(x, out)
        return
    if not isinstance(item, dict):
        return
    for key, value in item.items():
        if key == "fact" and isinstance(value, str):
            out.uses.add(value)
        elif key == "derive" and isinstance(value, str):
            out.derives.add(value)
        elif key == "support" and isinstance(value, str):
            out.supports.add(value)
        elif key == "cites":
            out.cites.update(v for v in (value if isinstance(value, list) else [value])
                             if isinstance(v, str))
        else:
            _collect_raw(value, out)


_UNKNOWN = re.compile(r"unknown (fact|derived fact|conclusion|source) '([^']+)'")


def _dropped_names(pack: Pack, read_errors: list[HunchError]) -> set[str]:
    """Names declared in the pack's files but dropped by read_pack for an error."""
    if not read_errors:
        return set()
    declared: set[str] = set()
    for name, sections in (("facts.yaml", ("facts", "derived")),
                           ("conclusions.yaml", ("conclusions",)), ("sources.yaml", ("sources",))):
        try:
            data = load_file(os.path.join(pack.path, name)).data
        except YamlError:
            continue
        for section in sections:
            entries = data.get(section) if isinstance(data, dict) else None
            if isinstance(entries, dict):
                declared.update(str(k) for k in entries)
            elif isinstance(entries, list):
                declared.update(str(e["id"]) for e in entries if isinstance(e, dict) and "id" in e)
    known = set(pack.facts) | set(pack.derived) | set(pack.conclusions) | set(pack.sources)
    return declared - known


def _about_dropped(problem: HunchError, dropped: set[str]) -> bool:
    match = _UNKNOWN.search(problem.message)
    return bool(match and match.group(2) in dropped)


def lint_pack(pack: Pack, unparsed: Unparsed | None = None) -> list[HunchError]:
    """The lints beyond check_pack. Rules with errors are assumed to fire and to
    mean what they say, so one mistake does not cascade into many warnings."""
    unparsed = unparsed or Unparsed()
    problems: list[HunchError] = []
    sound = [r for r in pack.rules if not rule_problems(pack, r)]
    dead = _never_fire(pack, sound, problems)
    _group_twice(pack, sound, problems)
    _duplicate_rules(sound, problems)
    _same_answer_twice(pack, sound, problems)
    problems.extend(grading_problems(pack, sound))
    if unparsed.complete:
        sound_ids = {id(r) for r in sound}  # identity: Rule equality compares whole trees
        assume = {i for i, r in enumerate(pack.rules) if id(r) not in sound_ids}
        _reachability(pack, dead, assume, unparsed, problems)
        _unused(pack, unparsed, problems)
    problems.extend(limit_problems(pack, sound))
    return problems


def rule_problems(pack: Pack, rule: Rule) -> bool:
    """True when check_pack has something to say about this rule's references or types."""
    for node in walk(rule.when):
        if isinstance(node, Compare) and compare_problems(pack, node):
            return True
        if isinstance(node, ConclusionCond) and node.conclusion not in pack.conclusions:
            return True
    for effect in rule.then:
        if effect.kind == "derive" and effect.target not in pack.derived:
            return True
        if effect.kind != "derive" and effect.target not in pack.conclusions:
            return True
    return False


# --- rules that can never fire ------------------------------------------------------------













def _candidates(spec: FactSpec, leaves_: list[Leaf]) -> list[Any]:
    """Values worth trying: enough that if any value satisfies the leaves, one of these
    does (every bound is a constant, so try each constant, its neighbours and the
    midpoints between them)."""
    out: list[Any] = []
    if not spec.required and not spec.has_default and not spec.derived:
        out.append(ABSENT)
    if spec.type == "boolean":
        return [*out, True, False]
    if spec.type == "enum":
        return out + list(spec.values or [])
    consts: list[Any] = []
    for leaf in leaves_:
        value = leaf.cond.value if isinstance(leaf.cond, Compare) else None
        consts.extend(value if isinstance(value, list) else [value])
    if spec.type == "string":
        # the value no rule names goes first: it satisfies every 'not in' at once
        return out + ["\x00another value"] + [c for c in consts if isinstance(c, str)]
    nums = [c for c in consts if isinstance(c, (int, float)) and not isinstance(c, bool)]
    nums += [b for b in (spec.min, spec.max) if b is not None] or [0]
    points: set[float] = set()
    for c in nums:
        points.update((c - 1, c, c + 1, math.floor(c) - 1, math.ceil(c) + 1))
    ordered = sorted(points)
    points.update((a + b) / 2 for a, b in itertools.pairwise(ordered))
    values = sorted(points)
    if spec.type == "integer":
        values = sorted({int(v) for v in values if float(v).is_integer()})
    values = [v for v in values if (spec.min is None or v >= spec.min)
              and (spec.max is None or v <= spec.max)]
    return out + values


def _satisfiable(spec: FactSpec, group: list[Leaf]) -> bool:
    return any(all(leaf_holds(leaf, v) for leaf in group) for v in _candidates(spec, group))


def _domain_note(spec: FactSpec) -> str:
    if spec.type in ("integer", "number") and (spec.min is not None or spec.max is not None):
        from hunch.pack.values import fmt_num

        low = "" if spec.min is None else fmt_num(spec.min)
        high = "" if spec.max is None else fmt_num(spec.max)
        if low and high:
            return f"{spec.name} is between {low} and {high}"
        return f"{spec.name} is at least {low}" if low else f"{spec.name} is at most {high}"
    if spec.required:
        return f"{spec.name} is required"
    if spec.has_default:
        return f"{spec.name} has a default, so it is never unknown"
    if spec.type == "enum":
        return f"{spec.name} is one of {', '.join(value_words(v) for v in spec.values or [])}"
    return f"{spec.name} is {spec.type}"


@dataclass
class _Contradiction:
    leaf: Leaf
    reason: str
    checked: bool = True  # False: the search was over its budget, so nothing is known


# The contradiction search tries candidate values against every test of one fact in
# one alternative: (tests x candidates) evaluations, and pairs of tests after that.
# Past this many it stops and says so (a 2,000-test rule took minutes: issue 17, F8).
MAX_LINT_CHECKS = 200_000


def _leaf_alone(pack: Pack, leaf: Leaf) -> _Contradiction | None:
    """A leaf that can never hold whatever the other conditions say."""
    cond = leaf.cond
    if isinstance(cond, ConclusionCond) or isinstance(cond.value, FactRef):
        return None
    spec = pack.spec(cond.fact)
    if spec is None:
        return None
    if spec.derived:
        if leaf.negated or cond.op == "exists":
            return None
        domain = FactSpec(spec.name, spec.type, spec.loc, derived=True, values=spec.values,
                          min=spec.min, max=spec.max)
        ok = _satisfiable(domain, [leaf])
    else:
        ok = _satisfiable(spec, [leaf])
    return None if ok else _Contradiction(leaf, f"'{leaf.words}' can never hold: "
                                                f"{_domain_note(spec)}")


def _alternative_conflict(pack: Pack, alt: list[Leaf]) -> _Contradiction | None:
    """Why one alternative (a conjunction of leaves) can never hold, or None."""
    for leaf in alt:
        found = _leaf_alone(pack, leaf)
        if found:
            return found
    by_fact: dict[str, list[Leaf]] = {}
    for leaf in alt:
        cond = leaf.cond
        if isinstance(cond, Compare) and not isinstance(cond.value, FactRef) \
                and cond.fact in pack.facts:
            by_fact.setdefault(cond.fact, []).append(leaf)
    unchecked: _Contradiction | None = None
    for fact, group in by_fact.items():
        spec = pack.facts[fact]
        if len(group) * len(_candidates(spec, group)) > MAX_LINT_CHECKS:
            unchecked = unchecked or _Contradiction(
                group[0], f"its {len(group)} conditions on {fact!r} are too many to check "
                          f"for contradictions (over {MAX_LINT_CHECKS:,} tests); not checked",
                checked=False)
            continue
        if _satisfiable(spec, group):
            continue
        pairs = len(group) * (len(group) - 1) // 2
        if pairs * 20 <= MAX_LINT_CHECKS:  # ~20 tests a pair: name the two that clash
            for i, a in enumerate(group):
                for b in group[i + 1:]:
                    if not _satisfiable(spec, [a, b]):
                        return _Contradiction(b, f"'{a.words}' and '{b.words}' contradict "
                                                 f"each other")
        words = "', '".join(leaf.words for leaf in group)
        return _Contradiction(group[-1], f"'{words}' cannot all hold together")
    return (_closed_world_conflict(pack, alt) or _one_derived_value(pack, alt)
            or unchecked)


def _one_derived_value(pack: Pack, alt: list[Leaf]) -> _Contradiction | None:
    """Positive tests of one derived fact in one alternative must hold for the same
    derived value (docs/architecture.md, "Semantics decisions"): "best_color = red"
    and "best_color = white" together never hold, though each value may be derived."""
    by_fact: dict[str, list[Leaf]] = {}
    for leaf in alt:
        cond = leaf.cond
        if isinstance(cond, Compare) and cond.fact in pack.derived and not leaf.negated \
                and not isinstance(cond.value, FactRef) and cond.op != "exists":
            by_fact.setdefault(cond.fact, []).append(leaf)
    for fact, group in by_fact.items():
        if len(group) < 2:
            continue
        spec = pack.derived[fact]
        values = list(spec.values or []) or _derive_values(pack.rules).get(fact, [])
        if any(all(leaf_holds(leaf, v) for leaf in group) for v in values):
            continue
        words = "' and '".join(leaf.words for leaf in group)
        return _Contradiction(group[-1], f"'{words}' contradict each other: tests of one "
                                         f"derived fact in one 'all' hold for one value of it")
    return None


def _group_twice(pack: Pack, rules: list[Rule], problems: list[HunchError]) -> None:
    """A rule that needs two members of one exclusive group in one alternative: the
    group says at most one of them is the answer, so the rule fires only on evidence
    the pack calls contradictory (a warning: the engine would still fire it)."""
    for rule in rules:
        try:
            alts = alternatives(rule.when)
        except TooManyAlternatives:
            continue
        for alt in alts:
            needed = [leaf.cond for leaf in alt
                      if isinstance(leaf.cond, ConclusionCond) and not leaf.negated]
            seen: dict[str, ConclusionCond] = {}
            clash = None
            for cond in needed:
                group = pack.group_of(cond.conclusion)
                if group and group in seen and seen[group].conclusion != cond.conclusion:
                    clash = (seen[group], cond, group)
                    break
                if group:
                    seen.setdefault(group, cond)
            if clash is not None:
                first, second, group = clash
                problems.append(warning(
                    second.loc, f"rule {rule.id!r} needs both {first.conclusion!r} and "
                                f"{second.conclusion!r}, members of exclusive group {group!r}",
                    "at most one member of a group is the answer: test one of them, or "
                    "{group: ...}"))
                break


def _closed_world_conflict(pack: Pack, alt: list[Leaf]) -> _Contradiction | None:
    """A derived fact or conclusion both required and negated in one alternative."""
    def key(leaf: Leaf) -> tuple[Any, ...]:
        c = leaf.cond
        if isinstance(c, ConclusionCond):
            return ("c", c.conclusion)
        return ("d", c.fact, c.op, repr(c.value))

    closed = [leaf for leaf in alt
              if isinstance(leaf.cond, ConclusionCond) or leaf.cond.fact in pack.derived]
    positives = {key(leaf): leaf for leaf in closed if not leaf.negated}
    for leaf in closed:
        if leaf.negated and key(leaf) in positives:
            return _Contradiction(leaf, f"'{positives[key(leaf)].words}' and '{leaf.words}' "
                                        f"contradict each other")
    return None


def _never_fire(pack: Pack, rules: list[Rule], problems: list[HunchError]) -> set[str]:
    """Report rules whose conditions contradict each other; return their ids."""
    dead: set[str] = set()
    for rule in rules:
        try:
            alts = alternatives(rule.when)
        except TooManyAlternatives:
            continue  # the compiler reports it (limit_problems)
        searched = [_alternative_conflict(pack, alt) for alt in alts]
        skipped = {c.reason: c for c in searched if c is not None and not c.checked}
        for c in skipped.values():  # once per rule, however many alternatives
            problems.append(warning(c.leaf.cond.loc, f"rule {rule.id!r}: {c.reason}",
                                    "split the rule, or use 'in:' / 'not: {in: ...}'"))
        conflicts = [c if c is not None and c.checked else None for c in searched]
        first = next((c for c in conflicts if c is not None), None)
        if first is not None and all(c is not None for c in conflicts):
            dead.add(rule.id)
            problems.append(PackError.at(first.leaf.cond.loc,
                                         f"rule {rule.id!r} can never fire: {first.reason}"))
            continue
        for leaf in leaves(rule.when):
            found = _leaf_alone(pack, leaf)
            if found:
                problems.append(warning(leaf.cond.loc, f"rule {rule.id!r}: {found.reason}",
                                        "this branch of the rule is dead"))
    return dead


# --- reachability: what the rules can conclude, derive and use --------------------------

def _derive_values(rules: list[Rule]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for rule in rules:
        for effect in rule.then:
            if effect.kind == "derive":
                out.setdefault(effect.target, []).append(effect.value)
    return out


def _derived_leaf_possible(leaf: Leaf, values: list[Any]) -> bool:
    """Could some derived value satisfy this positive leaf on a derived fact?"""
    from hunch.engine.runner import holds

    cond = leaf.cond
    assert isinstance(cond, Compare)
    if any(v is ANY_VALUE for v in values):
        return True
    if isinstance(cond.value, FactRef) or cond.op == "exists":
        return bool(values)
    return any(holds(cond.op, v, cond.value, {}) for v in values)


def _alternative_possible(pack: Pack, alt: list[Leaf], derivable: dict[str, list[Any]],
                          reachable: set[str]) -> bool:
    for leaf in alt:
        if leaf.negated:
            continue  # closed-world negations hold when nothing was concluded
        cond = leaf.cond
        if isinstance(cond, ConclusionCond):
            if cond.conclusion not in reachable:
                return False
        elif cond.fact in pack.derived:
            if not _derived_leaf_possible(leaf, derivable.get(cond.fact, [])):
                return False
        elif (isinstance(cond.value, FactRef) and cond.value.fact in pack.derived
              and not derivable.get(cond.value.fact)):
            return False
    return True


ANY_VALUE = object()  # a derived value we cannot know (its rule did not parse)


def firable_rules(pack: Pack, dead: set[str], assume: set[int] | None = None,
                  unparsed: Unparsed | None = None) -> set[int]:
    """Indices of rules that can fire in some situation, found by a fixpoint.
    ``assume``: indices taken as firable (rules with errors)."""
    assume = assume or set()
    live = {i: alternatives(r.when) if i not in assume else []
            for i, r in enumerate(pack.rules) if r.id not in dead}
    firable: set[int] = set()
    derivable: dict[str, list[Any]] = {}
    reachable: set[str] = set()
    if unparsed is not None:
        for name in unparsed.derives:
            derivable.setdefault(name, []).append(ANY_VALUE)
        reachable |= unparsed.supports
    changed = True
    while changed:
        changed = False
        for i, alts in live.items():
            if i in firable:
                continue
            if i in assume or any(_alternative_possible(pack, alt, derivable, reachable)
                                  for alt in alts):
                firable.add(i)
                changed = True
                for effect in pack.rules[i].then:
                    if effect.kind == "derive":
                        derivable.setdefault(effect.target, []).append(effect.value)
                    elif effect.kind == "support":
                        reachable.add(effect.target)
    return firable


def _reachability(pack: Pack, dead: set[str], assume: set[int], unparsed: Unparsed,
                  problems: list[HunchError]) -> None:
    try:
        firable = firable_rules(pack, dead, assume, unparsed)
    except TooManyAlternatives:
        return
    all_values = _derive_values(pack.rules)
    for name in unparsed.derives:
        all_values.setdefault(name, []).append(ANY_VALUE)
    for i, rule in enumerate(pack.rules):
        if i in firable or rule.id in dead:
            continue
        for leaf in leaves(rule.when):
            cond = leaf.cond
            if (not leaf.negated and isinstance(cond, Compare) and cond.fact in all_values
                    and not _derived_leaf_possible(leaf, all_values[cond.fact])):
                shown = ", ".join(sorted({value_words(v) for v in all_values[cond.fact]}))
                problems.append(PackError.at(
                    cond.loc, f"rule {rule.id!r} can never fire: '{leaf.words}' never holds",
                    f"rules derive {cond.fact} only as {shown}"))
                break
    supporters: dict[str, list[Rule]] = {}
    for rule in pack.rules:
        for effect in rule.then:
            if effect.kind == "support":
                supporters.setdefault(effect.target, []).append(rule)
    reached = {e.target for i in firable for e in pack.rules[i].then if e.kind == "support"}
    reached |= unparsed.supports
    for conclusion in pack.conclusions.values():
        if conclusion.id in reached:
            continue
        rules = supporters.get(conclusion.id, [])
        if not rules:
            hint = "add a rule with then: {support: " + conclusion.id + ", cf: ...}"
            problems.append(warning(conclusion.loc, f"no rule supports {conclusion.kind} "
                                                    f"{conclusion.id!r}: it can never be concluded",
                                    hint))
        else:
            names = ", ".join(r.id for r in rules)
            problems.append(warning(conclusion.loc, f"{conclusion.kind} {conclusion.id!r} can "
                                                    f"never be concluded: no rule supporting it "
                                                    f"can fire ({names})"))


def _uses(pack: Pack) -> dict[str, list[Rule]]:
    """Fact name -> the rules whose conditions read it."""
    out: dict[str, list[Rule]] = {}
    for rule in pack.rules:
        names: set[str] = set()
        for node in walk(rule.when):
            if isinstance(node, Compare):
                names.add(node.fact)
                if isinstance(node.value, FactRef):
                    names.add(node.value.fact)
        for name in sorted(names):
            out.setdefault(name, []).append(rule)
    return out


def _unused(pack: Pack, unparsed: Unparsed, problems: list[HunchError]) -> None:
    uses = _uses(pack)
    for name in unparsed.uses:
        uses.setdefault(name, [])
    derivers = _derive_values(pack.rules)
    for name in unparsed.derives:
        derivers.setdefault(name, [ANY_VALUE])
    for name, spec in pack.derived.items():
        used, derived = name in uses, name in derivers
        if not used and not derived:
            problems.append(warning(spec.loc, f"derived fact {name!r} is never derived and "
                                              f"never used", "remove it, or write the rules"))
        elif not derived:
            users = ", ".join(r.id for r in uses[name]) or "rules with errors"
            problems.append(warning(spec.loc, f"derived fact {name!r} is never derived, so the "
                                              f"rules that need it can never fire ({users})"))
        elif not used:
            problems.append(warning(spec.loc, f"derived fact {name!r} is derived but no rule "
                                              f"uses it"))
    gates = {n for spec in pack.facts.values() if spec.asked_when is not None
             for n in names_read(spec.asked_when)}
    for name, spec in pack.facts.items():
        if name not in uses and name not in gates:
            problems.append(warning(spec.loc, f"input fact {name!r} is never used by a rule",
                                    "people are asked for it for nothing"))
    cited = {sid for r in pack.rules for sid in r.cites} | unparsed.cites
    cited |= {sid for c in pack.conclusions.values() for sid in c.sources}
    cited |= seconders(pack)
    for source in pack.sources.values():
        if source.id not in cited:
            problems.append(warning(source.loc, f"source {source.id!r} is never cited",
                                    "cite it from a rule or a conclusion, or remove it"))
    quoted = {s.text for s in pack.sources.values()}
    for text in pack.texts.values():
        if text.id not in quoted:
            problems.append(warning(text.loc, f"text {text.id!r} is never quoted by a source"))


# --- rules that repeat each other -----------------------------------------------------------

def condition_key(cond: Condition) -> tuple[Any, ...]:
    """A condition without its locations, for comparing rules."""
    if isinstance(cond, Compare):
        return ("cmp", cond.fact, cond.op, repr(cond.value))
    if isinstance(cond, ConclusionCond):
        return ("concl", cond.conclusion)
    if isinstance(cond, Not):
        return ("not", condition_key(cond.item))
    kind = "all" if isinstance(cond, All) else "any"
    return (kind, tuple(sorted(condition_key(c) for c in cond.items)))


def _duplicate_rules(rules: list[Rule], problems: list[HunchError]) -> None:
    seen: dict[tuple[Any, ...], Rule] = {}
    for rule in rules:
        effects = tuple(sorted((e.kind, e.target, e.cf, repr(e.value)) for e in rule.then))
        # Different sources for the same inference are independent evidence; the
        # same sources twice are the same evidence counted twice.
        key = (condition_key(rule.when), effects, tuple(sorted(set(rule.cites))))
        if key in seen:
            first = seen[key]
            problems.append(warning(rule.loc, f"rule {rule.id!r} repeats rule {first.id!r} "
                                              f"(line {first.loc.line}): same conditions, effects "
                                              f"and sources, so its evidence counts twice"))
        else:
            seen[key] = rule


def _same_answer_twice(pack: Pack, rules: list[Rule], problems: list[HunchError]) -> None:
    """Two rules citing the same answer that support the same conclusion count that
    answer twice when both fire. The second and later of such rules must say why
    they are separate evidence (`distinct:`), unless their conditions can never hold
    together (then they never count the answer twice).

    An answer is a forum post (its author and time: one post may be quoted in
    several source entries). A source of any other kind (a book, a manual, a
    standard) is cited passage by passage, so each of its entries is one piece of
    evidence: two passages of one manual are two statements, not one repeated."""
    groups: dict[tuple[str, str, str], list[Rule]] = {}
    for rule in rules:
        answers = dict.fromkeys(_answer(pack.sources[sid])
                                for sid in rule.cites if sid in pack.sources)
        for effect in rule.then:
            if effect.kind != "support" or effect.target not in pack.conclusions:
                continue
            for author, posted in answers:
                group = groups.setdefault((effect.target, author, posted), [])
                if rule not in group:
                    group.append(rule)
    ids = [r.id for r in pack.rules]
    for (target, author, posted), group in groups.items():
        for k, rule in enumerate(group[1:], start=1):
            if rule.distinct.strip() or ids.count(rule.id) > 1:
                continue  # said why; or a duplicate id, reported as an error already
            # the earlier rules it can fire with (at most _SAME_ANSWER_SCAN of them, so
            # a pack with thousands of such rules stays linear); an exact repeat is
            # reported by _duplicate_rules
            other = next((e for e in group[max(0, k - _SAME_ANSWER_SCAN):k]
                          if _repeat_key(e) != _repeat_key(rule)
                          and _fire_together(pack, e, rule)), None)
            if other is None:
                continue
            when = f" ({posted})" if posted else ""
            problems.append(warning(
                rule.loc, f"rule {rule.id!r} and rule {other.id!r} both cite {author}{when} "
                          f"and support {target!r}: one answer counts once per conclusion",
                _merge_hint(other, rule, target)))


_SAME_ANSWER_SCAN = 32


def _merge_hint(first: Rule, second: Rule, target: str) -> str:
    """The two ways out, with what each does to the result where both rules hold.

    Merging into one rule (any: [...]) is not a neutral rewrite: the merged rule
    contributes once (its best branch), where two rules combine. The hint gives
    both figures, so an author never follows it without seeing what it changes
    (issue 26: following a bare "merge them" changed the top answer in 38 % of a
    ported pack's cases)."""
    from hunch.engine.certainty import combine2

    a = max((e.cf for e in first.then if e.kind == "support" and e.target == target),
            default=0.0)
    b = max((e.cf for e in second.then if e.kind == "support" and e.target == target),
            default=0.0)
    return (f"if they are one piece of evidence, merge them into one rule (any: [...]): where "
            f"both hold, {target!r} then gets one contribution (at most {max(a, b):g}) instead "
            f"of both combined ({combine2(a, b):g}); if they are separate evidence, say why with "
            f"'distinct: ...' and the result stays as it is (docs/certainty.md, \"any: and "
            f"separate rules\")")


def _answer(source: Source) -> tuple[str, str]:
    """What counts as one piece of evidence, named as the warning names it."""
    if source.kind == "post":
        return source.author, source.posted
    return f"{source.name} ({source.id})", ""


def _repeat_key(rule: Rule) -> tuple[Any, ...]:
    effects = tuple(sorted((e.kind, e.target, e.cf, repr(e.value)) for e in rule.then))
    return (condition_key(rule.when), effects, tuple(sorted(set(rule.cites))))


def _fire_together(pack: Pack, a: Rule, b: Rule) -> bool:
    """False only when every way ``a`` can hold contradicts every way ``b`` can."""
    try:
        alts_a, alts_b = alternatives(a.when), alternatives(b.when)
    except TooManyAlternatives:
        return True
    return any(_alternative_conflict(pack, x + y) is None for x in alts_a for y in alts_b)


# --- graded evidence (docs/certainty.md, "Graded evidence") ---------------------------------

# A written cf further than this from its grades' cf contradicts them: the width of a
# close call (docs/certainty.md), the least difference a reader should act on.
CF_TOLERANCE = 0.1


def grading_problems(pack: Pack, rules: list[Rule]) -> list[HunchError]:
    """What reviews of graded packs kept finding by hand, as warnings (--strict fails)."""
    problems: list[HunchError] = []
    for rule in rules:
        for effect in rule.then:
            problems.extend(_weight_problems(pack, rule, effect))
    _dependent_evidence(pack, rules, problems)
    _passage_twice(pack, rules, problems)
    return problems


def _weight_problems(pack: Pack, rule: Rule, effect: Effect) -> list[HunchError]:
    """A written cf against its grades, and a question weighted like a statement."""
    evidence = effect.evidence
    if evidence is None:
        return []
    out = []
    asks = evidence.hedge == "asks"
    if evidence.standing == "question" and evidence.hedge in ("states", "likely"):
        out.append(warning(evidence.loc, f"rule {rule.id!r}: a question asked back is graded "
                                         f"as a statement (hedge: {evidence.hedge})",
                           "grade it hedge: asks (or may, if it suggests an answer)"))
    if not effect.cf_given:
        return out
    graded = graded_cf(pack.grading or DEFAULT_GRADING, evidence)
    if asks and effect.cf > graded + 0.005:
        out.append(warning(effect.loc, f"rule {rule.id!r}: a question asked back weighted like "
                                       f"a statement: cf {effect.cf:g} is above the {graded:g} "
                                       f"its grades ({grade_words(evidence)}) allow",
                           "drop the cf: a question raises a possibility, it does not state it"))
    elif abs(effect.cf - graded) > CF_TOLERANCE + 1e-9:
        out.append(warning(effect.loc, f"rule {rule.id!r}: cf {effect.cf:g} contradicts its "
                                       f"grades ({grade_words(evidence)} give {graded:g})",
                           "drop the cf to use the grades, or change the grade the source "
                           "deserves (docs/certainty.md)"))
    return out


def _dependent(effect: Effect) -> bool:
    """A seconding, or a question asked back: it leans on what it answers."""
    e = effect.evidence
    return e is not None and (e.standing in ("seconding", "question") or e.hedge == "asks")


def _by_conclusion(pack: Pack, rules: list[Rule]) -> dict[tuple[str, str], list[tuple[Rule,
                                                                                        Effect]]]:
    """(kind, conclusion) -> the rules' support or oppose effects on it, in file order."""
    out: dict[tuple[str, str], list[tuple[Rule, Effect]]] = {}
    for rule in rules:
        for effect in rule.then:
            if effect.kind != "derive" and effect.target in pack.conclusions:
                out.setdefault((effect.kind, effect.target), []).append((rule, effect))
    return out


def _dependent_evidence(pack: Pack, rules: list[Rule], problems: list[HunchError]) -> None:
    """A seconding or a question counted as independent evidence: a source counted
    both as a seconder and on its own, or beside a rule that makes the point itself.
    One message per effect: the seconder named in seconded_by is the sharper one."""
    for (kind, target), effects in _by_conclusion(pack, rules).items():
        for rule, effect in effects:
            others = [(r, e) for r, e in effects if r is not rule]
            seconded = next(((r, sid) for r, e in others if e.evidence is not None
                             and e.evidence.seconded_by
                             for sid in rule.cites if sid in e.evidence.seconded_by
                             and _fire_together(pack, rule, r)), None)
            if seconded is not None:
                other, sid = seconded
                problems.append(warning(
                    effect.loc, f"rule {rule.id!r}: source {sid!r} seconds rule {other.id!r} "
                                f"(line {other.loc.line}) and is counted again here for "
                                f"{target!r}",
                    "a seconding raises the standing of what it seconds; it is not evidence "
                    "of its own: drop this rule"))
                continue
            if effect.evidence is None or not _dependent(effect):
                continue  # only then look for the rule it leans on (fire-together is dear)
            main = next((r for r, e in others if not _dependent(e)
                         and _fire_together(pack, r, rule)), None)
            if main is not None:
                what = ("a seconding" if effect.evidence.standing == "seconding"
                        else "a question asked back")
                problems.append(warning(
                    effect.evidence.loc,
                    f"rule {rule.id!r}: {what} counted as independent evidence: rule "
                    f"{main.id!r} (line {main.loc.line}) already {kind}s {target!r}",
                    f"list its source in rule {main.id!r}'s seconded_by, or drop the rule"))


def _passage_twice(pack: Pack, rules: list[Rule], problems: list[HunchError]) -> None:
    """One passage (one source entry) for one conclusion, twice: in two effects of one
    rule, or in two graded rules that can fire together (``distinct:`` cannot make one
    quote two pieces of evidence; without it, _same_answer_twice has said so)."""
    for (kind, target), effects in _by_conclusion(pack, rules).items():
        first_use: dict[str, Rule] = {}  # source id -> the first rule citing it here
        done: set[int] = set()
        for rule, effect in effects:
            if id(rule) in done:  # a second effect of one rule on the same conclusion
                problems.append(warning(effect.loc, f"rule {rule.id!r} {kind}s {target!r} "
                                                    "twice", "one effect per conclusion"))
                continue
            done.add(id(rule))
            for sid in dict.fromkeys(rule.cites):
                earlier = first_use.setdefault(sid, rule)
                if earlier is not rule and effect.evidence is not None \
                        and rule.distinct.strip() and _fire_together(pack, earlier, rule):
                    problems.append(warning(
                        effect.loc, f"rule {rule.id!r}: one passage ({sid!r}) {kind}s "
                                    f"{target!r} twice, here and in rule {earlier.id!r} "
                                    f"(line {earlier.loc.line})",
                        "distinct: cannot make one quote two pieces of evidence: cite the "
                        "separate point as its own source, or merge the rules"))


# --- durable_rules limits -------------------------------------------------------------------

def limit_problems(pack: Pack, rules: list[Rule]) -> list[HunchError]:
    """Compile the sound rules and report what durable_rules could not hold."""
    from dataclasses import replace

    from hunch.engine.compile import compile_pack

    trial = replace(pack, rules=list(rules))  # with an empty memo: nothing of pack's engine
    try:
        compile_pack(trial)
    except ErrorList as exc:
        return list(exc.errors)
    except HunchError as exc:
        return [exc]
    return []


__all__ = [
    "CheckReport",
    "Leaf",
    "alternatives",
    "check",
    "condition_key",
    "describe",
    "effect_words",
    "leaf_words",
    "leaves",
    "lint_pack",
]
