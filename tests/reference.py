"""A small pure-Python reference evaluator (test code only).

It implements the semantics in docs/authoring.md directly — Kleene three-valued
logic over input facts, closed-world negation of derived facts and conclusions,
strata, fuzzy min/max premises, MYCIN combination — with a naive fixpoint loop and
no durable_rules, so the engine can be checked against it on random packs.
"""

from __future__ import annotations

from typing import Any

from hunch.engine.certainty import combine2

UNKNOWN = None


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "eq":
        return bool(left == right)
    if op == "ne":
        return bool(left != right)
    return bool({"lt": left < right, "lte": left <= right, "gt": left > right,
                 "gte": left >= right}[op])


class Reference:
    def __init__(self, rules: list[dict[str, Any]], derived: list[str]) -> None:
        self.rules = rules
        self.derived_names = set(derived)

    def run(self, facts: dict[str, Any]) -> tuple[dict[str, float], set[str]]:
        """(certainty of each concluded conclusion, names of derived facts)."""
        self.facts = facts
        self.derived: set[str] = set()
        self.supported: set[str] = set()
        fired: set[int] = set()
        for stratum in sorted({self._stratum(r) for r in self.rules}):
            changed = True
            while changed:
                changed = False
                for i, rule in enumerate(self.rules):
                    if i in fired or self._stratum(rule) != stratum:
                        continue
                    if self._truth(rule["when"]) is True:
                        fired.add(i)
                        changed = True
                        kind, target = self._effect(rule)
                        if kind == "derive":
                            self.derived.add(target)
                        elif kind == "support":
                            self.supported.add(target)
        self.fired = fired
        self.memo: dict[str, float] = {}
        targets = {self._effect(self.rules[i]) for i in fired}
        out = {t: self._cert(t) for k, t in targets if k != "derive"}
        return out, set(self.derived)

    @staticmethod
    def _effect(rule: dict[str, Any]) -> tuple[str, str]:
        for kind in ("derive", "support", "oppose"):
            if kind in rule["then"]:
                return kind, rule["then"][kind]
        raise AssertionError(rule)

    def _stratum(self, rule: dict[str, Any]) -> int:
        def node(name: str) -> int:
            producers = [r for r in self.rules if self._effect(r)[1] == name]
            return max((self._stratum(r) for r in producers), default=0)

        def walk(cond: dict[str, Any], negated: bool) -> int:
            if "all" in cond or "any" in cond:
                return max(walk(c, negated) for c in cond.get("all") or cond.get("any") or [])
            if "not" in cond:
                return walk(cond["not"], not negated)
            name = cond.get("conclusion") or cond["fact"]
            if name in self.derived_names or "conclusion" in cond:
                return node(name) + (1 if negated else 0)
            return 0

        return walk(rule["when"], False)

    # Kleene truth of a condition: True, False, or None (unknown)
    def _truth(self, cond: dict[str, Any]) -> bool | None:
        if "all" in cond:
            values = [self._truth(c) for c in cond["all"]]
            return False if False in values else (None if None in values else True)
        if "any" in cond:
            values = [self._truth(c) for c in cond["any"]]
            return True if True in values else (None if None in values else False)
        if "not" in cond:
            value = self._truth(cond["not"])
            return None if value is None else not value
        if "conclusion" in cond:
            return cond["conclusion"] in self.supported
        fact = cond["fact"]
        if fact in self.derived_names:
            return fact in self.derived
        ops = [k for k in cond if k != "fact"]
        op = ops[0] if ops else "eq"
        value = cond.get(op, True)
        if op == "exists":
            return bool((fact in self.facts) == value)
        if fact not in self.facts:
            return UNKNOWN
        left = self.facts[fact]
        if isinstance(value, dict):
            if value["fact"] not in self.facts:
                return UNKNOWN
            value = self.facts[value["fact"]]
        if op == "in":
            return left in value
        if op == "between":
            return bool(value[0] <= left <= value[1])
        return _compare(op, left, value)

    def _truth_as(self, cond: dict[str, Any], negated: bool) -> bool | None:
        value = self._truth(cond)
        return value if not negated or value is None else not value

    # fuzzy premise certainty of a condition that holds (negations pushed inward)
    def _premise(self, cond: dict[str, Any], negated: bool = False) -> float:
        if "not" in cond:
            return self._premise(cond["not"], not negated)
        if "all" in cond or "any" in cond:
            kids = cond.get("all") or cond.get("any") or []
            conjunction = ("all" in cond) != negated
            if conjunction:
                return min(self._premise(c, negated) for c in kids)
            return max(self._premise(c, negated) for c in kids
                       if self._truth_as(c, negated) is True)
        if negated:
            return 1.0  # a negated test holds with certainty 1 (closed world / inputs)
        if "conclusion" in cond:
            return self._cert(cond["conclusion"])
        if cond["fact"] in self.derived_names:
            return self._cert(cond["fact"])
        return 1.0

    def _cert(self, name: str) -> float:
        if name not in self.memo:
            contributions = []
            for i in sorted(self.fired):
                rule = self.rules[i]
                kind, target = self._effect(rule)
                if target != name:
                    continue
                premise = self._premise(rule["when"])
                cf = rule["then"].get("cf", 1.0) * (-1 if kind == "oppose" else 1)
                contributions.append(cf * premise if premise > 0 else 0.0)
            # documented order: positives, then negatives, then the two mixed once
            pos = neg = 0.0
            for c in sorted(contributions):
                if c > 0:
                    pos = combine2(pos, c)
                elif c < 0:
                    neg = combine2(neg, c)
            total = combine2(pos, neg) if pos and neg else pos or neg
            self.memo[name] = total
        return self.memo[name]
