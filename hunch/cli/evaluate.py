"""`hunch evaluate`: rank hypotheses and recommend an action for situations."""

from __future__ import annotations

import gc
from typing import Any

import click

from hunch.cli.common import (
    ExplainMode,
    as_of_option,
    load_pack_or_fail,
    pack_option,
    reading_hint,
    to_file,
)

FORMATS = ("table", "json", "jsonl", "markdown")


@click.command()
@click.argument("situations", nargs=-1, required=True, type=click.Path())
@pack_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="Output format; json follows the documented contract (docs/json.md).")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write to this file (atomically), or to - (standard output, the default).")
@click.option("--max-bytes", type=click.IntRange(min=1), default=None,
              help="Refuse situation files (and JSON lines) larger than this "
                   "(default 5242880, 5 MiB).")
@click.option("--max-firings", type=click.IntRange(min=1), default=None,
              help="Stop a situation after this many rule firings (default 100000).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Evaluate in this many worker processes; output is identical.")
@click.option("--explain", type=ExplainMode(), is_flag=False,
              flag_value="summary", default=None,
              help="After the table, explain the top hypothesis and the recommendation: "
                   "--explain (a summary) or --explain=full (the whole derivation).")
@click.option("--progress/--no-progress", default=None,
              help="Draw a progress bar on standard error for a batch (default: when standard "
                   "error is a terminal and the results go elsewhere, e.g. --output).")
@as_of_option
@click.option("--draft", is_flag=True,
              help="Show the recommended action's draft message or call script under it.")
def evaluate(situations: tuple[str, ...], rules: str | None, fmt: str, output: str | None,
             max_bytes: int | None, max_firings: int | None, jobs: int,
             explain: str | None, progress: bool | None, as_of: Any = None,
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
    """
    from hunch.batch.run import Settings, renderer, write_batch
    from hunch.cli.common import pack_argument
    from hunch.output.width import columns
    from hunch.pack.yamlsource import MAX_FILE_BYTES

    to_file(output)
    if "-" in situations:
        reading_hint()
    # one situation file may name its pack; a batch uses --rules or the project's
    # default, and each situation that names another pack is evaluated with that one
    single = len(situations) == 1
    chosen = pack_argument(rules, situations[0] if single else None)
    pack = load_pack_or_fail(chosen)
    # the pack lives for the whole run: keep the garbage collector from rescanning
    # it on every situation (measured: ~40 % of an evaluation on a 5,000-rule pack),
    # then resume it (hunch.cli.console paused it for start-up)
    gc.freeze()
    gc.enable()
    debug = bool((click.get_current_context().find_root().obj or {}).get("debug"))
    render = renderer(fmt)
    if draft:
        import functools

        from hunch.output.render import render_drafted

        render = functools.partial(render_drafted, fmt)
    if explain:
        import functools

        from hunch.output.render import render_explained

        render = functools.partial(render_explained, fmt, explain)
    settings = Settings(rules=chosen, render=render, forced=bool(rules),
                        max_bytes=max_bytes or MAX_FILE_BYTES,
                        max_firings=max_firings or 0, debug=debug,
                        encode=fmt if fmt in ("json", "jsonl") else "", columns=columns(),
                        as_of=as_of)
    summary = write_batch(list(situations), pack, settings, fmt, output, jobs,
                          progress=progress)
    if summary.failed:
        raise SystemExit(2)
