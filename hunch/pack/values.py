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
PACK_KEY = "_pack"  # a situation naming its pack (hunch.pack.project): FACT_NAME cannot match it
# durable_rules stores integers as 64-bit and saturates bigger ones (measured)
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
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
        if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
            return int64_problem(value)
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


def int64_problem(value: int) -> str:
    return (f"{short(value)} is outside the 64-bit range durable_rules can compare "
            f"({INT64_MIN} to {INT64_MAX}; write it as a decimal, e.g. {float(value):.3e})")


def engine_equal_problem(values: list[Any]) -> str:
    """Why durable_rules cannot tell some of these enum values apart, or ''.

    It compares across types: a number with a text as the number written out
    (1 and "1", 1.5 and "1.500000"), true with 1 and with "true" (measured); and
    1 with 1.0 as numbers. hunch tells them apart, so an enum must not mix them.
    """
    numbers: dict[Any, Any] = {}  # as a number -> the value
    texts: dict[str, Any] = {}  # a number or true/false written out -> the value
    strings: dict[str, Any] = {}
    for value in values:
        if isinstance(value, (list, dict)) or value is None:
            return (f"value {short(value)} is {type_name(value)}: an enum value must be "
                    f"text, a number or true/false")
        if isinstance(value, str):
            other = texts.get(value)
            strings.setdefault(value, value)
        elif isinstance(value, int) and not isinstance(value, bool) \
                and not INT64_MIN <= value <= INT64_MAX:
            return "value " + int64_problem(value)
        else:
            number = int(value) if isinstance(value, bool) else value
            text = ("true" if value else "false") if isinstance(value, bool) else (
                f"{value:f}" if isinstance(value, float) else str(value))
            other = numbers.get(number, strings.get(text))
            numbers.setdefault(number, value)
            texts.setdefault(text, value)
        if other is not None:
            return (f"values {_show(other)} and {_show(value)} look the same to "
                    f"durable_rules (it compares 1, 1.0, true, '1' and 'true' alike)")
    return ""


def _show(value: Any) -> str:
    """A value as it is written in YAML: true, 1, 1.0, 'text'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return short(value)


def fmt_num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)
