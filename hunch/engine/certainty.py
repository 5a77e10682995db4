"""MYCIN certainty factors: combination, premises from the ledger, ranking.

Pure functions. Certainties are computed from the ledger after the engine has
finished, in dependency order, so no result depends on the order rules fired in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from hunch.engine.compile import value_key
from hunch.engine.runner import Firing, Ledger
from hunch.pack.model import Pack
from hunch.record import Record, Slot


def combine2(a: float, b: float) -> float:
    """The MYCIN parallel combination of two certainty factors in [-1, 1]."""
    if a >= 0 and b >= 0:
        return a + b * (1 - a)
    if a < 0 and b < 0:
        return a + b * (1 + a)
    denominator = 1 - min(abs(a), abs(b))
    if denominator == 0:
        return 0.0  # +1 against -1: total conflict; defined as 0 (docs/certainty.md)
    return (a + b) / denominator


def combine(cfs: Iterable[float]) -> float:
    """Combine any number of contributions, independently of their order.

    Positives and negatives are each folded first, in sorted order (so the
    floating-point result is the same for every order), then mixed once.
    On the open interval (-1, 1) this equals folding ``combine2`` in any order;
    it also makes the +1/-1 conflict order-independent: 0, flagged by ``conflict``.
    """
    values = list(cfs)
    if len(values) == 1:  # the usual case; exactly what the general path gives
        c = values[0]
        return _clamp(c) if c > 0 or c < 0 else 0.0
    if values and min(values) > 0:  # all for: the general path's positive fold alone
        values.sort()
        total = values[0]
        for c in values[1:]:
            total = total + c * (1 - total)
        return _clamp(total)
    positive = [c for c in values if c > 0]
    negative = [c for c in values if c < 0]
    positive.sort()
    negative.sort(reverse=True)
    p = n = 0.0
    # combine2 of two same-signed values, written out: the same operations in the
    # same order, without a call per value (this runs for every conclusion that
    # more than one rule reaches)
    for c in positive:
        p = p + c * (1 - p) if p else c
    for c in negative:
        n = n + c * (1 + n) if n else c
    if p == 0.0 or n == 0.0:
        return _clamp(p or n)
    return _clamp(combine2(p, n))


def conflict(cfs: Iterable[float]) -> bool:
    """True when certain evidence for meets certain evidence against."""
    values = list(cfs)
    return any(c >= 1 for c in values) and any(c <= -1 for c in values)


def _clamp(x: float) -> float:
    return max(-1.0, min(1.0, x))


class Contribution(NamedTuple):
    """What one rule added to one conclusion or derived fact."""

    rule_index: int
    cf: float  # the rule's signed certainty factor for this effect
    premise: float
    contribution: float
    firing: Firing  # the best-matching firing (the one whose premise counted)


class Certainties(Record):
    """Every certainty one evaluation computed, and what each is made of."""

    __slots__ = ("conclusions", "contributions", "derived", "derived_contributions", "premises")

    def __init__(self) -> None:
        self.conclusions: dict[str, float] = {}
        self.derived: dict[tuple[str, str], float] = {}
        self.contributions: dict[str, list[Contribution]] = {}
        self.derived_contributions: dict[tuple[str, str], list[Contribution]] = {}
        self.premises: dict[int, tuple[float, Firing]] = {}


def compute(pack: Pack, ledger: Ledger, doubted: dict[str, float] | None = None) -> Certainties:
    """Certainty of every derived fact and conclusion, from the ledger.

    ``doubted``: input facts that hold with less than certainty 1 (answers that
    contradict each other: hunch.engine.contradictions).
    """
    return _Computation(pack, ledger, doubted or {}).run()


class _Computation:
    """One compute() call. A class rather than nested closures: two closures that
    call each other form a reference cycle, which would keep every result alive
    until the cyclic garbage collector ran (a third of the time on big packs).

    The traversal (keys in sorted order, each node's producers by rule index, each
    premise's matches in ledger order) fixes the order of every floating-point
    operation and of every dict the result holds, so it must not change: outputs
    are compared byte for byte (tests/golden). What makes it fast is the shape of
    the ledger: a firing lists its input matches first, so one whose last match is
    an input fact matched nothing derived, and its premise is 1 unless an input
    is doubted; most firings are such (docs/performance.md). Nodes are numbered by
    their place among the pack's sorted keys (_Tables), so sorting and looking up
    numbers is sorting and looking up keys, without hashing a tuple each time.
    """

    def __init__(self, pack: Pack, ledger: Ledger, doubted: dict[str, float]) -> None:
        self.doubted = doubted
        tables = _tables(pack)
        self.keys = tables.keys
        self.known = len(tables.keys)  # numbers from here on are in extra
        self.ids = tables.ids
        self.effects = effects = tables.effects
        # nodes no rule of the pack produces (a derived fact the situation states):
        # numbered on from the pack's, here
        self.extra: dict[_Key, int] = {}
        self.extra_keys: list[_Key] = []
        self.by_rule = by_rule = _by_rule(ledger.firings)
        self.out = out = Certainties()
        premises = out.premises
        producers: dict[int, list[int]] = {}
        for index in sorted(by_rule):  # so each node's producers come in index order
            for node, _ in effects[index]:
                if node in producers:
                    producers[node].append(index)
                else:
                    producers[node] = [index]
            firings = by_rule[index]
            if len(firings) == 1 and not doubted:
                matched = firings[0].matched
                if not matched or matched[-1].kind == "input":
                    # input facts only, none doubted: they hold with certainty 1
                    premises[index] = (1.0, firings[0])
        self.producers = producers
        self.memo: dict[int, float] = {}
        # observable derived facts the situation states hold with certainty 1
        derived = pack.derived
        self.given = {("d", name, value_key(value)) for name, value in ledger.situation.items()
                      if name in derived}
        self.given_ids = {self.node_id(key) for key in self.given}

    def node_id(self, key: _Key) -> int:
        """The node's number: its place among the pack's keys, or one after them."""
        node = self.ids.get(key)
        if node is None:
            node = self.extra.get(key)
            if node is None:
                node = self.extra[key] = self.known + len(self.extra_keys)
                self.extra_keys.append(key)
        return node

    def key_of(self, node: int) -> _Key:
        known = self.known
        return self.keys[node] if node < known else self.extra_keys[node - known]

    def run(self) -> Certainties:
        out = self.out
        if self.given:
            keys = sorted({self.key_of(node) for node in self.producers} | self.given)
            order = [self.node_id(key) for key in keys]
        else:
            order = sorted(self.producers)  # numbered in key order: the keys, sorted
        node, key_of = self.node, self.key_of
        conclusions, derived = out.conclusions, out.derived
        for number in order:
            value = node(number)
            key = key_of(number)
            if key[0] == "c":
                conclusions[key[1]] = value
            else:
                derived[(key[1], key[2])] = value
        return out

    def node(self, number: int) -> float:
        memo = self.memo
        if number in memo:
            return memo[number]
        memo[number] = 0.0  # acyclic by check_pack; this only guards recursion
        contribs = []
        premises = self.out.premises
        effects = self.effects
        for index in self.producers.get(number, ()):
            premise, firing = premises[index] if index in premises else self.premise_of(index)
            for effect_node, cf in effects[index]:
                if effect_node == number:
                    value = cf * premise if premise > 0 else 0.0
                    contribs.append(_new(Contribution, (index, cf, premise, value, firing)))
        if self.given_ids and number in self.given_ids:
            certainty = 1.0
        elif len(contribs) == 1:  # the usual case: what combine() gives for one value
            c = contribs[0].contribution
            certainty = max(-1.0, min(1.0, c)) if c > 0 or c < 0 else 0.0
        else:
            certainty = combine([c.contribution for c in contribs])
        memo[number] = certainty
        key = self.key_of(number)
        if key[0] == "c":
            self.out.contributions[key[1]] = contribs
        else:
            self.out.derived_contributions[(key[1], key[2])] = contribs
        return certainty

    def premise_of(self, index: int) -> tuple[float, Firing]:
        """The best premise among a rule's firings (those matching input facts only
        are worked out in __init__), recursing into the nodes it matched."""
        firings = self.by_rule[index]
        if len(firings) > 1:
            # ties go to the earliest-listed alternative, not the earliest firing
            firings = sorted(firings, key=_firing_key)
        doubted = self.doubted
        node = self.node
        node_id = self.node_id
        best: tuple[float, Firing] | None = None
        for firing in firings:
            # input facts hold with certainty 1 (unless doubted), and none exceeds 1
            premise = 1.0
            for m in firing.matched:
                if m.kind == "derived":
                    premise = min(premise, node(node_id(("d", m.name, value_key(m.value)))))
                elif m.kind == "conclusion":
                    premise = min(premise, node(node_id(("c", m.name, ""))))
                elif m.name in doubted:
                    premise = min(premise, doubted[m.name])
            if best is None or premise > best[0]:
                best = (premise, firing)
        assert best is not None
        self.out.premises[index] = best
        return best


_new = tuple.__new__  # what Contribution(...) calls, without its Python frame


def _by_rule(firings: list[Firing]) -> dict[int, list[Firing]]:
    """The firings of each rule, in firing order."""
    out: dict[int, list[Firing]] = {}
    for firing in firings:
        index = firing.rule_index
        if index in out:
            out[index].append(firing)
        else:
            out[index] = [firing]
    return out


# Conclusions less than this far apart are a close call: the weights are judgements
# rounded to a few hundredths, so such an order says little. The output marks them
# (hunch.output.formats), a consultation does not count such a lead as a change
# (hunch.consult.ask), and it is the default --threshold of `hunch diff`.
# docs/certainty.md.
CLOSE_CALL = 0.1

_Key = tuple[str, str, str]  # ("d", fact, value key) or ("c", conclusion id, "")


class _Tables(NamedTuple):
    """What compute() needs of a pack, worked out once."""

    keys: list[_Key]  # every node key some rule produces, sorted
    ids: dict[_Key, int]  # each key's place in keys
    effects: list[list[tuple[int, float]]]  # per rule: (node number, signed cf)


_TABLES: Slot[_Tables] = Slot("certainty tables")


def _tables(pack: Pack) -> _Tables:
    """The pack's node keys, numbered in sorted order, and each rule's effects on
    them as (node number, signed cf); worked out once per pack."""
    cached = pack.memo.get(_TABLES)
    if cached is None or len(cached.effects) != len(pack.rules):
        effects = [[(("d", e.target, value_key(e.value)) if e.kind == "derive"
                     else ("c", e.target, ""), e.signed_cf) for e in rule.then]
                   for rule in pack.rules]
        keys = sorted({key for rule in effects for key, _ in rule})
        ids = {key: number for number, key in enumerate(keys)}
        cached = pack.memo.put(_TABLES, _Tables(keys, ids, [
            [(ids[key], cf) for key, cf in rule] for rule in effects]))
    return cached


def _firing_key(firing: Firing) -> tuple[str, str]:
    return (firing.alternative, repr([(m.kind, m.name, value_key(m.value))
                                      for m in firing.matched]))


def rank(certainties: dict[str, float]) -> list[tuple[str, float]]:
    """Highest certainty first; ties by id, so output is deterministic."""
    return sorted(certainties.items(), key=lambda item: (-round(item[1], 12), item[0]))


class Place(NamedTuple):
    """One conclusion's place in a ranking."""

    id: str
    certainty: float
    rank: int  # competition ranking: members of a group tied at 0.7 share their rank
    tied_with: tuple[str, ...]  # the other members of its exclusive group it ties with


def standings(pack: Pack, certainties: Certainties,
              kind: str) -> list[tuple[Place, list[Contribution], bool]]:
    """One kind's conclusions in rank order, each with its contributions and whether
    certain evidence for meets certain evidence against (``conflict``)."""
    conclusions = pack.conclusions
    values: dict[str, float] = {}
    groups: dict[str, str] = {}
    for cid, cf in certainties.conclusions.items():
        conclusion = conclusions[cid]
        if conclusion.kind == kind:
            values[cid] = cf
            if conclusion.group:
                groups[cid] = conclusion.group
    contributions = certainties.contributions
    out = []
    for place in rank_places(values, groups):
        contribs = contributions.get(place.id, [])
        # certain evidence both ways takes two contributions
        clash = len(contribs) > 1 and conflict([c.contribution for c in contribs])
        out.append((place, contribs, clash))
    return out


def rank_places(certainties: dict[str, float], group_of: dict[str, str]) -> list[Place]:
    """Highest certainty first, with ties inside an exclusive group reported as ties.

    Equal members of one group stand next to each other and share a rank (1, 1, 3):
    nothing in the evidence orders them, so ordering them by id would claim more
    than is known. Everything else is ordered as ``rank`` orders it (ties by id), so
    a pack without groups ranks exactly as before.
    """
    first: dict[str, str] = {}  # each group's smallest id: where its members stand
    for cid, group in group_of.items():
        first[group] = min(first.get(group, cid), cid)

    def key(item: tuple[str, float]) -> tuple[float, str, str]:
        group = group_of.get(item[0])
        return (-round(item[1], 12), first[group] if group else item[0], item[0])

    ordered = sorted(certainties.items(), key=key) if group_of else rank(certainties)
    out: list[Place] = []
    runs: list[list[int]] = []  # positions of each run of tied group members
    for position, (cid, cf) in enumerate(ordered):
        prev = out[-1] if out else None
        member_of = group_of.get(cid)
        if prev is not None and member_of is not None and group_of.get(prev.id) == member_of \
                and round(prev.certainty, 12) == round(cf, 12):
            runs[-1].append(position)
            out.append(_new(Place, (cid, cf, prev.rank, ())))
        else:
            runs.append([position])
            out.append(_new(Place, (cid, cf, position + 1, ())))
    for run in runs:
        if len(run) > 1:
            ids = [out[i].id for i in run]
            for i in run:
                out[i] = out[i]._replace(tied_with=tuple(x for x in ids if x != out[i].id))
    return out
