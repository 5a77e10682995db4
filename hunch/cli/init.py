"""`hunch init`: scaffold a small working rule pack."""

from __future__ import annotations

import click


@click.command()
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=True))
@click.option("--name", default=None, help="The pack's id (default: from DIR's name).")
@click.option("--template", type=click.Choice(("advice", "diagnosis", "blank")),
              default="advice", show_default=True,
              help="advice: hypotheses and a recommended action (docs/authoring.md); "
                   "diagnosis: one answer of an exclusive group, through derived facts; "
                   "blank: one of each part.")
def init(directory: str, name: str | None, template: str) -> None:
    """Write a small working rule pack into DIR, to start from.

    DIR must be new or empty. The pack passes `hunch check` and `hunch test`
    as written; docs/authoring.md explains every part of it.

    \b
    Example:
      hunch init my-pack && hunch check my-pack && hunch test my-pack
      hunch init --template diagnosis which-animal
    """
    import shlex

    from hunch.authoring.scaffold import display, init_pack, pack_name

    written = init_pack(directory, name, template)
    shown = display(directory)
    click.echo(f"created rule pack '{name or pack_name(directory)}' in {shown}:")
    for path in written:
        click.echo(f"  {path}")
    word = shlex.quote(shown)
    click.echo(f"next: hunch check {word} && hunch test {word}")
