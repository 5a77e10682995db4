"""`hunch schema`: JSON Schema for situation files and rule pack files."""

from __future__ import annotations

import json

import click

from hunch.cli.common import emit
from hunch.pack.jsonschema import PACK_FILES


def _dump(schema: object) -> str:
    from hunch.errors import json_safe

    return json_safe(json.dumps(schema, indent=2, ensure_ascii=False)) + "\n"


@click.group()
def schema() -> None:
    """Print JSON Schema for situation files or rule pack files.

    Point your editor at it for completion and validation (see
    docs/checking.md): e.g. put
    `# yaml-language-server: $schema=situation.schema.json` at the top of a file.

    \b
    Example:
      hunch schema situation -o situation.schema.json
      hunch schema pack --file facts --rules my-pack
    """


_output = click.option(
    "--output", "-o", type=click.Path(dir_okay=False),
    help="Write to this file (atomically), or to - (standard output, the default).")


@schema.command()
@click.option("--rules", "-r", "rules", metavar="PACK", default=None,
              help="Rule pack: a folder, or a built-in pack name (default: the project's "
                   "hunch.toml or [tool.hunch], else interview-silence).")
@_output
def situation(rules: str | None, output: str | None) -> None:
    """Schema of situation files, from a pack's fact schema.

    \b
    Example:
      hunch schema situation --rules interview-silence
    """
    from hunch.cli.common import load_pack_or_fail
    from hunch.pack.jsonschema import situation_schema

    emit(_dump(situation_schema(load_pack_or_fail(rules))), output)


@schema.command()
@click.option("--file", "kind", type=click.Choice(PACK_FILES), default="rules",
              show_default=True, help="Which pack file the schema is for.")
@click.option("--rules", "-r", "rules", metavar="PACK", default=None,
              help="Also list this pack's fact names, conclusion and source ids, "
                   "so an editor can complete them.")
@_output
def pack(kind: str, rules: str | None, output: str | None) -> None:
    """Schema of a rule pack file: rules (the default), facts, conclusions,
    sources, pack or tests.

    \b
    Example:
      hunch schema pack -o rules.schema.json
      hunch schema pack --file tests --rules my-pack
    """
    from hunch.engine.load import load_pack
    from hunch.pack.jsonschema import pack_schema

    emit(_dump(pack_schema(kind, load_pack(rules) if rules else None)), output)
