"""Bad situation input: one line `file:line:col: message`, exit status 2, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from hunch.cli.app import cli


def _evaluate(tmp_path: Path, text: str | None, name: str = "s.yaml") -> tuple[int, str]:
    path = tmp_path / name
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        result = CliRunner().invoke(cli, ["evaluate", name])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stdout == ""  # nothing half-printed on standard output
    return result.exit_code, result.stderr


class TestBadSituations:
    """Each kind of bad input gets its own located, actionable message."""

    def test_broken_yaml(self, tmp_path: Path) -> None:
        code, err = _evaluate(tmp_path, "days_since_interview: 3\nunreturned_calls: [1\n")
        assert code == 2
        assert err.startswith("s.yaml:3:1: invalid YAML: did not find expected ',' or ']'")
        assert err.count("\n") == 1

    def test_unknown_fact_suggests_the_right_name(self, tmp_path: Path) -> None:
        code, err = _evaluate(tmp_path, "days_since_interview: 3\ndays_since_interveiw: 4\n")
        assert code == 2
        assert err == ("s.yaml:2:1: unknown fact 'days_since_interveiw' "
                       "(did you mean 'days_since_interview'?)\n")

    def test_wrong_type(self, tmp_path: Path) -> None:
        code, err = _evaluate(tmp_path, "days_since_interview: three\n")
        assert code == 2
        assert err.startswith("s.yaml:1:23: days_since_interview: must be a whole number, "
                              "got 'three'")

    def test_out_of_range(self, tmp_path: Path) -> None:
        code, err = _evaluate(tmp_path, "days_since_interview: -2\n")
        assert code == 2
        assert err.startswith("s.yaml:1:23: days_since_interview: -2 is below the minimum 0")

    def test_enum_value_not_allowed_lists_the_allowed(self, tmp_path: Path) -> None:
        code, err = _evaluate(tmp_path,
                              "days_since_interview: 2\ncoworker_behavior_change: hostile\n")
        assert code == 2
        assert err.startswith("s.yaml:2:27: coworker_behavior_change: 'hostile' is not allowed "
                              "(allowed: none, ignoring, awkward, friendlier)")

    def test_missing_file(self, tmp_path: Path) -> None:
        code, err = _evaluate(tmp_path, None, "nowhere.yaml")
        assert (code, err) == (2, "nowhere.yaml: no such file\n")

    def test_empty_file(self, tmp_path: Path) -> None:
        code, err = _evaluate(tmp_path, "")
        assert code == 2
        assert err.startswith("s.yaml:1: file is empty")

    def test_missing_required_fact(self, tmp_path: Path) -> None:
        code, err = _evaluate(tmp_path, "unreturned_calls: 1\n")
        assert code == 2
        assert err.startswith("s.yaml:1:1: required fact 'days_since_interview' is missing")

    @pytest.mark.parametrize("text", ["- 1\n- 2\n", "just text\n", "42\n"])
    def test_not_a_mapping(self, tmp_path: Path, text: str) -> None:
        code, err = _evaluate(tmp_path, text)
        assert code == 2
        assert err.startswith("s.yaml:1:1: a situation must be a mapping of fact names to values")


class TestSeveralProblems:
    """Every problem of one situation on its one line (hunch check is for packs)."""

    def test_all_on_one_line(self, tmp_path: Path) -> None:
        code, err = _evaluate(tmp_path, "days_since_interveiw: 3\nfoo: 1\nbar: 2\n")
        assert code == 2
        assert err.count("\n") == 1
        assert err.startswith("s.yaml:1:1: unknown fact 'days_since_interveiw' "
                              "(did you mean 'days_since_interview'?)")
        assert "; line 2: unknown fact 'foo' (run 'hunch schema situation'" in err
        assert "; line 3: unknown fact 'bar';" in err  # the same hint is not repeated
        assert "required fact 'days_since_interview' is missing" in err
        assert "hunch check" not in err

    def test_a_long_list_is_counted(self, tmp_path: Path) -> None:
        text = "".join(f"f{i}: {i}\n" for i in range(8)) + "days_since_interview: 2\n"
        code, err = _evaluate(tmp_path, text)
        assert code == 2
        assert err.count("\n") == 1
        assert "line 5: unknown fact 'f4'" in err
        assert "f5" not in err
        assert err.rstrip().endswith("; and 3 more")


class TestBadPackArgument:
    """An unknown --rules value names the built-in packs."""

    def test_unknown_pack(self) -> None:
        result = CliRunner().invoke(cli, ["evaluate", "--rules", "interview-silense", "x.yaml"])
        assert result.exit_code == 2
        assert result.stderr == ("interview-silense: no such rule pack (not a folder, nor a "
                                 "built-in pack) (did you mean 'interview-silence'?)\n")
