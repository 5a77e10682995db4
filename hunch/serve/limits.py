"""What keeps one request or client from holding the service (docs/serve.md, "Limits").

Evaluation runs in ONE thread per worker, beside the event loop, so /health,
/metrics and every other cheap request are answered while a batch is being
evaluated. One thread, not a pool: the engine holds the GIL, so a second thread
would add no speed, and `hunch.evaluate` pauses the garbage collector, which two
overlapping evaluations could turn back on early for each other. Requests that
need the engine wait for it, at most ``max_queue`` of them; the next one is
answered 503 ``busy`` with ``Retry-After``. Each request has a time budget,
counted from when it was admitted: a request that waited it all away is answered
``busy``, and a batch that outgrows it stops between two items with 503
``over_time_budget``.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from hunch.serve.problems import ApiError

T = TypeVar("T")


class Deadline:
    """The time budget of one request, as the evaluating thread checks it."""

    def __init__(self, budget: float) -> None:
        self.budget = budget
        self.at = time.monotonic() + budget

    def passed(self) -> bool:
        return time.monotonic() > self.at

    def started(self) -> None:
        """Raise ``busy`` if the request spent its whole budget waiting for the engine."""
        if self.passed():
            raise busy(self.budget, f"waited {self.budget:g} s for the engine, the time "
                                    f"budget of one request")

    def between(self, done: int, total: int) -> None:
        """Raise ``over_time_budget`` if a batch has used its budget with items left."""
        if done < total and self.passed():
            raise ApiError(503, "over_time_budget",
                           f"stopped after {done:,} of {total:,} situations: the request went "
                           f"over its {self.budget:g}-second time budget (send smaller "
                           f"batches, ask for less explanation, or raise hunch serve "
                           f"--time-budget)")


def busy(budget: float, why: str) -> ApiError:
    error = ApiError(503, "busy", f"the service is busy: {why}; try again shortly")
    error.headers["Retry-After"] = str(max(1, math.ceil(min(budget, 10.0))))
    return error


class Evaluator:
    """The one thread that evaluates, and the requests admitted to wait for it."""

    def __init__(self, budget: float, max_queue: int) -> None:
        self.budget = budget
        self.max_queue = max_queue
        self.admitted = 0  # running or waiting; read and written on the event loop only
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="hunch-evaluate")

    async def run(self, work: Callable[[Deadline], T]) -> T:
        """``work(deadline)`` in the evaluating thread, or 503 busy if too many wait."""
        if self.admitted > self.max_queue:  # one running, max_queue waiting
            raise busy(self.budget, f"{self.admitted} requests are already waiting for or "
                                    f"in evaluation (hunch serve --max-queue)")
        self.admitted += 1
        deadline = Deadline(self.budget)
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._pool, work, deadline)
        finally:
            self.admitted -= 1

    def close(self) -> None:
        # requests still queued are not started; the running one finishes
        self._pool.shutdown(wait=True, cancel_futures=True)


__all__ = ["Deadline", "Evaluator", "busy"]
