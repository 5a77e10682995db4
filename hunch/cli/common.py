"""Options and helpers shared by the CLI commands."""

from __future__ import annotations

from typing import Any

import click

pack_option = click.option(
    "--rules", "-r", "rules", metavar="PACK", default=None,
    help="Rule pack: a folder, or a built-in pack name (default: the situation's _pack, "
         "else the project's hunch.toml or [tool.hunch], else interview-silence).")


class ExplainMode(click.Choice):  # type: ignore[type-arg]
    """`--explain[=summary|full]`, with a hint for the usual slip.

    click gives an option with an optional value the next word when it is not an
    option, so `--explain FILE` reads FILE as the mode.
    """

    def __init__(self) -> None:
        super().__init__(("summary", "full"))

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value not in self.choices:
            self.fail(f"{value!r} is not summary or full (write --explain=summary, or put "
                      f"--explain after the situation files)", param, ctx)
        return value


def load_pack_or_fail(name: str | None, situation: str | None = None) -> Any:
    """The pack: --rules, else the one the situation file names (``_pack``), else the
    project's default (hunch.toml, [tool.hunch]), else the built-in default."""
    from hunch.engine.load import load_pack

    return load_pack(pack_argument(name, situation))


def pack_argument(name: str | None, situation: str | None = None) -> str | None:
    """What load_pack_or_fail loads (None: the built-in default); see docs/authoring.md."""
    from hunch.pack.project import chosen_pack, named_in_file

    named = named_in_file(situation) if situation and not name and situation != "-" else None
    return chosen_pack(name, named)


def emit(text: str, output: str | None) -> None:
    if output:
        from hunch.output.atomic import write_atomic

        write_atomic(output, text)
    else:
        click.echo(text, nl=False)


__all__ = ["ExplainMode", "emit", "load_pack_or_fail", "pack_argument", "pack_option"]
