"""Close calls and the certainty note, where people read the numbers (issue 13)."""

from __future__ import annotations

import json

from click.testing import CliRunner

import hunch
from hunch.cli.app import cli
from hunch.engine.evaluate import Ranked
from hunch.output.formats import CERTAINTY_NOTE, close_calls, close_groups, close_note


def _ranked(*values: float) -> list[Ranked]:
    pack = hunch.load_pack("interview-silence")
    ids = list(pack.conclusions)
    return [Ranked(pack.conclusions[ids[i]], v, i + 1, [], [], []) for i, v in enumerate(values)]


class TestCloseCalls:
    def test_neighbours_less_than_a_tenth_apart(self) -> None:
        items = _ranked(0.97, 0.80, 0.77, 0.40, -0.3)
        assert close_calls(items) == {items[1].id, items[2].id}

    def test_on_the_printed_numbers(self) -> None:
        # 0.7063 and 0.6128 are 0.09 apart, but print as 0.71 and 0.61: not close
        assert close_calls(_ranked(0.7063, 0.6128)) == set()
        assert close_calls(_ranked(0.7063, 0.6151)) == {_ranked(0.7)[0].id,
                                                        _ranked(0, 0.6)[1].id}

    def test_a_run_is_anchored_at_its_top_and_never_chains(self) -> None:
        # each is within 0.1 of the one above, but 0.72 and 0.58 are not a close call
        items = _ranked(0.72, 0.65, 0.58, 0.50, 0.2)
        assert [[i.rank for i in g] for g in close_groups(items)] == [[1, 2], [3, 4]]
        # four rows of five: the note says so in words instead of listing the runs
        assert close_note(items).startswith("~ most rows are about equally supported")
        assert close_note(items[:2]).startswith("~ close call (less than 0.1 apart")
        few = _ranked(0.95, 0.9, 0.7, 0.55, 0.5, 0.3, 0.15, 0.01)  # four of eight
        assert close_note(few).endswith("says little): #1-#2, #4-#5")

    def test_negative_certainties_are_never_close_calls(self) -> None:
        assert close_calls(_ranked(-0.40, -0.42)) == set()


class TestWhereItShows:
    def test_table_markdown_and_json(self) -> None:
        runner = CliRunner()
        table = runner.invoke(cli, ["evaluate", "examples/asker.yaml"]).stdout
        assert CERTAINTY_NOTE in table.splitlines()[2]
        assert "Close call" not in table  # let it go 1.00, clear the air 0.76
        freeze = runner.invoke(cli, ["evaluate", "examples/freeze.yaml"]).stdout
        # follow up 0.72, ask for feedback by email 0.70
        assert "Close call: Email to ask for feedback on your application (good support," \
            in freeze
        assert "~ most rows are about equally supported as the rows next to them (less" \
            in freeze
        md = runner.invoke(cli, ["evaluate", "--format", "markdown",
                                 "examples/freeze.yaml"]).stdout
        assert f"_{CERTAINTY_NOTE}_" in md and "| good 0.70 ~ |" in md
        data = json.loads(runner.invoke(cli, ["evaluate", "--format", "json",
                                              "examples/freeze.yaml"]).stdout)
        assert data["certainty_scale"]["close_call_margin"] == 0.1
        assert data["recommendation"]["close_call"] is True
        assert [a["close_call"] for a in data["actions"]][:2] == [True, True]
