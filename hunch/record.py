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

from collections.abc import Callable
from typing import Any, Generic, TypeVar

V = TypeVar("V")


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


class Slot(Generic[V]):
    """The typed key of one value kept in a `Memo`. Each layer declares the slots it
    owns as module constants (the engine its compiled program and runner, explain its
    probes), so the owner of every piece of derived state is the module naming it."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Slot({self.name!r})"


class Memo:
    """Values worked out from the object holding this memo (a pack, a result), kept
    as long as that object lives.

    Why not a ``WeakKeyDictionary`` per layer: ``Pack`` and ``Result`` are dataclasses
    with value equality, so unhashable, and a cached value that refers back to its
    owner (the engine's runner holds the pack) would keep it alive from a module-level
    table; held by the owner, the pair is one cycle the collector frees. A copy made
    with ``dataclasses.replace`` starts with an empty memo, and a pickled memo comes
    back empty: derived state never travels (the pack cache stores the compiled program
    beside the pack, explicitly).
    """

    __slots__ = ("_values",)

    def __init__(self) -> None:
        self._values: dict[Slot[Any], Any] = {}

    def get(self, slot: Slot[V]) -> V | None:
        value: V | None = self._values.get(slot)
        return value

    def put(self, slot: Slot[V], value: V) -> V:
        self._values[slot] = value
        return value

    def setdefault(self, slot: Slot[V], make: Callable[[], V]) -> V:
        if slot not in self._values:
            self._values[slot] = make()
        value: V = self._values[slot]
        return value

    def __reduce__(self) -> tuple[type[Memo], tuple[()]]:
        return (Memo, ())

    def __repr__(self) -> str:
        return "Memo()"


__all__ = ["Memo", "Record", "Slot"]
