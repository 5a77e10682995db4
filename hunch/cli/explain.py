"""`hunch explain`: how a conclusion was reached, or why it was not."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from hunch.cli.common import (
    as_of_option,
    complete_conclusions,
    emit,
    load_pack_or_fail,
    load_situation_arg,
    pack_option,
    to_file,
)

if TYPE_CHECKING:  # imported lazily at run time: `hunch --help` must not load the pack model
    from hunch.pack.model import Pack

FORMATS = ("text", "json", "mermaid", "dot")


def emit_quietly(text: str, output: str | None, inputs: tuple[str, ...] = ()) -> None:
    """emit(), but a reader that stops early (`| head`) is not an error."""
    import os
    import sys

    try:
        emit(text, output, inputs)
        sys.stdout.flush()
    except BrokenPipeError:
        # Python flushes stdout again at exit: point it at /dev/null to keep that quiet
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


@click.command()
@click.argument("situation", type=click.Path())
@click.argument("conclusion", metavar="ID", shell_complete=complete_conclusions)
@pack_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text: the derivation tree; json: the same as data (docs/explain.md); "
                   "mermaid or dot: the derivation as a graph.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write to this file (atomically), or to - (standard output, the default).")
@as_of_option
def explain(situation: str, conclusion: str, rules: str | None, fmt: str,
            output: str | None, as_of: Any = None) -> None:
    """Explain one conclusion: HOW it was reached, or WHY NOT.

    SITUATION is a YAML file, or - to read one YAML or JSON situation from
    standard input. ID is a hypothesis or action id (or a derived fact), as the
    evaluate table's "ids" line shows them, or the start of one, or of its title,
    that only one conclusion has. For each rule that
    fired: its contribution, its certainty factor and premise, its citation, and
    the facts it matched, down to the input facts with their file:line. For each
    rule that could have concluded it but did not fire: every condition with the
    value seen and whether it passed, failed or is unknown (a missing fact), and
    the certainty it would have added. Then the missing facts that could change it.

    \b
    Examples:
      hunch explain examples/asker.yaml decided-against-you
      hunch explain examples/asker.yaml call-once-with-deadline
      hunch explain examples/asker.yaml "the budget"
      hunch explain --format mermaid examples/asker.yaml let-it-go
      hunch explain --format dot examples/asker.yaml let-it-go | dot -Tsvg > how.svg
    """
    from hunch.engine.evaluate import evaluate
    from hunch.explain.how import explain as run
    from hunch.output.explanation import dot, explanation_json, explanation_text, mermaid
    from hunch.output.formats import to_json

    to_file(output)
    pack = load_pack_or_fail(rules, situation)
    conclusion = resolve_id(pack, conclusion)
    result = evaluate(pack, load_situation_arg(situation, pack, as_of))
    x = run(result, conclusion, unknowns=fmt in ("text", "json"))
    if fmt == "json":
        text = to_json(explanation_json(x)) + "\n"
    elif fmt == "mermaid":
        text = mermaid(x)
    elif fmt == "dot":
        text = dot(x)
    else:
        text = explanation_text(x)
    emit_quietly(text, output, (situation,))


def resolve_id(pack: Pack, given: str) -> str:
    """The conclusion (or derived fact) ``given`` names: its id, or the start of exactly
    one id or title (any case). Otherwise a usage error listing the ids."""
    from hunch.errors import did_you_mean, printable

    if given in pack.conclusions or given in pack.derived:
        return given
    start = given.strip().lower()
    found = [cid for cid, c in pack.conclusions.items()
             if start and (cid.startswith(start) or " ".join(c.title.lower().split())
                           .startswith(" ".join(start.split())))]
    found += [name for name in pack.derived if start and name.startswith(start)]
    if len(found) == 1:
        return found[0]
    ids = ", ".join(pack.conclusions)
    if found:
        raise click.BadParameter(f"{printable(given)!r} starts {len(found)} conclusions: "
                                 f"{', '.join(found)}; give more of it", param_hint="ID")
    hint = did_you_mean(given, list(pack.conclusions) + list(pack.derived))
    raise click.BadParameter(
        f"no conclusion or derived fact {given!r} in pack {pack.name}"
        + (f" ({hint})" if hint else f"; conclusions: {ids}"), param_hint="ID")
