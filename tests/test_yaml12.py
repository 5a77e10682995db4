"""Situations and packs read YAML 1.2 core-schema scalars, as editors and validators do.

The corpus test: situations are generated as Python values first, then written in
one of the spellings YAML 1.2 gives each value (010 for 10, 0x1F, 1e2, ~, True ...) and
mixed with text that YAML 1.1 would have read as something else (yes, on, 1:30,
0b11). An independent validator, the `jsonschema` package with `hunch schema
situation`, judges the intended values; hunch reads the text. They must agree, and
hunch must have read the intended values.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped, unused-ignore]
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hunch.cli.app import cli
from hunch.engine.load import load_pack
from hunch.errors import HunchError
from hunch.pack.model import FactSpec, Pack
from hunch.pack.validate import validate_situation
from hunch.pack.yamlsource import load_text, resolve, short

PACKS = {name: load_pack(name) for name in ("interview-silence", "lend-money")}


def _schema(pack: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["schema", "situation", "--rules", pack])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


SCHEMAS = {name: _schema(name) for name in PACKS}


class TestCoreSchema:
    @pytest.mark.parametrize(("text", "value"), [
        ("010", 10), ("0o10", 8), ("0x1F", 31), ("+12", 12), ("-007", -7), ("1e2", 100.0),
        (".5", 0.5), ("1.", 1.0), ("-2.5E-1", -0.25), ("true", True), ("False", False),
        ("TRUE", True), ("~", None), ("null", None), ("", None),
        ("yes", "yes"), ("no", "no"), ("on", "on"), ("off", "off"), ("y", "y"),
        ("1_000", "1_000"), ("1:30", "1:30"), ("0b11", "0b11"), ("2020-01-01", "2020-01-01"),
        ("=", "="), ("0o8", "0o8"), ("1e", "1e"), ("TrUe", "TrUe"),
    ])
    def test_plain_scalars(self, text: str, value: Any) -> None:
        got = load_text(f"a: {text}\n", "s.yaml").data["a"]
        assert (type(got), got) == (type(value), value)

    def test_infinity_and_nan(self) -> None:
        data = load_text("a: .inf\nb: -.Inf\nc: .NaN\n", "s.yaml").data
        assert data["a"] == math.inf and data["b"] == -math.inf and math.isnan(data["c"])

    def test_merge_keys_are_still_refused(self) -> None:
        assert resolve("<<") != resolve("x")

    def test_explicit_tags_take_core_schema_text(self) -> None:
        data = load_text('a: !!int "010"\nb: !!float 3\nc: !!str 10\n', "s.yaml").data
        assert data == {"a": 10, "b": 3.0, "c": "10"}
        with pytest.raises(HunchError, match=r"not a YAML 1\.2 bool"):
            load_text("a: !!bool yes\n", "s.yaml")

    def test_messages_quote_values_as_yaml_writes_them(self) -> None:
        assert short(True) == "true" and short(None) == "null" and short("yes") == "'yes'"
        assert short([True, None, 1]) == "[true, null, 1]"


def run(*args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), input=input)


def _json_of(tmp_path: Path, text: str) -> Any:
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    result = run("evaluate", "--format", "json", str(tmp_path / "s.yaml"))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    data.pop("situation")
    return data


class TestThroughTheCli:
    def test_leading_zeros_are_decimal(self, tmp_path: Path) -> None:
        base = "days_since_interview: 23\npromised_decision_days: 7\n"
        assert _json_of(tmp_path, base + "unreturned_calls: 010\n") == \
            _json_of(tmp_path, base + "unreturned_calls: 10\n")
        assert _json_of(tmp_path, base + "unreturned_calls: 0o10\n") == \
            _json_of(tmp_path, base + "unreturned_calls: 8\n")

    def test_exponent_is_a_number(self, tmp_path: Path) -> None:
        assert _json_of(tmp_path, "days_since_interview: 1e2\n") == \
            _json_of(tmp_path, "days_since_interview: 100\n")

    @pytest.mark.parametrize("word", ["yes", "on", "No", "off"])
    def test_yes_and_on_are_text_so_a_boolean_fact_says_write_true_or_false(
            self, tmp_path: Path, word: str) -> None:
        (tmp_path / "s.yaml").write_text(f"days_since_interview: 3\ninternal_candidate: {word}\n",
                                         encoding="utf-8")
        result = run("evaluate", str(tmp_path / "s.yaml"))
        assert result.exit_code == 2
        assert result.stderr.startswith(
            f"{tmp_path / 's.yaml'}:2:21: internal_candidate: must be true or false, got "
            f"'{word}': write true or false")

    def test_a_boolean_where_a_number_goes_is_quoted_as_written(self, tmp_path: Path) -> None:
        (tmp_path / "s.yaml").write_text("days_since_interview: true\n", encoding="utf-8")
        result = run("evaluate", str(tmp_path / "s.yaml"))
        assert result.exit_code == 2
        assert "must be a whole number, got true" in result.stderr
        assert "True" not in result.stderr


# --- the corpus ------------------------------------------------------------------------

def _int_spellings(n: int) -> st.SearchStrategy[str]:
    sign = "-" if n < 0 else ""
    m = abs(n)
    return st.sampled_from([str(n), f"{sign}0{m}", f"{sign}00{m}", f"+{n}" if n >= 0 else str(n),
                            f"0x{m:x}" if n >= 0 else str(n), f"0o{m:o}" if n >= 0 else str(n)])


# text YAML 1.1 read as booleans, numbers or dates, and YAML 1.2 reads as text
ELEVEN = ["yes", "no", "on", "off", "y", "n", "Yes", "ON", "1_000", "1:30", "0b11", "2020-01-01",
          "=", "0o9", "1e"]


@st.composite
def spelled(draw: st.DrawFn, spec: FactSpec) -> tuple[Any, str]:
    """A value (sometimes one that fits the fact, sometimes not) and YAML text for it."""
    choice = draw(st.sampled_from(["fit"] * 12 + ["int", "float", "bool", "null", "text",
                                                  "eleven"]))
    if choice == "fit" and spec.type in ("integer", "number"):
        low = int(spec.min) if spec.min is not None else -50
        high = int(spec.max) if spec.max is not None else 5000
        choice = "int"
        n = draw(st.integers(low, high))
    elif choice == "fit" and spec.type == "enum":
        value = draw(st.sampled_from(spec.values or ["x"]))
        return value, draw(st.sampled_from([str(value), f"'{value}'", f'"{value}"']))
    elif choice == "fit" and spec.type == "boolean":
        choice = "bool"
    elif choice == "fit":
        choice = "text"
    if choice == "int":
        n = n if "n" in locals() else draw(st.integers(-20, 5000))
        return n, draw(_int_spellings(n))
    if choice == "float":
        x = draw(st.sampled_from([0.5, 2.0, 100.0, -1.5, 1e2, 2.5e-1]))
        return x, draw(st.sampled_from([repr(x), f"{x:e}", f"{x:E}"]))
    if choice == "bool":
        b = draw(st.booleans())
        return b, draw(st.sampled_from([str(b).lower(), str(b), str(b).upper()]))
    if choice == "null":
        return None, draw(st.sampled_from(["~", "null", "Null", ""]))
    if choice == "eleven":
        word = draw(st.sampled_from(ELEVEN))
        return word, word
    word = draw(st.sampled_from(["hello", "large", "'10'", '"true"', "a b"]))
    return word.strip("'\""), word


@st.composite
def situation(draw: st.DrawFn, pack: Pack) -> tuple[dict[str, Any], str]:
    required = [n for n, spec in sorted(pack.facts.items()) if spec.required]
    others = draw(st.lists(st.sampled_from(sorted(pack.facts)), unique=True, max_size=5))
    names = list(dict.fromkeys(required * draw(st.sampled_from([1] * 9 + [0])) + others))
    data: dict[str, Any] = {}
    lines = []
    for name in names:
        value, text = draw(spelled(pack.facts[name]))
        data[name] = value
        lines.append(f"{name}: {text}".rstrip())
    if draw(st.sampled_from([True] + [False] * 9)) and pack.derived:
        name = draw(st.sampled_from(sorted(pack.derived)))  # stated though derived: refused
        data[name] = True
        lines.append(f"{name}: true")
    return data, "\n".join(lines) + "\n" if lines else "{}\n"


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("name", sorted(PACKS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_jsonschema_and_hunch_agree(name: str, data: st.DataObject) -> None:
    pack = PACKS[name]
    intended, text = data.draw(situation(pack))
    doc = load_text(text, "s.yaml")
    assert doc.data.keys() == intended.keys()
    for key, value in intended.items():
        assert _same(doc.data[key], value), (key, text, doc.data[key], value)
    errors = list(jsonschema.Draft7Validator(SCHEMAS[name]).iter_errors(intended))
    try:
        validate_situation(doc, pack)
        hunch_ok = True
    except HunchError:
        hunch_ok = False
    assert hunch_ok == (not errors), (text, [e.message for e in errors])
