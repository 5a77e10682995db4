"""A batch on the command line: the progress bar, the terminal it is drawn on, the
errors echoed as they come, the summary line after Ctrl-C, and where the results go.

hunch.batch.run does the work (inputs, the pool, rendering); this module is its shell,
so click and the terminal stay out of the library (docs/architecture.md).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

import click

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

from hunch.batch import inputs as batch_inputs
from hunch.batch import pool
from hunch.batch import run as batch
from hunch.batch.heap import keep_heap
from hunch.batch.run import STDIN, STDOUT, Item, Outcome, Settings, Sink, unsurrogated
from hunch.cli.app import quiet_stdout
from hunch.errors import Interrupted
from hunch.pack.model import Pack
from hunch.record import Record


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


def progress(outcomes: Iterator[Outcome], total: int | None) -> ProgressBar[Outcome]:
    """A click progress bar over ``outcomes`` on standard error."""
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
    """Evaluate every input and write the results; Ctrl-C becomes an Interrupted whose
    message is the summary line (hunch.cli.app turns it into the exit status).

    A single situation file is not a batch: its error is raised as it is. In a batch
    every failure is written in place and echoed to standard error.
    """
    single = batch_inputs.is_single(inputs)
    items: Iterable[Item]
    source = stdin if stdin is not None or inputs != [STDIN] else batch_inputs.stdin_stream()
    if inputs == [STDIN] and source is not None:
        # one YAML or JSON document there is a single situation (closed stdin: expand
        # reports it as the batch's one error item)
        single, items = batch_inputs.read_stdin(source, settings.max_bytes)
    else:
        items = batch_inputs.expand(inputs, stdin, settings.max_bytes)
    total = None
    if STDIN not in inputs:
        items = list(items)
        total = len(items)
    if output:
        batch.refuse_inputs(output, inputs, pack)
    summary = Summary(total)
    show_bar = not single and wants_bar(progress, output)
    errors: list[str] = []
    try:
        with _Destination(output) as write:
            sink = Sink(write, fmt, single)
            if single:
                item = next(iter(items))
                sink.add(batch.evaluate_item(pack, item, settings, reraise=True))
                summary.done = 1
            else:
                keep_heap()  # this process runs a batch of sessions (hunch.batch.heap)
                _drain(pool.run(items, pack, settings, jobs), sink, summary, total, show_bar,
                       errors)
            sink.close()
    except KeyboardInterrupt as exc:  # Ctrl-C, or TERM or HUP (hunch.cli.app.Terminated)
        _echo_errors(errors)
        stop = Interrupted.of(exc)
        raise stop.reworded(summary.interrupted(output, stop.message)) from None
    except BrokenPipeError:
        quiet_stdout()  # the reader (e.g. `head`) has all it wanted
        return summary
    _echo_errors(errors)
    return summary


def _drain(outcomes: Generator[Outcome, None, None], sink: Sink, summary: Summary,
           total: int | None, show_bar: bool, errors: list[str]) -> None:
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
        return functools.partial(click.echo, nl=False)

    def __exit__(self, *exc: Any) -> None:
        if self.writer is not None:
            self.writer.__exit__(*exc)
