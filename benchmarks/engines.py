"""The workload's rules for each engine compared: hunch, raw durable_rules, CLIPS, Python,
and the peers that also combine certainties: GoRules ZEN and experta.

Each engine class takes a Workload and offers ``run(situation)``: the set of rules
that fired, or an Answer (rules fired, facts derived, conclusions reached and, for
hunch and the peers, each conclusion's certainty).
"""

from __future__ import annotations

import dataclasses
import itertools
import tempfile
from typing import Any

from workload import (
    ATTRS,
    BOOL_ATTRS,
    ENUM_ATTRS,
    OPS,
    Answer,
    GenRule,
    Workload,
    answer_from_fired,
    combined,
    write_hunch_pack,
)


class HunchEngine:
    """hunch through its public API: validation, engine, ledger, certainty, ranking."""

    name = "hunch"

    def __init__(self, work: Workload) -> None:
        import hunch

        self._folder = tempfile.TemporaryDirectory()
        self.pack = hunch.load_pack(write_hunch_pack(work, self._folder.name))
        self._evaluate = hunch.evaluate
        self.evaluate({})  # compile and register outside the timed loop

    def evaluate(self, situation: dict[str, Any]) -> Any:
        return self._evaluate(self.pack, situation)

    def run(self, situation: dict[str, Any]) -> Answer:
        result = self.evaluate(situation)
        rules = self.pack.rules
        fired = frozenset(rules[f.rule_index].id for f in result.ledger.firings)
        reached = [c for c in result.hypotheses + result.actions if c.certainty > 0]
        return Answer(fired, frozenset(result.ledger.derived), frozenset(c.id for c in reached),
                      frozenset((c.id, c.certainty) for c in reached))

    def close(self) -> None:
        from hunch.engine.evaluate import compiled

        compiled(self.pack)[1].close()
        self._folder.cleanup()


# --- durable_rules, written by hand ------------------------------------------------------

_DURABLE_OPS = {"gt": "$gt", "lt": "$lt", "gte": "$gte", "lte": "$lte"}
_names = itertools.count(1)
HAND_RULESET_SIZE = 200  # near 400-500 rules in one ruleset asserting fails (error 303)


class DurableHand:
    """The same rules for raw durable_rules, as a person would write them.

    One situation fact and one fact per derived fact, through Host.assert_fact; a
    timer-less Host; a catch-all rule so every session runs an action (durable
    2.0.28 crashes deleting a session where none ran). Big rule sets are split so
    that each derived fact's producers and consumers share a ruleset.
    """

    name = "durable_rules (by hand)"

    def __init__(self, work: Workload) -> None:
        import durable.engine as engine

        class Host(engine.Host):  # type: ignore[misc]
            def _run(self) -> None:
                return None

        self._not_handled = engine.MessageNotHandledException
        self.host = Host()
        self.fired: list[str] = []
        self.derived: set[str] = set()
        groups = _hand_groups(work.rules, HAND_RULESET_SIZE)
        definitions = {}
        self.names = []
        for group in groups:
            name = f"hand{next(_names)}"
            self.names.append(name)
            ruleset: dict[str, Any] = {r.id: self._rule(r) for r in group}
            ruleset["catch-all"] = {"all": [{"s": {"t": "s"}}], "run": _nothing}
            definitions[name] = ruleset
        self.host.set_rulesets(definitions)
        self._sid = itertools.count(1)

    def _rule(self, rule: GenRule) -> dict[str, Any]:
        tests: list[Any] = [{"t": "s"}]
        for cond in rule.conds:
            tests.append({cond.attr: cond.value} if cond.op == "eq"
                         else {_DURABLE_OPS[cond.op]: {cond.attr: cond.value}})
        elements: list[Any] = [{"s": {"$and": tests}}]
        if rule.needs:
            elements.append({"d": {"$and": [{"t": "d"}, {"n": rule.needs}]}})
        rid, kind, target = rule.id, rule.kind, rule.target

        def run(c: Any) -> None:
            self.fired.append(rid)
            if kind == "derive" and target not in self.derived:
                self.derived.add(target)
                try:
                    c.assert_fact({"t": "d", "n": target})
                except self._not_handled:
                    pass  # no rule of this ruleset tests it

        return {"all": elements, "run": run}

    def run(self, situation: dict[str, Any]) -> set[str]:
        self.fired = []
        self.derived = set()
        sid = str(next(self._sid))
        try:
            for name in self.names:
                self.host.assert_fact(name, {**situation, "t": "s", "sid": sid})
        finally:
            for name in self.names:
                self.host.delete_state(name, sid)
        return set(self.fired)

    def close(self) -> None:
        import durable_rules_engine

        for name in self.names:
            durable_rules_engine.delete_ruleset(self.host.get_ruleset(name)._handle)


def _nothing(c: Any) -> None:
    return None


def _hand_groups(rules: list[GenRule], size: int) -> list[list[GenRule]]:
    """Rules that produce or consume the same derived fact go in the same group."""
    if len(rules) <= size:
        return [rules]
    families: dict[str, list[GenRule]] = {}
    loose = []
    for rule in rules:
        key = rule.needs or (rule.target if rule.kind == "derive" else None)
        if key is None:
            loose.append(rule)
        else:
            families.setdefault(key, []).append(rule)
    groups: list[list[GenRule]] = [[]]
    for family in families.values():
        if len(groups[-1]) + len(family) > size:
            groups.append([])
        groups[-1].extend(family)
    for rule in loose:
        if len(groups[-1]) >= size:
            groups.append([])
        groups[-1].append(rule)
    return groups


# --- CLIPS through clipspy ----------------------------------------------------------------

_CLIPS_OPS = {"gt": ">", "lt": "<", "gte": ">=", "lte": "<="}


class Clips:
    """The same rules as CLIPS defrules; firings collected in a global multifield."""

    name = "CLIPS (clipspy)"

    def __init__(self, work: Workload) -> None:
        import clips

        self.env = clips.Environment()
        self.env.build(f"(deftemplate sit {' '.join(f'(slot {a})' for a in ATTRS)})")
        self.env.build("(defglobal ?*fired* = (create$))")
        for rule in work.rules:
            self.env.build(_clips_rule(rule))
        self.sit = self.env.find_template("sit")
        self._symbol = clips.Symbol

    def run(self, situation: dict[str, Any]) -> set[str]:
        env = self.env
        env.reset()
        values = {a: self._clips_value(a, v) for a, v in situation.items()}
        self.sit.assert_fact(**values)
        env.run()
        return {str(s) for s in env.eval("?*fired*")}

    def _clips_value(self, attr: str, value: Any) -> Any:
        if attr in BOOL_ATTRS:
            return self._symbol("TRUE" if value else "FALSE")
        if attr in ENUM_ATTRS:
            return self._symbol(value)
        return value

    def close(self) -> None:
        self.env.clear()


def _clips_rule(rule: GenRule) -> str:
    slots = []
    for cond in rule.conds:
        value = cond.value
        if cond.attr in BOOL_ATTRS:
            slots.append(f"({cond.attr} {'TRUE' if value else 'FALSE'})")
        elif cond.op == "eq":
            slots.append(f"({cond.attr} {value})")
        else:
            var = f"?{cond.attr}"
            slots.append(f"({cond.attr} {var}&:({_CLIPS_OPS[cond.op]} {var} {value}))")
    patterns = [f"(sit {' '.join(slots)})"]
    if rule.needs:
        patterns.append(f"(derived {rule.needs})")
    actions = [f"(bind ?*fired* (create$ ?*fired* {rule.id}))"]
    if rule.kind == "derive":
        actions.append(f"(assert (derived {rule.target}))")
    return f"(defrule {rule.id} {' '.join(patterns)} => {' '.join(actions)})"


# --- plain Python -------------------------------------------------------------------------

class PlainPython:
    """A naive fixpoint loop: test every unfired rule until nothing changes."""

    name = "plain Python loop"

    def __init__(self, work: Workload) -> None:
        self.rules = [(r.id, [(c.attr, OPS[c.op], c.value) for c in r.conds], r.needs,
                       r.target if r.kind == "derive" else None) for r in work.rules]

    def run(self, situation: dict[str, Any]) -> set[str]:
        derived: set[str] = set()
        fired: set[str] = set()
        pending = self.rules
        changed = True
        while changed:
            changed = False
            rest = []
            for rule in pending:
                rid, conds, needs, derives = rule
                if (needs is None or needs in derived) and all(
                        op(situation[attr], value) for attr, op, value in conds):
                    fired.add(rid)
                    if derives:
                        derived.add(derives)
                    changed = True
                else:
                    rest.append(rule)
            pending = rest
        return fired

    def close(self) -> None:
        return None


PLACES = 9  # certainties are compared to this many decimal places (see answer)


def answer(engine: Any, work: Workload, situation: dict[str, Any]) -> Answer:
    """The engine's Answer, its certainties rounded to PLACES.

    Rounded because ZEN hands numbers back as decimals (its Variable type): the
    0.9200000000000002 that hunch, experta and ZEN's own JavaScript compute comes
    back as 0.92. hunch's JSON shows four places.
    """
    out = engine.run(situation)
    if not isinstance(out, Answer):
        return answer_from_fired(work, out)
    if out.certainties is None:
        return out
    return dataclasses.replace(out, certainties=frozenset(
        (c, round(cf, PLACES)) for c, cf in out.certainties))


# --- GoRules ZEN (zen-engine): decision tables, certainties in a function node -------------

_ZEN_OPS = {"gt": ">", "lt": "<", "gte": ">=", "lte": "<="}

# The function node after the second table: the fired rules of both tables, and each
# conclusion's certainty combined as hunch does (ascending order, a + b * (1 - a)).
_ZEN_COMBINE = """
const RULES = %s;
export const handler = async (input) => {
  const fired = input.first.map((row) => row.r).concat(input.second.map((row) => row.r));
  const cfs = {};
  for (const id of fired) {
    const [kind, target, cf] = RULES[id];
    if (kind === "support") (cfs[target] = cfs[target] || []).push(cf);
  }
  const certainties = {};
  for (const [target, list] of Object.entries(cfs)) {
    list.sort((a, b) => a - b);
    let total = 0;
    for (const cf of list) total = total ? total + cf * (1 - total) : cf;
    certainties[target] = total;
  }
  const derived = [...new Set(input.first.filter((row) => row.d).map((row) => row.d))];
  return { fired, derived, certainties };
};
"""


class Zen:
    """The same rules as a GoRules JDM graph run by zen-engine (Rust, QuickJS).

    Two decision tables (hit policy collect): the rules over the situation, each row
    giving its rule and the fact it derives, then the chained rules, whose columns
    also test what the first table derived (``some(first, #.d == "d3")``, in ZEN's
    own expression language); a function node combines each conclusion's certainty
    factors as hunch does. The workload's chains are one level deep
    (benchmarks/workload.py), which two tables cover.
    """

    name = "GoRules ZEN"

    def __init__(self, work: Workload) -> None:
        import json

        import zen

        first = [r for r in work.rules if not r.needs]
        second = [r for r in work.rules if r.needs]
        assert all(r.kind == "support" for r in second), "chains deeper than two tables"
        rules = {r.id: [r.kind, r.target, r.cf] for r in work.rules}
        nodes = [
            _zen_node("in", "inputNode"),
            _zen_node("first", "decisionTableNode", _zen_table(first, "first", [])),
            _zen_node("second", "decisionTableNode",
                      _zen_table(second, "second", sorted(work.derived))),
            _zen_node("combine", "functionNode", {"source": _ZEN_COMBINE % json.dumps(rules)}),
            _zen_node("out", "outputNode"),
        ]
        order = [n["id"] for n in nodes]
        edges = [{"id": f"e{i}", "type": "edge", "sourceId": a, "targetId": b}
                 for i, (a, b) in enumerate(itertools.pairwise(order))]
        content = {"contentType": "application/vnd.gorules.decision", "nodes": nodes,
                   "edges": edges}
        self.decision = zen.ZenEngine().create_decision(json.dumps(content))

    def run(self, situation: dict[str, Any]) -> Answer:
        out = self.decision.evaluate(situation)["result"]
        fired = frozenset(out["fired"])
        certainties = out["certainties"]
        return Answer(fired, frozenset(out["derived"]), frozenset(certainties),
                      frozenset(certainties.items()))

    def close(self) -> None:
        return None


def _zen_node(node_id: str, kind: str, content: dict[str, Any] | None = None) -> dict[str, Any]:
    node: dict[str, Any] = {"id": node_id, "name": node_id, "type": kind,
                            "position": {"x": 0, "y": 0}}
    if content is not None:
        node["content"] = content
    return node


def _zen_table(rules: list[GenRule], path: str, derived: list[str]) -> dict[str, Any]:
    """A collect table, one row per rule, each row's output its rule id and the fact it
    derives; the input passes through and the rows found go to ``path``."""
    columns = [{"id": a, "type": "expression", "field": a, "name": a} for a in ATTRS]
    columns += [{"id": f"d_{d}", "type": "expression", "field": f'some(first, #.d == "{d}")',
                 "name": d} for d in derived]
    rows = []
    for rule in rules:
        row = {c["id"]: "" for c in columns}
        row["_id"] = rule.id
        for cond in rule.conds:
            row[cond.attr] = _zen_test(cond.attr, cond.op, cond.value)
        if rule.needs:
            row[f"d_{rule.needs}"] = "true"
        row["r"] = f'"{rule.id}"'
        row["d"] = f'"{rule.target}"' if rule.kind == "derive" else ""
        rows.append(row)
    outputs = [{"id": "r", "type": "expression", "field": "r", "name": "rule"},
               {"id": "d", "type": "expression", "field": "d", "name": "derives"}]
    return {"hitPolicy": "collect", "passThrough": True, "outputPath": path,
            "inputs": columns, "outputs": outputs, "rules": rows}


def _zen_test(attr: str, op: str, value: Any) -> str:
    if attr in BOOL_ATTRS:
        return "true" if value else "false"
    if attr in ENUM_ATTRS:
        return f'"{value}"'
    return str(value) if op == "eq" else f"{_ZEN_OPS[op]} {value}"


# --- experta (a Python RETE, CLIPS-like) ----------------------------------------------------

class Experta:
    """The same rules as experta rules; certainties combined as hunch does.

    The situation is one fact, each derived fact another (Derived(name=...));
    each firing records its rule and, for support rules, its certainty factor.
    """

    name = "experta"

    def __init__(self, work: Workload) -> None:
        try:
            import experta
        except AttributeError as exc:  # its pinned frozendict 1.2 predates Python 3.10
            raise ImportError(f"experta needs frozendict>=2 on this Python: {exc}") from None

        self._fact = experta.Fact

        class Derived(experta.Fact):  # type: ignore[misc]
            pass

        self._derived = Derived
        rules = {f"rule_{r.id}": self._rule(experta, r) for r in work.rules}
        engine_class = type("WorkloadEngine", (experta.KnowledgeEngine,), rules)
        self.engine = engine_class()
        self.fired: list[str] = []
        self.cfs: dict[str, list[float]] = {}
        self.made: set[str] = set()

    def _rule(self, experta: Any, rule: GenRule) -> Any:
        tests = {c.attr: self._test(experta, c.op, c.value) for c in rule.conds}
        patterns = [experta.Fact(**tests)]
        if rule.needs:
            patterns.append(self._derived(name=rule.needs))
        rid, kind, target, cf = rule.id, rule.kind, rule.target, rule.cf

        def action(engine: Any) -> None:
            self.fired.append(rid)
            if kind == "support":
                self.cfs.setdefault(target, []).append(cf)
            elif target not in self.made:
                self.made.add(target)
                engine.declare(self._derived(name=target))

        return experta.Rule(*patterns)(action)

    @staticmethod
    def _test(experta: Any, op: str, value: Any) -> Any:
        if op == "eq":
            return value
        compare = OPS[op]
        return experta.P(lambda x: compare(x, value))

    def run(self, situation: dict[str, Any]) -> Answer:
        self.fired, self.cfs, self.made = [], {}, set()
        self.engine.reset()
        self.engine.declare(self._fact(**situation))
        self.engine.run()
        certainties = {target: combined(cfs) for target, cfs in self.cfs.items()}
        return Answer(frozenset(self.fired), frozenset(self.made), frozenset(certainties),
                      frozenset(certainties.items()))

    def close(self) -> None:
        return None
