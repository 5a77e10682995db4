"""The command line: a thin click shell over the library.

This is the one place where HunchError becomes a message and an exit status:
0 success, 1 a negative outcome the user asked about (failed tests, lint
errors), 2 bad usage or bad input, 130 interrupted.
"""

from __future__ import annotations

import errno
import importlib
import io
import os
import sys
from typing import Any, NoReturn

import click

from hunch.version import DISTRIBUTION

# command name -> "module:attribute"; imported only when used, so `hunch --help`
# does not import durable_rules.
COMMANDS = {
    "ask": "hunch.cli.ask:ask",
    "evaluate": "hunch.cli.evaluate:evaluate",
    "examples": "hunch.cli.examples:examples",
    "explain": "hunch.cli.explain:explain",
    "what-if": "hunch.cli.whatif:what_if",
    "plan": "hunch.cli.plan:plan",
    "sweep": "hunch.cli.sweep:sweep",
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

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:  # `hunch --bogus`: one line, as below
            usage_error(exc)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; every exception it ends with becomes one line on standard
        error and the exit status its type carries (hunch.errors)."""
        from hunch.errors import EXIT_BAD_INPUT, TOO_DEEP, HunchError, Interrupted, Reported

        try:
            return super().invoke(ctx)
        except HunchError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(with_examples_hint(exc).format(), err=True)
            ctx.exit(exc.exit_code)
        except Reported as exc:  # the command has said what failed
            ctx.exit(exc.exit_code)
        except click.UsageError as exc:
            usage_error(exc)
        except KeyboardInterrupt as exc:  # Ctrl-C, or Terminated
            stop = Interrupted.of(exc)
            click.echo(stop.message, err=True)
            ctx.exit(stop.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except OSError as exc:
            problem = stdout_problem(exc)
            if problem is None or (ctx.obj and ctx.obj.get("debug")):
                raise
            quiet_stdout()
            if problem:  # a reader that stopped early (`| head`) is no error
                hint = "nothing more was written; give hunch an output it can write, or use -o FILE"
                click.echo(HunchError(f"cannot write: {problem}", "<stdout>", hint=hint).format(),
                           err=True)
                ctx.exit(EXIT_BAD_INPUT)
            ctx.exit(0)
        except RecursionError:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"error: {TOO_DEEP}", err=True)
            ctx.exit(EXIT_BAD_INPUT)
        except Exception as exc:  # a bug: still one line, never a traceback
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(bug_line(exc), err=True)
            ctx.exit(EXIT_BAD_INPUT)


def bug_line(exc: BaseException) -> str:
    """A bug's one line on the terminal, in hunch.errors' words, as a batch row says it."""
    from hunch.batch.run import RERUN_WITH_DEBUG
    from hunch.errors import internal_error

    return internal_error(exc, RERUN_WITH_DEBUG, str(exc))


def _show_version(ctx: click.Context, value: bool) -> None:
    """`hunch --version`: the installed distribution's version (as click's version_option
    reads it) and its build, so a user and CI can see which one runs."""
    if not value or ctx.resilient_parsing:
        return
    from importlib.metadata import version

    from hunch.version import build

    click.echo(f"hunch {version(DISTRIBUTION)} ({build()})")
    ctx.exit()


@click.group(cls=HunchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show Python tracebacks (for developers).")
@click.option("--allow-pack-path", is_flag=True,
              help="Follow a situation's _pack to a folder outside its own folder and "
                   "outside the project (docs/project.md).")
@click.option("--version", is_flag=True, expose_value=False, is_eager=True,
              callback=lambda ctx, _param, value: _show_version(ctx, value),
              help="Show the version, and whether hunch runs compiled (mypyc) or pure "
                   "Python, and exit.")
@click.pass_context
def cli(ctx: click.Context, debug: bool, allow_pack_path: bool) -> None:
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
    ctx.obj["allow_pack_path"] = allow_pack_path
    from hunch.output.width import set_columns, terminal_columns

    # text fits the terminal stdout is; files and pipes get the fixed widths (and
    # commands writing --output FILE go back to them: hunch.cli.common.to_file)
    set_columns(terminal_columns(sys.stdout))
    from hunch.cli.startup import resume_for

    group = ctx.command
    assert isinstance(group, click.Group)
    name = ctx.invoked_subcommand
    resume_for(group.get_command(ctx, name) if name else None)


def usage_error(exc: click.UsageError) -> NoReturn:
    """A bad option or argument, on one line like every other error (not click's usage
    block): where (the command), what, and where the options are listed."""
    from hunch.errors import HunchError

    command = exc.ctx.command_path if exc.ctx else "hunch"
    message = exc.format_message().rstrip(".")
    click.echo(HunchError(message, command, hint=f"see {command} --help").format(), err=True)
    sys.exit(exc.exit_code)


def with_examples_hint(exc: Any) -> Any:
    """A missing examples/... file: say where the installed examples are (a pip user has
    no examples/ folder of their own)."""
    from hunch.errors import YamlError

    if isinstance(exc, YamlError) and exc.message == "no such file" and not exc.hint:
        exc.hint = examples_hint(exc.file)
    return exc


def examples_hint(path: str) -> str:
    """For a missing examples/... file that hunch ships: where the installed one is."""
    parts = os.path.normpath(path).split(os.sep)
    if "examples" not in parts[:-1]:
        return ""
    rest = parts[len(parts) - parts[::-1].index("examples"):]
    installed = os.path.join(shipped("examples"), *rest)
    if not os.path.isfile(installed):
        return ""
    return (f"the installed examples are in {shipped('examples')}: "
            f"`hunch examples --copy examples` copies them here, or run hunch on {installed}")


def _raise_terminated(signum: int, frame: Any) -> None:
    from hunch.errors import Terminated

    raise Terminated(signum)


def catch_signals() -> None:
    """TERM and HUP become Terminated; a signal the caller ignores (nohup) stays ignored."""
    import signal

    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None and signal.getsignal(signum) is signal.SIG_DFL:
            signal.signal(signum, _raise_terminated)


class StdoutError(OSError):
    """Writing standard output failed (a full disk, a closed descriptor, EIO)."""


class GuardedStdout(io.TextIOWrapper):
    """sys.stdout, but a failed write says it was standard output that failed.

    A broken pipe stays a BrokenPipeError: a reader that stopped early is handled
    where the output is written (hunch.batch.run.write_batch).
    """

    def write(self, text: str) -> int:
        try:
            return super().write(text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise StdoutError(exc.errno, exc.strerror) from None

    def flush(self) -> None:
        try:
            super().flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise StdoutError(exc.errno, exc.strerror) from None


_original_stdout: Any = None  # kept alive: collecting it would close the descriptor


class ClosedStdout(io.TextIOBase):
    """Standard output when the process started with it closed (`>&-`): writing fails."""

    encoding = "utf-8"

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")


def guard_std_streams() -> None:
    """Give a closed descriptor 0, 1 or 2 /dev/null, so no file hunch opens becomes
    standard output; and make writing to a closed standard output an error."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            try:
                os.open(os.devnull, os.O_RDWR)  # the lowest free descriptor: this one
            except OSError:
                continue
            if fd == 1:
                sys.stdout = ClosedStdout()
    global _original_stdout
    out = sys.stdout
    if type(out) is io.TextIOWrapper:  # the interpreter's own (not a test's, not closed)
        _original_stdout = out
        sys.stdout = GuardedStdout(out.buffer, encoding=out.encoding, errors=out.errors,
                                   line_buffering=out.line_buffering,
                                   write_through=out.write_through)


def stdout_problem(exc: OSError) -> str | None:
    """Why standard output failed, if ``exc`` came from it: '' for a closed pipe."""
    if isinstance(exc, BrokenPipeError):
        return ""
    if isinstance(sys.stdout, ClosedStdout):
        return "standard output is closed"
    if isinstance(exc, StdoutError):
        return exc.strerror or str(exc)
    return None


def quiet_stdout() -> None:
    # Python flushes stdout again at exit: point it at /dev/null to keep that quiet
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass


def main() -> None:
    guard_std_streams()
    catch_signals()
    try:
        cli.main(prog_name="hunch")
    except KeyboardInterrupt as exc:  # outside a command (the group's own start-up)
        from hunch.errors import Interrupted

        stop = Interrupted.of(exc)
        click.echo(stop.message, err=True)
        sys.exit(stop.exit_code)
