"""Batches: many situations in, one result (or one error) per situation out, in input order.

Inputs are situation files, directories (their *.yaml and *.yml files, sorted) and
``-``: standard input, either JSON Lines (one object of facts per line) or one YAML or
JSON situation (see read_stdin for how the two are told apart). Every input
becomes exactly one Outcome, a rendered result or a one-line error, so nothing is
silently dropped. With ``jobs > 1`` situations run in worker processes (the
engine holds the GIL); results still come back in input order and are identical.
Output is streamed, so memory stays flat however many situations there are.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from datetime import date
from typing import Any, BinaryIO, NamedTuple

from hunch.errors import HunchError, Location, SituationError, json_safe, printable
from hunch.pack.model import Pack
from hunch.pack.yamlsource import MAX_DEPTH, MAX_FILE_BYTES, MAX_NUMBER_CHARS, short
from hunch.record import Record

_SURROGATE = re.compile(r"[\ud800-\udfff]")

STDIN = "-"
STDOUT = "-"  # as an output path (-o -)
STDIN_LABEL = "<stdin>"
SUFFIXES = (".yaml", ".yml")
CHUNK = 64  # situations per task sent to a worker: amortises the pickling round trip
WINDOW = 4  # chunks in flight per worker: bounds memory, keeps every worker busy


class Item(NamedTuple):
    """One situation to evaluate, or an input that could not become one."""

    label: str  # how outputs name it: the file path, or "<stdin>:N"
    path: str | None = None  # a YAML situation file
    raw: bytes | None = None  # one line of JSON from standard input
    line: int = 0  # that line's number
    error: str = ""  # a problem found while listing the inputs
    text: str | None = None  # one whole YAML (or JSON) situation read from standard input


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
    max_firings: int = 0  # 0: the engine's default
    debug: bool = False
    columns: int | None = None  # the terminal's width for text output (hunch.output.width)
    # "jsonl"/"json": JSON objects are encoded where they are made (in the worker),
    # not in the parent, which otherwise spends most of its time in json.dumps and
    # caps --jobs 2 (measured: 1.24x -> see docs/performance.md)
    encode: str = ""
    forced: bool = False  # --rules given: it wins over the packs situations name (_pack)
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
    if not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# --- inputs ------------------------------------------------------------------------------

def is_single(inputs: Iterable[str]) -> bool:
    """One situation file, named on its own: errors are then plain errors, not rows."""
    names = list(inputs)
    return len(names) == 1 and names[0] != STDIN and not os.path.isdir(names[0])


def expand(inputs: Iterable[str], stdin: BinaryIO | None = None,
           max_bytes: int = MAX_FILE_BYTES) -> Iterator[Item]:
    """Every input as Items, in order; directories list their situation files sorted."""
    for name in inputs:
        if name == STDIN:
            if stdin is None:
                stdin = _stdin()
            if stdin is None:
                yield Item(STDIN_LABEL, error=f"{STDIN_LABEL}: standard input is closed, "
                                              f"there is nothing to read")
            else:
                yield from read_stdin(stdin, max_bytes)[1]
        elif os.path.isdir(name):
            yield from _directory(name)
        else:
            yield file_item(name)


def _stdin() -> BinaryIO | None:
    # the binary layer under whatever sys.stdin is now (CliRunner swaps it in tests);
    # None when hunch was started with standard input closed (`<&-`)
    stream = sys.stdin
    return getattr(stream, "buffer", None) if stream is not None else None


def display_name(path: str) -> str:
    """A file name as outputs show it: bytes that are not UTF-8 as ``\\xNN``.

    os.listdir and sys.argv carry such bytes as lone surrogates (PEP 383), which no
    UTF-8 output can hold; the path itself is kept for opening the file.
    """
    if not _SURROGATE.search(path):
        return path
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def file_item(path: str) -> Item:
    return Item(display_name(path), path=path)


def _directory(folder: str) -> Iterator[Item]:
    shown = display_name(folder)
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(SUFFIXES))
    except OSError as exc:
        yield Item(shown, error=f"{shown}: cannot list the directory: {exc.strerror or exc}")
        return
    if not names:
        yield Item(shown, error=f"{shown}: no situation files (*.yaml, *.yml) in this "
                                f"directory")
    for name in names:
        yield file_item(os.path.join(folder, name))


def read_stdin(stream: BinaryIO, max_bytes: int = MAX_FILE_BYTES) -> tuple[bool, Iterator[Item]]:
    """Standard input as Items, and whether it is one document rather than JSON Lines.

    JSON Lines when the first non-blank line starts with ``{`` and ends with ``}``: a
    whole JSON object on one line, read (and streamed) line by line. Anything else,
    a YAML mapping or a pretty-printed JSON object, is one situation: the whole input,
    up to ``max_bytes``. (A one-line YAML flow mapping, ``{a: 1}``, therefore reads as
    JSON Lines and gets a JSON error: write it as block YAML.)
    """
    seen: list[bytes] = []
    while True:
        raw = stream.readline(max_bytes + 1)
        seen.append(raw)
        if not raw or raw.strip():
            break
    first = raw.strip()
    if first.startswith(b"{") and first.endswith(b"}"):
        return False, read_jsonl(_Replay(seen, stream), max_bytes)
    item = _document(b"".join(seen), stream, max_bytes)
    return not item.error, iter([item])  # an error item is reported the batch way (exit 2)


def _document(start: bytes, stream: BinaryIO, max_bytes: int) -> Item:
    try:
        return Item(STDIN_LABEL, text=read_document(stream, max_bytes, start))
    except HunchError as exc:
        return Item(STDIN_LABEL, error=exc.format())


def read_document(stream: BinaryIO, max_bytes: int = MAX_FILE_BYTES, start: bytes = b"") -> str:
    """The rest of ``stream`` (after ``start``, already read) as one situation's text."""
    from hunch.errors import YamlError
    from hunch.pack.yamlsource import decode

    raw = start + stream.read(max(0, max_bytes + 1 - len(start)))
    if len(raw) > max_bytes:
        raise YamlError(f"input is over the {max_bytes:,}-byte limit", STDIN_LABEL,
                        hint="raise it with --max-bytes")
    if not raw.strip():
        raise YamlError("no situation on standard input", STDIN_LABEL, 1,
                        hint="expected a YAML or JSON mapping of facts, or JSON Lines")
    return decode(raw, STDIN_LABEL)


class _Replay:
    """A stream whose first lines were already read: they come back first."""

    def __init__(self, lines: list[bytes], stream: BinaryIO) -> None:
        self.lines = deque(line for line in lines if line)
        self.stream = stream

    def readline(self, limit: int = -1) -> bytes:
        if self.lines:
            return self.lines.popleft()
        return self.stream.readline(limit)


def read_jsonl(stream: BinaryIO | _Replay, max_bytes: int = MAX_FILE_BYTES) -> Iterator[Item]:
    """One Item per non-blank line; a line longer than ``max_bytes`` is an error item."""
    number = 0
    found = False
    while True:
        try:
            raw = stream.readline(max_bytes + 1)
        except OSError as exc:  # e.g. EIO from a terminal that went away: the rest is lost
            found = True
            yield Item(f"{STDIN_LABEL}:{number + 1}", line=number + 1,
                       error=f"{STDIN_LABEL}:{number + 1}: cannot read standard input: "
                             f"{exc.strerror or exc}")
            break
        if not raw:
            break
        number += 1
        label = f"{STDIN_LABEL}:{number}"
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            _skip_rest_of_line(stream)
            found = True
            yield Item(label, line=number, error=f"{label}: line is over the {max_bytes:,}-byte "
                                                 f"limit (raise it with --max-bytes)")
            continue
        if not raw.strip():
            continue  # blank lines separate nothing and hold no situation
        found = True
        yield Item(label, raw=raw, line=number)
    if not found:
        yield Item(STDIN_LABEL, error=f"{STDIN_LABEL}:1: no situations (expected one JSON object "
                                      f"of facts per line)")


def _skip_rest_of_line(stream: BinaryIO | _Replay) -> None:
    while True:
        chunk = stream.readline(1 << 16)
        if not chunk or chunk.endswith(b"\n"):
            return


class JsonProblem(ValueError):
    """JSON that json.loads would take but hunch refuses (the message says why)."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise JsonProblem(f"duplicate key {short(key)}")
        out[key] = value
    return out


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise JsonProblem(f"number {short(text)} is longer than {MAX_NUMBER_CHARS} characters")
    return int(text)


def _constant(name: str) -> Any:
    raise JsonProblem(f"{name} is not a JSON number")


def strict_loads(text: str) -> Any:
    """JSON without duplicate keys, NaN or Infinity, or numerals over 100 digits.

    Raises json.JSONDecodeError, JsonProblem, or RecursionError; also used for the
    bodies `hunch serve` receives, so both read JSON alike.
    """
    return json.loads(text, object_pairs_hook=_pairs, parse_int=_int, parse_constant=_constant)


def parse_json_line(raw: bytes, line: int) -> dict[str, Any]:
    """One JSON Lines record as a mapping of facts; errors say <stdin>:line[:col]."""
    def error(message: str, column: int = 0) -> SituationError:
        return SituationError(message, STDIN_LABEL, line, column)

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", exc.start + 1) from None
    try:
        data = strict_loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"invalid JSON: {exc.msg}", exc.colno) from None
    except JsonProblem as exc:
        raise error(f"invalid JSON: {exc}") from None
    except RecursionError:
        raise error(f"nested deeper than {MAX_DEPTH} levels") from None
    if not isinstance(data, dict):
        from hunch.pack.values import type_name

        raise error(f"a situation must be a JSON object of facts, got {type_name(data)}")
    if depth_of(data) > MAX_DEPTH:
        raise error(f"nested deeper than {MAX_DEPTH} levels")
    return data


def depth_of(value: Any) -> int:
    """How deep lists and mappings nest in ``value``, measured without recursion."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            todo.extend((kid, depth + 1) for kid in (item.values() if isinstance(item, dict)
                                                    else item))
    return deepest


# --- evaluating ----------------------------------------------------------------------------

def situation_for(item: Item, pack: Pack, max_bytes: int, as_of: date | None = None) -> Any:
    """The validated Situation of a file or a JSON line."""
    from hunch.errors import SituationErrors
    from hunch.pack.validate import data_problems, situation_from, validate_situation
    from hunch.pack.yamlsource import load_file

    if item.path is not None:
        return validate_situation(load_file(item.path, max_bytes, item.label), pack, as_of)
    if item.text is not None:
        from hunch.pack.validate import validate_situation
        from hunch.pack.yamlsource import load_text

        return validate_situation(load_text(item.text, STDIN_LABEL), pack, as_of)
    assert item.raw is not None
    data = parse_json_line(item.raw, item.line)
    where = Location(STDIN_LABEL, item.line)
    problems = data_problems(data, lambda path: where, pack)
    if problems:
        raise SituationErrors(problems)
    return situation_from(item.label, data, {}, pack, as_of)


def evaluate_item(pack: Pack, item: Item, settings: Settings, reraise: bool = False) -> Outcome:
    """Evaluate one input; every failure becomes the Outcome's error (unless ``reraise``)."""
    if item.error:
        return Outcome(item.label, error=item.error)
    try:
        return Outcome(item.label, _evaluated(pack, item, settings))
    except HunchError as exc:
        if reraise:
            raise
        message = exc.format()
        if exc.file not in (item.label, STDIN_LABEL):  # e.g. the firing limit, at the pack
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
    if settings.max_firings:
        result = evaluate(pack, situation, settings.max_firings)
    else:
        result = evaluate(pack, situation)
    output = settings.render(result)
    if settings.encode and not isinstance(output, str):
        output = encoded(output, settings.encode)
    return output


def failure_message(label: str, exc: BaseException) -> str:
    """The one-line error of an item that failed other than by bad input (HunchError)."""
    if isinstance(exc, RecursionError):
        return f"{label}: input nested too deeply to process"
    if isinstance(exc, MemoryError):
        return f"{label}: out of memory evaluating this situation (it is too big)"
    return (f"{label}: internal error: {type(exc).__name__}: {short(str(exc), 200)} (a bug in "
            f"hunch; rerun with --debug for the traceback)")


_NAMED: dict[str, Pack] = {}  # packs that situations name, loaded once per process


def named_pack(item: Item, pack: Pack, settings: Settings) -> Pack:
    """The pack a situation names with _pack, unless --rules was given (docs/authoring.md)."""
    from hunch.pack.project import named_in_file, same_pack, situation_pack
    from hunch.pack.values import PACK_KEY

    if settings.forced:
        return pack
    if item.path is not None:
        name = named_in_file(item.path, settings.max_bytes)
    elif item.raw is not None and PACK_KEY.encode() in item.raw:
        name = situation_pack(parse_json_line(item.raw, item.line), STDIN_LABEL,
                              Location(STDIN_LABEL, item.line))
    else:
        name = None
    if name is None or same_pack(name, pack.path):
        return pack
    if name not in _NAMED:
        from hunch.engine.load import load_pack

        _NAMED[name] = load_pack(name)
    return _NAMED[name]


def prepare(pack: Pack) -> None:
    """Compile the pack now, so engine limits fail once, before any situation."""
    from hunch.engine.evaluate import compiled

    compiled(pack)


def cpu_count() -> int:
    """The CPUs this process may run on (its affinity mask, not the machine's total)."""
    count = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if count is not None:
        return int(count() or 1)
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def worker_count(jobs: int, items: int | None) -> int:
    """``--jobs`` capped: a worker per CPU at most (the engine is CPU-bound, more only
    compete), and no more than there are situations (``items`` is None when the
    count is unknown: standard input)."""
    jobs = min(jobs, cpu_count())
    if items is not None:
        jobs = min(jobs, items)
    return max(1, jobs)


def run(items: Iterable[Item], pack: Pack, settings: Settings,
        jobs: int = 1) -> Generator[Outcome, None, None]:
    """Outcomes in input order, one per item, from this process or ``jobs`` workers
    (capped by worker_count)."""
    prepare(pack)
    if isinstance(items, (list, tuple)):
        jobs = worker_count(jobs, len(items))
    elif jobs > 1:
        jobs = worker_count(jobs, None)
    if jobs <= 1:
        for item in items:
            yield evaluate_item(pack, item, settings)
        return
    yield from _run_pool(items, pack, settings, jobs)


# Worker processes: the pack is loaded (or inherited through fork) once per process.
_WORKER: dict[str, Any] = {}


def _init_worker(settings: Settings) -> None:
    import signal

    # the parent handles Ctrl-C and HUP (sent to the whole terminal's group), once, and
    # shuts the workers down. TERM keeps its default: concurrent.futures stops the
    # workers of a broken pool with it, and a worker that ignored it hung the parent
    # for ever (seen on Python 3.13: tests/test_reliability.py, the dead-worker test)
    for signum in (signal.SIGINT, getattr(signal, "SIGHUP", None)):
        if signum is not None:
            signal.signal(signum, signal.SIG_IGN)
    from hunch.output.width import set_columns

    set_columns(settings.columns)  # forked workers have it already; spawned ones do not
    if _WORKER.get("settings") != settings or "pack" not in _WORKER:
        from hunch.engine.load import load_pack

        _WORKER["pack"] = load_pack(settings.rules)
        _WORKER["settings"] = settings
        prepare(_WORKER["pack"])


def _work(chunk: list[Item]) -> list[Outcome]:
    pack, settings = _WORKER["pack"], _WORKER["settings"]
    return [evaluate_item(pack, item, settings) for item in chunk]


def _chunks(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _context() -> Any:
    # fork shares the loaded, compiled pack with the workers for free; spawn elsewhere.
    # Imported here: multiprocessing costs ~5 ms of start-up that --jobs 1 never needs.
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _run_pool(items: Iterable[Item], pack: Pack, settings: Settings,
              jobs: int) -> Iterator[Outcome]:
    # concurrent.futures, not multiprocessing.Pool: when a worker dies, Pool quietly
    # starts another and waits forever for the lost task; the executor raises instead.
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    _WORKER.update(pack=pack, settings=settings)
    pending: deque[Any] = deque()
    try:
        pool = ProcessPoolExecutor(jobs, mp_context=_context(), initializer=_init_worker,
                                   initargs=(settings,))
    except OSError as exc:  # out of pipes or semaphores
        _WORKER.clear()
        raise _cannot_start(jobs, exc) from None
    try:
        for chunk in _chunks(items, CHUNK):
            try:  # the workers start with the first task (with spawn, as they are needed)
                pending.append(pool.submit(_work, chunk))
            except OSError as exc:  # fork failed: the process limit (EAGAIN) or memory
                raise _cannot_start(jobs, exc) from None
            if len(pending) >= jobs * WINDOW:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    except BrokenProcessPool:
        raise HunchError("a worker process died (a bug in hunch or durable_rules; rerun "
                         "with --jobs 1 to see which situation)", "hunch") from None
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
        _WORKER.clear()


def _cannot_start(jobs: int, exc: OSError) -> HunchError:
    return HunchError(f"cannot start {jobs} worker processes: {exc.strerror or exc}", "hunch",
                      hint="use a smaller --jobs, or --jobs 1")


# --- output ------------------------------------------------------------------------------

def render_result(fmt: str, result: Any) -> Any:
    """The default Settings.render: a text block (table, markdown) or a JSON object."""
    from hunch.output import render

    if fmt == "table":
        return render.render_table(result)
    if fmt == "markdown":
        return render.render_markdown(result)
    return render.result_json(result)


def renderer(fmt: str) -> Callable[[Any], Any]:
    return functools.partial(render_result, fmt)


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


def stderr_is_tty() -> bool:
    """Whether standard error is a terminal (a function, so tests can pretend)."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def stdout_is_stderr() -> bool:
    """Whether standard output goes to the same terminal as standard error: a bar
    redrawn there would be torn by the results printed between its updates."""
    try:
        return sys.stdout.isatty() and os.path.samestat(os.fstat(sys.stdout.fileno()),
                                                        os.fstat(sys.stderr.fileno()))
    except (AttributeError, ValueError, OSError):
        return False


def wants_bar(choice: bool | None, output: str | None) -> bool:
    """--progress/--no-progress, or by default: stderr is a terminal, and the results go
    to a file (--output) or somewhere other than that terminal."""
    if choice is not None:
        return choice
    return stderr_is_tty() and (bool(output) or not stdout_is_stderr())


class Eta:
    """The bar's "eta": from the rate since the first results came in, so the
    start-up (workers loading the pack, the first chunk) does not count as the time
    every situation takes; results that come in one burst count as arriving together."""

    BURST = 0.05  # seconds: outcomes closer than this together are one burst

    def __init__(self, total: int | None, clock: Callable[[], float] | None = None) -> None:
        import time

        self.total = total
        self.clock = clock or time.monotonic
        self.count = 0
        self.start: tuple[float, int] | None = None  # (time of the first burst, its size)
        self.last = 0.0

    def __call__(self, outcome: Any) -> str | None:
        if outcome is None:
            return None
        now = self.clock()
        self.count += 1
        if self.start is None or (self.count == self.start[1] + 1
                                  and now - self.last < self.BURST):
            self.start = (self.start[0] if self.start else now, self.count)
        self.last = now
        began, first = self.start
        done, elapsed = self.count - first, now - began
        if self.total is None or done < 1 or elapsed <= 0:
            return None
        left = (self.total - self.count) * elapsed / done
        return f"eta {_duration(left)}" if left >= 1 else None


def _duration(seconds: float) -> str:
    whole = int(seconds + 0.5)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def progress(outcomes: Iterator[Outcome], total: int | None) -> Any:
    """A click progress bar over ``outcomes`` on standard error."""
    import click

    return click.progressbar(outcomes, length=total, label="evaluating", file=sys.stderr,
                             show_pos=True, show_eta=False, item_show_func=Eta(total))


# --- the whole run ---------------------------------------------------------------------------

class Summary(Record):
    """How a run went: what the exit status and the interrupt message are made of."""

    __slots__ = ("done", "failed", "total")

    def __init__(self, total: int | None) -> None:
        self.total = total  # inputs known up front (None when reading standard input)
        self.done = 0
        self.failed = 0

    def interrupted(self, output: str | None, word: str = "interrupted") -> str:
        of = f" of {self.total}" if self.total is not None else ""
        noun = "situation" if (self.total or self.done) == 1 else "situations"
        kept = f"; {output} left as it was" if output and output != STDOUT else ""
        return f"{word}: {self.done}{of} {noun} evaluated ({self.failed} failed){kept}"


def write_batch(inputs: list[str], pack: Pack, settings: Settings, fmt: str,
                output: str | None = None, jobs: int = 1,
                stdin: BinaryIO | None = None, progress: bool | None = None) -> Summary:
    """Evaluate every input and write the results; Ctrl-C exits 130 with a summary.

    A single situation file is not a batch: its error is raised as it is. In a batch
    every failure is written in place and echoed to standard error.
    """
    import click

    single = is_single(inputs)
    items: Iterable[Item]
    source = stdin if stdin is not None or inputs != [STDIN] else _stdin()
    if inputs == [STDIN] and source is not None:
        # one YAML or JSON document there is a single situation (closed stdin: expand
        # reports it as the batch's one error item)
        single, items = read_stdin(source, settings.max_bytes)
    else:
        items = expand(inputs, stdin, settings.max_bytes)
    total = None
    if STDIN not in inputs:
        items = list(items)
        total = len(items)
    if output:
        refuse_inputs(output, inputs, pack)
    summary = Summary(total)
    show_bar = not single and wants_bar(progress, output)
    errors: list[str] = []
    try:
        with _Destination(output) as write:
            sink = Sink(write, fmt, single)
            if single:
                item = next(iter(items))
                sink.add(evaluate_item(pack, item, settings, reraise=True))
                summary.done = 1
            else:
                _drain(run(items, pack, settings, jobs), sink, summary, total, show_bar, errors)
            sink.close()
    except KeyboardInterrupt as exc:  # Ctrl-C, or TERM or HUP (hunch.cli.app.Terminated)
        _echo_errors(errors)
        click.echo(summary.interrupted(output, getattr(exc, "word", "interrupted")), err=True)
        raise SystemExit(getattr(exc, "status", 130)) from None
    except BrokenPipeError:
        _quiet_stdout()  # the reader (e.g. `head`) has all it wanted
        return summary
    _echo_errors(errors)
    return summary


def _drain(outcomes: Generator[Outcome, None, None], sink: Sink, summary: Summary,
           total: int | None, show_bar: bool, errors: list[str]) -> None:
    import click

    def take(outcome: Outcome) -> None:
        sink.add(outcome)
        summary.done += 1
        if outcome.error:
            summary.failed += 1
            if show_bar:
                errors.append(outcome.error)  # printed after the bar, not through it
            else:
                click.echo(unsurrogated(outcome.error), err=True)

    try:
        if show_bar:
            with progress(outcomes, total) as bar:
                for outcome in bar:
                    take(outcome)
        else:
            for outcome in outcomes:
                take(outcome)
    finally:
        outcomes.close()  # stops worker processes now, not when garbage collected


def _echo_errors(errors: list[str]) -> None:
    import click

    for message in errors:
        click.echo(unsurrogated(message), err=True)
    errors.clear()


class _Destination:
    """A write function: to an atomically replaced file, or to standard output."""

    def __init__(self, output: str | None) -> None:
        self.output = output
        self.writer: Any = None

    def __enter__(self) -> Callable[[str], None]:
        if self.output and self.output != STDOUT:  # `-o -` is standard output
            from hunch.output.atomic import AtomicWriter

            self.writer = AtomicWriter(self.output)
            return self.writer.__enter__().write  # type: ignore[no-any-return]
        import click

        return functools.partial(click.echo, nl=False)

    def __exit__(self, *exc: Any) -> None:
        if self.writer is not None:
            self.writer.__exit__(*exc)


def refuse_inputs(output: str, inputs: list[str], pack: Pack) -> None:
    """Refuse an output path that names an input: a situation file, one in an input
    folder, or a file of the pack (hunch would replace it with the report)."""
    from hunch.output.atomic import refuse_inputs as refuse

    names = [name for name in inputs if name != STDIN]
    names += [item.path for item in expand(names) if item.path is not None]
    names += [text.path for text in pack.texts.values()]
    if pack.path and os.path.isdir(pack.path):
        for folder, _dirs, files in os.walk(pack.path):
            names += [os.path.join(folder, name) for name in files]
    refuse(output, names)


def _quiet_stdout() -> None:
    # Python flushes stdout at exit; pointing it at /dev/null keeps that flush quiet.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
