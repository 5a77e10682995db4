"""Batches past one machine: map situations over a Dask bag (optional extra ``hunch-rules[dask]``).

Evaluating is a pure function of (pack, situation), so a batch is a plain map and
any distributed engine can run it; this module shows it with Dask. Each worker
process loads the pack once (by name or folder, which must be readable there) and
registers it with its own durable_rules; situations travel as plain dicts and
results come back as the JSON objects of ``hunch evaluate --format json``, in
input order. Use the ``processes`` scheduler, or a ``dask.distributed`` cluster:
the engine holds the GIL, so threads give no speed-up.

    >>> from hunch.distributed import evaluate_bag
    >>> results = evaluate_bag("interview-silence", [{"days_since_interview": 3}])
    >>> results[0]["recommendation"]["id"]  # doctest: +SKIP
    'wait-until-end-of-week'

evaluate_bag holds the situations and the results in the client's memory: fine for
thousands, not for more situations than memory. For those, evaluate_files streams
JSON Lines files (local paths or any fsspec URL the workers can read) partition by
partition: each partition is a byte range of one file, read line by line by one
task and written to its own output file (whole, or not at all) in the same order,
so neither the client nor a worker ever holds more than one situation and its
result. ``hunch evaluate --dask`` is the command for it (docs/performance.md has
the memory and throughput measured).
"""

from __future__ import annotations

import functools
import gc
import glob
import importlib
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from hunch.batch.run import BadItem, Item, LineItem, Settings
from hunch.errors import HunchError, Interrupted
from hunch.pack.model import Pack

_packs: dict[str | None, Pack] = {}  # per worker process: pack reference -> loaded pack


def evaluate_bag(pack: str | None, situations: Iterable[dict[str, Any]],
                 npartitions: int | None = None, scheduler: Any = "processes",
                 render: Callable[[Any], Any] | None = None) -> list[Any]:
    """Evaluate every situation on Dask and return the rendered results in order.

    ``pack`` is a built-in pack name or a pack folder (None: the default pack);
    ``render`` turns a Result into what is sent back (default: the JSON object);
    a situation that fails comes back as ``{"situation": "<item N>", "error": ...}``.
    """
    results: list[Any] = to_bag(pack, situations, npartitions, render).compute(
        scheduler=scheduler)
    return results


def to_bag(pack: str | None, situations: Iterable[dict[str, Any]],
           npartitions: int | None = None,
           render: Callable[[Any], Any] | None = None) -> Any:
    """The lazy dask.bag of results, to combine with other Dask work before computing."""
    # imported by name: dask is an optional extra, absent where type checks run
    db = importlib.import_module("dask.bag")
    items = [(index, _screened(facts)) for index, facts in enumerate(situations)]
    if npartitions is None:
        npartitions = max(1, min(len(items) // 50, 64))  # enough work per task to amortise it
    bag = db.from_sequence(items, npartitions=npartitions)
    return bag.map_partitions(evaluate_partition, pack, render, this_process())


class Refused(NamedTuple):
    """A situation refused before it is sent to a worker: its error message."""

    error: str


def _screened(facts: Any) -> Any:
    """``facts``, or Refused if it nests too deeply to be sent at all.

    Dask pickles every partition to send it to a worker, and pickle recurses: one
    situation nested thousands deep would raise RecursionError there and lose the
    whole bag. The depth is measured without recursion, so any depth is safe here.
    """
    from hunch.batch.run import depth_of
    from hunch.pack.yamlsource import MAX_DEPTH

    if depth_of(facts) > MAX_DEPTH:
        return Refused(f"nested deeper than {MAX_DEPTH} levels")
    return facts


def _label(index: int) -> str:
    return f"<item {index}>"


def evaluate_partition(items: Iterable[tuple[int, Any]], pack: str | None,
                       render: Callable[[Any], Any] | None = None,
                       caller: str | None = None) -> list[Any]:
    """Evaluate one partition in this worker; the pack is loaded once per process.

    Every item gives one result or one error object, whatever it holds: a failure
    other than bad input (a bug, recursion, memory) is reported in its place too.
    ``caller`` is this_process() in the program that submitted the work (see
    settle_worker).
    """
    from hunch.batch.run import failure_message
    from hunch.errors import HunchError

    loaded = _packs.get(pack)
    if loaded is None:
        from hunch.engine.load import load_pack

        settle_worker(caller)
        loaded = _packs[pack] = load_pack(pack)
    if render is None:
        from hunch.output.render import result_json

        render = result_json
    out = []
    for index, facts in items:
        try:
            out.append(_evaluate_one(loaded, facts, render))
        except HunchError as exc:
            out.append({"situation": _label(index), "error": exc.format()})
        except Exception as exc:  # noqa: BLE001 - one item must not lose the others
            out.append({"situation": _label(index), "error": failure_message(_label(index),
                                                                             exc)})
    return out


def _evaluate_one(pack: Pack, facts: Any, render: Callable[[Any], Any]) -> Any:
    from hunch.engine.evaluate import evaluate
    from hunch.errors import SituationError

    if isinstance(facts, Refused):
        raise SituationError(facts.error, "<input>")
    return render(evaluate(pack, facts))


# --- streaming JSON Lines files, one output file per partition ---------------------------

# bytes of input per partition (one task), unless given: about four partitions per
# worker, so every worker has work and the last ones finish together, within these bounds
PARTITION_BYTES = 32 * 1024 * 1024
SMALLEST_PARTITION = 256 * 1024
PARTITIONS_PER_WORKER = 4
READ_BYTES = 1 << 20  # bytes read at a time: a worker holds about this and one line
ERRORS_KEPT = 20  # error messages a partition reports back (all are in its output file)
TEMPORARY = ".hunch-"  # how AtomicWriter's temporary files begin (hunch.output.atomic)
SUFFIX = {"jsonl": "jsonl", "json": "json", "table": "txt", "markdown": "md"}


class Partition(NamedTuple):
    """A byte range of one input file: the lines that start in it are its situations."""

    number: int  # across all inputs, in the order given: its output file's number
    url: str  # what the worker opens (fsspec), protocol included
    shown: str  # how results and errors name the file
    offset: int
    length: int
    newlines_before: int = 0  # newlines in the file before ``offset`` (for line numbers)


class PartitionReport(NamedTuple):
    """What one partition's task did; its results are in ``output``."""

    number: int
    output: str  # the file written ("" when the partition failed as a whole)
    written: int  # situations (and error lines) written
    failed: int
    errors: tuple[str, ...]  # the first ERRORS_KEPT error messages
    peak_rss: int  # the worker process's peak resident memory so far, in bytes
    problem: str = ""  # why nothing was written (unreadable input, pack not found ...)


def output_name(folder: str, number: int, fmt: str) -> str:
    return os.path.join(folder, f"part-{number:05d}.{SUFFIX[fmt]}")


def partitions(inputs: Iterable[str], size: int | None = None,
               workers: int = 1) -> list[Partition]:
    """The partitions of JSON Lines files or fsspec URLs (globs expanded, sorted),
    ``size`` bytes each (default: from the total and the number of ``workers``).

    Raises HunchError for an input that matches nothing or cannot be read.
    """
    files = list(_files(inputs))
    if size is None:
        share = -(-sum(nbytes for *_, nbytes in files) // (PARTITIONS_PER_WORKER * workers))
        size = min(PARTITION_BYTES, max(SMALLEST_PARTITION, share))
    out: list[Partition] = []
    for url, shown, nbytes in files:
        starts = range(0, max(nbytes, 1), size)
        out += [Partition(len(out) + i, url, shown, start, min(size, nbytes - start))
                for i, start in enumerate(starts)]
    return out


def _files(inputs: Iterable[str]) -> Iterator[tuple[str, str, int]]:
    """(URL, name shown, size) of every file the inputs name, globs expanded."""
    from fsspec.core import url_to_fs

    for name in inputs:
        try:
            fs, pattern = url_to_fs(name)
            many = glob.has_magic(pattern)
            paths = sorted(fs.glob(pattern)) if many else [pattern]
            if not paths:
                raise FileNotFoundError(f"no file matches {name}")
            sizes = [(p, fs.size(p)) for p in paths]
        except (OSError, ValueError, ImportError) as exc:  # missing, unreachable, no driver
            raise HunchError(f"cannot read: {_why(exc)}", name,
                             hint="name JSON Lines files or URLs the workers can read") from None
        for path, nbytes in sizes:
            if fs.isdir(path):
                raise HunchError("is a folder; name its JSON Lines files (a glob will do)",
                                 name, hint=f"e.g. {name.rstrip('/')}/*.jsonl")
            url = fs.unstrip_protocol(path)
            yield url, url.removeprefix("file://") if many else name, nbytes


def _why(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def evaluate_files(pack: str | None, inputs: Iterable[str], folder: str,
                   scheduler: Any = "processes", fmt: str = "jsonl",
                   size: int | None = None, settings: Settings | None = None,
                   ) -> list[PartitionReport]:
    """Evaluate JSON Lines files on Dask, one output file per partition, in input order.

    ``scheduler`` is what ``dask.compute`` takes: a scheduler name ("processes",
    "synchronous") or a dask.distributed Client. ``folder`` must be writable by every
    worker (for a cluster: a shared file system). Returns one report per partition,
    in order; ``FOLDER/part-00000.jsonl`` holds the first partition's results, and
    within a file the results follow the input lines. Raises HunchError for an input
    that cannot be read or a folder that holds an earlier run's parts.
    """
    dask = importlib.import_module("dask")
    delayed = dask.delayed
    if settings is None:
        from hunch.batch.run import renderer

        settings = Settings(rules=pack, render=renderer(fmt),
                            encode=fmt if fmt in ("json", "jsonl") else "")
    parts = partitions(inputs, size, _workers(scheduler))
    _prepare_folder(folder)
    counts = dask.compute(*[delayed(count_newlines, pure=False)(p) for p in parts],
                          scheduler=scheduler)
    before: dict[str, int] = {}
    numbered = []
    for part, count in zip(parts, counts, strict=True):
        numbered.append(part._replace(newlines_before=before.get(part.url, 0)))
        before[part.url] = before.get(part.url, 0) + count
    tasks = [delayed(write_partition, pure=False)(p, output_name(folder, p.number, fmt),
                                                  settings, fmt, this_process())
             for p in numbered]
    reports: list[PartitionReport] = list(dask.compute(*tasks, scheduler=scheduler))
    return reports


def _workers(scheduler: Any) -> int:
    """How many workers a scheduler has: a Client's, else this machine's CPUs."""
    info = getattr(scheduler, "scheduler_info", None)
    if info is not None:
        return max(1, len(info().get("workers", ())))
    from hunch.batch.pool import cpu_count

    return cpu_count()


def _prepare_folder(folder: str) -> None:
    """Make the folder; refuse one that holds parts of an earlier run (they would mix)."""
    try:
        os.makedirs(folder, exist_ok=True)
        stale = sorted(n for n in os.listdir(folder) if n.startswith("part-"))
    except OSError as exc:
        raise HunchError(f"cannot use this output folder: {_why(exc)}", folder) from None
    if stale:
        raise HunchError(f"holds the output of an earlier run ({stale[0]} ...); its parts "
                         f"would mix with this run's", folder,
                         hint="remove them, or name another folder with -o")


def count_newlines(part: Partition) -> int:
    """The newlines in the partition's byte range (read in pieces: flat memory)."""
    import fsspec

    count, left = 0, part.length
    try:
        with fsspec.open(part.url, "rb") as handle:
            handle.seek(part.offset)
            while left > 0:
                chunk = handle.read(min(READ_BYTES, left))
                if not chunk:
                    break
                count += chunk.count(b"\n")
                left -= len(chunk)
    except OSError:
        return 0  # write_partition meets the same failure and reports it
    return count


def lines_of(handle: Any, offset: int, end: int, limit: int,
             read_bytes: int = READ_BYTES) -> Iterator[tuple[bytes | None, bool]]:
    """Every line that starts in [offset, end) of ``handle``, in order, newline kept.

    Yields (line, crossed): line is None when it is longer than ``limit`` bytes (read
    past, never held); ``crossed`` is True once, on the first line, when the range
    began inside a line, which belongs to the partition before (so one more newline
    lies between ``offset`` and this line, for its number).
    """
    first = _first_line(handle, offset, read_bytes)
    if first is None or first[0] >= end:
        return
    start, crossed = first
    position = start
    handle.seek(start)
    buffer = bytearray()
    over = False
    while start < end:
        chunk = handle.read(read_bytes)
        if not chunk:
            break
        for piece, whole in _pieces(chunk):
            if not over:
                buffer += piece
                over = len(buffer) > limit + 1
                if over:
                    buffer.clear()  # the rest of this line is read past, never held
            position += len(piece)
            if not whole:
                continue
            yield _line(buffer, over, limit), crossed
            crossed = False
            buffer.clear()
            over = False
            start = position
            if start >= end:
                return
    if buffer or over:
        yield _line(buffer, over, limit), crossed


def _first_line(handle: Any, offset: int, read_bytes: int) -> tuple[int, bool] | None:
    """Where the first line starting at or after ``offset`` starts, and whether the
    range began inside a line; None when no line starts there (end of the input)."""
    if offset == 0:
        return 0, False
    position = offset - 1  # the byte before: was a line ending there?
    handle.seek(position)
    while chunk := handle.read(read_bytes):
        newline = chunk.find(b"\n")
        if newline >= 0:
            position += newline + 1
            return position, position > offset
        position += len(chunk)
    return None


def _pieces(chunk: bytes) -> Iterator[tuple[bytes, bool]]:
    """``chunk`` cut after each newline: (piece, ends a line)."""
    at = 0
    while at < len(chunk):
        newline = chunk.find(b"\n", at)
        stop = len(chunk) if newline < 0 else newline + 1
        yield chunk[at:stop], newline >= 0
        at = stop


def _line(buffer: bytearray, over: bool, limit: int) -> bytes | None:
    """The line read, or None when it is longer than ``limit`` (newline not counted)."""
    if over or len(buffer) - buffer.endswith(b"\n") > limit:
        return None
    return bytes(buffer)


def partition_items(part: Partition, handle: Any, max_bytes: int) -> Iterator[Item]:
    """The partition's lines as batch Items labelled ``file:line``."""
    number = part.newlines_before
    found = False
    for raw, crossed in lines_of(handle, part.offset, part.offset + part.length, max_bytes):
        number += 1 + crossed
        label = f"{part.shown}:{number}"
        if raw is None:
            found = True
            yield BadItem(label, f"{label}: line is over the {max_bytes:,}-byte limit (raise it "
                                 f"with --max-bytes)")
        elif raw.strip():
            found = True
            yield LineItem(label, raw, number, part.shown)
    if not found and part.offset == 0 and part.length == 0:
        yield BadItem(part.shown, f"{part.shown}:1: no situations (expected one JSON object of "
                                  f"facts per line)")


def write_partition(part: Partition, output: str, settings: Settings,
                    fmt: str, caller: str | None = None) -> PartitionReport:
    """Evaluate one partition in this worker and write its results to ``output``.

    ``caller`` is this_process() in the program that submitted the work (see
    settle_worker).

    The file appears whole or not at all (hunch.output.atomic). An item that fails is
    its own error line; a failure of the whole partition (the input cannot be read,
    the pack cannot be loaded, the output cannot be written) is the report's problem.
    """
    import fsspec

    from hunch.batch.run import Sink, evaluate_item
    from hunch.output.atomic import AtomicWriter

    errors: list[str] = []
    count = failed = 0
    try:
        pack = _worker_pack(settings.rules, caller)
        with fsspec.open(part.url, "rb") as handle, AtomicWriter(output) as out:
            sink = Sink(functools.partial(_write, out), fmt)
            for item in partition_items(part, handle, settings.max_bytes):
                outcome = evaluate_item(pack, item, settings)
                sink.add(outcome)
                if outcome.error and len(errors) < ERRORS_KEPT:
                    errors.append(outcome.error)
            sink.close()
            count, failed = sink.count, sink.failed
    except HunchError as exc:
        return _report(part, "", 0, 0, (), exc.format())
    except OSError as exc:
        return _report(part, "", 0, 0, (), f"{part.shown}: cannot read: {_why(exc)}")
    return _report(part, output, count, failed, tuple(errors))


def _write(handle: Any, text: str) -> None:
    handle.write(text)


def _report(part: Partition, output: str, count: int, failed: int, errors: tuple[str, ...],
            problem: str = "") -> PartitionReport:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    return PartitionReport(part.number, output, count, failed, errors, peak, problem)


def settle_worker(caller: str | None) -> bool:
    """Set malloc for the engine's sessions (hunch.batch.heap.keep_heap) when this is a
    worker process running hunch's tasks, not the ``caller``'s own process.

    Dask's nanny starts every worker with MALLOC_TRIM_THRESHOLD_=65536, which maps
    every engine session afresh (2,100 page faults and 2.5x the CPU time per situation
    measured; docs/performance.md). With the "synchronous" or "threads" scheduler, or
    a cluster of threads, the tasks run in the program that called evaluate_files or
    evaluate_bag, whose allocator is its own: left alone there, as when ``caller`` is
    unknown (docs/architecture.md, "The allocator").
    """
    from hunch.batch.heap import keep_heap

    return caller is not None and caller != this_process() and keep_heap()


def this_process() -> str:
    """This process among a cluster's machines: host name and process id."""
    import socket

    return f"{socket.gethostname()}/{os.getpid()}"


def _worker_pack(rules: str | None, caller: str | None) -> Pack:
    loaded = _packs.get(rules)
    if loaded is None:
        from hunch.batch.run import prepare
        from hunch.engine.load import load_pack

        settle_worker(caller)
        loaded = _packs[rules] = load_pack(rules)
        prepare(loaded)
        # the pack (and Dask's own objects) live as long as the worker: keep the
        # garbage collector from rescanning them, as hunch evaluate does
        gc.freeze()
    return loaded


# --- the command: hunch evaluate --dask SCHEDULER ----------------------------------------

LOCAL = "local"  # --dask local: a dask.distributed.LocalCluster on this machine
CONNECT_SECONDS = 10  # an unreachable scheduler is an error after this, never a hang
MONITOR_SAMPLES = 60  # the system monitor's history in a LocalCluster: 30 s


class DaskRun(NamedTuple):
    """What `hunch evaluate --dask` needs besides the inputs."""

    scheduler: str  # "local", or a scheduler's address (tcp://host:8786)
    folder: str  # -o FOLDER
    fmt: str
    settings: Settings
    workers: int  # for a LocalCluster: worker processes (--jobs)
    size: int | None = None  # bytes per partition (default: evaluate_files decides)


def run_dask(inputs: list[str], run: DaskRun) -> tuple[int, int]:
    """Evaluate on Dask and write one file per partition; errors go to standard error.

    Returns (situations, failed); a partition that failed as a whole counts as failed.
    """
    import click

    if not run.folder or run.folder == "-":
        raise HunchError("--dask writes one file per partition: name a folder with -o",
                         "--dask", hint="e.g. -o results/")
    if "-" in inputs:
        raise HunchError("--dask reads files, not standard input", "-",
                         hint="save the JSON Lines to a file (or a URL the workers can read)")
    list(_files(inputs))  # bad inputs and folders fail before a cluster starts
    created = not os.path.exists(run.folder)
    _prepare_folder(run.folder)
    try:
        with _client(run) as client:
            reports = evaluate_files(run.settings.rules, inputs, run.folder, client, run.fmt,
                                     run.size, run.settings)
    except KeyboardInterrupt as exc:  # Ctrl-C, or TERM or HUP (hunch.errors.Terminated)
        stop = Interrupted.of(exc)
        raise stop.reworded(f"{stop.message}: the partitions finished are in {run.folder}, "
                            f"each whole; the others were not written") from None
    finally:
        _remove_unfinished(run.folder, created)
    total = failed = 0
    for report in reports:
        total += report.written
        failed += report.failed + bool(report.problem)
        for message in (report.problem, *report.errors):
            if message:
                click.echo(message, err=True)
        if report.failed > len(report.errors):
            click.echo(f"... {report.failed - len(report.errors)} more errors in "
                       f"{report.output}", err=True)
    click.echo(f"{total} situations in {len(reports)} partitions written to {run.folder} "
               f"({failed} failed)", err=True)
    return total, failed


def _remove_unfinished(folder: str, created: bool = False) -> None:
    """Remove the temporary files of partitions whose worker was stopped mid-way
    (AtomicWriter's own cleanup cannot run in a killed process), and the folder
    itself if this run made it and wrote nothing (e.g. the scheduler was unreachable)."""
    try:
        names = [n for n in os.listdir(folder) if n.startswith(TEMPORARY) and n.endswith(".tmp")]
        for name in names:
            os.unlink(os.path.join(folder, name))
        if created and not os.listdir(folder):
            os.rmdir(folder)
    except OSError:
        pass


class _client:
    """A dask.distributed Client: on a new LocalCluster, or connected to a scheduler."""

    def __init__(self, run: DaskRun) -> None:
        self.run = run
        self.cluster: Any = None
        self.client: Any = None

    def __enter__(self) -> Any:
        import logging

        # an interrupted run leaves the Client's pending asyncio tasks failed with
        # AllExit, which asyncio would report with a traceback at exit
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)
        logging.getLogger("distributed").setLevel(logging.ERROR)

        try:
            distributed = importlib.import_module("dask.distributed")
        except ImportError:
            raise HunchError("--dask needs dask.distributed", "--dask",
                             hint="pip install 'hunch[dask]'") from None
        try:
            if self.run.scheduler == LOCAL:
                # no history that grows with the run's length, which nothing here shows
                # (no dashboard): the statistical profiler samples the running task every
                # 10 ms and keeps 1,000 one-second profiles (a worker grew from 62 MiB at
                # 30 s to 120 MiB at 20 minutes), and the system monitor keeps 7,200
                # half-second samples (~2 MB per process after an hour; docs/performance.md)
                importlib.import_module("dask").config.set(
                    {"distributed.worker.profile.enabled": False,
                     "distributed.admin.system-monitor.log-length": MONITOR_SAMPLES})
                # one thread per worker: the engine holds the GIL. Loopback only, and
                # the scheduler's HTTP server (started even without a dashboard) on a
                # free port, not 8787, which another user of the machine may hold
                self.cluster = distributed.LocalCluster(
                    n_workers=self.run.workers, threads_per_worker=1, processes=True,
                    host="127.0.0.1", dashboard_address="127.0.0.1:0",
                    silence_logs=logging.ERROR)
                self.client = distributed.Client(self.cluster)
            else:
                self.client = distributed.Client(self.run.scheduler, timeout=CONNECT_SECONDS)
        except (OSError, TimeoutError, ValueError) as exc:
            self.__exit__()
            raise HunchError(f"cannot reach the Dask scheduler: {_why(exc)}",
                             self.run.scheduler,
                             hint="give its address (tcp://host:8786), or local") from None
        return self.client

    def __exit__(self, *exc: Any) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


__all__ = ["PartitionReport", "evaluate_bag", "evaluate_files", "evaluate_partition",
           "partitions", "to_bag", "write_partition"]
