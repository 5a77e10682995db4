"""Options and helpers shared by the CLI commands."""

from __future__ import annotations

from typing import Any

import click

pack_option = click.option(
    "--rules", "-r", "rules", metavar="PACK", default=None,
    help="Rule pack: a folder, or a built-in pack name (default: interview-silence).")


def load_pack_or_fail(name: str | None) -> Any:
    from hunch.pack import load_pack

    return load_pack(name)


def emit(text: str, output: str | None) -> None:
    if output:
        from hunch.atomic import write_atomic

        write_atomic(output, text)
    else:
        click.echo(text, nl=False)


__all__ = ["emit", "load_pack_or_fail", "pack_option"]
