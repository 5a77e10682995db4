"""`hunch evaluate`: rank hypotheses and recommend an action for situations."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from hunch.cli.common import (
    ExplainMode,
    as_of_option,
    load_pack_or_fail,
    pack_option,
    reading_hint,
    to_file,
)
from hunch.cli.startup import loads_first, resume
from hunch.errors import EXIT_BAD_INPUT, Reported
from hunch.limits import DEFAULT_MAX_FIRINGS, MAX_FILE_BYTES

if TYPE_CHECKING:
    from hunch.batch.run import Settings

FORMATS = ("table", "json", "jsonl", "markdown")


@loads_first
@click.command()
@click.argument("situations", nargs=-1, required=True, type=click.Path())
@pack_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="Output format; json follows the documented contract (docs/json.md).")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write to this file (atomically), or to - (standard output, the default).")
@click.option("--max-bytes", type=click.IntRange(min=1), default=MAX_FILE_BYTES,
              show_default=True,
              help="Refuse situation files (and JSON lines) larger than this.")
@click.option("--max-firings", type=click.IntRange(min=1), default=DEFAULT_MAX_FIRINGS,
              show_default=True, help="Stop a situation after this many rule firings.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Evaluate in this many worker processes; output is identical.")
@click.option("--explain", type=ExplainMode(), is_flag=False,
              flag_value="summary", default=None,
              help="After the table, explain the top hypothesis and the recommendation: "
                   "--explain (a summary) or --explain=full (the whole derivation).")
@click.option("--min-certainty", type=click.FloatRange(0, 1, max_open=True), default=None,
              help="Leave conclusions under this certainty out of tables and Markdown "
                   "(counted in a line; JSON keeps them and lists them under "
                   "below_min_certainty). Default: the pack's min_certainty, else 0.")
@click.option("--dask", "dask_scheduler", metavar="SCHEDULER", default=None,
              help="Evaluate JSON Lines files (paths or URLs) on Dask, streaming: local (a "
                   "LocalCluster of --jobs workers) or a scheduler's address; -o names a "
                   "folder, which gets one file per partition (docs/performance.md).")
@click.option("--partition-bytes", type=click.IntRange(min=1), default=None,
              help="With --dask: bytes of input per partition (default: about four "
                   "partitions per worker, from 256 KiB to 32 MiB each).")
@click.option("--progress/--no-progress", default=None,
              help="Draw a progress bar on standard error for a batch (default: when standard "
                   "error is a terminal and the results go elsewhere, e.g. --output).")
@as_of_option
@click.option("--draft", is_flag=True,
              help="Show the recommended action's draft message or call script under it.")
def evaluate(situations: tuple[str, ...], rules: str | None, fmt: str, output: str | None,
             max_bytes: int, max_firings: int, jobs: int,
             explain: str | None, dask_scheduler: str | None, partition_bytes: int | None,
             min_certainty: float | None, progress: bool | None, as_of: Any = None,
             draft: bool = False) -> None:
    """Rank the likely explanations and recommend the next action.

    Each SITUATION is a YAML file of facts, a directory (its *.yaml and *.yml
    files, sorted), or - for standard input: JSON Lines (one object of facts
    per line) when its first line is a JSON object on its own, otherwise one
    YAML or JSON situation. Results come in input order. In a batch a bad input is reported
    in place (a block in table output, an object with "error" in json/jsonl)
    and the others are still evaluated; the exit status is then 2.

    \b
    Examples:
      hunch evaluate examples/asker.yaml
      hunch evaluate --format json examples/*.yaml
      hunch evaluate --format jsonl --jobs 2 examples/ -o results.jsonl
      echo '{"days_since_interview": 3}' | hunch evaluate --format jsonl -
      hunch evaluate - < examples/asker.yaml
      hunch evaluate examples/asker.yaml --explain
      hunch evaluate examples/asker.yaml --min-certainty 0.2
      hunch evaluate --dask local --jobs 2 situations.jsonl -o results/
    """
    from hunch.batch.run import Settings
    from hunch.cli.batch import write_batch
    from hunch.cli.common import allow_pack_path, pack_argument
    from hunch.output.width import columns
    from hunch.pack.project import project_default

    to_file(output)
    if "-" in situations:
        reading_hint()
    # one situation file may name its pack; a batch uses --rules or the project's
    # default, and each situation that names another pack is evaluated with that one
    single = len(situations) == 1 and not dask_scheduler  # --dask: JSON Lines files
    chosen = pack_argument(rules, situations[0] if single else None)
    pack = load_pack_or_fail(chosen)
    resume(freeze=True)  # the pack lives for the whole run (hunch/cli/startup.py)
    debug = bool((click.get_current_context().find_root().obj or {}).get("debug"))
    settings = Settings(rules=chosen, render=_render(fmt, explain, draft, min_certainty),
                        forced=bool(rules),
                        max_bytes=max_bytes, max_firings=max_firings, debug=debug,
                        allow_pack_path=allow_pack_path(),
                        project_pack=None if rules else project_default(),
                        encode=fmt if fmt in ("json", "jsonl") else "", columns=columns(),
                        as_of=as_of)
    if dask_scheduler:
        _on_dask(list(situations), dask_scheduler, output, fmt, settings, jobs, partition_bytes)
        return
    summary = write_batch(list(situations), pack, settings, fmt, output, jobs,
                          progress=progress)
    if summary.failed:
        raise Reported(EXIT_BAD_INPUT)  # each failed situation is on standard error


def _render(fmt: str, explain: str | None, draft: bool,
            min_certainty: float | None) -> Callable[[Any], Any]:
    """How each result is written: --explain wins over --draft, which wins over the plain format."""
    import functools

    from hunch.batch.run import renderer
    from hunch.output.render import render_drafted, render_explained

    if explain:
        return functools.partial(render_explained, fmt, explain, min_certainty=min_certainty)
    if draft:
        return functools.partial(render_drafted, fmt)
    return renderer(fmt, min_certainty)


def _on_dask(inputs: list[str], scheduler: str, folder: str | None, fmt: str,
             settings: Settings, jobs: int, size: int | None) -> None:
    from hunch.batch.distributed import DaskRun, run_dask

    run = DaskRun(scheduler, folder or "", fmt, settings, jobs, size)
    if run_dask(inputs, run)[1]:
        raise Reported(EXIT_BAD_INPUT)  # each failed situation is on standard error
