"""`hunch plan` and `hunch sweep` as text and JSON, and the "What happens next"
section of evaluate's outputs (docs/time.md)."""

from __future__ import annotations

import textwrap
from datetime import date
from typing import Any

from hunch.engine.evaluate import Result
from hunch.explain.plan import Act, Band, Plan, Step, written
from hunch.output.formats import with_words
from hunch.output.width import fit
from hunch.pack.dates import date_text
from hunch.pack.model import Pack
from hunch.pack.timemodel import EventField
from hunch.record import Slot

# a result whose "What happens next" was not asked for (`?next=off` of the service)
_NO_PLAN: Slot[bool] = Slot("no plan")


def step_json(step: Step) -> dict[str, Any]:
    """A step: the keys of docs/time.md, then (issue 24) the follow-ups done in it
    (logged or assumed) and whether it comes once the last ones went unanswered."""
    return {"from": date_text(step.start), **_advice(step.result),
            "done": [act_json(a) for a in step.acts], "if_no_answer": step.after_no_answer}


def act_json(act: Act) -> dict[str, Any]:
    return {"log": act.log, **written(act.entry), "assumed": act.assumed}


def act_text(act: Act, pack: Pack) -> str:
    """One follow-up in words: "call on 2026-11-22 (answered, callback_promised_for
    2026-11-23)", from the log's own fields."""
    spec = pack.time.inputs.get(act.log)
    what: list[str] = []
    notes: list[str] = []
    for f in spec.fields if spec is not None else ():
        value = act.entry.get(f.name)
        if f.name == "date" or value is None or value is False or value == f.default:
            continue
        if f.type in ("enum", "string") and f.required:
            what.append(str(value))
        elif f.type == "boolean":
            notes.append(f.name.replace("_", " "))
        else:
            shown = date_text(value) if isinstance(value, date) else value
            notes.append(f"{f.name.replace('_', ' ')} {shown}")
    head = f"{' '.join(what) or act.log} on {date_text(act.day)}"
    return head + (f" ({', '.join(notes)})" if notes else "")


def acts_line(step: Step, pack: Pack) -> str:
    """What the person does in a step: logged ("you did") and assumed."""
    logged = [act_text(a, pack) for a in step.acts if not a.assumed]
    assumed = [act_text(a, pack) for a in step.acts if a.assumed]
    parts = ([f"logged: {'; '.join(logged)}"] if logged else []) + \
        ([f"assumed done, and not answered: {'; '.join(assumed)}"] if assumed else [])
    return "; ".join(parts)


def _advice(result: Result) -> dict[str, Any]:
    best = result.recommendation
    return {"recommendation": best.id if best else None,
            "title": best.title if best else None,
            "certainty": round(best.certainty, 4) if best else None,
            "reason": best.reason() if best else None}


def plan_json(p: Plan, situation: str) -> dict[str, Any]:
    return {"situation": situation, "as_of": date_text(p.as_of),
            "plan": [step_json(s) for s in p.steps],
            "until": date_text(p.until), "ends": p.end or None,
            "if": [{"fact": e.fact, "question": e.question} for e in p.events]}


def _when(p: Plan, step: Step) -> str:
    if step.start == p.as_of:
        return "now"
    return f"{'if no answer by' if step.after_no_answer else 'from'} {date_text(step.start)}"


def plan_lines(p: Plan) -> list[str]:
    """The plan as lines of text: one per change, then what would change it now."""
    out = []
    for step in p.steps:
        best = step.result.recommendation
        what = f"{best.title} ({with_words(best.certainty)}): {best.reason()}" if best \
            else "no action has positive certainty"
        out.extend(textwrap.wrap(f"{_when(p, step)}: {what}", width=fit(78), initial_indent="  ",
                                 subsequent_indent="    "))
        if step.acts:
            out.extend(textwrap.wrap(f"({acts_line(step, step.result.pack)})", width=fit(78),
                                     initial_indent="    ", subsequent_indent="     "))
    tail = f"(looked ahead to {date_text(p.until)}" + (f"; then: {p.end})" if p.end else ")")
    out.extend(textwrap.wrap(tail, width=fit(78), initial_indent="  ", subsequent_indent="   "))
    if p.events:
        out.append("  Would change it now, if it became known:")
        for e in p.events:
            out.extend(textwrap.wrap(e.question or e.fact, width=fit(78),
                                     initial_indent="    - ", subsequent_indent="      "))
    return out


def plan_text(p: Plan, situation: str) -> str:
    head = [f"situation: {situation}", f"as of: {date_text(p.as_of)}", "",
            "What happens next, if nothing else changes"]
    return "\n".join(head + plan_lines(p)) + "\n"


def next_markdown(p: Plan) -> list[str]:
    out = ["", "### What happens next", "", f"As of {date_text(p.as_of)}, if nothing else "
           "changes:", ""]
    for step in p.steps:
        best = step.result.recommendation
        out.append(f"- {_when(p, step)}: **{best.title if best else 'no action'}**"
                   + (f" ({best.reason()})" if best else "")
                   + (f"; {acts_line(step, step.result.pack)}" if step.acts else ""))
    return out


def sweep_json(bands: list[Band], fact: str) -> dict[str, Any]:
    return {"fact": fact, "bands": [{"from": b.low, "to": b.high, **_advice(b.result)}
                                    for b in bands]}


def sweep_text(bands: list[Band], fact: str) -> str:
    out = [f"The recommendation along {fact}"]
    for b in bands:
        best = b.result.recommendation
        span = f"{b.low:g}" if b.low == b.high else f"{b.low:g} to {b.high:g}"
        out.append(f"  {fact} {span}: {best.title if best else 'no action'}"
                   + (f" ({with_words(best.certainty)})" if best else ""))
    return "\n".join(out) + "\n"


def as_of_line(result: Result) -> str:
    day = result.situation.as_of
    return f"as of: {date_text(day)}" if day is not None else ""




# --- evaluate's outputs: the as-of date, "What happens next", the draft ----------------

def next_plan(result: Result) -> Plan | None:
    """The plan of a situation that gives dates (or an as-of date), else None (also
    when it was skipped: see skip_next)."""
    from hunch.explain.plan import plan

    day = result.situation.as_of
    if day is None or result.memo.get(_NO_PLAN):
        return None
    return plan(result.pack, result.situation, day, now=result)


def skip_next(result: Result) -> None:
    """The plan not worked out (a request that does not want it: it re-evaluates the
    situation on every day where a count may cross a threshold). evaluate's JSON then
    says so: ``next`` is ``[]`` with ``"next_complete": false``, which a situation that
    gives dates never has otherwise (a plan has at least its as-of day)."""
    result.memo.put(_NO_PLAN, True)


def draft_text(result: Result) -> str | None:
    """The recommendation's draft with the situation's values filled in, or None."""
    from hunch.pack.drafts import fill

    best = result.recommendation
    draft = result.pack.drafts.get(best.id) if best is not None else None
    if draft is None:
        return None
    sit = result.situation
    values: dict[str, Any] = {**sit.values, **sit.dates}
    if sit.as_of is not None:
        values["as_of"] = date_text(sit.as_of)
    return fill(draft, values)


def draft_json(result: Result) -> dict[str, Any] | None:
    best = result.recommendation
    text = draft_text(result)
    if best is None or text is None:
        return None
    draft = result.pack.drafts[best.id]
    return {"kind": draft.kind, "text": text, "cites": list(draft.cites)}


def time_json(result: Result, data: dict[str, Any]) -> None:
    """Add the keys of docs/time.md to evaluate's JSON: recommendation.draft always;
    as_of and next when the situation gives dates or an as-of date."""
    if data.get("recommendation") is not None:
        data["recommendation"]["draft"] = draft_json(result)
    p = next_plan(result)
    if p is not None:
        data["as_of"] = date_text(p.as_of)
        data["next"] = [step_json(s) for s in p.steps]
    elif result.situation.as_of is not None:  # skipped (skip_next)
        data.update(as_of=date_text(result.situation.as_of), next=[], next_complete=False)


def time_table(result: Result, draft: bool) -> list[str]:
    """The draft (with --draft) and "What happens next", as lines of evaluate's table."""
    out: list[str] = []
    text = draft_text(result) if draft else None
    if text:
        out += ["", f"Draft ({result.pack.drafts[result.recommendation.id].kind}):"]  # type: ignore[union-attr]
        out += ["  " + line if line else "" for line in text.splitlines()]
    p = next_plan(result)
    if p is not None:
        out += ["", f"What happens next (as of {date_text(p.as_of)}, if nothing else changes)"]
        out += plan_lines(p)
    return out


def time_markdown(result: Result, draft: bool) -> list[str]:
    out: list[str] = []
    text = draft_text(result) if draft else None
    if text:
        out += ["", "### Draft", "", "```text", text, "```"]
    p = next_plan(result)
    if p is not None:
        out += next_markdown(p)
    return out




def dates_json(pack: Pack) -> dict[str, Any]:
    """A pack's date inputs and what they compute, for a client that asks for dates
    (the page's date pickers and follow-up log): `GET /v1/packs/{pack}`."""
    def field_json(f: EventField) -> dict[str, Any]:
        out: dict[str, Any] = {"name": f.name, "type": f.type, "required": f.required}
        if f.values:
            out["values"] = list(f.values)
        if f.default is not None:
            out["default"] = f.default
        if f.not_before:
            out["not_before"] = f.not_before
        return out

    inputs = [{"name": i.name, "type": i.type, "question": " ".join(i.question.split()),
               "past": i.past, "not_before": i.not_before or None,
               **({"fields": [field_json(f) for f in i.fields]} if i.type == "events" else {})}
              for i in pack.time.inputs.values()]
    computed = {c.fact: {"kind": c.kind, "from": list(c.sources)}
                for c in pack.time.computed.values()}
    return {"inputs": inputs, "computed": computed}


__all__ = ["act_json", "act_text", "acts_line", "as_of_line", "dates_json", "draft_json",
           "draft_text", "next_markdown", "next_plan", "plan_json", "plan_lines", "plan_text",
           "step_json", "sweep_json", "sweep_text", "time_json", "time_markdown", "time_table"]
