"""Batches: many situations in, one result (or one error) per situation out, in input order.

Inputs are situation files, directories (their *.yaml and *.yml files, sorted) and
``-``: JSON Lines on standard input, one object of facts per line. Every input
becomes exactly one Outcome, a rendered result or a one-line error, so nothing is
silently dropped. With ``jobs > 1`` situations run in worker processes (the
engine holds the GIL); results still come back in input order and are identical.
Output is streamed, so memory stays flat however many situations there are.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import Any, BinaryIO, NamedTuple

from hunch.errors import HunchError, Location, SituationError, json_safe, printable
from hunch.pack.model import Pack
from hunch.pack.yamlsource import MAX_DEPTH, MAX_FILE_BYTES, MAX_NUMBER_CHARS, short
from hunch.record import Record

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
    # "jsonl"/"json": JSON objects are encoded where they are made (in the worker),
    # not in the parent, which otherwise spends most of its time in json.dumps and
    # caps --jobs 2 (measured: 1.24x -> see docs/performance.md)
    encode: str = ""


def encoded(obj: Any, fmt: str) -> str:
    """A result or error object as it is written in a json or jsonl stream."""
    if fmt == "jsonl":
        return json_safe(json.dumps(obj, ensure_ascii=False))
    return json_safe(json.dumps(obj, indent=2, ensure_ascii=False))


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
            yield from read_jsonl(stdin, max_bytes)
        elif os.path.isdir(name):
            yield from _directory(name)
        else:
            yield Item(name, path=name)


def _stdin() -> BinaryIO:
    # the binary layer under whatever sys.stdin is now (CliRunner swaps it in tests)
    return sys.stdin.buffer


def _directory(folder: str) -> Iterator[Item]:
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(SUFFIXES))
    except OSError as exc:
        yield Item(folder, error=f"{folder}: cannot list the directory: {exc.strerror or exc}")
        return
    if not names:
        yield Item(folder, error=f"{folder}: no situation files (*.yaml, *.yml) in this "
                                 f"directory")
    for name in names:
        path = os.path.join(folder, name)
        yield Item(path, path=path)


def read_jsonl(stream: BinaryIO, max_bytes: int = MAX_FILE_BYTES) -> Iterator[Item]:
    """One Item per non-blank line; a line longer than ``max_bytes`` is an error item."""
    number = 0
    found = False
    while True:
        raw = stream.readline(max_bytes + 1)
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


def _skip_rest_of_line(stream: BinaryIO) -> None:
    while True:
        chunk = stream.readline(1 << 16)
        if not chunk or chunk.endswith(b"\n"):
            return


class _BadJson(Exception):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _BadJson(f"duplicate key {short(key)}")
        out[key] = value
    return out


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise _BadJson(f"number {short(text)} is longer than {MAX_NUMBER_CHARS} characters")
    return int(text)


def _constant(name: str) -> Any:
    raise _BadJson(f"{name} is not a JSON number")


def parse_json_line(raw: bytes, line: int) -> dict[str, Any]:
    """One JSON Lines record as a mapping of facts; errors say <stdin>:line[:col]."""
    def error(message: str, column: int = 0) -> SituationError:
        return SituationError(message, STDIN_LABEL, line, column)

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", exc.start + 1) from None
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_int=_int,
                          parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise error(f"invalid JSON: {exc.msg}", exc.colno) from None
    except _BadJson as exc:
        raise error(f"invalid JSON: {exc}") from None
    except RecursionError:
        raise error(f"nested deeper than {MAX_DEPTH} levels") from None
    if not isinstance(data, dict):
        from hunch.pack.values import type_name

        raise error(f"a situation must be a JSON object of facts, got {type_name(data)}")
    if _depth(data) > MAX_DEPTH:
        raise error(f"nested deeper than {MAX_DEPTH} levels")
    return data


def _depth(value: Any) -> int:
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            todo.extend((kid, depth + 1) for kid in (item.values() if isinstance(item, dict)
                                                    else item))
    return deepest


# --- evaluating ----------------------------------------------------------------------------

def situation_for(item: Item, pack: Pack, max_bytes: int) -> Any:
    """The validated Situation of a file or a JSON line."""
    from hunch.engine.evaluate import load_situation
    from hunch.errors import SituationErrors
    from hunch.pack.validate import data_problems, situation_from

    if item.path is not None:
        return load_situation(item.path, pack, max_bytes)
    assert item.raw is not None
    data = parse_json_line(item.raw, item.line)
    where = Location(STDIN_LABEL, item.line)
    problems = data_problems(data, lambda path: where, pack)
    if problems:
        raise SituationErrors(problems)
    return situation_from(item.label, data, {}, pack)


def evaluate_item(pack: Pack, item: Item, settings: Settings, reraise: bool = False) -> Outcome:
    """Evaluate one input; every failure becomes the Outcome's error (unless ``reraise``)."""
    from hunch.engine.evaluate import evaluate

    if item.error:
        return Outcome(item.label, error=item.error)
    try:
        situation = situation_for(item, pack, settings.max_bytes)
        if settings.max_firings:
            result = evaluate(pack, situation, settings.max_firings)
        else:
            result = evaluate(pack, situation)
        output = settings.render(result)
        if settings.encode and not isinstance(output, str):
            output = encoded(output, settings.encode)
        return Outcome(item.label, output)
    except HunchError as exc:
        if reraise:
            raise
        message = exc.format()
        if exc.file not in (item.path, STDIN_LABEL):  # e.g. the firing limit, at the pack
            message += f" (evaluating {item.label})"
        return Outcome(item.label, error=message)
    except RecursionError:
        if reraise or settings.debug:
            raise
        return Outcome(item.label, error=f"{item.label}: input nested too deeply to process")
    except Exception as exc:  # a bug must not lose the rest of the batch
        if reraise or settings.debug:
            raise
        return Outcome(item.label, error=f"{item.label}: internal error: {type(exc).__name__}: "
                                         f"{short(str(exc), 200)} (a bug in hunch; rerun with "
                                         f"--debug for the traceback)")


def prepare(pack: Pack) -> None:
    """Compile the pack now, so engine limits fail once, before any situation."""
    from hunch.engine.evaluate import compiled

    compiled(pack)


def run(items: Iterable[Item], pack: Pack, settings: Settings,
        jobs: int = 1) -> Generator[Outcome, None, None]:
    """Outcomes in input order, one per item, from this process or ``jobs`` workers."""
    prepare(pack)
    if jobs <= 1:
        for item in items:
            yield evaluate_item(pack, item, settings)
        return
    yield from _run_pool(items, pack, settings, jobs)


# Worker processes: the pack is loaded (or inherited through fork) once per process.
_WORKER: dict[str, Any] = {}


def _init_worker(settings: Settings) -> None:
    import signal

    # the parent handles Ctrl-C, TERM and HUP, once, and shuts the workers down
    for signum in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signum is not None:
            signal.signal(signum, signal.SIG_IGN)
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
    pool = ProcessPoolExecutor(jobs, mp_context=_context(), initializer=_init_worker,
                               initargs=(settings,))
    try:
        pending: deque[Any] = deque()
        for chunk in _chunks(items, CHUNK):
            pending.append(pool.submit(_work, chunk))
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
            self.write(("\n" if self.count > 1 else "") + _block_of(outcome, fmt))

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
    """Whether to draw a progress bar (a function, so tests can pretend)."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def progress(outcomes: Iterator[Outcome], total: int | None) -> Any:
    """A click progress bar over ``outcomes`` on standard error."""
    import click

    return click.progressbar(outcomes, length=total, label="evaluating", file=sys.stderr,
                             show_pos=True)


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
                stdin: BinaryIO | None = None) -> Summary:
    """Evaluate every input and write the results; Ctrl-C exits 130 with a summary.

    A single situation file is not a batch: its error is raised as it is. In a batch
    every failure is written in place and echoed to standard error.
    """
    import click

    single = is_single(inputs)
    items: Iterable[Item] = expand(inputs, stdin, settings.max_bytes)
    total = None
    if STDIN not in inputs:
        items = list(items)
        total = len(items)
    if output:
        refuse_inputs(output, inputs, pack)
    summary = Summary(total)
    show_bar = not single and stderr_is_tty()
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
                click.echo(outcome.error, err=True)

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
        click.echo(message, err=True)
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
