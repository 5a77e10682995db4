"""`hunch ask`'s terminal UI: choices by number or prefix, `back`, "question N of
about M", a short `why`, line editing, and the offer to save on Ctrl-C.

CliRunner where a pipe is enough; pexpect (a real pseudo-terminal) for line editing
and Ctrl-C, which only a terminal has.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest
import yaml
from click.testing import CliRunner

from hunch.cli.app import cli
from hunch.cli.ask import choices_line, pick
from hunch.engine.load import load_pack

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEA = os.path.join(ROOT, "tests", "packs", "ask-pack")


def run(args: list[str], answers: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli, ["ask", *args], input=answers, env=env)


def saved(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


class TestChoices:
    def test_a_number_or_the_first_letters_pick_a_choice(self, tmp_path: Path) -> None:
        out = tmp_path / "tea.yaml"
        # whistling: 1 (yes); milk: "ye" (yes); sugar: 2 (no)
        result = run(["--rules", TEA, "--save", str(out)], "20\n1\nye\n2\n")
        assert result.exit_code == 0, result.output
        assert saved(out) == {"_pack": TEA, "minutes_since_boil": 20, "whistling": True,
                              "milk": True, "sugar": False}

    def test_numbered_choices_are_shown(self) -> None:
        result = run(["--rules", TEA], "20\nyes\nno\n")
        assert "Question 2 of about 3: Is the kettle whistling?\n" \
               "  1) yes  2) no   (default no)\n> " in result.stdout

    def test_enum_prefixes(self) -> None:
        spec = load_pack(None).facts["interview_feedback"]
        assert choices_line(spec) == \
            "1) positive  2) neutral  3) negative  4) none   (default none)" \
            or choices_line(spec).startswith("1) positive  2) neutral  3) negative  4) none")
        assert pick(spec, "3") == ("negative", "")
        assert pick(spec, "neg") == ("negative", "")
        assert pick(spec, "Po") == ("positive", "")
        assert pick(spec, "n") == ("n", "'n' could be neutral or negative or none: type more of "
                                        "it, or its number.")
        assert pick(spec, "9") == ("9", "")  # not a choice: the usual "not allowed" follows
        assert pick(spec, "?") == ("?", "")

    def test_an_ambiguous_prefix_is_asked_again(self) -> None:
        # coworker_behavior_change: none/ignoring/awkward/friendlier; "a" is awkward only
        spec = load_pack(None).facts["coworker_behavior_change"]
        assert pick(spec, "a") == ("awkward", "")


class TestBack:
    def test_back_changes_the_previous_answer(self, tmp_path: Path) -> None:
        out = tmp_path / "tea.yaml"
        result = run(["--rules", TEA, "--save", str(out)], "5\nback\n7\nno\n")
        assert result.exit_code == 0, result.output
        assert result.stdout.count("Question 1 of about") == 2
        assert saved(out)["minutes_since_boil"] == 7

    def test_nothing_to_go_back_to(self) -> None:
        result = run(["--rules", TEA], "back\n5\nno\n")
        assert result.exit_code == 0, result.output
        assert "> back\n   There is no earlier answer to change.\n> 5\n" in result.stdout


class TestWhy:
    def test_why_is_short_and_plain_for_the_first_question(self) -> None:
        result = run([], "why\n23\n" + "\n" * 40)
        why = result.stdout.split("> why\n", 1)[1].split("\n> ", 1)[0]
        assert len(why.splitlines()) <= 6, why
        assert "rules of the pack use this answer; 'why rules' lists them." in \
            " ".join(why.split())
        assert "avoidance-means-no" not in why  # rule ids only with 'why rules'

    def test_prompts_fit_a_narrow_terminal(self) -> None:
        result = run([], "why\n23\n" + "\n" * 40, env={"COLUMNS": "60"})
        assert max(len(line) for line in result.stdout.split("\n\nThe people")[0]
                   .splitlines()) <= 59


def _spawn(args: list[str], cwd: Path) -> pexpect.spawn[str]:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    return pexpect.spawn(sys.executable, ["-m", "hunch", "ask", "--rules", TEA, *args],
                         cwd=str(cwd), env=env, encoding="utf-8", timeout=60,
                         dimensions=(24, 80))


def _interrupted_after_one_answer(args: list[str], cwd: Path) -> pexpect.spawn[str]:
    child = _spawn(args, cwd)
    child.expect("> ")
    child.send("20\r")
    child.expect("Question 2")
    child.expect("> ")
    child.sendintr()
    return child


class TestInATerminal:
    def test_line_editing(self, tmp_path: Path) -> None:
        child = _spawn(["--save", "tea.yaml"], tmp_path)
        child.expect("> ")
        child.send("15\x1b[D\x1b[D2\r")  # 15, left, left, 2: readline makes it 215
        while child.expect(["> ", pexpect.EOF]) == 0:
            child.send("\r")  # the defaults, or don't know
        child.close()
        assert child.exitstatus == 0
        assert saved(tmp_path / "tea.yaml")["minutes_since_boil"] == 215

    def test_ctrl_c_offers_to_save_what_was_answered(self, tmp_path: Path) -> None:
        child = _interrupted_after_one_answer([], tmp_path)
        child.expect(r"Save the 1 answer so far\? File name")
        child.send("partial.yaml\r")
        child.expect(pexpect.EOF)
        text = str(child.before)
        child.close()
        assert child.exitstatus == 130
        # the pack is a folder outside the file's (and no project): continuing says so
        assert "saved 1 answer to partial.yaml (continue with: hunch --allow-pack-path ask " \
            "--situation partial.yaml)" in " ".join(text.split())
        assert saved(tmp_path / "partial.yaml") == {"_pack": TEA, "minutes_since_boil": 20}
        # and the consultation goes on from there, with the pack the file names
        again = CliRunner().invoke(cli, ["--allow-pack-path", "ask", "--situation",
                                         str(tmp_path / "partial.yaml")], "no\n" + "\n" * 5)
        assert again.exit_code == 0, again.output
        assert "1 fact already given" in " ".join(again.stdout.split())

    @pytest.mark.parametrize(("reply", "kept"), [("\r", True), ("n\r", False)])
    def test_ctrl_c_with_save_asks_to_confirm(self, tmp_path: Path, reply: str,
                                              kept: bool) -> None:
        child = _interrupted_after_one_answer(["--save", "tea.yaml"], tmp_path)
        child.expect(r"Save the 1 answer so far to tea.yaml\? \[Y/n\]")
        child.send(reply)
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 130
        assert (tmp_path / "tea.yaml").exists() == kept

    def test_a_second_ctrl_c_leaves_without_saving(self, tmp_path: Path) -> None:
        child = _interrupted_after_one_answer([], tmp_path)
        child.expect("File name")
        child.sendintr()
        child.expect("nothing was saved")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 130
        assert os.listdir(tmp_path) == []
