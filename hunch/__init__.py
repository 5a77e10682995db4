"""hunch: a decision-support rules engine with explanations, on durable_rules.

    >>> import hunch
    >>> pack = hunch.load_pack("interview-silence")
    >>> result = hunch.evaluate(pack, {"days_since_interview": 3, "promised_decision_days": 7})
    >>> result.recommendation.id
    'wait-until-end-of-week'
    >>> hunch.to_dict(result)["recommendation"]["id"]
    'wait-until-end-of-week'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hunch.version import __version__ as __version__

__all__ = [
    "HunchError",
    "Pack",
    "Ranked",
    "Result",
    "Situation",
    "evaluate",
    "keep_heap",
    "load_pack",
    "load_situation",
    "to_dict",
]

# name -> (module, attribute there)
_WHERE = {
    "HunchError": ("hunch.errors", "HunchError"),
    "Pack": ("hunch.pack.model", "Pack"),
    "Ranked": ("hunch.engine.evaluate", "Ranked"),
    "Result": ("hunch.engine.evaluate", "Result"),
    "Situation": ("hunch.pack.validate", "Situation"),
    "evaluate": ("hunch.engine.evaluate", "evaluate"),
    # opt-in for a program that runs many situations: process-wide, so never implicit
    # (docs/architecture.md, "The allocator"; README, "As a library")
    "keep_heap": ("hunch.batch.heap", "keep_heap"),
    "load_pack": ("hunch.engine.load", "load_pack"),
    "load_situation": ("hunch.engine.evaluate", "load_situation"),
    # the JSON object of docs/json.md (what `hunch evaluate --format json` prints)
    "to_dict": ("hunch.output.render", "result_json"),
}

if TYPE_CHECKING:
    from hunch.batch.heap import keep_heap
    from hunch.engine.evaluate import Ranked, Result, evaluate, load_situation
    from hunch.engine.load import load_pack
    from hunch.errors import HunchError
    from hunch.output.render import result_json as to_dict
    from hunch.pack.model import Pack
    from hunch.pack.validate import Situation
else:
    # Lazy, so `hunch --help` does not pay for importing durable_rules. Outside
    # TYPE_CHECKING: a module-level __getattr__ would tell type checkers that every
    # name exists, and `hunch.not_there` would pass mypy --strict.
    def __getattr__(name: str) -> Any:
        if name in _WHERE:
            import importlib

            module, attribute = _WHERE[name]
            return getattr(importlib.import_module(module), attribute)
        raise AttributeError(f"module 'hunch' has no attribute {name!r}")

