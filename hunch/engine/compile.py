"""Compile a checked pack into durable_rules ruleset definitions (pure; no engine).

Each rule's ``when`` is put in negation normal form, then split into alternatives
(disjunctive normal form); each alternative becomes one durable_rules rule:

* all input-fact tests go into ONE alias matching the single situation fact
  (``{"_k": "s", fact: value, ...}``), so a situation is asserted as one fact;
* each derived fact the alternative tests gets its own alias matching
  ``{"_k": "d", "name": F, "value": V}``; comparisons with other facts become joins;
* a negated derived fact or conclusion becomes a ``<alias>$not`` element, and the
  rule gets a priority one stratum above every rule that can assert what it
  negates (durable_rules fires lower ``pri`` first). The engine re-checks the
  negation when the rule fires, because durable_rules does not cancel a pending
  negated activation when the negated fact arrives later.
"""

from __future__ import annotations

import json
import zlib
from bisect import bisect_left, bisect_right
from itertools import pairwise
from typing import Any, NamedTuple

from hunch.errors import HunchError, PackError
from hunch.pack.model import (
    All,
    AnyOf,
    Compare,
    ConclusionCond,
    Condition,
    FactRef,
    Not,
    Pack,
    Rule,
    walk,
)
from hunch.pack.validate import components
from hunch.record import Record, Slot

MAX_CONDITIONS = 16  # durable_rules: a 17th alias compiles, then every assert fails (304)
RULESET_SIZE = 200  # engine rules per ruleset once a pack is split (engine limit: 4,096)
# durable_rules walks its alpha network with a 64-slot stack and fails an assert with
# error 303 when one fact matches more tests at once than that; the split keeps a
# worked-out upper bound of that depth under this budget in every ruleset.
ALPHA_STACK_BUDGET = 48
MAX_ALTERNATIVES = 64  # our own bound on the DNF blow-up of any/not nesting
# durable_rules' MAX_STACK_SIZE (events.c): one fact passing 65 tests at once under
# one node fails every assert with error 303 (measured: 64 pass, 65 fail)
ALPHA_STACK = 64
# Each alpha node keeps its children in a 512-slot open-addressing hash set
# (rules.h NEXT_BUCKET_LENGTH); looking up a new child in a full set never ends, so
# the 512th distinct child makes create_ruleset spin forever (measured: 511 work).
MAX_ALPHA_CHILDREN = 500
# ... and its $nex children in a 128-entry list (NEXT_LIST_LENGTH): 129 is error 107
MAX_NEX_CHILDREN = 120
# When one situation could pass a rule's input-only any:/in: tests in more ways
# than this, the widest is worked out in Python before the situation is asserted,
# and the engine tests one boolean property instead: a 512-value in: list would
# otherwise hang the engine, 65 passing branches fail it (303), and each passing
# branch is a firing of its own.
MAX_OR_PATHS = 64
PYTHON_TEST = "_py"  # prefix of those properties (fact names cannot start with '_')
# durable_rules 2.0.28 segfaults in delete_state for a session in which no action
# ever ran; this no-op rule matches every situation fact, last, so one always runs.
ANCHOR = "hunch.anchor"

_NEGATE = {"eq": "ne", "ne": "eq", "lt": "gte", "lte": "gt", "gt": "lte", "gte": "lt"}
_FLIP = {"eq": "eq", "ne": "ne", "lt": "gt", "lte": "gte", "gt": "lt", "gte": "lte"}
_DURABLE_OP = {"ne": "$neq", "lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}


# --- literals: the leaves after normalisation ---------------------------------------

class Lit(NamedTuple):
    """One test. kind: 'in' (input facts), 'd' (derived fact), 'c' (conclusion)."""

    kind: str
    name: str  # fact name or conclusion id ('' for an input expression)
    op: str = "eq"
    value: Any = True
    negated: bool = False  # only for 'd' and 'c': closed-world negation
    expr: Any = None  # for kind 'in': a durable expression over the situation fact
    facts: tuple[str, ...] = ()  # input facts the test reads
    # for kind 'in': (property, durable expression) pairs worked out in Python
    python: tuple[tuple[str, Any], ...] = ()


class Alternative(NamedTuple):
    """One compiled durable_rules rule: one alternative of one pack rule."""

    name: str
    rule_index: int
    alternative: int
    definition: dict[str, Any]
    input_facts: tuple[str, ...]
    derived_aliases: dict[str, str]  # alias -> derived fact name
    conclusion_aliases: dict[str, str]  # alias -> conclusion id
    negations: list[Lit]
    stratum: int
    produces: tuple[str, ...] = ()  # "d:<fact>" / "c:<conclusion>" its rule may assert


class CompiledPack(Record):
    """A pack compiled for durable_rules: its rulesets and what the host needs to run them."""

    __slots__ = (
        "alternatives",
        "consumed_conclusions",
        "consumed_derived",
        "order",
        "python_tests",
        "rulesets",
        "strata",
    )

    def __init__(self) -> None:
        self.alternatives: dict[str, Alternative] = {}
        self.rulesets: dict[str, dict[str, Any]] = {}  # ruleset key -> durable definition
        self.consumed_derived: set[str] = set()
        self.consumed_conclusions: set[str] = set()
        self.strata: dict[str, int] = {}  # rule id -> stratum
        self.order: list[str] = []  # derived/conclusion nodes, dependencies first
        # situation property -> the input-only expression the host evaluates for it
        self.python_tests: dict[str, Any] = {}


# a pack's compiled form, set by engine/cache when it loads a pack (fresh or cached)
COMPILED: Slot[CompiledPack] = Slot("compiled")


def compile_pack(pack: Pack, ruleset_size: int = RULESET_SIZE) -> CompiledPack:
    """Compile every rule; raise PackError on what durable_rules cannot hold.

    ``ruleset_size`` bounds the engine rules per ruleset when the pack has to be
    split (tests lower it to exercise the split on small packs).
    """
    out = CompiledPack()
    strata = _strata(pack)
    out.strata = strata
    errors: list[HunchError] = []
    alternatives: list[Alternative] = []
    for index, rule in enumerate(pack.rules):
        try:
            alternatives.extend(_compile_rule(pack, index, rule, strata[rule.id], out))
        except PackError as exc:
            errors.append(exc)
    if not errors:
        errors.extend(_hash_problems(pack, out))
    if errors:
        from hunch.errors import ErrorList

        raise ErrorList(errors)
    for alt in alternatives:
        out.alternatives[alt.name] = alt
    out.rulesets = _split(alternatives, ruleset_size)
    return out


# --- property names: durable_rules tells them apart by a 32-bit hash ---------------

# what durable_rules reads as a keyword inside a fact or an expression (rete.c,
# rules.h: HASH_*), and the property that marks hunch's situation fact
ENGINE_NAMES = ("$eq", "$neq", "$lt", "$lte", "$gt", "$gte", "$ex", "$nex", "$mt", "$imt",
                "$iall", "$iany", "$and", "$or", "$m", "$i", "$l", "$r", "$add", "$sub", "$mul",
                "$div", "$forward", "id", "sid", "_k")


def fnv1a(name: str) -> int:
    """durable_rules' hash of a property name (json.c getStringAndHash: FNV-1a, 32 bits)."""
    h = 0x811C9DC5
    for byte in name.encode():
        h = ((h ^ byte) * 16777619) & 0xFFFFFFFF
    return h


def engine_facts(pack: Pack) -> set[str]:
    """The input facts some rule reads (tests, or compares with another fact)."""
    out: set[str] = set()
    for rule in pack.rules:
        for node in walk(rule.when):
            if isinstance(node, Compare):
                out.add(node.fact)
                if isinstance(node.value, FactRef):
                    out.add(node.value.fact)
    return out & set(pack.facts)


def _hash_problems(pack: Pack, out: CompiledPack) -> list[HunchError]:
    """Property names the engine would confuse: it looks them up by hash alone, so
    two names with one hash read each other's values (measured: wrong firings)."""
    seen = {fnv1a(name): name for name in ENGINE_NAMES}
    problems: list[HunchError] = []
    for name in [*sorted(engine_facts(pack)), *out.python_tests]:
        other = seen.setdefault(fnv1a(name), name)
        if other != name:
            spec = pack.facts.get(name)
            what = f"keyword {other!r}" if other in ENGINE_NAMES else f"fact {other!r}"
            problems.append(PackError.at(
                spec.loc if spec else pack.loc,
                f"fact {name!r} has the same durable_rules hash as the {what} "
                f"({fnv1a(name):#010x}: it looks properties up by a 32-bit hash of the name)",
                "rename one of them"))
    return problems


# --- rulesets: one when the pack fits, else several per stratum --------------------

def _split(alternatives: list[Alternative], size: int) -> dict[str, dict[str, Any]]:
    """Engine rulesets, in the order the engine must run them.

    A pack that fits is one ruleset, where priorities order the strata. A bigger
    one gets rulesets of one stratum each, lower strata first, each holding at most
    ``size`` engine rules and a bounded alpha-network depth. Rules chained through a
    derived fact or conclusion are kept together where they fit; a chain that
    crosses rulesets still works, because the engine hands every new fact to every
    ruleset that tests it.
    """
    if len(alternatives) <= size and _fits(alternatives):
        return {"main": _ruleset(alternatives)}
    rulesets: dict[str, dict[str, Any]] = {}
    for stratum in sorted({alt.stratum for alt in alternatives}):
        layer = _chained_together([a for a in alternatives if a.stratum == stratum])
        for k, group in enumerate(_bins(layer, size)):
            rulesets[f"s{stratum}-{k}"] = _ruleset(group)
    return rulesets


def _ruleset(alternatives: list[Alternative]) -> dict[str, Any]:
    last = max((alt.stratum for alt in alternatives), default=0) + 1
    ruleset = {alt.name: alt.definition for alt in alternatives}
    ruleset[ANCHOR] = {"all": [{"s": {"_k": "s"}}], "pri": last}
    return ruleset


def _chained_together(alternatives: list[Alternative]) -> list[Alternative]:
    """Reorder so alternatives linked by a derived fact or conclusion are adjacent.

    Components of the graph "produces or tests the same derived fact/conclusion",
    each in pack order, components ordered by their first alternative.
    """
    parent = list(range(len(alternatives)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # only what some alternative tests links: a conclusion nobody tests need not
    # travel, so its supporters can sit anywhere
    tested = {node for alt in alternatives for node in _tested(alt)}
    first_user: dict[str, int] = {}
    for i, alt in enumerate(alternatives):
        for node in [*_tested(alt), *(n for n in alt.produces if n in tested)]:
            j = first_user.setdefault(node, i)
            parent[find(i)] = find(j)
    order = sorted(range(len(alternatives)), key=lambda i: (find(i), i))
    return [alternatives[i] for i in order]


def _tested(alt: Alternative) -> list[str]:
    """The derived facts and conclusions an alternative tests."""
    names = ["d:" + n for n in alt.derived_aliases.values()]
    names += ["c:" + n for n in alt.conclusion_aliases.values()]
    names += [lit.kind + ":" + lit.name for lit in alt.negations]
    return names


def _bins(alternatives: list[Alternative], size: int) -> list[list[Alternative]]:
    """Consecutive groups of at most ``size``, each within the alpha stack budget."""
    bins: list[list[Alternative]] = []
    trie = _AlphaTrie()
    for alt in alternatives:
        if bins and len(bins[-1]) < size and trie.add(alt):
            bins[-1].append(alt)
            continue
        bins.append([alt])
        trie = _AlphaTrie()
        trie.add(alt, force=True)  # alone in a ruleset is the best it can get
    return bins


def _fits(alternatives: list[Alternative]) -> bool:
    trie = _AlphaTrie()
    return all(trie.add(alt) for alt in alternatives)


class _AlphaTrie:
    """A model of durable_rules' alpha network, to bound its search stack.

    durable_rules shares identical tests under the same parent, and when a fact
    passes a node it pushes every child test the fact passes, then takes them off
    one by one. So the stack needed below a node is at most (children that can pass
    together) - 1 + (the most any one child needs). Children that can pass
    together: per property, the most of its comparisons one value satisfies at
    once (equalities: one); any other test counts as its number of leaf tests (an
    ``$or`` whose two branches pass takes two slots: measured).
    """

    def __init__(self) -> None:
        self.root = _AlphaNode()
        self.overflow = ""  # set by a forced add that overfills a node

    def add(self, alt: Alternative, force: bool = False) -> bool:
        """Add the alternative's tests; if that breaks the budget, undo and say False.

        The budget: the stack bound, and the children a node's hash set and $nex
        list can hold (durable_rules shares equal tests, so they count once).
        """
        added: list[tuple[_AlphaNode, str]] = []
        paths: list[list[_AlphaNode]] = []
        for element in alt.definition["all"]:
            (expr,) = element.values()
            tests = expr.get("$and", [expr])
            node, path = self.root, [self.root]
            for test in tests:
                # equal keys mean equal tests; an equal test spelt differently
                # only makes the bound more cautious
                key = repr(test)
                child = node.children.get(key)
                if child is None:
                    child = node.add(key, test)
                    added.append((node, key))
                node = child
                path.append(node)
            paths.append(path)
        self._update(paths)
        full = next((node.full() for node, _ in added if node.full()), "")
        if force:
            self.overflow = self.overflow or full
            return True
        if not full and self.root.depth <= ALPHA_STACK_BUDGET:
            return True
        for node, key in reversed(added):
            node.remove(key)
        self._update(paths)
        return False

    @staticmethod
    def _update(paths: list[list[_AlphaNode]]) -> None:
        for depth in range(max(len(p) for p in paths) - 1, -1, -1):
            for path in paths:
                if depth < len(path):
                    path[depth].refresh()


class _AlphaNode:
    def __init__(self) -> None:
        self.children: dict[str, _AlphaNode] = {}
        self.tests: dict[str, tuple[str, str, Any] | int] = {}  # key -> simple test | weight
        self.groups: dict[str, list[tuple[str, Any]]] = {}  # property -> its simple tests
        self.together: dict[str, int] = {}  # property -> most of its tests passed at once
        self.other = 0  # what the other tests weigh
        self.depth = 0  # the bound on the stack this node's subtree needs
        # the engine's own children of this node (an $or's branches are children of
        # the node it hangs from), each with the number of tests sharing it
        self.slots: dict[str, int] = {}
        self.nex: dict[str, int] = {}
        self.raw: dict[str, Any] = {}  # key -> the test itself

    def full(self) -> str:
        """Why the engine could not hold this node's children, or ''."""
        if len(self.slots) > MAX_ALPHA_CHILDREN:
            return (f"needs {len(self.slots)} different engine tests side by side, over the "
                    f"{MAX_ALPHA_CHILDREN} durable_rules holds (its 512-slot hash set; a "
                    f"full one makes it hang)")
        if len(self.nex) > MAX_NEX_CHILDREN:
            return (f"needs {len(self.nex)} 'exists: false' tests side by side, over the "
                    f"{MAX_NEX_CHILDREN} durable_rules holds (error 107)")
        return ""

    def _count(self, test: Any, step: int) -> None:
        for key, nex in _engine_children(test):
            table = self.nex if nex else self.slots
            table[key] = table.get(key, 0) + step
            if not table[key]:
                del table[key]

    def add(self, key: str, test: Any) -> _AlphaNode:
        child = _AlphaNode()
        self.children[key] = child
        self.raw[key] = test
        self._count(test, 1)
        simple = _simple_test(test)
        if simple is None:
            self.tests[key] = _weight(test)
            self.other += _weight(test)
        else:
            self.tests[key] = simple
            self.groups.setdefault(simple[0], []).append(simple[1:])
            self.together[simple[0]] = _most_at_once(self.groups[simple[0]])
        return child

    def remove(self, key: str) -> None:
        del self.children[key]
        self._count(self.raw.pop(key), -1)
        test = self.tests.pop(key)
        if isinstance(test, int):
            self.other -= test
        else:
            self.groups[test[0]].remove(test[1:])
            self.together[test[0]] = _most_at_once(self.groups[test[0]])

    def refresh(self) -> None:
        # the children that pass are pushed together; the first one taken off is
        # then worked on while the others wait
        passing = self.other + sum(self.together.values())
        deepest = max((child.depth for child in self.children.values()), default=0)
        self.depth = max(passing, passing - 1 + deepest) if passing else 0


def _engine_children(test: Any) -> list[tuple[str, bool]]:
    """The children a test adds to the engine node it hangs from, as (key, is $nex).

    An ``$and`` hangs by its first test, an ``$or`` by each branch's (rete.c,
    createAlpha); equal tests are one child.
    """
    if isinstance(test, dict) and len(test) == 1:
        ((key, value),) = test.items()
        if key == "$and" and isinstance(value, list) and value:
            return _engine_children(value[0])
        if key == "$or" and isinstance(value, list):
            return [child for branch in value for child in _engine_children(branch)]
        if key == "$nex":
            return [(repr(test), True)]
    return [(repr(test), False)]


def _simple_test(test: Any) -> tuple[str, str, Any] | None:
    """(property, op, literal) for an equality or a numeric comparison, else None."""
    if not isinstance(test, dict) or len(test) != 1:
        return None
    ((key, value),) = test.items()
    if not key.startswith("$"):
        return None if isinstance(value, (dict, list)) else (key, "eq", value)
    if key in ("$gt", "$gte", "$lt", "$lte") and isinstance(value, dict) and len(value) == 1:
        ((prop, literal),) = value.items()
        if _is_number(literal):
            return (prop, key, literal)
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _weight(test: Any) -> int:
    """Stack slots a test that is not a simple comparison can take when it passes.

    An ``$or`` takes one per branch that passes (measured), so its branches are
    counted like sibling tests; anything else counts its leaf tests.
    """
    if isinstance(test, dict) and len(test) == 1:
        ((key, value),) = test.items()
        if key in ("$and", "$or") and isinstance(value, list) and value:
            if key == "$and":
                return sum(_weight(t) for t in value)
            groups: dict[str, list[tuple[str, Any]]] = {}
            total = 0
            for branch in value:
                simple = _simple_test(branch)
                if simple is None:
                    total += _weight(branch)
                else:
                    groups.setdefault(simple[0], []).append(simple[1:])
            return total + sum(_most_at_once(tests) for tests in groups.values())
    return 1


def _most_at_once(tests: list[tuple[str, Any]]) -> int:
    """The most of these tests on one property that a single value passes together."""
    numeric = [(op, v) for op, v in tests if _is_number(v)]
    others = 1 if len(numeric) < len(tests) else 0  # equalities with text or booleans
    if not numeric:
        return others
    by_op: dict[str, list[float]] = {op: [] for op in ("eq", "$gt", "$gte", "$lt", "$lte")}
    for op, v in numeric:
        by_op[op].append(v)
    for values in by_op.values():
        values.sort()
    gt, gte, lt, lte, eq = (by_op[op] for op in ("$gt", "$gte", "$lt", "$lte", "eq"))
    literals = sorted({v for _, v in numeric})
    # the count only changes at the literals: try each, and a point between each pair
    points = [literals[0] - 1, literals[-1] + 1, *literals]
    points += [(a + b) / 2 for a, b in pairwise(literals)]
    best = 0
    for x in points:
        passed = (bisect_left(gt, x) + bisect_right(gte, x) + len(lt) - bisect_right(lt, x)
                  + len(lte) - bisect_left(lte, x) + bisect_right(eq, x) - bisect_left(eq, x))
        best = max(best, passed)
    return max(best, others)


def _strata(pack: Pack) -> dict[str, int]:
    """Stratum of each rule: one above the strata of what it negates, and no lower
    than the strata of what it reads.

    Derived facts may feed each other in a loop when the values do not
    (docs/architecture.md, "Value-level loops"); check_pack refuses a negation
    inside such a loop. So strata are worked out on the loops of facts taken as
    one node each (strongly connected components): every rule of a loop gets the
    loop's stratum, the highest of whatever the loop reads from outside it, and a
    rule negating anything in the loop stands above all of them.
    """
    producers: dict[str, list[int]] = {}
    for index, rule in enumerate(pack.rules):
        for effect in rule.then:
            key = ("d:" if effect.kind == "derive" else "c:") + effect.target
            producers.setdefault(key, []).append(index)
    reads = [_reads_of(pack, rule) for rule in pack.rules]
    graph = {key: [k for i in rules for k, _ in reads[i]] for key, rules in producers.items()}
    component = components(graph)
    members: dict[int, list[str]] = {}
    for key, label in component.items():
        members.setdefault(label, []).append(key)
    memo: dict[int, int] = {}

    def node_stratum(key: str) -> int:
        return loop_stratum(component[key]) if key in producers else 0

    def loop_stratum(label: int) -> int:
        if label not in memo:
            memo[label] = 0  # a negation inside a loop is refused by check_pack
            memo[label] = max((level(i, label) for key in members[label]
                               for i in producers.get(key, ())), default=0)
        return memo[label]

    def level(index: int, inside: int = -1) -> int:
        out = 0
        for key, negated in reads[index]:
            if key in producers and component[key] == inside:
                continue  # the loop's own facts: the same stratum
            out = max(out, node_stratum(key) + (1 if negated else 0))
        return out

    # a rule in a loop reads the loop's facts, so it gets the loop's stratum
    return {rule.id: level(i) for i, rule in enumerate(pack.rules)}


def _reads_of(pack: Pack, rule: Rule) -> list[tuple[str, bool]]:
    """The derived facts ("d:F") and conclusions ("c:X") a rule tests, each with
    whether the test negates it."""
    try:
        lits = _tree_lits(_nnf(rule.when, False, pack))
    except PackError:
        return []  # compile_pack reports it
    out: list[tuple[str, bool]] = []
    for lit in lits:
        if lit.kind in ("d", "c"):
            out.append((lit.kind + ":" + lit.name, lit.negated))
        out.extend(("d:" + ref, False) for ref in _refs(lit))
    return out


def _refs(lit: Lit) -> list[str]:
    return [lit.value.fact] if isinstance(lit.value, _DerivedRef) else []


class _DerivedRef(NamedTuple):
    fact: str


def _tree_lits(node: Any) -> list[Lit]:
    if isinstance(node, Lit):
        return [node]
    return [lit for kid in node[1] for lit in _tree_lits(kid)]


def _nnf(cond: Condition, negate: bool, pack: Pack) -> Any:
    """Push negations to the leaves; return a tree of ('and'|'or', [..]) and Lits."""
    if isinstance(cond, Not):
        return _nnf(cond.item, not negate, pack)
    if isinstance(cond, (All, AnyOf)):
        is_and = isinstance(cond, All) != negate
        kids = [_nnf(c, negate, pack) for c in cond.items]
        node = ("and" if is_and else "or", kids)
        if not is_and and all(_input_only(k) for k in kids):
            return _merge_inputs_or(kids)
        return node
    if isinstance(cond, ConclusionCond):
        return Lit("c", cond.conclusion, negated=negate)
    return _compare_lit(cond, negate, pack)


def _input_only(node: Any) -> bool:
    if isinstance(node, Lit):
        return node.kind == "in"
    return all(_input_only(k) for k in node[1])


def _merge_inputs_or(kids: list[Any]) -> Lit:
    exprs: list[Any] = []
    facts: list[str] = []
    python: list[tuple[str, Any]] = []
    for kid in kids:
        lit = kid if isinstance(kid, Lit) else _merge_inputs_and(kid)
        exprs.append(lit.expr)
        facts.extend(lit.facts)
        python.extend(lit.python)
    return Lit("in", "", expr={"$or": exprs}, facts=tuple(dict.fromkeys(facts)),
               python=tuple(python))


def _paths(expr: Any) -> int:
    """How many times one situation can pass a test: durable_rules fires a rule
    once per passing branch of each $or in it (measured: two any: of 30 true facts
    fire 900 times), and pushes each on its alpha stack."""
    if isinstance(expr, dict) and len(expr) == 1:
        ((key, value),) = expr.items()
        if key == "$or":
            return sum(_paths(e) for e in value)
        if key == "$and":
            out = 1
            for e in value:
                out *= _paths(e)
            return out
    return 1


def _bounded(lits: list[Lit]) -> list[Lit]:
    """The alternative's tests, the widest any:/in: worked out in Python until one
    situation can pass them in at most MAX_OR_PATHS ways."""
    lits = list(lits)
    while True:
        widths = [_paths(lit.expr) if lit.kind == "in" else 1 for lit in lits]
        total = 1
        for w in widths:
            total *= w
        if total <= MAX_OR_PATHS:
            return lits
        widest = max(range(len(lits)), key=lambda i: widths[i])
        lits[widest] = _in_python(lits[widest])


def _in_python(lit: Lit) -> Lit:
    """The same test, worked out by the host and read by the engine as one property.

    The property is named after the expression's content, so equal tests share one
    (and one node), and a name means the same test in every pack and process.
    """
    expr = _inline(lit.expr, dict(lit.python))
    data = json.dumps(expr, sort_keys=True).encode()
    name = f"{PYTHON_TEST}{zlib.crc32(data):08x}{zlib.adler32(data):08x}"
    return Lit("in", "", expr={name: True}, facts=lit.facts, python=((name, expr),))


def _inline(expr: Any, python: dict[str, Any]) -> Any:
    """The expression with the Python-worked properties inside it written out."""
    if not python or not isinstance(expr, dict):
        return expr
    if len(expr) == 1:
        ((key, value),) = expr.items()
        if key in python:
            return python[key]
        if key in ("$and", "$or"):
            return {key: [_inline(e, python) for e in value]}
    return expr


def _merge_inputs_and(node: Any) -> Lit:
    if isinstance(node, Lit):
        return node
    op, kids = node
    lits = [_merge_inputs_and(k) if op == "and" else k for k in kids]
    if op == "or":
        return _merge_inputs_or(kids)
    return Lit("in", "", expr={"$and": [lit.expr for lit in lits]},
               facts=tuple(dict.fromkeys(f for lit in lits for f in lit.facts)),
               python=tuple(p for lit in lits for p in lit.python))


def _compare_lit(cond: Compare, negate: bool, pack: Pack) -> Any:
    op, value = cond.op, cond.value
    other = value.fact if isinstance(value, FactRef) else None
    left_input = cond.fact in pack.facts
    right_input = other is None or other in pack.facts
    if left_input and right_input:
        return _input_compare(cond.fact, op, value, negate)
    if left_input:
        # input fact compared with a derived one: put the derived fact on the left
        return _derived_lit(Lit("d", str(other), _FLIP.get(op, op), FactRef(cond.fact),
                                negated=negate), cond)
    if other is None:
        if op == "in" and len(value) > MAX_OR_PATHS:
            value = _derivable(pack, cond.fact, value)
        return _derived_lit(Lit("d", cond.fact, op, value, negated=negate), cond)
    ref = FactRef(other) if right_input else _DerivedRef(other)
    return _derived_lit(Lit("d", cond.fact, op, ref, negated=negate), cond)


def _derivable(pack: Pack, fact: str, values: list[Any]) -> list[Any]:
    """The values of a long 'in:' list that some rule can derive for the fact.

    Derived values are literals, so the others can never match; each value tested
    is a child of one engine node, and 512 of them hang it (docs/limits.md). An
    empty list keeps one value: the test then never holds, as before.
    """
    derived = [e.value for rule in pack.rules for e in rule.then
               if e.kind == "derive" and e.target == fact]
    kept = [v for v in values if any(_same_value(v, d) for d in derived)]
    return kept or values[:1]


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)


def _derived_lit(lit: Lit, cond: Compare) -> Lit:
    if lit.negated and isinstance(lit.value, _DerivedRef):
        raise PackError.at(cond.loc, "a negated comparison between two derived facts is not "
                                     "supported", "compare a derived fact with an input fact "
                                                  "or a literal")
    return lit


def _input_compare(fact: str, op: str, value: Any, negate: bool) -> Any:
    """An input-fact test as a durable expression; negation is pushed into the op."""
    if op == "exists":
        want = bool(value) != negate
        return _in_lit({"$ex" if want else "$nex": {fact: 1}}, fact)
    if op == "in":
        if negate:
            return ("and", [_input_compare(fact, "ne", v, False) for v in value])
        return _merge_inputs_or([_input_compare(fact, "eq", v, False) for v in value])
    if op == "between":
        low, high = value
        if negate:
            return _merge_inputs_or([_input_compare(fact, "lt", low, False),
                                     _input_compare(fact, "gt", high, False)])
        return ("and", [_input_compare(fact, "gte", low, False),
                        _input_compare(fact, "lte", high, False)])
    if negate:
        op = _NEGATE[op]
    if isinstance(value, FactRef):
        # both facts must be known: a missing attribute must not compare as null
        rhs: Any = {"$m": value.fact}
        test = {fact: rhs} if op == "eq" else {_DURABLE_OP[op]: {fact: rhs}}
        guards: list[Any] = [{"$ex": {fact: 1}}, {"$ex": {value.fact: 1}}]
        return Lit("in", "", expr={"$and": guards + [test]}, facts=(fact, value.fact))
    if op == "eq":
        return _in_lit({fact: value}, fact)
    return _in_lit({_DURABLE_OP[op]: {fact: value}}, fact)


def _in_lit(expr: dict[str, Any], fact: str) -> Lit:
    return Lit("in", "", expr=expr, facts=(fact,))


def _dnf(node: Any) -> list[list[Lit]]:
    if isinstance(node, Lit):
        return [[node]]
    op, kids = node
    if op == "or":
        out: list[list[Lit]] = []
        for kid in kids:
            out.extend(_dnf(kid))
            if len(out) > MAX_ALTERNATIVES:
                raise _TooMany()
        return out
    result: list[list[Lit]] = [[]]
    for kid in kids:
        result = [a + b for a in result for b in _dnf(kid)]
        if len(result) > MAX_ALTERNATIVES:
            raise _TooMany()
    return result


class _TooMany(Exception):
    pass


def _compile_rule(pack: Pack, index: int, rule: Rule, stratum: int,
                  out: CompiledPack) -> list[Alternative]:
    try:
        alternatives = _dnf(_nnf(rule.when, False, pack))
    except _TooMany:
        raise PackError.at(rule.loc, f"rule {rule.id!r}: its any/not nesting expands to more "
                                     f"than {MAX_ALTERNATIVES} alternatives",
                           "split it into several rules") from None
    compiled = []
    for n, lits in enumerate(alternatives):
        lits = _bounded(lits)
        _note_python(rule, lits, out)
        alt = _compile_alternative(rule, index, n, lits, stratum, out)
        conditions = len(alt.definition["all"])
        if conditions > MAX_CONDITIONS:
            raise PackError.at(rule.loc, f"rule {rule.id!r} needs {conditions} engine conditions, "
                                         f"over durable_rules' limit of {MAX_CONDITIONS}",
                               "each derived fact or conclusion tested counts as one; "
                               "split the rule")
        _check_alone(rule, alt)
        compiled.append(alt)
    return compiled


def _note_python(rule: Rule, lits: list[Lit], out: CompiledPack) -> None:
    for lit in lits:
        for name, expr in lit.python:
            if out.python_tests.setdefault(name, expr) != expr:
                # two different tests with one 64-bit name: never seen, but never wrong
                raise PackError.at(rule.loc, f"rule {rule.id!r}: internal test name {name} "
                                             f"is taken by another test",
                                   "reorder the values of its 'in:' list")


def _check_alone(rule: Rule, alt: Alternative) -> None:
    """Refuse an alternative that breaks durable_rules' alpha network even on its own."""
    trie = _AlphaTrie()
    trie.add(alt, force=True)
    if trie.overflow:
        raise PackError.at(rule.loc, f"rule {rule.id!r}: {trie.overflow}",
                           "split the list or the any: over several rules")
    if trie.root.depth > ALPHA_STACK:
        raise PackError.at(rule.loc, f"rule {rule.id!r}: one situation can pass up to "
                                     f"{trie.root.depth} of its engine tests at once, over "
                                     f"durable_rules' stack of {ALPHA_STACK} (error 303)",
                           "split the rule")


def _compile_alternative(rule: Rule, index: int, n: int, lits: list[Lit], stratum: int,
                         out: CompiledPack) -> Alternative:
    inputs = [lit for lit in lits if lit.kind == "in"]
    tests: list[Any] = [{"_k": "s"}] + _ordered_tests([lit.expr for lit in inputs])
    elements: list[dict[str, Any]] = [{"s": tests[0] if len(tests) == 1 else {"$and": tests}}]
    derived, derived_aliases = _derived_elements(lits, out)
    others, conclusion_aliases, negations = _conclusion_elements(lits, out)
    input_facts = [f for lit in inputs for f in lit.facts]
    for lit in lits:
        if lit.kind == "d" and isinstance(lit.value, FactRef):
            input_facts.append(lit.value.fact)
    name = f"{rule.id}#{n}"
    produces = tuple(dict.fromkeys(("d:" if e.kind == "derive" else "c:") + e.target
                                   for e in rule.then if e.kind != "oppose"))
    return Alternative(name=name, rule_index=index, alternative=n,
                       definition={"all": elements + derived + others, "pri": stratum},
                       input_facts=tuple(dict.fromkeys(input_facts)),
                       derived_aliases=derived_aliases, conclusion_aliases=conclusion_aliases,
                       negations=negations, stratum=stratum, produces=produces)


def _derived_elements(lits: list[Lit], out: CompiledPack
                      ) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """One element per derived fact an alternative reads (positively), with its alias."""
    by_name: dict[str, list[Lit]] = {}
    for lit in lits:
        if lit.kind == "d" and not lit.negated:
            by_name.setdefault(lit.name, []).append(lit)
    # a derived fact compared with another derived fact joins on the other's alias,
    # which must come earlier: order aliases so referenced facts come first
    for ref in sorted({lit.value.fact for lit in lits if isinstance(lit.value, _DerivedRef)}):
        by_name.setdefault(ref, [])
    names = sorted(by_name, key=lambda name: (any(isinstance(lit.value, _DerivedRef)
                                                  for lit in by_name[name]), name))
    elements: list[dict[str, Any]] = []
    derived_aliases: dict[str, str] = {}
    alias_of: dict[str, str] = {}
    for i, name in enumerate(names):
        alias = f"d{i}"
        alias_of[name] = alias
        derived_aliases[alias] = name
        out.consumed_derived.add(name)
        tests = [{"_k": "d"}, {"name": name}] + [_derived_test(lit, alias_of)
                                                  for lit in by_name[name]]
        elements.append({alias: {"$and": tests}})
    return elements, derived_aliases


def _conclusion_elements(lits: list[Lit], out: CompiledPack
                         ) -> tuple[list[dict[str, Any]], dict[str, str], list[Lit]]:
    """The elements for conclusions an alternative reads and for what it negates."""
    elements: list[dict[str, Any]] = []
    conclusion_aliases: dict[str, str] = {}
    negations = []
    for i, lit in enumerate(lit for lit in lits if lit.negated or lit.kind == "c"):
        if lit.kind == "c" and not lit.negated:
            if lit.name in conclusion_aliases.values():
                continue  # two aliases never bind one fact: tested twice, it would never fire
            alias = f"c{i}"
            conclusion_aliases[alias] = lit.name
            out.consumed_conclusions.add(lit.name)
            elements.append({alias: {"$and": [{"_k": "c"}, {"name": lit.name}]}})
            continue
        negations.append(lit)
        if lit.kind == "c":
            out.consumed_conclusions.add(lit.name)
            elements.append({f"n{i}$not": {"$and": [{"_k": "c"}, {"name": lit.name}]}})
        else:
            out.consumed_derived.add(lit.name)
            test = [{"_k": "d"}, {"name": lit.name}, _derived_test(lit, {})]
            elements.append({f"n{i}$not": {"$and": test}})
    return elements, conclusion_aliases, negations


def _ordered_tests(tests: list[Any]) -> list[Any]:
    """The situation tests of one alternative, in a canonical order, without repeats.

    They are a conjunction, so order does not change the meaning; it changes the
    engine's alpha network. Equalities go first (the engine looks them up by
    value, so at most one per property passes), then the rest, each sorted, so
    rules that share tests share nodes.
    """
    keyed = {json.dumps(t, sort_keys=True): t for t in tests}
    return [keyed[k] for k in sorted(keyed, key=lambda k: (not _is_equality(keyed[k]), k))]


def _is_equality(test: Any) -> bool:
    simple = _simple_test(test)
    return simple is not None and simple[1] == "eq"


def _derived_test(lit: Lit, alias_of: dict[str, str]) -> dict[str, Any]:
    op, value = lit.op, lit.value
    if isinstance(value, FactRef):
        rhs: Any = {"s": value.fact}
    elif isinstance(value, _DerivedRef):
        rhs = {alias_of[value.fact]: "value"}
    else:
        rhs = value
    if op == "exists":
        return {"$ex": {"value": 1}}
    if op == "in":
        return {"$or": [{"value": v} for v in value]}
    if op == "between":
        return {"$and": [{"$gte": {"value": value[0]}}, {"$lte": {"value": value[1]}}]}
    if op == "eq":
        return {"value": rhs}
    return {_DURABLE_OP[op]: {"value": rhs}}


def value_key(value: Any) -> str:
    """A derived fact's identity: its value, canonically (True and 1 differ).

    It is the value's canonical JSON, so the engine can splice it into a fact.
    """
    # fast paths for the usual values; each gives exactly what json.dumps gives
    if value is True:
        return "true"
    if value is False:
        return "false"
    kind = type(value)
    if kind is int:
        return int.__repr__(value)
    if kind is str:
        return _json_string(value)
    if kind is float:
        return engine_float(value)
    return json.dumps(value, sort_keys=True)


_json_string = json.encoder.encode_basestring_ascii
_dumps = json.JSONEncoder(separators=(",", ":")).encode


def engine_float(value: float) -> str:
    """A finite float as JSON that durable_rules can read.

    Its reader wants a '.' before an exponent: Python writes 1e-07, 1e+16 and
    1e+300, which it refuses (error 204, measured); 1.0e-07 reads right.
    """
    text = float.__repr__(value)
    if "e" in text and "." not in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}.0e{exponent}"
    return text


def engine_json(data: Any) -> str:
    """JSON for durable_rules: compact, with every float written as engine_float does."""
    if isinstance(data, float):
        return engine_float(data)
    if isinstance(data, dict):
        kinds = set(map(type, data.values()))
        if float not in kinds and dict not in kinds and list not in kinds:
            return _dumps(data)
        return "{" + ",".join(f"{_json_string(str(k))}:{engine_json(v)}"
                              for k, v in data.items()) + "}"
    if isinstance(data, list):
        return "[" + ",".join(engine_json(v) for v in data) + "]"
    return json.dumps(data)
