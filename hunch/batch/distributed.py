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
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

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
    return bag.map_partitions(evaluate_partition, pack, render)


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
                       render: Callable[[Any], Any] | None = None) -> list[Any]:
    """Evaluate one partition in this worker; the pack is loaded once per process.

    Every item gives one result or one error object, whatever it holds: a failure
    other than bad input (a bug, recursion, memory) is reported in its place too.
    """
    from hunch.batch.run import failure_message
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


__all__ = ["evaluate_bag", "evaluate_partition", "to_bag"]
