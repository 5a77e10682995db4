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
           max_firings: int = 0) -> Decision:
    from hunch.output.render import render_explained, result_json

    result = run(served, situation, max_firings)
    body = result_json(result) if explain == "off" else render_explained("json", explain, result)
    body.update(decision_id=uuid.uuid4().hex, revision=served.revision, input=given)
    return Decision(body, result, given)


def explain_mode(value: str | None) -> str:
    if value is None or value == "":
        return "off"
    if value not in EXPLAIN:
        raise bad_input(HunchError(f"explain={value}: expected one of {', '.join(EXPLAIN)}",
                                   "/", hint="e.g. ?explain=summary"))
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

def changes(pack: Pack, sets: Any) -> dict[str, Any]:
    """``set`` of a what-if: each fact checked as `hunch what-if --set` checks it."""
    from hunch.explain.how import ChangeError, checked_change
    from hunch.pack.values import type_name

    if not isinstance(sets, dict):
        raise bad_input(HunchError(f"set must be an object of facts and their new values, got "
                                   f"{type_name(sets)}", "/set"))
    out: dict[str, Any] = {}
    for name, value in sets.items():
        where = pointer("/set", (name,))
        if value is None or isinstance(value, (dict, list)):
            raise bad_input(HunchError(f"{name}: expected a value, got {type_name(value)}",
                                       where, hint="to leave a fact unknown, leave it out "
                                                   "of input"))
        try:
            out[name] = checked_change(pack, name, value)
        except ChangeError as exc:
            raise bad_input(HunchError(exc.message, where, hint=exc.hint)) from None
    return out


def what_if(served: Served, situation: Situation, sets: dict[str, Any], flip: bool,
            max_firings: int = 0) -> dict[str, Any]:
    """The object `hunch what-if --format json` prints, plus the pack revision."""
    from hunch.explain.how import flips
    from hunch.explain.how import what_if as compare
    from hunch.output.explanation import flips_json, what_if_json

    if not sets and not flip:
        raise bad_input(HunchError('give "set" (an object of facts) or "flip": true', "/set",
                                   hint='e.g. {"input": {...}, "set": '
                                        '{"needs_answer_by_days": 5}}'))
    result = run(served, situation, max_firings)
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


__all__ = ["EXPLAIN", "Decision", "changes", "decide", "explain_mode", "explanation",
           "log_entry", "what_if"]
