"""Record: the base of the small internal classes on `hunch evaluate`'s start-up path.

Why not dataclasses there: on Python 3.11 every ``@dataclass`` compiles its generated
``__init__``, ``__repr__`` and ``__eq__`` when its module is imported, about 250 us a
class. Twenty such internal records (ledger entries, YAML builder frames, batch
items, compiled rules) made a cold `hunch evaluate` about 5 ms slower, a quarter of
hunch's whole start-up (docs/performance.md). They are written out here instead:
``__slots__``, a hand-written ``__init__``, and the repr and value equality that a
dataclass would give, defined once below. Immutable ones are ``typing.NamedTuple``.

Public result types (``Result``, ``Ranked``, ``Situation``, the pack model) stay
dataclasses: users construct and compare them.
"""

from __future__ import annotations

from typing import Any


class Record:
    """``__slots__`` records with a dataclass-like repr and field-wise equality."""

    __slots__ = ()

    def _names(self) -> tuple[str, ...]:
        names: tuple[str, ...] = type(self).__slots__
        return names

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._names())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._names())
        return f"{type(self).__name__}({fields})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Record)
        return self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]  # mutable, like a dataclass with eq


__all__ = ["Record"]
