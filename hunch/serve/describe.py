"""A pack as the API shows it: what a client or the page needs to ask its questions."""

from __future__ import annotations

from typing import Any

from hunch.output.formats import source_json
from hunch.output.plan import dates_json
from hunch.pack.model import FactSpec, condition_data
from hunch.serve.packs import Served


def summary(served: Served) -> dict[str, Any]:
    pack = served.pack
    return {"name": pack.name, "title": pack.title, "description": " ".join(
        pack.description.split()), "version": pack.version, "revision": served.revision,
        "facts": len(pack.facts), "rules": len(pack.rules)}


def fact_json(spec: FactSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"name": spec.name, "type": spec.type,
                           "question": " ".join(spec.question.split()),
                           "description": " ".join(spec.description.split()),
                           "unit": spec.unit, "required": spec.required}
    if spec.values is not None:
        out["values"] = list(spec.values)
    if spec.min is not None:
        out["min"] = spec.min
    if spec.max is not None:
        out["max"] = spec.max
    if spec.has_default:
        out["default"] = spec.default
    if spec.asked_when is not None:  # ask it only when this holds (docs/authoring.md)
        out["asked_when"] = condition_data(spec.asked_when)
    return out


def describe(served: Served) -> dict[str, Any]:
    """Facts with their questions, conclusions, sources with where they were said."""
    pack = served.pack
    texts = {t.id: t.title or t.file for t in pack.texts.values()}
    return {
        **summary(served),
        "facts": [fact_json(spec) for spec in pack.facts.values()],
        "conclusions": [{"id": c.id, "kind": c.kind, "title": c.title,
                         "explanation": " ".join(c.explanation.split()),
                         "sources": list(c.sources)} for c in pack.conclusions.values()],
        "sources": [{**source_json(s), "text": s.text, "where": texts.get(s.text, s.text)}
                    for s in pack.sources.values()],
        "texts": [{"id": t.id, "title": t.title, "file": t.file} for t in pack.texts.values()],
        "dates": dates_json(pack),  # docs/time.md
    }


__all__ = ["describe", "fact_json", "summary"]
