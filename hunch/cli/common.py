"""Options and helpers shared by the CLI commands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click
from click.shell_completion import CompletionItem

if TYPE_CHECKING:
    from datetime import date

    from hunch.pack.model import Pack
    from hunch.pack.validate import Situation


def complete_packs(ctx: click.Context, param: click.Parameter,
                   incomplete: str) -> list[CompletionItem]:
    """Shell completion for --rules: the built-in packs' names, then folders."""
    from hunch.pack.read import builtin_packs

    names = [CompletionItem(name) for name in builtin_packs() if name.startswith(incomplete)]
    return names + [CompletionItem(incomplete, type="dir")]


def complete_conclusions(ctx: click.Context, param: click.Parameter,
                         incomplete: str) -> list[CompletionItem]:
    """Shell completion for a conclusion ID: those of the pack --rules names (or the default)."""
    from hunch.errors import HunchError

    try:
        pack = load_pack_or_fail(ctx.params.get("rules"))
    except HunchError:
        return []  # a pack that does not load has nothing to offer; the command will say why
    ids = list(pack.conclusions) + list(pack.derived)
    return [CompletionItem(i, help=pack.conclusions[i].title if i in pack.conclusions else "")
            for i in ids if i.startswith(incomplete)]


pack_option = click.option(
    "--rules", "-r", "rules", metavar="PACK", default=None, shell_complete=complete_packs,
    help="Rule pack: a folder, or a built-in pack name (default: the situation's _pack, "
         "else the project's hunch.toml or [tool.hunch], else interview-silence).")


class AsOf(click.ParamType):  # type: ignore[type-arg,unused-ignore]
    """`--as-of YYYY-MM-DD`: the date a situation's dates are counted to."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from hunch.pack.dates import parse_date

        day = parse_date(value)
        if day is None:
            self.fail(f"{value!r} is not a date written YYYY-MM-DD (e.g. 2026-12-07)", param, ctx)
        return day


as_of_option = click.option(
    "--as-of", "as_of", type=AsOf(), default=None,
    help="Count the situation's dates to this day, YYYY-MM-DD (default: its _as_of, "
         "else today; docs/time.md).")


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


def load_pack_or_fail(name: str | None, situation: str | None = None) -> Pack:
    """The pack: --rules, else the one the situation file names (``_pack``), else the
    project's default (hunch.toml, [tool.hunch]), else the built-in default."""
    from hunch.engine.load import load_pack

    return load_pack(pack_argument(name, situation))


def pack_argument(name: str | None, situation: str | None = None) -> str | None:
    """What load_pack_or_fail loads (None: the built-in default); see docs/authoring.md."""
    from hunch.pack.project import chosen_pack, named_in_file

    named = named_in_file(situation, allow_path=allow_pack_path()) \
        if situation and not name and situation != "-" else None
    return chosen_pack(name, named, file=situation or "")


def allow_pack_path() -> bool:
    """``hunch --allow-pack-path``: a situation's _pack may name any folder."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx and (ctx.find_root().obj or {}).get("allow_pack_path"))


def load_situation_arg(path: str, pack: Pack, as_of: date | None = None) -> Situation:
    """A SITUATION argument: a YAML file, or - for one YAML or JSON situation on stdin;
    its dates count to ``as_of`` (--as-of; docs/time.md)."""
    from hunch.engine.evaluate import load_situation

    if path != "-":
        return load_situation(path, pack, as_of=as_of)
    import sys

    from hunch.batch.run import STDIN_LABEL, read_document

    if sys.stdin is None:
        from hunch.errors import HunchError

        raise HunchError("standard input is closed, there is nothing to read", STDIN_LABEL,
                         hint="give a situation file, or pipe one in")
    reading_hint()
    from hunch.pack.validate import validate_situation
    from hunch.pack.yamlsource import load_text

    return validate_situation(load_text(read_document(sys.stdin.buffer), STDIN_LABEL), pack,
                              as_of)


def reading_hint() -> None:
    """Typing a situation at a terminal: say how it ends, rather than seem to hang."""
    import sys

    if sys.stdin is not None and sys.stdin.isatty():
        click.echo("reading the situation from standard input (end it with Ctrl-D)", err=True)


def to_file(output: str | None) -> None:
    """Output going to a file: the fixed widths, not the terminal's (docs/limits.md)."""
    if output:
        from hunch.output.width import set_columns

        set_columns(None)


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


__all__ = ["AsOf", "ExplainMode", "allow_pack_path", "as_of_option", "complete_conclusions",
           "complete_packs", "emit", "load_pack_or_fail", "load_situation_arg", "pack_argument",
           "pack_option", "reading_hint", "say", "to_file"]
