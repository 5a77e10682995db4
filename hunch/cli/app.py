"""The command line: a thin click shell over the library.

This is the one place where HunchError becomes a message and an exit status:
0 success, 1 a negative outcome the user asked about (failed tests, lint
errors), 2 bad usage or bad input, 130 interrupted.
"""

from __future__ import annotations

import gc
import importlib
import sys
from typing import Any

import click

# command name -> "module:attribute"; imported only when used, so `hunch --help`
# does not import durable_rules.
COMMANDS = {
    "ask": "hunch.cli.ask:ask",
    "evaluate": "hunch.cli.evaluate:evaluate",
    "explain": "hunch.cli.explain:explain",
    "what-if": "hunch.cli.whatif:what_if",
    "check": "hunch.cli.check:check",
    "diff": "hunch.cli.diff:diff",
    "test": "hunch.cli.run_tests:test_command",
    "schema": "hunch.cli.schema:schema",
    "init": "hunch.cli.init:init",
    "rules": "hunch.cli.rules:rules",
    "sources": "hunch.cli.rules:sources",
    "serve": "hunch.cli.serve:serve",
}


def shipped(folder: str) -> str:
    """Where an installed hunch keeps docs/ or examples/ (the source tree's, in a checkout)."""
    import importlib.util
    import os

    spec = importlib.util.find_spec(f"hunch.{folder}")
    locations = list(spec.submodule_search_locations or []) if spec else []
    if locations:
        return str(locations[0])
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return os.path.join(here, folder)  # an editable install maps no data-only packages


def where_text() -> str:
    return (f"\b\nThe docs/ and examples/ these help texts name are installed with hunch:\n"
            f"  docs:     {shipped('docs')}\n  examples: {shipped('examples')}")


def _where_epilog(ctx: click.Context, formatter: click.HelpFormatter) -> None:
    """Every command's help ends with where the docs and examples are (only when shown)."""
    formatter.write_paragraph()
    formatter.write_text(where_text())


class HunchGroup(click.Group):
    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Computed here, not in the docstring: a pip user has no docs/ or examples/ folder
        # of their own, so say where the installed copies are.
        _where_epilog(ctx, formatter)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attr = target.split(":")
        command = getattr(importlib.import_module(module), attr)
        assert isinstance(command, click.Command)
        if command.epilog is None:  # its help names docs/ or examples/ files too
            command.format_epilog = _where_epilog  # type: ignore[method-assign]
        return command

    def invoke(self, ctx: click.Context) -> Any:
        from hunch.errors import HunchError

        try:
            return super().invoke(ctx)
        except HunchError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(exc.format(), err=True)
            ctx.exit(2)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except RecursionError:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo("error: input nested too deeply to process", err=True)
            ctx.exit(2)
        except Exception as exc:  # a bug: still one line, never a traceback
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"internal error: {type(exc).__name__}: {exc} "
                       f"(a bug in hunch; rerun with --debug for the traceback)", err=True)
            ctx.exit(2)


@click.group(cls=HunchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show Python tracebacks (for developers).")
@click.version_option(package_name="hunch", message="hunch %(version)s")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """hunch: decision support from cited rules, with explanations.

    Describe your situation as facts in a YAML file, and hunch tells you the
    likely explanations, ranked, and the next action to take, each one citing
    where it came from.

    \b
    Example:
      hunch evaluate examples/asker.yaml
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    from hunch.output.width import set_columns, terminal_columns

    # text fits the terminal stdout is; files and pipes get the fixed widths (and
    # commands writing --output FILE go back to them: hunch.cli.common.to_file)
    set_columns(terminal_columns(sys.stdout))
    if ctx.invoked_subcommand != "evaluate":
        gc.enable()  # paused for start-up by hunch.cli.console; evaluate resumes it itself


def main() -> None:
    try:
        cli.main(prog_name="hunch")
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
