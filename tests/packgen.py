"""Test helpers: write small packs to disk, and generate random ones."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from typing import Any

import yaml


def write_pack(folder: str, facts: dict[str, Any], rules: list[dict[str, Any]],
               conclusions: list[dict[str, Any]], derived: dict[str, Any] | None = None,
               name: str = "gen") -> str:
    """Write a complete pack (one source text, one source) and return its folder."""
    os.makedirs(os.path.join(folder, "rules"), exist_ok=True)
    files = {
        "pack.yaml": {"name": name, "title": f"Pack {name}", "version": "1"},
        "facts.yaml": {"facts": facts, **({"derived": derived} if derived else {})},
        "conclusions.yaml": {"conclusions": conclusions},
        "sources.yaml": {"texts": {"t": {"file": "text.txt"}},
                         "sources": [{"id": "s", "author": "author", "text": "t",
                                      "quote": "a quote"}]},
        "rules/rules.yaml": {"rules": rules},
    }
    for path, data in files.items():
        with open(os.path.join(folder, path), "w", encoding="utf-8") as handle:
            yaml.safe_dump(data, handle, sort_keys=False)
    with open(os.path.join(folder, "text.txt"), "w", encoding="utf-8") as handle:
        handle.write("This is a quote text.\n")
    return folder


# --- a random pack family for property and differential tests ----------------------

INT_FACTS = ["x0", "x1", "x2"]
BOOL_FACTS = ["b0", "b1"]
ENUM_VALUES = ["p", "q", "r"]
DERIVED = ["d0", "d1", "d2", "d3"]
HYPOTHESES = ["h0", "h1", "h2"]
ACTIONS = ["a0", "a1"]

FACTS = {
    **{f: {"type": "integer", "min": 0, "max": 10, "question": f"{f}?"} for f in INT_FACTS},
    **{f: {"type": "boolean", "question": f"{f}?"} for f in BOOL_FACTS},
    "e0": {"type": "enum", "values": ENUM_VALUES, "question": "e0?"},
}
CONCLUSIONS = ([{"id": h, "kind": "hypothesis", "title": f"Hypothesis {h}"} for h in HYPOTHESES]
               + [{"id": a, "kind": "action", "title": f"Action {a}"} for a in ACTIONS])


def strategies() -> Any:
    """Hypothesis strategies: (rules, situation) for the random pack family."""
    from hypothesis import strategies as st

    ops = st.sampled_from(["eq", "ne", "lt", "lte", "gt", "gte"])
    int_leaf = st.builds(lambda f, op, v: {"fact": f, op: v}, st.sampled_from(INT_FACTS), ops,
                         st.integers(0, 10))
    ref_leaf = st.builds(lambda f, op, g: {"fact": f, op: {"fact": g}},
                         st.sampled_from(INT_FACTS), ops, st.sampled_from(INT_FACTS))
    bool_leaf = st.builds(lambda f, v: {"fact": f, "eq": v}, st.sampled_from(BOOL_FACTS),
                          st.booleans())
    enum_leaf = st.one_of(
        st.builds(lambda v: {"fact": "e0", "eq": v}, st.sampled_from(ENUM_VALUES)),
        st.builds(lambda vs: {"fact": "e0", "in": vs},
                  st.lists(st.sampled_from(ENUM_VALUES), min_size=1, max_size=2, unique=True)))
    exists_leaf = st.builds(lambda f, v: {"fact": f, "exists": v},
                            st.sampled_from(INT_FACTS + BOOL_FACTS + ["e0"]), st.booleans())
    between_leaf = st.builds(lambda f, a, b: {"fact": f, "between": [min(a, b), max(a, b)]},
                             st.sampled_from(INT_FACTS), st.integers(0, 10), st.integers(0, 10))
    input_leaf = st.one_of(int_leaf, ref_leaf, bool_leaf, enum_leaf, exists_leaf, between_leaf)

    def tree(leaf: Any) -> Any:
        return st.recursive(
            leaf,
            lambda kids: st.one_of(
                st.builds(lambda xs: {"all": xs}, st.lists(kids, min_size=1, max_size=3)),
                st.builds(lambda xs: {"any": xs}, st.lists(kids, min_size=1, max_size=2)),
                st.builds(lambda x: {"not": x}, kids)),
            max_leaves=4)

    def leaves_for(level: int, may_use_conclusions: bool) -> Any:
        options = [input_leaf]
        lower = DERIVED[:level]
        if lower:
            options.append(st.builds(lambda d: {"fact": d}, st.sampled_from(lower)))
        if may_use_conclusions:
            options.append(st.builds(lambda h: {"conclusion": h}, st.sampled_from(HYPOTHESES)))
        return st.one_of(*options)

    cf = st.sampled_from([0.1, 0.25, 0.5, 0.8, 1.0])

    @st.composite
    def rule(draw: Any, index: int) -> dict[str, Any]:
        kind = draw(st.sampled_from(["derive", "support", "oppose", "act"]))
        if kind == "derive":
            level = draw(st.integers(0, len(DERIVED) - 1))
            when = draw(tree(leaves_for(level, False)))
            then: dict[str, Any] = {"derive": DERIVED[level]}
            if draw(st.booleans()):
                then["cf"] = draw(cf)
            return {"id": f"r{index}", "when": when, "then": then}
        if kind == "act":
            when = draw(tree(leaves_for(len(DERIVED), True)))
            then = {draw(st.sampled_from(["support", "oppose"])): draw(st.sampled_from(ACTIONS)),
                    "cf": draw(cf)}
        else:
            when = draw(tree(leaves_for(len(DERIVED), False)))
            then = {kind: draw(st.sampled_from(HYPOTHESES)), "cf": draw(cf)}
        return {"id": f"r{index}", "when": when, "then": then, "cites": ["s"]}

    @st.composite
    def rules(draw: Any) -> list[dict[str, Any]]:
        n = draw(st.integers(1, 10))
        return [draw(rule(i)) for i in range(n)]

    value_for = {
        **{f: st.integers(0, 10) for f in INT_FACTS},
        **{f: st.booleans() for f in BOOL_FACTS},
        "e0": st.sampled_from(ENUM_VALUES),
    }
    situation = st.fixed_dictionaries({}, optional=value_for)
    return rules(), situation


def write_random_pack(folder: str, rules: list[dict[str, Any]]) -> str:
    return write_pack(folder, FACTS, rules, CONCLUSIONS,
                      derived={d: {"type": "boolean"} for d in DERIVED})


@contextlib.contextmanager
def random_pack(rules: list[dict[str, Any]]) -> Iterator[Any]:
    """Load a random-family pack from a temporary folder; free its engine afterwards."""
    import hunch
    from hunch.engine.evaluate import compiled

    with tempfile.TemporaryDirectory() as folder:
        pack = hunch.load_pack(write_random_pack(folder, rules))
    try:
        yield pack
    finally:
        compiled(pack)[1].close()
