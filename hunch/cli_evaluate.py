"""`hunch evaluate`: rank hypotheses and recommend an action for situations."""

from __future__ import annotations

from typing import Any

import click

from hunch.cli_common import emit, pack_option, load_pack_or_fail

FORMATS = ("table", "json", "markdown")


@click.command()
@click.argument("situations", nargs=-1, required=True, type=click.Path())
@pack_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="Output format; json follows the documented contract (docs/json.md).")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write to this file (atomically) instead of standard output.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=None,
              help="Refuse situation files larger than this (default 5 MB).")
def evaluate(situations: tuple[str, ...], rules: str | None, fmt: str, output: str | None,
             max_bytes: int | None) -> None:
    """Rank the likely explanations and recommend the next action.

    Each SITUATION is a YAML file of facts. With several files, a bad one is
    reported in place and the others are still evaluated; the exit status is
    then 2.

    \b
    Example:
      hunch evaluate examples/asker.yaml
      hunch evaluate --format json examples/*.yaml
    """
    from hunch.errors import HunchError
    from hunch.evaluate import evaluate as run, load_situation
    from hunch.render import render_markdown, render_table, result_json, to_json
    from hunch.yamlsource import MAX_FILE_BYTES

    pack = load_pack_or_fail(rules)
    blocks: list[str] = []
    objects: list[dict[str, Any]] = []
    failed = 0
    for path in situations:
        try:
            result = run(pack, load_situation(path, pack, max_bytes or MAX_FILE_BYTES))
        except HunchError as exc:
            failed += 1
            message = exc.format()
            objects.append({"situation": path, "error": message})
            blocks.append(f"situation: {path}\nerror: {message}\n" if fmt == "table"
                          else f"**error** in `{path}`: {message}\n")
            if len(situations) == 1:
                raise
            click.echo(message, err=True)
            continue
        objects.append(result_json(result))
        blocks.append(render_table(result) if fmt == "table" else
                      render_markdown(result) if fmt == "markdown" else "")
    if fmt == "json":
        text = to_json(objects[0] if len(situations) == 1 else objects) + "\n"
    else:
        text = "\n".join(blocks)
    emit(text, output)
    if failed:
        raise SystemExit(2)
