"""Loading a rule pack folder into the model, collecting every problem found.

Parsing is structural (keys, types, shapes); cross-references and type checks
of conditions live in hunch.pack.validate so that `hunch check` can report them all.
"""

from __future__ import annotations

import glob
import os
import re
from typing import Any

from hunch.errors import HunchError, Location, PackError, YamlError, did_you_mean
from hunch.pack.grading import DEFAULT_GRADING, DIMENSIONS, graded_cf, order_problems, table
from hunch.pack.model import (
    FACT_TYPES,
    OPERATORS,
    SOURCE_KINDS,
    All,
    AnyOf,
    Compare,
    Conclusion,
    ConclusionCond,
    Condition,
    Contradiction,
    Effect,
    Evidence,
    FactRef,
    FactSpec,
    Grading,
    LogEntry,
    Not,
    Pack,
    PackTest,
    Rule,
    Source,
    SourceText,
    Words,
)
from hunch.pack.timemodel import DateInput
from hunch.pack.values import FACT_NAME, ID, RESERVED_FACTS, type_name, value_problem
from hunch.pack.yamlsource import Document, Path, load_file, short


def _builtin_dir() -> str:
    """rules/ in a source checkout; hunch/builtin_rules in an installed wheel."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # hunch/
    for candidate in (os.path.join(here, "builtin_rules"),
                      os.path.join(os.path.dirname(here), "rules")):
        if os.path.isdir(candidate):
            return candidate
    return os.path.join(os.path.dirname(here), "rules")


BUILTIN_PACK_DIR = _builtin_dir()


class Reader:
    """Reads one YAML document, recording errors instead of raising them."""

    def __init__(self, doc: Document, errors: list[HunchError],
                 groups: dict[str, list[str]] | None = None) -> None:
        self.doc = doc
        self.errors = errors
        self.groups = groups or {}  # exclusive groups, for {group: G} conditions

    def error(self, path: Path, message: str, hint: str = "") -> None:
        self.errors.append(PackError.at(self.doc.loc(path), message, hint))

    def loc(self, path: Path) -> Location:
        return self.doc.loc(path)

    def mapping(self, value: Any, path: Path, what: str, allowed: tuple[str, ...],
                required: tuple[str, ...] = ()) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.error(path, f"{what} must be a mapping, got {type_name(value)}")
            return None
        for key in value:
            if key not in allowed:
                self.error(path + (key,), f"unknown key {key!r} in {what}",
                           did_you_mean(str(key), allowed) or f"allowed: {', '.join(allowed)}")
        for key in required:
            if key not in value:
                self.error(path, f"{what} is missing {key!r}")
        return value

    def string(self, value: Any, path: Path, what: str, default: str = "") -> str:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error(path, f"{what} must be text, got {type_name(value)}")
            return default
        return str(value)

    def strings(self, value: Any, path: Path, what: str) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list):
            self.error(path, f"{what} must be a list of ids, got {type_name(value)}")
            return []
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str):
                self.error(path + (i,), f"{what} must hold ids, got {type_name(item)}")
            else:
                out.append(item)
        return out

    def boolean(self, value: Any, path: Path, what: str, default: bool = False) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(path, f"{what} must be true or false, got {short(value)}")
            return default
        return value

    def number(self, value: Any, path: Path, what: str) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.error(path, f"{what} must be a number, got {short(value)}")
            return None
        return value

    def ident(self, value: Any, path: Path, what: str, pattern: re.Pattern[str] = ID) -> str | None:
        if not isinstance(value, str) or not pattern.match(value):
            self.error(path, f"{what} {short(value)} is not a valid id",
                       "use lower case letters, digits, '-', '_' or '.'" if pattern is ID
                       else "use lower-case snake_case, starting with a letter")
            return None
        return value


def resolve_pack_path(name_or_path: str | None) -> str:
    """A pack argument is a folder path, or the name of a built-in pack."""
    if name_or_path is None:
        name_or_path = "interview-silence"
    if os.path.isdir(name_or_path):
        return name_or_path
    builtin = os.path.join(BUILTIN_PACK_DIR, name_or_path)
    if os.sep not in name_or_path and os.path.isdir(builtin):
        return builtin
    known = builtin_packs()
    raise PackError(
        "no such rule pack (not a folder, nor a built-in pack)", name_or_path,
        hint=did_you_mean(name_or_path, known) or f"built-in packs: {', '.join(known)}",
    )


def builtin_packs() -> list[str]:
    if not os.path.isdir(BUILTIN_PACK_DIR):
        return []
    return sorted(d for d in os.listdir(BUILTIN_PACK_DIR)
                  if os.path.isfile(os.path.join(BUILTIN_PACK_DIR, d, "pack.yaml")))


def read_pack(path: str, errors: list[HunchError], tests: bool = True) -> Pack:
    """Parse a pack folder, appending every problem to ``errors``.

    ``tests=False`` skips tests/*.yaml: evaluating needs no test situations (and
    an installed pack's tests may point at example files it does not ship).
    """
    pack = Pack(name=os.path.basename(os.path.abspath(path)), title="", description="",
                version="", path=path)
    pack_file = os.path.join(path, "pack.yaml")
    pack.loc = Location(pack_file, 1, 1)
    doc = _load(pack_file, errors)
    if doc is not None:
        _read_meta(Reader(doc, errors), pack)
    for name, reader_fn in (("facts.yaml", _read_facts), ("conclusions.yaml", _read_conclusions),
                            ("sources.yaml", _read_sources)):
        doc = _load(os.path.join(path, name), errors)
        if doc is not None:
            reader_fn(Reader(doc, errors), pack)
    if os.path.isfile(os.path.join(path, "contradictions.yaml")):  # optional
        doc = _load(os.path.join(path, "contradictions.yaml"), errors)
        if doc is not None:
            _read_contradictions(Reader(doc, errors), pack)
    rule_files = sorted(glob.glob(os.path.join(path, "rules", "*.yaml")))
    if os.path.isfile(os.path.join(path, "rules.yaml")):
        rule_files.insert(0, os.path.join(path, "rules.yaml"))
    if not rule_files:
        errors.append(PackError("no rules: add rules.yaml or rules/*.yaml", path))
    for rule_file in rule_files:
        doc = _load(rule_file, errors)
        if doc is not None:
            _read_rules(Reader(doc, errors, pack.groups), pack)
    _read_drafts_file(path, pack, errors)
    test_files = sorted(glob.glob(os.path.join(path, "tests", "*.yaml"))) if tests else []
    for test_file in test_files:
        doc = _load(test_file, errors)
        if doc is not None:
            _read_tests(Reader(doc, errors), pack)
    return pack


def _read_drafts_file(path: str, pack: Pack, errors: list[HunchError]) -> None:
    """drafts.yaml, optional: the message or call script of actions (docs/time.md)."""
    file = os.path.join(path, "drafts.yaml")
    if os.path.isfile(file):
        doc = _load(file, errors)
        if doc is not None:
            from hunch.pack.drafts import read_drafts

            pack.drafts = read_drafts(Reader(doc, errors), doc.data, pack)


def _load(file: str, errors: list[HunchError]) -> Document | None:
    try:
        return load_file(file)
    except YamlError as exc:
        errors.append(exc)
        return None


def _read_meta(r: Reader, pack: Pack) -> None:
    data = r.mapping(r.doc.data, (), "pack.yaml",
                     ("name", "title", "description", "version", "grading", "words",
                      "min_certainty"), ("name",))
    if data is None:
        return
    if "words" in data:
        pack.words = read_words(r, data["words"], ("words",))
    if "min_certainty" in data:
        pack.min_certainty = read_min_certainty(r, data["min_certainty"], ("min_certainty",))
    if "grading" in data:
        pack.grading = read_grading(r, data["grading"], ("grading",))
    name = r.ident(data.get("name"), ("name",), "pack name") if "name" in data else None
    pack.name = name or pack.name
    pack.title = r.string(data.get("title"), ("title",), "title")
    pack.description = r.string(data.get("description"), ("description",), "description")
    pack.version = r.string(data.get("version"), ("version",), "version")


_FACT_KEYS = ("type", "question", "description", "unit", "values", "min", "max", "default",
              "required", "asked_when")
_DERIVED_KEYS = ("type", "description", "unit", "values", "min", "max", "observable",
                 "question")


def _read_facts(r: Reader, pack: Pack) -> None:
    data = r.mapping(r.doc.data, (), "facts.yaml", ("facts", "derived", "dates"), ("facts",))
    if data is None:
        return
    for section, derived in (("facts", False), ("derived", True)):
        entries = data.get(section)
        if entries is None:
            continue
        if not isinstance(entries, dict):
            r.error((section,), f"'{section}' must map fact names to their definitions")
            continue
        for name, body in entries.items():
            spec = _read_fact(r, (section, name), name, body, derived)
            if spec is None:
                continue
            if name in pack.facts or name in pack.derived:
                r.error((section, name), f"fact {name!r} is defined twice")
                continue
            (pack.derived if derived else pack.facts)[name] = spec
    _read_time_section(r, pack, data)


def _read_time_section(r: Reader, pack: Pack, data: dict[str, Any]) -> None:
    """The `dates:` section, read after the facts it fills in (docs/time.md)."""
    if data.get("dates") is not None:
        from hunch.pack.timeread import read_dates

        read_dates(r, data["dates"], pack)


def _read_fact(r: Reader, path: Path, name: Any, body: Any, derived: bool) -> FactSpec | None:
    if r.ident(name, path, "fact name", FACT_NAME) is None:
        return None
    if name in RESERVED_FACTS:
        r.error(path, f"fact name {name!r} is reserved", "pick another name")
        return None
    allowed = _DERIVED_KEYS if derived else _FACT_KEYS
    if body is None and derived:
        body = {}
    data = r.mapping(body, path, f"fact {name!r}", allowed, () if derived else ("type",))
    if data is None:
        return None
    ftype = data.get("type", "boolean")
    if ftype not in FACT_TYPES:
        r.error(path + ("type",), f"unknown fact type {ftype!r}",
                did_you_mean(str(ftype), FACT_TYPES) or f"use one of {', '.join(FACT_TYPES)}")
        return None
    spec = FactSpec(name=name, type=ftype, loc=r.loc(path), derived=derived,
                    question=r.string(data.get("question"), path + ("question",), "question"),
                    description=r.string(data.get("description"), path + ("description",),
                                         "description"),
                    unit=r.string(data.get("unit"), path + ("unit",), "unit"),
                    required=r.boolean(data.get("required"), path + ("required",), "required"),
                    observable=r.boolean(data.get("observable"), path + ("observable",),
                                         "observable"))
    if ftype == "enum":
        if not _read_values(r, data, path, spec):
            return None
    elif "values" in data:
        r.error(path + ("values",), "'values' is only for enum facts", "set type: enum")
    _read_bounds_and_default(r, data, path, spec)
    if not derived and not spec.question:
        r.error(path, f"fact {name!r} needs a 'question' to ask a person")
    if "asked_when" in data:
        spec.asked_when = _read_asked_when(r, data["asked_when"], path + ("asked_when",), spec)
    if derived and spec.question and not spec.observable:
        r.error(path + ("question",), "only an observable derived fact has a question",
                "add observable: true if a person can state it directly")
    return spec


def _read_values(r: Reader, data: dict[str, Any], path: Path, spec: FactSpec) -> bool:
    """An enum fact's values; False when it has none (the fact is then left out)."""
    values = data.get("values")
    if not isinstance(values, list) or not values:
        r.error(path, f"enum fact {spec.name!r} needs a non-empty 'values' list")
        return False
    if len(set(map(repr, values))) != len(values):
        r.error(path + ("values",), f"enum fact {spec.name!r} lists a value twice")
    if any(isinstance(v, bool) for v in values):
        # YAML 1.1 reads on/off/yes/no unquoted as booleans
        r.error(path + ("values",), f"enum fact {spec.name!r} has a true/false value",
                "unquoted true and false are booleans in YAML: quote them (\"true\") "
                "or pick other words")
    spec.values = values
    return True


def _read_bounds_and_default(r: Reader, data: dict[str, Any], path: Path,
                             spec: FactSpec) -> None:
    for bound in ("min", "max"):
        if bound in data:
            if spec.type not in ("integer", "number"):
                r.error(path + (bound,), f"'{bound}' is only for integer and number facts")
            else:
                setattr(spec, bound, r.number(data[bound], path + (bound,), bound))
    if spec.min is not None and spec.max is not None and spec.min > spec.max:
        r.error(path + ("min",), f"min {spec.min} is above max {spec.max}")
    if "default" in data:
        spec.has_default = True
        spec.default = data["default"]
        problem = value_problem(spec, spec.default)
        if problem:
            r.error(path + ("default",), f"default {problem}")
        if spec.required:
            r.error(path + ("required",), "a required fact cannot have a default")


def _read_asked_when(r: Reader, item: Any, path: Path, spec: FactSpec) -> Condition | None:
    """An input fact's relevance condition (checked against the other facts by
    hunch.pack.relevance once every fact is read)."""
    if spec.required:
        r.error(path, f"required fact {spec.name!r} cannot have 'asked_when'",
                "a required fact is always asked: drop required, or the condition")
        return None
    return read_condition(r, item, path)


def _read_conclusions(r: Reader, pack: Pack) -> None:
    data = r.mapping(r.doc.data, (), "conclusions.yaml", ("conclusions",), ("conclusions",))
    if data is None:
        return
    items = data.get("conclusions")
    if not isinstance(items, list):
        r.error(("conclusions",), "'conclusions' must be a list")
        return
    for i, item in enumerate(items):
        path: Path = ("conclusions", i)
        body = r.mapping(item, path, "conclusion",
                         ("id", "kind", "title", "explanation", "sources", "group",
                          "alongside", "logs"),
                         ("id", "kind", "title"))
        if body is None or "id" not in body:
            continue
        cid = r.ident(body["id"], path + ("id",), "conclusion id")
        kind = body.get("kind")
        if kind not in ("hypothesis", "action"):
            r.error(path + ("kind",), f"kind must be 'hypothesis' or 'action', got {short(kind)}")
            continue
        if cid is None:
            continue
        if cid in pack.conclusions:
            r.error(path + ("id",), f"duplicate conclusion id {cid!r}")
            continue
        pack.conclusions[cid] = Conclusion(
            id=cid, kind=kind, title=r.string(body.get("title"), path + ("title",), "title"),
            explanation=r.string(body.get("explanation"), path + ("explanation",), "explanation"),
            sources=r.strings(body.get("sources"), path + ("sources",), "sources"),
            loc=r.loc(path), group=_group(r, body, path, kind),
            alongside=_action_flag(r, body, path, kind),
            logs=_read_logs(r, body.get("logs"), path + ("logs",), pack, kind))


def _action_flag(r: Reader, body: dict[str, Any], path: Path, kind: str) -> bool:
    """`alongside: true`: an action that answers a question of its own (a coworker,
    not the job), shown beside the recommendation and never as it."""
    flag = r.boolean(body.get("alongside"), path + ("alongside",), "alongside")
    if flag and kind != "action":
        r.error(path + ("alongside",), "only an action can be 'alongside'",
                "a hypothesis is never the recommendation: drop 'alongside'")
        return False
    return flag


def _read_logs(r: Reader, item: Any, path: Path, pack: Pack, kind: str) -> tuple[LogEntry, ...]:
    """`logs: {follow_ups: {kind: email}}`: what doing an action adds to an event log
    of the `dates:` section (its date is the day it is done): docs/time.md."""
    if item is None:
        return ()
    if kind != "action" or not isinstance(item, dict) or not item:
        r.error(path, "'logs' maps an event log to the entry doing this action adds",
                "e.g. logs: {follow_ups: {kind: email}}, on an action")
        return ()
    out = []
    for name, fields in item.items():
        spec = pack.time.inputs.get(name) if isinstance(name, str) else None
        if spec is None or spec.type != "events":
            r.error(path + (name,), f"{short(name)} is not an event log of facts.yaml's 'dates:'",
                    "name a log declared with type: events")
            continue
        entry = _log_entry(r, fields, path + (name,), spec)
        if entry is not None:
            out.append(LogEntry(name, entry))
    return tuple(out)


def _log_entry(r: Reader, fields: Any, path: Path, spec: DateInput) -> dict[str, Any] | None:
    from hunch.pack.dates import field_problem  # dates reads the model this file fills

    if not isinstance(fields, dict):
        r.error(path, "give the entry's fields as a mapping", "e.g. {kind: email}")
        return None
    known = {f.name: f for f in spec.fields}
    for key, value in fields.items():
        field_spec = known.get(key) if key != "date" else None
        problem = (field_problem(field_spec, value) if field_spec is not None else
                   "the date is the day the action is done: leave it out" if key == "date"
                   else f"{spec.name} entries have no field {short(key)}")
        if problem:
            r.error(path + (key,), f"{key}: {problem}")
            return None
    missing = [f.name for f in spec.fields if f.required and f.name != "date"
               and f.name not in fields]
    if missing:
        r.error(path, f"the entry needs {', '.join(missing)}", f"fields of {spec.name}: "
                + ", ".join(sorted(known)))
        return None
    return dict(fields)


def _group(r: Reader, body: dict[str, Any], path: Path, kind: str) -> str:
    """A conclusion's exclusive group: an id; only hypotheses exclude each other."""
    if "group" not in body:
        return ""
    name = r.ident(body["group"], path + ("group",), "group name")
    if name is not None and kind != "hypothesis":
        r.error(path + ("group",), "only hypotheses can be in an exclusive group",
                "actions do not exclude each other: the top one is the recommendation")
        return ""
    return name or ""


def _read_sources(r: Reader, pack: Pack) -> None:
    data = r.mapping(r.doc.data, (), "sources.yaml", ("texts", "sources"), ("sources",))
    if data is None:
        return
    base = os.path.dirname(r.doc.file)
    texts = data.get("texts") or {}
    if not isinstance(texts, dict):
        r.error(("texts",), "'texts' must map text ids to {file, title}")
        texts = {}
    for tid, body in texts.items():
        path: Path = ("texts", tid)
        spec = r.mapping(body, path, f"text {tid!r}", ("file", "title"), ("file",))
        if spec is None or r.ident(tid, path, "text id") is None or "file" not in spec:
            continue
        file = r.string(spec.get("file"), path + ("file",), "file")
        full = os.path.normpath(os.path.join(base, file))
        title = r.string(spec.get("title"), path + ("title",), "title")
        content = ""
        try:
            from hunch.pack.yamlsource import read_text

            content = read_text(full)
        except YamlError as exc:
            r.error(path + ("file",), f"source text {file!r}: {exc.message}")
        pack.texts[tid] = SourceText(id=tid, file=file, path=full, title=title,
                                     loc=r.loc(path), text=content)
    items = data.get("sources")
    if not isinstance(items, list):
        r.error(("sources",), "'sources' must be a list")
        return
    for i, item in enumerate(items):
        source = _read_source(r, ("sources", i), item)
        if source is None:
            continue
        if source.id in pack.sources:
            r.error(("sources", i, "id"), f"duplicate source id {source.id!r}")
            continue
        pack.sources[source.id] = source


_SOURCE_TEXT = ("title", "year", "edition", "publisher", "page", "section", "url", "accessed",
                "identifier", "clause", "date")
_SOURCE_KEYS = ("id", "kind", "author", "authors", "posted", "best_answer", "favorites", "text",
                "quote") + _SOURCE_TEXT


def _read_source(r: Reader, path: Path, item: Any) -> Source | None:
    kind = item.get("kind", "post") if isinstance(item, dict) else "post"
    if kind not in SOURCE_KINDS:
        r.error(path + ("kind",), f"unknown source kind {kind!r}",
                did_you_mean(str(kind), SOURCE_KINDS) or f"use one of {', '.join(SOURCE_KINDS)}")
        return None
    # a post is quoted from its thread; other kinds may be cited without a quote
    required = ("id", "author", "quote") if kind == "post" else ("id",)
    body = r.mapping(item, path, "source", _SOURCE_KEYS, required)
    if body is None or "id" not in body:
        return None
    sid = r.ident(body["id"], path + ("id",), "source id")
    if sid is None:
        return None
    fav = body.get("favorites", 0)
    if isinstance(fav, bool) or not isinstance(fav, int) or fav < 0:
        r.error(path + ("favorites",), f"favorites must be a whole number >= 0, got {short(fav)}")
        fav = 0
    authors = tuple(r.strings(body.get("authors"), path + ("authors",), "authors"))
    author = r.string(body.get("author"), path + ("author",), "author")
    if kind != "post" and not (author or authors or body.get("title")
                               or body.get("identifier")):
        r.error(path, f"source {sid!r} names no author, title or identifier",
                "say who or what it is, so a reader can find it")
    extra = {key: r.string(body.get(key), path + (key,), key) for key in _SOURCE_TEXT}
    return Source(
        id=sid, author=author or ", ".join(authors),
        posted=r.string(body.get("posted"), path + ("posted",), "posted"),
        best_answer=r.boolean(body.get("best_answer"), path + ("best_answer",), "best_answer"),
        favorites=fav, text=r.string(body.get("text"), path + ("text",), "text"),
        quote=r.string(body.get("quote"), path + ("quote",), "quote"),
        loc=r.loc(path), quote_loc=r.loc(path + ("quote", "<value>")), kind=kind,
        authors=authors, **extra)


def _read_rules(r: Reader, pack: Pack) -> None:
    data = r.mapping(r.doc.data, (), "rules file", ("rules",), ("rules",))
    if data is None:
        return
    items = data.get("rules")
    if not isinstance(items, list):
        r.error(("rules",), "'rules' must be a list")
        return
    for i, item in enumerate(items):
        rule = _read_rule(r, ("rules", i), item, pack.grading or DEFAULT_GRADING)
        if rule is not None:
            pack.rules.append(rule)


def _read_rule(r: Reader, path: Path, item: Any, grading: Grading) -> Rule | None:
    body = r.mapping(item, path, "rule",
                     ("id", "when", "then", "cites", "because", "distinct", "evidence"),
                     ("id", "when", "then"))
    if body is None or not {"id", "when", "then"} <= set(body):
        return None
    rid = r.ident(body["id"], path + ("id",), "rule id")
    when = read_condition(r, body["when"], path + ("when",))
    evidence = (read_evidence(r, body["evidence"], path + ("evidence",), grading)
                if "evidence" in body else None)
    then = [_graded(effect, evidence, grading)
            for effect in _read_effects(r, body["then"], path + ("then",), grading)]
    complete = len(then) == (len(body["then"]) if isinstance(body["then"], list) else 1)
    cites = r.strings(body.get("cites"), path + ("cites",), "cites")
    because = r.string(body.get("because"), path + ("because",), "because")
    distinct = r.string(body.get("distinct"), path + ("distinct",), "distinct")
    if rid is None or when is None or not then or not complete:
        return None
    # A rule whose only errors are shape errors that lose nothing (an unknown key)
    # is kept, so its other mistakes are reported too; the pack still fails to
    # load, because the read errors stand.
    return Rule(id=rid, when=when, then=then, cites=cites, because=because, loc=r.loc(path),
                file=r.doc.file, distinct=distinct, evidence=evidence)


def read_condition(r: Reader, item: Any, path: Path) -> Condition | None:
    loc = r.loc(path)
    if not isinstance(item, dict):
        r.error(path, f"a condition must be a mapping, got {type_name(item)}",
                "e.g. {fact: days_since_interview, gt: 7}")
        return None
    keys = set(item)
    for combinator, cls in (("all", All), ("any", AnyOf)):
        if combinator in keys:
            return _combined(r, item, path, combinator, cls)
    if "not" in keys:
        if len(keys) > 1:
            r.error(path, "'not' must stand alone in its mapping")
            return None
        inner = read_condition(r, item["not"], path + ("not",))
        return Not(inner, loc) if inner is not None else None
    if "conclusion" in keys:
        if len(keys) > 1:
            r.error(path, "a conclusion condition takes no operator",
                    "it holds when some rule supported the conclusion")
            return None
        cid = r.ident(item["conclusion"], path + ("conclusion",), "conclusion id")
        return ConclusionCond(cid, loc) if cid else None
    if "group" in keys:
        return _group_condition(r, item, path)
    if "fact" not in keys:
        r.error(path, f"unknown condition keys: {', '.join(map(str, sorted(keys, key=str)))}",
                did_you_mean(str(sorted(keys, key=str)[0]), ("fact", "all", "any", "not",
                                                             "conclusion", "group"))
                if keys else "")
        return None
    return _comparison(r, item, path)


def _combined(r: Reader, item: dict[Any, Any], path: Path, combinator: str,
              cls: type[All] | type[AnyOf]) -> Condition | None:
    """``{all: [...]}`` or ``{any: [...]}``, each item a condition."""
    if len(item) > 1:
        r.error(path, f"'{combinator}' must stand alone in its mapping")
        return None
    items = item[combinator]
    if not isinstance(items, list) or not items:
        r.error(path + (combinator,), f"'{combinator}' needs a non-empty list")
        return None
    conds = [read_condition(r, c, path + (combinator, i)) for i, c in enumerate(items)]
    if any(c is None for c in conds):
        return None
    return cls([c for c in conds if c is not None], r.loc(path))


def _comparison(r: Reader, item: dict[Any, Any], path: Path) -> Condition | None:
    """``{fact: F, OP: value}``, the value a constant or ``{fact: G}``; ``{fact: F}``
    alone tests a boolean fact."""
    loc = r.loc(path)
    fact = item["fact"]
    if not isinstance(fact, str):
        r.error(path + ("fact",), f"fact must be a fact name, got {type_name(fact)}")
        return None
    ops = [k for k in item if k != "fact"]
    if not ops:
        return Compare(fact, "eq", True, loc)
    if len(ops) > 1:
        r.error(path, f"one operator per condition, got {', '.join(map(str, ops))}",
                "combine conditions with all:")
        return None
    op = ops[0]
    if op not in OPERATORS:
        r.error(path + (op,), f"unknown operator {op!r}",
                did_you_mean(str(op), OPERATORS) or f"use one of {', '.join(OPERATORS)}")
        return None
    value = item[op]
    if isinstance(value, dict):
        if set(value) != {"fact"} or not isinstance(value["fact"], str):
            r.error(path + (op,), "a mapping value must be {fact: other_fact_name}")
            return None
        value = FactRef(value["fact"])
    return Compare(fact, op, value, loc)


def _group_condition(r: Reader, item: dict[str, Any], path: Path) -> Condition | None:
    """``{group: G}``: some conclusion of exclusive group G was supported.

    Read as ``any`` of the members' conclusion conditions, so the engine, HOW and
    WHY NOT need nothing new: an explanation names the member that held.
    """
    if len(item) > 1:
        r.error(path, "a group condition takes no operator",
                "it holds when some rule supported a conclusion of the group")
        return None
    name = item["group"]
    members = r.groups.get(name) if isinstance(name, str) else None
    if not members:
        r.error(path + ("group",), f"unknown group {short(name)}",
                did_you_mean(str(name), r.groups) or
                f"groups: {', '.join(r.groups) or 'none (set group: on hypotheses)'}")
        return None
    loc = r.loc(path)
    return AnyOf([ConclusionCond(cid, loc) for cid in members], loc)


def _read_effects(r: Reader, item: Any, path: Path, grading: Grading) -> list[Effect]:
    items = item if isinstance(item, list) else [item]
    out = []
    for i, one in enumerate(items):
        p = path + (i,) if isinstance(item, list) else path
        effect = _read_effect(r, one, p, grading)
        if effect is not None:
            out.append(effect)
    if not items:
        r.error(path, "'then' needs at least one effect")
    return out


def _read_effect(r: Reader, item: Any, path: Path, grading: Grading) -> Effect | None:
    body = r.mapping(item, path, "effect",
                     ("derive", "value", "support", "oppose", "cf", "evidence", "because"))
    if body is None:
        return None
    kinds = [k for k in ("derive", "support", "oppose") if k in body]
    if len(kinds) != 1:
        r.error(path, "an effect needs exactly one of derive, support, oppose")
        return None
    kind = kinds[0]
    target = body[kind]
    pattern = FACT_NAME if kind == "derive" else ID
    if r.ident(target, path + (kind,), "derived fact" if kind == "derive" else "conclusion id",
               pattern) is None:
        return None
    if kind != "derive" and "value" in body:
        r.error(path + ("value",), "'value' is only for derive")
    # no cf means 1.0 for every effect, as it always did for derive: a purely
    # categorical pack (docs/certainty.md) reads as plain if-then rules
    cf = body.get("cf", 1.0)
    if isinstance(cf, bool) or not isinstance(cf, (int, float)) or not 0 < cf <= 1:
        r.error(path + ("cf",), f"cf must be a number in (0, 1], got {short(cf)}",
                "use 'oppose' for evidence against" if isinstance(cf, (int, float)) and cf < 0
                else "")
        return None
    evidence = None
    if "evidence" in body:
        evidence = read_evidence(r, body["evidence"], path + ("evidence",), grading)
        if kind == "derive":
            r.error(path + ("evidence",), "'evidence' is only for support and oppose",
                    "a derived fact is a definition, not evidence: grade the rules that use it")
    because = r.string(body.get("because"), path + ("because",), "because").strip()
    if because and kind == "derive":
        r.error(path + ("because",), "an effect's own 'because' is for support and oppose",
                "a derived fact shows in explanations under its rule's because")
    return Effect(kind=kind, target=target, cf=float(cf), loc=r.loc(path),
                  value=body.get("value", True), evidence=evidence, cf_given="cf" in body,
                  because=because)


def read_words(r: Reader, item: Any, path: Path) -> Words:
    """pack.yaml ``words:``: what the pack calls its conclusions; each key optional."""
    data = r.mapping(item, path, "words", Words._fields, ())
    if data is None:
        return Words()
    given = {k: r.string(v, path + (k,), k).strip() for k, v in data.items()
             if k in Words._fields}
    for key, word in given.items():
        if not word:
            r.error(path + (key,), f"words: {key} is empty", "give the word, or leave it out")
    words = Words(**{k: v for k, v in given.items() if v})
    for one, many in (("hypothesis", "hypotheses"), ("action", "actions")):
        if (one in given) != (many in given):
            r.error(path, f"words: give both {one} and {many}",
                    f"e.g. {one}: wine, {many}: wines")
    return words


def read_min_certainty(r: Reader, item: Any, path: Path) -> float:
    """pack.yaml ``min_certainty``: the reporting threshold, in [0, 1)."""
    value = r.number(item, path, "min_certainty")
    if value is None:
        return 0.0
    if not 0 <= value < 1:
        r.error(path, f"min_certainty {value:g} is outside [0, 1)",
                "e.g. 0.2: conclusions under 0.2 are not shown")
        return 0.0
    return value


def read_grading(r: Reader, item: Any, path: Path) -> Grading:
    """pack.yaml ``grading:``: entries over the default table (docs/certainty.md)."""
    base = DEFAULT_GRADING
    body = r.mapping(item, path, "grading", (*DIMENSIONS, "seconded", "max"))
    if body is None:
        return base._replace(loc=r.loc(path))
    tables = {}
    for dimension in DIMENSIONS:
        values = dict(table(base, dimension))
        entries = body.get(dimension) or {}
        if not isinstance(entries, dict):
            r.error(path + (dimension,), f"grading {dimension} must map grade names to numbers")
            entries = {}
        for name, number in entries.items():
            p = path + (dimension, name)
            if r.ident(name, p, f"{dimension} grade") is not None and \
                    _fraction(r, number, p, f"grading {dimension} {name!r}"):
                values[name] = float(number)
        tables[dimension] = values
    steps = {}
    for key, default in (("seconded", base.seconded), ("max", base.max)):
        number = body.get(key, default)
        steps[key] = float(number) if _fraction(r, number, path + (key,), f"grading {key}",
                                                zero=key == "seconded") else default
    grading = Grading(standing=tables["standing"], hedge=tables["hedge"], fit=tables["fit"],
                      seconded=steps["seconded"], max=steps["max"], loc=r.loc(path))
    for dimension, message in order_problems(grading):
        r.error(path + (dimension,), message, "a better grade must be worth at least as much")
    return grading


def _fraction(r: Reader, number: Any, path: Path, what: str, zero: bool = False) -> bool:
    """A grading number: in (0, 1] (or [0, 1] where 0 means "not counted")."""
    if isinstance(number, bool) or not isinstance(number, (int, float)) or \
            not (0 <= number <= 1 if zero else 0 < number <= 1):
        r.error(path, f"{what} must be a number in {'[0' if zero else '(0'}, 1], "
                      f"got {short(number)}")
        return False
    return True


def read_evidence(r: Reader, item: Any, path: Path, grading: Grading) -> Evidence | None:
    """``evidence: {standing, hedge, fit, seconded_by}``, each grade in the pack's table."""
    body = r.mapping(item, path, "evidence", (*DIMENSIONS, "seconded_by"), DIMENSIONS)
    if body is None or not set(DIMENSIONS) <= set(body):
        return None
    grades = []
    for dimension in DIMENSIONS:
        names = table(grading, dimension)
        grade = body[dimension]
        if grade not in names:
            r.error(path + (dimension,), f"unknown {dimension} grade {short(grade)}",
                    did_you_mean(str(grade), names) or f"use one of {', '.join(names)}")
            return None
        grades.append(grade)
    seconded_by = tuple(r.strings(body.get("seconded_by"), path + ("seconded_by",),
                                  "seconded_by"))
    return Evidence(standing=grades[0], hedge=grades[1], fit=grades[2], loc=r.loc(path),
                    seconded_by=seconded_by)


def _graded(effect: Effect, evidence: Evidence | None, grading: Grading) -> Effect:
    """A support/oppose effect with its grades (its own, else the rule's) and, when it
    wrote no cf, the cf they give."""
    if effect.kind == "derive":
        return effect
    evidence = effect.evidence or evidence
    if evidence is None:
        return effect
    cf = effect.cf if effect.cf_given else graded_cf(grading, evidence)
    return effect._replace(evidence=evidence, cf=cf)


def _read_contradictions(r: Reader, pack: Pack) -> None:
    """contradictions.yaml: answers that cannot all hold (docs/authoring.md)."""
    data = r.mapping(r.doc.data, (), "contradictions.yaml", ("contradictions",),
                     ("contradictions",))
    items = data.get("contradictions") if data else None
    if data is not None and not isinstance(items, list):
        r.error(("contradictions",), "'contradictions' must be a list")
        return
    seen: set[str] = set()
    for i, item in enumerate(items or []):
        found = _read_contradiction(r, ("contradictions", i), item, pack)
        if found is not None and found.id in seen:
            r.error(("contradictions", i, "id"), f"contradiction {found.id!r} is listed twice")
        elif found is not None:
            seen.add(found.id)
            pack.contradictions.append(found)


def _read_contradiction(r: Reader, path: Path, item: Any, pack: Pack) -> Contradiction | None:
    body = r.mapping(item, path, "a contradiction", ("id", "answers", "says"),
                     ("id", "answers", "says"))
    if body is None:
        return None
    cid = r.ident(body.get("id"), path + ("id",), "contradiction id")
    says = r.string(body.get("says"), path + ("says",), "says")
    answers = body.get("answers")
    if not isinstance(answers, dict) or len(answers) < 2:
        r.error(path + ("answers",), "'answers' must map two or more input facts to values",
                "e.g. answers: {power_light: dark, self_test_prints: true}")
        return None
    out = []
    for name, given in answers.items():
        spec = pack.facts.get(name) if isinstance(name, str) else None
        if spec is None:
            r.error(path + ("answers", name), f"{short(name)} is not an input fact of this pack",
                    did_you_mean(str(name), list(pack.facts)) or "")
            continue
        values = tuple(given) if isinstance(given, list) else (given,)
        for value in values:
            problem = value_problem(spec, value)
            if problem:
                r.error(path + ("answers", name), f"{name}: {problem}")
        out.append((name, values))
    if cid is None or not says or len(out) != len(answers):
        return None
    return Contradiction(cid, tuple(out), says, r.loc(path))


def _read_tests(r: Reader, pack: Pack) -> None:
    data = r.mapping(r.doc.data, (), "tests file", ("tests",), ("tests",))
    if data is None:
        return
    items = data.get("tests")
    if not isinstance(items, list):
        r.error(("tests",), "'tests' must be a list")
        return
    for i, item in enumerate(items):
        path: Path = ("tests", i)
        body = r.mapping(item, path, "test", ("name", "situation", "situation_file", "expect"),
                         ("name", "expect"))
        if body is None:
            continue
        situation = body.get("situation")
        lines: dict[str, int] = {}
        if "situation_file" in body:
            sit_path = os.path.join(os.path.dirname(r.doc.file), str(body["situation_file"]))
            try:
                sdoc = load_file(sit_path)
            except YamlError as exc:
                r.errors.append(exc)
                continue
            situation = sdoc.data
            lines = {k: sdoc.loc((k,)).line for k in situation} if isinstance(situation, dict) \
                else {}
        elif isinstance(situation, dict):
            lines = {k: r.loc(path + ("situation", k)).line for k in situation}
        if not isinstance(situation, dict):
            r.error(path, "a test needs a 'situation' mapping (or 'situation_file')")
            continue
        expect = body.get("expect")
        if not isinstance(expect, dict):
            r.error(path + ("expect",), "'expect' must be a mapping")
            continue
        pack.tests.append(PackTest(name=r.string(body.get("name"), path + ("name",), "name"),
                                   situation=situation, situation_lines=lines, expect=expect,
                                   loc=r.loc(path)))
