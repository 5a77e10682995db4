"""The workload's rules for each engine compared: hunch, raw durable_rules, CLIPS, Python.

Each engine class takes a Workload and offers ``run(situation) -> Answer``: which
rules fired, which facts were derived, which conclusions were reached.
"""

from __future__ import annotations

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
        concluded = frozenset(c.id for c in result.hypotheses + result.actions if c.certainty > 0)
        return Answer(fired, frozenset(result.ledger.derived), concluded)

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


def answer(engine: Any, work: Workload, situation: dict[str, Any]) -> Answer:
    out = engine.run(situation)
    return out if isinstance(out, Answer) else answer_from_fired(work, out)
