"""`hunch examples`: where the installed example situations are, and a copy of them.

A pip user has no examples/ folder of their own, yet the README and every help text
start from `hunch evaluate examples/asker.yaml`: this lists the installed copies and
copies them into a folder, never overwriting a file that is already there.
"""

from __future__ import annotations

import os

import click

from hunch.cli.app import shipped


def example_files(folder: str) -> list[str]:
    """The example situations under ``folder``, as sorted relative paths."""
    found = []
    for here, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(("_", ".")))
        found += [os.path.relpath(os.path.join(here, name), folder)
                  for name in files if name.endswith(".yaml")]
    return sorted(found)


def _copy_one(source: str, target: str) -> bool:
    """Copy one file whole, or not at all; False (and nothing written) when target exists.

    The copy is written beside the target first and linked into place: a link never
    replaces an existing file, so a file made meanwhile is not clobbered either.
    """
    import tempfile

    from hunch.pack.yamlsource import read_bytes

    if os.path.lexists(target):
        return False
    folder = os.path.dirname(target) or "."
    os.makedirs(folder, exist_ok=True)
    data = read_bytes(source)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".hunch-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.link(tmp, target)
    except FileExistsError:
        return False
    finally:
        os.unlink(tmp)
    return True


@click.command()
@click.option("--copy", "copy_to", metavar="DIR", type=click.Path(file_okay=False),
              help="Copy the examples into DIR (made if missing); files already there are "
                   "kept as they are.")
def examples(copy_to: str | None) -> None:
    """List the example situations installed with hunch, or copy them.

    Without options, where the examples are installed and their names. With
    --copy DIR, each example is copied into DIR under the same relative path;
    a file that already exists there is never overwritten (the copy says which
    were kept).

    \b
    Examples:
      hunch examples
      hunch examples --copy examples && hunch evaluate examples/asker.yaml
    """
    from hunch.errors import HunchError, printable

    folder = shipped("examples")
    names = example_files(folder)
    if copy_to is None:
        click.echo(f"Examples installed in {folder}:")
        for name in names:
            click.echo(f"  {name}")
        click.echo("hunch examples --copy DIR copies them into DIR (never overwriting a file).")
        return
    if os.path.exists(copy_to) and not os.path.isdir(copy_to):
        raise HunchError("is not a folder", copy_to, hint="give --copy a folder")
    kept = []
    for name in names:
        target = os.path.join(copy_to, name)
        try:
            copied = _copy_one(os.path.join(folder, name), target)
        except OSError as exc:
            raise HunchError(f"cannot write: {exc.strerror or exc}", target,
                             hint="copy into a folder you can write") from None
        if not copied:
            kept.append(name)
    click.echo(f"copied {len(names) - len(kept)} examples into {printable(copy_to)}"
               + (f"; kept {len(kept)} already there: {', '.join(kept)}" if kept else ""))
