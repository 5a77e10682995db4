"""The OpenAPI 3.1 document, built from the served packs' own JSON Schemas.

Each pack gets its own paths (``/v1/decisions/interview-silence``, ...) whose
request body names that pack's situation schema (what `hunch schema situation`
prints), so a client generator makes a real type per pack. OpenAPI 3.1 schemas
are JSON Schema, so the pack's schema goes in as it is, less ``$schema``.
"""

from __future__ import annotations

from typing import Any

from hunch.pack.jsonschema import situation_schema
from hunch.serve.decisions import EXPLAIN, NEXT, UNKNOWNS
from hunch.serve.packs import Served
from hunch.serve.problems import AS_OF_WORDS
from hunch.version import __version__

ERROR = {"$ref": "#/components/schemas/Error"}


WORDS = {400: "Bad input (the CLI's message, with JSON pointers); or, code invalid_host, a "
              "Host header that names no host the server answers to",
         401: "Missing or wrong bearer token", 404: "Unknown pack or conclusion",
         408: "The body did not arrive within the request's time budget (body_too_slow)",
         413: "Body over the size limit, or a batch over --max-batch",
         415: "Content type not accepted",
         503: "Packs still loading (loading); the engine busy (busy, with Retry-After); the "
              "request over its time budget (over_time_budget); the decision log unwritable "
              "(decision_log_unwritable)"}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again (busy)",
                               "schema": {"type": "string"}}}


# every route answers it, before any route runs, on a server checking Host names
HOST_REFUSED = {"description": "A Host header that names no host the server answers to "
                               "(invalid_host; docs/security.md)",
                "content": {"application/json": {"schema": ERROR}}}


def _error_responses(*codes: int) -> dict[str, Any]:
    out: dict[str, Any] = {str(c): {"description": WORDS[c],
                                    "content": {"application/json": {"schema": ERROR}}}
                           for c in codes}
    if 503 in codes:
        out["503"]["headers"] = RETRY_AFTER
    return out


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _post(summary: str, request: dict[str, Any], response: dict[str, Any], tag: str,
          params: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "tags": [tag],
                          "requestBody": {"required": True, **_json(request)},
                          "responses": {"200": {"description": "OK", **_json(response)},
                                        **_error_responses(400, 401, 404, 408, 413, 415, 503)}}
    if params:
        op["parameters"] = params
    return {"post": op}


def _mode_param(name: str, choices: tuple[str, ...], description: str) -> dict[str, Any]:
    """A decision's ?explain=, ?unknowns= or ?next=: its choices are the ones the service
    checks (decisions.py); empty means the default, the first choice."""
    return {"name": name, "in": "query", "required": False,
            "schema": {"type": "string", "enum": [*choices, ""], "default": choices[0]},
            "description": description}


EXPLAIN_PARAM = _mode_param("explain", EXPLAIN,
                            "Add the account of the top hypothesis and the recommendation "
                            "(as `hunch evaluate --explain`); empty is off.")
UNKNOWNS_PARAM = _mode_param("unknowns", UNKNOWNS,
                             "off: skip the \"Still unknown\" analysis (most of a decision's "
                             "time): `unknowns` is then empty, `unknowns_complete` false and "
                             "`unknowns_unexamined` lists the facts not examined; empty is full.")
NEXT_PARAM = _mode_param("next", NEXT,
                         "off: skip \"What happens next\" (the plan along time of a situation "
                         "that gives dates, most of such a decision's time): `next` is then "
                         "empty and `next_complete` false; empty is full.")
PACK_PARAM = {"name": "pack", "in": "path", "required": True, "schema": {"type": "string"},
              "description": "A served pack's name (GET /v1/packs lists them)"}


def _shared_schemas() -> dict[str, Any]:
    """The schemas every served pack shares: errors and the shapes of the answers."""
    return {
        "Error": {"type": "object", "required": ["code", "message", "errors"], "properties": {
            "code": {"type": "string"}, "message": {"type": "string"},
            "errors": {"type": "array", "items": {"type": "object", "required": [
                "pointer", "message"], "properties": {
                "pointer": {"type": "string", "description": "JSON pointer into the body"},
                "message": {"type": "string"}, "line": {"type": "integer"},
                "column": {"type": "integer"}}}}}},
        "Decision": {"type": "object", "description": "The JSON of `hunch evaluate --format "
                     "json` (docs/json.md) plus decision_id, revision and input.",
                     "required": ["pack", "hypotheses", "actions", "recommendation",
                                  "decision_id", "revision"],
                     "properties": {"pack": {"type": "string"},
                                    "hypotheses": {"type": "array", "items": {"type": "object"}},
                                    "actions": {"type": "array", "items": {"type": "object"}},
                                    "recommendation": {"type": ["object", "null"]},
                                    "unknowns": {"type": "array", "items": {"type": "object"}},
                                    "decision_id": {"type": "string"},
                                    "revision": {"type": "string"}}},
        "WhatIf": {"type": "object", "description": "The JSON of `hunch what-if --format json`"
                   " (docs/explain.md) plus revision."},
        "NextQuestion": {
            "type": "object", "required": ["pack", "revision", "next", "questions_left"],
            "description": "What `hunch ask` would ask next (docs/serve.md, \"The page\").",
            "properties": {
                "pack": {"type": "string"}, "revision": {"type": "string"},
                "questions_left": {"type": "integer", "minimum": 0},
                "next": {"description": "null when no answer could change the advice",
                         "anyOf": [{"type": "null"}, {
                             "type": "object",
                             "required": ["name", "type", "question", "required", "why",
                                          "ask_as"],
                             "properties": {"name": {"type": "string"},
                                            "type": {"type": "string"},
                                            "question": {"type": "string"},
                                            "required": {"type": "boolean"},
                                            "why": {"type": "string"},
                                            "ask_as": {"type": ["string", "null"]}}}]}}},
        "Explanation": {"type": "object", "description": "The JSON of `hunch explain --format "
                        "json` (docs/explain.md) plus revision."},
    }


def _components(packs: list[Served]) -> dict[str, Any]:
    schemas = _shared_schemas()
    for served in packs:
        schema = dict(situation_schema(served.pack))
        schema.pop("$schema", None)
        if "_pack" in schema["properties"]:
            # the URL names the pack; a situation file's _pack (or null) is let through
            # not blank as Python's str.strip() sees it (\x1c-\x1f and \x85 included)
            schema["properties"] = {**schema["properties"], "_pack": {
                **schema["properties"]["_pack"], "type": ["string", "null"],
                "pattern": "[^\\s\\x1c-\\x1f\\x85]"}}
        schemas[_name(served, "Situation")] = schema
        schemas[_name(served, "Answers")] = _answers(schema)
    return {"schemas": schemas, "securitySchemes": {"bearer": {"type": "http",
                                                               "scheme": "bearer"}}}


def _answers(situation: dict[str, Any]) -> dict[str, Any]:
    """A consultation's answers so far (next-question): a situation in which nothing is
    required yet, and any fact may be null ("I don't know")."""
    out = {k: v for k, v in situation.items() if k not in ("required", "allOf")}
    properties = {}
    for name, schema in situation["properties"].items():
        kind = schema.get("type")
        if isinstance(kind, str) and "enum" not in schema:
            schema = {**schema, "type": [kind, "null"]}
        elif "enum" in schema and None not in schema["enum"]:
            schema = {**schema, "enum": [*schema["enum"], None]}
        properties[name] = schema
    out["properties"] = properties
    out["title"] = situation.get("title", "") + ": answers so far"
    return out


def _name(served: Served, what: str) -> str:
    return "".join(part.capitalize() for part in served.name.replace("_", "-").split("-")) + what


def _pack_paths(served: Served) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{_name(served, 'Situation')}"}
    name = served.name
    decision = {"$ref": "#/components/schemas/Decision"}
    # null is "not given", as the server reads it (the input's _as_of, else today)
    as_of = {"type": ["string", "null"], "format": "date", "description": AS_OF_WORDS}
    single = {"type": "object", "required": ["input"], "properties": {"input": ref,
                                                                      "as_of": as_of},
              "additionalProperties": False}
    # explain and what-if take no input as an empty situation, if the pack can have one
    optional = {"type": "object", "properties": {"input": ref, "as_of": as_of},
                "additionalProperties": False}
    if any(spec.required for spec in served.pack.facts.values()):
        optional["required"] = ["input"]
    return {
        f"/v1/decisions/{name}": _post(f"Decide a situation ({name})", single, decision, name,
                                       [EXPLAIN_PARAM, UNKNOWNS_PARAM, NEXT_PARAM]),
        f"/v1/decisions/{name}/batch": _post(
            f"Decide many situations, results in order ({name})",
            {"type": "object", "required": ["inputs"], "additionalProperties": False,
             "properties": {"inputs": {"type": "array", "items": {"anyOf": [ref, {
                 "description": "anything else: this item's error in its place, the other "
                                "items decided (an item loses only itself)"}]}},
                            "as_of": as_of}},
            {"type": "object", "properties": {"results": {"type": "array", "items": {
                "anyOf": [decision, {"type": "object", "required": ["situation", "error"]}]}}}},
            name, [EXPLAIN_PARAM, UNKNOWNS_PARAM, NEXT_PARAM]),
        f"/v1/whatif/{name}": _post(
            f"The advice before and after changing facts ({name})",
            {**optional,
             "properties": {"input": ref, "set": _changes(served), "add": _additions(served),
                            "flip": {"type": "boolean"}, "as_of": as_of},
             # the server needs something to change: a fact to set, a log to add to, or
             # flip: true
             "anyOf": [{"required": ["set"], "properties": {"set": {"minProperties": 1}}},
                       {"required": ["add"], "properties": {"add": {"minProperties": 1}}},
                       {"required": ["flip"], "properties": {"flip": {"const": True}}}]},
            {"$ref": "#/components/schemas/WhatIf"}, name),
        f"/v1/next-question/{name}": _post(
            f"The next question to ask, as `hunch ask` would ({name})",
            {"type": "object", "additionalProperties": False,
             "properties": {"input": {"$ref": f"#/components/schemas/{_name(served, 'Answers')}"},
                            "as_of": as_of}},
            {"$ref": "#/components/schemas/NextQuestion"}, name),
        f"/v1/explain/{name}/{{conclusion}}": {"post": {
            **_post(f"HOW or WHY NOT for one conclusion ({name})", optional,
                    {"$ref": "#/components/schemas/Explanation"}, name)["post"],
            "parameters": [{"name": "conclusion", "in": "path", "required": True,
                            "schema": {"type": "string", "enum": sorted(served.pack.conclusions)
                                       + sorted(served.pack.derived)}}]}},
    }


def _changes(served: Served) -> dict[str, Any]:
    """``set`` of a what-if: facts, dates and logs (a log whole) and new values, each as the
    situation has it, not null."""
    facts = situation_schema(served.pack)["properties"]
    properties = {}
    for name, schema in facts.items():
        if name not in served.pack.facts and name not in served.pack.time.inputs:
            continue  # _pack, _as_of, derived facts a situation may state
        schema = dict(schema)
        if "enum" in schema:
            schema["enum"] = [v for v in schema["enum"] if v is not None]
        if isinstance(schema.get("type"), list):
            schema["type"] = next(t for t in schema["type"] if t != "null")
        properties[name] = schema
    return {"type": "object", "properties": properties, "additionalProperties": False}


def _additions(served: Served) -> dict[str, Any]:
    """``add`` of a what-if: a log and the entries added to it, one or a list."""
    facts = situation_schema(served.pack)["properties"]
    logs = [name for name, item in served.pack.time.inputs.items() if item.type == "events"]
    return {"type": "object", "additionalProperties": False, "description":
            "entries added to a log (`hunch what-if --set LOG+=...`): one entry or a list",
            "properties": {name: {"anyOf": [facts[name]["items"], {
                "type": "array", "items": facts[name]["items"]}]} for name in logs}}


def _get(summary: str, tag: str = "service", status: tuple[int, ...] = (401, 503),
         media: str = "application/json", pack: bool = False,
         public: bool = False) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "tags": [tag], "responses": {
        "200": {"description": "OK", "content": {media: {"schema": {}}}},
        "400": HOST_REFUSED, **_error_responses(*status)}}
    if pack:
        op["parameters"] = [PACK_PARAM]
    if public:
        op["security"] = []  # no token needed, even on a server that has one
    return {"get": op}


def document(packs: list[Served], secured: bool) -> dict[str, Any]:
    paths: dict[str, Any] = {
        "/health": _get("Ready when every pack has loaded (503 until then)", status=(503,),
                        public=True),
        "/version": _get("Versions of hunch and of the served packs", status=(), public=True),
        "/metrics": _get("Prometheus metrics (text format)", status=(401,),
                         media="text/plain"),
        "/v1/status": _get("Each pack's revision and how its last reload went", status=(401,)),
        "/v1/packs": _get("The served packs", "packs"),
        "/v1/packs/{pack}": _get("A pack's facts (with questions), conclusions, sources",
                                 "packs", (401, 404, 503), pack=True),
        "/v1/packs/{pack}/schema": _get("JSON Schema of the pack's situations", "packs",
                                        (401, 404, 503), pack=True),
    }
    for served in packs:
        paths.update(_pack_paths(served))
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "hunch", "version": __version__,
                 "description": "Decisions with explanations from cited rule packs "
                                "(docs/serve.md)."},
        "paths": paths,
        "components": _components(packs),
    }
    if secured:
        doc["security"] = [{"bearer": []}]
    return doc


__all__ = ["document"]
