"""The only module that touches durable_rules: hosts, sessions and the firing ledger.

A pack is registered once per process on its own timer-less Host. Each situation
gets its own session (``sid``), asserted as one fact; rules fire synchronously and
every firing is written to a ledger in Python, from which hunch.certainty computes
certainties (so they never depend on firing order).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import durable.engine as _durable
import durable_rules_engine as _core

from hunch.compile import Alternative, CompiledPack, Lit, value_key
from hunch.errors import EngineError
from hunch.model import FactRef, Pack

# durable_rules' clock calls datetime.utcfromtimestamp, deprecated on 3.12 (a
# warning that, with warnings as errors, silently stops every action).
_durable._unix_now = time.time

DEFAULT_MAX_FIRINGS = 100_000
_ruleset_names = itertools.count(1)
_sids = itertools.count(1)


class _Host(_durable.Host):  # type: ignore[misc,unused-ignore]
    """A Host without the two background timer threads the default one starts."""

    def _run(self) -> None:
        return None


@dataclass
class Matched:
    """One fact a firing's conditions matched."""

    kind: str  # "input" | "derived" | "conclusion"
    name: str
    value: Any = None


@dataclass
class Firing:
    rule_index: int
    alternative: str
    matched: list[Matched]
    order: int  # position in firing order; for traces only, never for certainty


@dataclass
class Ledger:
    """What happened in one session: every firing, and every fact asserted."""

    situation: dict[str, Any]
    firings: list[Firing] = field(default_factory=list)
    derived: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> key -> value
    supported: set[str] = field(default_factory=set)  # conclusions with positive support
    blocked: list[tuple[str, str]] = field(default_factory=list)  # (alternative, negated fact)


class _Session:
    def __init__(self, runner: Runner, ledger: Ledger, sid: str, max_firings: int) -> None:
        self.runner = runner
        self.ledger = ledger
        self.sid = sid
        self.max_firings = max_firings
        self.errors: list[BaseException] = []
        self.fid = 0


class Runner:
    """A compiled pack registered with durable_rules, ready to run situations."""

    def __init__(self, pack: Pack, compiled: CompiledPack) -> None:
        self.pack = pack
        self.compiled = compiled
        self.host = _Host()
        self.names: dict[str, str] = {}
        self._session: _Session | None = None
        definitions = {}
        for key, ruleset in compiled.rulesets.items():
            name = f"hunch{next(_ruleset_names)}-{pack.name}-{key}"
            self.names[key] = name
            # set_rulesets deletes 'run' from what it is given: build fresh dicts
            definitions[name] = {rule: dict(body, run=self._action(compiled.alternatives.get(rule)))
                                 for rule, body in ruleset.items()}
        try:
            if definitions:
                self.host.set_rulesets(definitions)
        except Exception as exc:  # noqa: BLE001 - durable raises bare Exception with a code
            raise EngineError.at(pack.loc, f"durable_rules refused the compiled rules: {exc}",
                                 "run hunch check on the pack") from None

    def close(self) -> None:
        """Free the engine's rulesets (Python never frees them by itself)."""
        for name in self.names.values():
            try:
                _core.delete_ruleset(self.host.get_ruleset(name)._handle)
            except Exception:  # noqa: BLE001 - freeing is best effort
                pass
        self.names = {}

    def run(self, values: dict[str, Any], max_firings: int = DEFAULT_MAX_FIRINGS) -> Ledger:
        """Run one situation in its own session and return the ledger."""
        ledger = Ledger(situation=dict(values))
        if not self.names:
            return ledger
        sid = str(next(_sids))
        session = _Session(self, ledger, sid, max_firings)
        self._session = session
        fact = {**values, "_k": "s", "sid": sid}
        try:
            for name in self.names.values():
                try:
                    self.host.assert_fact(name, dict(fact))
                except _durable.MessageNotHandledException:
                    pass  # no rule of this ruleset tests the situation
        except EngineError:
            raise
        except Exception as exc:  # noqa: BLE001 - the C core raises plain Exception
            raise EngineError(f"durable_rules failed: {exc}", self.pack.path) from None
        finally:
            self._session = None
            for name in self.names.values():
                try:
                    self.host.delete_state(name, sid)
                except Exception:  # noqa: BLE001 - a session never created
                    pass
        if session.errors:
            first = session.errors[0]
            if isinstance(first, EngineError):
                raise first
            raise EngineError(f"a rule action failed: {type(first).__name__}: {first}",
                              self.pack.path)
        return ledger

    def _action(self, alt: Alternative | None) -> Callable[[Any], None]:
        """The Python side of one compiled rule: check, record, assert consequences."""

        def run(c: Any) -> None:
            session = self._session
            if session is None or alt is None:  # alt is None for the anchor rule
                return
            try:
                self._fire(session, alt, c)
            except BaseException as exc:  # noqa: BLE001 - durable swallows them otherwise
                session.errors.append(exc)

        return run

    def _fire(self, session: _Session, alt: Alternative, c: Any) -> None:
        if session.errors:
            return
        ledger = session.ledger
        for lit in alt.negations:
            if _negation_fails(lit, ledger, ledger.situation):
                ledger.blocked.append((alt.name, lit.name))
                return
        if len(ledger.firings) >= session.max_firings:
            loop = sorted({self.pack.rules[f.rule_index].id for f in ledger.firings[-50:]})
            raise EngineError.at(self.pack.loc, f"stopped after {session.max_firings:,} rule "
                                                f"firings (a runaway loop?)",
                                 "rules firing last: " + ", ".join(loop))
        matched = [Matched("input", f, ledger.situation[f])
                   for f in alt.input_facts if f in ledger.situation]
        for alias, name in alt.derived_aliases.items():
            matched.append(Matched("derived", name, c._m[alias]["value"]))
        for name in alt.conclusion_aliases.values():
            matched.append(Matched("conclusion", name))
        ledger.firings.append(Firing(alt.rule_index, alt.name, matched, len(ledger.firings)))
        rule = self.pack.rules[alt.rule_index]
        for effect in rule.then:
            if effect.kind == "derive":
                self._derive(session, c, effect.target, effect.value)
            elif effect.kind == "support" and effect.target not in ledger.supported:
                ledger.supported.add(effect.target)
                if effect.target in self.compiled.consumed_conclusions:
                    self._assert(session, c, {"_k": "c", "name": effect.target})

    def _derive(self, session: _Session, c: Any, name: str, value: Any) -> None:
        values = session.ledger.derived.setdefault(name, {})
        key = value_key(value)
        if key in values:
            return  # the engine already has it; the ledger records this firing
        values[key] = value
        if name in self.compiled.consumed_derived:
            self._assert(session, c, {"_k": "d", "name": name, "value": value})

    def _assert(self, session: _Session, c: Any, fact: dict[str, Any]) -> None:
        session.fid += 1
        fact["_fid"] = session.fid
        try:
            c.assert_fact(fact)
        except _durable.MessageNotHandledException:
            pass  # no rule in this ruleset tests it


def _negation_fails(lit: Lit, ledger: Ledger, situation: dict[str, Any]) -> bool:
    """True when what the literal negates is present (durable may not have noticed)."""
    if lit.kind == "c":
        return lit.name in ledger.supported
    for value in ledger.derived.get(lit.name, {}).values():
        if holds(lit.op, value, lit.value, situation):
            return True
    return False


def holds(op: str, left: Any, right: Any, situation: dict[str, Any]) -> bool:
    """A comparison in Python, for the re-check of negations at fire time."""
    if isinstance(right, FactRef):
        if right.fact not in situation:
            return False
        right = situation[right.fact]
    if op == "eq":
        if isinstance(left, bool) or isinstance(right, bool):
            return left is right  # durable-style coercion must not make True == 1
        return bool(left == right)
    if op == "ne":
        return not holds("eq", left, right, situation)
    if op == "in":
        return any(holds("eq", left, v, situation) for v in right)
    if isinstance(left, bool) or not isinstance(left, (int, float)):
        return False
    if op == "between":
        return bool(right[0] <= left <= right[1])
    if isinstance(right, bool) or not isinstance(right, (int, float)):
        return False
    return bool({"lt": left < right, "lte": left <= right, "gt": left > right,
                 "gte": left >= right}[op])
