"""Batches: many situations in, one result (or one error) per situation out, in input order.

This module evaluates one Item (a situation file, a JSON line, a document from
standard input) into one Outcome, a rendered result or a one-line error, so nothing
is silently dropped, and writes outcomes as they come (Sink), so memory stays flat
however many situations there are. The other concerns have their own modules:
``inputs`` (what the inputs are, read as Items), ``strict_json`` (the JSON reader
that `hunch serve` shares), ``pool`` (``--jobs``: worker processes, input order
kept), and the terminal side is the CLI's (``hunch/cli/batch.py``).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

# what the other batch modules hold, under the names other layers import from here
# (hunch.serve.problems reads bodies with the strict JSON reader)
from hunch.batch.inputs import STDIN as STDIN
from hunch.batch.inputs import STDIN_LABEL as STDIN_LABEL
from hunch.batch.inputs import SURROGATE, item_source, parse_json_line
from hunch.batch.inputs import BadItem as BadItem
from hunch.batch.inputs import FileItem as FileItem
from hunch.batch.inputs import Item as Item
from hunch.batch.inputs import LineItem as LineItem
from hunch.batch.inputs import TextItem as TextItem
from hunch.batch.inputs import expand as expand
from hunch.batch.inputs import read_document as read_document
from hunch.batch.strict_json import JsonProblem as JsonProblem
from hunch.batch.strict_json import depth_of as depth_of
from hunch.batch.strict_json import strict_loads as strict_loads
from hunch.errors import TOO_DEEP, HunchError, Location, internal_error, json_safe, printable
from hunch.limits import DEFAULT_MAX_FIRINGS
from hunch.pack.model import Pack

if TYPE_CHECKING:
    from hunch.engine.evaluate import Result
    from hunch.pack.validate import Situation
from hunch.pack.yamlsource import MAX_FILE_BYTES, short

STDOUT = "-"  # as an output path (-o -)


class Outcome(NamedTuple):
    """What one input produced: a rendered result, or a one-line error."""

    label: str
    output: Any = None  # whatever Settings.render returned
    error: str = ""


class Settings(NamedTuple):
    """Everything a worker process needs; must pickle (no pack, no open files)."""

    rules: str | None
    render: Callable[[Any], Any]  # Result -> text block or JSON object; module-level
    max_bytes: int = MAX_FILE_BYTES
    max_firings: int = DEFAULT_MAX_FIRINGS
    debug: bool = False
    columns: int | None = None  # the terminal's width for text output (hunch.output.width)
    # "jsonl"/"json": JSON objects are encoded where they are made (in the worker),
    # not in the parent, which otherwise spends most of its time in json.dumps and
    # caps --jobs 2 (measured: 1.24x -> see docs/performance.md)
    encode: str = ""
    forced: bool = False  # --rules given: it wins over the packs situations name (_pack)
    allow_pack_path: bool = False  # hunch --allow-pack-path: _pack may name any folder
    # the project's default pack (as written, real folder), unless --rules was given:
    # a result from another pack says so in "project_pack" (docs/project.md)
    project_pack: tuple[str, str] | None = None
    as_of: date | None = None  # --as-of: the date situations' dates are counted to


def encoded(obj: Any, fmt: str) -> str:
    """A result or error object as it is written in a json or jsonl stream."""
    if fmt == "jsonl":
        return json_safe(json.dumps(obj, ensure_ascii=False))
    return json_safe(json.dumps(obj, indent=2, ensure_ascii=False))


def unsurrogated(text: str) -> str:
    """``text`` with every lone surrogate written as the escape ``\\uXXXX``.

    A JSON line may hold one (``"\\udc80"``) and so may a file name; UTF-8 cannot
    encode it, so writing it raw would kill the rest of the batch. In JSON text a
    surrogate can only stand inside a string, where ``\\uXXXX`` is its own escape,
    so the same replacement keeps JSON output valid and says what was there.
    """
    if not SURROGATE.search(text):
        return text
    return SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# --- evaluating ----------------------------------------------------------------------------

def situation_for(item: Item, pack: Pack, max_bytes: int,
                  as_of: date | None = None) -> Situation:
    """The validated Situation of a file or a JSON line."""
    from hunch.errors import SituationErrors
    from hunch.pack.validate import data_problems, situation_from, validate_situation
    from hunch.pack.yamlsource import load_file

    match item:
        case FileItem(label, path):
            return validate_situation(load_file(path, max_bytes, label), pack, as_of)
        case TextItem(_, text):
            from hunch.pack.yamlsource import load_text

            return validate_situation(load_text(text, STDIN_LABEL), pack, as_of)
        case LineItem(label, raw, line, source):
            data = parse_json_line(raw, line, source)
            where = Location(source, line)
            problems = data_problems(data, lambda path: where, pack)
            if problems:
                raise SituationErrors(problems)
            return situation_from(label, data, {}, pack, as_of)
    raise TypeError(f"not a situation: {item!r}")  # a BadItem never gets this far


def evaluate_item(pack: Pack, item: Item, settings: Settings, reraise: bool = False) -> Outcome:
    """Evaluate one input; every failure becomes the Outcome's error (unless ``reraise``)."""
    if isinstance(item, BadItem):
        return Outcome(item.label, error=item.error)
    try:
        return Outcome(item.label, _evaluated(pack, item, settings))
    except HunchError as exc:
        if reraise:
            raise
        message = exc.format()
        if exc.file not in (item.label, item_source(item)):  # e.g. the firing limit, at the pack
            message += f" (evaluating {item.label})"
        return Outcome(item.label, error=message)
    except Exception as exc:  # a bug, recursion, memory: reported in place, never losing the batch
        if reraise or settings.debug:
            raise
        return Outcome(item.label, error=failure_message(item.label, exc))


def _evaluated(pack: Pack, item: Item, settings: Settings) -> Any:
    from hunch.engine.evaluate import evaluate

    pack = named_pack(item, pack, settings)
    situation = situation_for(item, pack, settings.max_bytes, settings.as_of)
    result = evaluate(pack, situation, settings.max_firings)
    output = settings.render(result)
    project = settings.project_pack
    if isinstance(output, dict) and project and os.path.realpath(pack.path) != project[1]:
        output["project_pack"] = project[0]  # the situation's _pack chose another one
    if settings.encode and not isinstance(output, str):
        output = encoded(output, settings.encode)
    return output


RERUN_WITH_DEBUG = "rerun with --debug for the traceback"  # the CLI's pointer too (cli/app.py)


def failure_message(label: str, exc: BaseException) -> str:
    """The one-line error of an item that failed other than by bad input (HunchError)."""
    if isinstance(exc, RecursionError):
        return f"{label}: {TOO_DEEP}"
    if isinstance(exc, MemoryError):
        return f"{label}: out of memory evaluating this situation (it is too big)"
    return f"{label}: {internal_error(exc, RERUN_WITH_DEBUG, short(str(exc), 200))}"


_NAMED: dict[str, Pack] = {}  # packs that situations name, loaded once per process


def named_pack(item: Item, pack: Pack, settings: Settings) -> Pack:
    """The pack a situation names with _pack, unless --rules was given (docs/authoring.md)."""
    from hunch.pack.project import named_in_file, note_other_pack, same_pack, situation_pack
    from hunch.pack.values import PACK_KEY

    if settings.forced:
        return pack
    allow = settings.allow_pack_path
    match item:
        case FileItem(_, path):
            name = named_in_file(path, settings.max_bytes, allow)
        case LineItem(_, raw, line, source) if PACK_KEY.encode() in raw:
            name = situation_pack(parse_json_line(raw, line, source), source,
                                  Location(source, line), allow)
        case _:
            name = None
    if name is None:
        return pack
    note_other_pack(name, item.label)
    if same_pack(name, pack.path):
        return pack
    if name not in _NAMED:
        from hunch.engine.load import load_pack

        _NAMED[name] = load_pack(name)
    return _NAMED[name]


def prepare(pack: Pack) -> None:
    """Compile the pack now, so engine limits fail once, before any situation."""
    from hunch.engine.evaluate import compiled

    compiled(pack)


# --- output ------------------------------------------------------------------------------

def render_result(fmt: str, result: Result,
                  min_certainty: float | None = None) -> Any:  # str, or a JSON object (dict)
    """The default Settings.render: a text block (table, markdown) or a JSON object.
    ``min_certainty``: the reporting threshold, None for the pack's own."""
    from hunch.output import render

    if fmt == "table":
        return render.render_table(result, min_certainty=min_certainty)
    if fmt == "markdown":
        return render.render_markdown(result, min_certainty)
    return render.result_json(result, min_certainty)


def renderer(fmt: str, min_certainty: float | None = None) -> Callable[[Any], Any]:
    return functools.partial(render_result, fmt, min_certainty=min_certainty)


class Sink:
    """Writes outcomes as they arrive, in the chosen format, to a text stream."""

    def __init__(self, write: Callable[[str], None], fmt: str, single: bool = False) -> None:
        self.write = write
        self.fmt = fmt
        self.single = single
        self.count = 0
        self.failed = 0

    def add(self, outcome: Outcome) -> None:
        self.count += 1
        if outcome.error:
            self.failed += 1
        fmt = self.fmt
        if fmt == "jsonl":
            self.write(_encoded_of(outcome, fmt) + "\n")
        elif fmt == "json":
            text = _encoded_of(outcome, fmt)
            if self.single:
                self.write(text + "\n")
            else:
                self.write(("[\n" if self.count == 1 else ",\n") +
                           "\n".join("  " + line for line in text.split("\n")))
        else:
            self.write(("\n" if self.count > 1 else "") + unsurrogated(_block_of(outcome, fmt)))

    def close(self) -> None:
        if self.fmt == "json" and not self.single:
            self.write("[]\n" if self.count == 0 else "\n]\n")


def _encoded_of(outcome: Outcome, fmt: str) -> str:
    if outcome.error:
        return encoded({"situation": outcome.label, "error": outcome.error}, fmt)
    if isinstance(outcome.output, str):
        return outcome.output  # encoded by the worker
    return encoded(outcome.output, fmt)


def _block_of(outcome: Outcome, fmt: str) -> str:
    # the one place table and markdown batches pass through: pack texts, fact
    # values and file names reach the terminal with their control characters escaped
    if not outcome.error:
        return printable(str(outcome.output))
    if fmt == "markdown":
        return printable(f"**error** in `{outcome.label}`: {outcome.error}\n")
    return printable(f"situation: {outcome.label}\nerror: {outcome.error}\n")


def refuse_inputs(output: str, inputs: list[str], pack: Pack) -> None:
    """Refuse an output path that names an input: a situation file, one in an input
    folder, or a file of the pack (hunch would replace it with the report)."""
    from hunch.output.atomic import refuse_inputs as refuse

    names = [name for name in inputs if name != STDIN]
    names += [item.path for item in expand(names) if isinstance(item, FileItem)]
    names += [text.path for text in pack.texts.values()]
    if pack.path and os.path.isdir(pack.path):
        for folder, _dirs, files in os.walk(pack.path):
            names += [os.path.join(folder, name) for name in files]
    refuse(output, names)
