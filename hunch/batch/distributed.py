"""Batches past one machine: map situations over a Dask bag (optional extra ``hunch[dask]``).

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
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any

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
    items = list(enumerate(situations))
    if npartitions is None:
        npartitions = max(1, min(len(items) // 50, 64))  # enough work per task to amortise it
    bag = db.from_sequence(items, npartitions=npartitions)
    return bag.map_partitions(evaluate_partition, pack, render)


def evaluate_partition(items: Iterable[tuple[int, dict[str, Any]]], pack: str | None,
                       render: Callable[[Any], Any] | None = None) -> list[Any]:
    """Evaluate one partition in this worker; the pack is loaded once per process."""
    from hunch.engine.evaluate import evaluate
    from hunch.errors import HunchError

    loaded = _packs.get(pack)
    if loaded is None:
        from hunch.engine.load import load_pack

        loaded = _packs[pack] = load_pack(pack)
    if render is None:
        from hunch.output.render import result_json

        render = result_json
    out = []
    for index, facts in items:
        try:
            out.append(render(evaluate(loaded, facts)))
        except HunchError as exc:
            out.append({"situation": f"<item {index}>", "error": exc.format()})
    return out


__all__ = ["evaluate_bag", "evaluate_partition", "to_bag"]
