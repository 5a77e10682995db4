"""JSON Schema (draft-07) for situation files and for the files of a rule pack.

Editors use these for completion and validation (yaml-language-server reads a
`# yaml-language-server: $schema=...` comment). They describe the shapes only;
`hunch check` remains the authority on references, types and contradictions.
Given a pack, the rule-file schema also lists its fact names, conclusion ids
and source ids, so an editor can complete them.
"""

from __future__ import annotations

from typing import Any

from hunch.pack.grading import DEFAULT_GRADING, DIMENSIONS, table
from hunch.pack.model import FACT_TYPES, SOURCE_KINDS, FactSpec, Pack, Words, condition_data
from hunch.pack.timemodel import AS_OF_KEY, EventField
from hunch.pack.values import FACT_NAME, ID, PACK_KEY

DRAFT = "http://json-schema.org/draft-07/schema#"
PACK_FILES = ("rules", "facts", "conclusions", "sources", "pack", "tests", "contradictions")
_JSON_TYPE = {"integer": "integer", "number": "number", "boolean": "boolean", "string": "string"}


# --- situation files -------------------------------------------------------------------

def fact_schema(spec: FactSpec, from_dates: bool = False) -> dict[str, Any]:
    """One input fact; null (`~`) means unknown, except for required facts, unless
    dates may give them (``from_dates``: a null beside its dates is left to them)."""
    out: dict[str, Any] = {}
    words = [spec.question or spec.description]
    if spec.unit:
        words.append(f"({spec.unit})")
    if spec.question and spec.description:
        words.append(spec.description)
    out["description"] = " ".join(w for w in words if w)
    nullable = not spec.required or from_dates
    if spec.type == "enum":
        out["enum"] = list(spec.values or []) + ([None] if nullable else [])
    else:
        json_type = _JSON_TYPE[spec.type]
        out["type"] = [json_type, "null"] if nullable else json_type
    if spec.min is not None:
        out["minimum"] = spec.min
    if spec.max is not None:
        out["maximum"] = spec.max
    if spec.has_default:
        out["default"] = spec.default
    if spec.asked_when is not None:  # an annotation: relevance is not validity
        out["x-asked-when"] = condition_data(spec.asked_when)
    return out


def situation_schema(pack: Pack) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "$schema": DRAFT,
        "title": f"hunch situation ({pack.name})",
        "description": f"{pack.title}: a situation file, a mapping of fact names to values."
        if pack.title else "A situation file: a mapping of fact names to values.",
        "type": "object",
        "properties": {PACK_KEY: {"type": "string", "minLength": 1,
                                  "description": "the rule pack this situation is for: a "
                                                 "built-in pack name, or a folder (relative "
                                                 "to this file); not a fact"},
                       **{name: fact_schema(spec, name in pack.time.computed) for name, spec in
                          [*pack.facts.items(),
                           *((n, s) for n, s in pack.derived.items() if s.observable)]}},
        "required": [name for name, spec in pack.facts.items()
                     if spec.required and name not in pack.time.computed],
        "additionalProperties": False,
    }
    extra = _date_schema(pack)
    schema["properties"].update(extra.pop("properties", {}))
    return schema | extra


def _date_schema(pack: Pack) -> dict[str, Any]:
    """The situation schema's parts for dates (docs/time.md): `_as_of`, the date inputs,
    and a required fact that dates may give instead."""
    if pack.time.empty:
        return {}
    date = {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}$", "format": "date"}
    props: dict[str, Any] = {AS_OF_KEY: {**date, "description": "the date this situation "
                                         "describes (default: today); not a fact"}}
    for name, item in pack.time.inputs.items():
        if item.type == "date":
            props[name] = {**date, "description": item.question}
            continue
        # a field with no value (null) is a field not given, as in a file: so an optional
        # field may be null
        fields = {f.name: _entry_field(f, date) for f in item.fields}
        props[name] = {"description": item.question, "type": ["array", "null"],
                       "items": {"type": "object", "properties": fields,
                                 "required": [f.name for f in item.fields if f.required],
                                 "additionalProperties": False}}
    either = [{"anyOf": [_given([name]), _given(list(comp.sources))]}
              for name, comp in pack.time.computed.items()
              if pack.facts.get(name) is not None and pack.facts[name].required]
    return {"properties": props, "allOf": either} if either else {"properties": props}


def _entry_field(field: EventField, date: dict[str, Any]) -> dict[str, Any]:
    """One field of a log's entry."""
    if field.type == "date":
        return {**date}
    if field.type == "enum":
        return {"enum": [*field.values] + ([] if field.required else [None])}
    kind = "boolean" if field.type == "boolean" else "string"
    return {"type": kind if field.required else [kind, "null"]}


def _given(names: list[str]) -> dict[str, Any]:
    """Each of ``names`` present and not null (null is "not given", as hunch reads it)."""
    return {"required": names, "properties": {n: {"not": {"type": "null"}} for n in names}}


# --- pack files ------------------------------------------------------------------------

def _names(pattern: str, choices: list[str] | None) -> dict[str, Any]:
    if choices:
        return {"enum": sorted(choices)}
    return {"type": "string", "pattern": pattern}


def _definitions(pack: Pack | None) -> dict[str, Any]:
    return {
        **_name_definitions(pack),
        **_condition_definitions(pack),
        "effect": _effect_definition(),
        **_grading_definitions(pack),
        "ids": {"anyOf": [{"$ref": "#/definitions/conclusion_id"},
                          {"type": "array", "items": {"$ref": "#/definitions/conclusion_id"}}]},
        "ids_or_null": {"anyOf": [{"$ref": "#/definitions/ids"}, {"type": "null"}]},
    }


def _name_definitions(pack: Pack | None) -> dict[str, Any]:
    """Ids and names: any that fits the pattern, or (given a pack) one of the pack's."""
    facts = list(pack.facts) + list(pack.derived) if pack else None
    return {
        "id": {"type": "string", "pattern": ID.pattern},
        "fact_name": _names(FACT_NAME.pattern, facts),
        "derived_name": _names(FACT_NAME.pattern, list(pack.derived) if pack else None),
        "conclusion_id": _names(ID.pattern, list(pack.conclusions) if pack else None),
        "source_id": _names(ID.pattern, list(pack.sources) if pack else None),
    }


def _scalar() -> dict[str, Any]:
    return {"type": ["string", "number", "boolean"]}


def _condition_definitions(pack: Pack | None) -> dict[str, Any]:
    """A rule's `when`: a comparison, all / any / not, a conclusion, or a group."""
    fact_ref = {"type": "object", "required": ["fact"], "additionalProperties": False,
                "properties": {"fact": {"$ref": "#/definitions/fact_name"}}}
    number_or_ref = {"anyOf": [{"type": "number"}, fact_ref]}
    scalar = _scalar()
    scalar_or_ref = {"anyOf": [scalar, fact_ref]}
    return {
        "condition": {"anyOf": [{"$ref": f"#/definitions/{k}"}
                                for k in ("compare", "all", "any", "not", "conclusion",
                                          "group")]},
        "group": {"type": "object", "required": ["group"], "additionalProperties": False,
                  "description": "some conclusion of this exclusive group was supported",
                  "properties": {"group": _names(ID.pattern,
                                                 list(pack.groups) if pack else None)}},
        "compare": {
            "type": "object", "required": ["fact"], "additionalProperties": False,
            "maxProperties": 2,
            "description": "fact OP value; {fact: F} alone tests a boolean fact",
            "properties": {
                "fact": {"$ref": "#/definitions/fact_name"},
                "eq": scalar_or_ref, "ne": scalar_or_ref,
                "lt": number_or_ref, "lte": number_or_ref,
                "gt": number_or_ref, "gte": number_or_ref,
                "in": {"type": "array", "minItems": 1, "items": scalar},
                "between": {"type": "array", "minItems": 2, "maxItems": 2,
                            "items": {"type": "number"}},
                "exists": {"type": "boolean"},
            },
        },
        "all": _combinator("all", "every condition holds"),
        "any": _combinator("any", "at least one condition holds"),
        "not": {"type": "object", "required": ["not"], "additionalProperties": False,
                "properties": {"not": {"$ref": "#/definitions/condition"}}},
        "conclusion": {"type": "object", "required": ["conclusion"],
                       "additionalProperties": False,
                       "properties": {"conclusion": {"$ref": "#/definitions/conclusion_id"}}},
    }


def _effect_definition() -> dict[str, Any]:
    """A rule's `then`: derive a fact's value, or support or oppose a conclusion."""
    because = {"type": "string", "description": "this effect's own sentence (a rule with "
                                                "several effects); else the rule's because"}
    cf = {"type": "number", "exclusiveMinimum": 0, "maximum": 1,
          "default": 1,
          "description": "certainty factor in (0, 1]; 1 when left out"}
    return {"oneOf": [
        {"type": "object", "required": ["derive"], "additionalProperties": False,
         "properties": {"derive": {"$ref": "#/definitions/derived_name"}, "value": _scalar(),
                        "cf": cf}},
        *({"type": "object", "required": [kind], "additionalProperties": False,
           "properties": {kind: {"$ref": "#/definitions/conclusion_id"}, "cf": cf,
                          "evidence": {"$ref": "#/definitions/evidence"},
                          "because": because}} for kind in ("support", "oppose")),
    ]}


def _combinator(key: str, meaning: str) -> dict[str, Any]:
    return {"type": "object", "required": [key], "additionalProperties": False,
            "description": meaning,
            "properties": {key: {"type": "array", "minItems": 1,
                                 "items": {"$ref": "#/definitions/condition"}}}}


def _rules() -> dict[str, Any]:
    rule = {
        "type": "object", "required": ["id", "when", "then"], "additionalProperties": False,
        "properties": {
            "id": {"$ref": "#/definitions/id"},
            "when": {"$ref": "#/definitions/condition"},
            "then": {"anyOf": [{"$ref": "#/definitions/effect"},
                               {"type": "array", "minItems": 1,
                                "items": {"$ref": "#/definitions/effect"}}]},
            "cites": {"anyOf": [{"$ref": "#/definitions/source_id"},
                                {"type": "array", "items": {"$ref": "#/definitions/source_id"}}]},
            "because": {"type": "string", "description": "one human sentence"},
            "distinct": {"type": "string", "description": "why this rule is separate evidence "
                         "from another rule citing the same answer for the same conclusion"},
            "evidence": {"$ref": "#/definitions/evidence"},
        },
    }
    return _top("rules", {"rules": {"type": "array", "items": rule}}, ["rules"])


def _fact_definition(derived: bool) -> dict[str, Any]:
    props: dict[str, Any] = {
        "type": {"enum": list(FACT_TYPES)},
        "description": {"type": "string"},
        "unit": {"type": "string"},
        "values": {"type": "array", "minItems": 1, "items": {"type": ["string", "number"]}},
        "min": {"type": "number"},
        "max": {"type": "number"},
    }
    props["question"] = {"type": "string"}
    if not derived:
        props.update({"default": {}, "required": {"type": "boolean"},
                      "asked_when": {"$ref": "#/definitions/condition",
                                     "description": "ask this fact only when the condition "
                                                    "(over other input facts) holds"}})
    else:
        props["observable"] = {"type": "boolean",
                               "description": "a situation may state it; shown as given"}
    return {"type": ["object", "null"] if derived else "object",
            "required": [] if derived else ["type", "question"],
            "additionalProperties": False, "properties": props}


def _facts() -> dict[str, Any]:
    def section(derived: bool) -> dict[str, Any]:
        return {"type": "object", "propertyNames": {"pattern": FACT_NAME.pattern},
                "additionalProperties": _fact_definition(derived)}

    dates = {"type": "object", "description": "date inputs and the numbers computed from "
             "them (docs/time.md)", "properties": {"inputs": {"type": "object"},
                                                   "computed": {"type": "object"}},
             "additionalProperties": False}
    return _top("facts", {"facts": section(False), "derived": section(True), "dates": dates},
                ["facts"])


def _conclusions() -> dict[str, Any]:
    item = {"type": "object", "required": ["id", "kind", "title"], "additionalProperties": False,
            "properties": {"id": {"$ref": "#/definitions/id"},
                           "kind": {"enum": ["hypothesis", "action"]},
                           "title": {"type": "string"}, "explanation": {"type": "string"},
                           "group": {"type": "string", "pattern": ID.pattern,
                                     "description": "exclusive group: at most one member "
                                                    "is the answer (hypotheses only)"},
                           "sources": {"type": "array",
                                       "items": {"$ref": "#/definitions/source_id"}},
                           "alongside": {"type": "boolean",
                                         "description": "an action answering a question of "
                                                        "its own: shown beside the "
                                                        "recommendation, never as it"},
                           "logs": {"type": "object", "minProperties": 1,
                                    "description": "what doing the action adds to an event "
                                                   "log (its date: the day it is done)",
                                    "additionalProperties": {"type": "object"}}}}
    return _top("conclusions", {"conclusions": {"type": "array", "items": item}},
                ["conclusions"])


def _sources() -> dict[str, Any]:
    text = {"type": "object", "required": ["file"], "additionalProperties": False,
            "properties": {"file": {"type": "string"}, "title": {"type": "string"}}}
    words = {"type": ["string", "number"]}
    fields: dict[str, Any] = {
        "id": {"$ref": "#/definitions/id"},
        "kind": {"enum": list(SOURCE_KINDS), "default": "post",
                 "description": "post (forum answer), book, article, manual (a program's "
                                "or product's documentation), web (page), standard (or "
                                "regulation), note, interview"},
        "author": {"type": "string"},
        "authors": {"type": "array", "items": {"type": "string"},
                    "description": "book or article: every author, in order"},
        "posted": {"type": "string", "description": "post: when it was posted"},
        "best_answer": {"type": "boolean"},
        "favorites": {"type": "integer", "minimum": 0},
        "title": {"type": "string"}, "year": words, "edition": words,
        "publisher": {"type": "string"}, "page": words, "section": words,
        "url": {"type": "string", "description": "web: the page's address"},
        "accessed": {"type": "string", "description": "web: date accessed"},
        "identifier": {"type": "string", "description": "standard: e.g. 16 CFR 444.3"},
        "clause": words, "date": {"type": "string"},
        "text": {"type": "string",
                 "description": "the shipped text the quote is checked against; "
                                "without one the citation is shown as not verified"},
        "quote": {"type": "string", "description": "word for word from the text"},
    }
    post = {"if": {"properties": {"kind": {"const": "post"}}},
            "then": {"required": ["author", "quote"]}}
    item = {"type": "object", "required": ["id"], "additionalProperties": False,
            "properties": fields, "allOf": [post]}
    return _top("sources", {"texts": {"type": "object", "additionalProperties": text},
                            "sources": {"type": "array", "items": item}}, ["sources"])


def _pack_meta() -> dict[str, Any]:
    return _top("pack", {"name": {"$ref": "#/definitions/id"}, "title": {"type": "string"},
                         "description": {"type": "string"},
                         "version": {"type": ["string", "number"]},
                         "grading": {"$ref": "#/definitions/grading"},
                         "words": {"type": "object", "additionalProperties": False,
                                   "description": "what the pack calls its conclusions",
                                   "properties": {k: {"type": "string", "minLength": 1}
                                                  for k in Words._fields}},
                         "min_certainty": {"type": "number", "minimum": 0,
                                           "exclusiveMaximum": 1,
                                           "description": "tables leave out conclusions "
                                                          "under it"}}, ["name"])


def _grading_definitions(pack: Pack | None) -> dict[str, Any]:
    """A rule's ``evidence`` and pack.yaml's ``grading`` table (docs/certainty.md)."""
    grading = (pack.grading if pack else None) or DEFAULT_GRADING
    fraction = {"type": "number", "exclusiveMinimum": 0, "maximum": 1}
    grades = {}
    for dimension in DIMENSIONS:
        known = list(table(grading, dimension))
        # a pack may add grades of its own, so without a pack any id is allowed
        grades[dimension] = ({"enum": known} if pack else
                             {"type": "string", "pattern": ID.pattern, "examples": known})
    evidence = {
        "type": "object", "required": list(DIMENSIONS), "additionalProperties": False,
        "description": "what kind of evidence this is; with no cf, the cf is computed "
                       "from the pack's grading table",
        "properties": {**grades, "seconded_by": {
            "type": "array", "items": {"$ref": "#/definitions/source_id"},
            "description": "answers that second the cited point (not new evidence)"}}}
    numbers = {"type": "object", "additionalProperties": fraction,
               "propertyNames": {"pattern": ID.pattern}}
    table_schema = {
        "type": "object", "additionalProperties": False,
        "description": "grade -> number, over the default table; cf = min(max, "
                       "min(1, standing + seconded x seconders) x hedge x fit)",
        "properties": {**{d: {**numbers, "examples": [table(DEFAULT_GRADING, d)]}
                          for d in DIMENSIONS},
                       "seconded": {"type": "number", "minimum": 0, "maximum": 1,
                                    "default": DEFAULT_GRADING.seconded},
                       "max": {**fraction, "default": DEFAULT_GRADING.max}}}
    return {"evidence": evidence, "grading": table_schema}


def _tests(pack: Pack | None) -> dict[str, Any]:
    situation: dict[str, Any] = situation_schema(pack) if pack else {"type": "object"}
    situation.pop("$schema", None)
    bounds = {"type": "object", "additionalProperties": False, "minProperties": 1,
              "properties": {"min": {"type": "number", "minimum": -1, "maximum": 1},
                             "max": {"type": "number", "minimum": -1, "maximum": 1}}}
    top_n = {"type": "object", "required": ["n"], "additionalProperties": False,
             "properties": {"n": {"type": "integer", "minimum": 1},
                            "any_of": {"$ref": "#/definitions/ids"},
                            "all_of": {"$ref": "#/definitions/ids"}}}
    pair = {"type": "array", "minItems": 2, "maxItems": 2,
            "items": {"$ref": "#/definitions/conclusion_id"}}
    expect = {"type": "object", "additionalProperties": False, "properties": {
        "top_hypothesis": {"$ref": "#/definitions/ids_or_null"},
        "in_top": top_n,
        "recommendation": {"$ref": "#/definitions/ids_or_null"},
        "not_recommendation": {"$ref": "#/definitions/ids"},
        "concludes": {"$ref": "#/definitions/ids"},
        "not_concludes": {"$ref": "#/definitions/ids"},
        "certainty": {"type": "object", "additionalProperties": bounds},
        "ranks_above": {"type": "array", "items": pair},
        "derives": {"type": "object", "minProperties": 1,
                    "description": "derived facts and the value each must have "
                                   "(false: not derived)",
                    "propertyNames": {"$ref": "#/definitions/derived_name"},
                    "additionalProperties": {"type": ["string", "number", "boolean"]}},
        "exactly": {"type": "array", "items": {"$ref": "#/definitions/conclusion_id"},
                    "description": "every conclusion with certainty > 0, no more, no fewer"},
    }}
    test = {"type": "object", "required": ["name", "expect"], "additionalProperties": False,
            "properties": {"name": {"type": "string"}, "situation": situation,
                           "situation_file": {"type": "string"}, "expect": expect}}
    return _top("tests", {"tests": {"type": "array", "items": test}}, ["tests"])


def _contradictions() -> dict[str, Any]:
    """contradictions.yaml: answers that cannot all hold (docs/authoring.md)."""
    value = {"type": ["string", "number", "boolean"]}
    answers = {"type": "object", "minProperties": 2,
               "propertyNames": {"pattern": FACT_NAME.pattern},
               "additionalProperties": {"anyOf": [value, {"type": "array", "items": value,
                                                          "minItems": 1}]},
               "description": "input facts and the value (or values) that cannot all hold"}
    item = {"type": "object", "required": ["id", "answers", "says"], "additionalProperties": False,
            "properties": {"id": {"$ref": "#/definitions/id"}, "answers": answers,
                           "says": {"type": "string"}}}
    return _top("contradictions", {"contradictions": {"type": "array", "items": item}},
                ["contradictions"])


def _top(kind: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"title": f"hunch rule pack: {kind} file", "type": "object",
            "properties": properties, "required": required, "additionalProperties": False}


def pack_schema(kind: str = "rules", pack: Pack | None = None) -> dict[str, Any]:
    """The schema of one kind of pack file (see PACK_FILES)."""
    build = {"rules": _rules, "facts": _facts, "conclusions": _conclusions,
             "sources": _sources, "pack": _pack_meta,
             "contradictions": _contradictions}.get(kind)
    if kind == "tests":
        body = _tests(pack)
    elif build is not None:
        body = build()
    else:
        raise ValueError(f"unknown pack file kind {kind!r}")
    return {"$schema": DRAFT, **body, "definitions": _definitions(pack)}


__all__ = ["PACK_FILES", "pack_schema", "situation_schema"]
