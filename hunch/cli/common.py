"""Options and helpers shared by the CLI commands."""

from __future__ import annotations

from typing import Any

import click

pack_option = click.option(
    "--rules", "-r", "rules", metavar="PACK", default=None,
    help="Rule pack: a folder, or a built-in pack name (default: interview-silence).")


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


def load_pack_or_fail(name: str | None) -> Any:
    from hunch.engine.load import load_pack

    return load_pack(name)


def emit(text: str, output: str | None, inputs: tuple[str, ...] = ()) -> None:
    """Write a command's report to ``output`` (atomically), or to standard output
    for None or ``-``; refuse an output path that is one of ``inputs``.

    The one place text reports pass through: control characters are escaped here
    (JSON reports come escaped already, by hunch.output.formats.to_json).
    """
    from hunch.errors import printable

    text = printable(text)
    if output and output != "-":
        from hunch.output.atomic import refuse_inputs, write_atomic

        refuse_inputs(output, inputs)
        write_atomic(output, text)
    else:
        click.echo(text, nl=False)


def say(text: str, err: bool = False) -> None:
    """One line of a command's own report (check, test), control characters escaped."""
    from hunch.errors import printable

    click.echo(printable(text), err=err)


__all__ = ["ExplainMode", "emit", "load_pack_or_fail", "pack_option", "say"]
