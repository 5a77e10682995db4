"""Rendering explanations: text trees, JSON, Mermaid and Graphviz dot.

Everything here is a pure function of the objects hunch.explain builds.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

from hunch.engine.evaluate import Ranked, Result
from hunch.explain.how import Explanation, FactNode, Flip, Flips, RuleNode, WhatIf
from hunch.explain.unknowns import top_hypothesis
from hunch.explain.world import PASSED, Check, RuleCheck, fmt_value, rule_where, where_of
from hunch.output.contradictions import notice_json, notice_lines
from hunch.output.formats import change_json, fmt_cf, rounded, stopped_text
from hunch.output.width import fit, fit_lines, fit_table
from hunch.pack.model import Source

WIDTH = 78


def signed(value: float) -> str:
    return f"{value:+.2f}"


# --- a tree of text lines -----------------------------------------------------------

@dataclass
class _Line:
    """One tree node: its lines of text and its children."""

    text: list[str]
    kids: list[_Line] = field(default_factory=list)


def _draw(nodes: list[_Line], prefix: str = "") -> list[str]:
    out: list[str] = []
    for i, node in enumerate(nodes):
        last = i == len(nodes) - 1
        branch, more = ("└─ ", "   ") if last else ("├─ ", "│  ")
        out.append(prefix + branch + node.text[0])
        out.extend(prefix + more + ("│  " if node.kids else "   ") + line
                   for line in node.text[1:])
        out.extend(_draw(node.kids, prefix + more))
    return out


def _wrap(text: str, narrower: int = 12) -> list[str]:
    return textwrap.wrap(" ".join(text.split()), width=fit(WIDTH) - narrower) or [""]


# --- HOW and WHY NOT as text ----------------------------------------------------------

class _TextHow:
    """The HOW tree as text; a derived fact already shown is not expanded again."""

    def __init__(self) -> None:
        self.shown: set[int] = set()

    def rule(self, node: RuleNode) -> _Line:
        rule = node.rule
        head = (f"{signed(node.contribution)}  {rule.id}  (cf {signed(node.cf)} x premise "
                f"{fmt_cf(node.premise)})")
        text = [head] + (_wrap(rule.because) if rule.because else [])
        if rule.cites:
            text.append("cites: " + ", ".join(rule.cites))
        kids = [self.fact(f) for f in node.facts]
        kids += [_Line([f"not {name}: holds, no rule "
                        f"{'derived' if kind == 'derived' else 'supported'} it"])
                 for kind, name in node.absent]
        return _Line(text, kids)

    def fact(self, node: FactNode) -> _Line:
        if node.kind == "input":
            return _Line([_input_text(node)])
        label = node.name if node.kind == "derived" else f"conclusion {node.name}"
        if node.kind == "derived" and node.value is not True:
            label += f" = {fmt_value(node.value)}"
        label += f"  ({node.kind}, certainty {fmt_cf(node.certainty)})"
        if id(node) in self.shown:
            return _Line([label + ", shown above"])
        self.shown.add(id(node))
        return _Line([label], [self.rule(r) for r in node.rules])


def _input_text(node: FactNode) -> str:
    text = f"{node.name} = {fmt_value(node.value)}" if node.given else node.name
    text += f"  [{node.where}]"
    checks = [c for c in node.checks if not _trivial(c, node)]
    if checks:
        text += "  " + "; ".join(f"{c.text}: {c.status}" for c in checks)
    return text


def _trivial(check: Check, node: FactNode) -> bool:
    """A test that only restates the value (`internal_candidate`, `x = large`)."""
    if check.status != PASSED:
        return False
    return check.text in (node.name, f"{node.name} = {fmt_value(node.value)}")


def _check_lines(check: Check, shown: set[int]) -> _Line:
    if check.node in ("all", "any"):
        words = "all of" if check.node == "all" else "any of"
        return _Line([f"{words}: {check.status}"], [_check_lines(c, shown) for c in check.items])
    if check.node == "not":
        return _Line([f"not: {check.status}"], [_check_lines(c, shown) for c in check.items])
    text = f"{check.text}: {check.status} ({check.seen})"
    if not check.because:
        return _Line([text])
    if id(check.because) in shown:
        return _Line([text + "; why: see above"])
    shown.add(id(check.because))
    return _Line([text], [_rule_check_lines(rc, shown) for rc in check.because])


def _rule_check_lines(rc: RuleCheck, shown: set[int]) -> _Line:
    rule = rc.rule
    if rc.effect == "derive":
        head = f"{rule.id} (derives {rule.then[0].target}): {rc.status}"
        text = [head]
    else:
        head = (f"{rule.id}: {rc.status}; would add {signed(rc.would_add)} "
                f"(certainty would be {fmt_cf(rc.would_be)})")
        text = [head] + (_wrap(rule.because) if rule.because else [])
        if rule.cites:
            text.append("cites: " + ", ".join(rule.cites))
    kids = [_check_lines(rc.check, shown)]
    if rc.check.node == "all":
        kids = kids[0].kids  # "all of" directly under a rule says nothing new
    return _Line(text, kids)


def explanation_text(x: Explanation, unknowns: bool = True) -> str:
    """HOW (the rules that fired), WHY NOT (those that did not) and the unknowns."""
    out = [f"{x.id}: {x.title}" if x.title else x.id, _status_line(x),
           f"situation: {x.result.situation.file}", "", *notice_lines(x.result)]
    fired = x.support + x.oppose
    if fired:
        out.append(f"HOW: {_count(len(x.support), 'rule') if x.support else 'none'} for, "
                   f"{_count(len(x.oppose), 'rule') if x.oppose else 'none'} against")
        how = _TextHow()
        out.extend(_draw([how.rule(n) for n in fired]))
        parts = " ".join(signed(n.contribution) for n in fired)
        out.append(f"combined: {parts} -> {fmt_cf(x.certainty)}")
    else:
        verb = "derives" if x.kind == "derived" else "concludes"
        out.append(f"HOW: no rule that {verb} it fired")
    if x.not_fired:
        out += ["", f"WHY NOT: {_count(len(x.not_fired), 'rule')} could have "
                    f"{'derived' if x.kind == 'derived' else 'concluded'} it but did not fire"]
        shown: set[int] = set()
        out.extend(_draw([_rule_check_lines(rc, shown) for rc in x.not_fired]))
    out.extend(quoted_text(x))
    unchecked = unverified_sources(x)
    if unchecked:
        out += ["", "Sources not verified (no shipped text to check their quotes against):"]
        out.extend(f"  {s.id}: {s.citation or s.name}" for s in unchecked)
    if unknowns and x.unknowns:
        out += ["", "Still unknown, and could change it:"]
        for u in x.unknowns:
            best = u.examples[0]
            out.append(f"  {u.fact}: with {fmt_value(best.value)}, certainty "
                       f"{fmt_cf(best.certainty)} (now {fmt_cf(x.certainty)})")
            out.extend("    " + line for line in _wrap(u.question, 4))
    note = stopped_text(x.unknowns_unexamined, "  ") if unknowns else ""
    if note and not x.unknowns:
        out += ["", "Still unknown:"]
    return fit_lines("\n".join(out)) + "\n" + note


def quoted_text(x: Explanation) -> list[str]:
    """What the source ids in the HOW tree say: each cited passage's quote, once, under
    its id (the tree names sources by id to stay narrow; issue 26)."""
    pack = x.result.pack
    ids: list[str] = []
    stack = list(x.support + x.oppose)
    while stack:
        node = stack.pop(0)
        ids += node.rule.cites
        stack += [r for f in node.facts for r in f.rules]
    ids += [sid for rc in x.not_fired for sid in rc.rule.cites]  # WHY NOT names them too
    found = [pack.sources[sid] for sid in dict.fromkeys(ids) if sid in pack.sources]
    found = [s for s in found if s.quote.strip()]
    if not found:
        return []
    out = ["", "Quoted:"]
    for source in found:
        out.extend(textwrap.wrap(f'{source.id}: "{" ".join(source.quote.split())}"',
                                 width=fit(WIDTH), initial_indent="  ",
                                 subsequent_indent="    "))
    return out


def unverified_sources(x: Explanation) -> list[Source]:
    """The sources this explanation cites whose quotes could not be checked."""
    pack = x.result.pack
    conclusion = pack.conclusions.get(x.id)
    ids = list(conclusion.sources) if conclusion else []
    ids += [sid for n in x.support + x.oppose for sid in n.rule.cites]
    ids += [sid for rc in x.not_fired for sid in rc.rule.cites]
    found = (pack.sources.get(sid) for sid in dict.fromkeys(ids))
    return [s for s in found if s is not None and not s.verified]


def _status_line(x: Explanation) -> str:
    if x.kind == "derived":
        return f"derived fact, certainty {fmt_cf(x.certainty)}" + \
            ("" if x.reached else ": not derived")
    words = x.result.pack.words  # the pack's own words for its kinds (pack.yaml)
    kind = words.hypothesis if x.kind == "hypothesis" else words.action
    if not x.reached:
        state = "concluded, but not above 0" if x.support or x.oppose else "not concluded"
        return f"{kind}, certainty {fmt_cf(x.certainty)}: {state}"
    plural = words.hypotheses if x.kind == "hypothesis" else words.actions
    return f"{kind}, certainty {fmt_cf(x.certainty)}, rank {x.rank} of {x.of} {plural}" + \
        (_ALONGSIDE if _alongside(x) else "")


_ALONGSIDE = " (alongside: shown beside the recommendation, never as it)"


def _alongside(x: Explanation) -> bool:
    conclusion = x.result.pack.conclusions.get(x.id)
    return conclusion is not None and conclusion.alongside


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


# --- summary (evaluate --explain) -----------------------------------------------------

def summary_text(x: Explanation) -> list[str]:
    """A few lines: the rules for and against, and the input facts it rests on."""
    out = [f"{x.id} ({fmt_cf(x.certainty)}): "
           f"{_count(len(x.support), 'rule') if x.support else 'none'} for, "
           f"{len(x.oppose) or 'none'} against"]
    for sign, nodes in (("+", x.support), ("-", x.oppose)):
        if nodes:
            parts = [f"{n.rule.id} {signed(n.contribution)}" for n in nodes[:3]]
            if len(nodes) > 3:
                parts.append(f"{len(nodes) - 3} more")
            out += _wrap_items(f"{sign} ", parts)
    inputs = [f"{f.name}={fmt_value(f.value)} ({_short_where(f.where)})" if f.given
              else f"{f.name} not given" for f in x.inputs()]
    if inputs:
        out += _wrap_items("rests on: ", inputs)
    return ["  " + out[0]] + out[1:]


def _wrap_items(head: str, items: list[str]) -> list[str]:
    """Comma-separated items on lines of at most WIDTH, never breaking an item."""
    lines, line = [], "    " + head
    for i, item in enumerate(items):
        text = item + ("," if i < len(items) - 1 else "")
        if len(line) + len(text) > fit(WIDTH) and line.strip() != head.strip():
            lines.append(line.rstrip())
            line = "      "
        line += text + " "
    return lines + [line.rstrip()]


def _short_where(where: str) -> str:
    origin, semi, place = where.rpartition("; ")  # "23 days: since ...; file:line"
    _, sep, line = place.rpartition(":")
    short = f"line {line}" if sep and line.isdigit() else place
    return f"{origin}; {short}" if semi else short


def account_text(result: Result, mode: str) -> str:
    """`evaluate --explain`: an account of the top hypothesis and the recommendation."""
    from hunch.explain.how import explain

    targets = [r for r in (top_hypothesis(result), result.recommendation) if r is not None]
    targets += result.also  # the side matters shown with the recommendation
    if not targets:
        return ""
    if mode == "full":
        return "\n".join(explanation_text(explain(result, r.id, unknowns=False), unknowns=False)
                         for r in targets)
    out = ["Why (hunch explain SITUATION ID tells the whole story)"]
    for ranked in targets:
        out += summary_text(explain(result, ranked.id, unknowns=False))
    return fit_lines("\n".join(out)) + "\n"


# --- explanation as JSON -------------------------------------------------------------

def explanation_json(x: Explanation) -> dict[str, Any]:
    result = x.result
    return {
        "situation": result.situation.file,
        "pack": result.pack.name,
        "id": x.id,
        "kind": x.kind,
        "title": x.title,
        "certainty": rounded(x.certainty),
        "rank": x.rank or None,
        "reached": x.reached,
        "alongside": _alongside(x),
        "support": [rule_node_json(n, x) for n in x.support],
        "oppose": [rule_node_json(n, x) for n in x.oppose],
        "inputs": [{"fact": f.name, "value": f.value, "where": f.where}
                   for f in x.inputs() if f.given],
        "not_fired": [rule_check_json(rc, x) for rc in x.not_fired],
        **({"unverified_sources": [s.id for s in unverified_sources(x)]}
           if unverified_sources(x) else {}),
        "unknowns": [{"fact": u.fact, "question": " ".join(u.question.split()),
                      "could_change": list(u.could_change),
                      "examples": [change_json(c, certainty=True) for c in u.examples]}
                     for u in x.unknowns],
        **_unexamined_json("unknowns", x.unknowns_unexamined),
        **notice_json(result),
    }


def rule_node_json(node: RuleNode, x: Explanation) -> dict[str, Any]:
    rule = node.rule
    return {"rule": rule.id, "effect": node.effect, "cf": node.cf,
            "premise": rounded(node.premise), "contribution": rounded(node.contribution),
            "because": rule.because, "cites": list(rule.cites),
            "where": rule_where(rule, x.result.pack),
            "facts": [fact_node_json(f, x) for f in node.facts],
            "absent": [{"kind": kind, "name": name} for kind, name in node.absent]}


def fact_node_json(node: FactNode, x: Explanation) -> dict[str, Any]:
    if node.kind == "input":
        return {"kind": "input", "fact": node.name, "value": node.value, "given": node.given,
                "where": node.where, "checks": [check_json(c) for c in node.checks]}
    key = "fact" if node.kind == "derived" else "id"
    out: dict[str, Any] = {"kind": node.kind, key: node.name}
    if node.kind == "derived":
        out["value"] = node.value
    out["certainty"] = rounded(node.certainty)
    out["rules"] = [rule_node_json(r, x) for r in node.rules]
    return out


def rule_check_json(rc: RuleCheck, x: Explanation) -> dict[str, Any]:
    rule = rc.rule
    out = {"rule": rule.id, "effect": rc.effect, "cf": rc.cf, "status": rc.status,
           "would_add": rounded(rc.would_add), "would_be": rounded(rc.would_be),
           "because": rule.because, "cites": list(rule.cites),
           "where": rule_where(rule, x.result.pack), "when": check_json(rc.check, x)}
    if rc.effect == "derive":
        out["derives"] = rule.then[0].target if rule.then else ""
        del out["would_be"]
    return out


def check_json(check: Check, x: Explanation | None = None) -> dict[str, Any]:
    if check.node in ("all", "any"):
        return {check.node: [check_json(c, x) for c in check.items], "status": check.status}
    if check.node == "not":
        return {"not": check_json(check.items[0], x), "status": check.status}
    out: dict[str, Any] = {"test": check.text, "status": check.status, "seen": check.seen}
    if check.missing:
        out["missing"] = list(check.missing)
    if check.because and x is not None:
        out["not_fired"] = [rule_check_json(rc, x) for rc in check.because]
    return out


# --- graphs ---------------------------------------------------------------------------

@dataclass
class _Graph:
    """Nodes (key -> label lines, class) and edges (from, to, label, against)."""

    nodes: dict[str, tuple[list[str], str]] = field(default_factory=dict)
    edges: list[tuple[str, str, str, bool]] = field(default_factory=list)

    def node(self, key: str, label: list[str], cls: str) -> str:
        self.nodes.setdefault(key, (label, cls))
        return key

    def edge(self, src: str, dst: str, label: str = "", against: bool = False) -> None:
        if (src, dst, label, against) not in self.edges:
            self.edges.append((src, dst, label, against))


def graph_of(x: Explanation) -> _Graph:
    """The HOW derivation as a graph: input facts -> rules -> facts -> ... -> conclusion."""
    g = _Graph()
    target = g.node(f"c:{x.id}", [x.id, f"certainty {fmt_cf(x.certainty)}"],
                    "conclusion" if x.kind != "derived" else "derived")
    done: set[int] = set()
    for node in x.support + x.oppose:
        _graph_rule(g, node, target, x, done)
    if not x.support and not x.oppose:
        for rc in x.not_fired:
            key = g.node(f"r:{rc.rule.id}", [rc.rule.id, f"did not fire ({rc.status})",
                                              f"would add {signed(rc.would_add)}"], "absent")
            g.edge(key, target, signed(rc.would_add), against=True)
    return g


def _graph_rule(g: _Graph, node: RuleNode, target: str, x: Explanation, done: set[int]) -> None:
    key = g.node(f"r:{node.rule.id}", [node.rule.id, f"cf {signed(node.cf)} x premise "
                                                      f"{fmt_cf(node.premise)}"], "rule")
    g.edge(key, target, signed(node.contribution), against=node.contribution < 0)
    if id(node) in done:
        return
    done.add(id(node))
    for fact in node.facts:
        g.edge(_graph_fact(g, fact, x, done), key)
    for kind, name in node.absent:
        g.edge(g.node(f"n:{kind}:{name}", [f"not {name}", "nothing asserted it"], "absent"), key)


def _graph_fact(g: _Graph, fact: FactNode, x: Explanation, done: set[int]) -> str:
    if fact.kind == "input":
        label = [f"{fact.name} = {fmt_value(fact.value)}", fact.where] if fact.given \
            else [fact.name, "not given"]
        return g.node(f"i:{fact.name}", label, "input")
    if fact.kind == "conclusion":
        key = g.node(f"c:{fact.name}", [fact.name, f"certainty {fmt_cf(fact.certainty)}"],
                     "conclusion")
    else:
        name = fact.name if fact.value is True else f"{fact.name} = {fmt_value(fact.value)}"
        key = g.node(f"d:{fact.name}={fmt_value(fact.value)}",
                     [name, f"certainty {fmt_cf(fact.certainty)}"], "derived")
    for rule in fact.rules:
        _graph_rule(g, rule, key, x, done)
    return key


def _ids(g: _Graph) -> dict[str, str]:
    return {key: f"n{i}" for i, key in enumerate(g.nodes, start=1)}


_MERMAID_SHAPE = {"conclusion": ('["', '"]'), "rule": ('(["', '"])'), "derived": ('("', '")'),
                  "input": ('[/"', '"/]'), "absent": ('("', '")')}
_MERMAID_CLASS = {
    "conclusion": "fill:#fde2e2,stroke:#a33,stroke-width:2px",
    "rule": "fill:#ffffff,stroke:#888",
    "derived": "fill:#e2f0e2,stroke:#494",
    "input": "fill:#e2e8fd,stroke:#449",
    "absent": "fill:#f4f4f4,stroke:#999,stroke-dasharray:4 3",
}


def _mermaid_escape(text: str) -> str:
    return (text.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;")
            .replace(">", "#gt;"))


def mermaid(x: Explanation) -> str:
    """The derivation as a Mermaid flowchart (paste into a ```mermaid block)."""
    g = graph_of(x)
    ids = _ids(g)
    out = ["flowchart LR"]
    for key, (lines, cls) in g.nodes.items():
        left, right = _MERMAID_SHAPE[cls]
        out.append(f"  {ids[key]}{left}{'<br/>'.join(_mermaid_escape(s) for s in lines)}{right}")
    for src, dst, label, against in g.edges:
        arrow = "-.->" if against else "-->"
        text = f'|"{_mermaid_escape(label)}"|' if label else ""
        out.append(f"  {ids[src]} {arrow}{text} {ids[dst]}")
    for cls, style in _MERMAID_CLASS.items():
        members = [ids[k] for k, (_, c) in g.nodes.items() if c == cls]
        if members:
            out.append(f"  classDef {cls} {style}")
            out.append(f"  class {','.join(members)} {cls}")
    return "\n".join(out) + "\n"


_DOT_SHAPE = {"conclusion": 'shape=box, style="rounded,bold,filled", fillcolor="#fde2e2"',
              "rule": 'shape=box, style="filled", fillcolor="#ffffff"',
              "derived": 'shape=ellipse, style="filled", fillcolor="#e2f0e2"',
              "input": 'shape=parallelogram, style="filled", fillcolor="#e2e8fd"',
              "absent": 'shape=ellipse, style="dashed"'}


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def dot(x: Explanation) -> str:
    """The derivation as a Graphviz digraph (render with `dot -Tsvg`)."""
    g = graph_of(x)
    ids = _ids(g)
    out = [f'digraph "{_dot_escape(x.id)}" {{', "  rankdir=LR;",
           '  node [fontname="Helvetica", fontsize=10];',
           '  edge [fontname="Helvetica", fontsize=9];']
    for key, (lines, cls) in g.nodes.items():
        text = "\\n".join(_dot_escape(s) for s in lines)
        out.append(f'  {ids[key]} [label="{text}", {_DOT_SHAPE[cls]}];')
    for src, dst, label, against in g.edges:
        attrs = [f'label="{_dot_escape(label)}"'] if label else []
        if against:
            attrs += ["style=dashed", 'color="#aa3333"']
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        out.append(f"  {ids[src]} -> {ids[dst]}{suffix};")
    out.append("}")
    return "\n".join(out) + "\n"


# --- what-if --------------------------------------------------------------------------

def _brief(item: Ranked | None) -> str:
    if item is None:
        return "none"
    tie = f", tied with {', '.join(item.tied_with)}" if item.tied_with else ""
    return f"{item.title} ({item.id}, {fmt_cf(item.certainty)}{tie})"


def _brief_json(item: Ranked | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {"id": item.id, "title": item.title, "certainty": rounded(item.certainty),
            "rank": item.rank}


def _cell(item: Ranked | None) -> str:
    return f"#{item.rank}  {fmt_cf(item.certainty)}" if item else "-"


def _change(row: Any) -> str:
    if row.before is None:
        return "new"
    if row.after is None:
        return "gone"
    if abs(row.delta) < 0.005 and row.before.rank == row.after.rank:
        return ""
    return signed(row.delta)


def what_if_text(w: WhatIf) -> str:
    situation = w.before.situation
    sets = ", ".join(f"{k} {'unknown' if v is None else '= ' + fmt_value(v)} "
                     f"(was {_was(situation, k)})" for k, v in w.sets.items())
    out = [f"What if {sets}", f"situation: {situation.file}", ""]
    for label, changed, before, after in (
            ("Recommendation", w.recommendation_changed, w.before.recommendation,
             w.after.recommendation),
            ("Top hypothesis", w.top_changed, top_hypothesis(w.before), top_hypothesis(w.after))):
        if changed:
            out += [f"{label}: CHANGED", f"  before: {_brief(before)}",
                    f"  after:  {_brief(after)}"]
        else:
            out += [f"{label}: unchanged", f"  {_brief(after)}"]
    for kind, heading in (("hypothesis", "Hypotheses"), ("action", "Actions")):
        rows = [[r.id, _cell(r.before), _cell(r.after), _change(r)]
                for r in w.rows if r.kind == kind]
        if rows:
            out += ["", heading, fit_table(rows, ["id", "before", "after", "change"])]
    return fit_lines("\n".join(out)) + "\n"


def _was(situation: Any, fact: str) -> str:
    if fact not in situation.values:
        return "not given"
    value = fmt_value(situation.values[fact])
    return f"{value}, the default" if fact in situation.defaulted else value


def what_if_json(w: WhatIf) -> dict[str, Any]:
    before, after = w.before, w.after
    return {
        "situation": before.situation.file,
        "pack": before.pack.name,
        "set": dict(w.sets),
        "facts": [{"fact": k, "before": before.situation.values.get(k),
                   "before_where": where_of(before.situation, k), "after": v}
                  for k, v in w.sets.items()],
        "before": {"recommendation": _brief_json(before.recommendation),
                   "top_hypothesis": _brief_json(top_hypothesis(before))},
        "after": {"recommendation": _brief_json(after.recommendation),
                  "top_hypothesis": _brief_json(top_hypothesis(after))},
        "recommendation_changed": w.recommendation_changed,
        "top_hypothesis_changed": w.top_changed,
        "hypotheses": [_row_json(r) for r in w.rows if r.kind == "hypothesis"],
        "actions": [_row_json(r) for r in w.rows if r.kind == "action"],
    }


def _row_json(row: Any) -> dict[str, Any]:
    return {"id": row.id, "title": row.title, "before": _brief_json(row.before),
            "after": _brief_json(row.after), "change": rounded(row.delta)}


# --- flips ----------------------------------------------------------------------------

def flips_text(result: Result, flips: Flips) -> str:
    out = [f"Recommendation now: {_brief(result.recommendation)}",
           f"situation: {result.situation.file}", ""]
    stopped = stopped_text(flips.unexamined, "")
    if not flips:
        if stopped:
            return "\n".join(out) + "\n" + stopped
        out.append("No single-fact change (at the values the rules test) changes the "
                   "recommendation.")
        return "\n".join(out) + "\n"
    out.append("Smallest single-fact changes that change the recommendation:")
    rows = [[f.fact, _was(result.situation, f.fact),
             _change_to(f),
             f"{f.recommendation.id} ({fmt_cf(f.recommendation.certainty)})"
             if f.recommendation else "none"] for f in flips]
    out.append(fit_table(rows, ["fact", "now", "change to", "recommendation then"]))
    return fit_lines("\n".join(out)) + "\n" + stopped


def _change_to(f: Flip) -> str:
    if f.unset:
        return "leave out (unknown)"
    return f"any value (e.g. {fmt_value(f.after)})" if f.any_value else fmt_value(f.after)


def flips_json(result: Result, flips: Flips) -> dict[str, Any]:
    return {
        "situation": result.situation.file,
        "pack": result.pack.name,
        "recommendation": _brief_json(result.recommendation),
        "flips": [{"fact": f.fact, "question": " ".join(f.question.split()),
                   "before": f.before, "given": f.given,
                   "where": where_of(result.situation, f.fact), "after": f.after,
                   "unset": f.unset, "any_value": f.any_value,
                   "recommendation": _brief_json(f.recommendation),
                   "top_hypothesis": _brief_json(f.top_hypothesis)} for f in flips],
        **_unexamined_json("flips", flips.unexamined),
    }


def _unexamined_json(key: str, unexamined: list[str]) -> dict[str, Any]:
    """Keys present only when a budgeted search stopped early (docs/json.md)."""
    if not unexamined:
        return {}
    return {f"{key}_complete": False, f"{key}_unexamined": list(unexamined)}


__all__ = [
    "account_text",
    "dot",
    "explanation_json",
    "explanation_text",
    "flips_json",
    "flips_text",
    "mermaid",
    "what_if_json",
    "what_if_text",
]
