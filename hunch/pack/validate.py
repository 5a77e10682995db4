"""Validation: a pack's cross-references and types, and situations against a pack.

Every function here collects all the problems it finds rather than stopping at
the first, so `hunch check` can report them in one run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hunch.errors import (
    HunchError,
    HunchWarning,
    Location,
    PackError,
    SituationError,
    SituationErrors,
    did_you_mean,
)
from hunch.pack.dates import (
    as_of_for,
    conflict_problems,
    dates_hint,
    inputs_of,
    provides,
    type_problems,
    uses_dates,
    work_out,
)
from hunch.pack.model import (
    ORDERING_OPS,
    All,
    AnyOf,
    Compare,
    ConclusionCond,
    Condition,
    Effect,
    FactRef,
    FactSpec,
    Not,
    Pack,
    Rule,
    walk,
)
from hunch.pack.timemodel import AS_OF_KEY, Origin
from hunch.pack.values import (
    FACT_NAME,
    INT64_MAX,
    INT64_MIN,
    PACK_KEY,
    engine_equal_problem,
    fmt_num,
    int64_problem,
    type_name,
    value_problem,
)
from hunch.pack.yamlsource import Document, short


def normalize_ws(text: str) -> str:
    return " ".join(text.split())


def check_pack(pack: Pack) -> list[HunchError]:
    """Semantic errors and warnings of a parsed pack, in file order."""
    problems: list[HunchError] = []
    _check_enums(pack, problems)
    _check_sources(pack, problems)
    _check_conclusions(pack, problems)
    seen: dict[str, Rule] = {}
    for rule in pack.rules:
        if rule.id in seen:
            problems.append(PackError.at(rule.loc, f"duplicate rule id {rule.id!r}",
                                         f"first defined at {seen[rule.id].loc}"))
        seen.setdefault(rule.id, rule)
        _check_rule(pack, rule, problems)
    problems.extend(cycle_errors(pack))
    problems.extend(asked_when_problems(pack))
    return problems


def asked_when_problems(pack: Pack) -> list[HunchError]:
    """An input fact's ``asked_when`` reads only other input facts, is well typed, and
    no fact waits on itself through others (then it could never be asked)."""
    out: list[HunchError] = []
    graph: dict[str, set[str]] = {}
    for spec in pack.facts.values():
        if spec.asked_when is None:
            continue
        for node in walk(spec.asked_when):
            if isinstance(node, ConclusionCond):
                out.append(PackError.at(node.loc, f"fact {spec.name!r}: asked_when reads only "
                                                  "input facts, not conclusions",
                                        "relevance is decided before any rule runs"))
            elif isinstance(node, Compare):
                reads = [node.fact] + ([node.value.fact] if isinstance(node.value, FactRef)
                                       else [])
                bad = [n for n in reads if n not in pack.facts]
                if bad:
                    hint = ("relevance is decided before any rule runs"
                            if bad[0] in pack.derived else did_you_mean(bad[0], list(pack.facts)))
                    out.append(PackError.at(node.loc, f"fact {spec.name!r}: asked_when reads "
                                                      f"{bad[0]!r}, which is not an input fact",
                                            hint))
                    continue
                out.extend(PackError.at(node.loc, f"fact {spec.name!r}: asked_when {msg}", hint)
                           for msg, hint in compare_problems(pack, node))
                graph.setdefault(spec.name, set()).update(reads)
    cycle = find_cycle(graph)
    if cycle:
        loc = pack.facts[cycle[0]].loc
        out.append(PackError.at(loc, f"asked_when goes round in a circle: "
                                     f"{' -> '.join(cycle)}",
                                "each fact's condition must rest on facts asked before it"))
    return out


def _check_enums(pack: Pack, problems: list[HunchError]) -> None:
    for spec in [*pack.facts.values(), *pack.derived.values()]:
        if spec.type == "enum":
            problem = engine_equal_problem(list(spec.values or []))
            if problem:
                problems.append(PackError.at(spec.loc, f"enum fact {spec.name!r}: {problem}",
                                             "use text values only; quote them as '1' or 'true'"))


def _check_sources(pack: Pack, problems: list[HunchError]) -> None:
    normalized = {tid: normalize_ws(t.text) for tid, t in pack.texts.items()}
    for source in pack.sources.values():
        if source.text not in pack.texts:
            # no text: a citation that cannot be verified, allowed except for a post
            # in a pack that ships texts (its thread is there: quote from it)
            if source.text or (pack.texts and source.kind == "post"):
                problems.append(PackError.at(
                    source.loc, f"source {source.id!r} names unknown text {source.text!r}",
                    did_you_mean(source.text, pack.texts) or
                    f"known texts: {', '.join(pack.texts) or 'none'}"))
            continue
        if normalize_ws(source.quote) not in normalized[source.text]:
            problems.append(PackError.at(
                source.quote_loc,
                f"quote of source {source.id!r} does not appear word for word in "
                f"{pack.texts[source.text].file}",
                _quote_hint(source.quote, normalized[source.text])))


def _quote_hint(quote: str, text: str) -> str:
    words = normalize_ws(quote).split(" ")
    for n in range(len(words), 0, -1):
        if " ".join(words[:n]) in text:
            return f"it matches up to '{' '.join(words[max(0, n - 4):n])}', then differs"
    return "not even its first word matches"


def _check_conclusions(pack: Pack, problems: list[HunchError]) -> None:
    for c in pack.conclusions.values():
        for sid in c.sources:
            if sid not in pack.sources:
                problems.append(PackError.at(c.loc, f"conclusion {c.id!r} cites unknown source "
                                                    f"{sid!r}", did_you_mean(sid, pack.sources)))


def _check_rule(pack: Pack, rule: Rule, problems: list[HunchError]) -> None:
    def err(loc: Location, message: str, hint: str = "") -> None:
        problems.append(PackError.at(loc, f"rule {rule.id!r}: {message}", hint))

    for node in walk(rule.when):
        if isinstance(node, Compare):
            for message, hint in compare_problems(pack, node):
                err(node.loc, message, hint)
        elif isinstance(node, ConclusionCond) and node.conclusion not in pack.conclusions:
            err(node.loc, f"unknown conclusion {node.conclusion!r}",
                did_you_mean(node.conclusion, pack.conclusions))
    concludes = False
    for effect in rule.then:
        if effect.kind == "derive":
            spec = pack.derived.get(effect.target)
            if spec is None:
                hint = ("it is an input fact; rules may only derive facts listed under "
                        "'derived:'" if effect.target in pack.facts else
                        did_you_mean(effect.target, pack.derived) or
                        "declare it under 'derived:' in facts.yaml")
                err(effect.loc, f"derives unknown derived fact {effect.target!r}", hint)
            elif value_problem(spec, effect.value):
                err(effect.loc, f"derived value {value_problem(spec, effect.value)}")
        else:
            concludes = True
            if effect.target not in pack.conclusions:
                err(effect.loc, f"{effect.kind}s unknown conclusion {effect.target!r}",
                    did_you_mean(effect.target, pack.conclusions))
    if concludes and not rule.cites:
        err(rule.loc, "concludes a hypothesis or action but cites no source",
            "add cites: [source-id]")
    for sid in rule.cites:
        if sid not in pack.sources:
            err(rule.loc, f"cites unknown source {sid!r}", did_you_mean(sid, pack.sources))
    _check_evidence(pack, rule, err)


def _check_evidence(pack: Pack, rule: Rule, err: Callable[[Location, str, str], None]) -> None:
    """Grades point at real sources: seconders exist, and are not the cited passage."""
    if rule.evidence is not None and all(e.kind == "derive" for e in rule.then):
        err(rule.evidence.loc, "'evidence' grades support and oppose effects; this rule "
            "only derives", "a derived fact is a definition: grade the rules that use it")
    graded = {e.evidence for e in rule.then if e.evidence is not None}
    for evidence in sorted(graded, key=lambda e: (e.loc.line, e.loc.column)):
        for sid in evidence.seconded_by:
            if sid not in pack.sources:
                err(evidence.loc, f"seconded_by names unknown source {sid!r}",
                    did_you_mean(sid, pack.sources))
            elif sid in rule.cites:
                err(evidence.loc, f"source {sid!r} is cited and seconds itself",
                    "seconded_by lists other answers that agree with the cited one")


def compare_problems(pack: Pack, cond: Compare) -> list[tuple[str, str]]:
    """What is wrong with one comparison: unknown facts, wrong types, bad values."""
    spec = pack.spec(cond.fact)
    if spec is None:
        known = list(pack.facts) + list(pack.derived)
        return [(f"unknown fact {cond.fact!r}", did_you_mean(cond.fact, known))]
    op, value = cond.op, cond.value
    if op == "exists":
        if not isinstance(value, bool):
            return [(f"exists takes true or false, got {short(value)}", "")]
        if spec.derived:
            return [("exists is for input facts; for a derived fact write {fact: F} or "
                     "not: {fact: F}", "")]
        return []
    if op in ORDERING_OPS and spec.type not in ("integer", "number"):
        return [(f"'{op}' compares numbers but {cond.fact!r} is {spec.type}",
                 "use eq, ne or in")]
    if isinstance(value, FactRef):
        other = pack.spec(value.fact)
        if other is None:
            return [(f"unknown fact {value.fact!r}",
                     did_you_mean(value.fact, list(pack.facts) + list(pack.derived)))]
        if op in ("in", "between"):
            return [(f"'{op}' needs literal values, not another fact", "")]
        numeric = {"integer", "number"}
        if not (spec.type == other.type or {spec.type, other.type} <= numeric):
            return [(f"compares {spec.type} fact {cond.fact!r} with {other.type} fact "
                     f"{value.fact!r}", "")]
        return []
    if op == "in":
        if not isinstance(value, list) or not value:
            return [("'in' needs a non-empty list of values", "")]
        return [(f"value {p}", "") for v in value if (p := _literal_problem(spec, v))]
    if op == "between":
        if (not isinstance(value, list) or len(value) != 2
                or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in value)):
            return [("'between' needs [low, high], two numbers", "")]
        if value[0] > value[1]:
            return [(f"between [{value[0]}, {value[1]}] is empty: low is above high", "")]
        return [(f"value {int64_problem(v)}", "") for v in value
                if isinstance(v, int) and not INT64_MIN <= v <= INT64_MAX]
    problem = _literal_problem(spec, value)
    if problem:
        hint = "write {fact: F} to test a boolean" if cond.op == "eq" and value is True else ""
        return [(f"value {problem}", hint)]
    return []


def _literal_problem(spec: FactSpec, value: Any) -> str:
    # Bounds don't apply to comparison constants: `gt: 100` on a 0..30 fact is
    # legal (and `hunch check` warns that it can never hold).
    loose = FactSpec(spec.name, spec.type, spec.loc, values=spec.values)
    problem = value_problem(loose, value)
    return f"for {spec.name!r} {problem}" if problem else ""


def dependency_graph(pack: Pack) -> dict[str, set[str]]:
    """Derived fact / conclusion -> the derived facts and conclusions it is built from."""
    graph: dict[str, set[str]] = {}
    for rule in pack.rules:
        uses = _reads(pack, rule)
        for effect in rule.then:
            key = ("fact:" if effect.kind == "derive" else "conclusion:") + effect.target
            graph.setdefault(key, set()).update(uses)
    return graph


MAX_CYCLES = 50  # loops reported per pack: enough to fix them, never a flood
MAX_CYCLE_STEPS = 20_000  # search steps inside tangles: the count of loops can explode


def cycle_errors(pack: Pack) -> list[HunchError]:
    """Every loop through derived values and conclusions, one error each.

    The check works on values, not facts (docs/authoring.md, "Chaining"): a rule
    that reads ``best_body = full`` and derives ``best_body = medium`` is no loop.
    Inside a loop of facts only positive tests of given values may read the fact
    (``{F: V}``, ``in``); a negation there is refused (it could not be stratified),
    and a test matching a range of values feeds from every value the fact can take.
    A loop is reported at the rule that closes it (the last of its rules in the
    pack's files) and names only the rules in the loop, in the loop's order.
    """
    graph = ValueGraph(pack)
    out = graph.negation_errors()
    for built, builders in rule_cycles(graph.edges):
        # in the order things are derived: n0 -> n(k-1) -> ... -> n1 -> n0
        nodes, rules = [built[0], *reversed(built[1:])], list(reversed(builders))
        closing = max(rules)
        out.append(PackError.at(pack.rules[closing].loc, _loop_words(pack, nodes, rules),
                                "rules in the loop: "
                                + ", ".join(pack.rules[i].id for i in rules)))
    return out


def _loop_words(pack: Pack, nodes: list[str], rules: list[int]) -> str:
    """A loop of whole facts keeps its short form (x -> y -> x); one through values
    names each value and where it is derived: A (file:line) feeds B (...), which feeds A."""
    if all(n.endswith(_WHOLE) for n in nodes):
        names = [n.split(":", 1)[1][:-len(_WHOLE)] for n in nodes]
        return "cycle in derived facts: " + " -> ".join(names + [names[0]])
    # rules[i] reads nodes[i] and derives nodes[i + 1]: nodes[i + 1] is derived at rules[i]
    words = [f"{_node_words(n)} ({pack.rules[rules[i - 1]].loc})" for i, n in enumerate(nodes)]
    return ("cycle in derived values: " + " feeds ".join(words[:2])
            + "".join(f", which feeds {w}" for w in words[2:])
            + f", which feeds {_node_words(nodes[0])}")


_WHOLE = " = true"  # a boolean derived fact or a conclusion: the value is the fact


def _node_words(node: str) -> str:
    name = node.split(":", 1)[1]
    return name[:-len(_WHOLE)] if name.endswith(_WHOLE) else name


class ValueGraph:
    """Derived value (``fact:F = V``) or conclusion (``conclusion:X = true``) -> what
    it is built from, each edge labelled with the rule; and the negations found inside
    loops of facts, which no value graph can make sound."""

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.values: dict[str, list[Any]] = {}  # derived fact -> the values rules give it
        for rule in pack.rules:
            for effect in rule.then:
                if effect.kind == "derive":
                    known = self.values.setdefault(effect.target, [])
                    if not any(_same(effect.value, v) for v in known):
                        known.append(effect.value)
        self.edges: dict[str, list[tuple[str, int]]] = {}
        self.negated: list[tuple[int, str, Location]] = []  # (rule, node it negates, where)
        for index, rule in enumerate(pack.rules):
            reads = sorted(set(self._reads(rule.when, False, index)))
            for effect in rule.then:
                self.edges.setdefault(self.effect_node(effect), []).extend(
                    (dep, index) for dep in reads)

    def effect_node(self, effect: Effect) -> str:
        if effect.kind == "derive":
            return f"fact:{effect.target} = {_text(effect.value)}"
        return f"conclusion:{effect.target}{_WHOLE}"

    def _reads(self, cond: Condition, negated: bool, index: int) -> list[str]:
        if isinstance(cond, Not):
            return self._reads(cond.item, not negated, index)
        if isinstance(cond, (All, AnyOf)):
            return [dep for item in cond.items for dep in self._reads(item, negated, index)]
        if isinstance(cond, ConclusionCond):
            node = f"conclusion:{cond.conclusion}{_WHOLE}"
            if negated:
                self.negated.append((index, f"conclusion:{cond.conclusion}", cond.loc))
                return []
            return [node]
        out = []
        for fact in [cond.fact] + ([cond.value.fact] if isinstance(cond.value, FactRef) else []):
            if fact not in self.pack.derived:
                continue
            nodes = [f"fact:{fact} = {_text(v)}" for v in self.values.get(fact, [])
                     if fact != cond.fact or _may_match(cond, v)]
            if negated or cond.op == "ne":
                # a negation is no edge of the value graph: inside a loop of facts it
                # is refused on its own (negation_errors), outside one it closes no loop
                self.negated.append((index, f"fact:{fact}", cond.loc))
            else:
                out.extend(nodes)
        return out

    def negation_errors(self) -> list[HunchError]:
        """A rule that negates what it helps derive, through a loop of facts: it must
        fire after every rule deriving that fact, itself included, which no order can do."""
        facts: dict[str, set[str]] = {}
        for node, out in self.edges.items():
            facts.setdefault(_fact_of(node), set()).update(_fact_of(d) for d, _ in out)
        for index, fact, _ in self.negated:
            for effect in self.pack.rules[index].then:
                facts.setdefault(_fact_of(self.effect_node(effect)), set()).add(fact)
        component = components({k: sorted(v) for k, v in facts.items()})
        errors: list[HunchError] = []
        for index, fact, loc in self.negated:
            rule = self.pack.rules[index]
            mine = {_fact_of(self.effect_node(e)) for e in rule.then}
            if fact in component and any(component.get(m) == component[fact] for m in mine):
                name = fact.split(":", 1)[1]
                errors.append(PackError.at(
                    loc, f"cycle in derived facts through a negation: {rule.id} negates "
                         f"{name}, and what it derives feeds {name}",
                    "only positive tests of given values ({F: V}, in) may read a fact in "
                    "a loop; a negation must read facts derived before it"))
        return errors


def _fact_of(node: str) -> str:
    return node.split(" = ", 1)[0]


def _text(value: Any) -> str:
    return short(value, limit=1 << 20)  # whole: the text is the node's identity


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _may_match(cond: Compare, value: Any) -> bool:
    """Whether a positive test can hold for this derived value; a range test, or one
    against another fact, is taken to match every value."""
    if cond.op == "eq" and not isinstance(cond.value, FactRef):
        return bool(cond.value == value)
    if cond.op == "in" and isinstance(cond.value, list):
        return any(x == value for x in cond.value)
    return True


def rule_cycles(edges: dict[str, list[tuple[str, int]]]) -> list[tuple[list[str], list[int]]]:
    """Each elementary cycle as (nodes, rule indexes): node i is built by rule i
    from node i+1 (the last from the first). Searched only inside strongly
    connected tangles (an acyclic pack costs one linear pass), from each cycle's
    smallest node, so each cycle once; at most MAX_CYCLES, within MAX_CYCLE_STEPS."""
    component = components({n: [d for d, _ in out] for n, out in edges.items()})
    search = _Search(edges, component)
    for start in sorted(edges):
        tangled = any(component.get(dep) == component[start] for dep, _ in edges[start])
        if tangled:
            search.run(start)
        if len(search.found) >= MAX_CYCLES or search.steps > MAX_CYCLE_STEPS:
            break
    return search.found[:MAX_CYCLES]


class _Search:
    """Bounded enumeration of elementary cycles within one component at a time."""

    def __init__(self, edges: dict[str, list[tuple[str, int]]],
                 component: dict[str, int]) -> None:
        self.edges = edges
        self.component = component
        self.found: list[tuple[list[str], list[int]]] = []
        self.steps = 0

    def run(self, start: str) -> None:
        # iterative depth-first search: (path of nodes, rules, index of next edge)
        nodes, todo = [start], [0]
        rules: list[int] = []
        home = self.component[start]
        while todo:
            out = self.edges.get(nodes[-1], [])
            if todo[-1] >= len(out) or len(self.found) >= MAX_CYCLES \
                    or self.steps > MAX_CYCLE_STEPS:
                todo.pop()
                nodes.pop()
                if rules:
                    rules.pop()
                continue
            dep, index = out[todo[-1]]
            todo[-1] += 1
            self.steps += 1
            if dep == start:
                self.found.append((list(nodes), rules + [index]))
            elif dep > start and dep not in nodes and self.component.get(dep) == home:
                nodes.append(dep)
                rules.append(index)
                todo.append(0)


def components(graph: dict[str, list[str]]) -> dict[str, int]:
    """Strongly connected components (Kosaraju, iterative): node -> component."""
    order: list[str] = []
    seen: set[str] = set()
    for root in sorted(graph):
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(graph.get(root, ())))]
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                order.append(node)
            elif nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, iter(graph.get(nxt, ()))))
    reverse: dict[str, list[str]] = {}
    for node, deps in graph.items():
        for dep in deps:
            reverse.setdefault(dep, []).append(node)
    component: dict[str, int] = {}
    for root in reversed(order):
        if root in component:
            continue
        component[root] = len(component)
        label, todo = component[root], [root]
        while todo:
            node = todo.pop()
            for prev in reverse.get(node, ()):
                if prev not in component:
                    component[prev] = label
                    todo.append(prev)
    return component


def _reads(pack: Pack, rule: Rule) -> set[str]:
    uses = set()
    for node in walk(rule.when):
        if isinstance(node, Compare):
            if node.fact in pack.derived:
                uses.add("fact:" + node.fact)
            if isinstance(node.value, FactRef) and node.value.fact in pack.derived:
                uses.add("fact:" + node.value.fact)
        elif isinstance(node, ConclusionCond):
            uses.add("conclusion:" + node.conclusion)
    return uses


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle as a list of nodes (first repeated at the end), or []."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                return stack[stack.index(dep):] + [dep]
            if dep not in state:
                found = visit(dep)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []


@dataclass
class Situation:
    """Validated input facts with the file:line each came from."""

    file: str
    values: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)
    defaulted: set[str] = field(default_factory=set)
    # a situation giving dates (docs/time.md): the as-of date used, the dates as given,
    # and how each number computed from them came about
    as_of: date | None = None
    dates: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, Origin] = field(default_factory=dict)


def validate_situation(doc: Document, pack: Pack, as_of: date | None = None) -> Situation:
    """Check a situation document against the pack's fact schema; raise the first error."""
    problems = situation_problems(doc, pack)
    if problems:
        raise SituationErrors(problems)
    return situation_from(doc.file, doc.data, {k: doc.loc((k,)).line for k in doc.data}, pack,
                          as_of, doc.loc)


def situation_from(file: str, data: dict[str, Any], lines: dict[str, int], pack: Pack,
                   as_of: date | None = None,
                   loc: Callable[[Any], Location] | None = None) -> Situation:
    """The Situation of checked data; ``as_of`` (else its ``_as_of``, else today) is the
    date its dates are counted to, when it gives dates or ``as_of`` is given."""
    values = {k: _as_declared(pack, k, v) for k, v in data.items()
              if v is not None and k not in _NOT_FACTS and k not in pack.time.inputs}
    sit = Situation(file=file, values=values,
                    lines={k: n for k, n in lines.items() if k not in _NOT_FACTS})
    if as_of is not None or uses_dates(pack, data):
        _add_dates(sit, pack, data, as_of_for(data, as_of),
                   loc or (lambda path: Location(file, lines.get(path[0], 0) if path else 0)))
    for name, spec in pack.facts.items():
        if name not in values and spec.has_default:
            sit.values[name] = spec.default
            sit.defaulted.add(name)
    return sit


_NOT_FACTS = (PACK_KEY, AS_OF_KEY)


def _add_dates(sit: Situation, pack: Pack, data: dict[str, Any], as_of: date,
               loc: Callable[[Any], Location]) -> None:
    """The numbers the situation's dates imply, as of ``as_of`` (hunch.pack.dates)."""
    inputs = inputs_of(pack, data)
    dated = work_out(pack, inputs, as_of, loc)
    problems = dated.problems + conflict_problems(pack, data, dated, loc)
    if problems:
        raise SituationErrors(problems)
    sit.as_of = as_of
    sit.dates = inputs.as_data()
    sit.origins = dated.origins
    for name, value in dated.values.items():
        sit.values[name] = value
        if name not in sit.lines:
            sit.lines[name] = sit.lines.get(dated.origins[name].sources[-1], 0)


def _as_declared(pack: Pack, name: str, value: Any) -> Any:
    """An integer fact written 1e2 or 100.0 is the whole number 100 (JSON Schema agrees)."""
    spec = pack.facts.get(name)
    if isinstance(value, float) and spec is not None and spec.type == "integer":
        return int(value)
    return value


def situation_problems(doc: Document, pack: Pack) -> list[HunchError]:
    data = doc.data
    if not isinstance(data, dict):
        # `days_since_interview:23` is one plain string to YAML: say what usually causes it
        hint = ("write `fact: value`, with a space after the colon"
                if isinstance(data, str) and re.search(r"\w:\S", data) else "")
        return [SituationError.at(doc.loc(()), f"a situation must be a mapping of fact names "
                                               f"to values, got {type_name(data)}", hint)]
    return data_problems(data, doc.loc, pack)


def data_problems(data: dict[Any, Any], loc: Any, pack: Pack) -> list[HunchError]:
    problems: list[HunchError] = []
    other_pack = _for_another_pack(data, pack)
    problems.extend(type_problems(data, loc, pack))
    for key, value in data.items():
        if key == AS_OF_KEY or key in pack.time.inputs:
            continue  # checked by hunch.pack.dates.type_problems
        problems.extend(_entry_problems(pack, key, value, loc, other_pack, len(problems)))
    for name, spec in pack.facts.items():
        if spec.required and data.get(name) is None and not provides(pack, data, name):
            problems.append(SituationError.at(
                loc(()), f"required fact {name!r} is missing",
                f"add '{name}: ...'{dates_hint(pack, name)} ({spec.question})"
                if spec.question else ""))
    return problems


def _for_another_pack(data: dict[Any, Any], pack: Pack) -> bool:
    """Mostly unknown facts, and no near miss among those printed: a situation for
    another pack, not typos (only the printed ones are tried: a close match costs
    ~0.3 ms, F9)."""
    unknown = [k for k in data if k not in pack.facts and k not in pack.derived
               and k not in _NOT_FACTS and k not in pack.time.inputs]
    return len(unknown) >= 2 and 2 * len(unknown) > len(data) and not any(
        isinstance(k, str) and did_you_mean(k, pack.facts)
        for k in unknown[:SituationErrors.SHOWN])


def _entry_problems(pack: Pack, key: Any, value: Any, loc: Any, other_pack: bool,
                    found: int) -> list[HunchError]:
    """What is wrong with one entry of a situation (``found``: problems before it)."""
    where = loc((key,))
    if key == PACK_KEY:
        if value is not None and (not isinstance(value, str) or not value.strip()):
            return [SituationError.at(
                where, f"{PACK_KEY} must name a rule pack (a built-in name or a folder)",
                f"e.g. {PACK_KEY}: interview-silence")]
        return []
    observed = isinstance(key, str) and key in pack.derived and pack.derived[key].observable
    if not observed and (not isinstance(key, str) or key not in pack.facts):
        return [_not_a_fact(pack, key, where, other_pack, found)]
    if value is None:
        return []
    spec = pack.facts[key] if key in pack.facts else pack.derived[key]
    problem = value_problem(spec, value)
    if problem:
        return [SituationError.at(loc((key, "<value>")), f"{key}: {problem}",
                                  spec.question and f"asked as: {spec.question}")]
    return []


def _not_a_fact(pack: Pack, key: Any, where: Any, other_pack: bool,
                found: int) -> HunchError:
    if isinstance(key, str) and key in pack.derived:
        return SituationError.at(
            where, f"{key!r} is derived by the rules, it cannot be stated",
            "remove it from the situation, or declare it observable: true in facts.yaml")
    # only the first few problems are printed (SituationErrors.SHOWN): a close
    # match costs ~0.3 ms, so 170,000 unknown keys cost a minute (F9)
    close = isinstance(key, str) and found <= SituationErrors.SHOWN
    hint = did_you_mean(str(key), pack.facts) if close and not other_pack else ""
    if other_pack:
        hint = (f"most of its facts are not in pack {pack.name}: is it for another "
                f"pack? name it with --rules PACK, or '{PACK_KEY}: PACK' in the "
                f"situation")
    return SituationError.at(
        where, f"unknown fact {key!r}",
        hint or f"run 'hunch schema situation' to list the facts of {pack.name}")


def accepted_values(spec: FactSpec, show: Callable[[Any], str] = str,
                    boolean: str = "true or false") -> str:
    """The values a fact accepts, in words ("a whole number from 0 up to 10")."""
    if spec.type == "boolean":
        return boolean
    if spec.type == "enum":
        return "one of: " + ", ".join(show(v) for v in spec.values or [])
    if spec.type in ("integer", "number"):
        what = "a whole number" if spec.type == "integer" else "a number"
        low = "" if spec.min is None else f" from {fmt_num(spec.min)}"
        high = "" if spec.max is None else f" up to {fmt_num(spec.max)}"
        return f"{what}{low}{high}"
    return "any text"


def parse_cli_value(spec: FactSpec, text: str) -> Any:
    """A value typed on the command line or at a prompt, converted to the fact's type."""
    text = text.strip()
    if spec.type == "boolean":
        low = text.lower()
        if low in ("true", "yes", "y", "1"):
            return True
        if low in ("false", "no", "n", "0"):
            return False
        return text
    if spec.type == "integer" and re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if spec.type == "number" and re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
        return float(text) if any(c in text for c in ".eE") else int(text)
    return text


__all__ = [
    "FACT_NAME",
    "HunchWarning",
    "Situation",
    "check_pack",
    "validate_situation",
]
