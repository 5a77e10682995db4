"""What each API call computes, as JSON-ready objects: no HTTP here.

Every decision is the object `hunch evaluate --format json` prints for the same
facts (with `--explain=summary|full` when asked), plus ``decision_id``,
``revision`` (the pack's content hash) and ``input`` (the facts as given).
"""

from __future__ import annotations

import uuid
from typing import Any, NamedTuple

from hunch.engine.evaluate import Result, evaluate
from hunch.errors import HunchError
from hunch.pack.model import Pack
from hunch.pack.validate import Situation
from hunch.serve.packs import Served
from hunch.serve.problems import ApiError, bad_input, pointer

EXPLAIN = ("off", "summary", "full")
# ?unknowns=: "full" (the default) runs the "Still unknown" analysis, as the CLI does;
# "off" skips it, the response saying so with the keys of a stopped analysis
# (docs/serve.md; why: docs/performance.md, "A decision's cost")
UNKNOWNS = ("full", "off")
# ?next=: "full" (the default) works out "What happens next" (the `next` key) for a
# situation that gives dates, as the CLI does; "off" skips it: `next` is [] with
# "next_complete": false (why: docs/performance.md, "A decision's cost")
NEXT = ("full", "off")


class Decision(NamedTuple):
    """One evaluated situation: the response object and what the decision log keeps."""

    body: dict[str, Any]
    result: Result
    given: dict[str, Any]  # the facts as the client gave them


def run(served: Served, situation: Situation, max_firings: int) -> Result:
    if max_firings:
        return evaluate(served.pack, situation, max_firings)
    return evaluate(served.pack, situation)


def decide(served: Served, situation: Situation, given: dict[str, Any], explain: str,
           max_firings: int = 0, unknowns: str = "full", next_: str = "full") -> Decision:
    from hunch.output.render import render_explained, result_json

    result = run(served, situation, max_firings)
    if unknowns == "off":
        from hunch.explain.unknowns import skip_unknowns

        skip_unknowns(result)
    if next_ == "off":
        from hunch.output.plan import skip_next

        skip_next(result)
    body = result_json(result) if explain == "off" else render_explained("json", explain, result)
    body.update(decision_id=uuid.uuid4().hex, revision=served.revision, input=given)
    return Decision(body, result, given)


def explain_mode(value: str | None) -> str:
    return _mode("explain", value, EXPLAIN, "summary")


def unknowns_mode(value: str | None) -> str:
    return _mode("unknowns", value, UNKNOWNS, "off")


def next_mode(value: str | None) -> str:
    return _mode("next", value, NEXT, "off")


def _mode(name: str, value: str | None, choices: tuple[str, ...], example: str) -> str:
    """A query parameter's value, one of ``choices``; absent or empty: the first."""
    if value is None or value == "":
        return choices[0]
    if value not in choices:
        raise bad_input(HunchError(f"{name}={value}: expected one of {', '.join(choices)}",
                                   "/", hint=f"e.g. ?{name}={example}"))
    return value


def log_entry(decision: Decision, served: Served, masked: frozenset[str],
              when: str) -> dict[str, Any]:
    """One line of the decision log: enough to audit a decision, no more."""
    result = decision.result
    pack = result.pack
    return {
        "decision_id": decision.body["decision_id"],
        "time": when,
        "pack": served.name,
        "revision": served.revision,
        "input": {k: v for k, v in decision.given.items() if k not in masked},
        "masked": sorted(k for k in decision.given if k in masked),
        "hypotheses": [{"id": h.id, "certainty": round(h.certainty, 4)}
                       for h in result.hypotheses],
        "actions": [{"id": a.id, "certainty": round(a.certainty, 4)} for a in result.actions],
        "recommendation": result.recommendation.id if result.recommendation else None,
        "rules_fired": sorted({pack.rules[f.rule_index].id for f in result.ledger.firings}),
    }


# --- what-if -----------------------------------------------------------------------------

def changes(pack: Pack, sets: Any, adds: Any) -> dict[str, Any]:
    """``set`` and ``add`` of a what-if: each fact checked as `hunch what-if --set` checks
    it; a date input or a log (``add``: entries added to it) as a TimeSet, checked with
    the situation (``what_if``), as `--set LOG=[...]` and `--set LOG+=...` are."""
    from hunch.explain.how import ChangeError, as_typed, checked_change
    from hunch.pack.values import type_name, value_problem

    if not isinstance(sets, dict):
        raise bad_input(HunchError(f"set must be an object of facts and their new values, got "
                                   f"{type_name(sets)}", "/set"))
    out: dict[str, Any] = {}
    for name, value in sets.items():
        where = pointer("/set", (name,))
        if name in pack.time.inputs and value is not None:
            out[name] = _time_set(name, value, False, where)
            continue
        if value is None or isinstance(value, (dict, list)):
            raise bad_input(HunchError(f"{name}: expected a value, got {type_name(value)}",
                                       where, hint="to leave a fact unknown, leave it out "
                                                   "of input"))
        spec = pack.facts.get(name)
        try:
            # a JSON value has a type of its own, as in input: 0 is not false and "3" is
            # not 3 (the OpenAPI document says so, and schemathesis checks it)
            problem = value_problem(spec, value) if spec is not None else ""
            if problem:
                raise ChangeError(name, as_typed(value), f"{name} {problem}")
            if spec is not None and spec.type == "integer" and isinstance(value, float):
                value = int(value)  # 52.0: a whole number, as input takes it
            out[name] = checked_change(pack, name, value)
        except ChangeError as exc:
            raise bad_input(HunchError(exc.message, where, hint=exc.hint)) from None
    out.update(_additions(pack, adds))
    return out


def _additions(pack: Pack, adds: Any) -> dict[str, Any]:
    """``add`` of a what-if: entries added to a log (`--set LOG+=...`), keyed ``LOG+``."""
    from hunch.pack.values import type_name

    if not isinstance(adds, dict):
        raise bad_input(HunchError(f"add must be an object of logs and the entries to add, "
                                   f"got {type_name(adds)}", "/add"))
    logs = sorted(n for n, item in pack.time.inputs.items() if item.type == "events")
    out: dict[str, Any] = {}
    for name, value in adds.items():
        where = pointer("/add", (name,))
        if name not in pack.time.inputs or value is None:
            raise bad_input(HunchError(
                f"{name}: " + ("expected an entry or a list of entries, got null"
                               if name in pack.time.inputs else "not a log of this pack"),
                where, hint=f"logs: {', '.join(logs)}" if logs else "this pack has no log"))
        out[name + "+"] = _time_set(name, value, True, where)
    return out


def _time_set(name: str, value: Any, add: bool, at: str) -> Any:
    """A date or log change from JSON at pointer ``at``: messages as the CLI's."""
    from hunch.errors import Location
    from hunch.explain.timeset import TimeSet
    from hunch.pack.yamlsource import short

    def loc(path: tuple[Any, ...]) -> Location:
        return Location(pointer(at, path))

    text = value if isinstance(value, str) and len(value) <= 40 else short(value)
    return TimeSet(name, value, add, f"{name}{'+' if add else ''}={text}", loc)


def what_if(served: Served, situation: Situation, sets: dict[str, Any], flip: bool,
            max_firings: int = 0) -> dict[str, Any]:
    """The object `hunch what-if --format json` prints, plus the pack revision."""
    from hunch.explain.how import flips
    from hunch.explain.how import what_if as compare
    from hunch.explain.timeset import TimeSet, time_changes
    from hunch.output.explanation import flips_json, what_if_json

    if not sets and not flip:
        raise bad_input(HunchError('give "set" (an object of facts), "add" (entries added to '
                                   'a log) or "flip": true', "/set",
                                   hint='e.g. {"input": {...}, "set": '
                                        '{"needs_answer_by_days": 5}}'))
    result = run(served, situation, max_firings)
    timed = [change for change in sets.values() if isinstance(change, TimeSet)]
    sets = {name: value for name, value in sets.items() if not isinstance(value, TimeSet)}
    if timed:  # a date or a log: the numbers it gives change (docs/time.md)
        try:
            sets.update(time_changes(served.pack, result.situation, timed))
        except HunchError as exc:
            raise bad_input(exc) from None
    data: dict[str, Any] = {}
    if sets:
        w = compare(result, sets)
        data.update(what_if_json(w))
        result = w.after
    if flip:
        found = flips_json(result, flips(result))
        data.update(found if not sets else {"flips": found["flips"]})
    data["revision"] = served.revision
    return data


def explanation(served: Served, situation: Situation, target: str,
                max_firings: int = 0) -> dict[str, Any]:
    """The object `hunch explain --format json` prints: HOW, or WHY NOT."""
    from hunch.explain.how import explain
    from hunch.output.explanation import explanation_json

    result = run(served, situation, max_firings)
    try:
        x = explain(result, target)
    except HunchError as exc:
        raise ApiError(404, "unknown_conclusion", exc.message + f" ({exc.hint})",
                       [{"pointer": "", "message": exc.message + f" ({exc.hint})"}]) from None
    data = explanation_json(x)
    data["revision"] = served.revision
    return data


# --- the next question (the page's consultation) -----------------------------------------

def answered(pack: Pack, given: dict[str, Any], situation: Situation) -> dict[str, Any]:
    """The facts a consultation counts as answered: those stated (numbers computed from
    dates included), and those answered "I don't know" (null), directly or through the
    date or log that would have computed them."""
    out: dict[str, Any] = {k: v for k, v in situation.values.items()
                           if k in pack.facts and k not in situation.defaulted}
    for name, value in given.items():
        if value is None and name in pack.facts and not pack.facts[name].required:
            out.setdefault(name, None)
    for computed in pack.time.computed.values():
        spec = pack.facts[computed.fact]
        sources = computed.sources
        # a date answered null, or every source given and still no number (an empty log:
        # no latest contact); one date of two is not an answer yet (the other is asked)
        if not spec.required and (any(s in given and given[s] is None for s in sources)
                                  or all(s in given for s in sources)):
            out.setdefault(computed.fact, None)
    return out


def next_question(served: Served, given: dict[str, Any], situation: Situation) -> dict[str, Any]:
    """What `hunch ask` would ask next about these answers (hunch.consult.ask, the same
    goal-driven order), and why; ``next`` is null when no answer could change the advice."""
    from hunch.consult.ask import Consultation
    from hunch.pack.dates import inputs_of
    from hunch.serve.describe import fact_json

    pack = served.pack
    # the dates given: a question the pack computes from one more date asks that date
    consultation = Consultation(pack, answered(pack, given, situation), "/input",
                                dates=inputs_of(pack, given).dates)
    fact = consultation.next_question()
    body: dict[str, Any] = {"pack": served.name, "revision": served.revision, "next": None,
                            "questions_left": consultation.questions_left()}
    if fact is None:
        return body
    # asked as `hunch ask` asks it (a date, the log, or the number): the same code
    body["next"] = {**fact_json(pack.facts[fact]), "ask_as": consultation.ask_as(fact),
                    "why": _why(consultation, shown(consultation, situation), fact)}
    return body


def shown(consultation: Any, situation: Situation) -> Any:
    """The answers as a decision reads them, which is what the page shows beside the
    question: "I don't know" (null) there is a fact left out, so it takes its default,
    where the consultation (like `hunch ask`'s `?`) keeps it unknown."""
    from hunch.consult.ask import Consultation

    answers = {name: situation.values.get(name) if value is None else value
               for name, value in consultation.answers.items()}
    return Consultation(consultation.pack, answers, "/input", dates=consultation.given_dates)


def _why(consultation: Any, page: Any, fact: str) -> str:
    """Why this question matters now, in one plain sentence (`why` in `hunch ask`), said
    of the advice the page shows (``page``: the answers as a decision reads them)."""
    if consultation.pack.facts[fact].required:
        return "The advice starts from this answer: the rules count from it."
    now = page.result()
    a = page.assess(fact, now)
    parts = []
    if a.recommendation:
        rec = now.recommendation.title if now.recommendation else "none yet"
        parts.append(f"the recommendation (now: {rec})")
    if a.top:
        parts.append("which explanation is likeliest")
    if parts:
        return f"Your answer could change {' and '.join(parts)}."
    planned = consultation.plan().assessments[fact]
    if planned.gain > 0:
        return "Your answer narrows down which explanation fits."
    return "It could still change the advice, together with answers to come."


__all__ = ["EXPLAIN", "NEXT", "UNKNOWNS", "Decision", "answered", "changes", "decide",
           "explain_mode", "explanation", "log_entry", "next_mode", "next_question",
           "unknowns_mode", "what_if"]
