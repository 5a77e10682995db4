"""hunch: a decision-support rules engine with explanations, on durable_rules.

    >>> import hunch
    >>> pack = hunch.load_pack("interview-silence")
    >>> result = hunch.evaluate(pack, {"days_since_interview": 3, "promised_decision_days": 7})
    >>> result.recommendation.id
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
    "load_pack",
    "load_situation",
]

if TYPE_CHECKING:
    from hunch.engine.evaluate import Ranked, Result, evaluate, load_situation
    from hunch.engine.load import load_pack
    from hunch.errors import HunchError
    from hunch.pack.model import Pack
    from hunch.pack.validate import Situation

_WHERE = {
    "HunchError": "hunch.errors",
    "Pack": "hunch.pack.model",
    "Ranked": "hunch.engine.evaluate",
    "Result": "hunch.engine.evaluate",
    "Situation": "hunch.pack.validate",
    "evaluate": "hunch.engine.evaluate",
    "load_pack": "hunch.engine.load",
    "load_situation": "hunch.engine.evaluate",
}


def __getattr__(name: str) -> Any:
    # Lazy, so `hunch --help` does not pay for importing durable_rules.
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'hunch' has no attribute {name!r}")
