"""Names and values every layer checks the same way: fact-name and id patterns,
a fact value against its declaration, numbers as a person writes them."""

from __future__ import annotations

import re
from typing import Any

from hunch.pack.model import FactSpec
from hunch.pack.yamlsource import short

FACT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,127}$")
RESERVED_FACTS = {"id", "sid"}
_YAML11_BOOLEANS = {"yes", "no", "on", "off", "y", "n"}


def type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    return {bool: "true/false", int: "a number", float: "a number", str: "text",
            list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)


def value_problem(spec: FactSpec, value: Any) -> str:
    """Why ``value`` does not fit the fact, or '' when it does."""
    t = spec.type
    if t == "boolean":
        if isinstance(value, bool):
            return ""
        if isinstance(value, str) and value.lower() in _YAML11_BOOLEANS:
            # YAML 1.1 read these as booleans; YAML 1.2 (hunch, editors, validators) as text
            return f"must be true or false, got {short(value)}: write true or false"
        return f"must be true or false, got {short(value)}"
    if t in ("integer", "number"):
        ok = isinstance(value, int) if t == "integer" else isinstance(value, (int, float))
        ok = ok or (t == "integer" and isinstance(value, float) and value.is_integer())
        if isinstance(value, bool) or not ok:
            kind = "a whole number" if t == "integer" else "a number"
            return f"must be {kind}, got {short(value)}"
        if isinstance(value, float) and value != value:
            return "must be a number, got NaN"
        if isinstance(value, float) and value in (float("inf"), float("-inf")):
            return f"must be a finite number, got {value}"  # the engine cannot store it
        if spec.min is not None and value < spec.min:
            return f"{value} is below the minimum {fmt_num(spec.min)}"
        if spec.max is not None and value > spec.max:
            return f"{value} is above the maximum {fmt_num(spec.max)}"
        return ""
    if t == "enum":
        if any(value == v and type(value) is type(v) for v in spec.values or []):
            return ""
        allowed = ", ".join(str(v) for v in spec.values or [])
        return f"{short(value)} is not allowed (allowed: {allowed})"
    if t == "string":
        return "" if isinstance(value, str) else f"must be text, got {short(value)}"
    return f"has unknown type {t}"


def fmt_num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)
