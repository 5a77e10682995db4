"""hunch: a decision-support rules engine with explanations, on durable_rules.

    >>> import hunch
    >>> pack = hunch.load_pack("interview-silence")
    >>> result = hunch.evaluate(pack, {"days_since_interview": 3, "promised_decision_days": 7})
    >>> result.recommendation.id
    'wait-until-end-of-week'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "HunchError",
    "Pack",
    "Ranked",
    "Result",
    "Situation",
    "evaluate",
    "load_pack",
    "load_situation",
]

if TYPE_CHECKING:
    from hunch.errors import HunchError
    from hunch.evaluation import Ranked, Result, evaluate, load_situation
    from hunch.model import Pack
    from hunch.pack import load_pack
    from hunch.schema import Situation

_WHERE = {
    "HunchError": "hunch.errors",
    "Pack": "hunch.model",
    "Ranked": "hunch.evaluation",
    "Result": "hunch.evaluation",
    "Situation": "hunch.schema",
    "evaluate": "hunch.evaluation",
    "load_pack": "hunch.pack",
    "load_situation": "hunch.evaluation",
}


def __getattr__(name: str) -> Any:
    # Lazy, so `hunch --help` does not pay for importing durable_rules.
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'hunch' has no attribute {name!r}")
