"""Evaluating a batch's items in this process or in ``jobs`` worker processes (the
engine holds the GIL); outcomes come back in input order, identical either way."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from hunch.batch.inputs import Item
from hunch.batch.run import Outcome, Settings, evaluate_item, prepare

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext
from hunch.errors import HunchError
from hunch.pack.model import Pack

CHUNK = 64  # situations per task sent to a worker: amortises the pickling round trip
WINDOW = 4  # chunks in flight per worker: bounds memory, keeps every worker busy


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
    from hunch.batch.heap import keep_heap
    from hunch.output.width import set_columns

    keep_heap()  # a process of hunch's own: malloc set for the engine's sessions

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


def _context() -> BaseContext:
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
