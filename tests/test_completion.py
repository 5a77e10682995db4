"""Shell completion (click's): pack names for --rules, conclusion ids for `explain ID`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from hunch.cli.app import cli
from hunch.pack.read import builtin_packs


def complete(words: str, shell: str = "bash") -> list[str]:
    """What `hunch` offers for the last word of ``words`` (bash: 'type,value' lines)."""
    parts = words.split(" ")
    result = CliRunner().invoke(cli, [], prog_name="hunch", env={
        "_HUNCH_COMPLETE": f"{shell}_complete", "COMP_WORDS": words,
        "COMP_CWORD": str(len(parts) - 1)})
    assert result.exit_code == 0, result.output
    return [line for line in result.stdout.splitlines() if line]


def test_rules_completes_builtin_pack_names_then_folders() -> None:
    assert complete("hunch evaluate --rules ") == [
        *(f"plain,{name}" for name in builtin_packs()), "dir,"]
    assert complete("hunch what-if s.yaml --rules le") == ["plain,lend-money", "dir,le"]


@pytest.mark.parametrize("command", ["check", "test", "rules", "sources"])
def test_pack_arguments_complete_pack_names(command: str) -> None:
    assert complete(f"hunch {command} inter") == ["plain,interview-silence", "dir,inter"]


def test_explain_completes_the_default_packs_conclusions() -> None:
    offered = complete("hunch explain examples/asker.yaml dec")
    assert offered == ["plain,decided-against-you"]
    assert "plain,let-it-go" in complete("hunch explain examples/asker.yaml ")


def test_explain_completes_the_conclusions_of_the_pack_given() -> None:
    offered = complete("hunch explain --rules lend-money s.yaml ")
    assert "plain,wont-be-repaid" in offered
    assert "plain,let-it-go" not in offered


def test_zsh_gets_titles_as_descriptions() -> None:
    offered = complete("hunch explain --rules lend-money s.yaml wont", shell="zsh")
    assert offered == ["plain", "wont-be-repaid", "The money is unlikely to come back"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_documented_scripts_exist(shell: str) -> None:
    result = CliRunner().invoke(cli, [], prog_name="hunch",
                                env={"_HUNCH_COMPLETE": f"{shell}_source"})
    assert result.exit_code == 0
    assert "_HUNCH_COMPLETE" in result.stdout


def test_a_pack_that_does_not_load_offers_nothing() -> None:
    assert complete("hunch explain --rules /no/such/pack s.yaml ") == []
