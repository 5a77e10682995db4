"""The only module that touches durable_rules: rulesets, sessions and the firing ledger.

A pack's rulesets are registered once per process. Each situation gets a session
(``sid``) of its own, deleted when it is done (Runner._release), asserted as one
fact; rules fire synchronously and every firing is written to a ledger in Python,
from which hunch.engine.certainty computes certainties (so they never depend on
firing order).
"""

from __future__ import annotations

import functools
import itertools
import json
import locale
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from hunch.engine.compile import (
    Alternative,
    CompiledPack,
    Lit,
    engine_facts,
    engine_json,
    value_key,
)
from hunch.errors import EngineError, HunchError
from hunch.limits import DEFAULT_MAX_FIRINGS as DEFAULT_MAX_FIRINGS  # its home before hunch.limits
from hunch.pack.model import FactRef, MatchKind, Pack
from hunch.record import Record

# pyproject.toml pins it (tests/test_packaging.py checks the two agree)
DURABLE_RULES = "durable-rules==2.0.28"
# durable-rules 2.0.28 calls PyEval_CallObject, which Python 3.13 removed: built
# without this define it installs, then fails to load (docs/limits.md, "Python versions")
CPPFLAGS_313 = "CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject"


def broken_core(exc: ImportError) -> EngineError:
    """Why durable_rules' C core did not load, and the command that repairs the install."""
    import shlex
    import sys

    repair = (f"{CPPFLAGS_313} {shlex.quote(sys.executable)} -m pip install --no-cache-dir "
              f"--force-reinstall --no-deps {DURABLE_RULES}")
    where = exc.path or "durable_rules_engine"
    if "PyEval_CallObject" in str(exc):
        return EngineError(f"durable-rules was compiled for Python {sys.version_info[0]}."
                           f"{sys.version_info[1]} without the define it needs, so its C core "
                           "cannot load (undefined symbol: PyEval_CallObject)", where,
                           hint=f"repair the install with: {repair}")
    return EngineError(f"durable_rules' C core cannot be imported: {exc}", where,
                       hint=f"reinstall it with: {repair}")


# The C core only: durable.engine (its Host, closures and timer threads) is never
# needed, and not importing it keeps start-up short.
try:
    # the C core has no stubs; ignored here too, not only in pyproject, so hunch also
    # type-checks as part of someone else's mypy run (MYPYPATH=this checkout)
    import durable_rules_engine as _core  # type: ignore[import-not-found, unused-ignore]
except ImportError as exc:  # a broken install is one line with its repair, never a traceback
    raise broken_core(exc) from None

# properties one durable_rules fact can hold, "_k" and "sid" included (state.h allows
# 255; measured: 253 work, 254 fail every assert with error 302)
MAX_PROPERTIES = 253
# bytes of one property's JSON text (state.h MAX_OBJECT_PROPERTY_SIZE 16 MiB; measured:
# 16,777,214 work, 16,777,216 fail with error 314). Reachable with --max-bytes.
MAX_TEXT_BYTES = 16_777_215
_ruleset_names = itertools.count(1)
_sids = itertools.count(1)


class Matched(NamedTuple):
    """One fact a firing's conditions matched."""

    kind: MatchKind
    name: str
    value: Any = None


class Firing(NamedTuple):
    """One rule alternative that fired, and the facts it matched."""

    rule_index: int
    alternative: str
    matched: list[Matched]
    order: int  # position in firing order; for traces only, never for certainty


class Ledger(Record):
    """What happened in one session: every firing, and every fact asserted."""

    __slots__ = ("blocked", "derived", "firings", "situation", "supported")

    def __init__(self, situation: dict[str, Any]) -> None:
        self.situation = situation
        self.firings: list[Firing] = []
        self.derived: dict[str, dict[str, Any]] = {}  # name -> key -> value
        self.supported: set[str] = set()  # conclusions with positive support
        self.blocked: list[tuple[str, str]] = []  # (alternative, negated fact)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled through __init__ (a Result holds its ledger): compiled by mypyc, the
        # class makes its objects with __init__'s argument, so pickle's default, an
        # object made without one, fails there (docs/limits.md, "Compiled with mypyc").
        return (_ledger, (self.situation, self.firings, self.derived, self.supported,
                          self.blocked))


def _ledger(situation: dict[str, Any], firings: list[Firing], derived: dict[str, dict[str, Any]],
            supported: set[str], blocked: list[tuple[str, str]]) -> Ledger:
    """A ledger back from pickle, field for field."""
    ledger = Ledger(situation)
    ledger.firings, ledger.derived, ledger.supported = firings, derived, supported
    ledger.blocked = blocked
    return ledger


class _Session:
    """One situation's run: its ledger and the facts waiting for other rulesets."""

    def __init__(self, ledger: Ledger, sid: str, max_firings: int) -> None:
        self.ledger = ledger
        self.sid = sid
        self.max_firings = max_firings
        self.errors: list[Exception] = []
        self.fid = 0
        self.started: list[bool] = []  # per ruleset: has it seen the situation yet
        self.pending: deque[tuple[int, str]] = deque()  # (ruleset index, fact JSON)
        # each situation fact as a firing lists it: one tuple per fact, shared by
        # every firing that matched it (a fact is matched by many firings)
        self.inputs = {name: _new(Matched, ("input", name, value))
                       for name, value in ledger.situation.items()}


_Effect = tuple[str, str, Any, str]  # kind, target, value, the value's key ("" if none)


class _Action:
    """What a firing of one alternative does, read off it once: the action loop
    reads these on every firing (compiled by mypyc, plain attributes are loads)."""

    __slots__ = ("conclusions", "derived", "effects", "inputs", "name", "negations",
                 "rule_index")

    def __init__(self, alt: Alternative, effects: list[_Effect]) -> None:
        self.name = alt.name
        self.rule_index = alt.rule_index
        self.inputs = alt.input_facts
        self.derived = alt.derived_aliases  # alias -> derived fact name
        self.conclusions = tuple(alt.conclusion_aliases.values())
        self.negations = alt.negations
        self.effects = effects


class _Ruleset(NamedTuple):
    """One registered durable_rules ruleset and what it needs fed."""

    name: str
    handle: int
    actions: dict[str, _Action | None]  # engine rule name -> its action (None: anchor)
    derived_in: list[str]  # derived facts its rules test
    conclusions_in: list[str]  # conclusions its rules test
    # per rule, the situation properties it cannot fire without; None when some rule
    # needs none (then the ruleset always runs)
    needs: list[frozenset[str]] | None = None


class Runner:
    """A compiled pack registered with durable_rules, ready to run situations.

    The hot path talks to durable_rules' C core directly (assert, then take and
    complete actions one by one) rather than through durable.engine.Host, whose
    per-action bookkeeping (state JSON round trips, closures, clocks) costs more
    than our own work. Several rulesets run in the order compile_pack gives them
    (lower strata first); a derived fact or conclusion goes to every ruleset that
    tests it: at once to the one whose action produced it, through a queue to the
    others already running, and from the ledger to those that start later.
    """

    def __init__(self, pack: Pack, compiled: CompiledPack) -> None:
        self.pack = pack
        self.compiled = compiled
        self.rulesets: list[_Ruleset] = []
        self._derived_to: dict[str, list[int]] = {}
        self._conclusions_to: dict[str, list[int]] = {}
        # per rule, what a firing does
        self._effects: list[list[_Effect]] = [
            [(e.kind, e.target, e.value, value_key(e.value) if e.kind == "derive" else "")
             for e in rule.then] for rule in pack.rules]
        # only the facts some rule reads go to the engine: the others cost time and
        # count against its properties per fact
        self._engine_facts = engine_facts(pack)
        self._python_tests = list(compiled.python_tests.items())
        try:
            with c_numbers():
                for key, definition in compiled.rulesets.items():
                    self._register(key, definition)
                self._warm_up()
        except Exception as exc:  # noqa: BLE001 - durable raises bare Exception with a code
            self.close()
            raise EngineError.at(pack.loc, f"durable_rules refused the compiled rules: {exc}",
                                 "run hunch check on the pack") from None

    def _register(self, key: str, definition: dict[str, Any]) -> None:
        name = f"hunch{next(_ruleset_names)}-{self.pack.name}-{key}"
        handle = _core.create_ruleset(name, engine_json(definition))
        alts = {rule: self.compiled.alternatives.get(rule) for rule in definition}
        derived: set[str] = set()
        conclusions: set[str] = set()
        for alt in alts.values():
            if alt is None:
                continue
            derived.update(alt.derived_aliases.values())
            conclusions.update(alt.conclusion_aliases.values())
            for lit in alt.negations:
                (conclusions if lit.kind == "c" else derived).add(lit.name)
        index = len(self.rulesets)
        for fact in derived:
            self._derived_to.setdefault(fact, []).append(index)
        for cid in conclusions:
            self._conclusions_to.setdefault(cid, []).append(index)
        needs = [_needs(definition[rule]) for rule, alt in alts.items() if alt is not None]
        actions = {rule: None if alt is None else _Action(alt, self._effects[alt.rule_index])
                   for rule, alt in alts.items()}
        self.rulesets.append(_Ruleset(name, handle, actions, sorted(derived), sorted(conclusions),
                                      None if not all(needs) else needs))

    def _warm_up(self) -> None:
        """Run one empty session through every ruleset before any real one.

        Measured: when the first session a durable_rules ruleset sees is a busy
        one, every later assert in the process is several times slower (2.9 ms
        against 0.6 ms a situation on a 500-rule pack); a first session that only
        fires the anchor avoids it.
        """
        fact = '{"_k":"s","sid":"hunch-warm-up"}'
        for ruleset in self.rulesets:
            _code, state = _core.assert_fact(ruleset.handle, fact)
            result = _core.start_action_for_state(ruleset.handle, state)
            message = result[1] if result else None
            while message:
                message = _core.complete_and_start_action(ruleset.handle, state)
            _core.delete_state(ruleset.handle, "hunch-warm-up")

    def close(self) -> None:
        """Free the engine's rulesets (Python never frees them by itself)."""
        free_rulesets(self.rulesets)

    def run(self, values: dict[str, Any], max_firings: int = DEFAULT_MAX_FIRINGS) -> Ledger:
        """Run one situation in a session of its own and return the ledger."""
        ledger = Ledger(situation=dict(values))
        if not self.rulesets:
            return ledger
        observed = [name for name in values if name in self.pack.derived]
        if observed:
            # an observable derived fact the situation states: in the ledger from the
            # start, as if derived, so each ruleset receives it when it starts
            values = dict(values)
            for name in observed:
                value = values.pop(name)
                ledger.derived.setdefault(name, {})[value_key(value)] = value
        session = _Session(ledger, self._take_sid(), max_firings)
        session.started = [False] * len(self.rulesets)
        sent = self.engine_values(values)
        situation = engine_json({**sent, "_k": "s", "sid": session.sid})
        try:
            if point_locale():
                self._run_session(session, situation, sent)
            else:
                with c_numbers():
                    self._run_session(session, situation, sent)
        except EngineError:
            raise
        except Exception as exc:  # noqa: BLE001 - the C core raises plain Exception
            raise EngineError(f"durable_rules failed: {exc}", self.pack.path) from None
        if session.errors:
            first = session.errors[0]
            if isinstance(first, EngineError):
                raise first
            raise EngineError(f"a rule action failed: {type(first).__name__}: {first}",
                              self.pack.path)
        return ledger

    def _take_sid(self) -> str:
        """A session id of its own for one situation."""
        return str(next(_sids))

    def _run_session(self, session: _Session, situation: str, sent: dict[str, Any]) -> None:
        try:
            self._run(session, situation, sent)
        finally:
            self._release(session)

    def _release(self, session: _Session) -> None:
        """Delete the session's state in every ruleset it started.

        Not reused: retracting a finished run's facts and keeping the empty state
        for the next situation saved a quarter of an evaluation (220 us to build a
        200-rule ruleset's state, 50 us to free it), but durable_rules 2.0.28's
        retraction of a fact whose two-fact action frame has fired overruns the
        freed frame (full test runs died of it); delete_state never takes that path
        (docs/performance.md, "Sessions are not reused").
        """
        for index, started in enumerate(session.started):
            if not started:
                continue
            try:
                _core.delete_state(self.rulesets[index].handle, session.sid)
            except Exception:  # noqa: BLE001 - a session never created, or half made
                pass

    def engine_values(self, values: dict[str, Any]) -> dict[str, Any]:
        """The situation as the engine gets it: the facts rules read, and the
        properties of the tests worked out in Python (only those that hold)."""
        facts = self._engine_facts
        if facts.issuperset(values):
            out = dict(values)
        else:
            out = {k: v for k, v in values.items() if k in facts}
        for name, expr in self._python_tests:
            if holds_expr(expr, values):
                out[name] = True
        return out

    def situation_problem(self, values: dict[str, Any]) -> tuple[str, str]:
        """Why the engine cannot hold this situation as one fact, and what to do
        (('', '') when it can)."""
        sent = self.engine_values(values)
        count = len(sent) + 2  # "_k" and "sid"
        if count > MAX_PROPERTIES:
            return (f"the situation gives {count - 2} facts the rules test, over the "
                    f"{MAX_PROPERTIES - 2} durable_rules can hold in one situation",
                    "leave out the facts that do not matter here, or split the pack")
        for name, value in sent.items():
            # an escape is at most 6 bytes a character: only long texts need measuring
            if isinstance(value, str) and len(value) * 6 > MAX_TEXT_BYTES \
                    and len(json.dumps(value)) - 2 > MAX_TEXT_BYTES:
                return (f"{name}: the text is over the {MAX_TEXT_BYTES:,} bytes (as JSON) "
                        f"durable_rules can hold in one fact", "shorten it")
        return "", ""

    def _run(self, session: _Session, situation: str, sent: dict[str, Any]) -> None:
        for index, ruleset in enumerate(self.rulesets):
            if ruleset.needs is not None and not any(need.issubset(sent)
                                                     for need in ruleset.needs):
                # none of its rules can fire without a fact this situation lacks:
                # a session costs ~5 ms on a 200-rule ruleset (measured), so skip it
                continue
            session.started[index] = True
            self._start(session, index, situation)
            while session.pending:
                target, fact = session.pending.popleft()
                self._feed(session, target, fact)

    def _start(self, session: _Session, index: int, situation: str) -> None:
        """Give a ruleset the situation, then what earlier rulesets established.

        Situation first: durable_rules is several times slower when many facts wait
        for it (measured). A rule that negates an earlier fact may then fire before
        that fact arrives; the fire-time re-check in _fire stops it, and since
        earlier rulesets hold only lower strata, the ledger is already complete for
        everything this ruleset negates.
        """
        ruleset = self.rulesets[index]
        ledger = session.ledger
        # what exists now; what this ruleset derives from here on reaches it directly
        known = [self._derived_json(session, name, key)
                 for name in ruleset.derived_in for key in ledger.derived.get(name, ())]
        known += [self._conclusion_json(session, cid)
                  for cid in ruleset.conclusions_in if cid in ledger.supported]
        # the anchor rule matches every situation fact, so this is always handled
        self._feed(session, index, situation)
        for fact in known:
            self._feed(session, index, fact)

    def _feed(self, session: _Session, index: int, fact: str) -> None:
        """Assert one fact into a ruleset, then run every action it leads to."""
        ruleset = self.rulesets[index]
        handle = ruleset.handle
        code, state = _core.assert_fact(handle, fact)
        if code != 0:
            return  # 1: no rule of this ruleset accepts it; 2: already there
        result = _core.start_action_for_state(handle, state)
        message = result[1] if result else None
        actions = ruleset.actions
        complete = _core.complete_and_start_action
        while message:
            # '{"<rule name>": {<alias>: <fact>, ...}}': our rule names need no JSON
            # escaping, so the name is read off the text, and the facts are parsed
            # only when the firing needs a derived fact's value
            action = actions.get(message[2:message.index('"', 2)])
            if action is not None and not session.errors:
                try:
                    self._fire(session, index, action, message)
                except Exception as exc:  # noqa: BLE001 - reported after the run
                    session.errors.append(exc)
            message = complete(handle, state)

    def _fire(self, session: _Session, index: int, action: _Action, message: str) -> None:
        ledger = session.ledger
        if action.negations and self._blocked(action, ledger):
            return
        firings = ledger.firings
        order = len(firings)
        if order >= session.max_firings:
            raise self._runaway(session)
        inputs = session.inputs
        matched = [inputs[f] for f in action.inputs if f in inputs]
        if action.derived:
            matched.extend(self._derived_matched(action, message, ledger))
        for name in action.conclusions:
            matched.append(_new(Matched, ("conclusion", name, None)))
        firings.append(_new(Firing, (action.rule_index, action.name, matched, order)))
        for kind, name, value, key in action.effects:
            if kind == "derive":
                self._derive(session, index, name, value, key)
            elif kind == "support" and name not in ledger.supported:
                ledger.supported.add(name)
                for target in self._conclusions_to.get(name, ()):
                    self._send(session, index, target, self._conclusion_json(session, name))

    @staticmethod
    def _blocked(action: _Action, ledger: Ledger) -> bool:
        """Is what the alternative negates present after all? Then it must not fire."""
        for lit in action.negations:
            if _negation_fails(lit, ledger, ledger.situation):
                ledger.blocked.append((action.name, lit.name))
                return True
        return False

    def _runaway(self, session: _Session) -> HunchError:
        loop = sorted({self.pack.rules[f.rule_index].id for f in session.ledger.firings[-50:]})
        return EngineError.at(self.pack.loc, f"stopped after {session.max_firings:,} rule "
                                             f"firings (a runaway loop?)",
                              "rules firing last: " + ", ".join(loop))

    @staticmethod
    def _derived_matched(action: _Action, message: str, ledger: Ledger) -> list[Matched]:
        """The derived facts a firing matched, with their values."""
        out = []
        facts: dict[str, Any] | None = None
        for alias, name in action.derived.items():
            values = ledger.derived[name]
            if len(values) == 1:
                # the only value asserted so far is the one the alias matched
                (value,) = values.values()
            else:
                if facts is None:
                    facts = json.loads(message)[action.name]
                value = facts[alias]["value"]
            out.append(_new(Matched, ("derived", name, value)))
        return out

    def _derive(self, session: _Session, index: int, name: str, value: Any, key: str) -> None:
        values = session.ledger.derived.setdefault(name, {})
        if key in values:
            return  # the engine already has it; the ledger records this firing
        values[key] = value
        for target in self._derived_to.get(name, ()):
            self._send(session, index, target, self._derived_json(session, name, key))

    def _send(self, session: _Session, index: int, target: int, fact: str) -> None:
        """Route a new fact: now into the running ruleset, queued for other started ones."""
        if target == index:
            # inside an action: the engine queues what this enables, and the
            # action loop in _feed takes it next
            _core.assert_fact(self.rulesets[index].handle, fact)
        elif session.started[target]:
            session.pending.append((target, fact))
        # a ruleset not started yet reads the ledger when it starts

    @staticmethod
    def _derived_json(session: _Session, name: str, key: str) -> str:
        # the value key is the value's canonical JSON, so it can be spliced in
        session.fid += 1
        return (f'{{"_k":"d","name":{_name_json(name)},"value":{key},'
                f'"_fid":{session.fid},"sid":"{session.sid}"}}')

    @staticmethod
    def _conclusion_json(session: _Session, cid: str) -> str:
        session.fid += 1
        return (f'{{"_k":"c","name":{_name_json(cid)},"_fid":{session.fid},'
                f'"sid":"{session.sid}"}}')


_new = tuple.__new__


@functools.lru_cache(maxsize=4096)
def _name_json(name: str) -> str:
    """A fact name or conclusion id as JSON text (few distinct ones, each sent often)."""
    return json.dumps(name)


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
        if type(left) is str:
            return left in right  # the same test (text equals only text), at C speed
        return any(holds("eq", left, v, situation) for v in right)
    if isinstance(left, bool) or not isinstance(left, (int, float)):
        return False
    if op == "between":
        return bool(right[0] <= left <= right[1])
    if isinstance(right, bool) or not isinstance(right, (int, float)):
        return False
    return bool({"lt": left < right, "lte": left <= right, "gt": left > right,
                 "gte": left >= right}[op])


def _needs(definition: dict[str, Any]) -> frozenset[str]:
    """The situation properties an engine rule cannot fire without.

    Its first condition always matches the situation fact; each equality or
    comparison at its top level (not inside an $or) needs its property there,
    because durable_rules never matches a missing attribute (docs: field notes).
    """
    (element,) = definition["all"][0].values()
    tests = element.get("$and", [element]) if isinstance(element, dict) else []
    out: set[str] = set()
    for test in tests:
        if not isinstance(test, dict) or len(test) != 1:
            continue
        ((key, value),) = test.items()
        if not key.startswith("$"):
            if key != "_k" and not isinstance(value, (dict, list)):
                out.add(key)
        elif key in _PYTHON_OP and isinstance(value, dict) and len(value) == 1:
            ((prop, literal),) = value.items()
            if not isinstance(literal, (dict, list)):
                out.add(prop)
        elif key == "$ex" and isinstance(value, dict) and len(value) == 1:
            out.update(value)
    return frozenset(out)


def holds_expr(expr: Any, values: dict[str, Any]) -> bool:
    """A compiled input-only expression, evaluated in Python as the engine would.

    As in durable_rules, a comparison never holds when a fact it reads is missing.
    """
    ((key, arg),) = expr.items()
    if key == "$and":
        return all(holds_expr(e, values) for e in arg)
    if key == "$or":
        return any(holds_expr(e, values) for e in arg)
    if key in ("$ex", "$nex"):
        ((fact, _),) = arg.items()
        return bool((fact in values) == (key == "$ex"))
    if key.startswith("$"):
        op = _PYTHON_OP[key]
        ((fact, right),) = arg.items()
    else:
        op, fact, right = "eq", key, arg
    if fact not in values:
        return False
    if isinstance(right, dict):  # {"$m": other}: a comparison with another fact
        right = values.get(right["$m"])
        if right is None:
            return False
    return holds(op, values[fact], right, values)


_PYTHON_OP = {"$neq": "ne", "$lt": "lt", "$lte": "lte", "$gt": "gt", "$gte": "gte"}


_POINT_LOCALES = {"C", "POSIX", "C.UTF-8", "C.utf8"}  # numeric locales that write 1000.5


def point_locale() -> bool:
    """Does the numeric locale write 1000.5 (so durable_rules reads numbers right)?"""
    name = locale.setlocale(locale.LC_NUMERIC)  # a query: ~0.2 us; localeconv ~9 us
    if name in _POINT_LOCALES:
        return True
    if locale.localeconv()["decimal_point"] == ".":
        _POINT_LOCALES.add(name)  # locale names are few: remember the good ones
        return True
    return False


@contextmanager
def c_numbers() -> Iterator[None]:
    """Run engine calls with the C numeric locale.

    durable_rules reads and writes numbers with atof/atol/sprintf, which follow
    LC_NUMERIC: after setlocale(LC_ALL, "de_DE.UTF-8") it reads 1000.5 as 1000.
    Python programs are in the C locale unless they change it, so this costs one
    query per call; when it has to switch, it switches back afterwards. The locale
    is process-wide: another thread formatting numbers in those microseconds sees
    the C locale (docs/limits.md).
    """
    if point_locale():
        yield
        return
    saved = locale.setlocale(locale.LC_NUMERIC)
    locale.setlocale(locale.LC_NUMERIC, "C")
    try:
        yield
    finally:
        locale.setlocale(locale.LC_NUMERIC, saved)


def free_rulesets(rulesets: list[_Ruleset]) -> None:
    """Delete rulesets from durable_rules, each once: the list is emptied as it goes.

    Also the finalizer of a pack that was compiled (hunch.engine.evaluate.compiled),
    which holds the Runner's own list, so closing and finalizing never both free one.
    """
    while rulesets:
        handle = rulesets.pop().handle
        try:
            _core.delete_ruleset(handle)
        except Exception:  # noqa: BLE001 - freeing is best effort
            pass
